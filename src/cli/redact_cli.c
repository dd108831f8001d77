/*
 * redact_cli.c — the command-line side of --redact, --redact-key-file and --redact-map:
 * where the key comes from, and the mapping file for the owner of the logs. The rewriting
 * itself is the library's (asr_redact_report), done once on the report document before any
 * output format renders it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "cli.h"

#define RANDOM_KEY_BYTES 32
#define MAX_KEY_FILE (1u << 20)  /* a key file larger than 1 MiB is surely the wrong file */
#define KEY_EMPTY (-1)           /* read_key_file: the file holds no byte */
#define KEY_TOO_LARGE (-2)       /* read_key_file: more than MAX_KEY_FILE bytes */

/*
 * read_key_file — the bytes of PATH (all of them: a key file is used as it is, newline
 * included). Returns 0 and a malloc'd key, KEY_EMPTY, KEY_TOO_LARGE, or an errno.
 */
static int read_key_file(const char *path, unsigned char **key, size_t *len)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return errno;
    unsigned char *buf = malloc(MAX_KEY_FILE + 1);
    size_t n = 0;
    int err = buf ? 0 : ENOMEM;
    while (!err && n <= MAX_KEY_FILE) {
        ssize_t r = read(fd, buf + n, MAX_KEY_FILE + 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            err = errno;
        else if (r == 0)
            break;
        else
            n += (size_t)r;
    }
    close(fd);
    if (!err && n > MAX_KEY_FILE)
        err = KEY_TOO_LARGE;
    if (!err && n == 0)
        err = KEY_EMPTY;
    if (err) {
        free(buf);
        return err;
    }
    *key = buf;
    *len = n;
    return 0;
}

/*
 * random_key — RANDOM_KEY_BYTES from the kernel's generator: getrandom(2), or /dev/urandom
 * where that system call is missing. Returns 0, or an errno.
 */
static int random_key(unsigned char *key)
{
    size_t n = 0;
    while (n < RANDOM_KEY_BYTES) {
        ssize_t r = getrandom(key + n, RANDOM_KEY_BYTES - n, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            break;
        n += (size_t)r;
    }
    if (n == RANDOM_KEY_BYTES)
        return 0;
    if (errno != ENOSYS)
        return errno;
    int fd = open("/dev/urandom", O_RDONLY);
    if (fd < 0)
        return errno;
    int err = 0;
    for (n = 0; !err && n < RANDOM_KEY_BYTES;) {
        ssize_t r = read(fd, key + n, RANDOM_KEY_BYTES - n);
        if (r > 0)
            n += (size_t)r;
        else if (r == 0)
            err = EIO;
        else if (errno != EINTR)
            err = errno;
    }
    close(fd);
    return err;
}

/* Wipes and frees a key buffer. */
static void drop_key(unsigned char *key, size_t len)
{
    volatile unsigned char *v = key; /* volatile: the compiler may not skip the wipe */
    for (size_t i = 0; key && i < len; i++)
        v[i] = 0;
    free(key);
}

int redaction_start(redaction *rd)
{
    if (rd->key_file || rd->map_file)
        rd->on = 1;
    if (!rd->on)
        return 0;
    unsigned char *key = NULL;
    size_t len = 0;
    if (rd->key_file) {
        int err = read_key_file(rd->key_file, &key, &len);
        if (err) {
            fprintf(stderr, "asrlog scan: --redact-key-file %s: %s\n", rd->key_file,
                    err == KEY_EMPTY       ? "the file is empty"
                    : err == KEY_TOO_LARGE ? "larger than 1 MiB, not a key file"
                                           : strerror(err));
            return EXIT_USAGE;
        }
    } else {
        key = malloc(RANDOM_KEY_BYTES);
        len = RANDOM_KEY_BYTES;
        int err = key ? random_key(key) : ENOMEM;
        if (err) {
            fprintf(stderr, "asrlog scan: --redact: no random key: %s (give --redact-key-file)\n",
                    strerror(err));
            drop_key(key, len);
            return EXIT_INTERNAL;
        }
    }
    asr_error aerr = asr_redactor_new(key, len, &rd->r);
    drop_key(key, len);
    if (aerr) {
        fprintf(stderr, "asrlog scan: --redact: %s\n", asr_strerror(aerr));
        return EXIT_INTERNAL;
    }
    if (rd->map_file) {
        int err = atomic_open(&rd->map, rd->map_file, 1);
        if (err) {
            fprintf(stderr, "asrlog: cannot write %s: %s\n", rd->map_file, strerror(err));
            return EXIT_OUTPUT;
        }
    }
    return 0;
}

int redaction_apply(redaction *rd, json_t *report)
{
    if (!rd->on)
        return 0;
    asr_error err = asr_redact_report(rd->r, report);
    if (err) {
        fprintf(stderr, "asrlog scan: --redact: %s\n", asr_strerror(err));
        return EXIT_INTERNAL;
    }
    return 0;
}

int redaction_save_map(redaction *rd)
{
    if (!rd->on || !rd->map_file)
        return 0;
    json_t *map = NULL;
    char *text = NULL;
    if (asr_redactor_map(rd->r, &map) == ASR_OK)
        text = json_dumps(map, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(map);
    if (!text) {
        fprintf(stderr, "asrlog: out of memory while writing %s\n", rd->map_file);
        return EXIT_INTERNAL;
    }
    size_t n = strlen(text);
    text[n] = '\n'; /* json_dumps' NUL becomes the final newline; length n + 1 below */
    int err = atomic_commit(&rd->map, text, n + 1);
    free(text);
    if (err) {
        fprintf(stderr, "asrlog: cannot write %s: %s\n", rd->map_file, strerror(err));
        return EXIT_OUTPUT;
    }
    return 0;
}

void redaction_end(redaction *rd)
{
    atomic_abort(&rd->map);
    asr_redactor_free(rd->r);
    rd->r = NULL;
}
