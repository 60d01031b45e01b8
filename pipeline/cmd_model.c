/* cmd_model.c - `dossier model`: inspect, run and benchmark a Hugging Face checkpoint.
 *
 *   dossier model info DIR [--tensors]
 *   dossier model generate --model DIR (--prompt TEXT | --prompt-ids "1 2 3") [--max-tokens N]
 *                          [--ids] [--chat] [--threads N] [--segment N] [--copy-weights]
 *   dossier model bench --model DIR --prompt-tokens N --gen-tokens M [--batch B] [--threads N]
 *                       [--segment N] [--copy-weights]
 *   dossier model quantize ... (cmd_model_quantize.c)
 *
 * argv[0] is "model", argv[1] the subcommand. A text prompt is tokenized with DIR/tokenizer.json
 * (extract/tokenizer.h), raw (special tokens written in it are honoured, no chat template unless
 * --chat); --prompt-ids takes ids directly. The output is decoded to text with that tokenizer
 * unless --ids asks for the ids (or there is no tokenizer). Defaults for threads and segment size
 * come from the configuration (model.threads, model.segment_tokens) when set.
 * Owns: everything it creates, freed before returning. Threading: runs on the caller's thread;
 * the model spreads its work over its own pool.
 */
#include "extract/tokenizer.h"
#include "model/model.h"
#include "pipeline/cli.h"
#include "pipeline/core/alloc.h"

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* A checkpoint or prompt that cannot be used is the caller's to fix (exit 2), like bad usage;
 * the rest follows the CLI's mapping. */
static int exit_for(ds_status st)
{
    switch (st) {
    case DS_ERR_MODEL:
    case DS_ERR_SHAPE:
    case DS_ERR_TOKENIZER:
    case DS_ERR_UNSUPPORTED:
    case DS_ERR_PARSE:
    case DS_ERR_TOO_LARGE: return DS_EXIT_USAGE;
    default: return ds_cli_exit_for(st);
    }
}

static int fail(ds_cli *cli, const char *what, const ds_err *err)
{
    ds_cli_report(cli, what, err);
    return exit_for(err->code);
}

static int usage_error(const char *msg)
{
    fprintf(stderr, "error: %s (see dossier model --help)\n", msg);
    return DS_EXIT_USAGE;
}

