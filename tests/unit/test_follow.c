/*
 * test_follow.c — asr_input_take_ended(), what `asrlog scan --follow` is built on: a live
 * input fed in pieces of every size gives one ended input per attempt, not before its end line
 * is complete; the lines an attempt writes after its end are its tail, not a new attempt; a
 * push-service log gives none; and the live input keeps nothing of taken attempts, however
 * many there are. Uses the small test catalogue (tests/unit/data/test_catalog.json).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analysis.h" /* to look at what the live input keeps */
#include "asrlog.h"
#include "test_catalog.h"


static asr_catalog *cat;
static char *catalog_text;

static int load(void **state)
{
    (void)state;
    return load_test_catalog(&cat, &catalog_text);
}

static int unload(void **state)
{
    (void)state;
    asr_catalog_free(cat);
    free(catalog_text);
    return 0;
}

#define START(t) "\n03/14/2023 " t ": Script initiated with the following command:\n"
#define KERNEL                                                                                \
    "03/14/2023 10:22:45 : This version of mobility service doesn't support the operating "  \
    "system kernel version (5.14) running on the source machine. \n"
#define PREREQ "03/14/2023 10:22:45 : One or more product pre-requisites are not met. \n"
#define EXIT(code) "03/14/2023 10:22:46 : Installer exiting with code: " code " \n"

/* Two ended attempts (lines 2-5 and 7-8) and one in progress (from line 10). */
static const char three_attempts[] = START("10:22:41") KERNEL PREREQ EXIT("99")
    START("11:02:41") EXIT("0") START("12:00:00") KERNEL;

/* The verdict of one ended input: outcome, root-cause signature (or NULL), first evidence line. */
typedef struct verdict {
    char outcome[32];
    char root[64];
    long long line;
} verdict;

/* Reports an ended input alone (the analysis takes it) and reads its one host's verdict. */
static verdict verdict_of(asr_input *ended)
{
    asr_analysis *an;
    json_t *report = NULL;
    verdict v = {"", "", 0};
    assert_int_equal(asr_analysis_new(cat, &an), ASR_OK);
    assert_int_equal(asr_analysis_add(an, ended), ASR_OK);
    assert_int_equal(asr_analysis_report(an, &report), ASR_OK);
    json_t *hosts = json_object_get(report, "hosts");
    assert_int_equal(json_array_size(hosts), 1);
    json_t *h = json_array_get(hosts, 0);
    snprintf(v.outcome, sizeof v.outcome, "%s",
             json_string_value(json_object_get(h, "outcome")));
    json_t *rc = json_object_get(h, "root_cause");
    if (json_is_object(rc)) {
        snprintf(v.root, sizeof v.root, "%s",
                 json_string_value(json_object_get(rc, "signature")));
        v.line = json_integer_value(
            json_object_get(json_array_get(json_object_get(rc, "evidence"), 0), "line"));
    }
    json_decref(report);
    asr_analysis_free(an);
    return v;
}

/* Takes every ended attempt now (`all` as given) and appends their verdicts to v[*n]. */
static void take_all(asr_input *in, int all, verdict *v, size_t *n, size_t cap)
{
    for (;;) {
        asr_input *ended = NULL;
        assert_int_equal(asr_input_take_ended(in, all, &ended), ASR_OK);
        if (!ended)
            return;
        assert_true(*n < cap);
        v[(*n)++] = verdict_of(ended);
    }
}

/* A live input of `path` on scanner `sc`. */
static asr_input *live(asr_scanner *sc, const char *path)
{
    asr_input_info info = {path, "db02", NULL, 0};
    asr_input *in = NULL;
    assert_int_equal(asr_input_new(sc, &info, &in), ASR_OK);
    return in;
}

/* Fed in pieces of every size from 1 to 40 bytes, with a take after each piece, the text gives
 * the two ended attempts, in order, with their own line numbers; the third never ends. */
static void each_attempt_once(void **state)
{
    (void)state;
    asr_scanner *sc;
    assert_int_equal(asr_scanner_new(cat, &sc), ASR_OK);
    size_t len = strlen(three_attempts);
    for (size_t step = 1; step <= 40; step++) {
        asr_input *in = live(sc, "ua_install.log");
        verdict v[4];
        size_t n = 0;
        for (size_t off = 0; off < len; off += step) {
            size_t k = len - off < step ? len - off : step;
            assert_int_equal(asr_input_feed(in, three_attempts + off, k), ASR_OK);
            take_all(in, 0, v, &n, 4);
            take_all(in, step % 2, v, &n, 4); /* also as if caught up after this piece */
        }
        take_all(in, 1, v, &n, 4);
        assert_int_equal(asr_input_end(in), ASR_OK);
        take_all(in, 1, v, &n, 4);
        assert_int_equal(n, 2);
        assert_string_equal(v[0].outcome, "failed");
        assert_string_equal(v[0].root, "t.kernel");
        assert_int_equal(v[0].line, 3);
        assert_string_equal(v[1].outcome, "succeeded");
        assert_string_equal(v[1].root, "");
        asr_input_free(in);
    }
    asr_scanner_free(sc);
}

