/*
 * test_redact.c — asr_redact_report: which values are found (by member and by content rule),
 * how they are replaced (whole words only, longest first, every spelling), what is left alone
 * (catalogue text, versions, time stamps, built-in names), pseudonym formats and keys, and the
 * map. Data-driven: each row is an evidence line and the line expected after redaction, where
 * "{kind:value}" stands for the pseudonym this test computes itself from the documented
 * formula: HMAC-SHA256(key, "kind:value").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "asrlog.h"
#include "sha256.h"

static const char test_key[] = "asrlog unit-test key";

/* ------------------------------------------------------------------------------------------ */
/* the expected side: pseudonyms computed independently of redact.c */

/* The pseudonym of (kind, normalised value) under test_key, written to out. */
static void expected_pseudonym(const char *kind, const char *value, char *out, size_t n)
{
    char msg[512];
    snprintf(msg, sizeof msg, "%s:%s", kind, value);
    uint8_t mac[ASR_SHA256_LEN];
    asr_hmac_sha256(test_key, strlen(test_key), msg, strlen(msg), mac);
    if (strcmp(kind, "ip") == 0 && strchr(value, ':')) {
        unsigned char a[16] = {0x20, 0x01, 0x0d, 0xb8};
        memcpy(a + 4, mac, 12);
        assert_non_null(inet_ntop(AF_INET6, a, out, (socklen_t)n));
    } else if (strcmp(kind, "ip") == 0) {
        snprintf(out, n, "%u.%u.%u.%u", 240u | (mac[0] & 15u), mac[1], mac[2], mac[3]);
    } else if (strcmp(kind, "mail") == 0) {
        snprintf(out, n, "mail-%02x%02x%02x%02x@example.invalid", mac[0], mac[1], mac[2], mac[3]);
    } else {
        snprintf(out, n, "%s-%02x%02x%02x%02x", kind, mac[0], mac[1], mac[2], mac[3]);
    }
}

/* Replaces every "{kind:value}" of a template by its pseudonym. Returns a malloc'd string. */
static char *expand(const char *tpl)
{
    size_t cap = strlen(tpl) * 4 + 256, n = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    for (const char *p = tpl; *p;) {
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        const char *colon = close ? memchr(p, ':', (size_t)(close - p)) : NULL;
        if (!colon) {
            out[n++] = *p++;
            continue;
        }
        char kind[16], value[256], pseudo[128];
        snprintf(kind, sizeof kind, "%.*s", (int)(colon - p - 1), p + 1);
        snprintf(value, sizeof value, "%.*s", (int)(close - colon - 1), colon + 1);
        expected_pseudonym(kind, value, pseudo, sizeof pseudo);
        memcpy(out + n, pseudo, strlen(pseudo));
        n += strlen(pseudo);
        p = close + 1;
    }
    out[n] = '\0';
    return out;
}

/* ------------------------------------------------------------------------------------------ */
/* a small report around one evidence line */

/* A report with host SQL01 (alias 10.0.1.21, from folder bundle/SQL01) and `line` as evidence. */
static json_t *report_with_line(const char *line)
{
    json_t *r = json_pack(
        "{s:s, s:[{s:s, s:s, s:n, s:s, s:s}], s:{s:i, s:i},"
        " s:[{s:s, s:s, s:[s], s:s, s:s,"
        "     s:{s:s, s:s, s:s, s:{}, s:[{s:s, s:i, s:s}],"
        "        s:{s:s, s:[s], s:[s], s:s}},"
        "     s:[], s:[]}]}",
        "asrlog_version", "0.1.0", "inputs", "path", "bundle/SQL01/ASRSetupLogs/x.log", "status",
        "analyzed", "reason", "log_type", "ua_installer", "host", "SQL01", "summary", "hosts", 1,
        "failed", 1, "hosts", "host", "SQL01", "host_source", "path", "aliases", "10.0.1.21",
        "os", "windows", "outcome", "failed", "root_cause", "signature", "win.sql01.example",
        "title", "SQL01 appears in this catalogue title", "severity", "error", "fields",
        "evidence", "file", "bundle/SQL01/ASRSetupLogs/x.log", "line", 7, "text", line,
        "remediation", "summary", "Log on to SQL01 as CONTOSO\\admin01", "steps",
        "Ask jane@contoso.com", "commands", "ping 10.0.1.21", "reference",
        "https://learn.microsoft.com/", "findings", "attempts");
    assert_non_null(r);
    return r;
}

