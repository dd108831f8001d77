/*
 * lint_cli.c — `asrlog signatures lint`: reads the built-in catalogue and every --patterns
 * DIR, asks the library for every problem (asr_catalog_lint) and prints the findings as
 * compiler-style lines or as JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asrlog.h"
#include "builtin.h"
#include "cli.h"

/* Writes the help of `asrlog signatures lint` to f. */
static void usage_lint(FILE *f)
{
    fprintf(f,
            "usage: asrlog signatures lint [--patterns DIR]... [--format text|json]\n"
            "\n"
            "Checks the built-in catalogue and the signatures of every --patterns DIR (which\n"
            "extend it, or replace a built-in signature with the same id) and reports every\n"
            "problem, not only the first: invalid JSON and schema mistakes, duplicate ids,\n"
            "expressions Hyperscan or PCRE2 cannot compile (with the engine's reason), failing\n"
            "match/nomatch examples, and failure or warning signatures that hit the same\n"
            "example line at the same specificity (neither would win the root cause). A user\n"
            "signature that replaces a built-in one is a note.\n"
            "\n"
            "options:\n"
            "  --patterns DIR            add the signatures in DIR/*.json (may be repeated)\n"
            "  -f, --format FMT          text (default): FILE:LINE:COL: SEVERITY: MESSAGE [IDS]\n"
            "                            and a count line; json: {\"findings\": [...], ...}\n"
            "  --cache-dir DIR, --no-cache   the built-in signatures' database comes from the\n"
            "                            cache (see asrlog --help); only the others are compiled\n"
            "\n"
            "exit codes: 0 no error (warnings and notes allowed), 1 errors found, 2 usage error,\n"
            "            3 a --patterns folder or file cannot be read, 4 internal error\n");
}

/* The catalogue files being linted: the built-in ones, then every --patterns DIR's. */
typedef struct lint_files {
    user_files *dirs;   /* one per --patterns DIR */
    size_t n_dirs;
    asr_source *all;
    size_t n_all;
} lint_files;

/* Reads every DIR of dirs[0..n) after the built-in files. Returns 0, or EXIT_UNREADABLE after
 * load_user_dir printed why, or EXIT_INTERNAL when out of memory. */
static int read_lint_files(const char **dirs, size_t n, lint_files *lf)
{
    lf->dirs = calloc(n + 1, sizeof *lf->dirs);
    if (!lf->dirs)
        return EXIT_INTERNAL;
    size_t total = asr_builtin_catalog_count;
    for (size_t i = 0; i < n; i++) {
        lf->n_dirs++;
        if (load_user_dir(dirs[i], &lf->dirs[i]) != 0)
            return EXIT_UNREADABLE;
        total += lf->dirs[i].n;
    }
    lf->all = calloc(total + 1, sizeof *lf->all);
    if (!lf->all)
        return EXIT_INTERNAL;
    memcpy(lf->all, asr_builtin_catalog, asr_builtin_catalog_count * sizeof *lf->all);
    lf->n_all = asr_builtin_catalog_count;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < lf->dirs[i].n; k++)
            lf->all[lf->n_all++] = lf->dirs[i].v[k];
    return 0;
}

/* Frees what read_lint_files() read (also after it failed half-way). */
static void free_lint_files(lint_files *lf)
{
    for (size_t i = 0; i < lf->n_dirs; i++)
        free_user_files(&lf->dirs[i]);
    free(lf->dirs);
    free(lf->all);
}

/*
 * open_builtin — the built-in catalogue with its database, from the cache when it holds one
 * (and saved there after a compile), so that lint compiles only the user signatures. NULL
 * when the built-in files do not load: the lint then compiles and reports everything itself.
 */
static asr_catalog *open_builtin(const cache_opts *cache)
{
    asr_catalog *cat = NULL;
    asr_diag diag = {""};
    if (open_catalog(asr_builtin_catalog, asr_builtin_catalog_count, asr_builtin_catalog_count,
                     cache, 1, &cat, &diag) != ASR_OK)
        return NULL;
    return cat;
}

