#!/bin/bash
# dask.recipes: the GNU parallel and Slurm recipes of README.md ("Scale-out"), run on this
# machine, give the report of one plain scan byte for byte.
# - GNU parallel with --sshlogin : (this machine), over the shard lists of
#   `asrlog-dask --plan-dir` (hosts kept together) and over `split -n l/3` of a --list
#   (hosts cut apart: the merge is exact whatever the split);
# - the Slurm scripts (scripts/slurm/*.sbatch): shell syntax (bash -n), every array task run
#   by hand with SLURM_ARRAY_TASK_ID set, then the merge script; a task without
#   SLURM_ARRAY_TASK_ID refuses to run. No Slurm is needed (and none is run).
# Needs GNU parallel (Debian package parallel): without it the test fails and says to run
# scripts/deps.sh.
# usage: recipes.sh ASRLOG SOURCE_DIR
set -u
asrlog=$(realpath "$1")
cd "$2" || exit 1
export SOURCE_DATE_EPOCH=1700000000
tmp=$(mktemp -d "${TMPDIR:-/tmp}/asrlog-recipes.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

if ! command -v parallel >/dev/null; then
    echo "FAIL: GNU parallel is not installed: run scripts/deps.sh (Debian package parallel)"
    exit 1
fi

"$asrlog" scan -q --format json corpus > "$tmp/plain.json"
plain_rc=$?

# same_report NAME RC FILE: FILE and exit code RC are those of the plain scan
same_report() {
    [ "$2" = "$plain_rc" ] || fail "$1: exit $2, the scan's is $plain_rc"
    cmp -s "$3" "$tmp/plain.json" || fail "$1: the report differs from the plain scan"
}

# GNU parallel over the driver's plan
scripts/asrlog-dask --asrlog "$asrlog" --plan-dir "$tmp/shards" --shards 4 corpus > /dev/null \
    || fail "asrlog-dask --plan-dir"
parallel --sshlogin : --workdir . "$asrlog" scan -q --from-list {} --partial {}.part \
    ::: "$tmp"/shards/shard-*.list < /dev/null || fail "parallel over the plan: exit $?"
"$asrlog" merge --format json "$tmp"/shards/*.part > "$tmp/plan.json"
same_report "parallel over --plan-dir" $? "$tmp/plan.json"

# GNU parallel over split -n l/3 of a listing
"$asrlog" scan --list corpus > "$tmp/fleet.list"
mkdir "$tmp/split"
split -n l/3 -d --additional-suffix=.list "$tmp/fleet.list" "$tmp/split/shard-"
[ "$(ls "$tmp"/split/shard-*.list | wc -l)" = 3 ] || fail "split -n l/3 did not give 3 lists"
parallel --sshlogin : --workdir . "$asrlog" scan -q --from-list {} --partial {}.part \
    ::: "$tmp"/split/shard-*.list < /dev/null || fail "parallel over split: exit $?"
"$asrlog" merge --format json "$tmp"/split/*.part > "$tmp/split.json"
same_report "parallel over split -n l/3" $? "$tmp/split.json"

# Slurm: the array tasks and the merge job, run by hand
for f in scripts/slurm/asrlog-shard.sbatch scripts/slurm/asrlog-merge.sbatch; do
    bash -n "$f" || fail "$f: bash -n"
done
grep -q '^#SBATCH --array=' scripts/slurm/asrlog-shard.sbatch || fail "no #SBATCH --array"
k=$(scripts/asrlog-dask --asrlog "$asrlog" --plan-dir "$tmp/slurm" --shards 3 corpus | wc -l)
[ "$k" = 3 ] || fail "--plan-dir --shards 3 gave $k lists"
for ((n = 0; n < k; n++)); do
    ASRLOG=$asrlog SLURM_ARRAY_TASK_ID=$n SLURM_CPUS_PER_TASK=2 \
        bash scripts/slurm/asrlog-shard.sbatch "$tmp/slurm" || fail "slurm shard task $n: exit $?"
done
ASRLOG=$asrlog bash scripts/slurm/asrlog-merge.sbatch "$tmp/slurm" --format json \
    -o "$tmp/slurm/report.json"
rc=$?
[ "$rc" = 0 ] || fail "slurm merge job: exit $rc (failed hosts must not fail the job)"
same_report "slurm scripts" "$plain_rc" "$tmp/slurm/report.json"
out=$(env -u SLURM_ARRAY_TASK_ID ASRLOG=$asrlog bash scripts/slurm/asrlog-shard.sbatch \
      "$tmp/slurm" 2>&1) && fail "slurm shard task without SLURM_ARRAY_TASK_ID ran"
case $out in *SLURM_ARRAY_TASK_ID*) ;; *) fail "no SLURM_ARRAY_TASK_ID message: $out" ;; esac
ASRLOG=$asrlog bash scripts/slurm/asrlog-merge.sbatch "$tmp/nothing" > /dev/null 2>&1 \
    && fail "slurm merge job without partials succeeded"

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "scale-out recipes: all checks passed"
