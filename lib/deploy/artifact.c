/* artifact.c: the reproducible Lambda zip (see artifact.h). */
#include "deploy/artifact.h"
#include "base/error.h"
#include "base/base64.h"
#include "base/fsutil.h"
#include "base/hash.h"
#include "base/hex.h"
#include "base/proc.h"

#include <elf.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

/* 1980-01-01 00:00:00 in MS-DOS date and time */
#define ZIP_DOS_DATE ((0 << 9) | (1 << 5) | 1)
#define ZIP_DOS_TIME 0
/* Chosen by measurement on the 17 MB of bootstrap and libraries (CPU
 * seconds, zip bytes): level 9 2.6 s, 7.25 MB; level 6 0.7 s, 7.28 MB
 * (+0.4 %); level 4 0.3 s, 7.44 MB (+2.6 %). */
#define ARTIFACT_DEFLATE_LEVEL 6

void owlet_artifact_strings_free(char **list, size_t n)
{
	if (!list)
		return;
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

void owlet_artifact_clear(struct owlet_artifact *a)
{
	free(a->path);
	memset(a, 0, sizeof *a);
}

/* Runs argv (no shell) and collects its standard output into *out
 * (caller frees).  Returns the exit status, or a negative code. */
static int run_capture(char **out, char *const argv[])
{
	int status = 0;
	struct owlet_proc_opts opts = { .argv = (const char *const *)argv };
	int rc = owlet_proc_capture(out, NULL, 16u << 20, &status, &opts);
	return rc < 0 ? rc : status;
}

/* glibc's own libraries: AL2023 has them (glibc 2.34); never bundled. */
static bool is_glibc(const char *soname)
{
	static const char *const glibc[] = {
		"libc.so.", "libm.so.", "libpthread.so.", "libdl.so.", "librt.so.", "libresolv.so.",
		"libutil.so.", "libanl.so.", "libnsl.so.", "libBrokenLocale.so.", "libmvec.so.",
		"libthread_db.so.", "libnss_", "libmemusage.so", "libpcprofile.so", "libc_malloc_debug.so.",
		"ld-linux", "ld64.so.", "linux-vdso.so.", "linux-gate.so.",
	};
	for (size_t i = 0; i < sizeof glibc / sizeof glibc[0]; i++)
		if (strncmp(soname, glibc[i], strlen(glibc[i])) == 0)
			return true;
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int owlet_artifact_deps(char ***paths, char ***sonames, size_t *n, const char *binary)
{
	*paths = *sonames = NULL;
	*n = 0;
	char *out = NULL;
	char *const argv[] = { "ldd", (char *)binary, NULL };
	int rc = run_capture(&out, argv);
	if (rc < 0)
		return rc;
	if (rc != 0) {
		free(out);
		return owlet_error_setc(OWLET_ECHILD, "ldd '%s' failed (status %d): not a dynamic executable for this machine?",
					binary, rc);
	}
	/* "\tlibfoo.so.1 => /usr/lib/.../libfoo.so.1 (0x...)" */
	size_t cap = 0;
	char **names = NULL, **files = NULL;
	char *save = NULL;
	for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[256], arrow[8], file[PATH_MAX];
		int k = sscanf(line, " %255s %7s %4095s", name, arrow, file);
		if (k < 2 || strcmp(arrow, "=>") != 0 || is_glibc(name))
			continue;
		if (k < 3 || strcmp(file, "not") == 0) {
			rc = owlet_error_setc(OWLET_ENOTFOUND, "'%s' needs '%s', which is not installed", binary, name);
			goto fail;
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			char **a = realloc(names, cap * sizeof *a);
			if (a)
				names = a;
			char **b = a ? realloc(files, cap * sizeof *b) : NULL;
			if (b)
				files = b;
			if (!a || !b) {
				rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
				goto fail;
			}
		}
		names[*n] = strdup(name);
		files[*n] = names[*n] ? realpath(file, NULL) : NULL;
		if (!names[*n] || !files[*n]) {
			free(names[*n]);
			rc = owlet_error_setc(OWLET_ENOTFOUND, "cannot resolve '%s'", file);
			goto fail;
		}
		(*n)++;
	}
	free(out);
	/* fixed order: by soname (the paths follow their names) */
	for (size_t i = 1; i < *n; i++)
		for (size_t j = i; j > 0 && cmp_str(&names[j - 1], &names[j]) > 0; j--) {
			char *t = names[j]; names[j] = names[j - 1]; names[j - 1] = t;
			t = files[j]; files[j] = files[j - 1]; files[j - 1] = t;
		}
	*paths = files;
	*sonames = names;
	return 0;
fail:
	free(out);
	owlet_artifact_strings_free(names, *n);
	owlet_artifact_strings_free(files, *n);
	*n = 0;
	return rc;
}

int owlet_artifact_check_elf(const char *binary, const char *architecture)
{
	FILE *f = fopen(binary, "rb");
	if (!f)
		return owlet_error_setc(OWLET_ENOTFOUND, "cannot open '%s': %s", binary, strerror(errno));
	Elf64_Ehdr eh;
	size_t got = fread(&eh, 1, sizeof eh, f);
	fclose(f);
	if (got != sizeof eh || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64)
		return owlet_error_setc(OWLET_EINVALID, "'%s' is not a 64-bit ELF program", binary);
	int want = strcmp(architecture, "arm64") == 0 ? EM_AARCH64 : strcmp(architecture, "x86_64") == 0 ? EM_X86_64 : -1;
	if (want < 0)
		return owlet_error_setc(OWLET_EINVALID, "unknown architecture '%s' (expected x86_64 or arm64)", architecture);
	if (eh.e_machine != want)
		return owlet_error_setc(OWLET_EINVALID, "'%s' is not built for %s", binary, architecture);
	return 0;
}

/* Feeds the bytes of `path` to ctx. */
static int digest_file(struct owlet_sha256_ctx *ctx, const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return owlet_error_setc(OWLET_ENOTFOUND, "cannot open '%s': %s", path, strerror(errno));
	unsigned char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		owlet_sha256_update(ctx, buf, n);
	int rc = ferror(f) ? owlet_error_setc(OWLET_EIO, "cannot read '%s'", path) : 0;
	fclose(f);
	return rc;
}

int owlet_artifact_sha256_base64(char out[48], const char *path)
{
	out[0] = '\0';
	struct owlet_sha256_ctx ctx;
	owlet_sha256_init(&ctx);
	int rc = digest_file(&ctx, path);
	unsigned char md[32];
	owlet_sha256_final(&ctx, md);
	if (rc < 0)
		return rc;
	char *b64 = owlet_base64_encode(md, sizeof md);
	if (!b64)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	snprintf(out, 48, "%s", b64);
	free(b64);
	return 0;
}

/* What the zip is made of, as one SHA-256 (hex): the format (entry layout
 * and deflate level), the architecture, the bootstrap's bytes, and each
 * bundled library's soname and bytes.  The same inputs give the same zip. */
static int inputs_hash(char out[65], const char *bootstrap, char *const *paths, char *const *names, size_t n,
		       const char *architecture)
{
	out[0] = '\0';
	struct owlet_sha256_ctx ctx;
	owlet_sha256_init(&ctx);
	char head[128];
	int len = snprintf(head, sizeof head, "owlet-lambda-zip 1 deflate %d\n%s\nbootstrap\n", ARTIFACT_DEFLATE_LEVEL,
			   architecture);
	owlet_sha256_update(&ctx, head, (size_t)len);
	int rc = digest_file(&ctx, bootstrap);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		owlet_sha256_update(&ctx, "\nlib/", 5);
		owlet_sha256_update(&ctx, names[i], strlen(names[i]) + 1);
		rc = digest_file(&ctx, paths[i]);
	}
	unsigned char md[32];
	owlet_sha256_final(&ctx, md);
	if (rc == 0)
		owlet_hex_encode(out, md, sizeof md);
	return rc;
}

