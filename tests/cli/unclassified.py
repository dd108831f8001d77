#!/usr/bin/env python3
"""Unknown failures: unknown -> template -> user signature -> classified.

A fleet built here: three Linux hosts that fail with a message no signature knows (the same
message with other paths and numbers), one that fails for a known reason, two that succeed.
The three must be `failed` / `unclassified` with the generic exit-code finding, and share one
template that ranks first with the right count and hosts. `signatures new --from-template`
(from a report and from a scan) must give a signature that passes its own examples and, added
with --patterns, classifies exactly those hosts. The bundled corpus with one built-in signature
taken out must show its host as unclassified with the lost line as its top template, and leave
every other verdict as it was. Errors of `signatures new` are usage errors with a message.

usage: unclassified.py ASRLOG SOURCE_DIR
"""
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile

failures = []
KERNEL = ("This version of mobility service doesn't support the operating system kernel version")


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(asrlog, *args, cwd=None):
    return subprocess.run([asrlog, *args], capture_output=True, timeout=300, cwd=cwd)


def scan_json(asrlog, *args):
    p = run(asrlog, "scan", "-q", "--format", "json", *args)
    if p.returncode not in (0, 1):
        raise AssertionError(f"scan exit {p.returncode}: {p.stderr[-400:]!r}")
    return json.loads(p.stdout)


def build_fleet(src, root):
    """Three hosts with a novel failure line in place of the corpus host's kernel line."""
    with open(os.path.join(src, "corpus/rhel-db02/var/log/ua_install.log"), encoding="utf-8") as f:
        base = f.read().splitlines(keepends=True)
    novel = []
    for i in (1, 2, 3):
        host = f"lnx-sb0{i}"
        os.makedirs(os.path.join(root, host, "var/log"))
        lines = []
        for line in base:
            if KERNEL in line:
                stamp = line.split(" : ", 1)[0]
                line = (f"{stamp} : Secure Boot is enabled: the kernel refused to load the "
                        f"unsigned module /lib/modules/5.15.{i}-1.el7/involflt.ko (error -12{i})\n")
                novel.append(line.rstrip("\n"))
            lines.append(line)
        with open(os.path.join(root, host, "var/log/ua_install.log"), "w", encoding="utf-8") as f:
            f.writelines(lines)
    check(len(novel) == 3, "fleet: the kernel line was not found in the corpus log")
    for host, src_host in (("ok01", "rhel-web03"), ("ok02", "ubu-app05"), ("lvm01", "rhel-lvm07")):
        shutil.copytree(os.path.join(src, "corpus", src_host), os.path.join(root, host))
    return novel


def main():
    asrlog, src = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp(prefix="asrlog-unclassified-")
    try:
        fleet = os.path.join(tmp, "fleet")
        novel = build_fleet(src, fleet)
        round_trip(asrlog, tmp, fleet, novel)
        corpus_minus_one(asrlog, src, tmp)
    finally:
        shutil.rmtree(tmp)
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("unclassified: all checks passed")
    return 0


