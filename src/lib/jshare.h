/*
 * jshare.h — JSON values that one report shows many times, made once and shared.
 *
 * A report of a large tree repeats the same values thousands of times: every input's status,
 * log type and encoding, every attempt's outcome, every finding's signature and title, the
 * remediation of a root cause. jansson keeps each value in its own allocation, so a report
 * built with copies holds one per place (about 80 bytes for the shortest string). A share
 * keeps one value per distinct text or key and hands out references to it; the document
 * serialises byte for byte as it would with copies.
 *
 * Shared values must never be changed in place by one holder alone. asr_redact_report()
 * rewrites a string in every place it appears, from its original text each time, so shared
 * strings stay equal; the renderers only read.
 */
#ifndef ASR_JSHARE_H
#define ASR_JSHARE_H

#include <jansson.h>

typedef struct asr_jshare asr_jshare;

/* asr_jshare_new — an empty share. NULL when memory is short. Free with asr_jshare_free. */
asr_jshare *asr_jshare_new(void);

/* asr_jshare_free — drops the share's own references; values still held elsewhere live on.
 * NULL is allowed. */
void asr_jshare_free(asr_jshare *s);

/*
 * asr_jshare_str — a JSON string equal to `text`: the one made earlier for the same text, or
 * a new one that is kept for later calls. Returns a new reference (the caller owns it, e.g.
 * hands it to json_pack "o"), json null for a NULL text, or NULL when memory is short or the
 * text is not UTF-8 (as json_string would).
 */
json_t *asr_jshare_str(asr_jshare *s, const char *text);

/*
 * asr_jshare_find — the value kept under (kind, id) by asr_jshare_keep, as a new reference,
 * or NULL when there is none. `kind` names what the value is ("remediation", …) so that
 * different kinds of value never meet under one id.
 */
json_t *asr_jshare_find(asr_jshare *s, const char *kind, const char *id);

/*
 * asr_jshare_keep — keeps `value` under (kind, id) and returns it as a new reference for the
 * caller. Takes ownership of `value` (also on failure, when it is released and NULL is
 * returned). A NULL value returns NULL.
 */
json_t *asr_jshare_keep(asr_jshare *s, const char *kind, const char *id, json_t *value);

#endif
