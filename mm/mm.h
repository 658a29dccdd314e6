/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mm: the primary MMU.  mm_struct, VMAs, address_space, folios, PT locks,
 * TLB batching, faults, rmap, writeback, mprotect, MADV_FREE, reclaim of
 * lazyfree folios, the mapping dirty helpers and the mmu_notifier calls.
 * One file per kernel file it models; function names, argument order and
 * return conventions are the kernel's.
 *
 * Simplifications shared by the whole layer:
 *  - folios are order 0; large folios and THP are not modelled on the
 *    primary side;
 *  - all upper-level page tables of a VMA are allocated by mmap() (set-up),
 *    so PGD/PUD/PMD entries never change while actors run and are read
 *    without a scheduling point; PTE tables are never freed;
 *  - there is no swap and no I/O: writeback is the folio_clear_dirty_for_io()
 *    protocol, which is where dirty information is consumed.
 *
 * Lock order (as in mm/rmap.c): mmap_lock -> folio lock -> i_mmap_rwsem ->
 * PT lock; kvm->mmu_lock is taken inside mmu_notifier callbacks.
 */
#ifndef ADSIM_MM_MM_H
#define ADSIM_MM_MM_H

#include "../exec/arena.h"
#include "../exec/exec.h"
#include "../exec/obs.h"
#include "../hw/hw.h"
#include "../variant/variant.h"

#define MM_MAX_VMAS 4
#define MM_MAX_NOTIFIERS 2
#define MM_MAX_FILES 4
#define MM_MAX_MMS 4
#define MAPPING_MAX_VMAS 4

typedef struct {
	u64 pte;
} pte_t;

/* folio->flags bits (include/linux/page-flags.h names). */
enum pageflags {
	PG_locked,
	PG_referenced,
	PG_dirty,
	PG_lru,
	PG_active,
	PG_swapbacked,
	PG_writeback,
	PG_anon_exclusive,
};

/*
 * struct folio doubles as struct page for every frame (mem_map): a data
 * frame uses the folio fields; a page-table frame's split PT lock lives
 * with its page-table slot (mm_world.ptl), as the kernel keeps it in the
 * table's struct ptdesc.  The pfn is the folio's index in mem_map
 * (folio_pfn()).  ->mapping is the address_space of a file folio or, for
 * an anonymous one, its anon_vma tagged with FOLIO_MAPPING_ANON; the
 * model's anon_vma is the one mm that maps it.  ->index is the page
 * offset in the file or, anonymous, linear_page_index(): the virtual page
 * number, as the model's anonymous VMAs never move.
 */
struct folio {
	/* unsigned long in the kernel; the modelled PG_ bits fit in 32 */
	u32 flags;
	/* pgoff_t in the kernel; 32 bits hold it here (see MODEL_TASK_SIZE) */
	u32 index;
	/*
	 * A pointer in the kernel; here a 32-bit handle read through
	 * folio_mapping() / folio_anon_mm() (see folio_mapping_ptr()).
	 * 0: free, or the zero page.
	 */
	u32 mapping;
	atomic_t _refcount;
	atomic_t _mapcount;		/* number of PTEs mapping it */
};

/*
 * Simplified: user addresses end at 16 TiB (x86-64's TASK_SIZE is 128
 * TiB), so that an anonymous folio's ->index, its virtual page number,
 * fits the folio's 32 bits; a file's pages are numbered in 32 bits too
 * (address_space.nrpages).  mm_mmap() refuses a range beyond.
 */
#define MODEL_TASK_SIZE (1ULL << 44)

struct address_space {
	struct mm_world *mw;
	char name[16];
	bool shmem;			/* pages allocated on first use */
	u32 *pages;			/* page cache: index -> pfn (hw numbers frames in 32 bits), 0: hole */
	u32 nrpages;
	struct rw_semaphore i_mmap_rwsem;
	struct vm_area_struct *i_mmap[MAPPING_MAX_VMAS];
	int nr_i_mmap;
};

#define VM_READ 0x1ULL
#define VM_WRITE 0x2ULL
#define VM_EXEC 0x4ULL
#define VM_SHARED 0x8ULL
#define VM_MAYREAD 0x10ULL
#define VM_MAYWRITE 0x20ULL
#define VM_MAYSHARE 0x80ULL
#define VM_UFFD_MISSING 0x200ULL
#define VM_UFFD_WP 0x1000ULL
#define VM_IO 0x4000ULL
#define VM_HUGETLB 0x400000ULL

