/*
 * redact.c — keyed pseudonyms for the identifying values of a report (asr_redact_report).
 *
 * The report document is rewritten once, before any renderer sees it, so every output format
 * is covered by construction. Three steps:
 *   1. collect: every string that comes from the logs or the file system (everything but the
 *      catalogue's own text and the fixed enumerations, see skipped_keys) is searched for
 *      identifying values — by the member it sits in ("host", "aliases", "ip", "account", …)
 *      and by content rules (addresses, e-mail addresses, accounts in the formats the ASR logs
 *      print them, passphrase file paths, profile folders, host names in known lines). Each
 *      distinct value, ASCII case folded, becomes an entry with a kind and a pseudonym.
 *   2. name: pseudonym = kind prefix + the first hex digits of HMAC-SHA256(key, "kind:value");
 *      addresses get a valid-looking address in a reserved range instead.
 *   3. replace: every spelling of every entry goes into one caseless Hyperscan literal
 *      database; each string is scanned once, hits inside a longer word are dropped, overlaps
 *      are resolved leftmost-longest, and the string is rebuilt.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hs/hs.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "asrlog.h"
#include "sha256.h"
#include "util.h"

/* ------------------------------------------------------------------------------------------ */
/* kinds of values */

typedef enum kind {
    KIND_HOST,
    KIND_IP,
    KIND_USER,
    KIND_DOMAIN,
    KIND_MAIL,
    KIND_PATH,
    KIND__COUNT
} kind;

static const char *const kind_names[KIND__COUNT] = {"host", "ip", "user", "domain", "mail", "path"};

/* Values shorter than this are never replaced: they would hit unrelated text everywhere. */
#define MIN_VALUE_LEN 2
/* Hex digits of the HMAC shown in a pseudonym (32 bits: collisions are rare and handled). */
#define PSEUDONYM_HEX 8

/* Names that identify nobody: built-in accounts, domains and folders, registry hives. */
static const char *const well_known_names[] = {
    "root", "administrator", "administrators", "admin", "system", "localsystem", "local system",
    "localhost", "nt authority", "builtin", "nt service", "network service", "local service",
    "networkservice", "localservice", "everyone", "guest", "users", "public", "default",
    "default user", "all users", "svsystems", "workgroup", "hklm", "hkcu", "hkcr", "hku",
    "hkey_local_machine", "hkey_current_user", "hkey_classes_root", "hkey_users", NULL};

/* Last labels that make "name.a.b" a file name, not a fully qualified host name. */
static const char *const file_extensions[] = {
    "log", "txt", "gz", "tgz", "zip", "tar", "bz2", "xz", "json", "xml", "conf", "cfg", "ini",
    "exe", "msi", "dll", "cmd", "bat", "ps1", "sh", "vbs", "sys", "inf", "cab", "rpm", "deb",
    "md", "html", "csv", "tmp", "bak", "old", "pem", "crt", "key", "passphrase", NULL};

/*
 * Members whose values are the catalogue's own text or fixed enumerations: never searched,
 * never rewritten (a host that happens to be called "vss" must not rename a signature).
 */
static const char *const skipped_keys[] = {
    "signature", "title", "severity", "family", "effect", "outcome", "host_source", "os",
    "log_type", "status", "encoding", "asrlog_version", "catalog_hash", "remediation",
    "error_ids", "ep_codes", "hresult", "error_name", "started", "log_types", NULL};

/* ------------------------------------------------------------------------------------------ */
/* content rules */

typedef enum rule_action {
    ACT_PATH,     /* the whole match is a passphrase file path */
    ACT_MAIL,     /* the whole match is an e-mail address */
    ACT_IPV4,     /* the whole match is an IPv4 address */
    ACT_IPV6,     /* the whole match may be an IPv6 address (checked with inet_pton) */
    ACT_ACCOUNT,  /* group v is an account: DOMAIN\user, user@domain or user */
    ACT_USER,     /* group v is a user name (profile folders) */
    ACT_HOST,     /* group v is a host name or an address */
    ACT_FQDN      /* group h is a known host: group v is its DNS domain */
} rule_action;

typedef struct rule {
    const char *regex;
    rule_action action;
    int late;  /* runs after every other rule has seen every string (needs the host list) */
} rule;

/*
 * The content rules. Windows paths may hold spaces inside folders but not in the file name;
 * an account is only taken where a log line says it is one, or as an upper-case NetBIOS
 * DOMAIN\user or user@DOMAIN (registry paths are excluded by what surrounds them).
 */
