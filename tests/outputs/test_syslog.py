# SPDX-License-Identifier: Apache-2.0
"""
The syslog output against a real rsyslog, as a user sees it: rsyslogd (its
own config, pid file, work directory, ports and sockets; never the system's
/dev/log or /var/log) receives over UDP, TCP, TLS, a unix datagram socket
and a unix stream socket, and writes each message through a template that
shows its parsers' view of every field (RFC 5424: pmrfc5424; RFC 3164:
pmrfc3164; imuxsock's parser for the local socket). Checked: host name,
app-name, procid, severity from the rule's priority, facility, MSGID, the
structured data, the timestamp (the alert's), MSG as text and JSON, a file
name that tries to forge a second message, a collector that is down at first
and one that restarts, and the config and start-up errors.

rsyslog (and its TLS driver, rsyslog-openssl) must be installed: without
them the tests fail, they do not skip.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import unittest

from rsyslog_receiver import Rsyslog
from vigil_harness import RULE_NAME, OutputTest, free_port, vigil_bin, wait_for

SD = ('[vigil@32473 rule="%s" priority="Warning" source="syscall" '
      'tags="vigil_test,filesystem,T1005"]' % RULE_NAME)
TEXT_MSG = re.compile(r"^output test open \(file=(\S+) proc=python3 cmdline=.*\)$")


class SyslogOutputTest(OutputTest):

    def rsyslog(self, **kw):
        r = Rsyslog(**kw)
        self.cleanups.append(r.close)
        return r.start()

    def check_5424(self, m, host, facility, app="vigil"):
        """The fields of an RFC 5424 message of the test rule (priority WARNING)."""
        self.assertEqual(m["version"], "1", m)
        self.assertEqual(m["host"], host, m)
        self.assertEqual(m["app"], app, m)
        self.assertEqual(m["procid"], str(self.vigil.proc.pid), m)
        self.assertEqual(m["severity"], "4", m)
        self.assertEqual(m["facility"], str(facility), m)
        self.assertEqual(m["msgid"], "alert", m)
        self.assertEqual(m["sd"], SD, m)

    def check_text(self, msgs, paths):
        got = []
        for m in msgs:
            t = TEXT_MSG.match(m["msg"])
            self.assertIsNotNone(t, m)
            got.append(t.group(1))
        self.assertEqual(got, paths)

    def test_rfc5424_udp_tcp_unix(self):
        r = self.rsyslog()
        v = self.start_vigil("""
outputs:
  - type: syslog
    name: udp
    address: udp://127.0.0.1:%(udp)d
    facility: local3
    hostname: vigil-test-host
    format: text
  - type: syslog
    name: tcp
    address: tcp://127.0.0.1:%(tcp)d
    format: json
  - type: syslog
    name: dgram
    address: unix://%(dir)s/dgram5424.sock
    protocol: rfc5424
    facility: daemon
    format: text
  - type: syslog
    name: stream
    address: unix://%(dir)s/stream.sock
    protocol: rfc5424
    app_name: vigil
    format: text
""" % dict(r.ports, dir=r.dir))
        paths = v.trigger(3)
        udp, tcp = r.wait("udp", 3), r.wait("tcp", 3)
        dgram, stream = r.wait("dgram5424", 3), r.wait("stream", 3)
        v.stop()
        self.assert_clean_exit(v)
        host = socket.gethostname()
        for m in udp:
            self.check_5424(m, "vigil-test-host", 19)  # local3
        for m in tcp + stream:
            self.check_5424(m, host, 1)  # user: the default
        for m in dgram:
            self.check_5424(m, host, 3)  # daemon
        self.check_text(udp, paths)
        self.check_text(dgram, paths)
        self.check_text(stream, paths)
        alerts = [json.loads(m["msg"]) for m in tcp]
        self.assertEqual([a["output_fields"]["fd.name"] for a in alerts], paths)
        for a, m_udp, m_tcp in zip(alerts, udp, tcp):
            self.assertEqual(a["rule"], RULE_NAME)
            # the alert's own time, to the microsecond
            self.assertEqual(m_udp["time"], a["time"][:26] + "Z")
            self.assertEqual(m_tcp["time"], a["time"][:26] + "Z")
        for name in ("udp", "tcp", "dgram", "stream"):
            self.assertEqual(v.sink(name)["sent"], 3, name)
            self.assertEqual(v.sink(name)["retries"], 0, name)
        self.assertEqual(v.stats["lost"], 0)

    def test_rfc3164_and_local_socket(self):
        r = self.rsyslog()
        v = self.start_vigil("""
