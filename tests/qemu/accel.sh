# shellcheck shell=bash
# The accelerator a qemu test boots its guest with (sourced by
# tests/qemu/boot.sh and tests/pkg/systemd.sh).
#
# KVM only where it really runs the guest: /dev/kvm can be there while KVM
# cannot run this kernel (nested virtualisation): qemu then aborts at once
# ("failed to set MSR 0x10a", exit 134) or the guest never gets past the
# firmware and the test would sit out its whole timeout. kvm_runs_guest boots
# the kernel alone under KVM and waits up to 15 s for its banner on the
# serial console (it comes within a second or two where KVM works).

# kvm_runs_guest PROBE_LOG KERNEL CONSOLE QEMU...: QEMU (qemu-system-x86_64
# and its machine options) boots KERNEL under KVM far enough to print its
# banner on CONSOLE (ttyS0); the console goes to PROBE_LOG. Says why not.
kvm_runs_guest() {
	local probe=$1 kernel=$2 console=$3 pid
	shift 3
	"$@" -accel kvm -smp 1 -m 256 -nographic -no-reboot -kernel "$kernel" \
		-append "console=$console panic=-1" </dev/null >"$probe" 2>&1 &
	pid=$!
	for _ in $(seq 150); do
		if grep -aq 'Linux version' "$probe"; then
			kill "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	echo "accel: /dev/kvm is there but KVM did not run the kernel (no banner within" \
		"15 s; qemu said: $(tail -c 160 "$probe" | tr -cd '[:print:]\n' | tr '\n' ' ')): TCG"
	return 1
}

# kvm_usable PROBE_LOG KERNEL CONSOLE QEMU...: /dev/kvm is writable, KVM is
# not turned off (VIGIL_QEMU_KVM=0) and kvm_runs_guest.
kvm_usable() {
	[ -w /dev/kvm ] && [ "${VIGIL_QEMU_KVM:-1}" != 0 ] && kvm_runs_guest "$@"
}
