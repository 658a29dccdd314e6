// SPDX-License-Identifier: GPL-2.0
/*
 * exec: the deterministic scheduler core, the model primitives, locks and
 * RCU.  See exec.h for the step model.
 *
 * Two modes:
 *  - explored: exec_engine->cur is an actor; every primitive announces
 *    itself and switches to the scheduler (exec_point()).
 *  - direct: no current actor (set-up, the final quiesce, the simulator);
 *    primitives act at once.  Locks must then be free, which holds because
 *    direct-mode callers run one operation at a time.
 */
#include "exec.h"
#include "obs.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define EXEC_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EXEC_ASAN 1
#endif
#endif
#ifdef EXEC_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

struct exec *exec_engine;

const char *const exec_oracle_names[ORACLE_NR] = {
	[ORACLE_NONE] = "none",
	[ORACLE_LOST_WRITE] = "lost_write",
	[ORACLE_STALE_TLB] = "stale_tlb",
	[ORACLE_WRONG_TARGET] = "wrong_target",
	[ORACLE_USE_AFTER_FREE] = "use_after_free",
	[ORACLE_DEADLOCK] = "deadlock",
	[ORACLE_LOCKDEP] = "lockdep",
	[ORACLE_MODEL_WARN] = "model_warn",
};

const char *const obs_consumer_names[CONS_NR] = {
	[CONS_WRITEBACK] = "writeback",
	[CONS_CLEAN_RECORD] = "clean_record",
	[CONS_LAZYFREE] = "lazyfree",
	[CONS_PAGEMAP_SCAN] = "pagemap_scan",
	[CONS_DIRTY_LOG] = "dirty_log",
};

/* ---- context switching ---- */

#if defined(__x86_64__)
void exec_ctx_switch(struct exec_ctx *from, struct exec_ctx *to);

static void exec_ctx_make(struct exec_ctx *c, void *stack, size_t size,
			  void (*entry)(void))
{
	uintptr_t top = ((uintptr_t)stack + size) & ~(uintptr_t)15;
	void **sp = (void **)top;

	*--sp = NULL;		 /* return address of entry(): never used */
	*--sp = (void *)entry;	 /* popped by the `ret` in exec_ctx_switch */
	for (int i = 0; i < 6; i++)
		*--sp = NULL;	 /* rbp rbx r12 r13 r14 r15 */
	c->sp = sp;
}
#else
/* Portable fallback: one swapcontext() per switch (a system call each). */
#include <ucontext.h>
struct exec_uctx {
	ucontext_t uc;
};
static struct exec_uctx exec_uctx_pool[EXEC_MAX_ACTORS + 1];

static void exec_ctx_make(struct exec_ctx *c, void *stack, size_t size,
			  void (*entry)(void))
{
	struct exec_uctx *u = c->sp;

	getcontext(&u->uc);
	u->uc.uc_stack.ss_sp = stack;
	u->uc.uc_stack.ss_size = size;
	u->uc.uc_link = NULL;
	makecontext(&u->uc, entry, 0);
}

static void exec_ctx_switch(struct exec_ctx *from, struct exec_ctx *to)
{
	swapcontext(&((struct exec_uctx *)from->sp)->uc,
		    &((struct exec_uctx *)to->sp)->uc);
}
#endif

static void exec_switch(struct exec *ex, struct exec_ctx *from,
			struct exec_ctx *to, const void *to_stack,
			size_t to_size)
{
#ifdef EXEC_ASAN
	__sanitizer_start_switch_fiber(&ex->asan_fake_stack, to_stack,
				       to_size);
	exec_ctx_switch(from, to);
	__sanitizer_finish_switch_fiber(ex->asan_fake_stack, NULL, NULL);
#else
	(void)ex;
	(void)to_stack;
	(void)to_size;
	exec_ctx_switch(from, to);
#endif
}

/* The main stack's bounds, for ASan's fiber switch back to the scheduler. */
static const void *exec_main_stack;
static size_t exec_main_stack_size;

static void exec_to_scheduler(struct exec *ex, struct exec_actor *a)
{
	exec_switch(ex, &a->ctx, &ex->sched_ctx, exec_main_stack,
		    exec_main_stack_size);
}

