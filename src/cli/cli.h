/*
 * cli.h — pieces of the asrlog command shared between its source files.
 */
#ifndef ASR_CLI_H
#define ASR_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "asrlog.h"

/* Documented exit codes of the asrlog command. */
enum {
    EXIT_CLEAN = 0,       /* no failed host */
    EXIT_FAILURES = 1,    /* at least one host failed */
    EXIT_USAGE = 2,       /* bad command line or catalogue */
    EXIT_UNREADABLE = 3,  /* some inputs could not be read (the others were analysed) */
    EXIT_INTERNAL = 4,    /* out of memory or another internal error */
    EXIT_OUTPUT = 5       /* the report could not be written or sent (--syslog, -o) */
};

/* The compiled-database cache (--no-cache, --cache-dir). */
typedef struct cache_opts {
    int disabled;              /* --no-cache */
    const char *dir;           /* --cache-dir, or NULL for the default folder */
} cache_opts;

/*
 * open_catalog — asr_catalog_open() with the on-disk database cache of cache.c: reads
 * DIR/<key>.hsdb when present and writes it after a compile. need_db == 0 builds no database
 * (and touches no cache). Errors are the library's, with `diag` filled.
 */
asr_error open_catalog(const asr_source *files, size_t n_files, size_t n_builtin,
                       const cache_opts *co, int need_db, asr_catalog **out, asr_diag *diag);

/* Options of `asrlog scan` that the input walker needs. */
typedef struct scan_opts {
    const char *host;          /* --host */
    const char *host_pattern;  /* --host-pattern */
    int follow_symlinks;       /* --follow-symlinks */
    int progress;              /* show progress on stderr */
    int jobs;                  /* worker threads (--jobs), at least 1 */
    uint64_t piece_bytes;      /* --split-size: piece size for large files */
    uint64_t max_decoded;      /* --max-decompressed: decoded text read per input, 0 = all */
    asr_limits limits;         /* --max-evidence-line, --max-kept-hits */
    int max_archive_depth;     /* --max-archive-depth: archives opened inside archives, 1.. */
} scan_opts;

/* Default of --max-decompressed: far above any real log, low enough that a gzip bomb ends. */
#define DEFAULT_MAX_DECODED (8ull << 30)

/* What a worker does with one queued input. */
typedef enum job_kind {
    JOB_UNREAD,   /* list it with `status` and `why`, read nothing */
    JOB_FILE,     /* read a regular file (or one piece of it) */
    JOB_STDIN,    /* read standard input */
    JOB_ARCHIVE   /* read every entry of a .zip/.tar/.tar.gz (archive.c): several inputs */
} job_kind;

/* Large plain-text files are read in pieces by several workers: a file of at least
 * SPLIT_FACTOR pieces' worth of bytes (--split-size, default DEFAULT_PIECE_BYTES) is cut. */
#define DEFAULT_PIECE_BYTES (16ull << 20)
#define SPLIT_FACTOR 4
#define MAX_PIECES 4096

/* One queued input (or piece of one). Strings are owned, except `status` (static). */
typedef struct job {
    job_kind kind;
    char *path;            /* shown in the report and opened */
    const char *status;    /* JOB_UNREAD: "skipped" or "unreadable" */
    char *why;             /* JOB_UNREAD: the reason */
    char *host;            /* host from --host-pattern, or NULL */
    char *path_host;       /* host from the folder layout, or NULL */
    uint64_t size;         /* size when walked (pieces are cut from it) */
    int piece, n_pieces;   /* this job reads piece `piece` of `n_pieces` */
    asr_input *result;     /* set by the worker */
    asr_input **entries;   /* JOB_ARCHIVE: one input per entry, in archive order */
    size_t n_entries, cap_entries;
    asr_error err;         /* an error that must stop the scan (out of memory, scan failure) */
} job;

typedef struct job_list {
    job *v;
    size_t n, cap;
} job_list;

void job_list_free(job_list *l);

/*
 * list_paths — walks PATHs as a scan would and writes, instead of reading them, one JSON line
 * per input to `out`: {"path", "bytes", "host"?, "folder_host"?} for a file or archive,
 * {"path", "status", "reason"} for one that would be listed unread (scan --list).
 * ASR_ERR_ARG with diag filled on a bad --host-pattern or "-".
 */
