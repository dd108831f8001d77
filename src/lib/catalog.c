/*
 * catalog.c — load, validate and compile the signature catalogue.
 *
 * Input is a list of in-memory JSON files (the library never opens files). Every mistake is
 * reported as "file:line:column: message". All `match` expressions go into one Hyperscan block
 * database (expression id = signature index); `extract` expressions become PCRE2 programs.
 */
#include "catalog.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *const effect_names[ASR_EFFECT__COUNT] = {
    "failure", "warning", "success", "attempt-start", "attempt-end", "context",
    "failure-line"};

static const char *const outcome_names[] = {"unknown", "succeeded", "succeeded_with_warnings",
                                            "failed"};

const char *asr_effect_name(asr_effect e)
{
    return (unsigned)e < ASR_EFFECT__COUNT ? effect_names[e] : "context";
}

const char *asr_outcome_name(asr_outcome o)
{
    return (unsigned)o <= ASR_OUTCOME_FAILED ? outcome_names[o] : "unknown";
}

const char *asr_os_name(asr_os os)
{
    return os == ASR_OS_WINDOWS ? "windows" : os == ASR_OS_LINUX ? "linux" : "unknown";
}

asr_outcome asr_signature_exit_outcome(const asr_signature *sig, int64_t exit_code)
{
    for (size_t i = 0; i < sig->n_exit_outcomes; i++)
        if (sig->exit_outcomes[i].code == exit_code)
            return sig->exit_outcomes[i].outcome;
    return sig->default_exit_outcome;
}

/* ------------------------------------------------------------------------------------------ */
/* diagnostics */

