/* cmd_tokens.c - `dossier tokens`: tokenizes standard input with a tokenizer.json and prints the
 * ids (space-separated) or their count; with --decode, reads ids and prints the bytes.
 * Owns: the tokenizer, cache and buffers of one invocation. Threading: single-threaded. */
#include "pipeline/cli.h"

#include "model/tokenizer/tokenizer.h"
#include "pipeline/core/alloc.h"
#include "pipeline/core/buf.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: dossier tokens --tokenizer FILE [--ids|--count|--decode] [--special]\n\n"
               "Tokenizes standard input with a Hugging Face tokenizer.json (byte-level BPE).\n"
               "  --tokenizer FILE  the tokenizer.json (default: chunk.tokenizer from the configuration)\n"
               "  --ids             print the token ids, space-separated (the default)\n"
               "  --count           print only the number of tokens\n"
               "  --decode          read ids (space-separated) and print the bytes they stand for\n"
               "  --special         treat special tokens written in the text (<|im_start|>...) as such\n");
}

static ds_status read_stdin(ds_buf *b, ds_err *err)
{
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
        if (ds_buf_append(b, chunk, n) != DS_OK)
            return ds_err_set(err, DS_ERR_NOMEM, "out of memory reading standard input");
    if (ferror(stdin))
        return ds_err_set(err, DS_ERR_IO, "read error on standard input");
    return ds_buf_reserve(b, 0) == DS_OK ? DS_OK : ds_err_set(err, DS_ERR_NOMEM, "out of memory");
}

static ds_status decode_ids(const ds_tokenizer *tok, const char *text, int skip_special, ds_err *err)
{
    ds_tokens ids = DS_TOKENS_INIT;
    ds_buf out = DS_BUF_INIT;
    ds_status st = DS_OK;
    const char *p = text;
    for (;;) {
        while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r' || *p == ',')
            p++;
        if (!*p)
            break;
        char *end;
        errno = 0;
        long v = strtol(p, &end, 10);
        if (end == p || errno || v < 0 || v > INT32_MAX) {
            st = ds_err_set(err, DS_ERR_USAGE, "standard input: not a token id at byte %zu", (size_t)(p - text));
            goto out;
        }
        if (ds_tokens_reserve(&ids, 1) != DS_OK) {
            st = ds_err_set(err, DS_ERR_NOMEM, "out of memory");
            goto out;
        }
        ids.v[ids.n++] = (int32_t)v;
        p = end;
    }
    if ((st = ds_tokenizer_decode(tok, ids.v, ids.n, skip_special, &out, err)) == DS_OK && out.len &&
        fwrite(out.data, 1, out.len, stdout) != out.len)
        st = ds_err_set(err, DS_ERR_IO, "write error on standard output");
out:
    ds_tokens_deinit(&ids);
    ds_buf_deinit(&out);
    return st;
}

int ds_cmd_tokens(ds_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                         {"tokenizer", required_argument, NULL, 't'},
                                         {"ids", no_argument, NULL, 'i'},
                                         {"count", no_argument, NULL, 'c'},
                                         {"decode", no_argument, NULL, 'd'},
                                         {"special", no_argument, NULL, 's'},
                                         {NULL, 0, NULL, 0}};
    const char *path = NULL;
    int mode = 'i', special = 0, c;
    while ((c = getopt_long(argc, argv, "ht:icds", opts, NULL)) != -1) {
        switch (c) {
        case 'h': usage(stdout); return DS_EXIT_OK;
        case 't': path = optarg; break;
        case 'i':
        case 'c':
        case 'd': mode = c; break;
        case 's': special = 1; break;
        default: usage(stderr); return DS_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        usage(stderr);
        return DS_EXIT_USAGE;
    }
    if (!path && cli->cfg.tokenizer && *cli->cfg.tokenizer)
        path = cli->cfg.tokenizer;
    if (!path) {
        fprintf(stderr, "dossier tokens: --tokenizer FILE is required (no chunk.tokenizer configured)\n");
        return DS_EXIT_USAGE;
    }

    ds_err err;
    ds_err_clear(&err);
    ds_tokenizer *tok;
    if (ds_tokenizer_load(&tok, path, &err) != DS_OK) {
        ds_cli_report(cli, "tokens", &err);
        /* A file that is not a usable tokenizer.json is the caller's to fix. */
        return err.code == DS_ERR_NOMEM || err.code == DS_ERR_IO ? ds_cli_exit_for(err.code) : DS_EXIT_USAGE;
    }
    ds_buf in = DS_BUF_INIT;
    ds_tokens ids = DS_TOKENS_INIT;
    ds_tokenizer_cache *cache;
    ds_status st = ds_tokenizer_cache_create(&cache, &err);
    if (st == DS_OK)
        st = read_stdin(&in, &err);
    if (st == DS_OK && mode == 'd') {
        st = decode_ids(tok, in.data, 0, &err);
    } else if (st == DS_OK && mode == 'c') {
        size_t count = 0;
        if ((st = ds_tokenizer_count_cached(tok, cache, in.data, in.len, special, &count, &err)) == DS_OK)
            printf("%zu\n", count);
    } else if (st == DS_OK) {
        if ((st = ds_tokenizer_encode_cached(tok, cache, in.data, in.len, special, &ids, &err)) == DS_OK) {
            for (size_t i = 0; i < ids.n; i++)
                printf(i ? " %d" : "%d", (int)ids.v[i]);
            printf("\n");
        }
    }
    if (st == DS_OK && (fflush(stdout) != 0 || ferror(stdout)))
        st = ds_err_set(&err, DS_ERR_IO, "write error on standard output");
    if (st != DS_OK)
        ds_cli_report(cli, "tokens", &err);
    ds_tokens_deinit(&ids);
    ds_tokenizer_cache_free(cache);
    ds_buf_deinit(&in);
    ds_tokenizer_free(tok);
    if (st == DS_ERR_TOKENIZER && mode == 'd')
        return DS_EXIT_USAGE; /* an id outside the vocabulary on standard input */
    return ds_cli_exit_for(st);
}
