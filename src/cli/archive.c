/*
 * archive.c — support bundles: the entries of .zip, .tar, .tar.gz/.tgz archives (and archives
 * inside them) read through libarchive, in memory, into the same decode → scan path as files.
 *
 * Nothing is extracted: an entry name is only a name, so "../", absolute paths and odd bytes
 * are harmless; links, devices and encrypted entries are listed as skipped, never followed.
 * An entry is shown as "bundle.zip!ASRSetupLogs/x.log" ("outer.zip!WEB01.zip!x.log" when
 * nested). Its host, from the layout:
 *   1. a "<MachineIdentifier>_<hostname>" folder inside the archive;
 *   2. else the first folder of the entry's path, unless it is one of the agent's own
 *      folders (ASRSetupLogs, var, …);
 *   3. else the host the archive itself stands for: the per-host folder it sits in, or else
 *      its own name without extension (WEB01.zip → WEB01). A nested archive stands for its
 *      own first folder, else its own name.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <archive.h>
#include <archive_entry.h>

#include "cli.h"

/*
 * libarchive is loaded on first use (dlopen), not linked: with its compression and XML
 * dependencies (ICU among them) it made every start of asrlog about 4 ms slower, and most
 * runs open no archive. The header still comes from libarchive-dev at build time.
 */
static struct {
    unsigned (*entry_filetype)(struct archive_entry *);
    const char *(*entry_hardlink)(struct archive_entry *);
    int (*entry_is_encrypted)(struct archive_entry *);
    const char *(*entry_pathname_utf8)(struct archive_entry *);
    const char *(*entry_pathname)(struct archive_entry *);
    const char *(*error_string)(struct archive *);
    la_ssize_t (*read_data)(struct archive *, void *, size_t);
    int (*read_free)(struct archive *);
    struct archive *(*read_new)(void);
    int (*read_next_header)(struct archive *, struct archive_entry **);
    int (*read_open_filename)(struct archive *, const char *, size_t);
    int (*read_open_memory)(struct archive *, const void *, size_t);
    int (*read_support_filter_all)(struct archive *);
    int (*read_support_format_all)(struct archive *);
} la;

static pthread_once_t la_once = PTHREAD_ONCE_INIT;
static const char *la_error; /* why libarchive could not be loaded, or NULL */

/* Resolves one symbol of the loaded library into `slot`; 0 when it is missing. */
static int la_sym(void *lib, const char *name, void *slot)
{
    void *f = dlsym(lib, name);
    if (!f)
        return 0;
    memcpy(slot, &f, sizeof f); /* object pointer to function pointer, as POSIX dlsym allows */
    return 1;
}

/* pthread_once body: dlopen libarchive and resolve every function archive.c calls. */
static void la_load_once(void)
{
    /* the run-time name of Debian's libarchive13 package, then the development link */
    void *lib = dlopen("libarchive.so.13", RTLD_NOW | RTLD_LOCAL);
    if (!lib)
        lib = dlopen("libarchive.so", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        la_error = "libarchive is not installed (package libarchive13)";
        return;
    }
    int ok = 1;
    ok = ok && la_sym(lib, "archive_entry_filetype", &la.entry_filetype);
    ok = ok && la_sym(lib, "archive_entry_hardlink", &la.entry_hardlink);
    ok = ok && la_sym(lib, "archive_entry_is_encrypted", &la.entry_is_encrypted);
    ok = ok && la_sym(lib, "archive_entry_pathname_utf8", &la.entry_pathname_utf8);
    ok = ok && la_sym(lib, "archive_entry_pathname", &la.entry_pathname);
    ok = ok && la_sym(lib, "archive_error_string", &la.error_string);
    ok = ok && la_sym(lib, "archive_read_data", &la.read_data);
    ok = ok && la_sym(lib, "archive_read_free", &la.read_free);
    ok = ok && la_sym(lib, "archive_read_new", &la.read_new);
    ok = ok && la_sym(lib, "archive_read_next_header", &la.read_next_header);
    ok = ok && la_sym(lib, "archive_read_open_filename", &la.read_open_filename);
    ok = ok && la_sym(lib, "archive_read_open_memory", &la.read_open_memory);
    ok = ok && la_sym(lib, "archive_read_support_filter_all", &la.read_support_filter_all);
    ok = ok && la_sym(lib, "archive_read_support_format_all", &la.read_support_format_all);
    if (!ok)
        la_error = "the installed libarchive lacks a function asrlog needs";
}

/* Loads libarchive once; NULL when usable, else why not. */
static const char *la_load(void)
{
    pthread_once(&la_once, la_load_once);
    return la_error;
}

#define NESTED_MAX_BYTES (256ull << 20) /* an archive inside an archive is read into memory */

