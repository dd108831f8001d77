/*
 * test_decode.c — unit tests of the input decoder (src/lib/decode.c).
 *
 * Most behaviour is one table: an input (optionally wrapped in gzip by the test itself), the
 * expected text, error and statistics. Every row is decoded in one shot, one byte at a time,
 * split in two at every position and in pseudo-random chunks; all must give the same result.
 */
#include <setjmp.h> /* cmocka needs these before cmocka.h */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "decode.h"
#include "../utf8_oracle.h"

/* ------------------------------------------------------------------------------------------ */
/* Helpers                                                                                     */
/* ------------------------------------------------------------------------------------------ */

/* A growable byte buffer owned by the test. */
typedef struct bytes {
    unsigned char *data;
    size_t len, cap;
} bytes;

/* bytes_add — append `n` bytes to `b` (aborts the test on allocation failure). */
static void bytes_add(bytes *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n)
            cap *= 2;
        b->data = realloc(b->data, cap);
        assert_non_null(b->data);
        b->cap = cap;
    }
    if (n > 0)
        memcpy(b->data + b->len, p, n);
    b->len += n;
}

/* The sink's context: everything it received, how often, and an optional forced failure. */
typedef struct collector {
    bytes text;
    size_t calls;
    const char *first_data; /* pointer of the first call, to check zero-copy */
    size_t fail_at_call;    /* 1-based call that fails with ASR_ERR_IO; 0 = never */
} collector;

/* collect — the test sink: appends `data` to the collector. */
static asr_error collect(void *ctx, const char *data, size_t len)
{
    collector *c = ctx;
    assert_true(len > 0);
    c->calls++;
    if (c->calls == 1)
        c->first_data = data;
    if (c->fail_at_call != 0 && c->calls == c->fail_at_call)
        return ASR_ERR_IO;
    bytes_add(&c->text, data, len);
    return ASR_OK;
}

/* gzip_member — append `src` (n bytes) compressed as one gzip member to `out`. */
static void gzip_member(bytes *out, const void *src, size_t n)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
                     Z_OK);
    size_t cap = deflateBound(&z, (uLong)n) + 64;
    unsigned char *buf = malloc(cap);
    assert_non_null(buf);
    z.next_in = (Bytef *)(uintptr_t)src; /* zlib's API is not const-correct here */
    z.avail_in = (uInt)n;
    z.next_out = buf;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    bytes_add(out, buf, cap - z.avail_out);
    deflateEnd(&z);
    free(buf);
}

/* How the input is cut into feed calls. */
typedef enum split_kind { SPLIT_ONE_SHOT, SPLIT_BYTES, SPLIT_AT, SPLIT_RANDOM } split_kind;

/* The outcome of decoding one input. */
typedef struct run_result {
    bytes text;
    asr_error err;           /* first non-OK result of feed or finish */
    asr_decode_stats stats;
    size_t calls;
    const char *first_data;
} run_result;

/* next_random — xorshift64 step on the caller's state (no global state). */
static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/*
 * decode_all — decode `in` (n bytes) with a fresh decoder limited to `limit`, cut as `kind`
 * says (`arg`: split position for SPLIT_AT, seed for SPLIT_RANDOM). After the first error
 * it checks that the error is sticky. The caller frees r->text.data.
 */
static void decode_all(const unsigned char *in, size_t n, uint64_t limit, split_kind kind,
                       uint64_t arg, run_result *r)
{
    asr_decoder *d = NULL;
    collector c;
    memset(&c, 0, sizeof c);
    assert_int_equal(asr_decoder_new(limit, &d), ASR_OK);

    asr_error err = ASR_OK;
    size_t pos = 0;
    uint64_t seed = arg | 1;
    while (pos < n && err == ASR_OK) {
        size_t step = n - pos;
        if (kind == SPLIT_BYTES)
            step = 1;
        else if (kind == SPLIT_AT && pos < arg)
            step = (size_t)arg - pos;
        else if (kind == SPLIT_RANDOM)
            step = 1 + (size_t)(next_random(&seed) % 97);
        if (step > n - pos)
            step = n - pos;
        err = asr_decoder_feed(d, in + pos, step, collect, &c);
        pos += step;
    }
    if (err != ASR_OK) {
        size_t before = c.text.len;
        assert_int_equal(asr_decoder_feed(d, "x", 1, collect, &c), err);
        assert_int_equal(asr_decoder_finish(d, collect, &c), err);
        assert_int_equal(c.text.len, before);
    } else {
        err = asr_decoder_finish(d, collect, &c);
    }
    assert_int_equal(asr_decoder_finish(d, collect, &c), ASR_ERR_ARG);

    r->text = c.text;
    r->err = err;
    r->stats = *asr_decoder_stats(d);
    r->calls = c.calls;
    r->first_data = c.first_data;
    asr_decoder_free(d);
}

