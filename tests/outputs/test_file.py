# SPDX-License-Identifier: Apache-2.0
"""
The stdout and file outputs, as a user sees them: Falco's text line and JSON
alert, several files at once, rotation by SIGUSR1 (logrotate) and by size,
and no way for a monitored process to forge a line or send escapes.
"""
import json
import os
import re
import signal
import unittest

from vigil_harness import RULE_NAME, OutputTest, wait_for

TEXT_LINE = re.compile(r"^\d\d:\d\d:\d\d\.\d{9}: Warning output test open \(file=(\S+) "
                       r"proc=python3 cmdline=.*\)$")


def lines(path):
    if not os.path.exists(path):
        return []
    with open(path, errors="replace") as f:
        return f.read().splitlines()


class FileOutputTest(OutputTest):

    def test_text_and_json_files(self):
        v = self.start_vigil("""
outputs:
  - type: file
    path: @DIR@/alerts.txt
    format: text
  - type: file
    name: json-file
    path: @DIR@/alerts.json
    format: json
""")
        paths = v.trigger(3)
        wait_for(lambda: len(lines(v.path("alerts.json"))) >= 3, 10, "3 JSON alerts")
        v.stop()
        self.assert_clean_exit(v)
        text = lines(v.path("alerts.txt"))
        self.assertEqual(len(text), 3, text)
        for line, p in zip(text, paths):
            m = TEXT_LINE.match(line)
            self.assertIsNotNone(m, line)
            self.assertEqual(m.group(1), p)
        alerts = [json.loads(l) for l in lines(v.path("alerts.json"))]
        self.assertEqual([a["output_fields"]["fd.name"] for a in alerts], paths)
        for a in alerts:
            self.assertEqual(a["rule"], RULE_NAME)
            self.assertEqual(a["priority"], "Warning")
            self.assertEqual(a["source"], "syscall")
            self.assertEqual(a["tags"], ["vigil_test", "filesystem", "T1005"])
            self.assertRegex(a["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$")
            self.assertTrue(a["output"].endswith(")"), a["output"])
        self.assertEqual(v.sink("file-0")["sent"], 3)
        self.assertEqual(v.sink("json-file")["sent"], 3)
        self.assertEqual(v.stats["lost"], 0)
        self.assertEqual(v.out(), "")  # no stdout output configured

    def test_sigusr1_reopens(self):
        v = self.start_vigil("""
outputs:
  - type: file
    path: @DIR@/alerts.log
""")
        v.trigger(2)
        wait_for(lambda: len(lines(v.path("alerts.log"))) == 2, 10, "2 alerts")
        os.rename(v.path("alerts.log"), v.path("alerts.log.1"))  # what logrotate does
        v.kill(signal.SIGUSR1)
        wait_for(lambda: os.path.exists(v.path("alerts.log")), 10, "the file reopened")
        v.trigger(3)
        wait_for(lambda: len(lines(v.path("alerts.log"))) == 3, 10, "3 alerts in the new file")
        v.stop()
        self.assert_clean_exit(v)
        self.assertEqual(len(lines(v.path("alerts.log.1"))), 2)
        self.assertEqual(len(lines(v.path("alerts.log"))), 3)

    def test_rotation_by_size(self):
        v = self.start_vigil("""
outputs:
  - type: file
    path: @DIR@/a.json
    format: json
    max_size: 4K
    keep: 2
""")
        paths = []
        for _ in range(30):  # about 600 bytes each: several rotations
            paths += v.trigger(1)
        wait_for(lambda: v.proc.poll() is None and
                 sum(len(lines(v.path(n))) for n in ("a.json", "a.json.1", "a.json.2")) > 0,
                 10, "alerts written")
        v.stop()
        self.assert_clean_exit(v)
        self.assertFalse(os.path.exists(v.path("a.json.3")), "keep: 2 kept a third file")
        kept = []
        for name in ("a.json.2", "a.json.1", "a.json"):
            self.assertLessEqual(os.path.getsize(v.path(name)), 4096, name)
            kept += [json.loads(l)["output_fields"]["fd.name"] for l in lines(v.path(name))]
        # the newest alerts, in order, with nothing missing between them
        self.assertGreater(len(kept), 6)
        self.assertEqual(kept, paths[-len(kept):])
        self.assertEqual(v.sink("file-0")["sent"], 30)

    def test_no_forged_lines(self):
        v = self.start_vigil("""
outputs:
  - type: stdout
    format: text
  - type: file
    path: @DIR@/alerts.txt
    format: text
  - type: file
    path: @DIR@/alerts.json
    format: json
""")
        evil = b"x\n15:00:00.000000000: Critical FAKE ALERT \x1b[31mred\x9b\x7f\xc2\x85\xff"
        v.trigger(1, name=evil)
        wait_for(lambda: len(lines(v.path("alerts.json"))) >= 1, 10, "the alert")
        v.stop()
        self.assert_clean_exit(v)
        # C0, DEL, C1 (U+0085) and bytes that are not UTF-8 (0x9b, 0xff), escaped
        want = ("x\\n15:00:00.000000000: Critical FAKE ALERT \\x1b[31mred"
                "\\x9b\\x7f\\xc2\\x85\\xff")
        for text in (v.out(), "\n".join(lines(v.path("alerts.txt")))):
            got = [l for l in text.splitlines() if "output test open" in l]
            self.assertEqual(len(got), 1, text)  # one line: nothing forged
            self.assertNotIn("\x1b", text)
            self.assertIn(want, got[0])
            self.assertNotIn("Critical FAKE", text.replace(want, ""))
        a = [json.loads(l) for l in lines(v.path("alerts.json"))]
        self.assertEqual(len(a), 1)
        # JSON escapes control characters; bytes that are not UTF-8 cannot be
        # JSON text and are replaced
        self.assertTrue(a[0]["output_fields"]["fd.name"].startswith(
            v.prefix + "x\n15:00:00.000000000: Critical FAKE ALERT \x1b[31mred"))


if __name__ == "__main__":
    unittest.main()
