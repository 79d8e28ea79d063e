/*
 * agg_stats_test.c: the exact statistics of lib/agg/ against a reference
 * computed here from the values the test generates; the edge cases (all
 * nulls, one row, huge/negative/NaN/inf, int64 limits, ragged rows, quotes
 * and newlines, a BOM, CRLF); merge == whole (in memory, through the JSON
 * partial, and over file chunks on threads); CSV == JSON Lines; the CSV
 * reader's fast path == its record-at-a-time reader on irregular input.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agg/agg.h"
#include "agg/agg_internal.h"
#include "base/error.h"
#include "tap.h"

static struct owlet_field fields[] = {
	{ .name = "id", .type = OWLET_TYPE_INT, .max_length = -1 },
	{ .name = "f", .type = OWLET_TYPE_FLOAT, .max_length = -1 },
	{ .name = "s", .type = OWLET_TYPE_STRING, .max_length = -1 },
	{ .name = "b", .type = OWLET_TYPE_BOOL, .max_length = -1 },
	{ .name = "d", .type = OWLET_TYPE_DATE, .max_length = -1 },
	{ .name = "ts", .type = OWLET_TYPE_TIMESTAMP, .max_length = -1 },
};
#define NF 6
static struct owlet_dataset ds = { .name = "t", .fields = fields, .n_fields = NF };

/* ---- a growable text buffer ---- */
struct text {
	char *p;
	size_t len, cap;
};
static void put(struct text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->p = realloc(t->p, t->cap);
	}
	memcpy(t->p + t->len, s, n);
	t->len += n;
	t->p[t->len] = '\0';
}
static void puts_(struct text *t, const char *s)
{
	put(t, s, strlen(s));
}

/* ---- the reference ---- */
struct ref {
	long long count, nulls, invalid;
	long long imin, imax;
	__int128 isum;
	double fmin, fmax;
	long double fsum;
	double vals_sum, vals_sq; /* for the two-pass stddev */
	double *vals;
	size_t nvals;
	long long minlen, maxlen, trues;
	int first_invalid_line;
};
static struct ref ref[NF];

static void ref_init(void)
{
	for (int i = 0; i < NF; i++) {
		free(ref[i].vals);
		memset(&ref[i], 0, sizeof ref[i]);
		ref[i].imin = INT64_MAX;
		ref[i].imax = INT64_MIN;
		ref[i].fmin = INFINITY;
		ref[i].fmax = -INFINITY;
		ref[i].minlen = INT64_MAX;
		ref[i].vals = malloc(sizeof(double) * 100000);
	}
}
static void ref_i(int c, long long v)
{
	struct ref *r = &ref[c];
	r->count++;
	if (v < r->imin)
		r->imin = v;
	if (v > r->imax)
		r->imax = v;
	r->isum += v;
	r->vals[r->nvals++] = (double)v;
}
static void ref_f(int c, double v)
{
	struct ref *r = &ref[c];
	r->count++;
	if (v < r->fmin)
		r->fmin = v;
	if (v > r->fmax)
		r->fmax = v;
	r->fsum += v;
	r->vals[r->nvals++] = v;
}
static double ref_stddev(const struct ref *r)
{
	double mean = 0, m2 = 0;
	for (size_t i = 0; i < r->nvals; i++)
		mean += r->vals[i];
	mean /= (double)r->nvals;
	for (size_t i = 0; i < r->nvals; i++)
		m2 += (r->vals[i] - mean) * (r->vals[i] - mean);
	return sqrt(m2 / (double)(r->nvals - 1));
}

/* ---- generated data ---- */
static unsigned long long rng = 12345;
static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static const char *words[] = { "alpha", "beta", "gamma", "d,elta", "ep\"si\"lon", "ze\nta", "ηθ", "", "x" };