static const rule rules[] = {
    /* passphrase files: C:\…\connection.passphrase, \\server\share\…, /root/…/pass.txt */
    {"(?i)(?<![A-Za-z0-9])[A-Za-z]:\\\\(?:[^\\\\\\r\\n\\t\"'<>|*?:]+\\\\)*"
     "[^\\\\\\s\"'<>|*?:]*passphrase[^\\\\\\s\"'<>|*?:]*",
     ACT_PATH, 0},
    {"(?i)(?<![\\\\\\w])\\\\\\\\[A-Za-z0-9.$_-]+\\\\(?:[^\\\\\\r\\n\\t\"'<>|*?:]+\\\\)*"
     "[^\\\\\\s\"'<>|*?:]*passphrase[^\\\\\\s\"'<>|*?:]*",
     ACT_PATH, 0},
    {"(?i)(?<![\\w.~/-])/(?:[^/\\s\"'<>|;]+/)+[^/\\s\"'<>|;]*passphrase[^/\\s\"'<>|;]*", ACT_PATH,
     0},
    /* e-mail addresses (a UPN looks the same and is treated the same) */
    {"(?<![\\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,63}"
     "(?![\\w-])",
     ACT_MAIL, 0},
    /* addresses; a dotted quad glued to a word and a dash ("InMageVx-9.54.0.0") is a version */
    {"(?<![A-Za-z0-9.])(?<![A-Za-z]-)(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}"
     "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?![A-Za-z0-9])(?!\\.[0-9])",
     ACT_IPV4, 0},
    {"(?<![A-Za-z0-9:.])(?=[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:)[0-9A-Fa-f.:]++(?![A-Za-z0-9_])", ACT_IPV6,
     0},
    /* accounts where the push service, WMI, MSI and the portal texts print them */
    {"with user (?<v>[^\\s()]+)", ACT_ACCOUNT, 0},
    {"\\(CoSetProxyBlanket\\) for (?<v>[^\\s()]+) failed", ACT_ACCOUNT, 0},
    {"(?i)\\b(?:LogonUser|UserName|User Name|AccountName|Account Name|RunAsUser|DomainUser)"
     "\\s*[=:]\\s*(?<v>[^\\s,;'\"()]+)",
     ACT_ACCOUNT, 0},
    {"provided account (?<v>[^\\s,;'\"()]+)", ACT_ACCOUNT, 0},
    {"user account (?<v>[^\\s,;'\"()]+) have been", ACT_ACCOUNT, 0},
    {"(?i)\\b(?:for|as|by) user (?<v>[^\\s,;'\"()]+)", ACT_ACCOUNT, 0},
    {"(?<![\\w\\\\/:.$-])(?<!NT )(?<v>[A-Z][A-Z0-9-]{1,14}\\\\[A-Za-z0-9][A-Za-z0-9._-]{0,63}\\$?)"
     "(?![\\w\\\\/:>$-])",
     ACT_ACCOUNT, 0},
    {"(?<![\\w.%+-])(?<v>[A-Za-z0-9][A-Za-z0-9._-]{0,63}@[A-Z][A-Z0-9-]{1,14})(?![\\w.@-])",
     ACT_ACCOUNT, 0},
    /* profile folders name their user (one with spaces only when a folder follows it) */
    {"(?i)(?<![A-Za-z0-9])(?:[A-Za-z]:)?\\\\(?:Users|Documents and Settings)\\\\"
     "(?<v>[^\\\\/\\s\"<>|:*?]+)(?![^\\\\/\\r\\n\\t\"<>|:*?]*\\\\)",
     ACT_USER, 0},
    {"(?i)(?<![A-Za-z0-9])(?:[A-Za-z]:)?\\\\(?:Users|Documents and Settings)\\\\"
     "(?<v>[^\\\\/\\r\\n\\t\"<>|:*?]{1,64}?)(?=\\\\)",
     ACT_USER, 0},
    {"(?<![\\w.-])/home/(?<v>[A-Za-z0-9._-]+)", ACT_USER, 0},
    /* host names in the lines that name one */
    {"process server (?<v>[A-Za-z0-9][A-Za-z0-9-]{0,62})\\(", ACT_HOST, 0},
    {"Host Name - (?<v>[^\\s\\\\/]+)", ACT_HOST, 0},
    {"\\bvmName:(?<v>\\S+)", ACT_HOST, 0},
    {"(?i)\\b(?:host ?name|machine ?name|computer ?name|server ?name|fqdn)\\s*[=:]\\s*"
     "(?<v>[A-Za-z0-9][A-Za-z0-9.-]{0,253}[A-Za-z0-9])",
     ACT_HOST, 0},
    /* WEB01.contoso.local: the DNS domain of a known host */
    {"(?<![\\w.-])(?<h>[A-Za-z0-9][A-Za-z0-9-]{0,62})\\.(?<v>(?:[A-Za-z0-9-]{1,63}\\.)*"
     "[A-Za-z][A-Za-z0-9-]{0,62}\\.[A-Za-z]{2,63})(?![\\w-])(?!\\.[A-Za-z0-9])",
     ACT_FQDN, 1},
};

#define N_RULES (sizeof rules / sizeof rules[0])

/* ------------------------------------------------------------------------------------------ */
/* state */

typedef struct entry {
    kind kind;
    char *norm;        /* the value as hashed: ASCII lower case, an IPv6 address canonical */
    char *original;    /* the spelling first found */
    char *pseudonym;
    json_t *seen_as;   /* every spelling replaced (array of strings) */
} entry;

typedef struct literal {
    char *text;        /* one spelling of an entry, searched without regard to ASCII case */
    size_t len;
    size_t entry;
} literal;

struct asr_redactor {
    asr_hmac_key key;
    entry *entries;
    size_t n_entries, cap_entries;
    literal *lits;
    size_t n_lits, cap_lits;
    json_t *by_literal;    /* folded spelling -> literal index (a jansson object as hash table) */
    json_t *by_norm;       /* "kind:norm" -> entry index */
    json_t *by_pseudonym;  /* pseudonym -> entry index */
    pcre2_code *rx[N_RULES];
    int v_group[N_RULES];  /* number of the group named v in rule i, or <= 0 */
    int h_group[N_RULES];  /* the same for h */
    pcre2_match_data *md;
};

