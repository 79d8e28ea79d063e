/* random.h: bytes from the kernel's CSPRNG (getrandom), and the same as hex,
 * for request ids, generated passwords and names. */
#ifndef OWLET_RANDOM_H
#define OWLET_RANDOM_H

#include <stddef.h>

/* Fills buf with n random bytes: 0, or OWLET_EIO when the kernel has none. */
int owlet_random_bytes(void *buf, size_t n);
/* 2*n_bytes lowercase hex digits and a NUL into out (n_bytes at most 64). */
int owlet_random_hex(char *out, size_t n_bytes);

#endif
