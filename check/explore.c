// SPDX-License-Identifier: GPL-2.0
/*
 * check/explore: stateless exploration of a model's interleavings.
 *
 * Every execution replays from the reset world.  The decision stack holds
 * one node per scheduling decision (which actor steps) and per explorer
 * choice inside a step (exec_choose(), e.g. a TLB eviction).
 *
 * Modes:
 *  - dpor: dynamic partial-order reduction (Flanagan and Godefroid, POPL
 *    2005) with sleep sets.  A node explores one actor first; after each
 *    step, vector clocks give the happens-before order of the execution,
 *    and for every actor's next step the latest dependent step it does not
 *    happen after is a race: the actor (or, if it was not enabled there,
 *    every enabled one) joins the backtrack set of the node before that
 *    step.  Sleep sets keep the extra branches from repeating traces.
 *  - sleep: exhaustive depth-first search with sleep sets (Godefroid): an
 *    actor explored from a node sleeps in its later siblings' subtrees
 *    until a dependent step wakes it.  Every Mazurkiewicz trace keeps a
 *    representative, so every reachable final state and every violation
 *    is found.
 *  - none: exhaustive depth-first search over all interleavings.
 *  - bounded: all interleavings with at most K preemptions, K = 0, 1, ...
 *    up to --bound; a non-default explorer choice (a TLB eviction) counts
 *    as a preemption.
 *  - random: independent random executions from a seeded PRNG.
 *
 * Two steps are dependent when their footprints conflict
 * (exec_obj_conflict(): the same word or bit, one of them writing, and not
 * two blind updates of one kind).
 */
#include "explore.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { NODE_SCHED, NODE_CHOICE };

struct node {
	u8 kind;
	u8 chosen;
	u8 nchoice;
	u8 base_pre;	/* bounded: preemptions on the path before this node */
	u8 preemptions;	/* bounded: ... including this node's decision */
	s8 prev;	/* sched: the actor that took the previous step */
	u32 enabled, todo, sleep;
	struct exec_foot foot[EXEC_MAX_ACTORS];	/* pending ops at this state */
};

/* DPOR bookkeeping for one execution (rebuilt on every replay). */
typedef u32 vclock[EXEC_MAX_ACTORS];

struct dpor_var {		/* one model word, or one bit of it */
	const void *addr;
	u32 gen;
	u8 bit1;			/* as exec_obj.bit1 */
	int lastw;			/* event index of the last write, or -1 */
	int rd[EXEC_MAX_ACTORS];	/* each actor's last read since, or -1 */
	int ad[EXEC_MAX_ACTORS];	/* each actor's last blind update since, or -1 */
	u8 adk;				/* their kind (ACC_ADD, ACC_SET or ACC_CLR) */
	u64 bits;			/* whole-word entry: bits accessed alone */
};

struct dpor {
	int nev, cap;
	u8 *actor;		/* event -> actor */
	int *node;		/* event -> its NODE_SCHED index */
	vclock *clock;		/* event -> vector clock */
	vclock clk[EXEC_MAX_ACTORS];	/* actor -> clock of its last event */
	struct dpor_var *vars;
	u32 nvars, gen;		/* hash table size (power of 2), execution */
	u32 used;
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
	int diverge;		/* first node that differs from the last execution */
	struct dpor dp;
	/*
	 * replay: the recorded nodes are a user's schedule, checked step by
	 * step against what the model can do here; the first that does not
	 * fit stops the execution with its reason in err.
	 */
	bool replay, invalid;
	char *err;
	size_t errn;
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
			if (exec_obj_conflict(&a->o[i], &b->o[j]))
				return true;
	return false;
}

/* ---- DPOR ---- */

static struct dpor_var *dpor_probe(struct dpor *d, const void *addr, u8 bit1)
{
	u32 mask = d->nvars - 1;
	u32 h = (u32)((((uintptr_t)addr >> 2) + bit1) * 0x9e3779b1u) & mask;

