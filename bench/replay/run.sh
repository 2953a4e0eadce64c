#!/usr/bin/env bash
# Capture and replay benchmark (issue 12). See bench/README.md.
#
#	sudo bash bench/replay/run.sh [-d SECS] [-r ROUNDS] [-n REPLAYS] [-m "open exec connect mix"]
#	                              [-s "record cost"] [-c CPU] [-F FALCO_RULES_DIR] [-p] [-k]
#
# record: for each mode, `vigil run -w FILE` with the default rules while the
#   workload runs (mix: open, exec and connect at once), then
#   - the file's size per event (bytes/event, MB per million events),
#   - `vigil replay FILE -r <Falco's three stock rule files>` to /dev/null on
#     one CPU (taskset -c CPU), REPLAYS times, with and without --first-match:
#     events/s (median), net of the start-up (rule loading), measured on a
#     capture of an idle second; and the alerts the replay raised.
# cost: ROUNDS rounds of the open workload unmonitored, under `vigil run`
#   (default rules) and under `vigil run -w FILE`, in an order that rotates
#   from round to round: the throughput ratios (median) and the events the
#   capture writer could not write (from vigil's final counters).
#
# -p pins the workload and vigil to their own CPUs in the cost step (as
# bench/capture/run.sh -p does). -k keeps the capture files.
# Environment: VIGIL (default build/vigil), WORKLOAD (default
# build/vigil-workload), FALCO_RULES (default ../shared/compat/falco beside
# the source tree, as -F), BENCH_DIR (default a new directory in /var/tmp).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
here="$root/bench/replay"
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
secs=3
rounds=5
replays=3
min_events=1000000
mix_rate=20000
modes="open exec connect mix"
steps="record cost"
cpu=$(($(nproc) - 1))
falco=${FALCO_RULES:-$root/../shared/compat/falco}
keep=0
pin=0
wl_pin=()
mon_pin=()

usage() {
	echo "usage: $0 [-d SECS] [-r ROUNDS] [-n REPLAYS] [-m \"open exec connect mix\"]" \
		"[-s \"record cost\"] [-c CPU] [-F FALCO_RULES_DIR] [-p] [-k]" >&2
	exit 2
}
die() {
	echo "bench: $*" >&2
	exit 1
}

while getopts "d:r:n:e:m:s:c:F:pkh" opt; do
	case "$opt" in
	d) secs=$OPTARG ;;
	r) rounds=$OPTARG ;;
	n) replays=$OPTARG ;;
	e) min_events=$OPTARG ;;
	m) modes=$OPTARG ;;
	s) steps=$OPTARG ;;
	c) cpu=$OPTARG ;;
	F) falco=$OPTARG ;;
	p) pin=1 ;;
	k) keep=1 ;;
	*) usage ;;
	esac
done
[ "$OPTIND" -gt $# ] || usage
for step in $steps; do
	case "$step" in
	record | cost) ;;
	*) die "unknown step $step (record, cost)" ;;
	esac
done

vigil=${VIGIL:-$root/build/vigil}
[ "$(id -u)" -eq 0 ] || die "needs root: vigil run loads BPF programs (sudo bash $0)"
[ -x "$vigil" ] || die "$vigil not found: build it first (cmake --build build)"
command -v python3 >/dev/null || die "python3 is needed to read vigil's counters"
falco_rules=()
for f in falco_rules.yaml falco-incubating_rules.yaml falco-sandbox_rules.yaml; do
	[ -f "$falco/$f" ] || die "$falco/$f not found: give Falco's stock rules with -F DIR"
	falco_rules+=(-r "$falco/$f")
done

bench_dir=${BENCH_DIR:-$(mktemp -d /var/tmp/vigil-replay-bench.XXXXXX)}
mkdir -p "$bench_dir"
vpid=""
cleanup() {
	if [ -n "$vpid" ] && kill -0 "$vpid" 2>/dev/null; then
		kill -KILL "$vpid" 2>/dev/null || true
	fi
	[ "$keep" -eq 1 ] || rm -rf "$bench_dir"
}
trap cleanup EXIT
trap "exit 130" INT TERM
bench_workload "$bench_dir"
results="$bench_dir/results.txt"
: >"$results"

# workload_mix: exec flat out, open and connect paced at $mix_rate
# operations/s each, at once; one line per workload.
workload_mix() {
	wl open -R "$mix_rate" >"$bench_dir/mix.open.out" &
	wl exec >"$bench_dir/mix.exec.out" &
	wl connect -R "$mix_rate" >"$bench_dir/mix.connect.out" &
	wait
	cat "$bench_dir"/mix.{open,exec,connect}.out
}

# record MODE: a capture of MODE's workload (idle: of one quiet second).
record() {
	local mode=$1 cap="$bench_dir/$1.vgc" err="$bench_dir/$1.record.stderr" out
	start_vigil /dev/null "$err" run --json -w "$cap"
	case "$mode" in
	idle) out=$(sleep 1) ;;
	mix) out=$(workload_mix) ;;
	*) out=$(wl "$mode") ;;
	esac
	stop_vigil
	echo "step=record mode=$mode file_bytes=$(stat -c %s "$cap")" \
		"ops=$(awk -F'ops=' 'NF > 1 { split($2, a, " "); n += a[1] } END { print n + 0 }' <<<"$out")" \
		"$(python3 "$here/analyze.py" stats "$err")" >>"$results"
}

