# SPDX-License-Identifier: Apache-2.0
"""
Receivers for the output benchmark (bench/outputs/run.sh), 127.0.0.1 only.

    python3 receiver.py http PORT COUNTFILE [--hang-until FILE]
        HTTP server counting the alerts in POSTed bodies (one JSON object, a
        JSON array, or NDJSON lines); while FILE does not exist, requests are
        held open (a receiver that hangs). The count is written to COUNTFILE
        every 100 ms.
    python3 receiver.py nats PORT SUBJECT COUNTFILE
        a NATS subscriber counting the messages on SUBJECT.
"""
import http.server
import json
import os
import socket
import socketserver
import sys
import threading
import time

count = 0
lock = threading.Lock()


def writer(path):
    last = -1
    while True:
        with lock:
            n = count
        if n != last:
            with open(path + ".tmp", "w") as f:
                f.write("%d\n" % n)
            os.replace(path + ".tmp", path)
            last = n
        time.sleep(0.1)


def alerts_in(body):
    text = body.decode("utf-8", "replace").strip()
    if not text:
        return 0
    if text[0] == "[":
        return len(json.loads(text))
    return sum(1 for line in text.splitlines() if line.strip())


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    hang_until = None

    def do_POST(self):
        global count
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        while self.hang_until and not os.path.exists(self.hang_until):
            time.sleep(0.05)
        n = alerts_in(body)
        with lock:
            count += n
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def http_main(port, countfile, hang_until):
    Handler.hang_until = hang_until
    threading.Thread(target=writer, args=(countfile,), daemon=True).start()
    Server(("127.0.0.1", port), Handler).serve_forever()


def nats_main(port, subject, countfile):
    global count
    threading.Thread(target=writer, args=(countfile,), daemon=True).start()
    while True:
        try:
            s = socket.create_connection(("127.0.0.1", port))
            break
        except OSError:
            time.sleep(0.1)
    s.sendall(b'CONNECT {"verbose":false}\r\nSUB %s 1\r\nPING\r\n' % subject.encode())
    buf = b""
    while True:
        data = s.recv(1 << 20)
        if not data:
            return
        buf += data
        while True:
            nl = buf.find(b"\r\n")
            if nl < 0:
                break
            line = buf[:nl]
            if line.startswith(b"MSG "):
                size = int(line.split()[-1])
                if len(buf) < nl + 2 + size + 2:
                    break
                buf = buf[nl + 2 + size + 2:]
                with lock:
                    count += 1
                continue
            if line == b"PING":
                s.sendall(b"PONG\r\n")
            buf = buf[nl + 2:]


if __name__ == "__main__":
    if sys.argv[1] == "http":
        hang = sys.argv[5] if len(sys.argv) > 5 and sys.argv[4] == "--hang-until" else None
        http_main(int(sys.argv[2]), sys.argv[3], hang)
    elif sys.argv[1] == "nats":
        nats_main(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    else:
        sys.exit("usage: receiver.py http PORT COUNTFILE [--hang-until FILE] | "
                 "nats PORT SUBJECT COUNTFILE")
