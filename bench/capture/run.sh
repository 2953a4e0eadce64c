#!/usr/bin/env bash
# Capture overhead benchmark: runs each workload of bench/workload/ without and
# with `vigil run --json` attached, in one run, alternating the two for several
# rounds, and prints
#   - the throughput ratio monitored / unmonitored (median over the rounds),
#   - the calls the workload made vs. the events vigil printed for it,
#   - vigil's loss counters from its final {"vigil_stats": ...} line.
# See bench/README.md.
#
#	sudo bash bench/capture/run.sh [-d SECS] [-r ROUNDS] [-m "open exec connect read"] [-k] [-n] [-b]
#	                               [-B OTHER_VIGIL] [-R RULES_FILE]...
#	                               [-- EXTRA VIGIL RUN ARGS, e.g. --ringbuf-size 16777216]
# -k keeps the event files; -n sends vigil's events to /dev/null instead of a
# file (throughput and loss counters only: the cost of capture and formatting
# without the file writes, events not counted). -b also runs, in every round
# of the open mode, the minimal baseline monitor (bench/capture/baseline/:
# a 40-byte record per openat, nothing else) on the raw sys_exit tracepoint
# (vigil's --syscall-hook raw) and on the per-syscall sys_exit_openat
# tracepoint (vigil's default where it can), and
# prints their ratios beside vigil's: the floor each hook allows here.
# -R RULES_FILE (repeatable) measures what users run: `vigil run -r FILE...`
# (rules mode: only the kinds the rules need, alerts to the file or
# /dev/null) instead of printing the mode's events; events are then not
# counted, as with -n.
# -B OTHER_VIGIL also runs, in every round, the workload under another vigil
# binary (an older build: before/after a change) with the same arguments,
# and prints its ratio and its ratio to this vigil's beside.
# -p pins the workload to the last CPU at SCHED_FIFO priority 50 and the
# monitor to CPU 0 at priority 40, so that other load on a small machine
# moves the figures less (needs 2 CPUs or more).
#
# Environment: VIGIL (default build/vigil), WORKLOAD (default
# build/vigil-workload, compiled from bench/workload/workload.c when missing),
# BENCH_DIR (where event files go; default a new directory in /var/tmp).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
here="$root/bench/capture"
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
secs=5
rounds=3
modes="open exec connect read"
keep=0
discard=0
baseline=0
other=""
rules=()
wl_pin=()
mon_pin=()

usage() {
	echo "usage: $0 [-d SECS] [-r ROUNDS] [-m \"open exec connect read\"] [-k] [-n] [-b] [-p]" \
		"[-B OTHER_VIGIL] [-R RULES_FILE]..." \
		"[-- VIGIL RUN ARGS]" >&2
	exit 2
}
die() {
	echo "bench: $*" >&2
	exit 1
}

while getopts "d:r:m:knbpB:R:h" opt; do
	case "$opt" in
	d) secs=$OPTARG ;;
	r) rounds=$OPTARG ;;
	m) modes=$OPTARG ;;
	k) keep=1 ;;
	n) discard=1 ;;
	b) baseline=1 ;;
	p) pin_both ;;
	B) other=$OPTARG ;;
	R) rules+=(-r "$OPTARG") ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
vigil_args=("$@")
[ "${#rules[@]}" -eq 0 ] || discard=1 # rules mode prints alerts, not the events to count
# what vigil runs: the mode's events printed, or the rules (-R)
monitor_args() { # monitor_args KINDS
	if [ "${#rules[@]}" -gt 0 ]; then
		mon_cmd=(run "${rules[@]}")
	else
		mon_cmd=(run --json --events "$1")
	fi
	mon_cmd+=(${vigil_args[@]+"${vigil_args[@]}"})
}

vigil=${VIGIL:-$root/build/vigil}
[ "$(id -u)" -eq 0 ] || die "needs root: vigil loads BPF programs (sudo bash $0)"
[ -x "$vigil" ] || die "$vigil not found: build it first (cmake --build build)"
command -v python3 >/dev/null || die "python3 is needed to count events"

bench_dir=${BENCH_DIR:-$(mktemp -d /var/tmp/vigil-bench.XXXXXX)}
mkdir -p "$bench_dir"
vpid=""
cleanup() {
	if [ -n "$vpid" ] && kill -0 "$vpid" 2>/dev/null; then
		kill -KILL "$vpid" 2>/dev/null || true
	fi
	if [ "$keep" -eq 0 ]; then
		rm -rf "$bench_dir"
	fi
}
trap cleanup EXIT
trap "exit 130" INT TERM

bench_workload "$bench_dir"

base_mon=${BASELINE:-$root/build/bench/capture/baseline/vigil-capture-baseline}
if [ "$baseline" -eq 1 ]; then
	[ -x "$base_mon" ] || die "$base_mon not found: cmake --build build --target vigil-capture-baseline"
	# the per-syscall tracepoint needs tracefs
	[ -d /sys/kernel/tracing/events ] || mount -t tracefs tracefs /sys/kernel/tracing ||
		die "cannot mount tracefs for the baseline's tracepoint hook"
