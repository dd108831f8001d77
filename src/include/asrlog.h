/*
 * asrlog.h — public API of libasrlog.
 *
 * Lifecycle, in reading order:
 *   1. asr_catalog_load()      patterns/<family>.json -> immutable, compiled catalogue (share it).
 *   2. asr_scanner_new()       one per worker thread: Hyperscan scratch + PCRE2 match data.
 *   3. asr_analysis_new()      the per-run state that collects inputs and findings.
 *   4. for each input: asr_input_begin() -> asr_input_feed()* -> asr_input_end()
 *      (raw bytes in: gzip, UTF-16 and line endings are handled inside).
 *   5. asr_analysis_report()   classify and build the report (a jansson object, the contract
 *                              of DESIGN.md); the caller renders it in any format.
 *                              asr_analysis_finish() builds the last one with less memory.
 *   6. free in reverse order.
 *
 * Ownership: every asr_..._new / asr_..._load returns an object the caller frees with the matching *_free.
 * Strings passed in are copied. Objects returned through `json_t **` carry a new reference.
 * The library never prints, never exits and never opens a file it was not handed.
 * Every function that can fail returns an asr_error; on failure outputs are left untouched
 * (or NULL) and `diag`, when given, holds a human readable message.
 */
#ifndef ASRLOG_H
#define ASRLOG_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ASRLOG_VERSION "0.1.0"

/* The one error enum of the library. */
typedef enum asr_error {
    ASR_OK = 0,
    ASR_ERR_NOMEM,        /* allocation failed */
    ASR_ERR_ARG,          /* invalid argument from the caller */
    ASR_ERR_IO,           /* reading a catalogue file failed */
    ASR_ERR_CATALOG,      /* catalogue is invalid (diag says file:line:column) */
    ASR_ERR_COMPILE,      /* Hyperscan or PCRE2 refused an expression */
    ASR_ERR_DECODE,       /* input is corrupt (truncated gzip, …); data before it was kept */
    ASR_ERR_LIMIT,        /* a configured limit was reached; data before it was kept */
    ASR_ERR_SCAN,         /* Hyperscan scan call failed */
    ASR_ERR_NOT_FOUND,    /* lookup found nothing */
    ASR_ERR_PARTIAL,      /* a partial result (scan --partial) is damaged or from another
                             catalogue (diag says why) */
    ASR_ERR__COUNT
} asr_error;

/* Writes "Hyperscan 5.4.0 …, PCRE2 10.42 …, zlib 1.2.13, jansson 2.14" into buf (truncated
 * to `size`): the engines this build runs on, for --version and the benchmark. */
void asr_engine_versions(char *buf, size_t size);

/* Returns a static, human readable text for `err`. Never NULL. */
const char *asr_strerror(asr_error err);

/* A diagnostic buffer: filled by failing calls with "file:line:column: message" or similar. */
typedef struct asr_diag {
    char text[1024];
} asr_diag;


/* ---- catalogue ------------------------------------------------------------------------ */

/* One catalogue file held in memory: `name` is used in diagnostics ("patterns/vss.json"). */
typedef struct asr_source {
    const char *name;
    const char *text;
    size_t len;
} asr_source;

typedef struct asr_catalog asr_catalog;

/*
 * asr_catalog_load — validates and compiles catalogue files.
 * files[0..n_builtin) are the built-in catalogue (duplicate ids are an error); the files after
 * them are user files whose signatures extend the catalogue or replace a built-in one with the
 * same id. Returns ASR_ERR_CATALOG / ASR_ERR_COMPILE with "file:line:column: message" in diag.
 * The caller frees *out with asr_catalog_free().
 */
asr_error asr_catalog_load(const asr_source *files, size_t n_files, size_t n_builtin,
                           asr_catalog **out, asr_diag *diag);
void asr_catalog_free(asr_catalog *cat);

