// SPDX-License-Identifier: GPL-2.0
#include "arena.h"

#include <stdlib.h>
#include <string.h>

int arena_init(struct arena *a, size_t size)
{
	memset(a, 0, sizeof(*a));
	a->base = aligned_alloc(64, (size + 63) & ~(size_t)63);
	if (!a->base)
		return -1;
	memset(a->base, 0, size);
	a->size = size;
	return 0;
}

void arena_fini(struct arena *a)
{
	free(a->base);
	free(a->snap);
	memset(a, 0, sizeof(*a));
}

void *arena_alloc(struct arena *a, size_t size)
{
	size_t off = (a->used + 63) & ~(size_t)63;

	if (off + size > a->size)
		return NULL;
	a->used = off + size;
	return a->base + off;
}

void arena_snapshot(struct arena *a, size_t len, size_t hole, size_t hole_len)
{
	if (hole > len || hole_len > len - hole)
		hole = hole_len = 0;
	a->hole_off = hole;
	a->hole_len = hole_len;
	free(a->snap);
	a->snap = malloc(len ? len : 1);
	if (!a->snap) {
		a->snap_len = 0;
		a->hole_off = a->hole_len = 0;
		return;
	}
	memcpy(a->snap, a->base, len);
	a->snap_len = len;
}
