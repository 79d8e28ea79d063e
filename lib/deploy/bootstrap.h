/*
 * bootstrap.h: what `owlet bootstrap` renders: the Terraform root of
 * templates/bootstrap/ in state/<env>/bootstrap/, which makes what an
 * environment's pipeline needs before its first `up`: the state bucket,
 * GitHub's OIDC provider (one per account: reused when it exists) and the
 * roles the workflows assume.  Its state is local (terraform.tfstate in that
 * directory).  What already exists and that state does not hold (the bucket,
 * the roles: a run from another checkout) is adopted through import blocks
 * (imports.tf), so every run converges and a second changes nothing.
 */
#ifndef OWLET_BOOTSTRAP_H
#define OWLET_BOOTSTRAP_H

#include <stdbool.h>
#include <stddef.h>

#include "model/environment.h"
#include "model/model.h"

#define OWLET_GITHUB_OIDC_HOST "token.actions.githubusercontent.com"
#define OWLET_BOOTSTRAP_ROLE_PATH "/owlet-ci/"

struct owlet_bootstrap {
	char repository[160];        /* OWNER/NAME */
	char deploy_subject[256];    /* the sub claim the deploy role admits */
	char plan_subject[256];      /* the plan role's; "" for none */
	char deploy_role[128];       /* role names (path OWLET_BOOTSTRAP_ROLE_PATH) */
	char plan_role[128];
	char oidc_provider_arn[320]; /* an existing provider this state does not hold; "" */
	bool import_bucket, import_deploy_role, import_plan_role;
};

/* OWNER/NAME of a GitHub URL (https://github.com/O/N(.git), git@github.com:O/N,
 * ssh://git@github.com/O/N.git) into out; OWLET_EINVALID otherwise. */
int owlet_github_repo_from_url(char *out, size_t size, const char *url);
/* The same, of the remote 'origin' of the git repository holding dir;
 * OWLET_ENOTFOUND when there is none. */
int owlet_github_repo_from_git(char *out, size_t size, const char *dir);
/* Fills repository (checked: OWNER/NAME of [A-Za-z0-9._-]), the subjects and
 * the role names for env: a protected environment or one named prod admits
 * GitHub's environment of that name ("repo:O/N:environment:prod") and has
 * no plan role; any other the main branch ("repo:O/N:ref:refs/heads/main"),
 * and pull requests ("repo:O/N:pull_request") for its plan role. */
int owlet_bootstrap_init(struct owlet_bootstrap *b, const struct owlet_model *model,
			 const struct owlet_environment *env, const char *repository);
/* Writes dir (state/<env>/bootstrap): the .tf files of templates/bootstrap,
 * bootstrap.auto.tfvars.json and, when something is to be adopted, imports.tf. */
int owlet_bootstrap_render(const struct owlet_model *model, const struct owlet_environment *env,
			   const struct owlet_bootstrap *b, const char *dir, const char *emulator_endpoint);
/* Whether dir/terraform.tfstate holds the managed resource TYPE.NAME. */
bool owlet_bootstrap_state_has(const char *dir, const char *type, const char *name);

#endif
