#!/usr/bin/env python3
"""The "Unclassified failures" section of the text report (`asrlog scan`, no --format), checked
against the JSON report of the same inputs.

1. The bundled corpus has no unclassified host: no section, and no "Generic finding:" or
   "Templates:" line in any host block.
2. Failed hosts no signature explains (tests/fixtures/unclassified_fleet.py, in a temporary
   folder): after the hosts, "Unclassified failures (N templates)", then per template its id,
   score, failed hosts and names, the template and its first example (file:line and text, control
   characters as '?'), and once the command that makes a signature of the first template. Each
   unclassified host's block names its generic finding and templates. With --color=always the
   heading and ids are bold and the example's place dim; without colour no escape code at all.
3. Many templates (build_many): the first 20 and "… and N more (see --format json)"; a template
   of 12 hosts names the first 5 and "… and 7 more".

usage: report_text.py ASRLOG SOURCE_DIR
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "fixtures"))
import unclassified_fleet  # noqa: E402

MAX_TEMPLATES = 20
MAX_HOSTS = 5
INTRO = ("  failure lines of failed hosts that no signature explains, grouped; the most "
         "particular to them first")

checks = {"passed": 0, "failed": 0}


def check(ok, what):
    if ok:
        checks["passed"] += 1
    else:
        checks["failed"] += 1
        print(f"FAIL {what}")
    return ok


def scan(asrlog, args, cwd):
    p = subprocess.run([asrlog, "scan", "--no-progress"] + args, cwd=cwd, capture_output=True,
                       timeout=120)
    if p.returncode not in (0, 1):
        raise AssertionError(f"asrlog scan {args}: exit {p.returncode}: {p.stderr!r}")
    return p.stdout.decode("utf-8")


def clean(s):
    """How the text report shows a text from the logs: control characters as '?'."""
    return "".join("?" if (ord(c) < 0x20 and c != "\t") or c == "\x7f" else c for c in s)


def expected_section(report):
    """The lines the section must have for `report` (without colour)."""
    tpls = report["unclassified"]
    lines = ["", f"Unclassified failures ({len(tpls)} template{'' if len(tpls) == 1 else 's'})",
             INTRO]
    for t in tpls[:MAX_TEMPLATES]:
        head = (f"  {t['id']}  score {t['score']}  {t['failed_hosts']} failed "
                f"host{'' if t['failed_hosts'] == 1 else 's'}")
        if t["other_hosts"]:
            head += f" (and {t['other_hosts']} other)"
        names = ", ".join(clean(h) for h in t["hosts"][:MAX_HOSTS])
        head += ": " + names
        if len(t["hosts"]) > MAX_HOSTS:
            head += f" … and {len(t['hosts']) - MAX_HOSTS} more"
        lines += [head, "    " + clean(t["template"])]
        if t["examples"]:
            e = t["examples"][0]
            lines.append(f"      {clean(e['file'])}:{e['line']}  {clean(e['text'])}")
    if len(tpls) > MAX_TEMPLATES:
        lines.append(f"  … and {len(tpls) - MAX_TEMPLATES} more (see --format json)")
    lines.append(f"  make a signature: asrlog signatures new --from-template {tpls[0]['id']} "
                 f"--report report.json")
    return lines


def section_of(text):
    """The lines from the blank line before "Unclassified failures" to the end of the section
    (the next blank line, or the end)."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("Unclassified failures"):
            end = i + 1
            while end < len(lines) and lines[end] != "":
                end += 1
            return lines[i - 1:end]
    return None


def check_fleet(name, asrlog, path, cwd):
    report = json.loads(scan(asrlog, ["--format", "json", path], cwd))
    text = scan(asrlog, ["--no-color", path], cwd)
    check("\033[" not in text, f"{name}: escape codes without colour")
    if not report["unclassified"]:
        check(section_of(text) is None, f"{name}: a section without templates")
        check("Generic finding:" not in text and "    Templates:" not in text,
              f"{name}: unclassified lines in a host block")
        return report
    got, want = section_of(text), expected_section(report)
    if not check(got == want, f"{name}: section differs"):
        for g, w in zip(got or [], want):
            if g != w:
                print(f"  got  {g!r}\n  want {w!r}")
                break
        else:
            print(f"  got {len(got or [])} lines, want {len(want)}")
    # each unclassified host's block: its generic finding and its templates
    blocks = text.split("\n\n")
    for h in report["hosts"]:
        rc = h["root_cause"] or {}
        if rc.get("signature") != "unclassified":
            continue
        block = next((b for b in blocks if b.startswith(f"FAILED   {h['host']} (")), "")
        want_ids = "    Templates: " + " ".join(rc["templates"]) + " (under Unclassified failures)"
        check(want_ids in block.split("\n"), f"{name}: {h['host']} lacks {want_ids!r}")
        if rc.get("generic"):
            g = rc["generic"]
            check(f"    Generic finding: {g['title']} ({g['signature']})" in block.split("\n"),
                  f"{name}: {h['host']} lacks its generic finding")
    colour = scan(asrlog, ["--color=always", path], cwd)
    check("\033[1mUnclassified failures\033[0m (" in colour, f"{name}: heading not bold")
    t0 = report["unclassified"][0]
    check(f"  \033[1m{t0['id']}\033[0m  score " in colour, f"{name}: template id not bold")
    e0 = t0["examples"][0]
    check(f"      \033[2m{e0['file']}:{e0['line']}\033[0m  " in colour,
          f"{name}: example place not dim")
    return report


def main():
    asrlog, src = sys.argv[1], os.path.abspath(sys.argv[2])
    tmp = tempfile.mkdtemp(prefix="asrlog-text-")
    try:
        check_fleet("corpus", asrlog, "corpus", src)
        fleet = unclassified_fleet.build(src, os.path.join(tmp, "fleet"))
        rep = check_fleet("unclassified", asrlog, fleet, src)
        check(len(rep["unclassified"]) == 3, f"unclassified: {len(rep['unclassified'])} templates")
        many = unclassified_fleet.build_many(src, os.path.join(tmp, "many"), 22, 12)
        rep = check_fleet("many", asrlog, many, src)
        check(len(rep["unclassified"]) > MAX_TEMPLATES and
              max(len(t["hosts"]) for t in rep["unclassified"]) > MAX_HOSTS,
              f"many: {len(rep['unclassified'])} templates, too few to test the limits")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"text report: {checks['passed']} passed, {checks['failed']} failed")
    return 1 if checks["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
