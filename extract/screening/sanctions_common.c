/* sanctions_common.c - what every sanctions list parser shares: format detection and dispatch,
 * the list builder, text clean-up, JSON attributes, safe XML reading, dates, and the
 * ds_sanctions_list life cycle.
 *
 * Owns: lists it finishes (handed to the caller). Threading: reentrant; libxml2 is initialised
 * on first use (xmlInitParser is idempotent).
 */
#include "extract/screening/sanctions_internal.h"

#include "pipeline/core/alloc.h"

#include <glib.h>
#include <libxml/parser.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- names of things --------------------------------------------------------------------- */

const char *ds_sanctions_source_name(ds_sanctions_source s)
{
    switch (s) {
    case DS_SANCTIONS_SOURCE_OFAC_SDN: return "ofac_sdn";
    case DS_SANCTIONS_SOURCE_EU: return "eu_consolidated";
    case DS_SANCTIONS_SOURCE_UN: return "un_consolidated";
    case DS_SANCTIONS_SOURCE_OFAC_CONS: return "ofac_consolidated";
    }
    return "unknown";
}

const char *ds_sanctions_type_name(ds_sanctions_type t)
{
    switch (t) {
    case DS_SANCTIONS_TYPE_INDIVIDUAL: return "individual";
    case DS_SANCTIONS_TYPE_ENTITY: return "entity";
    case DS_SANCTIONS_TYPE_VESSEL: return "vessel";
    case DS_SANCTIONS_TYPE_AIRCRAFT: return "aircraft";
    }
    return "entity";
}

const char *ds_sanctions_format_name(ds_sanctions_format f)
{
    switch (f) {
    case DS_SANCTIONS_FORMAT_OFAC_XML: return "ofac-xml";
    case DS_SANCTIONS_FORMAT_OFAC_CSV: return "ofac-csv";
    case DS_SANCTIONS_FORMAT_EU_XML: return "eu-xml";
    case DS_SANCTIONS_FORMAT_UN_XML: return "un-xml";
    case DS_SANCTIONS_FORMAT_UNKNOWN: break;
    }
    return "unknown";
}

/* ---- detection --------------------------------------------------------------------------- */

static int contains(const char *data, size_t n, const char *needle)
{
    return memmem(data, n, needle, strlen(needle)) != NULL;
}

/* Fields in the first CSV record, counting only commas outside quotes; 0 when the record does
 * not start with a number (OFAC files start every record with ent_num). */
static int first_record_fields(const char *p, size_t n)
{
    size_t i = 0;
    while (i < n && (p[i] == ' ' || p[i] == '\r' || p[i] == '\n'))
        i++;
    if (i >= n || p[i] < '0' || p[i] > '9')
        return 0;
    int fields = 1, quoted = 0;
    for (; i < n; i++) {
        char c = p[i];
        if (c == '"')
            quoted = !quoted;
        else if (!quoted && c == ',')
            fields++;
        else if (!quoted && (c == '\n' || c == '\r'))
            break;
    }
    return fields;
}