/* Options of asr_catalog_open(); zero-initialise for the defaults. */
typedef struct asr_catalog_opts {
    /* Finds the cache blob (what asr_catalog_save_db() wrote) for `key`, the
     * asr_catalog_cache_key() of the files, which the library computes once: returns its
     * bytes and sets *len, or returns NULL. Called at most once, before anything is compiled.
     * NULL: no cache. */
    const void *(*find_blob)(void *ctx, const char *key, size_t *len);
    void *find_ctx;
    int no_database;       /* 1: validate and load only, build no Hyperscan database (such a
                              catalogue can describe and explain, not scan or test) */
    int db_blob_keep;      /* 1: the blob stays valid and unchanged until asr_catalog_free(),
                              so a catalogue read from it points into it instead of copying */
} asr_catalog_opts;

/*
 * asr_catalog_open — asr_catalog_load() with options. A cache blob is never trusted: it is used
 * only when its header names this exact catalogue, asrlog database format, Hyperscan version
 * and CPU platform, its checksum holds and Hyperscan accepts it; otherwise the database is
 * compiled as usual (asr_catalog_db_cached() then says why the blob was refused).
 */
asr_error asr_catalog_open(const asr_source *files, size_t n_files, size_t n_builtin,
                           const asr_catalog_opts *opts, asr_catalog **out, asr_diag *diag);

/*
 * asr_catalog_cache_key — the name under which the compiled database of `files` may be cached
 * on this machine: 32 hex digits derived from the files (names and bytes), the database format,
 * the Hyperscan version and the CPU platform. Not a cryptographic digest.
 */
asr_error asr_catalog_cache_key(const asr_source *files, size_t n_files, char key[33]);

/* Did the database come from the blob? When not and `why` is given, *why is a static reason
 * ("no cache", "checksum mismatch", …). */
int asr_catalog_db_cached(const asr_catalog *cat, const char **why);

/*
 * asr_catalog_save_db — the compiled database with a validating header, ready to be written to
 * a cache file. *out is malloc'd (free it with free()). ASR_ERR_ARG without a database.
 */
asr_error asr_catalog_save_db(const asr_catalog *cat, void **out, size_t *len);

/* Number of signatures. */
size_t asr_catalog_count(const asr_catalog *cat);

/* A stable hex digest of the catalogue's files (names and bytes). Owned by the catalogue. */
const char *asr_catalog_hash(const asr_catalog *cat);

/*
 * asr_catalog_describe — signature number i as a JSON object: its catalogue entry plus
 * "family" and "file". New reference; NULL when i is out of range or memory is short.
 */
json_t *asr_catalog_describe(const asr_catalog *cat, size_t i);

/*
 * asr_catalog_explain — every signature that `query` names: a signature id, a portal ErrorID
 * (95107), an installer exit code (45), an HRESULT (0x8004E00F, case-insensitive, or its signed
 * decimal), an EP code (EP0858) or an errors-JSON name. *out is a new JSON array (most specific
 * first); ASR_ERR_NOT_FOUND when nothing matches.
 */
asr_error asr_catalog_explain(const asr_catalog *cat, const char *query, json_t **out);

/*
 * asr_catalog_test — runs every example line of every signature: each `match` line must hit
 * the signature (and its `extract`, when present), each `nomatch` line must not. *failures is
 * a new JSON array of {"file","signature","kind","line","problem"}; *examples counts the lines.
 */
asr_error asr_catalog_test(const asr_catalog *cat, json_t **failures, size_t *examples);

