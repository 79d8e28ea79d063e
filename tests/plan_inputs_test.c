/* plan_inputs_test.c: the key of a plan's inputs (owlet_plan_inputs_key,
 * check/recall.h), which lets a repeated no-change local up take the last
 * plan's JSON instead of `terraform show`: the same inputs give the same
 * key; a changed .tf file (root or module), variables file, provider lock,
 * state or TF_VAR_ gives another; files terraform does not plan from
 * (plan.json, the deploy records) do not count. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "check/recall.h"
#include "tap.h"

static char root[64];

static void put(const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", root, name);
	if (owlet_fs_write_atomic(path, text, strlen(text)) != 0)
		diag("cannot write %s", path);
}

/* 1 when the key of (the files now, state) differs from before */
static int differs(const char *before, const char *state)
{
	char key[65];
	if (owlet_plan_inputs_key(key, root, state, strlen(state)) != 0)
		return -1;
	return strcmp(key, before) != 0;
}

int main(void)
{
	snprintf(root, sizeof root, "/tmp/owlet-plan-inputs.XXXXXX");
	if (!mkdtemp(root))
		return 1;
	char mods[128];
	snprintf(mods, sizeof mods, "%s/modules/storage", root);
	owlet_fs_mkdirs(mods);
	unsetenv("TF_VAR_slow");
	put("main.tf", "module \"storage\" {}\n");
	put("modules/storage/main.tf", "resource \"aws_s3_bucket\" \"data\" {}\n");
	put("owlet.auto.tfvars.json", "{\"name_prefix\": \"p-local\"}\n");
	put("backend.hcl", "bucket = \"p-tfstate\"\n");
	put(".terraform.lock.hcl", "provider \"registry.terraform.io/hashicorp/aws\" { version = \"5.100.0\" }\n");
	const char *state = "{\"version\": 4, \"serial\": 7, \"lineage\": \"x\"}";
	char k1[65], k2[65];
	is_int(owlet_plan_inputs_key(k1, root, state, strlen(state)), 0, "a key");
	is_int((long long)strlen(k1), 64, "of 64 hex digits");
	is_int(owlet_plan_inputs_key(k2, root, state, strlen(state)), 0, "again");
	is_str(k2, k1, "the same inputs give the same key");
	put("plan.json", "{\"timestamp\": \"now\"}\n");
	put("deploys.jsonl", "{}\n");
	is_int(differs(k1, state), 0, "plan.json and the deploy records do not count");

	is_int(differs(k1, "{\"version\": 4, \"serial\": 8, \"lineage\": \"x\"}"), 1, "another state: another key");
	put("modules/storage/main.tf", "resource \"aws_s3_bucket\" \"logs\" {}\n");
	is_int(differs(k1, state), 1, "a changed module: another key");
	put("modules/storage/main.tf", "resource \"aws_s3_bucket\" \"data\" {}\n");
	is_int(differs(k1, state), 0, "changed back: the first key");
	put("owlet.auto.tfvars.json", "{\"name_prefix\": \"q-local\"}\n");
	is_int(differs(k1, state), 1, "changed variables: another key");
	put("owlet.auto.tfvars.json", "{\"name_prefix\": \"p-local\"}\n");
	put(".terraform.lock.hcl", "provider \"registry.terraform.io/hashicorp/aws\" { version = \"5.99.0\" }\n");
	is_int(differs(k1, state), 1, "another provider lock: another key");
	put(".terraform.lock.hcl", "provider \"registry.terraform.io/hashicorp/aws\" { version = \"5.100.0\" }\n");
	put("extra.tf", "output \"x\" { value = 1 }\n");
	is_int(differs(k1, state), 1, "a new root .tf file: another key");
	char extra[128];
	snprintf(extra, sizeof extra, "%s/extra.tf", root);
	unlink(extra);
	setenv("TF_VAR_slow", "2", 1);
	is_int(differs(k1, state), 1, "a TF_VAR_ in the environment: another key");
	unsetenv("TF_VAR_slow");
	is_int(differs(k1, state), 0, "all back: the first key");
	if (owlet_fs_rmtree(root) != 0)
		diag("cannot remove %s", root);
	return done_testing();
}
