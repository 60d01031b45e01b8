/* cmd_rules.c - `dossier rules`: prints the documented rules the extract stage applies, as
 * Markdown tables: the SWOT rules of the rules backend, the AML red-flag phrases, and the FATF
 * lists (with their plenary date) that mark jurisdictions. Needs no database. */
#include "pipeline/cli.h"

#include "extract/entities.h"
#include "extract/swot.h"
#include "pipeline/core/buf.h"

#include <getopt.h>
#include <stdio.h>

static ds_status fatf_table(ds_buf *out)
{
    size_t n;
    const ds_fatf_entry *fe = ds_fatf_entries(&n);
    ds_status st = ds_buf_puts(out, "| code | name | list | as of |\n| --- | --- | --- | --- |\n");
    for (size_t i = 0; i < n && st == DS_OK; i++)
        st = ds_buf_printf(out, "| %s | %s | %s | %s |\n", fe[i].code, fe[i].name, ds_fatf_list_title(fe[i].list),
                           DS_FATF_AS_OF);
    return st;
}

int ds_cmd_rules(ds_cli *cli, int argc, char **argv)
{
    (void)cli;
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                         {"swot", no_argument, NULL, 's'},
                                         {"red-flags", no_argument, NULL, 'r'},
                                         {"fatf", no_argument, NULL, 'f'},
                                         {NULL, 0, NULL, 0}};
    int c, swot = 0, flags = 0, fatf = 0;
    while ((c = getopt_long(argc, argv, "hsrf", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            printf("usage: dossier rules [--swot] [--red-flags] [--fatf]\n\n"
                   "Prints the rules the extract stage applies, as Markdown tables (all three by default).\n"
                   "  --swot        SWOT rules of the rules backend (rule id, category, basis, condition)\n"
                   "  --red-flags   AML red-flag phrases (id, category, phrases, exclusions, why)\n"
                   "  --fatf        FATF high-risk and increased-monitoring jurisdictions, with their date\n");
            return DS_EXIT_OK;
        case 's': swot = 1; break;
        case 'r': flags = 1; break;
        case 'f': fatf = 1; break;
        default: return DS_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "dossier rules: unexpected argument \"%s\"\n", argv[optind]);
        return DS_EXIT_USAGE;
    }
    if (!swot && !flags && !fatf)
        swot = flags = fatf = 1;
    ds_buf out = DS_BUF_INIT;
    ds_status st = DS_OK;
    if (swot)
        st = ds_buf_puts(&out, "## SWOT rules\n\n") || ds_swot_rules_table(&out) ? DS_ERR_NOMEM : DS_OK;
    if (flags && st == DS_OK)
        st = ds_buf_puts(&out, swot ? "\n## Red-flag phrases\n\n" : "## Red-flag phrases\n\n") ||
                     ds_redflags_table(&out)
                 ? DS_ERR_NOMEM
                 : DS_OK;
    if (fatf && st == DS_OK)
        st = ds_buf_printf(&out, "%s## FATF lists (plenary of %s)\n\n", swot || flags ? "\n" : "", DS_FATF_AS_OF) ||
                     fatf_table(&out)
                 ? DS_ERR_NOMEM
                 : DS_OK;
    if (st == DS_OK)
        fputs(out.data, stdout);
    ds_buf_deinit(&out);
    return st ? DS_EXIT_INTERNAL : DS_EXIT_OK;
}
