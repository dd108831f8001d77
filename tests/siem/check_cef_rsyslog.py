#!/usr/bin/env python3
"""--format cef, and --syslog through a real rsyslog on loopback.

1. `asrlog scan --format cef` on the test fleet: every line parses with a CEF parser that honours
   the escaping rules (cef.py), and its header and every extension field equal what the JSON
   report says under the documented mapping — evidence with `|`, `=`, `\\`, quotes, tabs and
   control characters, and a title and remediation with newlines, included. After the hosts,
   one line per unclassified failure template (its wording and example hold the same kinds of
   characters), and none for the corpus alone.
2. rsyslogd (Debian `rsyslog`) is started with its own configuration in a temporary folder: imtcp
   and imudp on free loopback ports, each writing facility, severity, APP-NAME and %msg% to its
   own file. `asrlog scan --syslog tcp://127.0.0.1:PORT` (octet-counted RFC 5424) and
   `--syslog udp://…` send the fleet; every line rsyslog wrote must be the CEF line of stdout,
   byte for byte, with facility user, the documented severity and APP-NAME asrlog. The same is
   done for `--syslog … --format ndjson`.
3. Errors: a refused connection exits 5 naming the address; a bad address, --syslog with -o, or
   a format other than cef/ndjson exit 2.

usage: check_cef_rsyslog.py ASRLOG SOURCE_DIR
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cef  # noqa: E402
import siem_util as su  # noqa: E402

RSYSLOG_CONF = """\
global(workDirectory="{tmp}/work" maxMessageSize="64k")
module(load="imtcp")
module(load="imudp")
template(name="asrlogTest" type="string"
         string="%syslogfacility% %syslogseverity% %app-name% %msg%\\n")
