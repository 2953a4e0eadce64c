# SPDX-License-Identifier: Apache-2.0
"""
The metrics endpoint as a scraper and a liveness probe see it: /metrics in
the Prometheus text format (checked by promtool) with the counters of known
activity, /healthz following an output that fails and recovers while /livez
stays 200, "starting"
before capture, rule reloads counted, and the start-up errors for a port in
use or a bad address.
"""
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import unittest

from vigil_harness import RULE_NAME, OutputTest, Vigil, free_port, vigil_bin, wait_for

PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?')


def unescape(v):
    return re.sub(r'\\(.)', lambda m: "\n" if m.group(1) == "n" else m.group(1), v)


def parse(text):
    """{(name, frozenset of (label, value)): float} of a Prometheus text."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        assert m, "not a sample line: %r" % line
        labels = frozenset((k, unescape(v)) for k, v in LABEL.findall(m.group(2) or ""))
        out[(m.group(1), labels)] = float(m.group(3))
    return out


def lines(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return f.read().splitlines()


def value(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())))


def request(port, path, method="GET", host="127.0.0.1", timeout=10):
    """(status, headers, body) of one request."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request(method, path)
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read().decode()
    finally:
        conn.close()


def try_request(port, path, host="127.0.0.1", timeout=10):
    """request(), or None while nothing answers (refused, closed, timed out)."""
    try:
        return request(port, path, host=host, timeout=timeout)
    except (OSError, http.client.HTTPException):
        return None


def status_of(port, path, host="127.0.0.1"):
    return (try_request(port, path, host) or (0,))[0]


def possible_cpus():
    """The CPUs the kernel keeps per-CPU counters for: /sys/.../cpu/possible."""
    with open("/sys/devices/system/cpu/possible") as f:
        n = 0
        for part in f.read().strip().split(","):
            lo, _, hi = part.partition("-")
            n += int(hi or lo) - int(lo) + 1
        return n


def holds_file(pid, path):
    """Whether process @pid has @path open (also once deleted)."""
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            if os.readlink("/proc/%d/fd/%s" % (pid, fd)).startswith(path):
                return True
        except OSError:
            pass
    return False


