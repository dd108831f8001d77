/*
 * main.c — the asrlog command: `scan`, `explain`, `signatures`.
 *
 * The CLI owns options, files, output formats and exit codes; everything about signatures,
 * scanning and verdicts is in the library (src/lib).
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asrlog.h"
#include "builtin.h"
#include "cli.h"

static const char *prog = "asrlog";

static void usage_main(FILE *f)
{
    fprintf(f,
            "usage: asrlog <command> [options]\n"
            "\n"
            "Analyse Azure Site Recovery Mobility Service installation logs: outcome, root cause,\n"
            "evidence and fix for every host.\n"
            "\n"
            "commands:\n"
            "  scan [options] PATH...    analyse files, folders (recursively) or - (stdin)\n"
            "  explain ID                cause and fix for an ErrorID (95107), exit code (45),\n"
            "                            HRESULT (0x8004E00F), EP code (EP0858) or signature id\n"
            "  signatures [--test]       list the signature catalogue, or run its examples\n"
            "\n"
            "options for every command:\n"
            "  --patterns DIR            add the signatures in DIR/*.json (same id replaces)\n"
            "  --cache-dir DIR           where the compiled database is cached (default:\n"
            "                            $XDG_CACHE_HOME/asrlog or ~/.cache/asrlog)\n"
            "  --no-cache                compile the database, neither read nor write the cache\n"
            "  -h, --help                help for a command: asrlog scan --help\n"
            "  --version                 print the version\n"
            "\n"
            "exit codes: 0 no failed host, 1 failed hosts found, 2 usage or catalogue error,\n"
            "            3 some inputs unreadable (the rest was analysed), 4 internal error,\n"
            "            5 the report could not be written or sent\n");
}

static void usage_scan(FILE *f)
{
    fprintf(f,
            "usage: asrlog scan [options] PATH...\n"
            "\n"
            "Reads every PATH: a log file (plain or .gz, UTF-8 or UTF-16, CRLF or LF), a folder\n"
            "(walked recursively; a folder of one sub-folder per host names the hosts), or - for\n"
            "standard input. Prints a fleet summary and, for every failed or warned host, the root\n"
            "cause, evidence (file:line) and numbered remediation steps.\n"
            "\n"
            "options:\n"
            "  -f, --format FMT          text (default), json, ndjson, markdown, html, cef, hec, sentinel, csv\n"
            "                            (json: the report contract; ndjson: one ECS event per\n"
            "                            host; markdown, html: a report for a support ticket;\n"
            "                            cef: ArcSight CEF lines; hec: Splunk HEC events;\n"
            "                            sentinel: Log Analytics JSON arrays; csv: RFC 4180)\n"
            "  -o, --output FILE         write the report to FILE instead of standard output\n"
            "                            (all at once: FILE is replaced only when complete)\n"
            "  --redact                  replace host names, addresses, accounts, domains, e-mail\n"
            "                            addresses and passphrase paths with keyed pseudonyms\n"
            "  --redact-key-file FILE    the pseudonym key is FILE's bytes (default: random per\n"
            "                            run); implies --redact\n"
            "  --redact-map FILE         write pseudonym -> original as JSON, mode 0600; implies\n"
            "                            --redact\n"
            "  --syslog tcp://HOST:PORT  send one RFC 5424 message per host instead (also udp://;\n"
            "                            format cef unless --format ndjson; exit 5 if it fails)\n"
            "  --color[=WHEN]            auto (default: only on a terminal), always, never\n"
            "  --no-color                same as --color=never\n"
            "  --host NAME               every input belongs to host NAME\n"
            "  --host-pattern REGEX      host from the path relative to the scanned folder, via\n"
            "                            the named group (?<host>...), e.g. '^(?<host>[^/]+)/'\n"
            "  --follow-symlinks         follow symbolic links (default: list them as skipped)\n"
            "  --progress, --no-progress progress on standard error (default: on a terminal)\n"
            "  -q, --quiet               no progress\n"
            "  -j, --jobs N              worker threads (default: the online cores); the report\n"
            "                            is the same for every N\n"
            "  --split-size SIZE         with several jobs, plain-text files of 4 x SIZE or more\n"
            "                            are read in line-aligned pieces of SIZE (default 16M)\n"
            "limits (hit counts stay exact whatever is kept):\n"
            "  --max-decompressed SIZE   decoded text read per input (default 8G, 0: no limit);\n"
            "                            the rest is skipped and the input says why\n"
            "  --max-evidence-line N     bytes of a matched line kept as evidence (default 1K)\n"
            "  --max-archive-depth N     levels of archives opened, counting the outer one\n"
            "                            (default 3: a.zip!b.zip!c.tar.gz; deeper ones skipped)\n"
            "  --max-kept-hits N         evidence lines kept per signature and input\n"
            "                            (default 64; push-service logs keep up to 100000)\n"
            "  --patterns DIR            add the signatures in DIR/*.json\n"
            "  --cache-dir DIR, --no-cache   compiled-database cache (see asrlog --help)\n"
            "\n"
            "exit codes: 0 no failed host, 1 failed hosts found, 2 usage or catalogue error,\n"
            "            3 some inputs unreadable (the rest was analysed), 4 internal error,\n"
            "            5 the report could not be written or sent\n");
}

static void usage_explain(FILE *f)
{
    fprintf(f, "usage: asrlog explain [--format text|json] ID\n"
               "\n"
               "Looks ID up in the catalogue, offline: a portal ErrorID (95107), an installer exit\n"
               "code (45), an HRESULT (0x8004E00F or -2147164145), an EP code (EP0858), an\n"
               "errors-JSON name (ASRMobilityServiceKernelNotSupported) or a signature id.\n"
               "exit codes: 0 found, 1 nothing matches, 2 usage or catalogue error\n");
}

static void usage_signatures(FILE *f)
{
    fprintf(f, "usage: asrlog signatures [--test] [--format text|json] [--patterns DIR]\n"
               "       asrlog signatures --export hs-regex|ere\n"
               "\n"
               "Lists the catalogue (id, effect, specificity, ErrorIDs, title). With --test, runs\n"
               "every signature's match and nomatch examples and reports the ones that fail.\n"
               "With --export, prints every match expression, one per line: hs-regex (PCRE\n"
               "syntax, for rg -f) or ere (rewritten for GNU grep -E -f).\n"
               "exit codes: 0 all good, 1 some examples fail, 2 usage or catalogue error\n");
}

/* ------------------------------------------------------------------------------------------ */
/* catalogue */

