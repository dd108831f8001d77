/*
 * cluster.h — failure lines into templates (cluster.c), for the report's "unclassified"
 * section. Internal to the library.
 */
#ifndef ASR_CLUSTER_H
#define ASR_CLUSTER_H

#include <stddef.h>

typedef struct asr_clusterer asr_clusterer;

/* asr_cluster_new — an empty set of templates, or NULL. Free with asr_cluster_free. */
asr_clusterer *asr_cluster_new(void);

/*
 * asr_cluster_add — adds one line (UTF-8, no newline): it joins the most similar template or
 * starts one. Returns the template's index (stable: later lines may widen a template, never
 * move a line to another), or -1 when memory is short.
 */
long asr_cluster_add(asr_clusterer *c, const char *line);

/* asr_cluster_count — number of templates. */
size_t asr_cluster_count(const asr_clusterer *c);

/* asr_cluster_template — template i as text (masked tokens joined by one blank), a new
 * string the caller frees; NULL when out of range or out of memory. */
char *asr_cluster_template(const asr_clusterer *c, size_t i);

/* asr_cluster_mask — one line with its variable parts masked (<NUM>, <IP>, …), blanks
 * collapsed: a new string the caller frees, or NULL. */
char *asr_cluster_mask(const char *line);

void asr_cluster_free(asr_clusterer *c);

#endif
