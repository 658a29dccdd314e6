// SPDX-License-Identifier: GPL-2.0
/*
 * Models mm/memory.c (faults, zap), mm/gup.c (one-page GUP), the page
 * table allocation and locking of mm/memory.c and mm/pgtable-generic.c,
 * and the set-up parts of mm/mmap.c and mm/filemap.c.  Read as of
 * v6.14-v6.17.  The x86 PTE primitives are arch/x86/mm/pgtable.c's, the
 * flushes arch/x86/mm/tlb.c's, the batching mm/mmu_gather.c's.
 *
 * Simplified: page_mkwrite never blocks.  A file's own page_mkwrite
 * (filemap_page_mkwrite(); shmem has none) only takes the folio lock; a
 * driver's (vm_operations_struct, e.g. vmwgfx's vmw_bo_vm_mkwrite()) is
 * called by do_page_mkwrite() as in v6.18.  No COW of file pages (private
 * file mappings are not modelled); GUP is the slow path only.
 */
#include "mm.h"

#include <stdio.h>
#include <string.h>

#include "../exec/arena.h"



/* ---- set-up ---- */

int mm_world_init(struct mm_world *mw, struct arena *ar, struct hw *hw,
		  const struct variant_cfg *cfg, struct obs *obs)
{
	memset(mw, 0, sizeof(*mw));
	mw->cfg = cfg;
	mw->hw = hw;
	mw->obs = obs;
	mw->mem_map = arena_alloc(ar, hw->nr_frames * sizeof(*mw->mem_map));
	if (!mw->mem_map)
		return -1;
	/* the span folio_set_mapping_ptr()'s 32-bit handles reach */
	if ((uintptr_t)mw->mem_map < (uintptr_t)(mw + 1) ||
	    (uintptr_t)(mw->mem_map + hw->nr_frames) - (uintptr_t)mw > FOLIO_MAPPING_SPAN)
		return -1;
	mw->ptl = arena_alloc(ar, (size_t)hw->nr_pt * sizeof(*mw->ptl));
	if (!mw->ptl)
		return -1;
	for (u32 i = 0; i < hw->nr_pt; i++) {
		spin_lock_init(&mw->ptl[i], "ptl");
		spin_lock_set_order(&mw->ptl[i], MM_LOCK_PTL);
	}
	/* mm/mm_init.c: the zero page read faults of anonymous memory map */
	mw->zero_pfn = hw_alloc_data(hw, 1, 1);
	return mw->zero_pfn ? 0 : -1;
}

int mm_direct_world_init(struct mm_direct_world *d, u64 nr_frames, u32 nr_pt, size_t extra,
			 const struct variant_cfg *cfg, const struct obs_ops *ops, void *ctx)
{
	size_t size = (size_t)nr_frames * sizeof(struct folio) + (size_t)nr_frames / 8 +
		      (size_t)nr_pt * (PAGE_SIZE + sizeof(struct hw_pt_meta) + sizeof(spinlock_t)) +
		      extra + (1u << 20);

	memset(d, 0, sizeof(*d));
	d->cfg = *cfg;
	d->obs.ops = ops;
	d->obs.ctx = ctx;
	exec_enter_direct_mode();
	if (nr_frames > 0xffffffffULL || arena_init(&d->arena, size))
		return -1;
	d->hw = arena_alloc(&d->arena, sizeof(*d->hw));
	d->mw = arena_alloc(&d->arena, sizeof(*d->mw));
	if (!d->hw || !d->mw || hw_init(d->hw, &d->arena, (u32)nr_frames, nr_pt, &d->cfg, &d->obs) ||
	    mm_world_init(d->mw, &d->arena, d->hw, &d->cfg, &d->obs)) {
		mm_direct_world_fini(d);
		return -1;
	}
	d->hw->tlb_evict = false;	/* nothing to choose: no explorer */
	return 0;
}

void mm_direct_world_fini(struct mm_direct_world *d)
{
	arena_fini(&d->arena);
	d->hw = NULL;
	d->mw = NULL;
}

/*
 * Adds a new folio for index to the page cache; its pfn or 0.  locked:
 * published with PG_locked set (__folio_set_locked() before
 * shmem_add_to_page_cache()), for the caller to unlock.
 */
u64 filemap_add_new_folio(struct mm_world *mw, struct address_space *m,
			  pgoff_t index, bool locked)
{
	u64 pfn = hw_alloc_data(mw->hw, 1, 1);
	struct folio *f;

	if (!pfn)
		return 0;
	f = pfn_folio(mw, pfn);
	f->_mapcount.counter = 0;
	folio_set_mapping(f, m);
	f->index = (u32)index;	/* below nrpages, a u32 */
	f->flags = BIT_ULL(PG_lru) | (m->shmem ? BIT_ULL(PG_swapbacked) : 0) |
		   (locked ? BIT_ULL(PG_locked) : 0);
	f->_refcount.counter = 1;
	/*
	 * shmem_add_to_page_cache() under the xarray lock: the slot must
	 * still be a hole, or another fault or UFFDIO_COPY filled it first
	 * (-EEXIST): 0 is returned, as when no frame is free.
	 */
	if (cmpxchg(&m->pages[index], 0, (u32)pfn) != 0) {
		hw_free_data(mw->hw, pfn);
		return 0;
	}
	return pfn;
}

/*
 * A file whose page cache is fully populated (no I/O is modelled), or,
 * with shmem, a memfd's: empty until a fault or UFFDIO_COPY fills a hole
 * (shmem_get_folio(), shmem_mfill_atomic_pte()).
 */