typedef struct user_files {
    asr_source *v;
    size_t n;
    char **bufs;
} user_files;

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads a whole file into memory. Returns NULL and sets errno on failure. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
        if (n == cap) {
            char *p = realloc(buf, cap *= 2);
            if (!p) {
                free(buf);
                buf = NULL;
            }
            buf = p;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

/* Reads every .json file of DIR (sorted) as user catalogue files. Returns 0, or -1 after printing why. */
static int load_user_dir(const char *dir, user_files *uf)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "%s: --patterns %s: %s\n", prog, dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l > 5 && strcmp(e->d_name + l - 5, ".json") == 0) {
            char **p = realloc(names, (n + 1) * sizeof *p);
            if (!p)
                break;
            names = p;
            names[n++] = strdup(e->d_name);
        }
    }
    closedir(d);
    if (n > 1) /* no .json file leaves names NULL: qsort(NULL, …) is undefined */
        qsort(names, n, sizeof *names, cmp_name);
    uf->v = calloc(n + 1, sizeof *uf->v);
    uf->bufs = calloc(2 * n + 1, sizeof *uf->bufs);
    for (size_t i = 0; i < n; i++) {
        size_t plen = strlen(dir) + strlen(names[i]) + 2;
        char *path = malloc(plen);
        snprintf(path, plen, "%s/%s", dir, names[i]);
        size_t len = 0;
        char *text = slurp(path, &len);
        if (!text) {
            fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
            free(path);
            for (size_t k = i; k < n; k++)
                free(names[k]);
            free(names);
            return -1;
        }
        uf->v[uf->n].name = path;
        uf->v[uf->n].text = text;
        uf->v[uf->n].len = len;
        uf->bufs[2 * uf->n] = path;
        uf->bufs[2 * uf->n + 1] = text;
        uf->n++;
        free(names[i]);
    }
    free(names);
    return 0;
}

static void free_user_files(user_files *uf)
{
    for (size_t i = 0; uf->bufs && i < 2 * uf->n; i++)
        free(uf->bufs[i]);
    free(uf->bufs);
    free(uf->v);
}