/* One Hyperscan hit while rewriting a string. */
typedef struct hit {
    size_t start, end;
    size_t lit;
} hit;

typedef struct hit_list {
    hit *v;
    size_t n, cap;
    const asr_redactor *r;
    int oom;
} hit_list;

/* ------------------------------------------------------------------------------------------ */
/* small helpers */

/* A byte that continues a word: ASCII letter or digit, or any byte of a multi-byte character. */
static int is_word_byte(unsigned char c)
{
    return isalnum(c) || c >= 0x80;
}

/* Whether the NUL-terminated `word` equals s[0..n), ignoring ASCII case. */
static int equals_ci(const char *word, const char *s, size_t n)
{
    size_t i = 0;
    for (; i < n && word[i]; i++)
        if (tolower((unsigned char)word[i]) != tolower((unsigned char)s[i]))
            return 0;
    return i == n && word[i] == '\0';
}

/* Whether `s` (n bytes) is in a NULL-terminated list, ignoring ASCII case. */
static int in_list_ci(const char *const *list, const char *s, size_t n)
{
    for (size_t i = 0; list[i]; i++)
        if (equals_ci(list[i], s, n))
            return 1;
    return 0;
}

/* Whether the last dot-separated label of s[0..n) is a file extension ("web01.tar.gz"). */
static int ends_like_file_name(const char *s, size_t n)
{
    size_t i = n;
    while (i > 0 && s[i - 1] != '.')
        i--;
    return i > 0 && in_list_ci(file_extensions, s + i, n - i);
}

/* Whether a member name is one whose value is never searched nor rewritten. */
static int is_skipped_key(const char *key)
{
    for (size_t i = 0; skipped_keys[i]; i++)
        if (strcmp(skipped_keys[i], key) == 0)
            return 1;
    return 0;
}

/* Whether s[0..n) holds at least one byte that is not an ASCII digit. */
static int has_non_digit(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 1;
    return 0;
}

/*
 * parse_ip — whether s[0..n) is exactly an address of `family` (AF_INET, AF_INET6); fills
 * `out` (4 or 16 bytes). IPv4 must be plain dotted decimal as inet_ntop writes it.
 */
static int parse_ip(int family, const char *s, size_t n, unsigned char *out)
{
    char buf[64];
    if (n == 0 || n >= sizeof buf)
        return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (inet_pton(family, buf, out) != 1)
        return 0;
    if (family == AF_INET) {
        char back[INET_ADDRSTRLEN];
        return inet_ntop(AF_INET, out, back, sizeof back) && strcmp(back, buf) == 0;
    }
    return 1;
}

/* Addresses that identify no machine: unspecified, loopback, multicast and reserved space. */
static int ipv4_is_uninteresting(const unsigned char a[4])
{
    return a[0] == 0 || a[0] == 127 || a[0] >= 224;
}

static int ipv6_is_uninteresting(const unsigned char a[16])
{
    static const unsigned char zero[15] = {0};
    return memcmp(a, zero, 15) == 0 && (a[15] == 0 || a[15] == 1); /* :: and ::1 */
}

/* Lower-case hex of the first `n` bytes of `d` into out (2n+1 bytes). */
static void hex_digits(const unsigned char *d, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[d[i] >> 4];
        out[2 * i + 1] = hex[d[i] & 15];
    }
    out[2 * n] = '\0';
}

/* ------------------------------------------------------------------------------------------ */
/* pseudonyms */

/*
 * make_pseudonym — the pseudonym of (kind, norm) for collision round `round` (0 first):
 * HMAC-SHA256(key, "kind:norm") — with "#round" appended after a collision — shown as
 * "<kind>-<8 hex>", "mail-<8 hex>@example.invalid", an IPv4 address in 240.0.0.0/4 (reserved,
 * never assigned) or an IPv6 address in 2001:db8::/32 (documentation). Writes into out.
 */