/* One cell of column c at `line`: its text into cell, the reference updated. */
static void gen_cell(int c, char *cell, size_t cap, int line)
{
	unsigned k = rnd(100);
	if (k < 3) {
		cell[0] = '\0';
		ref[c].nulls++;
		return;
	}
	bool bad = k < 5;
	if (bad) {
		static const char *bads[NF] = { "12x", "abc", NULL, "yes", "2023-02-30", "2024-01-01T25:00" };
		if (bads[c]) {
			snprintf(cell, cap, "%s", bads[c]);
			ref[c].invalid++;
			if (!ref[c].first_invalid_line)
				ref[c].first_invalid_line = line;
			return;
		}
	}
	switch (c) {
	case 0: {
		long long v = (long long)rnd(2000000) - 1000000;
		if (k == 99)
			v = v * 1000000000LL;
		snprintf(cell, cap, "%lld", v);
		ref_i(c, v);
		break;
	}
	case 1: {
		long long cents = (long long)rnd(20000000) - 10000000;
		snprintf(cell, cap, "%s%lld.%02lld", cents < 0 ? "-" : "", llabs(cents) / 100, llabs(cents) % 100);
		ref_f(c, strtod(cell, NULL));
		break;
	}
	case 2: {
		const char *w = words[rnd(9)];
		if (!*w)
			w = "empty-word";
		snprintf(cell, cap, "%s", w);
		struct ref *r = &ref[c];
		r->count++;
		long long n = 0;
		for (const char *p = w; *p; p++)
			n += ((unsigned char)*p & 0xC0) != 0x80;
		if (n < r->minlen)
			r->minlen = n;
		if (n > r->maxlen)
			r->maxlen = n;
		break;
	}
	case 3: {
		static const char *bs[] = { "true", "false", "1", "0", "TRUE", "False" };
		unsigned i = rnd(6);
		snprintf(cell, cap, "%s", bs[i]);
		ref[c].count++;
		ref[c].trues += i % 2 == 0;
		break;
	}
	case 4: {
		int y = 1900 + (int)rnd(200), m = 1 + (int)rnd(12), d = 1 + (int)rnd(28);
		snprintf(cell, cap, "%04d-%02d-%02d", y, m, d);
		int64_t days;
		owlet_parse_date(cell, strlen(cell), &days);
		ref_i(c, days);
		break;
	}
	case 5: {
		long long secs = (long long)rnd(2000000000) - 500000000;
		int ms = (int)rnd(1000);
		int64_t days = secs / 86400 - (secs % 86400 < 0);
		long long rem = secs - days * 86400;
		char date[16];
		owlet_format_date(date, sizeof date, days);
		snprintf(cell, cap, "%sT%02lld:%02lld:%02lld.%03dZ", date, rem / 3600, rem / 60 % 60, rem % 60, ms);
		ref_i(c, secs * 1000000 + ms * 1000);
		break;
	}
	}
}

static void csv_cell(struct text *t, const char *cell)
{
	if (strpbrk(cell, ",\"\n\r")) {
		puts_(t, "\"");
		for (const char *p = cell; *p; p++)
			put(t, p, 1), *p == '"' ? put(t, "\"", 1) : (void)0;
		puts_(t, "\"");
	} else
		puts_(t, cell);
}

static void json_cell(struct text *t, const char *name, const char *cell, bool first)
{
	if (!first)
		puts_(t, ", ");
	puts_(t, "\"");
	puts_(t, name);
	puts_(t, "\": ");
	if (!*cell) {
		puts_(t, rnd(2) ? "null" : "\"\"");
		return;
	}
	puts_(t, "\"");
	for (const char *p = cell; *p; p++) {
		if (*p == '"')
			puts_(t, "\\\"");
		else if (*p == '\n')
			puts_(t, "\\n");
		else
			put(t, p, 1);
	}
	puts_(t, "\"");
}

/* rows of generated data as CSV (header first) and as JSON Lines */
static void gen(struct text *csv, struct text *jsonl, int rows, bool crlf)
{
	ref_init();
	const char *eol = crlf ? "\r\n" : "\n";
	puts_(csv, "id,f,s,b,d,ts");
	puts_(csv, eol);
	int line = 2;
	for (int i = 0; i < rows; i++) {
		char cells[NF][64];
		for (int c = 0; c < NF; c++)
			gen_cell(c, cells[c], sizeof cells[c], line);
		int nl = 0;
		puts_(jsonl, "{");
		for (int c = 0; c < NF; c++) {
			if (c)
				puts_(csv, ",");
			csv_cell(csv, cells[c]);
			json_cell(jsonl, fields[c].name, cells[c], c == 0);
			for (const char *p = cells[c]; *p; p++)
				nl += *p == '\n';
		}
		puts_(csv, eol);
		puts_(jsonl, "}\n");
		line += 1 + nl;
	}
}

/* ---- reading the report ---- */
static json_t *col(json_t *j, const char *name)
{
	return json_object_get(json_object_get(j, "columns"), name);
}
static long long jint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_integer(v) ? json_integer_value(v) : -999999;
}
static double jnum(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}
static const char *jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}
static bool close_to(double a, double b, double rel)
{
	return fabs(a - b) <= rel * fmax(fabs(a), fabs(b)) || a == b;
}

static json_t *report_csv(const char *name, const char *buf, size_t len)
{
	struct owlet_agg *a;
	if (owlet_agg_new(&a, &ds) < 0 || owlet_agg_csv_buffer(a, name, buf, len) < 0)
		return NULL;
	json_t *j = owlet_agg_to_json(a);
	owlet_agg_free(a);
	return j;
}

