/* load.c - one document into PostgreSQL in one transaction (see load.h). Values that the
 * database would reject (malformed dates or numbers from a damaged document) are checked
 * here first, so a bad value is stored as NULL or text rather than failing the load. */
#include "pipeline/load.h"

#include "extract/dates.h"
#include "pipeline/core/decimal.h"

#include "pipeline/core/alloc.h"
#include "pipeline/core/buf.h"
#include "pipeline/core/log.h"
#include "pipeline/db.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Values the database would reject (malformed dates or numbers from a damaged document) go in
 * as NULL or as text instead of failing the whole load. */
static const char *date_or_null(const char *s)
{
    long days;
    return s && ds_date_parse(s, &days) == 0 ? s : NULL;
}

/* Lower-case alphanumerics and single spaces: the key that matches a company without a CIK. */
static void name_key(const char *name, char *out, size_t cap)
{
    size_t o = 0;
    int space = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p && o + 2 < cap; p++) {
        if (isalnum(*p) || *p >= 0x80) {
            if (space && o)
                out[o++] = ' ';
            space = 0;
            out[o++] = (char)tolower(*p);
        } else {
            space = 1;
        }
    }
    out[o] = '\0';
}

/* CIK without leading zeros, digits only; "" when not a CIK. */
static void clean_cik(const char *cik, char *out, size_t cap)
{
    out[0] = '\0';
    if (!cik)
        return;
    while (*cik == '0')
        cik++;
    size_t n = strlen(cik);
    if (n == 0 || n > 10 || n + 1 > cap)
        return;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)cik[i]))
            return;
    memcpy(out, cik, n + 1);
}

