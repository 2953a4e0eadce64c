#!/usr/bin/env bash
# A second Docker daemon for the tests, apart from the host's: its own data
# root, exec root, socket and pid file, no bridge, and its own network
# namespace (unshare --net: its iptables chains, which --icc=false needs,
# and any TCP listener stay there; nothing on the host's network changes). Used by the soak (tests/soak/run.sh) and the
# daemon posture e2e test (tests/e2e/test_daemon_posture.c).
#
#	bash tests/soak/dockerd.sh start NAME [DOCKERD_FLAGS...]
#	bash tests/soak/dockerd.sh stop NAME
#	bash tests/soak/dockerd.sh image NAME     (imports the offline busybox image)
#
# start prints the DOCKER_HOST to use (unix:///run/vigil-NAME-docker.sock)
# once the daemon answers (60 s at most). With --userns-remap=default,
# dockerd creates the user dockremap and its subordinate ids when missing;
# stop removes them again if this script's start saw them missing.
set -euo pipefail

cmd=${1:?usage: dockerd.sh start|stop|image NAME [FLAGS...]}
name=${2:?usage: dockerd.sh start|stop|image NAME [FLAGS...]}
shift 2
base=/tmp/vigil-$name-docker
sock=/run/vigil-$name-docker.sock
pidfile=/run/vigil-$name-docker.pid
host=unix://$sock
image=vigil-e2e/busybox:1.0

start() {
	mkdir -p "$base"
	if ! id dockremap >/dev/null 2>&1; then
		touch "$base/created-dockremap"
	fi
	# the exec root holds containerd's sockets: keep its path short
	setsid unshare --net sh -c 'ip link set lo up && exec "$@"' sh \
		dockerd --data-root "$base/data" --exec-root "/run/vigil-$name-dx" \
		-H "$host" --pidfile "$pidfile" --bridge=none --ip6tables=false "$@" \
		>"$base/dockerd.log" 2>&1 </dev/null &
	local pid=$!
	for _ in $(seq 60); do
		if docker -H "$host" info >/dev/null 2>&1; then
			echo "$host"
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 1
	done
	echo "dockerd.sh: dockerd $name did not answer (60 s at most); its log:" >&2
	tail -n 30 "$base/dockerd.log" >&2
	return 1
}

stop() {
	local pid
	if [ -f "$pidfile" ]; then
		pid=$(cat "$pidfile")
		docker -H "$host" ps -aq 2>/dev/null | xargs -r docker -H "$host" rm -f >/dev/null 2>&1 || true
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 30); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 1
		done
		kill -9 "$pid" 2>/dev/null || true
	fi
	# anything still mounted below the roots goes before the directories
	grep -oE " ($base|/run/vigil-$name-dx)[^ ]*" /proc/self/mounts | sort -r |
		xargs -r -n1 umount -l 2>/dev/null || true
	if [ -f "$base/created-dockremap" ] && id dockremap >/dev/null 2>&1; then
		userdel dockremap 2>/dev/null || true
		sed -i '/^dockremap:/d' /etc/subuid /etc/subgid 2>/dev/null || true
	fi
	# with --userns-remap the exec root gets a sibling named for the remapped ids
	rm -rf "$base" "/run/vigil-$name-dx" "/run/vigil-$name-dx".* "$sock" "$pidfile"
}

# The offline image of the e2e tests (tests/e2e/harness_docker.c), from /bin/busybox.
import_image() {
	local d rc
	docker -H "$host" image inspect "$image" >/dev/null 2>&1 && return 0
	d=$(mktemp -d)
	mkdir "$d/bin"
	cp /bin/busybox "$d/bin/"
	for a in $(/bin/busybox --list); do
		[ "$a" = busybox ] || ln -s busybox "$d/bin/$a"
	done
	rc=0
	tar -C "$d" -c . | docker -H "$host" import - "$image" >/dev/null || rc=$?
	rm -rf "$d"
	return $rc
}

case $cmd in
start) start "$@" ;;
stop) stop ;;
image) import_image ;;
*)
	echo "dockerd.sh: unknown command $cmd" >&2
	exit 2
	;;
esac