static void exec_trampoline(void)
{
	struct exec *ex = exec_engine;
	struct exec_actor *a = ex->cur;

#ifdef EXEC_ASAN
	__sanitizer_finish_switch_fiber(NULL, &exec_main_stack,
					&exec_main_stack_size);
#endif
	a->fn(a->arg);
	a->done = true;
	for (;;)
		exec_to_scheduler(ex, a);
}

/* ---- set-up ---- */

void exec_init(struct exec *ex)
{
	memset(ex, 0, sizeof(*ex));
#if !defined(__x86_64__)
	ex->sched_ctx.sp = &exec_uctx_pool[EXEC_MAX_ACTORS];
#endif
}

void exec_fini(struct exec *ex)
{
	for (int i = 0; i < ex->nr_actors; i++)
		free(ex->actors[i].stack);
	free(ex->trace);
	if (exec_engine == ex)
		exec_engine = NULL;
}

static struct exec_actor *exec_new_actor(struct exec *ex, const char *name)
{
	struct exec_actor *a;

	if (ex->nr_actors >= EXEC_MAX_ACTORS)
		return NULL;
	a = &ex->actors[ex->nr_actors];
	memset(a, 0, sizeof(*a));
	a->id = ex->nr_actors++;
	snprintf(a->name, sizeof(a->name), "%s", name);
	return a;
}

int exec_add_actor(struct exec *ex, const char *name, void (*fn)(void *),
		   void *arg, void *priv)
{
	struct exec_actor *a = exec_new_actor(ex, name);

	if (!a)
		return -1;
	a->kind = EXEC_COROUTINE;
	a->fn = fn;
	a->arg = arg;
	a->priv = priv;
#ifdef EXEC_ASAN
	a->stack_size = 512 * 1024;
#else
	a->stack_size = 128 * 1024;
#endif
	a->stack = malloc(a->stack_size);
	if (!a->stack)
		return -1;
#if !defined(__x86_64__)
	a->ctx.sp = &exec_uctx_pool[a->id];
#endif
	return a->id;
}

int exec_add_handler(struct exec *ex, const char *name,
		     bool (*enabled)(void *), void (*run)(void *),
		     void (*foot)(void *, struct exec_foot *), void *arg)
{
	struct exec_actor *a = exec_new_actor(ex, name);

	if (!a)
		return -1;
	a->kind = EXEC_HANDLER;
	a->h_enabled = enabled;
	a->h_run = run;
	a->h_foot = foot;
	a->arg = arg;
	a->pend.kind = EXEC_OP_HANDLER;
	return a->id;
}

/*
 * Starts an execution: every coroutine actor is restarted on a fresh stack
 * and run up to its first scheduling point (it has touched nothing shared
 * before that).  The caller has already reset the world.
 */
void exec_begin(struct exec *ex)
{
	exec_engine = ex;
	ex->now = ex->now_base;
	ex->have_finding = false;
	ex->trace_len = 0;
	memset(&ex->rcu, 0, sizeof(ex->rcu));
	for (int i = 0; i < ex->nr_actors; i++) {
		struct exec_actor *a = &ex->actors[i];

		a->fndepth = 0;
		a->rcu_nesting = 0;
		a->rcu_gen = 0;
		a->sync_snap_mask = 0;
		memset(a->held, 0, sizeof(a->held));
		if (a->kind != EXEC_COROUTINE)
			continue;
		a->done = false;
#ifdef EXEC_ASAN
		__asan_unpoison_memory_region(a->stack, a->stack_size);
#endif
		exec_ctx_make(&a->ctx, a->stack, a->stack_size,
			      exec_trampoline);
		ex->cur = a;
		exec_switch(ex, &ex->sched_ctx, &a->ctx, a->stack,
			    a->stack_size);
	}
	ex->cur = NULL;
}

bool exec_live(struct exec *ex, int i)
{
	struct exec_actor *a = &ex->actors[i];

	return a->kind == EXEC_COROUTINE && !a->done;
}

bool exec_all_done(struct exec *ex)
{
	for (int i = 0; i < ex->nr_actors; i++)
		if (exec_live(ex, i))
			return false;
	return true;
}

