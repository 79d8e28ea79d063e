/* spine_plan_outputs_test.c: owlet_plan_outputs (what `owlet up` writes to
 * outputs.json without running `terraform output`) gives what the real
 * terraform's `output -json` gives after applying the same plan, and gives
 * nothing when an output is known only after apply.  A small root of
 * terraform_data (built into terraform: no provider, no network) and a local
 * backend in a temporary directory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "base/fsutil.h"
#include "deploy/terraform.h"
#include "tap.h"

static char dir[] = "/tmp/owlet-plan-outputs-XXXXXX";

/* Runs a shell command in dir (its errors to run.log); returns its exit status. */
static int sh(const char *cmd)
{
	char line[2048];
	snprintf(line, sizeof line,
		 "cd '%s' && TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE=/dev/null %s 2>>run.log", dir,
		 cmd);
	int st = system(line);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void write_root(const char *label, const char *trigger)
{
	char text[2048];
	snprintf(text, sizeof text,
		 "resource \"terraform_data\" \"a\" {\n  input = \"%s\"\n  triggers_replace = [\"%s\"]\n}\n"
		 "output \"label\" {\n  value = terraform_data.a.input\n}\n"
		 "output \"id\" {\n  value = terraform_data.a.id\n}\n"
		 "output \"nested\" {\n  value = { label = terraform_data.a.input, n = [1, 2] }\n}\n"
		 "output \"secret\" {\n  value     = \"s-${terraform_data.a.input}\"\n  sensitive = true\n}\n"
		 "output \"nothing\" {\n  value = null\n}\n",
		 label, trigger);
	char *p = owlet_fs_join(dir, "main.tf");
	owlet_fs_write_atomic(p, text, strlen(text));
	free(p);
}

/* plan + show -json: the plan's outputs as owlet takes them (NULL: after apply) */
static json_t *plan_outputs(int *status)
{
	*status = sh("terraform plan -input=false -no-color -detailed-exitcode -out=plan.tfplan >>run.log");
	if (*status != 0 && *status != 2)
		return NULL;
	if (sh("terraform show -json plan.tfplan >plan.json") != 0)
		return NULL;
	char *p = owlet_fs_join(dir, "plan.json");
	json_t *plan = json_load_file(p, 0, NULL);
	free(p);
	json_t *out = NULL;
	if (!plan || owlet_plan_outputs(&out, plan) < 0)
		out = json_string("error");
	json_decref(plan);
	return out;
}

/* apply the saved plan, then `terraform output -json`, flattened as owlet does */
static json_t *applied_outputs(void)
{
	if (sh("terraform apply -input=false -no-color plan.tfplan >>run.log") != 0 ||
	    sh("terraform output -json >outputs.raw.json") != 0)
		return NULL;
	char *p = owlet_fs_join(dir, "outputs.raw.json");
	json_t *raw = json_load_file(p, 0, NULL);
	free(p);
	json_t *flat = json_object();
	const char *key;
	json_t *v;
	json_object_foreach(raw, key, v) {
		json_object_set(flat, key, json_object_get(v, "value"));
	}
	json_decref(raw);
	return flat;
}

static char *dump(const json_t *j)
{
	return j ? json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT) : strdup("(none)");
}

int main(void)
{
	if (system("command -v terraform >/dev/null 2>&1") != 0) {
		printf("1..0 # SKIP terraform is not installed\n");
		return 0;
	}
	if (!mkdtemp(dir))
		return 1;
	write_root("one", "r1");
	ok(sh("terraform init -input=false -no-color >>run.log") == 0, "terraform init of a terraform_data root");

	int status;
	json_t *got = plan_outputs(&status);
	is_int(status, 2, "from clean: the plan has changes");
	ok(got == NULL, "from clean the id is known only after apply: no outputs from the plan");
	json_decref(got);
	json_t *want = applied_outputs();
	ok(want != NULL, "apply");
	json_decref(want);

	got = plan_outputs(&status);
	is_int(status, 0, "unchanged: the plan has no changes");
	want = applied_outputs();
	char *g = dump(got), *w = dump(want);
	is_str(g, w, "no changes: the plan's outputs are terraform output's (sensitive included, null left out)");
	ok(got && !json_object_get(got, "nothing") && json_object_get(got, "secret"),
	   "the null output is absent and the sensitive one present");
	free(g);
	free(w);
	json_decref(got);
	json_decref(want);

	write_root("two", "r1");
	got = plan_outputs(&status);
	is_int(status, 2, "a changed input: the plan has changes");
	want = applied_outputs();
	g = dump(got);
	w = dump(want);
	is_str(g, w, "an in-place change known at plan time: the plan's outputs are those after apply");
	free(g);
	free(w);
	json_decref(got);
	json_decref(want);

	write_root("two", "r2");
	got = plan_outputs(&status);
	is_int(status, 2, "a replaced resource: the plan has changes");
	ok(got == NULL, "its new id is known only after apply: no outputs from the plan");
	json_decref(got);

	char rm[128];
	snprintf(rm, sizeof rm, "rm -rf '%s'", dir);
	if (system(rm) != 0)
		diag("cannot remove %s", dir);
	return done_testing();
}
