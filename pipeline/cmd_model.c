/* cmd_model.c - `dossier model`: inspect, run and benchmark a Hugging Face checkpoint.
 *
 *   dossier model info DIR [--tensors]
 *   dossier model generate --model DIR (--prompt TEXT | --prompt-ids "1 2 3") [--max-tokens N]
 *                          [--ids] [--chat] [--threads N] [--segment N] [--copy-weights]
 *                          [--temperature T] [--top-p P] [--top-k K] [--seed N]
 *                          [--json-schema FILE]
 *   dossier model bench --model DIR --prompt-tokens N --gen-tokens M [--batch B] [--threads N]
 *                       [--segment N] [--copy-weights] [--json-schema FILE [--tokenizer FILE]]
 *                       [--kv-l1 TOKENS [--kv-l2 TOKENS] [--kv-disk DIR]] [--backend B]
 *   dossier model quantize ... (cmd_model_quantize.c)
 *
 * argv[0] is "model", argv[1] the subcommand. A text prompt is tokenized with DIR/tokenizer.json
 * (model/tokenizer/), raw (special tokens written in it are honoured, no chat template unless
 * --chat); --prompt-ids takes ids directly. The output is decoded to text with that tokenizer
 * unless --ids asks for the ids (or there is no tokenizer). Defaults for threads and segment size
 * come from the configuration (model.threads, model.segment_tokens) when set.
 * Owns: everything it creates, freed before returning. Threading: runs on the caller's thread;
 * the model spreads its work over its own pool.
 */
#include "model/tokenizer/tokenizer.h"
#include "model/json_schema.h"
#include "model/model.h"
#include "model/sampler.h"
#include "model/scheduler.h"
#include "pipeline/cli.h"
#include "pipeline/core/alloc.h"
#include "pipeline/core/clock.h"

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
    fprintf(f, "usage: dossier model info DIR [--tensors]\n"
               "       dossier model generate --model DIR (--prompt TEXT | --prompt-ids \"1 2 3\")\n"
               "                              [--max-tokens N] [--ids] [--chat] [--threads N]\n"
               "                              [--segment N] [--copy-weights] [--output-int4]\n"
               "                              [--temperature T]\n"
               "                              [--top-p P] [--top-k K] [--seed N] [--json-schema FILE]\n"
               "                              [--backend B]\n"
               "       dossier model bench --model DIR --prompt-tokens N --gen-tokens M [--batch B]\n"
               "                           [--threads N] [--segment N] [--copy-weights] [--output-int4]\n"
               "                           [--json-schema FILE [--tokenizer FILE]]\n"
               "                           [--kv-l1 TOKENS [--kv-l2 TOKENS] [--kv-disk DIR]]\n"
               "                           [--backend B] [--repeat N]\n"
               "       dossier model quantize --model DIR --out DIR [--group-size 128]\n"
               "                              [--calib FILE | --calib-ids FILE] [--time-budget S]\n"
               "\n"
               "Inspect, run and benchmark a Hugging Face Qwen3-MoE / Qwen3 checkpoint directory\n"
               "(config.json + model.safetensors or shards with model.safetensors.index.json).\n"
               "generate decodes greedily unless --temperature > 0 (then sampled, with --top-k,\n"
               "--top-p and --seed); --json-schema constrains the answer to one JSON value fitting\n"
               "the schema (object/array/string/number/integer/boolean/null/enum subset). The prompt is tokenized with "
               "DIR/tokenizer.json as given\n"
               "(--chat wraps it in the <|im_start|>user ... <|im_start|>assistant template);\n"
               "the answer is printed as text, or with --ids as token ids, space-separated.\n"
               "bench prints prefill and decode tokens/s, peak memory and KV cache figures; with\n"
               "a cold first pass (its own line: first touch of the mapped weights), then the\n"
               "median of --repeat N warm passes (default 3), and on the CPU the bytes one decode\n"
               "step reads and decode as a percentage of the bound the streaming read rate sets;\n"
               "with --batch B > 1 it also runs B requests through the continuous-batching scheduler\n"
               "and one at a time, and prints both throughputs;\n"
               "with --json-schema FILE (and DIR/tokenizer.json or --tokenizer FILE) it also times\n"
               "constrained decoding: milliseconds per token mask against the decode step.\n"
               "--kv-l1/--kv-l2 cap the KV cache's memory tiers (tokens); pages beyond go to files\n"
               "under --kv-disk (L3); the per-tier hit rates are printed.\n"
               "--copy-weights (or model.copy_weights: 1) copies the 16-bit weights from the file\n"
               "mapping into memory on 2 MiB pages (faster decoding; the copy costs load time and RAM\n"
               "for those weights).\n"
               "--output-int4 (or model.output_int4: 1) rounds the output layer to int4 at load, on\n"
               "the CPU (group 128, to nearest; the checkpoint is not changed): a decoded token reads\n"
               "a quarter of its bytes; on a vocabulary of 151,936 that is most of a small model's.\n"
               "--backend auto|cpu|cuda picks where the model runs (default: the configuration's\n"
               "model.backend); without a usable GPU the CPU is used and the log says so.\n");
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
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

