/*
 * render_hec.c — Splunk HTTP Event Collector events, one JSON object per host verdict and per
 * line; the whole output can be POSTed as one body to /services/collector/event (HEC accepts
 * concatenated objects). Each object is
 *
 *   {"time": <epoch seconds, 3 decimals>, "host": HOST, "source": "asrlog",
 *    "sourcetype": "_json", "event": <the ECS document of --format ndjson>,
 *    "fields": {<flat indexed fields: strings or arrays of strings>}}
 *
 * No "index" is written: the token's default index applies. After the hosts, each unclassified
 * failure template of the report is one more object: its ECS event, the scan time, no "host"
 * (Splunk then uses the collector's), and fields event_action, template_id, score, failed_hosts
 * and related_host.
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

/* A decimal integer member of `o` as a new JSON string ("0" when it is not an integer). */
static json_t *int_string(json_t *o, const char *key)
{
    char num[32];
    snprintf(num, sizeof num, "%lld", (long long)json_integer_value(json_object_get(o, key)));
    return json_string(num);
}

/* The indexed "fields" of a template event: the action, the template id, its score and number
 * of failed hosts (as strings), and the hosts it was seen on. */
static json_t *hec_template_fields(json_t *tpl)
{
    json_t *fields = json_pack("{s:s, s:s, s:o, s:o}", "event_action", TEMPLATE_EVENT_ACTION,
                               "template_id", rv_str(tpl, "id"), "score",
                               int_string(tpl, "score"), "failed_hosts",
                               int_string(tpl, "failed_hosts"));
    json_t *hosts = json_object_get(tpl, "hosts");
    if (fields && json_array_size(hosts))
        json_object_set(fields, "related_host", hosts);
    return fields;
}

/* One HEC event object for an unclassified failure template: no "host" (it spans several),
 * the scan time. New reference, NULL when out of memory. */
static json_t *hec_template_event(json_t *tpl, json_t *report, long long now_ms)
{
    json_t *event = ecs_template_event(tpl, report, now_ms);
    if (!event)
        return NULL;
    return json_pack("{s:f, s:s, s:s, s:o, s:o}", "time", (double)now_ms / 1000.0, "source",
                     "asrlog", "sourcetype", "_json", "event", event, "fields",
                     hec_template_fields(tpl));
}

/* 13 significant digits for "time": ten for the seconds since 1970, three for the
 * milliseconds. */
int render_hec(FILE *out, json_t *report)
{
    return put_event_lines(out, report, hec_event, hec_template_event,
                           JSON_COMPACT | JSON_REAL_PRECISION(13));
}
