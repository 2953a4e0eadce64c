#!/usr/bin/env bash
# The packages as users get them (tests/run.sh runs this as one step):
#
#	bash tests/pkg/run.sh [BUILD_DIR]        (root; default BUILD_DIR build-pkg)
#
#   1. the .deb: a -DCMAKE_INSTALL_PREFIX=/usr build with Debian's hardening
#      flags (dpkg-buildflags) in BUILD_DIR, then cpack -G DEB;
#   2. lintian on it: any error or warning fails;
#   3. a clean Debian 12 root (tests/pkg/rootfs.sh: debootstrap; made afresh
#      with CI=true, reused otherwise) in BUILD_DIR/debian-12;
#   4. tests/pkg/deb.sh: dpkg -i, the installed vigil, dpkg -r, dpkg -P;
#   4b. tests/pkg/systemd.sh: the .deb in that root with systemd, booted under
#      qemu (systemd as PID 1): the unit as an administrator meets it;
#   5. tests/pkg/container.sh: the image, built from that root;
#   6. tests/pkg/daemonset.sh: the image run as the DaemonSet runs it.
# Each step's time is printed. A missing tool (debootstrap, lintian, docker)
# skips its steps, or fails them with CI=true. Exit status 0 when every step
# passed; the last line is "pkg: N passed, M failed".
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root" || exit 1
build=${1:-build-pkg}
mkdir -p "$build" && build=$(cd "$build" && pwd)
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
passed=0 failed=0 results=()

# step NAME CMD...: run CMD, time it, record the result.
step() {
	local name=$1 start rc
	shift
	echo
	echo "==> pkg: $name"
	start=$(date +%s)
	"$@"
	rc=$?
	local took=$(($(date +%s) - start))
	if [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
		results+=("$(printf '%-34s ok      %4d s' "$name" "$took")")
	else
		failed=$((failed + 1))
		results+=("$(printf '%-34s FAILED  %4d s' "$name" "$took")")
	fi
	return "$rc"
}

# need TOOL PACKAGE: TOOL exists, else a skip (a failure with CI=true).
need() {
	command -v "$1" >/dev/null && return 0
	if [ "${CI:-}" = true ]; then
		echo "pkg: $1 not found (package $2): failing, CI=true"
		failed=$((failed + 1))
		results+=("$(printf '%-34s FAILED  (no %s)' "$3" "$1")")
	else
		echo "pkg: $1 not found (package $2): skipping $3"
		results+=("$(printf '%-34s skipped (no %s)' "$3" "$1")")
	fi
	return 1
}

build_deb() {
	local flags
	# -ffile-prefix-map, -fstack-protector-strong, _FORTIFY_SOURCE, relro, now
	flags=$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --export=sh) || return 1
	if ! (
		eval "$flags"
		CFLAGS="$CFLAGS $CPPFLAGS" cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
			-DBUILD_TESTING=OFF -DVIGIL_WERROR=ON -DCMAKE_INSTALL_PREFIX=/usr >"$build/build.log" 2>&1 &&
			cmake --build "$build" -j "$jobs" >>"$build/build.log" 2>&1
	); then
		tail -n 40 "$build/build.log"
		return 1
	fi
	rm -f "$build"/vigil_*.deb
	(cd "$build" && cpack -G DEB >cpack.log 2>&1) || { cat "$build/cpack.log"; return 1; }
	deb=$(ls "$build"/vigil_*.deb) || return 1
	echo "pkg: $deb ($(du -k "$deb" | cut -f1) KiB)"
	dpkg-deb -f "$deb" Package Version Architecture Depends
}

run_lintian() {
	echo "# lintian --fail-on error,warning $(basename "$deb")"
	lintian --fail-on error,warning "$deb" 2>&1 | grep -v 'running with root privileges'
	local rc=${PIPESTATUS[0]}
	[ "$rc" -eq 0 ] && echo "lintian: no error, no warning"
	return "$rc"
}

if [ "$(id -u)" -ne 0 ]; then
	echo "pkg: not root: chroot, debootstrap and docker need root"
	[ "${CI:-}" = true ] && exit 1
	exit 0
fi

deb=
fresh=()
[ "${CI:-}" = true ] && fresh=(--fresh)
if need dpkg-shlibdeps dpkg-dev "deb: build"; then
	step "deb: build, cpack -G DEB" build_deb
fi
if [ -n "$deb" ] && need lintian lintian "deb: lintian"; then
	step "deb: lintian" run_lintian
fi
rootfs_ok=false
if need debootstrap debootstrap "rootfs: debootstrap"; then
	step "rootfs: debootstrap (Debian 12)" \
		bash tests/pkg/rootfs.sh "$build/debian-12" "${fresh[@]}" && rootfs_ok=true
fi
if $rootfs_ok && [ -n "$deb" ]; then
	step "deb: install, run, remove, purge" bash tests/pkg/deb.sh "$deb" "$build/debian-12" "$build"
fi
if $rootfs_ok && [ -n "$deb" ] && need qemu-system-x86_64 qemu-system-x86 "systemd: booted (qemu)"; then
	step "systemd: the .deb under a booted systemd (qemu)" \
		bash tests/pkg/systemd.sh "$deb" "$build/debian-12" "$build"
fi
image_ok=false
if $rootfs_ok && need docker docker.io "container: image"; then
	step "container: build and inspect" \
		bash tests/pkg/container.sh "$build/debian-12" "$build/container" && image_ok=true
fi
if $image_ok; then
	version=$(sed -n 's/^project(vigil VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
	step "container: as the DaemonSet runs it" \
		bash tests/pkg/daemonset.sh "vigil:$version" "$build/daemonset"
fi

echo
echo "==> pkg: results"
for r in "${results[@]}"; do
	echo "  $r"
done
echo "pkg: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
