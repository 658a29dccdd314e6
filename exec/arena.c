// SPDX-License-Identifier: GPL-2.0
#include "arena.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/*
 * Anonymous memory: zero without a memset, so the part of a large arena a
 * run never touches costs no resident memory (sim sizes the arena for the
 * worst case).
 */
int arena_init(struct arena *a, size_t size)
{
	void *p;

	memset(a, 0, sizeof(*a));
	size = (size + 4095) & ~(size_t)4095;
	p = mmap(NULL, size ? size : 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	a->base = p;
	a->size = size;
	return 0;
}

void arena_fini(struct arena *a)
{
	if (a->base)
		munmap(a->base, a->size ? a->size : 4096);
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