struct address_space *mm_new_file(struct mm_world *mw, struct arena *ar,
				  const char *name, u32 nrpages, bool shmem)
{
	struct address_space *m;

	if (mw->nr_files >= MM_MAX_FILES || !nrpages)
		return NULL;
	m = &mw->files[mw->nr_files++];
	m->mw = mw;
	snprintf(m->name, sizeof(m->name), "%s", name);
	rwlock_init(&m->i_mmap_rwsem.l, "i_mmap_rwsem");
	rwlock_set_order(&m->i_mmap_rwsem.l, MM_LOCK_I_MMAP_RWSEM);
	m->pages = arena_alloc(ar, nrpages * sizeof(*m->pages));
	if (!m->pages)
		return NULL;
	m->nrpages = nrpages;
	m->shmem = shmem;
	for (u32 i = 0; i < nrpages && !shmem; i++)
		if (!filemap_add_new_folio(mw, m, i, false))
			return NULL;
	return m;
}

/*
 * filemap_fault() / shmem_fault(): the folio at index, returned locked,
 * as __do_fault() returns it; a shmem hole is filled with a new folio,
 * published locked (shmem_get_folio(SGP_CACHE)).  A folio found in the
 * cache is locked and checked to be still there (truncation, or a
 * UFFDIO_COPY that could not map its folio, removes one under its lock),
 * else the lookup starts over.  NULL: a hole (past EOF) or no frame.
 */
static struct folio *filemap_fault_folio(struct mm_world *mw,
					 struct address_space *m, pgoff_t index)
{
	for (;;) {
		u64 pfn = READ_ONCE(m->pages[index]);
		struct folio *folio;

		if (!pfn && m->shmem) {
			pfn = filemap_add_new_folio(mw, m, index, true);
			if (!pfn && !READ_ONCE(m->pages[index]))
				return NULL;	/* no frame */
			if (!pfn)
				continue;	/* -EEXIST: look the winner up */
			return pfn_folio(mw, pfn);
		}
		if (!pfn)
			return NULL;
		folio = pfn_folio(mw, pfn);
		folio_lock(folio);
		if (READ_ONCE(m->pages[index]) == pfn)
			return folio;
		folio_unlock(folio);
	}
}


struct mm_struct *mm_new(struct mm_world *mw, const char *name)
{
	struct mm_struct *mm;

	if (mw->nr_mms >= MM_MAX_MMS)
		return NULL;
	mm = &mw->mms[mw->nr_mms++];
	mm->mw = mw;
	snprintf(mm->name, sizeof(mm->name), "%s", name);
	rwlock_init(&mm->mmap_lock.l, "mmap_lock");
	rwlock_set_order(&mm->mmap_lock.l, MM_LOCK_MMAP_LOCK);
	mm->space = hw_new_space(mw->hw, HW_SPACE_X86, name);
	return mm->space < 0 ? NULL : mm;
}

/*
 * x86 protection_map[]: every value carries _PAGE_ACCESSED; a private
 * writable mapping is PAGE_COPY (write-enabled by the fault), a shared
 * writable one PAGE_SHARED, PROT_NONE is PAGE_NONE (_PAGE_PROTNONE).
 */
u64 vm_get_page_prot(u64 vm_flags)
{
	u64 prot = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;

	if ((vm_flags & (VM_WRITE | VM_SHARED)) == (VM_WRITE | VM_SHARED))
		prot |= _PAGE_RW;
	if (!(vm_flags & (VM_READ | VM_WRITE)))
		prot = _PAGE_PROTNONE | _PAGE_ACCESSED;
	return prot;
}

/*
 * mm/mmap.c vma_wants_writenotify(): a shared writable mapping whose file
 * tracks dirty pages (page_mkwrite; not shmem), or that uffd-wp tracks,
 * maps read-only so that the first write faults.  Like the kernel, it
 * answers false for shmem when vm_page_prot is not what the flags alone
 * give ("the open routine did something to the protections"): which is
 * the case once writenotify already applies, so mprotect() and
 * un-protect never upgrade a shmem uffd-wp PTE themselves.
 */
bool vma_wants_writenotify(struct vm_area_struct *vma, u64 vm_page_prot)
{
	if ((vma->vm_flags & (VM_WRITE | VM_SHARED)) != (VM_WRITE | VM_SHARED))
		return false;
	if (vma->vm_ops && vma->vm_ops->page_mkwrite)
		return true;
	if (vma->vm_file && !vma->vm_file->shmem)
		return true;
	if (vm_page_prot != vm_get_page_prot(vma->vm_flags))
		return false;
	return userfaultfd_wp(vma);
}

void vma_set_page_prot(struct vm_area_struct *vma)
{
	u64 flags = vma->vm_flags;

	if (vma_wants_writenotify(vma, vm_get_page_prot(flags)))
		flags &= ~VM_SHARED;
	vma->vm_page_prot = vm_get_page_prot(flags);
}

void vma_set_vm_ops(struct vm_area_struct *vma, const struct vm_operations_struct *ops,
		    void *private_data)
{
	vma->vm_ops = ops;
	vma->vm_private_data = private_data;
	vma_set_page_prot(vma);
}

/* mm/mprotect.c: may change_protection() make PTEs writable itself? */
bool vma_wants_manual_pte_write_upgrade(struct vm_area_struct *vma)
{
	if (vma->vm_flags & VM_SHARED)
		return vma_wants_writenotify(vma, vma->vm_page_prot);
	return vma->vm_flags & VM_WRITE;
}

/*
 * Allocates the page tables for [addr, end) down to (and, unless
 * last_level is PG_LEVEL_2M, including) the PTE tables.
 */
static int mm_populate_tables(struct mm_struct *mm, u64 addr, u64 end, int last_level)
{
	struct hw *hw = mm->mw->hw;

	for (u64 va = addr; va < end; va += PAGE_SIZE) {
		u64 pfn = hw->spaces[mm->space].root_pfn;

		for (int level = PT64_ROOT_4LEVEL; level > last_level; level--) {
			u64 *pt = hw_pt_page(hw, pfn);
			u64 *e = &pt[hw_index(va, level)];

			if (!*e) {
				u64 base = va & ~((1ULL << hw_level_shift(level)) - 1);
				u64 child = hw_alloc_pt(hw, mm->space, level - 1, base);

				if (!child)
					return -ENOMEM;
				*e = (child << PAGE_SHIFT) | _PAGE_TABLE;
			}
			pfn = (*e & PTE_PFN_MASK) >> PAGE_SHIFT;
		}
	}
	return 0;
}

