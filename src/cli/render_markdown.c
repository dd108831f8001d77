/*
 * render_markdown.c — the support-ticket report in GitHub-flavoured Markdown: fleet summary,
 * hosts by root cause (a table whose bars are block characters, since most Markdown viewers
 * do not draw inline SVG), a table of every host, then one section per failed, warned or
 * unknown host with its attempts, evidence (file:line), remediation steps and commands, and
 * the unclassified failure templates when the report has any.
 *
 * Text from the report never becomes markup: prose and table cells escape every character
 * Markdown could read as syntax, and evidence lines, commands and extracted values go into code
 * blocks or code spans whose backtick fences are longer than any backtick run they hold.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report_view.h"

#define BAR_FULL 20 /* block characters in the longest bar */

/* Bar characters per outcome (failed, warned, unknown). */
static const char *const bar_char[RV_N_ATTENTION] = {"█", "▓", "░"};

/* Escapes characters Markdown (with GitHub's extensions: tables, strike-through, math) may
 * read as syntax, with a backslash; ASCII punctuation may always be escaped that way. */
static const char *md_esc(char c, char buf[4])
{
    if (c == '\0' || !strchr("\\`*_[]<>|~&#$!", c))
        return NULL;
    buf[0] = '\\';
    buf[1] = c;
    buf[2] = '\0';
    return buf;
}

/* Escapes '|' only: inside a code span in a table cell. */
static const char *md_pipe_esc(char c, char buf[4])
{
    (void)buf;
    return c == '|' ? "\\|" : NULL;
}

/* Writes `s` as inline Markdown text (safe in prose, headings and table cells). */
static void md_text(FILE *out, const char *s)
{
    rv_put_text(out, s, md_esc);
}

/* Writes `s` at the start of a block (a list item's text): as md_text, and a leading
 * "-", "+", "=" or "1." that would start a nested list or heading is escaped too. */
static void md_block_text(FILE *out, const char *s)
{
    size_t digits = strspn(s, "0123456789");
    if (*s == '-' || *s == '+' || *s == '=') {
        fputc('\\', out);
    } else if (digits && (s[digits] == '.' || s[digits] == ')')) {
        fwrite(s, 1, digits, out);
        fputc('\\', out);
        s += digits;
    }
    md_text(out, s);
}

/* The longest run of backticks in `s`. */
static size_t backtick_run(const char *s)
{
    size_t best = 0, run = 0;
    for (; *s; s++) {
        run = *s == '`' ? run + 1 : 0;
        if (run > best)
            best = run;
    }
    return best;
}

/* Writes `n` backticks. */
static void backticks(FILE *out, size_t n)
{
    while (n--)
        fputc('`', out);
}

/*
 * Writes `s` followed by `suffix` (plain ASCII, may be "") as one code span: the delimiter is one
 * backtick longer than any run inside, with a space of padding when the text starts or ends
 * with a backtick or a space. In a table cell (`in_table`), '|' is written as "\|", which GFM
 * reads as a pipe inside the cell even in code.
 */
static void md_code_in(FILE *out, const char *s, const char *suffix, int in_table)
{
    size_t len = strlen(s), slen = strlen(suffix);
    if (len + slen == 0)
        return;
    size_t n = backtick_run(s) + 1;
    char first = len ? s[0] : suffix[0], last = slen ? suffix[slen - 1] : s[len - 1];
    int pad = first == '`' || first == ' ' || last == '`' || last == ' ';
    backticks(out, n);
    fputs(pad ? " " : "", out);
    rv_put_text(out, s, in_table ? md_pipe_esc : NULL);
    fputs(suffix, out);
    fputs(pad ? " " : "", out);
    backticks(out, n);
}

/* Writes `s` as a code span outside tables. */
static void md_code(FILE *out, const char *s)
{
    md_code_in(out, s, "", 0);
}

/* Writes "file:line" as a code span (for a table cell when `in_table`). */
static void md_loc(FILE *out, const char *file, long long line, int in_table)
{
    char suffix[32];
    snprintf(suffix, sizeof suffix, ":%lld", line);
    md_code_in(out, file, suffix, in_table);
}

/* The fence for a code block holding `lines`: at least three backticks, and more than the
 * longest run of backticks in any line, so no line can close it. */
