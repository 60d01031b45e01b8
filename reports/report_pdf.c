/* report_pdf.c - the report as a PDF (A4) drawn with cairo, text laid out by pango: a simple
 * top-to-bottom flow with page breaks, a running footer with page numbers, tables, the same
 * charts as the HTML page, SWOT quadrants and alerts with their evidence. */
#include "reports/report_render.h"

#include "reports/chart.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <string.h>

#define PAGE_W 595.0
#define PAGE_H 842.0
#define MARGIN 48.0
#define BODY_W (PAGE_W - 2 * MARGIN)

typedef struct pdf {
    cairo_surface_t *surface;
    cairo_t *cr;
    double y;
    int page;
    const char *title;
} pdf;

static void set_rgb(cairo_t *cr, unsigned rgb)
{
    cairo_set_source_rgb(cr, ((rgb >> 16) & 0xff) / 255.0, ((rgb >> 8) & 0xff) / 255.0, (rgb & 0xff) / 255.0);
}

static PangoLayout *layout(pdf *p, const char *text, const char *font, double width, int markup)
{
    PangoLayout *l = pango_cairo_create_layout(p->cr);
    PangoFontDescription *fd = pango_font_description_from_string(font);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
    if (width > 0) {
        pango_layout_set_width(l, (int)(width * PANGO_SCALE));
        pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    }
    if (markup)
        pango_layout_set_markup(l, text, -1);
    else
        pango_layout_set_text(l, text, -1);
    return l;
}

static double layout_h(PangoLayout *l)
{
    int w, h;
    pango_layout_get_size(l, &w, &h);
    return (double)h / PANGO_SCALE;
}

static double layout_w(PangoLayout *l)
{
    int w, h;
    pango_layout_get_size(l, &w, &h);
    return (double)w / PANGO_SCALE;
}

static void footer(pdf *p)
{
    char buf[512];
    snprintf(buf, sizeof buf, "dossier report: %s · page %d", p->title, p->page);
    PangoLayout *l = layout(p, buf, "DejaVu Sans 7.5", BODY_W, 0);
    cairo_set_source_rgb(p->cr, 0.45, 0.45, 0.45);
    cairo_move_to(p->cr, MARGIN, PAGE_H - MARGIN + 14);
    pango_cairo_show_layout(p->cr, l);
    g_object_unref(l);
}

static void new_page(pdf *p)
{
    if (p->page > 0) {
        footer(p);
        cairo_show_page(p->cr);
    }
    p->page++;
    p->y = MARGIN;
}

static void ensure(pdf *p, double h)
{
    if (p->y + h > PAGE_H - MARGIN)
        new_page(p);
}

/* Opens a link to href (rpt_href: http(s) or file://) around what is drawn until link_end; nothing
 * when href is empty. Open and close it on one page. */
static void link_begin(pdf *p, const char *href)
{
    if (!href || !*href)
        return;
    char attr[4200];
    size_t o = (size_t)snprintf(attr, sizeof attr, "uri='");
    for (const char *c = href; *c && o + 4 < sizeof attr; c++) {
        if (*c == '\'' || *c == '\\')
            attr[o++] = '\\';
        attr[o++] = *c;
    }
    attr[o++] = '\'';
    attr[o] = '\0';
    cairo_tag_begin(p->cr, CAIRO_TAG_LINK, attr);
}

static void link_end(pdf *p, const char *href)
{
    if (href && *href)
        cairo_tag_end(p->cr, CAIRO_TAG_LINK);
}

/* Draws text at x with wrap width w, linked to href when one is given; returns its height.
 * Breaks the page first if needed. */
static double text_link(pdf *p, double x, double w, const char *s, const char *font, unsigned rgb, int markup,
                        const char *href)
{
    PangoLayout *l = layout(p, s, font, w, markup);
    double h = layout_h(l);
    ensure(p, h);
    set_rgb(p->cr, rgb);
    cairo_move_to(p->cr, x, p->y);
    link_begin(p, href);
    pango_cairo_show_layout(p->cr, l);
    link_end(p, href);
    g_object_unref(l);
    p->y += h;
    return h;
}

static double text(pdf *p, double x, double w, const char *s, const char *font, unsigned rgb, int markup)
{
    return text_link(p, x, w, s, font, rgb, markup, NULL);
}

