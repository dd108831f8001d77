/*
 * lint.c — asr_catalog_lint(): every problem of a catalogue, not only the first.
 *
 * The loader (catalog.c) stops at the first mistake. The lint reads the same files with the
 * same validation (asr_catalog_parse_file, asr_signature_parse), records each mistake as a
 * finding, skips the broken file or signature and goes on. Then it checks what the loader
 * cannot see in one go: every match expression that Hyperscan refuses, every example that
 * fails, and pairs of signatures that hit the same example line at the same specificity, so
 * that neither wins the root cause by rule.
 *
 * The built-in signatures need not be compiled again: when the caller hands over the
 * built-in catalogue (typically read from the database cache), its database finds them, and
 * only the user signatures are compiled. Their hits are merged per example line.
 *
 * Findings are JSON objects {"file", "line", "column", "severity", "ids", "code", "message"},
 * sorted by file (in load order), line and column.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "util.h"

/* Where a signature read by the lint comes from, and whether it is in force. */
typedef struct sig_meta {
    size_t file;        /* index of its file */
    size_t index, nth;  /* signature number `index` of the file, the nth there with its id */
    int builtin;
    int active;         /* 0: replaced by a user signature, or its match does not compile */
    int line, col;      /* position of its "id" member, once sig_pos() has worked it out */
} sig_meta;

/* One finding and its sort key. */
typedef struct finding {
    size_t file;        /* index of the file, or SIZE_MAX for the catalogue as a whole */
    int line, col;
    size_t seq;         /* order of discovery, for equal positions */
    json_t *obj;
} finding;

/* A pair of competing signatures (indices a < b) that hit the same example line, and the
 * best such line met so far. */
typedef struct sig_pair {
    size_t a, b;
    size_t owner;       /* the signature whose example the line is */
    int nomatch;        /* the line is a nomatch example */
    int rank;           /* 2: a match example of a or b, 1: of another, 0: a nomatch line */
    char *text;
} sig_pair;

typedef struct lint_state {
    const asr_source *files;
    size_t n_files;
    asr_signature *sigs;   /* every valid signature, built-in ones first, in load order */
    sig_meta *meta;        /* meta[i] describes sigs[i] */
    size_t n_sigs, cap_sigs;
    finding *found;
    size_t n_found, cap_found;
    size_t errors, warnings, notes;
    hs_database_t *dbs[2]; /* databases whose ids index sigs; owned[d]: compiled here */
    int owned[2];
    size_t n_dbs;
    sig_pair *pairs;
    size_t n_pairs, cap_pairs;
    asr_error err;         /* first allocation failure */
} lint_state;

/* ------------------------------------------------------------------------------------------ */
/* findings */

/*
 * add_finding — records a finding at files[file]:line:col (file SIZE_MAX: no file) with
 * `severity` ("error", "warning" or "note"), `code`, the signature ids id1 and id2 (either
 * may be NULL) and a printf-style message. Memory failures are kept in st->err.
 */
static void add_finding(lint_state *st, size_t file, int line, int col, const char *severity,
                        const char *code, const char *id1, const char *id2, const char *fmt,
                        ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (st->n_found == st->cap_found) {
        finding *p = asr_grow(st->found, &st->cap_found, sizeof *p, 32);
        if (!p) {
            st->err = ASR_ERR_NOMEM;
            return;
        }
        st->found = p;
    }
    json_t *ids = json_array();
    if (ids && id1)
        json_array_append_new(ids, json_string(id1));
    if (ids && id2)
        json_array_append_new(ids, json_string(id2));
    const char *name = file < st->n_files ? st->files[file].name : "(catalogue)";
    json_t *o = json_pack("{s:s, s:i, s:i, s:s, s:o, s:s, s:s}", "file", name, "line", line,
                          "column", col, "severity", severity, "ids", ids, "code", code,
                          "message", msg);
    if (!o) {
        st->err = ASR_ERR_NOMEM;
        return;
    }
    finding *f = &st->found[st->n_found];
    f->file = file;
    f->line = line;
    f->col = col;
    f->seq = st->n_found++;
    f->obj = o;
    if (strcmp(severity, "error") == 0)
        st->errors++;
    else if (strcmp(severity, "warning") == 0)
        st->warnings++;
    else
        st->notes++;
}

