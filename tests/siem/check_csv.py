#!/usr/bin/env python3
"""--format csv against RFC 4180 and the report.

The bytes must be UTF-8 without a byte order mark; every record, the header included, ends with
CRLF; fields are quoted exactly when they hold a comma, a double quote, CR or LF, with inner
quotes doubled (checked by writing the parsed rows back with those rules and comparing bytes);
the header is the documented column list; there is one row per host in report order, and every
cell equals the report's value (lists joined with ";", steps and commands with LF).

usage: check_csv.py ASRLOG SOURCE_DIR
"""
import csv
import io
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import siem_util as su  # noqa: E402

COLUMNS = ["host", "host_source", "aliases", "os", "outcome", "time", "signature", "title",
           "severity", "family", "error_ids", "ep_codes", "exit_code", "hresult",
           "evidence_file", "evidence_line", "evidence_text", "remediation_summary",
           "remediation_steps", "remediation_commands", "reference"]


def rfc4180(rows):
    """The rows written back with RFC 4180's rules: CRLF, minimal quoting, quotes doubled."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=",", quotechar='"', doublequote=True, lineterminator="\r\n",
                   quoting=csv.QUOTE_MINIMAL)
    w.writerows(rows)
    return buf.getvalue()


def expected_row(h):
    rc = h["root_cause"] or {}
    ev = su.deciding_evidence(h) or {}
    rem = rc.get("remediation") or {}
    ec = rc.get("exit_code")
    return {
        "host": h["host"], "host_source": h["host_source"], "aliases": ";".join(h["aliases"]),
        "os": h["os"], "outcome": h["outcome"], "signature": rc.get("signature", ""),
        "title": rc.get("title", ""), "severity": rc.get("severity", ""),
        "family": rc.get("family", ""),
        "error_ids": ";".join(str(x) for x in rc.get("error_ids") or []),
        "ep_codes": ";".join(rc.get("ep_codes") or []),
        "exit_code": str(ec) if isinstance(ec, int) else "",
        "hresult": rc.get("hresult") or "", "evidence_file": ev.get("file", ""),
        "evidence_line": str(ev["line"]) if ev else "", "evidence_text": ev.get("text", ""),
        "remediation_summary": rem.get("summary", ""),
        "remediation_steps": "\n".join(rem.get("steps") or []),
        "remediation_commands": "\n".join(rem.get("commands") or []),
        "reference": rem.get("reference", ""),
    }


def main():
    asrlog, src = sys.argv[1], sys.argv[2]
    os.chdir(src)
    rep = su.report(asrlog)
    su.nasty_hosts_present(rep)
    out, window = su.scan(asrlog, "csv")
    if out.startswith(b"\xef\xbb\xbf"):
        su.fail("the output starts with a byte order mark")
    text = out.decode("utf-8")  # strict
    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    if rfc4180(rows) != text:
        su.fail("the output is not the RFC 4180 form of its own rows (line ends or quoting)")
    if rows[0] != COLUMNS:
        su.fail(f"header {rows[0]}")
    if len(rows) - 1 != len(rep["hosts"]):
        su.fail(f"{len(rows) - 1} rows for {len(rep['hosts'])} hosts")
    multiline = 0
    for row, h in zip(rows[1:], rep["hosts"]):
        got = dict(zip(COLUMNS, row))
        if len(row) != len(COLUMNS):
            su.fail(f"{h['host']}: {len(row)} fields")
        su.check_time(f"{h['host']} time", su.iso_ms(got.pop("time")), h, window)
        want = expected_row(h)
        if got != want:
            diff = {k: (got[k], want[k]) for k in want if got[k] != want[k]}
            su.fail(f"{h['host']}: cells differ (got, expected): {diff}")
        multiline += any("\n" in v for v in row)
    if not multiline:
        su.fail("no field with a line break was exercised")
    print(f"csv: header and {len(rows) - 1} rows checked against RFC 4180 and the report "
          f"({multiline} rows with quoted line breaks)")


if __name__ == "__main__":
    main()
