#!/usr/bin/env python3
"""Opens `asrlog scan --format html` of the bundled corpus and of the hostile fleet (see
report_fleet.py) in headless Chromium (Debian's `chromium`, driven over the DevTools protocol
by cdp.py) and checks, in the live page:
  - it loads without console errors, uncaught exceptions, error log entries (a CSP violation,
    for instance) or any request besides the page itself;
  - no script exists in the DOM and no resource was loaded;
  - the chart (#chart svg) is there, has a size, and has one visible bar per root cause with
    the count the JSON report gives;
  - every failed, warned or unknown host of the JSON report has its section (id, data-host),
    laid out with a height, whose evidence lines read back exactly as in the JSON;
  - every unclassified failure template shown has its table row, laid out, whose wording and
    examples read back exactly as in the JSON;
and saves a screenshot of each page (PNG, checked to be a real, non-blank image) in the
test's temporary folder. Before that, a control page with a console error and an external
image must be caught, which proves the checks can fail.

usage: report_browser.py ASRLOG SOURCE_DIR [--keep DIR] [--readme-screenshot PNG]
  --keep DIR                write the pages and screenshots to DIR (kept) instead of a temp dir
  --readme-screenshot PNG   also save the corpus screenshot used in the README
"""
import argparse
import os
import shutil
import struct
import sys
import tempfile
import zlib

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cdp  # noqa: E402
import report_fleet as rf  # noqa: E402

WIDTH, HEIGHT = 1280, 1600
README_WIDTH, README_HEIGHT = 1100, 1500

CONTROL_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>control</title></head>
<body><p>control</p><script>console.error("control error")</script>
<img src="https://control.invalid/pixel.png" alt=""></body></html>
"""

DOM_PROBE = r"""(() => {
  const svg = document.querySelector('#chart svg');
  const box = e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; };
  return {
    title: document.title,
    charset: document.characterSet,
    scripts: document.scripts.length,
    resources: performance.getEntriesByType('resource').map(r => r.name),
    chart: svg ? box(svg) : null,
    chartTitle: svg && svg.querySelector('title') ? svg.querySelector('title').textContent : '',
    bars: svg ? [...svg.querySelectorAll('g.bar')].map(g =>
        [g.dataset.signature, Number(g.dataset.hosts), g.getBBox().width]) : [],
    sections: [...document.querySelectorAll('section.host')].map(s => ({
        id: s.id, host: s.dataset.host, height: box(s)[1],
        byId: document.getElementById(s.id) === s,
        evidence: [...s.querySelectorAll('ol.evidence pre')].map(p => p.textContent)})),
    templates: [...document.querySelectorAll('#unclassified table.templates tbody tr')].map(
      tr => ({id: tr.id, height: box(tr)[1], byId: document.getElementById(tr.id) === tr,
              template: tr.querySelector('code.template') ?
                tr.querySelector('code.template').textContent : null,
              examples: [...tr.querySelectorAll('ol.examples pre')].map(p => p.textContent)})),
  };
})()"""

checks = {"passed": 0, "failed": 0}


def check(ok, what):
    if ok:
        checks["passed"] += 1
    else:
        checks["failed"] += 1
        print(f"FAIL {what}")
    return ok


def png_size_and_spread(path):
    """(width, height, distinct byte values of the decoded image data) of a PNG file."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return 0, 0, 0
    width, height = struct.unpack(">II", data[16:24])
    pos, idat = 8, b""
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + n]
        pos += 12 + n
    return width, height, len(set(zlib.decompress(idat)))


def check_control(browser, tmp):
    """The harness must see a console error and an external request on a page that has both."""
    path = os.path.join(tmp, "control.html")
    with open(path, "w") as f:
        f.write(CONTROL_PAGE)
    url = "file://" + path
    problems = cdp.console_problems(browser.load(url), url)
    check(any("control error" in p for p in problems), f"control: console error unseen: {problems}")
    check(any("control.invalid" in p for p in problems), f"control: request unseen: {problems}")


