# SPDX-License-Identifier: Apache-2.0
"""
The capabilities of `vigil run`: once ready, every thread holds exactly the
documented set (CAP_BPF CAP_PERFMON CAP_SYS_PTRACE CAP_DAC_READ_SEARCH, and
CAP_SYS_ADMIN where kernel.perf_event_paranoid is 3, as on Debian's kernels),
nothing inheritable, ambient or in the bounding set beyond it; started
with exactly that set (as the systemd unit does) it runs and reloads; with
one of them missing it stops at once with one line naming it.
"""
import os
import signal
import unittest

from sdharness import (CAP_BPF, CAP_DAC_READ_SEARCH, CAP_PERFMON, CAP_SYS_ADMIN, CAP_SYS_PTRACE,
                       KEPT, NEEDED, SdVigil, cap_masks, cap_names, open_rules)
from vigil_harness import OutputTest, wait_for

RULES, RULES_MKDIR = open_rules("privs")

NAMES = {CAP_BPF: "bpf", CAP_PERFMON: "perfmon", CAP_SYS_PTRACE: "sys_ptrace",
         CAP_DAC_READ_SEARCH: "dac_read_search", CAP_SYS_ADMIN: "sys_admin"}
WHY = {CAP_BPF: "needed to load the BPF programs",
       CAP_PERFMON: "needed to attach the BPF programs to the kernel's tracepoints",
       CAP_SYS_PTRACE: "needed to read /proc/PID of processes of other users",
       CAP_DAC_READ_SEARCH: "needed to read /proc/PID/fd and the container runtimes' state"}


def setpriv_only(caps):
    """setpriv as root with @caps alone in the bounding set (systemd's CapabilityBoundingSet=)."""
    keep = ",".join("+" + NAMES[c] for c in caps)
    return ["setpriv", "--inh-caps=-all", "--ambient-caps=-all",
            "--bounding-set=-all," + keep, "--"]


class PrivsTest(OutputTest):

    def vigil_with(self, wrapper=(), rules=RULES):
        v = SdVigil(rules="", wrapper=wrapper)
        v.rewrite_rules(rules)
        self.vigil = v
        return v

    def assert_kept_set(self, pid):
        tasks = os.listdir("/proc/%d/task" % pid)
        self.assertGreater(len(tasks), 1, "vigil runs threads (outputs, resolvers)")
        self.assertEqual(cap_masks("/proc/%d/status" % pid)["CapEff"], KEPT)
        for tid in tasks:
            m = cap_masks("/proc/%d/task/%s/status" % (pid, tid))
            for k in ("CapEff", "CapPrm", "CapBnd"):
                self.assertEqual(m[k], KEPT, "thread %s %s: %s" % (tid, k, cap_names(m[k])))
            self.assertEqual(m["CapInh"], 0, "thread %s CapInh" % tid)
            self.assertEqual(m["CapAmb"], 0, "thread %s CapAmb" % tid)

    def test_kept_set_after_ready(self):
        v = self.vigil_with().start()
        self.assert_kept_set(v.proc.pid)
        v.trigger(1)
        v.stop()
        self.assert_clean_exit(v)
        self.assertEqual(v.stats["alerts"], 1)

    def test_runs_and_reloads_with_exactly_the_set(self):
        # what the unit grants: CapabilityBoundingSet= of the four, root
        v = self.vigil_with(setpriv_only(NEEDED)).start()
        self.assert_kept_set(v.proc.pid)
        v.rewrite_rules(RULES_MKDIR)
        v.kill(signal.SIGHUP)
        wait_for(lambda: "rules reloaded: 2 rules" in v.err(), 30, "the reload")
        self.assertNotIn("cannot update the syscall filter", v.err())
        os.mkdir(v.prefix + "dir")
        v.trigger(1)
        wait_for(lambda: '"privs mkdir"' in v.out() and '"privs open"' in v.out(), 10,
                 "both alerts after the reload")
        v.stop()
        self.assert_clean_exit(v)

    def test_sys_admin_in_their_place(self):
        # what a runtime that knows neither CAP_BPF nor CAP_PERFMON can grant
        # (Debian 12's dockerd 20.10): CAP_SYS_ADMIN stands in, and is kept
        v = self.vigil_with(setpriv_only([CAP_SYS_ADMIN, CAP_SYS_PTRACE,
                                          CAP_DAC_READ_SEARCH])).start()
        want = (1 << CAP_SYS_ADMIN) | (1 << CAP_SYS_PTRACE) | (1 << CAP_DAC_READ_SEARCH)
        m = cap_masks("/proc/%d/status" % v.proc.pid)
        self.assertEqual(m["CapEff"], want, cap_names(m["CapEff"]))
        v.trigger(1)
        v.stop()
        self.assert_clean_exit(v)
        self.assertEqual(v.stats["alerts"], 1)

    def test_each_missing_capability(self):
        for cap in WHY:  # the four vigil checks at start; CAP_SYS_ADMIN it keeps if held
            with self.subTest(cap=NAMES[cap]):
                v = self.vigil_with(setpriv_only(c for c in NEEDED if c != cap))
                v.start(ready=False)
                self.assertEqual(v.proc.wait(30), 1, v.err())
                self.assertEqual(v.err().splitlines(),
                                 ["vigil: error: missing capability CAP_%s: %s" %
                                  (NAMES[cap].upper(), WHY[cap])])
                self.assertEqual(v.out(), "")
                v.close()
                self.vigil = None


if __name__ == "__main__":
    unittest.main()