static size_t fence_for(json_t *lines, const char *key)
{
    size_t best = 2, i;
    json_t *x;
    json_array_foreach(lines, i, x)
    {
        const char *s = key ? rv_str(x, key) : json_string_value(x);
        size_t r = backtick_run(s ? s : "");
        if (r > best)
            best = r;
    }
    return best + 1;
}

/* Writes `url` as an autolink when it is a plain https URL, else as text. */
static void md_reference(FILE *out, const char *url)
{
    int plain = strncmp(url, "https://", 8) == 0;
    for (const char *p = url; plain && *p; p++)
        plain = (unsigned char)*p > 0x20 && *p != 0x7f && *p != '<' && *p != '>';
    if (!plain) {
        md_text(out, url);
        return;
    }
    fprintf(out, "<%s>", url);
}

/* Title line and fleet summary. */
static void summary(FILE *out, json_t *report, const report_view *v)
{
    json_t *s = json_object_get(report, "summary");
    fputs("# Azure Site Recovery Mobility Service installation report\n\nasrlog ", out);
    md_text(out, rv_str(report, "asrlog_version"));
    if (*rv_str(report, "catalog_hash")) {
        fputs(" · catalogue ", out);
        md_text(out, rv_str(report, "catalog_hash"));
        fprintf(out, " (%lld signatures)", rv_int(report, "signatures"));
    }
    size_t n_inputs = json_array_size(json_object_get(report, "inputs"));
    fprintf(out, " · %zu input%s: %zu analysed, %zu skipped, %zu unreadable\n\n", n_inputs,
            n_inputs == 1 ? "" : "s", v->inputs_analyzed, v->inputs_skipped,
            v->inputs_unreadable);
    fputs("## Fleet summary\n\n| Hosts | Failed | Succeeded with warnings | Succeeded | Unknown |\n"
          "|---:|---:|---:|---:|---:|\n",
          out);
    fprintf(out, "| %lld | %lld | %lld | %lld | %lld |\n\n", rv_int(s, "hosts"),
            rv_int(s, "failed"), rv_int(s, "succeeded_with_warnings"), rv_int(s, "succeeded"),
            rv_int(s, "unknown"));
}

/* A bar of block characters, one kind per outcome, as long as the cause's share. */
static void text_bar(FILE *out, const rv_cause *c, size_t max)
{
    size_t done = 0;
    for (int k = 0; k < RV_N_ATTENTION; k++) {
        size_t x0 = rv_bar_pos(done, max, BAR_FULL);
        done += c->by_outcome[k];
        size_t x1 = rv_bar_pos(done, max, BAR_FULL);
        if (c->by_outcome[k] && x1 == x0)
            x1 = x0 + 1; /* a host is never invisible */
        for (size_t i = x0; i < x1; i++)
            fputs(bar_char[k], out);
    }
}

/* The chart: one table row per root cause with its bar and the hosts it holds. */
static void causes(FILE *out, const report_view *v)
{
    fputs("## Hosts by root cause\n\n", out);
    if (v->n_causes == 0) {
        fputs("No host failed or warned.\n\n", out);
        return;
    }
    fputs("| Root cause | Hosts | Chart | Host names |\n|---|---:|---|---|\n", out);
    for (size_t i = 0; i < v->n_causes; i++) {
        const rv_cause *c = &v->causes[i];
        fputs("| ", out);
        md_text(out, c->title);
        if (c->signature) {
            fputs(" ", out);
            md_code_in(out, c->signature, "", 1);
        }
        fprintf(out, " | %zu | ", c->total);
        text_bar(out, c, v->max_cause);
        fputs(" | ", out);
        int first = 1;
        for (size_t k = 0; k < v->n_hosts; k++) {
            if (!rv_host_in_cause(v->hosts[k], c))
                continue;
            fputs(first ? "" : ", ", out);
            md_text(out, rv_str(v->hosts[k], "host"));
            first = 0;
        }
        fputs(" |\n", out);
    }
    fprintf(out, "\n%s failed · %s succeeded with warnings · %s unknown\n\n", bar_char[0],
            bar_char[1], bar_char[2]);
}

