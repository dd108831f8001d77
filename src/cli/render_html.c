/*
 * render_html.c — the support-ticket report as one self-contained HTML page: fleet summary,
 * an inline SVG bar chart of hosts by root cause, a table of every host, then one section per
 * failed, warned or unknown host with its attempt timeline, evidence (file:line) and remediation,
 * and the unclassified failure templates when the report has any (`<section id="unclassified">`,
 * one `<tr id="tpl-…">` per template).
 *
 * The page has no script, loads nothing (inline CSS only; a Content-Security-Policy that forbids
 * every fetch and script backs this up) and escapes every text that comes from the report, since
 * evidence lines, host names and paths come from customer files and may hold markup.
 * Stable hooks for tests and readers: `<figure id="chart">` holds the chart, each bar is a
 * `<g class="bar" data-signature=… data-hosts=…>`, and each host is `<section class="host"
 * id="host-…">` with the id from html_host_id().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report_view.h"

/* Chart geometry, in SVG user units. */
#define CHART_W 960
#define CHART_LABEL_END 372 /* right edge of the labels */
#define CHART_BAR_X 384     /* where bars start */
#define CHART_BAR_FULL 500  /* length of the longest bar */
#define CHART_TOP 34        /* first row below the legend */
#define CHART_ROW 26
#define CHART_BAR_H 16
#define CHART_LABEL_MAX 50 /* characters of a label before it is cut with an ellipsis */