typedef struct arc_ctx {
    asr_scanner *sc;
    job *j;
    const scan_opts *opts;
    unsigned char *buf;
    size_t len;
} arc_ctx;

/* Appends a finished input to the job's entries (frees it on failure). */
static asr_error add_entry(job *j, asr_input *in)
{
    if (j->n_entries == j->cap_entries) {
        size_t cap = j->cap_entries ? j->cap_entries * 2 : 16;
        asr_input **v = realloc(j->entries, cap * sizeof *v);
        if (!v) {
            asr_input_free(in);
            return ASR_ERR_NOMEM;
        }
        j->entries = v;
        j->cap_entries = cap;
    }
    j->entries[j->n_entries++] = in;
    return ASR_OK;
}

/* Lists an entry (or the archive) that is not read, with its status and reason. */
static asr_error add_listed(arc_ctx *c, const char *display, const char *status,
                            const char *why)
{
    asr_input *in = NULL;
    asr_error err = listed_input(c->sc, display, status, why, &in);
    return err ? err : add_entry(c->j, in);
}

/* "a" + "!" + "b", malloc'd. */
static char *bang_join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s!%s", a, b);
    return p;
}

/* File name of a path without its archive extension (.zip, .tar, .tgz, .tar.gz, …). */
static char *archive_stem(const char *path)
{
    const char *base = path;
    for (const char *p = path; *p; p++)
        if (*p == '/' || *p == '\\' || *p == '!')
            base = p + 1;
    static const char *const ext[] = {".tar.gz", ".tgz", ".zip", ".tar", NULL};
    size_t n = strlen(base);
    for (int i = 0; ext[i]; i++) {
        size_t m = strlen(ext[i]);
        if (n > m && strcasecmp(base + n - m, ext[i]) == 0) {
            n -= m;
            break;
        }
    }
    return strndup(base, n);
}

/* Host rules 1 and 2 for a path inside an archive, or NULL. */
static char *layout_host(const char *name)
{
    /* "/", "./" and "../" in front of an entry name say nothing about its host */
    for (;;) {
        if (*name == '/')
            name++;
        else if (name[0] == '.' && name[1] == '/')
            name += 2;
        else if (name[0] == '.' && name[1] == '.' && name[2] == '/')
            name += 3;
        else
            break;
    }
    char *m = machine_folder_host(name);
    if (m)
        return m;
    const char *slash = strchr(name, '/');
    if (!slash || slash == name || is_system_folder(name, (size_t)(slash - name)))
        return NULL;
    return strndup(name, (size_t)(slash - name));
}

/* Host of an entry: rules 1 and 2, else the archive's own host (rule 3). */
static char *entry_host(const char *name, const char *archive_host)
{
    char *h = layout_host(name);
    if (!h && archive_host)
        h = strdup(archive_host);
    return h;
}

static asr_error read_archive(arc_ctx *c, struct archive *a, const char *prefix,
                              const char *archive_host, int depth);

/* Reads an archive entry that is itself an archive into memory and walks it. */
static asr_error nested(arc_ctx *c, struct archive *a, const char *display, const char *name,
                        const char *archive_host, int depth)
{
    if (depth >= c->opts->max_archive_depth) {
        char why[96];
        snprintf(why, sizeof why, "archive nested deeper than %d levels (--max-archive-depth)",
                 c->opts->max_archive_depth);
        return add_listed(c, display, "skipped", why);
    }
    uint64_t cap = c->opts->max_decoded && c->opts->max_decoded < NESTED_MAX_BYTES
                       ? c->opts->max_decoded
                       : NESTED_MAX_BYTES;
    size_t have = 0, room = 1 << 20;
    unsigned char *mem = malloc(room);
    if (!mem)
        return ASR_ERR_NOMEM;
    la_ssize_t n;
    while ((n = la.read_data(a, c->buf, c->len)) > 0) {
        if (have + (size_t)n > cap) {
            free(mem);
            char why[160];
            snprintf(why, sizeof why, "nested archive larger than %llu bytes (not opened; "
                     "see --max-decompressed)", (unsigned long long)cap);
            return add_listed(c, display, "skipped", why);
        }
        if (have + (size_t)n > room) {
            while (room < have + (size_t)n)
                room *= 2;
            unsigned char *p = realloc(mem, room);
            if (!p) {
                free(mem);
                return ASR_ERR_NOMEM;
            }
            mem = p;
        }
        memcpy(mem + have, c->buf, (size_t)n);
        have += (size_t)n;
    }
    asr_error err;
    if (n < 0) {
        char why[256];
        snprintf(why, sizeof why, "cannot read the entry: %s", la.error_string(a));
        err = add_listed(c, display, "unreadable", why);
    } else {
        char *own = layout_host(name);
        char *stem = own ? NULL : archive_stem(name);
        struct archive *in = la.read_new();
        if (!in) {
            err = ASR_ERR_NOMEM;
        } else {
            la.read_support_filter_all(in);
            la.read_support_format_all(in);
            if (la.read_open_memory(in, mem, have) != ARCHIVE_OK) {
                char why[256];
                snprintf(why, sizeof why, "not a readable archive: %s",
                         la.error_string(in));
                err = add_listed(c, display, "unreadable", why);
            } else {
                err = read_archive(c, in, display, own ? own : stem ? stem : archive_host,
                                   depth + 1);
            }
            la.read_free(in);
        }
        free(own);
        free(stem);
    }
    free(mem);
    return err;
}

