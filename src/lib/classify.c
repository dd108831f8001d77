/*
 * classify.c — from recorded hits to per-host verdicts and the report document.
 *
 * Steps (asr_analysis_report):
 *   1. identity: every input, or every push-install job inside a multi-host input, gets a set
 *      of names (host name, VM name, IP); names that occur together are one host (union-find,
 *      case-insensitive).
 *   2. attempts: each single-host input is cut into attempts at attempt-start hits; each
 *      push job is one attempt. attempt-end hits give the exit code and its outcome.
 *   3. deciding attempts: per host and log type, the last attempt of the newest file; per host
 *      the latest push job; attempts more than a day older than the newest are dropped.
 *   4. verdict: the worst outcome of the deciding attempts; root cause = the most specific
 *      failure (or, for succeeded_with_warnings, failure/warning) hit among them.
 *   5. report: the JSON contract of DESIGN.md, in a deterministic order.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cluster.h"
#include "jshare.h"
#include "sha256.h"

/* ------------------------------------------------------------------------------------------ */
/* analysis object */

asr_error asr_analysis_new(const asr_catalog *cat, asr_analysis **out)
{
    if (!cat || !out)
        return ASR_ERR_ARG;
    asr_analysis *a = calloc(1, sizeof *a);
    if (!a)
        return ASR_ERR_NOMEM;
    a->cat = cat;
    *out = a;
    return ASR_OK;
}

asr_error asr_analysis_add(asr_analysis *a, asr_input *in)
{
    if (!a || !in) {
        asr_input_free(in);
        return ASR_ERR_ARG;
    }
    if (a->n_inputs == a->cap_inputs) {
        asr_input **p = asr_grow(a->inputs, &a->cap_inputs, sizeof *p, 64);
        if (!p) {
            asr_input_free(in);
            return ASR_ERR_NOMEM;
        }
        a->inputs = p;
    }
    in->scanner = NULL; /* the scanner may be freed or reused from now on */
    a->inputs[a->n_inputs++] = in;
    return ASR_OK;
}

void asr_analysis_free(asr_analysis *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n_inputs; i++)
        asr_input_free(a->inputs[i]);
    free(a->inputs);
    asr_sig_ids_free(a->ids);
    free(a);
}

/* ------------------------------------------------------------------------------------------ */
/* growable pointer vector */

typedef struct pvec {
    void **v;
    size_t n, cap;
} pvec;

/* Appends p; returns 0 on allocation failure. */
static int pvec_push(pvec *pv, void *p)
{
    if (pv->n == pv->cap) {
        void **q = asr_grow(pv->v, &pv->cap, sizeof *q, 8);
        if (!q)
            return 0;
        pv->v = q;
    }
    pv->v[pv->n++] = p;
    return 1;
}

static void pvec_free(pvec *pv)
{
    free(pv->v);
    pv->v = NULL;
    pv->n = pv->cap = 0;
}

/* ------------------------------------------------------------------------------------------ */
/* names and union-find */

/* Where a name came from, best first. */
typedef enum name_rank {
    RANK_ARGUMENT = 0,
    RANK_PATH,
    RANK_FILE_PREFIX,
    RANK_CONTENT,
    RANK_CONTENT_VM,
    RANK_CONTENT_IP,
    RANK_FILE
} name_rank;

static const char *rank_source(name_rank r)
{
    switch (r) {
    case RANK_ARGUMENT:
        return "argument";
    case RANK_PATH:
        return "path";
    case RANK_CONTENT:
    case RANK_CONTENT_VM:
    case RANK_CONTENT_IP:
        return "content";
    default:
        return "file";
    }
}

typedef struct name_node {
    char *key;          /* lower case */
    char *display;      /* as first seen with the best rank */
    name_rank rank;
    size_t parent;
} name_node;

typedef struct names {
    name_node *v;
    size_t n, cap;
    size_t *table;      /* open addressing: index+1, 0 = empty */
    size_t tcap;
} names;

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

/* Rebuilds the hash table at twice the size. */
static int names_grow_table(names *ns)
{
    size_t tcap = ns->tcap ? ns->tcap * 2 : 64;
    size_t *t = calloc(tcap, sizeof *t);
    if (!t)
        return 0;
    for (size_t i = 0; i < ns->n; i++) {
        size_t h = (size_t)hash_str(ns->v[i].key) & (tcap - 1);
        while (t[h])
            h = (h + 1) & (tcap - 1);
        t[h] = i + 1;
    }
    free(ns->table);
    ns->table = t;
    ns->tcap = tcap;
    return 1;
}

/* Finds the node of `name` (case-insensitive) or adds it; returns its index or (size_t)-1. */
static size_t names_get(names *ns, const char *name, name_rank rank)
{
    char *key = asr_lower(asr_strdup(name));
    if (!key)
        return (size_t)-1;
    if (ns->tcap == 0 || (ns->n + 1) * 2 > ns->tcap)
        if (!names_grow_table(ns)) {
            free(key);
            return (size_t)-1;
        }
    size_t h = (size_t)hash_str(key) & (ns->tcap - 1);
    while (ns->table[h]) {
        name_node *nd = &ns->v[ns->table[h] - 1];
        if (strcmp(nd->key, key) == 0) {
            free(key);
            if (rank < nd->rank) {
                char *d = asr_strdup(name);
                if (d) {
                    free(nd->display);
                    nd->display = d;
                    nd->rank = rank;
                }
            }
            return ns->table[h] - 1;
        }
        h = (h + 1) & (ns->tcap - 1);
    }
    if (ns->n == ns->cap) {
        name_node *p = asr_grow(ns->v, &ns->cap, sizeof *p, 64);
        if (!p) {
            free(key);
            return (size_t)-1;
        }
        ns->v = p;
    }
    name_node *nd = &ns->v[ns->n];
    nd->key = key;
    nd->display = asr_strdup(name);
    nd->rank = rank;
    nd->parent = ns->n;
    if (!nd->display) {
        free(key);
        return (size_t)-1;
    }
    ns->table[h] = ns->n + 1;
    return ns->n++;
}

static size_t names_find(names *ns, size_t i)
{
    while (ns->v[i].parent != i) {
        ns->v[i].parent = ns->v[ns->v[i].parent].parent;
        i = ns->v[i].parent;
    }
    return i;
}

static void names_union(names *ns, size_t a, size_t b)
{
    a = names_find(ns, a);
    b = names_find(ns, b);
    if (a != b)
        ns->v[b > a ? b : a].parent = b > a ? a : b;
}

static void names_free(names *ns)
{
    for (size_t i = 0; i < ns->n; i++) {
        free(ns->v[i].key);
        free(ns->v[i].display);
    }
    free(ns->v);
    free(ns->table);
}

/* ------------------------------------------------------------------------------------------ */
/* attempts */

typedef struct attempt {
    const asr_input *in;
    size_t input_idx;
    size_t name;            /* a name node of the host */
    uint64_t line;          /* first line (start marker, or 1) */
    asr_time started;
    int has_exit;
    int64_t exit_code;
    asr_outcome end_outcome;
    const asr_hit *end_hit;
    pvec hits;              /* failure / warning / success hits */
    pvec lines;             /* failure-line hits (generic failure wording) */
    asr_outcome outcome;
    int last_in_input;
    int current;
    int is_push;
    char *job_id;
    size_t seq;             /* creation order */
} attempt;

typedef struct job {
    char *job_id;
    char *ip;
    char *vm_name;
    attempt *att;
} job;

typedef struct state {
    const asr_catalog *cat;
    asr_analysis *a;
    names ns;
    pvec attempts;          /* attempt* */
    size_t *input_name;     /* per input: its host name node for single-host inputs, or -1 */
    asr_jshare *share;      /* report values shown in many places, made once (jshare.h) */
    json_t **paths;         /* per input: its "path" string in the report, shared by its
                               attempts and its "inputs" entry (input_path), or NULL */
} state;

static attempt *attempt_new(state *st, const asr_input *in, size_t idx, size_t name,
                            uint64_t line)
{
    attempt *at = calloc(1, sizeof *at);
    if (!at)
        return NULL;
    at->in = in;
    at->input_idx = idx;
    at->name = name;
    at->line = line;
    at->seq = st->attempts.n;
    if (!pvec_push(&st->attempts, at)) {
        free(at);
        return NULL;
    }
    return at;
}