/* --no-cache / --cache-dir, accepted by every command. */
static cache_opts g_cache;

/* Consumes a cache option at argv[*i]; returns 1 when it was one. */
static int cache_option(int argc, char **argv, int *i);

/* Loads the built-in catalogue plus --patterns DIR, with a Hyperscan database when `need_db`
 * (from the cache when it holds one). Prints diagnostics; NULL on failure. */
static asr_catalog *load_catalog(const char *user_dir, int need_db)
{
    user_files uf = {0};
    if (user_dir && load_user_dir(user_dir, &uf) != 0) {
        free_user_files(&uf);
        return NULL;
    }
    size_t n = asr_builtin_catalog_count + uf.n;
    asr_source *all = calloc(n + 1, sizeof *all);
    if (!all) {
        free_user_files(&uf);
        return NULL;
    }
    memcpy(all, asr_builtin_catalog, asr_builtin_catalog_count * sizeof *all);
    if (uf.n)
        memcpy(all + asr_builtin_catalog_count, uf.v, uf.n * sizeof *all);
    asr_catalog *cat = NULL;
    asr_diag diag = {""};
    asr_error err = open_catalog(all, n, asr_builtin_catalog_count, &g_cache, need_db, &cat,
                                 &diag);
    if (err)
        fprintf(stderr, "%s: %s\n", prog, diag.text[0] ? diag.text : asr_strerror(err));
    free(all);
    free_user_files(&uf);
    return cat;
}

/* ------------------------------------------------------------------------------------------ */
/* option parsing helpers */

/* Matches "--name" or "--name=value" (value into *val); "--name value" takes the next arg. */
static int opt_value(int argc, char **argv, int *i, const char *name, const char *shortname,
                     const char **val);

static int cache_option(int argc, char **argv, int *i)
{
    const char *v;
    if (strcmp(argv[*i], "--no-cache") == 0) {
        g_cache.disabled = 1;
        return 1;
    }
    if (opt_value(argc, argv, i, "--cache-dir", NULL, &v)) {
        g_cache.dir = v;
        return 1;
    }
    return 0;
}

static int opt_value(int argc, char **argv, int *i, const char *name, const char *shortname,
                     const char **val)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if ((shortname && strcmp(a, shortname) == 0) || strcmp(a, name) == 0) {
        if (*i + 1 >= argc) {
            fprintf(stderr, "%s: option %s needs a value (see --help)\n", prog, name);
            exit(EXIT_USAGE);
        }
        *val = argv[++*i];
        return 1;
    }
    if (strncmp(a, name, n) == 0 && a[n] == '=') {
        *val = a + n + 1;
        return 1;
    }
    /* "-j4": a one-letter short option with its value attached */
    if (shortname && strlen(shortname) == 2 && strncmp(a, shortname, 2) == 0 && a[2]) {
        *val = a + 2;
        return 1;
    }
    return 0;
}

static void unknown_option(const char *cmd, const char *opt)
{
    fprintf(stderr, "%s %s: unknown option '%s' (see '%s %s --help')\n", prog, cmd, opt, prog,
            cmd);
    exit(EXIT_USAGE);
}

/* Checks a --format value against the allowed list; exits with a usage error otherwise. */
static void check_format(const char *cmd, const char *fmt, const char *const *allowed)
{
    for (int i = 0; allowed[i]; i++)
        if (strcmp(fmt, allowed[i]) == 0)
            return;
    fprintf(stderr, "%s %s: unknown format '%s'; use one of:", prog, cmd, fmt);
    for (int i = 0; allowed[i]; i++)
        fprintf(stderr, " %s", allowed[i]);
    fprintf(stderr, "\n");
    exit(EXIT_USAGE);
}

/* Writes JSON with two-space indentation and a final newline. */
static int write_json(FILE *out, json_t *j)
{
    if (json_dumpf(j, out, JSON_INDENT(2)) != 0)
        return -1;
    return fputc('\n', out) == EOF ? -1 : 0;
}

/* ------------------------------------------------------------------------------------------ */
/* scan */

/* Exit code for a finished report. */
static int scan_exit_code(json_t *report)
{
    json_t *inputs = json_object_get(report, "inputs");
    size_t i;
    json_t *in;
    json_array_foreach(inputs, i, in)
    {
        if (strcmp(json_string_value(json_object_get(in, "status")), "unreadable") == 0)
            return EXIT_UNREADABLE;
    }
    json_int_t failed = json_integer_value(json_object_get(json_object_get(report, "summary"),
                                                           "failed"));
    return failed > 0 ? EXIT_FAILURES : EXIT_CLEAN;
}

