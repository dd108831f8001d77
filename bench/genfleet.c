/*
 * genfleet.c — labelled fleet generator for the asrlog benchmark.
 *
 *   asrlog-genfleet --out DIR --hosts N --size 1G --seed 42 [--gzip none|mixed|all]
 *                   [--gzip-level 1..9] [--labels FILE] [--no-chatter] [--quiet]
 *
 * Writes N source hosts (one folder each, Windows and Linux, laid out like support bundles)
 * plus configuration-server folders with push-install logs, in the line formats of
 * ../shared/reference/asr-logs.md and the bundled corpus/. Every host gets 1–4 install
 * attempts; the last one decides its outcome and root cause, which go to the labels file
 * (host<TAB>outcome<TAB>root_cause_signature_id, '-' when the host succeeded).
 *
 * How it works, in reading order:
 *   1. plan      — hosts, scenario of every attempt, times, push jobs (plan_fleet).
 *   2. render    — each log file is rendered as a "doc": its skeleton text (the lines that
 *                  carry the story: markers, evidence, exit codes) with noise slots in it.
 *   3. size      — a first pass renders everything into a counting sink: skeleton bytes S0
 *                  and noise units U. Noise slot budgets are then K * weight with
 *                  K = (size - S0) / U, so the total lands on --size.
 *   4. write     — the second pass renders again and streams docs to files (plain or gzip),
 *                  generating benign chatter in each slot until its budget is spent.
 *
 * Determinism: one splitmix64-seeded xoshiro256** stream per purpose (plan, each host, each
 * doc, each noise slot), derived from --seed by hashing; never rand() or the clock. Whether a
 * file is gzipped is decided by a separate hash, so `--gzip all` and `--gzip none` produce the
 * same decompressed bytes and the same labels.
 *
 * gzip: zlib level 1 by default (the fastest; how well the fleet compresses does not matter
 * to the benchmark, and inflate speed hardly depends on the level).
 *
 * File sections, in order: basics, random numbers, civil time, output sinks, template
 * variables, docs and templates, benign chatter, scenarios, the plan's types, Windows logs,
 * Linux logs, the legacy Inno log, the push-install service, writing docs, the configuration
 * server log, host folders, planning, main.
 *
 * Dependencies: C11, POSIX (mkdir), zlib.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* mkdir, fileno; CMake defines it too */
#endif
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <zlib.h>

/* ========================================================================================== */
/* basics                                                                                      */
/* ========================================================================================== */

/* Prints a message and exits with status 2 (usage) or 1 (runtime). */
static void die(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("asrlog-genfleet: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(code);
}

/* malloc/realloc/calloc that never return NULL (the generator has nothing to clean up). */
static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        die(1, "out of memory");
    return q;
}

/* Zeroed array of n elements; never NULL. */
static void *xcalloc(size_t n, size_t sz)
{
    void *q = calloc(n ? n : 1, sz ? sz : 1);
    if (!q)
        die(1, "out of memory");
    return q;
}

/* Copy of s (caller frees); never NULL. */
static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = xrealloc(NULL, n);
    memcpy(d, s, n);
    return d;
}

/* Growable byte buffer. */
typedef struct buf {
    char *p;
    size_t n, cap;
} buf;

/* Makes room for `extra` more bytes. */
static void buf_reserve(buf *b, size_t extra)
{
    if (b->n + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->n + extra + 1)
        cap *= 2;
    b->p = xrealloc(b->p, cap);
    b->cap = cap;
}

/* Appends n bytes (the buffer stays NUL-terminated). */
static void buf_add(buf *b, const void *s, size_t n)
{
    buf_reserve(b, n);
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

/* Appends a string. */
static void buf_puts(buf *b, const char *s) { buf_add(b, s, strlen(s)); }

/* Appends one character. */
static void buf_putc(buf *b, char c) { buf_add(b, &c, 1); }

/* Appends printf-formatted text (formats straight into the free space when it fits). */
static void buf_printf(buf *b, const char *fmt, ...)
{
    buf_reserve(b, 256);
    va_list ap;
    va_start(ap, fmt);
    va_list ap2;
    va_copy(ap2, ap);
    size_t room = b->cap - b->n;
    int n = vsnprintf(b->p + b->n, room, fmt, ap);
    va_end(ap);
    if (n < 0)
        die(1, "format error");
    if ((size_t)n >= room) {
        buf_reserve(b, (size_t)n);
        vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap2);
    }
    va_end(ap2);
    b->n += (size_t)n;
}

/* Appends every string argument up to a NULL. */
static void buf_cat(buf *b, ...)
{
    va_list ap;
    va_start(ap, b);
    for (const char *s = va_arg(ap, const char *); s; s = va_arg(ap, const char *))
        buf_add(b, s, strlen(s));
    va_end(ap);
}