static void heading(pdf *p, const char *s)
{
    ensure(p, 60); /* keep a heading with some of what follows */
    p->y += 10;
    text(p, MARGIN, BODY_W, s, "DejaVu Sans Bold 13", 0x1f5fa8, 0);
    cairo_set_source_rgb(p->cr, 0.12, 0.37, 0.66);
    cairo_set_line_width(p->cr, 1.2);
    cairo_move_to(p->cr, MARGIN, p->y + 2);
    cairo_line_to(p->cr, MARGIN + BODY_W, p->y + 2);
    cairo_stroke(p->cr);
    p->y += 8;
}

static void right_text(pdf *p, double right, double y, const char *s, const char *font, unsigned rgb)
{
    PangoLayout *l = layout(p, s, font, 0, 0);
    set_rgb(p->cr, rgb);
    cairo_move_to(p->cr, right - layout_w(l), y);
    pango_cairo_show_layout(p->cr, l);
    g_object_unref(l);
}

/* The figures of rows in the columns holding any of them (see report_html.c's table). */
static void centred_text(pdf *p, double centre, double y, const char *s, const char *font, unsigned rgb)
{
    PangoLayout *l = layout(p, s, font, 0, 0);
    set_rgb(p->cr, rgb);
    cairo_move_to(p->cr, centre - layout_w(l) / 2, y);
    pango_cairo_show_layout(p->cr, l);
    g_object_unref(l);
}

/* A column's heading, right-aligned at `right`: its label (on two lines, split at the last space,
 * when it is wider than `width`), the kind and the end date below. */
static void column_heading(pdf *p, double right, double width, const rpt_period *pe, const char *font)
{
    char first[32], sub[48];
    const char *rest = NULL;
    PangoLayout *l = layout(p, pe->label, font, 0, 0);
    double w = layout_w(l);
    g_object_unref(l);
    const char *sp = strrchr(pe->label, ' ');
    if (w > width && sp && (size_t)(sp - pe->label) < sizeof first) {
        snprintf(first, sizeof first, "%.*s", (int)(sp - pe->label), pe->label);
        rest = sp + 1;
    }
    double y = p->y - (rest ? 7 : 0);
    right_text(p, right, y, rest ? first : pe->label, font, 0x222222);
    if (rest)
        right_text(p, right, y + 7, rest, font, 0x222222);
    snprintf(sub, sizeof sub, "%s to", pe->kind_label);
    right_text(p, right, p->y + 10, sub, "DejaVu Sans 5.5", 0x777777);
    right_text(p, right, p->y + 17, pe->end, "DejaVu Sans 5.5", 0x777777);
}

static void table(pdf *p, const ds_report_data *d, const rpt_row *rows, int n)
{
    int cols[RPT_MAX_PERIODS], nc = 0;
    for (int i = 0; i < d->n_periods; i++)
        if (rpt_column_any(rows, n, i))
            cols[nc++] = i;
    /* Many columns: narrower labels and smaller type, so a figure fits its column; the kind and
     * the end date of a column on lines of their own. */
    int many = nc > 5;
    double label_w = many ? 112 : 170, col_w = (BODY_W - label_w) / (nc ? nc : 1), row_h = 14;
    const char *head_font = many ? "DejaVu Sans Bold 6" : "DejaVu Sans Bold 8";
    const char *label_font = many ? "DejaVu Sans 6" : "DejaVu Sans 8";
    const char *cell_font = many ? "DejaVu Sans Mono 6.5" : "DejaVu Sans Mono 8";
    ensure(p, row_h * 5);
    p->y += 7;
    for (int k = 0; k < nc; k++)
        column_heading(p, MARGIN + label_w + col_w * (k + 1) - 4, col_w - 6, &d->periods[cols[k]], head_font);
    p->y += row_h + 15;
    for (int r = 0; r < n; r++) {
        if (!rpt_row_any(d, &rows[r]))
            continue;
        ensure(p, row_h);
        cairo_set_source_rgb(p->cr, 0.87, 0.87, 0.87);
        cairo_set_line_width(p->cr, 0.5);
        cairo_move_to(p->cr, MARGIN, p->y + row_h - 1);
        cairo_line_to(p->cr, MARGIN + BODY_W, p->y + row_h - 1);
        cairo_stroke(p->cr);
        PangoLayout *l = layout(p, rows[r].label, label_font, label_w, 0);
        cairo_set_source_rgb(p->cr, 0.13, 0.13, 0.13);
        cairo_move_to(p->cr, MARGIN, p->y);
        pango_cairo_show_layout(p->cr, l);
        g_object_unref(l);
        for (int k = 0; k < nc; k++) {
            char v[64];
            const rpt_cell *c = &rows[r].cells[cols[k]];
            rpt_format_cell(&rows[r], c, v, sizeof v);
            link_begin(p, c->present ? c->href : NULL);
            right_text(p, MARGIN + label_w + col_w * (k + 1) - 4, p->y, v, cell_font, c->present ? 0x222222 : 0xaaaaaa);
            link_end(p, c->present ? c->href : NULL);
        }
        p->y += row_h;
    }
    p->y += 6;
}

