/* recording.c: what changed the local emulator since the last up (see recording.h). */
#include "deploy/recording.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "base/base64.h"
#include "base/error.h"
#include "base/hex.h"
#include "base/fsutil.h"

static const char *header(const json_t *headers, const char *name)
{
	const char *k;
	const json_t *v;
	json_object_foreach((json_t *)headers, k, v)
		if (strcasecmp(k, name) == 0)
			return json_string_value(v);
	return NULL;
}

static bool has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* Actions that read, by the prefix of their name. */
static bool read_action(const char *a)
{
	static const char *const prefixes[] = { "Get", "List", "Describe", "Head", "Search", "Lookup", "BatchGet", NULL };
	for (size_t i = 0; prefixes[i]; i++)
		if (has_prefix(a, prefixes[i]))
			return true;
	return false;
}

/* Writes that change nothing terraform manages: Cognito's users and
 * sign-ins (`owlet user`, `owlet token`), Athena queries, STS sessions,
 * the items of the metadata table (the function's counts and upload
 * history; terraform manages the table, not its items). */
static bool harmless_action(const char *a)
{
	static const char *const names[] = {
		"InitiateAuth", "AdminInitiateAuth", "RespondToAuthChallenge", "AdminRespondToAuthChallenge",
		"AdminCreateUser", "AdminSetUserPassword", "AdminAddUserToGroup", "AdminRemoveUserFromGroup",
		"AdminDeleteUser", "AdminUpdateUserAttributes", "AdminConfirmSignUp", "SignUp", "ConfirmSignUp",
		"StartQueryExecution", "StopQueryExecution", "AssumeRole", "AssumeRoleWithWebIdentity",
		"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems", "Query", "Scan", NULL,
	};
	for (size_t i = 0; names[i]; i++)
		if (strcmp(a, names[i]) == 0)
			return true;
	return false;
}

/* The value of `name` in an application/x-www-form-urlencoded string, into
 * out (not decoded: action names need no decoding). */
static bool form_value(char *out, size_t size, const char *form, size_t len, const char *name)
{
	size_t nl = strlen(name);
	for (size_t i = 0; i < len;) {
		size_t j = i;
		while (j < len && form[j] != '&')
			j++;
		if (j - i > nl && memcmp(form + i, name, nl) == 0 && form[i + nl] == '=') {
			size_t vl = j - i - nl - 1;
			if (vl >= size)
				return false;
			memcpy(out, form + i + nl + 1, vl);
			out[vl] = '\0';
			return true;
		}
		i = j + 1;
	}
	return false;
}

/* The service of a SigV4 credential scope "AK/DATE/REGION/SERVICE/aws4_request"
 * that follows `after` in s ("%2F" counts as '/'); "" when there is none. */
