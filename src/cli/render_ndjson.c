/*
 * render_ndjson.c — one Elastic Common Schema (ECS) event per host verdict, one per line, then
 * one event per unclassified failure template of the report (kind event, type info, action
 * "unclassified-failure-template", the template's hosts in related.hosts).
 * Field use follows ../shared/reference/siem.md: event.kind is "alert" for failures and
 * "event" otherwise (never "signal"); event.outcome is only failure, success or unknown;
 * host.os.type only carries ECS's own values (windows, linux) and is left out otherwise;
 * @timestamp is UTC ISO 8601 with milliseconds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "render_common.h"

#define ECS_VERSION "8.11.0"

/* Sets `key` of `obj` to the string `s` when it is not empty. */
static void set_nonempty(json_t *obj, const char *key, const char *s)
{
    if (s && *s)
        json_object_set_new(obj, key, json_string(s));
}

/* The ECS `host` object: name, hostname, ip[] (when the host or an alias is an address), and
 * os.type when the OS is one ECS knows. */
static json_t *ecs_host(json_t *h)
{
    const char *name = rv_str(h, "host"), *os = rv_str(h, "os");
    json_t *host = json_pack("{s:s, s:s}", "name", name, "hostname", name);
    json_t *ips = json_array();
    if (looks_like_ip(name))
        json_array_append_new(ips, json_string(name));
    size_t i;
    json_t *al;
    json_array_foreach(json_object_get(h, "aliases"), i, al)
    {
        if (json_is_string(al) && looks_like_ip(json_string_value(al)))
            json_array_append(ips, al);
    }
    if (json_array_size(ips))
        json_object_set(host, "ip", ips);
    json_decref(ips);
    if (strcmp(os, "windows") == 0 || strcmp(os, "linux") == 0)
        json_object_set_new(host, "os", json_pack("{s:s}", "type", os));
    return host;
}

/* The ECS `event` object of a verdict; `rc` is the root cause or NULL. */
static json_t *ecs_event(json_t *h, json_t *rc)
{
    int failed = strcmp(rv_str(h, "outcome"), "failed") == 0;
    json_t *event = json_pack("{s:s, s:[s], s:[s,s], s:s, s:s, s:s}", "kind",
                              failed ? "alert" : "event", "category", "package", "type",
                              "installation", failed ? "error" : "info", "outcome",
                              outcome_ecs(rv_str(h, "outcome")), "module", "asrlog", "dataset",
                              "asrlog.mobility_install");
    if (!rc)
        return event;
    char code[32];
    set_nonempty(event, "code", root_cause_code(rc, code, sizeof code));
    set_nonempty(event, "reason", rv_str(rc, "title"));
    json_t *ev0 = host_deciding_evidence(h);
    if (ev0)
        json_object_set_new(event, "original", json_string(rv_str(ev0, "text")));
    return event;
}

/* Adds error, rule, log and asrlog.* of a host with a root cause to `doc`. */
static void ecs_root_cause(json_t *doc, json_t *h, json_t *rc, json_t *report)
{
    char code[32];
    root_cause_code(rc, code, sizeof code);
    json_t *err = json_pack("{s:s, s:s}", "message", rv_str(rc, "title"), "type",
                            rv_str(rc, "family"));
    set_nonempty(err, "code", json_is_string(json_object_get(rc, "hresult")) ? rv_str(rc, "hresult")
                                                                           : code);
    json_object_set_new(doc, "error", err);
    json_t *rem = json_object_get(rc, "remediation");
    json_t *rule = json_pack("{s:s, s:s, s:s}", "id", rv_str(rc, "signature"), "name",
                             rv_str(rc, "title"), "ruleset", "asrlog-catalog");
    set_nonempty(rule, "reference", rv_str(rem, "reference"));
    set_nonempty(rule, "version", rv_str(report, "catalog_hash"));
    json_object_set_new(doc, "rule", rule);
    json_t *ev0 = host_deciding_evidence(h);
    if (ev0)
        json_object_set_new(doc, "log", json_pack("{s:{s:s}}", "file", "path", rv_str(ev0, "file")));
    json_object_set_new(doc, "asrlog",
                        json_pack("{s:s, s:s, s:O, s:O}", "outcome", rv_str(h, "outcome"),
                                  "host_source", rv_str(h, "host_source"), "remediation",
                                  rem ? rem : json_null(), "evidence",
                                  json_object_get(rc, "evidence")));
}

