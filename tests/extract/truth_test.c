/* truth_test.c - the sample generator's documents through `dossier run` into a real
 * PostgreSQL, checked against the generator's truth.json: every ground-truth fact with the
 * right value, period and unit from the inline XBRL filing and from the PDF's statement tables,
 * every credit ratio of the credit_ratios view, the going-concern SWOT item where (and only
 * where) the truth expects one, the AML alerts (FATF call-for-action jurisdictions and red-flag
 * phrases) of the companies that should raise them and none for the others, and the people the
 * filings name. Prints the figures found. argv[1]: the ds_gen_samples program. */
#include "testlib.h"

#include "pipeline/db.h"

#include <jansson.h>

static PGconn *conn_;

static long long count(const char *sql, int n, const char *const *p)
{
    PGresult *r = NULL;
    ds_err err;
    ds_status st = ds_db_exec(conn_, &r, &err, sql, n, p);
    if (st)
        fprintf(stderr, "%s: %s\n", sql, err.msg);
    DS_REQUIRE(st == DS_OK);
    long long v = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    return v;
}

static const char *jstr(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static const char *doc_of(json_t *truth, const char *company, const char *kind)
{
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(truth, "documents"), i, d)
    {
        if (!strcmp(jstr(d, "company") ? jstr(d, "company") : "", company) && !strcmp(jstr(d, "kind"), kind))
            return jstr(d, "file");
    }
    return NULL;
}

