/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim: drives the model (hw, mm, kvm: the same functions adsim check
 * explores) with a workload in direct mode, one operation after another,
 * and measures what the modelled policies cost.
 *
 * A run builds one process whose mapping holds the workload's pages (a
 * shared file, shared memfd or private anonymous memory), and for the vm
 * workload a VM whose memslot is that mapping.  Accesses come from the
 * workload (sim/workload.h): CPUs go through mm_user_access(), vCPUs
 * through kvm_vcpu_access(), each after hw_access_hit(), the inlined TLB
 * hit.  Between accesses, at their intervals, kernel activities run
 * through the model's entry points: aging through rmap
 * (folio_referenced() and the young notifiers), writeback
 * (mm_writeback_folio(): folio_mkclean()), the driver's clean cycle
 * (clean_record_shared_mapping_range(), or under dirty_track=wrprotect
 * the bitmap its page_mkwrite() hook filled, re-armed with
 * wp_shared_mapping_range()), MADV_FREE then reclaim of the lazyfree
 * folios, and a uffd-wp PAGEMAP_SCAN reader.  Anonymous pages are
 * populated by the fault path or by a userfaultfd missing-fault handler
 * that resolves each fault with UFFDIO_COPY (--populate).
 *
 * Ground truth (DESIGN.md "Ground truth and oracles"), kept by sim and
 * never seen by the model: for every page, which dirty consumers have
 * not yet reported a write to it, and whether it was accessed since the
 * last aging pass: one byte a page.  A write no report covers after the
 * final quiesce-and-collect is a lost write; to name when each lost page
 * was last written, sim_run() repeats the run watching only those pages.
 */
#ifndef ADSIM_SIM_SIM_H
#define ADSIM_SIM_SIM_H

#include "../hw/hw.h"
#include "../mm/mm.h"
#include "../variant/variant.h"
#include "workload.h"

#define SIM_MAX_CPUS 8
#define SIM_MAX_LOST 16

enum sim_memory { SIM_MEM_FILE, SIM_MEM_SHMEM, SIM_MEM_ANON, SIM_MEM_NR };
extern const char *const sim_memory_names[SIM_MEM_NR];

/* How a missing page gets its first PTE. */
enum sim_populate {
	SIM_POP_FAULT,		/* the kernel's fault path */
	SIM_POP_UFFD_COPY,	/* a missing-mode userfaultfd handler: UFFDIO_COPY */
	SIM_POP_NR
};
extern const char *const sim_populate_names[SIM_POP_NR];

/* Kernel activities, each run every `every[...]` accesses (0: never). */
enum sim_activity {
	ACT_AGING,		/* folio_referenced() on every resident folio */
	ACT_WRITEBACK,		/* mm_writeback_folio() on every file page */
	ACT_CLEAN,		/* clean_record_shared_mapping_range() */
	ACT_MADV_FREE,		/* reclaim the last chunk, MADV_FREE the next */
	ACT_PAGEMAP_SCAN,	/* PAGEMAP_SCAN with PM_SCAN_WP_MATCHING */
	ACT_DIRTY_LOG,		/* a migration thread reads KVM's dirty log */
	ACT_MPROTECT,		/* mprotect() read-only, then read-write again */
	ACT_NR
};
extern const char *const sim_activity_names[ACT_NR];

/* Consumers of dirty information: exec/obs.h's enum obs_consumer. */

/* How ACT_DIRTY_LOG reads the log (QEMU's choices). */
enum sim_dirty_log_mode {
	SIM_DL_GET,	/* KVM_GET_DIRTY_LOG, which re-protects what it returns */
	SIM_DL_CLEAR,	/* manual protect: KVM_GET_DIRTY_LOG then KVM_CLEAR_DIRTY_LOG */
	SIM_DL_RING,	/* harvest each vCPU's dirty ring, KVM_RESET_DIRTY_RINGS */
	SIM_DL_NR
};
extern const char *const sim_dirty_log_mode_names[SIM_DL_NR];

