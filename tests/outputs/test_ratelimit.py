# SPDX-License-Identifier: Apache-2.0
"""
The per-rule rate limit and per-output filters, end to end: a noisy rule is
held to its burst, another rule is not affected, and what was suppressed
arrives as a summary alert (source: internal) on every output; filters pick
each output's alerts and count the rest as filtered, not lost.
"""
import json
import os
import shutil
import tempfile
import unittest

from vigil_harness import OutputTest, wait_for

RULES = """\
- rule: noisy open
  desc: opens of the noisy files
  condition: evt.type in (open, openat, openat2) and fd.name startswith {dir}/noisy-
  output: "noisy open (file=%fd.name)"
  priority: NOTICE
  tags: [vigil_test, noisy]
- rule: quiet open
  desc: opens of the quiet files
  condition: evt.type in (open, openat, openat2) and fd.name startswith {dir}/quiet-
  output: "quiet open (file=%fd.name)"
  priority: ERROR
  tags: [vigil_test]
"""


def json_lines(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]


class RateLimitTest(OutputTest):

    def test_summary_and_filters(self):
        config = """
rate_limit: {rate: 0.001, burst: 5, summary_interval: 1h}
outputs:
  - type: file
    path: @DIR@/all.json
    format: json
  - type: file
    name: errors-only
    path: @DIR@/errors.json
    format: json
    min_priority: error
  - type: file
    name: not-noisy
    path: @DIR@/not-noisy.json
    format: json
    tags_exclude: [noisy]
"""
        d = tempfile.mkdtemp(prefix="vigil-rl-")
        os.chmod(d, 0o755)
        self.cleanups.append(lambda: shutil.rmtree(d, ignore_errors=True))
        v = self.start_vigil(config, rules=RULES.format(dir=d))
        for i in range(40):
            open(os.path.join(d, "noisy-%d" % i), "w").close()
        for i in range(3):
            open(os.path.join(d, "quiet-%d" % i), "w").close()
        summary = lambda a: a["rule"] == "vigil internal: alerts rate-limited"
        wait_for(lambda: len(json_lines(v.path("all.json"))) >= 8, 20, "8 alerts")
        v.stop()  # every event is processed, then the last summary goes out
        self.assert_clean_exit(v)
        alerts = json_lines(v.path("all.json"))
        noisy = [a for a in alerts if a["rule"] == "noisy open"]
        quiet = [a for a in alerts if a["rule"] == "quiet open"]
        sums = [a for a in alerts if summary(a)]
        self.assertEqual(len(noisy), 5)  # the burst
        self.assertEqual(len(quiet), 3)  # another rule's bucket
        self.assertEqual(len(sums), 1)
        s = sums[0]
        self.assertEqual(s["output_fields"]["vigil.suppressed"], 35)
        self.assertEqual(s["source"], "internal")
        self.assertEqual(s["priority"], "Warning")
        self.assertEqual(s["output_fields"]["vigil.suppressed_by_rule"], {"noisy open": 35})
        self.assertRegex(s["output"], r"^\d\d:\d\d:\d\d\.\d{9}: Warning vigil internal: "
                         r"alerts rate-limited\. 35 alerts suppressed in the last 3600 s "
                         r"\(limit 0\.001/s, burst 5 per rule\): noisy open=35$")
        self.assertEqual(v.stats["alerts_rate_limited"], 35)
        self.assertEqual(v.stats["lost"], 0)
        # filters: the error-only output has the quiet rule's alerts only
        self.assertEqual([a["rule"] for a in json_lines(v.path("errors.json"))],
                         ["quiet open"] * 3)
        self.assertEqual(v.sink("errors-only")["filtered"], 5 + len(sums))
        not_noisy = json_lines(v.path("not-noisy.json"))
        self.assertEqual(sorted(set(a["rule"] for a in not_noisy)),
                         ["quiet open", "vigil internal: alerts rate-limited"])
        self.assertEqual(v.sink("not-noisy")["filtered"], 5)


if __name__ == "__main__":
    unittest.main()
