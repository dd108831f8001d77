/*
 * inputs.c — find the files to analyse and queue them as jobs for the workers (pool.c).
 *
 * Directories are walked recursively in sorted order; the job list keeps that order, which is
 * the order inputs reach the analysis whatever --jobs is. Large plain-text files become
 * several jobs, one per line-aligned piece. Symbolic links are not followed unless
 * --follow-symlinks is given. Anything that is not a regular file (FIFO, socket, device) and any
 * file that cannot be opened or read is still listed in the report, with the reason.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "cli.h"

/* A folder's identity (device, inode), kept in the walker's set of walked folders. */
typedef struct dir_id {
    dev_t dev;
    ino_t ino;
    int used;
} dir_id;

typedef struct walker {
    const scan_opts *opts;
    pcre2_code *host_re;
    pcre2_match_data *md;
    job_list *jobs;
    dir_id *dirs;          /* open-addressing set of the folders walked for this PATH */
    size_t n_dirs, cap_dirs;
} walker;

/* Slot of folder (dev, ino) in a set of `cap` slots (a power of two): its own or a free one. */
static size_t dir_slot(const dir_id *set, size_t cap, dev_t dev, ino_t ino)
{
    uint64_t h = ((uint64_t)ino * 0x9E3779B97F4A7C15u) ^ (uint64_t)dev;
    size_t i = (size_t)(h ^ (h >> 29)) & (cap - 1);
    while (set[i].used && !(set[i].dev == dev && set[i].ino == ino))
        i = (i + 1) & (cap - 1);
    return i;
}

/*
 * first_walk — records the folder `st` describes as walked. Returns 1 the first time, 0 when
 * this PATH already walked it: --follow-symlinks reached it again through a link (a loop such
 * as `x -> .`, or several links to one folder, which could otherwise be walked endlessly or
 * exponentially often). Returns -1 when memory is short.
 */
static int first_walk(walker *w, const struct stat *st)
{
    if (2 * (w->n_dirs + 1) > w->cap_dirs) {
        size_t cap = w->cap_dirs ? 2 * w->cap_dirs : 64;
        dir_id *set = calloc(cap, sizeof *set);
        if (!set)
            return -1;
        for (size_t i = 0; i < w->cap_dirs; i++)
            if (w->dirs[i].used)
                set[dir_slot(set, cap, w->dirs[i].dev, w->dirs[i].ino)] = w->dirs[i];
        free(w->dirs);
        w->dirs = set;
        w->cap_dirs = cap;
    }
    size_t i = dir_slot(w->dirs, w->cap_dirs, st->st_dev, st->st_ino);
    if (w->dirs[i].used)
        return 0;
    w->dirs[i].dev = st->st_dev;
    w->dirs[i].ino = st->st_ino;
    w->dirs[i].used = 1;
    w->n_dirs++;
    return 1;
}

/* Appends a job; the strings are copied. */
static asr_error push_job(walker *w, job_kind kind, const char *path, const char *status,
                          const char *why, char *host, const char *path_host, uint64_t size,
                          int piece, int n_pieces)
{
    job_list *l = w->jobs;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        job *v = realloc(l->v, cap * sizeof *v);
        if (!v) {
            free(host);
            return ASR_ERR_NOMEM;
        }
        l->v = v;
        l->cap = cap;
    }
    job *j = &l->v[l->n];
    memset(j, 0, sizeof *j);
    j->kind = kind;
    j->path = strdup(path);
    j->status = status;
    j->why = why ? strdup(why) : NULL;
    j->host = host;
    j->path_host = path_host ? strdup(path_host) : NULL;
    j->size = size;
    j->piece = piece;
    j->n_pieces = n_pieces;
    l->n++;
    if (!j->path || (why && !j->why) || (path_host && !j->path_host))
        return ASR_ERR_NOMEM; /* the job is complete enough for job_list_free */
    return ASR_OK;
}

/* Lists an input that cannot be read, with its status and reason. */
static asr_error add_unread(walker *w, const char *path, const char *status, const char *why)
{
    return push_job(w, JOB_UNREAD, path, status, why, NULL, NULL, 0, 0, 1);
}

