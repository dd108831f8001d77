#!/usr/bin/env python3
"""Checks the outputs of tests/cli/redact.sh (see there for what and why).

usage: redact_check.py DIR FORMAT...
DIR holds plain.json (the unredacted JSON report), out.FORMAT (the redacted output of each
format) and map.FORMAT.json (the --redact-map of each run). Prints one line per problem and
exits 1 when there is any.
"""
import ipaddress
import json
import os
import re
import stat
import sys

problems = []


def problem(msg):
    problems.append(msg)
    print("  " + msg)


# Members whose text comes from the logs or the file system (the catalogue's titles and
# remediation are not searched: they are the same for everybody).
LOG_MEMBERS = {"path", "host", "aliases", "file", "text", "reason"}
FIELD_HOSTS = {"host", "vm_name", "ip", "cs_ip"}

IPV4 = re.compile(r"(?<![0-9.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}"
                  r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![0-9]|\.\d)")
IPV6_CANDIDATE = re.compile(r"(?<![0-9A-Za-z:.])[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")
MAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
WITH_USER = re.compile(r"with user (\S+)")
WIN_PASSPHRASE = re.compile(r"[A-Za-z]:\\[^\r\n\"]*?passphrase[^\s\\\"]*", re.I)
UNIX_PASSPHRASE = re.compile(r"(?<![\w.])/(?:[^/\s\"]+/)+[^/\s\"]*passphrase[^/\s\"]*", re.I)

# Addresses that name no machine and are documented as kept (unspecified, loopback, multicast
# and reserved space).
def interesting_ip(text):
    try:
        a = ipaddress.ip_address(text)
    except ValueError:
        return False
    if a.version == 4:
        first = int(str(a).split(".")[0])
        return first not in (0, 127) and first < 224
    return not (a.is_unspecified or a.is_loopback)


