/* json_grammar.c - the byte-level pushdown automaton of a compiled JSON schema (json_internal.h):
 * one byte at a time, a stack of open values (object, array, string, number, literal
 * alternatives), each with its phase and counters. Every state the automaton can reach has a
 * completion (lengths, counts and number sizes are checked before a byte is taken), so a
 * sequence of allowed bytes can always be finished into a value that fits the schema.
 * Owns: nothing. Threading: pure functions of (schema, state).
 */
#include "model/json_internal.h"

#include <string.h>

/* object phases */
enum { O_OPEN, O_FIRST, O_KEY, O_COLON, O_VALUE, O_CHILD, O_AFTER, O_COMMA };
/* array phases */
enum { A_OPEN, A_FIRST, A_CHILD, A_AFTER, A_COMMA };
/* string phases */
enum { S_OPEN, S_BODY, S_ESC, S_UTF8 };
_Static_assert(S_BODY == DS_JG_STRING_BODY, "string body phase");
/* number phases */
enum { N_START, N_MINUS, N_ZERO, N_INT, N_DOT, N_FRAC, N_E, N_ESIGN, N_EXP };

void ds_jg_init(const ds_json_schema *s, jg_state *st)
{
    memset(st, 0, sizeof *st);
    st->depth = 1;
    st->f[0].node = (uint16_t)s->root;
}

static uint64_t all_bits(int n)
{
    return n >= 64 ? ~0ull : ((1ull << n) - 1);
}

static int push(const ds_json_schema *s, jg_state *st, int node)
{
    if (st->depth >= DS_JG_MAX_DEPTH)
        return 0;
    jg_frame *f = &st->f[st->depth++];
    memset(f, 0, sizeof *f);
    f->node = (uint16_t)node;
    if (s->nodes[node].kind == JG_LITERALS)
        f->cand = all_bits(s->nodes[node].n_alts);
    return 1;
}

/* The top value is complete: pop it and advance its parent. */
static void child_done(const ds_json_schema *s, jg_state *st)
{
    st->depth--;
    jg_frame *p = &st->f[st->depth - 1];
    if (st->depth == 1) {
        p->phase = 1;
        return;
    }
    if (s->nodes[p->node].kind == JG_OBJECT) {
        p->phase = O_AFTER;
    } else { /* array */
        p->a++;
        p->phase = A_AFTER;
    }
}

/* Properties a key may name from index a on: a, a+1, ... up to and including the first
 * required one. */
static uint64_t key_cands(const jg_node *n, uint32_t a)
{
    uint64_t c = 0;
    for (int j = (int)a; j < n->n_props; j++) {
        c |= 1ull << j;
        if (n->props[j].required)
            break;
    }
    return c;
}

static int required_from(const jg_node *n, uint32_t a)
{
    for (int j = (int)a; j < n->n_props; j++)
        if (n->props[j].required)
            return 1;
    return 0;
}

static int num_completable(uint8_t phase)
{
    return phase == N_ZERO || phase == N_INT || phase == N_FRAC || phase == N_EXP;
}

static int lit_complete(const jg_node *n, const jg_frame *f)
{
    for (int j = 0; j < n->n_alts; j++)
        if ((f->cand >> j & 1) && (uint32_t)n->alt_len[j] == f->a)
            return 1;
    return 0;
}

/* utf-8 continuation state in a string frame's b: low 2 bits bytes left, bits 2-4 the range of
 * the next byte (0: 80-BF, 1: A0-BF, 2: 80-9F, 3: 90-BF, 4: 80-8F). */
static int utf8_lead(unsigned char c, uint8_t *b)
{
    if (c >= 0xC2 && c <= 0xDF)
        *b = 1;
    else if (c == 0xE0)
        *b = 2 | (1 << 2);
    else if (c == 0xED)
        *b = 2 | (2 << 2);
    else if (c >= 0xE1 && c <= 0xEF)
        *b = 2;
    else if (c == 0xF0)
        *b = 3 | (3 << 2);
    else if (c >= 0xF1 && c <= 0xF3)
        *b = 3;
    else if (c == 0xF4)
        *b = 3 | (4 << 2);
    else
        return 0;
    return 1;
}

