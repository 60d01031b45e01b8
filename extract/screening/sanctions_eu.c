/* sanctions_eu.c - the EU consolidated financial sanctions list (XML, namespace
 * http://eu.europa.ec/fpi/fsd/export): export[@generationDate] / sanctionEntity[@logicalId] with
 * subjectType[@code] (person, enterprise), nameAlias[@wholeName, @firstName, @middleName,
 * @lastName, @nameLanguage, @strong], regulation[@programme], remark, birthdate, citizenship,
 * identification.
 *
 * The EU list has no primary name; the one used is the first strong alias in English (or with
 * no language) that has its parts (first/last name) given, else the first strong English one,
 * else the first. Every other alias is kept with quality strong or weak from @strong.
 *
 * Owns: nothing beyond the list it builds. Threading: reentrant.
 */
#include "extract/screening/sanctions_internal.h"

#include <string.h>
#include <strings.h>

static char *alias_name(ds_sl_builder *b, const xmlNode *a, int *nomem)
{
    char *whole = ds_sl_xml_attr(b, a, "wholeName", nomem);
    if (whole)
        return whole;
    char *f = ds_sl_xml_attr(b, a, "firstName", nomem);
    char *m = ds_sl_xml_attr(b, a, "middleName", nomem);
    char *l = ds_sl_xml_attr(b, a, "lastName", nomem);
    if (!f && !m && !l)
        return NULL;
    return ds_arena_printf(&b->list->arena, "%s%s%s%s%s", f ? f : "", f && (m || l) ? " " : "", m ? m : "",
                           m && l ? " " : "", l ? l : "");
}

/* Rank of an alias as the primary name (lower is better). */
static int primary_rank(ds_sl_builder *b, const xmlNode *a, int *nomem)
{
    char *strong = ds_sl_xml_attr(b, a, "strong", nomem);
    char *lang = ds_sl_xml_attr(b, a, "nameLanguage", nomem);
    int is_strong = !strong || strcasecmp(strong, "true") == 0;
    int english = !lang || strcasecmp(lang, "EN") == 0;
    int parts = ds_sl_xml_attr(b, a, "lastName", nomem) || ds_sl_xml_attr(b, a, "firstName", nomem);
    if (is_strong && english && parts)
        return 0;
    if (is_strong && english)
        return 1;
    return 2;
}

static const char *attributes(ds_sl_builder *b, const xmlNode *e, int *nomem)
{
    ds_sl_json j;
    ds_sl_json_init(&j);
    ds_sl_json_str(&j, "eu_reference_number", ds_sl_xml_attr(b, e, "euReferenceNumber", nomem));
    ds_sl_json_str(&j, "un_id", ds_sl_xml_attr(b, e, "unitedNationId", nomem));
    ds_sl_json_str(&j, "designation_date", ds_sl_xml_attr(b, e, "designationDate", nomem));
    ds_sl_json_str(&j, "designation_details", ds_sl_xml_attr(b, e, "designationDetails", nomem));
    static const struct {
        const char *el, *attr, *key;
    } lists[] = {{"birthdate", "birthdate", "dates_of_birth"},
                 {"birthdate", "countryDescription", "birth_countries"},
                 {"citizenship", "countryDescription", "citizenships"},
                 {"nameAlias", "function", "functions"}};
    for (size_t k = 0; k < sizeof lists / sizeof lists[0]; k++) {
        ds_sl_json_array_open(&j, lists[k].key);
        for (const xmlNode *c = e->children; c; c = c->next) {
            if (!ds_sl_xml_is(c, lists[k].el))
                continue;
            char *v = ds_sl_xml_attr(b, c, lists[k].attr, nomem);
            if (!v || strcmp(v, "UNKNOWN") == 0)
                continue;
            ds_sl_json_array_str(&j, v);
        }
        ds_sl_json_array_close(&j);
    }
    ds_sl_json_array_open(&j, "ids");
    for (const xmlNode *c = e->children; c; c = c->next) {
        if (!ds_sl_xml_is(c, "identification"))
            continue;
        char *num = ds_sl_xml_attr(b, c, "number", nomem);
        if (!num)
            continue;
        int first = 1;
        ds_sl_json_array_obj_open(&j);
        ds_sl_json_obj_str(&j, &first, "type", ds_sl_xml_attr(b, c, "identificationTypeDescription", nomem));
        ds_sl_json_obj_str(&j, &first, "number", num);
        ds_sl_json_obj_str(&j, &first, "country", ds_sl_xml_attr(b, c, "countryDescription", nomem));
        ds_sl_json_array_obj_close(&j);
    }
    ds_sl_json_array_close(&j);
    const char *out = ds_sl_json_finish(&j, b);
    if (!out || j.st)
        *nomem = 1;
    ds_sl_json_deinit(&j);
    return out;
}

