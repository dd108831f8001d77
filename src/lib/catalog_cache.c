/*
 * catalog_cache.c — the compiled Hyperscan database as a blob for an on-disk cache.
 *
 * Compiling the catalogue's ~600 expressions takes about half a second; a serialized database
 * loads in about a millisecond. The library never touches the file system: the CLI reads the
 * cache file named by asr_catalog_cache_key() and hands its bytes to asr_catalog_open(), and
 * writes what asr_catalog_save_db() returns.
 *
 * A blob holds the whole loaded catalogue, not only the database: parsing and validating
 * the 1 MB of catalogue JSON would cost more than the rest of a small run. Signatures read
 * from a blob keep their strings in the blob; their `extract` is compiled and their JSON
 * object parsed only when a line or a report needs it.
 *
 * Blob layout (all integers little-endian):
 *   0   8  magic "ASRLOGDB"
 *   8   4  blob format version (ASR_DB_FORMAT)
 *   12  32 cache key (hex digits, see asr_catalog_cache_key)
 *   44  8  payload length
 *   52  4  CRC-32 of the payload (zlib)
 *   56  …  payload:
 *          u64 database length, hs_serialize_database() output,
 *          u32 signature count, then per signature: u32 effect, specificity, os, hs_flags,
 *          log_type_mask, default exit outcome, exit-outcome count; per exit outcome u64
 *          code and u32 outcome; then eight strings (u32 length, bytes, NUL): id, title,
 *          family, severity, source file, match, extract ("" for none), compact JSON object.
 * A blob is used only when every field checks out, every length stays inside it and
 * Hyperscan accepts the database for this CPU; anything else means "load and compile again".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "catalog.h"
#include "decode.h" /* asr_utf8_len */

#define ASR_DB_MAGIC "ASRLOGDB"
/* Bump when the way signatures become Hyperscan expressions (ids, flags, mode) changes. */
#define ASR_DB_FORMAT 2u
#define HDR_LEN 56u

/* One 64-bit hash step: xor, multiply by an odd constant, rotate. */
static uint64_t step(uint64_t h, uint64_t w, uint64_t mul, int rot)
{
    h = (h ^ w) * mul;
    return (h << rot) | (h >> (64 - rot));
}

/*
 * key_field — feeds one length-prefixed field into two 64-bit hashes that use different
 * constants, eight bytes at a time (the catalogue is about 1 MB and this runs at every start,
 * so a byte-at-a-time loop would cost milliseconds).
 */
static void key_field(uint64_t h[2], const void *data, size_t n)
{
    static const uint64_t m0 = 0x100000001B3ULL * 0x9E3779B97F4A7C15ULL | 1u;
    static const uint64_t m1 = 0xC2B2AE3D27D4EB4FULL;
    const unsigned char *p = data;
    h[0] = step(h[0], n, m0, 31);
    h[1] = step(h[1], n, m1, 27);
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8); /* unaligned load; byte order only has to be stable on one host */
        h[0] = step(h[0], w, m0, 31);
        h[1] = step(h[1], w, m1, 27);
        p += 8;
        n -= 8;
    }
    uint64_t tail = 0;
    memcpy(&tail, p, n);
    h[0] = step(h[0], tail ^ 0xA5, m0, 31);
    h[1] = step(h[1], tail ^ 0x5A, m1, 27);
}

/* Writes the two hashes as 32 hex digits. */
static void hex128(const uint64_t h[2], char out[33])
{
    static const char hex[] = "0123456789abcdef";
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < 16; i++)
            out[k * 16 + i] = hex[(h[k] >> (60 - 4 * i)) & 0xF];
    out[32] = '\0';
}

void asr_catalog_files_hash(const asr_source *files, size_t n_files, char out[33])
{
    uint64_t h[2] = {1469598103934665603ULL, 0x243F6A8885A308D3ULL};
    for (size_t i = 0; i < n_files; i++) {
        key_field(h, files[i].name, strlen(files[i].name));
        key_field(h, files[i].text, files[i].len);
    }
    hex128(h, out);
}