/* The evidence line of a report_with_line() report. */
static const char *evidence_text(json_t *r)
{
    json_t *h = json_array_get(json_object_get(r, "hosts"), 0);
    json_t *ev = json_object_get(json_object_get(h, "root_cause"), "evidence");
    return json_string_value(json_object_get(json_array_get(ev, 0), "text"));
}

/* Redacts `report` with test_key in place. */
static void redact(json_t *report, asr_redactor **keep)
{
    asr_redactor *r = NULL;
    assert_int_equal(asr_redactor_new(test_key, strlen(test_key), &r), ASR_OK);
    assert_int_equal(asr_redact_report(r, report), ASR_OK);
    if (keep)
        *keep = r;
    else
        asr_redactor_free(r);
}

typedef struct line_case {
    const char *name;
    const char *in;
    const char *want;  /* template; NULL = unchanged */
} line_case;

static const line_case line_cases[] = {
    /* host names: known ones anywhere, as whole words only, any ASCII case */
    {"known host", "Host SQL01 failed; sql01 retried",
     "Host {host:sql01} failed; {host:sql01} retried"},
    {"not inside words", "SQL010 and XSQL01 and SQL01_ua_install.log",
     "SQL010 and XSQL01 and {host:sql01}_ua_install.log"},
    {"fqdn of a known host", "sql01.contoso.local is down",
     "{host:sql01}.{domain:contoso.local} is down"},
    {"file name is not a domain", "SQL01.ua_install.tar.gz copied",
     "{host:sql01}.ua_install.tar.gz copied"},
    {"host name line", "09:12:41:Host Name - WEB09", "09:12:41:Host Name - {host:web09}"},
    {"process server", "between the process server CS01(10.0.0.10).",
     "between the process server {host:cs01}({ip:10.0.0.10})."},
    {"vm name", "\t vmName:HR-APP01 ", "\t vmName:{host:hr-app01} "},
    /* IPv4 */
    {"alias address", "IP = 10.0.1.21.", "IP = {ip:10.0.1.21}."},
    {"longer addresses are others", "10.0.1.215 and 110.0.1.21 differ",
     "{ip:10.0.1.215} and {ip:110.0.1.21} differ"},
    {"address with port", "connect to 10.20.30.40:443 failed",
     "connect to {ip:10.20.30.40}:443 failed"},
    {"version strings", "InMageVx-9.54.0.0-1 and Product Version: 9.54.6616.1", NULL},
    {"addresses of no machine", "bound to 0.0.0.0, 127.0.0.1 and 255.255.255.0", NULL},
    /* IPv6 */
    {"ipv6", "Received remote ip address = fd12:3456:789a:1::37",
     "Received remote ip address = {ip:fd12:3456:789a:1::37}"},
    {"ipv6 spellings", "ping FD12:3456:789A:0001:0:0:0:37 and fd12:3456:789a:1::37.",
     "ping {ip:fd12:3456:789a:1::37} and {ip:fd12:3456:789a:1::37}."},
    {"ipv6 in a share", "path: \\\\fe80::1c2d:3e4f:5a6b:7c8d\\C$ failed",
     "path: \\\\{ip:fe80::1c2d:3e4f:5a6b:7c8d}\\C$ failed"},
    {"times and C++ names",
     "09:08:40:Executing remoteApiLib::WindowsRemoteConnection::wmiconnect:541 ::1", NULL},
    /* accounts and e-mail addresses */
    {"wmi user",
     "wmi connection to \\\\10.0.0.5\\\\root\\cimv2 with user CONTOSO\\svc-asr failed",
     "wmi connection to \\\\{ip:10.0.0.5}\\\\root\\cimv2 with user "
     "{domain:contoso}\\{user:svc-asr} failed"},
    {"proxy blanket", "(CoSetProxyBlanket) for LAB\\asrpush failed with result 80070005",
     "(CoSetProxyBlanket) for {domain:lab}\\{user:asrpush} failed with result 80070005"},
    {"msi logon user", "Property(S): LogonUser = asradmin",
     "Property(S): LogonUser = {user:asradmin}"},
    {"portal account", "under user account FABRIKAM\\jsmith have been locked out",
     "under user account {domain:fabrikam}\\{user:jsmith} have been locked out"},
    {"upn in portal text", "using the provided account asr.admin@contoso.com.",
     "using the provided account {mail:asr.admin@contoso.com}."},
    {"e-mail any case", "mail jane.doe@contoso.com or JANE.DOE@CONTOSO.COM",
     "mail {mail:jane.doe@contoso.com} or {mail:jane.doe@contoso.com}"},
    {"netbios account anywhere", "logged on as FABRIKAM\\backup01 today",
     "logged on as {domain:fabrikam}\\{user:backup01} today"},
    {"user at netbios domain", "run by ops1@CORP yesterday",
     "run by {user:ops1}@{domain:corp} yesterday"},
    {"registry and prompts are not accounts",
     "SYSTEM\\ControlSet001\\Services\\vmbus; C:\\Temp\\MobSvc>rem @echo off; "
     "NT AUTHORITY\\SYSTEM",
     NULL},
    {"built-in accounts", "with user administrator failed", NULL},
    /* passphrase files and profile folders */
    {"windows passphrase path",
     "Passphrase file for registration - C:\\ProgramData\\Microsoft Azure Site Recovery\\Mobility "
     "Service\\WMISSH\\1042\\connection.passphrase",
     "Passphrase file for registration - {path:c:\\programdata\\microsoft azure site "
     "recovery\\mobility service\\wmissh\\1042\\connection.passphrase}"},
    {"unix passphrase path",
     "UnifiedAgentConfigurator.sh -i 10.0.0.10 -P /root/MobSvc/passphrase.txt -c CSLegacy",
     "UnifiedAgentConfigurator.sh -i {ip:10.0.0.10} -P {path:/root/mobsvc/passphrase.txt} "
     "-c CSLegacy"},
    {"unc passphrase path",
     "/CSEndPoint 10.0.0.10 /PassphraseFilePath \\\\fs01\\asr\\passphrase.txt",
     "/CSEndPoint {ip:10.0.0.10} /PassphraseFilePath {path:\\\\fs01\\asr\\passphrase.txt}"},
    {"profile folder",
     "Created temporary directory: C:\\Users\\j\xc3\xbcrgen.admin\\AppData\\Local\\Temp\\x.tmp",
     "Created temporary directory: C:\\Users\\{user:j\xc3\xbcrgen.admin}\\AppData\\Local\\Temp"
     "\\x.tmp"},
    {"profile folder with a space", "C:\\Users\\John Smith\\Desktop\\setup.log",
     "C:\\Users\\{user:john smith}\\Desktop\\setup.log"},
    {"public profile", "C:\\Users\\Public\\Desktop", NULL},
    {"home folder", "copied to /home/ops.jdoe/asr/ done",
     "copied to /home/{user:ops.jdoe}/asr/ done"},
    {"nothing to hide", "VSSProvider installation has failed with error code: 515.", NULL},
};

