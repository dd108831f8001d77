/*
 * scan.c — one Hyperscan pass over line-aligned blocks of decoded text.
 *
 * Data flow for one input: raw bytes -> decoder (gzip, UTF-16, CRLF) -> complete lines are
 * scanned in blocks of at least ASR_SCAN_MIN bytes, where the decoder left them when its chunk
 * is that large, else gathered in the `pending` buffer first. The match callback only records
 * (signature, end offset); line numbers, PCRE2 extraction and record context (the InMage
 * `#~> ` header a push-log line belongs to) are worked out after hs_scan returns, for matched
 * lines only. Non-matching lines cost nothing beyond the Hyperscan pass and a newline count.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"

#define ASR_BLOCK (1u << 20)
#define ASR_SNIFF_BYTES 65536
#define ASR_LINE_MAX (8u * ASR_BLOCK) /* a line longer than this is scanned in pieces */
#define ASR_SCAN_MIN (64u * 1024u)      /* smallest block handed to Hyperscan (but the last) */
/* the log type is sniffed when the first block is drained: it must hold the sniffed bytes */
_Static_assert(ASR_SCAN_MIN >= ASR_SNIFF_BYTES, "the first drained block must cover the sniff");

/* ------------------------------------------------------------------------------------------ */
/* scanner */

asr_error asr_scanner_new(const asr_catalog *cat, asr_scanner **out)
{
    if (!cat || !cat->db || !out)
        return ASR_ERR_ARG;
    asr_scanner *s = calloc(1, sizeof *s);
    if (!s)
        return ASR_ERR_NOMEM;
    s->cat = cat;
    s->limits.evidence_max = ASR_EVIDENCE_MAX;
    s->limits.kept_per_signature = ASR_STORED_PER_SIG;
    s->last_end = calloc(cat->n_sigs, sizeof *s->last_end);
    s->cap_matches = 4096;
    s->matches = malloc(s->cap_matches * sizeof *s->matches);
    s->md = pcre2_match_data_create(64, NULL);
    s->field_cache = json_object();
    if (asr_decoder_new(0, &s->decoder) != ASR_OK)
        s->decoder = NULL;
    if (!s->last_end || !s->matches || !s->md || !s->decoder || !s->field_cache ||
        hs_alloc_scratch(cat->db, &s->scratch) != HS_SUCCESS) {
        asr_scanner_free(s);
        return ASR_ERR_NOMEM;
    }
    *out = s;
    return ASR_OK;
}

asr_error asr_scanner_set_limits(asr_scanner *s, const asr_limits *lim)
{
    if (!s || !lim || (lim->evidence_max && lim->evidence_max < 64))
        return ASR_ERR_ARG;
    s->limits.evidence_max = lim->evidence_max ? lim->evidence_max : ASR_EVIDENCE_MAX;
    s->limits.kept_per_signature =
        lim->kept_per_signature ? lim->kept_per_signature : ASR_STORED_PER_SIG;
    return ASR_OK;
}

void asr_scanner_free(asr_scanner *s)
{
    if (!s)
        return;
    if (s->scratch)
        hs_free_scratch(s->scratch);
    if (s->md)
        pcre2_match_data_free(s->md);
    asr_decoder_free(s->decoder);
    json_decref(s->field_cache);
    free(s->last_end);
    free(s->matches);
    free(s);
}

/*
 * on_match — Hyperscan callback: records (signature, end offset) once per line and signature.
 * It grows the match array when full (matches are rare; this is not per byte).
 */
static int on_match(unsigned int id, unsigned long long from, unsigned long long to,
                    unsigned int flags, void *ctx)
{
    (void)from;
    (void)flags;
    asr_scanner *s = ctx;
    if (id >= s->cat->n_sigs)
        return 0; /* a database that names no signature (a damaged cache) must not index out */
    uint64_t abs_to = s->block_base + to;
    if (abs_to <= s->last_end[id] && s->last_end[id] != 0)
        return 0; /* same line as the last hit of this signature */
    const char *nl = memchr(s->block + to, '\n', s->block_len - to);
    size_t line_end = nl ? (size_t)(nl - s->block) : s->block_len;
    s->last_end[id] = s->block_base + line_end + 1;
    if (s->n_matches == s->cap_matches) {
        asr_match *p = asr_grow(s->matches, &s->cap_matches, sizeof *p, 4096);
        if (!p) {
            s->match_oom = 1;
            return 1; /* stop the scan */
        }
        s->matches = p;
    }
    s->matches[s->n_matches].id = id;
    s->matches[s->n_matches].to = to;
    s->n_matches++;
    return 0;
}

