/* cmd_report.c - `dossier report (--company CIK|NAME | --document ID) --format html|pdf --out FILE`. */
#include "pipeline/cli.h"
#include "pipeline/db.h"

#include "pipeline/core/alloc.h"
#include "reports/report.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static void help(void)
{
    printf("usage: dossier report (--company CIK|NAME | --document ID) [--format html|pdf] --out FILE\n\n"
           "Writes an analyst report from the database: company header, key metrics by period, trend\n"
           "charts, credit ratios, SWOT quadrants with evidence, open AML alerts, and the source\n"
           "(extractor, document, page, run) of every figure. HTML is one self-contained file with\n"
           "inline SVG charts; PDF is drawn with cairo and pango. The format defaults to the --out\n"
           "file's extension (.html, .htm or .pdf; any other needs --format).\n");
}

/* The format an --out name asks for: "pdf" for .pdf, "html" for .html/.htm, NULL for anything else. */
static const char *format_of(const char *path)
{
    const char *base = strrchr(path, '/');
    const char *dot = strrchr(base ? base : path, '.');
    if (dot && strcasecmp(dot, ".pdf") == 0)
        return "pdf";
    if (dot && (strcasecmp(dot, ".html") == 0 || strcasecmp(dot, ".htm") == 0))
        return "html";
    return NULL;
}

/* The folder --out writes into must exist and be writable; says why not before any work is done. */
static int out_dir_ok(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    struct stat st;
    int found = stat(dir, &st) == 0;
    if (!found || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "dossier report: cannot write %s: %s %s\n", path, dir,
                found             ? "is not a folder"
                : errno == ENOENT ? "does not exist"
                                  : strerror(errno));
        return 0;
    }
    if (access(dir, W_OK) != 0) {
        fprintf(stderr, "dossier report: cannot write %s: folder %s: %s\n", path, dir, strerror(errno));
        return 0;
    }
    return 1;
}

int ds_cmd_report(ds_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"company", required_argument, NULL, 'c'}, {"document", required_argument, NULL, 'd'},
        {"format", required_argument, NULL, 'f'},  {"out", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    ds_report_opts o = {0};
    const char *format = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "c:d:f:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': o.company = optarg; break;
        case 'd':
            o.document_id = atoll(optarg);
            if (o.document_id <= 0) {
                fprintf(stderr, "dossier report: --document takes a document id (a positive number)\n");
                return DS_EXIT_USAGE;
            }
            break;
        case 'f': format = optarg; break;
        case 'o': o.out_path = optarg; break;
        case 'h': help(); return DS_EXIT_OK;
        default: help(); return DS_EXIT_USAGE;
        }
    }
    if ((!o.company) == (o.document_id == 0) || !o.out_path) {
        fprintf(stderr, "dossier report: give exactly one of --company or --document, and --out\n");
        return DS_EXIT_USAGE;
    }
    if (optind < argc) {
        fprintf(stderr, "dossier report: unexpected argument \"%s\"\n", argv[optind]);
        return DS_EXIT_USAGE;
    }
    if (!format && !(format = format_of(o.out_path))) {
        fprintf(stderr, "dossier report: cannot tell the format of %s: name it .html or .pdf, or give --format\n",
                o.out_path);
        return DS_EXIT_USAGE;
    }
    if (!out_dir_ok(o.out_path))
        return DS_EXIT_USAGE;
    if (strcmp(format, "pdf") == 0)
        o.format = DS_REPORT_FORMAT_PDF;
    else if (strcmp(format, "html") == 0)
        o.format = DS_REPORT_FORMAT_HTML;
    else {
        fprintf(stderr, "dossier report: --format must be html or pdf\n");
        return DS_EXIT_USAGE;
    }
    ds_err err;
    ds_err_clear(&err);
    char *dsn = NULL;
    PGconn *conn = NULL;
    ds_status st = ds_db_resolve(&cli->cfg, cli->db_dsn, DS_DB_AUTOSTART, &cli->log, &dsn, NULL, &err);
    if (st == DS_OK)
        st = ds_db_connect(dsn, &conn, &err);
    if (st == DS_OK)
        st = ds_report_generate(conn, &o, &err);
    PQfinish(conn);
    ds_free(dsn);
    if (st) {
        ds_cli_report(cli, "report", &err);
        return st == DS_ERR_NOT_FOUND ? DS_EXIT_USAGE : ds_cli_exit_for(st);
    }
    if (!cli->quiet)
        printf("report written to %s\n", o.out_path);
    return DS_EXIT_OK;
}