/* Host from --host-pattern: the named group "host" matched against the relative path. */
static char *pattern_host(walker *w, const char *rel)
{
    if (!w->host_re)
        return NULL;
    if (pcre2_match(w->host_re, (PCRE2_SPTR)rel, strlen(rel), 0, 0, w->md, NULL) < 0)
        return NULL;
    PCRE2_UCHAR *val = NULL;
    PCRE2_SIZE len = 0;
    if (pcre2_substring_get_byname(w->md, (PCRE2_SPTR) "host", &val, &len) != 0)
        return NULL;
    char *s = len ? strdup((char *)val) : NULL;
    pcre2_substring_free(val);
    return s;
}

/* How many pieces a regular file is read in: one, unless it is large, plain UTF-8 text and
 * there are several workers (see asr_input_splittable). */
static int piece_count(const walker *w, const char *path, uint64_t size)
{
    uint64_t piece = w->opts->piece_bytes ? w->opts->piece_bytes : DEFAULT_PIECE_BYTES;
    if (w->opts->jobs < 2 || size / SPLIT_FACTOR < piece)
        return 1;
    /* a file that reaches --max-decompressed is read by one worker, so that it is cut where
     * one pass would cut it */
    if (w->opts->max_decoded && size >= w->opts->max_decoded)
        return 1;
    int fd = open(path, O_RDONLY | O_NOCTTY);
    if (fd < 0)
        return 1; /* the worker reports why */
    unsigned char head[256];
    ssize_t n = pread(fd, head, sizeof head, 0);
    close(fd);
    if (n < (ssize_t)sizeof head || !asr_input_splittable(head, (size_t)n))
        return 1;
    uint64_t pieces = (size + piece - 1) / piece;
    return pieces > MAX_PIECES ? MAX_PIECES : (int)pieces;
}

/* Queues a regular file (in pieces when it is large) or stdin. */
static asr_error add_file(walker *w, job_kind kind, const char *path, const char *path_host,
                          const char *rel, uint64_t size)
{
    int n = kind == JOB_FILE ? piece_count(w, path, size) : 1;
    for (int k = 0; k < n; k++) {
        char *phost = pattern_host(w, rel ? rel : path);
        asr_error err = push_job(w, kind, path, NULL, NULL, phost, path_host, size, k, n);
        if (err)
            return err;
    }
    return ASR_OK;
}

/* Is this name an archive format that this version does not open? */
int is_archive_name(const char *name)
{
    static const char *const ext[] = {".zip", ".tar", ".tgz", ".tar.gz", ".7z", ".cab", NULL};
    size_t n = strlen(name);
    for (int i = 0; ext[i]; i++) {
        size_t m = strlen(ext[i]);
        if (n > m && strcasecmp(name + n - m, ext[i]) == 0)
            return 1;
    }
    return 0;
}

/* Markdown and README files that sit beside logs (bundle notes, this project's corpus)
 * quote error lines; inside a scanned folder they are listed as skipped, not analysed. */
int is_documentation(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    return (n > 3 && strcasecmp(base + n - 3, ".md") == 0) || strncasecmp(base, "README", 6) == 0;
}

/* Queues one regular file. */
static asr_error scan_file(walker *w, const char *path, const char *path_host, const char *rel,
                           uint64_t size)
{
    if (is_archive_name(path)) /* its entries are read by one worker (archive.c) */
        return push_job(w, JOB_ARCHIVE, path, NULL, NULL, pattern_host(w, rel ? rel : path),
                        path_host, size, 0, 1);
    return add_file(w, JOB_FILE, path, path_host, rel, size);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Joins a directory and a name. */
static char *join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *p = malloc(a + b + 2);
    if (!p)
        return NULL;
    memcpy(p, dir, a);
    size_t k = a;
    if (a && dir[a - 1] != '/')
        p[k++] = '/';
    memcpy(p + k, name, b + 1);
    return p;
}

static asr_error walk(walker *w, const char *path, const char *root, int depth);

