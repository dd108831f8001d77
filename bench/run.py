#!/usr/bin/env python3
"""The asrlog benchmark (`make bench`): generates a labelled fleet of about 1 GiB and its .gz
twin, measures asrlog and its peers on the same bytes in the same run, and writes
bench/RESULTS.md. Every figure is the median of --runs runs; the page cache is warmed first so
that the disk is not what is measured.

usage: bench/run.py --build BUILD [--size 1G] [--hosts 400] [--runs 3] [--work DIR]
                    [--results bench/RESULTS.md]
"""
import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

MIB = 1 << 20


def parse_size(s):
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return int(float(s[:-1]) * mult[s[-1].upper()]) if s[-1].upper() in mult else int(s)


def run_once(cmd, stdout=None, env=None):
    """Runs cmd; returns (wall seconds, peak RSS in KiB, exit code)."""
    out = open(stdout, "wb") if stdout else subprocess.DEVNULL
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, env=env)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    err = p.stderr.read()
    p.stderr.close()
    if stdout:
        out.close()
    if p.returncode not in (0, 1):
        sys.exit(f"bench: {' '.join(cmd)} failed ({p.returncode}): {err[-400:]!r}")
    return wall, ru.ru_maxrss, p.returncode


def median_run(cmd, runs, stdout=None, env=None):
    """Median wall time and the largest peak RSS over `runs` runs."""
    walls, rss = [], []
    for _ in range(runs):
        w, r, _ = run_once(cmd, stdout, env)
        walls.append(w)
        rss.append(r)
    return statistics.median(walls), max(rss)


