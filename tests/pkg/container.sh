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
failures=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}
ok() { echo "ok: $*"; }
check() { # OK_MESSAGE FAIL_MESSAGE CMD...
	if "${@:3}"; then ok "$1"; else fail "$2"; fi
}
die() {
	echo "container: $*" >&2
	exit 1
}

[ -n "$version" ] || die "no project version in CMakeLists.txt"
[ -d "$base/usr/bin" ] || die "$base: not a root file system (tests/pkg/rootfs.sh makes one)"
docker info >/dev/null 2>&1 || die "docker does not answer"
mkdir -p "$work"

start=$(date +%s)
tar -C "$base" -c . | docker import -q - "$base_image" >/dev/null
echo "container: imported $base as $base_image in $(($(date +%s) - start)) s"

# --- build ---------------------------------------------------------------------------
start=$(date +%s)
if ! DOCKER_BUILDKIT=1 docker build --progress=plain -f "$src/packaging/container/Dockerfile" \
	--build-arg BASE="$base_image" -t "$image" -t vigil:latest "$src" >"$work/build.log" 2>&1; then
	tail -n 40 "$work/build.log"
	die "docker build failed (log: $work/build.log)"
fi
echo "container: docker build in $(($(date +%s) - start)) s"
# BuildKit prints "transferring context: 7.46MB"; without the ignore file it
# would send the host's build trees and .git (hundreds of MB).
context=$(sed -n 's/.*transferring context: \([0-9.]*\)\([kKMG]*B\).*/\1 \2/p' "$work/build.log" |
	tail -n 1)
echo "container: build context $context"
case $context in
*" B" | *" kB" | *" KB") ok "build context $context" ;;
*" MB") if [ "${context%%.*}" -lt 20 ]; then ok "build context $context (< 20 MB)"; else
	fail "build context $context: Dockerfile.dockerignore lets too much in"; fi ;;
*) fail "build context '$context': not found in the build log, or too large" ;;
esac

size=$(docker image inspect -f '{{.Size}}' "$image")
echo "container: $image is $((size / 1024)) KiB ($(docker image inspect -f '{{len .RootFS.Layers}}' "$image") layer)"
tags=$(docker image inspect -f '{{join .RepoTags " "}}' "$image")
check "tagged $tags" "tags: $tags, expected $image among them" [ "${tags/$image/}" != "$tags" ]

# --- what the image holds -------------------------------------------------------------
rm -rf "$work/image" && mkdir -p "$work/image"
docker save "$image" | tar -x -C "$work/image"
layers=$(find "$work/image" -name layer.tar)
for l in $layers; do tar -tvf "$l"; done | awk '{ print $1, $2, $NF }' | sort -k3 >"$work/image.files"
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
	echo "# docker run $image $*"
	printf '    %s\n' "${out//$'\n'/$'\n'    }"
	if [ "$rc" -ne "$code" ]; then
		fail "$* exited $rc, expected $code"
	elif ! grep -qE -- "$pattern" <<<"$out"; then
		fail "$* printed no line matching /$pattern/"
	else
		ok "$*"
	fi
}
nrules=$(cat "$src"/rules/*.yaml | grep -c '^- rule:')
expect 0 "^vigil $version \(wire format [0-9]+\)$" version
expect 0 "^rules: $nrules \(" rules check
expect 0 "^vigil: /etc/vigil/vigil.yaml: ok, 1 output: stdout-0" run --check-config

echo "container: $failures failed"
[ "$failures" -eq 0 ]