def walk(node, key=None):
    """Yields (member name, string) for every string of a JSON document."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from walk(v, k)
    elif isinstance(node, list):
        for v in node:
            yield from walk(v, key)
    elif isinstance(node, str):
        yield key, node


def add_account(originals, value):
    value = value.strip("\"'.,;:()")
    if "\\" in value:
        dom, user = value.rsplit("\\", 1)
        originals.update({dom, user})
    elif "@" in value and "." not in value.split("@", 1)[1]:
        originals.update(value.split("@", 1))
    else:
        originals.add(value)


def originals_of(plain, fields_too=True):
    """Every identifying value of the unredacted report, found independently of asrlog."""
    found = set()
    for h in plain["hosts"]:
        found.add(h["host"])
        found.update(h.get("aliases") or [])
        rc = h.get("root_cause") or {}
        for k, v in (rc.get("fields") or {}).items():
            if k in FIELD_HOSTS:
                found.add(v)
            elif k == "account":
                add_account(found, v)
            elif k == "share":
                found.add(v.lstrip("\\").split("\\")[0])
    for i in plain["inputs"]:
        if i.get("host"):
            found.add(i["host"])
    for key, s in walk(plain):
        if key not in LOG_MEMBERS and key not in {"account", "share"} | FIELD_HOSTS:
            continue
        found.update(m for m in IPV4.findall(s) if interesting_ip(m))
        for m in IPV6_CANDIDATE.findall(s):
            m = m.rstrip(".")
            if ":" in m and interesting_ip(m):
                found.add(m)
        found.update(MAIL.findall(s))
        for m in WITH_USER.findall(s):
            add_account(found, m)
        found.update(WIN_PASSPHRASE.findall(s))
        found.update(UNIX_PASSPHRASE.findall(s))
    return {v for v in found if v and len(v) >= 2}


def leak_pattern(value):
    return re.compile(r"(?<![A-Za-z0-9])" + re.escape(value) + r"(?![A-Za-z0-9])", re.I)


PSEUDONYM = re.compile(r"\b(?:host|user|domain|path)-[0-9a-f]{8}\b|\bmail-[0-9a-f]{8}@example\.invalid\b")


def restore(node, back):
    """The redacted document with every pseudonym replaced by its original."""
    if isinstance(node, dict):
        return {k: restore(v, back) for k, v in node.items()}
    if isinstance(node, list):
        return [restore(v, back) for v in node]
    if isinstance(node, str) and back:
        keys = sorted(back, key=len, reverse=True)
        rx = re.compile(r"(?<![0-9A-Za-z])(?:" + "|".join(map(re.escape, keys)) +
                        r")(?![0-9A-Za-z])")
        return rx.sub(lambda m: back[m.group(0)], node)
    return node


def verdicts(report):
    return [(h["outcome"], h["host_source"], h["os"],
             (h["root_cause"] or {}).get("signature"),
             [f["signature"] for f in h["findings"]],
             [(a["outcome"], a["exit_code"], a["line"]) for a in h["attempts"]])
            for h in report["hosts"]]


def main():
    d, formats = sys.argv[1], sys.argv[2:]
    plain = json.load(open(os.path.join(d, "plain.json")))
    maps = {f: json.load(open(os.path.join(d, "map.%s.json" % f))) for f in formats}
    first = maps[formats[0]]
    for f, m in maps.items():
        if m != first:
            problem("map of --format %s differs from the map of --format %s" % (f, formats[0]))
        mode = stat.S_IMODE(os.stat(os.path.join(d, "map.%s.json" % f)).st_mode)
        if mode != 0o600:
            problem("map of --format %s has mode %o, not 600" % (f, mode))
    names = first["pseudonyms"]
    originals = originals_of(plain)
    for p, e in names.items():
        originals.add(e["original"])
        originals.update(e["seen_as"])
    kinds = {e["kind"] for e in names.values()}
    for want in ("host", "ip", "user", "domain", "mail", "path"):
        if want not in kinds:
            problem("no %s was redacted: the inputs must contain one" % want)
    found_v6 = any(":" in e["original"] for e in names.values() if e["kind"] == "ip")
    if not found_v6:
        problem("no IPv6 address was redacted")
    print("  %d original values, %d pseudonyms, formats: %s" %
          (len(originals), len(names), " ".join(formats)))

    failed_hosts = None
    redacted = None
    for f in formats:
        text = open(os.path.join(d, "out." + f), encoding="utf-8").read()
        for v in sorted(originals):
            m = leak_pattern(v).search(text)
            if m:
                s = max(0, m.start() - 60)
                problem("--format %s leaks %r: ...%s..." % (f, v, text[s:m.end() + 40]))
        for p in set(PSEUDONYM.findall(text)):
            if p not in names:
                problem("--format %s shows %s, which the map does not list" % (f, p))
        if f == "json":
            redacted = json.loads(text)
            failed_hosts = [h["host"] for h in redacted["hosts"] if h["outcome"] == "failed"]
    if redacted is None:
        problem("no json format to compare verdicts with")
        return
    for f in formats:
        text = open(os.path.join(d, "out." + f), encoding="utf-8").read()
        missing = [h for h in failed_hosts if h not in text]
        if missing:
            problem("--format %s lacks the pseudonyms of failed hosts %s" % (f, missing[:5]))

    # the unclassified failure templates: there must be some, the same ones, and their hosts
    # are pseudonyms (their example lines were searched for leaks above, with the rest)
    if not plain.get("unclassified"):
        problem("the inputs must give unclassified failure templates")
    ids = [t["id"] for t in redacted.get("unclassified", [])]
    if ids != [t["id"] for t in plain.get("unclassified", [])]:
        problem("templates changed by --redact: %s" % ids)
    for t in redacted.get("unclassified", []):
        for h in t["hosts"] + [e["host"] for e in t["examples"]]:
            if h not in names:
                problem("template %s names host %r, which is not a pseudonym" % (t["id"], h))
        if any(t["id"] not in open(os.path.join(d, "out." + f), encoding="utf-8").read()
               for f in formats if f != "csv"):
            problem("template %s is missing from some format" % t["id"])

    if verdicts(redacted) != verdicts(plain):
        problem("verdicts changed by --redact")
    if redacted["summary"] != plain["summary"]:
        problem("summary changed by --redact")
    if [len(h["findings"]) for h in redacted["hosts"]] != [len(h["findings"]) for h in plain["hosts"]]:
        problem("findings changed by --redact")

    # the map round-trips: originals back in place give the unredacted report
    back = {p: e["original"] for p, e in names.items()}
    restored = restore(redacted, back)
    a = json.dumps(restored, sort_keys=True).lower()
    b = json.dumps(plain, sort_keys=True).lower()
    if a != b:
        for (ka, sa), (kb, sb) in zip(walk(restored), walk(plain)):
            if sa.lower() != sb.lower():
                problem("map does not round-trip: %r came back as %r" % (sb[:160], sa[:160]))
                break
        else:
            problem("map does not round-trip")
    # ECS host.ip holds the pseudonym addresses, which are valid addresses in reserved ranges
    if "ndjson" in formats:
        for line in open(os.path.join(d, "out.ndjson"), encoding="utf-8"):
            for ip in json.loads(line).get("host", {}).get("ip", []):
                a = ipaddress.ip_address(ip)
                ok = a in ipaddress.ip_network("240.0.0.0/4") if a.version == 4 else \
                    a in ipaddress.ip_network("2001:db8::/32")
                if not ok:
                    problem("ndjson host.ip %s is not a pseudonym address" % ip)


main()
sys.exit(1 if problems else 0)
