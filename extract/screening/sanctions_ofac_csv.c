/* sanctions_ofac_csv.c - OFAC SDN list in its CSV layout: sdn.csv (12 columns: ent_num, name,
 * type, programmes, title, call sign, vessel type, tonnage, GRT, vessel flag, vessel owner,
 * remarks), alt.csv (5: ent_num, alt_num, alt_type, alt_name, remarks), add.csv (6: ent_num,
 * add_num, address, city/state/postal code, country, remarks) and sdn_comments.csv (2: ent_num,
 * the rest of a remarks field cut at 1,000 characters).
 *
 * The files have no header row; "-0-" (often followed by a space) is null; fields may be quoted
 * with "" for a quote inside; lines end in CR LF; the file may end with a DOS end-of-file byte
 * (0x1A). A record with the wrong number of fields is an error naming the file and line.
 * Aliases in alt.csv are OFAC's strong a.k.a.s; the weak ones are only written in the remarks
 * ("a.k.a. 'NAME'") and are taken from there with quality "weak".
 *
 * Owns: nothing beyond the list it builds. Threading: reentrant.
 */
#include "extract/screening/sanctions_internal.h"

#include "pipeline/core/alloc.h"

#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 16

typedef struct csv {
    const char *p, *end;
    const char *name;
    size_t line; /* line of the record being read (1-based) */
} csv;

typedef struct field {
    const char *s; /* NULL: null (-0-) */
    size_t n;
    int quoted;
} field;

/* Reads one record. Returns 1 with fields filled, 0 at the end, -1 on error (err set). Quoted
 * fields with "" inside are unescaped into scratch (reused between calls). */
static int csv_record(csv *c, field *f, size_t *nf, ds_buf *scratch, ds_err *err)
{
    /* Skip blank lines and the DOS end-of-file byte. */
    while (c->p < c->end && (*c->p == '\r' || *c->p == '\n' || *c->p == 0x1A)) {
        if (*c->p == '\n')
            c->line++;
        c->p++;
    }
    if (c->p >= c->end)
        return 0;
    ds_buf_clear(scratch);
    /* Offsets into scratch for unescaped fields are fixed up after the record is read,
     * because scratch may move while growing. */
    size_t off[MAX_FIELDS];
    size_t n = 0;
    size_t start_line = c->line;
    for (;;) {
        if (n == MAX_FIELDS) {
            ds_err_set(err, DS_ERR_PARSE, "%s: line %zu: more than %d fields", c->name, start_line, MAX_FIELDS);
            return -1;
        }
        field *fd = &f[n];
        fd->quoted = 0;
        off[n] = (size_t)-1;
        while (c->p < c->end && *c->p == ' ')
            c->p++;
        if (c->p < c->end && *c->p == '"') {
            fd->quoted = 1;
            c->p++;
            const char *s = c->p;
            int escaped = 0;
            for (;;) {
                if (c->p >= c->end) {
                    ds_err_set(err, DS_ERR_PARSE, "%s: line %zu: quoted field not closed before the end of the file",
                               c->name, start_line);
                    return -1;
                }
                if (*c->p == '"') {
                    if (c->p + 1 < c->end && c->p[1] == '"') {
                        escaped = 1;
                        c->p += 2;
                        continue;
                    }
                    break;
                }
                if (*c->p == '\n')
                    c->line++;
                c->p++;
            }
            size_t len = (size_t)(c->p - s);
            c->p++; /* closing quote */
            if (escaped) {
                off[n] = scratch->len;
                for (size_t i = 0; i < len; i++) {
                    if (s[i] == '"' && i + 1 < len && s[i + 1] == '"')
                        i++;
                    if (ds_buf_putc(scratch, s[i])) {
                        ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", c->name);
                        return -1;
                    }
                }
                fd->s = NULL;
                fd->n = scratch->len - off[n];
            } else {
                fd->s = s;
                fd->n = len;
            }
            while (c->p < c->end && *c->p == ' ')
                c->p++;
            if (c->p < c->end && *c->p != ',' && *c->p != '\r' && *c->p != '\n' && *c->p != 0x1A) {
                ds_err_set(err, DS_ERR_PARSE, "%s: line %zu: unexpected character after a closing quote", c->name,
                           c->line);
                return -1;
            }
        } else {
            const char *s = c->p;
            while (c->p < c->end && *c->p != ',' && *c->p != '\r' && *c->p != '\n') {
                if (*c->p == '"') {
                    ds_err_set(err, DS_ERR_PARSE, "%s: line %zu: quote inside an unquoted field", c->name, c->line);
                    return -1;
                }
                c->p++;
            }
            size_t len = (size_t)(c->p - s);
            while (len && (s[len - 1] == ' ' || s[len - 1] == 0x1A))
                len--;
            fd->s = s;
            fd->n = len;
            if (len == 3 && memcmp(s, "-0-", 3) == 0)
                fd->s = NULL, fd->n = 0;
        }
        n++;
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        break; /* end of line or file */
    }
    for (size_t i = 0; i < n; i++)
        if (off[i] != (size_t)-1)
            f[i].s = scratch->data + off[i];
    *nf = n;
    return 1;
}

