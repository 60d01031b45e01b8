/* screen.c - sanctions name screening: the scorer (Jaro-Winkler, token-set) and the blocking
 * index (see screen.h for the measures and the keys).
 *
 * Owns: a ds_screen_index owns an arena holding every string it was given and their normalised
 * forms, the name table and the sorted key postings. Threading: building is single-threaded;
 * after ds_screen_index_build nothing in the index changes, and ds_screen_match keeps all its
 * working state on the stack or in allocations of its own, so it is reentrant.
 */
#include "extract/screening/screen.h"

#include "extract/screening/names.h"
#include "pipeline/core/alloc.h"
#include "pipeline/core/arena.h"
#include "pipeline/core/vec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define JW_MAX 255          /* bytes of a string Jaro-Winkler looks at */
#define TOKEN_MATCH 0.9     /* token pair similarity that counts as the same token */
#define EDIT1_SIM 0.9       /* similarity given to tokens one edit apart (3+ characters) */
#define SKELETON_SIM 0.92   /* similarity given to tokens with the same spelling skeleton */
#define NOISE_WEIGHT 0.1    /* weight of an unpaired noise word ("al", "bin", "ltd", "haji") */
#define DROPPED_COST 0.03   /* cost of a dropped middle name between two person names */
#define JW_LEN_DIFF 2       /* tokens further apart in length are not compared by Jaro-Winkler */
#define LEN_RATIO_FREE 0.85 /* length ratio below which Jaro-Winkler is scaled down */
#define MAX_QUERY_KEYS 16   /* query tokens used for blocking (bits of the hit mask) */

/* ---- Jaro-Winkler ------------------------------------------------------------------------ */

double ds_screen_jaro_winkler(const char *a, size_t la, const char *b, size_t lb)
{
    if (la > JW_MAX)
        la = JW_MAX;
    if (lb > JW_MAX)
        lb = JW_MAX;
    if (la == 0 && lb == 0)
        return 1.0;
    if (la == 0 || lb == 0)
        return 0.0;
    if (la == lb && memcmp(a, b, la) == 0)
        return 1.0;
    size_t range = (la > lb ? la : lb) / 2;
    range = range > 0 ? range - 1 : 0;
    unsigned char ma[JW_MAX], mb[JW_MAX];
    memset(ma, 0, la);
    memset(mb, 0, lb);
    size_t m = 0;
    for (size_t i = 0; i < la; i++) {
        size_t lo = i > range ? i - range : 0;
        size_t hi = i + range + 1 < lb ? i + range + 1 : lb;
        for (size_t j = lo; j < hi; j++) {
            if (!mb[j] && a[i] == b[j]) {
                ma[i] = mb[j] = 1;
                m++;
                break;
            }
        }
    }
    if (m == 0)
        return 0.0;
    size_t t = 0, j = 0;
    for (size_t i = 0; i < la; i++) {
        if (!ma[i])
            continue;
        while (!mb[j])
            j++;
        if (a[i] != b[j])
            t++;
        j++;
    }
    double md = (double)m;
    double jaro = (md / (double)la + md / (double)lb + (md - (double)t / 2.0) / md) / 3.0;
    if (jaro <= 0.7)
        return jaro;
    size_t p = 0;
    while (p < 4 && p < la && p < lb && a[p] == b[p])
        p++;
    return jaro + (double)p * 0.1 * (1.0 - jaro);
}

/* ---- prepared names ---------------------------------------------------------------------- */

/* A token of a normalised name, with its spelling skeleton: ee->i, e->a, o->u, y->i, w->v,
 * q->k, ph->f, kh->h and doubled letters written once, so that common transliteration variants
 * (Mohammed/Muhammad, Yuryevich/Yurievich, Mahmoud/Mahmud, Saeed/Said) have the same skeleton. */
typedef struct ptok {
    const char *s, *k;
    uint32_t mask; /* letters present (a bit per letter; digits and other bytes share bits) */
    uint8_t n, kn;
    uint8_t noise; /* ds_name_is_noise (particle, legal form, title, suffix) or one letter */
} ptok;

static uint32_t letter_bit(unsigned char c)
{
    if (c >= 'a' && c <= 'z')
        return 1u << (c - 'a');
    return 1u << (26 + c % 6);
}

static uint32_t letter_mask(const char *s, size_t n)
{
    uint32_t m = 0;
    for (size_t i = 0; i < n; i++)
        m |= letter_bit((unsigned char)s[i]);
    return m;
}