/* qsort order: end offset, then signature. */
static int cmp_match(const void *a, const void *b)
{
    const asr_match *x = a, *y = b;
    if (x->to != y->to)
        return x->to < y->to ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

/* ------------------------------------------------------------------------------------------ */
/* input lifecycle */

/* Base name of a path (after the last '/' or '\\'). */
static const char *base_of(const char *path)
{
    const char *b = path;
    for (const char *p = path; *p; p++)
        if (*p == '/' || *p == '\\')
            b = p + 1;
    return b;
}

/* Decides the log type and the "<HOST>_" prefix from the file name. */
static void classify_name(asr_input *in)
{
    size_t name_start = 0;
    in->log_type = asr_log_type_from_name(in->base_name, &name_start);
    size_t tp = asr_name_time_prefix(in->base_name, &in->name_time);
    if (in->log_type != ASR_LOG_UNKNOWN && name_start > tp + 1)
        in->file_host = asr_strndup(in->base_name + tp, name_start - tp - 1);
}

asr_error asr_input_new(asr_scanner *scanner, const asr_input_info *info, asr_input **out)
{
    if (!scanner || !info || !info->path || !out)
        return ASR_ERR_ARG;
    asr_input *in = calloc(1, sizeof *in);
    if (!in)
        return ASR_ERR_NOMEM;
    in->cat = scanner->cat;
    in->scanner = scanner;
    in->limits = scanner->limits;
    /* names come from the file system and the command line: any bytes */
    in->path = asr_strdup_name(info->path);
    in->arg_host = asr_strdup_name(info->arg_host);
    in->path_host = asr_strdup_name(info->path_host);
    in->base_name = asr_strdup(base_of(in->path ? in->path : info->path));
    in->status = asr_strdup("analyzed");
    in->carry_tid = -1;
    in->carry_found = 0;
    asr_error err = ASR_ERR_NOMEM;
    if (!in->path || !in->base_name || !in->status || (info->arg_host && !in->arg_host) ||
        (info->path_host && !in->path_host))
        goto fail;
    classify_name(in);
    /* the scanner's decoder keeps its buffers from input to input (no per-file allocation) */
    in->decoder = scanner->decoder;
    asr_decoder_reset(in->decoder);
    asr_decoder_set_limit(in->decoder, info->max_decoded);
    in->encoding = "utf-8";
    /* Absolute offsets start at 1 so that last_end == 0 means "nothing recorded yet". */
    in->base_offset = 1;
    memset(scanner->last_end, 0, scanner->cat->n_sigs * sizeof *scanner->last_end);
    *out = in;
    return ASR_OK;
fail:
    asr_input_free(in);
    return err;
}

void asr_input_free(asr_input *in)
{
    if (!in)
        return;
    free(in->path);
    free(in->arg_host);
    free(in->path_host);
    free(in->file_host);
    free(in->base_name);
    free(in->status);
    free(in->reason);
    asr_buf_free(&in->pending);
    for (size_t i = 0; i < in->n_hits; i++) {
        free(in->hits[i].text);
        json_decref(in->hits[i].fields);
    }
    free(in->hits);
    free(in->counts);
    free(in);
}

asr_error asr_input_set_status(asr_input *in, const char *status, const char *reason)
{
    if (!in || !status)
        return ASR_ERR_ARG;
    char *s = asr_strdup(status), *r = asr_strdup_name(reason); /* reasons quote names */
    if (!s || (reason && !r)) {
        free(s);
        free(r);
        return ASR_ERR_NOMEM;
    }
    free(in->status);
    free(in->reason);
    in->status = s;
    in->reason = r;
    return ASR_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* hits */

/* Finds or adds the count entry of `sig`. */
static asr_sig_count *count_for(asr_input *in, uint32_t sig)
{
    for (size_t i = 0; i < in->n_counts; i++)
        if (in->counts[i].sig == sig)
            return &in->counts[i];
    if (in->n_counts == in->cap_counts) {
        asr_sig_count *p = asr_grow(in->counts, &in->cap_counts, sizeof *p, 16);
        if (!p)
            return NULL;
        in->counts = p;
    }
    asr_sig_count *c = &in->counts[in->n_counts++];
    c->sig = sig;
    c->count = 0;
    c->stored = 0;
    c->last = SIZE_MAX;
    return c;
}

/* Cuts a UTF-8 string to at most `max` bytes without splitting a character. */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    size_t n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

/* A matched line as evidence text: a C string, so each NUL byte (which would end it early and
 * lose the rest of the line) becomes U+FFFD. The caller frees it; NULL when memory is short. */
static char *evidence_copy(const char *line, size_t len)
{
    size_t nuls = 0;
    for (size_t i = 0; i < len; i++)
        nuls += line[i] == '\0';
    char *t = malloc(len + 2 * nuls + 1);
    if (!t)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        if (line[i] == '\0') {
            memcpy(t + k, "\xEF\xBF\xBD", 3);
            k += 3;
        } else {
            t[k++] = line[i];
        }
    }
    t[k] = '\0';
    return t;
}

/* An extracted field's text as a JSON string, with NUL bytes shown as in evidence_copy (a
 * "\u0000" in the report would be refused by many JSON readers). NULL when memory is short. */
static json_t *field_text(const char *v, size_t n)
{
    char *t = evidence_copy(v, n);
    json_t *j = t ? json_string(t) : NULL;
    free(t);
    return j;
}

/* Are v[0..n) all hex digits? */
static int all_hex(const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)v[i]))
            return 0;
    return n > 0;
}

/* "0x…" with upper-case hex digits for an HRESULT written as "0x8004e00f", as eight bare hex
 * digits ("800706ba", the push service's std::hex output) or as a signed decimal. */
