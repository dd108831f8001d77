#!/usr/bin/env python3
"""run.py — the hostile-input matrix: inputs built to break a log reader, and what asrlog must
still do with each of them.

usage: run.py ASRLOG [--group fast|slow|all] [--only NAME] [--rss-limit-mib N] [--keep]

Every case of CASES builds its input in a fresh temporary folder (large ones are written in
streaming fashion or generated while asrlog reads them; nothing big is committed), runs
`asrlog scan --format json` on it and checks, for every case:
  1. asrlog ends by itself within the case's time limit (no hang) and exits 0, 1 or 3
     (never a signal, a usage error or an internal error);
  2. its peak resident memory (wait4's ru_maxrss) is at most --rss-limit-mib (256 MiB);
  3. standard output is valid UTF-8 and exactly one JSON document, with no NUL character in
     any string (many JSON readers refuse "\\u0000");
  4. the hostile input is listed in "inputs" under its path, with an expected status, and a
     non-empty reason when it was not analysed (or whenever the case expects one);
  5. the evidence lines planted around the hostile part (before it and, when the format lets
     anything follow, after it) are still found: their signatures are findings of the report,
     first seen in the expected file;
  6. whatever else the case states (an evidence text decoded right, no input listed twice …).
The last line is "N passed, N failed, N skipped". Exit status 0 only when none failed.
"""
import argparse
import gzip
import json
import os
import random
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib

MIB = 1 << 20

# Two real-format lines of a Linux install log, each hit by one failure signature.
BEFORE = (b"03/14/2023 10:22:00 : Script initiated with the following command: ./install -q -r MS\n"
          b"03/14/2023 10:22:11 : The Grub has the entry for the device /dev/sda2,/dev/sda1. "
          b"Use the UUID instead of the device name. \n")
AFTER = b"03/14/2023 10:22:53 : The boot disk is not available. Create a bootable partition. \n"
SIG_BEFORE = "linux.boot.grub_device_name"
SIG_AFTER = "linux.boot.boot_disk_not_found"
LOG_NAME = "ua_install.log"


class Setup:
    """What one case built: how to run asrlog on it and what to expect.

    args       paths (or "-") given to `asrlog scan`, after `extra_args`
    target     the hostile input's path as the report lists it
    statuses   acceptable statuses of the target
    evidence   [(signature, file as listed)] that must be findings of the report
    reason     regular expression the target's reason must match (None: any, or null when
               the status is "analyzed")
    stdin      callable(fileobj) that writes asrlog's standard input, or None
    background callable() -> stop function, started just before asrlog, or None
    check      callable(report, target_input) -> error text or None, for case-specific facts
    exits      acceptable exit codes
    """

    def __init__(self, args, target, evidence, statuses=("analyzed",), reason=None,
                 extra_args=(), stdin=None, background=None, check=None, exits=(0, 1, 3)):
        self.args, self.target, self.evidence = list(args), target, list(evidence)
        self.statuses, self.reason, self.extra_args = statuses, reason, list(extra_args)
        self.stdin, self.background, self.check, self.exits = stdin, background, check, exits


class Case:
    """One row of the matrix: a name, a builder (temp folder -> Setup), a group, a time limit."""

    def __init__(self, name, build, group="fast", seconds=60, root_only_skip=None):
        self.name, self.build, self.group, self.seconds = name, build, group, seconds
        self.root_only_skip = root_only_skip  # reason to skip when running as root


# ---------------------------------------------------------------------------------------------
# building blocks

