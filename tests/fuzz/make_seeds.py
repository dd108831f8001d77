#!/usr/bin/env python3
"""make_seeds.py — writes the seed corpora of the fuzz harnesses (tests/fuzz/corpus/<name>/).

usage: tests/fuzz/make_seeds.py [SOURCE_DIR]     (default: the repository this file is in)

The seeds are small on purpose (libFuzzer sizes its inputs from the largest seed): excerpts of
the sample logs in corpus/ around the lines the golden report cites as evidence, the same text
gzipped or in UTF-16, hand-made encoding oddities, and a few catalogue files. Each seed starts
with the header bytes its harness reads (see the comment at the top of each fuzz_*.c).
Running the script again rewrites the generated seeds; files named regress-* (inputs that once
broke something, added by hand) are left alone.
"""
import gzip
import json
import os
import struct
import sys
import zlib

SRC = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                      os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(SRC, "tests", "fuzz", "corpus")

# fuzz_scan.c's name table, in its order.
SCAN_NAMES = [
    "ASRUnifiedAgentInstaller.log", "ASRUnifiedAgentConfigurator.log",
    "WrapperUnifiedAgent.log", "UnifiedAgentMSIInstall.log",
    "MobilityServiceValidations.log", "UA_InstallLogFile.log", "InstallerErrors.json",
    "ua_install.log", "PushInstallService.log", "PIVerbose_", "stdout.txt",
    "configurator_register_host_static_info.log", "WEB01_ASRUnifiedAgentInstaller.log.gz",
    "230503-070907ASRUnifiedAgentInstaller.log",
    "2023-05-03-09-07-45ASRUnifiedAgentInstaller.log", "notes.txt",
]
EXCERPT_MAX = 6000      # bytes of log text per scan seed
CONTEXT = 3             # lines kept on each side of a cited line