static void make_pseudonym(const asr_redactor *r, kind k, const char *norm, unsigned round,
                           char *out, size_t out_size)
{
    char suffix[16] = "";
    if (round)
        snprintf(suffix, sizeof suffix, "#%u", round);
    const void *parts[4] = {kind_names[k], ":", norm, suffix};
    size_t lens[4] = {strlen(kind_names[k]), 1, strlen(norm), strlen(suffix)};
    unsigned char mac[ASR_SHA256_LEN];
    asr_hmac_sha256_parts(&r->key, 4, parts, lens, mac);
    char hex[2 * PSEUDONYM_HEX + 1];
    hex_digits(mac, PSEUDONYM_HEX / 2, hex);
    if (k == KIND_IP && strchr(norm, ':')) {
        unsigned char a[16] = {0x20, 0x01, 0x0d, 0xb8};
        memcpy(a + 4, mac, 12);
        inet_ntop(AF_INET6, a, out, (socklen_t)out_size);
    } else if (k == KIND_IP) {
        snprintf(out, out_size, "%u.%u.%u.%u", 240u | (mac[0] & 15u), mac[1], mac[2], mac[3]);
    } else if (k == KIND_MAIL) {
        snprintf(out, out_size, "mail-%s@example.invalid", hex);
    } else {
        snprintf(out, out_size, "%s-%s", kind_names[k], hex);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* entries and literals */

/* Index stored in one of the jansson lookup objects, or -1. */
static long long lookup(json_t *table, const char *key)
{
    json_t *v = json_object_get(table, key);
    return v ? (long long)json_integer_value(v) : -1;
}

/* Stores key -> index in a lookup object. */
static asr_error remember(json_t *table, const char *key, size_t index)
{
    json_t *v = json_integer((json_int_t)index);
    if (!v || json_object_set_new_nocheck(table, key, v) != 0)
        return ASR_ERR_NOMEM;
    return ASR_OK;
}

/*
 * entry_for — the index of the entry of (kind, norm), created with its pseudonym when new.
 * `spelling` is recorded as the original of a new entry. Returns ASR_OK or ASR_ERR_NOMEM.
 */
static asr_error entry_for(asr_redactor *r, kind k, const char *norm, const char *spelling,
                           size_t *out)
{
    size_t klen = strlen(kind_names[k]) + 1 + strlen(norm) + 1;
    char *key = malloc(klen);
    if (!key)
        return ASR_ERR_NOMEM;
    snprintf(key, klen, "%s:%s", kind_names[k], norm);
    long long found = lookup(r->by_norm, key);
    if (found >= 0) {
        free(key);
        *out = (size_t)found;
        return ASR_OK;
    }
    if (r->n_entries == r->cap_entries) {
        entry *g = asr_grow(r->entries, &r->cap_entries, sizeof *g, 64);
        if (!g) {
            free(key);
            return ASR_ERR_NOMEM;
        }
        r->entries = g;
    }
    char pseudo[64];
    unsigned round = 0;
    do
        make_pseudonym(r, k, norm, round++, pseudo, sizeof pseudo);
    while (lookup(r->by_pseudonym, pseudo) >= 0);
    entry *e = &r->entries[r->n_entries];
    e->kind = k;
    e->norm = asr_strdup(norm);
    e->original = asr_strdup(spelling);
    e->pseudonym = asr_strdup(pseudo);
    e->seen_as = json_array();
    asr_error err = ASR_OK;
    if (!e->norm || !e->original || !e->pseudonym || !e->seen_as)
        err = ASR_ERR_NOMEM;
    if (!err)
        err = remember(r->by_norm, key, r->n_entries);
    if (!err)
        err = remember(r->by_pseudonym, pseudo, r->n_entries);
    free(key);
    if (err) {
        free(e->norm);
        free(e->original);
        free(e->pseudonym);
        json_decref(e->seen_as);
        return err;
    }
    *out = r->n_entries++;
    return ASR_OK;
}

/* add_new_value — registers a spelling not seen before (`folded`: its lower-case form). */
static asr_error add_new_value(asr_redactor *r, kind k, const char *s, size_t n,
                               const char *folded)
{
    char *norm = NULL;
    if (k == KIND_IP) {
        unsigned char a[16];
        char canon[INET6_ADDRSTRLEN];
        if (parse_ip(AF_INET, s, n, a)) {
            if (ipv4_is_uninteresting(a))
                return ASR_OK;
            inet_ntop(AF_INET, a, canon, sizeof canon);
        } else if (parse_ip(AF_INET6, s, n, a)) {
            if (ipv6_is_uninteresting(a))
                return ASR_OK;
            inet_ntop(AF_INET6, a, canon, sizeof canon);
        } else {
            return ASR_OK;
        }
        norm = asr_strdup(canon);
    } else {
        norm = asr_strdup(folded);
    }
    char *spelling = asr_strndup(s, n);
    size_t e = 0;
    asr_error err = (norm && spelling) ? ASR_OK : ASR_ERR_NOMEM;
    if (!err)
        err = entry_for(r, k, norm, spelling, &e);
    if (!err && r->n_lits == r->cap_lits) {
        literal *g = asr_grow(r->lits, &r->cap_lits, sizeof *g, 64);
        if (g)
            r->lits = g;
        else
            err = ASR_ERR_NOMEM;
    }
    if (!err)
        err = remember(r->by_literal, folded, r->n_lits);
    if (!err) {
        r->lits[r->n_lits].text = spelling;
        r->lits[r->n_lits].len = n;
        r->lits[r->n_lits].entry = e;
        r->n_lits++;
        spelling = NULL;
    }
    free(norm);
    free(spelling);
    return err;
}

/*
 * add_value — registers s[0..n) as a value of kind `k`: its entry (shared by every value with
 * the same normalised form) and the spelling as a literal to replace. Values that are too
 * short, all digits (names only), well known, or addresses of no machine are ignored. The
 * first kind registered for a spelling wins. Returns ASR_OK or ASR_ERR_NOMEM.
 */
static asr_error add_value(asr_redactor *r, kind k, const char *s, size_t n)
{
    if (n < MIN_VALUE_LEN || memchr(s, '\0', n))
        return ASR_OK;
    /* Most values are met again and again: look the spelling up before any allocation. */
    char small[256];
    char *folded = n < sizeof small ? small : malloc(n + 1);
    if (!folded)
        return ASR_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        folded[i] = (char)tolower((unsigned char)s[i]);
    folded[n] = '\0';
    asr_error err = ASR_OK;
    if (lookup(r->by_literal, folded) < 0 &&
        !((k == KIND_HOST || k == KIND_USER || k == KIND_DOMAIN) &&
          (!has_non_digit(s, n) || in_list_ci(well_known_names, s, n))))
        err = add_new_value(r, k, s, n, folded);
    if (folded != small)
        free(folded);
    return err;
}

/* Trims quotes and trailing sentence punctuation from a captured value. */
static void trim_value(const char **s, size_t *n)
{
    while (*n && strchr("\"'`<[", (*s)[0])) {
        (*s)++;
        (*n)--;
    }
    while (*n && strchr("\"'`>].,;:)", (*s)[*n - 1]))
        (*n)--;
}

/* A host name or an address, by its form. A dotted name also gives its short name and domain. */
static asr_error add_host_or_ip(asr_redactor *r, const char *s, size_t n)
{
    unsigned char a[16];
    trim_value(&s, &n);
    if (parse_ip(AF_INET, s, n, a) || parse_ip(AF_INET6, s, n, a))
        return add_value(r, KIND_IP, s, n);
    if (memchr(s, '/', n) || memchr(s, '\\', n))
        return add_value(r, KIND_HOST, s, n); /* a file path standing for a host */
    asr_error err = add_value(r, KIND_HOST, s, n);
    const char *dot = memchr(s, '.', n);
    if (!err && dot && !ends_like_file_name(s, n)) {
        err = add_value(r, KIND_HOST, s, (size_t)(dot - s));
        if (!err)
            err = add_value(r, KIND_DOMAIN, dot + 1, n - (size_t)(dot - s) - 1);
    }
    return err;
}

/*
 * add_account — DOMAIN\user (".\user" is a local account), user@domain (an e-mail address when
 * the domain is dotted) or a bare user name.
 */
static asr_error add_account(asr_redactor *r, const char *s, size_t n)
{
    trim_value(&s, &n);
    const char *bs = NULL, *at = NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\')
            bs = s + i;
        else if (s[i] == '@' && !at)
            at = s + i;
    }
    if (bs) {
        asr_error err = add_value(r, KIND_DOMAIN, s, (size_t)(bs - s));
        return err ? err : add_value(r, KIND_USER, bs + 1, n - (size_t)(bs - s) - 1);
    }
    if (at) {
        size_t dl = n - (size_t)(at - s) - 1;
        if (memchr(at + 1, '.', dl))
            return add_value(r, KIND_MAIL, s, n);
        asr_error err = add_value(r, KIND_USER, s, (size_t)(at - s));
        return err ? err : add_value(r, KIND_DOMAIN, at + 1, dl);
    }
    return add_value(r, KIND_USER, s, n);
}

/* "\\server\share\…": the server part. */
static asr_error add_share(asr_redactor *r, const char *s, size_t n)
{
    if (n < 3 || s[0] != '\\' || s[1] != '\\')
        return ASR_OK;
    const char *end = memchr(s + 2, '\\', n - 2);
    return add_host_or_ip(r, s + 2, end ? (size_t)(end - s - 2) : n - 2);
}

/* ------------------------------------------------------------------------------------------ */
/* collection */

/* Values named by the member they sit in (pass 0). "hosts" holds names only in the report's
 * unclassified templates (the top-level "hosts" array holds objects). */
static asr_error collect_by_key(asr_redactor *r, const char *key, const char *s, size_t n)
{
    if (!key)
        return ASR_OK;
    if (!strcmp(key, "host") || !strcmp(key, "hosts") || !strcmp(key, "aliases") ||
        !strcmp(key, "vm_name") || !strcmp(key, "ip") || !strcmp(key, "cs_ip"))
        return add_host_or_ip(r, s, n);
    if (!strcmp(key, "account") || !strcmp(key, "user") || !strcmp(key, "username"))
        return add_account(r, s, n);
    if (!strcmp(key, "share"))
        return add_share(r, s, n);
    return ASR_OK;
}

/* The text of capture group `num` of the last match, or 0 when the group is absent or unset. */
static int group_text(const asr_redactor *r, int num, const char *s, const char **p, size_t *n)
{
    if (num <= 0)
        return 0;
    const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
    if ((uint32_t)num >= pcre2_get_ovector_count(r->md) || ov[2 * num] == PCRE2_UNSET)
        return 0;
    *p = s + ov[2 * num];
    *n = ov[2 * num + 1] - ov[2 * num];
    return 1;
}

/* Whether h[0..n) is a host name already collected. */
static int is_known_host(const asr_redactor *r, const char *h, size_t n)
{
    char key[300];
    if (n + 6 > sizeof key)
        return 0;
    memcpy(key, "host:", 5);
    for (size_t i = 0; i < n; i++)
        key[5 + i] = (char)tolower((unsigned char)h[i]);
    key[5 + n] = '\0';
    return lookup(r->by_norm, key) >= 0;
}

/* Applies what rule i found in s (whole match at ov[0..1], named groups v and h). */
static asr_error apply_rule(asr_redactor *r, size_t i, const char *s, const PCRE2_SIZE *ov)
{
    const char *m = s + ov[0], *v = NULL, *h = NULL;
    size_t mlen = ov[1] - ov[0], vlen = 0, hlen = 0;
    int has_v = group_text(r, r->v_group[i], s, &v, &vlen);
    switch (rules[i].action) {
    case ACT_PATH:
        return add_value(r, KIND_PATH, m, mlen);
    case ACT_MAIL:
        return add_value(r, KIND_MAIL, m, mlen);
    case ACT_IPV4:
        return add_value(r, KIND_IP, m, mlen);
    case ACT_IPV6:
        while (mlen && m[mlen - 1] == '.') /* sentence end */
            mlen--;
        return add_value(r, KIND_IP, m, mlen);
    case ACT_ACCOUNT:
        return has_v ? add_account(r, v, vlen) : ASR_OK;
    case ACT_USER:
        if (!has_v)
            return ASR_OK;
        trim_value(&v, &vlen);
        return add_value(r, KIND_USER, v, vlen);
    case ACT_HOST:
        return has_v ? add_host_or_ip(r, v, vlen) : ASR_OK;
    case ACT_FQDN:
        if (has_v && group_text(r, r->h_group[i], s, &h, &hlen) && is_known_host(r, h, hlen) &&
            !ends_like_file_name(v, vlen))
            return add_value(r, KIND_DOMAIN, v, vlen);
        return ASR_OK;
    }
    return ASR_OK;
}

/* Runs the content rules of one pass (0: early, 1: late) over s[0..n). */
static asr_error collect_by_content(asr_redactor *r, int late, const char *s, size_t n)
{
    for (size_t i = 0; i < N_RULES; i++) {
        if (rules[i].late != late)
            continue;
        PCRE2_SIZE start = 0;
        while (start <= n) {
            int rc = pcre2_match(r->rx[i], (PCRE2_SPTR)s, n, start, 0, r->md, NULL);
            if (rc < 0)
                break; /* no match (or a resource limit: the rest of this string is not searched) */
            const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
            asr_error err = apply_rule(r, i, s, ov);
            if (err)
                return err;
            start = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
        }
    }
    return ASR_OK;
}

/*
 * collect — walks the report. Pass 0: values named by their member; pass 1: content rules;
 * pass 2: the late content rules. Array elements inherit the member name of their array.
 */
static asr_error collect(asr_redactor *r, json_t *node, const char *key, int pass)
{
    if (key && is_skipped_key(key))
        return ASR_OK;
    if (json_is_string(node)) {
        const char *s = json_string_value(node);
        size_t n = json_string_length(node);
        if (pass == 0)
            return collect_by_key(r, key, s, n);
        return collect_by_content(r, pass == 2, s, n);
    }
    asr_error err = ASR_OK;
    if (json_is_object(node)) {
        const char *k;
        json_t *v;
        json_object_foreach(node, k, v)
        {
            if ((err = collect(r, v, k, pass)))
                return err;
        }
    } else if (json_is_array(node)) {
        size_t i;
        json_t *v;
        json_array_foreach(node, i, v)
        {
            if ((err = collect(r, v, key, pass)))
                return err;
        }
    }
    return err;
}

/* ------------------------------------------------------------------------------------------ */
/* replacement */

/* Hyperscan callback: records one literal hit (its start follows from the literal's length). */
static int on_hit(unsigned int id, unsigned long long from, unsigned long long to,
                  unsigned int flags, void *ctx)
{
    (void)from;
    (void)flags;
    hit_list *h = ctx;
    if (h->n == h->cap) {
        hit *g = asr_grow(h->v, &h->cap, sizeof *g, 16);
        if (!g) {
            h->oom = 1;
            return 1; /* stop the scan */
        }
        h->v = g;
    }
    size_t len = h->r->lits[id].len;
    h->v[h->n].start = (size_t)to - len;
    h->v[h->n].end = (size_t)to;
    h->v[h->n].lit = id;
    h->n++;
    return 0;
}

/* Orders hits by start, the longest first at the same start. */
static int cmp_hit(const void *a, const void *b)
{
    const hit *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->end != y->end)
        return x->end > y->end ? -1 : 1;
    return 0;
}

