# SPDX-License-Identifier: Apache-2.0
"""
The Kubernetes manifests of packaging/kubernetes/ against the Kubernetes API's
types (validate.py, Debian's python3-kubernetes), and the DaemonSet against
vigil itself: its config file passes `vigil run --check-config`, its probes
reach metrics.listen, its capabilities are the systemd unit's.

Environment: VIGIL_BIN (the vigil binary), VIGIL_SOURCE_DIR. Without
python3-kubernetes the tests skip, except with CI=true, where they fail.
"""
import configparser
import glob
import os
import re
import subprocess
import sys
import tempfile
import unittest

import yaml

SRC = os.environ.get("VIGIL_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
HERE = os.path.join(SRC, "tests", "k8s")
VALIDATE = os.path.join(HERE, "validate.py")
DAEMONSET = os.path.join(SRC, "packaging", "kubernetes", "daemonset.yaml")
# Debian's python3 (python3-kubernetes is installed for it), not another on PATH
PYTHON = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable
# The keys the DaemonSet's vigil.yaml sets differently from packaging/vigil.yaml
DAEMONSET_KEYS = {"rules", "host_root", "json_output", "metrics"}


def have_models():
    r = subprocess.run([PYTHON, "-c", "import kubernetes.client"], capture_output=True)
    return r.returncode == 0


def require_models(test):
    """Skip @test without python3-kubernetes; with CI=true fail instead."""
    if have_models():
        return
    if os.environ.get("CI") == "true":
        test.fail("python3-kubernetes is not installed (.ci/run installs it; CI=true)")
    raise unittest.SkipTest("python3-kubernetes is not installed")


def vigil_bin(test):
    path = os.environ.get("VIGIL_BIN")
    if not path or not os.access(path, os.X_OK):
        test.fail("VIGIL_BIN must name the vigil binary")
    return path


def validate(*paths):
    r = subprocess.run([PYTHON, VALIDATE, *paths], capture_output=True, text=True, timeout=60)
    return r.returncode, r.stdout + r.stderr


def load_daemonset():
    with open(DAEMONSET, encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    by_kind = {d["kind"]: d for d in docs}
    return by_kind


class TestValidator(unittest.TestCase):
    def setUp(self):
        require_models(self)

    def test_every_manifest_is_valid(self):
        paths = sorted(glob.glob(os.path.join(SRC, "packaging", "kubernetes", "*.yaml")))
        self.assertIn(DAEMONSET, paths)
        rc, out = validate(*paths)
        self.assertEqual(rc, 0, out)
        self.assertIn(f"{DAEMONSET}: ok, 4 objects", out)

    def test_misspelt_fields_fail(self):
        path = os.path.join(HERE, "fixtures", "misspelt.yaml")
        rc, out = validate(path)
        self.assertEqual(rc, 1, out)
        where = f"{path}: document 1 (DaemonSet misspelt): "
        self.assertEqual(out.splitlines(), [
            where + "spec.template.spec.hostPid: unknown field 'hostPid' in V1PodSpec"
            " (did you mean 'hostPID'?)",
            where + "spec.template.spec.containers[0].readinessProbe.httpGett: unknown field"
            " 'httpGett' in V1Probe (did you mean 'httpGet'?)",
        ])

    def test_wrong_kinds_types_and_missing_fields_fail(self):
        path = os.path.join(HERE, "fixtures", "wrong.yaml")
        rc, out = validate(path)
        self.assertEqual(rc, 1, out)
        self.assertEqual(out.splitlines(), [
            f"{path}: document 1 (DaemonSet core-has-no-daemonsets): (document): unknown"
            " apiVersion/kind 'v1'/'DaemonSet'",
            f"{path}: document 2 (Pod types): spec.containers[0].ports[0].containerPort:"
            " expected int, got a string ('8765')",
            f"{path}: document 3 (Pod required): spec.containers[0]: missing required field"
            " 'name' of V1Container",
            f"{path}: document 4 (ConfigMap list): data: expected a mapping, got a list",
        ])

    def test_duplicate_key_fails(self):
        path = os.path.join(HERE, "fixtures", "duplicate.yaml")
        rc, out = validate(path)
        self.assertEqual(rc, 1, out)
        self.assertEqual(out.splitlines(), [
            f"{path}: duplicate key 'securityContext'",
            f'  in "{path}", line 13, column 7',
        ])

    def test_misspelling_in_the_daemonset_fails(self):
        """The real manifest with one field misspelt: the error names it."""
        with open(DAEMONSET, encoding="utf-8") as f:
            text = f.read()
        cases = [
            ("readOnlyRootFilesystem: true", "readOnlyRootFileSystem: true",
             "spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem: "
             "unknown field 'readOnlyRootFileSystem' in V1SecurityContext"),
            ("        - operator: Exists", "        - operater: Exists",
             "spec.template.spec.tolerations[0].operater: unknown field 'operater'"),
            ("      hostPID: true", "      hostPid: true",
             "spec.template.spec.hostPid: unknown field 'hostPid' in V1PodSpec"),
        ]
        with tempfile.TemporaryDirectory(prefix="vigil-k8s-") as tmp:
            for old, new, want in cases:
                with self.subTest(field=new):
                    self.assertEqual(text.count(old), 1, old)
                    path = os.path.join(tmp, "daemonset.yaml")
                    with open(path, "w", encoding="utf-8") as f:
                        f.write(text.replace(old, new))
                    rc, out = validate(path)
                    self.assertEqual(rc, 1, out)
                    self.assertIn(f"{path}: document 4 (DaemonSet vigil): {want}", out)
                    self.assertEqual(len(out.splitlines()), 1, out)


class TestDaemonSetMatchesVigil(unittest.TestCase):
    """What validate.py cannot know: the DaemonSet fits vigil's own config."""

    def setUp(self):
        objs = load_daemonset()
        self.cm = objs["ConfigMap"]
        self.pod = objs["DaemonSet"]["spec"]["template"]["spec"]
        self.ctr = self.pod["containers"][0]
        self.config = yaml.safe_load(self.cm["data"]["vigil.yaml"])

    def test_config_passes_check_config(self):
        vigil = vigil_bin(self)
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", prefix="vigil-k8s-") as f:
            f.write(self.cm["data"]["vigil.yaml"])
            f.flush()
            r = subprocess.run([vigil, "run", "--check-config", "-c", f.name],
                               capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(r.stdout, f"vigil: {f.name}: ok, 1 output: stdout-0"
                         " (stdout standard output)\n")

    def test_config_is_packaging_vigil_yaml_plus_the_daemonsets_keys(self):
        with open(os.path.join(SRC, "packaging", "vigil.yaml"), encoding="utf-8") as f:
            base = yaml.safe_load(f)
        for key in set(base) | set(self.config):
            if key not in DAEMONSET_KEYS:
                self.assertEqual(self.config.get(key), base.get(key), key)
        self.assertEqual(self.config["host_root"], "/host")
        self.assertIs(self.config["json_output"], True)

    def test_config_and_local_rules_are_where_vigil_reads_them(self):
        mounts = {m["name"]: m for m in self.ctr["volumeMounts"]}
        cdir = mounts["config"]["mountPath"]
        self.assertEqual(self.ctr["args"], ["run", "--config", f"{cdir}/vigil.yaml"])
        self.assertEqual(self.config["rules"],
                         ["/etc/vigil/rules.d", f"{cdir}/zz_local_rules.yaml"])
        self.assertEqual(set(self.cm["data"]), {"vigil.yaml", "zz_local_rules.yaml"})

    def test_local_rules_load_after_the_default_rules(self):
        """The ConfigMap's rules file appends to the defaults: both load."""
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", prefix="vigil-k8s-") as f:
            f.write(self.cm["data"]["zz_local_rules.yaml"])
            f.flush()
            r = subprocess.run([vigil_bin(self), "rules", "check", "-r",
                                os.path.join(SRC, "rules"), "-r", f.name],
                               capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertRegex(r.stdout, r"^[0-9]+ rule files OK: .*" + re.escape(f.name) + "\n")

    def test_probes_reach_metrics_listen(self):
        port = int(re.fullmatch(r":(\d+)", self.config["metrics"]["listen"]).group(1))
        ports = {p["name"]: p["containerPort"] for p in self.ctr["ports"]}
        self.assertEqual(ports["metrics"], port)
        self.assertFalse(self.pod.get("hostNetwork", False))
        # liveness is capture's only (/livez): a receiver that is down must
        # not get vigil restarted; readiness and startup include the outputs
        for probe, path in (("startupProbe", "/healthz"), ("readinessProbe", "/healthz"),
                            ("livenessProbe", "/livez")):
            self.assertEqual(self.ctr[probe]["httpGet"], {"path": path, "port": "metrics"},
                             probe)

    def test_security_context(self):
        sc = self.ctr["securityContext"]
        self.assertIs(sc["privileged"], False)
        self.assertIs(sc["readOnlyRootFilesystem"], True)
        self.assertIs(sc["allowPrivilegeEscalation"], False)
        self.assertIs(self.pod["hostPID"], True)
        self.assertEqual(self.pod["tolerations"], [{"operator": "Exists"}])
        self.assertEqual(sc["capabilities"]["drop"], ["ALL"])
        unit = configparser.ConfigParser(strict=False, interpolation=None)
        unit.read(os.path.join(SRC, "packaging", "systemd", "vigil.service"))
        bounding = unit["Service"]["CapabilityBoundingSet"].split()
        self.assertEqual(sorted("CAP_" + c for c in sc["capabilities"]["add"]),
                         sorted(bounding))

    def test_host_paths_are_read_only_and_under_host_root(self):
        vols = {v["name"]: v for v in self.pod["volumes"]}
        for m in self.ctr["volumeMounts"]:
            vol = vols[m["name"]]
            if "hostPath" not in vol:
                continue
            with self.subTest(mount=m["mountPath"]):
                self.assertIs(m.get("readOnly"), True)
                host = vol["hostPath"]["path"]
                # the kernel's interfaces at their own path, the rest under
                # /host; the host's cgroup fs too, beside the pod's own view
                # of its cgroup namespace at /sys/fs/cgroup
                own = host.startswith("/sys/") and host != "/sys/fs/cgroup"
                want = host if own else "/host" + host
                self.assertEqual(m["mountPath"], want)


if __name__ == "__main__":
    unittest.main()
