#!/usr/bin/env python3
"""Every ErrorID, HRESULT, exit code and errors-JSON name listed in required.txt must be
carried by at least one failure/warning signature of the catalogue, with remediation."""
import json, subprocess, sys

asrlog, required = sys.argv[1], sys.argv[2]
sigs = json.loads(subprocess.run([asrlog, "signatures", "--format", "json"], check=True,
                                 capture_output=True, text=True).stdout)
have = {"error_id": set(), "exit_code": set(), "hresult": set(), "error_name": set()}
key = {"error_id": "error_ids", "exit_code": "exit_codes", "hresult": "hresults",
       "error_name": "error_names"}
for s in sigs:
    if s["effect"] not in ("failure", "warning") or not s.get("remediation"):
        continue
    for kind, k in key.items():
        for v in s.get(k, []):
            have[kind].add(str(v).upper() if kind == "hresult" else str(v))
missing, n = [], 0
for line in open(required, encoding="utf-8"):
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    kind, value = line.split(None, 1)
    n += 1
    if (value.upper() if kind == "hresult" else value) not in have[kind]:
        missing.append(line)
for m in missing:
    print("MISSING", m)
print(f"{n - len(missing)} passed, {len(missing)} failed")
sys.exit(1 if missing else 0)