	for (;; h = (h + 1) & mask) {
		struct dpor_var *v = &d->vars[h];

		if (v->gen != d->gen || (v->addr == addr && v->bit1 == bit1))
			return v;
	}
}

/*
 * The entry of a word (bit1 0) or of one of its bits.  Only inserting may
 * grow the table, so pointers to existing entries stay valid across
 * lookups of existing entries.
 */
static struct dpor_var *dpor_var(struct dpor *d, const void *addr, u8 bit1)
{
	struct dpor_var *v = d->nvars ? dpor_probe(d, addr, bit1) : NULL;

	if (v && v->gen == d->gen)
		return v;
	if (d->used * 2 >= d->nvars) {	/* grow (rehash the live ones) */
		u32 on = d->nvars, n = on ? on * 2 : 256;
		struct dpor_var *old = d->vars, *nv = calloc(n, sizeof(*nv));

		if (!nv)
			return NULL;
		d->vars = nv;
		d->nvars = n;
		for (u32 i = 0; i < on; i++)
			if (old[i].gen == d->gen)
				*dpor_probe(d, old[i].addr, old[i].bit1) = old[i];
		free(old);
		v = dpor_probe(d, addr, bit1);
	}
	v->gen = d->gen;
	v->addr = addr;
	v->bit1 = bit1;
	v->lastw = -1;
	v->bits = 0;
	v->adk = 0;
	memset(v->rd, 0xff, sizeof(v->rd));
	memset(v->ad, 0xff, sizeof(v->ad));
	d->used++;
	return v;
}

/* An access's own entry, the whole word's, and every bit accessed alone. */
#define DPOR_MAX_VARS (2 + 64)

/*
 * The entries an access must be ordered against, its own first: for a bit,
 * the whole word's too; for the whole word, every bit accessed alone.
 */
static int dpor_vars(struct dpor *d, const struct exec_obj *o,
		     struct dpor_var *out[DPOR_MAX_VARS])
{
	struct dpor_var *w;
	int n = 0;

	/* insert the word's entry first, so the lookups after it move nothing */
	if (!dpor_var(d, o->addr, 0) ||
	    (o->bit1 && !(out[n++] = dpor_var(d, o->addr, o->bit1))))
		return 0;
	w = dpor_var(d, o->addr, 0);
	out[n++] = w;
	if (o->bit1)
		w->bits |= BIT_ULL(o->bit1 - 1);
	else
		for (u64 m = w->bits; m; m &= m - 1)
			out[n++] = dpor_var(d, o->addr, (u8)(__builtin_ctzll(m) + 1));
	return n;
}

/* Which earlier accesses an access of kind acc is ordered after: every
 * write; reads unless it only reads; blind updates unless of its kind. */
static bool dpor_dep_reads(u8 acc)
{
	return acc & (ACC_W | ACC_BLIND);
}

static bool dpor_dep_blind(u8 acc, const struct dpor_var *v)
{
	return !(acc & ACC_BLIND) || acc != v->adk;
}

static void dpor_reset(struct dpor *d)
{
	d->nev = 0;
	d->gen++;
	d->used = 0;
	memset(d->clk, 0, sizeof(d->clk));
}

static void vc_join(vclock a, const vclock b)
{
	for (int i = 0; i < EXEC_MAX_ACTORS; i++)
		if (b[i] > a[i])
			a[i] = b[i];
}