/* Every row: the evidence line after redaction equals the expanded template. */
static void test_lines(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof line_cases / sizeof line_cases[0]; i++) {
        const line_case *c = &line_cases[i];
        json_t *r = report_with_line(c->in);
        redact(r, NULL);
        char *want = expand(c->want ? c->want : c->in);
        if (strcmp(evidence_text(r), want) != 0)
            fail_msg("%s:\n  in:   %s\n  got:  %s\n  want: %s", c->name, c->in, evidence_text(r),
                     want);
        free(want);
        json_decref(r);
    }
}

/* Host fields, aliases, paths and extracted fields are rewritten; catalogue text is not. */
static void test_members(void **state)
{
    (void)state;
    json_t *r = report_with_line("nothing");
    json_t *h = json_array_get(json_object_get(r, "hosts"), 0);
    json_t *rc = json_object_get(h, "root_cause");
    json_object_set_new(json_object_get(rc, "fields"), "account", json_string("LAB\\asrpush"));
    json_object_set_new(json_object_get(rc, "fields"), "share", json_string("\\\\FS02\\C$"));
    redact(r, NULL);
    char *host = expand("{host:sql01}"), *ip = expand("{ip:10.0.1.21}");
    char *path = expand("bundle/{host:sql01}/ASRSetupLogs/x.log");
    char *account = expand("{domain:lab}\\{user:asrpush}"), *share = expand("\\\\{host:fs02}\\C$");
    assert_string_equal(json_string_value(json_object_get(h, "host")), host);
    assert_string_equal(json_string_value(json_array_get(json_object_get(h, "aliases"), 0)), ip);
    json_t *in = json_array_get(json_object_get(r, "inputs"), 0);
    assert_string_equal(json_string_value(json_object_get(in, "host")), host);
    assert_string_equal(json_string_value(json_object_get(in, "path")), path);
    json_t *ev = json_array_get(json_object_get(rc, "evidence"), 0);
    assert_string_equal(json_string_value(json_object_get(ev, "file")), path);
    json_t *fields = json_object_get(rc, "fields");
    assert_string_equal(json_string_value(json_object_get(fields, "account")), account);
    assert_string_equal(json_string_value(json_object_get(fields, "share")), share);
    /* the catalogue's own text and the enumerations are untouched */
    assert_string_equal(json_string_value(json_object_get(rc, "title")),
                        "SQL01 appears in this catalogue title");
    assert_string_equal(json_string_value(json_object_get(rc, "signature")), "win.sql01.example");
    json_t *rem = json_object_get(rc, "remediation");
    assert_string_equal(json_string_value(json_object_get(rem, "summary")),
                        "Log on to SQL01 as CONTOSO\\admin01");
    assert_string_equal(json_string_value(json_array_get(json_object_get(rem, "commands"), 0)),
                        "ping 10.0.1.21");
    assert_string_equal(json_string_value(json_object_get(h, "outcome")), "failed");
    assert_string_equal(json_string_value(json_object_get(h, "host_source")), "path");
    assert_int_equal(json_integer_value(json_object_get(ev, "line")), 7);
    free(host);
    free(ip);
    free(path);
    free(account);
    free(share);
    json_decref(r);
}

