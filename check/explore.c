// SPDX-License-Identifier: GPL-2.0
/*
 * check/explore: stateless exploration of a model's interleavings.
 *
 * Every execution replays from the reset world.  The decision stack holds
 * one node per scheduling decision (which actor steps) and per explorer
 * choice inside a step (exec_choose(), e.g. a TLB eviction).
 *
 * Modes:
 *  - sleep: exhaustive depth-first search with sleep sets (Godefroid): an
 *    actor explored from a node sleeps in its later siblings' subtrees
 *    until a dependent step wakes it.  Every Mazurkiewicz trace keeps a
 *    representative, so every reachable final state and every violation
 *    is found.
 *  - none: exhaustive depth-first search over all interleavings.
 *  - bounded: all interleavings with at most K preemptions, K = 0, 1, ...
 *  - random: independent random executions from a seeded PRNG.
 *
 * Two steps are dependent when they touch the same model word and one of
 * them writes it (exec_foot).
 */
#include "explore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { NODE_SCHED, NODE_CHOICE };

struct node {
	u8 kind;
	u8 chosen;
	u8 nchoice;
	u8 preemptions;
	u32 enabled, todo, sleep;
	struct exec_foot foot[EXEC_MAX_ACTORS];	/* pending ops at this state */
};

struct explorer {
	struct model *m;
	const struct explore_opts *o;
	struct node *nodes;
	int nr_nodes, cap;
	int depth;		/* decisions taken in the current execution */
	int bound;		/* bounded mode: current preemption bound */
	bool pruned;		/* bounded mode: the bound cut some branch */
	bool overflow;		/* an execution hit max_depth */
	u64 rng;
	struct explore_result *r;
};