bool exec_enabled(struct exec *ex, int i)
{
	struct exec_actor *a = &ex->actors[i];
	bool en;

	if (a->kind == EXEC_HANDLER)
		return a->h_enabled(a->arg);
	if (a->done)
		return false;
	if (!a->pend.enabled_fn)
		return true;
	ex->cur = a;
	en = a->pend.enabled_fn(a);
	ex->cur = NULL;
	return en;
}

void exec_pending_foot(struct exec *ex, int i, struct exec_foot *f)
{
	struct exec_actor *a = &ex->actors[i];

	if (a->kind == EXEC_HANDLER) {
		f->n = 0;
		a->h_foot(a->arg, f);
		return;
	}
	if (a->pend.foot_fn) {
		f->n = 0;
		ex->cur = a;
		a->pend.foot_fn(a, f);
		ex->cur = NULL;
		return;
	}
	*f = a->pend.foot;
}

static struct exec_trace_step *exec_trace_push(struct exec *ex)
{
	if (ex->trace_len == ex->trace_cap) {
		int cap = ex->trace_cap ? ex->trace_cap * 2 : 64;
		void *n = realloc(ex->trace, cap * sizeof(*ex->trace));

		if (!n) {
			ex->tracing = false;
			return NULL;
		}
		ex->trace = n;
		ex->trace_cap = cap;
	}
	return &ex->trace[ex->trace_len++];
}

static void exec_trace_begin(struct exec *ex, struct exec_actor *a)
{
	struct exec_trace_step *t = exec_trace_push(ex);

	if (!t)
		return;
	t->actor = a->id;
	t->fn = a->fndepth > 0 && a->fndepth <= EXEC_FN_DEPTH ?
			a->fnstack[a->fndepth - 1] : a->name;
	t->op[0] = 0;
}

/* Opens a traced step the driver takes itself (no actor). */
void exec_trace_phase(struct exec *ex, const char *what)
{
	struct exec_trace_step *t;

	if (!ex->tracing || !(t = exec_trace_push(ex)))
		return;
	t->actor = EXEC_NO_ACTOR;
	t->fn = what;
	t->op[0] = 0;
}

/* Runs actor i's pending operation and everything up to its next point. */
void exec_step(struct exec *ex, int i)
{
	struct exec_actor *a = &ex->actors[i];

	ex->now++;
	ex->cur = a;
	if (ex->tracing)
		exec_trace_begin(ex, a);
	if (a->kind == EXEC_HANDLER) {
		a->h_run(a->arg);
	} else {
		exec_switch(ex, &ex->sched_ctx, &a->ctx, a->stack,
			    a->stack_size);
	}
	ex->cur = NULL;
}

/* Runs one actor to completion on its own (set-up, quiesce). */
void exec_run_actor_alone(struct exec *ex, int i)
{
	while (exec_live(ex, i) && !ex->have_finding) {
		if (!exec_enabled(ex, i)) {
			exec_report(ORACLE_DEADLOCK,
				    "%s blocked while running alone",
				    ex->actors[i].name);
			return;
		}
		exec_step(ex, i);
	}
}

/* ---- inside actors ---- */

void exec_point_foot(u8 kind, const struct exec_foot *foot,
		     void (*foot_fn)(struct exec_actor *, struct exec_foot *),
		     bool (*enabled_fn)(struct exec_actor *))
{
	struct exec *ex = exec_engine;
	struct exec_actor *a = ex ? ex->cur : NULL;

	if (!a || a->kind != EXEC_COROUTINE) {
		if (ex && !a)
			ex->now++;	/* direct mode: one tick per access */
		return;
	}
	a->pend.kind = kind;
	a->pend.addr = foot && foot->n ? foot->o[0].addr : NULL;
	if (foot)
		a->pend.foot = *foot;
	else
		a->pend.foot.n = 0;
	a->pend.foot_fn = foot_fn;
	a->pend.enabled_fn = enabled_fn;
	exec_to_scheduler(ex, a);
	/* Picked: ex->cur == a again and the step's trace entry is open. */
}