ds_sanctions_format ds_sanctions_detect(const char *data, size_t n)
{
    if (!data || n == 0)
        return DS_SANCTIONS_FORMAT_UNKNOWN;
    size_t i = 0;
    if (n >= 3 && (unsigned char)data[0] == 0xEF && (unsigned char)data[1] == 0xBB && (unsigned char)data[2] == 0xBF)
        i = 3;
    while (i < n && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    if (i < n && data[i] == '<') {
        size_t w = n - i < 8192 ? n - i : 8192;
        const char *h = data + i;
        if (contains(h, w, "<sdnList") || contains(h, w, ":sdnList"))
            return DS_SANCTIONS_FORMAT_OFAC_XML;
        if (contains(h, w, "<CONSOLIDATED_LIST"))
            return DS_SANCTIONS_FORMAT_UN_XML;
        if ((contains(h, w, "<export") || contains(h, w, ":export")) &&
            (contains(h, w, "fsd/export") || contains(h, w, "sanctionEntity")))
            return DS_SANCTIONS_FORMAT_EU_XML;
        return DS_SANCTIONS_FORMAT_UNKNOWN;
    }
    if (first_record_fields(data + i, n - i) == 12)
        return DS_SANCTIONS_FORMAT_OFAC_CSV;
    return DS_SANCTIONS_FORMAT_UNKNOWN;
}

ds_status ds_sanctions_parse(const char *data, size_t n, const char *name, ds_sanctions_list **out, ds_err *err)
{
    *out = NULL;
    if (!name)
        name = "(input)";
    if (!data || n == 0)
        return ds_err_set(err, DS_ERR_EMPTY, "%s: empty file", name);
    switch (ds_sanctions_detect(data, n)) {
    case DS_SANCTIONS_FORMAT_OFAC_XML: return ds_sanctions_parse_ofac_xml(data, n, name, out, err);
    case DS_SANCTIONS_FORMAT_EU_XML: return ds_sanctions_parse_eu_xml(data, n, name, out, err);
    case DS_SANCTIONS_FORMAT_UN_XML: return ds_sanctions_parse_un_xml(data, n, name, out, err);
    case DS_SANCTIONS_FORMAT_OFAC_CSV: {
        ds_sanctions_csv_files f = {0};
        f.sdn = data;
        f.sdn_n = n;
        f.sdn_name = name;
        return ds_sanctions_parse_ofac_csv(&f, out, err);
    }
    case DS_SANCTIONS_FORMAT_UNKNOWN: break;
    }
    return ds_err_set(
        err, DS_ERR_FORMAT,
        "%s: not a sanctions list this version reads (OFAC SDN XML or sdn.csv, EU or UN consolidated XML)", name);
}

/* ---- list life cycle and builder --------------------------------------------------------- */

void ds_sanctions_list_free(ds_sanctions_list *list)
{
    if (!list)
        return;
    ds_arena_deinit(&list->arena);
    ds_free(list);
}

ds_status ds_sl_begin(ds_sl_builder *b, ds_sanctions_source source, ds_sanctions_format format, const char *name,
                      ds_err *err)
{
    memset(b, 0, sizeof *b);
    b->name = name ? name : "(input)";
    b->list = ds_calloc(1, sizeof *b->list);
    if (!b->list)
        return DS_SL_NOMEM(b, err);
    ds_arena_init(&b->list->arena, 1 << 20);
    b->list->source = source;
    b->list->format = format;
    b->list->version = "";
    b->list->published = "";
    return DS_OK;
}

void ds_sl_abandon(ds_sl_builder *b)
{
    DS_VEC_FREE(b->entries);
    DS_VEC_FREE(b->aliases);
    ds_sanctions_list_free(b->list);
    b->list = NULL;
}

ds_status ds_sl_add_entry(ds_sl_builder *b, const ds_sanctions_entry *e, size_t *index)
{
    if (DS_VEC_PUSH(b->entries, *e))
        return DS_ERR_NOMEM;
    if (index)
        *index = b->entries.n - 1;
    return DS_OK;
}

ds_status ds_sl_add_alias(ds_sl_builder *b, size_t owner, const char *name, size_t len, const char *quality,
                          const char *kind)
{
    int nomem = 0;
    char *s = ds_sl_text(b, name, len, 1, &nomem);
    if (nomem)
        return DS_ERR_NOMEM;
    if (!s)
        return DS_OK;
    ds_sl_alias_row r = {owner, b->aliases.n, {s, quality, kind}};
    return DS_VEC_PUSH(b->aliases, r);
}

static int alias_row_cmp(const void *a, const void *b)
{
    const ds_sl_alias_row *x = a, *y = b;
    if (x->owner != y->owner)
        return x->owner < y->owner ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

ds_status ds_sl_finish(ds_sl_builder *b, ds_sanctions_list **out, ds_err *err)
{
    ds_sanctions_list *l = b->list;
    if (b->aliases.n)
        qsort(b->aliases.v, b->aliases.n, sizeof *b->aliases.v, alias_row_cmp);
    ds_sanctions_alias *all = NULL;
    if (b->aliases.n) {
        all = ds_arena_alloc(&l->arena, b->aliases.n * sizeof *all);
        if (!all) {
            ds_sl_abandon(b);
            return DS_SL_NOMEM(b, err);
        }
    }
    ds_sanctions_entry *entries = NULL;
    if (b->entries.n) {
        entries = ds_arena_alloc(&l->arena, b->entries.n * sizeof *entries);
        if (!entries) {
            ds_sl_abandon(b);
            return DS_SL_NOMEM(b, err);
        }
        memcpy(entries, b->entries.v, b->entries.n * sizeof *entries);
    }
    size_t w = 0, r = 0;
    for (size_t e = 0; e < b->entries.n; e++) {
        ds_sanctions_entry *en = &entries[e];
        en->aliases = all ? all + w : NULL;
        en->n_aliases = 0;
        for (; r < b->aliases.n && b->aliases.v[r].owner == e; r++) {
            const ds_sanctions_alias *a = &b->aliases.v[r].alias;
            int dup = en->name && strcmp(a->name, en->name) == 0;
            for (size_t k = 0; k < en->n_aliases && !dup; k++)
                dup = strcmp(en->aliases[k].name, a->name) == 0;
            if (dup)
                continue;
            all[w++] = *a;
            en->n_aliases++;
        }
        if (en->n_aliases == 0)
            en->aliases = NULL;
    }
    l->entries = entries;
    l->n_entries = b->entries.n;
    l->n_aliases = w;
    DS_VEC_FREE(b->entries);
    DS_VEC_FREE(b->aliases);
    b->list = NULL;
    *out = l;
    return DS_OK;
}

/* ---- text -------------------------------------------------------------------------------- */

/* Windows-1252 0x80..0x9F; 0 where undefined (becomes a space). */
static const unsigned short cp1252_high[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == 0;
}

char *ds_sl_text(ds_sl_builder *b, const char *s, size_t n, int collapse, int *nomem)
{
    if (!s || n == 0)
        return NULL;
    char *conv = NULL;
    if (!g_utf8_validate(s, (gssize)n, NULL)) {
        /* Not UTF-8: read it as Windows-1252. */
        conv = ds_malloc(n * 3 + 1);
        if (!conv) {
            *nomem = 1;
            return NULL;
        }
        size_t o = 0;
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)s[i];
            gunichar u = c < 0x80 ? c : c < 0xA0 ? cp1252_high[c - 0x80] : c;
            if (u == 0)
                u = ' ';
            o += (size_t)g_unichar_to_utf8(u, conv + o);
        }
        s = conv;
        n = o;
    }
    size_t a = 0, z = n;
    while (a < z && is_ws(s[a]))
        a++;
    while (z > a && is_ws(s[z - 1]))
        z--;
    char *out = NULL;
    if (z > a) {
        out = ds_arena_alloc(&b->list->arena, z - a + 1);
        if (!out) {
            *nomem = 1;
        } else {
            size_t o = 0;
            for (size_t i = a; i < z; i++) {
                char c = s[i];
                if (c == 0)
                    c = ' ';
                if (collapse && is_ws(c)) {
                    if (o > 0 && out[o - 1] != ' ')
                        out[o++] = ' ';
                    continue;
                }
                out[o++] = c;
            }
            out[o] = '\0';
        }
    }
    ds_free(conv);
    return out;
}

