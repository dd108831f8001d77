/*
 * inputs.c — find the files to analyse and stream each one through the library.
 *
 * Directories are walked recursively in sorted order. Symbolic links are not followed unless
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
#include <time.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "cli.h"

#define READ_CHUNK (256u * 1024u)

typedef struct walker {
    asr_analysis *analysis;
    asr_scanner *scanner;
    const scan_opts *opts;
    pcre2_code *host_re;
    pcre2_match_data *md;
    unsigned char *buf;
    /* progress */
    unsigned long files;
    unsigned long long bytes;
    struct timespec started, last_shown;
    int shown;
} walker;

/* Seconds since `t`. */
static double since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/* Redraws the progress line at most four times a second, after the first second. */
static void show_progress(walker *w, int final)
{
    if (!w->opts->progress)
        return;
    double el = since(&w->started);
    if (!final && (el < 1.0 || since(&w->last_shown) < 0.25))
        return;
    if (final && !w->shown)
        return;
    clock_gettime(CLOCK_MONOTONIC, &w->last_shown);
    double mb = (double)w->bytes / 1e6;
    fprintf(stderr, "\rasrlog: %lu files, %.1f MB, %.1f MB/s%s", w->files, mb,
            el > 0 ? mb / el : 0.0, final ? "\n" : "   ");
    w->shown = 1;
}

/* Adds an input that could not be read. */
static asr_error add_unread(walker *w, const char *path, const char *status, const char *why)
{
    asr_input_info info = {path, NULL, NULL, 0};
    asr_input *in = NULL;
    asr_error err = asr_input_new(w->scanner, &info, &in);
    if (err)
        return err;
    err = asr_input_set_status(in, status, why);
    if (!err)
        err = asr_input_end(in);
    if (err == ASR_ERR_NOMEM) {
        asr_input_free(in);
        return err;
    }
    return asr_analysis_add(w->analysis, in);
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

/* Reads an open descriptor to its end into a new input. */
static asr_error read_fd(walker *w, int fd, const char *display, const char *path_host,
                         const char *rel)
{
    char *phost = pattern_host(w, rel ? rel : display);
    asr_input_info info = {display, phost ? phost : w->opts->host, path_host, 0};
    asr_input *in = NULL;
    asr_error err = asr_input_new(w->scanner, &info, &in);
    free(phost);
    if (err)
        return err;
    for (;;) {
        ssize_t n = read(fd, w->buf, READ_CHUNK);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            char why[256];
            snprintf(why, sizeof why, "read error: %s", strerror(errno));
            asr_input_set_status(in, "unreadable", why);
            break;
        }
        if (n == 0)
            break;
        w->bytes += (unsigned long long)n;
        if (asr_input_feed(in, w->buf, (size_t)n) != ASR_OK)
            break; /* the input keeps what it read; asr_input_end reports why */
        show_progress(w, 0);
    }
    err = asr_input_end(in);
    w->files++;
    if (err == ASR_ERR_NOMEM || err == ASR_ERR_SCAN) {
        asr_input_free(in);
        return err;
    }
    return asr_analysis_add(w->analysis, in);
}

/* Is this name an archive format that this version does not open? */
static int is_archive_name(const char *name)
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
static int is_documentation(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    return (n > 3 && strcasecmp(base + n - 3, ".md") == 0) || strncasecmp(base, "README", 6) == 0;
}

/* Opens and reads one regular file. */
static asr_error scan_file(walker *w, const char *path, const char *path_host, const char *rel)
{
    if (is_archive_name(path))
        return add_unread(w, path, "skipped", "archive inputs are not opened by this version; "
                                              "extract it and scan the folder");
    int fd = open(path, O_RDONLY | O_NOCTTY);
    if (fd < 0) {
        char why[256];
        snprintf(why, sizeof why, "cannot open: %s", strerror(errno));
        return add_unread(w, path, "unreadable", why);
    }
    asr_error err = read_fd(w, fd, path, path_host, rel);
    close(fd);
    return err;
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
static int is_system_folder(const char *name, size_t n)
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
static char *machine_folder_host(const char *rel)
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
    asr_error err = scan_file(w, path, fh, rel);
    free(fh);
    return err;
}

asr_error scan_paths(const asr_catalog *cat, asr_analysis *analysis, char **paths, int n_paths,
                     const scan_opts *opts, asr_diag *diag)
{
    walker w;
    memset(&w, 0, sizeof w);
    w.analysis = analysis;
    w.opts = opts;
    clock_gettime(CLOCK_MONOTONIC, &w.started);
    w.last_shown = w.started;
    asr_error err = ASR_ERR_NOMEM;
    w.buf = malloc(READ_CHUNK);
    if (!w.buf)
        goto out;
    if ((err = asr_scanner_new(cat, &w.scanner)))
        goto out;
    if (opts->host_pattern) {
        int ec;
        PCRE2_SIZE off;
        w.host_re = pcre2_compile((PCRE2_SPTR)opts->host_pattern, PCRE2_ZERO_TERMINATED, 0, &ec,
                                  &off, NULL);
        if (!w.host_re) {
            PCRE2_UCHAR msg[200];
            pcre2_get_error_message(ec, msg, sizeof msg);
            snprintf(diag->text, sizeof diag->text, "--host-pattern: at offset %zu: %s",
                     (size_t)off, (char *)msg);
            err = ASR_ERR_ARG;
            goto out;
        }
        uint32_t named = 0;
        pcre2_pattern_info(w.host_re, PCRE2_INFO_NAMECOUNT, &named);
        if (pcre2_substring_number_from_name(w.host_re, (PCRE2_SPTR) "host") < 0) {
            snprintf(diag->text, sizeof diag->text,
                     "--host-pattern needs a named group (?<host>...)");
            err = ASR_ERR_ARG;
            goto out;
        }
        w.md = pcre2_match_data_create_from_pattern(w.host_re, NULL);
        if (!w.md)
            goto out;
    }
    err = ASR_OK;
    for (int i = 0; i < n_paths && !err; i++) {
        if (strcmp(paths[i], "-") == 0)
            err = read_fd(&w, 0, "<stdin>", NULL, NULL);
        else
            err = walk(&w, paths[i], NULL, 0);
    }
    show_progress(&w, 1);
out:
    if (w.md)
        pcre2_match_data_free(w.md);
    if (w.host_re)
        pcre2_code_free(w.host_re);
    asr_scanner_free(w.scanner);
    free(w.buf);
    return err;
}
