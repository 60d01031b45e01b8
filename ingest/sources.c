/* sources.c - input sources: recursive folder scan with include/exclude globs, and list files of
 * paths and URLs (see sources.h for the rules).
 *
 * Owns: the items it appends to the caller's ds_source_list, and during a scan a set of the
 * folders already read (device, inode), which makes symbolic-link loops harmless. Order is
 * stable: a scan sorts what it found by relative path; a list keeps the list's order.
 * Threading: reentrant; no global state.
 */
#include "ingest/sources.h"

#include "pipeline/core/alloc.h"
#include "pipeline/core/buf.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define DEFAULT_MAX_DEPTH 64
#define MAX_LIST_LINE 8192

void ds_source_list_init(ds_source_list *l)
{
    memset(l, 0, sizeof *l);
}

static void item_free(ds_source_item *it)
{
    ds_free(it->path);
    ds_free(it->url);
    ds_free(it->rel);
}

void ds_source_list_deinit(ds_source_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        item_free(&l->v[i]);
    ds_free(l->v);
    memset(l, 0, sizeof *l);
}

/* Takes ownership of the item's strings (freed here on failure). */
static ds_status push_item(ds_source_list *l, ds_source_item *it)
{
    if (l->n == l->cap) {
        size_t c = l->cap ? l->cap * 2 : 64;
        ds_source_item *v = ds_realloc(l->v, c * sizeof *v);
        if (!v) {
            item_free(it);
            return DS_ERR_NOMEM;
        }
        l->v = v;
        l->cap = c;
    }
    l->v[l->n++] = *it;
    return DS_OK;
}

/* ---- filter ------------------------------------------------------------------------------ */

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* A pattern without '/' against any component of rel (exclude) or the base name (include). */
static int match_component(const char *pat, const char *rel, int any_component)
{
    if (!any_component)
        return fnmatch(pat, base_name(rel), 0) == 0;
    char comp[1024];
    const char *p = rel;
    while (*p) {
        const char *e = strchr(p, '/');
        size_t k = e ? (size_t)(e - p) : strlen(p);
        if (k < sizeof comp) {
            memcpy(comp, p, k);
            comp[k] = '\0';
            if (fnmatch(pat, comp, 0) == 0)
                return 1;
        }
        if (!e)
            break;
        p = e + 1;
    }
    return 0;
}

static int pattern_match(const char *pat, const char *rel, int exclude)
{
    if (!strchr(pat, '/'))
        return match_component(pat, rel, exclude);
    return fnmatch(pat, rel, FNM_PATHNAME | (exclude ? FNM_LEADING_DIR : 0)) == 0;
}

static int excluded(const ds_source_filter *f, const char *rel)
{
    for (size_t i = 0; f && i < f->n_exclude; i++)
        if (f->exclude[i] && pattern_match(f->exclude[i], rel, 1))
            return 1;
    return 0;
}

int ds_source_filter_match(const ds_source_filter *f, const char *rel)
{
    if (!f)
        return 1;
    if (excluded(f, rel))
        return 0;
    if (f->n_include == 0)
        return 1;
    for (size_t i = 0; i < f->n_include; i++)
        if (f->include[i] && pattern_match(f->include[i], rel, 0))
            return 1;
    return 0;
}

/* ---- folder scan ------------------------------------------------------------------------- */

/* Set of (device, inode) of folders read, open addressing. */
typedef struct dir_set {
    uint64_t *dev, *ino; /* ino 0 marks an empty slot (inode 0 is never a real folder) */
    size_t cap, n;
} dir_set;

static size_t dir_hash(uint64_t dev, uint64_t ino)
{
    uint64_t h = (dev * 0x9E3779B97F4A7C15ull) ^ (ino + 0x632BE59BD9B4E019ull + (dev << 6));
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    return (size_t)(h ^ (h >> 32));
}