def check_page(browser, name, html_path, report, shot):
    url = "file://" + html_path
    problems = cdp.console_problems(browser.load(url), url)
    check(not problems, f"{name}: the page logged problems: {problems}")
    dom = browser.evaluate(DOM_PROBE)
    check(dom["charset"] == "UTF-8", f"{name}: charset {dom['charset']}")
    check(dom["title"].startswith("Mobility Service install report"),
          f"{name}: title {dom['title']!r}")
    check(dom["scripts"] == 0, f"{name}: {dom['scripts']} scripts in the DOM")
    check(dom["resources"] == [], f"{name}: resources loaded: {dom['resources']}")
    check(dom["chart"] and dom["chart"][0] > 300 and dom["chart"][1] > 30,
          f"{name}: chart missing or without size: {dom['chart']}")
    check(dom["chartTitle"] == "Hosts by root cause", f"{name}: chart title {dom['chartTitle']!r}")
    want = rf.cause_counts(report)
    bars = {(sig or None): hosts for sig, hosts, _ in dom["bars"]}
    check(bars == want, f"{name}: chart bars {bars} != {want}")
    check(all(w > 0 for _, _, w in dom["bars"]), f"{name}: a bar has no width")
    expected = rf.attention_hosts(report)
    got = [s["host"] for s in dom["sections"]]
    check(got == [h["host"] for h in expected],
          f"{name}: host sections {got} != {[h['host'] for h in expected]}")
    by_host = {s["host"]: s for s in dom["sections"]}
    for h in expected:
        s = by_host.get(h["host"])
        if not check(s is not None, f"{name}: no section for {h['host']!r}"):
            continue
        check(s["id"] == rf.host_id(h["host"]) and s["byId"], f"{name}: id of {h['host']!r}")
        check(s["height"] > 40, f"{name}: section of {h['host']!r} is not laid out")
        want_ev = [rf.shown(e["text"]) for e in (h["root_cause"] or {}).get("evidence", [])]
        check(s["evidence"] == want_ev, f"{name}: evidence of {h['host']!r} reads back as "
                                        f"{s['evidence']} (want {want_ev})")
    tpls = report.get("unclassified", [])[:50]  # the rows the page shows (report_view.h)
    check([t["id"] for t in dom["templates"]] == [t["id"] for t in tpls],
          f"{name}: template rows {[t['id'] for t in dom['templates']]}")
    for row, t in zip(dom["templates"], tpls):
        check(row["byId"] and row["height"] > 20, f"{name}: row of {t['id']} is not laid out")
        check(row["template"] == rf.shown(t["template"]),
              f"{name}: template {t['id']} reads back as {row['template']!r}")
        want_ex = [rf.shown(e["text"]) for e in t["examples"]]
        check(row["examples"] == want_ex, f"{name}: examples of {t['id']} read back as "
                                          f"{row['examples']} (want {want_ex})")
    browser.screenshot(shot, WIDTH, HEIGHT)
    w, hgt, spread = png_size_and_spread(shot)
    check((w, hgt) == (WIDTH, HEIGHT) and spread > 16,
          f"{name}: screenshot {shot} is {w}x{hgt} with {spread} byte values")
    print(f"{name}: {len(dom['sections'])} host sections, {len(dom['bars'])} bars, "
          f"{len(dom['templates'])} templates; screenshot {shot}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("asrlog")
    ap.add_argument("src")
    ap.add_argument("--keep")
    ap.add_argument("--readme-screenshot")
    args = ap.parse_args()
    src = os.path.abspath(args.src)
    chromium = cdp.find_chromium()
    if not chromium:
        print("FAIL chromium is not installed (scripts/deps.sh installs Debian's chromium)")
        return 1
    tmp = os.path.abspath(args.keep) if args.keep else tempfile.mkdtemp(prefix="asrlog-browser-")
    os.makedirs(tmp, exist_ok=True)
    try:
        fleets = {"corpus": "corpus",
                  "hostile": rf.build_hostile_fleet(src, os.path.join(tmp, "fleet"))}
        pages = {}
        for name, path in fleets.items():
            report = rf.load_json(rf.scan(args.asrlog, "json", path, src))
            html_path = os.path.join(tmp, f"report-{name}.html")
            with open(html_path, "w", encoding="utf-8") as f:
                f.write(rf.scan(args.asrlog, "html", path, src))
            pages[name] = (html_path, report)
        with cdp.Browser(chromium, tmp, width=WIDTH, height=HEIGHT) as browser:
            check_control(browser, tmp)
            for name, (html_path, report) in pages.items():
                check_page(browser, name, html_path, report,
                           os.path.join(tmp, f"report-{name}.png"))
            if args.readme_screenshot:
                browser.load("file://" + pages["corpus"][0])
                browser.screenshot(args.readme_screenshot, README_WIDTH, README_HEIGHT)
                print(f"saved {args.readme_screenshot}")
    except cdp.CdpError as e:
        check(False, f"chromium: {e}")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"report in chromium: {checks['passed']} passed, {checks['failed']} failed")
    return 1 if checks["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