/* Prints one warning line per unreadable input to stderr. */
static void warn_unreadable(json_t *report)
{
    size_t i;
    json_t *in;
    json_array_foreach(json_object_get(report, "inputs"), i, in)
    {
        const char *st = json_string_value(json_object_get(in, "status"));
        if (strcmp(st, "unreadable") == 0)
            fprintf(stderr, "%s: %s: %s\n", prog, json_string_value(json_object_get(in, "path")),
                    json_string_value(json_object_get(in, "reason")));
    }
}

/* Parses "123", "64K", "16M", "2G" (powers of 1024). 0 on success. */
static int parse_size(const char *v, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (end == v || errno || v[0] == '-')
        return -1;
    int shift = 0;
    switch (*end) {
    case '\0': break;
    case 'k': case 'K': shift = 10; break;
    case 'm': case 'M': shift = 20; break;
    case 'g': case 'G': shift = 30; break;
    default: return -1;
    }
    if (*end && end[1] && !(end[1] == 'B' && !end[2]) && !(end[1] == 'i' && end[2] == 'B' && !end[3]))
        return -1;
    if (shift && n > (~0ull >> shift))
        return -1;
    *out = (uint64_t)n << shift;
    return 0;
}

/* Online processor cores (the default of --jobs), at least 1. */
static int online_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 256 ? 256 : (int)n;
}

/*
 * check_syslog_args — validates --syslog against the other output options: the address must
 * parse, -o cannot be combined with it, and the format must be one line per host (cef, the
 * default, or ndjson). May set *format. Returns 0, or -1 after printing why.
 */
static int check_syslog_args(const char *url, const char **format, int format_given,
                             const char *output)
{
    char why[256];
    if (syslog_check_url(url, why, sizeof why) != 0) {
        fprintf(stderr, "%s scan: --syslog %s: %s\n", prog, url, why);
        return -1;
    }
    if (output) {
        fprintf(stderr, "%s scan: --syslog and --output cannot be used together\n", prog);
        return -1;
    }
    if (!format_given)
        *format = "cef";
    if (strcmp(*format, "cef") != 0 && strcmp(*format, "ndjson") != 0) {
        fprintf(stderr, "%s scan: --syslog sends --format cef or ndjson, not '%s'\n", prog,
                *format);
        return -1;
    }
    return 0;
}

/* Sends the report's events to a --syslog address. Returns the scan's exit code, or
 * EXIT_OUTPUT after printing why the sending failed. */
static int send_to_syslog(const char *url, const char *format, json_t *report)
{
    char why[512];
    syslog_renderer render = strcmp(format, "ndjson") == 0 ? render_ndjson : render_cef;
    if (syslog_send_report(url, render, report, why, sizeof why) != 0) {
        fprintf(stderr, "%s scan: --syslog %s: %s\n", prog, url, why);
        return EXIT_OUTPUT;
    }
    warn_unreadable(report);
    return scan_exit_code(report);
}