fi

# baseline_ratio HOOK MODE BASE_LINE: the workload's throughput under the
# baseline monitor on HOOK, as a ratio of BASE_LINE's.
baseline_ratio() {
	local err="$bench_dir/baseline.stderr" pid end=$((SECONDS + 60)) out
	${mon_pin[@]+"${mon_pin[@]}"} "$base_mon" "$1" >"$bench_dir/baseline.stdout" 2>"$err" &
	pid=$!
	until grep -q 'baseline: ready' "$err"; do
		kill -0 "$pid" 2>/dev/null || { cat "$err" >&2; die "the baseline monitor exited"; }
		[ "$SECONDS" -lt "$end" ] || die "the baseline monitor is not ready after 60 s"
		sleep 0.1
	done
	out=$(wl "$2")
	kill -TERM "$pid"
	wait "$pid" || die "the baseline monitor failed: $(cat "$err")"
	ratio "$(field ops_per_sec "$out")" "$(field ops_per_sec "$3")"
}

# other_run MODE KINDS ROUND: the workload under the -B vigil (its events to
# a file as this vigil's, or to /dev/null with -n); the workload's output line
# in other_out.
other_out=""
other_run() {
	local saved=$vigil err="$bench_dir/$1.$3.other.stderr" ev="$bench_dir/$1.$3.other.jsonl"
	[ "$discard" -eq 0 ] || ev=/dev/null
	vigil=$other
	monitor_args "$2"
	start_vigil "$ev" "$err" "${mon_cmd[@]}"
	other_out=$(wl "$1")
	stop_vigil
	vigil=$saved
	[ "$ev" = /dev/null ] || rm -f "$ev"
}

# run_round MODE ROUND: one unmonitored and one monitored run, in alternating
# order from round to round; appends one line to results.
run_round() {
	local mode=$1 n=$2 kinds base mon counts ratio ev err extra=
	kinds=$("$workload" -k "$mode")
	ev="$bench_dir/$mode.$n.events.jsonl"
	[ "$discard" -eq 0 ] || ev=/dev/null
	err="$bench_dir/$mode.$n.vigil.stderr"
	if [ $((n % 2)) -eq 1 ]; then
		base=$(wl "$mode")
	fi
	monitor_args "$kinds"
	start_vigil "$ev" "$err" "${mon_cmd[@]}"
	mon=$(wl "$mode")
	stop_vigil
	if [ $((n % 2)) -eq 0 ]; then
		base=$(wl "$mode")
	fi
	if [ "$discard" -eq 1 ]; then
		counts=$(python3 "$here/analyze.py" count - "$mon" "$err")
	else
		counts=$(python3 "$here/analyze.py" count "$ev" "$mon" "$err")
		[ "$keep" -eq 1 ] || rm -f "$ev"
	fi
	ratio=$(ratio "$(field ops_per_sec "$mon")" "$(field ops_per_sec "$base")")
	if [ -n "$other" ]; then
		other_run "$mode" "$kinds" "$n"
		extra+=" other=$(ratio "$(field ops_per_sec "$other_out")" "$(field ops_per_sec "$base")")"
		extra+=" this_vs_other=$(ratio "$(field ops_per_sec "$mon")" \
			"$(field ops_per_sec "$other_out")")"
	fi
	if [ "$baseline" -eq 1 ] && [ "$mode" = open ]; then
		extra="baseline_exit=$(baseline_ratio exit "$mode" "$base")"
		extra+=" baseline_tracepoint=$(baseline_ratio tracepoint "$mode" "$base")"
	fi
	echo "mode=$mode round=$n kinds=$kinds base_ops_per_sec=$(field ops_per_sec "$base")" \
		"mon_ops_per_sec=$(field ops_per_sec "$mon") ratio=$ratio $extra $counts" >>"$results"
	echo "  round $n/$rounds $mode: unmonitored $(field ops_per_sec "$base") ops/s," \
		"monitored $(field ops_per_sec "$mon") ops/s, ratio $ratio" \
		"${extra:+($extra)}"
	echo "    $counts"
}

results="$bench_dir/results.txt"
: >"$results"
echo "bench: $("$vigil" version 2>&1 | head -n 1); kernel $(uname -r); $(nproc) cpus"
if [ "${#rules[@]}" -gt 0 ]; then
	echo "bench: modes: $modes; $rounds rounds of $secs s; vigil run ${rules[*]}" \
		"${vigil_args[*]:-} (rules mode)"
else
	echo "bench: modes: $modes; $rounds rounds of $secs s; vigil run --json --events KINDS" \
		"${vigil_args[*]:-}"
fi
[ "$discard" -eq 0 ] || echo "bench: -n: events go to /dev/null (not counted)"
bpf_stats_warning
echo "bench: files in $bench_dir$([ "$keep" -eq 1 ] || echo ' (removed at exit; -k keeps them)')"
for n in $(seq 1 "$rounds"); do
	for mode in $modes; do
		run_round "$mode" "$n"
	done
done
echo
python3 "$here/analyze.py" summary "$results"