outputs:
  - type: syslog
    name: udp
    address: udp://127.0.0.1:%(udp)d
    protocol: rfc3164
    facility: local7
    hostname: h3164
    format: text
  - type: syslog
    name: local
    address: unix://%(dir)s/local.sock
    facility: authpriv
    format: text
""" % dict(r.ports, dir=r.dir))
        paths = v.trigger(2)
        udp, local = r.wait("udp", 2), r.wait("local", 2)
        v.stop()
        self.assert_clean_exit(v)
        # rsyslog's RFC 3164 parser (UDP), and imuxsock's for the local socket,
        # which expects syslog(3)'s form (no host name: it adds its own)
        for m, host, facility in [(m, "h3164", 23) for m in udp] + [
                (m, socket.gethostname().split(".")[0], 10) for m in local]:
            self.assertEqual(m["version"], "0", m)
            self.assertEqual(m["host"], host, m)
            self.assertEqual(m["app"], "vigil", m)
            self.assertEqual(m["procid"], str(v.proc.pid), m)
            self.assertEqual(m["severity"], "4", m)
            self.assertEqual(m["facility"], str(facility), m)
            self.assertEqual(m["msgid"], "-", m)
            self.assertEqual(m["sd"], "-", m)
            self.assertTrue(m["msg"].startswith(" "), m)  # rsyslog keeps the space after "TAG:"
            m["msg"] = m["msg"][1:]
        self.check_text(udp, paths)
        self.check_text(local, paths)
        self.assertEqual(v.sink("udp")["sent"], 2)
        self.assertEqual(v.sink("local")["sent"], 2)

    def test_tls(self):
        r = self.rsyslog(tls=True)
        v = self.start_vigil("""
outputs:
  - type: syslog
    name: tls
    address: tls://127.0.0.1:%(tls)d
    tls: {ca_file: %(dir)s/ca.pem}
  - type: syslog
    name: tls-name
    address: tls://localhost:%(tls)d
    app_name: vigil-name
    format: text
    tls: {ca_file: %(dir)s/ca.pem}
  - type: syslog
    name: mtls
    address: tls://127.0.0.1:%(mtls)d
    format: text
    tls:
      ca_file: %(dir)s/ca.pem
      cert: %(dir)s/client.pem
      key: %(dir)s/client.key
  - type: syslog
    name: no-verify
    address: tls://127.0.0.1:%(tls)d
    app_name: vigil-nv
    format: text
    tls: {verify: false}
  - type: syslog
    name: wrong-name
    address: tls://127.0.0.1:%(tls)d
    tls: {ca_file: %(dir)s/ca.pem, server_name: elsewhere.example}
    retry: {initial: 10ms, max: 20ms, max_attempts: 2}
  - type: syslog
    name: no-ca
    address: tls://127.0.0.1:%(tls)d
    retry: {initial: 10ms, max: 20ms, max_attempts: 2}
""" % dict(r.ports, dir=r.dir))
        paths = v.trigger(3)
        tls, mtls = r.wait("tls", 9), r.wait("mtls", 3)
        wait_for(lambda: "output no-ca" in v.err() and "output wrong-name" in v.err(), 20,
                 "the certificate errors")
        v.stop()
        self.assert_clean_exit(v)
        host = socket.gethostname()
        by_app = {}
        for m in tls:
            by_app.setdefault(m["app"], []).append(m)
        self.assertEqual(sorted(by_app), ["vigil", "vigil-name", "vigil-nv"])
        for app, msgs in by_app.items():
            for m in msgs:
                self.check_5424(m, host, 1, app)
        for m in mtls:
            self.check_5424(m, host, 1)
        self.assertEqual([json.loads(m["msg"])["output_fields"]["fd.name"]
                          for m in by_app["vigil"]], paths)
        self.check_text(by_app["vigil-name"], paths)
        self.check_text(by_app["vigil-nv"], paths)
        self.check_text(mtls, paths)
        for name in ("tls", "tls-name", "mtls", "no-verify"):
            self.assertEqual(v.sink(name)["sent"], 3, name)
        prefix = "tls://127.0.0.1:%d: TLS handshake: certificate verify failed: " % r.ports["tls"]
        self.assertIn("output wrong-name: " + prefix + "hostname mismatch", v.err())
        self.assertIn("output no-ca: " + prefix + "self-signed certificate in certificate chain",
                      v.err())
        for name in ("wrong-name", "no-ca"):
            self.assertEqual(v.sink(name)["sent"], 0, name)
            self.assertEqual(v.sink(name)["lost"]["retries_exhausted"], 3, name)

    def test_no_forged_messages(self):
        r = self.rsyslog()
        v = self.start_vigil("""
