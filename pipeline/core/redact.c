/* redact.c - hides connection-string passwords in shown and logged text (see redact.h). */
#include "redact.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct out_buf {
    char *p;
    size_t cap, n;
} out_buf;

static void put(out_buf *o, const char *s, size_t n)
{
    while (n-- > 0 && o->n + 1 < o->cap)
        o->p[o->n++] = *s++;
}

/* Length of a keyword-form value at s: a quoted one ('...' with \' and \\ escapes, up to the
 * closing quote or the end) or a bare one up to white space. */
static size_t value_len(const char *s)
{
    size_t i = 0;
    if (s[0] == '\'') {
        for (i = 1; s[i] && s[i] != '\''; i++)
            if (s[i] == '\\' && s[i + 1])
                i++;
        return s[i] ? i + 1 : i;
    }
    while (s[i] && !isspace((unsigned char)s[i]) && s[i] != '\'' && s[i] != '"' && s[i] != ',')
        i++;
    return i;
}

/* At s, a "password" keyword followed by '=' (spaces allowed around it), not part of a longer
 * word: returns the offset of the value, 0 when not a password keyword. */
static size_t keyword_value(const char *start, const char *s)
{
    static const char kw[] = "password";
    if (strncasecmp(s, kw, sizeof kw - 1) != 0)
        return 0;
    if (s > start && (isalnum((unsigned char)s[-1]) || s[-1] == '_'))
        return 0;
    size_t i = sizeof kw - 1;
    while (s[i] == ' ' || s[i] == '\t')
        i++;
    if (s[i] != '=')
        return 0;
    i++;
    while (s[i] == ' ' || s[i] == '\t')
        i++;
    return i;
}

/* At s, "://" of a URI with user:password@: returns the offset of the password and its length
 * in *len, 0 when none. */
static size_t uri_password(const char *s, size_t *len)
{
    if (strncmp(s, "://", 3) != 0)
        return 0;
    size_t i = 3, colon = 0;
    for (; s[i] && s[i] != '@' && s[i] != '/' && s[i] != '?' && !isspace((unsigned char)s[i]); i++)
        if (s[i] == ':' && !colon)
            colon = i;
    if (s[i] != '@' || !colon)
        return 0;
    *len = i - colon - 1;
    return colon + 1;
}

/* One pass over s. */
static size_t redact_once(char *out, size_t cap, const char *s)
{
    out_buf o = {out, cap, 0};
    if (cap == 0)
        return 0;
    const char *p = s ? s : "";
    while (*p) {
        size_t v = keyword_value(s, p), len = 0;
        if (v) {
            /* A quoted value stays quoted ('***'): a bare *** would run on into text glued to
             * the closing quote, and redacting the result again would change it. */
            int quoted = p[v] == '\'';
            put(&o, p, v);
            if (quoted)
                put(&o, "'", 1);
            put(&o, DS_REDACTED, sizeof DS_REDACTED - 1);
            if (quoted)
                put(&o, "'", 1);
            p += v + value_len(p + v);
            continue;
        }
        size_t u = uri_password(p, &len);
        if (u) {
            put(&o, p, u);
            put(&o, DS_REDACTED, sizeof DS_REDACTED - 1);
            p += u + len;
            continue;
        }
        put(&o, p, 1);
        p++;
    }
    out[o.n] = '\0';
    return o.n;
}

/* Passes until nothing changes: hiding one secret can join text into another shape of secret
 * (a '/' inside a hidden value had ended what now reads as a URI's user:password@), and what
 * is shown must itself show no secret. */
size_t ds_redact_secrets(char *out, size_t cap, const char *s)
{
    size_t n = redact_once(out, cap, s);
    if (cap == 0 || n + 1 >= cap)
        return n; /* cut short: the cut text is not a whole value to read again */
    char stack[4096];
    char *tmp = cap <= sizeof stack ? stack : malloc(cap);
    if (!tmp)
        return n;
    for (int pass = 0; pass < 16; pass++) {
        size_t m = redact_once(tmp, cap, out);
        if (m == n && memcmp(tmp, out, n) == 0)
            break;
        memcpy(out, tmp, m + 1);
        n = m;
        if (n + 1 >= cap)
            break;
    }
    if (tmp != stack)
        free(tmp);
    return n;
}

int ds_redact_has_secret(const char *s)
{
    size_t len = 0;
    for (const char *p = s ? s : ""; *p; p++)
        if (keyword_value(s, p) || uri_password(p, &len))
            return 1;
    return 0;
}
