/*
 * cache.c — the on-disk cache of the compiled Hyperscan database.
 *
 * One file per catalogue/engine/CPU combination: DIR/<asr_catalog_cache_key>.hsdb, where DIR
 * is --cache-dir, else $XDG_CACHE_HOME/asrlog, else $HOME/.cache/asrlog. The library checks
 * every byte of what we read (asr_catalog_open); here we only move bytes. A cache that cannot
 * be read is ignored; one that cannot be written costs the compile time again next run and a
 * one-line warning, never a failed scan.
 */
/* MAP_POPULATE is a Linux extension that glibc shows only with _DEFAULT_SOURCE; without it
 * the mapping still works, one page fault per page. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#define CACHE_MAX_BYTES (512u * 1024u * 1024u) /* far above any real database */

/* The cache folder to use, malloc'd, or NULL when caching is off or no folder is known. */
static char *cache_folder(const cache_opts *co)
{
    if (!co || co->disabled)
        return NULL;
    if (co->dir)
        return strdup(co->dir);
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    char buf[4096];
    if (xdg && xdg[0] == '/')
        snprintf(buf, sizeof buf, "%s/asrlog", xdg);
    else if (home && home[0] == '/')
        snprintf(buf, sizeof buf, "%s/.cache/asrlog", home);
    else
        return NULL;
    return strdup(buf);
}

/* Maps a whole cache file (at most CACHE_MAX_BYTES) read-only, its pages populated at once:
 * a start-up that reads the catalogue from the cache should not pay a page fault per 4 KiB.
 * NULL when absent or unreadable. */
static void *map_cache(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_NOCTTY);
    if (fd < 0)
        return NULL;
    struct stat st;
    void *p = NULL;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (unsigned long long)st.st_size <= CACHE_MAX_BYTES) {
#ifdef MAP_POPULATE /* Linux: fill the page table now, not one fault per page later */
        int flags = MAP_PRIVATE | MAP_POPULATE;
#else
        int flags = MAP_PRIVATE;
#endif
        p = mmap(NULL, (size_t)st.st_size, PROT_READ, flags, fd, 0);
        if (p == MAP_FAILED)
            p = NULL;
        else
            *len = (size_t)st.st_size;
    }
    close(fd);
    return p;
}

/* mkdir -p for the cache folder (mode 0700 for what we create). 0 on success. */
static int make_folders(const char *dir)
{
    char *p = strdup(dir);
    if (!p)
        return -1;
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST) {
            free(p);
            return -1;
        }
        *s = '/';
    }
    int rc = mkdir(p, 0700) != 0 && errno != EEXIST ? -1 : 0;
    free(p);
    return rc;
}

/* Writes `len` bytes to `path` atomically: a temporary file in the same folder, then rename.
 * Returns 0, or -1 with errno set. */
static int write_atomically(const char *path, const void *data, size_t len)
{
    size_t n = strlen(path);
    char *tmp = malloc(n + 16);
    if (!tmp)
        return -1;
    snprintf(tmp, n + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        free(tmp);
        return -1;
    }
    const char *p = data;
    size_t left = len;
    int rc = 0;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            rc = -1;
            break;
        }
        p += w;
        left -= (size_t)w;
    }
    if (close(fd) != 0)
        rc = -1;
    if (rc == 0 && (chmod(tmp, 0644) != 0 || rename(tmp, path) != 0))
        rc = -1;
    int saved = errno;
    if (rc != 0)
        unlink(tmp);
    free(tmp);
    errno = saved;
    return rc;
}

/* Saves the freshly compiled database; warns (once per run) when that is impossible. */
static void save_cache(const asr_catalog *cat, const char *dir, const char *path)
{
    void *blob = NULL;
    size_t len = 0;
    if (asr_catalog_save_db(cat, &blob, &len) != ASR_OK)
        return;
    if (make_folders(dir) != 0 || write_atomically(path, blob, len) != 0)
        fprintf(stderr, "asrlog: warning: cannot write the database cache in %s: %s "
                        "(use --no-cache or --cache-dir)\n", dir, strerror(errno));
    free(blob);
}

/* What open_catalog's find_blob callback found, for the save and the unmapping after. */
typedef struct cache_find {
    const char *dir;
    char *path;     /* DIR/<key>.hsdb, or NULL */
    void *blob;     /* the mapping, or NULL */
    size_t len;
} cache_find;

/* asr_catalog_opts.find_blob: maps DIR/<key>.hsdb. */
static const void *find_blob(void *ctx, const char *key, size_t *len)
{
    cache_find *f = ctx;
    size_t n = strlen(f->dir) + strlen(key) + 8;
    if (!(f->path = malloc(n)))
        return NULL;
    snprintf(f->path, n, "%s/%s.hsdb", f->dir, key);
    f->blob = map_cache(f->path, &f->len);
    *len = f->len;
    return f->blob;
}

asr_error open_catalog(const asr_source *files, size_t n_files, size_t n_builtin,
                       const cache_opts *co, int need_db, asr_catalog **out, asr_diag *diag)
{
    /* A mapped cache file is kept (db_blob_keep) for the life of the process: the catalogue
     * points into it and lives until the command ends, when the kernel unmaps it. */
    char *dir = need_db ? cache_folder(co) : NULL;
    cache_find f = {dir, NULL, NULL, 0};
    asr_catalog_opts o = {dir ? find_blob : NULL, &f, !need_db, 1};
    asr_error err = asr_catalog_open(files, n_files, n_builtin, &o, out, diag);
    int used = !err && asr_catalog_db_cached(*out, NULL);
    if (f.blob && !used)
        munmap(f.blob, f.len);
    if (!err && f.path && !used)
        save_cache(*out, dir, f.path);
    free(f.path);
    free(dir);
    return err;
}
