#!/usr/bin/env bash
# A clean Debian 12 root file system (debootstrap --variant=minbase), the
# base of the package tests: tests/pkg/deb.sh installs the .deb into a copy
# of it, tests/pkg/container.sh imports it as the image vigil-build/debian:12.
#
#	tests/pkg/rootfs.sh DIR [--fresh]
#
# DIR is made once and reused while DIR.ok exists; --fresh (CI) makes it
# again. Like the debian:12 image it has the bookworm, bookworm-updates and
# bookworm-security sources in /etc/apt/sources.list.d/debian.sources and no
# package lists, .debs, resolv.conf or machine id.
#
# The mirror is the one the host's apt uses for bookworm (its sources), else
# http://deb.debian.org/debian; VIGIL_DEBIAN_MIRROR overrides it (and
# VIGIL_DEBIAN_SECURITY_MIRROR the security archive).
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ] || { [ $# -eq 2 ] && [ "$2" != --fresh ]; }; then
	echo "usage: $0 DIR [--fresh]" >&2
	exit 2
fi
dir=$1
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

# The first URI the host's apt sources give for SUITE (deb822 .sources, then
# one-line .list files).
host_mirror() { # SUITE
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v suite="$1" 'BEGIN { RS = "" }
			{ uri = ""; ok = 0; deb = 0
			  n = split($0, l, "\n")
			  for (i = 1; i <= n; i++) {
				split(l[i], w, /[ \t]+/)
				if (w[1] == "URIs:") uri = w[2]
				if (w[1] == "Types:") for (j in w) if (w[j] == "deb") deb = 1
				if (w[1] == "Suites:") for (j in w) if (w[j] == suite) ok = 1
			  }
			  if (ok && deb && uri != "") { print uri; exit } }' "$f"
	done
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk -v suite="$1" '$1 == "deb" { i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
			if ($(i + 1) == suite) print $i }' || true
}

mirror=${VIGIL_DEBIAN_MIRROR:-$(host_mirror bookworm | sed -n 1p)}
mirror=${mirror:-http://deb.debian.org/debian}
security=${VIGIL_DEBIAN_SECURITY_MIRROR:-$(host_mirror bookworm-security | sed -n 1p)}
security=${security:-http://deb.debian.org/debian-security}

if [ "${2:-}" != --fresh ] && [ -f "$dir.ok" ]; then
	echo "rootfs: reusing $dir ($(cat "$dir.ok"))"
	exit 0
fi
command -v debootstrap >/dev/null || {
	echo "rootfs: debootstrap not found: apt-get install debootstrap" >&2
	exit 1
}
[ -r "$keyring" ] || {
	echo "rootfs: $keyring missing: apt-get install debian-archive-keyring" >&2
	exit 1
}

rm -rf "$dir" "$dir.ok"
mkdir -p "$(dirname "$dir")"
start=$(date +%s)
echo "rootfs: debootstrap --variant=minbase bookworm $dir $mirror"
if ! debootstrap --variant=minbase --keyring="$keyring" bookworm "$dir" "$mirror" \
	>"$dir.log" 2>&1; then
	tail -n 30 "$dir.log" >&2
	echo "rootfs: debootstrap failed (log: $dir.log)" >&2
	exit 1
fi

rm -f "$dir/etc/apt/sources.list"
cat >"$dir/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
# What debootstrap leaves that an image must not hold: package lists and
# .debs, the host's resolver and name, a machine id.
chroot "$dir" apt-get clean
find "$dir/var/log" -type f -delete
rm -rf "$dir"/var/lib/apt/lists/* "$dir"/tmp/* "$dir"/var/tmp/*
mkdir -p "$dir/var/lib/apt/lists/partial"
: >"$dir/etc/resolv.conf"
echo localhost >"$dir/etc/hostname"
rm -f "$dir/etc/machine-id" "$dir/var/lib/dbus/machine-id"
echo "debian 12 minbase from $mirror, $(date -u +%FT%TZ)" >"$dir.ok"
echo "rootfs: $dir in $(($(date +%s) - start)) s, $(du -sh "$dir" | cut -f1)"
