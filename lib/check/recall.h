/*
 * recall.h: a passing gate's result, kept for the same plan.
 *
 * The key is a SHA-256 over everything the gate reads: the plan's JSON (its
 * "timestamp" left out, the rest in canonical form), the rendered root's .tf
 * files and those of its modules (locations and inline skips), the
 * environment's target and skips, owlet's own executable (its rules, its
 * emulator skips) and checkov when it is on PATH (its path, size and
 * mtime).  A passing result is kept in <root_dir>/check-result.json
 * {"key","time","text"}; a gate whose key equals it may print that text
 * instead of running the rules again.  Any change to those inputs changes
 * the key, so the rules run again.
 */
#ifndef OWLET_CHECK_RECALL_H
#define OWLET_CHECK_RECALL_H

#include <stddef.h>

#include "model/environment.h"

#define OWLET_CHECK_RESULT_FILE "check-result.json"

/* hex: 64 hex digits and a NUL. */
int owlet_check_key(char hex[65], const char *plan_json_path, const char *root_dir,
		    const struct owlet_environment *env);
/* The key of what a plan is made from, for a local plan without refresh
 * that plans no change: the rendered root's and modules' .tf files, the
 * variables (owlet.auto.tfvars.json), backend.hcl, the provider lock, the
 * state terraform planned against (its bytes), TF_VAR_* and TF_CLI_ARGS*
 * in the environment, terraform's executable (path, size, mtime) and
 * owlet's.  Equal keys plan the same JSON, so the JSON of
 * the last such plan stands for `terraform show -json` (deploy/spine). */
int owlet_plan_inputs_key(char hex[65], const char *root_dir, const void *state, size_t state_len);
/* The kept result of key: *text (caller frees) and when it was recorded
 * (UTC, ISO 8601); *text NULL when none is kept for this key. */
int owlet_check_recall(char **text, char *when, size_t when_size, const char *root_dir, const char *key);
/* Keeps a passing result (text: the report as printed). */
int owlet_check_remember(const char *root_dir, const char *key, const char *text);
/* Removes the kept result (0 when there is none). */
int owlet_check_forget(const char *root_dir);

#endif