/* 1: added, 0: already there, -1: out of memory. */
static int dir_set_add(dir_set *s, uint64_t dev, uint64_t ino)
{
    if (ino == 0)
        ino = UINT64_MAX;
    if ((s->n + 1) * 2 > s->cap) {
        size_t c = s->cap ? s->cap * 2 : 64;
        uint64_t *nd = ds_calloc(c, sizeof *nd), *ni = ds_calloc(c, sizeof *ni);
        if (!nd || !ni) {
            ds_free(nd);
            ds_free(ni);
            return -1;
        }
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->ino[i])
                continue;
            size_t j = dir_hash(s->dev[i], s->ino[i]) & (c - 1);
            while (ni[j])
                j = (j + 1) & (c - 1);
            nd[j] = s->dev[i];
            ni[j] = s->ino[i];
        }
        ds_free(s->dev);
        ds_free(s->ino);
        s->dev = nd;
        s->ino = ni;
        s->cap = c;
    }
    size_t j = dir_hash(dev, ino) & (s->cap - 1);
    while (s->ino[j]) {
        if (s->ino[j] == ino && s->dev[j] == dev)
            return 0;
        j = (j + 1) & (s->cap - 1);
    }
    s->dev[j] = dev;
    s->ino[j] = ino;
    s->n++;
    return 1;
}

typedef struct scan {
    ds_source_list *out;
    const ds_source_filter *f;
    ds_log *log;
    dir_set seen;
    int max_depth;
    char root_real[PATH_MAX]; /* the scanned folder, links resolved; empty when unknown */
} scan;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_item_rel(const void *a, const void *b)
{
    return strcmp(((const ds_source_item *)a)->rel, ((const ds_source_item *)b)->rel);
}

static void skip(scan *s, const char *what, const char *path, int e)
{
    s->out->n_skipped++;
    DS_WARN(s->log, "sources", "skipped %s %s: %s", what, path, e ? strerror(e) : "");
}

/* 1 when the resolved path `real` is `root` or lies below it. */
static int path_within(const char *real, const char *root)
{
    size_t n = strlen(root);
    while (n > 1 && root[n - 1] == '/')
        n--;
    if (n == 1 && root[0] == '/')
        return 1;
    return strncmp(real, root, n) == 0 && (real[n] == '\0' || real[n] == '/');
}

/* A symbolic link found by a scan must resolve inside the scanned folder or an allowed root. */
static int link_allowed(const scan *s, const char *path)
{
    char real[PATH_MAX];
    if (!realpath(path, real))
        return 0;
    if (s->root_real[0] && path_within(real, s->root_real))
        return 1;
    for (size_t i = 0; s->f && i < s->f->n_allowed_roots; i++) {
        char root[PATH_MAX];
        if (s->f->allowed_roots[i] && realpath(s->f->allowed_roots[i], root) && path_within(real, root))
            return 1;
    }
    return 0;
}