/* How a model is loaded: bits of the load_flags argument. */
enum { LOAD_COPY = 1, LOAD_OUTPUT_INT4 = 2 };

/* KV tier options of bench (tokens; disk folder). */
typedef struct tier_args {
    long l1, l2, l3;
    const char *disk;
} tier_args;

static ds_status load_model_tiers(ds_cli *cli, const char *dir, int threads, int segment, int load_flags,
                                  const char *backend, const tier_args *ta, ds_model **m, ds_err *err);

/* backend: "auto", "cpu", "cuda", or NULL for the configuration's model.backend (the CPU when
 * there is no configuration). */
static ds_status load_model(ds_cli *cli, const char *dir, int threads, int segment, int load_flags, const char *backend,
                            ds_model **m, ds_err *err)
{
    return load_model_tiers(cli, dir, threads, segment, load_flags, backend, NULL, m, err);
}

static ds_status load_model_tiers(ds_cli *cli, const char *dir, int threads, int segment, int load_flags,
                                  const char *backend, const tier_args *ta, ds_model **m, ds_err *err)
{
    ds_model_opts o;
    ds_model_opts_default(&o);
    o.backend = ds_model_backend_parse(backend ? backend : cli ? cli->cfg.model_backend : NULL);
    if (o.backend < 0)
        return ds_err_set(err, DS_ERR_USAGE, "backend %s: auto, cpu or cuda expected", backend);
    o.log = cli ? &cli->log : NULL;
    if (ta) {
        o.kv_tier_tokens[0] = ta->l1;
        o.kv_tier_tokens[1] = ta->l2;
        o.kv_tier_tokens[2] = ta->l3;
        o.kv_disk_dir = ta->disk;
    }
    o.copy_weights = (load_flags & LOAD_COPY) || (cli && cli->cfg.model_copy_weights);
    o.output_int4 = (load_flags & LOAD_OUTPUT_INT4) || (cli && cli->cfg.model_output_int4);
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

static int info_tensor(void *ud, const char *name, const char *dtype, int ndim, const int64_t *shape, int file)
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
    static const struct option lo[] = {{"tensors", no_argument, 0, 't'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
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
    printf("architecture   %s\n", c->arch == DS_MODEL_ARCH_QWEN3_MOE ? "Qwen3MoeForCausalLM" : "Qwen3ForCausalLM");
    printf("layers         %d (%d sparse MoE, %d dense MLP)\n", c->num_layers, moe_layers, c->num_layers - moe_layers);
    printf("hidden         %d\n", c->hidden_size);
    printf("attention      %d query heads, %d kv heads, head_dim %d\n", c->num_heads, c->num_kv_heads, c->head_dim);
    if (c->num_experts > 0)
        printf("experts        %d, top-%d, moe_intermediate %d, norm_topk_prob %s\n", c->num_experts,
               c->num_experts_per_tok, c->moe_intermediate_size, c->norm_topk_prob ? "true" : "false");
    if (moe_layers < c->num_layers)
        printf("dense MLP      intermediate %d\n", c->intermediate_size);
    printf("vocabulary     %d%s\n", c->vocab_size, c->tie_word_embeddings ? " (tied embeddings)" : "");
    printf("rope           theta %g", c->rope_theta);
    if (c->rope_scaling.type == DS_MODEL_ROPE_YARN)
        printf(", yarn factor %g over %d positions, attention factor %.4f", c->rope_scaling.factor,
               c->rope_scaling.original_max_position_embeddings, c->rope_scaling.attention_factor);
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
    printf("output layer   %s\n", ds_model_output_layer_desc(m));
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

/* model generate, in four steps: parse the options, prepare the prompt, run, print. */
typedef struct gen_args {
    const char *dir, *prompt, *prompt_ids, *schema_path, *backend;
    int max_new, ids, chat, threads, segment, load_flags;
    ds_sampler_params sp;
} gen_args;

/* The options into a; DS_EXIT_OK with a filled, or the exit code of a usage error (-1 after
 * --help, which has printed the help). */
static int gen_parse(int argc, char **argv, gen_args *a)
{
    static const struct option lo[] = {{"model", required_argument, 0, 'm'},
                                       {"prompt", required_argument, 0, 'p'},
                                       {"prompt-ids", required_argument, 0, 'P'},
                                       {"max-tokens", required_argument, 0, 'n'},
                                       {"ids", no_argument, 0, 'i'},
                                       {"chat", no_argument, 0, 'c'},
                                       {"copy-weights", no_argument, 0, 'C'},
                                       {"output-int4", no_argument, 0, 'Q'},
                                       {"threads", required_argument, 0, 't'},
                                       {"segment", required_argument, 0, 's'},
                                       {"temperature", required_argument, 0, 'T'},
                                       {"top-p", required_argument, 0, 'O'},
                                       {"top-k", required_argument, 0, 'K'},
                                       {"seed", required_argument, 0, 'S'},
                                       {"json-schema", required_argument, 0, 'j'},
                                       {"backend", required_argument, 0, 'B'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
    memset(a, 0, sizeof *a);
    a->max_new = 64;
    ds_sampler_params_default(&a->sp);
    int ch;
    optind = 0; /* glibc: re-initialise for this argv */
    while ((ch = getopt_long(argc, argv, "m:p:P:n:icCQt:s:T:O:K:S:j:B:h", lo, NULL)) != -1) {
        char *end;
        switch (ch) {
        case 'T':
            a->sp.temperature = strtof(optarg, &end);
            if (end == optarg || *end || !(a->sp.temperature >= 0) || a->sp.temperature > 100)
                return usage_error("--temperature takes a number from 0 (greedy) to 100");
            break;
        case 'O':
            a->sp.top_p = strtof(optarg, &end);
            if (end == optarg || *end || !(a->sp.top_p > 0) || a->sp.top_p > 1)
                return usage_error("--top-p takes a number in (0, 1]");
            break;
        case 'K':
            if (parse_int(optarg, 0, 1 << 30, &a->sp.top_k))
                return usage_error("--top-k takes a count (0: off)");
            break;
        case 'S':
            errno = 0;
            a->sp.seed = strtoull(optarg, &end, 10);
            if (errno || end == optarg || *end)
                return usage_error("--seed takes a non-negative integer");
            break;
        case 'j': a->schema_path = optarg; break;
        case 'B': a->backend = optarg; break;
        case 'm': a->dir = optarg; break;
        case 'p': a->prompt = optarg; break;
        case 'P': a->prompt_ids = optarg; break;
        case 'n':
            if (parse_int(optarg, 1, 1 << 20, &a->max_new))
                return usage_error("--max-tokens takes a positive number");
            break;
        case 'i': a->ids = 1; break;
        case 'c': a->chat = 1; break;
        case 'C': a->load_flags |= LOAD_COPY; break;
        case 'Q': a->load_flags |= LOAD_OUTPUT_INT4; break;
        case 't':
            if (parse_int(optarg, 1, 1024, &a->threads))
                return usage_error("--threads takes a positive number");
            break;
        case 's':
            if (parse_int(optarg, 1, 1 << 20, &a->segment))
                return usage_error("--segment takes a positive number");
            break;
        case 'h': print_help(stdout); return -1;
        default: return usage_error("bad option for model generate");
        }
    }
    if (!a->dir || optind != argc)
        return usage_error("model generate needs --model DIR");
    if (!a->prompt == !a->prompt_ids)
        return usage_error("model generate needs exactly one of --prompt and --prompt-ids");
    if (a->chat && !a->prompt)
        return usage_error("--chat applies to a text --prompt");
    return DS_EXIT_OK;
}

/* The prompt's token ids into out (text through the tokenizer, in the chat template with
 * --chat; or the ids given), each within the vocabulary. DS_EXIT_OK or the exit code. */
static int gen_prompt(ds_cli *cli, const gen_args *a, ds_tokenizer *tk, int vocab, ds_tokens *out)
{
    ds_err err;
    if (!a->prompt) {
        int n = 0;
        if (parse_ids(a->prompt_ids, &out->v, &n, vocab) != 0)
            return usage_error("--prompt-ids takes token ids within the vocabulary, space-separated");
        out->n = out->cap = (size_t)n;
        return DS_EXIT_OK;
    }
    ds_buf text = DS_BUF_INIT;
    ds_status st = a->chat ? ds_buf_printf(&text, "<|im_start|>user\n%s<|im_end|>\n<|im_start|>assistant\n", a->prompt)
                           : ds_buf_puts(&text, a->prompt);
    if (st == DS_OK)
        st = ds_tokenizer_encode(tk, text.data, text.len, 1, out, &err);
    else
        ds_err_set(&err, st, "out of memory");
    ds_buf_deinit(&text);
    if (st != DS_OK)
        return fail(cli, "model generate: tokenizing the prompt", &err);
    for (size_t i = 0; i < out->n; i++)
        if (out->v[i] >= vocab) {
            ds_err_set(&err, DS_ERR_TOKENIZER, "token id %d of the prompt is outside the model's vocabulary of %d",
                       out->v[i], vocab);
            return fail(cli, "model generate", &err);
        }
    return out->n == 0 ? usage_error("the prompt has no tokens") : DS_EXIT_OK;
}

/* What one generation holds; gen_done releases it all. */
typedef struct gen_run {
    ds_model *m;
    ds_tokenizer *tk;
    ds_tokens prompt;
    int32_t *out;
    int n_out, complete;
    double tp, td, tm;
    ds_model_seq *seq;
    ds_json_schema *schema;
    ds_json_vocab *jvoc;
    ds_json_matcher *matcher;
    ds_sampler *sampler;
} gen_run;

static void gen_done(gen_run *g)
{
    ds_json_matcher_free(g->matcher);
    ds_json_vocab_free(g->jvoc);
    ds_json_schema_free(g->schema);
    ds_sampler_free(g->sampler);
    ds_model_seq_free(g->seq);
    ds_tokens_deinit(&g->prompt);
    ds_free(g->out);
    ds_model_free(g->m);
    ds_tokenizer_free(g->tk);
}

/* Generates up to max_new tokens into g->out: greedy, sampled, and/or held to a JSON schema. */
static ds_status gen_generate(const gen_args *a, gen_run *g, ds_err *err)
{
    const ds_model_config *mc = ds_model_config_of(g->m);
    g->out = ds_malloc(sizeof(int32_t) * (size_t)a->max_new);
    if (!g->out)
        return ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    DS_TRY(ds_model_seq_create(g->m, &g->seq, err));
    if (a->sp.temperature <= 0 && !a->schema_path)
        return ds_model_generate_greedy(g->m, g->seq, g->prompt.v, (int)g->prompt.n, a->max_new, g->out, &g->n_out,
                                        &g->tp, &g->td, err);
    if (a->schema_path) {
        DS_TRY(ds_json_schema_load(&g->schema, a->schema_path, err));
        DS_TRY(ds_json_vocab_from_tokenizer(&g->jvoc, g->tk, mc->vocab_size, mc->eos_token_ids, mc->n_eos, err));
        DS_TRY(ds_json_matcher_create(&g->matcher, g->schema, g->jvoc, 0, err));
    }
    if (a->sp.temperature > 0)
        DS_TRY(ds_sampler_create(&g->sampler, mc->vocab_size, &a->sp, err));
    DS_TRY(ds_model_generate(g->m, g->seq, g->prompt.v, (int)g->prompt.n, a->max_new, g->sampler, g->matcher, g->out,
                             &g->n_out, &g->complete, &g->tp, &g->td, &g->tm, err));
    if (g->matcher && !g->complete)
        fprintf(stderr, "warning: --max-tokens %d reached before the JSON value was complete\n", a->max_new);
    return DS_OK;
}

/* The answer on stdout: text through the tokenizer, or ids (--ids, or no tokenizer.json). */
static int gen_print(ds_cli *cli, const gen_args *a, const gen_run *g)
{
    if (a->ids || !g->tk) {
        for (int i = 0; i < g->n_out; i++)
            printf("%s%d", i ? " " : "", g->out[i]);
        printf("\n");
        if (!a->ids)
            fprintf(stderr, "note: no tokenizer.json in %s: printing token ids\n", a->dir);
        return DS_EXIT_OK;
    }
    const ds_model_config *mc = ds_model_config_of(g->m);
    ds_buf text = DS_BUF_INIT;
    ds_err err;
    /* the end-of-sequence id that closes a JSON answer is not part of it */
    int n_text = g->n_out;
    if (g->matcher && n_text > 0)
        for (int e = 0; e < mc->n_eos; e++)
            if (g->out[n_text - 1] == mc->eos_token_ids[e]) {
                n_text--;
                break;
            }
    if (ds_tokenizer_decode(g->tk, g->out, (size_t)n_text, 1, &text, &err) != DS_OK) {
        ds_buf_deinit(&text);
        return fail(cli, "model generate: decoding the answer", &err);
    }
    fwrite(text.data ? text.data : "", 1, text.len, stdout);
    printf("\n");
    ds_buf_deinit(&text);
    return DS_EXIT_OK;
}

static int cmd_generate(ds_cli *cli, int argc, char **argv)
{
    gen_args a;
    int rc = gen_parse(argc, argv, &a);
    if (rc != DS_EXIT_OK)
        return rc < 0 ? DS_EXIT_OK : rc;
    ds_err err;
    gen_run g;
    memset(&g, 0, sizeof g);
    g.prompt = (ds_tokens)DS_TOKENS_INIT;
    char *tk_path = ds_asprintf("%s/tokenizer.json", a.dir);
    if (!tk_path) {
        ds_err_set(&err, DS_ERR_NOMEM, "out of memory");
        return fail(cli, "model generate", &err);
    }
    if (a.prompt || !a.ids || a.schema_path) {
        ds_status tst = ds_tokenizer_load(&g.tk, tk_path, &err);
        if (tst != DS_OK && (a.prompt || a.schema_path || tst != DS_ERR_NOT_FOUND)) {
            ds_free(tk_path);
            return fail(cli, "model generate: tokenizer", &err);
        }
    }
    ds_free(tk_path);
    if (load_model(cli, a.dir, a.threads, a.segment, a.load_flags, a.backend, &g.m, &err) != DS_OK)
        rc = fail(cli, a.dir, &err);
    else if ((rc = gen_prompt(cli, &a, g.tk, ds_model_config_of(g.m)->vocab_size, &g.prompt)) != DS_EXIT_OK)
        ;
    else if (gen_generate(&a, &g, &err) != DS_OK)
        rc = fail(cli, "model generate", &err);
    else if ((rc = gen_print(cli, &a, &g)) == DS_EXIT_OK)
        ds_log_write(cli ? &cli->log : NULL, DS_LOG_LEVEL_INFO, "model",
                     "generated %d tokens from a %zu-token prompt: prefill %.3f s, decode %.3f s "
                     "(json masks %.3f s)",
                     g.n_out, g.prompt.n, g.tp, g.td, g.tm);
    gen_done(&g);
    return rc;
}

/* ---- bench ----------------------------------------------------------------------------------- */

/* Times of one bench pass: prefill and decode, wall and cpu seconds. */
typedef struct bench_times {
    double tp, cp, td, cd;
} bench_times;

/* One pass from an empty context: prefill of np tokens per sequence, then ng greedy decode
 * steps; lg (batch, V) holds the last logits. */
static ds_status bench_pass(ds_model *m, ds_model_seq **seqs, ds_model_batch_item *items, int batch, const int32_t *tok,
                            int np, int ng, int32_t *next, float *lg, bench_times *bt, ds_err *err)
{
    const int V = ds_model_config_of(m)->vocab_size;
    for (int b = 0; b < batch; b++) {
        ds_model_seq_truncate(seqs[b], 0);
        items[b] = (ds_model_batch_item){seqs[b], tok + (size_t)b * np, np, DS_MODEL_LOGITS_LAST, lg + (size_t)b * V};
    }
    double w0 = ds_now_s(), c0 = cpu_s();
    ds_status st = ds_model_forward_batch(m, items, batch, err);
    bt->tp = ds_now_s() - w0;
    bt->cp = cpu_s() - c0;
    if (st != DS_OK)
        return st;
    w0 = ds_now_s();
    c0 = cpu_s();
    for (int i = 0; i < ng && st == DS_OK; i++) {
        for (int b = 0; b < batch; b++) {
            next[b] = ds_model_argmax(lg + (size_t)b * V, V);
            items[b] = (ds_model_batch_item){seqs[b], &next[b], 1, DS_MODEL_LOGITS_LAST, lg + (size_t)b * V};
        }
        st = ds_model_forward_batch(m, items, batch, err);
    }
    bt->td = ds_now_s() - w0;
    bt->cd = cpu_s() - c0;
    return st;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The median pass: each field is the median of that field over the n passes (n <= 64). */
static bench_times bench_median(const bench_times *t, int n)
{
    double v[4][64];
    for (int i = 0; i < n; i++) {
        v[0][i] = t[i].tp, v[1][i] = t[i].cp, v[2][i] = t[i].td, v[3][i] = t[i].cd;
    }
    double med[4];
    for (int f = 0; f < 4; f++) {
        qsort(v[f], (size_t)n, sizeof(double), cmp_double);
        med[f] = n % 2 ? v[f][n / 2] : 0.5 * (v[f][n / 2 - 1] + v[f][n / 2]);
    }
    return (bench_times){med[0], med[1], med[2], med[3]};
}

/* Prefill and decode lines: the cold first pass (first touch of the mapped weights included),
 * then the median of the warm passes, and decode against its memory-bandwidth bound. */
static void bench_print_times(ds_model *m, const bench_times *cold, const bench_times *warm, int reps, int batch,
                              int np, int ng)
{
    const double tokens_p = (double)np * batch, tokens_d = (double)ng * batch;
    printf("cold start     first pass: prefill %d x %d tokens %.3f s (%.1f tokens/s), decode %.2f "
           "tokens/s\n",
           batch, np, cold->tp, tokens_p / cold->tp, tokens_d / cold->td);
    printf("prefill        %d x %d tokens: %.3f s, %.1f tokens/s (cpu %.3f s; median of %d warm "
           "passes)\n",
           batch, np, warm->tp, tokens_p / warm->tp, warm->cp, reps);
    printf("decode         %d x %d tokens: %.3f s, %.2f tokens/s (cpu %.3f s; median of %d warm "
           "passes)\n",
           batch, ng, warm->td, tokens_d / warm->td, warm->cd, reps);
    if (strncmp(ds_model_backend_name(m), "cpu", 3) != 0)
        return; /* the bound below is the host's memory */
    /* bytes per decode step at the mean context of the decode steps; the batch shares the
     * weights, so a step reads them once */
    const double ctx = np + ng / 2.0;
    const double wb = (double)ds_model_decode_bytes(m, 0);
    const double kvb = (double)ds_model_decode_bytes(m, (long)ctx) - wb;
    const double step_bytes = wb + kvb * batch;
    const double gbs = ds_model_read_bandwidth(m);
    const double steps_s = ng / warm->td, bound = gbs > 0 ? gbs * 1e9 / step_bytes : 0;
    printf("bandwidth      %.1f MB read per decode step (weights %.1f MB, KV cache %.1f MB); "
           "streaming read %.1f GB/s on %d threads: bound %.1f steps/s, measured %.2f = %.0f%%\n",
           step_bytes / 1e6, wb / 1e6, kvb * batch / 1e6, gbs, ds_model_n_threads(m), bound, steps_s,
           bound > 0 ? 100.0 * steps_s / bound : 0.0);
}

/* Constrained decoding on one sequence: milliseconds per token mask (all, and the masks built
 * rather than found in the cache) against the plain decode step measured before. */
static int bench_json(ds_cli *cli, ds_model *m, const char *dir, const char *schema_path, const char *tk_file, int np,
                      int ng, double step_s)
{
    ds_err err;
    int rc = DS_EXIT_OK;
    char *path = tk_file ? ds_strdup(tk_file) : ds_asprintf("%s/tokenizer.json", dir);
    ds_tokenizer *tk = NULL;
    ds_status st = path ? ds_tokenizer_load(&tk, path, &err) : ds_err_set(&err, DS_ERR_NOMEM, "out of memory");
    ds_free(path);
    if (st != DS_OK)
        return fail(cli, "model bench: json schema needs a tokenizer (--tokenizer FILE)", &err);
    const ds_model_config *mc = ds_model_config_of(m);
    const int V = mc->vocab_size;
    ds_json_schema *schema = NULL;
    ds_json_vocab *jv = NULL;
    ds_json_matcher *jm = NULL;
    ds_sampler *smp = NULL;
    ds_model_seq *seq = NULL;
    int32_t *prompt = ds_malloc(sizeof(int32_t) * (size_t)np), *out = ds_malloc(sizeof(int32_t) * (size_t)ng);
    ds_sampler_params sp;
    ds_sampler_params_default(&sp);
    sp.temperature = 1.0f;
    sp.seed = 7;
    double t0 = ds_now_s();
    st = !prompt || !out ? ds_err_set(&err, DS_ERR_NOMEM, "out of memory")
                         : ds_json_schema_load(&schema, schema_path, &err);
    if (st == DS_OK)
        st = ds_json_vocab_from_tokenizer(&jv, tk, V, mc->eos_token_ids, mc->n_eos, &err);
    double t_vocab = ds_now_s() - t0;
    if (st == DS_OK)
        st = ds_json_matcher_create(&jm, schema, jv, 0, &err);
    if (st == DS_OK)
        st = ds_sampler_create(&smp, V, &sp, &err);
    if (st == DS_OK)
        st = ds_model_seq_create(m, &seq, &err);
    if (st != DS_OK) {
        rc = fail(cli, "model bench: json", &err);
        goto done;
    }
    uint64_t r = 1;
    for (int i = 0; i < np; i++)
        prompt[i] = (int32_t)(ds_splitmix64(&r) % (uint64_t)V);
    int n_out = 0, complete = 0;
    double tp, td, tm;
    st = ds_model_generate(m, seq, prompt, np, ng, smp, jm, out, &n_out, &complete, &tp, &td, &tm, &err);
    if (st != DS_OK) {
        rc = fail(cli, "model bench: json generate", &err);
        goto done;
    }
    ds_json_mask_stats ms;
    ds_json_matcher_stats(jm, &ms);
    uint64_t built = ms.masks - ms.cache_hits;
    printf("json schema    %s: vocabulary trie %.1f ms; %d tokens (%s), %llu masks, %.1f%% from "
           "the cache\n",
           schema_path, t_vocab * 1e3, n_out, complete ? "complete value" : "cut by --gen-tokens",
           (unsigned long long)ms.masks, ms.masks ? 100.0 * ms.cache_hits / ms.masks : 0.0);
    printf("json masks     %.3f ms per mask on average, %.3f ms per mask built (%llu trie nodes "
           "each); decode step %.2f ms: masks cost %.1f%% of a step\n",
           ms.masks ? tm * 1e3 / ms.masks : 0.0, built ? ms.build_s * 1e3 / built : 0.0,
           built ? (unsigned long long)(ms.trie_nodes_walked / built) : 0ull, step_s * 1e3,
           ms.masks && step_s > 0 ? 100.0 * (tm / ms.masks) / step_s : 0.0);
done:
    ds_model_seq_free(seq);
    ds_sampler_free(smp);
    ds_json_matcher_free(jm);
    ds_json_vocab_free(jv);
    ds_json_schema_free(schema);
    ds_tokenizer_free(tk);
    ds_free(prompt);
    ds_free(out);
    return rc;
}

/* Prints the KV cache's pages and hit rates of the run so far. */
static void bench_print_kv(ds_model *m)
{
    ds_model_kv_report kv;
    ds_model_kv_stats(m, &kv);
    printf("kv cache       %ld pages of %d tokens in use (peak %ld, %.1f KiB each); hit rates: "
           "L1 %.1f%%, L2 %.1f%%, L3 %.1f%% of %llu page pins\n",
           kv.pages_in_use, kv.page_tokens, kv.peak_pages, kv.page_bytes / 1024.0, kv.hit_rate[0] * 100,
           kv.hit_rate[1] * 100, kv.hit_rate[2] * 100, (unsigned long long)kv.pins);
    printf("kv tiers       pages L1 %ld, L2 %ld, L3 %ld; per-tier hit rates L1 %.1f%%, L2 %.1f%%, "
           "L3 %.1f%%; %llu moves down, %llu up\n",
           kv.tier_pages[0], kv.tier_pages[1], kv.tier_pages[2], kv.tier_hit_rate[0] * 100, kv.tier_hit_rate[1] * 100,
           kv.tier_hit_rate[2] * 100, kv.moves_down, kv.moves_up);
}

/* Runs batch requests of np prompt tokens (tok, batch rows) and up to ng new tokens through the
 * continuous-batching scheduler (greedy; a request also ends at an end-of-sequence id), then the
 * same requests one after the other, and prints both. */
static ds_status bench_scheduler(ds_model *m, const int32_t *tok, int batch, int np, int ng, ds_err *err)
{
    ds_status st = DS_OK;
    double tb = 0, ts = 0;
    long gen_b = 0, gen_s = 0;
    ds_sched_stats ss = {0};
    for (int mode = 0; mode < 2 && st == DS_OK; mode++) {
        ds_sched_opts so = {.token_budget = 512, .max_active = mode == 0 ? batch : 1};
        ds_sched *sch = NULL;
        double w0 = ds_now_s();
        st = ds_sched_create(&sch, m, &so, err);
        for (int b = 0; b < batch && st == DS_OK; b++) {
            int id;
            st = ds_sched_submit(sch, tok + (size_t)b * np, np, NULL, NULL, NULL, ng, &id, err);
        }
        if (st == DS_OK)
            st = ds_sched_run(sch, err);
        long gen = 0;
        for (int b = 0; b < batch && st == DS_OK; b++) {
            ds_sched_result res;
            ds_sched_result_of(sch, b, &res);
            gen += res.n_tokens;
        }
        if (mode == 0) {
            tb = ds_now_s() - w0;
            gen_b = gen;
            if (sch)
                ds_sched_stats_of(sch, &ss);
        } else {
            ts = ds_now_s() - w0;
            gen_s = gen;
        }
        ds_sched_free(sch);
    }
    if (st != DS_OK)
        return st;
    printf("scheduler      %d requests of %d + up to %d tokens, batched: %.3f s, %.2f generated "
           "tokens/s, %.1f tokens/s in all (%llu steps, up to %d sequences a step)\n",
           batch, np, ng, tb, gen_b / tb, (double)(gen_b + (long)np * batch) / tb, (unsigned long long)ss.steps,
           ss.max_batch);
    printf("one at a time  %d requests: %.3f s, %.2f generated tokens/s: batching %.2fx\n", batch, ts, gen_s / ts,
           ts > 0 && tb > 0 ? ts / tb : 0.0);
    return DS_OK;
}

static int cmd_bench(ds_cli *cli, int argc, char **argv)
{
    static const struct option lo[] = {{"model", required_argument, 0, 'm'},
                                       {"prompt-tokens", required_argument, 0, 'p'},
                                       {"gen-tokens", required_argument, 0, 'g'},
                                       {"batch", required_argument, 0, 'b'},
                                       {"copy-weights", no_argument, 0, 'C'},
                                       {"output-int4", no_argument, 0, 'Q'},
                                       {"threads", required_argument, 0, 't'},
                                       {"segment", required_argument, 0, 's'},
                                       {"json-schema", required_argument, 0, 'j'},
                                       {"tokenizer", required_argument, 0, 'k'},
                                       {"kv-l1", required_argument, 0, '1'},
                                       {"kv-l2", required_argument, 0, '2'},
                                       {"kv-disk", required_argument, 0, '3'},
                                       {"backend", required_argument, 0, 'B'},
                                       {"repeat", required_argument, 0, 'r'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
    const char *dir = NULL, *schema_path = NULL, *tk_file = NULL, *backend = NULL;
    int np = 512, ng = 32, batch = 1, threads = 0, segment = 0, load_flags = 0, reps = 3, ch;
    optind = 0; /* glibc: re-initialise for this argv */
    tier_args ta = {0, 0, 0, NULL};
    int l1 = 0, l2 = 0;
    while ((ch = getopt_long(argc, argv, "m:p:g:b:CQt:s:j:k:h1:2:3:B:r:", lo, NULL)) != -1) {
        int bad = 0;
        switch (ch) {
        case '1':
            bad = parse_int(optarg, 1, 1 << 30, &l1);
            ta.l1 = l1;
            break;
        case '2':
            bad = parse_int(optarg, 1, 1 << 30, &l2);
            ta.l2 = l2;
            break;
        case '3': ta.disk = optarg; break;
        case 'B': backend = optarg; break;
        case 'r': bad = parse_int(optarg, 1, 64, &reps); break;
        case 'j': schema_path = optarg; break;
        case 'k': tk_file = optarg; break;
        case 'm': dir = optarg; break;
        case 'p': bad = parse_int(optarg, 1, 1 << 24, &np); break;
        case 'g': bad = parse_int(optarg, 1, 1 << 20, &ng); break;
        case 'b': bad = parse_int(optarg, 1, 4096, &batch); break;
        case 'C': load_flags |= LOAD_COPY; break;
        case 'Q': load_flags |= LOAD_OUTPUT_INT4; break;
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
    ds_status st = load_model_tiers(cli, dir, threads, segment, load_flags, backend, &ta, &m, &err);
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
    uint64_t r = 2;
    for (size_t i = 0; i < (size_t)np * batch; i++)
        tok[i] = (int32_t)(ds_splitmix64(&r) % (uint64_t)V);
    for (int b = 0; b < batch; b++)
        if ((st = ds_model_seq_create(m, &seqs[b], &err)) != DS_OK) {
            rc = fail(cli, "model bench", &err);
            goto done;
        }
    bench_times cold, warm[64];
    if ((st = bench_pass(m, seqs, items, batch, tok, np, ng, next, lg, &cold, &err)) != DS_OK) {
        rc = fail(cli, "model bench: cold pass", &err);
        goto done;
    }
    for (int i = 0; i < reps; i++)
        if ((st = bench_pass(m, seqs, items, batch, tok, np, ng, next, lg, &warm[i], &err)) != DS_OK) {
            rc = fail(cli, "model bench: timed pass", &err);
            goto done;
        }
    const bench_times med = bench_median(warm, reps);
    const double td = med.td;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("model          %s (%s)\n", dir, ds_model_backend_name(m));
    printf("output layer   %s\n", ds_model_output_layer_desc(m));
    bench_print_times(m, &cold, &med, reps, batch, np, ng);
    printf("peak memory    %ld MB resident (mapped weights included)\n", ru.ru_maxrss / 1024);
    bench_print_kv(m);
    if (batch > 1 && (st = bench_scheduler(m, tok, batch, np, ng, &err)) != DS_OK) {
        rc = fail(cli, "model bench: scheduler", &err);
        goto done;
    }
    if (schema_path)
        rc = bench_json(cli, m, dir, schema_path, tk_file, np, ng, td / ng / batch);
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
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
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
