#!/usr/bin/env bash
# The config file from the command line: --check-config accepts a good file
# (exit 0, listing its outputs) and names the file, line, column and key of
# every problem in a bad one (exit 1); `vigil run` refuses a bad file before
# it loads anything (no root needed); flags still work with a config file.
set -u
# shellcheck source=expect.sh
source "$(dirname "${BASH_SOURCE[0]}")/expect.sh"
src=${VIGIL_SOURCE_DIR:?VIGIL_SOURCE_DIR must point at the source tree}
dir=$(mktemp -d /tmp/vigil-cli-config.XXXXXX)
trap 'rm -rf "$dir"' EXIT

cfg() { # cfg NAME TEXT: write $dir/NAME.yaml
	printf '%s\n' "$2" >"$dir/$1.yaml"
}

cfg good "outputs:
  - type: stdout
  - type: file
    name: alerts
    path: $dir/alerts.json
    format: json"
expect 0 "^vigil: $dir/good.yaml: ok, 2 outputs: stdout-0 \(stdout standard output\), alerts \(file $dir/alerts.json\)$" \
	-- run --check-config -c "$dir/good.yaml"
expect 0 "ok, 1 output: stdout-0" -- run --check-config -c "$src/packaging/vigil.yaml"
expect 1 "^vigil: $dir/none.yaml: error: cannot read the config file: No such file or directory" \
	-- run --check-config -c "$dir/none.yaml"

cfg unknown "json_output: true
colour: red"
expect 1 "^vigil: $dir/unknown.yaml:2:1: error: colour: unknown key$" -- run --check-config -c "$dir/unknown.yaml"
# vigil run itself stops at the config, before it needs root or BPF
expect 1 "^vigil: $dir/unknown.yaml:2:1: error: colour: unknown key$" -- run -c "$dir/unknown.yaml"
expect 1 "error: $dir/unknown.yaml: invalid config file" -- run -c "$dir/unknown.yaml"

cfg type "outputs:
  - type: fax"
expect 1 "^vigil: $dir/type.yaml:2:11: error: outputs\[0\].type: unknown output type 'fax': not one of stdout, file" \
	-- run --check-config -c "$dir/type.yaml"

cfg badtype "outputs:
  - type: file
    path: $dir/a
    queue: [1, 2]"
expect 1 "^vigil: $dir/badtype.yaml:4:12: error: outputs\[0\].queue: expected a mapping, got a list$" \
	-- run --check-config -c "$dir/badtype.yaml"

cfg nodir "outputs:
  - type: file
    path: $dir/missing/alerts.log"
expect 1 "error: output file-0: cannot open $dir/missing/alerts.log: No such file or directory" \
	-- run --check-config -c "$dir/nodir.yaml"

cfg spools "outputs:
  - {type: file, path: $dir/a, queue: {spool: $dir/sp}}
  - {type: file, path: $dir/b, queue: {spool: $dir/sp}}"
expect 1 "error: outputs file-0 and file-1: both spool to $dir/sp" -- run --check-config -c "$dir/spools.yaml"

cfg falco "json_output: true
engine: {kind: modern_ebpf}"
expect 1 "^vigil: $dir/falco.yaml:2:1: error: engine: a falco.yaml key with no meaning for vigil: remove it" \
	-- run --check-config -c "$dir/falco.yaml"

printf 'outputs: [\n' >"$dir/syntax.yaml"
expect 1 "^vigil: $dir/syntax.yaml:2:1: error: YAML syntax error" -- run --check-config -c "$dir/syntax.yaml"

# one line of 900 KB (300,000 list items): refused at the list's limit, at once
python3 -c "print('rules: [' + ', '.join(['a'] * 300000) + ']')" >"$dir/long.yaml"
expect 1 "^vigil: $dir/long.yaml:1:8: error: rules: more than 1024 items$" \
	-- run --check-config -c "$dir/long.yaml"
head -c 1100000 /dev/zero | tr '\0' '#' >"$dir/huge.yaml"
expect 1 "^vigil: $dir/huge.yaml: error: cannot read the config file: larger than 1 MiB" \
	-- run --check-config -c "$dir/huge.yaml"

# a flag still wins: a bad flag is a usage error even with a good file
expect 2 "error: --ringbuf-size: '3000' is not a power of two" \
	-- run -c "$dir/good.yaml" --ringbuf-size 3000

expect_done
