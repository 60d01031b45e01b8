/* bench_a3b.c - the production shape on the CPU: a random checkpoint with Qwen3-30B-A3B's
 * configuration (48 layers, 128 experts top-8, hidden 2048, expert inner 768, 32/4 heads of
 * 128, vocab 151936) in AutoAWQ int4 (group 128; about 16 GB), written by tiny_write_awq
 * (streamed, one tensor at a time), loaded (repacked into the decode layout, the AutoAWQ pages
 * dropped as it goes; the 16-bit weights copied onto 2 MiB pages, as bench_model does) and timed: a cold first pass, then the median of N warm passes of a
 * prefill and greedy decode steps; decode against its bound (the streaming read rate measured
 * in the same run / the bytes one decoded token reads), peak memory; then again with the
 * output layer rounded to int4 at load. From those figures it states what a 70K-token document
 * would take. Skipped (exit 0, with the reason) where disk or memory is short.
 *   bench_a3b [--dir DIR] [--threads T] [--prompt-tokens N] [--gen-tokens M] [--reps N] [--keep]
 * DIR defaults to $DS_BINARY_DIR/bench-a3b-awq; it is removed afterwards unless --keep (a
 * checkpoint already there is reused). Never fails on a timing.
 */
#include "kernels/kernels.h"
#include "model/model.h"
#include "tests/bench/model_pass.h"
#include "tests/model/tiny_moe.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define GROUP 128
#define DOC_TOKENS 70000.0
#define ANSWER_TOKENS 512.0

typedef struct opts {
    const char *dir;
    int threads, np, ng, reps, keep;
} opts;

/* Bytes of the checkpoint tiny_write_awq writes for s (int4 linears, bf16 the rest). */
static double ckpt_bytes(const tiny_spec *s)
{
    const double H = s->hidden, D = s->head_dim, L = s->layers, E = s->experts, F = s->moe_intermediate;
    const double per_w = 0.5 + 2.5 / GROUP; /* nibble, then zero and fp16 scale per group */
    const double lin = L * (H * D * (2.0 * s->heads + 2.0 * s->kv_heads) + 3.0 * E * F * H);
    return lin * per_w + 2.0 * (2.0 * s->vocab * H + L * E * H);
}

static long mem_available_mb(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "MemAvailable: %ld kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb / 1024;
}

/* 0 when the checkpoint can be written and loaded here; else prints why not. */
static int room_for(const char *dir, const tiny_spec *s, int have_ckpt)
{
    const double need = ckpt_bytes(s);
    struct statvfs v;
    char parent[4096];
    snprintf(parent, sizeof parent, "%s", dir);
    char *slash = strrchr(parent, '/');
    if (slash)
        *slash = 0;
    if (!have_ckpt && statvfs(slash ? parent : ".", &v) == 0 && (double)v.f_bavail * v.f_frsize < need + (1 << 30)) {
        printf("skipped: the checkpoint needs %.1f GB of disk, %.1f GB are free under %s\n", need / 1e9,
               (double)v.f_bavail * v.f_frsize / 1e9, slash ? parent : ".");
        return -1;
    }
    /* in memory: the repacked int4 weights, the 16-bit embeddings and output layer, scratch */
    const long avail = mem_available_mb();
    if (avail >= 0 && avail < need / 1e6 + 2048) {
        printf("skipped: the model needs about %.1f GB of memory, %.1f GB are available\n", need / 1e9 + 2,
               avail / 1e3);
        return -1;
    }
    return 0;
}

typedef struct run_fig {
    double load_s, cold_pf, cold_dc, prefill, decode, gflops, bytes, bound, gbs;
    double mm_macs, att_macs; /* per token: matmuls; attention per position of context */
    double kv_bytes;          /* KV cache bytes a decoded token reads per position of context */
    long rss_mb;
} run_fig;