# replay_once ARGS...: "wall_secs cpu_secs max_rss_kib" of one replay on
# $cpu, its summary (stderr) in $bench_dir/replay.stderr.
replay_once() {
	local t
	read -r -a t <<<"$(python3 "$here/analyze.py" time /dev/null "$bench_dir/replay.stderr" \
		taskset -c "$cpu" "$vigil" replay "${falco_rules[@]}" "$@")"
	[ "${t[0]}" -eq 0 ] ||
		die "vigil replay exited with ${t[0]}: $(tail -n 3 "$bench_dir/replay.stderr")"
	echo "${t[1]} ${t[2]} ${t[3]}"
}

# copies MODE: how many times to give MODE's file to one replay so that it
# has at least $min_events events (at most 1000 times; idle: once).
copies() {
	local ev
	ev=$(sed -n "s/^step=record mode=$1 .*capture\.file\.events=\([0-9]*\).*/\1/p" "$results")
	if [ "$1" = idle ] || [ -z "$ev" ] || [ "$ev" -eq 0 ]; then
		echo 1
		return
	fi
	awk -v m="$min_events" -v e="$ev" 'BEGIN { c = int((m + e - 1) / e); print (c > 1000 ? 1000 : c) }'
}

# replay MODE: REPLAYS timed replays of MODE's capture, with and without
# --first-match.
replay() {
	local mode=$1 variant args wall cpus rss n line k files=()
	k=$(copies "$mode")
	for n in $(seq 1 "$k"); do
		files+=("$bench_dir/$mode.vgc")
	done
	for variant in all first; do
		args=("${files[@]}")
		[ "$variant" = all ] || args+=(--first-match)
		wall=""
		cpus=""
		rss=0
		for n in $(seq 1 "$replays"); do
			read -r -a line <<<"$(replay_once "${args[@]}")"
			wall+="${line[0]},"
			cpus+="${line[1]},"
			[ "${line[2]}" -le "$rss" ] || rss=${line[2]}
		done
		echo "step=replay mode=$mode variant=$variant copies=$k wall=${wall%,} cpu=${cpus%,}" \
			"max_rss_kib=$rss $(python3 "$here/analyze.py" replay "$bench_dir/replay.stderr")" \
			>>"$results"
		echo "  replay $mode ($variant, the file $k times): ${wall%,} s wall, ${cpus%,} s CPU;" \
			"$(tail -n 1 "$bench_dir/replay.stderr")"
	done
}

# cost_run VARIANT: one run of the open workload: base (unmonitored), run
# (vigil run, default rules) or write (vigil run -w).
cost_run() {
	local err="$bench_dir/cost.stderr" out extra="" args
	case "$1" in
	base)
		out=$(wl open)
		;;
	run | write)
		args=(run --json)
		[ "$1" = run ] || args+=(-w "$bench_dir/cost.vgc")
		start_vigil /dev/null "$err" "${args[@]}"
		out=$(wl open)
		# vigil's CPU time (all threads) while the workload ran
		extra="vigil_cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' \
			"/proc/$vpid/stat")"
		stop_vigil
		extra+=" $(python3 "$here/analyze.py" stats "$err")"
		[ "$1" = run ] || extra+=" file_bytes=$(stat -c %s "$bench_dir/cost.vgc")"
		rm -f "$bench_dir/cost.vgc"
		;;
	esac
	echo "ops_per_sec=$(field ops_per_sec "$out") calls=$(field sc_openat "$out") $extra"
}

# cost_round N: the three variants in an order that rotates with N.
cost_round() {
	local n=$1 order=(base run write) i v line
	for i in 0 1 2; do
		v=${order[$(((i + n) % 3))]}
		line=$(cost_run "$v")
		echo "step=cost round=$n variant=$v $line" >>"$results"
		echo "  round $n/$rounds $v: $(field ops_per_sec "$line") opens/s"
	done
}

echo "bench: $("$vigil" version 2>&1 | head -n 1); kernel $(uname -r); $(nproc) cpus"
echo "bench: steps: $steps; modes: $modes; workload runs of $secs s; replays on CPU $cpu" \
	"through $falco/*.yaml"
bpf_stats_warning
echo "bench: files in $bench_dir$([ "$keep" -eq 1 ] || echo ' (removed at exit; -k keeps them)')"
for step in $steps; do
	case "$step" in
	record)
		for mode in idle $modes; do
			echo "bench: recording $mode"
			record "$mode"
		done
		for mode in idle $modes; do
			replay "$mode"
		done
		;;
	cost)
		[ "$pin" -eq 0 ] || pin_both
		for n in $(seq 1 "$rounds"); do
			cost_round "$n"
		done
		;;
	esac
done
echo
python3 "$here/analyze.py" summary "$results"