static void print_help(FILE *f)
{
    fprintf(f,
            "usage: dossier model info DIR [--tensors]\n"
            "       dossier model generate --model DIR (--prompt TEXT | --prompt-ids \"1 2 3\")\n"
            "                              [--max-tokens N] [--ids] [--chat] [--threads N]\n"
            "                              [--segment N] [--copy-weights] [--backend B]\n"
            "       dossier model bench --model DIR --prompt-tokens N --gen-tokens M [--batch B]\n"
            "                           [--threads N] [--segment N] [--copy-weights] [--backend B]\n"
            "       dossier model quantize --model DIR --out DIR [--group-size 128]\n"
            "                              [--calib FILE | --calib-ids FILE] [--time-budget S]\n"
            "\n"
            "Inspect, run and benchmark a Hugging Face Qwen3-MoE / Qwen3 checkpoint directory\n"
            "(config.json + model.safetensors or shards with model.safetensors.index.json).\n"
            "generate decodes greedily. The prompt is tokenized with DIR/tokenizer.json as given\n"
            "(--chat wraps it in the <|im_start|>user ... <|im_start|>assistant template);\n"
            "the answer is printed as text, or with --ids as token ids, space-separated.\n"
            "bench prints prefill and decode tokens/s, peak memory and KV cache figures.\n"
            "--copy-weights copies the weights from the file mapping into memory on 2 MiB pages\n"
            "(faster decoding; the copy costs load time and RAM for the whole model).\n"
            "--backend auto|cpu|cuda picks where the model runs (default: the configuration's\n"
            "model.backend); without a usable GPU the CPU is used and the log says so.\n");
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec * 1e-6;
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

/* backend: "auto", "cpu", "cuda", or NULL for the configuration's model.backend (the CPU when
 * there is no configuration). */
static ds_status load_model(ds_cli *cli, const char *dir, int threads, int segment, int copy,
                            const char *backend, ds_model **m, ds_err *err)
{
    ds_model_opts o;
    ds_model_opts_default(&o);
    o.copy_weights = copy;
    o.backend = ds_model_backend_parse(backend ? backend : cli ? cli->cfg.model_backend : NULL);
    if (o.backend < 0)
        return ds_err_set(err, DS_ERR_USAGE, "backend %s: auto, cpu or cuda expected", backend);
    o.log = cli ? &cli->log : NULL;
    o.n_threads = threads > 0 ? threads : cli ? cli->cfg.model_threads : 0;
    if (segment > 0)
        o.segment_tokens = segment;
    else if (cli && cli->cfg.model_segment_tokens > 0)
        o.segment_tokens = cli->cfg.model_segment_tokens;
    if (cli && cli->cfg.model_max_context > 0)
        o.max_context = cli->cfg.model_max_context;
    return ds_model_load(m, dir, &o, err);
}

/* ---- info ------------------------------------------------------------------------------------ */

typedef struct info_acc {
    int list;
    long n[8];
    const char *names[8];
    int n_names;
    long total;
} info_acc;

static int info_tensor(void *ud, const char *name, const char *dtype, int ndim,
                       const int64_t *shape, int file)
{
    info_acc *a = ud;
    a->total++;
    int i;
    for (i = 0; i < a->n_names; i++)
        if (strcmp(a->names[i], dtype) == 0)
            break;
    if (i == a->n_names && a->n_names < 8)
        a->names[a->n_names++] = dtype;
    if (i < 8)
        a->n[i]++;
    if (a->list) {
        printf("  %-64s %-5s [", name, dtype);
        for (int d = 0; d < ndim; d++)
            printf("%s%lld", d ? ", " : "", (long long)shape[d]);
        printf("]  file %d\n", file);
    }
    return 0;
}

static int cmd_info(ds_cli *cli, int argc, char **argv)
{
    static const struct option lo[] = {{"tensors", no_argument, 0, 't'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
    int list = 0, ch;
    optind = 0; /* glibc: re-initialise for this argv */
    while ((ch = getopt_long(argc, argv, "th", lo, NULL)) != -1) {
        if (ch == 't')
            list = 1;
        else if (ch == 'h') {
            print_help(stdout);
            return DS_EXIT_OK;
        } else
            return usage_error("bad option for model info");
    }
    if (optind != argc - 1)
        return usage_error("model info takes one checkpoint directory");
    const char *dir = argv[optind];
    ds_model *m = NULL;
    ds_err err;
    ds_status st = load_model(cli, dir, 1, 0, 0, "cpu", &m, &err);
    if (st != DS_OK)
        return fail(cli, dir, &err);
    const ds_model_config *c = ds_model_config_of(m);
    int moe_layers = 0;
    for (int l = 0; l < c->num_layers; l++)
        moe_layers += ds_model_config_layer_is_moe(c, l);
    printf("checkpoint     %s\n", dir);
    printf("architecture   %s\n",
           c->arch == DS_MODEL_ARCH_QWEN3_MOE ? "Qwen3MoeForCausalLM" : "Qwen3ForCausalLM");
    printf("layers         %d (%d sparse MoE, %d dense MLP)\n", c->num_layers, moe_layers,
           c->num_layers - moe_layers);
    printf("hidden         %d\n", c->hidden_size);
    printf("attention      %d query heads, %d kv heads, head_dim %d\n", c->num_heads,
           c->num_kv_heads, c->head_dim);
    if (c->num_experts > 0)
        printf("experts        %d, top-%d, moe_intermediate %d, norm_topk_prob %s\n",
               c->num_experts, c->num_experts_per_tok, c->moe_intermediate_size,
               c->norm_topk_prob ? "true" : "false");
    if (moe_layers < c->num_layers)
        printf("dense MLP      intermediate %d\n", c->intermediate_size);
    printf("vocabulary     %d%s\n", c->vocab_size, c->tie_word_embeddings ? " (tied embeddings)" : "");
    printf("rope           theta %g", c->rope_theta);
    if (c->rope_scaling.type == DS_MODEL_ROPE_YARN)
        printf(", yarn factor %g over %d positions, attention factor %.4f",
               c->rope_scaling.factor, c->rope_scaling.original_max_position_embeddings,
               c->rope_scaling.attention_factor);
    printf("\nmax positions  %d\n", c->max_position_embeddings);
    printf("rms_norm_eps   %g\n", c->rms_norm_eps);
    printf("parameters     %llu (%.2f GB in %d file%s)\n", (unsigned long long)ds_model_n_params(m),
           ds_model_weight_bytes(m) / 1e9, ds_model_n_files(m), ds_model_n_files(m) == 1 ? "" : "s");
    info_acc a = {.list = list};
    if (list)
        printf("tensors\n");
    ds_model_foreach_tensor(m, info_tensor, &a);
    printf("tensor dtypes  ");
    for (int i = 0; i < a.n_names; i++)
        printf("%s%s %ld", i ? ", " : "", a.names[i], a.n[i]);
    printf(" (%ld tensors)\n", a.total);
    printf("cpu kernels    %s\n", ds_model_isa_name(m));
    ds_model_free(m);
    return DS_EXIT_OK;
}

/* ---- generate -------------------------------------------------------------------------------- */

/* Ids from "1 2 3" into a fresh array (caller frees with ds_free, also on failure). */
static int parse_ids(const char *s, int32_t **out, int *n, int vocab)
{
    int cap = 64;
    *n = 0;
    *out = ds_malloc(sizeof(int32_t) * cap);
    if (!*out)
        return -1;
    while (*s) {
        while (*s == ' ' || *s == ',' || *s == '\t' || *s == '\n')
            s++;
        if (!*s)
            break;
        char *end;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (errno || end == s || v < 0 || v >= vocab)
            return -1;
        if (*n == cap) {
            int32_t *nv = ds_realloc(*out, sizeof(int32_t) * (cap *= 2));
            if (!nv)
                return -1;
            *out = nv;
        }
        (*out)[(*n)++] = (int32_t)v;
        s = end;
    }
    return *n > 0 ? 0 : -1;
}

static int cmd_generate(ds_cli *cli, int argc, char **argv)
{
    static const struct option lo[] = {{"model", required_argument, 0, 'm'},
                                       {"prompt", required_argument, 0, 'p'},
                                       {"prompt-ids", required_argument, 0, 'P'},
                                       {"max-tokens", required_argument, 0, 'n'},
                                       {"ids", no_argument, 0, 'i'},
                                       {"chat", no_argument, 0, 'c'},
                                       {"copy-weights", no_argument, 0, 'C'},
                                       {"threads", required_argument, 0, 't'},
                                       {"segment", required_argument, 0, 's'},
                                       {"backend", required_argument, 0, 'B'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
    const char *dir = NULL, *prompt = NULL, *prompt_ids = NULL, *backend = NULL;
    int max_new = 64, ids = 0, chat = 0, threads = 0, segment = 0, copy = 0, ch;
    optind = 0; /* glibc: re-initialise for this argv */
    while ((ch = getopt_long(argc, argv, "m:p:P:n:icCt:s:B:h", lo, NULL)) != -1) {
        switch (ch) {
        case 'B': backend = optarg; break;
        case 'm': dir = optarg; break;
        case 'p': prompt = optarg; break;
        case 'P': prompt_ids = optarg; break;
        case 'n':
            if (parse_int(optarg, 1, 1 << 20, &max_new))
                return usage_error("--max-tokens takes a positive number");
            break;
        case 'i': ids = 1; break;
        case 'c': chat = 1; break;
        case 'C': copy = 1; break;
        case 't':
            if (parse_int(optarg, 1, 1024, &threads))
                return usage_error("--threads takes a positive number");
            break;
        case 's':
            if (parse_int(optarg, 1, 1 << 20, &segment))
                return usage_error("--segment takes a positive number");
            break;
        case 'h': print_help(stdout); return DS_EXIT_OK;
        default: return usage_error("bad option for model generate");
        }
    }
    if (!dir || optind != argc)
        return usage_error("model generate needs --model DIR");
    if (!prompt == !prompt_ids)
        return usage_error("model generate needs exactly one of --prompt and --prompt-ids");
    if (chat && !prompt)
        return usage_error("--chat applies to a text --prompt");
    ds_err err;
    ds_tokenizer *tk = NULL;
    char *tk_path = ds_asprintf("%s/tokenizer.json", dir);
    if (!tk_path) {
        ds_err_set(&err, DS_ERR_NOMEM, "out of memory");
        return fail(cli, "model generate", &err);
    }
    if (prompt || !ids) {
        tk = ds_tokenizer_load(tk_path, &err);
        if (!tk && (prompt || err.code != DS_ERR_NOT_FOUND)) {
            ds_free(tk_path);
            return fail(cli, "model generate: tokenizer", &err);
        }
    }
    ds_free(tk_path);
    ds_model *m = NULL;
    ds_status st = load_model(cli, dir, threads, segment, copy, backend, &m, &err);
    if (st != DS_OK) {
        ds_tokenizer_free(tk);
        return fail(cli, dir, &err);
    }
    ds_tokens prompt_tok = DS_TOKENS_INIT;
    int32_t *out = NULL;
    int n_out = 0, rc = DS_EXIT_OK;
    ds_model_seq *seq = NULL;
    const int vocab = ds_model_config_of(m)->vocab_size;
    if (prompt) {
        ds_buf text = DS_BUF_INIT;
        if (chat)
            st = ds_buf_printf(&text, "<|im_start|>user\n%s<|im_end|>\n<|im_start|>assistant\n", prompt);
        else
            st = ds_buf_puts(&text, prompt);
        if (st == DS_OK)
            st = ds_tokenizer_encode(tk, text.data, text.len, 1, &prompt_tok, &err);
        else
            ds_err_set(&err, st, "out of memory");
        ds_buf_deinit(&text);
        if (st != DS_OK) {
            rc = fail(cli, "model generate: tokenizing the prompt", &err);
            goto done;
        }
        for (size_t i = 0; i < prompt_tok.n; i++)
            if (prompt_tok.v[i] >= vocab) {
                ds_err_set(&err, DS_ERR_TOKENIZER, "token id %d of the prompt is outside the model's vocabulary of %d",
                           prompt_tok.v[i], vocab);
                rc = fail(cli, "model generate", &err);
                goto done;
            }
        if (prompt_tok.n == 0) {
            rc = usage_error("the prompt has no tokens");
            goto done;
        }
    } else {
        int n = 0;
        if (parse_ids(prompt_ids, &prompt_tok.v, &n, vocab) != 0) {
            rc = usage_error("--prompt-ids takes token ids within the vocabulary, space-separated");
            goto done;
        }
        prompt_tok.n = prompt_tok.cap = (size_t)n;
    }
    out = ds_malloc(sizeof(int32_t) * (size_t)max_new);
    if (!out || ds_model_seq_create(m, &seq, &err) != DS_OK) {
        ds_err_set(&err, DS_ERR_NOMEM, "out of memory");
        rc = fail(cli, "model generate", &err);
        goto done;
    }
    double tp, td;
    st = ds_model_generate_greedy(m, seq, prompt_tok.v, (int)prompt_tok.n, max_new, out, &n_out, &tp,
                                  &td, &err);
    if (st != DS_OK) {
        rc = fail(cli, "model generate", &err);
        goto done;
    }
    if (ids || !tk) {
        for (int i = 0; i < n_out; i++)
            printf("%s%d", i ? " " : "", out[i]);
        printf("\n");
        if (!ids)
            fprintf(stderr, "note: no tokenizer.json in %s: printing token ids\n", dir);
    } else {
        ds_buf text = DS_BUF_INIT;
        if (ds_tokenizer_decode(tk, out, (size_t)n_out, 1, &text, &err) != DS_OK) {
            ds_buf_deinit(&text);
            rc = fail(cli, "model generate: decoding the answer", &err);
            goto done;
        }
        fwrite(text.data ? text.data : "", 1, text.len, stdout);
        printf("\n");
        ds_buf_deinit(&text);
    }
    ds_log_write(cli ? &cli->log : NULL, DS_LOG_LEVEL_INFO, "model",
                 "generated %d tokens from a %zu-token prompt: prefill %.3f s, decode %.3f s", n_out,
                 prompt_tok.n, tp, td);
done:
    ds_model_seq_free(seq);
    ds_tokens_deinit(&prompt_tok);
    ds_free(out);
    ds_model_free(m);
    ds_tokenizer_free(tk);
    return rc;
}

/* ---- bench ----------------------------------------------------------------------------------- */

static int cmd_bench(ds_cli *cli, int argc, char **argv)
{
    static const struct option lo[] = {{"model", required_argument, 0, 'm'},
                                       {"prompt-tokens", required_argument, 0, 'p'},
                                       {"gen-tokens", required_argument, 0, 'g'},
                                       {"batch", required_argument, 0, 'b'},
                                       {"copy-weights", no_argument, 0, 'C'},
                                       {"threads", required_argument, 0, 't'},
                                       {"segment", required_argument, 0, 's'},
                                       {"backend", required_argument, 0, 'B'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
    const char *dir = NULL, *backend = NULL;
    int np = 512, ng = 32, batch = 1, threads = 0, segment = 0, copy = 0, ch;
    optind = 0; /* glibc: re-initialise for this argv */
    while ((ch = getopt_long(argc, argv, "m:p:g:b:Ct:s:B:h", lo, NULL)) != -1) {
        int bad = 0;
        switch (ch) {
        case 'B': backend = optarg; break;
        case 'm': dir = optarg; break;
        case 'p': bad = parse_int(optarg, 1, 1 << 24, &np); break;
        case 'g': bad = parse_int(optarg, 1, 1 << 20, &ng); break;
        case 'b': bad = parse_int(optarg, 1, 4096, &batch); break;
        case 'C': copy = 1; break;
        case 't': bad = parse_int(optarg, 1, 1024, &threads); break;
        case 's': bad = parse_int(optarg, 1, 1 << 20, &segment); break;
        case 'h': print_help(stdout); return DS_EXIT_OK;
        default: return usage_error("bad option for model bench");
        }
        if (bad)
            return usage_error("model bench: numbers must be positive");
    }
    if (!dir || optind != argc)
        return usage_error("model bench needs --model DIR");
    ds_model *m = NULL;
    ds_err err;
    ds_status st = load_model(cli, dir, threads, segment, copy, backend, &m, &err);
    if (st != DS_OK)
        return fail(cli, dir, &err);
    const int V = ds_model_config_of(m)->vocab_size;
    ds_model_seq **seqs = ds_calloc((size_t)batch, sizeof *seqs);
    ds_model_batch_item *items = ds_calloc((size_t)batch, sizeof *items);
    int32_t *tok = ds_malloc(sizeof(int32_t) * (size_t)np * batch);
    int32_t *next = ds_malloc(sizeof(int32_t) * (size_t)batch);
    float *lg = ds_malloc(sizeof(float) * (size_t)V * batch);
    int rc = DS_EXIT_OK;
    if (!seqs || !items || !tok || !next || !lg) {
        ds_err_set(&err, DS_ERR_NOMEM, "out of memory");
        rc = fail(cli, "model bench", &err);
        goto done;
    }
    uint64_t r = 0x2545f4914f6cdd1dull;
    for (size_t i = 0; i < (size_t)np * batch; i++) {
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        tok[i] = (int32_t)(r % (uint64_t)V);
    }
    for (int b = 0; b < batch; b++) {
        if ((st = ds_model_seq_create(m, &seqs[b], &err)) != DS_OK) {
            rc = fail(cli, "model bench", &err);
            goto done;
        }
        items[b] = (ds_model_batch_item){seqs[b], tok + (size_t)b * np, np, DS_MODEL_LOGITS_LAST,
                                         lg + (size_t)b * V};
    }
    double w0 = now_s(), c0 = cpu_s();
    st = ds_model_forward_batch(m, items, batch, &err);
    double tp = now_s() - w0, cp = cpu_s() - c0;
    if (st != DS_OK) {
        rc = fail(cli, "model bench: prefill", &err);
        goto done;
    }
    w0 = now_s();
    c0 = cpu_s();
    for (int i = 0; i < ng && st == DS_OK; i++) {
        for (int b = 0; b < batch; b++) {
            next[b] = ds_model_argmax(lg + (size_t)b * V, V);
            items[b] = (ds_model_batch_item){seqs[b], &next[b], 1, DS_MODEL_LOGITS_LAST,
                                             lg + (size_t)b * V};
        }
        st = ds_model_forward_batch(m, items, batch, &err);
    }
    double td = now_s() - w0, cd = cpu_s() - c0;
    if (st != DS_OK) {
        rc = fail(cli, "model bench: decode", &err);
        goto done;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("model          %s (%s)\n", dir, ds_model_backend_name(m));
    printf("prefill        %d x %d tokens: %.3f s, %.1f tokens/s (cpu %.3f s)\n", batch, np, tp,
           (double)np * batch / tp, cp);
    printf("decode         %d x %d tokens: %.3f s, %.2f tokens/s (cpu %.3f s)\n", batch, ng, td,
           (double)ng * batch / td, cd);
    printf("peak memory    %ld MB resident (mapped weights included)\n", ru.ru_maxrss / 1024);
    ds_model_kv_report kv;
    ds_model_kv_stats(m, &kv);
    printf("kv cache       %ld pages of %d tokens in use (peak %ld, %.1f KiB each); hit rates: "
           "L1 %.1f%%, L2 %.1f%%, L3 %.1f%% of %llu page pins (one tier in this build)\n",
           kv.pages_in_use, kv.page_tokens, kv.peak_pages, kv.page_bytes / 1024.0, kv.hit_rate[0] * 100,
           kv.hit_rate[1] * 100, kv.hit_rate[2] * 100, (unsigned long long)kv.pins);
done:
    if (seqs)
        for (int b = 0; b < batch; b++)
            ds_model_seq_free(seqs[b]);
    ds_free(seqs);
    ds_free(items);
    ds_free(tok);
    ds_free(next);
    ds_free(lg);
    ds_model_free(m);
    return rc;
}

int ds_cmd_model_quantize(ds_cli *cli, int argc, char **argv); /* cmd_model_quantize.c */

int ds_cmd_model(ds_cli *cli, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        print_help(argc < 2 ? stderr : stdout);
        return argc < 2 ? DS_EXIT_USAGE : DS_EXIT_OK;
    }
    if (strcmp(argv[1], "info") == 0)
        return cmd_info(cli, argc - 1, argv + 1);
    if (strcmp(argv[1], "generate") == 0)
        return cmd_generate(cli, argc - 1, argv + 1);
    if (strcmp(argv[1], "bench") == 0)
        return cmd_bench(cli, argc - 1, argv + 1);
    if (strcmp(argv[1], "quantize") == 0)
        return ds_cmd_model_quantize(cli, argc - 1, argv + 1);
    fprintf(stderr, "error: unknown model subcommand %s\n", argv[1]);
    print_help(stderr);
    return DS_EXIT_USAGE;
}
