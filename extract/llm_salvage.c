/* llm_salvage.c - finding what is complete in a model answer cut short: the task's array
 * ("facts": [ ... ) and the end of its last complete item, so that the answer up to there, with
 * the array closed, parses. A byte scanner aware of strings and escapes; it does not validate.
 * Owns: nothing. Threading: reentrant.
 */
#include "extract/llm.h"

#include <stdint.h>
#include <string.h>

/* The offset just after '[' of the array under "key": (or of the answer's first byte other than
 * white space, when that is '['); SIZE_MAX when none. */
static size_t array_start(const char *text, size_t n, const char *key)
{
    size_t kl = strlen(key);
    for (size_t i = 0; i + kl + 2 <= n; i++) {
        if (text[i] != '"' || memcmp(text + i + 1, key, kl) != 0 || text[i + 1 + kl] != '"')
            continue;
        size_t j = i + kl + 2;
        while (j < n && (text[j] == ' ' || text[j] == '\n' || text[j] == '\t' || text[j] == '\r'))
            j++;
        if (j >= n || text[j] != ':')
            continue;
        j++;
        while (j < n && (text[j] == ' ' || text[j] == '\n' || text[j] == '\t' || text[j] == '\r'))
            j++;
        if (j < n && text[j] == '[')
            return j + 1;
    }
    size_t j = 0; /* else an answer that is a bare array */
    while (j < n && (text[j] == ' ' || text[j] == '\n' || text[j] == '\t' || text[j] == '\r'))
        j++;
    return j < n && text[j] == '[' ? j + 1 : SIZE_MAX;
}

int ds_llm_salvage_array(const char *text, size_t n, const char *key, size_t *start, size_t *end)
{
    size_t i = array_start(text, n, key);
    if (i == SIZE_MAX)
        return 0;
    *start = i;
    *end = i; /* no complete item yet */
    int depth = 0, in_str = 0, esc = 0, in_item = 0;
    for (; i < n; i++) {
        char c = text[i];
        if (in_str) {
            if (esc)
                esc = 0;
            else if (c == '\\')
                esc = 1;
            else if (c == '"')
                in_str = 0;
            continue;
        }
        switch (c) {
        case '"':
            in_str = 1;
            in_item = 1;
            break;
        case '{':
        case '[':
            depth++;
            in_item = 1;
            break;
        case '}':
        case ']':
            if (depth == 0) { /* the array itself closed */
                if (in_item)
                    *end = i;
                return *end > *start;
            }
            if (--depth == 0)
                *end = i + 1;
            break;
        case ',':
            if (depth == 0) {
                if (in_item)
                    *end = i;
                in_item = 0;
            }
            break;
        case ' ':
        case '\n':
        case '\t':
        case '\r': break;
        default: in_item = 1; break; /* numbers and literals end at a ',' */
        }
    }
    return *end > *start;
}
