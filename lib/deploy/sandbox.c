/* sandbox.c: a project's sandboxes and their leftovers (see sandbox.h). */
#include "deploy/sandbox.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "aws/rest.h"
#include "base/error.h"

#define PAGES_MAX 50 /* pages of any one listing */

int owlet_sandbox_name_check(const char *name)
{
	size_t n = strlen(name);
	bool ok = n >= 1 && n <= 16 && name[0] != '-';
	for (const char *p = name; ok && *p; p++)
		ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-';
	if (!ok)
		return owlet_error_setc(OWLET_EUSAGE, "'%s' is not a sandbox name (1 to 16 of a-z, 0-9 and '-')", name);
	return 0;
}

static struct owlet_aws_service service(const struct owlet_sandbox_scope *sc, const char *name)
{
	return (struct owlet_aws_service){ .service = name, .region = sc->region, .endpoint = sc->endpoint,
					   .access_key = sc->access_key, .secret_key = sc->access_key };
}

static json_t *tag_filter(const char *key, const char *value)
{
	return value ? json_pack("{s:s, s:[s]}", "Key", key, "Values", value) : json_pack("{s:s}", "Key", key);
}

/* Every page of a JSON 1.1 listing: the items (items_key) of each answer,
 * in a new array; the answer's token_key goes into the next page's request. */
static int paged(json_t **out, const struct owlet_aws_service *svc, const char *target, const json_t *first,
		 const char *token_key, const char *items_key)
{
	json_t *all = json_array(), *token = NULL;
	int rc = all ? 0 : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	for (int page = 0; rc == 0 && page < PAGES_MAX; page++) {
		json_t *req = json_deep_copy(first), *resp = NULL;
		if (req && token)
			json_object_set(req, token_key, token);
		rc = req ? owlet_aws_json(&resp, svc, target, NULL, req) : owlet_error_setc(OWLET_ENOMEM, "out of memory");
		json_decref(req);
		if (rc == 0)
			json_array_extend(all, json_object_get(resp, items_key));
		json_decref(token);
		token = json_incref(json_object_get(resp, token_key));
		json_decref(resp);
		if (!json_string_value(token) || !json_string_value(token)[0])
			break;
	}
	json_decref(token);
	if (rc < 0)
		json_decref(all);
	else
		*out = all;
	return rc;
}

static const char *tag_value(const json_t *mapping, const char *key);

/* Whether a tagged resource still exists, where the tagging API is known to
 * keep the tags of a deleted one: moto keeps a Glue database's (measured);
 * AWS's tagging API may lag a deletion too.  1 yes, 0 no. */
static int still_there(const struct owlet_sandbox_scope *sc, const char *arn)
{
	const char *db = strstr(arn, ":database/");
	if (strncmp(arn, "arn:", 4) != 0 || !strstr(arn, ":glue:") || !db)
		return 1;
	struct owlet_aws_service svc = service(sc, "glue");
	json_t *req = json_pack("{s:s}", "Name", db + strlen(":database/")), *resp = NULL;
	int rc = req ? owlet_aws_json(&resp, &svc, "AWSGlue.GetDatabase", NULL, req)
		     : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	json_decref(req);
	json_decref(resp);
	if (rc == OWLET_EINVALID && strstr(owlet_error_last(), "EntityNotFoundException")) {
		owlet_error_clear();
		return 0;
	}
	return rc < 0 ? rc : 1;
}

/* Every resource tagged owlet:project, owlet:env and owlet:sandbox (= name
 * when not NULL) that still exists: a new array of GetResources'
 * ResourceTagMappingList items.  The values are checked here too: moto's
 * tagging API matches a Glue database on the key alone (measured). */
static int tagged(json_t **out, const struct owlet_sandbox_scope *sc, const char *name)
{
	*out = NULL;
	struct owlet_aws_service svc = service(sc, "tagging");
	json_t *req = json_pack("{s:[o,o,o], s:i}", "TagFilters", tag_filter("owlet:project", sc->project),
				tag_filter("owlet:env", sc->env), tag_filter("owlet:sandbox", name), "ResourcesPerPage", 100);
	json_t *all = NULL, *kept = json_array();
	int rc = req && kept ? paged(&all, &svc, "ResourceGroupsTaggingAPI_20170126.GetResources", req,
				     "PaginationToken", "ResourceTagMappingList")
			     : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	json_decref(req);
	size_t i;
	json_t *m;
	json_array_foreach(all, i, m) {
		const char *p = tag_value(m, "owlet:project"), *e = tag_value(m, "owlet:env");
		const char *sb = tag_value(m, "owlet:sandbox"), *arn = json_string_value(json_object_get(m, "ResourceARN"));
		if (rc < 0 || !p || !e || !sb || !arn || strcmp(p, sc->project) != 0 || strcmp(e, sc->env) != 0 ||
		    (name && strcmp(sb, name) != 0))
			continue;
		rc = still_there(sc, arn);
		if (rc == 1)
			rc = json_array_append(kept, m) == 0 ? 0 : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	json_decref(all);
	if (rc < 0)
		json_decref(kept);
	else
		*out = kept;
	return rc < 0 ? rc : 0;
}

static const char *tag_value(const json_t *mapping, const char *key)
{
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(mapping, "Tags"), i, t) {
		const char *k = json_string_value(json_object_get(t, "Key"));
		if (k && strcmp(k, key) == 0)
			return json_string_value(json_object_get(t, "Value"));
	}
	return NULL;
}

