/*
 * fuzz_scan.c — libFuzzer harness for scanning and classification: arbitrary bytes go through
 * asr_input_new / asr_input_feed / asr_input_end with the built-in catalogue, then
 * asr_analysis_report builds the verdicts.
 *
 * Input layout (4 header bytes, then the log bytes):
 *   byte 0   bits 0-3: the file name of the first input (a known log name picks its log type;
 *            the last one is unknown, so the type is guessed from the content);
 *            bit 4: a --host argument; bit 5: a per-host folder; bit 6: a 4 KiB decoded size
 *            limit; bit 7: the bytes are shared between two inputs of the same analysis.
 *   byte 1   how the bytes are cut into feed calls (as in fuzz_decode.c).
 *   byte 2   bits 0-3: the file name of the second input (when there is one).
 *   byte 3   where the bytes are split between the two inputs, in 256ths.
 *
 * The catalogue is compiled once, in LLVMFuzzerInitialize. Properties checked for every input:
 * the report is a JSON object that survives a dump and a reload, lists every input under its
 * path with a known status, counts its hosts consistently in the summary, gives each host a
 * known outcome, and points every evidence line at an input and a line that exists; and it is
 * the same report as when each input's bytes are fed in one call (but for the raw byte count
 * of an input that an error stopped).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asrlog.h"
#include "builtin.h"
#include "fuzz.h"
#include "fuzz_builtin.h"

static asr_catalog *catalog;
static asr_scanner *scanner;

/* File names that byte 0 / byte 2 choose from: every log type, name prefixes, unknown. */
static const char *const names[16] = {
    "ASRUnifiedAgentInstaller.log",
    "ASRUnifiedAgentConfigurator.log",
    "WrapperUnifiedAgent.log",
    "UnifiedAgentMSIInstall.log",
    "MobilityServiceValidations.log",
    "UA_InstallLogFile.log",
    "InstallerErrors.json",
    "ua_install.log",
    "PushInstallService.log",
    "PIVerbose_12da684d-ae48-9c5d-5e48-9b417301d9e7_2023_5_3_9_12_58.log",
    "stdout.txt",
    "configurator_register_host_static_info.log",
    "WEB01_ASRUnifiedAgentInstaller.log.gz",
    "230503-070907ASRUnifiedAgentInstaller.log",
    "2023-05-03-09-07-45ASRUnifiedAgentInstaller.log",
    "notes.txt",
};

static const size_t chunk_sizes[8] = {1, 3, 17, 255, 4096, 65536, 1u << 20, (size_t)-1};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_load_builtin("fuzz_scan", &catalog, &scanner);
    return 0;
}

/* feed_input — reads in[0..n) as one input named `name`, cut by `how`; adds it to `an`. */
static void feed_input(asr_analysis *an, const char *name, unsigned char flags, unsigned char how,
                       const unsigned char *in, size_t n)
{
    char path[160];
    snprintf(path, sizeof path, "fuzz/%s", name);
    asr_input_info info = {path, (flags & 0x10) ? "ArgHost" : NULL,
                           (flags & 0x20) ? "folderhost" : NULL, (flags & 0x40) ? 4096 : 0};
    asr_input *in_obj = NULL;
    FUZZ_CHECK(asr_input_new(scanner, &info, &in_obj) == ASR_OK);
    size_t chunk = chunk_sizes[how & 7], at = 0;
    while (at < n) {
        size_t k = chunk < n - at ? chunk : n - at;
        asr_error err = asr_input_feed(in_obj, in + at, k);
        at += k;
        if (err != ASR_OK) {
            FUZZ_CHECK(err == ASR_ERR_DECODE || err == ASR_ERR_LIMIT);
            break;
        }
    }
    asr_error err = asr_input_end(in_obj);
    FUZZ_CHECK(err == ASR_OK || err == ASR_ERR_DECODE || err == ASR_ERR_LIMIT);
    FUZZ_CHECK(asr_analysis_add(an, in_obj) == ASR_OK);
}

/* is_one_of — is `s` (may be NULL) one of the NULL-terminated `set`? */
static int is_one_of(const char *s, const char *const *set)
{
    for (size_t i = 0; s && set[i]; i++)
        if (strcmp(s, set[i]) == 0)
            return 1;
    return 0;
}

/* lines_of — the "lines" count of the input at `path` in the report, or -1 when not listed. */
static json_int_t lines_of(json_t *inputs, const char *path)
{
    size_t i;
    json_t *in;
    json_array_foreach(inputs, i, in)
    {
        if (strcmp(json_string_value(json_object_get(in, "path")), path) == 0)
            return json_integer_value(json_object_get(in, "lines"));
    }
    return -1;
}

/* check_evidence — every evidence item names a listed input and a line inside it. */
static void check_evidence(json_t *inputs, json_t *evidence)
{
    size_t i;
    json_t *ev;
    json_array_foreach(evidence, i, ev)
    {
        const char *file = json_string_value(json_object_get(ev, "file"));
        json_int_t line = json_integer_value(json_object_get(ev, "line"));
        FUZZ_CHECK(file != NULL && json_is_string(json_object_get(ev, "text")));
        json_int_t lines = lines_of(inputs, file);
        FUZZ_CHECK(lines >= 0);
        FUZZ_CHECK(line >= 1 && line <= lines);
    }
}

