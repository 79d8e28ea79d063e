/* hash.c: SHA-256 as hex (see hash.h). */
#include "base/hash.h"

#include <stdio.h>

#include <openssl/sha.h>

void owlet_sha256_hex(char out[65], const void *data, size_t len)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	SHA256(data ? data : (const void *)"", len, md);
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}
