/*
 * catalog_query.c — questions asked of a loaded catalogue: describe, explain, test examples.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "util.h"

static const char *const error_texts[ASR_ERR__COUNT] = {
    [ASR_OK] = "success",
    [ASR_ERR_NOMEM] = "out of memory",
    [ASR_ERR_ARG] = "invalid argument",
    [ASR_ERR_IO] = "read error",
    [ASR_ERR_CATALOG] = "invalid signature catalogue",
    [ASR_ERR_COMPILE] = "an expression does not compile",
    [ASR_ERR_DECODE] = "corrupt or truncated input",
    [ASR_ERR_LIMIT] = "size limit reached",
    [ASR_ERR_SCAN] = "pattern scan failed",
    [ASR_ERR_NOT_FOUND] = "not found",
    [ASR_ERR_PARTIAL] = "invalid partial result",
};

const char *asr_strerror(asr_error err)
{
    if ((unsigned)err >= ASR_ERR__COUNT || !error_texts[err])
        return "unknown error";
    return error_texts[err];
}

json_t *asr_catalog_describe(const asr_catalog *cat, size_t i)
{
    if (!cat || i >= cat->n_sigs)
        return NULL;
    const asr_signature *s = &cat->sigs[i];
    json_t *o = json_deep_copy(asr_sig_json(s));
    if (!o)
        return NULL;
    json_object_set_new(o, "family", json_string(s->family));
    json_object_set_new(o, "file", json_string(s->source_file));
    return o;
}

/* Does JSON array `key` of the signature hold the integer v? */
static int has_int(const asr_signature *s, const char *key, long long v)
{
    json_t *a = json_object_get(asr_sig_json(s), key);
    size_t i;
    json_t *x;
    json_array_foreach(a, i, x)
    {
        if (json_is_integer(x) && json_integer_value(x) == v)
            return 1;
    }
    return 0;
}

/* Does JSON array `key` of the signature hold the string q (case-insensitive)? */
static int has_str(const asr_signature *s, const char *key, const char *q)
{
    json_t *a = json_object_get(asr_sig_json(s), key);
    size_t i;
    json_t *x;
    json_array_foreach(a, i, x)
    {
        if (json_is_string(x) && asr_strcasecmp(json_string_value(x), q) == 0)
            return 1;
    }
    return 0;
}

/* Parses a whole decimal integer (optionally signed); returns 1 on success. */
static int parse_int(const char *q, long long *v)
{
    char *end;
    if (!*q)
        return 0;
    *v = strtoll(q, &end, 10);
    return *end == '\0';
}

/* Signed decimal HRESULT ("-2147164145") -> "0x8004E00F". */
static void decimal_to_hresult(long long v, char *buf, size_t n)
{
    snprintf(buf, n, "0x%X", (unsigned)(uint32_t)(int32_t)v);
}

/* Does signature s answer query q? */
static int answers(const asr_signature *s, const char *q)
{
    if (strcmp(s->id, q) == 0)
        return 1;
    long long v;
    if (parse_int(q, &v)) {
        char hx[16];
        if (has_int(s, "error_ids", v) || has_int(s, "exit_codes", v))
            return 1;
        if (v < 0) {
            decimal_to_hresult(v, hx, sizeof hx);
            return has_str(s, "hresults", hx);
        }
        return 0;
    }
    if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X')) {
        /* accept leading zeros: 0x00000007 == 0x7 */
        char norm[16] = "0x";
        const char *p = q + 2;
        while (*p == '0' && p[1])
            p++;
        snprintf(norm + 2, sizeof norm - 2, "%s", p);
        return has_str(s, "hresults", norm);
    }
    return has_str(s, "ep_codes", q) || has_str(s, "error_names", q);
}

asr_error asr_catalog_explain(const asr_catalog *cat, const char *query, json_t **out)
{
    if (!cat || !query || !out)
        return ASR_ERR_ARG;
    json_t *arr = json_array();
    if (!arr)
        return ASR_ERR_NOMEM;
    /* failure/warning entries first, most specific first, then id */
    size_t *idx = malloc((cat->n_sigs + 1) * sizeof *idx), n = 0;
    if (!idx) {
        json_decref(arr);
        return ASR_ERR_NOMEM;
    }
    for (size_t i = 0; i < cat->n_sigs; i++)
        if (answers(&cat->sigs[i], query))
            idx[n++] = i;
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0; j--) {
            const asr_signature *a = &cat->sigs[idx[j - 1]], *b = &cat->sigs[idx[j]];
            int ra = a->effect <= ASR_EFFECT_WARNING, rb = b->effect <= ASR_EFFECT_WARNING;
            if (ra > rb || (ra == rb && (a->specificity > b->specificity ||
                                         (a->specificity == b->specificity &&
                                          strcmp(a->id, b->id) <= 0))))
                break;
            size_t t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
        }
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, asr_catalog_describe(cat, idx[i]));
    free(idx);
    *out = arr;
    return n ? ASR_OK : ASR_ERR_NOT_FOUND;
}

/* ------------------------------------------------------------------------------------------ */