static void check_against_ref(json_t *j, const char *what, int rows)
{
	is_int(jint(j, "rows"), rows, "%s: rows", what);
	for (int c = 0; c < NF; c++) {
		json_t *o = col(j, fields[c].name);
		struct ref *r = &ref[c];
		const char *n = fields[c].name;
		ok(jint(o, "count") == r->count && jint(o, "nulls") == r->nulls &&
			   jint(json_object_get(o, "invalid"), "count") == r->invalid,
		   "%s: %s count %lld nulls %lld invalid %lld", what, n, r->count, r->nulls, r->invalid);
		if (r->invalid) {
			json_t *ex = json_array_get(json_object_get(json_object_get(o, "invalid"), "examples"), 0);
			is_int(jint(ex, "line"), r->first_invalid_line, "%s: %s first invalid line", what, n);
		}
		if (c == 0) {
			is_int(jint(o, "min"), r->imin, "%s: id min", what);
			is_int(jint(o, "max"), r->imax, "%s: id max", what);
			is_int(jint(o, "sum"), (long long)r->isum, "%s: id sum", what);
			ok(close_to(jnum(o, "mean"), (double)r->isum / (double)r->count, 1e-12), "%s: id mean", what);
			ok(close_to(jnum(o, "stddev"), ref_stddev(r), 1e-9), "%s: id stddev %.17g vs %.17g", what,
			   jnum(o, "stddev"), ref_stddev(r));
		} else if (c == 1) {
			ok(jnum(o, "min") == r->fmin && jnum(o, "max") == r->fmax, "%s: f min and max", what);
			ok(close_to(jnum(o, "sum"), (double)r->fsum, 1e-12), "%s: f sum %.17g vs %.17g", what, jnum(o, "sum"),
			   (double)r->fsum);
			ok(close_to(jnum(o, "stddev"), ref_stddev(r), 1e-9), "%s: f stddev", what);
		} else if (c == 2) {
			ok(jint(o, "min_length") == r->minlen && jint(o, "max_length") == r->maxlen,
			   "%s: s lengths %lld..%lld (code points)", what, r->minlen, r->maxlen);
			is_int(jint(o, "distinct"), 9, "%s: s distinct", what);
		} else if (c == 3) {
			is_int(jint(o, "sum"), r->trues, "%s: b trues", what);
			json_t *top = json_object_get(o, "top");
			long long t = -1, f = -1;
			for (size_t i = 0; i < json_array_size(top); i++) {
				json_t *e = json_array_get(top, i);
				if (strcmp(jstr(e, "value"), "true") == 0)
					t = jint(e, "count");
				else
					f = jint(e, "count");
			}
			ok(t == r->trues && f == r->count - r->trues, "%s: b top counts exact", what);
		} else {
			char lo[64], hi[64];
			if (c == 4) {
				owlet_format_date(lo, sizeof lo, r->imin);
				owlet_format_date(hi, sizeof hi, r->imax);
			} else {
				owlet_format_timestamp(lo, sizeof lo, r->imin);
				owlet_format_timestamp(hi, sizeof hi, r->imax);
			}
			is_str(jstr(o, "min"), lo, "%s: %s min", what, n);
			is_str(jstr(o, "max"), hi, "%s: %s max", what, n);
		}
	}
}

/* exact parts of two reports equal (merge == whole) */
static void same_exact(json_t *a, json_t *b, const char *what)
{
	bool same = jint(a, "rows") == jint(b, "rows") &&
		    jint(json_object_get(a, "bad_rows"), "count") == jint(json_object_get(b, "bad_rows"), "count");
	if (!same)
		diag("%s: rows %lld vs %lld", what, jint(a, "rows"), jint(b, "rows"));
	for (int c = 0; c < NF && same; c++) {
		json_t *x = col(a, fields[c].name), *y = col(b, fields[c].name);
		static const char *exact[] = { "count", "nulls", "min", "max", "min_length", "max_length", "top" };
		if (jint(json_object_get(x, "invalid"), "count") != jint(json_object_get(y, "invalid"), "count")) {
			diag("%s: column %s differs in invalid", what, fields[c].name);
			same = false;
		}
		for (size_t k = 0; k < sizeof exact / sizeof *exact; k++)
			if (!json_equal(json_object_get(x, exact[k]), json_object_get(y, exact[k]))) {
				diag("%s: column %s differs in %s", what, fields[c].name, exact[k]);
				same = false;
			}
		if (c == 0 && !json_equal(json_object_get(x, "sum"), json_object_get(y, "sum"))) {
			diag("%s: id sum differs", what);
			same = false;
		}
		if (c == 1 && !close_to(jnum(x, "sum"), jnum(y, "sum"), 1e-12)) {
			diag("%s: f sum differs: %.17g %.17g", what, jnum(x, "sum"), jnum(y, "sum"));
			same = false;
		}
		if ((c == 0 || c == 1) && !close_to(jnum(x, "stddev"), jnum(y, "stddev"), 1e-12)) {
			diag("%s: %s stddev differs: %.17g %.17g", what, fields[c].name, jnum(x, "stddev"), jnum(y, "stddev"));
			same = false;
		}
	}
	ok(same, "%s: exact statistics equal", what);
}

