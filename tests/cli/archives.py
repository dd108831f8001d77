#!/usr/bin/env python3
"""Archives: a zip of per-host zips, a folder of per-host .tar.gz and a .tgz of per-host
folders give the verdicts of the unpacked corpus; hostile archives built here (traversal and
absolute names, links, devices, encrypted and truncated entries, a zip bomb, nesting deeper
than allowed) never crash, never write a file, list every entry they do not read with its
reason, and still analyse the rest. File, folder and entry names that are not UTF-8 are shown
with "\\xNN" escapes and their hosts kept apart.

usage: archives.py ASRLOG SOURCE_DIR
"""
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile

EVIDENCE = (b"03/14/2023 10:22:41: Script initiated with the following command:\n"
            b"03/14/2023 10:22:45 : This version of mobility service doesn't support the "
            b"operating system kernel version (5.14) running on the source machine. \n"
            b"03/14/2023 10:22:46 : Installer exiting with code: 99 \n")


def scan(asrlog, *args):
    p = subprocess.run([asrlog, "scan", "-q", "--format", "json", *args], capture_output=True,
                       timeout=300)
    if p.returncode not in (0, 1, 3):
        raise AssertionError(f"exit {p.returncode}: {p.stderr[-400:]!r}")
    return json.loads(p.stdout)


def verdicts(doc):
    return sorted((h["host"], h["outcome"], (h.get("root_cause") or {}).get("signature"))
                  for h in doc["hosts"])


def inputs(doc):
    return {i["path"]: i for i in doc["inputs"]}


def per_host_zip(src, host):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for root, _, files in sorted(os.walk(os.path.join(src, host))):
            for f in sorted(files):
                p = os.path.join(root, f)
                z.write(p, os.path.relpath(p, os.path.join(src, host)))
    return buf.getvalue()


def mark_encrypted(data, name):
    """Sets the 'encrypted' flag of entry `name` in a zip's local and central headers."""
    b = bytearray(data)
    n = name.encode()
    for sig, flag_at, name_at in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
        i = b.find(sig)
        while i >= 0:
            if b[i + name_at:i + name_at + len(n)] == n:
                b[i + flag_at] |= 1
            i = b.find(sig, i + 4)
    return bytes(b)