def write(path, data):
    """Writes bytes to path, making its folder."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    return path


def both(path):
    """The two planted signatures, both expected in `path`."""
    return [(SIG_BEFORE, path), (SIG_AFTER, path)]


def around(d, hostile, name=LOG_NAME):
    """A log file: evidence, the hostile bytes, a newline, evidence. Returns its path."""
    return write(os.path.join(d, name), BEFORE + hostile + b"\n" + AFTER)


def filler_lines(n_bytes, seed=1):
    """About n_bytes of harmless log lines."""
    rnd = random.Random(seed)
    out, size = [], 0
    while size < n_bytes:
        line = b"03/14/2023 10:22:%02d : step %d done, nothing to report\n" % (
            rnd.randrange(60), rnd.randrange(10 ** 6))
        out.append(line)
        size += len(line)
    return b"".join(out)


def gz(data):
    return gzip.compress(data, compresslevel=6, mtime=0)


def utf16le(data):
    return data.decode("utf-8").encode("utf-16-le")


def evidence_text(report, sig):
    """The first evidence text of signature `sig` anywhere in the report, or None."""
    for h in report["hosts"]:
        for f in h.get("findings", []):
            if f["signature"] == sig:
                return f["first"]["text"]
    return None


# ---------------------------------------------------------------------------------------------
# the cases, in the order of the list

def case_empty_file(d):
    target = write(os.path.join(d, "empty", LOG_NAME), b"")
    other = around(os.path.join(d, "neighbour"), b"")
    return Setup([d], target, both(other))


def case_empty_gzip(d):
    target = write(os.path.join(d, "empty", LOG_NAME + ".gz"), gz(b""))
    other = around(os.path.join(d, "neighbour"), b"")
    return Setup([d], target, both(other))


def case_bom_only(d):
    target = write(os.path.join(d, "empty", LOG_NAME), b"\xff\xfe")
    other = around(os.path.join(d, "neighbour"), b"")
    return Setup([d], target, both(other))


def case_binary(d):
    rnd = random.Random(6)
    path = around(d, rnd.randbytes(4 * MIB))
    return Setup([path], path, both(path))


def case_nul_run(d):
    """A log with a long run of NUL bytes (what a crash leaves in a preallocated file)."""
    path = around(d, b"\0" * (32 * MIB))
    return Setup([path], path, both(path))


def case_nul_first(d):
    """NULs before everything: the encoding guess must not take them for UTF-16."""
    path = write(os.path.join(d, LOG_NAME), b"\0" * MIB + b"\n" + BEFORE + AFTER)
    return Setup([path], path, both(path))


def case_nul_inside_lines(d):
    path = write(os.path.join(d, LOG_NAME), BEFORE.replace(b"/dev/sda2", b"/dev/s\0da2") +
                 b"a\0b\0c\0\n" * 1000 + b"\0" + AFTER)
    return Setup([path], path, both(path))


def write_streaming(path, head, chunk, count, tail):
    """Writes head + chunk * count + tail without holding it all in memory."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(head)
        for _ in range(count):
            f.write(chunk)
        f.write(tail)
    return path


def case_huge_line(d):
    """Hundreds of MB without a newline between two evidence lines."""
    path = write_streaming(os.path.join(d, LOG_NAME), BEFORE, b"A" * MIB, 320, b"\n" + AFTER)
    return Setup([path], path, both(path))


