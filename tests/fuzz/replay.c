/*
 * replay.c — a plain main() for the fuzz harnesses, so every compiler can run them.
 *
 * usage: fuzz_<name>_replay PATH...
 * Each PATH is a file or a folder; every regular file in a folder (sorted by name, not
 * recursively, names starting with '.' left out) is read whole and handed to
 * LLVMFuzzerTestOneInput() once, after one call to LLVMFuzzerInitialize(). The harness aborts
 * on a broken property, which fails the test. Exits 0 after at least one input, 1 when a path
 * cannot be read or no input was found (an empty or missing corpus is a broken test).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* read_file — the whole file at `path` in a new buffer (*len bytes); NULL on failure. */
static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    unsigned char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        unsigned char *p = realloc(buf, cap * 2);
        if (!p) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = p;
        cap *= 2;
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

/* replay_file — runs one file through the harness; returns 0, or -1 when it cannot be read. */
static int replay_file(const char *path)
{
    size_t len = 0;
    unsigned char *buf = read_file(path, &len);
    if (!buf) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        return -1;
    }
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* list_dir — the sorted names of the visible entries of `dir` (*n of them); NULL on failure
 * (an empty folder gives a non-NULL list with *n == 0). Free each name and the list. */
static char **list_dir(const char *dir, size_t *n)
{
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    size_t cap = 64;
    char **names = malloc(cap * sizeof *names);
    *n = 0;
    struct dirent *e;
    while (names && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (*n == cap) {
            char **p = realloc(names, (cap *= 2) * sizeof *names);
            if (!p)
                break;
            names = p;
        }
        names[(*n)++] = strdup(e->d_name);
    }
    closedir(d);
    if (names && *n > 1)
        qsort(names, *n, sizeof *names, cmp_names);
    return names;
}

/* replay_path — replays a file, or every regular file of a folder; adds to *count. */
static int replay_path(const char *path, size_t *count)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: cannot access %s\n", path);
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (replay_file(path) != 0)
            return -1;
        (*count)++;
        return 0;
    }
    size_t n = 0;
    char **names = list_dir(path, &n);
    if (!names) {
        fprintf(stderr, "replay: cannot list %s\n", path);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        size_t plen = strlen(path) + strlen(names[i]) + 2;
        char *full = malloc(plen);
        if (!full || !names[i]) {
            rc = -1;
        } else {
            snprintf(full, plen, "%s/%s", path, names[i]);
            if (stat(full, &st) == 0 && S_ISREG(st.st_mode)) {
                if (replay_file(full) != 0)
                    rc = -1;
                else
                    (*count)++;
            }
        }
        free(full);
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE-OR-FOLDER...\n", argv[0]);
        return 1;
    }
    LLVMFuzzerInitialize(&argc, &argv);
    size_t count = 0;
    int rc = 0;
    for (int i = 1; i < argc; i++)
        if (replay_path(argv[i], &count) != 0)
            rc = 1;
    printf("replayed %zu input(s)\n", count);
    if (count == 0) {
        fprintf(stderr, "replay: no input found\n");
        rc = 1;
    }
    return rc;
}