static const char css[] =
    ":root{--fail:#c62828;--warn:#b45309;--ok:#2e7d32;--unk:#6b7280;--ink:#1f2328;"
    "--muted:#57606a;--line:#d0d7de;--soft:#f6f8fa}\n"
    "*{box-sizing:border-box}\n"
    "html{-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"
    "body{font:14px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,"
    "sans-serif;color:var(--ink);background:#fff;max-width:1120px;margin:0 auto;padding:24px}\n"
    "h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 12px;padding-bottom:4px;"
    "border-bottom:1px solid var(--line)}h3{font-size:17px;margin:0 0 6px}"
    "h4{font-size:13px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);"
    "margin:18px 0 6px}\n"
    "code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,'DejaVu Sans Mono',"
    "monospace;font-size:12.5px}\n"
    "pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:0}\n"
    "a{color:#0550ae}\n"
    ".sub{color:var(--muted);margin:0}\n"
    ".tiles{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}\n"
    ".tile{border:1px solid var(--line);border-radius:8px;padding:10px 16px;min-width:130px;"
    "border-top:4px solid var(--unk)}\n"
    ".tile b{display:block;font-size:26px;line-height:1.2}.tile span{color:var(--muted)}\n"
    ".tile.failed{border-top-color:var(--fail)}.tile.warned{border-top-color:var(--warn)}"
    ".tile.succeeded{border-top-color:var(--ok)}.tile.hosts{border-top-color:#0550ae}\n"
    ".badge{display:inline-block;border-radius:999px;padding:0 9px;font-size:12px;"
    "font-weight:600;color:#fff;background:var(--unk);white-space:nowrap;vertical-align:2px}\n"
    ".badge.failed{background:var(--fail)}.badge.warned{background:var(--warn)}"
    ".badge.succeeded{background:var(--ok)}\n"
    "table{border-collapse:collapse;width:100%;margin:8px 0}\n"
    "th.names{min-width:9em}td.name{white-space:nowrap}table.findings{font-size:12.5px}\n"
    "th,td{text-align:left;vertical-align:top;padding:5px 8px;border-bottom:1px solid var(--line)}"
    "\nth{background:var(--soft);font-weight:600}td.num,th.num{text-align:right}\n"
    "figure{margin:8px 0;border:1px solid var(--line);border-radius:8px;padding:12px}\n"
    "figcaption{color:var(--muted);font-size:12px;margin-top:4px}\n"
    "#chart svg{width:100%;height:auto;display:block}\n"
    "#chart text{font-family:ui-monospace,Menlo,Consolas,'DejaVu Sans Mono',monospace;"
    "font-size:12px;fill:var(--ink)}\n"
    "#chart .seg-failed{fill:var(--fail)}#chart .seg-warned{fill:var(--warn)}"
    "#chart .seg-unknown{fill:var(--unk)}#chart .grid{stroke:var(--line)}\n"
    ".host{border:1px solid var(--line);border-left:6px solid var(--unk);border-radius:8px;"
    "padding:14px 18px;margin:18px 0}\n"
    ".host.failed{border-left-color:var(--fail)}.host.warned{border-left-color:var(--warn)}\n"
    ".meta{color:var(--muted);margin:0 0 8px}\n"
    ".cause{font-weight:600;margin:6px 0 2px}\n"
    ".codes{margin:0}.codes code{background:var(--soft);border:1px solid var(--line);"
    "border-radius:4px;padding:0 5px;margin-right:4px;display:inline-block}\n"
    "dl.fields{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:8px 0}"
    "dl.fields dt{color:var(--muted)}dl.fields dd{margin:0}\n"
    "ol.timeline{list-style:none;margin:0;padding:0 0 0 6px}\n"
    "ol.timeline li{position:relative;padding:0 0 10px 22px;border-left:2px solid var(--line)}\n"
    "ol.timeline li:last-child{border-left-color:transparent}\n"
    "ol.timeline li::before{content:'';position:absolute;left:-7px;top:4px;width:12px;"
    "height:12px;border-radius:50%;background:var(--unk);border:2px solid #fff}\n"
    "ol.timeline li.failed::before{background:var(--fail)}"
    "ol.timeline li.warned::before{background:var(--warn)}"
    "ol.timeline li.succeeded::before{background:var(--ok)}\n"
    "ol.timeline li.history{color:var(--muted)}\n"
    ".tag{font-size:11px;border:1px solid currentColor;border-radius:4px;padding:0 4px}\n"
    ".loc{color:var(--muted);font-size:12px;overflow-wrap:anywhere}\n"
    "ol.evidence{list-style:none;margin:0;padding:0}\n"
    "ol.evidence li{margin:0 0 6px}\n"
    "ol.evidence pre{background:var(--soft);border:1px solid var(--line);border-radius:6px;"
    "padding:6px 10px}\n"
    "ol.steps{margin:4px 0 8px;padding-left:24px}ol.steps li{margin:2px 0}\n"
    ".cmds{background:#0d1117;color:#e6edf3;border-radius:6px;padding:6px 0;margin:6px 0}\n"
    "pre.cmd{padding:2px 12px}pre.cmd+pre.cmd{border-top:1px solid #30363d}\n"
    ".ref{margin:6px 0 0;overflow-wrap:anywhere}\n"
    "table.templates code{overflow-wrap:anywhere}td.tpl{white-space:nowrap}\n"
    "ol.examples{list-style:none;margin:6px 0 0;padding:0}ol.examples li{margin:0 0 6px}\n"
    "ol.examples pre{background:var(--soft);border:1px solid var(--line);border-radius:6px;"
    "padding:6px 10px}\n"
    ".generic{margin:4px 0 0;color:var(--muted)}\n"
    "footer{color:var(--muted);font-size:12px;margin-top:32px;border-top:1px solid var(--line);"
    "padding-top:8px}\n"
    "@page{margin:14mm}\n"
    "@media print{body{max-width:none;padding:0;font-size:10pt}"
    ".host{break-inside:auto;border-radius:0}h2,h3,h4{break-after:avoid}"
    "pre,ol.evidence li,ol.timeline li,tr,figure{break-inside:avoid}"
    "a{color:inherit}.cmds{background:var(--soft);color:var(--ink);"
    "border:1px solid var(--line)}pre.cmd+pre.cmd{border-top-color:var(--line)}}\n";

/* Escapes the five characters that are markup in text and in quoted attribute values. */
static const char *html_esc(char c, char buf[4])
{
    (void)buf;
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#39;";
    default:
        return NULL;
    }
}

/* Writes `s` as HTML text (also safe inside a quoted attribute value). */
static void text(FILE *out, const char *s)
{
    rv_put_text(out, s, html_esc);
}

/*
 * Writes the element id of a host: "host-" and the name with letters, digits and '-' kept and
 * every other byte as "_XX" (hex), so that distinct names give distinct, valid ids.
 */
static void html_host_id(FILE *out, const char *host)
{
    fputs("host-", out);
    for (const unsigned char *p = (const unsigned char *)host; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-')
            fputc(*p, out);
        else
            fprintf(out, "_%02X", *p);
    }
}

/* Writes a link to a host's section, or just its name when it has none (succeeded). */
static void host_link(FILE *out, json_t *h)
{
    if (rv_attention(rv_str(h, "outcome")) < 0) {
        text(out, rv_str(h, "host"));
        return;
    }
    fputs("<a href=\"#", out);
    html_host_id(out, rv_str(h, "host"));
    fputs("\">", out);
    text(out, rv_str(h, "host"));
    fputs("</a>", out);
}

