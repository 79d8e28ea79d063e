/* check_gate.h: the security checks as a gate before apply (owlet up). */
#ifndef OWLET_CMD_CHECK_GATE_H
#define OWLET_CMD_CHECK_GATE_H

#include "check/check.h"
#include "model/environment.h"

/* --env: the rendered root is state/<env>/, a copy of the project's
 * templates and modules.  Paths in the report become paths from the
 * project: modules/... when the project holds that very file (so that code
 * scanning annotates the source), state/<env>/... otherwise. */
void check_project_paths(struct owlet_check_report *report, const char *state_dir);

/* In GitHub Actions (GITHUB_ACTIONS=true): each failure as an ::error
 * workflow command on stderr, and the report as Markdown appended to
 * $GITHUB_STEP_SUMMARY under `heading`.  Nothing elsewhere.  0 or OWLET_EIO. */
int check_ci_report(const struct owlet_check_report *report, const char *heading);

/* Runs the rules (and checkov when on PATH) on the plan's JSON of the root
 * in root_dir, with the environment's skips; prints the failures, skips
 * and notes.  Returns 0 when no rule fails, else OWLET_EINVALID with
 * "N security checks failed" (a negative code on other errors). */
int check_gate(const char *plan_json_path, const char *root_dir, const struct owlet_environment *env);

/* check_gate, but when the plan, the rendered modules, the skips and the
 * rules are those of the last passing gate of root_dir (check/recall.h), its
 * result is printed again, saying so, and the rules do not run.  A passing
 * result is kept for the next; outside GitHub Actions only. */
int check_gate_reuse(const char *plan_json_path, const char *root_dir, const struct owlet_environment *env);

#endif
