/*
 * pool.c — the worker threads of `asrlog scan`.
 *
 * The walker (inputs.c) has already listed every input as a job, in a fixed order. N workers
 * take jobs from a shared counter; each owns its scanner (Hyperscan scratch, PCRE2 match data)
 * and read buffers, allocated before its first job, so nothing is shared on the per-byte path.
 * A job's result is parked in its slot. When all are done the main thread merges the pieces of
 * split files and hands the inputs to the analysis in list order: the report is the same for
 * every --jobs. While the workers run, the main thread only draws the progress line.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define READ_CHUNK (256u * 1024u)
#define HEAD_BYTES (256u * 1024u) /* start of a file handed to asr_input_new_part */

typedef struct pool {
    const asr_catalog *cat;
    const scan_opts *opts;
    job *jobs;
    size_t n_jobs;
    atomic_size_t next;             /* next job to take */
    atomic_ullong bytes;            /* raw bytes read so far */
    atomic_ulong files;             /* inputs finished */
    unsigned long total_files;
    unsigned long long total_bytes; /* sizes seen by the walker (stdin unknown) */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int running;                    /* workers not finished yet (under mu) */
} pool;

/* Per-worker state. */
typedef struct worker {
    pool *p;
    asr_scanner *scanner;
    unsigned char *buf;
    unsigned char *head;            /* HEAD_BYTES, allocated on the first later piece */
    pthread_t thread;
    int started;
} worker;

