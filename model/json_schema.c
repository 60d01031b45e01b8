/* json_schema.c - compiles a JSON schema (the subset of json_schema.h) into the node table of
 * json_internal.h, reading it with jansson. Enum and const values become their compact JSON text
 * (keys sorted off, as jansson writes them with JSON_COMPACT), so they are matched byte for byte.
 * Owns: the node table and every string in it. Threading: the result is immutable.
 */
#include "model/json_internal.h"

#include "pipeline/core/alloc.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

void ds_json_schema_free(ds_json_schema *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->n_nodes; i++) {
        jg_node *n = &s->nodes[i];
        for (int j = 0; j < n->n_props; j++)
            ds_free(n->props[j].key);
        ds_free(n->props);
        for (int j = 0; j < n->n_alts; j++)
            ds_free(n->alts[j]);
        ds_free(n->alts);
        ds_free(n->alt_len);
        ds_free(n->req_sum);
        ds_free(n->req_cnt);
    }
    ds_free(s->nodes);
    ds_free(s);
}

static int new_node(ds_json_schema *s, jg_kind k)
{
    if (s->n_nodes >= 65535)
        return -1;
    if (s->n_nodes == s->cap_nodes) {
        int nc = s->cap_nodes ? s->cap_nodes * 2 : 16;
        jg_node *nn = ds_realloc(s->nodes, (size_t)nc * sizeof *nn);
        if (!nn)
            return -1;
        s->nodes = nn;
        s->cap_nodes = nc;
    }
    memset(&s->nodes[s->n_nodes], 0, sizeof(jg_node));
    s->nodes[s->n_nodes].kind = k;
    s->nodes[s->n_nodes].max_items = -1;
    s->nodes[s->n_nodes].max_len = -1;
    return s->n_nodes++;
}

static ds_status add_alt(ds_json_schema *s, int id, const char *text, const char *name, ds_err *err)
{
    jg_node *n = &s->nodes[id];
    if (n->n_alts >= DS_JG_MAX_ALTS)
        return ds_err_set(err, DS_ERR_UNSUPPORTED, "json schema %s: more than %d enum values", name, DS_JG_MAX_ALTS);
    if (!n->alts) {
        n->alts = ds_calloc(DS_JG_MAX_ALTS, sizeof *n->alts);
        n->alt_len = ds_calloc(DS_JG_MAX_ALTS, sizeof *n->alt_len);
        if (!n->alts || !n->alt_len)
            return ds_err_set(err, DS_ERR_NOMEM, "json schema %s: out of memory", name);
    }
    char *t = ds_strdup(text);
    if (!t)
        return ds_err_set(err, DS_ERR_NOMEM, "json schema %s: out of memory", name);
    n->alts[n->n_alts] = t;
    n->alt_len[n->n_alts++] = (int)strlen(t);
    return DS_OK;
}

static ds_status get_count(json_t *o, const char *key, int *out, const char *name, ds_err *err)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return DS_OK;
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 1000000)
        return ds_err_set(err, DS_ERR_PARSE, "json schema %s: %s must be a count", name, key);
    *out = (int)json_integer_value(v);
    return DS_OK;
}

static ds_status compile(ds_json_schema *s, json_t *j, int depth, int *out, const char *name, ds_err *err);

/* An enum or const schema (en or cn, the other NULL): one literal node, its JSON texts. */
static ds_status compile_literals(ds_json_schema *s, json_t *en, json_t *cn, int *out, const char *name, ds_err *err)
{
    ds_status st;
    if (en && (!json_is_array(en) || json_array_size(en) == 0))
        return ds_err_set(err, DS_ERR_PARSE, "json schema %s: enum must be a non-empty array", name);
    int id = new_node(s, JG_LITERALS);
    if (id < 0)
        return ds_err_set(err, DS_ERR_NOMEM, "json schema %s: out of memory", name);
    size_t n = en ? json_array_size(en) : 1;
    for (size_t i = 0; i < n; i++) {
        json_t *v = en ? json_array_get(en, i) : cn;
        char *txt = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        if (!txt)
            return ds_err_set(err, DS_ERR_NOMEM, "json schema %s: out of memory", name);
        st = add_alt(s, id, txt, name, err);
        free(txt); /* jansson's allocator */
        if (st != DS_OK)
            return st;
    }
    *out = id;
    return DS_OK;
}