/* uapi/linux/userfaultfd.h features the model implements. */
#define UFFD_FEATURE_WP_HUGETLBFS_SHMEM (1ULL << 12)
#define UFFD_FEATURE_WP_UNPOPULATED (1ULL << 13)
#define UFFD_FEATURE_WP_ASYNC (1ULL << 15)
/* What UFFDIO_API accepts here: the write-protect features, no others. */
#define UFFD_API_FEATURES (UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED | \
			   UFFD_FEATURE_WP_HUGETLBFS_SHMEM)

/*
 * fs/userfaultfd.c struct userfaultfd_ctx: one per mm in the model, opened
 * by userfaultfd() + UFFDIO_API.  Only write-protect mode is modelled;
 * with WP_ASYNC a write fault resolves uffd-wp in the kernel, so no
 * event ever reaches a handler thread.
 */
struct userfaultfd_ctx {
	u64 features;
	bool open;
	/*
	 * A missing fault waiting for the handler (fault_pending_wqh, one
	 * deep): the faulting thread sleeps until UFFDIO_COPY wakes it.
	 */
	bool msg_pending;
	u64 msg_address;
	u64 msg_flags;		/* UFFD_PAGEFAULT_FLAG_WRITE */
};

struct vm_area_struct;

/* include/linux/mm.h struct vm_fault: what a fault handler is given. */
struct vm_fault {
	struct vm_area_struct *vma;
	u64 address;
	pgoff_t pgoff;			/* linear_page_index(vma, address) */
	unsigned int flags;
	pte_t *pte;
	spinlock_t *ptl;
	pte_t orig_pte;
};

/*
 * include/linux/mm.h struct vm_operations_struct: the one hook the model
 * calls.  page_mkwrite() is told that a read-only page of a shared
 * mapping is about to become writable (do_shared_fault(),
 * wp_page_shared()), with no PT lock held; it returns 0 or VM_FAULT_*.
 * A mapping whose VMA has one is write-notified (vma_wants_writenotify()).
 */
struct vm_operations_struct {
	int (*page_mkwrite)(struct vm_fault *vmf);
};

struct vm_area_struct {
	struct mm_struct *vm_mm;
	u64 vm_start, vm_end;
	u64 vm_flags;
	u64 vm_page_prot;
	struct address_space *vm_file;
	pgoff_t vm_pgoff;
	struct userfaultfd_ctx *vm_userfaultfd_ctx;
	const struct vm_operations_struct *vm_ops;	/* NULL: the file's own */
	void *vm_private_data;
};

enum mmu_notifier_event {
	MMU_NOTIFY_UNMAP,
	MMU_NOTIFY_CLEAR,
	MMU_NOTIFY_PROTECTION_VMA,
	MMU_NOTIFY_PROTECTION_PAGE,
	MMU_NOTIFY_SOFT_DIRTY,
	MMU_NOTIFY_RELEASE,
};

struct mmu_notifier_range {
	struct mm_struct *mm;
	u64 start, end;
	enum mmu_notifier_event event;
};

struct mmu_notifier;

/* include/linux/mmu_notifier.h as of v6.10+ (no change_pte). */
struct mmu_notifier_ops {
	void (*release)(struct mmu_notifier *sub, struct mm_struct *mm);
	int (*clear_flush_young)(struct mmu_notifier *sub, struct mm_struct *mm,
				 u64 start, u64 end);
	int (*clear_young)(struct mmu_notifier *sub, struct mm_struct *mm,
			   u64 start, u64 end);
	int (*test_young)(struct mmu_notifier *sub, struct mm_struct *mm,
			  u64 address);
	int (*invalidate_range_start)(struct mmu_notifier *sub,
				      const struct mmu_notifier_range *range);
	void (*invalidate_range_end)(struct mmu_notifier *sub,
				     const struct mmu_notifier_range *range);
};

struct mmu_notifier {
	const struct mmu_notifier_ops *ops;
	struct mm_struct *mm;
};

struct mm_world;

struct mm_struct {
	struct mm_world *mw;
	char name[16];
	int space;			/* hw address space of its page tables */
	struct rw_semaphore mmap_lock;
	atomic_t tlb_flush_pending;
	u64 tlb_flush_batched;
	struct vm_area_struct vmas[MM_MAX_VMAS];
	int nr_vmas;
	struct mmu_notifier *notifiers[MM_MAX_NOTIFIERS];
	int nr_notifiers;
	struct userfaultfd_ctx uffd;
	/*
	 * PTE tables are allocated by the first fault, fill or uffd-wp
	 * protection under them, as in the kernel; otherwise (the check
	 * scenarios' simplification) by mmap().
	 */
	bool lazy_pte_tables;
};

