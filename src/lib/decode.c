/*
 * decode.c — the input decoder: gzip -> encoding -> valid UTF-8 -> LF line endings.
 *
 * Data flows through three layers, each a small state machine that keeps only the bytes it
 * cannot decide yet, so any split of the input across feed calls gives the same output:
 *
 *   gz_feed()      sniffs 1f 8b, inflates member after member into `inflated`, or passes the
 *                  raw bytes on; bytes after the last member are ignored.
 *   text_feed()    holds the first 256 bytes until the encoding is known, then hands every
 *                  chunk to utf8_process() or utf16_process().
 *   out_*()        the output side: clean runs of the chunk being processed go straight to the
 *                  sink (no copy); short runs and replaced characters are gathered in `out`.
 *
 * The sink of the current call and its context are kept in the decoder only for the duration
 * of a feed/finish call. There is no global mutable state; the tables are const.
 */
#include "decode.h"

#include <stdlib.h>
#include <string.h>

#define ZLIB_CONST /* makes z_stream.next_in a pointer to const */
#include <zlib.h>

#define OUT_SIZE (64u * 1024u)      /* gathered output, flushed when full or at call end */
#define INFLATE_SIZE (64u * 1024u)  /* inflate output window handed to the text layer */
#define SNIFF_SIZE 256u             /* bytes looked at to guess a BOM-less UTF-16 */
#define DIRECT_MIN 256u             /* runs at least this long skip the copy into `out` */
#define GZ_SLICE (1u << 30)         /* z_stream.avail_in is a uInt: feed at most this */

#define REPLACEMENT_CHAR 0xFFFDu

typedef enum gz_state {
    GZ_SNIFF,   /* start of input: is it gzip? (magic_len bytes of 1f 8b seen) */
    GZ_RAW,     /* not gzip: bytes go to the text layer as they are */
    GZ_MEMBER,  /* inside a gzip member */
    GZ_BETWEEN, /* after a member: another one (1f 8b) or trailing garbage? */
    GZ_GARBAGE  /* after the last member: ignore everything */
} gz_state;

typedef enum text_mode {
    TEXT_SNIFF, /* encoding not decided yet: bytes wait in `sniff` */
    TEXT_UTF8,
    TEXT_UTF16LE,
    TEXT_UTF16BE
} text_mode;

typedef enum utf8_status { UTF8_VALID, UTF8_INVALID, UTF8_INCOMPLETE } utf8_status;

struct asr_decoder {
    uint64_t max_output;       /* 0 = unlimited */
    asr_decode_stats stats;
    asr_error err;             /* sticky: once set, input is ignored and err returned */
    int finished;              /* asr_decoder_finish() was called */

    asr_sink_fn sink;          /* of the feed/finish call in progress, else NULL */
    void *sink_ctx;

    gz_state gz;
    unsigned magic_len;        /* 0 or 1: a 0x1f seen while sniffing for 1f 8b */
    z_stream z;

    text_mode mode;
    size_t sniff_len;
    unsigned char carry[4];    /* incomplete UTF-8 sequence at the end of the last chunk */
    size_t carry_len;
    int have_odd;              /* UTF-16: first byte of a code unit kept from the last chunk */
    unsigned char odd;
    uint32_t high_surrogate;   /* UTF-16: pending high surrogate, 0 if none */
    int last_cr;               /* last character was "\r" (already emitted as "\n") */

    size_t out_len;
    unsigned char sniff[SNIFF_SIZE];
    unsigned char out[OUT_SIZE];
    unsigned char inflated[INFLATE_SIZE];
};

/* cp1252 meaning of the bytes 0x80-0x9F; 0 marks the five undefined ones. */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

/* ------------------------------------------------------------------------------------------ */
/* Output side                                                                                 */
/* ------------------------------------------------------------------------------------------ */

/*
 * emit — hand `n` bytes (starting on a character boundary) to the sink, honouring the
 * output limit: when the limit would be passed, only the whole characters that fit are
 * handed over and ASR_ERR_LIMIT is returned. Returns the sink's error otherwise.
 */
