#!/usr/bin/env bash
# `vigil replay` without root or BPF, on captures written by the capture
# writer with known events and context (tests/unit/test_capgen.h): the exact
# alert lines and JSON, --events, the selection options, a capture from
# arm64, and the exit status and message for every kind of bad file. Also
# `vigil run`'s capture options that fail before anything needs root.
set -u
# shellcheck source=expect.sh
source "$(dirname "${BASH_SOURCE[0]}")/expect.sh"
build=${VIGIL_BUILD_DIR:?VIGIL_BUILD_DIR must point at the build directory}
dir=$(mktemp -d /tmp/vigil-cli-replay.XXXXXX)
trap 'rm -rf "$dir"' EXIT

"$build/tests/test_replay_source" gen "$dir" || {
	echo "FAIL: cannot write the test captures"
	exit 1
}
cat >"$dir/rules.yaml" <<'EOF'
- rule: Read shadow
  desc: test
  condition: evt.type in (open, openat) and fd.name = /etc/shadow
  output: shadow read (proc=%proc.name pid=%proc.pid parent=%proc.pname cmdline=%proc.cmdline container=%container.id cname=%container.name image=%container.image user=%user.name)
  priority: WARNING
- rule: Dir open
  desc: test
  condition: evt.type = openat and evt.arg.flags contains O_DIRECTORY
  output: dir opened (file=%fd.name flags=%evt.arg.flags typechar=%fd.typechar)
  priority: NOTICE
- rule: Outbound
  desc: test
  condition: evt.type = connect and fd.sip = 10.0.0.1
  output: connect (proc=%proc.name to=%fd.name host=%evt.hostname at=%evt.time)
  priority: NOTICE
EOF

# replay ARGS...: run vigil replay; $out is stdout, $err stderr, $rc the status
replay() {
	"$vigil" replay "$@" >"$dir/out" 2>"$dir/err"
	rc=$?
	out=$(cat "$dir/out")
	err=$(cat "$dir/err")
}

# check NAME CODE WANT_STDOUT ERR_PATTERN: the last replay's status, exact stdout, stderr
check() {
	checks=$((checks + 1))
	if [[ $rc -ne $2 ]]; then
		echo "FAIL: $1: exit $rc, expected $2; stderr: $err"
		failures=$((failures + 1))
	elif [[ "$out" != "$3" ]]; then
		echo "FAIL: $1: stdout differs:"
		diff <(echo "$3") <(echo "$out")
		failures=$((failures + 1))
	elif ! grep -qE -- "$4" <<<"$err"; then
		echo "FAIL: $1: stderr '$err', expected /$4/"
		failures=$((failures + 1))
	else
		echo "ok: $1"
	fi
}

shadow_web='10:00:10.000000000: Warning shadow read (proc=cat pid=1234 parent=bash cmdline=cat /etc/shadow container=0123456789ab cname=web image=nginx:1.25 user=root)'
shadow_host='10:00:20.000000000: Warning shadow read (proc=curl pid=2000 parent=bash cmdline=curl https://10.0.0.1/ container=host cname=host image=<NA> user=alice)'
connect='10:00:30.000000000: Notice connect (proc=curl to=192.168.1.2:40000->10.0.0.1:443 host=capture-host at=10:00:30.000000000)'
dir_open='10:00:40.000000000: Notice dir opened (file=/var/tmp flags=O_RDONLY|O_DIRECTORY typechar=d)'
all=$(printf '%s\n' "$shadow_web" "$shadow_host" "$connect" "$dir_open")

# the recorded state answers every field, times and host name are the capture's
replay "$dir/story.vgc" -r "$dir/rules.yaml"
check "alerts" 0 "$all" '^vigil: replay: 1 file, 5 events replayed, 4 alerts$'