/*
 * What the mm layer did, counted as the kernel's vm events and vmstat
 * items count it (include/linux/vm_event_item.h, mmzone.h); sim reports
 * them.  Names follow the kernel's where it has one.
 */
enum mm_event {
	PGFAULT,		/* handle_mm_fault() */
	PGFAULT_MISSING,	/* of which do_pte_missing(): none PTE or marker */
	PGFAULT_WP,		/* of which do_wp_page() */
	PGFAULT_UFFD_WP,	/* of which resolving uffd-wp in async mode */
	PGFAULT_SPURIOUS,	/* of which only A/D needed setting */
	PGACCESSED,		/* folio_mark_accessed() */
	NR_DIRTIED,		/* folio_mark_dirty() that dirtied a clean folio */
	NR_WRITTEN,		/* folios written back */
	PGLAZYFREE,		/* folios MADV_FREE made lazyfree */
	PGLAZYFREED,		/* lazyfree folios reclaim discarded */
	DIRTY_HELPER_PTES,	/* PTEs the mapping dirty helpers' walk examined
				 * (wp_pte(), clean_record_pte()); no kernel
				 * counter: the cost of a clean or wrprotect pass */
	MN_INVALIDATE_RANGE_START,	/* mmu_notifier calls, per subscriber */
	MN_INVALIDATE_RANGE_END,
	MN_CLEAR_FLUSH_YOUNG,
	MN_CLEAR_YOUNG,
	MN_TEST_YOUNG,
	MN_RELEASE,
	NR_MM_EVENTS
};

extern const char *const mm_event_names[NR_MM_EVENTS];

/* The mm layer's share of the world. */
struct mm_world {
	u64 events[NR_MM_EVENTS];
	const struct variant_cfg *cfg;
	struct hw *hw;
	struct obs *obs;
	struct folio *mem_map;		/* indexed by pfn */
	spinlock_t *ptl;		/* per hw page-table slot: its split PT lock */
	u64 zero_pfn;			/* the shared zero page */
	struct address_space files[MM_MAX_FILES];
	int nr_files;
	struct mm_struct mms[MM_MAX_MMS];
	int nr_mms;
};


struct mmu_gather {
	struct mm_struct *mm;
	u64 start, end;
	bool fullmm;
};

#define FAULT_FLAG_WRITE 0x1
#define VM_FAULT_SIGSEGV 0x2
#define VM_FAULT_RETRY 0x4

/* ---- set-up (mm/mmap.c, mm/filemap.c) ---- */
struct arena;
int mm_world_init(struct mm_world *mw, struct arena *ar, struct hw *hw,
		  const struct variant_cfg *cfg, struct obs *obs);
/*
 * A world driven in direct mode (exec_engine == NULL: every primitive acts
 * at once), as sim, vs-kernel and tests drive it: one arena holding the
 * hardware and the mm layer, with the variants and the observer they read.
 */
struct mm_direct_world {
	struct arena arena;
	struct variant_cfg cfg;
	struct obs obs;
	struct hw *hw;
	struct mm_world *mw;
};
/*
 * Room for nr_frames frames, nr_pt page tables and extra bytes of the
 * caller's; ops may be NULL.  0, or -1 when out of memory (d is then
 * released).  d must not move afterwards: the world points into it.
 */
int mm_direct_world_init(struct mm_direct_world *d, u64 nr_frames, u32 nr_pt, size_t extra,
			 const struct variant_cfg *cfg, const struct obs_ops *ops, void *ctx);
void mm_direct_world_fini(struct mm_direct_world *d);
struct address_space *mm_new_file(struct mm_world *mw, struct arena *ar,
				  const char *name, u32 nrpages, bool shmem);
u64 filemap_add_new_folio(struct mm_world *mw, struct address_space *m,
			  pgoff_t index, bool locked);
struct mm_struct *mm_new(struct mm_world *mw, const char *name);
/* mmap(): returns the VMA or NULL; allocates its page tables. */
struct vm_area_struct *mm_mmap(struct mm_struct *mm, u64 addr, u64 len,
			       u64 vm_flags, struct address_space *file,
			       pgoff_t pgoff);
struct vm_area_struct *find_vma(struct mm_struct *mm, u64 addr);
/*
 * A driver's ->mmap() installing its vm_operations on a new VMA; as in
 * mmap_region(), vm_page_prot is derived after it (write-notify).
 */
void vma_set_vm_ops(struct vm_area_struct *vma, const struct vm_operations_struct *ops,
		    void *private_data);
struct vm_area_struct *find_vma_intersection(struct mm_struct *mm, u64 start, u64 end);

