/*
 * cluster.c — failure lines into templates, for failures no signature knows.
 *
 * An online method in the spirit of Drain (He et al., 2017):
 *   1. masking: each line is cut into tokens at blanks; quoted strings, GUIDs, IPv4 addresses,
 *      hex numbers, dates and times, numbers and paths become <STR>, <GUID>, <IP>, <HEX>,
 *      <DATE>, <NUM> and <PATH>; punctuation around a token and the key of `key=value` stay;
 *   2. a fixed-depth tree: lines are grouped by token count, then by their first word (the
 *      first token with a letter that is not a mask), so only lines that could share a
 *      template are compared;
 *   3. in that group the line joins the template it is most similar to — the share of the
 *      template's word tokens it has at the same place — when that share is at least one half;
 *      the positions where they differ become <*>. Otherwise it starts a new template.
 * Time-stamp prefixes are masks, not words, so they never make two messages look alike.
 * The result depends on the order lines are added, which the report makes deterministic.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asrlog.h"
#include "cluster.h"
#include "util.h"

#define SIMILARITY_NUM 1 /* a line joins a template when equal words / words >= 1/2 */
#define SIMILARITY_DEN 2
#define LEAF_SEARCH_MAX 256 /* templates compared per group; later ones only by exact key */

typedef struct tmpl {
    char **tok;      /* owned tokens; "<*>" where lines differed */
    size_t n;
    size_t words;    /* tokens with a letter that are not masks */
} tmpl;

typedef struct leaf {
    char *key;       /* "<count>|<first word>" */
    size_t *ids;     /* template indexes */
    size_t n, cap;
} leaf;

struct asr_clusterer {
    tmpl *t;
    size_t n, cap;
    leaf *leaves;    /* open addressing, power-of-two size */
    size_t n_leaves, cap_leaves;
};

/* ------------------------------------------------------------------------------------------ */
/* masking */

static int is_hex_digit(int c)
{
    return isxdigit((unsigned char)c);
}

/* GUID, with or without braces: 8-4-4-4-12 hex digits. */
static int is_guid(const char *s, size_t n)
{
    if (n == 38 && s[0] == '{' && s[37] == '}') {
        s++;
        n -= 2;
    }
    if (n != 36)
        return 0;
    for (size_t i = 0; i < n; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !is_hex_digit(s[i]))
            return 0;
    }
    return 1;
}

/* Dotted IPv4 address, optionally with ":port". */
static int is_ipv4(const char *s, size_t n)
{
    int parts = 0, digits = 0;
    size_t i = 0;
    for (; i < n; i++) {
        if (isdigit((unsigned char)s[i])) {
            if (++digits > 3)
                return 0;
        } else if (s[i] == '.' && digits) {
            parts++;
            digits = 0;
        } else {
            break;
        }
    }
    if (parts != 3 || !digits)
        return 0;
    if (i == n)
        return 1;
    if (s[i] != ':' || i + 1 == n)
        return 0;
    for (i++; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* "0x" hex, or a run of at least 8 hex digits mixing digits and letters (ids, hashes). */
static int is_hex(const char *s, size_t n)
{
    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        for (size_t i = 2; i < n; i++)
            if (!is_hex_digit(s[i]))
                return 0;
        return 1;
    }
    int digit = 0, alpha = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_hex_digit(s[i]))
            return 0;
        digit |= isdigit((unsigned char)s[i]) != 0;
        alpha |= isalpha((unsigned char)s[i]) != 0;
    }
    return n >= 8 && digit && alpha;
}

/* A number or a date/time: digits with . , : / - + T Z between them. Returns 0, or the mask. */
static const char *number_mask(const char *s, size_t n)
{
    size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
    int digits = 0, seps = 0;
    if (i == n)
        return NULL;
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isdigit(c))
            digits++;
        else if (c == '-' || c == '/' || c == ':' || c == 'T' || c == '+' || c == 'Z')
            seps++;
        else if (c != '.' && c != ',')
            return NULL;
    }
    if (!digits)
        return NULL;
    return seps >= 2 ? "<DATE>" : "<NUM>";
}

/* The mask for a token's core (punctuation stripped), or NULL to keep it. */
static const char *core_mask(const char *s, size_t n)
{
    if (n == 0)
        return NULL;
    if (is_guid(s, n))
        return "<GUID>";
    if (is_ipv4(s, n))
        return "<IP>";
    const char *num = number_mask(s, n);
    if (num)
        return num;
    if (is_hex(s, n))
        return "<HEX>";
    if (memchr(s, '/', n) || memchr(s, '\\', n))
        return "<PATH>";
    return NULL;
}

