/*
 * openapi.h: the stack's HTTP API, from the model: its route keys (the one
 * source of the api module's routes, the local API's and the OpenAPI
 * paths) and its OpenAPI 3.1 document.
 */
#ifndef OWLET_OPENAPI_H
#define OWLET_OPENAPI_H

#include <stddef.h>

#include <jansson.h>

#include "model/model.h"

/* The route keys of a model, in this order: "GET /datasets",
 * "GET /openapi.json", and per dataset NAME (model order) "GET
 * /datasets/NAME", "GET /datasets/NAME/stats" and, when it has write
 * groups, "POST /datasets/NAME/records"; then, when a dataset has write
 * groups, "POST /datasets/{name}/uploads", "GET /datasets/{name}/uploads",
 * "GET /datasets/{name}/uploads/{id}"; then "GET /queries/{id}".  A new NULL-terminated array (free
 * each and the array; NULL when out of memory); *n its length. */
char **owlet_model_routes(size_t *n, const struct owlet_model *model);
void owlet_model_routes_free(char **routes, size_t n);

/* The OpenAPI 3.1 document of the model's API (a new reference; NULL when
 * out of memory): one path per route above, the bearer JWT security scheme
 * (issuer: the Cognito user pool's, or NULL when not known yet), per
 * dataset the record schema from its fields' types and constraints, and
 * the error shapes.  server_url NULL: a relative server "/". */
json_t *owlet_openapi(const struct owlet_model *model, const char *issuer, const char *server_url);

#endif