/* Copies `binary` to `dst` without debug symbols (strip, from an argv);
 * when strip is not installed the copy keeps them. */
static int stripped_copy(const char *binary, const char *dst)
{
	char *out = NULL;
	char *const strip_argv[] = { "strip", "--strip-unneeded", "-o", (char *)dst, (char *)binary, NULL };
	int rc = run_capture(&out, strip_argv);
	free(out);
	if (rc == 0)
		return 0;
	char *const cp_argv[] = { "cp", (char *)binary, (char *)dst, NULL };
	rc = run_capture(&out, cp_argv);
	free(out);
	if (rc != 0)
		return owlet_error_setc(OWLET_EIO, "cannot copy '%s' to '%s'", binary, dst);
	return 0;
}

static int add_file(zip_t *za, const char *name, const char *path)
{
	zip_source_t *src = zip_source_file(za, path, 0, -1);
	if (!src)
		return owlet_error_setc(OWLET_EIO, "cannot read '%s': %s", path, zip_strerror(za));
	zip_int64_t idx = zip_file_add(za, name, src, ZIP_FL_ENC_UTF_8);
	if (idx < 0) {
		zip_source_free(src);
		return owlet_error_setc(OWLET_EIO, "cannot add '%s' to the zip: %s", name, zip_strerror(za));
	}
	if (zip_file_set_dostime(za, (zip_uint64_t)idx, ZIP_DOS_TIME, ZIP_DOS_DATE, 0) < 0 ||
	    zip_file_set_external_attributes(za, (zip_uint64_t)idx, 0, ZIP_OPSYS_UNIX,
					     (zip_uint32_t)(S_IFREG | 0755) << 16) < 0 ||
	    zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_DEFLATE, ARTIFACT_DEFLATE_LEVEL) < 0)
		return owlet_error_setc(OWLET_EIO, "cannot set the attributes of '%s': %s", name, zip_strerror(za));
	return 0;
}

