/*
 * render_common.c — helpers shared by the machine-readable renderers: reading one host verdict
 * out of the report (deciding evidence, event time, code, severity, message) and turning times
 * into epoch milliseconds. See render_common.h for the contracts.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "render_common.h"

/* Reads 1–3 decimal digits (a number up to 255) at *s; advances *s. Returns 0 or -1. */
static int ipv4_octet(const char **s)
{
    int v = 0, n = 0;
    while (**s >= '0' && **s <= '9' && n < 4) {
        v = v * 10 + (**s - '0');
        (*s)++;
        n++;
    }
    return n >= 1 && n <= 3 && v <= 255 ? 0 : -1;
}

int is_ipv4(const char *s)
{
    for (int i = 0; i < 4; i++) {
        if (ipv4_octet(&s) != 0)
            return 0;
        if (i < 3 && *s++ != '.')
            return 0;
    }
    return *s == '\0';
}

/* IPv6 in its textual forms: hex groups and colons (at least two), maybe a dotted IPv4 tail. */
static int looks_like_ipv6(const char *s)
{
    int colons = 0;
    for (const char *p = s; *p; p++) {
        if (*p == ':')
            colons++;
        else if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
                   (*p >= 'A' && *p <= 'F') || *p == '.'))
            return 0;
    }
    return colons >= 2;
}

int looks_like_ip(const char *s)
{
    return is_ipv4(s) || looks_like_ipv6(s);
}

const char *host_ip(json_t *host, int v4_only)
{
    const char *name = rv_str(host, "host");
    if (v4_only ? is_ipv4(name) : looks_like_ip(name))
        return name;
    size_t i;
    json_t *al;
    json_array_foreach(json_object_get(host, "aliases"), i, al)
    {
        const char *a = json_string_value(al);
        if (a && (v4_only ? is_ipv4(a) : looks_like_ip(a)))
            return a;
    }
    return NULL;
}

json_t *host_deciding_evidence(json_t *host)
{
    json_t *rc = json_object_get(host, "root_cause");
    return json_array_get(json_object_get(rc, "evidence"), 0);
}

/* ---- time ----------------------------------------------------------------------------------- */

/* Seconds since the Epoch of a UTC date and time from 1970 on, by the expression POSIX gives
 * in its definition of "Seconds Since the Epoch" (XBD 4.16). */
static long long posix_epoch(int y, int mo, int d, int h, int mi, int s)
{
    static const int days_before_month[12] = {0,   31,  59,  90,  120, 151,
                                              181, 212, 243, 273, 304, 334};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    long long yday = days_before_month[mo - 1] + d - 1 + (leap && mo > 2);
    long long ty = y - 1900; /* tm_year */
    return s + mi * 60LL + h * 3600LL + yday * 86400 + (ty - 70) * 31536000 +
           ((ty - 69) / 4) * 86400 - ((ty - 1) / 100) * 86400 + ((ty + 299) / 400) * 86400;
}

/* Reads exactly `n` decimal digits at *s into *v; advances *s. Returns 0 or -1. */
static int read_digits(const char **s, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*s)[i];
        if (c < '0' || c > '9')
            return -1;
        *v = *v * 10 + (c - '0');
    }
    *s += n;
    return 0;
}

/* Reads an optional fraction ".ddd…" at *s as milliseconds; advances *s. */
static int read_fraction_ms(const char **s)
{
    int ms = 0, scale = 100;
    if (**s != '.' && **s != ',')
        return 0;
    (*s)++;
    while (**s >= '0' && **s <= '9') {
        ms += (**s - '0') * scale;
        scale /= 10;
        (*s)++;
    }
    return ms;
}

/* Reads an optional "Z", ±HH:MM or ±HHMM at *s as seconds east of UTC. Returns 0 or -1. */
static int read_offset(const char *s, long long *east)
{
    int hh, mm, sign;
    *east = 0;
    if (*s == '\0' || ((*s == 'Z' || *s == 'z') && s[1] == '\0'))
        return 0;
    if (*s != '+' && *s != '-')
        return -1;
    sign = *s++ == '-' ? -1 : 1;
    if (read_digits(&s, 2, &hh) != 0)
        return -1;
    if (*s == ':')
        s++;
    if (read_digits(&s, 2, &mm) != 0 || *s != '\0' || hh > 23 || mm > 59)
        return -1;
    *east = sign * (hh * 3600LL + mm * 60LL);
    return 0;
}