/* Distinct regulation programmes, "; "-separated. */
static char *programs(ds_sl_builder *b, const xmlNode *e, int *nomem)
{
    ds_buf t = DS_BUF_INIT;
    for (const xmlNode *c = e->children; c; c = c->next) {
        if (!ds_sl_xml_is(c, "regulation"))
            continue;
        char *p = ds_sl_xml_attr(b, c, "programme", nomem);
        if (!p)
            continue;
        int seen = 0;
        if (t.data) {
            size_t pl = strlen(p);
            for (const char *s = t.data; (s = strstr(s, p)) != NULL; s += pl)
                if ((s == t.data || s[-1] == ' ') && (s[pl] == ';' || s[pl] == '\0'))
                    seen = 1;
        }
        if (seen)
            continue;
        if ((t.len && ds_buf_puts(&t, "; ")) || ds_buf_puts(&t, p))
            *nomem = 1;
    }
    char *s = t.data ? ds_sl_text(b, t.data, t.len, 1, nomem) : NULL;
    ds_buf_deinit(&t);
    return s;
}

static char *remarks(ds_sl_builder *b, const xmlNode *e, int *nomem)
{
    ds_buf t = DS_BUF_INIT;
    for (const xmlNode *c = e->children; c; c = c->next) {
        if (!ds_sl_xml_is(c, "remark"))
            continue;
        char *r = ds_sl_xml_text(b, c, 0, nomem);
        if (r && ((t.len && ds_buf_puts(&t, "\n")) || ds_buf_puts(&t, r)))
            *nomem = 1;
    }
    char *s = t.data ? ds_sl_text(b, t.data, t.len, 0, nomem) : NULL;
    ds_buf_deinit(&t);
    return s;
}

ds_status ds_sanctions_parse_eu_xml(const char *data, size_t n, const char *name, ds_sanctions_list **out, ds_err *err)
{
    *out = NULL;
    if (!name)
        name = "eu.xml";
    xmlDocPtr doc = ds_sl_xml_read(data, n, name, err);
    if (!doc)
        return err->code;
    ds_sl_builder b;
    ds_status st = ds_sl_begin(&b, DS_SANCTIONS_SOURCE_EU, DS_SANCTIONS_FORMAT_EU_XML, name, err);
    if (st) {
        xmlFreeDoc(doc);
        return st;
    }
    int nomem = 0;
    xmlNode *root = xmlDocGetRootElement(doc);
    if (!ds_sl_xml_is(root, "export")) {
        st = ds_err_set(err, DS_ERR_FORMAT, "%s: root element is <%s>, not <export>", name, (const char *)root->name);
        goto done;
    }
    char *gen = ds_sl_xml_attr(&b, root, "generationDate", &nomem);
    b.list->published = ds_sl_iso_date(&b, gen);
    b.list->version = gen ? gen : "";
    for (const xmlNode *e = root->children; e && !st && !nomem; e = e->next) {
        if (!ds_sl_xml_is(e, "sanctionEntity"))
            continue;
        ds_sanctions_entry en = {0};
        en.ext_id = ds_sl_xml_attr(&b, e, "logicalId", &nomem);
        if (!en.ext_id && !nomem) {
            st = ds_err_set(err, DS_ERR_PARSE, "%s: line %ld: sanctionEntity without logicalId", name, xmlGetLineNo(e));
            break;
        }
        const xmlNode *primary = NULL;
        int best = 99;
        for (const xmlNode *a = e->children; a; a = a->next) {
            if (!ds_sl_xml_is(a, "nameAlias") || !alias_name(&b, a, &nomem))
                continue;
            int r = primary_rank(&b, a, &nomem);
            if (r < best) {
                best = r;
                primary = a;
            }
        }
        if (!primary) {
            if (!nomem)
                st = ds_err_set(err, DS_ERR_PARSE, "%s: line %ld: sanctionEntity %s has no name", name, xmlGetLineNo(e),
                                en.ext_id);
            break;
        }
        en.name = alias_name(&b, primary, &nomem);
        char *code = ds_sl_xml_attr(&b, ds_sl_xml_child(e, "subjectType"), "code", &nomem);
        en.type = code && strcasecmp(code, "person") == 0 ? DS_SANCTIONS_TYPE_INDIVIDUAL : DS_SANCTIONS_TYPE_ENTITY;
        en.programs = programs(&b, e, &nomem);
        en.remarks = remarks(&b, e, &nomem);
        en.attributes = attributes(&b, e, &nomem);
        size_t idx;
        if (nomem || ds_sl_add_entry(&b, &en, &idx)) {
            nomem = 1;
            break;
        }
        for (const xmlNode *a = e->children; a && !nomem; a = a->next) {
            if (!ds_sl_xml_is(a, "nameAlias") || a == primary)
                continue;
            char *an = alias_name(&b, a, &nomem);
            char *strong = ds_sl_xml_attr(&b, a, "strong", &nomem);
            const char *q = !strong ? NULL : strcasecmp(strong, "true") == 0 ? "strong" : "weak";
            if (an && ds_sl_add_alias(&b, idx, an, strlen(an), q, NULL))
                nomem = 1;
        }
    }
    if (!st && nomem)
        st = DS_SL_NOMEM(&b, err);
    if (!st && b.entries.n == 0)
        st = ds_err_set(err, DS_ERR_EMPTY, "%s: no sanctionEntity elements", name);
done:
    xmlFreeDoc(doc);
    if (st) {
        ds_sl_abandon(&b);
        return st;
    }
    return ds_sl_finish(&b, out, err);
}
