/* recall.c: a passing gate's result, kept for the same plan (see recall.h). */
#include "check/recall.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/error.h"
#include "base/fsutil.h"
#include "base/hash.h"
#include "base/proc.h"

/* "<label> <sha256 of data>\n" into the key's text. */
static int add_part(struct owlet_buf *b, const char *label, const void *data, size_t len)
{
	char hex[65], line[1200];
	owlet_sha256_hex(hex, data, len);
	int n = snprintf(line, sizeof line, "%.1000s %s\n", label, hex);
	return owlet_buf_append(b, line, (size_t)n);
}

static int add_file(struct owlet_buf *b, const char *label, const char *path)
{
	char *data = NULL;
	size_t len = 0;
	int rc = owlet_fs_read(&data, &len, path);
	if (rc == 0)
		rc = add_part(b, label, data, len);
	free(data);
	return rc;
}

static bool is_tf(const char *name)
{
	size_t n = strlen(name);
	return n > 3 && strcmp(name + n - 3, ".tf") == 0;
}

/* Every .tf file of dir, labelled with prefix/name. */
static int add_tf_files(struct owlet_buf *b, const char *dir, const char *prefix)
{
	char **names = NULL;
	int rc = owlet_fs_list(&names, dir);
	for (size_t i = 0; rc == 0 && names[i]; i++) {
		if (!is_tf(names[i]))
			continue;
		char *path = owlet_fs_join(dir, names[i]), label[600];
		snprintf(label, sizeof label, "%s%s", prefix, names[i]);
		rc = path ? add_file(b, label, path) : owlet_error_setc(OWLET_ENOMEM, "out of memory");
		free(path);
	}
	owlet_fs_names_free(names);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A JSON array whose order carries no meaning, in one order: its elements
 * in canonical form, sorted. */
static int add_unordered(struct owlet_buf *b, const char *label, const json_t *array)
{
	size_t n = json_array_size(array);
	char **items = calloc(n + 1, sizeof *items);
	struct owlet_buf all = { 0 };
	int rc = items ? 0 : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (!(items[i] = json_dumps(json_array_get(array, i), JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY)))
			rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
	if (rc == 0)
		qsort(items, n, sizeof *items, cmp_str);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		rc = owlet_buf_append(&all, items[i], strlen(items[i]));
		if (rc == 0)
			rc = owlet_buf_append(&all, "\n", 1);
	}
	if (rc == 0)
		rc = add_part(b, label, all.data, all.len);
	for (size_t i = 0; items && i < n; i++)
		free(items[i]);
	free(items);
	owlet_buf_free(&all);
	return rc;
}

