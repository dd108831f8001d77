/*
 * sha256.h — SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104), for the keyed pseudonyms of
 * redaction. Small and self-contained: the project's dependency list has no crypto library,
 * and nothing here needs more than a hash and a MAC. Not constant-time beyond what the
 * algorithm is by nature; it never handles secrets other than the redaction key.
 */
#ifndef ASR_SHA256_H
#define ASR_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define ASR_SHA256_LEN 32    /* digest bytes */
#define ASR_SHA256_BLOCK 64  /* message block bytes */

/* A running SHA-256 computation. Plain data: copy it to fork a computation. */
typedef struct asr_sha256_ctx {
    uint32_t state[8];
    uint64_t total;                   /* bytes hashed so far */
    uint8_t block[ASR_SHA256_BLOCK];  /* bytes of the current, incomplete block */
    size_t fill;                      /* how many of them */
} asr_sha256_ctx;

/* asr_sha256_init — starts a computation with the FIPS 180-4 initial hash value. */
void asr_sha256_init(asr_sha256_ctx *c);

/* asr_sha256_update — hashes `len` more bytes (any split gives the same digest). */
void asr_sha256_update(asr_sha256_ctx *c, const void *data, size_t len);

/* asr_sha256_final — pads, writes the 32-byte digest to `out` and wipes `c`. */
void asr_sha256_final(asr_sha256_ctx *c, uint8_t out[ASR_SHA256_LEN]);

/* asr_sha256 — the digest of one buffer. */
void asr_sha256(const void *data, size_t len, uint8_t out[ASR_SHA256_LEN]);

/*
 * A prepared HMAC-SHA256 key: the inner and outer hash states after the padded key block,
 * so that each message costs only its own blocks. Prepare once, use for many messages.
 */
typedef struct asr_hmac_key {
    asr_sha256_ctx inner;
    asr_sha256_ctx outer;
} asr_hmac_key;

/* asr_hmac_key_init — prepares `key` (any length; longer than a block is hashed first). */
void asr_hmac_key_init(asr_hmac_key *k, const void *key, size_t key_len);

/* asr_hmac_key_wipe — zeroes a prepared key. */
void asr_hmac_key_wipe(asr_hmac_key *k);

/*
 * asr_hmac_sha256_parts — HMAC of the concatenation of `n` buffers (parts[i], lens[i]) under a
 * prepared key: the caller need not join its message. Writes 32 bytes to `out`.
 */
void asr_hmac_sha256_parts(const asr_hmac_key *k, size_t n, const void *const *parts,
                           const size_t *lens, uint8_t out[ASR_SHA256_LEN]);

/* asr_hmac_sha256 — one-shot HMAC-SHA256 of `msg` under `key` (RFC 2104 / RFC 4231). */
void asr_hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
                     uint8_t out[ASR_SHA256_LEN]);

#endif
