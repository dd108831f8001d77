#!/usr/bin/env python3
"""--format sentinel against the Logs Ingestion API limits and the ASIM field names.

1. The test fleet: every line is a JSON array (one request body) of records, one record per host
   in report order, then one per unclassified failure template (EventType
   UnclassifiedFailureTemplate, the scan time, no device fields); only ASIM common names plus
   AdditionalFields; ASIM values (EventResult, EventSeverity, times in UTC ISO 8601,
   EventCount 1) and every value compared with the report.
2. Limits: a generated fleet of BIG_HOSTS hosts decided by a signature with a 70 KB title and
   remediation, and two unclassified hosts whose failure line (and so their template) is about
   80 KB long (--max-evidence-line 1M). No line may exceed 1,000,000 bytes, no string field and
   no serialised AdditionalFields 64,000 bytes, the lines must be packed (the first record of
   the next line would not have fitted), cut strings must be prefixes of the report's values,
   and AdditionalFields.Truncated must say so.

usage: check_sentinel.py ASRLOG SOURCE_DIR
"""
import json
import os
import shutil
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import siem_util as su  # noqa: E402

MAX_BODY = 1_000_000
MAX_FIELD = 64_000
BIG_HOSTS = 16
ASIM_KEYS = {"TimeGenerated", "EventStartTime", "EventEndTime", "EventCount", "EventType",
             "EventResult", "EventResultDetails", "EventSeverity", "EventProduct", "EventVendor",
             "EventSchemaVersion", "DvcHostname", "DvcIpAddr", "DvcOs", "EventMessage",
             "AdditionalFields"}
RESULT = {"failed": "Failure", "succeeded_with_warnings": "Partial", "succeeded": "Success",
          "unknown": "NA"}


