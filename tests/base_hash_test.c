/* base_hash_test.c: owlet_sha256_hex (lib/base/hash.c, written from FIPS
 * 180-4) against the FIPS 180-2 examples and against OpenSSL's SHA256 on
 * every length from 0 to 300 (every padding case: one block, two, and the
 * 55/56/63/64-byte edges) and on a 1 MB buffer. */
#include "base/hash.h"
#include "tap.h"

#include <openssl/sha.h>
#include <stdlib.h>

static void openssl_hex(char out[65], const unsigned char *data, size_t len)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	SHA256(data, len, md);
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

int main(void)
{
	char got[65], want[65];
	owlet_sha256_hex(got, NULL, 0);
	is_str(got, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "the empty input (NULL data)");
	owlet_sha256_hex(got, "abc", 3);
	is_str(got, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "FIPS 180-2 example: abc");
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	owlet_sha256_hex(got, two, strlen(two));
	is_str(got, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", "FIPS 180-2 example: two blocks");

	unsigned char buf[300];
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (unsigned char)(i * 131 + 7);
	int bad = -1;
	for (size_t len = 0; len <= sizeof buf; len++) {
		owlet_sha256_hex(got, buf, len);
		openssl_hex(want, buf, len);
		if (strcmp(got, want) != 0 && bad < 0)
			bad = (int)len;
	}
	is_int(bad, -1, "the same digest as OpenSSL for every length 0..300 (first mismatch: -1 = none)");

	size_t big = 1 << 20;
	unsigned char *m = malloc(big);
	ok(m != NULL, "1 MB buffer");
	if (m) {
		for (size_t i = 0; i < big; i++)
			m[i] = (unsigned char)(i ^ (i >> 8));
		owlet_sha256_hex(got, m, big);
		openssl_hex(want, m, big);
		is_str(got, want, "the same digest as OpenSSL for 1 MB");
		free(m);
	}
	return done_testing();
}
