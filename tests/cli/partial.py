#!/usr/bin/env python3
"""Sharding: `scan --list`, `scan --from-list`, `scan --partial` and `merge`.

Several shardings of the bundled corpus and of a second fleet (per-host folders plus a
configuration server's push-install logs) must merge into exactly the report one scan gives,
byte for byte, in every output format; including shards that cut one host's files apart,
one partial per input, shards scanned with several threads reading files in pieces, and
partials merged in any order. Damaged, foreign and repeated partials, bad lists and bad option
combinations give the documented exit codes and messages.

usage: partial.py ASRLOG SOURCE_DIR
"""
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

FORMATS = ["json", "text", "ndjson", "csv", "cef", "markdown", "html", "hec", "sentinel"]
failures = []


# Hosts whose logs carry no time get "now" as their event time: fixed, so runs compare.
ENV = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")


def run(asrlog, *args, stdin=None):
    return subprocess.run([asrlog, *args], capture_output=True, timeout=300, input=stdin,
                          env=ENV)


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def write_lines(path, lines):
    with open(path, "wb") as f:
        f.writelines(lines)


def shard_and_merge(asrlog, tmp, name, groups, scan_args=()):
    """Scans each group of list lines as one shard; returns merge's (rc, stdout) per format."""
    parts = []
    for k, lines in enumerate(groups):
        lst = os.path.join(tmp, f"{name}.{k}.list")
        part = os.path.join(tmp, f"{name}.{k}.part")
        write_lines(lst, lines)
        p = run(asrlog, "scan", "-q", "--from-list", lst, "--partial", part, *scan_args)
        check(p.returncode == 0 and p.stdout == b"",
              f"{name}: shard {k} exit {p.returncode} {p.stderr[-300:]!r}")
        parts.append(part)
    return parts


def merged(asrlog, parts, fmt):
    p = run(asrlog, "merge", "--format", fmt, "--no-color", *parts)
    return p.returncode, p.stdout, p.stderr


def hosts_of(lines):
    return {json.loads(l).get("folder_host") for l in lines}