static ds_status upsert_company(ds_run *run, const ds_document *doc, char *id_out, size_t cap, ds_err *err)
{
    id_out[0] = '\0';
    const char *name = doc->meta.company_name;
    char cik[16], key[512];
    clean_cik(doc->meta.cik, cik, sizeof cik);
    if (!name || !*name) {
        if (!*cik)
            return DS_OK;
        name = cik;
    }
    name_key(name, key, sizeof key);
    if (!*key)
        return DS_OK;
    PGresult *r = NULL;
    ds_status st;
    if (*cik) {
        const char *p[] = {cik, name, key};
        /* a company first seen without a CIK (a PDF) takes this one: one row per filer */
        st = ds_db_exec(run->conn, NULL, err,
                        "UPDATE companies SET cik = $1 WHERE id = (SELECT id FROM companies WHERE cik IS NULL "
                        "AND company_match_key(name) = company_match_key($2) ORDER BY id LIMIT 1) "
                        "AND NOT EXISTS (SELECT 1 FROM companies WHERE cik = $1) AND $3 <> ''",
                        3, p);
        if (st == DS_OK)
            st = ds_db_exec(run->conn, &r, err,
                            "INSERT INTO companies (cik, name, name_key) VALUES ($1, $2, $3) "
                            "ON CONFLICT (cik) DO UPDATE SET name = CASE WHEN companies.name = companies.cik "
                            "THEN EXCLUDED.name ELSE companies.name END RETURNING id",
                            3, p);
    } else {
        const char *p[] = {name, key};
        /* no CIK: the company of the same name key, one with a CIK first, else a new row */
        st = ds_db_exec(run->conn, &r, err,
                        "SELECT id FROM companies WHERE company_match_key(name) = company_match_key($1) "
                        "ORDER BY cik IS NULL, id LIMIT 1",
                        1, p);
        if (st == DS_OK && PQntuples(r) == 1) {
            snprintf(id_out, cap, "%s", PQgetvalue(r, 0, 0));
            PQclear(r);
            return DS_OK;
        }
        PQclear(r);
        r = NULL;
        if (st == DS_OK)
            st = ds_db_exec(run->conn, &r, err,
                            "INSERT INTO companies (name, name_key) VALUES ($1, $2) "
                            "ON CONFLICT (name_key) WHERE cik IS NULL DO UPDATE SET name = companies.name RETURNING id",
                            2, p);
    }
    if (st == DS_OK)
        snprintf(id_out, cap, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return st;
}

/* The identity a PDF states about itself (extract/doc_identity.h), with page and line per field;
 * replaces the document's earlier row. */
static ds_status store_identity(ds_run *run, const char *doc_id, const char *run_id, const ds_doc_identity *id,
                                ds_err *err)
{
    const char *pd[] = {doc_id};
    ds_status st = ds_db_exec(run->conn, NULL, err, "DELETE FROM document_identity WHERE document_id = $1::bigint", 1,
                              pd);
    if (st || !(id->company.value || id->form.value || id->period_end.value))
        return st;
    char pages[5][12];
    const ds_id_field *f[] = {&id->company, &id->cik, &id->form, &id->period_end, &id->fiscal_year};
    for (int i = 0; i < 5; i++)
        snprintf(pages[i], sizeof pages[i], "%d", f[i]->page);
    char cik[16];
    clean_cik(id->cik.value, cik, sizeof cik);
    const char *p[] = {doc_id,
                       id->company.value,
                       id->company.value ? pages[0] : NULL,
                       id->company.quote,
                       *cik ? cik : NULL,
                       *cik ? pages[1] : NULL,
                       *cik ? id->cik.quote : NULL,
                       id->form.value,
                       id->sec_form.value,
                       id->form.value ? pages[2] : NULL,
                       id->form.quote,
                       date_or_null(id->period_end.value),
                       id->period_end.value ? pages[3] : NULL,
                       id->period_end.quote,
                       id->fiscal_year.value && ds_dec_valid(id->fiscal_year.value) ? id->fiscal_year.value : NULL,
                       id->fiscal_period.value,
                       id->fiscal_year.value ? pages[4] : NULL,
                       id->fiscal_year.quote,
                       run_id};
    return ds_db_exec(run->conn, NULL, err,
                      "INSERT INTO document_identity (document_id, company_name, company_page, company_quote, cik, "
                      "cik_page, cik_quote, form, sec_form, form_page, form_quote, period_end, period_page, "
                      "period_quote, fiscal_year, fiscal_period, fiscal_page, fiscal_quote, run_id) VALUES "
                      "($1::bigint, $2, $3::int, $4, $5, $6::int, $7, $8, $9, $10::int, $11, $12::date, $13::int, "
                      "$14, $15::int, $16, $17::int, $18, $19::bigint)",
                      19, p);
}

/* The document's other metadata as a JSON object. */
static ds_status meta_json(const ds_document *doc, ds_buf *out)
{
    char esc[2048];
    const char *keys[] = {"subject", "creator", "producer", "created", "modified", "company_name", "cik"};
    const char *vals[] = {doc->meta.subject,  doc->meta.creator,      doc->meta.producer, doc->meta.created,
                          doc->meta.modified, doc->meta.company_name, doc->meta.cik};
    ds_status st = ds_buf_putc(out, '{');
    int first = 1;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0] && st == DS_OK; i++) {
        if (!vals[i])
            continue;
        ds_json_escape(esc, sizeof esc, vals[i]);
        st = ds_buf_printf(out, "%s\"%s\":\"%s\"", first ? "" : ",", keys[i], esc);
        first = 0;
    }
    const char *const *lists[] = {doc->furniture, doc->notes};
    const size_t counts[] = {doc->n_furniture, doc->n_notes};
    const char *names[] = {"furniture", "notes"};
    for (int l = 0; l < 2 && st == DS_OK; l++) {
        if (!counts[l])
            continue;
        st = ds_buf_printf(out, "%s\"%s\":[", first ? "" : ",", names[l]);
        first = 0;
        for (size_t i = 0; i < counts[l] && st == DS_OK; i++) {
            ds_json_escape(esc, sizeof esc, lists[l][i]);
            st = ds_buf_printf(out, "%s\"%s\"", i ? "," : "", esc);
        }
        if (st == DS_OK)
            st = ds_buf_putc(out, ']');
    }
    if (st == DS_OK)
        st = ds_buf_putc(out, '}');
    return st;
}