/* Bytes of s whose letter occurs in mask: a bound on the characters Jaro can match. */
static size_t count_in(const char *s, size_t n, uint32_t mask)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += (letter_bit((unsigned char)s[i]) & mask) != 0;
    return c;
}

typedef struct prep {
    const char *ord, *srt;
    size_t ord_len, srt_len;
    const ptok *tok;
    size_t ntok;
    int is_person;
} prep;

/* Writes the skeleton of s[0..n) into out (at most n bytes); returns its length. */
static size_t skeleton(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == 'e' && i + 1 < n && s[i + 1] == 'e') {
            c = 'i'; /* ee as in Saeed / Said */
            i++;
        }
        switch (c) {
        case 'e': c = 'a'; break;
        case 'o': c = 'u'; break;
        case 'y': c = 'i'; break;
        case 'w': c = 'v'; break;
        case 'q': c = 'k'; break;
        case 'p':
            if (i + 1 < n && s[i + 1] == 'h') {
                c = 'f';
                i++;
            }
            break;
        case 'k':
            if (i + 1 < n && s[i + 1] == 'h') {
                c = 'h';
                i++;
            }
            break;
        default: break;
        }
        if (o > 0 && out[o - 1] == c && (unsigned char)c < 0x80)
            continue;
        out[o++] = c;
    }
    return o;
}

/* Splits a normalised name into tokens (at most DS_NAME_MAX_TOKENS), their skeletons written
 * into kbuf (at least len bytes). Returns the token count. */
static size_t split_tokens(const char *ord, size_t len, ptok *tok, char *kbuf)
{
    size_t nt = 0, i = 0, ko = 0;
    while (i < len && nt < DS_NAME_MAX_TOKENS) {
        while (i < len && ord[i] == ' ')
            i++;
        size_t st = i;
        while (i < len && ord[i] != ' ')
            i++;
        if (i > st) {
            ptok *t = &tok[nt++];
            size_t n = i - st > 255 ? 255 : i - st;
            t->s = ord + st;
            t->n = (uint8_t)n;
            t->noise = (uint8_t)(n == 1 || ds_name_is_noise(t->s, n));
            t->mask = letter_mask(t->s, n);
            t->k = kbuf + ko;
            t->kn = (uint8_t)skeleton(t->s, n, kbuf + ko);
            ko += t->kn;
        }
    }
    return nt;
}

static double token_sim(const ptok *a, const ptok *b)
{
    if (a->n == b->n && memcmp(a->s, b->s, a->n) == 0)
        return 1.0;
    size_t lo = a->n < b->n ? a->n : b->n, hi = a->n < b->n ? b->n : a->n;
    if (a->noise || b->noise) /* one edit only: "al" pairs with "el", "agl" or "a" */
        return ds_name_within_one_edit(a->s, a->n, b->s, b->n) ? EDIT1_SIM : 0.0;
    int edit1 = lo >= 3 && ds_name_within_one_edit(a->s, a->n, b->s, b->n);
    if (hi - lo <= JW_LEN_DIFF) {
        /* Jaro-Winkler only when the letters the two share could lift it to the bar. */
        size_t ma = count_in(a->s, a->n, b->mask), mb = count_in(b->s, b->n, a->mask);
        double m = (double)(ma < mb ? ma : mb);
        double jaro_max = (m / (double)a->n + m / (double)b->n + 1.0) / 3.0;
        if (jaro_max + 0.4 * (1.0 - jaro_max) >= TOKEN_MATCH) {
            double jw = ds_screen_jaro_winkler(a->s, a->n, b->s, b->n);
            if (jw >= TOKEN_MATCH)
                return jw;
        }
    }
    if (a->kn == b->kn && memcmp(a->k, b->k, a->kn) == 0)
        return SKELETON_SIM;
    return edit1 ? EDIT1_SIM : 0.0;
}

/* Similarity of a token with several tokens written together: the same, one edit apart, or
 * the same skeleton (no Jaro-Winkler: long joined strings share too much by chance). */
static double joined_sim(const ptok *a, const ptok *c)
{
    if (a->n == c->n && memcmp(a->s, c->s, a->n) == 0)
        return 1.0;
    if (a->n < 4)
        return 0.0;
    if (a->kn == c->kn && memcmp(a->k, c->k, a->kn) == 0)
        return SKELETON_SIM;
    if (ds_name_within_one_edit(a->s, a->n, c->s, c->n))
        return EDIT1_SIM;
    return 0.0;
}

/* A candidate pairing: the query tokens and listed-name tokens it consumes (one token, or two
 * adjacent tokens written together on one side: "hassanali" against "hassan ali"). */