/* What one step of a frame did with the byte. */
enum {
    JG_REJECT, /* the byte is not allowed */
    JG_TAKEN,  /* the byte is consumed */
    JG_AGAIN   /* the frame pushed or popped a value: the byte goes to the new top frame */
};

static int step_object(const ds_json_schema *s, jg_state *st, jg_frame *f, const jg_node *n, unsigned char c)
{
    switch (f->phase) {
    case O_OPEN:
        if (c != '{')
            return JG_REJECT;
        f->phase = O_FIRST;
        return JG_TAKEN;
    case O_FIRST:
    case O_COMMA:
        if (c == '}' && f->phase == O_FIRST && !required_from(n, 0)) {
            child_done(s, st);
            return JG_TAKEN;
        }
        if (c == ' ' && f->phase == O_COMMA && !f->b) {
            f->b = 1;
            return JG_TAKEN;
        }
        if (c != '"')
            return JG_REJECT;
        f->cand = key_cands(n, f->a);
        if (!f->cand)
            return JG_REJECT;
        f->phase = O_KEY;
        f->b = 0;
        return JG_TAKEN;
    case O_KEY: {
        uint64_t nc = 0;
        int done = -1;
        for (int j = 0; j < n->n_props; j++)
            if ((f->cand >> j & 1) && n->props[j].key_len > f->b && (unsigned char)n->props[j].key[f->b] == c) {
                nc |= 1ull << j;
                if (n->props[j].key_len == f->b + 1)
                    done = j;
            }
        if (!nc)
            return JG_REJECT;
        f->b++;
        if (done >= 0) {
            f->cand = 1ull << done;
            f->a = (uint32_t)done + 1;
            f->phase = O_COLON;
        } else {
            f->cand = nc;
        }
        return JG_TAKEN;
    }
    case O_COLON:
        if (c != ':')
            return JG_REJECT;
        f->phase = O_VALUE;
        f->b = 0;
        return JG_TAKEN;
    case O_VALUE: {
        if (c == ' ' && !f->b) {
            f->b = 1;
            return JG_TAKEN;
        }
        int j = __builtin_ctzll(f->cand);
        f->phase = O_CHILD;
        if (!push(s, st, n->props[j].node))
            return JG_REJECT;
        return JG_AGAIN;
    }
    case O_AFTER:
        if (c == ',' && (int)f->a < n->n_props) {
            f->phase = O_COMMA;
            f->b = 0;
            return JG_TAKEN;
        }
        if (c == '}' && !required_from(n, f->a)) {
            child_done(s, st);
            return JG_TAKEN;
        }
        return JG_REJECT;
    default: return JG_REJECT;
    }
}

static int step_array(const ds_json_schema *s, jg_state *st, jg_frame *f, const jg_node *n, unsigned char c)
{
    switch (f->phase) {
    case A_OPEN:
        if (c != '[')
            return JG_REJECT;
        f->phase = A_FIRST;
        return JG_TAKEN;
    case A_FIRST:
    case A_COMMA:
        if (c == ']' && f->phase == A_FIRST && n->min_items == 0) {
            child_done(s, st);
            return JG_TAKEN;
        }
        if (c == ' ' && f->phase == A_COMMA && !f->b) {
            f->b = 1;
            return JG_TAKEN;
        }
        if (n->max_items == 0)
            return JG_REJECT;
        f->phase = A_CHILD;
        if (!push(s, st, n->items))
            return JG_REJECT;
        return JG_AGAIN;
    case A_AFTER:
        if (c == ',' && (n->max_items < 0 || (int)f->a < n->max_items)) {
            f->phase = A_COMMA;
            f->b = 0;
            return JG_TAKEN;
        }
        if (c == ']' && (int)f->a >= n->min_items) {
            child_done(s, st);
            return JG_TAKEN;
        }
        return JG_REJECT;
    default: return JG_REJECT;
    }
}

