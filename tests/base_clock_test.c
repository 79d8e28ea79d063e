/* base_clock_test.c: owlet_clock_format's three forms (records, S3 event
 * times, sortable ids) and owlet_random_stamped_id, which sorts by time. */
#include "base/clock.h"
#include "base/random.h"
#include "tap.h"

#include <string.h>

int main(void)
{
	const int64_t t = 1796691723456; /* 2026-12-08T01:02:03.456Z */
	char out[32];
	owlet_clock_format(out, sizeof out, t, OWLET_CLOCK_ISO);
	is_str(out, "2026-12-08T01:02:03Z", "ISO 8601, to the second");
	owlet_clock_format(out, sizeof out, t, OWLET_CLOCK_ISO_MS);
	is_str(out, "2026-12-08T01:02:03.456Z", "ISO 8601, to the millisecond");
	owlet_clock_format(out, sizeof out, t, OWLET_CLOCK_BASIC_MS);
	is_str(out, "20261208T010203456Z", "basic form, to the millisecond");
	owlet_clock_format(out, sizeof out, 0, OWLET_CLOCK_ISO_MS);
	is_str(out, "1970-01-01T00:00:00.000Z", "the epoch");
	owlet_clock_format(out, sizeof out, -1, OWLET_CLOCK_ISO_MS);
	is_str(out, "1969-12-31T23:59:59.999Z", "one millisecond before the epoch");
	owlet_clock_format(out, 8, t, OWLET_CLOCK_ISO);
	is_str(out, "2026-12", "a short buffer is cut, NUL-terminated");

	char a[40], b[40];
	ok(owlet_random_stamped_id(a, t) == 0 && owlet_random_stamped_id(b, t + 1) == 0, "two stamped ids");
	is_int((long long)strlen(a), 36, "36 characters");
	ok(strncmp(a, "20261208T010203456Z-", 20) == 0, "the time first: %s", a);
	ok(strcmp(a, b) < 0, "a later id sorts after an earlier one");
	ok(strspn(a + 20, "0123456789abcdef") == 16, "then 64 random bits in hex");
	ok(owlet_random_stamped_id(b, t) == 0 && strcmp(a, b) != 0, "the same millisecond gives another id");
	return done_testing();
}