int owlet_sandbox_list(json_t **out, const struct owlet_sandbox_scope *sc)
{
	*out = NULL;
	json_t *res = NULL;
	int rc = tagged(&res, sc, NULL);
	if (rc < 0)
		return rc;
	json_t *list = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(res, i, m) {
		const char *name = tag_value(m, "owlet:sandbox"), *expires = tag_value(m, "owlet:expires");
		if (!name || !list)
			continue;
		json_t *e = NULL, *x;
		size_t j;
		json_array_foreach(list, j, x)
			if (strcmp(json_string_value(json_object_get(x, "name")), name) == 0)
				e = x;
		if (!e) {
			e = json_pack("{s:s, s:s, s:i}", "name", name, "expires", "", "resources", 0);
			if (!e || json_array_append_new(list, e) < 0)
				continue;
		}
		json_object_set_new(e, "resources", json_integer(json_integer_value(json_object_get(e, "resources")) + 1));
		/* the latest expiry: each up extends it */
		if (expires && strcmp(expires, json_string_value(json_object_get(e, "expires"))) > 0)
			json_object_set_new(e, "expires", json_string(expires));
	}
	json_decref(res);
	if (!list)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	/* sort by name (few sandboxes: insertion sort) */
	for (size_t a = 1; a < json_array_size(list); a++)
		for (size_t b = a; b > 0; b--) {
			json_t *x = json_array_get(list, b - 1), *y = json_array_get(list, b);
			if (strcmp(json_string_value(json_object_get(x, "name")), json_string_value(json_object_get(y, "name"))) <= 0)
				break;
			json_incref(x);
			json_array_set(list, b - 1, y);
			json_array_set_new(list, b, x);
		}
	*out = list;
	return 0;
}

/* name is the prefix itself or starts with prefix + '-' */
static bool named_after(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);
	return name && strncmp(name, prefix, n) == 0 && (name[n] == '\0' || name[n] == '-');
}

static bool tagged_has(const json_t *res, const char *suffix)
{
	size_t i, n = strlen(suffix);
	json_t *m;
	json_array_foreach(res, i, m) {
		const char *arn = json_string_value(json_object_get(m, "ResourceARN"));
		size_t l = arn ? strlen(arn) : 0;
		if (l >= n && strcmp(arn + l - n, suffix) == 0)
			return true;
	}
	return false;
}

static int add_line(json_t *out, const char *fmt, const char *a, const char *b)
{
	char line[600];
	snprintf(line, sizeof line, fmt, a, b);
	return json_array_append_new(out, json_string(line)) == 0 ? 0 : owlet_error_setc(OWLET_ENOMEM, "out of memory");
}

static int user_pools(json_t *out, const struct owlet_sandbox_scope *sc, const char *prefix)
{
	struct owlet_aws_service svc = service(sc, "cognito-idp");
	json_t *req = json_pack("{s:i}", "MaxResults", 60), *pools = NULL;
	int rc = req ? paged(&pools, &svc, "AWSCognitoIdentityProviderService.ListUserPools", req, "NextToken",
			     "UserPools")
		     : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	json_decref(req);
	size_t i;
	json_t *p;
	json_array_foreach(pools, i, p) {
		const char *name = json_string_value(json_object_get(p, "Name"));
		if (rc == 0 && named_after(name, prefix))
			rc = add_line(out, "user pool %s (%s)", name, json_string_value(json_object_get(p, "Id")));
	}
	json_decref(pools);
	return rc;
}

