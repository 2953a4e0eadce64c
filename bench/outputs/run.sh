#!/usr/bin/env bash
# Output benchmark: what the output stage delivers and what it costs, against
# real local receivers (127.0.0.1 only). Three parts, each printing its
# figures; see bench/README.md.
#
#   throughput  alerts per second end to end through each output on its own:
#               the open workload paced at -R opens/s for -d s, every open an
#               alert; vigil stops when the workload ends and gets all the
#               time it needs to drain (queue large enough to lose nothing);
#               delivered/s = alerts the receiver got / (workload start ->
#               vigil's exit). Receivers: file, rsyslog (UDP, TCP), nginx
#               (webhook, one alert per request), a Python receiver (webhook
#               batches of 100, NDJSON), `cat` (program), nats-server with a
#               subscriber (nats), /dev/null (stdout).
#   outage      a webhook receiver down for -o s while alerts come at -a/s
#               (batches of 100): vigil's RSS sampled every second, with and
#               without a spool; then the receiver comes back and what
#               arrives is counted (with a spool: everything; without:
#               sent + lost = raised, exactly).
#   slow        the open workload flat out for -d s with a fast output (file)
#               and with a webhook whose receiver hangs (alerts pile up and
#               are dropped), alternating for -r rounds: the workload's
#               opens/s and the events/s vigil's pipeline took from the ring
#               buffer (flat out, more opens than vigil can take: the rest
#               are rb_full). The event path must not slow down when a sink
#               does.
#
#	sudo bash bench/outputs/run.sh [-d SECS] [-R RATE] [-o OUTAGE_SECS] [-a OUTAGE_RATE]
#	                               [-r ROUNDS] [-p "throughput outage slow"]
#	                               [-s "file stdout syslog-udp syslog-tcp webhook webhook-batch program nats"]
#
# Needs rsyslog, nginx (nginx-light), nats-server, python3. Environment: VIGIL
# (default build/vigil), WORKLOAD (default build/vigil-workload).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
here="$root/bench/outputs"
vigil=${VIGIL:-$root/build/vigil}
workload=${WORKLOAD:-$root/build/vigil-workload}
secs=10
rate=20000
outage=60
outage_rate=5000
rounds=3
parts="throughput outage slow"
sinks="file stdout syslog-udp syslog-tcp webhook webhook-batch program nats"

die() {
	echo "bench: $*" >&2
	exit 1
}

while getopts "d:R:o:a:r:p:s:h" opt; do
	case "$opt" in
	d) secs=$OPTARG ;;
	R) rate=$OPTARG ;;
	o) outage=$OPTARG ;;
	a) outage_rate=$OPTARG ;;
	r) rounds=$OPTARG ;;
	p) parts=$OPTARG ;;
	s) sinks=$OPTARG ;;
	*) sed -n '2,30p' "$0" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" -eq 0 ] || die "must run as root (vigil loads BPF programs)"
[ -x "$vigil" ] || die "no vigil at $vigil (build first)"
[ -x "$workload" ] || die "no workload at $workload (build first)"

