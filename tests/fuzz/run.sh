#!/usr/bin/env bash
# Runs each libFuzzer harness for a while, one after the other (what `make fuzz` calls).
# usage: tests/fuzz/run.sh BUILD_DIR SECONDS [HARNESS...]     (default: catalog decode scan pieces cache archive)
#
# Each harness runs as one process (libFuzzer's default of one job, one worker) under
# `nice -n 19`, for SECONDS seconds, on two corpus folders: BUILD_DIR/fuzz-corpus/<name>/,
# where libFuzzer keeps the inputs it finds, then the committed seeds tests/fuzz/corpus/<name>/
# (read only: libFuzzer writes to the first folder only). A crash, leak, sanitizer report,
# broken property, timeout (30 s) or memory blow-up (2 GiB) is saved as
# BUILD_DIR/fuzz-artifacts/<name>-crash-… and fails the run; reproduce it with
# `BUILD_DIR/tests/fuzz/fuzz_<name> FILE` or the replay driver of a gcc build.
# The full log of each run is BUILD_DIR/fuzz-logs/<name>.log; its last status line (execs,
# cov: edges, ft: features, corpus size) is printed at the end.
set -u
BUILD=$1
SECONDS_EACH=$2
shift 2
HARNESSES=${*:-catalog decode scan pieces cache archive}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$BUILD/fuzz-artifacts" "$BUILD/fuzz-logs"
failed=0
summary=""
for h in $HARNESSES; do
    bin="$BUILD/tests/fuzz/fuzz_$h"
    if [ ! -x "$bin" ]; then
        echo "run.sh: $bin is missing (build with -DASRLOG_FUZZ=ON)" >&2
        exit 2
    fi
    work="$BUILD/fuzz-corpus/$h"
    mkdir -p "$work"
    dict=()
    [ -f "$SRC/tests/fuzz/$h.dict" ] && dict=(-dict="$SRC/tests/fuzz/$h.dict")
    log="$BUILD/fuzz-logs/$h.log"
    echo "== fuzz_$h for ${SECONDS_EACH}s (log: $log)"
    nice -n 19 "$bin" -max_total_time="$SECONDS_EACH" -timeout=30 -rss_limit_mb=2048 \
        -print_final_stats=1 "${dict[@]}" -artifact_prefix="$BUILD/fuzz-artifacts/$h-" \
        "$work" "$SRC/tests/fuzz/corpus/$h" >"$log" 2>&1
    rc=$?
    last=$(grep -aE '^#[0-9]+' "$log" | tail -1)
    if [ "$rc" -ne 0 ]; then
        failed=1
        grep -aE 'ERROR|SUMMARY|property broken|Test unit written' "$log" | head -5
        summary="$summary"$'\n'"fuzz_$h: FAILED (exit $rc) after $last"
    else
        summary="$summary"$'\n'"fuzz_$h: ok: $last"
    fi
done
echo "== summary$summary"
exit $failed
