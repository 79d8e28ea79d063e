/* cmd_bootstrap.c: `owlet bootstrap [--env E] [--repo OWNER/NAME] [--render]`:
 * what an environment's pipeline needs before its first `up` (the state
 * bucket, GitHub's OIDC provider, the deploy and plan roles), rendered from
 * templates/bootstrap/ into state/E/bootstrap/ (lib/deploy/bootstrap.h),
 * planned, checked and applied with its own local state; then the role
 * ARNs and the commands that set the repository variables. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_gate.h"
#include "commands.h"
#include "spine.h"
#include "aws/iam.h"
#include "aws/s3.h"
#include "aws/sts.h"
#include "base/error.h"
#include "deploy/bootstrap.h"
#include "deploy/render.h"

static const char *opt_env, *opt_repo;
static bool opt_render;

const struct owlet_option cmd_bootstrap_options[] = {
	{ "env", 'e', OPT_STRING, &opt_env, "ENV", "the environment (default: local)" },
	{ "repo", 0, OPT_STRING, &opt_repo, "OWNER/NAME",
	  "the GitHub repository whose workflows may deploy (default: the git remote 'origin')" },
	{ "render", 0, OPT_FLAG, &opt_render, NULL,
	  "only write state/ENV/bootstrap/ (nothing is asked of AWS, nothing is applied)" },
	{ 0 },
};

/* 1 when the bucket exists, 0 when not. */
static int bucket_exists(const struct spine *s, const char *bucket, const char *endpoint, const char *key)
{
	const char *region = s->env->backend.region[0] ? s->env->backend.region : s->env->region;
	struct owlet_s3_config cfg = { .access_key = key ? key : getenv("AWS_ACCESS_KEY_ID"),
				       .secret_key = key ? key : getenv("AWS_SECRET_ACCESS_KEY"),
				       .session_token = key ? NULL : getenv("AWS_SESSION_TOKEN"),
				       .region = region,
				       .endpoint = endpoint };
	struct owlet_s3 *s3 = NULL;
	struct owlet_s3_list list = { 0 };
	int rc = owlet_s3_open(&s3, &cfg);
	if (rc == 0)
		rc = owlet_s3_list(s3, &list, bucket, "", 1);
	owlet_s3_list_clear(&list);
	owlet_s3_free(s3);
	if (rc == OWLET_ENOTFOUND) {
		owlet_error_clear();
		return 0;
	}
	if (rc < 0)
		return owlet_error_setc(rc, "cannot read the state bucket '%s' (is the name another account's?): %s",
					bucket, owlet_error_last());
	return 1;
}

static const char *adopted(bool import, bool in_state)
{
	return import ? "exists: adopted into this bootstrap" : in_state ? "this bootstrap's" : "to create";
}

/* What exists already, and is not in this bootstrap's state: imported, or
 * (GitHub's OIDC provider, one per account) reused. */
