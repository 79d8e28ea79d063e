/*
 * openapi.c: route keys and the OpenAPI 3.1 document (see openapi.h).
 */
#include "openapi.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool add_route(char **r, size_t *k, const char *method, const char *name, const char *tail)
{
	int n = name ? asprintf(&r[*k], "%s /datasets/%s%s", method, name, tail)
		     : asprintf(&r[*k], "%s %s", method, tail);
	if (n < 0) {
		r[*k] = NULL;
		return false;
	}
	(*k)++;
	return true;
}

char **owlet_model_routes(size_t *n, const struct owlet_model *model)
{
	char **r = calloc(model->n_datasets * 5 + 7, sizeof *r);
	size_t k = 0;
	bool writable = false;
	bool good = r && add_route(r, &k, "GET", NULL, "/datasets") && add_route(r, &k, "GET", NULL, "/openapi.json");
	for (size_t i = 0; good && i < model->n_datasets; i++) {
		const struct owlet_dataset *ds = &model->datasets[i];
		good = add_route(r, &k, "GET", ds->name, "") && add_route(r, &k, "GET", ds->name, "/stats") &&
		       add_route(r, &k, "GET", ds->name, "/rows") && add_route(r, &k, "GET", ds->name, "/aggregate") &&
		       (ds->n_write == 0 || add_route(r, &k, "POST", ds->name, "/records"));
		writable = writable || ds->n_write > 0;
	}
	/* bulk uploads: three routes for all writable datasets, not three each,
	 * so that a model of 50 datasets stays within API Gateway's 300 routes
	 * per API; the function checks the name and the caller's groups */
	good = good && (!writable || (add_route(r, &k, "POST", NULL, "/datasets/{name}/uploads") &&
				      add_route(r, &k, "GET", NULL, "/datasets/{name}/uploads") &&
				      add_route(r, &k, "GET", NULL, "/datasets/{name}/uploads/{id}")));
	good = good && add_route(r, &k, "GET", NULL, "/queries/{id}");
	if (!good) {
		owlet_model_routes_free(r, k);
		r = NULL;
		k = 0;
	}
	*n = k;
	return r;
}

void owlet_model_routes_free(char **routes, size_t n)
{
	for (size_t i = 0; routes && i < n; i++)
		free(routes[i]);
	free(routes);
}

/* json_object_set_new that remembers a failure in *ok */
static void put(json_t *o, const char *k, json_t *v, bool *ok)
{
	if (!o || !v || json_object_set_new(o, k, v) < 0) {
		json_decref(v);
		*ok = false;
	}
}

static json_t *ref(const char *kind, const char *name)
{
	char buf[200];
	snprintf(buf, sizeof buf, "#/components/%s/%s", kind, name);
	return json_pack("{s:s}", "$ref", buf);
}

/* The JSON Schema of one field's value. */
static json_t *field_schema(const struct owlet_field *f, bool *ok)
{
	static const char *const type[] = { [OWLET_TYPE_INT] = "integer", [OWLET_TYPE_FLOAT] = "number",
					    [OWLET_TYPE_STRING] = "string", [OWLET_TYPE_BOOL] = "boolean",
					    [OWLET_TYPE_DATE] = "string", [OWLET_TYPE_TIMESTAMP] = "string" };
	json_t *s = json_object();
	put(s, "type", f->required ? json_string(type[f->type]) : json_pack("[s, s]", type[f->type], "null"), ok);
	if (f->type == OWLET_TYPE_INT)
		put(s, "format", json_string("int64"), ok);
	if (f->type == OWLET_TYPE_FLOAT)
		put(s, "format", json_string("double"), ok);
	if (f->type == OWLET_TYPE_DATE)
		put(s, "format", json_string("date"), ok);
	if (f->type == OWLET_TYPE_TIMESTAMP) {
		put(s, "format", json_string("date-time"), ok);
		put(s, "description",
		    json_string("ISO 8601; 'T' or a space before the time, an optional zone (none: UTC)"), ok);
	}
	if (f->has_min)
		put(s, "minimum", f->type == OWLET_TYPE_INT ? json_integer((json_int_t)f->min) : json_real(f->min), ok);
	if (f->has_max)
		put(s, "maximum", f->type == OWLET_TYPE_INT ? json_integer((json_int_t)f->max) : json_real(f->max), ok);
	if (f->max_length >= 0)
		put(s, "maxLength", json_integer(f->max_length), ok);
	if (f->enum_values) {
		json_t *e = json_array();
		for (size_t i = 0; e && i < f->n_enum; i++)
			if (json_array_append_new(e, json_string(f->enum_values[i])) < 0)
				*ok = false;
		if (!f->required && json_array_append_new(e, json_null()) < 0)
			*ok = false;
		put(s, "enum", e, ok);
	}
	return s;
}