void job_list_free(job_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        job *j = &l->v[i];
        free(j->path);
        free(j->why);
        free(j->host);
        free(j->path_host);
        asr_input_free(j->result);
        for (size_t k = 0; k < j->n_entries; k++)
            asr_input_free(j->entries[k]);
        free(j->entries);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* ------------------------------------------------------------------------------------------ */
/* reading one job */

/* The input description of a job. */
static asr_input_info job_info(const job *j, const scan_opts *opts)
{
    asr_input_info info = {j->path, j->host ? j->host : opts->host, j->path_host,
                           opts->max_decoded};
    return info;
}

/* Marks `in` unreadable because of errno. */
static void set_errno_status(asr_input *in, const char *what)
{
    char why[256];
    snprintf(why, sizeof why, "%s: %s", what, strerror(errno));
    asr_input_set_status(in, "unreadable", why);
}

/*
 * piece_start — where piece k begins: just after the first "\n" at or after its nominal start
 * size*k/n (piece 0 begins at 0). Both neighbours compute the same offset, so pieces neither
 * overlap nor leave gaps. Returns the file's end when no newline follows; -1 on read error.
 * With `own_range`, the search stops at the nominal start of piece k+1 and returns -2 when no
 * line starts before it: piece k is then empty, and piece k-1 (whose end is searched without
 * that bound) reads on through it. A file that is one long line so costs one pass, not one
 * pass per piece.
 */
static off_t piece_start(int fd, const job *j, unsigned char *buf, int own_range)
{
    if (j->piece == 0)
        return 0;
    off_t at = (off_t)(j->size * (uint64_t)j->piece / (uint64_t)j->n_pieces) - 1;
    off_t stop = (off_t)(j->size * (uint64_t)(j->piece + 1) / (uint64_t)j->n_pieces) - 1;
    for (;;) {
        size_t want = READ_CHUNK;
        if (own_range) {
            if (at >= stop)
                return -2;
            if ((off_t)want > stop - at)
                want = (size_t)(stop - at);
        }
        ssize_t n = pread(fd, buf, want, at);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            return at;
        const unsigned char *nl = memchr(buf, '\n', (size_t)n);
        if (nl)
            return at + (nl - buf) + 1;
        at += n;
    }
}

/* Reads fd from `from` up to `to` (-1: to the end) into `in`. 0, or -1 after a read error
 * (recorded as the input's status). */
static int read_range(worker *w, int fd, asr_input *in, off_t from, off_t to)
{
    off_t at = from;
    if (from > 0 && lseek(fd, from, SEEK_SET) != from) {
        set_errno_status(in, "seek error");
        return -1;
    }
    for (;;) {
        size_t want = READ_CHUNK;
        if (to >= 0) {
            if (at >= to)
                return 0;
            if ((off_t)want > to - at)
                want = (size_t)(to - at);
        }
        ssize_t n = read(fd, w->buf, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            set_errno_status(in, "read error");
            return -1;
        }
        if (n == 0)
            return 0;
        at += n;
        atomic_fetch_add_explicit(&w->p->bytes, (unsigned long long)n, memory_order_relaxed);
        if (asr_input_feed(in, w->buf, (size_t)n) != ASR_OK)
            return 0; /* the input keeps what it read; asr_input_end says why */
    }
}

/* A piece of a split file: its own input, told the file's head (piece 0 an ordinary input
 * with asr_input_set_head, a later piece an asr_input_new_part). */
static asr_error new_piece(worker *w, int fd, const job *j, const asr_input_info *info,
                           asr_input **in)
{
    if (!w->head && !(w->head = malloc(HEAD_BYTES)))
        return ASR_ERR_NOMEM;
    ssize_t n;
    do
        n = pread(fd, w->head, HEAD_BYTES, 0);
    while (n < 0 && errno == EINTR);
    size_t len = n > 0 ? (size_t)n : 0;
    if (j->piece > 0)
        return asr_input_new_part(w->scanner, info, w->head, len, in);
    asr_error err = asr_input_new(w->scanner, info, in);
    if (!err && (err = asr_input_set_head(*in, w->head, len)) != ASR_OK) {
        asr_input_free(*in);
        *in = NULL;
    }
    return err;
}

/* Opens and reads a file job (or its piece) into j->result. */
static asr_error run_file(worker *w, job *j, const asr_input_info *info)
{
    int fd = j->kind == JOB_STDIN ? 0 : open(j->path, O_RDONLY | O_NOCTTY);
    asr_input *in = NULL;
    asr_error err;
    if (fd < 0) {
        if ((err = asr_input_new(w->scanner, info, &in)))
            return err;
        set_errno_status(in, "cannot open");
    } else {
        err = j->n_pieces > 1 ? new_piece(w, fd, j, info, &in)
                              : asr_input_new(w->scanner, info, &in);
        if (err) {
            if (fd != 0)
                close(fd);
            return err;
        }
        off_t from = 0, to = -1;
        if (j->n_pieces > 1) {
            job next = *j;
            next.piece = j->piece + 1;
            from = piece_start(fd, j, w->buf, 1);
            if (from == -2) /* no line starts in this piece: the one before reads it */
                from = to = 0;
            else if (next.piece < j->n_pieces)
                to = piece_start(fd, &next, w->buf, 0);
            if (from == -1 || (next.piece < j->n_pieces && to == -1)) {
                set_errno_status(in, "read error");
                from = to = 0;
            }
        }
        if (from == 0 && to == -1 && j->kind == JOB_FILE)
            posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
        if (to < 0 || to > from)
            read_range(w, fd, in, from, to);
        if (fd != 0)
            close(fd);
    }
    err = asr_input_end(in);
    if (err == ASR_ERR_NOMEM || err == ASR_ERR_SCAN) {
        asr_input_free(in);
        return err;
    }
    j->result = in;
    return ASR_OK;
}

/* Runs one job of any kind. */
static asr_error run_job(worker *w, job *j)
{
    asr_input_info info = job_info(j, w->p->opts);
    if (j->kind == JOB_ARCHIVE) {
        asr_error err = run_archive(w->scanner, j, w->p->opts, w->buf, READ_CHUNK);
        atomic_fetch_add_explicit(&w->p->bytes, (unsigned long long)j->size,
                                  memory_order_relaxed);
        return err;
    }
    if (j->kind != JOB_UNREAD)
        return run_file(w, j, &info);
    return listed_input(w->scanner, j->path, j->status, j->why, &j->result);
}

asr_error listed_input(asr_scanner *sc, const char *path, const char *status, const char *why,
                       asr_input **out)
{
    asr_input_info info = {path, NULL, NULL, 0};
    asr_input *in = NULL;
    asr_error err = asr_input_new(sc, &info, &in);
    if (!err)
        err = asr_input_set_status(in, status, why);
    if (!err)
        err = asr_input_end(in);
    if (err == ASR_ERR_NOMEM) {
        asr_input_free(in);
        return err;
    }
    *out = in;
    return ASR_OK;
}

/* Thread body: take jobs until none is left or one fails fatally. */
static void *worker_main(void *arg)
{
    worker *w = arg;
    pool *p = w->p;
    for (;;) {
        size_t i = atomic_fetch_add_explicit(&p->next, 1, memory_order_relaxed);
        if (i >= p->n_jobs)
            break;
        job *j = &p->jobs[i];
        j->err = run_job(w, j);
        if (j->piece == j->n_pieces - 1)
            atomic_fetch_add_explicit(&p->files, 1, memory_order_relaxed);
        if (j->err) {
            /* stop everybody: no later job is started */
            atomic_store(&p->next, p->n_jobs);
            break;
        }
    }
    pthread_mutex_lock(&p->mu);
    p->running--;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* progress */

/* Seconds since `t`. */
static double since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/* Draws "files, MB, MB/s, ETA" on stderr (after the first second, and a final line). */
static void show_progress(pool *p, const struct timespec *started, int final, int *shown)
{
    double el = since(started);
    if (!final && el < 1.0)
        return;
    if (final && !*shown)
        return;
    unsigned long long bytes = atomic_load(&p->bytes);
    double mb = (double)bytes / 1e6, rate = el > 0 ? mb / el : 0.0;
    char eta[32] = "";
    if (!final && rate > 0 && p->total_bytes > bytes)
        snprintf(eta, sizeof eta, ", ETA %.0f s",
                 (double)(p->total_bytes - bytes) / 1e6 / rate);
    fprintf(stderr, "\rasrlog: %lu/%lu files, %.1f MB, %.1f MB/s%s%s", atomic_load(&p->files),
            p->total_files, mb, rate, eta, final ? "\n" : "      ");
    *shown = 1;
}

/* Waits for the workers, redrawing the progress line four times a second. */
static void wait_workers(pool *p)
{
    struct timespec started;
    clock_gettime(CLOCK_MONOTONIC, &started);
    int shown = 0;
    pthread_mutex_lock(&p->mu);
    while (p->running > 0) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 250000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&p->cv, &p->mu, &until);
        if (p->opts->progress && p->running > 0)
            show_progress(p, &started, 0, &shown);
    }
    pthread_mutex_unlock(&p->mu);
    if (p->opts->progress)
        show_progress(p, &started, 1, &shown);
}