asr_error list_paths(char **paths, int n_paths, const scan_opts *opts, FILE *out,
                     asr_diag *diag);

/*
 * scan_list — scans the inputs named by the lines of a list_paths output (any subset, in any
 * order; "-" reads the list from standard input) with the hosts written there, then adds them
 * to `analysis` (scan --from-list). ASR_ERR_ARG with "FILE:LINE: what" in diag for a bad line.
 */
asr_error scan_list(const asr_catalog *cat, asr_analysis *analysis, const char *list_file,
                    const scan_opts *opts, asr_diag *diag);

/* Names and folders the walker and the archive reader judge alike (inputs.c). */
int is_archive_name(const char *name);
int is_documentation(const char *path);
int is_system_folder(const char *name, size_t n);
char *machine_folder_host(const char *rel);

/* Default of --max-archive-depth: an archive, an archive in it and one more level. */
#define DEFAULT_ARCHIVE_DEPTH 3

/*
 * listed_input — an input that is listed, not read: `path` with `status` ("skipped" or
 * "unreadable") and the reason `why`, ended and ready for the analysis (*out). Only
 * ASR_ERR_NOMEM fails.
 */
asr_error listed_input(asr_scanner *sc, const char *path, const char *status, const char *why,
                       asr_input **out);

/*
 * run_archive — reads every entry of the archive job `j` with `sc` (buffer `buf`, `len`
 * bytes), appending one input per regular entry to j->entries, named "ARCHIVE!ENTRY"; archives
 * inside it are opened in memory up to opts->max_archive_depth levels in all. Links, devices, encrypted or
 * unreadable entries and a damaged archive are listed with their reason; nothing is ever
 * written to disk. Returns ASR_ERR_NOMEM or ASR_ERR_SCAN only.
 */
asr_error run_archive(asr_scanner *sc, job *j, const scan_opts *opts, unsigned char *buf,
                      size_t len);

/*
 * run_jobs — reads every job with opts->jobs worker threads (each with its own scanner), then
 * merges the pieces of split files and adds the inputs to `analysis` in list order, so the
 * report does not depend on the number of threads. Shows progress on stderr when asked.
 */
asr_error run_jobs(const asr_catalog *cat, asr_analysis *analysis, job_list *jobs,
                   const scan_opts *opts);

/*
 * scan_paths — reads every PATH (file, directory walked recursively, or "-" for stdin) and adds
 * one input per file to `analysis`. Unreadable paths become inputs with status "unreadable"
 * and a reason. Returns ASR_OK, or an error that stopped the whole scan (out of memory, a bad
 * --host-pattern: then `diag` says why).
 */
asr_error scan_paths(const asr_catalog *cat, asr_analysis *analysis, char **paths, int n_paths,
                     const scan_opts *opts, asr_diag *diag);

/*
 * export_patterns — writes every signature's match expression, one per line, as `fmt`:
 * "hs-regex" (PCRE syntax, for rg -f) or "ere" (GNU grep -E -f). -1 for another fmt or a
 * write error.
 */
int export_patterns(FILE *out, const asr_catalog *cat, const char *fmt);

/* Colour choice for text output. */
typedef struct text_style {
    int color;
} text_style;

/* Writes the human report. Returns 0 on success, -1 on a write error. */
int render_text(FILE *out, json_t *report, const text_style *style);

/* Writes one ECS event per host verdict, then one per unclassified failure template. Returns 0
 * on success, -1 on a write error. */
int render_ndjson(FILE *out, json_t *report);

/* SIEM formats (README.md, "SIEM output"): one event or row per host verdict; cef, hec and
 * sentinel add one per unclassified failure template. Each returns 0, or -1 on a write error
 * or when out of memory. */
int render_cef(FILE *out, json_t *report);      /* ArcSight CEF lines (render_cef.c) */
int render_hec(FILE *out, json_t *report);      /* Splunk HEC event objects (render_hec.c) */
int render_sentinel(FILE *out, json_t *report); /* Logs Ingestion API arrays (render_sentinel.c) */
int render_csv(FILE *out, json_t *report);      /* RFC 4180 rows (render_csv.c) */