replay --json "$dir/story.vgc" -r "$dir/rules.yaml"
want='{"hostname":"capture-host","output":"10:00:10.000000000: Warning shadow read (proc=cat pid=1234 parent=bash cmdline=cat /etc/shadow container=0123456789ab cname=web image=nginx:1.25 user=root)","output_fields":{"evt.time":1796464810000000000,"proc.name":"cat","proc.pid":1234,"proc.pname":"bash","proc.cmdline":"cat /etc/shadow","container.id":"0123456789ab","container.name":"web","container.image":"nginx:1.25","user.name":"root"},"priority":"Warning","rule":"Read shadow","source":"syscall","tags":[],"time":"2026-12-05T10:00:10.000000000Z"}'
out=$(head -1 <<<"$out")
check "json alert" 0 "$want" '^\{"vigil_replay": \{"files": 1, "files_failed": 0, "events_read": 5, "events_replayed": 5, "not_selected": 0, "alerts": 4,'

# a capture made on arm64: its O_DIRECTORY (and O_NOFOLLOW) are this host's
# (and on arm64, a capture made on x86_64)
foreign=$([[ $(uname -m) == x86_64 ]] && echo arm64 || echo x86_64)
replay "$dir/$foreign.vgc" -r "$dir/rules.yaml"
nofollow_dir=${dir_open/O_RDONLY|O_DIRECTORY/O_RDONLY|O_DIRECTORY|O_NOFOLLOW}
check "$foreign capture" 0 "$(printf '%s\n' "$shadow_web" "$shadow_host" "$connect" "$nofollow_dir")" \
	'^vigil: replay: 1 file, 5 events replayed, 4 alerts$'
replay --json "$dir/$foreign.vgc" -r "$dir/rules.yaml"
check "$foreign capture: translated" 0 "$out" '"translated": 5,'

# --events: every event with its context, and only these kinds
replay --events "$dir/story.vgc"
check "events" 0 "$(cat <<'EOF'
10:00:00.000000000 execve cat[1234/1234] ppid=1000 uid=0 res=0 filename="/usr/bin/cat" args=["cat", "/etc/shadow"] exe="/usr/bin/cat" cwd="/" proc.exepath="/usr/bin/cat" proc.cmdline="cat /etc/shadow" proc.ancestors=bash[1000],systemd[1] user.name="root" user.loginname=<NA> container.id="0123456789ab" container.name="web" container.image="nginx:1.25" k8s.ns.name=<NA> k8s.pod.name=<NA>
10:00:10.000000000 openat cat[1234/1234] ppid=1000 uid=0 res=3 dirfd=-100 name="/etc/shadow" path="/etc/shadow" flags=O_RDONLY mode=0 proc.exepath="/usr/bin/cat" proc.cmdline="cat /etc/shadow" proc.ancestors=bash[1000],systemd[1] user.name="root" user.loginname=<NA> container.id="0123456789ab" container.name="web" container.image="nginx:1.25" k8s.ns.name=<NA> k8s.pod.name=<NA>
10:00:20.000000000 openat curl[2000/2000] ppid=1000 uid=1000 res=3 dirfd=-100 name="/etc/shadow" path="/etc/shadow" flags=O_RDONLY mode=0 proc.exepath="/usr/bin/curl" proc.cmdline="curl https://10.0.0.1/" proc.ancestors=bash[1000],systemd[1] user.name="alice" user.loginname=<NA> container.id="host" container.name="host" container.image=<NA> k8s.ns.name=<NA> k8s.pod.name=<NA>
10:00:30.000000000 connect curl[2000/2000] ppid=1000 uid=1000 res=0 fd=5 addr=10.0.0.1:443 laddr=192.168.1.2:40000 proc.exepath="/usr/bin/curl" proc.cmdline="curl https://10.0.0.1/" proc.ancestors=bash[1000],systemd[1] user.name="alice" user.loginname=<NA> container.id="host" container.name="host" container.image=<NA> k8s.ns.name=<NA> k8s.pod.name=<NA>
10:00:40.000000000 openat curl[2000/2000] ppid=1000 uid=1000 res=3 dirfd=-100 name="/var/tmp" path="/var/tmp" flags=O_RDONLY|O_DIRECTORY mode=0 proc.exepath="/usr/bin/curl" proc.cmdline="curl https://10.0.0.1/" proc.ancestors=bash[1000],systemd[1] user.name="alice" user.loginname=<NA> container.id="host" container.name="host" container.image=<NA> k8s.ns.name=<NA> k8s.pod.name=<NA>
EOF
)" '^vigil: replay: 1 file, 5 events replayed, 0 alerts$'
replay --events connect "$dir/story.vgc"
check "events of one kind" 0 '10:00:30.000000000 connect curl[2000/2000] ppid=1000 uid=1000 res=0 fd=5 addr=10.0.0.1:443 laddr=192.168.1.2:40000 proc.exepath="/usr/bin/curl" proc.cmdline="curl https://10.0.0.1/" proc.ancestors=bash[1000],systemd[1] user.name="alice" user.loginname=<NA> container.id="host" container.name="host" container.image=<NA> k8s.ns.name=<NA> k8s.pod.name=<NA>' \
	'^vigil: replay: 1 file, 5 events replayed, 0 alerts$'