/* Line and column (1-based) of byte offset `off` in `text`. */
static void offset_to_line_col(const char *text, size_t len, size_t off, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off && i < len; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

/* Writes "name:line:col: message" into diag. */
static void diag_at(asr_diag *diag, const asr_source *src, int line, int col, const char *fmt,
                    ...)
{
    if (!diag)
        return;
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(diag->text, sizeof diag->text, "%s:%d:%d: %s", src->name, line, col, msg);
}

void asr_signature_locate(const asr_source *src, size_t index, const char *id, size_t nth,
                          int *line, int *col)
{
    const char *hit = NULL;
    if (id) {
        char quoted[300];
        snprintf(quoted, sizeof quoted, "\"%s\"", id);
        const char *p = src->text;
        size_t left = src->len;
        while ((p = asr_memmem(p, left, quoted, strlen(quoted)))) {
            /* accept it when the previous non-space characters are `"id" :` */
            const char *q = p - 1;
            while (q > src->text && isspace((unsigned char)*q))
                q--;
            if (q > src->text + 4 && *q == ':' ) {
                const char *k = q - 1;
                while (k > src->text && isspace((unsigned char)*k))
                    k--;
                if (k >= src->text + 3 && memcmp(k - 3, "\"id\"", 4) == 0 && nth-- == 0) {
                    hit = k - 3;
                    break;
                }
            }
            p += strlen(quoted);
            left = src->len - (size_t)(p - src->text);
        }
    }
    if (!hit) {
        const char *p = src->text;
        size_t left = src->len, k = 0;
        while ((p = asr_memmem(p, left, "\"id\"", 4))) {
            if (k++ == index) {
                hit = p;
                break;
            }
            p += 4;
            left = src->len - (size_t)(p - src->text);
        }
    }
    if (!hit) {
        *line = *col = 1;
        return;
    }
    offset_to_line_col(src->text, src->len, (size_t)(hit - src->text), line, col);
}

/* ------------------------------------------------------------------------------------------ */
/* validation helpers: each returns 0 and fills diag on failure */

typedef struct vctx {
    const asr_source *src;
    size_t index;
    const char *id;
    asr_diag *diag;
    int extract_failed;     /* set when PCRE2 refused the `extract` expression */
} vctx;

/* Reports an error about the current signature. */
static int verr(const vctx *v, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int line, col;
    asr_signature_locate(v->src, v->index, v->id, 0, &line, &col);
    if (v->id)
        diag_at(v->diag, v->src, line, col, "signature '%s': %s", v->id, msg);
    else
        diag_at(v->diag, v->src, line, col, "signatures[%zu]: %s", v->index, msg);
    return 0;
}

static const char *const allowed_keys[] = {
    "id", "title", "severity", "effect", "specificity", "os", "match", "flags", "extract",
    "error_ids", "ep_codes", "exit_codes", "hresults", "error_names", "log_types",
    "outcome_by_exit_code", "remediation", "examples", "notes", NULL};

/* Is `key` one of the allowed signature keys? */
static int key_allowed(const char *key)
{
    for (int i = 0; allowed_keys[i]; i++)
        if (strcmp(allowed_keys[i], key) == 0)
            return 1;
    return 0;
}

/* Required non-empty string member. */
static int need_string(const vctx *v, json_t *obj, const char *key, const char **out)
{
    json_t *j = json_object_get(obj, key);
    if (!j)
        return verr(v, "missing key '%s'", key);
    if (!json_is_string(j) || json_string_length(j) == 0)
        return verr(v, "'%s' must be a non-empty string", key);
    *out = json_string_value(j);
    return 1;
}

/* Optional array whose items all satisfy `is_ok`. */
static int check_array(const vctx *v, json_t *obj, const char *key, int (*is_ok)(json_t *),
                       const char *what, size_t min_items)
{
    json_t *a = json_object_get(obj, key);
    if (!a) {
        if (min_items)
            return verr(v, "missing key '%s'", key);
        return 1;
    }
    if (!json_is_array(a))
        return verr(v, "'%s' must be an array of %s", key, what);
    if (json_array_size(a) < min_items)
        return verr(v, "'%s' needs at least %zu item(s)", key, min_items);
    size_t i;
    json_t *item;
    json_array_foreach(a, i, item)
    {
        if (!is_ok(item))
            return verr(v, "'%s'[%zu] must be %s", key, i, what);
    }
    return 1;
}

static int is_nonempty_string(json_t *j)
{
    return json_is_string(j) && json_string_length(j) > 0;
}

static int is_string(json_t *j)
{
    return json_is_string(j);
}

static int is_int(json_t *j)
{
    return json_is_integer(j);
}

static int is_hresult(json_t *j)
{
    if (!json_is_string(j))
        return 0;
    const char *s = json_string_value(j);
    if (strncmp(s, "0x", 2) != 0 || !s[2])
        return 0;
    for (const char *p = s + 2; *p; p++)
        if (!isdigit((unsigned char)*p) && !(*p >= 'A' && *p <= 'F'))
            return 0;
    return strlen(s) <= 10;
}

static int is_ep_code(json_t *j)
{
    if (!json_is_string(j))
        return 0;
    const char *s = json_string_value(j);
    return strlen(s) >= 3 && isupper((unsigned char)s[0]) && isupper((unsigned char)s[1]);
}

/* Checks that `id` uses only [a-z0-9._-]. */
static int id_ok(const char *id)
{
    if (!*id)
        return 0;
    for (const char *p = id; *p; p++)
        if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '.' ||
              *p == '_' || *p == '-'))
            return 0;
    return 1;
}

/* Parses an enum-valued string member; returns the index or -1 after reporting. */
static int need_enum(const vctx *v, json_t *obj, const char *key, const char *const *names,
                     int n)
{
    const char *s;
    if (!need_string(v, obj, key, &s))
        return -1;
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    char allowed[256] = "";
    for (int i = 0; i < n; i++) {
        strncat(allowed, names[i], sizeof allowed - strlen(allowed) - 1);
        if (i + 1 < n)
            strncat(allowed, ", ", sizeof allowed - strlen(allowed) - 1);
    }
    verr(v, "'%s' is \"%s\"; expected one of: %s", key, s, allowed);
    return -1;
}