/* ------------------------------------------------------------------------------------------ */
/* the pool */

/* Merges the pieces of every split file and adds all inputs to the analysis, in order. */
static asr_error collect(asr_analysis *analysis, job_list *jobs)
{
    asr_error err = ASR_OK;
    for (size_t i = 0; i < jobs->n && !err; i++) {
        job *j = &jobs->v[i];
        if (j->err)
            return j->err;
        for (size_t k = 0; k < j->n_entries && !err; k++) {
            err = asr_analysis_add(analysis, j->entries[k]);
            j->entries[k] = NULL; /* the analysis owns it now, also on failure */
        }
        if (j->kind == JOB_ARCHIVE)
            continue;
        asr_input *in = j->result;
        j->result = NULL;
        for (int k = 1; k < j->n_pieces && !err; k++) {
            job *piece = &jobs->v[i + (size_t)k];
            if (piece->err)
                err = piece->err;
            else
                err = asr_input_merge(in, piece->result);
            piece->result = NULL;
        }
        i += (size_t)(j->n_pieces - 1);
        if (err) {
            asr_input_free(in);
            break;
        }
        err = asr_analysis_add(analysis, in);
    }
    return err;
}

asr_error run_jobs(const asr_catalog *cat, asr_analysis *analysis, job_list *jobs,
                   const scan_opts *opts)
{
    pool p;
    memset(&p, 0, sizeof p);
    p.cat = cat;
    p.opts = opts;
    p.jobs = jobs->v;
    p.n_jobs = jobs->n;
    atomic_init(&p.next, 0);
    atomic_init(&p.bytes, 0);
    atomic_init(&p.files, 0);
    for (size_t i = 0; i < jobs->n; i++)
        if (jobs->v[i].piece == 0) {
            p.total_files++;
            p.total_bytes += jobs->v[i].size;
        }
    int n = opts->jobs < 1 ? 1 : opts->jobs;
    if ((size_t)n > jobs->n)
        n = jobs->n ? (int)jobs->n : 1;
    worker *ws = calloc((size_t)n, sizeof *ws);
    if (!ws)
        return ASR_ERR_NOMEM;
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);
    asr_error err = ASR_OK;
    /* every worker's buffers exist before any job starts */
    for (int i = 0; i < n && !err; i++) {
        ws[i].p = &p;
        ws[i].buf = malloc(READ_CHUNK);
        if (!ws[i].buf)
            err = ASR_ERR_NOMEM;
        else if (!(err = asr_scanner_new(cat, &ws[i].scanner)))
            err = asr_scanner_set_limits(ws[i].scanner, &opts->limits);
    }
    for (int i = 0; i < n && !err; i++) {
        pthread_mutex_lock(&p.mu);
        p.running++;
        pthread_mutex_unlock(&p.mu);
        if (pthread_create(&ws[i].thread, NULL, worker_main, &ws[i]) != 0) {
            pthread_mutex_lock(&p.mu);
            p.running--;
            pthread_mutex_unlock(&p.mu);
            if (i == 0)
                err = ASR_ERR_NOMEM; /* no thread at all; with some, they share the work */
            break;
        }
        ws[i].started = 1;
    }
    if (!err)
        wait_workers(&p);
    for (int i = 0; i < n; i++) {
        if (ws[i].started)
            pthread_join(ws[i].thread, NULL);
        asr_scanner_free(ws[i].scanner);
        free(ws[i].buf);
        free(ws[i].head);
    }
    free(ws);
    pthread_cond_destroy(&p.cv);
    pthread_mutex_destroy(&p.mu);
    if (!err)
        err = collect(analysis, jobs);
    return err;
}
