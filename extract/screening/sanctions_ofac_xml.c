/* sanctions_ofac_xml.c - OFAC SDN list in its classic XML layout (sdn.xml): sdnList with
 * publshInformation/Publish_Date (MM/DD/YYYY) and sdnEntry elements (uid, firstName, lastName,
 * title, sdnType, remarks, programList/program, akaList/aka with type, category strong/weak and
 * names, addressList, idList, nationalityList, citizenshipList, dateOfBirthList,
 * placeOfBirthList, vesselInfo).
 *
 * Names are written as the CSV writes them: "LAST, First" for persons with a first name, the
 * last name alone otherwise. Elements are matched by local name (the file's namespace varies).
 *
 * Owns: nothing beyond the list it builds. Threading: reentrant.
 */
#include "extract/screening/sanctions_internal.h"

#include <string.h>
#include <strings.h>

static char *full_name(ds_sl_builder *b, const xmlNode *n, int *nomem)
{
    char *last = ds_sl_xml_text(b, ds_sl_xml_child(n, "lastName"), 1, nomem);
    char *first = ds_sl_xml_text(b, ds_sl_xml_child(n, "firstName"), 1, nomem);
    if (last && first)
        return ds_arena_printf(&b->list->arena, "%s, %s", last, first);
    return last ? last : first;
}

/* Appends the text of every <item> child of <list> to a JSON array named key. */
static void json_list(ds_sl_builder *b, ds_sl_json *j, const xmlNode *entry, const char *list, const char *item,
                      const char *field, const char *key, int *nomem)
{
    const xmlNode *l = ds_sl_xml_child(entry, list);
    if (!l)
        return;
    ds_sl_json_array_open(j, key);
    for (const xmlNode *c = l->children; c; c = c->next) {
        if (!ds_sl_xml_is(c, item))
            continue;
        char *v = ds_sl_xml_text(b, ds_sl_xml_child(c, field), 1, nomem);
        if (!v)
            continue;
        ds_sl_json_array_str(j, v);
    }
    ds_sl_json_array_close(j);
}

static const char *attributes(ds_sl_builder *b, const xmlNode *e, int *nomem)
{
    ds_sl_json j;
    ds_sl_json_init(&j);
    ds_sl_json_str(&j, "title", ds_sl_xml_text(b, ds_sl_xml_child(e, "title"), 1, nomem));
    json_list(b, &j, e, "dateOfBirthList", "dateOfBirthItem", "dateOfBirth", "dates_of_birth", nomem);
    json_list(b, &j, e, "placeOfBirthList", "placeOfBirthItem", "placeOfBirth", "places_of_birth", nomem);
    json_list(b, &j, e, "nationalityList", "nationality", "country", "nationalities", nomem);
    json_list(b, &j, e, "citizenshipList", "citizenship", "country", "citizenships", nomem);
    const xmlNode *al = ds_sl_xml_child(e, "addressList");
    if (al) {
        ds_sl_json_array_open(&j, "addresses");
        static const char *const parts[] = {"address1",        "address2",   "address3", "city",
                                            "stateOrProvince", "postalCode", "country"};
        for (const xmlNode *a = al->children; a; a = a->next) {
            if (!ds_sl_xml_is(a, "address"))
                continue;
            int first = 1;
            for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++) {
                char *v = ds_sl_xml_text(b, ds_sl_xml_child(a, parts[k]), 1, nomem);
                if (!v)
                    continue;
                if (first)
                    ds_sl_json_array_obj_open(&j);
                ds_sl_json_obj_str(&j, &first, parts[k], v);
            }
            if (!first)
                ds_sl_json_array_obj_close(&j);
        }
        ds_sl_json_array_close(&j);
    }
    const xmlNode *il = ds_sl_xml_child(e, "idList");
    if (il) {
        ds_sl_json_array_open(&j, "ids");
        for (const xmlNode *a = il->children; a; a = a->next) {
            if (!ds_sl_xml_is(a, "id"))
                continue;
            char *type = ds_sl_xml_text(b, ds_sl_xml_child(a, "idType"), 1, nomem);
            char *num = ds_sl_xml_text(b, ds_sl_xml_child(a, "idNumber"), 1, nomem);
            char *country = ds_sl_xml_text(b, ds_sl_xml_child(a, "idCountry"), 1, nomem);
            if (!type && !num)
                continue;
            int first = 1;
            ds_sl_json_array_obj_open(&j);
            ds_sl_json_obj_str(&j, &first, "type", type);
            ds_sl_json_obj_str(&j, &first, "number", num);
            ds_sl_json_obj_str(&j, &first, "country", country);
            ds_sl_json_array_obj_close(&j);
        }
        ds_sl_json_array_close(&j);
    }
    const xmlNode *v = ds_sl_xml_child(e, "vesselInfo");
    if (v) {
        ds_sl_json_str(&j, "call_sign", ds_sl_xml_text(b, ds_sl_xml_child(v, "callSign"), 1, nomem));
        ds_sl_json_str(&j, "vessel_type", ds_sl_xml_text(b, ds_sl_xml_child(v, "vesselType"), 1, nomem));
        ds_sl_json_str(&j, "vessel_flag", ds_sl_xml_text(b, ds_sl_xml_child(v, "vesselFlag"), 1, nomem));
        ds_sl_json_str(&j, "vessel_owner", ds_sl_xml_text(b, ds_sl_xml_child(v, "vesselOwner"), 1, nomem));
        ds_sl_json_str(&j, "tonnage", ds_sl_xml_text(b, ds_sl_xml_child(v, "tonnage"), 1, nomem));
        ds_sl_json_str(&j, "grt", ds_sl_xml_text(b, ds_sl_xml_child(v, "grossRegisteredTonnage"), 1, nomem));
    }
    const char *out = ds_sl_json_finish(&j, b);
    if (!out || j.st)
        *nomem = 1;
    ds_sl_json_deinit(&j);
    return out;
}

