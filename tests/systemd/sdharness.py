# SPDX-License-Identifier: Apache-2.0
"""
What the systemd tests share: `vigil run` (tests/outputs/vigil_harness.py's
Vigil) started with an environment of the test's own (NOTIFY_SOCKET,
WATCHDOG_USEC) or under a command that changes its capabilities (setpriv),
and a listener that collects what vigil sends to NOTIFY_SOCKET the way
systemd does: one datagram per sd_notify(3) call, NAME=value lines.
"""
import json
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "outputs"))

from vigil_harness import Vigil  # noqa: E402

# linux/capability.h
CAP_DAC_READ_SEARCH = 2
CAP_SYS_PTRACE = 19
CAP_PERFMON = 38
CAP_BPF = 39
CAP_SYS_ADMIN = 21


def perf_admin():
    """kernel.perf_event_paranoid above 2 (Debian's kernels): perf events need CAP_SYS_ADMIN."""
    with open("/proc/sys/kernel/perf_event_paranoid") as f:
        return int(f.read()) > 2


# what vigil needs and keeps after attaching (packaging/systemd/vigil.service, README)
NEEDED = [CAP_BPF, CAP_PERFMON, CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH] + \
    ([CAP_SYS_ADMIN] if perf_admin() else [])
KEPT = sum(1 << c for c in NEEDED)


RULES_TEMPLATE = """\
- rule: {tag} open
  desc: a file of the test was opened
  condition: evt.type in (open, openat, openat2) and fd.name startswith @PREFIX@
  output: "{tag} open (file=%fd.name)"
  priority: WARNING
"""

# A second rule on a kind that nothing captured before a reload: the reload
# attaches mkdir's hooks with the capabilities vigil kept.
RULES_MKDIR_TEMPLATE = RULES_TEMPLATE + """\
- rule: {tag} mkdir
  desc: a directory of the test was made
  condition: evt.type in (mkdir, mkdirat) and evt.arg.path startswith @PREFIX@
  output: "{tag} mkdir (path=%evt.arg.path)"
  priority: WARNING
"""


def open_rules(tag):
    """The rule "TAG open" (files under the prefix) alone, and with "TAG mkdir"."""
    return RULES_TEMPLATE.format(tag=tag), RULES_MKDIR_TEMPLATE.format(tag=tag)


def alerts(v, rule):
    """The JSON alerts of @rule that vigil @v printed on stdout so far."""
    out = []
    for line in v.out().splitlines():
        try:
            a = json.loads(line)
        except ValueError:
            continue
        if a.get("rule") == rule:
            out.append(a)
    return out


class SdVigil(Vigil):
    """A Vigil started with @env added to the environment, under @wrapper."""

    def __init__(self, config="", env=None, wrapper=(), **kw):
        super().__init__(config, **kw)
        self.env = dict(os.environ)
        for k in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"):
            self.env.pop(k, None)
        self.env.update(env or {})
        self.wrapper = list(wrapper)

    def rewrite_rules(self, text):
        with open(self.rules_path, "w") as f:
            f.write(text.replace("@PREFIX@", self.prefix))


class NotifyListener:
    """
    A datagram socket in @dir for NOTIFY_SOCKET. Each message is kept with
    the time it came and, through @on_msg(text), whatever the test wants to
    know at that moment (vigil's stderr so far).
    """

    def __init__(self, dir, on_msg=None):
        self.path = os.path.join(dir, "notify.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.2)
        self.on_msg = on_msg or (lambda text: None)
        self.msgs = []  # (monotonic time, text, on_msg's answer)
        self.lock = threading.Lock()
        self.stopped = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stopped:
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            text = data.decode(errors="replace")
            seen = self.on_msg(text)
            with self.lock:
                self.msgs.append((time.monotonic(), text, seen))

    def texts(self):
        with self.lock:
            return [m[1] for m in self.msgs]

    def entries(self):
        with self.lock:
            return list(self.msgs)

    def close(self):
        self.stopped = True
        self.thread.join(2)
        self.sock.close()


def cap_masks(path):
    """{"CapEff": int, ...} of a /proc/PID/status (or task's) file."""
    out = {}
    with open(path) as f:
        for line in f:
            if line.startswith("Cap"):
                k, v = line.split(":")
                out[k] = int(v.strip(), 16)
    return out


def cap_names(mask):
    names = {CAP_BPF: "CAP_BPF", CAP_PERFMON: "CAP_PERFMON",
             CAP_SYS_PTRACE: "CAP_SYS_PTRACE", CAP_DAC_READ_SEARCH: "CAP_DAC_READ_SEARCH",
             CAP_SYS_ADMIN: "CAP_SYS_ADMIN"}
    return sorted(names.get(b, str(b)) for b in range(64) if mask >> b & 1)
