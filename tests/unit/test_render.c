/*
 * test_render.c — the SIEM renderers at unit level, driven by tables: CEF header and value
 * escaping (with trimming, control characters and cuts on character boundaries), ISO 8601 times
 * to epoch milliseconds, UTF-8 prefixes, and a report whose evidence, title and remediation hold
 * newlines, CR, tabs, quotes and control characters rendered by every format: one event per line
 * (ndjson, hec, sentinel, cef) or one CSV record per host, and the values read back intact.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"
#include "render_common.h"

/* ---- CEF escaping ------------------------------------------------------------------------- */

typedef struct cef_case {
    const char *in;
    size_t max;
    const char *header; /* cef_write_header output */
    const char *value;  /* cef_write_value output */
} cef_case;

static const cef_case cef_cases[] = {
    {"plain text", 100, "plain text", "plain text"},
    {"a|b", 100, "a\\|b", "a|b"},
    {"a=b", 100, "a=b", "a\\=b"},
    {"C:\\Temp\\x", 100, "C:\\\\Temp\\\\x", "C:\\\\Temp\\\\x"},
    {"line1\nline2\r\nline3", 100, "line1 line2  line3", "line1\\nline2\\r\\nline3"},
    {"tab\there", 100, "tab here", "tab here"},
    {"ctl\x01x\x7fy", 100, "ctl\xEF\xBF\xBDx\xEF\xBF\xBDy", "ctl\xEF\xBF\xBDx\xEF\xBF\xBDy"},
    {"  \t padded \r\n", 100, "padded", "padded"},
    {"\"quoted\" 'single'", 100, "\"quoted\" 'single'", "\"quoted\" 'single'"},
    {"", 100, "", ""},
    {" \n\t ", 100, "", ""},
    {"abcdef", 3, "abc", "abc"},
    {"ab \xC3\xA9", 4, "ab", "ab"},         /* the cut would split é: it goes, then the space */
    {"\xE2\x80\x9C" "x", 3, "\xE2\x80\x9C", "\xE2\x80\x9C"},
    {"k=v|w\\", 100, "k=v\\|w\\\\", "k\\=v|w\\\\"},
};

/* Runs `fn` on `in` into a memory stream and returns the text (malloc'd). */
static char *escape_to_string(int (*fn)(FILE *, const char *, size_t), const char *in,
                              size_t max)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_non_null(m);
    assert_int_equal(fn(m, in, max), 0);
    assert_int_equal(fclose(m), 0);
    return buf;
}

static void test_cef_escaping(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cef_cases / sizeof cef_cases[0]; i++) {
        const cef_case *c = &cef_cases[i];
        char *h = escape_to_string(cef_write_header, c->in, c->max);
        char *v = escape_to_string(cef_write_value, c->in, c->max);
        assert_string_equal(h, c->header);
        assert_string_equal(v, c->value);
        free(h);
        free(v);
    }
}

/* ---- times and UTF-8 ---------------------------------------------------------------------- */

typedef struct time_case {
    const char *text;
    int ok;
    long long ms;
} time_case;

static const time_case time_cases[] = {
    {"1970-01-01T00:00:00Z", 0, 0},
    {"2023-05-03T10:41:07+02:00", 0, 1683103267000LL},
    {"2023-05-03T08:41:07", 0, 1683103267000LL}, /* no offset: UTC */
    {"2023-05-03 08:41:07.25Z", 0, 1683103267250LL},
    {"2023-05-03T08:41:07.1234567-0130", 0, 1683108667123LL},
    {"2024-02-29T12:00:00Z", 0, 1709208000000LL}, /* leap day */
    {"2000-03-01T00:00:00Z", 0, 951868800000LL},  /* after the 400-year leap day */
    {"2100-03-01T00:00:00Z", 0, 4107542400000LL}, /* 2100 is not a leap year */
    {"2023-13-01T00:00:00Z", -1, 0},
    {"2023-05-03T25:00:00Z", -1, 0},
    {"2023-05-03T08:41:07+2", -1, 0},
    {"2023-05-03T08:41:07 junk", -1, 0},
    {"1969-12-31T23:59:59Z", -1, 0},
    {"05/03/2023 10:05:12", -1, 0},
    {"", -1, 0},
};

