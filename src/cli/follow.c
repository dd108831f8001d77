/*
 * follow.c — `asrlog scan --follow PATH...`: watch log files as they grow, like `tail -F`, and
 * write each host verdict as an ECS event (the --format ndjson line) as soon as an attempt ends.
 *
 * Polling, not inotify: every FOLLOW_POLL_MS the follower reads what was appended to each file,
 * checks whether the name now points to another file (rotation) or the file shrank
 * (truncation), and lists the followed folders for new files. Polling is simple, works the same
 * on every file system (network shares included) and needs no extra file descriptors.
 *
 * Each followed file has its own scanner and one live asr_input that is fed and never ended
 * while the file is followed. After every read, asr_input_take_ended() takes out the attempts
 * that have ended; each goes through an analysis of its own and its verdict is written at once.
 * The live input then keeps only the attempt in progress, so memory does not grow with the file.
 * Files are read with read(), never mapped, so a file truncated under us cannot raise SIGBUS.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
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
#include "report_view.h"

#define FOLLOW_POLL_MS 250              /* pause between rounds when nothing was read */
#define FOLLOW_READ_CHUNK (256u * 1024u)
#define FOLLOW_ROUND_BYTES (8u << 20)   /* read per file and round, so every file gets a turn */
#define FOLLOW_GONE_MS 2000             /* a folder's file whose name is gone is read this long */

/*
 * Set by the SIGINT/SIGTERM handler and read by the follow loop: the one piece of mutable
 * state outside main.c, because a signal handler can only talk through a flag.
 */
static volatile sig_atomic_t stop_requested;

/* The handler of SIGINT and SIGTERM: asks the loop to stop after the current read. */
static void on_stop_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* A file identity: device and inode. */
typedef struct file_id {
    dev_t dev;
    ino_t ino;
    uint64_t size;  /* bytes read from it: a reused inode with less data is another file */
    int seen;       /* found by the current listing */
} file_id;

/* A followed folder: its name and the identities of files already followed from it, so a
 * file renamed inside it (`mv log log.1`) is not read again under its new name. */
typedef struct followed_dir {
    char *path;
    file_id *ids;
    size_t n_ids, cap_ids;
} followed_dir;

/* One followed file (or standard input). */
typedef struct followed {
    char *path;             /* as shown: the PATH argument, or FOLDER/NAME */
    char *host;             /* from --host-pattern, or NULL */
    followed_dir *dir;      /* the folder it was found in, or NULL for a named PATH */
    int is_stdin;
    int fd;                 /* -1 while not open */
    dev_t dev;
    ino_t ino;
    uint64_t offset;        /* bytes read through fd */
    asr_scanner *scanner;   /* its own: the inputs of different files interleave */
    asr_input *in;          /* the live input of the open file */
    int done;               /* finished for good (stdin at its end, a folder's file gone) */
    int ignored;            /* not followed (said once): not a regular file, or a log of many
                               hosts */
    int open_errno;         /* the last open error reported, so it is said once */
    long long gone_since;   /* folder files: when the name was first missing, or 0 */
} followed;

/* The follower's state, owned by follow_paths(). */
typedef struct follower {
    const asr_catalog *cat;
    const follow_opts *fo;
    followed **files;
    size_t n_files, cap_files;
    followed_dir **dirs;
    size_t n_dirs;
    unsigned char *buf;     /* FOLLOW_READ_CHUNK */
    pcre2_code *host_re;
    pcre2_match_data *md;
    int any_failed;         /* a failed verdict was written */
    int any_unreadable;     /* some path could not be read */
} follower;

/* Milliseconds of a monotonic clock. */
static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------------------------------ */
/* writing verdicts */

/*
 * write_events — renders the report's host events as ndjson in memory and writes them to
 * standard output in one write, so a reader never sees half an event. Returns 0, or
 * EXIT_OUTPUT (with a message, unless the reader of a pipe has gone), or EXIT_INTERNAL.
 */
