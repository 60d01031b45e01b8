/* json_budget.c - the shortest completion of every grammar state of a compiled JSON schema
 * (json_internal.h): per node the bytes of its shortest value (empty strings padded to
 * minLength, 0 for numbers, the shortest enum text, objects with only their required
 * properties, arrays with minItems items), and from a state the bytes that finish it. The
 * matcher (json_mask.c) uses the length to keep an answer within its token budget; the text is
 * for tests.
 * Owns: the per-node tables it fills (freed with the schema). Threading: pure functions of
 * (schema, state) once prepared.
 */
#include "model/json_internal.h"

#include "pipeline/core/alloc.h"

#include <string.h>

#define BIG (INT32_MAX / 2)

/* phases, as json_grammar.c numbers them */
enum { O_OPEN, O_FIRST, O_KEY, O_COLON, O_VALUE, O_CHILD, O_AFTER, O_COMMA };
enum { A_OPEN, A_FIRST, A_CHILD, A_AFTER, A_COMMA };
enum { S_OPEN, S_BODY, S_ESC, S_UTF8 };
enum { N_START, N_MINUS, N_ZERO, N_INT, N_DOT, N_FRAC, N_E, N_ESIGN, N_EXP };

static int sat(long long v)
{
    return v > BIG ? BIG : (int)v;
}

/* items copies of a value of size each, comma-separated */
static int items_bytes(long long items, int each)
{
    return items <= 0 ? 0 : sat(items * each + items - 1);
}

/* "key":value of property j */
static int entry_bytes(const ds_json_schema *s, const jg_node *n, int j)
{
    return sat(2LL + n->props[j].key_len + s->nodes[n->props[j].node].min_bytes);
}

static ds_status prepare_node(ds_json_schema *s, int id, int depth, ds_err *err)
{
    jg_node *n = &s->nodes[id];
    if (n->min_bytes >= 0)
        return DS_OK;
    if (depth > DS_JG_MAX_DEPTH + 2)
        return ds_err_set(err, DS_ERR_UNSUPPORTED, "json schema: nested too deeply");
    ds_status st = DS_OK;
    switch (n->kind) {
    case JG_OBJECT:
        n->req_sum = ds_calloc((size_t)n->n_props + 1, sizeof *n->req_sum);
        n->req_cnt = ds_calloc((size_t)n->n_props + 1, sizeof *n->req_cnt);
        if (!n->req_sum || !n->req_cnt)
            return ds_err_set(err, DS_ERR_NOMEM, "json schema: out of memory");
        for (int j = 0; j < n->n_props && st == DS_OK; j++)
            st = prepare_node(s, n->props[j].node, depth + 1, err);
        if (st)
            return st;
        n = &s->nodes[id];
        for (int j = n->n_props - 1; j >= 0; j--) {
            int r = n->props[j].required;
            n->req_sum[j] = sat((long long)n->req_sum[j + 1] + (r ? entry_bytes(s, n, j) : 0));
            n->req_cnt[j] = n->req_cnt[j + 1] + (r ? 1 : 0);
        }
        n->min_bytes = sat(2LL + n->req_sum[0] + (n->req_cnt[0] ? n->req_cnt[0] - 1 : 0));
        return DS_OK;
    case JG_ARRAY:
        if ((st = prepare_node(s, n->items, depth + 1, err)))
            return st;
        n = &s->nodes[id];
        n->min_bytes = sat(2LL + items_bytes(n->min_items, s->nodes[n->items].min_bytes));
        return DS_OK;
    case JG_STRING: n->min_bytes = 2 + n->min_len; return DS_OK;
    case JG_NUMBER:
    case JG_INTEGER: n->min_bytes = 1; return DS_OK;
    case JG_LITERALS:
        n->min_bytes = BIG;
        for (int j = 0; j < n->n_alts; j++)
            if (n->alt_len[j] < n->min_bytes)
                n->min_bytes = n->alt_len[j];
        return DS_OK;
    case JG_ROOT: n->min_bytes = 0; return DS_OK;
    }
    return DS_OK;
}

ds_status ds_jg_prepare_budget(ds_json_schema *s, ds_err *err)
{
    for (int i = 0; i < s->n_nodes; i++)
        s->nodes[i].min_bytes = -1;
    for (int i = 0; i < s->n_nodes; i++) {
        ds_status st = prepare_node(s, i, 0, err);
        if (st)
            return st;
    }
    return DS_OK;
}

/* The required properties from index a on, each after a comma, then '}'. */
static int object_tail(const jg_node *n, uint32_t a)
{
    return sat((long long)n->req_sum[a] + n->req_cnt[a] + 1);
}

/* Bytes finishing frame f (its children above it already finished), and the index of the
 * property a key in progress should become (objects in O_KEY or O_COMMA; -1 otherwise). */
