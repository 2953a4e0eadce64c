#!/usr/bin/env bash
# Download one package from the Debian archive and unpack it, without
# touching the host's apt configuration or installing anything:
#
#	tests/qemu/fetch-deb.sh ARCH SUITE PACKAGE DESTDIR
#
# ARCH is a Debian architecture (arm64, amd64), SUITE a Debian suite
# (bookworm, bookworm-backports). PACKAGE may be a metapackage that depends on
# one real package, as linux-image-arm64 does on linux-image-6.1.0-NN-arm64:
# that dependency is followed (once). The package is unpacked into DESTDIR
# (dpkg-deb -x; of a kernel package only /boot and the overlayfs module);
# DESTDIR/.package holds the name and version fetched, and a
# DESTDIR that has it (and, for a kernel, .modules) is reused as it is.
#
# A private apt state (lists, cache, sources) lives in DESTDIR/../apt-SUITE-ARCH.
# Environment: VIGIL_DEBIAN_MIRROR (default http://deb.debian.org/debian).
set -euo pipefail

if [ $# -ne 4 ]; then
	echo "usage: $0 ARCH SUITE PACKAGE DESTDIR" >&2
	exit 2
fi
arch=$1 suite=$2 pkg=$3 dest=$4
mirror=${VIGIL_DEBIAN_MIRROR:-http://deb.debian.org/debian}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

# A kernel unpacked before its overlayfs module was (no .modules) is fetched again.
if [ -f "$dest/.package" ] && { [ -f "$dest/.modules" ] || [[ $pkg != linux-image-* ]]; }; then
	echo "fetch-deb: reusing $(cat "$dest/.package") in $dest"
	exit 0
fi
for tool in apt-get apt-cache dpkg-deb; do
	command -v "$tool" >/dev/null || {
		echo "fetch-deb: $tool not found (this script needs Debian's apt and dpkg)" >&2
		exit 1
	}
done
[ -r "$keyring" ] || {
	echo "fetch-deb: $keyring missing: install debian-archive-keyring" >&2
	exit 1
}

mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
state="$(dirname "$dest")/apt-$suite-$arch"
mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$state/etc/preferences.d" \
	"$state/etc/sources.list.d" "$state/debs"
echo "deb [arch=$arch signed-by=$keyring] $mirror $suite main" >"$state/etc/sources.list"

apt_opts=(
	-o "Dir::Etc=$state/etc" -o "Dir::Etc::SourceList=$state/etc/sources.list"
	-o "Dir::Etc::SourceParts=$state/etc/sources.list.d"
	-o "Dir::Etc::Preferences=$state/etc/preferences"
	-o "Dir::Etc::PreferencesParts=$state/etc/preferences.d"
	-o "Dir::State::Lists=$state/lists" -o "Dir::Cache=$state/cache"
	-o "Dir::State::status=/dev/null"
	-o "APT::Architecture=$arch" -o "APT::Architectures::=$arch"
	-o "Debug::NoLocking=1" -o "Acquire::Retries=3"
)

# The indexes are fetched once per build directory (they are ~10 MB).
if [ ! -f "$state/updated" ]; then
	echo "fetch-deb: apt-get update ($suite, $arch, $mirror)"
	if ! apt-get "${apt_opts[@]}" update -q >"$state/update.log" 2>&1; then
		cat "$state/update.log" >&2
		echo "fetch-deb: cannot read the Debian archive index of $suite/$arch at $mirror" >&2
		exit 1
	fi
	touch "$state/updated"
fi

# The newest version of @1 in the suite, or nothing.
candidate() {
	apt-cache "${apt_opts[@]}" show --no-all-versions "$1" 2>/dev/null |
		sed -n 's/^Version: //p' | head -n 1
}

version=$(candidate "$pkg")
if [ -z "$version" ]; then
	echo "fetch-deb: package $pkg ($arch) not found in the Debian archive ($suite at $mirror)" >&2
	exit 1
fi
# A metapackage (linux-image-arm64): follow its one linux-image-* dependency.
real=$(apt-cache "${apt_opts[@]}" show --no-all-versions "$pkg" |
	sed -n 's/^Depends: //p' | head -n 1 | tr ',' '\n' |
	sed -n 's/^ *\(linux-image-[0-9][^ ]*\).*/\1/p' | head -n 1)
if [ -n "$real" ]; then
	echo "fetch-deb: $pkg $version depends on $real"
	pkg=$real
	version=$(candidate "$pkg")
	if [ -z "$version" ]; then
		echo "fetch-deb: kernel package $pkg ($arch) not found in the Debian archive" \
			"($suite at $mirror)" >&2
		exit 1
	fi
fi

echo "fetch-deb: apt-get download $pkg=$version ($arch, $suite)"
rm -f "$state/debs/"*.deb
if ! (cd "$state/debs" && apt-get "${apt_opts[@]}" download -q "$pkg:$arch=$version") \
	>"$state/download.log" 2>&1; then
	cat "$state/download.log" >&2
	echo "fetch-deb: downloading $pkg $version ($arch) from $mirror failed" >&2
	exit 1
fi
deb=$(ls "$state/debs/"*.deb)
case $pkg in
linux-image-*) # the kernel, its config and overlayfs (test_exec_layer mounts one)
	dpkg-deb --fsys-tarfile "$deb" |
		tar -x -C "$dest" --wildcards ./boot '*/kernel/fs/overlayfs/*'
	find "$dest" -path '*/kernel/fs/overlayfs/*' -type f >"$dest/.modules"
	;;
*) dpkg-deb -x "$deb" "$dest" ;;
esac
echo "$pkg $version" >"$dest/.package"
rm -f "$deb"
echo "fetch-deb: unpacked $pkg $version into $dest"