/*
 * add_diag_finding — turns a loader diagnostic "NAME:LINE:COL: message" about files[file]
 * into an error finding. The "signature 'ID': " prefix is dropped from the message (the id
 * is listed in "ids").
 */
static void add_diag_finding(lint_state *st, size_t file, const char *code, const char *id,
                             const asr_diag *d)
{
    const char *name = st->files[file].name, *text = d->text;
    int line = 1, col = 1, used = 0;
    size_t nl = strlen(name);
    if (strncmp(text, name, nl) == 0 && text[nl] == ':' &&
        sscanf(text + nl + 1, "%d:%d: %n", &line, &col, &used) == 2 && used > 0)
        text += nl + 1 + used;
    if (id) {
        char prefix[320];
        snprintf(prefix, sizeof prefix, "signature '%s': ", id);
        if (strncmp(text, prefix, strlen(prefix)) == 0)
            text += strlen(prefix);
    }
    add_finding(st, file, line, col, "error", code, id, NULL, "%s", text);
}

/* Orders findings by file, line, column, then discovery. */
static int cmp_finding(const void *pa, const void *pb)
{
    const finding *a = pa, *b = pb;
    if (a->file != b->file)
        return a->file < b->file ? -1 : 1;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    if (a->col != b->col)
        return a->col < b->col ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* ------------------------------------------------------------------------------------------ */
/* reading: every file and signature, duplicates and overrides */

/* sig_pos — line and column of the "id" member of sigs[i] (found on first use: most
 * signatures never need it). */
static void sig_pos(lint_state *st, size_t i, int *line, int *col)
{
    sig_meta *m = &st->meta[i];
    if (!m->line)
        asr_signature_locate(&st->files[m->file], m->index, st->sigs[i].id, m->nth, &m->line,
                             &m->col);
    *line = m->line;
    *col = m->col;
}

/* Index of the active signature with `id`, or -1. */
static long find_active(const lint_state *st, const char *id)
{
    for (size_t i = 0; i < st->n_sigs; i++)
        if (st->meta[i].active && strcmp(st->sigs[i].id, id) == 0)
            return (long)i;
    return -1;
}

/* Appends a parsed signature (taking it over) and its origin. Returns 0 when out of memory
 * (the signature is then cleared). */
static int push_sig(lint_state *st, asr_signature *sig, const sig_meta *m)
{
    if (st->n_sigs == st->cap_sigs) {
        size_t cap = st->cap_sigs;
        asr_signature *p = asr_grow(st->sigs, &cap, sizeof *p, 64);
        sig_meta *q = p ? realloc(st->meta, cap * sizeof *q) : NULL;
        if (p)
            st->sigs = p;
        if (!q) {
            asr_signature_clear(sig);
            st->err = ASR_ERR_NOMEM;
            return 0;
        }
        st->meta = q;
        st->cap_sigs = cap;
    }
    st->sigs[st->n_sigs] = *sig;
    st->meta[st->n_sigs++] = *m;
    return 1;
}

/*
 * add_signature — a valid signature of files[file]: a duplicate id among the built-ins, or
 * among the user files, is an error and the later one is dropped (as the loader would stop
 * there); a user signature with a built-in's id replaces it, with a note. It is signature
 * number `index` of its file, and the nth one there with its id.
 */
static void add_signature(lint_state *st, size_t file, size_t index, size_t nth, int builtin,
                          asr_signature *sig)
{
    sig_meta m = {file, index, nth, builtin, 1, 0, 0};
    long at = find_active(st, sig->id);
    if (at >= 0) {
        int line, col, first_line, first_col;
        asr_signature_locate(&st->files[file], index, sig->id, nth, &line, &col);
        sig_pos(st, (size_t)at, &first_line, &first_col);
        const char *first_name = st->files[st->meta[at].file].name;
        if (builtin || !st->meta[at].builtin) {
            add_finding(st, file, line, col, "error", "duplicate-id", sig->id, NULL,
                        "duplicate signature id '%s' (first in %s:%d:%d)", sig->id, first_name,
                        first_line, first_col);
            asr_signature_clear(sig);
            return;
        }
        add_finding(st, file, line, col, "note", "override", sig->id, NULL,
                    "replaces the built-in signature with the same id (%s:%d:%d)", first_name,
                    first_line, first_col);
        st->meta[at].active = 0;
    }
    push_sig(st, sig, &m);
}

/* How many signatures before number `index` of the array `sigs` have the id `id`. */
static size_t same_id_before(json_t *sigs, size_t index, const char *id)
{
    size_t n = 0;
    for (size_t i = 0; i < index; i++) {
        json_t *idj = json_object_get(json_array_get(sigs, i), "id");
        n += json_is_string(idj) && strcmp(json_string_value(idj), id) == 0;
    }
    return n;
}

/* Reads one file: its JSON, its top level, then each signature on its own. Returns 1 when
 * the whole file was valid. */
static int read_file(lint_state *st, size_t file, int builtin)
{
    const asr_source *src = &st->files[file];
    json_t *root, *sigs;
    const char *family;
    int json_ok = 0, clean = 1;
    asr_diag d = {""};
    if (asr_catalog_parse_file(src, &root, &family, &sigs, &json_ok, &d) != ASR_OK) {
        add_diag_finding(st, file, json_ok ? "schema" : "invalid-json", NULL, &d);
        return 0;
    }
    size_t i;
    json_t *obj;
    json_array_foreach(sigs, i, obj)
    {
        asr_signature sig;
        memset(&sig, 0, sizeof sig);
        d.text[0] = '\0';
        asr_error e = asr_signature_parse(src, i, obj, family, &sig, &d);
        if (e != ASR_OK) {
            json_t *idj = json_object_get(obj, "id");
            const char *id = json_is_string(idj) ? json_string_value(idj) : NULL;
            add_diag_finding(st, file, e == ASR_ERR_COMPILE ? "pcre2-compile" : "schema", id,
                             &d);
            asr_signature_clear(&sig);
            clean = 0;
            continue;
        }
        size_t before = st->n_sigs;
        add_signature(st, file, i, same_id_before(sigs, i, sig.id), builtin, &sig);
        clean &= st->n_sigs > before;
        if (st->err)
            break;
    }
    json_decref(root);
    return clean;
}

/* ------------------------------------------------------------------------------------------ */
/* Hyperscan */

/* Number of active signatures among sigs[from..to). */
static size_t count_active(const lint_state *st, size_t from, size_t to)
{
    size_t n = 0;
    for (size_t i = from; i < to; i++)
        n += st->meta[i].active != 0;
    return n;
}

/*
 * check_each_expression — compiles every active match expression of sigs[from..to) on its
 * own, as the database does (block mode, the signature's flags), and reports and deactivates
 * each one Hyperscan refuses, with Hyperscan's reason.
 */
static void check_each_expression(lint_state *st, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        if (!st->meta[i].active)
            continue;
        const asr_signature *s = &st->sigs[i];
        hs_database_t *db = NULL;
        hs_compile_error_t *cerr = NULL;
        if (hs_compile(s->match, s->hs_flags, HS_MODE_BLOCK, NULL, &db, &cerr) == HS_SUCCESS) {
            hs_free_database(db);
            continue;
        }
        int line, col;
        sig_pos(st, i, &line, &col);
        add_finding(st, st->meta[i].file, line, col, "error", "hs-compile", s->id, NULL,
                    "match: Hyperscan cannot compile it: %s", cerr ? cerr->message : "?");
        hs_free_compile_error(cerr);
        st->meta[i].active = 0;
    }
}

