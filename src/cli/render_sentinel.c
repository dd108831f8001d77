/*
 * render_sentinel.c — records for a Microsoft Sentinel / Log Analytics custom table (Logs
 * Ingestion API), one per host verdict, with ASIM common field names (TimeGenerated,
 * EventResult, EventSeverity, DvcHostname, …) and everything else under AdditionalFields.
 *
 * The output is one JSON array per line; each line is one request body. The service takes at
 * most 1 MB per call and 64 KB per field, so a line never exceeds SENTINEL_MAX_BODY bytes and no
 * field (a string, or the whole serialised AdditionalFields object) exceeds SENTINEL_MAX_FIELD
 * bytes: long strings are cut on a character boundary and AdditionalFields.Truncated says so.
 * No line is written when there are no hosts. After the host records come one record per
 * unclassified failure template of the report (EventType UnclassifiedFailureTemplate).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asrlog.h"
#include "cli.h"
#include "render_common.h"

/* Limits, in bytes of UTF-8 JSON text; "MB" and "KB" read as the decimal units to be safe. */
#define SENTINEL_MAX_BODY 1000000
#define SENTINEL_MAX_FIELD 64000
/* Version of this record layout (ASIM's EventSchemaVersion: ours, as no ASIM schema fits). */
#define SENTINEL_SCHEMA_VERSION "0.1.0"

/* ASIM EventResult of an asrlog outcome. */
static const char *asim_result(const char *outcome)
{
    if (strcmp(outcome, "failed") == 0)
        return "Failure";
    if (strcmp(outcome, "succeeded_with_warnings") == 0)
        return "Partial";
    if (strcmp(outcome, "succeeded") == 0)
        return "Success";
    return "NA";
}

/* A new JSON string of at most SENTINEL_MAX_FIELD bytes of `s` (cut on a character boundary).
 * Sets *cut when it had to cut. */
static json_t *capped_string(const char *s, int *cut)
{
    size_t len = strlen(s), n = utf8_prefix(s, len, SENTINEL_MAX_FIELD);
    if (n < len)
        *cut = 1;
    return json_stringn(s, n);
}

/* Sets `key` of `obj` to the capped string `s` when it is not empty. */
static void set_capped(json_t *obj, const char *key, const char *s, int *cut)
{
    if (s && *s)
        json_object_set_new(obj, key, capped_string(s, cut));
}

/* Size of `j` serialised compactly, as the request body carries it. */
static size_t json_size(json_t *j)
{
    return json_dumpb(j, NULL, 0, JSON_COMPACT);
}

/* Cuts every string inside `j` (objects and arrays searched) to at most `cap` bytes, on a
 * character boundary. Returns the length of the longest string before the cut. */
static size_t cap_strings(json_t *j, size_t cap)
{
    size_t longest = 0, i, n;
    const char *k;
    json_t *x;
    if (json_is_string(j)) {
        const char *v = json_string_value(j);
        longest = json_string_length(j);
        if (longest > cap)
            json_string_setn(j, v, utf8_prefix(v, longest, cap));
    } else if (json_is_object(j)) {
        json_object_foreach(j, k, x)
        {
            if ((n = cap_strings(x, cap)) > longest)
                longest = n;
        }
    } else if (json_is_array(j)) {
        json_array_foreach(j, i, x)
        {
            if ((n = cap_strings(x, cap)) > longest)
                longest = n;
        }
    }
    return longest;
}

/* A deep copy of `obj` with every string cut to `cap` bytes; NULL when out of memory. */
static json_t *capped_copy(json_t *obj, size_t cap)
{
    json_t *copy = json_deep_copy(obj);
    if (copy)
        cap_strings(copy, cap);
    return copy;
}

/*
 * fit_object — `obj` made to serialise to at most `max` bytes: when it is too big, every string
 * inside is cut to the largest common length that fits (found by bisection), so that short
 * strings stay whole and long ones share the room. Sets *cut when it cut something. Returns a
 * new reference (obj itself when it fits), NULL when out of memory.
 */
static json_t *fit_object(json_t *obj, size_t max, int *cut)
{
    if (json_size(obj) <= max)
        return json_incref(obj);
    size_t lo = 0, hi = cap_strings(obj, (size_t)-1); /* hi: the longest string, too long */
    while (lo + 1 < hi) {                                /* invariant: cap lo fits or is 0 */
        size_t mid = lo + (hi - lo) / 2;
        json_t *t = capped_copy(obj, mid);
        if (!t)
            return NULL;
        if (json_size(t) <= max)
            lo = mid;
        else
            hi = mid;
        json_decref(t);
    }
    *cut = 1;
    return capped_copy(obj, lo);
}

