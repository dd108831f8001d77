/*
 * test_classify.c — attempts, precedence, host identity, push-job linkage, merging, weak
 * evidence in unknown logs and line mapping, through the public API with a small test
 * catalogue (tests/unit/data/test_catalog.json). Each case: inputs in, expected verdicts out.
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
#include "test_catalog.h"


typedef struct in_file {
    const char *path;
    const char *path_host;
    const char *arg_host;
    const char *text;
} in_file;

typedef struct expect {
    const char *host;
    const char *outcome;
    const char *root;        /* signature id, or NULL for no root cause */
    const char *host_source;
} expect;

typedef struct tcase {
    const char *name;
    in_file in[4];
    expect out[3];
} tcase;

static asr_catalog *cat;
static char *catalog_text;
static asr_limits limits; /* what the scanners of run() and run_pieces() keep; {0} = defaults */
static int finish;        /* run() builds its report with asr_analysis_finish */

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

/* Scans the inputs (each fed in small pieces) and returns the report. */
static json_t *run(const in_file *files, size_t n)
{
    asr_scanner *sc;
    asr_analysis *an;
    assert_int_equal(asr_scanner_new(cat, &sc), ASR_OK);
    assert_int_equal(asr_scanner_set_limits(sc, &limits), ASR_OK);
    assert_int_equal(asr_analysis_new(cat, &an), ASR_OK);
    for (size_t i = 0; i < n && files[i].path; i++) {
        asr_input_info info = {files[i].path, files[i].arg_host, files[i].path_host, 0};
        asr_input *in;
        assert_int_equal(asr_input_new(sc, &info, &in), ASR_OK);
        const char *t = files[i].text;
        size_t len = strlen(t);
        for (size_t off = 0; off < len; off += 7)
            assert_int_equal(asr_input_feed(in, t + off, len - off < 7 ? len - off : 7), ASR_OK);
        assert_int_equal(asr_input_end(in), ASR_OK);
        assert_int_equal(asr_analysis_add(an, in), ASR_OK);
    }
    json_t *report = NULL;
    assert_int_equal(finish ? asr_analysis_finish(an, &report) : asr_analysis_report(an, &report),
                     ASR_OK);
    asr_analysis_free(an);
    asr_scanner_free(sc);
    return report;
}

/*
 * run_pieces — like run(), but input `which` is read as pieces cut at cuts[0..n_cuts)
 * (ascending offsets just after a newline): piece 0 as an ordinary input, the others as
 * parts merged into it, the way `scan --jobs` reads a large file.
 */
static json_t *run_pieces(const in_file *files, size_t n, size_t which, const size_t *cuts,
                          size_t n_cuts)
{
    asr_scanner *sc;
    asr_analysis *an;
    assert_int_equal(asr_scanner_new(cat, &sc), ASR_OK);
    assert_int_equal(asr_scanner_set_limits(sc, &limits), ASR_OK);
    assert_int_equal(asr_analysis_new(cat, &an), ASR_OK);
    for (size_t i = 0; i < n && files[i].path; i++) {
        asr_input_info info = {files[i].path, files[i].arg_host, files[i].path_host, 0};
        const char *t = files[i].text;
        size_t len = strlen(t), from = 0;
        asr_input *whole = NULL;
        for (size_t k = 0; k <= (i == which ? n_cuts : 0); k++) {
            size_t to = i == which && k < n_cuts ? cuts[k] : len;
            asr_input *in;
            if (k == 0)
                assert_int_equal(asr_input_new(sc, &info, &in), ASR_OK);
            else
                assert_int_equal(asr_input_new_part(sc, &info, t, len, &in), ASR_OK);
            assert_int_equal(asr_input_feed(in, t + from, to - from), ASR_OK);
            assert_int_equal(asr_input_end(in), ASR_OK);
            if (k == 0)
                whole = in;
            else
                assert_int_equal(asr_input_merge(whole, in), ASR_OK);
            from = to;
        }
        assert_int_equal(asr_analysis_add(an, whole), ASR_OK);
    }
    json_t *report = NULL;
    assert_int_equal(asr_analysis_report(an, &report), ASR_OK);
    asr_analysis_free(an);
    asr_scanner_free(sc);
    return report;
}