/*
 * mm_forbids_zeropage(): include/linux/pgtable.h, an arch hook (s390 for
 * KVM guests' mms) that do_anonymous_page() and UFFDIO_ZEROPAGE consult;
 * the zero_page variant stands for it, so that a kernel whose boot options
 * forbid the zero page can be modelled too.  Some such options reach only
 * the fault path (zero_page=uffd_only): anon_read_forbids_zeropage().
 */
static inline bool mm_forbids_zeropage(const struct mm_struct *mm)
{
	return variant(mm->mw->cfg, zero_page) == zero_page__no;
}

static inline bool anon_read_forbids_zeropage(const struct mm_struct *mm)
{
	return variant(mm->mw->cfg, zero_page) != zero_page__yes;
}

/*
 * The lock order the model's lockdep enforces (exec/exec.h), outermost
 * first, as mm/rmap.c's block states it for what the model takes:
 *
 *   mm->mmap_lock
 *     mapping->i_mmap_rwsem
 *       page table lock (ptl)
 *         kvm->mmu_lock (the young notifiers, under the PTL of
 *                        ptep_clear_flush_young_notify())
 *
 * The folio lock (PG_locked, a bit) is outside the check.
 */
enum mm_lock_order {
	MM_LOCK_MMAP_LOCK = 1,
	MM_LOCK_I_MMAP_RWSEM,
	MM_LOCK_PTL,
	MM_LOCK_KVM_MMU_LOCK,
};

/* ---- folios ---- */
static inline struct folio *pfn_folio(struct mm_world *mw, u64 pfn)
{
	return &mw->mem_map[pfn];
}
#define PMD_SIZE (1ULL << 21)

/* ptlock_ptr(): the split PT lock of the page table held in frame pt_pfn. */
static inline spinlock_t *ptlock_ptr(struct mm_world *mw, u64 pt_pfn)
{
	return &mw->ptl[hw_pt_slot(mw->hw, pt_pfn)];
}

/* include/linux/page-flags.h: the low bit of ->mapping marks anon. */
#define FOLIO_MAPPING_ANON 0x1UL
/*
 * Not the kernel's: ->mapping in 32 bits.  The address_space or mm it
 * names lives in the folio's mm_world (files[], mms[]), which
 * mm_world_init() checks lies below mem_map and within 8 GiB of its end,
 * so the handle is the distance from that object up to the folio in
 * 4-byte units, shifted over the FOLIO_MAPPING_ANON tag; 0 names nothing.
 */
#define FOLIO_MAPPING_SPAN (1ULL << 33)
static inline void *folio_mapping_ptr(const struct folio *folio)
{
	if (!folio->mapping)
		return NULL;
	return (void *)((uintptr_t)folio - (uintptr_t)(folio->mapping >> 1) * 4);
}
static inline void folio_set_mapping_ptr(struct folio *folio, const void *p, bool anon)
{
	folio->mapping = p ? (u32)(((uintptr_t)folio - (uintptr_t)p) / 4) << 1 | anon : 0;
}
static inline bool folio_test_anon(const struct folio *folio)
{
	return folio->mapping & FOLIO_MAPPING_ANON;
}
/* mm/util.c folio_mapping(): the file's address_space, NULL if anon. */
static inline struct address_space *folio_mapping(const struct folio *folio)
{
	return folio_test_anon(folio) ? NULL : folio_mapping_ptr(folio);
}
/* A file folio's ->mapping: m, or NULL when it leaves the page cache. */
static inline void folio_set_mapping(struct folio *folio, struct address_space *m)
{
	folio_set_mapping_ptr(folio, m, false);
}
/* folio_anon_vma(), in the model the mm of an anonymous folio, or NULL. */
static inline struct mm_struct *folio_anon_mm(const struct folio *folio)
{
	if (!folio_test_anon(folio))
		return NULL;
	return folio_mapping_ptr(folio);
}
/* The address an anonymous folio is mapped at (linear_page_index()). */
static inline u64 folio_anon_addr(const struct folio *folio)
{
	return (u64)folio->index << PAGE_SHIFT;
}
/*
 * mm/rmap.c __folio_set_anon() as of v6.18: ->mapping and ->index of a
 * new anonymous folio.  The model's anon_vma is the mm.
 */
static inline void __folio_set_anon(struct folio *folio, struct mm_struct *mm,
				    u64 address)
{
	folio_set_mapping_ptr(folio, mm, true);	/* mm + FOLIO_MAPPING_ANON */
	folio->index = (u32)(address >> PAGE_SHIFT);	/* below MODEL_TASK_SIZE */
}
/* The world a mapped folio belongs to (NULL for a free folio and the zero page). */
static inline struct mm_world *folio_mw(const struct folio *folio)
{
	struct mm_struct *mm = folio_anon_mm(folio);

	struct address_space *mapping = folio_mapping(folio);

	return mm ? mm->mw : mapping ? mapping->mw : NULL;
}
/*
 * folio_pfn(): its index in mem_map (FLATMEM's page_to_pfn()).  Defined
 * for a folio in the page cache or the anon rmap, the only ones the mm
 * layer asks about; the world is found through ->mapping.
 */
