/* base_buf_test.c: owlet_grow, the one growable array of lib/ (diagnostics,
 * YAML nodes, S3 listings, record problems, the plan graph): it doubles
 * from the first capacity, keeps what it holds, and refuses an overflow. */
#include "base/buf.h"
#include "base/error.h"
#include "tap.h"

#include <stdint.h>
#include <stdlib.h>

int main(void)
{
	int *a = NULL;
	size_t cap = 0, n = 0;
	int grew_ok = 1;
	for (int i = 0; i < 1000; i++) {
		if (owlet_grow((void **)&a, &cap, n, sizeof *a, 4) < 0)
			grew_ok = 0;
		a[n++] = i;
	}
	ok(grew_ok, "1,000 appends");
	is_int((long long)cap, 1024, "capacity doubled from 4: 1,024");
	int same = 1;
	for (int i = 0; i < 1000; i++)
		same &= a[i] == i;
	ok(same, "every item kept across the reallocations");
	is_int(owlet_grow((void **)&a, &cap, 10, sizeof *a, 4), 0, "room left: nothing to do");
	is_int((long long)cap, 1024, "and the capacity stays");
	free(a);

	char *big = malloc(1);
	size_t bcap = SIZE_MAX / 4;
	is_int(owlet_grow((void **)&big, &bcap, bcap, 4, 8), OWLET_ENOMEM, "an overflowing size is refused");
	ok(big != NULL && bcap == SIZE_MAX / 4, "leaving the array as it was");
	owlet_error_clear();
	free(big);
	return done_testing();
}