static ds_status copy_chunks(ds_run *run, const char *doc_id, const ds_chunk_list *chunks, ds_err *err)
{
    ds_copy cp;
    ds_status st = ds_copy_begin(&cp, run->conn,
                                 "COPY chunks (document_id, seq, section, page_first, page_last, char_start, "
                                 "char_end, token_count, is_table, text, run_id) FROM STDIN",
                                 err);
    if (st)
        return st;
    long long doc = atoll(doc_id);
    for (size_t i = 0; i < chunks->n && st == DS_OK; i++) {
        const ds_chunk *c = &chunks->v[i];
        if (ds_copy_int(&cp, doc) || ds_copy_int(&cp, c->seq) || ds_copy_str(&cp, c->section) ||
            (c->page_first ? ds_copy_int(&cp, c->page_first) : ds_copy_str(&cp, NULL)) ||
            (c->page_last ? ds_copy_int(&cp, c->page_last) : ds_copy_str(&cp, NULL)) ||
            ds_copy_int(&cp, (long long)c->char_start) || ds_copy_int(&cp, (long long)c->char_end) ||
            ds_copy_int(&cp, (long long)c->token_count) || ds_copy_str(&cp, c->is_table ? "t" : "f") ||
            ds_copy_field(&cp, c->text, c->text_len) || ds_copy_int(&cp, run->run_id))
            st = ds_err_set(err, DS_ERR_NOMEM, "out of memory");
        else
            st = ds_copy_row_end(&cp, err);
    }
    if (st) {
        ds_copy_abort(&cp, "client error while sending chunks");
        return st;
    }
    return ds_copy_end(&cp, err);
}

static ds_status copy_facts(ds_run *run, const char *doc_id, const char *company_id, const ds_document *doc,
                            const ds_chunk_list *chunks, const ds_fact_list *facts, ds_err *err)
{
    if (facts->n == 0)
        return DS_OK;
    ds_copy cp;
    ds_status st = ds_copy_begin(&cp, run->conn,
                                 "COPY facts (document_id, chunk_seq, company_id, concept, metric, value, value_text, "
                                 "unit, decimals, period_start, period_end, dimensions, source_extractor, page, "
                                 "quote, char_start, run_id, model, model_fingerprint, prompt_version, verification, "
                                 "verification_check, is_nil, anchor) FROM STDIN",
                                 err);
    if (st)
        return st;
    long long doc_num = atoll(doc_id);
    for (size_t i = 0; i < facts->n && st == DS_OK; i++) {
        const ds_fact *f = &facts->v[i];
        const char *value = ds_dec_valid(f->value) ? f->value : NULL;
        const char *vtext = f->is_nil ? NULL : f->value_text ? f->value_text : (value ? NULL : f->value);
        /* facts added after ds_facts_verify (the model's) are unverified */
        const char *vstatus = f->verification ? f->verification : "unverified";
        const char *vcheck = f->verification_check                                          ? f->verification_check
                             : f->source_extractor && !strcmp(f->source_extractor, "model") ? "model"
                                                                                            : "none";
        long long cstart = -1;
        if (f->byte_off != SIZE_MAX && f->byte_off <= doc->text.len) {
            if (f->chunk_seq >= 0 && (size_t)f->chunk_seq < chunks->n &&
                chunks->v[f->chunk_seq].byte_start <= f->byte_off) {
                const ds_chunk *c = &chunks->v[f->chunk_seq];
                cstart = (long long)(c->char_start +
                                     ds_utf8_count(doc->text.data + c->byte_start, f->byte_off - c->byte_start));
            } else {
                cstart = (long long)ds_utf8_count(doc->text.data, f->byte_off);
            }
        }
        if (ds_copy_int(&cp, doc_num) ||
            (f->chunk_seq >= 0 ? ds_copy_int(&cp, f->chunk_seq) : ds_copy_str(&cp, NULL)) ||
            ds_copy_str(&cp, *company_id ? company_id : NULL) || ds_copy_str(&cp, f->concept ? f->concept : "") ||
            ds_copy_str(&cp, f->metric) || ds_copy_str(&cp, value) || ds_copy_str(&cp, vtext) ||
            ds_copy_str(&cp, f->unit) || ds_copy_str(&cp, f->decimals) ||
            ds_copy_str(&cp, date_or_null(f->period_start)) || ds_copy_str(&cp, date_or_null(f->period_end)) ||
            ds_copy_str(&cp, f->dimensions ? f->dimensions : "") || ds_copy_str(&cp, f->source_extractor) ||
            (f->page > 0 ? ds_copy_int(&cp, f->page) : ds_copy_str(&cp, NULL)) || ds_copy_str(&cp, f->quote) ||
            (cstart >= 0 ? ds_copy_int(&cp, cstart) : ds_copy_str(&cp, NULL)) || ds_copy_int(&cp, run->run_id) ||
            ds_copy_str(&cp, f->model) || ds_copy_str(&cp, f->model_fingerprint) ||
            ds_copy_str(&cp, f->prompt_version) || ds_copy_str(&cp, vstatus) || ds_copy_str(&cp, vcheck) ||
            ds_copy_str(&cp, f->is_nil ? "t" : "f") || ds_copy_str(&cp, f->anchor))
            st = ds_err_set(err, DS_ERR_NOMEM, "out of memory");
        else
            st = ds_copy_row_end(&cp, err);
    }
    if (st) {
        ds_copy_abort(&cp, "client error while sending facts");
        return st;
    }
    return ds_copy_end(&cp, err);
}

