// SPDX-License-Identifier: GPL-2.0
/*
 * Models mm/truncate.c as of v6.18 for one page: truncate_pagecache() ->
 * unmap_mapping_range() (every VMA mapping it is zapped, each zap
 * flushing before it returns) and truncate_inode_pages_range(): the folio
 * is locked, zapped again if a fault mapped it meanwhile
 * (truncate_cleanup_folio()), taken out of the page cache
 * (filemap_remove_folio()) and freed with the cache's reference.
 *
 * Simplified: one page, and the file keeps its size: the index becomes a
 * hole, where a fault is SIGSEGV (the kernel's SIGBUS past EOF); a folio
 * nothing else holds is freed at once.
 */
#include "mm.h"

/* unmap_mapping_range() of one page: each VMA of the mapping that maps it. */
static void unmap_mapping_page(struct address_space *mapping, pgoff_t index)
{
	EXEC_FN();
	down_read(&mapping->i_mmap_rwsem);
	for (int i = 0; i < mapping->nr_i_mmap; i++) {
		struct vm_area_struct *vma = mapping->i_mmap[i];
		u64 pages = (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;

		if (index < vma->vm_pgoff || index >= vma->vm_pgoff + pages)
			continue;
		zap_page_range_single(vma, vma->vm_start + ((index - vma->vm_pgoff) << PAGE_SHIFT),
				      PAGE_SIZE);
	}
	up_read(&mapping->i_mmap_rwsem);
}

int truncate_page(struct mm_world *mw, struct address_space *mapping, pgoff_t index)
{
	EXEC_FN();
	u64 pfn = READ_ONCE(mapping->pages[index]);
	struct folio *folio;

	if (!pfn)
		return 0;
	unmap_mapping_page(mapping, index);
	folio = pfn_folio(mw, pfn);
	folio_lock(folio);
	if (atomic_read(&folio->_mapcount) > 0)
		unmap_mapping_page(mapping, index);	/* truncate_cleanup_folio() */
	WRITE_ONCE(mapping->pages[index], 0);		/* filemap_remove_folio() */
	folio_unlock(folio);
	hw_free_data(mw->hw, pfn);			/* folio_put(): the last reference */
	return 0;
}
