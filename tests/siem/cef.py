"""A CEF parser that honours the escaping rules (siem.md), and the model of what asrlog puts in
each CEF field, used by the CEF tests.

Header: `CEF:Version|Vendor|Product|DeviceVersion|SignatureID|Name|Severity|Extension`, with
`\\|` and `\\\\` the only escapes. Extension: space-separated `key=value`; in values `\\=`,
`\\\\`, `\\n`, `\\r` are the only escapes, so an unescaped `=` always ends a key, and the value
before it ends at the last unescaped space.
"""
import re

KEY = re.compile(r"^[A-Za-z0-9_]+$")
HEADER_NAMES = ["version", "vendor", "product", "device_version", "signature_id", "name",
                "severity"]


class CEFError(ValueError):
    pass


def parse(line):
    """Parses one CEF line into (header dict, [(key, value)] in order). Raises CEFError."""
    if not line.startswith("CEF:"):
        raise CEFError("does not start with CEF:")
    header, cur, i = [], [], 4
    while len(header) < 7:
        if i >= len(line):
            raise CEFError(f"only {len(header)} header fields")
        c = line[i]
        if c == "\\":
            if i + 1 >= len(line) or line[i + 1] not in "\\|":
                raise CEFError(f"bad header escape at {i}")
            cur.append(line[i + 1])
            i += 2
        elif c == "|":
            header.append("".join(cur))
            cur, i = [], i + 1
        else:
            if c in "\r\n":
                raise CEFError("raw newline in the header")
            cur.append(c)
            i += 1
    return dict(zip(HEADER_NAMES, header)), parse_extension(line[i:])


def parse_extension(ext):
    """The key=value pairs of an extension, unescaped, in order."""
    pairs = []
    # one token per character: (unescaped text, True when it came from a raw space)
    key, val, i = None, [], 0
    m = re.match(r"([A-Za-z0-9_]+)=", ext)
    if not ext:
        return pairs
    if not m:
        raise CEFError(f"extension does not start with key=: {ext[:40]!r}")
    key, i = m.group(1), m.end()
    while i < len(ext):
        c = ext[i]
        if c == "\\":
            nxt = ext[i + 1] if i + 1 < len(ext) else ""
            rep = {"\\": "\\", "=": "=", "n": "\n", "r": "\r"}.get(nxt)
            if rep is None:
                raise CEFError(f"bad value escape \\{nxt} in {key}")
            val.append((rep, False))
            i += 2
        elif c == "=":
            # the new key is the text after the last raw space of what was read
            cut = max((k for k, (_, raw) in enumerate(val) if raw), default=None)
            if cut is None:
                raise CEFError(f"unescaped = inside the value of {key}")
            new_key = "".join(ch for ch, _ in val[cut + 1:])
            if not KEY.match(new_key):
                raise CEFError(f"bad key {new_key!r} (an unescaped = in the value of {key}?)")
            pairs.append((key, "".join(ch for ch, _ in val[:cut])))
            key, val = new_key, []
            i += 1
        elif c in "\r\n":
            raise CEFError(f"raw newline in the value of {key}")
        else:
            val.append((c, c == " "))
            i += 1
    pairs.append((key, "".join(ch for ch, _ in val)))
    return pairs


# ---- what asrlog writes (README.md, "SIEM output") ---------------------------------------------

EDGE = " \t\r\n"


def clean(value, limit, header):
    """The documented field transformation: trim edge white space, keep at most `limit` bytes
    (whole characters), trim again; tab -> space, other control characters -> U+FFFD; in the
    header CR and LF -> space too (escapes are undone by the parser, so they do not show)."""
    v = value.strip(EDGE)
    b = v.encode("utf-8")
    if len(b) > limit:
        v = b[:limit].decode("utf-8", "ignore")
    v = v.rstrip(EDGE)
    out = []
    for ch in v:
        if ch == "\t" or (header and ch in "\r\n"):
            out.append(" ")
        elif (ord(ch) < 0x20 and ch not in "\r\n") or ord(ch) == 0x7F:
            out.append("\ufffd")
        else:
            out.append(ch)
    return "".join(out)


