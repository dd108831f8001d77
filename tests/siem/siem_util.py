"""What the SIEM format tests share: running asrlog on the test fleet, the JSON report they are
compared with, and the documented rules every format shares (event time, severity, message).

The test fleet is the bundled corpus plus tests/fixtures/siem/fleet, scanned with the test-only
signature in tests/fixtures/siem/patterns (its title and remediation hold `|`, `=`, `\\`, quotes,
tabs and newlines; the fixture logs hold tabs, quotes, control characters and a byte that is not
UTF-8 on the deciding evidence line), plus failed hosts no signature explains, built in a
temporary folder by tests/fixtures/unclassified_fleet.py (groups secure_boot and escape), so that
the report has unclassified failure templates, one of them full of characters to escape.
"""
import atexit
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile

FLEET = ["corpus", "tests/fixtures/siem/fleet"]
PATTERNS = ["--patterns", "tests/fixtures/siem/patterns"]
SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(SOURCE, "tests", "fixtures"))
import unclassified_fleet  # noqa: E402

# What the renderers give a template event (README.md, "SIEM output").
TEMPLATE_NAME = "Unclassified failure template"
TEMPLATE_ACTION = "unclassified-failure-template"
TEMPLATE_SEVERITY = "warning"  # a row of SEVERITY
_unclassified_dir = []


def unclassified_dir():
    """The folder of the unclassified hosts, built on first use and removed at exit."""
    if not _unclassified_dir:
        tmp = tempfile.mkdtemp(prefix="asrlog-siem-")
        atexit.register(shutil.rmtree, tmp, True)
        _unclassified_dir.append(unclassified_fleet.build(
            SOURCE, os.path.join(tmp, "unclassified"), ["secure_boot", "escape"]))
    return _unclassified_dir[0]


def fleet():
    """The inputs of the test fleet (FLEET and the unclassified hosts)."""
    return FLEET + [unclassified_dir()]


def fail(msg):
    """Prints a failure and stops the test."""
    print("FAIL " + msg)
    sys.exit(1)