static json_t *normalise_hresult(const char *v, size_t n)
{
    char buf[32];
    int prefixed = n >= 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X');
    if (prefixed || (n == 8 && all_hex(v, n))) {
        size_t k = 0;
        buf[k++] = '0';
        buf[k++] = 'x';
        for (size_t i = prefixed ? 2 : 0; i < n && k < sizeof buf - 1; i++)
            buf[k++] = (char)toupper((unsigned char)v[i]);
        buf[k] = '\0';
        return json_string(buf);
    }
    char tmp[32];
    if (n >= sizeof tmp)
        return field_text(v, n);
    memcpy(tmp, v, n);
    tmp[n] = '\0';
    char *end;
    long long d = strtoll(tmp, &end, 10);
    if (*end)
        return field_text(v, n);
    snprintf(buf, sizeof buf, "0x%X", (unsigned)(uint32_t)(int32_t)d);
    return json_string(buf);
}

#define ASR_FIELD_CACHE_MAX 1024 /* field objects a scanner remembers before it starts over */

/*
 * intern_fields — the object this scanner made earlier with the same members and values as
 * `obj`, or `obj` itself, which is remembered. Logs repeat their extracted values (exit code
 * 0, the same IP in every line of a push job), and a jansson object costs some 300 bytes, so
 * hits with equal fields share one object; nothing changes a hit's fields once made. Takes
 * `obj` and returns a reference for the hit. When the cache is full it starts over (the
 * objects live on in their hits); a failure to remember only costs the sharing.
 */
static json_t *intern_fields(asr_scanner *s, json_t *obj)
{
    /* in member order: the report shows a root cause's fields in the order they were made */
    char *key = json_dumps(obj, JSON_COMPACT);
    if (!key)
        return obj;
    json_t *seen = json_object_get(s->field_cache, key);
    if (seen) {
        json_decref(obj);
        obj = json_incref(seen);
    } else {
        if (json_object_size(s->field_cache) >= ASR_FIELD_CACHE_MAX)
            json_object_clear(s->field_cache);
        json_object_set_nocheck(s->field_cache, key, obj); /* the cache's own reference */
    }
    free(key);
    return obj;
}

/* Runs the signature's PCRE2 extract on the line; returns an object of named groups or NULL. */
static json_t *extract_fields(asr_scanner *s, const asr_signature *sig, const char *line,
                              size_t len)
{
    pcre2_code *re = asr_sig_extract(sig);
    if (!re)
        return NULL;
    int rc = pcre2_match(re, (PCRE2_SPTR)line, len, 0, 0, s->md, NULL);
    if (rc < 0)
        return NULL;
    uint32_t count = 0, entry = 0;
    PCRE2_SPTR table = NULL;
    pcre2_pattern_info(re, PCRE2_INFO_NAMECOUNT, &count);
    if (count == 0)
        return NULL;
    pcre2_pattern_info(re, PCRE2_INFO_NAMEENTRYSIZE, &entry);
    pcre2_pattern_info(re, PCRE2_INFO_NAMETABLE, &table);
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
    json_t *obj = json_object();
    if (!obj)
        return NULL;
    for (uint32_t i = 0; i < count; i++) {
        const unsigned char *e = table + (size_t)i * entry;
        int group = (e[0] << 8) | e[1];
        const char *name = (const char *)e + 2;
        if (group >= rc || ov[2 * group] == PCRE2_UNSET)
            continue;
        const char *v = line + ov[2 * group];
        size_t n = ov[2 * group + 1] - ov[2 * group];
        json_t *val;
        if (strcmp(name, "exit_code") == 0) {
            char tmp[24];
            if (n == 0 || n >= sizeof tmp)
                continue;
            memcpy(tmp, v, n);
            tmp[n] = '\0';
            char *end;
            long long x = strtoll(tmp, &end, 10);
            val = *end ? field_text(v, n) : json_integer(x);
        } else if (strcmp(name, "hresult") == 0) {
            val = normalise_hresult(v, n);
        } else {
            val = field_text(v, utf8_cut(v, n, 256));
        }
        if (val)
            json_object_set_new(obj, name, val);
    }
    if (json_object_size(obj) == 0) {
        json_decref(obj);
        return NULL;
    }
    return intern_fields(s, obj);
}

/* Parses an InMage logger header "#~> (MM-DD-YYYY HH:MM:SS): LEVEL PID TID SEQ ". */
static int parse_record_header(const char *p, size_t n, int64_t *tid, asr_time *t)
{
    if (n < 26 || memcmp(p, "#~> (", 5) != 0)
        return 0;
    *tid = -1; /* a header whose numbers cannot be read names no thread (not the last one's) */
    if (!asr_time_parse(p + 5, 19, t))
        memset(t, 0, sizeof *t);
    size_t i = 24;
    while (i < n && p[i] != ' ')
        i++; /* "): " */
    while (i < n && p[i] == ' ')
        i++;
    while (i < n && p[i] != ' ' && p[i] != '\n')
        i++; /* level */
    long long v[2] = {-1, -1};
    for (int k = 0; k < 2; k++) {
        while (i < n && p[i] == ' ')
            i++;
        if (i >= n || !isdigit((unsigned char)p[i]))
            return 1;
        long long x = 0;
        while (i < n && isdigit((unsigned char)p[i])) {
            int digit = p[i++] - '0';
            x = x > (LLONG_MAX - digit) / 10 ? LLONG_MAX : x * 10 + digit; /* saturates */
        }
        v[k] = x;
    }
    *tid = v[1];
    return 1;
}

/* The record-context tracker for multi-line InMage records within one block. */
typedef struct record_ctx record_ctx;
static int last_header_in_line(const char *data, size_t len, size_t p, record_ctx *rc);