static inline u64 folio_pfn(const struct folio *folio)
{
	return (u64)(folio - folio_mw(folio)->mem_map);
}
static inline void count_mm_event(struct mm_world *mw, enum mm_event e)
{
	if (mw)
		mw->events[e]++;
}
bool folio_test_dirty(struct folio *folio);
bool folio_mark_dirty(struct folio *folio);
void folio_clear_dirty(struct folio *folio);
bool folio_test_clear_dirty(struct folio *folio);
void folio_mark_accessed(struct folio *folio);
bool folio_test_swapbacked(struct folio *folio);
void folio_set_swapbacked(struct folio *folio);
/* References: the mapping's, GUP's, reclaim's isolation.  A folio is
 * freed by its last owner explicitly (simplified: no free on put). */
static inline void folio_get(struct folio *folio) { atomic_inc(&folio->_refcount); }
static inline void folio_put(struct folio *folio) { atomic_dec(&folio->_refcount); }
void folio_lock(struct folio *folio);
bool folio_trylock(struct folio *folio);
void folio_unlock(struct folio *folio);

/* ---- PTE helpers (arch/x86/include/asm/pgtable.h) ---- */
/* A PROT_NONE PTE is present to the kernel, not to the hardware. */
#define _PAGE_PROTNONE _PAGE_GLOBAL
static inline bool pte_present(pte_t p) { return p.pte & (_PAGE_PRESENT | _PAGE_PROTNONE); }
static inline bool pte_none(pte_t p) { return !(p.pte & ~(_PAGE_ACCESSED | _PAGE_DIRTY)); }
/*
 * pte_none() of the kernel the mm runs: pte_none=exact is x86 before
 * v4.8 (B28), a plain zero test, which an A or D set by hardware with the
 * Knights Landing erratum (arch=blind_dirty sets D in a cleared entry
 * too) defeats.  The fault, zap, mremap and uffd paths ask this one.
 */
static inline bool mm_pte_none(const struct mm_struct *mm, pte_t p)
{
	if (variant(mm->mw->cfg, pte_none) == pte_none__exact)
		return !p.pte;
	return pte_none(p);
}
static inline bool pte_write(pte_t p) { return p.pte & _PAGE_RW; }
static inline bool pte_dirty(pte_t p) { return p.pte & (_PAGE_DIRTY | _PAGE_SAVED_DIRTY); }
static inline bool pte_young(pte_t p) { return p.pte & _PAGE_ACCESSED; }
static inline u64 pte_pfn(pte_t p) { return (p.pte & PTE_PFN_MASK) >> PAGE_SHIFT; }
static inline pte_t pte_mkclean(pte_t p) { return (pte_t){ p.pte & ~(_PAGE_DIRTY | _PAGE_SAVED_DIRTY) }; }
static inline pte_t pte_mkdirty(pte_t p) { return (pte_t){ p.pte | _PAGE_DIRTY | _PAGE_SOFT_DIRTY }; }
static inline pte_t pte_mkold(pte_t p) { return (pte_t){ p.pte & ~_PAGE_ACCESSED }; }
static inline pte_t pte_mkyoung(pte_t p) { return (pte_t){ p.pte | _PAGE_ACCESSED }; }
static inline pte_t pte_wrprotect(pte_t p) { return (pte_t){ p.pte & ~_PAGE_RW }; }
static inline pte_t pte_mkwrite(pte_t p) { return (pte_t){ p.pte | _PAGE_RW }; }
static inline bool pte_same(pte_t a, pte_t b) { return a.pte == b.pte; }
static inline bool pte_uffd_wp(pte_t p) { return p.pte & _PAGE_UFFD_WP; }
/* x86 pte_mkuffd_wp(): the uffd-wp bit implies write protection. */
static inline pte_t pte_mkuffd_wp(pte_t p) { return pte_wrprotect((pte_t){ p.pte | _PAGE_UFFD_WP }); }
static inline pte_t pte_clear_uffd_wp(pte_t p) { return (pte_t){ p.pte & ~_PAGE_UFFD_WP }; }

/*
 * include/linux/swapops.h PTE markers: swap entries of type SWP_PTE_MARKER
 * that carry marker bits.  The model has no swap, so a marker is the only
 * non-none, non-present PTE: bit 62 tags it, the marker bits sit at the
 * frame number's place.
 */