/* Should this hit count at all? Weak evidence in unrecognised files is ignored. */
static int hit_counts(const asr_input *in, const asr_signature *sig)
{
    return in->log_type != ASR_LOG_UNKNOWN || sig->specificity >= 50;
}

/* Records a failure/warning/success/attempt-end hit in an attempt. */
static int attempt_take(attempt *at, const asr_signature *sig, const asr_hit *h)
{
    if (sig->effect == ASR_EFFECT_ATTEMPT_END) {
        json_t *ec = h->fields ? json_object_get(h->fields, "exit_code") : NULL;
        if (json_is_integer(ec)) {
            at->has_exit = 1;
            at->exit_code = json_integer_value(ec);
            at->end_outcome = asr_signature_exit_outcome(sig, at->exit_code);
            at->end_hit = h;
        }
        return 1;
    }
    if (sig->effect == ASR_EFFECT_FAILURE || sig->effect == ASR_EFFECT_WARNING ||
        sig->effect == ASR_EFFECT_SUCCESS)
        return pvec_push(&at->hits, (void *)h);
    if (sig->effect == ASR_EFFECT_FAILURE_LINE)
        return pvec_push(&at->lines, (void *)h);
    return 1;
}

/* String field of a hit, or NULL. */
static const char *field(const asr_hit *h, const char *name)
{
    if (!h->fields)
        return NULL;
    json_t *v = json_object_get(h->fields, name);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Host name of a single-host input, by the identity rules in order. */
static size_t single_host_name(state *st, const asr_input *in)
{
    if (in->arg_host)
        return names_get(&st->ns, in->arg_host, RANK_ARGUMENT);
    if (in->path_host)
        return names_get(&st->ns, in->path_host, RANK_PATH);
    if (in->file_host)
        return names_get(&st->ns, in->file_host, RANK_FILE_PREFIX);
    for (size_t i = 0; i < in->n_hits; i++) {
        const asr_signature *sig = &st->cat->sigs[in->hits[i].sig];
        const char *h = sig->effect == ASR_EFFECT_CONTEXT ? field(&in->hits[i], "host") : NULL;
        if (h && *h)
            return names_get(&st->ns, h, RANK_CONTENT);
    }
    return names_get(&st->ns, in->path, RANK_FILE);
}

/* Cuts a single-host input into attempts. */
static asr_error split_single(state *st, const asr_input *in, size_t idx)
{
    if (in->log_type == ASR_LOG_UNKNOWN) { /* an unrecognised file names a host only with evidence */
        int any = 0;
        for (size_t i = 0; i < in->n_hits && !any; i++) {
            const asr_signature *sig = &st->cat->sigs[in->hits[i].sig];
            any = sig->effect != ASR_EFFECT_CONTEXT && hit_counts(in, sig);
        }
        if (!any)
            return ASR_OK;
    }
    size_t name = single_host_name(st, in);
    if (name == (size_t)-1)
        return ASR_ERR_NOMEM;
    st->input_name[idx] = name;
    attempt *cur = attempt_new(st, in, idx, name, 1);
    if (!cur)
        return ASR_ERR_NOMEM;
    cur->started = in->name_time;
    int cur_has_start = 0, cur_has_hits = 0;
    for (size_t i = 0; i < in->n_hits; i++) {
        const asr_hit *h = &in->hits[i];
        const asr_signature *sig = &st->cat->sigs[h->sig];
        if (!hit_counts(in, sig))
            continue;
        if (sig->effect == ASR_EFFECT_ATTEMPT_START) {
            if (cur_has_start || cur_has_hits) {
                cur = attempt_new(st, in, idx, name, h->line);
                if (!cur)
                    return ASR_ERR_NOMEM;
                cur_has_hits = 0;
            }
            cur->line = h->line;
            cur->started = h->time.valid ? h->time : in->name_time;
            cur_has_start = 1;
            continue;
        }
        if (sig->effect == ASR_EFFECT_CONTEXT)
            continue;
        /* failure wording is kept with the attempt but does not open a new one */
        cur_has_hits |= sig->effect != ASR_EFFECT_FAILURE_LINE;
        if (!attempt_take(cur, sig, h))
            return ASR_ERR_NOMEM;
    }
    cur->last_in_input = 1;
    return ASR_OK;
}

/* The job with this id, or NULL (a NULL id finds nothing). */
static job *job_find(const pvec *jobs, const char *id)
{
    for (size_t i = 0; id && i < jobs->n; i++) {
        job *j = jobs->v[i];
        if (j->job_id && strcmp(j->job_id, id) == 0)
            return j;
    }
    return NULL;
}

/* Finds or adds a job by id. */
static job *job_get(pvec *jobs, const char *id)
{
    job *j = job_find(jobs, id);
    if (j)
        return j;
    j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->job_id = asr_strdup(id);
    if (!pvec_push(jobs, j)) {
        free(j->job_id);
        free(j);
        return NULL;
    }
    return j;
}

/* Sets *dst to a copy of src when *dst is empty. */
static void fill(char **dst, const char *src)
{
    if (!*dst && src && *src)
        *dst = asr_strdup(src);
}

/* Maps thread ids to jobs: tids[i] -> tjobs[i]. */
typedef struct tid_map {
    int64_t *tid;
    job **job;
    size_t n, cap;
} tid_map;

static job *tid_lookup(const tid_map *m, int64_t tid)
{
    for (size_t i = m->n; i-- > 0;)
        if (m->tid[i] == tid)
            return m->job[i];
    return NULL;
}

static int tid_set(tid_map *m, int64_t tid, job *j)
{
    if (m->n == m->cap) {
        size_t cap = m->cap, cap2 = m->cap;
        int64_t *t = asr_grow(m->tid, &cap, sizeof *t, 16);
        if (!t)
            return 0;
        m->tid = t;
        job **jj = asr_grow(m->job, &cap2, sizeof *jj, 16);
        if (!jj)
            return 0; /* m->tid is larger than needed; harmless */
        m->job = jj;
        m->cap = cap;
    }
    m->tid[m->n] = tid;
    m->job[m->n] = j;
    m->n++;
    return 1;
}

/* Reads the context fields of one push-log hit into the job tables. */
static int push_context(pvec *jobs, tid_map *threads, tid_map *describing, const asr_hit *h)
{
    const char *ip = field(h, "ip"), *jid = field(h, "job_id"), *vm = field(h, "vm_name");
    const char *thr = field(h, "thread_id");
    if (thr && jid) { /* "Push Install Process thread for JOB ID: …, IP: … ThreadID: (0x…)" */
        job *j = job_get(jobs, jid);
        if (!j)
            return 0;
        fill(&j->ip, ip);
        long long t = strtoll(thr, NULL, 0);
        return tid_set(threads, t, j);
    }
    if (h->tid < 0) { /* no InMage records (portal text): the file names one machine */
        if (ip || vm) {
            job *j = jobs->n ? jobs->v[0] : job_get(jobs, jid);
            if (!j)
                return 0;
            fill(&j->ip, ip);
            fill(&j->vm_name, vm);
        }
        return 1;
    }
    job *cur = tid_lookup(describing, h->tid);
    if (ip && !jid) {
        job *owner = tid_lookup(threads, h->tid);
        if (owner) { /* "Received remote ip address = …" inside a job thread */
            fill(&owner->ip, ip);
            return 1;
        }
        job *j = job_get(jobs, NULL); /* a new job-details block starts */
        if (!j)
            return 0;
        fill(&j->ip, ip);
        return tid_set(describing, h->tid, j);
    }
    if (jid) {
        if (cur && !cur->job_id) {
            job *same = job_find(jobs, jid);
            if (same) { /* the job was seen before: merge the new details into it */
                fill(&same->ip, cur->ip);
                return tid_set(describing, h->tid, same);
            }
            cur->job_id = asr_strdup(jid);
            return cur->job_id != NULL;
        }
        job *j = job_get(jobs, jid);
        if (!j)
            return 0;
        if (!tid_lookup(threads, h->tid))
            return tid_set(describing, h->tid, j);
        return 1;
    }
    if (vm && cur)
        fill(&cur->vm_name, vm);
    return 1;
}

/* Name node for a job: VM name and IP joined. */
static size_t job_name(state *st, job *j, const asr_input *in)
{
    size_t a = (size_t)-1, b = (size_t)-1;
    if (in->arg_host)
        return names_get(&st->ns, in->arg_host, RANK_ARGUMENT);
    if (j->vm_name)
        a = names_get(&st->ns, j->vm_name, RANK_CONTENT_VM);
    if (j->ip)
        b = names_get(&st->ns, j->ip, RANK_CONTENT_IP);
    if (a != (size_t)-1 && b != (size_t)-1)
        names_union(&st->ns, a, b);
    return a != (size_t)-1 ? a : b;
}

/* Cuts a multi-host input (push service / per-job / portal text) into per-job attempts. */
static asr_error split_multi(state *st, const asr_input *in, size_t idx)
{
    pvec jobs = {0};
    tid_map threads = {0}, describing = {0};
    asr_error err = ASR_ERR_NOMEM;
    st->input_name[idx] = (size_t)-1;
    for (size_t i = 0; i < in->n_hits; i++) {
        const asr_hit *h = &in->hits[i];
        const asr_signature *sig = &st->cat->sigs[h->sig];
        if (h->fields && (field(h, "ip") || field(h, "job_id") || field(h, "vm_name")) &&
            (sig->effect == ASR_EFFECT_CONTEXT || sig->effect == ASR_EFFECT_ATTEMPT_START))
            if (!push_context(&jobs, &threads, &describing, h))
                goto out;
    }
    /* a file with no thread linkage (per-job log, portal text) is one job */
    job *single = NULL;
    if (threads.n == 0) {
        for (size_t i = 0; i < jobs.n && !single; i++)
            if (((job *)jobs.v[i])->ip || ((job *)jobs.v[i])->vm_name)
                single = jobs.v[i];
        if (!single && in->arg_host)
            single = job_get(&jobs, NULL);
    }
    for (size_t i = 0; i < in->n_hits; i++) {
        const asr_hit *h = &in->hits[i];
        const asr_signature *sig = &st->cat->sigs[h->sig];
        /* push logs speak of many hosts: their failure wording is not clustered */
        if (!hit_counts(in, sig) || sig->effect == ASR_EFFECT_CONTEXT ||
            sig->effect == ASR_EFFECT_FAILURE_LINE)
            continue;
        job *j = single ? single : (h->tid >= 0 ? tid_lookup(&threads, h->tid) : NULL);
        if (!j)
            continue; /* service-level lines that belong to no source machine */
        if (!j->att) {
            size_t name = job_name(st, j, in);
            if (name == (size_t)-1)
                continue;
            j->att = attempt_new(st, in, idx, name, h->line);
            if (!j->att)
                goto out;
            j->att->is_push = 1;
            j->att->last_in_input = 1;
            j->att->started = h->time;
            j->att->job_id = asr_strdup(j->job_id);
        }
        if (sig->effect == ASR_EFFECT_ATTEMPT_START) {
            if (h->time.valid)
                j->att->started = h->time;
            if (h->line < j->att->line)
                j->att->line = h->line;
            continue;
        }
        if (!attempt_take(j->att, sig, h))
            goto out;
    }
    err = ASR_OK;
out:
    for (size_t i = 0; i < jobs.n; i++) {
        job *j = jobs.v[i];
        free(j->job_id);
        free(j->ip);
        free(j->vm_name);
        free(j);
    }
    pvec_free(&jobs);
    free(threads.tid);
    free(threads.job);
    free(describing.tid);
    free(describing.job);
    return err;
}

/* ------------------------------------------------------------------------------------------ */
/* verdicts */

/* Outcome of one attempt from its exit code, else from its hits. */
static asr_outcome attempt_outcome(const state *st, const attempt *at)
{
    int fail = 0, warn = 0, ok = 0;
    for (size_t i = 0; i < at->hits.n; i++) {
        const asr_hit *h = at->hits.v[i];
        asr_effect e = st->cat->sigs[h->sig].effect;
        fail |= e == ASR_EFFECT_FAILURE;
        warn |= e == ASR_EFFECT_WARNING;
        ok |= e == ASR_EFFECT_SUCCESS;
    }
    asr_outcome o;
    if (at->has_exit)
        o = at->end_outcome;
    else if (fail)
        o = ASR_OUTCOME_FAILED;
    else if (ok)
        o = ASR_OUTCOME_SUCCEEDED;
    else if (warn)
        o = ASR_OUTCOME_SUCCEEDED_WITH_WARNINGS;
    else if (at->lines.n)
        o = ASR_OUTCOME_FAILED; /* failure wording and nothing that says it ended well */
    else
        o = ASR_OUTCOME_UNKNOWN;
    if (o == ASR_OUTCOME_SUCCEEDED && warn)
        o = ASR_OUTCOME_SUCCEEDED_WITH_WARNINGS;
    return o;
}

/* Severity order of outcomes for combining deciding attempts. */
static int outcome_weight(asr_outcome o)
{
    switch (o) {
    case ASR_OUTCOME_FAILED:
        return 3;
    case ASR_OUTCOME_SUCCEEDED_WITH_WARNINGS:
        return 2;
    case ASR_OUTCOME_SUCCEEDED:
        return 1;
    default:
        return 0;
    }
}

typedef struct host {
    size_t root;            /* the name node shown for the host */
    pvec attempts;          /* attempt* */
    pvec aliases;           /* const char*: the host's other names (owned by the names) */
    asr_outcome outcome;
    asr_os os;
    size_t row;             /* its place in the report */
    const attempt *cause_at; /* host_cause(), found once the outcome is decided */
    const asr_hit *cause;
    int unclassified;       /* failed, and no specific signature says why */
} host;

/* A host's name in report order (rows are sorted by name). */
typedef struct host_row {
    host *h;
    const char *name;
} host_row;

/* Is input a newer than input b (same host and log type)? Live files (no time prefix) are
 * the newest; otherwise the later prefix time, then the later path. */
static int input_newer(const asr_input *a, const asr_input *b)
{
    if (a->name_time.valid != b->name_time.valid)
        return !a->name_time.valid;
    if (a->name_time.valid && a->name_time.civil != b->name_time.civil)
        return a->name_time.civil > b->name_time.civil;
    return strcmp(a->path, b->path) > 0;
}

/* Log-type family used to pick one deciding attempt per kind of log. */
static int family_of(const asr_input *in)
{
    if (in->log_type == ASR_LOG_PUSH_SERVICE || in->log_type == ASR_LOG_PUSH_JOB)
        return ASR_LOG_PUSH_SERVICE;
    return (int)in->log_type;
}

/* Marks the deciding attempts of a host and computes its outcome. */
static void decide_host(state *st, host *h)
{
    attempt *best[ASR_LOG__COUNT] = {0};
    for (size_t i = 0; i < h->attempts.n; i++) {
        attempt *at = h->attempts.v[i];
        at->outcome = attempt_outcome(st, at);
        if (!at->last_in_input && !at->is_push)
            continue;
        int fam = family_of(at->in);
        attempt *b = best[fam];
        int better;
        if (!b)
            better = 1;
        else if (at->started.valid && b->started.valid &&
                 asr_time_cmp(&at->started, &b->started) != 0)
            better = asr_time_cmp(&at->started, &b->started) > 0;
        else if (at->in != b->in)
            better = input_newer(at->in, b->in);
        else
            better = at->seq > b->seq;
        if (better)
            best[fam] = at;
    }
    int64_t tmax = INT64_MIN;
    for (int f = 0; f < ASR_LOG__COUNT; f++)
        if (best[f] && best[f]->started.valid && best[f]->started.civil > tmax)
            tmax = best[f]->started.civil;
    /* When some deciding attempt ended with an exit code, the exit codes decide the outcome;
     * logs without one (validator output, MSI log of the same run) add evidence only. */
    int any_exit = 0;
    for (int f = 0; f < ASR_LOG__COUNT; f++) {
        attempt *at = best[f];
        if (!at)
            continue;
        if (at->started.valid && tmax != INT64_MIN && at->started.civil < tmax - 86400)
            continue; /* an older run than the newest one seen for this host */
        at->current = 1;
        any_exit |= at->has_exit;
    }
    h->outcome = ASR_OUTCOME_UNKNOWN;
    for (int f = 0; f < ASR_LOG__COUNT; f++) {
        attempt *at = best[f];
        if (!at || !at->current || (any_exit && !at->has_exit))
            continue;
        if (outcome_weight(at->outcome) > outcome_weight(h->outcome))
            h->outcome = at->outcome;
    }
}

/* May this attempt supply the root cause of a host whose outcome is `o`? A deciding attempt
 * that itself ended better than the host (a successful MSI log in a run whose installer
 * failed) may not; one without its own verdict (validator output) may. */
static int cause_attempt(const attempt *at, asr_outcome o)
{
    if (!at->current)
        return 0;
    return at->outcome == o || (!at->has_exit && outcome_weight(at->outcome) >= outcome_weight(o)) ||
           at->outcome == ASR_OUTCOME_UNKNOWN;
}

/* Does a hit's effect make it a root-cause candidate for this outcome? */
static int candidate(const asr_signature *sig, asr_outcome o)
{
    if (o == ASR_OUTCOME_FAILED)
        return sig->effect == ASR_EFFECT_FAILURE;
    if (o == ASR_OUTCOME_SUCCEEDED_WITH_WARNINGS)
        return sig->effect == ASR_EFFECT_FAILURE || sig->effect == ASR_EFFECT_WARNING;
    return 0;
}

/* Is (at, h) a better root cause than (bat, bh)? Higher specificity; then the host's own logs
 * over the configuration server's second-hand account; then the later run; then the earlier
 * input path and line. */
static int better_cause(const state *st, const attempt *at, const asr_hit *h,
                        const attempt *bat, const asr_hit *bh)
{
    if (!bh)
        return 1;
    int s = st->cat->sigs[h->sig].specificity, bs = st->cat->sigs[bh->sig].specificity;
    if (s != bs)
        return s > bs;
    if (at->is_push != bat->is_push)
        return !at->is_push;
    if (at->started.valid && bat->started.valid && at->started.civil != bat->started.civil)
        return at->started.civil > bat->started.civil;
    int c = strcmp(at->in->path, bat->in->path);
    if (c != 0)
        return c < 0;
    return h->line < bh->line;
}

/* ------------------------------------------------------------------------------------------ */
/* report */

static json_t *evidence_json(const asr_input *in, const asr_hit *h)
{
    return json_pack("{s:s, s:I, s:s}", "file", in->path, "line", (json_int_t)h->line, "text",
                     h->text);
}

/* Copies array member `key` of the signature JSON, or an empty array. */
static json_t *sig_array(const asr_signature *sig, const char *key)
{
    json_t *a = json_object_get(asr_sig_json(sig), key);
    return a ? json_deep_copy(a) : json_array();
}

/* The remediation object of a signature, or null. */
static json_t *sig_remediation(const asr_signature *sig)
{
    json_t *r = json_object_get(asr_sig_json(sig), "remediation");
    if (!r)
        return json_null();
    json_t *c = json_deep_copy(r);
    if (c && !json_object_get(c, "commands"))
        json_object_set_new(c, "commands", json_array());
    if (c && !json_object_get(c, "reference"))
        json_object_set_new(c, "reference", json_string(""));
    return c;
}

/*
 * shared_sig_value — the signature's "error_ids", "ep_codes" (arrays) or "remediation" as the
 * report shows them, made once per signature and report and shared by every host it is the
 * root cause of (a remediation is several hundred bytes of text). New reference, or NULL when
 * memory is short.
 */
static json_t *shared_sig_value(state *st, const asr_signature *sig, const char *key)
{
    json_t *v = asr_jshare_find(st->share, key, sig->id);
    if (v)
        return v;
    v = strcmp(key, "remediation") == 0 ? sig_remediation(sig) : sig_array(sig, key);
    return asr_jshare_keep(st->share, key, sig->id, v);
}

/* Exit code for the root cause: the hit's own field, the attempt's exit code, or the
 * signature's single listed exit code. */
static json_t *cause_exit_code(const asr_signature *sig, const asr_hit *h, const attempt *at)
{
    json_t *f = h->fields ? json_object_get(h->fields, "exit_code") : NULL;
    if (json_is_integer(f))
        return json_integer(json_integer_value(f));
    if (at && at->has_exit)
        return json_integer(at->exit_code);
    json_t *codes = json_object_get(asr_sig_json(sig), "exit_codes");
    if (json_array_size(codes) == 1)
        return json_integer(json_integer_value(json_array_get(codes, 0)));
    return json_null();
}

/* HRESULT for the root cause: the hit's field or the signature's single listed HRESULT. */
static json_t *cause_hresult(const asr_signature *sig, const asr_hit *h)
{
    json_t *f = h->fields ? json_object_get(h->fields, "hresult") : NULL;
    if (json_is_string(f))
        return json_string(json_string_value(f));
    json_t *codes = json_object_get(asr_sig_json(sig), "hresults");
    if (json_array_size(codes) == 1)
        return json_string(json_string_value(json_array_get(codes, 0)));
    return json_null();
}

/* ------------------------------------------------------------------------------------------ */
/* unclassified failures: the failure wording of hosts no specific signature explains, in
 * templates (cluster.c), ranked by how much they belong to those hosts */

/* Below this specificity a failure signature is generic (patterns/README.md: exit 1, 97, 99,
 * "Installation Status - Failed", MSI return value 3): it says that, not why, a host failed. */
#define GENERIC_SPECIFICITY 30
#define EXAMPLES_PER_TEMPLATE 3
#define TEMPLATE_LINES_IN_EVIDENCE 3

/* One failure line of a host's deciding attempts, and the template it joined. */
typedef struct occurrence {
    size_t tpl;             /* index in the clusterer */
    size_t row;             /* the host's row */
    const asr_input *in;
    const asr_hit *h;
    size_t seq;             /* order of arrival */
    size_t from_end;        /* failure lines after it in its attempt (0: the last one) */
} occurrence;

/* A template with at least one unclassified host. */
typedef struct tpl_stat {
    size_t tpl;
    char id[16];            /* "tpl-" and the first 8 hex digits of SHA-256(text) */
    char *text;
    size_t failed_hosts;    /* unclassified hosts with a line of it */
    size_t other_hosts;     /* other hosts with a line of it */
    uint64_t count;         /* its lines in unclassified hosts */
    size_t from_end;        /* least from_end of its lines in unclassified hosts */
    size_t first, n;        /* its occurrences: occ[first .. first+n) */
} tpl_stat;

typedef struct unclassified {
    asr_clusterer *cl;
    occurrence *occ;        /* sorted by template, row, arrival */
    size_t n_occ, cap_occ;
    tpl_stat *t;            /* ranked: most specific to unclassified hosts first */
    size_t n_t;
    size_t *rank_of;        /* clusterer index -> rank in t, or SIZE_MAX */
} unclassified;

static void unclassified_free(unclassified *uc)
{
    asr_cluster_free(uc->cl);
    free(uc->occ);
    for (size_t i = 0; i < uc->n_t; i++)
        free(uc->t[i].text);
    free(uc->t);
    free(uc->rank_of);
}

/* Failed, and its root cause (h->cause) is missing or only a generic failure signature? */
static int is_unclassified(const state *st, const host *h)
{
    if (h->outcome != ASR_OUTCOME_FAILED)
        return 0;
    if (!h->cause)
        return 1;
    const asr_signature *sig = &st->cat->sigs[h->cause->sig];
    return sig->effect != ASR_EFFECT_FAILURE || sig->specificity < GENERIC_SPECIFICITY;
}

/* Is line x of attempt `at` already explained by a signature (a finding or its exit line)? */
static int line_known(const attempt *at, const asr_hit *x)
{
    if (at->end_hit && at->end_hit->line == x->line)
        return 1;
    for (size_t i = 0; i < at->hits.n; i++)
        if (((const asr_hit *)at->hits.v[i])->line == x->line)
            return 1;
    return 0;
}

/* Clusters the failure lines of every host's deciding attempts, in report order. */
static asr_error collect_lines(unclassified *uc, const host_row *rows, size_t n_rows)
{
    for (size_t r = 0; r < n_rows; r++) {
        const host *h = rows[r].h;
        for (size_t i = 0; i < h->attempts.n; i++) {
            const attempt *at = h->attempts.v[i];
            if (!at->current)
                continue;
            size_t left = 0; /* unexplained failure lines of this attempt not yet added */
            for (size_t k = 0; k < at->lines.n; k++)
                left += !line_known(at, at->lines.v[k]);
            for (size_t k = 0; k < at->lines.n; k++) {
                const asr_hit *x = at->lines.v[k];
                if (line_known(at, x))
                    continue;
                left--;
                long tpl = asr_cluster_add(uc->cl, x->text);
                if (tpl < 0)
                    return ASR_ERR_NOMEM;
                if (uc->n_occ == uc->cap_occ) {
                    occurrence *p = asr_grow(uc->occ, &uc->cap_occ, sizeof *p, 256);
                    if (!p)
                        return ASR_ERR_NOMEM;
                    uc->occ = p;
                }
                uc->occ[uc->n_occ] = (occurrence){(size_t)tpl, r, at->in, x, uc->n_occ, left};
                uc->n_occ++;
            }
        }
    }
    return ASR_OK;
}

static int cmp_occurrence(const void *pa, const void *pb)
{
    const occurrence *a = pa, *b = pb;
    if (a->tpl != b->tpl)
        return a->tpl < b->tpl ? -1 : 1;
    if (a->row != b->row)
        return a->row < b->row ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Rank order: the larger share of unclassified hosts among the hosts with the template, then
 * more unclassified hosts, then the one seen closer to the end of a failed attempt (a failure
 * is mostly the last thing an installer reports before it exits), more lines, the id. */
static int cmp_tpl_stat(const void *pa, const void *pb)
{
    const tpl_stat *a = pa, *b = pb;
    size_t ta = a->failed_hosts + a->other_hosts, tb = b->failed_hosts + b->other_hosts;
    uint64_t l = (uint64_t)a->failed_hosts * tb, r = (uint64_t)b->failed_hosts * ta;
    if (l != r)
        return l > r ? -1 : 1;
    if (a->failed_hosts != b->failed_hosts)
        return a->failed_hosts > b->failed_hosts ? -1 : 1;
    if (a->from_end != b->from_end)
        return a->from_end < b->from_end ? -1 : 1;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return strcmp(a->id, b->id);
}

/* The template's stable id from its text. */
static void template_id(const char *text, char id[16])
{
    uint8_t d[ASR_SHA256_LEN];
    asr_sha256(text, strlen(text), d);
    snprintf(id, 16, "tpl-%02x%02x%02x%02x", d[0], d[1], d[2], d[3]);
}

/* Sums up every template that has a line of an unclassified host, and ranks them. */
static asr_error rank_templates(unclassified *uc, const host_row *rows)
{
    size_t n_tpl = asr_cluster_count(uc->cl);
    if (uc->n_occ > 1)
        qsort(uc->occ, uc->n_occ, sizeof *uc->occ, cmp_occurrence);
    uc->t = calloc(n_tpl + 1, sizeof *uc->t);
    uc->rank_of = malloc((n_tpl + 1) * sizeof *uc->rank_of);
    if (!uc->t || !uc->rank_of)
        return ASR_ERR_NOMEM;
    for (size_t i = 0; i < n_tpl; i++)
        uc->rank_of[i] = SIZE_MAX;
    for (size_t i = 0; i < uc->n_occ;) {
        size_t j = i;
        tpl_stat ts = {uc->occ[i].tpl, "", NULL, 0, 0, 0, SIZE_MAX, i, 0};
        for (; j < uc->n_occ && uc->occ[j].tpl == ts.tpl; j++) {
            int failed = rows[uc->occ[j].row].h->unclassified;
            int new_row = j == i || uc->occ[j - 1].row != uc->occ[j].row;
            if (failed) {
                ts.count += uc->occ[j].h->weight ? uc->occ[j].h->weight : 1;
                if (uc->occ[j].from_end < ts.from_end)
                    ts.from_end = uc->occ[j].from_end;
            }
            if (new_row)
                *(failed ? &ts.failed_hosts : &ts.other_hosts) += 1;
        }
        ts.n = j - i;
        i = j;
        if (!ts.failed_hosts)
            continue;
        if (!(ts.text = asr_cluster_template(uc->cl, ts.tpl)))
            return ASR_ERR_NOMEM;
        template_id(ts.text, ts.id);
        uc->t[uc->n_t++] = ts;
    }
    if (uc->n_t > 1)
        qsort(uc->t, uc->n_t, sizeof *uc->t, cmp_tpl_stat);
    for (size_t k = 0; k < uc->n_t; k++)
        uc->rank_of[uc->t[k].tpl] = k;
    return ASR_OK;
}

/* One occurrence as report evidence ({file, line, text}), with its host when `host` given. */
static json_t *occurrence_json(const occurrence *o, const char *host)
{
    json_t *e = json_pack("{s:s, s:I, s:s}", "file", o->in->path, "line", (json_int_t)o->h->line,
                          "text", o->h->text);
    if (e && host)
        json_object_set_new(e, "host", json_string(host));
    return e;
}

/* The report's "unclassified" array: one object per ranked template. */
static json_t *unclassified_json(const unclassified *uc, const host_row *rows)
{
    json_t *arr = json_array();
    for (size_t k = 0; k < uc->n_t && arr; k++) {
        const tpl_stat *t = &uc->t[k];
        json_t *hosts = json_array(), *examples = json_array(), *types = json_array();
        size_t prev_row = SIZE_MAX;
        for (size_t i = t->first; i < t->first + t->n; i++) {
            const occurrence *o = &uc->occ[i];
            if (!rows[o->row].h->unclassified || o->row == prev_row)
                continue;
            prev_row = o->row;
            json_array_append_new(hosts, json_string(rows[o->row].name));
            if (json_array_size(examples) < EXAMPLES_PER_TEMPLATE)
                json_array_append_new(examples, occurrence_json(o, rows[o->row].name));
            const char *lt = asr_log_type_name(o->in->log_type);
            int seen = 0;
            for (size_t m = 0; m < json_array_size(types) && !seen; m++)
                seen = strcmp(json_string_value(json_array_get(types, m)), lt) == 0;
            if (!seen)
                json_array_append_new(types, json_string(lt));
        }
        size_t all = t->failed_hosts + t->other_hosts;
        /* score: the share of the hosts with this template that are unclassified failures,
         * in percent (rounded down) */
        json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:I, s:o, s:I, s:o, s:o}", "id", t->id,
                              "template", t->text, "score",
                              (json_int_t)(t->failed_hosts * 100 / all), "count",
                              (json_int_t)t->count, "failed_hosts", (json_int_t)t->failed_hosts,
                              "hosts", hosts, "other_hosts", (json_int_t)t->other_hosts,
                              "log_types", types, "examples", examples);
        json_array_append_new(arr, o);
    }
    return arr;
}