int iso8601_to_epoch_ms(const char *s, long long *ms)
{
    int y, mo, d, h, mi, sec;
    if (!s || read_digits(&s, 4, &y) || *s++ != '-' || read_digits(&s, 2, &mo) ||
        *s++ != '-' || read_digits(&s, 2, &d) || (*s != 'T' && *s != ' '))
        return -1;
    s++;
    if (read_digits(&s, 2, &h) || *s++ != ':' || read_digits(&s, 2, &mi) || *s++ != ':' ||
        read_digits(&s, 2, &sec))
        return -1;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return -1;
    int frac = read_fraction_ms(&s);
    long long east;
    if (read_offset(s, &east) != 0)
        return -1;
    long long secs = posix_epoch(y, mo, d, h, mi, sec) - east;
    *ms = secs * 1000 + frac;
    return 0;
}

char *format_utc_ms(long long ms, char *buf, size_t n)
{
    long long secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
    int frac = (int)(ms - secs * 1000);
    time_t t = (time_t)secs;
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        snprintf(buf, n, "1970-01-01T00:00:00.000Z");
        return buf;
    }
    char base[24];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, n, "%s.%03dZ", base, frac);
    return buf;
}

long long now_epoch_ms(void)
{
    /* SOURCE_DATE_EPOCH (the reproducible-builds convention, whole seconds) fixes "now", so
     * that two runs over logs without time stamps give the same events. */
    const char *fixed = getenv("SOURCE_DATE_EPOCH");
    if (fixed && *fixed) {
        char *end;
        long long sec = strtoll(fixed, &end, 10);
        if (!*end && sec >= 0 && sec < 253402300800LL) /* before year 10000 */
            return sec * 1000;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long host_event_time(json_t *host, long long now_ms)
{
    json_t *ev = host_deciding_evidence(host);
    const char *ev_file = ev ? rv_str(ev, "file") : NULL;
    json_int_t ev_line = json_integer_value(json_object_get(ev, "line"));
    long long in_file = 0, latest = 0, t;
    int have_in_file = 0, have_latest = 0;
    json_int_t best_line = 0;
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(host, "attempts"), i, a)
    {
        if (!json_is_true(json_object_get(a, "deciding")) ||
            iso8601_to_epoch_ms(json_string_value(json_object_get(a, "started")), &t) != 0)
            continue;
        if (!have_latest || t > latest) {
            latest = t;
            have_latest = 1;
        }
        json_int_t line = json_integer_value(json_object_get(a, "line"));
        if (ev_file && strcmp(rv_str(a, "file"), ev_file) == 0 && line <= ev_line &&
            (!have_in_file || line >= best_line)) {
            in_file = t;
            best_line = line;
            have_in_file = 1;
        }
    }
    return have_in_file ? in_file : have_latest ? latest : now_ms;
}

/* ---- verdict fields --------------------------------------------------------------------------- */

const char *outcome_ecs(const char *outcome)
{
    if (strcmp(outcome, "failed") == 0)
        return "failure";
    if (strcmp(outcome, "succeeded") == 0 || strcmp(outcome, "succeeded_with_warnings") == 0)
        return "success";
    return "unknown";
}

char *root_cause_code(json_t *rc, char *buf, size_t n)
{
    json_t *ids = json_object_get(rc, "error_ids");
    json_t *ec = json_object_get(rc, "exit_code");
    buf[0] = '\0';
    if (json_array_size(ids))
        snprintf(buf, n, "%lld", (long long)json_integer_value(json_array_get(ids, 0)));
    else if (json_is_integer(ec))
        snprintf(buf, n, "%lld", (long long)json_integer_value(ec));
    return buf;
}

char *host_message(json_t *host)
{
    json_t *rc = json_object_get(host, "root_cause");
    const char *name = rv_str(host, "host"), *outcome = rv_str(host, "outcome");
    const char *title = json_is_object(rc) ? rv_str(rc, "title") : "";
    size_t n = strlen(name) + strlen(outcome) + strlen(title) + 64;
    char *msg = malloc(n);
    if (!msg)
        return NULL;
    snprintf(msg, n, "Mobility Service installation on %s %s%s%s", name, outcome,
             *title ? ": " : "", title);
    return msg;
}

/* Severity scales by signature severity; the last two are for hosts with no root cause. */
static const host_severity severities[] = {
    {"error", 8, 3, "High"},
    {"warning", 5, 4, "Medium"},
    {"info", 3, 5, "Low"},
    {"unknown", 3, 5, "Low"},
    {"succeeded", 0, 6, "Informational"},
};

const host_severity *host_severity_of(json_t *host)
{
    json_t *rc = json_object_get(host, "root_cause");
    const char *outcome = rv_str(host, "outcome");
    const char *key = json_is_object(rc)                    ? rv_str(rc, "severity")
                      : strcmp(outcome, "failed") == 0      ? "error"
                      : strcmp(outcome, "unknown") == 0     ? "unknown"
                                                            : "succeeded";
    /* an installation that completed with warnings is never more than a warning, whatever
     * the severity of the signature that explains the warning */
    if (strcmp(outcome, "succeeded_with_warnings") == 0 && strcmp(key, "error") == 0)
        key = "warning";
    for (size_t i = 0; i < sizeof severities / sizeof severities[0]; i++)
        if (strcmp(severities[i].name, key) == 0)
            return &severities[i];
    return &severities[0]; /* a root cause with an unheard-of severity: treat it as an error */
}

const host_severity *template_severity(void)
{
    return &severities[1]; /* warning */
}

size_t utf8_prefix(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    size_t n = 0;
    for (;;) { /* whole characters, by the width their lead byte announces */
        unsigned char c = (unsigned char)s[n];
        size_t w = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        if (n + w > max)
            return n;
        n += w;
    }
}

/* ---- text assembly ----------------------------------------------------------------------------- */

/* A growing malloc'd string; `bad` records an allocation failure. */
typedef struct text_buf {
    char *s;
    size_t len, cap;
    int bad;
} text_buf;

/* Appends `n` bytes of `p` to the buffer (keeps it NUL-terminated). */
static void tb_add(text_buf *b, const char *p, size_t n)
{
    if (b->bad)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 128;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *q = realloc(b->s, cap);
        if (!q) {
            b->bad = 1;
            return;
        }
        b->s = q;
        b->cap = cap;
    }
    memcpy(b->s + b->len, p, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void tb_str(text_buf *b, const char *s)
{
    tb_add(b, s, strlen(s));
}

/* The finished string (never NULL unless out of memory); the buffer gives it up. */
static char *tb_take(text_buf *b)
{
    if (!b->bad && !b->s)
        tb_add(b, "", 0);
    if (b->bad) {
        free(b->s);
        return NULL;
    }
    return b->s;
}

/* Starts a new line in `b` unless it is still empty. */
static void tb_line(text_buf *b)
{
    if (b->len)
        tb_str(b, "\n");
}

char *remediation_text(json_t *rem)
{
    text_buf b = {0};
    const char *summary = rv_str(rem, "summary"), *ref = rv_str(rem, "reference");
    if (*summary)
        tb_str(&b, summary);
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(rem, "steps"), i, x)
    {
        char num[24];
        snprintf(num, sizeof num, "%zu. ", i + 1);
        tb_line(&b);
        tb_str(&b, num);
        tb_str(&b, json_string_value(x) ? json_string_value(x) : "");
    }
    json_array_foreach(json_object_get(rem, "commands"), i, x)
    {
        tb_line(&b);
        tb_str(&b, "$ ");
        tb_str(&b, json_string_value(x) ? json_string_value(x) : "");
    }
    if (*ref) {
        tb_line(&b);
        tb_str(&b, "Reference: ");
        tb_str(&b, ref);
    }
    return tb_take(&b);
}

char *join_values(json_t *arr, const char *sep)
{
    text_buf b = {0};
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x)
    {
        char num[32];
        if (i)
            tb_str(&b, sep);
        if (json_is_integer(x)) {
            snprintf(num, sizeof num, "%lld", (long long)json_integer_value(x));
            tb_str(&b, num);
        } else if (json_is_string(x)) {
            tb_str(&b, json_string_value(x));
        }
    }
    return tb_take(&b);
}

int put_event_lines(FILE *out, json_t *report, event_builder host_event,
                    event_builder template_event, size_t flags)
{
    long long now = now_epoch_ms();
    json_t *kinds[2] = {json_object_get(report, "hosts"), json_object_get(report, "unclassified")};
    event_builder build[2] = {host_event, template_event};
    for (int k = 0; k < 2; k++) {
        size_t i;
        json_t *x;
        json_array_foreach(kinds[k], i, x)
        {
            json_t *doc = build[k](x, report, now);
            int rc = doc ? json_dumpf(doc, out, flags) : -1;
            json_decref(doc);
            if (rc != 0 || fputc('\n', out) == EOF)
                return -1;
        }
    }
    return ferror(out) ? -1 : 0;
}
