/*
 * zipimport.h: take a prebuilt Lambda zip (`owlet up --artifact FILE`,
 * $OWLET_LAMBDA_ZIP) into state/<env>/artifacts/ as `owlet build` would
 * leave it: lambda.zip and lambda.json
 * {"path","sha256_base64","architecture","size"} (docs/contracts.md).
 */
#ifndef OWLET_ZIPIMPORT_H
#define OWLET_ZIPIMPORT_H

#include <stddef.h>

/* sha256 of data, base64 (as Lambda's source_code_hash), into buf (>= 45). */
void owlet_sha256_base64(char *buf, size_t size, const void *data, size_t len);
int owlet_zip_import(const char *zip_path, const char *artifacts_dir, const char *architecture);

#endif