/* The ranked templates of one unclassified host: their ranks, best first, in *out (a new
 * array the caller frees; *n its length). 0 when memory is short. */
static int host_templates(const unclassified *uc, size_t row, size_t **out, size_t *n)
{
    *n = 0;
    *out = malloc((uc->n_t + 1) * sizeof **out);
    if (!*out)
        return 0;
    for (size_t k = 0; k < uc->n_t; k++) {
        const tpl_stat *t = &uc->t[k];
        for (size_t i = t->first; i < t->first + t->n; i++)
            if (uc->occ[i].row == row) {
                (*out)[(*n)++] = k;
                break;
            }
    }
    return 1;
}

/* The first line of ranked template k in a host's row. */
static const occurrence *first_in_row(const unclassified *uc, size_t k, size_t row)
{
    const tpl_stat *t = &uc->t[k];
    for (size_t i = t->first; i < t->first + t->n; i++)
        if (uc->occ[i].row == row)
            return &uc->occ[i];
    return NULL;
}

static json_t *cause_exit_code(const asr_signature *sig, const asr_hit *h, const attempt *at);
static json_t *cause_hresult(const asr_signature *sig, const asr_hit *h);
static json_t *evidence_json(const asr_input *in, const asr_hit *h);
static json_t *sig_array(const asr_signature *sig, const char *key);

