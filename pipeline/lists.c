/* lists.c - loading sanctions list files into PostgreSQL and building the screening index from
 * the active lists (see lists.h).
 *
 * Owns: the parsed lists while loading (freed before returning). Threading: one connection per
 * thread. All SQL is parameterised; entries and names go in with COPY.
 */
#include "pipeline/lists.h"

#include "extract/screening/names.h"
#include "extract/screening/sanctions.h"
#include "pipeline/core/alloc.h"
#include "pipeline/core/buf.h"
#include "pipeline/db.h"

#include <dirent.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define MAX_LIST_BYTES ((size_t)1 << 30)

typedef struct parsed {
    const char *path;
    ds_sanctions_list *list;
    char sha256[65];
} parsed;

/* The file named want (any case) in folder dir, written to out; 0 when there is none. */
static int sibling(const char *dir, const char *want, char *out, size_t cap)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    int found = 0;
    while (!found && (e = readdir(d)) != NULL) {
        if (strcasecmp(e->d_name, want) == 0)
            found = snprintf(out, cap, "%s/%s", dir, e->d_name) < (int)cap;
    }
    closedir(d);
    return found;
}

static void hash_into(GChecksum *ck, const ds_buf *b)
{
    if (b->data && b->len)
        g_checksum_update(ck, (const guchar *)b->data, (gssize)b->len);
}

/* Number of fields of the first record of an OFAC-style CSV, 0 when it is not one. */
static int csv_fields(const ds_buf *b)
{
    if (!b->data || b->len == 0 || b->data[0] < '0' || b->data[0] > '9')
        return 0;
    int fields = 1, q = 0;
    for (size_t i = 0; i < b->len && b->data[i] != '\n' && (q || b->data[i] != '\r'); i++) {
        if (b->data[i] == '"')
            q = !q;
        else if (!q && b->data[i] == ',')
            fields++;
    }
    return fields;
}

static ds_status parse_csv_trio(const char *sdn_path, const ds_buf *sdn, parsed *out, ds_err *err)
{
    char dir[4400];
    if (snprintf(dir, sizeof dir, "%s", sdn_path) >= (int)sizeof dir)
        return ds_err_set(err, DS_ERR_IO, "%s: path too long", sdn_path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    /* OFAC's consolidated non-SDN list has the same layout in cons_*.csv: its own list */
    const char *base = strrchr(sdn_path, '/') ? strrchr(sdn_path, '/') + 1 : sdn_path;
    int cons = strncmp(base, "cons_", 5) == 0;
    static const char *const sdn_names[3] = {"alt.csv", "add.csv", "sdn_comments.csv"};
    static const char *const cons_names[3] = {"cons_alt.csv", "cons_add.csv", "cons_comments.csv"};
    const char *const *names = cons ? cons_names : sdn_names;
    char paths[3][4700];
    ds_buf bufs[3] = {DS_BUF_INIT, DS_BUF_INIT, DS_BUF_INIT};
    ds_status st = DS_OK;
    for (int k = 0; k < 3 && !st; k++) {
        paths[k][0] = '\0';
        if (sibling(dir, names[k], paths[k], sizeof paths[k]))
            st = ds_buf_read_file(&bufs[k], paths[k], MAX_LIST_BYTES, err);
    }
    if (!st) {
        ds_sanctions_csv_files f = {0};
        f.sdn = sdn->data;
        f.sdn_n = sdn->len;
        f.sdn_name = sdn_path;
        f.alt = bufs[0].data;
        f.alt_n = bufs[0].len;
        f.alt_name = paths[0];
        f.add = bufs[1].data;
        f.add_n = bufs[1].len;
        f.add_name = paths[1];
        f.comments = bufs[2].data;
        f.comments_n = bufs[2].len;
        f.comments_name = paths[2];
        st = ds_sanctions_parse_ofac_csv(&f, &out->list, err);
        if (!st && cons)
            out->list->source = DS_SANCTIONS_SOURCE_OFAC_CONS;
    }
    if (!st) {
        /* The version's identity: the bytes of sdn, add, alt and comments, in that order. */
        GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA256);
        hash_into(ck, sdn);
        hash_into(ck, &bufs[1]);
        hash_into(ck, &bufs[0]);
        hash_into(ck, &bufs[2]);
        snprintf(out->sha256, sizeof out->sha256, "%s", g_checksum_get_string(ck));
        g_checksum_free(ck);
    }
    for (int k = 0; k < 3; k++)
        ds_buf_deinit(&bufs[k]);
    return st;
}