static asr_error emit(asr_decoder *d, const unsigned char *p, size_t n)
{
    if (n == 0)
        return ASR_OK;
    if (d->max_output != 0 && n > d->max_output - d->stats.bytes_out) {
        size_t cut = (size_t)(d->max_output - d->stats.bytes_out);
        while (cut > 0 && (p[cut] & 0xC0u) == 0x80u) /* back off to a character start */
            cut--;
        d->stats.limited = 1;
        if (cut > 0) {
            asr_error err = d->sink(d->sink_ctx, (const char *)p, cut);
            if (err != ASR_OK)
                return err;
            d->stats.bytes_out += cut;
        }
        return ASR_ERR_LIMIT;
    }
    asr_error err = d->sink(d->sink_ctx, (const char *)p, n);
    if (err == ASR_OK)
        d->stats.bytes_out += n;
    return err;
}

/* out_flush — emit what is gathered in `out`; `out` is empty afterwards whatever happens. */
static asr_error out_flush(asr_decoder *d)
{
    size_t n = d->out_len;
    d->out_len = 0;
    return emit(d, d->out, n);
}

/*
 * out_run — pass on `n` unchanged bytes of the chunk being processed (whole characters).
 * Long runs go to the sink directly, after what is already gathered; short ones are copied
 * into `out` so that a CRLF file does not cost one sink call per line.
 */
static asr_error out_run(asr_decoder *d, const unsigned char *p, size_t n)
{
    if (n == 0)
        return ASR_OK;
    if (n > OUT_SIZE - d->out_len) {
        asr_error err = out_flush(d);
        if (err != ASR_OK)
            return err;
    }
    if (n >= DIRECT_MIN) {
        asr_error err = out_flush(d);
        if (err != ASR_OK)
            return err;
        return emit(d, p, n);
    }
    memcpy(d->out + d->out_len, p, n);
    d->out_len += n;
    return ASR_OK;
}

/* out_codepoint — append code point `cp` (a Unicode scalar value) to `out` as UTF-8. */
static asr_error out_codepoint(asr_decoder *d, uint32_t cp)
{
    if (OUT_SIZE - d->out_len < 4) {
        asr_error err = out_flush(d);
        if (err != ASR_OK)
            return err;
    }
    unsigned char *o = d->out + d->out_len;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        d->out_len += 1;
    } else if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        d->out_len += 2;
    } else if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        d->out_len += 3;
    } else {
        o[0] = (unsigned char)(0xF0 | (cp >> 18));
        o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[3] = (unsigned char)(0x80 | (cp & 0x3F));
        d->out_len += 4;
    }
    return ASR_OK;
}

/* out_cp1252 — append the cp1252 meaning of the invalid UTF-8 byte `b` (>= 0x80); counts it. */
static asr_error out_cp1252(asr_decoder *d, unsigned char b)
{
    uint32_t cp = b;
    if (b < 0xA0) {
        cp = cp1252_high[b - 0x80];
        if (cp == 0)
            cp = REPLACEMENT_CHAR;
    }
    d->stats.invalid_bytes++;
    return out_codepoint(d, cp);
}

/* ------------------------------------------------------------------------------------------ */
/* UTF-8 input                                                                                 */
/* ------------------------------------------------------------------------------------------ */

/*
 * clean_prefix — length of the leading run of `p` (n bytes) that needs no work: ASCII other
 * than "\r". Looks at 8 bytes per step: any byte >= 0x80, or any byte equal to 0x0D (found
 * with the classic "has a zero byte" test on w ^ 0x0D0D…), ends the fast loop.
 */