struct record_ctx {
    int checked;           /* searched_from is valid */
    size_t searched_from;  /* start of the last line looked up; lines up to it are known */
    int found;
    int64_t tid;
    asr_time time;
};

/*
 * last_header_in_line — the last "#~> (" record header in the line starting at p. A record
 * may begin in the middle of a line when the previous message had no final newline (the push
 * service logs "InstallerExtendedErrors.json content: %s" that way). Returns 1 when found.
 */
static int last_header_in_line(const char *data, size_t len, size_t p, record_ctx *rc)
{
    const char *nl = memchr(data + p, '\n', len - p);
    size_t end = nl ? (size_t)(nl - data) : len, at = p, last = (size_t)-1;
    const char *h;
    while (at < end && (h = asr_memmem(data + at, end - at, "#~> (", 5))) {
        last = (size_t)(h - data);
        at = last + 5;
    }
    if (last == (size_t)-1)
        return 0;
    /* the header is read within its own line: what follows the line (more or less of it,
     * depending on where the block ends) must not decide whether this is a header */
    size_t avail = end - last < 64 ? end - last : 64;
    if (!parse_record_header(data + last, avail, &rc->tid, &rc->time))
        return 0;
    rc->found = 1;
    return 1;
}

/*
 * record_for_line — finds the `#~> ` header governing the line starting at `ls` in
 * data[0, len), looking backwards only over lines not examined by an earlier call (hits arrive
 * in increasing order, so each byte is looked at once per block).
 */
static void record_for_line(const char *data, size_t len, size_t ls, record_ctx *rc)
{
    size_t p = ls;
    for (;;) {
        if (rc->checked && p <= rc->searched_from)
            break;
        if (last_header_in_line(data, len, p, rc))
            break;
        if (p == 0)
            break;
        size_t q = p - 1;
        while (q > 0 && data[q - 1] != '\n')
            q--;
        p = q;
    }
    rc->checked = 1;
    rc->searched_from = ls;
}

/* Appends a hit (or only counts it when the per-signature store is full). */
/*
 * hit_slot — where the next kept hit of signature `sig_idx` goes: *slot is the next free entry
 * of in->hits (not yet counted in n_hits), or NULL when the signature already keeps as many
 * hits as it may in this attempt (markers, context and logs of many hosts keep more than
 * evidence of one host's log) or the input keeps ASR_STORED_TOTAL. *count is its count entry.
 */
static asr_error hit_slot(asr_input *in, uint32_t sig_idx, asr_sig_count **count, asr_hit **slot)
{
    const asr_signature *sig = &in->cat->sigs[sig_idx];
    asr_sig_count *c = count_for(in, sig_idx);
    *slot = NULL;
    if (!(*count = c))
        return ASR_ERR_NOMEM;
    int marker = sig->effect == ASR_EFFECT_ATTEMPT_START ||
                 sig->effect == ASR_EFFECT_ATTEMPT_END || sig->effect == ASR_EFFECT_CONTEXT;
    /* a configuration server's push-service log and pasted portal errors speak of many hosts:
     * each host needs its own evidence, so they keep as many hits as markers do */
    int many_hosts = in->log_type == ASR_LOG_PUSH_SERVICE || in->log_type == ASR_LOG_PORTAL_ERROR;
    if (c->stored >= (marker || many_hosts ? ASR_STORED_MARKERS : in->limits.kept_per_signature) ||
        in->n_hits >= ASR_STORED_TOTAL)
        return ASR_OK;
    if (in->n_hits == in->cap_hits) {
        asr_hit *p = asr_grow(in->hits, &in->cap_hits, sizeof *p, 32);
        if (!p)
            return ASR_ERR_NOMEM;
        in->hits = p;
    }
    *slot = &in->hits[in->n_hits];
    return ASR_OK;
}

/*
 * keep_hit — counts the hit just written at in->hits[n_hits] as kept. An attempt start opens a
 * new allowance: each attempt keeps its own first hits of every signature, so that the later
 * (deciding) attempts of a long log are never left without evidence.
 */
static void keep_hit(asr_input *in, asr_sig_count *c, const asr_signature *sig)
{
    c->stored++;
    c->last = in->n_hits++;
    if (sig->effect == ASR_EFFECT_ATTEMPT_START)
        for (size_t i = 0; i < in->n_counts; i++)
            if (in->cat->sigs[in->counts[i].sig].effect != ASR_EFFECT_ATTEMPT_START)
                in->counts[i].stored = 0;
}

static asr_error add_hit(asr_input *in, uint32_t sig_idx, uint64_t line_no, const char *line,
                         size_t len, const record_ctx *rc)
{
    const asr_signature *sig = &in->cat->sigs[sig_idx];
    asr_sig_count *c;
    asr_hit *h;
    asr_error err = hit_slot(in, sig_idx, &c, &h);
    if (c)
        c->count++;
    if (!err && !h && c->last != SIZE_MAX)
        in->hits[c->last].weight++; /* counted, not kept: its kept neighbour stands for it */
    if (err || !h)
        return err;
    memset(h, 0, sizeof *h);
    h->sig = sig_idx;
    h->weight = 1;
    h->line = line_no;
    h->tid = rc && rc->found ? rc->tid : -1;
    h->no_record = rc && !rc->found;
    if (rc && rc->found)
        h->time = rc->time;
    h->text = evidence_copy(line, utf8_cut(line, len, in->limits.evidence_max));
    if (!h->text)
        return ASR_ERR_NOMEM;
    h->fields = extract_fields(in->scanner, sig, line, len);
    if (h->fields) {
        json_t *st = json_object_get(h->fields, "started");
        if (json_is_string(st)) {
            asr_time t;
            if (asr_time_parse(json_string_value(st), json_string_length(st), &t)) {
                h->time = t;
                h->field_time = 1;
            }
        }
    }
    keep_hit(in, c, sig);
    return ASR_OK;
}