/* the CSV split into pieces at row starts, each with the header */
static json_t *merged_pieces(const struct text *csv, int pieces, bool via_json)
{
	const char *body = strchr(csv->p, '\n') + 1;
	size_t hlen = (size_t)(body - csv->p);
	struct owlet_agg *total;
	owlet_agg_new(&total, &ds);
	const char *p = body, *end = csv->p + csv->len;
	for (int k = 0; k < pieces; k++) {
		/* the next row start after an even share of the bytes, outside quotes */
		const char *stop = k == pieces - 1 ? end : body + (size_t)(end - body) * (k + 1) / pieces;
		if (stop < p)
			stop = p;
		bool q = false;
		const char *x = p;
		for (; x < end; x++)
			if (*x == '"')
				q = !q;
			else if (*x == '\n' && !q && x + 1 >= stop) {
				x++;
				break;
			}
		struct text piece = { 0 };
		put(&piece, csv->p, hlen);
		put(&piece, p, (size_t)(x - p));
		struct owlet_agg *a;
		owlet_agg_new(&a, &ds);
		owlet_agg_csv_buffer(a, "piece.csv", piece.p, piece.len);
		if (via_json) {
			json_t *pj = owlet_agg_to_partial(a);
			char *s = json_dumps(pj, JSON_COMPACT);
			json_decref(pj);
			json_t *back = json_loads(s, 0, NULL);
			free(s);
			owlet_agg_free(a);
			a = NULL;
			if (owlet_agg_from_partial(&a, &ds, back) < 0)
				diag("from_partial: %s", owlet_error_last());
			json_decref(back);
		}
		if (a)
			owlet_agg_merge(total, a, 0);
		owlet_agg_free(a);
		free(piece.p);
		p = x;
	}
	json_t *j = owlet_agg_to_json(total);
	owlet_agg_free(total);
	return j;
}

static void test_generated(void)
{
	struct text csv = { 0 }, jsonl = { 0 };
	gen(&csv, &jsonl, 20000, false);
	json_t *j = report_csv("gen.csv", csv.p, csv.len);
	check_against_ref(j, "generated csv", 20000);

	struct owlet_agg *a;
	owlet_agg_new(&a, &ds);
	owlet_agg_jsonl_buffer(a, "gen.jsonl", jsonl.p, jsonl.len);
	json_t *jl = owlet_agg_to_json(a);
	owlet_agg_free(a);
	/* JSON lines are one per row: only the line numbers differ */
	is_int(jint(jl, "rows"), 20000, "jsonl: rows");
	bool same = true;
	for (int c = 0; c < NF; c++) {
		json_t *x = col(j, fields[c].name), *y = col(jl, fields[c].name);
		static const char *keys[] = { "count", "nulls", "min", "max", "sum", "min_length", "max_length", "top", "distinct" };
		for (size_t k = 0; k < sizeof keys / sizeof *keys; k++)
			same &= json_equal(json_object_get(x, keys[k]), json_object_get(y, keys[k]));
		same &= jint(json_object_get(x, "invalid"), "count") == jint(json_object_get(y, "invalid"), "count");
	}
	ok(same, "jsonl of the same values gives the same statistics as csv");

	for (int pieces = 2; pieces <= 3; pieces++) {
		json_t *m = merged_pieces(&csv, pieces, false);
		char what[64];
		snprintf(what, sizeof what, "merge of %d pieces", pieces);
		same_exact(m, j, what);
		json_decref(m);
		m = merged_pieces(&csv, pieces, true);
		snprintf(what, sizeof what, "merge of %d partials through json", pieces);
		same_exact(m, j, what);
		json_decref(m);
	}

	struct text crlf = { 0 }, unused = { 0 };
	rng = 777;
	gen(&crlf, &unused, 3000, true);
	json_t *jc = report_csv("crlf.csv", crlf.p, crlf.len);
	check_against_ref(jc, "generated csv with CRLF", 3000);
	json_decref(jc);

	json_decref(j);
	json_decref(jl);
	free(csv.p);
	free(jsonl.p);
	free(crlf.p);
	free(unused.p);
}

