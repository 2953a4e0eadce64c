#!/usr/bin/env bash
# Capture overhead benchmark: runs each workload of bench/workload/ without and
# with vigil attached, in one run, alternating them for several rounds, and
# prints per workload and vigil configuration
#   - the throughput ratio monitored / unmonitored (median over the rounds),
#   - the events lost (vigil's final {"vigil_stats": ...} line),
#   - vigil's CPU time per event received and per million workload operations,
#   - the share of the system's opens the in-kernel prefilter passed,
#   - in the events mode, the calls the workload made vs. the events printed.
# See bench/README.md.
#
#	sudo bash bench/capture/run.sh [-d SECS] [-r ROUNDS] [-m "open openmatch exec connect read"]
#	                               [-C "events default falco stock noprefilter rules"]
#	                               [-F FALCO_RULES_DIR] [-R RULES_FILE]... [-k] [-n] [-b] [-p]
#	                               [-B OTHER_VIGIL]
#	                               [-- EXTRA VIGIL RUN ARGS, e.g. --ringbuf-size 16777216]
# -C lists the vigil configurations measured side by side in every round (the
# order rotates from round to round):
#	events       vigil run --json --events <the mode's kinds> (the default
#	             without -R: every event printed, to a file, and counted)
#	default      vigil run --json -r rules/ (vigil's default rules)
#	falco        vigil run --json -r falco_rules.yaml
#	stock        vigil run --json -r each of Falco's three stock files
#	noprefilter  default, with --no-prefilter (skipped when vigil has no such flag)
#	rules        vigil run --json -r each -R RULES_FILE (the default with -R)
# The rules configurations send their alerts to /dev/null. Falco's files are
# read from -F DIR (default FALCO_RULES, else ../shared/compat/falco beside
# the source tree); a configuration whose files are missing is skipped with a
# message.
# -k keeps the event files and results.txt; -n sends the events mode's events
# to /dev/null instead of a file (throughput and loss counters only: events
# not counted). -b also runs, in every round of the open modes, the minimal
# baseline monitor (bench/capture/baseline/: a 40-byte record per openat,
# nothing else) on the raw sys_exit tracepoint (vigil's --syscall-hook raw)
# and on the per-syscall sys_exit_openat tracepoint (vigil's default where it
# can): the floor each hook allows here.
# -B OTHER_VIGIL also runs, in every round, each configuration under another
# vigil binary (an older build: before/after a change) with the same arguments.
# -p pins the workload to the last CPU at SCHED_FIFO priority 50 and the
# monitor to CPU 0 at priority 40, so that other load on a small machine
# moves the figures less (needs 2 CPUs or more).
#
# Environment: VIGIL (default build/vigil), WORKLOAD (default
# build/vigil-workload, compiled from bench/workload/workload.c when missing),
# BENCH_DIR (where event files go; default a new directory in /var/tmp),
# FALCO_RULES (as -F), OPENMATCH_FILES (the files the openmatch mode opens in
# turn, space-separated, instead of /etc/passwd and a file under /home).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
here="$root/bench/capture"
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
secs=5
rounds=3
modes="open openmatch exec connect read"
configs=""
falco=${FALCO_RULES:-$root/../shared/compat/falco}
keep=0
discard=0
baseline=0
other=""
rules=()
wl_pin=()
mon_pin=()

usage() {
	echo "usage: $0 [-d SECS] [-r ROUNDS] [-m \"open openmatch exec connect read\"]" \
		"[-C \"events default falco stock noprefilter rules\"] [-F FALCO_RULES_DIR]" \
		"[-R RULES_FILE]... [-k] [-n] [-b] [-p] [-B OTHER_VIGIL] [-- VIGIL RUN ARGS]" >&2
	exit 2
}
die() {
	echo "bench: $*" >&2
	exit 1
}

while getopts "d:r:m:C:F:knbpB:R:h" opt; do
	case "$opt" in
	d) secs=$OPTARG ;;
	r) rounds=$OPTARG ;;
	m) modes=$OPTARG ;;
	C) configs=$OPTARG ;;
	F) falco=$OPTARG ;;
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
if [ -z "$configs" ]; then
	configs=events
	[ "${#rules[@]}" -eq 0 ] || configs=rules
fi

