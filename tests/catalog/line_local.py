#!/usr/bin/env python3
"""line_local.py — every `match` expression of the catalogue stays within one line.

usage: line_local.py PATTERNS_DIR

Hyperscan scans whole blocks of lines, and a hit is reported on the line where the match ends.
An expression that can run over a newline would join lines: its hit would land on a later line
than the text it describes, and a file read in pieces (`--jobs`) would not see it when the
newline falls between two pieces. The catalogue compiles without the dot-all flag, so `.`
never crosses a line; what can is checked here:
  - a negated bracket expression that does not exclude the newline (`[^ ]` must be `[^ \\n]`);
  - \\s, \\D, \\W, \\v, \\R or \\n outside brackets (\\s matches a newline; use `[ \\t]`).
Prints one line per problem and "N passed, N failed"; exits 1 when any expression fails.
"""
import glob
import json
import os
import sys

CROSSING_ESCAPES = set("sDWvRn")


def problems_of(expr):
    """The reasons why `expr` may match across a newline (empty when it cannot)."""
    found = []
    i, n = 0, len(expr)
    while i < n:
        c = expr[i]
        if c == "\\" and i + 1 < n:
            if expr[i + 1] in CROSSING_ESCAPES:
                found.append(f"\\{expr[i + 1]} outside brackets at {i}")
            i += 2
            continue
        if c == "[":
            j = i + 1
            negated = j < n and expr[j] == "^"
            if negated:
                j += 1
            if j < n and expr[j] == "]":  # a leading ] is literal
                j += 1
            body_start = j
            while j < n and expr[j] != "]":
                j += 2 if expr[j] == "\\" else 1
            body = expr[body_start:j]
            if negated and not any(e in body for e in ("\\n", "\\s", "\\v", "\\R")):
                found.append(f"[^{body}] at {i} does not exclude \\n")
            i = j + 1
            continue
        i += 1
    return found


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().split("\n")[2], file=sys.stderr)
        return 2
    passed = failed = 0
    for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.json"))):
        with open(path, encoding="utf-8") as f:
            catalogue = json.load(f)
        for sig in catalogue["signatures"]:
            bad = problems_of(sig["match"])
            if bad:
                failed += 1
                print(f"FAIL {os.path.basename(path)}: {sig['id']}: {'; '.join(bad)}")
            else:
                passed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