/*
 * whole_value — whether a hit stands on its own in t[0..n): a value that starts or ends with a
 * word character must not continue a longer word ("WEB01" is not in "WEB010"), and an address
 * must not continue a longer dotted number or IPv6 group list.
 */
static int whole_value(const asr_redactor *r, const char *t, size_t n, const hit *h)
{
    const unsigned char *u = (const unsigned char *)t;
    size_t s = h->start, e = h->end;
    if (is_word_byte(u[s]) && s > 0 && is_word_byte(u[s - 1]))
        return 0;
    if (is_word_byte(u[e - 1]) && e < n && is_word_byte(u[e]))
        return 0;
    if (r->entries[r->lits[h->lit].entry].kind == KIND_IP) {
        if (s >= 2 && u[s - 1] == '.' && isdigit(u[s - 2]))
            return 0;
        if (e + 1 < n && u[e] == '.' && isdigit(u[e + 1]))
            return 0;
        int v6 = memchr(t + s, ':', e - s) != NULL;
        if (v6 && ((s > 0 && u[s - 1] == ':') || (e < n && u[e] == ':')))
            return 0;
    }
    return 1;
}

/* Adds a spelling to an entry's seen_as list once. */
static asr_error note_spelling(entry *e, const char *s, size_t n)
{
    size_t i;
    json_t *x;
    json_array_foreach(e->seen_as, i, x)
    {
        if (json_string_length(x) == n && memcmp(json_string_value(x), s, n) == 0)
            return ASR_OK;
    }
    json_t *v = json_stringn(s, n);
    if (!v || json_array_append_new(e->seen_as, v) != 0)
        return ASR_ERR_NOMEM;
    return ASR_OK;
}

