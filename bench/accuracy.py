#!/usr/bin/env python3
"""accuracy.py — score an asrlog JSON report against a labels file.

usage: accuracy.py REPORT.json LABELS.tsv [--quiet]

REPORT.json is the output of `asrlog scan --format json DIR`; LABELS.tsv is the file
asrlog-genfleet writes (one line per host: host<TAB>outcome<TAB>root_cause_signature, '-'
when the host has no root cause; lines starting with '#' are comments).

For every labelled host the report must give the same outcome and the same root-cause
signature id. Hosts the report names but the labels do not, and labelled hosts missing from
the report, are mismatches too. Host names compare case-insensitively (as asrlog does).
Prints the score and every mismatch; exits 0 only when every host is right, 1 otherwise,
2 on bad input.
"""
import json
import sys


def load_labels(path):
    """Returns {lower-case host: (host, outcome, signature)} from a labels file."""
    labels = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) < 3:
                raise ValueError(f"{path}:{n}: expected host<TAB>outcome<TAB>signature")
            host, outcome, sig = cols[0], cols[1], cols[2]
            key = host.lower()
            if key in labels:
                raise ValueError(f"{path}:{n}: host {host} is labelled twice")
            labels[key] = (host, outcome, sig)
    return labels


def load_report(path):
    """Returns {lower-case host: (host, outcome, signature or '-')} from an asrlog report."""
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    hosts = {}
    for h in doc.get("hosts", []):
        rc = h.get("root_cause")
        sig = rc.get("signature") if isinstance(rc, dict) else None
        hosts[h["host"].lower()] = (h["host"], h.get("outcome"), sig or "-")
    return hosts


def score(labels, report):
    """Compares the two maps; returns (outcome_ok, cause_ok, both_ok, total, mismatches)."""
    mismatches = []
    outcome_ok = cause_ok = both_ok = 0
    for key in sorted(labels):
        host, want_out, want_sig = labels[key]
        got = report.get(key)
        if got is None:
            mismatches.append(f"{host}: missing from the report (expected {want_out} {want_sig})")
            continue
        o = got[1] == want_out
        c = got[2] == want_sig
        outcome_ok += o
        cause_ok += c
        both_ok += o and c
        if not (o and c):
            mismatches.append(f"{host}: expected {want_out} {want_sig}, report says {got[1]} {got[2]}")
    extra = sorted(k for k in report if k not in labels)
    for key in extra:
        host, out, sig = report[key]
        mismatches.append(f"{host}: in the report ({out} {sig}) but not labelled")
    total = len(labels) + len(extra)
    return outcome_ok, cause_ok, both_ok, total, mismatches


def pct(n, d):
    return 100.0 * n / d if d else 100.0


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    quiet = "--quiet" in argv[1:]
    if len(args) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    try:
        labels = load_labels(args[1])
        report = load_report(args[0])
    except (OSError, ValueError, KeyError, json.JSONDecodeError) as e:
        print(f"accuracy.py: {e}", file=sys.stderr)
        return 2
    outcome_ok, cause_ok, both_ok, total, mismatches = score(labels, report)
    print(f"hosts correct: {both_ok}/{total} ({pct(both_ok, total):.2f}%)")
    print(f"outcome:       {outcome_ok}/{total} ({pct(outcome_ok, total):.2f}%)")
    print(f"root cause:    {cause_ok}/{total} ({pct(cause_ok, total):.2f}%)")
    if mismatches:
        print(f"mismatches ({len(mismatches)}):")
        for m in mismatches if not quiet else mismatches[:20]:
            print(f"  {m}")
    return 0 if not mismatches else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
