/*
 * fuzz_archive.c — libFuzzer harness for support bundles: the bytes are one archive file
 * (zip, tar, tar.gz, …, or not an archive at all) read the way `asrlog scan` reads it
 * (run_archive of src/cli/archive.c: libarchive in memory, nested archives, links, encrypted
 * and damaged entries), with the built-in catalogue.
 *
 * Input layout:
 *   byte 0   bits 0-1: --max-archive-depth 1 to 4; bit 2: a 64 KiB --max-decompressed;
 *            bits 3-4: the archive's file name (.zip, .tar, .tar.gz, .tgz).
 *   rest     the archive's bytes, written to a temporary file.
 * Properties checked: run_archive ends (out of memory is the only error it may return);
 * every entry is listed with a status ("analyzed", "skipped" or "unreadable", the last two
 * with a reason) under a name that starts with the archive's path and "!" or is the archive
 * itself; the entries give a report that serialises as JSON.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asrlog.h"
#include "builtin.h"
#include "cli.h"
#include "fuzz.h"
#include "fuzz_builtin.h"

static asr_catalog *catalog;
static asr_scanner *scanner;
static char dir[] = "/tmp/asrlog-fuzz-archive-XXXXXX";
static unsigned char buf[64 * 1024];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_load_builtin("fuzz_archive", &catalog, &scanner);
    if (!mkdtemp(dir)) {
        perror("fuzz_archive: cannot make its folder");
        abort();
    }
    return 0;
}

/* Writes the archive to a file named like a bundle; returns its path (static). */
static const char *write_archive(const uint8_t *data, size_t size, int kind)
{
    static const char *const names[4] = {"bundle.zip", "bundle.tar", "bundle.tar.gz",
                                         "bundle.tgz"};
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, names[kind]);
    FILE *f = fopen(path, "wb");
    FUZZ_CHECK(f != NULL);
    FUZZ_CHECK(size == 0 || fwrite(data, 1, size, f) == size);
    FUZZ_CHECK(fclose(f) == 0);
    return path;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *path = write_archive(data + 1, size - 1, (data[0] >> 3) & 3);
    scan_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.jobs = 1;
    opts.max_decoded = (data[0] & 4) ? 64u * 1024u : DEFAULT_MAX_DECODED;
    opts.max_archive_depth = 1 + (data[0] & 3);
    job j;
    memset(&j, 0, sizeof j);
    j.kind = JOB_ARCHIVE;
    j.path = (char *)path;
    j.n_pieces = 1;
    asr_error err = run_archive(scanner, &j, &opts, buf, sizeof buf);
    FUZZ_CHECK(err == ASR_OK || err == ASR_ERR_NOMEM);

    asr_analysis *an = NULL;
    FUZZ_CHECK(asr_analysis_new(catalog, &an) == ASR_OK);
    for (size_t i = 0; i < j.n_entries; i++)
        FUZZ_CHECK(asr_analysis_add(an, j.entries[i]) == ASR_OK);
    free(j.entries);
    json_t *rep = NULL;
    FUZZ_CHECK(asr_analysis_report(an, &rep) == ASR_OK);
    size_t plen = strlen(path), i;
    json_t *in;
    json_array_foreach(json_object_get(rep, "inputs"), i, in)
    {
        const char *p = json_string_value(json_object_get(in, "path"));
        const char *st = json_string_value(json_object_get(in, "status"));
        const char *why = json_string_value(json_object_get(in, "reason"));
        FUZZ_CHECK(p && strncmp(p, path, plen) == 0 && (p[plen] == '\0' || p[plen] == '!'));
        FUZZ_CHECK(st && (strcmp(st, "analyzed") == 0 || strcmp(st, "skipped") == 0 ||
                          strcmp(st, "unreadable") == 0));
        FUZZ_CHECK(strcmp(st, "analyzed") == 0 || (why && why[0]));
    }
    char *text = json_dumps(rep, 0);
    FUZZ_CHECK(text != NULL);
    free(text);
    json_decref(rep);
    asr_analysis_free(an);
    unlink(path);
    return 0;
}