/* Parses an outcome name. */
static int parse_outcome(const char *s, asr_outcome *out)
{
    for (int i = 0; i <= ASR_OUTCOME_FAILED; i++)
        if (strcmp(outcome_names[i], s) == 0) {
            *out = (asr_outcome)i;
            return 1;
        }
    return 0;
}

/* Fills sig->exit_outcomes from "outcome_by_exit_code". */
static int load_exit_outcomes(const vctx *v, json_t *obj, asr_signature *sig)
{
    json_t *m = json_object_get(obj, "outcome_by_exit_code");
    sig->default_exit_outcome = ASR_OUTCOME_FAILED;
    if (!m) {
        if (sig->effect == ASR_EFFECT_ATTEMPT_END)
            return verr(v, "attempt-end signatures need 'outcome_by_exit_code'");
        return 1;
    }
    if (!json_is_object(m))
        return verr(v, "'outcome_by_exit_code' must be an object");
    sig->exit_outcomes = calloc(json_object_size(m) + 1, sizeof *sig->exit_outcomes);
    if (!sig->exit_outcomes)
        return verr(v, "out of memory");
    const char *key;
    json_t *val;
    json_object_foreach(m, key, val)
    {
        asr_outcome o;
        if (!json_is_string(val) || !parse_outcome(json_string_value(val), &o))
            return verr(v, "outcome_by_exit_code[\"%s\"] must be an outcome name", key);
        if (strcmp(key, "default") == 0) {
            sig->default_exit_outcome = o;
            continue;
        }
        char *end;
        long long code = strtoll(key, &end, 10);
        if (!*key || *end)
            return verr(v, "outcome_by_exit_code key \"%s\" is not an integer", key);
        sig->exit_outcomes[sig->n_exit_outcomes].code = code;
        sig->exit_outcomes[sig->n_exit_outcomes].outcome = o;
        sig->n_exit_outcomes++;
    }
    return 1;
}

/* Validates "remediation" (required for failure and warning signatures). */
static int check_remediation(const vctx *v, json_t *obj, asr_effect effect)
{
    json_t *r = json_object_get(obj, "remediation");
    if (!r) {
        if (effect == ASR_EFFECT_FAILURE || effect == ASR_EFFECT_WARNING)
            return verr(v, "missing key 'remediation' (required for %s signatures)",
                        asr_effect_name(effect));
        return 1;
    }
    if (!json_is_object(r))
        return verr(v, "'remediation' must be an object");
    const char *s;
    if (!need_string(v, r, "summary", &s))
        return 0;
    if (!check_array(v, r, "steps", is_nonempty_string, "a non-empty string", 1))
        return 0;
    if (!check_array(v, r, "commands", is_nonempty_string, "a non-empty string", 0))
        return 0;
    json_t *ref = json_object_get(r, "reference");
    if (ref && !json_is_string(ref))
        return verr(v, "'remediation.reference' must be a string");
    return 1;
}

/* Validates "examples". */
static int check_examples(const vctx *v, json_t *obj)
{
    json_t *e = json_object_get(obj, "examples");
    if (!e)
        return verr(v, "missing key 'examples'");
    if (!json_is_object(e))
        return verr(v, "'examples' must be an object with 'match' and 'nomatch'");
    if (!check_array(v, e, "match", is_string, "a string", 1))
        return 0;
    if (!check_array(v, e, "nomatch", is_string, "a string", 1))
        return 0;
    return 1;
}

/* Compiles sig->extract (if any) with PCRE2 and JIT. */
static int compile_extract(vctx *v, json_t *obj, asr_signature *sig)
{
    json_t *x = json_object_get(obj, "extract");
    if (!x)
        return 1;
    if (!json_is_string(x) || json_string_length(x) == 0)
        return verr(v, "'extract' must be a non-empty string");
    int errcode;
    PCRE2_SIZE erroff;
    sig->extract = pcre2_compile((PCRE2_SPTR)json_string_value(x), json_string_length(x), 0,
                                 &errcode, &erroff, NULL);
    if (!sig->extract) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(errcode, msg, sizeof msg);
        v->extract_failed = 1;
        return verr(v, "extract: PCRE2 error at offset %zu: %s", (size_t)erroff, (char *)msg);
    }
    /* JIT is an optimisation only: when it is unavailable the interpreter is used. */
    (void)pcre2_jit_compile(sig->extract, PCRE2_JIT_COMPLETE);
    return 1;
}