def check_fleet(asrlog, tmp, label, paths):
    full = {}
    for fmt in FORMATS:
        p = run(asrlog, "scan", "-q", "--format", fmt, "--no-color", *paths)
        full[fmt] = (p.returncode, p.stdout)
    listed = run(asrlog, "scan", "--list", *paths)
    check(listed.returncode == 0, f"{label}: --list exit {listed.returncode}")
    lines = listed.stdout.splitlines(keepends=True)
    doc = json.loads(full["json"][1])
    check(len(lines) == len(doc["inputs"]),
          f"{label}: --list gives {len(lines)} lines, the scan {len(doc['inputs'])} inputs")
    rng = random.Random(7)
    shuffled = lines[:]
    rng.shuffle(shuffled)
    n = len(lines)
    shardings = {
        "one": ([lines], ()),
        "thirds": ([lines[: n // 3], lines[n // 3: 2 * n // 3], lines[2 * n // 3:]], ()),
        "per-input": ([[l] for l in lines], ()),
        "round-robin": ([lines[k::4] for k in range(4)], ()),
        "shuffled-threads": ([shuffled[: n // 2], shuffled[n // 2:]],
                             ("--jobs", "3", "--split-size", "4K")),
    }
    # the thirds must cut at least one host's files apart, or the test proves less
    cut = [hosts_of(g) for g in shardings["thirds"][0]]
    if label == "corpus":
        check(any(cut[a] & cut[b] - {None} for a in range(3) for b in range(a + 1, 3)),
              f"{label}: no host has files in two of the thirds")
    for name, (groups, args) in shardings.items():
        if label != "corpus" and name not in ("thirds", "per-input"):
            continue  # the second fleet adds push-free Windows/Linux/portal inputs, not cases
        parts = shard_and_merge(asrlog, tmp, f"{label}-{name}", groups, args)
        for order in ("given", "reversed"):
            ps = parts if order == "given" else parts[::-1]
            every = name == "thirds" and order == "given"  # every format once
            for fmt in FORMATS if every else ["json"]:
                rc, out, err = merged(asrlog, ps, fmt)
                check((rc, out) == full[fmt],
                      f"{label}: sharding {name} ({order}) --format {fmt}: merge differs from "
                      f"the scan (exit {rc} vs {full[fmt][0]}) {err[-300:]!r}")
    return lines, doc


def main():
    asrlog, src = sys.argv[1], sys.argv[2]
    os.chdir(src)  # paths in the reports are relative, as users give them
    tmp = tempfile.mkdtemp(prefix="asrlog-partial-")
    try:
        lines, doc = check_fleet(asrlog, tmp, "corpus", ["corpus"])
        check(len(doc["hosts"]) >= 20, "corpus: fewer hosts than expected")
        check_fleet(asrlog, tmp, "siem-fleet", ["tests/fixtures/siem/fleet"])
        errors(asrlog, tmp, lines)
    finally:
        shutil.rmtree(tmp)
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("partial/merge: all checks passed")
    return 0


def errors(asrlog, tmp, lines):
    part = os.path.join(tmp, "all.part")
    lst = os.path.join(tmp, "all.list")
    write_lines(lst, lines)
    check(run(asrlog, "scan", "-q", "--from-list", lst, "--partial", part).returncode == 0,
          "errors: the whole partial")
    full = run(asrlog, "scan", "-q", "--format", "json", "corpus")
    # the same partial twice: a warning, and the hits count twice
    rc, out, err = merged(asrlog, [part, part], "json")
    check(b"is in more than one partial result" in err, f"merge twice: no warning {err!r}")
    # a foreign catalogue: another --patterns at merge time
    pat = os.path.join(tmp, "patterns")
    os.mkdir(pat)
    with open(os.path.join(pat, "extra.json"), "w") as f:
        json.dump({"family": "test", "signatures": [{
            "id": "test.extra", "title": "Extra", "severity": "info",
            "effect": "context", "log_types": ["linux_install"], "os": "linux",
            "match": "partial test line", "specificity": 1,
            "remediation": {"summary": "none", "steps": ["none"]},
            "examples": {"match": ["partial test line"], "nomatch": ["other"]}}]}, f)
    p = run(asrlog, "merge", "--patterns", pat, part)
    check(p.returncode == 2 and b"another signature catalogue" in p.stderr,
          f"foreign catalogue: exit {p.returncode} {p.stderr!r}")
    # not a partial at all
    p = run(asrlog, "merge", lst)
    check(p.returncode == 2 and b"not an asrlog partial result" in p.stderr,
          f"a list given to merge: exit {p.returncode} {p.stderr!r}")
    p = run(asrlog, "merge", os.path.join(tmp, "missing.part"))
    check(p.returncode == 2 and b"missing.part" in p.stderr, f"missing partial: {p.stderr!r}")
    # cut short: the inputs before count, the partial is listed as unreadable, exit 3
    with open(part, "rb") as f:
        body = f.read().splitlines(keepends=True)
    cut = os.path.join(tmp, "cut.part")
    write_lines(cut, body[:-4])
    rc, out, err = merged(asrlog, [cut], "json")
    check(rc == 3, f"cut partial: exit {rc} {err!r}")
    if rc == 3:
        d = json.loads(out)
        listed = [i for i in d["inputs"] if i["path"] == cut]
        check(listed and listed[0]["status"] == "unreadable" and "cut short" in listed[0]["reason"],
              f"cut partial not listed with its reason: {listed}")
        check(len(d["inputs"]) == len(body) - 2 - 3 + 1, "cut partial: inputs before the cut")
    # a damaged line in the middle: named by file and line
    bad = os.path.join(tmp, "bad.part")
    write_lines(bad, body[:3] + [b'{"input": {"path": 1}}\n'] + body[3:])
    rc, out, err = merged(asrlog, [bad], "json")
    check(rc == 3 and b"line 4: " in out, f"damaged line: exit {rc}")
    # option combinations
    for args, text in [
        (["scan", "--partial", part, "--format", "json", "corpus"], b"give --format"),
        (["scan", "--from-list", lst, "corpus"], b"give no PATH"),
        (["scan", "--list", "--partial", part, "corpus"], b"--list only lists"),
        (["scan", "--list", "-"], b"standard input"),
        (["merge"], b"no PARTIAL"),
    ]:
        p = run(asrlog, *args)
        check(p.returncode == 2 and text in p.stderr, f"{args}: exit {p.returncode} {p.stderr!r}")
    badlist = os.path.join(tmp, "bad.list")
    write_lines(badlist, [lines[0], b"not json\n"])
    p = run(asrlog, "scan", "--from-list", badlist, "--partial", part)
    check(p.returncode == 2 and f"{badlist}:2:".encode() in p.stderr,
          f"bad list line: exit {p.returncode} {p.stderr!r}")
    # names that are not UTF-8 go through a list and back; a file gone since the listing is
    # listed as unreadable
    odd = os.path.join(tmp, "fleet")
    os.makedirs(os.path.join(odd.encode(), b"H\xe9\xff", b"var", b"log"))
    shutil.copy(first_linux_log(),
                os.path.join(odd.encode(), b"H\xe9\xff", b"var", b"log", b"ua_install.log"))
    open(os.path.join(odd, "gone_ua_install.log"), "w").write("x\n")
    p = run(asrlog, "scan", "--list", odd)
    check(b'"path_hex"' in p.stdout, f"non-UTF-8 name: no path_hex in {p.stdout!r}")
    os.remove(os.path.join(odd, "gone_ua_install.log"))
    p2 = run(asrlog, "scan", "-q", "--from-list", "-", "--partial", part, stdin=p.stdout)
    rc, out, err = merged(asrlog, [part], "json")
    check(p2.returncode == 0 and rc == 3, f"list with a gone file: exit {p2.returncode}, {rc}")
    if rc == 3:
        d = json.loads(out)
        st = sorted((i["status"], i["reason"] or "") for i in d["inputs"])
        check(st[0][0] == "analyzed" and st[1][0] == "unreadable" and "cannot access" in st[1][1],
              f"list with a gone file: {st}")
        check(any("\\xff" in (h["host"] or "") for h in d["hosts"]),
              f"non-UTF-8 host lost: {[h['host'] for h in d['hosts']]}")


def first_linux_log():
    for root, _, files in os.walk("corpus"):
        for f in files:
            if f == "ua_install.log":
                return os.path.join(root, f)
    raise AssertionError("no ua_install.log in corpus/")


if __name__ == "__main__":
    sys.exit(main())
