/* entities.h - names, places and red-flag phrases found in a document's text, each with its
 * evidence (the sentence, page, chunk and byte offset of the mention), for the `entities` table
 * and the AML alerts built from them (alerts.h).
 *
 * - Organisations: capitalised word sequences ending in a legal-form suffix (Inc., Corp., LLC,
 *   Ltd., Limited, PLC, GmbH, S.A., N.V., B.V., AG, SpA, Holdings, ...), extractor entities.c.
 * - Persons: names after a title (Mr., Ms., Dr.), after "/s/", and capitalised 2-4 word
 *   sequences next to a role ("Chief Executive Officer John Smith", "director Jane Doe",
 *   "John Smith, our Chief Financial Officer"), entities.c.
 * - Countries and jurisdictions: a table of names, variants and demonyms to ISO 3166 codes,
 *   each marked with its FATF list (jurisdictions.c; the lists and their date are data).
 * - Red flags: a documented list of AML phrases (redflags.c, extract/redflags.md).
 *
 * Owns: entity strings live in the document's arena; a ds_entity_list's array is the caller's
 * (ds_entity_list_free). The tables are read-only. Threading: reentrant.
 */
#ifndef DS_EXTRACT_ENTITIES_H
#define DS_EXTRACT_ENTITIES_H

#include "extract/chunker.h"
#include "ingest/document.h"
#include "pipeline/core/buf.h"
#include "pipeline/core/status.h"

#include <stddef.h>

/* Mentions kept per distinct name and kind in one document; later ones are counted only. */
#define DS_ENTITY_MAX_MENTIONS 25

typedef enum ds_entity_kind {
    DS_ENTITY_ORGANIZATION,
    DS_ENTITY_PERSON,
    DS_ENTITY_COUNTRY,
    DS_ENTITY_JURISDICTION, /* a territory or offshore centre that is not a sovereign state */
    DS_ENTITY_RED_FLAG
} ds_entity_kind;

/* "organization", "person", "country", "jurisdiction", "red_flag" (the database values). */
const char *ds_entity_kind_str(ds_entity_kind k);

/* ---- FATF lists ------------------------------------------------------------------------------ */

typedef enum ds_fatf_list {
    DS_FATF_NONE,
    DS_FATF_CALL_FOR_ACTION,     /* "High-Risk Jurisdictions subject to a Call for Action" */
    DS_FATF_INCREASED_MONITORING /* "Jurisdictions under Increased Monitoring" */
} ds_fatf_list;

/* The FATF plenary whose public statements the table reproduces (sql/0002 holds the same). */
#define DS_FATF_AS_OF "2025-02-21"

typedef struct ds_fatf_entry {
    const char *code; /* ISO 3166-1 alpha-2 */
    const char *name; /* as FATF names it */
    ds_fatf_list list;
} ds_fatf_entry;

/* The table (static, *n entries). */
const ds_fatf_entry *ds_fatf_entries(size_t *n);
/* The entry of an ISO code, NULL when the code is on neither list. */
const ds_fatf_entry *ds_fatf_lookup(const char *iso2);
/* "call_for_action", "increased_monitoring" (database values); "" for none. */
const char *ds_fatf_list_str(ds_fatf_list l);
/* The list's title as FATF publishes it. */
const char *ds_fatf_list_title(ds_fatf_list l);

/* ISO code of a country or jurisdiction name, variant or demonym written exactly ("Iran",
 * "Iranian", "Côte d'Ivoire", "British Virgin Islands"); NULL when unknown. *territory (may
 * be NULL) is 1 for a non-sovereign jurisdiction. */
const char *ds_country_code(const char *name, int *territory);

/* Whether name is, as a whole, a place of the table above: a country, territory, demonym or a
 * US state ("Hong Kong", "Arizona"), in any case. */
int ds_is_place_name(const char *name);

/* ---- red flags --------------------------------------------------------------------------------- */

