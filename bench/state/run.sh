#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Memory of vigil with many live processes (issue 4: target < 64 MiB RSS at
# 50,000). For each count N (default 1000 and 50000) it creates N sleeping
# processes in a tree (spawn_tree), then reports:
#   - the RSS of a running `vigil run --json` (VmRSS and peak VmHWM), and
#   - the RSS of the state tracker alone, built as the daemon builds it (a
#     full /proc scan; state_rss), with and without N synthetic fork+exec
#     events fed through vgl_state_update().
# The first figure includes the state only once the daemon integrates it.
#
# usage: bench/state/run.sh [BUILD_DIR] [N...]     (root; BUILD_DIR default: build)
# pid_max is raised for the run when it is below the largest N + 10000, and
# restored afterwards; every process the script starts is killed on exit.
set -euo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src/build}
shift || true
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(1000 50000)
vigil=${VIGIL_BIN:-$build/vigil}
work=$(mktemp -d /tmp/vigil-bench-state.XXXXXX)
vigil_pid= tree_pid= old_pid_max=

cleanup() {
	[ -n "$tree_pid" ] && kill "$tree_pid" 2>/dev/null && wait "$tree_pid" 2>/dev/null
	[ -n "$vigil_pid" ] && kill -INT "$vigil_pid" 2>/dev/null && wait "$vigil_pid" 2>/dev/null
	[ -n "$old_pid_max" ] && echo "$old_pid_max" > /proc/sys/kernel/pid_max
	rm -rf "$work"
}
trap cleanup EXIT

kib() { awk -v k="$2" '$1 == k":" { print $2 }' "/proc/$1/status"; }

# helpers
cc=${CC:-cc}
$cc -O2 -o "$work/spawn_tree" "$src/bench/state/spawn_tree.c"
# shellcheck disable=SC2046
$cc -O2 -I"$src/include" -I"$src/daemon" -o "$work/state_rss" "$src/bench/state/state_rss.c" \
	"$build/libvigil_core.a" $(pkg-config --libs libbpf libelf zlib yaml-0.1 jansson libpcre2-8) -lm

max=0
for n in "${counts[@]}"; do ((n > max)) && max=$n; done
cur=$(cat /proc/sys/kernel/pid_max)
if ((cur < max + 10000)); then
	old_pid_max=$cur
	echo $((max + 20000 > 65536 ? max + 20000 : 65536)) > /proc/sys/kernel/pid_max
	echo "pid_max raised from $cur for the run"
fi

if [ -x "$vigil" ]; then
	"$vigil" run --json > /dev/null 2> "$work/vigil.err" &
	vigil_pid=$!
	sleep 3
	if ! kill -0 "$vigil_pid" 2>/dev/null; then
		echo "vigil run did not start:"; cat "$work/vigil.err"; vigil_pid=
	else
		echo "vigil run idle: VmRSS $(kib "$vigil_pid" VmRSS) KiB"
	fi
fi

for n in "${counts[@]}"; do
	mkfifo "$work/hold"
	"$work/spawn_tree" "$n" < "$work/hold" > "$work/tree.out" &
	tree_pid=$!
	exec 9> "$work/hold" # keeps the tree alive until closed
	until grep -qE 'ready|failed' "$work/tree.out" 2>/dev/null; do sleep 0.2; done
	grep -q ready "$work/tree.out" || { echo "spawn_tree $n: $(cat "$work/tree.out")"; exit 1; }
	sleep 2 # let vigil consume the fork burst
	echo "== $n live processes ($(ls -d /proc/[0-9]* 2>/dev/null | wc -l) in /proc)"
	[ -n "$vigil_pid" ] &&
		echo "vigil run: VmRSS $(kib "$vigil_pid" VmRSS) KiB, VmHWM $(kib "$vigil_pid" VmHWM) KiB"
	"$work/state_rss" "$n"
	exec 9>&-
	wait "$tree_pid" || true
	tree_pid=
	rm -f "$work/hold"
done