struct vm_area_struct *mm_mmap(struct mm_struct *mm, u64 addr, u64 len,
			       u64 vm_flags, struct address_space *file,
			       pgoff_t pgoff)
{
	struct vm_area_struct *vma;

	int slot = mm->nr_vmas;

	for (int i = 0; i < mm->nr_vmas; i++)	/* one vma_unlink() left */
		if (!mm->vmas[i].vm_end && slot == mm->nr_vmas)
			slot = i;
	if (slot >= MM_MAX_VMAS || (addr | len) & (PAGE_SIZE - 1) || !len ||
	    addr >= MODEL_TASK_SIZE || len > MODEL_TASK_SIZE - addr)
		return NULL;
	if (file && (file->nr_i_mmap >= MAPPING_MAX_VMAS ||
		     pgoff + (len >> PAGE_SHIFT) > file->nrpages))
		return NULL;
	for (int i = 0; i < mm->nr_vmas; i++)
		if (addr < mm->vmas[i].vm_end && mm->vmas[i].vm_start < addr + len)
			return NULL;
	vma = &mm->vmas[slot];
	if (slot == mm->nr_vmas)
		mm->nr_vmas++;
	vma->vm_mm = mm;
	vma->vm_start = addr;
	vma->vm_end = addr + len;
	vma->vm_flags = vm_flags | VM_MAYREAD | VM_MAYWRITE |
			((vm_flags & VM_SHARED) ? VM_MAYSHARE : 0);
	vma->vm_file = file;
	vma->vm_userfaultfd_ctx = NULL;
	vma_set_page_prot(vma);
	vma->vm_pgoff = pgoff;
	vma->vm_ops = NULL;
	vma->vm_private_data = NULL;
	if (file) {	/* vma_link_file() */
		down_write(&file->i_mmap_rwsem);
		file->i_mmap[file->nr_i_mmap++] = vma;
		up_write(&file->i_mmap_rwsem);
	}
	if (mm_populate_tables(mm, addr, addr + len,
			       mm->lazy_pte_tables ? PG_LEVEL_2M : PG_LEVEL_4K))
		return NULL;
	return vma;
}

/* The lowest VMA overlapping [start, end), or NULL. */
struct vm_area_struct *find_vma_intersection(struct mm_struct *mm, u64 start, u64 end)
{
	struct vm_area_struct *vma = NULL;

	for (int i = 0; i < mm->nr_vmas; i++) {
		struct vm_area_struct *v = &mm->vmas[i];

		if (v->vm_end > start && v->vm_start < end &&
		    (!vma || v->vm_start < vma->vm_start))
			vma = v;
	}
	return vma;
}

struct vm_area_struct *find_vma(struct mm_struct *mm, u64 addr)
{
	for (int i = 0; i < mm->nr_vmas; i++)
		if (addr >= mm->vmas[i].vm_start && addr < mm->vmas[i].vm_end)
			return &mm->vmas[i];
	return NULL;
}

/* ---- folio flags (include/linux/page-flags.h): atomic bit ops ---- */

bool folio_test_dirty(struct folio *folio)
{
	return test_bit(PG_dirty, &folio->flags);
}

void folio_clear_dirty(struct folio *folio)
{
	clear_bit(PG_dirty, &folio->flags);
}

bool folio_test_clear_dirty(struct folio *folio)
{
	return test_and_clear_bit(PG_dirty, &folio->flags);
}

void folio_mark_accessed(struct folio *folio)
{
	count_mm_event(folio_mw(folio), PGACCESSED);
	set_bit(PG_referenced, &folio->flags);
}

bool folio_test_swapbacked(struct folio *folio)
{
	return test_bit(PG_swapbacked, &folio->flags);
}

void folio_set_swapbacked(struct folio *folio)
{
	set_bit(PG_swapbacked, &folio->flags);
}

static bool folio_unlocked(struct exec_actor *a)
{
	const struct folio *folio = a->wait_arg;

	return !(folio->flags & BIT_ULL(PG_locked));
}

/* PG_locked is a sleeping bit lock: wait for it, then test_and_set it. */
void folio_lock(struct folio *folio)
{
	struct exec_foot f = { .n = 1, .o = { { &folio->flags, ACC_R } } };

	while (test_and_set_bit(PG_locked, &folio->flags))
		exec_wait_until(folio_unlocked, folio, &f);
}

bool folio_trylock(struct folio *folio)
{
	return !test_and_set_bit(PG_locked, &folio->flags);
}

void folio_unlock(struct folio *folio)
{
	clear_bit(PG_locked, &folio->flags);
}


/* The PMD entry above addr's PTE table (upper tables always exist). */
static u64 *mm_pmd(struct mm_struct *mm, u64 addr)
{
	return hw_lookup(mm->mw->hw, mm->space, addr, PG_LEVEL_2M);
}

bool pmd_none_at(struct mm_struct *mm, u64 addr)
{
	u64 *pmd = mm_pmd(mm, addr);

	return !pmd || !READ_ONCE(*pmd);
}

/* __pte_alloc(): a zeroed PTE table under a none PMD entry; 0 or -ENOMEM. */
int pte_alloc(struct mm_struct *mm, u64 addr)
{
	struct hw *hw = mm->mw->hw;
	u64 *pmd = mm_pmd(mm, addr), pfn;

	if (!pmd)
		return -ENOMEM;
	if (READ_ONCE(*pmd))
		return 0;
	pfn = hw_alloc_pt(hw, mm->space, PG_LEVEL_4K, addr & ~((1ULL << hw_level_shift(2)) - 1));
	if (!pfn)
		return -ENOMEM;
	WRITE_ONCE(*pmd, (pfn << PAGE_SHIFT) | _PAGE_TABLE);
	return 0;
}

