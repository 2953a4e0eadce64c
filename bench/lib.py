"""What the benchmarks' analyze.py scripts share (bench/capture, bench/replay):
the key=value lines run.sh writes and reads, vigil's final stats line, numbers
that may be missing. Imported by path: each script puts bench/ on sys.path.
"""
import json
import sys


def kv(line):
    """The key=value pairs of @line (other words are ignored), as a dict."""
    out = {}
    for tok in line.split():
        if "=" in tok:
            k, v = tok.split("=", 1)
            out[k] = v
    return out


def kv_line(pairs):
    """@pairs (a dict) as one line of key=value pairs, in order."""
    return " ".join("%s=%s" % (k, v) for k, v in pairs.items())


def read_stats(path):
    """The object of vigil's last {"vigil_stats": ...} line in the file @path
    (vigil run or replay stderr), or None when there is none."""
    stats = None
    with open(path, errors="replace") as f:
        for line in f:
            if '"vigil_stats"' not in line:
                continue
            try:
                stats = json.loads(line[line.index("{"):])["vigil_stats"]
            except (ValueError, KeyError):
                pass
    return stats


def num(v, default=None):
    """@v as a float, or @default when it is missing or not a number."""
    try:
        return float(v)
    except (TypeError, ValueError):
        return default


def run_command(argv, commands, usage):
    """Run the command @argv[1] of @commands, a dict of name: (function,
    number of arguments; -N: N arguments, then a non-empty list of the rest).
    Returns the exit status: 0, or 2 after printing @usage when the command
    or its number of arguments is wrong."""
    name, args = (argv[1], argv[2:]) if len(argv) > 1 else (None, [])
    fn, n = commands.get(name, (None, 0))
    if fn is not None and n < 0 and len(args) > -n:
        fn(*args[:-n], args[-n:])
    elif fn is not None and len(args) == n:
        fn(*args)
    else:
        sys.stderr.write(usage)
        return 2
    return 0
