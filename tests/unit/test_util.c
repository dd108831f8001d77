/*
 * test_util.c — time stamps of every ASR log format, file-name time prefixes, log-type
 * recognition by name and by content. Data-driven: one table row per case.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "logtype.h"
#include "util.h"

typedef struct time_case {
    const char *text;
    int ok;
    const char *iso;
} time_case;

static const time_case time_cases[] = {
    {"2023-05-03T09:07:02.4457632+05:30", 1, "2023-05-03T09:07:02+05:30"},   /* .NET "o" */
    {"2023-05-03T09:07:02.4457632Z", 1, "2023-05-03T09:07:02Z"},
    {"03/14/2023 10:22:41", 1, "2023-03-14T10:22:41"},                      /* Linux, month first */
    {"5/3/2023  9:07:10", 1, "2023-05-03T09:07:10"},                         /* MSI banner */
    {"03.05.2023 09:07:02", 1, "2023-05-03T09:07:02"},                      /* Inno, day first */
    {"05-03-2023 09:07:02", 1, "2023-05-03T09:07:02"},                      /* InMage logger */
    {"13/14/2023 10:22:41", 0, NULL},                                        /* no month 13 */
    {"2023-05-03 09:07:02", 0, NULL},
    {"09:07:02:", 0, NULL},                                                  /* 12-hour, no date */
    {"", 0, NULL},
};

static void test_time_parse(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof time_cases / sizeof time_cases[0]; i++) {
        const time_case *c = &time_cases[i];
        asr_time t;
        int ok = asr_time_parse(c->text, strlen(c->text), &t);
        assert_int_equal(ok, c->ok);
        if (ok)
            assert_string_equal(t.iso, c->iso);
    }
    asr_time a, b;
    assert_true(asr_time_parse("03/14/2023 10:22:41", 19, &a));
    assert_true(asr_time_parse("03/15/2023 10:22:40", 19, &b));
    assert_int_equal(b.civil - a.civil, 86399);
}

typedef struct prefix_case {
    const char *name;
    size_t len;
    const char *iso;
} prefix_case;

static const prefix_case prefix_cases[] = {
    {"2022-03-17-11-16-40ASRUnifiedAgentInstaller.log", 19, "2022-03-17T11:16:40"},
    {"230503-090702UA_InstallLogFile.log", 13, "2023-05-03T09:07:02Z"},
    {"ASRUnifiedAgentInstaller.log", 0, NULL},
    {"230503-09070UA_InstallLogFile.log", 0, NULL},
};

static void test_name_prefix(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof prefix_cases / sizeof prefix_cases[0]; i++) {
        asr_time t;
        memset(&t, 0, sizeof t);
        size_t n = asr_name_time_prefix(prefix_cases[i].name, &t);
        assert_int_equal(n, prefix_cases[i].len);
        if (n)
            assert_string_equal(t.iso, prefix_cases[i].iso);
    }
}

typedef struct name_case {
    const char *name;
    const char *type;
    size_t host_end; /* where the known name starts (0 = no host prefix) */
} name_case;

static const name_case name_cases[] = {
    {"ASRUnifiedAgentInstaller.log", "ua_installer", 0},
    {"asrunifiedagentinstaller.LOG", "ua_installer", 0},
    {"2022-03-17-11-16-40ASRUnifiedAgentInstaller.log", "ua_installer", 19},
    {"230503-090702UA_InstallLogFile.log", "ua_inno", 13},
    {"WEB01_UA_InstallLogFile.log", "ua_inno", 6},
    {"db02-ua_install.log.gz", "linux_install", 5},
    {"ua_install.log", "linux_install", 0},
    {"ASRUnifiedAgentConfigurator.log", "ua_configurator", 0},
    {"WrapperUnifiedAgent.log", "ua_wrapper", 0},
    {"UnifiedAgentMSIInstall.log", "ua_msi", 0},
    {"MobilityServiceValidations.log", "ua_validations", 0},
    {"PushInstallService.log", "push_service", 0},
    {"pushinstallservice_completed_3.log", "push_service", 0},
    {"PIVerbose_3f2a_2023_5_3_9_7_2.log", "push_job", 0},
    {"AgentInstallVerbose_3f2a_2023_5_3_9_7_2.log", "push_job", 0},
    {"stdout.txt", "push_stdout", 0},
    {"InstallerErrors.json", "errors_json", 0},
    {"configurator_register_host_static_info.log", "cs_register", 0},
    {"syslog", "unknown", 0},
    {"myua_install.log", "unknown", 0},
};