/* ------------------------------------------------------------------------------------------ */
/* The table                                                                                   */
/* ------------------------------------------------------------------------------------------ */

/* How a row's input is wrapped before decoding. */
typedef enum wrap_kind {
    WRAP_NONE,
    WRAP_GZIP,            /* one member */
    WRAP_GZIP2,           /* two members, text split in the middle */
    WRAP_GZIP_GARBAGE,    /* one member + "\0\0junk" */
    WRAP_GZIP_GARBAGE_1F, /* one member + "\x1f\x00x" (looks like a magic byte, is not) */
    WRAP_GZIP_NO_TRAILER, /* CRC and size missing: all text, then truncation */
    WRAP_GZIP_BAD_CRC     /* checksum flipped: all text, then a data error */
} wrap_kind;

typedef struct decode_case {
    const char *name;
    const char *in;
    size_t in_len;
    wrap_kind wrap;
    uint64_t limit;
    const char *want;
    size_t want_len;
    asr_error want_err;
    const char *encoding;
    uint64_t invalid_bytes;
    uint64_t invalid_utf16;
} decode_case;

/* A string literal with its length (embedded NULs included). */
#define B(s) s, sizeof(s) - 1

static const decode_case cases[] = {
    {"plain passthrough", B("hello\nworld\n"), WRAP_NONE, 0, B("hello\nworld\n"), ASR_OK, "utf-8", 0, 0},
    {"empty input", B(""), WRAP_NONE, 0, B(""), ASR_OK, "utf-8", 0, 0},
    {"no final newline", B("last line"), WRAP_NONE, 0, B("last line"), ASR_OK, "utf-8", 0, 0},
    {"crlf", B("a\r\nb\r\n"), WRAP_NONE, 0, B("a\nb\n"), ASR_OK, "utf-8", 0, 0},
    {"lone cr", B("a\rb\r"), WRAP_NONE, 0, B("a\nb\n"), ASR_OK, "utf-8", 0, 0},
    {"cr cr lf", B("a\r\r\nb\n\r"), WRAP_NONE, 0, B("a\n\nb\n\n"), ASR_OK, "utf-8", 0, 0},
    {"nul passes", B("a\0b\n\0"), WRAP_NONE, 0, B("a\0b\n\0"), ASR_OK, "utf-8", 0, 0},
    {"utf-8 bom", B("\xef\xbb\xbfhi\r\n"), WRAP_NONE, 0, B("hi\n"), ASR_OK, "utf-8-bom", 0, 0},
    {"bom only", B("\xef\xbb\xbf"), WRAP_NONE, 0, B(""), ASR_OK, "utf-8-bom", 0, 0},
    {"half a bom", B("\xef\xbb"), WRAP_NONE, 0, B("\xc3\xaf\xc2\xbb"), ASR_OK, "utf-8", 2, 0},
    {"valid multibyte", B("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf\n"), WRAP_NONE, 0,
     B("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf\n"), ASR_OK, "utf-8", 0, 0},
    {"cp1252 letters", B("Gr\xfc\xdf" "e \x80 \x9c\n"), WRAP_NONE, 0,
     B("Gr\xc3\xbc\xc3\x9f" "e \xe2\x82\xac \xc5\x93\n"), ASR_OK, "utf-8", 4, 0},
    {"cp1252 undefined", B("\x81\x8d\x8f\x90\x9d"), WRAP_NONE, 0,
     B("\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"), ASR_OK, "utf-8", 5, 0},
    {"overlong", B("\xc0\xaf\xe0\x80\xaf"), WRAP_NONE, 0,
     B("\xc3\x80\xc2\xaf\xc3\xa0\xe2\x82\xac\xc2\xaf"), ASR_OK, "utf-8", 5, 0},
    {"utf-8 surrogate", B("\xed\xa0\x80!"), WRAP_NONE, 0, B("\xc3\xad\xc2\xa0\xe2\x82\xac!"), ASR_OK,
     "utf-8", 3, 0},
    {"above u+10ffff", B("\xf4\x90\x80\x80"), WRAP_NONE, 0,
     B("\xc3\xb4\xef\xbf\xbd\xe2\x82\xac\xe2\x82\xac"), ASR_OK, "utf-8", 4, 0},
    {"broken sequence", B("\xe2\x82x\r\n"), WRAP_NONE, 0, B("\xc3\xa2\xe2\x80\x9ax\n"), ASR_OK, "utf-8", 2, 0},
    {"truncated at end", B("ok\xf0\x9f\x98"), WRAP_NONE, 0, B("ok\xc3\xb0\xc5\xb8\xcb\x9c"), ASR_OK,
     "utf-8", 3, 0},
    {"utf-16le bom + pair", B("\xff\xfe" "A\0\x3d\xd8\x00\xde\r\0\n\0" "B\0\r\0"), WRAP_NONE, 0,
     B("A\xf0\x9f\x98\x80\nB\n"), ASR_OK, "utf-16le", 0, 0},
    {"utf-16be bom", B("\xfe\xff" "\0h\0i\0\xe9\0\r\0\n\xd8\x3d\xde\x00"), WRAP_NONE, 0,
     B("hi\xc3\xa9\n\xf0\x9f\x98\x80"), ASR_OK, "utf-16be", 0, 0},
    {"utf-16le no bom", B("l\0o\0g\0\r\0\n\0"), WRAP_NONE, 0, B("log\n"), ASR_OK, "utf-16le", 0, 0},
    {"utf-16be no bom", B("\0l\0o\0g\0\n"), WRAP_NONE, 0, B("log\n"), ASR_OK, "utf-16be", 0, 0},
    {"utf-16 nul units", B("\xff\xfe" "a\0\0\0"), WRAP_NONE, 0, B("a\0"), ASR_OK, "utf-16le", 0, 0},
    {"lone high surrogate", B("\xff\xfe" "a\0\x00\xd8" "b\0"), WRAP_NONE, 0, B("a\xef\xbf\xbd" "b"),
     ASR_OK, "utf-16le", 0, 1},
    {"lone low surrogate", B("\xff\xfe" "a\0\x00\xdc" "b\0"), WRAP_NONE, 0, B("a\xef\xbf\xbd" "b"),
     ASR_OK, "utf-16le", 0, 1},
    {"high surrogate at end", B("\xff\xfe" "a\0\x3d\xd8"), WRAP_NONE, 0, B("a\xef\xbf\xbd"), ASR_OK,
     "utf-16le", 0, 1},
    {"two high surrogates", B("\xff\xfe\x3d\xd8\x3d\xd8\x00\xde"), WRAP_NONE, 0,
     B("\xef\xbf\xbd\xf0\x9f\x98\x80"), ASR_OK, "utf-16le", 0, 1},
    {"odd trailing byte", B("\xff\xfe" "a\0b"), WRAP_NONE, 0, B("a\xef\xbf\xbd"), ASR_OK, "utf-16le", 0, 1},
    {"surrogate + odd byte", B("\xff\xfe" "a\0\x3d\xd8z"), WRAP_NONE, 0, B("a\xef\xbf\xbd\xef\xbf\xbd"),
     ASR_OK, "utf-16le", 0, 2},
    {"lone 1f is text", B("\x1f"), WRAP_NONE, 0, B("\x1f"), ASR_OK, "utf-8", 0, 0},
    {"1f not gzip", B("\x1f\x1f" "abc"), WRAP_NONE, 0, B("\x1f\x1f" "abc"), ASR_OK, "utf-8", 0, 0},
    {"gzip single member", B("line one\r\nline two\n"), WRAP_GZIP, 0, B("line one\nline two\n"), ASR_OK,
     "utf-8", 0, 0},
    {"gzip empty member", B(""), WRAP_GZIP, 0, B(""), ASR_OK, "utf-8", 0, 0},
    {"gzip two members", B("first member\r\nsecond \xc3\xa9 member\r\n"), WRAP_GZIP2, 0,
     B("first member\nsecond \xc3\xa9 member\n"), ASR_OK, "utf-8", 0, 0},
    {"gzip trailing garbage", B("text\n"), WRAP_GZIP_GARBAGE, 0, B("text\n"), ASR_OK, "utf-8", 0, 0},
    {"gzip garbage 1f", B("text\n"), WRAP_GZIP_GARBAGE_1F, 0, B("text\n"), ASR_OK, "utf-8", 0, 0},
    {"gzip no trailer", B("kept line\r\n"), WRAP_GZIP_NO_TRAILER, 0, B("kept line\n"), ASR_ERR_DECODE,
     "utf-8", 0, 0},
    {"gzip bad crc", B("kept line\r\n"), WRAP_GZIP_BAD_CRC, 0, B("kept line\n"), ASR_ERR_DECODE,
     "utf-8", 0, 0},
    {"gzip utf-16le crlf", B("\xff\xfe" "a\0\r\0\n\0\xfc\0\r\0\n\0"), WRAP_GZIP, 0, B("a\n\xc3\xbc\n"),
     ASR_OK, "utf-16le", 0, 0},
    {"gzip cp1252", B("Fehler f\xfcr Laufwerk\r\n"), WRAP_GZIP, 0, B("Fehler f\xc3\xbcr Laufwerk\n"), ASR_OK,
     "utf-8", 1, 0},
    {"limit cuts", B("hello world\n"), WRAP_NONE, 5, B("hello"), ASR_ERR_LIMIT, "utf-8", 0, 0},
    {"limit on char boundary", B("a\xc3\xa9z"), WRAP_NONE, 2, B("a"), ASR_ERR_LIMIT, "utf-8", 0, 0},
    {"limit exact", B("abc"), WRAP_NONE, 3, B("abc"), ASR_OK, "utf-8", 0, 0},
    {"limit after crlf", B("ab\r\ncd\r\n"), WRAP_NONE, 4, B("ab\nc"), ASR_ERR_LIMIT, "utf-8", 0, 0},
    {"limit gzip", B("0123456789\r\n0123456789\r\n"), WRAP_GZIP, 12, B("0123456789\n0"), ASR_ERR_LIMIT,
     "utf-8", 0, 0},
};

