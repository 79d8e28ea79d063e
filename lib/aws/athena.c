/* athena.c: Athena on its JSON protocol (jsonapi.h; see athena.h). */
#include "aws/athena.h"
#include "aws/client.h"
#include "aws/jsonapi.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/error.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct owlet_athena_client {
	struct owlet_aws_jsonapi *api;
};

int owlet_athena_client_open(struct owlet_athena_client **out, const struct owlet_s3_config *cfg)
{
	*out = NULL;
	struct owlet_athena_client *c = calloc(1, sizeof *c);
	if (!c)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	int rc = owlet_aws_jsonapi_open(&c->api, cfg, "athena", "AmazonAthena", "application/x-amz-json-1.1");
	if (rc < 0) {
		free(c);
		return rc;
	}
	*out = c;
	return 0;
}

int owlet_athena_client_open_env(struct owlet_athena_client **out)
{
	const char *endpoint = owlet_aws_env("AWS_ENDPOINT_URL_ATHENA");
	struct owlet_s3_config cfg = { getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY"),
				       getenv("AWS_SESSION_TOKEN"), owlet_aws_env_region(),
				       endpoint ? endpoint : getenv("AWS_ENDPOINT_URL") };
	return owlet_athena_client_open(out, &cfg);
}

void owlet_athena_client_free(struct owlet_athena_client *c)
{
	if (!c)
		return;
	owlet_aws_jsonapi_free(c->api);
	free(c);
}

void owlet_athena_client_set_deadline(struct owlet_athena_client *c, int64_t deadline_ms)
{
	owlet_aws_jsonapi_set_deadline(c->api, deadline_ms);
}

const char *owlet_athena_client_last_type(const struct owlet_athena_client *c)
{
	return owlet_aws_jsonapi_last_type(c->api);
}

int owlet_athena_call(struct owlet_athena_client *c, const char *op, const json_t *req, json_t **resp)
{
	return owlet_aws_jsonapi_call(c->api, op, req, resp);
}

int owlet_athena_start_query(struct owlet_athena_client *c, char **id, const char *sql, const json_t *params,
		       const char *workgroup, const char *database)
{
	*id = NULL;
	json_t *req = json_pack("{s:s}", "QueryString", sql);
	if (req && params && json_array_size(params))
		json_object_set(req, "ExecutionParameters", (json_t *)params);
	if (req && workgroup && *workgroup)
		json_object_set_new(req, "WorkGroup", json_string(workgroup));
	if (req && database && *database)
		json_object_set_new(req, "QueryExecutionContext", json_pack("{s:s}", "Database", database));
	if (!req)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	json_t *resp = NULL;
	int rc = owlet_athena_call(c, "StartQueryExecution", req, &resp);
	json_decref(req);
	if (rc < 0)
		return rc;
	const char *qid = json_string_value(json_object_get(resp, "QueryExecutionId"));
	if (qid && !(*id = strdup(qid)))
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
	else if (!qid)
		rc = owlet_error_setc(OWLET_EIO, "athena StartQueryExecution: no QueryExecutionId in the answer");
	json_decref(resp);
	return rc;
}

void owlet_athena_status_clear(struct owlet_athena_status *st)
{
	free(st->reason);
	free(st->query);
	memset(st, 0, sizeof *st);
}

int owlet_athena_status(struct owlet_athena_client *c, struct owlet_athena_status *st, const char *id)
{
	owlet_athena_status_clear(st);
	json_t *req = json_pack("{s:s}", "QueryExecutionId", id), *resp = NULL;
	int rc = req ? owlet_athena_call(c, "GetQueryExecution", req, &resp) : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	json_decref(req);
	if (rc < 0)
		return rc;
	const json_t *qe = json_object_get(resp, "QueryExecution");
	const json_t *s = json_object_get(qe, "Status"), *stats = json_object_get(qe, "Statistics");
	const char *state = json_string_value(json_object_get(s, "State"));
	const char *reason = json_string_value(json_object_get(s, "StateChangeReason"));
	const char *query = json_string_value(json_object_get(qe, "Query"));
	snprintf(st->state, sizeof st->state, "%s", state ? state : "");
	st->reason = reason ? strdup(reason) : NULL;
	st->query = query ? strdup(query) : NULL;
	st->scanned = json_integer_value(json_object_get(stats, "DataScannedInBytes"));
	st->engine_ms = json_integer_value(json_object_get(stats, "EngineExecutionTimeInMillis"));
	json_decref(resp);
	if (!state)
		return owlet_error_setc(OWLET_EIO, "athena GetQueryExecution: no Status.State in the answer");
	return 0;
}

int owlet_athena_wait(struct owlet_athena_client *c, struct owlet_athena_status *st, const char *id,
		      int64_t until_ms)
{
	int64_t pause = 50;
	for (;;) {
		int rc = owlet_athena_status(c, st, id);
		if (rc < 0)
			return rc;
		if (strcmp(st->state, "QUEUED") != 0 && strcmp(st->state, "RUNNING") != 0)
			return 0;
		int64_t now = owlet_clock_wall_ms();
		if (until_ms && now + pause >= until_ms)
			return 1;
		struct timespec ts = { (time_t)(pause / 1000), (long)(pause % 1000) * 1000000L };
		nanosleep(&ts, NULL);
		pause = pause * 2 > 1000 ? 1000 : pause * 2;
	}
}

int owlet_athena_results(struct owlet_athena_client *c, json_t **columns, json_t **rows, const char *id,
			 size_t max_rows)
{
	*columns = json_array();
	*rows = json_array();
	char *token = NULL;
	bool first = true;
	int rc = *columns && *rows ? 0 : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	/* bounded: every page but the last has a NextToken and adds rows, and
	 * max_rows stops it */
	while (rc == 0) {
		json_t *req = json_pack("{s:s, s:i}", "QueryExecutionId", id, "MaxResults", 1000), *resp = NULL;
		if (req && token)
			json_object_set_new(req, "NextToken", json_string(token));
		rc = req ? owlet_athena_call(c, "GetQueryResults", req, &resp) : owlet_error_setc(OWLET_ENOMEM, "out of memory");
		json_decref(req);
		if (rc < 0)
			break;
		const json_t *rs = json_object_get(resp, "ResultSet");
		if (first) {
			size_t i;
			json_t *ci;
			json_array_foreach(json_object_get(json_object_get(rs, "ResultSetMetadata"), "ColumnInfo"), i, ci) {
				json_array_append_new(*columns, json_pack("{s:O?, s:O?}", "name", json_object_get(ci, "Name"),
									  "type", json_object_get(ci, "Type")));
			}
		}
		size_t i, j;
		json_t *r, *d;
		json_array_foreach(json_object_get(rs, "Rows"), i, r) {
			if (first && i == 0)
				continue; /* the header row */
			if (json_array_size(*rows) >= max_rows) {
				rc = owlet_error_setc(OWLET_EINVALID, "the result has more than %zu rows", max_rows);
				break;
			}
			json_t *row = json_array();
			json_array_foreach(json_object_get(r, "Data"), j, d) {
				const json_t *v = json_object_get(d, "VarCharValue");
				json_array_append_new(row, v ? json_incref((json_t *)v) : json_null());
			}
			json_array_append_new(*rows, row);
		}
		first = false;
		free(token);
		const char *next = json_string_value(json_object_get(resp, "NextToken"));
		token = next ? strdup(next) : NULL;
		json_decref(resp);
		if (!token)
			break;
	}
	free(token);
	if (rc < 0) {
		json_decref(*columns);
		json_decref(*rows);
		*columns = *rows = NULL;
	}
	return rc;
}
