#!/usr/bin/env python3
"""bench.accuracy — the labelled fleet generator and the accuracy checker, end to end.

usage: run.py GENFLEET ASRLOG ACCURACY_PY

1. generates a small fleet (80 hosts, ~30 MiB, --gzip mixed) and checks its size, layout and
   labels (every outcome, at least 30 distinct root causes, labels outside the fleet);
2. scans it with asrlog and requires accuracy.py to score it at 100 % (exit 0);
3. checks that accuracy.py does fail on a wrong label and on a host missing from the report;
4. generates the same fleet again and requires identical bytes (determinism);
5. generates a fleet with --gzip all and with --gzip none and requires the same decompressed
   bytes and the same labels (the ".gz twin");
6. generates the fleet with --no-chatter and requires the same findings (signature and count
   per host): the benign chatter must not trigger any signature.
Exit 0 when everything holds; prints what failed otherwise.
"""
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile

SEED = "42"
HOSTS = "80"
SIZE = "30M"
SIZE_BYTES = 30 * 1024 * 1024

failures = []


def check(cond, what):
    """Records a failed expectation (and keeps going, so one run shows every problem)."""
    if not cond:
        failures.append(what)
        print(f"FAIL: {what}", file=sys.stderr)
    return cond


def run(cmd, ok=(0,)):
    """Runs a command; returns (rc, stdout). A return code outside `ok` is a failure."""
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    check(p.returncode in ok, f"{' '.join(cmd)} exited {p.returncode}: {p.stderr.strip()[:400]}")
    return p.returncode, p.stdout


def gen(genfleet, out, *extra, hosts=HOSTS, size=SIZE):
    run([genfleet, "--out", out, "--hosts", hosts, "--size", size, "--seed", SEED, "--quiet",
         *extra])
    return out + ".labels.tsv"


def tree(root):
    """{relative path: bytes} of every file under root."""
    files = {}
    for d, _, names in os.walk(root):
        for n in names:
            p = os.path.join(d, n)
            with open(p, "rb") as f:
                files[os.path.relpath(p, root)] = f.read()
    return files


def decompressed(files):
    """The same tree with every .gz member decompressed and its suffix dropped."""
    out = {}
    for rel, data in files.items():
        if rel.endswith(".gz"):
            out[rel[:-3]] = gzip.decompress(data)
        else:
            out[rel] = data
    return out