/* A renderer whose output is one line per host, as --syslog sends them. */
typedef int (*syslog_renderer)(FILE *out, json_t *report);

/* syslog_check_url — checks a --syslog address (tcp://HOST[:PORT] or udp://HOST[:PORT]).
 * Returns 0, or -1 with the reason in `why`. */
int syslog_check_url(const char *url, char *why, size_t n);

/*
 * syslog_send_report — sends one RFC 5424 message per host of `report` to `url`, the message
 * being that host's line from `render` (syslog_send.c), then one per unclassified failure
 * template. Returns 0, or -1 with the reason in `why` (the caller names the address).
 */
int syslog_send_report(const char *url, syslog_renderer render, json_t *report, char *why,
                       size_t n);

/* Writes the support-ticket report in GitHub-flavoured Markdown (render_markdown.c).
 * Returns 0 on success, -1 on a write error or when out of memory. */
int render_markdown(FILE *out, json_t *report);

/* Writes the support-ticket report as one self-contained HTML page: inline CSS and SVG, no
 * script, nothing fetched (render_html.c). Returns 0, or -1 on a write error or out of memory. */
int render_html(FILE *out, json_t *report);

/* ---- writing the report out (output.c) ---------------------------------------------------- */

/* write_all — writes every byte to fd, retrying short writes. Returns 0 or an errno. */
int write_all(int fd, const void *data, size_t len);

/* A file written all at once: a temporary file beside the target, renamed over it when
 * complete; devices and FIFOs are written in place. Zero-initialised = nothing open. */
typedef struct atomic_file {
    int open;
    int fd;
    char *tmp;     /* the temporary file, or NULL when writing in place */
    char *target;  /* the file it replaces (symbolic links resolved) */
} atomic_file;

/*
 * atomic_open — prepares to write PATH: creates the temporary file now, so that a missing
 * folder or a read-only place is reported before any work. `private_file` makes the result
 * 0600; otherwise an existing file keeps its permissions and a new one gets 0666 & ~umask.
 * Returns 0 or an errno.
 */
int atomic_open(atomic_file *f, const char *path, int private_file);

/* atomic_commit — writes data, syncs, closes and renames into place. Returns 0 or an errno;
 * on failure the temporary file is removed and the target is as it was. */
int atomic_commit(atomic_file *f, const void *data, size_t len);

/* atomic_abort — closes and removes what atomic_open created, if anything. */
void atomic_abort(atomic_file *f);

/* Where a scan's report goes: renderers write to `mem`; sink_commit sends it to -o FILE or
 * standard output. Zero-initialised = nothing open. */
typedef struct report_sink {
    const char *target;  /* -o FILE, or NULL for standard output */
    atomic_file file;
    FILE *mem;           /* a memory stream (open_memstream) */
    char *buf;
    size_t len;
} report_sink;

/* sink_open — 0, or an exit code after printing "asrlog: cannot write FILE: reason". */
int sink_open(report_sink *s, const char *target);

/*
 * sink_commit — writes the rendered report. Returns 0, or EXIT_OUTPUT after printing
 * "asrlog: cannot write FILE|standard output: reason" — except when standard output is a pipe
 * whose reader has gone (EPIPE, `| head`), which ends quietly with EXIT_OUTPUT.
 */
int sink_commit(report_sink *s);

/* sink_close — frees the sink and removes an uncommitted temporary file. */
void sink_close(report_sink *s);

/* finish_stdout — flushes stdio's standard output at exit: `rc` when fine, else EXIT_OUTPUT
 * (with a message, unless the reader of a pipe has gone). */
int finish_stdout(int rc);

/* ---- partial results (partial_io.c) ------------------------------------------------------ */

/* The version of the partial result format this asrlog writes and reads. */
#define PARTIAL_FORMAT 1

/*
 * partial_write — writes every input of `an` to FILE (atomically) as a partial result that
 * `asrlog merge` reads. Returns 0, or an exit code after printing why (EXIT_OUTPUT: cannot
 * write FILE).
 */
int partial_write(const char *file, const asr_catalog *cat, const asr_analysis *an);

