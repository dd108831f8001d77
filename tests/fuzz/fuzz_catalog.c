/*
 * fuzz_catalog.c — libFuzzer harness for catalogue loading (asr_catalog_load): the bytes are
 * one catalogue file, as a user would pass with --patterns.
 *
 * Input layout:
 *   byte 0   how the file is loaded, (byte 0) % 3:
 *              0  as the only file, a user file (n_builtin = 0);
 *              1  as the only file, a built-in one (duplicate ids are errors);
 *              2  as a user file on top of one small built-in family file, picked by
 *                 (byte 0) / 3, so that user signatures extend or replace built-in ones.
 *            (The whole built-in catalogue takes about half a second to compile, too slow to
 *            fuzz against; the small family files exercise the same override rules.)
 *   rest     the file's bytes (JSON text, or not).
 *
 * Properties checked: a failure is one of the catalogue errors with a diagnostic; a loaded
 * catalogue has signatures, a 16-digit hash, describes each signature as an object with its
 * id, finds each signature by its id with asr_catalog_explain, and runs its own examples with
 * asr_catalog_test (at least one match and one nomatch line per signature).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asrlog.h"
#include "builtin.h"
#include "fuzz.h"

#define SMALL_FAMILY_BYTES 40000u /* built-in files up to this size compile in milliseconds */

static const asr_source *small_files[32];
static size_t n_small;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    for (size_t i = 0; i < asr_builtin_catalog_count && n_small < 32; i++)
        if (asr_builtin_catalog[i].len <= SMALL_FAMILY_BYTES)
            small_files[n_small++] = &asr_builtin_catalog[i];
    FUZZ_CHECK(n_small > 0);
    return 0;
}

/* explain_finds — does asr_catalog_explain(id) list a signature with that id? */
static int explain_finds(const asr_catalog *cat, const char *id)
{
    json_t *arr = NULL;
    if (asr_catalog_explain(cat, id, &arr) != ASR_OK) {
        json_decref(arr);
        return 0;
    }
    int found = 0;
    size_t i;
    json_t *s;
    json_array_foreach(arr, i, s)
    {
        const char *sid = json_string_value(json_object_get(s, "id"));
        found |= sid && strcmp(sid, id) == 0;
    }
    json_decref(arr);
    return found;
}

/* check_loaded — the properties of a catalogue that loaded. */
static void check_loaded(const asr_catalog *cat)
{
    size_t n = asr_catalog_count(cat);
    FUZZ_CHECK(n > 0);
    const char *hash = asr_catalog_hash(cat);
    FUZZ_CHECK(strlen(hash) == 16);
    for (const char *p = hash; *p; p++)
        FUZZ_CHECK(isxdigit((unsigned char)*p));
    for (size_t i = 0; i < n; i++) {
        json_t *s = asr_catalog_describe(cat, i);
        FUZZ_CHECK(json_is_object(s));
        const char *id = json_string_value(json_object_get(s, "id"));
        FUZZ_CHECK(id != NULL && *id);
        FUZZ_CHECK(json_is_string(json_object_get(s, "family")));
        FUZZ_CHECK(explain_finds(cat, id));
        char *text = json_dumps(s, JSON_COMPACT);
        FUZZ_CHECK(text != NULL);
        free(text);
        json_decref(s);
    }
    FUZZ_CHECK(asr_catalog_describe(cat, n) == NULL);
    json_t *failures = NULL;
    size_t examples = 0;
    FUZZ_CHECK(asr_catalog_test(cat, &failures, &examples) == ASR_OK);
    FUZZ_CHECK(json_is_array(failures));
    FUZZ_CHECK(examples >= 2 * n);
    json_decref(failures);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned mode = data[0] % 3;
    asr_source files[2];
    size_t n_files = 0, n_builtin = 0;
    if (mode == 2) {
        files[n_files++] = *small_files[(data[0] / 3) % n_small];
        n_builtin = 1;
    } else if (mode == 1) {
        n_builtin = 1;
    }
    files[n_files].name = "fuzz/user.json";
    files[n_files].text = (const char *)data + 1;
    files[n_files].len = size - 1;
    n_files++;

    asr_catalog *cat = NULL;
    asr_diag diag;
    memset(&diag, 0, sizeof diag);
    asr_error err = asr_catalog_load(files, n_files, n_builtin, &cat, &diag);
    if (err == ASR_OK) {
        FUZZ_CHECK(cat != NULL);
        check_loaded(cat);
        asr_catalog_free(cat);
        return 0;
    }
    FUZZ_CHECK(cat == NULL);
    FUZZ_CHECK(err == ASR_ERR_CATALOG || err == ASR_ERR_COMPILE);
    FUZZ_CHECK(memchr(diag.text, '\0', sizeof diag.text) != NULL);
    FUZZ_CHECK(diag.text[0] != '\0');
    return 0;
}