/* The table of every host. */
static void host_table(FILE *out, json_t *report)
{
    fputs("## All hosts\n\n| Host | Outcome | OS | Root cause | Attempts |\n"
          "|---|---|---|---|---:|\n",
          out);
    size_t i;
    json_t *h;
    json_array_foreach(json_object_get(report, "hosts"), i, h)
    {
        json_t *rc = json_object_get(h, "root_cause");
        fputs("| ", out);
        md_text(out, rv_str(h, "host"));
        fprintf(out, " | %s | ", rv_outcome_label(rv_str(h, "outcome")));
        md_text(out, rv_str(h, "os"));
        fputs(" | ", out);
        md_text(out, json_is_object(rc) ? rv_str(rc, "title") : "");
        fprintf(out, " | %zu |\n", json_array_size(json_object_get(h, "attempts")));
    }
    fputs("\n", out);
}

/* Heading, OS, identity rule and aliases of a host. */
static void host_header(FILE *out, json_t *h)
{
    fprintf(out, "### %s: ", rv_outcome_label(rv_str(h, "outcome")));
    md_text(out, rv_str(h, "host"));
    fputs("\n\n", out);
    md_text(out, rv_str(h, "os"));
    fputs(" · host name from ", out);
    md_text(out, rv_str(h, "host_source"));
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(h, "aliases"), i, a)
    {
        fputs(i ? ", " : " · also known as ", out);
        md_text(out, json_string_value(a) ? json_string_value(a) : "");
    }
    fputs("\n\n", out);
}

/* For an unclassified host: its generic finding and the ids of its templates, one paragraph. */
static void unclassified_cause(FILE *out, json_t *rc)
{
    json_t *generic = json_object_get(rc, "generic"), *ids = json_object_get(rc, "templates");
    if (!json_is_object(generic) && !json_array_size(ids))
        return;
    if (json_is_object(generic)) {
        fputs("Generic finding: ", out);
        md_text(out, rv_str(generic, "title"));
        fputs(" (", out);
        md_code(out, rv_str(generic, "signature"));
        fputs(json_array_size(ids) ? ")\\\n" : ")", out); /* a hard line break */
    }
    size_t i;
    json_t *id;
    json_array_foreach(ids, i, id)
    {
        fputs(i ? ", " : "Templates (under Unclassified failures): ", out);
        md_code(out, json_string_value(id) ? json_string_value(id) : "");
    }
    fputs("\n\n", out);
}

/* Root cause title, codes, signature and the values extracted from the logs. */
static void cause_block(FILE *out, json_t *rc)
{
    fputs("**Root cause:** ", out);
    md_text(out, rv_str(rc, "title"));
    fputs("\\\n", out); /* a hard line break */
    json_t *codes = rv_cause_codes(rc);
    size_t i;
    json_t *x;
    json_array_foreach(codes, i, x)
    {
        md_code(out, json_string_value(x));
        fputs(" · ", out);
    }
    json_decref(codes);
    fputs("signature ", out);
    md_code(out, rv_str(rc, "signature"));
    fputs("\n\n", out);
    unclassified_cause(out, rc);
    const char *key;
    json_object_foreach(json_object_get(rc, "fields"), key, x)
    {
        fputs("- ", out);
        md_block_text(out, key);
        fputs(": ", out);
        char *dump = json_is_string(x) ? NULL : json_dumps(x, JSON_COMPACT | JSON_ENCODE_ANY);
        md_code(out, json_is_string(x) ? json_string_value(x) : dump ? dump : "");
        free(dump);
        fputs("\n", out);
    }
    if (json_object_size(json_object_get(rc, "fields")))
        fputs("\n", out);
}