json_t *ecs_host_event(json_t *h, json_t *report, long long now_ms)
{
    json_t *rc = json_object_get(h, "root_cause");
    if (!json_is_object(rc))
        rc = NULL;
    char ts[40];
    char *msg = host_message(h);
    json_t *doc = json_object();
    if (!msg || !doc) {
        free(msg);
        json_decref(doc);
        return NULL;
    }
    json_object_set_new(doc, "@timestamp",
                        json_string(format_utc_ms(host_event_time(h, now_ms), ts, sizeof ts)));
    json_object_set_new(doc, "ecs", json_pack("{s:s}", "version", ECS_VERSION));
    json_object_set_new(doc, "host", ecs_host(h));
    if (rc)
        ecs_root_cause(doc, h, rc, report);
    else
        json_object_set_new(doc, "asrlog", json_pack("{s:s, s:s}", "outcome", rv_str(h, "outcome"),
                                                     "host_source", rv_str(h, "host_source")));
    json_object_set_new(doc, "message", json_string(msg));
    json_object_set_new(doc, "event", ecs_event(h, rc));
    free(msg);
    return doc;
}

/* The members of a report's "unclassified" entry that its event carries under
 * asrlog.unclassified (README.md, "The JSON report"). */
static const char *const template_keys[] = {"id",          "template", "score",
                                            "count",       "failed_hosts", "hosts",
                                            "other_hosts", "log_types", "examples"};

json_t *ecs_template_event(json_t *tpl, json_t *report, long long now_ms)
{
    char ts[40];
    json_t *doc = json_object(), *entry = json_object();
    json_t *rule = json_pack("{s:s, s:s, s:s}", "id", rv_str(tpl, "id"), "name",
                             TEMPLATE_EVENT_NAME, "ruleset", "asrlog-unclassified");
    json_t *event = json_pack("{s:s, s:[s], s:[s], s:s, s:s, s:s}", "kind", "event", "category",
                              "package", "type", "info", "action", TEMPLATE_EVENT_ACTION,
                              "module", "asrlog", "dataset", "asrlog.mobility_install");
    if (!doc || !entry || !rule || !event) {
        json_decref(doc);
        json_decref(entry);
        json_decref(rule);
        json_decref(event);
        return NULL;
    }
    set_nonempty(rule, "version", rv_str(report, "catalog_hash"));
    for (size_t i = 0; i < sizeof template_keys / sizeof template_keys[0]; i++) {
        json_t *v = json_object_get(tpl, template_keys[i]);
        if (v)
            json_object_set(entry, template_keys[i], v);
    }
    json_object_set_new(doc, "@timestamp", json_string(format_utc_ms(now_ms, ts, sizeof ts)));
    json_object_set_new(doc, "ecs", json_pack("{s:s}", "version", ECS_VERSION));
    json_object_set_new(doc, "rule", rule);
    json_t *hosts = json_object_get(tpl, "hosts");
    if (json_array_size(hosts))
        json_object_set_new(doc, "related", json_pack("{s:O}", "hosts", hosts));
    json_object_set_new(doc, "asrlog", json_pack("{s:o}", "unclassified", entry));
    json_object_set_new(doc, "message", json_string(rv_str(tpl, "template")));
    json_object_set_new(doc, "event", event);
    return doc;
}

/* JSON_COMPACT escapes every control character, so one event is always one line. */
int render_ndjson(FILE *out, json_t *report)
{
    return put_event_lines(out, report, ecs_host_event, ecs_template_event, JSON_COMPACT);
}