class MetricsTest(OutputTest):

    def start(self, config, before_start=None):
        self.port = free_port()
        self.vigil = Vigil(config.replace("@PORT@", str(self.port)))
        if before_start:
            before_start(self.vigil)
        return self.vigil.start()

    def scrape(self):
        status, headers, body = request(self.port, "/metrics")
        self.assertEqual(status, 200, body)
        self.assertEqual(headers["Content-Type"], "text/plain; version=0.0.4; charset=utf-8")
        return body

    def wait_metric(self, name, want, timeout=20, **labels):
        """Wait until the published value of @name{@labels} is @want."""
        got = {}

        def check():
            got["v"] = value(parse(self.scrape()), name, **labels)
            return got["v"] == want
        try:
            wait_for(check, timeout, "%s%s == %s" % (name, labels, want), interval=0.2)
        except AssertionError:
            raise AssertionError("%s%s is %s, not %s" % (name, labels, got.get("v"), want))

    def test_scrape_after_alerts(self):
        v = self.start("""
metrics:
  listen: 127.0.0.1:@PORT@
outputs:
  - type: file
    path: @DIR@/alerts.json
    format: json
""")
        n = 7
        v.trigger(n)
        wait_for(lambda: len(lines(v.path("alerts.json"))) == n, 20, "7 alerts")
        # the sinks are read live, the loop's counters published about once a
        # second: wait for this activity to show in both
        self.wait_metric("vigil_output_alerts_sent_total", n, sink="file-0", type="file")
        self.wait_metric("vigil_alerts_total", n)
        text = self.scrape()
        check = subprocess.run([PROMTOOL, "check", "metrics"], input=text.encode(),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
        self.assertEqual(check.returncode, 0, check.stdout.decode())
        self.assertEqual(check.stdout.decode(), "", "promtool found problems")
        s = parse(text)
        self.assertEqual(value(s, "vigil_rule_matches_total", rule=RULE_NAME,
                               priority="Warning"), n)
        self.assertEqual(value(s, "vigil_output_alerts_submitted_total", sink="file-0",
                               type="file"), n)
        self.assertEqual(value(s, "vigil_output_alerts_dropped_total", sink="file-0",
                               type="file", reason="queue_full"), 0)
        self.assertEqual(value(s, "vigil_output_queue_capacity", sink="file-0", type="file"),
                         10000)
        self.assertGreater(value(s, "vigil_events_received_total"), 0)
        self.assertGreaterEqual(value(s, "vigil_events_decoded_total", kind="openat"), n)
        self.assertGreaterEqual(value(s, "vigil_kernel_events_total", kind="openat"), n)
        lost = {k: x for k, x in s.items() if k[0] == "vigil_kernel_events_lost_total"}
        self.assertGreater(len(lost), 10)
        self.assertEqual(sum(lost.values()), 0, "ring buffer full")
        cpus = [k for k in s if k[0] == "vigil_kernel_cpu_events_total"]
        self.assertEqual(len(cpus), possible_cpus())
        self.assertEqual(sum(s[k] for k in cpus),
                         sum(x for k, x in s.items() if k[0] == "vigil_kernel_events_total"))
        self.assertGreater(value(s, "vigil_state_processes"), 1)
        self.assertEqual(value(s, "vigil_rules_loaded"), 1)
        self.assertGreater(value(s, "vigil_rules_last_reload_success_timestamp_seconds"),
                           time.time() - 600)
        self.assertGreater(value(s, "process_resident_memory_bytes"), 1 << 20)
        self.assertGreater(value(s, "process_cpu_seconds_total"), 0)
        self.assertAlmostEqual(value(s, "process_start_time_seconds"), time.time(), delta=600)
        self.assertEqual(value(s, "vigil_capture_attached"), 1)
        self.assertEqual(value(s, "vigil_healthy"), 1)
        self.assertEqual(request(self.port, "/healthz")[::2], (200, "ok\n"))
        v.stop()
        self.assert_clean_exit(v)
        self.assertEqual(v.sink("file-0")["sent"], n)

    def test_http_surface(self):
        self.start("""
metrics:
  listen: 127.0.0.1:@PORT@
outputs:
  - type: stdout
""")
        status, headers, body = request(self.port, "/metrics", method="HEAD")
        self.assertEqual((status, body), (200, ""))
        self.assertGreater(int(headers["Content-Length"]), 1000)
        status, headers, body = request(self.port, "/metrics", method="POST")
        self.assertEqual(status, 405, body)
        self.assertEqual(headers["Allow"], "GET, HEAD")
        status, _, body = request(self.port, "/metricsx")
        self.assertEqual(status, 404, body)
        self.assertEqual(request(self.port, "/healthz?verbose=1")[::2], (200, "ok\n"))
        self.assertEqual(request(self.port, "/livez")[::2], (200, "ok\n"))
        status, _, body = request(self.port, "/livez", method="POST")
        self.assertEqual(status, 405, body)
        # clients that connect and say nothing take every connection slot
        # (16) for a while, not for ever: they are closed after 10 s idle
        idle = [socket.create_connection(("127.0.0.1", self.port)) for _ in range(20)]
        self.addCleanup(lambda: [c.close() for c in idle])
        self.assertIsNone(try_request(self.port, "/healthz", timeout=2), "no connection limit")
        wait_for(lambda: status_of(self.port, "/healthz") == 200, 90,
                 "an answer once the idle connections time out", interval=0.5)

    def test_healthz_starting_then_ok(self):
        """Up before capture: 503 "starting" until the loop runs, then 200."""
        port = free_port()
        v = self.vigil = Vigil("""
metrics:
  listen: 127.0.0.1:%d
outputs:
  - type: stdout
""" % port)
        args = [vigil_bin(), "run", "-c", v.config_path, "-r", v.rules_path]
        with open(v.stderr, "wb") as err:
            v.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=err)
        first = wait_for(lambda: try_request(port, "/healthz") or v.proc.poll() is not None,
                         60, "the endpoint", interval=0.005)
        self.assertIsInstance(first, tuple, v.err())
        self.assertEqual((first[0], first[2]), (503, "starting\n"))
        wait_for(lambda: status_of(port, "/healthz") == 200, 60, "200 once capturing")
        self.assertIn("vigil: ready", v.err())

    def test_healthz_follows_a_failing_output(self):
        def make_dir(v):
            os.mkdir(v.path("out"))
        v = self.start("""
metrics:
  listen: 127.0.0.1:@PORT@
outputs:
  - type: file
    path: @DIR@/out/alerts.log
    unhealthy_after: 1s
    retry: {initial: 100ms, max: 300ms}
""", before_start=make_dir)
        wait_for(lambda: request(self.port, "/healthz")[0] == 200, 20, "healthy")
        # logrotate reopens into a directory that is gone: writes fail until it is back
        shutil.rmtree(v.path("out"))
        v.kill(signal.SIGUSR1)
        wait_for(lambda: not holds_file(v.proc.pid, v.path("out/alerts.log")), 20,
                 "the output's file closed by SIGUSR1")
        v.trigger(1)
        want = re.compile(r"^output file-0: failing for \d+ s: writing %s: "
                          r"No such file or directory\n$" % re.escape(v.path("out/alerts.log")))
        wait_for(lambda: request(self.port, "/healthz")[0] == 503, 20, "503")
        status, _, body = request(self.port, "/healthz")
        self.assertEqual(status, 503)
        self.assertRegex(body, want)
        # liveness (/livez, the DaemonSet's livenessProbe) is capture's only:
        # restarting vigil would not bring the receiver back
        self.assertEqual(request(self.port, "/livez")[::2], (200, "ok\n"))
        s = parse(self.scrape())
        self.assertEqual(value(s, "vigil_output_healthy", sink="file-0", type="file"), 0)
        self.assertEqual(value(s, "vigil_healthy"), 0)
        self.assertGreater(value(s, "vigil_output_retries_total", sink="file-0",
                                 type="file"), 0)
        self.assertGreater(value(s, "vigil_output_failing_seconds", sink="file-0",
                                 type="file"), 0)
        os.mkdir(v.path("out"))
        wait_for(lambda: request(self.port, "/healthz")[::2] == (200, "ok\n"), 20,
                 "healthy again")
        self.wait_metric("vigil_output_alerts_sent_total", 1, sink="file-0", type="file")
        v.stop()
        self.assert_clean_exit(v)
        self.assertEqual(len(lines(v.path("out/alerts.log"))), 1)

    def test_reloads_counted(self):
        v = self.start("""
metrics:
  listen: 127.0.0.1:@PORT@
outputs:
  - type: stdout
""")
        self.wait_metric("vigil_rules_reloads_total", 0, result="success")
        v.kill(signal.SIGHUP)
        self.wait_metric("vigil_rules_reloads_total", 1, result="success")
        with open(v.rules_path, "a") as f:
            f.write("- rule: broken\n  condition: evt.type = \n")
        v.kill(signal.SIGHUP)
        self.wait_metric("vigil_rules_reloads_total", 1, result="failure")
        s = parse(self.scrape())
        self.assertEqual(value(s, "vigil_rules_loaded"), 1)  # the old rules still run
        self.assertGreater(value(s, "vigil_rules_last_reload_failure_timestamp_seconds"),
                           time.time() - 600)
        self.assertEqual(request(self.port, "/healthz")[::2], (200, "ok\n"))

    def test_ipv6(self):
        if not socket.has_ipv6:
            self.skipTest("no IPv6 in this Python")
        try:
            with socket.socket(socket.AF_INET6) as s:
                s.bind(("::1", 0))
        except OSError as e:
            self.skipTest("no IPv6 loopback: %s" % e)
        self.start("""
metrics:
  listen: "[::1]:@PORT@"
outputs:
  - type: stdout
""")
        wait_for(lambda: status_of(self.port, "/healthz", host="::1") == 200, 20,
                 "/healthz over IPv6")
        self.assertIsNone(try_request(self.port, "/healthz"))  # not on 127.0.0.1

    def run_failing(self, config):
        """vigil with @config must exit 1 before capture; its stderr."""
        v = self.vigil = Vigil(config)
        r = subprocess.run([vigil_bin(), "run", "-c", v.config_path, "-r", v.rules_path],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
        err = r.stderr.decode()
        self.assertEqual(r.returncode, 1, err)
        self.assertNotIn("vigil: ready", err)
        return err

    def test_port_in_use(self):
        busy = socket.socket()
        self.addCleanup(busy.close)
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        addr = "127.0.0.1:%d" % busy.getsockname()[1]
        err = self.run_failing("metrics:\n  listen: %s\n" % addr)
        self.assertEqual(err, "vigil: error: metrics.listen %s: cannot listen there: "
                              "Address already in use\n" % addr)

    def test_bad_address(self):
        for listen, why in (("127.0.0.1:http", "port 'http' is not a number from 1 to 65535"),
                            ("vigil.example:8765",
                             "'vigil.example' is not a numeric IPv4 address")):
            err = self.run_failing("metrics:\n  listen: %s\n" % listen)
            lines = err.splitlines()
            self.assertEqual(lines[0], "vigil: %s:2:11: error: metrics.listen: '%s': %s" %
                             (self.vigil.config_path, listen, why), err)
            r = subprocess.run([vigil_bin(), "run", "--check-config", "-c",
                                self.vigil.config_path], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=60)
            self.assertEqual(r.returncode, 1)
            self.assertIn("metrics.listen: '%s'" % listen, r.stderr.decode())
            self.vigil.close()


if __name__ == "__main__":
    unittest.main()