static int parse_id(const field *f, long long *out)
{
    if (!f->s || f->n == 0 || f->n > 18)
        return 0;
    long long v = 0;
    for (size_t i = 0; i < f->n; i++) {
        if (f->s[i] < '0' || f->s[i] > '9')
            return 0;
        v = v * 10 + (f->s[i] - '0');
    }
    *out = v;
    return 1;
}

typedef struct idrow {
    long long id;
    size_t entry;
} idrow;

typedef DS_VEC(idrow) idvec;

static int idrow_cmp(const void *a, const void *b)
{
    const idrow *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

static long find_entry(const idrow *ids, size_t n, long long id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ids[mid].id == id)
            return (long)ids[mid].entry;
        if (ids[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* "SDGT] [IFSR" (the CSV writes the bracketed list without its outer brackets) -> "SDGT; IFSR". */
static char *programs_of(ds_sl_builder *b, const field *f, int *nomem)
{
    if (!f->s)
        return NULL;
    ds_buf t = DS_BUF_INIT;
    size_t i = 0;
    while (i < f->n) {
        if (f->s[i] == '[' || f->s[i] == ']') {
            size_t j = i;
            while (j < f->n && (f->s[j] == '[' || f->s[j] == ']' || f->s[j] == ' '))
                j++;
            if (t.len && j < f->n && ds_buf_puts(&t, "; "))
                *nomem = 1;
            i = j;
            continue;
        }
        if (ds_buf_putc(&t, f->s[i]))
            *nomem = 1;
        i++;
    }
    char *s = t.data ? ds_sl_text(b, t.data, t.len, 1, nomem) : NULL;
    ds_buf_deinit(&t);
    return s;
}

static char *field_text(ds_sl_builder *b, const field *f, int collapse, int *nomem)
{
    return f->s ? ds_sl_text(b, f->s, f->n, collapse, nomem) : NULL;
}

/* Weak aliases written in remarks: a.k.a. 'NAME'; (also f.k.a., n.k.a.). */
static ds_status weak_aliases(ds_sl_builder *b, size_t owner, const char *remarks)
{
    static const char *const marks[] = {"a.k.a. '", "f.k.a. '", "n.k.a. '"};
    static const char *const kinds[] = {"a.k.a.", "f.k.a.", "n.k.a."};
    if (!remarks)
        return DS_OK;
    for (size_t m = 0; m < 3; m++) {
        const char *p = remarks;
        while ((p = strstr(p, marks[m])) != NULL) {
            const char *s = p + strlen(marks[m]);
            /* The name ends at a quote followed by ; or . or the end (names may hold quotes). */
            const char *e = s;
            while (*e && !(e[0] == '\'' && (e[1] == ';' || e[1] == '.' || e[1] == '\0' || e[1] == ',')))
                e++;
            if (!*e)
                break;
            ds_status st = ds_sl_add_alias(b, owner, s, (size_t)(e - s), "weak", kinds[m]);
            if (st)
                return st;
            p = e + 1;
        }
    }
    return DS_OK;
}

static ds_status read_sdn(ds_sl_builder *b, const ds_sanctions_csv_files *in, idvec *ids, ds_buf *scratch, ds_err *err)
{
    csv c = {in->sdn, in->sdn + in->sdn_n, in->sdn_name ? in->sdn_name : "sdn.csv", 1};
    field f[MAX_FIELDS];
    size_t nf = 0;
    int r;
    while ((r = csv_record(&c, f, &nf, scratch, err)) == 1) {
        if (nf != 12)
            return ds_err_set(err, DS_ERR_PARSE, "%s: line %zu: %zu fields, expected 12", c.name, c.line, nf);
        long long id;
        if (!parse_id(&f[0], &id))
            return ds_err_set(err, DS_ERR_PARSE, "%s: line %zu: ent_num is not a number", c.name, c.line);
        int nomem = 0;
        ds_sanctions_entry e = {0};
        e.ext_id = ds_arena_printf(&b->list->arena, "%lld", id);
        e.name = field_text(b, &f[1], 1, &nomem);
        if (!nomem && !e.name)
            return ds_err_set(err, DS_ERR_PARSE, "%s: line %zu: entry %lld has no name", c.name, c.line, id);
        const field *t = &f[2];
        e.type = DS_SANCTIONS_TYPE_ENTITY;
        if (t->s && t->n == 10 && strncasecmp(t->s, "individual", 10) == 0)
            e.type = DS_SANCTIONS_TYPE_INDIVIDUAL;
        else if (t->s && t->n == 6 && strncasecmp(t->s, "vessel", 6) == 0)
            e.type = DS_SANCTIONS_TYPE_VESSEL;
        else if (t->s && t->n == 8 && strncasecmp(t->s, "aircraft", 8) == 0)
            e.type = DS_SANCTIONS_TYPE_AIRCRAFT;
        e.programs = programs_of(b, &f[3], &nomem);
        e.remarks = field_text(b, &f[11], 0, &nomem);
        ds_sl_json j;
        ds_sl_json_init(&j);
        if (t->s && e.type == DS_SANCTIONS_TYPE_ENTITY)
            ds_sl_json_str(&j, "sdn_type", field_text(b, t, 1, &nomem));
        static const char *const keys[] = {"title", "call_sign",   "vessel_type", "tonnage",
                                           "grt",   "vessel_flag", "vessel_owner"};
        for (int k = 0; k < 7; k++)
            ds_sl_json_str(&j, keys[k], field_text(b, &f[4 + k], 1, &nomem));
        e.attributes = ds_sl_json_finish(&j, b);
        if (j.st)
            nomem = 1;
        ds_sl_json_deinit(&j);
        size_t idx;
        if (nomem || !e.ext_id || !e.attributes || ds_sl_add_entry(b, &e, &idx) ||
            DS_VEC_PUSH(*ids, ((idrow){id, idx})))
            return DS_SL_NOMEM(b, err);
    }
    if (r < 0)
        return err->code;
    if (b->entries.n == 0)
        return ds_err_set(err, DS_ERR_EMPTY, "%s: no entries", c.name);
    qsort(ids->v, ids->n, sizeof *ids->v, idrow_cmp);
    for (size_t i = 1; i < ids->n; i++)
        if (ids->v[i].id == ids->v[i - 1].id)
            return ds_err_set(err, DS_ERR_PARSE, "%s: ent_num %lld appears twice", c.name, ids->v[i].id);
    return DS_OK;
}

static ds_status read_comments(ds_sl_builder *b, const ds_sanctions_csv_files *in, const idrow *ids, size_t nids,
                               ds_buf *scratch, ds_err *err)
{
    csv c = {in->comments, in->comments + in->comments_n, in->comments_name ? in->comments_name : "sdn_comments.csv",
             1};
    field f[MAX_FIELDS];
    size_t nf = 0;
    int r;
    while ((r = csv_record(&c, f, &nf, scratch, err)) == 1) {
        if (nf != 2)
            return ds_err_set(err, DS_ERR_PARSE, "%s: line %zu: %zu fields, expected 2", c.name, c.line, nf);
        long long id;
        if (!parse_id(&f[0], &id))
            return ds_err_set(err, DS_ERR_PARSE, "%s: line %zu: ent_num is not a number", c.name, c.line);
        long e = find_entry(ids, nids, id);
        if (e < 0 || !f[1].s) {
            b->list->n_skipped++;
            continue;
        }
        ds_sanctions_entry *en = &b->entries.v[e];
        char *joined = ds_arena_printf(&b->list->arena, "%s%.*s", en->remarks ? en->remarks : "", (int)f[1].n, f[1].s);
        int nomem = 0;
        char *clean = joined ? ds_sl_text(b, joined, strlen(joined), 0, &nomem) : NULL;
        if (!joined || nomem)
            return DS_SL_NOMEM(b, err);
        en->remarks = clean;
    }
    return r < 0 ? err->code : DS_OK;
}

static ds_status read_alt(ds_sl_builder *b, const ds_sanctions_csv_files *in, const idrow *ids, size_t nids,
                          ds_buf *scratch, ds_err *err)
{
    csv c = {in->alt, in->alt + in->alt_n, in->alt_name ? in->alt_name : "alt.csv", 1};
    field f[MAX_FIELDS];
    size_t nf = 0;
    int r;
    while ((r = csv_record(&c, f, &nf, scratch, err)) == 1) {
        if (nf != 5)
            return ds_err_set(err, DS_ERR_PARSE, "%s: line %zu: %zu fields, expected 5", c.name, c.line, nf);
        long long id;
        if (!parse_id(&f[0], &id))
            return ds_err_set(err, DS_ERR_PARSE, "%s: line %zu: ent_num is not a number", c.name, c.line);
        long e = find_entry(ids, nids, id);
        if (e < 0 || !f[3].s) {
            b->list->n_skipped++;
            continue;
        }
        const char *kind = NULL;
        if (f[2].s && f[2].n == 3) {
            if (strncasecmp(f[2].s, "aka", 3) == 0)
                kind = "a.k.a.";
            else if (strncasecmp(f[2].s, "fka", 3) == 0)
                kind = "f.k.a.";
            else if (strncasecmp(f[2].s, "nka", 3) == 0)
                kind = "n.k.a.";
        }
        if (ds_sl_add_alias(b, (size_t)e, f[3].s, f[3].n, "strong", kind))
            return DS_SL_NOMEM(b, err);
    }
    return r < 0 ? err->code : DS_OK;
}

/* Addresses go into each entry's attributes as "addresses": [{address, city, country, remarks}]. */
typedef struct addr {
    size_t entry;
    size_t seq;
    const char *address, *city, *country, *remarks;
} addr;

static int addr_cmp(const void *a, const void *b)
{
    const addr *x = a, *y = b;
    if (x->entry != y->entry)
        return x->entry < y->entry ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static ds_status read_add(ds_sl_builder *b, const ds_sanctions_csv_files *in, const idrow *ids, size_t nids,
                          ds_buf *scratch, ds_err *err)
{
    csv c = {in->add, in->add + in->add_n, in->add_name ? in->add_name : "add.csv", 1};
    field f[MAX_FIELDS];
    size_t nf = 0;
    int r;
    DS_VEC(addr) rows = {0};
    ds_status st = DS_OK;
    while ((r = csv_record(&c, f, &nf, scratch, err)) == 1) {
        if (nf != 6) {
            st = ds_err_set(err, DS_ERR_PARSE, "%s: line %zu: %zu fields, expected 6", c.name, c.line, nf);
            goto done;
        }
        long long id;
        if (!parse_id(&f[0], &id)) {
            st = ds_err_set(err, DS_ERR_PARSE, "%s: line %zu: ent_num is not a number", c.name, c.line);
            goto done;
        }
        long e = find_entry(ids, nids, id);
        if (e < 0) {
            b->list->n_skipped++;
            continue;
        }
        int nomem = 0;
        addr a = {(size_t)e,
                  rows.n,
                  field_text(b, &f[2], 1, &nomem),
                  field_text(b, &f[3], 1, &nomem),
                  field_text(b, &f[4], 1, &nomem),
                  field_text(b, &f[5], 1, &nomem)};
        if (nomem || DS_VEC_PUSH(rows, a)) {
            st = DS_SL_NOMEM(b, err);
            goto done;
        }
    }
    if (r < 0) {
        st = err->code;
        goto done;
    }
    if (rows.n)
        qsort(rows.v, rows.n, sizeof *rows.v, addr_cmp);
    for (size_t i = 0; i < rows.n;) {
        size_t e = rows.v[i].entry;
        ds_sanctions_entry *en = &b->entries.v[e];
        ds_sl_json j;
        ds_sl_json_init(&j);
        /* Re-open the entry's object: copy its fields without the closing brace. */
        const char *old = en->attributes;
        size_t ol = strlen(old);
        if (ol > 2) {
            if (ds_buf_append(&j.buf, old, ol - 1))
                j.st = DS_ERR_NOMEM;
            j.fields = 1;
        }
        ds_sl_json_array_open(&j, "addresses");
        for (; i < rows.n && rows.v[i].entry == e; i++) {
            const addr *a = &rows.v[i];
            if (!a->address && !a->city && !a->country && !a->remarks)
                continue;
            int first = 1;
            ds_sl_json_array_obj_open(&j);
            ds_sl_json_obj_str(&j, &first, "address", a->address);
            ds_sl_json_obj_str(&j, &first, "city", a->city);
            ds_sl_json_obj_str(&j, &first, "country", a->country);
            ds_sl_json_obj_str(&j, &first, "remarks", a->remarks);
            ds_sl_json_array_obj_close(&j);
        }
        if (ds_sl_json_array_close(&j) == 0) { /* no address worth keeping */
            ds_sl_json_deinit(&j);
            continue;
        }
        const char *att = ds_sl_json_finish(&j, b);
        ds_sl_json_deinit(&j);
        if (!att) {
            st = DS_SL_NOMEM(b, err);
            goto done;
        }
        en->attributes = att;
    }
done:
    DS_VEC_FREE(rows);
    return st;
}

ds_status ds_sanctions_parse_ofac_csv(const ds_sanctions_csv_files *files, ds_sanctions_list **out, ds_err *err)
{
    *out = NULL;
    const char *name = files->sdn_name ? files->sdn_name : "sdn.csv";
    if (!files->sdn || files->sdn_n == 0)
        return ds_err_set(err, DS_ERR_EMPTY, "%s: empty file", name);
    ds_sl_builder b;
    ds_status st = ds_sl_begin(&b, DS_SANCTIONS_SOURCE_OFAC_SDN, DS_SANCTIONS_FORMAT_OFAC_CSV, name, err);
    if (st)
        return st;
    idvec ids = {0};
    ds_buf scratch = DS_BUF_INIT;
    st = read_sdn(&b, files, &ids, &scratch, err);
    if (!st && files->comments && files->comments_n)
        st = read_comments(&b, files, ids.v, ids.n, &scratch, err);
    if (!st && files->alt && files->alt_n)
        st = read_alt(&b, files, ids.v, ids.n, &scratch, err);
    for (size_t e = 0; !st && e < b.entries.n; e++)
        if (weak_aliases(&b, e, b.entries.v[e].remarks))
            st = DS_SL_NOMEM(&b, err);
    if (!st && files->add && files->add_n)
        st = read_add(&b, files, ids.v, ids.n, &scratch, err);
    DS_VEC_FREE(ids);
    ds_buf_deinit(&scratch);
    if (st) {
        ds_sl_abandon(&b);
        return st;
    }
    return ds_sl_finish(&b, out, err);
}
