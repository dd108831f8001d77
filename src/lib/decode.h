/*
 * decode.h — raw input bytes in, clean text out.
 *
 * The decoder turns whatever a log file holds into what the scanner expects: valid UTF-8
 * with lines ended by "\n" only. In reading order it
 *   1. inflates gzip (sniffed by the magic bytes 1f 8b, several members allowed),
 *   2. recognises the text encoding (UTF-8 with or without BOM, UTF-16LE/BE with a BOM or
 *      guessed from the NUL pattern of the first 256 bytes) and converts UTF-16 to UTF-8,
 *   3. replaces each byte that is not part of a valid UTF-8 sequence by its cp1252 meaning,
 *   4. turns "\r\n" and a lone "\r" into "\n".
 * Input may be split anywhere across asr_decoder_feed() calls; the output does not depend on
 * where. Output goes to a caller's sink in chunks of any size; clean UTF-8 with LF endings is
 * handed over without copying. All buffers are allocated by asr_decoder_new(), none later.
 */
#ifndef ASR_DECODE_H
#define ASR_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "asrlog.h"

/*
 * The receiver of decoded text. `data` (`len` bytes, never 0) is valid only during the call
 * and always ends on a character boundary. Return ASR_OK to continue; any other value stops
 * the decoder and is returned by the feed/finish call that triggered it.
 */
typedef asr_error (*asr_sink_fn)(void *ctx, const char *data, size_t len);

/* What the decoder saw; valid until the decoder is reset or freed. */
typedef struct asr_decode_stats {
    uint64_t bytes_in;          /* raw bytes fed */
    uint64_t bytes_out;         /* UTF-8 bytes emitted */
    int gzip;                   /* input was gzip */
    unsigned gzip_members;      /* members inflated */
    int trailing_garbage;       /* non-gzip bytes after the last member (ignored) */
    int truncated;              /* gzip stream ended early / corrupt */
    const char *encoding;       /* "utf-8", "utf-8-bom", "utf-16le", "utf-16be" (static string) */
    uint64_t invalid_bytes;     /* invalid UTF-8 bytes re-decoded as cp1252 */
    uint64_t invalid_utf16;     /* lone surrogates / odd trailing byte replaced by U+FFFD */
    uint64_t crlf_lines;        /* "\r\n" pairs turned into "\n" */
    uint64_t lone_cr;           /* lone "\r" turned into "\n" */
    int limited;                /* max_output_bytes was reached; the rest was ignored */
} asr_decode_stats;

/* asr_encoding_name — the decoder's own static string for an encoding name it gives
 * ("utf-8", …), or NULL for any other name (partial results store the name as text). */
const char *asr_encoding_name(const char *name);

typedef struct asr_decoder asr_decoder;

/*
 * asr_decoder_new — a decoder for one input at a time.
 * `max_output_bytes` caps the text emitted per input (0 = unlimited). On success `*out`
 * receives a decoder the caller frees with asr_decoder_free(). Returns ASR_ERR_ARG when
 * `out` is NULL, ASR_ERR_NOMEM when allocation fails (`*out` untouched).
 */
asr_error asr_decoder_new(uint64_t max_output_bytes, asr_decoder **out);

/*
 * asr_decoder_feed — decode the next `len` bytes of the input and pass the text to `sink`.
 * `data` may be NULL when `len` is 0. Bytes that cannot be decided yet (a gzip header, the
 * first 256 bytes while the encoding is guessed, an incomplete UTF-8 sequence, half a UTF-16
 * unit) are kept until the next call or asr_decoder_finish().
 * Returns ASR_OK; ASR_ERR_DECODE for a corrupt gzip stream (text before it was emitted,
 * stats.truncated set); ASR_ERR_LIMIT once max_output_bytes is reached (text up to the last
 * whole character within the limit was emitted); the sink's error if it failed; ASR_ERR_ARG
 * for a NULL decoder/sink/data or a call after finish. An error is sticky: later feed calls
 * ignore their input and return it again.
 */
asr_error asr_decoder_feed(asr_decoder *d, const void *data, size_t len, asr_sink_fn sink,
                           void *ctx);

/*
 * asr_decoder_finish — end of input: emit what was kept back (a pending short input, an
 * incomplete UTF-8 sequence as cp1252, half a UTF-16 unit as U+FFFD).
 * Returns ASR_OK; ASR_ERR_DECODE when the gzip stream stopped in the middle of a member
 * (stats.truncated set; everything decodable was emitted) or failed earlier; ASR_ERR_LIMIT
 * or a sink error as for feed. Call it once; afterwards only stats, reset and free are valid.
 */
asr_error asr_decoder_finish(asr_decoder *d, asr_sink_fn sink, void *ctx);

/* The statistics of the current input; owned by the decoder. NULL when `d` is NULL. */
const asr_decode_stats *asr_decoder_stats(const asr_decoder *d);

/*
 * asr_decoder_reset — forget the current input and start a new one, keeping the buffers
 * and the max_output_bytes setting (so many files reuse one decoder). Safe at any point.
 */
void asr_decoder_reset(asr_decoder *d);

/*
 * asr_decoder_assume_utf8 — for a decoder that has not been fed yet: the input is a piece of
 * a plain (not gzip) UTF-8 text taken from the middle of a file, so skip the gzip, BOM and
 * UTF-16 detection that only make sense at a file's start. Invalid bytes are still repaired
 * as cp1252 and line endings still normalised.
 */
void asr_decoder_assume_utf8(asr_decoder *d);

/* asr_decoder_set_limit — changes max_output_bytes (0 = unlimited) for the input that starts
 * next; call it right after asr_decoder_reset(). */
void asr_decoder_set_limit(asr_decoder *d, uint64_t max_output_bytes);

/*
 * asr_utf8_len — length of the well-formed UTF-8 character at `p` (n >= 1 bytes left): 1 for
 * ASCII, 2 to 4 for a valid sequence, 0 when `p` does not start one (a stray or overlong byte,
 * a surrogate, above U+10FFFF, or cut short by the end of the n bytes). The decoder's own test.
 */
size_t asr_utf8_len(const unsigned char *p, size_t n);

/* Frees the decoder and its buffers. NULL is allowed. */
void asr_decoder_free(asr_decoder *d);

#endif