/* Records event (actor p, footprint f, taken at node) and its clock. */
static bool dpor_event(struct dpor *d, int p, const struct exec_foot *f, int node)
{
	int i = d->nev;
	u32 *c;

	if (i == d->cap) {
		int cap = d->cap ? d->cap * 2 : 1024;
		u8 *a = realloc(d->actor, (size_t)cap);
		int *n = a ? realloc(d->node, (size_t)cap * sizeof(int)) : NULL;
		vclock *k = n ? realloc(d->clock, (size_t)cap * sizeof(vclock)) : NULL;

		if (a)
			d->actor = a;
		if (n)
			d->node = n;
		if (!k)
			return false;
		d->clock = k;
		d->cap = cap;
	}
	c = d->clock[i];
	memcpy(c, d->clk[p], sizeof(vclock));
	for (int k = 0; k < f->n; k++) {
		struct dpor_var *vs[DPOR_MAX_VARS], *own;
		u8 acc = f->o[k].acc;
		int nv = dpor_vars(d, &f->o[k], vs);

		if (!nv)
			return false;
		for (int x = 0; x < nv; x++) {
			struct dpor_var *v = vs[x];
			bool rd = dpor_dep_reads(acc), ad = dpor_dep_blind(acc, v);

			if (v->lastw >= 0)
				vc_join(c, d->clock[v->lastw]);
			for (int a = 0; a < EXEC_MAX_ACTORS; a++) {
				if (rd && v->rd[a] >= 0)
					vc_join(c, d->clock[v->rd[a]]);
				if (ad && v->ad[a] >= 0)
					vc_join(c, d->clock[v->ad[a]]);
			}
		}
		own = vs[0];
		if ((acc & ACC_W) || ((acc & ACC_BLIND) && own->adk && acc != own->adk)) {
			/* a write, or a blind update of another kind: order all */
			own->lastw = i;
			memset(own->rd, 0xff, sizeof(own->rd));
			memset(own->ad, 0xff, sizeof(own->ad));
			own->adk = 0;
		} else if (acc & ACC_BLIND) {
			own->ad[p] = i;
			own->adk = acc;
		} else {
			own->rd[p] = i;
		}
	}
	c[p] = (u32)i + 1;
	memcpy(d->clk[p], c, sizeof(vclock));
	d->actor[i] = (u8)p;
	d->node[i] = node;
	d->nev++;
	return true;
}

/* The latest event dependent with q's next step that q does not follow. */
static int dpor_race(struct dpor *d, int q, const struct exec_foot *f)
{
	const u32 *cq = d->clk[q];
	int best = -1;

	for (int k = 0; k < f->n; k++) {
		struct dpor_var *vs[DPOR_MAX_VARS];
		u8 acc = f->o[k].acc;
		int nv = dpor_vars(d, &f->o[k], vs);

		for (int x = 0; x < nv; x++) {
			struct dpor_var *v = vs[x];
			bool rd = dpor_dep_reads(acc), ad = dpor_dep_blind(acc, v);
			int j = v->lastw;

			if (j > best && d->actor[j] != q && cq[d->actor[j]] < (u32)j + 1)
				best = j;
			for (int a = 0; a < EXEC_MAX_ACTORS; a++) {
				if (a == q)
					continue;
				if (rd && (j = v->rd[a]) > best && cq[a] < (u32)j + 1)
					best = j;
				if (ad && (j = v->ad[a]) > best && cq[a] < (u32)j + 1)
					best = j;
			}
		}
	}
	return best;
}

/*
 * At the current state: for each actor's next step, find its race and
 * add a backtrack point before the racing event.
 */
static void dpor_analyse(struct explorer *e, u32 enabled)
{
	struct exec *ex = &e->m->ex;
	struct dpor *d = &e->dp;

	for (int q = 0; q < ex->nr_actors; q++) {
		struct exec_foot f;
		struct node *nd;
		int j;
		bool en = enabled & (1u << q);

		/* finished actors have no next step; idle handlers none yet */
		if (!en && !exec_live(ex, q))
			continue;
		exec_pending_foot(ex, q, &f);
		if (!f.n || (j = dpor_race(d, q, &f)) < 0)
			continue;
		nd = &e->nodes[d->node[j]];
		if (nd->enabled & (1u << q)) {
			if (!((nd->sleep | nd->todo) & (1u << q)) && nd->chosen != q)
				nd->todo |= 1u << q;
		} else {
			nd->todo |= nd->enabled & ~nd->sleep & ~(1u << nd->chosen);
		}
	}
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
	/* the footprints are filled per actor as needed */
	memset(&e->nodes[e->nr_nodes], 0, offsetof(struct node, foot));
	return &e->nodes[e->nr_nodes++];
}