/*
 * asr_catalog_lint — checks the files that asr_catalog_load() would read (same `files`,
 * `n_builtin`), but reports every problem instead of stopping at the first: invalid JSON and
 * schema mistakes (one per file or signature, which is then left out), duplicate ids, user
 * signatures that replace a built-in one (a note), extract expressions PCRE2 refuses and
 * match expressions Hyperscan refuses (with the engine's reason), failing examples, and pairs
 * of failure/warning signatures that hit the same example line at the same specificity with
 * overlapping log types and OS (a warning: neither wins the root cause by rule).
 * *out is a new JSON object:
 *   {"findings": [{"file", "line", "column", "severity": "error"|"warning"|"note",
 *                  "ids": [...], "code", "message"}],
 *    "errors": N, "warnings": N, "notes": N, "signatures": N, "examples": N}
 * with findings sorted by file (in `files` order), line and column. Codes: invalid-json,
 * schema, duplicate-id, override, pcre2-compile, hs-compile, example-fails, ambiguous, empty.
 * `builtin` (optional) is the catalogue loaded from files[0..n_builtin) alone, e.g. with its
 * database from the cache: when it holds exactly the signatures those files define, its
 * database finds them and only the other signatures are compiled. NULL: all are compiled.
 * Returns ASR_OK whenever the check ran, whatever it found; ASR_ERR_ARG, ASR_ERR_NOMEM or
 * ASR_ERR_SCAN otherwise.
 */
asr_error asr_catalog_lint(const asr_source *files, size_t n_files, size_t n_builtin,
                           const asr_catalog *builtin, json_t **out);

/* ---- scanning --------------------------------------------------------------------------- */

typedef struct asr_scanner asr_scanner;
typedef struct asr_input asr_input;
typedef struct asr_analysis asr_analysis;

/* A per-thread scanner (Hyperscan scratch, PCRE2 match data). Free with asr_scanner_free. */
asr_error asr_scanner_new(const asr_catalog *cat, asr_scanner **out);

/* What is kept of the matched lines; 0 in a field means its default. Counts of hits are
 * always exact, whatever is kept. */
typedef struct asr_limits {
    uint32_t evidence_max;        /* bytes of a matched line kept as evidence (default 1024,
                                     at least 64) */
    uint32_t kept_per_signature;  /* evidence lines kept per signature and input (default 64);
                                     markers and logs of many hosts keep up to 100000 */
} asr_limits;

/* asr_scanner_set_limits — the limits for the inputs this scanner starts from now on. */
asr_error asr_scanner_set_limits(asr_scanner *s, const asr_limits *lim);
void asr_scanner_free(asr_scanner *s);

/* What the caller knows about an input before reading it. */
typedef struct asr_input_info {
    const char *path;       /* shown in the report, e.g. "corpus/WEB01/ASRSetupLogs/x.log" */
    const char *arg_host;   /* host from --host or --host-pattern, or NULL */
    const char *path_host;  /* host from a per-host folder or archive, or NULL */
    uint64_t max_decoded;   /* decoded byte cap for this input; 0 = none */
} asr_input_info;

/*
 * asr_input_new — starts reading one input with `scanner` (which must outlive the input until
 * asr_input_end returns). Feed it raw bytes with asr_input_feed, then call asr_input_end.
 * A scanner reads one input at a time: end an input before starting the next on it.
 */
asr_error asr_input_new(asr_scanner *scanner, const asr_input_info *info, asr_input **out);

/*
 * asr_input_feed — raw bytes (any split): gzip, BOMs, UTF-16 and line endings are handled.
 * ASR_ERR_DECODE / ASR_ERR_LIMIT mean the rest of this input is ignored (what was read counts).
 */
asr_error asr_input_feed(asr_input *in, const void *data, size_t len);

/* asr_input_end — scans what is left. Returns the first error the input met, if any. */
asr_error asr_input_end(asr_input *in);

/*
 * asr_input_set_status — marks an input that could not be read ("skipped" or "unreadable")
 * with a reason. Such an input is still listed in the report.
 */
asr_error asr_input_set_status(asr_input *in, const char *status, const char *reason);

void asr_input_free(asr_input *in);

/*
 * Large files in parallel. A plain UTF-8 file (not gzip, not UTF-16) may be cut after any
 * "\n" into pieces read by different threads: piece 0 is an ordinary input (asr_input_new)
 * told the file's head with asr_input_set_head(), every later piece an asr_input_new_part();
 * once all have ended, merging the parts into piece 0 in file order gives exactly the input
 * one thread would have read. Piece 0 must hold at least the file's first 256 bytes: the
 * decoder decides the encoding on them.
 */

