#!/usr/bin/env python3
"""Helpers for bench/capture/run.sh.

  analyze.py count EVENTS_JSONL WORKLOAD_LINE VIGIL_STDERR
      Counts the events vigil printed (--json) that the workload caused and
      reads vigil's final {"vigil_stats": ...} line. Prints key=value pairs.

  analyze.py summary RESULTS_FILE
      RESULTS_FILE has one line of key=value pairs per round, mode and
      configuration (written by run.sh). Prints one row per mode and
      configuration: the median throughput ratio, events lost, alerts, vigil's CPU
      per event received and per million operations, the share of the
      system's opens the prefilter passed, the events seen (events mode).
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
        files = wl["file"].split(",")
        return args.get("name") in files or args.get("path") in files
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
        for key in ("received", "alerts", "decode_errors", "output_errors"):
            out[key] = stats.get(key)
        for k in kinds:
            ks = stats.get("kinds", {}).get(k, {})
            out["emitted_" + k] = ks.get("emitted")
            out["rb_full_" + k] = ks.get("rb_full")
        # the system's opens, whatever the mode: passed or dropped by the
        # prefilter ("prefiltered" is absent from vigil builds without one)
        ks = stats.get("kinds", {}).get("openat", {})
        for key in ("emitted", "rb_full", "prefiltered"):
            out["open_" + key] = ks.get(key, "NA")
    print(kv_line(out))


# Issue 2's and issue 16's goals: (configurations, mode) -> the median ratio
# to reach with nothing lost (and, in the events mode, every call seen).
GOALS = {
    (("events",), "open"): 0.85,
    (("default", "falco"), "open"): 0.90,
    (("default", "falco"), "exec"): 0.95,
    (("default", "falco"), "connect"): 0.90,
}


def total(rs, key):
    """The sum of @key over the rounds @rs, or None when a round lacks it."""
    vals = [num(r.get(key)) for r in rs]
    return None if None in vals else sum(vals)


def seen(rs):
    """Events counted / calls made (events mode), as a string."""
    kinds = rs[0].get("kinds", "").split(",")
    calls = sum(int(r.get("calls_" + k, 0)) for r in rs for k in kinds)
    if not calls or any(r.get("events_" + k, "NA") == "NA" for r in rs for k in kinds):
        return "n/a"
    return "%.2f%%" % (100.0 * sum(int(r["events_" + k]) for r in rs for k in kinds) / calls)


def row(mode, config, rs):
    """The summary's row for the rounds @rs of @config on @mode, as columns."""
    ratios = [num(r.get("ratio")) for r in rs if num(r.get("ratio")) is not None]
    med = statistics.median(ratios) if ratios else float("nan")
    probe = config.startswith("probe-")
    lost = total(rs, "lost")
    cpu, received, ops = total(rs, "vigil_cpu"), total(rs, "received"), total(rs, "ops")
    passed, dropped = total(rs, "open_emitted"), total(rs, "open_prefiltered")
    rb_full = total(rs, "open_rb_full")
    if passed is not None and rb_full is not None:
        passed += rb_full  # sent to the ring buffer, found it full: passed the filter
    cols = [mode, config, "%.3f" % med, " ".join("%.3f" % x for x in ratios)]
    cols.append("" if probe else "?" if lost is None else "%d" % lost)
    alerts = total(rs, "alerts")
    cols.append("" if probe else "?" if alerts is None else "%d" % alerts)
    cols.append("%.2f" % (cpu / received * 1e6) if cpu is not None and received else
                "" if probe else "n/a")
    cols.append("%.2f" % (cpu / ops * 1e6) if cpu is not None and ops else "" if probe else "n/a")
    cols.append("%.2f%%" % (100.0 * passed / (passed + dropped))
                if passed is not None and dropped is not None and passed + dropped else
                "" if probe else "n/a")
    cols.append(seen(rs) if config.split("@")[0] == "events" else "")
    goal = [g for (cs, m), g in GOALS.items() if config in cs and m == mode]
    cols.append("" if not goal else "met" if med >= goal[0] and lost == 0 and
                cols[-1] in ("", "100.00%") else "NOT met (>= %.2f)" % goal[0])
    return cols


def summary(results_path):
    groups = {}
    with open(results_path) as f:
        for line in f:
            r = kv(line)
            if "mode" in r:
                groups.setdefault((r["mode"], r["config"]), []).append(r)
    head = ["mode", "config", "median", "ratios (monitored/unmonitored)", "lost", "alerts",
            "cpu µs/event", "cpu s/1M ops", "opens passed", "events seen", "goal"]
    rows = [head] + [row(m, c, rs) for (m, c), rs in groups.items()]
    width = [max(len(r[i]) for r in rows) for i in range(len(head))]
    for r in rows:
        print("  ".join(x.ljust(w) for x, w in zip(r, width)).rstrip())
    for (mode, config), rs in groups.items():  # -B: this vigil over the other
        ors = groups.get((mode, config + "@other"), [])
        mine = {r["round"]: num(r.get("mon_ops_per_sec")) for r in rs}
        vs = [mine[r["round"]] / num(r["mon_ops_per_sec"]) for r in ors
              if mine.get(r["round"]) and num(r.get("mon_ops_per_sec"))]
        if vs:
            print("this/other vigil %s %s: median %.3f (%s)" % (
                mode, config, statistics.median(vs), " ".join("%.3f" % x for x in vs)))


if __name__ == "__main__":
    sys.exit(run_command(sys.argv, {"count": (count, 3), "summary": (summary, 1)}, __doc__))