static bool uses_sleep_sets(const struct explorer *e)
{
	return e->o->mode == EXPLORE_SLEEP || e->o->mode == EXPLORE_DPOR;
}

/*
 * Bounded mode counts, along the path, the switches away from an actor
 * that could have gone on and the non-default explorer choices (a TLB
 * eviction perturbs an execution as much as a preemption does).
 */
static u8 path_preemptions(const struct explorer *e)
{
	return e->depth ? e->nodes[e->depth - 1].preemptions : 0;
}

static u8 sched_preemptions(const struct node *nd, int p)
{
	return (u8)(nd->base_pre + (nd->prev >= 0 && p != nd->prev &&
				    (nd->enabled & (1u << nd->prev))));
}

static void replay_invalid(struct explorer *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void replay_invalid(struct explorer *e, const char *fmt, ...)
{
	va_list ap;

	if (e->invalid)
		return;
	e->invalid = true;
	va_start(ap, fmt);
	vsnprintf(e->err, e->errn, fmt, ap);
	va_end(ap);
}

/* "0 (c0), 2 (k0)": the actors in mask, by number and name. */
static void actor_list(const struct exec *ex, u32 mask, char *buf, size_t n)
{
	size_t l = 0;

	buf[0] = 0;
	for (int i = 0; i < ex->nr_actors && l < n; i++)
		if (mask & (1u << i))
			l += (size_t)snprintf(buf + l, n - l, "%s%d (%s)", l ? ", " : "", i,
					      ex->actors[i].name);
	if (!mask)
		snprintf(buf, n, "none");
}

/*
 * replay: does the schedule's node at e->depth fit a scheduling decision
 * with this enabled set?  Step numbers count the schedule's entries from 1.
 */
static bool replay_sched_ok(struct explorer *e, const struct node *nd, u32 enabled)
{
	struct exec *ex = &e->m->ex;
	char names[512];

	if (!e->replay)
		return true;
	actor_list(ex, enabled, names, sizeof(names));
	if (nd->kind != NODE_SCHED) {
		replay_invalid(e, "schedule step %d: c%u is an explorer choice, but an actor steps here (enabled: %s)",
			       e->depth + 1, nd->chosen, names);
		return false;
	}
	if (nd->chosen >= ex->nr_actors || !(enabled & (1u << nd->chosen))) {
		if (nd->chosen >= ex->nr_actors)
			replay_invalid(e, "schedule step %d: actor %u does not exist (enabled: %s)",
				       e->depth + 1, nd->chosen, names);
		else
			replay_invalid(e, "schedule step %d: actor %u (%s) is not enabled here (enabled: %s)",
				       e->depth + 1, nd->chosen, ex->actors[nd->chosen].name, names);
		return false;
	}
	return true;
}

static int explore_choose(struct exec *ex, int n, void *drv)
{
	struct explorer *e = drv;
	struct node *nd;

	(void)ex;
	if (e->invalid)
		return 0;	/* the step ends; run_execution() stops after it */
	if (e->depth < e->nr_nodes) {
		nd = &e->nodes[e->depth];
		if (e->replay && nd->kind != NODE_CHOICE) {
			replay_invalid(e, "schedule step %d: the model makes a choice here (c0..c%d), found actor %u",
				       e->depth + 1, n - 1, nd->chosen);
			return 0;
		}
		if (e->replay && nd->chosen >= n) {
			replay_invalid(e, "schedule step %d: choice c%u out of range c0..c%d",
				       e->depth + 1, nd->chosen, n - 1);
			return 0;
		}
		e->depth++;
		return nd->kind == NODE_CHOICE && nd->chosen < n ? nd->chosen : 0;
	}
	nd = push_node(e);
	if (!nd)
		return 0;
	nd->kind = NODE_CHOICE;
	nd->nchoice = (u8)(n > 255 ? 255 : n);
	nd->chosen = e->o->mode == EXPLORE_RANDOM ? (u8)(rng_next(&e->rng) % (u64)n) : 0;
	nd->base_pre = nd->preemptions = path_preemptions(e);
	e->depth++;
	return nd->chosen;
}

static int lowest(u32 mask)
{
	return mask ? __builtin_ctz(mask) : -1;
}

static u32 enabled_actors(struct exec *ex)
{
	u32 enabled = 0;

	for (int i = 0; i < ex->nr_actors; i++)
		if (exec_enabled(ex, i))
			enabled |= 1u << i;
	return enabled;
}

/* Nobody can run but somebody has not finished: a deadlock. */
static void report_deadlock(struct exec *ex)
{
	char names[200] = "";
	size_t n = 0;

	for (int i = 0; i < ex->nr_actors; i++)
		if (exec_live(ex, i))
			n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s", n ? ", " : "",
					      ex->actors[i].name);
	ex->cur = NULL;
	exec_report(ORACLE_DEADLOCK, "no actor can run; blocked: %s", names);
}

