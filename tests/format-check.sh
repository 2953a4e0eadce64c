#!/usr/bin/env bash
# Checks that every C source and header in bpf/ daemon/ include/ tests/ bench/
# (generated bpf/vmlinux/ excluded) is formatted as .clang-format says.
#
#	bash tests/format-check.sh          report files that need formatting
#	bash tests/format-check.sh --fix    reformat them in place
#
# CLANG_FORMAT selects the binary (default: clang-format). Exit status: 0 when
# every file is formatted, 1 when some are not, 2 on a usage or setup error.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

clang_format=${CLANG_FORMAT:-clang-format}
fix=0
case "${1:-}" in
"") ;;
--fix) fix=1 ;;
*)
	echo "usage: $0 [--fix]" >&2
	exit 2
	;;
esac

if ! command -v "$clang_format" >/dev/null 2>&1; then
	echo "format-check: $clang_format not found (apt-get install clang-format)" >&2
	exit 2
fi
if [ ! -f .clang-format ]; then
	echo "format-check: no .clang-format in $root" >&2
	exit 2
fi

dirs=()
for d in bpf daemon include tests bench; do
	[ -d "$d" ] && dirs+=("$d")
done
files=()
if [ "${#dirs[@]}" -gt 0 ]; then
	while IFS= read -r -d '' f; do
		files+=("$f")
	done < <(find "${dirs[@]}" -path bpf/vmlinux -prune -o -type f \( -name '*.c' -o -name '*.h' \) \
		-print0 | sort -z)
fi
if [ "${#files[@]}" -eq 0 ]; then
	echo "format-check: no C files found"
	exit 0
fi

if [ "$fix" -eq 1 ]; then
	"$clang_format" -i --style=file "${files[@]}"
	echo "format-check: reformatted ${#files[@]} files"
	exit 0
fi

bad=()
for f in "${files[@]}"; do
	if ! "$clang_format" --dry-run -Werror --style=file "$f" >/dev/null 2>&1; then
		bad+=("$f")
	fi
done

if [ "${#bad[@]}" -eq 0 ]; then
	echo "format-check: ${#files[@]} files checked, all formatted"
	exit 0
fi
echo "format-check: ${#bad[@]} of ${#files[@]} files need formatting:"
for f in "${bad[@]}"; do
	echo "  $f"
done
# Show the first offending lines of the first files so that a CI log says
# what is wrong without drowning it.
for f in "${bad[@]:0:5}"; do
	"$clang_format" --dry-run -Werror --style=file "$f" 2>&1 | head -n 6 || true
done
[ "${#bad[@]}" -le 5 ] || echo "format-check: (details shown for the first 5 files)"
echo "format-check: fix with: bash tests/format-check.sh --fix"
exit 1
