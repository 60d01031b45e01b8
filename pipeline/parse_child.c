/* parse_child.c - a parse in a child process under resource limits (see parse_child.h).
 *
 * The child writes: its status (8 bytes), its message (8-byte length, bytes), then the document
 * (doc_wire.h), and leaves with _exit(0). The parent reads until end of file, waking every
 * 200 ms to check the stop flag and the deadline, then reaps the child and reads its fate. */
#include "pipeline/parse_child.h"

#include "ingest/doc_wire.h"
#include "pipeline/core/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

/* Address space of this process now, in bytes (VmSize), 0 when unknown. */
static unsigned long long address_space_now(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return 0;
    char line[256];
    unsigned long long kb = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmSize: %llu kB", &kb) == 1)
            break;
    fclose(f);
    return kb * 1024ULL;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void discard_glib_log(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer user)
{
    (void)domain, (void)level, (void)message, (void)user;
}

static void put_u64(unsigned char x[8], uint64_t v)
{
    for (int i = 0; i < 8; i++)
        x[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_u64(const unsigned char *x)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)x[i] << (8 * i);
    return v;
}

/* The child: limits, parse, answer, _exit. Never returns. */
static void child_main(int fd, ds_document *doc, const unsigned char *data, size_t n, const ds_ingest_limits *lim,
                       const ds_parse_limits *pl, unsigned long long inherited)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    g_log_set_default_handler(discard_glib_log, NULL); /* the parent's log and its lock stay the parent's */
    if (pl->cpu_seconds > 0) {
        struct rlimit r = {(rlim_t)pl->cpu_seconds, (rlim_t)pl->cpu_seconds + 2};
        setrlimit(RLIMIT_CPU, &r);
    }
    if (pl->memory_mb > 0 && inherited > 0) {
        rlim_t as = (rlim_t)inherited + (rlim_t)pl->memory_mb * 1024 * 1024;
        struct rlimit r = {as, as};
        setrlimit(RLIMIT_AS, &r);
    }
    ds_err e;
    ds_err_clear(&e);
    ds_status st = ds_ingest_parse(doc, data, n, lim, &e);
    size_t ml = st == DS_OK ? 0 : strlen(e.msg);
    unsigned char head[16];
    put_u64(head, (uint64_t)st);
    put_u64(head + 8, ml);
    ds_buf body = DS_BUF_INIT;
    ds_err werr;
    int ok = write_all(fd, (const char *)head, sizeof head) == 0 && write_all(fd, e.msg, ml) == 0;
    if (ok && ds_doc_wire_encode(doc, &body, &werr) == DS_OK)
        ok = write_all(fd, body.data, body.len) == 0;
    _exit(ok ? 0 : 3);
}

/* Reads the child's answer into in until end of file; kills the child on a stop or past the
 * deadline and says which through *killed ('s' stop, 'd' deadline, 0 none). */
static ds_status read_answer(int fd, pid_t pid, const ds_parse_limits *pl, ds_buf *in, int *killed, ds_err *err)
{
    char chunk[65536];
    *killed = 0;
    for (;;) {
        if (!*killed && pl->stop && pl->stop())
            *killed = 's';
        else if (!*killed && pl->deadline > 0 && ds_now_s() > pl->deadline)
            *killed = 'd';
        if (*killed == 's' || *killed == 'd') {
            kill(pid, SIGKILL);
            *killed |= 0x100; /* sent */
        }
        struct pollfd p = {fd, POLLIN, 0};
        int r = poll(&p, 1, 200);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return ds_err_set(err, DS_ERR_IO, "waiting for the parse process: %s", strerror(errno));
        if (r == 0)
            continue;
        ssize_t got = read(fd, chunk, sizeof chunk);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return ds_err_set(err, DS_ERR_IO, "reading from the parse process: %s", strerror(errno));
        if (got == 0)
            break;
        if (!*killed && ds_buf_append(in, chunk, (size_t)got) != DS_OK) {
            kill(pid, SIGKILL);
            return ds_err_set(err, DS_ERR_NOMEM, "out of memory reading the parsed document");
        }
    }
    *killed &= 0xff;
    return DS_OK;
}