/* wrap_input — build the bytes a row decodes (the caller frees out->data). */
static void wrap_input(const decode_case *tc, bytes *out)
{
    static const unsigned char garbage[] = {0, 0, 'j', 'u', 'n', 'k'};
    static const unsigned char garbage_1f[] = {0x1f, 0x00, 'x'};
    memset(out, 0, sizeof *out);
    switch (tc->wrap) {
    case WRAP_NONE:
        bytes_add(out, tc->in, tc->in_len);
        break;
    case WRAP_GZIP:
        gzip_member(out, tc->in, tc->in_len);
        break;
    case WRAP_GZIP2:
        gzip_member(out, tc->in, tc->in_len / 2);
        gzip_member(out, tc->in + tc->in_len / 2, tc->in_len - tc->in_len / 2);
        break;
    case WRAP_GZIP_GARBAGE:
        gzip_member(out, tc->in, tc->in_len);
        bytes_add(out, garbage, sizeof garbage);
        break;
    case WRAP_GZIP_GARBAGE_1F:
        gzip_member(out, tc->in, tc->in_len);
        bytes_add(out, garbage_1f, sizeof garbage_1f);
        break;
    case WRAP_GZIP_NO_TRAILER:
        gzip_member(out, tc->in, tc->in_len);
        out->len -= 8;
        break;
    case WRAP_GZIP_BAD_CRC:
        gzip_member(out, tc->in, tc->in_len);
        out->data[out->len - 8] ^= 0x55;
        break;
    }
}

