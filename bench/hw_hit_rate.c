// SPDX-License-Identifier: GPL-2.0
/*
 * How fast the hardware layer completes accesses outside the explorer
 * (direct mode, as a trace-driven simulator drives it): writes that hit a
 * warm TLB entry, and reads that walk because the TLB is flushed first.
 */
#include "../tests/unit/world.h"

#include <stdio.h>
#include <time.h>
#include "bench.h"

int unit_failures;	/* unit_world_build() counts failures here */

static const char *const src =
	"scenario hit-rate\n"
	"file f pages 4\n"
	"process p\n"
	"mmap p 0x10000 pages 4 shared write file f\n"
	"actor c0 cpu p {\n}\n";

int main(void)
{
	struct unit_world uw;
	struct hw_fault f;
	struct hw *hw;
	long n = 50000000, m = 5000000;
	double t0, t1;
	int tlb;

	if (!unit_world_build(&uw, src, NULL))
		return 1;
	hw = &uw.m.w->hw;
	tlb = unit_actor_tlb(&uw, "c0");
	mm_user_access(unit_mm(&uw, "p"), tlb, 0x10000, true);
	hw->tlb_evict = false;
	t0 = now();
	for (long i = 0; i < n; i++)
		hw_access(hw, tlb, 0x10000, true, &f);
	t1 = now();
	printf("| TLB-hit writes | %ld | %.3f | %.1f M/s |\n", n, t1 - t0, n / (t1 - t0) / 1e6);
	t0 = now();
	for (long i = 0; i < m; i++) {
		hw_flush_tlb(hw, unit_mm(&uw, "p")->space, 0, 0, true);
		hw_access(hw, tlb, 0x10000, false, &f);
	}
	t1 = now();
	printf("| flush + walking read | %ld | %.3f | %.1f M/s |\n", m, t1 - t0, m / (t1 - t0) / 1e6);
	unit_world_free(&uw);
	return 0;
}
