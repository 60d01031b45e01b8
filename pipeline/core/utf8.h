/* utf8.h - UTF-8 validation shared by the logger, the document model and the parsers. */
#ifndef DS_CORE_UTF8_H
#define DS_CORE_UTF8_H

#include <stddef.h>

/* Length (1-4) of the valid, shortest-form UTF-8 sequence at s (n bytes available), or 0 when
 * the bytes there are not valid UTF-8 (overlong forms, surrogates, beyond U+10FFFF, cut off).
 * A NUL byte is a valid one-byte sequence. */
static inline size_t ds_utf8_seq_len(const unsigned char *s, size_t n)
{
    if (n == 0)
        return 0;
    if (s[0] < 0x80)
        return 1;
    size_t len;
    unsigned cp;
    if ((s[0] & 0xE0) == 0xC0) {
        len = 2;
        cp = s[0] & 0x1Fu;
    } else if ((s[0] & 0xF0) == 0xE0) {
        len = 3;
        cp = s[0] & 0x0Fu;
    } else if ((s[0] & 0xF8) == 0xF0) {
        len = 4;
        cp = s[0] & 0x07u;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

#endif