def median_internal(cmd, runs):
    """For asrlog-peers: the median of the tool's own `seconds` (work only)."""
    res = []
    for _ in range(runs):
        out = subprocess.run(cmd, check=True, capture_output=True).stdout
        res.append(json.loads(out))
    res.sort(key=lambda r: r["seconds"])
    return res[len(res) // 2]


def tree_bytes(d, suffix=None):
    total = 0
    for root, _, files in os.walk(d):
        for f in files:
            if suffix is None or f.endswith(suffix):
                total += os.path.getsize(os.path.join(root, f))
    return total


def warm(d):
    """Reads every file once so that all tools find it in the page cache."""
    for root, _, files in os.walk(d):
        for f in files:
            with open(os.path.join(root, f), "rb") as fh:
                while fh.read(8 * MIB):
                    pass


def sample_dir(src, dst, limit):
    """Copies whole files of `src` (sorted) into dst until `limit` bytes: grep's input."""
    total = 0
    for root, dirs, files in os.walk(src):
        dirs.sort()
        for f in sorted(files):
            p = os.path.join(root, f)
            n = os.path.getsize(p)
            if total + n > limit:
                continue
            q = os.path.join(dst, os.path.relpath(p, src))
            os.makedirs(os.path.dirname(q), exist_ok=True)
            shutil.copyfile(p, q)
            total += n
    return total


def version(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True).stdout.splitlines()[0].strip()
    except (OSError, IndexError):
        return "not found"


def machine():
    model = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / (1 << 30)
    return f"{model}, {os.cpu_count()} online cores, {mem:.0f} GiB RAM, {platform.platform()}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--size", default="1G")
    ap.add_argument("--hosts", type=int, default=400)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--work")
    ap.add_argument("--results", default=os.path.join(os.path.dirname(__file__), "RESULTS.md"))
    ap.add_argument("--grep-sample", default="64M", help="grep -E reads only this much")
    ap.add_argument("--naive-sample", default="32M", help="the PCRE2 loop reads only this much")
    a = ap.parse_args()

    build = os.path.abspath(a.build)
    asrlog = os.path.join(build, "asrlog")
    gen = os.path.join(build, "asrlog-genfleet")
    peers = os.path.join(build, "asrlog-peers")
    here = os.path.dirname(os.path.abspath(__file__))
    work = a.work or tempfile.mkdtemp(prefix="asrlog-bench-")
    os.makedirs(work, exist_ok=True)
    cores = os.cpu_count() or 1
    size = parse_size(a.size)
    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(work, "cache"))
    log = lambda msg: print(f"bench: {msg}", file=sys.stderr, flush=True)

    # ---- fleets --------------------------------------------------------------------------
    def fleet(name, sz, gz):
        d = os.path.join(work, name)
        labels = os.path.join(work, name + ".labels.tsv")
        if not os.path.isdir(d):
            log(f"generating {name} ({sz / MIB:.0f} MiB, {a.hosts} hosts, gzip {gz})")
            subprocess.run([gen, "--out", d, "--hosts", str(a.hosts), "--size", str(sz),
                            "--seed", str(a.seed), "--gzip", gz, "--labels", labels], check=True)
        return d, labels

    plain, labels = fleet("plain", size, "none")
    gzd, _ = fleet("gz", size, "all")
    plain_bytes = tree_bytes(plain)
    files = sum(len(f) for _, _, f in os.walk(plain))
    log(f"plain fleet: {plain_bytes / MIB:.0f} MiB in {files} files; warming the page cache")
    warm(plain)
    warm(gzd)

    pats = {}
    for fmt in ("hs-regex", "ere"):
        pats[fmt] = os.path.join(work, fmt + ".txt")
        with open(pats[fmt], "wb") as f:
            f.write(subprocess.run([asrlog, "signatures", "--export", fmt], check=True,
                                   capture_output=True).stdout)
    one = os.path.join(work, "one.log")
    with open(one, "w") as f:
        f.write("03/14/2023 10:22:46 : Installer exiting with code: 0 \n")
    # the database cache is filled once, so every asrlog run below starts warm
    subprocess.run([asrlog, "scan", "-q", "--jobs", "1", one], env=env, capture_output=True)

    rows = []  # (label, bytes counted, seconds, rss KiB or None, note)

    def asr(label, d, jobs, note=""):
        out = os.path.join(work, f"report-{label.replace(' ', '_')}.json")
        log(f"asrlog {label}")
        wall, rss = median_run([asrlog, "scan", "-q", "--jobs", str(jobs), "-f", "json", "-o",
                                out, d], a.runs, env=env)
        rows.append((label, plain_bytes, wall, rss, note))
        return wall, out

    t_j1, report = asr("asrlog --jobs 1, plain", plain, 1)
    t_jn, _ = asr(f"asrlog --jobs {cores}, plain", plain, cores)
    t_gz1, _ = asr("asrlog --jobs 1, .gz twin", gzd, 1, "MB/s of decompressed text")
    t_gzn, _ = asr(f"asrlog --jobs {cores}, .gz twin", gzd, cores, "MB/s of decompressed text")

    log("ripgrep")
    rg_out = os.path.join(work, "rg.out")
    w, r = median_run(["rg", "-j", "1", "-c", "-f", pats["hs-regex"], plain], a.runs, rg_out)
    rows.append(("rg -j 1 -c -f (hs-regex export)", plain_bytes, w, r, ""))
    t_rg1 = w
    w, r = median_run(["rg", "-c", "-f", pats["hs-regex"], plain], a.runs, rg_out)
    rows.append((f"rg -c -f, its default threads", plain_bytes, w, r, ""))

    gsample = os.path.join(work, "grep-sample")
    if not os.path.isdir(gsample):
        os.makedirs(gsample)
        sample_dir(plain, gsample, parse_size(a.grep_sample))
    gbytes = tree_bytes(gsample)
    warm(gsample)
    log(f"grep -E on a {gbytes / MIB:.0f} MiB sample")
    w, r = median_run(["grep", "-r", "-c", "-E", "-f", pats["ere"], gsample], 1,
                      os.path.join(work, "grep.out"))
    rows.append(("grep -r -c -E -f (ere export)", gbytes, w, r, f"{gbytes / MIB:.0f} MiB sample, 1 run"))

    log("naive PCRE2-JIT loop")
    res = median_internal([peers, "pcre-naive", plain, str(parse_size(a.naive_sample))], 1)
    rows.append(("PCRE2-JIT, every signature on every line", res["bytes"], res["seconds"], None,
                 f"{res['bytes'] / MIB:.0f} MiB sample, work only"))
    log("Hyperscan scan-only bound")
    res = median_internal([peers, "hs-scan", plain], a.runs)
    t_hs = res["seconds"] * plain_bytes / res["bytes"]
    rows.append(("Hyperscan scan only (same database)", res["bytes"], res["seconds"], None,
                 "lower bound, work only"))
    log("zlib inflate-only bound")
    res = median_internal([peers, "inflate", gzd], a.runs)
    t_inf = res["seconds"] * plain_bytes / max(res["bytes"], 1)
    rows.append(("zlib inflate only (.gz twin)", res["bytes"], res["seconds"], None,
                 "lower bound, work only"))

    # ---- start-up ------------------------------------------------------------------------
    log("start-up")
    warm_t = statistics.median(run_once([asrlog, "scan", "-q", "--jobs", "1", one], env=env)[0]
                               for _ in range(max(a.runs, 9)))
    cold_t = statistics.median(run_once([asrlog, "scan", "-q", "--jobs", "1", "--no-cache", one],
                                        env=env)[0] for _ in range(a.runs))

    # ---- memory against input size ---------------------------------------------------------
    rss_rows = []
    for frac, name in ((0.25, "plain-quarter"), (0.5, "plain-half"), (1.0, "plain")):
        d = plain if frac == 1.0 else fleet(name, int(size * frac), "none")[0]
        warm(d)
        _, r1 = median_run([asrlog, "scan", "-q", "--jobs", "1", "-f", "json", d], 1, env=env)
        _, rn = median_run([asrlog, "scan", "-q", "--jobs", str(cores), "-f", "json", d], 1,
                           env=env)
        rss_rows.append((tree_bytes(d), r1, rn))

    # ---- accuracy ------------------------------------------------------------------------
    acc = subprocess.run([sys.executable, os.path.join(here, "accuracy.py"), report, labels],
                         capture_output=True, text=True)
    acc_line = (acc.stdout.strip().splitlines() or ["?"])[0]

    # ---- results -------------------------------------------------------------------------
    mbps = lambda b, s: b / 1e6 / s if s > 0 else float("inf")
    targets = [
        ("single thread, plain: >= 1 GB/s", mbps(plain_bytes, t_j1) >= 1000,
         f"{mbps(plain_bytes, t_j1):.0f} MB/s"),
        ("single thread >= 2.5x rg -j 1 -f", t_rg1 / t_j1 >= 2.5, f"{t_rg1 / t_j1:.2f}x"),
        ("single thread >= 0.5x Hyperscan scan-only", t_hs / t_j1 >= 0.5, f"{t_hs / t_j1:.2f}x"),
        (".gz >= 0.85x inflate-only (one thread)", t_inf / t_gz1 >= 0.85, f"{t_inf / t_gz1:.2f}x"),
        (f"--jobs {cores} >= 1.8x --jobs 1 (plain, {files} files)", t_j1 / t_jn >= 1.8,
         f"{t_j1 / t_jn:.2f}x"),
        ("peak RSS <= 64 MiB at 1 GiB", max(rss_rows[-1][1:]) <= 64 * 1024,
         f"{max(rss_rows[-1][1:]) / 1024:.1f} MiB"),
        ("peak RSS flat from 0.25 to 1 GiB (within 25 %)",
         max(r[2] for r in rss_rows) <= 1.25 * min(r[2] for r in rss_rows),
         " / ".join(f"{r[2] / 1024:.1f}" for r in rss_rows) + " MiB"),
        ("warm-cache start-up <= 15 ms", warm_t <= 0.015, f"{warm_t * 1000:.1f} ms"),
        ("accuracy 100 %", acc.returncode == 0, acc_line),
    ]
    L = []
    L.append("# asrlog benchmark results\n")
    L.append(f"Written by `make bench` (bench/run.py) on {time.strftime('%Y-%m-%d %H:%M')}; "
             f"median of {a.runs} runs unless noted, warm page cache.\n")
    L.append(f"- Machine: {machine()}")
    L.append(f"- asrlog: {version([asrlog, '--version'])}; compiler: {version(['cc', '--version'])}")
    L.append(f"- Peers: {version(['rg', '--version'])}; {version(['grep', '--version'])}")
    L.append(f"- Fleet: {a.hosts} hosts, {files} files, {plain_bytes / MIB:.0f} MiB plain "
             f"(seed {a.seed}); .gz twin {tree_bytes(gzd) / MIB:.0f} MiB compressed\n")
    L.append("## Throughput\n")
    L.append("| run | MB/s | vs asrlog --jobs 1 | peak RSS | note |")
    L.append("|---|---:|---:|---:|---|")
    base = mbps(plain_bytes, t_j1)
    for label, b, s, rss, note in rows:
        v = mbps(b, s)
        L.append(f"| {label} | {v:,.0f} | {v / base:.3f}x | "
                 f"{'' if rss is None else f'{rss / 1024:.1f} MiB'} | {note} |")
    L.append("\n## Start-up (one-line input, wall)\n")
    L.append(f"- warm database cache: {warm_t * 1000:.1f} ms")
    L.append(f"- cold (`--no-cache`, Hyperscan compile): {cold_t * 1000:.1f} ms\n")
    L.append("## Peak RSS against input size\n")
    L.append("| input | --jobs 1 | --jobs " + str(cores) + " |")
    L.append("|---:|---:|---:|")
    for b, r1, rn in rss_rows:
        L.append(f"| {b / MIB:.0f} MiB | {r1 / 1024:.1f} MiB | {rn / 1024:.1f} MiB |")
    L.append("\n## Targets (issue 3)\n")
    L.append("| target | measured | met |")
    L.append("|---|---:|:---:|")
    for name, ok, got in targets:
        L.append(f"| {name} | {got} | {'yes' if ok else '**no**'} |")
    L.append(f"\nAccuracy checker: `{acc_line}`\n")
    text = "\n".join(L) + "\n"
    try:  # the hand-written analysis below "## Notes" survives a new run
        old = open(a.results).read()
        if "\n## Notes" in old:
            text += old[old.index("\n## Notes"):]
    except OSError:
        pass
    with open(a.results, "w") as f:
        f.write(text)
    print(text)
    if not a.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
