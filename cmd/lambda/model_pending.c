/*
 * model_pending.c: INTERIM.  The few functions of lib/model.h the Lambda
 * needs (reading the normalised model JSON), until lib/model.c is merged.
 * Compiles to nothing as soon as lib/model.c exists, and is deleted with the
 * merge that brings it.
 */
#if !__has_include("model.c")
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "model.h"

static char *dup_str(const json_t *v)
{
	return json_is_string(v) ? strdup(json_string_value(v)) : NULL;
}

static int str_list(char ***out, size_t *n, const json_t *arr)
{
	*out = NULL;
	*n = 0;
	if (!json_is_array(arr))
		return 0;
	*out = calloc(json_array_size(arr) + 1, sizeof **out);
	if (!*out)
		return -1;
	size_t i;
	const json_t *v;
	json_array_foreach((json_t *)arr, i, v) {
		if (!json_is_string(v))
			return -1;
		if (!((*out)[(*n)++] = strdup(json_string_value(v))))
			return -1;
	}
	return 0;
}

static void free_list(char **l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

static int type_of(const char *s)
{
	static const char *names[] = { "int", "float", "string", "bool", "date", "timestamp" };
	for (int i = 0; s && i < 6; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

static int field_from_json(struct owlet_field *f, const char *name, const json_t *j)
{
	f->name = strdup(name);
	f->max_length = -1;
	int t = type_of(json_string_value(json_object_get(j, "type")));
	if (!f->name || t < 0 || !json_is_object(j))
		return -1;
	f->type = (enum owlet_type)t;
	f->required = json_is_true(json_object_get(j, "required"));
	const json_t *min = json_object_get(j, "min"), *max = json_object_get(j, "max");
	const json_t *ml = json_object_get(j, "max_length");
	if ((f->has_min = json_is_number(min)))
		f->min = json_number_value(min);
	if ((f->has_max = json_is_number(max)))
		f->max = json_number_value(max);
	if (json_is_integer(ml))
		f->max_length = json_integer_value(ml);
	if (json_is_array(json_object_get(j, "enum")) &&
	    str_list(&f->enum_values, &f->n_enum, json_object_get(j, "enum")) < 0)
		return -1;
	return 0;
}

static int dataset_from_json(struct owlet_dataset *ds, const char *name, const json_t *j)
{
	const json_t *fields = json_object_get(j, "fields");
	const json_t *access = json_object_get(j, "access");
	ds->name = strdup(name);
	ds->description = dup_str(json_object_get(j, "description"));
	ds->key = dup_str(json_object_get(j, "key"));
	ds->partition_by = dup_str(json_object_get(j, "partition_by"));
	const char *fmt = json_string_value(json_object_get(j, "format"));
	ds->format = fmt && strcmp(fmt, "jsonl") == 0 ? OWLET_FORMAT_JSONL : OWLET_FORMAT_CSV;
	if (!ds->name || !json_is_object(fields) || !json_is_object(access))
		return -1;
	ds->fields = calloc(json_object_size(fields) + 1, sizeof *ds->fields);
	if (!ds->fields)
		return -1;
	const char *k;
	const json_t *v;
	json_object_foreach((json_t *)fields, k, v) {
		if (field_from_json(&ds->fields[ds->n_fields++], k, v) < 0)
			return -1;
	}
	if (str_list(&ds->read, &ds->n_read, json_object_get(access, "read")) < 0 ||
	    str_list(&ds->write, &ds->n_write, json_object_get(access, "write")) < 0)
		return -1;
	return 0;
}

void owlet_model_free(struct owlet_model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_datasets; i++) {
		struct owlet_dataset *ds = &m->datasets[i];
		for (size_t j = 0; j < ds->n_fields; j++) {
			free(ds->fields[j].name);
			free_list(ds->fields[j].enum_values, ds->fields[j].n_enum);
		}
		free(ds->fields);
		free(ds->name);
		free(ds->description);
		free(ds->key);
		free(ds->partition_by);
		free_list(ds->read, ds->n_read);
		free_list(ds->write, ds->n_write);
	}
	free(m->datasets);
	free_list(m->groups, m->n_groups);
	free(m->project);
	free(m->path);
	free(m);
}

int owlet_model_from_json(struct owlet_model **out, const json_t *json)
{
	*out = NULL;
	const json_t *datasets = json_object_get(json, "datasets");
	if (!json_is_object(json) || !json_is_object(datasets) || !json_is_string(json_object_get(json, "project")))
		return owlet_error_setc(OWLET_EINVALID, "the model JSON has no 'project' or 'datasets'");
	struct owlet_model *m = calloc(1, sizeof *m);
	if (!m)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	m->project = dup_str(json_object_get(json, "project"));
	m->datasets = calloc(json_object_size(datasets) + 1, sizeof *m->datasets);
	if (!m->project || !m->datasets || str_list(&m->groups, &m->n_groups, json_object_get(json, "groups")) < 0)
		goto bad;
	const char *k;
	const json_t *v;
	json_object_foreach((json_t *)datasets, k, v) {
		if (dataset_from_json(&m->datasets[m->n_datasets++], k, v) < 0)
			goto bad;
	}
	*out = m;
	return 0;
bad:
	owlet_model_free(m);
	return owlet_error_setc(OWLET_EINVALID, "the model JSON is not in the normalised form");
}

const struct owlet_dataset *owlet_model_dataset(const struct owlet_model *m, const char *name)
{
	for (size_t i = 0; i < m->n_datasets; i++)
		if (strcmp(m->datasets[i].name, name) == 0)
			return &m->datasets[i];
	return NULL;
}

const char *owlet_type_name(enum owlet_type type)
{
	static const char *names[] = { "int", "float", "string", "bool", "date", "timestamp" };
	return (unsigned)type < 6 ? names[type] : "?";
}

const char *owlet_format_name(enum owlet_format format)
{
	return format == OWLET_FORMAT_JSONL ? "jsonl" : "csv";
}

static bool allowed(char **list, size_t n, const char *const *groups, size_t n_groups)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(list[i], "*") == 0)
			return true;
		for (size_t j = 0; j < n_groups; j++)
			if (strcmp(list[i], groups[j]) == 0)
				return true;
	}
	return false;
}

bool owlet_dataset_can_read(const struct owlet_dataset *ds, const char *const *groups, size_t n_groups)
{
	return allowed(ds->read, ds->n_read, groups, n_groups);
}

bool owlet_dataset_can_write(const struct owlet_dataset *ds, const char *const *groups, size_t n_groups)
{
	return allowed(ds->write, ds->n_write, groups, n_groups);
}
#else
typedef int owlet_model_pending_unused; /* an empty translation unit is not C11 */
#endif
