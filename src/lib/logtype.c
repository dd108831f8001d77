/*
 * logtype.c — recognise ASR log files by name and by content.
 */
#include "logtype.h"

#include <ctype.h>
#include <string.h>

#include "util.h"

static const char *const type_names[ASR_LOG__COUNT] = {
    [ASR_LOG_UNKNOWN] = "unknown",
    [ASR_LOG_UA_INSTALLER] = "ua_installer",
    [ASR_LOG_UA_CONFIGURATOR] = "ua_configurator",
    [ASR_LOG_UA_WRAPPER] = "ua_wrapper",
    [ASR_LOG_UA_MSI] = "ua_msi",
    [ASR_LOG_UA_VALIDATIONS] = "ua_validations",
    [ASR_LOG_UA_INNO] = "ua_inno",
    [ASR_LOG_ERRORS_JSON] = "errors_json",
    [ASR_LOG_LINUX_INSTALL] = "linux_install",
    [ASR_LOG_PUSH_SERVICE] = "push_service",
    [ASR_LOG_PUSH_JOB] = "push_job",
    [ASR_LOG_PUSH_STDOUT] = "push_stdout",
    [ASR_LOG_CS_REGISTER] = "cs_register",
    [ASR_LOG_PORTAL_ERROR] = "portal_error",
};

/* Known file names (lower case); `prefix` names match at the start of the base name. */
typedef struct name_rule {
    const char *name;
    asr_log_type type;
    int prefix;
} name_rule;

static const name_rule name_rules[] = {
    {"asrunifiedagentinstaller.log", ASR_LOG_UA_INSTALLER, 0},
    {"asrunifiedagentconfigurator.log", ASR_LOG_UA_CONFIGURATOR, 0},
    {"wrapperunifiedagent.log", ASR_LOG_UA_WRAPPER, 0},
    {"unifiedagentmsiinstall.log", ASR_LOG_UA_MSI, 0},
    {"uainstall.log", ASR_LOG_UA_MSI, 0},
    {"uauninstall.log", ASR_LOG_UA_MSI, 0},
    {"mobilityservicevalidations.log", ASR_LOG_UA_VALIDATIONS, 0},
    {"ua_installlogfile.log", ASR_LOG_UA_INNO, 0},
    {"installlogfile.log", ASR_LOG_UA_INNO, 0},
    {"installererrors.json", ASR_LOG_ERRORS_JSON, 0},
    {"installerextendederrors.json", ASR_LOG_ERRORS_JSON, 0},
    {"ua_install.log", ASR_LOG_LINUX_INSTALL, 0},
    {"ua_upgrader.log", ASR_LOG_LINUX_INSTALL, 0},
    {"pushinstallservice", ASR_LOG_PUSH_SERVICE, 1},
    {"piverbose_", ASR_LOG_PUSH_JOB, 1},
    {"agentinstallverbose_", ASR_LOG_PUSH_JOB, 1},
    {"stdout.txt", ASR_LOG_PUSH_STDOUT, 0},
    {"configurator_register_host_static_info.log", ASR_LOG_CS_REGISTER, 0},
};

const char *asr_log_type_name(asr_log_type t)
{
    if ((unsigned)t >= ASR_LOG__COUNT)
        return "unknown";
    return type_names[t];
}

asr_log_type asr_log_type_parse(const char *name)
{
    for (int t = 0; t < ASR_LOG__COUNT; t++)
        if (strcmp(type_names[t], name) == 0)
            return (asr_log_type)t;
    return ASR_LOG__COUNT;
}

/* Length of a "<yyMMdd-HHmmss>" or "<yyyy-MM-dd-HH-mm-ss>" prefix at `s`, else 0. */
static size_t time_prefix_len(const char *s)
{
    return asr_name_time_prefix(s, NULL);
}

/* Case-insensitive: does `s` (length n) end with `suffix`? */
static int ends_with_ci(const char *s, size_t n, const char *suffix)
{
    size_t m = strlen(suffix);
    if (m > n)
        return 0;
    for (size_t i = 0; i < m; i++)
        if (tolower((unsigned char)s[n - m + i]) != suffix[i])
            return 0;
    return 1;
}

