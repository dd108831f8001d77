/*
 * partial_io.c — partial result files: `asrlog scan --partial FILE` writes one, `asrlog merge`
 * reads several. The format (docs/partial-format.md) is JSON lines:
 *
 *   {"asrlog_partial": 1, "asrlog_version": "…", "catalog_hash": "…", "signatures": N}
 *   {"input": {…}}                 one per input, as asr_analysis_input_json() gives it
 *   {"end": {"inputs": N}}         written last: a file without it was cut short
 *
 * Lines make a damaged file readable up to the damage, and let tools (grep, jq) look inside.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Writes one compact JSON line; steals `o`. 0, or -1 on failure. */
static int put_line(FILE *out, json_t *o)
{
    int rc = o && json_dumpf(o, out, JSON_COMPACT) == 0 && fputc('\n', out) != EOF ? 0 : -1;
    json_decref(o);
    return rc;
}

int partial_write(const char *file, const asr_catalog *cat, const asr_analysis *an)
{
    atomic_file af = {0};
    int e = atomic_open(&af, file, 0);
    if (e) {
        fprintf(stderr, "asrlog: cannot write %s: %s\n", file, strerror(e));
        return EXIT_OUTPUT;
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    int rc = mem ? 0 : -1;
    size_t n = asr_analysis_count(an);
    if (!rc)
        rc = put_line(mem, json_pack("{s:i, s:s, s:s, s:I}", "asrlog_partial", PARTIAL_FORMAT,
                                     "asrlog_version", ASRLOG_VERSION, "catalog_hash",
                                     asr_catalog_hash(cat), "signatures",
                                     (json_int_t)asr_catalog_count(cat)));
    for (size_t i = 0; i < n && !rc; i++) {
        json_t *in = NULL;
        rc = asr_analysis_input_json(an, i, &in) == ASR_OK ? 0 : -1;
        if (!rc)
            rc = put_line(mem, json_pack("{s:o}", "input", in));
    }
    if (!rc)
        rc = put_line(mem, json_pack("{s:{s:I}}", "end", "inputs", (json_int_t)n));
    if (mem && fclose(mem) != 0)
        rc = -1;
    if (rc) {
        free(buf);
        atomic_abort(&af);
        fprintf(stderr, "asrlog scan: out of memory while writing %s\n", file);
        return EXIT_INTERNAL;
    }
    e = atomic_commit(&af, buf, len);
    free(buf);
    if (e) {
        fprintf(stderr, "asrlog: cannot write %s: %s\n", file, strerror(e));
        return EXIT_OUTPUT;
    }
    return 0;
}

/* Checks the header line of a partial file against the catalogue. 0, or -1 with `why`. */
static int check_header(json_t *h, const asr_catalog *cat, char *why, size_t size)
{
    json_t *fmt = json_object_get(h, "asrlog_partial");
    const char *hash = json_string_value(json_object_get(h, "catalog_hash"));
    const char *ver = json_string_value(json_object_get(h, "asrlog_version"));
    if (!json_is_integer(fmt)) {
        snprintf(why, size, "not an asrlog partial result (make one with asrlog scan --partial)");
        return -1;
    }
    if (json_integer_value(fmt) != PARTIAL_FORMAT) {
        snprintf(why, size, "partial format %lld; this asrlog reads format %d",
                 (long long)json_integer_value(fmt), PARTIAL_FORMAT);
        return -1;
    }
    if (!hash || strcmp(hash, asr_catalog_hash(cat)) != 0) {
        snprintf(why, size,
                 "written by asrlog %s with another signature catalogue (%s, here %s): merge "
                 "with the same asrlog and the same --patterns as the scans",
                 ver ? ver : "?", hash ? hash : "?", asr_catalog_hash(cat));
        return -1;
    }
    return 0;
}

/* Lists the partial file itself as an unreadable input, with `why`. */
static int list_damaged(asr_analysis *an, const char *file, const char *why)
{
    const char *base = strrchr(file, '/');
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:[]}", "path", file,
                          "base_name", base ? base + 1 : file, "status", "unreadable", "reason",
                          why, "log_type", "unknown", "bytes_in", 0, "bytes", 0, "lines", 0,
                          "hits");
    asr_diag d = {""};
    asr_error err = o ? asr_analysis_add_json(an, o, &d) : ASR_ERR_NOMEM;
    json_decref(o);
    return err == ASR_OK ? 0 : -1;
}

int partial_read(const char *file, const asr_catalog *cat, asr_analysis *an)
{
    FILE *f = fopen(file, "r");
    if (!f) {
        fprintf(stderr, "asrlog merge: cannot read %s: %s\n", file, strerror(errno));
        return EXIT_USAGE;
    }
    char *line = NULL, why[1200] = "";
    size_t cap = 0, inputs = 0;
    ssize_t n;
    unsigned long no = 0;
    int rc = 0, ended = 0;
    while (!rc && !ended && (n = getline(&line, &cap, f)) >= 0) {
        no++;
        json_error_t jerr;
        json_t *o = json_loadb(line, (size_t)n, 0, &jerr);
        json_t *in = json_object_get(o, "input"), *end = json_object_get(o, "end");
        asr_diag d = {""};
        if (!json_is_object(o)) {
            if (no == 1)
                snprintf(why, sizeof why, "%s: not an asrlog partial result (line 1 is not "
                         "JSON)", file);
            else
                snprintf(why, sizeof why, "line %lu: not JSON (%s)", no, jerr.text);
            rc = no == 1 ? EXIT_USAGE : EXIT_UNREADABLE;
        } else if (no == 1) {
            char msg[600];
            if (check_header(o, cat, msg, sizeof msg) != 0) {
                snprintf(why, sizeof why, "%s: %s", file, msg);
                rc = EXIT_USAGE;
            }
        } else if (in) {
            asr_error err = asr_analysis_add_json(an, in, &d);
            if (err == ASR_ERR_NOMEM)
                rc = EXIT_INTERNAL;
            else if (err) {
                snprintf(why, sizeof why, "line %lu: %s", no, d.text);
                rc = EXIT_UNREADABLE;
            }
            inputs++;
        } else if (end) {
            json_t *cnt = json_object_get(end, "inputs");
            if (!json_is_integer(cnt) || (size_t)json_integer_value(cnt) != inputs) {
                snprintf(why, sizeof why, "line %lu: the end line counts %lld inputs, the file "
                         "holds %zu", no, (long long)json_integer_value(cnt), inputs);
                rc = EXIT_UNREADABLE;
            }
            ended = 1;
        } else {
            snprintf(why, sizeof why, "line %lu: neither \"input\" nor \"end\"", no);
            rc = EXIT_UNREADABLE;
        }
        json_decref(o);
    }
    if (!rc && !ended) {
        if (no)
            snprintf(why, sizeof why, "cut short after line %lu (no end line); the inputs "
                     "before it were merged", no);
        else
            snprintf(why, sizeof why, "%s: empty file, not a partial result", file);
        rc = no ? EXIT_UNREADABLE : EXIT_USAGE;
    }
    free(line);
    fclose(f);
    if (rc == EXIT_UNREADABLE) /* the inputs before the damage count; the file is listed */
        return list_damaged(an, file, why) == 0 ? EXIT_UNREADABLE : EXIT_INTERNAL;
    if (rc == EXIT_USAGE)
        fprintf(stderr, "asrlog merge: %s\n", why);
    else if (rc == EXIT_INTERNAL)
        fprintf(stderr, "asrlog merge: out of memory reading %s\n", file);
    return rc;
}