/* The host object named `name`, or NULL. */
static json_t *host_named(json_t *report, const char *name)
{
    size_t i;
    json_t *h;
    json_array_foreach(json_object_get(report, "hosts"), i, h)
    {
        if (strcmp(json_string_value(json_object_get(h, "host")), name) == 0)
            return h;
    }
    return NULL;
}

static const char *root_sig(json_t *h)
{
    json_t *rc = json_object_get(h, "root_cause");
    return json_is_object(rc) ? json_string_value(json_object_get(rc, "signature")) : NULL;
}

#define LINUX_FAIL_THEN_OK                                                                    \
    "\n03/14/2023 10:22:41: Script initiated with the following command:\n"                    \
    "03/14/2023 10:22:41:        ./install -d /usr/local/ASR -r MS -v VmWare -q -c CSLegacy\n" \
    "\n03/14/2023 10:22:45 : This version of mobility service doesn't support the operating "  \
    "system kernel version (5.14) running on the source machine. \n"                          \
    "03/14/2023 10:22:45 : One or more product pre-requisites are not met. \n"                 \
    "03/14/2023 10:22:46 : Installer exiting with code: 99 \n"                                 \
    "\n03/14/2023 11:02:41: Script initiated with the following command:\n"                    \
    "03/14/2023 11:05:46 : Installer exiting with code: 0 \n"

#define LINUX_FAIL                                                                            \
    "\n03/14/2023 10:22:41: Script initiated with the following command:\n"                    \
    "03/14/2023 10:22:45 : One or more product pre-requisites are not met. \n"                 \
    "03/14/2023 10:22:45 : This version of mobility service doesn't support the operating "  \
    "system kernel version (5.14) running on the source machine. \n"                          \
    "03/14/2023 10:22:46 : Installer exiting with code: 99 \n"

#define WIN_VSS(exit_line)                                                                    \
    "2023-05-03T09:07:02.4457632+05:30\tAlways:\tTrace Session Started\r\n09:07:02:\r\n"       \
    "09:10:11:InMageVSSProvider_Install.cmd output: Unregistering the existing application\r\n" \
    "\r\nERROR:\r\n- Error code: -2147164145 [0x8004E00F]\r\n- Exit code: 802\r\n"             \
    "09:10:12:VSSProvider installation has failed with error code: 802.\r\n"                   \
    "09:12:40:Application Ended\r\n09:12:40:" exit_line "\r\n"

#define PUSH_LOG                                                                              \
    "#~> (05-03-2023 09:05:11):   DEBUG  2508 100 1 \t IpAddress:10.0.0.5 \n"                  \
    "#~> (05-03-2023 09:05:11):   DEBUG  2508 100 2 \t JobID:j1 \n"                             \
    "#~> (05-03-2023 09:05:11):   DEBUG  2508 100 3 \t vmName:WEB01 \n"                         \
    "#~> (05-03-2023 09:05:11):   DEBUG  2508 100 4 \t IpAddress:10.0.0.6 \n"                  \
    "#~> (05-03-2023 09:05:11):   DEBUG  2508 100 5 \t JobID:j2 \n"                             \
    "#~> (05-03-2023 09:05:11):   DEBUG  2508 100 6 \t vmName:DB01 \n"                          \
    "#~> (05-03-2023 09:05:12):   DEBUG  2508 100 7 Push Install Process thread for JOB ID: "  \
    "j1, IP: 10.0.0.5 is started successfully. ThreadID: (0x4dc). StartTime: 1683104712\n"     \
    "#~> (05-03-2023 09:05:12):   DEBUG  2508 100 8 Push Install Process thread for JOB ID: "  \
    "j2, IP: 10.0.0.6 is started successfully. ThreadID: (0x514). StartTime: 1683104712\n"     \
    "#~> (05-03-2023 09:06:40):   ERROR  2508 1244 9 copying agent to remote machine...failed.\n" \
    "agent installation failed\n error: \n"                                                    \
    "[at windowsremoteconnection.cpp:connect:404]   network share connection to  path: "       \
    "\\\\10.0.0.5\\C$ failed with error : 1326(Logon failure: unknown user name or bad "       \
    "password.)\n"                                                                             \
    "#~> (05-03-2023 09:06:41):   DEBUG  2508 1300 10 Status Updation Details \n"               \
    "------------------------\nJobId: j2 \nState: 3 \n"                                        \
    "#~> (05-03-2023 09:06:42):   DEBUG  2508 1244 11 Status Updation Details \n"               \
    "------------------------\nJobId: j1 \nState: -3 \nStatus Code: EP0858 \n"                  \
    "#~> (05-03-2023 09:07:00):   ERROR  2508 100 12 CS api failed\nStatus Code: EP0858 \n"