int main(int argc, char **argv)
{
    DS_REQUIRE(argc > 1);
    const char *dossier = getenv("DOSSIER_BIN");
    DS_REQUIRE(dossier);
    const char *tmp = ds_test_tmpdir();
    char out[8192];
    DS_REQUIRE(ds_test_sh(out, sizeof out, "'%s' '%s/inbox' --truth '%s/truth.json' 2>&1", argv[1], tmp, tmp) == 0);
    const char *dsn = ds_test_db_create("t_extract_truth");
    int rc = ds_test_sh(out, sizeof out, "'%s' --db '%s' -q run '%s/inbox' 2>&1", dossier, dsn, tmp);
    DS_CHECKF(rc == 0, "dossier run exited %d: %s", rc, out);
    ds_err err;
    DS_REQUIRE(ds_db_connect(dsn, &conn_, &err) == DS_OK);
    char path[1024];
    snprintf(path, sizeof path, "%s/truth.json", tmp);
    json_error_t jerr;
    json_t *truth = json_load_file(path, 0, &jerr);
    DS_REQUIRE(truth);
    DS_CHECK(count("SELECT count(*) FROM documents WHERE status <> 'loaded'", 0, NULL) == 0);

    int facts_n[2] = {0, 0}, facts_ok[2] = {0, 0}, ratios_n = 0, ratios_ok = 0;
    size_t ci;
    json_t *c;
    json_array_foreach(json_object_get(truth, "companies"), ci, c)
    {
        const char *id = jstr(c, "id");
        const char *ixdoc = doc_of(truth, id, "ixbrl");
        /* facts */
        size_t mi;
        json_t *m;
        json_array_foreach(json_object_get(c, "metrics"), mi, m)
        {
            const char *docs[2] = {ixdoc, jstr(m, "pdf_file")};
            for (int s = 0; s < 2; s++) {
                if (!docs[s])
                    continue;
                const char *p[] = {
                    docs[s],          jstr(m, "metric"), jstr(m, "period_end"),    jstr(m, "period_start"),
                    jstr(m, "value"), jstr(m, "unit"),   s ? "pdf_table" : "ixbrl"};
                facts_n[s]++;
                long long n = count("SELECT count(*) FROM facts f JOIN documents d ON d.id = f.document_id "
                                    "WHERE d.name = $1 AND f.metric = $2 AND f.dimensions = '' "
                                    "AND f.period_end = $3::date AND f.period_start IS NOT DISTINCT FROM $4::date "
                                    "AND f.value = $5::numeric AND f.unit = $6 AND f.source_extractor = $7",
                                    7, p);
                DS_CHECKF(n >= 1, "%s %s: %s %s..%s = %s %s not found", docs[s], p[6], p[1], p[3] ? p[3] : "", p[2],
                          p[4], p[5]);
                facts_ok[s] += n >= 1;
            }
        }
        /* ratios */
        const char *cik = jstr(c, "cik");
        while (cik && *cik == '0')
            cik++;
        size_t ri;
        json_t *r;
        json_array_foreach(json_object_get(c, "ratios"), ri, r)
        {
            char fy[16];
            snprintf(fy, sizeof fy, "%lld", (long long)json_integer_value(json_object_get(r, "fiscal_year")));
            const char *k;
            json_t *v;
            json_object_foreach(r, k, v)
            {
                if (!strcmp(k, "fiscal_year"))
                    continue;
                const char *col = !strcmp(k, "revenue_growth") ? "revenue_yoy_growth" : k;
                char sql[512];
                snprintf(sql, sizeof sql,
                         "SELECT count(*) FROM credit_ratios r JOIN companies co ON co.id = r.company_id "
                         "WHERE co.cik = $1 AND r.fiscal_period = 'FY' AND r.fiscal_year = $2::int "
                         "AND r.%s IS NOT DISTINCT FROM $3::numeric",
                         col);
                const char *p[] = {cik, fy, json_string_value(v)};
                ratios_n++;
                long long n = count(sql, 3, p);
                DS_CHECKF(n == 1, "%s FY%s %s: want %s", id, fy, k, p[2] ? p[2] : "NULL");
                ratios_ok += n == 1;
            }
        }
        /* going concern: in every document of the company when expected, else in none */
        json_t *gc = json_object_get(c, "going_concern");
        size_t di;
        json_t *d;
        json_array_foreach(json_object_get(truth, "documents"), di, d)
        {
            if (!jstr(d, "company") || strcmp(jstr(d, "company"), id) || strcmp(jstr(d, "form_type"), "10-K"))
                continue;
            const char *p[] = {jstr(d, "file")};
            long long n = count("SELECT count(*) FROM swot_items s JOIN documents d ON d.id = s.document_id "
                                "WHERE d.name = $1 AND s.rule_id = 'SWOT-GC-01'",
                                1, p);
            if (json_is_true(json_object_get(gc, "expected")))
                DS_CHECKF(n == 1, "%s: going concern not reported", p[0]);
            else
                DS_CHECKF(n == 0, "%s: going concern reported", p[0]);
            /* AML: alerts exactly when expected */
            json_t *aml = json_object_get(c, "aml");
            long long alerts = count("SELECT count(*) FROM aml_alerts a JOIN documents d ON d.id = a.document_id "
                                     "WHERE d.name = $1",
                                     1, p);
            if (!json_is_true(json_object_get(aml, "expect_alert"))) {
                DS_CHECKF(alerts == 0, "%s: %lld alerts, none expected", p[0], alerts);
                continue;
            }
            size_t ji;
            json_t *j;
            json_array_foreach(json_object_get(aml, "jurisdictions"), ji, j)
            {
                const char *q[] = {p[0], jstr(j, "jurisdiction")};
                long long n2 = count("SELECT count(*) FROM aml_alerts a JOIN documents d ON d.id = a.document_id "
                                     "WHERE d.name = $1 AND a.kind = 'high_risk_jurisdiction' AND a.subject = $2",
                                     2, q);
                if (json_is_string(json_object_get(j, "fatf")))
                    DS_CHECKF(n2 == 1, "%s: no alert for %s", p[0], q[1]);
                else
                    DS_CHECKF(n2 == 0, "%s: alert for %s", p[0], q[1]);
            }
            json_array_foreach(json_object_get(aml, "red_flags"), ji, j)
            {
                const char *q[] = {p[0], jstr(j, "phrase")};
                DS_CHECKF(count("SELECT count(*) FROM aml_alerts a JOIN documents d ON d.id = a.document_id "
                                "WHERE d.name = $1 AND a.kind = 'red_flag' AND lower(a.subject) LIKE $2 || '%'",
                                2, q) == 1,
                          "%s: no red flag for %s", p[0], q[1]);
            }
            json_array_foreach(json_object_get(aml, "persons"), ji, j)
            {
                const char *q[] = {p[0], jstr(j, "name")};
                DS_CHECKF(count("SELECT count(*) FROM entities e JOIN documents d ON d.id = e.document_id "
                                "WHERE d.name = $1 AND e.kind = 'person' AND e.name = $2",
                                2, q) >= 1,
                          "%s: person %s not found", p[0], q[1]);
            }
        }
        /* the people each filing names */
        size_t pi;
        json_t *person;
        json_array_foreach(json_object_get(c, "people"), pi, person)
        {
            const char *q[] = {jstr(person, "name"), ixdoc};
            DS_CHECKF(count("SELECT count(*) FROM entities e JOIN documents d ON d.id = e.document_id "
                            "WHERE e.kind = 'person' AND e.name = $1 AND d.name = $2",
                            2, q) >= 1,
                      "%s: person %s not found", ixdoc, q[0]);
        }
    }
    fprintf(stderr, "truth: %d of %d facts from inline XBRL, %d of %d from PDF tables, %d of %d credit ratios\n",
            facts_ok[0], facts_n[0], facts_ok[1], facts_n[1], ratios_ok, ratios_n);
    DS_CHECK(facts_n[0] > 0 && facts_n[1] > 0 && ratios_n > 0);
    json_decref(truth);
    PQfinish(conn_);
    return ds_test_done();
}
