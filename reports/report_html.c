/* report_html.c - the report as one self-contained HTML5 page: inline CSS, charts as inline
 * SVG, no scripts and no external resources; every text from the database is escaped. */
#include "reports/report_render.h"

#include "reports/chart.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void esc(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
        }
    }
}

/* <a href> to a document (rpt_href: http(s) or file:// only), around what follows; nothing
 * when there is no link. */
static void link_open(FILE *f, const char *href)
{
    if (href && *href) {
        fputs("<a href=\"", f);
        esc(f, href);
        fputs("\">", f);
    }
}

static void link_close(FILE *f, const char *href)
{
    if (href && *href)
        fputs("</a>", f);
}

static void svg_chart(FILE *f, const rpt_chart *c)
{
    const double W = 560, H = 250, L = 56, R = 12, T = 28, B = 40;
    double pw = W - L - R, ph = H - T - B;
    fprintf(f,
            "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
            "viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"",
            W, H, W, H);
    esc(f, c->title);
    fputs("\">\n<text x=\"4\" y=\"16\" class=\"ct\">", f);
    esc(f, c->title);
    fprintf(f, " (%s)</text>\n", c->unit);
    if (!c->has_data) {
        fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" class=\"na\">no data</text>\n</svg>\n", W / 2 - 25, H / 2);
        return;
    }
    for (double y = c->y_min; y <= c->y_max + c->tick / 2; y += c->tick) {
        double py = T + ph - rpt_chart_y(c, y, ph);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"%s\"/>", L, py, L + pw, py,
                fabs(y) > c->tick * 1e-9 ? "grid" : "axis");
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"yt\">%g</text>\n", L - 6, py + 4, y);
    }
    double slot = pw / (c->n_x ? c->n_x : 1);
    for (int i = 0; i < c->n_x; i++) {
        char l1[32], l2[32];
        rpt_chart_x_label(c, i, l1, l2, sizeof l1);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"xt\">", L + slot * (i + 0.5), T + ph + 13);
        esc(f, l1);
        fprintf(f, "<tspan x=\"%.1f\" dy=\"11\">", L + slot * (i + 0.5));
        esc(f, l2);
        fputs("</tspan></text>\n", f);
    }
    double zero = T + ph - rpt_chart_y(c, 0 < c->y_min ? c->y_min : 0, ph);
    for (int s = 0; s < c->n_series; s++) {
        const rpt_series *se = &c->s[s];
        if (c->kind == RPT_CHART_KIND_BARS) {
            double bw = slot * 0.7 / c->n_series;
            for (int i = 0; i < c->n_x; i++) {
                if (!se->present[i])
                    continue;
                double x = L + slot * i + slot * 0.15 + bw * s;
                double y = T + ph - rpt_chart_y(c, se->v[i], ph);
                fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#%06x\"><title>", x,
                        y < zero ? y : zero, bw, y < zero ? zero - y : y - zero, se->rgb);
                esc(f, se->label);
                fprintf(f, " %s: %.1f</title></rect>\n", c->x_labels[i], se->v[i]);
            }
        } else {
            fputs("<polyline fill=\"none\" stroke-width=\"2\" ", f);
            fprintf(f, "stroke=\"#%06x\" points=\"", se->rgb);
            for (int i = 0; i < c->n_x; i++)
                if (se->present[i])
                    fprintf(f, "%.1f,%.1f ", L + slot * (i + 0.5), T + ph - rpt_chart_y(c, se->v[i], ph));
            fputs("\"/>\n", f);
            for (int i = 0; i < c->n_x; i++)
                if (se->present[i])
                    fprintf(
                        f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#%06x\"><title>%s: %.2f</title></circle>\n",
                        L + slot * (i + 0.5), T + ph - rpt_chart_y(c, se->v[i], ph), se->rgb, c->x_labels[i], se->v[i]);
        }
        fprintf(f,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"#%06x\"/>"
                "<text x=\"%.1f\" y=\"%.1f\" class=\"lg\">",
                L + 130.0 * s, H - 12, se->rgb, L + 130.0 * s + 14, H - 3);
        esc(f, se->label);
        fputs("</text>\n", f);
    }
    fputs("</svg>\n", f);
}

