/*
 * fuzz_builtin.h — the built-in catalogue and one scanner, as the harnesses that scan
 * (fuzz_scan, fuzz_pieces, fuzz_archive) set them up in LLVMFuzzerInitialize().
 */
#ifndef ASR_FUZZ_BUILTIN_H
#define ASR_FUZZ_BUILTIN_H

#include "asrlog.h"
#include "builtin.h"
#include "fuzz.h"

/* fuzz_load_builtin — compiles the built-in catalogue into *cat and makes *scanner for it;
 * aborts with a message naming `harness` when it cannot (nothing could be fuzzed). */
static inline void fuzz_load_builtin(const char *harness, asr_catalog **cat,
                                     asr_scanner **scanner)
{
    asr_diag diag = {""};
    if (asr_catalog_load(asr_builtin_catalog, asr_builtin_catalog_count,
                         asr_builtin_catalog_count, cat, &diag) != ASR_OK ||
        asr_scanner_new(*cat, scanner) != ASR_OK) {
        fprintf(stderr, "%s: the built-in catalogue does not load: %s\n", harness, diag.text);
        abort();
    }
}

#endif