/* asr_input_splittable — may a file whose first bytes are head[0..len) be cut into pieces?
 * Needs at least 256 bytes of head (less means the file is too small to be worth it: 0). */
int asr_input_splittable(const void *head, size_t len);

/*
 * asr_input_set_head — for piece 0 of a file read in pieces, before its first feed: `head`
 * holds the file's first bytes (as for asr_input_new_part). The log type, when the name does
 * not give it, is then decided on the file's head, as every piece and a one-pass reading
 * decide it, rather than on the text of piece 0 alone (which may end before the lines that
 * tell). ASR_ERR_ARG after a feed.
 */
asr_error asr_input_set_head(asr_input *in, const void *head, size_t head_len);

/*
 * asr_input_new_part — an input for a later piece of the file `info` names. `head` holds the
 * file's first bytes (up to 256 KiB; they decide the log type exactly as piece 0 does). Feed
 * the piece's raw bytes and end it like any input; then give it to asr_input_merge.
 */
asr_error asr_input_new_part(asr_scanner *scanner, const asr_input_info *info, const void *head,
                             size_t head_len, asr_input **out);

/*
 * asr_input_merge — appends an ended part to the ended input `whole` (piece 0 or the merge of
 * the pieces before it): line numbers, record context, counts and kept evidence continue as if
 * one thread had read both. Takes ownership of `part` (freed, also on failure).
 */
asr_error asr_input_merge(asr_input *whole, asr_input *part);

/*
 * Following a live log (asrlog scan --follow). The input of a file that keeps growing is fed
 * as bytes arrive and never ended; each attempt that ends in it is taken out as an input of its
 * own, which an analysis turns into that attempt's verdict. The live input then holds only
 * the attempt in progress, so its memory does not grow with the file.
 */

/*
 * asr_input_take_ended — scans every complete line fed to `in` so far (an incomplete last line
 * waits for its newline) and takes out the first ended attempt, if any: an attempt-end hit
 * (exit-code or completion line) and every hit before it, up to the next attempt start. When
 * no attempt start follows yet, the attempt is taken only with `all` (the caller has read
 * everything there is for now); hits that arrive later before the next attempt start are that
 * attempt's tail and are dropped. *out is an ended input (same path, hosts, log type and line
 * numbers) for asr_analysis_add, or NULL when no attempt has ended; call again until NULL.
 * Logs of many hosts whose jobs interleave (push_service, portal_error) have no attempts to
 * take: their hits are dropped. After asr_input_end (the file is complete; its last line
 * counted even without a newline) it takes what is left. Not for an input read in pieces
 * (ASR_ERR_ARG). Returns ASR_ERR_NOMEM (the input is unchanged) or ASR_ERR_SCAN.
 */
asr_error asr_input_take_ended(asr_input *in, int all, asr_input **out);

/* asr_input_log_type — the input's log type as the report names it ("linux_install",
 * "push_service", …; "unknown" until content decides it). Owned by the library. */
const char *asr_input_log_type(const asr_input *in);

/* ---- analysis and report ---------------------------------------------------------------- */

asr_error asr_analysis_new(const asr_catalog *cat, asr_analysis **out);

/* Adds a finished input; the analysis takes ownership (also on failure). */
asr_error asr_analysis_add(asr_analysis *a, asr_input *in);

/*
 * asr_analysis_report — classifies every host and returns the report document of DESIGN.md
 * ("asrlog_version", "inputs", "summary", "hosts"). Inputs and hosts are in a deterministic
 * order. *out is a new reference.
 */
asr_error asr_analysis_report(asr_analysis *a, json_t **out);

/*
 * asr_analysis_finish — asr_analysis_report() for the last report of an analysis: the same
 * document, built while the inputs are freed (their hits once the hosts are written, each
 * input once its "inputs" entry is), so that the inputs and the report are never both held
 * whole; with many files that halves the peak memory. Afterwards, even after a failure, the
 * analysis holds no input: only asr_analysis_free() may follow. *out is a new reference.
 */
