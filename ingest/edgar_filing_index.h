/* edgar_filing_index.h - reads an EDGAR filing index page (Archives/edgar/data/CIK/ACCESSION-
 * NODASHES/ACCESSION-index.htm): the period of report and the documents of the filing, each with
 * its sequence number, description, file name and type (10-K, EX-99.1, EX-101.INS, GRAPHIC...),
 * from the rows of its document tables. The primary document is the first row with sequence 1,
 * else the first row whose type is the filing's form. Links to the inline XBRL viewer
 * (/ix?doc=/Archives/...) give the file they show; a file name is the link's last segment and is
 * never a path ("/", a leading dot and control characters are refused).
 *
 * A small tag scanner, not an HTML parser: it reads <tr>...</tr> rows of <td> cells, tags inside
 * a cell dropped and the entities &amp; &lt; &gt; &quot; &nbsp; &#NN; read.
 *
 * Ownership: a ds_edgar_filing_index owns its rows and strings (ds_malloc); free with
 * ds_edgar_filing_index_deinit. Threading: reentrant.
 */
#ifndef DS_INGEST_EDGAR_FILING_INDEX_H
#define DS_INGEST_EDGAR_FILING_INDEX_H

#include "pipeline/core/status.h"

#include <stddef.h>

typedef struct ds_edgar_filing_doc {
    int seq;           /* 1, 2...; 0 when the row gives none (the complete submission file) */
    char *description; /* "" when none */
    char *document;    /* file name within the filing */
    char *type;        /* "" when none */
} ds_edgar_filing_doc;

typedef struct ds_edgar_filing_index {
    ds_edgar_filing_doc *v;
    size_t n;
    char period[11]; /* period of report, YYYY-MM-DD; "" when the page gives none */
    long primary;    /* index in v of the primary document; -1 when none is found */
} ds_edgar_filing_index;

/* Parses n bytes of the page; form (the filing's, may be NULL) helps pick the primary document.
 * Fails with DS_ERR_EMPTY on empty input and DS_ERR_PARSE when no document row is found (not a
 * filing index); out is then empty. */
ds_status ds_edgar_filing_index_parse(ds_edgar_filing_index *out, const char *html, size_t n, const char *form,
                                      ds_err *err);
void ds_edgar_filing_index_deinit(ds_edgar_filing_index *x);

#endif
