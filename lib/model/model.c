/*
 * model.c: data_model.yml (version 1) -> struct owlet_model, and the
 * normalised JSON both ways (see model.h).
 *
 * One validator for both inputs: the YAML file becomes a located tree
 * (yaml_tree.c), and owlet_model_from_json turns the JSON into the same kind
 * of tree (without locations), so the Lambda's model passes exactly the
 * checks that `owlet validate` made.  The validator keeps going after a
 * problem, so that every problem of a file is reported in one run, and
 * avoids follow-on errors (a field of an unknown type takes no type checks).
 * In both inputs a null value for an optional key means "absent".
 * The YAML entry points are in model_yaml.c: this file needs no libyaml, so
 * the Lambda (from_json only) does not link it.
 */
#include "model/model.h"
#include "base/error.h"
#include "model/model_tree.h"
#include "model/yaml_tree.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const type_names[] = { "int", "float", "string", "bool", "date", "timestamp", NULL };
static const char *const format_names[] = { "csv", "jsonl", NULL };

static const char *const top_keys[] = { "version", "project", "groups", "datasets", NULL };
static const char *const dataset_keys[] = { "description", "format", "key", "partition_by", "fields", "access", NULL };
static const char *const field_keys[] = { "type", "required", "enum", "min", "max", "max_length", NULL };
static const char *const access_keys[] = { "read", "write", NULL };

/* A field whose type is unknown (reported): no checks depend on its type. */
#define TYPE_UNKNOWN ((enum owlet_type)(OWLET_TYPE_TIMESTAMP + 1))

/* The partition column of a partitioned dataset (dt=YYYY-MM-DD). */
#define PARTITION_COLUMN "dt"

#define NAME_RULE "a lower-case letter, then up to 62 lower-case letters, digits or '_'"
#define PROJECT_RULE "3 to 24 lower-case letters, digits or '-', starting with a letter and not ending with '-'"
#define GROUP_RULE "a lower-case letter, then up to 62 lower-case letters, digits, '_' or '-'"

const char *owlet_type_name(enum owlet_type type)
{
	return (unsigned)type < sizeof type_names / sizeof type_names[0] - 1 ? type_names[type] : "?";
}

int owlet_type_parse(const char *name)
{
	for (int i = 0; type_names[i]; i++)
		if (strcmp(type_names[i], name) == 0)
			return i;
	return -1;
}

const char *owlet_format_name(enum owlet_format format)
{
	return (unsigned)format < sizeof format_names / sizeof format_names[0] - 1 ? format_names[format] : "?";
}

static bool name_chars(const char *s, size_t max, const char *extra)
{
	if (!(*s >= 'a' && *s <= 'z'))
		return false;
	size_t n = 1;
	for (s++; *s; s++, n++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || strchr(extra, *s)))
			return false;
	return n <= max;
}

bool owlet_model_valid_name(const char *name)
{
	return name && name_chars(name, 63, "_");
}

bool owlet_model_valid_project(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	return n >= 3 && n <= 24 && name_chars(name, 24, "-") && name[n - 1] != '-';
}

static bool valid_group(const char *name)
{
	return name && name_chars(name, 63, "_-");
}

/* ---- freeing ------------------------------------------------------------ */

static void free_strings(char **list, size_t n)
{
	for (size_t i = 0; list && i < n; i++)
		free(list[i]);
	free(list);
}

static void field_clear(struct owlet_field *f)
{
	free(f->name);
	free_strings(f->enum_values, f->n_enum);
}

static void dataset_clear(struct owlet_dataset *ds)
{
	free(ds->name);
	free(ds->description);
	free(ds->key);
	free(ds->partition_by);
	for (size_t i = 0; i < ds->n_fields; i++)
		field_clear(&ds->fields[i]);
	free(ds->fields);
	free_strings(ds->read, ds->n_read);
	free_strings(ds->write, ds->n_write);
}

