/* xbrl_context.c - XBRL contexts and units, concept names by namespace URI, and cover-page
 * metadata: the parts of the fact model shared by the inline XBRL and instance parsers (see
 * xbrl_internal.h).
 *
 * Owns: the defs arrays (ds_malloc, freed by ds_xbrl_defs_deinit); strings go to the scratch
 * arena. Threading: one defs per parse.
 */
#include "ingest/xbrl_internal.h"

#include "pipeline/core/alloc.h"
#include "pipeline/core/vec.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void ds_xbrl_defs_init(ds_xbrl_defs *d, ds_arena *scratch)
{
    memset(d, 0, sizeof *d);
    d->scratch = scratch;
}

void ds_xbrl_defs_deinit(ds_xbrl_defs *d)
{
    if (!d)
        return;
    ds_free(d->ctx);
    ds_free(d->unit);
    memset(d, 0, sizeof *d);
}

/* Trimmed, whitespace-collapsed text of an element's subtree, in scratch. */
static const char *elem_text(ds_arena *a, const ds_mk_doc *md, const xmlNode *el)
{
    ds_buf b = DS_BUF_INIT;
    const char *r = NULL;
    if (ds_mk_text(md, el, 0, NULL, NULL, &b) == DS_OK) {
        ds_mk_collapse(&b);
        r = ds_arena_strdup(a, b.data ? b.data : "");
    }
    ds_buf_deinit(&b);
    return r;
}

/* Next element below root in document order (children first). */
static const xmlNode *next_elem(const xmlNode *n, const xmlNode *root)
{
    const xmlNode *c = n->children;
    while (c && c->type != XML_ELEMENT_NODE)
        c = c->next;
    if (c)
        return c;
    while (n && n != root) {
        for (const xmlNode *s = n->next; s; s = s->next)
            if (s->type == XML_ELEMENT_NODE)
                return s;
        n = n->parent;
    }
    return NULL;
}

typedef struct dim_pair {
    const char *axis, *member;
} dim_pair;

static int cmp_dim(const void *a, const void *b)
{
    const dim_pair *x = a, *y = b;
    int c = strcmp(x->axis, y->axis);
    return c ? c : strcmp(x->member, y->member);
}

static ds_status take_context(ds_xbrl_defs *d, const ds_mk_doc *md, const xmlNode *el)
{
    ds_arena *a = d->scratch;
    ds_xbrl_context c = {0};
    c.id = ds_mk_attr(a, el, "id");
    if (!c.id)
        return DS_OK; /* a context without id cannot be referenced */
    DS_VEC(dim_pair) dims = {0};
    ds_status st = DS_OK;
    for (const xmlNode *n = next_elem(el, el); n && st == DS_OK; n = next_elem(n, el)) {
        ds_mk_ns ns = ds_mk_elem_ns(md, n);
        const char *local = ds_mk_local(n->name);
        if (ns == DS_MK_NS_XBRLI) {
            if (!strcasecmp(local, "identifier") && !c.entity)
                c.entity = elem_text(a, md, n);
            else if (!strcasecmp(local, "instant"))
                c.end = elem_text(a, md, n);
            else if (!strcasecmp(local, "startDate"))
                c.start = elem_text(a, md, n);
            else if (!strcasecmp(local, "endDate"))
                c.end = elem_text(a, md, n);
        } else if (ns == DS_MK_NS_XBRLDI &&
                   (!strcasecmp(local, "explicitMember") || !strcasecmp(local, "typedMember"))) {
            const char *axis = ds_mk_attr(a, n, "dimension");
            if (!axis)
                continue;
            dim_pair p;
            p.axis = ds_xbrl_qname(a, md, n, axis);
            if (!strcasecmp(local, "explicitMember")) {
                const char *m = elem_text(a, md, n);
                p.member = m ? ds_xbrl_qname(a, md, n, m) : NULL;
            } else {
                p.member = elem_text(a, md, n);
            }
            if (!p.axis || !p.member)
                st = DS_ERR_NOMEM;
            else
                st = DS_VEC_PUSH(dims, p);
        }
    }
    if (st == DS_OK) {
        if (dims.n > 1)
            qsort(dims.v, dims.n, sizeof *dims.v, cmp_dim);
        ds_buf b = DS_BUF_INIT;
        st = ds_buf_reserve(&b, 0);
        for (size_t i = 0; i < dims.n && st == DS_OK; i++)
            st = ds_buf_printf(&b, "%s%s=%s", i ? ";" : "", dims.v[i].axis, dims.v[i].member);
        if (st == DS_OK && !(c.dims = ds_arena_strdup(a, b.data)))
            st = DS_ERR_NOMEM;
        ds_buf_deinit(&b);
    }
    DS_VEC_FREE(dims);
    if (st != DS_OK)
        return st;
    if (ds_vec_grow_((void **)&d->ctx, &d->cap_ctx, d->n_ctx + 1, sizeof *d->ctx))
        return DS_ERR_NOMEM;
    c.seq = d->n_ctx;
    d->ctx[d->n_ctx++] = c;
    d->sorted = 0;
    return DS_OK;
}