/* Writes an outcome badge. */
static void badge(FILE *out, const char *outcome)
{
    fprintf(out, "<span class=\"badge %s\">%s</span>", rv_outcome_class(outcome),
            rv_outcome_label(outcome));
}

/* Writes `url` as a link when it is a plain https URL, else as text. */
static void reference_link(FILE *out, const char *url)
{
    int plain = strncmp(url, "https://", 8) == 0;
    for (const char *p = url; plain && *p; p++)
        plain = (unsigned char)*p > 0x20 && *p != 0x7f;
    if (!plain) {
        text(out, url);
        return;
    }
    fputs("<a href=\"", out);
    text(out, url);
    fputs("\" rel=\"noreferrer\">", out);
    text(out, url);
    fputs("</a>", out);
}

/* Document head, title and page header. */
static void page_head(FILE *out, json_t *report)
{
    json_t *s = json_object_get(report, "summary");
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\">\n"
          "<meta name=\"generator\" content=\"asrlog ",
          out);
    text(out, rv_str(report, "asrlog_version"));
    fprintf(out, "\">\n<title>Mobility Service install report: %lld of %lld hosts failed</title>\n",
            rv_int(s, "failed"), rv_int(s, "hosts"));
    fprintf(out, "<style>\n%s</style>\n</head>\n<body>\n", css);
    fputs("<header>\n<h1>Azure Site Recovery Mobility Service installation report</h1>\n"
          "<p class=\"sub\">asrlog ",
          out);
    text(out, rv_str(report, "asrlog_version"));
    if (*rv_str(report, "catalog_hash")) {
        fputs(" · catalogue ", out);
        text(out, rv_str(report, "catalog_hash"));
        fprintf(out, " (%lld signatures)", rv_int(report, "signatures"));
    }
    fputs("</p>\n</header>\n", out);
}

/* Writes one summary tile. */
static void tile(FILE *out, const char *cls, long long n, const char *label)
{
    fprintf(out, "<div class=\"tile %s\"><b>%lld</b><span>%s</span></div>\n", cls, n, label);
}

/* Fleet summary: counts of hosts by outcome and of inputs by status. */
static void summary(FILE *out, json_t *report, const report_view *v)
{
    json_t *s = json_object_get(report, "summary");
    fputs("<section id=\"summary\">\n<h2>Fleet summary</h2>\n<div class=\"tiles\">\n", out);
    tile(out, "hosts", rv_int(s, "hosts"), "hosts");
    tile(out, "failed", rv_int(s, "failed"), "failed");
    tile(out, "warned", rv_int(s, "succeeded_with_warnings"), "succeeded with warnings");
    tile(out, "succeeded", rv_int(s, "succeeded"), "succeeded");
    tile(out, "unknown", rv_int(s, "unknown"), "unknown");
    size_t n_inputs = json_array_size(json_object_get(report, "inputs"));
    fprintf(out, "</div>\n<p class=\"sub\">%zu input%s: %zu analysed, %zu skipped, "
                 "%zu unreadable.</p>\n</section>\n",
            n_inputs, n_inputs == 1 ? "" : "s", v->inputs_analyzed, v->inputs_skipped,
            v->inputs_unreadable);
}

/* Writes a chart label: the signature, cut to CHART_LABEL_MAX characters (UTF-8 aware). */
static void chart_label(FILE *out, const rv_cause *c)
{
    const char *s = c->signature ? c->signature : "(no specific cause)";
    size_t chars = 0, cut = 0;
    for (size_t i = 0; s[i]; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80 && ++chars == CHART_LABEL_MAX)
            cut = i; /* where the last character that fits would start */
    if (chars <= CHART_LABEL_MAX) {
        text(out, s);
        return;
    }
    char buf[4 * CHART_LABEL_MAX];
    if (cut >= sizeof buf) /* only on broken UTF-8: the report's strings are valid UTF-8 */
        cut = sizeof buf - 1;
    memcpy(buf, s, cut); /* CHART_LABEL_MAX - 1 characters of at most 4 bytes */
    buf[cut] = '\0';
    text(out, buf);
    fputs("…", out);
}

/* CSS classes of the bar segments, per RV_FAILED, RV_WARNED, RV_UNKNOWN. */
static const char *const seg_class[RV_N_ATTENTION] = {"seg-failed", "seg-warned", "seg-unknown"};

