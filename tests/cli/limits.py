#!/usr/bin/env python3
"""The limits of `asrlog scan` (--max-evidence-line, --max-kept-hits, --max-decompressed):
what is kept shrinks, the counts stay exact, and what was read before a cut still counts.
Each case: options, then a check of the JSON report against the report without them.

usage: limits.py ASRLOG SOURCE_DIR
"""
import gzip
import json
import os
import subprocess
import sys
import tempfile


def scan(asrlog, *args):
    p = subprocess.run([asrlog, "scan", "-q", "--format", "json", *args], capture_output=True)
    if p.returncode not in (0, 1, 3):
        raise SystemExit(f"asrlog {' '.join(args)}: exit {p.returncode}: {p.stderr[-300:]!r}")
    return json.loads(p.stdout)


def evidence(doc):
    for h in doc["hosts"]:
        rc = h.get("root_cause") or {}
        for e in rc.get("evidence", []):
            yield h["host"], e
        for f in h.get("findings", []):
            yield h["host"], f["first"]


def counts(doc):
    return {(h["host"], f["signature"]): f["count"] for h in doc["hosts"] for f in h["findings"]}


def verdicts(doc):
    return {h["host"]: (h["outcome"], (h.get("root_cause") or {}).get("signature"))
            for h in doc["hosts"]}


def main():
    asrlog, src = sys.argv[1], sys.argv[2]
    corpus = os.path.join(src, "corpus")
    base = scan(asrlog, corpus)
    fails = []

    def check(cond, what):
        if not cond:
            fails.append(what)

    # 1. --max-evidence-line: every kept line fits, verdicts and counts do not change
    doc = scan(asrlog, "--max-evidence-line", "64", corpus)
    longest = max(len(e["text"].encode()) for _, e in evidence(doc))
    check(longest <= 64, f"--max-evidence-line 64 kept a line of {longest} bytes")
    check(max(len(e["text"].encode()) for _, e in evidence(base)) > 64,
          "the corpus has no evidence line longer than 64 bytes: the case tests nothing")
    check(verdicts(doc) == verdicts(base), "--max-evidence-line changed a verdict")
    check(counts(doc) == counts(base), "--max-evidence-line changed a count")

    # 2. --max-kept-hits: fewer evidence lines per signature, exact counts, same verdicts
    with tempfile.TemporaryDirectory() as tmp:
        host = os.path.join(tmp, "fleet", "LIM01", "ASRSetupLogs")
        os.makedirs(host)
        lines = ["#~> start"]
        for i in range(10):
            lines.append(f"09:08:{i:02d}:VSSProvider installation has failed with error code: "
                         f"{-2147164145}.")
        lines.append("09:08:57:Exit code returned by unified agent: 45(VSSProviderInstallationFailed)")
        with open(os.path.join(host, "ASRUnifiedAgentInstaller.log"), "w") as f:
            f.write("\n".join(lines) + "\n")
        fleet = os.path.join(tmp, "fleet")
        full, one = scan(asrlog, fleet), scan(asrlog, "--max-kept-hits", "1", fleet)
        check(verdicts(full) == verdicts(one), "--max-kept-hits 1 changed a verdict")
        check(counts(full) == counts(one), "--max-kept-hits 1 changed a count")
        check(any(c >= 10 for c in counts(one).values()),
              "a repeated failure line is not counted 10 times")
        ev = [e for h in one["hosts"] for e in (h.get("root_cause") or {}).get("evidence", [])]
        texts = [e["text"] for e in ev if "VSSProvider installation has failed" in e["text"]]
        check(len(texts) <= 1, f"--max-kept-hits 1 kept {len(texts)} lines of one signature")

        # 3. --max-decompressed: a gzip bomb with evidence before it; the input says why it
        #    stopped and the evidence read before the cut still decides
        bomb = os.path.join(tmp, "bomb", "BOMB01", "var", "log")
        os.makedirs(bomb)
        with gzip.open(os.path.join(bomb, "ua_install.log.gz"), "wb", compresslevel=1) as g:
            g.write(b"03/14/2023 10:22:41: Script initiated with the following command:\n")
            g.write(b"03/14/2023 10:22:45 : This version of mobility service doesn't support "
                    b"the operating system kernel version (5.14) running on the source "
                    b"machine. \n")
            g.write(b"03/14/2023 10:22:46 : Installer exiting with code: 99 \n")
            zeros = b"0" * (1 << 20)
            for _ in range(64):
                g.write(zeros)
        doc = scan(asrlog, "--max-decompressed", "1M", os.path.join(tmp, "bomb"))
        inp = [i for i in doc["inputs"] if i["path"].endswith("ua_install.log.gz")]
        check(len(inp) == 1 and "limit" in (inp[0]["reason"] or ""),
              f"the capped input does not say why: {inp}")
        check(verdicts(doc).get("BOMB01", ("", ""))[0] == "failed",
              f"evidence before the cut was lost: {verdicts(doc)}")

    # 4. bad values are usage errors
    for opt, val in (("--max-evidence-line", "10"), ("--max-kept-hits", "0"),
                     ("--max-decompressed", "lots")):
        p = subprocess.run([asrlog, "scan", opt, val, corpus], capture_output=True)
        check(p.returncode == 2 and opt.encode() in p.stderr, f"{opt} {val}: exit {p.returncode}")

    for f in fails:
        print("FAIL", f)
    print(f"limits: {len(fails)} failed")
    sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
