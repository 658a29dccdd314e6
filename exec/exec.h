/* SPDX-License-Identifier: GPL-2.0 */
/*
 * exec: actors, scheduling points and the model primitives.
 *
 * Every modelled kernel function runs inside an *actor* (a CPU running user
 * accesses, a vCPU, a kernel thread) on its own small stack.  Each access to
 * shared model state goes through one of the primitives below, and each
 * primitive is a *scheduling point*: the actor announces the operation it is
 * about to perform (its kind and the model words it touches), switches to
 * the scheduler, and performs the operation only when the scheduler picks
 * it again.  A *step* is therefore exactly one shared access plus the
 * actor-private computation that follows it up to the next announcement.
 *
 * Besides coroutine actors there are *handler* actors: recurring hardware
 * events with no stack of their own (an IPI being delivered to a CPU).  The
 * scheduler treats both alike; a handler never "finishes".
 *
 * Invariants:
 *  1. Between two scheduling points an actor touches only its own stack and
 *     read-only configuration.  Hence a schedule (the sequence of actors
 *     picked, plus the answers to exec_choose()) replays exactly.
 *  2. The footprint announced for a pending operation is what the operation
 *     would touch if it ran in the current state; for hardware walks it is
 *     recomputed on demand (exec_pending.foot_fn) because a walk's path
 *     depends on the page tables.
 *  3. No wall clock, no rand(), no real threads: the explorer owns all
 *     nondeterminism.
 */
#ifndef ADSIM_EXEC_H
#define ADSIM_EXEC_H

#include "types.h"

#define EXEC_MAX_ACTORS 16
#define EXEC_LOCK_ORDERS 8	/* lock order ranks, 1 .. 7 (exec/exec.c) */
#define EXEC_MAX_FOOT 12	/* a flush touches every TLB of a space (HW_MAX_TLBS) */
#define EXEC_FN_DEPTH 24
#define EXEC_NOTE_LEN 320

struct exec;
struct exec_actor;

/*
 * How an operation touches one model word.  The blind updates return
 * nothing and commute with updates of their own kind, but conflict with
 * reads, writes and the other kinds: ACC_ADD (atomic_inc/dec), ACC_SET
 * and ACC_CLR (set_bit/clear_bit).  bit1 narrows the access to one bit:
 * accesses to different bits of a word commute.
 */
enum { ACC_R = 1, ACC_W = 2, ACC_ADD = 4, ACC_SET = 8, ACC_CLR = 16 };
#define ACC_BLIND (ACC_ADD | ACC_SET | ACC_CLR)

struct exec_obj {
	const void *addr;
	u8 acc;
	u8 bit1;	/* 0: the whole word; b + 1: only bit b */
};

/* Whether two accesses conflict (the reductions' dependence relation). */
static inline bool exec_obj_conflict(const struct exec_obj *a,
				     const struct exec_obj *b)
{
	if (a->addr != b->addr)
		return false;
	if (a->bit1 && b->bit1 && a->bit1 != b->bit1)
		return false;
	if ((a->acc & ACC_BLIND) && a->acc == b->acc)
		return false;
	return (a->acc | b->acc) & (ACC_W | ACC_BLIND);
}

struct exec_foot {
	u8 n;
	struct exec_obj o[EXEC_MAX_FOOT];
};

enum exec_opkind {
	EXEC_OP_READ,
	EXEC_OP_WRITE,
	EXEC_OP_XCHG,
	EXEC_OP_CMPXCHG,
	EXEC_OP_RMW,
	EXEC_OP_LOCK,
	EXEC_OP_UNLOCK,
	EXEC_OP_READ_LOCK,
	EXEC_OP_READ_UNLOCK,
	EXEC_OP_WRITE_LOCK,
	EXEC_OP_WRITE_UNLOCK,
	EXEC_OP_RCU_LOCK,
	EXEC_OP_RCU_UNLOCK,
	EXEC_OP_SYNC_RCU,
	EXEC_OP_WAIT,
	EXEC_OP_HW,
	EXEC_OP_HANDLER,
	EXEC_OP_OBS,		/* an oracle event (exec/obs.h) */
	EXEC_OP_NR
};

struct exec_pending {
	u8 kind;
	const void *addr;
	struct exec_foot foot;
	/* Recomputes the footprint in the current state (hardware walks). */
	void (*foot_fn)(struct exec_actor *a, struct exec_foot *f);
	/* NULL: always enabled.  Otherwise evaluated in the current state. */
	bool (*enabled_fn)(struct exec_actor *a);
};

enum exec_actor_kind { EXEC_COROUTINE, EXEC_HANDLER };

struct exec_ctx {
	void *sp;
};