/* check_row — decode a row's input every way and compare each result with the table. */
static void check_row(const decode_case *tc)
{
    bytes in;
    wrap_input(tc, &in);
    int gzipped = tc->wrap != WRAP_NONE;

    for (int way = 0; way < 6; way++) { /* one shot, byte by byte, 4 random chunkings */
        split_kind kind = way == 0 ? SPLIT_ONE_SHOT : way == 1 ? SPLIT_BYTES : SPLIT_RANDOM;
        uint64_t arg = (uint64_t)way * 7919u;
        run_result r;
        decode_all(in.data, in.len, tc->limit, kind, arg, &r);
        assert_int_equal(r.err, tc->want_err);
        assert_int_equal(r.text.len, tc->want_len);
        assert_memory_equal(r.text.data ? (void *)r.text.data : (void *)"", tc->want, tc->want_len);
        if (tc->want_err == ASR_OK) /* a failing feed stops the rest from being fed */
            assert_int_equal(r.stats.bytes_in, in.len);
        assert_int_equal(r.stats.bytes_out, tc->want_len);
        assert_string_equal(r.stats.encoding, tc->encoding);
        assert_int_equal(r.stats.invalid_bytes, tc->invalid_bytes);
        assert_int_equal(r.stats.invalid_utf16, tc->invalid_utf16);
        assert_int_equal(r.stats.gzip, gzipped);
        assert_int_equal(r.stats.gzip_members, tc->wrap == WRAP_GZIP2 ? 2u
                                               : gzipped && tc->want_err != ASR_ERR_DECODE ? 1u
                                                                                          : 0u);
        assert_int_equal(r.stats.trailing_garbage,
                         tc->wrap == WRAP_GZIP_GARBAGE || tc->wrap == WRAP_GZIP_GARBAGE_1F);
        assert_int_equal(r.stats.truncated, tc->want_err == ASR_ERR_DECODE);
        assert_int_equal(r.stats.limited, tc->want_err == ASR_ERR_LIMIT);
        assert_true(utf8_oracle_valid(r.text.data, r.text.len));
        free(r.text.data);
    }

    /* Every two-piece split: the boundary lands once in each BOM, CRLF, sequence, header. */
    for (size_t at = 1; at < in.len; at++) {
        run_result r;
        decode_all(in.data, in.len, tc->limit, SPLIT_AT, at, &r);
        assert_int_equal(r.err, tc->want_err);
        assert_int_equal(r.text.len, tc->want_len);
        assert_memory_equal(r.text.data ? (void *)r.text.data : (void *)"", tc->want, tc->want_len);
        free(r.text.data);
    }
    free(in.data);
}

