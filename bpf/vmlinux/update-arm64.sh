#!/usr/bin/env bash
#
# update-arm64.sh - regenerate bpf/vmlinux/arm64/vmlinux.h from a real Debian
# arm64 kernel, without needing an arm64 machine or /sys/kernel/btf/vmlinux.
#
# What it does:
#   1. Makes sure the host can see arm64 packages (dpkg --add-architecture
#      arm64 + apt-get update, only if needed) and that bpftool and python3
#      are installed (apt-get install, only if missing).
#   2. Resolves the current arm64 kernel package through the
#      linux-image-arm64:arm64 metapackage (or uses $KERNEL_PKG), and
#      downloads it with `apt-get download` -- it is NOT installed.
#   3. Extracts /boot/vmlinuz-* with dpkg-deb -x. On arm64 that file is a raw
#      "Image" (optionally gzip, zstd/xz or EFI-zboot compressed; handled) in
#      which the kernel's .BTF section is embedded without any ELF section
#      table. The BTF blob is located by its header (magic 0xeB9F, version 1,
#      flags 0, hdr_len 24, type_off 0, str_off >= type_len) and carved out;
#      exactly one such blob must be found.
#   4. Runs `bpftool btf dump file <blob> format c`, checks that the result
#      contains the arm64 types vigil's BPF code depends on, optionally
#      compiles a small CO-RE test program with -D__TARGET_ARCH_arm64, and
#      only then replaces the output file.
#
# Usage:
#   bpf/vmlinux/update-arm64.sh [OUTPUT]      (default: arm64/vmlinux.h next
#                                              to this script)
#
# Environment:
#   KERNEL_PKG=linux-image-6.1.0-56-arm64   pin a kernel package instead of
#                                           following the metapackage (it must
#                                           still be in the apt indexes)
#   META_PKG=linux-image-arm64              metapackage to resolve (default)
#   COMPILE_CHECK=auto|1|0                  auto (default): compile the test
#                                           program if clang and libbpf
#                                           headers are present; 1: require
#                                           it; 0: skip it
#
# Needs root (or sudo) only for dpkg --add-architecture / apt-get update /
# apt-get install, and only when those steps are actually needed. Works on a
# fresh Debian 12 (bookworm) machine with the stock Debian apt sources. All
# temporary files live in one mktemp directory that is removed on exit.
# After running, update the kernel package/version in README.md (the script
# prints them).

set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${1:-"$SCRIPT_DIR/arm64/vmlinux.h"}
META_PKG=${META_PKG:-linux-image-arm64}
KERNEL_PKG=${KERNEL_PKG:-}
COMPILE_CHECK=${COMPILE_CHECK:-auto}