/* The remediation of an unclassified host: what to read, then how to make a signature. */
static json_t *unclassified_remediation(const asr_signature *generic, const char *top)
{
    json_t *steps = json_array(), *cmds = json_array();
    json_array_append_new(steps, json_string(
        "No signature in the catalogue names this failure. Read the evidence lines: the "
        "failure wording is grouped into templates, and the first one listed is the one most "
        "particular to failed hosts."));
    json_t *gr = generic ? json_object_get(asr_sig_json(generic), "remediation") : NULL;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(gr, "steps"), i, v)
        json_array_append(steps, v);
    json_array_foreach(json_object_get(gr, "commands"), i, v)
        json_array_append(cmds, v);
    json_array_append_new(steps, json_string(
        "Once the cause is understood, turn the template into a signature of your own and scan "
        "again with --patterns DIR, so that the next run names it."));
    if (top) {
        char cmd[160];
        snprintf(cmd, sizeof cmd, "asrlog signatures new --from-template %s --report report.json",
                 top);
        json_array_append_new(cmds, json_string(cmd));
    }
    return json_pack("{s:s, s:o, s:o, s:s}", "summary",
                     "Failed for a reason no signature knows yet; see the failure lines and their "
                     "templates.", "steps", steps, "commands", cmds, "reference", "");
}

