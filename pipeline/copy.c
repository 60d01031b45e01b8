/* copy.c - bulk loading with COPY ... FROM STDIN in text format.
 *
 * Rows are escaped into one buffer and sent in large pieces (PQputCopyData), which is what
 * makes the loader as fast as psql's \copy. Escaping follows the COPY text format: backslash,
 * tab, newline and carriage return are escaped; NULL is \N. Threading: one ds_copy per
 * connection.
 */
#include "pipeline/db.h"

#include <stdio.h>
#include <string.h>

#define SEND_THRESHOLD (256 * 1024)

ds_status ds_copy_begin(ds_copy *cp, PGconn *conn, const char *copy_sql, ds_err *err)
{
    memset(cp, 0, sizeof *cp);
    cp->conn = conn;
    ds_buf_init(&cp->row);
    PGresult *r = PQexec(conn, copy_sql);
    if (!r || PQresultStatus(r) != PGRES_COPY_IN) {
        ds_status st = ds_err_set(err, DS_ERR_DB, "%s", r ? PQresultErrorMessage(r) : PQerrorMessage(conn));
        PQclear(r);
        return st;
    }
    PQclear(r);
    cp->active = 1;
    return ds_buf_reserve(&cp->row, SEND_THRESHOLD + 4096) ? ds_err_set(err, DS_ERR_NOMEM, "out of memory") : DS_OK;
}

ds_status ds_copy_field(ds_copy *cp, const char *s, size_t n)
{
    ds_buf *b = &cp->row;
    if (cp->fields_in_row++ && ds_buf_putc(b, '\t'))
        return DS_ERR_NOMEM;
    if (!s)
        return ds_buf_append(b, "\\N", 2);
    /* Worst case doubles the length. */
    if (ds_buf_reserve(b, n * 2))
        return DS_ERR_NOMEM;
    char *o = b->data + b->len;
    const char *end = s + n, *run = s;
    for (const char *p = s; p < end; p++) {
        char esc;
        switch (*p) {
        case '\\': esc = '\\'; break;
        case '\t': esc = 't'; break;
        case '\n': esc = 'n'; break;
        case '\r': esc = 'r'; break;
        case '\0': esc = 0; break; /* NUL cannot be stored in text: dropped */
        default: continue;
        }
        memcpy(o, run, (size_t)(p - run));
        o += p - run;
        if (esc) {
            *o++ = '\\';
            *o++ = esc;
        }
        run = p + 1;
    }
    memcpy(o, run, (size_t)(end - run));
    o += end - run;
    b->len = (size_t)(o - b->data);
    b->data[b->len] = '\0';
    return DS_OK;
}

ds_status ds_copy_str(ds_copy *cp, const char *s)
{
    return ds_copy_field(cp, s, s ? strlen(s) : 0);
}

ds_status ds_copy_int(ds_copy *cp, long long v)
{
    /* Digits written backwards: this runs for every integer of every row, and snprintf's
     * format parsing would cost more than the rest of the field. */
    char tmp[24];
    char *p = tmp + sizeof tmp;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    return ds_copy_field(cp, p, (size_t)(tmp + sizeof tmp - p));
}

static ds_status send_buffer(ds_copy *cp, ds_err *err)
{
    if (cp->row.len == 0)
        return DS_OK;
    if (PQputCopyData(cp->conn, cp->row.data, (int)cp->row.len) != 1)
        return ds_err_set(err, DS_ERR_DB, "sending COPY data: %s", PQerrorMessage(cp->conn));
    ds_buf_clear(&cp->row);
    return DS_OK;
}

ds_status ds_copy_row_end(ds_copy *cp, ds_err *err)
{
    if (ds_buf_putc(&cp->row, '\n'))
        return ds_err_set(err, DS_ERR_NOMEM, "out of memory");
    cp->fields_in_row = 0;
    cp->rows++;
    if (cp->row.len >= SEND_THRESHOLD)
        return send_buffer(cp, err);
    return DS_OK;
}

/* Reads results until NULL; returns the first error. */
static ds_status drain(PGconn *conn, ds_err *err)
{
    ds_status st = DS_OK;
    PGresult *r;
    while ((r = PQgetResult(conn)) != NULL) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && st == DS_OK) {
            char msg[480];
            snprintf(msg, sizeof msg, "%s", PQresultErrorMessage(r));
            size_t n = strlen(msg);
            while (n && msg[n - 1] == '\n')
                msg[--n] = '\0';
            st = ds_err_set(err, PQstatus(conn) == CONNECTION_BAD ? DS_ERR_DB_UNREACHABLE : DS_ERR_DB, "copy: %s", msg);
        }
        PQclear(r);
    }
    return st;
}

ds_status ds_copy_end(ds_copy *cp, ds_err *err)
{
    ds_status st = DS_OK;
    if (!cp->active)
        goto done;
    st = send_buffer(cp, err);
    if (st) {
        PQputCopyEnd(cp->conn, "client failed sending data");
        drain(cp->conn, NULL);
        goto done;
    }
    if (PQputCopyEnd(cp->conn, NULL) != 1) {
        st = ds_err_set(err, DS_ERR_DB, "ending COPY: %s", PQerrorMessage(cp->conn));
        drain(cp->conn, NULL);
        goto done;
    }
    st = drain(cp->conn, err);
done:
    cp->active = 0;
    ds_buf_deinit(&cp->row);
    return st;
}

void ds_copy_abort(ds_copy *cp, const char *reason)
{
    if (cp->active) {
        PQputCopyEnd(cp->conn, reason ? reason : "aborted by client");
        drain(cp->conn, NULL);
    }
    cp->active = 0;
    ds_buf_deinit(&cp->row);
}