def round_trip(asrlog, tmp, fleet, novel):
    doc = scan_json(asrlog, fleet)
    hosts = {h["host"]: h for h in doc["hosts"]}
    sb = ["lnx-sb01", "lnx-sb02", "lnx-sb03"]
    for h in sb:
        rc = hosts[h]["root_cause"] or {}
        check(hosts[h]["outcome"] == "failed" and rc.get("signature") == "unclassified",
              f"{h}: {hosts[h]['outcome']} {rc.get('signature')}")
        # the generic findings are "prerequisites not met" and exit 99 (specificity 25 each):
        # the earlier line wins the tie; the exit code comes from the attempt
        check((rc.get("generic") or {}).get("signature") == "linux.prereq.generic_prereqs_not_met"
              and rc.get("exit_code") == 99, f"{h}: generic finding {rc.get('generic')} "
              f"exit {rc.get('exit_code')}")
        check(any("Secure Boot is enabled" in e["text"] for e in rc.get("evidence", [])),
              f"{h}: the novel line is not in the evidence")
    check(hosts["lvm01"]["root_cause"]["signature"] == "linux.boot.boot_on_lvm_multiple_disks",
          "lvm01 lost its known root cause")
    check(hosts["ok01"]["outcome"] == "succeeded" and hosts["ok02"]["outcome"] == "succeeded",
          "the succeeded hosts changed")
    tpls = doc["unclassified"]
    check(len(tpls) >= 1, "no template")
    if not tpls:
        return
    top = tpls[0]
    check("Secure Boot is enabled: the kernel refused to load the unsigned module <PATH>"
          in top["template"], f"top template: {top['template']}")
    check(top["hosts"] == sb and top["failed_hosts"] == 3 and top["count"] == 3 and
          top["score"] == 100 and top["other_hosts"] == 0, f"top template counts: {top}")
    check([e["text"] for e in top["examples"]] == novel, "top template examples")
    check(all(hosts[h]["root_cause"]["templates"][0] == top["id"] for h in sb),
          "the hosts' first template is not the top one")
    check(sum("Secure Boot" in t["template"] for t in tpls) == 1,
          "the novel line is in more than one template")
    # the same templates whatever the threads
    check(scan_json(asrlog, "--jobs", "3", fleet)["unclassified"] == tpls,
          "templates differ with --jobs 3")
    # template -> signature, from a report
    report = os.path.join(tmp, "report.json")
    with open(report, "w") as f:
        json.dump(doc, f)
    p = run(asrlog, "signatures", "new", "--from-template", top["id"], "--report", report)
    check(p.returncode == 0, f"signatures new: exit {p.returncode} {p.stderr!r}")
    skeleton = json.loads(p.stdout)
    sig = skeleton["signatures"][0]
    check(sig["effect"] == "failure" and sig["os"] == "linux" and
          sig["log_types"] == ["linux_install"] and sig["examples"]["match"] == novel,
          f"skeleton: {sig}")
    # … and from a scan: the same file
    p2 = run(asrlog, "signatures", "new", "--from-template", top["id"], fleet)
    check(p2.returncode == 0 and p2.stdout == p.stdout, "signatures new from a scan differs")
    pat = os.path.join(tmp, "mine")
    os.mkdir(pat)
    with open(os.path.join(pat, "secure-boot.json"), "wb") as f:
        f.write(p.stdout)
    t = run(asrlog, "signatures", "--test", "--patterns", pat)
    check(t.returncode == 0, f"signatures --test with the skeleton: {t.stdout[-300:]!r}")
    after = scan_json(asrlog, "--patterns", pat, fleet)
    ah = {h["host"]: h for h in after["hosts"]}
    for h in sb:
        check(ah[h]["root_cause"]["signature"] == sig["id"],
              f"{h} after --patterns: {ah[h]['root_cause']['signature']}")
    check(after["unclassified"] == [], f"templates left: {after['unclassified']}")
    for h in ("lvm01", "ok01", "ok02"):
        check(ah[h]["outcome"] == hosts[h]["outcome"] and
              ah[h]["root_cause"] == hosts[h]["root_cause"], f"{h} changed after --patterns")
    # usage errors
    for args, text in [
        (["signatures", "new", "--report", report], b"--from-template ID is needed"),
        (["signatures", "new", "--from-template", "tpl-00000000", "--report", report],
         b"no template tpl-00000000"),
        (["signatures", "new", "--from-template", top["id"]], b"give --report FILE or the PATHs"),
        (["signatures", "new", "--from-template", top["id"], "--report", pat + "/secure-boot.json",
          fleet], b"not both"),
    ]:
        p = run(asrlog, *args)
        check(p.returncode == 2 and text in p.stderr, f"{args[2:]}: exit {p.returncode} {p.stderr!r}")
    bad = os.path.join(tmp, "bad.json")
    with open(bad, "w") as f:
        f.write("{\n  oops\n")
    p = run(asrlog, "signatures", "new", "--from-template", top["id"], "--report", bad)
    check(p.returncode == 2 and f"{bad}:2:".encode() in p.stderr, f"bad report: {p.stderr!r}")


def corpus_minus_one(asrlog, src, tmp):
    """The corpus with linux.prereq.kernel_not_supported taken out (a user signature with its id
    that never matches): rhel-db02 becomes unclassified, its lost line is its top template."""
    with open(os.path.join(src, "patterns/linux_prereq.json")) as f:
        sig = next(s for s in json.load(f)["signatures"] if s["id"] == "linux.prereq.kernel_not_supported")
    gone = {"id": sig["id"], "title": sig["title"], "severity": "info", "effect": "context",
            "specificity": 0, "os": "linux", "match": "^asrlog test: this line never occurs$",
            "examples": {"match": ["asrlog test: this line never occurs"], "nomatch": ["x"]}}
    pat = os.path.join(tmp, "minus-one")
    os.mkdir(pat)
    with open(os.path.join(pat, "gone.json"), "w") as f:
        json.dump({"family": "test", "signatures": [gone]}, f)
    before = scan_json(asrlog, os.path.join(src, "corpus"))
    after = scan_json(asrlog, "--patterns", pat, os.path.join(src, "corpus"))
    b = {h["host"]: h for h in before["hosts"]}
    a = {h["host"]: h for h in after["hosts"]}
    check(before["unclassified"] == [], "the corpus has unclassified templates")
    rc = a["rhel-db02"]["root_cause"]
    check(a["rhel-db02"]["outcome"] == "failed" and rc["signature"] == "unclassified",
          f"rhel-db02 without its signature: {rc['signature']}")
    top = [t for t in after["unclassified"] if t["id"] == rc["templates"][0]]
    check(top and KERNEL in top[0]["template"] and top[0]["hosts"] == ["rhel-db02"],
          f"rhel-db02's top template: {top}")
    for h in b:
        if h != "rhel-db02":
            check(a[h]["outcome"] == b[h]["outcome"] and
                  (a[h]["root_cause"] or {}).get("signature") ==
                  (b[h]["root_cause"] or {}).get("signature"), f"{h} changed")


if __name__ == "__main__":
    sys.exit(main())
