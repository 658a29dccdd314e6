/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The world arena: all mutable model state lives in one block at a fixed
 * address, so an execution is reset by copying the snapshot back over it
 * (pointers inside stay valid) instead of rebuilding anything.
 */
#ifndef ADSIM_EXEC_ARENA_H
#define ADSIM_EXEC_ARENA_H

#include "types.h"

struct arena {
	u8 *base;
	size_t size, used;
	u8 *snap;
	size_t snap_len;	/* bytes restored by arena_reset() */
	size_t hole_off, hole_len;	/* a range arena_reset() leaves alone */
};

int arena_init(struct arena *a, size_t size);
void arena_fini(struct arena *a);
/* Zeroed, 64-byte aligned; NULL when full. */
void *arena_alloc(struct arena *a, size_t size);
/*
 * Saves the first len bytes for arena_reset(), except [hole, hole + hole_len):
 * memory whose users initialise it before use (free page-table pages).
 */
void arena_snapshot(struct arena *a, size_t len, size_t hole, size_t hole_len);
static inline void arena_reset(struct arena *a)
{
	extern void *memcpy(void *, const void *, size_t);
	size_t tail = a->hole_off + a->hole_len;

	memcpy(a->base, a->snap, a->hole_off);
	memcpy(a->base + tail, a->snap + tail, a->snap_len - tail);
}

#endif