pte_t *pte_offset_map_lock(struct mm_struct *mm, u64 addr, spinlock_t **ptlp)
{
	struct hw *hw = mm->mw->hw;
	u64 *p = hw_lookup(hw, mm->space, addr, PG_LEVEL_4K);
	u64 pfn;

	if (!p)
		return NULL;
	pfn = hw_pt_pfn_of(hw, p);
	*ptlp = ptlock_ptr(mm->mw, pfn);
	spin_lock(*ptlp);
	return (pte_t *)p;
}

pte_t *pte_offset_map_nolock(struct mm_struct *mm, u64 addr, spinlock_t **ptlp)
{
	struct hw *hw = mm->mw->hw;
	u64 *p = hw_lookup(hw, mm->space, addr, PG_LEVEL_4K);

	if (!p)
		return NULL;
	*ptlp = ptlock_ptr(mm->mw, hw_pt_pfn_of(hw, p));
	return (pte_t *)p;
}

void vma_unlink(struct vm_area_struct *vma)
{
	struct address_space *file = vma->vm_file;

	if (file) {	/* __remove_shared_vm_struct() */
		down_write(&file->i_mmap_rwsem);
		for (int i = 0; i < file->nr_i_mmap; i++)
			if (file->i_mmap[i] == vma) {
				file->i_mmap[i] = file->i_mmap[--file->nr_i_mmap];
				break;
			}
		up_write(&file->i_mmap_rwsem);
	}
	vma->vm_start = vma->vm_end = 0;
	vma->vm_file = NULL;
	vma->vm_flags = 0;
}

void pte_unmap_unlock(pte_t *pte, spinlock_t *ptl)
{
	(void)pte;
	spin_unlock(ptl);
}



/* ---- faults ---- */

/* vm_normal_folio(): NULL for the zero page and for frames without one. */
struct folio *vm_normal_folio(struct vm_area_struct *vma, pte_t pte)
{
	struct mm_world *mw = vma->vm_mm->mw;
	u64 pfn = pte_pfn(pte);

	if (pfn == mw->zero_pfn || !hw_frame_is_data(mw->hw, pfn))
		return NULL;
	return pfn_folio(mw, pfn);
}

/*
 * vmf_orig_pte_uffd_wp(): the fault hit a uffd-wp marker, so the new PTE
 * stays protected (a write then takes a second, write-protect fault).
 */
static bool vmf_orig_pte_uffd_wp(struct vm_fault *vmf)
{
	return pte_marker_uffd_wp(vmf->orig_pte);
}

/*
 * vmf_pte_changed(): the PTE is no longer the one the fault started from
 * (a none PTE or a marker; FAULT_FLAG_ORIG_PTE_VALID is always set here).
 */
static bool vmf_pte_changed(struct vm_fault *vmf)
{
	return !pte_same(ptep_get(vmf->pte), vmf->orig_pte);
}

/* The mut_read_fault mutation: a read fault protects what it maps. */
static bool mut_read_fault_protects(struct vm_area_struct *vma, struct vm_fault *vmf)
{
	return variant(vma->vm_mm->mw->cfg, mut_read_fault) == mut_read_fault__protects &&
	       userfaultfd_wp(vma) && !(vmf->flags & FAULT_FLAG_WRITE);
}

static pte_t maybe_mkwrite(pte_t pte, struct vm_area_struct *vma)
{
	return (vma->vm_flags & VM_WRITE) ? pte_mkwrite(pte) : pte;
}

/* wp_page_reuse(): young + dirty + writable, no flush.  Drops the PT lock. */
static int wp_page_reuse(struct vm_fault *vmf)
{
	EXEC_FN();
	pte_t entry = pte_mkyoung(vmf->orig_pte);

	entry = maybe_mkwrite(pte_mkdirty(entry), vmf->vma);
	ptep_set_access_flags(vmf->vma, vmf->address, vmf->pte, entry, 1);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return 0;
}

/*
 * Does a write to a read-only page of this shared VMA go through
 * page_mkwrite?  A driver's vm_ops, or a file system's own
 * (filemap_page_mkwrite()); shmem has none.
 */
static bool vma_has_page_mkwrite(struct vm_area_struct *vma)
{
	if (vma->vm_ops && vma->vm_ops->page_mkwrite)
		return true;
	return vma->vm_file && !vma->vm_file->shmem;
}

/*
 * do_page_mkwrite() (mm/memory.c, v6.18), called without the PT lock:
 * the VMA's page_mkwrite() (a driver records the write, vmwgfx in its
 * dirty bitmap), then the folio is returned locked, as it is when the
 * hook does not lock it itself (VM_FAULT_LOCKED is not modelled: no hook
 * locks).  A file's own hook is just that lock.
 */
static int do_page_mkwrite(struct vm_fault *vmf, struct folio *folio)
{
	EXEC_FN();
	const struct vm_operations_struct *ops = vmf->vma->vm_ops;

	if (ops && ops->page_mkwrite) {
		int ret = ops->page_mkwrite(vmf);

		if (ret & (VM_FAULT_SIGSEGV | VM_FAULT_RETRY))
			return ret;
	}
	folio_lock(folio);
	return 0;
}

/*
 * wp_page_shared() + fault_dirty_shared_page().  With page_mkwrite the
 * PT lock is dropped for do_page_mkwrite(), which returns the folio
 * locked, and the PTE is re-checked (finish_mkwrite_fault()); without
 * (shmem) the PTE is reused at once.  Either way the folio is dirtied
 * under its lock.
 */