static void test_iso8601(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof time_cases / sizeof time_cases[0]; i++) {
        long long ms = -1;
        int rc = iso8601_to_epoch_ms(time_cases[i].text, &ms);
        assert_int_equal(rc, time_cases[i].ok);
        if (rc == 0)
            assert_int_equal(ms, time_cases[i].ms);
    }
    char buf[40];
    assert_string_equal(format_utc_ms(1683103267250LL, buf, sizeof buf),
                        "2023-05-03T08:41:07.250Z");
    assert_string_equal(format_utc_ms(0, buf, sizeof buf), "1970-01-01T00:00:00.000Z");
}

typedef struct prefix_case {
    const char *s;
    size_t max, want;
} prefix_case;

static const prefix_case prefix_cases[] = {
    {"abc", 10, 3},           {"abc", 2, 2},
    {"a\xC3\xA9", 2, 1},      {"a\xC3\xA9", 3, 3},
    {"\xF0\x9F\x98\x80z", 3, 0}, {"\xF0\x9F\x98\x80z", 4, 4},
    {"", 0, 0},
};

static void test_utf8_prefix(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof prefix_cases / sizeof prefix_cases[0]; i++) {
        const prefix_case *c = &prefix_cases[i];
        assert_int_equal(utf8_prefix(c->s, strlen(c->s), c->max), c->want);
    }
}

/* ---- every format on a report with awkward text -------------------------------------------- */

#define NASTY_EVIDENCE "line one\nline two\r\n\ttab \"quote\" a=b|c \\ back \x01 ctl"
#define NASTY_TITLE "Title | with = and \\ and\nnewline"

/* A two-host report: a failed host whose evidence, title and remediation hold NASTY text, and a
 * succeeded host with no root cause and no attempts. */
static json_t *nasty_report(void)
{
    json_error_t e;
    json_t *r = json_pack_ex(
        &e, 0,
        "{s:s, s:s, s:[], s:{}, s:[{s:s, s:s, s:[s], s:s, s:s,"
        " s:{s:s, s:s, s:s, s:s, s:[i], s:[], s:i, s:n, s:{},"
        "    s:[{s:s, s:i, s:s}], s:{s:s, s:[s], s:[s], s:s}},"
        " s:[], s:[{s:s, s:i, s:s, s:s, s:i, s:b}]},"
        " {s:s, s:s, s:[], s:s, s:s, s:n, s:[], s:[]}]}",
        "asrlog_version", "0.1.0", "catalog_hash", "abc", "inputs", "summary", "hosts", "host",
        "h1", "host_source", "path", "aliases", "10.0.0.7", "os", "windows", "outcome", "failed",
        "root_cause", "signature", "x.nasty", "title", NASTY_TITLE, "severity", "error", "family",
        "fam", "error_ids", 95107, "ep_codes", "exit_code", 97, "hresult", "fields", "evidence",
        "file", "C:\\logs\\a.log", "line", 3, "text", NASTY_EVIDENCE, "remediation", "summary",
        "sum\nmary", "steps", "step=1\nstill", "commands", "cmd \"x\"", "reference", "https://r",
        "findings", "attempts", "file", "C:\\logs\\a.log", "line", 1, "started",
        "2023-05-03T10:41:07+02:00", "outcome", "failed", "exit_code", 97, "deciding", 1, "host",
        "h2", "host_source", "file", "aliases", "os", "unknown", "outcome", "succeeded",
        "root_cause", "findings", "attempts");
    if (!r)
        fail_msg("bad test report: %s", e.text);
    return r;
}

/* Renders the report with `render` into a malloc'd NUL-terminated string. */
static char *render_to_string(int (*render)(FILE *, json_t *), json_t *report)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_non_null(m);
    assert_int_equal(render(m, report), 0);
    assert_int_equal(fclose(m), 0);
    return buf;
}

/* Splits `text` at LF; checks there are `n` lines, each ending with LF. Returns a malloc'd
 * array of the lines (pointing into `text`, which it cuts). */
static char **split_lines(char *text, size_t n)
{
    char **lines = calloc(n + 1, sizeof *lines);
    size_t k = 0;
    for (char *p = text; *p; k++) {
        char *nl = strchr(p, '\n');
        assert_non_null(nl);
        assert_true(k < n);
        *nl = '\0';
        lines[k] = p;
        p = nl + 1;
    }
    assert_int_equal(k, n);
    return lines;
}