#define REPEAT5(line) line line line line line

/* two attempts, each with the same failure line five times */
#define LINUX_REPEATED                                                                        \
    "\n03/14/2023 10:22:41: Script initiated with the following command:\n"                    \
    REPEAT5("03/14/2023 10:22:45 : One or more product pre-requisites are not met. \n")        \
    "03/14/2023 10:22:46 : Installer exiting with code: 99 \n"                                 \
    "\n03/14/2023 11:02:41: Script initiated with the following command:\n"                    \
    REPEAT5("03/14/2023 11:02:45 : This version of mobility service doesn't support the "      \
            "operating system kernel version (5.14) running on the source machine. \n")        \
    REPEAT5("03/14/2023 11:02:45 : One or more product pre-requisites are not met. \n")        \
    "03/14/2023 11:02:46 : Installer exiting with code: 99 \n"

static const tcase cases[] = {
    {"repeated evidence in two attempts",
     {{"f/db09/var/log/ua_install.log", "db09", NULL, LINUX_REPEATED}},
     {{"db09", "failed", "t.kernel", "path"}}},
    {"latest attempt decides",
     {{"f/db02/var/log/ua_install.log", "db02", NULL, LINUX_FAIL_THEN_OK}},
     {{"db02", "succeeded", NULL, "path"}}},
    {"specific beats generic",
     {{"f/db03/ua_install.log", "db03", NULL, LINUX_FAIL}},
     {{"db03", "failed", "t.kernel", "path"}}},
    {"HRESULT beats VSS exit code and installer exit code",
     {{"f/w1/ASRUnifiedAgentInstaller.log", "w1", NULL,
       WIN_VSS("Exit code returned by unified agent: 45(VSSProviderInstallationFailed)")}},
     {{"w1", "failed", "t.vss.hresult", "path"}}},
    {"VSS failure on an install that ended with 98 is a warning",
     {{"f/w2/ASRUnifiedAgentInstaller.log", "w2", NULL,
       WIN_VSS("Exit code returned by unified agent: 98(SucceededWithWarnings)")}},
     {{"w2", "succeeded_with_warnings", "t.vss.hresult", "path"}}},
    {"warning line on a successful install",
     {{"f/w3/ASRUnifiedAgentInstaller.log", "w3", NULL,
       "09:12:39:Recommended reboot required. Please restart your machine\r\n"
       "09:12:40:Exit code returned by unified agent: 0(Successful)\r\n"}},
     {{"w3", "succeeded_with_warnings", "t.reboot", "path"}}},
    {"host from argument beats everything",
     {{"f/x/WEB05_ua_install.log", "x", "ARGHOST", LINUX_FAIL}},
     {{"ARGHOST", "failed", "t.kernel", "argument"}}},
    {"host from <HOST>_<log name>",
     {{"WEB05_ua_install.log", NULL, NULL, LINUX_FAIL}},
     {{"WEB05", "failed", "t.kernel", "file"}}},
    {"host from content",
     {{"ASRUnifiedAgentInstaller.log", NULL, NULL,
       "09:12:41:Host Name - WEB09\r\n09:12:40:Exit code returned by unified agent: 0(Successful)\r\n"}},
     {{"WEB09", "succeeded", NULL, "content"}}},
    {"host from the file name when nothing else",
     {{"logs/ua_install.log", NULL, NULL, LINUX_FAIL}},
     {{"logs/ua_install.log", "failed", "t.kernel", "file"}}},
    {"push service jobs linked through thread ids; service lines belong to no host",
     {{"cs/pushinstallservice.log", "cs", NULL, PUSH_LOG}},
     {{"DB01", "succeeded", NULL, "content"}, {"WEB01", "failed", "t.share.1326", "content"}}},
    {"CS and host logs of one machine merge into one verdict",
     {{"cs/pushinstallservice.log", "cs", NULL, PUSH_LOG},
      {"WEB01/ASRUnifiedAgentInstaller.log", "WEB01", NULL,
       WIN_VSS("Exit code returned by unified agent: 45(VSSProviderInstallationFailed)")}},
     {{"DB01", "succeeded", NULL, "content"}, {"WEB01", "failed", "t.vss.hresult", "path"}}},
    {"weak evidence in an unrecognised log makes no host at all",
     {{"other/setup.log", NULL, NULL,
       "Action ended 9:09:57: InstallFinalize. Return value 3.\nsomething else\n"}},
     {{NULL, NULL, NULL, NULL}}},
    {"specific evidence in an unrecognised log still counts",
     {{"other/notes.txt", NULL, NULL,
       "COM+ was unable to talk to the Microsoft Distributed Transaction Coordinator "
       "(Exception from HRESULT: 0x8004E00F)\n"}},
     {{"other/notes.txt", "failed", "t.specific.unknownok", "file"}}},
    {"the live file is newer than its Backup copy",
     {{"h/c1/Backup/2023-05-01-10-00-00ASRUnifiedAgentInstaller.log", "c1", NULL,
       WIN_VSS("Exit code returned by unified agent: 45(VSSProviderInstallationFailed)")},
      {"h/c1/ASRUnifiedAgentInstaller.log", "c1", NULL,
       "2023-05-03T09:07:02.4457632+05:30\tAlways:\tTrace Session Started\r\n"
       "09:12:40:Exit code returned by unified agent: 0(Successful)\r\n"}},
     {{"c1", "succeeded", NULL, "path"}}},
};

