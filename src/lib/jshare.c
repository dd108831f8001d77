/*
 * jshare.c — one JSON value per distinct text or key, shared by the places of a report that
 * show it (see jshare.h).
 *
 * The table is itself a jansson object: its keys are "<kind>\x1f<id>" ("" as the kind of
 * plain strings), its values the shared values. A report has few distinct values of this kind
 * (enumerations, catalogue texts, host names), so the table stays small.
 */
#include "jshare.h"

#include <stdlib.h>
#include <string.h>

struct asr_jshare {
    json_t *table;
};

asr_jshare *asr_jshare_new(void)
{
    asr_jshare *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    if (!(s->table = json_object())) {
        free(s);
        return NULL;
    }
    return s;
}

void asr_jshare_free(asr_jshare *s)
{
    if (!s)
        return;
    json_decref(s->table);
    free(s);
}

/* The table key of (kind, id) in a malloc'd string, or NULL when memory is short. */
static char *table_key(const char *kind, const char *id)
{
    size_t k = strlen(kind), n = strlen(id);
    char *key = malloc(k + n + 2);
    if (!key)
        return NULL;
    memcpy(key, kind, k);
    key[k] = '\x1f';
    memcpy(key + k + 1, id, n + 1);
    return key;
}

json_t *asr_jshare_find(asr_jshare *s, const char *kind, const char *id)
{
    char *key = table_key(kind, id);
    if (!key)
        return NULL;
    json_t *v = json_object_get(s->table, key);
    free(key);
    return json_incref(v); /* json_incref(NULL) is NULL */
}

json_t *asr_jshare_keep(asr_jshare *s, const char *kind, const char *id, json_t *value)
{
    if (!value)
        return NULL;
    char *key = table_key(kind, id);
    /* the table takes a reference of its own (json_object_set, not _new); _nocheck skips
     * the UTF-8 test of the key, which is never serialised */
    if (!key || json_object_set_nocheck(s->table, key, value) != 0) {
        free(key);
        json_decref(value);
        return NULL;
    }
    free(key);
    return value; /* the caller's reference; the table holds its own */
}

json_t *asr_jshare_str(asr_jshare *s, const char *text)
{
    if (!text)
        return json_null();
    json_t *v = asr_jshare_find(s, "", text);
    if (v)
        return v;
    return asr_jshare_keep(s, "", text, json_string(text));
}