/* The superscript naming a figure's source: x = XBRL, t = statement table, m = model, l = LTM. */
static const char *source_mark(const char *extractor)
{
    if (strcmp(extractor, "pdf_table") == 0 || strcmp(extractor, "html_table") == 0)
        return "t";
    if (strcmp(extractor, "ltm") == 0)
        return "l";
    return extractor[0] == 'm' ? "m" : "x";
}

/* The figures of rows in the columns that hold any of them; a row with no figure is left out.
 * The caller makes sure at least one figure is there. */
static void table(FILE *f, const ds_report_data *d, const rpt_row *rows, int n, int provenance)
{
    fputs("<table><thead><tr><th></th>", f);
    for (int i = 0; i < d->n_periods; i++) {
        if (!rpt_column_any(rows, n, i))
            continue;
        fputs("<th>", f);
        esc(f, d->periods[i].label);
        fputs("<br/><span class=\"pk\">", f);
        esc(f, d->periods[i].kind_label);
        fputs(" to ", f);
        esc(f, d->periods[i].end);
        fputs("</span></th>", f);
    }
    fputs("</tr></thead><tbody>\n", f);
    for (int r = 0; r < n; r++) {
        if (!rpt_row_any(d, &rows[r]))
            continue;
        fputs("<tr><th>", f);
        esc(f, rows[r].label);
        fputs("</th>", f);
        for (int i = 0; i < d->n_periods; i++) {
            const rpt_cell *c = &rows[r].cells[i];
            char v[64];
            if (!rpt_column_any(rows, n, i))
                continue;
            rpt_format_cell(&rows[r], c, v, sizeof v);
            if (provenance && c->present) {
                fputs("<td title=\"", f);
                esc(f, c->extractor);
                if (c->note && *c->note)
                    fputs(": ", f), esc(f, c->note), fputs("; year to date", f);
                fputs(" from ", f);
                esc(f, c->document);
                fprintf(f, " p. %d, run %lld\">", c->page, c->run_id);
            } else {
                fputs(c->present ? "<td>" : "<td class=\"na\">", f);
            }
            const char *href = provenance && c->present ? c->href : NULL;
            link_open(f, href);
            esc(f, v);
            link_close(f, href);
            if (provenance && c->present)
                fprintf(f, "<sup>%s</sup>", source_mark(c->extractor));
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table>\n", f);
}

static int any_figure(const ds_report_data *d, const rpt_row *rows, int n)
{
    for (int r = 0; r < n; r++)
        if (rpt_row_any(d, &rows[r]))
            return 1;
    return 0;
}

static void ratios(FILE *f, const ds_report_data *d)
{
    if (!d->ratios_available) {
        fputs("<p class=\"na\">The database has no credit_ratios view (run <code>dossier db migrate</code>).</p>\n", f);
        return;
    }
    if (!any_figure(d, d->ratios, d->n_ratios)) {
        fputs("<p class=\"na\">No credit ratio could be computed for these periods: credit_ratios lacks their "
              "inputs.</p>\n",
              f);
        return;
    }
    table(f, d, d->ratios, d->n_ratios, 0);
    fputs("<dl class=\"defs\">\n", f);
    for (int r = 0; r < d->n_ratios; r++) {
        if (!rpt_row_any(d, &d->ratios[r]))
            continue;
        fputs("<dt>", f);
        esc(f, d->ratios[r].label);
        fputs("</dt><dd>", f);
        esc(f, d->ratios[r].definition);
        fputs("</dd>\n", f);
    }
    fputs("</dl>\n", f);
}

static const char *const quadrants[4][2] = {
    {"strength", "Strengths"}, {"weakness", "Weaknesses"}, {"opportunity", "Opportunities"}, {"threat", "Threats"}};

/* The document head (title, style sheet) and the page header. */
static void html_head(FILE *f, const ds_report_data *d)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>dossier: ",
          f);
    esc(f, d->title);
    fputs("</title>\n<style>\n"
          "body{font-family:'DejaVu Sans',Arial,sans-serif;margin:2em auto;max-width:1100px;color:#222}\n"
          "h1{margin-bottom:0}h2{border-bottom:2px solid #1f5fa8;padding-bottom:2px;margin-top:1.6em}\n"
          ".sub{color:#666}table{border-collapse:collapse;margin:.5em 0}th,td{padding:3px 10px;border-bottom:1px solid "
          "#ddd}\n"
          "td{text-align:right;font-variant-numeric:tabular-nums}thead th{text-align:right}tbody "
          "th{text-align:left;font-weight:normal}\n"
          "td.na{color:#aaa}sup{color:#888;font-size:70%}.charts{display:flex;flex-wrap:wrap;gap:12px}\n"
          ".ct{font-weight:bold;font-size:13px}.yt{font-size:10px;text-anchor:end}.xt{font-size:10px;text-anchor:"
          "middle}\n"
          ".lg{font-size:11px}.grid{stroke:#e4e4e4}.axis{stroke:#888}.na{fill:#999}\n"
          ".swot{display:grid;grid-template-columns:1fr 1fr;gap:10px}.q{border:1px solid "
          "#ccc;padding:8px;border-radius:4px}\n"
          ".q h3{margin:0 0 6px 0}.strength h3{color:#2d7a46}.weakness h3{color:#b03a2e}.opportunity "
          "h3{color:#1f5fa8}.threat h3{color:#7d3c98}\n"
          ".ev{color:#555;font-size:90%}blockquote{margin:2px 0 8px 12px;color:#444;font-style:italic}\n"
          "footer{margin-top:2em;color:#777;font-size:85%}.pk{font-weight:normal;color:#777;font-size:80%}\n"
          ".defs{font-size:85%;color:#555}.defs dt{float:left;clear:left;width:11em;font-weight:bold}.defs "
          "dd{margin-left:12em}\n"
          "</style>\n</head>\n<body>\n<header>\n<h1>",
          f);
    esc(f, d->title);
    fputs("</h1>\n<p class=\"sub\">", f);
    if (d->company && d->document_id)
        esc(f, d->company), fputs(" &#183; ", f);
    if (d->cik)
        fputs("CIK ", f), esc(f, d->cik), fputs(" &#183; ", f);
    fprintf(f, "%d document%s &#183; generated %s by dossier</p>\n</header>\n", d->n_docs, d->n_docs == 1 ? "" : "s",
            d->generated_at);
}

