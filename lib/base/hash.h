/* hash.h: SHA-256 (as lowercase hex, the form S3's SigV4 payload hash,
 * cache keys and idempotency records use, or raw), HMAC-SHA256 for SigV4
 * signatures, a constant-time comparison and a wipe that is not optimised
 * away.  Written from FIPS 180-4 and RFC 2104, so that the Lambda needs no
 * libcrypto. */
#ifndef OWLET_HASH_H
#define OWLET_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The streamed form: init, update any number of times, final (which
 * wipes the context). */
struct owlet_sha256_ctx {
	uint32_t h[8];
	unsigned char buf[64];
	size_t n;     /* bytes in buf */
	uint64_t len; /* bytes in all */
};
void owlet_sha256_init(struct owlet_sha256_ctx *c);
void owlet_sha256_update(struct owlet_sha256_ctx *c, const void *data, size_t len);
void owlet_sha256_final(struct owlet_sha256_ctx *c, unsigned char out[32]);

/* 64 hex digits and a NUL into out; data may be NULL when len is 0. */
void owlet_sha256_hex(char out[65], const void *data, size_t len);
/* The 32 bytes of the digest. */
void owlet_sha256(unsigned char out[32], const void *data, size_t len);
/* HMAC-SHA256 of msg under key (any length). */
void owlet_hmac_sha256(unsigned char out[32], const void *key, size_t klen, const void *msg, size_t mlen);
/* a and b equal in their n bytes, in a time that does not depend on where they differ. */
bool owlet_equal_ct(const void *a, const void *b, size_t n);
/* Zeroes n bytes of p (secrets), not optimised away. */
void owlet_wipe(void *p, size_t n);

#endif