replay --json --events=execve "$dir/story.vgc"
check "json events" 0 "$out" '"events_replayed": 5'
grep -q '"type": "execve"' <<<"$out" && grep -q '"container.name": "web"' <<<"$out" ||
	{ echo "FAIL: --json --events=execve printed: $out"; failures=$((failures + 1)); }

# selection: the state is still applied, only the chosen events are evaluated
sel='^vigil: replay: 1 file, ([0-9]) events replayed \(of 5 read; [0-9] not selected\)'
replay "$dir/story.vgc" -r "$dir/rules.yaml" --since 2026-12-05T10:00:15Z --until 1796464835
check "--since --until" 0 "$(printf '%s\n' "$shadow_host" "$connect")" "$sel, 2 alerts$"
replay "$dir/story.vgc" -r "$dir/rules.yaml" --since 2026-12-05T11:00:39+01:00
check "--since with an offset" 0 "$dir_open" "$sel, 1 alert$"
replay "$dir/story.vgc" -r "$dir/rules.yaml" --pid 1234
check "--pid" 0 "$shadow_web" "$sel, 1 alert$"
for c in web 0123456789ab 0123456789abcdef0123; do
	replay "$dir/story.vgc" -r "$dir/rules.yaml" --container "$c"
	check "--container $c" 0 "$shadow_web" "$sel, 1 alert$"
done
replay "$dir/story.vgc" -r "$dir/rules.yaml" --container host
check "--container host" 0 "$(printf '%s\n' "$shadow_host" "$connect" "$dir_open")" "$sel, 3 alerts$"
replay "$dir/story.vgc" -r "$dir/rules.yaml" --container 0123456789a
check "--container short prefix" 0 "" "0 events replayed \(of 5 read; 5 not selected\), 0 alerts$"
replay "$dir/story.vgc" -r "$dir/rules.yaml" --filter 'proc.name = curl and evt.type = openat'
check "--filter" 0 "$(printf '%s\n' "$shadow_host" "$dir_open")" "$sel, 2 alerts$"

# files that cannot be read: named, the others still replayed, exit 1
replay "$dir/none.vgc" -r "$dir/rules.yaml"
check "missing file" 1 "" "^vigil: error: $dir/none.vgc: cannot open: No such file or directory$"
replay "$dir/rules.yaml" "$dir/story.vgc" -r "$dir/rules.yaml"
check "not a capture" 1 "$all" "^vigil: error: $dir/rules.yaml: not a vigil capture file \(bad magic\)$"
grep -q '^vigil: replay: 1 file could not be read' <<<"$err" ||
	{ echo "FAIL: no 'could not be read' line: $err"; failures=$((failures + 1)); }
