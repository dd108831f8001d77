#!/usr/bin/env python3
"""cli.follow: `asrlog scan --follow` on files this test writes while asrlog runs.

Real-format lines come from the corpus (a Windows ASRUnifiedAgentInstaller.log, a legacy
UA_InstallLogFile.log and Linux ua_install.log hosts). Checked: no verdict while an attempt is
half written or its exit line has no newline yet; the verdict (host, outcome, root cause)
within 2 s of the end line; a second attempt gives a second event; rotation (rename + new
file, in a named path and in a folder) and truncation give the next verdict and no duplicate;
files created after the start are picked up; a push-service log is refused with a notice;
SIGTERM ends with the documented exit code and whole ndjson lines; `-` ends with standard
input; --syslog sends the events; memory stays flat over 3,000 attempts; usage errors.

usage: follow.py ASRLOG REPO_ROOT
"""
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ASRLOG, ROOT = sys.argv[1], sys.argv[2]
CORPUS = os.path.join(ROOT, "corpus")


def corpus_lines(rel):
    """The corpus file's lines, each with its line end (bytes)."""
    with open(os.path.join(CORPUS, rel), "rb") as f:
        return f.read().splitlines(keepends=True)


WIN = corpus_lines("SQL01/ASRSetupLogs/UploadedLogs/230503-070858ASRUnifiedAgentInstaller.log")
WIN_WARN = corpus_lines("WEB05/ASRSetupLogs/ASRUnifiedAgentInstaller.log")
INNO = corpus_lines("CLU01/ASRSetupLogs/UploadedLogs/230503-090234UA_InstallLogFile.log")
LINUX_FAIL = corpus_lines("rhel-db02/var/log/ua_install.log")
LINUX_OK = corpus_lines("ubu-app05/var/log/ua_install.log")[112:]  # its second attempt: exit 0
PUSH = corpus_lines("cs01/home/svsystems/pushinstallsvc/pushinstallservice.log")

WIN_END = next(i for i, l in enumerate(WIN) if b"Exit code returned by unified agent:" in l)
LINUX_END = next(i for i, l in enumerate(LINUX_FAIL) if b"Installer exiting with code" in l)

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def append(path, data):
    with open(path, "ab") as f:
        f.write(data if isinstance(data, bytes) else b"".join(data))


