/*
 * catalog.h — internal view of the compiled signature catalogue.
 *
 * The catalogue is immutable once asr_catalog_load() returns: every worker thread may read it
 * at the same time. Scratch space and match data live in asr_scanner (scan.c).
 */
#ifndef ASR_CATALOG_H
#define ASR_CATALOG_H

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
    pcre2_code *extract;      /* NULL when none */
    uint32_t log_type_mask;   /* 0 = any log type */
    json_t *json;             /* the signature object as loaded (error_ids, remediation, …) */
    asr_exit_outcome *exit_outcomes;
    size_t n_exit_outcomes;
    asr_outcome default_exit_outcome;
} asr_signature;

struct asr_catalog {
    asr_signature *sigs;
    size_t n_sigs;
    hs_database_t *db;
    char *hash;               /* hex digest of every file's bytes, in load order */
};

/* Effect/outcome names as they appear in JSON. */
const char *asr_effect_name(asr_effect e);
const char *asr_outcome_name(asr_outcome o);
const char *asr_os_name(asr_os os);

/*
 * asr_signature_exit_outcome — the outcome an attempt-end signature assigns to `exit_code`.
 */
asr_outcome asr_signature_exit_outcome(const asr_signature *sig, int64_t exit_code);

#endif
