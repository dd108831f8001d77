/*
 * partial.c — an ended input to JSON and back, for `asrlog scan --partial` and `asrlog merge`.
 *
 * The report is computed from the ended inputs alone (classify.c reads their names, log type,
 * status, sizes and kept hits), so saving exactly those and rebuilding them gives, in another
 * process or on another machine, the same report as one scan. Scanning state (pending text,
 * per-signature counters, the decoder) is not saved: an input is saved only after it ended.
 * The format is described for users in docs/partial-format.md; keep the two in step.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"

/* Signature id -> index, sorted by id, built on the first asr_analysis_add_json. */
typedef struct sig_id {
    const char *id;
    uint32_t index;
} sig_id;

struct asr_sig_ids {
    sig_id *v;
    size_t n;
};

void asr_sig_ids_free(asr_sig_ids *ids)
{
    if (!ids)
        return;
    free(ids->v);
    free(ids);
}

static int cmp_sig_id(const void *a, const void *b)
{
    return strcmp(((const sig_id *)a)->id, ((const sig_id *)b)->id);
}

/* The id index of a's catalogue (built once). NULL when memory is short. */
static asr_sig_ids *sig_ids_of(asr_analysis *a)
{
    if (a->ids)
        return a->ids;
    asr_sig_ids *ids = calloc(1, sizeof *ids);
    size_t n = a->cat->n_sigs;
    if (!ids || !(ids->v = malloc((n ? n : 1) * sizeof *ids->v))) {
        free(ids);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        ids->v[i].id = a->cat->sigs[i].id;
        ids->v[i].index = (uint32_t)i;
    }
    ids->n = n;
    qsort(ids->v, n, sizeof *ids->v, cmp_sig_id);
    a->ids = ids;
    return ids;
}

/* Index of signature `id`, or -1. */
static long sig_lookup(const asr_sig_ids *ids, const char *id)
{
    sig_id key = {id, 0};
    const sig_id *f = bsearch(&key, ids->v, ids->n, sizeof *ids->v, cmp_sig_id);
    return f ? (long)f->index : -1;
}

/* ------------------------------------------------------------------------------------------ */
/* saving */

/* A time as {"iso", "civil", "offset"?}, or NULL (JSON null when set) when not valid. */
static json_t *time_json(const asr_time *t)
{
    if (!t->valid)
        return NULL;
    json_t *o = json_pack("{s:s, s:I}", "iso", t->iso, "civil", (json_int_t)t->civil);
    if (o && t->has_offset)
        json_object_set_new(o, "offset", json_integer((json_int_t)t->offset));
    return o;
}

/* Sets o[key] = a copy of s, when s is not NULL. */
static void set_str(json_t *o, const char *key, const char *s)
{
    if (s)
        json_object_set_new(o, key, json_string(s));
}

/* One kept hit. Keys with their default value are left out. */
static json_t *hit_json(const asr_catalog *cat, const asr_hit *h)
{
    json_t *o = json_pack("{s:s, s:I, s:s}", "sig", cat->sigs[h->sig].id, "line",
                          (json_int_t)h->line, "text", h->text ? h->text : "");
    if (!o)
        return NULL;
    if (h->tid >= 0)
        json_object_set_new(o, "tid", json_integer((json_int_t)h->tid));
    json_t *t = time_json(&h->time);
    if (t)
        json_object_set_new(o, "time", t);
    if (h->fields)
        json_object_set(o, "fields", h->fields);
    if (h->no_record)
        json_object_set_new(o, "no_record", json_true());
    if (h->field_time)
        json_object_set_new(o, "field_time", json_true());
    if (h->weight != 1)
        json_object_set_new(o, "weight", json_integer((json_int_t)h->weight));
    return o;
}

size_t asr_analysis_count(const asr_analysis *a)
{
    return a ? a->n_inputs : 0;
}

