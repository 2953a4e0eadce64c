#!/usr/bin/env python3
"""Helpers for bench/replay/run.sh.

  analyze.py stats STDERR_FILE
      Reads vigil's final {"vigil_stats": ...} line (vigil run or replay) and
      prints its counters as key=value pairs, nested keys joined with '.'
      (per-kind and per-output counters left out).

  analyze.py replay STDERR_FILE
      Reads the summary of `vigil replay` (text) and prints events=,
      events_read=, alerts=, files=, skipped= (damaged data reported).

  analyze.py time STDOUT STDERR CMD...
      Runs CMD with its output in these files and prints "STATUS WALL_SECS
      CPU_SECS MAX_RSS_KIB" (CPU: user + system, microsecond resolution).

  analyze.py summary RESULTS_FILE
      RESULTS_FILE has one line of key=value pairs per measurement (written
      by run.sh). Prints the tables of bench/README.md.
"""
import os
import re
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from lib import kv, kv_line, num, read_stats, run_command  # noqa: E402  (bench/lib.py)

SKIP = {"kinds", "outputs"}


def flatten(obj, prefix, out):
    for k, v in obj.items():
        if k in SKIP:
            continue
        key = prefix + k
        if isinstance(v, dict):
            flatten(v, key + ".", out)
        elif isinstance(v, (int, float, str, bool)) and " " not in str(v):
            out[key] = v


def stats(path):
    found = read_stats(path)
    if found is None:
        print("stats=missing")
        return
    out = {}
    flatten(found, "", out)
    kinds = sorted(((k, v.get("emitted", 0)) for k, v in found.get("kinds", {}).items()),
                   key=lambda kv: -kv[1])
    out["kinds"] = ",".join("%s:%d" % kv for kv in kinds if kv[1]) or "none"
    print(kv_line(out))


REPLAY_LINE = re.compile(r"vigil: replay: (\d+) files?, (\d+) events replayed"
                         r"(?: \(of (\d+) read[^)]*\))?, (\d+) alerts")


def replay(path):
    out = {"events": "?", "events_read": "?", "alerts": "?", "files": "?", "skipped": 0}
    with open(path, errors="replace") as f:
        for line in f:
            m = REPLAY_LINE.search(line)
            if m:
                out.update(files=m.group(1), events=m.group(2),
                           events_read=m.group(3) or m.group(2), alerts=m.group(4))
            elif "skipped damaged data" in line:
                out["skipped"] = 1
    print(kv_line(out))


def timed(out_path, err_path, cmd):
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            os.dup2(out.fileno(), 1)
            os.dup2(err.fileno(), 2)
            try:
                os.execvp(cmd[0], cmd)
            finally:
                os._exit(127)
        _, status, ru = os.wait4(pid, 0)
        wall = time.perf_counter() - start
    print("%d %.4f %.4f %d" % (os.waitstatus_to_exitcode(status), wall,
                               ru.ru_utime + ru.ru_stime, ru.ru_maxrss))


def first(r, *keys):
    """The first of @keys that @r has, as a number (None if none)."""
    for k in keys:
        if k in r and num(r[k]) is not None:
            return num(r[k])
    return None


def fmt_int(v):
    return "?" if v is None else "{:,}".format(int(v))


# Where the counters are in vigil's final stats line: the capture writer's
# (vigil run -w) and the replay reader's.
CAP_EVENTS = ("capture.file.events", "capture.written")
CAP_LOST = ("capture.lost", "capture.file.events_lost")


def med(csv):
    return statistics.median(num(x, 0.0) for x in csv.split(","))


def record_table(rows, replays):
    """Per mode: the capture's size (B/ev: file bytes per event; raw/ev:
    record bytes per event before compression, context records included),
    then each replay variant's speed. Net
    figures subtract the idle capture's replay time (start-up: loading and
    compiling the rules) of the same variant."""
    idle = {r["variant"]: (med(r["wall"]), med(r["cpu"])) for r in replays
            if r["mode"] == "idle"}
    print("Captures (vigil run -w, default rules) and their replay through Falco's three"
          " stock rule files on one CPU\n(medians; replays of small captures read the file"
          " several times; net: less the idle capture's time, i.e. start-up)")
    results = []
    print("%-7s %10s %11s %7s %6s %5s | %-5s %6s %6s %11s %11s %11s %6s %4s" % (
        "mode", "events", "file bytes", "B/ev", "raw/ev", "lost", "match", "wall s", "CPU s",
        "ev/s wall", "net ev/s", "net ev/CPUs", "alerts", "MiB"))
    for rec in rows:
        mode = rec["mode"]
        reps = [r for r in replays if r["mode"] == mode]
        # replays read the file `copies` times
        events = num(reps[0].get("events_read")) if reps else None
        events = events / num(reps[0].get("copies"), 1) if events else first(rec, *CAP_EVENTS)
        fbytes = num(rec.get("file_bytes"))
        per = fbytes / events if events else None
        raw = num(rec.get("capture.file.raw_bytes"))
        head = "%-7s %10s %11s %7s %6s %5s" % (
            mode, fmt_int(events), fmt_int(fbytes), "%.2f" % per if per else "?",
            "%.0f" % (raw / events) if raw and events else "?", fmt_int(first(rec, *CAP_LOST)))
        results.append("result step=record mode=%s events=%s file_bytes=%s "
                       "bytes_per_event=%s capture_lost=%s" % (
                           mode, fmt_int(events).replace(",", ""),
                           fmt_int(fbytes).replace(",", ""), "%.2f" % per if per else "?",
                           fmt_int(first(rec, *CAP_LOST))))
        if not reps:
            print(head)
        for r in reps:
            wall, cpu = med(r["wall"]), med(r["cpu"])
            iw, ic = idle.get(r["variant"], (0.0, 0.0))
            ev = num(r.get("events"))
            rate = ev / wall if ev and wall else None
            net = ev / (wall - iw) if ev and wall > iw and mode != "idle" else None
            netc = ev / (cpu - ic) if ev and cpu > ic and mode != "idle" else None
            print("%s | %-5s %6.2f %6.2f %11s %11s %11s %6s %4.0f" % (
                head, r["variant"], wall, cpu, fmt_int(rate), fmt_int(net), fmt_int(netc),
                r.get("alerts", "?"), num(r.get("max_rss_kib"), 0) / 1024))
            head = " " * len(head)
            results.append("result step=replay mode=%s variant=%s events=%s wall=%.3f "
                           "cpu=%.3f net_events_per_sec=%s net_events_per_cpu_sec=%s "
                           "alerts=%s" % (
                               mode, r["variant"], r.get("events"), wall, cpu,
                               "%.0f" % net if net else "?", "%.0f" % netc if netc else "?",
                               r.get("alerts")))
    print("\n".join(results))
    print("Events by kind in each capture (the kernel's counts while recording: the"
          " workload's and the rest of the machine's)")
    for rec in rows:
        kinds = [k.split(":") for k in rec.get("kinds", "").split(",") if ":" in k]
        total = sum(int(n) for _, n in kinds) or 1
        print("  %-7s %s" % (rec["mode"], ", ".join(
            "%s %.1f%%" % (k, 100.0 * int(n) / total) for k, n in kinds[:6])))
    print()


