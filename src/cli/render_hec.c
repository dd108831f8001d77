/*
 * render_hec.c — Splunk HTTP Event Collector events, one JSON object per host verdict and per
 * line; the whole output can be POSTed as one body to /services/collector/event (HEC accepts
 * concatenated objects). Each object is
 *
 *   {"time": <epoch seconds, 3 decimals>, "host": HOST, "source": "asrlog",
 *    "sourcetype": "_json", "event": <the ECS document of --format ndjson>,
 *    "fields": {<flat indexed fields: strings or arrays of strings>}}
 *
 * No "index" is written: the token's default index applies.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "render_common.h"

/* Sets fields[key] to `s` when it is not empty (HEC indexed fields are strings). */
static void field_str(json_t *fields, const char *key, const char *s)
{
    if (s && *s)
        json_object_set_new(fields, key, json_string(s));
}

/* The indexed "fields" of a host: outcome, os, host_source, and from the root cause the
 * signature, severity, ErrorIDs and exit code (all as strings). */
static json_t *hec_fields(json_t *h)
{
    json_t *fields = json_object();
    json_t *rc = json_object_get(h, "root_cause");
    field_str(fields, "asrlog_outcome", rv_str(h, "outcome"));
    field_str(fields, "os", rv_str(h, "os"));
    field_str(fields, "host_source", rv_str(h, "host_source"));
    if (!json_is_object(rc))
        return fields;
    field_str(fields, "signature", rv_str(rc, "signature"));
    field_str(fields, "severity", rv_str(rc, "severity"));
    json_t *ids = json_array();
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(rc, "error_ids"), i, x)
    {
        char num[32];
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(x));
        json_array_append_new(ids, json_string(num));
    }
    if (json_array_size(ids))
        json_object_set(fields, "error_id", ids);
    json_decref(ids);
    json_t *ec = json_object_get(rc, "exit_code");
    if (json_is_integer(ec)) {
        char num[32];
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(ec));
        field_str(fields, "exit_code", num);
    }
    return fields;
}

/* One HEC event object for a host. New reference, NULL when out of memory. */
static json_t *hec_event(json_t *h, json_t *report, long long now_ms)
{
    json_t *event = ecs_host_event(h, report, now_ms);
    if (!event)
        return NULL;
    long long ms = host_event_time(h, now_ms);
    return json_pack("{s:f, s:s, s:s, s:s, s:o, s:o}", "time", (double)ms / 1000.0, "host",
                     rv_str(h, "host"), "source", "asrlog", "sourcetype", "_json", "event", event,
                     "fields", hec_fields(h));
}

int render_hec(FILE *out, json_t *report)
{
    long long now = now_epoch_ms();
    size_t i;
    json_t *h;
    json_array_foreach(json_object_get(report, "hosts"), i, h)
    {
        json_t *doc = hec_event(h, report, now);
        /* 13 significant digits: ten for the seconds since 1970, three for the milliseconds */
        int rc = doc ? json_dumpf(doc, out, JSON_COMPACT | JSON_REAL_PRECISION(13)) : -1;
        json_decref(doc);
        if (rc != 0 || fputc('\n', out) == EOF)
            return -1;
    }
    return ferror(out) ? -1 : 0;
}
