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
    unsigned rgb; /* 0xRRGGBB */
    double v[RPT_MAX_PERIODS];
    int present[RPT_MAX_PERIODS];
} rpt_series;

typedef struct rpt_chart {
    const char *title;
    const char *unit; /* "USD m", "%", "x" */
    rpt_chart_kind kind;
    int n_series, n_x;
    rpt_series s[RPT_MAX_SERIES];
    const char *x_labels[RPT_MAX_PERIODS];
    int col[RPT_MAX_PERIODS]; /* report column of each x */
    double y_min, y_max, tick;
    int has_data;
} rpt_chart;

/* Revenue and net income (bars), margins (lines), leverage and liquidity (lines), over one
 * kind of column: fiscal years when there are two or more, else quarters, else every column. */
int rpt_charts_build(const ds_report_data *d, rpt_chart *out, int max);
/* The x label of column i on two lines ("Q3 FY2024" -> "Q3", "FY2024"; "FY2024" -> "FY2024", ""). */
void rpt_chart_x_label(const rpt_chart *c, int i, char *line1, char *line2, size_t cap);
/* Nice axis bounds and tick step covering every value (and zero for bars). */
void rpt_chart_scale(rpt_chart *c);
/* Position of value v on an axis of pixel height h (0 at the bottom). */
double rpt_chart_y(const rpt_chart *c, double v, double h);

#endif