static void scope_service(char *out, size_t size, const char *s, const char *after)
{
	out[0] = '\0';
	const char *p = s ? strstr(s, after) : NULL;
	if (!p)
		return;
	p += strlen(after);
	for (int slashes = 0; *p && slashes < 3;) {
		if (*p == '/') {
			slashes++;
			p++;
		} else if (strncasecmp(p, "%2F", 3) == 0) {
			slashes++;
			p += 3;
		} else if (*p == ',' || *p == '&' || *p == ' ') {
			return;
		} else {
			p++;
		}
	}
	size_t n = 0;
	while (p[n] && p[n] != '/' && p[n] != '%' && p[n] != ',' && n + 1 < size)
		n++;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* Percent-decodes in place (the decoded text is never longer). */
static void pct_decode(char *s)
{
	char *d = NULL;
	size_t n = 0;
	if (owlet_percent_decode(&d, &n, s, strlen(s), 0) == 0)
		memcpy(s, d, n + 1);
	else
		owlet_error_clear();
	free(d);
}

/* An S3 request: a write to an object other than _owlet/..., or the
 * creation of a bucket, changes nothing terraform manages. */
static bool s3_harmless(const char *method, const char *path, const char *query, const char *host)
{
	char *p = strdup(path);
	if (!p)
		return false;
	pct_decode(p);
	const char *key;
	/* virtual-hosted style (bucket.host): the whole path is the key */
	bool vhost = host && host[0] && !(host[0] >= '0' && host[0] <= '9') && strncmp(host, "localhost", 9) != 0 &&
		     strchr(host, '.');
	if (vhost) {
		key = p + 1;
	} else {
		const char *slash = strchr(p + 1, '/');
		key = slash ? slash + 1 : "";
	}
	bool ok = key[0] ? !has_prefix(key, "_owlet/") : strcmp(method, "PUT") == 0 && query[0] == '\0';
	free(p);
	return ok;
}

/* Whether one recorded request may have changed what terraform manages. */
static bool foreign(const json_t *req, char *what, size_t what_size)
{
	const json_t *headers = json_object_get(req, "headers");
	const char *method = json_string_value(json_object_get(req, "method"));
	const char *url = json_string_value(json_object_get(req, "url"));
	const char *ua = header(headers, "User-Agent");
	if (!method || !url || !json_is_object(headers)) {
		snprintf(what, what_size, "a recorded request owlet cannot read");
		return true;
	}
	if (ua && strstr(ua, OWLET_TF_USER_AGENT))
		return false;
	/* the path and query of http://HOST/PATH?QUERY */
	const char *p = strstr(url, "://");
	p = p ? strchr(p + 3, '/') : url;
	if (!p)
		p = "/";
	size_t plen = strcspn(p, "?");
	char *path = strndup(p, plen);
	const char *query = p[plen] == '?' ? p + plen + 1 : "";
	if (!path) {
		snprintf(what, what_size, "out of memory");
		return true;
	}
	snprintf(what, what_size, "%s %.120s%s%.60s (%.80s)", method, path, query[0] ? "?" : "", query,
		 ua ? ua : "no User-Agent");
	bool result = true;
	char action[128] = "", service[64] = "";
	const char *target = header(headers, "X-Amz-Target");
	if (target) {
		const char *dot = strrchr(target, '.');
		snprintf(action, sizeof action, "%s", dot ? dot + 1 : target);
	} else if (!form_value(action, sizeof action, query, strlen(query), "Action") &&
		   strcmp(method, "POST") == 0) {
		const char *ct = header(headers, "Content-Type");
		const char *body = json_string_value(json_object_get(req, "body"));
		if (ct && strstr(ct, "x-www-form-urlencoded") && body) {
			unsigned char *raw = NULL;
			size_t n = 0;
			if (json_is_true(json_object_get(req, "body_encoded"))) {
				if (owlet_base64_decode(&raw, &n, body, strlen(body)) == 0)
					form_value(action, sizeof action, (const char *)raw, n, "Action");
				owlet_error_clear();
				free(raw);
			} else {
				form_value(action, sizeof action, body, strlen(body), "Action");
			}
		}
	}
	if (action[0]) {
		result = !read_action(action) && !harmless_action(action);
		if (result)
			snprintf(what, what_size, "%s (%.80s)", action, ua ? ua : "no User-Agent");
	} else if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0 || strcmp(method, "OPTIONS") == 0) {
		result = false;
	} else {
		scope_service(service, sizeof service, header(headers, "Authorization"), "Credential=");
		if (!service[0])
			scope_service(service, sizeof service, query, "X-Amz-Credential=");
		/* unsigned: moto takes it for S3 */
		if (!service[0] || strcmp(service, "s3") == 0)
			result = !s3_harmless(method, path, query, header(headers, "Host"));
	}
	free(path);
	return result;
}

/* A long request (a Lambda zip uploaded: tens of MB) read without its body:
 * moto writes "headers", "method" and "url" before "body", so the text up
 * to `, "body": ` closed with `}` is the request without it.  The body is
 * one JSON string (base64, or text with escapes) followed by
 * `, "body_encoded": BOOL}`: *used is where that ends, so that what follows
 * on the same line is read too.  NULL when that does not parse (then the
 * object is parsed whole).  What is judged by its body (a form-encoded
 * Action) is then foreign, never harmless. */
static json_t *large_request(const char *obj, size_t n, size_t *used)
{
	static const char tag[] = ", \"body\": \"";
	if (n < 65536)
		return NULL;
	const char *at = memmem(obj, n, tag, sizeof tag - 1);
	if (!at)
		return NULL;
	/* the end of the body's string, then the object's closing brace */
	size_t p = (size_t)(at - obj) + sizeof tag - 1;
	while (p < n && obj[p] != '"')
		p += obj[p] == '\\' ? 2 : 1;
	const char *close = p < n ? memchr(obj + p, '}', n - p) : NULL;
	if (!close)
		return NULL;
	size_t len = (size_t)(at - obj);
	char *head = malloc(len + 2);
	if (!head)
		return NULL;
	memcpy(head, obj, len);
	head[len] = '}';
	head[len + 1] = '\0';
	json_t *req = json_loadb(head, len + 1, 0, NULL);
	free(head);
	if (req)
		*used = (size_t)(close - obj) + 1;
	return req;
}

