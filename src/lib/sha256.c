/*
 * sha256.c — SHA-256 after FIPS 180-4 §6.2 and HMAC after RFC 2104. Checked against the
 * FIPS 180-2 examples and the RFC 4231 vectors in tests/unit/test_sha256.c.
 */
#include "sha256.h"

#include <string.h>

/* First 32 bits of the fractional parts of the cube roots of the first 64 primes. */
static const uint32_t round_constants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2};

/* Rotates a 32-bit word right by n (0 < n < 32). */
static uint32_t rotr(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32 - n));
}

/* Reads a big-endian 32-bit word. */
static uint32_t load_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Writes a big-endian 32-bit word. */
static void store_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Zeroes memory in a way the compiler may not drop as a dead store (the volatile pointer). */
static void wipe(void *p, size_t n)
{
    volatile uint8_t *v = p;
    while (n--)
        *v++ = 0;
}

/* compress — folds one 64-byte block into the hash state (FIPS 180-4 §6.2.2). */
static void compress(uint32_t state[8], const uint8_t block[ASR_SHA256_BLOCK])
{
    uint32_t w[64];
    for (int t = 0; t < 16; t++)
        w[t] = load_be32(block + 4 * t);
    for (int t = 16; t < 64; t++) {
        uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
        uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    for (int t = 0; t < 64; t++) {
        uint32_t big_s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
        uint32_t choose = (e & f) ^ (~e & g);
        uint32_t t1 = h + big_s1 + choose + round_constants[t] + w[t];
        uint32_t big_s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
        uint32_t majority = (a & b) ^ (a & c) ^ (b & c);
        uint32_t t2 = big_s0 + majority;
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
    wipe(w, sizeof w);
}

void asr_sha256_init(asr_sha256_ctx *c)
{
    static const uint32_t initial[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(c->state, initial, sizeof initial);
    c->total = 0;
    c->fill = 0;
}

void asr_sha256_update(asr_sha256_ctx *c, const void *data, size_t len)
{
    const uint8_t *p = data;
    c->total += len;
    if (c->fill) {
        size_t take = ASR_SHA256_BLOCK - c->fill;
        if (take > len)
            take = len;
        memcpy(c->block + c->fill, p, take);
        c->fill += take;
        p += take;
        len -= take;
        if (c->fill < ASR_SHA256_BLOCK)
            return;
        compress(c->state, c->block);
        c->fill = 0;
    }
    for (; len >= ASR_SHA256_BLOCK; p += ASR_SHA256_BLOCK, len -= ASR_SHA256_BLOCK)
        compress(c->state, p);
    if (len) {
        memcpy(c->block, p, len);
        c->fill = len;
    }
}

void asr_sha256_final(asr_sha256_ctx *c, uint8_t out[ASR_SHA256_LEN])
{
    uint64_t bits = c->total * 8;
    /* Padding: one 0x80 byte, zeros up to 56 mod 64, then the bit length big-endian. */
    c->block[c->fill++] = 0x80;
    if (c->fill > ASR_SHA256_BLOCK - 8) {
        memset(c->block + c->fill, 0, ASR_SHA256_BLOCK - c->fill);
        compress(c->state, c->block);
        c->fill = 0;
    }
    memset(c->block + c->fill, 0, ASR_SHA256_BLOCK - 8 - c->fill);
    store_be32(c->block + 56, (uint32_t)(bits >> 32));
    store_be32(c->block + 60, (uint32_t)bits);
    compress(c->state, c->block);
    for (int i = 0; i < 8; i++)
        store_be32(out + 4 * i, c->state[i]);
    wipe(c, sizeof *c);
}

void asr_sha256(const void *data, size_t len, uint8_t out[ASR_SHA256_LEN])
{
    asr_sha256_ctx c;
    asr_sha256_init(&c);
    asr_sha256_update(&c, data, len);
    asr_sha256_final(&c, out);
}

void asr_hmac_key_init(asr_hmac_key *k, const void *key, size_t key_len)
{
    uint8_t block[ASR_SHA256_BLOCK] = {0};
    if (key_len > ASR_SHA256_BLOCK)
        asr_sha256(key, key_len, block); /* K' = H(K), then zero-padded */
    else if (key_len)
        memcpy(block, key, key_len);
    uint8_t pad[ASR_SHA256_BLOCK];
    for (size_t i = 0; i < sizeof pad; i++)
        pad[i] = block[i] ^ 0x36;
    asr_sha256_init(&k->inner);
    asr_sha256_update(&k->inner, pad, sizeof pad);
    for (size_t i = 0; i < sizeof pad; i++)
        pad[i] = block[i] ^ 0x5c;
    asr_sha256_init(&k->outer);
    asr_sha256_update(&k->outer, pad, sizeof pad);
    wipe(block, sizeof block);
    wipe(pad, sizeof pad);
}

void asr_hmac_key_wipe(asr_hmac_key *k)
{
    wipe(k, sizeof *k);
}

void asr_hmac_sha256_parts(const asr_hmac_key *k, size_t n, const void *const *parts,
                           const size_t *lens, uint8_t out[ASR_SHA256_LEN])
{
    asr_sha256_ctx c = k->inner;
    for (size_t i = 0; i < n; i++)
        asr_sha256_update(&c, parts[i], lens[i]);
    uint8_t inner_digest[ASR_SHA256_LEN];
    asr_sha256_final(&c, inner_digest);
    c = k->outer;
    asr_sha256_update(&c, inner_digest, sizeof inner_digest);
    asr_sha256_final(&c, out);
    wipe(inner_digest, sizeof inner_digest);
}

void asr_hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
                     uint8_t out[ASR_SHA256_LEN])
{
    asr_hmac_key k;
    asr_hmac_key_init(&k, key, key_len);
    asr_hmac_sha256_parts(&k, 1, &msg, &msg_len, out);
    asr_hmac_key_wipe(&k);
}
