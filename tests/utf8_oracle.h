/*
 * utf8_oracle.h — a strict UTF-8 check for the tests (unit.test_decode, fuzz_decode), written
 * apart from the decoder's own on purpose: no overlong forms, no surrogates, nothing above
 * U+10FFFF, no sequence cut at the end.
 */
#ifndef ASR_UTF8_ORACLE_H
#define ASR_UTF8_ORACLE_H

#include <stddef.h>
#include <stdint.h>

/* utf8_oracle_valid — is p[0..n) well-formed UTF-8? */
static inline int utf8_oracle_valid(const unsigned char *p, size_t n)
{
    static const uint32_t min_cp[4] = {0, 0x80, 0x800, 0x10000};
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        size_t need;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            need = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            need = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            need = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (n - i <= need)
            return 0;
        for (size_t k = 1; k <= need; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i + k] & 0x3Fu);
        }
        if (cp < min_cp[need] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += need + 1;
    }
    return 1;
}

#endif
