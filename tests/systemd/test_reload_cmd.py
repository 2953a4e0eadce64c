# SPDX-License-Identifier: Apache-2.0
"""
`vigil reload PID`, the systemd unit's ExecReload: it returns once the new
rules run (exit 0: vigil already said "rules reloaded" and a rule only the
new file has fires at once), fails when they cannot be loaded (exit 1, the
old rules run on), and refuses a process that is not vigil, a vigil
without rules, bad arguments, with one line naming the problem.
"""
import os
import subprocess
import time
import unittest

from sdharness import SdVigil, alerts
from vigil_harness import OutputTest, vigil_bin, wait_for

RULE = """\
- rule: {name}
  desc: a file of the test was opened
  condition: evt.type in (open, openat, openat2) and fd.name startswith {prefix}{name_}
  output: "{name} (file=%fd.name)"
  priority: WARNING
"""


def rules(v, *names):
    return "".join(RULE.format(name=n, prefix=v.prefix, name_=n.replace(" ", "_"))
                   for n in names)


def reload(pid, *args):
    return subprocess.run([vigil_bin(), "reload"] + list(args) + [str(pid)],
                          capture_output=True, text=True, timeout=120)


class ReloadCmdTest(OutputTest):

    def start(self, *names):
        v = self.vigil = SdVigil(rules="")
        with open(v.rules_path, "w") as f:
            f.write(rules(v, *names))
        return v.start()

    def touch(self, v, name):
        p = v.prefix + name.replace(" ", "_") + "-%d" % time.monotonic_ns()
        with open(p, "w"):
            pass
        return p

    def test_waits_for_the_new_rules(self):
        v = self.start("rc first")
        with open(v.rules_path, "w") as f:
            f.write(rules(v, "rc old"))
        v.kill(1)  # a plain SIGHUP reloads too, and gets no answer
        wait_for(lambda: "rules reloaded: 1 rules" in v.err(), 30, "the plain reload")
        with open(v.rules_path, "w") as f:
            f.write(rules(v, "rc old", "rc new"))
        r = reload(v.proc.pid)
        # returned after the reload, not before: vigil has said so already
        self.assertEqual((r.returncode, r.stdout, r.stderr),
                         (0, "", "vigil: reload: the new rules run\n"), v.err())
        self.assertIn("rules reloaded: 2 rules", v.err())
        path = self.touch(v, "rc new")
        wait_for(lambda: alerts(v, "rc new"), 10, "the new rule's alert")
        self.assertEqual(alerts(v, "rc new")[0]["output_fields"]["fd.name"], path)

    def test_broken_rules_fail_and_the_old_ones_run_on(self):
        v = self.start("rc kept")
        with open(v.rules_path, "w") as f:
            f.write(rules(v, "rc kept") + "- rule: broken\n  desc: d\n  condition: evt.type "
                    "= open and\n  output: o\n  priority: NOTICE\n")
        r = reload(v.proc.pid)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(r.stderr, "vigil: error: reload: the rules could not be loaded; the "
                         "running ones are kept (vigil's log says why)\n")
        self.assertIn("reload failed, keeping the running rules", v.err())
        self.assertIsNone(v.proc.poll(), "vigil stopped:\n" + v.err())
        path = self.touch(v, "rc kept")
        wait_for(lambda: alerts(v, "rc kept"), 10, "the kept rule's alert")
        self.assertEqual(alerts(v, "rc kept")[0]["output_fields"]["fd.name"], path)

    def test_refusals(self):
        v = self.start("rc any")
        cases = [
            ([], str(os.getpid()), 1,
             "vigil: error: reload: process %d is 'python3', not vigil: not signalled\n"
             % os.getpid()),
            ([], "4000000", 1, None),
            (["--timeout", "0"], str(v.proc.pid), 2,
             "vigil: error: reload: --timeout: '0' is not a number of seconds from 1 to "
             "86400\n(see 'vigil --help')\n"),
            ([], "12ab", 2,
             "vigil: error: reload: '12ab' is not a process id\n(see 'vigil --help')\n"),
        ]
        for args, pid, code, err in cases:
            r = subprocess.run([vigil_bin(), "reload"] + args + [pid], capture_output=True,
                               text=True, timeout=60)
            self.assertEqual(r.returncode, code, (args, pid, r.stderr))
            if err is not None:
                self.assertEqual(r.stderr, err)
            else:
                self.assertRegex(r.stderr, r"^vigil: error: reload: no process 4000000: ")
        self.assertIsNone(v.proc.poll(), "vigil stopped:\n" + v.err())

    def test_without_rules(self):
        v = self.vigil = SdVigil(rules="", extra_args=["--events", "openat"])
        args = [vigil_bin(), "run", "-c", v.config_path, "--events", "openat"]
        with open(v.stdout, "wb") as out, open(v.stderr, "wb") as err:
            v.proc = subprocess.Popen(args, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        wait_for(lambda: "vigil: ready" in v.err() or v.proc.poll() is not None, 60, "ready")
        r = reload(v.proc.pid)
        self.assertEqual((r.returncode, r.stderr),
                         (1, "vigil: error: reload: vigil runs without rules: nothing to "
                          "reload\n"))


if __name__ == "__main__":
    unittest.main()