static int frame_cost(const ds_json_schema *s, const jg_frame *f, int *prop)
{
    const jg_node *n = &s->nodes[f->node];
    *prop = -1;
    switch (n->kind) {
    case JG_OBJECT:
        switch (f->phase) {
        case O_OPEN: return n->min_bytes;
        case O_FIRST: return n->req_cnt[0] ? n->min_bytes - 1 : 1;
        case O_COMMA:
        case O_KEY: {
            int best = BIG;
            for (int j = (int)(f->phase == O_KEY ? 0 : f->a); j < n->n_props; j++) {
                if (f->phase == O_KEY ? !(f->cand >> j & 1) : 0)
                    continue;
                int c = sat((long long)entry_bytes(s, n, j) - (f->phase == O_KEY ? 1 + f->b : 0) +
                            object_tail(n, (uint32_t)j + 1));
                if (c < best) {
                    best = c;
                    *prop = j;
                }
                if (f->phase == O_COMMA && n->props[j].required)
                    break; /* a later key would still need this one */
            }
            return best;
        }
        case O_COLON:
        case O_VALUE: {
            int j = __builtin_ctzll(f->cand);
            return sat((f->phase == O_COLON ? 1LL : 0LL) + s->nodes[n->props[j].node].min_bytes + object_tail(n, f->a));
        }
        default: return object_tail(n, f->a); /* O_CHILD, O_AFTER */
        }
    case JG_ARRAY: {
        const int each = s->nodes[n->items].min_bytes;
        long long need = (long long)n->min_items - f->a;
        switch (f->phase) {
        case A_OPEN: return n->min_bytes;
        case A_FIRST: return n->min_bytes - 1;
        case A_COMMA: return sat((long long)items_bytes(need > 1 ? need : 1, each) + 1);
        default:
            if (f->phase == A_CHILD) /* the open child counts once done */
                need--;
            return sat(need > 0 ? need * ((long long)each + 1) + 1 : 1);
        }
    }
    case JG_STRING: {
        long long short_by = (long long)n->min_len - f->a;
        switch (f->phase & (uint8_t)~DS_JG_UNBOUNDED) {
        case S_OPEN: return n->min_bytes;
        case S_ESC: return sat(1 + (short_by - 1 > 0 ? short_by - 1 : 0) + 1);
        case S_UTF8: return sat((f->b & 3) + (short_by > 0 ? short_by : 0) + 1);
        default: return sat((short_by > 0 ? short_by : 0) + 1);
        }
    }
    case JG_NUMBER:
    case JG_INTEGER: return f->phase == N_ZERO || f->phase == N_INT || f->phase == N_FRAC || f->phase == N_EXP ? 0 : 1;
    case JG_LITERALS: {
        int best = BIG;
        for (int j = 0; j < n->n_alts; j++)
            if ((f->cand >> j & 1) && (uint32_t)n->alt_len[j] >= f->a && n->alt_len[j] - (int)f->a < best)
                best = n->alt_len[j] - (int)f->a;
        return best;
    }
    case JG_ROOT: return 0;
    }
    return BIG;
}

static int root_needs_eos(const ds_json_schema *s)
{
    jg_kind k = s->nodes[s->root].kind;
    return k == JG_NUMBER || k == JG_INTEGER || k == JG_LITERALS;
}

int ds_jg_cost(const ds_json_schema *s, const jg_state *st)
{
    if (st->depth <= 0)
        return BIG;
    if (ds_jg_closed(s, st))
        return 0;
    long long c = root_needs_eos(s) ? 1 : 0;
    if (st->depth == 1)
        return sat(c + s->nodes[s->root].min_bytes);
    for (int i = st->depth - 1; i >= 1; i--) {
        int prop;
        c += frame_cost(s, &st->f[i], &prop);
    }
    return sat(c);
}

int ds_jg_item_open(const ds_json_schema *s, const jg_state *st)
{
    for (int i = 1; i < st->depth; i++)
        if (s->nodes[st->f[i].node].kind == JG_ARRAY && (i + 1 < st->depth || st->f[i].phase == A_COMMA))
            return 1;
    return 0;
}

/* ---- the completion's text (tests and logs) ------------------------------------------------ */

typedef struct out_buf {
    char *p;
    int n, cap;
} out_buf;

static void put(out_buf *o, const char *t, int len)
{
    for (int i = 0; i < len; i++, o->n++)
        if (o->n < o->cap)
            o->p[o->n] = t[i];
}

static void put_value(const ds_json_schema *s, int node, out_buf *o);

static void put_entry(const ds_json_schema *s, const jg_node *n, int j, int from_key_byte, out_buf *o)
{
    if (from_key_byte == 0)
        put(o, "\"", 1);
    else
        from_key_byte--;
    put(o, n->props[j].key + from_key_byte, n->props[j].key_len - from_key_byte);
    put(o, ":", 1);
    put_value(s, n->props[j].node, o);
}

