/*
 * api_client.h: the client side of a stack's HTTP API (`owlet upload`):
 * JSON requests with a bearer token, and the presigned S3 POST of a bulk
 * upload, the file streamed from disk (never read into memory).
 */
#ifndef OWLET_API_CLIENT_H
#define OWLET_API_CLIENT_H

#include <stdbool.h>

#include <jansson.h>

/* METHOD api_url+path with "Authorization: Bearer token" and body (JSON,
 * or NULL): *status and *answer (the JSON answer, new; NULL when it is not
 * JSON).  0, or OWLET_EIO when no answer came. */
int owlet_api_call(long *status, json_t **answer, const char *api_url, const char *token, const char *method,
		   const char *path, const json_t *body);

/* Called while a file goes up: bytes sent so far of total. */
typedef void (*owlet_upload_progress)(void *cls, long long sent, long long total);

/* POSTs fields (an object of strings), then the file at path, as
 * multipart/form-data to url (a presigned S3 POST): *status, and S3's
 * error <Code> and <Message> into code/message ("" when none).  0, or
 * OWLET_EIO / OWLET_ENOTFOUND (no such file). */
int owlet_api_post_file(long *status, char *code, size_t code_size, char *message, size_t message_size,
			const char *url, const json_t *fields, const char *path, owlet_upload_progress progress,
			void *progress_cls);

#endif