/* ---- JSON attributes --------------------------------------------------------------------- */

void ds_sl_json_init(ds_sl_json *j)
{
    ds_buf_init(&j->buf);
    j->fields = 0;
    j->in_array = -1;
    j->st = DS_OK;
}

void ds_sl_json_deinit(ds_sl_json *j)
{
    ds_buf_deinit(&j->buf);
}

static void jput(ds_sl_json *j, const char *s)
{
    if (!j->st && ds_buf_puts(&j->buf, s))
        j->st = DS_ERR_NOMEM;
}

static void jstring(ds_sl_json *j, const char *s)
{
    jput(j, "\"");
    for (const char *p = s; *p && !j->st; p++) {
        unsigned char c = (unsigned char)*p;
        char tmp[8];
        if (c == '"')
            jput(j, "\\\"");
        else if (c == '\\')
            jput(j, "\\\\");
        else if (c == '\n')
            jput(j, "\\n");
        else if (c == '\r')
            jput(j, "\\r");
        else if (c == '\t')
            jput(j, "\\t");
        else if (c < 0x20) {
            snprintf(tmp, sizeof tmp, "\\u%04x", c);
            jput(j, tmp);
        } else if (ds_buf_putc(&j->buf, (char)c))
            j->st = DS_ERR_NOMEM;
    }
    jput(j, "\"");
}