static void test_cases(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const tcase *tc = &cases[c];
        json_t *report = run(tc->in, 4);
        size_t expected_hosts = 0;
        for (size_t k = 0; k < 3 && tc->out[k].host; k++) {
            const expect *e = &tc->out[k];
            expected_hosts++;
            json_t *h = host_named(report, e->host);
            if (!h)
                fail_msg("case '%s': no host %s", tc->name, e->host);
            const char *outcome = json_string_value(json_object_get(h, "outcome"));
            if (strcmp(outcome, e->outcome) != 0)
                fail_msg("case '%s': %s is %s, expected %s", tc->name, e->host, outcome,
                         e->outcome);
            const char *rs = root_sig(h);
            if ((rs == NULL) != (e->root == NULL) || (rs && strcmp(rs, e->root) != 0))
                fail_msg("case '%s': %s root cause %s, expected %s", tc->name, e->host,
                         rs ? rs : "null", e->root ? e->root : "null");
            const char *src = json_string_value(json_object_get(h, "host_source"));
            if (strcmp(src, e->host_source) != 0)
                fail_msg("case '%s': %s host_source %s, expected %s", tc->name, e->host, src,
                         e->host_source);
        }
        size_t got = json_array_size(json_object_get(report, "hosts"));
        if (got != expected_hosts)
            fail_msg("case '%s': %zu hosts, expected %zu", tc->name, got, expected_hosts);
        json_decref(report);
    }
}

/* asr_analysis_finish, which frees the inputs while it builds the report, gives the report
 * asr_analysis_report gives, byte for byte, for every case (and the analysis is then empty). */
static void test_finish_same_report(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        json_t *a = run(cases[c].in, 4);
        finish = 1;
        json_t *b = run(cases[c].in, 4);
        finish = 0;
        char *ta = json_dumps(a, JSON_INDENT(2)), *tb = json_dumps(b, JSON_INDENT(2));
        assert_non_null(ta);
        assert_non_null(tb);
        if (strcmp(ta, tb) != 0)
            fail_msg("case '%s': asr_analysis_finish gives another report", cases[c].name);
        free(ta);
        free(tb);
        json_decref(a);
        json_decref(b);
    }
}