#define SWP_PTE_MARKER_TAG BIT_ULL(62)
#define PTE_MARKER_UFFD_WP BIT_ULL(0)
static inline pte_t make_pte_marker(u64 marker)
{
	return (pte_t){ SWP_PTE_MARKER_TAG | (marker << PAGE_SHIFT) };
}
static inline bool is_swap_pte(pte_t p) { return !pte_none(p) && !pte_present(p); }
static inline bool is_pte_marker(pte_t p) { return is_swap_pte(p) && (p.pte & SWP_PTE_MARKER_TAG); }
static inline bool pte_marker_uffd_wp(pte_t p)
{
	return is_pte_marker(p) && ((p.pte >> PAGE_SHIFT) & PTE_MARKER_UFFD_WP);
}
/* Every swap PTE of the model is a marker: uffd-wp is its marker bit. */
static inline bool pte_swp_uffd_wp_any(pte_t p) { return pte_marker_uffd_wp(p); }
static inline bool pte_none_mostly(pte_t p) { return pte_none(p) || is_pte_marker(p); }

/* include/linux/userfaultfd_k.h */
static inline bool userfaultfd_missing(struct vm_area_struct *vma)
{
	return vma->vm_flags & VM_UFFD_MISSING;
}
static inline bool userfaultfd_wp(struct vm_area_struct *vma)
{
	return vma->vm_flags & VM_UFFD_WP;
}
static inline bool userfaultfd_wp_async(struct vm_area_struct *vma)
{
	return vma->vm_userfaultfd_ctx &&
	       (vma->vm_userfaultfd_ctx->features & UFFD_FEATURE_WP_ASYNC);
}
static inline bool userfaultfd_wp_unpopulated(struct vm_area_struct *vma)
{
	return vma->vm_userfaultfd_ctx &&
	       (vma->vm_userfaultfd_ctx->features & UFFD_FEATURE_WP_UNPOPULATED);
}
/* File memory always needs markers; anonymous only with WP_UNPOPULATED. */
static inline bool userfaultfd_wp_use_markers(struct vm_area_struct *vma)
{
	if (!userfaultfd_wp(vma))
		return false;
	if (vma->vm_file)
		return true;
	return userfaultfd_wp_unpopulated(vma);
}
static inline pte_t pfn_pte(u64 pfn, u64 prot) { return (pte_t){ (pfn << PAGE_SHIFT) | prot }; }
/* pte_modify(): new protection bits, keeping the frame, A, D, soft bits. */
#define _PAGE_CHG_MASK (PTE_PFN_MASK | _PAGE_PCD | _PAGE_PWT | _PAGE_SOFTW1 | \
			_PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_SOFT_DIRTY | _PAGE_UFFD_WP | \
			_PAGE_SAVED_DIRTY)
static inline pte_t pte_modify(pte_t p, u64 newprot)
{
	return (pte_t){ (p.pte & _PAGE_CHG_MASK) | (newprot & ~_PAGE_CHG_MASK) };
}
u64 vm_get_page_prot(u64 vm_flags);
bool vma_wants_writenotify(struct vm_area_struct *vma, u64 vm_page_prot);
void vma_set_page_prot(struct vm_area_struct *vma);
bool vma_wants_manual_pte_write_upgrade(struct vm_area_struct *vma);

pte_t ptep_get(pte_t *ptep);
void set_pte_at(struct mm_struct *mm, u64 addr, pte_t *ptep, pte_t pte);
void pte_clear(struct mm_struct *mm, u64 addr, pte_t *ptep);
pte_t ptep_get_and_clear(struct mm_struct *mm, u64 addr, pte_t *ptep);
pte_t ptep_modify_prot_start(struct vm_area_struct *vma, u64 addr, pte_t *ptep);
void ptep_modify_prot_commit(struct vm_area_struct *vma, u64 addr, pte_t *ptep,
			     pte_t old_pte, pte_t pte);
int ptep_test_and_clear_young(struct vm_area_struct *vma, u64 addr, pte_t *ptep);
int ptep_clear_flush_young(struct vm_area_struct *vma, u64 addr, pte_t *ptep);
pte_t ptep_clear_flush(struct vm_area_struct *vma, u64 addr, pte_t *ptep);
int ptep_set_access_flags(struct vm_area_struct *vma, u64 addr, pte_t *ptep,
			  pte_t entry, int dirty);
