/*
 * render.h: the Terraform root of an environment, written to state/<env>/.
 *
 *   state/<env>/NAME.tf                templates/root/NAME.tf, each with a generated-by line
 *   state/<env>/modules/              a copy of owlet's modules/ (self-contained root)
 *   state/<env>/owlet.auto.tfvars.json  model + environment (docs/contracts.md)
 *   state/<env>/backend.hcl           the S3 backend (with the emulator's endpoint for local)
 *
 * Deterministic: the same inputs give byte-identical files, and a file whose
 * bytes do not change is not rewritten.  Every write is atomic.  Files that
 * a previous render wrote and the templates no longer have are removed.
 */
#ifndef OWLET_RENDER_H
#define OWLET_RENDER_H

#include <jansson.h>

#include "model/environment.h"
#include "model/model.h"

struct owlet_render_opts {
	const char *state_dir;         /* state/<env> */
	const char *share_dir;         /* holds templates/ and modules/; NULL: owlet_paths_share_dir() */
	const char *emulator_endpoint; /* "http://127.0.0.1:PORT" for local, NULL or "" for AWS */
	const char *stack_suffix;      /* resolved suffix ("" for none) */
	const char *sandbox;           /* a developer's sandbox: its name (tag owlet:sandbox); NULL or "": none */
	const char *sandbox_expires;   /* YYYY-MM-DD (tag owlet:expires), with sandbox */
	const char *zip_sha256;        /* the artifact's sha256 (base64); NULL: read artifacts/lambda.json */
};

int owlet_render(const struct owlet_model *model, const struct owlet_environment *env,
		 const struct owlet_render_opts *opts);

/* owlet.auto.tfvars.json's content (new reference). */
json_t *owlet_render_tfvars(const struct owlet_model *model, const struct owlet_environment *env,
			    const struct owlet_render_opts *opts);
/* backend.hcl's content (caller frees).  The key is backend.key, by default
 * "<project>/<env>/terraform.tfstate"; a stack suffix becomes its last
 * directory ("<project>/<env>/<suffix>/terraform.tfstate"), so every
 * sandbox keeps its own state. */
char *owlet_render_backend(const struct owlet_model *model, const struct owlet_environment *env,
			   const char *emulator_endpoint, const char *stack_suffix);
/* The state bucket of an environment: backend.bucket, or "<project>-tfstate"
 * for local (caller frees). */
char *owlet_render_state_bucket(const struct owlet_model *model, const struct owlet_environment *env);

/* Every SUBDIR/NAME.tf of share (templates/root, templates/bootstrap) into
 * dir/NAME.tf with a generated-by line; .tf files an earlier call wrote
 * there and SUBDIR no longer has are removed. */
int owlet_render_templates(const char *share, const char *subdir, const char *dir);

#define OWLET_SANDBOX_NAME_MAX 16
#define OWLET_SANDBOX_TTL_DAYS 7

/* "developer" -> the git identity: the local part of user.email, else
 * user.name, else $USER, reduced to [a-z0-9-], at most 16 characters ("dev"
 * when nothing is left); other values as they are (caller frees). */
char *owlet_render_stack_suffix(const char *configured, const char *project_dir);

#endif