/* One bar: label, stacked segments per outcome, count; its <title> is the full cause. */
static void chart_bar(FILE *out, const rv_cause *c, size_t max, int y)
{
    static const char *const word[RV_N_ATTENTION] = {"failed", "with warnings", "unknown"};
    fputs("<g class=\"bar\" data-signature=\"", out);
    text(out, c->signature ? c->signature : "");
    fprintf(out, "\" data-hosts=\"%zu\">\n<title>", c->total);
    text(out, c->title);
    fprintf(out, ": %zu host%s", c->total, c->total == 1 ? "" : "s");
    for (int k = 0; k < RV_N_ATTENTION; k++)
        if (c->by_outcome[k])
            fprintf(out, ", %zu %s", c->by_outcome[k], word[k]);
    fprintf(out, "</title>\n<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", CHART_LABEL_END,
            y + CHART_BAR_H - 4);
    chart_label(out, c);
    fputs("</text>\n", out);
    size_t done = 0;
    for (int k = 0; k < RV_N_ATTENTION; k++) {
        if (!c->by_outcome[k])
            continue;
        size_t x0 = rv_bar_pos(done, max, CHART_BAR_FULL);
        done += c->by_outcome[k];
        size_t x1 = rv_bar_pos(done, max, CHART_BAR_FULL);
        fprintf(out, "<rect class=\"%s\" x=\"%zu\" y=\"%d\" width=\"%zu\" height=\"%d\"/>\n",
                seg_class[k], CHART_BAR_X + x0, y, x1 > x0 ? x1 - x0 : 1, CHART_BAR_H);
    }
    fprintf(out, "<text class=\"count\" x=\"%zu\" y=\"%d\">%zu</text>\n</g>\n",
            CHART_BAR_X + rv_bar_pos(c->total, max, CHART_BAR_FULL) + 6, y + CHART_BAR_H - 4,
            c->total);
}

/* The legend above the bars. */
static void chart_legend(FILE *out)
{
    static const char *const word[RV_N_ATTENTION] = {"failed", "succeeded with warnings",
                                                     "unknown"};
    static const int width[RV_N_ATTENTION] = {60, 190, 80}; /* text widths at 12px monospace */
    int x = CHART_BAR_X;
    fputs("<g class=\"legend\">\n", out);
    for (int k = 0; k < RV_N_ATTENTION; k++) {
        fprintf(out, "<rect class=\"%s\" x=\"%d\" y=\"6\" width=\"12\" height=\"12\"/>"
                     "<text x=\"%d\" y=\"16\">%s</text>\n",
                seg_class[k], x, x + 16, word[k]);
        x += 16 + width[k];
    }
    fputs("</g>\n", out);
}

/* The bar chart of hosts by root cause (inline SVG, described for screen readers). */
static void chart(FILE *out, const report_view *v)
{
    int h = CHART_TOP + (int)v->n_causes * CHART_ROW + 8;
    if (v->n_causes == 0)
        h = CHART_TOP + CHART_ROW;
    fputs("<figure id=\"chart\">\n", out);
    fprintf(out, "<svg viewBox=\"0 0 %d %d\" width=\"%d\" "
                 "height=\"%d\" role=\"img\" aria-labelledby=\"chart-title chart-desc\">\n",
            CHART_W, h, CHART_W, h);
    fputs("<title id=\"chart-title\">Hosts by root cause</title>\n<desc id=\"chart-desc\">", out);
    fprintf(out, "%zu hosts failed, warned or ended without a verdict, in %zu root causes.",
            v->n_hosts, v->n_causes);
    for (size_t i = 0; i < v->n_causes; i++) {
        fputc(' ', out);
        text(out, v->causes[i].title);
        fprintf(out, ": %zu.", v->causes[i].total);
    }
    fputs("</desc>\n", out);
    chart_legend(out);
    fprintf(out, "<line class=\"grid\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n",
            CHART_BAR_X - 1, CHART_TOP - 6, CHART_BAR_X - 1, h - 4);
    if (v->n_causes == 0)
        fprintf(out, "<text x=\"%d\" y=\"%d\">No host failed or warned.</text>\n",
                CHART_BAR_X + 8, CHART_TOP + 14);
    for (size_t i = 0; i < v->n_causes; i++)
        chart_bar(out, &v->causes[i], v->max_cause, CHART_TOP + (int)i * CHART_ROW);
    fputs("</svg>\n<figcaption>Each bar counts the hosts whose deciding attempt ended on that "
          "root cause, split by outcome; the table below names them.</figcaption>\n</figure>\n",
          out);
}

