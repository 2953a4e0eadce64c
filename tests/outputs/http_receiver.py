# SPDX-License-Identifier: Apache-2.0
"""
HTTP(S) receivers for the webhook tests, from Python's standard library
only: a ThreadingHTTPServer on 127.0.0.1 that records every request (when,
path, headers, body, what it answered) and answers as the test scripts it:

    Receiver()                                 200 to everything
    Receiver(responses=[503, 500])             503, 500, then 200
    Receiver(responses=[(429, {"Retry-After": "1"})])
    Receiver(hang=True)                        no answer until release()
    Receiver(tls=make_server_context(...))     HTTPS (and mTLS)

Alerts count as received only from requests the receiver answered with a
2xx status: a request that timed out on vigil's side was never acknowledged.
"""
import json
import os
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BODY_MAX = 64 << 20


class Request:
    """One request as the receiver saw it."""

    def __init__(self, path, headers, body):
        self.time = time.monotonic()
        self.path = path
        self.headers = headers  # an email.message.Message: case-insensitive get()
        self.body = body
        self.status = None  # what it was answered; None: no answer (hung)
        self.reply_cut = False  # the client stopped reading the answer's body

    def alerts(self):
        """The alerts in the body: one object, a JSON array or NDJSON lines."""
        ctype = self.headers.get("Content-Type", "")
        text = self.body.decode("utf-8")
        if ctype.startswith("application/x-ndjson"):
            if not text.endswith("\n"):
                raise AssertionError("NDJSON body without a final newline: %r" % text[-80:])
            return [json.loads(line) for line in text[:-1].split("\n")]
        v = json.loads(text)
        return v if isinstance(v, list) else [v]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as vigil expects

    def setup(self):
        rec = self.server.receiver
        if rec.tls:
            # the handshake in this connection's thread, not in the server's accept loop
            tls = rec.tls.wrap_socket(self.request, server_side=True,
                                      do_handshake_on_connect=False)
            try:
                tls.do_handshake()
            except (ssl.SSLError, OSError) as e:
                tls.close()
                rec._tls_error(e)
                raise
            self.request = tls
        super().setup()

    def finish(self):
        super().finish()
        if isinstance(self.request, ssl.SSLSocket):
            self.request.close()  # the server closes only the plain socket it accepted

    def do_POST(self):
        rec = self.server.receiver
        length = int(self.headers.get("Content-Length", "0"))
        if length > BODY_MAX:
            self.send_error(413)
            return
        req = Request(self.path, self.headers, self.rfile.read(length))
        answer = rec._answer(req)
        if answer is None:  # hung, then released: close without an answer
            self.close_connection = True
            return
        status, headers, body = answer
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
            self.wfile.flush()
        except OSError:  # the client closed the connection before reading it all
            req.reply_cut = True
            self.close_connection = True

    def log_message(self, fmt, *args):
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # failed TLS handshakes and clients that went away are expected


class Receiver:
    def __init__(self, responses=(), tls=None, hang=False, port=0):
        """
        @responses: for the first requests, a status or (status, headers) or
        (status, headers, body) each; 200 after them. @tls: a server-side
        ssl.SSLContext. @hang: start hanging (see release()).
        """
        self.tls = tls
        self.responses = list(responses)
        self.lock = threading.Condition()
        self.requests = []
        self.tls_errors = []
        self.hanging = hang
        self.server = _Server(("127.0.0.1", port), _Handler)
        self.server.receiver = self
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return "%s://127.0.0.1:%d/alerts" % ("https" if self.tls else "http", self.port)

    def stop(self):
        self.release()
        self.server.shutdown()
        self.server.server_close()

    def release(self):
        """Stop hanging: held requests close unanswered, the next get answers."""
        with self.lock:
            self.hanging = False
            self.lock.notify_all()

    def _tls_error(self, e):
        with self.lock:
            self.tls_errors.append(str(e))
            self.lock.notify_all()

    def _answer(self, req):
        with self.lock:
            self.requests.append(req)
            self.lock.notify_all()
            if self.hanging:
                self.lock.wait_for(lambda: not self.hanging)
                return None
            r = self.responses.pop(0) if self.responses else 200
            if isinstance(r, int):
                r = (r,)
            status, headers, body = (tuple(r) + ({}, b""))[:3]
            if callable(headers):
                headers = headers()
            req.status = status
            return status, headers, body

    def all(self):
        """Every request so far (answered or not), in arrival order."""
        with self.lock:
            return list(self.requests)

    def accepted(self):
        """The requests answered with a 2xx status."""
        return [r for r in self.all() if r.status is not None and 200 <= r.status < 300]

    def alerts(self):
        """The alerts of the accepted requests, in order."""
        return [a for r in self.accepted() for a in r.alerts()]

    def wait(self, cond, timeout, what):
        """Wait until @cond(self) is true; AssertionError after @timeout seconds."""
        with self.lock:
            if not self.lock.wait_for(lambda: cond(self), timeout):
                raise AssertionError("timed out after %.0f s waiting for %s (%d requests)" %
                                     (timeout, what, len(self.requests)))

    def wait_alerts(self, n, timeout=30):
        self.wait(lambda r: sum(len(q.alerts()) for q in r.requests
                                if q.status and 200 <= q.status < 300) >= n,
                  timeout, "%d alerts" % n)
        return self.alerts()


def _openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def make_pki(d):
    """
    A test CA in directory @d and, signed by it, a server certificate for
    127.0.0.1 (subjectAltName IP:127.0.0.1) and a client certificate. Returns
    a dict of absolute paths: ca, server_cert, server_key, client_cert,
    client_key.
    """
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
             "-subj", "/CN=vigil test CA", cwd=d)
    for name, ext in (("server", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"),
                      ("client", "extendedKeyUsage=clientAuth\n")):
        with open(os.path.join(d, name + ".ext"), "w") as f:
            f.write(ext)
        _openssl("req", *ec, "-keyout", name + ".key", "-out", name + ".csr",
                 "-subj", "/CN=vigil test " + name, cwd=d)
        _openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                 "-CAcreateserial", "-days", "2", "-extfile", name + ".ext",
                 "-out", name + ".pem", cwd=d)
    p = lambda n: os.path.join(d, n)
    return {"ca": p("ca.pem"), "server_cert": p("server.pem"), "server_key": p("server.key"),
            "client_cert": p("client.pem"), "client_key": p("client.key")}


def server_context(pki, client_ca=None):
    """A server-side TLS context; with @client_ca, client certificates are required."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(pki["server_cert"], pki["server_key"])
    if client_ca:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(client_ca)
    return ctx