/* The attempts of a host, oldest first, as a table. */
static void attempts(FILE *out, json_t *h)
{
    json_t *atts = json_object_get(h, "attempts");
    if (json_array_size(atts) == 0)
        return;
    fputs("**Attempts** (oldest first)\n\n| Started | Outcome | Exit code | Log | Where |\n"
          "|---|---|---:|---|---|\n",
          out);
    size_t i;
    json_t *a;
    json_array_foreach(atts, i, a)
    {
        fputs("| ", out);
        md_text(out, json_is_string(json_object_get(a, "started")) ? rv_str(a, "started") : "?");
        fprintf(out, " | %s%s | ", rv_outcome_label(rv_str(a, "outcome")),
                json_is_true(json_object_get(a, "deciding")) ? " (deciding)" : "");
        if (json_is_integer(json_object_get(a, "exit_code")))
            fprintf(out, "%lld", rv_int(a, "exit_code"));
        fputs(" | ", out);
        md_code_in(out, rv_str(a, "log_type"), "", 1);
        if (*rv_str(a, "job_id")) {
            fputs(" job ", out);
            md_text(out, rv_str(a, "job_id"));
        }
        fputs(" | ", out);
        md_loc(out, rv_str(a, "file"), rv_int(a, "line"), 1);
        fputs(" |\n", out);
    }
    fputs("\n", out);
}

/* The evidence lines in one code block: "file:line", then the line indented by four. */
static void evidence(FILE *out, json_t *rc)
{
    json_t *ev = json_object_get(rc, "evidence");
    if (json_array_size(ev) == 0)
        return;
    size_t fence = fence_for(ev, "text"), files = fence_for(ev, "file");
    if (files > fence)
        fence = files;
    fputs("**Evidence**\n\n", out);
    backticks(out, fence);
    fputs("text\n", out);
    size_t i;
    json_t *e;
    json_array_foreach(ev, i, e)
    {
        rv_put_text(out, rv_str(e, "file"), NULL);
        fprintf(out, ":%lld\n    ", rv_int(e, "line"));
        rv_put_text(out, rv_str(e, "text"), NULL);
        fputc('\n', out);
    }
    backticks(out, fence);
    fputs("\n\n", out);
}

/* Remediation: summary, numbered steps, the commands in one code block, the reference. */
static void remediation(FILE *out, json_t *rc)
{
    json_t *r = json_object_get(rc, "remediation");
    if (!json_is_object(r))
        return;
    fputs("**Remediation:** ", out);
    md_text(out, rv_str(r, "summary"));
    fputs("\n\n", out);
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(r, "steps"), i, x)
    {
        fprintf(out, "%zu. ", i + 1);
        md_block_text(out, json_string_value(x) ? json_string_value(x) : "");
        fputc('\n', out);
    }
    if (json_array_size(json_object_get(r, "steps")))
        fputc('\n', out);
    json_t *cmds = json_object_get(r, "commands");
    if (json_array_size(cmds)) {
        size_t fence = fence_for(cmds, NULL);
        backticks(out, fence);
        fputc('\n', out);
        json_array_foreach(cmds, i, x)
        {
            rv_put_text(out, json_string_value(x) ? json_string_value(x) : "", NULL);
            fputc('\n', out);
        }
        backticks(out, fence);
        fputs("\n\n", out);
    }
    if (*rv_str(r, "reference")) {
        fputs("Reference: ", out);
        md_reference(out, rv_str(r, "reference"));
        fputs("\n\n", out);
    }
}

/* The other signatures that hit the host, as a list. */
static void other_findings(FILE *out, json_t *h)
{
    size_t i, shown = 0;
    json_t *f;
    json_array_foreach(json_object_get(h, "findings"), i, f)
    {
        if (!rv_other_finding(h, f))
            continue;
        fputs(shown++ ? "" : "**Other findings**\n\n", out);
        fputs("- ", out);
        md_block_text(out, rv_str(f, "title"));
        fputs(" (", out);
        md_code(out, rv_str(f, "signature"));
        json_t *first = json_object_get(f, "first");
        fprintf(out, ", %lld line%s, first at ", rv_int(f, "count"),
                rv_int(f, "count") == 1 ? "" : "s");
        md_loc(out, rv_str(first, "file"), rv_int(first, "line"), 0);
        fputs(")\n", out);
    }
    if (shown)
        fputc('\n', out);
}

/* One host's section. */
static void host_section(FILE *out, json_t *h)
{
    host_header(out, h);
    json_t *rc = json_object_get(h, "root_cause");
    if (json_is_object(rc))
        cause_block(out, rc);
    else
        fputs("**Root cause:** no specific cause found in the logs.\n\n", out);
    attempts(out, h);
    if (json_is_object(rc)) {
        evidence(out, rc);
        remediation(out, rc);
    }
    other_findings(out, h);
}