/* Character offset (code points, as PostgreSQL counts them) of byte offset off, counted from
 * the chunk that holds it when known; -1 when off is unknown. */
static long long char_offset(const ds_document *doc, const ds_chunk_list *chunks, int chunk_seq, size_t off)
{
    if (off == SIZE_MAX || off > doc->text.len)
        return -1;
    if (chunk_seq >= 0 && (size_t)chunk_seq < chunks->n && chunks->v[chunk_seq].byte_start <= off) {
        const ds_chunk *c = &chunks->v[chunk_seq];
        return (long long)(c->char_start + ds_utf8_count(doc->text.data + c->byte_start, off - c->byte_start));
    }
    return (long long)ds_utf8_count(doc->text.data, off);
}

static ds_status copy_opt_int(ds_copy *cp, long long v, int present)
{
    return present ? ds_copy_int(cp, v) : ds_copy_str(cp, NULL);
}

static ds_status copy_swot(ds_run *run, const char *doc_id, const char *company_id, const ds_document *doc,
                           const ds_chunk_list *chunks, const ds_swot_list *items, ds_err *err)
{
    (void)doc;
    (void)chunks;
    if (items->n == 0)
        return DS_OK;
    ds_copy cp;
    ds_status st = ds_copy_begin(&cp, run->conn,
                                 "COPY swot_items (document_id, chunk_seq, company_id, category, statement, rule_id, "
                                 "evidence, page, quote, source_extractor, run_id, model, model_fingerprint, "
                                 "prompt_version) FROM STDIN",
                                 err);
    if (st)
        return st;
    long long doc_num = atoll(doc_id);
    for (size_t i = 0; i < items->n && st == DS_OK; i++) {
        const ds_swot_item *it = &items->v[i];
        if (ds_copy_int(&cp, doc_num) || copy_opt_int(&cp, it->chunk_seq, it->chunk_seq >= 0) ||
            ds_copy_str(&cp, *company_id ? company_id : NULL) || ds_copy_str(&cp, ds_swot_category_str(it->category)) ||
            ds_copy_str(&cp, it->statement) || ds_copy_str(&cp, it->rule_id) ||
            ds_copy_str(&cp, it->evidence ? it->evidence : "[]") || copy_opt_int(&cp, it->page, it->page > 0) ||
            ds_copy_str(&cp, it->quote) || ds_copy_str(&cp, it->source_extractor) || ds_copy_int(&cp, run->run_id) ||
            ds_copy_str(&cp, it->model) || ds_copy_str(&cp, it->model_fingerprint) ||
            ds_copy_str(&cp, it->prompt_version))
            st = ds_err_set(err, DS_ERR_NOMEM, "out of memory");
        else
            st = ds_copy_row_end(&cp, err);
    }
    if (st) {
        ds_copy_abort(&cp, "client error while sending swot items");
        return st;
    }
    return ds_copy_end(&cp, err);
}

