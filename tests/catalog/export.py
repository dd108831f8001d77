#!/usr/bin/env python3
"""`asrlog signatures --export` gives other tools the catalogue's own search: every `match`
example line of every signature must be found by GNU grep with the `ere` export and by
ripgrep with the `hs-regex` export, line by line, exactly as Hyperscan finds it.

usage: export.py ASRLOG
"""
import json
import os
import subprocess
import sys
import tempfile


def main():
    asrlog = sys.argv[1]
    sigs = json.loads(subprocess.run([asrlog, "signatures", "--format", "json"], check=True,
                                     capture_output=True).stdout)
    lines = []
    for s in sigs:
        for ex in s.get("examples", {}).get("match", []):
            if "\n" not in ex:
                lines.append((s["id"], ex))
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for fmt, tool in (("ere", ["grep", "-n", "-E", "-f"]), ("hs-regex", ["rg", "-n", "-f"])):
            pat = os.path.join(tmp, fmt + ".txt")
            with open(pat, "wb") as f:
                f.write(subprocess.run([asrlog, "signatures", "--export", fmt], check=True,
                                       capture_output=True).stdout)
            n = sum(1 for _ in open(pat, "rb"))
            if n != len(sigs):
                print(f"FAIL {fmt}: {n} expressions for {len(sigs)} signatures")
                failures += 1
            data = os.path.join(tmp, "examples.log")
            with open(data, "w", encoding="utf-8") as f:
                for _, ex in lines:
                    f.write(ex + "\n")
            out = subprocess.run(tool + [pat, data], capture_output=True)
            if out.returncode not in (0, 1):
                print(f"FAIL {fmt}: {tool[0]} exit {out.returncode}: {out.stderr[:300]!r}")
                failures += 1
                continue
            found = {int(l.split(b":", 1)[0]) for l in out.stdout.splitlines() if l}
            missed = [lines[i - 1] for i in range(1, len(lines) + 1) if i not in found]
            for sid, ex in missed[:10]:
                print(f"FAIL {fmt}: {tool[0]} misses an example of {sid}: {ex}")
            failures += len(missed)
            print(f"{fmt}: {tool[0]} found {len(found)}/{len(lines)} example lines")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