/* A rewritten string, set once the whole document has been read (see apply_edits). */
typedef struct edit {
    json_t *str;
    char *text;
    size_t len;
} edit;

typedef struct rewriter {
    asr_redactor *r;
    hs_database_t *db;
    hs_scratch_t *scratch;
    hit_list hits;
    asr_buf out;
    edit *edits;
    size_t n_edits, cap_edits;
} rewriter;

/* Records the new text of `str` (a copy of w->out). */
static asr_error add_edit(rewriter *w, json_t *str)
{
    if (w->n_edits == w->cap_edits) {
        edit *g = asr_grow(w->edits, &w->cap_edits, sizeof *g, 64);
        if (!g)
            return ASR_ERR_NOMEM;
        w->edits = g;
    }
    char *text = asr_strndup(w->out.data, w->out.len);
    if (!text)
        return ASR_ERR_NOMEM;
    w->edits[w->n_edits++] = (edit){str, text, w->out.len};
    return ASR_OK;
}

/*
 * apply_edits — sets every rewritten string (when `apply`; otherwise only frees the edits).
 * Done after the walk, so that a string object that sits in two places of the document is
 * rewritten from its original text both times, never from its pseudonymised text.
 */
static asr_error apply_edits(rewriter *w, int apply)
{
    asr_error err = apply ? ASR_OK : ASR_ERR_ARG;
    for (size_t i = 0; i < w->n_edits; i++) {
        /* Pseudonyms are ASCII and replace whole characters, so the text stays valid UTF-8;
         * json_string_setn checks that anyway. */
        if (!err && json_string_setn(w->edits[i].str, w->edits[i].text, w->edits[i].len) != 0)
            err = ASR_ERR_NOMEM;
        free(w->edits[i].text);
    }
    free(w->edits);
    w->edits = NULL;
    w->n_edits = w->cap_edits = 0;
    return err;
}