void asr_catalog_key_from_hash(const char files_hash[33], char key[33])
{
    uint64_t h[2] = {1469598103934665603ULL, 0x243F6A8885A308D3ULL};
    const char *fmt = ASRLOG_VERSION "/db";
    uint32_t format = ASR_DB_FORMAT;
    key_field(h, fmt, strlen(fmt));
    key_field(h, &format, sizeof format);
    const char *ver = hs_version();
    key_field(h, ver, strlen(ver));
    hs_platform_info_t plat;
    memset(&plat, 0, sizeof plat);
    if (hs_populate_platform(&plat) == HS_SUCCESS) {
        uint64_t feat = plat.cpu_features, tune = plat.tune;
        key_field(h, &feat, sizeof feat);
        key_field(h, &tune, sizeof tune);
    }
    key_field(h, files_hash, 32);
    hex128(h, key);
}

asr_error asr_catalog_cache_key(const asr_source *files, size_t n_files, char key[33])
{
    if (!key || (!files && n_files))
        return ASR_ERR_ARG;
    char files_hash[33];
    asr_catalog_files_hash(files, n_files, files_hash);
    asr_catalog_key_from_hash(files_hash, key);
    return ASR_OK;
}

/* Little-endian helpers for the header. */
static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

/* CRC-32 of a buffer of any size (zlib's length argument is a uInt). */
static uint32_t crc_of(const unsigned char *p, uint64_t n)
{
    uLong c = crc32(0L, Z_NULL, 0);
    while (n > 0) {
        uInt step = n > (1u << 30) ? (1u << 30) : (uInt)n;
        c = crc32(c, p, step);
        p += step;
        n -= step;
    }
    return (uint32_t)c;
}

/* A growing byte buffer for building the blob. */
typedef struct wbuf {
    unsigned char *p;
    size_t len, cap;
    int oom;
} wbuf;

/* Reserves n bytes at the end of the buffer; NULL (and oom set) when memory is short. */
static unsigned char *wb_room(wbuf *b, size_t n)
{
    if (b->oom)
        return NULL;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 1 << 20;
        while (cap < b->len + n)
            cap *= 2;
        unsigned char *q = realloc(b->p, cap);
        if (!q) {
            b->oom = 1;
            return NULL;
        }
        b->p = q;
        b->cap = cap;
    }
    unsigned char *at = b->p + b->len;
    b->len += n;
    return at;
}

static void wb_u32(wbuf *b, uint32_t v)
{
    unsigned char *p = wb_room(b, 4);
    if (p)
        put_u32(p, v);
}

static void wb_u64(wbuf *b, uint64_t v)
{
    unsigned char *p = wb_room(b, 8);
    if (p)
        put_u64(p, v);
}

static void wb_bytes(wbuf *b, const void *data, size_t n)
{
    unsigned char *p = wb_room(b, n);
    if (p && n)
        memcpy(p, data, n);
}

/* A string as u32 length, bytes, NUL (NULL is written as ""). */
static void wb_str(wbuf *b, const char *s, size_t n)
{
    wb_u32(b, (uint32_t)n);
    wb_bytes(b, s ? s : "", n);
    wb_bytes(b, "", 1);
}

/* Appends one signature's record. */
static void put_signature(wbuf *b, const asr_signature *s)
{
    wb_u32(b, (uint32_t)s->effect);
    wb_u32(b, (uint32_t)s->specificity);
    wb_u32(b, (uint32_t)s->os);
    wb_u32(b, s->hs_flags);
    wb_u32(b, s->log_type_mask);
    wb_u32(b, (uint32_t)s->default_exit_outcome);
    wb_u32(b, (uint32_t)s->n_exit_outcomes);
    for (size_t i = 0; i < s->n_exit_outcomes; i++) {
        wb_u64(b, (uint64_t)s->exit_outcomes[i].code);
        wb_u32(b, (uint32_t)s->exit_outcomes[i].outcome);
    }
    const char *strs[6] = {s->id, s->title, s->family, s->severity, s->source_file, s->match};
    for (int i = 0; i < 6; i++)
        wb_str(b, strs[i], strlen(strs[i]));
    json_t *obj = asr_sig_json(s);
    json_t *x = json_object_get(obj, "extract");
    wb_str(b, json_string_value(x), json_is_string(x) ? json_string_length(x) : 0);
    char *text = json_dumps(obj, JSON_COMPACT);
    if (!text)
        b->oom = 1;
    wb_str(b, text, text ? strlen(text) : 0);
    free(text);
}