static ds_status parse_path(const char *path, parsed *out, ds_err *err)
{
    struct stat sb;
    out->path = path;
    if (stat(path, &sb) != 0)
        return ds_err_set(err, DS_ERR_NOT_FOUND, "%s: no such file or folder", path);
    char file[4400];
    if (S_ISDIR(sb.st_mode)) {
        if (!sibling(path, "sdn.csv", file, sizeof file))
            return ds_err_set(err, DS_ERR_NOT_FOUND, "%s: folder holds no sdn.csv (give list files themselves)", path);
    } else if (snprintf(file, sizeof file, "%s", path) >= (int)sizeof file) {
        return ds_err_set(err, DS_ERR_IO, "%s: path too long", path);
    }
    ds_buf data = DS_BUF_INIT;
    ds_status st = ds_buf_read_file(&data, file, MAX_LIST_BYTES, err);
    if (st) {
        ds_buf_deinit(&data);
        return st;
    }
    if (data.len == 0) {
        ds_buf_deinit(&data);
        return ds_err_set(err, DS_ERR_EMPTY, "%s: empty file", file);
    }
    ds_sanctions_format fmt = ds_sanctions_detect(data.data, data.len);
    if (fmt == DS_SANCTIONS_FORMAT_OFAC_CSV) {
        st = parse_csv_trio(file, &data, out, err);
    } else if (fmt == DS_SANCTIONS_FORMAT_UNKNOWN) {
        int nf = csv_fields(&data);
        if (nf == 5 || nf == 6 || nf == 2)
            st = ds_err_set(err, DS_ERR_FORMAT,
                            "%s: looks like OFAC's %s; give sdn.csv (alt.csv, add.csv and sdn_comments.csv are read "
                            "from beside it)",
                            file,
                            nf == 5   ? "alt.csv"
                            : nf == 6 ? "add.csv"
                                      : "sdn_comments.csv");
        else
            st = ds_sanctions_parse(data.data, data.len, file, &out->list, err);
    } else {
        st = ds_sanctions_parse(data.data, data.len, file, &out->list, err);
        if (!st) {
            GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA256);
            hash_into(ck, &data);
            snprintf(out->sha256, sizeof out->sha256, "%s", g_checksum_get_string(ck));
            g_checksum_free(ck);
        }
    }
    ds_buf_deinit(&data);
    return st;
}

static int valid_date(const char *s)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    int m = atoi(s + 5), d = atoi(s + 8);
    return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

static ds_name_kind kind_of(ds_sanctions_type t)
{
    return t == DS_SANCTIONS_TYPE_INDIVIDUAL ? DS_NAME_KIND_PERSON : DS_NAME_KIND_ORG;
}

/* A file with fewer than 90% of the active version's entries is a truncated download until
 * forced: DS_ERR_PARSE naming the file and both counts. */
static ds_status refuse_truncated(PGconn *conn, const char *source, size_t entries, const char *path, ds_err *err)
{
    PGresult *r = NULL;
    const char *pp[1] = {source};
    ds_status st = ds_db_exec(conn, &r, err, "SELECT entry_count FROM sanctions_lists WHERE source = $1 AND active", 1,
                              pp);
    if (st)
        return st;
    long long active = PQntuples(r) == 1 ? atoll(PQgetvalue(r, 0, 0)) : 0;
    PQclear(r);
    if (active > 0 && (long long)entries * 10 < active * 9)
        return ds_err_set(err, DS_ERR_PARSE,
                          "%s: %zu entries, fewer than 90%% of the %lld of the active %s version (truncated?); "
                          "--force loads it",
                          path ? path : source, entries, active, source);
    return DS_OK;
}