static void jkey(ds_sl_json *j, const char *key)
{
    jput(j, j->fields++ ? "," : "{");
    jstring(j, key);
    jput(j, ":");
}

void ds_sl_json_str(ds_sl_json *j, const char *key, const char *value)
{
    if (!value)
        return;
    jkey(j, key);
    jstring(j, value);
}

void ds_sl_json_array_open(ds_sl_json *j, const char *key)
{
    j->array_key = key; /* written with the first item: an empty array is left out */
    j->in_array = 0;
}

/* Before an item: the key and "[" for the first one, "," for the others. */
static void jitem(ds_sl_json *j)
{
    if (j->in_array++ > 0) {
        jput(j, ",");
        return;
    }
    jkey(j, j->array_key);
    jput(j, "[");
}

void ds_sl_json_array_str(ds_sl_json *j, const char *value)
{
    if (!value)
        return;
    jitem(j);
    jstring(j, value);
}

void ds_sl_json_array_obj_open(ds_sl_json *j)
{
    jitem(j);
    jput(j, "{");
}

void ds_sl_json_obj_str(ds_sl_json *j, int *first, const char *key, const char *value)
{
    if (!value)
        return;
    if (!*first)
        jput(j, ",");
    *first = 0;
    jstring(j, key);
    jput(j, ":");
    jstring(j, value);
}

void ds_sl_json_array_obj_close(ds_sl_json *j)
{
    jput(j, "}");
}

int ds_sl_json_array_close(ds_sl_json *j)
{
    int items = j->in_array > 0 ? j->in_array : 0;
    if (items)
        jput(j, "]");
    j->in_array = -1;
    j->array_key = NULL;
    return items;
}

const char *ds_sl_json_finish(ds_sl_json *j, ds_sl_builder *b)
{
    if (j->fields == 0)
        return "{}";
    jput(j, "}");
    if (j->st)
        return NULL;
    return ds_arena_strndup(&b->list->arena, j->buf.data, j->buf.len);
}

/* ---- XML --------------------------------------------------------------------------------- */

