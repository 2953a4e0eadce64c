#!/usr/bin/env bash
# The soak: vigil with every default rule (rules/) while the machine does
# ordinary work for a few minutes; the default rules must raise no alert.
#
#	bash tests/soak/run.sh     (as root; ctest -L e2e runs it as e2e.soak)
#
# Activity, in rounds until SOAK_SECONDS (default 240) have passed, after one
# round of everything:
#   - a second dockerd with good-practice flags (--icc=false
#     --userns-remap=default, tests/soak/dockerd.sh), and on it `docker run`
#     and `docker exec` of benign commands in a busybox container run with
#     --read-only --memory 64m --user 1000:1000 --cap-drop ALL
#     --security-opt no-new-privileges --pids-limit 64 --network none
#   - dpkg -l, dpkg -S, apt-cache policy; ps, ls, find, tar; git log/status
#   - the unit tests (ctest -L unit in BUILD_DIR) and a cmake build of vigil
#     from a fresh copy of the source (git archive HEAD) in a temp dir
# Fails, printing every alert, when there is any; also when vigil lost
# events (its exit stats: lost, rb_full, decode_errors). Prints the duration
# and the alert count.
#
# vigil's alerts and stderr are kept in SOAK_OUT (default BUILD_DIR/soak/):
# alerts.jsonl, vigil.err.
#
# Environment: BUILD_DIR (default build), VIGIL_BIN (default BUILD_DIR/vigil),
# SOAK_SECONDS, SOAK_OUT, SOAK_NO_BUILD=1 skips the fresh build (the longest
# step).
# shellcheck disable=SC2317 # functions run through step() and the trap
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root" || exit 1
build=${BUILD_DIR:-build}
vigil=${VIGIL_BIN:-$build/vigil}
soak_seconds=${SOAK_SECONDS:-240}
name=soak$$
ctr=vigil-soak-$$
tmp=$(mktemp -d /tmp/vigil-soak.XXXXXX)
out=${SOAK_OUT:-$build/soak}
start=$(date +%s)
vpid=

log() { echo "soak: $(($(date +%s) - start))s: $*"; }