static int any_figure(const ds_report_data *d, const rpt_row *rows, int n)
{
    for (int r = 0; r < n; r++)
        if (rpt_row_any(d, &rows[r]))
            return 1;
    return 0;
}

static void ratios(pdf *p, const ds_report_data *d)
{
    if (!d->ratios_available) {
        text(p, MARGIN, BODY_W, "The database has no credit_ratios view (run dossier db migrate).", "DejaVu Sans 9",
             0x999999, 0);
        return;
    }
    if (!any_figure(d, d->ratios, d->n_ratios)) {
        text(p, MARGIN, BODY_W,
             "No credit ratio could be computed for these periods: credit_ratios lacks their inputs.", "DejaVu Sans 9",
             0x999999, 0);
        return;
    }
    table(p, d, d->ratios, d->n_ratios);
    for (int r = 0; r < d->n_ratios; r++) {
        char buf[640];
        if (!rpt_row_any(d, &d->ratios[r]))
            continue;
        snprintf(buf, sizeof buf, "%s: %s", d->ratios[r].label, d->ratios[r].definition);
        text(p, MARGIN, BODY_W, buf, "DejaVu Sans 7", 0x555555, 0);
    }
}

static void chart(pdf *p, const rpt_chart *c, double x, double y, double w, double h)
{
    cairo_t *cr = p->cr;
    const double L = 44, B = 30, T = 18;
    double pw = w - L - 6, ph = h - T - B;
    char buf[128];
    snprintf(buf, sizeof buf, "%s (%s)", c->title, c->unit);
    PangoLayout *l = layout(p, buf, "DejaVu Sans Bold 8.5", w, 0);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_move_to(cr, x, y);
    pango_cairo_show_layout(cr, l);
    g_object_unref(l);
    if (!c->has_data) {
        right_text(p, x + w / 2 + 20, y + h / 2, "no data", "DejaVu Sans 8", 0x999999);
        return;
    }
    cairo_set_line_width(cr, 0.5);
    for (double v = c->y_min; v <= c->y_max + c->tick / 2; v += c->tick) {
        double py = y + T + ph - rpt_chart_y(c, v, ph);
        cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
        cairo_move_to(cr, x + L, py);
        cairo_line_to(cr, x + L + pw, py);
        cairo_stroke(cr);
        snprintf(buf, sizeof buf, "%g", v);
        right_text(p, x + L - 4, py - 5, buf, "DejaVu Sans 6.5", 0x555555);
    }
    double slot = pw / (c->n_x ? c->n_x : 1);
    for (int i = 0; i < c->n_x; i++) {
        char l1[32], l2[32];
        rpt_chart_x_label(c, i, l1, l2, sizeof l1);
        centred_text(p, x + L + slot * (i + 0.5), y + T + ph + 2, l1, "DejaVu Sans 6", 0x555555);
        centred_text(p, x + L + slot * (i + 0.5), y + T + ph + 10, l2, "DejaVu Sans 6", 0x555555);
    }
    double zero = y + T + ph - rpt_chart_y(c, 0 < c->y_min ? c->y_min : 0, ph);
    for (int s = 0; s < c->n_series; s++) {
        const rpt_series *se = &c->s[s];
        set_rgb(cr, se->rgb);
        if (c->kind == RPT_CHART_KIND_BARS) {
            double bw = slot * 0.7 / c->n_series;
            for (int i = 0; i < c->n_x; i++) {
                if (!se->present[i])
                    continue;
                double bx = x + L + slot * i + slot * 0.15 + bw * s;
                double by = y + T + ph - rpt_chart_y(c, se->v[i], ph);
                cairo_rectangle(cr, bx, by < zero ? by : zero, bw, by < zero ? zero - by : by - zero);
                cairo_fill(cr);
            }
        } else {
            cairo_set_line_width(cr, 1.5);
            int started = 0;
            for (int i = 0; i < c->n_x; i++) {
                if (!se->present[i])
                    continue;
                double px = x + L + slot * (i + 0.5), py = y + T + ph - rpt_chart_y(c, se->v[i], ph);
                if (started)
                    cairo_line_to(cr, px, py);
                else
                    cairo_move_to(cr, px, py);
                started = 1;
            }
            cairo_stroke(cr);
            for (int i = 0; i < c->n_x; i++) /* a dot on each point: a single point is seen too */
                if (se->present[i]) {
                    cairo_arc(cr, x + L + slot * (i + 0.5), y + T + ph - rpt_chart_y(c, se->v[i], ph), 2.2, 0, 6.2832);
                    cairo_fill(cr);
                }
        }
        cairo_rectangle(cr, x + L + 85.0 * s, y + h - 10, 7, 7);
        cairo_fill(cr);
        l = layout(p, se->label, "DejaVu Sans 6.5", 0, 0);
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        cairo_move_to(cr, x + L + 85.0 * s + 10, y + h - 12);
        pango_cairo_show_layout(cr, l);
        g_object_unref(l);
    }
}

