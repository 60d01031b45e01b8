/* doc_identity.h - who a PDF filing is from and what it covers, read from its own text: the
 * registrant's name, the CIK when printed, the form as the document presents itself (10-K,
 * 10-Q, 8-K, 20-F, earnings release, annual report; an annual report wrapping a 10-K is an
 * annual report whose SEC form is 10-K), the period end, and the fiscal year and quarter as the
 * company names them. Sources: the SEC cover page ("(Exact name of registrant ...)", "For the
 * fiscal year ended ..."), an earnings release's headline and statement headers. Every field
 * keeps the page and the line it came from. No rule names a company or a file.
 * Owns: nothing; strings are allocated in the document's arena and live as long as it.
 * Threading: reentrant, no state.
 */
#ifndef DS_EXTRACT_DOC_IDENTITY_H
#define DS_EXTRACT_DOC_IDENTITY_H

#include "ingest/document.h"
#include "pipeline/core/status.h"

#include <stddef.h>

/* One identity field: value NULL when not found; page 1-based; quote the line it was read
 * from (trimmed, at most DS_ID_QUOTE_MAX bytes, cut at a UTF-8 boundary). */
typedef struct ds_id_field {
    const char *value;
    int page;
    const char *quote;
} ds_id_field;

#define DS_ID_QUOTE_MAX 200

typedef struct ds_doc_identity {
    ds_id_field company;       /* registrant name as printed ("COCA COLA CO") */
    ds_id_field cik;           /* digits, leading zeros dropped */
    ds_id_field form;          /* "10-K", "10-Q", "8-K", "20-F", "40-F", "earnings release", "annual report" */
    ds_id_field sec_form;      /* the SEC form of the cover, also when wrapped in an annual report */
    ds_id_field period_end;    /* "YYYY-MM-DD" */
    ds_id_field fiscal_year;   /* "2024" */
    ds_id_field fiscal_period; /* "FY", "Q1".."Q4" */
} ds_doc_identity;

/* Reads doc's identity into out (zeroed first). Only the first pages are read for the cover;
 * statement headers are read on up to 60 pages. DS_OK also when nothing is found (every value
 * NULL); an error only when out of memory. */
ds_status ds_doc_identity_read(ds_document *doc, ds_doc_identity *out, ds_err *err);

/* Fills the document's filing metadata (company name, CIK, form type, period end, fiscal year)
 * from id where the format gave none; the SEC form wins over "annual report" for the form
 * type. */
void ds_doc_identity_apply(ds_document *doc, const ds_doc_identity *id);

/* The key two spellings of one company's name share: lower case, apostrophes dropped, "&" as
 * "and", other punctuation as single spaces, a leading "the" dropped, and corporation, company,
 * incorporated, limited as corp, co, inc, ltd ("The Coca-Cola Company" and "COCA COLA CO" give
 * "coca cola co"). The same rule as the SQL function company_match_key (sql/0012). */
void ds_doc_identity_name_key(const char *name, char *out, size_t cap);

#endif