/* Writes zip_path from bootstrap and the libraries (paths, names). */
static int build_zip(struct owlet_artifact *out, const char *bootstrap, const char *zip_path, const char *architecture,
		     char *const *paths, char *const *names, size_t n)
{
	int rc = 0;
	char *tmp_bin = NULL, *tmp_zip = NULL;
	zip_t *za = NULL;
	if (asprintf(&tmp_bin, "%s.bootstrap.tmp", zip_path) < 0 || asprintf(&tmp_zip, "%s.tmp", zip_path) < 0) {
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
		goto out_strings;
	}
	rc = stripped_copy(bootstrap, tmp_bin);
	if (rc < 0)
		goto out_strings;
	int zerr = 0;
	za = zip_open(tmp_zip, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
	if (!za) {
		zip_error_t ze;
		zip_error_init_with_code(&ze, zerr);
		rc = owlet_error_setc(OWLET_EIO, "cannot create '%s': %s", tmp_zip, zip_error_strerror(&ze));
		zip_error_fini(&ze);
		goto out_tmp;
	}
	rc = add_file(za, "bootstrap", tmp_bin);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		char entry[300];
		snprintf(entry, sizeof entry, "lib/%s", names[i]);
		rc = add_file(za, entry, paths[i]);
	}
	if (rc < 0) {
		zip_discard(za);
		goto out_tmp;
	}
	if (zip_close(za) < 0) {
		rc = owlet_error_setc(OWLET_EIO, "cannot write '%s': %s", tmp_zip, zip_strerror(za));
		zip_discard(za);
		goto out_tmp;
	}
	if (rename(tmp_zip, zip_path) < 0) {
		rc = owlet_error_setc(OWLET_EIO, "cannot rename '%s' to '%s': %s", tmp_zip, zip_path, strerror(errno));
		goto out_tmp;
	}
	struct stat st;
	if (stat(zip_path, &st) < 0 || !(out->path = realpath(zip_path, NULL))) {
		rc = owlet_error_setc(OWLET_EIO, "cannot stat '%s': %s", zip_path, strerror(errno));
		goto out_tmp;
	}
	out->size = st.st_size;
	out->n_files = n + 1;
	snprintf(out->architecture, sizeof out->architecture, "%s", architecture);
	rc = owlet_artifact_sha256_base64(out->sha256_base64, zip_path);
	if (rc < 0)
		owlet_artifact_clear(out);
out_tmp:
	unlink(tmp_bin);
	unlink(tmp_zip);
out_strings:
	free(tmp_bin);
	free(tmp_zip);
	return rc;
}