static int write_events(json_t *report)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    int bad = !m || render_ndjson(m, report) != 0;
    if (m && fclose(m) != 0)
        bad = 1;
    if (bad) {
        free(buf);
        fprintf(stderr, "asrlog scan: out of memory while writing an event\n");
        return EXIT_INTERNAL;
    }
    int err = write_all(STDOUT_FILENO, buf, len);
    free(buf);
    if (err == 0)
        return 0;
    if (err != EPIPE)
        fprintf(stderr, "asrlog: cannot write standard output: %s\n", strerror(err));
    return EXIT_OUTPUT;
}

/* Notes whether the report holds a failed host (the exit code says so at the end). */
static void note_failures(follower *fw, json_t *report)
{
    size_t i;
    json_t *h;
    json_array_foreach(json_object_get(report, "hosts"), i, h)
    {
        if (strcmp(rv_str(h, "outcome"), "failed") == 0)
            fw->any_failed = 1;
    }
}

/*
 * emit_attempt — turns one ended attempt (an input from asr_input_take_ended, owned from here)
 * into its verdict and writes or sends its events. Returns 0, or an exit code after printing
 * why (EXIT_OUTPUT, EXIT_INTERNAL).
 */
static int emit_attempt(follower *fw, asr_input *ended)
{
    asr_analysis *a = NULL;
    json_t *report = NULL;
    int rc = EXIT_INTERNAL;
    if (asr_analysis_new(fw->cat, &a) != ASR_OK) {
        asr_input_free(ended);
        fprintf(stderr, "asrlog scan: out of memory\n");
        return rc;
    }
    if (asr_analysis_add(a, ended) != ASR_OK || asr_analysis_report(a, &report) != ASR_OK) {
        fprintf(stderr, "asrlog scan: out of memory while building a verdict\n");
        goto out;
    }
    /* Only host verdicts: what a whole-fleet report adds about the fleet (the templates of
     * unclassified failures) means nothing for one attempt. */
    json_object_del(report, "unclassified");
    if ((rc = fw->fo->red ? redaction_apply(fw->fo->red, report) : 0) != 0)
        goto out;
    note_failures(fw, report);
    if (fw->fo->syslog_url) {
        char why[512];
        rc = 0;
        if (syslog_send_report(fw->fo->syslog_url, render_ndjson, report, why, sizeof why) != 0) {
            fprintf(stderr, "asrlog scan: --syslog %s: %s\n", fw->fo->syslog_url, why);
            rc = EXIT_OUTPUT;
        }
    } else {
        rc = write_events(report);
    }
out:
    json_decref(report);
    asr_analysis_free(a);
    return rc;
}

static void close_file(followed *f);

/* Says once that a file is not followed, and why, and lets go of its file and scanner. */
static void ignore_file(followed *f, const char *why)
{
    fprintf(stderr, "asrlog scan: %s: %s\n", f->path, why);
    f->ignored = 1;
    close_file(f);
    asr_scanner_free(f->scanner);
    f->scanner = NULL;
}

/*
 * take_attempts — writes the verdict of every attempt that has ended in f's live input
 * (`all`: also the last one, when everything there is for now has been read). A log of many
 * hosts is then dropped with a notice. Returns 0 or an exit code.
 */
