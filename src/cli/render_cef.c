/*
 * render_cef.c — one ArcSight CEF event per host verdict, one per line:
 *
 *   CEF:0|asrlog|asrlog|VERSION|SIGNATURE|TITLE|SEVERITY|rt=… dhost=… outcome=… …
 *
 * Escaping follows ../shared/reference/siem.md: in the header `\` and `|` take a backslash; in
 * extension values `\`, `=` take one and newlines become `\n` / `\r`. CEF has no escape for
 * other control characters and syslog receivers rewrite them (rsyslog turns a tab into "#011"),
 * so a tab becomes a space and any other control character U+FFFD; white space at both ends of
 * a value is dropped so that no parser has to guess where a value ends. Field lengths are capped
 * at the CEF maxima (header names 63, name 512, msg and paths 1023, custom strings 4000 bytes).
 * The extension keys are listed in README.md ("SIEM output"). After the hosts, each
 * unclassified failure template of the report gets a line of its own (cef_template).
 */
#include <stdlib.h>
#include <string.h>

#include "asrlog.h"
#include "cli.h"
#include "render_common.h"

/* CEF field length limits, in bytes of the source text. */
enum { CEF_MAX_SHORT = 63, CEF_MAX_SIGID = 1023, CEF_MAX_NAME = 512, CEF_MAX_MSG = 1023,
       CEF_MAX_CS = 4000 };

/* 1 for the bytes trimmed at both ends of a field: space, tab, CR, LF. */
static int is_edge_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Narrows [*s, *s + *len) to drop edge white space, then cuts it to `max` bytes on a
 * character boundary (dropping white space the cut exposes). */
static void cef_span(const char **s, size_t *len, size_t max)
{
    while (*len && is_edge_space(**s)) {
        (*s)++;
        (*len)--;
    }
    *len = utf8_prefix(*s, *len, max);
    while (*len && is_edge_space((*s)[*len - 1]))
        (*len)--;
}

/* The text to write for byte `c` of a CEF field (`header`: a header field, else a value), or
 * NULL to write it as is. */
static const char *cef_escape(unsigned char c, int header)
{
    switch (c) {
    case '\\':
        return "\\\\";
    case '|':
        return header ? "\\|" : NULL;
    case '=':
        return header ? NULL : "\\=";
    case '\n':
        return header ? " " : "\\n";
    case '\r':
        return header ? " " : "\\r";
    case '\t':
        return " ";
    default:
        return c < 0x20 || c == 0x7f ? "\xEF\xBF\xBD" : NULL; /* U+FFFD */
    }
}

/* Writes one escaped field. Returns 0, or -1 on a write error. */
static int cef_write(FILE *out, const char *s, size_t max, int header)
{
    size_t len = strlen(s);
    cef_span(&s, &len, max);
    for (size_t i = 0; i < len; i++) {
        const char *rep = cef_escape((unsigned char)s[i], header);
        if (rep ? fputs(rep, out) == EOF : fputc(s[i], out) == EOF)
            return -1;
    }
    return 0;
}

int cef_write_header(FILE *out, const char *s, size_t max)
{
    return cef_write(out, s, max, 1);
}

int cef_write_value(FILE *out, const char *s, size_t max)
{
    return cef_write(out, s, max, 0);
}

/* Writes " key=value" (no leading space for the first pair) unless `value` is NULL or empty
 * after trimming. `*first` tracks whether a pair was written yet. Returns 0 or -1. */
static int cef_pair(FILE *out, int *first, const char *key, const char *value, size_t max)
{
    if (!value)
        return 0;
    size_t len = strlen(value);
    const char *s = value;
    cef_span(&s, &len, max);
    if (len == 0)
        return 0;
    if (fprintf(out, "%s%s=", *first ? "" : " ", key) < 0)
        return -1;
    *first = 0;
    return cef_write_value(out, value, max);
}

/* Writes a custom string field and its label (csN / csNLabel) when `value` is not empty. */
static int cef_custom(FILE *out, int *first, int n, const char *label, const char *value)
{
    char key[16], lkey[16];
    if (!value || !*value)
        return 0;
    snprintf(key, sizeof key, "cs%d", n);
    snprintf(lkey, sizeof lkey, "cs%dLabel", n);
    return cef_pair(out, first, lkey, label, CEF_MAX_CS) ||
           cef_pair(out, first, key, value, CEF_MAX_CS);
}

