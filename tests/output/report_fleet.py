"""Shared by the report tests (report_structure.py, report_browser.py): running asrlog, the
hostile sample fleet, and what a report must show for a JSON report.

The hostile fleet is made in a temporary folder from tests/fixtures/report/ (real log formats
whose matched lines carry markup, backticks, pipes, entities, control characters and non-ASCII
text) under host folder names that are themselves hostile, plus a warned and a succeeded host
from corpus/, a host whose log stops before any verdict (outcome unknown, no root cause), and
failed hosts no signature explains (tests/fixtures/unclassified_fleet.py, groups secure_boot and
escape, two of them under hostile names), so that the report has unclassified failure templates.
"""
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "fixtures"))
import unclassified_fleet  # noqa: E402

# Host folder -> (fixture file, where it goes below the host folder). Two names differ only in
# '.' versus '_', which a careless id encoding would merge.
HOSTILE_HOSTS = {
    "db<script>alert(1)<&amp;>\"'|": ("ua_install.log", "var/log"),
    "web `01` *x* [y](z) #1 ~~s~~": ("ASRUnifiedAgentConfigurator.log", "ASRSetupLogs"),
    "app.01": ("ASRUnifiedAgentConfigurator.log", "ASRSetupLogs"),
    "app_01": ("ua_install.log", "var/log"),
}
CORPUS_HOSTS = ("WEB05", "ubu-app05")  # warned, succeeded
UNKNOWN_HOST = "half-done"              # the Linux log cut before it ends: no verdict
# Unclassified hosts renamed (see unclassified_fleet.py for the default names).
UNCLASSIFIED_NAMES = {"lnx-sb02": "sb <i>|`02` *x* &amp;", "uc-esc01": "uc [esc](01) #1 ~~s~~"}
ATTENTION = ("failed", "succeeded_with_warnings", "unknown")


def build_hostile_fleet(src, dest):
    """Creates the hostile fleet under `dest` (a new folder) from the source tree `src`."""
    fixtures = os.path.join(src, "tests", "fixtures", "report")
    for host, (name, sub) in HOSTILE_HOSTS.items():
        os.makedirs(os.path.join(dest, host, sub))
        shutil.copy(os.path.join(fixtures, name), os.path.join(dest, host, sub, name))
    for host in CORPUS_HOSTS:
        shutil.copytree(os.path.join(src, "corpus", host), os.path.join(dest, host))
    os.makedirs(os.path.join(dest, UNKNOWN_HOST, "var", "log"))
    with open(os.path.join(fixtures, "ua_install.log"), encoding="utf-8") as f:
        head = f.readlines()[:60]
    with open(os.path.join(dest, UNKNOWN_HOST, "var", "log", "ua_install.log"), "w",
              encoding="utf-8") as f:
        f.writelines(head)
    unclassified_fleet.build(src, dest, ["secure_boot", "escape"], UNCLASSIFIED_NAMES)
    return dest


def scan(asrlog, fmt, path, cwd):
    """Runs `asrlog scan --format FMT PATH...` (`path`: one path or a list); returns stdout
    (str). Exit 0 or 1 is expected, or 3 when some path does not exist."""
    paths = [path] if isinstance(path, str) else list(path)
    p = subprocess.run([asrlog, "scan", "--no-progress", "--format", fmt] + paths, cwd=cwd,
                       capture_output=True, timeout=120)
    if p.returncode not in (0, 1) and not (p.returncode == 3 and
                                           not all(os.path.exists(os.path.join(cwd, x))
                                                   for x in paths)):
        raise AssertionError(f"asrlog scan --format {fmt} {path} exited {p.returncode}: "
                             f"{p.stderr.decode(errors='replace')}")
    return p.stdout.decode("utf-8")


def attention_hosts(report):
    """The hosts that must get a section: failed, then warned, then unknown."""
    return [h for o in ATTENTION for h in report["hosts"] if h["outcome"] == o]


def host_id(name):
    """The element id asrlog gives a host's section: letters, digits and '-' kept, every
    other byte as _XX."""
    out = []
    for b in name.encode("utf-8"):
        c = chr(b)
        out.append(c if c.isascii() and (c.isalnum() or c == "-") else f"_{b:02X}")
    return "host-" + "".join(out)


def shown(text):
    """How a text from the logs is shown: control characters other than tab become U+FFFD."""
    return "".join("\ufffd" if (ord(c) < 0x20 and c != "\t") or c == "\x7f" else c for c in text)


def cause_counts(report):
    """Expected chart: {signature or None: hosts needing attention with that root cause}."""
    counts = {}
    for h in attention_hosts(report):
        sig = h["root_cause"]["signature"] if h["root_cause"] else None
        counts[sig] = counts.get(sig, 0) + 1
    return counts


def load_json(text):
    return json.loads(text)