/*
 * A new scheduling decision at the current state: its enabled set, the
 * sleep set it inherits, each awake actor's pending footprint, and the
 * actor to run first (the one that just ran if it can go on, fewer
 * preemptions first; random mode draws one).  Returns the actor, or -1
 * when the execution stops here: out of memory, or every enabled actor
 * sleeps (a redundant execution, counted).
 */
static int new_sched_node(struct explorer *e, u32 enabled, int prev, u32 inherited_sleep,
			  const struct exec_foot *inherited_foot, struct node **ndp)
{
	struct exec *ex = &e->m->ex;
	struct node *nd = push_node(e);
	u32 cand = enabled;
	int p;

	if (!nd)
		return -1;
	nd->kind = NODE_SCHED;
	nd->enabled = enabled;
	nd->base_pre = path_preemptions(e);
	nd->prev = (s8)prev;
	if (uses_sleep_sets(e)) {
		nd->sleep = inherited_sleep & enabled;
		for (u32 b = nd->sleep; b; b &= b - 1)
			nd->foot[__builtin_ctz(b)] = inherited_foot[__builtin_ctz(b)];
		cand &= ~nd->sleep;
	}
	for (int i = 0; i < ex->nr_actors; i++)
		if ((enabled & (1u << i)) && !(nd->sleep & (1u << i)))
			exec_pending_foot(ex, i, &nd->foot[i]);
	if (e->o->mode == EXPLORE_BOUNDED && prev >= 0 && (enabled & (1u << prev)) &&
	    nd->base_pre >= e->bound) {
		/* no preemption left: the running actor goes on */
		if (cand & ~(1u << prev))
			e->pruned = true;
		cand &= 1u << prev;
	}
	if (!cand) {
		/* every enabled actor sleeps: a redundant execution */
		e->nr_nodes--;
		e->r->sleep_blocked++;
		return -1;
	}
	if (e->o->mode == EXPLORE_RANDOM) {
		int k = (int)(rng_next(&e->rng) % (u64)__builtin_popcount(cand));

		p = -1;
		for (int i = 0; i < ex->nr_actors && p < 0; i++)
			if ((cand & (1u << i)) && k-- == 0)
				p = i;
		nd->todo = 0;
	} else {
		p = prev >= 0 && (cand & (1u << prev)) ? prev : lowest(cand);
		/* dpor: the other actors only when a race asks for them */
		nd->todo = e->o->mode == EXPLORE_DPOR ? 0 : cand & ~(1u << p);
	}
	nd->chosen = (u8)p;
	nd->preemptions = sched_preemptions(nd, p);
	*ndp = nd;
	return p;
}