/* Appends the decimal form of v, zero-padded to at least `width` digits. */
static void buf_dec(buf *b, uint64_t v, int width)
{
    char tmp[24];
    int i = 0;
    do {
        tmp[i++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (i < width)
        tmp[i++] = '0';
    buf_reserve(b, (size_t)i);
    while (i)
        b->p[b->n++] = tmp[--i];
    b->p[b->n] = '\0';
}

/* Formats into a freshly allocated string. */
static char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = xrealloc(NULL, (size_t)n + 1);
    vsnprintf(s, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return s;
}

/* ========================================================================================== */
/* deterministic random numbers                                                                */
/* ========================================================================================== */

/* splitmix64: the seed expander (and a good 64-bit mixer for deriving sub-seeds). */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Mixes a parent seed with a tag into an independent child seed. */
static uint64_t seed_mix(uint64_t seed, uint64_t tag)
{
    uint64_t x = seed ^ (tag * 0xD6E8FEB86659FD93ULL);
    splitmix64(&x);
    return splitmix64(&x);
}

/* xoshiro256**, seeded through splitmix64. */
typedef struct rng {
    uint64_t s[4];
} rng;

/* Seeds the generator state from one 64-bit seed. */
static void rng_seed(rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

/* Rotates x left by k bits (0 < k < 64). */
static uint64_t rotl64(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* Next 64 random bits (xoshiro256** step). */
static uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl64(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return result;
}

/* Uniform integer in [lo, hi] (inclusive). */
static int64_t rng_range(rng *r, int64_t lo, int64_t hi)
{
    if (hi <= lo)
        return lo;
    uint64_t span = (uint64_t)(hi - lo) + 1;
    return lo + (int64_t)(rng_next(r) % span);
}

/* Uniform double in [0, 1). */
static double rng_unit(rng *r) { return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0); }

/* True with probability p. */
static int rng_chance(rng *r, double p) { return rng_unit(r) < p; }

/* Standard normal deviate (Box–Muller). */
static double rng_normal(rng *r)
{
    double u1 = rng_unit(r), u2 = rng_unit(r);
    if (u1 < 1e-300)
        u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

#define PICK(r, arr) ((arr)[rng_range((r), 0, (int64_t)(sizeof(arr) / sizeof((arr)[0])) - 1)])

/* Writes a lower-case GUID (8-4-4-4-12) into out (37 bytes). */
static void rng_guid(rng *r, char *out, int upper)
{
    static const char lo[] = "0123456789abcdef", up[] = "0123456789ABCDEF";
    const char *hex = upper ? up : lo;
    uint64_t a = rng_next(r), b = rng_next(r);
    int k = 0;
    for (int i = 0; i < 32; i++) {
        if (i == 8 || i == 12 || i == 16 || i == 20)
            out[k++] = '-';
        uint64_t w = i < 16 ? a : b;
        out[k++] = hex[(w >> ((i % 16) * 4)) & 15];
    }
    out[k] = '\0';
}

/* ========================================================================================== */
/* civil time (no time zone database: every time is local civil time in milliseconds)          */
/* ========================================================================================== */

typedef int64_t msec; /* milliseconds since 1970-01-01 00:00 local civil time */

#define SEC 1000LL
#define MINUTE (60 * SEC)
#define HOUR (60 * MINUTE)
#define DAY (24 * HOUR)

typedef struct civil {
    int y, mo, d, h, mi, s, ms;
} civil;

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Inverse of days_from_civil plus the time of day. */
static civil civil_from_ms(msec t)
{
    civil c;
    int64_t days = t >= 0 ? t / DAY : -((-t + DAY - 1) / DAY);
    int64_t rem = t - days * DAY;
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    c.d = (int)(doy - (153 * mp + 2) / 5 + 1);
    c.mo = (int)(mp < 10 ? mp + 3 : mp - 9);
    c.y = (int)(y + (c.mo <= 2));
    c.h = (int)(rem / HOUR);
    c.mi = (int)(rem / MINUTE % 60);
    c.s = (int)(rem / SEC % 60);
    c.ms = (int)(rem % SEC);
    return c;
}

/* Time-stamp styles used by the log formats (asr-logs.md). Each appends to b. */
enum tfmt {
    TF_TRC,      /* hh:mm:ss (12-hour, no AM/PM) — .NET installer in-session lines */
    TF_LINUX,    /* MM/DD/YYYY HH:MM:SS — Linux install scripts */
    TF_PUSH,     /* MM-DD-YYYY HH:MM:SS — InMage logger */
    TF_MSI,      /* HH:MM:SS:mmm — msiexec bracketed */
    TF_MSIACT,   /* H:MM:SS — msiexec "Action start" */
    TF_MSIHDR,   /* M/D/YYYY  H:MM:SS — msiexec "Verbose logging started" */
    TF_INNO,     /* YYYY-MM-DD HH:MM:SS.mmm — Inno Setup log body */
    TF_INNOFRAME,/* dd.mm.yyyy hh:nn:ss — UA_InstallLogFile frame */
    TF_US,       /* M/D/YYYY h:mm:ss AM — en-US DateTime.ToString() */
    TF_BACKUP,   /* yyyy-MM-dd-HH-mm-ss — Backup\ prefix */
    TF_UPLOAD,   /* yyMMdd-HHmmss — UploadedLogs\ prefix */
    TF_PIJOB,    /* Y_M_D_H_M_S without padding — PIVerbose job stamp */
};

/* Appends x, sep, y, sep, z as decimals zero-padded to widths wx, wy, wz ("03/14/2023",
 * "10:22:41"): the hand-written fast path of the frequent time-stamp styles. */
static void put_triple(buf *b, int x, int wx, int y, int wy, int z, int wz, char sep)
{
    buf_dec(b, (uint64_t)x, wx);
    buf_putc(b, sep);
    buf_dec(b, (uint64_t)y, wy);
    buf_putc(b, sep);
    buf_dec(b, (uint64_t)z, wz);
}

/* Appends time t in one of the TF_* styles. */
static void fmt_time(buf *b, msec t, int style)
{
    civil c = civil_from_ms(t);
    switch (style) {
    case TF_TRC:
        put_triple(b, c.h % 12 == 0 ? 12 : c.h % 12, 2, c.mi, 2, c.s, 2, ':');
        break;
    case TF_LINUX:
    case TF_PUSH:
        put_triple(b, c.mo, 2, c.d, 2, c.y, 4, style == TF_LINUX ? '/' : '-');
        buf_putc(b, ' ');
        put_triple(b, c.h, 2, c.mi, 2, c.s, 2, ':');
        break;
    case TF_MSI:
        put_triple(b, c.h, 2, c.mi, 2, c.s, 2, ':');
        buf_putc(b, ':');
        buf_dec(b, (uint64_t)c.ms, 3);
        break;
    case TF_MSIACT:
        put_triple(b, c.h, 1, c.mi, 2, c.s, 2, ':');
        break;
    case TF_MSIHDR:
        buf_printf(b, "%d/%d/%d  %d:%02d:%02d", c.mo, c.d, c.y, c.h, c.mi, c.s);
        break;
    case TF_INNO:
        buf_printf(b, "%04d-%02d-%02d %02d:%02d:%02d.%03d", c.y, c.mo, c.d, c.h, c.mi, c.s,
                   c.ms);
        break;
    case TF_INNOFRAME:
        buf_printf(b, "%02d.%02d.%04d %02d:%02d:%02d", c.d, c.mo, c.y, c.h, c.mi, c.s);
        break;
    case TF_US: {
        int h12 = c.h % 12 == 0 ? 12 : c.h % 12;
        buf_printf(b, "%d/%d/%d %d:%02d:%02d %s", c.mo, c.d, c.y, h12, c.mi, c.s,
                   c.h < 12 ? "AM" : "PM");
        break;
    }
    case TF_BACKUP:
        buf_printf(b, "%04d-%02d-%02d-%02d-%02d-%02d", c.y, c.mo, c.d, c.h, c.mi, c.s);
        break;
    case TF_UPLOAD:
        buf_printf(b, "%02d%02d%02d-%02d%02d%02d", c.y % 100, c.mo, c.d, c.h, c.mi, c.s);
        break;
    case TF_PIJOB:
        buf_printf(b, "%d_%d_%d_%d_%d_%d", c.y, c.mo, c.d, c.h, c.mi, c.s);
        break;
    }
}

/* ========================================================================================== */
/* output sinks: counting, plain file, gzip file; optional UTF-16LE encoding                   */
/* ========================================================================================== */

enum sink_mode { SINK_MEASURE, SINK_PLAIN, SINK_GZIP };

#define SINK_BUF (1u << 20)

typedef struct sink {
    int mode;
    int utf16;             /* expand each byte to UTF-16LE (the text is ASCII) */
    FILE *f;
    z_stream *z;           /* from the pool: a z_stream must not move once initialised */
    unsigned char *stage;  /* staged (encoded) bytes */
    size_t n;
    unsigned char *zout;
    uint64_t bytes;        /* uncompressed bytes produced (after encoding) */
    uint64_t noise_units;  /* SINK_MEASURE: noise budget units requested */
    const char *path;
} sink;

/* Staging buffers are recycled: a fleet has thousands of files but only a few open at once,
 * and a fresh megabyte per file would cost a page fault per 4 KiB. */
static unsigned char *buf_pool[32];
static int n_buf_pool;

/* A staging buffer of SINK_BUF bytes, recycled when possible. */
static unsigned char *pool_get(void)
{
    return n_buf_pool ? buf_pool[--n_buf_pool] : xrealloc(NULL, SINK_BUF);
}

/* Initialised deflate streams are recycled as well (deflateReset instead of a new state). */
static z_stream *z_pool[32];
static int n_z_pool;

/* A gzip deflate stream ready for a new member, recycled when possible. */
static z_stream *zpool_get(int level)
{
    if (n_z_pool) {
        z_stream *z = z_pool[--n_z_pool];
        deflateReset(z);
        return z;
    }
    z_stream *z = xcalloc(1, sizeof *z);
    if (deflateInit2(z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        die(1, "deflateInit2 failed");
    return z;
}

/* Returns a deflate stream to the pool (or ends it). */
static void zpool_put(z_stream *z)
{
    if (n_z_pool < (int)(sizeof z_pool / sizeof z_pool[0]))
        z_pool[n_z_pool++] = z;
    else {
        deflateEnd(z);
        free(z);
    }
}

/* Returns a staging buffer to the pool (or frees it). */
static void pool_put(unsigned char *p)
{
    if (!p)
        return;
    if (n_buf_pool < (int)(sizeof buf_pool / sizeof buf_pool[0]))
        buf_pool[n_buf_pool++] = p;
    else
        free(p);
}

/* Hands the staged bytes to the file or the compressor. */
static void sink_flush(sink *s, int finish)
{
    if (s->mode == SINK_PLAIN && s->n) {
        if (fwrite(s->stage, 1, s->n, s->f) != s->n)
            die(1, "%s: %s", s->path, strerror(errno));
    } else if (s->mode == SINK_GZIP) {
        s->z->next_in = s->stage;
        s->z->avail_in = (uInt)s->n;
        int flush = finish ? Z_FINISH : Z_NO_FLUSH;
        for (;;) {
            s->z->next_out = s->zout;
            s->z->avail_out = SINK_BUF;
            int rc = deflate(s->z, flush);
            if (rc == Z_STREAM_ERROR)
                die(1, "%s: deflate failed", s->path);
            size_t have = SINK_BUF - s->z->avail_out;
            if (have && fwrite(s->zout, 1, have, s->f) != have)
                die(1, "%s: %s", s->path, strerror(errno));
            if (finish ? rc == Z_STREAM_END : s->z->avail_in == 0)
                break;
        }
    }
    s->n = 0;
}

/* Writes n bytes (expanded to UTF-16LE when the sink says so); counts them. */
static void sink_write(sink *s, const void *p, size_t n)
{
    const unsigned char *c = p;
    size_t mult = s->utf16 ? 2 : 1;
    s->bytes += n * mult;
    if (s->mode == SINK_MEASURE)
        return;
    while (n) {
        size_t room = (SINK_BUF - s->n) / mult;
        if (room == 0) {
            sink_flush(s, 0);
            continue;
        }
        size_t k = n < room ? n : room;
        if (s->utf16) {
            for (size_t i = 0; i < k; i++) {
                s->stage[s->n++] = c[i];
                s->stage[s->n++] = 0;
            }
        } else {
            memcpy(s->stage + s->n, c, k);
            s->n += k;
        }
        c += k;
        n -= k;
    }
}

/* Writes bytes as they are (no UTF-16 expansion): byte order marks. */
static void sink_raw(sink *s, const void *p, size_t n)
{
    int u = s->utf16;
    s->utf16 = 0;
    sink_write(s, p, n);
    s->utf16 = u;
}

/* Opens a sink on `path` (mode from the arguments); level is the zlib level for gzip. */
static void sink_open(sink *s, int mode, const char *path, int level)
{
    memset(s, 0, sizeof *s);
    s->mode = mode;
    s->path = path;
    if (mode == SINK_MEASURE)
        return;
    s->f = fopen(path, "wb");
    if (!s->f)
        die(1, "%s: %s", path, strerror(errno));
    s->stage = pool_get();
    if (mode == SINK_GZIP) {
        s->zout = pool_get();
        s->z = zpool_get(level);
    }
}

/* Ends the current gzip member and starts a new one (a collector appending `gzip -c`
 * output produces such multi-member files); a no-op for other sinks. */
static void sink_new_member(sink *s)
{
    if (s->mode != SINK_GZIP)
        return;
    sink_flush(s, 1);
    deflateReset(s->z);
}

/* Flushes, ends the gzip stream and closes the file (a measuring sink has nothing to do). */
static void sink_close(sink *s)
{
    if (s->mode == SINK_MEASURE)
        return;
    sink_flush(s, 1);
    if (s->z)
        zpool_put(s->z);
    if (fclose(s->f) != 0)
        die(1, "%s: %s", s->path, strerror(errno));
    pool_put(s->stage);
    pool_put(s->zout);
}

/* Creates every directory of `path` up to (not including) its last component. */
static void mkdirs_for(const char *path)
{
    char *p = xstrdup(path);
    for (char *q = p + 1; *q; q++) {
        if (*q != '/')
            continue;
        *q = '\0';
        if (mkdir(p, 0755) != 0 && errno != EEXIST)
            die(1, "mkdir %s: %s", p, strerror(errno));
        *q = '/';
    }
    free(p);
}

/* ========================================================================================== */
/* variables for templates                                                                     */
/* ========================================================================================== */

#define MAX_VARS 96

/* A flat name -> value table; set() replaces. Values are owned (strdup'ed). */
typedef struct vars {
    const char *name[MAX_VARS];
    char *val[MAX_VARS];
    int n;
} vars;

/* Sets name (a string literal, not copied) to a copy of val. */
static void vars_set(vars *v, const char *name, const char *val)
{
    for (int i = 0; i < v->n; i++)
        if (strcmp(v->name[i], name) == 0) {
            free(v->val[i]);
            v->val[i] = xstrdup(val ? val : "");
            return;
        }
    if (v->n == MAX_VARS)
        die(1, "internal: too many template variables");
    v->name[v->n] = name;
    v->val[v->n] = xstrdup(val ? val : "");
    v->n++;
}

/* Sets name to a printf-formatted value. */
static void vars_setf(vars *v, const char *name, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    vars_set(v, name, tmp);
}

/* Value of the variable whose name is name[0..len), or NULL. */
static const char *vars_get(const vars *v, const char *name, size_t len)
{
    for (int i = v->n - 1; i >= 0; i--)
        if (strlen(v->name[i]) == len && memcmp(v->name[i], name, len) == 0)
            return v->val[i];
    return NULL;
}

/* Frees every value and empties the table. */
static void vars_free(vars *v)
{
    for (int i = 0; i < v->n; i++)
        free(v->val[i]);
    v->n = 0;
}

/* ========================================================================================== */
/* docs: a rendered log file = skeleton text + noise slots                                     */
/* ========================================================================================== */

/* Line styles (prefix added in front of every templated line). */
enum style {
    ST_RAW,     /* no prefix */
    ST_TRC,     /* "hh:mm:ss:" .NET installer/configurator/validator */
    ST_LINUX,   /* "MM/DD/YYYY HH:MM:SS: " (quiet) or "... : msg " (loud) */
    ST_INNO,    /* "YYYY-MM-DD HH:MM:SS.mmm   " */
    ST_WRAPPER, /* "M/D/YYYY h:mm:ss AM: INFO :: " */
    ST_MSI,     /* prefixes come from {S}/{C} inside the template text */
};

/* Kinds of benign chatter (see the noise_* generators). */
enum noise_kind {
    NZ_VALIDATOR,   /* validator registry checks (hh:mm:ss:) */
    NZ_MSI_EXEC,    /* msiexec actions and script operations */
    NZ_MSI_PROP,    /* msiexec property dump */
    NZ_INNO_FILES,  /* Inno Setup "-- File entry --" blocks */
    NZ_LX_MOUNT,    /* `mount` output in the prereq checker dump */
    NZ_LX_DF,       /* `df -h` output */
    NZ_LX_DOTS,     /* openssl dhparam progress dots (gencert) */
    NZ_LX_CDPCLI,   /* /var/log/cdpcli.log records pasted by the configurator */
    NZ__COUNT
};

static const char *const noise_names[NZ__COUNT] = {
    "validator", "msiexec", "msiprop", "innofiles", "mount", "df", "dots", "cdpcli",
};

typedef struct slot {
    size_t off;      /* where in the skeleton the chatter goes */
    int kind;
    double w;        /* weight (budget = K * doc weight * w) */
    msec t0, t1;     /* time span the chatter covers */
} slot;

typedef struct doc {
    buf b;
    slot *slots;
    size_t ns, cap;
    int style;
    const char *eol;
    msec t;          /* the doc's clock */
    rng r;
    uint64_t seed;
    const vars *v;
    double weight;   /* noise weight of the doc (host weight times doc factor) */
    int utf16;       /* written as UTF-16LE with a BOM */
    int ansi;        /* bytes above 0x7F are cp1252 (informational) */
} doc;

/* Starts an empty doc. The clock starts at t0; seed drives its random choices. */
static void doc_init(doc *d, int style, const char *eol, msec t0, uint64_t seed, const vars *v,
                     double weight)
{
    memset(d, 0, sizeof *d);
    d->style = style;
    d->eol = eol;
    d->t = t0;
    d->seed = seed;
    rng_seed(&d->r, seed);
    d->v = v;
    d->weight = weight;
}

/* Frees the text and slots of a doc and clears it. */
static void doc_free(doc *d)
{
    free(d->b.p);
    free(d->slots);
    memset(d, 0, sizeof *d);
}

/* Adds a noise slot at the current end of the text, covering `dur_s` seconds of clock. */
static void doc_slot(doc *d, int kind, double w, int dur_s)
{
    if (d->ns == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 8;
        d->slots = xrealloc(d->slots, d->cap * sizeof *d->slots);
    }
    slot *s = &d->slots[d->ns++];
    s->off = d->b.n;
    s->kind = kind;
    s->w = w;
    s->t0 = d->t;
    d->t += (msec)dur_s * SEC;
    s->t1 = d->t;
}

/* Moves the clock like a program writing one more line. */
static void doc_tick(doc *d)
{
    switch (d->style) {
    case ST_TRC:
    case ST_LINUX:
    case ST_WRAPPER:
        d->t += rng_chance(&d->r, 0.15) ? rng_range(&d->r, 400, 1100) : rng_range(&d->r, 0, 90);
        break;
    case ST_MSI:
        d->t += rng_range(&d->r, 2, 60);
        break;
    case ST_INNO:
        d->t += rng_range(&d->r, 1, 30);
        break;
    default:
        break;
    }
}

/* The fleet's UTC offset (local times of the logs; UploadedLogs\ prefixes are UTC). */
static const char *g_utc_offset = "+02:00";
static int g_utc_offset_min = 120;

/* Appends an ISO-8601 round-trip time (7 fractional digits, the fleet's UTC offset). */
static void put_iso(buf *b, msec t, rng *r)
{
    civil c = civil_from_ms(t);
    buf_printf(b, "%04d-%02d-%02dT%02d:%02d:%02d.%03d%04d%s", c.y, c.mo, c.d, c.h, c.mi, c.s,
               c.ms, (int)rng_range(r, 0, 9999), g_utc_offset);
}

/* Expands {NAME} references in `s` into b. Names computed from the doc clock:
 * ISO, S/C (msiexec server/client prefix), AT (msiexec action time), MH (msiexec header),
 * US (en-US time), LT (Linux time), INNO, FRAME, PT (InMage logger time). */
static void expand(doc *d, buf *b, const char *s)
{
    while (*s) {
        const char *o = strchr(s, '{');
        if (!o) {
            buf_puts(b, s);
            return;
        }
        const char *c = strchr(o, '}');
        if (!c) {
            buf_puts(b, s);
            return;
        }
        buf_add(b, s, (size_t)(o - s));
        const char *name = o + 1;
        size_t len = (size_t)(c - name);
        /* only {UPPER_CASE_NAME} is a reference; other braces (JSON, GUIDs) are text */
        int ident = len > 0;
        for (size_t i = 0; i < len && ident; i++)
            ident = (name[i] >= 'A' && name[i] <= 'Z') || (name[i] >= '0' && name[i] <= '9') ||
                    name[i] == '_';
        if (!ident) {
            buf_putc(b, '{');
            s = o + 1;
            continue;
        }
#define IS(lit) (len == sizeof(lit) - 1 && memcmp(name, lit, len) == 0)
        if (IS("ISO"))
            put_iso(b, d->t, &d->r);
        else if (IS("S") || IS("C")) {
            const char *ids = vars_get(d->v, IS("S") ? "MSIS" : "MSIC", 4);
            buf_printf(b, "MSI (%c) (%s) [", IS("S") ? 's' : 'c', ids ? ids : "A0:8C");
            fmt_time(b, d->t, TF_MSI);
            buf_puts(b, "]:");
        } else if (IS("AT"))
            fmt_time(b, d->t, TF_MSIACT);
        else if (IS("MH"))
            fmt_time(b, d->t, TF_MSIHDR);
        else if (IS("US"))
            fmt_time(b, d->t, TF_US);
        else if (IS("LT"))
            fmt_time(b, d->t, TF_LINUX);
        else if (IS("INNO"))
            fmt_time(b, d->t, TF_INNO);
        else if (IS("FRAME"))
            fmt_time(b, d->t, TF_INNOFRAME);
        else if (IS("PT"))
            fmt_time(b, d->t, TF_PUSH);
        else {
            const char *v = d->v ? vars_get(d->v, name, len) : NULL;
            if (!v)
                die(1, "internal: template variable {%.*s} is not set", (int)len, name);
            buf_puts(b, v);
        }
#undef IS
        s = c + 1;
    }
}

/* Writes the style prefix for a line at the current clock. */
static void put_prefix(doc *d, int loud)
{
    switch (d->style) {
    case ST_TRC:
        fmt_time(&d->b, d->t, TF_TRC);
        buf_putc(&d->b, ':');
        break;
    case ST_LINUX:
        fmt_time(&d->b, d->t, TF_LINUX);
        buf_puts(&d->b, loud ? " : " : ": ");
        break;
    case ST_INNO:
        fmt_time(&d->b, d->t, TF_INNO);
        buf_puts(&d->b, "   ");
        break;
    case ST_WRAPPER:
        fmt_time(&d->b, d->t, TF_US);
        buf_puts(&d->b, ": INFO :: ");
        break;
    default:
        break;
    }
}

/* Appends one prefixed line (text expanded). */
static void doc_line(doc *d, const char *text)
{
    doc_tick(d);
    put_prefix(d, 0);
    expand(d, &d->b, text);
    buf_puts(&d->b, d->eol);
}

/* Appends one raw line (no prefix, no clock movement). */
static void doc_raw(doc *d, const char *text)
{
    expand(d, &d->b, text);
    buf_puts(&d->b, d->eol);
}

/* printf-style prefixed line (no {} expansion). */
static void doc_linef(doc *d, const char *fmt, ...)
{
    char tmp[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    doc_tick(d);
    put_prefix(d, 0);
    buf_puts(&d->b, tmp);
    buf_puts(&d->b, d->eol);
}

/* Parses "N" or "A-B" (seconds) and advances the clock. */
static void doc_advance_spec(doc *d, const char *spec)
{
    long a = strtol(spec, (char **)&spec, 10), b = a;
    if (*spec == '-')
        b = strtol(spec + 1, NULL, 10);
    d->t += rng_range(&d->r, a, b) * SEC + rng_range(&d->r, 0, 999);
}

/* NZ_* kind of a noise name used in templates (dies on an unknown name). */
static int noise_kind_of(const char *name, size_t len)
{
    for (int k = 0; k < NZ__COUNT; k++)
        if (strlen(noise_names[k]) == len && memcmp(noise_names[k], name, len) == 0)
            return k;
    die(1, "internal: unknown noise kind %.*s", (int)len, name);
    return 0;
}

/*
 * Runs a template: an array of lines ending with NULL. The first character selects:
 *   (other)   a prefixed line in the doc's style
 *   |text     a raw line (no prefix: multi-line message continuations, pasted output)
 *   !text     a "loud" Linux line ("MM/DD/YYYY HH:MM:SS : text ")
 *   @+N / @+A-B   advance the clock by N (or A..B) seconds
 *   @hdr / @end   .NET trace session header / trailer line
 *   %kind W [D]   a noise slot of weight W covering D seconds
 *   ?NAME|rest    process `rest` only when variable NAME is non-empty ( ?-NAME|… : when empty)
 */
static void doc_tpl(doc *d, const char *const *lines)
{
    for (; *lines; lines++) {
        const char *l = *lines;
        while (*l == '?') {
            int neg = l[1] == '-';
            const char *name = l + 1 + neg;
            const char *bar = strchr(name, '|');
            if (!bar)
                die(1, "internal: bad conditional template line %s", *lines);
            const char *v = vars_get(d->v, name, (size_t)(bar - name));
            int on = v && *v;
            if (on == neg)
                goto next;
            l = bar + 1;
        }
        switch (*l) {
        case '|':
            if (d->style == ST_MSI)
                doc_tick(d); /* msiexec lines carry their own time stamps */
            doc_raw(d, l + 1);
            break;
        case '!':
            /* LOG "...": "<time> : <text> "; an empty text is the start of a pasted
             * command output ("<time> : " then the output lines) */
            doc_tick(d);
            put_prefix(d, 1);
            expand(d, &d->b, l + 1);
            if (l[1])
                buf_putc(&d->b, ' ');
            buf_puts(&d->b, d->eol);
            break;
        case '@':
            if (l[1] == '+')
                doc_advance_spec(d, l + 2);
            else if (strcmp(l, "@hdr") == 0 || strcmp(l, "@end") == 0) {
                doc_tick(d);
                put_iso(&d->b, d->t, &d->r);
                buf_puts(&d->b, l[1] == 'h' ? "\tAlways:\tTrace Session Started"
                                            : "\tAlways:\tTrace Session Ended");
                buf_puts(&d->b, d->eol);
            } else
                die(1, "internal: bad directive %s", l);
            break;
        case '%': {
            const char *k = l + 1;
            const char *sp = strchr(k, ' ');
            if (!sp)
                die(1, "internal: bad noise line %s", l);
            int kind = noise_kind_of(k, (size_t)(sp - k));
            char *end;
            double w = strtod(sp + 1, &end);
            long dur = strtol(end, NULL, 10);
            doc_slot(d, kind, w, (int)dur);
            break;
        }
        default:
            doc_line(d, l);
            break;
        }
    next:;
    }
}

/* Runs a one-line template (so the line may use the opcodes of doc_tpl). */
static void doc_t1(doc *d, const char *line)
{
    const char *a[2] = {line, NULL};
    doc_tpl(d, a);
}

/* Appends the text and noise slots of `src` to `dst` (the slots keep their times). */
static void doc_append(doc *dst, const doc *src)
{
    size_t base = dst->b.n;
    buf_add(&dst->b, src->b.p ? src->b.p : "", src->b.n);
    for (size_t i = 0; i < src->ns; i++) {
        if (dst->ns == dst->cap) {
            dst->cap = dst->cap ? dst->cap * 2 : 8;
            dst->slots = xrealloc(dst->slots, dst->cap * sizeof *dst->slots);
        }
        dst->slots[dst->ns] = src->slots[i];
        dst->slots[dst->ns].off += base;
        dst->slots[dst->ns].w *= src->weight / (dst->weight > 0 ? dst->weight : 1);
        dst->ns++;
    }
}

/* ========================================================================================== */
/* benign chatter                                                                              */
/* ========================================================================================== */
/*
 * Every generator below writes whole lines in the format of the log it sits in, moving the
 * time stamps from the slot's t0 to t1 as its budget is spent, until `budget` bytes are out.
 * The vocabulary comes from the corpus files and the reference formats; none of these lines
 * may match a failure/warning signature (the bench.accuracy test checks that the findings of
 * a fleet do not change when its chatter is added).
 */

#define NEW_AGENT_VERSION "9.54.6616.1"

/* Files of the agent as listed by the corpus Inno log and the MSI command lines. */
static const char *const agent_files[] = {
    "drscout_upgrade.bat", "rem_files.bat", "configureadmin.bat", "EnableDisableFiltering.bat",
    "InMageVSSProvider_Install.cmd", "InMageVSSProvider_Uninstall.cmd",
    "InMageVssProvider_Register.vbs", "svagents.exe", "cdpcli.exe", "InMageVssProvider.dll",
    "csgetfingerprint.exe", "hostconfigwxcommon.exe", "drvutil.exe", "s2.exe", "appservice.exe",
    "cxpsclient.exe", "dataprotection.exe", "unregagent.exe", "hostconfigcli.exe",
    "frsvc.exe", "cachemgr.exe", "evtcollforw.exe", "libcurl.dll", "libeay32.dll",
    "ssleay32.dll", "zlib1.dll", "drscout.conf", "InDskFlt.sys", "InDskFlt.inf", "InDskFlt.cat",
    "ServiceControlManager.exe", "MobilityServiceValidator.exe", "UnifiedAgentConfigurator.exe",
    "AzureRcmCli.exe", "RcmProxyAgent.exe", "vacp.exe", "inmexec.exe", "InMageDiskFltCli.exe",
};

static const char *const agent_subdirs[] = {
    "", "FileRep\\", "transport\\", "Application Data\\etc\\", "bin\\", "diagnostics\\",
};

static const char *const msi_tables[] = {
    "Error", "ActionText", "LockPermissions", "MsiLockPermissionsEx", "Shortcut",
    "IniFile", "Extension", "TypeLib", "Class", "MIME", "Font", "SelfReg", "MoveFile",
    "DuplicateFile", "Environment", "ServiceControl", "BindImage", "ODBCDriver",
};

static const char *const drivers5[] = {"atapi", "vmbus", "storflt", "storvsc", "intelide"};
static const char *const services6[] = {"vds", "vss", "COMSysApp", "MSDTC", "msiserver",
                                        "EventLog"};

static const char *const cdpcli_funcs[] = {
    "main", "PostToSVServer", "CurlWrapper::processCurlResponse", "main",
};

/* State shared by the generators of one slot. */
typedef struct nz {
    sink *s;
    buf line;        /* lines are assembled here and flushed in chunks */
    const doc *d;
    const slot *sl;
    rng r;
    uint64_t budget, done;
    uint64_t seq;
    int pid, tid;
    msec last;       /* time of the previous line: chatter never goes back in time */
    const char *agentver;
    const char *msis;
} nz;

/* The time of the next line: the slot's span scaled by the share of the budget spent. */
static msec nz_time(nz *z)
{
    double f = z->budget ? (double)z->done / (double)z->budget : 0;
    if (f > 1)
        f = 1;
    msec t = z->sl->t0 + (msec)((double)(z->sl->t1 - z->sl->t0) * f);
    if (t < z->last)
        t = z->last;
    t += rng_range(&z->r, 0, 3);
    z->last = t;
    return t;
}

/* Ends the line being assembled; flushes the chunk when it is large. */
static void nz_eol(nz *z)
{
    buf_puts(&z->line, z->d->eol);
    if (z->line.n >= 60000) {
        sink_write(z->s, z->line.p, z->line.n);
        z->line.n = 0;
    }
}

/* Writes the line prefix of the slot's doc style at time t. */
static void nz_prefix(nz *z, msec t)
{
    switch (z->d->style) {
    case ST_TRC:
        fmt_time(&z->line, t, TF_TRC);
        buf_putc(&z->line, ':');
        break;
    case ST_INNO:
        fmt_time(&z->line, t, TF_INNO);
        buf_puts(&z->line, "   ");
        break;
    default:
        break;
    }
}

/* One group of validator lines: a driver or a service checked in a control set. */
static void nz_validator(nz *z)
{
    const char *cs = rng_chance(&z->r, 0.5) ? "SYSTEM\\ControlSet001\\Services" : "SYSTEM\\ControlSet002\\Services";
    int svc = rng_chance(&z->r, 0.5);
    const char *name = svc ? PICK(&z->r, services6) : PICK(&z->r, drivers5);
    msec t = nz_time(z);
    nz_prefix(z, t);
    buf_cat(&z->line, svc ? "Validating service " : "Validating driver ", name, " in ", cs, NULL);
    nz_eol(z);
    nz_prefix(z, t);
    buf_cat(&z->line, "Enterting ValidateServiceKeys root: ", cs, " szDriverName: ", name,
            svc ? " PathValidation: False StartType: 3" : " PathValidation: False StartType: -1", NULL);
    nz_eol(z);
    nz_prefix(z, t);
    buf_cat(&z->line, "Validating registry key ", cs, "\\", name, NULL);
    nz_eol(z);
    nz_prefix(z, t);
    buf_cat(&z->line, svc ? "Validated Service " : "Validated driver ", name, " in ", cs, NULL);
    nz_eol(z);
}

/* Writes "MSI (s) (PID:TID) [HH:MM:SS:mmm]: ". */
static void nz_msi_prefix(nz *z, msec t)
{
    buf_cat(&z->line, "MSI (s) (", z->msis, ") [", NULL);
    fmt_time(&z->line, t, TF_MSI);
    buf_puts(&z->line, "]: ");
}

/* Appends a random GUID. */
static void put_guid(nz *z, int upper)
{
    char g[40];
    rng_guid(&z->r, g, upper);
    buf_puts(&z->line, g);
}

/* Standard Windows Installer properties with typical values ('#': a number, 'G': a GUID). */
typedef struct msiprop {
    const char *name, *val;
} msiprop;

static const msiprop msi_propvals[] = {
    {"ACTION", "INSTALL"}, {"ALLUSERS", "1"}, {"ARPNOMODIFY", "1"}, {"ARPNOREPAIR", "1"},
    {"AdminToolsFolder", "C:\\ProgramData\\Microsoft\\Windows\\Start Menu\\Programs\\Administrative Tools\\"},
    {"AppDataFolder", "C:\\Windows\\system32\\config\\systemprofile\\AppData\\Roaming\\"},
    {"ClientProcessId", "#"}, {"ClientUILevel", "3"}, {"ColorBits", "32"},
    {"CommonAppDataFolder", "C:\\ProgramData\\"},
    {"CommonFilesFolder", "C:\\Program Files (x86)\\Common Files\\"}, {"CostingComplete", "1"},
    {"CURRENTDIRECTORY", "C:\\Windows\\system32"}, {"EXECUTEACTION", "INSTALL"},
    {"FontsFolder", "C:\\Windows\\Fonts\\"}, {"GPTSupport", "1"}, {"INSTALLLEVEL", "1"},
    {"Intel", "6"}, {"LocalAppDataFolder", "C:\\Windows\\system32\\config\\systemprofile\\AppData\\Local\\"},
    {"MsiAMD64", "6"}, {"MsiNTProductType", "3"}, {"Msix64", "6"}, {"OLEAdvtSupport", "1"},
    {"OutOfDiskSpace", "0"}, {"OutOfNoRbDiskSpace", "0"}, {"PackageCode", "G"},
    {"PhysicalMemory", "#"}, {"PrimaryVolumePath", "C:"}, {"PrimaryVolumeSpaceAvailable", "#"},
    {"PrimaryVolumeSpaceRemaining", "#"}, {"PrimaryVolumeSpaceRequired", "#"}, {"Privileged", "1"},
    {"ProductLanguage", "1033"}, {"ProductToBeRegistered", "1"},
    {"ProgramFiles64Folder", "C:\\Program Files\\"}, {"RedirectedDllSupport", "2"},
    {"ROOTDRIVE", "C:\\"}, {"ScreenX", "1024"}, {"ScreenY", "768"}, {"ServicePackLevel", "0"},
    {"ServicePackLevelMinor", "0"}, {"ShellAdvtSupport", "1"},
    {"System64Folder", "C:\\Windows\\system32\\"}, {"SystemFolder", "C:\\Windows\\SysWOW64\\"},
    {"TARGETDIR", "C:\\"}, {"TempFolder", "C:\\Windows\\TEMP\\"},
    {"TemplateFolder", "C:\\ProgramData\\Microsoft\\Windows\\Templates\\"}, {"TextHeight", "16"},
    {"TTCSupport", "1"}, {"UILevel", "2"}, {"VersionDatabase", "200"}, {"VersionMsi", "5.00"},
    {"VirtualMemory", "#"}, {"WindowsFolder", "C:\\Windows\\"},
};

/* Appends the value of a property (numbers and GUIDs drawn fresh). */
static void put_msiprop_value(nz *z, const msiprop *p)
{
    if (strcmp(p->val, "#") == 0)
        buf_dec(&z->line, (uint64_t)rng_range(&z->r, 1000, 90000000), 1);
    else if (strcmp(p->val, "G") == 0) {
        buf_putc(&z->line, '{');
        put_guid(z, 1);
        buf_putc(&z->line, '}');
    } else
        buf_puts(&z->line, p->val);
}

/* One line of the install script msiexec runs (InstallFiles … InstallFinalize). */
static void nz_msi_exec(nz *z)
{
    msec t = nz_time(z);
    const char *inst = "C:\\Program Files (x86)\\Microsoft Azure Site Recovery\\agent\\";
    const char *f = PICK(&z->r, agent_files);
    const char *sub = PICK(&z->r, agent_subdirs);
    int bin = strstr(f, ".exe") || strstr(f, ".dll") || strstr(f, ".sys");
    int pick = (int)rng_range(&z->r, 0, 99);
    nz_msi_prefix(z, t);
    if (pick < 38) {
        buf_cat(&z->line, "Executing op: FileCopy(SourceName=", f, ",SourceCabKey=", f, ",DestName=", f,
                ",Attributes=512,FileSize=", NULL);
        buf_dec(&z->line, (uint64_t)rng_range(&z->r, 900, 9000000), 1);
        buf_cat(&z->line, ",PerTick=65536,,VerifyMedia=1,,,,,CheckCRC=0,Version=",
                bin ? z->agentver : "", ",Language=0,InstallMode=58982400,,,,,,,)", NULL);
    } else if (pick < 60) {
        buf_puts(&z->line, "Executing op: ComponentRegister(ComponentId={");
        put_guid(z, 1);
        buf_cat(&z->line, "},KeyPath=", inst, sub, f, ",State=3,,Disk=1,SharedDllRefCount=0,BinaryType=",
                bin ? "1)" : "0)", NULL);
    } else if (pick < 74) {
        static const char *const keys[] = {"InstallDirectory", "Version", "ServiceName",
                                           "PSInstallation", "Role", "Platform", "BuildPath",
                                           "ProductVersion", "InstallTime", "PatchHistory"};
        buf_printf(&z->line, "Executing op: RegAddValue(Name=%s,Value=", PICK(&z->r, keys));
        if (rng_chance(&z->r, 0.5))
            buf_printf(&z->line, "#%d", (int)rng_range(&z->r, 0, 65535));
        else
            buf_printf(&z->line, "%s%s", inst, sub);
        buf_puts(&z->line, ",)");
    } else if (pick < 80) {
        buf_printf(&z->line, "Executing op: SetTargetFolder(Folder=%s%s)", inst, sub);
    } else if (pick < 90) {
        buf_printf(&z->line, "Note: 1: 2205 2:  3: %s ", PICK(&z->r, msi_tables));
    } else {
        const msiprop *p = &PICK(&z->r, msi_propvals);
        buf_printf(&z->line, "PROPERTY CHANGE: Adding %s property. Its value is '", p->name);
        put_msiprop_value(z, p);
        buf_puts(&z->line, "'.");
    }
    nz_eol(z);
}

/* One "Property(S): name = value" line of the end-of-run property dump (in table order). */
static void nz_msi_prop(nz *z)
{
    size_t n = sizeof msi_propvals / sizeof msi_propvals[0];
    const msiprop *p = &msi_propvals[z->seq++ % n];
    buf_printf(&z->line, "Property(S): %s = ", p->name);
    put_msiprop_value(z, p);
    nz_eol(z);
}

/* One Inno Setup "-- File entry --" block. */
static void nz_inno_file(nz *z)
{
    msec t = nz_time(z);
    const char *f = PICK(&z->r, agent_files);
    const char *sub = PICK(&z->r, agent_subdirs);
    int exe = strstr(f, ".exe") || strstr(f, ".dll");
    static const char *const lines[] = {
        "-- File entry --", "Dest filename: ", "Time stamp of our file: 2018-06-08 11:42:10.000",
        "Dest file exists.", "Time stamp of existing file: 2018-06-08 11:42:10.000",
        "Version of our file: ", "Installing the file.", "Successfully installed the file.",
    };
    for (int i = 0; i < 8; i++) {
        t += rng_range(&z->r, 0, 30);
        z->last = t;
        nz_prefix(z, t);
        buf_puts(&z->line, lines[i]);
        if (i == 1)
            buf_printf(&z->line, "C:\\Program Files (x86)\\Microsoft Azure Site Recovery\\agent\\%s%s",
                       sub, f);
        if (i == 5)
            buf_puts(&z->line, exe ? "9.17.4860.1" : "(none)");
        nz_eol(z);
    }
}

/* Appends n random lower-case hex digits. */
static void put_hex(nz *z, int n)
{
    static const char hex[] = "0123456789abcdef";
    buf_reserve(&z->line, (size_t)n);
    uint64_t w = 0;
    for (int i = 0; i < n; i++) {
        if (i % 16 == 0)
            w = rng_next(&z->r);
        z->line.p[z->line.n++] = hex[w & 15];
        w >>= 4;
    }
    z->line.p[z->line.n] = '\0';
}

/* One line of `mount` output on a container host (overlays, shm, per-user tmpfs, data LVs). */
static void nz_mount(nz *z)
{
    int k = (int)rng_range(&z->r, 0, 9);
    if (k < 4) {
        buf_puts(&z->line, "overlay on /var/lib/docker/overlay2/");
        put_hex(z, 64);
        buf_puts(&z->line, "/merged type overlay (rw,relatime,seclabel,lowerdir=/var/lib/docker/overlay2/l/");
        put_hex(z, 26);
        buf_puts(&z->line, ",upperdir=/var/lib/docker/overlay2/");
        put_hex(z, 64);
        buf_puts(&z->line, "/diff,workdir=/var/lib/docker/overlay2/");
        put_hex(z, 64);
        buf_puts(&z->line, "/work)");
    } else if (k < 7) {
        buf_puts(&z->line, "shm on /var/lib/docker/containers/");
        put_hex(z, 64);
        buf_puts(&z->line, "/mounts/shm type tmpfs (rw,nosuid,nodev,noexec,relatime,seclabel,size=65536k)");
    } else if (k < 8) {
        buf_puts(&z->line, "nsfs on /run/docker/netns/");
        put_hex(z, 12);
        buf_puts(&z->line, " type nsfs (rw)");
    } else if (k < 9) {
        int uid = (int)rng_range(&z->r, 1000, 1400);
        buf_printf(&z->line,
                   "tmpfs on /run/user/%d type tmpfs (rw,nosuid,nodev,relatime,seclabel,size=%dk,mode=700,uid=%d,gid=%d)",
                   uid, (int)rng_range(&z->r, 100000, 1600000), uid, uid);
    } else {
        int n = (int)rng_range(&z->r, 1, 40);
        buf_printf(&z->line, "/dev/mapper/datavg-lv%02d on /data%02d type xfs (rw,relatime,seclabel,attr2,inode64,noquota)",
                   n, n);
    }
    nz_eol(z);
}

/* One line of `df -h` output on a container host. */
static void nz_df(nz *z)
{
    int k = (int)rng_range(&z->r, 0, 5);
    int size = (int)rng_range(&z->r, 20, 500), used = (int)rng_range(&z->r, 1, size);
    int pct = used * 100 / size;
    if (k < 3) {
        buf_printf(&z->line, "overlay                    %3dG  %3dG  %3dG  %2d%% /var/lib/docker/overlay2/",
                   size, used, size - used, pct);
        put_hex(z, 64);
        buf_puts(&z->line, "/merged");
    } else if (k < 5) {
        buf_puts(&z->line, "shm                         64M     0   64M   0% /var/lib/docker/containers/");
        put_hex(z, 64);
        buf_puts(&z->line, "/mounts/shm");
    } else {
        int n = (int)rng_range(&z->r, 1, 40);
        buf_printf(&z->line, "/dev/mapper/datavg-lv%02d    %3dG  %3dG  %3dG  %2d%% /data%02d", n, size,
                   used, size - used, pct, n);
    }
    nz_eol(z);
}

/* One line of openssl dhparam progress output. */
static void nz_dots(nz *z)
{
    int n = (int)rng_range(&z->r, 60, 200);
    buf_reserve(&z->line, (size_t)n);
    uint64_t w = 0;
    for (int i = 0; i < n; i++) {
        if (i % 32 == 0)
            w = rng_next(&z->r);
        unsigned v = (unsigned)(w & 3);
        w >>= 2;
        z->line.p[z->line.n++] = v == 3 && (i % 7 == 0) ? '+' : '.';
    }
    z->line.p[z->line.n] = '\0';
    nz_eol(z);
}

/* One record of /var/log/cdpcli.log (InMage logger format). */
static void nz_cdpcli(nz *z)
{
    msec t = nz_time(z);
    buf_puts(&z->line, "#~> (");
    fmt_time(&z->line, t, TF_PUSH);
    buf_printf(&z->line, "):   DEBUG  %d %d ", z->pid, z->tid);
    buf_dec(&z->line, ++z->seq, 1);
    buf_printf(&z->line, " %s %s", rng_chance(&z->r, 0.5) ? "ENTERED" : "EXITED",
               PICK(&z->r, cdpcli_funcs));
    nz_eol(z);
}

/* Writes the chatter of one slot; `budget` bytes (0 in a measuring sink: only counted). */
static void noise_emit(sink *s, const doc *d, const slot *sl, uint64_t budget, uint64_t seed)
{
    if (s->mode == SINK_MEASURE || budget == 0)
        return; /* a measuring pass counts budgets, not bytes */
    nz z;
    memset(&z, 0, sizeof z);
    z.s = s;
    z.d = d;
    z.sl = sl;
    z.budget = budget;
    rng_seed(&z.r, seed);
    z.pid = (int)rng_range(&z.r, 1200, 60000);
    z.tid = (int)rng_range(&z.r, 1200, 60000);
    z.seq = (uint64_t)rng_range(&z.r, 1, 100000);
    z.last = sl->t0;
    z.agentver = d->v ? vars_get(d->v, "AGENTVER", 8) : NULL;
    z.msis = d->v ? vars_get(d->v, "MSIS", 4) : NULL;
    if (!z.agentver)
        z.agentver = NEW_AGENT_VERSION;
    if (!z.msis)
        z.msis = "A0:8C";
    uint64_t mult = d->utf16 ? 2 : 1;
    uint64_t start = s->bytes;
    while (z.done < budget) {
        switch (sl->kind) {
        case NZ_VALIDATOR:
            nz_validator(&z);
            break;
        case NZ_MSI_EXEC:
            nz_msi_exec(&z);
            break;
        case NZ_MSI_PROP:
            nz_msi_prop(&z);
            break;
        case NZ_INNO_FILES:
            nz_inno_file(&z);
            break;
        case NZ_LX_MOUNT:
            nz_mount(&z);
            break;
        case NZ_LX_DF:
            nz_df(&z);
            break;
        case NZ_LX_DOTS:
            nz_dots(&z);
            break;
        case NZ_LX_CDPCLI:
            nz_cdpcli(&z);
            break;
        }
        z.done = (s->bytes - start) + z.line.n * mult;
    }
    if (z.line.n)
        sink_write(s, z.line.p, z.line.n);
    free(z.line.p);
}

/* ========================================================================================== */
/* scenarios                                                                                   */
/* ========================================================================================== */

enum { OS_WIN, OS_LNX };

/* What kind of run an attempt is. */
enum scen_kind {
    SK_PUSH, /* the push service failed before anything ran on the source machine */
    SK_WIN,  /* UnifiedAgentInstaller (+ configurator) run on a Windows machine */
    SK_INNO, /* legacy Inno Setup based installer (UA_InstallLogFile.log) */
    SK_LNX,  /* Linux install script (+ configurator) */
};

/* Scenario flags. */
#define F_PUSHABLE 1 /* a Windows run that may also be started by the push service */
#define F_UPGRADE 2  /* an upgrade of an installed agent */
#define F_OLDAGENT 4 /* 9.30 agent: VSS registration in the post-install steps (exit 45) */
#define F_CONFIG 8   /* the failure is in the configurator (registration), install succeeded */

typedef struct scen_def {
    const char *key;
    int os;
    int kind;
    const char *outcome;  /* label */
    const char *sig;      /* label: root-cause signature id, "-" for none */
    int flags;
    int weight;           /* relative frequency as the deciding attempt */
} scen_def;

enum scen_id {
    /* push service failures */
    P_1326, P_5, P_1909, P_1331, P_1311, P_1789, P_1792, P_NETPATH, P_112, P_1231, P_10060,
    P_10061, P_WMI, P_SSH, P_LX_10060, P_NONROOT,
    /* Windows installer / configurator */
    W_INSTALL_OK, W_UPGRADE_OK, W_3010, W_VSSW_515, W_VSSW_514, W_VSSW_516, W_VSSW_517, W_VSSW_560,
    W_VSS_802, W_VSS_511, W_VSS_512, W_DRIVERS, W_BOOTSEP, W_NOBOOT, W_MULTIBOOT, W_MULTISYS,
    W_MEMORY, W_MSI1603, W_MSI1618, W_REBOOT62, W_OS42, W_CURL7, W_CURL60, W_OTHERCS,
    /* legacy */
    I_COMPLUS,
    /* Linux */
    L_OK, L_REBOOT, L_KERNEL, L_GRUBDEV, L_LVM, L_ROOTSPACE, L_GRUBNOEXIST, L_BOOTDISK,
    L_SYSDISK, L_LIS, L_SECBOOT, L_CLOCALE, L_HOSTNAME, L_ACPI, L_DHCP, L_LVMPKG, L_OSNB,
    L_VMPLAT, L_CURL7,
    SCEN__COUNT
};

#define FAILED "failed"
#define OK "succeeded"
#define WARN "succeeded_with_warnings"

static const scen_def scens[SCEN__COUNT] = {
    [P_1326] = {"push-logon-1326", OS_WIN, SK_PUSH, FAILED, "push.cred.share_logon_failure", 0, 3},
    [P_5] = {"push-access-5", OS_WIN, SK_PUSH, FAILED, "push.cred.share_access_denied", 0, 3},
    [P_1909] = {"push-locked-1909", OS_WIN, SK_PUSH, FAILED, "push.login.account_locked_out", 0, 2},
    [P_1331] = {"push-disabled-1331", OS_WIN, SK_PUSH, FAILED, "push.login.account_disabled", 0, 2},
    [P_1311] = {"push-nologon-1311", OS_WIN, SK_PUSH, FAILED, "push.login.no_logon_servers", 0, 1},
    [P_1789] = {"push-trust-1789", OS_WIN, SK_PUSH, FAILED, "push.cred.domain_trust_failed", 0, 1},
    [P_1792] = {"push-netlogon-1792", OS_WIN, SK_PUSH, FAILED, "push.login.netlogon_not_started", 0, 1},
    [P_NETPATH] = {"push-netpath-53", OS_WIN, SK_PUSH, FAILED, "push.conn.network_path_not_found", 0, 1},
    [P_112] = {"push-diskfull-112", OS_WIN, SK_PUSH, FAILED, "push.source.copy_disk_full", 0, 1},
    [P_1231] = {"push-share-1231", OS_WIN, SK_PUSH, FAILED, "push.source.share_unreachable", 0, 2},
    [P_10060] = {"push-timeout-10060", OS_WIN, SK_PUSH, FAILED, "push.conn.connect_timeout", 0, 3},
    [P_10061] = {"push-refused-10061", OS_WIN, SK_PUSH, FAILED, "push.conn.connect_refused", 0, 1},
    [P_WMI] = {"push-wmi-rpc", OS_WIN, SK_PUSH, FAILED, "push.source.wmi_rpc_unavailable", 0, 2},
    [P_SSH] = {"push-ssh-auth", OS_LNX, SK_PUSH, FAILED, "push.cred.ssh_auth_failed", 0, 2},
    [P_LX_10060] = {"push-lx-timeout", OS_LNX, SK_PUSH, FAILED, "push.conn.connect_timeout", 0, 1},
    [P_NONROOT] = {"push-nonroot", OS_LNX, SK_PUSH, FAILED, "push.status.ep0963", 0, 1},

    [W_INSTALL_OK] = {"win-ok", OS_WIN, SK_WIN, OK, "-", F_PUSHABLE, 10},
    [W_UPGRADE_OK] = {"win-ok-upgrade", OS_WIN, SK_WIN, OK, "-", F_UPGRADE, 3},
    [W_3010] = {"win-reboot-3010", OS_WIN, SK_WIN, WARN, "win.system.reboot_recommended", F_UPGRADE, 3},
    [W_VSSW_515] = {"win-vss-515", OS_WIN, SK_WIN, WARN, "win.vss.hresult.service_db_locked", 0, 2},
    [W_VSSW_514] = {"win-vss-514", OS_WIN, SK_WIN, WARN, "win.vss.hresult.out_of_memory", 0, 1},
    [W_VSSW_516] = {"win-vss-516", OS_WIN, SK_WIN, WARN, "win.vss.hresult.service_already_exists", 0, 1},
    [W_VSSW_517] = {"win-vss-517", OS_WIN, SK_WIN, WARN, "win.vss.hresult.service_marked_for_deletion", 0, 1},
    [W_VSSW_560] = {"win-vss-560", OS_WIN, SK_WIN, WARN, "win.vss.hresult.access_denied", 0, 1},
    [W_VSS_802] = {"win-vss-802", OS_WIN, SK_WIN, FAILED, "win.vss.hresult.complus_msdtc", F_PUSHABLE | F_OLDAGENT, 2},
    [W_VSS_511] = {"win-vss-511", OS_WIN, SK_WIN, FAILED, "win.vss.hresult.rpc_call_failed", F_PUSHABLE | F_OLDAGENT, 1},
    [W_VSS_512] = {"win-vss-512", OS_WIN, SK_WIN, FAILED, "win.vss.hresult.service_db_locked", F_PUSHABLE | F_OLDAGENT, 1},
    [W_DRIVERS] = {"win-boot-drivers", OS_WIN, SK_WIN, FAILED, "win.boot.drivers_incompatible", F_PUSHABLE, 2},
    [W_BOOTSEP] = {"win-boot-separate", OS_WIN, SK_WIN, FAILED, "win.boot.boot_system_separate_disks", F_PUSHABLE, 1},
    [W_NOBOOT] = {"win-boot-none", OS_WIN, SK_WIN, FAILED, "win.boot.no_boot_disk", F_PUSHABLE, 1},
    [W_MULTIBOOT] = {"win-boot-multi", OS_WIN, SK_WIN, FAILED, "win.boot.multiple_boot_disks", F_PUSHABLE, 1},
    [W_MULTISYS] = {"win-sys-multi", OS_WIN, SK_WIN, FAILED, "win.boot.multiple_system_disks", F_PUSHABLE, 1},
    [W_MEMORY] = {"win-memory", OS_WIN, SK_WIN, FAILED, "win.system.memory_below_minimum", F_PUSHABLE, 1},
    [W_MSI1603] = {"win-msi-1603", OS_WIN, SK_WIN, FAILED, "win.msi.json.internal_error", 0, 2},
    [W_MSI1618] = {"win-msi-1618", OS_WIN, SK_WIN, FAILED, "win.msi.exit_1618", 0, 1},
    [W_REBOOT62] = {"win-reboot-pending", OS_WIN, SK_WIN, FAILED, "win.system.reboot_pending", 0, 2},
    [W_OS42] = {"win-unsupported-os", OS_WIN, SK_WIN, FAILED, "win.system.unsupported_os", 0, 1},
    [W_CURL7] = {"win-reg-curl7", OS_WIN, SK_WIN, FAILED, "win.reg.curl7_cs_unreachable", F_CONFIG, 2},
    [W_CURL60] = {"win-reg-curl60", OS_WIN, SK_WIN, FAILED, "win.reg.curl60_certificate", F_CONFIG, 1},
    [W_OTHERCS] = {"win-reg-other-cs", OS_WIN, SK_WIN, FAILED, "win.reg.pointing_to_different_cs", F_CONFIG | F_UPGRADE, 1},

    [I_COMPLUS] = {"inno-complus", OS_WIN, SK_INNO, FAILED, "win.vss.complus_msdtc_exception", 0, 1},

    [L_OK] = {"lnx-ok", OS_LNX, SK_LNX, OK, "-", 0, 8},
    [L_REBOOT] = {"lnx-reboot", OS_LNX, SK_LNX, WARN, "linux.config.reboot_recommended", F_UPGRADE, 1},
    [L_KERNEL] = {"lnx-kernel", OS_LNX, SK_LNX, FAILED, "linux.prereq.kernel_not_supported", 0, 2},
    [L_GRUBDEV] = {"lnx-grub-devname", OS_LNX, SK_LNX, FAILED, "linux.boot.grub_device_name", 0, 2},
    [L_LVM] = {"lnx-boot-lvm", OS_LNX, SK_LNX, FAILED, "linux.boot.boot_on_lvm_multiple_disks", 0, 1},
    [L_ROOTSPACE] = {"lnx-root-space", OS_LNX, SK_LNX, FAILED, "linux.prereq.root_free_space", 0, 2},
    [L_GRUBNOEXIST] = {"lnx-grub-nodev", OS_LNX, SK_LNX, FAILED, "linux.boot.grub_device_not_exist", 0, 1},
    [L_BOOTDISK] = {"lnx-no-bootdisk", OS_LNX, SK_LNX, FAILED, "linux.boot.boot_disk_not_found", 0, 1},
    [L_SYSDISK] = {"lnx-no-sysdisk", OS_LNX, SK_LNX, FAILED, "linux.boot.system_disk_not_found", 0, 1},
    [L_LIS] = {"lnx-lis", OS_LNX, SK_LNX, FAILED, "linux.prereq.lis_drivers_missing", 0, 1},
    [L_SECBOOT] = {"lnx-secureboot", OS_LNX, SK_LNX, FAILED, "linux.prereq.secure_boot_enabled", 0, 1},
    [L_CLOCALE] = {"lnx-clocale", OS_LNX, SK_LNX, FAILED, "linux.prereq.c_locale_missing", 0, 1},
    [L_HOSTNAME] = {"lnx-hostname", OS_LNX, SK_LNX, FAILED, "linux.prereq.hostname_not_set", 0, 1},
    [L_ACPI] = {"lnx-acpi", OS_LNX, SK_LNX, FAILED, "linux.prereq.acpi_zero", 0, 1},
    [L_DHCP] = {"lnx-dhcp", OS_LNX, SK_LNX, FAILED, "linux.prereq.dhcp_client_missing", 0, 1},
    [L_LVMPKG] = {"lnx-lvm-pkg", OS_LNX, SK_LNX, FAILED, "linux.boot.lvm_package_missing", 0, 1},
    [L_OSNB] = {"lnx-os-not-built", OS_LNX, SK_LNX, FAILED, "linux.prereq.os_not_built_for", 0, 1},
    [L_VMPLAT] = {"lnx-vm-platform", OS_LNX, SK_LNX, FAILED, "linux.config.vm_platform_null", F_CONFIG, 1},
    [L_CURL7] = {"lnx-reg-curl7", OS_LNX, SK_LNX, FAILED, "linux.config.cs_unreachable_curl7", F_CONFIG, 2},
};

/* Is scenario s a failure? */
static int scen_failed(int s) { return strcmp(scens[s].outcome, FAILED) == 0; }

/* ========================================================================================== */
/* the fleet plan                                                                              */
/* ========================================================================================== */

#define MAX_ATT 4

typedef struct attempt {
    int scen;
    int pushed;       /* started by the push service (always for SK_PUSH) */
    int job;          /* index into g.jobs, or -1 */
    msec t;           /* start of the run on the source machine (or of the push job) */
    msec dur;         /* duration of the run (Windows pushed runs: measured before scheduling) */
    uint64_t seed;
} attempt;

typedef struct host {
    char name[32];
    char ip[20];
    int os;
    int has_folder;   /* support bundle folder exists (else the host is known only from a CS) */
    int cs;           /* configuration server that pushes to it, or -1 */
    int n_att;
    attempt att[MAX_ATT];
    double weight;    /* noise weight */
    uint64_t seed;
    int distro;       /* Linux: index into distros */
    int winver;       /* Windows: index into winvers */
    int gz_salt;
} host;

typedef struct job {
    int host, att, cs;
    int id;           /* JobID */
    int tid;          /* thread id */
    msec want;        /* desired start */
    msec start, end;
    msec copy_ms;     /* copying the agent, before the remote run starts */
    msec run_ms;      /* the remote run (Windows runs that reached the source machine) */
    int run_exit;     /* its exit code */
    int reached;      /* the job ran the installer on the source machine */
    uint64_t seed;
    int piverbose;
    char uuid[40];    /* PushInstallLogs folder of its PIVerbose log */
} job;

typedef struct csrv {
    char name[16];    /* folder name, e.g. cs01 */
    char disp[16];    /* upper-case name used in messages, e.g. CS01 */
    char ip[20];
    int pid, main_tid;
    msec period;      /* fetch interval of the push service main loop */
    msec t0, t1;      /* span of its pushinstallservice.log */
    uint64_t seq0;
    int n_jobs;
    int *jobs;        /* indices into g.jobs, in start order */
} csrv;

typedef struct distro {
    const char *os;       /* agent OS string */
    const char *kernel;   /* kernel format, %d = build number */
    const char *grub;     /* grub config file */
    const char *rootfs;
    int ubuntu;
} distro;

static const distro distros[] = {
    {"RHEL7-64", "3.10.0-1160.%d.1.el7.x86_64", "/boot/grub2/grub.cfg", "xfs", 0},
    {"RHEL8-64", "4.18.0-%d.el8_7.x86_64", "/boot/grub2/grub.cfg", "xfs", 0},
    {"OL7-64", "3.10.0-1160.%d.1.el7.x86_64", "/boot/grub2/grub.cfg", "xfs", 0},
    {"UBUNTU-20.04-64", "5.4.0-%d-generic", "/boot/grub/grub.cfg", "ext4", 1},
    {"UBUNTU-18.04-64", "4.15.0-%d-generic", "/boot/grub/grub.cfg", "ext4", 1},
    {"SLES12-64", "4.12.14-122.%d-default", "/boot/grub2/grub.cfg", "ext4", 0},
    {"SLES15-64", "5.3.18-150300.59.%d-default", "/boot/grub2/grub.cfg", "xfs", 0},
};

typedef struct winver {
    const char *name;
    const char *build;
} winver;

static const winver winvers[] = {
    {"Microsoft Windows Server 2016 Datacenter", "14393"},
    {"Microsoft Windows Server 2019 Datacenter", "17763"},
    {"Microsoft Windows Server 2012 R2 Standard", "9600"},
    {"Microsoft Windows Server 2022 Datacenter", "20348"},
    {"Microsoft Windows Server 2016 Standard", "14393"},
};

/* Global state: options and the plan. */
static struct {
    const char *out;
    const char *labels;
    int n_hosts;
    uint64_t size;
    uint64_t seed;
    int gzip_mode; /* 0 none, 1 mixed, 2 all */
    int gzip_level;
    int quiet;
    int no_chatter; /* --no-chatter: the same fleet without its benign chatter (tests) */
    double k;      /* bytes of chatter per noise unit */
    host *hosts;
    job *jobs;
    int n_jobs, cap_jobs;
    csrv *cs;
    int n_cs;
    msec t_end;
    sink *measure; /* non-NULL during the measuring pass */
} g;

/* Picks a scenario index among those accepted by `ok`, by weight. */
static int pick_scen(rng *r, int (*ok)(int, int), int arg)
{
    int total = 0;
    for (int s = 0; s < SCEN__COUNT; s++)
        if (ok(s, arg))
            total += scens[s].weight;
    if (total == 0)
        return -1;
    int x = (int)rng_range(r, 0, total - 1);
    for (int s = 0; s < SCEN__COUNT; s++)
        if (ok(s, arg)) {
            x -= scens[s].weight;
            if (x < 0)
                return s;
        }
    return -1;
}

/* pick_scen filter: any scenario with a weight. */
static int ok_any(int s, int arg)
{
    (void)arg;
    return scens[s].weight > 0;
}

/* Host kinds: known only from a configuration server, Windows, legacy Windows, Linux. */
#define HK_PUSHONLY 0
#define HK_WIN 1
#define HK_INNO 2
#define HK_LNX 3

/* pick_scen filter for older attempts: failures of the same OS of a kind host kind hk has. */
static int ok_older(int s, int hk)
{
    const scen_def *d = &scens[s];
    if (d->weight == 0 || !scen_failed(s))
        return 0;
    switch (hk) {
    case HK_PUSHONLY:
        return d->kind == SK_PUSH;
    case HK_WIN:
        return d->os == OS_WIN && (d->kind == SK_WIN || d->kind == SK_PUSH);
    case HK_INNO:
        return d->kind == SK_INNO;
    default:
        return d->os == OS_LNX && (d->kind == SK_LNX || d->kind == SK_PUSH);
    }
}

/* A start time during working hours on the day of `t`. */
static msec working_hours(rng *r, msec day)
{
    msec d0 = day - (day % DAY);
    return d0 + rng_range(r, 8 * 3600, 18 * 3600) * SEC + rng_range(r, 0, 999);
}

/* Adds the push job of attempt ai of host h (index hi). */
static void add_job(host *h, int hi, int ai, rng *r)
{
    if (g.n_jobs == g.cap_jobs) {
        g.cap_jobs = g.cap_jobs ? g.cap_jobs * 2 : 64;
        g.jobs = xrealloc(g.jobs, (size_t)g.cap_jobs * sizeof *g.jobs);
    }
    job *j = &g.jobs[g.n_jobs];
    memset(j, 0, sizeof *j);
    j->host = hi;
    j->att = ai;
    j->cs = h->cs;
    j->want = h->att[ai].t;
    j->seed = seed_mix(h->seed, 0x10b0 + (uint64_t)ai);
    j->piverbose = rng_chance(r, 0.3);
    h->att[ai].job = g.n_jobs++;
}

static const char *const win_roles[] = {"APP", "SQL", "WEB", "FS", "EXCH", "FIN", "HR",
                                        "PRN", "BI", "SAP", "CRM", "ERP", "RDS", "IIS"};
static const char *const lnx_roles[] = {"db", "web", "app", "k8s", "ftp", "batch", "kafka",
                                        "es", "redis", "mq", "nfs", "ci"};

/* ========================================================================================== */
/* Windows: UnifiedAgentInstaller, validator, msiexec, configurator, wrapper                    */
/* ========================================================================================== */
/*
 * Line templates follow the corpus files (corpus/<HOST>/ASRSetupLogs/...), which were rebuilt from
 * the TraceUtil/CommandExecutor format strings of the agent source (asr-logs.md §1, §6).
 * 9.54 agents run the VSS registration as a non-mandatory validator check (failure = exit 98);
 * 9.30 agents run it in the post-install steps (failure = exit 45).
 */

static const char *const T_WIN_HEAD1[] = {
    "@hdr",
    "",
    "Application Started",
    "Installation Type : {ITYPE}",
    "CS Type : CSLegacy",
    "Install location : {INSTDIR}",
    "?NEWAGENT|Successfully initialised the output json file {JSON}",
    "Starting silent installation.",
    NULL,
};

static const char *const T_WIN_HEAD2[] = {
    "The VM is not running on Azure",
    "Installation action - {ITYPE}",
    "Starting installation with action as - {ITYPE}",
    "Starting installation with location as - {INSTDIR}",
    "Preparing for installation...",
    "Begin PrepareForInstall.",
    "installationLocation: {INSTDIR}",
    "role: MS",
    "setupAction: {ITYPE}",
    "platform: VmWare",
    "?UPGRADE|installedPlatform - VmWare",
    "sysDrive: C:\\",
    "Executing the following command: {SETUP}\\MobilityServiceValidator.exe",
    "Running command {SETUP}\\MobilityServiceValidator.exe with timeout value 1800000",
    "Process started.",
    NULL,
};

static const char *const T_WIN_VALIDATOR_DONE[] = {
    "The command {SETUP}\\MobilityServiceValidator.exe completed within given timeout period 1800000",
    "Exit code returned by command: {VRC}",
    "Mobility service validator console output is",
    "---------------------------------------Start-----------------------------------------------",
    "",
    "----------------------------------------End------------------------------------------------",
    "Mobility service validator output starts here",
    "----------------------------------------------",
    NULL,
};

static const char *const T_VAL_HEAD[] = {
    "@hdr",
    "",
    "Application Started",
    "Adding control set ControlSet001",
    "Adding control set ControlSet002",
    "Handler for check BootUEFICheck is SystemRequirementValidator.Handler",
    "Entering BootUefiCheck",
    "System Disk 0 is not GPT. Skipping uefi check.",
    "Exiting BootUefiCheck",
    "Handler for check BootDriversCheck is SystemRequirementValidator.Handler",
    "Entering BootDriversCheck",
    NULL,
};

static const char *const T_VAL_SERVICES_HEAD[] = {
    "Exiting BootDriversCheck",
    "Handler for check CriticalServicesCheck is SystemRequirementValidator.Handler",
    "Entering CriticalServicesCheck",
    "Services: vds,vss,COMSysApp,MSDTC,msiserver,EventLog",
    NULL,
};

static const char *const T_VAL_DISKS_HEAD[] = {
    "Exiting CriticalServicesCheck",
    "Handler for check BootAndSystemDiskCheck is SystemRequirementValidator.Handler",
    "Entering BootAndSystemDiskCheck",
    NULL,
};

static const char *const T_VAL_VSS_HEAD[] = {
    "Handler for check VSSProviderInstallationCheck is SystemRequirementValidator.Handler",
    "Entering VSSInstallation Check",
    "VSS Provider Installation location is {SETUP}",
    "Starting VSS Installation",
    "Begin InstallVSSProvider.",
    "Executing the following command: {SETUP}\\InMageVSSProvider_Install.cmd",
    "Running command {SETUP}\\InMageVSSProvider_Install.cmd with timeout value 600000",
    "Process started.",
    "@+4-9",
    "The command {SETUP}\\InMageVSSProvider_Install.cmd completed within given timeout period 600000",
    "Exit code returned by command: {VSSRC}",
    "InMageVSSProvider_Install.cmd output: ",
    NULL,
};

static const char *const T_VAL_TAIL[] = {
    "Handler for check FileValidationCheck is SystemRequirementValidator.Handler",
    "Entered File Validation Check",
    "Path of file rundll32.exe is C:\\Windows\\system32\\rundll32.exe",
    "The file C:\\Windows\\system32\\rundll32.exe is present in the system",
    "All required files are present in the system",
    "Exiting File Validation Check",
    "Handler for check MachineMemoryCheck is SystemRequirementValidator.Handler",
    "Minimum memory requirement is 1014MB",
    "?MEMFAIL|Machine has only {MEMMB} GB memory. Minimum memory of 1014 GB required.",
    "Exiting Machine Memory Check",
    "Application Ended",
    "|{ISO}\tAlways:\tTrace Session Ended",
    NULL,
};

/* InMageVSSProvider_Install.cmd output (echo on), up to the point where it may fail. */
static const char *const T_VSS_CMD_UNREG[] = {
    "|{CMDDIR}>rem @echo off",
    "|",
    "|{CMDDIR}>call \"{CMDDIR}\\InMageVSSProvider_Uninstall.cmd\"",
    "|",
    "|{CMDDIR}>rem @echo off",
    "|",
    "|{CMDDIR}>net stop vds /Y",
    "|The Virtual Disk service is stopping.",
    "|The Virtual Disk service was stopped successfully.",
    "|",
    "|",
    "|{CMDDIR}>net stop vss /Y",
    "|The Volume Shadow Copy service is stopping.",
    "|The Volume Shadow Copy service was stopped successfully.",
    "|",
    "|",
    "|{CMDDIR}>net stop swprv /Y",
    "|The Microsoft Software Shadow Copy Provider service is not started.",
    "|",
    "|More help is available by typing NET HELPMSG 3521.",
    "|",
    "|",
    "|{CMDDIR}>net stop \"Azure Site Recovery VSS Provider\" /Y",
    "|The service name is invalid.",
    "|",
    "|More help is available by typing NET HELPMSG 2185.",
    "|",
    "|",
    "|{CMDDIR}>cscript  1>nul 2>&1",
    "|",
    "|{CMDDIR}>cscript InMageVssProvider_Register.vbs -unregister \"Azure Site Recovery VSS Provider\"",
    "|Microsoft (R) Windows Script Host Version 5.812",
    "|Copyright (C) Microsoft Corporation. All rights reserved.",
    "|",
    "|AvailableMBytes: {AVMB}",
    "|CommitLimit: {CLIMIT}",
    "|CommittedBytes: {CBYTES}",
    "|Unregistering the existing application...",
    "| Create the catalogue object",
    "| Get the collection of Applications ",
    NULL,
};

static const char *const T_VSS_CMD_REG1[] = {
    "| Populate.the collection of Applications..",
    "| Lookup for Azure Site Recovery VSS Provider application...",
    "| Saving all the changes...",
    "| Completed UnInstallation.",
    "|",
    "|{CMDDIR}>cscript InMageVssProvider_Register.vbs -register \"Azure Site Recovery VSS Provider\" \"{CMDDIR}\\InMageVssProvider.dll\" \"Azure Site Recovery VSS Provider\"",
    "|Microsoft (R) Windows Script Host Version 5.812",
    "|Copyright (C) Microsoft Corporation. All rights reserved.",
    "|",
    "|AvailableMBytes: {AVMB2}",
    "|CommitLimit: {CLIMIT}",
    "|CommittedBytes: {CBYTES2}",
    "|Creating a new COM+ application:",
    "| Creating the catalogue object ",
    "| Get the collection of Applications",
    "| Populate the collection...",
    "| Add new application object to the above collection",
    "| Set Application Name = Azure Site Recovery VSS Provider ",
    "| Save all the changes...",
    NULL,
};

static const char *const T_VSS_CMD_REG2[] = {
    "| Create Windows service running under Local System Account",
    NULL,
};

static const char *const T_VSS_CMD_OK[] = {
    "| Add the DLL component to the Windows Service",
    "|Completed Installation.",
    "|",
    "|{CMDDIR}>exit /B 0",
    NULL,
};

static const char *const T_VSS_CMD_ERR[] = {
    "|",
    "|ERROR:",
    "|- Error code: {ERRDEC} [{ERRHEX}]",
    "|- Exit code: {VSSRC}",
    "|- Description: {ERRDESC}",
    "|- Source: {ERRSRC}",
    "|- Help file: ",
    "|- Help context: 0",
    "|",
    "|{CMDDIR}>exit /B {VSSRC}",
    "?VSSUNREG||",
    "?VSSUNREG||{CMDDIR}>exit /B {VSSRC}",
    NULL,
};

static const char *const T_WIN_INSTALL_COMPONENTS[] = {
    "System restart is not detected on this server.",
    "@+1-3",
    "Installing components....",
    "Begin InstallComponents.",
    "installationLocation: {INSTDIR}",
    "role: MS",
    "setupAction: {ITYPE}",
    "platform: VmWare",
    "?-UPGRADE|Installating UnifiedAgentMSI.msi",
    "?UPGRADE|Upgrading UnifiedAgentMSI.msi",
    "Starting MSI with arguments - /qn /i \"{SETUP}\\UnifiedAgentMSI.msi\" INSTALLDIR=\"{INSTDIR}\" /L*v+ \"C:\\ProgramData\\ASRSetupLogs\\UnifiedAgentMSIInstall.log\" /norestart",
    NULL,
};

static const char *const T_WIN_POST[] = {
    "Performing post installation steps...",
    "Begin PostInstallationSteps.",
    "installationLocation: {INSTDIR}",
    "role: MS",
    "platform: VmWare",
    "setupAction: {ITYPE}",
    "Begin ConfigureAdmin.",
    "Executing the following command: {INSTDIR}\\configureadmin.bat \"{INSTDIR}\\FileRep\\hostconfigwxcommon.exe\" \"{INSTDIR}\\hostconfigwxcommon.exe\"",
    "Running command {INSTDIR}\\configureadmin.bat with timeout value 600000",
    "Process started.",
    "The command {INSTDIR}\\configureadmin.bat completed within given timeout period 600000",
    "Exit code returned by command: 0",
    "?-UPGRADE|Begin GenerateCert.",
    "?-UPGRADE|@+3-8",
    "?-UPGRADE|Generate Cert output: ",
    "?-UPGRADE|Begin InstallServiceCtrl.",
    "?-UPGRADE|Install ServiceCtrl output: ",
    NULL,
};

static const char *const T_WIN_POST_OLD_VSS[] = {
    "Begin InstallVSSProvider.",
    "Executing the following command: {INSTDIR}\\InMageVSSProvider_Install.cmd",
    "Running command {INSTDIR}\\InMageVSSProvider_Install.cmd with timeout value 600000",
    "Process started.",
    "@+4-9",
    "The command {INSTDIR}\\InMageVSSProvider_Install.cmd completed within given timeout period 600000",
    "Exit code returned by command: {VSSRC}",
    "InMageVSSProvider_Install.cmd output: ",
    NULL,
};

static const char *const T_WIN_POST_NEW_END[] = {
    "?REREG|Reregistering VSS Provider from location {INSTDIR}",
    "?REREG|Executing the following command: regsvr32 /s \"{INSTDIR}\\InMageVssProvider.dll\"",
    "?REREG|Running command regsvr32 with timeout value 600000",
    "?REREG|Process started.",
    "?REREG|The command regsvr32 completed within given timeout period 600000",
    "?REREG|Exit code returned by command: 0",
    "PlatformChange value - False",
    "There is a platform change from vmware to azure or from cs to csprime. So agent services will not be started.",
    "Not starting agent services.",
    "?REBOOT|Recommended reboot required. Please restart your machine",
    "?WARNEXIT|Exiting silent Installation",
    "?-WARNEXIT|Post Install actions executed successfully.",
    "returnValue - {RETNAME}",
    "Finally block.",
    NULL,
};

static const char *const T_WIN_PROPBAG[] = {
    "Application Ended",
    "Exit code returned by unified agent: {EXIT}({RETNAME})",
    "Property Bag Values:",
    "ExitCode = {EXIT}",
    "SetupStartTime = {STARTUS}",
    "DefaultLogName = C:\\ProgramData\\ASRSetupLogs\\ASRUnifiedAgentInstaller.log",
    "SetupExePath = {SETUP}",
    "CanClose = False",
    "InstallationFinished = True",
    "RebootRequired = {REBOOTREQ}",
    "InstallationLocation = {INSTDIR}",
    "RUNID = {RUNID}",
    "PrechecksResult = {PRERES}",
    "InstallationStatus = {INSTSTATUS}",
    "MandatoryRebootRequired = False",
    "IsManualInstall = False",
    "MachineIdentifier = {MACHINEID}",
    "Platform = VmWare",
    "IsAzureStackHubVm = False",
    "InstallRole = MS",
    "InstallationType = {ITYPE}",
    "CSType = CSLegacy",
    "SetupInvoker = {INVOKER}",
    "Silent = True",
    "SkipPrereqChecks = False",
    "?PUSH|CombinedLogFile = {SETUP}\\stdout.txt",
    "?PUSH|CombinedSummaryFile = {SETUP}\\installerjson.json",
    "?PUSH|ValidationsOutputJsonFilePath = {SETUP}\\installerextendederrors.json",
    "SetupAction = {ITYPE}",
    "SummaryFileName = C:\\ProgramData\\ASRSetupLogs\\InstallationSummary-{RUNID}.json",
    "osName = {OSNAME}",
    "BiosId = {BIOSID}",
    "?UPGRADE|AlreadyInstalledVersion = {OLDVER}",
    "?ERRMSG|ErrorMessage = {ERRMSG}",
    "?-PUSH|@end",
    NULL,
};

/* The short property bag of an installer that stopped before installing (WEB01's backup). */
static const char *const T_WIN_PROPBAG_SHORT[] = {
    "Application Ended",
    "Exit code returned by unified agent: {EXIT}({RETNAME})",
    "Property Bag Values:",
    "MachineIdentifier = {MACHINEID}",
    "InstallRole = MS",
    "Platform = VmWare",
    "CSType = CSLegacy",
    "InstallationLocation = {INSTDIR}",
    "SetupAction = {ITYPE}",
    "SetupInvoker = {INVOKER}",
    "ExitCode = {EXIT}",
    "?-PUSH|@end",
    NULL,
};

/* msiexec verbose log (UnifiedAgentMSIInstall.log), one run. */
static const char *const T_MSI_HEAD[] = {
    "|=== Verbose logging started: {MH}  Build type: SHIP UNICODE 5.00.10011.00  Calling process: C:\\Windows\\system32\\msiexec.exe ===",
    "|{C} Font created.  Charset: Req=0, Ret=0, Font: Req=MS Shell Dlg, Ret=MS Shell Dlg",
    "|",
    "|{C} Resetting cached policy values",
    "|{C} Machine policy value 'Debug' is 0",
    "|{C} ******* RunEngine:",
    "|           ******* Product: {SETUP}\\UnifiedAgentMSI.msi",
    "|           ******* Action: ",
    "|           ******* CommandLine: **********",
    "|{C} Client-side and UI is none or basic: Running entire install on the server.",
    NULL,
};

static const char *const T_MSI_BODY1[] = {
    "|{C} Grabbed execution mutex.",
    "|{C} Cloaking enabled.",
    "|{C} Attempting to enable all disabled privileges before calling Install on Server",
    "|{C} Incrementing counter to disable shutdown. Counter after increment: 0",
    "|{S} Grabbed execution mutex.",
    "|{S} Resetting cached policy values",
    "|{S} Machine policy value 'Debug' is 0",
    "|{S} End dialog not enabled",
    "|{S} Original package ==> {SETUP}\\UnifiedAgentMSI.msi",
    "|{S} Package we're running from ==> C:\\Windows\\Installer\\{MSIPKG}.msi",
    "|{S} APPCOMPAT: Compatibility mode property overrides found.",
    "|{S} Product Code passed to Engine.Initialize:           ''",
    "|{S} Product Code from property table before transforms: '{275197FC-14FD-4560-A5EB-38217F80CBD1}'",
    "|{S} Product Code from property table after transforms:  '{275197FC-14FD-4560-A5EB-38217F80CBD1}'",
    "?-UPGRADE||{S} Product not registered: beginning first-time install",
    "?UPGRADE||{S} Product registered: entering maintenance mode",
    "|{S} PROPERTY CHANGE: Adding INSTALLDIR property. Its value is '{INSTDIR}'.",
    "|{S} Note: 1: 2205 2:  3: Error ",
    "|{S} Note: 1: 2228 2:  3: Error 4: SELECT `Message` FROM `Error` WHERE `Error` = 1709 ",
    "|Action start {AT}: INSTALL.",
    NULL,
};

/* The actions before InstallFiles; each becomes "Doing action / Action start / Action ended". */
static const char *const msi_seq1[] = {
    "FindRelatedProducts", "AppSearch", "LaunchConditions", "ValidateProductID",
    "CostInitialize", "FileCost", "CostFinalize", "InstallValidate", "InstallInitialize",
    "ProcessComponents", "UnpublishFeatures", "RemoveRegistryValues", "StopServices",
    "DeleteServices", "RemoveFiles", NULL,
};
static const char *const msi_seq2[] = {
    "WriteRegistryValues", "InstallServices", "CA_InstallInvolFltDriver", "RegisterProduct",
    "PublishFeatures", "PublishProduct", NULL,
};

static const char *const T_MSI_PROPS[] = {
    "|Property(S): UpgradeCode = {2BD2F5B8-4C45-4D2C-B8A9-3F1E1D9F6A01}",
    "|Property(S): ProductCode = {275197FC-14FD-4560-A5EB-38217F80CBD1}",
    "|Property(S): ProductVersion = {AGENTVER}",
    "|Property(S): Manufacturer = Microsoft Corporation",
    "|Property(S): ProductName = Microsoft Azure Site Recovery Mobility Service/Master Target Server",
    "|Property(S): INSTALLDIR = {INSTDIR}",
    "|Property(S): ComputerName = {HOST}",
    "|Property(S): LogonUser = {LOGONUSER}",
    "|Property(S): VersionNT64 = 1000",
    "|Property(S): WindowsBuild = {WINBUILD}",
    "|Property(S): ProgramFilesFolder = C:\\Program Files (x86)\\",
    NULL,
};

/* UnifiedAgentConfigurator.exe run (ASRUnifiedAgentConfigurator.log). */
static const char *const T_CFG_HEAD[] = {
    "@hdr",
    "",
    "Application Started",
    "Platform is set to : VmWare",
    "Successfully initialised the output json file {JSON}",
    "Starting silent configuration.",
    "Running configuration for VmWare",
    "Starting registration for VmWare platform",
    "CS endpoint for registration - {CSIP}",
    "Passphrase file for registration - {PASSFILE}",
    "Preparing for registration",
    "Agent installation directory: {INSTDIR}",
    "Configuration server IP in drscout.conf: {DRSCOUTIP}",
    NULL,
};

static const char *const T_CFG_REG[] = {
    "Agent is not pointing to any CS.",
    "Starting validation of CSPassphrase.",
    "Validating connection passphrase - attempt 1",
    "Executing the following command: {INSTDIR}\\csgetfingerprint.exe",
    "Running command {INSTDIR}\\csgetfingerprint.exe with timeout value 600000",
    "Process started.",
    "@+1-2",
    "The command {INSTDIR}\\csgetfingerprint.exe completed within given timeout period 600000",
    "Exit code returned by command: 0",
    "csgetfingerprint.exe command output.",
    "",
    "Configuring connection settings.",
    "Registering with CS.",
    "@+1-2",
    "Begin RegisterAgent",
    "Running cdpcli --registerhost --loglevel=7 command",
    NULL,
};

static const char *const T_CFG_CDPCLI_RUN[] = {
    "Executing the following command: {INSTDIR}\\cdpcli.exe --registerhost --loglevel=7",
    "Running command {INSTDIR}\\cdpcli.exe with timeout value 600000",
    "Process started.",
    NULL,
};

static const char *const T_CFG_TAIL[] = {
    "Application Ended",
    "Exit code returned by unified agent configurator: {EXIT}({RETNAME})",
    "Property Bag Values:",
    "ExitCode = {EXIT}",
    "SetupStartTime = {STARTUS}",
    "DefaultLogName = C:\\ProgramData\\ASRSetupLogs\\ASRUnifiedAgentConfigurator.log",
    "SetupExePath = {INSTDIR}",
    "CanClose = False",
    "RUNID = {RUNID}",
    "IsManualInstall = False",
    "MachineIdentifier = {MACHINEID}",
    "Platform = VmWare",
    "HostId = {HOSTID}",
    "CSEndpoint = {CSIP}",
    "CSPort = 443",
    "PassphraseFilePath = {PASSFILE}",
    "CredLessDiscovery = false",
    "?PUSH|CombinedLogFile = {SETUP}\\stdout.txt",
    "?PUSH|CombinedSummaryFile = {SETUP}\\configuratorjson.json",
    "?PUSH|ValidationsOutputJsonFilePath = {SETUP}\\installerextendederrors.json",
    "CSType = CSLegacy",
    "SetupInvoker = {INVOKER}",
    "ConfigureProxy = False",
    "Silent = True",
    "InstallationFinished = True",
    "?-PUSH|@end",
    NULL,
};

/* One error of an errors JSON as ErrorLogger writes it (Newtonsoft, indented). */
typedef struct jerr {
    const char *name;
    const char *k1, *v1, *k2, *v2; /* params (NULL: "error_params": null) */
    const char *msg;               /* already JSON-escaped */
} jerr;

/* Appends an indented errors JSON ({"Errors": [...]}); first line prefixed (it is one
 * Trc message), the rest raw. */
static void win_json_lines(doc *d, const jerr *e, int prefixed)
{
    if (prefixed)
        doc_line(d, "{");
    else
        doc_raw(d, "{");
    if (!e) {
        doc_raw(d, "  \"Errors\": []");
        doc_raw(d, "}");
        return;
    }
    doc_raw(d, "  \"Errors\": [");
    doc_raw(d, "    {");
    buf t = {0};
    buf_printf(&t, "      \"error_name\": \"%s\",", e->name);
    doc_raw(d, t.p);
    t.n = 0;
    if (!e->k1)
        doc_raw(d, "      \"error_params\": null,");
    else {
        doc_raw(d, "      \"error_params\": {");
        buf_printf(&t, "        \"%s\": \"%s\"%s", e->k1, e->v1, e->k2 ? "," : "");
        doc_raw(d, t.p);
        t.n = 0;
        if (e->k2) {
            buf_printf(&t, "        \"%s\": \"%s\"", e->k2, e->v2);
            doc_raw(d, t.p);
            t.n = 0;
        }
        doc_raw(d, "      },");
    }
    buf_printf(&t, "      \"default_message\": \"%s\"", e->msg);
    doc_raw(d, t.p);
    free(t.p);
    doc_raw(d, "    }");
    doc_raw(d, "  ]");
    doc_raw(d, "}");
}

/* The "<json> contents start here----" block the installer pastes at the end of a run. */
static void win_json_block(doc *d, const jerr *e)
{
    doc_line(d, "{JSON} contents start here-----------------------------------------------------------------");
    win_json_lines(d, e, 1);
    doc_line(d, "{JSON} contents end here--------------------------------------------------------------------");
}

/* VSS failure variants: HRESULT, VBS exit code, where the script fails, errors-JSON name. */
typedef struct vssfail {
    int scen;
    const char *hex, *dec;
    int rc;
    const char *desc, *src;
    int where; /* 0 unregister, 1 "Save all the changes", 2 "Create Windows service" */
    const char *json;
} vssfail;

static const vssfail vss_fails[] = {
    {W_VSS_802, "0x8004E00F", "-2147164145", 802,
     "COM+ was unable to talk to the Microsoft Distributed Transaction Coordinator",
     "COMAdmin.COMAdminCatalogCollection", 0, NULL},
    {W_VSS_511, "0x800706BE", "-2147023170", 511, "The remote procedure call failed.",
     "COMAdmin.COMAdminCatalog", 1, NULL},
    {W_VSS_512, "0x8007041F", "-2147023841", 512, "The service database is locked.",
     "COMAdmin.COMAdminCatalog", 2, NULL},
    {W_VSSW_515, "0x8007041F", "-2147023841", 515, "The service database is locked.",
     "COMAdmin.COMAdminCatalog", 2, "ASRMobilityServiceVssProviderInstallFailedServiceDatabaseLocked"},
    {W_VSSW_514, "0x7", "7", 514, "Out of memory", "Microsoft VBScript runtime error", 2,
     "ASRMobilityServiceVssProviderInstallFailedOutOfMemory"},
    {W_VSSW_516, "0x80070431", "-2147023823", 516, "The specified service already exists.",
     "COMAdmin.COMAdminCatalog", 2, "ASRMobilityServiceVssProviderInstallFailedServiceAlreadyExists"},
    {W_VSSW_517, "0x80070430", "-2147023824", 517,
     "The specified service has been marked for deletion.", "COMAdmin.COMAdminCatalog", 2,
     "ASRMobilityServiceVssProviderInstallFailedServiceMarkedForDeletion"},
    {W_VSSW_560, "0x80070005", "-2147024891", 560, "Access is denied.",
     "COMAdmin.COMAdminCatalog", 2, "ASRMobilityServiceVSSProviderInstallationFailed"},
};

/* The VSS failure of a scenario, or NULL. */
static const vssfail *vss_fail_of(int scen)
{
    for (size_t i = 0; i < sizeof vss_fails / sizeof vss_fails[0]; i++)
        if (vss_fails[i].scen == scen)
            return &vss_fails[i];
    return NULL;
}

/* The echoed output of InMageVSSProvider_Install.cmd (raw lines), failing as `f` says. */
static void win_vss_cmd(doc *d, vars *v, const vssfail *f)
{
    vars_setf(v, "AVMB", "%d", f && f->rc == 514 ? (int)rng_range(&d->r, 90, 300)
                                                  : (int)rng_range(&d->r, 1800, 9000));
    vars_setf(v, "AVMB2", "%d", atoi(vars_get(v, "AVMB", 4)) - (int)rng_range(&d->r, 0, 6));
    vars_setf(v, "CLIMIT", "%lld", (long long)rng_range(&d->r, 4, 32) * 1073741824LL + 123392);
    long long cb = rng_range(&d->r, 2000000000LL, 6000000000LL);
    vars_setf(v, "CBYTES", "%lld", cb);
    vars_setf(v, "CBYTES2", "%lld", cb + rng_range(&d->r, 10000, 900000));
    if (f) {
        vars_setf(v, "VSSRC", "%d", f->rc);
        vars_set(v, "ERRHEX", f->hex);
        vars_set(v, "ERRDEC", f->dec);
        vars_set(v, "ERRDESC", f->desc);
        vars_set(v, "ERRSRC", f->src);
        vars_set(v, "VSSUNREG", f->where == 0 ? "1" : "");
    }
    doc_tpl(d, T_VSS_CMD_UNREG);
    if (f && f->where == 0) {
        doc_tpl(d, T_VSS_CMD_ERR);
        return;
    }
    doc_tpl(d, T_VSS_CMD_REG1);
    if (f && f->where == 1) {
        doc_tpl(d, T_VSS_CMD_ERR);
        return;
    }
    doc_tpl(d, T_VSS_CMD_REG2);
    if (f) {
        doc_tpl(d, T_VSS_CMD_ERR);
        return;
    }
    doc_tpl(d, T_VSS_CMD_OK);
}

#define INSTDIR "C:\\Program Files (x86)\\Microsoft Azure Site Recovery\\agent"
#define NEW_AGENT NEW_AGENT_VERSION
#define OLD_AGENT "9.30.5407.1"

/* Host-level template variables (stable across the host's attempts). */
static void host_vars(const host *h, vars *v)
{
    rng r;
    rng_seed(&r, seed_mix(h->seed, 0x7a75));
    char id[40];
    vars_set(v, "HOST", h->name);
    vars_set(v, "IP", h->ip);
    vars_set(v, "INSTDIR", INSTDIR);
    rng_guid(&r, id, 0);
    vars_set(v, "MACHINEID", id);
    rng_guid(&r, id, 1);
    vars_set(v, "BIOSID", id);
    rng_guid(&r, id, 0);
    vars_set(v, "HOSTID", id);
    vars_set(v, "CSIP", h->cs >= 0 ? g.cs[h->cs].ip : "10.0.0.10");
    vars_set(v, "CSNAME", h->cs >= 0 ? g.cs[h->cs].disp : "CS01");
    if (h->os == OS_WIN) {
        vars_set(v, "OSNAME", winvers[h->winver].name);
        vars_set(v, "WINBUILD", winvers[h->winver].build);
        static const char *const users[] = {"asradmin", "SYSTEM", "svc-asr", "Administrator"};
        vars_set(v, "LOGONUSER", PICK(&r, users));
    } else {
        const distro *d = &distros[h->distro];
        vars_set(v, "OS", d->os);
        vars_setf(v, "KERNEL", d->kernel, (int)rng_range(&r, 20, 140));
        vars_set(v, "GRUB", d->grub);
        vars_set(v, "ROOTFS", d->rootfs);
    }
}

/* Everything one Windows run writes. */
typedef struct winrun {
    vars v;
    doc inst, val, msi, cfg, wrap;
    int has_val, has_msi, has_cfg, has_wrap;
    int exit_code, cfg_exit;
    jerr err;          /* the error the run left in its errors JSON */
    int has_err;
    msec t0, t_inst_end, t_cfg0, t_end;
} winrun;

/* Frees the documents and variables of a Windows run. */
static void winrun_free(winrun *w)
{
    doc_free(&w->inst);
    doc_free(&w->val);
    doc_free(&w->msi);
    doc_free(&w->cfg);
    doc_free(&w->wrap);
    vars_free(&w->v);
}

/* Noise weights of the documents of a run (relative; times the host weight). */
#define W_INST 0.15
#define W_MSI 1.0
#define W_VAL 0.15

/* The validator run (MobilityServiceValidations.log); returns its exit code. */
static int win_validator(winrun *w, int s, const char *eol, uint64_t seed, double hw, msec t)
{
    doc *d = &w->val;
    vars *v = &w->v;
    doc_init(d, ST_TRC, eol, t, seed, v, hw * W_VAL);
    doc_tpl(d, T_VAL_HEAD);
    /* drivers: which are missing (W_DRIVERS) */
    int missing[5] = {0};
    char list[64] = "";
    if (s == W_DRIVERS) {
        int a = (int)rng_range(&d->r, 1, 3), b = (int)rng_range(&d->r, 1, 4);
        missing[a] = missing[b] = 1;
        for (int i = 0; i < 5; i++)
            if (missing[i]) {
                if (*list)
                    strcat(list, ",");
                strcat(list, drivers5[i]);
            }
    }
    for (int cs = 1; cs <= 2; cs++) {
        for (int i = 0; i < 5; i++) {
            doc_linef(d, "Validating driver %s in SYSTEM\\ControlSet%03d\\Services", drivers5[i], cs);
            if (!missing[i])
                doc_linef(d, "Enterting ValidateServiceKeys root: SYSTEM\\ControlSet%03d\\Services szDriverName: %s PathValidation: False StartType: -1",
                          cs, drivers5[i]);
            doc_linef(d, "Validating registry key SYSTEM\\ControlSet%03d\\Services\\%s", cs, drivers5[i]);
            if (missing[i]) {
                doc_linef(d, "System.Exception: Failed to open registry SYSTEM\\ControlSet%03d\\Services\\%s",
                          cs, drivers5[i]);
                doc_raw(d, "   at SystemRequirementValidator.SourceRequirementHandler.BootDriversCheck(IDictionary`2 attribMap, String logFile)");
            } else
                doc_linef(d, "Validated driver %s in SYSTEM\\ControlSet%03d\\Services", drivers5[i], cs);
        }
        if (cs == 1)
            doc_slot(d, NZ_VALIDATOR, 1.0, 1);
    }
    if (s == W_DRIVERS) {
        doc_linef(d, "Drivers %s are incompatible", list);
        vars_set(v, "DRVLIST", list);
        goto failed;
    }
    doc_tpl(d, T_VAL_SERVICES_HEAD);
    for (int cs = 1; cs <= 2; cs++)
        for (int i = 0; i < 6; i++) {
            doc_linef(d, "Validating service %s in SYSTEM\\ControlSet%03d\\Services", services6[i], cs);
            doc_linef(d, "Enterting ValidateServiceKeys root: SYSTEM\\ControlSet%03d\\Services szDriverName: %s PathValidation: False StartType: 3",
                      cs, services6[i]);
            doc_linef(d, "Validating registry key SYSTEM\\ControlSet%03d\\Services\\%s", cs, services6[i]);
            doc_linef(d, "Validated Service %s in SYSTEM\\ControlSet%03d\\Services", services6[i], cs);
        }
    doc_tpl(d, T_VAL_DISKS_HEAD);
    switch (s) {
    case W_BOOTSEP:
        doc_line(d, "Boot partition is on disk number 1 while system partition is on 0.");
        doc_raw(d, "                                                                Azure requires both partition on same disk to boot.");
        goto failed;
    case W_NOBOOT:
        doc_line(d, "No Boot Disk found on this system.");
        goto failed;
    case W_MULTIBOOT:
        doc_line(d, "Multiple boot disks 0,1 found. Azure doesn't support multiple boot disks.");
        goto failed;
    case W_MULTISYS:
        doc_line(d, "Multiple system disks 0,1 found. Azure doesn't support multiple system disks.");
        goto failed;
    default:
        break;
    }
    doc_line(d, "Validated Requirement BootAndSystemDiskCheck");
    doc_line(d, "Exiting BootAndSystemDiskCheck");
    int rc = 0;
    if (vars_get(v, "NEWAGENT", 8)[0]) {
        const vssfail *f = vss_fail_of(s);
        vars_setf(v, "VSSRC", "%d", f ? f->rc : 0);
        vars_set(v, "CMDDIR", vars_get(v, "SETUP", 5));
        doc_tpl(d, T_VAL_VSS_HEAD);
        win_vss_cmd(d, v, f);
        if (f) {
            doc_linef(d, "VSSProvider installation has failed with error code: %d.", f->rc);
            doc_linef(d, "Vss Installation exit code %d", f->rc);
            doc_linef(d, "Vss installation failed with exit code : %d", f->rc);
            rc = 2;
        } else {
            doc_line(d, "VSSProvider installation completed successfully.");
            doc_line(d, "Vss Installation exit code 0");
            doc_line(d, "Completed VSS Installation");
            doc_line(d, "Exiting Vss Installation check");
        }
    }
    if (s == W_MEMORY) {
        vars_setf(v, "MEMFAIL", "1");
        vars_setf(v, "MEMMB", "%d", (int)rng_range(&d->r, 512, 1000));
        rc = 1;
    } else
        vars_set(v, "MEMFAIL", "");
    doc_tpl(d, T_VAL_TAIL);
    return rc;
failed:
    doc_line(d, "Application Ended");
    doc_raw(d, "{ISO}\tAlways:\tTrace Session Ended");
    return 1;
}

/* The msiexec verbose log of one run, ending with exit code `rc`. */
static void win_msi(winrun *w, int rc, const char *eol, uint64_t seed, double hw, msec t)
{
    doc *d = &w->msi;
    doc_init(d, ST_MSI, eol, t, seed, &w->v, hw * W_MSI);
    doc_tpl(d, T_MSI_HEAD);
    if (rc == 1618) {
        static const char *const T[] = {
            "|{C} Grabbed execution mutex.",
            "|{C} Cloaking enabled.",
            "|{C} Attempting to enable all disabled privileges before calling Install on Server",
            "|{C} Incrementing counter to disable shutdown. Counter after increment: 0",
            "@+2-5",
            "|{C} Another installation is already in progress. Complete that installation before proceeding with this install.",
            "|{C} Decrementing counter to disable shutdown. If counter >= 0, shutdown will be denied.  Counter after decrement: -1",
            "|{C} MainEngineThread is returning 1618",
            "|=== Verbose logging stopped: {MH} ===",
            "|",
            NULL,
        };
        doc_tpl(d, T);
        return;
    }
    doc_tpl(d, T_MSI_BODY1);
    for (int i = 0; msi_seq1[i]; i++) {
        vars_set(&w->v, "ACT", msi_seq1[i]);
        static const char *const A[] = {"|{S} Doing action: {ACT}", "|Action start {AT}: {ACT}.",
                                        "|Action ended {AT}: {ACT}. Return value 1.", NULL};
        doc_tpl(d, A);
    }
    static const char *const FILES[] = {
        "|{S} Doing action: InstallFiles",
        "|Action start {AT}: InstallFiles.",
        "%msiexec 6 25",
        "|Action ended {AT}: InstallFiles. Return value 1.",
        NULL,
    };
    doc_tpl(d, FILES);
    for (int i = 0; msi_seq2[i]; i++) {
        if (strcmp(msi_seq2[i], "CA_InstallInvolFltDriver") == 0 && rc != 1603)
            continue;
        vars_set(&w->v, "ACT", msi_seq2[i]);
        static const char *const A[] = {"|{S} Doing action: {ACT}", "|Action start {AT}: {ACT}.",
                                        "|Action ended {AT}: {ACT}. Return value 1.", NULL};
        doc_tpl(d, A);
    }
    if (rc == 1603) {
        static const char *const T[] = {
            "|{S} Doing action: InstallFinalize",
            "|Action start {AT}: InstallFinalize.",
            "|{S} Running Script: C:\\Windows\\Installer\\MSI{MSITMP}.tmp",
            "@+2-4",
            "|{S} Executing op: CustomActionSchedule(Action=CA_InstallInvolFltDriver,ActionType=3090,Source={INSTDIR}\\drvutil.exe,Target=--installdriver,)",
            "|CustomAction CA_InstallInvolFltDriver returned actual error code 1 (note this may not be 100% accurate if translation happened inside sandbox)",
            "@+5-9",
            "|{S} Note: 1: 1722 2: CA_InstallInvolFltDriver 3: {INSTDIR}\\drvutil.exe 4: --installdriver ",
            "|{S} Product: Microsoft Azure Site Recovery Mobility Service/Master Target Server -- Error 1722. There is a problem with this Windows Installer package. A program run as part of the setup did not finish as expected. Contact your support personnel or package vendor.  Action CA_InstallInvolFltDriver, location: {INSTDIR}\\drvutil.exe, command: --installdriver ",
            "|",
            "|Error 1722. There is a problem with this Windows Installer package. A program run as part of the setup did not finish as expected. Contact your support personnel or package vendor.  Action CA_InstallInvolFltDriver, location: {INSTDIR}\\drvutil.exe, command: --installdriver ",
            "|{S} User policy value 'DisableRollback' is 0",
            "|{S} Machine policy value 'DisableRollback' is 0",
            "|Action ended {AT}: InstallFinalize. Return value 3.",
            "|{S} Executing op: Header(Signature=1397708873,Version=500,Timestamp=1452951360,LangId=1033,Platform=0,ScriptType=2,ScriptMajorVersion=21,ScriptMinorVersion=4,ScriptAttributes=1)",
            "|Rollback: Installing new services",
            "|Rollback: Copying new files",
            "@+2-3",
            "|{S} Product: Microsoft Azure Site Recovery Mobility Service/Master Target Server -- Installation failed.",
            "|{S} Windows Installer installed the product. Product Name: Microsoft Azure Site Recovery Mobility Service/Master Target Server. Product Version: {AGENTVER}. Product Language: 1033. Manufacturer: Microsoft Corporation. Installation success or error status: 1603.",
            "|Action ended {AT}: INSTALL. Return value 3.",
            NULL,
        };
        vars_setf(&w->v, "MSITMP", "%04X", (int)rng_range(&d->r, 0x1000, 0xFFFF));
        doc_tpl(d, T);
    } else {
        static const char *const T[] = {
            "|{S} Doing action: InstallFinalize",
            "|Action start {AT}: InstallFinalize.",
            "@+0-1",
            "|Action ended {AT}: InstallFinalize. Return value 1.",
            "|Action ended {AT}: INSTALL. Return value 1.",
            "?-UPGRADE||{S} Product: Microsoft Azure Site Recovery Mobility Service/Master Target Server -- Installation completed successfully.",
            "?-UPGRADE||{S} Windows Installer installed the product. Product Name: Microsoft Azure Site Recovery Mobility Service/Master Target Server. Product Version: {AGENTVER}. Product Language: 1033. Manufacturer: Microsoft Corporation. Installation success or error status: 0.",
            "?UPGRADE||{S} Product: Microsoft Azure Site Recovery Mobility Service/Master Target Server -- Configuration completed successfully.",
            "?UPGRADE||{S} Windows Installer reconfigured the product. Product Name: Microsoft Azure Site Recovery Mobility Service/Master Target Server. Product Version: {AGENTVER}. Product Language: 1033. Manufacturer: Microsoft Corporation. Reconfiguration success or error status: 0.",
            "?MSIREBOOT||{S} Windows Installer requires a system restart. Product Name: Microsoft Azure Site Recovery Mobility Service/Master Target Server. Product Version: {AGENTVER}. Product Language: 1033. Manufacturer: Microsoft Corporation. Type of System Restart: 2. Reason for Restart: 1.",
            "?MSIREBOOT||{S} Value of RebootAction property is ",
            NULL,
        };
        vars_set(&w->v, "MSIREBOOT", rc == 3010 ? "1" : "");
        doc_tpl(d, T);
    }
    doc_slot(d, NZ_MSI_PROP, 0.02, 0);
    doc_tpl(d, T_MSI_PROPS);
    vars_setf(&w->v, "MSIRC", "%d", rc);
    static const char *const E[] = {
        "|{S} MainEngineThread is returning {MSIRC}",
        "|{C} MainEngineThread is returning {MSIRC}",
        "|=== Verbose logging stopped: {MH} ===",
        "|",
        NULL,
    };
    doc_tpl(d, E);
}

/* The configurator run (ASRUnifiedAgentConfigurator.log); returns its exit code. */
static int win_configurator(winrun *w, int s, const char *eol, uint64_t seed, double hw, msec t)
{
    doc *d = &w->cfg;
    vars *v = &w->v;
    doc_init(d, ST_TRC, eol, t, seed, v, hw * W_INST);
    vars_set(v, "STARTUS", "");
    {
        buf b = {0};
        fmt_time(&b, d->t, TF_US);
        vars_set(v, "STARTUS", b.p);
        free(b.p);
    }
    char runid[40];
    rng_guid(&d->r, runid, 0);
    vars_set(v, "RUNID", runid);
    if (s == W_OTHERCS)
        vars_setf(v, "DRSCOUTIP", "10.%d.%d.%d", (int)rng_range(&d->r, 10, 99),
                  (int)rng_range(&d->r, 0, 254), (int)rng_range(&d->r, 2, 250));
    else
        vars_set(v, "DRSCOUTIP", "");
    doc_tpl(d, T_CFG_HEAD);
    int rc;
    if (s == W_OTHERCS) {
        doc_line(d, "Agent is pointing to differnt CS.");
        doc_line(d, "Agent is configured to different Configuration server.");
        rc = 13;
        vars_set(v, "RETNAME", "AgentPointingToDifferentCS");
    } else {
        doc_tpl(d, T_CFG_REG);
        int fail = s == W_CURL7 || s == W_CURL60;
        const char *failed =
            s == W_CURL60
                ? "FAILED : PostToSVServer with error [at curlwrapper.cpp:CurlWrapper::processCurlResponse:212]   failed to post request: (60) - Peer certificate cannot be authenticated with given CA certificates"
                : "FAILED : PostToSVServer with error [at curlwrapper.cpp:CurlWrapper::processCurlResponse:212]   failed to post request: (7) - Couldn't connect to server";
        int tries = fail ? 3 : 1;
        for (int k = 0; k < tries; k++) {
            if (k > 0) {
                d->t += 30 * SEC;
                doc_linef(d, "Re-trying the registration. Re-try count: %d", k - 1);
            }
            doc_tpl(d, T_CFG_CDPCLI_RUN);
            d->t += rng_range(&d->r, fail ? 19 : 4, fail ? 25 : 8) * SEC;
            doc_line(d, "The command {INSTDIR}\\cdpcli.exe completed within given timeout period 600000");
            doc_linef(d, "Exit code returned by command: %d", fail ? 1 : 0);
            doc_line(d, "cdpcli --registerhost --loglevel=7 command output.");
            doc_line(d, "---------------------------------------");
            if (fail) {
                doc_line(d, failed);
                doc_raw(d, failed);
            } else
                doc_line(d, "");
            doc_line(d, "---------------------------------------");
            doc_linef(d, "cdpcli --registerhost --loglevel=7 has %s.", fail ? "failed" : "succeeded");
        }
        if (fail) {
            d->t += 30 * SEC;
            doc_line(d, "Re-trying the registration. Re-try count: 2");
            doc_line(d, "Setup was unable to register host with Configuration Server.");
            rc = 17;
            vars_set(v, "RETNAME", "AgentRegistrationFailed");
        } else {
            d->t += rng_range(&d->r, 2, 4) * SEC;
            doc_line(d, "Validating configuration.");
            rc = 0;
            vars_set(v, "RETNAME", "Successful");
        }
    }
    win_json_block(d, NULL);
    vars_setf(v, "EXIT", "%d", rc);
    doc_tpl(d, T_CFG_TAIL);
    return rc;
}

/* Sets the errors-JSON entry a scenario leaves behind (strings live in the winrun vars). */
static void win_error_of(winrun *w, int s)
{
    vars *v = &w->v;
    jerr *e = &w->err;
    memset(e, 0, sizeof *e);
    w->has_err = 1;
    const vssfail *f = vss_fail_of(s);
    switch (s) {
    case W_DRIVERS:
        e->name = "ASRMobilityServiceBootDriversMissing";
        e->k1 = "drivers";
        e->v1 = vars_get(v, "DRVLIST", 7);
        vars_setf(v, "ERRJMSG",
                  "\\r\\n                    Validation failed for boot drivers %s. \\r\\n                    Possible causes\\r\\n                        1. Driver is not installed in one of control sets.\\r\\n                        2. Driver registry is not in proper format in one of control sets.\\r\\n                        3. Driver binary is missing.\\r\\n                        4. Read failed for driver registry.\\r\\n\\r\\n                    Resoultion:\\r\\n                        1. If driver is not installed or, there is some issue with registry key, please contact windows team.",
                  e->v1);
        break;
    case W_BOOTSEP:
        e->name = "ASRMobilityServiceBootAndSystemDiskOnSeparateDisks";
        e->k1 = "SystemDisk", e->v1 = "0", e->k2 = "BootDisk", e->v2 = "1";
        vars_set(v, "ERRJMSG", "Boot partition is on disk number 1 while system partition is on 0.\\r\\n                                                                Azure requires both partition on same disk to boot.");
        break;
    case W_NOBOOT:
        e->name = "ASRMobilityServiceNoBootDiskFound";
        vars_set(v, "ERRJMSG", "No Boot Disk found on this system.");
        break;
    case W_MULTIBOOT:
        e->name = "ASRMobilityServiceMultipleBootDisks";
        e->k1 = "BootDisks", e->v1 = "0,1";
        vars_set(v, "ERRJMSG", "Multiple boot disks 0,1 found. Azure doesn't support multiple boot disks.");
        break;
    case W_MULTISYS:
        e->name = "ASRMobilityServiceMultipleSystemDisks";
        e->k1 = "SystemDisks", e->v1 = "0,1";
        vars_set(v, "ERRJMSG", "Multiple system disks 0,1 found. Azure doesn't support multiple system disks.");
        break;
    case W_MEMORY:
        e->name = "ASRMobilityServiceInstallerRequiredMemoryError";
        vars_set(v, "ERRJMSG", "Failed to enable replication due to a prerequisite check error. Possible causes: The memory on the machine is less than 1 GB.");
        break;
    case W_MSI1603:
    case W_MSI1618:
        e->name = s == W_MSI1603 ? "ASRMobilityServiceInstallerMSIInstallationFailure_InternalError"
                                 : "ASRMobilityServiceInstallerMSIInstallationFailure_InstallationAlreadyRunning";
        e->k1 = "ErrorCode", e->v1 = s == W_MSI1603 ? "1603" : "1618";
        vars_setf(v, "ERRJMSG", "ASR MSI Installation failed with exit code %s", e->v1);
        break;
    case W_3010:
        e->name = "ASRMobilityServiceInstallerSuccessfulRecommendedReboot";
        vars_set(v, "ERRJMSG", "Please reboot your machine after upgrade for some changes to take effect");
        break;
    default:
        if (f && f->json) {
            e->name = f->json;
            e->k1 = "ErrorCode";
            vars_setf(v, "ERRJCODE", "%d", f->rc);
            e->v1 = vars_get(v, "ERRJCODE", 8);
            vars_setf(v, "ERRJMSG", "\\r\\n                        VSS Installation failed with exit code %d.\\r\\n                    ", f->rc);
            break;
        }
        w->has_err = 0;
        return;
    }
    e->msg = vars_get(v, "ERRJMSG", 7);
}

/* Sets the per-run variables shared by every document of the run. */
static void win_run_vars(winrun *w, const host *h, const attempt *a, int s)
{
    vars *v = &w->v;
    host_vars(h, v);
    int upgrade = (scens[s].flags & F_UPGRADE) != 0;
    int old = (scens[s].flags & F_OLDAGENT) != 0;
    vars_set(v, "ITYPE", upgrade ? "Upgrade" : "Install");
    vars_set(v, "UPGRADE", upgrade ? "1" : "");
    vars_set(v, "NEWAGENT", old ? "" : "1");
    vars_set(v, "AGENTVER", old ? OLD_AGENT : NEW_AGENT);
    vars_set(v, "OLDVER", "9.52.6526.1");
    if (a->pushed) {
        int jid = g.jobs[a->job].id;
        vars_setf(v, "JOB", "%d", jid);
        vars_setf(v, "SETUP", "C:\\ProgramData\\Microsoft Azure Site Recovery\\Mobility Service\\WMISSH\\%d", jid);
        vars_setf(v, "JSON", "%s\\installerextendederrors.json", vars_get(v, "SETUP", 5));
        vars_set(v, "INVOKER", "pushinstall");
        vars_set(v, "PUSH", "1");
        vars_setf(v, "PASSFILE", "%s\\connection.passphrase", vars_get(v, "SETUP", 5));
    } else {
        vars_set(v, "SETUP", "C:\\Temp\\MobSvc");
        vars_set(v, "JSON", "C:\\ProgramData\\ASRSetupLogs\\InstallerErrors.json");
        vars_set(v, "INVOKER", "commandline");
        vars_set(v, "PUSH", "");
        vars_set(v, "PASSFILE", "C:\\Temp\\MobSvc\\passphrase.txt");
    }
    rng r;
    rng_seed(&r, seed_mix(a->seed, 0x5151));
    vars_setf(v, "MSIC", "%02X:%02X", (int)rng_range(&r, 0x10, 0xFF), (int)rng_range(&r, 0x10, 0xFF));
    vars_setf(v, "MSIS", "%02X:%02X", (int)rng_range(&r, 0x10, 0xFF), (int)rng_range(&r, 0x10, 0xFF));
    vars_setf(v, "MSIPKG", "%x", (int)rng_range(&r, 0x100000, 0xFFFFFF));
    vars_setf(v, "MSIPID", "%d", (int)rng_range(&r, 1000, 30000));
    vars_set(v, "REREG", a->pushed || upgrade ? "1" : "");
    vars_set(v, "ERRMSG", "");
}

/* win_return — the installer's "returnValue - NAME" and "Finally block." lines. */
static void win_return(doc *d, const char *name)
{
    doc_linef(d, "returnValue - %s", name);
    doc_line(d, "Finally block.");
}

/*
 * win_bag — the installer's property bag for return value `name` (exit code rc): the short
 * bag of a run that stopped before its prerequisite checks when `prereqs` is NULL, else the
 * full bag with PreReqs `prereqs`, installation status Success and no reboot. Returns rc.
 */
static int win_bag(doc *d, vars *v, const char *name, int rc, const char *prereqs)
{
    vars_set(v, "RETNAME", name);
    vars_setf(v, "EXIT", "%d", rc);
    if (!prereqs) {
        doc_tpl(d, T_WIN_PROPBAG_SHORT);
        return rc;
    }
    vars_set(v, "PRERES", prereqs);
    vars_set(v, "INSTSTATUS", "Success");
    vars_set(v, "REBOOTREQ", "False");
    doc_tpl(d, T_WIN_PROPBAG);
    return rc;
}

/*
 * Renders one Windows run (attempt ai of h) with line ending `eol`: installer log, validator
 * log, msiexec log, configurator log and wrapper log, as far as the scenario gets.
 */
static void win_run(const host *h, int ai, const char *eol, winrun *w)
{
    const attempt *a = &h->att[ai];
    int s = a->scen;
    memset(w, 0, sizeof *w);
    win_run_vars(w, h, a, s);
    vars *v = &w->v;
    double hw = h->weight * (a->pushed ? 0.25 : 1.0);
    doc *d = &w->inst;
    w->t0 = a->t;
    doc_init(d, ST_TRC, eol, a->t, seed_mix(a->seed, 1), v, hw * W_INST);
    {
        buf b = {0};
        fmt_time(&b, a->t, TF_US);
        vars_set(v, "STARTUS", b.p);
        free(b.p);
        char runid[40];
        rng_guid(&d->r, runid, 0);
        vars_set(v, "RUNID", runid);
    }
    doc_tpl(d, T_WIN_HEAD1);
    int rc;
    if (s == W_OS42) {
        doc_line(d, "Installation is not supported on this OS. Mobility service can be installed only on WIN2K12-R2/WIN2K12/WIN2K8-R2-SP1 servers.");
        win_return(d, "UnsupportedOS");
        win_json_block(d, NULL);
        rc = win_bag(d, v, "UnsupportedOS", 42, NULL);
        goto done;
    }
    doc_tpl(d, T_WIN_HEAD2);
    /* validator */
    int vrc = win_validator(w, s, eol, seed_mix(a->seed, 2), hw, d->t + rng_range(&d->r, 200, 800));
    w->has_val = 1;
    win_error_of(w, s); /* after the validator: W_DRIVERS names the drivers it found missing */
    d->t = w->val.t + rng_range(&d->r, 600, 1800);
    vars_setf(v, "VRC", "%d", vrc);
    doc_tpl(d, T_WIN_VALIDATOR_DONE);
    doc_tick(d);
    put_prefix(d, 0);
    doc_append(d, &w->val);
    doc_line(d, "Mobility service validator output ends here");
    doc_line(d, "----------------------------------------------");
    if (vrc == 1) {
        doc_line(d, "Prechecks failed");
        win_return(d, "ProductPrereqsValidationFailed");
        win_json_block(d, w->has_err ? &w->err : NULL);
        rc = win_bag(d, v, "ProductPrereqsValidationFailed", 99, "Failure");
        goto done;
    }
    doc_line(d, vrc == 2 ? "Prechecks succeeded with warnings" : "Prechecks succeeded");
    d->t += rng_range(&d->r, 1, 3) * SEC;
    if (s == W_REBOOT62) {
        doc_line(d, "System restart is detected on this server.");
        win_return(d, "SystemRestartPending");
        win_json_block(d, NULL);
        rc = win_bag(d, v, "SystemRestartPending", 62, NULL);
        goto done;
    }
    doc_tpl(d, T_WIN_INSTALL_COMPONENTS);
    int msirc = s == W_MSI1603 ? 1603 : s == W_MSI1618 ? 1618 : s == W_3010 ? 3010 : 0;
    win_msi(w, msirc, eol, seed_mix(a->seed, 3), hw, d->t + rng_range(&d->r, 100, 600));
    w->has_msi = 1;
    d->t = w->msi.t + rng_range(&d->r, 100, 900);
    doc_line(d, "MSI execution completed within given timeout period -1 ms.");
    doc_linef(d, "Exit code from MSI : %d", msirc);
    if (msirc == 1603 || msirc == 1618) {
        if (msirc == 1618)
            doc_line(d, "Process id for msiexec process is : {MSIPID}");
        doc_linef(d, "Exception in MSI Install %d", msirc);
        doc_line(d, "Installation Status - Failed");
        if (msirc == 1603)
            doc_line(d, "MSI Error :  1722. There is a problem with this Windows Installer package. A program run as part of the setup did not finish as expected. Contact your support personnel or package vendor.  Action CA_InstallInvolFltDriver, location: {INSTDIR}\\drvutil.exe, command: --installdriver ");
        win_return(d, "FailedWithErrors");
        win_json_block(d, &w->err);
        vars_setf(v, "ERRMSG", "%d", msirc);
        rc = win_bag(d, v, "FailedWithErrors", 97, "Success");
        goto done;
    }
    int upgrade = (scens[s].flags & F_UPGRADE) != 0;
    if (msirc == 3010) {
        doc_line(d, "Upgrade of UnifiedAgentMSI.msi successful, reboot is required");
        doc_line(d, "Installation Status - Succeeded");
        doc_line(d, "You must restart the server for some system changes to take effect.");
    } else {
        doc_line(d, upgrade ? "Upgrade of UnifiedAgentMSI.msi successful"
                            : "Install of UnifiedAgentMSI.msi successful");
        doc_line(d, "Installation Status - Succeeded");
    }
    doc_tpl(d, T_WIN_POST);
    const vssfail *f = vss_fail_of(s);
    if (scens[s].flags & F_OLDAGENT) {
        vars_setf(v, "VSSRC", "%d", f ? f->rc : 0);
        vars_set(v, "CMDDIR", INSTDIR);
        doc_tpl(d, T_WIN_POST_OLD_VSS);
        win_vss_cmd(d, v, f);
        doc_linef(d, "VSSProvider installation has failed with error code: %d.", f ? f->rc : 0);
        win_return(d, "VSSProviderInstallationFailed");
        doc_line(d, "The file {JSON} does not exist");
        rc = win_bag(d, v, "VSSProviderInstallationFailed", 45, "Success");
        goto done;
    }
    int warn = vrc == 2 || msirc == 3010;
    vars_set(v, "REBOOT", msirc == 3010 ? "1" : "");
    vars_set(v, "WARNEXIT", warn ? "1" : "");
    vars_set(v, "RETNAME", warn ? "SucceededWithWarnings" : "Successful");
    doc_tpl(d, T_WIN_POST_NEW_END);
    win_json_block(d, w->has_err ? &w->err : NULL);
    rc = warn ? 98 : 0;
    vars_set(v, "PRERES", vrc == 2 ? "Warning" : "Success");
    vars_set(v, "INSTSTATUS", vrc == 2 ? "Warning" : "Success");
    vars_set(v, "REBOOTREQ", msirc == 3010 ? "True" : "False");
    vars_setf(v, "EXIT", "%d", rc);
    doc_tpl(d, T_WIN_PROPBAG);
done:
    w->exit_code = rc;
    w->t_inst_end = d->t;
    w->t_end = d->t;
    rng r;
    rng_seed(&r, seed_mix(a->seed, 0xc0f));
    /* configurator: after a successful install (always when the scenario is about it) */
    int want_cfg = (scens[s].flags & F_CONFIG) || ((rc == 0 || rc == 98) && (a->pushed || rng_chance(&r, 0.8)));
    if (want_cfg && (rc == 0 || rc == 98)) {
        msec tc = d->t + (a->pushed ? rng_range(&r, 8, 15) * SEC : rng_range(&r, 60, 2400) * SEC);
        w->t_cfg0 = tc;
        w->cfg_exit = win_configurator(w, s, eol, seed_mix(a->seed, 4), hw, tc);
        w->has_cfg = 1;
        w->t_end = w->cfg.t;
    }
    /* wrapper log of manual runs (UnifiedAgent.exe) */
    if (!a->pushed && rng_chance(&r, 0.6)) {
        doc *x = &w->wrap;
        doc_init(x, ST_WRAPPER, eol, a->t - rng_range(&r, 1500, 4000), seed_mix(a->seed, 5), v, 0);
        doc_line(x, "===========================================");
        doc_line(x, "Trace Session Started.");
        doc_line(x, "Executing the following command: UnifiedAgentInstaller.exe /Role \"MS\" /InstallLocation \"C:\\Program Files (x86)\\Microsoft Azure Site Recovery\" /Platform \"VmWare\" /Silent /CSType CSLegacy");
        x->t = w->t_inst_end + rng_range(&r, 200, 1500);
        if (rc == 0)
            doc_line(x, "Output Info : Unified agent installation has succeeded.");
        else
            doc_linef(x, "Output Info : Unified agent installation has failed with exit code - %d.", rc);
        doc_line(x, "Output Info : Please refer installation log for more details - C:\\ProgramData\\ASRSetupLogs\\ASRUnifiedAgentInstaller.log.");
        doc_linef(x, "Exit code returned by command: %d", rc);
        doc_line(x, "Trace Session Ended.");
        doc_line(x, "===========================================");
        w->has_wrap = 1;
    }
}

/* ========================================================================================== */
/* Linux: /var/log/ua_install.log (install script, prereq checker, configurator)               */
/* ========================================================================================== */
/* Templates follow corpus/<linux hosts>/var/log/ua_install.log, rebuilt from the `install`,
 * `prereq_check_install.sh` and `UnifiedAgentConfigurator.sh` templates (asr-logs.md §3). */

static const char *const T_LX_INSTALL_HEAD[] = {
    "|",
    "Script initiated with the following command:",
    "       install -d /usr/local/ASR -r MS -v VmWare -q -c CSLegacy -a {ACTION}",
    "|",
    "ENTERED check_faulty_driver",
    "EXITED check_faulty_driver",
    "?-UPGRADE|Vx agent is not installed.",
    "?-UPGRADE|Vx agent installation return value : 1",
    "?UPGRADE|Vx agent is already installed.",
    "?UPGRADE|Vx agent installation return value : 0",
    "?RPM|Verifying rpm database state.",
    "?RPM|@+1-3",
    "?RPM|RPM database is in consistent state.",
    NULL,
};

static const char *const T_LX_INSTALL_CHECKS[] = {
    "Agent_Role=MS and OS={OS}",
    "Agent installation common pre-requisite checks return value : 0",
    "Confirming availability through lock file ./.install.lck",
    "Lock file ./.install.lck is free, locking file",
    "Retry count - 1.",
    "Lock file exits.",
    "Check instance return value: 0",
    "Detecting VM Platform.",
    "dmi chassis asset tag = No Asset Tag",
    "Platform detected by installer: VmWare",
    "User passed platform as VmWare",
    "Vx agent is not installed.",
    "Vx agent installation return value : 1",
    "Silent installation",
    "Vx agent is not installed.",
    "Vx agent installation return value : 1",
    "VM_PLATFORM=vmware after translate.",
    "Command line validation checks return value : 0",
    "Agent installation pre-requisite checks return value : 0",
    "Agent role is Master Target and OS is UBUNTU-16.04-64/RHEL7U4-64/CentOS7U4-64. Proceeding ahead.",
    "Not checking whether ApplyCustomChanges.sh is invoked or not, as either server is a source agent or it is an upgrade.",
    "Agent role pre-requisite check return value : 0",
    "",
    "****** Beginning of pre-requisite checker log **********",
    "!*******************************************************************************",
    "!Prereq check installer is invoked with -r Agent -j /var/log/InstallerErrors.json -v VMWARE -l /var/log/ua_install.log",
    "!Mount information",
    "!",
    NULL,
};

static const char *const T_LX_PART_MOUNT[] = {
    "|sysfs on /sys type sysfs (rw,nosuid,nodev,noexec,relatime,seclabel)",
    "|proc on /proc type proc (rw,nosuid,nodev,noexec,relatime)",
    "|devtmpfs on /dev type devtmpfs (rw,nosuid,seclabel,size=3993548k,nr_inodes=998387,mode=755)",
    "|tmpfs on /dev/shm type tmpfs (rw,nosuid,nodev,seclabel)",
    "|tmpfs on /run type tmpfs (rw,nosuid,nodev,seclabel,mode=755)",
    "|/dev/sda2 on / type {ROOTFS} (rw,relatime,seclabel,attr2,inode64,noquota)",
    "|/dev/sda1 on /boot type {ROOTFS} (rw,relatime,seclabel,attr2,inode64,noquota)",
    "%mount 1.0 0",
    "|tmpfs on /run/user/0 type tmpfs (rw,nosuid,nodev,relatime,seclabel,size=801808k,mode=700) ",
    "!df information",
    "!",
    "|Filesystem      Size  Used Avail Use% Mounted on",
    "|devtmpfs        3.9G     0  3.9G   0% /dev",
    "|tmpfs           3.9G     0  3.9G   0% /dev/shm",
    "|tmpfs           3.9G  8.9M  3.9G   1% /run",
    "|/dev/sda2        48G   27G   21G  57% /",
    "|/dev/sda1      1014M  196M  819M  20% /boot",
    "%df 0.6 0",
    "|tmpfs           783M     0  783M   0% /run/user/0 ",
    "!blkid information",
    "!",
    "|/dev/sda1: UUID=\"{UUID1}\" TYPE=\"{ROOTFS}\" ",
    "|/dev/sda2: UUID=\"{UUID2}\" TYPE=\"{ROOTFS}\" ",
    "|/dev/sda3: UUID=\"{UUID3}\" TYPE=\"swap\"  ",
    "!Finding multipath devices",
    "!The dmsetup output:",
    "!",
    "| ",
    "!No multipath disks found",
    "!Finding linear devices",
    "!No linear devices found",
    "!Finding full disks with partitions and the boot disks",
    "!The output of command \"sfdisk -luS 2> /dev/null | grep -e '/dev/' | grep -v Empty\" is",
    "!",
    "|Disk /dev/sda: 6527 cylinders, 255 heads, 63 sectors/track",
    "|/dev/sda1   *      2048   2099199    2097152  83  Linux",
    "|/dev/sda2       2099200 102760447  100661248  83  Linux",
    "|/dev/sda3     102760448 104857599    2097152  82  Linux swap / Solaris ",
    "!Executing the command \"./inm_list_part /dev/sda 2>> /var/log/ua_install.log\"",
    "!Full disks: /dev/sda:0:/dev/sda1,/dev/sda2,/dev/sda3",
    "!Finding the system disk",
    "!Root filesystem is {ROOTFS}",
    "!The device mounted on / is /dev/sda2",
    "!Root is on partition, SAME_ROOT_DISK=1, ROOT_DISKS=/dev/sda, ROOT_DEV=/dev/sda2, NR_ROOT_DISKS=1",
    "!Finding the boot disk",
    "!/boot is a mount point not part of /",
    "!The device mounted on /boot is /dev/sda1",
    "!Boot is on partition, SAME_BOOT_DISK=1, BOOT_DISKS=/dev/sda1, BOOT_DEV=/dev/sda1, BOOT_FULL_DISKS=/dev/sda, NR_BOOT_DISKS=1",
    NULL,
};

static const char *const T_LX_UBUNTU_MOUNT[] = {
    "|sysfs on /sys type sysfs (rw,nosuid,nodev,noexec,relatime)",
    "|proc on /proc type proc (rw,nosuid,nodev,noexec,relatime)",
    "|udev on /dev type devtmpfs (rw,nosuid,noexec,relatime,size=4012532k,nr_inodes=1003133,mode=755)",
    "|tmpfs on /run type tmpfs (rw,nosuid,nodev,noexec,relatime,size=809908k,mode=755)",
    "|/dev/sda1 on / type ext4 (rw,relatime)",
    "%mount 1.0 0",
    "|/dev/sda15 on /boot/efi type vfat (rw,relatime,fmask=0077,dmask=0077,codepage=437,iocharset=iso8859-1,shortname=mixed,errors=remount-ro) ",
    "!df information",
    "!",
    "|Filesystem      Size  Used Avail Use% Mounted on",
    "|udev            3.9G     0  3.9G   0% /dev",
    "|tmpfs           791M  1.1M  790M   1% /run",
    "|/dev/sda1        29G   20G  9.0G  69% /",
    "%df 0.6 0",
    "|/dev/sda15      105M  5.2M  100M   5% /boot/efi ",
    "!blkid information",
    "!",
    "|/dev/sda1: LABEL=\"cloudimg-rootfs\" UUID=\"{UUID1}\" TYPE=\"ext4\" PARTUUID=\"{UUID2}\"",
    "|/dev/sda15: LABEL_FATBOOT=\"UEFI\" LABEL=\"UEFI\" UUID=\"5C1D-3E2A\" TYPE=\"vfat\" PARTUUID=\"{UUID3}\" ",
    "!Finding multipath devices",
    "!The dmsetup output:",
    "!",
    "| ",
    "!No multipath disks found",
    "!Finding linear devices",
    "!No linear devices found",
    "!Finding full disks with partitions and the boot disks",
    "!The output of command \"sfdisk -luS 2> /dev/null | grep -e '/dev/' | grep -v Empty\" is",
    "!",
    "|Disk /dev/sda: 30 GiB, 32212254720 bytes, 62914560 sectors",
    "|/dev/sda1  227328 62914526 62687199 29.9G Linux filesystem",
    "|/dev/sda14   2048    10239     8192    4M BIOS boot",
    "|/dev/sda15  10240   227327   217088  106M EFI System ",
    "!Executing the command \"./inm_list_part /dev/sda 2>> /var/log/ua_install.log\"",
    "!Full disks: /dev/sda:0:/dev/sda1,/dev/sda14,/dev/sda15",
    "!Finding the system disk",
    "!Root filesystem is ext4",
    "!The device mounted on / is /dev/sda1",
    "!Root is on partition, SAME_ROOT_DISK=1, ROOT_DISKS=/dev/sda, ROOT_DEV=/dev/sda1, NR_ROOT_DISKS=1",
    "!Finding the boot disk",
    "!/boot is part of /, NR_BOOTABLE_DISKS=1, BOOT_FULL_DISKS=/dev/sda, IS_BOOT_LVM=0",
    NULL,
};

static const char *const T_LX_VGDISPLAY[] = {
    "|  --- Volume group ---",
    "|  VG Name               rootvg",
    "|  System ID             ",
    "|  Format                lvm2",
    "|  Metadata Areas        2",
    "|  Metadata Sequence No  6",
    "|  VG Access             read/write",
    "|  VG Status             resizable",
    "|  MAX LV                0",
    "|  Cur LV                3",
    "|  Open LV               3",
    "|  Max PV                0",
    "|  Cur PV                2",
    "|  Act PV                2",
    "|  VG Size               51.99 GiB",
    "|  PE Size               4.00 MiB",
    "|  Total PE              13310",
    "|  Alloc PE / Size       13056 / 51.00 GiB",
    "|  Free  PE / Size       254 / 1016.00 MiB",
    "|  ",
    "|  --- Physical volumes ---",
    "|  PV Name               /dev/sda1     ",
    "|  PV Status             allocatable",
    "|  Total PE / Free PE    8191 / 127",
    "|   ",
    "|  PV Name               /dev/sdb1     ",
    "|  PV Status             allocatable",
    "|  Total PE / Free PE    5119 / 127",
    "|    ",
    NULL,
};

static const char *const T_LX_LVM_MOUNT[] = {
    "|sysfs on /sys type sysfs (rw,nosuid,nodev,noexec,relatime,seclabel)",
    "|proc on /proc type proc (rw,nosuid,nodev,noexec,relatime)",
    "|devtmpfs on /dev type devtmpfs (rw,nosuid,seclabel,size=3993548k,nr_inodes=998387,mode=755)",
    "|tmpfs on /dev/shm type tmpfs (rw,nosuid,nodev,seclabel)",
    "|tmpfs on /run type tmpfs (rw,nosuid,nodev,seclabel,mode=755)",
    "|/dev/mapper/rootvg-rootlv on / type xfs (rw,relatime,seclabel,attr2,inode64,noquota)",
    "|/dev/mapper/rootvg-bootlv on /boot type xfs (rw,relatime,seclabel,attr2,inode64,noquota)",
    "%mount 1.0 0",
    "|/dev/mapper/rootvg-varlv on /var type xfs (rw,relatime,seclabel,attr2,inode64,noquota) ",
    "!df information",
    "!",
    "|Filesystem                 Size  Used Avail Use% Mounted on",
    "|devtmpfs                   3.9G     0  3.9G   0% /dev",
    "|tmpfs                      3.9G     0  3.9G   0% /dev/shm",
    "|tmpfs                      3.9G  8.6M  3.9G   1% /run",
    "|/dev/mapper/rootvg-rootlv   30G  6.1G   24G  21% /",
    "|/dev/mapper/rootvg-bootlv  1014M  187M  828M  19% /boot",
    "%df 0.6 0",
    "|/dev/mapper/rootvg-varlv    20G  3.4G   17G  17% /var ",
    "!blkid information",
    "!",
    "|/dev/sda1: UUID=\"{UUID1}\" TYPE=\"LVM2_member\" ",
    "|/dev/sdb1: UUID=\"{UUID2}\" TYPE=\"LVM2_member\" ",
    "|/dev/mapper/rootvg-rootlv: UUID=\"{UUID3}\" TYPE=\"xfs\" ",
    "|/dev/mapper/rootvg-bootlv: UUID=\"{UUID4}\" TYPE=\"xfs\" ",
    "|/dev/mapper/rootvg-varlv: UUID=\"{UUID5}\" TYPE=\"xfs\"  ",
    "!Finding multipath devices",
    "!The dmsetup output:",
    "!",
    "|rootvg-varlv: 0 41943040 linear 8:17 2048",
    "|rootvg-bootlv: 0 1048576 linear 8:1 62916608",
    "|rootvg-bootlv: 1048576 1048576 linear 8:17 41945088",
    "|rootvg-rootlv: 0 62914560 linear 8:1 2048 ",
    "!No multipath disks found",
    "!Finding linear devices",
    "!Linear Devices: /dev/mapper/rootvg-varlv /dev/mapper/rootvg-bootlv /dev/mapper/rootvg-bootlv /dev/mapper/rootvg-rootlv",
    "!Linear Device Type: linear linear linear linear",
    "!Finding full disks with partitions and the boot disks",
    "!The output of command \"sfdisk -luS 2> /dev/null | grep -e '/dev/' | grep -v Empty\" is",
    "!",
    "|Disk /dev/sda: 4177 cylinders, 255 heads, 63 sectors/track",
    "|/dev/sda1          2048  67106815   67104768  8e  Linux LVM",
    "|Disk /dev/sdb: 2610 cylinders, 255 heads, 63 sectors/track",
    "|/dev/sdb1          2048  41943039   41940992  8e  Linux LVM ",
    "!Executing the command \"./inm_list_part /dev/sda 2>> /var/log/ua_install.log\"",
    "!Executing the command \"./inm_list_part /dev/sdb 2>> /var/log/ua_install.log\"",
    "!Full disks: /dev/sda:0:/dev/sda1 /dev/sdb:0:/dev/sdb1",
    "!Finding the system disk",
    "!Root filesystem is xfs",
    "!The device mounted on / is /dev/mapper/rootvg-rootlv",
    "!Finding full disk for the LV device /dev/mapper/rootvg-rootlv",
    "!VG name for LV /dev/mapper/rootvg-rootlv is rootvg",
    "!The output of command \\'vgdisplay -v rootvg\\' is",
    NULL,
};

static const char *const T_LX_LVM_BOOT[] = {
    "!Root is on LV, SAME_ROOT_DISK=0, ROOT_DISKS=/dev/sda,/dev/sdb, ROOT_DEV=/dev/mapper/rootvg-rootlv, NR_ROOT_DISKS=2",
    "!Finding the boot disk",
    "!/boot is a mount point not part of /",
    "!The device mounted on /boot is /dev/mapper/rootvg-bootlv",
    "!Finding full disk for the LV device /dev/mapper/rootvg-bootlv",
    "!VG name for LV /dev/mapper/rootvg-bootlv is rootvg",
    "!The output of command \\'vgdisplay -v rootvg\\' is",
    NULL,
};

/* The per-check part of the prereq checker: {check line, failing scenario, failure line}. */
typedef struct lxcheck {
    const char *check;
    int fail_scen;
    const char *fail;
} lxcheck;

static const lxcheck lx_checks[] = {
    {"!Finding the Grub file", -1, NULL},
    {"!The Grub file: {GRUB}", -1, NULL},
    {"!Checking for C locale availability", L_CLOCALE,
     "!C locale is not available. Install the locale and retry enable replication."},
    {"!Checking for Hostname set to NULL", L_HOSTNAME,
     "!The hostname is NULL. Cannot proceed with the installation."},
    {"!Checking for secure boot", -1, NULL},
    {"|{MOKUTIL}", L_SECBOOT, "!Secure Boot is enabled for the system. Cannot proceed with the installation."},
    {"!Checking for free free space availability", -1, NULL},
    {"!Free space needed on root file-system is 1048576KB and actual free space available is {FREEKB}KB",
     L_ROOTSPACE, "!At least 1048576KB of free space is required on \"/\""},
    {"!Checking for LIS drivers availability", -1, NULL},
    {"!Checking for LIS driver(s) hv_storvsc.ko", L_LIS,
     "!Linux Integration Services(LIS) components are not installed on this server. Please install them and retry installation. For more details please refer https://aka.ms/asr-os-support"},
    {"!Check if the current running kernel is supported", -1, NULL},
    {"!Current running kernel is {KERNEL}", L_KERNEL,
     "!This version of mobility service doesn't support the operating system kernel version ({KERNEL}) running on the source machine. Please refer the list of operating systems supported by Azure Site Recovery : https://aka.ms/asr-os-support"},
    {"!Checking if the directory for the current running kernel exists under /lib/modules", -1, NULL},
    {"!Check if the system disk is available", L_SYSDISK,
     "!The system/root disk is not available. Check if any device is mounted on /."},
    {"!Check if the boot disk is available", L_BOOTDISK,
     "!The boot disk is not available. Create a bootable partition."},
    {"!Check if the LVM package installed", L_LVMPKG,
     "!LVM package is missing. Install the lvm2 package and reboot the VM before trying to protect again."},
    {"?-LVM|!Skipping the check LVMPackageInstalled as root file-system is not laid on an LV", -1, NULL},
    {"!Check if the boot is configured on LVM device which is coming from multiple full disks", L_LVM,
     "!The /boot is configured on an LVM device (/dev/mapper/rootvg-bootlv) and this LVM device is created using multiple disks (/dev/sda,/dev/sdb)"},
    {"!Check if the boot partition is mounted", -1, NULL},
    {"?-LVM|!Boot filesystem is {ROOTFS}", -1, NULL},
    {"?-LVM|!Boot disk ({BOOTDEV}) is mounted as {BOOTDEV}", -1, NULL},
    {"!Check if the root filesysytem is supported", -1, NULL},
    {"!Check if the boot filesysytem is supported", -1, NULL},
    {"!Check if directories is are writeable", -1, NULL},
    {"!Check if the commandline parameter acpi=0 exists", L_ACPI,
     "!The Grub command line contains 'acpi=0'. Remove the entry and then try to protect the VM."},
    {"!Check if the devices mentioned in the Grub exist", L_GRUBNOEXIST,
     "!The Grub configuration has the entry for the device ({NODEV}) which doesn't exist. Fix the Grub."},
    {"!Check if the device names mentioned in the Grub instead of UUID", L_GRUBDEV,
     "!The Grub has the entry for the device {GRUBDEVS}. Use the UUID instead of the device name."},
    {"!Check if the DHCP client exists", L_DHCP,
     "!The DHCP client is not available on the system. Install the package dhclient."},
    {"!Checking Runlevel for null", -1, NULL},
};

/* errors-JSON entry (Linux libcommon.sh format) of each prereq failure. */
typedef struct lxerr {
    int scen;
    const char *name, *params, *msg;
} lxerr;

static const lxerr lx_errs[] = {
    {L_KERNEL, "ASRMobilityServiceKernelNotSupported", "\"KernelVersion\":\"{KERNEL}\"",
     "This version of mobility service doesn't support the operating system kernel version ({KERNEL}) running on the source machine. Please refer the list of operating systems supported by Azure Site Recovery : https://aka.ms/asr-os-support"},
    {L_GRUBDEV, "ASRMobilityServiceGrubDeviceNameChange", "\"Device\":\"{GRUBDEVS}\"",
     "The Grub has the entry for the device {GRUBDEVS}. Use the UUID instead of the device name."},
    {L_LVM, "ASRMobilityServiceBootOnLVMFromMultipleDisks", "\"BootDevice\":\"/dev/mapper/rootvg-bootlv\"",
     "The /boot is configured on an LVM device (/dev/mapper/rootvg-bootlv) and this LVM device is created using multiple disks (/dev/sda,/dev/sdb)"},
    {L_ROOTSPACE, "ASRMobilityServiceFreeSpaceOnRootNotSufficient", "\"RequiredSpace\":\"1048576KB\"",
     "Insufficient free space available on the root file-system(/). Ensure that there is at least 1048576KB free space available on the root file-system before you try to protect the virtual machine again."},
    {L_GRUBNOEXIST, "ASRMobilityServiceDeviceNotExist", "\"Device\":\"{NODEV}\"",
     "The Grub configuration has the entry for the device ({NODEV}) which doesn't exist. Fix the Grub."},
    {L_BOOTDISK, "ASRMobilityServiceBootDiskNotFound", "", "The boot disk is not available. Create a bootable partition."},
    {L_SYSDISK, "ASRMobilityServiceSystemDiskNotFound", "", "The system/root disk is not available. Check if any device is mounted on /."},
    {L_LIS, "ASRMobilityServiceLisDriversNotAvailable", "\"Drivers\":\"hv_storvsc.ko\"",
     "Linux Integration Services(LIS) components are not installed on this server. Please install them and retry installation."},
    {L_SECBOOT, "ASRMobilityServiceSecureBootEnabled", "", "Secure Boot is enabled for the system. Cannot proceed with the installation."},
    {L_CLOCALE, "ASRMobilityServiceCLocaleNotAvailable", "", "C locale is not available. Install the locale and retry enable replication."},
    {L_HOSTNAME, "ASRMobilityServiceHostNameNotSet", "", "The hostname is NULL. Cannot proceed with the installation."},
    {L_ACPI, "ASRMobilityServiceAcpiEqualsToZeroSet", "", "The Grub command line contains 'acpi=0'. Remove the entry and then try to protect the VM."},
    {L_DHCP, "ASRMobilityServiceDhcpClientNotAvailable", "\"Package\":\"dhclient\"",
     "The DHCP client is not available on the system. Install the package dhclient."},
    {L_LVMPKG, "ASRMobilityServiceLvmPackageMissing", "", "LVM package is missing. Install the lvm2 package and reboot the VM before trying to protect again."},
    {L_REBOOT, "ASRMobiityServiceInstallerLinuxRecommendedReboot", "\"SourceIP\":\"{HOST}\"",
     "Upgrade succeeded but requires a restart for some system changes to take effect"},
};

/* The errors-JSON entry of a Linux scenario, or NULL. */
static const lxerr *lx_err_of(int scen)
{
    for (size_t i = 0; i < sizeof lx_errs / sizeof lx_errs[0]; i++)
        if (lx_errs[i].scen == scen)
            return &lx_errs[i];
    return NULL;
}

/* What one Linux attempt leaves in /var/log/ua_install.log (and InstallerErrors.json). */
typedef struct lxrun {
    vars v;
    doc install, config;
    int has_config;
    int prereq_ran;       /* the prereq checker (re)wrote InstallerErrors.json */
    const lxerr *err;
    msec t_end;
} lxrun;

/* Frees the documents and variables of a Linux run. */
static void lxrun_free(lxrun *x)
{
    doc_free(&x->install);
    doc_free(&x->config);
    vars_free(&x->v);
}

/* Sets UUID1..UUID5 (blkid output) for one host. */
static void lx_uuid_vars(vars *v, rng *r)
{
    static const char *const names[] = {"UUID1", "UUID2", "UUID3", "UUID4", "UUID5"};
    for (int i = 0; i < 5; i++) {
        char id[40];
        rng_guid(r, id, 0);
        vars_set(v, names[i], id);
    }
}

/* The configurator run that follows a successful install. */
static void lx_configurator(lxrun *x, int s, uint64_t seed, double hw, msec t)
{
    doc *d = &x->config;
    vars *v = &x->v;
    doc_init(d, ST_LINUX, "\n", t, seed, v, hw);
    static const char *const HEAD[] = {
        "|",
        "Script initiated with the following command:",
        "UnifiedAgentConfigurator.sh -i {CSIP} -P /root/MobSvc/passphrase.txt -c CSLegacy -q",
        "|",
        "|",
        "AGENT CONFIGURATION",
        "*******************",
        "ENTERED IsFailedOverVm",
        "ENTERED IsAzureVirtualMachine",
        "Detecting VM Platform.",
        "dmi chassis asset tag = No Asset Tag",
        "return value: 1",
        "EXITED IsAzureVirtualMachine",
        "return value : 1",
        "EXITED IsFailedOverVm",
        "Silent agent configuration.",
        "EXTERNAL_IP=",
        NULL,
    };
    doc_tpl(d, HEAD);
    static const char *const EXIT[] = {
        "!Check the log file /var/log/ua_install.log for detailed diagnostic messages or configuration success/failures...",
        "ENTERED process_configurator_exit_code",
        "EXITED process_configurator_exit_code",
        "!Configurator exiting with code: {CEXIT}",
        NULL,
    };
    if (s == L_VMPLAT) {
        doc_t1(d, "!Platform value in drscout.conf: ");
        doc_t1(d, "!Aborting configuration as VM_PLATFORM value is either null or it is not VmWare/Azure.");
        vars_set(v, "CEXIT", "1");
        doc_tpl(d, EXIT);
        return;
    }
    static const char *const REG[] = {
        "!Platform value in drscout.conf: VmWare",
        "!Stopping Vx agent service...",
        "Invoking following command to stop vxagent service - systemctl stop vxagent.",
        "@+2-4",
        "stop agent service return value : 0",
        "Creating /usr/local/InMage/config",
        "Copying /usr/local/ASR/Vx/etc/RCMInfo.conf to /usr/local/InMage/config",
        "Writing Hostname = {CSIP} to /usr/local/ASR/Vx/etc/drscout.conf",
        "@+2-4",
        "Invoking an agent registration call...",
        NULL,
    };
    doc_tpl(d, REG);
    int fail = s == L_CURL7;
    int tries = fail ? 3 : 1;
    int pid = (int)rng_range(&d->r, 2000, 60000);
    long long tid = 139800000000000LL + rng_range(&d->r, 0, 99999999999LL);
    int seq = 0;
    for (int k = 1; k <= tries; k++) {
        doc_linef(d, "Trying to make an agent registration call - Count: %d ", k);
        doc_line(d, "Executing the command : /usr/local/ASR/Vx/bin/cdpcli --registerhost --loglevel=7");
        msec t_start = d->t;
        d->t += rng_range(&d->r, 4, 7) * SEC;
        doc_line(d, "****** Beginning of  cdpcli --registerhost --loglevel=7 detailed command output **********");
        buf b = {0};
        buf_puts(&b, "#~> (");
        fmt_time(&b, t_start, TF_PUSH);
        buf_printf(&b, "):   DEBUG  %d %lld %d ENTERED main", pid, tid, ++seq);
        doc_raw(d, b.p);
        msec keep = d->t;
        d->t = t_start;
        doc_slot(d, NZ_LX_CDPCLI, 1.0, 3);
        d->t = keep;
        if (fail) {
            b.n = 0;
            buf_puts(&b, "#~> (");
            fmt_time(&b, t_start + 4 * SEC, TF_PUSH);
            buf_printf(&b, "):   ERROR  %d %lld %d FAILED : PostToSVServer with error [at curlwrapper.cpp:CurlWrapper::processCurlResponse:212]   failed to post request: (7) - Couldn't connect to server",
                       pid, tid, ++seq);
            doc_raw(d, b.p);
        }
        b.n = 0;
        buf_puts(&b, "#~> (");
        fmt_time(&b, t_start + 4 * SEC, TF_PUSH);
        buf_printf(&b, "):   DEBUG  %d %lld %d EXITED main", pid, tid, ++seq);
        doc_raw(d, b.p);
        free(b.p);
        doc_line(d, "****** End of  cdpcli --registerhost --loglevel=7 detailed command output **********");
        if (fail) {
            doc_linef(d, "Failed %d attempt of agent registration call.", k);
            d->t += 30 * SEC;
        }
    }
    if (fail) {
        doc_t1(d, "!Agent registration has failed.");
        vars_set(v, "CEXIT", "17");
        doc_tpl(d, EXIT);
        return;
    }
    static const char *const OKT[] = {
        "/usr/local/ASR/Vx/bin/s2 doesn't exist.",
        "Successfully created softlink for /usr/local/ASR/Vx/bin/s2.",
        "/usr/local/ASR/Vx/bin/svagents doesn't exist.",
        "Successfully created softlink for /usr/local/ASR/Vx/bin/svagents.",
        "Starting VX agent daemon...",
        "systemctl command exists. Invoking the following commnad - systemctl daemon-reload",
        "systemctl daemon-reload executed successfully.",
        "Invoking following command to start vxagent service - systemctl start vxagent.",
        "@+4-7",
        "Start vxagent service return value : 0",
        "Adding 770 permissions to main installation directory.",
        "!Agent configuration is completed successfully.",
        NULL,
    };
    doc_tpl(d, OKT);
    vars_set(v, "CEXIT", "0");
    doc_tpl(d, EXIT);
}

/* Renders one Linux attempt: the install run and, after a successful install, the
 * configurator run (both append to /var/log/ua_install.log). */
static void lx_run(const host *h, int ai, lxrun *x)
{
    const attempt *a = &h->att[ai];
    int s = a->scen;
    memset(x, 0, sizeof *x);
    vars *v = &x->v;
    host_vars(h, v);
    double hw = h->weight;
    doc *d = &x->install;
    doc_init(d, ST_LINUX, "\n", a->t, seed_mix(a->seed, 1), v, hw);
    const distro *ds = &distros[h->distro];
    int upgrade = (scens[s].flags & F_UPGRADE) != 0;
    int lvm = s == L_LVM || s == L_LVMPKG;
    vars_set(v, "ACTION", upgrade ? "Upgrade" : "Install");
    vars_set(v, "UPGRADE", upgrade ? "1" : "");
    vars_set(v, "RPM", ds->ubuntu ? "" : "1");
    vars_set(v, "LVM", lvm ? "1" : "");
    vars_set(v, "MOKUTIL", ds->ubuntu ? "/usr/bin/mokutil"
                                      : "/usr/bin/which: no mokutil in (/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/root/bin)");
    vars_set(v, "BOOTDEV", ds->ubuntu ? "/dev/sda1" : "/dev/sda1");
    vars_setf(v, "FREEKB", "%lld", s == L_ROOTSPACE ? (long long)rng_range(&d->r, 100000, 1000000)
                                                     : (long long)rng_range(&d->r, 2000000, 90000000));
    vars_set(v, "GRUBDEVS", ds->ubuntu ? "/dev/sda1,/dev/sda1" : "/dev/sda2,/dev/sda1,/dev/sda2,/dev/sda1");
    static const char *const nodevs[] = {"/dev/mapper/rhel-swap", "/dev/mapper/centos-swap",
                                         "/dev/sdb2", "/dev/mapper/vg00-lv_swap"};
    vars_set(v, "NODEV", PICK(&d->r, nodevs));
    if (s == L_KERNEL) {
        static const char *const bad[] = {"5.15.6-1.el7.elrepo.x86_64", "5.14.0-70.13.1.el9_0.x86_64",
                                          "6.2.0-1018-azure", "5.19.0-41-generic",
                                          "4.18.0-553.el8_10.x86_64", "6.1.11-1.el7.elrepo.x86_64"};
        vars_set(v, "KERNEL", PICK(&d->r, bad));
    }
    rng ur;
    rng_seed(&ur, seed_mix(h->seed, 0x0d15c));
    lx_uuid_vars(v, &ur);
    doc_tpl(d, T_LX_INSTALL_HEAD);
    static const char *const EXIT[] = {
        "!Check the log file /var/log/ua_install.log for detailed diagnostic messages or installation success/failures...",
        "!Installer exiting with code: {IEXIT}",
        NULL,
    };
    if (s == L_OSNB) {
        static const char *const unsup[] = {"UBUNTU-22.04-64", "DEBIAN11-64", "RHEL9-64", "SLES15-SP5-64"};
        vars_set(v, "BADOS", PICK(&d->r, unsup));
        doc_line(d, "Current Operating System version: {BADOS}");
        doc_t1(d, "!Agent you are trying to install/upgrade is not built for {BADOS}, can not be installed on this Operating System. Aborting...");
        vars_set(v, "IEXIT", "149");
        doc_tpl(d, EXIT);
        x->t_end = d->t;
        return;
    }
    doc_tpl(d, T_LX_INSTALL_CHECKS);
    x->prereq_ran = 1;
    if (lvm) {
        doc_tpl(d, T_LX_LVM_MOUNT);
        doc_tpl(d, T_LX_VGDISPLAY);
        doc_tpl(d, T_LX_LVM_BOOT);
        doc_tpl(d, T_LX_VGDISPLAY);
        doc_t1(d, "!Boot is on LV, SAME_BOOT_DISK=0, BOOT_FULL_DISKS=/dev/sda,/dev/sdb, BOOT_DEV=/dev/mapper/rootvg-bootlv, NR_BOOT_DISKS=2");
    } else
        doc_tpl(d, ds->ubuntu ? T_LX_UBUNTU_MOUNT : T_LX_PART_MOUNT);
    for (size_t i = 0; i < sizeof lx_checks / sizeof lx_checks[0]; i++) {
        const lxcheck *c = &lx_checks[i];
        if (c->fail_scen == L_SECBOOT && s == L_SECBOOT) {
            /* mokutil is there and reports secure boot */
            doc_raw(d, "/usr/bin/mokutil");
            doc_raw(d, "SecureBoot enabled");
        } else
            doc_t1(d, c->check);
        if (c->fail_scen == s && c->fail)
            doc_t1(d, c->fail);
    }
    doc_line(d, "****** End of pre-requisite checker log **********");
    doc_line(d, "");
    x->err = lx_err_of(s);
    if (scen_failed(s)) {
        doc_t1(d, "!One or more product pre-requisites are not met. Please check /var/log/InstallerErrors.json file for more details.");
        doc_line(d, "Copying /var/log/InstallerErrors.json to /var/log/ASRsetuptelemetry.");
        vars_set(v, "IEXIT", "99");
        if (!(scens[s].flags & F_CONFIG)) {
            doc_tpl(d, EXIT);
            x->t_end = d->t;
            return;
        }
        x->err = NULL;
    }
    /* install proceeds */
    static const char *const INST[] = {
        "!All product pre-requisties are met.",
        "!Generating the certificate.",
        "|Generating DH parameters, 2048 bit long safe prime, generator 2",
        "|This is going to take a long time",
        "%dots 0.3 15",
        "|......................+..............+.................................++*++*",
        "Certificate generation return value : 0",
        "/root/MobSvc/install_vx -A {ACTIONC} -d /usr/local/ASR -r Agent -v VmWare -l /var/log/ua_install.log -c CSLegacy -e /var/log/InstallerErrors.json",
        "?RPM||Preparing...                          ########################################",
        "?RPM||Updating / installing...",
        "?RPM||InMageVx-9.54.0.0-1                   ########################################",
        "@+60-95",
        "!Vx agent {VXVERB} exit code : 0.",
        "?UPGRADE|!Upgrade succeeded but requires a restart for some system changes to take effect. Reboot the server during your next maintenance window.",
        "!Check the log file /var/log/ua_install.log for detailed diagnostic messages or installation success/failures...",
        "ENTERED show_app_input_params",
        "Vx agent is already installed.",
        "ENTERED get_vx_version_params",
        "EXITED get_vx_version_params",
        "EXITED show_app_input_params",
        "!Installer exiting with code: {IEXIT}",
        NULL,
    };
    vars_set(v, "ACTIONC", upgrade ? "U" : "I");
    vars_set(v, "VXVERB", upgrade ? "upgradation" : "installation");
    vars_set(v, "IEXIT", upgrade ? "98" : "0");
    doc_tpl(d, INST);
    x->t_end = d->t;
    /* configurator: for configurator scenarios and most successful installs */
    rng r;
    rng_seed(&r, seed_mix(a->seed, 0xc0f));
    if ((scens[s].flags & F_CONFIG) || (!upgrade && rng_chance(&r, 0.85))) {
        lx_configurator(x, s, seed_mix(a->seed, 2), hw * 0.5, d->t + rng_range(&r, 60, 3000) * SEC);
        x->has_config = 1;
        x->t_end = x->config.t;
    }
}

/* Writes /var/log/InstallerErrors.json for the run (tab-indented, libcommon.sh style). */
static void lx_errors_json(doc *d, const lxerr *e)
{
    doc_raw(d, "{");
    doc_raw(d, "\t\"Errors\":");
    doc_raw(d, "\t[");
    if (e) {
        doc_raw(d, "\t\t{");
        buf b = {0};
        buf_printf(&b, "\t\t\t\"error_name\":\"%s\",", e->name);
        doc_raw(d, b.p);
        b.n = 0;
        buf_printf(&b, "\t\t\t\"error_params\":{%s},", e->params);
        doc_raw(d, b.p);
        b.n = 0;
        buf_printf(&b, "\t\t\t\"default_message\":\"%s\"", e->msg);
        doc_raw(d, b.p);
        free(b.p);
        doc_raw(d, "\t\t}");
    }
    doc_raw(d, "\t]");
    doc_raw(d, "}");
}

/* ========================================================================================== */
/* legacy Inno Setup installer: UA_InstallLogFile.log                                          */
/* ========================================================================================== */
/* Follows corpus/CLU01 (asr-logs.md §2): frames, Inno body lines with three spaces, ANSI with
 * a cp1252 user name, stray CRs from Log('…' + Chr(13)), and the VSS provider output framed by
 * `InMageVSSProvider logs Start here` / `End here :`. */

static void inno_run(const host *h, int ai, doc *d, vars *v)
{
    const attempt *a = &h->att[ai];
    doc_init(d, ST_INNO, "\r\n", a->t, seed_mix(a->seed, 1), v, h->weight * 0.8);
    d->ansi = 1;
    static const char *const users[] = {"j\xfcrgen.admin", "asradmin", "Administrator",
                                        "fran\xe7ois.adm", "svc-backup"};
    vars_set(v, "WINUSER", PICK(&d->r, users));
    vars_setf(v, "ISTMP", "is-%c%c%c%c%c.tmp", 'A' + (int)rng_range(&d->r, 0, 25),
              '0' + (int)rng_range(&d->r, 0, 9), 'A' + (int)rng_range(&d->r, 0, 25),
              'A' + (int)rng_range(&d->r, 0, 25), '0' + (int)rng_range(&d->r, 0, 9));
    vars_set(v, "CMDDIR", INSTDIR);
    vars_setf(v, "TZ", "UTC%s", g_utc_offset);
    buf b = {0};
    buf_puts(&b, "Installation Starts here ");
    fmt_time(&b, d->t, TF_INNOFRAME);
    doc_raw(d, b.p);
    free(b.p);
    static const char *const HEAD[] = {
        "|*********************************************",
        "Log opened. (Time zone: {TZ})",
        "Setup version: Inno Setup version 5.5.9 (a)",
        "Original Setup EXE: C:\\Temp\\MobSvc\\UnifiedAgent.exe",
        "Setup command line: /SL5=\"$40178,52301824,121344,C:\\Temp\\MobSvc\\UnifiedAgent.exe\" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART",
        "Windows version: 6.3.9600  (NT platform: Yes)",
        "64-bit Windows: Yes",
        "Processor architecture: x64",
        "User privileges: Administrative",
        "64-bit install mode: No",
        "Created temporary directory: C:\\Users\\{WINUSER}\\AppData\\Local\\Temp\\{ISTMP}",
        "Extracting temporary file: C:\\Users\\{WINUSER}\\AppData\\Local\\Temp\\{ISTMP}\\csgetfingerprint.exe",
        "@+1-3",
        "Installing UA \r",
        "@+1-2",
        "Starting the installation process.",
        "Directory for uninstall files: C:\\Program Files (x86)\\Microsoft Azure Site Recovery",
        "Will append to existing uninstall log: C:\\Program Files (x86)\\Microsoft Azure Site Recovery\\unins000.dat",
        NULL,
    };
    doc_tpl(d, HEAD);
    static const char *const files[] = {"drscout_upgrade.bat", "rem_files.bat", "configureadmin.bat",
                                        "EnableDisableFiltering.bat", "InMageVSSProvider_Install.cmd",
                                        "InMageVSSProvider_Uninstall.cmd", "InMageVssProvider_Register.vbs",
                                        "svagents.exe", "cdpcli.exe", "InMageVssProvider.dll"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        int exe = strstr(files[i], ".exe") || strstr(files[i], ".dll");
        if (i == 7)
            doc_slot(d, NZ_INNO_FILES, 1.0, 20);
        doc_line(d, "-- File entry --");
        doc_linef(d, "Dest filename: " INSTDIR "\\%s", files[i]);
        doc_line(d, "Time stamp of our file: 2018-06-08 11:42:10.000");
        doc_line(d, "Dest file exists.");
        doc_line(d, "Time stamp of existing file: 2018-06-08 11:42:10.000");
        doc_linef(d, "Version of our file: %s", exe ? "9.17.4860.1" : "(none)");
        doc_line(d, "Installing the file.");
        d->t += rng_range(&d->r, 50, 500);
        doc_line(d, "Successfully installed the file.");
    }
    static const char *const MID[] = {
        "The HostId registry entry is deleted successfuly from 'HKLM\\Software\\SV Systems' key",
        "Succesfully Replaced the \"RUNTIME_INSTALL_PATH\" with the installation path in the drscout.conf file.",
        "@+8-12",
        "",
        "|InMageVSSProvider logs Start here ",
        "|*********************************************",
        "",
        "|",
        NULL,
    };
    doc_tpl(d, MID);
    win_vss_cmd(d, v, vss_fail_of(W_VSS_802));
    static const char *const END[] = {
        "|",
        "",
        "|*********************************************",
        "|InMageVSSProvider logs End here :",
        "|",
        "|",
        "COM+ was unable to talk to the Microsoft Distributed Transaction Coordinator (Exception from HRESULT: 0x8004E00F)",
        "Got EAbort exception.",
        "Rolling back changes.",
        "Starting the uninstallation process.",
        "@+1-2",
        "Uninstallation process succeeded.",
        "Deinitializing Setup.",
        "|",
        "|*********************************************",
        NULL,
    };
    doc_tpl(d, END);
    d->t += rng_range(&d->r, 200, 900);
    b = (buf){0};
    buf_puts(&b, "Installation Ends here :");
    fmt_time(&b, d->t, TF_INNOFRAME);
    doc_raw(d, b.p);
    free(b.p);
}

/* ========================================================================================== */
/* push-install service (pushinstallservice.log, PIVerbose_*.log)                              */
/* ========================================================================================== */
/*
 * One record per InMage logger call: "#~> (MM-DD-YYYY HH:MM:SS): %7s  PID TID SEQ message".
 * Messages may hold newlines (written in text mode: "\n" becomes CRLF, and FormatMessage texts
 * that end in CRLF become "\r\r\n"). Records and their order follow corpus/cs01 (the
 * CsBasedPushInstall PushProxy main loop, one thread per job, the pushjob.cpp stages, retries
 * and failure records, the CsCommunicationImpl status blocks, quirks 1–6 of corpus/README.md).
 */

typedef struct rec {
    msec t;
    int tid;           /* 0: the service's main thread */
    const char *lvl;   /* DEBUG / ALWAYS / ERROR */
    char *pre;         /* message (before the pasted log, if any) */
    int inc;           /* paste the remote stdout.txt of the job's run here */
    char *post;        /* message after the pasted log */
    int nolf;          /* no newline after the record (the next one follows on the line) */
    int order;         /* creation order, for a stable sort */
} rec;

typedef struct recvec {
    rec *v;
    int n, cap;
} recvec;

/* Frees the records and their texts. */
static void recvec_free(recvec *rv)
{
    for (int i = 0; i < rv->n; i++) {
        free(rv->v[i].pre);
        free(rv->v[i].post);
    }
    free(rv->v);
    memset(rv, 0, sizeof *rv);
}

/* Builder for one job thread's records. */
typedef struct jb {
    recvec *out;
    msec t;
    int tid;
    const job *j;
    const host *h;
    const csrv *cs;
    rng r;
} jb;

/* Adds a record of the job thread at the builder's clock; returns it (owned by the vector). */
static rec *jb_add(jb *b, const char *lvl, const char *fmt, ...)
{
    if (b->out->n == b->out->cap) {
        b->out->cap = b->out->cap ? b->out->cap * 2 : 64;
        b->out->v = xrealloc(b->out->v, (size_t)b->out->cap * sizeof *b->out->v);
    }
    rec *r = &b->out->v[b->out->n];
    memset(r, 0, sizeof *r);
    r->order = b->out->n++;
    r->t = b->t;
    r->tid = b->tid;
    r->lvl = lvl;
    va_list ap;
    va_start(ap, fmt);
    char tmp[8192];
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    r->pre = xstrdup(tmp);
    return r;
}

#define JD(...) jb_add(b, "DEBUG", __VA_ARGS__)
#define JA(...) jb_add(b, "ALWAYS", __VA_ARGS__)
#define JE(...) jb_add(b, "ERROR", __VA_ARGS__)

/* Advances the job clock by ms milliseconds. */
static void jb_wait(jb *b, msec ms) { b->t += ms; }

/* The "Status Updation Details" block (CsCommunicationImpl::UpdateAgentInstallationStatus). */
static void jb_status(jb *b, int state, const char *code, const char *msg)
{
    int id = b->j->id;
    JD("ENTERED PI::CsCommunicationImpl::UpdateAgentInstallationStatus");
    JD("Status Updation Details ");
    JD("------------------------");
    JD("JobId: %d ", id);
    JD("State: %d ", state);
    JD("Status Code: %s ", code);
    JD("Status Message: %s ", msg);
    JD("------------------------");
    jb_wait(b, rng_range(&b->r, 0, 900));
    JD("EXITED PI::CsCommunicationImpl::UpdateAgentInstallationStatus");
}

static const char *const FWLINK = "See http://go.microsoft.com/fwlink/?LinkId=525131 for push installation guidance.";

/* Display texts of errormessage.h (as printed in corpus/cs01), filled in for one job. */
static char *ep_text(const char *ep, const char *ip, const csrv *cs)
{
    const char *n = cs->disp, *cip = cs->ip;
    if (strcmp(ep, "EP0858") == 0)
        return xasprintf("Push installation of the mobility service to the source machine %s failed with error code EP0858. Either the credentials provided to install mobility service is incorrect or the user account has insufficient privileges.\nEnsure the user credentials provided for the source machine are correct.\nIn addition, the following is needed for push installation to complete successfully: \n1. Ensure that the user account has administrator rights on the source machine.\n2. Disable remote User Account Control(UAC) if you are using local adminitrator account to install mobility service.\nDisable protection and retry the operation after ensuring that all prerequisites for push installation of the mobility service are complete. %s",
                         ip, FWLINK);
    if (strcmp(ep, "EP0856") == 0)
        return xasprintf("Push installation of Mobility service to the source machine %s failed with error code EP0856. Either the source machine is not running, or there are network connectivity issues betweeen process server %s(%s) and the source machine.\n1. Ensure the source machine %s is accessible from the process server %s(%s)2. Allow \"File and Printer Sharing\" in the Windows Firewall. Under Windows Firewall settings, select the option \"Allow an app through Windows Firewall\" and select File and Printer Sharing for all profiles.\nIn addition, the following is needed for push installation to complete successfully:\n1. Allow \"Windows Management Instrumentation(WMI)\" in the Windows Firewall. Under Windows Firewall settings, select the option \"Allow an app through Windows Firewall\" and select WMI for all profiles.\n2. Ensure that the user account has administrator rights on the source machine.\n3. Disable remote User Account Control(UAC) if you are using local administrator account to install the mobility service.\nDisable protection and retry the operation after ensuring that all prerequisites for push installation of the mobility service are complete. %s",
                         ip, n, cip, ip, n, cip, FWLINK);
    if (strcmp(ep, "EP0865") == 0 || strcmp(ep, "EP0866") == 0)
        return xasprintf("Push installation of the mobility service to the source machine %s failed with error code %s. Either the source machine is not running, or there are network connectivity issues between the process server %s(%s) and the source machine.\nEnsure the source machine %s is accessible from the process server %s(%s).\n%sDisable protection and retry the operation after ensuring that all prerequisites for push installation of the mobility service are complete. %s",
                         ip, ep, n, cip, ip, n, cip,
                         strcmp(ep, "EP0865") == 0
                             ? "In addition, the following is needed for push installation to complete successfully:\n1. Allow \"File and Printer Sharing\" and \"Windows Management Instrumentation (WMI)\" in the Windows Firewall. Under Windows Firewall settings, select the option \"Allow an app or feature through Firewall\". Select File and Printer Sharing and WMI options for all profiles.\n2. Ensure that the user account has administrator rights on the source machine.\n3. Disable remote User Account Control(UAC) if you are using local administrator account to install mobility service.\n"
                             : "",
                         FWLINK);
    if (strcmp(ep, "EP0854") == 0)
        return xasprintf("Push installation of the mobility service to the source machine %s failed with error code EP0854. Either the source machine is not running, or there are network connectivity issues between the process server %s(%s).\n\n1. Ensure that the source machine is accessible from the process server %s(%s)\n2. Allow \"Windows Management Instrumentation(WMI)\" in the Windows Firewall. Under Windows Firewall settings, select the option \"Allow an app through Windows Firewall\" and select WMI for all profiles.\nIn addition, the following is needed for push installation to complete successfully:\n1. Allow \"File and Printer Sharing\" in the Windows Firewall. Under Windows Firewall settings, select the option \"Allow an app through Windows Firewall\" and select File and Printer Sharing for all profiles.\n2. Ensure that the user account has administrator rights on the source machine.\n3. Disable remote User Account Control(UAC) if you are using local administrator account to install mobility service.\nDisable protection and retry the operation after ensuring that all prerequisites for push installation of the mobility service are complete. Seehttp://go.microsoft.com/fwlink/?LinkId=525131 for push installation guidance.",
                         ip, n, cip, n, cip);
    if (strcmp(ep, "EP0859") == 0)
        return xasprintf("Push installation of the mobility service to the source machine %s failed with error code EP0859. Either the credentials provided to install mobility service is incorrect or the user account has insufficient privileges.\nEnsure that the root credentials are provided for the source machine.Disable protection and retry the operation after ensuring that all prerequisites for push installation of the mobility service are complete. %s",
                         ip, FWLINK);
    if (strcmp(ep, "EP0909") == 0)
        return xasprintf("Enable Protection failed to install mobility service on %s with error code EP0909 Install VSS Provider failed.", ip);
    if (strcmp(ep, "EP0915") == 0)
        return xasprintf("Push installation of the mobility service to the source machine %s failed with error code EP0915.\nMobility Service Setup failed to complete as one or more pre-requisite checks failed.\n", ip);
    return xstrdup("");
}

/* Win32 codes of the share connection and their FormatMessage texts (Server 2016 wording). */
typedef struct sharefail {
    int scen;
    int code;
    const char *text;
    const char *ep;     /* Status Code */
    int retried;        /* WmiErrorException / default branch: 3 attempts */
    int atloc;          /* the exception carries an [at file:function:line] prefix */
} sharefail;

static const sharefail share_fails[] = {
    {P_1326, 1326, "The user name or password is incorrect.", "EP0858", 0, 1},
    {P_5, 5, "Access is denied.", "EP0955", 1, 0},
    {P_1909, 1909, "The referenced account is currently locked out and may not be logged on to.", "EP0958", 1, 0},
    {P_1331, 1331, "This user can't sign in because this account is currently disabled.", "EP0957", 1, 0},
    {P_1311, 1311, "There are currently no logon servers available to service the logon request.", "EP0959", 1, 0},
    {P_1789, 1789, "The trust relationship between this workstation and the primary domain failed.", "EP0956", 1, 0},
    {P_1792, 1792, "An attempt was made to logon, but the network logon service was not started.", "EP0960", 1, 0},
    {P_NETPATH, 53, "The network path was not found.", "EP0961", 1, 0},
    {P_1231, 1231, "The network location cannot be reached. For information about network troubleshooting, see Windows Help.", "EP0856", 1, 1},
};

/* The share-connection failure of a scenario, or NULL. */
static const sharefail *share_fail_of(int scen)
{
    for (size_t i = 0; i < sizeof share_fails / sizeof share_fails[0]; i++)
        if (share_fails[i].scen == scen)
            return &share_fails[i];
    return NULL;
}

static void job_records(const job *j, msec start, recvec *out);

/* The common start of every job thread. Returns with the clock after "isRemoteMachineReachable". */
static void jb_preamble(jb *b)
{
    JD("Attempting push install using WMI/SSH APIs.");
    jb_wait(b, rng_range(&b->r, 0, 300));
    JD("Running stage : Validating prerequisites.. ");
}

/* The connection stage up to the reachability test. */
static void jb_connect(jb *b, const char *ip)
{
    JD("Running stage : verifying connection to remote machine... ");
    JD("ENTERED PI::PushJob::getRemoteMachineIp ");
    JA("Received remote ip address = %s", ip);
    JA("Ping remote machine %s", ip);
    JD("ENTERED PI::PushJob::isRemoteMachineReachable ");
}

/* Reachable machine: the stages up to the first copy attempt and its status block. */
static void jb_reach_and_copy(jb *b, const char *ip, const char *osn)
{
    int id = b->j->id;
    jb_wait(b, rng_range(&b->r, 0, 200));
    JD("EXITED PI::PushJob::isRemoteMachineReachable ");
    JA("Ping success for %s", ip);
    JD("EXITED PI::PushJob::getRemoteMachineIp ");
    JD("OS name received: %s ", osn);
    JD("Running stage : fetching job details from Configuration Server... ");
    JD("ENTERED PI::CsCommunicationImpl::GetInstallDetails jobid: %d  os: %s", id, osn);
    jb_wait(b, rng_range(&b->r, 0, 600));
    JD("EXITED PI::CsCommunicationImpl::GetInstallDetails jobid: %d  os: %s", id, osn);
    JD("Running stage : downloading mobility agent from CS... ");
    jb_wait(b, rng_range(&b->r, 200, 1200));
    JD("Running stage : verifying signature of mobility agent software... ");
    JD("Attempt:1 copying files to remote machine %s", ip);
    jb_status(b, 1, "", "copying agent to remote machine...");
}

/* Records of a job whose remote run executed on the (Windows) source machine. */
static void jb_remote_run(jb *b, const char *ip)
{
    const job *j = b->j;
    const host *h = b->h;
    const attempt *a = &h->att[j->att];
    char setup[160];
    snprintf(setup, sizeof setup, "C:\\ProgramData\\Microsoft Azure Site Recovery\\Mobility Service\\WMISSH\\%d", j->id);
    b->t = j->start + j->copy_ms;
    JD("Attempt:1 executing job on remote machine %s", ip);
    jb_status(b, 2, "", "starting agent installation on remote machine...");
    jb_wait(b, rng_range(&b->r, 300, 1200));
    JA("Command to execute = \"%s\\PushClient.exe\" -c \"%s\\pushclient_spec.txt\"", setup, setup);
    int pid = (int)rng_range(&b->r, 1500, 12000);
    JA("Spawned remote push client process id = %d", pid);
    JA("Create process exit code = %d", 0);
    msec run_end = a->t + j->run_ms;
    for (int k = 1;; k++) {
        JA("Attempt %d Checking if remote process %d completed.", k, pid);
        JA("Executing wmi query = SELECT * FROM Win32_Process where Handle = '%d'", pid);
        JA("ExecQuery returned hres = 0");
        JA("CoSetProxyBlanket returned hres = 0");
        if (b->t < run_end) {
            JA("hEnum = 0");
            JA("Objects returned 1");
            b->t += 30 * SEC;
            continue;
        }
        JA("hEnum = 1");
        JA("Remote process %d exited.", pid);
        JA("Objects returned 0");
        break;
    }
    JD("Attempt:1 fetching job execution status on remote machine %s", ip);
    jb_wait(b, rng_range(&b->r, 100, 900));
    JD("Read %s\\pid.txt file from the remote machine with IP %s successfully.", setup, ip);
    JD("Read %s\\stdout.txt file from the remote machine with IP %s successfully.", setup, ip);
    JD("Read %s\\stderr.txt file from the remote machine with IP %s successfully.", setup, ip);
    int newagent = !(scens[a->scen].flags & F_OLDAGENT);
    if (newagent) {
        JD("Read %s\\installerextendederrors.json file from the remote machine with IP %s successfully.", setup, ip);
        /* the JSON as it sits in the remote file (CRLF lines, which text mode turns into \r\r\n) */
        winrun w;
        win_run(h, j->att, "\r\n", &w);
        doc jd;
        doc_init(&jd, ST_RAW, "\r\n", 0, 1, &w.v, 0);
        win_json_lines(&jd, w.has_err ? &w.err : NULL, 0);
        jd.b.n -= 2; /* no newline after the closing brace */
        jd.b.p[jd.b.n] = '\0';
        rec *r = JD("InstallerExtendedErrors.json content: %s", jd.b.p);
        r->nolf = 1;
        doc_free(&jd);
        winrun_free(&w);
    } else {
        JD("%s\\installerextendederrors.json file is not available on the remote machine with IP %s", setup, ip);
        rec *r = JD("InstallerExtendedErrors.json content: ");
        r->nolf = 1;
    }
    JD("exit status: %d:0:%d:0", j->id, j->run_exit);
    rec *r;
    if (j->run_exit == 0) {
        r = JD("agent installation completed\n push client log:\n----------------\n");
    } else {
        char *ep = ep_text(j->run_exit == 45 ? "EP0909" : "EP0854", ip, b->cs);
        r = JE("agent installation failed\n\n%s\npush client log:\n----------------\n", ep);
        free(ep);
    }
    r->inc = 1;
    r->post = xstrdup("----------------\n");
    if (j->run_exit == 0)
        jb_status(b, 3, "", "agent installation completed\n");
    else {
        const char *code = j->run_exit == 45 ? "EP0909" : "EP0915";
        char *ep = ep_text(code, ip, b->cs);
        jb_status(b, -3, code, ep);
        free(ep);
    }
}

/* All records of job j's thread, its first one at `start`. */
static void job_records(const job *j, msec start, recvec *out)
{
    jb bb, *b = &bb;
    memset(b, 0, sizeof *b);
    b->out = out;
    b->t = start;
    b->tid = j->tid;
    b->j = j;
    b->h = &g.hosts[j->host];
    b->cs = &g.cs[j->cs];
    rng_seed(&b->r, seed_mix(j->seed, 0x3ec));
    const host *h = b->h;
    const char *ip = h->ip;
    int s = h->att[j->att].scen;
    const char *osn = h->os == OS_WIN ? "Win" : distros[h->distro].os;
    jb_preamble(b);
    if (s == P_NONROOT) {
        jb_wait(b, rng_range(&b->r, 100, 900));
        JE("Validating prerequisites..failed.\n\nagent installation failed\n error: \n[at pushjob.cpp:PI::PushJob::PushJobUsingWMISSHApis:106]   Non-root user account provided for linux push installation.\n");
        jb_status(b, -3, "EP0963", "");
        return;
    }
    jb_connect(b, ip);
    if (s == P_10060 || s == P_10061 || s == P_LX_10060) {
        int refused = s == P_10061;
        const char *ep = s == P_LX_10060 ? "EP0866" : "EP0865";
        const char *noip = "[at pushjob.cpp:PI::PushJob::getRemoteMachineIp:3021]   None of the remote machine ip is reachable. IP : ";
        for (int k = 1; k <= 3; k++) {
            if (k > 1) {
                jb_wait(b, 60 * SEC);
                JA("Ping remote machine %s", ip);
                JD("ENTERED PI::PushJob::isRemoteMachineReachable ");
            }
            jb_wait(b, refused ? rng_range(&b->r, 1000, 2000) : 21 * SEC + rng_range(&b->r, 0, 500));
            if (refused)
                JA("connect to %s failed with error : 10061, description: No connection could be made because the target machine actively refused it.\r\n", ip);
            else
                JA("connect to %s failed with error : 10060, description: A connection attempt failed because the connected party did not properly respond after a period of time, or established connection failed because connected host has failed to respond.\r\n", ip);
            JD("EXITED PI::PushJob::isRemoteMachineReachable ");
            JA("Ping failed for %s", ip);
            JA("None of the remote machine ip is reachable. IP = %s", ip);
            if (k < 3)
                JE("Attempt:%d verifying connection to remote machine %s failed with error %s%s", k, ip, noip, ip);
        }
        char *t = ep_text(ep, ip, b->cs);
        JE("verifying connection to remote machine...failed.\n%s\nagent installation failed\n error: \n%s%s\n", t, noip, ip);
        jb_status(b, -3, ep, t);
        free(t);
        return;
    }
    jb_reach_and_copy(b, ip, osn);
    const sharefail *sf = share_fail_of(s);
    if (sf || s == P_112) {
        char err[1024];
        const char *ep = sf ? sf->ep : "EP0962";
        if (s == P_112)
            snprintf(err, sizeof err,
                     "[at windowsremoteconnection.cpp:remoteApiLib::WindowsRemoteConnection::copyFile:82]   copy file C:\\ProgramData\\ASR\\home\\svsystems\\pushinstallsvc\\repository\\Microsoft-ASR_UA_9.54.0.0_Windows_GA_13Mar2023_Release.exe to \\\\%s\\C$\\ProgramData\\Microsoft Azure Site Recovery\\Mobility Service\\WMISSH\\%d\\Microsoft-ASR_UA_9.54.0.0_Windows_GA_13Mar2023_Release.exe failed with error : 112(There is not enough space on the disk.\r\n)",
                     ip, j->id);
        else
            snprintf(err, sizeof err, "%snetwork share connection to  path: \\\\%s\\C$ failed with error : %d(%s\r\n)",
                     !sf->atloc ? ""
                     : sf->code == 1326
                         ? "[at windowsremoteconnection.cpp:remoteApiLib::WindowsRemoteConnection::netconnect:404]   "
                         : "[at windowsremoteconnection.cpp:remoteApiLib::WindowsRemoteConnection::netconnect:460]   ",
                     ip, sf->code, sf->text);
        if (sf && !sf->retried) {
            jb_wait(b, rng_range(&b->r, 300, 1500));
            char *t = ep_text("EP0858", ip, b->cs);
            JE("verifying signature of mobility agent software...failed.\n%s\nagent installation failed\n error: \n%s\n", t, err);
            jb_status(b, -3, ep, t);
            free(t);
            return;
        }
        for (int k = 1; k <= 3; k++) {
            if (k > 1) {
                jb_wait(b, 60 * SEC);
                JD("Attempt:%d copying files to remote machine %s", k, ip);
                jb_status(b, 1, "", "copying agent to remote machine...");
            }
            jb_wait(b, rng_range(&b->r, 800, 3500));
            if (k < 3)
                JE("Attempt:%d copying files to remote machine %s failed with error %s", k, ip, err);
        }
        char *t = ep_text("EP0856", ip, b->cs);
        JE("verifying signature of mobility agent software...failed.\n%s\nagent installation failed\n error: \n%s\n", t, err);
        jb_status(b, -3, ep, t);
        free(t);
        return;
    }
    if (s == P_SSH) {
        jb_wait(b, rng_range(&b->r, 1500, 4000));
        char *t = ep_text("EP0859", ip, b->cs);
        JE("verifying signature of mobility agent software...failed.\n%s\nagent installation failed\n error: \n[at unixremoteconnection.cpp:remoteApiLib::UnixSftp::UnixSftp:356]   ssh session authentication for %s failed with error :-18 ( Authentication failed (username/password))\n",
           t, ip);
        jb_status(b, -3, "EP0859", t);
        free(t);
        return;
    }
    if (s == P_WMI) {
        const char *user = g.cs[j->cs].name[1] == 's' && g.cs[j->cs].name[0] == 'c' ? "LAB\\asrpush" : "CONTOSO\\asradmin";
        char err[512];
        snprintf(err, sizeof err,
                 "[at windowsremoteconnection.cpp:remoteApiLib::WindowsRemoteConnection::wmiconnect:541]   wmi connection to \\\\%s\\\\root\\cimv2 with user %s failed with result 800706ba(The RPC server is unavailable.\r\n)",
                 ip, user);
        jb_wait(b, rng_range(&b->r, 12, 20) * SEC);
        for (int k = 1; k <= 3; k++) {
            if (k > 1)
                jb_wait(b, rng_range(&b->r, 80, 100) * SEC);
            JD("Attempt:%d executing job on remote machine %s", k, ip);
            jb_status(b, 2, "", "starting agent installation on remote machine...");
            jb_wait(b, rng_range(&b->r, 21, 23) * SEC);
            if (k < 3)
                JE("Attempt:%d executing job on remote machine %s failed with error %s", k, ip, err);
        }
        char *t = ep_text("EP0854", ip, b->cs);
        JE("verifying signature of mobility agent software...failed.\n%s\nagent installation failed\n error: \n%s\n", t, err);
        jb_status(b, -3, "EP0854", t);
        free(t);
        return;
    }
    /* a Windows run on the source machine */
    jb_remote_run(b, ip);
}

/* ========================================================================================== */
/* writing documents                                                                           */
/* ========================================================================================== */

/* Writes a doc to a sink: its skeleton with each noise slot filled (a measuring sink counts
 * the slot's weight in noise units instead). */
static void doc_write(sink *s, const doc *d)
{
    size_t at = 0;
    for (size_t i = 0; i < d->ns; i++) {
        const slot *sl = &d->slots[i];
        sink_write(s, d->b.p + at, sl->off - at);
        at = sl->off;
        double units = d->weight * sl->w;
        if (s->mode == SINK_MEASURE)
            s->noise_units += (uint64_t)(units * 1000.0);
        else
            noise_emit(s, d, sl, (uint64_t)(g.k * units * 1000.0), seed_mix(d->seed, 1000 + i));
    }
    sink_write(s, d->b.p + at, d->b.n - at);
}

/* Writes a string. */
static void sink_puts(sink *s, const char *str) { sink_write(s, str, strlen(str)); }

/* The combined stdout.txt of a pushed Windows run (asr-logs.md §1): installer, msiexec and
 * configurator logs between START/END delimiters; `eol` is "\r\n" in the file itself and
 * "\r\r\n" when the push service pastes it into its own (text mode) log. */
static void write_push_stdout(sink *s, const host *h, int ai, const char *eol)
{
    winrun w;
    win_run(h, ai, eol, &w);
    sink_puts(s, "This log file contains ASRUnifiedAgent.log and UnifiedAgentMSIInstall.log.");
    sink_puts(s, eol);
    struct {
        const char *name;
        const doc *d;
        int on;
    } parts[] = {
        {"ASRUnifiedAgentInstaller.log", &w.inst, 1},
        {"UnifiedAgentMSIInstall.log", &w.msi, w.has_msi},
        {"ASRUnifiedAgentConfigurator.log", &w.cfg, w.has_cfg},
    };
    for (int i = 0; i < 3; i++) {
        if (!parts[i].on)
            continue;
        sink_puts(s, "=============> START C:\\ProgramData\\ASRSetupLogs\\");
        sink_puts(s, parts[i].name);
        sink_puts(s, "<=============");
        sink_puts(s, eol);
        doc_write(s, parts[i].d);
        sink_puts(s, "=============> END C:\\ProgramData\\ASRSetupLogs\\");
        sink_puts(s, parts[i].name);
        sink_puts(s, "<=============");
        sink_puts(s, eol);
    }
    winrun_free(&w);
}

/* Writes one InMage logger record; "\n" in messages become CRLF (text-mode stream). */
static void rec_write(sink *s, const rec *r, int pid, uint64_t seq, int tid, const host *h, int ai)
{
    buf b = {0};
    buf_puts(&b, "#~> (");
    fmt_time(&b, r->t, TF_PUSH);
    buf_printf(&b, "): %7s  %d %d ", r->lvl, pid, tid);
    buf_dec(&b, seq, 1);
    buf_putc(&b, ' ');
    for (const char *p = r->pre; *p; p++) {
        if (*p == '\n')
            buf_putc(&b, '\r');
        buf_putc(&b, *p);
    }
    sink_write(s, b.p, b.n);
    b.n = 0;
    if (r->inc) {
        write_push_stdout(s, h, ai, "\r\r\n");
        for (const char *p = r->post; p && *p; p++) {
            if (*p == '\n')
                buf_putc(&b, '\r');
            buf_putc(&b, *p);
        }
    }
    if (!r->nolf)
        buf_puts(&b, "\r\n");
    sink_write(s, b.p, b.n);
    free(b.p);
}

/* ========================================================================================== */
/* the configuration server log                                                                */
/* ========================================================================================== */

/* Main-thread records of one fetch cycle of PushProxy (corpus/cs01, thread 2716). */
typedef struct cycle_jobs {
    int *fresh, n_fresh;   /* jobs started in this cycle */
    int *busy, n_busy;     /* jobs still running */
    int *done, n_done;     /* jobs that ended since the previous cycle */
} cycle_jobs;

/* Adds a record of the service's main thread (PushProxy) at time t. */
static void main_rec(recvec *rv, msec t, const char *fmt, ...)
{
    if (rv->n == rv->cap) {
        rv->cap = rv->cap ? rv->cap * 2 : 64;
        rv->v = xrealloc(rv->v, (size_t)rv->cap * sizeof *rv->v);
    }
    rec *r = &rv->v[rv->n];
    memset(r, 0, sizeof *r);
    r->order = rv->n++;
    r->t = t;
    r->lvl = "DEBUG";
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    r->pre = xstrdup(tmp);
}

/* The settings block the main loop dumps for a job. */
static void job_block(recvec *rv, msec t, const job *j, int state)
{
    const host *h = &g.hosts[j->host];
    rng r;
    rng_seed(&r, seed_mix(j->seed, 0xb10c));
    char a1[40], a2[40], a3[40];
    rng_guid(&r, a1, 0);
    rng_guid(&r, a2, 0);
    rng_guid(&r, a3, 0);
    main_rec(rv, t, "\t IpAddress:%s ", h->ip);
    main_rec(rv, t, "\t JobID:%d ", j->id);
    main_rec(rv, t, "\t Installation Path:%s ",
             h->os == OS_WIN ? "C:\\Program Files (x86)\\Microsoft Azure Site Recovery" : "/usr/local/ASR");
    main_rec(rv, t, "\t Reboot Required:0 ");
    main_rec(rv, t, "\t State:%d ", state);
    main_rec(rv, t, "\t vmType:vCenter ");
    main_rec(rv, t, "\t vCenterIP:10.0.0.5 ");
    main_rec(rv, t, "\t vmName:%s ", h->name);
    main_rec(rv, t, "\t vmAccountId:3 ");
    main_rec(rv, t, "\t vcenterAccountId:2 ");
    main_rec(rv, t, "\t ActivityId:%s ", a1);
    main_rec(rv, t, "\t ClientRequestId:%s ", a2);
    main_rec(rv, t, "\t ServiceActivityId:%s ", a3);
}

/* All main-thread records of the fetch cycle at time t. */
static void cycle_records(recvec *rv, msec t, const cycle_jobs *c)
{
    main_rec(rv, t, "#############################################");
    main_rec(rv, t, "PushProxy: 1 ");
    main_rec(rv, t, "********** ");
    main_rec(rv, t, "Max Thread Count: 5 ");
    if (c->n_fresh || c->n_busy) {
        main_rec(rv, t, "OS Value:1 ");
        main_rec(rv, t, "*************** ");
        for (int i = 0; i < c->n_busy; i++)
            job_block(rv, t, &g.jobs[c->busy[i]], 2);
        for (int i = 0; i < c->n_fresh; i++)
            job_block(rv, t, &g.jobs[c->fresh[i]], 1);
    }
    main_rec(rv, t, "#############################################");
    for (int i = 0; i < c->n_fresh; i++)
        job_block(rv, t, &g.jobs[c->fresh[i]], 1);
    for (int i = 0; i < c->n_busy; i++) {
        const job *j = &g.jobs[c->busy[i]];
        main_rec(rv, t, "Received Non Pending state Job. IP %s, Status: 2 n", g.hosts[j->host].ip);
        rv->v[rv->n - 1].nolf = 1;
    }
    for (int i = 0; i < c->n_busy + c->n_done; i++)
        main_rec(rv, t, "Mmaximum no of Threads Configured: 5 ");
    for (int i = 0; i < c->n_fresh; i++) {
        const job *j = &g.jobs[c->fresh[i]];
        const char *ip = g.hosts[j->host].ip;
        main_rec(rv, t, "Mmaximum no of Threads Configured: 5 ");
        main_rec(rv, t, "Starting the Push Install Process thread for IP: %s ", ip);
        main_rec(rv, t, "Push Install Process thread for JOB ID: %d, IP: %s is started successfully. ThreadID: (%#x). StartTime: %lld",
                 j->id, ip, j->tid, (long long)((t - (msec)g_utc_offset_min * MINUTE) / SEC));
    }
    for (int k = 0; k < 2; k++) {
        const int *list = k ? c->busy : c->fresh;
        int n = k ? c->n_busy : c->n_fresh;
        for (int i = 0; i < n; i++) {
            main_rec(rv, t, "IP Address: %s is still active ", g.hosts[g.jobs[list[i]].host].ip);
            main_rec(rv, t, "ENTERED PI::PushProxy::getIPStateFromSettings");
            main_rec(rv, t, k ? "INSTALL_JOB_PROGRESS." : "INSTALL_JOB_PENDING.");
            main_rec(rv, t, "EXITED PI::PushProxy::getIPStateFromSettings");
        }
    }
    for (int i = 0; i < c->n_done; i++)
        main_rec(rv, t, "Setting the JOB as completed status, As this thread is exited already: IP Address: %s ",
                 g.hosts[g.jobs[c->done[i]].host].ip);
    for (int i = 0; i < c->n_done; i++)
        main_rec(rv, t, "Removing the JOBS of IP Address: %s ", g.hosts[g.jobs[c->done[i]].host].ip);
    main_rec(rv, t, "Going to sleep...");
}

/* qsort order of records: time, then creation order. */
static int cmp_rec(const void *pa, const void *pb)
{
    const rec *a = pa, *b = pb;
    if (a->t != b->t)
        return a->t < b->t ? -1 : 1;
    return a->order - b->order;
}

/* Chooses the output form of a file: gzip or not (independent of the content streams). */
static int want_gzip(const char *rel)
{
    if (g.gzip_mode == 0)
        return 0;
    if (g.gzip_mode == 2)
        return 1;
    uint64_t h = 1469598103934665603ULL ^ g.seed;
    for (const char *p = rel; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return (seed_mix(h, 0x62) % 100) < 25;
}

/* Opens the sink of a relative output path (".gz" appended when gzipped). */
static char *open_out(sink *s, const char *rel, int utf16)
{
    if (g.measure) {
        *s = *g.measure;
        s->bytes = 0;
        s->noise_units = 0;
        s->utf16 = utf16;
        return NULL;
    }
    int gz = want_gzip(rel);
    char *path = xasprintf("%s/%s%s", g.out, rel, gz ? ".gz" : "");
    mkdirs_for(path);
    sink_open(s, gz ? SINK_GZIP : SINK_PLAIN, path, g.gzip_level);
    s->utf16 = utf16;
    return path;
}

static uint64_t g_total_bytes, g_total_units, g_files;

/* Closes an output opened by open_out, adds it to the totals and frees path. */
static void close_out(sink *s, char *path)
{
    g_total_bytes += s->bytes;
    g_total_units += s->noise_units;
    g_files++;
    if (!g.measure)
        sink_close(s);
    free(path);
}

/* A PIVerbose log being written alongside the service log. */
typedef struct piv {
    int job;
    sink *s;      /* on the heap: a z_stream must not move once initialised */
    char *path;
} piv;

/* Writes cs/home/svsystems/pushinstallsvc/pushinstallservice.log and the PIVerbose logs. */
static void write_cs(csrv *cs)
{
    sink s;
    char rel[256];
    snprintf(rel, sizeof rel, "%s/home/svsystems/pushinstallsvc/pushinstallservice.log", cs->name);
    char *path = open_out(&s, rel, 0);
    uint64_t seq = cs->seq0;
    int next = 0; /* next job (in start order) */
    int *fresh = xcalloc((size_t)cs->n_jobs + 1, sizeof(int));
    int *busy = xcalloc((size_t)cs->n_jobs + 1, sizeof(int));
    int *done = xcalloc((size_t)cs->n_jobs + 1, sizeof(int));
    int n_active = 0;
    int *active = xcalloc((size_t)cs->n_jobs + 1, sizeof(int));
    recvec pending = {0}; /* thread records of the running jobs, sorted */
    int pend_at = 0;
    piv pv[8];
    int n_pv = 0;
    for (msec t = cs->t0; t <= cs->t1; t += cs->period) {
        cycle_jobs c = {fresh, 0, busy, 0, done, 0};
        for (int i = 0; i < n_active; i++) {
            const job *j = &g.jobs[active[i]];
            if (j->end <= t)
                c.done[c.n_done++] = active[i];
            else
                c.busy[c.n_busy++] = active[i];
        }
        /* close the PIVerbose logs of finished jobs */
        for (int i = 0; i < n_pv;) {
            const job *j = &g.jobs[pv[i].job];
            if (j->end <= t) {
                close_out(pv[i].s, pv[i].path);
                free(pv[i].s);
                pv[i] = pv[--n_pv];
            } else
                i++;
        }
        n_active = 0;
        for (int i = 0; i < c.n_busy; i++)
            active[n_active++] = c.busy[i];
        int started = 0;
        while (next < cs->n_jobs && g.jobs[cs->jobs[next]].start == t) {
            int ji = cs->jobs[next++];
            c.fresh[c.n_fresh++] = ji;
            active[n_active++] = ji;
            started = 1;
        }
        recvec mr = {0};
        cycle_records(&mr, t, &c);
        for (int i = 0; i < mr.n; i++) {
            rec_write(&s, &mr.v[i], cs->pid, seq, cs->main_tid, NULL, 0);
            seq++;
        }
        recvec_free(&mr);
        if (started) {
            /* gather the thread records of the new batch */
            recvec_free(&pending);
            pend_at = 0;
            for (int i = 0; i < c.n_fresh; i++) {
                const job *j = &g.jobs[c.fresh[i]];
                int before = pending.n;
                job_records(j, j->start, &pending);
                for (int k = before; k < pending.n; k++)
                    pending.v[k].order = c.fresh[i] * 100000 + (k - before);
                if (j->piverbose && n_pv < 8) {
                    char prel[256];
                    buf ts = {0};
                    fmt_time(&ts, j->start, TF_PIJOB);
                    snprintf(prel, sizeof prel, "%s/PushInstallLogs/%s/PIVerbose_%s_%s.log", cs->name,
                             j->uuid, j->uuid, ts.p);
                    free(ts.p);
                    pv[n_pv].job = c.fresh[i];
                    pv[n_pv].s = xcalloc(1, sizeof(sink));
                    pv[n_pv].path = open_out(pv[n_pv].s, prel, 0);
                    n_pv++;
                }
            }
            qsort(pending.v, (size_t)pending.n, sizeof *pending.v, cmp_rec);
        }
        /* thread records up to the next cycle */
        while (pend_at < pending.n && pending.v[pend_at].t < t + cs->period) {
            const rec *r = &pending.v[pend_at++];
            int ji = -1;
            for (int i = 0; i < n_active; i++)
                if (g.jobs[active[i]].tid == r->tid)
                    ji = active[i];
            const job *j = ji >= 0 ? &g.jobs[ji] : NULL;
            const host *h = j ? &g.hosts[j->host] : NULL;
            rec_write(&s, r, cs->pid, seq, r->tid, h, j ? j->att : 0);
            for (int i = 0; i < n_pv; i++)
                if (pv[i].job == ji)
                    rec_write(pv[i].s, r, cs->pid, seq + 1, r->tid, h, j->att);
            seq += 2;
        }
    }
    for (int i = 0; i < n_pv; i++) {
        close_out(pv[i].s, pv[i].path);
        free(pv[i].s);
    }
    recvec_free(&pending);
    free(fresh);
    free(busy);
    free(done);
    free(active);
    close_out(&s, path);
}

/* ========================================================================================== */
/* host folders                                                                                */
/* ========================================================================================== */

enum part_kind { PK_INST, PK_VAL, PK_MSI, PK_CFG, PK_WRAP, PK_WJSON, PK_STDOUT, PK_INNO, PK_LX, PK_LJSON };

#define MAX_PARTS 8

typedef struct ofile {
    char rel[256];
    int kind;
    int n;
    int att[MAX_PARTS];
    int utf16;
} ofile;

typedef struct ofiles {
    ofile *v;
    int n, cap;
} ofiles;

/* Adds an output file (path printf-formatted) with no parts yet. */
static ofile *of_add(ofiles *o, int kind, const char *fmt, ...)
{
    if (o->n == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 16;
        o->v = xrealloc(o->v, (size_t)o->cap * sizeof *o->v);
    }
    ofile *f = &o->v[o->n++];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->rel, sizeof f->rel, fmt, ap);
    va_end(ap);
    return f;
}

/* Prefix of a Backup\ (local time) or UploadedLogs\ (UTC) file name. */
static char *stamp(msec t, int style)
{
    buf b = {0};
    fmt_time(&b, style == TF_UPLOAD ? t - (msec)g_utc_offset_min * MINUTE : t, style);
    return b.p;
}

/* Lays out the files of a Windows host the way the agent leaves them: the live log of each
 * kind in ASRSetupLogs, the previous one moved to Backup\<local time><name> when a run
 * starts, the msiexec and wrapper logs appended to, and every file moved to
 * UploadedLogs\<UTC time><name> at the end of a pushed run. */
static void win_layout(const host *h, ofiles *o)
{
    int live_inst = -1, live_val = -1, live_cfg = -1;
    int msi[MAX_ATT], n_msi = 0, wrap[MAX_ATT], n_wrap = 0;
    rng r;
    rng_seed(&r, seed_mix(h->seed, 0x1a70));
    int utf16 = rng_chance(&r, 0.4);
    const char *base = h->name;
    for (int ai = 0; ai < h->n_att; ai++) {
        const attempt *a = &h->att[ai];
        if (scens[a->scen].kind != SK_WIN)
            continue;
        winrun w;
        win_run(h, ai, "\r\n", &w);
        int keep_val = w.has_val && rng_chance(&r, 0.5);
        if (live_inst >= 0) {
            char *p = stamp(a->t, TF_BACKUP);
            ofile *f = of_add(o, PK_INST, "%s/ASRSetupLogs/Backup/%sASRUnifiedAgentInstaller.log", base, p);
            f->att[f->n++] = live_inst;
            free(p);
        }
        live_inst = ai;
        if (keep_val) {
            if (live_val >= 0) {
                char *p = stamp(a->t, TF_BACKUP);
                ofile *f = of_add(o, PK_VAL, "%s/ASRSetupLogs/Backup/%sMobilityServiceValidations.log", base, p);
                f->att[f->n++] = live_val;
                free(p);
            }
            live_val = ai;
        }
        if (w.has_msi)
            msi[n_msi++] = ai;
        if (w.has_wrap)
            wrap[n_wrap++] = ai;
        if (w.has_cfg) {
            if (live_cfg >= 0) {
                char *p = stamp(w.t_cfg0, TF_BACKUP);
                ofile *f = of_add(o, PK_CFG, "%s/ASRSetupLogs/Backup/%sASRUnifiedAgentConfigurator.log", base, p);
                f->att[f->n++] = live_cfg;
                free(p);
            }
            live_cfg = ai;
        }
        if (a->pushed) {
            char *p = stamp(w.t_inst_end + 2 * SEC, TF_UPLOAD);
            ofile *f = of_add(o, PK_INST, "%s/ASRSetupLogs/UploadedLogs/%sASRUnifiedAgentInstaller.log", base, p);
            f->att[f->n++] = live_inst;
            live_inst = -1;
            if (live_val >= 0) {
                f = of_add(o, PK_VAL, "%s/ASRSetupLogs/UploadedLogs/%sMobilityServiceValidations.log", base, p);
                f->att[f->n++] = live_val;
                live_val = -1;
            }
            if (n_msi) {
                f = of_add(o, PK_MSI, "%s/ASRSetupLogs/UploadedLogs/%sUnifiedAgentMSIInstall.log", base, p);
                f->utf16 = utf16;
                for (int i = 0; i < n_msi; i++)
                    f->att[f->n++] = msi[i];
                n_msi = 0;
            }
            free(p);
            if (live_cfg >= 0) {
                p = stamp(w.t_end + 2 * SEC, TF_UPLOAD);
                f = of_add(o, PK_CFG, "%s/ASRSetupLogs/UploadedLogs/%sASRUnifiedAgentConfigurator.log", base, p);
                f->att[f->n++] = live_cfg;
                live_cfg = -1;
                free(p);
            }
        }
        winrun_free(&w);
    }
    ofile *f;
    if (live_inst >= 0) {
        f = of_add(o, PK_INST, "%s/ASRSetupLogs/ASRUnifiedAgentInstaller.log", base);
        f->att[f->n++] = live_inst;
    }
    if (live_val >= 0) {
        f = of_add(o, PK_VAL, "%s/ASRSetupLogs/MobilityServiceValidations.log", base);
        f->att[f->n++] = live_val;
    }
    if (live_cfg >= 0) {
        f = of_add(o, PK_CFG, "%s/ASRSetupLogs/ASRUnifiedAgentConfigurator.log", base);
        f->att[f->n++] = live_cfg;
    }
    if (n_msi) {
        f = of_add(o, PK_MSI, "%s/ASRSetupLogs/UnifiedAgentMSIInstall.log", base);
        f->utf16 = utf16;
        for (int i = 0; i < n_msi; i++)
            f->att[f->n++] = msi[i];
    }
    if (n_wrap) {
        f = of_add(o, PK_WRAP, "%s/ASRSetupLogs/WrapperUnifiedAgent.log", base);
        for (int i = 0; i < n_wrap; i++)
            f->att[f->n++] = wrap[i];
    }
    /* the deciding run's own errors JSON (manual runs write ASRSetupLogs\InstallerErrors.json) */
    int fi = h->n_att - 1;
    const attempt *fa = &h->att[fi];
    if (scens[fa->scen].kind == SK_WIN && !fa->pushed && fa->scen != W_OS42 &&
        !(scens[fa->scen].flags & F_OLDAGENT) && rng_chance(&r, 0.7)) {
        f = of_add(o, PK_WJSON, "%s/ASRSetupLogs/InstallerErrors.json", base);
        f->att[f->n++] = fi;
    }
    /* the job folder of a pushed deciding run, with its combined stdout.txt */
    if (scens[fa->scen].kind == SK_WIN && fa->pushed && rng_chance(&r, 0.4)) {
        f = of_add(o, PK_STDOUT, "%s/ProgramData/Microsoft Azure Site Recovery/Mobility Service/WMISSH/%d/stdout.txt",
                   base, g.jobs[fa->job].id);
        f->att[f->n++] = fi;
    }
}

/* Lists the files of a host's support bundle folder (none for hosts known only from a CS). */
static void host_layout(const host *h, ofiles *o)
{
    if (!h->has_folder)
        return;
    if (h->os == OS_LNX) {
        ofile *f = of_add(o, PK_LX, "%s/var/log/ua_install.log", h->name);
        for (int ai = 0; ai < h->n_att; ai++)
            if (scens[h->att[ai].scen].kind == SK_LNX)
                f->att[f->n++] = ai;
        int fi = h->n_att - 1;
        if (scens[h->att[fi].scen].kind == SK_LNX && h->att[fi].scen != L_OSNB) {
            f = of_add(o, PK_LJSON, "%s/var/log/InstallerErrors.json", h->name);
            f->att[f->n++] = fi;
        }
        return;
    }
    if (scens[h->att[h->n_att - 1].scen].kind == SK_INNO) {
        rng r;
        rng_seed(&r, seed_mix(h->seed, 0x1a71));
        ofile *f;
        if (rng_chance(&r, 0.5)) {
            char *p = stamp(h->att[h->n_att - 1].t + 20 * MINUTE, TF_UPLOAD);
            f = of_add(o, PK_INNO, "%s/ASRSetupLogs/UploadedLogs/%sUA_InstallLogFile.log", h->name, p);
            free(p);
        } else
            f = of_add(o, PK_INNO, "%s/ASRSetupLogs/UA_InstallLogFile.log", h->name);
        for (int ai = 0; ai < h->n_att; ai++)
            f->att[f->n++] = ai;
        return;
    }
    win_layout(h, o);
}

/* Writes one output file of a host. */
static void write_ofile(const host *h, const ofile *f)
{
    sink s;
    char *path = open_out(&s, f->rel, f->utf16);
    if (f->utf16)
        sink_raw(&s, "\xff\xfe", 2); /* UTF-16LE byte order mark */
    for (int i = 0; i < f->n; i++) {
        int ai = f->att[i];
        switch (f->kind) {
        case PK_INST:
        case PK_VAL:
        case PK_MSI:
        case PK_CFG:
        case PK_WRAP:
        case PK_WJSON: {
            winrun w;
            win_run(h, ai, "\r\n", &w);
            doc *d = f->kind == PK_INST  ? &w.inst
                           : f->kind == PK_VAL ? &w.val
                           : f->kind == PK_MSI ? &w.msi
                           : f->kind == PK_CFG ? &w.cfg
                                               : &w.wrap;
            if (f->kind == PK_WJSON) {
                doc jd;
                doc_init(&jd, ST_RAW, "\r\n", 0, 1, &w.v, 0);
                win_json_lines(&jd, w.has_err ? &w.err : NULL, 0);
                jd.b.n -= 2;
                doc_write(&s, &jd);
                doc_free(&jd);
            } else {
                if (f->kind == PK_MSI)
                    d->utf16 = f->utf16;
                doc_write(&s, d);
            }
            winrun_free(&w);
            break;
        }
        case PK_STDOUT:
            write_push_stdout(&s, h, ai, "\r\n");
            break;
        case PK_INNO: {
            vars v = {0};
            host_vars(h, &v);
            doc d;
            inno_run(h, ai, &d, &v);
            doc_write(&s, &d);
            doc_free(&d);
            vars_free(&v);
            break;
        }
        case PK_LX: {
            lxrun x;
            lx_run(h, ai, &x);
            if (i > 0)
                sink_new_member(&s);
            doc_write(&s, &x.install);
            if (x.has_config)
                doc_write(&s, &x.config);
            lxrun_free(&x);
            break;
        }
        case PK_LJSON: {
            lxrun x;
            lx_run(h, ai, &x);
            doc jd;
            doc_init(&jd, ST_RAW, "\n", 0, 1, &x.v, 0);
            lx_errors_json(&jd, x.err);
            doc_write(&s, &jd);
            doc_free(&jd);
            lxrun_free(&x);
            break;
        }
        }
    }
    close_out(&s, path);
}

/* ========================================================================================== */
/* planning                                                                                    */
/* ========================================================================================== */

static int ok_older_arg(int s, int arg)
{
    int hk = arg & 15, has_cs = arg >> 4;
    if (!ok_older(s, hk))
        return 0;
    return has_cs || scens[s].kind != SK_PUSH;
}

/* qsort order of job indices: desired start, then host. */
static int cmp_job_want(const void *pa, const void *pb)
{
    const job *a = &g.jobs[*(const int *)pa], *b = &g.jobs[*(const int *)pb];
    if (a->want != b->want)
        return a->want < b->want ? -1 : 1;
    return a->host - b->host;
}

/* Duration of a job's thread when it starts at 0 (its records are deterministic). */
static msec job_duration(job *j)
{
    recvec rv = {0};
    job_records(j, j->start, &rv);
    msec end = j->start;
    for (int i = 0; i < rv.n; i++)
        if (rv.v[i].t > end)
            end = rv.v[i].t;
    recvec_free(&rv);
    return end - j->start + 1 * SEC;
}

/* Sets a job's start (and the start of the run it carries to the source machine). */
static void job_place(job *j, msec start)
{
    j->start = start;
    host *h = &g.hosts[j->host];
    attempt *a = &h->att[j->att];
    a->t = j->reached ? start + j->copy_ms + 2 * SEC : start;
    j->end = start + job_duration(j);
}

/* Creates the configuration servers (cs01, then process servers ps02…). */
static void plan_cs(int n_cs)
{
    g.n_cs = n_cs;
    g.cs = xcalloc((size_t)n_cs, sizeof *g.cs);
    rng r;
    rng_seed(&r, seed_mix(g.seed, 0xc5));
    for (int i = 0; i < n_cs; i++) {
        csrv *c = &g.cs[i];
        snprintf(c->name, sizeof c->name, i == 0 ? "cs%02d" : "ps%02d", i + 1);
        snprintf(c->disp, sizeof c->disp, i == 0 ? "CS%02d" : "PS%02d", i + 1);
        snprintf(c->ip, sizeof c->ip, "10.0.0.%d", 10 + i);
        c->pid = (int)rng_range(&r, 1200, 9800);
        c->main_tid = (int)rng_range(&r, 600, 3000) * 4;
        c->seq0 = (uint64_t)rng_range(&r, 100000, 5000000);
    }
}

/*
 * plan_fleet — decides everything before any byte is written: per host its name, address,
 * OS, configuration server, attempts (the deciding one drawn by scenario weight, older ones
 * among failures, two to seven days apart so that only the last decides), times and noise
 * weight; per configuration server its fetch interval and the start of every push job (in
 * batches of up to five on a fetch cycle, a batch after the previous one ended).
 */
static void plan_fleet(void)
{
    rng r;
    rng_seed(&r, seed_mix(g.seed, 1));
    static const struct {
        const char *s;
        int min;
    } offsets[] = {{"+02:00", 120}, {"+01:00", 60}, {"+00:00", 0}, {"-05:00", -300}, {"+05:30", 330}};
    int oi = (int)rng_range(&r, 0, 4);
    g_utc_offset = offsets[oi].s;
    g_utc_offset_min = offsets[oi].min;
    int64_t day0 = days_from_civil(2023, 1, 9) + rng_range(&r, 0, 600);
    g.t_end = day0 * DAY + 19 * HOUR;
    int window = 4 + g.n_hosts / 40;
    if (window > 40)
        window = 40;
    int n_cs = 1 + g.n_hosts / 300;
    if (n_cs > 20)
        n_cs = 20;
    plan_cs(n_cs);
    g.hosts = xcalloc((size_t)g.n_hosts, sizeof *g.hosts);
    for (int i = 0; i < g.n_hosts; i++) {
        host *h = &g.hosts[i];
        h->seed = seed_mix(g.seed, 0x100000 + (uint64_t)i);
        rng hr;
        rng_seed(&hr, h->seed);
        int fin = pick_scen(&hr, ok_any, 0);
        const scen_def *fd = &scens[fin];
        h->os = fd->os;
        int hk = fd->kind == SK_PUSH ? (rng_chance(&hr, 0.75) ? HK_PUSHONLY : fd->os == OS_WIN ? HK_WIN : HK_LNX)
                 : fd->kind == SK_INNO ? HK_INNO
                 : fd->kind == SK_WIN  ? HK_WIN
                                       : HK_LNX;
        h->has_folder = hk != HK_PUSHONLY;
        int n = 1;
        double u = rng_unit(&hr);
        if (u > 0.45)
            n = u > 0.92 ? 4 : u > 0.75 ? 3 : 2;
        if (fd->kind == SK_PUSH && hk != HK_PUSHONLY && n < 2)
            n = 2;
        int need_cs = fd->kind == SK_PUSH;
        int has_cs = need_cs || (hk == HK_WIN && rng_chance(&hr, 0.6)) || (hk == HK_LNX && rng_chance(&hr, 0.3));
        h->cs = has_cs ? (int)rng_range(&hr, 0, g.n_cs - 1) : -1;
        h->n_att = n;
        for (int k = 0; k < n - 1; k++) {
            int s = pick_scen(&hr, ok_older_arg, hk | (has_cs << 4));
            /* a host with its own folder whose deciding attempt is a push failure has at
             * least one earlier run on the machine itself */
            if (k == 0 && fd->kind == SK_PUSH && hk != HK_PUSHONLY)
                s = pick_scen(&hr, ok_older_arg, hk);
            h->att[k].scen = s;
        }
        h->att[n - 1].scen = fin;
        msec t = working_hours(&hr, g.t_end - rng_range(&hr, 0, window) * DAY);
        if (t > g.t_end - HOUR)
            t = g.t_end - HOUR - rng_range(&hr, 0, 3600) * SEC;
        for (int k = n - 1; k >= 0; k--) {
            attempt *a = &h->att[k];
            a->t = t;
            a->job = -1;
            a->seed = seed_mix(h->seed, 0xa77 + (uint64_t)k);
            const scen_def *d = &scens[a->scen];
            a->pushed = d->kind == SK_PUSH || (d->kind == SK_WIN && (d->flags & F_PUSHABLE) && has_cs &&
                                               rng_chance(&hr, 0.55));
            t = working_hours(&hr, t - rng_range(&hr, 2, 7) * DAY);
        }
        const char *role = h->os == OS_WIN ? PICK(&hr, win_roles) : PICK(&hr, lnx_roles);
        if (h->os == OS_WIN)
            snprintf(h->name, sizeof h->name, "WIN-%s%04d", role, i + 1);
        else
            snprintf(h->name, sizeof h->name, "lnx-%s%04d", role, i + 1);
        snprintf(h->ip, sizeof h->ip, "10.%d.%d.%d", 20 + i / 62500, (i / 250) % 250 + 1, i % 250 + 2);
        double w = exp(0.9 * rng_normal(&hr));
        if (rng_chance(&hr, 0.03))
            w *= 8;
        h->weight = w;
        h->distro = (int)rng_range(&hr, 0, (int64_t)(sizeof distros / sizeof distros[0]) - 1);
        h->winver = (int)rng_range(&hr, 0, (int64_t)(sizeof winvers / sizeof winvers[0]) - 1);
        for (int k = 0; k < n; k++)
            if (h->att[k].pushed)
                add_job(h, i, k, &hr);
    }
    /* jobs per configuration server, in the order they were asked for */
    for (int c = 0; c < g.n_cs; c++) {
        csrv *cs = &g.cs[c];
        cs->jobs = xcalloc((size_t)g.n_jobs + 1, sizeof(int));
        for (int j = 0; j < g.n_jobs; j++)
            if (g.jobs[j].cs == c)
                cs->jobs[cs->n_jobs++] = j;
        qsort(cs->jobs, (size_t)cs->n_jobs, sizeof(int), cmp_job_want);
        rng cr;
        rng_seed(&cr, seed_mix(g.seed, 0xc50 + (uint64_t)c));
        int next_id = (int)rng_range(&cr, 100, 5000);
        char *used = xcalloc(4096, 1);
        for (int k = 0; k < cs->n_jobs; k++) {
            job *j = &g.jobs[cs->jobs[k]];
            j->id = next_id++;
            int tid;
            int tries = 0;
            do
                tid = (int)rng_range(&cr, 300, 4095);
            while ((used[tid] || tid * 4 == cs->main_tid) && ++tries < 50);
            used[tid] = 1;
            j->tid = tid * 4;
            rng jr;
            rng_seed(&jr, seed_mix(j->seed, 0x99));
            j->copy_ms = rng_range(&jr, 14, 30) * SEC + rng_range(&jr, 0, 999);
            rng_guid(&jr, j->uuid, 0);
            const host *h = &g.hosts[j->host];
            j->reached = scens[h->att[j->att].scen].kind == SK_WIN;
            if (j->reached) {
                host *hh = &g.hosts[j->host];
                hh->att[j->att].t = 0;
                winrun w;
                win_run(hh, j->att, "\r\n", &w);
                j->run_ms = w.t_end - w.t0 + rng_range(&jr, 300, 2500);
                j->run_exit = w.exit_code;
                winrun_free(&w);
            }
            if (h->att[j->att].scen == P_NONROOT)
                j->piverbose = 0;
        }
        free(used);
        /* the fetch interval: the service log should be a modest share of the fleet */
        msec lo = INT64_MAX, hi = INT64_MIN;
        for (int k = 0; k < cs->n_jobs; k++) {
            const job *j = &g.jobs[cs->jobs[k]];
            if (j->want < lo)
                lo = j->want;
            if (j->want > hi)
                hi = j->want;
        }
        if (cs->n_jobs == 0)
            lo = hi = g.t_end - DAY;
        msec span = hi - lo + 6 * HOUR;
        double target = 0.05 * (double)g.size / g.n_cs;
        if (target < 200000)
            target = 200000;
        double cycles = target / 520.0;
        msec period = (msec)((double)span / cycles);
        period = (period / (30 * SEC)) * 30 * SEC;
        if (period < 60 * SEC)
            period = 60 * SEC;
        if (period > 3600 * SEC)
            period = 3600 * SEC;
        cs->period = period;
        cs->t0 = lo - rng_range(&cr, 2, 5) * HOUR;
        cs->t0 -= cs->t0 % (30 * SEC);
        /* batches of up to five jobs start together on a fetch cycle */
        msec free_at = cs->t0;
        for (int k = 0; k < cs->n_jobs;) {
            job *j = &g.jobs[cs->jobs[k]];
            msec want = j->want > free_at ? j->want : free_at;
            msec st = cs->t0 + ((want - cs->t0 + period - 1) / period) * period;
            msec end = st;
            int m = 0;
            while (k + m < cs->n_jobs && m < 5) {
                job *x = &g.jobs[cs->jobs[k + m]];
                if (m > 0 && x->want > st + 10 * MINUTE)
                    break;
                job_place(x, st);
                if (x->end > end)
                    end = x->end;
                m++;
            }
            k += m;
            free_at = end + period;
        }
        cs->t1 = (free_at > hi ? free_at : hi) + rng_range(&cr, 1, 4) * HOUR;
    }
    /* a push job waits for the previous batch; it must not move past a later attempt */
    for (int i = 0; i < g.n_hosts; i++)
        for (int k = 1; k < g.hosts[i].n_att; k++)
            if (g.hosts[i].att[k].t - g.hosts[i].att[k - 1].t < DAY + 2 * HOUR)
                die(1, "internal: attempts of %s less than a day apart after scheduling",
                    g.hosts[i].name);
}

/* ========================================================================================== */
/* main                                                                                        */
/* ========================================================================================== */

static void usage(void)
{
    fputs("usage: asrlog-genfleet --out DIR --hosts N --size SIZE [--seed S]\n"
          "                       [--gzip none|mixed|all] [--gzip-level 1..9] [--labels FILE] [--quiet]\n"
          "                       [--no-chatter]\n"
          "  SIZE accepts K, M and G suffixes (powers of 1024); 0 writes the skeleton only.\n"
          "  The labels go to FILE (default: DIR.labels.tsv, next to DIR, so that scanning DIR\n"
          "  does not read them). --no-chatter plans the same fleet but leaves out the benign\n"
          "  chatter (the test suite checks that the chatter changes no finding).\n",
          stderr);
    exit(2);
}

/* Parses 123, 1.5G, 30M, 512K (powers of 1024; an optional "iB"/"B" suffix). */
static uint64_t parse_size(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || v < 0)
        die(2, "bad --size %s", s);
    switch (*end) {
    case 'k': case 'K': v *= 1024.0; end++; break;
    case 'm': case 'M': v *= 1024.0 * 1024.0; end++; break;
    case 'g': case 'G': v *= 1024.0 * 1024.0 * 1024.0; end++; break;
    default: break;
    }
    if (*end == 'i' || *end == 'I')
        end++;
    if (*end == 'b' || *end == 'B')
        end++;
    if (*end)
        die(2, "bad --size %s", s);
    return (uint64_t)v;
}

/* Renders and writes (or, in the measuring pass, counts) every file of the fleet. */
static void emit_all(void)
{
    for (int i = 0; i < g.n_hosts; i++) {
        ofiles o = {0};
        host_layout(&g.hosts[i], &o);
        for (int k = 0; k < o.n; k++)
            write_ofile(&g.hosts[i], &o.v[k]);
        free(o.v);
    }
    for (int c = 0; c < g.n_cs; c++)
        write_cs(&g.cs[c]);
}

/* Writes the labels: host, outcome and root-cause signature of every host's deciding attempt. */
static void write_labels(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        die(1, "%s: %s", path, strerror(errno));
    fprintf(f, "# host\toutcome\troot_cause_signature\n");
    for (int i = 0; i < g.n_hosts; i++) {
        const host *h = &g.hosts[i];
        const scen_def *d = &scens[h->att[h->n_att - 1].scen];
        fprintf(f, "%s\t%s\t%s\n", h->name, d->outcome, d->sig);
    }
    if (fclose(f) != 0)
        die(1, "%s: %s", path, strerror(errno));
}

/* Options, plan, measuring pass, writing pass, labels. */
int main(int argc, char **argv)
{
    g.gzip_mode = 1;
    g.gzip_level = 1;
    g.seed = 42;
    int have_size = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--out") == 0 && v)
            g.out = v, i++;
        else if (strcmp(a, "--hosts") == 0 && v)
            g.n_hosts = atoi(v), i++;
        else if (strcmp(a, "--size") == 0 && v)
            g.size = parse_size(v), have_size = 1, i++;
        else if (strcmp(a, "--seed") == 0 && v)
            g.seed = strtoull(v, NULL, 0), i++;
        else if (strcmp(a, "--labels") == 0 && v)
            g.labels = v, i++;
        else if (strcmp(a, "--gzip") == 0 && v) {
            g.gzip_mode = strcmp(v, "none") == 0 ? 0 : strcmp(v, "mixed") == 0 ? 1 : strcmp(v, "all") == 0 ? 2 : -1;
            if (g.gzip_mode < 0)
                die(2, "--gzip takes none, mixed or all");
            i++;
        } else if (strcmp(a, "--gzip-level") == 0 && v) {
            g.gzip_level = atoi(v);
            if (g.gzip_level < 1 || g.gzip_level > 9)
                die(2, "--gzip-level takes 1..9");
            i++;
        } else if (strcmp(a, "--no-chatter") == 0)
            g.no_chatter = 1;
        else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0)
            g.quiet = 1;
        else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            usage();
        else
            die(2, "unknown argument %s (try --help)", a);
    }
    if (!g.out || g.n_hosts <= 0 || !have_size)
        usage();
    char *labels = g.labels ? xstrdup(g.labels) : NULL;
    if (!labels) {
        size_t n = strlen(g.out);
        while (n > 1 && g.out[n - 1] == '/')
            n--;
        labels = xasprintf("%.*s.labels.tsv", (int)n, g.out);
    }
    plan_fleet();
    /* pass 1: measure skeleton bytes and noise units */
    sink m;
    memset(&m, 0, sizeof m);
    m.mode = SINK_MEASURE;
    g.measure = &m;
    g.k = 0;
    emit_all();
    uint64_t skel = g_total_bytes, units = g_total_units;
    g.measure = NULL;
    g.k = g.size > skel && units && !g.no_chatter ? (double)(g.size - skel) / (double)units : 0.0;
    if (g.size < skel && !g.quiet)
        fprintf(stderr, "asrlog-genfleet: note: the fleet's skeleton alone is %llu bytes (more than --size)\n",
                (unsigned long long)skel);
    /* pass 2: write */
    g_total_bytes = g_total_units = g_files = 0;
    if (mkdir(g.out, 0755) != 0 && errno != EEXIST)
        die(1, "mkdir %s: %s", g.out, strerror(errno));
    emit_all();
    write_labels(labels);
    if (!g.quiet)
        fprintf(stderr, "asrlog-genfleet: %d hosts, %d configuration servers, %llu files, %llu bytes "
                        "(uncompressed; skeleton %llu), labels in %s\n",
                g.n_hosts, g.n_cs, (unsigned long long)g_files, (unsigned long long)g_total_bytes,
                (unsigned long long)skel, labels);
    free(labels);
    return 0;
}