/* Writes a custom number field and its label (cnN / cnNLabel) when `value` is an integer. */
static int cef_number(FILE *out, int *first, int n, const char *label, json_t *value)
{
    char key[16], lkey[16], num[32];
    if (!json_is_integer(value))
        return 0;
    snprintf(key, sizeof key, "cn%d", n);
    snprintf(lkey, sizeof lkey, "cn%dLabel", n);
    snprintf(num, sizeof num, "%lld", (long long)json_integer_value(value));
    return cef_pair(out, first, lkey, label, CEF_MAX_CS) ||
           cef_pair(out, first, key, num, CEF_MAX_CS);
}

/* Writes the seven header fields of a host's event, up to and including the last `|`. */
static int cef_header(FILE *out, json_t *h)
{
    json_t *rc = json_object_get(h, "root_cause");
    const char *outcome = rv_str(h, "outcome");
    char sigid[64], name[96];
    snprintf(sigid, sizeof sigid, "asrlog.outcome.%s", outcome);
    snprintf(name, sizeof name, "Mobility Service installation %s", outcome);
    int has_rc = json_is_object(rc);
    if (fputs("CEF:0|", out) == EOF || cef_write_header(out, "asrlog", CEF_MAX_SHORT) ||
        fputc('|', out) == EOF || cef_write_header(out, "asrlog", CEF_MAX_SHORT) ||
        fputc('|', out) == EOF || cef_write_header(out, ASRLOG_VERSION, CEF_MAX_SHORT) ||
        fputc('|', out) == EOF ||
        cef_write_header(out, has_rc ? rv_str(rc, "signature") : sigid, CEF_MAX_SIGID) ||
        fputc('|', out) == EOF ||
        cef_write_header(out, has_rc ? rv_str(rc, "title") : name, CEF_MAX_NAME))
        return -1;
    return fprintf(out, "|%d|", host_severity_of(h)->cef) < 0 ? -1 : 0;
}

/* The extension fields of a host's event that come from its root cause. */
static int cef_root_cause(FILE *out, int *first, json_t *h, json_t *rc)
{
    json_t *ev0 = host_deciding_evidence(h);
    char *ids = join_values(json_object_get(rc, "error_ids"), ",");
    char *eps = join_values(json_object_get(rc, "ep_codes"), ",");
    char *rem = remediation_text(json_object_get(rc, "remediation"));
    int bad = !ids || !eps || !rem;
    bad = bad || cef_pair(out, first, "cat", rv_str(rc, "family"), CEF_MAX_MSG);
    if (ev0)
        bad = bad || cef_pair(out, first, "filePath", rv_str(ev0, "file"), CEF_MAX_MSG) ||
              cef_number(out, first, 2, "EvidenceLine", json_object_get(ev0, "line")) ||
              cef_custom(out, first, 3, "Evidence", rv_str(ev0, "text"));
    bad = bad || cef_number(out, first, 1, "ExitCode", json_object_get(rc, "exit_code")) ||
          cef_custom(out, first, 1, "ErrorID", ids) ||
          cef_custom(out, first, 2, "HRESULT", rv_str(rc, "hresult")) ||
          cef_custom(out, first, 4, "Remediation", rem) ||
          cef_custom(out, first, 5, "EPCode", eps);
    free(ids);
    free(eps);
    free(rem);
    return bad ? -1 : 0;
}

/* Writes one CEF line for a host. Returns 0 or -1. */
static int cef_host(FILE *out, json_t *h, long long now_ms)
{
    json_t *rc = json_object_get(h, "root_cause");
    char rt[32];
    int first = 1;
    char *msg = host_message(h);
    snprintf(rt, sizeof rt, "%lld", host_event_time(h, now_ms));
    int bad = !msg || cef_header(out, h) || cef_pair(out, &first, "rt", rt, CEF_MAX_SHORT) ||
              cef_pair(out, &first, "dhost", rv_str(h, "host"), CEF_MAX_MSG) ||
              cef_pair(out, &first, "dst", host_ip(h, 1), CEF_MAX_SHORT) ||
              cef_pair(out, &first, "outcome", outcome_ecs(rv_str(h, "outcome")), CEF_MAX_SHORT) ||
              cef_pair(out, &first, "msg", msg, CEF_MAX_MSG) ||
              cef_custom(out, &first, 6, "asrlogOutcome", rv_str(h, "outcome")) ||
              (json_is_object(rc) && cef_root_cause(out, &first, h, rc)) ||
              fputc('\n', out) == EOF;
    free(msg);
    return bad ? -1 : 0;
}