typedef struct hit_set {
    unsigned char *seen;
} hit_set;

static int on_example_match(unsigned int id, unsigned long long from, unsigned long long to,
                            unsigned int flags, void *ctx)
{
    (void)from;
    (void)to;
    (void)flags;
    ((hit_set *)ctx)->seen[id] = 1;
    return 0;
}

/* Fills ex->kind and ex->problem when the example line of signature `s` fails. */
static void judge_example(const asr_signature *s, pcre2_match_data *md, asr_example *ex)
{
    int hit = ex->seen[ex->sig] != 0;
    if (!ex->nomatch && !hit) {
        ex->kind = "match";
        ex->problem = "the expression does not hit this line";
    } else if (ex->nomatch && hit) {
        ex->kind = "nomatch";
        ex->problem = "the expression hits this near miss";
    } else if (!ex->nomatch && asr_sig_extract(s) &&
               pcre2_match(asr_sig_extract(s), (PCRE2_SPTR)ex->text, ex->len, 0, 0, md, NULL) <
                   0) {
        ex->kind = "extract";
        ex->problem = "the extract expression does not match";
    }
}

/* Scans one example line with every database of `set` into seen[] (cleared first); hits of
 * signatures that are not in force are dropped. */
static asr_error scan_example(const asr_example_set *set, hs_scratch_t *scratch, hit_set *hs,
                              const char *text, size_t len)
{
    memset(hs->seen, 0, set->n_sigs);
    for (size_t d = 0; d < set->n_dbs; d++)
        if (hs_scan(set->dbs[d], text, (unsigned)len, 0, scratch, on_example_match, hs) !=
            HS_SUCCESS)
            return ASR_ERR_SCAN;
    for (size_t k = 0; set->skip && k < set->n_sigs; k++)
        if (set->skip[k])
            hs->seen[k] = 0;
    return ASR_OK;
}

asr_error asr_examples_run(const asr_example_set *set, asr_example_fn fn, void *ctx,
                           size_t *examples)
{
    if (!set || !fn || !set->n_dbs)
        return ASR_ERR_ARG;
    hs_scratch_t *scratch = NULL;
    pcre2_match_data *md = pcre2_match_data_create(64, NULL);
    hit_set hs = {calloc(set->n_sigs + 1, 1)};
    asr_error err = ASR_ERR_NOMEM;
    if (!md || !hs.seen)
        goto out;
    for (size_t d = 0; d < set->n_dbs; d++) /* one scratch, grown to fit every database */
        if (hs_alloc_scratch(set->dbs[d], &scratch) != HS_SUCCESS)
            goto out;
    size_t count = 0;
    for (size_t i = 0; i < set->n_sigs; i++) {
        const asr_signature *s = &set->sigs[i];
        if (set->skip && set->skip[i])
            continue;
        json_t *ex = json_object_get(asr_sig_json(s), "examples");
        static const char *const kinds[2] = {"match", "nomatch"};
        for (int k = 0; k < 2; k++) {
            json_t *lines = json_object_get(ex, kinds[k]);
            size_t j;
            json_t *l;
            json_array_foreach(lines, j, l)
            {
                asr_example one = {i, k, json_string_value(l), json_string_length(l), hs.seen,
                                   NULL, NULL};
                count++;
                if ((err = scan_example(set, scratch, &hs, one.text, one.len)) != ASR_OK)
                    goto out;
                judge_example(s, md, &one);
                if ((err = fn(ctx, &one)) != ASR_OK)
                    goto out;
            }
        }
    }
    if (examples)
        *examples = count;
    err = ASR_OK;
out:
    if (scratch)
        hs_free_scratch(scratch);
    if (md)
        pcre2_match_data_free(md);
    free(hs.seen);
    return err;
}

/* What asr_catalog_test collects. */
typedef struct test_ctx {
    const asr_catalog *cat;
    json_t *failures;
} test_ctx;

/* asr_catalog_test's callback: one failure record per failing example. */
static asr_error add_failure(void *ctx, const asr_example *ex)
{
    test_ctx *t = ctx;
    if (!ex->kind)
        return ASR_OK;
    const asr_signature *s = &t->cat->sigs[ex->sig];
    json_array_append_new(t->failures,
                          json_pack("{s:s, s:s, s:s, s:s, s:s}", "file", s->source_file,
                                    "signature", s->id, "kind", ex->kind, "line", ex->text,
                                    "problem", ex->problem));
    return ASR_OK;
}

asr_error asr_catalog_test(const asr_catalog *cat, json_t **failures, size_t *examples)
{
    if (!cat || !cat->db || !failures || !examples)
        return ASR_ERR_ARG;
    test_ctx t = {cat, json_array()};
    if (!t.failures)
        return ASR_ERR_NOMEM;
    hs_database_t *dbs[1] = {cat->db};
    asr_example_set set = {cat->sigs, cat->n_sigs, NULL, dbs, 1};
    asr_error err = asr_examples_run(&set, add_failure, &t, examples);
    if (err) {
        json_decref(t.failures);
        return err;
    }
    *failures = t.failures;
    return ASR_OK;
}