void exec_point(u8 kind, const void *addr, u8 acc)
{
	struct exec_foot f;

	if (!exec_engine)
		return;		/* direct mode: exec_point_foot() would do nothing */
	f = (struct exec_foot){ .n = 1, .o = { { addr, acc } } };
	exec_point_foot(kind, &f, NULL, NULL);
}

int exec_choose(int n)
{
	struct exec *ex = exec_engine;

	if (n <= 1 || !ex || !ex->choose)
		return 0;
	return ex->choose(ex, n, ex->drv);
}

static void exec_vappend(const char *fmt, va_list ap)
{
	struct exec *ex = exec_engine;
	struct exec_trace_step *t;
	size_t len;

	if (!ex || !ex->tracing || !ex->trace_len)
		return;
	t = &ex->trace[ex->trace_len - 1];
	len = strlen(t->op);
	if (len && len < sizeof(t->op) - 3) {
		memcpy(t->op + len, "; ", 3);
		len += 2;
	}
	if (len < sizeof(t->op))
		vsnprintf(t->op + len, sizeof(t->op) - len, fmt, ap);
}

void exec_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	exec_vappend(fmt, ap);
	va_end(ap);
}

static void exec_append(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	exec_vappend(fmt, ap);
	va_end(ap);
}

void exec_report(enum exec_oracle o, const char *fmt, ...)
{
	struct exec *ex = exec_engine;
	va_list ap;

	if (!ex || ex->have_finding)
		return;
	ex->have_finding = true;
	ex->finding.oracle = o;
	ex->finding.actor = ex->cur ? ex->cur->id : -1;
	ex->finding.step = ex->now;
	va_start(ap, fmt);
	vsnprintf(ex->finding.msg, sizeof(ex->finding.msg), fmt, ap);
	va_end(ap);
	if (ex->tracing)
		exec_append("!! %s", ex->finding.msg);
}

void exec_trace_access(const char *what, const void *addr, u64 old, u64 new,
		       bool changed)
{
	struct exec *ex = exec_engine;
	char n[96], a[128], b[128];

	if (!ex || !ex->tracing)
		return;
	if (!ex->describe) {
		exec_append("%s(%p) %llx", what, addr, (unsigned long long)new);
		return;
	}
	ex->describe(ex->dctx, addr, 0, false, n, sizeof(n));
	ex->describe(ex->dctx, addr, old, true, a, sizeof(a));
	if (!changed) {
		exec_append("%s %s = %s", what, n, a);
		return;
	}
	ex->describe(ex->dctx, addr, new, true, b, sizeof(b));
	exec_append("%s %s: %s -> %s", what, n, a, b);
}

/* ---- primitives ---- */

static u64 exec_raw_load(const void *p, size_t size)
{
	switch (size) {
	case 1: return *(const u8 *)p;
	case 2: return *(const u16 *)p;
	case 4: return *(const u32 *)p;
	default: return *(const u64 *)p;
	}
}

static void exec_raw_store(void *p, size_t size, u64 v)
{
	switch (size) {
	case 1: *(u8 *)p = (u8)v; break;
	case 2: *(u16 *)p = (u16)v; break;
	case 4: *(u32 *)p = (u32)v; break;
	default: *(u64 *)p = v; break;
	}
}

u64 exec_load(const void *p, size_t size)
{
	u64 v;

	exec_point(EXEC_OP_READ, p, ACC_R);
	v = exec_raw_load(p, size);
	if (exec_tracing())
		exec_trace_access("READ_ONCE", p, v, v, false);
	return v;
}

void exec_store(void *p, size_t size, u64 v)
{
	u64 old;

	exec_point(EXEC_OP_WRITE, p, ACC_W);
	old = exec_raw_load(p, size);
	exec_raw_store(p, size, v);
	if (exec_tracing())
		exec_trace_access("WRITE_ONCE", p, old, v, true);
}

u64 exec_xchg(void *p, size_t size, u64 v)
{
	u64 old;

	exec_point(EXEC_OP_XCHG, p, ACC_W);
	old = exec_raw_load(p, size);
	exec_raw_store(p, size, v);
	if (exec_tracing())
		exec_trace_access("xchg", p, old, v, true);
	return old;
}

