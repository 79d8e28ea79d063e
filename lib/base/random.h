/* random.h: bytes from the kernel's CSPRNG (getrandom), and the same as hex,
 * for request ids, generated passwords and names. */
#ifndef OWLET_RANDOM_H
#define OWLET_RANDOM_H

#include <stddef.h>
#include <stdint.h>

/* Fills buf with n random bytes: 0, or OWLET_EIO when the kernel has none. */
int owlet_random_bytes(void *buf, size_t n);
/* 2*n_bytes lowercase hex digits and a NUL into out (n_bytes at most 64). */
int owlet_random_hex(char *out, size_t n_bytes);

/* A unique id that sorts by time: epoch_ms as UTC to the millisecond and 64
 * random bits, "20261208T010203456Z-0123456789abcdef" (36 characters). */
int owlet_random_stamped_id(char out[40], int64_t epoch_ms);

#endif
