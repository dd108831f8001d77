#!/usr/bin/env bash
# --redact end to end. Scans the bundled corpus plus tests/fixtures/redact (IPv6, e-mail,
# DOMAIN\user, passphrase path) and failed hosts no signature explains, whose failure line
# names the host and an IPv4 address (tests/fixtures/unclassified_fleet.py, built in a temporary
# folder: the report has unclassified failure templates), in EVERY output format that
# `asrlog scan --help` lists on its `-f, --format` line, with one key file, and checks
# (tests/cli/redact_check.py):
#   - no original value (host names, aliases, addresses, accounts, domains, e-mail addresses,
#     passphrase paths — taken from the unredacted JSON report by member and by pattern, and
#     from the map) appears anywhere in any output;
#   - every pseudonym in any output is in the map, the map is the same for every format, and
#     the host pseudonyms of failed hosts appear in every format;
#   - the map round-trips: putting the originals back into the redacted JSON report gives the
#     unredacted one (ASCII case aside), and the map file is mode 0600;
#   - verdicts, outcomes, root causes, findings and the summary are unchanged.
# Then: the same key gives the same bytes, a random key other pseudonyms, and key/map file
# errors give their messages and exit codes.
# usage: redact.sh ASRLOG SOURCE_DIR
set -u
A=$1
SRC=$2
cd "$SRC" || exit 2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
python3 "$SRC/tests/fixtures/unclassified_fleet.py" "$SRC" "$TMP/unclassified" identity \
    secure_boot || exit 2
INPUTS="corpus tests/fixtures/redact $TMP/unclassified"
failn=0
fail() {
    echo "FAIL $*"
    failn=$((failn + 1))
}

formats=$("$A" scan --help | python3 -c '
import re, sys
for line in sys.stdin:
    m = re.match(r"\s*-f, --format FMT\s+(.*)", line)
    if m:
        names = [t.split()[0] for t in m.group(1).split(",") if t.split()]
        print(" ".join(n for n in names if re.fullmatch(r"[a-z0-9_-]+", n)))
        break')
for f in text json ndjson; do
    case " $formats " in
    *" $f "*) ;;
    *) fail "cannot read the formats from 'asrlog scan --help' (no $f): '$formats'" ;;
    esac
done
echo "formats: $formats"

printf 'asrlog redaction test key\n' >"$TMP/key"
"$A" scan --format json $INPUTS >"$TMP/plain.json"
[ $? -eq 1 ] || fail "unredacted scan: expected exit 1"
for f in $formats; do
    "$A" scan --redact-key-file "$TMP/key" --redact-map "$TMP/map.$f.json" --format "$f" \
        -o "$TMP/out.$f" $INPUTS 2>"$TMP/err.$f"
    rc=$?
    [ $rc -eq 1 ] || fail "--format $f --redact: exit $rc, expected 1: $(cat "$TMP/err.$f")"
    [ -s "$TMP/err.$f" ] && fail "--format $f --redact wrote to stderr: $(cat "$TMP/err.$f")"
done

python3 "$SRC/tests/cli/redact_check.py" "$TMP" $formats || fail "redact_check.py (above)"

# the same key gives the same bytes; without a key file every run has its own key
"$A" scan --redact-key-file "$TMP/key" --format json $INPUTS >"$TMP/again.json"
cmp -s "$TMP/again.json" "$TMP/out.json" || fail "same key, different redacted report"
"$A" scan --redact --format json corpus/SQL01 >"$TMP/r1.json"
"$A" scan --redact --format json corpus/SQL01 >"$TMP/r2.json"
python3 - "$TMP/r1.json" "$TMP/r2.json" <<'EOF' || fail "random keys"
import json, re, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
ha, hb = a["hosts"][0]["host"], b["hosts"][0]["host"]
assert re.fullmatch(r"host-[0-9a-f]{8}", ha) and re.fullmatch(r"host-[0-9a-f]{8}", hb), (ha, hb)
assert ha != hb, "two runs without a key file gave the same pseudonym"
assert "SQL01" not in json.dumps(a) and "SQL01" not in json.dumps(b)
EOF

# key and map files that cannot be used: named in the message, checked before the scan
t() {
    local name=$1 want=$2 pattern=$3
    shift 3
    local out rc
    out=$("$@" 2>&1 >/dev/null)
    rc=$?
    [ "$rc" = "$want" ] || { fail "$name: exit $rc, expected $want: $out"; return; }
    grep -qE -- "$pattern" <<<"$out" || fail "$name: stderr lacks /$pattern/: $out"
}
: >"$TMP/empty.key"
t missing-key-file 2 "--redact-key-file $TMP/no.key: No such file or directory" \
    "$A" scan --redact-key-file "$TMP/no.key" corpus
t empty-key-file 2 "--redact-key-file $TMP/empty.key: the file is empty" \
    "$A" scan --redact-key-file "$TMP/empty.key" corpus
t map-in-missing-folder 5 "^asrlog: cannot write $TMP/no/map.json: No such file or directory" \
    "$A" scan --redact-map "$TMP/no/map.json" corpus
[ -e "$TMP/no" ] && fail "a folder was created for the map"
ls -A "$TMP" | grep -q '^\.' && fail "temporary files left behind: $(ls -A "$TMP")"

if [ "$failn" -eq 0 ]; then
    echo "redaction: all checks passed"
else
    echo "redaction: $failn failed"
fi
[ "$failn" -eq 0 ]
