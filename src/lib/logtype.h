/*
 * logtype.h — which ASR log a file is, by its name and by its first bytes.
 */
#ifndef ASR_LOGTYPE_H
#define ASR_LOGTYPE_H

#include <stddef.h>
#include <stdint.h>

typedef enum asr_log_type {
    ASR_LOG_UNKNOWN = 0,
    ASR_LOG_UA_INSTALLER,
    ASR_LOG_UA_CONFIGURATOR,
    ASR_LOG_UA_WRAPPER,
    ASR_LOG_UA_MSI,
    ASR_LOG_UA_VALIDATIONS,
    ASR_LOG_UA_INNO,
    ASR_LOG_ERRORS_JSON,
    ASR_LOG_LINUX_INSTALL,
    ASR_LOG_PUSH_SERVICE,
    ASR_LOG_PUSH_JOB,
    ASR_LOG_PUSH_STDOUT,
    ASR_LOG_CS_REGISTER,
    ASR_LOG_PORTAL_ERROR,
    ASR_LOG__COUNT
} asr_log_type;

/* The JSON name of a log type ("ua_installer", …). */
const char *asr_log_type_name(asr_log_type t);

/* Parses a JSON name; returns ASR_LOG__COUNT when the name is not known. */
asr_log_type asr_log_type_parse(const char *name);

/*
 * asr_log_type_from_name — log type from a file's base name alone.
 * `base` is the file name without directories; a trailing ".gz", a leading
 * "<yyMMdd-HHmmss>" or "<yyyy-MM-dd-HH-mm-ss>" time prefix and a leading "<HOST>_" or
 * "<HOST>-" are ignored. `name_start` (may be NULL) receives the offset in `base` where the
 * known log name begins, so the caller can recover a host prefix. Returns ASR_LOG_UNKNOWN
 * when the name is not one of the known logs.
 */
asr_log_type asr_log_type_from_name(const char *base, size_t *name_start);

/*
 * asr_log_type_from_content — log type from the first decoded bytes of a file (UTF-8, LF).
 * Returns ASR_LOG_UNKNOWN when nothing characteristic is found.
 */
asr_log_type asr_log_type_from_content(const char *text, size_t len);

/* True for log types written on the configuration/process server about many source machines. */
int asr_log_type_is_multi_host(asr_log_type t);

/* The OS a log type belongs to: 1 windows, 2 linux, 0 either. */
int asr_log_type_os(asr_log_type t);

#endif