/*
 * unclassified_cause_json — the root cause of a failed host that no specific signature
 * explains: signature "unclassified", the generic finding (exit code meaning) when there is
 * one, the host's templates in rank order, and evidence from both.
 */
static json_t *unclassified_cause_json(state *st, host *h, const attempt *bat,
                                       const asr_hit *bh, const unclassified *uc)
{
    const asr_signature *sig = bh ? &st->cat->sigs[bh->sig] : NULL;
    json_t *ev = json_array(), *ids = json_array();
    if (bh)
        json_array_append_new(ev, evidence_json(bat->in, bh));
    if (bh && bat->end_hit && bat->end_hit != bh)
        json_array_append_new(ev, evidence_json(bat->in, bat->end_hit));
    size_t *ranks = NULL, n = 0;
    if (uc && host_templates(uc, h->row, &ranks, &n)) {
        for (size_t k = 0; k < n; k++) {
            json_array_append_new(ids, json_string(uc->t[ranks[k]].id));
            const occurrence *o = k < TEMPLATE_LINES_IN_EVIDENCE
                                      ? first_in_row(uc, ranks[k], h->row) : NULL;
            if (o)
                json_array_append_new(ev, occurrence_json(o, NULL));
        }
    }
    const char *top = n ? uc->t[ranks[0]].id : NULL;
    free(ranks);
    json_t *generic = sig ? json_pack("{s:s, s:s}", "signature", sig->id, "title", sig->title)
                          : json_null();
    json_t *rc = json_object();
    json_object_set_new(rc, "signature", json_string("unclassified"));
    json_object_set_new(rc, "title",
                        json_string("Unclassified failure: no specific signature matches"));
    json_object_set_new(rc, "severity", json_string("error"));
    json_object_set_new(rc, "family", json_string("unclassified"));
    json_object_set_new(rc, "error_ids", sig ? sig_array(sig, "error_ids") : json_array());
    json_object_set_new(rc, "ep_codes", sig ? sig_array(sig, "ep_codes") : json_array());
    json_object_set_new(rc, "exit_code", sig ? cause_exit_code(sig, bh, bat) : json_null());
    json_object_set_new(rc, "hresult", sig ? cause_hresult(sig, bh) : json_null());
    json_object_set_new(rc, "fields",
                        bh && bh->fields ? json_deep_copy(bh->fields) : json_object());
    json_object_set_new(rc, "generic", generic);
    json_object_set_new(rc, "templates", ids);
    json_object_set_new(rc, "evidence", ev);
    json_object_set_new(rc, "remediation", unclassified_remediation(sig, top));
    return rc;
}

