/* base_hash_test.c: owlet_sha256_hex (lib/base/hash.c, written from FIPS
 * 180-4) against the FIPS 180-2 examples and against OpenSSL's SHA256 on
 * every length from 0 to 300 (every padding case: one block, two, and the
 * 55/56/63/64-byte edges) and on a 1 MB buffer. */
#include "base/hash.h"
#include "tap.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdlib.h>

static void openssl_hex(char out[65], const unsigned char *data, size_t len)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	SHA256(data, len, md);
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void to_hex(char out[65], const unsigned char d[32])
{
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
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

	/* HMAC-SHA256: RFC 4231's test cases 1, 2 and 6 (a key longer than a block) */
	unsigned char mac[32], omac[32];
	unsigned char key20[20];
	memset(key20, 0x0b, sizeof key20);
	owlet_hmac_sha256(mac, key20, sizeof key20, "Hi There", 8);
	to_hex(got, mac);
	is_str(got, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", "RFC 4231 case 1");
	owlet_hmac_sha256(mac, "Jefe", 4, "what do ya want for nothing?", 28);
	to_hex(got, mac);
	is_str(got, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", "RFC 4231 case 2");
	unsigned char key131[131];
	memset(key131, 0xaa, sizeof key131);
	const char *m6 = "Test Using Larger Than Block-Size Key - Hash Key First";
	owlet_hmac_sha256(mac, key131, sizeof key131, m6, strlen(m6));
	to_hex(got, mac);
	is_str(got, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54", "RFC 4231 case 6");
	/* against OpenSSL's HMAC for keys of 0..140 bytes and messages of 0..300 */
	bad = -1;
	for (size_t kl = 0; kl <= 140 && bad < 0; kl += 7)
		for (size_t ml = 0; ml <= sizeof buf && bad < 0; ml += 13) {
			unsigned int n = 32;
			owlet_hmac_sha256(mac, buf + 5, kl, buf, ml);
			HMAC(EVP_sha256(), buf + 5, (int)kl, buf, ml, omac, &n);
			if (memcmp(mac, omac, 32) != 0)
				bad = (int)(kl * 1000 + ml);
		}
	is_int(bad, -1, "the same HMAC as OpenSSL for keys of 0..140 and messages of 0..300 bytes");
	ok(owlet_equal_ct("abcd", "abcd", 4) && !owlet_equal_ct("abcd", "abce", 4) && owlet_equal_ct("x", "y", 0),
	   "constant-time equality");
	return done_testing();
}