/* The four SWOT quadrants, each item with its source and quote. */
static void html_swot(FILE *f, const ds_report_data *d)
{
    for (int q = 0; q < 4; q++) {
        fprintf(f, "<div class=\"q %s\"><h3>%s</h3>\n", quadrants[q][0], quadrants[q][1]);
        int any = 0;
        for (int i = 0; i < d->n_swot; i++) {
            const rpt_swot *s = &d->swot[i];
            if (strcmp(s->category, quadrants[q][0]) != 0)
                continue;
            any = 1;
            fputs("<p>", f);
            esc(f, s->statement);
            fputs("<br/><span class=\"ev\">", f);
            esc(f, s->source);
            if (*s->rule_id)
                fputs(" rule ", f), esc(f, s->rule_id);
            if (*s->model)
                fputs(" model ", f), esc(f, s->model);
            fputs(" &#183; ", f);
            link_open(f, s->href);
            esc(f, s->document);
            if (s->page)
                fprintf(f, ", p. %d", s->page);
            link_close(f, s->href);
            fputs("</span></p>\n", f);
            if (*s->quote) {
                fputs("<blockquote>", f);
                esc(f, s->quote);
                fputs("</blockquote>\n", f);
            }
        }
        if (!any)
            fputs("<p class=\"na\">none found</p>\n", f);
        fputs("</div>\n", f);
    }
}