static int wp_page_shared(struct vm_fault *vmf, struct folio *folio)
{
	EXEC_FN();
	if (!vma_has_page_mkwrite(vmf->vma)) {
		wp_page_reuse(vmf);
		folio_lock(folio);
	} else {
		int ret;

		pte_unmap_unlock(vmf->pte, vmf->ptl);
		ret = do_page_mkwrite(vmf, folio);
		if (ret)
			return ret;
		vmf->pte = pte_offset_map_lock(vmf->vma->vm_mm, vmf->address, &vmf->ptl);
		if (!pte_same(ptep_get(vmf->pte), vmf->orig_pte)) {
			pte_unmap_unlock(vmf->pte, vmf->ptl);
			folio_unlock(folio);
			return 0;	/* VM_FAULT_NOPAGE: retry the access */
		}
		wp_page_reuse(vmf);
	}
	folio_mark_dirty(folio);
	folio_unlock(folio);
	return 0;
}

/*
 * folio_prealloc(): a new exclusive anonymous folio for address, not yet
 * mapped (the caller counts the mapping when it sets the PTE).
 */
struct folio *folio_prealloc(struct vm_area_struct *vma, u64 address)
{
	struct mm_world *mw = vma->vm_mm->mw;
	u64 pfn = hw_alloc_data(mw->hw, 1, 1);
	struct folio *folio;

	if (!pfn)
		return NULL;
	folio = pfn_folio(mw, pfn);
	__folio_set_anon(folio, vma->vm_mm, address);
	folio->flags = BIT_ULL(PG_swapbacked) | BIT_ULL(PG_lru) |
		       BIT_ULL(PG_anon_exclusive);
	folio->_refcount.counter = 1;
	folio->_mapcount.counter = 0;
	return folio;
}

/*
 * wp_page_copy(), for the one copy the model makes: a write to the zero
 * page.  The old PTE is cleared and flushed before the new folio's is
 * installed, inside a MMU_NOTIFY_CLEAR range.  Called without the PT lock.
 */
static int wp_page_copy(struct vm_fault *vmf)
{
	EXEC_FN();
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	struct mmu_notifier_range range;
	struct folio *folio = folio_prealloc(vma, vmf->address);
	pte_t entry;

	if (!folio)
		return VM_FAULT_SIGSEGV;
	mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, mm, vmf->address,
				vmf->address + PAGE_SIZE);
	mmu_notifier_invalidate_range_start(&range);
	vmf->pte = pte_offset_map_lock(mm, vmf->address, &vmf->ptl);
	if (pte_same(ptep_get(vmf->pte), vmf->orig_pte)) {
		entry = pfn_pte(folio_pfn(folio), vma->vm_page_prot);
		entry = maybe_mkwrite(pte_mkdirty(entry), vma);
		ptep_clear_flush(vma, vmf->address, vmf->pte);
		folio->_mapcount.counter = 1;	/* folio_add_new_anon_rmap() */
		set_pte_at(mm, vmf->address, vmf->pte, entry);
		folio = NULL;
	}
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	mmu_notifier_invalidate_range_end(&range);
	if (folio)
		hw_free_data(mm->mw->hw, folio_pfn(folio));
	return 0;
}

/*
 * do_wp_page(): PT lock held on entry, released on exit.  A uffd-wp PTE
 * in an async-mode VMA loses the bit here, without a flush ("completely
 * invisible to the user"), and the fault goes on as an ordinary one;
 * synchronous mode (a handler thread) is not modelled.
 */
static int do_wp_page(struct vm_fault *vmf)
{
	EXEC_FN();
	struct vm_area_struct *vma = vmf->vma;
	struct folio *folio;

	if (userfaultfd_wp(vma) && pte_uffd_wp(ptep_get(vmf->pte))) {
		pte_t pte;

		if (!userfaultfd_wp_async(vma)) {
			pte_unmap_unlock(vmf->pte, vmf->ptl);
			MODEL_WARN_ON(1);	/* handle_userfault() */
			return VM_FAULT_SIGSEGV;
		}
		count_mm_event(vma->vm_mm->mw, PGFAULT_UFFD_WP);
		pte = pte_clear_uffd_wp(ptep_get(vmf->pte));
		set_pte_at(vma->vm_mm, vmf->address, vmf->pte, pte);
		vmf->orig_pte = pte;
	}
	/* "Userfaultfd write-protect can defer flushes" */
	if (userfaultfd_wp(vma) && atomic_read(&vma->vm_mm->tlb_flush_pending))
		flush_tlb_page(vma, vmf->address);
	folio = vm_normal_folio(vma, vmf->orig_pte);
	if (vma->vm_flags & (VM_SHARED | VM_MAYSHARE)) {
		if (!folio)
			return wp_page_reuse(vmf);	/* wp_pfn_shared() */
		return wp_page_shared(vmf, folio);
	}
	/* private: an anonymous folio is exclusive in the model: reuse */
	if (folio && !folio_mapping(folio))
		return wp_page_reuse(vmf);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return wp_page_copy(vmf);
}

/*
 * do_anonymous_page(): a read maps the zero page read-only unless the mm
 * forbids it; otherwise a new zeroed folio, writable and dirty where the
 * VMA is writable (a read fault too: nothing is gained by a later
 * write-protect fault).  A uffd-wp marker the fault started from carries
 * over as the PTE's uffd-wp bit.  Models mm/memory.c as of v6.18;
 * simplified: one page per fault (no mTHP).
 */
