/*
 * analysis.h — internal state shared by scan.c (per-input scanning) and classify.c
 * (hosts, attempts, verdicts, report).
 */
#ifndef ASR_ANALYSIS_H
#define ASR_ANALYSIS_H

#include "asrlog.h"
#include "catalog.h"
#include "decode.h"
#include "logtype.h"
#include "util.h"

/* One recorded signature hit (at most one per signature and line). */
typedef struct asr_hit {
    uint32_t sig;
    uint64_t line;        /* 1-based line number in the decoded input */
    int64_t tid;          /* push logs: thread id of the record the line belongs to, else -1 */
    asr_time time;        /* push logs: record time; attempt-start: the start time */
    char *text;           /* the line, valid UTF-8, at most the input's evidence_max bytes */
    json_t *fields;       /* extracted named groups, or NULL */
    uint8_t no_record;    /* push logs: no record header was seen before it in its input part
                             (asr_input_merge gives it the previous part's open record) */
    uint8_t field_time;   /* `time` came from an extracted "started" field */
    uint64_t weight;      /* hits this entry stands for: itself and the ones after it that were
                             counted but not kept (same input, signature and attempt) */
} asr_hit;

/* Per-input count of one signature (all hits, stored or not). */
typedef struct asr_sig_count {
    uint32_t sig;
    uint64_t count;
    uint32_t stored;      /* kept since the last attempt start of this input */
    size_t last;          /* index in hits of its last kept hit, or SIZE_MAX */
} asr_sig_count;

#define ASR_EVIDENCE_MAX 1024      /* default asr_limits.evidence_max */
#define ASR_STORED_PER_SIG 64      /* default asr_limits.kept_per_signature: failure, warning
                                      and success hits kept per input and signature */
#define ASR_STORED_MARKERS 100000  /* markers and context hits kept per input and signature, and
                                      every hit of a log that speaks of many hosts */
#define ASR_STORED_TOTAL 1000000   /* hits kept per input, all signatures together */

struct asr_input {
    const asr_catalog *cat;
    asr_scanner *scanner;
    char *path;             /* as shown in the report */
    char *arg_host;         /* host given by argument / --host-pattern, or NULL */
    char *path_host;        /* host from the per-host folder layout, or NULL */
    asr_log_type log_type;
    char *file_host;        /* "<HOST>_<log name>" prefix, or NULL */
    asr_time name_time;     /* Backup\ / UploadedLogs\ time prefix of the name */
    char *base_name;        /* file name without directories */
    char *status;           /* "analyzed" | "skipped" | "unreadable" */
    char *reason;
    uint64_t bytes_in, bytes, lines;
    asr_decoder *decoder;   /* the scanner's, while the input is read; NULL once it ended */
    const char *encoding;   /* what the decoder found (static string) */
    asr_buf pending;        /* decoded text not yet scanned (an incomplete line) */
    uint64_t base_offset;   /* absolute decoded offset of pending.data[0] */
    int sniffed;
    /* push logs: the record header that continues into the next block */
    int carry_found;
    int64_t carry_tid;
    asr_time carry_time;
    int is_part;            /* a piece of a larger input (asr_input_new_part) */
    int tail_taken;         /* asr_input_take_ended: the last attempt taken had no start after
                               it, so hits before the next attempt start are its tail */
    asr_limits limits;      /* the scanner's when the input started, defaults filled in */
    asr_hit *hits;
    size_t n_hits, cap_hits;
    asr_sig_count *counts;
    size_t n_counts, cap_counts;
    asr_error error;        /* first error that stopped the input */
};

/* Per-thread scanner. */
typedef struct asr_match {
    uint32_t id;
    uint32_t pad;
    uint64_t to;
} asr_match;

struct asr_scanner {
    const asr_catalog *cat;
    asr_decoder *decoder;   /* reused by every input this scanner reads, one after the other */
    asr_limits limits;      /* defaults filled in */
    hs_scratch_t *scratch;
    pcre2_match_data *md;
    uint64_t *last_end;     /* per signature: absolute end offset of the last recorded line */
    asr_match *matches;
    size_t n_matches, cap_matches;
    int match_oom;
    json_t *field_cache;    /* extracted field objects already made, by their text: hits with
                               equal fields share one object (intern_fields) */
    /* the block being scanned (valid during scan_block) */
    const char *block;
    size_t block_len;
    uint64_t block_base;
};

/* Signature id -> index of a catalogue, for reading partial results (partial.c). */
typedef struct asr_sig_ids asr_sig_ids;
void asr_sig_ids_free(asr_sig_ids *ids);

struct asr_analysis {
    const asr_catalog *cat;
    struct asr_input **inputs;
    size_t n_inputs, cap_inputs;
    asr_sig_ids *ids;       /* built by the first asr_analysis_add_json, or NULL */
};

#endif
