# SPDX-License-Identifier: Apache-2.0
"""
A real rsyslog for the syslog output tests: rsyslogd started with its own
config file, pid file, work directory, ports (free_port) and unix sockets,
never the system's /dev/log or /var/log. Each input writes the messages it
gets to a file of its own (udp.log, tcp.log, ...) through a template that
shows rsyslog's parsed view of every field, one message a line.

	udp        imudp on 127.0.0.1
	tcp        imptcp on 127.0.0.1 (octet counting is recognised by itself)
	stream     imptcp on the unix stream socket stream.sock
	local      imuxsock on local.sock, as /dev/log is read (syslog(3)'s form)
	dgram5424  imuxsock on dgram5424.sock with the regular parsers (RFC 5424)
	tls, mtls  imtcp with OpenSSL (rsyslog-openssl); mtls asks for a client
	           certificate. Certificates are made with openssl.

A missing rsyslogd or TLS driver is a failure with the package to install.
"""
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile

from vigil_harness import free_port, wait_for

FIELDS = ("version", "host", "app", "procid", "severity", "facility", "msgid", "sd", "time",
          "msg")
TEMPLATE = "|".join("%" + f + "%" for f in (
    "protocol-version", "hostname", "app-name", "procid", "syslogseverity", "syslogfacility",
    "msgid", "structured-data", "timereported:::date-rfc3339", "msg")) + "\\n"

RSYSLOG_HEAD = """\
global(workDirectory="{dir}/work" maxMessageSize="64k" net.enableDNS="off"{tls_global})
module(load="imuxsock" SysSock.Use="off")
module(load="imudp")
module(load="imptcp")
template(name="fields" type="string" string="{template}")
"""
RSYSLOG_TLS_GLOBAL = """
       defaultNetstreamDriver="ossl" defaultNetstreamDriverCAFile="{dir}/ca.pem"
       defaultNetstreamDriverCertFile="{dir}/server.pem"
       defaultNetstreamDriverKeyFile="{dir}/server.key\""""
RSYSLOG_TLS_INPUTS = """\
module(load="imtcp" streamDriver.name="ossl" streamDriver.mode="1"
       streamDriver.authMode="anon")
input(type="imtcp" address="127.0.0.1" port="{tls}" ruleset="tls")
input(type="imtcp" address="127.0.0.1" port="{mtls}" ruleset="mtls"
      streamDriver.authMode="x509/certvalid")
"""
RSYSLOG_INPUTS = """\
input(type="imudp" address="127.0.0.1" port="{udp}" ruleset="udp")
input(type="imptcp" address="127.0.0.1" port="{tcp}" ruleset="tcp")
input(type="imptcp" path="{dir}/stream.sock" ruleset="stream")
input(type="imuxsock" socket="{dir}/local.sock" ruleset="local")
input(type="imuxsock" socket="{dir}/dgram5424.sock" ruleset="dgram5424"
      useSpecialParser="off" parseHostname="on")
"""


def rsyslogd():
    path = shutil.which("rsyslogd") or "/usr/sbin/rsyslogd"
    if not os.access(path, os.X_OK):
        raise AssertionError("rsyslogd not found: the syslog tests need rsyslog "
                             "(apt-get install rsyslog)")
    return path


def require_rsyslog_tls():
    if not glob.glob("/usr/lib/*/rsyslog/lmnsd_ossl.so") + glob.glob(
            "/usr/lib/rsyslog/lmnsd_ossl.so"):
        raise AssertionError("rsyslog's OpenSSL driver lmnsd_ossl.so is missing: "
                             "apt-get install rsyslog-openssl")


def listening(proto, port):
    """Whether something on 127.0.0.1 listens on @port (tcp) or is bound to it (udp)."""
    state = "0A" if proto == "tcp" else "07"
    want = "0100007F:%04X" % port
    with open("/proc/net/" + proto) as f:
        for line in f.read().splitlines()[1:]:
            cols = line.split()
            if cols[1] == want and cols[3] == state:
                return True
    return False


def make_certs(d):
    """A CA, a server certificate for 127.0.0.1 and localhost, a client certificate."""
    def run(*args):
        subprocess.run(["openssl"] + list(args), cwd=d, check=True, capture_output=True)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
        "-days", "2", "-subj", "/CN=vigil test CA")
    with open(os.path.join(d, "san.cnf"), "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    for name, ext in (("server", ["-extfile", "san.cnf"]), ("client", [])):
        run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out",
            name + ".csr", "-subj", "/CN=vigil test " + name)
        run("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", name + ".pem", "-days", "2", *ext)


class Rsyslog:
    """One rsyslogd with an output file per input (udp, tcp, stream, local, ...)."""

    RULESETS = ("udp", "tcp", "stream", "local", "dgram5424", "tls", "mtls")

    def __init__(self, tls=False, ports=None):
        self.dir = tempfile.mkdtemp(prefix="vigil-rsyslog-")
        os.mkdir(os.path.join(self.dir, "work"))
        self.tls = tls
        self.ports = ports or {"udp": free_port(socket.SOCK_DGRAM), "tcp": free_port(),
                               "tls": free_port(), "mtls": free_port()}
        self.proc = None
        if tls:
            require_rsyslog_tls()
            make_certs(self.dir)

    def path(self, name):
        return os.path.join(self.dir, name)

    def config(self):
        text = RSYSLOG_HEAD.format(dir=self.dir, template=TEMPLATE, tls_global=(
            RSYSLOG_TLS_GLOBAL.format(dir=self.dir) if self.tls else ""))
        for rs in self.RULESETS:
            text += ('ruleset(name="%s") { action(type="omfile" file="%s" template="fields") }\n'
                     % (rs, self.path(rs + ".log")))
        text += RSYSLOG_INPUTS.format(dir=self.dir, **self.ports)
        if self.tls:
            text += RSYSLOG_TLS_INPUTS.format(**self.ports)
        return text

    def start(self, timeout=30):
        with open(self.path("rsyslog.conf"), "w") as f:
            f.write(self.config())
        with open(self.path("rsyslogd.out"), "wb") as out:
            self.proc = subprocess.Popen(
                [rsyslogd(), "-n", "-f", self.path("rsyslog.conf"), "-i", self.path("pid")],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        ports = [("udp", self.ports["udp"]), ("tcp", self.ports["tcp"])]
        if self.tls:
            ports += [("tcp", self.ports["tls"]), ("tcp", self.ports["mtls"])]
        socks = [self.path(n) for n in ("stream.sock", "local.sock", "dgram5424.sock")]
        wait_for(lambda: self.proc.poll() is not None or (
            all(listening(p, n) for p, n in ports) and all(map(os.path.exists, socks))),
            timeout, "rsyslogd's ports and sockets")
        if self.proc.poll() is not None:
            raise AssertionError("rsyslogd exited %d:\n%s" % (self.proc.returncode, self.log()))
        return self

    def log(self):
        with open(self.path("rsyslogd.out"), errors="replace") as f:
            return f.read()

    def messages(self, ruleset):
        """The messages of @ruleset, each a dict of FIELDS."""
        try:
            with open(self.path(ruleset + ".log"), errors="replace") as f:
                lines = f.read().splitlines()
        except FileNotFoundError:
            return []
        return [dict(zip(FIELDS, line.split("|", len(FIELDS) - 1))) for line in lines]

    def wait(self, ruleset, n, timeout=20):
        wait_for(lambda: len(self.messages(ruleset)) >= n, timeout,
                 "%d messages through rsyslog's %s input" % (n, ruleset))
        return self.messages(ruleset)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
