#!/usr/bin/env bash
# Writing the report: -o FILE is replaced all at once or not at all (temporary file + rename),
# write errors name the file and exit 5, and a reader that closes the pipe (`| head`) ends
# asrlog quietly (exit 5, nothing on stderr). Each `t` line is one case:
#   t NAME EXPECTED_EXIT 'COMMAND' [grep -E pattern that stderr must contain, or EMPTY]
# usage: output.sh ASRLOG SOURCE_DIR
set -u
ASRLOG=$1
SRC=$2
cd "$SRC" || exit 2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
A="$ASRLOG"
pass=0
failn=0

t() {
    local name=$1 want=$2 cmd=$3 pattern=${4:-}
    local err rc
    err=$(bash -c "$cmd" 2>&1 >/dev/null)
    rc=$?
    if [ "$rc" != "$want" ]; then
        echo "FAIL $name: exit $rc, expected $want"
        echo "  \$ $cmd"
        echo "$err" | head -10 | sed 's/^/  | /'
        failn=$((failn + 1))
    elif [ "$pattern" = EMPTY ] && [ -n "$err" ]; then
        echo "FAIL $name: expected nothing on stderr"
        echo "$err" | head -10 | sed 's/^/  | /'
        failn=$((failn + 1))
    elif [ -n "$pattern" ] && [ "$pattern" != EMPTY ] && ! grep -qE -- "$pattern" <<<"$err"; then
        echo "FAIL $name: stderr lacks /$pattern/"
        echo "  \$ $cmd"
        echo "$err" | head -10 | sed 's/^/  | /'
        failn=$((failn + 1))
    else
        pass=$((pass + 1))
    fi
}

# no temporary file may be left beside a target
no_leftovers() {
    local left
    left=$(ls -A "$TMP" | grep '^\.' || true)
    if [ -n "$left" ]; then
        echo "FAIL $1: temporary files left in $TMP: $left"
        failn=$((failn + 1))
    else
        pass=$((pass + 1))
    fi
}

# --- write errors on -o FILE --------------------------------------------------------------------
t dev-full 5 "$A scan --format json -o /dev/full corpus" \
    '^asrlog: cannot write /dev/full: No space left on device$'
t missing-folder 5 "$A scan -o $TMP/missing/r.json corpus" \
    "^asrlog: cannot write $TMP/missing/r.json: No such file or directory\$"
t missing-folder-fails-first 5 "$A scan -o $TMP/missing/r.json /nonexistent-input" \
    "cannot write $TMP/missing/r.json"
t output-is-folder 5 "$A scan -o $TMP corpus" "^asrlog: cannot write $TMP: Is a directory\$"
no_leftovers missing-folder

# a write that fails half-way (file-size limit: EFBIG) leaves the old file as it was
printf 'previous report\n' >"$TMP/keep.json"
t half-written 5 "ulimit -f 8; $A scan --format json -o $TMP/keep.json corpus" \
    "^asrlog: cannot write $TMP/keep.json: File too large\$"
t old-file-unchanged 0 "[ \"\$(cat $TMP/keep.json)\" = 'previous report' ]"
no_leftovers half-written

# --- successful writes ------------------------------------------------------------------------------
t new-file 1 "umask 022; $A scan --format json -o $TMP/new.json corpus" EMPTY
t new-file-valid 0 "python3 -c 'import json; json.load(open(\"$TMP/new.json\"))'"
t new-file-mode 0 "[ \$(stat -c %a $TMP/new.json) = 644 ]"
chmod 640 "$TMP/keep.json"
t replace-keeps-mode 1 "$A scan --format json -o $TMP/keep.json corpus" EMPTY
t replaced 0 "python3 -c 'import json; json.load(open(\"$TMP/keep.json\"))' && [ \$(stat -c %a $TMP/keep.json) = 640 ]"
printf 'x\n' >"$TMP/target.json"
ln -s target.json "$TMP/link.json"
t through-symlink 1 "$A scan --format json -o $TMP/link.json corpus" EMPTY
t symlink-kept 0 "[ -L $TMP/link.json ] && python3 -c 'import json; json.load(open(\"$TMP/target.json\"))'"
# /dev/stdout is standard output, even when that is a file opened for appending
printf 'old line\n' >"$TMP/appended.txt"
t dev-stdout-appends 0 "$A scan --format json -o /dev/stdout corpus >>$TMP/appended.txt; [ \"\$(head -1 $TMP/appended.txt)\" = 'old line' ] && sed 1d $TMP/appended.txt | python3 -c 'import json,sys; json.load(sys.stdin)'"
t dev-stderr-appends 0 "$A scan --format json -o /dev/stderr corpus 2>>$TMP/appended.txt; [ \"\$(head -1 $TMP/appended.txt)\" = 'old line' ]"
no_leftovers successful-writes

# --- standard output ----------------------------------------------------------------------------------
t stdout-full 5 "$A scan corpus >/dev/full" \
    '^asrlog: cannot write standard output: No space left on device$'
t explain-stdout-full 5 "$A explain 95107 >/dev/full" 'cannot write standard output'
# the reader is gone before asrlog writes (`:` exits at once): quiet, exit 5
t closed-pipe 0 "$A scan corpus 2>$TMP/pipe.err | :; [ \${PIPESTATUS[0]} = 5 ] && [ ! -s $TMP/pipe.err ]" EMPTY
# the report is larger than a pipe buffer, so `head -1` closes it mid-write
t head-1 0 "$A scan --format json corpus 2>$TMP/head.err | head -1 >/dev/null; [ \${PIPESTATUS[0]} = 5 ] && [ ! -s $TMP/head.err ]" EMPTY
t signatures-head-1 0 "$A signatures 2>$TMP/sig.err | head -1 >/dev/null; [ ! -s $TMP/sig.err ]" EMPTY

echo "$pass passed, $failn failed"
[ "$failn" -eq 0 ]
