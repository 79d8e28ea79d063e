/*
 * upload_trigger.c: the S3 trigger on incoming/ (see upload.h): each new
 * file read in bounded ranges and checked against the model row by row.
 */
#include "upload.h"
#include "upload_internal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/s3.h"
#include "aws/s3_post.h"
#include "base/clock.h"
#include "base/error.h"
#include "base/random.h"
#include "lambda/records.h"
#include "post.h"
#include "meta.h"

/* The limits (docs/uploads.md). */
#define CHUNK_BYTES (1024 * 1024)               /* one ranged GET */
#define MAX_ROW_BYTES 65536                     /* a longer row is rejected */
#define BATCH_ROWS 5000                         /* rows stored per object (a dataset without key) */
#define BATCH_KEYED_ROWS 500                    /* with a key: one conditional PUT per row */
#define REJECTS_LISTED 10000                    /* rows listed in the rejects object; the rest counted */
#define PROBLEMS_KEPT 20                        /* in the upload's record */
#define ROW_TEXT_KEPT 1000                      /* bytes of a rejected row quoted in the rejects object */
#define TIME_MARGIN_MS 1500                     /* stop and record "failed" this long before the deadline */
#define LEASE_MARGIN_S 5                        /* a claim's lease: the invocation's deadline and this */
#define LEASE_NO_DEADLINE_S 900                 /* without a deadline: Lambda's longest timeout */

/* ---- the trigger ------------------------------------------------------------------------ */

struct job {
	struct lambda_ctx *ctx;
	const struct owlet_dataset *ds;
	const char *id;
	bool csv;
	/* CSV: the header's fields, in file order (indexes into ds->fields) */
	size_t *columns;
	size_t n_columns;
	bool header_done;
	/* the batch being gathered */
	json_t *rows;
	long *lines;
	size_t batch;
	int n_batches;
	long long accepted, rejected;
	/* the rejects object and the first problems */
	FILE *rej;
	char *rej_text;
	size_t rej_len;
	json_t *problems;
	char fatal[400]; /* a reason to reject the whole file */
};

/* A rejected row: its line, its problems ([{field?, message}]: stolen) and its text. */
static int reject(struct job *j, long line, json_t *errs, const char *text, size_t len)
{
	j->rejected++;
	for (size_t i = 0; i < json_array_size(errs) && json_array_size(j->problems) < PROBLEMS_KEPT; i++) {
		json_t *p = json_deep_copy(json_array_get(errs, i));
		if (p && json_object_set_new(p, "line", json_integer(line)) == 0)
			json_array_append_new(j->problems, p);
		else
			json_decref(p);
	}
	if (j->rejected <= REJECTS_LISTED) {
		json_t *o = json_pack("{s:I, s:O, s:s%}", "line", (json_int_t)line, "errors", errs, "row", text ? text : "",
				      len > ROW_TEXT_KEPT ? (size_t)ROW_TEXT_KEPT : len);
		if (!o && text) /* not UTF-8: leave the text out */
			o = json_pack("{s:I, s:O}", "line", (json_int_t)line, "errors", errs);
		if (o) {
			json_dumpf(o, j->rej, JSON_COMPACT);
			fputc('\n', j->rej);
		}
		json_decref(o);
	}
	json_decref(errs);
	return 0;
}

static int reject_msg(struct job *j, long line, const char *field, const char *msg, const char *text, size_t len)
{
	json_t *e = field ? json_pack("[{s:s, s:s}]", "field", field, "message", msg) : json_pack("[{s:s}]", "message", msg);
	return e ? reject(j, line, e, text, len) : owlet_error_setc(OWLET_ENOMEM, "out of memory");
}