/* Compiles the active signatures of sigs[from..to) into one block database (*db) whose ids
 * are their indices. Returns 0, or -1 with the reason in `why`. */
static int compile_active(lint_state *st, size_t from, size_t to, hs_database_t **db, char *why,
                          size_t n_why)
{
    size_t n = count_active(st, from, to);
    const char **exprs = calloc(n + 1, sizeof *exprs);
    unsigned *flags = calloc(n + 1, sizeof *flags), *ids = calloc(n + 1, sizeof *ids);
    int rc = -1;
    snprintf(why, n_why, "out of memory");
    if (!exprs || !flags || !ids) {
        st->err = ASR_ERR_NOMEM;
        goto out;
    }
    for (size_t i = from, k = 0; i < to; i++) {
        if (!st->meta[i].active)
            continue;
        exprs[k] = st->sigs[i].match;
        flags[k] = st->sigs[i].hs_flags;
        ids[k++] = (unsigned)i;
    }
    hs_compile_error_t *cerr = NULL;
    if (hs_compile_multi(exprs, flags, ids, (unsigned)n, HS_MODE_BLOCK, NULL, db, &cerr) ==
        HS_SUCCESS) {
        rc = 0;
    } else {
        snprintf(why, n_why, "%s", cerr ? cerr->message : "?");
        hs_free_compile_error(cerr);
    }
out:
    free(exprs);
    free(flags);
    free(ids);
    return rc;
}