static char *programs(ds_sl_builder *b, const xmlNode *e, int *nomem)
{
    const xmlNode *pl = ds_sl_xml_child(e, "programList");
    if (!pl)
        return NULL;
    ds_buf t = DS_BUF_INIT;
    for (const xmlNode *p = pl->children; p; p = p->next) {
        if (!ds_sl_xml_is(p, "program"))
            continue;
        char *v = ds_sl_xml_text(b, p, 1, nomem);
        if (!v)
            continue;
        if ((t.len && ds_buf_puts(&t, "; ")) || ds_buf_puts(&t, v))
            *nomem = 1;
    }
    char *s = t.data ? ds_sl_text(b, t.data, t.len, 1, nomem) : NULL;
    ds_buf_deinit(&t);
    return s;
}

ds_status ds_sanctions_parse_ofac_xml(const char *data, size_t n, const char *name, ds_sanctions_list **out,
                                      ds_err *err)
{
    *out = NULL;
    if (!name)
        name = "sdn.xml";
    xmlDocPtr doc = ds_sl_xml_read(data, n, name, err);
    if (!doc)
        return err->code;
    ds_sl_builder b;
    ds_status st = ds_sl_begin(&b, DS_SANCTIONS_SOURCE_OFAC_SDN, DS_SANCTIONS_FORMAT_OFAC_XML, name, err);
    if (st) {
        xmlFreeDoc(doc);
        return st;
    }
    xmlNode *root = xmlDocGetRootElement(doc);
    int nomem = 0;
    if (!ds_sl_xml_is(root, "sdnList")) {
        st = ds_err_set(err, DS_ERR_FORMAT, "%s: root element is <%s>, not <sdnList>", name, (const char *)root->name);
        goto done;
    }
    const xmlNode *pub = ds_sl_xml_child(root, "publshInformation");
    char *date = ds_sl_xml_text(&b, ds_sl_xml_child(pub, "Publish_Date"), 1, &nomem);
    b.list->published = ds_sl_iso_date(&b, date);
    b.list->version = *b.list->published ? b.list->published : (date ? date : "");
    for (const xmlNode *e = root->children; e && !st; e = e->next) {
        if (!ds_sl_xml_is(e, "sdnEntry"))
            continue;
        ds_sanctions_entry en = {0};
        en.ext_id = ds_sl_xml_text(&b, ds_sl_xml_child(e, "uid"), 1, &nomem);
        if (nomem)
            break;
        if (!en.ext_id) {
            st = ds_err_set(err, DS_ERR_PARSE, "%s: line %ld: sdnEntry without uid", name, xmlGetLineNo(e));
            break;
        }
        en.name = full_name(&b, e, &nomem);
        if (!en.name && !nomem) {
            st = ds_err_set(err, DS_ERR_PARSE, "%s: line %ld: sdnEntry %s has no name", name, xmlGetLineNo(e),
                            en.ext_id);
            break;
        }
        char *type = ds_sl_xml_text(&b, ds_sl_xml_child(e, "sdnType"), 1, &nomem);
        en.type = DS_SANCTIONS_TYPE_ENTITY;
        if (type && strcasecmp(type, "individual") == 0)
            en.type = DS_SANCTIONS_TYPE_INDIVIDUAL;
        else if (type && strcasecmp(type, "vessel") == 0)
            en.type = DS_SANCTIONS_TYPE_VESSEL;
        else if (type && strcasecmp(type, "aircraft") == 0)
            en.type = DS_SANCTIONS_TYPE_AIRCRAFT;
        en.programs = programs(&b, e, &nomem);
        en.remarks = ds_sl_xml_text(&b, ds_sl_xml_child(e, "remarks"), 0, &nomem);
        en.attributes = attributes(&b, e, &nomem);
        size_t idx;
        if (nomem || ds_sl_add_entry(&b, &en, &idx)) {
            nomem = 1;
            break;
        }
        const xmlNode *akas = ds_sl_xml_child(e, "akaList");
        for (const xmlNode *a = akas ? akas->children : NULL; a && !nomem; a = a->next) {
            if (!ds_sl_xml_is(a, "aka"))
                continue;
            char *an = full_name(&b, a, &nomem);
            char *cat = ds_sl_xml_text(&b, ds_sl_xml_child(a, "category"), 1, &nomem);
            char *kind = ds_sl_xml_text(&b, ds_sl_xml_child(a, "type"), 1, &nomem);
            const char *q = cat && strcasecmp(cat, "strong") == 0 ? "strong"
                            : cat && strcasecmp(cat, "weak") == 0 ? "weak"
                                                                  : NULL;
            if (an && ds_sl_add_alias(&b, idx, an, strlen(an), q, kind))
                nomem = 1;
        }
    }
    if (!st && nomem)
        st = DS_SL_NOMEM(&b, err);
    if (!st && b.entries.n == 0)
        st = ds_err_set(err, DS_ERR_EMPTY, "%s: no sdnEntry elements", name);
done:
    xmlFreeDoc(doc);
    if (st) {
        ds_sl_abandon(&b);
        return st;
    }
    return ds_sl_finish(&b, out, err);
}