static json_t *record_schema(const struct owlet_dataset *ds, bool *ok)
{
	json_t *props = json_object(), *req = json_array();
	for (size_t i = 0; i < ds->n_fields; i++) {
		put(props, ds->fields[i].name, field_schema(&ds->fields[i], ok), ok);
		if (ds->fields[i].required && json_array_append_new(req, json_string(ds->fields[i].name)) < 0)
			*ok = false;
	}
	char desc[300];
	snprintf(desc, sizeof desc, "One record of dataset '%s'%s%s%s", ds->name, ds->key ? "; its key, unique: " : "",
		 ds->key ? ds->key : "", ds->partition_by ? "; stored in the dt= partition of its partition_by value" : "");
	return json_pack("{s:s, s:s, s:o, s:o, s:b}", "type", "object", "description", desc, "properties", props,
			 "required", req, "additionalProperties", 0);
}

/* An operation: summary, operationId, tags, the 200/201 response (schema
 * ref), the error responses (refs to components.responses). */
static json_t *operation(const char *id, const char *summary, const char *tag, int status, json_t *schema,
			 const char *const *errors, bool *ok)
{
	char code[8];
	snprintf(code, sizeof code, "%d", status);
	json_t *responses = json_object();
	put(responses, code,
	    json_pack("{s:s, s:{s:{s:o}}}", "description", status == 201 ? "Stored" : "OK", "content",
		      "application/json", "schema", schema),
	    ok);
	for (size_t i = 0; errors[i]; i += 2)
		put(responses, errors[i], ref("responses", errors[i + 1]), ok);
	return json_pack("{s:s, s:s, s:[s], s:o}", "operationId", id, "summary", summary, "tags", tag, "responses",
			 responses);
}

static json_t *error_schema(void)
{
	return json_pack(
		"{s:s, s:[s], s:{s:{s:s}, s:{s:s, s:{s:s, s:{s:{s:s}, s:{s:s}, s:{s:s}}}}, s:{s:s}, s:{s:s}}}", "type",
		"object", "required", "message", "properties", "message", "type", "string", "errors", "type", "array",
		"items", "type", "object", "properties", "record", "type", "integer", "field", "type", "string",
		"message", "type", "string", "more_errors", "type", "integer", "key", "description",
		"the key that is taken (409)");
}

