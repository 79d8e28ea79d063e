/*
 * model.h: data_model.yml (version 1), parsed and validated.
 *
 * The format is in docs/model.md: a project name,
 * Cognito groups, and datasets with typed fields and access lists.
 * owlet_model_load() reports every problem as a located diagnostic; the model
 * is returned only when there are none.  The normalised JSON form
 * (owlet_model_to_json) is what `owlet validate --json` prints, what render
 * passes to Terraform and what the Lambda reads (owlet_model_from_json).
 *
 * Normalised JSON:
 *   {"project", "groups":[...],
 *    "datasets": {NAME: {"description", "format", "key", "partition_by",
 *        "fields": {NAME: {"type","required","enum","min","max","max_length"}},
 *        "access": {"read":[...], "write":[...]}}}}
 * Absent optional values are JSON null; datasets and fields keep file order.
 * Without `access` (or without its `read`), "read" is ["*"] (any signed-in
 * user); without `write`, "write" is [] (no one).  "*" may also be written
 * in either list.  min/max are JSON integers for int fields.
 * A partitioned dataset (partition_by) has the partition column "dt", so no
 * field of it may be called "dt".
 */
#ifndef OWLET_MODEL_H
#define OWLET_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/diag.h"

enum owlet_type {
	OWLET_TYPE_INT,       /* 64-bit signed */
	OWLET_TYPE_FLOAT,     /* double */
	OWLET_TYPE_STRING,
	OWLET_TYPE_BOOL,
	OWLET_TYPE_DATE,      /* YYYY-MM-DD */
	OWLET_TYPE_TIMESTAMP, /* ISO 8601 */
};

enum owlet_format {
	OWLET_FORMAT_CSV,
	OWLET_FORMAT_JSONL,
};

/* Every list of strings below is also NULL-terminated (NULL when empty). */
struct owlet_field {
	char *name;
	enum owlet_type type;
	bool required;
	char **enum_values; /* NULL when no enum; only for strings */
	size_t n_enum;
	bool has_min, has_max; /* only for int and float */
	double min, max;
	long long max_length; /* -1 when unset; only for strings */
	int line, col;        /* where the field is declared (1-based) */
};

struct owlet_dataset {
	char *name;
	char *description;  /* NULL when absent */
	enum owlet_format format;
	char *key;          /* NULL when absent */
	char *partition_by; /* NULL when absent; a date or timestamp field */
	struct owlet_field *fields;
	size_t n_fields;
	char **read;        /* groups; "*" = any signed-in user */
	size_t n_read;
	char **write;       /* groups; empty = no one */
	size_t n_write;
	int line, col;
};

struct owlet_model {
	char *path;         /* the file it came from */
	char *project;      /* [a-z][a-z0-9-]{2,23} */
	char **groups;
	size_t n_groups;
	struct owlet_dataset *datasets;
	size_t n_datasets;
};

/* Reads and validates a model file.  On success *out is the model (free with
 * owlet_model_free) and 0 is returned.  On problems, each is appended to
 * diags (if not NULL), *out is NULL, and OWLET_EINVALID is returned; a file
 * that cannot be read gives OWLET_ENOTFOUND / OWLET_EIO with owlet_error_set. */
int owlet_model_load(struct owlet_model **out, struct owlet_diags *diags, const char *path);
/* The same from memory; `name` is used in diagnostics. */
int owlet_model_parse(struct owlet_model **out, struct owlet_diags *diags,
		      const char *name, const char *buf, size_t len);
void owlet_model_free(struct owlet_model *model);

/* Normalised JSON (new reference, caller decrefs); NULL on out of memory. */
json_t *owlet_model_to_json(const struct owlet_model *model);
/* Back from normalised JSON (as the Lambda reads it); validates the shape. */
int owlet_model_from_json(struct owlet_model **out, const json_t *json);

/* Borrowed lookups; NULL when absent. */
const struct owlet_dataset *owlet_model_dataset(const struct owlet_model *model, const char *name);
const struct owlet_field *owlet_dataset_field(const struct owlet_dataset *ds, const char *name);

/* "int", "float", ...; and back (returns -1 for an unknown name). */
const char *owlet_type_name(enum owlet_type type);
int owlet_type_parse(const char *name);
const char *owlet_format_name(enum owlet_format format);

/* Name rules: a project is [a-z][a-z0-9-]{2,23} not ending with '-'; a
 * dataset or field is [a-z][a-z0-9_]{0,62}.  (Groups: [a-z][a-z0-9_-]{0,62},
 * or "*" in an access list for any signed-in user.) */
bool owlet_model_valid_project(const char *name);
bool owlet_model_valid_name(const char *name);

/* The model's groups that a cognito:groups claim names, in model order, each
 * once, as the model's own strings (borrowed: they live as long as the
 * model); *out is NULL when there are none, else free() it.  `claim` is
 * either the token's JSON array (each string element is one name, matched
 * byte for byte), or API Gateway's HTTP API string form of that array, which
 * its JWT authorizer hands the Lambda: "[" the names joined by single spaces
 * "]" ("[editors analysts]", "[]"), the names written raw, without quoting
 * or escaping.  Cognito group names hold no white space, so each name is
 * recovered by splitting on ' ' once the brackets are taken off; a string
 * not in that form (no brackets, an empty name from a leading, trailing or
 * doubled space) cannot be read unambiguously and names no group.  A name
 * that is not one of the model's grants nothing ("ops,editors", "[editors]"
 * and "*" are none of them).  Work is linear in the claim's length times
 * the model's group count.  Returns 0, or OWLET_ENOMEM. */
int owlet_model_claim_groups(const struct owlet_model *model, const json_t *claim, const char ***out,
			     size_t *n_out);

/* Whether a caller in `groups` may read / write the dataset. */
bool owlet_dataset_can_read(const struct owlet_dataset *ds, const char *const *groups, size_t n_groups);
bool owlet_dataset_can_write(const struct owlet_dataset *ds, const char *const *groups, size_t n_groups);

#endif