static ds_status scan_dir(scan *s, const char *abs, const char *rel, int depth)
{
    DIR *d = opendir(abs);
    if (!d) {
        skip(s, "unreadable folder", abs, errno);
        return DS_OK;
    }
    /* Names first, so the folder is closed before recursing (bounded open descriptors). */
    char **names = NULL;
    size_t n = 0, cap = 0;
    ds_status st = DS_OK;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *nm = e->d_name;
        if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0)
            continue;
        if (nm[0] == '.' && !(s->f && s->f->include_hidden))
            continue;
        if (n == cap) {
            size_t c = cap ? cap * 2 : 32;
            char **nn = ds_realloc(names, c * sizeof *nn);
            if (!nn) {
                st = DS_ERR_NOMEM;
                break;
            }
            names = nn;
            cap = c;
        }
        if (!(names[n] = ds_strdup(nm))) {
            st = DS_ERR_NOMEM;
            break;
        }
        n++;
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n && st == DS_OK; i++) {
        size_t al = strlen(abs);
        char *cabs = ds_asprintf(al && abs[al - 1] == '/' ? "%s%s" : "%s/%s", abs, names[i]);
        char *crel = rel[0] ? ds_asprintf("%s/%s", rel, names[i]) : ds_strdup(names[i]);
        if (!cabs || !crel) {
            ds_free(cabs);
            ds_free(crel);
            st = DS_ERR_NOMEM;
            break;
        }
        struct stat sb, lsb;
        if (lstat(cabs, &lsb) == 0 && S_ISLNK(lsb.st_mode) && !link_allowed(s, cabs)) {
            skip(s, "symbolic link leading outside the scanned folder and ingest.allowed_roots", cabs, 0);
        } else if (stat(cabs, &sb) != 0) {
            skip(s, "entry (broken link?)", cabs, errno);
        } else if (S_ISDIR(sb.st_mode)) {
            int added;
            if (excluded(s->f, crel)) {
                /* the whole folder is left out, as asked */
            } else if (depth + 1 > s->max_depth) {
                skip(s, "folder nested too deep", cabs, 0);
            } else if ((added = dir_set_add(&s->seen, (uint64_t)sb.st_dev, (uint64_t)sb.st_ino)) < 0) {
                st = DS_ERR_NOMEM;
            } else if (added == 0) {
                skip(s, "folder already read (link loop or second link)", cabs, 0);
            } else {
                st = scan_dir(s, cabs, crel, depth + 1);
            }
        } else if (S_ISREG(sb.st_mode)) {
            if (ds_source_filter_match(s->f, crel)) {
                ds_source_item it = {
                    .path = cabs, .rel = crel, .size = (uint64_t)sb.st_size, .mtime = (int64_t)sb.st_mtime};
                cabs = crel = NULL; /* owned by the list now */
                st = push_item(s->out, &it);
            }
        } else {
            skip(s, "special file", cabs, 0);
        }
        ds_free(cabs);
        ds_free(crel);
    }
    for (size_t i = 0; i < n; i++)
        ds_free(names[i]);
    ds_free(names);
    return st;
}

ds_status ds_source_scan_dir(ds_source_list *out, const char *root, const ds_source_filter *filter, ds_log *log,
                             ds_err *err)
{
    struct stat sb;
    if (!root || !root[0])
        return ds_err_set(err, DS_ERR_USAGE, "source folder: empty path");
    if (stat(root, &sb) != 0)
        return ds_err_set(err, errno == ENOENT ? DS_ERR_NOT_FOUND : DS_ERR_IO, "source folder %s: %s", root,
                          strerror(errno));
    size_t first = out->n;
    ds_status st;
    if (S_ISREG(sb.st_mode)) {
        /* A single file given where a folder was expected: the file itself. */
        if (!ds_source_filter_match(filter, base_name(root)))
            return DS_OK;
        ds_source_item it = {.path = ds_strdup(root),
                             .rel = ds_strdup(base_name(root)),
                             .size = (uint64_t)sb.st_size,
                             .mtime = (int64_t)sb.st_mtime};
        if (!it.path || !it.rel) {
            item_free(&it);
            return ds_err_set(err, DS_ERR_NOMEM, "source folder %s: out of memory", root);
        }
        st = push_item(out, &it);
        return st == DS_OK ? DS_OK : ds_err_set(err, st, "source folder %s: out of memory", root);
    }
    if (!S_ISDIR(sb.st_mode))
        return ds_err_set(err, DS_ERR_IO, "source folder %s: not a folder or a file", root);
    DIR *probe = opendir(root);
    if (!probe)
        return ds_err_set(err, DS_ERR_IO, "source folder %s: %s", root, strerror(errno));
    closedir(probe);
    /* Without a trailing slash, so that paths read root/a/b. */
    size_t rl = strlen(root);
    char *r = ds_strdup(root);
    if (!r)
        return ds_err_set(err, DS_ERR_NOMEM, "source folder %s: out of memory", root);
    while (rl > 1 && r[rl - 1] == '/')
        r[--rl] = '\0';
    scan s = {.out = out,
              .f = filter,
              .log = log,
              .max_depth = filter && filter->max_depth > 0 ? filter->max_depth : DEFAULT_MAX_DEPTH};
    st = dir_set_add(&s.seen, (uint64_t)sb.st_dev, (uint64_t)sb.st_ino) < 0 ? DS_ERR_NOMEM : DS_OK;
    /* The root's ancestors count as read: a link up to one of them is a loop, not new files. */
    char real[PATH_MAX];
    if (st == DS_OK && realpath(r, real)) {
        snprintf(s.root_real, sizeof s.root_real, "%s", real);
        for (size_t i = strlen(real); i > 0 && st == DS_OK; i--) {
            if (real[i] != '/' && real[i] != '\0')
                continue;
            char keep = real[i];
            real[i] = '\0';
            struct stat ab;
            if (stat(i ? real : "/", &ab) == 0 && dir_set_add(&s.seen, (uint64_t)ab.st_dev, (uint64_t)ab.st_ino) < 0)
                st = DS_ERR_NOMEM;
            real[i] = keep;
        }
        struct stat top;
        if (st == DS_OK && stat("/", &top) == 0 && dir_set_add(&s.seen, (uint64_t)top.st_dev, (uint64_t)top.st_ino) < 0)
            st = DS_ERR_NOMEM;
    }
    if (st == DS_OK)
        st = scan_dir(&s, r, "", 0);
    ds_free(s.seen.dev);
    ds_free(s.seen.ino);
    ds_free(r);
    if (st != DS_OK)
        return ds_err_set(err, st, "source folder %s: out of memory", root);
    if (out->n - first > 1)
        qsort(out->v + first, out->n - first, sizeof *out->v, cmp_item_rel);
    return DS_OK;
}