/* chunks of one file on threads == one sequential read, even when the
 * boundaries fall inside quoted fields with newlines */
static void test_chunks(void)
{
	char path[] = "/tmp/owlet-agg-test-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	fputs("id,f,s,b,d,ts\n", f);
	for (int i = 0; i < 30000; i++) {
		fprintf(f, "%d,%d.5,\"", i, i % 97);
		for (int k = 0; k < (i % 7) + 1; k++)
			fprintf(f, "line %d\n", k);
		fprintf(f, "\",%s,2024-01-%02d,%s\n", i % 3 ? "true" : "x", 1 + i % 28, i % 11 ? "2024-01-01T00:00:00Z" : "");
		if (i % 5000 == 17)
			fputs("1,2,3\n", f); /* a ragged row */
	}
	fclose(f);
	const char *paths[] = { path };
	struct owlet_agg *one = NULL;
	int rc = owlet_agg_files(&one, &ds, OWLET_FORMAT_CSV, paths, 1, 1);
	ok(rc == 0, "stats of a %s file on one thread", "2 MB");
	json_t *j1 = owlet_agg_to_json(one);
	is_int(jint(j1, "rows"), 30000, "every row read");
	is_int(jint(json_object_get(j1, "bad_rows"), "count"), 6, "the ragged rows are bad rows");
	for (int t = 2; t <= 5; t++) {
		struct owlet_agg *many = NULL;
		rc = owlet_agg_files(&many, &ds, OWLET_FORMAT_CSV, paths, 1, t);
		json_t *jt = owlet_agg_to_json(many);
		char what[64];
		snprintf(what, sizeof what, "%d chunks on threads", t);
		ok(rc == 0, "%s: read", what);
		same_exact(jt, j1, what);
		ok(json_equal(json_object_get(json_object_get(col(jt, "b"), "invalid"), "examples"),
			      json_object_get(json_object_get(col(j1, "b"), "invalid"), "examples")),
		   "%s: the same invalid examples, same line numbers", what);
		json_decref(jt);
		owlet_agg_free(many);
	}
	json_decref(j1);
	owlet_agg_free(one);
	unlink(path);
}