def run(asrlog, args, want_rc=None):
    """Runs asrlog with args; returns (exit code, stdout bytes, stderr text)."""
    p = subprocess.run([asrlog] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    err = p.stderr.decode("utf-8", "replace")
    if want_rc is not None and p.returncode != want_rc:
        fail(f"asrlog {' '.join(args)}: exit {p.returncode}, expected {want_rc}\n{err}")
    return p.returncode, p.stdout, err


def scan(asrlog, fmt, inputs=None, extra=()):
    """Scans the test fleet (or `inputs`) in format `fmt`; returns (stdout bytes, time window
    (ms before, ms after) of the run, for hosts whose event time is the scan time)."""
    before = now_ms()
    rc, out, err = run(asrlog, ["scan", "-q", "--format", fmt] + PATTERNS + list(extra) +
                       (inputs or fleet()))
    after = now_ms()
    if rc not in (0, 1):
        fail(f"asrlog scan --format {fmt}: exit {rc}\n{err}")
    return out, (before, after)


def report(asrlog, inputs=None):
    """The JSON report of the test fleet (or `inputs`)."""
    out, _ = scan(asrlog, "json", inputs)
    return json.loads(out)


def now_ms():
    return int(datetime.datetime.now(datetime.timezone.utc).timestamp() * 1000)


def iso_ms(s):
    """Epoch milliseconds of an ISO 8601 time; a time without a UTC offset is taken as UTC."""
    t = datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
    if t.tzinfo is None:
        t = t.replace(tzinfo=datetime.timezone.utc)
    return int(round(t.timestamp() * 1000))


def utc_text(ms):
    """Epoch milliseconds as asrlog writes them: 2023-05-03T08:41:10.000Z."""
    t = datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def deciding_evidence(host):
    rc = host.get("root_cause") or {}
    ev = rc.get("evidence") or []
    return ev[0] if ev else None


def event_time_ms(host):
    """The documented event time: start of the last deciding attempt of the deciding evidence's
    file at or before its line, else the latest deciding attempt start, else None (scan time)."""
    ev = deciding_evidence(host)
    in_file, latest, best_line = None, None, None
    for a in host["attempts"]:
        if not a.get("deciding") or not a.get("started"):
            continue
        t = iso_ms(a["started"])
        latest = t if latest is None else max(latest, t)
        if ev and a["file"] == ev["file"] and a["line"] <= ev["line"] and \
                (best_line is None or a["line"] >= best_line):
            in_file, best_line = t, a["line"]
    return in_file if in_file is not None else latest


def check_time(what, got_ms, host, window):
    """Checks an emitted event time against the documented rule."""
    want = event_time_ms(host)
    if want is None:
        if not window[0] - 1000 <= got_ms <= window[1] + 1000:
            fail(f"{what}: time {got_ms} is not the scan time {window}")
    elif got_ms != want:
        fail(f"{what}: time {got_ms} ({utc_text(got_ms)}), expected {want} ({utc_text(want)})")


def outcome_ecs(outcome):
    return {"failed": "failure", "succeeded": "success",
            "succeeded_with_warnings": "success"}.get(outcome, "unknown")


def severity_key(host):
    """The documented severity row: signature severity, an error capped to warning for a host
    that succeeded with warnings; by outcome when there is no root cause."""
    rc = host.get("root_cause")
    if rc:
        key = rc["severity"]
        if host["outcome"] == "succeeded_with_warnings" and key == "error":
            key = "warning"
        return key
    return {"failed": "error", "unknown": "unknown"}.get(host["outcome"], "succeeded")


# signature severity -> (CEF 0-10, RFC 5424 severity, ASIM EventSeverity)
SEVERITY = {
    "error": (8, 3, "High"),
    "warning": (5, 4, "Medium"),
    "info": (3, 5, "Low"),
    "unknown": (3, 5, "Low"),
    "succeeded": (0, 6, "Informational"),
}


def message(host):
    rc = host.get("root_cause")
    title = rc["title"] if rc else ""
    return f"Mobility Service installation on {host['host']} {host['outcome']}" + \
        (f": {title}" if title else "")


def remediation_text(rem):
    """The documented plain-text remediation: summary, "N. step" lines, "$ command" lines,
    "Reference: URL", joined with LF."""
    if not rem:
        return ""
    lines = [rem["summary"]] if rem.get("summary") else []
    lines += [f"{i}. {s}" for i, s in enumerate(rem.get("steps") or [], 1)]
    lines += [f"$ {c}" for c in rem.get("commands") or []]
    if rem.get("reference"):
        lines.append("Reference: " + rem["reference"])
    return "\n".join(lines)


def first_ip(host, v4_only):
    """The host itself when it is an address, else its first alias that is one."""
    import ipaddress
    for name in [host["host"]] + host.get("aliases", []):
        try:
            ip = ipaddress.ip_address(name)
        except ValueError:
            continue
        if not v4_only or ip.version == 4:
            return name
    return None


def code(rc):
    """First ErrorID, else exit code, as text; "" when neither."""
    if not rc:
        return ""
    if rc.get("error_ids"):
        return str(rc["error_ids"][0])
    if isinstance(rc.get("exit_code"), int):
        return str(rc["exit_code"])
    return ""


def nasty_hosts_present(rep):
    """The fixture hosts must be in the report with the evidence they are there for."""
    hosts = {h["host"]: h for h in rep["hosts"]}
    for name, needles in (("lnx-esc01", ["|", "=", "\\", '"', "\t", "\x01", "\u00e9", "\x7f"]),
                          ("win-esc02", ["|", "=", "\\", '"', "\t", "\x02", "\u201c"]),
                          ("10.9.9.9", ["95117"])):
        h = hosts.get(name)
        if not h:
            fail(f"fixture host {name} missing from the report")
        text = deciding_evidence(h)["text"]
        for n in needles:
            if n not in text:
                fail(f"fixture host {name}: deciding evidence lacks {n!r}: {text!r}")
    rc = hosts["win-esc02"]["root_cause"]
    if rc["signature"] != "siem.fixture.escape_check" or "\n" not in rc["title"]:
        fail("win-esc02 is not decided by the fixture signature with a newline in its title")
    templates_present(rep)
    return hosts


def templates_present(rep):
    """The unclassified hosts must give their two templates: the Secure Boot one with three
    hosts, and one whose wording and examples hold what the formats must escape."""
    tpls = rep.get("unclassified") or []
    by_hosts = {tuple(t["hosts"]): t for t in tpls}
    sb = by_hosts.get(("lnx-sb01", "lnx-sb02", "lnx-sb03"))
    esc = by_hosts.get(("uc-esc01", "uc-esc02"))
    if not sb or "Secure Boot is enabled" not in sb["template"]:
        fail(f"no Secure Boot template for lnx-sb01..03 in the report: {tpls}")
    if not esc:
        fail(f"no template for uc-esc01/02 in the report: {tpls}")
    for n in ["|", "=", "`", "<", "\x01", "\u00e9"]:
        if n not in esc["template"]:
            fail(f"the escape template lacks {n!r}: {esc['template']!r}")
    for n in ["\\", '"', "\t"]:
        if n not in esc["examples"][0]["text"]:
            fail(f"the escape template's example lacks {n!r}: {esc['examples'][0]['text']!r}")
    return tpls
