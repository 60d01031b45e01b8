/* sanctions.h - parsers for official sanctions lists: the OFAC SDN list (sdn.xml and the CSV
 * files sdn.csv, alt.csv, add.csv, sdn_comments.csv), the EU consolidated financial sanctions
 * list (XML) and the UN Security Council consolidated list (XML).
 *
 * Every parser produces the same thing: list metadata (source, version, publication date) and
 * entries (list identifier, type, primary name, programmes, remarks, other attributes as a JSON
 * object, aliases with their quality). The database side (pipeline/lists.h) stores them; this
 * stage never touches the database.
 *
 * XML is read with libxml2 with network access off (XML_PARSE_NONET), no entity substitution
 * and no DTD loading; a document with a DOCTYPE is refused. Bad input gives DS_ERR_PARSE (or
 * DS_ERR_FORMAT for a file that is not the list it should be) with a message naming the file
 * and the line, never a crash.
 *
 * Owns: a ds_sanctions_list owns everything it points to (one arena); free it with
 * ds_sanctions_list_free. Threading: parsers are reentrant; a list belongs to one thread.
 */
#ifndef DS_EXTRACT_SANCTIONS_H
#define DS_EXTRACT_SANCTIONS_H

#include "pipeline/core/arena.h"
#include "pipeline/core/status.h"

#include <stddef.h>

typedef enum ds_sanctions_source {
    DS_SANCTIONS_SOURCE_OFAC_SDN,
    DS_SANCTIONS_SOURCE_EU,
    DS_SANCTIONS_SOURCE_UN,
    DS_SANCTIONS_SOURCE_OFAC_CONS /* OFAC's consolidated non-SDN list (cons_prim.csv) */
} ds_sanctions_source;

typedef enum ds_sanctions_format {
    DS_SANCTIONS_FORMAT_UNKNOWN,
    DS_SANCTIONS_FORMAT_OFAC_XML, /* sdn.xml */
    DS_SANCTIONS_FORMAT_OFAC_CSV, /* sdn.csv (+ alt.csv, add.csv, sdn_comments.csv) */
    DS_SANCTIONS_FORMAT_EU_XML,   /* EU consolidated list, export/sanctionEntity */
    DS_SANCTIONS_FORMAT_UN_XML    /* UN consolidated list, CONSOLIDATED_LIST */
} ds_sanctions_format;

typedef enum ds_sanctions_type {
    DS_SANCTIONS_TYPE_INDIVIDUAL,
    DS_SANCTIONS_TYPE_ENTITY,
    DS_SANCTIONS_TYPE_VESSEL,
    DS_SANCTIONS_TYPE_AIRCRAFT
} ds_sanctions_type;

typedef struct ds_sanctions_alias {
    const char *name;
    const char *quality; /* "strong" or "weak" as the list states it (OFAC category, EU strong
                             flag, UN Good/Low), or NULL when the list does not say */
    const char *kind;    /* "a.k.a.", "f.k.a.", "n.k.a.", "original script"; NULL unknown */
} ds_sanctions_alias;

typedef struct ds_sanctions_entry {
    const char *ext_id; /* OFAC uid/ent_num, EU logicalId, UN DATAID */
    ds_sanctions_type type;
    const char *name;       /* primary name as listed ("LAST, First" for OFAC persons) */
    const char *programs;   /* "; "-separated programmes, or NULL */
    const char *remarks;    /* NULL when none */
    const char *attributes; /* JSON object text (addresses, dates of birth...), never NULL */
    ds_sanctions_alias *aliases;
    size_t n_aliases;
} ds_sanctions_entry;

typedef struct ds_sanctions_list {
    ds_sanctions_source source;
    ds_sanctions_format format;
    const char *version;   /* version label from the file, "" when it states none (OFAC CSV) */
    const char *published; /* YYYY-MM-DD, "" when the file states none */
    ds_sanctions_entry *entries;
    size_t n_entries;
    size_t n_aliases; /* over all entries */
    size_t n_skipped; /* rows ignored: aliases and addresses of entries not in the list */
    ds_arena arena;   /* owns every string and array above */
} ds_sanctions_list;

/* The OFAC CSV files, already read. Only sdn is required; a missing file has data NULL. */
typedef struct ds_sanctions_csv_files {
    const char *sdn, *alt, *add, *comments;
    size_t sdn_n, alt_n, add_n, comments_n;
    const char *sdn_name, *alt_name, *add_name, *comments_name; /* for messages; NULL: defaults */
} ds_sanctions_csv_files;

/* Which list format data holds, from its content (not its name). */
ds_sanctions_format ds_sanctions_detect(const char *data, size_t n);

/* Parses one XML list (OFAC, EU or UN, detected from the content), or an OFAC sdn.csv alone.
 * name names the input in messages. On success *out is the caller's (ds_sanctions_list_free). */
ds_status ds_sanctions_parse(const char *data, size_t n, const char *name, ds_sanctions_list **out, ds_err *err);

ds_status ds_sanctions_parse_ofac_xml(const char *data, size_t n, const char *name, ds_sanctions_list **out,
                                      ds_err *err);
ds_status ds_sanctions_parse_ofac_csv(const ds_sanctions_csv_files *files, ds_sanctions_list **out, ds_err *err);
ds_status ds_sanctions_parse_eu_xml(const char *data, size_t n, const char *name, ds_sanctions_list **out, ds_err *err);
ds_status ds_sanctions_parse_un_xml(const char *data, size_t n, const char *name, ds_sanctions_list **out, ds_err *err);

void ds_sanctions_list_free(ds_sanctions_list *list); /* NULL is a no-op */

/* "ofac_sdn", "eu_consolidated", "un_consolidated", "ofac_consolidated" (the sanctions_lists.source
 * values). */
const char *ds_sanctions_source_name(ds_sanctions_source s);
/* "individual", "entity", "vessel", "aircraft". */
const char *ds_sanctions_type_name(ds_sanctions_type t);
/* "ofac-xml", "ofac-csv", "eu-xml", "un-xml", "unknown". */
const char *ds_sanctions_format_name(ds_sanctions_format f);

#endif