log() { printf 'update-arm64: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

if [[ $(id -u) -eq 0 ]]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
else
    SUDO=()   # root-only steps will fail with a clear apt/dpkg error
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/vigil-arm64-btf.XXXXXX")
cleanup() { rm -rf -- "$TMP"; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
APT_UPDATED=0
apt_update() {
    if [[ $APT_UPDATED -eq 0 ]]; then
        log "apt-get update"
        "${SUDO[@]}" apt-get update -q >&2
        APT_UPDATED=1
    fi
}

# --- 1. host prerequisites -------------------------------------------------
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    log "enabling the arm64 dpkg architecture"
    "${SUDO[@]}" dpkg --add-architecture arm64
    apt_update
fi

missing=()
command -v bpftool >/dev/null 2>&1 || missing+=(bpftool)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if [[ ${#missing[@]} -gt 0 ]]; then
    apt_update
    log "installing ${missing[*]}"
    "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi

# --- 2. resolve and download the kernel package ----------------------------
resolve_pkg() {
    apt-cache depends "$META_PKG:arm64" 2>/dev/null \
        | sed -n 's/^ *Depends: \(linux-image-[^:]*-arm64\)\(:arm64\)\{0,1\}$/\1/p' \
        | head -n1
}

if [[ -z $KERNEL_PKG ]]; then
    KERNEL_PKG=$(resolve_pkg || true)
    if [[ -z $KERNEL_PKG ]]; then
        apt_update
        KERNEL_PKG=$(resolve_pkg || true)
    fi
    [[ -n $KERNEL_PKG ]] || die "cannot resolve $META_PKG:arm64 to a kernel image package"
fi
KERNEL_PKG=${KERNEL_PKG%:arm64}

if ! apt-cache show "$KERNEL_PKG:arm64" >/dev/null 2>&1; then
    apt_update
    apt-cache show "$KERNEL_PKG:arm64" >/dev/null 2>&1 \
        || die "$KERNEL_PKG:arm64 is not in the apt indexes"
fi
KERNEL_VER=$(apt-cache show "$KERNEL_PKG:arm64" | sed -n 's/^Version: //p' | head -n1)
log "kernel package: $KERNEL_PKG:arm64 $KERNEL_VER"

(cd "$TMP" && apt-get download -q -o APT::Sandbox::User=root \
    "$KERNEL_PKG:arm64=$KERNEL_VER" >&2)
DEB=$(find "$TMP" -maxdepth 1 -name "${KERNEL_PKG}_*_arm64.deb" -print -quit)
[[ -n $DEB ]] || die "apt-get download produced no .deb"

# --- 3. extract the image and carve the BTF blob ---------------------------
dpkg-deb -x "$DEB" "$TMP/root"
IMAGE=$(find "$TMP/root/boot" -maxdepth 1 -name 'vmlinuz-*' -print -quit)
[[ -n $IMAGE ]] || die "no /boot/vmlinuz-* in $DEB"
log "image: ${IMAGE#"$TMP/root"}"

python3 - "$IMAGE" "$TMP/vmlinux.btf" <<'PY'
import gzip, lzma, re, shutil, struct, subprocess, sys

src, dst = sys.argv[1], sys.argv[2]
data = open(src, "rb").read()

def zstd(buf):
    if not shutil.which("zstd"):
        sys.exit("update-arm64: zstd-compressed image but no zstd tool "
                 "(apt-get install zstd)")
    return subprocess.run(["zstd", "-dc"], input=buf, check=True,
                          stdout=subprocess.PIPE).stdout

def decompress(buf, kind):
    if kind == "gzip":
        return gzip.decompress(buf)
    if kind in ("xz", "lzma"):
        return lzma.decompress(buf)
    if kind == "zstd" or kind == "zstd22":
        return zstd(buf)
    sys.exit(f"update-arm64: unsupported image compression {kind!r}")

# Unwrap compression layers until we reach the raw arm64 Image.
for _ in range(3):
    if data[:2] == b"MZ" and data[4:8] == b"zimg":
        # EFI zboot: payload offset/size at 8/12, compression name at 24.
        off, size = struct.unpack_from("<II", data, 8)
        kind = data[24:32].split(b"\0")[0].decode()
        print(f"update-arm64: EFI zboot image ({kind})", file=sys.stderr)
        data = decompress(data[off:off + size], kind)
    elif data[:2] == b"\x1f\x8b":
        print("update-arm64: gzip image", file=sys.stderr)
        data = decompress(data, "gzip")
    elif data[:4] == b"\x28\xb5\x2f\xfd":
        print("update-arm64: zstd image", file=sys.stderr)
        data = decompress(data, "zstd")
    elif data[:6] == b"\xfd7zXZ\x00":
        print("update-arm64: xz image", file=sys.stderr)
        data = decompress(data, "xz")
    else:
        break

if data[56:60] != b"ARM\x64":
    sys.exit("update-arm64: not an arm64 Image (no ARM\\x64 magic at 0x38)")

# struct btf_header: u16 magic=0xeB9F, u8 version=1, u8 flags=0,
# u32 hdr_len=24, u32 type_off, type_len, str_off, str_len.
cands = []
for m in re.finditer(re.escape(b"\x9f\xeb\x01\x00\x18\x00\x00\x00"), data):
    off = m.start()
    type_off, type_len, str_off, str_len = struct.unpack_from("<IIII", data, off + 8)
    if type_off != 0 or type_len == 0 or str_len == 0 or str_off < type_len:
        continue
    total = 24 + str_off + str_len
    if off + total > len(data):
        continue
    s = off + 24 + str_off
    if data[s] != 0 or data[s + str_len - 1] != 0:   # string table is NUL-delimited
        continue
    cands.append((off, total, type_len, str_len))

if len(cands) != 1:
    sys.exit(f"update-arm64: expected exactly one BTF blob, found {len(cands)}: {cands}")
off, total, type_len, str_len = cands[0]
print(f"update-arm64: BTF at image offset {off:#x}: type_len={type_len} "
      f"str_len={str_len} total={total} bytes", file=sys.stderr)
with open(dst, "wb") as f:
    f.write(data[off:off + total])
PY

# --- 4. dump, validate, install --------------------------------------------
bpftool btf dump file "$TMP/vmlinux.btf" format c > "$TMP/vmlinux.h"

for re in '^struct user_pt_regs {' '^struct pt_regs {' '^struct task_struct {' \
          '^struct linux_binprm {' '^struct filename {'; do
    grep -q -- "$re" "$TMP/vmlinux.h" || die "generated header lacks '$re'"
done
# arm64's pt_regs (not x86's): must carry orig_x0 and syscallno.
sed -n '/^struct pt_regs {/,/^};/p' "$TMP/vmlinux.h" > "$TMP/pt_regs.txt"
if ! grep -q 'orig_x0;' "$TMP/pt_regs.txt" || ! grep -q 'syscallno;' "$TMP/pt_regs.txt"; then
    die "struct pt_regs is not the arm64 layout"
fi

do_compile=0
case $COMPILE_CHECK in
    0) ;;
    1) do_compile=1 ;;
    auto) if command -v clang >/dev/null 2>&1 && [[ -f /usr/include/bpf/bpf_helpers.h ]]; then
              do_compile=1
          else
              log "skipping compile check (needs clang and libbpf-dev)"
          fi ;;
    *) die "COMPILE_CHECK must be auto, 1 or 0" ;;
esac
if [[ $do_compile -eq 1 ]]; then
    cat > "$TMP/check.bpf.c" <<'C'
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sys_exit")
int BPF_PROG(check_sys_exit, struct pt_regs *regs, long ret)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
	unsigned long arg1 = PT_REGS_PARM1_CORE_SYSCALL(regs);
	int tgid = BPF_CORE_READ(task, tgid);

	bpf_printk("%d %lu %ld", tgid, arg1, ret);
	return 0;
}
C
    clang -g -O2 -target bpf -D__TARGET_ARCH_arm64 -I"$TMP" \
        -c "$TMP/check.bpf.c" -o "$TMP/check.bpf.o"
    log "compile check passed (clang -target bpf -D__TARGET_ARCH_arm64)"
fi

mkdir -p "$(dirname "$OUT")"
cp "$TMP/vmlinux.h" "$OUT.tmp.$$"
mv -f "$OUT.tmp.$$" "$OUT"
log "wrote $OUT ($(wc -c < "$OUT") bytes) from $KERNEL_PKG:arm64 $KERNEL_VER"
echo "$KERNEL_PKG $KERNEL_VER"