/* Streams one regular entry into a new input. */
static asr_error read_entry(arc_ctx *c, struct archive *a, const char *display,
                            const char *name, const char *archive_host)
{
    char *host = entry_host(name, archive_host);
    asr_input_info info = {display, c->j->host ? c->j->host : c->opts->host, host,
                           c->opts->max_decoded};
    asr_input *in = NULL;
    asr_error err = asr_input_new(c->sc, &info, &in);
    free(host);
    if (err)
        return err;
    la_ssize_t n;
    while ((n = la.read_data(a, c->buf, c->len)) > 0)
        if (asr_input_feed(in, c->buf, (size_t)n) != ASR_OK)
            break; /* a limit or corrupt gzip inside: the input says why */
    if (n < 0) {
        char why[256];
        snprintf(why, sizeof why, "cannot read the entry: %s", la.error_string(a));
        asr_input_set_status(in, "unreadable", why);
    }
    err = asr_input_end(in);
    if (err == ASR_ERR_NOMEM || err == ASR_ERR_SCAN) {
        asr_input_free(in);
        return err;
    }
    return add_entry(c->j, in);
}

/* Why an entry that is not a regular file is not read, or NULL for a regular file. */
static const char *not_read_because(struct archive_entry *e)
{
    if (la.entry_hardlink(e))
        return "hard link inside an archive (not followed)";
    switch (la.entry_filetype(e)) {
    case AE_IFREG:
        break;
    case AE_IFLNK:
        return "symbolic link inside an archive (not followed)";
    default:
        return "not a regular file inside the archive (device, FIFO or socket)";
    }
    if (la.entry_is_encrypted(e))
        return "encrypted entry (no password is tried)";
    return NULL;
}

/* Walks the entries of an open archive. */
static asr_error read_archive(arc_ctx *c, struct archive *a, const char *prefix,
                              const char *archive_host, int depth)
{
    asr_error err = ASR_OK;
    struct archive_entry *e;
    size_t entries = 0;
    while (!err) {
        int r = la.read_next_header(a, &e);
        if (r == ARCHIVE_EOF)
            break;
        if (r < ARCHIVE_WARN) {
            char why[320];
            snprintf(why, sizeof why, "damaged archive: %s (%zu entries before it were read)",
                     la.error_string(a), entries);
            return add_listed(c, prefix, "unreadable", why);
        }
        entries++;
        const char *name = la.entry_pathname_utf8(e);
        if (!name)
            name = la.entry_pathname(e);
        if (!name || !*name)
            name = "(unnamed entry)";
        if (la.entry_filetype(e) == AE_IFDIR && !la.entry_hardlink(e))
            continue;
        char *display = bang_join(prefix, name);
        if (!display)
            return ASR_ERR_NOMEM;
        const char *why = not_read_because(e);
        if (why)
            err = add_listed(c, display, "skipped", why);
        else if (is_documentation(name))
            err = add_listed(c, display, "skipped",
                             "documentation file inside an archive (extract it to scan it)");
        else if (is_archive_name(name))
            err = nested(c, a, display, name, archive_host, depth);
        else
            err = read_entry(c, a, display, name, archive_host);
        free(display);
    }
    return err;
}

asr_error run_archive(asr_scanner *sc, job *j, const scan_opts *opts, unsigned char *buf,
                      size_t len)
{
    arc_ctx c = {sc, j, opts, buf, len};
    const char *missing = la_load();
    if (missing)
        return add_listed(&c, j->path, "skipped", missing);
    struct archive *a = la.read_new();
    if (!a)
        return ASR_ERR_NOMEM;
    la.read_support_filter_all(a);
    la.read_support_format_all(a);
    char *stem = j->path_host ? NULL : archive_stem(j->path);
    asr_error err;
    if (la.read_open_filename(a, j->path, len) != ARCHIVE_OK) {
        char why[320];
        snprintf(why, sizeof why, "cannot open the archive: %s", la.error_string(a));
        err = add_listed(&c, j->path, "unreadable", why);
    } else {
        err = read_archive(&c, a, j->path, j->path_host ? j->path_host : stem, 1);
    }
    la.read_free(a);
    free(stem);
    return err;
}