static int cmd_scan(int argc, char **argv)
{
    const char *format = "text", *color = "auto", *patterns = NULL, *output = NULL;
    const char *syslog_url = NULL; /* --syslog */
    redaction red = {0};           /* --redact, --redact-key-file, --redact-map */
    report_sink sink = {0};        /* -o FILE or standard output */
    int format_given = 0;
    scan_opts opts = {NULL, NULL, 0, -1, 0, 0, DEFAULT_MAX_DECODED, {0, 0},
                      DEFAULT_ARCHIVE_DEPTH};
    char **paths = calloc((size_t)argc + 1, sizeof *paths);
    int n_paths = 0, only_paths = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (only_paths || a[0] != '-' || strcmp(a, "-") == 0) {
            paths[n_paths++] = argv[i];
        } else if (strcmp(a, "--") == 0) {
            only_paths = 1;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage_scan(stdout);
            free(paths);
            return EXIT_CLEAN;
        } else if (opt_value(argc, argv, &i, "--format", "-f", &v)) {
            format = v;
            format_given = 1;
        } else if (opt_value(argc, argv, &i, "--output", "-o", &v)) {
            output = v;
        } else if (opt_value(argc, argv, &i, "--syslog", NULL, &v)) {
            syslog_url = v;
        } else if (strcmp(a, "--redact") == 0) {
            red.on = 1;
        } else if (opt_value(argc, argv, &i, "--redact-key-file", NULL, &v)) {
            red.key_file = v;
        } else if (opt_value(argc, argv, &i, "--redact-map", NULL, &v)) {
            red.map_file = v;
        } else if (strcmp(a, "--color") == 0) {
            color = "always";
        } else if (strncmp(a, "--color=", 8) == 0) {
            color = a + 8;
        } else if (strcmp(a, "--no-color") == 0) {
            color = "never";
        } else if (opt_value(argc, argv, &i, "--host-pattern", NULL, &v)) {
            opts.host_pattern = v;
        } else if (opt_value(argc, argv, &i, "--host", NULL, &v)) {
            opts.host = v;
        } else if (opt_value(argc, argv, &i, "--patterns", NULL, &v)) {
            patterns = v;
        } else if (strcmp(a, "--follow-symlinks") == 0) {
            opts.follow_symlinks = 1;
        } else if (opt_value(argc, argv, &i, "--jobs", "-j", &v)) {
            char *end;
            long j = strtol(v, &end, 10);
            if (*end || j < 1 || j > 256) {
                fprintf(stderr, "%s scan: --jobs takes a number from 1 to 256, not '%s'\n", prog,
                        v);
                free(paths);
                return EXIT_USAGE;
            }
            opts.jobs = (int)j;
        } else if (opt_value(argc, argv, &i, "--max-decompressed", NULL, &v)) {
            if (parse_size(v, &opts.max_decoded) != 0) {
                fprintf(stderr, "%s scan: --max-decompressed takes a size such as 8G (0: no "
                                "limit), not '%s'\n", prog, v);
                free(paths);
                return EXIT_USAGE;
            }
        } else if (opt_value(argc, argv, &i, "--max-evidence-line", NULL, &v)) {
            uint64_t n = 0;
            if (parse_size(v, &n) != 0 || n < 64 || n > (1u << 20)) {
                fprintf(stderr, "%s scan: --max-evidence-line takes 64 to 1M bytes, not '%s'\n",
                        prog, v);
                free(paths);
                return EXIT_USAGE;
            }
            opts.limits.evidence_max = (uint32_t)n;
        } else if (opt_value(argc, argv, &i, "--max-archive-depth", NULL, &v)) {
            char *end;
            long n = strtol(v, &end, 10);
            if (*end || n < 1 || n > 16) {
                fprintf(stderr, "%s scan: --max-archive-depth takes 1 to 16, not '%s'\n", prog,
                        v);
                free(paths);
                return EXIT_USAGE;
            }
            opts.max_archive_depth = (int)n;
        } else if (opt_value(argc, argv, &i, "--max-kept-hits", NULL, &v)) {
            char *end;
            long n = strtol(v, &end, 10);
            if (*end || n < 1 || n > 100000) {
                fprintf(stderr, "%s scan: --max-kept-hits takes 1 to 100000, not '%s'\n", prog,
                        v);
                free(paths);
                return EXIT_USAGE;
            }
            opts.limits.kept_per_signature = (uint32_t)n;
        } else if (opt_value(argc, argv, &i, "--split-size", NULL, &v)) {
            if (parse_size(v, &opts.piece_bytes) != 0 || opts.piece_bytes < 4096) {
                fprintf(stderr, "%s scan: --split-size takes a size of at least 4K (e.g. 16M), "
                                "not '%s'\n", prog, v);
                free(paths);
                return EXIT_USAGE;
            }
        } else if (cache_option(argc, argv, &i)) {
            continue;
        } else if (strcmp(a, "--progress") == 0) {
            opts.progress = 1;
        } else if (strcmp(a, "--no-progress") == 0 || strcmp(a, "-q") == 0 ||
                   strcmp(a, "--quiet") == 0) {
            opts.progress = 0;
        } else {
            free(paths);
            unknown_option("scan", a);
        }
    }
    static const char *const formats[] = {"text", "json",     "ndjson", "markdown", "html",
                                          "cef",  "hec",      "sentinel", "csv",    NULL};
    check_format("scan", format, formats);
    if (syslog_url && check_syslog_args(syslog_url, &format, format_given, output) != 0) {
        free(paths);
        return EXIT_USAGE;
    }
    if (strcmp(color, "auto") != 0 && strcmp(color, "always") != 0 && strcmp(color, "never") != 0) {
        fprintf(stderr, "%s scan: --color takes auto, always or never, not '%s'\n", prog, color);
        free(paths);
        return EXIT_USAGE;
    }
    if (n_paths == 0) {
        fprintf(stderr, "%s scan: no PATH given (use - for standard input; see --help)\n", prog);
        free(paths);
        return EXIT_USAGE;
    }
    if (opts.progress < 0)
        opts.progress = isatty(2);
    if (opts.jobs == 0)
        opts.jobs = online_cores();
    asr_catalog *cat = load_catalog(patterns, 1);
    if (!cat) {
        free(paths);
        return EXIT_USAGE;
    }
    int rc = EXIT_INTERNAL;
    asr_analysis *an = NULL;
    json_t *report = NULL;
    FILE *out = stdout;
    asr_diag diag = {""};
    /* Key, map and output files are checked before the scan, not after it. */
    int early = redaction_start(&red);
    if (!early && !syslog_url)
        early = sink_open(&sink, output);
    if (early) {
        rc = early;
        goto done;
    }
    if (asr_analysis_new(cat, &an) != ASR_OK)
        goto done;
    asr_error err = scan_paths(cat, an, paths, n_paths, &opts, &diag);
    if (err == ASR_ERR_ARG) {
        fprintf(stderr, "%s scan: %s\n", prog, diag.text);
        rc = EXIT_USAGE;
        goto done;
    }
    if (err) {
        fprintf(stderr, "%s scan: %s\n", prog, asr_strerror(err));
        goto done;
    }
    if (asr_analysis_report(an, &report) != ASR_OK) {
        fprintf(stderr, "%s scan: out of memory while building the report\n", prog);
        goto done;
    }
    /* Redaction rewrites the document once, so every format below is covered. */
    if (redaction_apply(&red, report) != 0)
        goto done;
    if (syslog_url) {
        rc = send_to_syslog(syslog_url, format, report);
        if (rc != EXIT_OUTPUT && redaction_save_map(&red) != 0)
            rc = EXIT_OUTPUT;
        goto done;
    }
    out = sink.mem; /* rendered in memory, then written in one go by sink_commit */
    int werr;
    if (strcmp(format, "json") == 0) {
        werr = write_json(out, report);
    } else if (strcmp(format, "ndjson") == 0) {
        werr = render_ndjson(out, report);
    } else if (strcmp(format, "cef") == 0) {
        werr = render_cef(out, report);
    } else if (strcmp(format, "hec") == 0) {
        werr = render_hec(out, report);
    } else if (strcmp(format, "sentinel") == 0) {
        werr = render_sentinel(out, report);
    } else if (strcmp(format, "csv") == 0) {
        werr = render_csv(out, report);
    } else if (strcmp(format, "markdown") == 0) {
        werr = render_markdown(out, report);
    } else if (strcmp(format, "html") == 0) {
        werr = render_html(out, report);
    } else {
        text_style style = {strcmp(color, "always") == 0 ||
                            (strcmp(color, "auto") == 0 && !output && isatty(STDOUT_FILENO))};
        werr = render_text(out, report, &style);
    }
    if (werr) { /* a memory stream fails only for want of memory */
        fprintf(stderr, "%s scan: out of memory while writing the report\n", prog);
        goto done;
    }
    if ((rc = sink_commit(&sink)) != 0 || (rc = redaction_save_map(&red)) != 0)
        goto done;
    warn_unreadable(report);
    rc = scan_exit_code(report);