static int step_string(const ds_json_schema *s, jg_state *st, jg_frame *f, const jg_node *n, unsigned char c)
{
    const uint8_t unb = f->phase & DS_JG_UNBOUNDED;
    const int room = unb || n->max_len < 0 || (int)f->a < n->max_len;
    switch (f->phase & (uint8_t)~DS_JG_UNBOUNDED) {
    case S_OPEN:
        if (c != '"')
            return JG_REJECT;
        f->phase = unb | S_BODY;
        return JG_TAKEN;
    case S_BODY:
        if (c == '"') {
            if ((int)f->a < n->min_len)
                return JG_REJECT;
            child_done(s, st);
            return JG_TAKEN;
        }
        if (!room || c < 0x20)
            return JG_REJECT;
        if (c == '\\') {
            f->phase = unb | S_ESC;
            return JG_TAKEN;
        }
        if (c < 0x80) {
            f->a++;
            return JG_TAKEN;
        }
        if (!utf8_lead(c, &f->b))
            return JG_REJECT;
        f->a++;
        f->phase = unb | S_UTF8;
        return JG_TAKEN;
    case S_ESC:
        if (!strchr("\"\\/bfnrt", c) || !c)
            return JG_REJECT;
        f->a++;
        f->phase = unb | S_BODY;
        return JG_TAKEN;
    case S_UTF8: {
        static const unsigned char lo[5] = {0x80, 0xA0, 0x80, 0x90, 0x80};
        static const unsigned char hi[5] = {0xBF, 0xBF, 0x9F, 0xBF, 0x8F};
        int r = f->b >> 2;
        if (c < lo[r] || c > hi[r])
            return JG_REJECT;
        int left = (f->b & 3) - 1;
        f->b = (uint8_t)left;
        if (left == 0)
            f->phase = unb | S_BODY;
        return JG_TAKEN;
    }
    default: return JG_REJECT;
    }
}

static int step_number(const ds_json_schema *s, jg_state *st, jg_frame *f, const jg_node *n, unsigned char c)
{
    const int isnum = n->kind == JG_NUMBER, dig = c >= '0' && c <= '9';
    int np = -1;
    switch (f->phase) {
    case N_START: np = c == '-' ? N_MINUS : c == '0' ? N_ZERO : dig ? N_INT : -1; break;
    case N_MINUS: np = c == '0' ? N_ZERO : dig ? N_INT : -1; break;
    case N_ZERO:
    case N_INT:
        if (dig && f->phase == N_INT)
            np = N_INT;
        else if (isnum && c == '.')
            np = N_DOT;
        else if (isnum && (c == 'e' || c == 'E'))
            np = N_E;
        break;
    case N_DOT: np = dig ? N_FRAC : -1; break;
    case N_FRAC: np = dig ? N_FRAC : (c == 'e' || c == 'E') ? N_E : -1; break;
    case N_E: np = (c == '+' || c == '-') ? N_ESIGN : dig ? N_EXP : -1; break;
    case N_ESIGN: np = dig ? N_EXP : -1; break;
    case N_EXP: np = dig ? N_EXP : -1; break;
    }
    /* at most 18 integer digits (an int64, as parsers read integers) and 2 exponent
     * digits (no overflow to infinity); b counts the digits of the current part */
    if (np == N_INT && f->phase == N_INT && f->b >= 18)
        np = -1;
    if (np == N_EXP && f->phase == N_EXP && f->b >= 2)
        np = -1;
    if (np >= 0) {
        uint32_t na = f->a + 1;
        if (np != (int)f->phase)
            f->b = 0;
        if (dig)
            f->b++;
        if (na + (num_completable((uint8_t)np) ? 0 : 1) > DS_JG_NUM_MAX)
            return JG_REJECT;
        f->a = na;
        f->phase = (uint8_t)np;
        return JG_TAKEN;
    }
    if (!num_completable(f->phase))
        return JG_REJECT;
    child_done(s, st);
    return JG_AGAIN;
}

