/*
 * render_text.c — the human report: fleet summary grouped by root cause, then every failed or
 * warned host with its evidence (file:line) and numbered remediation steps, then the
 * unclassified failure templates when the report has any.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct pen {
    FILE *out;
    int color;
} pen;

/* ANSI styles, used only when colour is on. */
static const char *sty(const pen *p, const char *code)
{
    return p->color ? code : "";
}
#define RESET(p) sty(p, "\033[0m")
#define BOLD(p) sty(p, "\033[1m")
#define RED(p) sty(p, "\033[31m")
#define GREEN(p) sty(p, "\033[32m")
#define YELLOW(p) sty(p, "\033[33m")
#define DIM(p) sty(p, "\033[2m")

static const char *jstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static long long jint(json_t *o, const char *k)
{
    return (long long)json_integer_value(json_object_get(o, k));
}

/* Label and colour of an outcome. */
static void outcome_label(const pen *p, const char *outcome, const char **label,
                          const char **color)
{
    if (strcmp(outcome, "failed") == 0) {
        *label = "FAILED";
        *color = RED(p);
    } else if (strcmp(outcome, "succeeded_with_warnings") == 0) {
        *label = "WARNING";
        *color = YELLOW(p);
    } else if (strcmp(outcome, "succeeded") == 0) {
        *label = "OK";
        *color = GREEN(p);
    } else {
        *label = "UNKNOWN";
        *color = DIM(p);
    }
}