/*
 * host_cause — the root-cause hit of a host and its attempt: the best candidate of its
 * deciding attempts, else the exit-code line that made it fail. Both NULL when none.
 */
static void host_cause(const state *st, const host *h, const attempt **bat_out,
                       const asr_hit **bh_out)
{
    const attempt *bat = NULL;
    const asr_hit *bh = NULL;
    for (size_t i = 0; i < h->attempts.n; i++) {
        const attempt *at = h->attempts.v[i];
        if (!cause_attempt(at, h->outcome))
            continue;
        for (size_t k = 0; k < at->hits.n; k++) {
            const asr_hit *x = at->hits.v[k];
            if (candidate(&st->cat->sigs[x->sig], h->outcome) &&
                better_cause(st, at, x, bat, bh)) {
                bat = at;
                bh = x;
            }
        }
    }
    if (!bh) { /* only an exit code says it failed: that line is the best evidence */
        for (size_t i = 0; i < h->attempts.n && !bh; i++) {
            const attempt *at = h->attempts.v[i];
            if (at->current && at->outcome == h->outcome && at->end_hit &&
                h->outcome != ASR_OUTCOME_SUCCEEDED && h->outcome != ASR_OUTCOME_UNKNOWN) {
                bat = at;
                bh = at->end_hit;
            }
        }
    }
    *bat_out = bat;
    *bh_out = bh;
}

/* Builds the root_cause object for a host, or json null. */
static json_t *root_cause_json(state *st, host *h, const unclassified *uc)
{
    const attempt *bat = h->cause_at;
    const asr_hit *bh = h->cause;
    if (h->unclassified)
        return unclassified_cause_json(st, h, bat, bh, uc);
    if (!bh)
        return json_null();
    const asr_signature *sig = &st->cat->sigs[bh->sig];
    json_t *ev = json_array();
    json_array_append_new(ev, evidence_json(bat->in, bh));
    /* corroborating evidence: the other failure/warning hits of the deciding attempts, most
     * specific first, and the exit-code line */
    const asr_hit *used[8] = {bh};
    const asr_input *used_in[8] = {bat->in};
    size_t n_used = 1;
    for (int round = 0; round < 3; round++) {
        const attempt *cat_ = NULL;
        const asr_hit *ch = NULL;
        for (size_t i = 0; i < h->attempts.n; i++) {
            const attempt *at = h->attempts.v[i];
            if (!at->current)
                continue;
            for (size_t k = 0; k < at->hits.n; k++) {
                const asr_hit *x = at->hits.v[k];
                int seen = 0;
                for (size_t u = 0; u < n_used; u++)
                    seen |= used[u]->sig == x->sig ||
                            (used[u]->line == x->line && used_in[u] == at->in);
                if (!seen && candidate(&st->cat->sigs[x->sig], h->outcome) &&
                    better_cause(st, at, x, cat_, ch)) {
                    cat_ = at;
                    ch = x;
                }
            }
        }
        if (!ch)
            break;
        used[n_used] = ch;
        used_in[n_used++] = cat_->in;
        json_array_append_new(ev, evidence_json(cat_->in, ch));
    }
    int end_shown = 0;
    for (size_t u = 0; u < n_used && bat->end_hit; u++)
        end_shown |= used[u]->line == bat->end_hit->line && used_in[u] == bat->in;
    if (bat->end_hit && !end_shown)
        json_array_append_new(ev, evidence_json(bat->in, bat->end_hit));
    json_t *rc = json_object();
    json_object_set_new(rc, "signature", asr_jshare_str(st->share, sig->id));
    json_object_set_new(rc, "title", asr_jshare_str(st->share, sig->title));
    json_object_set_new(rc, "severity", asr_jshare_str(st->share, sig->severity));
    json_object_set_new(rc, "family", asr_jshare_str(st->share, sig->family));
    json_object_set_new(rc, "error_ids", shared_sig_value(st, sig, "error_ids"));
    json_object_set_new(rc, "ep_codes", shared_sig_value(st, sig, "ep_codes"));
    json_object_set_new(rc, "exit_code", cause_exit_code(sig, bh, bat));
    json_object_set_new(rc, "hresult", cause_hresult(sig, bh));
    json_object_set_new(rc, "fields", bh->fields ? json_deep_copy(bh->fields) : json_object());
    json_object_set_new(rc, "evidence", ev);
    json_object_set_new(rc, "remediation", shared_sig_value(st, sig, "remediation"));
    return rc;
}

/* findings: every failure/warning/success signature the host's attempts hit. */
static json_t *findings_json(state *st, host *h)
{
    typedef struct agg {
        uint32_t sig;
        uint64_t count;
        const attempt *at;
        const asr_hit *first;
        int current;
    } agg;
    agg *v = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < h->attempts.n; i++) {
        const attempt *at = h->attempts.v[i];
        for (size_t k = 0; k < at->hits.n; k++) {
            const asr_hit *x = at->hits.v[k];
            size_t j;
            for (j = 0; j < n && v[j].sig != x->sig; j++)
                ;
            if (j == n) {
                if (n == cap) {
                    agg *p = asr_grow(v, &cap, sizeof *p, 16);
                    if (!p) {
                        free(v);
                        return json_array();
                    }
                    v = p;
                }
                v[n].sig = x->sig;
                v[n].count = 0;
                v[n].at = at;
                v[n].first = x;
                v[n].current = 0;
                n++;
            }
            v[j].count += x->weight ? x->weight : 1;
            v[j].current |= at->current;
        }
    }
    /* most specific first, then by id */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0; j--) {
            const asr_signature *a = &st->cat->sigs[v[j - 1].sig], *b = &st->cat->sigs[v[j].sig];
            if (a->specificity > b->specificity ||
                (a->specificity == b->specificity && strcmp(a->id, b->id) <= 0))
                break;
            agg t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        const asr_signature *sig = &st->cat->sigs[v[i].sig];
        json_t *f = json_pack("{s:o, s:o, s:o, s:o, s:i, s:I, s:b, s:o}", "signature",
                              asr_jshare_str(st->share, sig->id), "title",
                              asr_jshare_str(st->share, sig->title), "effect",
                              asr_jshare_str(st->share, asr_effect_name(sig->effect)),
                              "severity", asr_jshare_str(st->share, sig->severity),
                              "specificity", sig->specificity,
                              "count", (json_int_t)v[i].count, "in_deciding_attempt",
                              v[i].current, "first", evidence_json(v[i].at->in, v[i].first));
        json_array_append_new(arr, f);
    }
    free(v);
    return arr;
}

