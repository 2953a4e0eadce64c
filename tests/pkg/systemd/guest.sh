#!/bin/bash
# The checks in tests/pkg/systemd.sh's guest: vigil's .deb under a real
# systemd (PID 1), as vigil-systemd-check.service runs them once the boot is
# done (installed as /usr/local/sbin/vigil-systemd-check):
#
#   boot      vigil.service, enabled, is active when the boot is done;
#   start     `systemctl start vigil` returns with the unit active, and a file
#             read right after it raises its alert: READY=1 came after attaching;
#   journal   the alert (JSON) of a default rule is in vigil's journal;
#   status    `systemctl show -p StatusText` holds vigil's counters (STATUS=);
#   reload    numbered files opened every 20 ms around `systemctl reload vigil`
#             all raise their alert (no gap), the unit stays active with the
#             same MainPID, a rule that only the new rule files have fires,
#             and systemd counts the reload done only once the new rules run;
#   badreload a broken rule file: `systemctl reload vigil` fails, vigil runs
#             on (same MainPID) and its rules still fire;
#   kill      after `systemctl kill -s KILL vigil` systemd starts it again
#             (NRestarts + 1, a new MainPID) and alerts flow;
#   caps      /proc/MAINPID/status: the capability set the unit documents;
#   analyze   `systemd-analyze verify` is clean, `systemd-analyze security`
#             rates the unit at most as its comments say;
#   watchdog  with WatchdogSec=5s vigil lives on (WATCHDOG=1); stopped with
#             SIGSTOP, the watchdog kills it and systemd starts it again;
#   fewcaps   without CAP_PERFMON vigil fails at start with the line naming it.
# Every line for the host starts "vigil-systemd: "; each check prints
# "ok: ..." or "FAILED: ..." with what it measured; the last line is
# "done: N ok, M failed". Then the guest powers off.
set -u
export LC_ALL=C PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

share=/usr/local/share/vigil-systemd
rules=/etc/vigil/rules.d/vigil-systemd-test.yaml
ngap=200 # files opened around the reload, one every 20 ms
# The unit's comments: `systemd-analyze security` rates it 2.7 (3.0 with CAP_SYS_ADMIN)
max_exposure=2.7
passed=0 failed=0