/* Writes the seven header fields of a template's event, up to and including the last `|`. */
static int cef_template_header(FILE *out, json_t *tpl)
{
    if (fputs("CEF:0|", out) == EOF || cef_write_header(out, "asrlog", CEF_MAX_SHORT) ||
        fputc('|', out) == EOF || cef_write_header(out, "asrlog", CEF_MAX_SHORT) ||
        fputc('|', out) == EOF || cef_write_header(out, ASRLOG_VERSION, CEF_MAX_SHORT) ||
        fputc('|', out) == EOF || cef_write_header(out, rv_str(tpl, "id"), CEF_MAX_SIGID) ||
        fputc('|', out) == EOF || cef_write_header(out, TEMPLATE_EVENT_NAME, CEF_MAX_NAME))
        return -1;
    return fprintf(out, "|%d|", template_severity()->cef) < 0 ? -1 : 0;
}

/* The extension fields of a template's event that come from its first example line. */
static int cef_template_example(FILE *out, int *first, json_t *tpl)
{
    json_t *ex = json_array_get(json_object_get(tpl, "examples"), 0);
    if (!json_is_object(ex))
        return 0;
    return cef_pair(out, first, "filePath", rv_str(ex, "file"), CEF_MAX_MSG) ||
           cef_number(out, first, 2, "ExampleLine", json_object_get(ex, "line")) ||
           cef_custom(out, first, 3, "Example", rv_str(ex, "text"));
}

/*
 * Writes one CEF line for an unclassified failure template: signature id the template id, name
 * TEMPLATE_EVENT_NAME, the template as msg, its lines as cnt, and in the extension its failed
 * hosts (cn1, cs1), score (cn3), log types (cs2), first example (filePath, cn2, cs3), the
 * command that makes a signature of it (cs4) and the other hosts that have it (cs5).
 * Returns 0 or -1.
 */
static int cef_template(FILE *out, json_t *tpl, long long now_ms)
{
    char rt[32], cmd[160], cnt[32] = "", others[32] = "";
    int first = 1;
    char *hosts = join_values(json_object_get(tpl, "hosts"), ",");
    char *types = join_values(json_object_get(tpl, "log_types"), ",");
    snprintf(rt, sizeof rt, "%lld", now_ms);
    if (json_is_integer(json_object_get(tpl, "count")))
        snprintf(cnt, sizeof cnt, "%lld", rv_int(tpl, "count"));
    if (json_is_integer(json_object_get(tpl, "other_hosts")))
        snprintf(others, sizeof others, "%lld", rv_int(tpl, "other_hosts"));
    snprintf(cmd, sizeof cmd, "asrlog signatures new --from-template %.64s --report report.json",
             rv_str(tpl, "id"));
    int bad = !hosts || !types || cef_template_header(out, tpl) ||
              cef_pair(out, &first, "rt", rt, CEF_MAX_SHORT) ||
              cef_pair(out, &first, "cat", "unclassified", CEF_MAX_MSG) ||
              cef_pair(out, &first, "msg", rv_str(tpl, "template"), CEF_MAX_MSG) ||
              cef_pair(out, &first, "cnt", cnt, CEF_MAX_SHORT) ||
              cef_number(out, &first, 1, "FailedHosts", json_object_get(tpl, "failed_hosts")) ||
              cef_number(out, &first, 3, "Score", json_object_get(tpl, "score")) ||
              cef_custom(out, &first, 1, "Hosts", hosts) ||
              cef_custom(out, &first, 2, "LogTypes", types) ||
              cef_template_example(out, &first, tpl) ||
              cef_custom(out, &first, 4, "Remediation", cmd) ||
              cef_custom(out, &first, 5, "OtherHosts", others) ||
              fputc('\n', out) == EOF;
    free(hosts);
    free(types);
    return bad ? -1 : 0;
}

int render_cef(FILE *out, json_t *report)
{
    long long now = now_epoch_ms();
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(report, "hosts"), i, x)
    {
        if (cef_host(out, x, now) != 0)
            return -1;
    }
    json_array_foreach(json_object_get(report, "unclassified"), i, x)
    {
        if (cef_template(out, x, now) != 0)
            return -1;
    }
    return ferror(out) ? -1 : 0;
}