/* AdditionalFields: the asrlog details that have no ASIM name. */
static json_t *additional_fields(json_t *h, json_t *report)
{
    json_t *rc = json_object_get(h, "root_cause");
    json_t *add = json_pack("{s:s, s:s, s:s, s:O}", "Analyzer", "asrlog " ASRLOG_VERSION,
                            "Outcome", rv_str(h, "outcome"), "HostSource",
                            rv_str(h, "host_source"), "Aliases", json_object_get(h, "aliases"));
    if (json_is_string(json_object_get(report, "catalog_hash")))
        json_object_set(add, "CatalogHash", json_object_get(report, "catalog_hash"));
    if (!json_is_object(rc))
        return add;
    static const char *const copied[][2] = {
        {"Signature", "signature"}, {"Title", "title"},       {"Severity", "severity"},
        {"Family", "family"},       {"ErrorIds", "error_ids"}, {"EpCodes", "ep_codes"},
        {"ExitCode", "exit_code"},  {"HResult", "hresult"},   {"Evidence", "evidence"},
        {"Remediation", "remediation"},
    };
    for (size_t i = 0; i < sizeof copied / sizeof copied[0]; i++) {
        json_t *v = json_object_get(rc, copied[i][1]);
        if (v && !json_is_null(v))
            json_object_set_new(add, copied[i][0], json_deep_copy(v));
    }
    return add;
}

/* Puts `add` (consumed) into `rec` as AdditionalFields, fitted to SENTINEL_MAX_FIELD bytes with
 * Truncated set when something was cut (here or before: `cut`). Returns 0, or -1 when out of
 * memory. */
static int set_additional(json_t *rec, json_t *add, int cut)
{
    /* "Truncated": false takes more room than true, so the fitted object stays within bounds */
    if (add)
        json_object_set_new(add, "Truncated", json_false());
    json_t *fitted = add ? fit_object(add, SENTINEL_MAX_FIELD, &cut) : NULL;
    json_decref(add);
    if (!fitted)
        return -1;
    json_object_set_new(fitted, "Truncated", json_boolean(cut));
    json_object_set_new(rec, "AdditionalFields", fitted);
    return 0;
}

/* One record for a host. New reference, NULL when out of memory. */
static json_t *sentinel_record(json_t *h, json_t *report, long long now_ms)
{
    json_t *rc = json_object_get(h, "root_cause");
    const char *outcome = rv_str(h, "outcome"), *ip = host_ip(h, 0), *os = rv_str(h, "os");
    char ts[40], code[32];
    char *msg = host_message(h);
    json_t *rec = json_object();
    if (!msg || !rec) {
        free(msg);
        json_decref(rec);
        return NULL;
    }
    int cut = 0;
    format_utc_ms(host_event_time(h, now_ms), ts, sizeof ts);
    json_object_set_new(rec, "TimeGenerated", json_string(ts));
    json_object_set_new(rec, "EventStartTime", json_string(ts));
    json_object_set_new(rec, "EventEndTime", json_string(ts));
    json_object_set_new(rec, "EventCount", json_integer(1));
    json_object_set_new(rec, "EventType", json_string("Installation"));
    json_object_set_new(rec, "EventResult", json_string(asim_result(outcome)));
    set_capped(rec, "EventResultDetails", root_cause_code(rc, code, sizeof code), &cut);
    json_object_set_new(rec, "EventSeverity", json_string(host_severity_of(h)->sentinel));
    json_object_set_new(rec, "EventProduct", json_string("Azure Site Recovery Mobility Service"));
    json_object_set_new(rec, "EventVendor", json_string("Microsoft"));
    json_object_set_new(rec, "EventSchemaVersion", json_string(SENTINEL_SCHEMA_VERSION));
    set_capped(rec, "DvcHostname", rv_str(h, "host"), &cut);
    if (ip)
        json_object_set_new(rec, "DvcIpAddr", json_string(ip));
    if (strcmp(os, "windows") == 0 || strcmp(os, "linux") == 0)
        json_object_set_new(rec, "DvcOs", json_string(strcmp(os, "windows") == 0 ? "Windows"
                                                                                 : "Linux"));
    set_capped(rec, "EventMessage", msg, &cut);
    free(msg);
    if (set_additional(rec, additional_fields(h, report), cut) != 0) {
        json_decref(rec);
        return NULL;
    }
    return rec;
}

