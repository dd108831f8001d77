/*
 * fuzz_pieces.c — libFuzzer harness for reading one file in pieces (asr_input_splittable,
 * asr_input_new_part, asr_input_merge), against reading it in one pass.
 *
 * Input layout (2 header bytes, then the file's bytes):
 *   byte 0   bits 0-3: the file name (the table of fuzz_scan.c); bit 4: a --host argument.
 *   byte 1   bits 0-1: 2 to 5 pieces; bits 2-4: how each piece is cut into feed calls.
 *
 * When asr_input_splittable() accepts the file's head, the file is cut the way the command
 * line cuts it (piece k starts after the first "\n" at or after size * k / pieces, and after
 * the first 256 bytes; a piece in which no line starts is empty), piece 0 is told the file's head (asr_input_set_head), every
 * later piece is read as asr_input_new_part() with it, and the pieces are merged in order.
 * Property checked, as asrlog.h promises: the report is exactly the one of a single pass over
 * the whole file.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asrlog.h"
#include "builtin.h"
#include "fuzz.h"
#include "fuzz_builtin.h"

#define HEAD_MAX (256u * 1024u) /* what the command line hands asr_input_new_part as the head */
#define FIRST_PIECE_MIN 256u     /* piece 0 holds the bytes the encoding is decided on */

static asr_catalog *catalog;
static asr_scanner *scanner;

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
    "WEB01_ASRUnifiedAgentInstaller.log",
    "230503-070907ASRUnifiedAgentInstaller.log",
    "2023-05-03-09-07-45ASRUnifiedAgentInstaller.log",
    "notes.txt",
};

static const size_t chunk_sizes[8] = {1, 2, 7, 64, 255, 4096, 65536, (size_t)-1};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_load_builtin("fuzz_pieces", &catalog, &scanner);
    return 0;
}

/* feed_all — feeds in[0..n) to `in` in calls of `chunk` bytes, then ends it. */
static void feed_all(asr_input *in, const unsigned char *p, size_t n, size_t chunk)
{
    for (size_t at = 0; at < n;) {
        size_t k = chunk < n - at ? chunk : n - at;
        if (asr_input_feed(in, p + at, k) != ASR_OK)
            break;
        at += k;
    }
    asr_error err = asr_input_end(in);
    FUZZ_CHECK(err == ASR_OK || err == ASR_ERR_DECODE || err == ASR_ERR_LIMIT);
}

/* piece_start — where piece k of `pieces` begins in p[0..n): after the first '\n' at or after
 * n * k / pieces, but not within the first FIRST_PIECE_MIN bytes, which piece 0 must hold
 * (asrlog.h; the command line's pieces are 4 KiB or more) — 0 for piece 0, n when no newline
 * follows. */
static size_t piece_start(const unsigned char *p, size_t n, unsigned k, unsigned pieces)
{
    if (k == 0)
        return 0;
    if (k >= pieces)
        return n;
    size_t at = n * k / pieces;
    at = (at < FIRST_PIECE_MIN ? FIRST_PIECE_MIN : at) - 1;
    if (at >= n)
        return n;
    const unsigned char *nl = memchr(p + at, '\n', n - at);
    return nl ? (size_t)(nl - p) + 1 : n;
}

/* report_of — the report of an analysis holding the single input `in` (taken over). */
static json_t *report_of(asr_input *in)
{
    asr_analysis *an = NULL;
    json_t *report = NULL;
    FUZZ_CHECK(asr_analysis_new(catalog, &an) == ASR_OK);
    FUZZ_CHECK(asr_analysis_add(an, in) == ASR_OK);
    FUZZ_CHECK(asr_analysis_report(an, &report) == ASR_OK);
    asr_analysis_free(an);
    return report;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const unsigned char *file = data + 2;
    size_t n = size - 2;
    if (!asr_input_splittable(file, n))
        return 0;
    char path[160];
    snprintf(path, sizeof path, "fuzz/%s", names[data[0] & 15]);
    asr_input_info info = {path, (data[0] & 0x10) ? "ArgHost" : NULL, NULL, 0};
    unsigned pieces = 2 + (data[1] & 3);
    size_t chunk = chunk_sizes[(data[1] >> 2) & 7];

    asr_input *whole = NULL;
    FUZZ_CHECK(asr_input_new(scanner, &info, &whole) == ASR_OK);
    feed_all(whole, file, n, (size_t)-1);
    json_t *expected = report_of(whole);

    asr_input *merged = NULL;
    size_t head_len = n < HEAD_MAX ? n : HEAD_MAX;
    FUZZ_CHECK(asr_input_new(scanner, &info, &merged) == ASR_OK);
    FUZZ_CHECK(asr_input_set_head(merged, file, head_len) == ASR_OK);
    feed_all(merged, file, piece_start(file, n, 1, pieces), chunk);
    for (unsigned k = 1; k < pieces; k++) {
        size_t from = piece_start(file, n, k, pieces), to = piece_start(file, n, k + 1, pieces);
        asr_input *part = NULL;
        FUZZ_CHECK(asr_input_new_part(scanner, &info, file, head_len, &part) == ASR_OK);
        feed_all(part, file + from, to - from, chunk);
        FUZZ_CHECK(asr_input_merge(merged, part) == ASR_OK);
    }
    json_t *got = report_of(merged);
    if (!json_equal(expected, got)) {
        char *a = json_dumps(expected, JSON_COMPACT), *b = json_dumps(got, JSON_COMPACT);
        fprintf(stderr, "one pass:\n%s\nin %u pieces:\n%s\n", a ? a : "?", pieces, b ? b : "?");
        free(a);
        free(b);
    }
    FUZZ_CHECK(json_equal(expected, got));
    json_decref(expected);
    json_decref(got);
    return 0;
}
