/*
 * report_view.h — what the Markdown and HTML reports (render_markdown.c, render_html.c) share:
 * the hosts that need attention, those hosts grouped by root cause (the chart), counts of
 * inputs, and a writer that escapes text from the logs through a per-format callback.
 *
 * Ownership: a report_view borrows every string and host object from the JSON report it was
 * built from; keep the report alive while the view is used, and free the view with rv_free().
 */
#ifndef ASR_REPORT_VIEW_H
#define ASR_REPORT_VIEW_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/* The outcomes that get a host section, in the order the sections come. */
enum { RV_FAILED, RV_WARNED, RV_UNKNOWN, RV_N_ATTENTION };

/* One bar of the chart: the hosts needing attention that share a root cause. */
typedef struct rv_cause {
    const char *signature;              /* NULL: hosts without a root cause */
    const char *title;                  /* the root cause's title, or a fixed text for NULL */
    size_t by_outcome[RV_N_ATTENTION];  /* hosts per RV_FAILED / RV_WARNED / RV_UNKNOWN */
    size_t total;                       /* sum of by_outcome */
} rv_cause;

typedef struct report_view {
    json_t **hosts;        /* failed, then warned, then unknown hosts; report order in each */
    size_t n_hosts;
    rv_cause *causes;      /* most hosts first, then by signature; "no cause" last */
    size_t n_causes;
    size_t max_cause;      /* the largest rv_cause.total (0 when there is no cause) */
    size_t inputs_analyzed, inputs_skipped, inputs_unreadable;
} report_view;

/* rv_build — fills *v from `report`. Returns 0, or -1 when out of memory (*v is then empty). */
int rv_build(json_t *report, report_view *v);

/* rv_free — releases what rv_build allocated; the report itself is untouched. */
void rv_free(report_view *v);

/* rv_str — the string member `key` of `obj`, or "" when absent or not a string. */
const char *rv_str(json_t *obj, const char *key);

/* rv_int — the integer member `key` of `obj`, or 0. */
long long rv_int(json_t *obj, const char *key);

/* rv_attention — RV_FAILED, RV_WARNED or RV_UNKNOWN for an outcome text; -1 for succeeded. */
int rv_attention(const char *outcome);

/* rv_outcome_label — words for an outcome ("Failed", "Succeeded with warnings", …). */
const char *rv_outcome_label(const char *outcome);

/* rv_outcome_class — a short class name for an outcome: failed, warned, succeeded, unknown. */
const char *rv_outcome_class(const char *outcome);

/* rv_host_in_cause — 1 when `host`'s root cause is the one `cause` groups, else 0. */
int rv_host_in_cause(json_t *host, const rv_cause *cause);

/* rv_input_noted — 1 when an input was skipped or unreadable, or analysed with a remark
 * (a reason), so the report lists it; else 0. */
int rv_input_noted(json_t *input);

/* rv_other_finding — 1 when `finding` of `host` is not its root cause (listed apart), else 0. */
int rv_other_finding(json_t *host, json_t *finding);

/*
 * rv_cause_codes — the codes of a root cause as short texts ("ErrorID 95107", "EP0858",
 * "exit code 45", "HRESULT 0x8004E00F"), in that order. Returns a new JSON array of strings
 * (the caller decrefs it), or NULL when out of memory. A NULL or non-object cause gives [].
 */
json_t *rv_cause_codes(json_t *root_cause);

/*
 * rv_bar_pos — where `count` ends on a bar `full` units long whose end stands for `max`
 * (rounded to the nearest unit). A stacked segment from a to b is pos(b) - pos(a) long.
 * Returns 0 when max is 0.
 */
size_t rv_bar_pos(size_t count, size_t max, size_t full);

/* ---- unclassified failure templates (the report's "unclassified" array) -------------------- */

/* Templates shown in a report before "… and N more", and host names shown per template. */
#define RV_MAX_TEMPLATES 50
#define RV_MAX_TEMPLATE_HOSTS 10

/*
 * rv_template_hosts — a template's hosts cell: "N failed (and M other): a, b … and K more"
 * (at most RV_MAX_TEMPLATE_HOSTS names). Each name goes through put_name(out, name, ctx), so
 * that each format escapes it, or links it, its own way.
 */
void rv_template_hosts(FILE *out, json_t *t, void (*put_name)(FILE *, const char *, void *),
                       void *ctx);

/* The sentence under the "Unclassified failures" heading. */
#define RV_UNCLASSIFIED_INTRO                                                                     \
    "Failure lines of failed hosts that no signature explains, grouped into templates: the "    \
    "variable parts (numbers, dates, paths, addresses, quoted text) are masked, and a part that " \
    "differs between hosts shows as <*>. The template most particular to those hosts comes "    \
    "first; its score is the share, in percent, of the hosts having it that are such failures."

/* rv_attention_host — the host of v->hosts (failed, warned or unknown) named `name`, or NULL.
 * Borrowed from the report. */
json_t *rv_attention_host(const report_view *v, const char *name);

/*
 * An escaper: for byte `c` of the text, returns the text to write instead, or NULL to write
 * `c` as is. `buf` (4 bytes) may hold the returned text.
 */
typedef const char *(*rv_escaper)(char c, char buf[4]);

/*
 * rv_put_text — writes `s` (UTF-8) to `out`. Control characters other than tab, which the
 * logs may carry and no report format can show, become U+FFFD; every other byte goes through
 * `esc` (NULL: written as is). A NULL `s` writes nothing. Write errors are left in ferror(out).
 */
void rv_put_text(FILE *out, const char *s, rv_escaper esc);

#endif
