#!/usr/bin/env bash
# Golden reports for the bundled corpus.
#  1. expected.tsv: every sample host's outcome and root-cause signature (reviewed by hand).
#  2. corpus.json: the whole JSON report, minus the catalogue hash and signature count, so
#     any change in evidence, attempts or findings shows up as a diff to review.
# Regenerate corpus.json (then review the diff!) with: UPDATE=1 tests/golden/check.sh ASRLOG SRC
# usage: check.sh ASRLOG SOURCE_DIR
set -u
ASRLOG=$1
cd "$2" || exit 2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
"$ASRLOG" scan --format json corpus > "$TMP/raw.json"
rc=$?
if [ "$rc" -ne 1 ]; then
    echo "FAIL: asrlog scan corpus exited $rc (expected 1: failed hosts present)"
    exit 1
fi
python3 - "$TMP/raw.json" "$TMP/norm.json" tests/golden/expected.tsv <<'PY' || exit 1
import json, sys
raw, norm, exp = sys.argv[1:4]
d = json.load(open(raw))
d.pop("catalog_hash", None)
d.pop("signatures", None)
json.dump(d, open(norm, "w"), indent=2, ensure_ascii=False, sort_keys=False)
open(norm, "a").write("\n")
hosts = {h["host"]: h for h in d["hosts"]}
want = []
for line in open(exp, encoding="utf-8"):
    if not line.strip() or line.startswith("#"):
        continue
    host, outcome, root = line.rstrip("\n").split("\t")[:3]
    want.append((host, outcome, None if root == "-" else root))
bad = 0
for host, outcome, root in want:
    h = hosts.get(host)
    if not h:
        print(f"FAIL {host}: not in the report (hosts: {sorted(hosts)})"); bad += 1; continue
    got_root = h["root_cause"]["signature"] if h["root_cause"] else None
    if h["outcome"] != outcome or got_root != root:
        print(f"FAIL {host}: {h['outcome']} / {got_root}, expected {outcome} / {root}"); bad += 1
extra = set(hosts) - {w[0] for w in want}
if extra:
    print(f"FAIL hosts not in expected.tsv: {sorted(extra)}"); bad += 1
print(f"expected.tsv: {len(want) - bad} passed, {bad} failed")
sys.exit(1 if bad else 0)
PY
if [ "${UPDATE:-0}" = 1 ]; then
    cp "$TMP/norm.json" tests/golden/corpus.json
    echo "updated tests/golden/corpus.json: review it with git diff"
fi
if ! diff -u tests/golden/corpus.json "$TMP/norm.json" > "$TMP/diff"; then
    head -80 "$TMP/diff"
    echo "FAIL: the report differs from tests/golden/corpus.json (see diff above)"
    exit 1
fi
echo "golden corpus.json: 1 passed, 0 failed"