class Follower:
    """asrlog scan --follow ARGS, its stdout read line by line with timeouts."""

    def __init__(self, *args, stdin=subprocess.DEVNULL, env=None):
        self.p = subprocess.Popen([ASRLOG, "scan", "--follow", *args], stdin=stdin,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        os.set_blocking(self.p.stdout.fileno(), False)
        os.set_blocking(self.p.stderr.fileno(), False)
        self.buf = b""
        self.err = b""
        self.tail = b""     # the last byte written to stdout
        self.events = []    # parsed events, in order

    def _pump(self, timeout):
        fds = [self.p.stdout.fileno(), self.p.stderr.fileno()]
        ready, _, _ = select.select(fds, [], [], max(timeout, 0))
        for fd in ready:
            try:
                chunk = os.read(fd, 1 << 20)
            except BlockingIOError:
                continue
            if fd == fds[1]:
                self.err += chunk
                continue
            if chunk:
                self.tail = chunk[-1:]
            self.buf += chunk
            *lines, self.buf = self.buf.split(b"\n")
            for line in lines:
                try:
                    self.events.append(json.loads(line))
                except ValueError:
                    check(False, "stdout line is not JSON: %r" % line[:200])

    def wait_events(self, n, timeout):
        """Reads until n events in all, or the timeout. Returns the new events."""
        before = len(self.events)
        end = time.monotonic() + timeout
        while len(self.events) < n and time.monotonic() < end:
            self._pump(end - time.monotonic())
        return self.events[before:]

    def quiet(self, seconds):
        """Reads for `seconds`; returns the events that came (none expected)."""
        before = len(self.events)
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self._pump(end - time.monotonic())
        return self.events[before:]

    def wait_stderr(self, text, timeout):
        end = time.monotonic() + timeout
        while text.encode() not in self.err and time.monotonic() < end:
            self._pump(min(0.1, end - time.monotonic()))
        return text.encode() in self.err

    def stop(self, timeout=10):
        """SIGTERM, then the exit code (None when it did not stop)."""
        self.p.send_signal(signal.SIGTERM)
        end = time.monotonic() + timeout
        while self.p.poll() is None and time.monotonic() < end:
            self._pump(0.05)
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
            return None
        self._pump(0)
        self._pump(0)
        return self.p.returncode

    def rss_kib(self):
        with open("/proc/%d/status" % self.p.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0


def verdict(ev):
    """(host, outcome, root-cause signature or None) of an ECS event."""
    return (ev["host"]["name"], ev["asrlog"]["outcome"], ev.get("rule", {}).get("id"))


def expect_one(fw, want, what, timeout=2.0, since=None):
    """Waits for exactly one more event equal to `want` (host, outcome, signature); returns it
    and the seconds from `since` (the write that ended the attempt) to its arrival."""
    t0 = since if since is not None else time.monotonic()
    got = fw.wait_events(len(fw.events) + 1, timeout)
    latency = time.monotonic() - t0
    check(len(got) == 1, "%s: one event within %.1f s, got %d" % (what, timeout, len(got)))
    if got:
        check(verdict(got[0]) == want, "%s: verdict %s, want %s" % (what, verdict(got[0]), want))
    return got[0] if got else None, latency


def main_scenario(tmp):
    """One follower over a folder (Windows hosts) and a named file (a Linux host)."""
    win_dir = os.path.join(tmp, "win")
    os.mkdir(win_dir)
    linux = os.path.join(tmp, "db02_ua_install.log")  # host from the <HOST>_ prefix
    sql = os.path.join(win_dir, "SQL01_ASRUnifiedAgentInstaller.log")
    fw = Follower(win_dir, linux)
    check(fw.wait_stderr("waiting for it", 30), "the missing named file is waited for")

    # a new file in the folder, its attempt half written: no verdict
    append(sql, WIN[:WIN_END])
    check(fw.quiet(1.0) == [], "no verdict while the Windows attempt is half written")
    written = time.monotonic()
    append(sql, WIN[WIN_END:])
    ev, latency = expect_one(fw, ("SQL01", "failed", "win.vss.hresult.complus_msdtc"),
                             "Windows attempt ended", since=written)
    print("Windows verdict %.2f s after its exit line" % latency)
    if ev:
        check(ev["log"]["file"]["path"] == sql, "event names the followed file")
        check(ev["error"]["code"] == "0x8004E00F", "HRESULT of the root cause")

    # the named file appears; its exit line has no newline yet: not scanned
    append(linux, LINUX_FAIL[:LINUX_END] + [LINUX_FAIL[LINUX_END].rstrip(b"\n")])
    check(fw.quiet(1.0) == [], "no verdict while the exit line has no newline")
    written = time.monotonic()
    append(linux, b"\n")
    ev, latency = expect_one(fw, ("db02", "failed", "linux.prereq.kernel_not_supported"),
                             "Linux attempt ended by completing its exit line", since=written)
    print("Linux verdict %.2f s after its newline" % latency)
    if ev:
        check(ev["event"]["code"] == "99" and ev["host"]["os"]["type"] == "linux",
              "exit code and OS of the Linux verdict")
        lines = [e["line"] for e in ev["asrlog"]["evidence"]]
        check(LINUX_END + 1 in lines, "the exit line is evidence, with its line number")

    # a second attempt on the same host: a second event
    append(linux, LINUX_OK)
    expect_one(fw, ("db02", "succeeded", None), "second attempt in the same file")

    # rotation of the named file: the old one gets one more attempt after the rename, then a
    # new file takes the name. Both attempts are reported once, the old one first.
    os.rename(linux, linux + ".1")
    append(linux + ".1", LINUX_FAIL)
    time.sleep(0.4)
    append(linux, LINUX_OK)
    got = fw.wait_events(len(fw.events) + 2, 3.0)
    check([verdict(e) for e in got] ==
          [("db02", "failed", "linux.prereq.kernel_not_supported"), ("db02", "succeeded", None)],
          "rotation: the old file read to its end, then the new one (%s)"
          % [verdict(e) for e in got])
    if len(got) == 2:
        last = got[1]["asrlog"]
        check(got[1]["@timestamp"].startswith("2023-05-03T11:52:47"),
              "the new file's attempt time")
        check("evidence" not in last, "a succeeded verdict has no evidence block")

    # rotation inside the folder, to a name that is not a rotated form: the renamed file is
    # recognised by its inode and not read again; the new file gives the next verdict
    os.rename(sql, os.path.join(win_dir, "previous-run.log"))
    time.sleep(0.4)
    append(sql, WIN_WARN)
    expect_one(fw, ("SQL01", "succeeded_with_warnings", "win.system.reboot_recommended"),
               "rotation in a folder", timeout=3.0)

    # truncation: the file is emptied, then a new attempt is written into it
    with open(sql, "r+b") as f:
        f.truncate(0)
    time.sleep(0.8)
    append(sql, WIN)
    expect_one(fw, ("SQL01", "failed", "win.vss.hresult.complus_msdtc"), "truncation",
               timeout=3.0)
    check(b"file truncated" in fw.err, "truncation is said on stderr")

    # a legacy Inno Setup log with two attempts, created while following: two events
    append(os.path.join(win_dir, "CLU01_UA_InstallLogFile.log"), INNO)
    got = fw.wait_events(len(fw.events) + 2, 3.0)
    check([verdict(e)[:2] for e in got] == [("CLU01", "failed")] * 2,
          "two Inno Setup attempts give two events (%s)" % [verdict(e) for e in got])

    # a push-install service log: a notice, no events; rotated copies are not read
    append(os.path.join(win_dir, "pushinstallservice.log"), PUSH)
    append(os.path.join(win_dir, "SQL01_ASRUnifiedAgentInstaller.log.2"), WIN)
    append(os.path.join(win_dir, "SQL01_ASRUnifiedAgentInstaller.log.gz"), WIN)
    check(fw.quiet(1.5) == [], "no event from a push-service log or rotated copies")
    check(fw.wait_stderr("gives no live verdicts", 2), "the push-service log is refused")

    # SIGTERM: exit 1 (failed verdicts were written), whole JSON lines only
    rc = fw.stop()
    check(rc == 1, "SIGTERM after failed verdicts exits 1 (got %s)" % rc)
    check(fw.tail == b"\n" and fw.buf == b"", "stdout ends with a whole line")
    check(len(fw.events) == 9, "9 events in all, no duplicate (got %d)" % len(fw.events))
    for e in fw.events:
        check(e["ecs"]["version"] and e["event"]["module"] == "asrlog", "ECS event shape")
    print("main scenario: %d events" % len(fw.events))


def stdin_and_syslog():
    """`-` ends with standard input; --syslog sends one RFC 5424 message per verdict."""
    p = subprocess.run([ASRLOG, "scan", "--follow", "--host", "piped", "-"],
                       input=b"".join(LINUX_OK), capture_output=True, timeout=60)
    lines = p.stdout.decode().splitlines()
    check(p.returncode == 0, "--follow - ends with stdin, exit 0 (got %d)" % p.returncode)
    check(len(lines) == 1 and verdict(json.loads(lines[0])) == ("piped", "succeeded", None),
          "--follow - gives the verdict of stdin")

    # a failure no signature explains: a plain scan may add fleet-level events (templates of
    # unclassified failures); --follow writes the host verdict only
    odd = [l for l in LINUX_FAIL if b"kernel" not in l and b"pre-requisites" not in l]
    odd.insert(-1, b"05/03/2023 10:05:30 : Failed to mount the volume /dev/sdb1 on /mnt/recovery\n")
    p = subprocess.run([ASRLOG, "scan", "--follow", "--host", "odd", "-"], input=b"".join(odd),
                       capture_output=True, timeout=60)
    lines = p.stdout.decode().splitlines()
    check(p.returncode == 1 and len(lines) == 1, "one event for an unexplained failure (%d, %d)"
          % (p.returncode, len(lines)))
    if lines:
        ev = json.loads(lines[0])
        check(ev["host"]["name"] == "odd" and ev["asrlog"]["outcome"] == "failed",
              "the event is the host verdict")

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    srv.settimeout(30)
    got = []

    def receive():
        try:
            conn, _ = srv.accept()
            with conn:
                conn.settimeout(30)
                while True:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    got.append(chunk)
        except OSError:
            pass

    t = threading.Thread(target=receive)
    t.start()
    url = "tcp://127.0.0.1:%d" % srv.getsockname()[1]
    p = subprocess.run([ASRLOG, "scan", "--follow", "--syslog", url, "--host", "db02", "-"],
                       input=b"".join(LINUX_FAIL), capture_output=True, timeout=60)
    t.join(30)
    srv.close()
    data = b"".join(got)
    check(p.returncode == 1, "--follow --syslog with a failed verdict exits 1 (got %d, %s)"
          % (p.returncode, p.stderr))
    length, _, msg = data.partition(b" ")
    check(length.isdigit() and int(length) == len(msg), "one octet-counted syslog frame")
    check(msg.startswith(b"<11>1 "), "facility user, severity err")
    body = msg[msg.find(b"{"):]
    try:
        ev = json.loads(body)
        check(verdict(ev) == ("db02", "failed", "linux.prereq.kernel_not_supported"),
              "the syslog message is the ECS event")
    except ValueError:
        check(False, "the syslog message holds the ECS event: %r" % msg[:200])


def bounded_memory(tmp):
    """3,000 attempts appended to one followed file: resident memory stays flat."""
    path = os.path.join(tmp, "mem", "db02_ua_install.log")
    os.mkdir(os.path.dirname(path))
    # An ASan build keeps freed blocks in quarantine (256 MiB by default), which would show as
    # growth here; without it the sanitizer allocator reuses them like malloc does. The option
    # means nothing to a plain build.
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"),
                                                 "quarantine_size_mb=0"]))
    fw = Follower(path, env=env)
    check(fw.wait_stderr("waiting for it", 30), "memory follower started")
    attempt = b"".join(LINUX_FAIL)
    per = len(LINUX_FAIL)
    total, batch, rss = 3000, 250, {}
    t0 = time.monotonic()
    for k in range(0, total, batch):
        append(path, attempt * batch)
        got = fw.wait_events(k + batch, 20)
        if len(fw.events) < k + batch:
            check(False, "memory: events fell behind at %d (%d)" % (k + batch, len(fw.events)))
            break
        done = k + batch
        if done in (total // 3, total):
            rss[done] = fw.rss_kib()
        del got
    elapsed = time.monotonic() - t0
    last = fw.events[-1]
    rc = fw.stop()
    check(rc == 1, "memory follower stops with exit 1 (got %s)" % rc)
    if len(rss) == 2:
        first, final = rss[total // 3], rss[total]
        print("VmRSS after %d attempts: %d KiB, after %d: %d KiB (+%d KiB); %.1f MB in %.1f s"
              % (total // 3, first, total, final, final - first,
                 total * len(attempt) / 1e6, elapsed))
        check(final - first <= 8 * 1024, "VmRSS grew by %d KiB (limit 8 MiB)" % (final - first))
    if last:
        lines = [e["line"] for e in last["asrlog"]["evidence"]]
        check((total - 1) * per + LINUX_END + 1 in lines,
              "line numbers continue over 3,000 attempts (%s)" % lines)


def usage_errors():
    for args, text in ((["--format", "json"], "--follow writes --format ndjson"),
                       (["-o", "x.json"], "--follow cannot write -o FILE")):
        p = subprocess.run([ASRLOG, "scan", "--follow", *args, "x.log"], capture_output=True,
                           timeout=30)
        check(p.returncode == 2 and text in p.stderr.decode(),
              "usage error %s: exit %d, %s" % (args, p.returncode, p.stderr.decode().strip()))
    p = subprocess.run([ASRLOG, "scan", "--help"], capture_output=True, timeout=30)
    check(b"--follow " in p.stdout, "--follow is in scan --help")


def main():
    t0 = time.monotonic()
    usage_errors()
    with tempfile.TemporaryDirectory(prefix="asrlog-follow-") as tmp:
        main_scenario(tmp)
        stdin_and_syslog()
        bounded_memory(tmp)
    print("cli.follow: %.1f s" % (time.monotonic() - t0))
    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    print("all follow checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