/* Works out the redacted text of one JSON string (recorded as an edit when it changes). */
static asr_error rewrite_string(rewriter *w, json_t *str)
{
    const char *t = json_string_value(str);
    size_t n = json_string_length(str);
    w->hits.n = 0;
    if (n == 0)
        return ASR_OK;
    if (n > 0xffffffffu) /* hs_scan takes an unsigned length */
        return ASR_ERR_LIMIT;
    hs_error_t hr = hs_scan(w->db, t, (unsigned)n, 0, w->scratch, on_hit, &w->hits);
    if (w->hits.oom)
        return ASR_ERR_NOMEM;
    if (hr != HS_SUCCESS)
        return ASR_ERR_SCAN;
    if (w->hits.n == 0)
        return ASR_OK;
    qsort(w->hits.v, w->hits.n, sizeof *w->hits.v, cmp_hit);
    w->out.len = 0;
    size_t pos = 0, replaced = 0;
    for (size_t i = 0; i < w->hits.n; i++) {
        const hit *h = &w->hits.v[i];
        if (h->start < pos || !whole_value(w->r, t, n, h))
            continue;
        entry *e = &w->r->entries[w->r->lits[h->lit].entry];
        asr_error err = asr_buf_append(&w->out, t + pos, h->start - pos);
        if (!err)
            err = asr_buf_append(&w->out, e->pseudonym, strlen(e->pseudonym));
        if (!err)
            err = note_spelling(e, t + h->start, h->end - h->start);
        if (err)
            return err;
        pos = h->end;
        replaced++;
    }
    if (!replaced)
        return ASR_OK;
    asr_error err = asr_buf_append(&w->out, t + pos, n - pos);
    return err ? err : add_edit(w, str);
}

/* Rewrites every string of the report outside the skipped members. */
static asr_error rewrite(rewriter *w, json_t *node, const char *key)
{
    if (key && is_skipped_key(key))
        return ASR_OK;
    if (json_is_string(node))
        return rewrite_string(w, node);
    asr_error err = ASR_OK;
    if (json_is_object(node)) {
        const char *k;
        json_t *v;
        json_object_foreach(node, k, v)
        {
            if ((err = rewrite(w, v, k)))
                return err;
        }
    } else if (json_is_array(node)) {
        size_t i;
        json_t *v;
        json_array_foreach(node, i, v)
        {
            if ((err = rewrite(w, v, key)))
                return err;
        }
    }
    return err;
}