static u64 rng_next(u64 *s)
{
	u64 x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool foot_dep(const struct exec_foot *a, const struct exec_foot *b)
{
	for (int i = 0; i < a->n; i++)
		for (int j = 0; j < b->n; j++)
			if (a->o[i].addr == b->o[j].addr &&
			    ((a->o[i].acc | b->o[j].acc) & ACC_W))
				return true;
	return false;
}

static struct node *push_node(struct explorer *e)
{
	if (e->nr_nodes == e->cap) {
		int cap = e->cap ? e->cap * 2 : 256;
		struct node *n = realloc(e->nodes, (size_t)cap * sizeof(*n));

		if (!n)
			return NULL;
		e->nodes = n;
		e->cap = cap;
	}
	memset(&e->nodes[e->nr_nodes], 0, sizeof(e->nodes[0]));
	return &e->nodes[e->nr_nodes++];
}

static int explore_choose(struct exec *ex, int n, void *drv)
{
	struct explorer *e = drv;
	struct node *nd;

	(void)ex;
	if (e->depth < e->nr_nodes) {
		nd = &e->nodes[e->depth++];
		return nd->kind == NODE_CHOICE && nd->chosen < n ? nd->chosen : 0;
	}
	nd = push_node(e);
	if (!nd)
		return 0;
	nd->kind = NODE_CHOICE;
	nd->nchoice = (u8)(n > 255 ? 255 : n);
	nd->chosen = e->o->mode == EXPLORE_RANDOM ? (u8)(rng_next(&e->rng) % (u64)n) : 0;
	e->depth++;
	return nd->chosen;
}

static int lowest(u32 mask)
{
	return mask ? __builtin_ctz(mask) : -1;
}

/*
 * Runs one execution: the recorded decisions first, new ones after.
 * Returns 1 if a violation was found, 0 otherwise.
 */
static int run_execution(struct explorer *e, int *prev_actor_out)
{
	struct model *m = e->m;
	struct exec *ex = &m->ex;
	u32 inherited_sleep = 0;
	struct exec_foot inherited_foot[EXEC_MAX_ACTORS];
	int prev = -1, steps = 0;
	bool blocked = false;

	model_begin(m);
	e->depth = 0;
	memset(inherited_foot, 0, sizeof(inherited_foot));
	for (;;) {
		struct node *nd;
		u32 enabled = 0;
		int p;

		if (ex->have_finding)
			break;
		if (exec_all_done(ex))
			break;
		if (steps >= e->o->max_depth) {
			e->overflow = true;
			blocked = true;
			break;
		}
		for (int i = 0; i < ex->nr_actors; i++)
			if (exec_enabled(ex, i))
				enabled |= 1u << i;
		if (!enabled) {
			char names[200] = "";
			size_t n = 0;

			for (int i = 0; i < ex->nr_actors; i++)
				if (exec_live(ex, i))
					n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s",
							      n ? ", " : "", ex->actors[i].name);
			ex->cur = NULL;
			exec_report(ORACLE_DEADLOCK, "no actor can run; blocked: %s", names);
			break;
		}
		if (e->depth < e->nr_nodes) {
			nd = &e->nodes[e->depth];
			p = nd->chosen;
		} else {
			u32 cand = enabled;

			nd = push_node(e);
			if (!nd) {
				blocked = true;
				break;
			}
			nd->kind = NODE_SCHED;
			nd->enabled = enabled;
			nd->preemptions = e->depth ? 0 : 0;
			if (e->o->mode == EXPLORE_SLEEP) {
				nd->sleep = inherited_sleep & enabled;
				memcpy(nd->foot, inherited_foot, sizeof(nd->foot));
				cand &= ~nd->sleep;
			}
			for (int i = 0; i < ex->nr_actors; i++)
				if ((enabled & (1u << i)) && !(nd->sleep & (1u << i)))
					exec_pending_foot(ex, i, &nd->foot[i]);
			if (e->o->mode == EXPLORE_BOUNDED && prev >= 0 &&
			    (enabled & (1u << prev))) {
				/* count preemptions along the path */
				int pre = 0;

				for (int d = 0; d < e->depth; d++)
					if (e->nodes[d].kind == NODE_SCHED)
						pre = e->nodes[d].preemptions;
				nd->preemptions = (u8)pre;
				if (pre >= e->bound) {
					if (cand & ~(1u << prev))
						e->pruned = true;
					cand &= 1u << prev;
				}
			} else if (e->o->mode == EXPLORE_BOUNDED) {
				int pre = 0;

				for (int d = 0; d < e->depth; d++)
					if (e->nodes[d].kind == NODE_SCHED)
						pre = e->nodes[d].preemptions;
				nd->preemptions = (u8)pre;
			}
			if (!cand) {
				/* every enabled actor sleeps: a redundant execution */
				e->nr_nodes--;
				blocked = true;
				e->r->sleep_blocked++;
				break;
			}
			if (e->o->mode == EXPLORE_RANDOM) {
				int k = (int)(rng_next(&e->rng) % (u64)__builtin_popcount(cand));

				p = -1;
				for (int i = 0; i < ex->nr_actors && p < 0; i++)
					if ((cand & (1u << i)) && k-- == 0)
						p = i;
				nd->todo = 0;
			} else {
				/* prefer the actor that just ran: fewer preemptions first */
				p = prev >= 0 && (cand & (1u << prev)) ? prev : lowest(cand);
				nd->todo = cand & ~(1u << p);
			}
			nd->chosen = (u8)p;
			if (e->o->mode == EXPLORE_BOUNDED && prev >= 0 && p != prev &&
			    (enabled & (1u << prev)))
				nd->preemptions++;
		}
		/* the child's sleep set: sleepers independent of this step */
		{
			struct exec_foot f;
			u32 sl = 0;

			exec_pending_foot(ex, p, &f);
			if (e->o->mode == EXPLORE_SLEEP) {
				for (int i = 0; i < ex->nr_actors; i++)
					if ((nd->sleep & (1u << i)) && i != p &&
					    !foot_dep(&nd->foot[i], &f))
						sl |= 1u << i;
				memcpy(inherited_foot, nd->foot, sizeof(inherited_foot));
			}
			inherited_sleep = sl;
		}
		e->depth++;
		exec_step(ex, p);
		steps++;
		e->r->steps++;
		prev = p;
	}
	*prev_actor_out = prev;
	e->r->executions++;
	if (ex->have_finding)
		return 1;
	if (blocked)
		return 0;
	model_finish(m);
	return ex->have_finding ? 1 : 0;
}