asr_error asr_analysis_finish(asr_analysis *a, json_t **out);

void asr_analysis_free(asr_analysis *a);

/*
 * Partial results (`asrlog scan --partial`, `asrlog merge`): a shard's inputs, each saved as
 * one JSON object after it ended, and added to another analysis later. An analysis built from
 * the saved inputs of every shard reports exactly what one analysis of all inputs reports,
 * provided both use the same catalogue (the caller checks asr_catalog_hash). The object's
 * fields are documented in docs/partial-format.md.
 */

/* asr_analysis_count — how many inputs were added to `a`. */
size_t asr_analysis_count(const asr_analysis *a);

/* asr_analysis_input_json — the i-th added input (in the order added) as a new JSON object
 * (*out, a new reference). ASR_ERR_ARG when i is out of range. */
asr_error asr_analysis_input_json(const asr_analysis *a, size_t i, json_t **out);

/*
 * asr_analysis_add_json — rebuilds an input from an object that asr_analysis_input_json made
 * (with the same catalogue) and adds it to `a`. ASR_ERR_PARTIAL, with `diag` saying which
 * field is wrong, when the object is not such an input; nothing is added then.
 */
asr_error asr_analysis_add_json(asr_analysis *a, const json_t *obj, asr_diag *diag);

/* ---- unclassified failures ---------------------------------------------------------------- */

/*
 * asr_template_signature — a ready-to-edit catalogue file (JSON: family "local", one
 * signature) from one entry of a report's "unclassified" array: the match expression follows
 * the template from its first word (the time-stamp prefix is left out, masked parts become
 * character classes), the examples are the entry's real lines, and a near miss is made by
 * dropping the first word. Title and remediation say TODO. ASR_ERR_ARG when the entry lacks
 * "id", "template" or "examples", or the template has no word. *out is a new reference.
 */
asr_error asr_template_signature(const json_t *entry, json_t **out);

/* ---- redaction -------------------------------------------------------------------------- */

/*
 * A redactor replaces the identifying values of reports with keyed pseudonyms: host names,
 * IPv4/IPv6 addresses, account user and domain names, e-mail addresses and passphrase file
 * paths, wherever they appear (host fields, aliases, input and evidence paths, evidence lines,
 * extracted fields). The same key gives the same pseudonym for the same value (ASCII case
 * ignored) in every report: "host-" / "user-" / "domain-" / "path-" + 8 hex digits of
 * HMAC-SHA256(key, "<kind>:<value>"), "mail-<8 hex>@example.invalid", and addresses from
 * 240.0.0.0/4 (reserved) and 2001:db8::/32 (documentation). The catalogue's own text
 * (titles, remediation) and enumerations (outcome, signature, …) are left as they are.
 * The caller supplies the key (random bytes, or a key file's contents); the redactor keeps
 * what it replaced so that asr_redactor_map() can give the owner the way back.
 */
typedef struct asr_redactor asr_redactor;

/* asr_redactor_new — a redactor keyed with key[0..key_len) (copied; key_len >= 1). */
asr_error asr_redactor_new(const void *key, size_t key_len, asr_redactor **out);

/*
 * asr_redact_report — rewrites `report` (as built by asr_analysis_report) in place. Verdicts,
 * counts and the document's shape are unchanged. May be called for several reports; values
 * accumulate. On failure the report may be partly rewritten: do not publish it.
 */
asr_error asr_redact_report(asr_redactor *r, json_t *report);

/*
 * asr_redactor_map — what was replaced so far: {"format": "asrlog-redact-map/1",
 * "pseudonyms": {PSEUDONYM: {"kind", "original", "seen_as": [every spelling replaced]}}}.
 * *out is a new reference.
 */
asr_error asr_redactor_map(const asr_redactor *r, json_t **out);

/* asr_redactor_free — frees the redactor and wipes its key. NULL is allowed. */
void asr_redactor_free(asr_redactor *r);

#ifdef __cplusplus
}
#endif

#endif /* ASRLOG_H */