/* ---- list files -------------------------------------------------------------------------- */

/* The scheme of "scheme://...", lower-cased into buf; 0 when the entry is not a URL. */
static int url_scheme(const char *s, char *buf, size_t cap)
{
    const char *sep = strstr(s, "://");
    if (!sep || sep == s || (size_t)(sep - s) >= cap)
        return 0;
    for (const char *p = s; p < sep; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (p > s && (*p == '+' || *p == '-' || *p == '.' || (*p >= '0' && *p <= '9')))))
            return 0;
    size_t k = (size_t)(sep - s);
    for (size_t i = 0; i < k; i++)
        buf[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
    buf[k] = '\0';
    return 1;
}

typedef struct key_ref {
    const char *key;
    size_t index;
} key_ref;

static int cmp_key_ref(const void *a, const void *b)
{
    const key_ref *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->index < y->index ? -1 : x->index > y->index);
}

/* Drops items [first, n) whose path or URL appeared earlier in that range; keeps order. */
static ds_status dedupe(ds_source_list *l, size_t first)
{
    size_t m = l->n - first;
    if (m < 2)
        return DS_OK;
    key_ref *k = ds_malloc(m * sizeof *k);
    unsigned char *drop = ds_calloc(m, 1);
    if (!k || !drop) {
        ds_free(k);
        ds_free(drop);
        return DS_ERR_NOMEM;
    }
    for (size_t i = 0; i < m; i++) {
        const ds_source_item *it = &l->v[first + i];
        k[i].key = it->url ? it->url : it->path;
        k[i].index = i;
    }
    qsort(k, m, sizeof *k, cmp_key_ref);
    for (size_t i = 1; i < m; i++)
        if (strcmp(k[i].key, k[i - 1].key) == 0)
            drop[k[i].index] = 1;
    size_t w = first;
    for (size_t i = 0; i < m; i++) {
        if (drop[i])
            item_free(&l->v[first + i]);
        else
            l->v[w++] = l->v[first + i];
    }
    l->n = w;
    ds_free(k);
    ds_free(drop);
    return DS_OK;
}