/* Measures of el's subtree (unitNumerator, unitDenominator or the unit itself) joined by '*'. */
static ds_status measures(ds_xbrl_defs *d, const ds_mk_doc *md, const xmlNode *el, ds_buf *out)
{
    size_t count = 0;
    for (const xmlNode *n = next_elem(el, el); n; n = next_elem(n, el)) {
        if (ds_mk_elem_ns(md, n) != DS_MK_NS_XBRLI || strcasecmp(ds_mk_local(n->name), "measure"))
            continue;
        const char *m = elem_text(d->scratch, md, n);
        if (!m)
            return DS_ERR_NOMEM;
        const char *colon = strchr(m, ':');
        if ((count++ && ds_buf_putc(out, '*')) || ds_buf_puts(out, colon ? colon + 1 : m))
            return DS_ERR_NOMEM;
    }
    return DS_OK;
}

static ds_status take_unit(ds_xbrl_defs *d, const ds_mk_doc *md, const xmlNode *el)
{
    ds_xbrl_unit u = {0};
    u.id = ds_mk_attr(d->scratch, el, "id");
    if (!u.id)
        return DS_OK;
    const xmlNode *num = NULL, *den = NULL;
    for (const xmlNode *n = next_elem(el, el); n; n = next_elem(n, el)) {
        if (ds_mk_elem_ns(md, n) != DS_MK_NS_XBRLI)
            continue;
        if (!num && !strcasecmp(ds_mk_local(n->name), "unitNumerator"))
            num = n;
        else if (!den && !strcasecmp(ds_mk_local(n->name), "unitDenominator"))
            den = n;
    }
    ds_buf b = DS_BUF_INIT;
    ds_status st = ds_buf_reserve(&b, 0);
    if (st == DS_OK && num && den) {
        st = measures(d, md, num, &b);
        if (st == DS_OK)
            st = ds_buf_putc(&b, '/');
        if (st == DS_OK)
            st = measures(d, md, den, &b);
    } else if (st == DS_OK) {
        st = measures(d, md, el, &b);
    }
    if (st == DS_OK && !(u.measure = ds_arena_strdup(d->scratch, b.data)))
        st = DS_ERR_NOMEM;
    ds_buf_deinit(&b);
    if (st == DS_OK && ds_vec_grow_((void **)&d->unit, &d->cap_unit, d->n_unit + 1, sizeof *d->unit))
        st = DS_ERR_NOMEM;
    if (st == DS_OK) {
        u.seq = d->n_unit;
        d->unit[d->n_unit++] = u;
        d->sorted = 0;
    }
    return st;
}

ds_status ds_xbrl_defs_take(ds_xbrl_defs *d, const ds_mk_doc *md, const xmlNode *el, int *taken)
{
    *taken = 0;
    if (ds_mk_elem_ns(md, el) != DS_MK_NS_XBRLI)
        return DS_OK;
    const char *local = ds_mk_local(el->name);
    if (!strcasecmp(local, "context")) {
        *taken = 1;
        return take_context(d, md, el);
    }
    if (!strcasecmp(local, "unit")) {
        *taken = 1;
        return take_unit(d, md, el);
    }
    return DS_OK;
}

/* Sort keys: id, then order of appearance, so the first definition of an id wins. */
static int cmp_ctx(const void *a, const void *b)
{
    const ds_xbrl_context *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x->seq < y->seq ? -1 : x->seq > y->seq);
}

static int cmp_unit(const void *a, const void *b)
{
    const ds_xbrl_unit *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x->seq < y->seq ? -1 : x->seq > y->seq);
}

void ds_xbrl_defs_finish(ds_xbrl_defs *d)
{
    if (d->n_ctx)
        qsort(d->ctx, d->n_ctx, sizeof *d->ctx, cmp_ctx);
    if (d->n_unit)
        qsort(d->unit, d->n_unit, sizeof *d->unit, cmp_unit);
    d->sorted = 1;
}

