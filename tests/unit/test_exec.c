// SPDX-License-Identifier: GPL-2.0
/* exec/: primitives in direct mode, the dependence relation, the arena. */
#include "unit.h"

#include "../../exec/arena.h"
#include "../../exec/exec.h"

#include <string.h>

TEST(exec_primitives_direct_mode)
{
	struct exec ex;
	u64 w = 0, v;

	exec_init(&ex);
	exec_engine = &ex;
	CHECK(!test_and_set_bit(3, &w));
	CHECK(test_and_set_bit(3, &w));
	CHECK(test_bit(3, &w));
	set_bit(64 + 1, (u64[2]){ 0 });	/* the second word: no crash */
	clear_bit(3, &w);
	CHECK_EQ(w, 0);
	{
		/* u32 words (folio flags): bit 33 is bit 1 of the second word */
		u32 f[2] = { 0, 0 };

		CHECK(!test_and_set_bit(33, f));
		CHECK_EQ(f[0], 0);
		CHECK_EQ(f[1], 2);
		set_bit(31, f);
		CHECK_EQ(f[0], 0x80000000u);
		CHECK(test_and_clear_bit(31, f));
		CHECK(!test_bit(31, f));
		CHECK_EQ(f[0], 0);
	}
	v = xchg(&w, 7);
	CHECK_EQ(v, 0);
	CHECK_EQ(cmpxchg(&w, 6, 9), 7);	/* fails, returns current */
	CHECK_EQ(w, 7);
	CHECK_EQ(cmpxchg(&w, 7, 9), 7);
	CHECK_EQ(w, 9);
	CHECK_EQ(atomic64_fetch_and(~1ULL, &w), 9);
	CHECK_EQ(w, 8);
	/* direct mode ticks the clock once per access */
	CHECK(ex.now >= 8);
	{
		/* 16-bit atomic_t: a negative count reads back negative, and
		 * an increment that would wrap warns and leaves it */
		atomic_t a = { -1 };

		CHECK_EQ(atomic_read(&a), -1);
		atomic_inc(&a);
		CHECK_EQ(atomic_read(&a), 0);
		CHECK(!ex.have_finding);
		a.counter = INT16_MAX;
		atomic_inc(&a);
		CHECK_EQ(atomic_read(&a), INT16_MAX);
		CHECK(ex.have_finding && strstr(ex.finding.msg, "INT16_MAX"));
	}
	exec_engine = NULL;
	exec_fini(&ex);
}

TEST(exec_dependence_relation)
{
	u64 word;
	struct exec_obj r = { &word, ACC_R, 0 }, wr = { &word, ACC_W, 0 };
	struct exec_obj b3 = { &word, ACC_W, 4 }, b5 = { &word, ACC_W, 6 };
	struct exec_obj s3 = { &word, ACC_SET, 4 }, c3 = { &word, ACC_CLR, 4 };
	struct exec_obj add = { &word, ACC_ADD, 0 }, other = { &r, ACC_W, 0 };

	CHECK(!exec_obj_conflict(&r, &r));
	CHECK(exec_obj_conflict(&r, &wr));
	CHECK(!exec_obj_conflict(&wr, &other));
	CHECK(!exec_obj_conflict(&b3, &b5));	/* different bits */
	CHECK(exec_obj_conflict(&b3, &wr));	/* bit vs whole word */
	CHECK(exec_obj_conflict(&b3, &r));
	CHECK(!exec_obj_conflict(&s3, &s3));	/* set_bit commutes with set_bit */
	CHECK(exec_obj_conflict(&s3, &c3));	/* but not with clear_bit */
	CHECK(!exec_obj_conflict(&add, &add));
	CHECK(exec_obj_conflict(&add, &r));
	CHECK(exec_obj_conflict(&add, &s3));
}

TEST(arena_reset_skips_the_hole)
{
	struct arena a;
	u8 *p;

	CHECK(!arena_init(&a, 1 << 16));
	p = arena_alloc(&a, 4096);
	memset(p, 1, 4096);
	arena_snapshot(&a, a.used, 1024, 1024);
	memset(p, 2, 4096);
	arena_reset(&a);
	CHECK_EQ(p[0], 1);
	CHECK_EQ(p[1023], 1);
	CHECK_EQ(p[1024], 2);	/* the hole keeps what it holds */
	CHECK_EQ(p[2047], 2);
	CHECK_EQ(p[2048], 1);
	CHECK_EQ(p[4095], 1);
	arena_fini(&a);
}

/*
 * The model's lockdep enforces the lock order: one actor takes an inner
 * lock then an outer one (a finding naming both); the right order, and
 * two locks of one rank nested, pass.
 */
static spinlock_t lo_inner, lo_inner2;
static rwlock_t lo_outer;

static void lock_order_wrong(void *arg)
{
	spin_lock(&lo_inner);
	read_lock(&lo_outer);
	read_unlock(&lo_outer);
	spin_unlock(&lo_inner);
}

static void lock_order_right(void *arg)
{
	read_lock(&lo_outer);
	spin_lock(&lo_inner);
	spin_lock(&lo_inner2);
	spin_unlock(&lo_inner2);
	spin_unlock(&lo_inner);
	read_unlock(&lo_outer);
}

static bool lock_order_run(void (*fn)(void *), struct exec_finding *finding)
{
	struct exec ex;
	bool found;

	exec_init(&ex);
	spin_lock_init(&lo_inner, "inner");
	spin_lock_init(&lo_inner2, "inner2");
	rwlock_init(&lo_outer, "outer");
	spin_lock_set_order(&lo_inner, 2);
	spin_lock_set_order(&lo_inner2, 2);
	rwlock_set_order(&lo_outer, 1);
	exec_add_actor(&ex, "a", fn, NULL, NULL);
	exec_begin(&ex);
	while (!exec_all_done(&ex) && !ex.have_finding)
		exec_step(&ex, 0);
	found = ex.have_finding;
	*finding = ex.finding;
	exec_fini(&ex);
	exec_engine = NULL;
	return found;
}

TEST(exec_lockdep_lock_order)
{
	struct exec_finding f;

	CHECK(lock_order_run(lock_order_wrong, &f));
	CHECK_EQ(f.oracle, ORACLE_LOCKDEP);
	CHECK(strstr(f.msg, "outer taken while holding inner") != NULL);
	CHECK(!lock_order_run(lock_order_right, &f));
}