/* Walks a directory's entries in sorted order. */
static asr_error walk_dir(walker *w, const char *dir, const char *root, int depth)
{
    DIR *d = opendir(dir);
    if (!d) {
        char why[256];
        snprintf(why, sizeof why, "cannot open folder: %s", strerror(errno));
        return add_unread(w, dir, "unreadable", why);
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    asr_error err = ASR_OK;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **p = realloc(names, cap * sizeof *p);
            if (!p) {
                err = ASR_ERR_NOMEM;
                break;
            }
            names = p;
        }
        if (!(names[n] = strdup(e->d_name))) {
            err = ASR_ERR_NOMEM;
            break;
        }
        n++;
    }
    closedir(d);
    if (!err && n > 1) /* an empty folder leaves names NULL: qsort(NULL, …) is undefined */
        qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n && !err; i++) {
        char *child = join(dir, names[i]);
        if (!child) {
            err = ASR_ERR_NOMEM;
            break;
        }
        err = walk(w, child, root, depth + 1);
        free(child);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return err;
}

/* Folder names that are part of where the agent writes its logs, never a host name. */
int is_system_folder(const char *name, size_t n)
{
    static const char *const names[] = {
        "var", "log", "logs", "etc", "tmp", "home", "programdata", "asrsetuplogs", "backup",
        "uploadedlogs", "svsystems", "pushinstallsvc", "pushinstalllogs", "agentsetuplogs",
        "remoteinstall", "windows", "users", "c", "c$", NULL};
    for (int i = 0; names[i]; i++)
        if (strlen(names[i]) == n && strncasecmp(name, names[i], n) == 0)
            return 1;
    return 0;
}

/* Is s[0..n) a GUID (8-4-4-4-12 hex digits)? */
static int is_guid(const char *s, size_t n)
{
    if (n != 36)
        return 0;
    for (size_t i = 0; i < n; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
            return 0;
    }
    return 1;
}

/* Host of a command-line install's log folder on the configuration server,
 * `AgentSetupLogs/CommandLineInstall/<MachineIdentifier>_<hostname>/…`, or NULL. */
char *machine_folder_host(const char *rel)
{
    const char *p = rel;
    while (*p) {
        const char *slash = strchr(p, '/');
        if (!slash)
            break; /* the last component is the file itself */
        size_t n = (size_t)(slash - p);
        if (n > 37 && p[36] == '_' && is_guid(p, 36))
            return strndup(p + 37, n - 37);
        p = slash + 1;
    }
    return NULL;
}

/* The per-host folder name: the first path component below the scanned root, for files that
 * sit deeper than the root itself. When that component is one of the agent's own folders
 * (`var`, `ASRSetupLogs`, …) the scanned folder is itself one host's folder: its name is used. */
static char *folder_host(const char *path, const char *root)
{
    if (!root)
        return NULL;
    size_t r = strlen(root);
    if (strncmp(path, root, r) != 0)
        return NULL;
    const char *rel = path + r;
    while (*rel == '/')
        rel++;
    char *machine = machine_folder_host(rel);
    if (machine)
        return machine;
    const char *slash = strchr(rel, '/');
    if (!slash)
        return NULL;
    if (!is_system_folder(rel, (size_t)(slash - rel)))
        return strndup(rel, (size_t)(slash - rel));
    /* basename of the root, without trailing slashes */
    size_t end = r;
    while (end > 1 && root[end - 1] == '/')
        end--;
    size_t start = end;
    while (start > 0 && root[start - 1] != '/')
        start--;
    if (end == start || (end - start == 1 && root[start] == '.'))
        return NULL;
    return strndup(root + start, end - start);
}