/* Evidence line numbers are right across CRLF input and the 1 MiB block boundary. */
static void test_line_mapping(void **state)
{
    (void)state;
    size_t filler = 40000; /* 40000 * 40 bytes > 1 MiB */
    size_t cap = filler * 64 + 1024;
    char *text = malloc(cap);
    size_t n = 0;
    n += (size_t)sprintf(text + n, "\n03/14/2023 10:22:41: Script initiated with the following "
                                   "command:\r\n");
    for (size_t i = 0; i < filler; i++)
        n += (size_t)sprintf(text + n, "03/14/2023 10:22:42: rpm -q line %07zu\r\n", i);
    n += (size_t)sprintf(text + n, "03/14/2023 10:22:45 : This version of mobility service "
                                   "doesn't support the operating system kernel version (5.14)\r\n"
                                   "03/14/2023 10:22:46 : Installer exiting with code: 99");
    in_file f[2] = {{"big/ua_install.log", "big", NULL, text}, {0}};
    json_t *report = run(f, 1);
    json_t *h = host_named(report, "big");
    assert_non_null(h);
    json_t *ev = json_array_get(json_object_get(json_object_get(h, "root_cause"), "evidence"), 0);
    assert_int_equal(json_integer_value(json_object_get(ev, "line")), filler + 3);
    json_t *in = json_array_get(json_object_get(report, "inputs"), 0);
    assert_int_equal(json_integer_value(json_object_get(in, "lines")), filler + 4);
    json_t *rc = json_object_get(h, "root_cause");
    assert_int_equal(json_integer_value(json_object_get(rc, "exit_code")), 99);
    json_decref(report);
    free(text);
}

/*
 * Reading an input in pieces and merging them gives exactly the one-pass report, for every
 * case of the table, every input, every cut after a newline, and a three-way cut: record
 * context (push-log thread ids), line numbers, attempts and kept evidence all continue.
 */
static void test_pieces(void **state)
{
    (void)state;
    /* with the default limits, and keeping only two lines per signature and attempt */
    static const asr_limits tables[2] = {{0, 0}, {0, 2}};
    for (size_t c = 0; c < 2 * sizeof cases / sizeof cases[0]; c++) {
        limits = tables[c % 2];
        const tcase *tc = &cases[c / 2];
        size_t n = 0;
        while (n < 4 && tc->in[n].path)
            n++;
        json_t *one = run(tc->in, n);
        char *want = json_dumps(one, JSON_SORT_KEYS);
        json_decref(one);
        for (size_t f = 0; f < n; f++) {
            const char *t = tc->in[f].text;
            size_t nl[4096], m = 0;
            for (size_t i = 0; t[i] && m < 4096; i++)
                if (t[i] == '\n' && t[i + 1])
                    nl[m++] = i + 1;
            for (size_t k = 0; k <= m; k++) {
                size_t cuts[2];
                size_t n_cuts = 0;
                if (k < m)
                    cuts[n_cuts++] = nl[k];
                if (k + 2 < m)
                    cuts[n_cuts++] = nl[k + 2];
                if (n_cuts == 0)
                    continue;
                json_t *rep = run_pieces(tc->in, n, f, cuts, n_cuts);
                char *got = json_dumps(rep, JSON_SORT_KEYS);
                json_decref(rep);
                if (strcmp(got, want) != 0)
                    fail_msg("case '%s', input %zu cut at %zu (%zu cuts): report differs",
                             tc->name, f, cuts[0], n_cuts);
                free(got);
            }
        }
        free(want);
    }
    limits = (asr_limits){0, 0};
}

/* Findings counts of a host as "signature=count;…", in report order. */
static char *finding_counts(json_t *report, const char *host)
{
    static char buf[2048];
    size_t n = 0, i;
    json_t *f;
    buf[0] = '\0';
    json_array_foreach(json_object_get(host_named(report, host), "findings"), i, f)
    {
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s=%lld;",
                              json_string_value(json_object_get(f, "signature")),
                              (long long)json_integer_value(json_object_get(f, "count")));
    }
    return buf;
}

/* Keeping fewer evidence lines changes what is shown, never the counts or the verdict, and the
 * deciding attempt keeps its own evidence even after an earlier attempt used up the allowance. */