/* The table under the chart: every root cause, its hosts (linked) and its signature. */
static void cause_table(FILE *out, const report_view *v)
{
    if (v->n_causes == 0)
        return;
    fputs("<table class=\"causes\">\n<thead><tr><th>Root cause</th><th class=\"num\">Hosts</th>"
          "<th class=\"names\">Host names</th></tr></thead>\n<tbody>\n",
          out);
    for (size_t i = 0; i < v->n_causes; i++) {
        const rv_cause *c = &v->causes[i];
        fputs("<tr><td>", out);
        text(out, c->title);
        if (c->signature) {
            fputs("<br><code>", out);
            text(out, c->signature);
            fputs("</code>", out);
        }
        fprintf(out, "</td><td class=\"num\">%zu</td><td>", c->total);
        int first = 1;
        for (size_t k = 0; k < v->n_hosts; k++) {
            if (!rv_host_in_cause(v->hosts[k], c))
                continue;
            fputs(first ? "" : ", ", out);
            host_link(out, v->hosts[k]);
            first = 0;
        }
        fputs("</td></tr>\n", out);
    }
    fputs("</tbody>\n</table>\n", out);
}

/* The table of every host of the fleet. */
static void host_table(FILE *out, json_t *report)
{
    fputs("<section id=\"hosts\">\n<h2>All hosts</h2>\n<table class=\"hosts\">\n<thead><tr>"
          "<th>Host</th><th>Outcome</th><th>OS</th><th>Root cause</th>"
          "<th class=\"num\">Attempts</th></tr></thead>\n<tbody>\n",
          out);
    size_t i;
    json_t *h;
    json_array_foreach(json_object_get(report, "hosts"), i, h)
    {
        json_t *rc = json_object_get(h, "root_cause");
        fputs("<tr><td class=\"name\">", out);
        host_link(out, h);
        fputs("</td><td>", out);
        badge(out, rv_str(h, "outcome"));
        fputs("</td><td>", out);
        text(out, rv_str(h, "os"));
        fputs("</td><td>", out);
        text(out, json_is_object(rc) ? rv_str(rc, "title") : "");
        fprintf(out, "</td><td class=\"num\">%zu</td></tr>\n",
                json_array_size(json_object_get(h, "attempts")));
    }
    fputs("</tbody>\n</table>\n</section>\n", out);
}

/* Host name, outcome, OS, identity rule and aliases. */
static void host_header(FILE *out, json_t *h)
{
    fputs("<h3 id=\"", out);
    html_host_id(out, rv_str(h, "host"));
    fputs("_head\">", out); /* "_h" never comes out of the id encoding */
    badge(out, rv_str(h, "outcome"));
    fputc(' ', out);
    text(out, rv_str(h, "host"));
    fputs("</h3>\n<p class=\"meta\">", out);
    text(out, rv_str(h, "os"));
    fputs(" · host name from ", out);
    text(out, rv_str(h, "host_source"));
    json_t *aliases = json_object_get(h, "aliases");
    size_t i;
    json_t *a;
    json_array_foreach(aliases, i, a)
    {
        fputs(i ? ", " : " · also known as ", out);
        text(out, json_string_value(a) ? json_string_value(a) : "");
    }
    fputs("</p>\n", out);
}

/* 1 when `id` is the id of one of the first RV_MAX_TEMPLATES templates (which get a row). */
static int template_shown(json_t *report, const char *id)
{
    json_t *tpls = json_object_get(report, "unclassified");
    for (size_t i = 0; i < json_array_size(tpls) && i < RV_MAX_TEMPLATES; i++)
        if (strcmp(rv_str(json_array_get(tpls, i), "id"), id) == 0)
            return 1;
    return 0;
}

/* Writes a template id, linked to its row of the "Unclassified failures" table when it has
 * one. */
static void template_link(FILE *out, json_t *report, const char *id)
{
    int linked = template_shown(report, id);
    if (linked) {
        fputs("<a href=\"#", out);
        text(out, id);
        fputs("\">", out);
    }
    fputs("<code>", out);
    text(out, id);
    fputs(linked ? "</code></a>" : "</code>", out);
}