outputs:
  - type: syslog
    name: udp
    address: udp://127.0.0.1:%(udp)d
    format: text
  - type: syslog
    name: tcp
    address: tcp://127.0.0.1:%(tcp)d
    format: text
  - type: syslog
    name: local
    address: unix://%(dir)s/local.sock
    format: text
""" % dict(r.ports, dir=r.dir))
        evil = (b"x\n<9>1 2026-01-01T00:00:00Z forged vigil - alert - FAKE\x1b[31m"
                b"\xc2\x9b\x7f\xff\n13 <9>1 - - - -")
        v.trigger(1, name=evil)
        got = {name: r.wait(name, 1) for name in ("udp", "tcp", "local")}
        v.stop()
        self.assert_clean_exit(v)
        want = ("x\\n<9>1 2026-01-01T00:00:00Z forged vigil - alert - FAKE\\x1b[31m"
                "\\xc2\\x9b\\x7f\\xff\\n13 <9>1 - - - -")
        for name, msgs in got.items():
            self.assertEqual(len(r.messages(name)), 1, (name, msgs))  # one message: none forged
            m = msgs[0]
            self.assertEqual(m["app"], "vigil", m)
            self.assertIn(want, m["msg"], m)
            # rsyslog shows a control character it received as #NNN: there were none
            self.assertNotRegex(m["msg"], r"#\d\d\d", m)
            self.assertEqual(v.sink(name)["sent"], 1)

    def test_collector_down_at_first_and_restarting(self):
        port = free_port()
        v = self.start_vigil("""
outputs:
  - type: syslog
    name: tcp
    address: tcp://127.0.0.1:%d
    format: text
    retry: {initial: 100ms, max: 500ms}
""" % port)
        paths = v.trigger(3)
        refused = "output tcp: tcp://127.0.0.1:%d: connect: Connection refused" % port
        wait_for(lambda: refused in v.err(), 20, "the connection refused")
        ports = {"udp": free_port(socket.SOCK_DGRAM), "tcp": port}
        r = self.rsyslog(ports=ports)
        self.check_text(r.wait("tcp", 3), paths)

        # the collector goes away and comes back: the connection is made again
        r.stop()
        more = v.trigger(2)
        wait_for(lambda: v.err().count(refused) >= 2, 20, "the connection refused again")
        r2 = self.rsyslog(ports=ports)
        self.check_text(r2.wait("tcp", 2), more)
        v.stop()
        self.assert_clean_exit(v)
        self.assertEqual(len(r.messages("tcp")), 3)
        s = v.sink("tcp")
        self.assertEqual(s["sent"], 5)
        self.assertGreaterEqual(s["retries"], 2)
        self.assertEqual(sum(s["lost"].values()), 0)

    def test_receiver_that_never_reads(self):
        # a unix stream socket nobody accepts: sends fill its buffer, then time out
        d = tempfile.mkdtemp(prefix="vigil-syslog-stuck-")
        self.cleanups.append(lambda: shutil.rmtree(d, True))
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.cleanups.append(srv.close)
        srv.bind(os.path.join(d, "stuck.sock"))
        srv.listen(1)
        v = self.start_vigil("""
drain_timeout: 2s
outputs:
  - type: syslog
    name: stuck
    address: unix://%s/stuck.sock
    send_timeout: 1s
    retry: {initial: 100ms, max: 200ms}
