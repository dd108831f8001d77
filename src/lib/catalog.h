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