/* The version label and publication date of a parsed list, into rec (cleared first). */
static void describe_version(const parsed *p, const ds_lists_options *opts, ds_lists_loaded *rec)
{
    const ds_sanctions_list *l = p->list;
    memset(rec, 0, sizeof *rec);
    if (opts && opts->version && *opts->version)
        snprintf(rec->version, sizeof rec->version, "%s", opts->version);
    else if (l->version && *l->version)
        snprintf(rec->version, sizeof rec->version, "%s", l->version);
    else
        snprintf(rec->version, sizeof rec->version, "sha256:%.12s", p->sha256);
    const char *published = opts && opts->published && *opts->published ? opts->published
                            : l->published && *l->published             ? l->published
                                                                        : "";
    snprintf(rec->source, sizeof rec->source, "%s", ds_sanctions_source_name(l->source));
    snprintf(rec->format, sizeof rec->format, "%s", ds_sanctions_format_name(l->format));
    snprintf(rec->published, sizeof rec->published, "%s", published);
    snprintf(rec->sha256, sizeof rec->sha256, "%s", p->sha256);
    rec->skipped = l->n_skipped;
}

/* Whether the active version of the source has the same bytes (rec->unchanged, rec->list_id);
 * otherwise refuses a file under 90% of the active entries. */
static ds_status check_unchanged(PGconn *conn, const parsed *p, ds_lists_loaded *rec, ds_err *err)
{
    PGresult *r = NULL;
    const char *pp[2] = {rec->source, p->sha256};
    ds_status st = ds_db_exec(
        conn, &r, err, "SELECT id FROM sanctions_lists WHERE source = $1 AND active AND file_sha256 = $2", 2, pp);
    if (st)
        return st;
    if (PQntuples(r) == 1) {
        rec->list_id = atoll(PQgetvalue(r, 0, 0));
        rec->unchanged = 1;
    }
    PQclear(r);
    return rec->unchanged ? DS_OK : refuse_truncated(conn, rec->source, p->list->n_entries, p->path, err);
}

/* Deactivates the source's active version and inserts the new one, active (rec->list_id). */
static ds_status insert_version(PGconn *conn, const parsed *p, ds_lists_loaded *rec, ds_err *err)
{
    PGresult *r = NULL;
    /* Deactivate first: the partial unique index allows one active version per source. */
    const char *p1[1] = {rec->source};
    ds_status st = ds_db_exec(
        conn, &r, err, "UPDATE sanctions_lists SET active = false WHERE source = $1 AND active RETURNING id", 1, p1);
    if (st)
        return st;
    if (PQntuples(r) > 0)
        rec->replaced_id = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    char count[32];
    snprintf(count, sizeof count, "%zu", p->list->n_entries);
    const char *p5[5] = {rec->source, rec->version, rec->published[0] ? rec->published : NULL, p->sha256, count};
    st = ds_db_exec(conn, &r, err,
                    "INSERT INTO sanctions_lists (source, version, published, file_sha256, entry_count, active) "
                    "VALUES ($1, $2, $3::date, $4, $5::integer, true) RETURNING id",
                    5, p5);
    if (st)
        return st;
    rec->list_id = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    return DS_OK;
}

/* Entry ids drawn from the sequence, so the names can refer to them in the same COPY pass.
 * *ids is the caller's to ds_free. */
static ds_status reserve_ids(PGconn *conn, const parsed *p, long long **ids, ds_err *err)
{
    PGresult *r = NULL;
    size_t n = p->list->n_entries;
    char count[32];
    snprintf(count, sizeof count, "%zu", n);
    ds_status st = ds_db_exec(
        conn, &r, err,
        "SELECT nextval(pg_get_serial_sequence('sanctions_entries', 'id')) FROM generate_series(1, $1::integer)", 1,
        (const char *const[]){count});
    if (st)
        return st;
    if ((size_t)PQntuples(r) != n) {
        PQclear(r);
        return ds_err_set(err, DS_ERR_DB, "%s: could not reserve %zu entry ids", p->path, n);
    }
    if (!(*ids = ds_malloc(n * sizeof **ids))) {
        PQclear(r);
        return ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", p->path);
    }
    for (size_t i = 0; i < n; i++)
        (*ids)[i] = atoll(PQgetvalue(r, (int)i, 0));
    PQclear(r);
    return DS_OK;
}

