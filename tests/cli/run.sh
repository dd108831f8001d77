#!/usr/bin/env bash
# CLI contract: usage errors, exit codes, unreadable and non-ASR inputs, encodings, stdin,
# explain, catalogue errors, output formats. Each `t` line is one case:
#   t NAME EXPECTED_EXIT 'COMMAND' [grep -E pattern that stdout+stderr must contain]
# usage: run.sh ASRLOG SOURCE_DIR
set -u
ASRLOG=$1
SRC=$2
cd "$SRC" || exit 2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0
failn=0

t() {
    local name=$1 want=$2 cmd=$3 pattern=${4:-}
    local out rc
    out=$(bash -c "$cmd" 2>&1)
    rc=$?
    if [ "$rc" != "$want" ]; then
        echo "FAIL $name: exit $rc, expected $want"
        echo "  \$ $cmd"
        echo "$out" | head -20 | sed 's/^/  | /'
        failn=$((failn + 1))
        return
    fi
    if [ -n "$pattern" ] && ! grep -qE -- "$pattern" <<<"$out"; then
        echo "FAIL $name: output lacks /$pattern/"
        echo "  \$ $cmd"
        echo "$out" | head -20 | sed 's/^/  | /'
        failn=$((failn + 1))
        return
    fi
    pass=$((pass + 1))
}

A="$ASRLOG"
LINUX_OK_THEN=corpus/ubu-app05/var/log/ua_install.log

# --- usage and help -------------------------------------------------------------------------
t no-args 2 "$A" 'usage: asrlog <command>'
t help 0 "$A --help" 'exit codes: 0 no failed host, 1 failed hosts found, 2 usage'
t version 0 "$A --version" '^asrlog [0-9]+\.[0-9]+\.[0-9]+'
t scan-help 0 "$A scan --help" 'usage: asrlog scan'
t explain-help 0 "$A explain --help" 'usage: asrlog explain'
t signatures-help 0 "$A signatures --help" 'usage: asrlog signatures'
t unknown-command 2 "$A frobnicate" "unknown command 'frobnicate'"
t scan-no-path 2 "$A scan" 'no PATH given'
t scan-bad-format 2 "$A scan --format xml corpus" "unknown format 'xml'"
t scan-bad-option 2 "$A scan --bogus corpus" "unknown option '--bogus'"
t scan-missing-value 2 "$A scan corpus --format" 'option --format needs a value'
t scan-bad-color 2 "$A scan --color=sometimes corpus" '--color takes auto, always or never'
t host-pattern-bad 2 "$A scan --host-pattern '(' corpus" '--host-pattern: at offset'
t host-pattern-no-group 2 "$A scan --host-pattern '^x' corpus" 'named group \(\?<host>'

# --- inputs that cannot be read ---------------------------------------------------------------
t missing-path 3 "$A scan /nonexistent/asrlog-x" '/nonexistent/asrlog-x: cannot access: No such file'
t missing-path-json 0 "$A scan --format json /nonexistent/asrlog-x corpus/ubu-app05 | python3 -c 'import json,sys; d=json.load(sys.stdin); s=[i[\"status\"] for i in d[\"inputs\"]]; assert \"unreadable\" in s and \"analyzed\" in s; print(\"ok\")'" '^ok$'
t unreadable-wins 3 "$A scan /nonexistent/asrlog-x corpus" 'FAILED'
mkdir -p "$TMP/empty" "$TMP/nopat"
t empty-folder 0 "$A scan --format json $TMP/empty | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"inputs\"]==[] and d[\"summary\"][\"hosts\"]==0; print(\"ok\")'" '^ok$'
t empty-patterns-dir 0 "$A signatures --patterns $TMP/nopat" '[0-9]+ signatures$'
mkfifo "$TMP/fifo"
t fifo-skipped 0 "$A scan --format json $TMP/fifo | python3 -c 'import json,sys; d=json.load(sys.stdin); i=d[\"inputs\"][0]; assert i[\"status\"]==\"skipped\" and \"FIFO\" in i[\"reason\"]; print(\"ok\")'" '^ok$'
ln -s /nonexistent "$TMP/dangling"
t symlink-skipped 0 "$A scan --format json $TMP/dangling | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"inputs\"][0][\"status\"]==\"skipped\"; print(\"ok\")'" '^ok$'
printf '\037\213\010\000\000\000\000\000\000\003' > "$TMP/truncated.log.gz"
t truncated-gzip 0 "$A scan --format json $TMP/truncated.log.gz | python3 -c 'import json,sys; d=json.load(sys.stdin); assert \"truncated\" in d[\"inputs\"][0][\"reason\"]; print(\"ok\")'" '^ok$'

# --- non-ASR logs never make a failed host ------------------------------------------------------
t readme-skipped 0 "$A scan --format json corpus | python3 -c 'import json,sys; d=json.load(sys.stdin); i=[x for x in d[\"inputs\"] if x[\"path\"]==\"corpus/README.md\"][0]; assert i[\"status\"]==\"skipped\"; print(\"ok\")'" '^ok$'
t non-asr 0 "$A scan --format json tests/fixtures/nonasr | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"summary\"][\"failed\"]==0, d[\"summary\"]; print(\"ok\")'" '^ok$'

