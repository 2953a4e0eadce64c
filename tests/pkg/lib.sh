# shellcheck shell=bash
# What the package checks share (sourced): a failure is counted and the
# check goes on; die stops the script. Set `me` (the prefix of die's
# message) before sourcing.
failures=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}
ok() { echo "ok: $*"; }
check() { # OK_MESSAGE FAIL_MESSAGE CMD...
	if "${@:3}"; then ok "$1"; else fail "$2"; fi
}
# judge CODE PATTERN RC OUT LINES COMMAND NAME: COMMAND (shown as "# COMMAND"),
# which exited RC printing OUT, should have exited CODE printing a line that
# matches PATTERN: ok or fail NAME. Shows its first LINES lines when it
# passed, all of them when it failed.
judge() {
	local code=$1 pattern=$2 rc=$3 out=$4 lines=$5 title=$6 name=$7 verdict=ok shown
	if [ "$rc" -ne "$code" ]; then
		verdict="exited $rc, expected $code"
	elif ! grep -qE -- "$pattern" <<<"$out"; then
		verdict="printed no line matching /$pattern/"
	fi
	shown=$out
	[ "$verdict" = ok ] && shown=$(head -n "$lines" <<<"$out")
	echo "# $title"
	printf '    %s\n' "${shown//$'\n'/$'\n'    }"
	if [ "$verdict" = ok ]; then ok "$name"; else fail "$name $verdict"; fi
}
die() {
	echo "${me:-pkg}: $*" >&2
	exit 1
}