static int take_attempts(follower *fw, followed *f, int all)
{
    for (;;) {
        asr_input *ended = NULL;
        asr_error err = asr_input_take_ended(f->in, all, &ended);
        if (err) {
            fprintf(stderr, "asrlog scan: %s: %s\n", f->path, asr_strerror(err));
            return EXIT_INTERNAL;
        }
        if (!ended)
            break;
        int rc = emit_attempt(fw, ended);
        if (rc)
            return rc;
    }
    const char *type = asr_input_log_type(f->in);
    if (strcmp(type, "push_service") == 0 || strcmp(type, "portal_error") == 0) {
        char why[200];
        snprintf(why, sizeof why, "a %s log speaks of many hosts whose jobs interleave, so it "
                 "gives no live verdicts; scan it without --follow", type);
        ignore_file(f, why);
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* opening, reading, rotation */

/* Frees the live input and closes the file (standard input stays open). */
static void close_file(followed *f)
{
    asr_input_free(f->in);
    f->in = NULL;
    if (f->fd >= 0 && !f->is_stdin)
        close(f->fd);
    f->fd = -1;
}

/* Starts a new live input for f's file from its first byte. Returns 0 or EXIT_INTERNAL. */
static int start_input(follower *fw, followed *f)
{
    asr_input_info info = {f->path, f->host ? f->host : fw->fo->scan->host, NULL, 0};
    asr_input_free(f->in);
    f->in = NULL;
    f->offset = 0;
    if (asr_input_new(f->scanner, &info, &f->in) != ASR_OK) {
        fprintf(stderr, "asrlog scan: out of memory\n");
        return EXIT_INTERNAL;
    }
    return 0;
}

/*
 * open_file — opens f's path when it exists. A missing file is waited for (said once for a
 * named PATH); another error is said once and counts as unreadable. Returns 0 (opened or not)
 * or an exit code.
 */
static int open_file(follower *fw, followed *f)
{
    int fd = open(f->path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        int e = errno;
        if (e != f->open_errno) {
            if (e == ENOENT && !f->dir)
                fprintf(stderr, "asrlog scan: %s: not there yet; waiting for it\n", f->path);
            else if (e != ENOENT)
                fprintf(stderr, "asrlog scan: %s: cannot open: %s\n", f->path, strerror(e));
        }
        if (e != ENOENT)
            fw->any_unreadable = 1;
        f->open_errno = e;
        return 0;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        ignore_file(f, "not a regular file (--follow reads files; use - for a pipe)");
        return 0;
    }
    f->open_errno = 0;
    f->fd = fd;
    f->dev = st.st_dev;
    f->ino = st.st_ino;
    return start_input(fw, f);
}

/* Is there something to read on standard input now (or its end)? */
static int stdin_ready(void)
{
    struct pollfd p = {STDIN_FILENO, POLLIN, 0};
    return poll(&p, 1, 0) > 0;
}

/* What read_some() reached. */
enum { READ_MORE, READ_CAUGHT_UP, READ_END };

/*
 * read_some — reads what f's file holds beyond f->offset, up to FOLLOW_ROUND_BYTES, feeding
 * the live input and writing the verdicts of the attempts that end in it. *state says where it
 * stopped: READ_MORE (more may be there: the round's share was read, or a stop was asked),
 * READ_CAUGHT_UP (all there is for now), READ_END (standard input ended). Returns 0 or an exit
 * code; a read error is said, counts as unreadable, and ends the following of that file.
 */
static int read_some(follower *fw, followed *f, int *state, int *got)
{
    size_t round = 0;
    *state = READ_MORE;
    while (round < FOLLOW_ROUND_BYTES) {
        if (f->is_stdin && !stdin_ready()) {
            *state = READ_CAUGHT_UP;
            return 0;
        }
        ssize_t n = read(f->fd, fw->buf, FOLLOW_READ_CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN) {
            *state = READ_CAUGHT_UP;
            return 0;
        }
        if (n < 0) {
            char why[300];
            snprintf(why, sizeof why, "read error: %s; no longer followed", strerror(errno));
            fw->any_unreadable = 1;
            ignore_file(f, why); /* opened again, it would be read again from the start */
            return 0;
        }
        if (n == 0) {
            *state = f->is_stdin ? READ_END : READ_CAUGHT_UP;
            return 0;
        }
        *got = 1;
        round += (size_t)n;
        f->offset += (uint64_t)n;
        asr_input_feed(f->in, fw->buf, (size_t)n); /* an error stops the input; it keeps what
                                                      it read */
        int rc = take_attempts(fw, f, 0);
        if (rc || f->ignored || stop_requested)
            return rc;
    }
    return 0;
}

/*
 * finish_file — the file will not grow any more (rotated away, gone, standard input ended):
 * its last line counts even without a newline, every ended attempt is written, and the file
 * is closed. Returns 0 or an exit code.
 */
static int finish_file(follower *fw, followed *f)
{
    int rc = 0;
    if (f->in) {
        asr_input_end(f->in); /* a read problem is the input's own reason; nothing to say */
        rc = take_attempts(fw, f, 1);
    }
    close_file(f);
    return rc;
}

/* Remembers that f's current file was read from f->dir, under any name it may take later. */
static void remember_id(followed *f)
{
    followed_dir *d = f->dir;
    if (!d)
        return;
    for (size_t i = 0; i < d->n_ids; i++)
        if (d->ids[i].dev == f->dev && d->ids[i].ino == f->ino) {
            d->ids[i].size = f->offset;
            return;
        }
    if (d->n_ids == d->cap_ids) {
        size_t cap = d->cap_ids ? 2 * d->cap_ids : 16;
        file_id *p = realloc(d->ids, cap * sizeof *p);
        if (!p)
            return; /* at worst the renamed file is read again */
        d->ids = p;
        d->cap_ids = cap;
    }
    d->ids[d->n_ids++] = (file_id){f->dev, f->ino, f->offset, 1};
}

/*
 * check_name — after reading to the end: does f's name still point to the open file?
 * A different file (rotation): the old one is read to its end and finished, then the new one
 * is opened from its first byte. The same file, but shorter than what was read (truncation):
 * the unfinished attempt is dropped and the file is read again from 0. No file under the name:
 * a named PATH keeps its old descriptor (the name may come back); a folder's file is finished
 * after FOLLOW_GONE_MS. Returns 0 or an exit code.
 */
static int check_name(follower *fw, followed *f, int *got)
{
    struct stat st;
    if (stat(f->path, &st) != 0) {
        if (!f->dir)
            return 0;
        long long now = mono_ms();
        if (!f->gone_since)
            f->gone_since = now;
        if (now - f->gone_since < FOLLOW_GONE_MS)
            return 0;
        remember_id(f);
        f->done = 1;
        return finish_file(fw, f);
    }
    f->gone_since = 0;
    if (st.st_dev != f->dev || st.st_ino != f->ino) {
        int state = READ_MORE; /* first what was written to the old file before the switch */
        while (state == READ_MORE) {
            int rc = read_some(fw, f, &state, got);
            if (rc || f->fd < 0 || f->ignored || stop_requested)
                return rc;
        }
        remember_id(f);
        int rc;
        if ((rc = finish_file(fw, f)) != 0)
            return rc;
        *got = 1;
        return open_file(fw, f);
    }
    struct stat now;
    if (fstat(f->fd, &now) == 0 && (uint64_t)now.st_size < f->offset) {
        fprintf(stderr, "asrlog scan: %s: file truncated; reading it again from the start\n",
                f->path);
        *got = 1;
        if (lseek(f->fd, 0, SEEK_SET) != 0) {
            char why[300];
            snprintf(why, sizeof why, "seek error: %s; no longer followed", strerror(errno));
            fw->any_unreadable = 1;
            ignore_file(f, why);
            return 0;
        }
        return start_input(fw, f);
    }
    return 0;
}

/*
 * poll_file — one round for one file: open it when it appears, read what was added, write
 * the verdicts of ended attempts, and handle rotation and truncation. *got is set when
 * something happened. Returns 0 or an exit code.
 */
static int poll_file(follower *fw, followed *f, int *got)
{
    if (f->done || f->ignored)
        return 0;
    if (f->fd < 0) {
        int rc = open_file(fw, f);
        if (rc || f->fd < 0)
            return rc;
        *got = 1;
    }
    int state, rc = read_some(fw, f, &state, got);
    if (rc || state == READ_MORE || f->fd < 0 || f->ignored || stop_requested)
        return rc;
    if (state == READ_END) {
        f->done = 1;
        return finish_file(fw, f);
    }
    if ((rc = take_attempts(fw, f, 1)) != 0 || f->ignored || f->is_stdin)
        return rc;
    return check_name(fw, f, got);
}

/* ------------------------------------------------------------------------------------------ */
/* paths and folders */

/* Host from --host-pattern: the named group "host" matched against the path as shown. */
static char *pattern_host(follower *fw, const char *path)
{
    if (!fw->host_re ||
        pcre2_match(fw->host_re, (PCRE2_SPTR)path, strlen(path), 0, 0, fw->md, NULL) < 0)
        return NULL;
    PCRE2_UCHAR *val = NULL;
    PCRE2_SIZE len = 0;
    if (pcre2_substring_get_byname(fw->md, (PCRE2_SPTR) "host", &val, &len) != 0)
        return NULL;
    char *s = len ? strdup((char *)val) : NULL;
    pcre2_substring_free(val);
    return s;
}

/* Frees one followed file. */
static void free_followed(followed *f)
{
    if (!f)
        return;
    close_file(f);
    asr_scanner_free(f->scanner);
    free(f->path);
    free(f->host);
    free(f);
}

/* Adds a file to follow (its own scanner, not opened yet). Returns 0 or EXIT_INTERNAL. */
static int add_file(follower *fw, const char *path, followed_dir *dir, int is_stdin)
{
    if (fw->n_files == fw->cap_files) {
        size_t cap = fw->cap_files ? 2 * fw->cap_files : 16;
        followed **p = realloc(fw->files, cap * sizeof *p);
        if (!p)
            goto nomem;
        fw->files = p;
        fw->cap_files = cap;
    }
    followed *f = calloc(1, sizeof *f);
    if (!f)
        goto nomem;
    f->fd = -1;
    f->dir = dir;
    f->is_stdin = is_stdin;
    f->path = strdup(path);
    f->host = pattern_host(fw, path);
    if (!f->path || asr_scanner_new(fw->cat, &f->scanner) != ASR_OK ||
        asr_scanner_set_limits(f->scanner, &fw->fo->scan->limits) != ASR_OK) {
        free_followed(f);
        goto nomem;
    }
    if (is_stdin) {
        f->fd = STDIN_FILENO;
        if (start_input(fw, f) != 0) {
            free_followed(f);
            return EXIT_INTERNAL;
        }
    }
    fw->files[fw->n_files++] = f;
    return 0;
nomem:
    fprintf(stderr, "asrlog scan: out of memory\n");
    return EXIT_INTERNAL;
}

/* Does the name end with `suffix` (ASCII case ignored)? */
static int ends_with(const char *name, const char *suffix)
{
    size_t n = strlen(name), m = strlen(suffix);
    return n > m && strcasecmp(name + n - m, suffix) == 0;
}

/*
 * is_rotated_name — names a folder's listing passes over: hidden files, compressed files and
 * archives, and the forms log rotation gives old logs (`x.log.1`, `x.log-20230503`, `.old`,
 * `.bak`, `~`), which hold attempts already read under the live name.
 */
static int is_rotated_name(const char *name)
{
    static const char *const ext[] = {".gz", ".bz2", ".xz", ".zst", ".old", ".bak", "~", NULL};
    if (name[0] == '.' || is_archive_name(name) || is_documentation(name))
        return 1;
    for (int i = 0; ext[i]; i++)
        if (ends_with(name, ext[i]))
            return 1;
    size_t n = strlen(name), d = n;
    while (d > 0 && name[d - 1] >= '0' && name[d - 1] <= '9')
        d--;
    if (d == n || d == 0)
        return 0;
    return name[d - 1] == '.' || (name[d - 1] == '-' && n - d >= 8);
}

/* Is the file (dev, ino) of size `size` one this folder has followed, or follows now? */
static int known_id(follower *fw, followed_dir *d, const struct stat *st)
{
    for (size_t i = 0; i < fw->n_files; i++) {
        followed *f = fw->files[i];
        if (f->fd >= 0 && !f->is_stdin && f->dev == st->st_dev && f->ino == st->st_ino)
            return 1;
    }
    for (size_t i = 0; i < d->n_ids; i++)
        if (d->ids[i].dev == st->st_dev && d->ids[i].ino == st->st_ino) {
            d->ids[i].seen = 1;
            /* less data than was read from it: the inode was reused by another file */
            return (uint64_t)st->st_size >= d->ids[i].size;
        }
    return 0;
}

/* Is `path` followed already? */
static int followed_path(follower *fw, const char *path)
{
    for (size_t i = 0; i < fw->n_files; i++)
        if (!fw->files[i]->done && strcmp(fw->files[i]->path, path) == 0)
            return 1;
    return 0;
}

/* Drops the finished files of folders (their identities stay in the folder's list). */
static void drop_done(follower *fw)
{
    size_t k = 0;
    for (size_t i = 0; i < fw->n_files; i++) {
        followed *f = fw->files[i];
        if (f->done && f->dir)
            free_followed(f);
        else
            fw->files[k++] = f;
    }
    fw->n_files = k;
}

/*
 * list_dir — one listing of a followed folder (not recursive): every regular file that is not
 * followed yet, is not a rotated or compressed copy and was not read under another name is
 * added. Identities of files no longer in the folder are forgotten. Returns 0 or an exit code.
 */
static int list_dir(follower *fw, followed_dir *d, int *got)
{
    DIR *dir = opendir(d->path);
    if (!dir)
        return 0; /* said when it was first listed; it may come back */
    for (size_t i = 0; i < d->n_ids; i++)
        d->ids[i].seen = 0;
    int rc = 0;
    struct dirent *e;
    while (!rc && (e = readdir(dir))) {
        if (is_rotated_name(e->d_name))
            continue;
        size_t n = strlen(d->path), m = strlen(e->d_name);
        char *path = malloc(n + m + 2);
        if (!path) {
            rc = EXIT_INTERNAL;
            break;
        }
        snprintf(path, n + m + 2, "%s%s%s", d->path, n && d->path[n - 1] == '/' ? "" : "/",
                 e->d_name);
        struct stat st;
        int ok = (fw->fo->scan->follow_symlinks ? stat(path, &st) : lstat(path, &st)) == 0;
        if (ok && S_ISREG(st.st_mode) && !followed_path(fw, path) && !known_id(fw, d, &st)) {
            rc = add_file(fw, path, d, 0);
            *got = 1;
        }
        free(path);
    }
    closedir(dir);
    size_t k = 0; /* forget the files that left the folder */
    for (size_t i = 0; i < d->n_ids; i++)
        if (d->ids[i].seen)
            d->ids[k++] = d->ids[i];
    d->n_ids = k;
    return rc;
}

/* Adds one PATH: "-", a folder (its files now and later), or a file (waited for when it does
 * not exist yet). Returns 0 or an exit code. */
static int add_path(follower *fw, const char *path)
{
    if (strcmp(path, "-") == 0)
        return add_file(fw, "<stdin>", NULL, 1);
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        followed_dir **p = realloc(fw->dirs, (fw->n_dirs + 1) * sizeof *p);
        followed_dir *d = calloc(1, sizeof *d);
        if (p)
            fw->dirs = p;
        if (!p || !d || !(d->path = strdup(path))) {
            free(d);
            fprintf(stderr, "asrlog scan: out of memory\n");
            return EXIT_INTERNAL;
        }
        fw->dirs[fw->n_dirs++] = d;
        if (access(path, R_OK | X_OK) != 0) {
            fprintf(stderr, "asrlog scan: %s: cannot open folder: %s\n", path, strerror(errno));
            fw->any_unreadable = 1;
        }
        return 0;
    }
    return add_file(fw, path, NULL, 0);
}

/* Compiles --host-pattern. Returns 0, or EXIT_USAGE / EXIT_INTERNAL after printing why. */
static int compile_host_pattern(follower *fw, const char *pattern)
{
    int ec;
    PCRE2_SIZE off;
    fw->host_re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &ec, &off, NULL);
    if (!fw->host_re) {
        PCRE2_UCHAR msg[200];
        pcre2_get_error_message(ec, msg, sizeof msg);
        fprintf(stderr, "asrlog scan: --host-pattern: at offset %zu: %s\n", (size_t)off,
                (char *)msg);
        return EXIT_USAGE;
    }
    if (pcre2_substring_number_from_name(fw->host_re, (PCRE2_SPTR) "host") < 0) {
        fprintf(stderr, "asrlog scan: --host-pattern needs a named group (?<host>...)\n");
        return EXIT_USAGE;
    }
    fw->md = pcre2_match_data_create_from_pattern(fw->host_re, NULL);
    if (!fw->md) {
        fprintf(stderr, "asrlog scan: out of memory\n");
        return EXIT_INTERNAL;
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* the loop */

/* Waits FOLLOW_POLL_MS, or less when standard input has something or a signal comes. */
static void pause_round(follower *fw)
{
    for (size_t i = 0; i < fw->n_files; i++) {
        followed *f = fw->files[i];
        if (f->is_stdin && !f->done && !f->ignored) {
            struct pollfd p = {STDIN_FILENO, POLLIN, 0};
            poll(&p, 1, FOLLOW_POLL_MS); /* EINTR on a signal: the loop looks at the flag */
            return;
        }
    }
    struct timespec ts = {0, FOLLOW_POLL_MS * 1000000L};
    nanosleep(&ts, NULL);
}

/* Is anything left to follow? Standard input ends; files and folders never do. */
static int anything_left(const follower *fw)
{
    if (fw->n_dirs)
        return 1;
    for (size_t i = 0; i < fw->n_files; i++)
        if (!fw->files[i]->done && !fw->files[i]->ignored)
            return 1;
    return 0;
}

/* One round over every folder and file. Returns 0 or an exit code; *got when anything was
 * read or changed. */
static int one_round(follower *fw, int *got)
{
    for (size_t i = 0; i < fw->n_dirs; i++) {
        int rc = list_dir(fw, fw->dirs[i], got);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < fw->n_files && !stop_requested; i++) {
        int rc = poll_file(fw, fw->files[i], got);
        if (rc)
            return rc;
    }
    drop_done(fw);
    return 0;
}

/*
 * stop_all — on SIGINT/SIGTERM: writes the verdicts of attempts that ended in what was already
 * read (a line still without its newline is not scanned: nothing partial is reported).
 */
static int stop_all(follower *fw)
{
    for (size_t i = 0; i < fw->n_files; i++) {
        followed *f = fw->files[i];
        if (f->in && !f->ignored) {
            int rc = take_attempts(fw, f, 1);
            if (rc)
                return rc;
        }
    }
    return 0;
}

int follow_paths(const asr_catalog *cat, char **paths, int n_paths, const follow_opts *fo)
{
    follower fw;
    memset(&fw, 0, sizeof fw);
    fw.cat = cat;
    fw.fo = fo;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sa.sa_flags = SA_RESTART; /* writes of events finish; sleeps and polls are cut short */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    int rc = 0;
    if (fo->scan->host_pattern && (rc = compile_host_pattern(&fw, fo->scan->host_pattern)))
        goto out;
    if (!(fw.buf = malloc(FOLLOW_READ_CHUNK))) {
        fprintf(stderr, "asrlog scan: out of memory\n");
        rc = EXIT_INTERNAL;
        goto out;
    }
    for (int i = 0; i < n_paths && !rc; i++)
        rc = add_path(&fw, paths[i]);
    while (!rc && !stop_requested && anything_left(&fw)) {
        int got = 0;
        rc = one_round(&fw, &got);
        if (!rc && !got && !stop_requested)
            pause_round(&fw);
    }
    if (!rc && stop_requested)
        rc = stop_all(&fw);
    if (!rc)
        rc = fw.any_unreadable ? EXIT_UNREADABLE : fw.any_failed ? EXIT_FAILURES : EXIT_CLEAN;
out:
    for (size_t i = 0; i < fw.n_files; i++)
        free_followed(fw.files[i]);
    free(fw.files);
    for (size_t i = 0; i < fw.n_dirs; i++) {
        free(fw.dirs[i]->path);
        free(fw.dirs[i]->ids);
        free(fw.dirs[i]);
    }
    free(fw.dirs);
    free(fw.buf);
    if (fw.md)
        pcre2_match_data_free(fw.md);
    if (fw.host_re)
        pcre2_code_free(fw.host_re);
    return rc;
}