asr_error asr_analysis_input_json(const asr_analysis *a, size_t i, json_t **out)
{
    if (!a || !out || i >= a->n_inputs)
        return ASR_ERR_ARG;
    const asr_input *in = a->inputs[i];
    json_t *hits = json_array();
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I}", "path", in->path, "base_name",
                          in->base_name, "status", in->status, "log_type",
                          asr_log_type_name(in->log_type), "bytes_in", (json_int_t)in->bytes_in,
                          "bytes", (json_int_t)in->bytes, "lines", (json_int_t)in->lines);
    if (!o || !hits) {
        json_decref(o);
        json_decref(hits);
        return ASR_ERR_NOMEM;
    }
    set_str(o, "reason", in->reason);
    set_str(o, "arg_host", in->arg_host);
    set_str(o, "path_host", in->path_host);
    set_str(o, "file_host", in->file_host);
    set_str(o, "encoding", in->encoding);
    json_t *nt = time_json(&in->name_time);
    if (nt)
        json_object_set_new(o, "name_time", nt);
    for (size_t k = 0; k < in->n_hits; k++) {
        json_t *h = hit_json(a->cat, &in->hits[k]);
        if (!h || json_array_append_new(hits, h) != 0) {
            json_decref(o);
            json_decref(hits);
            return ASR_ERR_NOMEM;
        }
    }
    json_object_set_new(o, "hits", hits);
    *out = o;
    return ASR_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* loading */

/* Fails the load with a message in diag. Always returns 0. */
static int bad(asr_diag *diag, const char *fmt, const char *what)
{
    if (diag)
        snprintf(diag->text, sizeof diag->text, fmt, what);
    return 0;
}

/* o[key] as a string copy into *dst; absent is allowed (NULL) unless `required`. */
static int get_str(const json_t *o, const char *key, int required, char **dst, asr_diag *diag)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return required ? bad(diag, "\"%s\" is missing", key) : 1;
    if (!json_is_string(v))
        return bad(diag, "\"%s\" is not a string", key);
    *dst = asr_strdup(json_string_value(v));
    return *dst ? 1 : bad(diag, "out of memory reading \"%s\"", key);
}

/* o[key] as a non-negative integer; absent gives `dflt` unless `required`. */
static int get_uint(const json_t *o, const char *key, int required, uint64_t dflt,
                    uint64_t *dst, asr_diag *diag)
{
    json_t *v = json_object_get(o, key);
    if (!v) {
        *dst = dflt;
        return required ? bad(diag, "\"%s\" is missing", key) : 1;
    }
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return bad(diag, "\"%s\" is not a non-negative integer", key);
    *dst = (uint64_t)json_integer_value(v);
    return 1;
}

/* o[key] as a time (see time_json); absent leaves it not valid. */
static int get_time(const json_t *o, const char *key, asr_time *t, asr_diag *diag)
{
    memset(t, 0, sizeof *t);
    json_t *v = json_object_get(o, key);
    if (!v)
        return 1;
    json_t *iso = json_object_get(v, "iso"), *civil = json_object_get(v, "civil"),
           *off = json_object_get(v, "offset");
    if (!json_is_string(iso) || !json_is_integer(civil) || (off && !json_is_integer(off)) ||
        strlen(json_string_value(iso)) >= sizeof t->iso)
        return bad(diag, "\"%s\" is not a time {\"iso\", \"civil\", \"offset\"?}", key);
    t->valid = 1;
    t->civil = json_integer_value(civil);
    t->has_offset = off != NULL;
    t->offset = off ? json_integer_value(off) : 0;
    strcpy(t->iso, json_string_value(iso));
    return 1;
}

/* Rebuilds one kept hit into *h (zeroed by the caller). */
static int load_hit(const asr_sig_ids *ids, const json_t *o, asr_hit *h, asr_diag *diag)
{
    if (!json_is_object(o))
        return bad(diag, "a hit is not an %s", "object");
    json_t *sig = json_object_get(o, "sig");
    long idx = json_is_string(sig) ? sig_lookup(ids, json_string_value(sig)) : -1;
    if (idx < 0)
        return bad(diag, "hit of signature '%s', which this catalogue does not have",
                   json_is_string(sig) ? json_string_value(sig) : "?");
    h->sig = (uint32_t)idx;
    uint64_t line, weight;
    json_t *tid = json_object_get(o, "tid"), *fields = json_object_get(o, "fields");
    if (!get_uint(o, "line", 1, 0, &line, diag) || !get_uint(o, "weight", 0, 1, &weight, diag) ||
        !get_time(o, "time", &h->time, diag) || !get_str(o, "text", 1, &h->text, diag))
        return 0;
    if (tid && (!json_is_integer(tid) || json_integer_value(tid) < 0))
        return bad(diag, "\"%s\" is not a non-negative integer", "tid");
    if (fields && !json_is_object(fields))
        return bad(diag, "\"%s\" is not an object", "fields");
    if (weight == 0)
        return bad(diag, "\"%s\" is 0", "weight");
    h->line = line;
    h->weight = weight;
    h->tid = tid ? (int64_t)json_integer_value(tid) : -1;
    h->fields = fields ? json_deep_copy(fields) : NULL;
    h->no_record = json_is_true(json_object_get(o, "no_record"));
    h->field_time = json_is_true(json_object_get(o, "field_time"));
    return !fields || h->fields ? 1 : bad(diag, "out of memory reading \"%s\"", "fields");
}