struct exec_actor {
	int id;
	u8 kind;
	char name[24];
	/* coroutine actors */
	void (*fn)(void *arg);
	void *arg;
	struct exec_ctx ctx;
	void *stack;
	size_t stack_size;
	bool done;
	struct exec_pending pend;
	/* handler actors */
	bool (*h_enabled)(void *arg);
	void (*h_run)(void *arg);
	void (*h_foot)(void *arg, struct exec_foot *f);
	/* per-actor model state */
	const char *fnstack[EXEC_FN_DEPTH];
	int fndepth;
	int rcu_nesting;
	u32 rcu_gen;	     /* bumped when the outermost read section ends */
	u32 sync_snap_mask;  /* synchronize_rcu(): readers it waits for */
	u32 sync_snap_gen[EXEC_MAX_ACTORS];
	const void *wait_arg;  /* argument of the pending exec_wait_until() */
	u8 held[EXEC_LOCK_ORDERS];		/* locks held, by order rank */
	const char *held_name[EXEC_LOCK_ORDERS];	/* the last taken of each */
	void *priv;	     /* the upper layer's per-actor data */
};

/* Oracles a model invariant can report through MODEL_WARN_ON_ORACLE(). */
enum exec_oracle {
	ORACLE_NONE,
	ORACLE_LOST_WRITE,
	ORACLE_STALE_TLB,
	ORACLE_WRONG_TARGET,
	ORACLE_USE_AFTER_FREE,
	ORACLE_DEADLOCK,
	ORACLE_LOCKDEP,
	ORACLE_MODEL_WARN,
	ORACLE_NR
};

extern const char *const exec_oracle_names[ORACLE_NR];

struct exec_finding {
	enum exec_oracle oracle;
	int actor;
	u64 step;
	char msg[EXEC_NOTE_LEN];
};

/* What a traced step says about itself, for race tables and JSON. */
#define EXEC_NO_ACTOR 0xff	/* a step of the driver: set-up, final collect */
struct exec_trace_step {
	u8 actor;
	const char *fn;
	char op[EXEC_NOTE_LEN];
};

struct exec_rcu {
	u32 readers;	/* bitmask of actors inside a read-side section */
};

struct exec {
	struct exec_actor actors[EXEC_MAX_ACTORS];
	int nr_actors;
	struct exec_ctx sched_ctx;
	struct exec_actor *cur;
	u64 now;	  /* steps taken: the model's clock */
	u64 now_base;	  /* clock value an execution starts from */
	struct exec_rcu rcu;
	/* explorer hooks */
	int (*choose)(struct exec *ex, int n, void *drv);
	void *drv;
	/* findings */
	struct exec_finding finding;
	bool have_finding;
	/* tracing (replay of a counterexample) */
	bool tracing;
	struct exec_trace_step *trace;
	int trace_len, trace_cap;
	/* describes a model word for traces: name and value */
	/* names a model word (value=false) or formats a value it holds */
	void (*describe)(void *dctx, const void *addr, u64 val, bool value,
			 char *buf, size_t n);
	void *dctx;
	/* ASan fiber bookkeeping */
	void *asan_fake_stack;
};

/* The engine serving the running actor.  Like the kernel's `current`. */
extern struct exec *exec_engine;

/*
 * Direct mode: no engine, no current actor; every primitive acts at once
 * and is no scheduling point (sim, vs-kernel's model, the set-up of a
 * world built outside check).  exec_begin() leaves it.
 */
static inline void exec_enter_direct_mode(void)
{
	exec_engine = NULL;
}

static inline struct exec_actor *exec_current(void)
{
	return exec_engine ? exec_engine->cur : NULL;
}

/* Set-up and driving (used by check/ and sim/, never by the model). */
void exec_init(struct exec *ex);
void exec_fini(struct exec *ex);
int exec_add_actor(struct exec *ex, const char *name, void (*fn)(void *),
		   void *arg, void *priv);
int exec_add_handler(struct exec *ex, const char *name,
		     bool (*enabled)(void *), void (*run)(void *),
		     void (*foot)(void *, struct exec_foot *), void *arg);
void exec_begin(struct exec *ex);
bool exec_enabled(struct exec *ex, int i);
bool exec_live(struct exec *ex, int i);
bool exec_all_done(struct exec *ex);
void exec_pending_foot(struct exec *ex, int i, struct exec_foot *f);
void exec_step(struct exec *ex, int i);
void exec_trace_phase(struct exec *ex, const char *what);
void exec_run_actor_alone(struct exec *ex, int i);

/* Inside actors. */
void exec_point(u8 kind, const void *addr, u8 acc);
void exec_point_foot(u8 kind, const struct exec_foot *foot,
		     void (*foot_fn)(struct exec_actor *, struct exec_foot *),
		     bool (*enabled_fn)(struct exec_actor *));