u64 exec_cmpxchg(void *p, size_t size, u64 o, u64 n)
{
	u64 cur;

	exec_point(EXEC_OP_CMPXCHG, p, ACC_W);
	cur = exec_raw_load(p, size);
	if (cur == o)
		exec_raw_store(p, size, n);
	if (exec_tracing()) {
		exec_trace_access(cur == o ? "cmpxchg" : "cmpxchg (fails)", p,
				  cur, n, cur == o);
	}
	return cur;
}

static u64 exec_rmw(const char *what, void *p, size_t size, int op, u64 v)
{
	u64 old, new;

	exec_point(EXEC_OP_RMW, p, ACC_W);
	old = exec_raw_load(p, size);
	new = op == 0 ? (old & v) : op == 1 ? (old | v) : old + v;
	exec_raw_store(p, size, new);
	if (exec_tracing())
		exec_trace_access(what, p, old, new, old != new);
	return old;
}

u64 exec_fetch_and(void *p, size_t size, u64 mask)
{
	return exec_rmw("atomic and", p, size, 0, mask);
}

u64 exec_fetch_or(void *p, size_t size, u64 mask)
{
	return exec_rmw("atomic or", p, size, 1, mask);
}

u64 exec_fetch_add(void *p, size_t size, u64 v)
{
	return exec_rmw("atomic add", p, size, 2, v);
}

/* atomic_add() and friends: no value returned, so adds commute. */
void exec_add(void *p, size_t size, u64 v)
{
	struct exec_foot f = { .n = 1, .o = { { p, ACC_ADD, 0 } } };
	u64 old;

	exec_point_foot(EXEC_OP_RMW, &f, NULL, NULL);
	old = exec_raw_load(p, size);
	exec_raw_store(p, size, old + v);
	if (exec_tracing())
		exec_trace_access("atomic add", p, old, old + v, v != 0);
}

/* test_bit, test_and_set_bit, test_and_clear_bit, set_bit, clear_bit */
bool exec_bitop(void *word, size_t size, int bit, int op)
{
	static const char *const names[] = {
		"test_bit", "test_and_set_bit", "test_and_clear_bit", "set_bit", "clear_bit"
	};
	static const u8 acc[] = { ACC_R, ACC_W, ACC_W, ACC_SET, ACC_CLR };
	struct exec_foot f = { .n = 1, .o = { { word, acc[op], (u8)(bit + 1) } } };
	bool set = op == BITOP_SET || op == BITOP_SET_BLIND;
	bool clr = op == BITOP_CLEAR || op == BITOP_CLEAR_BLIND;
	u64 old, new, m = BIT_ULL(bit);

	exec_point_foot(op == BITOP_TEST ? EXEC_OP_READ : EXEC_OP_RMW, &f, NULL, NULL);
	old = size == sizeof(u32) ? *(u32 *)word : *(u64 *)word;
	new = set ? old | m : clr ? old & ~m : old;
	if (size == sizeof(u32))
		*(u32 *)word = (u32)new;
	else
		*(u64 *)word = new;
	if (exec_tracing()) {
		char what[40];

		snprintf(what, sizeof(what), "%s(%d)", names[op], bit);
		exec_trace_access(what, word, old, new, old != new);
	}
	return old & m;
}

/* ---- locks ---- */

static int exec_self(void)
{
	struct exec_actor *a = exec_current();

	return a ? a->id : -1;
}

void spin_lock_init(spinlock_t *l, const char *name)
{
	l->locked = 0;
	l->owner = -1;
	l->name = name;
	l->order = 0;
}

void spin_lock_set_order(spinlock_t *l, u8 order)
{
	l->order = order < EXEC_LOCK_ORDERS ? order : 0;
}

void rwlock_set_order(rwlock_t *l, u8 order)
{
	l->order = order < EXEC_LOCK_ORDERS ? order : 0;
}

/* The current actor takes a lock of this order: none of a later one held. */
static void lock_order_acquire(u8 order, const char *name)
{
	struct exec_actor *a = exec_current();

	if (!a || !order)
		return;
	for (int r = order + 1; r < EXEC_LOCK_ORDERS; r++)
		if (MODEL_WARN_ON_ORACLE(ORACLE_LOCKDEP, a->held[r],
					 "lockdep: lock order: %s taken while holding %s",
					 name, a->held_name[r]))
			return;
	a->held[order]++;
	a->held_name[order] = name;
}