int owlet_artifact_build(struct owlet_artifact *out, const char *bootstrap, const char *zip_path,
			 const char *architecture)
{
	memset(out, 0, sizeof *out);
	int rc = owlet_artifact_check_elf(bootstrap, architecture);
	if (rc < 0)
		return rc;
	char **paths = NULL, **names = NULL;
	size_t n = 0;
	rc = owlet_artifact_deps(&paths, &names, &n, bootstrap);
	if (rc == 0)
		rc = inputs_hash(out->inputs_sha256, bootstrap, paths, names, n, architecture);
	if (rc == 0)
		rc = build_zip(out, bootstrap, zip_path, architecture, paths, names, n);
	owlet_artifact_strings_free(paths, n);
	owlet_artifact_strings_free(names, n);
	return rc;
}

int owlet_artifact_write_json(const struct owlet_artifact *a, const char *json_path)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s}", "path", a->path, "sha256_base64", a->sha256_base64,
			      "architecture", a->architecture, "size", (json_int_t)a->size, "files",
			      (json_int_t)a->n_files, "inputs_sha256", a->inputs_sha256);
	if (!j)
		return owlet_error_setc(OWLET_ENOMEM, "out of memory");
	char *tmp = NULL;
	int rc = 0;
	if (asprintf(&tmp, "%s.tmp", json_path) < 0) {
		tmp = NULL;
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
		goto out;
	}
	if (json_dump_file(j, tmp, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0 || rename(tmp, json_path) < 0) {
		rc = owlet_error_setc(OWLET_EIO, "cannot write '%s': %s", json_path, strerror(errno));
		unlink(tmp);
	}
out:
	free(tmp);
	json_decref(j);
	return rc;
}

int owlet_artifact_find_bootstrap(char **out)
{
	*out = NULL;
	const char *env = getenv("OWLET_BOOTSTRAP");
	if (env && *env) {
		struct stat st;
		if (stat(env, &st) != 0 || !S_ISREG(st.st_mode))
			return owlet_error_setc(OWLET_ENOTFOUND, "OWLET_BOOTSTRAP: no file '%s'", env);
		*out = strdup(env);
		return *out ? 0 : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		static const char *const rel[] = { "lambda/bootstrap", "../lib/owlet/lambda/bootstrap" };
		for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
			char *path = owlet_fs_join(exe, rel[i]);
			if (!path)
				return owlet_error_setc(OWLET_ENOMEM, "out of memory");
			struct stat st;
			if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
				*out = path;
				return 0;
			}
			free(path);
		}
	}
	return owlet_error_setc(OWLET_ENOTFOUND,
				"no Lambda program to package: run 'make' (it builds build/lambda/bootstrap) "
				"or set OWLET_BOOTSTRAP");
}

/* True, with *out filled from lambda.json, when the zip there was built
 * from these inputs and is still the zip lambda.json describes (its bytes'
 * SHA-256 and its path).  Anything else (no record, other inputs, a zip
 * changed or moved since) means building again. */