static void test_edges(void)
{
	json_t *j;
	/* all nulls */
	const char *n1 = "id,f,s,b,d,ts\n,,,,,\n,,,,,\n,,,,,\n";
	j = report_csv("nulls.csv", n1, strlen(n1));
	json_t *o = col(j, "f");
	ok(jint(o, "count") == 0 && jint(o, "nulls") == 3 && json_is_null(json_object_get(o, "min")) &&
		   json_is_null(json_object_get(o, "mean")) && json_is_null(json_object_get(o, "quantiles")) &&
		   jint(o, "distinct") == 0,
	   "all nulls: count 0, nulls 3, no min/mean/quantiles, distinct 0");
	ok(json_array_size(json_object_get(col(j, "s"), "top")) == 0, "all nulls: no top values");
	json_decref(j);

	/* one row */
	const char *o1 = "id,f,s,b,d,ts\n5,2.5,a,true,2024-01-01,2024-01-01T10:00:00Z\n";
	j = report_csv("one.csv", o1, strlen(o1));
	o = col(j, "id");
	ok(jint(o, "min") == 5 && jint(o, "max") == 5 && jint(o, "sum") == 5 && jnum(o, "mean") == 5.0 &&
		   json_is_null(json_object_get(o, "stddev")) && jint(o, "distinct") == 1 &&
		   jint(json_object_get(o, "quantiles"), "p50") == 5,
	   "one row: min = max = sum = mean = p50 = 5, no stddev, distinct 1");
	json_decref(j);

	/* huge, negative, NaN, inf */
	const char *f1 = "id,f\n1,1e308\n2,1e308\n3,-1e308\n4,nan\n5,-2.5\n";
	j = report_csv("huge.csv", f1, strlen(f1));
	o = col(j, "f");
	ok(jnum(o, "max") == 1e308 && jnum(o, "min") == -1e308, "huge: min -1e308, max 1e308");
	is_str(jstr(o, "sum"), "Infinity", "huge: a float sum beyond the double range is \"Infinity\", not NaN");
	is_int(jint(json_object_get(o, "invalid"), "count"), 1, "NaN is invalid");
	json_decref(j);
	const char *f2 = "id,f\n1,inf\n2,-3\n";
	j = report_csv("inf.csv", f2, strlen(f2));
	o = col(j, "f");
	ok(jstr(o, "max") && strcmp(jstr(o, "max"), "Infinity") == 0 && jnum(o, "min") == -3 &&
		   strcmp(jstr(o, "sum"), "Infinity") == 0 && json_is_null(json_object_get(o, "stddev")),
	   "inf: max and sum \"Infinity\", stddev null");
	json_decref(j);
	const char *f3 = "id,f\n1,inf\n2,-inf\n";
	j = report_csv("infs.csv", f3, strlen(f3));
	is_str(jstr(col(j, "f"), "sum"), "NaN", "inf + -inf: sum \"NaN\"");
	json_decref(j);

	/* int64 limits */
	const char *i1 = "id\n9223372036854775807\n9223372036854775807\n-9223372036854775808\n9223372036854775808\n";
	j = report_csv("limits.csv", i1, strlen(i1));
	o = col(j, "id");
	ok(jint(o, "max") == INT64_MAX && jint(o, "min") == INT64_MIN, "int64 limits: min and max exact");
	ok(json_is_integer(json_object_get(o, "sum")) && jint(o, "sum") == INT64_MAX - 1,
	   "int64 limits: the sum (max + max + min = max - 1) is exact, no overflow");
	is_int(jint(json_object_get(o, "invalid"), "count"), 1, "2^63 is invalid (overflow)");
	json_decref(j);
	const char *i2 = "id\n9223372036854775807\n9223372036854775807\n";
	j = report_csv("big.csv", i2, strlen(i2));
	ok(close_to(jnum(col(j, "id"), "sum"), 2.0 * 9223372036854775807.0, 1e-15),
	   "a sum beyond int64 is given as a number, not wrapped");
	json_decref(j);

	/* ragged rows */
	const char *r1 = "id,f,s\n1,2,a\n1,2\n1,2,a,extra\n3,4,b\n";
	j = report_csv("ragged.csv", r1, strlen(r1));
	json_t *bad = json_object_get(j, "bad_rows");
	ok(jint(j, "rows") == 2 && jint(bad, "count") == 2, "ragged: 2 rows, 2 bad rows");
	json_t *e0 = json_array_get(json_object_get(bad, "examples"), 0), *e1 = json_array_get(json_object_get(bad, "examples"), 1);
	ok(jint(e0, "line") == 3 && jint(e0, "fields") == 2 && jint(e1, "line") == 4 && jint(e1, "fields") == 4 &&
		   strcmp(jstr(e0, "file"), "ragged.csv") == 0,
	   "ragged: bad rows at ragged.csv lines 3 (2 fields) and 4 (4 fields)");
	ok(jint(col(j, "d"), "nulls") == 2, "a field missing from the header is null in every row");
	json_decref(j);

	/* quotes and newlines */
	const char *q1 = "s,id\n\"a,b\",1\n\"say \"\"hi\"\"\nand\r\nbye\",2\n\"\"\"\",3\n\"x\"y,4\nplain,zz\n";
	j = report_csv("quotes.csv", q1, strlen(q1));
	o = col(j, "s");
	ok(jint(j, "rows") == 5 && jint(o, "count") == 5, "quotes: 5 rows");
	json_t *top = json_object_get(o, "top");
	bool seen_hi = false, seen_q = false, seen_xy = false;
	for (size_t i = 0; i < json_array_size(top); i++) {
		const char *v = jstr(json_array_get(top, i), "value");
		seen_hi |= strcmp(v, "say \"hi\"\nand\r\nbye") == 0;
		seen_q |= strcmp(v, "\"") == 0;
		seen_xy |= strcmp(v, "xy") == 0;
	}
	ok(seen_hi && seen_q && seen_xy, "quotes: escaped quotes, embedded CRLF and text after a closing quote");
	json_t *ex = json_array_get(json_object_get(json_object_get(col(j, "id"), "invalid"), "examples"), 0);
	is_int(jint(ex, "line"), 8, "quotes: line numbers count the newlines inside quoted fields");
	json_decref(j);
	const char *q2 = "id,s\n1,\"never closed\n2,x\n";
	j = report_csv("open.csv", q2, strlen(q2));
	ok(jint(j, "rows") == 0 && jint(json_object_get(j, "bad_rows"), "count") == 1,
	   "a quoted field open at the end is a bad row, not a crash");
	json_decref(j);

	/* BOM, CRLF, blanks */
	const char *b1 = "\xEF\xBB\xBFid,s\r\n1,ab\r\n\r\n2,cd\r\n3,e";
	j = report_csv("bom.csv", b1, strlen(b1));
	ok(jint(j, "rows") == 3 && jint(col(j, "id"), "count") == 3 && jint(col(j, "id"), "sum") == 6,
	   "BOM: the first column is matched; empty lines skipped; no final newline needed");
	ok(jint(col(j, "s"), "max_length") == 2 && jint(col(j, "s"), "min_length") == 1, "CRLF: no CR in the values");
	json_decref(j);
	const char *h1 = " ID , Unknown,S\n1,zz,a\n";
	j = report_csv("hdr.csv", h1, strlen(h1));
	ok(jint(col(j, "id"), "count") == 1 && jint(col(j, "s"), "count") == 1,
	   "header names match case-insensitively, blanks trimmed; unknown columns ignored");
	json_decref(j);

	/* JSON Lines edge cases */
	const char *l1 = "{\"id\": 1, \"s\": \"\\u00e9\\ud83d\\ude00\", \"nested\": {\"a\": [1, {\"b\": \"}\"}]}}\n"
			 "{\"id\": [1, 2], \"f\": 1e3}\n"
			 "not json\n"
			 "\n"
			 "{\"id\": 3, \"b\": true}\r\n"
			 "{\"id\": 5,}\n"
			 "{}";
	struct owlet_agg *a;
	owlet_agg_new(&a, &ds);
	owlet_agg_jsonl_buffer(a, "l.jsonl", l1, strlen(l1));
	j = owlet_agg_to_json(a);
	owlet_agg_free(a);
	o = col(j, "id");
	ok(jint(j, "rows") == 4 && jint(json_object_get(j, "bad_rows"), "count") == 2, "jsonl: 4 rows, 2 bad lines");
	ok(jint(o, "count") == 2 && jint(o, "sum") == 4 && jint(json_object_get(o, "invalid"), "count") == 1,
	   "jsonl: a nested value is invalid");
	is_int(jint(col(j, "s"), "max_length"), 2, "jsonl: \\u escapes and surrogate pairs decode to UTF-8");
	is_int(jnum(col(j, "f"), "sum"), 1000, "jsonl: numbers are parsed by the column's type");
	bad = json_object_get(j, "bad_rows");
	ok(jint(json_array_get(json_object_get(bad, "examples"), 0), "line") == 3 &&
		   jint(json_array_get(json_object_get(bad, "examples"), 1), "line") == 6,
	   "jsonl: bad lines 3 and 6");
	json_decref(j);
}