void owlet_model_free(struct owlet_model *model)
{
	if (!model)
		return;
	free(model->path);
	free(model->project);
	free_strings(model->groups, model->n_groups);
	for (size_t i = 0; i < model->n_datasets; i++)
		dataset_clear(&model->datasets[i]);
	free(model->datasets);
	free(model);
}

/* ---- the validator ------------------------------------------------------ */

struct checker {
	struct yctx *c;
	struct owlet_model *m;
	bool nomem;
};

static char *dup_or_flag(struct checker *k, const char *s)
{
	char *d = strdup(s);
	if (!d)
		k->nomem = true;
	return d;
}

/* A NULL-terminated list of strings from a sequence node (items already
 * checked); NULL for an empty list. */
static char **strings_of(struct checker *k, const struct ynode *seq, size_t *n)
{
	*n = 0;
	if (!seq || seq->n == 0)
		return NULL;
	char **list = calloc(seq->n + 1, sizeof *list);
	if (!list) {
		k->nomem = true;
		return NULL;
	}
	for (size_t i = 0; i < seq->n; i++) {
		list[i] = dup_or_flag(k, seq->items[i]->text);
		*n = i + 1;
	}
	return list;
}

/* Each item of a list must be a string; true when all are. */
static bool all_strings(struct checker *k, const struct ynode *seq, const char *what)
{
	bool good = true;
	for (size_t i = 0; i < seq->n; i++) {
		const char *s;
		if (!yget_string(k->c, seq->items[i], what, &s))
			good = false;
	}
	return good;
}

static void check_groups(struct checker *k, const struct ynode *root)
{
	const struct ynode *groups = ymap_get(root, "groups", NULL);
	if (ynode_is_null(groups) || !yexpect(k->c, groups, YNODE_SEQ, "'groups' (a list of group names)"))
		return;
	bool good = all_strings(k, groups, "a group name");
	for (size_t i = 0; good && i < groups->n; i++) {
		if (!valid_group(groups->items[i]->text)) {
			yerr(k->c, groups->items[i], "bad group name '%s' (expected " GROUP_RULE ")",
			     ytext(groups->items[i]));
			good = false;
		}
	}
	ycheck_unique(k->c, groups, "group", "in 'groups'");
	if (good)
		k->m->groups = strings_of(k, groups, &k->m->n_groups);
}

static bool group_declared(const struct owlet_model *m, const char *name)
{
	for (size_t i = 0; i < m->n_groups; i++)
		if (strcmp(m->groups[i], name) == 0)
			return true;
	return false;
}

/* access.read / access.write: a list of declared groups, or "*". */
static char **check_access_list(struct checker *k, const struct ynode *list, const char *which,
				const char *dsname, size_t *n, bool groups_known)
{
	char what[400];
	snprintf(what, sizeof what, "access.%s of dataset '%s'", which, dsname);
	*n = 0;
	if (!yexpect(k->c, list, YNODE_SEQ, what))
		return NULL;
	if (!all_strings(k, list, "a group name"))
		return NULL;
	bool good = true;
	for (size_t i = 0; i < list->n; i++) {
		const struct ynode *g = list->items[i];
		if (strcmp(g->text, "*") == 0)
			continue;
		if (!valid_group(g->text)) {
			yerr(k->c, g, "bad group name '%s' in %s (expected " GROUP_RULE ", or \"*\" for any signed-in user)",
			     ytext(g), what);
			good = false;
		} else if (groups_known && !group_declared(k->m, g->text)) {
			const char *near = ysuggest(g->text, (const char *const *)k->m->groups);
			yerr(k->c, g, "group '%s' in %s is not declared in 'groups'%s%s%s", ytext(g), what,
			     near ? ", did you mean '" : "", near ? near : "", near ? "'?" : "");
			good = false;
		}
	}
	char where[512];
	snprintf(where, sizeof where, "in %s", what);
	ycheck_unique(k->c, list, "group", where);
	return good ? strings_of(k, list, n) : NULL;
}

