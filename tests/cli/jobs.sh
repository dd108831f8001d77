#!/usr/bin/env bash
# Threads and the compiled-database cache, end to end:
#  - the JSON report is byte-identical for --jobs 1..4, with large files cut into pieces
#    (--split-size small enough that every corpus log is split, at many line boundaries) and
#    for the per-host folders given in sorted and in reversed order;
#  - the cache file appears under --cache-dir / $XDG_CACHE_HOME, a damaged or foreign cache
#    file is refused and rewritten, an unwritable cache folder only warns, --no-cache writes
#    nothing, and every one of those runs gives the same report.
# usage: jobs.sh ASRLOG SOURCE_DIR
set -u
A=$1
cd "$2" || exit 2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0
failn=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; failn=$((failn + 1)); }

export XDG_CACHE_HOME="$TMP/xdg"
"$A" scan -q --jobs 1 -f json corpus >"$TMP/ref.json"
[ -s "$TMP/ref.json" ] || bad "reference report is empty"

# --- threads and pieces ---------------------------------------------------------------------
for split in 4K 64K 16M; do
    for j in 1 2 3 4; do
        "$A" scan -q --jobs "$j" --split-size "$split" -f json corpus >"$TMP/out.json"
        if cmp -s "$TMP/ref.json" "$TMP/out.json"; then ok; else bad "--jobs $j --split-size $split differs"; fi
    done
done
hosts=$(ls -d corpus/*/ | sort)
rev=$(ls -d corpus/*/ | sort -r)
# shellcheck disable=SC2086
"$A" scan -q --jobs 3 -f json $hosts >"$TMP/sorted.json"
# shellcheck disable=SC2086
"$A" scan -q --jobs 2 --split-size 4K -f json $rev >"$TMP/reversed.json"
if cmp -s "$TMP/sorted.json" "$TMP/reversed.json"; then ok; else bad "path order changes the report"; fi
"$A" scan -q --jobs 0 corpus >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "--jobs 0 is not a usage error"
"$A" scan -q --split-size 12Q corpus >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "--split-size 12Q is not a usage error"

# --- cache ----------------------------------------------------------------------------------
C="$TMP/cache"
same() { # name, report file
    if cmp -s "$TMP/ref.json" "$2"; then ok; else bad "$1: report differs"; fi
}
"$A" scan -q --cache-dir "$C" -f json corpus >"$TMP/c1.json"
same "cold cache" "$TMP/c1.json"
f=$(ls "$C"/*.hsdb 2>/dev/null | head -1)
if [ -n "$f" ] && [ -s "$f" ]; then ok; else bad "no cache file written in $C"; fi
cp "$f" "$TMP/good.hsdb"
"$A" scan -q --cache-dir "$C" -f json corpus >"$TMP/c2.json"
same "warm cache" "$TMP/c2.json"
# damage: flip a byte in the middle, truncate, garbage, empty
size=$(stat -c %s "$f")
for dmg in flip truncate garbage empty; do
    cp "$TMP/good.hsdb" "$f"
    case $dmg in
    flip) printf '\x55' | dd of="$f" bs=1 seek=$((size / 2)) conv=notrunc status=none ;;
    truncate) truncate -s $((size - 100)) "$f" ;;
    garbage) head -c "$size" /dev/urandom >"$f" ;;
    empty) : >"$f" ;;
    esac
    "$A" scan -q --cache-dir "$C" -f json corpus >"$TMP/c3.json" 2>"$TMP/err"
    same "cache damaged ($dmg)" "$TMP/c3.json"
    if cmp -s "$f" "$TMP/good.hsdb"; then ok; else bad "cache damaged ($dmg) was not rewritten"; fi
done
# a cache for another catalogue (--patterns) lives in its own file
mkdir -p "$TMP/pat"
cat >"$TMP/pat/extra.json" <<'J'
{"family": "test", "signatures": [
 {"id": "test.extra", "title": "Extra test signature", "severity": "info", "effect": "context",
  "specificity": 1, "os": "any", "match": "asrlog-extra-marker",
  "examples": {"match": ["x asrlog-extra-marker y"], "nomatch": ["nothing"]}}]}
J
"$A" scan -q --cache-dir "$C" --patterns "$TMP/pat" corpus >/dev/null
n=$(ls "$C"/*.hsdb | wc -l)
[ "$n" -eq 2 ] && ok || bad "expected 2 cache files after --patterns, found $n"
# default location: $XDG_CACHE_HOME/asrlog
ls "$XDG_CACHE_HOME"/asrlog/*.hsdb >/dev/null 2>&1 && ok || bad "no cache under \$XDG_CACHE_HOME/asrlog"
# --no-cache writes nothing
"$A" scan -q --no-cache --cache-dir "$TMP/none" -f json corpus >"$TMP/c4.json"
same "--no-cache" "$TMP/c4.json"
[ ! -e "$TMP/none" ] && ok || bad "--no-cache created $TMP/none"
# an unwritable cache folder (a file stands where the folder should be): warning, same report
: >"$TMP/blocked"
"$A" scan -q --cache-dir "$TMP/blocked/sub" -f json corpus >"$TMP/c5.json" 2>"$TMP/err"
rc=$?
[ $rc -le 1 ] && ok || bad "unwritable cache folder: exit $rc"
same "unwritable cache folder" "$TMP/c5.json"
grep -q "cannot write the database cache" "$TMP/err" && ok || bad "unwritable cache folder: no warning"
# explain needs no database and writes no cache
"$A" explain --cache-dir "$TMP/ex" 95107 >/dev/null
[ ! -e "$TMP/ex" ] && ok || bad "explain wrote a cache"

echo "$pass passed, $failn failed"
[ "$failn" -eq 0 ]