static int lead_punct(int c)
{
    return c && strchr("([{<\"'", c) != NULL;
}

static int trail_punct(int c)
{
    return c && strchr(")]}>,;:.\"'!?", c) != NULL;
}

/* Appends s[0..n) to b. 0 on allocation failure. */
static int put(asr_buf *b, const char *s, size_t n)
{
    return asr_buf_append(b, s, n) == ASR_OK;
}

/* Masks one token s[0..n) into b: punctuation kept, the core masked, `key=` kept. */
static int mask_token(asr_buf *b, const char *s, size_t n)
{
    const char *eq = memchr(s, '=', n);
    if (eq && eq > s && eq + 1 < s + n) { /* key=value: mask the value only */
        size_t k = (size_t)(eq - s) + 1;
        return put(b, s, k) && mask_token(b, s + k, n - k);
    }
    size_t a = 0, z = n;
    while (a < z && lead_punct((unsigned char)s[a]))
        a++;
    while (z > a && trail_punct((unsigned char)s[z - 1]))
        z--;
    const char *m = core_mask(s + a, z - a);
    /* a lone time such as "09:07:41:Setup" is one token in Windows installer logs: a leading
     * time is masked and the rest kept */
    if (!m) {
        size_t t = 0;
        while (t < z && (isdigit((unsigned char)s[t]) || s[t] == ':' || s[t] == '.'))
            t++;
        if (t >= 8 && t < z && s[t - 1] == ':' && isalpha((unsigned char)s[t]))
            return put(b, "<DATE>:", 7) && put(b, s + t, n - t);
    }
    if (!m)
        return put(b, s, n);
    return put(b, s, a) && put(b, m, strlen(m)) && put(b, s + z, n - z);
}

/* Where a quoted string that starts at line[i] ends (index of the closing quote), or 0. */
static size_t quote_end(const char *line, size_t len, size_t i)
{
    char q = line[i];
    if (q != '"' && q != '\'')
        return 0;
    if (i > 0 && !strchr(" \t=:(,[", line[i - 1]))
        return 0; /* an apostrophe inside a word (can't) */
    for (size_t k = i + 1; k < len; k++)
        if (line[k] == q)
            return k;
    return 0;
}

char *asr_cluster_mask(const char *line)
{
    asr_buf b = {0};
    size_t len = strlen(line), i = 0;
    int ok = 1, first = 1;
    while (ok && i < len) {
        while (i < len && (line[i] == ' ' || line[i] == '\t'))
            i++;
        if (i == len)
            break;
        asr_buf tok = {0};
        while (ok && i < len && line[i] != ' ' && line[i] != '\t') {
            size_t q = quote_end(line, len, i);
            if (q) { /* the quoted text, blanks and all, is one <STR> */
                ok = put(&tok, "<STR>", 5);
                i = q + 1;
                continue;
            }
            size_t k = i;
            while (k < len && line[k] != ' ' && line[k] != '\t' &&
                   !(quote_end(line, len, k) && k > i))
                k++;
            ok = put(&tok, line + i, k - i);
            i = k;
        }
        if (ok && !first)
            ok = put(&b, " ", 1);
        /* the token is masked once whole, so that "<STR>" pieces stay as they are */
        if (ok)
            ok = mask_token(&b, tok.data ? tok.data : "", tok.len);
        first = 0;
        asr_buf_free(&tok);
    }
    if (ok)
        ok = put(&b, "", 1); /* terminator */
    if (!ok) {
        asr_buf_free(&b);
        return NULL;
    }
    return b.data;
}

/* ------------------------------------------------------------------------------------------ */
/* templates */

/* Length of the mask ("<NUM>", "<*>", …) at t, or 0. */
static size_t mask_len(const char *t)
{
    if (t[0] != '<')
        return 0;
    size_t i = 1;
    while (t[i] == '*' || (t[i] >= 'A' && t[i] <= 'Z'))
        i++;
    return i > 1 && t[i] == '>' ? i + 1 : 0;
}

/* Is a masked token a word: a letter in it outside its masks? */
static int is_word(const char *t)
{
    while (*t) {
        size_t m = mask_len(t);
        if (m) {
            t += m;
            continue;
        }
        if (isalpha((unsigned char)*t))
            return 1;
        t++;
    }
    return 0;
}