/* The members of an "unclassified" entry copied into AdditionalFields, and their names there. */
static const char *const template_fields[][2] = {
    {"TemplateId", "id"},       {"Template", "template"},       {"Score", "score"},
    {"Count", "count"},         {"FailedHosts", "failed_hosts"}, {"Hosts", "hosts"},
    {"OtherHosts", "other_hosts"}, {"LogTypes", "log_types"},   {"Examples", "examples"},
};

/* One record for an unclassified failure template: EventType UnclassifiedFailureTemplate,
 * EventResult Failure, the scan time, the template as EventMessage and the entry in
 * AdditionalFields. No device fields: a template spans hosts. New reference, NULL when out of
 * memory. */
static json_t *sentinel_template_record(json_t *tpl, json_t *report, long long now_ms)
{
    char ts[40];
    int cut = 0;
    json_t *rec = json_object();
    json_t *add = json_pack("{s:s}", "Analyzer", "asrlog " ASRLOG_VERSION);
    if (!rec || !add) {
        json_decref(rec);
        json_decref(add);
        return NULL;
    }
    format_utc_ms(now_ms, ts, sizeof ts);
    json_object_set_new(rec, "TimeGenerated", json_string(ts));
    json_object_set_new(rec, "EventStartTime", json_string(ts));
    json_object_set_new(rec, "EventEndTime", json_string(ts));
    json_object_set_new(rec, "EventCount", json_integer(1));
    json_object_set_new(rec, "EventType", json_string("UnclassifiedFailureTemplate"));
    json_object_set_new(rec, "EventResult", json_string("Failure"));
    json_object_set_new(rec, "EventSeverity", json_string(template_severity()->sentinel));
    json_object_set_new(rec, "EventProduct", json_string("Azure Site Recovery Mobility Service"));
    json_object_set_new(rec, "EventVendor", json_string("Microsoft"));
    json_object_set_new(rec, "EventSchemaVersion", json_string(SENTINEL_SCHEMA_VERSION));
    set_capped(rec, "EventMessage", rv_str(tpl, "template"), &cut);
    if (json_is_string(json_object_get(report, "catalog_hash")))
        json_object_set(add, "CatalogHash", json_object_get(report, "catalog_hash"));
    for (size_t i = 0; i < sizeof template_fields / sizeof template_fields[0]; i++) {
        json_t *v = json_object_get(tpl, template_fields[i][1]);
        if (v && !json_is_null(v))
            json_object_set_new(add, template_fields[i][0], json_deep_copy(v));
    }
    if (set_additional(rec, add, cut) != 0) {
        json_decref(rec);
        return NULL;
    }
    return rec;
}

/* Writes `batch` (a JSON array) as one line and empties it. Returns 0 or -1. */
static int flush_batch(FILE *out, json_t *batch)
{
    if (json_array_size(batch) == 0)
        return 0;
    if (json_dumpf(batch, out, JSON_COMPACT) != 0 || fputc('\n', out) == EOF)
        return -1;
    return json_array_clear(batch);
}

/* Adds `rec` (consumed; NULL: out of memory) to `batch`, first writing the batch out when the
 * record would take the body (*body bytes so far) past SENTINEL_MAX_BODY. Returns 0 or -1. */
static int add_record(FILE *out, json_t *batch, size_t *body, json_t *rec)
{
    if (!rec)
        return -1;
    int rc = 0;
    /* a record holds a handful of fields of at most 64 KB, so it fits in a body alone */
    size_t size = json_size(rec) + (json_array_size(batch) ? 1 : 0); /* "," */
    if (*body + size > SENTINEL_MAX_BODY && json_array_size(batch)) {
        rc = flush_batch(out, batch);
        *body = 2; /* "[" and "]" */
        size = json_size(rec);
    }
    json_array_append_new(batch, rec);
    *body += size;
    return rc;
}

int render_sentinel(FILE *out, json_t *report)
{
    long long now = now_epoch_ms();
    json_t *batch = json_array();
    size_t body = 2, i; /* "[" and "]" */
    json_t *x;
    int rc = batch ? 0 : -1;
    json_array_foreach(json_object_get(report, "hosts"), i, x)
    {
        if (rc == 0)
            rc = add_record(out, batch, &body, sentinel_record(x, report, now));
    }
    /* then one record per unclassified failure template, best first */
    json_array_foreach(json_object_get(report, "unclassified"), i, x)
    {
        if (rc == 0)
            rc = add_record(out, batch, &body, sentinel_template_record(x, report, now));
    }
    if (rc == 0 && batch)
        rc = flush_batch(out, batch);
    json_decref(batch);
    return rc == 0 && !ferror(out) ? 0 : -1;
}
