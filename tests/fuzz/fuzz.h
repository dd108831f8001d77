/*
 * fuzz.h — what every harness in tests/fuzz/ provides, and the little they share.
 *
 * Each harness is a libFuzzer target: LLVMFuzzerInitialize() runs once, then
 * LLVMFuzzerTestOneInput() is called with one input at a time. The same harness is built two
 * ways: with clang and -fsanitize=fuzzer (`make fuzz`), where libFuzzer supplies main(), and
 * with any compiler linked to replay.c, whose main() feeds every file of the seed corpus to
 * the harness once (the fuzz.replay.* ctests).
 *
 * A harness checks more than "no crash": every property it can state about the output is
 * asserted with FUZZ_CHECK, which prints the broken property and aborts, so libFuzzer saves
 * the input as a crash and the replay test fails.
 */
#ifndef ASR_FUZZ_H
#define ASR_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Called once before the first input; argc/argv are the fuzzer's own. Returns 0. */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Runs one input (`size` bytes at `data`, which the harness must not keep). Returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts with a message when `cond` is false: a broken property is a finding. */
#define FUZZ_CHECK(cond)                                                                      \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            fprintf(stderr, "%s:%d: property broken: %s\n", __FILE__, __LINE__, #cond);       \
            abort();                                                                          \
        }                                                                                     \
    } while (0)

#endif
