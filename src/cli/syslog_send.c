/*
 * syslog_send.c — `asrlog scan --syslog tcp://HOST:PORT` (or udp://): sends one syslog message
 * per host verdict, then one per unclassified failure template of the report (severity
 * warning), instead of writing to standard output.
 *
 * Each message is RFC 5424 — "<PRI>1 TIMESTAMP HOSTNAME asrlog PROCID - - MSG" — with the
 * rendered event (a CEF line, or an ECS JSON line) as MSG, facility user (1) and the severity
 * of the verdict (host_severity.syslog). Over TCP the messages are framed by octet counting
 * (RFC 6587 3.4.1: "LENGTH SP MESSAGE"), so a message could even hold a newline; over UDP each
 * message is one datagram (RFC 5426). Connecting and sending give up after SYSLOG_TIMEOUT_S.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "cli.h"
#include "render_common.h"

#define SYSLOG_TIMEOUT_S 10
#define SYSLOG_FACILITY 1 /* user-level messages */

/* A parsed --syslog address. */
typedef struct syslog_target {
    int udp;        /* 1 for udp://, 0 for tcp:// */
    char host[256]; /* name or address, without IPv6 brackets */
    char port[8];   /* decimal, 1–65535 */
} syslog_target;

/* Parses "tcp://HOST[:PORT]" / "udp://HOST[:PORT]" ([v6] in brackets; port 514 when left out).
 * Returns 0, or -1 with the reason in `why`. */
static int parse_target(const char *url, syslog_target *t, char *why, size_t n)
{
    const char *p;
    if (strncmp(url, "tcp://", 6) == 0 || strncmp(url, "udp://", 6) == 0) {
        t->udp = url[0] == 'u';
        p = url + 6;
    } else {
        snprintf(why, n, "expected tcp://HOST:PORT or udp://HOST:PORT");
        return -1;
    }
    const char *host = p, *end;
    if (*p == '[') {
        host = p + 1;
        end = strchr(host, ']');
        p = end ? end + 1 : NULL;
    } else {
        end = strchr(p, ':');
        end = end ? end : p + strlen(p);
        p = end;
    }
    if (!p || end == host || (size_t)(end - host) >= sizeof t->host || (*p && *p != ':')) {
        snprintf(why, n, "no valid host in the address");
        return -1;
    }
    memcpy(t->host, host, (size_t)(end - host));
    t->host[end - host] = '\0';
    const char *port = *p == ':' ? p + 1 : "514";
    char *stop;
    long v = strtol(port, &stop, 10);
    if (*port < '0' || *port > '9' || *stop || v < 1 || v > 65535) {
        snprintf(why, n, "the port must be a number from 1 to 65535");
        return -1;
    }
    snprintf(t->port, sizeof t->port, "%ld", v);
    return 0;
}

int syslog_check_url(const char *url, char *why, size_t n)
{
    syslog_target t;
    return parse_target(url, &t, why, n);
}

/* Opens a socket connected to the target (TCP connection, or UDP default peer).
 * Returns the descriptor, or -1 with the reason in `why`. */
