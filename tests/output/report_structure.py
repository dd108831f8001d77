#!/usr/bin/env python3
"""Structure of `--format markdown` and `--format html` for the bundled corpus and a hostile
fleet (tests/fixtures/report, see report_fleet.py), checked against the JSON report of the
same inputs.

HTML (parsed with html.parser, end tags must match): one self-contained page (no script, no
comment, no element or attribute that fetches anything, no event handler, no external URL but
https reference links), unique ids and working #links, the chart (accessible SVG, one bar per
root cause with the right count), and for every failed, warned or unknown host one section
whose evidence (file:line and text), attempts, remediation steps, commands and extracted values
read back exactly as in the JSON after unescaping; no section for succeeded hosts. When the
report has unclassified failure templates, a section#unclassified with one row per template
(id, score, hosts linked to their sections, the template and its examples read back exactly)
and the command that makes a signature of the first; each unclassified host's section links
to its templates. No such section when there is none.

Markdown (rendered with cmark-gfm, GitHub's CommonMark implementation, in its safe mode): no
raw HTML reaches the output, one heading per such host, evidence and commands come back
unchanged from their code blocks (fences intact), every table row has its columns (pipes in
the data escaped), chart rows hold the right counts and bars, and the "Unclassified failures"
table and examples block read back as the report says (absent when there is no template).

usage: report_structure.py ASRLOG SOURCE_DIR
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import minidom_html  # noqa: E402
import report_fleet as rf  # noqa: E402

LABEL = {"failed": "Failed", "succeeded_with_warnings": "Succeeded with warnings",
         "unknown": "Unknown", "succeeded": "Succeeded"}
CLASS = {"failed": "failed", "succeeded_with_warnings": "warned", "unknown": "unknown"}
# Elements and attributes that load or run something; none may appear in the page.
FETCHING_TAGS = {"script", "img", "link", "iframe", "frame", "object", "embed", "video", "audio",
                 "source", "track", "base", "form", "input", "image", "use", "foreignobject",
                 "picture", "portal", "noscript", "applet", "meta-refresh"}
FETCHING_ATTRS = {"src", "srcset", "action", "formaction", "data", "poster", "background",
                  "xlink:href", "ping", "manifest", "codebase", "archive", "lowsrc", "dynsrc"}
BAR_FULL = 20  # block characters of the longest bar in the Markdown chart

checks = {"passed": 0, "failed": 0}


def check(ok, what):
    """Counts one check; prints it when it fails."""
    if ok:
        checks["passed"] += 1
    else:
        checks["failed"] += 1
        print(f"FAIL {what}")
    return ok


# ---- HTML ------------------------------------------------------------------------------------

def html_page_checks(name, raw, root, parser, report):
    check(not parser.errors, f"{name}: html structure: {parser.errors[:5]}")
    check(not parser.comments, f"{name}: html has comments: {parser.comments[:3]}")
    check(raw.startswith("<!DOCTYPE html>"), f"{name}: no doctype")
    references = {h["root_cause"]["remediation"].get("reference", "")
                  for h in report["hosts"]
                  if h["root_cause"] and isinstance(h["root_cause"].get("remediation"), dict)}
    ids = [n.attrs["id"] for n in root.iter() if "id" in n.attrs]
    check(len(ids) == len(set(ids)), f"{name}: duplicate ids")
    for n in root.iter():
        if n.tag in FETCHING_TAGS:
            check(False, f"{name}: element <{n.tag}> present")
        if n.tag == "meta" and n.attrs.get("http-equiv", "").lower() == "refresh":
            check(False, f"{name}: meta refresh")
        for k, v in n.attrs.items():
            v = v or ""
            if k.startswith("on") or k in FETCHING_ATTRS:
                check(False, f"{name}: <{n.tag} {k}=...> present")
            if k == "style" or "url(" in v.lower() or "javascript:" in v.lower():
                check(False, f"{name}: <{n.tag} {k}={v[:60]!r}>")
            if k == "href":
                if v.startswith("#"):
                    check(v[1:] in ids, f"{name}: link {v} has no target")
                else:
                    check(n.tag == "a" and v.startswith("https://") and v in references,
                          f"{name}: <{n.tag} href={v[:80]!r}> is not a reference link")
            elif re.search(r"(?i)\b(https?|ftp|file|data):", v) and k != "content":
                check(False, f"{name}: URL in <{n.tag} {k}={v[:80]!r}>")
    style = "".join(s.text() for s in root.find_all("style"))
    check(style and not re.search(r"(?i)url\(|@import|https?:", style),
          f"{name}: <style> loads something")
    check(not re.search(r"(?i)<script", raw), f"{name}: '<script' in the raw page")


def html_chart_checks(name, root, report):
    fig = root.find("figure", id="chart")
    if not check(fig is not None, f"{name}: no figure#chart"):
        return
    svg = fig.find("svg")
    if not check(svg is not None, f"{name}: no svg in the chart"):
        return
    check(svg.attrs.get("role") == "img", f"{name}: chart svg has no role=img")
    labelled = (svg.attrs.get("aria-labelledby") or "").split()
    titles = {n.attrs.get("id"): n.text() for n in svg.find_all() if n.tag in ("title", "desc")}
    check(labelled and all(titles.get(i) for i in labelled),
          f"{name}: chart aria-labelledby {labelled} does not name its title/desc")
    bars = {b.attrs.get("data-signature") or None: b for b in svg.find_all("g", cls="bar")}
    want = rf.cause_counts(report)
    got = {sig: int(b.attrs.get("data-hosts", "-1")) for sig, b in bars.items()}
    check(got == want, f"{name}: chart bars {got} != expected {want}")
    for sig, b in bars.items():
        rects = b.find_all("rect")
        check(rects and all(float(r.attrs.get("width", 0)) > 0 for r in rects),
              f"{name}: bar {sig} has no visible rect")
        count = b.find("text", cls="count")
        check(count is not None and count.text() == str(want.get(sig)),
              f"{name}: bar {sig} label {count.text() if count else None}")
        check(b.find("title") is not None and b.find("title").text(), f"{name}: bar {sig} untitled")


def html_host_checks(name, root, report):
    sections = root.find_all("section", cls="host")
    expected = rf.attention_hosts(report)
    check([s.attrs.get("data-host") for s in sections] == [h["host"] for h in expected],
          f"{name}: host sections {[s.attrs.get('data-host') for s in sections]} != "
          f"{[h['host'] for h in expected]}")
    by_host = {s.attrs.get("data-host"): s for s in sections}
    for h in expected:
        s = by_host.get(h["host"])
        if not check(s is not None, f"{name}: no section for {h['host']!r}"):
            continue
        who = f"{name}: {h['host']!r}"
        check(s.attrs.get("id") == rf.host_id(h["host"]),
              f"{who}: id {s.attrs.get('id')} != {rf.host_id(h['host'])}")
        check(CLASS[h["outcome"]] in s.classes(), f"{who}: outcome class missing")
        head = s.find("h3")
        check(head is not None and head.text() == f"{LABEL[h['outcome']]} {rf.shown(h['host'])}",
              f"{who}: heading {head.text() if head else None!r}")
        atts = s.find_all("li", cls="attempt")
        check(len(atts) == len(h["attempts"]), f"{who}: {len(atts)} attempts shown")
        for li, a in zip(atts, h["attempts"]):
            check(f"{rf.shown(a['file'])}:{a['line']}" in li.text(), f"{who}: attempt {a['file']}")
            check(("deciding" in li.classes()) == bool(a.get("deciding")), f"{who}: deciding flag")
        rc = h["root_cause"]
        if not rc:
            check(s.find("ol", cls="evidence") is None, f"{who}: evidence without a cause")
            continue
        ev = s.find("ol", cls="evidence")
        items = [tuple(x.text() if x else None for x in (li.find("div", cls="loc"), li.find("pre")))
                 for li in (ev.find_all("li") if ev else [])]
        want = [(f"{rf.shown(e['file'])}:{e['line']}", rf.shown(e["text"])) for e in rc["evidence"]]
        check(items == want, f"{who}: evidence differs:\n  got  {items}\n  want {want}")
        rem = rc.get("remediation") or {}
        steps = [li.text() for li in (s.find("ol", cls="steps") or minidom_html.Node("x", [], None))
                 .find_all("li")]
        check(steps == [rf.shown(x) for x in rem.get("steps", [])], f"{who}: steps differ")
        cmds = [p.text() for p in s.find_all("pre", cls="cmd")]
        check(cmds == [rf.shown(x) for x in rem.get("commands", [])], f"{who}: commands differ")
        fields = s.find("dl", cls="fields")
        got = {}
        if fields:
            dts, dds = fields.find_all("dt"), fields.find_all("dd")
            got = {a.text(): b.text() for a, b in zip(dts, dds)}
        want_f = {rf.shown(k): rf.shown(v) for k, v in rc.get("fields", {}).items()
                  if isinstance(v, str)}
        check(all(got.get(k) == v for k, v in want_f.items()), f"{who}: fields {got} != {want_f}")


MAX_TEMPLATES = 50       # templates shown in the reports (report_view.h)
MAX_TEMPLATE_HOSTS = 10  # host names shown per template


def signature_command(report):
    return (f"asrlog signatures new --from-template {report['unclassified'][0]['id']} "
            f"--report report.json")


def template_hosts_text(t):
    """The hosts cell of a template, as text."""
    text = f"{t['failed_hosts']} failed"
    if t["other_hosts"]:
        text += f" (and {t['other_hosts']} other)"
    names = [rf.shown(h) for h in t["hosts"][:MAX_TEMPLATE_HOSTS]]
    if names:
        text += ": " + ", ".join(names)
    if len(t["hosts"]) > MAX_TEMPLATE_HOSTS:
        text += f" … and {len(t['hosts']) - MAX_TEMPLATE_HOSTS} more"
    return text


def html_unclassified_checks(name, root, report):
    sec = root.find("section", id="unclassified")
    tpls = report.get("unclassified") or []
    if not tpls:
        check(sec is None, f"{name}: an unclassified section without templates")
        return
    if not check(sec is not None, f"{name}: no section#unclassified"):
        return
    check(sec.find("h2") is not None and sec.find("h2").text() == "Unclassified failures",
          f"{name}: unclassified heading")
    rows = body_rows(sec.find("table", cls="templates"))
    shown = tpls[:MAX_TEMPLATES]
    check([r.attrs.get("id") for r in rows] == [t["id"] for t in shown],
          f"{name}: template rows {[r.attrs.get('id') for r in rows]}")
    sections = {s.attrs.get("data-host"): s.attrs.get("id")
                for s in root.find_all("section", cls="host")}
    for tr, t in zip(rows, shown):
        who = f"{name}: template {t['id']}"
        c = cells(tr)
        if not check(len(c) == 4, f"{who}: {len(c)} cells"):
            continue
        check(c[0].text() == t["id"] and c[1].text() == str(t["score"]), f"{who}: id/score")
        check(c[2].text() == template_hosts_text(t),
              f"{who}: hosts cell {c[2].text()!r} != {template_hosts_text(t)!r}")
        links = [a.attrs.get("href") for a in c[2].find_all("a")]
        check(links == ["#" + sections[h] for h in t["hosts"][:MAX_TEMPLATE_HOSTS]],
              f"{who}: host links {links}")
        code = c[3].find("code", cls="template")
        check(code is not None and code.text() == rf.shown(t["template"]),
              f"{who}: template reads back as {code.text() if code else None!r}")
        items = [(li.find("div", cls="loc").text(), li.find("pre").text())
                 for li in c[3].find_all("li")]
        want = [(f"{rf.shown(e['host'])} · {rf.shown(e['file'])}:{e['line']}", rf.shown(e["text"]))
                for e in t["examples"]]
        check(items == want, f"{who}: examples differ:\n  got  {items}\n  want {want}")
    cmds = [p.text() for p in sec.find_all("pre", cls="cmd")]
    check(cmds == [signature_command(report)], f"{name}: signature command {cmds}")
    more = f"… and {len(tpls) - MAX_TEMPLATES} more templates (see --format json)."
    check((more in [p.text() for p in sec.find_all("p")]) == (len(tpls) > MAX_TEMPLATES),
          f"{name}: html '… and N more templates' line")
    for h in report["hosts"]:
        rc = h["root_cause"] or {}
        if rc.get("signature") != "unclassified":
            continue
        s = root.find("section", id=rf.host_id(h["host"]))
        links = [a.attrs.get("href") for p in (s.find_all("p", cls="generic") if s else [])
                 for a in p.find_all("a")]
        # only the templates that have a row are linked
        want = ["#" + i for i in rc["templates"] if i in [t["id"] for t in shown]]
        check(links == want, f"{name}: {h['host']!r} links to templates {links}, want {want}")


def check_html(name, raw, report):
    root, parser = minidom_html.parse(raw)
    html_page_checks(name, raw, root, parser, report)
    html_chart_checks(name, root, report)
    html_host_checks(name, root, report)
    html_unclassified_checks(name, root, report)


# ---- Markdown --------------------------------------------------------------------------------

def sections_by_heading(root):
    """Splits the rendered body at <h3>: {heading text: [nodes up to the next h2/h3]}."""
    out, cur = [], None
    for n in root.children:
        if not isinstance(n, minidom_html.Node):
            continue
        if n.tag == "h3":
            cur = [n.text(), []]
            out.append(cur)
        elif n.tag == "h2":
            cur = None
        elif cur is not None:
            cur[1].append(n)
    return out


def check_markdown(name, md, report, cmark):
    p = subprocess.run([cmark, "-e", "table", "-e", "strikethrough", "-e", "autolink",
                        "-e", "tagfilter"], input=md.encode("utf-8"), capture_output=True,
                       timeout=60)
    if not check(p.returncode == 0, f"{name}: cmark-gfm failed: {p.stderr[:200]}"):
        return
    html = p.stdout.decode("utf-8")
    root, parser = minidom_html.parse(html)
    check(not parser.errors, f"{name}: rendered markdown structure: {parser.errors[:5]}")
    # cmark-gfm's safe mode replaces raw HTML by a comment: there must be none.
    check(not parser.comments, f"{name}: raw HTML in the markdown: {parser.comments[:3]}")
    tags = {n.tag for n in root.iter()}
    check(not tags & {"script", "img", "style", "iframe", "b", "section"},
          f"{name}: markup from the data became elements: {tags & {'script', 'img', 'style'}}")
    expected = rf.attention_hosts(report)
    secs = sections_by_heading(root)
    want_heads = [f"{LABEL[h['outcome']]}: {rf.shown(h['host'])}" for h in expected]
    check([t for t, _ in secs] == want_heads, f"{name}: headings {[t for t, _ in secs]}")
    for (title, nodes), h in zip(secs, expected):
        who = f"{name}: {h['host']!r}"
        rc = h["root_cause"]
        codes = [c.text() for n in nodes if n.tag == "pre" for c in n.find_all("code")]
        body = minidom_html.Node("div", [], None)
        body.children = nodes
        tables = body.find_all("table")
        check(tables and len(tables[0].find_all("tr")) == len(h["attempts"]) + 1,
              f"{who}: attempts table rows")
        for tr in tables[0].find_all("tr") if tables else []:
            check(len([c for c in tr.children if isinstance(c, minidom_html.Node)]) == 5,
                  f"{who}: an attempts row lacks columns")
        if not rc:
            continue
        want_ev = "".join(f"{rf.shown(e['file'])}:{e['line']}\n    {rf.shown(e['text'])}\n"
                          for e in rc["evidence"])
        check(want_ev in codes, f"{who}: evidence block differs or its fence broke:\n{codes[:1]}")
        rem = rc.get("remediation") or {}
        if rem.get("commands"):
            want_cmd = "".join(rf.shown(c) + "\n" for c in rem["commands"])
            check(want_cmd in codes, f"{who}: commands block differs")
        steps = [li.text() for ol in body.find_all("ol") for li in ol.find_all("li")]
        check(steps == [rf.shown(s) for s in rem.get("steps", [])], f"{who}: steps {steps}")
        # the raw fence is longer than any backtick run in the evidence
        longest = max([len(r) for e in rc["evidence"]
                       for r in re.findall("`+", e["text"] + "\n" + e["file"])] + [0])
        check(("`" * max(3, longest + 1) + "text\n") in md, f"{who}: evidence fence too short")
    check_markdown_tables(name, root, report)
    check_markdown_unclassified(name, root, md, report)


def table_after(root, heading):
    """The first <table> after the <h2> whose text is `heading`."""
    seen = False
    for n in root.children:
        if isinstance(n, minidom_html.Node):
            if n.tag == "h2":
                seen = n.text() == heading
            elif seen and n.tag == "table":
                return n
    return None


def body_rows(node):
    """The <tr> of the <tbody> under `node` ([] when there is none: an empty table)."""
    body = node.find("tbody") if node else None
    return body.find_all("tr") if body else []


def cells(tr):
    return [c for c in tr.children if isinstance(c, minidom_html.Node) and c.tag in ("td", "th")]


def check_markdown_tables(name, root, report):
    hosts = table_after(root, "All hosts")
    rows = body_rows(hosts)
    check([cells(r)[0].text() for r in rows] == [rf.shown(h["host"]) for h in report["hosts"]],
          f"{name}: 'All hosts' table rows")
    check(all(len(cells(r)) == 5 for r in rows), f"{name}: 'All hosts' row lacks columns")
    want = rf.cause_counts(report)
    chart = table_after(root, "Hosts by root cause")
    if not want:
        check(chart is None, f"{name}: chart table without causes")
        return
    rows = body_rows(chart)
    got = {}
    top = max(want.values())
    for r in rows:
        c = cells(r)
        if not check(len(c) == 4, f"{name}: chart row has {len(c)} columns"):
            continue
        code = c[0].find("code")
        sig = code.text() if code else None
        got[sig] = int(c[1].text())
        bar = c[2].text()
        want_len = round(got[sig] * BAR_FULL / top)
        check(set(bar) <= set("█▓░") and abs(len(bar) - want_len) <= 1,
              f"{name}: bar of {sig}: {bar!r}")
    check(got == want, f"{name}: chart table {got} != {want}")


def check_markdown_unclassified(name, root, md, report):
    tpls = report.get("unclassified") or []
    table = table_after(root, "Unclassified failures")
    heads = [n.text() for n in root.children
             if isinstance(n, minidom_html.Node) and n.tag == "h2"]
    if not tpls:
        check("Unclassified failures" not in heads, f"{name}: unclassified heading without "
                                                    f"templates")
        return
    if not check(table is not None, f"{name}: no 'Unclassified failures' table"):
        return
    shown = tpls[:MAX_TEMPLATES]
    rows = body_rows(table)
    check(len(rows) == len(shown), f"{name}: {len(rows)} template rows for {len(shown)}")
    for tr, t in zip(rows, shown):
        who = f"{name}: template {t['id']}"
        c = cells(tr)
        if not check(len(c) == 4, f"{who}: {len(c)} columns"):
            continue
        check(c[0].text() == t["id"] and c[1].text() == str(t["score"]), f"{who}: id/score")
        check(c[2].text() == template_hosts_text(t),
              f"{who}: hosts cell {c[2].text()!r} != {template_hosts_text(t)!r}")
        code = c[3].find("code")
        check(code is not None and code.text() == rf.shown(t["template"]),
              f"{who}: template reads back as {code.text() if code else None!r}")
    codes = [c.text() for n in root.iter() if n.tag == "pre" for c in n.find_all("code")]
    want = "".join(f"{t['id']}  {rf.shown(e['host'])}  {rf.shown(e['file'])}:{e['line']}\n"
                   f"    {rf.shown(e['text'])}\n" for t in shown for e in t["examples"])
    check(want in codes, f"{name}: template examples block differs or its fence broke")
    spans = [c.text() for c in root.iter() if c.tag == "code"]
    check(signature_command(report) in spans, f"{name}: no signature command")
    more = f"… and {len(tpls) - MAX_TEMPLATES} more templates (see `--format json`)."
    check((more in md) == (len(tpls) > MAX_TEMPLATES), f"{name}: markdown '… and N more' line")


def check_inputs_listed(name, html, md, report):
    """Skipped and unreadable inputs are listed, with their reason, in both formats."""
    root, _ = minidom_html.parse(html)
    sec = root.find("section", id="inputs")
    rows = [[c.text() for c in cells(tr)] for tr in body_rows(sec)]
    want = [[i["status"], rf.shown(i["path"]), rf.shown(i["reason"] or "")]
            for i in report["inputs"] if i["status"] != "analyzed" or i.get("reason")]
    check(rows == want, f"{name}: html inputs table {rows} != {want}")
    for i in want:
        check(f"| {i[0]} |" in md and i[2] in md, f"{name}: markdown does not list input {i}")


def main():
    asrlog, src = sys.argv[1], os.path.abspath(sys.argv[2])
    cmark = shutil.which("cmark-gfm")
    if not cmark:
        print("FAIL cmark-gfm is not installed (scripts/deps.sh installs it)")
        return 1
    tmp = tempfile.mkdtemp(prefix="asrlog-report-")
    try:
        os.makedirs(os.path.join(tmp, "empty"))
        fleets = {"corpus": "corpus",
                  "hostile": rf.build_hostile_fleet(src, os.path.join(tmp, "fleet")),
                  # every host succeeded, one input unreadable; and nothing at all
                  "clean": ["corpus/WEB01", os.path.join(tmp, "missing.log")],
                  "empty": os.path.join(tmp, "empty"),
                  # more templates than the reports show, one of 12 hosts
                  "many": rf.unclassified_fleet.build_many(src, os.path.join(tmp, "many"), 52,
                                                           12)}
        for name, path in fleets.items():
            report = rf.load_json(rf.scan(asrlog, "json", path, src))
            html = rf.scan(asrlog, "html", path, src)
            md = rf.scan(asrlog, "markdown", path, src)
            check(html == rf.scan(asrlog, "html", path, src), f"{name}: html not reproducible")
            if name == "hostile":
                outcomes = {h["outcome"] for h in report["hosts"]}
                check(outcomes == {"failed", "succeeded_with_warnings", "succeeded", "unknown"},
                      f"hostile fleet outcomes {outcomes}")
                check(any("<script>" in e["text"] for h in report["hosts"] if h["root_cause"]
                          for e in h["root_cause"]["evidence"]), "hostile evidence not in report")
                check(len(report["unclassified"]) == 2 and
                      any("|" in t["template"] and "`" in t["template"]
                          for t in report["unclassified"]),
                      f"hostile fleet templates {report['unclassified']}")
            if name == "corpus":
                check(report["unclassified"] == [], "corpus: unclassified templates")
            if name == "many":
                check(len(report["unclassified"]) > MAX_TEMPLATES and
                      max(len(t["hosts"]) for t in report["unclassified"]) > MAX_TEMPLATE_HOSTS,
                      f"many: {len(report['unclassified'])} templates, too few for the limits")
            if name == "corpus":
                check(len(rf.attention_hosts(report)) == 20, "corpus: 20 hosts need attention")
            check_html(name, html, report)
            check_markdown(name, md, report, cmark)
            check_inputs_listed(name, html, md, report)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"report structure: {checks['passed']} passed, {checks['failed']} failed")
    return 1 if checks["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