pte_t *pte_offset_map_lock(struct mm_struct *mm, u64 addr, spinlock_t **ptlp);
bool pmd_none_at(struct mm_struct *mm, u64 addr);
int pte_alloc(struct mm_struct *mm, u64 addr);
void pte_unmap_unlock(pte_t *pte, spinlock_t *ptl);
bool pte_needs_flush(struct mm_world *mw, pte_t oldpte, pte_t newpte);

/* ---- TLB (arch/x86/mm/tlb.c, mm/mmu_gather.c) ---- */
void flush_tlb_mm_range(struct mm_struct *mm, u64 start, u64 end);
void flush_tlb_range(struct vm_area_struct *vma, u64 start, u64 end);
void flush_tlb_page(struct vm_area_struct *vma, u64 addr);
void flush_tlb_mm(struct mm_struct *mm);
void inc_tlb_flush_pending(struct mm_struct *mm);
void dec_tlb_flush_pending(struct mm_struct *mm);
bool mm_tlb_flush_nested(struct mm_struct *mm);
void flush_tlb_batched_pending(struct mm_struct *mm);
void tlb_gather_mmu(struct mmu_gather *tlb, struct mm_struct *mm);
void tlb_flush_pte_range(struct mmu_gather *tlb, u64 addr, u64 size);
void tlb_flush_mmu_tlbonly(struct mmu_gather *tlb);
void tlb_finish_mmu(struct mmu_gather *tlb);

/* ---- mmu_notifier (mm/mmu_notifier.c) ---- */
int mmu_notifier_register(struct mmu_notifier *sub, struct mm_struct *mm);
void mmu_notifier_range_init(struct mmu_notifier_range *range,
			     enum mmu_notifier_event event,
			     struct mm_struct *mm, u64 start, u64 end);
void mmu_notifier_invalidate_range_start(struct mmu_notifier_range *range);
void mmu_notifier_invalidate_range_end(struct mmu_notifier_range *range);
int mmu_notifier_clear_flush_young(struct mm_struct *mm, u64 start, u64 end);
int mmu_notifier_clear_young(struct mm_struct *mm, u64 start, u64 end);
void mmu_notifier_release(struct mm_struct *mm);

/* ---- faults, GUP, zap (mm/memory.c, mm/gup.c) ---- */
struct folio *folio_prealloc(struct vm_area_struct *vma, u64 address);
int handle_mm_fault(struct vm_area_struct *vma, u64 address, unsigned int flags);
/* A user access by the current CPU actor: faults are handled and retried. */
int mm_user_access(struct mm_struct *mm, int tlb, u64 addr, bool write);
/* get_user_pages() of one page: its pfn, or 0; *writable as KVM asks. */
u64 get_user_page(struct mm_struct *mm, u64 addr, bool write, bool *writable);
struct folio *vm_normal_folio(struct vm_area_struct *vma, pte_t pte);
/* mremap.c: one whole VMA to new_addr (MREMAP_MAYMOVE | MREMAP_FIXED). */
long do_mremap(struct mm_struct *mm, u64 old_addr, u64 len, u64 new_addr);
/* truncate.c: truncate one page of the file out of its page cache. */
int truncate_page(struct mm_world *mw, struct address_space *mapping, pgoff_t index);
/* The PTE for addr and its PT lock, not taken (pte_offset_map_rw_nolock()). */
pte_t *pte_offset_map_nolock(struct mm_struct *mm, u64 addr, spinlock_t **ptlp);
/* vma_unlink(): out of the mapping's i_mmap and the mm (its slot reusable). */
void vma_unlink(struct vm_area_struct *vma);
/* pin_user_pages_fast() of one page (FOLL_PIN): its pfn, or 0. */
u64 pin_user_page_fast(struct mm_struct *mm, u64 addr, bool write);
void unpin_user_page(struct mm_world *mw, u64 pfn);
void zap_page_range_single(struct vm_area_struct *vma, u64 start, u64 size);
void mm_exit_mmap(struct mm_struct *mm);

/* ---- rmap (mm/rmap.c) ---- */
int folio_mkclean(struct folio *folio);
int folio_referenced(struct folio *folio);
bool try_to_unmap(struct folio *folio);

/* ---- writeback (mm/page-writeback.c) ---- */
bool folio_clear_dirty_for_io(struct folio *folio);
int mm_writeback_folio(struct mm_world *mw, struct address_space *mapping,
		       pgoff_t index);

/* ---- reclaim (mm/vmscan.c) ---- */
bool mm_reclaim_folio(struct mm_world *mw, u64 pfn);

