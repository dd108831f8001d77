/*
 * peers.c — the reference points `make bench` measures asrlog against (bench/run.py).
 *
 *   asrlog-peers hs-scan DIR       Hyperscan scan only: every file read in 1 MiB blocks and
 *                                  scanned with asrlog's own compiled database, a callback
 *                                  that only counts. No decoding, no line mapping, no
 *                                  classification: the lower bound for asrlog's pass.
 *   asrlog-peers inflate DIR       zlib inflate only, of every .gz file (all members), the
 *                                  output thrown away: the lower bound for the .gz twin.
 *   asrlog-peers pcre-naive DIR [MAX_BYTES]
 *                                  the design asrlog avoids: every line tried against every
 *                                  signature with PCRE2 JIT, one after the other. It is slow,
 *                                  so it stops after MAX_BYTES (default 32 MiB).
 *
 * Each prints one JSON line: {"tool":…, "bytes":…, "seconds":…, "matches":…}, where seconds
 * covers the work only (catalogue compilation and the directory walk are left out, which
 * favours the peer). Files are visited in sorted order.
 */
#define _DEFAULT_SOURCE /* DT_REG/DT_DIR in struct dirent */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "asrlog.h"
#include "builtin.h"
#include "catalog.h"

#define BLOCK (1u << 20)

typedef struct file_list {
    char **v;
    size_t n, cap;
} file_list;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collects the regular files under `dir`, recursively. */
static void list_files(const char *dir, file_list *out)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        size_t n = strlen(dir) + strlen(e->d_name) + 2;
        char *p = malloc(n);
        snprintf(p, n, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            list_files(p, out);
            free(p);
        } else if (S_ISREG(st.st_mode)) {
            if (out->n == out->cap) {
                out->cap = out->cap ? out->cap * 2 : 1024;
                out->v = realloc(out->v, out->cap * sizeof *out->v);
            }
            out->v[out->n++] = p;
        } else {
            free(p);
        }
    }
    closedir(d);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The built-in catalogue, compiled. Exits on failure (this is a benchmark tool). */
static asr_catalog *builtin_catalog(void)
{
    asr_catalog *cat = NULL;
    asr_diag diag;
    if (asr_catalog_load(asr_builtin_catalog, asr_builtin_catalog_count,
                         asr_builtin_catalog_count, &cat, &diag) != ASR_OK) {
        fprintf(stderr, "asrlog-peers: catalogue: %s\n", diag.text);
        exit(2);
    }
    return cat;
}

static int count_match(unsigned int id, unsigned long long from, unsigned long long to,
                       unsigned int flags, void *ctx)
{
    (void)id;
    (void)from;
    (void)to;
    (void)flags;
    ++*(unsigned long long *)ctx;
    return 0;
}

/* Hyperscan scan-only over every file. */
static int hs_scan_only(file_list *fl)
{
    asr_catalog *cat = builtin_catalog();
    hs_scratch_t *scratch = NULL;
    if (hs_alloc_scratch(cat->db, &scratch) != HS_SUCCESS)
        return 2;
    char *buf = malloc(BLOCK);
    unsigned long long bytes = 0, matches = 0;
    double t0 = now();
    for (size_t i = 0; i < fl->n; i++) {
        int fd = open(fl->v[i], O_RDONLY);
        if (fd < 0)
            continue;
        ssize_t n;
        while ((n = read(fd, buf, BLOCK)) > 0) {
            hs_scan(cat->db, buf, (unsigned)n, 0, scratch, count_match, &matches);
            bytes += (unsigned long long)n;
        }
        close(fd);
    }
    double el = now() - t0;
    printf("{\"tool\": \"hs-scan\", \"bytes\": %llu, \"seconds\": %.6f, \"matches\": %llu}\n",
           bytes, el, matches);
    hs_free_scratch(scratch);
    free(buf);
    asr_catalog_free(cat);
    return 0;
}