static void test_table(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        check_row(&cases[k]);
}

/* ------------------------------------------------------------------------------------------ */
/* Tests that do not fit the table                                                             */
/* ------------------------------------------------------------------------------------------ */

/* A truncated gzip stream keeps a prefix of the text, the same however it is fed. */
static void test_gzip_truncated_prefix(void **state)
{
    (void)state;
    bytes text = {0}, gz = {0};
    for (int k = 0; k < 400; k++) {
        char line[64];
        int n = snprintf(line, sizeof line, "2024-01-01 10:00:%02d line %d of the log\r\n", k % 60, k);
        bytes_add(&text, line, (size_t)n);
    }
    gzip_member(&gz, text.data, text.len);
    gz.len /= 2;

    run_result one, each;
    decode_all(gz.data, gz.len, 0, SPLIT_ONE_SHOT, 0, &one);
    decode_all(gz.data, gz.len, 0, SPLIT_BYTES, 0, &each);
    assert_int_equal(one.err, ASR_ERR_DECODE);
    assert_int_equal(each.err, ASR_ERR_DECODE);
    assert_true(one.stats.truncated);
    assert_true(one.text.len > 100);
    assert_int_equal(one.text.len, each.text.len);
    assert_memory_equal(one.text.data, each.text.data, one.text.len);
    /* the prefix is the start of the LF version of the text */
    for (size_t i = 0, j = 0; i < one.text.len; i++, j++) {
        if (text.data[j] == '\r')
            j++;
        assert_int_equal(one.text.data[i], text.data[j]);
    }
    free(one.text.data);
    free(each.text.data);
    free(text.data);
    free(gz.data);
}

/* A CR ending one feed call and the LF starting the next make one line end. */
static void test_cr_at_feed_boundary(void **state)
{
    (void)state;
    asr_decoder *d = NULL;
    collector c = {0};
    char big[600];
    memset(big, 'x', sizeof big); /* past the 256-byte sniff, so the chunks are decoded live */
    big[sizeof big - 1] = '\r';
    assert_int_equal(asr_decoder_new(0, &d), ASR_OK);
    assert_int_equal(asr_decoder_feed(d, big, sizeof big, collect, &c), ASR_OK);
    assert_int_equal(c.text.len, sizeof big); /* the "\r" already went out as "\n" */
    assert_int_equal(c.text.data[sizeof big - 1], '\n');
    assert_int_equal(asr_decoder_feed(d, "\nnext\r", 6, collect, &c), ASR_OK);
    assert_int_equal(asr_decoder_finish(d, collect, &c), ASR_OK);
    assert_int_equal(c.text.len, sizeof big + 5);
    assert_memory_equal(c.text.data + sizeof big, "next\n", 5);
    assert_int_equal(asr_decoder_stats(d)->crlf_lines, 1);
    assert_int_equal(asr_decoder_stats(d)->lone_cr, 1);
    asr_decoder_free(d);
    free(c.text.data);
}

