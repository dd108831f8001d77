/*
 * test_sha256.c — SHA-256 against the FIPS 180-2 examples (plus padding-boundary lengths) and
 * HMAC-SHA256 against the seven RFC 4231 test cases. Data-driven: one table row per vector;
 * every message is also hashed in several splits, which must not change the digest.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sha256.h"

/* A message: `text` repeated `repeat` times (1 when 0), or `hex` bytes when text is NULL. */
typedef struct message {
    const char *text;
    size_t repeat;
    const char *hex;
} message;

typedef struct hash_case {
    const char *name;
    message msg;
    const char *digest;
} hash_case;

static const hash_case hash_cases[] = {
    /* FIPS 180-2, appendix B */
    {"B.1 one block", {"abc", 0, NULL},
     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {"B.2 two blocks", {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 0, NULL},
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    {"B.3 one million a", {"a", 1000000, NULL},
     "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
    /* the empty message (NIST example values) */
    {"empty", {"", 0, NULL}, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    /* lengths around the padding boundary (55: length fits, 56: extra block, 64: full block);
     * values from an independent implementation (Python hashlib) */
    {"55 a", {"a", 55, NULL}, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
    {"56 a", {"a", 56, NULL}, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
    {"63 a", {"a", 63, NULL}, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
    {"64 a", {"a", 64, NULL}, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
    {"65 a", {"a", 65, NULL}, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
    {"119 a", {"a", 119, NULL}, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
    {"128 a", {"a", 128, NULL}, "6836cf13bac400e9105071cd6af47084dfacad4e5e302c94bfed24e013afb73e"},
};

typedef struct hmac_case {
    const char *name;
    message key;
    message data;
    const char *mac;  /* hex; shorter than 64 digits = a truncated MAC (test case 5) */
} hmac_case;

/* RFC 4231, section 4 */
static const hmac_case hmac_cases[] = {
    {"4.2 test case 1", {NULL, 0, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"},
     {"Hi There", 0, NULL},
     "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
    {"4.3 test case 2", {"Jefe", 0, NULL}, {"what do ya want for nothing?", 0, NULL},
     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
    {"4.4 test case 3", {"\xaa", 20, NULL}, {"\xdd", 50, NULL},
     "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
    {"4.5 test case 4", {NULL, 0, "0102030405060708090a0b0c0d0e0f10111213141516171819"},
     {"\xcd", 50, NULL}, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
    {"4.6 test case 5 (truncated to 128 bits)", {"\x0c", 20, NULL},
     {"Test With Truncation", 0, NULL}, "a3b6167473100ee06e0c796c2955552b"},
    {"4.7 test case 6", {"\xaa", 131, NULL},
     {"Test Using Larger Than Block-Size Key - Hash Key First", 0, NULL},
     "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
    {"4.8 test case 7", {"\xaa", 131, NULL},
     {"This is a test using a larger than block-size key and a larger than block-size data. "
      "The key needs to be hashed before being used by the HMAC algorithm.",
      0, NULL},
     "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
};

/* Builds the bytes of a message (malloc'd; *len set). */
static uint8_t *build(const message *m, size_t *len)
{
    if (!m->text) {
        size_t n = strlen(m->hex) / 2;
        uint8_t *b = malloc(n + 1);
        assert_non_null(b);
        for (size_t i = 0; i < n; i++) {
            unsigned v;
            assert_int_equal(sscanf(m->hex + 2 * i, "%2x", &v), 1);
            b[i] = (uint8_t)v;
        }
        *len = n;
        return b;
    }
    size_t unit = strlen(m->text), times = m->repeat ? m->repeat : 1;
    uint8_t *b = malloc(unit * times + 1);
    assert_non_null(b);
    for (size_t i = 0; i < times; i++)
        memcpy(b + i * unit, m->text, unit);
    *len = unit * times;
    return b;
}

/* Lower-case hex of the first `n` bytes of a digest. */
static void to_hex(const uint8_t *d, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* Every vector, hashed at once and in pieces of 1, 3, 63, 64 and 65 bytes. */
static void test_sha256_vectors(void **state)
{
    (void)state;
    static const size_t splits[] = {0, 1, 3, 63, 64, 65};
    for (size_t i = 0; i < sizeof hash_cases / sizeof hash_cases[0]; i++) {
        const hash_case *c = &hash_cases[i];
        size_t len;
        uint8_t *msg = build(&c->msg, &len);
        for (size_t s = 0; s < sizeof splits / sizeof splits[0]; s++) {
            uint8_t d[ASR_SHA256_LEN];
            char hex[2 * ASR_SHA256_LEN + 1];
            if (splits[s] == 0) {
                asr_sha256(msg, len, d);
            } else {
                if (len > 100000 && splits[s] < 63)
                    continue; /* a million one-byte updates add nothing but time */
                asr_sha256_ctx ctx;
                asr_sha256_init(&ctx);
                for (size_t off = 0; off < len; off += splits[s]) {
                    size_t piece = len - off < splits[s] ? len - off : splits[s];
                    asr_sha256_update(&ctx, msg + off, piece);
                }
                asr_sha256_final(&ctx, d);
            }
            to_hex(d, sizeof d, hex);
            if (strcmp(hex, c->digest) != 0)
                fail_msg("%s (split %zu): got %s, want %s", c->name, splits[s], hex, c->digest);
        }
        free(msg);
    }
}

/* Every RFC 4231 case, one-shot and through a prepared key with the message in two parts. */
static void test_hmac_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof hmac_cases / sizeof hmac_cases[0]; i++) {
        const hmac_case *c = &hmac_cases[i];
        size_t klen, mlen, want = strlen(c->mac) / 2;
        uint8_t *key = build(&c->key, &klen), *msg = build(&c->data, &mlen);
        uint8_t mac[ASR_SHA256_LEN];
        char hex[2 * ASR_SHA256_LEN + 1];
        asr_hmac_sha256(key, klen, msg, mlen, mac);
        to_hex(mac, want, hex);
        if (strcmp(hex, c->mac) != 0)
            fail_msg("%s: got %s, want %s", c->name, hex, c->mac);

        asr_hmac_key k;
        asr_hmac_key_init(&k, key, klen);
        size_t half = mlen / 2;
        const void *parts[2] = {msg, msg + half};
        size_t lens[2] = {half, mlen - half};
        asr_hmac_sha256_parts(&k, 2, parts, lens, mac);
        asr_hmac_key_wipe(&k);
        to_hex(mac, want, hex);
        if (strcmp(hex, c->mac) != 0)
            fail_msg("%s (prepared key, two parts): got %s, want %s", c->name, hex, c->mac);
        free(key);
        free(msg);
    }
}

/* A prepared key gives the same MAC every time (it is not consumed by use). */
static void test_prepared_key_reusable(void **state)
{
    (void)state;
    asr_hmac_key k;
    asr_hmac_key_init(&k, "Jefe", 4);
    const char *m = "what do ya want for nothing?";
    const void *parts[1] = {m};
    size_t lens[1] = {strlen(m)};
    uint8_t a[ASR_SHA256_LEN], b[ASR_SHA256_LEN];
    asr_hmac_sha256_parts(&k, 1, parts, lens, a);
    asr_hmac_sha256_parts(&k, 1, parts, lens, b);
    assert_memory_equal(a, b, sizeof a);
    asr_hmac_key_wipe(&k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_vectors),
        cmocka_unit_test(test_hmac_vectors),
        cmocka_unit_test(test_prepared_key_reusable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
