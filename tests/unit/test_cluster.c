/*
 * test_cluster.c — failure lines into templates (src/lib/cluster.c) and the signature skeleton
 * made from a template (asr_template_signature). Data-driven: a table of lines and their
 * masked form; groups of lines and the templates they must give; templates and the match
 * expression of their skeleton.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "asrlog.h"
#include "cluster.h"

/* ------------------------------------------------------------------------------------------ */
/* masking */

static const struct {
    const char *line, *masked;
} mask_cases[] = {
    {"05/03/2023 10:05:27 : Failed to mount /dev/sdb1 on /mnt/x",
     "<DATE> <DATE> : Failed to mount <PATH> on <PATH>"},
    {"2023-05-03T09:07:02.4457632+05:30\tError:\tUnable to reach 10.0.1.21:443",
     "<DATE> Error: Unable to reach <IP>"},
    {"09:08:57:Setup could not start the service svagents (0x80070430)",
     "<DATE>:Setup could not start the service svagents (<HEX>)"},
    {"Job {6F9619FF-8B86-D011-B42D-00C04FC964FF} failed with 'access is denied' code=5",
     "Job {<GUID>} failed with <STR> code=<NUM>"},
    {"can't open \"C:\\Program Files\\x.dll\": error -2147164145",
     "can't open <STR>: error <NUM>"},
    {"hash 9f86d081884c7d65 mismatch; plain word deadbeef kept",
     "hash <HEX> mismatch; plain word deadbeef kept"},
    {"  spaced\t\tout   line  ", "spaced out line"},
    {"version 9.55.1 (rc=-1) at 5.14", "version <NUM> (rc=<NUM>) at <NUM>"},
    /* a four-part version cannot be told from an IPv4 address */
    {"agent 9.55.1.0 installed", "agent <IP> installed"},
    {"EP0909 stays, sdb1 stays", "EP0909 stays, sdb1 stays"},
    {"", ""},
};

static void test_mask(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof mask_cases / sizeof *mask_cases; i++) {
        char *m = asr_cluster_mask(mask_cases[i].line);
        assert_non_null(m);
        if (strcmp(m, mask_cases[i].masked) != 0)
            fail_msg("case %zu: '%s'\n  got      '%s'\n  expected '%s'", i, mask_cases[i].line,
                     m, mask_cases[i].masked);
        free(m);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* clustering */

typedef struct group_case {
    const char *lines[8];         /* NULL-terminated */
    const char *templates[8];     /* expected templates, in creation order */
} group_case;

static const group_case group_cases[] = {
    /* the same message with other numbers and paths: one template */
    {{"05/03/2023 10:05:27 : Secure Boot refused module /lib/a.ko (error -121)",
      "05/04/2023 11:15:07 : Secure Boot refused module /lib/b.ko (error -122)", NULL},
     {"<DATE> <DATE> : Secure Boot refused module <PATH> (error <NUM>)", NULL}},
    /* one word differs out of several: it becomes <*> */
    {{"Cannot stop service svagents now", "Cannot stop service InMage now", NULL},
     {"Cannot stop service <*> now", NULL}},
    /* different messages that share a time-stamp prefix stay apart */
    {{"05/03/2023 10:05:27 : Failed to mount the disk", "05/03/2023 10:05:27 : Unable to read the disk",
      NULL},
     {"<DATE> <DATE> : Failed to mount the disk", "<DATE> <DATE> : Unable to read the disk", NULL}},
    /* the same first word but too few words in common: two templates */
    {{"Failed to copy agent binaries", "Failed because quota exceeded", NULL},
     {"Failed to copy agent binaries", "Failed because quota exceeded", NULL}},
    /* other token counts never merge */
    {{"Error reading file", "Error reading file twice", NULL},
     {"Error reading file", "Error reading file twice", NULL}},
};

static void test_groups(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof group_cases / sizeof *group_cases; c++) {
        asr_clusterer *cl = asr_cluster_new();
        assert_non_null(cl);
        for (size_t i = 0; group_cases[c].lines[i]; i++)
            assert_true(asr_cluster_add(cl, group_cases[c].lines[i]) >= 0);
        size_t want = 0;
        while (group_cases[c].templates[want])
            want++;
        if (asr_cluster_count(cl) != want)
            fail_msg("case %zu: %zu templates, expected %zu", c, asr_cluster_count(cl), want);
        for (size_t k = 0; k < want; k++) {
            char *t = asr_cluster_template(cl, k);
            assert_non_null(t);
            if (strcmp(t, group_cases[c].templates[k]) != 0)
                fail_msg("case %zu template %zu: '%s', expected '%s'", c, k, t,
                         group_cases[c].templates[k]);
            free(t);
        }
        asr_cluster_free(cl);
    }
}