/* For an unclassified host: its generic finding and its templates (linked to their rows). */
static void unclassified_cause(FILE *out, json_t *rc, json_t *report)
{
    json_t *generic = json_object_get(rc, "generic"), *ids = json_object_get(rc, "templates");
    if (json_is_object(generic)) {
        fputs("<p class=\"generic\">Generic finding: ", out);
        text(out, rv_str(generic, "title"));
        fputs(" <code>", out);
        text(out, rv_str(generic, "signature"));
        fputs("</code></p>\n", out);
    }
    if (!json_array_size(ids))
        return;
    fputs("<p class=\"generic\">Templates (under Unclassified failures):", out);
    size_t i;
    json_t *id;
    json_array_foreach(ids, i, id)
    {
        fputs(i ? ", " : " ", out);
        template_link(out, report, json_string_value(id) ? json_string_value(id) : "");
    }
    fputs("</p>\n", out);
}

/* Root cause title, its codes and the values extracted from the logs; `report` for the links
 * of an unclassified host's templates. */
static void cause_block(FILE *out, json_t *rc, json_t *report)
{
    fputs("<p class=\"cause\">", out);
    text(out, rv_str(rc, "title"));
    fputs("</p>\n<p class=\"codes\">", out);
    json_t *codes = rv_cause_codes(rc);
    size_t i;
    json_t *x;
    json_array_foreach(codes, i, x)
    {
        fputs("<code>", out);
        text(out, json_string_value(x));
        fputs("</code>", out);
    }
    json_decref(codes);
    fputs("<code>signature ", out);
    text(out, rv_str(rc, "signature"));
    fputs("</code></p>\n", out);
    unclassified_cause(out, rc, report);
    json_t *fields = json_object_get(rc, "fields");
    if (json_object_size(fields) == 0)
        return;
    fputs("<dl class=\"fields\">\n", out);
    const char *key;
    json_object_foreach(fields, key, x)
    {
        fputs("<dt>", out);
        text(out, key);
        fputs("</dt><dd class=\"mono\">", out);
        if (json_is_string(x)) {
            text(out, json_string_value(x));
        } else {
            char *dump = json_dumps(x, JSON_COMPACT | JSON_ENCODE_ANY);
            text(out, dump ? dump : "");
            free(dump);
        }
        fputs("</dd>\n", out);
    }
    fputs("</dl>\n", out);
}

/* The attempts of a host, oldest first, as a vertical timeline. */
static void timeline(FILE *out, json_t *h)
{
    json_t *atts = json_object_get(h, "attempts");
    if (json_array_size(atts) == 0)
        return;
    fputs("<h4>Attempts</h4>\n<ol class=\"timeline\">\n", out);
    size_t i;
    json_t *a;
    json_array_foreach(atts, i, a)
    {
        int deciding = json_is_true(json_object_get(a, "deciding"));
        fprintf(out, "<li class=\"attempt %s%s\"><b>", rv_outcome_class(rv_str(a, "outcome")),
                deciding ? " deciding" : " history");
        text(out, json_is_string(json_object_get(a, "started")) ? rv_str(a, "started")
                                                               : "start time unknown");
        fputs("</b> ", out);
        badge(out, rv_str(a, "outcome"));
        if (json_is_integer(json_object_get(a, "exit_code")))
            fprintf(out, " exit code %lld", rv_int(a, "exit_code"));
        fprintf(out, " <span class=\"tag\">%s</span>", deciding ? "deciding" : "history");
        fputs("<div class=\"loc\">", out);
        text(out, rv_str(a, "log_type"));
        if (*rv_str(a, "job_id")) {
            fputs(" job ", out);
            text(out, rv_str(a, "job_id"));
        }
        fputs(" · <span class=\"mono\">", out);
        text(out, rv_str(a, "file"));
        fprintf(out, ":%lld</span></div></li>\n", rv_int(a, "line"));
    }
    fputs("</ol>\n", out);
}

/* The evidence lines of the root cause, each with its file:line. */
static void evidence(FILE *out, json_t *rc)
{
    json_t *ev = json_object_get(rc, "evidence");
    if (json_array_size(ev) == 0)
        return;
    fputs("<h4>Evidence</h4>\n<ol class=\"evidence\">\n", out);
    size_t i;
    json_t *e;
    json_array_foreach(ev, i, e)
    {
        fputs("<li><div class=\"loc mono\">", out);
        text(out, rv_str(e, "file"));
        fprintf(out, ":%lld</div><pre>", rv_int(e, "line"));
        text(out, rv_str(e, "text"));
        fputs("</pre></li>\n", out);
    }
    fputs("</ol>\n", out);
}

