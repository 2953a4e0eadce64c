#!/usr/bin/env bash
# Run the image the way packaging/kubernetes/daemonset.yaml runs it, with
# Docker: the manifest's container (args, capabilities, read-only root,
# no privilege escalation, seccomp, memory limit, host PID namespace, volume
# mounts) is read with python3-yaml and turned into `docker run` options
# (tests/pkg/ds2docker.py), then:
#
#	tests/pkg/daemonset.sh IMAGE WORKDIR
#
#   1. vigil, in a cgroup namespace of its own (--cgroupns=private, as a pod
#      on a cgroup v2 node), attaches ("vigil: ready") and raises an alert for
#      a process on the host (container.id host), for one in a container
#      started after it and for a `docker exec` in one started before it
#      (their id, name and image), from a local rule mounted beside the
#      ConfigMap's;
#      the manifest's httpGet probes answer 200 on the container's address;
#   2. SIGHUP reloads the rules;
#   3. without each one of CAP_BPF and CAP_PERFMON it stops at start with a
#      message naming the capability.
# Host paths the manifest creates on a node that lacks them (DirectoryOrCreate)
# are left out here rather than created on the host. Containers are named
# wt-pkg-ds-* and removed at exit.
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 IMAGE WORKDIR" >&2
	exit 2
fi
image=$1 work=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)
manifest=$src/packaging/kubernetes/daemonset.yaml
tag=wt-pkg-ds-$$
marker=vigil-pkg-marker-$$
target_image=vigil-build/debian:12
me=daemonset
# shellcheck source=tests/pkg/lib.sh
. "$src/tests/pkg/lib.sh"
cleanup() {
	docker rm -f "$tag" "$tag-target" "$tag-pre" "$tag-nocap" >/dev/null 2>&1 || true
}
trap cleanup EXIT

mkdir -p "$work"
docker image inspect "$image" >/dev/null 2>&1 || die "no image $image (tests/pkg/container.sh builds it)"
docker image inspect "$target_image" >/dev/null 2>&1 || die "no image $target_image"

# A rule for the two processes this test starts, mounted beside the
# ConfigMap's rules (the same place a site's rules go).
cat >"$work/zz_pkg_test.yaml" <<EOF
- rule: pkg test marker
  desc: the package test's marker process
  condition: evt.type in (execve, execveat) and evt.rawres = 0 and proc.args contains "$marker"
  output: marker exec (args=%proc.args container=%container.id name=%container.name image=%container.image.repository)
  priority: WARNING
EOF
# Debian 12's dockerd (20.10) refuses --cap-add BPF ("unknown capability"):
# there the manifest's fallback for older runtimes, SYS_ADMIN, stands in for
# BPF and PERFMON.
compat=()
no_caps=(BPF:CAP_BPF PERFMON:CAP_PERFMON) # dropped:named in the message
probe=$(docker run --rm --name "$tag-capprobe" --network none --cap-drop ALL --cap-add BPF \
	"$image" version 2>&1) || true
if grep -q 'unknown capability' <<<"$probe"; then
	echo "daemonset: this dockerd does not know CAP_BPF / CAP_PERFMON: SYS_ADMIN in their place"
	compat=(--old-runtime)
	no_caps=(SYS_ADMIN:CAP_BPF)
fi
mapfile -t opts < <(python3 "$here/ds2docker.py" "${compat[@]}" "$manifest" "$work")
mapfile -t args < <(python3 "$here/ds2docker.py" --args "$manifest")
# In its own cgroup namespace, as every pod on a cgroup v2 node (and Docker's
# default there): other containers' cgroups then read relative to vigil's
# ("/../<id>"), and the manifest's /host/sys/fs/cgroup tells where vigil is.
opts+=(--cgroupns=private)
echo "daemonset: docker run ${opts[*]} -v $work/zz_pkg_test.yaml:/etc/vigil/rules.d/zz_pkg_test.yaml:ro $image ${args[*]}"

# wait_log NAME PATTERN SECONDS: until NAME's output has PATTERN, or it exits.
wait_log() {
	local i
	for ((i = 0; i < $3 * 2; i++)); do
		docker logs "$1" 2>&1 | grep -qE -- "$2" && return 0
		[ "$(docker inspect -f '{{.State.Running}}' "$1" 2>/dev/null)" = true ] || break
		sleep 0.5
	done
	docker logs "$1" 2>&1 | grep -qE -- "$2"
}

# --- 1. attach, alerts for the host and another container -----------------------------
# A container that runs before vigil starts: the `docker exec` in it below is
# read from /proc/PID/cgroup (its cgroup is not known to vigil from any
# earlier, exited process's cgroup id).
pre_id=$(docker run -d --name "$tag-pre" --network none "$target_image" sleep 120)
start=$(date +%s)
docker run -d --name "$tag" "${opts[@]}" \
	-v "$work/zz_pkg_test.yaml:/etc/vigil/rules.d/zz_pkg_test.yaml:ro" \
	"$image" "${args[@]}" >/dev/null