/* qsort order of attempts in the report: start time when known, then input path, line. */
static int cmp_attempt(const void *pa, const void *pb)
{
    const attempt *a = *(attempt *const *)pa, *b = *(attempt *const *)pb;
    if (a->started.valid && b->started.valid && a->started.civil != b->started.civil)
        return a->started.civil < b->started.civil ? -1 : 1;
    if (a->current != b->current)
        return a->current ? 1 : -1;
    int c = strcmp(a->in->path, b->in->path);
    if (c)
        return c;
    return a->line < b->line ? -1 : a->line > b->line;
}

/* The report's "path" string of input number idx, made on first use and then shared by the
 * input's attempts and its "inputs" entry. New reference, or NULL when memory is short. */
static json_t *input_path(state *st, size_t idx)
{
    if (!st->paths[idx])
        st->paths[idx] = json_string(st->a->inputs[idx]->path);
    return json_incref(st->paths[idx]);
}

/* The "file" of an attempt: its input's shared path string (a new reference). */
static json_t *attempt_file(state *st, const attempt *at)
{
    return input_path(st, at->input_idx);
}

/* attempts: every attempt of the host in report order (sorts h->attempts). Its file, outcome
 * and log type are shared values (jshare.h). */
static json_t *attempts_json(state *st, host *h)
{
    qsort(h->attempts.v, h->attempts.n, sizeof(void *), cmp_attempt);
    json_t *arr = json_array();
    for (size_t i = 0; i < h->attempts.n; i++) {
        const attempt *at = h->attempts.v[i];
        json_t *o = json_pack("{s:o, s:I, s:o, s:o, s:o, s:b, s:o}", "file", attempt_file(st, at),
                              "line", (json_int_t)at->line, "started",
                              at->started.valid ? json_string(at->started.iso) : json_null(),
                              "outcome", asr_jshare_str(st->share, asr_outcome_name(at->outcome)),
                              "exit_code", at->has_exit ? json_integer(at->exit_code) : json_null(),
                              "deciding", at->current, "log_type",
                              asr_jshare_str(st->share, asr_log_type_name(at->in->log_type)));
        if (at->job_id)
            json_object_set_new(o, "job_id", json_string(at->job_id));
        json_array_append_new(arr, o);
    }
    return arr;
}

/* The host's OS: from the OS of its signature hits, else from its log types. */
static asr_os host_os(state *st, host *h)
{
    int win = 0, lin = 0;
    for (size_t i = 0; i < h->attempts.n; i++) {
        const attempt *at = h->attempts.v[i];
        int t = asr_log_type_os(at->in->log_type);
        win += t == 1;
        lin += t == 2;
        for (size_t k = 0; k < at->hits.n; k++) {
            asr_os os = st->cat->sigs[((const asr_hit *)at->hits.v[k])->sig].os;
            win += os == ASR_OS_WINDOWS;
            lin += os == ASR_OS_LINUX;
        }
    }
    if (win > lin)
        return ASR_OS_WINDOWS;
    if (lin > win)
        return ASR_OS_LINUX;
    return ASR_OS_ANY;
}

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The host's other names (collected by collect_aliases), sorted, as a JSON array. */
static json_t *aliases_json(host *h)
{
    if (h->aliases.n > 1) /* qsort with a NULL base (no aliases) is undefined */
        qsort(h->aliases.v, h->aliases.n, sizeof(void *), cmp_cstr);
    json_t *arr = json_array();
    for (size_t i = 0; i < h->aliases.n; i++)
        json_array_append_new(arr, json_string(h->aliases.v[i]));
    return arr;
}

static int cmp_input(const void *pa, const void *pb)
{
    const asr_input *a = *(asr_input *const *)pa, *b = *(asr_input *const *)pb;
    return strcmp(a->path, b->path);
}

/*
 * component_display — for every component root, the node whose name is shown: the best-ranked
 * name, ties by first seen. One pass over the names; returns an array indexed by root (other
 * entries unused) that the caller frees, or NULL.
 */
static size_t *component_display(state *st)
{
    size_t *best = malloc((st->ns.n + 1) * sizeof *best);
    if (!best)
        return NULL;
    for (size_t i = 0; i < st->ns.n; i++)
        best[i] = (size_t)-1;
    for (size_t i = 0; i < st->ns.n; i++) {
        size_t r = names_find(&st->ns, i);
        if (best[r] == (size_t)-1 || st->ns.v[i].rank < st->ns.v[best[r]].rank)
            best[r] = i;
    }
    return best;
}

/* Adds every name but the shown one to its host's aliases, in one pass over the names. */
static int collect_aliases(state *st, host *hosts, const size_t *host_of_root,
                           const size_t *best)
{
    for (size_t i = 0; i < st->ns.n; i++) {
        size_t r = names_find(&st->ns, i);
        if (host_of_root[r] == (size_t)-1 || best[r] == i)
            continue;
        if (!pvec_push(&hosts[host_of_root[r]].aliases, st->ns.v[i].display))
            return 0;
    }
    return 1;
}

static int cmp_host_row(const void *pa, const void *pb)
{
    const host_row *a = pa, *b = pb;
    int c = asr_strcasecmp(a->name, b->name);
    return c ? c : strcmp(a->name, b->name);
}

/*
 * inputs_json — the report's "inputs" array: one object per input, in the (sorted) order of
 * st->a->inputs, with the host name its component shows (best: see component_display). A
 * tree of many files makes this the largest part of the report, so every value that repeats
 * (status, log type, encoding, host) is shared, and so is each path with the input's
 * attempts. With `consume`, each input is freed once its entry is made (asr_analysis_finish).
 * Returns a new array (NULL when memory is short).
 */
static json_t *inputs_json(state *st, const size_t *best, int consume)
{
    asr_analysis *a = st->a;
    json_t *inputs = json_array();
    for (size_t i = 0; inputs && i < a->n_inputs; i++) {
        const asr_input *in = a->inputs[i];
        const char *hname = NULL;
        if (st->input_name[i] != (size_t)-1)
            hname = st->ns.v[best[names_find(&st->ns, st->input_name[i])]].display;
        json_t *o = json_pack("{s:o, s:o, s:o, s:o, s:o, s:I, s:I}", "path", input_path(st, i),
                              "status", asr_jshare_str(st->share, in->status), "reason",
                              in->reason ? json_string(in->reason) : json_null(), "log_type",
                              asr_jshare_str(st->share, asr_log_type_name(in->log_type)),
                              "host", asr_jshare_str(st->share, hname), "bytes",
                              (json_int_t)in->bytes_in, "lines", (json_int_t)in->lines);
        if (o && in->encoding)
            json_object_set_new(o, "encoding", asr_jshare_str(st->share, in->encoding));
        json_array_append_new(inputs, o);
        if (consume) {
            asr_input_free(a->inputs[i]);
            a->inputs[i] = NULL;
        }
    }
    return inputs;
}

/* Frees the hits of every input (their texts and fields): the hosts' part of the report,
 * which is made from them, is complete (asr_analysis_finish). */
static void release_hits(asr_analysis *a)
{
    for (size_t i = 0; i < a->n_inputs; i++) {
        asr_input *in = a->inputs[i];
        for (size_t k = 0; k < in->n_hits; k++) {
            free(in->hits[k].text);
            json_decref(in->hits[k].fields);
        }
        free(in->hits);
        free(in->counts);
        in->hits = NULL;
        in->counts = NULL;
        in->n_hits = in->cap_hits = in->n_counts = in->cap_counts = 0;
    }
}