def read_labels(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            rows.append(line.rstrip("\n").split("\t"))
    return rows


def scan(asrlog, fleet, report):
    rc, out = run([asrlog, "scan", "--format", "json", "--no-progress", fleet], ok=(0, 1))
    with open(report, "w", encoding="utf-8") as f:
        f.write(out)
    return json.loads(out) if out else {"hosts": [], "inputs": []}


def findings(doc):
    """{host: {signature: count}} of a report."""
    return {h["host"]: {x["signature"]: x["count"] for x in h.get("findings", [])}
            for h in doc.get("hosts", [])}


def main(argv):
    if len(argv) != 4:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    genfleet, asrlog, accuracy = argv[1:]
    tmp = tempfile.mkdtemp(prefix="asrlog-bench-")
    try:
        # 1. the fleet
        fleet = os.path.join(tmp, "fleet")
        labels = gen(genfleet, fleet)
        files = tree(fleet)
        plain = decompressed(files)
        total = sum(len(v) for v in plain.values())
        check(abs(total - SIZE_BYTES) <= 0.05 * SIZE_BYTES,
              f"fleet size {total} bytes is not within 5% of {SIZE_BYTES}")
        check(any(r.endswith(".gz") for r in files) and any(not r.endswith(".gz") for r in files),
              "--gzip mixed wrote no .gz file or only .gz files")
        check(os.path.isfile(labels) and not os.path.dirname(labels).startswith(fleet + os.sep),
              "the labels file must exist next to the fleet, not inside it")
        rows = read_labels(labels)
        check(len(rows) == int(HOSTS), f"{len(rows)} labelled hosts, expected {HOSTS}")
        outcomes = {r[1] for r in rows}
        check(outcomes == {"failed", "succeeded", "succeeded_with_warnings"},
              f"labelled outcomes {sorted(outcomes)}")
        causes = {r[2] for r in rows if r[2] != "-"}
        check(len(causes) >= 30, f"only {len(causes)} distinct root causes in the labels")
        for r in rows:
            check((r[1] == "succeeded") == (r[2] == "-"),
                  f"label of {r[0]}: a root cause exactly when the host did not succeed")
        kinds = {"ASRUnifiedAgentInstaller.log", "UnifiedAgentMSIInstall.log", "ua_install.log",
                 "pushinstallservice.log", "InstallerErrors.json"}
        seen = {os.path.basename(r[:-3] if r.endswith(".gz") else r) for r in files}
        missing = sorted(k for k in kinds if not any(s.endswith(k) for s in seen))
        check(not missing, f"missing log kinds: {missing}")
        check(any("/Backup/" in r or "/UploadedLogs/" in r for r in files),
              "no Backup\\ or UploadedLogs\\ attempt files")
        check(any(r.split("/")[0].startswith("cs") for r in files), "no configuration-server folder")

        # 2. scan and score
        report = os.path.join(tmp, "report.json")
        doc = scan(asrlog, fleet, report)
        bad_inputs = [i["path"] for i in doc.get("inputs", []) if i.get("status") != "analyzed"]
        check(not bad_inputs, f"inputs not analysed: {bad_inputs[:5]}")
        rc, out = run([sys.executable, accuracy, report, labels], ok=(0, 1))
        print(out, end="")
        check(rc == 0, "accuracy.py did not score the fleet at 100%")

        # 3. the checker notices a wrong label and a missing host
        wrong = os.path.join(tmp, "wrong.tsv")
        with open(wrong, "w", encoding="utf-8") as f:
            for i, r in enumerate(rows):
                sig = "win.exit.1" if i == 0 else r[2]
                f.write("\t".join([r[0], r[1], sig]) + "\n")
            f.write("NOT-IN-THE-FLEET\tfailed\twin.exit.1\n")
        rc, out = run([sys.executable, accuracy, report, wrong], ok=(1,))
        check("NOT-IN-THE-FLEET" in out and rows[0][0] in out,
              "accuracy.py did not list the wrong label and the missing host")

        # 4. determinism
        again = os.path.join(tmp, "again")
        labels2 = gen(genfleet, again)
        check(tree(again) == files, "the same seed did not give the same bytes")
        check(open(labels2, "rb").read() == open(labels, "rb").read(),
              "the same seed did not give the same labels")
        shutil.rmtree(again)

        # 5. the .gz twin (a smaller fleet keeps it quick)
        gz = os.path.join(tmp, "gz")
        raw = os.path.join(tmp, "raw")
        lgz = gen(genfleet, gz, "--gzip", "all", hosts="40", size="8M")
        lraw = gen(genfleet, raw, "--gzip", "none", hosts="40", size="8M")
        tgz, traw = tree(gz), tree(raw)
        check(all(r.endswith(".gz") for r in tgz), "--gzip all left an uncompressed file")
        check(not any(r.endswith(".gz") for r in traw), "--gzip none wrote a .gz file")
        check(decompressed(tgz) == traw, "--gzip all and --gzip none differ once decompressed")
        check(open(lgz, "rb").read() == open(lraw, "rb").read(),
              "--gzip all and --gzip none have different labels")
        shutil.rmtree(gz)
        shutil.rmtree(raw)

        # 6. the chatter triggers nothing
        bare = os.path.join(tmp, "bare")
        gen(genfleet, bare, "--no-chatter")
        bare_doc = scan(asrlog, bare, os.path.join(tmp, "bare.json"))
        a, b = findings(doc), findings(bare_doc)
        diff = [h for h in sorted(set(a) | set(b)) if a.get(h) != b.get(h)]
        for h in diff[:10]:
            print(f"  {h}: with chatter {a.get(h)}, without {b.get(h)}", file=sys.stderr)
        check(not diff, f"the benign chatter changed the findings of {len(diff)} hosts")
        check(sum(len(v) for v in tree(bare).values()) < total / 2,
              "--no-chatter did not leave the chatter out")

        # 7. a busy configuration server: 500 hosts, so that one push-service log holds far
        #    more than 64 failures of one kind (each host must keep its own evidence)
        busy = os.path.join(tmp, "busy")
        lbusy = gen(genfleet, busy, "--no-chatter", hosts="500", size="40M")
        busy_report = os.path.join(tmp, "busy.json")
        scan(asrlog, busy, busy_report)
        rc, out = run([sys.executable, accuracy, busy_report, lbusy], ok=(0, 1))
        print(out, end="")
        check(rc == 0, "accuracy.py did not score the 500-host fleet at 100%")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print(f"bench.accuracy: {len(failures)} check(s) failed", file=sys.stderr)
        return 1
    print("bench.accuracy: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
