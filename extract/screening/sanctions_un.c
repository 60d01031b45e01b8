/* sanctions_un.c - the UN Security Council consolidated list (XML): CONSOLIDATED_LIST
 * [@dateGenerated] with INDIVIDUALS/INDIVIDUAL and ENTITIES/ENTITY, each with DATAID,
 * FIRST_NAME..FOURTH_NAME (an entity's name is its FIRST_NAME), UN_LIST_TYPE, REFERENCE_NUMBER,
 * LISTED_ON, COMMENTS1, NAME_ORIGINAL_SCRIPT, INDIVIDUAL_ALIAS / ENTITY_ALIAS (QUALITY,
 * ALIAS_NAME), NATIONALITY, DESIGNATION, TITLE and INDIVIDUAL_DATE_OF_BIRTH.
 *
 * Alias quality: Good is strong, Low is weak; "a.k.a." and "f.k.a." say the kind of alias, not
 * its strength. The name in original script is kept as an alias of kind "original script".
 *
 * Owns: nothing beyond the list it builds. Threading: reentrant.
 */
#include "extract/screening/sanctions_internal.h"

#include <string.h>
#include <strings.h>

static char *joined_name(ds_sl_builder *b, const xmlNode *e, int *nomem)
{
    static const char *const parts[] = {"FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"};
    ds_buf t = DS_BUF_INIT;
    for (size_t k = 0; k < 4; k++) {
        char *v = ds_sl_xml_text(b, ds_sl_xml_child(e, parts[k]), 1, nomem);
        if (v && ((t.len && ds_buf_putc(&t, ' ')) || ds_buf_puts(&t, v)))
            *nomem = 1;
    }
    char *s = t.data ? ds_sl_text(b, t.data, t.len, 1, nomem) : NULL;
    ds_buf_deinit(&t);
    return s;
}

/* VALUE children of the first child element named el, as a JSON array under key. */
static void values(ds_sl_builder *b, ds_sl_json *j, const xmlNode *e, const char *el, const char *key, int *nomem)
{
    ds_sl_json_array_open(j, key);
    for (const xmlNode *c = e->children; c; c = c->next) {
        if (!ds_sl_xml_is(c, el))
            continue;
        for (const xmlNode *v = c->children; v; v = v->next) {
            if (!ds_sl_xml_is(v, "VALUE"))
                continue;
            char *s = ds_sl_xml_text(b, v, 1, nomem);
            if (!s)
                continue;
            ds_sl_json_array_str(j, s);
        }
    }
    ds_sl_json_array_close(j);
}

static const char *attributes(ds_sl_builder *b, const xmlNode *e, int *nomem)
{
    ds_sl_json j;
    ds_sl_json_init(&j);
    ds_sl_json_str(&j, "reference_number", ds_sl_xml_text(b, ds_sl_xml_child(e, "REFERENCE_NUMBER"), 1, nomem));
    ds_sl_json_str(&j, "listed_on", ds_sl_xml_text(b, ds_sl_xml_child(e, "LISTED_ON"), 1, nomem));
    ds_sl_json_str(&j, "gender", ds_sl_xml_text(b, ds_sl_xml_child(e, "GENDER"), 1, nomem));
    values(b, &j, e, "TITLE", "titles", nomem);
    values(b, &j, e, "DESIGNATION", "designations", nomem);
    values(b, &j, e, "NATIONALITY", "nationalities", nomem);
    ds_sl_json_array_open(&j, "dates_of_birth");
    for (const xmlNode *c = e->children; c; c = c->next) {
        if (!ds_sl_xml_is(c, "INDIVIDUAL_DATE_OF_BIRTH"))
            continue;
        char *d = ds_sl_xml_text(b, ds_sl_xml_child(c, "DATE"), 1, nomem);
        if (!d)
            d = ds_sl_xml_text(b, ds_sl_xml_child(c, "YEAR"), 1, nomem);
        if (!d)
            continue;
        ds_sl_json_array_str(&j, d);
    }
    ds_sl_json_array_close(&j);
    const char *out = ds_sl_json_finish(&j, b);
    if (!out || j.st)
        *nomem = 1;
    ds_sl_json_deinit(&j);
    return out;
}

