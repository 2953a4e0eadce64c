#!/usr/bin/env bash
# vigil's test command (the README's): format check, a -Werror build with every
# CTest label, a sanitizer build with the unit tests, fuzz smoke runs, then the
# BPF tests on other kernels and on arm64 under qemu.
#
#	bash tests/run.sh          (as root: the bpf and e2e tests load BPF programs)
#
# Steps:
#   1. tests/format-check.sh
#   2. build/      RelWithDebInfo, VIGIL_WERROR=ON, BUILD_TESTING=ON
#   3. ctest --test-dir build (all labels: unit, bpf, e2e)
#   4. build-san/  VIGIL_SANITIZE=ON (ASan + UBSan), VIGIL_WERROR=ON
#   5. ctest --test-dir build-san -L unit
#   6. build-fuzz/ clang with -DVIGIL_FUZZ=ON (libFuzzer targets)
#   7. a short fixed-seed run of each fuzz target
#   8. build-arm64/ cross build (cmake/aarch64-linux-gnu.cmake), VIGIL_WERROR=ON
#   9. ctest -L qemu in build/: the x86_64 BPF tests in Debian 12's 6.1 kernel
#  10. ctest -L qemu in build-arm64/: the arm64 BPF tests in Debian 12's 6.1
#      and bookworm-backports' 6.12 kernels (tests/qemu/boot.sh; TCG, no KVM)
#  11. tests/pkg/run.sh: the .deb (build-pkg/, lintian, installed and purged in
#      a debootstrap'd Debian 12 chroot) and the container image (built from
#      that root, run as the DaemonSet runs it)
# Every step runs even when an earlier one failed (a step whose build failed
# is reported as failed, not run). Re-running reuses the build directories.
# Exit status: 0 when every step passed, 1 otherwise. The last line is
#	summary: N passed, M failed
# counting each test CTest ran plus the format check and the builds.
#
# Environment: CI=true makes BPF tests fail instead of skipping when they
# cannot load their programs (it is exported to the tests). JOBS sets the
# build parallelism (default: nproc). CTEST_TIMEOUT the default per-test
# timeout in seconds for tests that set none (default 900). CTEST_ARGS adds
# arguments to the first ctest run (e.g. CTEST_ARGS="-L unit" on a machine
# where BPF tests must not run); CI leaves it empty.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 1

jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
ctest_timeout=${CTEST_TIMEOUT:-900}
if [ "${CI:-}" = true ]; then
	export CI
fi
# UBSan reports must fail the test that triggered them.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

passed=0
failed=0
step_no=0
results=()
log_dir=$(mktemp -d "${TMPDIR:-/tmp}/vigil-tests.XXXXXX") || exit 1
trap 'rm -rf "$log_dir"' EXIT

announce() {
	step_no=$((step_no + 1))
	echo
	echo "==> [$step_no/11] $*"
}

record() { # record NAME ok|FAILED|skipped
	results+=("$(printf '%-40s %s' "$1" "$2")")
	case "$2" in
	ok) passed=$((passed + 1)) ;;
	FAILED) failed=$((failed + 1)) ;;
	esac
}

# A build directory configured from another source tree cannot be reused.
check_build_dir() {
	local dir=$1 home
	[ -f "$dir/CMakeCache.txt" ] || return 0
	home=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$dir/CMakeCache.txt")
	if [ -n "$home" ] && [ "$home" != "$root" ]; then
		echo "run.sh: $dir was configured for $home; recreating it"
		rm -rf "$dir"
	fi
}

build() { # build DIR NAME CMAKE_ARGS...
	local dir=$1 name=$2
	shift 2
	check_build_dir "$dir"
	if cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=ON \
		-DVIGIL_WERROR=ON "$@" && cmake --build "$dir" -j "$jobs"; then
		record "$name" ok
		return 0
	fi
	record "$name" FAILED
	return 1
}

