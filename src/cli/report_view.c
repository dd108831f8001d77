/*
 * report_view.c — the part of the support-ticket reports that does not depend on the format:
 * which hosts get a section, how they group by root cause, and text escaping through a
 * per-format callback. See report_view.h.
 */
#include <stdlib.h>
#include <string.h>

#include "report_view.h"

/* The title shown for hosts that need attention but have no root cause. */
#define NO_CAUSE_TITLE "No specific cause found in the logs"

const char *rv_str(json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "";
}

long long rv_int(json_t *obj, const char *key)
{
    return (long long)json_integer_value(json_object_get(obj, key));
}

int rv_attention(const char *outcome)
{
    if (strcmp(outcome, "failed") == 0)
        return RV_FAILED;
    if (strcmp(outcome, "succeeded_with_warnings") == 0)
        return RV_WARNED;
    if (strcmp(outcome, "succeeded") == 0)
        return -1;
    return RV_UNKNOWN;
}

const char *rv_outcome_label(const char *outcome)
{
    switch (rv_attention(outcome)) {
    case RV_FAILED:
        return "Failed";
    case RV_WARNED:
        return "Succeeded with warnings";
    case RV_UNKNOWN:
        return "Unknown";
    default:
        return "Succeeded";
    }
}

const char *rv_outcome_class(const char *outcome)
{
    switch (rv_attention(outcome)) {
    case RV_FAILED:
        return "failed";
    case RV_WARNED:
        return "warned";
    case RV_UNKNOWN:
        return "unknown";
    default:
        return "succeeded";
    }
}

/* The signature of a host's root cause, or NULL when it has none. */
static const char *cause_signature(json_t *host)
{
    json_t *rc = json_object_get(host, "root_cause");
    return json_is_object(rc) ? rv_str(rc, "signature") : NULL;
}

int rv_host_in_cause(json_t *host, const rv_cause *cause)
{
    const char *sig = cause_signature(host);
    if (!sig || !cause->signature)
        return !sig && !cause->signature;
    return strcmp(sig, cause->signature) == 0;
}

int rv_input_noted(json_t *in)
{
    return strcmp(rv_str(in, "status"), "analyzed") != 0 ||
           json_is_string(json_object_get(in, "reason"));
}

int rv_other_finding(json_t *host, json_t *finding)
{
    const char *root = cause_signature(host);
    return !root || strcmp(rv_str(finding, "signature"), root) != 0;
}

/* Finds the group of `host` in v->causes, adding one when it is the first of its cause.
 * Returns the group, or NULL when out of memory. */
static rv_cause *cause_of(report_view *v, json_t *host, size_t *cap)
{
    for (size_t i = 0; i < v->n_causes; i++)
        if (rv_host_in_cause(host, &v->causes[i]))
            return &v->causes[i];
    if (v->n_causes == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        rv_cause *p = realloc(v->causes, ncap * sizeof *p);
        if (!p)
            return NULL;
        v->causes = p;
        *cap = ncap;
    }
    rv_cause *c = &v->causes[v->n_causes++];
    memset(c, 0, sizeof *c);
    c->signature = cause_signature(host);
    c->title = c->signature ? rv_str(json_object_get(host, "root_cause"), "title")
                            : NO_CAUSE_TITLE;
    return c;
}

/* qsort order of causes: most hosts first, hosts without a cause last, then signature id. */
static int cmp_cause(const void *pa, const void *pb)
{
    const rv_cause *a = pa, *b = pb;
    if (a->total != b->total)
        return a->total > b->total ? -1 : 1;
    if (!a->signature || !b->signature)
        return (a->signature == NULL) - (b->signature == NULL);
    return strcmp(a->signature, b->signature);
}

/* Counts the inputs of the report by status. */
static void count_inputs(json_t *report, report_view *v)
{
    size_t i;
    json_t *in;
    json_array_foreach(json_object_get(report, "inputs"), i, in)
    {
        const char *st = rv_str(in, "status");
        if (strcmp(st, "analyzed") == 0)
            v->inputs_analyzed++;
        else if (strcmp(st, "unreadable") == 0)
            v->inputs_unreadable++;
        else
            v->inputs_skipped++;
    }
}