typedef struct tpair {
    double s;     /* similarity */
    double order; /* s, less a hair for pairs far apart in relative position (ties) */
    uint32_t qm, lm;
} tpair;

#define MAX_PAIRS 128

/* Relative position (0..1) of the first token in mask among n tokens. */
static double rel_pos(uint32_t mask, size_t n)
{
    return n > 1 ? (double)__builtin_ctz(mask) / (double)(n - 1) : 0.0;
}

static void add_pair(tpair *pairs, size_t *np, double s, uint32_t qm, size_t nq, uint32_t lm, size_t nl)
{
    /* Kept sorted by descending order key; when full, the weakest gives way. Between equally
     * similar pairs, the one whose tokens stand at the same relative place wins ("Ali Noor
     * Mohammad" pairs its last word with the last "Mohammad" of "Ali Mohammad Noor Mohammad"). */
    double d = rel_pos(qm, nq) - rel_pos(lm, nl);
    double order = s - 1e-6 * (d < 0 ? -d : d);
    size_t k;
    if (*np < MAX_PAIRS) {
        k = (*np)++;
    } else {
        if (pairs[MAX_PAIRS - 1].order >= order)
            return;
        k = MAX_PAIRS - 1;
    }
    while (k > 0 && pairs[k - 1].order < order) {
        pairs[k] = pairs[k - 1];
        k--;
    }
    pairs[k] = (tpair){s, order, qm, lm};
}

/* Candidate pairs of each token of a with two or three adjacent tokens of b written together
 * ("abdalhamid" against "abd al hamid"). */
static void merged_pairs(const prep *a, const prep *b, int a_is_query, tpair *pairs, size_t *np)
{
    for (size_t i = 0; i < a->ntok; i++) {
        const ptok *t = &a->tok[i];
        if (t->n < 2)
            continue;
        for (size_t j = 0; j + 1 < b->ntok; j++) {
            char cat[96], kcat[96];
            size_t len = 0;
            uint32_t bm = 0, mask = 0;
            for (size_t span = 0; span < 3 && j + span < b->ntok; span++) {
                const ptok *u = &b->tok[j + span];
                if (len + u->n > sizeof cat)
                    break;
                memcpy(cat + len, u->s, u->n);
                len += u->n;
                bm |= 1u << (j + span);
                mask |= u->mask;
                if (span == 0)
                    continue;
                if (len + 2 < (size_t)t->n || (size_t)t->n + 2 < len)
                    continue;
                ptok c = {cat, kcat, mask, (uint8_t)len, 0, 0};
                c.kn = (uint8_t)skeleton(cat, len, kcat);
                double s = joined_sim(t, &c);
                if (s < TOKEN_MATCH)
                    continue;
                uint32_t am = 1u << i;
                if (a_is_query)
                    add_pair(pairs, np, s, am, a->ntok, bm, b->ntok);
                else
                    add_pair(pairs, np, s, bm, b->ntok, am, a->ntok);
            }
        }
    }
}

/* Whether the first and the last token, unpaired noise words aside, are paired. */
static int ends_paired(const prep *p, uint32_t paired)
{
    size_t a = 0, z = p->ntok;
    while (a < z && p->tok[a].noise && !(paired & (1u << a)))
        a++;
    while (z > a && p->tok[z - 1].noise && !(paired & (1u << (z - 1))))
        z--;
    return z > a && (paired & (1u << a)) && (paired & (1u << (z - 1)));
}

