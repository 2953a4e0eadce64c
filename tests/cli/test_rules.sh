#!/usr/bin/env bash
# `vigil rules check|list -r PATH`: a directory means its *.yaml and *.yml
# files in name order, as for `vigil run` and `vigil replay` (one expansion,
# rulefiles.c); the summary is the same as for the files named one by one,
# and an error names the file it is in. No root needed.
set -u
# shellcheck source=expect.sh
source "$(dirname "${BASH_SOURCE[0]}")/expect.sh"
dir=$(mktemp -d /tmp/vigil-cli-rules.XXXXXX)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/rules.d" "$dir/empty" "$dir/bad.d"

# one_rule FILE NAME CONDITION: a rule file of one INFO rule
one_rule() {
	printf -- '- rule: %s\n  desc: d\n  condition: %s\n  output: o\n  priority: INFO\n' "$2" "$3" >"$1"
}

# b.yaml uses a.yml's macro: it loads only if a.yml comes first
cat >"$dir/rules.d/a.yml" <<'EOF'
- macro: shell_procs
  condition: proc.name in (bash, sh)
EOF
cat >"$dir/rules.d/b.yaml" <<'EOF'
- rule: Shell started
  desc: a shell
  condition: evt.type = execve and shell_procs
  output: shell %proc.name
  priority: WARNING
EOF
echo 'not rules' >"$dir/rules.d/notes.txt"
echo '- rule: [' >"$dir/rules.d/.hidden.yaml"

d="$dir/rules.d"
expect 0 "^2 rule files OK: $d/a.yml $d/b.yaml$" -- rules check -r "$d"
expect 0 "^2 rule files OK: $d/a.yml $d/b.yaml$" -- rules check -r "$d/"
expect 0 "^Shell started +Warning +yes" -- rules list -r "$d"
expect 0 "^3 rule files OK: $d/a.yml $d/b.yaml $d/b.yaml$" -- rules check -r "$d" -r "$d/b.yaml"

# the same summary as for the files one by one
checks=$((checks + 1))
by_dir=$("$vigil" rules check -r "$d" 2>&1)
by_files=$("$vigil" rules check -r "$d/a.yml" -r "$d/b.yaml" 2>&1)
if [[ "$by_dir" == "$by_files" ]] && grep -q '^rules: 1 (1 enabled)$' <<<"$by_dir"; then
	echo "ok: rules check -r DIR prints what -r FILE -r FILE prints"
else
	echo "FAIL: rules check -r DIR printed '$by_dir', -r FILE... printed '$by_files'"
	failures=$((failures + 1))
fi

cp "$d/a.yml" "$dir/bad.d/a.yml"
one_rule "$dir/bad.d/c.yaml" x 'proc.nme = sh'
expect 1 "^$dir/bad.d/c.yaml:3:14: error: .*proc.nme" -- rules check -r "$dir/bad.d"
expect 1 "^vigil rules: no rule files \(\*.yaml, \*.yml\) in $dir/empty$" -- rules check -r "$dir/empty"
expect 1 "^vigil rules: rules $dir/none: No such file or directory$" -- rules check -r "$dir/none"
expect 2 "vigil rules: -r needs a path" -- rules check -r

# rules explain: the prefilter of each open kind, and what keeps one whole
mkdir "$dir/pf"
cat >"$dir/pf/p.yaml" <<'EOF'
- rule: shadow
  desc: d
  condition: evt.type in (open, openat) and evt.is_open_read=true and fd.name in (/etc/shadow, /etc/gshadow)
  output: o
  priority: WARNING
- rule: logs
  desc: d
  condition: evt.type = openat and evt.is_open_write=true and (fd.directory = /var/log or fd.filename = syslog)
  output: o
  priority: WARNING
