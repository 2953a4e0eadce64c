# SPDX-License-Identifier: Apache-2.0
"""
The nats output against a real nats-server: every alert arrives as one
message of Falco JSON, in order; JetStream streams store them with a message
id; a server that is down at first, or restarts, gets them once it is back;
bad settings are config errors naming the key.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import unittest

from nats_proto import NatsClient, NatsServer, make_certs
from vigil_harness import RULE_NAME, OutputTest, free_port, vigil_bin, wait_for

FAST_RETRY = """
    retry:
      initial: 50ms
      max: 500ms
"""


def lost(stats):
    return {k: v for k, v in stats["lost"].items() if v}


class MuteServer:
    """
    Says INFO, answers the PING of the handshake with PONG, then reads and
    never answers again: a server that stopped acknowledging.
    """

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.received = b""
        self.conns = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)
            threading.Thread(target=self._client, args=(conn,), daemon=True).start()

    def _client(self, conn):
        info = {"server_id": "mute", "version": "2.9.10", "proto": 1, "headers": True,
                "max_payload": 1048576}
        try:
            conn.sendall(b"INFO " + json.dumps(info).encode() + b"\r\n")
            data = b""
            while b"PING\r\n" not in data:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
            conn.sendall(b"PONG\r\n")
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                self.received += chunk
        except OSError:
            return

    def close(self):
        self.sock.close()
        for c in self.conns:
            c.close()


class NatsOutputTest(OutputTest):

    def server(self, **kw):
        s = NatsServer(**kw)
        self.cleanups.append(s.close)
        return s.start()

    def client(self, server, **kw):
        c = NatsClient(server.port, **kw)
        self.cleanups.append(c.close)
        return c

    def check_alerts(self, alerts, paths):
        self.assertEqual([a["output_fields"]["fd.name"] for a in alerts], paths)
        for a in alerts:
            self.assertEqual(a["rule"], RULE_NAME)
            self.assertEqual(a["priority"], "Warning")
            self.assertEqual(a["source"], "syscall")
            self.assertEqual(a["tags"], ["vigil_test", "filesystem", "T1005"])
            self.assertRegex(a["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$")

    def stream_alerts(self, c, stream, n):
        """The @n messages of @stream: (headers, alert) each."""
        out = []
        for seq in range(1, n + 1):
            hdrs, data = c.stream_msg(stream, seq)
            out.append((hdrs, json.loads(data)))
        return out

    def test_core_nats_in_order(self):
        # no JetStream on the server: jetstream auto publishes core NATS
        srv = self.server()
        sub = self.client(srv)
        sid = sub.subscribe("alerts.node1")
        v = self.start_vigil("""
outputs:
  - type: nats
    url: %s
    subject: alerts.node1
""" % srv.url)
        paths = v.trigger(5)
        msgs = sub.messages(sid, 5, 30)
        v.stop()
        self.assert_clean_exit(v)
        self.assertEqual([m.subject for m in msgs], ["alerts.node1"] * 5)
        self.assertEqual([m.headers for m in msgs], [b""] * 5)  # no JetStream message id
        self.check_alerts([m.json() for m in msgs], paths)
        st = v.sink("nats-0")
        self.assertEqual(st["sent"], 5, st)
        self.assertEqual(st["retries"], 0, st)
        self.assertEqual(lost(st), {}, st)
        self.assertIsNone(sub.next_msg(0.5, sid))  # nothing else

    def test_jetstream_auto_without_stream_is_core_nats(self):
        srv = self.server(jetstream=True)
        sub = self.client(srv)
        sid = sub.subscribe("vigil.alerts")
        v = self.start_vigil("""
outputs:
  - type: nats
    url: %s
    jetstream: auto
""" % srv.url)
        paths = v.trigger(2)
        msgs = sub.messages(sid, 2, 30)
        v.stop()
        self.assert_clean_exit(v)
        self.assertEqual([m.headers for m in msgs], [b""] * 2)  # core NATS: no message id
        self.check_alerts([m.json() for m in msgs], paths)
        self.assertEqual(v.sink("nats-0")["retries"], 0)

    def test_jetstream_stream(self):
        srv = self.server(jetstream=True)
        c = self.client(srv)
        c.create_stream("ALERTS", ["fleet.>"])
        v = self.start_vigil("""
outputs:
  - type: nats
    url: [%s]
    subject: fleet.alerts.node1
    jetstream: true
""" % srv.url)
        paths = v.trigger(4)
        wait_for(lambda: c.stream_messages("ALERTS") == 4, 30, "4 messages in the stream")
        v.stop()
        self.assert_clean_exit(v)
        self.assertEqual(c.stream_messages("ALERTS"), 4)
        got = self.stream_alerts(c, "ALERTS", 4)
        self.check_alerts([a for _, a in got], paths)
        ids = [re.search(r"Nats-Msg-Id: *([0-9a-f]{32})\r\n", h) for h, _ in got]
        self.assertTrue(all(ids), [h for h, _ in got])
        self.assertEqual(len({m.group(1) for m in ids}), 4)  # one id per alert
        st = v.sink("nats-0")
        self.assertEqual(st["sent"], 4, st)
        self.assertEqual(lost(st), {}, st)

    def test_jetstream_auto_finds_the_stream(self):
        # a core publish is stored too: the message id shows JetStream was used
        srv = self.server(jetstream=True)
        c = self.client(srv)
        c.create_stream("VIGIL", ["vigil.alerts"])
        v = self.start_vigil("""