/*
 * add_database — compiles the active signatures of sigs[from..to) into st->dbs. The whole
 * set is compiled first: when it compiles, so does every expression. Otherwise each
 * expression is compiled on its own, so that every bad one is reported, and the rest is
 * compiled again. Returns 0 (also when nothing is left to compile), or -1 when no database
 * could be built (reported; the example checks are then skipped).
 */
static int add_database(lint_state *st, size_t from, size_t to)
{
    char why[512];
    hs_database_t *db = NULL;
    if (count_active(st, from, to) == 0)
        return 0;
    if (compile_active(st, from, to, &db, why, sizeof why) != 0) {
        if (st->err)
            return -1;
        check_each_expression(st, from, to);
        if (count_active(st, from, to) == 0)
            return 0;
        if (compile_active(st, from, to, &db, why, sizeof why) != 0) {
            if (!st->err)
                add_finding(st, SIZE_MAX, 0, 0, "error", "hs-compile", NULL, NULL,
                            "the database of all signatures does not compile: %s", why);
            return -1;
        }
    }
    st->owned[st->n_dbs] = 1;
    st->dbs[st->n_dbs++] = db;
    return 0;
}

/*
 * builtin_matches — may the database of `builtin` stand for sigs[0..n_builtin)? Only when it
 * holds exactly those signatures, in that order, with the same expressions and flags.
 */
static int builtin_matches(const lint_state *st, const asr_catalog *builtin, size_t n_builtin)
{
    if (!builtin || !builtin->db || builtin->n_sigs != n_builtin)
        return 0;
    for (size_t i = 0; i < n_builtin; i++) {
        const asr_signature *a = &st->sigs[i], *b = &builtin->sigs[i];
        if (strcmp(a->id, b->id) != 0 || strcmp(a->match, b->match) != 0 ||
            a->hs_flags != b->hs_flags)
            return 0;
    }
    return 1;
}

/*
 * build_databases — the databases of the lint: the built-in catalogue's for the built-in
 * signatures when it matches them (`reuse`), plus one compiled here for the rest. Returns 0,
 * or -1 when the example checks cannot run.
 */
static int build_databases(lint_state *st, const asr_catalog *builtin, size_t n_builtin,
                           int reuse)
{
    if (reuse && builtin_matches(st, builtin, n_builtin)) {
        st->dbs[st->n_dbs++] = builtin->db;
        return add_database(st, n_builtin, st->n_sigs);
    }
    return add_database(st, 0, st->n_sigs);
}

/* ------------------------------------------------------------------------------------------ */
/* examples and ambiguous pairs */

/* Offset of the start of line `line` (1-based) in `src`. */
static size_t line_start(const asr_source *src, int line)
{
    size_t off = 0;
    for (int l = 1; l < line && off < src->len; off++)
        if (src->text[off] == '\n')
            l++;
    return off;
}

/*
 * locate_example — line and column of the example `text` of the signature at (line, col) of
 * `src`: its JSON string as jansson writes it, searched from the signature on. Falls back to
 * the signature's own position when the file spells it otherwise.
 */