static double token_set(const prep *q, const prep *l)
{
    size_t n = q->ntok, m = l->ntok;
    if (n == 0 || m == 0)
        return 0.0;
    tpair pairs[MAX_PAIRS];
    size_t np = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < m; j++) {
            double s = token_sim(&q->tok[i], &l->tok[j]);
            if (s >= TOKEN_MATCH)
                add_pair(pairs, &np, s, 1u << i, n, 1u << j, m);
        }
    merged_pairs(q, l, 1, pairs, &np);
    merged_pairs(l, q, 0, pairs, &np);
    uint32_t qm = 0, lm = 0; /* paired token bits */
    double sum = 0;
    size_t k = 0;
    for (size_t p = 0; p < np; p++) {
        if ((qm & pairs[p].qm) || (lm & pairs[p].lm))
            continue;
        qm |= pairs[p].qm;
        lm |= pairs[p].lm;
        sum += pairs[p].s;
        k++;
    }
    if (k == 0)
        return 0.0;
    double wq = 0, wl = 0;
    size_t uq = 0, ul = 0, uqp = 0, ulp = 0; /* unpaired (noise words counted apart) */
    for (size_t i = 0; i < n; i++)
        if (!(qm & (1u << i))) {
            int noise = q->tok[i].noise;
            wq += noise ? NOISE_WEIGHT : 1.0;
            if (noise)
                uqp++;
            else
                uq++;
        }
    for (size_t j = 0; j < m; j++)
        if (!(lm & (1u << j))) {
            int noise = l->tok[j].noise;
            wl += noise ? NOISE_WEIGHT : 1.0;
            if (noise)
                ulp++;
            else
                ul++;
        }
    if (uq == 0 && ul == 0) /* only noise words unpaired: "Osama bin Laden" / "Osama Laden" */
        return sum / (double)k - 0.01 * (double)(uqp + ulp);
    double strict = sum / ((double)k + wq + wl);
    double relaxed = 0;
    if (k >= 2 && (q->is_person == 1 || q->is_person < 0) && (l->is_person == 1 || l->is_person < 0)) {
        /* Dropped middle names: one side's first and last tokens are paired and the other side
         * has nothing unpaired but noise words. */
        int l_ends = ends_paired(l, lm), q_ends = ends_paired(q, qm);
        if (uq == 0 && l_ends)
            relaxed = sum / (double)k - DROPPED_COST * (double)ul - 0.01 * (double)(ulp + uqp);
        else if (ul == 0 && q_ends)
            relaxed = sum / (double)k - DROPPED_COST * (double)uq - 0.01 * (double)(ulp + uqp);
    }
    return strict > relaxed ? strict : relaxed;
}

/* The combined score. With threshold > 0, a pair that cannot reach it is not finished: the
 * token-set value is returned (below the threshold) and *jw_out is left at 0. */
static double score_prepared(const prep *q, const prep *l, double threshold, double *jw_out, double *ts_out)
{
    if (q->srt_len == l->srt_len && memcmp(q->srt, l->srt, q->srt_len) == 0) {
        if (jw_out)
            *jw_out = 1.0;
        if (ts_out)
            *ts_out = 1.0;
        return 1.0;
    }
    double ts = token_set(q, l);
    if (ts_out)
        *ts_out = ts;
    if (jw_out)
        *jw_out = 0.0;
    if (threshold > 0 && 0.5 * ts + 0.5 < threshold)
        return ts;
    double jo = ds_screen_jaro_winkler(q->ord, q->ord_len, l->ord, l->ord_len);
    double js = ds_screen_jaro_winkler(q->srt, q->srt_len, l->srt, l->srt_len);
    double jw = jo > js ? jo : js;
    size_t lo = q->ord_len < l->ord_len ? q->ord_len : l->ord_len;
    size_t hi = q->ord_len < l->ord_len ? l->ord_len : q->ord_len;
    double ratio = hi ? (double)lo / (double)hi : 1.0;
    double jwg = ratio >= LEN_RATIO_FREE ? jw : jw * ratio / LEN_RATIO_FREE;
    if (jw_out)
        *jw_out = jw;
    double mix = 0.5 * ts + 0.5 * jwg;
    return ts > mix ? ts : mix;
}

/* ---- the index --------------------------------------------------------------------------- */

typedef struct sname {
    long long entry_id, list_id;
    const char *version;
    const char *name;
    const char *ord, *srt;
    uint32_t tok0; /* first token in the index's token table */
    uint16_t ord_len, srt_len;
    uint8_t ntok;
    uint8_t nkey;   /* tokens filed under keys */
    uint8_t keyall; /* all tokens are noise: noise words are filed too */
    int8_t is_person;
    uint8_t is_alias;
} sname;

typedef struct posting {
    uint64_t key;
    uint32_t name;
} posting;

struct ds_screen_index {
    ds_arena arena;
    DS_VEC(sname) names;
    DS_VEC(ptok) toks; /* pointers into the arena */
    DS_VEC(posting) post;
    const char *last_version;
    int built;
};

ds_status ds_screen_index_create(ds_screen_index **out, ds_err *err)
{
    *out = NULL;
    ds_screen_index *idx = ds_calloc(1, sizeof *idx);
    if (!idx)
        return ds_err_set(err, DS_ERR_NOMEM, "screening index: out of memory");
    ds_arena_init(&idx->arena, 1 << 20);
    *out = idx;
    return DS_OK;
}