def expected(host, rep, event_ms):
    """(header dict, {key: value}) asrlog must send for a host of the report; `event_ms` is the
    event time (checked separately, as it can be the scan time)."""
    import siem_util as su
    rc = host.get("root_cause")
    outcome = host["outcome"]
    header = {
        "version": "0", "vendor": "asrlog", "product": "asrlog",
        "device_version": rep["asrlog_version"],
        "signature_id": clean(rc["signature"] if rc else f"asrlog.outcome.{outcome}", 1023, True),
        "name": clean(rc["title"] if rc else f"Mobility Service installation {outcome}", 512,
                      True),
        "severity": str(su.SEVERITY[su.severity_key(host)][0]),
    }
    ext = {"rt": str(event_ms), "dhost": host["host"], "outcome": su.outcome_ecs(outcome),
           "msg": clean(su.message(host), 1023, False), "cs6Label": "asrlogOutcome",
           "cs6": outcome}
    ip = su.first_ip(host, True)
    if ip:
        ext["dst"] = ip
    if rc:
        ev = su.deciding_evidence(host)
        ext["cat"] = rc["family"]
        if ev:
            ext.update({"filePath": clean(ev["file"], 1023, False), "cn2Label": "EvidenceLine",
                        "cn2": str(ev["line"]), "cs3Label": "Evidence",
                        "cs3": clean(ev["text"], 4000, False)})
        if isinstance(rc.get("exit_code"), int):
            ext.update({"cn1Label": "ExitCode", "cn1": str(rc["exit_code"])})
        custom = [(1, "ErrorID", ",".join(str(x) for x in rc.get("error_ids") or [])),
                  (2, "HRESULT", rc.get("hresult") or ""),
                  (4, "Remediation", su.remediation_text(rc.get("remediation"))),
                  (5, "EPCode", ",".join(rc.get("ep_codes") or []))]
        for n, label, value in custom:
            value = clean(value, 4000, False)
            if value:
                ext.update({f"cs{n}Label": label, f"cs{n}": value})
    return header, {k: v for k, v in ext.items() if v != ""}


def expected_template(tpl, rep, event_ms):
    """(header dict, {key: value}) asrlog must send for an entry of the report's "unclassified"
    array; `event_ms` is the scan time (checked separately)."""
    import siem_util as su
    header = {
        "version": "0", "vendor": "asrlog", "product": "asrlog",
        "device_version": rep["asrlog_version"], "signature_id": clean(tpl["id"], 1023, True),
        "name": su.TEMPLATE_NAME, "severity": str(su.SEVERITY[su.TEMPLATE_SEVERITY][0]),
    }
    ext = {"rt": str(event_ms), "cat": "unclassified", "msg": clean(tpl["template"], 1023, False),
           "cnt": str(tpl["count"]), "cn1Label": "FailedHosts", "cn1": str(tpl["failed_hosts"]),
           "cn3Label": "Score", "cn3": str(tpl["score"]),
           "cs1Label": "Hosts", "cs1": clean(",".join(tpl["hosts"]), 4000, False),
           "cs2Label": "LogTypes", "cs2": ",".join(tpl["log_types"]),
           "cs4Label": "Remediation",
           "cs4": f"asrlog signatures new --from-template {tpl['id']} --report report.json",
           "cs5Label": "OtherHosts", "cs5": str(tpl["other_hosts"])}
    if tpl["examples"]:
        ex = tpl["examples"][0]
        ext.update({"filePath": clean(ex["file"], 1023, False), "cn2Label": "ExampleLine",
                    "cn2": str(ex["line"]), "cs3Label": "Example",
                    "cs3": clean(ex["text"], 4000, False)})
    return header, {k: v for k, v in ext.items() if v != ""}