/* Walks one path: a regular file, or a directory (recursively). */
static asr_error walk(walker *w, const char *path, const char *root, int depth)
{
    struct stat st;
    int rc = w->opts->follow_symlinks ? stat(path, &st) : lstat(path, &st);
    if (rc != 0) {
        char why[256];
        snprintf(why, sizeof why, "cannot access: %s", strerror(errno));
        return add_unread(w, path, "unreadable", why);
    }
    if (S_ISLNK(st.st_mode))
        return add_unread(w, path, "skipped",
                          "symbolic link (not followed; use --follow-symlinks)");
    if (S_ISDIR(st.st_mode)) {
        if (depth > 64)
            return add_unread(w, path, "skipped", "folder nesting deeper than 64 levels");
        int first = first_walk(w, &st);
        if (first < 0)
            return ASR_ERR_NOMEM;
        if (!first)
            return add_unread(w, path, "skipped", "folder already walked (a symbolic link "
                                                  "loop, or a second link to it)");
        return walk_dir(w, path, root ? root : path, depth);
    }
    if (!S_ISREG(st.st_mode))
        return add_unread(w, path, "skipped",
                          S_ISFIFO(st.st_mode)   ? "not a regular file (FIFO)"
                          : S_ISSOCK(st.st_mode) ? "not a regular file (socket)"
                                                 : "not a regular file (device)");
    if (root && is_documentation(path))
        return add_unread(w, path, "skipped",
                          "documentation file found in a folder (name it explicitly to scan it)");
    char *fh = folder_host(path, root);
    const char *rel = root && strncmp(path, root, strlen(root)) == 0 ? path + strlen(root) : path;
    while (*rel == '/')
        rel++;
    asr_error err = scan_file(w, path, fh, rel, (uint64_t)st.st_size);
    free(fh);
    return err;
}

/* walker_init — a walker for `opts` that queues into `jobs`; compiles --host-pattern.
 * ASR_ERR_ARG with diag filled when the pattern is wrong. */
static asr_error walker_init(walker *w, const scan_opts *opts, job_list *jobs, asr_diag *diag)
{
    memset(w, 0, sizeof *w);
    w->opts = opts;
    w->jobs = jobs;
    if (!opts->host_pattern)
        return ASR_OK;
    int ec;
    PCRE2_SIZE off;
    w->host_re = pcre2_compile((PCRE2_SPTR)opts->host_pattern, PCRE2_ZERO_TERMINATED, 0, &ec,
                               &off, NULL);
    if (!w->host_re) {
        PCRE2_UCHAR msg[200];
        pcre2_get_error_message(ec, msg, sizeof msg);
        snprintf(diag->text, sizeof diag->text, "--host-pattern: at offset %zu: %s",
                 (size_t)off, (char *)msg);
        return ASR_ERR_ARG;
    }
    if (pcre2_substring_number_from_name(w->host_re, (PCRE2_SPTR) "host") < 0) {
        snprintf(diag->text, sizeof diag->text, "--host-pattern needs a named group (?<host>...)");
        return ASR_ERR_ARG;
    }
    w->md = pcre2_match_data_create_from_pattern(w->host_re, NULL);
    return w->md ? ASR_OK : ASR_ERR_NOMEM;
}

/* walker_free — frees what walker_init and the walk allocated (not the job list). */
static void walker_free(walker *w)
{
    free(w->dirs);
    if (w->md)
        pcre2_match_data_free(w->md);
    if (w->host_re)
        pcre2_code_free(w->host_re);
}

/* walk_paths — walks every PATH in order, queueing jobs ("-" is standard input). */
static asr_error walk_paths(walker *w, char **paths, int n_paths)
{
    asr_error err = ASR_OK;
    for (int i = 0; i < n_paths && !err; i++) {
        w->n_dirs = 0; /* each PATH is walked whole, even when an earlier one covered it */
        if (w->dirs)
            memset(w->dirs, 0, w->cap_dirs * sizeof *w->dirs);
        if (strcmp(paths[i], "-") == 0)
            err = add_file(w, JOB_STDIN, "<stdin>", NULL, NULL, 0);
        else
            err = walk(w, paths[i], NULL, 0);
    }
    return err;
}

asr_error scan_paths(const asr_catalog *cat, asr_analysis *analysis, char **paths, int n_paths,
                     const scan_opts *opts, asr_diag *diag)
{
    walker w;
    job_list jobs = {0};
    asr_error err = walker_init(&w, opts, &jobs, diag);
    if (!err)
        err = walk_paths(&w, paths, n_paths);
    if (!err)
        err = run_jobs(cat, analysis, &jobs, opts);
    walker_free(&w);
    job_list_free(&jobs);
    return err;
}