static size_t clean_prefix(const unsigned char *p, size_t n)
{
    const uint64_t ones = 0x0101010101010101u;
    const uint64_t highs = 0x8080808080808080u;
    const uint64_t crs = 0x0D0D0D0D0D0D0D0Du;
    size_t i = 0;

    while (n - i >= 16) {
        uint64_t a, b;
        memcpy(&a, p + i, 8); /* memcpy: unaligned loads without undefined behaviour */
        memcpy(&b, p + i + 8, 8);
        uint64_t xa = a ^ crs, xb = b ^ crs;
        uint64_t hit = ((a | b) & highs) | ((xa - ones) & ~xa & highs) | ((xb - ones) & ~xb & highs);
        if (hit != 0)
            break;
        i += 16;
    }
    while (i < n && p[i] < 0x80 && p[i] != '\r')
        i++;
    return i;
}

/*
 * utf8_check — is there a valid UTF-8 sequence at `p` (n >= 1 bytes, p[0] >= 0x80)?
 * Follows the well-formed table of Unicode (no overlongs, no surrogates, nothing above
 * U+10FFFF). Returns UTF8_VALID with its length in `*len`, UTF8_INVALID when p[0] cannot
 * start one (or its next bytes break it), UTF8_INCOMPLETE when the n bytes are a valid
 * beginning that the input cut short.
 */
