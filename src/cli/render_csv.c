/*
 * render_csv.c — one row per host verdict, RFC 4180: comma separated, every record (the header
 * included) ends with CRLF, a field is quoted when it holds a comma, a double quote, CR or LF,
 * and a quote inside a quoted field is doubled. UTF-8, no byte order mark. List columns
 * (aliases, error_ids, ep_codes) are joined with ";"; the remediation steps and commands are
 * joined with LF inside their (quoted) field.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "render_common.h"

/* The columns, in order; README.md documents them. */
static const char *const csv_columns[] = {
    "host",          "host_source",       "aliases",           "os",
    "outcome",       "time",              "signature",         "title",
    "severity",      "family",            "error_ids",         "ep_codes",
    "exit_code",     "hresult",           "evidence_file",     "evidence_line",
    "evidence_text", "remediation_summary", "remediation_steps", "remediation_commands",
    "reference",
};
enum { CSV_N_COLUMNS = sizeof csv_columns / sizeof csv_columns[0] };

/* Writes one field, quoted only when RFC 4180 needs it. Returns 0 or -1. */
static int csv_field(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\r\n"))
        return fputs(s, out) == EOF ? -1 : 0;
    if (fputc('"', out) == EOF)
        return -1;
    for (; *s; s++)
        if ((*s == '"' && fputc('"', out) == EOF) || fputc(*s, out) == EOF)
            return -1;
    return fputc('"', out) == EOF ? -1 : 0;
}

/* Writes a record of `n` fields and its CRLF. Returns 0 or -1. */
static int csv_record(FILE *out, const char *const *fields, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((i && fputc(',', out) == EOF) || csv_field(out, fields[i] ? fields[i] : ""))
            return -1;
    return fputs("\r\n", out) == EOF ? -1 : 0;
}

/* A decimal integer member of `o` as text in `buf`, or "" when it is not an integer. */
static const char *int_text(json_t *o, const char *key, char *buf, size_t n)
{
    json_t *v = json_object_get(o, key);
    buf[0] = '\0';
    if (json_is_integer(v))
        snprintf(buf, n, "%lld", (long long)json_integer_value(v));
    return buf;
}

/* Writes the row of one host. Returns 0 or -1. */
static int csv_host(FILE *out, json_t *h, long long now_ms)
{
    json_t *rc = json_object_get(h, "root_cause");
    json_t *ev = host_deciding_evidence(h), *rem = json_object_get(rc, "remediation");
    char ts[40], exit_code[32], line[32];
    char *owned[5] = {
        join_values(json_object_get(h, "aliases"), ";"),
        join_values(json_object_get(rc, "error_ids"), ";"),
        join_values(json_object_get(rc, "ep_codes"), ";"),
        join_values(json_object_get(rem, "steps"), "\n"),
        join_values(json_object_get(rem, "commands"), "\n"),
    };
    const char *row[CSV_N_COLUMNS] = {
        rv_str(h, "host"),         rv_str(h, "host_source"),
        owned[0],                  rv_str(h, "os"),
        rv_str(h, "outcome"),      format_utc_ms(host_event_time(h, now_ms), ts, sizeof ts),
        rv_str(rc, "signature"),   rv_str(rc, "title"),
        rv_str(rc, "severity"),    rv_str(rc, "family"),
        owned[1],                  owned[2],
        int_text(rc, "exit_code", exit_code, sizeof exit_code), rv_str(rc, "hresult"),
        rv_str(ev, "file"),        int_text(ev, "line", line, sizeof line),
        rv_str(ev, "text"),        rv_str(rem, "summary"),
        owned[3],                  owned[4],
        rv_str(rem, "reference"),
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof owned / sizeof owned[0]; i++)
        bad |= owned[i] == NULL;
    bad = bad || csv_record(out, row, CSV_N_COLUMNS);
    for (size_t i = 0; i < sizeof owned / sizeof owned[0]; i++)
        free(owned[i]);
    return bad ? -1 : 0;
}

int render_csv(FILE *out, json_t *report)
{
    long long now = now_epoch_ms();
    if (csv_record(out, csv_columns, CSV_N_COLUMNS) != 0)
        return -1;
    size_t i;
    json_t *h;
    json_array_foreach(json_object_get(report, "hosts"), i, h)
    {
        if (csv_host(out, h, now) != 0)
            return -1;
    }
    return ferror(out) ? -1 : 0;
}