static ds_status copy_entities(ds_run *run, const char *doc_id, const ds_document *doc, const ds_chunk_list *chunks,
                               const ds_entity_list *ents, ds_err *err)
{
    if (ents->n == 0)
        return DS_OK;
    ds_copy cp;
    ds_status st = ds_copy_begin(
        &cp, run->conn,
        "COPY entities (document_id, chunk_seq, kind, name, name_norm, attributes, page, quote, "
        "char_start, source_extractor, run_id) FROM STDIN",
        err);
    if (st)
        return st;
    long long doc_num = atoll(doc_id);
    for (size_t i = 0; i < ents->n && st == DS_OK; i++) {
        const ds_entity *e = &ents->v[i];
        long long cstart = char_offset(doc, chunks, e->chunk_seq, e->byte_off);
        if (ds_copy_int(&cp, doc_num) || copy_opt_int(&cp, e->chunk_seq, e->chunk_seq >= 0) ||
            ds_copy_str(&cp, ds_entity_kind_str(e->kind)) || ds_copy_str(&cp, e->name) ||
            ds_copy_str(&cp, e->name_norm) || ds_copy_str(&cp, e->attributes ? e->attributes : "{}") ||
            copy_opt_int(&cp, e->page, e->page > 0) || ds_copy_str(&cp, e->quote) ||
            copy_opt_int(&cp, cstart, cstart >= 0) || ds_copy_str(&cp, e->source_extractor) ||
            ds_copy_int(&cp, run->run_id))
            st = ds_err_set(err, DS_ERR_NOMEM, "out of memory");
        else
            st = ds_copy_row_end(&cp, err);
    }
    if (st) {
        ds_copy_abort(&cp, "client error while sending entities");
        return st;
    }
    return ds_copy_end(&cp, err);
}

/* Alerts are inserted once: ON CONFLICT (dedup_key) DO NOTHING keeps an alert raised again
 * (and its review status) as it is. A sanctions match's key ends with the matched entry as
 * "<list source>:<id in the list>", the same in every version of that list; the insert trigger
 * of aml_alerts files it into its case and drops it when the case has this document already. */
/* Alerts by matched entry (0 for other kinds first), then as raised. */
static int by_entry(const void *x, const void *y)
{
    const ds_alert *a = *(const ds_alert *const *)x, *b = *(const ds_alert *const *)y;
    if (a->entry_id != b->entry_id)
        return a->entry_id < b->entry_id ? -1 : 1;
    return a < b ? -1 : a > b;
}