/* The CSV reader's two-pass fast path hands irregular records (a quote
 * inside an unquoted field, text after a closing quote, ragged rows, empty
 * lines, records cut by its 32 KiB window) to the record-at-a-time reader:
 * both must give the very same report, here on 600 KB of such input. */
static void test_fast_path(void)
{
	static const char *rows[] = {
		"1,2.5,plain,true,2024-01-02,2024-01-02T03:04:05Z\n",
		"2,,\"a,b\",false,,\n",
		"3,1e3,\"say \"\"hi\"\"\",,2024-02-29,\n",
		"4,-0.5,ab\"c,true,,\n",                       /* a quote inside an unquoted field */
		"5,7,\"x\"y,true,,\n",                         /* text after the closing quote */
		"6,8,\"x\" \"y\",false,,\n",                   /* ... with a quote in it */
		"7,9,\"multi\nline\r\nvalue\",true,,\n",       /* newlines inside quotes */
		"\n",                                          /* an empty line */
		"\"\"\n",                                      /* one empty quoted field: a bad row */
		"8,1,too,many,fields,here,now\n",              /* ragged */
		"9,2\r\n",                                     /* ragged, CRLF */
		"10,3.25,\"crlf\"\r\n",
		"11,4,s,true,2024-03-01,2024-03-01T00:00:00+01:00\r\n",
		"12,5,\"\",,,\n",                              /* "" is null */
		"13,6,\"tail\"\r,true,,\n",                    /* a CR in a tail, not at the end */
		"14,6,x,\"true\",,\n",
	};
	struct text t = { 0 };
	puts_(&t, "id,f,s,b,d,ts\n");
	rng = 99;
	while (t.len < 600000) {
		const char *r = rows[rnd(sizeof rows / sizeof *rows)];
		if (rnd(1000) == 0) { /* a long record, so that some cross the 32 KiB window */
			puts_(&t, "15,1,\"");
			for (int i = rnd(40000); i > 0; i--)
				put(&t, i % 97 == 0 ? "\n" : "z", 1);
			puts_(&t, "\",true,,\n");
		} else
			puts_(&t, r);
	}
	json_t *fast = report_csv("fast.csv", t.p, t.len);
	agg_csv_path = AGG_CSV_FAST_PORTABLE;
	json_t *portable = report_csv("fast.csv", t.p, t.len);
	agg_csv_path = AGG_CSV_RECORDS;
	json_t *slow = report_csv("fast.csv", t.p, t.len);
	agg_csv_path = AGG_CSV_FAST;
	ok(fast && portable && slow && json_integer_value(json_object_get(fast, "rows")) > 5000,
	   "irregular csv: read three ways (%lld rows)", fast ? jint(fast, "rows") : -1);
	ok(fast && slow && json_equal(fast, slow),
	   "irregular csv: the fast path reports exactly what the record-at-a-time reader does");
	ok(portable && slow && json_equal(portable, slow),
	   "irregular csv: so does the fast path with its portable pass 1 (the one for CPUs without AVX2)");
	json_decref(fast);
	json_decref(portable);
	json_decref(slow);
	free(t.p);
}