work=$(mktemp -d /var/tmp/vigil-bench-out.XXXXXX)
chmod 755 "$work"
mkdir -p "$work/wl" "$work/out"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	[ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { # wait_port PORT [tcp|udp]
	for _ in $(seq 100); do
		ss -ltnu | grep -q "127.0.0.1:$1 " && return 0
		sleep 0.1
	done
	die "nothing listens on 127.0.0.1:$1"
}

cat >"$work/rules.yaml" <<EOF
- rule: bench open
  desc: an open of the benchmark workload's file
  condition: evt.type in (open, openat, openat2) and fd.name startswith $work/wl/
  output: "bench open (file=%fd.name proc=%proc.name cmdline=%proc.cmdline user=%user.name)"
  priority: WARNING
  tags: [bench]
EOF

# vigil_start OUTPUT_YAML [DRAIN_TIMEOUT]: starts vigil, waits for ready
vigil_start() {
	printf 'drain_timeout: %s\noutputs:\n%s\n' "${2:-1h}" "$1" >"$work/vigil.yaml"
	"$vigil" run -c "$work/vigil.yaml" -r "$work/rules.yaml" --json \
		>"$work/vigil.out" 2>"$work/vigil.err" &
	vpid=$!
	for _ in $(seq 600); do
		grep -q "vigil: ready" "$work/vigil.err" && return 0
		kill -0 "$vpid" 2>/dev/null || { cat "$work/vigil.err" >&2; die "vigil exited"; }
		sleep 0.1
	done
	die "vigil not ready"
}
vigil_stop() { # stops vigil, leaves its stats in $work/stats.json
	kill -TERM "$vpid"
	wait "$vpid" || true
	grep '^{"vigil_stats"' "$work/vigil.err" | tail -n 1 | jq .vigil_stats >"$work/stats.json"
}
stat() { jq -r "$1" "$work/stats.json"; }
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# --- receivers -------------------------------------------------------------
start_rsyslog() { # start_rsyslog udp|tcp PORT
	cat >"$work/rsyslog.conf" <<EOF
global(workDirectory="$work")
module(load="im$1")
input(type="im$1" address="127.0.0.1" port="$2")
template(name="line" type="string" string="%msg%\n")
action(type="omfile" file="$work/out/syslog.txt" template="line"
       asyncWriting="on" flushInterval="1" ioBufferSize="256k")
EOF
	rm -f "$work/rsyslog.pid"
	rsyslogd -n -f "$work/rsyslog.conf" -i "$work/rsyslog.pid" &
	pids+=($!)
	wait_port "$2"
}
start_nginx() { # start_nginx PORT
	cat >"$work/nginx.conf" <<EOF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx.error.log;
events { worker_connections 1024; }
http {
    access_log $work/out/nginx.log;
    client_body_temp_path $work/nginx-body;
    server { listen 127.0.0.1:$1; location / { return 200; } }
}
EOF
	nginx -c "$work/nginx.conf" -p "$work"
	wait_port "$1"
}
start_nats() { # start_nats PORT SUBJECT
	nats-server -a 127.0.0.1 -p "$1" >"$work/nats.log" 2>&1 &
	pids+=($!)
	wait_port "$1"
	python3 "$here/receiver.py" nats "$1" "$2" "$work/out/nats.count" &
	pids+=($!)
	sleep 0.5
}
start_http() { # start_http PORT [--hang-until FILE]
	python3 "$here/receiver.py" http "$1" "$work/out/http.count" "${@:2}" &
	pids+=($!)
	wait_port "$1"
}
stop_receivers() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	[ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null && rm -f "$work/nginx.pid"
	wait 2>/dev/null || true
	pids=()
}
count_of() { # what the receiver of SINK got
	case "$1" in
	file) wc -l <"$work/out/alerts.json" ;;
	stdout) stat '.outputs["out"].sent' ;;
	syslog-*) wc -l <"$work/out/syslog.txt" ;;
	webhook) wc -l <"$work/out/nginx.log" ;;
	webhook-batch) cat "$work/out/http.count" ;;
	program) wc -l <"$work/out/program.txt" ;;
	nats) cat "$work/out/nats.count" ;;
	esac
}

# The output of SINK (one yaml list item) in $out_yaml, its receiver started.
setup_sink() {
	local q="queue: {size: $((secs * rate * 3 / 2 + 1000))}" port
	port=$(free_port)
	case "$1" in
	file) out_yaml="  - {type: file, name: out, path: $work/out/alerts.json, format: json, $q}" ;;
	stdout) out_yaml="  - {type: stdout, name: out, format: json, $q}" ;;
	syslog-udp | syslog-tcp)
		start_rsyslog "${1#syslog-}" "$port"
		out_yaml="  - {type: syslog, name: out, address: \"${1#syslog-}://127.0.0.1:$port\", $q}" ;;
	webhook)
		start_nginx "$port"
		out_yaml="  - {type: webhook, name: out, url: \"http://127.0.0.1:$port/\", $q}" ;;
	webhook-batch)
		start_http "$port"
		out_yaml="  - {type: webhook, name: out, url: \"http://127.0.0.1:$port/\", batch: {size: 100, format: ndjson, linger: 20ms}, $q}" ;;
	program) out_yaml="  - {type: program, name: out, command: \"cat > $work/out/program.txt\", $q}" ;;
	nats)
		start_nats "$port" vigil.bench
		out_yaml="  - {type: nats, name: out, url: \"nats://127.0.0.1:$port\", subject: vigil.bench, $q}" ;;
	*) die "unknown sink $1" ;;
	esac
}

