# SPDX-License-Identifier: Apache-2.0
"""
A real nats-server for the tests, and a small NATS client speaking the text
protocol over a socket (INFO, CONNECT, SUB, UNSUB, PUB, MSG, HMSG, PING,
PONG), with the JetStream API requests the tests need: create a stream,
read its state, read a message back. Standard library only.
"""
import base64
import json
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import time

from vigil_harness import free_port, wait_for

NATS_SERVER = shutil.which("nats-server") or "/usr/sbin/nats-server"
MSG_MAX = 8 << 20


class NatsError(Exception):
    pass


def make_certs(directory):
    """A test CA and a server certificate for 127.0.0.1: (ca.pem, server.pem, server.key)."""
    def path(name):
        return os.path.join(directory, name)

    def openssl(*args):
        subprocess.run(["openssl"] + list(args), check=True, capture_output=True, timeout=60)

    key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *key, "-keyout", path("ca.key"), "-out", path("ca.pem"),
            "-days", "2", "-subj", "/CN=vigil test CA")
    openssl("req", *key, "-keyout", path("server.key"), "-out", path("server.csr"),
            "-subj", "/CN=127.0.0.1")
    with open(path("san.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", path("server.csr"), "-CA", path("ca.pem"),
            "-CAkey", path("ca.key"), "-CAcreateserial", "-out", path("server.pem"),
            "-days", "2", "-extfile", path("san.ext"))
    return path("ca.pem"), path("server.pem"), path("server.key")


class NatsServer:
    """nats-server on 127.0.0.1: a free port, JetStream on request, its own store."""

    def __init__(self, jetstream=False, port=None, args=()):
        self.port = port or free_port()
        self.jetstream = jetstream
        self.args = list(args)
        self.dir = tempfile.mkdtemp(prefix="vigil-nats-")
        self.proc = None

    @property
    def url(self):
        return "nats://127.0.0.1:%d" % self.port

    def start(self):
        args = [NATS_SERVER, "-a", "127.0.0.1", "-p", str(self.port),
                "-l", os.path.join(self.dir, "server.log")] + self.args
        if self.jetstream:
            args += ["-js", "-sd", os.path.join(self.dir, "store")]
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self._ready, 30, "nats-server on port %d" % self.port, interval=0.1)
        return self

    def _ready(self):
        if self.proc.poll() is not None:
            raise AssertionError("nats-server exited %d: %s" % (self.proc.returncode,
                                                                self.log()))
        try:
            with socket.create_connection(("127.0.0.1", self.port), 1) as s:
                return s.recv(5) == b"INFO "
        except OSError:
            return False

    def log(self):
        try:
            with open(os.path.join(self.dir, "server.log"), errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class Msg:
    def __init__(self, subject, sid, reply, headers, data):
        self.subject, self.sid, self.reply = subject, sid, reply
        self.headers, self.data = headers, data

    def json(self):
        return json.loads(self.data)


class NatsClient:
    """One connection; messages are read when asked for (no thread)."""

    def __init__(self, port, user=None, password=None, ca_file=None, timeout=10):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout)
        self.buf = b""
        self.pending = []  # messages read while waiting for something else
        self.nsid = 0
        line = self._line(time.monotonic() + timeout)
        if not line.startswith(b"INFO "):
            raise NatsError("expected INFO, got %r" % line)
        self.info = json.loads(line[5:])
        if ca_file:  # the server's INFO is plain text, then TLS
            ctx = ssl.create_default_context(cafile=ca_file)
            self.sock = ctx.wrap_socket(self.sock, server_hostname="127.0.0.1")
        opts = {"verbose": False, "pedantic": False, "headers": True,
                "no_responders": True, "protocol": 1, "name": "vigil-test"}
        if user is not None:
            opts.update(user=user, **{"pass": password})
        self._send(b"CONNECT " + json.dumps(opts).encode() + b"\r\n")
        self.flush(timeout)

    def close(self):
        self.sock.close()

    def _send(self, data):
        self.sock.sendall(data)

    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        self.sock.settimeout(left)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            raise TimeoutError
        if not chunk:
            raise NatsError("the server closed the connection")
        self.buf += chunk
        if len(self.buf) > MSG_MAX + 4096:
            raise NatsError("a message larger than the test allows")

    def _line(self, deadline):
        while b"\r\n" not in self.buf:
            self._fill(deadline)
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n, deadline):
        while len(self.buf) < n + 2:
            self._fill(deadline)
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def _op(self, deadline):
        """The next PONG or message; answers PINGs. Raises TimeoutError."""
        while True:
            line = self._line(deadline)
            op = line.split(b" ", 1)[0].upper()
            if op == b"PING":
                self._send(b"PONG\r\n")
            elif op == b"PONG":
                return None
            elif op in (b"+OK", b"INFO"):
                continue
            elif op == b"-ERR":
                raise NatsError(line.decode(errors="replace"))
            elif op == b"MSG":
                f = line.decode().split()
                reply = f[3] if len(f) == 5 else None
                return Msg(f[1], f[2], reply, b"", self._exact(int(f[-1]), deadline))
            elif op == b"HMSG":
                f = line.decode().split()
                reply = f[3] if len(f) == 6 else None
                data = self._exact(int(f[-1]), deadline)
                hlen = int(f[-2])
                return Msg(f[1], f[2], reply, data[:hlen], data[hlen:])
            else:
                raise NatsError("unexpected %r" % line)

    def flush(self, timeout=10):
        """PING and wait for the PONG: the server has read everything sent."""
        deadline = time.monotonic() + timeout
        self._send(b"PING\r\n")
        while True:
            m = self._op(deadline)
            if m is None:
                return
            self.pending.append(m)

    def subscribe(self, subject):
        self.nsid += 1
        sid = str(self.nsid)
        self._send(("SUB %s %s\r\n" % (subject, sid)).encode())
        self.flush()
        return sid

    def unsubscribe(self, sid):
        self._send(("UNSUB %s\r\n" % sid).encode())

    def publish(self, subject, data, reply=None):
        head = "PUB %s %s%d\r\n" % (subject, reply + " " if reply else "", len(data))
        self._send(head.encode() + data + b"\r\n")

    def next_msg(self, timeout, sid=None):
        """The next message (of subscription @sid), or None after @timeout."""
        for i, m in enumerate(self.pending):
            if sid is None or m.sid == sid:
                return self.pending.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            try:
                m = self._op(deadline)
            except TimeoutError:
                return None
            if m is None:
                continue
            if sid is None or m.sid == sid:
                return m
            self.pending.append(m)

    def messages(self, sid, n, timeout):
        """@n messages of @sid, waiting at most @timeout seconds in all."""
        deadline = time.monotonic() + timeout
        got = []
        while len(got) < n:
            m = self.next_msg(max(0.0, deadline - time.monotonic()), sid)
            if m is None:
                raise AssertionError("timed out after %.0f s with %d of %d messages" %
                                     (timeout, len(got), n))
            got.append(m)
        return got

    def request(self, subject, payload=b"", timeout=10):
        inbox = "_INBOX.vigil_test.%d" % (self.nsid + 1)
        sid = self.subscribe(inbox)
        self.publish(subject, payload, reply=inbox)
        m = self.next_msg(timeout, sid)
        self.unsubscribe(sid)
        if m is None:
            raise NatsError("no reply to %s within %s s" % (subject, timeout))
        return m

    # --- JetStream API ---------------------------------------------------

    def js_api(self, what, body=None):
        m = self.request("$JS.API." + what, json.dumps(body or {}).encode())
        reply = m.json()
        if "error" in reply:
            raise NatsError("%s: %s" % (what, reply["error"]))
        return reply

    def create_stream(self, name, subjects):
        return self.js_api("STREAM.CREATE." + name, {
            "name": name, "subjects": subjects, "storage": "file", "num_replicas": 1,
            "retention": "limits", "discard": "old"})

    def stream_messages(self, name):
        return self.js_api("STREAM.INFO." + name)["state"]["messages"]

    def stream_msg(self, name, seq):
        """Message @seq of stream @name: (headers text, data bytes)."""
        m = self.js_api("STREAM.MSG.GET." + name, {"seq": seq})["message"]
        hdrs = base64.b64decode(m["hdrs"]).decode() if m.get("hdrs") else ""
        return hdrs, base64.b64decode(m.get("data", ""))