/* Parses "log_types" into a bit mask. */
static int load_log_types(const vctx *v, json_t *obj, asr_signature *sig)
{
    json_t *a = json_object_get(obj, "log_types");
    if (!a)
        return 1;
    if (!json_is_array(a))
        return verr(v, "'log_types' must be an array of log type names");
    size_t i;
    json_t *item;
    json_array_foreach(a, i, item)
    {
        asr_log_type t = json_is_string(item) ? asr_log_type_parse(json_string_value(item))
                                              : ASR_LOG__COUNT;
        if (t == ASR_LOG__COUNT)
            return verr(v, "'log_types'[%zu] is not a known log type (see patterns/README.md)",
                        i);
        sig->log_type_mask |= 1u << t;
    }
    return 1;
}

/* Parses "flags". */
static int load_flags(const vctx *v, json_t *obj, asr_signature *sig)
{
    sig->hs_flags = HS_FLAG_MULTILINE;
    json_t *a = json_object_get(obj, "flags");
    if (!a)
        return 1;
    if (!json_is_array(a))
        return verr(v, "'flags' must be an array");
    size_t i;
    json_t *item;
    json_array_foreach(a, i, item)
    {
        if (json_is_string(item) && strcmp(json_string_value(item), "caseless") == 0)
            sig->hs_flags |= HS_FLAG_CASELESS;
        else
            return verr(v, "'flags'[%zu]: only \"caseless\" is supported", i);
    }
    return 1;
}

void asr_signature_clear(asr_signature *s)
{
    if (!s->borrowed) {
        free(s->id);
        free(s->title);
        free(s->family);
        free(s->severity);
        free(s->source_file);
        free(s->match);
    }
    free(s->exit_outcomes);
    if (s->extract)
        pcre2_code_free(s->extract);
    json_decref(s->json);
    pcre2_code *lx = atomic_load(&s->lazy_extract);
    if (lx)
        pcre2_code_free(lx);
    json_decref(atomic_load(&s->lazy_json));
    memset(s, 0, sizeof *s);
}

pcre2_code *asr_sig_extract(const asr_signature *sig)
{
    if (sig->extract || !sig->extract_src)
        return sig->extract;
    asr_signature *s = (asr_signature *)sig; /* only the atomic cache is written */
    pcre2_code *have = atomic_load(&s->lazy_extract);
    if (have)
        return have;
    int ec;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)sig->extract_src, PCRE2_ZERO_TERMINATED, 0, &ec,
                                   &off, NULL);
    if (!re)
        return NULL; /* cannot happen for a blob made from a validated catalogue */
    (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    pcre2_code *expected = NULL;
    if (!atomic_compare_exchange_strong(&s->lazy_extract, &expected, re)) {
        pcre2_code_free(re); /* another thread was first */
        return expected;
    }
    return re;
}

json_t *asr_sig_json(const asr_signature *sig)
{
    if (sig->json || !sig->json_text)
        return sig->json;
    asr_signature *s = (asr_signature *)sig; /* only the atomic cache is written */
    json_t *have = atomic_load(&s->lazy_json);
    if (have)
        return have;
    json_t *obj = json_loadb(sig->json_text, sig->json_len, 0, NULL);
    if (!obj)
        return NULL;
    json_t *expected = NULL;
    if (!atomic_compare_exchange_strong(&s->lazy_json, &expected, obj)) {
        json_decref(obj);
        return expected;
    }
    return obj;
}