vigil=${VIGIL:-$root/build/vigil}
[ "$(id -u)" -eq 0 ] || die "needs root: vigil loads BPF programs (sudo bash $0)"
[ -x "$vigil" ] || die "$vigil not found: build it first (cmake --build build)"
command -v python3 >/dev/null || die "python3 is needed to count events"

stock=()
for f in falco_rules.yaml falco-incubating_rules.yaml falco-sandbox_rules.yaml; do
	stock+=(-r "$falco/$f")
done

# usable CONFIG: 0 when the configuration can run here, else 1 after saying why.
usable() {
	local f help
	case "$1" in
	events | default) ;;
	rules)
		[ "${#rules[@]}" -gt 0 ] && return 0
		echo "bench: skipping rules: no -R RULES_FILE given"
		return 1
		;;
	falco | stock)
		for f in falco_rules.yaml falco-incubating_rules.yaml falco-sandbox_rules.yaml; do
			[ "$1" = stock ] || [ "$f" = falco_rules.yaml ] || continue
			[ -f "$falco/$f" ] && continue
			echo "bench: skipping $1: $falco/$f not found (Falco's stock rules: -F DIR or FALCO_RULES)"
			return 1
		done
		;;
	noprefilter)
		help=$("$vigil" run --help 2>&1 || true)
		grep -q -- --no-prefilter <<<"$help" && return 0
		echo "bench: skipping noprefilter: $vigil run has no --no-prefilter"
		return 1
		;;
	*) die "unknown configuration '$1' (-C: events default falco stock noprefilter rules)" ;;
	esac
}
# config_args CONFIG KINDS: the arguments of `vigil run` for CONFIG, in mon_cmd.
config_args() {
	case "$1" in
	events) mon_cmd=(run --json --events "$2") ;;
	rules) mon_cmd=(run --json "${rules[@]}") ;;
	default) mon_cmd=(run --json -r "$root/rules") ;;
	falco) mon_cmd=(run --json -r "$falco/falco_rules.yaml") ;;
	stock) mon_cmd=(run --json "${stock[@]}") ;;
	noprefilter) mon_cmd=(run --json -r "$root/rules" --no-prefilter) ;;
	esac
	mon_cmd+=(${vigil_args[@]+"${vigil_args[@]}"})
}

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

vigil_configs=()
for c in $configs; do
	if usable "$c"; then
		vigil_configs+=("$c")
	fi
done
[ "${#vigil_configs[@]}" -gt 0 ] || [ "$baseline" -eq 1 ] || die "no configuration left to run"
bench_workload "$bench_dir"

base_mon=${BASELINE:-$root/build/bench/capture/baseline/vigil-capture-baseline}
if [ "$baseline" -eq 1 ]; then
	[ -x "$base_mon" ] || die "$base_mon not found: cmake --build build --target vigil-capture-baseline"
	# the per-syscall tracepoint needs tracefs
	[ -d /sys/kernel/tracing/events ] || mount -t tracefs tracefs /sys/kernel/tracing ||
		die "cannot mount tracefs for the baseline's tracepoint hook"
fi

# wl_mode MODE: one workload run; the openmatch mode opens the files of
# OPENMATCH_FILES (space-separated) when set.
match_args=()
for f in ${OPENMATCH_FILES:-}; do
	match_args+=(-f "$f")
done
wl_mode() {
	if [ "$1" = openmatch ]; then
		wl "$1" ${match_args[@]+"${match_args[@]}"}
	else
		wl "$1"
	fi
}

# probe_run HOOK MODE: the workload under the baseline monitor on HOOK (exit
# or tracepoint); the workload's output line in run_line.
probe_run() {
	local err="$bench_dir/baseline.stderr" pid end=$((SECONDS + 60))
	${mon_pin[@]+"${mon_pin[@]}"} "$base_mon" "$1" >"$bench_dir/baseline.stdout" 2>"$err" &
	pid=$!
	until grep -q 'baseline: ready' "$err"; do
		kill -0 "$pid" 2>/dev/null || { cat "$err" >&2; die "the baseline monitor exited"; }
		[ "$SECONDS" -lt "$end" ] || die "the baseline monitor is not ready after 60 s"
		sleep 0.1
	done
	run_line=$(wl_mode "$2")
	kill -TERM "$pid"
	wait "$pid" || die "the baseline monitor failed: $(cat "$err")"
	run_line="mon_ops_per_sec=$(field ops_per_sec "$run_line")"
}