def size(x):
    return len(x.encode("utf-8")) if isinstance(x, str) else \
        len(json.dumps(x, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def prefix_of(got, want, where):
    """`got` is `want`, or (when cut) a prefix of it."""
    if isinstance(want, str):
        if not (isinstance(got, str) and want.startswith(got)):
            su.fail(f"{where}: {got!r:.80} is not (a prefix of) {want!r:.80}")
    elif isinstance(want, dict):
        if not isinstance(got, dict) or set(got) != set(want):
            su.fail(f"{where}: keys {sorted(got)} != {sorted(want)}")
        for k in want:
            prefix_of(got[k], want[k], f"{where}.{k}")
    elif isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            su.fail(f"{where}: list length differs")
        for i, (g, w) in enumerate(zip(got, want)):
            prefix_of(g, w, f"{where}[{i}]")
    elif got != want:
        su.fail(f"{where}: {got!r} != {want!r}")


def expected(h, rep):
    """The record README.md documents for host `h` (before any cut)."""
    rc = h["root_cause"]
    rec = {
        "EventCount": 1, "EventType": "Installation", "EventResult": RESULT[h["outcome"]],
        "EventSeverity": su.SEVERITY[su.severity_key(h)][2],
        "EventProduct": "Azure Site Recovery Mobility Service", "EventVendor": "Microsoft",
        "EventSchemaVersion": "0.1.0", "DvcHostname": h["host"], "EventMessage": su.message(h),
    }
    if su.code(rc):
        rec["EventResultDetails"] = su.code(rc)
    if su.first_ip(h, False):
        rec["DvcIpAddr"] = su.first_ip(h, False)
    if h["os"] in ("windows", "linux"):
        rec["DvcOs"] = h["os"].capitalize()
    add = {"Analyzer": "asrlog " + rep["asrlog_version"], "Outcome": h["outcome"],
           "HostSource": h["host_source"], "Aliases": h["aliases"],
           "CatalogHash": rep["catalog_hash"]}
    if rc:
        for name, key in (("Signature", "signature"), ("Title", "title"),
                          ("Severity", "severity"), ("Family", "family"),
                          ("ErrorIds", "error_ids"), ("EpCodes", "ep_codes"),
                          ("ExitCode", "exit_code"), ("HResult", "hresult"),
                          ("Evidence", "evidence"), ("Remediation", "remediation")):
            if rc.get(key) is not None:
                add[name] = rc[key]
    rec["AdditionalFields"] = add
    return rec


def expected_template(t, rep):
    """The record README.md documents for the report's unclassified entry `t`."""
    add = {"Analyzer": "asrlog " + rep["asrlog_version"], "CatalogHash": rep["catalog_hash"]}
    for name, key in (("TemplateId", "id"), ("Template", "template"), ("Score", "score"),
                      ("Count", "count"), ("FailedHosts", "failed_hosts"), ("Hosts", "hosts"),
                      ("OtherHosts", "other_hosts"), ("LogTypes", "log_types"),
                      ("Examples", "examples")):
        add[name] = t[key]
    return {
        "EventCount": 1, "EventType": "UnclassifiedFailureTemplate", "EventResult": "Failure",
        "EventSeverity": su.SEVERITY[su.TEMPLATE_SEVERITY][2],
        "EventProduct": "Azure Site Recovery Mobility Service", "EventVendor": "Microsoft",
        "EventSchemaVersion": "0.1.0", "EventMessage": t["template"], "AdditionalFields": add,
    }


def check_output(out, rep, window, expect_cut):
    """All lines of one run; returns the number of lines."""
    if not out.endswith(b"\n"):
        su.fail("output does not end with a newline")
    lines = out[:-1].split(b"\n")
    records, sizes = [], []
    for n, line in enumerate(lines, 1):
        if len(line) > MAX_BODY:
            su.fail(f"line {n}: {len(line)} bytes, over the {MAX_BODY} byte body limit")
        arr = json.loads(line.decode("utf-8"))
        if not isinstance(arr, list) or not arr or not all(isinstance(r, dict) for r in arr):
            su.fail(f"line {n}: not a non-empty JSON array of records")
        records += arr
        sizes.append([len(json.dumps(r, separators=(",", ":"), ensure_ascii=False)
                          .encode("utf-8")) for r in arr])
    tpls = rep.get("unclassified") or []
    if len(records) != len(rep["hosts"]) + len(tpls):
        su.fail(f"{len(records)} records for {len(rep['hosts'])} hosts and {len(tpls)} templates")
    for n in range(len(lines) - 1):  # packed: the next line's first record did not fit
        if len(lines[n]) + 1 + sizes[n + 1][0] <= MAX_BODY:
            su.fail(f"line {n + 1} was closed although the next record fitted")
    cut_seen = False
    # hosts (h) with the record README.md documents, then templates (t, the scan time)
    rows = [(f"record {h['host']}", h, expected(h, rep)) for h in rep["hosts"]] + \
        [(f"record of template {t['id']}", None, expected_template(t, rep)) for t in tpls]
    for r, (where, h, want) in zip(records, rows):
        if not set(r) <= ASIM_KEYS:
            su.fail(f"{where}: fields outside ASIM names: {sorted(set(r) - ASIM_KEYS)}")
        for k, v in list(r.items()) + [("AdditionalFields (serialised)", r["AdditionalFields"])]:
            if (isinstance(v, str) or k.startswith("AdditionalFields (")) and \
                    size(v) > MAX_FIELD:
                su.fail(f"{where}: {k} is {size(v)} bytes, over {MAX_FIELD}")
        times = {r.pop("TimeGenerated"), r.pop("EventStartTime"), r.pop("EventEndTime")}
        if len(times) != 1 or not next(iter(times)).endswith("Z"):
            su.fail(f"{where}: TimeGenerated/EventStartTime/EventEndTime {times}")
        ms = su.iso_ms(times.pop())
        if h:
            su.check_time(where, ms, h, window)
        elif not window[0] - 1000 <= ms <= window[1] + 1000:
            su.fail(f"{where}: time {ms} is not the scan time {window}")
        truncated = r["AdditionalFields"].pop("Truncated")
        if truncated is True:
            cut_seen = True
            prefix_of(r, want, where)
        elif truncated is not False or r != want:
            diff = {k: (r.get(k), want.get(k)) for k in set(r) | set(want)
                    if r.get(k) != want.get(k)}
            su.fail(f"{where}: differs from the report, Truncated {truncated}: {diff}")
    if expect_cut and not cut_seen:
        su.fail("the big fleet should have needed cuts")
    if not expect_cut and cut_seen:
        su.fail("nothing in the test fleet should have needed a cut")
    return len(lines)


def big_fleet(tmp):
    """BIG_HOSTS copies of the fixture host, and its signature with a 70 KB title and
    remediation. Returns (patterns dir, fleet dir)."""
    pat = json.load(open("tests/fixtures/siem/patterns/escape.json"))
    sig = pat["signatures"][0]
    sig["title"] = "Huge title | " + "x" * 70_000
    sig["remediation"]["summary"] = "Huge summary = " + "\u00e9" * 30_000
    sig["remediation"]["steps"] = [f"step {i} " + "s" * 900 for i in range(30)]
    os.makedirs(f"{tmp}/patterns")
    json.dump(pat, open(f"{tmp}/patterns/big.json", "w"))
    for i in range(BIG_HOSTS):
        shutil.copytree("tests/fixtures/siem/fleet/win-esc02", f"{tmp}/fleet/big-{i:03d}")
    return f"{tmp}/patterns", f"{tmp}/fleet"


def long_template_fleet(tmp):
    """Two unclassified hosts whose novel failure line holds 12,000 words. Returns the folder."""
    with open("corpus/rhel-db02/var/log/ua_install.log", encoding="utf-8") as f:
        base = f.read()
    words = " ".join(f"w{i}" for i in range(12000))
    for n in (1, 2):
        novel = f"Secure Boot refused the module: {words} (error -{n})"
        os.makedirs(f"{tmp}/long/long-{n}/var/log")
        with open(f"{tmp}/long/long-{n}/var/log/ua_install.log", "w", encoding="utf-8") as f:
            f.write(su.unclassified_fleet.KERNEL_LINE.sub(lambda m: f"{m.group(1)} : {novel}",
                                                          base))
    return f"{tmp}/long"


def main():
    asrlog, src = sys.argv[1], sys.argv[2]
    os.chdir(src)
    rep = su.report(asrlog)
    su.nasty_hosts_present(rep)
    out, window = su.scan(asrlog, "sentinel")
    check_output(out, rep, window, expect_cut=False)

    tmp = tempfile.mkdtemp(prefix="asrlog-sentinel-")
    try:
        patterns, fleet = big_fleet(tmp)
        rc, raw, err = su.run(asrlog, ["scan", "-q", "--format", "json", "--patterns", patterns,
                                       fleet], 1)
        big_rep = json.loads(raw)
        before = su.now_ms()
        rc, out, err = su.run(asrlog, ["scan", "-q", "--format", "sentinel", "--patterns",
                                       patterns, fleet], 1)
        n = check_output(out, big_rep, (before, su.now_ms()), expect_cut=True)
        if n < 2:
            su.fail(f"{BIG_HOSTS} hosts of ~64 KB should need several bodies, got {n}")
        long_args = ["--max-evidence-line", "1M", long_template_fleet(tmp)]
        rc, raw, err = su.run(asrlog, ["scan", "-q", "--format", "json"] + long_args, 1)
        long_rep = json.loads(raw)
        if len(long_rep["unclassified"]) != 1 or len(long_rep["unclassified"][0]["template"]) \
                <= MAX_FIELD:
            su.fail("the long fleet should give one template longer than 64 KB")
        before = su.now_ms()
        rc, out, err = su.run(asrlog, ["scan", "-q", "--format", "sentinel"] + long_args, 1)
        check_output(out, long_rep, (before, su.now_ms()), expect_cut=True)
        if b'"EventType":"UnclassifiedFailureTemplate"' not in out:
            su.fail("no template record for the long fleet")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"sentinel: {len(rep['hosts'])} host and {len(rep['unclassified'])} template records "
          f"checked against ASIM and the report; {BIG_HOSTS} oversized records split into {n} "
          f"bodies within 1 MB / 64 KB; an 80 KB template cut to fit")


if __name__ == "__main__":
    main()
