/*
 * fuzz_decode.c — libFuzzer harness for the input decoder (src/lib/decode.h).
 *
 * Input layout:
 *   byte 0   how the input is cut into feed calls: the low 4 bits pick a chunk size
 *            (1 … 65536 bytes); when bit 4 is set the sizes vary from call to call, drawn
 *            from a small generator seeded with the whole byte.
 *   byte 1   output limit: below 0x80 none, else (byte - 0x7F) * 7 bytes.
 *   rest     the raw input: anything a log file may hold (gzip, UTF-16, cp1252, NULs …).
 *
 * Each input is decoded twice with one decoder: cut into chunks, then, after
 * asr_decoder_reset(), in one feed call. Properties checked (decode.h promises them):
 *   - the text, the error and the statistics do not depend on how the input was cut nor on
 *     an earlier input (bytes_in aside once an error stopped the decoder; and once the output
 *     limit is reached, what the statistics say about the input past the limit — repaired
 *     characters, members, trailing garbage, a corrupt stream — depends on how far one feed
 *     call looked ahead, so then only the text, gzip, the encoding and `limited` must agree);
 *   - every chunk handed to the sink is non-empty, valid UTF-8 on its own (so it ends on a
 *     character boundary) and holds no "\r";
 *   - an error is sticky: feeding after it returns it again;
 *   - the output limit is never passed; bytes_out counts what the sink received;
 *   - plain UTF-8 text with LF endings comes out byte for byte as it went in.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "fuzz.h"
#include "../utf8_oracle.h"

/* Everything one decoding produced. */
typedef struct decoded {
    unsigned char *text;
    size_t len, cap;
    asr_error err;           /* first error of feed or finish, else ASR_OK */
    asr_decode_stats stats;  /* copied after finish */
} decoded;

/* Chunk sizes picked by the low bits of byte 0. */
static const size_t chunk_sizes[16] = {1,   2,   3,    4,    5,    7,    8,     13,
                                       16,  64,  255,  256,  257,  1024, 4096, 65536};

/* collect — the sink: checks the chunk and appends it to the `decoded` in ctx. */
static asr_error collect(void *ctx, const char *data, size_t len)
{
    decoded *r = ctx;
    FUZZ_CHECK(len > 0);
    FUZZ_CHECK(utf8_oracle_valid((const unsigned char *)data, len));
    FUZZ_CHECK(memchr(data, '\r', len) == NULL);
    if (r->len + len > r->cap) {
        size_t cap = r->cap ? r->cap : 4096;
        while (cap < r->len + len)
            cap *= 2;
        unsigned char *p = realloc(r->text, cap);
        FUZZ_CHECK(p != NULL);
        r->text = p;
        r->cap = cap;
    }
    memcpy(r->text + r->len, data, len);
    r->len += len;
    return ASR_OK;
}

/* next_chunk — size of the next feed call: fixed, or varying from `*state` (a tiny LCG). */
static size_t next_chunk(unsigned char how, uint32_t *state)
{
    if (!(how & 0x10))
        return chunk_sizes[how & 15];
    *state = *state * 1103515245u + 12345u;
    return chunk_sizes[(*state >> 16) & 15];
}

/*
 * run_decoder — decodes in[0..n) with `d` (fresh or just reset), cut as `how` says
 * (0xFF: one call), into `r`. Checks that a failed feed stays failed.
 */
static void run_decoder(asr_decoder *d, const unsigned char *in, size_t n, unsigned char how,
                        decoded *r)
{
    uint32_t state = how;
    size_t at = 0;
    r->err = ASR_OK;
    while (at < n) {
        size_t k = how == 0xFF ? n - at : next_chunk(how, &state);
        if (k > n - at)
            k = n - at;
        asr_error err = asr_decoder_feed(d, in + at, k, collect, r);
        at += k;
        if (err != ASR_OK) {
            r->err = err;
            /* sticky: one more call (with the rest, or nothing) returns the same error */
            size_t before = r->len;
            FUZZ_CHECK(asr_decoder_feed(d, in + at, n - at, collect, r) == err);
            FUZZ_CHECK(r->len == before);
            break;
        }
    }
    asr_error fin = asr_decoder_finish(d, collect, r);
    if (r->err == ASR_OK)
        r->err = fin;
    else
        FUZZ_CHECK(fin == r->err);
    FUZZ_CHECK(r->err == ASR_OK || r->err == ASR_ERR_DECODE || r->err == ASR_ERR_LIMIT);
    r->stats = *asr_decoder_stats(d);
}

/* same_stats — do two decodings agree on everything the statistics say (see the top)? */
static int same_stats(const decoded *a, const decoded *b)
{
    const asr_decode_stats *x = &a->stats, *y = &b->stats;
    int past_limit = a->err == ASR_ERR_LIMIT ||
                     (x->invalid_bytes == y->invalid_bytes &&
                      x->invalid_utf16 == y->invalid_utf16 && x->crlf_lines == y->crlf_lines &&
                      x->lone_cr == y->lone_cr && x->gzip_members == y->gzip_members &&
                      x->trailing_garbage == y->trailing_garbage && x->truncated == y->truncated);
    return (a->err != ASR_OK || x->bytes_in == y->bytes_in) && x->bytes_out == y->bytes_out &&
           x->gzip == y->gzip && strcmp(x->encoding, y->encoding) == 0 &&
           x->limited == y->limited && past_limit;
}

/* check_one — the properties of a single decoding of in[0..n) with output limit `limit`. */
static void check_one(const decoded *r, const unsigned char *in, size_t n, uint64_t limit)
{
    const asr_decode_stats *st = &r->stats;
    FUZZ_CHECK(st->bytes_out == r->len);
    FUZZ_CHECK(limit == 0 || r->len <= limit);
    FUZZ_CHECK(st->limited == (r->err == ASR_ERR_LIMIT));
    FUZZ_CHECK(!st->truncated || r->err == ASR_ERR_DECODE || r->err == ASR_ERR_LIMIT);
    FUZZ_CHECK(r->err != ASR_ERR_DECODE || st->truncated);
    if (r->err == ASR_OK)
        FUZZ_CHECK(st->bytes_in == n);
    int plain = !st->gzip && strcmp(st->encoding, "utf-8") == 0 && st->invalid_bytes == 0 &&
                st->crlf_lines == 0 && st->lone_cr == 0 && r->err == ASR_OK;
    if (plain)
        FUZZ_CHECK(r->len == n && (n == 0 || memcmp(r->text, in, n) == 0));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    unsigned char how = data[0] == 0xFF ? 0xFE : data[0]; /* 0xFF means "one call" below */
    uint64_t limit = data[1] < 0x80 ? 0 : (uint64_t)(data[1] - 0x7F) * 7;
    const unsigned char *in = data + 2;
    size_t n = size - 2;

    asr_decoder *d = NULL;
    FUZZ_CHECK(asr_decoder_new(limit, &d) == ASR_OK);
    decoded cut = {0}, whole = {0};
    run_decoder(d, in, n, how, &cut);
    asr_decoder_reset(d);
    run_decoder(d, in, n, 0xFF, &whole);
    asr_decoder_free(d);

    check_one(&cut, in, n, limit);
    check_one(&whole, in, n, limit);
    FUZZ_CHECK(cut.err == whole.err);
    FUZZ_CHECK(cut.len == whole.len);
    FUZZ_CHECK(cut.len == 0 || memcmp(cut.text, whole.text, cut.len) == 0);
    FUZZ_CHECK(same_stats(&cut, &whole));
    free(cut.text);
    free(whole.text);
    return 0;
}