/* Writes `s` with control characters shown as '?' (evidence lines come from customer files). */
static void put_clean(FILE *out, const char *s)
{
    for (; *s; s++)
        fputc(((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f ? '?' : *s, out);
}

static void summary(const pen *p, json_t *report)
{
    json_t *s = json_object_get(report, "summary");
    json_t *inputs = json_object_get(report, "inputs");
    size_t unread = 0, skipped = 0, i;
    json_t *in;
    json_array_foreach(inputs, i, in)
    {
        unread += strcmp(jstr(in, "status"), "unreadable") == 0;
        skipped += strcmp(jstr(in, "status"), "skipped") == 0;
    }
    fprintf(p->out, "%sasrlog %s%s: %lld hosts in %zu inputs — %s%lld failed%s, %lld succeeded, "
                    "%s%lld with warnings%s, %lld unknown",
            BOLD(p), jstr(report, "asrlog_version"), RESET(p), jint(s, "hosts"),
            json_array_size(inputs), jint(s, "failed") ? RED(p) : "", jint(s, "failed"),
            RESET(p), jint(s, "succeeded"), jint(s, "succeeded_with_warnings") ? YELLOW(p) : "",
            jint(s, "succeeded_with_warnings"), RESET(p), jint(s, "unknown"));
    if (unread || skipped)
        fprintf(p->out, " (%zu inputs unreadable, %zu skipped)", unread, skipped);
    fprintf(p->out, "\n");
    json_t *causes = json_object_get(s, "by_root_cause");
    if (json_array_size(causes)) {
        fprintf(p->out, "\n%sRoot causes%s\n", BOLD(p), RESET(p));
        json_t *c;
        json_array_foreach(causes, i, c)
        {
            fprintf(p->out, "  %4lld  %-44s %s\n", jint(c, "hosts"), jstr(c, "signature"),
                    jstr(c, "title"));
        }
    }
}

/* Codes of a root cause on one line: ErrorID, EP code, exit code, HRESULT. */
static void cause_codes(const pen *p, json_t *rc)
{
    int any = 0;
    size_t i;
    json_t *x;
    fprintf(p->out, "    ");
    json_array_foreach(json_object_get(rc, "error_ids"), i, x)
    {
        fprintf(p->out, "%sErrorID %lld", any++ ? "  " : "", (long long)json_integer_value(x));
    }
    json_array_foreach(json_object_get(rc, "ep_codes"), i, x)
    {
        fprintf(p->out, "%s%s", any++ ? "  " : "", json_string_value(x));
    }
    if (json_is_integer(json_object_get(rc, "exit_code")))
        fprintf(p->out, "%sexit code %lld", any++ ? "  " : "", jint(rc, "exit_code"));
    if (json_is_string(json_object_get(rc, "hresult")))
        fprintf(p->out, "%sHRESULT %s", any++ ? "  " : "", jstr(rc, "hresult"));
    fprintf(p->out, "%ssignature %s\n", any ? "  " : "", jstr(rc, "signature"));
}

/* For an unclassified host: its generic finding and the ids of its templates. */
static void unclassified_cause(const pen *p, json_t *rc)
{
    json_t *generic = json_object_get(rc, "generic");
    if (json_is_object(generic))
        fprintf(p->out, "    Generic finding: %s (%s)\n", jstr(generic, "title"),
                jstr(generic, "signature"));
    json_t *ids = json_object_get(rc, "templates");
    if (!json_array_size(ids))
        return;
    size_t i;
    json_t *id;
    fprintf(p->out, "    Templates:");
    json_array_foreach(ids, i, id) { fprintf(p->out, " %s", json_string_value(id)); }
    fprintf(p->out, " (under Unclassified failures)\n");
}

static void host_block(const pen *p, json_t *h)
{
    const char *label, *color;
    outcome_label(p, jstr(h, "outcome"), &label, &color);
    json_t *rc = json_object_get(h, "root_cause");
    fprintf(p->out, "\n%s%s%-8s%s %s%s%s (%s, host from %s)\n", BOLD(p), color, label, RESET(p),
            BOLD(p), jstr(h, "host"), RESET(p), jstr(h, "os"), jstr(h, "host_source"));
    json_t *aliases = json_object_get(h, "aliases");
    if (json_array_size(aliases)) {
        size_t i;
        json_t *a;
        fprintf(p->out, "    also known as:");
        json_array_foreach(aliases, i, a) { fprintf(p->out, " %s", json_string_value(a)); }
        fprintf(p->out, "\n");
    }
    if (!json_is_object(rc)) {
        fprintf(p->out, "    no specific cause found in the logs\n");
        return;
    }
    fprintf(p->out, "    %sRoot cause:%s %s\n", BOLD(p), RESET(p), jstr(rc, "title"));
    cause_codes(p, rc);
    unclassified_cause(p, rc);
    fprintf(p->out, "    %sEvidence:%s\n", BOLD(p), RESET(p));
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(rc, "evidence"), i, e)
    {
        fprintf(p->out, "      %s%s:%lld%s  ", DIM(p), jstr(e, "file"), jint(e, "line"),
                RESET(p));
        put_clean(p->out, jstr(e, "text"));
        fputc('\n', p->out);
    }
    json_t *r = json_object_get(rc, "remediation");
    if (json_is_object(r)) {
        fprintf(p->out, "    %sFix:%s %s\n", BOLD(p), RESET(p), jstr(r, "summary"));
        json_t *s;
        json_array_foreach(json_object_get(r, "steps"), i, s)
        {
            fprintf(p->out, "      %zu. %s\n", i + 1, json_string_value(s));
        }
        json_array_foreach(json_object_get(r, "commands"), i, s)
        {
            fprintf(p->out, "         $ %s\n", json_string_value(s));
        }
        if (*jstr(r, "reference"))
            fprintf(p->out, "      See %s\n", jstr(r, "reference"));
    }
    json_t *atts = json_object_get(h, "attempts");
    if (json_array_size(atts) > 1) {
        fprintf(p->out, "    %sAttempts%s (oldest first; the deciding ones are marked *):\n",
                BOLD(p), RESET(p));
        json_t *a;
        json_array_foreach(atts, i, a)
        {
            fprintf(p->out, "      %s %-24s %-24s %s:%lld\n",
                    json_is_true(json_object_get(a, "deciding")) ? "*" : " ",
                    json_is_string(json_object_get(a, "started")) ? jstr(a, "started") : "-",
                    jstr(a, "outcome"), jstr(a, "file"), jint(a, "line"));
        }
    }
}

/* Templates listed in full before "… and N more", and host names shown per template. */
#define TEXT_MAX_TEMPLATES 20
#define TEXT_MAX_TEMPLATE_HOSTS 5

/* One template of the "unclassified" array: id, score, hosts, the template, one example. */
static void template_block(const pen *p, json_t *t)
{
    json_t *hosts = json_object_get(t, "hosts");
    size_t n = json_array_size(hosts), i;
    json_t *h;
    fprintf(p->out, "  %s%s%s  score %lld  %lld failed host%s", BOLD(p), jstr(t, "id"), RESET(p),
            jint(t, "score"), jint(t, "failed_hosts"), jint(t, "failed_hosts") == 1 ? "" : "s");
    if (jint(t, "other_hosts"))
        fprintf(p->out, " (and %lld other)", jint(t, "other_hosts"));
    fprintf(p->out, ":");
    json_array_foreach(hosts, i, h)
    {
        if (i == TEXT_MAX_TEMPLATE_HOSTS) {
            fprintf(p->out, " … and %zu more", n - i);
            break;
        }
        fprintf(p->out, "%s ", i ? "," : "");
        put_clean(p->out, json_string_value(h) ? json_string_value(h) : "");
    }
    fprintf(p->out, "\n    ");
    put_clean(p->out, jstr(t, "template"));
    fputc('\n', p->out);
    json_t *ex = json_array_get(json_object_get(t, "examples"), 0);
    if (json_is_object(ex)) {
        fprintf(p->out, "      %s", DIM(p));
        put_clean(p->out, jstr(ex, "file"));
        fprintf(p->out, ":%lld%s  ", jint(ex, "line"), RESET(p));
        put_clean(p->out, jstr(ex, "text"));
        fputc('\n', p->out);
    }
}

/* The "Unclassified failures" section: the first TEXT_MAX_TEMPLATES templates, then how to
 * make a signature of the first. Nothing when the report has none. */
static void unclassified_section(const pen *p, json_t *report)
{
    json_t *tpls = json_object_get(report, "unclassified");
    size_t n = json_array_size(tpls), i;
    json_t *t;
    if (n == 0)
        return;
    fprintf(p->out, "\n%sUnclassified failures%s (%zu template%s)\n", BOLD(p), RESET(p), n,
            n == 1 ? "" : "s");
    fprintf(p->out, "  %sfailure lines of failed hosts that no signature explains, grouped; the "
                    "most particular to them first%s\n",
            DIM(p), RESET(p));
    json_array_foreach(tpls, i, t)
    {
        if (i == TEXT_MAX_TEMPLATES) {
            fprintf(p->out, "  … and %zu more (see --format json)\n", n - i);
            break;
        }
        template_block(p, t);
    }
    fprintf(p->out, "  make a signature: asrlog signatures new --from-template %s --report "
                    "report.json\n",
            jstr(json_array_get(tpls, 0), "id"));
}

int render_text(FILE *out, json_t *report, const text_style *style)
{
    pen p = {out, style->color};
    summary(&p, report);
    json_t *hosts = json_object_get(report, "hosts");
    size_t i;
    json_t *h;
    /* failed first, then warnings, then unknown; succeeded hosts are listed by name */
    static const char *const order[] = {"failed", "succeeded_with_warnings", "unknown"};
    for (int k = 0; k < 3; k++)
        json_array_foreach(hosts, i, h)
        {
            if (strcmp(jstr(h, "outcome"), order[k]) == 0)
                host_block(&p, h);
        }
    int first = 1;
    json_array_foreach(hosts, i, h)
    {
        if (strcmp(jstr(h, "outcome"), "succeeded") != 0)
            continue;
        fprintf(out, first ? "\n%s%sOK%s      " : ", ", BOLD(&p), GREEN(&p), RESET(&p));
        fprintf(out, "%s", jstr(h, "host"));
        first = 0;
    }
    if (!first)
        fputc('\n', out);
    unclassified_section(&p, report);
    json_t *in;
    first = 1;
    json_array_foreach(json_object_get(report, "inputs"), i, in)
    {
        if (strcmp(jstr(in, "status"), "analyzed") == 0 && json_is_null(json_object_get(in, "reason")))
            continue;
        if (first)
            fprintf(out, "\n%sInputs not fully analysed%s\n", BOLD(&p), RESET(&p));
        first = 0;
        fprintf(out, "  %-10s %s: %s\n", jstr(in, "status"), jstr(in, "path"), jstr(in, "reason"));
    }
    return ferror(out) ? -1 : 0;
}