asr_error asr_catalog_save_db(const asr_catalog *cat, void **out, size_t *len)
{
    if (!cat || !cat->db || !out || !len)
        return ASR_ERR_ARG;
    char *ser = NULL;
    size_t ser_len = 0;
    if (hs_serialize_database(cat->db, &ser, &ser_len) != HS_SUCCESS)
        return ASR_ERR_NOMEM;
    wbuf b = {0};
    wb_room(&b, HDR_LEN);
    wb_u64(&b, ser_len);
    wb_bytes(&b, ser, ser_len);
    free(ser); /* Hyperscan's default allocator is malloc */
    wb_u32(&b, (uint32_t)cat->n_sigs);
    for (size_t i = 0; i < cat->n_sigs; i++)
        put_signature(&b, &cat->sigs[i]);
    if (b.oom) {
        free(b.p);
        return ASR_ERR_NOMEM;
    }
    uint64_t payload = b.len - HDR_LEN;
    memcpy(b.p, ASR_DB_MAGIC, 8);
    put_u32(b.p + 8, ASR_DB_FORMAT);
    memcpy(b.p + 12, cat->cache_key, 32);
    put_u64(b.p + 44, payload);
    put_u32(b.p + 52, crc_of(b.p + HDR_LEN, payload));
    *out = b.p;
    *len = b.len;
    return ASR_OK;
}

/* A bounds-checked reader over the payload. */
typedef struct rbuf {
    const unsigned char *p;
    size_t len, at;
    int bad;
} rbuf;

static const unsigned char *rb_take(rbuf *r, size_t n)
{
    if (r->bad || n > r->len - r->at) {
        r->bad = 1;
        return NULL;
    }
    const unsigned char *p = r->p + r->at;
    r->at += n;
    return p;
}

static uint32_t rb_u32(rbuf *r)
{
    const unsigned char *p = rb_take(r, 4);
    return p ? get_u32(p) : 0;
}

static uint64_t rb_u64(rbuf *r)
{
    const unsigned char *p = rb_take(r, 8);
    return p ? get_u64(p) : 0;
}

/* Is p[0, n) valid UTF-8 without NUL? (Strings of a blob go into the JSON report.) */
static int valid_utf8(const unsigned char *p, size_t n)
{
    for (size_t i = 0, k; i < n; i += k) {
        if (p[i] == 0)
            return 0;
        if (p[i] < 0x80)
            k = 1; /* ASCII, nearly all of it: no call */
        else if (!(k = asr_utf8_len(p + i, n - i)))
            return 0;
    }
    return 1;
}

/* A string written by wb_str: points into the blob (NUL-terminated there). `check`: must be
 * valid UTF-8 (the JSON text is not checked here: jansson checks it when it is parsed). */
static const char *rb_str(rbuf *r, size_t *len, int check)
{
    uint32_t n = rb_u32(r);
    const unsigned char *p = rb_take(r, (size_t)n + 1);
    if (!p || p[n] != '\0' || (check && !valid_utf8(p, n))) {
        r->bad = 1;
        return NULL;
    }
    if (len)
        *len = n;
    return (const char *)p;
}

/* Reads one signature record; 0 when the record is malformed. */
static int get_signature(rbuf *r, asr_signature *s)
{
    s->borrowed = 1;
    uint32_t eff = rb_u32(r), spec = rb_u32(r), os = rb_u32(r);
    s->hs_flags = rb_u32(r);
    s->log_type_mask = rb_u32(r);
    uint32_t def = rb_u32(r), n = rb_u32(r);
    if (r->bad || eff >= ASR_EFFECT__COUNT || spec > 100 || os > ASR_OS_LINUX ||
        def > ASR_OUTCOME_FAILED || n > 4096)
        return 0;
    s->effect = (asr_effect)eff;
    s->specificity = (int)spec;
    s->os = (asr_os)os;
    s->default_exit_outcome = (asr_outcome)def;
    if (n && !(s->exit_outcomes = calloc(n, sizeof *s->exit_outcomes)))
        return 0;
    s->n_exit_outcomes = n;
    for (uint32_t i = 0; i < n; i++) {
        s->exit_outcomes[i].code = (int64_t)rb_u64(r);
        uint32_t o = rb_u32(r);
        if (o > ASR_OUTCOME_FAILED)
            return 0;
        s->exit_outcomes[i].outcome = (asr_outcome)o;
    }
    size_t xlen = 0;
    s->id = (char *)rb_str(r, NULL, 1);
    s->title = (char *)rb_str(r, NULL, 1);
    s->family = (char *)rb_str(r, NULL, 1);
    s->severity = (char *)rb_str(r, NULL, 1);
    s->source_file = (char *)rb_str(r, NULL, 1);
    s->match = (char *)rb_str(r, NULL, 1);
    s->extract_src = rb_str(r, &xlen, 1);
    s->json_text = rb_str(r, &s->json_len, 0);
    if (r->bad || !s->id[0])
        return 0;
    if (xlen == 0)
        s->extract_src = NULL;
    return 1;
}

