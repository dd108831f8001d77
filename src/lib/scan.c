/*
 * scan.c — one Hyperscan pass over line-aligned blocks of decoded text.
 *
 * Data flow for one input: raw bytes -> decoder (gzip, UTF-16, CRLF) -> `pending` buffer ->
 * complete lines are scanned in blocks of about ASR_BLOCK bytes. The match callback only records
 * (signature, end offset); line numbers, PCRE2 extraction and record context (the InMage
 * `#~> ` header a push-log line belongs to) are worked out after hs_scan returns, for matched
 * lines only. Non-matching lines cost nothing beyond the Hyperscan pass and a newline count.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"

#define ASR_BLOCK (1u << 20)
#define ASR_SNIFF_BYTES 65536

/* ------------------------------------------------------------------------------------------ */
/* scanner */

asr_error asr_scanner_new(const asr_catalog *cat, asr_scanner **out)
{
    if (!cat || !out)
        return ASR_ERR_ARG;
    asr_scanner *s = calloc(1, sizeof *s);
    if (!s)
        return ASR_ERR_NOMEM;
    s->cat = cat;
    s->last_end = calloc(cat->n_sigs, sizeof *s->last_end);
    s->cap_matches = 4096;
    s->matches = malloc(s->cap_matches * sizeof *s->matches);
    s->md = pcre2_match_data_create(64, NULL);
    if (!s->last_end || !s->matches || !s->md ||
        hs_alloc_scratch(cat->db, &s->scratch) != HS_SUCCESS) {
        asr_scanner_free(s);
        return ASR_ERR_NOMEM;
    }
    *out = s;
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
    in->path = asr_strdup(info->path);
    in->arg_host = asr_strdup(info->arg_host);
    in->path_host = asr_strdup(info->path_host);
    in->base_name = asr_strdup(base_of(info->path));
    in->status = asr_strdup("analyzed");
    in->carry_tid = -1;
    asr_error err = ASR_ERR_NOMEM;
    if (!in->path || !in->base_name || !in->status || (info->arg_host && !in->arg_host) ||
        (info->path_host && !in->path_host))
        goto fail;
    classify_name(in);
    err = asr_decoder_new(info->max_decoded, &in->decoder);
    if (err)
        goto fail;
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
    asr_decoder_free(in->decoder);
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
    char *s = asr_strdup(status), *r = asr_strdup(reason);
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
        return json_stringn(v, n);
    memcpy(tmp, v, n);
    tmp[n] = '\0';
    char *end;
    long long d = strtoll(tmp, &end, 10);
    if (*end)
        return json_stringn(v, n);
    snprintf(buf, sizeof buf, "0x%X", (unsigned)(uint32_t)(int32_t)d);
    return json_string(buf);
}

/* Runs the signature's PCRE2 extract on the line; returns an object of named groups or NULL. */
static json_t *extract_fields(asr_scanner *s, const asr_signature *sig, const char *line,
                              size_t len)
{
    if (!sig->extract)
        return NULL;
    int rc = pcre2_match(sig->extract, (PCRE2_SPTR)line, len, 0, 0, s->md, NULL);
    if (rc < 0)
        return NULL;
    uint32_t count = 0, entry = 0;
    PCRE2_SPTR table = NULL;
    pcre2_pattern_info(sig->extract, PCRE2_INFO_NAMECOUNT, &count);
    if (count == 0)
        return NULL;
    pcre2_pattern_info(sig->extract, PCRE2_INFO_NAMEENTRYSIZE, &entry);
    pcre2_pattern_info(sig->extract, PCRE2_INFO_NAMETABLE, &table);
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
            val = *end ? json_stringn(v, n) : json_integer(x);
        } else if (strcmp(name, "hresult") == 0) {
            val = normalise_hresult(v, n);
        } else {
            val = json_stringn(v, utf8_cut(v, n, 256));
        }
        if (val)
            json_object_set_new(obj, name, val);
    }
    if (json_object_size(obj) == 0) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