/* Moves to the next unexplored decision; false when the tree is done. */
static bool backtrack(struct explorer *e)
{
	while (e->nr_nodes > 0) {
		struct node *nd = &e->nodes[e->nr_nodes - 1];

		if (nd->kind == NODE_CHOICE) {
			if (nd->chosen + 1 < nd->nchoice) {
				nd->chosen++;
				return true;
			}
		} else if (e->o->mode != EXPLORE_RANDOM) {
			u32 todo = nd->todo & ~nd->sleep;

			if (e->o->mode == EXPLORE_SLEEP)
				nd->sleep |= 1u << nd->chosen;
			if (todo) {
				int p = lowest(todo);

				if (e->o->mode == EXPLORE_BOUNDED) {
					/* a switch away from the previous actor */
					nd->preemptions = nd->preemptions;
				}
				nd->todo &= ~(1u << p);
				nd->chosen = (u8)p;
				return true;
			}
		}
		e->nr_nodes--;
	}
	return false;
}

static void record_schedule(struct explorer *e, struct explore_result *r)
{
	size_t n = 0;

	r->schedule[0] = 0;
	for (int d = 0; d < e->depth && d < e->nr_nodes && n + 8 < sizeof(r->schedule); d++) {
		const struct node *nd = &e->nodes[d];

		n += (size_t)snprintf(r->schedule + n, sizeof(r->schedule) - n, "%s%s%u",
				      d ? "," : "", nd->kind == NODE_CHOICE ? "c" : "",
				      nd->chosen);
	}
}

int explore(struct model *m, const struct explore_opts *o, struct explore_result *r)
{
	struct explorer e = { .m = m, .o = o, .r = r };
	double t0 = now_s();
	int prev;

	memset(r, 0, sizeof(*r));
	e.rng = o->seed ? o->seed : 0x9e3779b97f4a7c15ULL;
	m->ex.choose = explore_choose;
	m->ex.drv = &e;
	r->complete = true;
	for (e.bound = 0;; e.bound++) {
		e.nr_nodes = 0;
		e.pruned = false;
		for (;;) {
			if (run_execution(&e, &prev)) {
				r->violation = true;
				r->finding = m->ex.finding;
				record_schedule(&e, r);
				r->complete = false;
				goto out;
			}
			if (o->max_executions && r->executions >= o->max_executions) {
				r->complete = false;
				goto out;
			}
			if (o->max_seconds > 0 && now_s() - t0 > o->max_seconds) {
				r->complete = false;
				goto out;
			}
			if (o->mode == EXPLORE_RANDOM) {
				e.nr_nodes = 0;
				continue;
			}
			if (!backtrack(&e))
				break;
		}
		if (o->mode != EXPLORE_BOUNDED || !e.pruned || e.bound >= o->bound) {
			if (o->mode == EXPLORE_BOUNDED && e.pruned)
				r->complete = false;
			break;
		}
	}
	if (o->mode == EXPLORE_RANDOM)
		r->complete = false;
out:
	if (e.overflow)
		r->complete = false;
	r->seconds = now_s() - t0;
	free(e.nodes);
	m->ex.choose = NULL;
	return r->violation;
}

/* Replays a schedule string with tracing on. */
int explore_replay(struct model *m, const char *schedule, struct explore_result *r)
{
	struct explorer e = { .m = m };
	struct explore_opts o = { .mode = EXPLORE_NONE, .max_depth = 100000 };
	const char *p = schedule;
	int prev;

	memset(r, 0, sizeof(*r));
	e.o = &o;
	e.r = r;
	while (*p) {
		struct node *nd = push_node(&e);
		char *end;
		unsigned long v;

		if (!nd)
			return -1;
		nd->kind = *p == 'c' ? NODE_CHOICE : NODE_SCHED;
		if (*p == 'c')
			p++;
		v = strtoul(p, &end, 10);
		if (end == p || v > 255 || (*end && *end != ','))
			return -1;
		if (nd->kind == NODE_SCHED && v >= (unsigned long)m->ex.nr_actors)
			return -1;
		nd->chosen = (u8)v;
		nd->nchoice = 255;
		p = *end ? end + 1 : end;
	}
	m->ex.choose = explore_choose;
	m->ex.drv = &e;
	m->ex.tracing = true;
	r->violation = run_execution(&e, &prev);
	r->finding = m->ex.finding;
	m->ex.choose = NULL;
	free(e.nodes);
	return 0;
}