static void test_type_from_name(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof name_cases / sizeof name_cases[0]; i++) {
        size_t start = 0;
        asr_log_type t = asr_log_type_from_name(name_cases[i].name, &start);
        assert_string_equal(asr_log_type_name(t), name_cases[i].type);
        if (t != ASR_LOG_UNKNOWN)
            assert_int_equal(start, name_cases[i].host_end);
    }
}

typedef struct content_case {
    const char *text;
    const char *type;
} content_case;

static const content_case content_cases[] = {
    {"2023-05-03T09:07:02.4457632+05:30\tAlways:\tTrace Session Started\n09:07:02:\n",
     "ua_installer"},
    {"#~> (05-03-2023 09:05:11):   DEBUG  2508 3100 1172 \t IpAddress:10.0.1.21 \n",
     "push_service"},
    {"This log file contains ASRUnifiedAgent.log and UnifiedAgentMSIInstall.log.\n",
     "push_stdout"},
    {"Installation Starts here 03.05.2023 09:07:02\n*****\n", "ua_inno"},
    {"=== Verbose logging started: 5/3/2023  9:07:10  Build type: SHIP UNICODE ===\n"
     "MSI (s) (A4:C8) [09:09:57:431]: Product: Microsoft Azure Site Recovery Mobility Service/"
     "Master Target Server -- Installation failed.\n",
     "ua_msi"},
    /* another product's msiexec log is not the agent's */
    {"=== Verbose logging started: 5/3/2023  9:07:10  Build type: SHIP UNICODE ===\n"
     "MSI (s) (A4:C8) [09:09:57:431]: Product: Contoso Backup Agent -- Installation failed.\n",
     "unknown"},
    {"\n03/14/2023 10:22:41: Script initiated with the following command:\n", "linux_install"},
    {"5/3/2023 9:07:01 AM: INFO :: Trace Session Started.\n", "ua_wrapper"},
    {"Error ID\n95107\nProvider error code: 95107\n", "portal_error"},
    {"Mar 14 10:22:41 db02 sshd[811]: error: PAM: Authentication failure\n", "unknown"},
};

/* Names with any bytes become valid UTF-8, invalid bytes as "\xNN", valid text unchanged. */
static void test_strdup_name(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } rows[] = {
        {"corpus/WEB01/x.log", "corpus/WEB01/x.log"},
        {"caf\xc3\xa9/\xe4\xb8\xad.log", "caf\xc3\xa9/\xe4\xb8\xad.log"}, /* UTF-8 stays */
        {"ua_install\xff.log", "ua_install\\xff.log"},
        {"H\xfe" "2", "H\\xfe2"},
        {"\xc3", "\\xc3"},                       /* sequence cut short */
        {"\xc0\xaf", "\\xc0\\xaf"},           /* overlong */
        {"\xed\xa0\x80", "\\xed\\xa0\\x80"}, /* a UTF-16 surrogate */
        {"\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"}, /* above U+10FFFF */
        {"", ""},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char *got = asr_strdup_name(rows[i].in);
        assert_non_null(got);
        assert_string_equal(got, rows[i].out);
        free(got);
    }
    assert_null(asr_strdup_name(NULL));
}

static void test_type_from_content(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof content_cases / sizeof content_cases[0]; i++) {
        const char *t = content_cases[i].text;
        assert_string_equal(asr_log_type_name(asr_log_type_from_content(t, strlen(t))),
                            content_cases[i].type);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_parse),
        cmocka_unit_test(test_name_prefix),
        cmocka_unit_test(test_type_from_name),
        cmocka_unit_test(test_type_from_content),
        cmocka_unit_test(test_strdup_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