/* An end line without its newline is not scanned; `all` without a later start waits for
 * nothing more, but without `all` the attempt waits for its trailer, which then counts. */
static void end_line_and_trailer(void **state)
{
    (void)state;
    asr_scanner *sc;
    assert_int_equal(asr_scanner_new(cat, &sc), ASR_OK);
    asr_input *in = live(sc, "ua_install.log");
    verdict v[2];
    size_t n = 0;
    const char head[] = START("10:22:41") KERNEL "03/14/2023 10:22:46 : Installer exiting with "
                                                 "code: 99";
    assert_int_equal(asr_input_feed(in, head, strlen(head)), ASR_OK);
    take_all(in, 1, v, &n, 2);
    assert_int_equal(n, 0); /* the exit line is not complete */
    assert_int_equal(asr_input_feed(in, " \n", 2), ASR_OK);
    take_all(in, 0, v, &n, 2);
    assert_int_equal(n, 0); /* not caught up: its trailer may follow */
    assert_int_equal(asr_input_feed(in, PREREQ, strlen(PREREQ)), ASR_OK);
    take_all(in, 1, v, &n, 2);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].outcome, "failed");
    /* lines of the same attempt after it was taken: its tail, not a new verdict */
    const char tail[] = KERNEL EXIT("1");
    assert_int_equal(asr_input_feed(in, tail, strlen(tail)), ASR_OK);
    take_all(in, 1, v, &n, 2);
    assert_int_equal(n, 1);
    assert_int_equal(in->n_hits, 0);
    /* the next attempt is reported with the file's line numbers */
    const char next[] = START("11:00:00") KERNEL EXIT("99");
    assert_int_equal(asr_input_feed(in, next, strlen(next)), ASR_OK);
    take_all(in, 1, v, &n, 2);
    assert_int_equal(n, 2);
    assert_string_equal(v[1].root, "t.kernel");
    assert_int_equal(v[1].line, 10);
    asr_input_free(in);
    asr_scanner_free(sc);
}

/* A push-service log speaks of many hosts: nothing is taken and nothing is kept. */
static void push_log_gives_nothing(void **state)
{
    (void)state;
    asr_scanner *sc;
    assert_int_equal(asr_scanner_new(cat, &sc), ASR_OK);
    asr_input *in = live(sc, "pushinstallservice.log");
    const char text[] =
        "#~> (05-03-2023 09:05:12):   DEBUG  2508 100 7 Push Install Process thread for JOB ID: "
        "j1, IP: 10.0.0.5 is started successfully. ThreadID: (0x4dc). StartTime: 1683104712\n"
        "09:08:00:Exit code returned by unified agent: 99(ProductPrereqsValidationFailed)\n";
    assert_int_equal(asr_input_feed(in, text, strlen(text)), ASR_OK);
    verdict v[1];
    size_t n = 0;
    take_all(in, 1, v, &n, 1);
    assert_int_equal(n, 0);
    assert_int_equal(in->n_hits, 0);
    assert_string_equal(asr_input_log_type(in), "push_service");
    asr_input_free(in);
    asr_scanner_free(sc);
}

/* More attempts than a marker signature may keep in one input (ASR_STORED_MARKERS): each is
 * still taken with its own start and end, and the live input keeps nothing between them. */
static void many_attempts_stay_bounded(void **state)
{
    (void)state;
    asr_scanner *sc;
    assert_int_equal(asr_scanner_new(cat, &sc), ASR_OK);
    asr_input *in = live(sc, "ua_install.log");
    const char one[] = START("10:22:41") EXIT("0");
    size_t total = ASR_STORED_MARKERS + 50, taken = 0, max_cap = 0;
    for (size_t i = 0; i < total; i++) {
        assert_int_equal(asr_input_feed(in, one, strlen(one)), ASR_OK);
        asr_input *ended = NULL;
        /* the decoder holds the first 256 bytes until it has chosen the encoding: the first
         * attempts come out together */
        while (asr_input_take_ended(in, 1, &ended) == ASR_OK && ended) {
            assert_int_equal(ended->n_hits, 2); /* its start and its end */
            assert_int_equal(ended->hits[1].line, 3 * (uint64_t)taken + 3);
            asr_input_free(ended);
            taken++;
        }
        assert_int_equal(in->n_hits, 0);
        if (in->cap_hits > max_cap)
            max_cap = in->cap_hits;
    }
    assert_int_equal(taken, total);
    assert_true(max_cap <= 64);
    asr_input_free(in);
    asr_scanner_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_attempt_once),
        cmocka_unit_test(end_line_and_trailer),
        cmocka_unit_test(push_log_gives_nothing),
        cmocka_unit_test(many_attempts_stay_bounded),
    };
    return cmocka_run_group_tests(tests, load, unload);
}