static int do_anonymous_page(struct vm_fault *vmf)
{
	EXEC_FN();
	struct vm_area_struct *vma = vmf->vma;
	struct mm_world *mw = vma->vm_mm->mw;
	bool uffd_wp = vmf_orig_pte_uffd_wp(vmf);
	struct folio *folio = NULL;
	pte_t entry;

	pte_unmap_unlock(vmf->pte, vmf->ptl);
	/* both the zero-page and the new-folio paths ask the handler first */
	if (userfaultfd_missing(vma))
		return handle_userfault(vmf, VM_UFFD_MISSING);
	if (!(vmf->flags & FAULT_FLAG_WRITE) && !anon_read_forbids_zeropage(vma->vm_mm)) {
		entry = pfn_pte(mw->zero_pfn, vma->vm_page_prot);	/* pte_mkspecial */
	} else {
		folio = folio_prealloc(vma, vmf->address);
		if (!folio)
			return VM_FAULT_SIGSEGV;
		entry = pfn_pte(folio_pfn(folio), vma->vm_page_prot);
		if (vma->vm_flags & VM_WRITE)
			entry = pte_mkwrite(pte_mkdirty(entry));
	}
	vmf->pte = pte_offset_map_lock(vma->vm_mm, vmf->address, &vmf->ptl);
	if (vmf_pte_changed(vmf)) {
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		if (folio)
			hw_free_data(mw->hw, folio_pfn(folio));
		return 0;
	}
	if (uffd_wp || mut_read_fault_protects(vma, vmf))
		entry = pte_mkuffd_wp(entry);
	if (folio)
		folio->_mapcount.counter = 1;	/* folio_add_new_anon_rmap() */
	set_pte_at(vma->vm_mm, vmf->address, vmf->pte, entry);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return 0;
}

/*
 * do_read_fault() / do_shared_fault() -> finish_fault() -> set_pte_range().
 * The folio comes from the page cache (a shmem hole is filled).  A write
 * maps writable and dirty after page_mkwrite and dirties the folio; a
 * read maps with vm_page_prot, which has no RW under writenotify.  No
 * fault-around: the model maps one page per fault (and the kernel does
 * not fault around in uffd-wp VMAs).
 */
static int do_fault(struct vm_fault *vmf)
{
	EXEC_FN();
	struct vm_area_struct *vma = vmf->vma;
	struct mm_world *mw = vma->vm_mm->mw;
	pgoff_t idx = vma->vm_pgoff + ((vmf->address - vma->vm_start) >> PAGE_SHIFT);
	bool write = vmf->flags & FAULT_FLAG_WRITE;
	bool uffd_wp = vmf_orig_pte_uffd_wp(vmf);
	struct folio *folio;
	pte_t entry;

	pte_unmap_unlock(vmf->pte, vmf->ptl);
	folio = filemap_fault_folio(mw, vma->vm_file, idx);
	if (!folio)
		return VM_FAULT_SIGSEGV;
	if (write) {
		/*
		 * do_shared_fault(): the folio is unlocked for page_mkwrite,
		 * which returns it locked again, before the page is mapped
		 */
		int ret;

		folio_unlock(folio);
		ret = do_page_mkwrite(vmf, folio);
		if (ret)
			return ret;
	}
	vmf->pte = pte_offset_map_lock(vma->vm_mm, vmf->address, &vmf->ptl);
	if (vmf_pte_changed(vmf)) {
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		folio_unlock(folio);
		return 0;
	}
	entry = pfn_pte(folio_pfn(folio), vma->vm_page_prot);
	if (write)
		entry = maybe_mkwrite(pte_mkdirty(entry), vma);
	else if (pte_write(entry) && folio_test_dirty(folio))
		entry = pte_mkdirty(entry);
	if (uffd_wp || mut_read_fault_protects(vma, vmf))
		entry = pte_mkuffd_wp(entry);
	atomic_inc(&folio->_mapcount);
	set_pte_at(vma->vm_mm, vmf->address, vmf->pte, entry);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	if (write)
		folio_mark_dirty(folio);
	folio_unlock(folio);	/* finish_fault() done: the fault path unlocks */
	return 0;
}

/* do_pte_missing(): a none PTE or a uffd-wp marker. */
static int do_pte_missing(struct vm_fault *vmf)
{
	if (!vmf->vma->vm_file)
		return do_anonymous_page(vmf);
	return do_fault(vmf);
}

/*
 * handle_pte_fault() under the PT lock.  A uffd-wp marker is a missing
 * page (handle_pte_marker() -> pte_marker_handle_uffd_wp()), or, left
 * over after unregistering, simply cleared.
 */
int handle_mm_fault(struct vm_area_struct *vma, u64 address, unsigned int flags)
{
	EXEC_FN();
	struct vm_fault vmf = { .vma = vma, .address = address & ~(PAGE_SIZE - 1),
				.pgoff = vma->vm_pgoff + ((address - vma->vm_start) >> PAGE_SHIFT),
				.flags = flags };
	bool write = flags & FAULT_FLAG_WRITE;
	struct mm_world *mw = vma->vm_mm->mw;
	pte_t entry;

	count_mm_event(mw, PGFAULT);
	if (write ? !(vma->vm_flags & VM_WRITE) :
		    !(vma->vm_flags & (VM_READ | VM_WRITE)))
		return VM_FAULT_SIGSEGV;
	if (pte_alloc(vma->vm_mm, vmf.address))
		return VM_FAULT_SIGSEGV;
	vmf.pte = pte_offset_map_lock(vma->vm_mm, vmf.address, &vmf.ptl);
	if (!vmf.pte)
		return VM_FAULT_SIGSEGV;
	entry = vmf.orig_pte = ptep_get(vmf.pte);
	if (mm_pte_none(vma->vm_mm, entry)) {
		count_mm_event(mw, PGFAULT_MISSING);
		return do_pte_missing(&vmf);
	}
	if (!pte_present(entry)) {
		if (pte_marker_uffd_wp(entry) && userfaultfd_wp(vma)) {
			count_mm_event(mw, PGFAULT_MISSING);
			return do_pte_missing(&vmf);
		}
		if (is_pte_marker(entry)) {
			pte_clear(vma->vm_mm, vmf.address, vmf.pte);
		} else {
			/*
			 * do_swap_page(): the model makes no swap entries, so this
			 * is a cleared entry in which only A/D bits reappeared
			 * (pte_none=exact), taken for a swap entry
			 */
			pte_unmap_unlock(vmf.pte, vmf.ptl);
			exec_report(ORACLE_WRONG_TARGET,
				    "PTE %#llx at %#llx is neither none nor present: do_swap_page() on a bogus swap entry",
				    (unsigned long long)entry.pte, (unsigned long long)vmf.address);
			return VM_FAULT_SIGSEGV;
		}
		pte_unmap_unlock(vmf.pte, vmf.ptl);
		return 0;
	}
	if (write && !pte_write(entry)) {
		count_mm_event(mw, PGFAULT_WP);
		return do_wp_page(&vmf);
	}
	/* spurious: just update A (and D on write) */
	count_mm_event(mw, PGFAULT_SPURIOUS);
	entry = pte_mkyoung(entry);
	if (write)
		entry = pte_mkdirty(entry);
	ptep_set_access_flags(vma, vmf.address, vmf.pte, entry, write);
	pte_unmap_unlock(vmf.pte, vmf.ptl);
	return 0;
}