/* Remediation: summary, ordered steps, commands (one block each) and the reference. */
static void remediation(FILE *out, json_t *rc)
{
    json_t *r = json_object_get(rc, "remediation");
    if (!json_is_object(r))
        return;
    fputs("<h4>Remediation</h4>\n<div class=\"fix\">\n<p>", out);
    text(out, rv_str(r, "summary"));
    fputs("</p>\n", out);
    size_t i;
    json_t *x;
    if (json_array_size(json_object_get(r, "steps"))) {
        fputs("<ol class=\"steps\">\n", out);
        json_array_foreach(json_object_get(r, "steps"), i, x)
        {
            fputs("<li>", out);
            text(out, json_string_value(x) ? json_string_value(x) : "");
            fputs("</li>\n", out);
        }
        fputs("</ol>\n", out);
    }
    if (json_array_size(json_object_get(r, "commands")))
        fputs("<div class=\"cmds\" aria-label=\"Commands\">\n", out);
    json_array_foreach(json_object_get(r, "commands"), i, x)
    {
        fputs("<pre class=\"cmd\"><code>", out);
        text(out, json_string_value(x) ? json_string_value(x) : "");
        fputs("</code></pre>\n", out);
    }
    if (json_array_size(json_object_get(r, "commands")))
        fputs("</div>\n", out);
    if (*rv_str(r, "reference")) {
        fputs("<p class=\"ref\">Reference: ", out);
        reference_link(out, rv_str(r, "reference"));
        fputs("</p>\n", out);
    }
    fputs("</div>\n", out);
}

/* The other signatures that hit this host, with where each was first seen. */
static void other_findings(FILE *out, json_t *h)
{
    json_t *findings = json_object_get(h, "findings");
    size_t i, shown = 0;
    json_t *f;
    json_array_foreach(findings, i, f)
    {
        if (!rv_other_finding(h, f))
            continue;
        if (shown++ == 0)
            fputs("<h4>Other findings</h4>\n<table class=\"findings\">\n<thead><tr>"
                  "<th>Finding</th><th class=\"num\">Lines</th><th>First seen</th></tr></thead>\n"
                  "<tbody>\n",
                  out);
        fputs("<tr><td>", out);
        text(out, rv_str(f, "title"));
        fputs("<br><code>", out);
        text(out, rv_str(f, "signature"));
        fprintf(out, "</code></td><td class=\"num\">%lld</td><td class=\"loc mono\">",
                rv_int(f, "count"));
        json_t *first = json_object_get(f, "first");
        text(out, rv_str(first, "file"));
        fprintf(out, ":%lld</td></tr>\n", rv_int(first, "line"));
    }
    if (shown)
        fputs("</tbody>\n</table>\n", out);
}

/* One host's section; `report` is the whole report (for links to templates). */
static void host_section(FILE *out, json_t *h, json_t *report)
{
    fprintf(out, "<section class=\"host %s\" id=\"", rv_outcome_class(rv_str(h, "outcome")));
    html_host_id(out, rv_str(h, "host"));
    fputs("\" data-host=\"", out);
    text(out, rv_str(h, "host"));
    fputs("\" aria-labelledby=\"", out);
    html_host_id(out, rv_str(h, "host"));
    fputs("_head\">\n", out);
    host_header(out, h);
    json_t *rc = json_object_get(h, "root_cause");
    if (json_is_object(rc))
        cause_block(out, rc, report);
    else
        fputs("<p class=\"cause\">No specific cause found in the logs.</p>\n", out);
    timeline(out, h);
    if (json_is_object(rc)) {
        evidence(out, rc);
        remediation(out, rc);
    }
    other_findings(out, h);
    fputs("</section>\n", out);
}

/* One host name of a template's row, linked to its host's section when it has one. */
static void template_host_name(FILE *out, const char *name, void *ctx)
{
    json_t *host = rv_attention_host(ctx, name);
    if (host)
        host_link(out, host);
    else
        text(out, name);
}

/* The examples of one template: "HOST · file:line" and the line, as host evidence is shown. */
static void template_examples(FILE *out, json_t *t)
{
    json_t *ex = json_object_get(t, "examples");
    if (json_array_size(ex) == 0)
        return;
    fputs("<ol class=\"examples\" data-template=\"", out);
    text(out, rv_str(t, "id"));
    fputs("\">\n", out);
    size_t i;
    json_t *e;
    json_array_foreach(ex, i, e)
    {
        fputs("<li><div class=\"loc mono\">", out);
        text(out, rv_str(e, "host"));
        fputs(" · ", out);
        text(out, rv_str(e, "file"));
        fprintf(out, ":%lld</div><pre>", rv_int(e, "line"));
        text(out, rv_str(e, "text"));
        fputs("</pre></li>\n", out);
    }
    fputs("</ol>\n", out);
}