json_t *owlet_openapi(const struct owlet_model *model, const char *issuer, const char *server_url)
{
	bool ok = true;
	json_t *doc = json_object(), *paths = json_object(), *schemas = json_object(), *responses = json_object();
	char title[200], sec_desc[400];
	snprintf(title, sizeof title, "%s API", model->project);
	snprintf(sec_desc, sizeof sec_desc, "A Cognito access token (JWT)%s%s; rights come from its cognito:groups",
		 issuer ? " issued by " : "", issuer ? issuer : "");
	put(doc, "openapi", json_string("3.1.0"), &ok);
	put(doc, "info",
	    json_pack("{s:s, s:s, s:s, s:{s:s, s:s}}", "title", title, "version", "1",
		      "description", "Generated by owlet from data_model.yml: do not edit.", "license", "name",
		      "Proprietary", "identifier", "LicenseRef-proprietary"),
	    &ok);
	put(doc, "servers", json_pack("[{s:s}]", "url", server_url ? server_url : "/"), &ok);
	put(doc, "security", json_pack("[{s:[]}]", "cognito"), &ok);
	put(doc, "tags", json_pack("[{s:s, s:s}]", "name", "datasets", "description", "The model's datasets"), &ok);
	put(schemas, "Error", error_schema(), &ok);
	put(schemas, "Dataset",
	    json_pack("{s:s, s:[s, s, s], s:{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:[s, s]}, s:{s:[s, s]}, s:{s:s}, s:{s:s}, s:{s:[s, s]}}}",
		      "type", "object", "required", "name", "format", "fields", "properties", "name", "type", "string",
		      "description", "type", "string", "format", "type", "string", "key", "type", "string", "null",
		      "partition_by", "type", "string", "null", "fields", "type", "array", "access", "type", "object",
		      "row_count", "type", "integer", "null"),
	    &ok);
	put(schemas, "DatasetList",
	    json_pack("{s:s, s:[s], s:{s:{s:s, s:o}}}", "type", "object", "required", "datasets", "properties",
		      "datasets", "type", "array", "items", ref("schemas", "Dataset")),
	    &ok);
	put(schemas, "Stats", json_pack("{s:s, s:s}", "type", "object", "description", "Per-column statistics (docs/stats.md)"),
	    &ok);
	put(schemas, "Stored",
	    json_pack("{s:s, s:[s, s, s, s], s:{s:{s:s}, s:{s:s}, s:{s:s, s:{s:s}}, s:{s:s}}}", "type", "object",
		      "required", "bucket", "key", "keys", "records", "properties", "bucket", "type", "string", "key",
		      "type", "string", "keys", "type", "array", "items", "type", "string", "records", "type", "integer"),
	    &ok);
	put(schemas, "UploadTicket",
	    json_pack("{s:s, s:s, s:[s, s, s, s], s:{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}}}",
		      "type", "object", "description",
		      "A presigned S3 POST: send fields, then the file, as multipart/form-data to url (docs/uploads.md)",
		      "required", "id", "url", "fields", "key", "properties", "id", "type", "string", "url", "type",
		      "string", "fields", "type", "object", "key", "type", "string", "expires", "type", "string",
		      "max_bytes", "type", "integer", "format", "type", "string"),
	    &ok);
	put(schemas, "Upload",
	    json_pack("{s:s, s:s, s:[s, s], s:{s:{s:s}, s:{s:[s, s, s, s, s, s]}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}}}",
		      "type", "object", "description", "An upload and its outcome (docs/uploads.md)", "required", "id",
		      "status", "properties", "id", "type", "string", "status", "enum", "pending", "processing", "done",
		      "partly_rejected", "rejected", "failed", "accepted", "type", "integer", "rejected", "type",
		      "integer", "problems", "type", "array", "rejects_key", "type", "string"),
	    &ok);
	put(schemas, "UploadList",
	    json_pack("{s:s, s:[s], s:{s:{s:s, s:o}}}", "type", "object", "required", "uploads", "properties",
		      "uploads", "type", "array", "items", ref("schemas", "Upload")),
	    &ok);
	put(schemas, "OpenAPI", json_pack("{s:s, s:s}", "type", "object", "description", "This document"), &ok);
	put(schemas, "QueryResult",
	    json_pack("{s:s, s:s}", "type", "object", "description",
		      "Rows typed by the model, or (202) a query id to fetch later from /queries/{id} (docs/sql.md)"),
	    &ok);
	static const struct {
		const char *name, *desc;
	} errs[] = { { "BadRequest", "The request or its records are invalid" },
		     { "Unauthorized", "No valid token" },
		     { "Forbidden", "The caller's groups may not do this" },
		     { "NotFound", "No such dataset" },
		     { "Conflict", "A record's key is taken, or an Idempotency-Key is in use" },
		     { "TooLarge", "Over the request's limits" },
		     { "Throttled", "Over the stage's throttle" } };
	for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++)
		put(responses, errs[i].name,
		    json_pack("{s:s, s:{s:{s:o}}}", "description", errs[i].desc, "content", "application/json", "schema",
			      ref("schemas", "Error")),
		    &ok);
	static const char *const read_errors[] = { "401", "Unauthorized", "403", "Forbidden", "404", "NotFound",
						   "429", "Throttled", NULL };
	static const char *const list_errors[] = { "401", "Unauthorized", "429", "Throttled", NULL };
	static const char *const post_errors[] = { "400", "BadRequest", "401", "Unauthorized", "403", "Forbidden",
						   "404", "NotFound", "409", "Conflict", "413", "TooLarge",
						   "429", "Throttled", NULL };
	size_t n = 0;
	char **routes = owlet_model_routes(&n, model);
	if (!routes)
		ok = false;
	for (size_t i = 0; ok && i < n; i++) {
		char method[8] = "", path[160] = "", id[200], lower[8], summary[240];
		if (sscanf(routes[i], "%7s %159s", method, path) != 2) {
			ok = false;
			break;
		}
		for (size_t c = 0; c < sizeof lower; c++)
			lower[c] = (char)(method[c] >= 'A' && method[c] <= 'Z' ? method[c] + 32 : method[c]);
		bool uploads = strncmp(path, "/datasets/{name}/uploads", 24) == 0;
		const char *name = strncmp(path, "/datasets/", 10) == 0 && !uploads ? path + 10 : NULL;
		const char *tail = name ? strchr(name, '/') : NULL;
		char dsname[128] = "";
		if (name)
			snprintf(dsname, sizeof dsname, "%.*s", (int)(tail ? (size_t)(tail - name) : strlen(name)), name);
		const struct owlet_dataset *ds = name ? owlet_model_dataset(model, dsname) : NULL;
		json_t *op;
		snprintf(id, sizeof id, "%s", lower);
		for (const char *p = path; *p && strlen(id) + 2 < sizeof id; p++) {
			size_t l = strlen(id);
			id[l] = ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')) ? *p : '_';
			id[l + 1] = '\0';
		}
		if (uploads) {
			bool post = strcmp(method, "POST") == 0, one = path[24] == '/';
			op = operation(id,
				       post ? "Start a bulk upload to a dataset the caller may write: a presigned S3 POST"
				       : one ? "The state and outcome of an upload"
					     : "The recent uploads to a dataset, newest first",
				       "datasets", post ? 201 : 200,
				       ref("schemas", post ? "UploadTicket" : one ? "Upload" : "UploadList"),
				       post ? post_errors : read_errors, &ok);
			json_t *names = json_array();
			for (size_t d = 0; names && d < model->n_datasets; d++)
				if (model->datasets[d].n_write > 0)
					json_array_append_new(names, json_string(model->datasets[d].name));
			json_t *params = json_pack("[{s:s, s:s, s:b, s:{s:s, s:o}}]", "name", "name", "in", "path", "required",
						   1, "schema", "type", "string", "enum", names);
			if (one && params)
				json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:{s:s}}", "name", "id", "in", "path",
									"required", 1, "schema", "type", "string"));
			put(op, "parameters", params, &ok);
			if (post)
				put(op, "requestBody",
				    json_pack("{s:b, s:{s:{s:{s:s, s:[s], s:{s:{s:s}, s:{s:s, s:i}}}}}}", "required", 1,
					      "content", "application/json", "schema", "type", "object", "required",
					      "filename", "properties", "filename", "type", "string", "size", "type",
					      "integer", "minimum", 1),
				    &ok);
		} else if (!name && strcmp(path, "/datasets") == 0) {
			op = operation(id, "List the datasets the caller may read, with their row counts", "datasets", 200,
				       ref("schemas", "DatasetList"), list_errors, &ok);
		} else if (!name && strncmp(path, "/queries/", 9) == 0) {
			op = operation(id, "The state and result of a query that answered 202", "queries", 200,
				       ref("schemas", "QueryResult"), read_errors, &ok);
			put(op, "parameters",
			    json_pack("[{s:s, s:s, s:b, s:{s:s}}]", "name", "id", "in", "path", "required", 1, "schema",
				      "type", "string"),
			    &ok);
		} else if (!name) {
			op = operation(id, "This OpenAPI document", "datasets", 200, ref("schemas", "OpenAPI"), list_errors,
				       &ok);
		} else if (!tail) {
			snprintf(summary, sizeof summary, "The schema of dataset '%s'", dsname);
			op = operation(id, summary, "datasets", 200, ref("schemas", "Dataset"), read_errors, &ok);
		} else if (strcmp(tail, "/stats") == 0) {
			snprintf(summary, sizeof summary, "Column statistics of dataset '%s'", dsname);
			op = operation(id, summary, "datasets", 200, ref("schemas", "Stats"), read_errors, &ok);
		} else if (strcmp(tail, "/rows") == 0 || strcmp(tail, "/aggregate") == 0) {
			snprintf(summary, sizeof summary, "%s of dataset '%s' through SQL (filters as query parameters, docs/sql.md)",
				 strcmp(tail, "/rows") == 0 ? "Rows" : "Aggregates", dsname);
			op = operation(id, summary, "queries", 200, ref("schemas", "QueryResult"), post_errors, &ok);
		} else {
			char rec[160];
			snprintf(rec, sizeof rec, "%s_record", dsname);
			if (ds && !json_object_get(schemas, rec))
				put(schemas, rec, record_schema(ds, &ok), &ok);
			snprintf(summary, sizeof summary, "Store records of dataset '%s' (one, or an array)", dsname);
			op = operation(id, summary, "datasets", 201, ref("schemas", "Stored"), post_errors, &ok);
			json_t *body = json_pack(
				"{s:b, s:{s:{s:{s:[o, {s:s, s:o, s:i, s:i}]}}}}", "required", 1, "content",
				"application/json", "schema", "oneOf", ref("schemas", rec), "type", "array", "items",
				ref("schemas", rec), "minItems", 1, "maxItems", ds && ds->key ? 500 : 10000);
			put(op, "requestBody", body, &ok);
			put(op, "parameters",
			    json_pack("[{s:s, s:s, s:b, s:s, s:{s:s, s:i, s:i}}]", "name", "Idempotency-Key", "in",
				      "header", "required", 0, "description",
				      "Makes a retry safe for 24 hours (docs/contracts.md)", "schema", "type", "string",
				      "minLength", 1, "maxLength", 255),
			    &ok);
		}
		json_t *item = json_object_get(paths, path);
		if (!item)
			put(paths, path, item = json_object(), &ok);
		put(item, lower, op, &ok);
	}
	owlet_model_routes_free(routes, n);
	put(doc, "paths", paths, &ok);
	put(doc, "components",
	    json_pack("{s:{s:{s:s, s:s, s:s, s:s}}, s:o, s:o}", "securitySchemes", "cognito", "type", "http", "scheme",
		      "bearer", "bearerFormat", "JWT", "description", sec_desc, "schemas", schemas, "responses",
		      responses),
	    &ok);
	if (!ok) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}