# children_cpu FILE: user + system seconds of the reaped children in the
# output of bash's `times` (its second line) saved in FILE.
children_cpu() {
	awk 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] }
		printf "%.3f", t }' "$1"
}

# vigil_run CONFIG MODE KINDS ROUND: the workload under vigil in CONFIG
# (CONFIG@other: under the -B binary); key=value pairs in run_line. vigil's
# CPU time is what it used from `vigil: ready` to its exit (draining included):
# getrusage of the reaped children around its exit (bash's `times`, in this
# shell, not a subshell) less what /proc/PID/stat said when it was ready.
vigil_run() {
	local c=${1%@other} saved=$vigil ev=/dev/null err="$bench_dir/$2.$4.$1.stderr" out ready
	[ "$1" = "$c" ] || vigil=$other
	[ "$c" != events ] || [ "$discard" -eq 1 ] || ev="$bench_dir/$2.$4.$1.events.jsonl"
	config_args "$c" "$3"
	start_vigil "$ev" "$err" "${mon_cmd[@]}"
	ready=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$vpid/stat")
	out=$(wl_mode "$2")
	times >"$bench_dir/times.0"
	stop_vigil
	times >"$bench_dir/times.1"
	vigil=$saved
	run_line="mon_ops_per_sec=$(field ops_per_sec "$out") ops=$(field ops "$out")"
	run_line+=" vigil_cpu=$(awk -v a="$(children_cpu "$bench_dir/times.0")" \
		-v b="$(children_cpu "$bench_dir/times.1")" -v r="$ready" \
		'BEGIN { printf "%.3f", b - a - r }')"
	if [ "$ev" = /dev/null ]; then
		run_line+=" $(python3 "$here/analyze.py" count - "$out" "$err")"
	else
		run_line+=" $(python3 "$here/analyze.py" count "$ev" "$out" "$err")"
		[ "$keep" -eq 1 ] || rm -f "$ev"
	fi
}

# run_round MODE ROUND: one unmonitored run, first in odd rounds and last in
# even ones, and one under each configuration, their order rotated by the
# round; appends one line per configuration to results.
run_round() {
	local mode=$1 n=$2 kinds base c i all=() order=() lines=() progress=""
	kinds=$("$workload" -k "$mode")
	all=("${vigil_configs[@]}")
	if [ -n "$other" ]; then
		for c in "${vigil_configs[@]}"; do all+=("$c@other"); done
	fi
	case "$mode" in open | openmatch) [ "$baseline" -eq 0 ] || all+=(probe-exit probe-tp) ;; esac
	for i in "${!all[@]}"; do
		order+=("${all[$(((i + n - 1) % ${#all[@]}))]}")
	done
	[ $((n % 2)) -eq 0 ] || base=$(wl_mode "$mode")
	for c in "${order[@]}"; do
		case "$c" in
		probe-exit) probe_run exit "$mode" ;;
		probe-tp) probe_run tracepoint "$mode" ;;
		*) vigil_run "$c" "$mode" "$kinds" "$n" ;;
		esac
		lines+=("config=$c $run_line")
	done
	[ $((n % 2)) -eq 1 ] || base=$(wl_mode "$mode")
	for i in "${!lines[@]}"; do
		c=$(ratio "$(field mon_ops_per_sec "${lines[$i]}")" "$(field ops_per_sec "$base")")
		echo "mode=$mode round=$n kinds=$kinds base_ops_per_sec=$(field ops_per_sec "$base")" \
			"ratio=$c ${lines[$i]}" >>"$results"
		progress+=" $(field config "${lines[$i]}") $c,"
	done
	echo "  round $n/$rounds $mode: unmonitored $(field ops_per_sec "$base") ops/s;" \
		"ratios:${progress%,}"
}

results="$bench_dir/results.txt"
: >"$results"
echo "bench: $("$vigil" version 2>&1 | head -n 1); kernel $(uname -r); $(nproc) cpus"
what="${vigil_configs[*]:-}$([ "$baseline" -eq 0 ] || echo " probe-exit probe-tp")"
what="bench: modes: $modes; $rounds rounds of $secs s; configurations: $what"
[ "${#vigil_args[@]}" -eq 0 ] || what+=" (vigil run ... ${vigil_args[*]})"
echo "$what"
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