/* Inputs whose every row would come out wrong (all nulls, or one record
 * for the whole file) are refused with a message, not counted; so is a JSON
 * Lines object that gives a field twice (the API refuses it too), on every
 * CSV path. */
static int refuse(bool csv, const char *buf, size_t len, const char *want, const char *what)
{
	struct owlet_agg *a;
	if (owlet_agg_new(&a, &ds) < 0)
		return ok(0, "%s: owlet_agg_new", what);
	int rc = csv ? owlet_agg_csv_buffer(a, "in", buf, len) : owlet_agg_jsonl_buffer(a, "in", buf, len);
	owlet_agg_free(a);
	if (!ok(rc == OWLET_EINVALID, "%s: refused", what))
		return 0;
	return like(owlet_error_last(), want, "%s: the message says why", what);
}

static void test_refused(void)
{
	static const char u16[] = "\xFF\xFEi\0d\0\n\0001\0\n\0";
	static const char u16_nobom[] = "i\0d\0,\0s\0\n\0001\0,\0x\0\n\0";
	for (enum agg_csv_path path = AGG_CSV_FAST; path <= AGG_CSV_RECORDS; path++) {
		agg_csv_path = path;
		diag("CSV path %d", (int)path);
		const char *cr = "id,s\r1,a\r2,b\r";
		refuse(true, cr, strlen(cr), "'in': the header holds a carriage return: are the line ends CR alone?",
		       "CSV with CR-only line ends");
		const char *unk = "x,y\n1,2\n3,4\n";
		refuse(true, unk, strlen(unk), "'in': the header names no field of dataset 't'",
		       "CSV whose header names only unknown columns");
		const char *empty = "\n1,2\n";
		refuse(true, empty, strlen(empty), "the header names no field", "CSV whose header line is empty");
		refuse(true, u16, sizeof u16 - 1, "'in' is UTF-16", "UTF-16 CSV with a byte order mark");
		refuse(true, u16_nobom, sizeof u16_nobom - 1, "the header names no field", "UTF-16 CSV without one");
		const char *crlf = "id,s\r\n1,a\r\n";
		json_t *j = report_csv("crlf.csv", crlf, strlen(crlf));
		ok(j && jint(j, "rows") == 1, "CSV with CRLF line ends: read as before");
		json_decref(j);
	}
	agg_csv_path = AGG_CSV_FAST;
	/* one record longer than the buffer may grow: the header of a CR-only file */
	size_t n = (OWLET_AGG_MAX_RECORD / 4 + 25) * 4;
	char *big = malloc(n);
	if (big) {
		for (size_t i = 0; i < n; i += 4)
			memcpy(big + i, i ? "\r1,a" : "id,s", 4);
		refuse(true, big, n, "the header is longer than", "CSV, CR-only, longer than a record may be");
		free(big);
	}
	const char *dup = "{\"id\": 1}\n{\"id\": 3, \"s\": \"x\", \"id\": 4}\n";
	refuse(false, dup, strlen(dup), "'in': line 2 gives field 'id' twice", "JSON Lines: a field given twice");
	const char *dupnull = "{\"id\": null, \"id\": 4}\n";
	refuse(false, dupnull, strlen(dupnull), "line 1 gives field 'id' twice", "JSON Lines: a field given twice, once null");
	const char *arr = "\n[{\"id\": 1},\n {\"id\": 2}]\n";
	refuse(false, arr, strlen(arr), "'in' holds a JSON array (line 2 starts with '[')", "a JSON array as JSON Lines");
	const char *later = "{\"id\": 1}\n[1]\n";
	struct owlet_agg *a;
	if (owlet_agg_new(&a, &ds) == 0) {
		ok(owlet_agg_jsonl_buffer(a, "in", later, strlen(later)) == 0 && owlet_agg_rows(a) == 1,
		   "JSON Lines: a later line that is an array is a bad row, as before");
		owlet_agg_free(a);
	}
}

int main(void)
{
	test_generated();
	test_edges();
	test_chunks();
	test_fast_path();
	test_refused();
	return done_testing();
}