static int step_literals(const ds_json_schema *s, jg_state *st, jg_frame *f, const jg_node *n, unsigned char c)
{
    uint64_t nc = 0;
    int longer = 0;
    for (int j = 0; j < n->n_alts; j++)
        if ((f->cand >> j & 1) && (uint32_t)n->alt_len[j] > f->a && (unsigned char)n->alts[j][f->a] == c) {
            nc |= 1ull << j;
            if ((uint32_t)n->alt_len[j] > f->a + 1)
                longer = 1;
        }
    if (!nc) {
        if (!lit_complete(n, f))
            return JG_REJECT;
        child_done(s, st);
        return JG_AGAIN;
    }
    f->cand = nc;
    f->a++;
    if (!longer) /* every remaining alternative ends here */
        child_done(s, st);
    return JG_TAKEN;
}

int ds_jg_step(const ds_json_schema *s, jg_state *st, unsigned char c)
{
    for (;;) {
        if (st->depth <= 0)
            return 0;
        jg_frame *f = &st->f[st->depth - 1];
        if (st->depth == 1) { /* root */
            if (f->phase != 0)
                return 0;
            if (!push(s, st, f->node))
                return 0;
            continue;
        }
        const jg_node *n = &s->nodes[f->node];
        int r = JG_REJECT;
        switch (n->kind) {
        case JG_ROOT: return 0;
        case JG_OBJECT: r = step_object(s, st, f, n, c); break;
        case JG_ARRAY: r = step_array(s, st, f, n, c); break;
        case JG_STRING: r = step_string(s, st, f, n, c); break;
        case JG_NUMBER:
        case JG_INTEGER: r = step_number(s, st, f, n, c); break;
        case JG_LITERALS: r = step_literals(s, st, f, n, c); break;
        }
        if (r != JG_AGAIN)
            return r == JG_TAKEN;
    }
}

int ds_jg_can_end(const ds_json_schema *s, const jg_state *in)
{
    jg_state st;
    st.depth = in->depth;
    memcpy(st.f, in->f, (size_t)in->depth * sizeof(jg_frame));
    for (;;) {
        if (st.depth <= 0)
            return 0;
        jg_frame *f = &st.f[st.depth - 1];
        if (st.depth == 1)
            return f->phase == 1;
        const jg_node *n = &s->nodes[f->node];
        if ((n->kind == JG_NUMBER || n->kind == JG_INTEGER) && num_completable(f->phase))
            child_done(s, &st);
        else if (n->kind == JG_LITERALS && lit_complete(n, f))
            child_done(s, &st);
        else
            return 0;
    }
}

int ds_jg_closed(const ds_json_schema *s, const jg_state *st)
{
    (void)s;
    return st->depth == 1 && st->f[0].phase == 1;
}

static uint32_t clamp_left(int lim, uint32_t a, uint32_t cap)
{
    if (lim < 0)
        return cap + 1;
    uint32_t left = (uint32_t)lim > a ? (uint32_t)lim - a : 0;
    return left > cap ? cap + 1 : left;
}

int ds_jg_key(const ds_json_schema *s, const jg_state *st, int max_tok_bytes, unsigned char *out)
{
    const uint32_t cap = (uint32_t)max_tok_bytes;
    memcpy(out, &st->depth, sizeof st->depth);
    int len = (int)sizeof st->depth;
    for (int i = 0; i < st->depth; i++) {
        jg_frame f = st->f[i];
        if (i > 0) {
            const jg_node *n = &s->nodes[f.node];
            if (n->kind == JG_STRING && (f.phase & DS_JG_UNBOUNDED))
                f.a = clamp_left(n->min_len, f.a, cap) << 16;
            else if (n->kind == JG_STRING)
                f.a = clamp_left(n->max_len, f.a, cap) | clamp_left(n->min_len, f.a, cap) << 16;
            else if (n->kind == JG_ARRAY)
                f.a = clamp_left(n->max_items, f.a, cap) | clamp_left(n->min_items, f.a, cap) << 16;
        }
        memcpy(out + len, &f, sizeof f);
        len += (int)sizeof f;
    }
    return len;
}
