/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ADSIM_CHECK_RACETABLE_H
#define ADSIM_CHECK_RACETABLE_H

#include <stdio.h>

#include "model.h"

/* The column name of a trace step's actor: its name, or "final". */
const char *chk_step_actor_name(const struct exec *ex, int actor);
/* The traced execution of m (run with tracing on) as a race table. */
void chk_print_race_table(FILE *f, struct model *m);

#endif
