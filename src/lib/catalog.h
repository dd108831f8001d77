/*
 * catalog.h — internal view of the compiled signature catalogue.
 *
 * The catalogue is immutable once asr_catalog_load() returns: every worker thread may read it
 * at the same time. Scratch space and match data live in asr_scanner (scan.c).
 */
#ifndef ASR_CATALOG_H
#define ASR_CATALOG_H

#include <stdatomic.h>
#include <stdint.h>
#include <hs/hs.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "asrlog.h"
#include "logtype.h"

typedef enum asr_effect {
    ASR_EFFECT_FAILURE = 0,
    ASR_EFFECT_WARNING,
    ASR_EFFECT_SUCCESS,
    ASR_EFFECT_ATTEMPT_START,
    ASR_EFFECT_ATTEMPT_END,
    ASR_EFFECT_CONTEXT,
    ASR_EFFECT_FAILURE_LINE, /* generic failure wording: clustered for unclassified hosts */
    ASR_EFFECT__COUNT
} asr_effect;

typedef enum asr_outcome {
    ASR_OUTCOME_UNKNOWN = 0,
    ASR_OUTCOME_SUCCEEDED,
    ASR_OUTCOME_SUCCEEDED_WITH_WARNINGS,
    ASR_OUTCOME_FAILED
} asr_outcome;

typedef enum asr_os { ASR_OS_ANY = 0, ASR_OS_WINDOWS, ASR_OS_LINUX } asr_os;

/* exit code -> outcome, for attempt-end signatures */
typedef struct asr_exit_outcome {
    int64_t code;
    asr_outcome outcome;
} asr_exit_outcome;

typedef struct asr_signature {
    char *id;
    char *title;
    char *family;
    char *severity;           /* "error" | "warning" | "info" */
    char *source_file;        /* e.g. "patterns/vss.json" */
    asr_effect effect;
    int specificity;
    asr_os os;
    char *match;
    unsigned hs_flags;
    pcre2_code *extract;      /* compiled at load from JSON; NULL when none or from a blob */
    uint32_t log_type_mask;   /* 0 = any log type */
    json_t *json;             /* the signature object as loaded from JSON (NULL from a blob) */
    /* Loaded from a cache blob: the strings above point into the catalogue's copy of the blob,
     * and the extract and the JSON object are made on first use (asr_sig_extract/asr_sig_json),
     * from these texts, by whichever thread needs them first. */
    int borrowed;
    const char *extract_src;
    const char *json_text;
    size_t json_len;
    _Atomic(pcre2_code *) lazy_extract;
    _Atomic(json_t *) lazy_json;
    asr_exit_outcome *exit_outcomes;
    size_t n_exit_outcomes;
    asr_outcome default_exit_outcome;
} asr_signature;

struct asr_catalog {
    asr_signature *sigs;
    size_t n_sigs;
    hs_database_t *db;
    char *hash;               /* hex digest of every file's bytes, in load order */
    char cache_key[33];       /* asr_catalog_cache_key() of the files */
    unsigned char *blob;      /* our copy of the cache blob the signatures were read from, or
                                 NULL (none, or the caller keeps it: db_blob_keep) */
    int db_cached;            /* db came from a cache blob */
    const char *db_refused;   /* static reason a given blob was not used, or NULL */
};

/*
 * asr_catalog_from_blob — checks a cache blob against cat->cache_key and, when it is sound,
 * fills cat->db and cat->sigs from it (no JSON parsing, no compiling). Returns NULL on
 * success, else a static reason for refusing it, with `cat` left as it was (catalog_cache.c).
 */
const char *asr_catalog_from_blob(asr_catalog *cat, const void *blob, size_t len, int keep);

/* The signature's compiled `extract` (NULL when it has none), compiled on first use for a
 * signature read from a cache blob. Safe from several threads. */
pcre2_code *asr_sig_extract(const asr_signature *sig);

/* The signature's JSON object (error_ids, remediation, examples, …), parsed on first use for a
 * signature read from a cache blob. NULL only when memory is short. Safe from several threads. */
json_t *asr_sig_json(const asr_signature *sig);