static utf8_status utf8_check(const unsigned char *p, size_t n, size_t *len)
{
    unsigned char c = p[0];
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    size_t need;

    if (c < 0xC2)
        return UTF8_INVALID; /* continuation byte or overlong 2-byte lead */
    if (c < 0xE0) {
        need = 2;
    } else if (c < 0xF0) {
        need = 3;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (c < 0xF5) {
        need = 4;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else {
        return UTF8_INVALID;
    }
    if (n < 2)
        return UTF8_INCOMPLETE;
    if (p[1] < lo || p[1] > hi)
        return UTF8_INVALID;
    for (size_t j = 2; j < need; j++) {
        if (j >= n)
            return UTF8_INCOMPLETE;
        if ((p[j] & 0xC0u) != 0x80u)
            return UTF8_INVALID;
    }
    *len = need;
    return UTF8_VALID;
}

size_t asr_utf8_len(const unsigned char *p, size_t n)
{
    size_t len = 0;
    if (n == 0)
        return 0;
    if (p[0] < 0x80)
        return 1;
    return utf8_check(p, n, &len) == UTF8_VALID ? len : 0;
}

/* utf8_flush_carry — the kept incomplete sequence is invalid: emit each byte as cp1252. */
static asr_error utf8_flush_carry(asr_decoder *d)
{
    for (size_t k = 0; k < d->carry_len; k++) {
        asr_error err = out_cp1252(d, d->carry[k]);
        if (err != ASR_OK)
            return err;
    }
    d->carry_len = 0;
    return ASR_OK;
}

/*
 * utf8_complete_carry — continue the incomplete sequence kept from the last chunk with the
 * first bytes of `p` (n bytes). `*used` receives how many bytes of `p` it took. When the
 * sequence turns out invalid, the byte that broke it is not taken (it is looked at again as
 * the start of something new) and the kept bytes become cp1252.
 */
static asr_error utf8_complete_carry(asr_decoder *d, const unsigned char *p, size_t n,
                                     size_t *used)
{
    size_t i = 0, len = 0;
    while (i < n) {
        d->carry[d->carry_len++] = p[i];
        utf8_status st = utf8_check(d->carry, d->carry_len, &len);
        if (st == UTF8_VALID) {
            *used = i + 1;
            d->carry_len = 0;
            return out_run(d, d->carry, len);
        }
        if (st == UTF8_INVALID) {
            *used = i;
            d->carry_len--;
            return utf8_flush_carry(d);
        }
        i++;
    }
    *used = n;
    return ASR_OK;
}

/*
 * utf8_process — decode chunk `p` (n bytes) of UTF-8 (or cp1252) text: valid sequences pass
 * unchanged, "\r\n" and lone "\r" become "\n", invalid bytes become cp1252, and an
 * incomplete sequence at the end is kept for the next chunk.
 */
static asr_error utf8_process(asr_decoder *d, const unsigned char *p, size_t n)
{
    asr_error err = ASR_OK;
    size_t i = 0, run, len = 0;

    if (d->carry_len > 0) {
        err = utf8_complete_carry(d, p, n, &i);
        if (err != ASR_OK || i == n)
            return err;
    }
    if (d->last_cr) { /* "\r" ended the last chunk and was emitted as "\n" */
        d->last_cr = 0;
        if (p[i] == '\n') {
            d->stats.crlf_lines++;
            i++;
        } else {
            d->stats.lone_cr++;
        }
    }
    run = i;
    while (i < n) {
        i += clean_prefix(p + i, n - i);
        if (i == n)
            break;
        if (p[i] == '\r') {
            if ((err = out_run(d, p + run, i - run)) != ASR_OK)
                return err;
            if (i + 1 < n && p[i + 1] == '\n') { /* drop the "\r"; the "\n" starts the run */
                d->stats.crlf_lines++;
                run = ++i;
                i++;
                continue;
            }
            if ((err = out_codepoint(d, '\n')) != ASR_OK)
                return err;
            run = ++i;
            if (i < n)
                d->stats.lone_cr++;
            else
                d->last_cr = 1;
            continue;
        }
        utf8_status st = utf8_check(p + i, n - i, &len);
        if (st == UTF8_VALID) {
            i += len;
            continue;
        }
        if ((err = out_run(d, p + run, i - run)) != ASR_OK)
            return err;
        if (st == UTF8_INCOMPLETE) { /* only possible at the end of the chunk */
            d->carry_len = n - i;
            memcpy(d->carry, p + i, d->carry_len);
            return ASR_OK;
        }
        if ((err = out_cp1252(d, p[i])) != ASR_OK)
            return err;
        run = ++i;
    }
    return out_run(d, p + run, n - run);
}

/* ------------------------------------------------------------------------------------------ */
/* UTF-16 input                                                                                */
/* ------------------------------------------------------------------------------------------ */

/* emit_char — append code point `cp` of UTF-16 text, turning "\r\n" and lone "\r" into "\n". */
static asr_error emit_char(asr_decoder *d, uint32_t cp)
{
    if (d->last_cr) {
        d->last_cr = 0;
        if (cp == '\n') {
            d->stats.crlf_lines++;
            return ASR_OK;
        }
        d->stats.lone_cr++;
    }
    if (cp == '\r') {
        d->last_cr = 1;
        cp = '\n';
    }
    return out_codepoint(d, cp);
}

/* emit_bad_utf16 — a lone surrogate or an odd final byte: U+FFFD, counted. */
static asr_error emit_bad_utf16(asr_decoder *d)
{
    d->stats.invalid_utf16++;
    return emit_char(d, REPLACEMENT_CHAR);
}

/* utf16_unit — decode one UTF-16 code unit, pairing surrogates. */
static asr_error utf16_unit(asr_decoder *d, uint32_t u)
{
    if (d->high_surrogate != 0) {
        uint32_t high = d->high_surrogate;
        d->high_surrogate = 0;
        if (u >= 0xDC00 && u <= 0xDFFF)
            return emit_char(d, 0x10000u + ((high - 0xD800u) << 10) + (u - 0xDC00u));
        asr_error err = emit_bad_utf16(d); /* the high surrogate was alone */
        if (err != ASR_OK)
            return err;
    }
    if (u >= 0xD800 && u <= 0xDBFF) {
        d->high_surrogate = u;
        return ASR_OK;
    }
    if (u >= 0xDC00 && u <= 0xDFFF)
        return emit_bad_utf16(d);
    return emit_char(d, u);
}

/*
 * utf16_ascii_run — the fast path for the common case: copies the leading code units of
 * p[0, n) that are ASCII other than NUL and "\r" (nothing to pair, nothing to turn into "\n")
 * straight into the output buffer, as far as it has room. Returns how many units it took; the caller
 * decodes the next unit the slow way when that is 0.
 */
static size_t utf16_ascii_run(asr_decoder *d, const unsigned char *p, size_t n, int be)
{
    unsigned char *o = d->out + d->out_len;
    size_t room = OUT_SIZE - d->out_len, k = 0, units = n / 2;
    if (units > room)
        units = room;
    const int lo = be ? 1 : 0, hi = be ? 0 : 1;
    while (k < units) {
        unsigned char c = p[2 * k + lo];
        if (p[2 * k + hi] != 0 || c >= 0x80 || c == '\r' || c == 0)
            break;
        o[k++] = c;
    }
    d->out_len += k;
    return k;
}

/*
 * utf16_process — decode chunk `p` (n bytes) of UTF-16 (big endian when `be`); half a code
 * unit at the end is kept for the next chunk.
 */
static asr_error utf16_process(asr_decoder *d, const unsigned char *p, size_t n, int be)
{
    asr_error err;
    size_t i = 0;

    if (d->have_odd) {
        d->have_odd = 0;
        uint32_t u = be ? ((uint32_t)d->odd << 8 | p[0]) : ((uint32_t)p[0] << 8 | d->odd);
        if ((err = utf16_unit(d, u)) != ASR_OK)
            return err;
        i = 1;
    }
    while (i + 1 < n) {
        if (d->high_surrogate == 0 && !d->last_cr) {
            size_t k = utf16_ascii_run(d, p + i, n - i, be);
            i += 2 * k;
            if (k > 0) {
                if (d->out_len == OUT_SIZE && (err = out_flush(d)) != ASR_OK)
                    return err;
                continue;
            }
        }
        uint32_t u = be ? ((uint32_t)p[i] << 8 | p[i + 1]) : ((uint32_t)p[i + 1] << 8 | p[i]);
        if ((err = utf16_unit(d, u)) != ASR_OK)
            return err;
        i += 2;
    }
    if (i < n) {
        d->have_odd = 1;
        d->odd = p[i];
    }
    return ASR_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Encoding detection and the text layer                                                       */
/* ------------------------------------------------------------------------------------------ */

/* is_text_ascii — printable ASCII or tab/CR/LF: what the other half of a UTF-16 unit holds. */
static int is_text_ascii(unsigned char c)
{
    return (c >= 0x20 && c < 0x7F) || c == '\t' || c == '\r' || c == '\n';
}

/*
 * utf16_guess — does BOM-less `p` (n bytes, at most SNIFF_SIZE) look like UTF-16?
 * Needs at least 2 units; at least three quarters of them must be one NUL byte and one
 * text ASCII byte, on the same side. Returns TEXT_UTF16LE, TEXT_UTF16BE or TEXT_UTF8.
 */
static text_mode utf16_guess(const unsigned char *p, size_t n)
{
    size_t units = n / 2, le = 0, be = 0;
    if (units < 2)
        return TEXT_UTF8;
    for (size_t k = 0; k < units; k++) {
        unsigned char a = p[2 * k], b = p[2 * k + 1];
        le += (b == 0 && is_text_ascii(a));
        be += (a == 0 && is_text_ascii(b));
    }
    if (le * 4 >= units * 3)
        return TEXT_UTF16LE;
    if (be * 4 >= units * 3)
        return TEXT_UTF16BE;
    return TEXT_UTF8;
}

/* The encodings the decoder reports (asr_decode_stats.encoding). */
static const char *const encoding_names[] = {"utf-8", "utf-8-bom", "utf-16le", "utf-16be"};

const char *asr_encoding_name(const char *name)
{
    for (size_t i = 0; i < sizeof encoding_names / sizeof *encoding_names; i++)
        if (strcmp(name, encoding_names[i]) == 0)
            return encoding_names[i];
    return NULL;
}

/*
 * text_decide — choose the encoding from the first `n` bytes of the text (n == SNIFF_SIZE,
 * or fewer at the end of a short input). Sets mode and stats.encoding; returns the length
 * of the BOM to drop.
 */
static size_t text_decide(asr_decoder *d, const unsigned char *p, size_t n)
{
    if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
        d->mode = TEXT_UTF8;
        d->stats.encoding = "utf-8-bom";
        return 3;
    }
    if (n >= 2 && p[0] == 0xFF && p[1] == 0xFE) {
        d->mode = TEXT_UTF16LE;
        d->stats.encoding = "utf-16le";
        return 2;
    }
    if (n >= 2 && p[0] == 0xFE && p[1] == 0xFF) {
        d->mode = TEXT_UTF16BE;
        d->stats.encoding = "utf-16be";
        return 2;
    }
    d->mode = utf16_guess(p, n);
    d->stats.encoding = d->mode == TEXT_UTF16LE   ? "utf-16le"
                        : d->mode == TEXT_UTF16BE ? "utf-16be"
                                                  : "utf-8";
    return 0;
}

static asr_error text_feed(asr_decoder *d, const unsigned char *p, size_t n);

/*
 * text_sniff — the encoding is not known yet: gather the first SNIFF_SIZE bytes, then
 * decide and decode them and the rest of `p` (n bytes). A first chunk that is long enough
 * is looked at in place, without the copy.
 */
static asr_error text_sniff(asr_decoder *d, const unsigned char *p, size_t n)
{
    if (d->sniff_len == 0 && n >= SNIFF_SIZE) {
        size_t bom = text_decide(d, p, SNIFF_SIZE);
        return text_feed(d, p + bom, n - bom);
    }
    size_t take = SNIFF_SIZE - d->sniff_len;
    if (take > n)
        take = n;
    memcpy(d->sniff + d->sniff_len, p, take);
    d->sniff_len += take;
    if (d->sniff_len < SNIFF_SIZE)
        return ASR_OK;
    size_t bom = text_decide(d, d->sniff, SNIFF_SIZE);
    asr_error err = text_feed(d, d->sniff + bom, SNIFF_SIZE - bom);
    if (err != ASR_OK)
        return err;
    return text_feed(d, p + take, n - take);
}

/* text_feed — decode chunk `p` (n bytes) of (decompressed) text in the current encoding. */
static asr_error text_feed(asr_decoder *d, const unsigned char *p, size_t n)
{
    if (n == 0)
        return ASR_OK;
    switch (d->mode) {
    case TEXT_SNIFF:
        return text_sniff(d, p, n);
    case TEXT_UTF8:
        return utf8_process(d, p, n);
    case TEXT_UTF16LE:
        return utf16_process(d, p, n, 0);
    case TEXT_UTF16BE:
        return utf16_process(d, p, n, 1);
    }
    return ASR_ERR_ARG; /* not reached */
}

/* text_finish — end of text: decide a short input's encoding, emit everything kept back. */
static asr_error text_finish(asr_decoder *d)
{
    asr_error err;
    if (d->mode == TEXT_SNIFF) {
        size_t bom = text_decide(d, d->sniff, d->sniff_len);
        if ((err = text_feed(d, d->sniff + bom, d->sniff_len - bom)) != ASR_OK)
            return err;
    }
    if ((err = utf8_flush_carry(d)) != ASR_OK)
        return err;
    if (d->high_surrogate != 0) {
        d->high_surrogate = 0;
        if ((err = emit_bad_utf16(d)) != ASR_OK)
            return err;
    }
    if (d->have_odd) {
        d->have_odd = 0;
        if ((err = emit_bad_utf16(d)) != ASR_OK)
            return err;
    }
    if (d->last_cr) {
        d->last_cr = 0;
        d->stats.lone_cr++;
    }
    return ASR_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Gzip layer                                                                                  */
/* ------------------------------------------------------------------------------------------ */

/*
 * gz_inflate — inflate input `p` (n bytes) of the current member and decode the output.
 * `*used` receives the bytes consumed; at the end of the member the state becomes
 * GZ_BETWEEN and the rest of `p` is left for the caller. Returns ASR_ERR_DECODE (and sets
 * stats.truncated) when zlib finds the stream corrupt.
 */
static asr_error gz_inflate(asr_decoder *d, const unsigned char *p, size_t n, size_t *used)
{
    size_t slice = n > GZ_SLICE ? GZ_SLICE : n;
    asr_error err = ASR_OK;

    d->z.next_in = p;
    d->z.avail_in = (uInt)slice;
    for (;;) {
        d->z.next_out = d->inflated;
        d->z.avail_out = INFLATE_SIZE;
        int rc = inflate(&d->z, Z_NO_FLUSH);
        size_t produced = INFLATE_SIZE - d->z.avail_out;
        if (produced > 0 && (err = text_feed(d, d->inflated, produced)) != ASR_OK)
            break;
        if (rc == Z_STREAM_END) {
            d->stats.gzip_members++;
            d->gz = GZ_BETWEEN;
            d->magic_len = 0;
            break;
        }
        if (rc == Z_MEM_ERROR) {
            err = ASR_ERR_NOMEM;
            break;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) { /* Z_DATA_ERROR: bad data or checksum */
            d->stats.truncated = 1;
            err = ASR_ERR_DECODE;
            break;
        }
        if (d->z.avail_out != 0) /* input used up (Z_BUF_ERROR: nothing left to do) */
            break;
    }
    *used = slice - d->z.avail_in;
    return err;
}

/* gz_start_member — 1f 8b seen: restart zlib and give it the two magic bytes. */
static asr_error gz_start_member(asr_decoder *d)
{
    static const unsigned char magic[2] = {0x1f, 0x8b};
    size_t used = 0;
    if (inflateReset(&d->z) != Z_OK)
        return ASR_ERR_DECODE;
    d->stats.gzip = 1;
    d->gz = GZ_MEMBER;
    return gz_inflate(d, magic, sizeof magic, &used);
}

/* gz_not_magic — what looked like it might be gzip is not: raw text, or trailing garbage. */
static asr_error gz_not_magic(asr_decoder *d)
{
    static const unsigned char first = 0x1f;
    unsigned had_1f = d->magic_len;
    d->magic_len = 0;
    if (d->gz == GZ_BETWEEN) {
        d->gz = GZ_GARBAGE;
        d->stats.trailing_garbage = 1;
        return ASR_OK;
    }
    d->gz = GZ_RAW;
    return had_1f ? text_feed(d, &first, 1) : ASR_OK;
}

/* gz_feed — route raw input `p` (n bytes) through gzip detection and inflation. */
static asr_error gz_feed(asr_decoder *d, const unsigned char *p, size_t n)
{
    asr_error err;
    while (n > 0) {
        switch (d->gz) {
        case GZ_SNIFF:
        case GZ_BETWEEN:
            if (p[0] != (d->magic_len == 0 ? 0x1f : 0x8b)) {
                if ((err = gz_not_magic(d)) != ASR_OK)
                    return err;
                continue; /* the byte is looked at again in the new state */
            }
            p++;
            n--;
            if (d->magic_len == 0) {
                d->magic_len = 1;
                continue;
            }
            d->magic_len = 0;
            if ((err = gz_start_member(d)) != ASR_OK)
                return err;
            continue;
        case GZ_RAW:
            return text_feed(d, p, n);
        case GZ_MEMBER: {
            size_t used = 0;
            if ((err = gz_inflate(d, p, n, &used)) != ASR_OK)
                return err;
            if (used == 0 && d->gz == GZ_MEMBER) { /* zlib made no progress: give up */
                d->stats.truncated = 1;
                return ASR_ERR_DECODE;
            }
            p += used;
            n -= used;
            continue;
        }
        case GZ_GARBAGE:
            return ASR_OK;
        }
    }
    return ASR_OK;
}

/* gz_finish — end of raw input: settle a pending 0x1f; a member cut short is truncation. */
static asr_error gz_finish(asr_decoder *d)
{
    switch (d->gz) {
    case GZ_SNIFF:
    case GZ_BETWEEN:
        return d->magic_len ? gz_not_magic(d) : ASR_OK;
    case GZ_MEMBER:
        d->stats.truncated = 1;
        return ASR_ERR_DECODE;
    case GZ_RAW:
    case GZ_GARBAGE:
        break;
    }
    return ASR_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Public API                                                                                  */
/* ------------------------------------------------------------------------------------------ */

/* start_input — the per-input state of a fresh decoder (zlib state is reset separately). */
static void start_input(asr_decoder *d)
{
    memset(&d->stats, 0, sizeof d->stats);
    d->stats.encoding = "utf-8";
    d->err = ASR_OK;
    d->finished = 0;
    d->sink = NULL;
    d->sink_ctx = NULL;
    d->gz = GZ_SNIFF;
    d->magic_len = 0;
    d->mode = TEXT_SNIFF;
    d->sniff_len = 0;
    d->carry_len = 0;
    d->have_odd = 0;
    d->high_surrogate = 0;
    d->last_cr = 0;
    d->out_len = 0;
}

void asr_decoder_assume_utf8(asr_decoder *d)
{
    if (d == NULL || d->stats.bytes_in != 0)
        return;
    d->gz = GZ_RAW;
    d->mode = TEXT_UTF8;
    d->stats.encoding = "utf-8";
}

asr_error asr_decoder_new(uint64_t max_output_bytes, asr_decoder **out)
{
    if (out == NULL)
        return ASR_ERR_ARG;
    asr_decoder *d = malloc(sizeof *d);
    if (d == NULL)
        return ASR_ERR_NOMEM;
    memset(&d->z, 0, sizeof d->z); /* zalloc/zfree/opaque = Z_NULL: zlib's allocator */
    if (inflateInit2(&d->z, 16 + MAX_WBITS) != Z_OK) { /* 16+: gzip wrapper only */
        free(d);
        return ASR_ERR_NOMEM;
    }
    d->max_output = max_output_bytes;
    start_input(d);
    *out = d;
    return ASR_OK;
}

/*
 * call_end — common tail of feed/finish: on success flush `out`; on a corrupt stream emit
 * everything decodable so far (no more input will come). Records a failure as sticky.
 */
static asr_error call_end(asr_decoder *d, asr_error err)
{
    if (err == ASR_OK) {
        err = out_flush(d);
    } else if (err == ASR_ERR_DECODE) {
        asr_error tail = text_finish(d);
        if (tail == ASR_OK)
            tail = out_flush(d);
        if (tail != ASR_OK)
            err = tail;
    }
    d->out_len = 0;
    d->err = err;
    d->sink = NULL;
    d->sink_ctx = NULL;
    return err;
}

asr_error asr_decoder_feed(asr_decoder *d, const void *data, size_t len, asr_sink_fn sink,
                           void *ctx)
{
    if (d == NULL || sink == NULL || (data == NULL && len > 0) || d->finished)
        return ASR_ERR_ARG;
    if (d->err != ASR_OK)
        return d->err;
    d->stats.bytes_in += len;
    d->sink = sink;
    d->sink_ctx = ctx;
    return call_end(d, gz_feed(d, data, len));
}

asr_error asr_decoder_finish(asr_decoder *d, asr_sink_fn sink, void *ctx)
{
    if (d == NULL || sink == NULL || d->finished)
        return ASR_ERR_ARG;
    d->finished = 1;
    if (d->err != ASR_OK)
        return d->err;
    d->sink = sink;
    d->sink_ctx = ctx;
    asr_error err = gz_finish(d);
    if (err == ASR_OK)
        err = text_finish(d);
    return call_end(d, err);
}

const asr_decode_stats *asr_decoder_stats(const asr_decoder *d)
{
    return d == NULL ? NULL : &d->stats;
}

void asr_decoder_reset(asr_decoder *d)
{
    if (d == NULL)
        return;
    inflateReset(&d->z);
    start_input(d);
}

void asr_decoder_set_limit(asr_decoder *d, uint64_t max_output_bytes)
{
    if (d != NULL)
        d->max_output = max_output_bytes;
}

void asr_decoder_free(asr_decoder *d)
{
    if (d == NULL)
        return;
    inflateEnd(&d->z);
    free(d);
}
