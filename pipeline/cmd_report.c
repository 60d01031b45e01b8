/* cmd_report.c - `dossier report (--company CIK|NAME | --document ID) --format html|pdf --out FILE`. */
#include "pipeline/cli.h"
#include "pipeline/db.h"

#include "reports/report.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void help(void)
{
    printf("usage: dossier report (--company CIK|NAME | --document ID) [--format html|pdf] --out FILE\n\n"
           "Writes an analyst report from the database: company header, key metrics by period, trend\n"
           "charts, credit ratios, SWOT quadrants with evidence, open AML alerts, and the source\n"
           "(extractor, document, page, run) of every figure. HTML is one self-contained file with\n"
           "inline SVG charts; PDF is drawn with cairo and pango. The format defaults to the --out\n"
           "file's extension.\n");
}

int ds_cmd_report(ds_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"company", required_argument, NULL, 'c'},
                                         {"document", required_argument, NULL, 'd'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
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
    if (!format) {
        const char *dot = strrchr(o.out_path, '.');
        format = dot && strcasecmp(dot, ".pdf") == 0 ? "pdf" : "html";
    }
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
    ds_status st = ds_db_resolve(&cli->cfg, cli->db_dsn, 1, &cli->log, &dsn, NULL, &err);
    if (st == DS_OK)
        st = ds_db_connect(dsn, &conn, &err);
    if (st == DS_OK)
        st = ds_report_generate(conn, &o, &err);
    PQfinish(conn);
    free(dsn);
    if (st) {
        ds_cli_report(cli, "report", &err);
        return st == DS_ERR_NOT_FOUND ? DS_EXIT_USAGE : ds_cli_exit_for(st);
    }
    if (!cli->quiet)
        printf("report written to %s\n", o.out_path);
    return DS_EXIT_OK;
}