/* Statuses an input may have (classify.c compares them by text). */
static int known_status(const char *s)
{
    return strcmp(s, "analyzed") == 0 || strcmp(s, "skipped") == 0 ||
           strcmp(s, "unreadable") == 0;
}

/* Rebuilds the input fields of `o` (not its hits) into `in`. */
static int load_fields(const json_t *o, asr_input *in, asr_diag *diag)
{
    char *log_type = NULL, *encoding = NULL;
    int ok = get_str(o, "path", 1, &in->path, diag) &&
             get_str(o, "base_name", 1, &in->base_name, diag) &&
             get_str(o, "status", 1, &in->status, diag) &&
             get_str(o, "reason", 0, &in->reason, diag) &&
             get_str(o, "arg_host", 0, &in->arg_host, diag) &&
             get_str(o, "path_host", 0, &in->path_host, diag) &&
             get_str(o, "file_host", 0, &in->file_host, diag) &&
             get_str(o, "log_type", 1, &log_type, diag) &&
             get_str(o, "encoding", 0, &encoding, diag) &&
             get_uint(o, "bytes_in", 1, 0, &in->bytes_in, diag) &&
             get_uint(o, "bytes", 1, 0, &in->bytes, diag) &&
             get_uint(o, "lines", 1, 0, &in->lines, diag) &&
             get_time(o, "name_time", &in->name_time, diag);
    if (ok && !known_status(in->status))
        ok = bad(diag, "\"status\" '%s' is not analyzed, skipped or unreadable", in->status);
    if (ok) {
        in->log_type = asr_log_type_parse(log_type);
        if (in->log_type == ASR_LOG__COUNT)
            ok = bad(diag, "\"log_type\" '%s' is not a known log type", log_type);
    }
    if (ok && encoding) {
        in->encoding = asr_encoding_name(encoding);
        if (!in->encoding)
            ok = bad(diag, "\"encoding\" '%s' is not one the decoder gives", encoding);
    }
    free(log_type);
    free(encoding);
    return ok;
}

/* Rebuilds the hits of `o` into `in`. */
static int load_hits(const asr_sig_ids *ids, const json_t *o, asr_input *in, asr_diag *diag)
{
    json_t *hits = json_object_get(o, "hits");
    if (!json_is_array(hits))
        return bad(diag, "\"%s\" is missing or not an array", "hits");
    size_t n = json_array_size(hits);
    if (n) {
        in->hits = calloc(n, sizeof *in->hits);
        if (!in->hits)
            return bad(diag, "out of memory reading \"%s\"", "hits");
        in->cap_hits = n;
    }
    for (size_t k = 0; k < n; k++) {
        /* counted before it is filled, so that asr_input_free frees a half-read hit too */
        in->n_hits++;
        if (!load_hit(ids, json_array_get(hits, k), &in->hits[k], diag))
            return 0;
    }
    return 1;
}

asr_error asr_analysis_add_json(asr_analysis *a, const json_t *obj, asr_diag *diag)
{
    if (!a || !obj)
        return ASR_ERR_ARG;
    if (!json_is_object(obj)) {
        bad(diag, "an input is not a JSON %s", "object");
        return ASR_ERR_PARTIAL;
    }
    asr_sig_ids *ids = sig_ids_of(a);
    asr_input *in = calloc(1, sizeof *in);
    if (!ids || !in) {
        free(in);
        return ASR_ERR_NOMEM;
    }
    in->cat = a->cat;
    in->carry_tid = -1;
    in->encoding = NULL;
    if (!load_fields(obj, in, diag) || !load_hits(ids, obj, in, diag)) {
        asr_input_free(in);
        return ASR_ERR_PARTIAL;
    }
    return asr_analysis_add(a, in);
}
