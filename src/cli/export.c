/*
 * export.c — `asrlog signatures --export FMT`: the catalogue's match expressions as pattern
 * files for other tools, one expression per line, so that a benchmark can give ripgrep and
 * grep the very same search (bench/run.py does).
 *
 *   hs-regex  the expressions as Hyperscan compiles them, with "(?i)" in front of caseless
 *             ones: PCRE syntax that ripgrep (`rg -f`) accepts.
 *   ere       the same expressions rewritten for GNU `grep -E -f`: "(?:" becomes "(", \d a
 *             bracket range, \t a tab, lazy quantifiers greedy (same lines match), escaped
 *             punctuation that ERE does not need is unescaped, caseless letters become
 *             [xX] pairs, \n and \r inside brackets are left out (grep reads lines without
 *             their ends; a bracket expression made of nothing else is not supported). GNU grep's \b, \s, \S, \w, \W extensions are kept.
 * Both exports match the same lines as the catalogue (lines are matched one at a time, so
 * Hyperscan's multi-line ^ and $ mean the same as grep's).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* Characters that stay escaped in ERE (special there) — everything else loses its "\". */
static int ere_special(int c)
{
    return c != 0 && strchr(".[]()*+?{}|^$\\", c) != NULL;
}

/* Writes one literal character, as [xX] when caseless and a letter. */
static void put_char(FILE *out, int c, int caseless, int in_class)
{
    if (caseless && isalpha(c)) {
        if (in_class)
            fprintf(out, "%c%c", tolower(c), toupper(c));
        else
            fprintf(out, "[%c%c]", tolower(c), toupper(c));
        return;
    }
    fputc(c, out);
}

/* Escapes \d \D \s \S \w \W inside a bracket expression, as POSIX classes. Returns 1 when the
 * escape was one of those. */
static int class_escape(FILE *out, int c)
{
    switch (c) {
    case 'd': fputs("0-9", out); return 1;
    case 's': fputs("[:space:]", out); return 1;
    case 'w': fputs("[:alnum:]_", out); return 1;
    default: return 0;
    }
}

/* Rewrites one Hyperscan expression as GNU ERE on one line. */
static void write_ere(FILE *out, const char *re, int caseless)
{
    int in_class = 0;
    for (const char *p = re; *p; p++) {
        int c = (unsigned char)*p;
        if (in_class) {
            if (c == ']' && in_class > 1) {
                in_class = 0;
                fputc(']', out);
            } else if (c == '\\' && p[1]) {
                p++;
                if (*p == 't')
                    fputc('\t', out);
                else if (*p == 'n' || *p == 'r') {
                    /* grep sees one line at a time, without its end: nothing to write */
                } else if (!class_escape(out, *p))
                    put_char(out, *p, caseless, 1); /* "\]" and friends: literal */
                in_class++;
            } else {
                put_char(out, c, caseless, 1);
                in_class++;
            }
            continue;
        }
        if (c == '[') {
            fputc('[', out);
            in_class = 1;
            if (p[1] == '^') {
                fputc('^', out);
                p++;
            }
            if (p[1] == ']') { /* a leading "]" is literal */
                fputc(']', out);
                p++;
                in_class++;
            }
            continue;
        }
        if (c == '(' && p[1] == '?' && p[2] == ':') {
            fputc('(', out);
            p += 2;
            continue;
        }
        if ((c == '*' || c == '+' || c == '?' || c == '}') && p[1] == '?') {
            fputc(c, out); /* lazy → greedy: the same lines match */
            p++;
            continue;
        }
        if (c == '\\' && p[1]) {
            int e = (unsigned char)*++p;
            if (e == 'd')
                fputs("[0-9]", out);
            else if (e == 'D')
                fputs("[^0-9]", out);
            else if (e == 't')
                fputc('\t', out);
            else if (strchr("bBsSwW", e))
                fprintf(out, "\\%c", e);
            else if (ere_special(e))
                fprintf(out, "\\%c", e);
            else
                put_char(out, e, caseless, 0);
            continue;
        }
        put_char(out, c, caseless, 0);
    }
    fputc('\n', out);
}

/* Writes an expression for ripgrep: PCRE syntax, but an escaped punctuation character that is
 * not a regex metacharacter (\" \/ \: …) loses its needless backslash, which ripgrep's
 * parser rejects and which means the same character to every engine. */
static void write_hs(FILE *out, const char *re, int caseless)
{
    if (caseless)
        fputs("(?i)", out);
    for (const char *p = re; *p; p++) {
        if (*p == '\\' && p[1]) {
            int e = (unsigned char)*++p;
            if (!isalnum(e) && !strchr("\\.+*?()|[]{}^$#&-~", e))
                fputc(e, out);
            else
                fprintf(out, "\\%c", e);
            continue;
        }
        fputc(*p, out);
    }
    fputc('\n', out);
}

/* Is "caseless" among the signature's flags? */
static int is_caseless(json_t *sig)
{
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(sig, "flags"), i, f)
    {
        if (json_is_string(f) && strcmp(json_string_value(f), "caseless") == 0)
            return 1;
    }
    return 0;
}

int export_patterns(FILE *out, const asr_catalog *cat, const char *fmt)
{
    int ere = strcmp(fmt, "ere") == 0;
    if (!ere && strcmp(fmt, "hs-regex") != 0)
        return -1;
    for (size_t i = 0; i < asr_catalog_count(cat); i++) {
        json_t *sig = asr_catalog_describe(cat, i);
        const char *re = json_string_value(json_object_get(sig, "match"));
        int caseless = is_caseless(sig);
        if (re && ere)
            write_ere(out, re, caseless);
        else if (re)
            write_hs(out, re, caseless);
        json_decref(sig);
    }
    return ferror(out) ? -1 : 0;
}
