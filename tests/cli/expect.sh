# shellcheck shell=bash
# Shared by the command-line tests (sourced): run vigil, check its exit code
# and that its output matches a pattern, count what failed.
#
#	expect CODE PATTERN -- ARGS...     run "$vigil ARGS...", check both
#	expect_done                        print the totals; non-zero if any failed
vigil=${VIGIL_BIN:?VIGIL_BIN must point at the vigil binary}
failures=0
checks=0

expect() {
	local code=$1 pattern=$2
	shift 3
	local out rc
	checks=$((checks + 1))
	out=$("$vigil" "$@" 2>&1)
	rc=$?
	if [[ $rc -ne $code ]]; then
		echo "FAIL: vigil $* exited $rc, expected $code; output: $out"
		failures=$((failures + 1))
	elif ! grep -qE -- "$pattern" <<<"$out"; then
		echo "FAIL: vigil $* printed '$out', expected /$pattern/"
		failures=$((failures + 1))
	else
		echo "ok: vigil $*"
	fi
}

expect_done() {
	echo "$((checks - failures)) passed, $failures failed"
	[[ $failures -eq 0 ]]
}
