/*
 * artifact.h: the Lambda artifact, a reproducible zip for provided.al2023.
 *
 * Layout (aws-lambda-cpp's NO_LIBC): `bootstrap` at the root (mode 0755,
 * stripped of debug symbols), and under lib/ every shared library it needs
 * that is not part of glibc, found with `ldd` (run from an argv) and stored
 * under its soname.  The binary is linked with -Wl,-rpath,'$ORIGIN/lib'
 * and --disable-new-dtags (DT_RPATH, which, unlike DT_RUNPATH, also serves
 * the libraries' own dependencies), so AL2023's glibc and loader run it with
 * the bundled libraries and no wrapper script.  glibc's parts (libc, libm,
 * libpthread, libdl, librt, libresolv, the loader, ...) are never bundled.
 *
 * Reproducible: entries in a fixed order (bootstrap, then lib/ sorted by
 * name), every timestamp 1980-01-01 00:00, fixed attributes, deflate level
 * 6 (measured: a quarter of level 9's time for 0.4 % more bytes): the same
 * inputs give the same bytes and the same sha256.
 */
#ifndef OWLET_ARTIFACT_H
#define OWLET_ARTIFACT_H

#include <stdbool.h>
#include <stddef.h>

struct owlet_artifact {
	char *path;              /* the zip, absolute */
	char sha256_base64[48];  /* as the Lambda API's source_code_hash wants it */
	char architecture[16];   /* "x86_64" | "arm64" */
	long long size;          /* bytes */
	size_t n_files;          /* entries in the zip */
	char inputs_sha256[65];  /* what it was built from (hex; see owlet_artifact_package) */
	bool reused;             /* package found it up to date and did not build it */
};

/* The shared libraries `binary` needs that the zip must carry (absolute
 * paths of the files, sonames); caller frees both arrays with
 * owlet_artifact_strings_free. */
int owlet_artifact_deps(char ***paths, char ***sonames, size_t *n, const char *binary);
void owlet_artifact_strings_free(char **list, size_t n);

/* Checks that `binary` is an ELF executable for `architecture` ("x86_64",
 * "arm64"). */
int owlet_artifact_check_elf(const char *binary, const char *architecture);

/* Builds zip_path from `bootstrap` and its libraries (written beside it and
 * renamed into place).  Fills *out (owlet_artifact_clear frees it). */
int owlet_artifact_build(struct owlet_artifact *out, const char *bootstrap, const char *zip_path,
			 const char *architecture);
/* Writes {"path","sha256_base64","architecture","size","files",
 * "inputs_sha256"} to json_path (atomically). */
int owlet_artifact_write_json(const struct owlet_artifact *a, const char *json_path);
void owlet_artifact_clear(struct owlet_artifact *a);

/* Finds the Lambda program: $OWLET_BOOTSTRAP, else <bindir>/lambda/bootstrap
 * next to the running owlet, else <bindir>/../lib/owlet/lambda/bootstrap
 * (installed).  Caller frees *out. */
int owlet_artifact_find_bootstrap(char **out);

/* `owlet build` as a library call: finds the program, checks the
 * architecture ("x86_64"; "arm64" is refused with the reason), and writes
 * DIR/lambda.zip and DIR/lambda.json (DIR made if missing).  Fills *out.
 * Builds only when the inputs changed: lambda.json keeps inputs_sha256, the
 * SHA-256 of the zip's format and deflate level, the architecture, the
 * bootstrap's bytes and every bundled library's soname and bytes.  When it
 * matches, the zip is still the one lambda.json describes (same SHA-256, same
 * path), the zip is left as it is (not rewritten: its mtime stays) and
 * out->reused is set. */
int owlet_artifact_package(struct owlet_artifact *out, const char *dir, const char *architecture);

/* The base64 SHA-256 of a file's bytes (44 characters + NUL). */
int owlet_artifact_sha256_base64(char out[48], const char *path);

#endif
