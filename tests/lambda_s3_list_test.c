/*
 * lambda_s3_list_test.c: the ListObjectsV2 reader of lib/s3.c on S3's
 * documents and on broken ones (never read past the end, never crash).
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "s3.h"
#include "tap.h"

static int parse(struct owlet_s3_list *l, int *truncated, char **token, const char *xml)
{
	return owlet_s3_parse_list(l, truncated, token, xml, strlen(xml));
}

int main(void)
{
	struct owlet_s3_list l = { 0 };
	int truncated = -1;
	char *token = NULL;
	const char *page =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b</Name>"
		"<Prefix>raw/</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated>"
		"<Contents><Key>raw/a&amp;b/x&lt;1&gt;&quot;&apos;&#39;&#x41;.csv</Key><LastModified>2026-11-23T00:00:00.000Z</LastModified>"
		"<ETag>&quot;abc&quot;</ETag><Size>1234567890123</Size><StorageClass>STANDARD</StorageClass></Contents>"
		"<Contents><Key>raw/plain.jsonl</Key><Size>0</Size></Contents>"
		"<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>"
		"</ListBucketResult>";
	is_int(parse(&l, &truncated, &token, page), 0, "a page of S3's parses");
	is_int((long long)l.count, 2, "two objects");
	is_str(l.count > 0 ? l.items[0].key : NULL, "raw/a&b/x<1>\"''A.csv", "XML entities and character references are decoded");
	is_int(l.count > 0 ? l.items[0].size : -1, 1234567890123LL, "sizes are 64-bit");
	is_str(l.count > 1 ? l.items[1].key : NULL, "raw/plain.jsonl", "the second key");
	is_int(truncated, 1, "IsTruncated");
	is_str(token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=", "NextContinuationToken");
	free(token);
	token = NULL;

	const char *last = "<ListBucketResult><IsTruncated>false</IsTruncated>"
			   "<Contents><Key>k</Key><Size>7</Size></Contents></ListBucketResult>";
	is_int(parse(&l, &truncated, &token, last), 0, "a last page parses");
	is_int((long long)l.count, 3, "objects are appended to the list");
	ok(truncated == 0 && token == NULL, "a last page is not truncated and has no token");
	owlet_s3_list_clear(&l);

	is_int(parse(&l, &truncated, &token, "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>"), 0,
	       "an empty listing parses");
	is_int((long long)l.count, 0, "and has no objects");

	static const char *const broken[] = {
		"",
		"<Error><Code>AccessDenied</Code></Error>",
		"<ListBucketResult><Contents><Key>k</Key><Size>1</Size>",
		"<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>",
		"<ListBucketResult><Contents><Key>k</Key></Contents></ListBucketResult>",
		"<ListBucketResult><Contents><Key>k&#</Key><Size>1</Size></Contents>",
	};
	for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
		int rc = parse(&l, &truncated, &token, broken[i]);
		if (i == 5) {
			is_int(rc, 0, "a dangling '&#' is kept as text");
			is_str(l.count ? l.items[l.count - 1].key : NULL, "k&#", "and the key keeps it");
		} else {
			is_int(rc, OWLET_EIO, "broken document %zu is refused", i);
			like(owlet_error_last(), "s3 list: ", "with a message");
		}
		free(token);
		token = NULL;
	}
	owlet_s3_list_clear(&l);

	/* a document cut anywhere never reads past its end (ASan checks) */
	size_t n = strlen(page);
	int refused = 0;
	for (size_t cut = 0; cut < n; cut++) {
		char *part = malloc(cut ? cut : 1);
		memcpy(part, page, cut);
		if (owlet_s3_parse_list(&l, &truncated, &token, part, cut) < 0)
			refused++;
		free(token);
		token = NULL;
		owlet_s3_list_clear(&l);
		free(part);
	}
	ok(refused > 0, "every prefix of a page is read safely (%d refused)", refused);
	return done_testing();
}