static void locate_example(const asr_source *src, int sig_line, int sig_col, const char *text,
                           size_t len, int *line, int *col)
{
    *line = sig_line;
    *col = sig_col;
    json_t *s = json_stringn(text, len);
    char *enc = s ? json_dumps(s, JSON_ENCODE_ANY) : NULL;
    json_decref(s);
    if (!enc)
        return;
    size_t from = line_start(src, sig_line);
    const char *hit = asr_memmem(src->text + from, src->len - from, enc, strlen(enc));
    free(enc);
    if (!hit)
        return;
    int l = 1, c = 1;
    for (const char *p = src->text; p < hit; p++) {
        if (*p == '\n') {
            l++;
            c = 1;
        } else {
            c++;
        }
    }
    *line = l;
    *col = c;
}

/* Can a hit of a compete with a hit of b for the root cause on the same line: both failure or
 * warning signatures, the same specificity, log types and OS that overlap? */
static int compete(const asr_signature *a, const asr_signature *b)
{
    int ra = a->effect == ASR_EFFECT_FAILURE || a->effect == ASR_EFFECT_WARNING;
    int rb = b->effect == ASR_EFFECT_FAILURE || b->effect == ASR_EFFECT_WARNING;
    if (!ra || !rb || a->specificity != b->specificity)
        return 0;
    if (a->log_type_mask && b->log_type_mask && !(a->log_type_mask & b->log_type_mask))
        return 0;
    return a->os == ASR_OS_ANY || b->os == ASR_OS_ANY || a->os == b->os;
}

/* Rank of the example `ex` as the line that shows the pair (a, b): a match example of one of
 * the two explains itself best, a nomatch line least. */
static int example_rank(const asr_example *ex, size_t a, size_t b)
{
    if (ex->nomatch)
        return 0;
    return ex->sig == a || ex->sig == b ? 2 : 1;
}

/* Records that the competing pair (a, b), a < b, both hit the example `ex`: a new pair, or a
 * better line for a known one. */
static void note_pair(lint_state *st, size_t a, size_t b, const asr_example *ex)
{
    int rank = example_rank(ex, a, b);
    sig_pair *p = NULL;
    for (size_t i = 0; i < st->n_pairs && !p; i++)
        if (st->pairs[i].a == a && st->pairs[i].b == b)
            p = &st->pairs[i];
    if (p && p->rank >= rank)
        return;
    if (!p) {
        if (st->n_pairs == st->cap_pairs) {
            sig_pair *g = asr_grow(st->pairs, &st->cap_pairs, sizeof *g, 16);
            if (!g) {
                st->err = ASR_ERR_NOMEM;
                return;
            }
            st->pairs = g;
        }
        p = &st->pairs[st->n_pairs++];
        memset(p, 0, sizeof *p);
        p->a = a;
        p->b = b;
    }
    char *text = asr_strdup(ex->text);
    if (!text) {
        st->err = ASR_ERR_NOMEM;
        return;
    }
    free(p->text);
    p->text = text;
    p->owner = ex->sig;
    p->nomatch = ex->nomatch;
    p->rank = rank;
}

/* Reports every ambiguous pair: at the later signature, naming the earlier one and a line. */
static void report_pairs(lint_state *st)
{
    for (size_t i = 0; i < st->n_pairs; i++) {
        const sig_pair *p = &st->pairs[i];
        const asr_signature *sa = &st->sigs[p->a], *sb = &st->sigs[p->b];
        int la, ca, lb, cb;
        sig_pos(st, p->a, &la, &ca);
        sig_pos(st, p->b, &lb, &cb);
        add_finding(st, st->meta[p->b].file, lb, cb, "warning", "ambiguous", sa->id, sb->id,
                    "'%s' and '%s' (%s:%d:%d) hit the same line at specificity %d, with "
                    "overlapping log types and OS: neither wins the root cause by rule; %s "
                    "example of '%s': %s",
                    sb->id, sa->id, st->files[st->meta[p->a].file].name, la, ca,
                    sa->specificity, p->nomatch ? "nomatch" : "match", st->sigs[p->owner].id,
                    p->text);
    }
}

/* The example callback: a failing example is an error; every pair of competing signatures
 * that both hit the line is noted (report_pairs() reports each pair once). */