/* Loads dir (output layer in int4 when o4), times the passes, fills r. */
static int run_model(const opts *o, int o4, run_fig *r)
{
    ds_model_opts mo;
    ds_model_opts_default(&mo);
    mo.n_threads = o->threads;
    mo.segment_tokens = o->np < 512 ? o->np : 512;
    mo.output_int4 = o4;
    mo.copy_weights = 1; /* the 16-bit weights (embeddings, output layer, routers) on 2 MiB pages */
    ds_model *m = NULL;
    ds_model_seq *sq = NULL;
    ds_err err;
    double t0 = bp_now();
    if (ds_model_load(&m, o->dir, &mo, &err) != DS_OK || ds_model_seq_create(m, &sq, &err) != DS_OK) {
        fprintf(stderr, "bench_a3b: %s\n", err.msg);
        ds_model_free(m);
        return -1;
    }
    r->load_s = bp_now() - t0;
    const ds_model_config *c = ds_model_config_of(m);
    int32_t *tok = malloc(sizeof(int32_t) * (size_t)o->np);
    float *lg = malloc(sizeof(float) * (size_t)c->vocab_size);
    for (int i = 0; i < o->np; i++)
        tok[i] = (int32_t)(((uint64_t)i * 7919u + 13) % (uint64_t)c->vocab_size);
    double tp, td, cpu, tps[64], tds[64], bw[64];
    int rc = bp_one_pass(m, sq, tok, o->np, o->ng, lg, &tp, &td, &cpu);
    r->cold_pf = o->np / tp;
    r->cold_dc = o->ng / td;
    for (int i = 0; i < o->reps && rc == 0; i++) {
        bw[i] = ds_model_read_bandwidth(m); /* best of 3 reads of 512 MiB */
        rc = bp_one_pass(m, sq, tok, o->np, o->ng, lg, &tps[i], &tds[i], &cpu);
    }
    if (rc == 0) {
        r->prefill = o->np / bp_median(tps, o->reps);
        r->decode = o->ng / bp_median(tds, o->reps);
        r->gflops = 2.0 * bp_macs_per_token(c, (o->np + 1) / 2.0) * r->prefill / 1e9;
        r->bytes = (double)ds_model_decode_bytes(m, o->np + o->ng / 2);
        r->gbs = bp_median(bw, o->reps);
        r->bound = r->gbs * 1e9 / r->bytes;
        r->rss_mb = bp_peak_rss_mb();
        r->mm_macs = bp_macs_per_token(c, 0);
        r->att_macs = bp_macs_per_token(c, 1) - r->mm_macs;
        r->kv_bytes = (double)(ds_model_decode_bytes(m, 1001) - ds_model_decode_bytes(m, 1000));
    }
    free(tok);
    free(lg);
    ds_model_seq_free(sq);
    ds_model_free(m);
    return rc;
}

static void print_row(const char *label, const run_fig *r)
{
    printf("%-14s %7.1f %9.1f %9.2f %11.1f %9.1f %11.2f %9.1f %9.1f %5.0f%% %8ld\n", label, r->load_s, r->cold_pf,
           r->cold_dc, r->prefill, r->gflops, r->decode, r->bytes / 1e6, r->bound, 100.0 * r->decode / r->bound,
           r->rss_mb);
}

/* What a DOC_TOKENS document would take at the measured rates, stated with its assumptions. */
static void print_document(const tiny_spec *s, const run_fig *r, const opts *o)
{
    const double mm = 2.0 * r->mm_macs * DOC_TOKENS;
    const double att = 2.0 * r->att_macs * (DOC_TOKENS / 2) * DOC_TOKENS; /* causal: mean context T/2 */
    const double secs = (mm + att) / (r->gflops * 1e9);
    const double kv_gb = r->kv_bytes * DOC_TOKENS / 1e9;
    const double dec_bytes = r->bytes + r->kv_bytes * (DOC_TOKENS - (o->np + o->ng / 2));
    const double dec_rate = r->decode / r->bound * (r->gbs * 1e9 / dec_bytes);
    printf("\na %.0fK-token document on this machine, from the figures above (int4, 16-bit output layer):\n",
           DOC_TOKENS / 1e3);
    printf("  prefill: %.0f GFLOP of matmuls + %.0f of attention; at the %.1f GFLOP/s measured at %d tokens\n"
           "  (attention assumed to run at the matmul rate; it is %.0f%% of the work at this length): %.0f s "
           "(%.1f h)\n",
           mm / 1e9, att / 1e9, r->gflops, o->np, 100.0 * att / (mm + att), secs, secs / 3600);
    printf("  decode of %.0f answer tokens: %.2f GB read per token with the KV cache at %.0fK positions, at the\n"
           "  measured share of the bound: %.2f tokens/s, %.0f s\n",
           ANSWER_TOKENS, dec_bytes / 1e9, DOC_TOKENS / 1e3, dec_rate, ANSWER_TOKENS / dec_rate);
    const double weights_gb = ckpt_bytes(s) / 1e9;
    printf("  memory: the KV cache of %.0fK positions is %.1f GB (fp32) beside %.1f GB of weights: %s\n",
           DOC_TOKENS / 1e3, kv_gb, weights_gb,
           kv_gb + weights_gb + 2 > mem_available_mb() / 1e3
               ? "more than this machine has; the pages beyond memory go to the disk tier (model.kv_disk_dir / "
                 "--kv-disk)"
               : "it fits in memory");
}

