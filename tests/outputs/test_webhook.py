# SPDX-License-Identifier: Apache-2.0
"""
The webhook output against real HTTP receivers (http_receiver.py): the
alert as Falco's JSON (what Falcosidekick takes), custom headers, retries
after 5xx and 429 (Retry-After), refusals that are not retried, a receiver
that hangs (queue, spool, exact drop counts), batching, the proxy from the
environment, shutdown into the spool and delivery after a restart, and the
config errors a user sees. TLS and mTLS: test_webhook_tls.py.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
from email.utils import formatdate

from http_receiver import Receiver
from vigil_harness import RULE_NAME, OutputTest, Vigil, vigil_bin, wait_for

PROXY_VARS = ("http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
              "no_proxy", "NO_PROXY")

LOSS_REASONS = ("queue_full", "spool_full", "spool_error", "shutdown", "rejected",
                "retries_exhausted", "too_large")


def lines(path):
    if not os.path.exists(path):
        return []
    with open(path, errors="replace") as f:
        return f.read().splitlines()


def names(alerts):
    return [a["output_fields"]["fd.name"] for a in alerts]


def no_loss():
    return {r: 0 for r in LOSS_REASONS}


def vigil_version():
    out = subprocess.run([vigil_bin(), "version"], capture_output=True, text=True).stdout
    return re.match(r"vigil (\S+)", out).group(1)


class WebhookBase(OutputTest):
    """Receivers stopped after each test; the checks of Falco's alert."""

    def setUp(self):
        super().setUp()
        # the tests talk to 127.0.0.1 directly: no proxy from the caller's environment
        saved = {k: os.environ.pop(k) for k in PROXY_VARS if k in os.environ}
        self.cleanups.append(lambda: os.environ.update(saved))

    def receiver(self, **kw):
        r = Receiver(**kw)
        self.cleanups.append(r.stop)
        return r

    def tmpdir(self):
        d = tempfile.mkdtemp(prefix="vigil-webhook-")
        self.cleanups.append(lambda: shutil.rmtree(d, ignore_errors=True))
        return d

    def check_falco_alert(self, a, path):
        """@a is the Falco JSON alert of the test rule for the open of @path."""
        self.assertEqual(set(a), {"hostname", "output", "output_fields", "priority", "rule",
                                  "source", "tags", "time"})
        self.assertRegex(a["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$")
        self.assertEqual(a["rule"], RULE_NAME)
        self.assertEqual(a["priority"], "Warning")
        self.assertEqual(a["source"], "syscall")
        self.assertEqual(a["hostname"], socket.gethostname())
        self.assertEqual(a["tags"], ["vigil_test", "filesystem", "T1005"])
        # Falco's output: the text line, starting with the time of day of "time"
        self.assertTrue(a["output"].startswith(
            a["time"][11:29] + ": Warning output test open (file=%s proc=python3 " % path),
            a["output"])
        f = a["output_fields"]
        self.assertEqual(f["fd.name"], path)
        self.assertEqual(f["proc.name"], "python3")
        self.assertIn("proc.cmdline", f)
        # evt.time: the same instant as "time", in ns since the epoch
        t = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(f["evt.time"] // 10**9))
        self.assertEqual(a["time"], "%s.%09dZ" % (t, f["evt.time"] % 10**9))


def run_config(test, config, *args):
    """`vigil run -c CONFIG ARGS` with @config (no root: it stops at the config)."""
    d = tempfile.mkdtemp(prefix="vigil-webhook-cfg-")
    test.addCleanup(shutil.rmtree, d, ignore_errors=True)
    path = os.path.join(d, "vigil.yaml")
    with open(path, "w") as f:
        f.write(config)
    return subprocess.run([vigil_bin(), "run", "-c", path] + list(args),
                          capture_output=True, text=True, timeout=60, cwd=d)


class WebhookTest(WebhookBase):

    def test_falco_json_and_headers(self):
        r = self.receiver()
        v = self.start_vigil("""
outputs:
  - type: webhook
    url: %s
    headers:
      Authorization: Bearer s3cret
      X-Vigil-Test: "yes"
""" % r.url)
        paths = v.trigger(3)
        alerts = r.wait_alerts(3)
        v.stop()
        self.assert_clean_exit(v)
        self.assertEqual(names(alerts), paths)
        for a, p in zip(alerts, paths):
            self.check_falco_alert(a, p)
        reqs = r.all()
        self.assertEqual(len(reqs), 3)  # one alert per request, as Falco posts them
        for q in reqs:
            self.assertEqual(q.path, "/alerts")
            self.assertEqual(q.headers["Content-Type"], "application/json")
            self.assertEqual(q.headers["Authorization"], "Bearer s3cret")
            self.assertEqual(q.headers["X-Vigil-Test"], "yes")
            self.assertEqual(q.headers["User-Agent"], "vigil/" + vigil_version())
            self.assertIsNone(q.headers["Expect"])
            self.assertIsInstance(json.loads(q.body), dict)  # a bare object, not a list
        st = v.sink("webhook-0")
        self.assertEqual((st["sent"], st["retries"], st["lost"]), (3, 0, no_loss()))

    def test_retries_after_5xx(self):
        r = self.receiver(responses=[500, 503, 500])
        v = self.start_vigil("""
outputs:
  - type: webhook
    url: %s
    user_agent: falco-compatible/1
    retry: {initial: 100ms, max: 500ms}
""" % r.url)
        paths = v.trigger(5)
        alerts = r.wait_alerts(5)
        v.stop()
        self.assert_clean_exit(v)
        self.assertEqual(names(alerts), paths)  # every one, in order, once
        self.assertEqual([q.status for q in r.all()], [500, 503, 500, 200, 200, 200, 200, 200])
        self.assertEqual(r.all()[0].headers["User-Agent"], "falco-compatible/1")
        st = v.sink("webhook-0")
        self.assertEqual((st["sent"], st["retries"], st["lost"]), (5, 3, no_loss()))
        self.assertIn("output webhook-0: %s: HTTP 500" % r.url, v.err())

    def test_large_reply_is_bounded(self):
        # vigil reads 64 KiB of a reply and closes the connection: still delivered
        r = self.receiver(responses=[(200, {}, b"x" * (64 << 20))])
        v = self.start_vigil("""
outputs:
  - type: webhook
    url: %s
""" % r.url)
        paths = v.trigger(2)
        alerts = r.wait_alerts(2)
        v.stop()
        self.assert_clean_exit(v)
        self.assertEqual(names(alerts), paths)
        wait_for(lambda: r.all()[0].reply_cut, 10, "the first reply cut by vigil")
        self.assertFalse(r.all()[1].reply_cut)
        st = v.sink("webhook-0")
        self.assertEqual((st["sent"], st["retries"], st["lost"]), (2, 0, no_loss()))

    def retry_after_gap(self, answer):
        r = self.receiver(responses=[answer])
        v = self.start_vigil("""
outputs:
  - type: webhook
    url: %s
    retry: {initial: 100ms, max: 500ms}
""" % r.url)
        paths = v.trigger(1)
        alerts = r.wait_alerts(1)
        v.stop()
        self.assert_clean_exit(v)
        self.assertEqual(names(alerts), paths)
        first, second = r.all()
        self.assertEqual((first.status, second.status), (answer[0], 200))
        self.assertEqual(v.sink("webhook-0")["retries"], 1)
        return second.time - first.time

    def test_429_retry_after_seconds(self):
        # backoff alone would retry within 0.5 s
        gap = self.retry_after_gap((429, {"Retry-After": "1"}))
        self.assertGreaterEqual(gap, 0.9)

    def test_503_retry_after_http_date(self):
        # a date more than 2 s ahead (the format has whole seconds)
        gap = self.retry_after_gap(
            (503, lambda: {"Retry-After": formatdate(time.time() + 3, usegmt=True)}))
        self.assertGreaterEqual(gap, 1.9)

    def test_refusals_are_not_retried(self):
        r = self.receiver(responses=[(400, {}, b"no such index\n"),
                                     (301, {"Location": "http://elsewhere.invalid/"}),
                                     413])
        v = self.start_vigil("""
outputs:
  - type: webhook
    url: %s
    retry: {initial: 100ms, max: 500ms}
""" % r.url)
        paths = v.trigger(4)
        alerts = r.wait_alerts(1)
        v.stop()
        self.assert_clean_exit(v)
        self.assertEqual(names(alerts), paths[3:])
        # exactly one request per alert: none was tried again
        self.assertEqual([q.status for q in r.all()], [400, 301, 413, 200])
        self.assertEqual([names(q.alerts()) for q in r.all()], [[p] for p in paths])
        st = v.sink("webhook-0")
        lost = dict(no_loss(), rejected=2, too_large=1)
        self.assertEqual((st["sent"], st["retries"], st["lost"]), (1, 0, lost))
        self.assertIn("%s: HTTP 400: no such index" % r.url, v.err())

    def hang_config(self, r, spool):
        # a file output beside it shows when every alert has reached the outputs
        return """
outputs:
  - type: webhook
    url: %s
    timeout: 1s
    retry: {initial: 100ms, max: 500ms}
    queue: {size: 5%s}
  - type: file
    path: @DIR@/all.json
    format: json
""" % (r.url, ", spool: @DIR@/spool" if spool else "")

    def hang_then_release(self, v, r, n):
        """One alert in flight to the hung receiver, @n - 1 behind it, then release."""
        paths = v.trigger(1)
        r.wait(lambda r: len(r.requests) >= 1, 30, "the first request")
        paths += v.trigger(n - 1)
        wait_for(lambda: len(lines(v.path("all.json"))) == n, 30, "%d alerts submitted" % n)
        r.release()
        return paths

    def test_hung_receiver_spools_and_recovers(self):
        r = self.receiver(hang=True)
        v = self.start_vigil(self.hang_config(r, spool=True))
        paths = self.hang_then_release(v, r, 30)
        alerts = r.wait_alerts(30, timeout=60)
        v.stop()
        self.assert_clean_exit(v)
        self.assertEqual(names(alerts), paths)  # nothing missing, nothing twice, in order
        st = v.sink("webhook-0")
        # 1 in flight, 5 queued, the rest spooled behind them
        self.assertEqual((st["sent"], st["spooled"], st["unspooled"]), (30, 24, 24))
        self.assertGreater(st["retries"], 0)
        self.assertEqual(st["lost"], no_loss())
        self.assertEqual((st["queue_depth"], st["spool_depth"]), (0, 0))

    def test_hung_receiver_without_spool_counts_drops(self):
        r = self.receiver(hang=True)
        v = self.start_vigil(self.hang_config(r, spool=False))
        n = 20
        paths = self.hang_then_release(v, r, n)
        alerts = r.wait_alerts(6, timeout=60)
        v.stop()
        self.assert_clean_exit(v)
        st = v.sink("webhook-0")
        # 1 in flight and 5 in the queue delivered; every later one dropped and counted
        self.assertEqual(st["sent"], 6)
        self.assertEqual(st["lost"], dict(no_loss(), queue_full=n - 6))
        self.assertEqual(st["sent"] + sum(st["lost"].values()), n)
        self.assertEqual(names(alerts), paths[:6])
        self.assertEqual(names(r.alerts()), paths[:6])  # and nothing after them

    def batch_test(self, fmt, ctype):
        r = self.receiver()
        v = self.start_vigil("""
outputs:
  - type: webhook
    url: %s
    batch: {size: 10, format: %s, linger: 2s}
""" % (r.url, fmt))
        paths = v.trigger(25)
        alerts = r.wait_alerts(25)
        v.stop()
        self.assert_clean_exit(v)
        self.assertEqual(names(alerts), paths)
        reqs = r.all()
        self.assertLess(len(reqs), 25)
        for q in reqs:
            self.assertEqual(q.headers["Content-Type"], ctype)
            self.assertLessEqual(len(q.alerts()), 10)
        for a, p in zip(alerts, paths):
            self.check_falco_alert(a, p)
        st = v.sink("webhook-0")
        self.assertEqual((st["sent"], st["lost"]), (25, no_loss()))
        return reqs

    def test_batch_array(self):
        for q in self.batch_test("array", "application/json"):
            self.assertIsInstance(json.loads(q.body), list)

    def test_batch_ndjson(self):
        for q in self.batch_test("ndjson", "application/x-ndjson"):
            body = q.body.decode()
            self.assertTrue(body.endswith("}\n"), body[-40:])
            self.assertFalse(body.startswith("["))

    def test_proxy_from_environment(self):
        proxy = self.receiver()
        os.environ["http_proxy"] = "http://127.0.0.1:%d" % proxy.port
        v = self.start_vigil("""
outputs:
  - type: webhook
    url: http://vigil-webhook.invalid:8080/hook
""")
        paths = v.trigger(1)
        alerts = proxy.wait_alerts(1)
        v.stop()
        self.assert_clean_exit(v)
        self.assertEqual(names(alerts), paths)
        # a proxy gets the absolute URL
        self.assertEqual(proxy.all()[0].path, "http://vigil-webhook.invalid:8080/hook")

    def test_shutdown_spools_then_restart_delivers(self):
        spool = self.tmpdir()
        config = """
drain_timeout: 1s
outputs:
  - type: webhook
    url: %s
    timeout: 60s
    queue: {spool: %s}
"""
        hung = self.receiver(hang=True)
        v1 = self.start_vigil(config % (hung.url, spool))
        first = v1.trigger(5)
        hung.wait(lambda r: len(r.requests) >= 1, 30, "the first request")
        t0 = time.monotonic()
        v1.stop()
        took = time.monotonic() - t0
        self.assert_clean_exit(v1)
        # the transfer (timeout 60 s) was cut when the 1 s drain time ran out
        self.assertLess(took, 15, "vigil took %.1f s to stop" % took)
        st = v1.sink("webhook-0")
        self.assertEqual((st["sent"], st["spooled"], st["spool_depth"]), (0, 5, 5))
        self.assertEqual(st["lost"], no_loss())
        self.assertEqual(hung.accepted(), [])
        v1.close()

        up = self.receiver()
        self.vigil = v2 = Vigil(config % (up.url, spool))
        v2.start()
        second = v2.trigger(3)
        alerts = up.wait_alerts(8)
        v2.stop()
        self.assert_clean_exit(v2)
        self.assertEqual(names(alerts), first + second)  # the spooled ones first, in order
        st = v2.sink("webhook-0")
        self.assertEqual((st["sent"], st["unspooled"], st["spool_depth"]), (8, 5, 0))
        self.assertEqual(st["lost"], no_loss())


class WebhookConfigTest(unittest.TestCase):
    """Config errors: no root needed, vigil stops before loading anything."""

    def test_url_not_http(self):
        p = run_config(self, "outputs:\n  - type: webhook\n    url: 'htp://x'\n")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("vigil.yaml:3:10: error: outputs[0].url: "
                      "'htp://x' is not an http:// or https:// URL", p.stderr)

    def test_url_missing(self):
        p = run_config(self, "outputs:\n  - type: webhook\n")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("outputs[0].url: missing", p.stderr)

    def test_bad_keys_each_named(self):
        p = run_config(self, """\
outputs:
  - type: webhook
    url: https://127.0.0.1:1/
    format: text
    headers:
      X-Evil: "a\\r\\nInjected: 1"
      Content-Length: 5
    batch: {size: 10001, format: xml}
""")
        self.assertEqual(p.returncode, 1, p.stderr)
        for want in ("outputs[0].format: a webhook posts Falco's JSON alert: only 'json'",
                     "outputs[0].headers.X-Evil: the value holds a line break",
                     "outputs[0].headers.Content-Length: set by vigil",
                     "outputs[0].batch.size: '10001' is not a whole number from 1 to 10000",
                     "outputs[0].batch.format: 'xml' is not one of array, ndjson"):
            self.assertIn(want, p.stderr)

    def test_check_config_hides_credentials(self):
        p = run_config(self, "outputs:\n  - type: webhook\n"
                       "    url: https://user:pw123@127.0.0.1:8443/hook?token=tk456\n",
                       "--check-config")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("webhook-0 (webhook https://127.0.0.1:8443/hook)", p.stdout)
        self.assertNotIn("pw123", p.stdout + p.stderr)
        self.assertNotIn("tk456", p.stdout + p.stderr)


if __name__ == "__main__":
    unittest.main()