int rv_build(json_t *report, report_view *v)
{
    memset(v, 0, sizeof *v);
    count_inputs(report, v);
    json_t *hosts = json_object_get(report, "hosts");
    size_t n = json_array_size(hosts), cap = 0, i;
    json_t *h;
    if (n && !(v->hosts = malloc(n * sizeof *v->hosts)))
        return -1;
    for (int k = 0; k < RV_N_ATTENTION; k++)
        json_array_foreach(hosts, i, h)
        {
            if (rv_attention(rv_str(h, "outcome")) != k)
                continue;
            v->hosts[v->n_hosts++] = h;
            rv_cause *c = cause_of(v, h, &cap);
            if (!c) {
                rv_free(v);
                return -1;
            }
            c->by_outcome[k]++;
            c->total++;
        }
    if (v->n_causes > 1)
        qsort(v->causes, v->n_causes, sizeof *v->causes, cmp_cause);
    for (size_t c = 0; c < v->n_causes; c++)
        if (v->causes[c].total > v->max_cause)
            v->max_cause = v->causes[c].total;
    return 0;
}

void rv_free(report_view *v)
{
    free(v->hosts);
    free(v->causes);
    memset(v, 0, sizeof *v);
}

json_t *rv_attention_host(const report_view *v, const char *name)
{
    for (size_t i = 0; name && i < v->n_hosts; i++)
        if (strcmp(rv_str(v->hosts[i], "host"), name) == 0)
            return v->hosts[i];
    return NULL;
}

/* Appends a new string made by `fmt` and a long long to `arr`. */
static void append_code(json_t *arr, const char *fmt, long long n)
{
    char buf[64];
    snprintf(buf, sizeof buf, fmt, n);
    json_array_append_new(arr, json_string(buf));
}

json_t *rv_cause_codes(json_t *rc)
{
    json_t *codes = json_array();
    if (!codes || !json_is_object(rc))
        return codes;
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(rc, "error_ids"), i, x)
    {
        append_code(codes, "ErrorID %lld", (long long)json_integer_value(x));
    }
    json_array_foreach(json_object_get(rc, "ep_codes"), i, x)
    {
        if (json_is_string(x))
            json_array_append(codes, x);
    }
    if (json_is_integer(json_object_get(rc, "exit_code")))
        append_code(codes, "exit code %lld", rv_int(rc, "exit_code"));
    json_t *hr = json_object_get(rc, "hresult");
    if (json_is_string(hr)) {
        json_t *s = json_sprintf("HRESULT %s", json_string_value(hr));
        json_array_append_new(codes, s);
    }
    return codes;
}

size_t rv_bar_pos(size_t count, size_t max, size_t full)
{
    if (max == 0)
        return 0;
    return (count * full + max / 2) / max;
}

void rv_put_text(FILE *out, const char *s, rv_escaper esc)
{
    char buf[4];
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            fputs("\xEF\xBF\xBD", out); /* U+FFFD REPLACEMENT CHARACTER */
            continue;
        }
        const char *rep = esc ? esc(*s, buf) : NULL;
        if (rep)
            fputs(rep, out);
        else
            fputc(*s, out);
    }
}

void rv_template_hosts(FILE *out, json_t *t, void (*put_name)(FILE *, const char *, void *),
                       void *ctx)
{
    json_t *hosts = json_object_get(t, "hosts");
    size_t n = json_array_size(hosts), i;
    json_t *h;
    fprintf(out, "%lld failed", rv_int(t, "failed_hosts"));
    if (rv_int(t, "other_hosts"))
        fprintf(out, " (and %lld other)", rv_int(t, "other_hosts"));
    json_array_foreach(hosts, i, h)
    {
        if (i == RV_MAX_TEMPLATE_HOSTS) {
            fprintf(out, " … and %zu more", n - i);
            break;
        }
        fputs(i ? ", " : ": ", out);
        put_name(out, json_string_value(h) ? json_string_value(h) : "", ctx);
    }
}