static int survey(struct spine *s, struct owlet_bootstrap *b, const char *dir, const char *bucket)
{
	const char *endpoint = s->local ? s->emu.endpoint : NULL;
	const char *key = s->local ? "test" : NULL;
	if (!endpoint) {
		endpoint = getenv("AWS_ENDPOINT_URL_S3");
		if (!endpoint || !endpoint[0])
			endpoint = getenv("AWS_ENDPOINT_URL");
	}
	struct owlet_iam iam = { .endpoint = s->local ? s->emu.endpoint : NULL, .access_key = key, .secret_key = key };
	bool has_bucket = owlet_bootstrap_state_has(dir, "aws_s3_bucket", "state");
	bool has_deploy = owlet_bootstrap_state_has(dir, "aws_iam_role", "deploy");
	bool has_plan = owlet_bootstrap_state_has(dir, "aws_iam_role", "plan");
	bool has_oidc = owlet_bootstrap_state_has(dir, "aws_iam_openid_connect_provider", "github");
	int rc = has_bucket ? 1 : bucket_exists(s, bucket, endpoint, key);
	if (rc < 0)
		return rc;
	b->import_bucket = !has_bucket && rc == 1;
	rc = has_deploy ? 1 : owlet_iam_role_exists(&iam, b->deploy_role);
	if (rc < 0)
		return rc;
	b->import_deploy_role = !has_deploy && rc == 1;
	if (b->plan_role[0]) {
		rc = has_plan ? 1 : owlet_iam_role_exists(&iam, b->plan_role);
		if (rc < 0)
			return rc;
		b->import_plan_role = !has_plan && rc == 1;
	}
	char arn[sizeof b->oidc_provider_arn];
	rc = has_oidc ? 0 : owlet_iam_find_oidc_provider(arn, sizeof arn, &iam, OWLET_GITHUB_OIDC_HOST);
	if (rc < 0)
		return rc;
	if (!has_oidc && arn[0])
		snprintf(b->oidc_provider_arn, sizeof b->oidc_provider_arn, "%s", arn);
	printf("  state bucket %s: %s\n", bucket, adopted(b->import_bucket, has_bucket));
	printf("  OIDC provider %s: %s\n", OWLET_GITHUB_OIDC_HOST,
	       has_oidc ? "this bootstrap's" : arn[0] ? "exists: reused (one per account)" : "to create");
	printf("  role %s: %s\n", b->deploy_role, adopted(b->import_deploy_role, has_deploy));
	if (b->plan_role[0])
		printf("  role %s: %s\n", b->plan_role, adopted(b->import_plan_role, has_plan));
	return 0;
}

static void variable_name(char *out, size_t size, const char *env, const char *what)
{
	size_t n = (size_t)snprintf(out, size, "OWLET_");
	for (const char *p = env; *p && n + 1 < size; p++)
		out[n++] = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
	snprintf(out + n, size - n, "_%s", what);
}

static void print_result(const struct spine *s, const struct owlet_bootstrap *b, const json_t *outputs,
			 const char *dir)
{
	const char *deploy = json_string_value(json_object_get(outputs, "deploy_role_arn"));
	const char *plan = json_string_value(json_object_get(outputs, "plan_role_arn"));
	printf("bootstrap of '%s' for %s:\n", s->env_name, b->repository);
	printf("  %-14s %s (versioned, encrypted, public access blocked, TLS only, old versions expire)\n",
	       "state bucket", json_string_value(json_object_get(outputs, "state_bucket")));
	printf("  %-14s %s\n", "OIDC provider", json_string_value(json_object_get(outputs, "oidc_provider_arn")));
	printf("  %-14s %s\n  %-14s admits only %s\n", "deploy role", deploy ? deploy : "?", "", b->deploy_subject);
	if (plan && plan[0])
		printf("  %-14s %s\n  %-14s admits only %s\n", "plan role", plan, "", b->plan_subject);
	printf("  %-14s %s/terraform.tfstate (local: the bucket cannot hold the state of its own making;\n"
	       "  %-14s a run elsewhere adopts what exists)\n", "state", dir, "");
	char name[96];
	printf("next: set the repository variables the workflows read (GitHub CLI):\n");
	variable_name(name, sizeof name, s->env_name, "ROLE_ARN");
	printf("  gh variable set %s --repo %s --body '%s'\n", name, b->repository, deploy ? deploy : "");
	if (plan && plan[0]) {
		variable_name(name, sizeof name, s->env_name, "PLAN_ROLE_ARN");
		printf("  gh variable set %s --repo %s --body '%s'\n", name, b->repository, plan);
	} else {
		printf("  gh api -X PUT repos/%s/environments/%s   # the GitHub environment its jobs run in: "
		       "add required reviewers there\n", b->repository, s->env_name);
	}
	printf("then: owlet up --env %s\n", s->env_name);
}