typedef struct ds_redflag {
    const char *id;              /* "RF-SHELL" */
    const char *category;        /* "shell company" */
    const char *description;     /* why it matters, one line */
    const char *const *phrases;  /* lower case; ' ' also matches '-' and line breaks; NULL-ended */
    const char *const *suppress; /* lower-case cues that void a match in its sentence; NULL-ended */
    int no_anti;                 /* void a match right after "anti-" / "counter-" */
    int needs_event;             /* a match counts only when its sentence reports an event (see below) */
    const char *const *acts;     /* phrases that are events in themselves ("voluntarily disclosed"); NULL-ended */
} ds_redflag;

const ds_redflag *ds_redflags(size_t *n);
/* The list as a Markdown table (id, category, phrases, suppressed when, why), as
 * extract/redflags.md shows it. */
ds_status ds_redflags_table(ds_buf *out);

/* ---- entities ------------------------------------------------------------------------------------ */

typedef struct ds_entity {
    ds_entity_kind kind;
    const char *name;             /* as written (arena) */
    const char *name_norm;        /* lower case, ASCII letters and digits, single spaces (arena) */
    const char *detail;           /* legal form, title or role, ISO code, or red-flag id; may be NULL */
    const char *attributes;       /* JSON object (arena), never NULL */
    size_t byte_off, byte_len;    /* the mention in doc->text */
    int page;                     /* 0 when unknown */
    int chunk_seq;                /* -1 when no chunk holds it */
    const char *quote;            /* the sentence holding the mention (arena) */
    const char *source_extractor; /* "rules" */
    const ds_fatf_entry *fatf;    /* countries/jurisdictions on a FATF list, else NULL */
    const ds_redflag *flag;       /* red flags */
} ds_entity;

typedef struct ds_entity_list {
    ds_entity *v;
    size_t n, cap;
} ds_entity_list;

void ds_entity_list_free(ds_entity_list *l);
ds_status ds_entity_list_push(ds_entity_list *l, const ds_entity *e);

/* Normalised form of a name: lower case, Latin letters without accents, digits, single spaces
 * ("Société Générale S.A." -> "societe generale s a"). Returns the length written. */
size_t ds_entity_normalize(const char *name, size_t n, char *out, size_t cap);

/* Organisations and persons of the document's text, appended to out. */
ds_status ds_extract_entities(ds_document *doc, const ds_chunk_list *chunks, ds_entity_list *out, ds_err *err);
/* Countries and jurisdictions (with their FATF list), appended to out. */
ds_status ds_extract_jurisdictions(ds_document *doc, const ds_chunk_list *chunks, ds_entity_list *out, ds_err *err);
/* Red-flag phrases, appended to out. Each match is read in its sentence (redflags_context.c):
 * the cue nearest to it decides whether the sentence speaks in general terms (the company's
 * own compliance programme, a law, a regulator's powers, what "could" happen: not kept) or
 * reports an event (a subpoena received, a consent order entered: kept). */
ds_status ds_extract_redflags(ds_document *doc, const ds_chunk_list *chunks, ds_entity_list *out, ds_err *err);
/* The same search without reading the sentences (every phrase counts, suppression cues and
 * "anti-" still apply): the baseline the red-flag benchmark measures against. */
ds_status ds_extract_redflags_phrases(ds_document *doc, const ds_chunk_list *chunks, ds_entity_list *out, ds_err *err);

/* Shared by the extractors: appends a mention with its evidence unless its kind and name_norm
 * already have DS_ENTITY_MAX_MENTIONS mentions in out (then DS_OK, nothing added). attributes
 * NULL means "{}". Copies name from doc->text[off, off + len). */
ds_status ds_entity_add(ds_document *doc, const ds_chunk_list *chunks, ds_entity_list *out, ds_entity_kind kind,
                        size_t off, size_t len, const char *detail, const char *attributes, const ds_fatf_entry *fatf,
                        const ds_redflag *flag);

#endif