xmlDocPtr ds_sl_xml_read(const char *data, size_t n, const char *name, ds_err *err)
{
    if (n > INT_MAX) {
        ds_err_set(err, DS_ERR_TOO_LARGE, "%s: %zu bytes is more than the xml reader takes", name, n);
        return NULL;
    }
    xmlInitParser();
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", name);
        return NULL;
    }
    /* No network, no entity substitution (XML_PARSE_NOENT unset), no DTD loading or
     * validation, errors kept in the context rather than printed. */
    int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA | XML_PARSE_COMPACT;
    xmlDocPtr doc = xmlCtxtReadMemory(ctxt, data, (int)n, NULL, NULL, opts);
    if (!doc || !ctxt->wellFormed) {
        const xmlError *e = xmlCtxtGetLastError(ctxt);
        char msg[256] = "not well-formed xml";
        if (e && e->message) {
            snprintf(msg, sizeof msg, "%s", e->message);
            size_t l = strlen(msg);
            while (l && (msg[l - 1] == '\n' || msg[l - 1] == ' ' || msg[l - 1] == '.'))
                msg[--l] = '\0';
            if (l && msg[0] >= 'A' && msg[0] <= 'Z' && !(msg[1] >= 'A' && msg[1] <= 'Z'))
                msg[0] = (char)(msg[0] - 'A' + 'a');
        }
        ds_err_set(err, DS_ERR_PARSE, "%s: line %d: malformed xml: %s", name, e ? e->line : 0, msg);
        xmlFreeDoc(doc);
        xmlFreeParserCtxt(ctxt);
        return NULL;
    }
    xmlFreeParserCtxt(ctxt);
    if (doc->intSubset || doc->extSubset) {
        ds_err_set(err, DS_ERR_PARSE, "%s: document type declarations are not accepted in a sanctions list", name);
        xmlFreeDoc(doc);
        return NULL;
    }
    if (!xmlDocGetRootElement(doc)) {
        ds_err_set(err, DS_ERR_PARSE, "%s: xml has no root element", name);
        xmlFreeDoc(doc);
        return NULL;
    }
    return doc;
}

int ds_sl_xml_is(const xmlNode *node, const char *local)
{
    return node && node->type == XML_ELEMENT_NODE && node->name && strcmp((const char *)node->name, local) == 0;
}

xmlNode *ds_sl_xml_child(const xmlNode *node, const char *local)
{
    if (!node)
        return NULL;
    for (xmlNode *c = node->children; c; c = c->next)
        if (ds_sl_xml_is(c, local))
            return c;
    return NULL;
}

char *ds_sl_xml_text(ds_sl_builder *b, const xmlNode *node, int collapse, int *nomem)
{
    if (!node)
        return NULL;
    xmlChar *t = xmlNodeGetContent(node);
    if (!t)
        return NULL;
    char *s = ds_sl_text(b, (const char *)t, strlen((const char *)t), collapse, nomem);
    xmlFree(t);
    return s;
}

char *ds_sl_xml_attr(ds_sl_builder *b, const xmlNode *node, const char *attr, int *nomem)
{
    if (!node)
        return NULL;
    xmlChar *t = xmlGetNoNsProp(node, (const xmlChar *)attr);
    if (!t)
        return NULL;
    char *s = ds_sl_text(b, (const char *)t, strlen((const char *)t), 1, nomem);
    xmlFree(t);
    return s;
}

/* ---- dates ------------------------------------------------------------------------------- */

static int digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

const char *ds_sl_iso_date(ds_sl_builder *b, const char *s)
{
    if (!s)
        return "";
    int y = 0, m = 0, d = 0;
    size_t n = strlen(s);
    if (n >= 10 && digits(s, 4) && s[4] == '-' && digits(s + 5, 2) && s[7] == '-' && digits(s + 8, 2)) {
        y = atoi(s);
        m = atoi(s + 5);
        d = atoi(s + 8);
    } else {
        /* MM/DD/YYYY with one- or two-digit month and day (OFAC). */
        const char *p = s;
        char *end;
        long mm = strtol(p, &end, 10);
        if (end == p || *end != '/')
            return "";
        p = end + 1;
        long dd = strtol(p, &end, 10);
        if (end == p || *end != '/')
            return "";
        p = end + 1;
        long yy = strtol(p, &end, 10);
        if (end - p != 4)
            return "";
        y = (int)yy;
        m = (int)mm;
        d = (int)dd;
    }
    if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1 || d > 31)
        return "";
    char *out = ds_arena_printf(&b->list->arena, "%04d-%02d-%02d", y, m, d);
    return out ? out : "";
}
