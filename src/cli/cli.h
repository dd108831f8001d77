/*
 * cli.h — pieces of the asrlog command shared between its source files.
 */
#ifndef ASR_CLI_H
#define ASR_CLI_H

#include <stdio.h>

#include "asrlog.h"

/* Documented exit codes of the asrlog command. */
enum {
    EXIT_CLEAN = 0,       /* no failed host */
    EXIT_FAILURES = 1,    /* at least one host failed */
    EXIT_USAGE = 2,       /* bad command line or catalogue */
    EXIT_UNREADABLE = 3,  /* some inputs could not be read (the others were analysed) */
    EXIT_INTERNAL = 4     /* out of memory or another internal error */
};

/* Options of `asrlog scan` that the input walker needs. */
typedef struct scan_opts {
    const char *host;          /* --host */
    const char *host_pattern;  /* --host-pattern */
    int follow_symlinks;       /* --follow-symlinks */
    int progress;              /* show progress on stderr */
} scan_opts;

/*
 * scan_paths — reads every PATH (file, directory walked recursively, or "-" for stdin) and adds
 * one input per file to `analysis`. Unreadable paths become inputs with status "unreadable"
 * and a reason. Returns ASR_OK, or an error that stopped the whole scan (out of memory, a bad
 * --host-pattern: then `diag` says why).
 */
asr_error scan_paths(const asr_catalog *cat, asr_analysis *analysis, char **paths, int n_paths,
                     const scan_opts *opts, asr_diag *diag);

/* Colour choice for text output. */
typedef struct text_style {
    int color;
} text_style;

/* Writes the human report. Returns 0 on success, -1 on a write error. */
int render_text(FILE *out, json_t *report, const text_style *style);

/* Writes one ECS event per host verdict. Returns 0 on success, -1 on a write error. */
int render_ndjson(FILE *out, json_t *report);

#endif
