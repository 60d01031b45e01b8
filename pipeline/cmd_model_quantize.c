/* cmd_model_quantize.c - `dossier model quantize`: writes an AutoAWQ-format int4 checkpoint
 * from a float (bf16) one (model/awq.h, ds_awq_quantize).
 *
 *   dossier model quantize --model DIR --out DIR [--group-size 128]
 *                          [--calib FILE | --calib-ids FILE] [--time-budget S] [--threads N]
 *
 * --calib FILE is text, tokenized with DIR/tokenizer.json; --calib-ids FILE holds token ids
 * separated by spaces or newlines. Without calibration the weights are rounded to nearest. The
 * output says plainly which method was used. argv[0] is "quantize".
 * Owns: everything it creates. Threading: the caller's thread plus the model's pool.
 */
#include "model/tokenizer/tokenizer.h"
#include "model/awq.h"
#include "pipeline/cli.h"
#include "pipeline/core/alloc.h"
#include "pipeline/core/buf.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ds_cmd_model_quantize(ds_cli *cli, int argc, char **argv);

static int usage(const char *msg)
{
    fprintf(stderr, "error: %s (see dossier model quantize --help)\n", msg);
    return DS_EXIT_USAGE;
}

static void help(FILE *f)
{
    fprintf(f, "usage: dossier model quantize --model DIR --out DIR [--group-size 128]\n"
               "                              [--calib FILE | --calib-ids FILE] [--time-budget S]\n"
               "                              [--threads N]\n"
               "\n"
               "Writes an int4 checkpoint in the AutoAWQ format (qweight/qzeros/scales, version gemm,\n"
               "zero point) from a float checkpoint. With calibration text (--calib, tokenized with\n"
               "DIR/tokenizer.json, or --calib-ids) the model runs on it and activation-aware scales\n"
               "are searched per layer (AWQ) as far as the time budget (default 600 s) allows; without\n"
               "it, or for what does not fit, the weights are rounded to nearest. The output says which.\n");
}

static ds_status read_ids(const char *path, ds_tokens *out, ds_err *err)
{
    ds_buf b = DS_BUF_INIT;
    ds_status st = ds_buf_read_file(&b, path, 256u << 20, err);
    const char *s = b.data ? b.data : "";
    while (st == DS_OK && *s) {
        while (*s == ' ' || *s == '\n' || *s == '\t' || *s == ',' || *s == '\r')
            s++;
        if (!*s)
            break;
        char *end;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (errno || end == s || v < 0 || v > 0x7fffffff) {
            st = ds_err_set(err, DS_ERR_PARSE, "%s: byte %ld: not a token id", path, (long)(s - b.data));
            break;
        }
        if ((st = ds_tokens_reserve(out, 1)) != DS_OK) {
            ds_err_set(err, st, "out of memory");
            break;
        }
        out->v[out->n++] = (int32_t)v;
        s = end;
    }
    ds_buf_deinit(&b);
    return st;
}

int ds_cmd_model_quantize(ds_cli *cli, int argc, char **argv)
{
    static const struct option lo[] = {{"model", required_argument, 0, 'm'},
                                       {"out", required_argument, 0, 'o'},
                                       {"group-size", required_argument, 0, 'g'},
                                       {"calib", required_argument, 0, 'c'},
                                       {"calib-ids", required_argument, 0, 'i'},
                                       {"time-budget", required_argument, 0, 'b'},
                                       {"threads", required_argument, 0, 't'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
    const char *dir = NULL, *out = NULL, *calib = NULL, *calib_ids = NULL;
    long group = 128, threads = 0;
    double budget = 600;
    int ch;
    optind = 0;
    while ((ch = getopt_long(argc, argv, "m:o:g:c:i:b:t:h", lo, NULL)) != -1) {
        char *end = NULL;
        switch (ch) {
        case 'm': dir = optarg; break;
        case 'o': out = optarg; break;
        case 'c': calib = optarg; break;
        case 'i': calib_ids = optarg; break;
        case 'g':
            group = strtol(optarg, &end, 10);
            if (*end || group < 8 || group > 4096 || group % 8)
                return usage("--group-size takes a multiple of 8 up to 4096");
            break;
        case 'b':
            budget = strtod(optarg, &end);
            if (*end || !(budget > 0))
                return usage("--time-budget takes a positive number of seconds");
            break;
        case 't':
            threads = strtol(optarg, &end, 10);
            if (*end || threads < 1 || threads > 1024)
                return usage("--threads takes a positive number");
            break;
        case 'h': help(stdout); return DS_EXIT_OK;
        default: return usage("bad option for model quantize");
        }
    }
    if (!dir || !out || optind != argc)
        return usage("model quantize needs --model DIR and --out DIR");
    if (calib && calib_ids)
        return usage("give --calib or --calib-ids, not both");
    ds_err err;
    ds_tokens tok = DS_TOKENS_INIT;
    ds_status st = DS_OK;
    if (calib_ids) {
        st = read_ids(calib_ids, &tok, &err);
    } else if (calib) {
        char *tp = ds_asprintf("%s/tokenizer.json", dir);
        ds_tokenizer *tk = NULL;
        st = tp ? ds_tokenizer_load(&tk, tp, &err) : ds_err_set(&err, DS_ERR_NOMEM, "out of memory");
        ds_free(tp);
        ds_buf text = DS_BUF_INIT;
        if (st == DS_OK && (st = ds_buf_read_file(&text, calib, 256u << 20, &err)) == DS_OK)
            st = ds_tokenizer_encode(tk, text.data ? text.data : "", text.len, 0, &tok, &err);
        ds_buf_deinit(&text);
        ds_tokenizer_free(tk);
    }
    if (st != DS_OK) {
        ds_cli_report(cli, "model quantize: calibration", &err);
        ds_tokens_deinit(&tok);
        return st == DS_ERR_NOMEM ? DS_EXIT_INTERNAL : DS_EXIT_USAGE;
    }
    ds_awq_quant_opts o = {.group_size = (int)group,
                           .calib = tok.n ? tok.v : NULL,
                           .n_calib = (int)(tok.n < 0x7fffffff ? tok.n : 0x7fffffff),
                           .n_threads = (int)threads,
                           .time_budget_s = budget,
                           .log = cli ? &cli->log : NULL};
    ds_awq_quant_report rep;
    st = ds_awq_quantize(dir, out, &o, &rep, &err);
    ds_tokens_deinit(&tok);
    if (st != DS_OK) {
        ds_cli_report(cli, "model quantize", &err);
        return st == DS_ERR_NOMEM || st == DS_ERR_IO ? DS_EXIT_INTERNAL : DS_EXIT_USAGE;
    }
    printf("quantized      %s -> %s\n", dir, out);
    printf("format         AutoAWQ int4, group size %ld, zero point, version gemm\n", group);
    printf("linear layers  %d\n", rep.n_linear);
    printf("method         %s\n", rep.method);
    if (rep.calibrated)
        printf("calibration    %zu tokens; search estimated at %.1f s\n", (size_t)(o.n_calib < 4096 ? o.n_calib : 4096),
               rep.search_estimate_s);
    printf("time           %.1f s\n", rep.seconds);
    return DS_EXIT_OK;
}