/* Stores the gathered batch; rows the store refuses for their key are rejected. */
static int flush(struct job *j)
{
	size_t n = json_array_size(j->rows);
	if (n == 0)
		return 0;
	signed char *verdict = calloc(n, 1);
	size_t *first_of = calloc(n, sizeof *first_of);
	char stem[64];
	snprintf(stem, sizeof stem, "%s-b%04d", j->id, j->n_batches++);
	int rc = verdict && first_of ? lambda_store_rows(j->ctx, j->ds, j->rows, stem, time(NULL), verdict, first_of)
				     : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	for (size_t i = 0; rc == 0 && i < n; i++) {
		char msg[400];
		char *kv = json_dumps(json_object_get(json_array_get(j->rows, i), j->ds->key ? j->ds->key : ""),
				      JSON_ENCODE_ANY | JSON_COMPACT);
		if (verdict[i] == 1)
			snprintf(msg, sizeof msg, "key %s = %.200s appears again: line %ld has it", j->ds->key,
				 kv ? kv : "?", j->lines[first_of[i]]);
		else if (verdict[i] == 2)
			snprintf(msg, sizeof msg, "dataset '%s' already has a record with key %s = %.200s", j->ds->name,
				 j->ds->key, kv ? kv : "?");
		free(kv);
		if (verdict[i] == 0) {
			j->accepted++;
			continue;
		}
		char *text = json_dumps(json_array_get(j->rows, i), JSON_COMPACT);
		rc = reject_msg(j, j->lines[i], j->ds->key, msg, text, text ? strlen(text) : 0);
		free(text);
	}
	free(verdict);
	free(first_of);
	json_array_clear(j->rows);
	j->batch = 0;
	return rc;
}

/* One CSV record into cells (RFC 4180: quotes, "" inside them): *cells
 * (json strings; null for an empty unquoted cell); OWLET_EINVALID with a
 * message for a stray quote. */
