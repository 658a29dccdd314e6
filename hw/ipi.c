// SPDX-License-Identifier: GPL-2.0
/*
 * hw/ipi: TLB shootdowns.  A flush of an address space flushes the
 * caller's own TLB at once and sends an IPI to every other TLB of the
 * space, then waits until each handler (an actor of its own) has flushed
 * and acknowledged, as flush_tlb_mm_range() waits in the kernel.
 */
#include "hw_internal.h"

#include <stdio.h>

static bool hw_flush_acked(struct exec_actor *a)
{
	const struct hw_pend *p = a->wait_arg;

	for (int i = 0; i < p->hw->nr_tlbs; i++)
		if ((p->targets & (1u << i)) &&
		    (p->hw->tlbs[i].ipi_from & (1u << p->self)))
			return false;
	return true;
}

void hw_flush_tlb(struct hw *hw, int space, u64 start, u64 end, bool all)
{
	struct exec_actor *a = exec_current();
	int self = a ? a->id : -1;
	int own = self >= 0 ? hw->tlb_of_actor[self] : hw->direct_tlb;
	struct hw_pend p = { .hw = hw, .space = space, .self = self };
	struct exec_foot f = { 0 };

	/* the local flush touches the own TLB, the IPIs only the mailboxes */
	for (int i = 0; i < hw->nr_tlbs; i++) {
		if (hw->tlbs[i].space != space)
			continue;
		if (i != own)
			p.targets |= 1u << i;
		foot_add(&f, i == own ? (void *)&hw->tlbs[i] : (void *)&hw->tlbs[i].ipi_from,
			 ACC_W);
	}
	if (!f.n)
		return;
	exec_point_foot(EXEC_OP_RMW, &f, NULL, NULL);
	if (own >= 0 && hw->tlbs[own].space == space)
		hw_flush_tlb_local(hw, own, start, end, all);
	if (!a) {
		/* direct mode: the IPIs are handled at once */
		for (int i = 0; i < hw->nr_tlbs; i++) {
			if (!(p.targets & (1u << i)))
				continue;
			hw->stats.ipis++;
			hw->stats.flush_remote++;
			hw->tlbs[i].ipis++;
			hw_tlb_flush_range(&hw->tlbs[i], start, end, all);
		}
		return;
	}
	for (int i = 0; i < hw->nr_tlbs; i++) {
		struct hw_tlb *t = &hw->tlbs[i];

		if (!(p.targets & (1u << i)))
			continue;
		if (!t->ipi_from) {
			t->ipi_all = all;
			t->ipi_start = start;
			t->ipi_end = end;
		} else {
			t->ipi_all |= all;
			t->ipi_start = min_t(u64, t->ipi_start, start);
			t->ipi_end = max_t(u64, t->ipi_end, end);
		}
		t->ipi_from |= 1u << self;
		hw->stats.ipis++;
		t->ipis++;
	}
	if (exec_tracing())
		exec_note("flush TLBs of %s [%#llx, %#llx)%s: IPI to %#x",
			  hw->spaces[space].name, (unsigned long long)start,
			  (unsigned long long)end, all ? " (all)" : "",
			  p.targets);
	if (!p.targets)
		return;
	f.n = 0;
	for (int i = 0; i < hw->nr_tlbs; i++)
		if (p.targets & (1u << i))
			foot_add(&f, &hw->tlbs[i].ipi_from, ACC_R);
	exec_wait_until(hw_flush_acked, &p, &f);
	if (exec_tracing())
		exec_note("flush IPIs acknowledged");
}

static bool hw_ipi_enabled(void *arg)
{
	return ((struct hw_tlb *)arg)->ipi_from != 0;
}

static void hw_ipi_run(void *arg)
{
	struct hw_tlb *t = arg;

	hw_tlb_flush_range(t, t->ipi_start, t->ipi_end, t->ipi_all);
	t->ipi_from = 0;
	if (exec_tracing())
		exec_note("%s handles flush IPI [%#llx, %#llx)%s", t->name,
			  (unsigned long long)t->ipi_start,
			  (unsigned long long)t->ipi_end,
			  t->ipi_all ? " (all)" : "");
}

static void hw_ipi_foot(void *arg, struct exec_foot *f)
{
	struct hw_tlb *t = arg;

	foot_add(f, t, ACC_W);
	foot_add(f, &t->ipi_from, ACC_W);
}

int hw_add_ipi_handlers(struct hw *hw, struct exec *ex)
{
	for (int i = 0; i < hw->nr_tlbs; i++) {
		char name[32];

		snprintf(name, sizeof(name), "ipi:%s", hw->tlbs[i].name);
		if (exec_add_handler(ex, name, hw_ipi_enabled, hw_ipi_run,
				     hw_ipi_foot, &hw->tlbs[i]) < 0)
			return -1;
	}
	return 0;
}