static int open_target(const syslog_target *t, char *why, size_t n)
{
    struct addrinfo hints = {0}, *res = NULL, *ai;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = t->udp ? SOCK_DGRAM : SOCK_STREAM;
    int gai = getaddrinfo(t->host, t->port, &hints, &res);
    if (gai != 0) {
        snprintf(why, n, "cannot resolve '%s': %s", t->host, gai_strerror(gai));
        return -1;
    }
    int fd = -1, err = 0;
    struct timeval tv = {SYSLOG_TIMEOUT_S, 0};
    for (ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        /* on Linux the send timeout also bounds connect() */
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            err = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        snprintf(why, n, "cannot connect: %s", strerror(err));
    return fd;
}

/* Sends all `len` bytes (no SIGPIPE on a closed connection). Returns 0 or -1 (errno set). */
static int send_all(int fd, const char *p, size_t len)
{
    while (len) {
        ssize_t w = send(fd, p, len, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* This machine's name for the HOSTNAME field: printable ASCII without spaces, else "-". */
static void local_hostname(char *buf, size_t n)
{
    if (gethostname(buf, n) != 0)
        buf[0] = '\0';
    buf[n - 1] = '\0';
    for (char *p = buf; *p; p++)
        if (*p < 33 || *p > 126)
            *p = '_';
    if (!buf[0])
        snprintf(buf, n, "-");
}

/*
 * render_one — renders the report restricted to one host, or (`host` NULL) to one unclassified
 * failure template `tpl`, with `render` into a malloc'd buffer, without its final newline.
 * Returns the buffer (*len set), or NULL on failure.
 */
static char *render_one(json_t *report, json_t *host, json_t *tpl, syslog_renderer render,
                        size_t *len)
{
    json_t *one = json_copy(report); /* shallow: shares everything but the two arrays */
    char *buf = NULL;
    FILE *m = open_memstream(&buf, len);
    int bad = !one || !m ||
              json_object_set_new(one, "hosts", host ? json_pack("[O]", host) : json_array()) ||
              json_object_set_new(one, "unclassified", tpl ? json_pack("[O]", tpl) : json_array());
    bad = bad || render(m, one) != 0;
    if (m && fclose(m) != 0)
        bad = 1;
    json_decref(one);
    if (bad) {
        free(buf);
        return NULL;
    }
    while (*len && (buf[*len - 1] == '\n' || buf[*len - 1] == '\r'))
        buf[--*len] = '\0';
    return buf;
}

/* Frames and sends one message. Returns 0 or -1 (errno set). */
static int send_message(int fd, int udp, int severity, const char *hostname, const char *msg,
                        size_t len)
{
    char ts[40], head[512];
    format_utc_ms(now_epoch_ms(), ts, sizeof ts);
    int hl = snprintf(head, sizeof head, "<%d>1 %s %s asrlog %ld - - ",
                      SYSLOG_FACILITY * 8 + severity, ts, hostname, (long)getpid());
    if (hl < 0 || (size_t)hl >= sizeof head) {
        errno = EINVAL;
        return -1;
    }
    if (udp) { /* one datagram: header and message together */
        char *dgram = malloc((size_t)hl + len);
        if (!dgram)
            return -1;
        memcpy(dgram, head, (size_t)hl);
        memcpy(dgram + hl, msg, len);
        int rc = send_all(fd, dgram, (size_t)hl + len);
        free(dgram);
        return rc;
    }
    char frame[32];
    int fl = snprintf(frame, sizeof frame, "%zu ", (size_t)hl + len);
    return send_all(fd, frame, (size_t)fl) || send_all(fd, head, (size_t)hl) ||
                   send_all(fd, msg, len)
               ? -1
               : 0;
}

int syslog_send_report(const char *url, syslog_renderer render, json_t *report, char *why,
                       size_t n)
{
    syslog_target t;
    if (parse_target(url, &t, why, n) != 0)
        return -1;
    int fd = open_target(&t, why, n);
    if (fd < 0)
        return -1;
    char hostname[256];
    local_hostname(hostname, sizeof hostname);
    int rc = 0;
    json_t *hosts = json_object_get(report, "hosts");
    json_t *tpls = json_object_get(report, "unclassified");
    size_t n_hosts = json_array_size(hosts), total = n_hosts + json_array_size(tpls);
    /* every host, then every unclassified failure template: one message each */
    for (size_t i = 0; i < total && rc == 0; i++) {
        json_t *h = i < n_hosts ? json_array_get(hosts, i) : NULL;
        json_t *tpl = h ? NULL : json_array_get(tpls, i - n_hosts);
        size_t len = 0;
        char *msg = render_one(report, h, tpl, render, &len);
        if (!msg) {
            if (h)
                snprintf(why, n, "cannot render the event of host %zu", i + 1);
            else
                snprintf(why, n, "cannot render the event of template %zu", i - n_hosts + 1);
            rc = -1;
            break;
        }
        int severity = h ? host_severity_of(h)->syslog : template_severity()->syslog;
        int sent = send_message(fd, t.udp, severity, hostname, msg, len);
        free(msg);
        if (sent != 0) {
            snprintf(why, n, "sending failed: %s", strerror(errno));
            rc = -1;
        }
    }
    if (close(fd) != 0 && rc == 0) {
        snprintf(why, n, "closing the connection failed: %s", strerror(errno));
        rc = -1;
    }
    return rc;
}