void ds_screen_index_free(ds_screen_index *idx)
{
    if (!idx)
        return;
    ds_arena_deinit(&idx->arena);
    DS_VEC_FREE(idx->names);
    DS_VEC_FREE(idx->toks);
    DS_VEC_FREE(idx->post);
    ds_free(idx);
}

size_t ds_screen_index_names(const ds_screen_index *idx)
{
    return idx ? idx->names.n : 0;
}

static void prep_from_sname(const ds_screen_index *idx, prep *p, const sname *s)
{
    p->ord = s->ord;
    p->ord_len = s->ord_len;
    p->srt = s->srt;
    p->srt_len = s->srt_len;
    p->is_person = s->is_person;
    p->tok = idx->toks.v + s->tok0;
    p->ntok = s->ntok;
}

static ds_name_kind kind_of(int is_person)
{
    return is_person == 1 ? DS_NAME_KIND_PERSON : is_person >= 0 ? DS_NAME_KIND_ORG : DS_NAME_KIND_UNKNOWN;
}

ds_status ds_screen_index_add(ds_screen_index *idx, long long entry_id, long long list_id, const char *list_version,
                              const char *name, int is_alias, int is_person)
{
    if (!idx || idx->built)
        return DS_ERR_USAGE;
    if (!name)
        return DS_OK;
    if (idx->names.n >= UINT32_MAX - 1)
        return DS_ERR_TOO_LARGE;
    ds_name_norm nn;
    ds_name_norm_init(&nn);
    ds_status st = ds_name_normalize(&nn, name, (size_t)-1, kind_of(is_person));
    if (st)
        goto done;
    if (nn.n_tokens == 0 || nn.ordered.len > 0xFFFF)
        goto done;
    sname s = {0};
    s.entry_id = entry_id;
    s.list_id = list_id;
    s.is_person = (int8_t)(is_person >= 0 && is_person <= DS_SCREEN_AIRCRAFT ? is_person : -1);
    s.is_alias = is_alias ? 1 : 0;
    if (!list_version)
        list_version = "";
    if (idx->last_version && strcmp(idx->last_version, list_version) == 0) {
        s.version = idx->last_version;
    } else {
        s.version = ds_arena_strdup(&idx->arena, list_version);
        idx->last_version = s.version;
    }
    s.name = ds_arena_strdup(&idx->arena, name);
    s.ord = ds_arena_strndup(&idx->arena, nn.ordered.data, nn.ordered.len);
    s.srt = ds_arena_strndup(&idx->arena, nn.sorted.data, nn.sorted.len);
    char *kbuf = ds_arena_alloc(&idx->arena, nn.ordered.len + 1);
    s.ord_len = (uint16_t)nn.ordered.len;
    s.srt_len = (uint16_t)nn.sorted.len;
    if (!s.version || !s.name || !s.ord || !s.srt || !kbuf || DS_VEC_RESERVE(idx->toks, DS_NAME_MAX_TOKENS) ||
        DS_VEC_RESERVE(idx->names, 1)) {
        st = DS_ERR_NOMEM;
        goto done;
    }
    s.tok0 = (uint32_t)idx->toks.n;
    s.ntok = (uint8_t)split_tokens(s.ord, s.ord_len, idx->toks.v + idx->toks.n, kbuf);
    for (size_t t = 0; t < s.ntok; t++) {
        const ptok *tk = &idx->toks.v[idx->toks.n + t];
        s.nkey += !tk->noise && tk->n >= 2;
    }
    if (s.nkey == 0) {
        /* Nothing but noise words ("Holding Company"): file them all. */
        s.keyall = 1;
        for (size_t t = 0; t < s.ntok; t++)
            s.nkey += idx->toks.v[idx->toks.n + t].n >= 2;
    }
    idx->toks.n += s.ntok;
    idx->names.v[idx->names.n++] = s;
done:
    ds_name_norm_deinit(&nn);
    return st;
}

static uint64_t key_hash(const char *s, size_t n, uint64_t seed)
{
    uint64_t h = (1469598103934665603ULL ^ seed) ^ (uint64_t)n;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h ^ (h >> 29);
}

#define MAX_TOKEN_KEYS 6

/* Keys of one token (at most 6): the first four bytes and their one-deletion variants (for a
 * token of 3 bytes the token and its deletions; 2 bytes the token), and the first four bytes of
 * its skeleton; noise words (unless all) and single characters none. Returns the count. */
