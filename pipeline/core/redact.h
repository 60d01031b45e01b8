/* redact.h - hides secrets in text that is shown or logged: the password of a libpq
 * connection string, in keyword form (password=... or password='...') and in URI form
 * (postgresql://user:secret@host).
 *
 * Owns: nothing; pure functions over caller buffers. Threading: reentrant.
 */
#ifndef DS_CORE_REDACT_H
#define DS_CORE_REDACT_H

#include <stddef.h>

/* The text that replaces a secret. */
#define DS_REDACTED "***"

/* Copies s to out (cap bytes, always NUL-terminated, truncated at cap-1) with every password
 * replaced by DS_REDACTED. Returns the length written. Text without a password is copied as is. */
size_t ds_redact_secrets(char *out, size_t cap, const char *s);

/* 1 when s holds a password that ds_redact_secrets would hide. */
int ds_redact_has_secret(const char *s);

#endif
