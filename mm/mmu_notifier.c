// SPDX-License-Identifier: GPL-2.0
/*
 * Models mm/mmu_notifier.c and include/linux/mmu_notifier.h as of v6.10+
 * (.change_pte and set_pte_at_notify() are gone).  Subscriptions are fixed
 * at set-up, so the list is read without scheduling points (the kernel
 * walks it under SRCU).
 */
#include "mm.h"

const char *const mm_event_names[NR_MM_EVENTS] = {
	[PGFAULT] = "pgfault",
	[PGFAULT_MISSING] = "pgfault_missing",
	[PGFAULT_WP] = "pgfault_wp",
	[PGFAULT_UFFD_WP] = "pgfault_uffd_wp",
	[PGFAULT_SPURIOUS] = "pgfault_spurious",
	[PGACCESSED] = "folio_mark_accessed",
	[NR_DIRTIED] = "nr_dirtied",
	[NR_WRITTEN] = "nr_written",
	[PGLAZYFREE] = "pglazyfree",
	[PGLAZYFREED] = "pglazyfreed",
	[DIRTY_HELPER_PTES] = "dirty_helper_ptes",
	[MN_INVALIDATE_RANGE_START] = "invalidate_range_start",
	[MN_INVALIDATE_RANGE_END] = "invalidate_range_end",
	[MN_CLEAR_FLUSH_YOUNG] = "clear_flush_young",
	[MN_CLEAR_YOUNG] = "clear_young",
	[MN_TEST_YOUNG] = "test_young",
	[MN_RELEASE] = "release",
};

int mmu_notifier_register(struct mmu_notifier *sub, struct mm_struct *mm)
{
	if (mm->nr_notifiers >= MM_MAX_NOTIFIERS)
		return -ENOMEM;
	sub->mm = mm;
	mm->notifiers[mm->nr_notifiers++] = sub;
	return 0;
}

void mmu_notifier_range_init(struct mmu_notifier_range *range,
			     enum mmu_notifier_event event,
			     struct mm_struct *mm, u64 start, u64 end)
{
	range->mm = mm;
	range->start = start;
	range->end = end;
	range->event = event;
}

void mmu_notifier_invalidate_range_start(struct mmu_notifier_range *range)
{
	EXEC_FN();
	struct mm_struct *mm = range->mm;

	for (int i = 0; i < mm->nr_notifiers; i++) {
		struct mmu_notifier *sub = mm->notifiers[i];

		if (!sub->ops->invalidate_range_start)
			continue;
		count_mm_event(mm->mw, MN_INVALIDATE_RANGE_START);
		sub->ops->invalidate_range_start(sub, range);
	}
}

void mmu_notifier_invalidate_range_end(struct mmu_notifier_range *range)
{
	EXEC_FN();
	struct mm_struct *mm = range->mm;

	for (int i = 0; i < mm->nr_notifiers; i++) {
		struct mmu_notifier *sub = mm->notifiers[i];

		if (!sub->ops->invalidate_range_end)
			continue;
		count_mm_event(mm->mw, MN_INVALIDATE_RANGE_END);
		sub->ops->invalidate_range_end(sub, range);
	}
}

int mmu_notifier_clear_flush_young(struct mm_struct *mm, u64 start, u64 end)
{
	int young = 0;

	for (int i = 0; i < mm->nr_notifiers; i++) {
		struct mmu_notifier *sub = mm->notifiers[i];

		if (!sub->ops->clear_flush_young)
			continue;
		count_mm_event(mm->mw, MN_CLEAR_FLUSH_YOUNG);
		young |= sub->ops->clear_flush_young(sub, mm, start, end);
	}
	return young;
}

int mmu_notifier_clear_young(struct mm_struct *mm, u64 start, u64 end)
{
	int young = 0;

	for (int i = 0; i < mm->nr_notifiers; i++) {
		struct mmu_notifier *sub = mm->notifiers[i];

		if (!sub->ops->clear_young)
			continue;
		count_mm_event(mm->mw, MN_CLEAR_YOUNG);
		young |= sub->ops->clear_young(sub, mm, start, end);
	}
	return young;
}

void mmu_notifier_release(struct mm_struct *mm)
{
	for (int i = 0; i < mm->nr_notifiers; i++) {
		struct mmu_notifier *sub = mm->notifiers[i];

		if (!sub->ops->release)
			continue;
		count_mm_event(mm->mw, MN_RELEASE);
		sub->ops->release(sub, mm);
	}
}
