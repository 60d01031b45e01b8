/* utf8.h - the one UTF-8 decoder of product code: validation (ds_utf8_seq_len) for bytes from
 * outside, decoding (ds_utf8_decode) for text already known valid. Shared by the logger, the
 * document model, the parsers and the tokenizer. */
#ifndef DS_CORE_UTF8_H
#define DS_CORE_UTF8_H

#include <stddef.h>
#include <stdint.h>

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

/* The code point at s, which must start a valid UTF-8 sequence (checked before, e.g. by
 * ds_utf8_seq_len, or text from a library that guarantees UTF-8); *len gets its byte length. */
static inline uint32_t ds_utf8_decode(const unsigned char *s, size_t *len)
{
    unsigned char b = s[0];
    if (b < 0x80) {
        *len = 1;
        return b;
    }
    if (b < 0xE0) {
        *len = 2;
        return ((uint32_t)(b & 0x1F) << 6) | (s[1] & 0x3F);
    }
    if (b < 0xF0) {
        *len = 3;
        return ((uint32_t)(b & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
    }
    *len = 4;
    return ((uint32_t)(b & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) | ((uint32_t)(s[2] & 0x3F) << 6) |
           (s[3] & 0x3F);
}

#endif
