/* report.c - entry of the reports stage: load the data, render the chosen format. */
#include "reports/report.h"

#include "reports/report_data.h"
#include "reports/report_render.h"

ds_status ds_report_generate(PGconn *conn, const ds_report_opts *o, ds_err *err)
{
    if ((!o->company || !*o->company) && o->document_id <= 0)
        return ds_err_set(err, DS_ERR_USAGE, "a report needs a company (CIK or name) or a document id");
    if (!o->out_path || !*o->out_path)
        return ds_err_set(err, DS_ERR_USAGE, "a report needs an output file");
    ds_report_data *d = NULL;
    ds_status st = ds_report_data_load(conn, o->company, o->document_id, &d, err);
    if (st)
        return st;
    st = o->format == DS_REPORT_FORMAT_PDF ? rpt_write_pdf(d, o->out_path, err) : rpt_write_html(d, o->out_path, err);
    ds_report_data_free(d);
    return st;
}
