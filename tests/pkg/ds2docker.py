#!/usr/bin/env python3
"""`docker run` options that reproduce the vigil container of a DaemonSet.

    ds2docker.py MANIFEST WORKDIR               the options, one per line
    ds2docker.py --without CAP MANIFEST WORKDIR the same, less one added capability
    ds2docker.py --old-runtime [--without CAP] MANIFEST WORKDIR
                                                SYS_ADMIN in place of BPF and PERFMON
    ds2docker.py --args MANIFEST                the container's args, one per line
    ds2docker.py --probes MANIFEST              "KIND PORT PATH" of each httpGet probe

Used by tests/pkg/daemonset.sh. From the pod: hostPID. From the container:
command (as --entrypoint and leading args), securityContext (capabilities
drop/add, readOnlyRootFilesystem, allowPrivilegeEscalation,
runAsUser/runAsGroup, seccompProfile), the memory limit, plain env values
and every volumeMount: hostPath volumes as read-only (or not) bind mounts
(left out, with a note on stderr, when the host lacks the path and the
manifest would create it), configMap volumes as files written to WORKDIR (a
subPath mounts one of them), emptyDir as tmpfs. Probes are not run.

A capability this host's own bounding set lacks cannot be granted to any
container: it is left out, with a note on stderr. --old-runtime is for a
Docker that does not know CAP_BPF and CAP_PERFMON (Debian 12's docker.io
20.10): it swaps them for SYS_ADMIN, as the manifest's comment says to do on
such runtimes. Anything else in those places is an error: the test must not
silently run the container differently from the manifest.
"""
import os
import sys

import yaml


def daemonset(path):
    with open(path) as f:
        for doc in yaml.safe_load_all(f):
            if doc and doc.get("kind") == "DaemonSet":
                return doc
    sys.exit(f"ds2docker: {path}: no DaemonSet")


def vigil_container(ds):
    pod = ds["spec"]["template"]["spec"]
    for c in pod["containers"]:
        if c["name"] == "vigil":
            return pod, c
    sys.exit("ds2docker: no container named vigil")


CAP_NUMBERS = {"DAC_READ_SEARCH": 2, "SYS_PTRACE": 19, "SYS_ADMIN": 21, "SYS_RESOURCE": 24,
               "PERFMON": 38, "BPF": 39}


def host_has(cap):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("CapBnd:"):
                return bool(int(line.split()[1], 16) >> CAP_NUMBERS.get(cap, 0) & 1)
    return True


def memory(q):
    units = {"Ki": "k", "Mi": "m", "Gi": "g"}
    for suffix, docker in units.items():
        if str(q).endswith(suffix):
            return str(q)[: -len(suffix)] + docker
    return str(q)


def security(pod, c, without, old_runtime):
    sc = c.get("securityContext", {})
    opts = []
    if c.get("command"):
        opts += ["--entrypoint", c["command"][0]]
    if pod.get("hostPID"):
        opts += ["--pid", "host"]
    if sc.get("privileged"):
        sys.exit("ds2docker: the container is privileged")
    caps = sc.get("capabilities", {})
    opts += [f"--cap-drop={d}" for d in caps.get("drop", [])]
    added = caps.get("add", [])
    if old_runtime:
        added = [a for a in added if a not in ("BPF", "PERFMON")] + ["SYS_ADMIN"]
    if without and without not in added:
        sys.exit(f"ds2docker: {without} is not among the added capabilities {added}")
    for a in added:
        if a == without:
            continue
        if not host_has(a):
            print(f"ds2docker: this host's bounding set lacks CAP_{a}: not added", file=sys.stderr)
            continue
        opts.append(f"--cap-add={a}")
    if sc.get("readOnlyRootFilesystem"):
        opts.append("--read-only")
    if sc.get("allowPrivilegeEscalation") is False:
        opts += ["--security-opt", "no-new-privileges"]
    if "runAsUser" in sc:
        opts += ["--user", f"{sc['runAsUser']}:{sc.get('runAsGroup', 0)}"]
    seccomp = sc.get("seccompProfile", {}).get("type")
    if seccomp == "Unconfined":
        opts += ["--security-opt", "seccomp=unconfined"]
    elif seccomp not in (None, "RuntimeDefault"):
        sys.exit(f"ds2docker: seccompProfile {seccomp}: not handled")
    for e in c.get("env", []):
        if "value" not in e:
            sys.exit(f"ds2docker: env {e['name']}: only plain values are handled")
        opts += ["--env", f"{e['name']}={e['value']}"]
    limit = c.get("resources", {}).get("limits", {}).get("memory")
    if limit:
        opts.append(f"--memory={memory(limit)}")
    return opts