/* Inflates one gzip file (every member); returns the bytes produced. */
static unsigned long long inflate_file(const char *path, unsigned char *in, unsigned char *out)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 0;
    z_stream z;
    memset(&z, 0, sizeof z);
    inflateInit2(&z, 16 + MAX_WBITS);
    unsigned long long total = 0;
    ssize_t n;
    while ((n = read(fd, in, BLOCK)) > 0) {
        z.next_in = in;
        z.avail_in = (uInt)n;
        while (z.avail_in > 0) {
            z.next_out = out;
            z.avail_out = BLOCK;
            int rc = inflate(&z, Z_NO_FLUSH);
            total += BLOCK - z.avail_out;
            if (rc == Z_STREAM_END)
                inflateReset(&z); /* the next member, if any */
            else if (rc != Z_OK && rc != Z_BUF_ERROR)
                goto done;
        }
    }
done:
    inflateEnd(&z);
    close(fd);
    return total;
}

/* zlib inflate-only over every .gz file. */
static int inflate_only(file_list *fl)
{
    unsigned char *in = malloc(BLOCK), *out = malloc(BLOCK);
    unsigned long long bytes = 0, files = 0;
    double t0 = now();
    for (size_t i = 0; i < fl->n; i++) {
        size_t n = strlen(fl->v[i]);
        if (n > 3 && strcmp(fl->v[i] + n - 3, ".gz") == 0) {
            bytes += inflate_file(fl->v[i], in, out);
            files++;
        }
    }
    double el = now() - t0;
    printf("{\"tool\": \"inflate\", \"bytes\": %llu, \"seconds\": %.6f, \"matches\": %llu}\n",
           bytes, el, files);
    free(in);
    free(out);
    return 0;
}

/* Every line against every signature with PCRE2 JIT, up to `max` bytes. */
static int pcre_naive(file_list *fl, unsigned long long max)
{
    asr_catalog *cat = builtin_catalog();
    size_t n = cat->n_sigs;
    pcre2_code **re = calloc(n, sizeof *re);
    for (size_t i = 0; i < n; i++) {
        int ec;
        PCRE2_SIZE off;
        uint32_t opt = PCRE2_MULTILINE;
        if (cat->sigs[i].hs_flags & HS_FLAG_CASELESS)
            opt |= PCRE2_CASELESS;
        re[i] = pcre2_compile((PCRE2_SPTR)cat->sigs[i].match, PCRE2_ZERO_TERMINATED, opt, &ec,
                              &off, NULL);
        if (re[i])
            pcre2_jit_compile(re[i], PCRE2_JIT_COMPLETE);
    }
    pcre2_match_data *md = pcre2_match_data_create(64, NULL);
    char *buf = malloc(BLOCK + 1);
    unsigned long long bytes = 0, matches = 0;
    double t0 = now();
    for (size_t f = 0; f < fl->n && bytes < max; f++) {
        FILE *fp = fopen(fl->v[f], "rb");
        if (!fp)
            continue;
        while (bytes < max && fgets(buf, BLOCK, fp)) {
            size_t len = strlen(buf);
            bytes += len;
            for (size_t i = 0; i < n; i++)
                if (re[i] && pcre2_jit_match(re[i], (PCRE2_SPTR)buf, len, 0, 0, md, NULL) >= 0)
                    matches++;
        }
        fclose(fp);
    }
    double el = now() - t0;
    printf("{\"tool\": \"pcre-naive\", \"bytes\": %llu, \"seconds\": %.6f, \"matches\": %llu}\n",
           bytes, el, matches);
    for (size_t i = 0; i < n; i++)
        pcre2_code_free(re[i]);
    free(re);
    pcre2_match_data_free(md);
    free(buf);
    asr_catalog_free(cat);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: asrlog-peers hs-scan|inflate|pcre-naive DIR [MAX_BYTES]\n");
        return 2;
    }
    file_list fl = {0};
    list_files(argv[2], &fl);
    if (fl.n > 1)
        qsort(fl.v, fl.n, sizeof *fl.v, cmp_str);
    int rc = 2;
    if (strcmp(argv[1], "hs-scan") == 0)
        rc = hs_scan_only(&fl);
    else if (strcmp(argv[1], "inflate") == 0)
        rc = inflate_only(&fl);
    else if (strcmp(argv[1], "pcre-naive") == 0)
        rc = pcre_naive(&fl, argc > 3 ? strtoull(argv[3], NULL, 10) : 32ull << 20);
    else
        fprintf(stderr, "asrlog-peers: unknown tool '%s'\n", argv[1]);
    for (size_t i = 0; i < fl.n; i++)
        free(fl.v[i]);
    free(fl.v);
    return rc;
}