/* The report's unclassified templates: their host names (also one found nowhere else) and
 * example lines are rewritten; the id and the log types are not. */
static void test_unclassified(void **state)
{
    (void)state;
    json_t *r = report_with_line("nothing");
    json_t *tpl = json_pack(
        "{s:s, s:s, s:i, s:i, s:i, s:[s, s], s:i, s:[s], s:[{s:s, s:i, s:s, s:s}]}", "id",
        "tpl-0123abcd", "template", "<DATE> : policy of <*> (<IP>) refused", "score", 100,
        "count", 2, "failed_hosts", 2, "hosts", "SQL01", "WEB77", "other_hosts", 0, "log_types",
        "ua_installer", "examples", "file", "bundle/SQL01/ASRSetupLogs/x.log", "line", 9, "text",
        "09:08:57 : policy of SQL01 (10.0.1.21) refused", "host", "SQL01");
    assert_non_null(tpl);
    json_object_set_new(r, "unclassified", json_pack("[o]", tpl));
    redact(r, NULL);
    char *sql01 = expand("{host:sql01}"), *web77 = expand("{host:web77}");
    char *text = expand("09:08:57 : policy of {host:sql01} ({ip:10.0.1.21}) refused");
    json_t *hosts = json_object_get(tpl, "hosts");
    assert_string_equal(json_string_value(json_array_get(hosts, 0)), sql01);
    assert_string_equal(json_string_value(json_array_get(hosts, 1)), web77);
    json_t *ex = json_array_get(json_object_get(tpl, "examples"), 0);
    assert_string_equal(json_string_value(json_object_get(ex, "text")), text);
    assert_string_equal(json_string_value(json_object_get(ex, "host")), sql01);
    assert_string_equal(json_string_value(json_object_get(tpl, "id")), "tpl-0123abcd");
    assert_string_equal(json_string_value(json_object_get(tpl, "template")),
                        "<DATE> : policy of <*> (<IP>) refused");
    assert_string_equal(json_string_value(json_array_get(json_object_get(tpl, "log_types"), 0)),
                        "ua_installer");
    free(sql01);
    free(web77);
    free(text);
    json_decref(r);
}

/* A string object that sits in two places is redacted once, from its original text. */
static void test_shared_strings(void **state)
{
    (void)state;
    json_t *r = report_with_line("host is down");
    json_t *shared = json_string("host");
    json_object_set(json_array_get(json_object_get(r, "hosts"), 0), "host", shared);
    json_object_set(json_array_get(json_object_get(r, "inputs"), 0), "host", shared);
    json_decref(shared);
    redact(r, NULL);
    char *want = expand("{host:host}");
    assert_string_equal(json_string_value(shared), want);
    char *line = expand("{host:host} is down");
    assert_string_equal(evidence_text(r), line);
    free(want);
    free(line);
    json_decref(r);
}