static void check_access(struct checker *k, struct owlet_dataset *ds, const struct ynode *access,
			 const char *dsname, bool groups_known)
{
	const struct ynode *read = NULL, *write = NULL;
	if (!ynode_is_null(access)) {
		char what[400];
		snprintf(what, sizeof what, "access of dataset '%s' ({ read: [...], write: [...] })", dsname);
		if (!yexpect(k->c, access, YNODE_MAP, what))
			return;
		snprintf(what, sizeof what, "in access of dataset '%s'", dsname);
		ymap_check_keys(k->c, access, access_keys, what);
		read = ymap_get(access, "read", NULL);
		write = ymap_get(access, "write", NULL);
	}
	if (ynode_is_null(read)) {
		/* any signed-in user may read */
		ds->read = calloc(2, sizeof *ds->read);
		if (!ds->read || !(ds->read[0] = strdup("*")))
			k->nomem = true;
		else
			ds->n_read = 1;
	} else {
		ds->read = check_access_list(k, read, "read", dsname, &ds->n_read, groups_known);
	}
	if (!ynode_is_null(write))
		ds->write = check_access_list(k, write, "write", dsname, &ds->n_write, groups_known);
}

static enum owlet_type parse_type(struct checker *k, const struct ynode *fkey, const struct ynode *fval,
				  const char *fname)
{
	const struct ynode *tkey;
	const struct ynode *type = ymap_get(fval, "type", &tkey);
	if (ynode_is_null(type)) {
		yerr(k->c, tkey ? tkey : fkey,
		     "field '%s' has no type (expected one of int, float, string, bool, date, timestamp)", fname);
		return TYPE_UNKNOWN;
	}
	const char *name;
	char what[400];
	snprintf(what, sizeof what, "the type of field '%s'", fname);
	if (!yget_string(k->c, type, what, &name))
		return TYPE_UNKNOWN;
	int t = owlet_type_parse(name);
	if (t >= 0)
		return (enum owlet_type)t;
	/* the names other schema languages use for owlet's types */
	static const char *const aliases[][2] = { { "datetime", "timestamp" }, { "integer", "int" }, { "long", "int" },
						  { "number", "float" }, { "double", "float" }, { "decimal", "float" },
						  { "boolean", "bool" }, { "text", "string" }, { "str", "string" },
						  { "varchar", "string" } };
	const char *near = NULL;
	for (size_t i = 0; i < sizeof aliases / sizeof aliases[0] && !near; i++)
		if (strcasecmp(name, aliases[i][0]) == 0)
			near = aliases[i][1];
	if (!near)
		near = ysuggest(name, type_names);
	yerr(k->c, type, "unknown type '%s' for field '%s'%s%s%s (expected one of int, float, string, bool, date, timestamp)",
	     ytext(type), fname, near ? ", did you mean '" : "", near ? near : "", near ? "'?" : "");
	return TYPE_UNKNOWN;
}

/* min or max: a number; a whole number in int64 range for int fields. */
static bool parse_bound(struct checker *k, const struct ynode *key, const struct ynode *v,
			enum owlet_type type, const char *fname, double *out)
{
	char what[400];
	snprintf(what, sizeof what, "%s of field '%s'", key->text, fname);
	if (type != OWLET_TYPE_INT && type != OWLET_TYPE_FLOAT) {
		yerr(k->c, key, "%s on field '%s' of type %s: only int and float fields take min and max",
		     key->text, fname, owlet_type_name(type));
		return false;
	}
	if (type == OWLET_TYPE_INT) {
		long long i;
		if (!yget_int(k->c, v, what, &i))
			return false;
		*out = (double)i;
		return true;
	}
	return yget_number(k->c, v, what, out);
}