def cost_table(rows):
    by_round = {}
    for r in rows:
        by_round.setdefault(r["round"], {})[r["variant"]] = r
    ratios = {"run": [], "write": [], "wr": []}
    lost = {"run": 0, "write": 0}
    us = {"run": [], "write": []}
    cap_lost = 0
    unknown = False
    print("Cost of recording, open workload: opens/s unmonitored, under vigil run (default"
          " rules) and vigil run -w; ratios; vigil's CPU per event received")
    print("%-6s %10s %10s %10s %6s %6s %8s | %8s %8s %9s %9s" % (
        "round", "base", "run", "run -w", "run", "run -w", "-w / run", "lost run",
        "lost -w", "us/ev run", "us/ev -w"))
    for n in sorted(by_round, key=int):
        v = by_round[n]
        if not all(k in v for k in ("base", "run", "write")):
            continue
        b, r, w = (num(v[k]["ops_per_sec"], 0) for k in ("base", "run", "write"))
        if not (b and r):
            continue
        ratios["run"].append(r / b)
        ratios["write"].append(w / b)
        ratios["wr"].append(w / r)
        cells = []
        for k in ("run", "write"):
            x = num(v[k].get("lost"))
            unknown |= x is None
            lost[k] += x or 0
            cells.append(fmt_int(x))
        for k in ("run", "write"):
            cpu, recv = num(v[k].get("vigil_cpu")), num(v[k].get("received"))
            us[k].append(1e6 * cpu / recv if cpu and recv else float("nan"))
            cells.append("%.2f" % us[k][-1])
        x = first(v["write"], *CAP_LOST)
        unknown |= x is None
        cap_lost += x or 0
        print("%-6s %10s %10s %10s %6.3f %6.3f %8.3f | %8s %8s %9s %9s" % (
            n, fmt_int(b), fmt_int(r), fmt_int(w), r / b, w / b, w / r, *cells))
    if not ratios["wr"]:
        return
    m = {k: statistics.median(x) for k, x in ratios.items()}
    mu = {k: statistics.median(x) for k, x in us.items()}
    print("%-6s %10s %10s %10s %6.3f %6.3f %8.3f | %8s %8s %9.2f %9.2f" % (
        "median", "", "", "", m["run"], m["write"], m["wr"], fmt_int(lost["run"]),
        fmt_int(lost["write"]), mu["run"], mu["write"]))
    print("lost: all rounds, every reason (ring buffer full, capture writer...);"
          " of them the capture writer's: %s" % fmt_int(cap_lost))
    print("result step=cost median_run=%.3f median_write=%.3f median_write_vs_run=%.3f "
          "lost_run=%d lost_write=%d capture_lost=%d us_per_event_run=%.2f "
          "us_per_event_write=%.2f" % (m["run"], m["write"], m["wr"], lost["run"],
                                       lost["write"], cap_lost, mu["run"], mu["write"]))
    why = []
    if m["wr"] < 0.95:
        why.append("the open loop is %.1f %% slower with -w" % (100 * (1 - m["wr"])))
    if unknown:
        why.append("counters missing")
    elif lost["write"]:
        why.append("%s events lost with -w" % fmt_int(lost["write"]))
    print("target (-w costs the open loop at most 5 %%, nothing lost): %s" % (
        "met" if not why else "NOT met: " + "; ".join(why)))


def summary(path):
    steps = {}
    with open(path) as f:
        for line in f:
            r = kv(line)
            if "step" in r:
                steps.setdefault(r["step"], []).append(r)
    if steps.get("record"):
        record_table(steps["record"], steps.get("replay", []))
    if steps.get("cost"):
        cost_table(steps["cost"])


COMMANDS = {"stats": (stats, 1), "time": (timed, -2), "replay": (replay, 1),
            "summary": (summary, 1)}

if __name__ == "__main__":
    sys.exit(run_command(sys.argv, COMMANDS, __doc__))
