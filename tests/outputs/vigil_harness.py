# SPDX-License-Identifier: Apache-2.0
"""
Harness for the output tests: runs `vigil run -c CONFIG -r RULES --json` the
way a user would, makes it raise a known number of alerts (each open of a
file under the test's directory is one alert), stops it and reads its final
counters. Receivers (rsyslog, HTTP, NATS, programs) are real processes the
tests start on 127.0.0.1.

Environment: VIGIL_BIN (the vigil binary), VIGIL_SOURCE_DIR. Root is needed
(vigil loads BPF programs): without it a test skips, except with CI=true,
where it fails.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

RULE_NAME = "output test open"

RULES = """\
- rule: {name}
  desc: a file of the output test was opened
  condition: evt.type in (open, openat, openat2) and fd.name startswith {prefix}
  output: "output test open (file=%fd.name proc=%proc.name cmdline=%proc.cmdline)"
  priority: {priority}
  tags: [vigil_test, filesystem, T1005]
"""


def require_root(test):
    """Skip @test unless root; with CI=true fail instead."""
    if os.geteuid() == 0:
        return
    if os.environ.get("CI") == "true":
        test.fail("the output tests need root to load BPF programs (CI=true)")
    raise unittest.SkipTest("not root: vigil cannot load its BPF programs")


def vigil_bin():
    path = os.environ.get("VIGIL_BIN")
    if not path or not os.access(path, os.X_OK):
        raise RuntimeError("VIGIL_BIN must name the vigil binary")
    return path


def free_port(kind=socket.SOCK_STREAM):
    """A port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(cond, timeout, what, interval=0.05):
    """Poll @cond() until it is true; fail with @what after @timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() >= deadline:
            raise AssertionError("timed out after %.0f s waiting for %s" % (timeout, what))
        time.sleep(interval)


class Vigil:
    """One `vigil run` with a config file, a rule file and its own directory."""

    def __init__(self, config, priority="WARNING", extra_args=(), rules=None):
        self.dir = tempfile.mkdtemp(prefix="vigil-out-")
        os.chmod(self.dir, 0o755)
        self.prefix = os.path.join(self.dir, "t-")
        self.rules_path = os.path.join(self.dir, "rules.yaml")
        self.config_path = os.path.join(self.dir, "vigil.yaml")
        text = rules if rules is not None else RULES.format(
            name=RULE_NAME, prefix=self.prefix, priority=priority)
        with open(self.rules_path, "w") as f:
            f.write(text)
        with open(self.config_path, "w") as f:
            f.write(config.replace("@DIR@", self.dir))
        self.extra_args = list(extra_args)
        self.env = None  # the environment vigil runs with: None, this one's
        self.wrapper = []  # a command vigil runs under (setpriv ...)
        self.proc = None
        self.stdout = os.path.join(self.dir, "stdout")
        self.stderr = os.path.join(self.dir, "stderr")
        self.stats = None
        self.returncode = None
        self.seq = 0

    def path(self, name):
        return os.path.join(self.dir, name)

    def start(self, timeout=60, ready=True):
        """Start vigil; unless not @ready, wait for "vigil: ready"."""
        args = self.wrapper + [vigil_bin(), "run", "-c", self.config_path, "-r",
                               self.rules_path, "--json"] + self.extra_args
        with open(self.stdout, "wb") as out, open(self.stderr, "wb") as err:
            self.proc = subprocess.Popen(args, stdout=out, stderr=err, env=self.env,
                                         stdin=subprocess.DEVNULL)
        if not ready:
            return self
        wait_for(lambda: "vigil: ready" in self.err() or self.proc.poll() is not None,
                 timeout, "vigil: ready")
        if self.proc.poll() is not None:
            raise AssertionError("vigil exited %d before ready:\n%s" %
                                 (self.proc.returncode, self.err()))
        return self

    def err(self):
        with open(self.stderr, errors="replace") as f:
            return f.read()

    def out(self):
        with open(self.stdout, errors="replace") as f:
            return f.read()

    def trigger(self, n=1, name=None):
        """
        Open @n new files under the prefix: one alert each. Returns their
        paths. @name (str or bytes) names the one file instead.
        """
        paths = []
        for _ in range(n):
            self.seq += 1
            if isinstance(name, bytes):
                p = os.fsencode(self.prefix) + name
            else:
                p = self.prefix + (name or "%06d" % self.seq)
            fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.close(fd)
            paths.append(p)
        return paths

    def kill(self, sig):
        """Send @sig (SIGHUP, SIGUSR1...) to the running vigil."""
        self.proc.send_signal(sig)

    def stop(self, sig=signal.SIGTERM, timeout=60):
        """Stop vigil, wait for it, return the "vigil_stats" object of its stderr."""
        if self.proc.poll() is None:
            time.sleep(0.3)  # the last events reach userspace within a tick
            self.proc.send_signal(sig)
        try:
            self.returncode = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("vigil did not stop within %d s:\n%s" % (timeout, self.err()))
        for line in self.err().splitlines():
            if line.startswith('{"vigil_stats"'):
                self.stats = json.loads(line)["vigil_stats"]
        return self.stats

    def sink(self, name):
        """The final counters of output @name."""
        return self.stats["outputs"][name]

    def close(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


class OutputTest(unittest.TestCase):
    """Base class: root required; self.vigil closed after each test."""

    def setUp(self):
        require_root(self)
        self.vigil = None
        self.cleanups = []

    def tearDown(self):
        if self.vigil:
            if self._outcome_failed():
                print("--- vigil's stderr ---\n" + self.vigil.err())
            self.vigil.close()
        for fn in reversed(self.cleanups):
            fn()

    def _outcome_failed(self):
        outcome = getattr(self, "_outcome", None)
        result = getattr(outcome, "result", None)
        if result is None:
            return True
        return any(t is self for t, _ in result.failures + result.errors)

    def start_vigil(self, config, **kw):
        self.vigil = Vigil(config, **kw)
        return self.vigil.start()

    def assert_clean_exit(self, v):
        self.assertEqual(v.returncode, 0, "vigil exited %s:\n%s" % (v.returncode, v.err()))
        self.assertIsNotNone(v.stats, "no vigil_stats line:\n" + v.err())