/*
 * build_report — asr_analysis_report, and with `consume` asr_analysis_finish: the inputs'
 * hits are freed once the hosts are written and each input once its "inputs" entry is (the
 * entries come last for that reason; the document's order of members is fixed by the final
 * json_pack, so the output is the same).
 */
static asr_error build_report(asr_analysis *a, int consume, json_t **out)
{
    if (!a || !out)
        return ASR_ERR_ARG;
    state st;
    memset(&st, 0, sizeof st);
    st.cat = a->cat;
    st.a = a;
    size_t n_in = a->n_inputs;
    asr_error err = ASR_ERR_NOMEM;
    host *hosts = NULL;
    size_t n_hosts = 0, *best = NULL, *host_of_root = NULL;
    host_row *rows = NULL;
    json_t *doc = NULL;
    unclassified uc = {0};
    if (a->n_inputs > 1) /* no input leaves a->inputs NULL: qsort(NULL, …) is undefined */
        qsort(a->inputs, a->n_inputs, sizeof *a->inputs, cmp_input);
    st.input_name = calloc(a->n_inputs + 1, sizeof *st.input_name);
    st.paths = calloc(a->n_inputs + 1, sizeof *st.paths);
    st.share = asr_jshare_new();
    if (!st.input_name || !st.paths || !st.share)
        goto out;
    for (size_t i = 0; i < a->n_inputs; i++) {
        const asr_input *in = a->inputs[i];
        st.input_name[i] = (size_t)-1;
        if (strcmp(in->status, "analyzed") != 0 && in->n_hits == 0)
            continue;
        err = asr_log_type_is_multi_host(in->log_type) ? split_multi(&st, in, i)
                                                       : split_single(&st, in, i);
        if (err)
            goto out;
    }
    err = ASR_ERR_NOMEM;
    /* group attempts by host component */
    best = component_display(&st);
    host_of_root = malloc((st.ns.n + 1) * sizeof *host_of_root);
    hosts = calloc(st.ns.n + 1, sizeof *hosts);
    if (!best || !host_of_root || !hosts)
        goto out;
    for (size_t i = 0; i < st.ns.n; i++)
        host_of_root[i] = (size_t)-1;
    for (size_t i = 0; i < st.attempts.n; i++) {
        attempt *at = st.attempts.v[i];
        size_t r = names_find(&st.ns, at->name);
        if (host_of_root[r] == (size_t)-1) {
            host_of_root[r] = n_hosts;
            hosts[n_hosts].root = best[r];
            n_hosts++;
        }
        if (!pvec_push(&hosts[host_of_root[r]].attempts, at))
            goto out;
    }
    if (!collect_aliases(&st, hosts, host_of_root, best))
        goto out;
    rows = calloc(n_hosts + 1, sizeof *rows);
    if (!rows)
        goto out;
    for (size_t i = 0; i < n_hosts; i++) {
        decide_host(&st, &hosts[i]);
        hosts[i].os = host_os(&st, &hosts[i]);
        rows[i].h = &hosts[i];
        rows[i].name = st.ns.v[hosts[i].root].display;
    }
    qsort(rows, n_hosts, sizeof *rows, cmp_host_row);
    for (size_t i = 0; i < n_hosts; i++) {
        rows[i].h->row = i;
        host_cause(&st, rows[i].h, &rows[i].h->cause_at, &rows[i].h->cause);
        rows[i].h->unclassified = is_unclassified(&st, rows[i].h);
    }
    if (!(uc.cl = asr_cluster_new()) || collect_lines(&uc, rows, n_hosts) != ASR_OK ||
        rank_templates(&uc, rows) != ASR_OK)
        goto out;
    json_t *harr = json_array();
    json_int_t counts[4] = {0};
    json_t *by_cause = json_object(); /* signature -> {title, hosts} */
    for (size_t i = 0; i < n_hosts; i++) {
        host *h = rows[i].h;
        counts[h->outcome]++;
        json_t *rc = root_cause_json(&st, h, &uc);
        if (json_is_object(rc)) {
            const char *sid = json_string_value(json_object_get(rc, "signature"));
            json_t *e = json_object_get(by_cause, sid);
            if (!e) {
                e = json_pack("{s:s, s:O, s:I}", "signature", sid, "title",
                              json_object_get(rc, "title"), "hosts", (json_int_t)0);
                json_object_set_new(by_cause, sid, e);
            }
            json_object_set_new(e, "hosts",
                                json_integer(json_integer_value(json_object_get(e, "hosts")) + 1));
        }
        json_t *atts = attempts_json(&st, h); /* sorts the attempts: findings depend on it */
        json_t *fnd = findings_json(&st, h);
        json_t *ho = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "host",
                               asr_jshare_str(st.share, rows[i].name), "host_source",
                               asr_jshare_str(st.share, rank_source(st.ns.v[h->root].rank)),
                               "aliases", aliases_json(h), "os",
                               asr_jshare_str(st.share, asr_os_name(h->os)), "outcome",
                               asr_jshare_str(st.share, asr_outcome_name(h->outcome)),
                               "root_cause", rc, "findings", fnd, "attempts", atts);
        json_array_append_new(harr, ho);
    }
    /* by_root_cause: most hosts first, then signature id */
    json_t *bc = json_array();
    const char *key;
    json_t *val;
    json_object_foreach(by_cause, key, val) { json_array_append(bc, val); }
    size_t nbc = json_array_size(bc);
    for (size_t i = 1; i < nbc; i++)
        for (size_t j = i; j > 0; j--) {
            json_t *x = json_array_get(bc, j - 1), *y = json_array_get(bc, j);
            json_int_t hx = json_integer_value(json_object_get(x, "hosts"));
            json_int_t hy = json_integer_value(json_object_get(y, "hosts"));
            if (hx > hy || (hx == hy && strcmp(json_string_value(json_object_get(x, "signature")),
                                               json_string_value(json_object_get(y, "signature"))) <= 0))
                break;
            json_incref(x);
            json_array_set(bc, j - 1, y);
            json_array_set_new(bc, j, x);
        }
    json_decref(by_cause);
    json_t *unc = unclassified_json(&uc, rows); /* the last part made from the hits */
    if (consume)
        release_hits(a);
    json_t *inputs = inputs_json(&st, best, consume);
    json_t *summary = json_pack("{s:I, s:I, s:I, s:I, s:I, s:o}", "hosts", (json_int_t)n_hosts,
                                "failed", counts[ASR_OUTCOME_FAILED], "succeeded",
                                counts[ASR_OUTCOME_SUCCEEDED], "succeeded_with_warnings",
                                counts[ASR_OUTCOME_SUCCEEDED_WITH_WARNINGS], "unknown",
                                counts[ASR_OUTCOME_UNKNOWN], "by_root_cause", bc);
    doc = json_pack("{s:s, s:s, s:I, s:o, s:o, s:o, s:o}", "asrlog_version", ASRLOG_VERSION,
                    "catalog_hash", asr_catalog_hash(a->cat), "signatures",
                    (json_int_t)a->cat->n_sigs, "inputs", inputs, "summary", summary, "hosts",
                    harr, "unclassified", unc);
    err = doc ? ASR_OK : ASR_ERR_NOMEM;
out:
    for (size_t i = 0; i < n_hosts; i++) {
        pvec_free(&hosts[i].attempts);
        pvec_free(&hosts[i].aliases);
    }
    free(hosts);
    free(best);
    free(host_of_root);
    free(rows);
    unclassified_free(&uc);
    for (size_t i = 0; i < st.attempts.n; i++) {
        attempt *at = st.attempts.v[i];
        pvec_free(&at->hits);
        pvec_free(&at->lines);
        free(at->job_id);
        free(at);
    }
    pvec_free(&st.attempts);
    free(st.input_name);
    for (size_t i = 0; st.paths && i < n_in; i++)
        json_decref(st.paths[i]);
    free(st.paths);
    asr_jshare_free(st.share);
    names_free(&st.ns);
    if (consume) { /* the analysis is spent, also after a failure: only freeing is left */
        for (size_t i = 0; i < n_in; i++)
            asr_input_free(a->inputs[i]);
        a->n_inputs = 0;
    }
    if (!err)
        *out = doc;
    return err;
}

asr_error asr_analysis_report(asr_analysis *a, json_t **out)
{
    return build_report(a, 0, out);
}

asr_error asr_analysis_finish(asr_analysis *a, json_t **out)
{
    return build_report(a, 1, out);
}
