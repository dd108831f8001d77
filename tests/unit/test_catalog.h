/*
 * test_catalog.h — the unit tests' own small catalogue (tests/unit/data/test_catalog.json),
 * read and loaded the same way by every test that scans. Include after <cmocka.h> and
 * "asrlog.h"; TEST_DATA_DIR names tests/unit/data.
 */
#ifndef ASR_TEST_CATALOG_H
#define ASR_TEST_CATALOG_H

#include <stdio.h>
#include <stdlib.h>

#ifndef TEST_DATA_DIR
#error "TEST_DATA_DIR must point at tests/unit/data"
#endif

/* read_test_catalog — the catalogue's text in a new buffer (*len bytes), or NULL. */
static inline char *read_test_catalog(size_t *len)
{
    FILE *f = fopen(TEST_DATA_DIR "/test_catalog.json", "rb");
    if (!f)
        return NULL;
    char *text = calloc(1, 1 << 20);
    if (text)
        *len = fread(text, 1, (1 << 20) - 1, f);
    fclose(f);
    return text;
}

/* load_test_catalog — reads and compiles the catalogue into *cat, keeping its text in *text
 * (free both after the tests). 0, or -1 after printing why (a cmocka group setup result). */
static inline int load_test_catalog(asr_catalog **cat, char **text)
{
    size_t n = 0;
    if (!(*text = read_test_catalog(&n)))
        return -1;
    asr_source src = {"test_catalog.json", *text, n};
    asr_diag diag;
    if (asr_catalog_load(&src, 1, 1, cat, &diag) != ASR_OK) {
        fprintf(stderr, "%s\n", diag.text);
        return -1;
    }
    return 0;
}

#endif
