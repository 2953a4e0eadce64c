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
die() {
	echo "${me:-pkg}: $*" >&2
	exit 1
}