/* ------------------------------------------------------------------------------------------ */
/* input lists: scan --list, scan --from-list (sharding; see docs/partial-format.md) */

/* Sets o[key] to the name `s`: a string when it is UTF-8, else o[key "_hex"] holds its bytes
 * in hex, so that any file name goes through a list and back. */
static void set_name(json_t *o, const char *key, const char *s)
{
    if (!s)
        return;
    json_t *v = json_string(s);
    if (v) {
        json_object_set_new(o, key, v);
        return;
    }
    size_t n = strlen(s);
    char *hex = malloc(2 * n + 1), k2[64];
    if (!hex)
        return;
    for (size_t i = 0; i < n; i++)
        sprintf(hex + 2 * i, "%02x", (unsigned char)s[i]);
    snprintf(k2, sizeof k2, "%s_hex", key);
    json_object_set_new(o, k2, json_string(hex));
    free(hex);
}

/* The name set_name stored under `key` (or key_hex), as a new string; NULL when absent.
 * *bad is set when the member is there but wrong. */
static char *get_name(const json_t *o, const char *key, int *bad)
{
    char k2[64];
    json_t *v = json_object_get(o, key);
    if (json_is_string(v))
        return strdup(json_string_value(v));
    if (v && !json_is_null(v)) {
        *bad = 1;
        return NULL;
    }
    snprintf(k2, sizeof k2, "%s_hex", key);
    v = json_object_get(o, k2);
    if (!v)
        return NULL;
    const char *h = json_string_value(v);
    size_t n = h ? strlen(h) : 1;
    char *s = n % 2 == 0 ? malloc(n / 2 + 1) : NULL;
    if (!s) {
        *bad = 1;
        return NULL;
    }
    for (size_t i = 0; i < n / 2; i++) {
        unsigned x;
        if (!isxdigit((unsigned char)h[2 * i]) || !isxdigit((unsigned char)h[2 * i + 1]) ||
            sscanf(h + 2 * i, "%2x", &x) != 1 || x == 0) {
            free(s);
            *bad = 1;
            return NULL;
        }
        s[i] = (char)x;
    }
    s[n / 2] = '\0';
    return s;
}

/* One --list line for the first piece of a queued job; `arg_host` is --host (the host of
 * inputs --host-pattern did not name). NULL when memory is short. */
static json_t *job_line(const job *j, const char *arg_host)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    set_name(o, "path", j->path);
    if (j->kind == JOB_UNREAD) {
        json_object_set_new(o, "status", json_string(j->status));
        set_name(o, "reason", j->why);
        return o;
    }
    json_object_set_new(o, "bytes", json_integer((json_int_t)j->size));
    set_name(o, "host", j->host ? j->host : arg_host);
    set_name(o, "folder_host", j->path_host);
    return o;
}

asr_error list_paths(char **paths, int n_paths, const scan_opts *opts, FILE *out,
                     asr_diag *diag)
{
    walker w;
    job_list jobs = {0};
    scan_opts one = *opts;
    one.jobs = 1; /* a listed file is one line, whatever pieces a scan would cut */
    asr_error err = walker_init(&w, &one, &jobs, diag);
    if (!err)
        err = walk_paths(&w, paths, n_paths);
    for (size_t i = 0; i < jobs.n && !err; i++) {
        if (jobs.v[i].kind == JOB_STDIN) {
            snprintf(diag->text, sizeof diag->text, "--list cannot list standard input (-)");
            err = ASR_ERR_ARG;
            break;
        }
        json_t *o = job_line(&jobs.v[i], opts->host);
        if (!o || json_dumpf(o, out, JSON_COMPACT) != 0 || fputc('\n', out) == EOF)
            err = ASR_ERR_NOMEM;
        json_decref(o);
    }
    walker_free(&w);
    job_list_free(&jobs);
    return err;
}