static asr_error on_example(void *ctx, const asr_example *ex)
{
    lint_state *st = ctx;
    const asr_signature *s = &st->sigs[ex->sig];
    if (ex->kind) {
        int sl, sc, line, col;
        size_t file = st->meta[ex->sig].file;
        sig_pos(st, ex->sig, &sl, &sc);
        locate_example(&st->files[file], sl, sc, ex->text, ex->len, &line, &col);
        add_finding(st, file, line, col, "error", "example-fails", s->id, NULL,
                    "%s example: %s: %s", ex->nomatch ? "nomatch" : "match", ex->problem,
                    ex->text);
    }
    for (size_t a = 0; a < st->n_sigs && !st->err; a++) {
        if (!ex->seen[a])
            continue;
        for (size_t b = a + 1; b < st->n_sigs && !st->err; b++)
            if (ex->seen[b] && compete(&st->sigs[a], &st->sigs[b]))
                note_pair(st, a, b, ex);
    }
    return st->err;
}

/* Runs every example of the active signatures through the databases. */
static asr_error run_examples(lint_state *st, size_t *examples)
{
    unsigned char *skip = calloc(st->n_sigs + 1, 1);
    if (!skip)
        return ASR_ERR_NOMEM;
    for (size_t i = 0; i < st->n_sigs; i++)
        skip[i] = !st->meta[i].active;
    asr_example_set set = {st->sigs, st->n_sigs, skip, st->dbs, st->n_dbs};
    asr_error err = asr_examples_run(&set, on_example, st, examples);
    free(skip);
    return err;
}

/* ------------------------------------------------------------------------------------------ */

/* Builds the result document from the sorted findings. */
static json_t *result_json(lint_state *st, size_t examples)
{
    if (st->n_found > 1)
        qsort(st->found, st->n_found, sizeof *st->found, cmp_finding);
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < st->n_found; i++) {
        if (json_array_append(arr, st->found[i].obj) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    if (!arr)
        return NULL;
    return json_pack("{s:o, s:I, s:I, s:I, s:I, s:I}", "findings", arr, "errors",
                     (json_int_t)st->errors, "warnings", (json_int_t)st->warnings, "notes",
                     (json_int_t)st->notes, "signatures",
                     (json_int_t)count_active(st, 0, st->n_sigs), "examples",
                     (json_int_t)examples);
}

/* Frees everything the lint state owns. */
static void lint_free(lint_state *st)
{
    for (size_t i = 0; i < st->n_sigs; i++)
        asr_signature_clear(&st->sigs[i]);
    free(st->sigs);
    free(st->meta);
    for (size_t d = 0; d < st->n_dbs; d++)
        if (st->owned[d])
            hs_free_database(st->dbs[d]);
    for (size_t i = 0; i < st->n_found; i++)
        json_decref(st->found[i].obj);
    free(st->found);
    for (size_t i = 0; i < st->n_pairs; i++)
        free(st->pairs[i].text);
    free(st->pairs);
}

asr_error asr_catalog_lint(const asr_source *files, size_t n_files, size_t n_builtin,
                           const asr_catalog *builtin, json_t **out)
{
    if (!files || !out || n_builtin > n_files)
        return ASR_ERR_ARG;
    lint_state st;
    memset(&st, 0, sizeof st);
    st.files = files;
    st.n_files = n_files;
    int builtin_clean = 1;
    size_t n_builtin_sigs = 0;
    for (size_t i = 0; i < n_files && !st.err; i++) {
        int clean = read_file(&st, i, i < n_builtin);
        if (i < n_builtin) {
            builtin_clean &= clean;
            n_builtin_sigs = st.n_sigs;
        }
    }
    size_t examples = 0;
    asr_error err = st.err;
    if (!err && build_databases(&st, builtin, n_builtin_sigs, builtin_clean) == 0 &&
        st.n_dbs > 0)
        err = run_examples(&st, &examples);
    if (!err && !st.err)
        report_pairs(&st);
    if (!err)
        err = st.err;
    if (!err && count_active(&st, 0, st.n_sigs) == 0)
        add_finding(&st, SIZE_MAX, 0, 0, "error", "empty", NULL, NULL,
                    "the catalogue holds no signature that loads and compiles");
    json_t *doc = err || st.err ? NULL : result_json(&st, examples);
    if (!err && !doc)
        err = st.err ? st.err : ASR_ERR_NOMEM;
    lint_free(&st);
    if (err)
        return err;
    *out = doc;
    return ASR_OK;
}
