// SPDX-License-Identifier: GPL-2.0
/*
 * Models mm/memory.c (faults, zap), mm/gup.c (one-page GUP), the x86 PTE
 * primitives of arch/x86/mm/pgtable.c and asm/pgtable.h, the flush and
 * mmu_gather helpers of arch/x86/mm/tlb.c and mm/mmu_gather.c, and the
 * set-up parts of mm/mmap.c and mm/filemap.c.  Read as of v6.14-v6.17.
 *
 * Simplified: page_mkwrite never blocks and is not modelled beyond taking
 * the folio lock; no COW of file pages (private file mappings are not
 * modelled); GUP is the slow path only.
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
	for (u64 pfn = 0; pfn < hw->nr_frames; pfn++) {
		mw->mem_map[pfn].pfn = pfn;
		spin_lock_init(&mw->mem_map[pfn].ptl, "ptl");
	}
	return 0;
}

struct address_space *mm_new_file(struct mm_world *mw, struct arena *ar,
				  const char *name, u32 nrpages)
{
	struct address_space *m;

	if (mw->nr_files >= MM_MAX_FILES || !nrpages)
		return NULL;
	m = &mw->files[mw->nr_files++];
	snprintf(m->name, sizeof(m->name), "%s", name);
	rwlock_init(&m->i_mmap_rwsem.l, "i_mmap_rwsem");
	m->pages = arena_alloc(ar, nrpages * sizeof(*m->pages));
	if (!m->pages)
		return NULL;
	m->nrpages = nrpages;
	/* the page cache is fully populated: no I/O is modelled */
	for (u32 i = 0; i < nrpages; i++) {
		u64 pfn = hw_alloc_data(mw->hw, 1, 1);
		struct folio *f;

		if (!pfn)
			return NULL;
		m->pages[i] = pfn;
		f = pfn_folio(mw, pfn);
		f->mapping = m;
		f->index = i;
		f->flags = BIT_ULL(PG_lru);
		f->_refcount.counter = 1;
	}
	return m;
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
	mm->space = hw_new_space(mw->hw, HW_SPACE_X86, name);
	return mm->space < 0 ? NULL : mm;
}