/* An object schema: its properties in order, each compiled, and which are required. */
static ds_status compile_object(ds_json_schema *s, json_t *j, int depth, int *out, const char *name, ds_err *err)
{
    ds_status st;
    int id;
    json_t *props = json_object_get(j, "properties"), *req = json_object_get(j, "required");
    if (props && !json_is_object(props))
        return ds_err_set(err, DS_ERR_PARSE, "json schema %s: properties must be an object", name);
    if (req && !json_is_array(req))
        return ds_err_set(err, DS_ERR_PARSE, "json schema %s: required must be an array", name);
    size_t np = props ? json_object_size(props) : 0;
    if (np > 64)
        return ds_err_set(err, DS_ERR_UNSUPPORTED, "json schema %s: more than 64 properties", name);
    if ((id = new_node(s, JG_OBJECT)) < 0)
        return ds_err_set(err, DS_ERR_NOMEM, "json schema %s: out of memory", name);
    jg_prop *pa = np ? ds_calloc(np, sizeof *pa) : NULL;
    if (np && !pa)
        return ds_err_set(err, DS_ERR_NOMEM, "json schema %s: out of memory", name);
    s->nodes[id].props = pa;
    const char *key;
    json_t *sub;
    size_t k = 0;
    json_object_foreach(props, key, sub)
    {
        if (strlen(key) > 250)
            return ds_err_set(err, DS_ERR_UNSUPPORTED, "json schema %s: property name longer than 250 bytes", name);
        for (const unsigned char *c = (const unsigned char *)key; *c; c++)
            if (*c < 0x20 || *c == '"' || *c == '\\')
                return ds_err_set(err, DS_ERR_UNSUPPORTED, "json schema %s: property name needs escaping", name);
        int child;
        if ((st = compile(s, sub, depth + 1, &child, name, err)) != DS_OK)
            return st;
        jg_prop *p = &s->nodes[id].props[k]; /* nodes may have moved */
        size_t kl = strlen(key);
        p->key = ds_malloc(kl + 2);
        if (!p->key)
            return ds_err_set(err, DS_ERR_NOMEM, "json schema %s: out of memory", name);
        memcpy(p->key, key, kl);
        p->key[kl] = '"';
        p->key[kl + 1] = 0;
        p->key_len = (int)kl + 1;
        p->node = child;
        s->nodes[id].n_props = (int)++k;
    }
    size_t i;
    json_t *r;
    json_array_foreach(req, i, r)
    {
        const char *rn = json_string_value(r);
        int found = 0;
        for (int q = 0; rn && q < s->nodes[id].n_props; q++)
            if (strlen(rn) + 1 == (size_t)s->nodes[id].props[q].key_len &&
                memcmp(rn, s->nodes[id].props[q].key, strlen(rn)) == 0)
                s->nodes[id].props[q].required = found = 1;
        if (!found)
            return ds_err_set(err, DS_ERR_UNSUPPORTED, "json schema %s: required property %s is not in properties",
                              name, rn ? rn : "(not a string)");
    }
    *out = id;
    return DS_OK;
}

/* An array schema: its items and the bounds of their count. */
static ds_status compile_array(ds_json_schema *s, json_t *j, int depth, int *out, const char *name, ds_err *err)
{
    ds_status st;
    int id;
    json_t *items = json_object_get(j, "items");
    if (!items)
        return ds_err_set(err, DS_ERR_UNSUPPORTED, "json schema %s: an array needs items", name);
    int child, mn = 0, mx = -1;
    if ((st = compile(s, items, depth + 1, &child, name, err)) != DS_OK)
        return st;
    if ((st = get_count(j, "minItems", &mn, name, err)) != DS_OK ||
        (st = get_count(j, "maxItems", &mx, name, err)) != DS_OK)
        return st;
    if (mx >= 0 && mx < mn)
        return ds_err_set(err, DS_ERR_PARSE, "json schema %s: maxItems below minItems", name);
    if ((id = new_node(s, JG_ARRAY)) < 0)
        return ds_err_set(err, DS_ERR_NOMEM, "json schema %s: out of memory", name);
    s->nodes[id].items = child;
    s->nodes[id].min_items = mn;
    s->nodes[id].max_items = mx;
    *out = id;
    return DS_OK;
}

/* A string schema: the bounds of its length. */
static ds_status compile_string(ds_json_schema *s, json_t *j, int *out, const char *name, ds_err *err)
{
    ds_status st;
    int id;
    int mn = 0, mx = -1;
    if ((st = get_count(j, "minLength", &mn, name, err)) != DS_OK ||
        (st = get_count(j, "maxLength", &mx, name, err)) != DS_OK)
        return st;
    if (mx >= 0 && mx < mn)
        return ds_err_set(err, DS_ERR_PARSE, "json schema %s: maxLength below minLength", name);
    if ((id = new_node(s, JG_STRING)) < 0)
        return ds_err_set(err, DS_ERR_NOMEM, "json schema %s: out of memory", name);
    s->nodes[id].min_len = mn;
    s->nodes[id].max_len = mx;
    *out = id;
    return DS_OK;
}