/*
 * A user access of the current CPU: the hardware walks or hits the TLB;
 * a fault enters do_user_addr_fault(): mmap_lock for read, find_vma,
 * handle_mm_fault(), retry.  Returns -EFAULT on SIGSEGV, -EAGAIN when a
 * userfaultfd missing fault waits for its handler.
 */
int mm_user_access(struct mm_struct *mm, int tlb, u64 addr, bool write)
{
	struct hw_fault f;

	for (int tries = 0; tries < 64; tries++) {
		struct vm_area_struct *vma;
		int ret;

		if (!hw_access(mm->mw->hw, tlb, addr, write, &f))
			return 0;
		if (exec_engine && exec_engine->have_finding)
			return -EFAULT;
		down_read(&mm->mmap_lock);
		vma = find_vma(mm, addr);
		ret = vma ? handle_mm_fault(vma, addr, write ? FAULT_FLAG_WRITE : 0) :
			    VM_FAULT_SIGSEGV;
		up_read(&mm->mmap_lock);
		/*
		 * handle_userfault() queued a missing fault: the thread sleeps
		 * until the handler's UFFDIO_COPY wakes it.  In direct mode the
		 * caller is that handler: it resolves and repeats the access.
		 */
		if (ret & VM_FAULT_RETRY)
			return -EAGAIN;
		if (ret & VM_FAULT_SIGSEGV) {
			if (exec_tracing())
				exec_note("SIGSEGV at %#llx", (unsigned long long)addr);
			return -EFAULT;
		}
	}
	MODEL_WARN_ON(1);
	return -EFAULT;
}

/*
 * pte_install_uffd_wp_if_needed(): a zapped uffd-wp PTE of file memory
 * leaves a marker, since its page-cache page survives the zap;
 * anonymous memory drops everything.
 */
static void zap_install_uffd_wp_if_needed(struct vm_area_struct *vma, u64 addr,
					  pte_t *ptep, pte_t pteval)
{
	if (!vma->vm_file || !userfaultfd_wp(vma) ||
	    variant(vma->vm_mm->mw->cfg, mut_zap_marker) == mut_zap_marker__drop)
		return;
	if (pte_present(pteval) ? pte_uffd_wp(pteval) : pte_swp_uffd_wp_any(pteval))
		set_pte_at(vma->vm_mm, addr, ptep, make_pte_marker(PTE_MARKER_UFFD_WP));
}

/*
 * mm/pt_reclaim.c (CONFIG_PT_RECLAIM): a zap that covered a whole PTE
 * table and left every entry none frees the table (try_get_and_clear_pmd()
 * and the flush before the free).  Only where PTE tables are lazy: the
 * check scenarios' tables live as long as their mapping.
 */
static void try_reclaim_pte_table(struct mm_struct *mm, u64 base)
{
	struct hw *hw = mm->mw->hw;
	u64 *pmd = mm_pmd(mm, base), pfn;
	u64 *pt;

	if (!mm->lazy_pte_tables || !pmd || !*pmd)
		return;
	pfn = (*pmd & PTE_PFN_MASK) >> PAGE_SHIFT;
	pt = hw_pt_page(hw, pfn);
	for (int i = 0; i < PT64_ENT_PER_PAGE; i++)
		if (!pte_none((pte_t){ pt[i] }))
			return;
	WRITE_ONCE(*pmd, 0);
	hw_flush_tlb(hw, mm->space, base, base + PMD_SIZE, false);
	hw_free_pt(hw, pfn);
}

/*
 * zap_present_ptes() for one PTE: get_and_clear it; a file folio inherits
 * pte_dirty and pte_young, and a dirty one forces the flush before the PT
 * lock drops (B04's fix: folio_mkclean() must not find the PTE gone while
 * a CPU can still write through its TLB; zap_dirty_flush=deferred is the
 * code before it, which left every flush to tlb_finish_mmu()); the
 * gathered range grows.  Returns whether a flush is forced.
 */
static bool zap_present_pte(struct mmu_gather *tlb, struct vm_area_struct *vma,
			    pte_t *ptep, u64 addr)
{
	struct mm_struct *mm = tlb->mm;
	pte_t ptent = ptep_get_and_clear(mm, addr, ptep);
	struct folio *folio = vm_normal_folio(vma, ptent);
	bool force_flush = false;

	if (folio && folio_mapping(folio)) {
		if (pte_dirty(ptent)) {
			folio_mark_dirty(folio);
			force_flush = variant(mm->mw->cfg, zap_dirty_flush) ==
				      zap_dirty_flush__under_ptl;
		}
		if (pte_young(ptent))
			folio_mark_accessed(folio);
	}
	if (folio)
		atomic_dec(&folio->_mapcount);
	tlb_flush_pte_range(tlb, addr, PAGE_SIZE);
	zap_install_uffd_wp_if_needed(vma, addr, ptep, ptent);
	return force_flush;
}