/* One recorded line holds one request, or several: moto appends each as
 * two writes (the JSON, then "\n"), so two requests served at once can
 * land as `{A}{B}` followed by an empty line.  Each is judged; an empty
 * line is nothing.  A part that is not JSON is foreign, and the rest of the
 * line is not read. */
static void scan_line(struct owlet_recording_scan *out, const char *line, size_t n)
{
	size_t pos = 0;
	while (pos < n) {
		while (pos < n && (line[pos] == ' ' || line[pos] == '\n' || line[pos] == '\r' || line[pos] == '\t'))
			pos++;
		if (pos >= n)
			break;
		out->requests++;
		size_t used = 0;
		json_error_t err;
		json_t *req = large_request(line + pos, n - pos, &used);
		if (!req) {
			req = json_loadb(line + pos, n - pos, JSON_DISABLE_EOF_CHECK, &err);
			used = req ? err.position : 0;
		}
		char what[sizeof out->first];
		bool is_foreign = req ? foreign(req, what, sizeof what) : true;
		if (!req)
			snprintf(what, sizeof what, "a recorded line that is not JSON (%s)", err.text);
		json_decref(req);
		if (is_foreign && out->foreign++ == 0)
			snprintf(out->first, sizeof out->first, "%s", what);
		if (!req || used == 0)
			break;
		pos += used;
	}
}

int owlet_recording_scan(struct owlet_recording_scan *out, const char *path, long long from, long long to)
{
	memset(out, 0, sizeof *out);
	FILE *f = fopen(path, "r");
	if (!f)
		return owlet_error_setc(errno == ENOENT ? OWLET_ENOTFOUND : OWLET_EIO, "cannot read '%s': %s", path,
					strerror(errno));
	int rc = 0;
	if (fseeko(f, (off_t)from, SEEK_SET) != 0)
		rc = owlet_error_setc(OWLET_EIO, "cannot seek in '%s': %s", path, strerror(errno));
	char *line = NULL;
	size_t cap = 0;
	long long at = from;
	while (rc == 0 && at < to) {
		ssize_t n = getline(&line, &cap, f);
		if (n <= 0)
			break;
		at += n;
		scan_line(out, line, (size_t)n);
	}
	free(line);
	fclose(f);
	return rc;
}

int owlet_recording_end(long long *end, const char *path)
{
	*end = 0;
	FILE *f = fopen(path, "r");
	if (!f)
		return owlet_error_setc(errno == ENOENT ? OWLET_ENOTFOUND : OWLET_EIO, "cannot read '%s': %s", path,
					strerror(errno));
	struct stat st;
	int rc = fstat(fileno(f), &st) == 0 ? 0 : owlet_error_setc(OWLET_EIO, "cannot stat '%s': %s", path, strerror(errno));
	/* back from the end, 64 KiB at a time, to the last newline */
	char buf[65536];
	for (long long pos = rc == 0 ? (long long)st.st_size : 0; pos > 0;) {
		long long start = pos > (long long)sizeof buf ? pos - (long long)sizeof buf : 0;
		size_t want = (size_t)(pos - start);
		if (fseeko(f, (off_t)start, SEEK_SET) != 0 || fread(buf, 1, want, f) != want) {
			rc = owlet_error_setc(OWLET_EIO, "cannot read '%s'", path);
			break;
		}
		const char *nl = memrchr(buf, '\n', want);
		if (nl) {
			*end = start + (nl - buf) + 1;
			break;
		}
		pos = start;
	}
	fclose(f);
	return rc;
}

/* Whether the emulator process records into <state_dir>/OWLET_RECORDING_FILE:
 * its environment turns the recorder on with that relative path, and its
 * working directory is state_dir (an emulator started by an older owlet
 * records nothing, whatever file lies there). */
