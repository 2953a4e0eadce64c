#!/usr/bin/env bash
# vigil's .deb under a real systemd: a Debian 12 root with systemd and the
# .deb installed, booted under qemu with systemd as PID 1, where
# tests/pkg/systemd/guest.sh checks the unit as an administrator meets it
# (start after READY=1, alerts in the journal, STATUS=, reload without a gap,
# restart after SIGKILL, the capability set, systemd-analyze, the watchdog):
#
#	tests/pkg/systemd.sh DEB ROOTFS BUILD_DIR
#
#   1. the kernel: Debian 12's (bookworm's linux-image-amd64, 6.1), fetched
#      into BUILD_DIR/qemu as tests/qemu/boot.sh does (and shared with it);
#   2. the root: a copy of ROOTFS (tests/pkg/rootfs.sh's clean Debian 12) in
#      BUILD_DIR/systemd-qemu/root where apt-get installs systemd,
#      systemd-sysv, jq and the .deb (from the root's own Debian sources);
#      vigil.service is enabled as `systemctl enable vigil` does;
#   3. the whole root as the initramfs (systemd runs from it: no disk, no
#      kernel module needed);
#   4. the boot (KVM where it runs the guest, else TCG; tests/qemu/accel.sh):
#      the guest's "vigil-systemd: " lines are printed as they come, the whole
#      console (BUILD_DIR/systemd-qemu/serial.log) when a check failed.
# Each phase's time is printed. Exit status 0 when the guest ran every check
# and each passed. Needs root (chroot), qemu-system-x86, cpio.
# Environment: VIGIL_QEMU_KVM=0 (TCG even where KVM works),
# VIGIL_SYSTEMD_TIMEOUT (seconds for the boot and the checks, default 600).
# shellcheck disable=SC2016 # '$0': for the inner shell
set -euo pipefail
export LC_ALL=C