""" % d)
        timed_out = "output stuck: unix://%s/stuck.sock: send: Connection timed out" % d

        def more_until_stuck():
            v.trigger(200)
            return timed_out in v.err()

        wait_for(more_until_stuck, 120, timed_out, interval=0.5)
        v.stop()  # within the drain time: no send waits past it
        self.assert_clean_exit(v)
        s = v.sink("stuck")
        self.assertGreater(s["sent"], 0)
        self.assertGreater(s["lost"]["shutdown"], 0)
        self.assertEqual(s["sent"] + sum(s["lost"].values()), s["submitted"])
        self.assertGreaterEqual(s["retries"], 1)


class SyslogConfigTest(unittest.TestCase):
    """Bad keys and start-up checks: `vigil run --check-config` (no root needed)."""

    def check_config(self, text):
        """Exit code and output of --check-config for @text (@DIR@: a directory of its own)."""
        d = tempfile.mkdtemp(prefix="vigil-syslog-conf-")
        self.addCleanup(shutil.rmtree, d, True)
        path = os.path.join(d, "vigil.yaml")
        with open(path, "w") as f:
            f.write(text.replace("@DIR@", d))
        p = subprocess.run([vigil_bin(), "run", "--check-config", "-c", path],
                           capture_output=True, text=True, timeout=60)
        return p.returncode, (p.stdout + p.stderr).replace(d, "@DIR@")

    def test_bad_values_name_the_key(self):
        rc, out = self.check_config("""
outputs:
  - type: syslog
    address: http://collector
    protocol: rfc5425
    facility: local8
    app_name: "my app"
    hostname: "two words"
    max_message: 100
    send_timeout: 0
  - type: syslog
    address: udp://[::1]
    max_message: 100000
  - type: syslog
    address: tcp://collector:99999
  - type: syslog
    address: tcp://[::1
  - type: syslog
    address: unix:///dev/log
    hostname: web-1
""")
        self.assertEqual(rc, 1, out)
        for want in (
                "outputs[0].address: 'http://collector' is not unix:///PATH, udp://HOST[:PORT], "
                "tcp://HOST[:PORT] or tls://HOST[:PORT]",
                "outputs[0].protocol: 'rfc5425' is not one of rfc5424, rfc3164",
                "outputs[0].facility: 'local8' is not one of kern, user,",
                "outputs[0].app_name: 'my app': 1..",
                "outputs[0].hostname: 'two words': 1..255 printable ASCII characters",
                "outputs[0].max_message: '100' is not a size from 2048",
                "outputs[0].send_timeout: '0' is not a duration",
                "outputs[1].max_message: '100000' is not a size from 2048 to 65507 bytes",
                "outputs[2].address: 'collector:99999': the port is a number in 1..65535",
                "outputs[3].address: '[::1': an IPv6 address is written [addr] or [addr]:port",
                "outputs[4].hostname: not sent to a unix socket in RFC 3164"):
            self.assertIn(want, out)

    def test_tls_keys(self):
        rc, out = self.check_config("""
outputs:
  - type: syslog
    address: tcp://127.0.0.1
    tls: {ca_file: /etc/ssl/certs/ca-certificates.crt}
  - type: syslog
    address: tls://127.0.0.1
    tls: {cert: /c.pem, ca_dir: relative, verify: maybe, ciphers: all}
""")
        self.assertEqual(rc, 1, out)
        for want in ("outputs[0].tls: only for a tls:// address",
                     "outputs[1].tls.ca_dir: 'relative' is not an absolute path",
                     "outputs[1].tls.verify:",
                     "outputs[1].tls.ciphers: unknown key"):
            self.assertIn(want, out)

    def test_startup_checks(self):
        cases = [
            ("address: unix://@DIR@/no-such.sock",
             "output syslog-0: unix://@DIR@/no-such.sock: No such file or directory"),
            ("address: unix://@DIR@/vigil.yaml",
             "output syslog-0: unix://@DIR@/vigil.yaml: not a socket"),
            ("address: tls://127.0.0.1\n    tls: {ca_file: @DIR@/missing.pem}",
             "output syslog-0: tls.ca_file @DIR@/missing.pem: No such file or directory"),
            ("address: tls://127.0.0.1\n    tls: {ca_file: @DIR@/vigil.yaml}",
             "output syslog-0: tls.ca_file @DIR@/vigil.yaml: no CA certificate loaded"),
            ("address: tls://127.0.0.1\n    tls: {cert: @DIR@/vigil.yaml, key: @DIR@/k.pem}",
             "output syslog-0: tls.key @DIR@/k.pem: No such file or directory"),
        ]
        for conf, want in cases:
            with self.subTest(conf=conf):
                rc, out = self.check_config("outputs:\n  - type: syslog\n    " + conf + "\n")
                self.assertEqual(rc, 1, out)
                self.assertIn(want, out)


if __name__ == "__main__":
    unittest.main()