/*
 * zap_pte_range(): the PTEs of one table in [addr, end), under its PT
 * lock taken once: present ones by zap_present_pte(); of the non-present,
 * a marker in file memory is kept (no ZAP_FLAG_DROP_MARKER outside
 * munmap), in anonymous memory dropped (zap_nonpresent_ptes()).  A forced
 * flush happens before the lock drops, as tlb_flush_mmu_tlbonly().
 * Models mm/memory.c as of v6.18; simplified: one PTE per iteration (no
 * folio batching), no RSS counters, no need_resched() break.
 */
static void zap_pte_range(struct mmu_gather *tlb, struct vm_area_struct *vma, u64 addr,
			  u64 end)
{
	struct mm_struct *mm = tlb->mm;
	bool force_flush = false;
	spinlock_t *ptl;
	pte_t *start_pte = pte_offset_map_lock(mm, addr, &ptl), *pte = start_pte;

	if (!start_pte)
		return;
	flush_tlb_batched_pending(mm);
	do {
		pte_t ptent = ptep_get(pte);

		if (mm_pte_none(mm, ptent))
			continue;
		if (pte_present(ptent))
			force_flush |= zap_present_pte(tlb, vma, pte, addr);
		else if (is_pte_marker(ptent) &&
			 (!vma->vm_file || variant(mm->mw->cfg, mut_zap_marker) ==
						   mut_zap_marker__drop))
			pte_clear(mm, addr, pte);
	} while (pte++, addr += PAGE_SIZE, addr != end);
	if (force_flush)
		tlb_flush_mmu_tlbonly(tlb);
	pte_unmap_unlock(start_pte, ptl);
}

/*
 * unmap_page_range() down to each PTE table (zap_pmd_range(): an empty
 * PMD is skipped); a zap that covered a whole table may free it.
 */
static void unmap_page_range(struct mmu_gather *tlb, struct vm_area_struct *vma, u64 addr,
			     u64 end)
{
	while (addr < end) {
		u64 next = min_t(u64, (addr & ~(PMD_SIZE - 1)) + PMD_SIZE, end);

		if (!pmd_none_at(tlb->mm, addr))
			zap_pte_range(tlb, vma, addr, next);
		if (!(addr & (PMD_SIZE - 1)) && next == addr + PMD_SIZE)
			try_reclaim_pte_table(tlb->mm, addr);	/* the whole table */
		addr = next;
	}
}

/*
 * zap_page_range_single(): one gather and one notifier range around
 * unmap_page_range(); the protection has returned when the gather's
 * flush is done.
 */
void zap_page_range_single(struct vm_area_struct *vma, u64 start, u64 size)
{
	EXEC_FN();
	struct mm_struct *mm = vma->vm_mm;
	struct mmu_notifier_range range;
	struct mmu_gather tlb;
	u64 end = start + size;

	tlb_gather_mmu(&tlb, mm);
	mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, mm, start, end);
	mmu_notifier_invalidate_range_start(&range);
	unmap_page_range(&tlb, vma, start, end);
	mmu_notifier_invalidate_range_end(&range);
	tlb_finish_mmu(&tlb);
	obs_protect_done(mm->mw->obs, mm->space, start, end);
}

/*
 * exit_mmap(): secondary MMUs are released first, then every VMA zapped.
 * Simplified: a gather per VMA, not one fullmm gather for all.
 */
void mm_exit_mmap(struct mm_struct *mm)
{
	EXEC_FN();
	mmu_notifier_release(mm);
	for (int i = 0; i < mm->nr_vmas; i++)
		zap_page_range_single(&mm->vmas[i], mm->vmas[i].vm_start,
				      mm->vmas[i].vm_end - mm->vmas[i].vm_start);
}

bool mm_describe(struct mm_world *mw, const void *addr, char *buf, size_t n)
{
	const struct folio *base = mw->mem_map;
	const char *p = addr;

	if (p >= (const char *)base &&
	    p < (const char *)(base + mw->hw->nr_frames)) {
		size_t pfn = (size_t)(p - (const char *)base) / sizeof(*base);
		const struct folio *f = &base[pfn];
		const char *field = p == (const char *)&f->flags ? "flags" :
				    p == (const char *)&f->_mapcount ? "mapcount" :
				    p == (const char *)&f->_refcount ? "refcount" :
								       "?";

		snprintf(buf, n, "folio(pfn %zu).%s", pfn, field);
		return true;
	}
	if (addr >= (const void *)mw->ptl && addr < (const void *)(mw->ptl + mw->hw->nr_pt)) {
		size_t slot = (size_t)((const spinlock_t *)addr - mw->ptl);

		snprintf(buf, n, "folio(pfn %llu).ptl", (unsigned long long)hw_pt_slot_pfn(mw->hw, slot));
		return true;
	}
	for (int i = 0; i < mw->nr_mms; i++) {
		const struct mm_struct *mm = &mw->mms[i];

		if (addr == &mm->mmap_lock) {
			snprintf(buf, n, "%s.mmap_lock", mm->name);
			return true;
		}
		if (addr == &mm->tlb_flush_pending) {
			snprintf(buf, n, "%s.tlb_flush_pending", mm->name);
			return true;
		}
		if (addr == &mm->tlb_flush_batched) {
			snprintf(buf, n, "%s.tlb_flush_batched", mm->name);
			return true;
		}
	}
	for (int i = 0; i < mw->nr_files; i++) {
		if (addr == &mw->files[i].i_mmap_rwsem) {
			snprintf(buf, n, "%s.i_mmap_rwsem", mw->files[i].name);
			return true;
		}
	}
	return false;
}
