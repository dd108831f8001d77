/*
 * render_ndjson.c — one Elastic Common Schema (ECS) event per host verdict, one per line.
 * Field use follows ../shared/reference/siem.md: event.kind is "alert" for failures and
 * "event" otherwise (never "signal"); event.outcome is only failure, success or unknown.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"

#define ECS_VERSION "8.11.0"

static const char *jstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

/* Looks like an IPv4 or IPv6 address? */
static int looks_like_ip(const char *s)
{
    int digits = 0, dots = 0, colons = 0;
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9')
            digits++;
        else if (*s == '.')
            dots++;
        else if (*s == ':')
            colons++;
        else if (!((*s >= 'a' && *s <= 'f') || (*s >= 'A' && *s <= 'F')))
            return 0;
    }
    return (dots == 3 && colons == 0 && digits >= 4) || colons >= 2;
}

/* The time of the deciding attempt, else the scan time (ISO 8601). */
static json_t *event_time(json_t *host, const char *now)
{
    json_t *atts = json_object_get(host, "attempts");
    const char *best = NULL;
    size_t i;
    json_t *a;
    json_array_foreach(atts, i, a)
    {
        if (json_is_true(json_object_get(a, "deciding")) &&
            json_is_string(json_object_get(a, "started")))
            best = jstr(a, "started");
    }
    return json_string(best ? best : now);
}

/* One ECS event for a host. */
static json_t *host_event(json_t *h, json_t *report, const char *now)
{
    const char *outcome = jstr(h, "outcome");
    int failed = strcmp(outcome, "failed") == 0;
    json_t *rc = json_object_get(h, "root_cause");
    const char *ecs_outcome = failed                                     ? "failure"
                              : strcmp(outcome, "succeeded") == 0 ||
                                        strcmp(outcome, "succeeded_with_warnings") == 0
                                  ? "success"
                                  : "unknown";
    json_t *ips = json_array();
    if (looks_like_ip(jstr(h, "host")))
        json_array_append_new(ips, json_string(jstr(h, "host")));
    size_t i;
    json_t *al;
    json_array_foreach(json_object_get(h, "aliases"), i, al)
    {
        if (looks_like_ip(json_string_value(al)))
            json_array_append_new(ips, json_string(json_string_value(al)));
    }
    json_t *hostobj = json_pack("{s:s, s:s, s:{s:s}}", "name", jstr(h, "host"), "hostname",
                                jstr(h, "host"), "os", "type", jstr(h, "os"));
    if (json_array_size(ips))
        json_object_set_new(hostobj, "ip", ips);
    else
        json_decref(ips);
    json_t *event = json_pack("{s:s, s:[s], s:[s,s], s:s, s:s, s:s}", "kind",
                              failed ? "alert" : "event", "category", "package", "type",
                              "installation", failed ? "error" : "info", "outcome", ecs_outcome,
                              "module", "asrlog", "dataset", "asrlog.mobility_install");
    char msg[600];
    json_t *doc = json_object();
    json_object_set_new(doc, "@timestamp", event_time(h, now));
    json_object_set_new(doc, "ecs", json_pack("{s:s}", "version", ECS_VERSION));
    json_object_set_new(doc, "host", hostobj);
    if (json_is_object(rc)) {
        json_t *ids = json_object_get(rc, "error_ids");
        json_t *ec = json_object_get(rc, "exit_code");
        char code[32] = "";
        if (json_array_size(ids))
            snprintf(code, sizeof code, "%lld", (long long)json_integer_value(json_array_get(ids, 0)));
        else if (json_is_integer(ec))
            snprintf(code, sizeof code, "%lld", (long long)json_integer_value(ec));
        if (*code)
            json_object_set_new(event, "code", json_string(code));
        json_object_set_new(event, "reason", json_string(jstr(rc, "title")));
        json_t *ev0 = json_array_get(json_object_get(rc, "evidence"), 0);
        if (ev0)
            json_object_set_new(event, "original", json_string(jstr(ev0, "text")));
        json_t *err = json_pack("{s:s, s:s}", "message", jstr(rc, "title"), "type",
                                jstr(rc, "family"));
        if (json_is_string(json_object_get(rc, "hresult")))
            json_object_set_new(err, "code", json_string(jstr(rc, "hresult")));
        else if (*code)
            json_object_set_new(err, "code", json_string(code));
        json_object_set_new(doc, "error", err);
        json_t *rem = json_object_get(rc, "remediation");
        json_object_set_new(doc, "rule",
                            json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", jstr(rc, "signature"),
                                      "name", jstr(rc, "title"), "ruleset", "asrlog-catalog",
                                      "reference", json_is_object(rem) ? jstr(rem, "reference") : "",
                                      "version", jstr(report, "catalog_hash")));
        if (ev0)
            json_object_set_new(doc, "log", json_pack("{s:{s:s}}", "file", "path", jstr(ev0, "file")));
        snprintf(msg, sizeof msg, "Mobility Service installation on %s %s: %s", jstr(h, "host"),
                 outcome, jstr(rc, "title"));
        json_object_set_new(doc, "asrlog",
                            json_pack("{s:s, s:s, s:O, s:O}", "outcome", outcome, "host_source",
                                      jstr(h, "host_source"), "remediation",
                                      rem ? rem : json_null(), "evidence",
                                      json_object_get(rc, "evidence")));
    } else {
        snprintf(msg, sizeof msg, "Mobility Service installation on %s %s", jstr(h, "host"),
                 outcome);
        json_object_set_new(doc, "asrlog", json_pack("{s:s, s:s}", "outcome", outcome,
                                                     "host_source", jstr(h, "host_source")));
    }
    json_object_set_new(doc, "message", json_string(msg));
    json_object_set_new(doc, "event", event);
    return doc;
}

int render_ndjson(FILE *out, json_t *report)
{
    char now[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
    size_t i;
    json_t *h;
    json_array_foreach(json_object_get(report, "hosts"), i, h)
    {
        json_t *doc = host_event(h, report, now);
        int rc = doc ? json_dumpf(doc, out, JSON_COMPACT) : -1;
        json_decref(doc);
        if (rc != 0 || fputc('\n', out) == EOF)
            return -1;
    }
    return ferror(out) ? -1 : 0;
}