outputs:
  - type: nats
    url: %s, nats://127.0.0.1:%d
""" % (srv.url, free_port()))
        paths = v.trigger(2)
        wait_for(lambda: c.stream_messages("VIGIL") == 2, 30, "2 messages in the stream")
        v.stop()
        self.assert_clean_exit(v)
        got = self.stream_alerts(c, "VIGIL", 2)
        self.check_alerts([a for _, a in got], paths)
        for hdrs, _ in got:
            self.assertRegex(hdrs, r"Nats-Msg-Id: *[0-9a-f]{32}\r\n")
        self.assertEqual(v.sink("nats-0")["sent"], 2)

    def test_jetstream_true_without_stream_retries(self):
        # documented: no stream is a retry (an operator may create it), not a loss
        srv = self.server(jetstream=True)
        c = self.client(srv)
        v = self.start_vigil("""
outputs:
  - type: nats
    url: %s
    jetstream: true
""" % srv.url + FAST_RETRY)
        paths = v.trigger(3)
        want = ("output nats-0: no JetStream stream captures subject vigil.alerts on %s "
                "(jetstream: true)" % srv.url)
        wait_for(lambda: want in v.err(), 30, "the error about the stream")
        c.create_stream("LATE", ["vigil.alerts"])
        wait_for(lambda: c.stream_messages("LATE") == 3, 30, "3 messages in the stream")
        v.stop()
        self.assert_clean_exit(v)
        self.check_alerts([a for _, a in self.stream_alerts(c, "LATE", 3)], paths)
        st = v.sink("nats-0")
        self.assertEqual(st["sent"], 3, st)
        self.assertGreater(st["retries"], 0, st)
        self.assertEqual(lost(st), {}, st)

    def test_server_down_at_first_and_restarted(self):
        srv = NatsServer(jetstream=True)
        self.cleanups.append(srv.close)
        v = self.start_vigil("""
outputs:
  - type: nats
    url: %s
    jetstream: true
    connect_timeout: 1s
    timeout: 2s
""" % srv.url + FAST_RETRY)
        paths = v.trigger(3)
        wait_for(lambda: "output nats-0: cannot connect to %s" % srv.url in v.err(), 30,
                 "the connection error naming the URL")
        srv.start()
        c = NatsClient(srv.port)
        c.create_stream("ALERTS", ["vigil.alerts"])
        wait_for(lambda: c.stream_messages("ALERTS") == 3, 30, "3 messages in the stream")
        c.close()
        # the connection is lost: the next alerts wait for the server to come back
        srv.stop()
        paths += v.trigger(2)
        wait_for(lambda: v.err().count("output nats-0: ") >= 2, 30, "the second error")
        srv.start()
        c = self.client(srv)
        wait_for(lambda: c.stream_messages("ALERTS") == 5, 30, "5 messages in the stream")
        v.stop()
        self.assert_clean_exit(v)
        self.check_alerts([a for _, a in self.stream_alerts(c, "ALERTS", 5)], paths)
        st = v.sink("nats-0")
        self.assertEqual(st["sent"], 5, st)
        self.assertGreater(st["retries"], 0, st)
        self.assertEqual(lost(st), {}, st)

    def test_tls(self):
        certs = tempfile.mkdtemp(prefix="vigil-nats-tls-")
        self.cleanups.append(lambda: shutil.rmtree(certs, ignore_errors=True))
        ca, cert, key = make_certs(certs)
        srv = self.server(args=["--tls", "--tlscert", cert, "--tlskey", key])
        sub = self.client(srv, ca_file=ca)
        sid = sub.subscribe("vigil.alerts")
        url = "tls://127.0.0.1:%d" % srv.port
        v = self.start_vigil("""
drain_timeout: 1s
outputs:
  - type: nats
    name: verified
    url: %s
    tls:
      ca_file: %s
  - type: nats
    name: unverified
    url: %s
    tls:
      verify: false
  - type: nats
    name: untrusted
    url: %s
""" % (url, ca, url, url) + FAST_RETRY)
        paths = v.trigger(2)
        msgs = sub.messages(sid, 4, 30)
        wait_for(lambda: "output untrusted: cannot connect to %s" % url in v.err(), 30,
                 "the certificate error")
        v.stop()
        self.assert_clean_exit(v)
        self.assertEqual(sorted(m.json()["output_fields"]["fd.name"] for m in msgs),
                         sorted(paths * 2))
        self.assertEqual(v.sink("verified")["sent"], 2)
        self.assertEqual(v.sink("unverified")["sent"], 2)
        self.assertEqual(v.sink("untrusted")["sent"], 0)
        self.assertEqual(lost(v.sink("untrusted")), {"shutdown": 2})
        self.assertRegex(v.err(), r"output untrusted: cannot connect to %s: .*certificate"
                         % re.escape(url))

    def test_unacknowledged_publish_is_retried(self):
        mute = MuteServer()
        self.cleanups.append(mute.close)
        v = self.start_vigil("""