int exec_choose(int n);
void exec_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void exec_report(enum exec_oracle o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void exec_trace_access(const char *what, const void *addr, u64 old, u64 new,
		       bool changed);

static inline bool exec_tracing(void)
{
	return exec_engine && exec_engine->tracing;
}

/*
 * Function context for traces: the race table names the kernel function a
 * step ran in.  EXEC_FN() at the top of a modelled function pushes its name
 * and pops it when the function returns.
 */
static inline int exec_fn_push(const char *fn)
{
	struct exec_actor *a = exec_current();

	if (a && a->fndepth < EXEC_FN_DEPTH)
		a->fnstack[a->fndepth] = fn;
	if (a)
		a->fndepth++;
	return 0;
}

static inline void exec_fn_pop(int *unused)
{
	struct exec_actor *a = exec_current();

	(void)unused;
	if (a)
		a->fndepth--;
}

#define EXEC_FN()                                                         \
	int __exec_fn __attribute__((cleanup(exec_fn_pop), unused)) =     \
		exec_fn_push(__func__)

/*
 * MODEL_WARN_ON(cond): like WARN_ON(), returns cond.  In check mode a true
 * condition becomes a finding with a replayable trace.
 */
#define MODEL_WARN_ON_ORACLE(oracle, cond, ...)                           \
	({                                                                 \
		bool __c = !!(cond);                                       \
		if (__c)                                                   \
			exec_report((oracle), __VA_ARGS__);                \
		__c;                                                       \
	})
#define MODEL_WARN_ON(cond) \
	MODEL_WARN_ON_ORACLE(ORACLE_MODEL_WARN, cond, "WARN_ON(%s)", #cond)

/* ---- model primitives: each is one scheduling point ---- */

u64 exec_load(const void *p, size_t size);
void exec_store(void *p, size_t size, u64 v);
u64 exec_xchg(void *p, size_t size, u64 v);
u64 exec_cmpxchg(void *p, size_t size, u64 old, u64 new);
u64 exec_fetch_and(void *p, size_t size, u64 mask);
u64 exec_fetch_or(void *p, size_t size, u64 mask);
u64 exec_fetch_add(void *p, size_t size, u64 v);
void exec_add(void *p, size_t size, u64 v);
bool exec_bitop(void *word, size_t size, int bit, int op);	/* op: BITOP_* */
/* test_bit, test_and_set_bit, test_and_clear_bit, set_bit, clear_bit */
enum { BITOP_TEST, BITOP_SET, BITOP_CLEAR, BITOP_SET_BLIND, BITOP_CLEAR_BLIND };

/*
 * Direct mode (exec_engine == NULL: sim, vs-kernel, benches) has nothing
 * to schedule or trace, so a primitive is the plain access; READ_ONCE and
 * the 64-bit fetch_and that range walks run per entry take that path
 * inline, and the out-of-line functions do the same thing.
 */
/*
 * For a loop its caller has already confined to direct mode: lets the
 * compiler drop the per-access exec_engine tests (and the out-of-line
 * paths behind them) from the loop's body.
 */
#define exec_assume_direct()                                              \
	do {                                                               \
		if (exec_engine)                                           \
			__builtin_unreachable();                           \
	} while (0)

#define READ_ONCE(x)                                                      \
	((__typeof__(x))(exec_engine ? exec_load(&(x), sizeof(x)) :       \
				       (u64) * (volatile __typeof__(x) *)&(x)))
#define WRITE_ONCE(x, v) exec_store(&(x), sizeof(x), (u64)(v))
#define xchg(p, v) ((__typeof__(*(p)))exec_xchg((p), sizeof(*(p)), (u64)(v)))
#define cmpxchg(p, o, n) \
	((__typeof__(*(p)))exec_cmpxchg((p), sizeof(*(p)), (u64)(o), (u64)(n)))
#define cmpxchg64(p, o, n) cmpxchg(p, o, n)

/* try_cmpxchg64(): on failure *old is refreshed with the current value. */
static inline bool try_cmpxchg64(u64 *p, u64 *old, u64 new)
{
	u64 cur = exec_cmpxchg(p, sizeof(*p), *old, new);

	if (cur == *old)
		return true;
	*old = cur;
	return false;
}

static inline u64 atomic64_fetch_and(u64 mask, u64 *p)
{
	u64 old;

	if (exec_engine)
		return exec_fetch_and(p, sizeof(*p), mask);
	old = *p;
	*p = old & mask;
	return old;
}

/*
 * The bit operations on a bitmap of u64 words (the kernel's unsigned
 * long) or of u32 words (struct folio's flags, whose modelled PG_ bits
 * fit in 32): the word holding bit nr is the one accessed.
 */
static inline bool exec_bitop64(u64 *addr, long nr, int op)
{
	return exec_bitop(addr + nr / 64, sizeof(*addr), (int)(nr % 64), op);
}

static inline bool exec_bitop32(u32 *addr, long nr, int op)
{
	return exec_bitop(addr + nr / 32, sizeof(*addr), (int)(nr % 32), op);
}

#define __exec_bitop(nr, addr, op) \
	_Generic((addr), u64 *: exec_bitop64, u32 *: exec_bitop32)((addr), (nr), (op))
#define set_bit(nr, addr) ((void)__exec_bitop((nr), (addr), BITOP_SET_BLIND))
#define clear_bit(nr, addr) ((void)__exec_bitop((nr), (addr), BITOP_CLEAR_BLIND))
#define test_and_clear_bit(nr, addr) __exec_bitop((nr), (addr), BITOP_CLEAR)
#define test_and_set_bit(nr, addr) __exec_bitop((nr), (addr), BITOP_SET)
#define test_bit(nr, addr) __exec_bitop((nr), (addr), BITOP_TEST)

/*
 * atomic_t: an int in the kernel, 16 bits here so that struct folio's two
 * counts take 4 bytes a page.  The model's counts stay small (a folio is
 * held by a few page tables, the page cache and short GUP references);
 * atomic_inc() warns before one would wrap.
 */
typedef struct {
	s16 counter;
} atomic_t;

static inline int atomic_read(atomic_t *v)
{
	return (int)(s16)exec_load(&v->counter, sizeof(v->counter));
}

static inline void atomic_inc(atomic_t *v)
{
	/* a plain peek, not a model access: no scheduling point */
	if (MODEL_WARN_ON(v->counter == INT16_MAX))
		return;
	exec_add(&v->counter, sizeof(v->counter), 1);
}

static inline void atomic_dec(atomic_t *v)
{
	exec_add(&v->counter, sizeof(v->counter), (u64)-1);
}

/* atomic_add(i, v) / atomic_sub(i, v): one step, whatever i. */
static inline void atomic_add(int i, atomic_t *v)
{
	if (MODEL_WARN_ON(v->counter + i > INT16_MAX || v->counter + i < INT16_MIN))
		return;
	exec_add(&v->counter, sizeof(v->counter), (u64)(s64)i);
}

static inline void atomic_sub(int i, atomic_t *v)
{
	atomic_add(-i, v);
}

static inline void atomic_set(atomic_t *v, int i)
{
	exec_store(&v->counter, sizeof(v->counter), (u64)(s64)i);
}

/* ---- locks ---- */

typedef struct {
	u32 locked;
	s16 owner;	/* actor id, or -1 */
	u8 order;	/* spin_lock_set_order()'s rank; 0: unordered */
	const char *name;
} spinlock_t;

/* rwlock_t and rw_semaphore share one model: a writer or a reader set. */
typedef struct {
	u32 readers;	/* bitmask of reading actors */
	u16 writer;	/* 1 + actor id of the writer, or 0 */
	u8 order;	/* as spinlock_t's */
	const char *name;
} rwlock_t;

struct rw_semaphore {
	rwlock_t l;
};

void spin_lock_init(spinlock_t *l, const char *name);
void spin_lock(spinlock_t *l);
void spin_unlock(spinlock_t *l);
void rwlock_init(rwlock_t *l, const char *name);
void read_lock(rwlock_t *l);
void read_unlock(rwlock_t *l);
void write_lock(rwlock_t *l);
void write_unlock(rwlock_t *l);
void down_read(struct rw_semaphore *s);
void up_read(struct rw_semaphore *s);
void down_write(struct rw_semaphore *s);
void up_write(struct rw_semaphore *s);

/*
 * The lock order, lockdep's classes reduced to ranks: a lock given rank r
 * may not be taken by an actor that holds a lock of a higher rank; doing
 * so is an ORACLE_LOCKDEP finding that names both.  Locks of one rank
 * (two page-table locks) may nest.  The layer that owns the locks states
 * the order (mm/mm.h, after mm/rmap.c's block).
 */
void spin_lock_set_order(spinlock_t *l, u8 order);
void rwlock_set_order(rwlock_t *l, u8 order);

/* Lock assertions are real checks: a violation is an ORACLE_LOCKDEP finding. */
void lockdep_assert_held(spinlock_t *l);
void lockdep_assert_held_read_rw(rwlock_t *l);
void lockdep_assert_held_write_rw(rwlock_t *l);
void lockdep_assert_held_rw(rwlock_t *l);

/* ---- RCU ---- */
void rcu_read_lock(void);
void rcu_read_unlock(void);
void synchronize_rcu(void);
bool rcu_read_lock_held(void);

/* Blocks until pred(arg) holds; the footprint names what pred reads. */
void exec_wait_until(bool (*pred)(struct exec_actor *a), const void *arg,
		     const struct exec_foot *foot);

#endif