/* Splits a masked line at blanks into owned tokens. */
static char **split_tokens(const char *masked, size_t *n_out)
{
    size_t n = 0, cap = 8;
    char **v = malloc(cap * sizeof *v);
    const char *p = masked;
    while (v && *p) {
        const char *e = strchr(p, ' ');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (n == cap) {
            char **nv = realloc(v, 2 * cap * sizeof *nv);
            if (!nv)
                break;
            v = nv;
            cap *= 2;
        }
        if (!(v[n] = asr_strndup(p, len)))
            break;
        n++;
        p += len;
        if (*p == ' ')
            p++;
    }
    if (!v || *p) {
        for (size_t i = 0; v && i < n; i++)
            free(v[i]);
        free(v);
        return NULL;
    }
    *n_out = n;
    return v;
}

static uint64_t hash_key(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* The leaf of `key`, created when absent. NULL when memory is short. */
static leaf *leaf_get(asr_clusterer *c, const char *key)
{
    if (2 * (c->n_leaves + 1) > c->cap_leaves) {
        size_t cap = c->cap_leaves ? 2 * c->cap_leaves : 64;
        leaf *nl = calloc(cap, sizeof *nl);
        if (!nl)
            return NULL;
        for (size_t i = 0; i < c->cap_leaves; i++) {
            if (!c->leaves[i].key)
                continue;
            size_t k = (size_t)hash_key(c->leaves[i].key) & (cap - 1);
            while (nl[k].key)
                k = (k + 1) & (cap - 1);
            nl[k] = c->leaves[i];
        }
        free(c->leaves);
        c->leaves = nl;
        c->cap_leaves = cap;
    }
    size_t k = (size_t)hash_key(key) & (c->cap_leaves - 1);
    while (c->leaves[k].key && strcmp(c->leaves[k].key, key) != 0)
        k = (k + 1) & (c->cap_leaves - 1);
    if (!c->leaves[k].key) {
        if (!(c->leaves[k].key = asr_strdup(key)))
            return NULL;
        c->n_leaves++;
    }
    return &c->leaves[k];
}

/* Equal word tokens of template t and tokens v (same count), scaled: words equal * DEN. */
static size_t similarity(const tmpl *t, char **v)
{
    size_t eq = 0;
    for (size_t i = 0; i < t->n; i++)
        if (is_word(t->tok[i]) && strcmp(t->tok[i], v[i]) == 0)
            eq++;
    return eq;
}

/* Merges tokens v into template t: differing places become <*>. 0 on allocation failure. */
static int merge_into(tmpl *t, char **v)
{
    for (size_t i = 0; i < t->n; i++) {
        if (strcmp(t->tok[i], v[i]) == 0 || strcmp(t->tok[i], "<*>") == 0)
            continue;
        char *w = asr_strdup("<*>");
        if (!w)
            return 0;
        free(t->tok[i]);
        t->tok[i] = w;
    }
    t->words = 0;
    for (size_t i = 0; i < t->n; i++)
        t->words += is_word(t->tok[i]);
    return 1;
}

asr_clusterer *asr_cluster_new(void)
{
    return calloc(1, sizeof(asr_clusterer));
}

/* Frees a token vector. */
static void free_tokens(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

/* Starts a new template from tokens v (taken over) in leaf lf. Its index, or -1. */
static long new_template(asr_clusterer *c, leaf *lf, char **v, size_t n)
{
    if (c->n == c->cap) {
        tmpl *p = asr_grow(c->t, &c->cap, sizeof *p, 64);
        if (!p)
            return -1;
        c->t = p;
    }
    if (lf->n == lf->cap) {
        size_t *p = asr_grow(lf->ids, &lf->cap, sizeof *p, 4);
        if (!p)
            return -1;
        lf->ids = p;
    }
    tmpl *t = &c->t[c->n];
    t->tok = v;
    t->n = n;
    t->words = 0;
    for (size_t i = 0; i < n; i++)
        t->words += is_word(v[i]);
    lf->ids[lf->n++] = c->n;
    return (long)c->n++;
}

long asr_cluster_add(asr_clusterer *c, const char *line)
{
    char *masked = asr_cluster_mask(line);
    size_t n = 0;
    char **v = masked ? split_tokens(masked, &n) : NULL;
    free(masked);
    if (!v)
        return -1;
    const char *first = "";
    for (size_t i = 0; i < n && !*first; i++)
        if (is_word(v[i]))
            first = v[i];
    char key[160];
    snprintf(key, sizeof key, "%zu|%.140s", n, first);
    leaf *lf = leaf_get(c, key);
    if (!lf) {
        free_tokens(v, n);
        return -1;
    }
    long best = -1;
    size_t best_eq = 0;
    for (size_t i = 0; i < lf->n && i < LEAF_SEARCH_MAX; i++) {
        tmpl *t = &c->t[lf->ids[i]];
        size_t eq = similarity(t, v);
        int close;
        if (t->words) { /* equal words / template words >= NUM/DEN */
            close = eq * SIMILARITY_DEN >= t->words * SIMILARITY_NUM;
        } else { /* a template without words takes only lines equal to it */
            close = 1;
            for (size_t k = 0; k < n && close; k++)
                close = strcmp(t->tok[k], v[k]) == 0 || strcmp(t->tok[k], "<*>") == 0;
        }
        if (close && (best < 0 || eq > best_eq)) {
            best = (long)lf->ids[i];
            best_eq = eq;
        }
    }
    if (best >= 0) {
        int ok = merge_into(&c->t[best], v);
        free_tokens(v, n);
        return ok ? best : -1;
    }
    long id = new_template(c, lf, v, n);
    if (id < 0)
        free_tokens(v, n);
    return id;
}

size_t asr_cluster_count(const asr_clusterer *c)
{
    return c ? c->n : 0;
}

char *asr_cluster_template(const asr_clusterer *c, size_t i)
{
    if (!c || i >= c->n)
        return NULL;
    const tmpl *t = &c->t[i];
    asr_buf b = {0};
    int ok = 1;
    for (size_t k = 0; k < t->n && ok; k++)
        ok = (k == 0 || put(&b, " ", 1)) && put(&b, t->tok[k], strlen(t->tok[k]));
    if (ok)
        ok = put(&b, "", 1);
    if (!ok) {
        asr_buf_free(&b);
        return NULL;
    }
    return b.data;
}

void asr_cluster_free(asr_clusterer *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        free_tokens(c->t[i].tok, c->t[i].n);
    free(c->t);
    for (size_t i = 0; i < c->cap_leaves; i++) {
        free(c->leaves[i].key);
        free(c->leaves[i].ids);
    }
    free(c->leaves);
    free(c);
}

/* ------------------------------------------------------------------------------------------ */
/* a signature skeleton from a template (asrlog signatures new --from-template) */

/* Hyperscan pieces for the masks; line-local (no \s, no negated class that takes "\n"). */
static const struct {
    const char *mask, *expr;
} mask_exprs[] = {
    {"<NUM>", "[-+]?[0-9][0-9.,]*"},
    {"<DATE>", "[0-9][0-9:./,TZ+-]*"},
    {"<IP>", "[0-9]{1,3}(?:\\.[0-9]{1,3}){3}(?::[0-9]+)?"},
    {"<HEX>", "(?:0[xX])?[0-9A-Fa-f]+"},
    {"<GUID>", "\\{?[0-9A-Fa-f-]{36}\\}?"},
    {"<PATH>", "[^ \\t\\n]+"},
    {"<STR>", "[\"'][^\"'\\n]*[\"']"},
    {"<*>", "[^ \\t\\n]+"},
};

/* Appends token `t` (masks and literal text) to b as a Hyperscan expression. */
static int token_expr(asr_buf *b, const char *t)
{
    while (*t) {
        size_t m, n = sizeof mask_exprs / sizeof *mask_exprs;
        for (m = 0; m < n; m++)
            if (strncmp(t, mask_exprs[m].mask, strlen(mask_exprs[m].mask)) == 0)
                break;
        if (m < n) {
            if (!put(b, mask_exprs[m].expr, strlen(mask_exprs[m].expr)))
                return 0;
            t += strlen(mask_exprs[m].mask);
            continue;
        }
        if (strchr("\\.^$|?*+()[]{}/-", *t) && !put(b, "\\", 1))
            return 0;
        if (!put(b, t, 1))
            return 0;
        t++;
    }
    return 1;
}

/* The match expression of a template: from its first word to its end less bare masks, blanks as
 * [ \t]+, masks as the classes above; the first word (without a leading time) goes into
 * word[size]. A new string, or NULL (no word in the template, or no memory). */
static char *template_expr(const char *text, char *word, size_t size)
{
    size_t n = 0;
    char **v = split_tokens(text, &n);
    if (!v)
        return NULL;
    size_t a = 0, z = n;
    while (a < n && !is_word(v[a]))
        a++;
    while (z > a && mask_len(v[z - 1]) == strlen(v[z - 1])) /* a bare trailing mask */
        z--;
    asr_buf b = {0};
    int ok = a < z;
    for (size_t i = a; i < z && ok; i++) {
        const char *t = v[i];
        if (i == a && strncmp(t, "<DATE>:", 7) == 0) /* "09:07:41:Setup …" */
            t += 7;
        if (i == a)
            snprintf(word, size, "%s", t);
        ok = (i == a || put(&b, "[ \\t]+", 6)) && token_expr(&b, t);
    }
    if (ok)
        ok = put(&b, "", 1);
    free_tokens(v, n);
    if (!ok) {
        asr_buf_free(&b);
        return NULL;
    }
    return b.data;
}

/* The OS of a set of log type names: linux_install only → linux, Windows logs only →
 * windows, else any. */
static const char *os_of_types(const json_t *types)
{
    int lin = 0, win = 0;
    size_t i;
    json_t *t;
    json_array_foreach(types, i, t)
    {
        const char *s = json_string_value(t);
        if (s && strcmp(s, "linux_install") == 0)
            lin = 1;
        else if (s && strncmp(s, "ua_", 3) == 0)
            win = 1;
        else
            lin = win = 1;
    }
    return lin && !win ? "linux" : win && !lin ? "windows" : "any";
}

/* A near miss for the examples: `line` without the first `word` (and the blank after it). */
static json_t *near_miss(const char *line, const char *word)
{
    const char *at = *word ? strstr(line, word) : NULL;
    if (!at)
        return json_string("a line that does not carry this message");
    size_t w = strlen(word), pre = (size_t)(at - line);
    while (at[w] == ' ' || at[w] == '\t')
        w++;
    char *s = malloc(strlen(line) + 1);
    if (!s)
        return NULL;
    memcpy(s, line, pre);
    strcpy(s + pre, at + w);
    json_t *j = json_string(s);
    free(s);
    return j;
}

asr_error asr_template_signature(const json_t *entry, json_t **out)
{
    const char *text = json_string_value(json_object_get(entry, "template"));
    const char *id = json_string_value(json_object_get(entry, "id"));
    json_t *examples = json_object_get(entry, "examples");
    json_t *types = json_object_get(entry, "log_types");
    if (!text || !id || !json_array_size(examples) || !out)
        return ASR_ERR_ARG;
    char word[128] = "", sig_id[64], notes[600];
    char *expr = template_expr(text, word, sizeof word);
    if (!expr)
        return *word ? ASR_ERR_NOMEM : ASR_ERR_ARG;
    json_t *match = json_array(), *nomatch = json_array();
    size_t i;
    json_t *ex;
    json_array_foreach(examples, i, ex)
    {
        const char *line = json_string_value(json_object_get(ex, "text"));
        if (line)
            json_array_append_new(match, json_string(line));
    }
    json_array_append_new(
        nomatch, near_miss(json_array_size(match) ? json_string_value(json_array_get(match, 0)) : "", word));
    snprintf(sig_id, sizeof sig_id, "local.%s", id);
    snprintf(notes, sizeof notes,
             "Made by asrlog signatures new from template %s (%s). Check that the expression "
             "is specific enough, then write the title, the remediation and a fitting "
             "specificity (patterns/README.md).",
             id, text);
    json_t *sig = json_pack(
        "{s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:O, s:{s:s, s:[s]}, s:s, s:{s:o, s:o}}", "id",
        sig_id, "title", "TODO: what failed, in one line", "severity", "error", "effect",
        "failure", "specificity", 60, "os", os_of_types(types), "match", expr, "log_types",
        types ? types : json_array(), "remediation", "summary", "TODO: what fixes it", "steps",
        "TODO: the first step", "notes", notes, "examples", "match", match, "nomatch", nomatch);
    free(expr);
    if (!sig)
        return ASR_ERR_NOMEM;
    *out = json_pack("{s:s, s:s, s:[o]}", "family", "local", "description",
                     "Signatures of our own (asrlog scan --patterns DIR).", "signatures", sig);
    return *out ? ASR_OK : ASR_ERR_NOMEM;
}