static void check_enum(struct checker *k, struct owlet_field *f, const struct ynode *key,
		       const struct ynode *v, const char *fname)
{
	char what[400];
	snprintf(what, sizeof what, "enum of field '%s'", fname);
	if (f->type != OWLET_TYPE_STRING) {
		yerr(k->c, key, "enum on field '%s' of type %s: only string fields take an enum", fname,
		     owlet_type_name(f->type));
		return;
	}
	if (!yexpect(k->c, v, YNODE_SEQ, what))
		return;
	if (v->n == 0) {
		yerr(k->c, v, "enum of field '%s' is empty", fname);
		return;
	}
	bool good = true;
	for (size_t i = 0; i < v->n; i++) {
		const struct ynode *e = v->items[i];
		enum yscalar ks = yscalar_kind(e);
		const char *s;
		if (e->kind == YNODE_SCALAR && ks != YS_STRING) {
			yerr(k->c, e, "enum value %s of field '%s' is %s, not a string (quote it: \"%s\")", ytext(e),
			     fname, ks == YS_BOOL ? "a boolean" : ks == YS_NULL ? "null" : "a number", ytext(e));
			good = false;
		} else if (!yget_string(k->c, e, "an enum value", &s)) {
			good = false;
		}
	}
	char where[512];
	snprintf(where, sizeof where, "in enum of field '%s'", fname);
	ycheck_unique(k->c, v, "value", where);
	if (good)
		f->enum_values = strings_of(k, v, &f->n_enum);
}

static void check_field(struct checker *k, struct owlet_field *f, const struct ynode *fkey,
			const struct ynode *fval, const char *dsname)
{
	char where[512], what[400], fname[80];
	snprintf(fname, sizeof fname, "%s", ytext(fkey));
	f->line = fkey->line;
	f->col = fkey->col;
	f->max_length = -1;
	if (!owlet_model_valid_name(fname))
		yerr(k->c, fkey, "bad field name '%s' in dataset '%s' (expected " NAME_RULE ")", fname, dsname);
	f->name = dup_or_flag(k, fkey->text);
	snprintf(what, sizeof what, "field '%s' of dataset '%s' (such as { type: string })", fname, dsname);
	if (!yexpect(k->c, fval, YNODE_MAP, what))
		return;
	snprintf(where, sizeof where, "in field '%s' of dataset '%s'", fname, dsname);
	ymap_check_keys(k->c, fval, field_keys, where);
	f->type = parse_type(k, fkey, fval, fname);

	const struct ynode *key, *v;
	if (!ynode_is_null(v = ymap_get(fval, "required", NULL))) {
		snprintf(what, sizeof what, "required of field '%s'", fname);
		yget_bool(k->c, v, what, &f->required);
	}
	if (f->type == TYPE_UNKNOWN)
		return; /* no checks that depend on the type */
	if (!ynode_is_null(v = ymap_get(fval, "enum", &key)))
		check_enum(k, f, key, v, fname);
	if (!ynode_is_null(v = ymap_get(fval, "min", &key)))
		f->has_min = parse_bound(k, key, v, f->type, fname, &f->min);
	const struct ynode *max = ymap_get(fval, "max", &key);
	if (!ynode_is_null(max))
		f->has_max = parse_bound(k, key, max, f->type, fname, &f->max);
	if (f->has_min && f->has_max && f->min > f->max)
		yerr(k->c, max, "min %g is greater than max %g for field '%s'", f->min, f->max, fname);
	long long n;
	snprintf(what, sizeof what, "max_length of field '%s'", fname);
	if (ynode_is_null(v = ymap_get(fval, "max_length", &key)))
		; /* unset */
	else if (f->type != OWLET_TYPE_STRING)
		yerr(k->c, key, "max_length on field '%s' of type %s: only string fields take max_length", fname,
		     owlet_type_name(f->type));
	else if (!yget_int(k->c, v, what, &n))
		; /* reported */
	else if (n <= 0)
		yerr(k->c, v, "max_length of field '%s' must be a positive whole number, not %lld", fname, n);
	else
		f->max_length = n;
	for (size_t i = 0; f->max_length > 0 && i < f->n_enum; i++)
		if ((long long)strlen(f->enum_values[i]) > f->max_length)
			yerr(k->c, ymap_get(fval, "enum", NULL)->items[i],
			     "enum value '%s' of field '%s' is longer than its max_length %lld",
			     ytext(ymap_get(fval, "enum", NULL)->items[i]), fname, f->max_length);
}

