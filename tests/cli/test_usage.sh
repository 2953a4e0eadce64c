#!/usr/bin/env bash
# Command-line errors: each bad invocation exits 2 with one message that
# names the problem; `vigil version` and `--help` exit 0. No root needed.
set -u
# shellcheck source=expect.sh
source "$(dirname "${BASH_SOURCE[0]}")/expect.sh"

expect 0 '^vigil [0-9]+\.[0-9]+\.[0-9]+ \(wire format 4\)$' -- version
expect 0 'usage: vigil run' -- --help
expect 2 "error: no command given" --
expect 2 "error: unknown command 'frobnicate'" -- frobnicate
expect 2 "error: --events: unknown event 'opnat'" -- run --events openat,opnat
expect 2 "error: --ringbuf-size: '3000' is not a power of two" -- run --ringbuf-size 3000
expect 2 "error: --ringbuf-size: '2G' is not a power of two" -- run --ringbuf-size 2G
expect 2 "error: --ringbuf-size: 'lots'" -- run --ringbuf-size lots
expect 2 "error: --duration: '-1' is not a positive number" -- run --duration -1
expect 2 "error: --duration: 'soon' is not a positive number" -- run --duration soon
expect 2 "error: unexpected argument 'extra'" -- run extra
expect 2 "error: invalid option for 'vigil run'" -- run --bogus
expect 2 "error: --host-root: 'host' is not an absolute path" -- run --host-root host
expect 2 "error: --syscall-hook: 'fast' is not auto, tracepoints or raw" -- run --syscall-hook fast

expect_done
