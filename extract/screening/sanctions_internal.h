/* sanctions_internal.h - what the sanctions list parsers (extract/screening/sanctions_*.c)
 * share: a list builder, JSON attribute writing, and safe libxml2 reading. Internal to the
 * extract stage; other stages use extract/screening/sanctions.h.
 *
 * Owns: a ds_sl_builder owns its growing arrays until ds_sl_finish hands a finished list to
 * the caller (or ds_sl_abandon frees everything). Threading: one builder per thread.
 */
#ifndef DS_EXTRACT_SANCTIONS_INTERNAL_H
#define DS_EXTRACT_SANCTIONS_INTERNAL_H

#include "extract/screening/sanctions.h"
#include "pipeline/core/buf.h"
#include "pipeline/core/vec.h"

#include <libxml/tree.h>

typedef struct ds_sl_alias_row {
    size_t owner; /* entry index */
    size_t seq;   /* arrival order, for a stable order per entry */
    ds_sanctions_alias alias;
} ds_sl_alias_row;

typedef struct ds_sl_builder {
    ds_sanctions_list *list;
    DS_VEC(ds_sanctions_entry) entries;
    DS_VEC(ds_sl_alias_row) aliases;
    const char *name; /* input name for messages */
} ds_sl_builder;

ds_status ds_sl_begin(ds_sl_builder *b, ds_sanctions_source source, ds_sanctions_format format, const char *name,
                      ds_err *err);
/* Adds an entry (strings must already live in the list arena); returns its index in *index. */
ds_status ds_sl_add_entry(ds_sl_builder *b, const ds_sanctions_entry *e, size_t *index);
/* Adds an alias of entry owner; name copied into the arena, empty names and names equal to
 * the entry's primary name ignored. quality and kind must be static strings or arena strings. */
ds_status ds_sl_add_alias(ds_sl_builder *b, size_t owner, const char *name, size_t len, const char *quality,
                          const char *kind);
/* Hands the finished list to *out. */
ds_status ds_sl_finish(ds_sl_builder *b, ds_sanctions_list **out, ds_err *err);
void ds_sl_abandon(ds_sl_builder *b);

/* Arena copy of s[0..n) with surrounding white space trimmed and inner runs of white space
 * collapsed to one space (collapse) or kept (!collapse); invalid UTF-8 is read as Windows-1252.
 * NULL for an empty result or out of memory (check *nomem). */
char *ds_sl_text(ds_sl_builder *b, const char *s, size_t n, int collapse, int *nomem);

/* JSON object writer into a ds_buf: "{" on the first key, "}" from ds_sl_json_close. Values
 * that are NULL are skipped. */
typedef struct ds_sl_json {
    ds_buf buf;
    int fields;
    int in_array;          /* items written in the open array, -1 when none open */
    const char *array_key; /* borrowed: key of the open array, written with its first item */
    ds_status st;
} ds_sl_json;

void ds_sl_json_init(ds_sl_json *j);
void ds_sl_json_str(ds_sl_json *j, const char *key, const char *value);
/* Arrays are written lazily: an array with no items leaves no key behind. */
void ds_sl_json_array_open(ds_sl_json *j, const char *key);
void ds_sl_json_array_str(ds_sl_json *j, const char *value); /* a string item */
void ds_sl_json_array_obj_open(ds_sl_json *j);               /* an object item */
void ds_sl_json_obj_str(ds_sl_json *j, int *first, const char *key, const char *value);
void ds_sl_json_array_obj_close(ds_sl_json *j);
int ds_sl_json_array_close(ds_sl_json *j); /* returns the items written */
/* Closes the object and copies it into the arena ("{}" when empty); NULL when out of memory. */
const char *ds_sl_json_finish(ds_sl_json *j, ds_sl_builder *b);
void ds_sl_json_deinit(ds_sl_json *j);

/* ---- XML --------------------------------------------------------------------------------- */
/* Parses XML safely (no network, no entity substitution, no DTD; a DOCTYPE is refused).
 * NULL with err set on failure; the caller frees the document with xmlFreeDoc. */
xmlDocPtr ds_sl_xml_read(const char *data, size_t n, const char *name, ds_err *err);
/* Whether node is an element with this local name (namespaces ignored). */
int ds_sl_xml_is(const xmlNode *node, const char *local);
/* First child element with this local name, or NULL. */
xmlNode *ds_sl_xml_child(const xmlNode *node, const char *local);
/* Text content of node (collapse as for ds_sl_text), NULL when empty. */
char *ds_sl_xml_text(ds_sl_builder *b, const xmlNode *node, int collapse, int *nomem);
/* Attribute (no namespace) as an arena string, NULL when absent or empty. */
char *ds_sl_xml_attr(ds_sl_builder *b, const xmlNode *node, const char *attr, int *nomem);

/* "YYYY-MM-DD..." or "MM/DD/YYYY" to an arena "YYYY-MM-DD"; "" when s is not a date. */
const char *ds_sl_iso_date(ds_sl_builder *b, const char *s);

/* return DS_SL_NOMEM(b, err): the out-of-memory error naming the input. */
#define DS_SL_NOMEM(b, err) ds_err_set((err), DS_ERR_NOMEM, "%s: out of memory", (b)->name)

#endif