/* Template indexes are stable: a line keeps the template it joined. */
static void test_stable_index(void **state)
{
    (void)state;
    asr_clusterer *cl = asr_cluster_new();
    long a = asr_cluster_add(cl, "Cannot stop service svagents now");
    long b = asr_cluster_add(cl, "Disk quota exceeded on /var");
    long c = asr_cluster_add(cl, "Cannot stop service InMage now");
    assert_int_equal(a, 0);
    assert_int_equal(b, 1);
    assert_int_equal(c, 0);
    asr_cluster_free(cl);
}

/* ------------------------------------------------------------------------------------------ */
/* skeletons */

static const struct {
    const char *template, *example, *match, *os, *log_type;
} skeleton_cases[] = {
    {"<DATE> <DATE> : Secure Boot refused module <PATH> (error <NUM>)",
     "05/03/2023 10:05:27 : Secure Boot refused module /lib/a.ko (error -121)",
     "Secure[ \\t]+Boot[ \\t]+refused[ \\t]+module[ \\t]+[^ \\t\\n]+[ \\t]+\\(error[ \\t]+"
     "[-+]?[0-9][0-9.,]*\\)", "linux",
     "linux_install"},
    {"<DATE>:Setup could not start <*> (<HEX>) <NUM>",
     "09:08:57:Setup could not start svagents (0x80070430) 5",
     "Setup[ \\t]+could[ \\t]+not[ \\t]+start[ \\t]+[^ \\t\\n]+[ \\t]+\\((?:0[xX])?[0-9A-Fa-f]+\\)",
     "windows", "ua_installer"},
    {"Job <GUID> failed: <STR> at <IP>", "Job {x} failed: 'x' at 1.2.3.4",
     "Job[ \\t]+\\{?[0-9A-Fa-f-]{36}\\}?[ \\t]+failed:[ \\t]+[\"'][^\"'\\n]*[\"'][ \\t]+at",
     "any", "unknown"},
};

static void test_skeleton(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof skeleton_cases / sizeof *skeleton_cases; i++) {
        json_t *entry = json_pack("{s:s, s:s, s:[s], s:[{s:s, s:s, s:i, s:s}]}", "id",
                                  "tpl-00000000", "template", skeleton_cases[i].template,
                                  "log_types", skeleton_cases[i].log_type, "examples", "file",
                                  "x.log", "text", skeleton_cases[i].example, "line", 1, "host",
                                  "h");
        json_t *file = NULL;
        assert_int_equal(asr_template_signature(entry, &file), ASR_OK);
        json_t *sig = json_array_get(json_object_get(file, "signatures"), 0);
        const char *m = json_string_value(json_object_get(sig, "match"));
        if (strcmp(m, skeleton_cases[i].match) != 0)
            fail_msg("case %zu: match\n  got      %s\n  expected %s", i, m,
                     skeleton_cases[i].match);
        assert_string_equal(json_string_value(json_object_get(sig, "os")), skeleton_cases[i].os);
        assert_string_equal(json_string_value(json_object_get(sig, "id")), "local.tpl-00000000");
        assert_string_equal(json_string_value(json_object_get(sig, "effect")), "failure");
        json_t *ex = json_object_get(sig, "examples");
        assert_string_equal(json_string_value(json_array_get(json_object_get(ex, "match"), 0)),
                            skeleton_cases[i].example);
        assert_int_equal(json_array_size(json_object_get(ex, "nomatch")), 1);
        json_decref(file);
        json_decref(entry);
    }
    /* a template without a word cannot anchor a signature */
    json_t *entry = json_pack("{s:s, s:s, s:[{s:s}]}", "id", "tpl-1", "template",
                              "<DATE> <NUM> :", "examples", "text", "1 2 :");
    json_t *file = NULL;
    assert_int_equal(asr_template_signature(entry, &file), ASR_ERR_ARG);
    json_decref(entry);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mask),
        cmocka_unit_test(test_groups),
        cmocka_unit_test(test_stable_index),
        cmocka_unit_test(test_skeleton),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