static const struct owlet_field *find_field(const struct owlet_dataset *ds, const char *name)
{
	for (size_t i = 0; i < ds->n_fields; i++)
		if (ds->fields[i].name && strcmp(ds->fields[i].name, name) == 0)
			return &ds->fields[i];
	return NULL;
}

/* key / partition_by: names a field of one of the allowed types. */
static char *check_field_ref(struct checker *k, const struct owlet_dataset *ds, const char *dsname,
			     const struct ynode *v, const char *which, enum owlet_type a, enum owlet_type b,
			     const char *wanted)
{
	char what[400];
	const char *name;
	snprintf(what, sizeof what, "%s of dataset '%s'", which, dsname);
	if (!yget_string(k->c, v, what, &name))
		return NULL;
	const struct owlet_field *f = find_field(ds, name);
	if (!f) {
		const char **names = calloc(ds->n_fields + 1, sizeof *names);
		for (size_t i = 0; names && i < ds->n_fields; i++)
			names[i] = ds->fields[i].name ? ds->fields[i].name : "";
		const char *near = names ? ysuggest(name, names) : NULL;
		yerr(k->c, v, "%s '%s' of dataset '%s' is not one of its fields%s%s%s", which, ytext(v), dsname,
		     near ? ", did you mean '" : "", near ? near : "", near ? "'?" : "");
		free(names);
		return NULL;
	}
	if (f->type != a && f->type != b && f->type != TYPE_UNKNOWN) {
		yerr(k->c, v, "%s '%s' of dataset '%s' is a %s field; %s must name %s field", which, ytext(v), dsname,
		     owlet_type_name(f->type), which, wanted);
		return NULL;
	}
	return dup_or_flag(k, name);
}

static void check_dataset(struct checker *k, struct owlet_dataset *ds, const struct ynode *dkey,
			  const struct ynode *dval, bool groups_known)
{
	char where[512], what[400], dsname[80];
	snprintf(dsname, sizeof dsname, "%s", ytext(dkey));
	ds->line = dkey->line;
	ds->col = dkey->col;
	if (!owlet_model_valid_name(dkey->text))
		yerr(k->c, dkey, "bad dataset name '%s' (expected " NAME_RULE ")", dsname);
	ds->name = dup_or_flag(k, dkey->text);
	snprintf(what, sizeof what, "dataset '%s' (description, format, key, partition_by, fields, access)", dsname);
	if (!ds->name || !yexpect(k->c, dval, YNODE_MAP, what))
		return;
	snprintf(where, sizeof where, "in dataset '%s'", dsname);
	ymap_check_keys(k->c, dval, dataset_keys, where);

	const struct ynode *v;
	const char *s;
	if (!ynode_is_null(v = ymap_get(dval, "description", NULL))) {
		snprintf(what, sizeof what, "description of dataset '%s'", dsname);
		if (yget_string(k->c, v, what, &s))
			ds->description = dup_or_flag(k, s);
	}
	if (!ynode_is_null(v = ymap_get(dval, "format", NULL))) {
		snprintf(what, sizeof what, "format of dataset '%s'", dsname);
		if (yget_string(k->c, v, what, &s)) {
			if (strcmp(s, "csv") == 0)
				ds->format = OWLET_FORMAT_CSV;
			else if (strcmp(s, "jsonl") == 0)
				ds->format = OWLET_FORMAT_JSONL;
			else
				yerr(k->c, v, "unknown format '%s' for dataset '%s' (expected csv or jsonl)", ytext(v), dsname);
		}
	}

	const struct ynode *fields = ymap_get(dval, "fields", NULL);
	snprintf(what, sizeof what, "fields of dataset '%s'", dsname);
	if (ynode_is_null(fields)) {
		yerr(k->c, fields && fields->line ? fields : dkey, "dataset '%s' has no fields (declare them under 'fields')",
		     dsname);
	} else if (yexpect(k->c, fields, YNODE_MAP, what)) {
		snprintf(where, sizeof where, "in the fields of dataset '%s'", dsname);
		ymap_check_keys(k->c, fields, NULL, where);
		if (fields->n == 0)
			yerr(k->c, fields, "dataset '%s' has no fields (declare them under 'fields')", dsname);
		ds->fields = calloc(fields->n ? fields->n : 1, sizeof *ds->fields);
		if (!ds->fields) {
			k->nomem = true;
			return;
		}
		for (size_t i = 0; i < fields->n && !k->nomem; i++) {
			ds->n_fields = i + 1;
			if (fields->items[2 * i]->kind == YNODE_SCALAR)
				check_field(k, &ds->fields[i], fields->items[2 * i], fields->items[2 * i + 1], dsname);
		}
	}

	if (!ynode_is_null(v = ymap_get(dval, "key", NULL)))
		ds->key = check_field_ref(k, ds, dsname, v, "key", OWLET_TYPE_INT, OWLET_TYPE_STRING, "an int or string");
	const struct ynode *pkey;
	if (!ynode_is_null(v = ymap_get(dval, "partition_by", &pkey))) {
		ds->partition_by = check_field_ref(k, ds, dsname, v, "partition_by", OWLET_TYPE_DATE, OWLET_TYPE_TIMESTAMP,
						   "a date or timestamp");
		const struct owlet_field *dt = find_field(ds, PARTITION_COLUMN);
		if (dt)
			yerr_at(k->c, dt->line, dt->col,
				"field name '" PARTITION_COLUMN "' is taken by the partition column of dataset '%s' (partition_by is set)",
				dsname);
	}
	check_access(k, ds, ymap_get(dval, "access", NULL), dsname, groups_known);
}