ds_status ds_load_alerts(PGconn *conn, long long run_num, const char *doc_id, const char *company_id,
                         const ds_alert_list *alerts, long *inserted, ds_err *err)
{
    ds_status st = DS_OK;
    char run_id[24];
    snprintf(run_id, sizeof run_id, "%lld", run_num);
    if (alerts->n == 0)
        return DS_OK;
    /* Cases are opened in entry order in every transaction, so two documents of one company
     * loaded (or rescreened) at once wait for each other instead of deadlocking. */
    const ds_alert **order = ds_malloc(alerts->n * sizeof *order);
    if (!order)
        return ds_err_set(err, DS_ERR_NOMEM, "out of memory inserting alerts of document %s", doc_id);
    for (size_t i = 0; i < alerts->n; i++)
        order[i] = &alerts->v[i];
    qsort(order, alerts->n, sizeof *order, by_entry);
    for (size_t i = 0; i < alerts->n && st == DS_OK; i++) {
        const ds_alert *a = order[i];
        char chunk[16], score[32], list_id[24], entry_id[24], page[16];
        snprintf(chunk, sizeof chunk, "%d", a->chunk_seq);
        snprintf(score, sizeof score, "%.4f", a->score);
        snprintf(list_id, sizeof list_id, "%lld", a->list_id);
        snprintf(entry_id, sizeof entry_id, "%lld", a->entry_id);
        snprintf(page, sizeof page, "%d", a->page);
        const char *p[] = {a->dedup_key,
                           ds_alert_kind_str(a->kind),
                           doc_id,
                           a->chunk_seq >= 0 ? chunk : NULL,
                           *company_id ? company_id : NULL,
                           a->subject,
                           a->score >= 0 ? score : NULL,
                           a->list_id > 0 ? list_id : NULL,
                           a->list_version,
                           a->entry_id > 0 ? entry_id : NULL,
                           a->matched_name,
                           a->evidence ? a->evidence : "{}",
                           a->page > 0 ? page : NULL,
                           a->quote,
                           a->source_extractor,
                           run_num > 0 ? run_id : NULL};
        PGresult *r = NULL;
        st = ds_db_exec(conn, &r, err,
                        "INSERT INTO aml_alerts (dedup_key, kind, document_id, chunk_seq, company_id, subject, score, "
                        "list_id, list_version, matched_entry_id, matched_name, evidence, page, quote, "
                        "source_extractor, run_id) "
                        "SELECT CASE WHEN $2 = 'sanctions_match' THEN $1 || COALESCE("
                        "(SELECT l.source || ':' || e.ext_id FROM sanctions_entries e "
                        "JOIN sanctions_lists l ON l.id = e.list_id WHERE e.id = $10::bigint), 'entry:' || $10) "
                        "ELSE $1 END, $2, $3::bigint, $4::int, $5::bigint, $6, $7::numeric, $8::bigint, $9, "
                        "$10::bigint, $11, $12::jsonb, $13::int, $14, $15, $16::bigint "
                        "ON CONFLICT (dedup_key) DO NOTHING",
                        16, p);
        if (st == DS_OK && inserted)
            *inserted += atol(PQcmdTuples(r));
        PQclear(r);
    }
    ds_free(order);
    return st;
}

