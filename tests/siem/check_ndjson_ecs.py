#!/usr/bin/env python3
"""--format ndjson against the Elastic Common Schema.

Every line is one JSON object (UTF-8, LF, no raw control character even when the evidence holds
tabs, quotes, control characters or bytes that were not UTF-8), one per host in report order.
Every field is either an ECS field of ecs_fields.tsv — with its ECS type, an array exactly where
ECS normalises to one, and a value among the ECS allowed values — or sits under `asrlog.`.
On top of ECS, the project's rules (siem.md): event.kind alert for failures and event otherwise,
never signal; event.outcome failure/success/unknown from the outcome; category ["package"];
type ["installation", "error"|"info"]; and every value is compared with the JSON report.

usage: check_ndjson_ecs.py ASRLOG SOURCE_DIR
"""
import ipaddress
import json
import os
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import siem_util as su  # noqa: E402

ISO8601 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")


def load_fields(path):
    """ecs_fields.tsv as {name: (type, is_array, allowed set or None)}."""
    fields = {}
    for line in open(path, encoding="utf-8"):
        if not line.strip() or line.startswith("#"):
            continue
        name, typ, norm, allowed = line.rstrip("\n").split("\t")
        fields[name] = (typ, norm == "array", None if allowed == "-" else set(allowed.split(",")))
    return fields


def leaves(obj, prefix=""):
    """(dotted name, value) of every non-object value; arrays are values."""
    for k, v in obj.items():
        name = prefix + k
        if isinstance(v, dict):
            yield from leaves(v, name + ".")
        else:
            yield name, v


def check_value(where, name, typ, v):
    """One scalar against its ECS type."""
    if not isinstance(v, str):
        su.fail(f"{where}: {name} must be a string ({typ}), got {v!r}")
    if typ == "date":
        if not ISO8601.match(v):
            su.fail(f"{where}: {name} {v!r} is not ISO 8601 with a UTC offset")
        su.iso_ms(v)
    elif typ == "ip":
        try:
            ipaddress.ip_address(v)
        except ValueError:
            su.fail(f"{where}: {name} {v!r} is not an IP address")


def check_ecs(where, doc, fields):
    """Every field of one event against ECS."""
    for name, v in leaves(doc):
        if name.startswith("asrlog."):
            continue
        if name not in fields:
            su.fail(f"{where}: {name} is neither an ECS field asrlog uses nor under asrlog.")
        typ, is_array, allowed = fields[name]
        if is_array != isinstance(v, list):
            su.fail(f"{where}: {name} must {'' if is_array else 'not '}be an array, got {v!r}")
        for x in v if is_array else [v]:
            check_value(where, name, typ, x)
            if allowed is not None and x not in allowed:
                su.fail(f"{where}: {name} {x!r} is not an ECS allowed value")


def check_against_report(where, doc, h, rep, window):
    """The project's rules and every value against the report's host `h`."""
    ev, rc = doc["event"], h["root_cause"]
    failed = h["outcome"] == "failed"
    want = {
        "event.kind": "alert" if failed else "event",
        "event.outcome": su.outcome_ecs(h["outcome"]),
        "event.category": ["package"],
        "event.type": ["installation", "error" if failed else "info"],
        "event.module": "asrlog",
        "event.dataset": "asrlog.mobility_install",
        "host.name": h["host"],
        "host.hostname": h["host"],
        "message": su.message(h),
        "asrlog.outcome": h["outcome"],
        "asrlog.host_source": h["host_source"],
    }
    ips = [a for a in [h["host"]] + h["aliases"] if su.first_ip({"host": a, "aliases": []}, False)]
    if ips:
        want["host.ip"] = ips
    if h["os"] in ("windows", "linux"):
        want["host.os.type"] = h["os"]
    if rc:
        evidence = su.deciding_evidence(h)
        want.update({
            "event.reason": rc["title"], "event.original": evidence["text"],
            "error.message": rc["title"], "error.type": rc["family"],
            "rule.id": rc["signature"], "rule.name": rc["title"], "rule.ruleset": "asrlog-catalog",
            "rule.version": rep["catalog_hash"], "log.file.path": evidence["file"],
            "asrlog.remediation": rc["remediation"], "asrlog.evidence": rc["evidence"],
        })
        if su.code(rc):
            want["event.code"] = su.code(rc)
        if rc.get("hresult") or su.code(rc):
            want["error.code"] = rc.get("hresult") or su.code(rc)
        if (rc.get("remediation") or {}).get("reference"):
            want["rule.reference"] = rc["remediation"]["reference"]
    got = dict(leaves(doc))
    got_top = {k: v for k, v in got.items() if not k.startswith("asrlog.remediation.") and
               not k.startswith("asrlog.evidence")}
    if rc:
        got_top["asrlog.remediation"] = doc["asrlog"]["remediation"]
        got_top["asrlog.evidence"] = doc["asrlog"]["evidence"]
    got_top.pop("@timestamp")
    got_top.pop("ecs.version")
    if got_top != want:
        diff = {k: (got_top.get(k), want.get(k)) for k in set(got_top) | set(want)
                if got_top.get(k) != want.get(k)}
        su.fail(f"{where}: fields differ from the report (got, expected): {diff}")
    if ev["kind"] == "signal":
        su.fail(f"{where}: event.kind signal is reserved")
    su.check_time(f"{where} @timestamp", su.iso_ms(doc["@timestamp"]), h, window)


def main():
    asrlog, src = sys.argv[1], sys.argv[2]
    os.chdir(src)
    fields = load_fields("tests/siem/ecs_fields.tsv")
    rep = su.report(asrlog)
    su.nasty_hosts_present(rep)
    out, window = su.scan(asrlog, "ndjson")
    if not out.endswith(b"\n"):
        su.fail("the output does not end with a newline")
    lines = out[:-1].split(b"\n")
    if len(lines) != len(rep["hosts"]):
        su.fail(f"{len(lines)} lines for {len(rep['hosts'])} hosts")
    for n, (raw, h) in enumerate(zip(lines, rep["hosts"]), 1):
        where = f"line {n} ({h['host']})"
        if any(b < 0x20 for b in raw):
            su.fail(f"{where}: raw control character in the line")
        doc = json.loads(raw.decode("utf-8"))  # strict: invalid UTF-8 raises
        if not isinstance(doc, dict):
            su.fail(f"{where}: not a JSON object")
        check_ecs(where, doc, fields)
        check_against_report(where, doc, h, rep, window)
    print(f"ndjson ECS: {len(lines)} events valid, every field checked against ECS and the report")


if __name__ == "__main__":
    main()
