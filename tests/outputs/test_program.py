# SPDX-License-Identifier: Apache-2.0
"""
The program output, as a user sees it: alerts on a real command's stdin, one
line each, in order across restarts of the command; a command that cannot
run, one that stops reading and one that never reads; what is counted lost
at shutdown.
"""
import json
import os
import re
import signal
import subprocess
import unittest

from vigil_harness import RULE_NAME, OutputTest, vigil_bin, wait_for

TEXT_LINE = re.compile(r"^\d\d:\d\d:\d\d\.\d{9}: Warning output test open \(file=(\S+) "
                       r"proc=python3 cmdline=.*\)$")

# fast restarts: the retry backoff is the restart backoff
FAST_RETRY = """
    retry:
      initial: 50ms
      max: 200ms
"""


def lines(path):
    if not os.path.exists(path):
        return []
    with open(path, errors="replace") as f:
        return f.read().splitlines()


def lost(stats):
    return {k: v for k, v in stats["lost"].items() if v}


def pid_running(pid):
    """Whether process @pid exists and is not a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


class ProgramOutputTest(OutputTest):

    def test_restarts_keep_every_alert_in_order(self):
        # each instance takes 3 lines and exits: 10 alerts need 4 instances
        v = self.start_vigil("""
outputs:
  - type: program
    name: text
    command: head -n 3 >> @DIR@/text.out
    format: text
""" + FAST_RETRY + """
  - type: program
    name: json
    command: head -n 3 >> @DIR@/json.out
    format: json
""" + FAST_RETRY)
        paths = v.trigger(10)
        # head writes through stdio: the last instance's line when its stdin closes
        wait_for(lambda: len(lines(v.path("text.out"))) == 9 and
                 len(lines(v.path("json.out"))) == 9, 30, "9 lines from each program")
        v.stop()
        self.assert_clean_exit(v)
        text = lines(v.path("text.out"))
        got = []
        for line in text:
            m = TEXT_LINE.match(line)
            self.assertIsNotNone(m, line)
            got.append(m.group(1))
        self.assertEqual(got, paths)
        alerts = [json.loads(l) for l in lines(v.path("json.out"))]
        self.assertEqual([a["output_fields"]["fd.name"] for a in alerts], paths)
        for a in alerts:
            self.assertEqual(a["rule"], RULE_NAME)
            self.assertEqual(a["priority"], "Warning")
            self.assertEqual(a["tags"], ["vigil_test", "filesystem", "T1005"])
        for name in ("text", "json"):
            st = v.sink(name)
            self.assertEqual(st["sent"], 10, st)
            # the instances exited after lines 3, 6 and 9: one retry each
            self.assertEqual(st["retries"], 3, st)
            self.assertEqual(lost(st), {}, st)
        self.assertIn("output text: program 'head -n 3 >> %s' exited with status 0"
                      % v.path("text.out"), v.err())

    def test_command_that_cannot_run(self):
        v = self.start_vigil("""
drain_timeout: 1s
outputs:
  - type: program
    command: /nonexistent/x --flag
""" + FAST_RETRY)
        v.trigger(2)
        wait_for(lambda: "program '/nonexistent/x --flag' exited with status 127" in v.err(),
                 30, "the error naming the command")
        v.stop()
        self.assert_clean_exit(v)
        self.assertIn("output program-0: program '/nonexistent/x --flag' exited with status "
                      "127 (command not found)", v.err())
        st = v.sink("program-0")
        self.assertEqual(st["submitted"], 2, st)
        self.assertEqual(st["sent"], 0, st)
        self.assertGreater(st["retries"], 0, st)
        self.assertEqual(lost(st), {"shutdown": 2}, st)

    def test_program_that_stops_reading_is_restarted(self):
        # reads one line, then hangs: timeout stops it (SIGTERM to its group)
        v = self.start_vigil("""
outputs:
  - type: program
    command: read -r x; echo "$x" >> @DIR@/out; sleep 1000
    format: json
    timeout: 1s
""" + FAST_RETRY)
        paths = v.trigger(3)
        wait_for(lambda: len(lines(v.path("out"))) == 3, 60, "3 lines")
        v.stop()
        self.assert_clean_exit(v)
        alerts = [json.loads(l) for l in lines(v.path("out"))]
        self.assertEqual([a["output_fields"]["fd.name"] for a in alerts], paths)
        st = v.sink("program-0")
        self.assertEqual(st["sent"], 3, st)
        self.assertEqual(st["retries"], 2, st)
        self.assertEqual(lost(st), {}, st)
        self.assertIn("read nothing for 1 s: stopped, restarting it", v.err())

    def test_program_gets_a_clean_process(self):
        # only stdin, stdout and stderr; no signal blocked or ignored; its own group
        v = self.start_vigil("""
outputs:
  - type: program
    command: echo $$ > @DIR@/pid; exec cat > /dev/null
