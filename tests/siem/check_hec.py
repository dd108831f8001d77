#!/usr/bin/env python3
"""--format hec against the Splunk HTTP Event Collector event format.

The output is one body for /services/collector/event: JSON objects, one per line and per host in
report order, each with exactly time (epoch seconds, at most 3 decimals), host, source "asrlog",
sourcetype "_json", event (the ECS event of --format ndjson for the same host) and fields
(indexed fields: flat, string or array-of-string values, no reserved or "_" names), all compared
with the JSON report. After the hosts, one object per unclassified failure template: no
"host" (it spans several), the scan time, its ndjson event, and fields event_action,
template_id, score, failed_hosts and related_host.

usage: check_hec.py ASRLOG SOURCE_DIR
"""
import json
import os
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import siem_util as su  # noqa: E402

TOP_KEYS = {"time", "host", "source", "sourcetype", "event", "fields"}
RESERVED = {"time", "host", "source", "sourcetype", "index", "punct", "linecount",
            "splunk_server", "eventtype", "tag"}
TIME_TEXT = re.compile(rb'^\{"time":(\d+(?:\.\d{1,3})?),')


def expected_fields(h):
    """The indexed fields README.md documents, from the report's host `h`."""
    rc = h["root_cause"]
    want = {"asrlog_outcome": h["outcome"], "os": h["os"], "host_source": h["host_source"]}
    if rc:
        want.update({"signature": rc["signature"], "severity": rc["severity"]})
        if rc["error_ids"]:
            want["error_id"] = [str(x) for x in rc["error_ids"]]
        if isinstance(rc.get("exit_code"), int):
            want["exit_code"] = str(rc["exit_code"])
    return want


def check_event(where, raw, obj, h, ecs, window):
    if not isinstance(obj, dict) or set(obj) != TOP_KEYS:
        su.fail(f"{where}: keys {sorted(obj) if isinstance(obj, dict) else obj!r}, "
                f"expected {sorted(TOP_KEYS)}")
    m = TIME_TEXT.match(raw)
    if not m or not isinstance(obj["time"], (int, float)) or isinstance(obj["time"], bool):
        su.fail(f"{where}: time must come first as epoch seconds with at most 3 decimals")
    ms = round(obj["time"] * 1000)
    su.check_time(where + " time", ms, h, window)
    if (obj["host"], obj["source"], obj["sourcetype"]) != (h["host"], "asrlog", "_json"):
        su.fail(f"{where}: host/source/sourcetype {obj['host']}/{obj['source']}/"
                f"{obj['sourcetype']}")
    ev = dict(obj["event"])
    if su.iso_ms(ev.pop("@timestamp")) != ms:
        su.fail(f"{where}: event @timestamp differs from time")
    ecs = dict(ecs)
    ecs.pop("@timestamp")
    if ev != ecs:
        su.fail(f"{where}: event is not the ndjson ECS event of the host")
    fields = obj["fields"]
    for k, v in fields.items():
        if k in RESERVED or k.startswith("_"):
            su.fail(f"{where}: fields.{k} is a reserved name")
        if not (isinstance(v, str) or (isinstance(v, list) and all(isinstance(x, str)
                                                                     for x in v))):
            su.fail(f"{where}: fields.{k} must be a string or an array of strings: {v!r}")
    if fields != expected_fields(h):
        su.fail(f"{where}: fields {fields}, expected {expected_fields(h)}")


def check_template(where, raw, obj, t, ecs, window):
    """A template's object against the report's entry `t` and its ndjson event `ecs`."""
    keys = TOP_KEYS - {"host"}
    if not isinstance(obj, dict) or set(obj) != keys:
        su.fail(f"{where}: keys {sorted(obj) if isinstance(obj, dict) else obj!r}, "
                f"expected {sorted(keys)}")
    if not TIME_TEXT.match(raw):
        su.fail(f"{where}: time must come first as epoch seconds with at most 3 decimals")
    ms = round(obj["time"] * 1000)
    if not window[0] - 1000 <= ms <= window[1] + 1000:
        su.fail(f"{where}: time {ms} is not the scan time {window}")
    if (obj["source"], obj["sourcetype"]) != ("asrlog", "_json"):
        su.fail(f"{where}: source/sourcetype {obj['source']}/{obj['sourcetype']}")
    ev, ecs = dict(obj["event"]), dict(ecs)
    if su.iso_ms(ev.pop("@timestamp")) != ms:
        su.fail(f"{where}: event @timestamp differs from time")
    ecs.pop("@timestamp")
    if ev != ecs:
        su.fail(f"{where}: event is not the ndjson ECS event of the template")
    want = {"event_action": su.TEMPLATE_ACTION, "template_id": t["id"],
            "score": str(t["score"]), "failed_hosts": str(t["failed_hosts"]),
            "related_host": t["hosts"]}
    if obj["fields"] != want:
        su.fail(f"{where}: fields {obj['fields']}, expected {want}")


def main():
    asrlog, src = sys.argv[1], sys.argv[2]
    os.chdir(src)
    rep = su.report(asrlog)
    su.nasty_hosts_present(rep)
    out, window = su.scan(asrlog, "hec")
    nd, _ = su.scan(asrlog, "ndjson")
    ecs = [json.loads(x) for x in nd.decode("utf-8").split("\n")[:-1]]
    # the body as HEC reads it: concatenated objects (one per line here)
    text, dec, pos, objs = out.decode("utf-8"), json.JSONDecoder(), 0, []
    while pos < len(text):
        obj, end = dec.raw_decode(text, pos)
        objs.append(obj)
        pos = end
        while pos < len(text) and text[pos] in " \n":
            pos += 1
    lines = out.split(b"\n")
    tpls, n_hosts = rep["unclassified"], len(rep["hosts"])
    if lines[-1] != b"" or len(lines) - 1 != len(objs) or len(objs) != n_hosts + len(tpls):
        su.fail(f"{len(objs)} objects on {len(lines) - 1} lines for {n_hosts} hosts and "
                f"{len(tpls)} templates")
    for n, (raw, obj, h, e) in enumerate(zip(lines, objs, rep["hosts"], ecs), 1):
        check_event(f"event {n} ({h['host']})", raw, obj, h, e, window)
    for n, (raw, obj, t, e) in enumerate(zip(lines[n_hosts:], objs[n_hosts:], tpls,
                                             ecs[n_hosts:]), n_hosts + 1):
        check_template(f"event {n} (template {t['id']})", raw, obj, t, e, window)
    print(f"hec: {len(objs)} events ({len(tpls)} of them templates) checked against the HEC "
          f"format, ndjson and the report")


if __name__ == "__main__":
    main()