static void check_model(struct checker *k, const struct ynode *root)
{
	if (!root) {
		yerr_at(k->c, 1, 1, "the model is empty (expected 'project', 'groups' and 'datasets')");
		return;
	}
	if (!yexpect(k->c, root, YNODE_MAP, "the model (a mapping with 'project', 'groups' and 'datasets')"))
		return;
	ymap_check_keys(k->c, root, top_keys, "at the top of the model");

	const struct ynode *v, *key;
	if (!ynode_is_null(v = ymap_get(root, "version", NULL))) {
		long long version;
		if (yget_int(k->c, v, "version", &version) && version != 1)
			yerr(k->c, v, "unsupported model version %lld (this owlet reads version 1)", version);
	}
	v = ymap_get(root, "project", &key);
	const char *project;
	if (ynode_is_null(v)) {
		yerr(k->c, key ? key : root, "missing 'project': the project's name (" PROJECT_RULE ")");
	} else if (yget_string(k->c, v, "project", &project)) {
		if (!owlet_model_valid_project(project))
			yerr(k->c, v, "bad project name '%s' (expected " PROJECT_RULE ")", ytext(v));
		else
			k->m->project = dup_or_flag(k, project);
	}

	size_t before = k->c->problems;
	check_groups(k, root);
	bool groups_known = k->c->problems == before;

	const struct ynode *datasets = ymap_get(root, "datasets", &key);
	if (ynode_is_null(datasets)) {
		yerr(k->c, key ? key : root, "no datasets: declare at least one under 'datasets'");
		return;
	}
	if (!yexpect(k->c, datasets, YNODE_MAP, "'datasets' (dataset names and their fields)"))
		return;
	if (datasets->n == 0) {
		yerr(k->c, datasets, "no datasets: declare at least one under 'datasets'");
		return;
	}
	ymap_check_keys(k->c, datasets, NULL, "in 'datasets'");
	k->m->datasets = calloc(datasets->n, sizeof *k->m->datasets);
	if (!k->m->datasets) {
		k->nomem = true;
		return;
	}
	for (size_t i = 0; i < datasets->n && !k->nomem; i++) {
		k->m->n_datasets = i + 1;
		if (datasets->items[2 * i]->kind == YNODE_SCALAR)
			check_dataset(k, &k->m->datasets[i], datasets->items[2 * i], datasets->items[2 * i + 1],
				      groups_known);
	}
	/* NAME_curated is the Glue table of NAME's Parquet (modules/catalog) */
	for (size_t i = 0; i < k->m->n_datasets && !k->nomem; i++) {
		const char *a = k->m->datasets[i].name;
		size_t n = a ? strlen(a) : 0;
		for (size_t j = 0; n > 8 && !strcmp(a + n - 8, "_curated") && j < k->m->n_datasets; j++) {
			const char *b = k->m->datasets[j].name;
			if (b && strlen(b) == n - 8 && !strncmp(a, b, n - 8))
				yerr(k->c, datasets->items[2 * i], "dataset name '%s' is taken: it is the Glue table of the "
								   "Parquet of dataset '%s' (owlet compact)", a, b);
		}
	}
}