""")
        v.trigger(1)
        wait_for(lambda: lines(v.path("pid")), 30, "the program to start")
        pid = int(lines(v.path("pid"))[0])

        def proc(name):
            with open("/proc/%d/%s" % (pid, name)) as f:
                return f.read()
        wait_for(lambda: proc("comm") == "cat\n", 30, "the shell to exec cat")
        fds = sorted(int(fd) for fd in os.listdir("/proc/%d/fd" % pid))
        stdin = os.readlink("/proc/%d/fd/0" % pid)
        sig = dict(l.split(":\t") for l in proc("status").splitlines()
                   if l.startswith(("SigBlk", "SigIgn")))
        pgrp = int(proc("stat").rsplit(")", 1)[1].split()[2])
        v.stop()
        self.assert_clean_exit(v)
        self.assertEqual(fds, [0, 1, 2])
        self.assertTrue(stdin.startswith("pipe:"), stdin)
        self.assertEqual(int(sig["SigBlk"], 16), 0, sig)
        # signals 1-31 (vigil ignores SIGPIPE); glibc's posix_spawn leaves its
        # own internal signals 32 and 33 ignored, as no program may use them
        self.assertEqual(int(sig["SigIgn"], 16) & 0x7fffffff, 0, sig)
        self.assertEqual(pgrp, pid)
        self.assertFalse(pid_running(pid), "the program outlived vigil")
        self.assertEqual(v.sink("program-0")["sent"], 1)

    def test_sigusr1_restarts_the_program(self):
        # what logrotate's postrotate does: the program reopens its file
        v = self.start_vigil("""
outputs:
  - type: program
    command: echo $$ > @DIR@/pid; exec cat >> @DIR@/alerts.log
""")
        v.trigger(2)
        wait_for(lambda: len(lines(v.path("alerts.log"))) == 2, 30, "2 alerts")
        pid = int(lines(v.path("pid"))[0])
        os.rename(v.path("alerts.log"), v.path("alerts.log.1"))
        v.kill(signal.SIGUSR1)
        wait_for(lambda: not pid_running(pid), 30, "the program to be stopped")
        v.trigger(3)
        wait_for(lambda: len(lines(v.path("alerts.log"))) == 3, 30, "3 alerts in the new file")
        v.stop()
        self.assert_clean_exit(v)
        self.assertEqual(len(lines(v.path("alerts.log.1"))), 2)
        self.assertEqual(len(lines(v.path("alerts.log"))), 3)
        st = v.sink("program-0")
        self.assertEqual(st["sent"], 5, st)
        self.assertEqual(st["retries"], 0, st)  # a restart asked for is no failure

    def never_reads(self, spool):
        # the program writes its pid and never reads: the first alert is in
        # the pipe, 5 wait in the queue, the last 4 find it full
        v = self.start_vigil("""
drain_timeout: 1s
outputs:
  - type: program
    command: echo $$ > @DIR@/pid; exec sleep 1000
    queue:
      size: 5
""" + ("      spool: @DIR@/spool\n" if spool else ""))
        v.trigger(1)
        wait_for(lambda: lines(v.path("pid")), 30, "the program to start")
        pid = int(lines(v.path("pid"))[0])
        v.trigger(9)
        v.stop()
        self.assert_clean_exit(v)
        # stdin closed, then SIGTERM: the program is gone and reaped
        self.assertFalse(pid_running(pid), "the program outlived vigil")
        return v.sink("program-0")

    def test_program_that_never_reads(self):
        st = self.never_reads(spool=False)
        self.assertEqual(st["submitted"], 10, st)
        self.assertEqual(st["sent"], 0, st)
        self.assertEqual(lost(st), {"queue_full": 4, "shutdown": 6}, st)

    def test_program_that_never_reads_spooled(self):
        st = self.never_reads(spool=True)
        self.assertEqual(st["submitted"], 10, st)
        self.assertEqual(st["sent"], 0, st)
        self.assertEqual(st["spooled"], 10, st)
        self.assertEqual(st["spool_depth"], 10, st)
        self.assertEqual(lost(st), {}, st)


class ProgramConfigTest(unittest.TestCase):
    """Config errors: exit code 1 and the key named (no root needed)."""

    def check_config(self, text):
        path = os.path.join(self.dir, "vigil.yaml")
        with open(path, "w") as f:
            f.write(text)
        return subprocess.run([vigil_bin(), "run", "--check-config", "-c", path],
                              capture_output=True, text=True, timeout=60)

    def setUp(self):
        import tempfile
        self.dir = tempfile.mkdtemp(prefix="vigil-prog-")

    def tearDown(self):
        import shutil
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_missing_command(self):
        r = self.check_config("outputs:\n  - type: program\n")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("outputs[0].command", r.stderr)
        self.assertIn("missing", r.stderr)

    def test_bad_timeout(self):
        r = self.check_config("outputs:\n  - type: program\n    command: cat\n"
                              "    timeout: forever\n")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("outputs[0].timeout", r.stderr)

    def test_valid(self):
        r = self.check_config("outputs:\n  - type: program\n    command: logger -t vigil\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("program-0 (program logger -t vigil)", r.stdout)


if __name__ == "__main__":
    unittest.main()