cp "$dir/story.vgc" "$dir/newfmt.vgc"
printf '\002' | dd of="$dir/newfmt.vgc" bs=1 seek=8 conv=notrunc status=none
replay "$dir/newfmt.vgc" -r "$dir/rules.yaml"
check "newer format" 1 "" "^vigil: error: $dir/newfmt.vgc: capture format version 2 is newer than this vigil reads \(1\)$"
replay "$dir/newwire.vgc" -r "$dir/rules.yaml"
check "newer wire format" 1 "" "^vigil: error: $dir/newwire.vgc: its events are in wire format 5, this vigil reads up to 4: replay it with a newer vigil$"

# damage: skipped, said where, counted in the summary, exit 3
cp "$dir/big.vgc" "$dir/cut.vgc"
truncate -s 5000 "$dir/cut.vgc"
replay "$dir/cut.vgc" -r "$dir/rules.yaml"
check "truncated" 3 "$(head -"$(wc -l <"$dir/out")" <<<"$out")" \
	"^vigil: warning: $dir/cut.vgc: offset [0-9]+: file ends inside a block \(truncated\); [0-9]+ records lost$"
grep -qE '^vigil: replay: skipped [1-9][0-9]* records \([0-9]+ bytes\) of damaged data: 0 damaged blocks, 1 file cut short; 0 undecodable events, 0 bad state records$' <<<"$err" ||
	{ echo "FAIL: truncated summary: $err"; failures=$((failures + 1)); }
n_cut=$(wc -l <"$dir/out")
cp "$dir/big.vgc" "$dir/bad.vgc"
printf 'XXXX' | dd of="$dir/bad.vgc" bs=1 seek=3000 conv=notrunc status=none
replay --json "$dir/bad.vgc" -r "$dir/rules.yaml"
check "damaged block" 3 "$out" "^vigil: warning: $dir/bad.vgc: offset [0-9]+: block data checksum mismatch; skipped block \([0-9]+ records\)$"
grep -qE '"skipped": \{"blocks": 1, "records": [1-9][0-9]*, ' <<<"$err" ||
	{ echo "FAIL: damaged block summary: $err"; failures=$((failures + 1)); }
[[ $n_cut -gt 0 && $(wc -l <"$dir/out") -gt $n_cut ]] ||
	{ echo "FAIL: damage lost more than its block"; failures=$((failures + 1)); }

# losses recorded by the writer are reported with the file
replay "$dir/lossy.vgc" -r "$dir/rules.yaml"
check "writer losses" 0 "$all" "^vigil: warning: $dir/lossy.vgc: 5 events were not recorded here \(writer lost them\)$"

# usage
expect 2 "error: replay: no capture file given" -- replay -r "$dir/rules.yaml"
expect 2 "error: --since: 'yesterday' is not a time" -- replay "$dir/story.vgc" --since yesterday
expect 2 "error: --until is not after --since" -- replay "$dir/story.vgc" --since 20 --until 10
expect 2 "error: --pid: '0' is not a process id" -- replay "$dir/story.vgc" --pid 0
expect 2 "error: --filter: column 12: expected a value after '='" -- replay "$dir/story.vgc" --filter 'proc.name = '
expect 2 "error: --events: unknown event 'opnat'" -- replay "$dir/story.vgc" --events=opnat
expect 0 "usage: vigil replay FILE" -- replay --help
# vigil run's capture options fail before anything needs root
: >"$dir/empty.yaml"
expect 2 "error: --capture-filter: column 1: unknown field 'container.idd'" -- \
	run -c "$dir/empty.yaml" -w "$dir/x.vgc" --capture-filter 'container.idd != host'
expect 2 "error: --capture-filter: only with -w PATH" -- run -c "$dir/empty.yaml" --capture-filter 'container.id != host'
printf 'capture:\n  path: %s\n  filter: "proc.name ="\n' "$dir/x.vgc" >"$dir/bad.yaml"
expect 1 "^vigil: $dir/bad.yaml:3:11: error: capture.filter: column 12: expected a value after '='$" -- \
	run --check-config -c "$dir/bad.yaml"

expect_done