static size_t token_keys(const ptok *t, int all, uint64_t keys[MAX_TOKEN_KEYS])
{
    if ((t->noise && !all) || t->n < 2)
        return 0;
    size_t k = t->n >= 4 ? 4 : t->n;
    size_t n = 0;
    keys[n++] = key_hash(t->s, k, 0);
    if (k >= 3) {
        char d[4];
        for (size_t i = 0; i < k; i++) {
            size_t w = 0;
            for (size_t j = 0; j < k; j++)
                if (j != i)
                    d[w++] = t->s[j];
            uint64_t h = key_hash(d, w, 0);
            int dup = 0;
            for (size_t x = 0; x < n; x++)
                dup |= keys[x] == h;
            if (!dup)
                keys[n++] = h;
        }
    }
    keys[n++] = key_hash(t->k, t->kn < 4 ? t->kn : 4, 0x5eed);
    return n;
}

/* Keys of a short token (under 4 bytes) written together with the next one ("ep mnb" as
 * "epmnb"), so a name whose words were run together or split still meets: the first four
 * bytes of the two and (unless exact) their one-deletion variants. Returns the count (0 when
 * the token is not short). */
static size_t joined_keys(const ptok *t, const ptok *next, int exact, uint64_t keys[MAX_TOKEN_KEYS])
{
    if (t->n >= 4 || t->n + next->n < 4)
        return 0;
    char j[4];
    memcpy(j, t->s, t->n);
    memcpy(j + t->n, next->s, 4 - t->n);
    if (exact) {
        keys[0] = key_hash(j, 4, 0);
        return 1;
    }
    ptok c = {j, j, 0, 4, 0, 0};
    size_t n = token_keys(&c, 1, keys);
    return n > 0 ? n - 1 : 0; /* without the skeleton key, which read the raw bytes */
}

static int posting_cmp(const void *a, const void *b)
{
    const posting *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->name < y->name ? -1 : x->name > y->name;
}

ds_status ds_screen_index_build(ds_screen_index *idx, ds_err *err)
{
    if (!idx)
        return ds_err_set(err, DS_ERR_USAGE, "screening index: no index");
    if (idx->built)
        return DS_OK;
    for (size_t i = 0; i < idx->names.n; i++) {
        const sname *s = &idx->names.v[i];
        for (size_t t = 0; t < s->ntok; t++) {
            uint64_t keys[2 * MAX_TOKEN_KEYS];
            const ptok *tk = &idx->toks.v[s->tok0 + t];
            size_t nk = token_keys(tk, s->keyall, keys);
            if (t + 1 < s->ntok)
                nk += joined_keys(tk, tk + 1, 0, keys + nk);
            if (DS_VEC_RESERVE(idx->post, nk))
                return ds_err_set(err, DS_ERR_NOMEM, "screening index: out of memory for %zu names", idx->names.n);
            for (size_t k = 0; k < nk; k++)
                idx->post.v[idx->post.n++] = (posting){keys[k], (uint32_t)i};
        }
    }
    if (idx->post.n)
        qsort(idx->post.v, idx->post.n, sizeof *idx->post.v, posting_cmp);
    size_t w = 0;
    for (size_t r = 0; r < idx->post.n; r++)
        if (w == 0 || idx->post.v[r].key != idx->post.v[w - 1].key || idx->post.v[r].name != idx->post.v[w - 1].name)
            idx->post.v[w++] = idx->post.v[r];
    idx->post.n = w;
    idx->built = 1;
    return DS_OK;
}

/* First posting with key >= k. */
static size_t lower_bound(const posting *v, size_t n, uint64_t k)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].key < k)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* ---- matching ---------------------------------------------------------------------------- */

typedef struct qctx {
    ds_name_norm nn;
    prep q;
    ptok tok[DS_NAME_MAX_TOKENS];
    char *kbuf;
} qctx;

static void query_deinit(qctx *c)
{
    ds_name_norm_deinit(&c->nn);
    ds_free(c->kbuf);
    c->kbuf = NULL;
}

/* 1 prepared, 0 nothing to match, -1 out of memory. query_deinit in every case. */
static int prepare_query(qctx *c, const char *query, int query_is_person)
{
    ds_name_norm_init(&c->nn);
    c->kbuf = NULL;
    if (ds_name_normalize(&c->nn, query ? query : "", (size_t)-1, kind_of(query_is_person)))
        return -1;
    if (c->nn.n_tokens == 0)
        return 0;
    c->kbuf = ds_malloc(c->nn.ordered.len + 1);
    if (!c->kbuf)
        return -1;
    c->q.ord = c->nn.ordered.data;
    c->q.ord_len = c->nn.ordered.len;
    c->q.srt = c->nn.sorted.data;
    c->q.srt_len = c->nn.sorted.len;
    c->q.is_person = query_is_person >= 0 && query_is_person <= DS_SCREEN_AIRCRAFT ? query_is_person : -1;
    c->q.ntok = split_tokens(c->q.ord, c->q.ord_len, c->tok, c->kbuf);
    c->q.tok = c->tok;
    return 1;
}