def main():
    asrlog, src = sys.argv[1], sys.argv[2]
    corpus = os.path.join(src, "corpus")
    want = verdicts(scan(asrlog, corpus))
    hosts = sorted(h for h in os.listdir(corpus) if os.path.isdir(os.path.join(corpus, h)))
    fails = []

    def check(cond, what):
        if not cond:
            fails.append(what)

    with tempfile.TemporaryDirectory() as tmp:
        # 1. layouts: the same verdicts as the unpacked corpus
        fleet = os.path.join(tmp, "fleet.zip")
        with zipfile.ZipFile(fleet, "w", zipfile.ZIP_STORED) as z:
            for h in hosts:
                z.writestr(h + ".zip", per_host_zip(corpus, h))
        bundles = os.path.join(tmp, "bundles")
        os.makedirs(bundles)
        for h in hosts:
            with tarfile.open(os.path.join(bundles, h + ".tar.gz"), "w:gz") as t:
                t.add(os.path.join(corpus, h), arcname=".")
        tgz = os.path.join(tmp, "all.tgz")
        with tarfile.open(tgz, "w:gz") as t:
            for h in hosts:
                t.add(os.path.join(corpus, h), arcname=h)
        for label, path in (("zip of per-host zips", fleet), ("folder of per-host .tar.gz",
                            bundles), (".tgz of per-host folders", tgz)):
            for jobs in ("1", "2"):
                got = verdicts(scan(asrlog, "--jobs", jobs, path))
                check(got == want, f"{label} (--jobs {jobs}): verdicts differ from the corpus")
        doc = scan(asrlog, fleet)
        check(any("fleet.zip!WEB01.zip!" in p for p in inputs(doc)),
              "entries are not named outer.zip!inner.zip!path")
        doc = scan(asrlog, "--max-archive-depth", "1", fleet)
        i = inputs(doc).get(fleet + "!WEB01.zip")
        check(i is not None and i["status"] == "skipped" and "--max-archive-depth" in i["reason"],
              f"--max-archive-depth 1 did not skip the inner archives: {i}")

        # 2. hostile archives, each with one good host log inside
        hostile = os.path.join(tmp, "hostile")
        os.makedirs(hostile)
        z = os.path.join(hostile, "names.zip")
        with zipfile.ZipFile(z, "w") as zf:
            zf.writestr("../../escape/ua_install.log", EVIDENCE)
            zf.writestr("/abs/path/ua_install.log", EVIDENCE)
            zf.writestr("HOSTA/var/log/ua_install.log", EVIDENCE)
            zf.writestr("secret/ua_install.log", EVIDENCE)
        with open(z, "rb") as f:
            data = mark_encrypted(f.read(), "secret/ua_install.log")
        with open(z, "wb") as f:
            f.write(data)
        links = os.path.join(hostile, "links.tar")
        with tarfile.open(links, "w") as t:
            def add(name, kind, target=""):
                ti = tarfile.TarInfo(name)
                ti.type = kind
                ti.linkname = target
                t.addfile(ti)
            ti = tarfile.TarInfo("HOSTB/var/log/ua_install.log")
            ti.size = len(EVIDENCE)
            t.addfile(ti, io.BytesIO(EVIDENCE))
            add("HOSTB/var/log/link.log", tarfile.SYMTYPE, "/etc/passwd")
            add("HOSTB/var/log/hard.log", tarfile.LNKTYPE, "HOSTB/var/log/ua_install.log")
            add("HOSTB/var/log/fifo.log", tarfile.FIFOTYPE)
            add("HOSTB/var/log/dev.log", tarfile.CHRTYPE)
        trunc = os.path.join(hostile, "cut.tar.gz")
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz") as t:
            ti = tarfile.TarInfo("HOSTC/var/log/ua_install.log")
            ti.size = len(EVIDENCE)
            t.addfile(ti, io.BytesIO(EVIDENCE))
            big = os.urandom(200000)
            ti = tarfile.TarInfo("HOSTC/var/log/noise.log")
            ti.size = len(big)
            t.addfile(ti, io.BytesIO(big))
        with open(trunc, "wb") as f:
            f.write(buf.getvalue()[: len(buf.getvalue()) // 2])
        bomb = os.path.join(hostile, "bomb.zip")
        with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
            with zf.open("HOSTD/var/log/ua_install.log", "w") as w:
                w.write(EVIDENCE)
                chunk = b"0" * (1 << 20)
                for _ in range(256):
                    w.write(chunk)
        deep = EVIDENCE
        name = "ua_install.log"
        for level in range(5):
            b = io.BytesIO()
            with zipfile.ZipFile(b, "w") as zf:
                zf.writestr(name, deep)
            deep, name = b.getvalue(), f"level{level}.zip"
        with open(os.path.join(hostile, "deep.zip"), "wb") as f:
            f.write(deep)
        with open(os.path.join(hostile, "notreally.zip"), "wb") as f:
            f.write(b"this is not a zip file\n" * 10)

        before = set(os.listdir(tmp))
        doc = scan(asrlog, "--max-decompressed", "4M", hostile)
        check(set(os.listdir(tmp)) == before and not os.path.exists("/abs/path")
              and not os.path.exists(os.path.join(tmp, "escape")), "a file was written")
        ins = inputs(doc)

        def status(suffix):
            hits = [i for p, i in ins.items() if p.endswith(suffix)]
            return hits[0] if hits else None

        expect = [
            ("names.zip!../../escape/ua_install.log", "analyzed", None),
            ("names.zip!/abs/path/ua_install.log", "analyzed", None),
            ("names.zip!secret/ua_install.log", "skipped", "encrypted"),
            ("links.tar!HOSTB/var/log/link.log", "skipped", "symbolic link"),
            ("links.tar!HOSTB/var/log/hard.log", "skipped", "hard link"),
            ("links.tar!HOSTB/var/log/fifo.log", "skipped", "not a regular file"),
            ("links.tar!HOSTB/var/log/dev.log", "skipped", "not a regular file"),
            ("bomb.zip!HOSTD/var/log/ua_install.log", "analyzed", "limit"),
            ("notreally.zip", "unreadable", "archive"),
        ]
        for suffix, st, reason in expect:
            i = status(suffix)
            if not i:
                fails.append(f"{suffix}: not listed in the report")
                continue
            check(i["status"] == st, f"{suffix}: status {i['status']}, expected {st}")
            if reason:
                check(reason in (i.get("reason") or ""),
                      f"{suffix}: reason {i.get('reason')!r} lacks {reason!r}")
        check(any("cut.tar.gz" in p and i["status"] == "unreadable" for p, i in ins.items()),
              "the truncated .tar.gz is not listed as unreadable")
        check(any("deep.zip" in p and "nested deeper" in (i.get("reason") or "")
                  for p, i in ins.items()), "nesting deeper than allowed is not listed")
        v = {h[0]: h for h in verdicts(doc)}
        for host in ("HOSTA", "HOSTB", "HOSTC", "HOSTD"):
            check(v.get(host, (0, ""))[1] == "failed",
                  f"{host}: the good log next to the hostile entries was not analysed ({v.get(host)})")

        # 3. names that are not UTF-8, on disk and inside an archive
        raw = os.path.join(tmp, "raw").encode()
        for host in (b"H\xfe1", b"H\xfe2"):
            d = os.path.join(raw, host, b"var", b"log")
            os.makedirs(d)
            with open(os.path.join(d, b"ua_install\xff.log"), "wb") as f:
                f.write(EVIDENCE)
        zraw = os.path.join(raw, b"z.zip")
        zbuf = io.BytesIO()
        with zipfile.ZipFile(zbuf, "w") as zf:
            zf.writestr("HOSTZ/var/log/ua_install.log", EVIDENCE)
        zdata = zbuf.getvalue().replace(b"HOSTZ", b"HOST\xff")
        with open(zraw, "wb") as f:
            f.write(zdata)
        doc = scan(asrlog, raw.decode("utf-8", "surrogateescape"))
        hosts_seen = sorted(h["host"] for h in doc["hosts"])
        check(hosts_seen == ["HOST\\xff", "H\\xfe1", "H\\xfe2"],
              f"hosts with non-UTF-8 names: {hosts_seen}")
        check(all(i["status"] == "analyzed" for i in doc["inputs"]),
              f"an input with a non-UTF-8 name was not analysed: {doc['inputs']}")
        check(any(p.endswith("ua_install\\xff.log") for p in inputs(doc)),
              "a non-UTF-8 file name is not shown with a \\xNN escape")

    for f in fails:
        print("FAIL", f)
    print(f"archives: {len(fails)} failed")
    sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