/* Validates one signature object and fills `sig`. Returns 1 on success, 0 with v->diag set. */
static int load_signature(vctx *v, json_t *obj, const char *family, asr_signature *sig)
{
    const asr_source *src = v->src;
    if (!json_is_object(obj))
        return verr(v, "must be an object");
    json_t *idj = json_object_get(obj, "id");
    if (idj && json_is_string(idj))
        v->id = json_string_value(idj);
    const char *key;
    json_t *val;
    json_object_foreach(obj, key, val)
    {
        if (!key_allowed(key))
            return verr(v, "unknown key '%s'", key);
    }
    const char *id, *title, *match;
    if (!need_string(v, obj, "id", &id))
        return 0;
    if (!id_ok(id))
        return verr(v, "'id' may only use lower-case letters, digits, '.', '_' and '-'");
    if (!need_string(v, obj, "title", &title) || !need_string(v, obj, "match", &match))
        return 0;
    static const char *const severities[] = {"error", "warning", "info"};
    static const char *const oses[] = {"any", "windows", "linux"};
    int sev, eff, os;
    if ((sev = need_enum(v, obj, "severity", severities, 3)) < 0 ||
        (eff = need_enum(v, obj, "effect", effect_names, ASR_EFFECT__COUNT)) < 0 ||
        (os = need_enum(v, obj, "os", oses, 3)) < 0)
        return 0;
    json_t *spec = json_object_get(obj, "specificity");
    if (!spec || !json_is_integer(spec) || json_integer_value(spec) < 0 ||
        json_integer_value(spec) > 100)
        return verr(v, "'specificity' must be an integer from 0 to 100");
    if (!check_array(v, obj, "error_ids", is_int, "an integer", 0) ||
        !check_array(v, obj, "exit_codes", is_int, "an integer", 0) ||
        !check_array(v, obj, "ep_codes", is_ep_code, "a code such as \"EP0858\"", 0) ||
        !check_array(v, obj, "hresults", is_hresult,
                     "\"0x\" followed by upper-case hex digits", 0) ||
        !check_array(v, obj, "error_names", is_nonempty_string, "a non-empty string", 0))
        return 0;
    sig->effect = (asr_effect)eff;
    sig->os = os == 1 ? ASR_OS_WINDOWS : os == 2 ? ASR_OS_LINUX : ASR_OS_ANY;
    sig->specificity = (int)json_integer_value(spec);
    if (!check_remediation(v, obj, sig->effect) || !check_examples(v, obj) ||
        !load_log_types(v, obj, sig) || !load_flags(v, obj, sig) ||
        !load_exit_outcomes(v, obj, sig) || !compile_extract(v, obj, sig))
        return 0;
    sig->id = asr_strdup(id);
    sig->title = asr_strdup(title);
    sig->family = asr_strdup(family);
    sig->severity = asr_strdup(severities[sev]);
    sig->source_file = asr_strdup(src->name);
    sig->match = asr_strdup(match);
    sig->json = json_incref(obj);
    if (!sig->id || !sig->title || !sig->family || !sig->severity || !sig->source_file ||
        !sig->match)
        return verr(v, "out of memory");
    return 1;
}

asr_error asr_signature_parse(const asr_source *src, size_t index, json_t *obj,
                              const char *family, asr_signature *sig, asr_diag *diag)
{
    vctx v = {src, index, NULL, diag, 0};
    if (load_signature(&v, obj, family, sig))
        return ASR_OK;
    return v.extract_failed ? ASR_ERR_COMPILE : ASR_ERR_CATALOG;
}

asr_error asr_catalog_parse_file(const asr_source *src, json_t **root, const char **family,
                                 json_t **sigs, int *json_ok, asr_diag *diag)
{
    json_error_t jerr;
    json_t *r = json_loadb(src->text, src->len, JSON_REJECT_DUPLICATES, &jerr);
    if (json_ok)
        *json_ok = r != NULL;
    if (!r) {
        diag_at(diag, src, jerr.line, jerr.column, "invalid JSON: %s", jerr.text);
        return ASR_ERR_CATALOG;
    }
    json_t *fam = json_object_get(r, "family");
    json_t *arr = json_object_get(r, "signatures");
    if (!json_is_object(r) || !json_is_string(fam) || !json_is_array(arr)) {
        diag_at(diag, src, 1, 1,
                "a catalogue file is an object with \"family\" (string) and \"signatures\" "
                "(array)");
        json_decref(r);
        return ASR_ERR_CATALOG;
    }
    *root = r;
    *family = json_string_value(fam);
    *sigs = arr;
    return ASR_OK;
}