static ds_status add_entries(ds_sl_builder *b, const xmlNode *group, const char *item, const char *alias_el,
                             ds_sanctions_type type, ds_err *err)
{
    int nomem = 0;
    for (const xmlNode *e = group->children; e; e = e->next) {
        if (!ds_sl_xml_is(e, item))
            continue;
        ds_sanctions_entry en = {0};
        en.ext_id = ds_sl_xml_text(b, ds_sl_xml_child(e, "DATAID"), 1, &nomem);
        if (!en.ext_id && !nomem)
            return ds_err_set(err, DS_ERR_PARSE, "%s: line %ld: %s without DATAID", b->name, xmlGetLineNo(e), item);
        en.name = joined_name(b, e, &nomem);
        if (!en.name && !nomem)
            return ds_err_set(err, DS_ERR_PARSE, "%s: line %ld: %s %s has no name", b->name, xmlGetLineNo(e), item,
                              en.ext_id);
        en.type = type;
        en.programs = ds_sl_xml_text(b, ds_sl_xml_child(e, "UN_LIST_TYPE"), 1, &nomem);
        en.remarks = ds_sl_xml_text(b, ds_sl_xml_child(e, "COMMENTS1"), 0, &nomem);
        en.attributes = attributes(b, e, &nomem);
        size_t idx;
        if (nomem || ds_sl_add_entry(b, &en, &idx))
            return DS_SL_NOMEM(b, err);
        for (const xmlNode *a = e->children; a; a = a->next) {
            if (!ds_sl_xml_is(a, alias_el))
                continue;
            char *an = ds_sl_xml_text(b, ds_sl_xml_child(a, "ALIAS_NAME"), 1, &nomem);
            char *ql = ds_sl_xml_text(b, ds_sl_xml_child(a, "QUALITY"), 1, &nomem);
            const char *q = NULL, *kind = NULL;
            if (ql && strcasecmp(ql, "good") == 0)
                q = "strong";
            else if (ql && strcasecmp(ql, "low") == 0)
                q = "weak";
            else if (ql && strcasecmp(ql, "a.k.a.") == 0)
                kind = "a.k.a.";
            else if (ql && strcasecmp(ql, "f.k.a.") == 0)
                kind = "f.k.a.";
            if (nomem || (an && ds_sl_add_alias(b, idx, an, strlen(an), q, kind)))
                return DS_SL_NOMEM(b, err);
        }
        char *orig = ds_sl_xml_text(b, ds_sl_xml_child(e, "NAME_ORIGINAL_SCRIPT"), 1, &nomem);
        if (nomem || (orig && ds_sl_add_alias(b, idx, orig, strlen(orig), NULL, "original script")))
            return DS_SL_NOMEM(b, err);
    }
    return DS_OK;
}

ds_status ds_sanctions_parse_un_xml(const char *data, size_t n, const char *name, ds_sanctions_list **out, ds_err *err)
{
    *out = NULL;
    if (!name)
        name = "consolidated.xml";
    xmlDocPtr doc = ds_sl_xml_read(data, n, name, err);
    if (!doc)
        return err->code;
    ds_sl_builder b;
    ds_status st = ds_sl_begin(&b, DS_SANCTIONS_SOURCE_UN, DS_SANCTIONS_FORMAT_UN_XML, name, err);
    if (st) {
        xmlFreeDoc(doc);
        return st;
    }
    int nomem = 0;
    xmlNode *root = xmlDocGetRootElement(doc);
    if (!ds_sl_xml_is(root, "CONSOLIDATED_LIST")) {
        st = ds_err_set(err, DS_ERR_FORMAT, "%s: root element is <%s>, not <CONSOLIDATED_LIST>", name,
                        (const char *)root->name);
        goto done;
    }
    char *gen = ds_sl_xml_attr(&b, root, "dateGenerated", &nomem);
    b.list->published = ds_sl_iso_date(&b, gen);
    b.list->version = gen ? gen : "";
    const xmlNode *ind = ds_sl_xml_child(root, "INDIVIDUALS");
    const xmlNode *ent = ds_sl_xml_child(root, "ENTITIES");
    if (!ind && !ent) {
        st = ds_err_set(err, DS_ERR_PARSE, "%s: neither INDIVIDUALS nor ENTITIES found", name);
        goto done;
    }
    if (ind)
        st = add_entries(&b, ind, "INDIVIDUAL", "INDIVIDUAL_ALIAS", DS_SANCTIONS_TYPE_INDIVIDUAL, err);
    if (!st && ent)
        st = add_entries(&b, ent, "ENTITY", "ENTITY_ALIAS", DS_SANCTIONS_TYPE_ENTITY, err);
    if (!st && nomem)
        st = DS_SL_NOMEM(&b, err);
    if (!st && b.entries.n == 0)
        st = ds_err_set(err, DS_ERR_EMPTY, "%s: no entries", name);
done:
    xmlFreeDoc(doc);
    if (st) {
        ds_sl_abandon(&b);
        return st;
    }
    return ds_sl_finish(&b, out, err);
}