/* Number of '\n' in data[from, to). */
static uint64_t count_newlines(const char *data, size_t from, size_t to)
{
    uint64_t n = 0;
    const char *p = data + from, *end = data + to;
    while (p < end && (p = memchr(p, '\n', (size_t)(end - p)))) {
        n++;
        p++;
    }
    return n;
}

/* Is signature `sig` allowed to hit in this input's log type? */
static int sig_applies(const asr_signature *sig, asr_log_type t)
{
    return sig->log_type_mask == 0 || (sig->log_type_mask & (1u << t));
}

/*
 * scan_block — scans data[0, len) (whole lines, ending in '\n') and records hits.
 */
static asr_error scan_block(asr_input *in, const char *data, size_t len)
{
    asr_scanner *s = in->scanner;
    s->block = data;
    s->block_len = len;
    s->block_base = in->base_offset;
    s->n_matches = 0;
    s->match_oom = 0;
    hs_error_t rc = hs_scan(in->cat->db, data, (unsigned)len, 0, s->scratch, on_match, s);
    if (s->match_oom)
        return ASR_ERR_NOMEM;
    if (rc != HS_SUCCESS && rc != HS_SCAN_TERMINATED)
        return ASR_ERR_SCAN;
    qsort(s->matches, s->n_matches, sizeof *s->matches, cmp_match);
    int push = in->log_type == ASR_LOG_PUSH_SERVICE || in->log_type == ASR_LOG_PUSH_JOB;
    record_ctx rc_ctx = {0, 0, in->carry_found, in->carry_tid, in->carry_time};
    size_t pos = 0;         /* newlines counted up to here */
    uint64_t line_no = in->lines + 1;
    for (size_t i = 0; i < s->n_matches; i++) {
        const asr_signature *sig = &in->cat->sigs[s->matches[i].id];
        if (!sig_applies(sig, in->log_type))
            continue;
        size_t to = (size_t)s->matches[i].to;
        size_t ls = to;
        while (ls > 0 && data[ls - 1] != '\n')
            ls--;
        if (ls > pos) {
            line_no += count_newlines(data, pos, ls);
            pos = ls;
        }
        const char *nl = memchr(data + ls, '\n', len - ls);
        size_t le = nl ? (size_t)(nl - data) : len;
        if (push)
            record_for_line(data, len, ls, &rc_ctx);
        asr_error err = add_hit(in, s->matches[i].id, line_no, data + ls, le - ls,
                                push ? &rc_ctx : NULL);
        if (err)
            return err;
    }
    if (push) {
        /* the record that is open at the end of the block continues in the next one */
        size_t last = len ? len - 1 : 0;
        while (last > 0 && data[last - 1] != '\n')
            last--;
        record_for_line(data, len, last, &rc_ctx);
        in->carry_found = rc_ctx.found;
        in->carry_tid = rc_ctx.found ? rc_ctx.tid : -1;
        in->carry_time = rc_ctx.time;
    }
    in->lines = line_no - 1 + count_newlines(data, pos, len);
    in->base_offset += len;
    in->bytes += len;
    return ASR_OK;
}

/* Scans every complete line in `pending` once there is at least `min` bytes of them. */
static asr_error drain_pending(asr_input *in, size_t min)
{
    if (in->pending.len < min || in->pending.len == 0)
        return ASR_OK;
    if (!in->sniffed) {
        /* the log type by content: the first ASR_SNIFF_BYTES of decoded text (or all of a
         * shorter input), the same bytes asr_input_new_part() looks at */
        in->sniffed = 1;
        if (in->log_type == ASR_LOG_UNKNOWN)
            in->log_type = asr_log_type_from_content(
                in->pending.data, in->pending.len < ASR_SNIFF_BYTES ? in->pending.len
                                                                    : ASR_SNIFF_BYTES);
    }
    const char *d = in->pending.data;
    size_t n = in->pending.len;
    while (n > 0 && d[n - 1] != '\n')
        n--;
    if (n == 0) {
        if (in->pending.len < ASR_LINE_MAX)
            return ASR_OK;
        /* one line longer than ASR_LINE_MAX: scan what has come of it so that memory stays
         * bounded. `pending` ends on a character boundary; a match across the cut is missed
         * and the line's later pieces keep its line number. */
        n = in->pending.len;
    }
    asr_error err = scan_block(in, d, n);
    if (err)
        return err;
    memmove(in->pending.data, d + n, in->pending.len - n);
    in->pending.len -= n;
    return ASR_OK;
}

/* Offset just past the last '\n' in data[0, len), or 0 when there is none. */
static size_t after_last_newline(const char *data, size_t len)
{
    while (len > 0 && data[len - 1] != '\n')
        len--;
    return len;
}

/*
 * sink_decoded — the decoder's output. A large chunk's complete lines are scanned where the
 * decoder left them (no copy). Small chunks (the decoder hands over a converted CRLF or UTF-16
 * text in pieces, down to single lines) gather in `pending` until there is ASR_SCAN_MIN of
 * it, so that Hyperscan is never called per line. Before the log type is known everything
 * gathers until ASR_SNIFF_BYTES.
 */
