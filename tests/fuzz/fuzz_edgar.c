/* fuzz_edgar.c - libFuzzer target for the EDGAR full-submission splitter (ingest/edgar_split.c):
 * splits the input, reads every string and body byte an event points to, uudecodes uuencoded
 * parts, and checks that every part body lies inside the input. */
#include "ingest/edgar_split.h"
#include "pipeline/core/buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct fuzz_ctx {
    const uint8_t *data;
    size_t size;
    size_t sum;
} fuzz_ctx;

static void touch(fuzz_ctx *c, const char *s)
{
    if (s)
        c->sum += strlen(s);
}

static ds_status on_event(void *ctx, const ds_edgar_event *ev, ds_err *err)
{
    fuzz_ctx *c = ctx;
    char iso[20];
    switch (ev->kind) {
    case DS_EDGAR_EVENT_FIELD:
        touch(c, ev->field->group);
        touch(c, ev->field->key);
        touch(c, ev->field->value);
        c->sum += (size_t)ds_edgar_iso_date(ev->field->value, iso) +
                  (size_t)ds_edgar_iso_datetime(ev->field->value, iso);
        if (ev->field->offset >= c->size)
            abort();
        break;
    case DS_EDGAR_EVENT_HEADER: {
        const ds_edgar_header *h = ev->header;
        const char *s[] = {h->dialect,        h->accession,  h->form_type,    h->filing_date,  h->period,
                           h->date_of_change, h->acceptance, h->company_role, h->company_name, h->cik,
                           h->fiscal_year_end};
        for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
            touch(c, s[i]);
        break;
    }
    case DS_EDGAR_EVENT_DOCUMENT: {
        const ds_edgar_part *p = ev->part;
        touch(c, p->type);
        touch(c, p->sequence);
        touch(c, p->filename);
        touch(c, p->description);
        touch(c, p->wrapper);
        if (p->body_len > 0 && (p->body < c->data || p->body + p->body_len > c->data + c->size))
            abort();
        for (size_t i = 0; i < p->body_len; i++)
            c->sum += p->body[i];
        if (p->uuencoded) {
            ds_buf out = DS_BUF_INIT;
            char name[64];
            int complete;
            /* A data line of at least 2 bytes gives at most 63 bytes (short lines are padded). */
            if (ds_edgar_uudecode(p->body, p->body_len, &out, name, sizeof name, &complete, err) == DS_OK &&
                out.len > 32 * p->body_len)
                abort();
            ds_buf_deinit(&out);
        }
        break;
    }
    case DS_EDGAR_EVENT_NOTE: touch(c, ev->note); break;
    }
    return DS_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_ctx c = {data, size, 0};
    ds_err err = {0};
    if (ds_edgar_split(data, size, on_event, &c, &err) != DS_OK)
        abort(); /* only out of memory may fail, and the fuzzer does not inject that */
    return 0;
}
