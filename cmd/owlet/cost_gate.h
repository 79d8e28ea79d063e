/* cost_gate.h: the estimate that plan and up print after the plan, its
 * change against the last deploy, and the budget that up enforces. */
#ifndef OWLET_CMD_COST_GATE_H
#define OWLET_CMD_COST_GATE_H

#include <stdio.h>

#include "cost/cost.h"

struct spine;

/* Prices state/<env>/plan.json, prints "cost: ..." (total, idle, change
 * against the last deploy record with an estimate) and keeps a summary in
 * s->estimate for the deploy record.  When s->budget_gate and the
 * environment has a budget the estimate exceeds: OWLET_ERROR, unless
 * s->over_budget. */
int cost_gate(struct spine *s);

/* The estimate in full, as `owlet cost` prints it. */
void cost_print(FILE *f, const struct owlet_cost_estimate *est, const char *env_name, bool local);

#endif