const ds_xbrl_context *ds_xbrl_defs_context(const ds_xbrl_defs *d, const char *id)
{
    if (!id || !d->n_ctx)
        return NULL;
    size_t lo = 0, hi = d->n_ctx;
    while (lo < hi) { /* first entry with key >= id */
        size_t mid = (lo + hi) / 2;
        if (strcmp(d->ctx[mid].id, id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < d->n_ctx && strcmp(d->ctx[lo].id, id) == 0 ? &d->ctx[lo] : NULL;
}

const ds_xbrl_unit *ds_xbrl_defs_unit(const ds_xbrl_defs *d, const char *id)
{
    if (!id || !d->n_unit)
        return NULL;
    size_t lo = 0, hi = d->n_unit;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(d->unit[mid].id, id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < d->n_unit && strcmp(d->unit[lo].id, id) == 0 ? &d->unit[lo] : NULL;
}

/* 1 when uri is base followed by a 4-digit year ("http://fasb.org/us-gaap/2023"). */
static int versioned(const char *uri, const char *base)
{
    size_t l = strlen(base);
    if (strncmp(uri, base, l) != 0)
        return 0;
    for (int i = 0; i < 4; i++)
        if (uri[l + i] < '0' || uri[l + i] > '9')
            return 0;
    return uri[l + 4] == '\0' || uri[l + 4] == '-' || uri[l + 4] == '/';
}

const char *ds_xbrl_std_prefix(const char *uri)
{
    static const struct {
        const char *base, *prefix;
    } std[] = {
        {"http://fasb.org/us-gaap/", "us-gaap"},
        {"http://xbrl.us/us-gaap/", "us-gaap"},
        {"http://fasb.org/srt/", "srt"},
        {"http://xbrl.sec.gov/dei/", "dei"},
        {"http://xbrl.us/dei/", "dei"},
        {"http://xbrl.sec.gov/ecd/", "ecd"},
        {"http://xbrl.sec.gov/country/", "country"},
        {"http://xbrl.sec.gov/stpr/", "stpr"},
        {"http://xbrl.sec.gov/exch/", "exch"},
        {"http://xbrl.sec.gov/currency/", "currency"},
        {"http://xbrl.sec.gov/naics/", "naics"},
        {"http://xbrl.sec.gov/sic/", "sic"},
        {"http://xbrl.sec.gov/cyd/", "cyd"},
        {"http://xbrl.sec.gov/ffd/", "ffd"},
    };
    if (!uri)
        return NULL;
    for (size_t i = 0; i < sizeof std / sizeof std[0]; i++)
        if (versioned(uri, std[i].base))
            return std[i].prefix;
    if (strcmp(uri, "http://www.xbrl.org/2003/iso4217") == 0)
        return "iso4217";
    /* IFRS: http://xbrl.ifrs.org/taxonomy/2023-03-23/ifrs-full */
    static const char ifrs[] = "http://xbrl.ifrs.org/taxonomy/";
    size_t l = strlen(uri);
    if (strncmp(uri, ifrs, sizeof ifrs - 1) == 0 && l > 10 && strcmp(uri + l - 10, "/ifrs-full") == 0)
        return "ifrs-full";
    return NULL;
}

const char *ds_xbrl_qname(ds_arena *scratch, const ds_mk_doc *md, const xmlNode *n, const char *qname)
{
    while (*qname == ' ' || *qname == '\t' || *qname == '\n' || *qname == '\r')
        qname++;
    size_t len = strlen(qname);
    while (len > 0 &&
           (qname[len - 1] == ' ' || qname[len - 1] == '\t' || qname[len - 1] == '\n' || qname[len - 1] == '\r'))
        len--;
    const char *colon = memchr(qname, ':', len);
    size_t pl = colon ? (size_t)(colon - qname) : 0;
    const char *local = colon ? colon + 1 : qname;
    size_t ll = len - (size_t)(local - qname);
    const char *std = ds_xbrl_std_prefix(ds_mk_ns_uri(md, n, qname, pl));
    if (std)
        return ds_arena_printf(scratch, "%s:%.*s", std, (int)ll, local);
    return ds_arena_strndup(scratch, qname, len);
}

const char *ds_xbrl_elem_concept(ds_arena *scratch, const ds_mk_doc *md, const xmlNode *el)
{
    const char *local = ds_mk_local(el->name);
    const char *uri = el->ns && el->ns->href ? (const char *)el->ns->href : NULL;
    const char *std = ds_xbrl_std_prefix(uri);
    if (std)
        return ds_arena_printf(scratch, "%s:%s", std, local);
    if (el->ns && el->ns->prefix)
        return ds_arena_printf(scratch, "%s:%s", (const char *)el->ns->prefix, local);
    (void)md;
    return ds_arena_strdup(scratch, (const char *)el->name);
}

ds_status ds_xbrl_cover_meta(ds_document *doc, const ds_xbrl_fact *f)
{
    if (!f->concept || !f->value || f->is_nil || (f->dimensions && f->dimensions[0]) ||
        strncmp(f->concept, "dei:", 4) != 0)
        return DS_OK;
    const char *c = f->concept + 4;
    const char **slot = NULL;
    if (!strcmp(c, "EntityRegistrantName"))
        slot = &doc->meta.company_name;
    else if (!strcmp(c, "EntityCentralIndexKey"))
        slot = &doc->meta.cik;
    else if (!strcmp(c, "DocumentType"))
        slot = &doc->meta.form_type;
    else if (!strcmp(c, "DocumentPeriodEndDate"))
        slot = &doc->meta.period_end;
    else if (!strcmp(c, "DocumentFiscalYearFocus"))
        slot = &doc->meta.fiscal_year;
    if (!slot || *slot || !f->value[0])
        return DS_OK;
    *slot = ds_doc_strdup(doc, f->value);
    return *slot ? DS_OK : DS_ERR_NOMEM;
}