/* The "Unclassified failures" section: one table row per template (at most RV_MAX_TEMPLATES,
 * each row's id the template id) holding its wording and examples, then how to make a
 * signature of one. Nothing when the report has none. */
static void unclassified(FILE *out, json_t *report, const report_view *v)
{
    json_t *tpls = json_object_get(report, "unclassified");
    size_t n = json_array_size(tpls), shown = n < RV_MAX_TEMPLATES ? n : RV_MAX_TEMPLATES;
    if (n == 0)
        return;
    fputs("<section id=\"unclassified\">\n<h2>Unclassified failures</h2>\n<p>", out);
    text(out, RV_UNCLASSIFIED_INTRO);
    fputs("</p>\n<table class=\"templates\">\n<thead><tr><th>Template</th>"
          "<th class=\"num\">Score</th><th class=\"names\">Hosts</th><th>Wording and examples"
          "</th></tr></thead>\n<tbody>\n",
          out);
    for (size_t i = 0; i < shown; i++) {
        json_t *t = json_array_get(tpls, i);
        fputs("<tr id=\"", out);
        text(out, rv_str(t, "id"));
        fputs("\"><td class=\"tpl mono\">", out);
        text(out, rv_str(t, "id"));
        fprintf(out, "</td><td class=\"num\">%lld</td><td>", rv_int(t, "score"));
        rv_template_hosts(out, t, template_host_name, (void *)v);
        fputs("</td><td><code class=\"template\">", out);
        text(out, rv_str(t, "template"));
        fputs("</code>\n", out);
        template_examples(out, t);
        fputs("</td></tr>\n", out);
    }
    fputs("</tbody>\n</table>\n", out);
    if (shown < n)
        fprintf(out, "<p>… and %zu more templates (see <code>--format json</code>).</p>\n",
                n - shown);
    fputs("<p>Make a signature of a template (with the <code>--format json</code> report saved "
          "as <code>report.json</code>):</p>\n<div class=\"cmds\" aria-label=\"Commands\">\n"
          "<pre class=\"cmd\"><code>asrlog signatures new --from-template ",
          out);
    text(out, rv_str(json_array_get(tpls, 0), "id"));
    fputs(" --report report.json</code></pre>\n</div>\n</section>\n", out);
}

/* Inputs that were skipped or unreadable, or analysed with a remark. */
static void inputs_not_analysed(FILE *out, json_t *report)
{
    size_t i, shown = 0;
    json_t *in;
    json_array_foreach(json_object_get(report, "inputs"), i, in)
    {
        if (!rv_input_noted(in))
            continue;
        if (shown++ == 0)
            fputs("<section id=\"inputs\">\n<h2>Inputs not fully analysed</h2>\n<table>\n"
                  "<thead><tr><th>Status</th><th>Path</th><th>Reason</th></tr></thead>\n<tbody>\n",
                  out);
        fputs("<tr><td>", out);
        text(out, rv_str(in, "status"));
        fputs("</td><td class=\"mono\">", out);
        text(out, rv_str(in, "path"));
        fputs("</td><td>", out);
        text(out, rv_str(in, "reason"));
        fputs("</td></tr>\n", out);
    }
    if (shown)
        fputs("</tbody>\n</table>\n</section>\n", out);
}

int render_html(FILE *out, json_t *report)
{
    report_view v;
    if (rv_build(report, &v) != 0)
        return -1;
    page_head(out, report);
    fputs("<main>\n", out);
    summary(out, report, &v);
    fputs("<section id=\"causes\">\n<h2>Hosts by root cause</h2>\n", out);
    chart(out, &v);
    cause_table(out, &v);
    fputs("</section>\n", out);
    host_table(out, report);
    fputs("<section id=\"attention\">\n<h2>Hosts that need attention</h2>\n", out);
    if (v.n_hosts == 0)
        fputs("<p>No host failed, warned or ended without a verdict.</p>\n", out);
    for (size_t i = 0; i < v.n_hosts; i++)
        host_section(out, v.hosts[i], report);
    fputs("</section>\n", out);
    unclassified(out, report, &v);
    inputs_not_analysed(out, report);
    fputs("</main>\n<footer>Generated by asrlog ", out);
    text(out, rv_str(report, "asrlog_version"));
    fputs(" from the logs listed above. Evidence lines are quoted exactly (control characters "
          "shown as \xEF\xBF\xBD).</footer>\n</body>\n</html>\n",
          out);
    rv_free(&v);
    return ferror(out) ? -1 : 0;
}