/* Checks the header of a blob; NULL when it is sound, else why not. */
static const char *check_header(const asr_catalog *cat, const unsigned char *b, size_t len)
{
    if (!b || len == 0)
        return "no cache";
    if (len < HDR_LEN || memcmp(b, ASR_DB_MAGIC, 8) != 0)
        return "not an asrlog database";
    if (get_u32(b + 8) != ASR_DB_FORMAT)
        return "database format differs";
    if (memcmp(b + 12, cat->cache_key, 32) != 0)
        return "built for another catalogue, engine or CPU";
    if (get_u64(b + 44) != len - HDR_LEN)
        return "truncated";
    if (crc_of(b + HDR_LEN, len - HDR_LEN) != get_u32(b + 52))
        return "checksum mismatch";
    return NULL;
}

/* Loads the Hyperscan database of a checked blob; NULL on success, else why not. */
static const char *load_database(rbuf *r, hs_database_t **out)
{
    uint64_t n = rb_u64(r);
    const unsigned char *ser = rb_take(r, n > SIZE_MAX ? SIZE_MAX : (size_t)n);
    if (!ser)
        return "malformed";
    char *info = NULL;
    if (hs_serialized_database_info((const char *)ser, (size_t)n, &info) != HS_SUCCESS)
        return "Hyperscan does not recognise it";
    free(info);
    hs_database_t *db = NULL;
    if (hs_deserialize_database((const char *)ser, (size_t)n, &db) != HS_SUCCESS)
        return "Hyperscan refused it";
    hs_scratch_t *probe = NULL;
    if (hs_alloc_scratch(db, &probe) != HS_SUCCESS) { /* e.g. built for another CPU */
        hs_free_database(db);
        return "not usable on this CPU";
    }
    hs_free_scratch(probe);
    *out = db;
    return NULL;
}

const char *asr_catalog_from_blob(asr_catalog *cat, const void *blob, size_t len, int keep)
{
    const char *why = check_header(cat, blob, len);
    if (why)
        return why;
    /* the signatures' strings live in the blob: ours, or the caller's when it keeps it */
    unsigned char *copy = keep ? NULL : malloc(len);
    if (!keep && !copy)
        return "out of memory";
    if (copy)
        memcpy(copy, blob, len);
    const unsigned char *base = copy ? copy : (const unsigned char *)blob;
    rbuf r = {base + HDR_LEN, len - HDR_LEN, 0, 0};
    hs_database_t *db = NULL;
    if ((why = load_database(&r, &db))) {
        free(copy);
        return why;
    }
    uint32_t n = rb_u32(&r);
    asr_signature *sigs = n && n < (1u << 20) ? calloc(n, sizeof *sigs) : NULL;
    int ok = sigs != NULL;
    for (uint32_t i = 0; ok && i < n; i++)
        ok = get_signature(&r, &sigs[i]);
    if (!ok || r.at != r.len) {
        for (uint32_t i = 0; sigs && i < n; i++)
            asr_signature_clear(&sigs[i]);
        free(sigs);
        hs_free_database(db);
        free(copy);
        return "malformed";
    }
    cat->db = db;
    cat->sigs = sigs;
    cat->n_sigs = n;
    cat->blob = copy;
    return NULL;
}

int asr_catalog_db_cached(const asr_catalog *cat, const char **why)
{
    if (!cat)
        return 0;
    if (why)
        *why = cat->db_refused ? cat->db_refused : "";
    return cat->db_cached;
}

void asr_engine_versions(char *buf, size_t size)
{
    char pcre[64] = "?";
    pcre2_config(PCRE2_CONFIG_VERSION, pcre);
    snprintf(buf, size, "Hyperscan %s, PCRE2 %s, zlib %s, jansson %s", hs_version(), pcre,
             zlibVersion(), jansson_version_str());
}
