/*
 * output.c — getting a finished report out: atomic files for -o and --redact-map, standard
 * output, and write errors that name what could not be written.
 *
 * A report is rendered into memory first and written in one go, so a write error is seen
 * exactly (with its errno) and a file target is never left half-written: the bytes go to a
 * temporary file beside the target, which is synced and renamed over it only when complete.
 * Targets that are not regular files (/dev/full, a FIFO, a terminal) cannot be replaced by a
 * rename and are written in place.
 */
#define _XOPEN_SOURCE 700 /* realpath() is an XSI interface; the build defines only POSIX */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* The process umask, read without changing it for good. Call before threads start. */
static mode_t current_umask(void)
{
    mode_t m = umask(0);
    umask(m);
    return m;
}

int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/*
 * temp_name — "<dir of target>/.<base of target>.XXXXXX" for mkstemp, malloc'd; NULL when
 * memory is short. The leading dot keeps the temporary file out of casual listings.
 */
static char *temp_name(const char *target)
{
    const char *slash = strrchr(target, '/');
    size_t dir_len = slash ? (size_t)(slash - target) + 1 : 0;
    const char *base = slash ? slash + 1 : target;
    size_t n = dir_len + 1 + strlen(base) + sizeof ".XXXXXX";
    char *tmp = malloc(n);
    if (tmp)
        snprintf(tmp, n, "%.*s.%s.XXXXXX", (int)dir_len, target, base);
    return tmp;
}

/* Whether a path names an open file of this process or a device (/dev/stderr, /dev/fd/3,
 * /proc/self/fd/1): such a file is appended to, never replaced. */
static int is_special_path(const char *path)
{
    return strncmp(path, "/dev/", 5) == 0 || strncmp(path, "/proc/", 6) == 0;
}

int atomic_open(atomic_file *f, const char *path, int private_file)
{
    memset(f, 0, sizeof *f);
    struct stat st;
    mode_t mode = private_file ? 0600 : 0666 & ~current_umask();
    char *target = NULL;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return EISDIR;
        if (!S_ISREG(st.st_mode) || is_special_path(path)) { /* no rename: write in place */
            int fd = open(path, O_WRONLY | O_APPEND);
            if (fd < 0)
                return errno;
            f->target = strdup(path);
            if (!f->target) {
                close(fd);
                return ENOMEM;
            }
            f->fd = fd;
            f->open = 1;
            return 0;
        }
        if (!private_file)
            mode = st.st_mode & 07777; /* replacing a file keeps its permissions */
        target = realpath(path, NULL); /* through a symbolic link: replace what it points to */
    } else if (errno != ENOENT) {
        return errno;
    }
    if (!target)
        target = strdup(path);
    char *tmp = target ? temp_name(target) : NULL;
    if (!tmp) {
        free(target);
        return ENOMEM;
    }
    int fd = mkstemp(tmp); /* created 0600, so a private file is never readable by others */
    if (fd < 0) {
        int e = errno;
        free(tmp);
        free(target);
        return e;
    }
    if (fchmod(fd, mode) != 0) {
        int e = errno;
        close(fd);
        unlink(tmp);
        free(tmp);
        free(target);
        return e;
    }
    f->fd = fd;
    f->open = 1;
    f->tmp = tmp;
    f->target = target;
    return 0;
}

int atomic_commit(atomic_file *f, const void *data, size_t len)
{
    int err = write_all(f->fd, data, len);
    if (!err && f->tmp && fsync(f->fd) != 0) /* the bytes are on disk before the name moves */
        err = errno;
    if (close(f->fd) != 0 && !err)
        err = errno;
    f->fd = -1;
    f->open = 0;
    if (!err && f->tmp && rename(f->tmp, f->target) != 0)
        err = errno;
    if (err) {
        atomic_abort(f);
        return err;
    }
    free(f->tmp);
    f->tmp = NULL;
    free(f->target);
    f->target = NULL;
    return 0;
}

void atomic_abort(atomic_file *f)
{
    if (f->open && f->fd >= 0)
        close(f->fd);
    f->fd = -1;
    f->open = 0;
    if (f->tmp)
        unlink(f->tmp);
    free(f->tmp);
    f->tmp = NULL;
    free(f->target);
    f->target = NULL;
}

/* Whether PATH is the file standard output already writes to (-o /dev/stdout). */
static int is_stdout(const char *path)
{
    struct stat a, b;
    return stat(path, &a) == 0 && fstat(STDOUT_FILENO, &b) == 0 && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
}

int sink_open(report_sink *s, const char *target)
{
    memset(s, 0, sizeof *s);
    s->target = target && !is_stdout(target) ? target : NULL;
    if (s->target) {
        int err = atomic_open(&s->file, target, 0);
        if (err) {
            fprintf(stderr, "asrlog: cannot write %s: %s\n", target, strerror(err));
            return EXIT_OUTPUT;
        }
    }
    s->mem = open_memstream(&s->buf, &s->len);
    if (!s->mem) {
        fprintf(stderr, "asrlog: out of memory\n");
        atomic_abort(&s->file);
        return EXIT_INTERNAL;
    }
    return 0;
}

int sink_commit(report_sink *s)
{
    if (fclose(s->mem) != 0) {
        s->mem = NULL;
        fprintf(stderr, "asrlog: out of memory while writing the report\n");
        return EXIT_INTERNAL;
    }
    s->mem = NULL;
    if (s->target) {
        int err = atomic_commit(&s->file, s->buf, s->len);
        if (err) {
            fprintf(stderr, "asrlog: cannot write %s: %s\n", s->target, strerror(err));
            return EXIT_OUTPUT;
        }
        return 0;
    }
    fflush(stdout); /* anything printed through stdio comes first */
    int err = write_all(STDOUT_FILENO, s->buf, s->len);
    if (err == EPIPE) /* the reader is gone (`| head`): nothing to tell it */
        return EXIT_OUTPUT;
    if (err) {
        fprintf(stderr, "asrlog: cannot write standard output: %s\n", strerror(err));
        return EXIT_OUTPUT;
    }
    return 0;
}

void sink_close(report_sink *s)
{
    if (s->mem)
        fclose(s->mem);
    s->mem = NULL;
    free(s->buf);
    s->buf = NULL;
    atomic_abort(&s->file);
}

int finish_stdout(int rc)
{
    if (fflush(stdout) == 0 && !ferror(stdout))
        return rc;
    if (errno == EPIPE)
        return EXIT_OUTPUT;
    fprintf(stderr, "asrlog: cannot write standard output: %s\n", strerror(errno));
    return EXIT_OUTPUT;
}
