# shellcheck shell=bash disable=SC2154  # vigil, secs...: set by the caller
# Shell functions the benchmarks share (sourced by bench/*/run.sh).
#
# The caller sets:
#	vigil      the vigil binary
#	workload   the vigil-workload binary (bench_workload finds or builds it)
#	secs       seconds per workload run
#	wl_pin     array: command prefix for the workload (empty: not pinned)
#	mon_pin    array: command prefix for the monitor (empty: not pinned)
# and defines die(). start_vigil sets vpid; an EXIT trap of the caller
# should kill "$vpid" when it is still set.

# bench_workload DIR: sets workload (WORKLOAD, else build/vigil-workload,
# else compiled from source into DIR).
bench_workload() {
	workload=${WORKLOAD:-$root/build/vigil-workload}
	if [ ! -x "$workload" ]; then
		workload="$1/vigil-workload"
		echo "bench: build/vigil-workload missing; compiling bench/workload/workload.c"
		"${CC:-cc}" -O2 -Wall -Wextra -o "$workload" "$root/bench/workload/workload.c"
	fi
}

# pin_both: the workload on the last CPU at SCHED_FIFO 50, the monitor on
# CPU 0 at SCHED_FIFO 40, so that other load moves the figures less.
pin_both() {
	[ "$(nproc)" -ge 2 ] || die "pinning needs 2 CPUs or more"
	wl_pin=(taskset -c "$(($(nproc) - 1))" chrt -f 50)
	mon_pin=(taskset -c 0 chrt -f 40)
}

# wait_exit PID SECS: 0 once PID has exited, 1 if it still runs after SECS.
wait_exit() {
	local end=$((SECONDS + $2))
	while kill -0 "$1" 2>/dev/null; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.2
	done
}

# start_vigil STDOUT_FILE STDERR_FILE ARGS...: starts "vigil ARGS..." on the
# monitor's CPU and waits until it says it is ready.
start_vigil() {
	local out=$1 err=$2 end=$((SECONDS + 60))
	shift 2
	${mon_pin[@]+"${mon_pin[@]}"} "$vigil" "$@" >"$out" 2>"$err" &
	vpid=$!
	until grep -q 'vigil: ready' "$err" 2>/dev/null; do
		if ! kill -0 "$vpid" 2>/dev/null; then
			cat "$err" >&2
			die "vigil exited before it was ready"
		fi
		[ "$SECONDS" -lt "$end" ] || die "vigil not ready after 60 s"
		sleep 0.1
	done
}

# stop_vigil: SIGTERM (not SIGINT: a background job of a script starts with
# SIGINT ignored); vigil drains the ring buffer and prints its counters.
stop_vigil() {
	local rc=0
	kill -TERM "$vpid"
	if ! wait_exit "$vpid" 30; then
		echo "bench: vigil did not exit 30 s after SIGTERM; killing it" \
			"(its counters are missing)" >&2
		kill -KILL "$vpid"
	fi
	wait "$vpid" || rc=$?
	vpid=""
	[ "$rc" -eq 0 ] || echo "bench: vigil exited with status $rc" >&2
}

wl() { # wl MODE [ARGS...]: one workload run on the workload's CPU
	local mode=$1
	shift
	${wl_pin[@]+"${wl_pin[@]}"} "$workload" "$mode" -d "$secs" "$@"
}

field() { # field KEY LINE
	sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"
}

ratio() { # ratio A B: A / B with 3 decimals (0 when B is 0)
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'
}

# bpf_stats_warning: kernel.bpf_stats_enabled=1 times every BPF program run.
bpf_stats_warning() {
	if [ "$(cat /proc/sys/kernel/bpf_stats_enabled 2>/dev/null || echo 0)" != 0 ]; then
		echo "bench: WARNING: kernel.bpf_stats_enabled=1 times every BPF program run, which" \
			"slows the monitored runs (sysctl kernel.bpf_stats_enabled=0)"
	fi
}