/*
 * partial_read — adds the inputs of partial result FILE to `an`. Returns 0; EXIT_USAGE after
 * printing why when FILE cannot be opened, is not a partial result, or was written with
 * another catalogue; EXIT_UNREADABLE when it is damaged (the inputs before the damage are
 * added, and FILE itself is added as an unreadable input with the reason); EXIT_INTERNAL.
 */
int partial_read(const char *file, const asr_catalog *cat, asr_analysis *an);

/* ---- --redact (redact_cli.c) ----------------------------------------------------------------- */

/* The redaction options of `asrlog scan` and their state. Zero-initialise. */
typedef struct redaction {
    int on;                /* --redact (implied by the two options below) */
    const char *key_file;  /* --redact-key-file: the key is this file's bytes */
    const char *map_file;  /* --redact-map: pseudonym -> original, JSON, mode 0600 */
    asr_redactor *r;
    atomic_file map;
} redaction;

/* redaction_start — before scanning: the key (file, else random), the redactor, and the map's
 * temporary file. Returns 0, or an exit code after printing why (2: bad key file). */
int redaction_start(redaction *rd);

/* redaction_apply — rewrites the report in place. 0, or EXIT_INTERNAL after printing why. */
int redaction_apply(redaction *rd, json_t *report);

/* redaction_save_map — writes --redact-map once the report is out. 0, or an exit code after
 * printing "asrlog: cannot write FILE: reason". */
int redaction_save_map(redaction *rd);

/* redaction_end — frees everything and removes an unsaved map file. */
void redaction_end(redaction *rd);

/* ---- --follow (follow.c) ---------------------------------------------------------------------- */

/* What `asrlog scan --follow` needs besides the catalogue and the paths. */
typedef struct follow_opts {
    const scan_opts *scan;     /* --host, --host-pattern, --follow-symlinks, limits */
    const char *syslog_url;    /* --syslog: send the events there instead of standard output */
    redaction *red;            /* --redact state (applied to every verdict), or NULL */
} follow_opts;

/*
 * follow_paths — follows every PATH like `tail -F` until SIGINT or SIGTERM (or, when "-" is
 * the only PATH, until standard input ends): a file (waited for when missing), a folder (the
 * files in it now and later, not recursive) or "-". Each attempt that ends is written at once
 * as the ndjson events of its verdict (or sent to --syslog). Returns the exit code: 0, 1 when
 * a failed verdict was written, 3 when some path could not be read, 4 or 5 after printing why.
 */
int follow_paths(const asr_catalog *cat, char **paths, int n_paths, const follow_opts *fo);

/* ---- helpers of main.c that other commands share ------------------------------------------ */

/* The user catalogue files of one --patterns DIR: v[0..n) point into `bufs` (owned). */
typedef struct user_files {
    asr_source *v;
    size_t n;
    char **bufs;
} user_files;

/* load_user_dir — reads every .json file of DIR (sorted by name) into `uf`. Returns 0, or -1
 * after printing why ("asrlog: --patterns DIR: reason"); free `uf` with free_user_files()
 * in both cases. */
int load_user_dir(const char *dir, user_files *uf);
void free_user_files(user_files *uf);

/* opt_value — matches "--name VALUE", "--name=VALUE" (and `shortname`, e.g. "-f VALUE" or
 * "-fVALUE"); advances *i past a separate value. Returns 1 when it matched; exits with
 * EXIT_USAGE when the value is missing. */
int opt_value(int argc, char **argv, int *i, const char *name, const char *shortname,
              const char **val);

/* unknown_option — prints "asrlog CMD: unknown option 'OPT' …" and exits with EXIT_USAGE. */
void unknown_option(const char *cmd, const char *opt);

/* check_format — exits with EXIT_USAGE after naming the allowed formats when `fmt` is not one
 * of `allowed` (NULL-terminated). */
void check_format(const char *cmd, const char *fmt, const char *const *allowed);

/* write_json — JSON with two-space indentation and a final newline. 0, or -1 on error. */
int write_json(FILE *out, json_t *j);

/* ---- asrlog signatures lint (lint_cli.c) --------------------------------------------------- */

/* cmd_signatures_lint — `asrlog signatures lint`; argv[0] is "lint". Returns the exit code. */
int cmd_signatures_lint(int argc, char **argv);

#endif