static int kinds_clash(int a, int b)
{
    return a >= 0 && b >= 0 && a != b;
}

typedef DS_VEC(ds_screen_hit) hitvec;

static ds_status consider(const ds_screen_index *idx, const prep *q, uint32_t ni, double threshold, hitvec *out)
{
    const sname *s = &idx->names.v[ni];
    if (kinds_clash(q->is_person, s->is_person))
        return DS_OK;
    prep l;
    prep_from_sname(idx, &l, s);
    double jw = 0, ts = 0;
    double sc = score_prepared(q, &l, threshold, &jw, &ts);
    if (sc < threshold)
        return DS_OK;
    ds_screen_hit h = {s->entry_id, s->list_id, s->version, s->name, sc, jw, ts, s->is_person};
    return DS_VEC_PUSH(*out, h);
}

static int hit_by_entry(const void *a, const void *b)
{
    const ds_screen_hit *x = a, *y = b;
    if (x->entry_id != y->entry_id)
        return x->entry_id < y->entry_id ? -1 : 1;
    if (x->list_id != y->list_id)
        return x->list_id < y->list_id ? -1 : 1;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return strcmp(x->matched_name, y->matched_name);
}

static int hit_by_score(const void *a, const void *b)
{
    const ds_screen_hit *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    if (x->entry_id != y->entry_id)
        return x->entry_id < y->entry_id ? -1 : 1;
    return x->list_id < y->list_id ? -1 : x->list_id > y->list_id;
}

/* Keeps the best hit per entry, orders by score and copies out. */
static size_t finish(hitvec *hv, ds_screen_hit *hits, size_t max_hits)
{
    if (hv->n == 0 || !hits)
        return 0;
    qsort(hv->v, hv->n, sizeof *hv->v, hit_by_entry);
    size_t w = 0;
    for (size_t r = 0; r < hv->n; r++)
        if (w == 0 || hv->v[r].entry_id != hv->v[w - 1].entry_id || hv->v[r].list_id != hv->v[w - 1].list_id)
            hv->v[w++] = hv->v[r];
    hv->n = w;
    qsort(hv->v, hv->n, sizeof *hv->v, hit_by_score);
    size_t n = hv->n < max_hits ? hv->n : max_hits;
    if (n)
        memcpy(hits, hv->v, n * sizeof *hits);
    return n;
}

size_t ds_screen_match_all(const ds_screen_index *idx, const char *query, int query_is_person, double threshold,
                           ds_screen_hit *hits, size_t max_hits)
{
    if (!idx || !idx->built)
        return 0;
    qctx *c = ds_malloc(sizeof *c);
    if (!c)
        return 0;
    hitvec hv = {0};
    size_t n = 0;
    if (prepare_query(c, query, query_is_person) > 0) {
        ds_status st = DS_OK;
        for (size_t i = 0; i < idx->names.n && !st; i++)
            st = consider(idx, &c->q, (uint32_t)i, threshold, &hv);
        if (!st)
            n = finish(&hv, hits, max_hits);
    }
    DS_VEC_FREE(hv);
    query_deinit(c);
    ds_free(c);
    return n;
}

/* Postings under key k, counted up to limit + 1. */
static size_t postings_under(const ds_screen_index *idx, uint64_t k, size_t limit)
{
    size_t n = 0;
    for (size_t p = lower_bound(idx->post.v, idx->post.n, k); p < idx->post.n && idx->post.v[p].key == k && n <= limit;
         p++)
        n++;
    return n;
}

/* Whether a query token is rare in the list: its first four bytes file at most rare_max names,
 * or only its variant keys meet (a misspelt start). */
static int token_is_rare(const ds_screen_index *idx, const uint64_t *keys, size_t nkeys, size_t rare_max)
{
    size_t first = postings_under(idx, keys[0], rare_max);
    if (first > 0)
        return first <= rare_max;
    for (size_t k = 1; k < nkeys; k++)
        if (postings_under(idx, keys[k], 0))
            return 1;
    return 0;
}

size_t ds_screen_match(const ds_screen_index *idx, const char *query, int query_is_person, double threshold,
                       ds_screen_hit *hits, size_t max_hits)
{
    return ds_screen_match_rare(idx, query, query_is_person, threshold, 0, hits, max_hits);
}