cleanup() {
	[ -n "$vpid" ] && kill "$vpid" 2>/dev/null
	[ -n "${DOCKER_HOST:-}" ] && docker rm -f "$ctr" >/dev/null 2>&1
	[ -n "$vpid" ] && wait "$vpid" 2>/dev/null
	bash tests/soak/dockerd.sh stop "$name" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

if [ "$(id -u)" -ne 0 ]; then
	echo "soak: must run as root (vigil loads BPF programs)" >&2
	exit 1
fi
if [ ! -x "$vigil" ]; then
	echo "soak: $vigil is missing: build first (or set VIGIL_BIN)" >&2
	exit 1
fi

# ------------------------------------------------------------------ vigil
"$vigil" run -r rules/ --json >"$tmp/out.jsonl" 2>"$tmp/vigil.err" &
vpid=$!
for _ in $(seq 60); do
	grep -q "vigil: ready" "$tmp/vigil.err" && break
	kill -0 "$vpid" 2>/dev/null || break
	sleep 1
done
if ! grep -q "vigil: ready" "$tmp/vigil.err"; then
	echo "soak: vigil did not start; its stderr:" >&2
	cat "$tmp/vigil.err" >&2
	exit 1
fi
log "vigil ready (pid $vpid)"

# ------------------------------------------------------------------ activity
docker_round() {
	docker run --rm --name "$ctr-run" --read-only --memory 64m --user 1000:1000 \
		--cap-drop ALL --security-opt no-new-privileges --pids-limit 64 --network none \
		vigil-e2e/busybox:1.0 sh -c 'id; ls /; cat /etc/hostname; echo done' >/dev/null
	docker exec "$ctr" /bin/ls /bin >/dev/null
	docker exec "$ctr" /bin/ps >/dev/null
	docker exec "$ctr" /bin/cat /proc/self/status >/dev/null
	docker exec "$ctr" /bin/sh -c 'echo hello | wc -c' >/dev/null
	docker exec "$ctr" /bin/date >/dev/null
	docker ps >/dev/null
	docker images >/dev/null
	docker inspect "$ctr" >/dev/null
	docker logs "$ctr" >/dev/null 2>&1
}

host_round() {
	dpkg -l >/dev/null
	dpkg -S /bin/ls >/dev/null
	apt-cache policy bash libc6 >/dev/null
	ps aux >/dev/null
	ps -ef --forest >/dev/null
	ls -la /etc /usr/bin >/dev/null
	find "$root/daemon" -name '*.c' -newer "$root/README.md" >/dev/null
	find /usr/share/doc -maxdepth 1 -name 'lib*' >/dev/null
	tar -C "$root" -czf "$tmp/src.tgz" daemon include rules
	tar -tzf "$tmp/src.tgz" >/dev/null
	rm -f "$tmp/src.tgz"
	git -C "$root" log --oneline -20 >/dev/null
	git -C "$root" status --short >/dev/null
	git -C "$root" diff --stat HEAD~3 >/dev/null 2>&1
	uname -a >/dev/null
	df -h >/dev/null
	env | sort >/dev/null
}

step() { # step NAME COMMAND...: runs it, notes a failure (the soak is about alerts)
	local t0 n=$1
	t0=$(date +%s)
	shift
	if ! "$@" >"$tmp/step.log" 2>&1; then
		log "step '$n' failed (not an alert; its output follows)"
		tail -n 20 "$tmp/step.log"
	fi
	log "$n: $(($(date +%s) - t0))s"
}

good_dockerd() {
	DOCKER_HOST=$(bash tests/soak/dockerd.sh start "$name" --icc=false \
		--userns-remap=default) || return 1
	export DOCKER_HOST
	DOCKER_HOST=$DOCKER_HOST bash tests/soak/dockerd.sh image "$name" || return 1
	docker run -d --name "$ctr" --read-only --memory 64m --user 1000:1000 --cap-drop ALL \
		--security-opt no-new-privileges --pids-limit 64 --network none \
		vigil-e2e/busybox:1.0 sleep 3600 >/dev/null
}

# A copy of the source: git's HEAD, else the tree without its build directories.
copy_source() {
	mkdir -p "$tmp/src"
	if git -C "$root" rev-parse HEAD >/dev/null 2>&1; then
		git -C "$root" archive HEAD | tar -C "$tmp/src" -x
	else
		tar -C "$root" --exclude='./build*' -c . | tar -C "$tmp/src" -x
	fi
}

fresh_build() {
	copy_source &&
		cmake -S "$tmp/src" -B "$tmp/src/build" -DCMAKE_BUILD_TYPE=Debug -DBUILD_TESTING=OFF &&
		cmake --build "$tmp/src/build" -j 2 --target vigil
}

good_dockerd >"$tmp/step.log" 2>&1 || { # not in step(): it sets DOCKER_HOST
	log "the second dockerd did not start:"
	cat "$tmp/step.log"
	exit 1
}
log "dockerd $DOCKER_HOST ready"

step docker docker_round
step host host_round
step unit-tests ctest --test-dir "$build" -L unit -j 2
if [ "${SOAK_NO_BUILD:-}" != 1 ]; then
	step build fresh_build
fi
rounds=1
while [ $(($(date +%s) - start)) -lt "$soak_seconds" ]; do
	docker_round >/dev/null 2>&1
	host_round >/dev/null 2>&1
	rounds=$((rounds + 1))
done
log "$rounds rounds of docker and host activity"

# ------------------------------------------------------------------ verdict
kill -INT "$vpid"
wait "$vpid"
vrc=$?
vpid=
duration=$(($(date +%s) - start))
mkdir -p "$out"
grep '"rule"' "$tmp/out.jsonl" >"$out/alerts.jsonl"
cp "$tmp/vigil.err" "$out/vigil.err"
alerts=$(wc -l <"$out/alerts.jsonl")
stats=$(grep -h '"vigil_stats"' "$tmp/out.jsonl" "$tmp/vigil.err" | tail -n 1)
fail=0
echo "soak: duration ${duration}s, alerts $alerts, vigil exit $vrc"
grep -E '^vigil: (events|lost)' "$tmp/vigil.err" | sed 's/^/soak: /'
if [ "$alerts" -ne 0 ]; then
	echo "soak: FAILED: the default rules raised $alerts alerts on ordinary activity"
	echo "soak: every alert (rule | output; JSON in $out/alerts.jsonl):"
	jq -r '"\(.rule) | \(.output)"' "$out/alerts.jsonl"
	echo "soak: alerts by rule:"
	jq -r '.rule' "$out/alerts.jsonl" | sort | uniq -c | sort -rn
	fail=1
fi
if [ -z "$stats" ]; then
	echo "soak: FAILED: no vigil_stats line from vigil"
	fail=1
else
	lost=$(jq -r '.vigil_stats.lost' <<<"$stats")
	rb_full=$(jq -r '.vigil_stats.kernel.rb_full' <<<"$stats")
	dec=$(jq -r '.vigil_stats.decode_errors' <<<"$stats")
	echo "soak: lost $lost, rb_full $rb_full, decode_errors $dec"
	if [ "$lost" != 0 ] || [ "$rb_full" != 0 ] || [ "$dec" != 0 ]; then
		echo "soak: FAILED: vigil lost events"
		fail=1
	fi
fi
[ "$vrc" -eq 0 ] || { echo "soak: FAILED: vigil exited $vrc"; fail=1; }
[ "$fail" -eq 0 ] && echo "soak: passed"
exit "$fail"