def mounts(manifest, pod, c, work):
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    opts = []
    for m in c.get("volumeMounts", []):
        v = volumes[m["name"]]
        dest, ro = m["mountPath"], ",ro" if m.get("readOnly") else ""
        if "hostPath" in v:
            hp = v["hostPath"]
            if not os.path.exists(hp["path"]):
                if hp.get("type") == "DirectoryOrCreate":
                    print(f"ds2docker: {hp['path']} is not on this host: not mounted",
                          file=sys.stderr)
                    continue
                sys.exit(f"ds2docker: host path {hp['path']} does not exist")
            opts += ["--mount", f"type=bind,source={hp['path']},target={dest}{ro}"]
        elif "configMap" in v:
            data = configmap(manifest, v["configMap"]["name"])
            items = {i["key"]: i["path"] for i in v["configMap"].get("items", [])} or \
                {k: k for k in data}
            top = os.path.join(os.path.abspath(work), "configmap-" + m["name"])
            os.makedirs(top, exist_ok=True)
            for key, rel in items.items():
                os.makedirs(os.path.dirname(os.path.join(top, rel)), exist_ok=True)
                with open(os.path.join(top, rel), "w") as f:
                    f.write(data[key])
            source = os.path.join(top, m["subPath"]) if m.get("subPath") else top
            opts += ["--mount", f"type=bind,source={source},target={dest}{ro}"]
        elif "emptyDir" in v:
            size = v["emptyDir"].get("sizeLimit")
            opts += ["--tmpfs", dest + (f":size={memory(size)}" if size else "")]
        else:
            sys.exit(f"ds2docker: volume {m['name']}: kind not handled")
    return opts


def configmap(manifest, name):
    with open(manifest) as f:
        for doc in yaml.safe_load_all(f):
            if doc and doc.get("kind") == "ConfigMap" and doc["metadata"]["name"] == name:
                return doc["data"]
    sys.exit(f"ds2docker: no ConfigMap {name}")


def main(argv):
    if len(argv) == 3 and argv[1] == "--probes":
        _, c = vigil_container(daemonset(argv[2]))
        ports = {p.get("name"): p["containerPort"] for p in c.get("ports", [])}
        for kind in ("startupProbe", "readinessProbe", "livenessProbe"):
            get = c.get(kind, {}).get("httpGet")
            if get:
                print(kind, ports.get(get["port"], get["port"]), get.get("path", "/"))
        return
    if len(argv) == 3 and argv[1] == "--args":
        _, c = vigil_container(daemonset(argv[2]))
        print("\n".join(c.get("command", [])[1:] + c.get("args", [])))
        return
    old_runtime = len(argv) > 1 and argv[1] == "--old-runtime"
    if old_runtime:
        argv = argv[:1] + argv[2:]
    without = None
    if len(argv) == 5 and argv[1] == "--without":
        without, argv = argv[2], argv[:1] + argv[3:]
    if len(argv) != 3:
        sys.exit(__doc__)
    manifest, work = argv[1], argv[2]
    pod, c = vigil_container(daemonset(manifest))
    print("\n".join(security(pod, c, without, old_runtime) + mounts(manifest, pod, c, work)))


if __name__ == "__main__":
    main(sys.argv)