size_t ds_screen_match_rare(const ds_screen_index *idx, const char *query, int query_is_person, double threshold,
                            size_t rare_max, ds_screen_hit *hits, size_t max_hits)
{
    if (!idx || !idx->built)
        return 0;
    qctx *c = ds_malloc(sizeof *c);
    if (!c)
        return 0;
    hitvec hv = {0};
    DS_VEC(uint32_t) cand = {0};
    uint16_t *mask = NULL;
    size_t n = 0;
    ds_status st = DS_OK;
    if (prepare_query(c, query, query_is_person) <= 0)
        goto done;
    /* Keys of the query's tokens (of its noise words too when it has nothing else); a name of
     * initials only is scored against every listed name. */
    size_t nkt = 0;
    uint64_t keys[MAX_QUERY_KEYS][3 * MAX_TOKEN_KEYS];
    size_t nkeys[MAX_QUERY_KEYS];
    for (int all = 0; all < 2 && nkt == 0; all++)
        for (size_t t = 0; t < c->q.ntok && nkt < MAX_QUERY_KEYS; t++) {
            const ptok *tk = c->q.tok;
            nkeys[nkt] = token_keys(&tk[t], all, keys[nkt]);
            if (!nkeys[nkt])
                continue;
            /* A short word run together with its neighbour ("sa id" for "said"): those keys
             * count for this token too. */
            if (t + 1 < c->q.ntok)
                nkeys[nkt] += joined_keys(&tk[t], &tk[t + 1], 0, keys[nkt] + nkeys[nkt]);
            if (t > 0)
                nkeys[nkt] += joined_keys(&tk[t - 1], &tk[t], 1, keys[nkt] + nkeys[nkt]);
            nkt++;
        }
    if (nkt == 0) {
        for (size_t i = 0; i < idx->names.n && !st; i++)
            st = consider(idx, &c->q, (uint32_t)i, threshold, &hv);
        if (!st)
            n = finish(&hv, hits, max_hits);
        goto done;
    }
    mask = ds_calloc(idx->names.n ? idx->names.n : 1, sizeof *mask);
    if (!mask)
        goto done;
    /* Candidates come from the seeding tokens (every token, or with rare_max the rare ones);
     * the other tokens only mark the candidates they meet. */
    for (int pass = 0; pass < 2; pass++)
        for (size_t t = 0; t < nkt; t++) {
            if ((pass == 0) != (rare_max == 0 || token_is_rare(idx, keys[t], nkeys[t], rare_max)))
                continue;
            uint16_t bit = (uint16_t)(1u << t);
            for (size_t k = 0; k < nkeys[t]; k++) {
                for (size_t p = lower_bound(idx->post.v, idx->post.n, keys[t][k]);
                     p < idx->post.n && idx->post.v[p].key == keys[t][k]; p++) {
                    uint32_t ni = idx->post.v[p].name;
                    if (!mask[ni] && (pass == 1 || DS_VEC_PUSH(cand, ni)))
                        continue;
                    mask[ni] |= bit;
                }
            }
        }
    /* A candidate meets every query token under some key, or as many query tokens as it has
     * tokens itself (the query may hold more names than the listed one). */
    int need = (int)nkt;
    for (size_t i = 0; i < cand.n && !st; i++) {
        uint32_t ni = cand.v[i];
        int h = __builtin_popcount(mask[ni]);
        if (h < need && h < idx->names.v[ni].nkey)
            continue;
        st = consider(idx, &c->q, ni, threshold, &hv);
    }
    if (!st)
        n = finish(&hv, hits, max_hits);
done:
    ds_free(mask);
    DS_VEC_FREE(cand);
    DS_VEC_FREE(hv);
    query_deinit(c);
    ds_free(c);
    return n;
}

double ds_screen_score(const char *a, int a_is_person, const char *b, int b_is_person, double *jw,
                       double *token_set_out)
{
    qctx *c = ds_malloc(2 * sizeof *c);
    if (!c)
        return 0.0;
    double sc = 0.0;
    int oa = prepare_query(&c[0], a, a_is_person);
    int ob = prepare_query(&c[1], b, b_is_person);
    if (oa > 0 && ob > 0) {
        sc = score_prepared(&c[0].q, &c[1].q, 0.0, jw, token_set_out);
    } else {
        if (jw)
            *jw = 0.0;
        if (token_set_out)
            *token_set_out = 0.0;
    }
    query_deinit(&c[0]);
    query_deinit(&c[1]);
    ds_free(c);
    return sc;
}
