/* hash.h: SHA-256 as lowercase hex, the form S3's SigV4 payload hash,
 * cache keys and idempotency records use. */
#ifndef OWLET_HASH_H
#define OWLET_HASH_H

#include <stddef.h>

/* 64 hex digits and a NUL into out; data may be NULL when len is 0. */
void owlet_sha256_hex(char out[65], const void *data, size_t len);

#endif