static void escape_markup(const char *s, char *out, size_t cap)
{
    char *e = g_markup_escape_text(s ? s : "", -1);
    snprintf(out, cap, "%s", e);
    g_free(e);
}

/* The SWOT section: four quadrants, each item with its source and quote. */
static void pdf_swot(pdf *p, const ds_report_data *d)
{
    char buf[4096], e1[2048], e2[2048];
    static const char *const quadrants[4][3] = {{"strength", "Strengths", "2d7a46"},
                                                {"weakness", "Weaknesses", "b03a2e"},
                                                {"opportunity", "Opportunities", "1f5fa8"},
                                                {"threat", "Threats", "7d3c98"}};
    heading(p, "SWOT");
    for (int q = 0; q < 4; q++) {
        snprintf(buf, sizeof buf, "<span foreground=\"#%s\" weight=\"bold\">%s</span>", quadrants[q][2],
                 quadrants[q][1]);
        text(p, MARGIN, BODY_W, buf, "DejaVu Sans 10.5", 0x222222, 1);
        int any = 0;
        for (int i = 0; i < d->n_swot; i++) {
            const rpt_swot *s = &d->swot[i];
            if (strcmp(s->category, quadrants[q][0]) != 0)
                continue;
            any = 1;
            escape_markup(s->statement, e1, sizeof e1);
            text(p, MARGIN + 10, BODY_W - 10, e1, "DejaVu Sans 8.5", 0x222222, 1);
            snprintf(buf, sizeof buf, "%s%s%s%s%s · %s%s", s->source, *s->rule_id ? " rule " : "", s->rule_id,
                     *s->model ? " model " : "", s->model, s->document, "");
            escape_markup(buf, e1, sizeof e1);
            if (s->page)
                snprintf(e1 + strlen(e1), sizeof e1 - strlen(e1), ", p. %d", s->page);
            text_link(p, MARGIN + 10, BODY_W - 10, e1, "DejaVu Sans 7", 0x666666, 1, s->href);
            if (*s->quote) {
                escape_markup(s->quote, e2, sizeof e2);
                snprintf(buf, sizeof buf, "<i>“%s”</i>", e2);
                text(p, MARGIN + 20, BODY_W - 20, buf, "DejaVu Sans 7.5", 0x444444, 1);
            }
            p->y += 3;
        }
        if (!any)
            text(p, MARGIN + 10, BODY_W - 10, "none found", "DejaVu Sans 8", 0x999999, 0);
        p->y += 4;
    }
}

/* The open AML alerts, or a line saying there are none. */
static void pdf_alerts(pdf *p, const ds_report_data *d)
{
    char buf[4096], e1[2048], e2[2048];
    heading(p, "Open AML alerts");
    if (d->n_alerts == 0)
        text(p, MARGIN, BODY_W, "No open alerts.", "DejaVu Sans 9", 0x222222, 0);
    for (int i = 0; i < d->n_alerts; i++) {
        const rpt_alert *a = &d->alerts[i];
        escape_markup(a->subject, e1, sizeof e1);
        snprintf(buf, sizeof buf, "<b>%s</b>: %s", a->kind, e1);
        if (*a->matched_name) {
            escape_markup(a->matched_name, e2, sizeof e2);
            if (a->has_score)
                snprintf(buf + strlen(buf), sizeof buf - strlen(buf), " ~ %s (score %.2f, list %s)", e2, a->score,
                         a->list_version);
            else
                snprintf(buf + strlen(buf), sizeof buf - strlen(buf), " ~ %s (list %s)", e2, a->list_version);
        }
        text(p, MARGIN, BODY_W, buf, "DejaVu Sans 8.5", 0x222222, 1);
        snprintf(buf, sizeof buf, "%s · %s, p. %d: %s", a->status, a->document, a->page, a->quote);
        text_link(p, MARGIN + 10, BODY_W - 10, buf, "DejaVu Sans 7.5", 0x555555, 0, a->href);
        p->y += 3;
    }
}

