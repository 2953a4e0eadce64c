#!/usr/bin/env python3
"""Helpers for bench/capture/run.sh.

  analyze.py count EVENTS_JSONL WORKLOAD_LINE VIGIL_STDERR
      Counts the events vigil printed (--json) that the workload caused and
      reads vigil's final {"vigil_stats": ...} line. Prints key=value pairs.

  analyze.py summary RESULTS_FILE
      RESULTS_FILE has one line of key=value pairs per round (written by
      run.sh). Prints a table per mode with the median throughput ratio.
"""
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from lib import kv, kv_line, num, read_stats, run_command  # noqa: E402  (bench/lib.py)


# Which events belong to the workload: its own calls carry its pid; the exec
# mode's children report execve and procexit with the workload as ppid.
CHILD_KINDS = {"execve", "procexit"}


def belongs(ev, wl, pid):
    kind = ev.get("type")
    if kind in CHILD_KINDS:
        return ev.get("ppid") == pid
    if ev.get("pid") != pid:
        return False
    if kind == "openat" and wl.get("file"):
        args = ev.get("args") or {}
        return wl["file"] in (args.get("name"), args.get("path"))
    return True


def count(events_path, wl_line, stderr_path):
    wl = kv(wl_line)
    pid = int(wl["pid"])
    kinds = wl["kinds"].split(",")
    got = dict.fromkeys(kinds, 0)
    bad = 0
    if events_path == "-":  # events were discarded (run.sh -n)
        got = dict.fromkeys(kinds, "NA")
    with open(events_path if events_path != "-" else "/dev/null", errors="replace") as f:
        for line in f:
            try:
                ev = json.loads(line)
            except ValueError:
                bad += 1
                continue
            if ev.get("type") in got and belongs(ev, wl, pid):
                got[ev["type"]] += 1
    out = {"unparsed_lines": bad}
    for k in kinds:
        out["calls_" + k] = int(wl.get("sc_" + k, 0))
        out["events_" + k] = got[k]
    stats = read_stats(stderr_path)
    if stats is None:
        out["stats"] = "missing"
    else:
        kern = stats.get("kernel", {})
        out["lost"] = stats.get("lost")
        for key in ("rb_full", "truncated", "read_failed"):
            out["kernel_" + key] = kern.get(key)
        for key in ("received", "decode_errors", "output_errors"):
            out[key] = stats.get(key)
        for k in kinds:
            ks = stats.get("kinds", {}).get(k, {})
            out["emitted_" + k] = ks.get("emitted")
            out["rb_full_" + k] = ks.get("rb_full")
    print(kv_line(out))


def summary(results_path):
    rounds = {}
    with open(results_path) as f:
        for line in f:
            r = kv(line)
            if "mode" in r:
                rounds.setdefault(r["mode"], []).append(r)
    print("%-8s %7s  %-23s %12s %12s %9s %8s %8s" % (
        "mode", "median", "ratios (monitored/base)", "calls", "events", "events%",
        "lost", "rb_full"))
    for mode, rs in rounds.items():
        ratios = [num(r.get("ratio")) for r in rs if num(r.get("ratio")) is not None]
        kinds = rs[0].get("kinds", "").split(",")
        calls = sum(int(r.get("calls_" + k, 0)) for r in rs for k in kinds)
        counted = all(r.get("events_" + k, "NA") != "NA" for r in rs for k in kinds)
        events = sum(int(r["events_" + k]) for r in rs for k in kinds) if counted else -1
        lost = [num(r.get("lost")) for r in rs]
        rb_full = [num(r.get("kernel_rb_full")) for r in rs]
        med = statistics.median(ratios) if ratios else float("nan")
        lost_s = "?" if None in lost else "%d" % sum(lost)
        rb_s = "?" if None in rb_full else "%d" % sum(rb_full)
        events_s = "%d" % events if counted else "n/a"
        pct_s = "%.2f%%" % (100.0 * events / calls) if counted and calls else "n/a"
        print("%-8s %7.3f  %-23s %12d %12s %9s %8s %8s" % (
            mode, med, " ".join("%.3f" % x for x in ratios), calls, events_s, pct_s,
            lost_s, rb_s))
        print("result mode=%s rounds=%d median_ratio=%.3f calls=%d events=%s "
              "lost=%s rb_full=%s" % (mode, len(rs), med, calls, events_s, lost_s, rb_s))
    for mode, rs in rounds.items():  # -B: the other vigil, in the same rounds
        other = [num(r.get("other")) for r in rs if num(r.get("other")) is not None]
        vs = [num(r.get("this_vs_other")) for r in rs if num(r.get("this_vs_other")) is not None]
        if other:
            print("other vigil %-8s median %.3f  (%s); this/other median %.3f  (%s)" % (
                mode, statistics.median(other), " ".join("%.3f" % x for x in other),
                statistics.median(vs), " ".join("%.3f" % x for x in vs)))
    for hook in ("exit", "tracepoint"):
        b = [num(r.get("baseline_" + hook)) for rs in rounds.values() for r in rs]
        b = [x for x in b if x is not None]
        if b:
            print("baseline open %-10s median %.3f  (%s)" % (
                hook, statistics.median(b), " ".join("%.3f" % x for x in b)))
    open_rs = rounds.get("open")
    if open_rs:
        ratios = [num(r.get("ratio")) for r in open_rs if num(r.get("ratio")) is not None]
        med = statistics.median(ratios) if ratios else 0.0
        lost = sum(num(r.get("lost")) or 0 for r in open_rs)
        unknown = any(num(r.get("lost")) is None for r in open_rs)
        calls = sum(int(r.get("calls_openat", 0)) for r in open_rs)
        events = sum(int(r.get("events_openat", 0)) for r in open_rs
                     if r.get("events_openat", "NA") != "NA")
        met = med >= 0.85 and lost == 0 and not unknown and events == calls
        print("target (open: median ratio >= 0.85, 0 lost, every open seen): %s" % (
            "met" if met else "NOT met"))


if __name__ == "__main__":
    sys.exit(run_command(sys.argv, {"count": (count, 3), "summary": (summary, 1)}, __doc__))
