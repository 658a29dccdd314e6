/* SPDX-License-Identifier: GPL-2.0 */
/* Builds a model world from scenario text, for tests that drive a layer
 * directly (direct mode: no current actor, every primitive acts at once). */
#ifndef ADSIM_TESTS_WORLD_H
#define ADSIM_TESTS_WORLD_H

#include "../../check/explore.h"
#include "../../scn/scn.h"

struct unit_world {
	struct scn s;
	struct model m;
	bool ok;
};

/* Parses and builds; on failure prints the error, counts a failure of
 * the running test, frees what it made and returns false. */
bool unit_world_build(struct unit_world *uw, const char *src, const char *const *sets);
void unit_world_free(struct unit_world *uw);
/* The model object a declaration (by name) became. */
struct mm_struct *unit_mm(struct unit_world *uw, const char *name);
struct address_space *unit_file(struct unit_world *uw, const char *name);
int unit_actor_tlb(struct unit_world *uw, const char *actor);
/* The level-1 entry mapping addr in the space, or NULL. */
u64 *unit_pte(struct unit_world *uw, int space, u64 addr);

#endif