/* ---- mprotect, madvise, mapping dirty helpers ---- */
#define PROT_READ 0x1
#define PROT_WRITE 0x2
int do_mprotect_pkey(struct mm_struct *mm, u64 start, u64 len, int prot);
#define MM_CP_TRY_CHANGE_WRITABLE (1UL << 0)
#define MM_CP_UFFD_WP (1UL << 2)
#define MM_CP_UFFD_WP_RESOLVE (1UL << 3)
long change_protection(struct mmu_gather *tlb, struct vm_area_struct *vma,
		       u64 start, u64 end, unsigned long cp_flags);
#define MADV_DONTNEED 4
#define MADV_FREE 8
int do_madvise(struct mm_struct *mm, u64 start, u64 len, int behavior);
u64 wp_shared_mapping_range(struct address_space *mapping, pgoff_t first_index,
			    pgoff_t nr);
u64 clean_record_shared_mapping_range(struct address_space *mapping,
				      pgoff_t first_index, pgoff_t nr,
				      pgoff_t bitmap_pgoff, u64 *bitmap,
				      pgoff_t *start, pgoff_t *end);

/* ---- userfaultfd (fs/userfaultfd.c, mm/userfaultfd.c): 0 or -errno ---- */
int userfaultfd_api(struct mm_struct *mm, u64 features);
#define UFFDIO_REGISTER_MODE_MISSING (1ULL << 0)
#define UFFDIO_REGISTER_MODE_WP (1ULL << 1)
/* UFFDIO_REGISTER with mode; userfaultfd_register() is MODE_WP. */
int userfaultfd_register_mode(struct mm_struct *mm, u64 start, u64 len, u64 mode);
int userfaultfd_register(struct mm_struct *mm, u64 start, u64 len);
/* uapi struct uffd_msg, UFFD_EVENT_PAGEFAULT only */
#define UFFD_PAGEFAULT_FLAG_WRITE (1ULL << 0)
struct uffd_msg {
	u64 address, flags;
};
struct vm_fault;
int handle_userfault(struct vm_fault *vmf, unsigned long reason);
/*
 * read() on the userfaultfd: 0 and the pending fault, or -EAGAIN.  The
 * event stays pending until UFFDIO_COPY (without DONTWAKE) covers it.
 */
int userfaultfd_read(struct mm_struct *mm, struct uffd_msg *msg);
#define UFFDIO_WRITEPROTECT_MODE_WP (1ULL << 0)
#define UFFDIO_WRITEPROTECT_MODE_DONTWAKE (1ULL << 1)
#define UFFDIO_COPY_MODE_DONTWAKE (1ULL << 0)
#define UFFDIO_COPY_MODE_WP (1ULL << 1)
#define UFFDIO_ZEROPAGE_MODE_DONTWAKE (1ULL << 0)
int userfaultfd_writeprotect(struct mm_struct *mm, u64 start, u64 len, u64 mode);
int userfaultfd_copy(struct mm_struct *mm, u64 dst, u64 len, u64 mode, s64 *copy);
int userfaultfd_zeropage(struct mm_struct *mm, u64 dst, u64 len, u64 mode, s64 *zeropage);
int mwriteprotect_range(struct mm_struct *mm, u64 start, u64 len, bool enable_wp);
long uffd_wp_range(struct vm_area_struct *dst_vma, u64 start, u64 len, bool enable_wp);

/* ---- PAGEMAP_SCAN (fs/proc/task_mmu.c; uapi/linux/fs.h) ---- */
#define PAGE_IS_WPALLOWED (1ULL << 0)
#define PAGE_IS_WRITTEN (1ULL << 1)
#define PAGE_IS_FILE (1ULL << 2)
#define PAGE_IS_PRESENT (1ULL << 3)
#define PAGE_IS_SWAPPED (1ULL << 4)
#define PAGE_IS_PFNZERO (1ULL << 5)
#define PAGE_IS_HUGE (1ULL << 6)
#define PAGE_IS_SOFT_DIRTY (1ULL << 7)
#define PAGE_IS_GUARD (1ULL << 8)
#define PM_SCAN_CATEGORIES 0x1ffULL
#define PM_SCAN_WP_MATCHING (1ULL << 0)
#define PM_SCAN_CHECK_WPASYNC (1ULL << 1)
#define PM_SCAN_FLAGS (PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC)

struct page_region {
	u64 start, end, categories;
};

struct pm_scan_arg {
	u64 size, flags, start, end, walk_end, vec, vec_len, max_pages;
	u64 category_inverted, category_mask, category_anyof_mask, return_mask;
};

/* Regions go to vec (arg->vec only says whether one was passed). */
long do_pagemap_scan(struct mm_struct *mm, struct pm_scan_arg *arg,
		     struct page_region *vec);

bool mm_describe(struct mm_world *mw, const void *addr, char *buf, size_t n);

#endif