/*
 * Before actor p steps from node nd: its event for DPOR, and the child's
 * sleep set, the sleepers independent of this step.  False when DPOR ran
 * out of memory.
 */
static bool before_step(struct explorer *e, struct node *nd, int p, u32 *inherited_sleep,
			struct exec_foot *inherited_foot)
{
	struct exec *ex = &e->m->ex;
	struct exec_foot f;
	u32 sl = 0;

	exec_pending_foot(ex, p, &f);
	if (e->o->mode == EXPLORE_DPOR && !dpor_event(&e->dp, p, &f, (int)(nd - e->nodes)))
		return false;
	if (uses_sleep_sets(e)) {
		for (int i = 0; i < ex->nr_actors; i++)
			if ((nd->sleep & (1u << i)) && i != p && !foot_dep(&nd->foot[i], &f))
				sl |= 1u << i;
		for (u32 b = sl; b; b &= b - 1)
			inherited_foot[__builtin_ctz(b)] = nd->foot[__builtin_ctz(b)];
	}
	*inherited_sleep = sl;
	return true;
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
	if (e->o->mode == EXPLORE_DPOR)
		dpor_reset(&e->dp);
	for (;;) {
		struct node *nd;
		u32 enabled;
		int p;

		if (e->invalid || ex->have_finding || exec_all_done(ex))
			break;
		if (steps >= e->o->max_depth) {
			e->overflow = true;
			blocked = true;
			break;
		}
		enabled = enabled_actors(ex);
		if (!enabled) {
			report_deadlock(ex);
			break;
		}
		if (e->o->mode == EXPLORE_DPOR && e->depth > e->diverge)
			dpor_analyse(e, enabled);
		if (e->depth < e->nr_nodes) {
			nd = &e->nodes[e->depth];
			if (!replay_sched_ok(e, nd, enabled))
				break;
			p = nd->chosen;
		} else if ((p = new_sched_node(e, enabled, prev, inherited_sleep, inherited_foot,
					       &nd)) < 0) {
			blocked = true;
			break;
		}
		if (!before_step(e, nd, p, &inherited_sleep, inherited_foot)) {
			blocked = true;
			e->overflow = true;	/* out of memory: incomplete */
			break;
		}
		e->depth++;
		exec_step(ex, p);
		steps++;
		e->r->steps++;
		prev = p;
	}
	*prev_actor_out = prev;
	e->r->executions++;
	if (e->invalid)
		return 0;
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
				if (e->o->mode == EXPLORE_BOUNDED && nd->base_pre >= e->bound) {
					e->pruned = true;	/* a non-default choice is over the bound */
				} else {
					nd->chosen++;
					nd->preemptions = (u8)(nd->base_pre + 1);
					e->diverge = e->nr_nodes - 1;
					return true;
				}
			}
		} else if (e->o->mode != EXPLORE_RANDOM) {
			u32 todo = nd->todo & ~nd->sleep;

			if (uses_sleep_sets(e))
				nd->sleep |= 1u << nd->chosen;
			if (todo) {
				int p = lowest(todo);

				nd->todo &= ~(1u << p);
				nd->chosen = (u8)p;
				nd->preemptions = sched_preemptions(nd, p);
				e->diverge = e->nr_nodes - 1;
				return true;
			}
		}
		e->nr_nodes--;
	}
	return false;
}

/*
 * The schedule that led here, whole: each entry is at most "c255," (a
 * node's chosen is a u8), so 5 bytes per node and the NUL.
 */