/* Compiles every literal into one caseless Hyperscan block-mode database. */
static asr_error compile_literals(const asr_redactor *r, hs_database_t **db)
{
    const char **exprs = malloc(r->n_lits * sizeof *exprs);
    unsigned *flags = malloc(r->n_lits * sizeof *flags);
    unsigned *ids = malloc(r->n_lits * sizeof *ids);
    size_t *lens = malloc(r->n_lits * sizeof *lens);
    asr_error err = ASR_ERR_NOMEM;
    if (exprs && flags && ids && lens) {
        for (size_t i = 0; i < r->n_lits; i++) {
            exprs[i] = r->lits[i].text;
            flags[i] = HS_FLAG_CASELESS;
            ids[i] = (unsigned)i;
            lens[i] = r->lits[i].len;
        }
        hs_compile_error_t *cerr = NULL;
        if (hs_compile_lit_multi(exprs, flags, ids, lens, (unsigned)r->n_lits, HS_MODE_BLOCK,
                                 NULL, db, &cerr) == HS_SUCCESS) {
            err = ASR_OK;
        } else {
            hs_free_compile_error(cerr);
            err = ASR_ERR_COMPILE;
        }
    }
    free(exprs);
    free(flags);
    free(ids);
    free(lens);
    return err;
}

/* ------------------------------------------------------------------------------------------ */
/* public API */

asr_error asr_redactor_new(const void *key, size_t key_len, asr_redactor **out)
{
    if (!out || !key || key_len == 0)
        return ASR_ERR_ARG;
    asr_redactor *r = calloc(1, sizeof *r);
    if (!r)
        return ASR_ERR_NOMEM;
    asr_hmac_key_init(&r->key, key, key_len);
    r->by_literal = json_object();
    r->by_norm = json_object();
    r->by_pseudonym = json_object();
    r->md = pcre2_match_data_create(16, NULL);
    asr_error err = (r->by_literal && r->by_norm && r->by_pseudonym && r->md) ? ASR_OK
                                                                               : ASR_ERR_NOMEM;
    for (size_t i = 0; !err && i < N_RULES; i++) {
        int code;
        PCRE2_SIZE off;
        r->rx[i] = pcre2_compile((PCRE2_SPTR)rules[i].regex, PCRE2_ZERO_TERMINATED, 0, &code,
                                 &off, NULL);
        if (!r->rx[i]) {
            err = ASR_ERR_COMPILE; /* a bug in the table above; the unit tests compile it */
            break;
        }
        (void)pcre2_jit_compile(r->rx[i], PCRE2_JIT_COMPLETE); /* optional speed-up */
        r->v_group[i] = pcre2_substring_number_from_name(r->rx[i], (PCRE2_SPTR) "v");
        r->h_group[i] = pcre2_substring_number_from_name(r->rx[i], (PCRE2_SPTR) "h");
    }
    if (err) {
        asr_redactor_free(r);
        return err;
    }
    *out = r;
    return ASR_OK;
}

asr_error asr_redact_report(asr_redactor *r, json_t *report)
{
    if (!r || !json_is_object(report))
        return ASR_ERR_ARG;
    asr_error err = ASR_OK;
    for (int pass = 0; pass < 3 && !err; pass++)
        err = collect(r, report, NULL, pass);
    if (err || r->n_lits == 0)
        return err;
    rewriter w = {r, NULL, NULL, {NULL, 0, 0, r, 0}, {NULL, 0, 0}, NULL, 0, 0};
    err = compile_literals(r, &w.db);
    if (!err && hs_alloc_scratch(w.db, &w.scratch) != HS_SUCCESS)
        err = ASR_ERR_NOMEM;
    if (!err)
        err = rewrite(&w, report, NULL);
    asr_error set_err = apply_edits(&w, !err); /* after a failure: only frees them */
    if (!err)
        err = set_err;
    hs_free_scratch(w.scratch);
    hs_free_database(w.db);
    free(w.hits.v);
    asr_buf_free(&w.out);
    return err;
}

asr_error asr_redactor_map(const asr_redactor *r, json_t **out)
{
    if (!r || !out)
        return ASR_ERR_ARG;
    json_t *names = json_object();
    json_t *doc = json_pack("{s:s, s:o}", "format", "asrlog-redact-map/1", "pseudonyms", names);
    if (!doc)
        return ASR_ERR_NOMEM;
    for (size_t i = 0; i < r->n_entries; i++) {
        const entry *e = &r->entries[i];
        json_t *row = json_pack("{s:s, s:s, s:O}", "kind", kind_names[e->kind], "original",
                                e->original, "seen_as", e->seen_as);
        if (!row || json_object_set_new(names, e->pseudonym, row) != 0) {
            json_decref(doc);
            return ASR_ERR_NOMEM;
        }
    }
    *out = doc;
    return ASR_OK;
}

void asr_redactor_free(asr_redactor *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_entries; i++) {
        free(r->entries[i].norm);
        free(r->entries[i].original);
        free(r->entries[i].pseudonym);
        json_decref(r->entries[i].seen_as);
    }
    free(r->entries);
    for (size_t i = 0; i < r->n_lits; i++)
        free(r->lits[i].text);
    free(r->lits);
    json_decref(r->by_literal);
    json_decref(r->by_norm);
    json_decref(r->by_pseudonym);
    for (size_t i = 0; i < N_RULES; i++)
        pcre2_code_free(r->rx[i]);
    pcre2_match_data_free(r->md);
    asr_hmac_key_wipe(&r->key);
    free(r);
}