part_throughput() {
	echo "== throughput: the open workload at $rate opens/s for $secs s, every open an alert"
	printf '%-14s %9s %9s %9s %6s %12s\n' output raised sent received lost delivered/s
	for sink in $sinks; do
		rm -f "$work/out"/*
		setup_sink "$sink"
		vigil_start "$out_yaml"
		t0=$(now)
		"$workload" open -d "$secs" -R "$rate" -t "$work/wl" >/dev/null
		vigil_stop
		t1=$(now)
		sleep 1.5 # receivers write their last lines
		got=$(count_of "$sink" | tr -d ' ')
		lost=$(stat '[.outputs["out"].lost[]] | add')
		printf '%-14s %9s %9s %9s %6s %12.0f\n' "$sink" "$(stat .alerts)" \
			"$(stat '.outputs["out"].sent')" "$got" "$lost" \
			"$(echo "$got / ($t1 - $t0)" | bc -l)"
		stop_receivers
	done
}

# One outage run: SPOOL is "yes" or "no".
outage_run() {
	local port spool="" total rss max=0 t
	port=$(free_port)
	rm -f "$work/out"/*
	[ "$1" = yes ] && spool=", spool: $work/spool, spool_max: 4G"
	vigil_start "  - {type: webhook, name: out, url: \"http://127.0.0.1:$port/\", batch: {size: 100, format: ndjson, linger: 20ms}, retry: {initial: 100ms, max: 1s}, queue: {size: 10000$spool}}"
	"$workload" open -d "$outage" -R "$outage_rate" -t "$work/wl" >"$work/wl.out" &
	wl=$!
	t=0
	while kill -0 "$wl" 2>/dev/null; do
		rss=$(rss_kib "$vpid")
		[ "$rss" -gt "$max" ] && max=$rss
		sleep 1
		t=$((t + 1))
	done
	wait "$wl"
	total=$(sed -n 's/.* ops=\([0-9]*\) .*/\1/p' "$work/wl.out")
	start_http "$port"
	# wait until the receiver's count stops moving for 3 s
	local last=-1 same=0 got
	while [ "$same" -lt 30 ]; do
		got=$(cat "$work/out/http.count" 2>/dev/null || echo 0)
		rss=$(rss_kib "$vpid")
		[ "$rss" -gt "$max" ] && max=$rss
		if [ "$got" = "$last" ]; then same=$((same + 1)); else same=0; last=$got; fi
		sleep 0.1
	done
	vigil_stop
	stop_receivers
	printf '%-8s %9s %9s %9s %9s %9s %10s\n' "$1" "$total" "$(stat .alerts)" \
		"$(stat '.outputs["out"].sent')" "$got" "$(stat '[.outputs["out"].lost[]] | add')" \
		"$((max / 1024)) MiB"
	rm -rf "$work/spool"
}

part_outage() {
	echo "== outage: webhook receiver down for $outage s at $outage_rate alerts/s (queue 10000)"
	printf '%-8s %9s %9s %9s %9s %9s %10s\n' spool opens raised sent received lost "max RSS"
	outage_run no
	outage_run yes
}

part_slow() {
	local port ops file_ops=() slow_ops=() file_rx=() slow_rx=() rx
	echo "== slow: the open workload flat out for $secs s, every open an alert, $rounds rounds"
	printf '%-8s %-5s %12s %14s %12s %12s\n' round output opens/s "vigil events/s" rb_full \
		"alerts lost"
	port=$(free_port)
	for r in $(seq "$rounds"); do
		for kind in file slow; do
			rm -f "$work/out"/*
			if [ "$kind" = file ]; then
				vigil_start "  - {type: file, name: out, path: $work/out/alerts.json, format: json}" 1s
			else
				start_http "$port" --hang-until "$work/never"
				vigil_start "  - {type: webhook, name: out, url: \"http://127.0.0.1:$port/\", timeout: 1h}" 1s
			fi
			ops=$("$workload" open -d "$secs" -t "$work/wl" |
				sed -n 's/.* ops_per_sec=\([0-9.]*\) .*/\1/p')
			vigil_stop
			stop_receivers
			rx=$(echo "$(stat .received) / $secs" | bc -l)
			if [ "$kind" = file ]; then
				file_ops+=("$ops") file_rx+=("$rx")
			else
				slow_ops+=("$ops") slow_rx+=("$rx")
			fi
			printf '%-8s %-5s %12.0f %14.0f %12s %12s\n' "$r" "$kind" "$ops" "$rx" \
				"$(stat .kernel.rb_full)" "$(stat '[.outputs["out"].lost[]] | add')"
		done
	done
	median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
	printf 'medians: opens/s file %.0f, hung webhook %.0f (ratio %.3f); vigil events/s file %.0f, hung webhook %.0f (ratio %.3f)\n' \
		"$(median "${file_ops[@]}")" "$(median "${slow_ops[@]}")" \
		"$(echo "$(median "${slow_ops[@]}") / $(median "${file_ops[@]}")" | bc -l)" \
		"$(median "${file_rx[@]}")" "$(median "${slow_rx[@]}")" \
		"$(echo "$(median "${slow_rx[@]}") / $(median "${file_rx[@]}")" | bc -l)"
}

for p in $parts; do
	"part_$p"
done