ruleset(name="tcp") {{ action(type="omfile" file="{tmp}/tcp.log" template="asrlogTest") }}
ruleset(name="udp") {{ action(type="omfile" file="{tmp}/udp.log" template="asrlogTest") }}
input(type="imtcp" address="127.0.0.1" port="{tcp}" ruleset="tcp")
input(type="imudp" address="127.0.0.1" port="{udp}" ruleset="udp")
"""


def free_port(kind):
    """A loopback port nobody listens on right now."""
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def check_cef_lines(lines, rep, window):
    """Every CEF line against the report, host by host in report order, then template by
    template."""
    tpls = rep.get("unclassified") or []
    if len(lines) != len(rep["hosts"]) + len(tpls):
        su.fail(f"{len(lines)} CEF lines for {len(rep['hosts'])} hosts and {len(tpls)} "
                f"templates")
    for n, (line, t) in enumerate(zip(lines[len(rep["hosts"]):], tpls), len(rep["hosts"]) + 1):
        check_cef_template(f"CEF line {n} (template {t['id']})", line, t, rep, window)
    for n, (line, h) in enumerate(zip(lines, rep["hosts"]), 1):
        where = f"CEF line {n} ({h['host']})"
        try:
            header, pairs = cef.parse(line)
        except cef.CEFError as e:
            su.fail(f"{where}: {e}\n  {line[:300]}")
        keys = [k for k, _ in pairs]
        if len(set(keys)) != len(keys):
            su.fail(f"{where}: a key appears twice: {keys}")
        got = dict(pairs)
        su.check_time(where + " rt", int(got.get("rt", "-1")), h, window)
        want_header, want = cef.expected(h, rep, int(got["rt"]))
        if header != want_header:
            su.fail(f"{where}: header {header}, expected {want_header}")
        if got != want:
            diff = {k: (got.get(k), want.get(k)) for k in set(got) | set(want)
                    if got.get(k) != want.get(k)}
            su.fail(f"{where}: extension differs (got, expected): {diff}")
        if not 0 <= int(header["severity"]) <= 10:
            su.fail(f"{where}: severity out of 0-10")


def check_cef_template(where, line, t, rep, window):
    """One template's CEF line against the report's unclassified entry `t`."""
    try:
        header, pairs = cef.parse(line)
    except cef.CEFError as e:
        su.fail(f"{where}: {e}\n  {line[:300]}")
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        su.fail(f"{where}: a key appears twice: {keys}")
    got = dict(pairs)
    rt = int(got.get("rt", "-1"))
    if not window[0] - 1000 <= rt <= window[1] + 1000:
        su.fail(f"{where}: rt {rt} is not the scan time {window}")
    want_header, want = cef.expected_template(t, rep, rt)
    if header != want_header:
        su.fail(f"{where}: header {header}, expected {want_header}")
    if got != want:
        diff = {k: (got.get(k), want.get(k)) for k in set(got) | set(want)
                if got.get(k) != want.get(k)}
        su.fail(f"{where}: extension differs (got, expected): {diff}")


def start_rsyslog(tmp):
    """Starts rsyslogd on free loopback ports; returns (process, tcp port, udp port)."""
    rsyslogd = shutil.which("rsyslogd") or "/usr/sbin/rsyslogd"
    if not os.path.exists(rsyslogd):
        su.fail("rsyslogd not found: install the Debian package rsyslog (scripts/deps.sh does)")
    os.makedirs(f"{tmp}/work", exist_ok=True)
    for attempt in range(5):
        tcp, udp = free_port(socket.SOCK_STREAM), free_port(socket.SOCK_DGRAM)
        with open(f"{tmp}/rsyslog.conf", "w") as f:
            f.write(RSYSLOG_CONF.format(tmp=tmp, tcp=tcp, udp=udp))
        proc = subprocess.Popen([rsyslogd, "-n", "-f", f"{tmp}/rsyslog.conf", "-i",
                                 f"{tmp}/rsyslogd.pid"], stdout=open(f"{tmp}/rsyslogd.out", "w"),
                                stderr=subprocess.STDOUT)
        deadline = time.time() + 10
        while time.time() < deadline and proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", tcp), timeout=0.5).close()
                time.sleep(0.3)  # imudp starts with imtcp; give it a moment to bind
                return proc, tcp, udp
            except OSError:
                time.sleep(0.1)
        stop(proc)
    su.fail("rsyslogd did not start listening (when AppArmor confines rsyslogd, its profile must "
            f"allow {tmp}):\n" + open(f"{tmp}/rsyslogd.out").read())


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_lines(path, count, timeout=20):
    """The lines of `path` once it has `count` of them (or what it has at the timeout)."""
    deadline = time.time() + timeout
    while True:
        data = open(path, "rb").read() if os.path.exists(path) else b""
        lines = data.decode("utf-8").split("\n")[:-1]
        if len(lines) >= count or time.time() > deadline:
            return lines
        time.sleep(0.1)


def check_received(where, got, sent, rep, normalize):
    """rsyslog's lines: facility user (1), the documented severity (a host's, then warning for
    each template), APP-NAME asrlog, and the message equal to the line asrlog wrote to stdout
    (after `normalize`). Returns the messages."""
    if len(got) != len(sent):
        su.fail(f"{where}: rsyslog wrote {len(got)} lines, {len(sent)} were sent")
    msgs = []
    keys = [su.severity_key(h) for h in rep["hosts"]] + \
        [su.TEMPLATE_SEVERITY] * len(rep.get("unclassified") or [])
    if len(keys) != len(sent):
        su.fail(f"{where}: {len(sent)} lines for {len(keys)} hosts and templates")
    for n, (line, line_out, key) in enumerate(zip(got, sent, keys), 1):
        fac, sev, app, msg = line.split(" ", 3)
        want_sev = str(su.SEVERITY[key][1])
        if (fac, sev, app) != ("1", want_sev, "asrlog"):
            su.fail(f"{where} line {n}: facility/severity/app {fac}/{sev}/{app}, "
                    f"expected 1/{want_sev}/asrlog")
        if normalize(msg) != normalize(line_out):
            su.fail(f"{where} line {n}: received message differs from stdout:\n  {msg[:300]}\n"
                    f"  {line_out[:300]}")
        msgs.append(msg)
    return msgs


def cef_without_rt(line):
    """A CEF line without its rt value: hosts without a log time carry the scan time, which
    differs between two runs."""
    return re.sub(r"\|rt=\d+ ", "|rt=* ", line)


def ndjson_without_time(line):
    """An ECS event without @timestamp (same reason)."""
    doc = json.loads(line)
    doc.pop("@timestamp")
    return doc


def main():
    asrlog, src = sys.argv[1], sys.argv[2]
    os.chdir(src)
    rep = su.report(asrlog)
    su.nasty_hosts_present(rep)
    out, window = su.scan(asrlog, "cef")
    text = out.decode("utf-8")
    if not text.endswith("\n") or "\r" in text:
        su.fail("CEF output must be LF-terminated lines without CR")
    cef_lines = text[:-1].split("\n")
    check_cef_lines(cef_lines, rep, window)
    corpus = su.report(asrlog, ["corpus"])
    out, corpus_window = su.scan(asrlog, "cef", ["corpus"])
    if corpus.get("unclassified"):
        su.fail("the corpus alone has unclassified templates")
    check_cef_lines(out.decode("utf-8")[:-1].split("\n"), corpus, corpus_window)
    nd_out, _ = su.scan(asrlog, "ndjson")
    nd_lines = nd_out.decode("utf-8")[:-1].split("\n")

    tmp = tempfile.mkdtemp(prefix="asrlog-rsyslog-")
    proc = None
    try:
        proc, tcp, udp = start_rsyslog(tmp)
        runs = [("tcp", tcp, "cef", cef_lines), ("udp", udp, "cef", cef_lines),
                ("tcp", tcp, "ndjson", nd_lines)]
        seen = {"tcp": 0, "udp": 0}
        for proto, port, fmt, sent in runs:
            url = f"{proto}://127.0.0.1:{port}"
            extra = ["--format", "ndjson"] if fmt == "ndjson" else []  # cef is the default
            rc, _, err = su.run(asrlog, ["scan", "-q", "--syslog", url] + extra + su.PATTERNS +
                                su.fleet())
            if rc != 1:
                su.fail(f"--syslog {url} {fmt}: exit {rc}, expected 1 (failed hosts)\n{err}")
            got = wait_lines(f"{tmp}/{proto}.log", seen[proto] + len(sent))[seen[proto]:]
            seen[proto] += len(sent)
            where = f"--syslog {proto} {fmt}"
            if fmt == "cef":
                msgs = check_received(where, got, sent, rep, cef_without_rt)
                check_cef_lines(msgs, rep, (window[0], su.now_ms()))
            else:
                check_received(where, got, sent, rep, ndjson_without_time)
    finally:
        if proc:
            stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)

    # errors: refused connection (exit 5, names the address), usage errors (exit 2)
    closed = free_port(socket.SOCK_STREAM)
    url = f"tcp://127.0.0.1:{closed}"
    rc, _, err = su.run(asrlog, ["scan", "-q", "--syslog", url, "corpus/rhel-web03"])
    if rc != 5 or url not in err or "cannot connect" not in err:
        su.fail(f"refused connection: exit {rc}, stderr {err!r}; expected 5 naming {url}")
    for args, needle in ((["--syslog", "http://x:1"], "expected tcp://HOST:PORT"),
                         (["--syslog", "tcp://127.0.0.1:99999"], "port must be a number"),
                         (["--syslog", "tcp://:514"], "no valid host"),
                         (["--syslog", "tcp://127.0.0.1:514", "-o", "/dev/null"],
                          "cannot be used together"),
                         (["--syslog", "tcp://127.0.0.1:514", "--format", "csv"],
                          "sends --format cef or ndjson")):
        rc, _, err = su.run(asrlog, ["scan", "-q"] + args + ["corpus/rhel-web03"])
        if rc != 2 or needle not in err:
            su.fail(f"{args}: exit {rc}, stderr {err!r}; expected 2 and {needle!r}")
    print(f"cef: {len(cef_lines)} events parsed and checked field by field; rsyslog received "
          f"them over TCP and UDP (and ndjson over TCP) unchanged; 6 error cases")


if __name__ == "__main__":
    main()