static int csv_cells(json_t **cells, const char *s, size_t len, char *why, size_t why_size)
{
	*cells = json_array();
	char *cell = malloc(len + 1);
	if (!*cells || !cell) {
		free(cell);
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	size_t i = 0;
	for (;;) {
		size_t n = 0;
		bool quoted = false;
		if (i < len && s[i] == '"') {
			quoted = true;
			i++;
			for (;;) {
				if (i >= len) {
					snprintf(why, why_size, "a quoted field is not closed");
					free(cell);
					return OWLET_EINVALID;
				}
				if (s[i] == '"' && i + 1 < len && s[i + 1] == '"') {
					cell[n++] = '"';
					i += 2;
				} else if (s[i] == '"') {
					i++;
					break;
				} else {
					cell[n++] = s[i++];
				}
			}
			if (i < len && s[i] != ',') {
				snprintf(why, why_size, "a quoted field is followed by '%c' instead of a comma", s[i]);
				free(cell);
				return OWLET_EINVALID;
			}
		} else {
			while (i < len && s[i] != ',') {
				if (s[i] == '"') {
					snprintf(why, why_size, "a quote inside an unquoted field");
					free(cell);
					return OWLET_EINVALID;
				}
				cell[n++] = s[i++];
			}
		}
		json_t *v = !quoted && n == 0 ? json_null() : json_stringn_nocheck(cell, n);
		json_array_append_new(*cells, v);
		if (i >= len)
			break;
		i++; /* the comma */
	}
	free(cell);
	return 0;
}

/* A CSV cell as the JSON value of its field's type (a cell that does not
 * parse stays a string, so that validation says what is wrong). */
static json_t *typed(const struct owlet_field *f, const json_t *cell)
{
	if (json_is_null(cell))
		return json_null();
	const char *s = json_string_value(cell);
	size_t n = json_string_length(cell);
	char *end;
	errno = 0;
	if (f->type == OWLET_TYPE_INT && n > 0 && !isspace((unsigned char)s[0])) {
		long long v = strtoll(s, &end, 10);
		if (*end == '\0' && errno == 0)
			return json_integer(v);
	} else if (f->type == OWLET_TYPE_FLOAT && n > 0 && !isspace((unsigned char)s[0])) {
		double v = strtod(s, &end);
		if (*end == '\0' && errno == 0 && isfinite(v))
			return json_real(v);
	} else if (f->type == OWLET_TYPE_BOOL) {
		if (strcmp(s, "true") == 0)
			return json_true();
		if (strcmp(s, "false") == 0)
			return json_false();
	} else if (f->type != OWLET_TYPE_STRING && n == 0) {
		return json_null();
	}
	return json_incref((json_t *)cell);
}

static int header(struct job *j, const char *s, size_t len)
{
	json_t *cells = NULL;
	char why[200];
	int rc = csv_cells(&cells, s, len, why, sizeof why);
	if (rc == OWLET_EINVALID) {
		snprintf(j->fatal, sizeof j->fatal, "the header row is not CSV: %s", why);
		json_decref(cells);
		return 0;
	}
	if (rc < 0)
		return rc;
	size_t n = json_array_size(cells);
	j->columns = calloc(n ? n : 1, sizeof *j->columns);
	bool *seen = calloc(j->ds->n_fields ? j->ds->n_fields : 1, sizeof *seen);
	if (!j->columns || !seen) {
		free(seen);
		json_decref(cells);
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	for (size_t c = 0; c < n && !j->fatal[0]; c++) {
		const char *name = json_string_value(json_array_get(cells, c));
		size_t k = 0;
		while (name && k < j->ds->n_fields && strcmp(j->ds->fields[k].name, name) != 0)
			k++;
		if (!name || k == j->ds->n_fields)
			snprintf(j->fatal, sizeof j->fatal, "the header names column %zu '%.100s', which dataset '%s' does not have",
				 c + 1, name ? name : "", j->ds->name);
		else if (seen[k])
			snprintf(j->fatal, sizeof j->fatal, "the header names '%s' twice", name);
		else {
			seen[k] = true;
			j->columns[c] = k;
		}
	}
	for (size_t k = 0; k < j->ds->n_fields && !j->fatal[0]; k++)
		if (j->ds->fields[k].required && !seen[k])
			snprintf(j->fatal, sizeof j->fatal, "the header lacks the required field '%s'", j->ds->fields[k].name);
	j->n_columns = n;
	j->header_done = true;
	free(seen);
	json_decref(cells);
	return 0;
}

/* One record of the file (its first line `line`): checked, then gathered
 * for the batch or rejected. */
static int row(struct job *j, long line, const char *s, size_t len)
{
	size_t blank = 0;
	while (blank < len && (s[blank] == ' ' || s[blank] == '\t' || s[blank] == '\r'))
		blank++;
	if (blank == len)
		return 0; /* blank lines are no rows */
	if (len > 0 && s[len - 1] == '\r')
		len--;
	if (j->csv && !j->header_done)
		return header(j, s, len);
	json_t *obj = NULL;
	char why[300];
	if (j->csv) {
		json_t *cells = NULL;
		int rc = csv_cells(&cells, s, len, why, sizeof why);
		if (rc == OWLET_EINVALID) {
			json_decref(cells);
			return reject_msg(j, line, NULL, why, s, len);
		}
		if (rc < 0)
			return rc;
		if (json_array_size(cells) != j->n_columns) {
			snprintf(why, sizeof why, "the row has %zu fields; the header has %zu", json_array_size(cells),
				 j->n_columns);
			json_decref(cells);
			return reject_msg(j, line, NULL, why, s, len);
		}
		obj = json_object();
		for (size_t c = 0; obj && c < j->n_columns; c++) {
			const struct owlet_field *f = &j->ds->fields[j->columns[c]];
			json_t *v = typed(f, json_array_get(cells, c));
			if (v && !json_is_null(v))
				json_object_set_new(obj, f->name, v);
			else
				json_decref(v);
		}
		json_decref(cells);
	} else {
		json_error_t jerr;
		obj = json_loadb(s, len, JSON_REJECT_DUPLICATES, &jerr);
		if (!json_is_object(obj)) {
			snprintf(why, sizeof why, obj ? "the line is not a JSON object" : "the line is not JSON: column %d: %s",
				 jerr.column, jerr.text);
			json_decref(obj);
			return reject_msg(j, line, NULL, why, s, len);
		}
	}
	if (!obj)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	struct owlet_record_problems pr = { 0 };
	int n = owlet_records_validate(&pr, j->ds, obj);
	if (n == OWLET_EINVALID) {
		json_t *errs = owlet_record_problems_to_json(&pr);
		for (size_t i = 0; i < json_array_size(errs); i++)
			json_object_del(json_array_get(errs, i), "record");
		owlet_record_problems_clear(&pr);
		json_decref(obj);
		return errs ? reject(j, line, errs, s, len) : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	owlet_record_problems_clear(&pr);
	if (n < 0) {
		json_decref(obj);
		return n;
	}
	const char *missing = NULL;
	const char *need[] = { j->ds->partition_by, j->ds->key };
	for (size_t i = 0; i < 2 && !missing; i++) {
		const json_t *v = need[i] ? json_object_get(obj, need[i]) : NULL;
		if (need[i] && (!v || json_is_null(v)))
			missing = need[i];
	}
	if (missing) {
		snprintf(why, sizeof why, "no value for the %s field '%s'",
			 j->ds->partition_by && strcmp(missing, j->ds->partition_by) == 0 ? "partition" : "key", missing);
		json_decref(obj);
		return reject_msg(j, line, missing, why, s, len);
	}
	json_array_append_new(j->rows, obj);
	j->lines[j->batch++] = line;
	return j->batch >= (j->ds->key ? BATCH_KEYED_ROWS : BATCH_ROWS) ? flush(j) : 0;
}

/* Reads the file in ranged GETs and splits it into records (CSV: at line
 * ends outside quotes; JSON Lines: at every line end); a record longer than
 * MAX_ROW_BYTES is rejected without being kept.  Stops early with *late
 * when the deadline comes near (*line_at: where). */
static int read_file(struct job *j, const char *key, long long size, bool *late, long *line_at)
{
	char *rec = malloc(MAX_ROW_BYTES + 1);
	if (!rec)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	size_t n = 0;
	bool quoted = false, too_long = false, first = true;
	long line = 1, start = 1;
	int rc = 0;
	for (long long off = 0; rc == 0 && off < size && !j->fatal[0];) {
		if (j->ctx->deadline_ms && owlet_clock_wall_ms() > j->ctx->deadline_ms - TIME_MARGIN_MS) {
			*late = true;
			*line_at = line;
			break;
		}
		char *chunk = NULL;
		size_t len = 0;
		rc = owlet_s3_get_range(j->ctx->s3, &chunk, &len, j->ctx->bucket, key, off, CHUNK_BYTES);
		if (rc < 0)
			break;
		if (len == 0) {
			free(chunk);
			break;
		}
		size_t i = 0;
		if (first && len >= 3 && memcmp(chunk, "\xef\xbb\xbf", 3) == 0)
			i = 3; /* a UTF-8 byte order mark */
		first = false;
		for (; rc == 0 && i < len && !j->fatal[0]; i++) {
			char c = chunk[i];
			if (j->csv && c == '"')
				quoted = !quoted;
			if (c == '\n' && !quoted) {
				if (too_long)
					rc = reject_msg(j, start, NULL, "the row is longer than 65536 bytes", NULL, 0);
				else
					rc = row(j, start, rec, n);
				n = 0;
				too_long = false;
				start = ++line;
				continue;
			}
			if (c == '\n')
				line++;
			if (n < MAX_ROW_BYTES)
				rec[n++] = c;
			else
				too_long = true;
		}
		off += (long long)len;
		free(chunk);
	}
	if (rc == 0 && !*late && !j->fatal[0]) {
		if (too_long)
			rc = reject_msg(j, start, NULL, "the row is longer than 65536 bytes", NULL, 0);
		else if (quoted && n)
			rc = reject_msg(j, start, NULL, "a quoted field is not closed at the end of the file", rec, n);
		else if (n)
			rc = row(j, start, rec, n);
	}
	free(rec);
	return rc;
}

/* Processes incoming/NAME/ID.EXT; 1 when it is not a pending upload (skipped). */
static int process(struct lambda_ctx *ctx, const char *key)
{
	char name[128], id[64], ext[16], rkey[256], etag[128];
	const char *p = key + strlen("incoming/"), *slash = strchr(p, '/');
	const char *dot = slash ? strrchr(slash, '.') : NULL;
	if (!slash || !dot || (size_t)(slash - p) >= sizeof name || (size_t)(dot - slash - 1) >= sizeof id ||
	    strlen(dot + 1) >= sizeof ext) {
		fprintf(stderr, "owlet-lambda: incoming key is no upload; skipped\n");
		return 1;
	}
	snprintf(name, sizeof name, "%.*s", (int)(slash - p), p);
	snprintf(id, sizeof id, "%.*s", (int)(dot - slash - 1), slash + 1);
	snprintf(ext, sizeof ext, "%s", dot + 1);
	const struct owlet_dataset *ds = owlet_model_dataset(ctx->model, name);
	if (!ds || ds->n_write == 0 || !upload_id_valid(id)) {
		fprintf(stderr, "owlet-lambda: incoming key of no upload of a writable dataset; skipped\n");
		return 1;
	}
	upload_record_key(rkey, sizeof rkey, ds, id);
	json_t *rec = NULL;
	int rc = upload_read_record(ctx, &rec, rkey, etag);
	if (rc == OWLET_ENOTFOUND || rc == OWLET_EINVALID) {
		fprintf(stderr, "owlet-lambda: %s: no upload record; skipped\n", rkey);
		return 1;
	}
	if (rc < 0)
		return rc;
	const char *status = json_string_value(json_object_get(rec, "status"));
	const char *want_key = json_string_value(json_object_get(rec, "key"));
	long long now = (long long)time(NULL);
	/* a record left `processing` by a function that died (a crash, a kill at
	 * its timeout) is taken over once its lease has run out */
	const json_t *held = json_object_get(rec, "lease_until"); /* none: a record of an older function, kept */
	bool expired = status && strcmp(status, "processing") == 0 && json_is_integer(held) &&
		       json_integer_value(held) < now;
	if (!status || (strcmp(status, "pending") != 0 && !expired) || !want_key || strcmp(want_key, key) != 0) {
		fprintf(stderr, "owlet-lambda: upload %s is %s; skipped\n", id, status ? status : "?");
		json_decref(rec);
		return 1;
	}
	/* claim it: of two deliveries of the event, one processes the file; the
	 * lease lasts this invocation (Lambda ends it at its deadline) and a
	 * margin for clock skew */
	char started[32];
	upload_iso_now(started);
	long long lease = ctx->deadline_ms ? ctx->deadline_ms / 1000 + LEASE_MARGIN_S : now + LEASE_NO_DEADLINE_S;
	if (expired) {
		fprintf(stderr, "owlet-lambda: upload %s: taking over from a function whose lease ran out\n", id);
		json_object_set_new(rec, "attempts", json_integer(json_integer_value(json_object_get(rec, "attempts")) + 1));
	}
	json_object_set_new(rec, "status", json_string("processing"));
	json_object_set_new(rec, "started", json_string(started));
	json_object_set_new(rec, "lease_until", json_integer(lease));
	rc = upload_write_record(ctx, rkey, rec, etag);
	if (rc != 0) {
		json_decref(rec);
		return rc == 1 ? 1 : rc;
	}
	long long size = 0;
	rc = owlet_s3_head(ctx->s3, &size, ctx->bucket, key);
	struct job j = { .ctx = ctx, .ds = ds, .id = id, .csv = strcmp(ext, "csv") == 0 };
	j.rows = json_array();
	j.lines = calloc(BATCH_ROWS, sizeof *j.lines);
	j.problems = json_array();
	j.rej = open_memstream(&j.rej_text, &j.rej_len);
	if (rc == 0 && (!j.rows || !j.lines || !j.problems || !j.rej))
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
	bool late = false;
	long line_at = 0;
	int64_t t0 = owlet_clock_wall_ms();
	if (rc == 0)
		rc = read_file(&j, key, size, &late, &line_at);
	if (rc == 0 && !late && !j.fatal[0])
		rc = flush(&j);
	if (rc == 0 && j.csv && !j.header_done && !j.fatal[0])
		snprintf(j.fatal, sizeof j.fatal, "the file is empty: a CSV upload starts with a header row");
	if (j.fatal[0]) { /* the whole file is rejected: nothing was stored (the header comes first) */
		reject_msg(&j, 1, NULL, j.fatal, NULL, 0);
	}
	if (j.rej)
		fclose(j.rej);
	j.rej = NULL;
	char rejects_key[256];
	snprintf(rejects_key, sizeof rejects_key, "rejects/%s/%s.jsonl", ds->name, id);
	if (rc == 0 && j.rejected > 0)
		rc = owlet_s3_put(ctx->s3, ctx->bucket, rejects_key, j.rej_text ? j.rej_text : "", j.rej_len,
				  "application/x-ndjson");
	char finished[32], msg[400] = "";
	upload_iso_now(finished);
	const char *outcome = j.rejected == 0 ? "done" : j.accepted > 0 ? "partly_rejected" : "rejected";
	if (j.fatal[0])
		snprintf(msg, sizeof msg, "%s", j.fatal);
	else if (j.accepted == 0 && j.rejected == 0) {
		outcome = "rejected";
		snprintf(msg, sizeof msg, "the file has no rows");
	}
	if (late) {
		outcome = "failed";
		snprintf(msg, sizeof msg,
			 "the function ran out of time at line %ld (timeout_s of the environment): the rows counted as "
			 "accepted are stored; send the rest in a smaller file", line_at);
	}
	if (rc < 0) {
		outcome = "failed";
		snprintf(msg, sizeof msg, "%.380s", owlet_error_last());
	}
	double secs = (double)(owlet_clock_wall_ms() - t0) / 1000.0;
	json_object_set_new(rec, "status", json_string(outcome));
	json_object_set_new(rec, "accepted", json_integer(j.accepted));
	json_object_set_new(rec, "rejected", json_integer(j.rejected));
	json_object_set_new(rec, "bytes", json_integer(size));
	json_object_set_new(rec, "seconds", json_real(secs));
	json_object_set_new(rec, "problems", j.problems ? json_incref(j.problems) : json_array());
	if (j.rejected > 0)
		json_object_set_new(rec, "rejects_key", json_string(rejects_key));
	if (msg[0])
		json_object_set_new(rec, "message", json_string(msg));
	json_object_set_new(rec, "finished", json_string(finished));
	json_object_del(rec, "lease_until");
	int wrc = upload_write_record(ctx, rkey, rec, NULL);
	upload_meta_history(ctx, ds, id, rec);
	fprintf(stderr, "owlet-lambda: upload %s of %s: %s, %lld accepted, %lld rejected, %lld bytes in %.3f s\n", id,
		ds->name, outcome, j.accepted, j.rejected, size, secs);
	json_decref(rec);
	json_decref(j.rows);
	json_decref(j.problems);
	free(j.lines);
	free(j.columns);
	free(j.rej_text);
	return rc < 0 ? 0 : wrc; /* a failure is recorded in the upload; a retry would find it not pending */
}

int lambda_upload_is_incoming(const json_t *record)
{
	const char *key = json_string_value(
		json_object_get(json_object_get(json_object_get(record, "s3"), "object"), "key"));
	return key && strncmp(key, "incoming/", 9) == 0;
}

int lambda_upload_s3_event(struct lambda_ctx *ctx, size_t *processed, size_t *skipped, const json_t *records)
{
	*processed = *skipped = 0;
	if (!ctx->s3)
		return owlet_error_setc(OWLET_EUSAGE, "the function has no data bucket (OWLET_DATA_BUCKET)");
	int first = 0;
	size_t i;
	const json_t *r;
	json_array_foreach(records, i, r) {
		if (!lambda_upload_is_incoming(r))
			continue;
		const json_t *s3 = json_object_get(r, "s3");
		const char *bucket = json_string_value(json_object_get(json_object_get(s3, "bucket"), "name"));
		const char *enc = json_string_value(json_object_get(json_object_get(s3, "object"), "key"));
		char *key = NULL;
		if (!bucket || strcmp(bucket, ctx->bucket) != 0 || owlet_s3_event_key_decode(&key, enc) < 0 ||
		    owlet_s3_key_check(key, "incoming/") < 0) {
			owlet_error_clear();
			free(key);
			(*skipped)++;
			continue;
		}
		int rc = process(ctx, key);
		free(key);
		if (rc == 1)
			(*skipped)++;
		else if (rc == 0)
			(*processed)++;
		else if (!first)
			first = rc;
	}
	return first;
}