int owlet_model_from_tree(struct owlet_model **out, struct yctx *c, const struct ynode *root, const char *path)
{
	*out = NULL;
	struct checker k = { .c = c };
	k.m = calloc(1, sizeof *k.m);
	if (!k.m || !(k.m->path = strdup(path))) {
		owlet_model_free(k.m);
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	size_t before = c->problems;
	check_model(&k, root);
	if (k.nomem || c->rc < 0) {
		owlet_model_free(k.m);
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	if (c->problems > before) {
		owlet_model_free(k.m);
		return OWLET_EINVALID;
	}
	*out = k.m;
	return 0;
}

int owlet_model_from_json(struct owlet_model **out, const json_t *json)
{
	*out = NULL;
	struct owlet_diags diags = { 0 };
	struct yctx c = { .file = "model JSON", .diags = &diags };
	struct ynode *root = ytree_from_json(json);
	if (!root)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	int rc = owlet_model_from_tree(out, &c, root, "model JSON");
	ytree_free(root);
	if (rc == OWLET_EINVALID)
		owlet_error_setc(rc, "invalid model JSON: %s%s", diags.count ? diags.items[0].message : "unknown problem",
				 diags.count > 1 ? " (and more)" : "");
	owlet_diags_clear(&diags);
	return rc;
}

/* ---- JSON out ----------------------------------------------------------- */

static json_t *string_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *string_array(char *const *list, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		if (json_array_append_new(a, json_string(list[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *bound(bool has, double v, enum owlet_type type)
{
	if (!has)
		return json_null();
	return type == OWLET_TYPE_INT ? json_integer((json_int_t)v) : json_real(v);
}

static json_t *field_json(const struct owlet_field *f)
{
	return json_pack("{s:s, s:b, s:o, s:o, s:o, s:o}",
			 "type", owlet_type_name(f->type),
			 "required", f->required,
			 "enum", f->enum_values ? string_array(f->enum_values, f->n_enum) : json_null(),
			 "min", bound(f->has_min, f->min, f->type),
			 "max", bound(f->has_max, f->max, f->type),
			 "max_length", f->max_length >= 0 ? json_integer(f->max_length) : json_null());
}

static json_t *dataset_json(const struct owlet_dataset *ds)
{
	json_t *fields = json_object();
	for (size_t i = 0; fields && i < ds->n_fields; i++)
		if (json_object_set_new(fields, ds->fields[i].name, field_json(&ds->fields[i])) < 0) {
			json_decref(fields);
			return NULL;
		}
	return json_pack("{s:o, s:s, s:o, s:o, s:o, s:{s:o, s:o}}",
			 "description", string_or_null(ds->description),
			 "format", owlet_format_name(ds->format),
			 "key", string_or_null(ds->key),
			 "partition_by", string_or_null(ds->partition_by),
			 "fields", fields,
			 "access", "read", string_array(ds->read, ds->n_read),
			 "write", string_array(ds->write, ds->n_write));
}

json_t *owlet_model_to_json(const struct owlet_model *model)
{
	json_t *datasets = json_object();
	for (size_t i = 0; datasets && i < model->n_datasets; i++)
		if (json_object_set_new(datasets, model->datasets[i].name, dataset_json(&model->datasets[i])) < 0) {
			json_decref(datasets);
			return NULL;
		}
	return json_pack("{s:s, s:o, s:o}", "project", model->project,
			 "groups", string_array(model->groups, model->n_groups),
			 "datasets", datasets);
}

/* ---- lookups ------------------------------------------------------------ */

const struct owlet_dataset *owlet_model_dataset(const struct owlet_model *model, const char *name)
{
	for (size_t i = 0; model && name && i < model->n_datasets; i++)
		if (strcmp(model->datasets[i].name, name) == 0)
			return &model->datasets[i];
	return NULL;
}

const struct owlet_field *owlet_dataset_field(const struct owlet_dataset *ds, const char *name)
{
	return ds && name ? find_field(ds, name) : NULL;
}

/* Marks the model group spelled name[0..len), if there is one. */
static void mark_group(const struct owlet_model *m, bool *hit, const char *name, size_t len)
{
	for (size_t i = 0; i < m->n_groups; i++)
		if (strlen(m->groups[i]) == len && memcmp(m->groups[i], name, len) == 0)
			hit[i] = true;
}

/* API Gateway's "[a b c]": marks each name, or nothing when the string is
 * not in that form or a name would be empty. */
static void mark_string_form(const struct owlet_model *m, bool *hit, const char *s, size_t len)
{
	if (len < 2 || s[0] != '[' || s[len - 1] != ']')
		return;
	const char *p = s + 1, *end = s + len - 1;
	if (p == end)
		return; /* "[]" */
	if (p[0] == ' ' || end[-1] == ' ' || memmem(p, (size_t)(end - p), "  ", 2))
		return;
	while (p < end) {
		const char *sp = memchr(p, ' ', (size_t)(end - p));
		const char *stop = sp ? sp : end;
		mark_group(m, hit, p, (size_t)(stop - p));
		p = sp ? sp + 1 : end;
	}
}

int owlet_model_claim_groups(const struct owlet_model *model, const json_t *claim, const char ***out,
			     size_t *n_out)
{
	*out = NULL;
	*n_out = 0;
	if (!model || model->n_groups == 0 || !claim)
		return 0;
	bool *hit = calloc(model->n_groups, sizeof *hit);
	if (!hit)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	if (json_is_array(claim)) {
		size_t i;
		const json_t *v;
		json_array_foreach((json_t *)claim, i, v)
			if (json_is_string(v))
				mark_group(model, hit, json_string_value(v), json_string_length(v));
	} else if (json_is_string(claim)) {
		mark_string_form(model, hit, json_string_value(claim), json_string_length(claim));
	}
	size_t n = 0;
	for (size_t i = 0; i < model->n_groups; i++)
		n += hit[i];
	const char **groups = n ? malloc(n * sizeof *groups) : NULL;
	if (n && !groups) {
		free(hit);
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	n = 0;
	for (size_t i = 0; groups && i < model->n_groups; i++)
		if (hit[i])
			groups[n++] = model->groups[i];
	free(hit);
	*out = groups;
	*n_out = n;
	return 0;
}

/* "*" in the list admits any signed-in caller; otherwise a shared group. */
static bool list_admits(char *const *list, size_t n, const char *const *groups, size_t n_groups)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(list[i], "*") == 0)
			return true;
		for (size_t j = 0; groups && j < n_groups; j++)
			if (groups[j] && strcmp(list[i], groups[j]) == 0)
				return true;
	}
	return false;
}

bool owlet_dataset_can_read(const struct owlet_dataset *ds, const char *const *groups, size_t n_groups)
{
	return ds && list_admits(ds->read, ds->n_read, groups, n_groups);
}

bool owlet_dataset_can_write(const struct owlet_dataset *ds, const char *const *groups, size_t n_groups)
{
	return ds && list_admits(ds->write, ds->n_write, groups, n_groups);
}