/* protection_map[]: x86 vm_page_prot values all carry _PAGE_ACCESSED. */
u64 vm_get_page_prot(u64 vm_flags)
{
	u64 prot = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;

	/* writes to shared mappings are tracked (writenotify): never RW */
	if ((vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE)
		prot |= 0;	/* private: write-enabled on fault (COW/reuse) */
	if (!(vm_flags & (VM_READ | VM_WRITE)))
		prot &= ~_PAGE_PRESENT;	/* PROT_NONE (no protnone bit) */
	return prot;
}

/* Allocates the page tables above and at PTE level for [addr, end). */
static int mm_populate_tables(struct mm_struct *mm, u64 addr, u64 end)
{
	struct hw *hw = mm->mw->hw;

	for (u64 va = addr; va < end; va += PAGE_SIZE) {
		u64 pfn = hw->spaces[mm->space].root_pfn;

		for (int level = PT64_ROOT_4LEVEL; level > PG_LEVEL_4K; level--) {
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

	if (mm->nr_vmas >= MM_MAX_VMAS || (addr | len) & (PAGE_SIZE - 1) || !len)
		return NULL;
	if (file && (file->nr_i_mmap >= MAPPING_MAX_VMAS ||
		     pgoff + (len >> PAGE_SHIFT) > file->nrpages))
		return NULL;
	for (int i = 0; i < mm->nr_vmas; i++)
		if (addr < mm->vmas[i].vm_end && mm->vmas[i].vm_start < addr + len)
			return NULL;
	vma = &mm->vmas[mm->nr_vmas++];
	vma->vm_mm = mm;
	vma->vm_start = addr;
	vma->vm_end = addr + len;
	vma->vm_flags = vm_flags | VM_MAYREAD | VM_MAYWRITE |
			((vm_flags & VM_SHARED) ? VM_MAYSHARE : 0);
	vma->vm_page_prot = vm_get_page_prot(vma->vm_flags);
	vma->vm_file = file;
	vma->vm_pgoff = pgoff;
	if (file)
		file->i_mmap[file->nr_i_mmap++] = vma;
	if (mm_populate_tables(mm, addr, addr + len))
		return NULL;
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

/* mm/page-writeback.c folio_mark_dirty(): returns true if newly dirtied. */
bool folio_mark_dirty(struct folio *folio)
{
	EXEC_FN();
	return !test_and_set_bit(PG_dirty, &folio->flags);
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

/* ---- PTE primitives (arch/x86) ---- */

pte_t ptep_get(pte_t *ptep)
{
	return (pte_t){ READ_ONCE(ptep->pte) };
}

void set_pte_at(struct mm_struct *mm, u64 addr, pte_t *ptep, pte_t pte)
{
	(void)mm;
	(void)addr;
	WRITE_ONCE(ptep->pte, pte.pte);
}

/* x86: an atomic xchg, so a D the hardware sets concurrently is returned. */
pte_t ptep_get_and_clear(struct mm_struct *mm, u64 addr, pte_t *ptep)
{
	(void)mm;
	(void)addr;
	return (pte_t){ xchg(&ptep->pte, 0) };
}

pte_t ptep_modify_prot_start(struct vm_area_struct *vma, u64 addr, pte_t *ptep)
{
	return ptep_get_and_clear(vma->vm_mm, addr, ptep);
}

void ptep_modify_prot_commit(struct vm_area_struct *vma, u64 addr, pte_t *ptep,
			     pte_t old_pte, pte_t pte)
{
	(void)old_pte;
	set_pte_at(vma->vm_mm, addr, ptep, pte);
}

int ptep_test_and_clear_young(struct vm_area_struct *vma, u64 addr, pte_t *ptep)
{
	(void)vma;
	(void)addr;
	return test_and_clear_bit(_PAGE_BIT_ACCESSED, &ptep->pte);
}

/*
 * arch/x86/mm/pgtable.c: clearing A without a flush "doesn't cause data
 * corruption"; a CPU with the translation cached keeps using it.
 */
int ptep_clear_flush_young(struct vm_area_struct *vma, u64 addr, pte_t *ptep)
{
	return ptep_test_and_clear_young(vma, addr, ptep);
}

/* mm/pgtable-generic.c: x86 pte_accessible() is true for any present PTE. */
pte_t ptep_clear_flush(struct vm_area_struct *vma, u64 addr, pte_t *ptep)
{
	pte_t pte = ptep_get_and_clear(vma->vm_mm, addr, ptep);

	if (pte_present(pte))
		flush_tlb_page(vma, addr);
	return pte;
}

/*
 * x86 ptep_set_access_flags(): write only when changed and dirty; no
 * flush ("#PF is architecturally guaranteed to" drop the stale entry).
 */
int ptep_set_access_flags(struct vm_area_struct *vma, u64 addr, pte_t *ptep,
			  pte_t entry, int dirty)
{
	int changed = !pte_same(ptep_get(ptep), entry);

	if (changed && dirty)
		set_pte_at(vma->vm_mm, addr, ptep, entry);
	return changed;
}

pte_t *pte_offset_map_lock(struct mm_struct *mm, u64 addr, spinlock_t **ptlp)
{
	struct hw *hw = mm->mw->hw;
	u64 *p = hw_lookup(hw, mm->space, addr, PG_LEVEL_4K);
	u64 pfn;

	if (!p)
		return NULL;
	pfn = hw_pt_pfn_of(hw, p);
	*ptlp = &pfn_folio(mm->mw, pfn)->ptl;
	spin_lock(*ptlp);
	return (pte_t *)p;
}

void pte_unmap_unlock(pte_t *pte, spinlock_t *ptl)
{
	(void)pte;
	spin_unlock(ptl);
}

/*
 * arch/x86/include/asm/tlbflush.h pte_flags_need_flush() (v6.6+) with
 * ignore_access, as pte_needs_flush() calls it.  flush_clean_writable=skip
 * is the seeds/004 proposal: clearing RW of a PTE whose D is 0 needs no
 * flush, because a write through the stale entry re-walks and faults.
 */
bool pte_needs_flush(struct mm_world *mw, pte_t oldpte, pte_t newpte)
{
	const u64 flush_on_clear = _PAGE_DIRTY | _PAGE_PRESENT | _PAGE_ACCESSED;
	const u64 software_flags = _PAGE_SOFTW1 | _PAGE_SOFTW2 | _PAGE_SOFTW3 |
				   _PAGE_SAVED_DIRTY;
	const u64 flush_on_change = _PAGE_RW | _PAGE_USER | _PAGE_PWT |
				    _PAGE_PCD | _PAGE_PSE | _PAGE_GLOBAL |
				    _PAGE_NX;
	u64 diff;

	if (!pte_present(oldpte))
		return false;
	if (pte_pfn(oldpte) != pte_pfn(newpte))
		return true;
	diff = (oldpte.pte ^ newpte.pte) & ~software_flags & ~_PAGE_ACCESSED;
	if (variant(mw->cfg, flush_clean_writable) == flush_clean_writable__skip &&
	    (diff & _PAGE_RW) && !(newpte.pte & _PAGE_RW) &&
	    !(oldpte.pte & _PAGE_DIRTY))
		diff &= ~_PAGE_RW;
	if (diff & oldpte.pte & flush_on_clear)
		return true;
	return diff & flush_on_change;
}

/* ---- TLB flushing (arch/x86/mm/tlb.c) and batching ---- */

void flush_tlb_range(struct vm_area_struct *vma, u64 start, u64 end)
{
	struct mm_struct *mm = vma->vm_mm;

	hw_flush_tlb(mm->mw->hw, mm->space, start, end, false);
}

void flush_tlb_page(struct vm_area_struct *vma, u64 addr)
{
	flush_tlb_range(vma, addr, addr + PAGE_SIZE);
}

void flush_tlb_mm(struct mm_struct *mm)
{
	hw_flush_tlb(mm->mw->hw, mm->space, 0, 0, true);
}

void inc_tlb_flush_pending(struct mm_struct *mm)
{
	atomic_inc(&mm->tlb_flush_pending);
}

void dec_tlb_flush_pending(struct mm_struct *mm)
{
	atomic_dec(&mm->tlb_flush_pending);
}

bool mm_tlb_flush_nested(struct mm_struct *mm)
{
	return atomic_read(&mm->tlb_flush_pending) > 1;
}

/* mm/rmap.c: complete a flush reclaim deferred (B02's fix). */
void flush_tlb_batched_pending(struct mm_struct *mm)
{
	if (READ_ONCE(mm->tlb_flush_batched)) {
		flush_tlb_mm(mm);
		WRITE_ONCE(mm->tlb_flush_batched, 0);
	}
}

void tlb_gather_mmu(struct mmu_gather *tlb, struct mm_struct *mm)
{
	tlb->mm = mm;
	tlb->start = ~0ULL;
	tlb->end = 0;
	tlb->fullmm = false;
	inc_tlb_flush_pending(mm);
}

void tlb_flush_pte_range(struct mmu_gather *tlb, u64 addr, u64 size)
{
	tlb->start = min_t(u64, tlb->start, addr);
	tlb->end = max_t(u64, tlb->end, addr + size);
}

/*
 * mm/mmu_gather.c tlb_finish_mmu(): if another thread batched flushes of
 * this mm meanwhile (mm_tlb_flush_nested), flush the whole range it may
 * have skipped; here, the whole mm.
 */
void tlb_finish_mmu(struct mmu_gather *tlb)
{
	EXEC_FN();
	if (mm_tlb_flush_nested(tlb->mm))
		flush_tlb_mm(tlb->mm);
	else if (tlb->end > tlb->start)
		hw_flush_tlb(tlb->mm->mw->hw, tlb->mm->space, tlb->start,
			     tlb->end, false);
	dec_tlb_flush_pending(tlb->mm);
}

/* ---- faults ---- */

struct vm_fault {
	struct vm_area_struct *vma;
	u64 address;
	unsigned int flags;
	pte_t *pte;
	spinlock_t *ptl;
	pte_t orig_pte;
};

static struct folio *vm_normal_folio(struct vm_area_struct *vma, pte_t pte)
{
	struct mm_world *mw = vma->vm_mm->mw;
	u64 pfn = pte_pfn(pte);

	if (!hw_frame_is(mw->hw, pfn, FRAME_DATA))
		return NULL;
	return pfn_folio(mw, pfn);
}

/* wp_page_reuse(): young + dirty + writable, no flush.  Drops the PT lock. */
static int wp_page_reuse(struct vm_fault *vmf)
{
	EXEC_FN();
	pte_t entry = pte_mkyoung(vmf->orig_pte);

	entry = pte_mkwrite(pte_mkdirty(entry));
	ptep_set_access_flags(vmf->vma, vmf->address, vmf->pte, entry, 1);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return 0;
}

/*
 * wp_page_shared() + fault_dirty_shared_page(): page_mkwrite takes the
 * folio lock with the PT lock dropped; the PTE is re-checked, reused, and
 * the folio dirtied under the folio lock.
 */
static int wp_page_shared(struct vm_fault *vmf, struct folio *folio)
{
	EXEC_FN();
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	folio_lock(folio);		/* do_page_mkwrite() returns it locked */
	vmf->pte = pte_offset_map_lock(vmf->vma->vm_mm, vmf->address, &vmf->ptl);
	if (!pte_same(ptep_get(vmf->pte), vmf->orig_pte)) {
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		folio_unlock(folio);
		return 0;	/* VM_FAULT_NOPAGE: retry the access */
	}
	wp_page_reuse(vmf);
	folio_mark_dirty(folio);
	folio_unlock(folio);
	return 0;
}

/* do_wp_page(): PT lock held on entry, released on exit. */
static int do_wp_page(struct vm_fault *vmf)
{
	EXEC_FN();
	struct vm_area_struct *vma = vmf->vma;
	struct folio *folio = vm_normal_folio(vma, vmf->orig_pte);

	if (vma->vm_flags & (VM_SHARED | VM_MAYSHARE)) {
		if (!folio)
			return wp_page_reuse(vmf);
		return wp_page_shared(vmf, folio);
	}
	/* private anon: the model has one mapping per anon folio: reuse */
	return wp_page_reuse(vmf);
}

/* do_anonymous_page(): a new zeroed folio; writable and dirty on write. */
static int do_anonymous_page(struct vm_fault *vmf)
{
	EXEC_FN();
	struct vm_area_struct *vma = vmf->vma;
	struct mm_world *mw = vma->vm_mm->mw;
	struct folio *folio;
	pte_t entry;
	u64 pfn;

	pte_unmap_unlock(vmf->pte, vmf->ptl);
	pfn = hw_alloc_data(mw->hw, 1, 1);
	if (!pfn)
		return VM_FAULT_SIGSEGV;
	folio = pfn_folio(mw, pfn);
	folio->mapping = NULL;
	folio->anon_mm = vma->vm_mm;
	folio->anon_addr = vmf->address;
	folio->flags = BIT_ULL(PG_swapbacked) | BIT_ULL(PG_lru) |
		       BIT_ULL(PG_anon_exclusive);
	folio->_refcount.counter = 1;
	folio->_mapcount.counter = 1;
	entry = pfn_pte(pfn, vma->vm_page_prot);
	if (vmf->flags & FAULT_FLAG_WRITE)
		entry = pte_mkwrite(pte_mkdirty(entry));
	vmf->pte = pte_offset_map_lock(vma->vm_mm, vmf->address, &vmf->ptl);
	if (!pte_none(ptep_get(vmf->pte))) {
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		hw_free_data(mw->hw, pfn);
		return 0;
	}
	set_pte_at(vma->vm_mm, vmf->address, vmf->pte, entry);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return 0;
}

/*
 * do_read_fault() / do_shared_fault() -> finish_fault() -> set_pte_range():
 * a write fault on a shared mapping maps writable+dirty after page_mkwrite
 * and dirties the folio; a read fault maps read-only and clean (writenotify).
 */
static int do_fault(struct vm_fault *vmf)
{
	EXEC_FN();
	struct vm_area_struct *vma = vmf->vma;
	struct mm_world *mw = vma->vm_mm->mw;
	pgoff_t idx = vma->vm_pgoff + ((vmf->address - vma->vm_start) >> PAGE_SHIFT);
	struct folio *folio = pfn_folio(mw, vma->vm_file->pages[idx]);
	bool write = vmf->flags & FAULT_FLAG_WRITE;
	pte_t entry;

	pte_unmap_unlock(vmf->pte, vmf->ptl);
	if (write)
		folio_lock(folio);
	vmf->pte = pte_offset_map_lock(vma->vm_mm, vmf->address, &vmf->ptl);
	if (!pte_none(ptep_get(vmf->pte))) {
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		if (write)
			folio_unlock(folio);
		return 0;
	}
	entry = pfn_pte(folio->pfn, vma->vm_page_prot);
	if (write && (vma->vm_flags & VM_WRITE))
		entry = pte_mkwrite(pte_mkdirty(entry));
	atomic_inc(&folio->_mapcount);
	set_pte_at(vma->vm_mm, vmf->address, vmf->pte, entry);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	if (write) {
		folio_mark_dirty(folio);
		folio_unlock(folio);
	}
	return 0;
}

/* handle_pte_fault() under the PT lock. */
int handle_mm_fault(struct vm_area_struct *vma, u64 address, unsigned int flags)
{
	EXEC_FN();
	struct vm_fault vmf = { .vma = vma, .address = address & ~(PAGE_SIZE - 1),
				.flags = flags };
	bool write = flags & FAULT_FLAG_WRITE;
	pte_t entry;

	if (write ? !(vma->vm_flags & VM_WRITE) :
		    !(vma->vm_flags & (VM_READ | VM_WRITE)))
		return VM_FAULT_SIGSEGV;
	vmf.pte = pte_offset_map_lock(vma->vm_mm, vmf.address, &vmf.ptl);
	if (!vmf.pte)
		return VM_FAULT_SIGSEGV;
	entry = vmf.orig_pte = ptep_get(vmf.pte);
	if (!pte_present(entry)) {
		if (!vma->vm_file)
			return do_anonymous_page(&vmf);
		return do_fault(&vmf);
	}
	if (write && !pte_write(entry))
		return do_wp_page(&vmf);
	/* spurious: just update A (and D on write) */
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
 * handle_mm_fault(), retry.  Returns -EFAULT on SIGSEGV.
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
 * mm/gup.c for one page, as KVM's hva_to_pfn() uses it: follow_page_pte()
 * under the PT lock; FOLL_WRITE needs a writable PTE, else fault and
 * retry.  FOLL_TOUCH: a write marks the folio dirty (mark_page_dirty for
 * a clean PTE) and every access marks it accessed.  *writable reports
 * whether the PTE allowed writes (KVM's map_writable).  The caller owns a
 * reference on a normal folio and drops it with folio_put().
 */
u64 get_user_page(struct mm_struct *mm, u64 addr, bool write, bool *writable)
{
	EXEC_FN();
	u64 pfn = 0;

	down_read(&mm->mmap_lock);
	for (int tries = 0; tries < 8 && !pfn; tries++) {
		struct vm_area_struct *vma = find_vma(mm, addr);
		spinlock_t *ptl;
		pte_t *ptep, pte;

		if (!vma)
			break;
		ptep = pte_offset_map_lock(mm, addr, &ptl);
		if (!ptep)
			break;
		pte = ptep_get(ptep);
		if (pte_present(pte) && (!write || pte_write(pte))) {
			struct folio *folio = vm_normal_folio(vma, pte);

			pfn = pte_pfn(pte);
			*writable = pte_write(pte);
			if (folio) {
				folio_get(folio);	/* try_grab_folio(FOLL_GET) */
				if (write && !pte_dirty(pte) && !folio_test_dirty(folio))
					folio_mark_dirty(folio);
				folio_mark_accessed(folio);
			}
			pte_unmap_unlock(ptep, ptl);
			break;
		}
		pte_unmap_unlock(ptep, ptl);
		if (handle_mm_fault(vma, addr, write ? FAULT_FLAG_WRITE : 0) &
		    VM_FAULT_SIGSEGV)
			break;
	}
	up_read(&mm->mmap_lock);
	return pfn;
}

/*
 * zap_pte_range() / zap_present_folio_ptes(): get_and_clear each PTE; a
 * file folio inherits pte_dirty; the flush is forced before the PT lock
 * is dropped when a dirty shared PTE was zapped (B04's fix), otherwise
 * left to the caller.
 */
void zap_vma_range(struct vm_area_struct *vma, u64 start, u64 end)
{
	EXEC_FN();
	struct mm_struct *mm = vma->vm_mm;
	struct mmu_notifier_range range;
	struct mmu_gather tlb;

	tlb_gather_mmu(&tlb, mm);
	mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, mm, start, end);
	mmu_notifier_invalidate_range_start(&range);
	for (u64 addr = start; addr < end; addr += PAGE_SIZE) {
		bool force_flush = false;
		spinlock_t *ptl;
		pte_t *ptep = pte_offset_map_lock(mm, addr, &ptl);
		pte_t ptent;

		if (!ptep)
			continue;
		flush_tlb_batched_pending(mm);
		ptent = ptep_get(ptep);
		if (pte_present(ptent)) {
			struct folio *folio;

			ptent = ptep_get_and_clear(mm, addr, ptep);
			folio = vm_normal_folio(vma, ptent);
			if (folio && folio->mapping) {
				if (pte_dirty(ptent)) {
					folio_mark_dirty(folio);
					force_flush = true;
				}
				if (pte_young(ptent))
					folio_mark_accessed(folio);
			}
			if (folio)
				atomic_dec(&folio->_mapcount);
			tlb_flush_pte_range(&tlb, addr, PAGE_SIZE);
		}
		if (force_flush)
			flush_tlb_range(vma, addr, addr + PAGE_SIZE);
		pte_unmap_unlock(ptep, ptl);
	}
	mmu_notifier_invalidate_range_end(&range);
	tlb_finish_mmu(&tlb);
	obs_protect_done(mm->mw->obs, mm->space, start, end);
}

/* exit_mmap(): secondary MMUs are released first, then every VMA zapped. */
void mm_exit_mmap(struct mm_struct *mm)
{
	EXEC_FN();
	mmu_notifier_release(mm);
	for (int i = 0; i < mm->nr_vmas; i++)
		zap_vma_range(&mm->vmas[i], mm->vmas[i].vm_start,
			      mm->vmas[i].vm_end);
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
				    p == (const char *)&f->ptl ? "ptl" :
				    p == (const char *)&f->_mapcount ? "mapcount" :
				    p == (const char *)&f->_refcount ? "refcount" :
								       "?";

		snprintf(buf, n, "folio(pfn %zu).%s", pfn, field);
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
