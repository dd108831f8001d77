/*
 * render_common.h — what the machine-readable renderers (ndjson, cef, hec, sentinel, csv) share:
 * reading a host verdict out of the report, its time, its severity on each scale, and the
 * escaping rules of CEF (exposed so the unit tests can drive them with data).
 *
 * Every function here reads the report (`json_t *`, shape: tests/golden/corpus.json) and never
 * keeps a reference to it. Returned `json_t *` are new references the caller releases; returned
 * `char *` are malloc'd and freed by the caller.
 */
#ifndef ASR_RENDER_COMMON_H
#define ASR_RENDER_COMMON_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "report_view.h" /* rv_str: a string member or "" */

/* 1 when `s` looks like an IPv4 address (four dotted decimal numbers up to 255), else 0. */
int is_ipv4(const char *s);

/* 1 when `s` looks like an IPv4 or IPv6 address, else 0. */
int looks_like_ip(const char *s);

/*
 * host_ip — the host's address for fields that want an IP: the host name itself when it is an
 * address, else its first alias that is one. Returns a string owned by the report, or NULL.
 * With `v4_only`, only IPv4 addresses qualify.
 */
const char *host_ip(json_t *host, int v4_only);

/* The first evidence line of the host's root cause ({file, line, text}), or NULL. Borrowed. */
json_t *host_deciding_evidence(json_t *host);

/*
 * host_event_time — when the verdict's event happened, in epoch milliseconds: the start of the
 * deciding attempt in the file of the deciding evidence (the last such attempt starting at or
 * before the evidence line), else the latest start of any deciding attempt, else `now_ms`.
 * A log time without a UTC offset is taken as UTC.
 */
long long host_event_time(json_t *host, long long now_ms);

/* The current time in epoch milliseconds. */
long long now_epoch_ms(void);

/*
 * iso8601_to_epoch_ms — parses "YYYY-MM-DDTHH:MM:SS" (year 1970 or later; a space instead of
 * T is accepted), an optional fraction, and an optional "Z" or ±HH:MM / ±HHMM offset (none
 * means UTC).
 * Returns 0 and sets *ms, or -1 when `s` is not such a time.
 */
int iso8601_to_epoch_ms(const char *s, long long *ms);

/* Writes `ms` as "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC) into buf (at least 32 bytes). Returns buf. */
char *format_utc_ms(long long ms, char *buf, size_t n);

/* ECS-style outcome of an asrlog outcome: "failure", "success" (with or without warnings) or
 * "unknown". */
const char *outcome_ecs(const char *outcome);

/* The event code of a root cause: its first portal ErrorID, else its exit code, written into
 * buf (empty string when it has neither). Returns buf. `rc` may be NULL. */
char *root_cause_code(json_t *rc, char *buf, size_t n);

/*
 * host_message — one-line summary: "Mobility Service installation on HOST OUTCOME[: TITLE]".
 * Malloc'd; NULL when out of memory.
 */
char *host_message(json_t *host);

/* Severity of a host verdict on every scale the renderers use. */
typedef struct host_severity {
    const char *name;     /* the signature severity it came from, or the outcome */
    int cef;              /* CEF 0–10 */
    int syslog;           /* RFC 5424 severity 0–7 */
    const char *sentinel; /* ASIM EventSeverity: Informational, Low, Medium, High */
} host_severity;

/*
 * host_severity_of — maps the root cause's signature severity (error, warning, info) to the
 * scales above, an error counting as a warning when the host succeeded with warnings; a host
 * with no root cause maps by outcome (failed as error, unknown as info, succeeded as
 * informational). Never NULL; points to static data.
 */
const host_severity *host_severity_of(json_t *host);

/*
 * utf8_prefix — the length of the longest prefix of s[0..len) that is at most `max` bytes and
 * does not end inside a UTF-8 sequence.
 */
size_t utf8_prefix(const char *s, size_t len, size_t max);

/*
 * remediation_text — the remediation as plain text: the summary, then one line per step
 * ("1. …"), one per command ("$ …") and "Reference: URL", joined with "\n". Malloc'd ("" for
 * a NULL or empty remediation); NULL when out of memory.
 */
char *remediation_text(json_t *remediation);

/*
 * join_values — the members of a JSON array (strings or integers) joined with `sep`.
 * Malloc'd ("" for an empty or missing array); NULL when out of memory.
 */
char *join_values(json_t *arr, const char *sep);

/*
 * ecs_host_event — the ECS document of one host verdict, as `--format ndjson` writes it
 * (render_ndjson.c). `now_ms` is the scan time. New reference, NULL when out of memory.
 */
json_t *ecs_host_event(json_t *host, json_t *report, long long now_ms);

/* ---- unclassified failure templates (the report's "unclassified" array) -------------------- */

/* The name of a template event (CEF name, ECS rule.name) and its ECS event.action. */
#define TEMPLATE_EVENT_NAME "Unclassified failure template"
#define TEMPLATE_EVENT_ACTION "unclassified-failure-template"

/*
 * template_severity — the severity of a template event on every scale: a warning (CEF 5,
 * syslog 4, Sentinel Medium). It is a lead to follow up, not a verdict of its own: the hosts
 * that have it carry their own failure events. Never NULL; points to static data.
 */
const host_severity *template_severity(void);

/*
 * ecs_template_event — the ECS document of one entry `tpl` of the report's "unclassified"
 * array, as `--format ndjson` writes it after the host events (render_ndjson.c): kind event,
 * action TEMPLATE_EVENT_ACTION, message the template, rule.id its id, related.hosts its hosts,
 * the entry under asrlog.unclassified, @timestamp the scan time `now_ms`. New reference, NULL
 * when out of memory.
 */
json_t *ecs_template_event(json_t *tpl, json_t *report, long long now_ms);

/* Builds one event of a report entry (a host, or an unclassified template). */
typedef json_t *(*event_builder)(json_t *entry, json_t *report, long long now_ms);

/*
 * put_event_lines — one JSON line per host (host_event), then one per unclassified template
 * (template_event), each dumped with jansson `flags` (JSON_COMPACT at least, so that an event
 * is one line) and the same "now". Returns 0, or -1 when an event cannot be built or written.
 */
int put_event_lines(FILE *out, json_t *report, event_builder host_event,
                    event_builder template_event, size_t flags);

/* ---- CEF escaping (render_cef.c) ---------------------------------------------------------- */

/*
 * cef_write_header — writes `s` as a CEF header field: `\` and `|` are escaped with a backslash,
 * CR, LF and tab become spaces, any other control character U+FFFD; space, tab, CR and LF at
 * both ends are dropped, and at most `max` bytes of the (trimmed) source, cut on a character
 * boundary, are used. Returns 0, or -1 on a write error.
 */
int cef_write_header(FILE *out, const char *s, size_t max);

/*
 * cef_write_value — writes `s` as a CEF extension value: `\` → `\\`, `=` → `\=`, LF → `\n`,
 * CR → `\r`, tab → space, any other control character → U+FFFD; trimmed and cut like
 * cef_write_header. Returns 0, or -1 on a write error.
 */
int cef_write_value(FILE *out, const char *s, size_t max);

#endif
