# SPDX-License-Identifier: Apache-2.0
"""
`vigil run` under a service manager (Type=notify): what it sends to
NOTIFY_SOCKET from start to stop, read from a socket of the test's own as
systemd would read it. READY=1 comes once capture runs ("vigil: ready"),
STATUS= carries the counters, WATCHDOG=1 comes every half WATCHDOG_USEC,
RELOADING=1 (with MONOTONIC_USEC=) and READY=1 frame a SIGHUP reload, and
STOPPING=1 comes at SIGTERM.
"""
import os
import re
import signal
import time
import unittest

from sdharness import NotifyListener, SdVigil, alerts, open_rules
from vigil_harness import OutputTest, wait_for

RULES, RULES_MKDIR = open_rules("sd")

STATUS = re.compile(r"^STATUS=capturing: (\d+) events, (\d+) lost, (\d+) alerts, (\d+) rules$")


class SdNotifyTest(OutputTest):

    def start_notified(self, env):
        v = SdVigil(rules="")
        v.rewrite_rules(RULES)
        self.vigil = v
        listener = NotifyListener(v.dir, on_msg=lambda text: "vigil: ready" in v.err())
        self.cleanups.append(listener.close)
        v.env.update(env)
        v.env["NOTIFY_SOCKET"] = listener.path
        v.start()
        return v, listener

    def statuses(self, listener):
        return [STATUS.match(t) for t in listener.texts() if STATUS.match(t)]

    def test_lifecycle(self):
        v, n = self.start_notified({"WATCHDOG_USEC": "2000000"})
        wait_for(lambda: "READY=1" in n.texts(), 10, "READY=1")
        ready = [e for e in n.entries() if e[1] == "READY=1"]
        self.assertEqual(len(ready), 1, n.texts())
        self.assertTrue(ready[0][2], "READY=1 came before vigil printed 'vigil: ready'")
        self.assertNotIn("RELOADING=1", "".join(n.texts()))

        # the counters, once a second while they change
        v.trigger(3)
        wait_for(lambda: any(int(m.group(3)) >= 3 for m in self.statuses(n)), 10,
                 "STATUS= with 3 alerts")
        last = self.statuses(n)[-1]
        self.assertGreater(int(last.group(1)), 0, last.group(0))
        self.assertEqual(int(last.group(2)), 0, last.group(0))
        self.assertEqual(int(last.group(3)), 3, last.group(0))
        self.assertEqual(int(last.group(4)), 1, last.group(0))

        # WATCHDOG_USEC=2 s: one WATCHDOG=1 a second
        t0 = time.monotonic()
        wait_for(lambda: len([e for e in n.entries() if e[1] == "WATCHDOG=1" and e[0] > t0]) >= 3,
                 10, "3 WATCHDOG=1 in 3.5 s", interval=0.1)
        self.assertLess(time.monotonic() - t0, 4.5)
        dogs = [e[0] for e in n.entries() if e[1] == "WATCHDOG=1"]
        gaps = [b - a for a, b in zip(dogs, dogs[1:])]
        self.assertTrue(all(0.8 < g < 2.0 for g in gaps), "WATCHDOG=1 every second: %s" % gaps)

        # SIGHUP: RELOADING=1 with the time, the reload, READY=1
        before = len(n.texts())
        v.rewrite_rules(RULES_MKDIR)
        v.kill(signal.SIGHUP)
        wait_for(lambda: "rules reloaded: 2 rules" in v.err(), 30, "the reload")
        wait_for(lambda: "READY=1" in n.texts()[before:], 10, "READY=1 after the reload")
        after = [t for t in n.texts()[before:] if not t.startswith(("WATCHDOG", "STATUS"))]
        self.assertEqual(len(after), 2, after)
        m = re.fullmatch(r"RELOADING=1\nMONOTONIC_USEC=(\d+)", after[0])
        self.assertIsNotNone(m, after)
        self.assertLess(abs(int(m.group(1)) / 1e6 - time.clock_gettime(time.CLOCK_MONOTONIC)),
                        30)
        self.assertEqual(after[1], "READY=1")
        self.assertNotIn("cannot update the syscall filter", v.err())
        # the new rule's kind is captured: the reload could attach its hooks
        os.mkdir(v.prefix + "dir")
        wait_for(lambda: alerts(v, "sd mkdir"), 10, "the mkdir alert after the reload")
        wait_for(lambda: any(int(m.group(4)) == 2 for m in self.statuses(n)), 10,
                 "STATUS= with 2 rules")

        # SIGTERM: STOPPING=1, then vigil exits cleanly
        v.stop()
        self.assert_clean_exit(v)
        self.assertIn("STOPPING=1", n.texts())
        self.assertEqual(n.texts().count("READY=1"), 2, n.texts())

    def test_watchdog_of_another_process(self):
        # WATCHDOG_PID names someone else: vigil is not the one to feed it
        v, n = self.start_notified({"WATCHDOG_USEC": "400000", "WATCHDOG_PID": "1"})
        wait_for(lambda: "READY=1" in n.texts(), 10, "READY=1")
        time.sleep(1.2)
        self.assertNotIn("WATCHDOG=1", n.texts())
        v.stop()
        self.assert_clean_exit(v)

    def test_without_notify_socket(self):
        # not under systemd: nothing to say, nothing goes wrong
        v = SdVigil(rules="", env={"WATCHDOG_USEC": "400000"})
        v.rewrite_rules(RULES)
        self.vigil = v
        v.start()
        v.trigger(1)
        wait_for(lambda: alerts(v, "sd open"), 10, "the alert")
        v.stop()
        self.assert_clean_exit(v)
        self.assertNotIn("notify", v.err().lower())


if __name__ == "__main__":
    unittest.main()