/* ------------------------------------------------------------------------------------------ */

typedef struct sig_vec {
    asr_signature *v;
    size_t n, cap;
} sig_vec;

/* Index of the signature with `id`, or -1. */
static long find_id(const sig_vec *sv, const char *id)
{
    for (size_t i = 0; i < sv->n; i++)
        if (strcmp(sv->v[i].id, id) == 0)
            return (long)i;
    return -1;
}

/* Parses one JSON file and appends (or, for user files, overrides) its signatures. */
static asr_error load_file(const asr_source *src, int builtin, size_t first_user, sig_vec *sv,
                           asr_diag *diag)
{
    json_t *root, *sigs;
    const char *family;
    if (asr_catalog_parse_file(src, &root, &family, &sigs, NULL, diag) != ASR_OK)
        return ASR_ERR_CATALOG;
    asr_error err = ASR_ERR_CATALOG;
    size_t i;
    json_t *obj;
    json_array_foreach(sigs, i, obj)
    {
        asr_signature sig;
        memset(&sig, 0, sizeof sig);
        if (asr_signature_parse(src, i, obj, family, &sig, diag) != ASR_OK) {
            asr_signature_clear(&sig);
            goto out;
        }
        long at = find_id(sv, sig.id);
        if (at >= 0 && (builtin || (size_t)at >= first_user)) {
            int line, col;
            asr_signature_locate(src, i, sig.id, 0, &line, &col);
            diag_at(diag, src, line, col, "duplicate signature id '%s' (first in %s)", sig.id,
                    sv->v[at].source_file);
            asr_signature_clear(&sig);
            goto out;
        }
        if (at >= 0) { /* a user signature overrides a built-in one with the same id */
            asr_signature_clear(&sv->v[at]);
            sv->v[at] = sig;
            continue;
        }
        if (sv->n == sv->cap) {
            asr_signature *p = asr_grow(sv->v, &sv->cap, sizeof *p, 64);
            if (!p) {
                asr_signature_clear(&sig);
                err = ASR_ERR_NOMEM;
                goto out;
            }
            sv->v = p;
        }
        sv->v[sv->n++] = sig;
    }
    err = ASR_OK;
out:
    json_decref(root);
    return err;
}

/* Builds the Hyperscan database; on error names the signature. */
static asr_error compile_database(asr_catalog *cat, const asr_source *files, size_t n_files,
                                  asr_diag *diag)
{
    size_t n = cat->n_sigs;
    const char **exprs = calloc(n ? n : 1, sizeof *exprs);
    unsigned *flags = calloc(n ? n : 1, sizeof *flags);
    unsigned *ids = calloc(n ? n : 1, sizeof *ids);
    asr_error err = ASR_ERR_NOMEM;
    if (!exprs || !flags || !ids)
        goto out;
    for (size_t i = 0; i < n; i++) {
        exprs[i] = cat->sigs[i].match;
        flags[i] = cat->sigs[i].hs_flags;
        ids[i] = (unsigned)i;
    }
    hs_compile_error_t *cerr = NULL;
    if (hs_compile_multi(exprs, flags, ids, (unsigned)n, HS_MODE_BLOCK, NULL, &cat->db, &cerr) !=
        HS_SUCCESS) {
        err = ASR_ERR_COMPILE;
        if (diag) {
            int idx = cerr ? cerr->expression : -1;
            if (idx >= 0 && (size_t)idx < n) {
                const asr_signature *s = &cat->sigs[idx];
                const asr_source *src = NULL;
                for (size_t f = 0; f < n_files; f++)
                    if (strcmp(files[f].name, s->source_file) == 0)
                        src = &files[f];
                int line = 1, col = 1;
                if (src)
                    asr_signature_locate(src, 0, s->id, 0, &line, &col);
                snprintf(diag->text, sizeof diag->text,
                         "%s:%d:%d: signature '%s': match: Hyperscan cannot compile it: %s",
                         s->source_file, line, col, s->id, cerr ? cerr->message : "?");
            } else {
                snprintf(diag->text, sizeof diag->text, "Hyperscan compile failed: %s",
                         cerr ? cerr->message : "?");
            }
        }
        hs_free_compile_error(cerr);
        goto out;
    }
    err = ASR_OK;
out:
    free(exprs);
    free(flags);
    free(ids);
    return err;
}