def case_huge_line_stdin(d):
    """The same, read from a pipe: no size is known in advance."""
    def feed(f):
        f.write(BEFORE)
        block = b"0123456789abcdef" * (MIB // 16)
        for _ in range(200):
            f.write(block)
        f.write(b"\n" + AFTER)
    return Setup(["-"], "<stdin>", both("<stdin>"), stdin=feed)


def case_multi_mb_lines(d):
    rnd = random.Random(3)
    lines = b"".join(bytes(rnd.choice(b"abcdef =:;,") for _ in range(1024)) * (6 * 1024) + b"\n"
                     for _ in range(3))
    path = around(d, lines)
    return Setup([path], path, both(path))


def case_multi_mb_matched_line(d):
    """The evidence line itself is 5 MiB long: its text is cut, not lost."""
    path = write(os.path.join(d, LOG_NAME), BEFORE + AFTER.rstrip(b"\n") + b"x" * (5 * MIB) + b"\n")

    def short_text(report, _):
        t = evidence_text(report, SIG_AFTER)
        return None if t is not None and len(t.encode()) <= 4096 else f"evidence text: {t!r:.80}"
    return Setup([path], path, both(path), check=short_text)


def case_gzip_truncated(d):
    """Only what comes before the cut can be found; the reason says the stream is cut short."""
    data = gz(BEFORE + filler_lines(2 * MIB) + AFTER)
    path = write(os.path.join(d, LOG_NAME + ".gz"), data[: len(data) // 2])
    return Setup([path], path, [(SIG_BEFORE, path)], reason=r"truncated")


def case_gzip_bad_crc(d):
    data = bytearray(gz(BEFORE + filler_lines(MIB) + AFTER))
    data[-8] ^= 0x5A  # CRC32 of the member
    path = write(os.path.join(d, LOG_NAME + ".gz"), bytes(data))
    return Setup([path], path, both(path), reason=r"corrupt|truncated")


def case_gzip_multi_member(d):
    path = write(os.path.join(d, LOG_NAME + ".gz"),
                 gz(BEFORE) + gz(filler_lines(MIB)) + gz(b"") + gz(AFTER))
    return Setup([path], path, both(path))


def case_gzip_trailing_garbage(d):
    path = write(os.path.join(d, LOG_NAME + ".gz"),
                 gz(BEFORE + filler_lines(MIB) + AFTER) + b"\0\0\0\0garbage\xff\xfe" * 100)
    return Setup([path], path, both(path))


def gzip_bomb_member(n_mib):
    """A gzip member of n_mib MiB of NUL bytes (about 1 KiB per MiB), made in pieces."""
    c = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = b"\0" * MIB
    parts = [c.compress(zeros) for _ in range(n_mib)]
    parts.append(c.flush())
    return b"".join(parts)


def case_gzip_bomb(d):
    """1 GiB of NULs in about 1 MiB of gzip, between two members with evidence."""
    path = write(os.path.join(d, LOG_NAME + ".gz"),
                 gz(BEFORE) + gzip_bomb_member(1024) + gz(b"\n" + AFTER))
    return Setup([path], path, both(path))


def case_utf16_odd_length(d):
    path = write(os.path.join(d, LOG_NAME), b"\xff\xfe" + utf16le(BEFORE + filler_lines(4096) +
                                                                  AFTER) + b"A")
    return Setup([path], path, both(path))


def case_utf16_no_bom(d):
    path = write(os.path.join(d, LOG_NAME), utf16le(BEFORE + AFTER))
    return Setup([path], path, both(path))


def case_utf16_no_bom_large(d):
    """BOM-less UTF-16 large enough to be read in pieces: only its NUL pattern tells."""
    path = write(os.path.join(d, LOG_NAME), utf16le(BEFORE + filler_lines(3 * MIB) + AFTER))
    return Setup([path], path, both(path))


def case_utf16_lone_surrogates(d):
    lone = struct.pack("<6H", 0xD800, 0x41, 0xDC00, 0xDBFF, 0xDBFF, 0x0A)
    path = write(os.path.join(d, LOG_NAME), b"\xff\xfe" + utf16le(BEFORE) + lone * 50 +
                 utf16le(AFTER) + struct.pack("<H", 0xD83D))
    return Setup([path], path, both(path))


JSON_BREAKERS = b'"\\\x01\x08\x0c\x1b\x7f\xff\xc0\xe2\x80\xa8\xe2\x80\xa9\xed\xa0\x80\x00</script>'


def case_json_breaking_in_matched_line(d):
    """Quotes, backslashes, control bytes, invalid UTF-8, U+2028/9 and NUL inside a matched
    line: the JSON stays valid and the evidence text keeps them (escaped, or repaired: a NUL
    becomes U+FFFD) along with the rest of the line after them."""
    line = (b"03/14/2023 10:22:11 : The Grub has the entry for the device /dev/sd" + JSON_BREAKERS +
            b". Use the UUID instead of the device name. \n")
    path = write(os.path.join(d, LOG_NAME), BEFORE.split(b"\n")[0] + b"\n" + line + AFTER)

    def kept(report, _):
        t = evidence_text(report, SIG_BEFORE) or ""
        missing = [c for c in ('"', "\\", "\x1b", "\u00ff", "\u2028", "\ufffd</script>",
                               "Use the UUID") if c not in t]
        return f"evidence text lacks {missing!r}: {t!r}" if missing else None
    return Setup([path], path, both(path), check=kept)


def case_invalid_utf8(d):
    bad = b"\xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 \xf5\xff \xe2\x82 \xf0\x9f\x98\n" * 500
    path = around(d, bad)
    return Setup([path], path, both(path))


def case_cp1252(d):
    """A log saved in Windows-1252: accented words, curly quotes and the euro sign."""
    text = ("03/14/2023 10:22:00 : Script initiated with the following command: ./install\n"
            "03/14/2023 10:22:05 : Résumé of “données” — coût 5 €\n"
            "03/14/2023 10:22:11 : The Grub has the entry for the device /dev/sdé. "
            "Use the UUID instead of the device name. \n") + AFTER.decode()
    path = write(os.path.join(d, LOG_NAME), text.encode("cp1252"))

    def decoded(report, _):
        t = evidence_text(report, SIG_BEFORE) or ""
        return None if "/dev/sdé." in t else f"cp1252 not decoded: {t!r}"
    return Setup([path], path, both(path), check=decoded)


def symlink_loop_tree(d):
    """a -> b -> a, two links to their own folder, and a log with evidence."""
    os.symlink("b", os.path.join(d, "a"))
    os.symlink("a", os.path.join(d, "b"))
    os.symlink(".", os.path.join(d, "self1"))
    os.symlink(".", os.path.join(d, "self2"))
    return around(os.path.join(d, "host"), b"")


def listed_once(report, _):
    paths = [i["path"] for i in report["inputs"]]
    dup = sorted({p for p in paths if paths.count(p) > 1})
    logs = [p for p in paths if p.endswith(LOG_NAME)]
    if dup or len(logs) > 1:
        return f"{len(paths)} inputs, duplicates {dup[:3]}, logs {logs[:3]}"
    return None


def case_symlink_loop(d):
    log = symlink_loop_tree(d)
    return Setup([d], os.path.join(d, "a"), both(log), statuses=("skipped",),
                 reason=r"symbolic link", check=listed_once)


def case_symlink_loop_followed(d):
    log = symlink_loop_tree(d)
    return Setup([d], os.path.join(d, "a"), both(log), statuses=("skipped", "unreadable"),
                 reason=r"symbolic link|levels|loop", extra_args=["--follow-symlinks"],
                 check=listed_once)


def case_symlink_fan(d):
    """24 folders, each with two links to the next: without a memory of walked folders,
    --follow-symlinks would walk the last one 2^24 times."""
    for k in range(24):
        os.makedirs(os.path.join(d, f"f{k}"))
        if k:
            os.symlink(f"../f{k}", os.path.join(d, f"f{k - 1}", "x"))
            os.symlink(f"../f{k}", os.path.join(d, f"f{k - 1}", "y"))
    log = around(os.path.join(d, "f23", "host"), b"")
    dup = os.path.join(d, "f0", "x", "y")  # f2 again, through the second link of f1

    def bounded(report, _):
        n = len(report["inputs"])
        return None if n < 200 else f"{n} inputs listed"
    return Setup([d], dup, [(SIG_BEFORE, os.path.join(d, "f0", "x", "x", "x", "x", "x", "x",
                                                      "x", "x", "x", "x", "x", "x", "x", "x",
                                                      "x", "x", "x", "x", "x", "x", "x", "x",
                                                      "x", "host", LOG_NAME))],
                 statuses=("skipped",), reason=r"already walked",
                 extra_args=["--follow-symlinks"], check=bounded)


def case_fifo(d):
    os.mkfifo(os.path.join(d, "pipe.log"))
    log = around(os.path.join(d, "host"), b"")
    return Setup([d], os.path.join(d, "pipe.log"), both(log), statuses=("skipped",),
                 reason=r"FIFO")


def case_fifo_followed(d):
    os.mkfifo(os.path.join(d, "pipe"))
    os.symlink("pipe", os.path.join(d, LOG_NAME))
    log = around(os.path.join(d, "host"), b"")
    return Setup([d], os.path.join(d, LOG_NAME), both(log), statuses=("skipped",),
                 reason=r"FIFO", extra_args=["--follow-symlinks"])


def case_unreadable_permission(d):
    path = around(os.path.join(d, "locked"), b"")
    os.chmod(path, 0)
    log = around(os.path.join(d, "host"), b"")
    return Setup([d], path, both(log), statuses=("unreadable",), reason=r"Permission denied",
                 exits=(3,))


def case_unreadable_read_error(d):
    """A file that opens but fails to read (EIO): /proc/self/mem at offset 0. This works as
    root too, where permissions do not stop reading."""
    os.symlink("/proc/self/mem", os.path.join(d, LOG_NAME))
    log = around(os.path.join(d, "host"), b"")
    return Setup([d], os.path.join(d, LOG_NAME), both(log), statuses=("unreadable",),
                 reason=r"read error", extra_args=["--follow-symlinks"], exits=(3,))


def case_changing_file(d):
    """A 64 MiB log that a writer keeps truncating and growing again while asrlog reads it.
    The head (with the first evidence) never changes; the rest may or may not be seen."""
    path = os.path.join(d, LOG_NAME)
    body = filler_lines(32 * MIB)
    write(path, BEFORE + body + body + AFTER)
    stop = threading.Event()

    def churn():
        keep = len(BEFORE) + MIB
        while not stop.is_set():
            try:
                os.truncate(path, keep)
                with open(path, "ab") as f:
                    for k in range(0, len(body), 4 * MIB):
                        if stop.is_set():
                            break
                        f.write(body[k:k + 4 * MIB])
                    f.write(AFTER)
            except OSError:
                pass

    def start():
        t = threading.Thread(target=churn, daemon=True)
        t.start()

        def finish():
            stop.set()
            t.join()
        return finish
    return Setup([path], path, [(SIG_BEFORE, path)], statuses=("analyzed", "unreadable"),
                 background=start)


def with_args(build, *args):
    """The same case with more asrlog options (e.g. several workers reading pieces)."""
    def built(d):
        setup = build(d)
        setup.extra_args += list(args)
        return setup
    return built


# ---------------------------------------------------------------------------------------------
# archives (read in memory through libarchive; nothing may be written)

def zip_bytes(entries, method=None):
    """A zip of [(name, bytes)] (deflated unless `method` says otherwise)."""
    import io
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method if method is not None else zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            z.writestr(name, data)
    return buf.getvalue()


def no_new_files(root, before):
    """A check: nothing appeared beside the inputs (an entry was never extracted)."""
    def check(report, target):
        after = set(os.listdir(root))
        return None if after == before else f"files appeared: {sorted(after - before)}"
    return check


def case_zip_bomb(d):
    """One entry: evidence, 1 GiB of NULs (about 1 MiB deflated), evidence."""
    import zipfile
    path = os.path.join(d, "bomb.zip")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open(LOG_NAME, "w") as w:
            w.write(BEFORE)
            zeros = b"\0" * MIB
            for _ in range(1024):
                w.write(zeros)
            w.write(b"\n" + AFTER)
    target = path + "!" + LOG_NAME
    return Setup([path], target, both(target))


def case_zip_bomb_capped(d):
    """The same bomb cut by --max-decompressed: the evidence before the cut still counts."""
    s = case_zip_bomb(d)
    s.extra_args = ["--max-decompressed", "64M"]
    s.evidence = [(SIG_BEFORE, s.target)]
    s.reason = "limit"
    return s


def case_zip_truncated(d):
    data = zip_bytes([(LOG_NAME, BEFORE + filler_lines(MIB) + AFTER)])
    path = write(os.path.join(d, "cut", "cut.zip"), data[: len(data) // 2])
    other = around(os.path.join(d, "neighbour"), b"")
    return Setup([d], path, both(other), statuses=("unreadable", "analyzed"))


def case_targz_truncated(d):
    import io
    import tarfile
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        for name, data in ((LOG_NAME, BEFORE + b"\n" + AFTER),
                           ("noise.log", os.urandom(400000))):
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
    path = write(os.path.join(d, "cut.tar.gz"), buf.getvalue()[: len(buf.getvalue()) // 2])
    return Setup([path], path, both(path + "!" + LOG_NAME), statuses=("unreadable",))


def case_encrypted_entry(d):
    data = bytearray(zip_bytes([(LOG_NAME, BEFORE + b"\n" + AFTER),
                                ("secret.log", b"password protected\n")]))
    for sig, flag_at, name_at in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
        i = data.find(sig)
        while i >= 0:
            if data[i + name_at:i + name_at + 10] == b"secret.log":
                data[i + flag_at] |= 1
            i = data.find(sig, i + 4)
    path = write(os.path.join(d, "enc.zip"), bytes(data))
    return Setup([path], path + "!secret.log", both(path + "!" + LOG_NAME),
                 statuses=("skipped",), reason="encrypted")


def case_traversal_names(d):
    inputs = os.path.join(d, "in")
    name = "../../../escape/" + LOG_NAME
    path = write(os.path.join(inputs, "names.zip"),
                 zip_bytes([(name, BEFORE + b"\n" + AFTER), ("/abs/" + LOG_NAME, b"x\n")]))
    before = set(os.listdir(d))
    target = path + "!" + name
    return Setup([inputs], target, both(target), check=no_new_files(d, before))


def case_nested_deep(d):
    data, name = BEFORE + b"\n" + AFTER, LOG_NAME
    for level in range(5):
        data, name = zip_bytes([(name, data)]), "level%d.zip" % level
    path = write(os.path.join(d, "deep.zip"), data)
    other = around(os.path.join(d, "neighbour"), b"")
    target = path + "!level3.zip!level2.zip!level1.zip"
    return Setup([d], target, both(other), statuses=("skipped",), reason="nested deeper")


PIECES = ("--jobs", "2", "--split-size", "1M")  # large plain files read in 1 MiB pieces

CASES = [
    Case("empty-file", case_empty_file),
    Case("empty-gzip", case_empty_gzip),
    Case("bom-only", case_bom_only),
    Case("binary", case_binary),
    Case("nul-run", case_nul_run),
    Case("nul-first", case_nul_first),
    Case("nul-inside-lines", case_nul_inside_lines),
    Case("huge-line-no-newline", case_huge_line, group="slow", seconds=120),
    Case("huge-line-stdin", case_huge_line_stdin, group="slow", seconds=120),
    Case("huge-line-pieces", with_args(case_huge_line, *PIECES), group="slow", seconds=120),
    Case("multi-mb-lines", case_multi_mb_lines),
    Case("multi-mb-matched-line", case_multi_mb_matched_line),
    Case("multi-mb-lines-pieces", with_args(case_multi_mb_lines, *PIECES)),
    Case("nul-run-pieces", with_args(case_nul_run, *PIECES)),
    Case("gzip-truncated", case_gzip_truncated),
    Case("gzip-bad-crc", case_gzip_bad_crc),
    Case("gzip-multi-member", case_gzip_multi_member),
    Case("gzip-trailing-garbage", case_gzip_trailing_garbage),
    Case("gzip-bomb", case_gzip_bomb, group="slow", seconds=120),
    Case("utf16-odd-length", case_utf16_odd_length),
    Case("utf16-no-bom", case_utf16_no_bom),
    Case("utf16-no-bom-pieces", with_args(case_utf16_no_bom_large, *PIECES)),
    Case("utf16-lone-surrogates", case_utf16_lone_surrogates),
    Case("json-breaking-in-matched-line", case_json_breaking_in_matched_line),
    Case("invalid-utf8", case_invalid_utf8),
    Case("cp1252", case_cp1252),
    Case("symlink-loop", case_symlink_loop),
    Case("symlink-loop-followed", case_symlink_loop_followed),
    Case("symlink-fan", case_symlink_fan),
    Case("fifo", case_fifo),
    Case("fifo-followed", case_fifo_followed),
    Case("unreadable-permission", case_unreadable_permission,
         root_only_skip="running as root: permissions do not stop root from reading "
                        "(unreadable-read-error covers unreadable files instead)"),
    Case("unreadable-read-error", case_unreadable_read_error),
    Case("changing-file", case_changing_file, seconds=90),
    Case("changing-file-pieces", with_args(case_changing_file, *PIECES), seconds=90),
    Case("zip-bomb", case_zip_bomb, group="slow", seconds=120),
    Case("zip-bomb-capped", case_zip_bomb_capped, group="slow", seconds=120),
    Case("zip-truncated", case_zip_truncated),
    Case("targz-truncated", case_targz_truncated),
    Case("zip-encrypted-entry", case_encrypted_entry),
    Case("zip-traversal-names", case_traversal_names),
    Case("zip-nested-deep", case_nested_deep),
]


# ---------------------------------------------------------------------------------------------
# running and checking

class Result:
    def __init__(self):
        self.exit = None
        self.killed = False
        self.rss_mib = 0.0
        self.seconds = 0.0
        self.stdout = b""
        self.stderr = b""


def measure_child(result_file, cmd):
    """The --measure helper: runs cmd as a child of this small process and writes its exit
    status and peak RSS (KiB) to result_file.

    Linux keeps a process's peak RSS across exec, so a child started straight from the driver
    would report at least the driver's own peak (which grows while cases are generated). A
    child forked from this fresh helper reports the larger of the helper's few MiB and
    asrlog's own peak."""
    pid = os.fork()
    if pid == 0:
        try:
            os.execv(cmd[0], cmd)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    with open(result_file, "w") as f:
        json.dump({"status": status, "maxrss_kib": usage.ru_maxrss}, f)
    return 0


def run_asrlog(asrlog, setup, seconds):
    """Runs asrlog on a case through the --measure helper; kills both on time out."""
    r = Result()
    out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    fd, result_file = tempfile.mkstemp(prefix="asrlog-hostile-rss-")
    os.close(fd)
    cmd = [asrlog, "scan", "--format", "json", "--no-progress"] + setup.extra_args + setup.args
    stop_bg = setup.background() if setup.background else None
    t0 = time.monotonic()
    p = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--measure", result_file,
                          "--"] + cmd,
                         stdin=subprocess.PIPE if setup.stdin else subprocess.DEVNULL,
                         stdout=out, stderr=err, start_new_session=True)

    def kill():
        r.killed = True
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except OSError:
            pass
    timer = threading.Timer(seconds, kill)
    timer.start()
    writer = None
    if setup.stdin:
        def feed():
            try:
                setup.stdin(p.stdin)
                p.stdin.close()
            except (BrokenPipeError, ValueError, OSError):
                pass
        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
    p.wait()
    r.seconds = time.monotonic() - t0
    timer.cancel()
    if stop_bg:
        stop_bg()
    if writer:
        writer.join(5)
    try:
        with open(result_file) as f:
            measured = json.load(f)
        r.exit = os.waitstatus_to_exitcode(measured["status"])
        r.rss_mib = measured["maxrss_kib"] / 1024.0  # KiB on Linux
    except (OSError, ValueError):
        r.exit = -signal.SIGKILL if r.killed else p.returncode
    os.unlink(result_file)
    out.seek(0)
    err.seek(0)
    r.stdout, r.stderr = out.read(), err.read()
    return r


def strings_of(value):
    """Every string (keys too) in a parsed JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from strings_of(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings_of(v)


def check(setup, r, rss_limit):
    """Returns a list of broken expectations (empty when the case passed)."""
    bad = []
    if r.killed:
        return [f"no answer within the time limit (killed after {r.seconds:.0f} s)"]
    if r.exit < 0:
        return [f"killed by signal {-r.exit} ({signal.Signals(-r.exit).name}); stderr: "
                f"{r.stderr[-300:]!r}"]
    if r.exit not in setup.exits:
        bad.append(f"exit {r.exit}, expected one of {setup.exits}; stderr: {r.stderr[-300:]!r}")
    if r.rss_mib > rss_limit:
        bad.append(f"peak RSS {r.rss_mib:.0f} MiB > {rss_limit} MiB")
    try:
        text = r.stdout.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        return bad + [f"output is not UTF-8: {e}"]
    try:
        report = json.loads(text)  # one document: anything after it is an error
    except ValueError as e:
        return bad + [f"output is not one JSON document: {e}"]
    if any("\0" in v for v in strings_of(report)):
        bad.append("a NUL character in the report (many JSON readers refuse \\u0000)")
    inputs = [i for i in report.get("inputs", []) if i.get("path") == setup.target]
    if not inputs:
        bad.append(f"{setup.target} is not listed in inputs")
    for i in inputs:
        if i.get("status") not in setup.statuses:
            bad.append(f"status {i.get('status')!r} ({i.get('reason')!r}), expected {setup.statuses}")
        reason = i.get("reason")
        if i.get("status") != "analyzed" and not reason:
            bad.append("not analysed, but no reason given")
        if setup.reason and not re.search(setup.reason, reason or ""):
            bad.append(f"reason {reason!r} does not match /{setup.reason}/")
    found = {(f["signature"], f["first"]["file"]) for h in report.get("hosts", [])
             for f in h.get("findings", [])}
    for sig, path in setup.evidence:
        if (sig, path) not in found:
            bad.append(f"evidence lost: {sig} in {path}")
    if setup.check and not bad:
        problem = setup.check(report, inputs[0] if inputs else None)
        if problem:
            bad.append(problem)
    return bad


def main():
    if len(sys.argv) > 3 and sys.argv[1] == "--measure" and sys.argv[3] == "--":
        return measure_child(sys.argv[2], sys.argv[4:])
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("asrlog")
    ap.add_argument("--group", choices=("fast", "slow", "all"), default="all")
    ap.add_argument("--only", action="append", help="run only the named case(s)")
    ap.add_argument("--rss-limit-mib", type=float, default=256)
    ap.add_argument("--time-factor", type=float, default=1.0,
                    help="multiply every time limit (slower sanitizer builds)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folders")
    a = ap.parse_args()
    asrlog = os.path.abspath(a.asrlog)
    passed = failed = skipped = 0
    root = os.geteuid() == 0
    for case in CASES:
        if a.only and case.name not in a.only:
            continue
        if not a.only and a.group != "all" and case.group != a.group:
            continue
        if root and case.root_only_skip:
            print(f"skip {case.name}: {case.root_only_skip}")
            skipped += 1
            continue
        d = tempfile.mkdtemp(prefix=f"asrlog-hostile-{case.name}-")
        try:
            setup = case.build(d)
            r = run_asrlog(asrlog, setup, case.seconds * a.time_factor)
            problems = check(setup, r, a.rss_limit_mib)
        except Exception as e:  # a broken case is a failure, not a crash of the driver
            problems, r = [f"case error: {type(e).__name__}: {e}"], Result()
        finally:
            if not a.keep:
                for dirpath, dirnames, _ in os.walk(d):
                    for n in dirnames:
                        p = os.path.join(dirpath, n)
                        if not os.path.islink(p):
                            os.chmod(p, 0o755)
                shutil.rmtree(d, ignore_errors=True)
        stats = f"({r.seconds:.1f} s, {r.rss_mib:.0f} MiB, exit {r.exit})"
        if problems:
            failed += 1
            print(f"FAIL {case.name} {stats}")
            for p in problems:
                print(f"     {p}")
        else:
            passed += 1
            print(f"ok   {case.name} {stats}")
        sys.stdout.flush()
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
