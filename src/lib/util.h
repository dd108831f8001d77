/*
 * util.h — small helpers shared inside the library: growable buffers, string helpers and
 * the time-stamp formats of the ASR logs.
 */
#ifndef ASR_UTIL_H
#define ASR_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "asrlog.h"

/* A growable byte buffer. `data` is NUL-terminated whenever len < cap. */
typedef struct asr_buf {
    char *data;
    size_t len;
    size_t cap;
} asr_buf;

/* Ensures room for `extra` more bytes (plus a NUL). Returns ASR_ERR_NOMEM on failure. */
asr_error asr_buf_reserve(asr_buf *b, size_t extra);
/* Appends `n` bytes. */
asr_error asr_buf_append(asr_buf *b, const void *p, size_t n);
/* Frees the storage and zeroes the buffer. */
void asr_buf_free(asr_buf *b);

/*
 * asr_grow — the storage of a growable array, enlarged to hold more elements: doubles *cap
 * (starting at `first`) and returns the reallocated block. On failure returns NULL and leaves
 * `p` and *cap as they were (the caller still owns p).
 */
void *asr_grow(void *p, size_t *cap, size_t elem, size_t first);

/* strdup that returns NULL on NULL input or allocation failure. */
char *asr_strdup(const char *s);

/*
 * asr_strdup_name — a copy of a file or host name that is valid UTF-8 whatever the bytes:
 * each byte that is not part of a valid UTF-8 sequence is written as the four characters
 * "\xNN" (file systems allow any bytes in names; the report must stay valid JSON and
 * different names must stay different). NULL for NULL or when memory is short.
 */
char *asr_strdup_name(const char *s);
/* Copies at most n bytes into a new NUL-terminated string. */
char *asr_strndup(const char *s, size_t n);
/* Lower-cases ASCII letters of `s` in place; returns s. */
char *asr_lower(char *s);
/* Case-insensitive ASCII string compare. */
int asr_strcasecmp(const char *a, const char *b);
/* memmem: first occurrence of `needle` in `hay`, or NULL. */
const char *asr_memmem(const char *hay, size_t hay_len, const char *needle, size_t needle_len);

/* Wall-clock time as written in a log: civil seconds (the wall clock read as if UTC) and
 * the ISO-8601 text ("2023-05-03T09:07:02", plus the offset when the log gave one). */
typedef struct asr_time {
    int valid;
    int64_t civil;
    int has_offset;       /* the log gave a UTC offset ("Z", "+02:00") */
    int64_t offset;       /* seconds east of UTC, when has_offset */
    char iso[32];
} asr_time;

/*
 * asr_time_cmp — orders two valid times: by UTC when both carry an offset, else by the wall
 * clock (logs of one host share its clock). Returns <0, 0 or >0.
 */
int asr_time_cmp(const asr_time *a, const asr_time *b);

/*
 * asr_time_parse — reads a time stamp in any of the ASR log formats at the start of `s`:
 * ISO "2023-05-03T09:07:02.1234567+02:00", Linux "05/03/2023 09:07:02" (month first),
 * MSI "5/3/2023  9:07:02", Inno "03.05.2023 09:07:02" (day first), InMage logger
 * "05-03-2023 09:07:02" (month first). Returns 1 and fills *out on success, else 0.
 */
int asr_time_parse(const char *s, size_t n, asr_time *out);

/*
 * asr_name_time_prefix — length of a "<yyMMdd-HHmmss>" (UploadedLogs, UTC) or
 * "<yyyy-MM-dd-HH-mm-ss>" (Backup, local) prefix at the start of a file name, else 0.
 * When `out` is not NULL and a prefix is found, it receives the time.
 */
size_t asr_name_time_prefix(const char *name, asr_time *out);

#endif