/* What a child that died of signal sig, or was killed by us, means for the document. */
static ds_status fate(const ds_document *doc, int killed, int sig, const struct rusage *ru, const ds_parse_limits *pl,
                      ds_err *err)
{
    const char *name = doc->name ? doc->name : "document";
    double cpu = (double)ru->ru_utime.tv_sec + (double)ru->ru_stime.tv_sec;
    if (killed == 's')
        return ds_err_set(err, DS_ERR_CANCELLED, "%s: parse interrupted by a stop signal", name);
    if (killed == 'd')
        return ds_err_set(err, DS_ERR_BUDGET, "%s: took longer than run.document_seconds while parsing", name);
    if (sig == SIGXCPU || (sig == SIGKILL && pl->cpu_seconds > 0 && cpu >= pl->cpu_seconds))
        return ds_err_set(err, DS_ERR_BUDGET, "%s: parsing used more than ingest.parse_cpu_seconds (%d s of CPU)", name,
                          pl->cpu_seconds);
    if ((sig == SIGABRT || sig == SIGKILL) && pl->memory_mb > 0)
        return ds_err_set(err, DS_ERR_TOO_LARGE,
                          "%s: the parser stopped (signal %d, %s), most likely needing more than "
                          "ingest.parse_memory_mb (%ld MiB): a decompression bomb or an oversized document",
                          name, sig, strsignal(sig), pl->memory_mb);
    return ds_err_set(err, DS_ERR_DAMAGED, "%s: the parser crashed (signal %d, %s) on this document", name, sig,
                      strsignal(sig));
}

/* The answer of a child that exited: its status, message and document. */
static ds_status take_answer(ds_document *doc, const ds_buf *in, ds_err *err)
{
    const unsigned char *p = (const unsigned char *)in->data;
    if (in->len < 16 || get_u64(p + 8) > in->len - 16)
        return ds_err_set(err, DS_ERR_INTERNAL, "%s: the parse process gave no complete answer",
                          doc->name ? doc->name : "document");
    uint64_t st = get_u64(p), ml = get_u64(p + 8);
    ds_err derr;
    ds_document *got;
    DS_TRY(ds_document_create(&got, err));
    ds_status dst = ds_doc_wire_decode(got, p + 16 + ml, in->len - 16 - ml, &derr);
    if (dst == DS_OK)
        doc->kind = got->kind;
    if (st != DS_OK) {
        ds_document_free(got);
        ds_err_set(err, (ds_status)st, "%.*s", (int)(ml < sizeof err->msg ? ml : sizeof err->msg - 1),
                   (const char *)p + 16);
        return (ds_status)st;
    }
    if (dst != DS_OK) {
        ds_document_free(got);
        return ds_err_set(err, DS_ERR_INTERNAL, "%s: %s", doc->name ? doc->name : "document", derr.msg);
    }
    /* The parsed document (with its own copies of source and name) replaces the fresh one. */
    ds_document tmp = *doc;
    *doc = *got;
    *got = tmp;
    ds_document_free(got);
    return DS_OK;
}

ds_status ds_parse_in_child(ds_document *doc, const unsigned char *data, size_t n, const ds_ingest_limits *lim,
                            const ds_parse_limits *pl, ds_err *err)
{
    unsigned long long inherited = pl->memory_mb > 0 ? address_space_now() : 0;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return ds_err_set(err, DS_ERR_IO, "pipe for the parse process: %s", strerror(errno));
    fflush(NULL); /* nothing buffered is written twice */
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return ds_err_set(err, DS_ERR_IO, "fork for the parse process: %s", strerror(errno));
    }
    if (pid == 0) {
        close(fds[0]);
        child_main(fds[1], doc, data, n, lim, pl, inherited);
    }
    close(fds[1]);
    ds_buf in = DS_BUF_INIT;
    int killed = 0;
    ds_status st = read_answer(fds[0], pid, pl, &in, &killed, err);
    close(fds[0]);
    if (st != DS_OK)
        kill(pid, SIGKILL);
    int ws = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    while (wait4(pid, &ws, 0, &ru) < 0 && errno == EINTR) {
    }
    if (st == DS_OK && (killed || WIFSIGNALED(ws)))
        st = fate(doc, killed, WIFSIGNALED(ws) ? WTERMSIG(ws) : 0, &ru, pl, err);
    else if (st == DS_OK && WIFEXITED(ws) && WEXITSTATUS(ws) != 0)
        st = ds_err_set(err, DS_ERR_TOO_LARGE,
                        "%s: the parse process could not hand back its result (exit %d): out of its memory "
                        "(ingest.parse_memory_mb)",
                        doc->name ? doc->name : "document", WEXITSTATUS(ws));
    else if (st == DS_OK)
        st = take_answer(doc, &in, err);
    ds_buf_deinit(&in);
    return st;
}