static asr_error sink_decoded(void *ctx, const char *data, size_t len)
{
    asr_input *in = ctx;
    asr_error err;
    if (in->sniffed && in->pending.len == 0 && len >= ASR_SCAN_MIN) {
        size_t whole = after_last_newline(data, len);
        if (whole > 0 && (err = scan_block(in, data, whole)))
            return err;
        data += whole;
        len -= whole;
        if (len == 0)
            return ASR_OK;
    }
    /* Text kept from a call that reached ASR_SCAN_MIN holds no '\n' (that call scanned every
     * complete line). When `data` brings none either there is nothing to scan yet, and
     * searching the kept text again for a line end would make a long line cost quadratic time. */
    int drained = in->pending.len >= ASR_SCAN_MIN;
    if ((err = asr_buf_append(&in->pending, data, len)))
        return err;
    if (drained && in->pending.len < ASR_LINE_MAX && !memchr(data, '\n', len))
        return ASR_OK;
    return drain_pending(in, ASR_SCAN_MIN);
}

asr_error asr_input_feed(asr_input *in, const void *data, size_t len)
{
    if (!in || !in->decoder)
        return ASR_ERR_ARG;
    if (in->error)
        return in->error;
    in->bytes_in += len;
    asr_error err = asr_decoder_feed(in->decoder, data, len, sink_decoded, in);
    if (err)
        in->error = err;
    return err;
}

/*
 * shrink_to_fit — gives back the unused room of an ended input's hit and count arrays (they
 * grow by doubling while the input is read). An ended input lives until the report is built,
 * so in a tree of many small files this room would add up. A failed realloc keeps the larger
 * block, which is still valid.
 */
static void shrink_to_fit(asr_input *in)
{
    if (in->n_hits == 0) {
        free(in->hits);
        in->hits = NULL;
        in->cap_hits = 0;
    } else if (in->n_hits < in->cap_hits) {
        asr_hit *h = realloc(in->hits, in->n_hits * sizeof *h);
        if (h) {
            in->hits = h;
            in->cap_hits = in->n_hits;
        }
    }
    if (in->n_counts == 0) {
        free(in->counts);
        in->counts = NULL;
        in->cap_counts = 0;
    } else if (in->n_counts < in->cap_counts) {
        asr_sig_count *c = realloc(in->counts, in->n_counts * sizeof *c);
        if (c) {
            in->counts = c;
            in->cap_counts = in->n_counts;
        }
    }
}

/* Records why an input stopped early, as the input's reason. */
static void note_stop(asr_input *in, asr_error err)
{
    const asr_decode_stats *st = asr_decoder_stats(in->decoder);
    char msg[200];
    if (err == ASR_ERR_DECODE && st->truncated)
        snprintf(msg, sizeof msg, "corrupt or truncated gzip stream; the %llu bytes before it "
                 "were analysed", (unsigned long long)in->bytes);
    else if (err == ASR_ERR_LIMIT)
        snprintf(msg, sizeof msg, "decompressed size limit reached; the first %llu bytes were "
                 "analysed", (unsigned long long)in->bytes);
    else
        snprintf(msg, sizeof msg, "%s", asr_strerror(err));
    free(in->reason);
    in->reason = asr_strdup(msg);
}

asr_error asr_input_end(asr_input *in)
{
    if (!in || !in->decoder)
        return ASR_ERR_ARG;
    asr_error err = in->error;
    if (!err || err == ASR_ERR_DECODE || err == ASR_ERR_LIMIT) {
        asr_error fin = err ? ASR_OK : asr_decoder_finish(in->decoder, sink_decoded, in);
        if (fin && !err)
            err = fin;
        /* scan what is left, even after a decode error: evidence before it still counts */
        asr_error e2 = ASR_OK;
        if (in->pending.len && in->pending.data[in->pending.len - 1] != '\n')
            e2 = asr_buf_append(&in->pending, "\n", 1);
        if (!e2)
            e2 = drain_pending(in, 1);
        if (e2 && !err)
            err = e2;
    }
    if (err)
        note_stop(in, err);
    in->error = err;
    asr_buf_free(&in->pending);
    in->encoding = asr_decoder_stats(in->decoder)->encoding;
    in->decoder = NULL; /* the scanner may now start its next input */
    shrink_to_fit(in);
    return err;
}

/* ------------------------------------------------------------------------------------------ */
/* large files in pieces */

/* Sink that drops the text: asr_input_splittable needs only the decoder's decisions. */
static asr_error sink_discard(void *ctx, const char *data, size_t len)
{
    (void)ctx;
    (void)data;
    (void)len;
    return ASR_OK;
}

int asr_input_splittable(const void *head, size_t len)
{
    const unsigned char *p = head;
    if (!head || len < 256)
        return 0;
    asr_decoder *d = NULL;
    if (asr_decoder_new(0, &d) != ASR_OK)
        return 0;
    /* the decoder decides gzip and the encoding from these bytes; its text is not needed */
    asr_decoder_feed(d, p, 256, sink_discard, NULL); /* a NULL sink would be refused */
    const asr_decode_stats *st = asr_decoder_stats(d);
    int ok = !st->gzip && (p[0] != 0x1f) && strncmp(st->encoding, "utf-8", 5) == 0 &&
             !(p[0] == 0xFF && p[1] == 0xFE) && !(p[0] == 0xFE && p[1] == 0xFF);
    asr_decoder_free(d);
    return ok;
}