int cmd_bootstrap(int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return owlet_error_setc(OWLET_EUSAGE, "'owlet bootstrap' takes no arguments");
	struct spine s;
	struct owlet_bootstrap b;
	struct owlet_plan_summary summary = { 0 };
	json_t *outputs = NULL;
	char repo[160], *bucket = NULL, *dir = NULL, *plan_json = NULL;
	int rc = spine_open(&s, opt_env, opt_render ? NULL : "bootstrap");
	if (rc < 0)
		goto out;
	if (opt_repo) {
		snprintf(repo, sizeof repo, "%s", opt_repo);
	} else if ((rc = owlet_github_repo_from_git(repo, sizeof repo, ".")) < 0) {
		rc = owlet_error_setc(OWLET_EUSAGE, "name the GitHub repository with --repo OWNER/NAME (%s)",
				      owlet_error_last());
		goto out;
	}
	rc = owlet_bootstrap_init(&b, s.model, s.env, repo);
	bucket = owlet_render_state_bucket(s.model, s.env);
	dir = spine_path(&s, "bootstrap");
	if (rc == 0 && (!bucket || !dir))
		rc = owlet_error_setc(OWLET_ENOMEM, "out of memory");
	if (rc < 0)
		goto out;
	if (opt_render) {
		rc = owlet_bootstrap_render(s.model, s.env, &b, dir, s.local ? "http://127.0.0.1:5000" : NULL);
		if (rc == 0)
			printf("rendered %s/ (the bootstrap of '%s' for %s)\n", dir, s.env_name, b.repository);
		goto out;
	}
	s.n_steps = 7;
	if (s.local) {
		spine_step(&s, "emulator");
		rc = owlet_emulator_start(&s.emu, s.state_dir);
		if (rc < 0)
			goto out;
		s.have_emu = true;
		printf("  emulator: %s moto_server on %s (pid %d)\n", s.emu.reused ? "reusing" : "started",
		       s.emu.endpoint, (int)s.emu.pid);
	} else {
		spine_step(&s, "AWS credentials");
		struct owlet_sts_identity id;
		rc = owlet_sts_caller_identity(&id, s.env->region);
		if (rc < 0)
			goto out;
		printf("  AWS: account %s as %s\n", id.account, id.arn);
	}
	spine_step(&s, "what exists");
	rc = survey(&s, &b, dir, bucket);
	if (rc < 0)
		goto out;
	spine_step(&s, "render %s/", dir);
	rc = owlet_bootstrap_render(s.model, s.env, &b, dir, s.local ? s.emu.endpoint : NULL);
	if (rc < 0)
		goto out;
	/* from here on terraform runs in state/E/bootstrap/ (the lock stays state/E's) */
	free(s.state_dir);
	s.state_dir = dir;
	dir = NULL;
	spine_step(&s, "terraform init");
	rc = spine_terraform(&s);
	if (rc == 0)
		rc = owlet_tf_init(s.tf, NULL, true, false);
	if (rc < 0)
		goto out;
	spine_step(&s, "terraform plan");
	bool changes = false;
	rc = spine_plan(&s, &changes, &summary, false);
	if (rc < 0)
		goto out;
	spine_step(&s, "checks");
	plan_json = spine_path(&s, "plan.json");
	rc = plan_json ? check_gate(plan_json, s.state_dir, s.env) : owlet_error_setc(OWLET_ENOMEM, "out of memory");
	if (rc < 0)
		goto out;
	rc = spine_apply_saved(&s, changes);
	if (rc < 0)
		goto out;
	rc = owlet_tf_outputs(&outputs, s.tf);
	if (rc < 0)
		goto out;
	print_result(&s, &b, outputs, s.state_dir);
	spine_print_times(&s, changes ? "bootstrapped" : "already bootstrapped");
out:
	json_decref(outputs);
	owlet_plan_summary_clear(&summary);
	free(plan_json);
	free(dir);
	free(bucket);
	spine_close(&s);
	return rc;
}