/* A valid sequence split across feed calls is not taken for invalid bytes. */
static void test_split_multibyte(void **state)
{
    (void)state;
    asr_decoder *d = NULL;
    collector c = {0};
    char big[300];
    memset(big, 'y', sizeof big);
    big[sizeof big - 2] = '\xf0'; /* U+1F600 split 2 + 2 */
    big[sizeof big - 1] = '\x9f';
    assert_int_equal(asr_decoder_new(0, &d), ASR_OK);
    assert_int_equal(asr_decoder_feed(d, big, sizeof big, collect, &c), ASR_OK);
    assert_int_equal(c.text.len, sizeof big - 2);
    assert_int_equal(asr_decoder_feed(d, "\x98\x80!", 3, collect, &c), ASR_OK);
    assert_int_equal(asr_decoder_finish(d, collect, &c), ASR_OK);
    assert_int_equal(c.text.len, sizeof big + 3);
    assert_memory_equal(c.text.data + sizeof big - 2, "\xf0\x9f\x98\x80!", 5);
    assert_int_equal(asr_decoder_stats(d)->invalid_bytes, 0);
    asr_decoder_free(d);
    free(c.text.data);
}

/* Clean UTF-8 with LF endings reaches the sink as the caller's own buffer, in one call. */
static void test_zero_copy_passthrough(void **state)
{
    (void)state;
    size_t n = 1 << 20;
    char *in = malloc(n);
    assert_non_null(in);
    for (size_t i = 0; i < n; i++)
        in[i] = (i % 80 == 79) ? '\n' : (char)('a' + i % 26);
    memcpy(in + 1000, "\xc3\xa9\xe2\x82\xac", 5); /* valid UTF-8 does not break the run */
    run_result r;
    decode_all((const unsigned char *)in, n, 0, SPLIT_ONE_SHOT, 0, &r);
    assert_int_equal(r.err, ASR_OK);
    assert_int_equal(r.calls, 1);
    assert_ptr_equal(r.first_data, in);
    assert_int_equal(r.text.len, n);
    assert_memory_equal(r.text.data, in, n);
    free(r.text.data);
    free(in);
}

/* A big CRLF file is gathered into large chunks, not one sink call per line. */
static void test_crlf_chunks(void **state)
{
    (void)state;
    bytes in = {0}, want = {0};
    for (int k = 0; k < 20000; k++) {
        char line[80];
        int n = snprintf(line, sizeof line, "#%d Installing component %d\r\n", k, k * 7);
        bytes_add(&in, line, (size_t)n);
        bytes_add(&want, line, (size_t)n - 2);
        bytes_add(&want, "\n", 1);
    }
    run_result r;
    decode_all(in.data, in.len, 0, SPLIT_ONE_SHOT, 0, &r);
    assert_int_equal(r.err, ASR_OK);
    assert_int_equal(r.text.len, want.len);
    assert_memory_equal(r.text.data, want.data, want.len);
    assert_true(r.calls <= want.len / (32 * 1024) + 2);
    assert_int_equal(r.stats.crlf_lines, 20000);
    free(r.text.data);
    free(in.data);
    free(want.data);
}

/* BOM-less UTF-16LE longer than the sniff window, with non-ASCII and a pair, gzipped too. */
static void test_utf16_long(void **state)
{
    (void)state;
    bytes in = {0}, want = {0};
    for (int k = 0; k < 300; k++) {
        static const unsigned char unit[] = {'O', 0, 'K', 0, 0xe9, 0, 0x3d, 0xd8, 0x00, 0xde, '\r', 0, '\n', 0};
        bytes_add(&in, unit, sizeof unit);
        bytes_add(&want, "OK\xc3\xa9\xf0\x9f\x98\x80\n", 9);
    }
    /* The sniff window must see mostly ASCII: prepend a plain header. */
    bytes head = {0};
    for (int k = 0; k < 130; k++)
        bytes_add(&head, "=\0", 2);
    bytes_add(&head, in.data, in.len);
    bytes wanted = {0};
    for (int k = 0; k < 130; k++)
        bytes_add(&wanted, "=", 1);
    bytes_add(&wanted, want.data, want.len);

    bytes gz = {0};
    gzip_member(&gz, head.data, head.len);
    const bytes *inputs[2] = {&head, &gz};
    for (int which = 0; which < 2; which++) {
        for (int kind = SPLIT_ONE_SHOT; kind <= SPLIT_RANDOM; kind++) {
            run_result r;
            decode_all(inputs[which]->data, inputs[which]->len, 0, (split_kind)kind, 977, &r);
            assert_int_equal(r.err, ASR_OK);
            assert_string_equal(r.stats.encoding, "utf-16le");
            assert_int_equal(r.text.len, wanted.len);
            assert_memory_equal(r.text.data, wanted.data, wanted.len);
            free(r.text.data);
        }
    }
    free(in.data);
    free(want.data);
    free(head.data);
    free(wanted.data);
    free(gz.data);
}