# --- encodings, compression, stdin ---------------------------------------------------------------
mkdir -p "$TMP/enc/h16" "$TMP/enc/hgz"
{ printf '\377\376'; iconv -f UTF-8 -t UTF-16LE < "$LINUX_OK_THEN"; } > "$TMP/enc/h16/ua_install.log"
gzip -c "$LINUX_OK_THEN" > "$TMP/enc/hgz/ua_install.log.gz"
t utf16-and-gzip 0 "$A scan --format json $TMP/enc | python3 -c 'import json,sys; d=json.load(sys.stdin); o={h[\"host\"]:h[\"outcome\"] for h in d[\"hosts\"]}; assert o=={\"h16\":\"succeeded\",\"hgz\":\"succeeded\"}, o; print(\"ok\")'" '^ok$'
t stdin 0 "cat $LINUX_OK_THEN | $A scan --host piped --format json - | python3 -c 'import json,sys; d=json.load(sys.stdin); h=d[\"hosts\"][0]; assert h[\"host\"]==\"piped\" and h[\"host_source\"]==\"argument\" and d[\"inputs\"][0][\"path\"]==\"<stdin>\"; print(\"ok\")'" '^ok$'
t host-pattern 0 "$A scan --format json --host-pattern '^(?<host>[^/]+)/' corpus | python3 -c 'import json,sys; d=json.load(sys.stdin); assert all(h[\"host_source\"] in (\"argument\",\"content\") for h in d[\"hosts\"]); print(\"ok\")'" '^ok$'

mkdir -p "$TMP/cs/AgentSetupLogs/CommandLineInstall/3f2a6a9e-51c7-4d8e-8f64-1f0b3c2d9a77_WEB09"
cp "$LINUX_OK_THEN" "$TMP/cs/AgentSetupLogs/CommandLineInstall/3f2a6a9e-51c7-4d8e-8f64-1f0b3c2d9a77_WEB09/ua_install.log"
t machine-identifier-folder 0 "$A scan --format json $TMP/cs | python3 -c 'import json,sys; d=json.load(sys.stdin); h=d[\"hosts\"][0]; assert (h[\"host\"],h[\"host_source\"])==(\"WEB09\",\"path\"), h[\"host\"]; print(\"ok\")'" '^ok$'
t host-folder-scanned-directly 0 "$A scan corpus/ubu-app05" 'OK +ubu-app05'

# --- exit codes of scan ---------------------------------------------------------------------------
t clean-exit 0 "$A scan corpus/rhel-web03" "OK +rhel-web03"
t failures-exit 1 "$A scan corpus" 'FAILED'

# --- output formats ---------------------------------------------------------------------------------
t json-valid 0 "$A scan --format json corpus | python3 -c 'import json,sys; d=json.load(sys.stdin); assert set(d)>={\"asrlog_version\",\"inputs\",\"summary\",\"hosts\"}; print(\"ok\")'" '^ok$'
t ndjson-ecs 0 "$A scan --format ndjson corpus | python3 -c '
import json,sys
n=0
for line in sys.stdin:
    e=json.loads(line); n+=1
    assert e[\"event\"][\"kind\"] in (\"alert\",\"event\")
    assert e[\"event\"][\"outcome\"] in (\"failure\",\"success\",\"unknown\")
    assert e[\"event\"][\"category\"]==[\"package\"] and e[\"ecs\"][\"version\"]
    assert e[\"host\"][\"name\"] and e[\"@timestamp\"]
assert n>0
print(\"ok\")'" '^ok$'
t no-color-when-piped 0 "$A scan corpus | grep -c \$'\\033' ; true" '^0$'
t color-always 0 "$A scan --color=always corpus | grep -q \$'\\033\\[31m' && echo colored" 'colored'
t output-file 1 "$A scan --format json -o $TMP/r.json corpus; python3 -c 'import json; json.load(open(\"$TMP/r.json\")); print(\"ok\")'; exit 1" '^ok$'

# --- explain and signatures ----------------------------------------------------------------------
t explain-errorid 0 "$A explain 95107" 'ErrorIDs: .*95107'
t explain-hresult 0 "$A explain 0x8004E00F" 'HRESULTs: .*0x8004E00F'
t explain-hresult-lower 0 "$A explain 0x8004e00f" '0x8004E00F'
t explain-hresult-decimal 0 "$A explain -2147164145" '0x8004E00F'
t explain-exit-code 0 "$A explain 45" 'exit codes: .*45'
t explain-ep 0 "$A explain EP0858" 'EP codes: .*EP0858'
t explain-unknown 1 "$A explain 12345678" "nothing in the catalogue matches '12345678'"
t explain-json 0 "$A explain --format json 95107 | python3 -c 'import json,sys; a=json.load(sys.stdin); assert a and all(\"remediation\" in s for s in a if s[\"effect\"] in (\"failure\",\"warning\")); print(\"ok\")'" '^ok$'
t signatures-list 0 "$A signatures" '[0-9]+ signatures$'
t signatures-test 0 "$A signatures --test" ' 0 failed$'

# --- a broken user catalogue is a usage error naming file:line:column -----------------------------
mkdir -p "$TMP/pat"
printf '{"family": "x", "signatures": [\n  {"id": "x.a", "title": "t",}\n]}\n' > "$TMP/pat/bad.json"
t bad-catalogue 2 "$A scan --patterns $TMP/pat corpus" 'bad.json:2:[0-9]+: invalid JSON'
printf '{"family": "x", "signatures": [\n {"id": "x.a", "title": "t", "match": "(", "severity": "info", "effect": "context", "specificity": 1, "os": "any", "examples": {"match": ["("], "nomatch": ["x"]}}\n]}\n' > "$TMP/pat/bad.json"
t uncompilable-signature 2 "$A signatures --patterns $TMP/pat" "bad.json:2:3: signature 'x.a': match: Hyperscan cannot compile it"
t missing-patterns-dir 2 "$A signatures --patterns $TMP/none" "--patterns $TMP/none: No such file"

echo "$pass passed, $failn failed"
[ "$failn" -eq 0 ]