say() { echo "vigil-systemd: $*"; }
ok() {
	passed=$((passed + 1))
	say "ok: $*"
}
fail() {
	failed=$((failed + 1))
	say "FAILED: $*"
}
now() { cut -d' ' -f1 /proc/uptime; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
prop() { systemctl show --value -p "$1" vigil.service; }

# wait_for SECONDS CMD...: CMD succeeds within SECONDS (tried every 0.2 s).
wait_for() {
	local end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.2
	done
}

# The JSON alerts in vigil's journal that jq's FILTER selects, one a line.
alerts_where() {
	journalctl -q -u vigil.service -o cat --no-pager | grep '^{' | jq -c "select($1)" 2>/dev/null
}
has_alert() { [ -n "$(alerts_where "$1")" ]; }
# An alert of the default rule "Read sensitive file" for `cat /etc/shadow MARK`.
shadow_alert() {
	has_alert ".rule == \"Read sensitive file\" and .output_fields[\"fd.name\"] == \"/etc/shadow\"
		and .output_fields[\"proc.name\"] == \"cat\"
		and .output_fields[\"proc.cmdline\"] == \"cat /etc/shadow $1\""
}
read_shadow() { # MARK: read /etc/shadow with cat, MARK (a file) on its command line
	: >"$1"
	cat /etc/shadow "$1" >/dev/null
}
journal_at() { # TEXT: the monotonic time of vigil's last journal line with TEXT
	journalctl -q -u vigil.service -o short-monotonic --no-pager | grep -F -- "$1" |
		tail -n 1 | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p'
}
journal_has() { journalctl -q -u vigil.service -o cat --no-pager | grep -qF -- "$1"; }
active_with_new_pid() { # OLD_PID
	local pid
	pid=$(prop MainPID)
	[ "$(prop ActiveState)" = active ] && [ "$pid" != 0 ] && [ "$pid" != "$1" ]
}

check_boot() {
	local state enter
	state=$(systemctl is-system-running --wait)
	say "boot: $(systemd-analyze time 2>&1 | head -n 1)"
	if [ "$state" != running ]; then
		fail "boot: the system is $state; failed units:" \
			"$(systemctl --failed --plain --no-legend | awk '{ printf "%s ", $1 }')"
	fi
	enter=$(prop ActiveEnterTimestampMonotonic)
	if [ "$(prop ActiveState)" = active ] && [ "$(prop UnitFileState)" = enabled ]; then
		ok "boot: vigil.service enabled, active $(awk -v t="$enter" 'BEGIN { printf "%.1f", t / 1e6 }') s after the kernel started"
	else
		fail "boot: vigil.service is $(prop ActiveState) ($(prop UnitFileState))"
	fi
}

check_start() {
	local t0 rc=0 state took exec enter
	systemctl stop vigil.service
	t0=$(now)
	systemctl start vigil.service || rc=$?
	read_shadow /tmp/vigil-systemd-start
	took=$(since "$t0")
	state=$(prop ActiveState)
	exec=$(prop ExecMainStartTimestampMonotonic)
	enter=$(prop ActiveEnterTimestampMonotonic)
	if [ "$rc" -ne 0 ] || [ "$state" != active ] || [ "$(prop Type)" != notify ]; then
		fail "start: systemctl start vigil exited $rc, vigil.service $state (Type=$(prop Type))"
		return
	fi
	ok "start: systemctl start vigil (Type=notify) returned 0 after $took s, active;" \
		"from exec to READY=1 (active) $(awk -v a="$exec" -v b="$enter" 'BEGIN { printf "%.2f", (b - a) / 1e6 }') s"
	if wait_for 30 shadow_alert /tmp/vigil-systemd-start; then
		ok "start: /etc/shadow read right after systemctl start returned raised its alert" \
			"(attached before READY=1)"
	else
		fail "start: no alert for the /etc/shadow read right after systemctl start returned"
	fi
}

check_journal() {
	local a
	a=$(alerts_where '.rule == "Read sensitive file" and .output_fields["fd.name"] == "/etc/shadow"' |
		head -n 1)
	if [ -n "$a" ] && jq -e '.priority == "Warning" and (.output | contains(": Warning Sensitive file opened for reading (file=/etc/shadow "))' \
		<<<"$a" >/dev/null; then
		ok "journal: journalctl -u vigil: $(cut -c 1-300 <<<"$a")"
	else
		fail "journal: no JSON alert of \"Read sensitive file\" (Warning) for /etc/shadow in" \
			"vigil's journal: ${a:-none}"
	fi
}

status_counts_alert() {
	[[ $(prop StatusText) =~ ^capturing:\ [1-9][0-9]*\ events,\ [0-9]+\ lost,\ [1-9][0-9]*\ alerts,\ [1-9][0-9]*\ rules$ ]]
}

check_status() {
	if wait_for 15 status_counts_alert; then
		ok "status: StatusText=$(prop StatusText)"
	else
		fail "status: StatusText=\"$(prop StatusText)\", not \"capturing: N events, N lost," \
			"N alerts, N rules\" with events, alerts and rules > 0"
	fi
}

gap_loop() {
	local i
	for i in $(seq "$ngap"); do
		: >"/tmp/vigil-systemd-gap-$i"
		sleep 0.02
	done
}
gap_alerts() {
	alerts_where '.rule == "systemd test gap"' | jq -r '.output_fields["fd.name"]' |
		grep -c '^/tmp/vigil-systemd-gap-[0-9]*$'
}
all_gap_alerts() { [ "$(gap_alerts)" -ge "$ngap" ]; }

check_reload() {
	local pid loop t0 rc=0 took during=true n
	pid=$(prop MainPID)
	: >/tmp/vigil-systemd-new-before
	gap_loop &
	loop=$!
	sleep 1
	cp "$share/rules-after.yaml" "$rules"
	t0=$(now)
	systemctl reload vigil.service || rc=$?
	took=$(since "$t0")
	wait_for 30 journal_has "vigil: rules reloaded:" || true
	kill -0 "$loop" 2>/dev/null || during=false
	wait "$loop"
	if [ "$rc" -eq 0 ] && [ "$(prop ActiveState)" = active ] && [ "$(prop MainPID)" = "$pid" ]; then
		ok "reload: systemctl reload vigil returned 0 after $took s; active, MainPID $pid unchanged"
	else
		fail "reload: systemctl reload vigil exited $rc; vigil.service $(prop ActiveState)," \
			"MainPID $(prop MainPID) (was $pid)"
	fi
	if journal_has "vigil: rules reloaded:" && journal_has "Reloaded vigil.service"; then
		ok "reload: journal: $(journalctl -q -u vigil.service -o cat | grep -F 'vigil: rules reloaded:' | tail -n 1)"
	else
		fail "reload: no \"vigil: rules reloaded:\" and \"Reloaded vigil.service\" in the journal"
	fi
	$during || fail "reload: the $ngap files were all opened before the reload was done"
	# ExecReload (vigil reload) waits for vigil's answer: systemd counts the
	# reload done only once the new rules run
	local done_at loaded_at
	done_at=$(journal_at 'Reloaded vigil.service')
	loaded_at=$(journal_at 'vigil: rules reloaded:')
	if [ -n "$done_at" ] && [ -n "$loaded_at" ] &&
		awk -v d="$done_at" -v l="$loaded_at" 'BEGIN { exit !(l <= d) }'; then
		ok "reload: vigil \"rules reloaded\" at $loaded_at, systemd \"Reloaded\" at" \
			"$done_at (s after boot): systemctl reload returned once the new rules ran"
	else
		fail "reload: vigil \"rules reloaded\" at ${loaded_at:-never}, systemd" \
			"\"Reloaded\" at ${done_at:-never}: the reload counted done before the new rules ran"
	fi
	wait_for 30 all_gap_alerts || true
	n=$(gap_alerts)
	if [ "$n" -eq "$ngap" ]; then
		ok "reload: $n of $ngap files opened every 20 ms around the reload raised their alert"
	else
		fail "reload: $n of $ngap files opened around the reload raised their alert"
	fi
	: >/tmp/vigil-systemd-new-after
	if wait_for 30 has_alert '.rule == "systemd test after reload" and .output_fields["fd.name"] == "/tmp/vigil-systemd-new-after"' &&
		! has_alert '.output_fields["fd.name"] == "/tmp/vigil-systemd-new-before"'; then
		ok "reload: the rule only the new rule file has fires after the reload, not before"
	else
		fail "reload: \"systemd test after reload\": $(alerts_where '.rule == "systemd test after reload"' | jq -r '.output_fields["fd.name"]' | tr '\n' ' ')" \
			"(want /tmp/vigil-systemd-new-after only)"
	fi
}

# A broken rule file: `systemctl reload` fails, vigil runs on with its rules.
check_badreload() {
	local pid rc=0 good=/tmp/vigil-systemd-rules.good
	pid=$(prop MainPID)
	cp "$rules" "$good"
	printf -- '- rule: systemd test broken\n  desc: d\n  condition: evt.type = open and\n' \
		'  output: o\n  priority: NOTICE\n' >"$rules"
	systemctl reload vigil.service 2>/dev/null || rc=$?
	cp "$good" "$rules"
	if [ "$rc" -ne 0 ] && [ "$(prop ActiveState)" = active ] && [ "$(prop MainPID)" = "$pid" ] &&
		journal_has "reload failed, keeping the running rules"; then
		ok "badreload: a broken rule file: systemctl reload vigil exited $rc; active, MainPID" \
			"$pid unchanged; journal: $(journalctl -q -u vigil.service -o cat | grep -F 'reload failed, keeping' | tail -n 1)"
	else
		fail "badreload: a broken rule file: systemctl reload vigil exited $rc (want non-zero);" \
			"vigil.service $(prop ActiveState), MainPID $(prop MainPID) (was $pid)"
	fi
	: >/tmp/vigil-systemd-new-bad
	if wait_for 30 has_alert '.rule == "systemd test after reload" and .output_fields["fd.name"] == "/tmp/vigil-systemd-new-bad"'; then
		ok "badreload: the running rules still fire"
	else
		fail "badreload: no alert of the running rules after the failed reload"
	fi
}

check_kill() {
	local pid n0 t0
	pid=$(prop MainPID)
	n0=$(prop NRestarts)
	t0=$(now)
	systemctl kill -s KILL vigil.service
	if ! wait_for 60 active_with_new_pid "$pid"; then
		fail "kill: vigil.service $(prop ActiveState), MainPID $(prop MainPID) 60 s after SIGKILL"
		return
	fi
	if [ "$(prop NRestarts)" -eq $((n0 + 1)) ]; then
		ok "kill: after SIGKILL to $pid, active again after $(since "$t0") s with MainPID" \
			"$(prop MainPID), NRestarts $n0 -> $(prop NRestarts) (RestartSec=$(prop RestartUSec))"
	else
		fail "kill: NRestarts $n0 -> $(prop NRestarts), expected $((n0 + 1))"
	fi
	read_shadow /tmp/vigil-systemd-kill
	if wait_for 30 shadow_alert /tmp/vigil-systemd-kill; then
		ok "kill: the restarted vigil raises alerts"
	else
		fail "kill: no alert from the restarted vigil"
	fi
}

# The value of FIELD (CapEff...) in /proc/PID/status.
cap_of() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }

check_caps() {
	local pid paranoid want bad='' f t got
	pid=$(prop MainPID)
	paranoid=$(cat /proc/sys/kernel/perf_event_paranoid)
	# CAP_BPF CAP_PERFMON CAP_SYS_PTRACE CAP_DAC_READ_SEARCH; CAP_SYS_ADMIN
	# too where perf_event_paranoid > 2, if the unit grants it
	want=000000c000080004
	if [ "$paranoid" -gt 2 ] && [[ " $(prop CapabilityBoundingSet) " == *" cap_sys_admin "* ]]; then
		want=000000c000280004
	fi
	for f in CapEff CapPrm CapBnd; do
		[ "$(cap_of "$pid" $f)" = "$want" ] || bad+="$f=$(cap_of "$pid" $f) "
	done
	for f in CapInh CapAmb; do
		[ "$(cap_of "$pid" $f)" = 0000000000000000 ] || bad+="$f=$(cap_of "$pid" $f) "
	done
	for t in /proc/"$pid"/task/*; do
		t=${t##*/}
		[ "$(cap_of "$pid/task/$t" CapEff)" = "$want" ] ||
			bad+="thread $t CapEff=$(cap_of "$pid/task/$t" CapEff) "
	done
	got="CapEff=$(cap_of "$pid" CapEff) CapPrm=$(cap_of "$pid" CapPrm)"
	got+=" CapBnd=$(cap_of "$pid" CapBnd) CapInh=$(cap_of "$pid" CapInh) CapAmb=$(cap_of "$pid" CapAmb)"
	if [ -z "$bad" ]; then
		ok "caps: /proc/$pid/status $got, every one of its $(find /proc/"$pid"/task -mindepth 1 -maxdepth 1 | wc -l)" \
			"threads alike (kernel.perf_event_paranoid=$paranoid)"
	else
		fail "caps: want $want (CapEff, CapPrm, CapBnd), 0 (CapInh, CapAmb); got $bad" \
			"(kernel.perf_event_paranoid=$paranoid)"
	fi
}

check_analyze() {
	local out rc=0 line score
	out=$(systemd-analyze verify /lib/systemd/system/vigil.service 2>&1) || rc=$?
	if [ "$rc" -eq 0 ] && [ -z "$out" ]; then
		ok "analyze: systemd-analyze verify vigil.service: exit 0, nothing to say"
	else
		fail "analyze: systemd-analyze verify exited $rc: $(tr '\n' ' ' <<<"$out")"
	fi
	line=$(systemd-analyze security --no-pager vigil.service 2>&1 | grep 'Overall exposure level' |
		tr -cd '[:print:]' | sed 's/^ *//')
	score=$(sed -n 's/.*exposure level for vigil.service: \([0-9.]*\).*/\1/p' <<<"$line")
	if [ -n "$score" ] && awk -v s="$score" -v m="$max_exposure" 'BEGIN { exit !(s <= m) }'; then
		ok "analyze: systemd-analyze security: $line (at most $max_exposure)"
	else
		fail "analyze: systemd-analyze security: \"$line\", want at most $max_exposure"
	fi
}

dropin=/run/systemd/system/vigil.service.d/vigil-systemd-test.conf
with_dropin() { # TEXT: vigil.service with the drop-in TEXT ([Service] lines)
	mkdir -p "${dropin%/*}"
	printf '[Service]\n%s\n' "$1" >"$dropin"
	systemctl daemon-reload
}
without_dropin() {
	rm -f "$dropin"
	systemctl daemon-reload
	systemctl reset-failed vigil.service 2>/dev/null
	systemctl restart vigil.service
}

check_watchdog() {
	local pid t0
	with_dropin WatchdogSec=5s
	systemctl restart vigil.service
	pid=$(prop MainPID)
	sleep 8
	if [ "$(prop ActiveState)" = active ] && [ "$(prop MainPID)" = "$pid" ]; then
		ok "watchdog: WatchdogSec=$(prop WatchdogUSec): vigil $pid still runs 8 s on (WATCHDOG=1)"
	else
		fail "watchdog: with WatchdogSec=5s vigil $pid did not last 8 s (now" \
			"$(prop ActiveState), MainPID $(prop MainPID))"
	fi
	t0=$(now)
	kill -STOP "$pid"
	if wait_for 60 active_with_new_pid "$pid" &&
		journalctl -q -u vigil.service -o cat | grep -q 'Watchdog timeout'; then
		ok "watchdog: vigil stopped with SIGSTOP: \"$(journalctl -q -u vigil.service -o cat |
			grep 'Watchdog timeout' | tail -n 1)\", active again after $(since "$t0") s," \
			"MainPID $(prop MainPID)"
	else
		fail "watchdog: vigil stopped with SIGSTOP: $(prop ActiveState), MainPID $(prop MainPID)" \
			"60 s on; journal: $(journalctl -q -u vigil.service -o cat | grep -i watchdog | tail -n 2)"
	fi
	without_dropin
}

