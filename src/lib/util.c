/*
 * util.c — buffers, strings and time stamps.
 */
#include "util.h"

#include "decode.h" /* asr_utf8_len */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

asr_error asr_buf_reserve(asr_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return ASR_OK;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) {
        if (cap > SIZE_MAX / 2)
            return ASR_ERR_NOMEM;
        cap *= 2;
    }
    char *p = realloc(b->data, cap);
    if (!p)
        return ASR_ERR_NOMEM;
    b->data = p;
    b->cap = cap;
    return ASR_OK;
}

asr_error asr_buf_append(asr_buf *b, const void *p, size_t n)
{
    asr_error err = asr_buf_reserve(b, n);
    if (err)
        return err;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return ASR_OK;
}

void asr_buf_free(asr_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void *asr_grow(void *p, size_t *cap, size_t elem, size_t first)
{
    size_t n = *cap ? *cap * 2 : first;
    if (n < *cap || n > SIZE_MAX / elem)
        return NULL;
    void *q = realloc(p, n * elem);
    if (q)
        *cap = n;
    return q;
}

char *asr_strdup(const char *s)
{
    return s ? asr_strndup(s, strlen(s)) : NULL;
}

char *asr_strndup(const char *s, size_t n)
{
    if (!s)
        return NULL;
    char *p = malloc(n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *asr_lower(char *s)
{
    for (char *p = s; p && *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return s;
}

int asr_strcasecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int ca = tolower((unsigned char)*a), cb = tolower((unsigned char)*b);
        if (ca != cb || !ca)
            return ca - cb;
    }
}

const char *asr_memmem(const char *hay, size_t hay_len, const char *needle, size_t needle_len)
{
    if (needle_len == 0)
        return hay;
    if (needle_len > hay_len)
        return NULL;
    const char *end = hay + hay_len - needle_len + 1;
    for (const char *p = hay; p < end; p++) {
        p = memchr(p, needle[0], (size_t)(end - p));
        if (!p)
            return NULL;
        if (memcmp(p, needle, needle_len) == 0)
            return p;
    }
    return NULL;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* Fills `out` from broken-down fields; returns 0 when a field is out of range. */
static int set_time(asr_time *out, int y, int mo, int d, int h, int mi, int s, const char *offset)
{
    if (y < 1970 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 ||
        mi < 0 || mi > 59 || s < 0 || s > 60)
        return 0;
    out->valid = 1;
    out->civil = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + s;
    snprintf(out->iso, sizeof out->iso, "%04d-%02d-%02dT%02d:%02d:%02d%s", y, mo, d, h, mi, s,
             offset ? offset : "");
    out->has_offset = offset && *offset;
    out->offset = 0;
    if (out->has_offset && offset[0] != 'Z') {
        int64_t oh = (offset[1] - '0') * 10 + (offset[2] - '0');
        int64_t om = (offset[4] - '0') * 10 + (offset[5] - '0');
        out->offset = (offset[0] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    }
    return 1;
}

int asr_time_cmp(const asr_time *a, const asr_time *b)
{
    int64_t x = a->civil, y = b->civil;
    if (a->has_offset && b->has_offset) {
        x -= a->offset;
        y -= b->offset;
    }
    return (x > y) - (x < y);
}

/* Reads an unsigned decimal of 1..maxd digits at s[*i]; returns -1 when none. */
static int read_num(const char *s, size_t n, size_t *i, int maxd)
{
    int v = 0, k = 0;
    while (*i < n && k < maxd && isdigit((unsigned char)s[*i])) {
        v = v * 10 + (s[*i] - '0');
        (*i)++;
        k++;
    }
    return k ? v : -1;
}

/* Expects character c at s[*i] and moves past it. */
static int expect(const char *s, size_t n, size_t *i, char c)
{
    if (*i < n && s[*i] == c) {
        (*i)++;
        return 1;
    }
    return 0;
}

/* Skips spaces. */
static void skip_spaces(const char *s, size_t n, size_t *i)
{
    while (*i < n && s[*i] == ' ')
        (*i)++;
}

/* Parses "HH:MM:SS" at s[*i]. */
static int read_clock(const char *s, size_t n, size_t *i, int *h, int *mi, int *sec)
{
    *h = read_num(s, n, i, 2);
    if (*h < 0 || !expect(s, n, i, ':'))
        return 0;
    *mi = read_num(s, n, i, 2);
    if (*mi < 0 || !expect(s, n, i, ':'))
        return 0;
    *sec = read_num(s, n, i, 2);
    return *sec >= 0;
}

/* ISO "YYYY-MM-DDTHH:MM:SS[.fffffff][Z|±hh:mm]". */
static int parse_iso(const char *s, size_t n, asr_time *out)
{
    size_t i = 0;
    int y = read_num(s, n, &i, 4), mo, d, h, mi, sec;
    if (i != 4 || !expect(s, n, &i, '-'))
        return 0;
    mo = read_num(s, n, &i, 2);
    if (mo < 0 || !expect(s, n, &i, '-'))
        return 0;
    d = read_num(s, n, &i, 2);
    if (d < 0 || !expect(s, n, &i, 'T') || !read_clock(s, n, &i, &h, &mi, &sec))
        return 0;
    if (expect(s, n, &i, '.'))
        while (i < n && isdigit((unsigned char)s[i]))
            i++;
    char offset[8] = "";
    if (i < n && s[i] == 'Z') {
        strcpy(offset, "Z");
    } else if (i + 6 <= n && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
        memcpy(offset, s + i, 6);
        offset[6] = '\0';
    }
    return set_time(out, y, mo, d, h, mi, sec, offset);
}

/* "a<sep>b<sep>YYYY HH:MM:SS" with one or two spaces; day_first selects d/m order. */
static int parse_numeric_date(const char *s, size_t n, char sep, int day_first, asr_time *out)
{
    size_t i = 0;
    int a = read_num(s, n, &i, 2), b, y, h, mi, sec;
    if (a < 0 || !expect(s, n, &i, sep))
        return 0;
    b = read_num(s, n, &i, 2);
    if (b < 0 || !expect(s, n, &i, sep))
        return 0;
    size_t ys = i;
    y = read_num(s, n, &i, 4);
    if (i - ys != 4)
        return 0;
    skip_spaces(s, n, &i);
    if (!read_clock(s, n, &i, &h, &mi, &sec))
        return 0;
    return day_first ? set_time(out, y, b, a, h, mi, sec, NULL)
                     : set_time(out, y, a, b, h, mi, sec, NULL);
}

int asr_time_parse(const char *s, size_t n, asr_time *out)
{
    memset(out, 0, sizeof *out);
    if (n >= 19 && s[4] == '-' && s[10] == 'T')
        return parse_iso(s, n, out);
    if (parse_numeric_date(s, n, '/', 0, out))
        return 1;
    if (parse_numeric_date(s, n, '.', 1, out))
        return 1;
    if (parse_numeric_date(s, n, '-', 0, out))
        return 1;
    memset(out, 0, sizeof *out);
    return 0;
}

/* Are s[0..n) all digits? */
static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* Two-digit number at s. */
static int two(const char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

size_t asr_name_time_prefix(const char *name, asr_time *out)
{
    size_t n = strlen(name);
    asr_time t;
    memset(&t, 0, sizeof t);
    /* Backup\<yyyy-MM-dd-HH-mm-ss><name> */
    if (n > 19 && all_digits(name, 4) && name[4] == '-' && all_digits(name + 5, 2) &&
        name[7] == '-' && all_digits(name + 8, 2) && name[10] == '-' && all_digits(name + 11, 2) &&
        name[13] == '-' && all_digits(name + 14, 2) && name[16] == '-' &&
        all_digits(name + 17, 2)) {
        if (!set_time(&t, two(name) * 100 + two(name + 2), two(name + 5), two(name + 8),
                      two(name + 11), two(name + 14), two(name + 17), NULL))
            return 0;
        if (out)
            *out = t;
        return 19;
    }
    /* UploadedLogs\<yyMMdd-HHmmss><name> (UTC) */
    if (n > 13 && all_digits(name, 6) && name[6] == '-' && all_digits(name + 7, 6)) {
        if (!set_time(&t, 2000 + two(name), two(name + 2), two(name + 4), two(name + 7),
                      two(name + 9), two(name + 11), "Z"))
            return 0;
        if (out)
            *out = t;
        return 13;
    }
    return 0;
}

char *asr_strdup_name(const char *s)
{
    if (!s)
        return NULL;
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    char *out = malloc(4 * n + 1);
    if (!out)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        size_t len = asr_utf8_len(p + i, n - i);
        if (len == 0) {
            k += (size_t)sprintf(out + k, "\\x%02x", p[i]);
            i++;
            continue;
        }
        memcpy(out + k, p + i, len);
        k += len;
        i += len;
    }
    out[k] = '\0';
    /* room for four bytes per byte was taken in case every byte needed escaping; names are
     * kept for the whole run, so give back what was not used */
    char *fit = realloc(out, k + 1);
    return fit ? fit : out;
}
