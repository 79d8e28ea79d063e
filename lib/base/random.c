/* random.c: the kernel's random bytes (see random.h). */
#include "base/random.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "base/clock.h"
#include "base/error.h"
#include "base/hex.h"

int owlet_random_bytes(void *buf, size_t n)
{
	unsigned char *p = buf;
	size_t got = 0;
	while (got < n) {
		ssize_t r = getrandom(p + got, n - got, 0);
		if (r < 0 && errno != EINTR)
			return owlet_error_setc(OWLET_EIO, "no random bytes from the kernel: %s", strerror(errno));
		if (r > 0)
			got += (size_t)r;
	}
	return 0;
}

int owlet_random_hex(char *out, size_t n_bytes)
{
	unsigned char b[64];
	if (n_bytes > sizeof b)
		return owlet_error_setc(OWLET_EUSAGE, "at most %zu random bytes as hex", sizeof b);
	int rc = owlet_random_bytes(b, n_bytes);
	if (rc < 0)
		return rc;
	owlet_hex_encode(out, b, n_bytes);
	return 0;
}

int owlet_random_stamped_id(char out[40], int64_t epoch_ms)
{
	char stamp[32], rnd[17];
	owlet_clock_format(stamp, sizeof stamp, epoch_ms, OWLET_CLOCK_BASIC_MS);
	int rc = owlet_random_hex(rnd, 8);
	if (rc < 0)
		return rc;
	snprintf(out, 40, "%.20s-%.16s", stamp, rnd);
	return 0;
}
