// SPDX-License-Identifier: GPL-2.0
/*
 * Models mm/page-writeback.c as of v6.14: folio_mark_dirty(),
 * folio_clear_dirty_for_io(), and one pass of write_cache_pages() over a
 * folio (mm_writeback_folio()).  Simplified: writeback completes at once
 * (no PG_writeback interval), and a folio is "written" by reporting it to
 * the writeback consumer.
 */
#include "mm.h"

/* mm/page-writeback.c folio_mark_dirty(): returns true if newly dirtied. */
bool folio_mark_dirty(struct folio *folio)
{
	EXEC_FN();
	if (test_and_set_bit(PG_dirty, &folio->flags))
		return false;
	count_mm_event(folio_mw(folio), NR_DIRTIED);
	return true;
}

/*
 * folio_clear_dirty_for_io(), folio locked: write-protect and clean every
 * mapping, move PTE dirtiness into the folio, then test-and-clear it.
 */
bool folio_clear_dirty_for_io(struct folio *folio)
{
	EXEC_FN();
	if (folio_mkclean(folio))
		folio_mark_dirty(folio);
	return folio_test_clear_dirty(folio);
}

/*
 * One writeback pass over a folio (write_cache_pages): lock, clear dirty
 * for I/O, "write" it.  The report is delivered when the dirty flag has
 * been cleared: every write before now is in the written data.
 */
int mm_writeback_folio(struct mm_world *mw, struct address_space *mapping,
		       pgoff_t index)
{
	EXEC_FN();
	struct folio *folio;
	bool dirty;
	u64 pfn;

	if (index >= mapping->nrpages)
		return -EINVAL;
	pfn = READ_ONCE(mapping->pages[index]);
	if (!pfn)
		return 0;	/* a hole: truncated, or a memfd page never used */
	folio = pfn_folio(mw, pfn);
	folio_lock(folio);
	dirty = folio_clear_dirty_for_io(folio);
	if (dirty) {
		count_mm_event(mw, NR_WRITTEN);
		obs_report(mw->obs, CONS_WRITEBACK, folio_pfn(folio));
	}
	if (exec_tracing())
		exec_note("writeback %s[%llu]: %s", mapping->name,
			  (unsigned long long)index, dirty ? "written" : "clean");
	folio_unlock(folio);
	return dirty;
}