EOF
p="$dir/pf"
expect 0 "^  openat +filtered: 2 rules; 2 exact paths, 0 prefixes, 1 suffixes, 1 directories, 0 requested names" -- rules explain -r "$p"
expect 0 "^  open +filtered: 1 rules; 2 exact paths, 0 prefixes" -- rules explain -r "$p"
expect 0 "^  openat2 +filtered: 0 rules" -- rules explain -r "$p"
expect 0 "^    path +/etc/shadow  \[read\]$" -- rules explain -v -r "$p"
expect 0 "^    directory +/var/log/  \[write\]$" -- rules explain -v -r "$p"
expect 0 "^    suffix +/syslog  \[write\]$" -- rules explain -v -r "$p"
expect 0 "^prefilter \(in the kernel" -- rules check -v -r "$p"
# a process name: that process's opens pass whatever the path, the others' stay filtered
one_rule "$p/q.yaml" cat 'evt.type = openat and proc.name in (cat, tac)'
expect 0 "^  openat +filtered: 3 rules; 2 exact paths, 0 prefixes, 1 suffixes, 1 directories, 0 requested names and prefixes, 2 process names, 0 substrings$" -- rules explain -r "$p"
expect 0 "^    process +tac  \[any open, any path\]$" -- rules explain -v -r "$p"
# two names at once never hold; a name a comm cannot hold (16 bytes) neither
one_rule "$p/q2.yaml" never 'evt.type = openat and proc.name = cat and proc.name in (tac, abcdefghijklmnop)'
expect 0 "^  openat +filtered: 3 rules; .*, 2 process names, 0 substrings$" -- rules explain -r "$p"
# more names than the kernel's table holds (1024 per kind): the kind passes whole
names=$(seq -f 'p%g' 1 1025 | paste -sd, -)
one_rule "$dir/many.yaml" many "evt.type = creat and proc.name in ($names)"
expect 0 "^  creat +passes whole: more process names than the kernel's table holds$" -- rules explain -r "$dir/many.yaml"
names=$(seq -f 'p%g' 1 1024 | paste -sd, -)
one_rule "$dir/many.yaml" many "evt.type = creat and proc.name in ($names)"
expect 0 "^  creat +filtered: 1 rules; .*, 1024 process names, 0 substrings$" -- rules explain -r "$dir/many.yaml"
# fd.directory: the root is the directory "/"; one too long for a key (251 bytes and its "/") is a prefix
long=/$(printf 'd%.0s' $(seq 250))
one_rule "$dir/dirs.yaml" dirs "evt.type = creat and fd.directory in (/, /etc/, $long)"
expect 0 "^  creat +filtered: 1 rules; 0 exact paths, 1 prefixes, 0 suffixes, 2 directories, " -- rules explain -r "$dir/dirs.yaml"
expect 0 "^    directory +/  \[any open\]$" -- rules explain -v -r "$dir/dirs.yaml"
expect 0 "^    directory +/etc/  \[any open\]$" -- rules explain -v -r "$dir/dirs.yaml"
expect 0 "^    prefix +$long/  \[any open\]$" -- rules explain -v -r "$dir/dirs.yaml"
# a substring of the path: tested in the kernel, 4 per kind; past them, their classes pass any path
mkdir "$dir/sub"
one_rule "$dir/sub/a.yaml" sub 'evt.type = creat and evt.is_open_write=true and fd.name contains fish_read_history'
expect 0 "^  creat +filtered: 1 rules; 0 exact paths, .*, 0 process names, 1 substrings$" -- rules explain -r "$dir/sub"
expect 0 "^    contains +fish_read_history  \[write\]$" -- rules explain -v -r "$dir/sub"
one_rule "$dir/sub/b.yaml" subs 'evt.type = creat and evt.is_open_read=true and (fd.name contains ab or fd.name contains cd or fd.name contains ef or fd.name contains gh)'
expect 0 "^  creat +filtered: 2 rules; .*, 4 substrings; any path when: read \(1 substrings past the kernel's 4\)$" -- rules explain -r "$dir/sub"
# not a name: any process may match
one_rule "$p/r.yaml" any 'evt.type = openat and not proc.name = cat'
expect 0 '^  openat +passes whole: every open may match rule "any"$' -- rules explain -r "$p"
expect 1 "error" -- rules explain -r "$dir/bad.d"

expect_done