done:
    sink_close(&sink);
    redaction_end(&red);
    json_decref(report);
    asr_analysis_free(an);
    asr_catalog_free(cat);
    free(paths);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* explain */

/* Prints "label: a, b, c" for a JSON array member, when not empty. */
static void print_list(const char *label, json_t *arr)
{
    if (json_array_size(arr) == 0)
        return;
    printf("  %s: ", label);
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x)
    {
        if (json_is_integer(x))
            printf("%s%lld", i ? ", " : "", (long long)json_integer_value(x));
        else
            printf("%s%s", i ? ", " : "", json_string_value(x));
    }
    printf("\n");
}

/* Prints one catalogue entry for people. */
static void print_entry(json_t *s)
{
    printf("%s  [%s, %s, specificity %lld]\n  %s\n",
           json_string_value(json_object_get(s, "id")),
           json_string_value(json_object_get(s, "effect")),
           json_string_value(json_object_get(s, "severity")),
           (long long)json_integer_value(json_object_get(s, "specificity")),
           json_string_value(json_object_get(s, "title")));
    print_list("ErrorIDs", json_object_get(s, "error_ids"));
    print_list("exit codes", json_object_get(s, "exit_codes"));
    print_list("HRESULTs", json_object_get(s, "hresults"));
    print_list("EP codes", json_object_get(s, "ep_codes"));
    print_list("errors-JSON names", json_object_get(s, "error_names"));
    printf("  defined in: %s\n", json_string_value(json_object_get(s, "file")));
    json_t *r = json_object_get(s, "remediation");
    if (json_is_object(r)) {
        printf("\n  What happened and what to do:\n    %s\n",
               json_string_value(json_object_get(r, "summary")));
        size_t i;
        json_t *x;
        json_array_foreach(json_object_get(r, "steps"), i, x)
        {
            printf("    %zu. %s\n", i + 1, json_string_value(x));
        }
        json_array_foreach(json_object_get(r, "commands"), i, x)
        {
            printf("       $ %s\n", json_string_value(x));
        }
        const char *ref = json_string_value(json_object_get(r, "reference"));
        if (ref && *ref)
            printf("    Reference: %s\n", ref);
    }
    printf("\n");
}

