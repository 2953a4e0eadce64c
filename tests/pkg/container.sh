#!/usr/bin/env bash
# Build packaging/container/Dockerfile without a registry and check what the
# image holds:
#
#	tests/pkg/container.sh ROOTFS WORKDIR
#
# ROOTFS (tests/pkg/rootfs.sh) is imported as vigil-build/debian:12, the
# Dockerfile's BASE here (debian:12 where a registry can be reached). The
# image is tagged vigil:VERSION and vigil:latest. Checks: the build context
# stays small (Dockerfile.dockerignore), every file of the image is one it
# should hold (the binary, mode 0555; the libraries ldd lists; /etc/vigil; the
# CA certificates) and nothing else (no shell, package lists, compiler, keys),
# and the image runs `version`, `rules check` and `run --check-config`
# read-only without any capability. Prints the image size.
set -euo pipefail
export LC_ALL=C

if [ $# -ne 2 ]; then
	echo "usage: $0 ROOTFS WORKDIR" >&2
	exit 2
fi
base=$1 work=$2
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
base_image=vigil-build/debian:12
version=$(sed -n 's/^project(vigil VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
image=vigil:$version
me=container
# shellcheck source=tests/pkg/lib.sh
. "$src/tests/pkg/lib.sh"

[ -n "$version" ] || die "no project version in CMakeLists.txt"
[ -d "$base/usr/bin" ] || die "$base: not a root file system (tests/pkg/rootfs.sh makes one)"
docker info >/dev/null 2>&1 || die "docker does not answer"
mkdir -p "$work"

start=$(date +%s)
old_base=$(docker image inspect -f '{{.Id}}' "$base_image" 2>/dev/null) || true
tar -C "$base" -c . | docker import - "$base_image" >/dev/null
# the previous import, now untagged (kept while a container uses it)
if [ -n "$old_base" ] && [ "$old_base" != "$(docker image inspect -f '{{.Id}}' "$base_image")" ]; then
	docker rmi "$old_base" >/dev/null 2>&1 || true
fi
echo "container: imported $base as $base_image in $(($(date +%s) - start)) s"

# --- build ---------------------------------------------------------------------------
# BuildKit (it reads Dockerfile.dockerignore): a client with the buildx plugin,
# or one older than 23.0 that has it built in (Debian 12's docker.io, 20.10).
builder=
for c in docker /usr/bin/docker; do
	command -v "$c" >/dev/null || continue
	if "$c" buildx version >/dev/null 2>&1 ||
		[ "$("$c" version -f '{{.Client.Version}}' 2>/dev/null | cut -d. -f1)" -lt 23 ]; then
		builder=$c
		break
	fi
done
[ -n "$builder" ] || die "no docker client with BuildKit (the buildx plugin, or docker.io 20.10)"
start=$(date +%s)
if ! DOCKER_BUILDKIT=1 "$builder" build --progress=plain -f "$src/packaging/container/Dockerfile" \
	--build-arg BASE="$base_image" -t "$image" -t vigil:latest "$src" >"$work/build.log" 2>&1; then
	tail -n 40 "$work/build.log"
	die "docker build failed (log: $work/build.log)"
fi
echo "container: docker build in $(($(date +%s) - start)) s"
# The build context: what Dockerfile.dockerignore lets in, measured with an
# image that copies all of it (BuildKit's "transferring context" shows only
# what changed since its last build). Without the allowlist it would hold the
# host's build trees and VCS data (hundreds of MB).
probe=$work/context-probe
rm -rf "$probe" && mkdir -p "$probe"
printf 'FROM scratch\nCOPY . /ctx/\n' >"$probe/Dockerfile"
cp "$src/packaging/container/Dockerfile.dockerignore" "$probe/Dockerfile.dockerignore"
if DOCKER_BUILDKIT=1 "$builder" build -q -f "$probe/Dockerfile" -t vigil-build/context-probe \
	"$src" >"$probe/build.log" 2>&1; then
	ctx_kib=$(($(docker image inspect -f '{{.Size}}' vigil-build/context-probe) / 1024))
	docker save vigil-build/context-probe | tar -xO --wildcards '*/layer.tar' | tar -t |
		sed 's|^ctx/||' >"$probe/files"
	docker rmi vigil-build/context-probe >/dev/null
	echo "container: build context ${ctx_kib} KiB, $(wc -l <"$probe/files") entries," \
		"top level: $(grep -E '^[^/]+/?$' "$probe/files" | tr '\n' ' ')"
	check "build context ${ctx_kib} KiB (< 20 MiB)" "build context ${ctx_kib} KiB: too large" \
		[ "$ctx_kib" -lt 20480 ]
	check "no .git, build tree or tests in the context" \
		"the context holds: $(grep -E '^(\.git|build|tests)' "$probe/files" | head -n 5 | tr '\n' ' ')" \
		[ -z "$(grep -E '^(\.git|build|tests)' "$probe/files")" ]
else
	cat "$probe/build.log"
	fail "cannot build the context probe image"
fi

size=$(docker image inspect -f '{{.Size}}' "$image")
echo "container: $image is $((size / 1024)) KiB ($(docker image inspect -f '{{len .RootFS.Layers}}' "$image") layer)"
tags=$(docker image inspect -f '{{join .RepoTags " "}}' "$image")
check "tagged $tags" "tags: $tags, expected $image among them" [ "${tags/$image/}" != "$tags" ]

# --- what the image holds -------------------------------------------------------------
rm -rf "$work/image" && mkdir -p "$work/image"
docker save "$image" | tar -x -C "$work/image"
layers=$(find "$work/image" -name layer.tar)
# "MODE UID/GID PATH" (a link's target left out)
for l in $layers; do tar --numeric-owner -tvf "$l"; done | awk '{ print $1, $2, $6 }' |
	sort -k3 >"$work/image.files"
# Allowed: the binary, the loader and libraries, /etc/vigil, the CA bundle,
# OpenSSL's default paths (links to it) and the empty directories vigil uses.
allowed='^(usr/bin/vigil|etc/vigil/.*|etc/ssl/certs/ca-certificates\.crt|usr/lib/ssl/(cert\.pem|certs)|(usr/)?lib(64)?/.*\.so(\.[0-9.]+)?|(usr/|(usr/)?lib(64)?/|(usr/)?lib/[a-z0-9_]+-linux-gnu/|etc/|etc/ssl/|etc/ssl/certs/|usr/bin/|usr/lib/|usr/lib/ssl/|run/|run/vigil/|var/|var/lib/|var/lib/vigil/|tmp/))$'
awk '{ print $3 }' "$work/image.files" | sed 's|^\./||; /^$/d' | grep -vE "$allowed" >"$work/image.extra" || true
if [ -s "$work/image.extra" ]; then
	fail "the image holds files it should not: $(head -n 20 "$work/image.extra" | tr '\n' ' ')"
else
	ok "the image holds only vigil, its libraries, /etc/vigil and the CA certificates ($(wc -l <"$work/image.files") entries)"
fi
for f in bin/sh usr/bin/apt var/lib/apt/lists usr/bin/gcc usr/bin/clang var/lib/dpkg root/.ssh; do
	if grep -qE " (\./)?$f/?$" "$work/image.files"; then fail "the image holds /$f"; fi
done
mode=$(awk '$3 ~ /^(\.\/)?usr\/bin\/vigil$/ { print $1, $2 }' "$work/image.files")
check "/usr/bin/vigil is $mode (not writable)" "/usr/bin/vigil is '$mode', expected -r-xr-xr-x 0/0" \
	[ "$mode" = "-r-xr-xr-x 0/0" ]
writable=$(awk '$1 ~ /^-/ && $1 ~ /w/ { print $3 }' "$work/image.files")
check "no file of the image is writable" "writable files in the image: $writable" [ -z "$writable" ]
check "the CA certificates are in" "no CA certificates" grep -q 'ca-certificates.crt' "$work/image.files"

# --- it runs ---------------------------------------------------------------------------
expect() { # CODE PATTERN ARGS...: vigil in the image, read-only, no capability
	local code=$1 pattern=$2 out rc=0
	shift 2
	out=$(docker run --rm --name "wt-pkg-ctr-$$" --read-only --cap-drop ALL --network none \
		"$image" "$@" 2>&1) || rc=$?
	judge "$code" "$pattern" "$rc" "$out" 3 "docker run $image $*" "$*"
}
nrules=$(cat "$src"/rules/*.yaml | grep -c '^- rule:')
expect 0 "^vigil $version \(wire format [0-9]+\)$" version
expect 0 "^rules: $nrules \(" rules check
expect 0 "^vigil: /etc/vigil/vigil.yaml: ok, 1 output: stdout-0" run --check-config

echo "container: $failures failed"
[ "$failures" -eq 0 ]