static int add_plan(struct owlet_buf *b, const char *plan_json_path)
{
	json_error_t err;
	json_t *plan = json_load_file(plan_json_path, 0, &err);
	if (!plan)
		return owlet_error_setc(OWLET_EIO, "cannot read '%s': %s", plan_json_path, err.text);
	/* what differs between two plans of the same thing: the time, and the
	 * order of relevant_attributes (terraform lists a set) */
	json_object_del(plan, "timestamp");
	int rc = add_unordered(b, "relevant_attributes", json_object_get(plan, "relevant_attributes"));
	json_object_del(plan, "relevant_attributes");
	char *text = rc == 0 ? json_dumps(plan, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(plan);
	if (rc == 0)
		rc = text ? add_part(b, "plan.json", text, strlen(text)) : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	free(text);
	return rc;
}

/* The rendered root's .tf files and those of its modules. */
static int add_rendered(struct owlet_buf *b, const char *root_dir)
{
	int rc = add_tf_files(b, root_dir, "");
	char *mods = rc == 0 ? owlet_fs_join(root_dir, "modules") : NULL;
	char **names = NULL;
	if (rc == 0 && !mods)
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
	if (rc == 0 && owlet_fs_is_dir(mods))
		rc = owlet_fs_list(&names, mods);
	for (size_t i = 0; rc == 0 && names && names[i]; i++) {
		char *dir = owlet_fs_join(mods, names[i]), prefix[600];
		snprintf(prefix, sizeof prefix, "modules/%s/", names[i]);
		rc = !dir ? owlet_error_setc(OWLET_ENOMEM, "out of memory") : owlet_fs_is_dir(dir) ? add_tf_files(b, dir, prefix) : 0;
		free(dir);
	}
	owlet_fs_names_free(names);
	free(mods);
	return rc;
}

/* "NAME PATH SIZE MTIME" of an executable on PATH, nothing when absent. */
static int add_tool(struct owlet_buf *b, const char *name)
{
	char *path = owlet_proc_which(name), line[1200];
	struct stat st;
	int rc = 0;
	if (path && stat(path, &st) == 0) {
		int n = snprintf(line, sizeof line, "%s %.1000s %lld %lld\n", name, path, (long long)st.st_size,
				 (long long)st.st_mtime);
		rc = owlet_buf_append(b, line, (size_t)n);
	}
	free(path);
	return rc;
}

int owlet_plan_inputs_key(char hex[65], const char *root_dir, const void *state, size_t state_len)
{
	hex[0] = '\0';
	static const char *const files[] = { "owlet.auto.tfvars.json", "backend.hcl", ".terraform.lock.hcl", NULL };
	struct owlet_buf b = { 0 };
	int rc = add_rendered(&b, root_dir);
	for (size_t i = 0; rc == 0 && files[i]; i++) {
		char *path = owlet_fs_join(root_dir, files[i]);
		rc = path ? add_file(&b, files[i], path) : owlet_error_setc(OWLET_ENOMEM, "out of memory");
		free(path);
	}
	if (rc == 0)
		rc = add_part(&b, "state", state, state_len);
	/* terraform's variables and arguments from the environment */
	for (char **e = environ; rc == 0 && e && *e; e++)
		if (strncmp(*e, "TF_VAR_", 7) == 0 || strncmp(*e, "TF_CLI_ARGS", 11) == 0)
			rc = add_part(&b, "env", *e, strlen(*e));
	if (rc == 0)
		rc = add_tool(&b, "terraform");
	if (rc == 0)
		rc = add_file(&b, "owlet", "/proc/self/exe");
	if (rc == 0)
		owlet_sha256_hex(hex, b.data, b.len);
	owlet_buf_free(&b);
	return rc;
}

int owlet_check_key(char hex[65], const char *plan_json_path, const char *root_dir,
		    const struct owlet_environment *env)
{
	hex[0] = '\0';
	struct owlet_buf b = { 0 };
	int rc = add_plan(&b, plan_json_path);
	if (rc == 0)
		rc = add_rendered(&b, root_dir);
	char line[1200];
	int n = snprintf(line, sizeof line, "target %d\n", (int)env->target);
	if (rc == 0)
		rc = owlet_buf_append(&b, line, (size_t)n);
	for (size_t i = 0; rc == 0 && i < env->n_skips; i++) {
		n = snprintf(line, sizeof line, "skip %.100s %.1000s\n", env->skips[i].id, env->skips[i].reason);
		rc = owlet_buf_append(&b, line, (size_t)n);
	}
	if (rc == 0)
		rc = add_file(&b, "owlet", "/proc/self/exe");
	if (rc == 0)
		rc = add_tool(&b, "checkov");
	if (rc == 0)
		owlet_sha256_hex(hex, b.data, b.len);
	owlet_buf_free(&b);
	return rc;
}

static char *result_path(const char *root_dir)
{
	return owlet_fs_join(root_dir, OWLET_CHECK_RESULT_FILE);
}

int owlet_check_recall(char **text, char *when, size_t when_size, const char *root_dir, const char *key)
{
	*text = NULL;
	if (when_size)
		when[0] = '\0';
	char *path = result_path(root_dir);
	if (!path)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	json_t *j = json_load_file(path, 0, NULL);
	const char *k = NULL, *t = NULL, *w = NULL;
	int rc = 0;
	if (j && json_unpack(j, "{s:s, s:s, s:s}", "key", &k, "text", &t, "time", &w) == 0 && strcmp(k, key) == 0) {
		snprintf(when, when_size, "%s", w);
		if (!(*text = strdup(t)))
			rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	json_decref(j);
	free(path);
	return rc;
}

int owlet_check_remember(const char *root_dir, const char *key, const char *text)
{
	char when[32];
	owlet_clock_format(when, sizeof when, owlet_clock_wall_ms(), OWLET_CLOCK_ISO);
	char *path = result_path(root_dir);
	json_t *j = json_pack("{s:s, s:s, s:s}", "key", key, "time", when, "text", text);
	int rc = path && j ? owlet_fs_write_json(path, j, JSON_INDENT(2)) : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	json_decref(j);
	free(path);
	return rc;
}

int owlet_check_forget(const char *root_dir)
{
	char *path = result_path(root_dir);
	if (!path)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	int rc = unlink(path) == 0 || errno == ENOENT ? 0
						       : owlet_error_setc(OWLET_EIO, "cannot remove '%s': %s", path, strerror(errno));
	free(path);
	return rc;
}