static void test_limits_keep_counts(void **state)
{
    (void)state;
    in_file f[2] = {{"f/db09/var/log/ua_install.log", "db09", NULL, LINUX_REPEATED}, {0}};
    limits = (asr_limits){0, 0};
    json_t *full = run(f, 1);
    char want[2048];
    snprintf(want, sizeof want, "%s", finding_counts(full, "db09"));
    limits = (asr_limits){0, 1};
    json_t *one = run(f, 1);
    assert_string_equal(finding_counts(one, "db09"), want);
    assert_non_null(strstr(want, "t.prereq=10;"));
    json_t *rc = json_object_get(host_named(one, "db09"), "root_cause");
    assert_string_equal(json_string_value(json_object_get(rc, "signature")), "t.kernel");
    json_t *ev = json_array_get(json_object_get(rc, "evidence"), 0);
    assert_non_null(strstr(json_string_value(json_object_get(ev, "text")), "11:02:45"));
    limits = (asr_limits){0, 0};
    json_decref(full);
    json_decref(one);
}

/* The attempt list keeps earlier failures visible, and only the last one decides. */
static void test_attempt_history(void **state)
{
    (void)state;
    in_file f[2] = {{"f/db02/ua_install.log", "db02", NULL, LINUX_FAIL_THEN_OK}, {0}};
    json_t *report = run(f, 1);
    json_t *atts = json_object_get(host_named(report, "db02"), "attempts");
    assert_int_equal(json_array_size(atts), 2);
    json_t *a0 = json_array_get(atts, 0), *a1 = json_array_get(atts, 1);
    assert_string_equal(json_string_value(json_object_get(a0, "outcome")), "failed");
    assert_int_equal(json_integer_value(json_object_get(a0, "exit_code")), 99);
    assert_false(json_is_true(json_object_get(a0, "deciding")));
    assert_string_equal(json_string_value(json_object_get(a1, "outcome")), "succeeded");
    assert_true(json_is_true(json_object_get(a1, "deciding")));
    assert_string_equal(json_string_value(json_object_get(a1, "started")), "2023-03-14T11:02:41");
    json_decref(report);
}

/* A catalogue mistake names file, line and column. */
static void test_catalog_diagnostics(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *diag;
    } bad[] = {
        {"{\"family\": \"x\", \"signatures\": [\n  {\"id\": \"a\",}\n]}",
         "bad.json:2:14: invalid JSON"},
        {"{\"family\": \"x\", \"signatures\": [\n  {\"id\": \"a.b\", \"title\": \"t\"}\n]}",
         "bad.json:2:4: signature 'a.b': missing key 'match'"},
        {"{\"family\": \"x\", \"signatures\": [\n {\"id\": \"a\", \"title\": \"t\", \"match\": \"(\", "
         "\"severity\": \"error\", \"effect\": \"context\", \"specificity\": 1, \"os\": \"any\", "
         "\"examples\": {\"match\": [\"(\"], \"nomatch\": [\"x\"]}}\n]}",
         "bad.json:2:3: signature 'a': match: Hyperscan cannot compile it"},
        {"{\"family\": \"x\", \"signatures\": [\n {\"id\": \"a\", \"title\": \"t\", \"match\": \"a\", "
         "\"severity\": \"fatal\"}]}",
         "bad.json:2:3: signature 'a': 'severity' is \"fatal\""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        asr_source src = {"bad.json", bad[i].text, strlen(bad[i].text)};
        asr_catalog *c = NULL;
        asr_diag diag = {""};
        asr_error err = asr_catalog_load(&src, 1, 1, &c, &diag);
        assert_true(err == ASR_ERR_CATALOG || err == ASR_ERR_COMPILE);
        assert_null(c);
        if (strncmp(diag.text, bad[i].diag, strlen(bad[i].diag)) != 0)
            fail_msg("diagnostic '%s', expected it to start with '%s'", diag.text, bad[i].diag);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_finish_same_report),
        cmocka_unit_test(test_line_mapping),
        cmocka_unit_test(test_attempt_history),
        cmocka_unit_test(test_pieces),
        cmocka_unit_test(test_limits_keep_counts),
        cmocka_unit_test(test_catalog_diagnostics),
    };
    return cmocka_run_group_tests(tests, load, unload);
}