/* The open AML alerts as a table, or a line saying there are none. */
static void html_alerts(FILE *f, const ds_report_data *d)
{
    if (d->n_alerts == 0) {
        fputs("<p>No open alerts.</p>\n", f);
    } else {
        fputs("<table><thead><tr><th>kind</th><th>subject</th><th>score</th><th>listed name</th><th>list</th>"
              "<th>status</th><th>evidence</th></tr></thead><tbody>\n",
              f);
        for (int i = 0; i < d->n_alerts; i++) {
            const rpt_alert *a = &d->alerts[i];
            fputs("<tr><th>", f);
            esc(f, a->kind);
            fputs("</th><td>", f);
            esc(f, a->subject);
            if (a->has_score)
                fprintf(f, "</td><td>%.2f</td><td>", a->score);
            else
                fputs("</td><td></td><td>", f);
            esc(f, a->matched_name);
            fputs("</td><td>", f);
            esc(f, a->list_version);
            fputs("</td><td>", f);
            esc(f, a->status);
            fputs("</td><td style=\"text-align:left\">", f);
            link_open(f, a->href);
            esc(f, a->document);
            if (a->page)
                fprintf(f, ", p. %d", a->page);
            link_close(f, a->href);
            fputs(": <i>", f);
            esc(f, a->quote);
            fputs("</i></td></tr>\n", f);
        }
        fputs("</tbody></table>\n", f);
    }
}

/* One row per source document. */
static void html_sources(FILE *f, const ds_report_data *d)
{
    for (int i = 0; i < d->n_docs; i++) {
        const rpt_doc *x = &d->docs[i];
        fprintf(f, "<tr><th>#%lld ", x->id);
        link_open(f, x->href);
        esc(f, x->name);
        link_close(f, x->href);
        fputs("</th><td>", f);
        esc(f, x->kind);
        fputs("</td><td>", f);
        esc(f, x->form_type);
        fputs("</td><td>", f);
        esc(f, x->period_end);
        fprintf(f, "</td><td>%d</td><td>", x->pages);
        esc(f, x->status);
        fprintf(f, "</td><td>%lld</td></tr>\n", x->run_id);
    }
}

ds_status rpt_write_html(const ds_report_data *d, const char *path, ds_err *err)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return ds_err_set(err, DS_ERR_IO, "cannot write %s", path);
    html_head(f, d);
    fputs("<section id=\"metrics\">\n<h2>Key metrics</h2>\n<p class=\"sub\">", f);
    fputs(rpt_unit_note(), f);
    fprintf(
        f,
        "; fiscal years end in %s (from %s); superscripts give the source: x = XBRL, t = statement "
        "table, m = model, l = last twelve months: year to date + prior fiscal year - prior year to date (hover for "
        "document, page, run and the parts of an LTM figure)</p>\n",
        rpt_month_name(d->fy_end_month), d->calendar_source);
    if (!any_figure(d, d->metrics, d->n_metrics))
        fputs("<p class=\"na\">No consolidated figures found.</p>\n", f);
    else
        table(f, d, d->metrics, d->n_metrics, 1);
    fputs("</section>\n<section id=\"charts\">\n<h2>Trends</h2>\n<div class=\"charts\">\n", f);
    rpt_chart charts[3];
    int nc = rpt_charts_build(d, charts, 3);
    for (int i = 0; i < nc; i++)
        svg_chart(f, &charts[i]);
    fputs("</div>\n</section>\n<section id=\"ratios\">\n<h2>Credit ratios</h2>\n", f);
    ratios(f, d);
    fputs("</section>\n<section id=\"swot\">\n<h2>SWOT</h2>\n<div class=\"swot\">\n", f);
    html_swot(f, d);
    fputs("</div>\n</section>\n<section id=\"alerts\">\n<h2>Open AML alerts</h2>\n", f);
    html_alerts(f, d);
    fputs("</section>\n<section id=\"provenance\">\n<h2>Sources</h2>\n<table><thead><tr><th>document</th><th>kind</th>"
          "<th>form</th><th>period</th><th>pages</th><th>status</th><th>loaded by run</th></tr></thead><tbody>\n",
          f);
    html_sources(f, d);
    fputs("</tbody></table>\n</section>\n<footer>Every figure links back to its document and page; facts are as "
          "extracted, not restated. Generated by dossier.</footer>\n</body>\n</html>\n",
          f);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return ds_err_set(err, DS_ERR_IO, "writing %s failed", path);
    return DS_OK;
}