static void lock_order_release(u8 order)
{
	struct exec_actor *a = exec_current();

	if (a && order && a->held[order])
		a->held[order]--;
}

static bool spin_free(struct exec_actor *a)
{
	return !((spinlock_t *)a->pend.addr)->locked;
}

void spin_lock(spinlock_t *l)
{
	struct exec_foot f = { .n = 1, .o = { { l, ACC_W } } };

	exec_point_foot(EXEC_OP_LOCK, &f, NULL, spin_free);
	if (MODEL_WARN_ON_ORACLE(ORACLE_DEADLOCK, l->locked,
				 "spin_lock(%s): already held", l->name))
		return;
	l->locked = 1;
	l->owner = (s16)exec_self();
	lock_order_acquire(l->order, l->name);
	if (exec_tracing())
		exec_note("spin_lock(%s)", l->name);
}

void spin_unlock(spinlock_t *l)
{
	exec_point(EXEC_OP_UNLOCK, l, ACC_W);
	l->locked = 0;
	l->owner = -1;
	lock_order_release(l->order);
	if (exec_tracing())
		exec_note("spin_unlock(%s)", l->name);
}

void rwlock_init(rwlock_t *l, const char *name)
{
	l->readers = 0;
	l->writer = 0;
	l->name = name;
	l->order = 0;
}

static bool rw_read_free(struct exec_actor *a)
{
	return !((rwlock_t *)a->pend.addr)->writer;
}

static bool rw_write_free(struct exec_actor *a)
{
	rwlock_t *l = (rwlock_t *)a->pend.addr;

	return !l->writer && !l->readers;
}

/*
 * Readers announce a read of the lock word and writers a write, so two
 * read_lock()s commute for the partial-order reduction, as they do in fact.
 */
void read_lock(rwlock_t *l)
{
	struct exec_foot f = { .n = 1, .o = { { l, ACC_R } } };
	int self = exec_self();

	exec_point_foot(EXEC_OP_READ_LOCK, &f, NULL, rw_read_free);
	if (MODEL_WARN_ON_ORACLE(ORACLE_DEADLOCK, l->writer,
				 "read_lock(%s): write-held", l->name))
		return;
	if (self >= 0)
		l->readers |= 1u << self;
	else
		l->readers |= 1u << 31;
	lock_order_acquire(l->order, l->name);
	if (exec_tracing())
		exec_note("read_lock(%s)", l->name);
}

void read_unlock(rwlock_t *l)
{
	int self = exec_self();

	exec_point(EXEC_OP_READ_UNLOCK, l, ACC_R);
	l->readers &= ~(self >= 0 ? 1u << self : 1u << 31);
	lock_order_release(l->order);
	if (exec_tracing())
		exec_note("read_unlock(%s)", l->name);
}

void write_lock(rwlock_t *l)
{
	struct exec_foot f = { .n = 1, .o = { { l, ACC_W } } };

	exec_point_foot(EXEC_OP_WRITE_LOCK, &f, NULL, rw_write_free);
	if (MODEL_WARN_ON_ORACLE(ORACLE_DEADLOCK, l->writer || l->readers,
				 "write_lock(%s): held", l->name))
		return;
	l->writer = (u16)(1 + exec_self() + 1);
	lock_order_acquire(l->order, l->name);
	if (exec_tracing())
		exec_note("write_lock(%s)", l->name);
}

void write_unlock(rwlock_t *l)
{
	exec_point(EXEC_OP_WRITE_UNLOCK, l, ACC_W);
	l->writer = 0;
	lock_order_release(l->order);
	if (exec_tracing())
		exec_note("write_unlock(%s)", l->name);
}

void down_read(struct rw_semaphore *s) { read_lock(&s->l); }
void up_read(struct rw_semaphore *s) { read_unlock(&s->l); }
void down_write(struct rw_semaphore *s) { write_lock(&s->l); }
void up_write(struct rw_semaphore *s) { write_unlock(&s->l); }