asr_error asr_catalog_load(const asr_source *files, size_t n_files, size_t n_builtin,
                           asr_catalog **out, asr_diag *diag)
{
    return asr_catalog_open(files, n_files, n_builtin, NULL, out, diag);
}

asr_error asr_catalog_open(const asr_source *files, size_t n_files, size_t n_builtin,
                           const asr_catalog_opts *opts, asr_catalog **out, asr_diag *diag)
{
    static const asr_catalog_opts defaults;
    if (!opts)
        opts = &defaults;
    if (!files || !out)
        return ASR_ERR_ARG;
    *out = NULL;
    asr_catalog *cat = calloc(1, sizeof *cat);
    char fh[33];
    if (!cat || !(cat->hash = malloc(17))) {
        free(cat);
        return ASR_ERR_NOMEM;
    }
    asr_catalog_files_hash(files, n_files, fh);
    memcpy(cat->hash, fh, 16);
    cat->hash[16] = '\0';
    asr_catalog_key_from_hash(fh, cat->cache_key);
    const char *refused = NULL;
    if (!opts->no_database) {
        /* a sound cache blob replaces parsing, validating and compiling altogether */
        size_t len = 0;
        const void *blob = opts->find_blob ? opts->find_blob(opts->find_ctx, cat->cache_key, &len)
                                           : NULL;
        refused = asr_catalog_from_blob(cat, blob, blob ? len : 0, opts->db_blob_keep);
        if (!refused) {
            cat->db_cached = 1;
            *out = cat;
            return ASR_OK;
        }
    }
    sig_vec sv = {0};
    asr_error err = ASR_OK;
    size_t first_user = 0;
    for (size_t i = 0; i < n_files; i++) {
        int builtin = i < n_builtin;
        if (i == n_builtin)
            first_user = sv.n;
        err = load_file(&files[i], builtin, builtin ? 0 : first_user, &sv, diag);
        if (err)
            break;
    }
    if (!err && sv.n == 0) {
        if (diag)
            snprintf(diag->text, sizeof diag->text, "the catalogue holds no signature");
        err = ASR_ERR_CATALOG;
    }
    if (err) {
        for (size_t i = 0; i < sv.n; i++)
            asr_signature_clear(&sv.v[i]);
        free(sv.v);
        asr_catalog_free(cat);
        return err;
    }
    cat->sigs = sv.v;
    cat->n_sigs = sv.n;
    if (!opts->no_database) {
        cat->db_refused = refused;
        err = compile_database(cat, files, n_files, diag);
    }
    if (err) {
        asr_catalog_free(cat);
        return err;
    }
    *out = cat;
    return ASR_OK;
}

void asr_catalog_free(asr_catalog *cat)
{
    if (!cat)
        return;
    for (size_t i = 0; i < cat->n_sigs; i++)
        asr_signature_clear(&cat->sigs[i]);
    free(cat->sigs);
    if (cat->db)
        hs_free_database(cat->db);
    free(cat->hash);
    free(cat->blob);
    free(cat);
}

size_t asr_catalog_count(const asr_catalog *cat)
{
    return cat ? cat->n_sigs : 0;
}

const char *asr_catalog_hash(const asr_catalog *cat)
{
    return cat ? cat->hash : "";
}