/* Parses one JSON line; fails the test when it does not parse. */
static json_t *parse_line(const char *line)
{
    json_error_t e;
    json_t *j = json_loads(line, JSON_REJECT_DUPLICATES, &e);
    if (!j)
        fail_msg("not JSON (%s): %s", e.text, line);
    return j;
}

static void test_ndjson_one_line_per_host(void **state)
{
    (void)state;
    json_t *rep = nasty_report();
    char *out = render_to_string(render_ndjson, rep);
    char **lines = split_lines(out, 2);
    json_t *e1 = parse_line(lines[0]), *e2 = parse_line(lines[1]);
    assert_string_equal(json_string_value(json_object_get(json_object_get(e1, "event"),
                                                          "original")),
                        NASTY_EVIDENCE);
    assert_string_equal(json_string_value(json_object_get(e1, "@timestamp")),
                        "2023-05-03T08:41:07.000Z");
    assert_string_equal(json_string_value(json_object_get(json_object_get(e1, "event"), "kind")),
                        "alert");
    /* an OS ECS does not know is left out rather than sent as "unknown" */
    assert_null(json_object_get(json_object_get(e2, "host"), "os"));
    assert_string_equal(json_string_value(json_object_get(json_object_get(e2, "event"),
                                                          "outcome")),
                        "success");
    json_decref(e1);
    json_decref(e2);
    free(lines);
    free(out);
    json_decref(rep);
}

static void test_cef_one_line_per_host(void **state)
{
    (void)state;
    json_t *rep = nasty_report();
    char *out = render_to_string(render_cef, rep);
    char **lines = split_lines(out, 2);
    assert_non_null(strstr(lines[0], "CEF:0|asrlog|asrlog|0.1.0|x.nasty|Title \\| with = and "
                                     "\\\\ and newline|8|rt=1683103267000 dhost=h1 dst=10.0.0.7 "
                                     "outcome=failure "));
    assert_non_null(strstr(lines[0], " cs3Label=Evidence cs3=line one\\nline two\\r\\n tab "
                                     "\"quote\" a\\=b|c \\\\ back \xEF\xBF\xBD ctl "));
    assert_non_null(strstr(lines[0], " cs4=sum\\nmary\\n1. step\\=1\\nstill\\n$ cmd \"x\"\\n"
                                     "Reference: https://r"));
    assert_non_null(strstr(lines[0], " cn1Label=ExitCode cn1=97 cs1Label=ErrorID cs1=95107 "));
    assert_non_null(strstr(lines[1], "|asrlog.outcome.succeeded|Mobility Service installation "
                                     "succeeded|0|"));
    assert_null(strchr(lines[0], '\r'));
    free(lines);
    free(out);
    json_decref(rep);
}

static void test_hec_and_sentinel_lines(void **state)
{
    (void)state;
    json_t *rep = nasty_report();
    char *hec = render_to_string(render_hec, rep);
    char **lines = split_lines(hec, 2);
    json_t *e1 = parse_line(lines[0]);
    assert_true(json_real_value(json_object_get(e1, "time")) == 1683103267.0);
    assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(
                            e1, "event"), "event"), "original")),
                        NASTY_EVIDENCE);
    json_decref(e1);
    free(lines);
    char *sen = render_to_string(render_sentinel, rep);
    lines = split_lines(sen, 1); /* two small records: one body */
    json_t *arr = parse_line(lines[0]);
    assert_int_equal(json_array_size(arr), 2);
    json_t *r1 = json_array_get(arr, 0);
    assert_string_equal(json_string_value(json_object_get(r1, "EventResult")), "Failure");
    assert_string_equal(json_string_value(json_object_get(r1, "EventSeverity")), "High");
    assert_string_equal(json_string_value(json_object_get(r1, "DvcIpAddr")), "10.0.0.7");
    assert_string_equal(json_string_value(json_object_get(json_array_get(
                            json_object_get(json_object_get(r1, "AdditionalFields"), "Evidence"),
                            0), "text")),
                        NASTY_EVIDENCE);
    assert_false(json_is_true(json_object_get(json_object_get(r1, "AdditionalFields"),
                                              "Truncated")));
    json_decref(arr);
    free(lines);
    free(hec);
    free(sen);
    json_decref(rep);
}