static bool reuse(struct owlet_artifact *out, const char *zip, const char *json_path, const char *inputs,
		  const char *architecture)
{
	memset(out, 0, sizeof *out);
	json_t *j = json_load_file(json_path, 0, NULL);
	const char *rec_inputs = json_string_value(json_object_get(j, "inputs_sha256"));
	const char *rec_sha = json_string_value(json_object_get(j, "sha256_base64"));
	const char *rec_path = json_string_value(json_object_get(j, "path"));
	const char *rec_arch = json_string_value(json_object_get(j, "architecture"));
	json_int_t files = json_integer_value(json_object_get(j, "files"));
	char *real = realpath(zip, NULL);
	char sha[48];
	struct stat st;
	bool ok = rec_inputs && rec_sha && rec_path && rec_arch && files > 0 && files < 100000 && real &&
		  strcmp(rec_inputs, inputs) == 0 && strcmp(rec_arch, architecture) == 0 &&
		  strcmp(rec_path, real) == 0 && stat(real, &st) == 0 && S_ISREG(st.st_mode) &&
		  owlet_artifact_sha256_base64(sha, real) == 0 && strcmp(sha, rec_sha) == 0;
	if (ok) {
		out->path = real;
		real = NULL;
		out->size = st.st_size;
		out->n_files = (size_t)files;
		snprintf(out->architecture, sizeof out->architecture, "%s", architecture);
		memcpy(out->sha256_base64, sha, sizeof sha);
		snprintf(out->inputs_sha256, sizeof out->inputs_sha256, "%s", inputs);
	}
	owlet_error_clear();
	free(real);
	json_decref(j);
	return ok;
}

int owlet_artifact_package(struct owlet_artifact *out, const char *dir, const char *architecture)
{
	memset(out, 0, sizeof *out);
	if (strcmp(architecture, "x86_64") != 0 && strcmp(architecture, "arm64") != 0)
		return owlet_error_setc(OWLET_EUSAGE, "unknown architecture '%s' (expected x86_64 or arm64)",
					architecture);
	if (strcmp(architecture, "arm64") == 0) {
		char *cross = owlet_proc_which("aarch64-linux-gnu-gcc");
		bool have_cross = cross != NULL;
		free(cross);
		if (!have_cross)
			return owlet_error_set("cannot build the Lambda for arm64: no aarch64 cross compiler "
					       "(aarch64-linux-gnu-gcc) is installed; use architecture x86_64");
		return owlet_error_set("cannot build the Lambda for arm64 yet: only x86_64 programs are packaged");
	}
	char *bootstrap = NULL, *zip = NULL, *json = NULL;
	int rc = owlet_artifact_find_bootstrap(&bootstrap);
	if (rc == 0)
		rc = owlet_fs_mkdirs(dir);
	if (rc == 0) {
		zip = owlet_fs_join(dir, "lambda.zip");
		json = owlet_fs_join(dir, "lambda.json");
		if (!zip || !json)
			rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
	}
	if (rc == 0)
		rc = owlet_artifact_check_elf(bootstrap, architecture);
	char **paths = NULL, **names = NULL;
	size_t n = 0;
	if (rc == 0)
		rc = owlet_artifact_deps(&paths, &names, &n, bootstrap);
	char inputs[65] = "";
	if (rc == 0)
		rc = inputs_hash(inputs, bootstrap, paths, names, n, architecture);
	if (rc == 0 && reuse(out, zip, json, inputs, architecture)) {
		out->reused = true;
	} else if (rc == 0) {
		rc = build_zip(out, bootstrap, zip, architecture, paths, names, n);
		if (rc == 0)
			memcpy(out->inputs_sha256, inputs, sizeof inputs);
		if (rc == 0 && (rc = owlet_artifact_write_json(out, json)) < 0)
			owlet_artifact_clear(out);
	}
	owlet_artifact_strings_free(paths, n);
	owlet_artifact_strings_free(names, n);
	free(bootstrap);
	free(zip);
	free(json);
	return rc;
}