/* Frees the members of one signature (catalog.c). */
void asr_signature_clear(asr_signature *s);

/*
 * asr_catalog_parse_file — parses one catalogue file: its JSON and its top level (an object
 * with "family" and "signatures"). On success *root is a new reference and *family and *sigs
 * point into it. Otherwise ASR_ERR_CATALOG with "file:line:column: message" in diag, and
 * *json_ok (when given) says whether the JSON itself was sound.
 */
asr_error asr_catalog_parse_file(const asr_source *src, json_t **root, const char **family,
                                 json_t **sigs, int *json_ok, asr_diag *diag);

/*
 * asr_signature_parse — validates signature number `index` of `src` (the JSON object `obj` of
 * family `family`) and fills `sig`, which the caller clears with asr_signature_clear() in
 * every case. Returns ASR_OK; ASR_ERR_COMPILE when only the `extract` expression was refused
 * by PCRE2; ASR_ERR_CATALOG for any other mistake. The first mistake found is in diag as
 * "file:line:column: signature 'id': message". The match expression is not compiled here.
 */
asr_error asr_signature_parse(const asr_source *src, size_t index, json_t *obj,
                              const char *family, asr_signature *sig, asr_diag *diag);

/* asr_signature_locate — line and column (1-based) of signature number `index` (with id `id`,
 * may be NULL) in `src`: its `"id": "<id>"` member (the nth one, from 0, when the file holds
 * the id several times) when found, else the index-th `"id"` key, else 1:1. */
void asr_signature_locate(const asr_source *src, size_t index, const char *id, size_t nth,
                          int *line, int *col);

/* One example line of a signature, as asr_examples_run() hands it over. */
typedef struct asr_example {
    size_t sig;                /* index of the signature the example belongs to */
    int nomatch;               /* 0: a `match` line, 1: a `nomatch` line */
    const char *text;          /* the line (NUL-terminated; `len` bytes) */
    size_t len;
    const unsigned char *seen; /* seen[k] != 0 when signature k hits the line (n_sigs entries) */
    const char *kind;          /* when the example fails: "match", "nomatch" or "extract" */
    const char *problem;       /* why it fails; NULL (and kind NULL) when it passes */
} asr_example;

/* Called for every example line; a result other than ASR_OK stops the walk and is returned. */
typedef asr_error (*asr_example_fn)(void *ctx, const asr_example *ex);

/* The signatures whose examples asr_examples_run() runs, and the databases that find them. */
typedef struct asr_example_set {
    const asr_signature *sigs;    /* n_sigs signatures */
    size_t n_sigs;
    const unsigned char *skip;    /* optional: skip[i] != 0 takes signature i out of the run
                                     (its examples are not run, its hits are ignored) */
    hs_database_t *const *dbs;    /* block databases whose expression ids index sigs */
    size_t n_dbs;                 /* at least 1 */
} asr_example_set;

/*
 * asr_examples_run — scans every example line of every signature of `set` with all of its
 * databases and calls fn for it, in signature order, `match` lines before `nomatch` lines.
 * *examples (optional) counts the lines. Returns ASR_OK, ASR_ERR_ARG, ASR_ERR_NOMEM,
 * ASR_ERR_SCAN, or fn's error. asr_catalog_test() is this walk over a catalogue's database.
 */
asr_error asr_examples_run(const asr_example_set *set, asr_example_fn fn, void *ctx,
                           size_t *examples);

/* The fast 128-bit hash of catalog_cache.c over the files, as 32 hex digits. */
void asr_catalog_files_hash(const asr_source *files, size_t n_files, char out[33]);

/* The cache key for files whose asr_catalog_files_hash() is `files_hash`. */
void asr_catalog_key_from_hash(const char files_hash[33], char key[33]);

/* Effect/outcome names as they appear in JSON. */
const char *asr_effect_name(asr_effect e);
const char *asr_outcome_name(asr_outcome o);
const char *asr_os_name(asr_os os);

/*
 * asr_signature_exit_outcome — the outcome an attempt-end signature assigns to `exit_code`.
 */
asr_outcome asr_signature_exit_outcome(const asr_signature *sig, int64_t exit_code);

#endif
