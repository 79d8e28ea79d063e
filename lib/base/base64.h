/*
 * base64.h: base64 (RFC 4648 §4) and base64url (§5), the one copy owlet
 * has: JWTs and JWKS (strict base64url), the Lambda's isBase64Encoded
 * bodies (standard, lenient decode), request ids.
 */
#ifndef OWLET_BASE64_H
#define OWLET_BASE64_H

#include <stddef.h>

/* base64url without padding (RFC 4648 §5), the JWT encoding.  decode is
 * strict: padding ('='), a length of 4n+1 and non-zero unused bits in the
 * last character are refused (OWLET_EINVALID), so a value has one encoding.
 * out is NUL-terminated for convenience and *out_len excludes the NUL.
 * Both return 0, or a negative code. */
int owlet_base64url_decode(unsigned char **out, size_t *out_len, const char *in, size_t in_len);
/* The same for standard base64 (RFC 4648 §4), leniently: any trailing '='
 * are dropped and unused bits are ignored. */
int owlet_base64_decode(unsigned char **out, size_t *out_len, const char *in, size_t in_len);
/* Standard base64 with padding (RFC 4648 §4), new string. */
char *owlet_base64_encode(const unsigned char *in, size_t len);

#endif