/* The sources: one line per document, then the source of every figure in the tables. */
static void pdf_sources(pdf *p, const ds_report_data *d)
{
    char buf[4096];
    heading(p, "Sources");
    for (int i = 0; i < d->n_docs; i++) {
        const rpt_doc *x = &d->docs[i];
        snprintf(buf, sizeof buf, "#%lld %s · %s %s · period %s · %d pages · %s by run %lld", x->id, x->name, x->kind,
                 x->form_type, *x->period_end ? x->period_end : "n/a", x->pages, x->status, x->run_id);
        text_link(p, MARGIN, BODY_W, buf, "DejaVu Sans 8", 0x333333, 0, x->href);
    }
    for (int r = 0; r < d->n_metrics; r++)
        for (int i = 0; i < d->n_periods; i++) {
            const rpt_cell *c = &d->metrics[r].cells[i];
            if (!c->present)
                continue;
            if (c->note && *c->note)
                snprintf(buf, sizeof buf, "%s %s: ltm = %s; year to date from %s, p. %d", d->metrics[r].label,
                         d->periods[i].label, c->note, c->document, c->page);
            else
                snprintf(buf, sizeof buf, "%s %s: %s from %s, p. %d, run %lld", d->metrics[r].label,
                         d->periods[i].label, c->extractor, c->document, c->page, c->run_id);
            text(p, MARGIN, BODY_W, buf, "DejaVu Sans 6.5", 0x777777, 0);
        }
}

ds_status rpt_write_pdf(const ds_report_data *d, const char *path, ds_err *err)
{
    pdf p = {0};
    p.title = d->title;
    p.surface = cairo_pdf_surface_create(path, PAGE_W, PAGE_H);
    if (cairo_surface_status(p.surface) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(p.surface);
        return ds_err_set(err, DS_ERR_IO, "cannot write %s", path);
    }
    cairo_pdf_surface_set_metadata(p.surface, CAIRO_PDF_METADATA_TITLE, d->title);
    cairo_pdf_surface_set_metadata(p.surface, CAIRO_PDF_METADATA_CREATOR, "dossier");
    p.cr = cairo_create(p.surface);
    new_page(&p);
    char buf[4096];
    text(&p, MARGIN, BODY_W, d->title, "DejaVu Sans Bold 20", 0x111111, 0);
    const char *co = d->company && d->document_id ? d->company : "";
    snprintf(buf, sizeof buf, "%s%s%s%s%s%d document%s · generated %s", co, *co ? " · " : "", d->cik ? "CIK " : "",
             d->cik ? d->cik : "", d->cik ? " · " : "", d->n_docs, d->n_docs == 1 ? "" : "s", d->generated_at);
    text(&p, MARGIN, BODY_W, buf, "DejaVu Sans 9", 0x666666, 0);

    heading(&p, "Key metrics");
    snprintf(buf, sizeof buf, "%s; fiscal years end in %s (from %s); source of each figure in the Sources section",
             rpt_unit_note(), rpt_month_name(d->fy_end_month), d->calendar_source);
    text(&p, MARGIN, BODY_W, buf, "DejaVu Sans 7.5", 0x666666, 0);
    p.y += 4;
    if (!any_figure(d, d->metrics, d->n_metrics))
        text(&p, MARGIN, BODY_W, "No consolidated figures found.", "DejaVu Sans 9", 0x999999, 0);
    else
        table(&p, d, d->metrics, d->n_metrics);

    heading(&p, "Trends");
    rpt_chart charts[3];
    int nc = rpt_charts_build(d, charts, 3);
    double cw = (BODY_W - 12) / 2, ch = 170;
    for (int i = 0; i < nc; i++) {
        if (i % 2 == 0)
            ensure(&p, ch + 8);
        chart(&p, &charts[i], MARGIN + (i % 2) * (cw + 12), p.y, cw, ch);
        if (i % 2 == 1 || i == nc - 1)
            p.y += ch + 8;
    }

    heading(&p, "Credit ratios");
    ratios(&p, d);

    pdf_swot(&p, d);
    pdf_alerts(&p, d);
    pdf_sources(&p, d);
    footer(&p);
    cairo_show_page(p.cr);
    cairo_destroy(p.cr);
    cairo_surface_finish(p.surface);
    cairo_status_t cs = cairo_surface_status(p.surface);
    cairo_surface_destroy(p.surface);
    if (cs != CAIRO_STATUS_SUCCESS)
        return ds_err_set(err, DS_ERR_IO, "writing %s: %s", path, cairo_status_to_string(cs));
    return DS_OK;
}