static void record_schedule(struct explorer *e, struct explore_result *r)
{
	int depth = e->depth < e->nr_nodes ? e->depth : e->nr_nodes;
	size_t cap = (size_t)depth * 5 + 1, n = 0;

	free(r->schedule);
	r->schedule = malloc(cap);
	if (!r->schedule)
		return;
	r->schedule[0] = 0;
	for (int d = 0; d < depth; d++) {
		const struct node *nd = &e->nodes[d];

		n += (size_t)snprintf(r->schedule + n, cap - n, "%s%s%u", d ? "," : "",
				      nd->kind == NODE_CHOICE ? "c" : "", nd->chosen);
	}
}

void explore_result_free(struct explore_result *r)
{
	free(r->schedule);
	r->schedule = NULL;
}

int explore(struct model *m, const struct explore_opts *o, struct explore_result *r)
{
	struct explorer e = { .m = m, .o = o, .r = r, .diverge = -1 };
	double t0 = now_s(), shown = t0;
	int prev;

	memset(r, 0, sizeof(*r));
	e.rng = o->seed ? o->seed : 0x9e3779b97f4a7c15ULL;
	m->ex.choose = explore_choose;
	m->ex.drv = &e;
	r->complete = true;
	for (e.bound = 0;; e.bound++) {
		e.nr_nodes = 0;
		e.diverge = -1;
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
			if (o->progress && !(r->executions & 255) && now_s() - shown >= 0.5) {
				shown = now_s();
				o->progress(r, shown - t0, o->progress_arg);
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
	free(e.dp.actor);
	free(e.dp.node);
	free(e.dp.clock);
	free(e.dp.vars);
	m->ex.choose = NULL;
	return r->violation;
}

/*
 * Parses "N,N,cK,...": an actor number or an explorer choice per entry.
 * 0, or -1 with the reason in err.
 */
static int replay_parse(struct explorer *e, const char *schedule, char *err, size_t n)
{
	const char *p = schedule;
	int step = 0;

	while (*schedule) {	/* "" is the empty schedule; "0," ends in an empty entry */
		struct node *nd = push_node(e);
		bool choice = *p == 'c';
		unsigned long v = 0;
		const char *q = p + choice;

		step++;
		if (!nd) {
			snprintf(err, n, "schedule: out of memory");
			return -1;
		}
		/* digits only: strtoul() would take signs, blanks and overflow */
		while (*q >= '0' && *q <= '9' && v <= 255)
			v = v * 10 + (unsigned long)(*q++ - '0');
		if (q == p + choice || (*q && *q != ',') || v > 255) {
			snprintf(err, n, "schedule step %d: expected an actor number or cN (0..255), found '%.*s'",
				 step, (int)strcspn(p, ","), p);
			return -1;
		}
		nd->kind = choice ? NODE_CHOICE : NODE_SCHED;
		nd->chosen = (u8)v;
		nd->nchoice = 255;
		if (!*q)
			break;
		p = q + 1;
	}
	return 0;
}

/*
 * Replays a schedule string with tracing on.  Every entry must be one the
 * model can take where it stands: an enabled actor where an actor steps, a
 * choice in range where the model chooses.  After the last entry the
 * execution runs on as check would first run it (the last actor while it
 * can, then the lowest enabled one; choice 0).  0, or -1 with the reason
 * in err (r then holds no verdict).
 */
int explore_replay(struct model *m, const char *schedule, struct explore_result *r,
		   char *err, size_t n)
{
	struct explorer e = { .m = m, .replay = true, .err = err, .errn = n };
	struct explore_opts o = { .mode = EXPLORE_NONE, .max_depth = 100000 };
	int prev, ret = 0;

	memset(r, 0, sizeof(*r));
	e.o = &o;
	e.r = r;
	if (replay_parse(&e, schedule, err, n)) {
		free(e.nodes);
		return -1;
	}
	m->ex.choose = explore_choose;
	m->ex.drv = &e;
	m->ex.tracing = true;
	r->violation = run_execution(&e, &prev);
	r->finding = m->ex.finding;
	if (e.invalid) {
		r->violation = false;
		ret = -1;
	}
	m->ex.choose = NULL;
	free(e.nodes);
	return ret;
}