struct sim_opts {
	struct wl_params wl;	/* pages, write ratio, seed, ...; actors set by sim */
	u32 cpus, vcpus;
	bool in_guest;		/* vCPUs make the accesses, in a VM's memslot */
	enum sim_memory memory;
	enum sim_populate populate;
	struct hw_tlb_geom l1, l2;	/* l2.sets == 0: no second level */
	u64 accesses;
	u64 every[ACT_NR];
	u64 samples;		/* interval samples to keep (for plots) */
	enum sim_dirty_log_mode dirty_log_mode;
	u32 dirty_ring_entries;	/* per vCPU, ring mode */
	struct variant_cfg cfg;
	bool progress;		/* show progress on stderr */
};

/* One interval's counters, for plots. */
struct sim_sample {
	u64 accesses, tlb_flushes, ipis, page_faults, notifier_calls, spte_zaps;
	u64 dirty_helper_ptes;
};

/* One aging pass's answer against the ground truth. */
struct sim_aging_pass {
	u64 at;			/* accesses done when it ran */
	u64 tp, fp, fn;		/* true/false positives, false negatives */
};

/* Precision (other: false positives) or recall (false negatives); -1 if undefined. */
static inline double sim_aging_ratio(u64 tp, u64 other)
{
	return tp + other ? (double)tp / (double)(tp + other) : -1;
}

struct sim_lost {
	u64 page, time;		/* time: the access index of the page's last write */
	enum obs_consumer consumer;
};

struct sim_metrics {
	u64 accesses, reads, writes;
	double seconds;
	/* hw */
	u64 tlb_hits, tlb_l2_hits, walks, dirty_assists;
	u64 accessed_sets, dirty_sets;	/* A or D set by a filling walk */
	u64 flush_cpu_range, flush_cpu_full, flush_ept_range, flush_ept_full;
	u64 tlb_flushes, ipis;
	/* faults */
	u64 fault_missing, fault_wp, fault_uffd_wp, fault_spurious;
	u64 kvm_pf_taken, kvm_pf_fast, kvm_pf_fixed, kvm_pf_spurious;
	u64 page_faults;
	/* mm and kvm */
	u64 events[NR_MM_EVENTS];
	u64 notifier_calls, spte_zaps, kvm_tlb_flushes;
	u64 kvm_dirty_marked, kvm_dirty_wrprot, kvm_ring_full_exits;
	u64 mkwrite_calls;		/* the driver's page_mkwrite() (dirty_track=wrprotect) */
	u64 uffd_copies;		/* pages the userfaultfd handler filled */
	u64 reported[CONS_NR];
	u64 activity_runs[ACT_NR];
	/* aging */
	u64 aging_passes, aging_tp, aging_fp, aging_fn;
	double precision, recall;	/* over every pass; -1 when undefined */
	struct sim_aging_pass *aging;	/* malloc'd, aging_passes of them */
	/* lost writes */
	u64 lost_writes;
	struct sim_lost lost[SIM_MAX_LOST];
	u64 resident_pages;		/* data folios mapped or cached at the end */
	u64 model_bytes;		/* the world's arena, as touched */
	u64 peak_rss_bytes;
	struct sim_sample *samples;	/* malloc'd, nr_samples of them */
	u64 nr_samples;
};

void sim_default_opts(struct sim_opts *o);
/* Whether vCPUs of a VM make the accesses (no host CPU touches the memory). */
static inline bool sim_in_guest(const struct sim_opts *o)
{
	return o->wl.kind == WL_VM || o->in_guest;
}
/*
 * Runs one simulation; 0, or -1 with the reason in err.  A run that loses
 * writes runs a second time, deterministically the same, to time them.
 */
int sim_run(const struct sim_opts *o, struct sim_metrics *m, char *err, size_t n);
void sim_metrics_free(struct sim_metrics *m);

int sim_main(int argc, char **argv);

#endif