/* Case-insensitive: does `s` (length n) start with `prefix`? */
static int starts_with_ci(const char *s, size_t n, const char *prefix)
{
    size_t m = strlen(prefix);
    if (m > n)
        return 0;
    for (size_t i = 0; i < m; i++)
        if (tolower((unsigned char)s[i]) != prefix[i])
            return 0;
    return 1;
}

asr_log_type asr_log_type_from_name(const char *base, size_t *name_start)
{
    size_t n = strlen(base);
    size_t skip = time_prefix_len(base);
    if (ends_with_ci(base, n, ".gz"))
        n -= 3;
    const char *s = base + skip;
    size_t len = n - skip;
    for (size_t i = 0; i < sizeof name_rules / sizeof name_rules[0]; i++) {
        const name_rule *r = &name_rules[i];
        if (r->prefix) {
            if (starts_with_ci(s, len, r->name)) {
                if (name_start)
                    *name_start = skip;
                return r->type;
            }
            continue;
        }
        if (!ends_with_ci(s, len, r->name))
            continue;
        size_t at = len - strlen(r->name);
        /* the known name must be the whole name or follow a "_" / "-" host separator */
        if (at == 0 || s[at - 1] == '_' || s[at - 1] == '-') {
            if (name_start)
                *name_start = skip + at;
            return r->type;
        }
    }
    return ASR_LOG_UNKNOWN;
}

/* Content markers, tried in order; the first found decides. */
typedef struct content_rule {
    const char *needle;
    asr_log_type type;
    const char *also;  /* a second string that must occur too, or NULL */
} content_rule;

static const content_rule content_rules[] = {
    {"This log file contains ASRUnifiedAgent.log", ASR_LOG_PUSH_STDOUT, NULL},
    {"\n#~> (", ASR_LOG_PUSH_SERVICE, NULL},
    {"Installation Starts here ", ASR_LOG_UA_INNO, NULL},
    /* any product's msiexec log looks like this: only the agent's own counts */
    {"=== Verbose logging started:", ASR_LOG_UA_MSI, "Azure Site Recovery"},
    {"unified agent configurator", ASR_LOG_UA_CONFIGURATOR, NULL},
    {"\tAlways:\tTrace Session Started", ASR_LOG_UA_INSTALLER, NULL},
    {" :: Trace Session Started.", ASR_LOG_UA_WRAPPER, NULL},
    {"Script initiated with the following command:", ASR_LOG_LINUX_INSTALL, NULL},
    {"Installer exiting with code:", ASR_LOG_LINUX_INSTALL, NULL},
    {"Configurator exiting with code:", ASR_LOG_LINUX_INSTALL, NULL},
    {"Provider error code:", ASR_LOG_PORTAL_ERROR, NULL},
    {"Provider error message:", ASR_LOG_PORTAL_ERROR, NULL},
    {"\"error_name\"", ASR_LOG_ERRORS_JSON, NULL},
};

asr_log_type asr_log_type_from_content(const char *text, size_t len)
{
    if (len >= 5 && memcmp(text, "#~> (", 5) == 0)
        return ASR_LOG_PUSH_SERVICE;
    for (size_t i = 0; i < sizeof content_rules / sizeof content_rules[0]; i++) {
        const content_rule *r = &content_rules[i];
        if (asr_memmem(text, len, r->needle, strlen(r->needle)) &&
            (!r->also || asr_memmem(text, len, r->also, strlen(r->also))))
            return r->type;
    }
    return ASR_LOG_UNKNOWN;
}

int asr_log_type_is_multi_host(asr_log_type t)
{
    return t == ASR_LOG_PUSH_SERVICE || t == ASR_LOG_PUSH_JOB || t == ASR_LOG_PORTAL_ERROR;
}

int asr_log_type_os(asr_log_type t)
{
    switch (t) {
    case ASR_LOG_UA_INSTALLER:
    case ASR_LOG_UA_CONFIGURATOR:
    case ASR_LOG_UA_WRAPPER:
    case ASR_LOG_UA_MSI:
    case ASR_LOG_UA_VALIDATIONS:
    case ASR_LOG_UA_INNO:
        return 1;
    case ASR_LOG_LINUX_INSTALL:
        return 2;
    default:
        return 0;
    }
}