/* Ends a COPY: aborts it after a failure, else finishes it (errors prefixed with the file). */
static ds_status finish_copy(ds_copy *cp, ds_status st, const char *path, ds_err *err)
{
    if (st) {
        ds_copy_abort(cp, "sanctions list load failed");
        return st;
    }
    st = ds_copy_end(cp, err);
    return st ? ds_err_prefix(err, "%s", path) : DS_OK;
}

static ds_status copy_entries(PGconn *conn, const parsed *p, const long long *ids, long long list_id, ds_err *err)
{
    const ds_sanctions_list *l = p->list;
    ds_copy cp;
    ds_status st = ds_copy_begin(
        &cp, conn,
        "COPY sanctions_entries (id, list_id, ext_id, entry_type, name, programs, remarks, attributes) FROM STDIN",
        err);
    for (size_t i = 0; i < l->n_entries && !st; i++) {
        const ds_sanctions_entry *e = &l->entries[i];
        if (ds_copy_int(&cp, ids[i]) || ds_copy_int(&cp, list_id) || ds_copy_str(&cp, e->ext_id) ||
            ds_copy_str(&cp, ds_sanctions_type_name(e->type)) || ds_copy_str(&cp, e->name) ||
            ds_copy_str(&cp, e->programs) || ds_copy_str(&cp, e->remarks) || ds_copy_str(&cp, e->attributes)) {
            st = ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", p->path);
            break;
        }
        st = ds_copy_row_end(&cp, err);
    }
    return finish_copy(&cp, st, p->path, err);
}

/* Every entry's primary name and aliases, normalised; *names counts the rows. */
static ds_status copy_names(PGconn *conn, const parsed *p, const long long *ids, size_t *names, ds_err *err)
{
    const ds_sanctions_list *l = p->list;
    ds_copy cp;
    ds_status st = ds_copy_begin(
        &cp, conn, "COPY sanctions_names (entry_id, name, name_norm, is_alias, alias_quality) FROM STDIN", err);
    ds_name_norm nn;
    ds_name_norm_init(&nn);
    *names = 0;
    for (size_t i = 0; i < l->n_entries && !st; i++) {
        const ds_sanctions_entry *e = &l->entries[i];
        for (size_t a = 0; a <= e->n_aliases && !st; a++) {
            const char *name = a == 0 ? e->name : e->aliases[a - 1].name;
            const char *quality = a == 0 ? NULL : e->aliases[a - 1].quality;
            if (ds_name_normalize(&nn, name, (size_t)-1, kind_of(e->type)) || ds_copy_int(&cp, ids[i]) ||
                ds_copy_str(&cp, name) || ds_copy_str(&cp, nn.sorted.data ? nn.sorted.data : "") ||
                ds_copy_str(&cp, a == 0 ? "f" : "t") || ds_copy_str(&cp, quality)) {
                st = ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", p->path);
                break;
            }
            st = ds_copy_row_end(&cp, err);
            (*names)++;
        }
    }
    ds_name_norm_deinit(&nn);
    return finish_copy(&cp, st, p->path, err);
}

/* Loads one parsed list inside the caller's transaction: the version row, its entries and names
 * (nothing when the active version has the same bytes, unless forced). */
static ds_status load_one(PGconn *conn, parsed *p, const ds_lists_options *opts, ds_lists_loaded *rec, ds_err *err)
{
    describe_version(p, opts, rec);
    ds_status st = DS_OK;
    if (!(opts && opts->force) && ((st = check_unchanged(conn, p, rec, err)) || rec->unchanged))
        return st;
    if ((st = insert_version(conn, p, rec, err)))
        return st;
    rec->entries = p->list->n_entries;
    if (p->list->n_entries == 0)
        return DS_OK;
    long long *ids = NULL;
    if ((st = reserve_ids(conn, p, &ids, err)))
        return st;
    st = copy_entries(conn, p, ids, rec->list_id, err);
    if (!st)
        st = copy_names(conn, p, ids, &rec->names, err);
    ds_free(ids);
    return st;
}