/* The map lists every pseudonym with its kind, first spelling and every spelling replaced. */
static void test_map(void **state)
{
    (void)state;
    json_t *r = report_with_line("sql01 at 10.0.1.21 asked Jane@Contoso.com and jane@contoso.com");
    asr_redactor *red = NULL;
    redact(r, &red);
    json_t *map = NULL;
    assert_int_equal(asr_redactor_map(red, &map), ASR_OK);
    assert_string_equal(json_string_value(json_object_get(map, "format")), "asrlog-redact-map/1");
    json_t *names = json_object_get(map, "pseudonyms");
    assert_int_equal(json_object_size(names), 3);
    char *host = expand("{host:sql01}"), *ip = expand("{ip:10.0.1.21}"),
         *mail = expand("{mail:jane@contoso.com}");
    json_t *e = json_object_get(names, host);
    assert_non_null(e);
    assert_string_equal(json_string_value(json_object_get(e, "kind")), "host");
    assert_string_equal(json_string_value(json_object_get(e, "original")), "SQL01");
    json_t *seen = json_object_get(e, "seen_as");
    assert_int_equal(json_array_size(seen), 2); /* "SQL01" (fields, paths) and "sql01" (text) */
    e = json_object_get(names, ip);
    assert_non_null(e);
    assert_string_equal(json_string_value(json_object_get(e, "kind")), "ip");
    assert_string_equal(json_string_value(json_object_get(e, "original")), "10.0.1.21");
    e = json_object_get(names, mail);
    assert_non_null(e);
    assert_string_equal(json_string_value(json_object_get(e, "kind")), "mail");
    assert_int_equal(json_array_size(json_object_get(e, "seen_as")), 2);
    free(host);
    free(ip);
    free(mail);
    json_decref(map);
    asr_redactor_free(red);
    json_decref(r);
}

/* The same key gives the same report; another key gives other pseudonyms. */
static void test_keys(void **state)
{
    (void)state;
    json_t *a = report_with_line("CONTOSO\\svc-asr on SQL01 (10.0.1.21)");
    json_t *b = json_deep_copy(a), *c = json_deep_copy(a);
    redact(a, NULL);
    redact(b, NULL);
    assert_true(json_equal(a, b));
    asr_redactor *other = NULL;
    assert_int_equal(asr_redactor_new("another key", 11, &other), ASR_OK);
    assert_int_equal(asr_redact_report(other, c), ASR_OK);
    assert_string_not_equal(evidence_text(a), evidence_text(c));
    assert_null(strstr(evidence_text(c), "SQL01"));
    asr_redactor_free(other);
    json_decref(a);
    json_decref(b);
    json_decref(c);
}

/* Bad arguments are refused; a report with nothing to hide is left as it was. */
static void test_arguments(void **state)
{
    (void)state;
    asr_redactor *r = NULL;
    assert_int_equal(asr_redactor_new("", 0, &r), ASR_ERR_ARG);
    assert_int_equal(asr_redactor_new(NULL, 4, &r), ASR_ERR_ARG);
    assert_int_equal(asr_redactor_new("k", 1, &r), ASR_OK);
    assert_int_equal(asr_redact_report(r, NULL), ASR_ERR_ARG);
    json_t *arr = json_array();
    assert_int_equal(asr_redact_report(r, arr), ASR_ERR_ARG);
    json_decref(arr);
    json_t *plain = json_pack("{s:s, s:[], s:[]}", "asrlog_version", "0.1.0", "inputs", "hosts");
    json_t *copy = json_deep_copy(plain);
    assert_int_equal(asr_redact_report(r, plain), ASR_OK);
    assert_true(json_equal(plain, copy));
    json_decref(plain);
    json_decref(copy);
    asr_redactor_free(r);
    asr_redactor_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines),    cmocka_unit_test(test_members),
        cmocka_unit_test(test_map),      cmocka_unit_test(test_keys),
        cmocka_unit_test(test_arguments), cmocka_unit_test(test_shared_strings),
        cmocka_unit_test(test_unclassified),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