static ds_status list_entry(ds_source_list *out, const char *list_path, const char *dir, size_t lineno,
                            const char *entry, const ds_source_filter *filter, ds_log *log, ds_err *err)
{
    char scheme[32];
    if (url_scheme(entry, scheme, sizeof scheme)) {
        if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)
            return ds_err_set(err, DS_ERR_CONFIG, "%s:%zu: unsupported url scheme \"%s\" (only http and https)",
                              list_path, lineno, scheme);
        ds_source_item it = {.url = ds_strdup(entry), .rel = ds_strdup(entry)};
        if (!it.url || !it.rel) {
            item_free(&it);
            return DS_ERR_NOMEM;
        }
        return push_item(out, &it);
    }
    char *path = entry[0] == '/' ? ds_strdup(entry) : ds_asprintf("%s/%s", dir, entry);
    if (!path)
        return DS_ERR_NOMEM;
    struct stat sb;
    ds_status st = DS_OK;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        size_t first = out->n;
        st = ds_source_scan_dir(out, path, filter, log, err);
        /* rel relative to the list: the entry, then the path inside the folder */
        for (size_t i = first; st == DS_OK && i < out->n; i++) {
            char *r = ds_asprintf("%s/%s", entry, out->v[i].rel);
            if (!r) {
                st = DS_ERR_NOMEM;
                break;
            }
            ds_free(out->v[i].rel);
            out->v[i].rel = r;
        }
        ds_free(path);
        return st;
    }
    ds_source_item it = {.path = path, .rel = ds_strdup(entry)};
    if (!it.rel) {
        item_free(&it);
        return DS_ERR_NOMEM;
    }
    if (stat(path, &sb) != 0) {
        it.missing = 1;
        DS_WARN(log, "sources", "%s:%zu: %s: %s", list_path, lineno, path, strerror(errno));
    } else if (!S_ISREG(sb.st_mode)) {
        out->n_skipped++;
        DS_WARN(log, "sources", "%s:%zu: %s is not a regular file; skipped", list_path, lineno, path);
        item_free(&it);
        return DS_OK;
    } else {
        it.size = (uint64_t)sb.st_size;
        it.mtime = (int64_t)sb.st_mtime;
    }
    return push_item(out, &it);
}

ds_status ds_source_read_list(ds_source_list *out, const char *list_path, const ds_source_filter *filter, ds_log *log,
                              ds_err *err)
{
    ds_buf b = DS_BUF_INIT;
    ds_status st = ds_buf_read_file(&b, list_path, 64u << 20, err);
    if (st != DS_OK) {
        ds_buf_deinit(&b);
        return st;
    }
    char *dir = ds_strdup(list_path);
    if (!dir) {
        ds_buf_deinit(&b);
        return ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", list_path);
    }
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    else
        strcpy(dir, ".");
    size_t first = out->n, lineno = 0;
    char *p = b.data ? b.data : (char *)"";
    char *end = p + b.len;
    while (st == DS_OK && p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *e = nl ? nl : end;
        lineno++;
        if ((size_t)(e - p) > MAX_LIST_LINE) {
            st = ds_err_set(err, DS_ERR_CONFIG, "%s:%zu: line longer than %d bytes", list_path, lineno, MAX_LIST_LINE);
            break;
        }
        char *s = p;
        while (s < e && (*s == ' ' || *s == '\t'))
            s++;
        char *t = e;
        while (t > s && (t[-1] == ' ' || t[-1] == '\t' || t[-1] == '\r'))
            t--;
        p = nl ? nl + 1 : end;
        if (s == t || *s == '#')
            continue;
        *t = '\0';
        if (memchr(s, '\0', (size_t)(t - s))) {
            st = ds_err_set(err, DS_ERR_CONFIG, "%s:%zu: NUL byte in the line", list_path, lineno);
            break;
        }
        st = list_entry(out, list_path, dir, lineno, s, filter, log, err);
    }
    if (st == DS_OK)
        st = dedupe(out, first);
    if (st != DS_OK) {
        /* All or nothing: the entries of this list are taken back. */
        for (size_t i = first; i < out->n; i++)
            item_free(&out->v[i]);
        out->n = first;
    }
    if (st == DS_ERR_NOMEM)
        ds_err_set(err, DS_ERR_NOMEM, "%s: out of memory", list_path);
    ds_free(dir);
    ds_buf_deinit(&b);
    return st;
}