/* A number, integer, boolean or null schema (type t). */
static ds_status compile_scalar(ds_json_schema *s, const char *t, int *out, const char *name, ds_err *err)
{
    ds_status st;
    int id;
    if (strcmp(t, "number") == 0 || strcmp(t, "integer") == 0) {
        if ((id = new_node(s, t[0] == 'n' ? JG_NUMBER : JG_INTEGER)) < 0)
            return ds_err_set(err, DS_ERR_NOMEM, "json schema %s: out of memory", name);
    } else if (strcmp(t, "boolean") == 0 || strcmp(t, "null") == 0) {
        if ((id = new_node(s, JG_LITERALS)) < 0)
            return ds_err_set(err, DS_ERR_NOMEM, "json schema %s: out of memory", name);
        if (t[0] == 'b') {
            if ((st = add_alt(s, id, "true", name, err)) != DS_OK || (st = add_alt(s, id, "false", name, err)) != DS_OK)
                return st;
        } else if ((st = add_alt(s, id, "null", name, err)) != DS_OK) {
            return st;
        }
    } else {
        return ds_err_set(err, DS_ERR_UNSUPPORTED, "json schema %s: type %s is not supported", name, t);
    }
    *out = id;
    return DS_OK;
}

/* One schema j at nesting depth into a node of s, its index in *out. */
static ds_status compile(ds_json_schema *s, json_t *j, int depth, int *out, const char *name, ds_err *err)
{
    if (depth > DS_JG_MAX_DEPTH - 2)
        return ds_err_set(err, DS_ERR_UNSUPPORTED, "json schema %s: nested deeper than %d", name, DS_JG_MAX_DEPTH - 2);
    if (!json_is_object(j))
        return ds_err_set(err, DS_ERR_PARSE, "json schema %s: a schema must be an object", name);
    json_t *en = json_object_get(j, "enum"), *cn = json_object_get(j, "const");
    if (en || cn)
        return compile_literals(s, en, cn, out, name, err);
    json_t *ty = json_object_get(j, "type");
    const char *t = json_string_value(ty);
    if (!t)
        return ds_err_set(err, DS_ERR_UNSUPPORTED,
                          "json schema %s: every schema needs a single \"type\" (or enum/const)", name);
    if (strcmp(t, "object") == 0)
        return compile_object(s, j, depth, out, name, err);
    if (strcmp(t, "array") == 0)
        return compile_array(s, j, depth, out, name, err);
    if (strcmp(t, "string") == 0)
        return compile_string(s, j, out, name, err);
    return compile_scalar(s, t, out, name, err);
}

ds_status ds_json_schema_compile(ds_json_schema **out, const char *json, size_t n, const char *name, ds_err *err)
{
    *out = NULL;
    if (!name)
        name = "(schema)";
    json_error_t je;
    json_t *j = json_loadb(json, n, 0, &je);
    if (!j)
        return ds_err_set(err, DS_ERR_PARSE, "json schema %s: line %d column %d: %s", name, je.line, je.column,
                          je.text);
    ds_json_schema *s = ds_calloc(1, sizeof *s);
    if (!s) {
        json_decref(j);
        return ds_err_set(err, DS_ERR_NOMEM, "json schema %s: out of memory", name);
    }
    int root;
    ds_status st = compile(s, j, 0, &root, name, err);
    json_decref(j);
    if (st == DS_OK)
        st = ds_jg_prepare_budget(s, err);
    if (st != DS_OK) {
        ds_json_schema_free(s);
        return st;
    }
    s->root = root;
    *out = s;
    return DS_OK;
}

ds_status ds_json_schema_load(ds_json_schema **out, const char *path, ds_err *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return ds_err_set(err, DS_ERR_IO, "json schema %s: cannot open", path);
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 4096;
            if (cap > (64u << 20)) {
                ds_free(buf);
                fclose(f);
                return ds_err_set(err, DS_ERR_TOO_LARGE, "json schema %s: larger than 64 MiB", path);
            }
            char *nb = ds_realloc(buf, cap);
            if (!nb) {
                ds_free(buf);
                fclose(f);
                return ds_err_set(err, DS_ERR_NOMEM, "json schema %s: out of memory", path);
            }
            buf = nb;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        if (r == 0)
            break;
        n += r;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        ds_free(buf);
        return ds_err_set(err, DS_ERR_IO, "json schema %s: read error", path);
    }
    ds_status st = ds_json_schema_compile(out, buf, n, path, err);
    ds_free(buf);
    return st;
}
