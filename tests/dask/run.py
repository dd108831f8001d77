#!/usr/bin/python3
"""dask.local: the Dask driver scripts/asrlog-dask against a plain `asrlog scan`.

Checks, on the bundled corpus (and the SIEM fleet with --host-pattern):
- the plan (--plan, --plan-dir): every listed input in exactly one shard, a host's files in
  one shard, the same plan every time, the listing's own lines in the shard lists;
- a local cluster of two worker processes (--local 2) prints the JSON report of a plain scan
  byte for byte, with its exit code, and the shard lists it ran are the plan's;
- a running cluster (`dask scheduler` and `dask worker` started here on loopback, joined with
  --scheduler) prints the same ndjson report, and with --host-pattern and -o the same JSON;
- a shard that fails (a broken --patterns file, an asrlog gone from the workers) stops the run
  with exit 6 and a message naming the shard, the worker and asrlog's own error;
- an empty folder gives the empty report without starting a cluster;
- usage errors (exit 2): --scheduler without --work-dir, --patterns after --, no such asrlog,
  dask.distributed missing.
Needs dask.distributed for /usr/bin/python3 (Debian python3-distributed): without it the test
fails and says to run scripts/deps.sh.

usage: run.py ASRLOG SOURCE_DIR
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

failures = []
# Hosts whose logs carry no time get "now" as their event time: fixed, so runs compare.
ENV = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
PY = "/usr/bin/python3"


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(*cmd, timeout=120):
    return subprocess.run(list(cmd), capture_output=True, timeout=timeout, env=ENV)


def have_distributed():
    p = subprocess.run([PY, "-c", "import distributed"], capture_output=True)
    return p.returncode == 0


def host_of(obj):
    """The grouping host of a list line, as the driver documents it (ASCII case ignored)."""
    h = obj.get("host") or obj.get("folder_host")
    return h.lower() if h else None


def check_plan(driver, asrlog, tmp):
    """--plan and --plan-dir on the corpus: a partition of the listing, hosts kept whole."""
    listed = run(asrlog, "scan", "--list", "corpus").stdout.splitlines()
    p = run(driver, "--asrlog", asrlog, "--plan", "--shards", "4", "corpus")
    check(p.returncode == 0, f"--plan: exit {p.returncode} {p.stderr!r}")
    shards = [json.loads(l) for l in p.stdout.splitlines()]
    check(len(shards) == 4, f"--plan --shards 4 gave {len(shards)} shards")
    got = sorted(json.dumps(i, sort_keys=True) for s in shards for i in s["inputs"])
    want = sorted(json.dumps(json.loads(l), sort_keys=True) for l in listed)
    check(got == want, "--plan: the shards do not hold every listed input exactly once")
    where = {}
    for s in shards:
        check(s["bytes"] == sum(i.get("bytes", 0) for i in s["inputs"]),
              f"--plan: shard {s['shard']} bytes")
        for i in s["inputs"]:
            h = host_of(i)
            if h:
                where.setdefault(h, set()).add(s["shard"])
    split = {h: w for h, w in where.items() if len(w) > 1}
    check(not split and len(where) >= 15, f"--plan: hosts in several shards: {split}")
    # greedy balance: no shard is heavier than the lightest one plus the largest host
    loads = sorted(s["bytes"] for s in shards)
    largest = max(sum(i.get("bytes", 0) for s in shards for i in s["inputs"]
                      if host_of(i) == h) for h in where)
    check(loads[-1] <= loads[0] + largest, f"--plan: unbalanced shards {loads}")
    again = run(driver, "--asrlog", asrlog, "--plan", "--shards", "4", "corpus")
    check(again.stdout == p.stdout, "--plan: not the same plan twice")
    # --plan-dir: the listing's own lines, byte for byte, in shard-N.list
    pd = os.path.join(tmp, "plan")
    p2 = run(driver, "--asrlog", asrlog, "--plan-dir", pd, "--shards", "4", "corpus")
    files = p2.stdout.decode().split()
    check(p2.returncode == 0 and files == [os.path.join(pd, f"shard-{n}.list")
                                           for n in range(4)],
          f"--plan-dir: exit {p2.returncode}, printed {files}")
    lines = []
    for n, f in enumerate(files):
        with open(f, "rb") as fh:
            mine = fh.read().splitlines()
        check([json.loads(l) for l in mine] == shards[n]["inputs"],
              f"--plan-dir: {f} is not shard {n} of --plan")
        lines += mine
    check(sorted(lines) == sorted(listed), "--plan-dir: lines differ from asrlog scan --list")
    # more shards than hosts: no empty shard
    p3 = run(driver, "--asrlog", asrlog, "--plan", "--shards", "500", "corpus")
    n3 = len(p3.stdout.splitlines())
    check(0 < n3 <= len(listed), f"--plan --shards 500: {n3} shards for {len(listed)} inputs")
    return shards


def check_empty(driver, asrlog, tmp):
    """An empty folder: nothing listed, no cluster started, the empty report of a scan."""
    empty = os.path.join(tmp, "empty")
    os.mkdir(empty)
    plain = run(asrlog, "scan", "-q", "--format", "json", empty)
    p = run(driver, "--asrlog", asrlog, "--local", "1", empty, "--", "--format", "json")
    check((p.returncode, p.stdout) == (plain.returncode, plain.stdout),
          f"empty folder: exit {p.returncode} {p.stderr!r}")


def check_local(driver, asrlog, tmp, plan):
    """--local 2: the JSON report of a plain scan, and the shard lists of the plan."""
    plain = run(asrlog, "scan", "-q", "--format", "json", "corpus")
    work = os.path.join(tmp, "local")
    p = run(driver, "--asrlog", asrlog, "--local", "2", "--work-dir", work, "--keep-work-dir",
            "corpus", "--", "--format", "json")
    check((p.returncode, p.stdout) == (plain.returncode, plain.stdout),
          f"--local 2 --format json differs from the scan (exit {p.returncode} vs "
          f"{plain.returncode}) {p.stderr[-500:]!r}")
    runs = os.listdir(work) if os.path.isdir(work) else []
    check(len(runs) == 1 and b"kept " in p.stderr, f"--keep-work-dir: {runs} {p.stderr!r}")
    if len(runs) == 1:
        for s in plan:  # 2 workers: 4 shards, the plan of --shards 4
            f = os.path.join(work, runs[0], f"shard-{s['shard']}.list")
            ok = os.path.isfile(f) and os.path.isfile(f[:-5] + ".part")
            check(ok, f"--local 2: no {f} or its .part")
            if ok:
                with open(f, "rb") as fh:
                    ran = [json.loads(l) for l in fh.read().splitlines()]
                check(ran == s["inputs"], f"--local 2: {f} is not shard {s['shard']} of the plan")


def start_cluster(tmp):
    """Starts `dask scheduler` and one `dask worker` with two processes on loopback.
    Returns (address, processes)."""
    sched_file = os.path.join(tmp, "scheduler.json")
    dask = shutil.which("dask", path="/usr/bin") or "/usr/bin/dask"
    log = open(os.path.join(tmp, "cluster.log"), "wb")
    procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", "0",
                               "--no-dashboard", "--dashboard-address", "127.0.0.1:0",
                               "--scheduler-file", sched_file],
                              stdout=log, stderr=log, start_new_session=True)]
    address, deadline = None, time.monotonic() + 30
    while address is None:  # the file appears, then is written: wait until it parses
        try:
            with open(sched_file) as f:
                address = json.load(f)["address"]
        except (OSError, ValueError, KeyError):
            if time.monotonic() > deadline or procs[0].poll() is not None:
                stop_cluster(procs)
                with open(log.name, "rb") as f:
                    tail = f.read()[-2000:].decode("utf-8", "replace")
                raise RuntimeError(f"dask scheduler did not start:\n{tail}")
            time.sleep(0.1)
    procs.append(subprocess.Popen([dask, "worker", "--scheduler-file", sched_file,
                                   "--nworkers", "2", "--nthreads", "1", "--no-dashboard",
                                   "--local-directory", tmp],
                                  stdout=log, stderr=log, start_new_session=True))
    return address, procs


def stop_cluster(procs):
    for p in reversed(procs):
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    for p in reversed(procs):
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


def check_scheduler(driver, asrlog, tmp, address):
    """--scheduler: ndjson, and -o with --host-pattern, reports equal to plain scans."""
    work = os.path.join(tmp, "shared")
    base = [driver, "--asrlog", asrlog, "--scheduler", address, "--work-dir", work]
    plain = run(asrlog, "scan", "-q", "--format", "ndjson", "corpus")
    p = run(*base, "corpus", "--", "--format", "ndjson")
    check((p.returncode, p.stdout) == (plain.returncode, plain.stdout),
          f"--scheduler --format ndjson differs from the scan (exit {p.returncode} vs "
          f"{plain.returncode}) {p.stderr[-500:]!r}")
    check(os.listdir(work) == [], f"--scheduler: run folders left in {work}: {os.listdir(work)}")
    fleet = "tests/fixtures/siem/fleet"
    pattern = ["--host-pattern", "^(?<host>[^/]+)/"]
    plain = run(asrlog, "scan", "-q", *pattern, "--format", "json", fleet)
    out = os.path.join(tmp, "fleet.json")
    p = run(*base, *pattern, "--shards", "3", fleet, "--", "--format", "json", "-o", out)
    got = open(out, "rb").read() if os.path.exists(out) else b""
    check(p.returncode == plain.returncode and got == plain.stdout and p.stdout == b"",
          f"--scheduler --host-pattern -o: differs from the scan (exit {p.returncode} vs "
          f"{plain.returncode}) {p.stderr[-500:]!r}")


def check_failures(driver, asrlog, tmp, address):
    """Failed shards: exit 6, the shard, the worker and asrlog's error in the message."""
    work = os.path.join(tmp, "shared")
    base = ["--scheduler", address, "--work-dir", work]
    broken = os.path.join(tmp, "broken-patterns")
    os.mkdir(broken)
    with open(os.path.join(broken, "x.json"), "w") as f:
        f.write("{bad\n")
    # `scan --list` reads no catalogue: the listing works, every shard scan fails
    p = run(driver, "--asrlog", asrlog, *base, "--patterns", broken, "corpus")
    err = p.stderr.decode("utf-8", "replace")
    check(p.returncode == 6 and "shard " in err and " failed (" in err
          and "on worker tcp://127.0.0.1:" in err and f"{broken}/x.json:1:" in err,
          f"broken --patterns: exit {p.returncode} {err!r}")
    # an asrlog that is there for the listing on the client and gone for the workers
    vanish = os.path.join(tmp, "asrlog-vanishing")
    with open(vanish, "w") as f:
        f.write(f'#!/bin/sh\ncase " $* " in *" --list "*) rm -f "$0";; esac\n'
                f'exec {asrlog} "$@"\n')
    os.chmod(vanish, 0o755)
    p = run(driver, "--asrlog", vanish, *base, "corpus")
    err = p.stderr.decode("utf-8", "replace")
    check(p.returncode == 6 and "exited 127" in err and f"cannot run {vanish}" in err,
          f"asrlog gone from the workers: exit {p.returncode} {err!r}")
    check(os.listdir(work) == [], f"failed runs left folders in {work}: {os.listdir(work)}")


