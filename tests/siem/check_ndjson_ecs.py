#!/usr/bin/env python3
"""--format ndjson against the Elastic Common Schema.

Every line is one JSON object (UTF-8, LF, no raw control character even when the evidence holds
tabs, quotes, control characters or bytes that were not UTF-8), one per host in report order.
Every field is either an ECS field of ecs_fields.tsv — with its ECS type, an array exactly where
ECS normalises to one, and a value among the ECS allowed values — or sits under `asrlog.`.
On top of ECS, the project's rules (siem.md): event.kind alert for failures and event otherwise,
never signal; event.outcome failure/success/unknown from the outcome; category ["package"];
type ["installation", "error"|"info"]; and every value is compared with the JSON report.
After the host events come one event per unclassified failure template of the report, in
report order: kind event, category ["package"], type ["info"], action
unclassified-failure-template, message the template, rule.id its id, related.hosts its hosts,
the report's entry under asrlog.unclassified and the scan time as @timestamp; the corpus alone
gives none.

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


def check_template(where, doc, t, rep, window):
    """A template event against the report's "unclassified" entry `t`."""
    want = {
        "event.kind": "event", "event.category": ["package"], "event.type": ["info"],
        "event.action": su.TEMPLATE_ACTION, "event.module": "asrlog",
        "event.dataset": "asrlog.mobility_install", "message": t["template"],
        "rule.id": t["id"], "rule.name": su.TEMPLATE_NAME, "rule.ruleset": "asrlog-unclassified",
        "rule.version": rep["catalog_hash"], "related.hosts": t["hosts"],
        "ecs.version": "8.11.0",
    }
    got = {k: v for k, v in leaves(doc) if not k.startswith("asrlog.")}
    ms = su.iso_ms(got.pop("@timestamp"))
    if got != want:
        diff = {k: (got.get(k), want.get(k)) for k in set(got) | set(want)
                if got.get(k) != want.get(k)}
        su.fail(f"{where}: fields differ from the report (got, expected): {diff}")
    if doc.get("asrlog") != {"unclassified": t}:
        su.fail(f"{where}: asrlog.unclassified is not the report's entry: {doc.get('asrlog')}")
    if not window[0] - 1000 <= ms <= window[1] + 1000:
        su.fail(f"{where}: @timestamp {ms} is not the scan time {window}")


def check_lines(out, rep, window, fields):
    """Every line of one ndjson output: the host events, then the template events."""
    if not out.endswith(b"\n"):
        su.fail("the output does not end with a newline")
    lines = out[:-1].split(b"\n") if out else []
    tpls = rep.get("unclassified") or []
    if len(lines) != len(rep["hosts"]) + len(tpls):
        su.fail(f"{len(lines)} lines for {len(rep['hosts'])} hosts and {len(tpls)} templates")
    docs = []
    for n, raw in enumerate(lines, 1):
        if any(b < 0x20 for b in raw):
            su.fail(f"line {n}: raw control character in the line")
        doc = json.loads(raw.decode("utf-8"))  # strict: invalid UTF-8 raises
        if not isinstance(doc, dict):
            su.fail(f"line {n}: not a JSON object")
        check_ecs(f"line {n}", doc, fields)
        docs.append(doc)
    for n, (doc, h) in enumerate(zip(docs, rep["hosts"]), 1):
        check_against_report(f"line {n} ({h['host']})", doc, h, rep, window)
    for n, (doc, t) in enumerate(zip(docs[len(rep["hosts"]):], tpls), len(rep["hosts"]) + 1):
        check_template(f"line {n} (template {t['id']})", doc, t, rep, window)
    return len(lines)


def main():
    asrlog, src = sys.argv[1], sys.argv[2]
    os.chdir(src)
    fields = load_fields("tests/siem/ecs_fields.tsv")
    rep = su.report(asrlog)
    su.nasty_hosts_present(rep)
    out, window = su.scan(asrlog, "ndjson")
    n = check_lines(out, rep, window, fields)
    # the corpus alone has no unclassified host: no template event
    corpus = su.report(asrlog, ["corpus"])
    if corpus.get("unclassified"):
        su.fail(f"the corpus has unclassified templates: {corpus['unclassified']}")
    out, window = su.scan(asrlog, "ndjson", ["corpus"])
    check_lines(out, corpus, window, fields)
    print(f"ndjson ECS: {n} events valid ({len(rep['unclassified'])} of them templates), every "
          f"field checked against ECS and the report; the corpus alone gives host events only")


if __name__ == "__main__":
    main()