check_fewcaps() {
	local rc=0 inv lines
	with_dropin "CapabilityBoundingSet=
CapabilityBoundingSet=CAP_BPF CAP_SYS_PTRACE CAP_DAC_READ_SEARCH
AmbientCapabilities=
AmbientCapabilities=CAP_BPF CAP_SYS_PTRACE CAP_DAC_READ_SEARCH
Restart=no"
	systemctl restart vigil.service 2>/dev/null || rc=$?
	inv=$(prop InvocationID)
	lines=$(journalctl -q -o cat _SYSTEMD_INVOCATION_ID="$inv" | grep '^vigil: ')
	if [ "$rc" -ne 0 ] && [ "$(prop ActiveState)" = failed ] &&
		[ "$lines" = "vigil: error: missing capability CAP_PERFMON: needed to attach the BPF programs to the kernel's tracepoints" ]; then
		ok "fewcaps: without CAP_PERFMON: systemctl restart exited $rc, failed; journal: $lines"
	else
		fail "fewcaps: without CAP_PERFMON: systemctl restart exited $rc, $(prop ActiveState);" \
			"vigil said: $(tr '\n' '|' <<<"$lines")"
	fi
	without_dropin
}

# run NAME: check_NAME, and how long it took. The checks of a running vigil
# fail at once when it is not active (no waiting out their timeouts).
needs_vigil=' journal status reload badreload kill caps watchdog '
run() {
	local t0
	if [[ $needs_vigil == *" $1 "* ]] && [ "$(prop ActiveState)" != active ]; then
		fail "$1: not checked: vigil.service is $(prop ActiveState)"
		return
	fi
	t0=$(now)
	"check_$1"
	say "time: $1 $(since "$t0") s"
}

main() {
	local c
	say "start: $(uname -r), systemd $(systemctl --version | sed -n '1s/^systemd \([0-9]*\).*/\1/p')," \
		"$(dpkg-query -W -f '${Package} ${Version}' vigil), uptime $(now) s"
	for c in boot start journal status reload badreload kill caps analyze watchdog fewcaps; do
		run "$c"
	done
	if [ "$failed" -gt 0 ]; then # what vigil and systemd said about it
		journalctl -q -u vigil.service -o short-monotonic --no-pager | grep -v '{"' |
			tail -n 60 | sed 's/^/vigil-systemd: journal: /'
	fi
	say "done: $passed ok, $failed failed (uptime $(now) s)"
}

main
sync
systemctl poweroff -ff