/* Random mixes of text, line ends, valid and invalid bytes: any split gives the same, valid text. */
static void test_random_mixes(void **state)
{
    (void)state;
    static const char *const pieces[] = {
        "abc", " ", "\n", "\r", "\r\n", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
        "\x80", "\xfc", "\xc3", "\xe2\x82", "\xed\xa0\x80", "\xc0\xaf", "\0", "\t",
        "0123456789abcdefghijklmnopqrstuvwxyz",
    };
    static const size_t piece_len[] = {3, 1, 1, 1, 2, 2, 3, 4, 1, 1, 1, 2, 3, 2, 1, 1, 36};
    uint64_t seed = 0x9E3779B97F4A7C15u;

    for (int round = 0; round < 40; round++) {
        bytes in = {0};
        bytes_add(&in, "log: ", 5);
        size_t count = 200 + (size_t)(next_random(&seed) % 3000);
        for (size_t k = 0; k < count; k++) {
            size_t p = (size_t)(next_random(&seed) % (sizeof piece_len / sizeof piece_len[0]));
            bytes_add(&in, pieces[p], piece_len[p]);
        }
        bytes gz = {0};
        gzip_member(&gz, in.data, in.len);

        run_result ref;
        decode_all(in.data, in.len, 0, SPLIT_ONE_SHOT, 0, &ref);
        assert_int_equal(ref.err, ASR_OK);
        assert_true(utf8_oracle_valid(ref.text.data, ref.text.len));
        assert_null(memchr(ref.text.data, '\r', ref.text.len));

        for (int way = 0; way < 4; way++) {
            run_result r;
            const bytes *src = way >= 2 ? &gz : &in;
            split_kind kind = way % 2 == 0 ? SPLIT_BYTES : SPLIT_RANDOM;
            decode_all(src->data, src->len, 0, kind, seed, &r);
            assert_int_equal(r.err, ASR_OK);
            assert_int_equal(r.text.len, ref.text.len);
            assert_memory_equal(r.text.data, ref.text.data, ref.text.len);
            assert_int_equal(r.stats.invalid_bytes, ref.stats.invalid_bytes);
            assert_int_equal(r.stats.crlf_lines, ref.stats.crlf_lines);
            assert_int_equal(r.stats.lone_cr, ref.stats.lone_cr);
            free(r.text.data);
        }
        free(ref.text.data);
        free(in.data);
        free(gz.data);
    }
}

/* The limit hit in the middle of a long input (plain and gzip) cuts at the same place however
 * the input is fed, on a character boundary, and the rest is ignored. */
static void test_limit_streaming(void **state)
{
    (void)state;
    bytes in = {0}, gz = {0};
    for (int k = 0; k < 2000; k++)
        bytes_add(&in, "Stra\xc3\x9f" "e \xe2\x82\xac\r\n", 13);
    gzip_member(&gz, in.data, in.len);
    const uint64_t limit = 5002; /* 416 lines of 12 bytes, "Stra\xc3\x9f" "e ", 2 of the euro's 3 */
    const bytes *inputs[2] = {&in, &gz};
    for (int which = 0; which < 2; which++) {
        for (int kind = SPLIT_ONE_SHOT; kind <= SPLIT_RANDOM; kind++) {
            run_result r;
            decode_all(inputs[which]->data, inputs[which]->len, limit, (split_kind)kind, 31, &r);
            assert_int_equal(r.err, ASR_ERR_LIMIT);
            assert_true(r.stats.limited);
            assert_int_equal(r.text.len, 5000);
            assert_int_equal(r.stats.bytes_out, r.text.len);
            assert_memory_equal(r.text.data + 4992, "Stra\xc3\x9f" "e ", 8);
            assert_true(utf8_oracle_valid(r.text.data, r.text.len));
            free(r.text.data);
        }
    }
    free(in.data);
    free(gz.data);
}

