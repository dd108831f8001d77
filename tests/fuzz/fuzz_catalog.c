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
 * asr_catalog_test (at least one match and one nomatch line per signature); asr_catalog_lint
 * finds an error other than a failing example exactly when loading fails (check_lint).
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
static asr_catalog *small_cats[32]; /* each small file loaded alone (on first use), for the
                                       lint's reuse of the built-in database */
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

/*
 * check_lint — asr_catalog_lint agrees with the loader: the loader refused the files (`loaded`
 * 0) exactly when the lint reports an error other than a failing example. Every finding names
 * one of the files (or the catalogue as a whole) with a position and the counts add up. The
 * lint runs with `builtin` (the built-in file loaded alone, or NULL); with `full` it runs
 * again compiling everything, and must say the same.
 */
static void check_lint(const asr_source *files, size_t n_files, size_t n_builtin, int loaded,
                       const asr_catalog *builtin, int full)
{
    json_t *doc = NULL;
    FUZZ_CHECK(asr_catalog_lint(files, n_files, n_builtin, builtin, &doc) == ASR_OK);
    size_t i, counts[3] = {0, 0, 0}, load_errors = 0;
    json_t *f;
    json_array_foreach(json_object_get(doc, "findings"), i, f)
    {
        const char *sev = json_string_value(json_object_get(f, "severity"));
        const char *code = json_string_value(json_object_get(f, "code"));
        const char *file = json_string_value(json_object_get(f, "file"));
        FUZZ_CHECK(sev && code && file && json_is_string(json_object_get(f, "message")));
        FUZZ_CHECK(json_is_array(json_object_get(f, "ids")));
        int known = strcmp(file, "(catalogue)") == 0;
        for (size_t k = 0; k < n_files; k++)
            known |= strcmp(file, files[k].name) == 0;
        FUZZ_CHECK(known);
        FUZZ_CHECK(json_integer_value(json_object_get(f, "line")) >= 1 ||
                   strcmp(file, "(catalogue)") == 0);
        int s = strcmp(sev, "error") == 0 ? 0 : strcmp(sev, "warning") == 0 ? 1 : 2;
        FUZZ_CHECK(s < 2 || strcmp(sev, "note") == 0);
        counts[s]++;
        load_errors += s == 0 && strcmp(code, "example-fails") != 0;
    }
    FUZZ_CHECK((size_t)json_integer_value(json_object_get(doc, "errors")) == counts[0]);
    FUZZ_CHECK((size_t)json_integer_value(json_object_get(doc, "warnings")) == counts[1]);
    FUZZ_CHECK((size_t)json_integer_value(json_object_get(doc, "notes")) == counts[2]);
    FUZZ_CHECK(loaded == (load_errors == 0));
    if (builtin && full) {
        json_t *again = NULL;
        FUZZ_CHECK(asr_catalog_lint(files, n_files, n_builtin, NULL, &again) == ASR_OK);
        FUZZ_CHECK(json_equal(doc, again));
        json_decref(again);
    }
    json_decref(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned mode = data[0] % 3;
    asr_source files[2];
    size_t n_files = 0, n_builtin = 0;
    const asr_catalog *builtin = NULL; /* what the built-in files load to alone, when known */
    if (mode == 2) {
        files[n_files++] = *small_files[(data[0] / 3) % n_small];
        size_t k = (data[0] / 3) % n_small;
        if (!small_cats[k]) /* compiled once per family: it takes longer than a fuzz input */
            FUZZ_CHECK(asr_catalog_load(small_files[k], 1, 1, &small_cats[k], NULL) == ASR_OK);
        builtin = small_cats[k];
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
    if (mode == 1 && err == ASR_OK)
        builtin = cat; /* the one file is the built-in catalogue */
    check_lint(files, n_files, n_builtin, err == ASR_OK, builtin, size % 16 == 0);
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
