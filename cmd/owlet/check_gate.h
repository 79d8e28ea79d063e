/* check_gate.h: the security checks as a gate before apply (owlet up). */
#ifndef OWLET_CMD_CHECK_GATE_H
#define OWLET_CMD_CHECK_GATE_H

#include "model/environment.h"

/* Runs the rules (and checkov when on PATH) on the plan's JSON of the root
 * in root_dir, with the environment's skips; prints the failures, skips
 * and notes.  Returns 0 when no rule fails, else OWLET_EINVALID with
 * "N security checks failed" (a negative code on other errors). */
int check_gate(const char *plan_json_path, const char *root_dir, const struct owlet_environment *env);

#endif
