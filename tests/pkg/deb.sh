#!/usr/bin/env bash
# The .deb as an administrator meets it, in a clean Debian 12 root (a copy of
# tests/pkg/rootfs.sh's, in a chroot):
#
#	tests/pkg/deb.sh DEB ROOTFS WORKDIR
#
#   1. dpkg -i fails naming exactly the dependencies the root lacks, and
#      apt-get -f install (from the root's own Debian sources) completes it;
#   2. the installed vigil: `vigil version`, `vigil rules check` (the default
#      rules from /etc/vigil/rules.d, every rule of rules/*.yaml) and
#      `vigil run --check-config` (/etc/vigil/vigil.yaml; an unknown key in it
#      is refused);
#   3. dpkg -r removes every file but the conffiles (an edited one keeps its
#      edit) and what the service wrote;
#   4. dpkg -P removes those too, the links `systemctl enable vigil` makes, and
#      leaves nothing that was not there before dpkg -i and belongs to no package.
# The copy is WORKDIR/deb-root (made again on each run). Needs root (chroot).
# shellcheck disable=SC2016 # '$0', '${Status}': for the inner shell and dpkg-query
set -euo pipefail
export LC_ALL=C

if [ $# -ne 3 ]; then
	echo "usage: $0 DEB ROOTFS WORKDIR" >&2
	exit 2
fi
deb=$(realpath "$1") base=$2 work=$3
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
root=$work/deb-root
me=deb
# shellcheck source=tests/pkg/lib.sh
. "$src/tests/pkg/lib.sh"

# in_root CMD...: CMD in the chroot, with its own /proc (a private mount
# namespace: nothing to unmount afterwards).
in_root() {
	unshare --mount --fork -- sh -c 'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"' \
		"$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
		LANG=C.UTF-8 "$@"
}

# expect CODE PATTERN CMD...: CMD in the root exits CODE and prints PATTERN.
expect() {
	local code=$1 pattern=$2 out rc=0
	shift 2
	out=$(in_root "$@" 2>&1) || rc=$?
	judge "$code" "$pattern" "$rc" "$out" 12 "$*" "$*"
}

# Every path in the root but /proc, /dev and the apt lists (sorted).
snapshot() {
	(cd "$root" && find . -xdev \( -path ./proc -o -path ./dev -o -path ./var/lib/apt/lists \
		-o -path ./var/cache/apt \) -prune -o -print | sed 's|^\.||' | sort)
}

[ "$(id -u)" -eq 0 ] || die "needs root (chroot)"
[ -f "$deb" ] || die "$deb: no such package"
[ -d "$base/usr/bin" ] || die "$base: not a root file system (tests/pkg/rootfs.sh makes one)"

version=$(dpkg-deb -f "$deb" Version)
mapfile -t conffiles < <(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)
mapfile -t files < <(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $6 }')

rm -rf "$root"
mkdir -p "$work"
cp -a "$base" "$root"
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$deb" "$root/tmp/vigil.deb"
in_root apt-get update -q >"$work/apt-update.log" 2>&1 ||
	{ cat "$work/apt-update.log"; die "apt-get update in the root failed"; }
snapshot >"$work/files.before"

# --- 1. dpkg -i, then apt-get -f install ----------------------------------------
# What dpkg must report missing: each Depends package the root does not have.
mapfile -t wanted < <(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/(.*//; s/[[:space:]]//g')
missing_expected=()
for p in "${wanted[@]}"; do
	in_root dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing_expected+=("$p")
done
rc=0
out=$(in_root dpkg -i /tmp/vigil.deb 2>&1) || rc=$?
echo "# dpkg -i vigil.deb (exit $rc)"
printf '    %s\n' "${out//$'\n'/$'\n'    }"
missing_got=$(sed -n 's/^  Package \([^ ]*\) is not installed\.$/\1/p' <<<"$out" | sort -u)
missing_want=$(printf '%s\n' "${missing_expected[@]}" | sed '/^$/d' | sort -u)
if [ "$rc" -eq 0 ] && [ -z "$missing_want" ]; then
	ok "dpkg -i: every dependency was already there"
elif [ "$rc" -ne 0 ] && [ "$missing_got" = "$missing_want" ]; then
	ok "dpkg -i: reports exactly the missing dependencies: $(tr '\n' ' ' <<<"$missing_got")"
else
	fail "dpkg -i exited $rc reporting missing '$(tr '\n' ' ' <<<"$missing_got")', expected '$(tr '\n' ' ' <<<"$missing_want")'"
fi
expect 0 "Setting up vigil \($version\)" apt-get -f install -y -q --no-install-recommends
expect 0 "^install ok installed$" dpkg-query -W -f='${Status}\n' vigil

# --- 2. the installed vigil ------------------------------------------------------
rule_files=$(printf '%s\n' "${files[@]}" | grep '^/etc/vigil/rules.d/' | sort | tr '\n' ' ')
nfiles=$(wc -w <<<"$rule_files")
nrules=$(cat "$src"/rules/*.yaml | grep -c '^- rule:')
expect 0 "^vigil $version \(wire format [0-9]+\)$" vigil version
expect 0 "^$nfiles rule files OK: ${rule_files% }$" vigil rules check
expect 0 "^rules: $nrules \(" vigil rules check
expect 0 "^vigil: /etc/vigil/vigil.yaml: ok, 1 output: stdout-0 \(stdout standard output\)$" \
	vigil run --check-config

# An administrator's edit: a typo is refused, a valid edit is kept by dpkg -r.
echo "colour: red" >>"$root/etc/vigil/vigil.yaml"
expect 1 "^vigil: /etc/vigil/vigil.yaml:[0-9]+:1: error: colour: unknown key$" vigil run --check-config
sed -i '/^colour: red$/d' "$root/etc/vigil/vigil.yaml"
echo "first_match: true # local edit" >>"$root/etc/vigil/vigil.yaml"
sed -i '/^first_match: false$/d' "$root/etc/vigil/vigil.yaml"
expect 0 ": ok, 1 output" vigil run --check-config

# What the enabled service would have made: its links, state and logs.
mkdir -p "$root/etc/systemd/system/multi-user.target.wants" "$root/var/lib/vigil/spool" \
	"$root/var/log/vigil"
ln -sf /usr/lib/systemd/system/vigil.service \
	"$root/etc/systemd/system/multi-user.target.wants/vigil.service"
echo x >"$root/var/lib/vigil/spool/0001"
echo '{}' >"$root/var/log/vigil/alerts.json"

# --- 3. dpkg -r ----------------------------------------------------------------------
expect 0 "Removing vigil \($version\)" dpkg -r vigil
expect 0 "^deinstall ok config-files$" dpkg-query -W -f='${Status}\n' vigil
left=()
for f in "${files[@]}"; do
	printf '%s\n' "${conffiles[@]}" | grep -qxF "$f" && continue
	[ -e "$root$f" ] && left+=("$f")
done
check "dpkg -r removed the ${#files[@]} files but the ${#conffiles[@]} conffiles" \
	"dpkg -r left: ${left[*]}" [ ${#left[@]} -eq 0 ]
kept=0
for f in "${conffiles[@]}"; do [ -f "$root$f" ] && kept=$((kept + 1)); done
check "dpkg -r kept the ${#conffiles[@]} conffiles" "dpkg -r kept $kept of ${#conffiles[@]} conffiles" \
	[ "$kept" -eq ${#conffiles[@]} ]
check "the edited /etc/vigil/vigil.yaml keeps its edit" "the edit of vigil.yaml is lost" \
	grep -q '^first_match: true # local edit$' "$root/etc/vigil/vigil.yaml"
check "dpkg -r kept /var/lib/vigil" "dpkg -r removed /var/lib/vigil" \
	[ -f "$root/var/lib/vigil/spool/0001" ]

# --- 4. dpkg -P ----------------------------------------------------------------------
expect 0 "Purging configuration files for vigil \($version\)" dpkg -P vigil
expect 1 "no packages found matching vigil" dpkg-query -W vigil
snapshot >"$work/files.after"
# New paths must belong to a package apt installed, or be apt's and dpkg's
# state and logs.
# (dpkg lists /lib/... where the merged-/usr root has /usr/lib/...)
cat "$root"/var/lib/dpkg/info/*.list | sed -E 's#^/(bin|sbin|lib|lib64)/#/usr/\1/#' |
	sort -u >"$work/files.owned"
comm -13 "$work/files.before" "$work/files.after" | comm -23 - "$work/files.owned" |
	grep -vE '^/var/(log/(apt|dpkg\.log|alternatives\.log)|lib/(apt|dpkg)/|cache/debconf/)|^/etc/ld\.so\.cache$' \
		>"$work/files.leftover" || true
if [ -s "$work/files.leftover" ]; then
	fail "dpkg -P left files no package owns: $(tr '\n' ' ' <"$work/files.leftover")"
else
	ok "dpkg -P left nothing: every new path belongs to a dependency apt installed"
fi
for f in /etc/vigil /var/lib/vigil /var/log/vigil /usr/share/doc/vigil \
	/etc/systemd/system/multi-user.target.wants/vigil.service \
	/var/lib/systemd/deb-systemd-helper-enabled/vigil.service.dsh-also; do
	if [ -e "$root$f" ] || [ -L "$root$f" ]; then
		fail "dpkg -P left $f"
	fi
done

echo "deb: $failures failed"
[ "$failures" -eq 0 ]
