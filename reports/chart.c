/* chart.c - chart data and axis scaling (see chart.h). */
#include "reports/chart.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const rpt_row *find_row(const rpt_row *rows, int n, const char *key)
{
    for (int i = 0; i < n; i++)
        if (strcmp(rows[i].key, key) == 0)
            return &rows[i];
    return NULL;
}

static void add_series(rpt_chart *c, const rpt_row *row, const char *label, unsigned rgb, double scale)
{
    if (!row || c->n_series >= RPT_MAX_SERIES)
        return;
    rpt_series *s = &c->s[c->n_series++];
    s->label = label;
    s->rgb = rgb;
    for (int i = 0; i < c->n_x; i++) {
        s->present[i] = row->cells[c->col[i]].present;
        s->v[i] = row->cells[c->col[i]].v * scale;
        c->has_data |= s->present[i];
    }
}

int rpt_charts_build(const ds_report_data *d, rpt_chart *out, int max)
{
    int n = 0;
    rpt_chart proto;
    memset(&proto, 0, sizeof proto);
    int years = 0, quarters = 0;
    for (int i = 0; i < d->n_periods; i++) {
        years += d->periods[i].kind == RPT_PERIOD_KIND_FY;
        quarters += d->periods[i].kind == RPT_PERIOD_KIND_QUARTER;
    }
    int want = years >= 2 ? RPT_PERIOD_KIND_FY : quarters ? RPT_PERIOD_KIND_QUARTER : -1;
    for (int i = 0; i < d->n_periods; i++)
        if (want < 0 || (int)d->periods[i].kind == want) {
            proto.col[proto.n_x] = i;
            proto.x_labels[proto.n_x++] = d->periods[i].label;
        }
    if (n < max) {
        rpt_chart *c = &out[n];
        *c = proto;
        c->title = "Revenue and net income";
        c->unit = "USD m";
        c->kind = RPT_CHART_KIND_BARS;
        add_series(c, find_row(d->metrics, d->n_metrics, "revenue"), "Revenue", 0x1f5fa8, 1e-6);
        add_series(c, find_row(d->metrics, d->n_metrics, "net_income"), "Net income", 0x3c9a5f, 1e-6);
        rpt_chart_scale(c);
        n++;
    }
    if (n < max) {
        rpt_chart *c = &out[n];
        *c = proto;
        c->title = "Margins";
        c->unit = "%";
        c->kind = RPT_CHART_KIND_LINES;
        add_series(c, find_row(d->ratios, d->n_ratios, "gross_margin"), "Gross", 0x1f5fa8, 100);
        add_series(c, find_row(d->ratios, d->n_ratios, "operating_margin"), "Operating", 0xd98c1f, 100);
        add_series(c, find_row(d->ratios, d->n_ratios, "net_margin"), "Net", 0x3c9a5f, 100);
        rpt_chart_scale(c);
        n++;
    }
    if (n < max) {
        rpt_chart *c = &out[n];
        *c = proto;
        c->title = "Leverage and liquidity";
        c->unit = "x";
        c->kind = RPT_CHART_KIND_LINES;
        add_series(c, find_row(d->ratios, d->n_ratios, "debt_to_equity"), "Debt / equity", 0xb03a2e, 1);
        add_series(c, find_row(d->ratios, d->n_ratios, "debt_to_ebitda"), "Debt / EBITDA", 0x7d3c98, 1);
        add_series(c, find_row(d->ratios, d->n_ratios, "current_ratio"), "Current ratio", 0x1f5fa8, 1);
        rpt_chart_scale(c);
        n++;
    }
    return n;
}

void rpt_chart_x_label(const rpt_chart *c, int i, char *line1, char *line2, size_t cap)
{
    const char *l = c->x_labels[i], *sp = strchr(l, ' ');
    if (!sp) {
        snprintf(line1, cap, "%s", l);
        snprintf(line2, cap, "%s", "");
        return;
    }
    snprintf(line1, cap, "%.*s", (int)(sp - l), l);
    snprintf(line2, cap, "%s", sp + 1);
}

void rpt_chart_scale(rpt_chart *c)
{
    double lo = INFINITY, hi = -INFINITY;
    for (int s = 0; s < c->n_series; s++)
        for (int i = 0; i < c->n_x; i++)
            if (c->s[s].present[i]) {
                lo = fmin(lo, c->s[s].v[i]);
                hi = fmax(hi, c->s[s].v[i]);
            }
    if (!isfinite(lo)) {
        lo = 0;
        hi = 1;
    }
    if (c->kind == RPT_CHART_KIND_BARS || lo > 0)
        lo = fmin(lo, 0);
    if (hi < 0)
        hi = 0;
    if (hi - lo < 1e-12)
        hi = lo + 1;
    /* A 1-2-5 step giving about five ticks. */
    double raw = (hi - lo) / 5.0, mag = pow(10, floor(log10(raw))), step = mag;
    if (raw / mag > 5)
        step = 10 * mag;
    else if (raw / mag > 2)
        step = 5 * mag;
    else if (raw / mag > 1)
        step = 2 * mag;
    c->tick = step;
    c->y_min = floor(lo / step) * step;
    c->y_max = ceil(hi / step) * step;
    if (c->y_max - c->y_min < step)
        c->y_max = c->y_min + step;
}

double rpt_chart_y(const rpt_chart *c, double v, double h)
{
    return (v - c->y_min) / (c->y_max - c->y_min) * h;
}