/* One host name of a template's row. */
static void template_host_name(FILE *out, const char *name, void *ctx)
{
    (void)ctx;
    md_text(out, name);
}

/* The examples of the templates shown, in one code block: "ID  HOST  file:line", then the line
 * indented by four. */
static void template_examples(FILE *out, json_t *tpls, size_t shown)
{
    size_t fence = 3, i, k;
    json_t *t, *e;
    for (i = 0; i < shown; i++) {
        json_t *ex = json_object_get(json_array_get(tpls, i), "examples");
        size_t f = fence_for(ex, "text"), g = fence_for(ex, "file"), h = fence_for(ex, "host");
        if (f > fence)
            fence = f;
        if (g > fence)
            fence = g;
        if (h > fence)
            fence = h;
    }
    fputs("**Examples**\n\n", out);
    backticks(out, fence);
    fputs("text\n", out);
    for (i = 0; i < shown; i++) {
        t = json_array_get(tpls, i);
        json_array_foreach(json_object_get(t, "examples"), k, e)
        {
            rv_put_text(out, rv_str(t, "id"), NULL);
            fputs("  ", out);
            rv_put_text(out, rv_str(e, "host"), NULL);
            fputs("  ", out);
            rv_put_text(out, rv_str(e, "file"), NULL);
            fprintf(out, ":%lld\n    ", rv_int(e, "line"));
            rv_put_text(out, rv_str(e, "text"), NULL);
            fputc('\n', out);
        }
    }
    backticks(out, fence);
    fputs("\n\n", out);
}

/* The "Unclassified failures" section: a table of the templates (at most RV_MAX_TEMPLATES),
 * their examples, and how to make a signature of one. Nothing when the report has none. */
static void unclassified(FILE *out, json_t *report)
{
    json_t *tpls = json_object_get(report, "unclassified");
    size_t n = json_array_size(tpls), shown = n < RV_MAX_TEMPLATES ? n : RV_MAX_TEMPLATES, i;
    if (n == 0)
        return;
    fputs("## Unclassified failures\n\n", out);
    md_text(out, RV_UNCLASSIFIED_INTRO);
    fputs("\n\n| Template | Score | Hosts | Wording |\n|---|---:|---|---|\n", out);
    for (i = 0; i < shown; i++) {
        json_t *t = json_array_get(tpls, i);
        fputs("| ", out);
        md_code_in(out, rv_str(t, "id"), "", 1);
        fprintf(out, " | %lld | ", rv_int(t, "score"));
        rv_template_hosts(out, t, template_host_name, NULL);
        fputs(" | ", out);
        md_code_in(out, rv_str(t, "template"), "", 1);
        fputs(" |\n", out);
    }
    fputc('\n', out);
    if (shown < n)
        fprintf(out, "… and %zu more templates (see `--format json`).\n\n", n - shown);
    template_examples(out, tpls, shown);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "asrlog signatures new --from-template %.64s --report report.json",
             rv_str(json_array_get(tpls, 0), "id"));
    fputs("Make a signature of a template (with the `--format json` report saved as "
          "`report.json`): ",
          out);
    md_code(out, cmd);
    fputs("\n\n", out);
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
            fputs("## Inputs not fully analysed\n\n| Status | Path | Reason |\n|---|---|---|\n",
                  out);
        fputs("| ", out);
        md_text(out, rv_str(in, "status"));
        fputs(" | ", out);
        md_code_in(out, rv_str(in, "path"), "", 1);
        fputs(" | ", out);
        md_text(out, rv_str(in, "reason"));
        fputs(" |\n", out);
    }
    if (shown)
        fputc('\n', out);
}

int render_markdown(FILE *out, json_t *report)
{
    report_view v;
    if (rv_build(report, &v) != 0)
        return -1;
    summary(out, report, &v);
    causes(out, &v);
    host_table(out, report);
    fputs("## Hosts that need attention\n\n", out);
    if (v.n_hosts == 0)
        fputs("No host failed, warned or ended without a verdict.\n\n", out);
    for (size_t i = 0; i < v.n_hosts; i++)
        host_section(out, v.hosts[i]);
    unclassified(out, report);
    inputs_not_analysed(out, report);
    rv_free(&v);
    return ferror(out) ? -1 : 0;
}