static void put_required(const ds_json_schema *s, const jg_node *n, uint32_t a, int first, out_buf *o)
{
    for (int j = (int)a; j < n->n_props; j++)
        if (n->props[j].required) {
            if (!first)
                put(o, ",", 1);
            first = 0;
            put_entry(s, n, j, 0, o);
        }
}

static void put_items(const ds_json_schema *s, const jg_node *n, long long k, int first, out_buf *o)
{
    for (long long i = 0; i < k && o->n <= o->cap; i++) {
        if (!first || i > 0)
            put(o, ",", 1);
        put_value(s, n->items, o);
    }
}

static void put_string_fill(long long k, out_buf *o)
{
    for (long long i = 0; i < k && o->n <= o->cap; i++)
        put(o, "a", 1);
}

static void put_value(const ds_json_schema *s, int node, out_buf *o)
{
    const jg_node *n = &s->nodes[node];
    switch (n->kind) {
    case JG_OBJECT:
        put(o, "{", 1);
        put_required(s, n, 0, 1, o);
        put(o, "}", 1);
        return;
    case JG_ARRAY:
        put(o, "[", 1);
        put_items(s, n, n->min_items, 1, o);
        put(o, "]", 1);
        return;
    case JG_STRING:
        put(o, "\"", 1);
        put_string_fill(n->min_len, o);
        put(o, "\"", 1);
        return;
    case JG_NUMBER:
    case JG_INTEGER: put(o, "0", 1); return;
    case JG_LITERALS:
        for (int j = 0; j < n->n_alts; j++)
            if (n->alt_len[j] == n->min_bytes) {
                put(o, n->alts[j], n->alt_len[j]);
                return;
            }
        return;
    case JG_ROOT: return;
    }
}

static void put_frame(const ds_json_schema *s, const jg_frame *f, out_buf *o)
{
    const jg_node *n = &s->nodes[f->node];
    int prop;
    (void)frame_cost(s, f, &prop);
    switch (n->kind) {
    case JG_OBJECT:
        switch (f->phase) {
        case O_OPEN: put_value(s, f->node, o); return;
        case O_FIRST: put_required(s, n, 0, 1, o); break;
        case O_COMMA:
        case O_KEY:
            put_entry(s, n, prop, f->phase == O_KEY ? 1 + f->b : 0, o);
            put_required(s, n, (uint32_t)prop + 1, 0, o);
            break;
        case O_COLON:
        case O_VALUE:
            if (f->phase == O_COLON)
                put(o, ":", 1);
            put_value(s, n->props[__builtin_ctzll(f->cand)].node, o);
            put_required(s, n, f->a, 0, o);
            break;
        default: put_required(s, n, f->a, 0, o); break;
        }
        put(o, "}", 1);
        return;
    case JG_ARRAY: {
        long long need = (long long)n->min_items - f->a;
        switch (f->phase) {
        case A_OPEN: put_value(s, f->node, o); return;
        case A_FIRST: put_items(s, n, n->min_items, 1, o); break;
        case A_COMMA: put_items(s, n, need > 1 ? need : 1, 1, o); break;
        case A_CHILD: put_items(s, n, need - 1, 0, o); break;
        default: put_items(s, n, need, 0, o); break;
        }
        put(o, "]", 1);
        return;
    }
    case JG_STRING: {
        long long short_by = (long long)n->min_len - f->a;
        switch (f->phase & (uint8_t)~DS_JG_UNBOUNDED) {
        case S_OPEN: put_value(s, f->node, o); return;
        case S_ESC:
            put(o, "n", 1);
            short_by--;
            break;
        case S_UTF8: {
            static const char lo[5] = {(char)0x80, (char)0xA0, (char)0x80, (char)0x90, (char)0x80};
            put(o, &lo[f->b >> 2], 1);
            for (int i = 1; i < (f->b & 3); i++)
                put(o, "\x80", 1);
            break;
        }
        default: break;
        }
        put_string_fill(short_by, o);
        put(o, "\"", 1);
        return;
    }
    case JG_NUMBER:
    case JG_INTEGER:
        if (frame_cost(s, f, &prop))
            put(o, "0", 1);
        return;
    case JG_LITERALS:
        for (int j = 0; j < n->n_alts; j++)
            if ((f->cand >> j & 1) && (uint32_t)n->alt_len[j] >= f->a &&
                n->alt_len[j] - (int)f->a == frame_cost(s, f, &prop)) {
                put(o, n->alts[j] + f->a, n->alt_len[j] - (int)f->a);
                return;
            }
        return;
    case JG_ROOT: return;
    }
}

int ds_jg_completion(const ds_json_schema *s, const jg_state *st, char *out, int cap)
{
    out_buf o = {out, 0, cap};
    if (st->depth == 1 && st->f[0].phase == 0)
        put_value(s, s->root, &o);
    else
        for (int i = st->depth - 1; i >= 1; i--)
            put_frame(s, &st->f[i], &o);
    if (o.n >= cap)
        return -1;
    out[o.n] = 0;
    return o.n;
}