def check_usage(driver, asrlog, tmp):
    """Usage errors, all before any cluster starts: exit 2 and a message."""
    fake = os.path.join(tmp, "no-distributed", "distributed")
    os.makedirs(fake)
    with open(os.path.join(fake, "__init__.py"), "w") as f:
        f.write("raise ImportError('hidden by the test')\n")
    cases = [
        ([driver, "--asrlog", asrlog, "--scheduler", "tcp://127.0.0.1:1", "corpus"],
         "--work-dir", None),
        ([driver, "--asrlog", asrlog, "corpus", "--", "--patterns", "x"],
         "give --patterns before --", None),
        ([driver, "--asrlog", os.path.join(tmp, "nothing"), "corpus"],
         "not an executable file", None),
        ([driver, "--asrlog", asrlog, "--local", "0", "corpus"], "N >= 1", None),
        ([driver, "--asrlog", asrlog, "--local", "1", "corpus"], "scripts/deps.sh",
         os.path.dirname(fake)),
    ]
    for cmd, text, pythonpath in cases:
        env = dict(ENV, PYTHONPATH=pythonpath) if pythonpath else ENV
        p = subprocess.run(cmd, capture_output=True, timeout=60, env=env)
        check(p.returncode == 2 and text.encode() in p.stderr,
              f"{cmd[1:]}: exit {p.returncode} {p.stderr!r}")
    # --plan needs no Dask (GNU parallel and Slurm users)
    p = subprocess.run([driver, "--asrlog", asrlog, "--plan", "--shards", "2", "corpus"],
                       capture_output=True, timeout=60,
                       env=dict(ENV, PYTHONPATH=os.path.dirname(fake)))
    check(p.returncode == 0 and len(p.stdout.splitlines()) == 2,
          f"--plan without dask.distributed: exit {p.returncode} {p.stderr!r}")
    # what the listing refuses comes back with the listing's own code
    p = run(driver, "--asrlog", asrlog, "--max-kept-hits", "x", "corpus")
    check(p.returncode == 2 and b"asrlog scan --list failed" in p.stderr,
          f"bad scan option: exit {p.returncode} {p.stderr!r}")


def timed(what, step, *args):
    """Runs STEP(*ARGS), prints how long it took, returns its result."""
    t0 = time.monotonic()
    out = step(*args)
    print(f"{what}: {time.monotonic() - t0:.1f} s")
    return out


def main():
    asrlog, src = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    if not have_distributed():
        print(f"FAIL: {PY} cannot import dask.distributed: run scripts/deps.sh (it installs "
              f"the Debian package python3-distributed)")
        return 1
    driver = os.path.join(src, "scripts", "asrlog-dask")
    os.chdir(src)  # relative paths in the reports, as users give them
    tmp = tempfile.mkdtemp(prefix="asrlog-dask-test-")
    procs = []
    try:
        timed("usage errors", check_usage, driver, asrlog, tmp)
        plan = timed("plan", check_plan, driver, asrlog, tmp)
        timed("empty folder", check_empty, driver, asrlog, tmp)
        address, procs = timed("dask scheduler + worker start", start_cluster, tmp)
        timed("--local 2", check_local, driver, asrlog, tmp, plan)
        timed("--scheduler", check_scheduler, driver, asrlog, tmp, address)
        timed("failing shards", check_failures, driver, asrlog, tmp, address)
    finally:
        stop_cluster(procs)
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("asrlog-dask: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
