// SPDX-License-Identifier: GPL-2.0
/*
 * Models the one-folio part of mm/vmscan.c shrink_folio_list() for
 * anonymous folios, as of v6.14.  Simplified: no swap (a swapbacked folio
 * stays resident), no LRU lists beyond PG_lru, no batching of the unmap
 * flush (try_to_unmap() flushes each PTE at once).
 */
#include "mm.h"

/*
 * shrink_folio_list() for one anon folio: lazyfree folios that nobody
 * re-dirtied are discarded; the consumer CONS_LAZYFREE sees a kept folio
 * (swap is not modelled: a swapbacked folio stays) as a report, since its
 * data survive, and a discarded one as none.
 */
bool mm_reclaim_folio(struct mm_world *mw, u64 pfn)
{
	EXEC_FN();
	struct folio *folio = pfn_folio(mw, pfn);
	bool lazyfree, discarded = false;

	if (!hw_frame_is_data(mw->hw, pfn) || folio_mapping(folio))
		return false;
	if (!folio_trylock(folio))
		return false;
	/* folio_isolate_lru(): off the LRU, with a reference */
	folio_get(folio);
	clear_bit(PG_lru, &folio->flags);
	lazyfree = !folio_test_swapbacked(folio);
	if (lazyfree)
		discarded = try_to_unmap(folio);
	folio_unlock(folio);
	/*
	 * folio_ref_freeze(folio, 1): only reclaim's own reference is left.
	 * An unexpected one (before B01's fix, a GUP pin the unmap did not
	 * look at) keeps the folio, unmapped.
	 */
	if (lazyfree && discarded && cmpxchg(&folio->_refcount.counter, 1, 0) == 1) {
		folio_set_mapping(folio, NULL);
		hw_free_data(mw->hw, pfn);
		count_mm_event(mw, PGLAZYFREED);
		return true;
	}
	/* kept (swap is not modelled): back on the LRU */
	set_bit(PG_lru, &folio->flags);
	folio_put(folio);
	/* its data survive for the process only where a PTE still maps it */
	if (atomic_read(&folio->_mapcount) > 0)
		obs_report(mw->obs, CONS_LAZYFREE, pfn);
	return false;
}