void lockdep_assert_held(spinlock_t *l)
{
	MODEL_WARN_ON_ORACLE(ORACLE_LOCKDEP, !l->locked || l->owner != exec_self(),
			     "lockdep: %s not held", l->name);
}

void lockdep_assert_held_read_rw(rwlock_t *l)
{
	int self = exec_self();
	u32 bit = self >= 0 ? 1u << self : 1u << 31;

	MODEL_WARN_ON_ORACLE(ORACLE_LOCKDEP, !(l->readers & bit),
			     "lockdep: %s not read-held", l->name);
}

void lockdep_assert_held_write_rw(rwlock_t *l)
{
	MODEL_WARN_ON_ORACLE(ORACLE_LOCKDEP,
			     l->writer != 1 + (u32)(exec_self() + 1),
			     "lockdep: %s not write-held", l->name);
}

void lockdep_assert_held_rw(rwlock_t *l)
{
	int self = exec_self();
	u32 bit = self >= 0 ? 1u << self : 1u << 31;

	MODEL_WARN_ON_ORACLE(ORACLE_LOCKDEP,
			     !(l->readers & bit) &&
				     l->writer != 1 + (u32)(self + 1),
			     "lockdep: %s not held", l->name);
}

/* ---- RCU ---- */

/*
 * Read sections announce a read of the RCU state and synchronize_rcu() a
 * write: readers commute with each other, not with a grace period.
 */
void rcu_read_lock(void)
{
	struct exec *ex = exec_engine;
	struct exec_actor *a = exec_current();

	if (!a)
		return;
	exec_point(EXEC_OP_RCU_LOCK, &ex->rcu, ACC_R);
	if (a->rcu_nesting++ == 0)
		ex->rcu.readers |= 1u << a->id;
	if (exec_tracing())
		exec_note("rcu_read_lock()");
}

void rcu_read_unlock(void)
{
	struct exec *ex = exec_engine;
	struct exec_actor *a = exec_current();

	if (!a)
		return;
	exec_point(EXEC_OP_RCU_UNLOCK, &ex->rcu, ACC_R);
	if (MODEL_WARN_ON(a->rcu_nesting <= 0))
		return;
	if (--a->rcu_nesting == 0) {
		ex->rcu.readers &= ~(1u << a->id);
		a->rcu_gen++;
	}
	if (exec_tracing())
		exec_note("rcu_read_unlock()");
}

bool rcu_read_lock_held(void)
{
	struct exec_actor *a = exec_current();

	return !a || a->rcu_nesting > 0;
}

static bool rcu_gp_done(struct exec_actor *a)
{
	struct exec *ex = exec_engine;

	for (int i = 0; i < ex->nr_actors; i++) {
		if (!(a->sync_snap_mask & (1u << i)))
			continue;
		if (ex->actors[i].rcu_gen == a->sync_snap_gen[i])
			return false;
	}
	return true;
}

void synchronize_rcu(void)
{
	struct exec *ex = exec_engine;
	struct exec_actor *a = exec_current();
	struct exec_foot f = { .n = 1, .o = { { &ex->rcu, ACC_W } } };

	if (!a)
		return;
	exec_point(EXEC_OP_SYNC_RCU, &ex->rcu, ACC_W);
	MODEL_WARN_ON_ORACLE(ORACLE_DEADLOCK, a->rcu_nesting,
			     "synchronize_rcu() inside a read-side section");
	a->sync_snap_mask = ex->rcu.readers & ~(1u << a->id);
	for (int i = 0; i < ex->nr_actors; i++)
		a->sync_snap_gen[i] = ex->actors[i].rcu_gen;
	if (a->sync_snap_mask)
		exec_point_foot(EXEC_OP_WAIT, &f, NULL, rcu_gp_done);
	a->sync_snap_mask = 0;
	if (exec_tracing())
		exec_note("synchronize_rcu() done");
}

void exec_wait_until(bool (*pred)(struct exec_actor *a), const void *arg,
		     const struct exec_foot *foot)
{
	struct exec_actor *a = exec_current();

	if (!a)
		return;
	a->wait_arg = arg;
	exec_point_foot(EXEC_OP_WAIT, foot, NULL, pred);
}