static void test_csv_records(void **state)
{
    (void)state;
    json_t *rep = nasty_report();
    char *out = render_to_string(render_csv, rep);
    /* header, then the failed host: quoted fields keep their line breaks, quotes doubled */
    assert_int_equal(strncmp(out, "host,host_source,aliases,os,outcome,time,", 41), 0);
    assert_non_null(strstr(out, "\r\nh1,path,10.0.0.7,windows,failed,2023-05-03T08:41:07.000Z,"
                                "x.nasty,\"" NASTY_TITLE "\",error,fam,95107,,97,,"
                                "C:\\logs\\a.log,3,\"line one\nline two\r\n\ttab \"\"quote\"\" "
                                "a=b|c \\ back \x01 ctl\",\"sum\nmary\",\"step=1\nstill\","
                                "\"cmd \"\"x\"\"\",https://r\r\n"));
    assert_non_null(strstr(out, "\r\nh2,file,,unknown,succeeded,"));
    size_t len = strlen(out);
    assert_true(len > 2 && strcmp(out + len - 2, "\r\n") == 0);
    free(out);
    json_decref(rep);
}

/* ---- unclassified failure templates --------------------------------------------------------- */

#define NASTY_TEMPLATE "<DATE> : step=<NUM> | a\\b \"q\"\t\x01 x"
/* SOURCE_DATE_EPOCH for these tests: template events carry the scan time */
#define FIXED_NOW "1700000000"

/* nasty_report() with one unclassified template whose wording and example hold NASTY text. */
static json_t *template_report(void)
{
    json_t *r = nasty_report();
    json_t *tpl = json_pack(
        "{s:s, s:s, s:i, s:i, s:i, s:[s], s:i, s:[s], s:[{s:s, s:i, s:s, s:s}]}", "id",
        "tpl-00c0ffee", "template", NASTY_TEMPLATE, "score", 50, "count", 3, "failed_hosts", 1,
        "hosts", "h1", "other_hosts", 1, "log_types", "ua_installer", "examples", "file",
        "C:\\logs\\a.log", "line", 3, "text", NASTY_EVIDENCE, "host", "h1");
    assert_non_null(tpl);
    json_object_set_new(r, "unclassified", json_pack("[o]", tpl));
    setenv("SOURCE_DATE_EPOCH", FIXED_NOW, 1);
    return r;
}

/* The string at a path of object members ("a", "b", NULL) in `j`, or NULL. */
static const char *str_at(json_t *j, ...)
{
    va_list ap;
    va_start(ap, j);
    for (const char *k; (k = va_arg(ap, const char *));)
        j = json_object_get(j, k);
    va_end(ap);
    return json_string_value(j);
}

static void test_ndjson_template_event(void **state)
{
    (void)state;
    json_t *rep = template_report();
    char *out = render_to_string(render_ndjson, rep);
    char **lines = split_lines(out, 3); /* two hosts, then the template */
    json_t *e = parse_line(lines[2]);
    assert_string_equal(str_at(e, "@timestamp", NULL), "2023-11-14T22:13:20.000Z");
    assert_string_equal(str_at(e, "message", NULL), NASTY_TEMPLATE);
    assert_string_equal(str_at(e, "event", "kind", NULL), "event");
    assert_string_equal(str_at(e, "event", "action", NULL), "unclassified-failure-template");
    assert_string_equal(str_at(e, "event", "dataset", NULL), "asrlog.mobility_install");
    assert_string_equal(json_string_value(json_array_get(json_object_get(json_object_get(
                            e, "event"), "type"), 0)),
                        "info");
    assert_string_equal(str_at(e, "rule", "id", NULL), "tpl-00c0ffee");
    assert_string_equal(str_at(e, "rule", "name", NULL), "Unclassified failure template");
    assert_string_equal(json_string_value(json_array_get(json_object_get(json_object_get(
                            e, "related"), "hosts"), 0)),
                        "h1");
    json_t *entry = json_object_get(json_object_get(e, "asrlog"), "unclassified");
    assert_true(json_equal(entry, json_array_get(json_object_get(rep, "unclassified"), 0)));
    assert_null(json_object_get(e, "host")); /* a template spans hosts */
    json_decref(e);
    free(lines);
    free(out);
    json_decref(rep);
}

