/* chart.h - the trend charts of a report as data (series, axis scale, ticks), computed once
 * and drawn by both renderers: inline SVG (report_html.c) and cairo (report_pdf.c).
 * Internal to reports/. Pure computation, reentrant. */
#ifndef DS_REPORTS_CHART_H
#define DS_REPORTS_CHART_H

#include "reports/report_data.h"

#define RPT_MAX_SERIES 3

typedef enum rpt_chart_kind { RPT_CHART_KIND_BARS, RPT_CHART_KIND_LINES } rpt_chart_kind;

typedef struct rpt_series {
    const char *label;
    unsigned rgb;           /* 0xRRGGBB */
    double v[RPT_MAX_PERIODS];
    int present[RPT_MAX_PERIODS];
} rpt_series;

typedef struct rpt_chart {
    const char *title;
    const char *unit;       /* "USD m", "%", "x" */
    rpt_chart_kind kind;
    int n_series, n_x;
    rpt_series s[RPT_MAX_SERIES];
    const char *x_labels[RPT_MAX_PERIODS];
    double y_min, y_max, tick;
    int has_data;
} rpt_chart;

/* Revenue and net income (bars), margins (lines), leverage and liquidity (lines). */
int rpt_charts_build(const ds_report_data *d, rpt_chart *out, int max);
/* Nice axis bounds and tick step covering every value (and zero for bars). */
void rpt_chart_scale(rpt_chart *c);
/* Position of value v on an axis of pixel height h (0 at the bottom). */
double rpt_chart_y(const rpt_chart *c, double v, double h);

#endif