/* Sink for the head of a file: keeps the first ASR_SNIFF_BYTES of decoded text. */
static asr_error sink_head(void *ctx, const char *data, size_t len)
{
    asr_buf *b = ctx;
    size_t room = b->len < ASR_SNIFF_BYTES ? ASR_SNIFF_BYTES - b->len : 0;
    return asr_buf_append(b, data, len < room ? len : room);
}

/* The log type piece 0 finds by content: decode the file's head the way piece 0 does. */
static asr_log_type head_log_type(const void *head, size_t len)
{
    asr_decoder *d = NULL;
    asr_buf text = {0};
    asr_log_type t = ASR_LOG_UNKNOWN;
    if (asr_decoder_new(0, &d) != ASR_OK)
        return t;
    if (asr_decoder_feed(d, head, len, sink_head, &text) == ASR_OK &&
        asr_decoder_finish(d, sink_head, &text) == ASR_OK && text.len > 0)
        t = asr_log_type_from_content(text.data, text.len);
    asr_decoder_free(d);
    asr_buf_free(&text);
    return t;
}

asr_error asr_input_set_head(asr_input *in, const void *head, size_t head_len)
{
    if (!in || (!head && head_len) || in->bytes_in != 0)
        return ASR_ERR_ARG;
    in->sniffed = 1;
    if (in->log_type == ASR_LOG_UNKNOWN)
        in->log_type = head_log_type(head, head_len);
    return ASR_OK;
}

asr_error asr_input_new_part(asr_scanner *scanner, const asr_input_info *info, const void *head,
                             size_t head_len, asr_input **out)
{
    if (!head && head_len)
        return ASR_ERR_ARG;
    asr_input *in = NULL;
    asr_error err = asr_input_new(scanner, info, &in);
    if (err)
        return err;
    in->is_part = 1;
    in->sniffed = 1;
    if (in->log_type == ASR_LOG_UNKNOWN)
        in->log_type = head_log_type(head, head_len);
    asr_decoder_assume_utf8(in->decoder);
    *out = in;
    return ASR_OK;
}

/* Moves one kept hit of `part` to `whole` (or drops it when whole's store is full). */
static asr_error merge_hit(asr_input *whole, asr_hit *h)
{
    asr_sig_count *c;
    asr_hit *slot;
    asr_error err = hit_slot(whole, h->sig, &c, &slot);
    if (err)
        return err;
    if (!slot) {
        if (c->last != SIZE_MAX)
            whole->hits[c->last].weight += h->weight;
        free(h->text);
        json_decref(h->fields);
        return ASR_OK;
    }
    h->line += whole->lines;
    if (h->no_record && whole->carry_found) {
        /* the record open at the end of the pieces before this one */
        h->no_record = 0;
        h->tid = whole->carry_tid;
        if (!h->field_time)
            h->time = whole->carry_time;
    }
    *slot = *h;
    keep_hit(whole, c, &whole->cat->sigs[h->sig]);
    return ASR_OK;
}

asr_error asr_input_merge(asr_input *whole, asr_input *part)
{
    if (!whole || !part || part->cat != whole->cat) {
        asr_input_free(part);
        return ASR_ERR_ARG;
    }
    asr_error err = ASR_OK;
    size_t moved = 0;
    /* counts first, in the part's order of first appearance (as one pass would add them) */
    for (size_t i = 0; i < part->n_counts && !err; i++) {
        asr_sig_count *c = count_for(whole, part->counts[i].sig);
        if (!c)
            err = ASR_ERR_NOMEM;
        else
            c->count += part->counts[i].count;
    }
    while (!err && moved < part->n_hits) {
        err = merge_hit(whole, &part->hits[moved]);
        if (!err)
            moved++;
    }
    if (!err) {
        whole->lines += part->lines;
        whole->bytes += part->bytes;
        whole->bytes_in += part->bytes_in;
        if (part->carry_found) {
            whole->carry_found = 1;
            whole->carry_tid = part->carry_tid;
            whole->carry_time = part->carry_time;
        }
        if (part->error && !whole->error) {
            whole->error = part->error;
            free(whole->reason);
            whole->reason = part->reason;
            part->reason = NULL;
        }
        if (strcmp(part->status, "analyzed") != 0 && strcmp(whole->status, "analyzed") == 0) {
            char *st = part->status, *rs = part->reason;
            part->status = whole->status;
            part->reason = whole->reason;
            whole->status = st;
            whole->reason = rs;
        }
    }
    /* hits [0, moved) now belong to `whole` (or were dropped); free only the rest */
    for (size_t i = moved; i < part->n_hits; i++) {
        free(part->hits[i].text);
        json_decref(part->hits[i].fields);
    }
    part->n_hits = 0;
    asr_input_free(part);
    return err;
}

/* ------------------------------------------------------------------------------------------ */
/* following a live log */

/* Does this hit count for the attempts of its input? The rule of classify.c: in a file of
 * unknown type only specific evidence (specificity >= 50) counts. */
static int hit_counts_in(const asr_input *in, const asr_hit *h)
{
    return in->log_type != ASR_LOG_UNKNOWN || in->cat->sigs[h->sig].specificity >= 50;
}