/* Parses an InMage logger header "#~> (MM-DD-YYYY HH:MM:SS): LEVEL PID TID SEQ ". */
static int parse_record_header(const char *p, size_t n, int64_t *tid, asr_time *t)
{
    if (n < 26 || memcmp(p, "#~> (", 5) != 0)
        return 0;
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
        while (i < n && isdigit((unsigned char)p[i]))
            x = x * 10 + (p[i++] - '0');
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
    size_t avail = len - last < 64 ? len - last : 64;
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
static asr_error add_hit(asr_input *in, uint32_t sig_idx, uint64_t line_no, const char *line,
                         size_t len, const record_ctx *rc)
{
    const asr_signature *sig = &in->cat->sigs[sig_idx];
    asr_sig_count *c = count_for(in, sig_idx);
    if (!c)
        return ASR_ERR_NOMEM;
    c->count++;
    int marker = sig->effect == ASR_EFFECT_ATTEMPT_START ||
                 sig->effect == ASR_EFFECT_ATTEMPT_END || sig->effect == ASR_EFFECT_CONTEXT;
    if (c->stored >= (marker ? ASR_STORED_MARKERS : ASR_STORED_PER_SIG))
        return ASR_OK;
    if (in->n_hits == in->cap_hits) {
        asr_hit *p = asr_grow(in->hits, &in->cap_hits, sizeof *p, 32);
        if (!p)
            return ASR_ERR_NOMEM;
        in->hits = p;
    }
    asr_hit *h = &in->hits[in->n_hits];
    memset(h, 0, sizeof *h);
    h->sig = sig_idx;
    h->line = line_no;
    h->tid = rc && rc->found ? rc->tid : -1;
    if (rc && rc->found)
        h->time = rc->time;
    h->text = asr_strndup(line, utf8_cut(line, len, ASR_EVIDENCE_MAX));
    if (!h->text)
        return ASR_ERR_NOMEM;
    h->fields = extract_fields(in->scanner, sig, line, len);
    if (h->fields) {
        json_t *st = json_object_get(h->fields, "started");
        if (json_is_string(st)) {
            asr_time t;
            if (asr_time_parse(json_string_value(st), json_string_length(st), &t))
                h->time = t;
        }
    }
    c->stored++;
    in->n_hits++;
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
    if (!in->sniffed) {
        in->sniffed = 1;
        if (in->log_type == ASR_LOG_UNKNOWN)
            in->log_type = asr_log_type_from_content(data, len < ASR_SNIFF_BYTES ? len :
                                                                                   ASR_SNIFF_BYTES);
    }
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
    record_ctx rc_ctx = {0, 0, in->carry_tid >= 0, in->carry_tid, in->carry_time};
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
    const char *d = in->pending.data;
    size_t n = in->pending.len;
    while (n > 0 && d[n - 1] != '\n')
        n--;
    if (n == 0)
        return ASR_OK;
    asr_error err = scan_block(in, d, n);
    if (err)
        return err;
    memmove(in->pending.data, d + n, in->pending.len - n);
    in->pending.len -= n;
    return ASR_OK;
}

/* Decoder sink: collect decoded text and scan it in blocks. */
static asr_error sink_decoded(void *ctx, const char *data, size_t len)
{
    asr_input *in = ctx;
    asr_error err = asr_buf_append(&in->pending, data, len);
    if (err)
        return err;
    return drain_pending(in, ASR_BLOCK);
}

asr_error asr_input_feed(asr_input *in, const void *data, size_t len)
{
    if (!in)
        return ASR_ERR_ARG;
    if (in->error)
        return in->error;
    in->bytes_in += len;
    asr_error err = asr_decoder_feed(in->decoder, data, len, sink_decoded, in);
    if (err)
        in->error = err;
    return err;
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
    if (!in)
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
    return err;
}