/* Queues the file of one --list line with the hosts the listing walk gave it. */
static asr_error queue_listed(walker *w, const char *path, char *host, const char *folder_host)
{
    struct stat st;
    int rc = lstat(path, &st);
    if (rc != 0 || !S_ISREG(st.st_mode)) {
        free(host);
        char why[256];
        snprintf(why, sizeof why, "cannot access: %s",
                 rc != 0 ? strerror(errno) : "no longer a regular file");
        return add_unread(w, path, "unreadable", why);
    }
    uint64_t size = (uint64_t)st.st_size;
    if (is_archive_name(path))
        return push_job(w, JOB_ARCHIVE, path, NULL, NULL, host, folder_host, size, 0, 1);
    int n = piece_count(w, path, size);
    asr_error err = ASR_OK;
    for (int k = 0; k < n && !err; k++)
        err = push_job(w, JOB_FILE, path, NULL, NULL, host && k + 1 < n ? strdup(host) : host,
                       folder_host, size, k, n);
    return err;
}

/* Queues one --list line. ASR_ERR_ARG (diag: what is wrong) when it is not one. */
static asr_error queue_line(walker *w, const char *line, asr_diag *diag)
{
    json_error_t jerr;
    json_t *o = json_loads(line, 0, &jerr);
    int bad = 0;
    char *path = NULL, *host = NULL, *fhost = NULL, *reason = NULL;
    asr_error err = ASR_ERR_ARG;
    if (!json_is_object(o)) {
        snprintf(diag->text, sizeof diag->text, "not a JSON object%s%s", o ? "" : ": ",
                 o ? "" : jerr.text);
        goto out;
    }
    path = get_name(o, "path", &bad);
    host = get_name(o, "host", &bad);
    fhost = get_name(o, "folder_host", &bad);
    reason = get_name(o, "reason", &bad);
    const char *status = json_string_value(json_object_get(o, "status"));
    if (!path || bad) {
        snprintf(diag->text, sizeof diag->text, "\"path\" is missing, or a name is not a string");
        goto out;
    }
    if (status) { /* listed as not read: listed again, with its reason */
        const char *st = strcmp(status, "skipped") == 0      ? "skipped"
                         : strcmp(status, "unreadable") == 0 ? "unreadable"
                                                             : NULL;
        if (!st) {
            snprintf(diag->text, sizeof diag->text, "\"status\" is neither skipped nor unreadable");
            goto out;
        }
        err = add_unread(w, path, st, reason ? reason : "");
        goto out;
    }
    err = queue_listed(w, path, host, fhost);
    host = NULL; /* queue_listed took it */
out:
    free(path);
    free(host);
    free(fhost);
    free(reason);
    json_decref(o);
    return err;
}

asr_error scan_list(const asr_catalog *cat, asr_analysis *analysis, const char *list_file,
                    const scan_opts *opts, asr_diag *diag)
{
    FILE *f = strcmp(list_file, "-") == 0 ? stdin : fopen(list_file, "r");
    if (!f) {
        snprintf(diag->text, sizeof diag->text, "--from-list %s: %s", list_file,
                 strerror(errno));
        return ASR_ERR_ARG;
    }
    walker w;
    job_list jobs = {0};
    scan_opts own = *opts;
    own.host_pattern = NULL; /* the list carries the hosts the listing walk found */
    asr_error err = walker_init(&w, &own, &jobs, diag);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned long no = 0;
    while (!err && (n = getline(&line, &cap, f)) >= 0) {
        no++;
        if (n == 0 || line[0] == '\n')
            continue;
        asr_diag why = {""};
        err = queue_line(&w, line, &why);
        if (err == ASR_ERR_ARG)
            snprintf(diag->text, sizeof diag->text, "--from-list %.300s:%lu: %.600s", list_file,
                     no, why.text);
    }
    if (!err && ferror(f)) {
        snprintf(diag->text, sizeof diag->text, "--from-list %s: read error", list_file);
        err = ASR_ERR_ARG;
    }
    free(line);
    if (f != stdin)
        fclose(f);
    if (!err)
        err = run_jobs(cat, analysis, &jobs, opts);
    walker_free(&w);
    job_list_free(&jobs);
    return err;
}