/* Is hit h an attempt start (effect) that counts in this input? Same for attempt-end. */
static int hit_has_effect(const asr_input *in, const asr_hit *h, asr_effect effect)
{
    return in->cat->sigs[h->sig].effect == effect && hit_counts_in(in, h);
}

/* Index of the first hit at or after `from` with this effect, or in->n_hits. */
static size_t first_with_effect(const asr_input *in, size_t from, asr_effect effect)
{
    while (from < in->n_hits && !hit_has_effect(in, &in->hits[from], effect))
        from++;
    return from;
}

/*
 * recount_kept — after hits were removed from the front of in->hits, sets every signature's
 * kept count and last kept hit as keep_hit() would have left them for the hits that remain,
 * so the per-attempt allowances restart with the attempt in progress.
 */
static void recount_kept(asr_input *in)
{
    for (size_t k = 0; k < in->n_counts; k++) {
        in->counts[k].stored = 0;
        in->counts[k].last = SIZE_MAX;
    }
    for (size_t i = 0; i < in->n_hits; i++) {
        asr_sig_count *c = count_for(in, in->hits[i].sig); /* exists: the hit was counted */
        if (!c)
            continue;
        c->stored++;
        c->last = i;
        if (in->cat->sigs[in->hits[i].sig].effect == ASR_EFFECT_ATTEMPT_START)
            for (size_t k = 0; k < in->n_counts; k++)
                if (in->cat->sigs[in->counts[k].sig].effect != ASR_EFFECT_ATTEMPT_START)
                    in->counts[k].stored = 0;
    }
}

/* Frees hits [0, n) of `in` and moves the others to the front. */
static void drop_front_hits(asr_input *in, size_t n)
{
    if (n == 0)
        return;
    for (size_t i = 0; i < n; i++) {
        free(in->hits[i].text);
        json_decref(in->hits[i].fields);
    }
    memmove(in->hits, in->hits + n, (in->n_hits - n) * sizeof *in->hits);
    in->n_hits -= n;
    recount_kept(in);
}

/*
 * ended_shell — a new, ended input that describes the same file as `in` (path, hosts, log type,
 * name time, sizes so far) and holds no hits yet. NULL when memory is short.
 */
static asr_input *ended_shell(const asr_input *in)
{
    asr_input *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->cat = in->cat;
    e->path = asr_strdup(in->path);
    e->arg_host = in->arg_host ? asr_strdup(in->arg_host) : NULL;
    e->path_host = in->path_host ? asr_strdup(in->path_host) : NULL;
    e->file_host = in->file_host ? asr_strdup(in->file_host) : NULL;
    e->base_name = asr_strdup(in->base_name);
    e->status = asr_strdup("analyzed");
    if (!e->path || (in->arg_host && !e->arg_host) || (in->path_host && !e->path_host) ||
        (in->file_host && !e->file_host) || !e->base_name || !e->status) {
        asr_input_free(e);
        return NULL;
    }
    e->log_type = in->log_type;
    e->name_time = in->name_time;
    e->bytes_in = in->bytes_in;
    e->bytes = in->bytes;
    e->lines = in->lines;
    e->encoding = in->decoder ? asr_decoder_stats(in->decoder)->encoding : in->encoding;
    e->sniffed = 1;
    e->carry_tid = -1;
    e->limits = in->limits;
    return e;
}

asr_error asr_input_take_ended(asr_input *in, int all, asr_input **out)
{
    if (!in || !out || in->is_part)
        return ASR_ERR_ARG;
    *out = NULL;
    if (in->decoder && !in->error) {
        asr_error err = drain_pending(in, 1); /* every complete line; a partial one waits */
        if (err) {
            in->error = err;
            return err;
        }
    }
    if (in->log_type == ASR_LOG_PUSH_SERVICE || in->log_type == ASR_LOG_PORTAL_ERROR) {
        drop_front_hits(in, in->n_hits); /* jobs interleave: no attempt can be cut out */
        return ASR_OK;
    }
    if (in->tail_taken) {
        size_t start = first_with_effect(in, 0, ASR_EFFECT_ATTEMPT_START);
        drop_front_hits(in, start);
        in->tail_taken = in->n_hits == 0;
    }
    size_t end = first_with_effect(in, 0, ASR_EFFECT_ATTEMPT_END);
    if (end == in->n_hits)
        return ASR_OK;
    size_t cut = first_with_effect(in, end + 1, ASR_EFFECT_ATTEMPT_START);
    if (cut == in->n_hits && !all)
        return ASR_OK; /* lines of the ended attempt may still come before the next start */
    asr_input *e = ended_shell(in);
    if (!e || !(e->hits = malloc(cut * sizeof *e->hits))) {
        asr_input_free(e);
        return ASR_ERR_NOMEM;
    }
    memcpy(e->hits, in->hits, cut * sizeof *e->hits);
    e->n_hits = e->cap_hits = cut;
    /* the hits now belong to e: move the rest of in->hits to the front without freeing them */
    memmove(in->hits, in->hits + cut, (in->n_hits - cut) * sizeof *in->hits);
    in->n_hits -= cut;
    recount_kept(in);
    in->tail_taken = in->n_hits == 0;
    *out = e;
    return ASR_OK;
}

const char *asr_input_log_type(const asr_input *in)
{
    return asr_log_type_name(in ? in->log_type : ASR_LOG_UNKNOWN);
}
