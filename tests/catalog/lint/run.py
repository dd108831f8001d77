#!/usr/bin/env python3
"""run.py — `asrlog signatures lint`, case by case (ctest catalog.lint).

usage: run.py ASRLOG SOURCE_DIR

Every folder beside this script is one case: a small user patterns folder (*.json) and
expected.txt, whose first line is "# exit N" and whose other lines are the exact text output
of `asrlog signatures lint --patterns CASE`, run from this folder (so paths are relative). A
case without *.json files is linted without --patterns: the built-in catalogue alone.

Beyond the cases:
  - together the cases produce every finding code (a kind of problem nobody tests fails);
  - --format json of every case says the same as its text: same findings, same counts, the
    documented keys, exit 1 exactly when there is an error;
  - a folder that cannot be read is exit 3, a bad format or option exit 2, --help exit 0;
  - --patterns override/ changes a verdict end to end: SQL01's root cause is
    win.vss.hresult.complus_msdtc with the built-in catalogue, and no longer is once the user
    file replaces that signature with a lower specificity;
  - the two ways lint finds the built-in signatures agree: their database read from the cache
    (a private --cache-dir, used by every other run here) and everything compiled
    (--no-cache), on override/, ambiguous/ and many-errors/ together.
UPDATE=1 rewrites expected.txt from the current output (review the diff before committing).
Prints one line per problem and "N passed, N failed"; exits 1 when anything failed.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CODES = {"invalid-json", "schema", "duplicate-id", "override", "example-fails", "hs-compile",
         "pcre2-compile", "ambiguous"}
KEYS = {"file", "line", "column", "severity", "ids", "code", "message"}


def run(args, cwd=HERE):
    """Runs asrlog with `args`; returns (exit code, stdout, stderr)."""
    p = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


CACHE = ["--no-cache"]  # replaced by --cache-dir TMP in main()


def lint_args(asrlog, case, fmt="text"):
    """The lint command line for a case folder."""
    args = [asrlog, "signatures", "lint", *CACHE, "--format", fmt]
    if any(n.endswith(".json") for n in os.listdir(os.path.join(HERE, case))):
        args += ["--patterns", case]
    return args


def text_of(doc):
    """The text output that `doc` (the --format json output) stands for."""
    lines = []
    for f in doc["findings"]:
        where = f"{f['file']}:{f['line']}:{f['column']}" if f["line"] > 0 else f["file"]
        ids = f" [{', '.join(f['ids'])}]" if f["ids"] else ""
        lines.append(f"{where}: {f['severity']}: {f['message']}{ids}")

    def count(n, what):
        return f"{n} {what}{'' if n == 1 else 's'}"
    lines.append(f"{count(doc['errors'], 'error')}, {count(doc['warnings'], 'warning')}, "
                 f"{count(doc['notes'], 'note')}")
    return "\n".join(lines) + "\n"


class Checker:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, ok, name, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL {name}" + (f": {detail}" if detail else ""))
        return ok


def check_case(c, asrlog, case, codes_seen):
    """The text output and exit code of one case, then its JSON output."""
    path = os.path.join(HERE, case, "expected.txt")
    rc, out, err = run(lint_args(asrlog, case))
    if os.environ.get("UPDATE"):
        with open(path, "w", encoding="utf-8") as f:
            f.write(f"# exit {rc}\n{out}")
    with open(path, encoding="utf-8") as f:
        first, _, want = f.read().partition("\n")
    want_rc = int(first.split()[-1])
    c.check(rc == want_rc, f"{case}: exit", f"{rc}, expected {want_rc}")
    c.check(err == "", f"{case}: standard error is empty", err.strip())
    if not c.check(out == want, f"{case}: output", "differs from expected.txt"):
        for a, b in zip(out.splitlines() + [""] * 50, want.splitlines()):
            if a != b:
                print(f"  got:      {a}\n  expected: {b}")
                break
    jrc, jout, _ = run(lint_args(asrlog, case, "json"))
    try:
        doc = json.loads(jout)
    except ValueError as e:
        c.check(False, f"{case}: --format json is JSON", str(e))
        return
    c.check(jrc == rc, f"{case}: --format json exit", f"{jrc}, text gave {rc}")
    c.check(text_of(doc) == out, f"{case}: --format json says what the text says")
    for f in doc["findings"]:
        codes_seen.add(f["code"])
        c.check(set(f) == KEYS, f"{case}: finding keys", str(sorted(f)))
        c.check(f["severity"] in ("error", "warning", "note"), f"{case}: severity",
                f["severity"])
    n = {s: sum(f["severity"] == s for f in doc["findings"]) for s in ("error", "warning", "note")}
    c.check((doc["errors"], doc["warnings"], doc["notes"]) == (n["error"], n["warning"], n["note"]),
            f"{case}: counts match the findings")
    c.check((rc == 1) == (doc["errors"] > 0), f"{case}: exit 1 exactly when there are errors")


def root_cause(asrlog, src, extra):
    """Root cause signature of SQL01 and the specificity its complus_msdtc finding carries."""
    rc, out, err = run([asrlog, "scan", *CACHE, "--format", "json", *extra,
                        os.path.join(src, "corpus", "SQL01")])
    doc = json.loads(out)
    host = doc["hosts"][0]
    spec = [f.get("specificity") for f in host["findings"]
            if f.get("signature") == "win.vss.hresult.complus_msdtc"]
    return host["root_cause"]["signature"], spec


def main():
    if len(sys.argv) != 3:
        print("usage: run.py ASRLOG SOURCE_DIR", file=sys.stderr)
        return 2
    asrlog, src = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    cache = tempfile.mkdtemp(prefix="asrlog-lint-")
    CACHE[:] = ["--cache-dir", cache]
    try:
        return run_all(asrlog, src)
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def run_all(asrlog, src):
    """Every check; returns the exit status."""
    c = Checker()
    cases = sorted(d for d in os.listdir(HERE) if os.path.isdir(os.path.join(HERE, d)))
    codes_seen = set()
    for case in cases:
        check_case(c, asrlog, case, codes_seen)
    c.check(CODES <= codes_seen, "every finding code has a case",
            f"missing: {sorted(CODES - codes_seen)}")

    rc, out, err = run([asrlog, "signatures", "lint", "--patterns", "no-such-folder"])
    c.check(rc == 3 and "--patterns no-such-folder: No such file" in err,
            "unreadable folder is exit 3", f"exit {rc}: {err.strip()}")
    rc, out, err = run([asrlog, "signatures", "lint", "--format", "xml"])
    c.check(rc == 2 and "unknown format 'xml'" in err, "bad format is exit 2", f"exit {rc}")
    rc, out, err = run([asrlog, "signatures", "lint", "--bogus"])
    c.check(rc == 2 and "unknown option '--bogus'" in err, "bad option is exit 2", f"exit {rc}")
    rc, out, err = run([asrlog, "signatures", "lint", "--help"])
    c.check(rc == 0 and out.startswith("usage: asrlog signatures lint"), "--help", f"exit {rc}")

    builtin = root_cause(asrlog, src, [])
    c.check(builtin == ("win.vss.hresult.complus_msdtc", [94]),
            "SQL01 with the built-in catalogue", str(builtin))
    replaced = root_cause(asrlog, src, ["--patterns", os.path.join(HERE, "override")])
    c.check(replaced[0] != "win.vss.hresult.complus_msdtc" and replaced[1] == [82],
            "SQL01 with override/: another root cause, the user signature's specificity",
            str(replaced))

    together = ["--patterns", "override", "--patterns", "ambiguous", "--patterns", "many-errors"]
    cached = run([asrlog, "signatures", "lint", *CACHE, *together])
    compiled = run([asrlog, "signatures", "lint", "--no-cache", *together])
    c.check(cached == compiled and cached[0] == 1 and "note:" in cached[1]
            and "warning:" in cached[1], "cached and compiled built-in database agree",
            f"{cached[1]}\n---\n{compiled[1]}")

    print(f"{c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