static int cmd_explain(int argc, char **argv)
{
    const char *format = "text", *patterns = NULL, *id = NULL, *v;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage_explain(stdout);
            return EXIT_CLEAN;
        } else if (opt_value(argc, argv, &i, "--format", "-f", &v)) {
            format = v;
        } else if (opt_value(argc, argv, &i, "--patterns", NULL, &v)) {
            patterns = v;
        } else if (cache_option(argc, argv, &i)) {
            continue;
        } else if (a[0] == '-' && !(a[1] >= '0' && a[1] <= '9')) {
            unknown_option("explain", a);
        } else if (!id) {
            id = a;
        } else {
            fprintf(stderr, "%s explain: give one ID (see --help)\n", prog);
            return EXIT_USAGE;
        }
    }
    static const char *const formats[] = {"text", "json", NULL};
    check_format("explain", format, formats);
    if (!id) {
        fprintf(stderr, "%s explain: no ID given (see --help)\n", prog);
        return EXIT_USAGE;
    }
    asr_catalog *cat = load_catalog(patterns, 0);
    if (!cat)
        return EXIT_USAGE;
    json_t *arr = NULL;
    asr_error err = asr_catalog_explain(cat, id, &arr);
    int rc = EXIT_CLEAN;
    if (err == ASR_ERR_NOT_FOUND) {
        fprintf(stderr, "%s explain: nothing in the catalogue matches '%s'\n", prog, id);
        rc = EXIT_FAILURES;
    } else if (err) {
        fprintf(stderr, "%s explain: %s\n", prog, asr_strerror(err));
        rc = EXIT_INTERNAL;
    } else if (strcmp(format, "json") == 0) {
        write_json(stdout, arr);
    } else {
        size_t i;
        json_t *s;
        json_array_foreach(arr, i, s) { print_entry(s); }
    }
    json_decref(arr);
    asr_catalog_free(cat);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* signatures */