drain_timeout: 1s
outputs:
  - type: nats
    url: nats://127.0.0.1:%d
    jetstream: false
    timeout: 500ms
""" % mute.port + FAST_RETRY)
        v.trigger(1)
        want = ("output nats-0: no acknowledgement from nats://127.0.0.1:%d within 0.5 s"
                % mute.port)
        wait_for(lambda: want in v.err(), 30, "the timeout error")
        wait_for(lambda: mute.received.count(b"PUB vigil.alerts ") >= 2, 30, "a retry")
        v.stop()
        self.assert_clean_exit(v)
        st = v.sink("nats-0")
        self.assertEqual(st["sent"], 0, st)
        self.assertGreater(st["retries"], 0, st)
        self.assertEqual(lost(st), {"shutdown": 1}, st)

    def test_user_and_password(self):
        srv = self.server(args=["--user", "vigil", "--pass", "s3cret"])
        sub = self.client(srv, user="vigil", password="s3cret")
        sid = sub.subscribe("vigil.alerts")
        v = self.start_vigil("""
drain_timeout: 1s
outputs:
  - type: nats
    name: good
    url: %s
    user: vigil
    password: s3cret
  - type: nats
    name: bad
    url: %s
    user: vigil
    password: wrong-password
""" % (srv.url, srv.url) + FAST_RETRY)
        paths = v.trigger(2)
        msgs = sub.messages(sid, 2, 30)
        wait_for(lambda: "output bad: cannot connect to %s" % srv.url in v.err(), 30,
                 "the authentication error")
        v.stop()
        self.assert_clean_exit(v)
        self.check_alerts([m.json() for m in msgs], paths)
        self.assertIn("Authorization Violation", v.err())
        self.assertNotIn("wrong-password", v.err())
        self.assertEqual(v.sink("good")["sent"], 2)
        self.assertEqual(v.sink("bad")["sent"], 0)
        self.assertGreater(v.sink("bad")["retries"], 0)


class NatsConfigTest(unittest.TestCase):
    """Config errors: exit code 1 and the key named (no root, no server needed)."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="vigil-nats-conf-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def check_config(self, output):
        path = os.path.join(self.dir, "vigil.yaml")
        with open(path, "w") as f:
            f.write("outputs:\n  - type: nats\n" + output)
        return subprocess.run([vigil_bin(), "run", "--check-config", "-c", path],
                              capture_output=True, text=True, timeout=60)

    def assert_error(self, output, key, text):
        r = self.check_config(output)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn(key, r.stderr)
        self.assertIn(text, r.stderr)

    def test_bad_url_scheme(self):
        self.assert_error("    url: http://127.0.0.1:4222\n", "outputs[0].url",
                          "'http://127.0.0.1:4222' is not a NATS server URL")

    def test_bad_port_in_list(self):
        self.assert_error("    url: [nats://a:4222, 'nats://b:99999']\n", "outputs[0].url",
                          "'nats://b:99999' has a bad port")

    def test_missing_url(self):
        self.assert_error("    subject: x\n", "outputs[0].url", "missing")

    def test_bad_subject(self):
        self.assert_error("    url: nats://127.0.0.1\n    subject: alerts.>\n",
                          "outputs[0].subject", "wildcard")
        self.assert_error("    url: nats://127.0.0.1\n    subject: a..b\n",
                          "outputs[0].subject", "empty token")

    def test_bad_jetstream(self):
        self.assert_error("    url: nats://127.0.0.1\n    jetstream: maybe\n",
                          "outputs[0].jetstream", "'maybe' is not one of auto, true, false")

    def test_text_format(self):
        self.assert_error("    url: nats://127.0.0.1\n    format: text\n",
                          "outputs[0].format", "only format json")

    def test_credentials(self):
        self.assert_error("    url: nats://127.0.0.1\n    user: u\n", "outputs[0].password",
                          "user and password go together")
        self.assert_error("    url: nats://127.0.0.1\n    token: t\n    creds: /x.creds\n",
                          "outputs[0].creds", "alternatives")

    def test_unreadable_files(self):
        missing = os.path.join(self.dir, "missing.creds")
        r = self.check_config("    url: nats://127.0.0.1\n    creds: %s\n" % missing)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("output nats-0: cannot read the creds file %s: No such file" % missing,
                      r.stderr)
        ca = os.path.join(self.dir, "ca.pem")
        with open(ca, "w") as f:
            f.write("not a certificate\n")
        r = self.check_config("    url: tls://127.0.0.1\n    tls:\n      ca_file: %s\n" % ca)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("output nats-0: %s: " % ca, r.stderr)

    def test_valid(self):
        r = self.check_config("    url: nats://a:4222,nats://u:pw@b:4222\n"
                              "    subject: fleet.alerts\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("nats-0 (nats nats://a:4222,nats://b:4222 subject fleet.alerts)",
                      r.stdout)


if __name__ == "__main__":
    unittest.main()