static int parse(int argc, char **argv, opts *o, char *dir_buf, size_t cap)
{
    static const struct option lo[] = {{"dir", required_argument, 0, 'd'},
                                       {"threads", required_argument, 0, 't'},
                                       {"prompt-tokens", required_argument, 0, 'p'},
                                       {"gen-tokens", required_argument, 0, 'g'},
                                       {"reps", required_argument, 0, 'r'},
                                       {"keep", no_argument, 0, 'k'},
                                       {0, 0, 0, 0}};
    *o = (opts){NULL, 2, 512, 32, 3, 0};
    int ch;
    while ((ch = getopt_long(argc, argv, "d:t:p:g:r:k", lo, NULL)) != -1) {
        switch (ch) {
        case 'd': o->dir = optarg; break;
        case 't': o->threads = atoi(optarg); break;
        case 'p': o->np = atoi(optarg); break;
        case 'g': o->ng = atoi(optarg); break;
        case 'r': o->reps = atoi(optarg); break;
        case 'k': o->keep = 1; break;
        default:
            printf("usage: bench_a3b [--dir DIR] [--threads T] [--prompt-tokens N] [--gen-tokens M] [--reps N] "
                   "[--keep]\n");
            return -1;
        }
    }
    if (o->threads < 1 || o->threads > 64 || o->np < 1 || o->ng < 1 || o->reps < 1 || o->reps > 64)
        return -1;
    if (!o->dir) {
        const char *bin = getenv("DS_BINARY_DIR");
        snprintf(dir_buf, cap, "%s/bench-a3b-awq", bin ? bin : ".");
        o->dir = dir_buf;
    }
    return 0;
}

int main(int argc, char **argv)
{
    opts o;
    char dir_buf[4096];
    if (parse(argc, argv, &o, dir_buf, sizeof dir_buf) != 0)
        return 2;
    tiny_spec s;
    tiny_spec_a3b(&s);
    char cfg[4200];
    snprintf(cfg, sizeof cfg, "%s/config.json", o.dir);
    struct stat st;
    const int have = stat(cfg, &st) == 0;
    printf("Qwen3-30B-A3B shape in int4 (random weights, AutoAWQ group %d): %s\n", GROUP, o.dir);
    printf("cpu: %s kernels, %ld online cores; threads: %d\n", ds_k_isa_name(ds_k_isa_best()),
           sysconf(_SC_NPROCESSORS_ONLN), o.threads);
    if (room_for(o.dir, &s, have) != 0)
        return 0;
    if (!have) {
        const double t0 = bp_now();
        if (tiny_write_awq(o.dir, &s, GROUP) != 0)
            return 1;
        printf("written: %.1f GB in %.0f s\n", ckpt_bytes(&s) / 1e9, bp_now() - t0);
    }
    printf("\nprefill of %d tokens, then %d greedy decode steps: a cold first pass, then the median of %d "
           "warm\npasses, each after a streaming read on the model's threads; bound = that rate / bytes per "
           "decoded\ntoken; load includes the repacking; peak resident memory of the process so far\n",
           o.np, o.ng, o.reps);
    printf("%-14s %7s %9s %9s %11s %9s %11s %9s %9s %6s %8s\n", "output layer", "load s", "cold pf/s", "cold dc/s",
           "prefill t/s", "GFLOP/s", "decode t/s", "MB/token", "bound t/s", "bound", "peak MB");
    run_fig r16, r4;
    int rc = run_model(&o, 0, &r16);
    if (rc == 0)
        print_row("16-bit", &r16);
    if (rc == 0 && (rc = run_model(&o, 1, &r4)) == 0) {
        print_row("int4", &r4);
        printf("streaming read: %.1f GB/s (median); decode with the int4 output layer %.2fx the 16-bit one's\n",
               r16.gbs, r4.decode / r16.decode);
        print_document(&s, &r16, &o);
    }
    if (!o.keep) {
        char cmd[4300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", o.dir);
        if (system(cmd) != 0)
            fprintf(stderr, "bench_a3b: could not remove %s\n", o.dir);
    }
    return rc == 0 ? 0 : 1;
}