static void test_cef_template_line(void **state)
{
    (void)state;
    json_t *rep = template_report();
    char *out = render_to_string(render_cef, rep);
    char **lines = split_lines(out, 3);
    assert_string_equal(lines[2],
                        "CEF:0|asrlog|asrlog|0.1.0|tpl-00c0ffee|Unclassified failure template|5|"
                        "rt=1700000000000 cat=unclassified msg=<DATE> : step\\=<NUM> | "
                        "a\\\\b \"q\" \xEF\xBF\xBD x cnt=3 cn1Label=FailedHosts cn1=1 "
                        "cn3Label=Score cn3=50 cs1Label=Hosts cs1=h1 cs2Label=LogTypes "
                        "cs2=ua_installer filePath=C:\\\\logs\\\\a.log cn2Label=ExampleLine "
                        "cn2=3 cs3Label=Example cs3=line one\\nline two\\r\\n tab \"quote\" "
                        "a\\=b|c \\\\ back \xEF\xBF\xBD ctl cs4Label=Remediation "
                        "cs4=asrlog signatures new --from-template tpl-00c0ffee --report "
                        "report.json cs5Label=OtherHosts cs5=1");
    free(lines);
    free(out);
    json_decref(rep);
}

static void test_hec_sentinel_csv_templates(void **state)
{
    (void)state;
    json_t *rep = template_report();
    char *hec = render_to_string(render_hec, rep);
    char **lines = split_lines(hec, 3);
    json_t *e = parse_line(lines[2]);
    assert_null(json_object_get(e, "host"));
    assert_true(json_real_value(json_object_get(e, "time")) == 1700000000.0);
    assert_string_equal(str_at(e, "event", "message", NULL), NASTY_TEMPLATE);
    assert_string_equal(str_at(e, "fields", "template_id", NULL), "tpl-00c0ffee");
    assert_string_equal(str_at(e, "fields", "score", NULL), "50");
    assert_string_equal(str_at(e, "fields", "event_action", NULL), "unclassified-failure-template");
    json_decref(e);
    free(lines);
    char *sen = render_to_string(render_sentinel, rep);
    lines = split_lines(sen, 1);
    json_t *arr = parse_line(lines[0]);
    assert_int_equal(json_array_size(arr), 3);
    json_t *r3 = json_array_get(arr, 2);
    assert_string_equal(str_at(r3, "EventType", NULL), "UnclassifiedFailureTemplate");
    assert_string_equal(str_at(r3, "EventSeverity", NULL), "Medium");
    assert_string_equal(str_at(r3, "EventMessage", NULL), NASTY_TEMPLATE);
    assert_string_equal(str_at(r3, "TimeGenerated", NULL), "2023-11-14T22:13:20.000Z");
    assert_null(json_object_get(r3, "DvcHostname"));
    json_t *add = json_object_get(r3, "AdditionalFields");
    assert_string_equal(str_at(add, "TemplateId", NULL), "tpl-00c0ffee");
    assert_string_equal(json_string_value(json_object_get(json_array_get(
                            json_object_get(add, "Examples"), 0), "text")),
                        NASTY_EVIDENCE);
    assert_false(json_is_true(json_object_get(add, "Truncated")));
    json_decref(arr);
    free(lines);
    /* CSV rows are hosts: the template adds none */
    json_t *plain_rep = nasty_report();
    char *csv = render_to_string(render_csv, rep);
    char *plain = render_to_string(render_csv, plain_rep);
    assert_string_equal(csv, plain);
    free(csv);
    free(plain);
    json_decref(plain_rep);
    free(hec);
    free(sen);
    json_decref(rep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cef_escaping),
        cmocka_unit_test(test_iso8601),
        cmocka_unit_test(test_utf8_prefix),
        cmocka_unit_test(test_ndjson_one_line_per_host),
        cmocka_unit_test(test_cef_one_line_per_host),
        cmocka_unit_test(test_hec_and_sentinel_lines),
        cmocka_unit_test(test_csv_records),
        cmocka_unit_test(test_ndjson_template_event),
        cmocka_unit_test(test_cef_template_line),
        cmocka_unit_test(test_hec_sentinel_csv_templates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
