#!/usr/bin/env bash
# packaging/systemd/vigil.service as systemd reads it, without a running
# systemd: `systemd-analyze verify` finds nothing to say (a misspelt
# directive it would report), `systemd-analyze security --offline` rates it
# at most 3.0 ("OK"), and it is Type=notify with a watchdog and exactly the
# capabilities vigil keeps (daemon/run/privs.c; CAP_SYS_ADMIN, which
# per-syscall tracepoints need where kernel.perf_event_paranoid is 3, is the
# administrator's to add). ExecStart= and ExecReload= point at the built
# vigil (verify wants the binary to exist).
set -u
src=${VIGIL_SOURCE_DIR:?VIGIL_SOURCE_DIR must point at the source tree}
vigil=${VIGIL_BIN:?VIGIL_BIN must point at the vigil binary}
unit=$src/packaging/systemd/vigil.service
failures=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

if ! command -v systemd-analyze >/dev/null; then
	if [ "${CI:-}" = true ]; then
		echo "FAIL: systemd-analyze is missing (package systemd; CI=true)"
		exit 1
	fi
	echo "skipped: no systemd-analyze (package systemd)"
	exit 0
fi

dir=$(mktemp -d /tmp/vigil-cli-unit.XXXXXX)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/ok" "$dir/bad"
sed -e "s|^ExecStart=/usr/bin/vigil |ExecStart=$vigil |" \
	-e "s|^ExecReload=/usr/bin/vigil |ExecReload=$vigil |" "$unit" >"$dir/ok/vigil.service"
grep -q "^ExecStart=$vigil run" "$dir/ok/vigil.service" || fail "no ExecStart=/usr/bin/vigil run in $unit"

out=$(systemd-analyze verify "$dir/ok/vigil.service" 2>&1) || fail "verify exited $?: $out"
[ -z "$out" ] && echo "ok: systemd-analyze verify" || fail "verify said: $out"

# the check can fail: a misspelt directive is reported
sed 's/^WatchdogSec=/WatchDogSec=/' "$dir/ok/vigil.service" >"$dir/bad/vigil.service"
out=$(systemd-analyze verify "$dir/bad/vigil.service" 2>&1)
grep -q "Unknown key.*'WatchDogSec'" <<<"$out" && echo "ok: verify reports a misspelt key" ||
	fail "verify did not report WatchDogSec: $out"

out=$(cd "$dir/ok" && systemd-analyze security --offline=true vigil.service 2>&1)
score=$(sed -n 's/.*Overall exposure level for vigil.service: \([0-9.]*\).*/\1/p' <<<"$out")
echo "exposure: ${score:-?}"
if [ -z "$score" ] || ! awk -v s="$score" 'BEGIN { exit !(s <= 3.0) }'; then
	fail "security: exposure ${score:-unknown} above 3.0: $out"
else
	echo "ok: systemd-analyze security: $score"
fi

for line in "Type=notify" "NotifyAccess=main" "WatchdogSec=30s" \
	"ExecReload=/usr/bin/vigil reload \$MAINPID" \
	"CapabilityBoundingSet=CAP_BPF CAP_PERFMON CAP_SYS_PTRACE CAP_DAC_READ_SEARCH" \
	"AmbientCapabilities=CAP_BPF CAP_PERFMON CAP_SYS_PTRACE CAP_DAC_READ_SEARCH"; do
	grep -qxF "$line" "$unit" && echo "ok: $line" || fail "no line '$line' in $unit"
done

echo "$failures failed"
[ "$failures" -eq 0 ]