static int apis(json_t *out, const struct owlet_sandbox_scope *sc, const char *prefix)
{
	struct owlet_aws_service svc = service(sc, "apigateway");
	char path[1200] = "/v2/apis";
	int rc = 0;
	for (int page = 0; rc == 0 && page < PAGES_MAX; page++) {
		json_t *resp = NULL;
		rc = owlet_aws_json(&resp, &svc, NULL, path, NULL);
		size_t i;
		json_t *a;
		json_array_foreach(json_object_get(resp, "items"), i, a) {
			const char *name = json_string_value(json_object_get(a, "name"));
			if (rc == 0 && named_after(name, prefix))
				rc = add_line(out, "API %s (%s)", name, json_string_value(json_object_get(a, "apiId")));
		}
		const char *next = json_string_value(json_object_get(resp, "nextToken"));
		char *enc = next && next[0] ? curl_easy_escape(NULL, next, 0) : NULL;
		if (enc)
			snprintf(path, sizeof path, "/v2/apis?nextToken=%s", enc);
		curl_free(enc);
		json_decref(resp);
		if (!enc)
			break;
	}
	return rc;
}

/* The names of the log groups under dir (a "/aws/lambda/" or "") named after
 * the sandbox (prefix): appended to names. */
static int log_group_names(json_t *names, const struct owlet_sandbox_scope *sc, const char *dir, const char *prefix)
{
	struct owlet_aws_service svc = service(sc, "logs");
	char want[300];
	snprintf(want, sizeof want, "%s%s", dir, prefix);
	json_t *req = json_pack("{s:s}", "logGroupNamePrefix", want), *groups = NULL;
	int rc = req ? paged(&groups, &svc, "Logs_20140328.DescribeLogGroups", req, "nextToken", "logGroups")
		     : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	json_decref(req);
	size_t i;
	json_t *g;
	json_array_foreach(groups, i, g) {
		const char *name = json_string_value(json_object_get(g, "logGroupName"));
		if (rc == 0 && name && named_after(name + strlen(dir), prefix))
			rc = json_array_append(names, json_object_get(g, "logGroupName")) == 0
				     ? 0
				     : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	json_decref(groups);
	return rc;
}

/* Log groups named after the sandbox, tagged or not (a Lambda that runs
 * after its log group was destroyed makes one again, without tags). */
static int log_groups(json_t *out, const struct owlet_sandbox_scope *sc, const char *prefix, const json_t *res)
{
	static const char *const dirs[] = { "/aws/lambda/", "/aws/apigateway/", "", NULL };
	json_t *names = json_array();
	int rc = names ? 0 : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	for (size_t d = 0; rc == 0 && dirs[d]; d++)
		rc = log_group_names(names, sc, dirs[d], prefix);
	size_t i;
	json_t *n;
	json_array_foreach(names, i, n) {
		char suffix[400];
		snprintf(suffix, sizeof suffix, ":log-group:%s", json_string_value(n));
		if (rc == 0 && !tagged_has(res, suffix))
			rc = add_line(out, "log group %s%s", json_string_value(n), "");
	}
	json_decref(names);
	return rc;
}

int owlet_sandbox_remove_function_logs(json_t **removed, const struct owlet_sandbox_scope *sc, const char *name)
{
	*removed = NULL;
	char prefix[200];
	snprintf(prefix, sizeof prefix, "%s-%s-%s", sc->project, sc->env, name);
	struct owlet_aws_service svc = service(sc, "logs");
	json_t *names = json_array();
	int rc = names ? log_group_names(names, sc, "/aws/lambda/", prefix) : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	size_t i;
	json_t *n;
	json_array_foreach(names, i, n) {
		json_t *req = json_pack("{s:O}", "logGroupName", n), *resp = NULL;
		if (rc == 0)
			rc = req ? owlet_aws_json(&resp, &svc, "Logs_20140328.DeleteLogGroup", NULL, req)
				 : owlet_error_setc(OWLET_ENOMEM, "out of memory");
		json_decref(req);
		json_decref(resp);
	}
	if (rc < 0)
		json_decref(names);
	else
		*removed = names;
	return rc;
}

int owlet_sandbox_leftovers(json_t **out, const struct owlet_sandbox_scope *sc, const char *name)
{
	*out = NULL;
	char prefix[200];
	snprintf(prefix, sizeof prefix, "%s-%s-%s", sc->project, sc->env, name);
	json_t *res = NULL, *list = json_array();
	int rc = list ? tagged(&res, sc, name) : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	size_t i;
	json_t *m;
	json_array_foreach(res, i, m)
		if (rc == 0 && json_array_append(list, json_object_get(m, "ResourceARN")) < 0)
			rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
	if (rc == 0)
		rc = user_pools(list, sc, prefix);
	if (rc == 0)
		rc = apis(list, sc, prefix);
	if (rc == 0)
		rc = log_groups(list, sc, prefix, res);
	json_decref(res);
	if (rc < 0)
		json_decref(list);
	else
		*out = list;
	return rc;
}