# run_ctest NAME CTEST_ARGS...: runs ctest, counts its tests into the totals.
run_ctest() {
	local name=$1 log summary nfail=0 total rc
	shift
	log="$log_dir/ctest.$step_no.log"
	ctest --output-on-failure --no-tests=error --timeout "$ctest_timeout" "$@" 2>&1 |
		tee "$log"
	rc=${PIPESTATUS[0]}
	summary=$(grep -E '[0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
	if [ -n "$summary" ]; then
		nfail=$(sed -E 's/.* ([0-9]+) tests? failed out of.*/\1/' <<<"$summary")
		total=$(sed -E 's/.*failed out of ([0-9]+).*/\1/' <<<"$summary")
		passed=$((passed + total - nfail))
		failed=$((failed + nfail))
	fi
	if [ "$rc" -ne 0 ] && { [ -z "$summary" ] || [ "$nfail" -eq 0 ]; }; then
		failed=$((failed + 1)) # no tests found, or ctest itself failed
	fi
	if [ "$rc" -eq 0 ]; then
		results+=("$(printf '%-40s %s' "$name" ok)")
	else
		results+=("$(printf '%-40s %s' "$name" FAILED)")
		[ -n "$summary" ] || results+=("  (ctest exited $rc without a test summary)")
	fi
	return "$rc"
}

skip() { # skip NAME REASON
	echo "run.sh: skipping $1: $2"
	results+=("$(printf '%-40s %s' "$1" "not run ($2)")")
	failed=$((failed + 1))
}

if [ "$(id -u)" -ne 0 ]; then
	echo "run.sh: not root: bpf and e2e tests cannot load BPF programs" \
		"(they fail with CI=true, otherwise skip)"
fi

announce "format check (tests/format-check.sh)"
if bash tests/format-check.sh; then
	record "format check" ok
else
	record "format check" FAILED
fi

announce "build: build/ (RelWithDebInfo, -DVIGIL_WERROR=ON)"
if build build "build (werror)" -DVIGIL_QEMU_TESTS=ON; then
	main_built=true
	announce "ctest --test-dir build (labels: unit, bpf, e2e; qemu runs in step 9)"
	# shellcheck disable=SC2086 # CTEST_ARGS is a list of arguments
	run_ctest "ctest build (all labels)" --test-dir build -LE qemu ${CTEST_ARGS:-}
else
	main_built=false
	announce "ctest --test-dir build: not run, the build failed"
	skip "ctest build (all labels)" "build failed"
fi

announce "build: build-san/ (-DVIGIL_SANITIZE=ON -DVIGIL_WERROR=ON)"
if build build-san "build-san (asan+ubsan, werror)" -DVIGIL_SANITIZE=ON; then
	announce "ctest --test-dir build-san -L unit"
	run_ctest "ctest build-san (unit)" --test-dir build-san -L unit
else
	announce "ctest --test-dir build-san -L unit: not run, the build failed"
	skip "ctest build-san (unit)" "build failed"
fi

# The fuzz targets of the untrusted-input parsers (records, rule conditions,
# rule files) must keep building; each then runs a short, fixed-seed smoke
# run. Long fuzzing is done by hand (see tests/fuzz/).
announce "build: build-fuzz/ (clang, libFuzzer) and a smoke run of each target"
if CC=clang build build-fuzz "build-fuzz (libfuzzer)" -DVIGIL_FUZZ=ON; then
	fuzz_ok=true
	for f in build-fuzz/tests/fuzz_*; do
		[ -x "$f" ] || continue
		# seeds (tests/fuzz/seeds/NAME/) are copied: libFuzzer adds to its first corpus
		name=$(basename "$f")
		corpus=()
		if [ -d "tests/fuzz/seeds/${name#fuzz_}" ]; then
			mkdir -p "$log_dir/corpus-$name"
			cp "tests/fuzz/seeds/${name#fuzz_}"/* "$log_dir/corpus-$name/"
			corpus=("$log_dir/corpus-$name")
		fi
		echo "run.sh: $f -runs=20000 -seed=1 ${corpus[*]}"
		"$f" -runs=20000 -seed=1 -max_len=4096 "${corpus[@]}" >"$log_dir/$name.log" 2>&1 ||
			{ tail -n 30 "$log_dir/$name.log"; fuzz_ok=false; }
	done
	if $fuzz_ok; then record "fuzz smoke runs" ok; else record "fuzz smoke runs" FAILED; fi
else
	skip "fuzz smoke runs" "build failed"
fi

# The BPF tests on kernels and an architecture the host is not: each qemu
# test downloads a Debian kernel into BUILD/qemu/ and boots it (~5 min each).
announce "build: build-arm64/ (cross-compiled: cmake/aarch64-linux-gnu.cmake)"
build build-arm64 "build-arm64 (cross, werror)" \
	-DCMAKE_TOOLCHAIN_FILE="$root/cmake/aarch64-linux-gnu.cmake" -DVIGIL_QEMU_TESTS=ON
arm64_built=$?
announce "ctest --test-dir build -L qemu (x86_64, Debian 12's kernel)"
if $main_built; then
	run_ctest "ctest build (qemu)" --test-dir build -L qemu
else
	skip "ctest build (qemu)" "build failed"
fi
announce "ctest --test-dir build-arm64 -L qemu (arm64: 6.1 and 6.12)"
if [ "$arm64_built" -eq 0 ]; then
	run_ctest "ctest build-arm64 (qemu)" --test-dir build-arm64 -L qemu
else
	skip "ctest build-arm64 (qemu)" "build failed"
fi

announce "packages: .deb and container image (tests/pkg/run.sh)"
if bash tests/pkg/run.sh build-pkg; then
	record "packages (deb, image)" ok
else
	record "packages (deb, image)" FAILED
fi

echo
echo "==> results"
for r in "${results[@]}"; do
	echo "  $r"
done
echo "summary: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
