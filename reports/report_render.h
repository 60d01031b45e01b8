/* report_render.h - the two renderers of a report (internal to reports/). */
#ifndef DS_REPORTS_REPORT_RENDER_H
#define DS_REPORTS_REPORT_RENDER_H

#include "reports/report_data.h"

ds_status rpt_write_html(const ds_report_data *d, const char *path, ds_err *err);
ds_status rpt_write_pdf(const ds_report_data *d, const char *path, ds_err *err);

#endif
