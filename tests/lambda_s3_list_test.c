/*
 * lambda_s3_list_test.c: the ListObjectsV2 reader of lib/aws/s3.c on S3's
 * documents and on broken ones (never read past the end, never crash);
 * ETags as S3 writes them (&quot;-escaped quotes, multipart "-N" ETags) and
 * as moto does (bare quotes) come back without their quotes.
 */
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "aws/s3.h"
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
		"<ETag>&quot;599bab3ed2c697f1d26842727561fd94&quot;</ETag><Size>1234567890123</Size><StorageClass>STANDARD</StorageClass></Contents>"
		"<Contents><Key>raw/plain.jsonl</Key><Size>0</Size></Contents>"
		"<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>"
		"</ListBucketResult>";
	is_int(parse(&l, &truncated, &token, page), 0, "a page of S3's parses");
	is_int((long long)l.count, 2, "two objects");
	is_str(l.count > 0 ? l.items[0].key : NULL, "raw/a&b/x<1>\"''A.csv", "XML entities and character references are decoded");
	is_int(l.count > 0 ? l.items[0].size : -1, 1234567890123LL, "sizes are 64-bit");
	is_str(l.count > 0 ? l.items[0].etag : NULL, "599bab3ed2c697f1d26842727561fd94",
	       "the ETag, its &quot;-escaped quotes taken off");
	is_str(l.count > 1 ? l.items[1].key : NULL, "raw/plain.jsonl", "the second key");
	ok(l.count > 1 && l.items[1].etag == NULL, "an entry without an ETag has none (NULL)");
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

	/* ETags as S3 (a multipart upload's "-N"), moto (bare quotes) and odd
	 * writers give them: only the one pair of quotes around them goes */
	const char *etags =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>owlet-data</Name>"
		"<Prefix>raw/trips/</Prefix><KeyCount>5</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>"
		"<Contents><Key>raw/trips/big.csv</Key><LastModified>2026-11-23T08:00:00.000Z</LastModified>"
		"<ETag>&quot;abc-3&quot;</ETag><Size>15728640</Size><StorageClass>STANDARD</StorageClass></Contents>"
		"<Contents><Key>raw/trips/moto.jsonl</Key><LastModified>2026-11-23T08:00:00.000Z</LastModified>"
		"<ETag>\"d41d8cd98f00b204e9800998ecf8427e\"</ETag><Size>0</Size><StorageClass>STANDARD</StorageClass></Contents>"
		"<Contents><Key>raw/trips/ref.csv</Key><ETag>\n  &#34;Aa-1&#x22;  </ETag><Size>1</Size></Contents>"
		"<Contents><Key>raw/trips/bare.csv</Key><ETag>no-quotes</ETag><Size>2</Size></Contents>"
		"<Contents><Key>raw/trips/empty.csv</Key><ETag>&quot;&quot;</ETag><Size>3</Size></Contents>"
		"</ListBucketResult>";
	is_int(parse(&l, &truncated, &token, etags), 0, "a listing of ETags parses");
	is_int((long long)l.count, 5, "five objects");
	static const char *const want[] = { "abc-3", "d41d8cd98f00b204e9800998ecf8427e", "Aa-1", "no-quotes", NULL };
	static const char *const what[] = {
		"a multipart ETag keeps its -3", "moto's bare quotes are taken off",
		"character references and white space around it: the case is kept", "an ETag without quotes is kept whole",
		"an empty ETag (\"\") is none",
	};
	for (size_t i = 0; i < 5; i++)
		if (want[i])
			is_str(i < l.count ? l.items[i].etag : NULL, want[i], "%s", what[i]);
		else
			ok(i < l.count && l.items[i].etag == NULL, "%s", what[i]);
	ok(l.count == 5 && l.items[0].size == 15728640 && l.items[4].size == 3, "sizes alongside");
	free(token);
	token = NULL;
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
