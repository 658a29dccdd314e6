// SPDX-License-Identifier: GPL-2.0
#include "world.h"
#include "unit.h"

#include <stdio.h>
#include <string.h>

bool unit_world_build(struct unit_world *uw, const char *src, const char *const *sets)
{
	char err[512];

	memset(uw, 0, sizeof(*uw));
	if (scn_parse(&uw->s, "unit.adsim", src, err, sizeof(err))) {
		printf("    parse: %s\n", err);
		goto fail;
	}
	for (; sets && *sets; sets++)
		if (scn_set(&uw->s, *sets, err, sizeof(err))) {
			printf("    --set: %s\n", err);
			goto fail;
		}
	if (model_build(&uw->m, &uw->s, err, sizeof(err))) {
		printf("    build: %s\n", err);
		goto fail;
	}
	uw->m.ex.cur = NULL;
	uw->ok = true;
	return true;
fail:
	unit_failures++;
	scn_free(&uw->s);
	return false;
}

void unit_world_free(struct unit_world *uw)
{
	if (uw->ok)
		model_destroy(&uw->m);
	scn_free(&uw->s);
}

static int decl(struct unit_world *uw, const char *name)
{
	for (int i = 0; i < uw->s.nr_decls; i++)
		if (!strcmp(uw->s.decls[i].name, name))
			return i;
	return -1;
}

struct mm_struct *unit_mm(struct unit_world *uw, const char *name)
{
	int i = decl(uw, name);

	return i < 0 ? NULL : uw->m.w->drv.mm_of[i];
}

struct address_space *unit_file(struct unit_world *uw, const char *name)
{
	int i = decl(uw, name);

	return i < 0 ? NULL : uw->m.w->drv.file_of[i];
}

int unit_actor_tlb(struct unit_world *uw, const char *actor)
{
	for (int i = 0; i < uw->m.inst.nr_actors; i++)
		if (!strcmp(uw->m.ex.actors[i].name, actor))
			return uw->m.actors[i].tlb;
	return -1;
}

u64 *unit_pte(struct unit_world *uw, int space, u64 addr)
{
	return hw_lookup(&uw->m.w->hw, space, addr, PG_LEVEL_4K);
}