ds_status ds_load_document(ds_run *run, long long doc_id, ds_document *doc, const ds_chunk_list *chunks,
                           const ds_extraction *x, ds_err *err)
{
    char id[24], run_id[24], company[24] = "";
    snprintf(id, sizeof id, "%lld", doc_id);
    snprintf(run_id, sizeof run_id, "%lld", run->run_id);
    ds_buf meta = DS_BUF_INIT;
    PGresult *r = NULL;
    ds_status st = ds_db_begin(run->conn, err);
    if (st)
        return st;
    /* Still ours? A worker whose lease lapsed must not write. */
    const char *pl[] = {id, run->owner};
    st = ds_db_exec(run->conn, &r, err,
                    "SELECT 1 FROM work_queue WHERE document_id = $1::bigint AND state = 'leased' "
                    "AND lease_owner = $2 FOR UPDATE",
                    2, pl);
    if (st == DS_OK && PQntuples(r) == 0)
        st = ds_err_set(err, DS_ERR_CANCELLED, "lease on document %s was lost; another worker took it", id);
    PQclear(r);
    const char *pd[] = {id};
    if (st == DS_OK)
        st = ds_db_exec(run->conn, NULL, err, "DELETE FROM facts WHERE document_id = $1::bigint", 1, pd);
    if (st == DS_OK)
        st = ds_db_exec(run->conn, NULL, err, "DELETE FROM swot_items WHERE document_id = $1::bigint", 1, pd);
    if (st == DS_OK)
        st = ds_db_exec(run->conn, NULL, err, "DELETE FROM entities WHERE document_id = $1::bigint", 1, pd);
    if (st == DS_OK)
        st = ds_db_exec(run->conn, NULL, err, "DELETE FROM chunks WHERE document_id = $1::bigint", 1, pd);
    if (st == DS_OK)
        st = upsert_company(run, doc, company, sizeof company, err);
    if (st == DS_OK)
        st = store_identity(run, id, run_id, &x->identity, err);
    if (st == DS_OK)
        st = copy_chunks(run, id, chunks, err);
    if (st == DS_OK)
        st = copy_facts(run, id, company, doc, chunks, &x->facts, err);
    if (st == DS_OK)
        st = copy_swot(run, id, company, doc, chunks, &x->swot, err);
    if (st == DS_OK)
        st = copy_entities(run, id, doc, chunks, &x->entities, err);
    if (st == DS_OK)
        st = ds_load_alerts(run->conn, run->run_id, id, company, &x->alerts, NULL, err);
    if (st == DS_OK) /* alerts kept from an earlier load whose chunk is gone */
        st = ds_db_exec(run->conn, NULL, err,
                        "UPDATE aml_alerts a SET chunk_seq = NULL WHERE a.document_id = $1::bigint "
                        "AND a.chunk_seq IS NOT NULL AND NOT EXISTS (SELECT 1 FROM chunks c "
                        "WHERE c.document_id = a.document_id AND c.seq = a.chunk_seq)",
                        1, pd);
    if (st == DS_OK && meta_json(doc, &meta))
        st = ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    if (st == DS_OK) {
        char pages[16], fy[16] = "";
        snprintf(pages, sizeof pages, "%d", doc->n_pages);
        if (doc->meta.fiscal_year && strlen(doc->meta.fiscal_year) == 4 && ds_dec_valid(doc->meta.fiscal_year))
            snprintf(fy, sizeof fy, "%s", doc->meta.fiscal_year);
        const char *p[] = {id,
                           ds_doc_kind_str(doc->kind),
                           doc->n_pages ? pages : NULL,
                           *company ? company : NULL,
                           doc->meta.title,
                           doc->meta.author,
                           doc->meta.form_type,
                           date_or_null(doc->meta.period_end),
                           *fy ? fy : NULL,
                           doc->meta.accession,
                           date_or_null(doc->meta.filing_date),
                           meta.data,
                           run_id,
                           run->screened_lists[0] ? run->screened_lists : NULL};
        st = ds_db_exec(run->conn, NULL, err,
                        "UPDATE documents SET status = 'loaded', kind = $2, pages = $3::int, "
                        "company_id = $4::bigint, title = $5, author = $6, form_type = coalesce($7, form_type), "
                        "period_end = coalesce($8::date, period_end), fiscal_year = $9::int, "
                        "accession = coalesce($10, accession), filing_date = coalesce($11::date, filing_date), "
                        "meta = $12::jsonb, "
                        "loaded_run_id = $13::bigint, loaded_at = now(), updated_at = now(), "
                        "screened_lists = $14::bigint[], "
                        "error_code = NULL, error_message = NULL WHERE id = $1::bigint",
                        14, p);
    }
    if (st == DS_OK)
        st = ds_db_exec(run->conn, NULL, err,
                        "UPDATE work_queue SET state = 'done', lease_owner = NULL, lease_expires = NULL, "
                        "updated_at = now() WHERE document_id = $1::bigint",
                        1, pd);
    if (st == DS_OK)
        st = ds_db_commit(run->conn, err);
    if (st)
        ds_db_rollback(run->conn);
    ds_buf_deinit(&meta);
    return st;
}
