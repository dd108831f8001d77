/*
 * fuzz_cache.c — libFuzzer harness for loading a compiled-catalogue cache blob
 * (asr_catalog_open with a find_blob callback): a cache file is read from disk and never
 * trusted.
 *
 * A small built-in family file is the catalogue (it compiles in milliseconds, so a refused
 * blob, which means "compile again", stays cheap). Initialisation saves its valid blob.
 * Input layout:
 *   byte 0   bits 0-1: how the blob is made,
 *              0  the rest of the input is the whole blob (header checks);
 *              1  the valid header and database, then the rest as the signature table, with
 *                 length and CRC fixed up (reaches the record parser);
 *              2  the valid blob with the rest XORed into it from an offset taken from the
 *                 next two bytes, length and CRC fixed up (reaches the database too);
 *            bit 2: the catalogue points into the blob (db_blob_keep) or copies it.
 *   rest     as above.
 * Properties checked: loading always succeeds (a refused blob is compiled again) and says
 * why it refused; a catalogue read from a blob scans a few real lines and builds a report
 * that serialises as JSON.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "asrlog.h"
#include "builtin.h"
#include "fuzz.h"

#define HDR_LEN 56u /* catalog_cache.c: magic, format, key, payload length, CRC */

static asr_source family;      /* the smallest built-in family file */
static unsigned char *good;    /* its valid blob */
static size_t good_len, prefix_len; /* prefix: header + database, before the signatures */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    size_t best = 0;
    for (size_t i = 1; i < asr_builtin_catalog_count; i++)
        if (asr_builtin_catalog[i].len < asr_builtin_catalog[best].len)
            best = i;
    family = asr_builtin_catalog[best];
    asr_catalog *cat = NULL;
    asr_diag diag = {""};
    void *blob = NULL;
    if (asr_catalog_load(&family, 1, 1, &cat, &diag) != ASR_OK ||
        asr_catalog_save_db(cat, &blob, &good_len) != ASR_OK) {
        fprintf(stderr, "fuzz_cache: cannot make a blob: %s\n", diag.text);
        abort();
    }
    good = blob;
    uint64_t db = 0;
    for (int i = 7; i >= 0; i--)
        db = (db << 8) | good[HDR_LEN + (size_t)i];
    prefix_len = HDR_LEN + 8 + (size_t)db;
    asr_catalog_free(cat);
    return 0;
}

/* Writes a little-endian integer of `n` bytes. */
static void put_le(unsigned char *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* Sets the payload length and CRC of a blob of `len` bytes (at least HDR_LEN). */
static void fix_up(unsigned char *b, size_t len)
{
    put_le(b + 44, len - HDR_LEN, 8);
    put_le(b + 52, crc32(crc32(0L, Z_NULL, 0), b + HDR_LEN, (uInt)(len - HDR_LEN)), 4);
}

/* The blob this input describes (malloc'd; *len its size). */
static unsigned char *make_blob(const uint8_t *data, size_t size, size_t *len)
{
    int mode = data[0] & 3;
    const uint8_t *rest = data + 1;
    size_t n = size - 1;
    unsigned char *b;
    if (mode == 1) {
        *len = prefix_len + n;
        b = malloc(*len ? *len : 1);
        memcpy(b, good, prefix_len);
        if (n)
            memcpy(b + prefix_len, rest, n);
        fix_up(b, *len);
    } else if (mode == 2 && n >= 2) {
        *len = good_len;
        b = malloc(good_len);
        memcpy(b, good, good_len);
        size_t at = HDR_LEN + ((size_t)rest[0] << 8 | rest[1]) * 61 % (good_len - HDR_LEN);
        for (size_t i = 2; i < n && at < good_len; i++, at++)
            b[at] ^= rest[i];
        fix_up(b, good_len);
    } else {
        *len = n;
        b = malloc(n ? n : 1);
        if (n)
            memcpy(b, rest, n);
    }
    return b;
}

/* asr_catalog_opts.find_blob: the blob this input made (ctx points at its bytes and length). */
typedef struct mem_blob {
    const void *p;
    size_t len;
} mem_blob;

static const void *find_mem_blob(void *ctx, const char *key, size_t *len)
{
    const mem_blob *m = ctx;
    FUZZ_CHECK(key && strlen(key) == 32);
    *len = m->len;
    return m->p;
}

/* Scans a few real lines with `cat` and checks the report serialises. */
static void scan_some(const asr_catalog *cat)
{
    static const char lines[] =
        "#~> (05-03-2023 09:14:41):  ALWAYS  3172 3692 1474531 connect to 10.0.1.40 failed "
        "with error : 10060, description: A connection attempt failed\n"
        "03/14/2023 10:22:45 : One or more product pre-requisites are not met. \n"
        "- Error code: -2147164145 [0x8004E00F]\n"
        "09:08:57:Exit code returned by unified agent: 45(VSSProviderInstallationFailed)\n";
    asr_scanner *sc = NULL;
    asr_analysis *an = NULL;
    asr_input *in = NULL;
    json_t *rep = NULL;
    asr_input_info info = {"ASRUnifiedAgentInstaller.log", "HOST01", NULL, 0};
    FUZZ_CHECK(asr_scanner_new(cat, &sc) == ASR_OK);
    FUZZ_CHECK(asr_analysis_new(cat, &an) == ASR_OK);
    FUZZ_CHECK(asr_input_new(sc, &info, &in) == ASR_OK);
    FUZZ_CHECK(asr_input_feed(in, lines, sizeof lines - 1) == ASR_OK);
    FUZZ_CHECK(asr_input_end(in) == ASR_OK);
    FUZZ_CHECK(asr_analysis_add(an, in) == ASR_OK);
    FUZZ_CHECK(asr_analysis_report(an, &rep) == ASR_OK);
    char *text = json_dumps(rep, 0);
    FUZZ_CHECK(text != NULL);
    free(text);
    json_decref(rep);
    asr_analysis_free(an);
    asr_scanner_free(sc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t len = 0;
    unsigned char *blob = make_blob(data, size, &len);
    mem_blob m = {blob, len};
    asr_catalog_opts o = {find_mem_blob, &m, 0, (data[0] & 4) != 0};
    asr_catalog *cat = NULL;
    asr_diag diag = {""};
    FUZZ_CHECK(asr_catalog_open(&family, 1, 1, &o, &cat, &diag) == ASR_OK);
    const char *why = NULL;
    int cached = asr_catalog_db_cached(cat, &why);
    FUZZ_CHECK(cached || (why && why[0]));
    FUZZ_CHECK(asr_catalog_count(cat) > 0);
    scan_some(cat);
    asr_catalog_free(cat); /* before the blob it may point into */
    free(blob);
    return 0;
}