/* A failing sink stops the decoder; the error is returned and stays. */
static void test_sink_error(void **state)
{
    (void)state;
    asr_decoder *d = NULL;
    collector c = {0};
    c.fail_at_call = 2;
    char big[1000];
    memset(big, 'z', sizeof big);
    assert_int_equal(asr_decoder_new(0, &d), ASR_OK);
    assert_int_equal(asr_decoder_feed(d, big, sizeof big, collect, &c), ASR_OK);
    assert_int_equal(asr_decoder_feed(d, big, sizeof big, collect, &c), ASR_ERR_IO);
    assert_int_equal(asr_decoder_feed(d, big, sizeof big, collect, &c), ASR_ERR_IO);
    assert_int_equal(asr_decoder_finish(d, collect, &c), ASR_ERR_IO);
    assert_int_equal(c.text.len, sizeof big);
    assert_int_equal(asr_decoder_stats(d)->bytes_out, sizeof big);
    asr_decoder_free(d);
    free(c.text.data);
}

/* Bad arguments are refused without side effects. */
static void test_arguments(void **state)
{
    (void)state;
    asr_decoder *d = NULL;
    collector c = {0};
    assert_int_equal(asr_decoder_new(0, NULL), ASR_ERR_ARG);
    assert_int_equal(asr_decoder_new(0, &d), ASR_OK);
    assert_int_equal(asr_decoder_feed(NULL, "a", 1, collect, &c), ASR_ERR_ARG);
    assert_int_equal(asr_decoder_feed(d, NULL, 1, collect, &c), ASR_ERR_ARG);
    assert_int_equal(asr_decoder_feed(d, "a", 1, NULL, &c), ASR_ERR_ARG);
    assert_int_equal(asr_decoder_feed(d, NULL, 0, collect, &c), ASR_OK);
    assert_int_equal(asr_decoder_finish(NULL, collect, &c), ASR_ERR_ARG);
    assert_int_equal(asr_decoder_finish(d, collect, &c), ASR_OK);
    assert_int_equal(asr_decoder_feed(d, "a", 1, collect, &c), ASR_ERR_ARG);
    assert_null(asr_decoder_stats(NULL));
    assert_int_equal(c.calls, 0);
    asr_decoder_reset(NULL);
    asr_decoder_free(NULL);
    asr_decoder_free(d);
}

/* One decoder serves many inputs through reset; stats start over. */
static void test_reset_reuse(void **state)
{
    (void)state;
    asr_decoder *d = NULL;
    bytes gz = {0};
    gzip_member(&gz, "one\r\n", 5);
    assert_int_equal(asr_decoder_new(0, &d), ASR_OK);
    for (int k = 0; k < 3; k++) {
        collector c = {0};
        assert_int_equal(asr_decoder_feed(d, gz.data, gz.len - 3, collect, &c), ASR_OK);
        asr_decoder_reset(d); /* abandon a half-read member */
        assert_int_equal(asr_decoder_feed(d, gz.data, gz.len, collect, &c), ASR_OK);
        assert_int_equal(asr_decoder_finish(d, collect, &c), ASR_OK);
        assert_int_equal(asr_decoder_stats(d)->gzip_members, 1);
        asr_decoder_reset(d);
        assert_int_equal(asr_decoder_feed(d, "\xff\xfe" "t\0", 4, collect, &c), ASR_OK);
        assert_int_equal(asr_decoder_finish(d, collect, &c), ASR_OK);
        assert_int_equal(c.text.len, 5);
        assert_memory_equal(c.text.data, "one\nt", 5);
        assert_string_equal(asr_decoder_stats(d)->encoding, "utf-16le");
        assert_int_equal(asr_decoder_stats(d)->gzip, 0);
        assert_int_equal(asr_decoder_stats(d)->bytes_in, 4);
        asr_decoder_reset(d);
        free(c.text.data);
    }
    asr_decoder_free(d);
    free(gz.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_gzip_truncated_prefix),
        cmocka_unit_test(test_cr_at_feed_boundary),
        cmocka_unit_test(test_split_multibyte),
        cmocka_unit_test(test_zero_copy_passthrough),
        cmocka_unit_test(test_crlf_chunks),
        cmocka_unit_test(test_utf16_long),
        cmocka_unit_test(test_random_mixes),
        cmocka_unit_test(test_limit_streaming),
        cmocka_unit_test(test_sink_error),
        cmocka_unit_test(test_arguments),
        cmocka_unit_test(test_reset_reuse),
    };
    return cmocka_run_group_tests_name("decode", tests, NULL, NULL);
}