if wait_log "$tag" '^vigil: ready$' 120; then
	ok "vigil attached in $(($(date +%s) - start)) s"
else
	docker logs "$tag" 2>&1 | tail -n 30
	fail "vigil did not attach"
fi

/bin/true "$marker-host"
# the marked process lives 2 s: the metadata of a process that is gone
# before vigil reads its /proc/PID/cgroup is a separate matter
target_id=$(docker run -d --name "$tag-target" --network none "$target_image" \
	/bin/sh -c "sleep 1; exec /bin/sh -c 'sleep 2' $marker-ctr")
docker wait "$tag-target" >/dev/null
docker exec "$tag-pre" /bin/sh -c 'sleep 1; true' "$marker-exec"

# alert ARGS: container.id|name|image of the marker alert for a process
# whose arguments are ARGS.
alert() {
	docker logs "$tag" 2>/dev/null | WANT=$1 python3 -c '
import json, os, sys
want = os.environ["WANT"]
for line in sys.stdin:
    try:
        a = json.loads(line)
    except ValueError:
        continue
    f = a.get("output_fields", {})
    if a.get("rule") == "pkg test marker" and f.get("proc.args") == want:
        print("|".join(str(f.get(k) or "") for k in
                       ("container.id", "container.name", "container.image.repository")))
        break'
}
for ((i = 0; i < 20; i++)); do
	[ -n "$(alert "$marker-host")" ] && [ -n "$(alert "-c sleep 2 $marker-ctr")" ] &&
		[ -n "$(alert "-c sleep 1; true $marker-exec")" ] && break
	sleep 0.5
done
got=$(alert "$marker-host")
if [ "$got" = "host|host|" ]; then
	ok "host process: container.id, name, image '$got'"
else
	fail "host process alert: '$got', expected 'host|host|'"
fi
want="${target_id:0:12}|$tag-target|${target_image%:*}"
got=$(alert "-c sleep 2 $marker-ctr")
if [ "$got" = "$want" ]; then
	ok "container process: container.id, name, image '$got'"
else
	fail "container process alert: '$got', expected '$want'"
fi

want="${pre_id:0:12}|$tag-pre|${target_image%:*}"
got=$(alert "-c sleep 1; true $marker-exec")
if [ "$got" = "$want" ]; then
	ok "docker exec in a running container: container.id, name, image '$got'"
else
	fail "docker exec alert: '$got', expected '$want'"
fi

# The manifest's httpGet probes, on the container's address.
ip=$(docker inspect -f '{{.NetworkSettings.IPAddress}}' "$tag")
while read -r kind port path; do
	code=$(python3 -c 'import sys, urllib.request
try:
    print(urllib.request.urlopen(sys.argv[1], timeout=5).status)
except Exception as e:
    print(getattr(e, "code", e))' "http://$ip:$port$path" 2>&1)
	check "$kind: GET http://$ip:$port$path: $code" "$kind: GET http://$ip:$port$path: $code" \
		[ "$code" = 200 ]
done < <(python3 "$here/ds2docker.py" --probes "$manifest")

# --- 2. SIGHUP reloads ----------------------------------------------------------------------
docker kill -s HUP "$tag" >/dev/null
if wait_log "$tag" '^vigil: rules reloaded: [0-9]+ rules$' 30; then
	ok "SIGHUP: $(docker logs "$tag" 2>&1 | grep -E '^vigil: rules reloaded' | tail -n 1)"
else
	fail "no reload after SIGHUP"
fi
docker logs "$tag" >"$work/vigil.stdout" 2>"$work/vigil.stderr" || true
docker rm -f "$tag" >/dev/null

# --- 3. one capability fewer ---------------------------------------------------------------
for pair in "${no_caps[@]}"; do
	cap=${pair%%:*} name=${pair#*:}
	mapfile -t less < <(python3 "$here/ds2docker.py" "${compat[@]}" --without "$cap" "$manifest" \
		"$work" 2>/dev/null)
	rc=0
	out=$(timeout 120 docker run --name "$tag-nocap" "${less[@]}" "$image" "${args[@]}" 2>&1) ||
		rc=$?
	docker rm -f "$tag-nocap" >/dev/null 2>&1 || true
	echo "# without CAP_$cap: exit $rc"
	printf '    %s\n' "$(tail -n 5 <<<"$out")"
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && grep -q "$name" <<<"$out"; then
		ok "without CAP_$cap: exit $rc naming $name"
	else
		fail "without CAP_$cap: exit $rc, no line naming $name"
	fi
done

echo "daemonset: $failures failed"
[ "$failures" -eq 0 ]