if [ $# -ne 3 ]; then
	echo "usage: $0 DEB ROOTFS BUILD_DIR" >&2
	exit 2
fi
deb=$(realpath "$1") base=$2 build=$(realpath "$3")
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
here=$src/tests/pkg/systemd
work=$build/systemd-qemu
root=$work/root
log=$work/serial.log
timeout_s=${VIGIL_SYSTEMD_TIMEOUT:-600}
me=systemd
# shellcheck source=tests/pkg/lib.sh
. "$src/tests/pkg/lib.sh"
# shellcheck source=tests/qemu/accel.sh
. "$src/tests/qemu/accel.sh"

# in_root CMD...: CMD in the chroot, with its own /proc (a private mount
# namespace: nothing to unmount afterwards).
in_root() {
	unshare --mount --fork -- sh -c 'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"' \
		"$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
		LANG=C.UTF-8 "$@"
}
phase_start=0
phase() { # NAME: the time since the last phase began
	local t
	t=$(date +%s)
	[ "$phase_start" -eq 0 ] || echo "systemd: time: $1 $((t - phase_start)) s"
	phase_start=$t
}

[ "$(id -u)" -eq 0 ] || die "needs root (chroot)"
[ -f "$deb" ] || die "$deb: no such package"
[ -d "$base/usr/bin" ] || die "$base: not a root file system (tests/pkg/rootfs.sh makes one)"
for tool in qemu-system-x86_64 cpio unshare timeout flock; do
	command -v "$tool" >/dev/null || die "$tool not found (qemu-system-x86, cpio, util-linux)"
done
mkdir -p "$work" "$build/qemu"
phase start

# --- 1. the kernel ------------------------------------------------------------
kdir=$build/qemu/linux-amd64-bookworm
(
	flock 9
	"$src/tests/qemu/fetch-deb.sh" amd64 bookworm linux-image-amd64 "$kdir"
) 9>"$build/qemu/.fetch.lock"
kernel=$(find "$kdir/boot" -name 'vmlinuz-*' | head -n 1)
[ -n "$kernel" ] || die "no /boot/vmlinuz-* in $kdir"
phase kernel

# --- 2. the root ----------------------------------------------------------------
rm -rf "$root"
cp -a "$base" "$root"
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$deb" "$root/tmp/$(basename "$deb")"
if ! { in_root apt-get update -q && in_root apt-get install -y -q --no-install-recommends \
	systemd systemd-sysv jq "/tmp/$(basename "$deb")"; } >"$work/apt.log" 2>&1; then
	tail -n 40 "$work/apt.log"
	die "apt-get in the root failed (log: $work/apt.log)"
fi
echo "systemd: installed $(in_root dpkg-query -W -f '${Package} ${Version}; ' systemd vigil jq)"
s=$root/etc/systemd/system
install -m 755 "$here/guest.sh" "$root/usr/local/sbin/vigil-systemd-check"
mkdir -p "$root/usr/local/share/vigil-systemd"
cp "$here/rules-before.yaml" "$here/rules-after.yaml" "$root/usr/local/share/vigil-systemd/"
cp "$here/rules-before.yaml" "$root/etc/vigil/rules.d/vigil-systemd-test.yaml"
cp "$here/vigil-systemd-check.service" "$s/"
in_root systemctl enable vigil.service vigil-systemd-check.service 2>&1 | sed 's/^/systemd: /'
# The console is the checks' (no login prompt on it); logind needs D-Bus,
# which systemd only recommends; the timers would start maintenance jobs
# (apt downloads, fstrim, e2scrub) during the checks.
in_root systemctl mask getty.target systemd-logind.service apt-daily.timer \
	apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer fstrim.timer >/dev/null 2>&1
# a machine id: without one systemd treats the boot as the first
# (systemd-firstboot would ask for a locale on the console)
tr -d '-' </proc/sys/kernel/random/uuid >"$root/etc/machine-id"
echo vigil-systemd >"$root/etc/hostname"
: >"$root/etc/resolv.conf"
rm -rf "$root"/tmp/* "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* \
	"$root"/usr/share/{doc,man,info,locale}
phase "root (copy, apt-get install, configure)"

# --- 3. the initramfs -----------------------------------------------------------
# no /etc/initrd-release: systemd runs it as the system, not as an initrd
initrd=$work/root.cpio
rm -f "$root/etc/initrd-release" "$initrd"
(cd "$root" && find . -xdev | cpio -o -H newc --quiet) >"$initrd"
echo "systemd: initramfs $(du -h "$initrd" | cut -f1) ($(find "$root" -xdev | wc -l) files)"
phase initramfs

# --- 4. the boot ----------------------------------------------------------------
qemu=(qemu-system-x86_64 -cpu max)
# one host thread for both vCPUs: tests/qemu/boot.sh says why
accel=(-accel "tcg,thread=single")
if kvm_usable "$work/kvm-probe.log" "$kernel" ttyS0 "${qemu[@]}"; then
	accel=(-accel kvm)
fi
echo "systemd: booting $(cat "$kdir/.package") (${accel[*]}, timeout $timeout_s s)"
boot_once() {
	rc=0
	timeout -k 10 "$timeout_s" "${qemu[@]}" "${accel[@]}" -smp 2 -m 2048 -nographic \
		-no-reboot -kernel "$kernel" -initrd "$initrd" \
		-append "console=ttyS0 rdinit=/sbin/init panic=-1 quiet loglevel=3 systemd.show_status=false softlockup_all_cpu_backtrace=1 softlockup_panic=1" \
		</dev/null 2>&1 | tr -d '\r' | tee "$log" | grep --line-buffered -a '^vigil-systemd: ' ||
		rc=$?
}
boot_once
# a guest kernel lockup under TCG (tests/qemu/boot.sh): once more
if ! grep -aq '^vigil-systemd: done: ' "$log" && grep -aq 'soft lockup' "$log"; then
	mv "$log" "$log.lockup"
	echo "systemd: WARNING: the guest kernel locked up (console: $log.lockup); booting once more"
	boot_once
fi
phase "boot and checks"

# --- verdict --------------------------------------------------------------------
done_line=$(grep -a '^vigil-systemd: done: ' "$log" | tail -n 1 || true)
if [ -z "$done_line" ]; then
	echo "systemd: the guest's console ($log):"
	sed 's/^/  | /' "$log"
	die "the guest did not finish its checks (qemu: exit $rc; $timeout_s s timeout)"
fi
if grep -aq '^vigil-systemd: FAILED: ' "$log" || ! grep -aq ' 0 failed' <<<"$done_line"; then
	echo "systemd: the guest's console ($log):"
	sed 's/^/  | /' "$log"
	echo "systemd: FAILED:"
	grep -a '^vigil-systemd: FAILED: ' "$log" | sed 's/^/  /'
	exit 1
fi
echo "systemd: PASSED: ${done_line#vigil-systemd: done: }"