/* "1 error" / "2 errors". */
static void print_count(size_t n, const char *what, const char *sep)
{
    printf("%zu %s%s%s", n, what, n == 1 ? "" : "s", sep);
}

/* Prints one finding as "FILE:LINE:COL: SEVERITY: MESSAGE [ID, ID]". */
static void print_finding(json_t *f)
{
    const char *file = json_string_value(json_object_get(f, "file"));
    json_int_t line = json_integer_value(json_object_get(f, "line"));
    json_int_t col = json_integer_value(json_object_get(f, "column"));
    if (line > 0)
        printf("%s:%lld:%lld: ", file, (long long)line, (long long)col);
    else
        printf("%s: ", file);
    printf("%s: %s", json_string_value(json_object_get(f, "severity")),
           json_string_value(json_object_get(f, "message")));
    json_t *ids = json_object_get(f, "ids");
    size_t i;
    json_t *id;
    json_array_foreach(ids, i, id)
    {
        printf("%s%s", i ? ", " : " [", json_string_value(id));
    }
    printf("%s\n", json_array_size(ids) ? "]" : "");
}

/* Prints the lint result in `format` (write errors are caught by finish_stdout). */
static void print_result(json_t *doc, const char *format)
{
    if (strcmp(format, "json") == 0) {
        write_json(stdout, doc);
        return;
    }
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(doc, "findings"), i, f) { print_finding(f); }
    print_count((size_t)json_integer_value(json_object_get(doc, "errors")), "error", ", ");
    print_count((size_t)json_integer_value(json_object_get(doc, "warnings")), "warning", ", ");
    print_count((size_t)json_integer_value(json_object_get(doc, "notes")), "note", "\n");
}

/* `asrlog signatures lint` (cli.h): options, the files, the lint, the output; the exit code
 * is 1 when the lint found an error. */
int cmd_signatures_lint(int argc, char **argv)
{
    const char *format = "text", *v;
    cache_opts cache = {0, NULL};
    const char **dirs = calloc((size_t)argc + 1, sizeof *dirs);
    size_t n_dirs = 0;
    if (!dirs)
        return EXIT_INTERNAL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage_lint(stdout);
            free(dirs);
            return EXIT_CLEAN;
        } else if (opt_value(argc, argv, &i, "--format", "-f", &v)) {
            format = v;
        } else if (opt_value(argc, argv, &i, "--patterns", NULL, &v)) {
            dirs[n_dirs++] = v;
        } else if (strcmp(a, "--no-cache") == 0) {
            cache.disabled = 1;
        } else if (opt_value(argc, argv, &i, "--cache-dir", NULL, &v)) {
            cache.dir = v;
        } else {
            free(dirs);
            unknown_option("signatures lint", a);
        }
    }
    static const char *const formats[] = {"text", "json", NULL};
    if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0)
        free(dirs);
    check_format("signatures lint", format, formats); /* exits on a bad format */
    lint_files lf = {0};
    int rc = read_lint_files(dirs, n_dirs, &lf);
    free(dirs);
    if (rc == EXIT_INTERNAL)
        fprintf(stderr, "asrlog signatures lint: out of memory\n");
    json_t *doc = NULL;
    asr_catalog *builtin = rc ? NULL : open_builtin(&cache);
    if (!rc) {
        asr_error err =
            asr_catalog_lint(lf.all, lf.n_all, asr_builtin_catalog_count, builtin, &doc);
        if (err) {
            fprintf(stderr, "asrlog signatures lint: %s\n", asr_strerror(err));
            rc = EXIT_INTERNAL;
        }
    }
    if (!rc) {
        print_result(doc, format);
        rc = json_integer_value(json_object_get(doc, "errors")) ? EXIT_FAILURES : EXIT_CLEAN;
    }
    json_decref(doc);
    asr_catalog_free(builtin);
    free_lint_files(&lf);
    return rc;
}