ds_status ds_lists_load(PGconn *conn, const char *const *paths, size_t n_paths, const ds_lists_options *opts,
                        ds_lists_loaded *loaded, ds_err *err)
{
    if (n_paths == 0)
        return ds_err_set(err, DS_ERR_USAGE, "no list files given");
    if (opts && opts->published && *opts->published && !valid_date(opts->published))
        return ds_err_set(err, DS_ERR_USAGE, "publication date \"%s\" is not YYYY-MM-DD", opts->published);
    parsed *ps = ds_calloc(n_paths, sizeof *ps);
    if (!ps)
        return ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    ds_status st = DS_OK;
    for (size_t i = 0; i < n_paths && !st; i++)
        st = parse_path(paths[i], &ps[i], err);
    if (!st)
        st = ds_db_begin(conn, err);
    if (!st) {
        ds_lists_loaded tmp;
        for (size_t i = 0; i < n_paths && !st; i++)
            st = load_one(conn, &ps[i], opts, loaded ? &loaded[i] : &tmp, err);
        if (st)
            ds_db_rollback(conn);
        else
            st = ds_db_commit(conn, err);
    }
    for (size_t i = 0; i < n_paths; i++)
        ds_sanctions_list_free(ps[i].list);
    ds_free(ps);
    return st;
}

ds_status ds_lists_build_index_ids(PGconn *conn, ds_screen_index **out, char *list_ids, size_t cap, ds_err *err)
{
    *out = NULL;
    PGresult *r = NULL;
    ds_status st = ds_db_exec(conn, NULL, err, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", 0, NULL);
    if (st == DS_OK)
        st = ds_db_exec(conn, &r, err,
                        "SELECT coalesce(array_agg(id ORDER BY id)::text, '{}') FROM sanctions_lists WHERE active", 0,
                        NULL);
    if (st == DS_OK && snprintf(list_ids, cap, "%s", PQgetvalue(r, 0, 0)) >= (int)cap)
        st = ds_err_set(err, DS_ERR_INTERNAL, "too many active sanctions lists (%s)", PQgetvalue(r, 0, 0));
    PQclear(r);
    if (st == DS_OK)
        st = ds_lists_build_index(conn, out, err);
    if (st == DS_OK)
        st = ds_db_commit(conn, err);
    if (st) {
        ds_db_rollback(conn);
        ds_screen_index_free(*out);
        *out = NULL;
    }
    return st;
}

ds_status ds_lists_build_index(PGconn *conn, ds_screen_index **out, ds_err *err)
{
    *out = NULL;
    PGresult *r = NULL;
    ds_status st = ds_db_exec(conn, &r, err,
                              "SELECT e.id, l.id, l.version, n.name, n.is_alias, e.entry_type "
                              "FROM sanctions_names n JOIN sanctions_entries e ON e.id = n.entry_id "
                              "JOIN sanctions_lists l ON l.id = e.list_id "
                              "WHERE l.active AND n.alias_quality IS DISTINCT FROM 'weak' ORDER BY n.id",
                              0, NULL);
    if (st)
        return ds_err_prefix(err, "reading sanctions names");
    ds_screen_index *idx;
    if ((st = ds_screen_index_create(&idx, err)) != DS_OK) {
        PQclear(r);
        return st;
    }
    int n = PQntuples(r);
    for (int i = 0; i < n && !st; i++) {
        const char *type = PQgetvalue(r, i, 5);
        int person = strcmp(type, "individual") == 0 ? 1
                     : strcmp(type, "vessel") == 0   ? DS_SCREEN_VESSEL
                     : strcmp(type, "aircraft") == 0 ? DS_SCREEN_AIRCRAFT
                                                     : 0;
        if (ds_screen_index_add(idx, atoll(PQgetvalue(r, i, 0)), atoll(PQgetvalue(r, i, 1)), PQgetvalue(r, i, 2),
                                PQgetvalue(r, i, 3), PQgetvalue(r, i, 4)[0] == 't', person))
            st = ds_err_set(err, DS_ERR_NOMEM, "screening index: out of memory after %d names", i);
    }
    PQclear(r);
    if (!st)
        st = ds_screen_index_build(idx, err);
    if (st) {
        ds_screen_index_free(idx);
        return st;
    }
    *out = idx;
    return DS_OK;
}