static bool emulator_records(pid_t pid, const char *state_dir)
{
	char path[64], *env = NULL, cwd[4096];
	size_t len = 0;
	snprintf(path, sizeof path, "/proc/%d/environ", (int)pid);
	if (owlet_fs_read(&env, &len, path) < 0) {
		owlet_error_clear();
		return false;
	}
	bool on = false, file = false;
	for (size_t i = 0; i < len; i += strlen(env + i) + 1) {
		on = on || strcmp(env + i, "MOTO_ENABLE_RECORDING=True") == 0;
		file = file || strcmp(env + i, "MOTO_RECORDER_FILEPATH=" OWLET_RECORDING_FILE) == 0;
	}
	free(env);
	snprintf(path, sizeof path, "/proc/%d/cwd", (int)pid);
	char *dir = realpath(state_dir, NULL);
	ssize_t n = readlink(path, cwd, sizeof cwd - 1);
	bool here = dir && n > 0 && (size_t)n == strlen(dir) && memcmp(cwd, dir, (size_t)n) == 0;
	free(dir);
	return on && file && here;
}

static char *state_file(const char *state_dir, const char *name)
{
	return owlet_fs_join(state_dir, name);
}

int owlet_refresh_forget(const char *state_dir)
{
	char *mark = state_file(state_dir, OWLET_REFRESH_MARK_FILE);
	if (!mark)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	int rc = unlink(mark) == 0 || errno == ENOENT ? 0
						       : owlet_error_setc(OWLET_EIO, "cannot remove '%s': %s", mark, strerror(errno));
	free(mark);
	return rc;
}

int owlet_refresh_mark(const char *state_dir, pid_t emulator_pid, long long offset)
{
	char *mark = state_file(state_dir, OWLET_REFRESH_MARK_FILE);
	json_t *j = json_pack("{s:i, s:I}", "emulator_pid", (int)emulator_pid, "offset", (json_int_t)offset);
	int rc = mark && j ? owlet_fs_write_json(mark, j, JSON_INDENT(2)) : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	json_decref(j);
	free(mark);
	return rc;
}

int owlet_refresh_decide(bool *skip, long long *mark, char *why, size_t why_size, const char *state_dir,
			 pid_t emulator_pid, bool force)
{
	*skip = false;
	*mark = -1;
	char *rec = state_file(state_dir, OWLET_RECORDING_FILE);
	char *mark_path = state_file(state_dir, OWLET_REFRESH_MARK_FILE);
	if (!rec || !mark_path) {
		free(rec);
		free(mark_path);
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	long long end = 0;
	int rc = emulator_records(emulator_pid, state_dir) ? owlet_recording_end(&end, rec) : OWLET_ENOTFOUND;
	if (rc == OWLET_ENOTFOUND) {
		owlet_error_clear();
		rc = 0;
		snprintf(why, why_size, "the emulator keeps no record of its requests (started by an older owlet)");
		goto out;
	}
	if (rc < 0)
		goto out;
	*mark = end;
	json_t *j = json_load_file(mark_path, 0, NULL);
	json_int_t pid = 0, offset = -1;
	if (force) {
		snprintf(why, why_size, "asked for (--refresh)");
	} else if (!j || json_unpack(j, "{s:I, s:I}", "emulator_pid", &pid, "offset", &offset) != 0) {
		snprintf(why, why_size, "no record of a successful up against this emulator");
	} else if (pid != (json_int_t)emulator_pid) {
		snprintf(why, why_size, "the emulator was restarted since the last up");
	} else if (offset < 0 || offset > end) {
		snprintf(why, why_size, "the emulator's recording was cut since the last up");
	} else if (end - offset > OWLET_RECORDING_MAX_SCAN) {
		snprintf(why, why_size, "%lld MB of requests since the last up: too many to read", (end - offset) >> 20);
	} else {
		struct owlet_recording_scan scan;
		rc = owlet_recording_scan(&scan, rec, offset, end);
		if (rc == 0 && scan.foreign)
			snprintf(why, why_size, "%zu request%s since the last up did not come from owlet, the first: %s",
				 scan.foreign, scan.foreign == 1 ? "" : "s", scan.first);
		else if (rc == 0) {
			*skip = true;
			snprintf(why, why_size, "nothing but owlet has changed the emulator since the last up (%zu requests read)",
				 scan.requests);
		}
	}
	json_decref(j);
out:
	/* consumed: an up that fails leaves none */
	if (rc == 0)
		rc = owlet_refresh_forget(state_dir);
	free(rec);
	free(mark_path);
	return rc;
}