/* check_report — the properties listed at the top of this file. */
static void check_report(json_t *report, const char *const *paths, size_t n_paths)
{
    static const char *const statuses[] = {"analyzed", "skipped", "unreadable", NULL};
    static const char *const outcomes[] = {"failed", "succeeded", "succeeded_with_warnings",
                                           "unknown", NULL};
    FUZZ_CHECK(json_is_object(report));
    json_t *inputs = json_object_get(report, "inputs");
    FUZZ_CHECK(json_array_size(inputs) == n_paths);
    for (size_t i = 0; i < n_paths; i++) {
        json_t *in = json_array_get(inputs, i);
        FUZZ_CHECK(lines_of(inputs, paths[i]) >= 0);
        FUZZ_CHECK(is_one_of(json_string_value(json_object_get(in, "status")), statuses));
        json_t *reason = json_object_get(in, "reason");
        FUZZ_CHECK(json_is_null(reason) || json_string_length(reason) > 0);
    }
    json_t *hosts = json_object_get(report, "hosts");
    json_t *summary = json_object_get(report, "summary");
    FUZZ_CHECK(json_is_array(hosts) && json_is_object(summary));
    json_int_t counted = 0;
    for (size_t k = 0; outcomes[k]; k++)
        counted += json_integer_value(json_object_get(summary, outcomes[k]));
    FUZZ_CHECK(counted == (json_int_t)json_array_size(hosts));
    FUZZ_CHECK(json_integer_value(json_object_get(summary, "hosts")) == counted);
    size_t i;
    json_t *h;
    json_array_foreach(hosts, i, h)
    {
        FUZZ_CHECK(json_string_length(json_object_get(h, "host")) > 0);
        FUZZ_CHECK(is_one_of(json_string_value(json_object_get(h, "outcome")), outcomes));
        json_t *rc = json_object_get(h, "root_cause");
        FUZZ_CHECK(json_is_null(rc) || json_is_string(json_object_get(rc, "signature")));
        if (!json_is_null(rc))
            check_evidence(inputs, json_object_get(rc, "evidence"));
    }
    /* the document survives a dump and a reload (jansson refuses invalid UTF-8 on load) */
    char *text = json_dumps(report, JSON_COMPACT);
    FUZZ_CHECK(text != NULL);
    json_error_t jerr;
    json_t *again = json_loads(text, 0, &jerr);
    FUZZ_CHECK(again != NULL);
    FUZZ_CHECK(json_equal(again, report));
    json_decref(again);
    free(text);
}

/* forget_bytes_of_stopped — drops "bytes" from inputs that an error stopped (they carry a
 * reason): it counts the raw bytes handed over up to the feed call that failed, so it depends
 * on how the caller cut its reads. */
static void forget_bytes_of_stopped(json_t *report)
{
    size_t i;
    json_t *in;
    json_array_foreach(json_object_get(report, "inputs"), i, in)
    {
        if (!json_is_null(json_object_get(in, "reason")))
            json_object_del(in, "bytes");
    }
}

/* analyse — the report of body[0..split) read as `first` and, when flags say so,
 * body[split..n) as `second`, cut into feed calls as `how` says. */
static json_t *analyse(unsigned char flags, unsigned char how, const char *first,
                       const char *second, const unsigned char *body, size_t split, size_t n)
{
    asr_analysis *an = NULL;
    FUZZ_CHECK(asr_analysis_new(catalog, &an) == ASR_OK);
    feed_input(an, first, flags, how, body, split);
    if (flags & 0x80)
        feed_input(an, second, flags, how >> 3, body + split, n - split);
    json_t *report = NULL;
    FUZZ_CHECK(asr_analysis_report(an, &report) == ASR_OK);
    asr_analysis_free(an);
    return report;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    unsigned char flags = data[0], how = data[1];
    const unsigned char *body = data + 4;
    size_t n = size - 4;
    size_t split = (flags & 0x80) ? n * data[3] / 256 : n;
    const char *first = names[flags & 15], *second = names[data[2] & 15];
    if (strcmp(first, second) == 0)
        second = "second-input.log"; /* two inputs with one path would be one input listed twice */
    const char *paths[2];
    char p0[160], p1[160];
    snprintf(p0, sizeof p0, "fuzz/%s", first);
    snprintf(p1, sizeof p1, "fuzz/%s", second);
    paths[0] = p0;
    paths[1] = p1;

    json_t *report = analyse(flags, how, first, second, body, split, n);
    check_report(report, paths, (flags & 0x80) ? 2 : 1);
    /* the same bytes fed in one call each give the same report ("any split") */
    json_t *whole = analyse(flags, 7 | (7 << 3), first, second, body, split, n);
    forget_bytes_of_stopped(report);
    forget_bytes_of_stopped(whole);
    if (!json_equal(report, whole)) {
        char *a = json_dumps(report, JSON_COMPACT), *b = json_dumps(whole, JSON_COMPACT);
        fprintf(stderr, "cut:\n%s\nwhole:\n%s\n", a ? a : "?", b ? b : "?");
        free(a);
        free(b);
    }
    FUZZ_CHECK(json_equal(report, whole));
    json_decref(whole);
    json_decref(report);
    return 0;
}