static int cmd_signatures(int argc, char **argv)
{
    const char *format = "text", *patterns = NULL, *export_fmt = NULL, *v;
    int test = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage_signatures(stdout);
            return EXIT_CLEAN;
        } else if (strcmp(a, "--test") == 0) {
            test = 1;
        } else if (opt_value(argc, argv, &i, "--export", NULL, &v)) {
            export_fmt = v;
        } else if (opt_value(argc, argv, &i, "--format", "-f", &v)) {
            format = v;
        } else if (opt_value(argc, argv, &i, "--patterns", NULL, &v)) {
            patterns = v;
        } else if (cache_option(argc, argv, &i)) {
            continue;
        } else {
            unknown_option("signatures", a);
        }
    }
    static const char *const formats[] = {"text", "json", NULL};
    check_format("signatures", format, formats);
    if (export_fmt && strcmp(export_fmt, "hs-regex") != 0 && strcmp(export_fmt, "ere") != 0) {
        fprintf(stderr, "%s signatures: --export takes hs-regex or ere, not '%s'\n", prog,
                export_fmt);
        return EXIT_USAGE;
    }
    asr_catalog *cat = load_catalog(patterns, 1); /* listing checks that every match compiles */
    if (!cat)
        return EXIT_USAGE;
    if (export_fmt) {
        int werr = export_patterns(stdout, cat, export_fmt) != 0 || fflush(stdout) != 0;
        asr_catalog_free(cat);
        if (werr)
            fprintf(stderr, "%s signatures: writing the export failed\n", prog);
        return werr ? EXIT_INTERNAL : EXIT_CLEAN;
    }
    int rc = EXIT_CLEAN;
    size_t n = asr_catalog_count(cat);
    if (test) {
        json_t *fails = NULL;
        size_t examples = 0;
        if (asr_catalog_test(cat, &fails, &examples) != ASR_OK) {
            fprintf(stderr, "%s signatures: the example test could not run\n", prog);
            asr_catalog_free(cat);
            return EXIT_INTERNAL;
        }
        size_t nf = json_array_size(fails), i;
        json_t *f;
        if (strcmp(format, "json") == 0) {
            json_t *doc = json_pack("{s:I, s:I, s:O}", "signatures", (json_int_t)n, "examples",
                                    (json_int_t)examples, "failures", fails);
            write_json(stdout, doc);
            json_decref(doc);
        } else {
            json_array_foreach(fails, i, f)
            {
                printf("FAIL %s: %s [%s] %s\n     %s\n",
                       json_string_value(json_object_get(f, "file")),
                       json_string_value(json_object_get(f, "signature")),
                       json_string_value(json_object_get(f, "kind")),
                       json_string_value(json_object_get(f, "problem")),
                       json_string_value(json_object_get(f, "line")));
            }
            printf("%zu signatures, %zu examples: %zu passed, %zu failed\n", n, examples,
                   examples - nf, nf);
        }
        rc = nf ? EXIT_FAILURES : EXIT_CLEAN;
        json_decref(fails);
    } else if (strcmp(format, "json") == 0) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, asr_catalog_describe(cat, i));
        write_json(stdout, arr);
        json_decref(arr);
    } else {
        for (size_t i = 0; i < n; i++) {
            json_t *s = asr_catalog_describe(cat, i);
            json_t *ids = json_object_get(s, "error_ids");
            char idbuf[64] = "";
            size_t k;
            json_t *x;
            json_array_foreach(ids, k, x)
            {
                char one[16];
                snprintf(one, sizeof one, "%s%lld", k ? "," : "",
                         (long long)json_integer_value(x));
                strncat(idbuf, one, sizeof idbuf - strlen(idbuf) - 1);
            }
            printf("%-48s %-13s %3lld  %-12s %s\n", json_string_value(json_object_get(s, "id")),
                   json_string_value(json_object_get(s, "effect")),
                   (long long)json_integer_value(json_object_get(s, "specificity")), idbuf,
                   json_string_value(json_object_get(s, "title")));
            json_decref(s);
        }
        printf("%zu signatures\n", n);
    }
    asr_catalog_free(cat);
    return rc;
}

int main(int argc, char **argv)
{
    /* Write errors are reported by the writers: a reader that closed its pipe gives EPIPE (and
     * a quiet exit) instead of killing the process, a file-size limit gives EFBIG. */
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN);
    if (argc < 2) {
        usage_main(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        usage_main(stdout);
        return EXIT_CLEAN;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        char engines[256];
        asr_engine_versions(engines, sizeof engines);
        printf("asrlog %s (%s)\n", ASRLOG_VERSION, engines);
        return EXIT_CLEAN;
    }
    if (strcmp(cmd, "scan") == 0)
        return finish_stdout(cmd_scan(argc - 1, argv + 1));
    if (strcmp(cmd, "explain") == 0)
        return finish_stdout(cmd_explain(argc - 1, argv + 1));
    if (strcmp(cmd, "signatures") == 0)
        return finish_stdout(cmd_signatures(argc - 1, argv + 1));
    fprintf(stderr, "%s: unknown command '%s' (commands: scan, explain, signatures; see --help)\n",
            prog, cmd);
    return EXIT_USAGE;
}
