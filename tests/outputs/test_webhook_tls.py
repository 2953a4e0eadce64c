# SPDX-License-Identifier: Apache-2.0
"""
The webhook output over TLS, with a CA, server and client certificates made
by openssl for each test: a receiver vigil cannot verify is retried and gets
nothing, tls.ca_file makes it work; a receiver that requires a client
certificate (mTLS) refuses vigil without tls.cert and tls.key and takes the
alerts with them; TLS files that cannot be used stop vigil at start-up.
"""
import shutil
import tempfile
import unittest

import test_webhook as wh
from http_receiver import make_pki, server_context
from vigil_harness import wait_for


class WebhookTLSTest(wh.WebhookBase):

    def https_receiver(self, client_ca=False):
        pki = make_pki(self.tmpdir())
        r = self.receiver(tls=server_context(pki, pki["ca"] if client_ca else None))
        return pki, r

    def assert_undelivered(self, v, r):
        """vigil retried, delivered nothing, and counts the alert lost at shutdown."""
        v.stop()
        self.assert_clean_exit(v)
        st = v.sink("webhook-0")
        self.assertEqual(st["sent"], 0)
        self.assertGreater(st["retries"], 0)
        self.assertEqual(st["lost"], dict(wh.no_loss(), shutdown=1))
        self.assertEqual(r.all(), [])

    def test_tls_unknown_ca_is_refused(self):
        pki, r = self.https_receiver()
        v = self.start_vigil("""
drain_timeout: 1s
outputs:
  - type: webhook
    url: %s
    retry: {initial: 100ms, max: 500ms}
""" % r.url)
        v.trigger(1)
        wait_for(lambda: "SSL certificate problem" in v.err(), 30, "the TLS error logged")
        r.wait(lambda r: len(r.tls_errors) >= 2, 30, "handshakes tried again")
        self.assert_undelivered(v, r)
        self.assertIn("output webhook-0: %s: SSL certificate problem: "
                      "unable to get local issuer certificate" % r.url, v.err())

    def test_tls_with_ca_file(self):
        pki, r = self.https_receiver()
        v = self.start_vigil("""
outputs:
  - type: webhook
    url: %s
    tls: {ca_file: %s}
""" % (r.url, pki["ca"]))
        paths = v.trigger(2)
        alerts = r.wait_alerts(2)
        v.stop()
        self.assert_clean_exit(v)
        self.assertEqual(wh.names(alerts), paths)
        self.assertEqual(r.tls_errors, [])
        self.assertEqual(v.sink("webhook-0")["lost"], wh.no_loss())

    def test_mtls_without_client_cert_fails(self):
        pki, r = self.https_receiver(client_ca=True)
        v = self.start_vigil("""
drain_timeout: 1s
outputs:
  - type: webhook
    url: %s
    retry: {initial: 100ms, max: 500ms}
    tls: {ca_file: %s}
""" % (r.url, pki["ca"]))
        v.trigger(1)
        r.wait(lambda r: len(r.tls_errors) >= 2, 30, "handshakes refused twice")
        self.assertIn("certificate", r.tls_errors[0])
        self.assert_undelivered(v, r)
        self.assertIn("output webhook-0: %s: " % r.url, v.err())

    def test_mtls_with_client_cert(self):
        pki, r = self.https_receiver(client_ca=True)
        v = self.start_vigil("""
outputs:
  - type: webhook
    url: %s
    tls:
      ca_file: %s
      cert: %s
      key: %s
""" % (r.url, pki["ca"], pki["client_cert"], pki["client_key"]))
        paths = v.trigger(2)
        alerts = r.wait_alerts(2)
        v.stop()
        self.assert_clean_exit(v)
        self.assertEqual(wh.names(alerts), paths)
        self.assertEqual(r.tls_errors, [])


class WebhookTLSConfigTest(unittest.TestCase):
    """TLS files checked at start-up: no root needed."""

    def test_unreadable_ca_file(self):
        p = wh.run_config(self, "outputs:\n  - type: webhook\n    url: https://127.0.0.1:1/\n"
                          "    tls: {ca_file: /nonexistent/vigil-ca.pem}\n")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("output webhook-0: tls.ca_file /nonexistent/vigil-ca.pem: cannot read: "
                      "No such file or directory", p.stderr)

    def test_key_not_matching_cert(self):
        d = tempfile.mkdtemp(prefix="vigil-webhook-pki-")
        self.addCleanup(shutil.rmtree, d, ignore_errors=True)
        pki = make_pki(d)
        p = wh.run_config(self, "outputs:\n  - type: webhook\n    url: https://127.0.0.1:1/\n"
                          "    tls: {cert: %s, key: %s}\n" % (pki["client_cert"],
                                                             pki["server_key"]))
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("tls.key %s: not the key of tls.cert %s" % (pki["server_key"],
                                                                 pki["client_cert"]), p.stderr)


if __name__ == "__main__":
    unittest.main()