def write(harness, name, data):
    """Writes one seed file."""
    d = os.path.join(OUT, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def clean(harness):
    """Removes the generated seeds of a harness (keeps regress-* files)."""
    d = os.path.join(OUT, harness)
    if os.path.isdir(d):
        for n in os.listdir(d):
            if not n.startswith("regress-"):
                os.remove(os.path.join(d, n))


def name_index(path):
    """Index in SCAN_NAMES of the log a corpus file is (15 = unknown name)."""
    base = os.path.basename(path).lower()
    if base.endswith(".gz"):
        base = base[:-3]
    for i, n in enumerate(SCAN_NAMES[:12]):
        n = n.lower()
        if base == n or base.endswith(n) or (n.endswith("_") and n in base):
            return i
    if "pushinstallservice" in base:
        return 8
    return 15


def cited_lines():
    """{corpus file: set of line numbers} cited by the golden report (evidence, attempts)."""
    report = json.load(open(os.path.join(SRC, "tests", "golden", "corpus.json"), encoding="utf-8"))
    cited = {}

    def add(ref):
        if isinstance(ref, dict) and "file" in ref and "line" in ref:
            cited.setdefault(ref["file"], set()).add(ref["line"])

    for h in report["hosts"]:
        rc = h.get("root_cause") or {}
        for ev in rc.get("evidence", []):
            add(ev)
        for f in h.get("findings", []):
            add(f.get("first"))
        for a in h.get("attempts", []):
            add(a)
    return cited


def excerpt(path, lines_wanted):
    """The file's first lines and the lines around each cited one, in file order, capped."""
    raw = open(os.path.join(SRC, path), "rb").read()
    if path.endswith(".gz"):
        raw = gzip.decompress(raw)
    lines = raw.split(b"\n")
    keep = set(range(min(8, len(lines))))
    for ln in sorted(lines_wanted):
        keep.update(range(max(0, ln - 1 - CONTEXT), min(len(lines), ln + CONTEXT)))
    out = b""
    for i in sorted(keep):
        piece = lines[i] + b"\n"
        if len(out) + len(piece) > EXCERPT_MAX:
            break
        out += piece
    return out


def utf16le(text):
    return b"\xff\xfe" + text.decode("utf-8", "replace").encode("utf-16-le")


def scan_seeds():
    clean("scan")
    cited = cited_lines()
    excerpts = []
    for path in sorted(cited):
        if not os.path.exists(os.path.join(SRC, path)):
            continue
        text = excerpt(path, cited[path])
        idx = name_index(path)
        excerpts.append((path, idx, text))
        tag = path.replace("corpus/", "").replace("/", "_")[:80]
        write("scan", f"log-{tag}", bytes([idx, 5, 0, 0]) + text)
    # the same text in the other shapes a log arrives in
    for k, (path, idx, text) in enumerate(excerpts[:6]):
        write("scan", f"gzip-{k}", bytes([12, 4, 0, 0]) + gzip.compress(text, mtime=0))
        write("scan", f"utf16-{k}", bytes([idx | 0x10, 1, 0, 0]) + utf16le(text.replace(b"\n", b"\r\n")))
        write("scan", f"limited-{k}", bytes([idx | 0x40, 3, 0, 0]) + text)
    # two inputs of one host: a push job log and the push service log, then installer + MSI
    by_idx = {}
    for path, idx, text in excerpts:
        by_idx.setdefault(idx, text)
    for a, b in ((9, 8), (0, 3), (7, 6), (0, 4)):
        if a in by_idx and b in by_idx:
            first, second = by_idx[a], by_idx[b]
            split = len(first) * 256 // (len(first) + len(second))
            write("scan", f"pair-{a}-{b}", bytes([a | 0xA0, 2, b, split]) + first + second)
    # content-sniffed (unknown name), CRLF, invalid bytes inside matched lines
    for k, (path, idx, text) in enumerate(excerpts[:4]):
        write("scan", f"sniffed-{k}", bytes([15, 0, 0, 0]) + text)
        noisy = text.replace(b"\n", b"\xff\x00\"\\\x1b\r\n", 20)
        write("scan", f"noisy-{k}", bytes([idx, 6, 0, 0]) + noisy)


def pieces_seeds():
    """Plain UTF-8 excerpts (at least 256 bytes: asr_input_splittable needs them) for
    fuzz_pieces.c, cut in 2 to 5 pieces fed in various chunk sizes."""
    clean("pieces")
    cited = cited_lines()
    k = 0
    for path in sorted(cited):
        if not os.path.exists(os.path.join(SRC, path)) or path.endswith(".gz"):
            continue
        text = excerpt(path, cited[path])
        if len(text) < 256:
            continue
        idx = name_index(path)
        if idx == 12:
            idx = 0  # fuzz_pieces.c's table has no .gz name there
        write("pieces", f"log-{k:02d}", bytes([idx, k % 32]) + text)
        k += 1
    sample = open(os.path.join(SRC, "corpus", "ubu-app05", "var", "log", "ua_install.log"),
                  "rb").read()[:3000]
    write("pieces", "crlf-cp1252", bytes([7, 0x1F]) +
          sample.replace(b"\n", b"\r\n").replace(b"Script", b"Scr\xe9pt"))
    write("pieces", "long-line", bytes([7, 0x0A]) + sample[:400] + b"x" * 5000 + b"\n" +
          sample[400:])
    write("pieces", "utf8-bom", bytes([7, 0x03]) + b"\xef\xbb\xbf" + sample)


def gz_member(data):
    return gzip.compress(data, mtime=0)


def decode_seeds():
    clean("decode")
    sample = open(os.path.join(SRC, "corpus", "ubu-app05", "var", "log", "ua_install.log"),
                  "rb").read()[:1500]
    crlf = sample.replace(b"\n", b"\r\n")
    member = gz_member(sample)
    bad_crc = bytearray(member)
    bad_crc[-8] ^= 0xFF
    seeds = {
        "plain": sample,
        "crlf": crlf,
        "lone-cr": sample.replace(b"\n", b"\r"),
        "bom-utf8": b"\xef\xbb\xbf" + crlf,
        "utf16le-bom": b"\xff\xfe" + crlf.decode().encode("utf-16-le"),
        "utf16be-bom": b"\xfe\xff" + crlf.decode().encode("utf-16-be"),
        "utf16le-guess": sample.decode().encode("utf-16-le"),
        "utf16be-guess": sample.decode().encode("utf-16-be"),
        "utf16-odd-length": b"\xff\xfe" + "abc\r\n".encode("utf-16-le") + b"d",
        "utf16-lone-surrogates": b"\xff\xfe" + struct.pack("<8H", 0x41, 0xD800, 0x42, 0xDC00,
                                                          0xD83D, 0xDE00, 0xDBFF, 0x0A),
        "cp1252": b"caf\xe9 \x80 \x93quoted\x94 \x81\x8d\x8f\x90\x9d\r\n",
        "invalid-utf8": b"\xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 \xf5 \xe2\x82 \xf0\x9f\x98\x80\n",
        "nul-bytes": b"a\x00b\x00\x00\x00c\n" * 40,
        "gzip": member,
        "gzip-multi": member + gz_member(crlf) + gz_member(b""),
        "gzip-trailing-garbage": member + b"\x00garbage after the member\n",
        "gzip-truncated": member[: len(member) // 2],
        "gzip-bad-crc": bytes(bad_crc),
        "gzip-utf16": gz_member(b"\xff\xfe" + crlf.decode().encode("utf-16-le")),
        "gzip-header-only": b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03",
        "magic-then-text": b"\x1f not gzip\n",
        "zlib-not-gzip": zlib.compress(sample),
    }
    for name, data in sorted(seeds.items()):
        write("decode", name, bytes([0x03, 0x00]) + data)
    # the same inputs cut in varying chunks and with an output limit
    for name in ("crlf", "utf16le-bom", "gzip-multi", "cp1252"):
        write("decode", name + "-varying-limit", bytes([0x1B, 0x9F]) + seeds[name])


def catalog_seeds():
    clean("catalog")
    unit = open(os.path.join(SRC, "tests", "unit", "data", "test_catalog.json"), "rb").read()
    small = open(os.path.join(SRC, "patterns", "push_login.json"), "rb").read()
    login = json.loads(small)
    # one built-in signature, changed: an override when loaded on top of the built-in file
    override = {"family": "user", "signatures": [dict(login["signatures"][0], title="overridden")]}
    minimal = {"family": "mine", "signatures": [{
        "id": "my.failure", "title": "My failure", "severity": "error", "effect": "failure",
        "specificity": 50, "os": "any", "match": "MYFAIL (\\d+)",
        "extract": "MYFAIL (?<exit_code>\\d+) hr=(?<hresult>0x[0-9a-fA-F]+)",
        "error_ids": [95107], "exit_codes": [45], "hresults": ["0x8004E00F"],
        "ep_codes": ["EP0858"], "error_names": ["MyError"], "log_types": ["ua_installer"],
        "flags": ["caseless"],
        "remediation": {"summary": "s", "steps": ["one"], "commands": ["c"], "reference": "r"},
        "examples": {"match": ["MYFAIL 45 hr=0x8004e00f"], "nomatch": ["MYFAIL x"]}}]}
    end = {"family": "end", "signatures": [{
        "id": "my.end", "title": "End", "severity": "info", "effect": "attempt-end",
        "specificity": 0, "os": "linux", "match": "exit code: \\d+",
        "extract": "code: (?<exit_code>\\d+)",
        "outcome_by_exit_code": {"0": "succeeded", "98": "succeeded_with_warnings",
                                 "default": "failed"},
        "examples": {"match": ["exit code: 98"], "nomatch": ["exit code"]}}]}
    bad_regex = json.loads(json.dumps(minimal))
    bad_regex["signatures"][0]["match"] = "(unclosed"
    bad_extract = json.loads(json.dumps(minimal))
    bad_extract["signatures"][0]["extract"] = "(?<x"
    seeds = {
        "unit-catalog": (0, unit),
        "push-login-builtin": (1, small),
        "override-on-builtin": (2, json.dumps(override, indent=1).encode()),
        "minimal": (0, json.dumps(minimal, indent=1).encode()),
        "attempt-end": (0, json.dumps(end).encode()),
        "bad-regex": (0, json.dumps(bad_regex).encode()),
        "bad-extract": (0, json.dumps(bad_extract).encode()),
        "duplicate-key": (0, b'{"family": "x", "family": "y", "signatures": []}'),
        "empty-signatures": (0, b'{"family": "x", "signatures": []}'),
        "not-json": (0, b'{"family": "x", "signatures": [ {"id": "a",'),
        "utf8-ids": (0, json.dumps(minimal, ensure_ascii=False).replace(
            "My failure", "Échec \u00e9\u4e2d\U0001F600").encode()),
    }
    for name, (mode, data) in sorted(seeds.items()):
        write("catalog", name, bytes([mode]) + data)


if __name__ == "__main__":
    scan_seeds()
    decode_seeds()
    catalog_seeds()
    pieces_seeds()
    total = 0
    for root, _, files in os.walk(OUT):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
    print(f"seeds written to {OUT}: {total} bytes")
