// SPDX-License-Identifier: GPL-2.0
/*
 * adsim sim: the command line, the table for people and the JSON.
 *
 * Exit status: 0 the run completed with no lost write, 1 a write was
 * lost, 2 bad usage or input.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "svg.h"
#include "trace.h"
#include "../scn/json.h"

struct sim_cli {
	struct sim_opts o;
	const char *sets[32];
	int nr_sets;
	const char *compare;	/* NAME=A,B */
	const char *trace_path;	/* --trace FILE */
	struct trace trace;
	const char *svg_path;	/* --svg OUT */
	u32 plot_mask;		/* --plot: bit i = sim_plot_metrics[i] */
	bool json;
	/* options a trace decides, to refuse them next to --trace */
	const char *workload_opt, *pages_opt, *ratio_opt, *cpus_opt, *vcpus_opt;
	bool accesses_given;
	bool every_given[ACT_NR];
};

static void sim_usage(FILE *f)
{
	fprintf(f,
		"usage: adsim sim [options]   drive the model with a workload and measure it\n"
		"\n"
		"workload:\n"
		"  --workload KIND      uniform | zipf[:s=S] | seq | hotcold[:hot=F,share=F,phase=N]\n"
		"                       | vm   (default zipf:s=1)\n"
		"  --trace FILE         replay a recorded trace instead (lackey text or adsim's\n"
		"                       binary, docs/traces.md): one CPU, its pages, its writes;\n"
		"                       --accesses defaults to its length and wraps around it\n"

		"  --pages N            pages of memory, or of the guest memslot (default 65536)\n"
		"  --accesses N         accesses to simulate (default 10M)\n"
		"  --write-ratio R      share of accesses that write, 0..1 (default 0.3)\n"
		"  --cpus N             CPUs issuing accesses (default 2; 1..%d)\n"
		"  --vcpus N            vCPUs of the vm workload (default 2; 1..8)\n"
		"  --in-guest           run the workload inside a VM: the memory is its memslot,\n"
		"                       vCPUs make the accesses (a trace: on one vCPU)\n"
		"  --memory KIND        file (shared, default) | shmem (shared memfd) | anon (private)\n"
		"  --populate HOW       fault (default) | uffd-copy: a userfaultfd missing-fault\n"
		"                       handler fills each page with UFFDIO_COPY (--memory anon;\n"
		"                       the PTE it gets: --set uffd_copy_hint=...)\n"
		"  --seed N             the workload's random seed (default 1)\n"
		"\n"
		"TLBs (per CPU and per vCPU; default an x86 core's):\n"
		"  --tlb-l1 E:W         first level, E entries, W ways (default 64:4)\n"
		"  --tlb-l2 E:W         second level (default 1536:12); 0 for none\n"
		"  --tlb-repl POLICY    lru (default) | fifo | random\n"
		"\n"
		"kernel activity, every N accesses (0: off):\n"
		"  --aging N            folio_referenced() over every resident folio (default 1M)\n"
		"  --writeback N        write back the file's dirty folios (--memory file;\n"
		"                       default 2.5M unless --clean is given)\n"
		"  --clean N            a driver's dirty scan (file or shmem): by default\n"
		"                       clean_record_shared_mapping_range(); with --set\n"
		"                       dirty_track=wrprotect its page_mkwrite() bitmap, re-armed\n"
		"                       with wp_shared_mapping_range()\n"
		"  --madv-free N        MADV_FREE a sixteenth, reclaim the one before (--memory anon)\n"
		"  --pagemap-scan N     uffd-wp async PAGEMAP_SCAN with WP_MATCHING (anon or shmem)\n"
		"  --mprotect N         mprotect() the mapping read-only, then read-write again\n"
		"  --dirty-log N        a migration thread reads KVM's dirty log (a guest: --workload vm\n"
		"                       or --in-guest)\n"
		"  --dirty-log-mode M   get (KVM_GET_DIRTY_LOG) | clear (manual protect: get, then\n"
		"                       KVM_CLEAR_DIRTY_LOG; default) | ring (dirty ring, reset)\n"
		"  --dirty-ring-size N  entries per vCPU ring, a power of two, 256..65536 (default 4096)\n"
		"\n"
		"policies and output:\n"
		"  --set NAME=VALUE     select a variant (repeatable; adsim variants lists them)\n"
		"  --compare NAME=A,B   run the same workload with NAME=A and NAME=B, side by side\n"
		"  --json               one JSON object on stdout\n"
		"  --samples N          interval samples kept for plots (default 100)\n"
		"  --svg OUT            write the samples as an SVG plot: per interval, one line\n"
		"                       per run (per value under --compare)\n"
		"  --plot M[,M...]      the metrics it shows (default all): page_faults,\n"
		"                       tlb_flushes, ipis, notifier_calls, spte_zaps,\n"
		"                       dirty_helper_ptes\n"
		"\n"
		"N accepts the suffixes K, M and G (thousands, millions, billions).\n"
		"exit status: 0 no write lost, 1 a write was lost, 2 bad usage or input\n",
		SIM_MAX_CPUS);
}

static int parse_count(const char *s, u64 lo, u64 hi, u64 *v)
{
	char *end;
	double d;
	u64 mult = 1;

	if (!s || !*s)
		return -1;
	errno = 0;
	d = strtod(s, &end);
	if (errno || end == s || !(d >= 0))	/* NaN fails too */
		return -1;
	if (*end == 'K' || *end == 'k')
		mult = 1000, end++;
	else if (*end == 'M')
		mult = 1000000, end++;
	else if (*end == 'G')
		mult = 1000000000, end++;
	if (*end || !(d * (double)mult <= 1.8e19))
		return -1;
	*v = (u64)(d * (double)mult + 0.5);
	if ((double)*v != d * (double)mult && mult == 1)
		return -1;	/* a fraction without a suffix */
	return *v < lo || *v > hi ? -1 : 0;
}

static int parse_ratio(const char *s, double *v)
{
	char *end;

	if (!s || !*s)
		return -1;
	errno = 0;
	*v = strtod(s, &end);
	return errno || *end || !(*v >= 0 && *v <= 1) ? -1 : 0;
}

static int parse_geom(const char *s, struct hw_tlb_geom *g, bool allow_none)
{
	unsigned long long e, w;
	char extra;

	if (allow_none && !strcmp(s, "0")) {
		g->sets = 0;
		return 0;
	}
	if (sscanf(s, "%llu:%llu%c", &e, &w, &extra) != 2 || !w || !e || e % w ||
	    e > (1u << 20) || w > 64)
		return -1;
	e /= w;
	if (e & (e - 1))
		return -1;
	g->sets = (u32)e;
	g->ways = (u32)w;
	return 0;
}

/* The index of v in names[0..nr), or -1 (also when v is NULL). */
static int name_index(const char *v, const char *const *names, int nr)
{
	for (int k = 0; v && k < nr; k++)
		if (!strcmp(v, names[k]))
			return k;
	return -1;
}

/* KIND[:key=value,...] */
static int parse_workload(const char *s, struct wl_params *p, char *err, size_t n)
{
	char buf[128], *opt, *save = NULL;
	int k;

	snprintf(buf, sizeof(buf), "%s", s);
	opt = strchr(buf, ':');
	if (opt)
		*opt++ = 0;
	k = name_index(buf, wl_names, WL_TRACE);	/* a trace comes by --trace */
	if (k < 0) {
		snprintf(err, n, "--workload %s: expected uniform, zipf[:s=S], seq, hotcold or vm", s);
		return -1;
	}
	p->kind = (enum wl_kind)k;
	for (char *kv = opt ? strtok_r(opt, ",", &save) : NULL; kv; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		u64 v;

		if (!eq)
			goto bad;
		*eq++ = 0;
		if (k == WL_ZIPF && !strcmp(kv, "s")) {
			char *end;

			p->zipf_s = strtod(eq, &end);
			if (*end || !(p->zipf_s > 0 && p->zipf_s <= 10))
				goto bad;
		} else if (k == WL_HOTCOLD && !strcmp(kv, "hot")) {
			if (parse_ratio(eq, &p->hot_fraction) || p->hot_fraction <= 0)
				goto bad;
		} else if (k == WL_HOTCOLD && !strcmp(kv, "share")) {
			if (parse_ratio(eq, &p->hot_share))
				goto bad;
		} else if (k == WL_HOTCOLD && !strcmp(kv, "phase")) {
			if (parse_count(eq, 0, ~0ULL, &v))
				goto bad;
			p->phase = v;
		} else {
			goto bad;
		}
	}
	return 0;
bad:
	snprintf(err, n, "--workload %s: expected zipf:s=S (0 < S <= 10) or "
		 "hotcold:hot=F,share=F,phase=N", s);
	return -1;
}

static const struct {
	const char *flag;
	enum sim_activity act;
} sim_act_flags[] = {
	{ "--aging", ACT_AGING }, { "--writeback", ACT_WRITEBACK }, { "--clean", ACT_CLEAN },
	{ "--madv-free", ACT_MADV_FREE }, { "--pagemap-scan", ACT_PAGEMAP_SCAN },
	{ "--mprotect", ACT_MPROTECT },
	{ "--dirty-log", ACT_DIRTY_LOG },
};

/* M[,M...] of sim_plot_metrics into a mask */
static int parse_plot(const char *s, u32 *mask)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", s);
	*mask = 0;
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int i = sim_plot_metric_lookup(t);

		if (i < 0)
			return -1;
		*mask |= 1u << i;
	}
	return *mask ? 0 : -1;
}

/*
 * One option of each kind: 1 if a is one (its value, if it takes one,
 * consumed by advancing *i), 0 if not, -1 with err on a bad value.
 */
#define NEED(cond, what)                                                    \
	do {                                                                \
		if (!v || !(cond)) {                                        \
			snprintf(err, n, "%s %s: expected %s", a, v ? v : "", what); \
			return -1;                                          \
		}                                                           \
		(*i)++;                                                     \
	} while (0)

/* The workload and the machine that runs it. */
static int sim_opt_workload(struct sim_cli *c, const char *a, const char *v, int *i,
			    char *err, size_t n)
{
	struct sim_opts *o = &c->o;
	u64 x;

	if (!strcmp(a, "--workload")) {
		c->workload_opt = a;
		NEED(v, "a workload");
		if (parse_workload(v, &o->wl, err, n))
			return -1;
	} else if (!strcmp(a, "--trace")) {
		NEED(v && *v, "a trace file");
		c->trace_path = v;
	} else if (!strcmp(a, "--in-guest")) {
		c->o.in_guest = true;
	} else if (!strcmp(a, "--pages")) {
		c->pages_opt = a;
		NEED(!parse_count(v, 1, 1ULL << 24, &o->wl.pages), "1 to 16M pages");
	} else if (!strcmp(a, "--accesses")) {
		c->accesses_given = true;
		NEED(!parse_count(v, 1, 1ULL << 40, &o->accesses), "a positive count");
	} else if (!strcmp(a, "--write-ratio")) {
		c->ratio_opt = a;
		NEED(!parse_ratio(v, &o->wl.write_ratio), "a ratio from 0 to 1");
	} else if (!strcmp(a, "--cpus")) {
		c->cpus_opt = a;
		NEED(!parse_count(v, 1, SIM_MAX_CPUS, &x), "1 to 8 CPUs");
		o->cpus = (u32)x;
	} else if (!strcmp(a, "--vcpus")) {
		c->vcpus_opt = a;
		NEED(!parse_count(v, 1, 8, &x), "1 to 8 vCPUs");
		o->vcpus = (u32)x;
	} else if (!strcmp(a, "--memory")) {
		int k = name_index(v, sim_memory_names, SIM_MEM_NR);

		NEED(k >= 0, "file, shmem or anon");
		o->memory = (enum sim_memory)k;
	} else if (!strcmp(a, "--populate")) {
		int k = name_index(v, sim_populate_names, SIM_POP_NR);

		NEED(k >= 0, "fault or uffd-copy");
		o->populate = (enum sim_populate)k;
	} else if (!strcmp(a, "--seed")) {
		NEED(!parse_count(v, 0, ~0ULL, &o->wl.seed), "a number");
	} else {
		return 0;
	}
	return 1;
}

/* Variants, the KVM dirty log and the TLB geometry. */
static int sim_opt_model(struct sim_cli *c, const char *a, const char *v, int *i, char *err,
			 size_t n)
{
	struct sim_opts *o = &c->o;
	u64 x;

	if (!strcmp(a, "--dirty-log-mode")) {
		int k = name_index(v, sim_dirty_log_mode_names, SIM_DL_NR);

		NEED(k >= 0, "get, clear or ring");
		o->dirty_log_mode = (enum sim_dirty_log_mode)k;
	} else if (!strcmp(a, "--dirty-ring-size")) {
		NEED(!parse_count(v, 256, 65536, &x) && !(x & (x - 1)),
		     "a power of two from 256 to 65536");
		o->dirty_ring_entries = (u32)x;
	} else if (!strcmp(a, "--tlb-l1")) {
		NEED(!parse_geom(v, &o->l1, false),
		     "ENTRIES:WAYS with ENTRIES/WAYS a power of two");
	} else if (!strcmp(a, "--tlb-l2")) {
		NEED(!parse_geom(v, &o->l2, true),
		     "ENTRIES:WAYS with ENTRIES/WAYS a power of two, or 0");
	} else if (!strcmp(a, "--tlb-repl")) {
		enum hw_tlb_repl r = !v ? TLB_REPL_LRU : !strcmp(v, "lru") ? TLB_REPL_LRU :
				     !strcmp(v, "fifo") ? TLB_REPL_FIFO : TLB_REPL_RANDOM;

		NEED(!strcmp(v, "lru") || !strcmp(v, "fifo") || !strcmp(v, "random"),
		     "lru, fifo or random");
		o->l1.repl = o->l2.repl = r;
	} else if (!strcmp(a, "--set")) {
		NEED(v && c->nr_sets < 32, "NAME=VALUE (at most 32)");
		c->sets[c->nr_sets++] = v;
	} else if (!strcmp(a, "--compare")) {
		NEED(v && strchr(v, '=') && strchr(v, ','), "NAME=A,B");
		c->compare = v;
	} else {
		return 0;
	}
	return 1;
}

/* What is reported: samples, plots, JSON. */
static int sim_opt_output(struct sim_cli *c, const char *a, const char *v, int *i, char *err,
			  size_t n)
{
	struct sim_opts *o = &c->o;

	if (!strcmp(a, "--samples")) {
		NEED(!parse_count(v, 0, 100000, &o->samples), "0 to 100000");
	} else if (!strcmp(a, "--svg")) {
		NEED(v && *v, "an output file");
		c->svg_path = v;
	} else if (!strcmp(a, "--plot")) {
		NEED(v && !parse_plot(v, &c->plot_mask), "metrics from page_faults, "
		     "tlb_flushes, ipis, notifier_calls, spte_zaps, dirty_helper_ptes, "
		     "separated by commas");
	} else if (!strcmp(a, "--json")) {
		c->json = true;
	} else {
		return 0;
	}
	return 1;
}

/* An activity's interval (--aging N, --writeback N, ...). */
static int sim_opt_activity(struct sim_cli *c, const char *a, const char *v, int *i, char *err,
			    size_t n)
{
	u64 x;

	for (size_t k = 0; k < sizeof(sim_act_flags) / sizeof(sim_act_flags[0]); k++)
		if (!strcmp(a, sim_act_flags[k].flag)) {
			NEED(!parse_count(v, 0, ~0ULL, &x), "an interval in accesses (0: off)");
			c->o.every[sim_act_flags[k].act] = x;
			c->every_given[sim_act_flags[k].act] = true;
			return 1;
		}
	return 0;
}
#undef NEED

static int sim_parse(struct sim_cli *c, int argc, char **argv, char *err, size_t n)
{
	struct sim_opts *o = &c->o;

	sim_default_opts(o);
	o->progress = true;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int r = sim_opt_activity(c, a, v, &i, err, n);

		if (!r)
			r = sim_opt_workload(c, a, v, &i, err, n);
		if (!r)
			r = sim_opt_model(c, a, v, &i, err, n);
		if (!r)
			r = sim_opt_output(c, a, v, &i, err, n);
		if (r < 0)
			return -1;
		if (!r) {
			snprintf(err, n, "unknown option '%s' (adsim sim --help)", a);
			return -1;
		}
	}
	if (c->svg_path && !c->o.samples) {
		snprintf(err, n, "--svg needs interval samples: --samples at least 1");
		return -1;
	}
	if (!c->plot_mask)
		c->plot_mask = (1u << sim_nr_plot_metrics) - 1;
	/* Default writeback is the file's flusher: not for other memory, nor
	 * next to a driver's clean cycle that consumes the same dirty bits. */
	if (!c->every_given[ACT_WRITEBACK] &&
	    (o->memory != SIM_MEM_FILE || o->every[ACT_CLEAN]))
		o->every[ACT_WRITEBACK] = 0;
	for (int i = 0; i < c->nr_sets; i++)
		if (variant_set(&o->cfg, c->sets[i], err, n))
			return -1;
	return 0;
}

/*
 * --trace: the recorded program decides the workload, its pages, its
 * read/write mix and that one CPU runs it, so options that would say
 * otherwise are refused rather than silently ignored.
 */
static int sim_use_trace(struct sim_cli *c, char *err, size_t n)
{
	const char *clash = c->workload_opt ? c->workload_opt : c->pages_opt ? c->pages_opt :
			    c->ratio_opt ? c->ratio_opt : c->cpus_opt ? c->cpus_opt : c->vcpus_opt;
	struct wl_params *p = &c->o.wl;

	if (clash) {
		snprintf(err, n, "%s: the trace decides this; drop it or --trace", clash);
		return -1;
	}
	if (c->o.in_guest)
		c->o.vcpus = 1;
	if (trace_load(&c->trace, c->trace_path, err, n))
		return -1;
	if (!c->trace.nr) {
		snprintf(err, n, "%s: the trace holds no data access: nothing to simulate",
			 c->trace_path);
		return -1;
	}
	if (c->trace.nr_pages > (1ULL << 24)) {
		snprintf(err, n, "%s: the trace touches %llu pages; sim models at most %llu",
			 c->trace_path, (unsigned long long)c->trace.nr_pages, 1ULL << 24);
		return -1;
	}
	p->kind = WL_TRACE;
	p->trace = c->trace.rec;
	p->trace_len = c->trace.nr;
	p->pages = c->trace.nr_pages;
	p->write_ratio = c->trace.nr ? (double)c->trace.writes / (double)c->trace.nr : 0;
	c->o.cpus = 1;
	if (!c->accesses_given)
		c->o.accesses = c->trace.nr;
	return 0;
}

/* ---- output ---- */

struct sim_row {
	const char *label;
	u64 (*get)(const struct sim_metrics *m);
};

#define GETTER(field) \
	static u64 get_##field(const struct sim_metrics *m) { return m->field; }
GETTER(accesses)
GETTER(writes)
GETTER(tlb_hits)
GETTER(tlb_l2_hits)
GETTER(walks)
GETTER(dirty_assists)
GETTER(accessed_sets)
GETTER(dirty_sets)
GETTER(mkwrite_calls)
GETTER(uffd_copies)
GETTER(flush_cpu_range)
GETTER(flush_cpu_full)
GETTER(flush_ept_range)
GETTER(flush_ept_full)
GETTER(ipis)
GETTER(page_faults)
GETTER(fault_missing)
GETTER(fault_wp)
GETTER(fault_uffd_wp)
GETTER(fault_spurious)
GETTER(kvm_pf_taken)
GETTER(kvm_pf_fast)
GETTER(kvm_pf_fixed)
GETTER(notifier_calls)
GETTER(spte_zaps)
GETTER(kvm_tlb_flushes)
GETTER(kvm_dirty_marked)
GETTER(kvm_dirty_wrprot)
GETTER(kvm_ring_full_exits)
GETTER(lost_writes)
GETTER(resident_pages)
GETTER(peak_rss_bytes)
#undef GETTER
static u64 get_accessed(const struct sim_metrics *m) { return m->events[PGACCESSED]; }
static u64 get_dirtied(const struct sim_metrics *m) { return m->events[NR_DIRTIED]; }
static u64 get_written(const struct sim_metrics *m) { return m->events[NR_WRITTEN]; }
static u64 get_lazyfreed(const struct sim_metrics *m) { return m->events[PGLAZYFREED]; }
static u64 get_helper_ptes(const struct sim_metrics *m) { return m->events[DIRTY_HELPER_PTES]; }
static u64 get_rep_wb(const struct sim_metrics *m) { return m->reported[CONS_WRITEBACK]; }
static u64 get_rep_cr(const struct sim_metrics *m) { return m->reported[CONS_CLEAN_RECORD]; }
static u64 get_rep_lf(const struct sim_metrics *m) { return m->reported[CONS_LAZYFREE]; }
static u64 get_rep_ps(const struct sim_metrics *m) { return m->reported[CONS_PAGEMAP_SCAN]; }
static u64 get_rep_dl(const struct sim_metrics *m) { return m->reported[CONS_DIRTY_LOG]; }

static const struct sim_row sim_rows[] = {
	{ "accesses", get_accesses },
	{ "  of which writes", get_writes },
	{ "TLB hits", get_tlb_hits },
	{ "  of which in the STLB", get_tlb_l2_hits },
	{ "page walks", get_walks },
	{ "D-bit assists (re-walks)", get_dirty_assists },
	{ "A set by a filling walk", get_accessed_sets },
	{ "D set by a filling walk", get_dirty_sets },
	{ "TLB flushes, CPU, range", get_flush_cpu_range },
	{ "TLB flushes, CPU, full", get_flush_cpu_full },
	{ "TLB flushes, EPT, range", get_flush_ept_range },
	{ "TLB flushes, EPT, full", get_flush_ept_full },
	{ "shootdown IPIs", get_ipis },
	{ "page faults", get_page_faults },
	{ "  not present", get_fault_missing },
	{ "  write-protect", get_fault_wp },
	{ "    of which uffd-wp", get_fault_uffd_wp },
	{ "  spurious", get_fault_spurious },
	{ "  KVM (EPT violations)", get_kvm_pf_taken },
	{ "    fast page fault", get_kvm_pf_fast },
	{ "    SPTEs installed", get_kvm_pf_fixed },
	{ "driver page_mkwrite calls", get_mkwrite_calls },
	{ "PTEs walked by dirty helpers", get_helper_ptes },
	{ "pages filled by UFFDIO_COPY", get_uffd_copies },
	{ "mmu_notifier calls", get_notifier_calls },
	{ "SPTEs zapped", get_spte_zaps },
	{ "KVM remote TLB flushes", get_kvm_tlb_flushes },
	{ "KVM dirty log: gfns logged", get_kvm_dirty_marked },
	{ "KVM dirty log: SPTEs wrprot", get_kvm_dirty_wrprot },
	{ "KVM dirty ring full exits", get_kvm_ring_full_exits },
	{ "folios marked accessed", get_accessed },
	{ "folios dirtied", get_dirtied },
	{ "folios written back", get_written },
	{ "lazyfree folios discarded", get_lazyfreed },
	{ "pages reported: writeback", get_rep_wb },
	{ "pages reported: clean_record", get_rep_cr },
	{ "pages reported: lazyfree kept", get_rep_lf },
	{ "pages reported: pagemap_scan", get_rep_ps },
	{ "pages reported: dirty_log", get_rep_dl },
	{ "resident pages", get_resident_pages },
	{ "LOST WRITES", get_lost_writes },
	{ "peak RSS (bytes)", get_peak_rss_bytes },
};

static void sim_describe(FILE *f, const struct sim_opts *o)
{
	const struct wl_params *p = &o->wl;

	fprintf(f, "workload: %s", wl_names[p->kind]);
	if (p->kind == WL_TRACE)
		fprintf(f, " of %llu records", (unsigned long long)p->trace_len);
	if (p->kind == WL_ZIPF)
		fprintf(f, " s=%g", p->zipf_s);
	if (p->kind == WL_HOTCOLD)
		fprintf(f, " hot=%g share=%g phase=%llu", p->hot_fraction, p->hot_share,
			(unsigned long long)p->phase);
	fprintf(f, ", %llu pages of %s memory, ", (unsigned long long)p->pages,
		sim_memory_names[o->memory]);
	if (o->populate != SIM_POP_FAULT)
		fprintf(f, "populated by %s, ", sim_populate_names[o->populate]);
	if (sim_in_guest(o))
		fprintf(f, "%u vCPU%s, ", o->vcpus, o->vcpus == 1 ? "" : "s");
	else
		fprintf(f, "%u CPU%s, ", o->cpus, o->cpus == 1 ? "" : "s");
	fprintf(f, "%llu accesses, %g%% writes, seed %llu\n", (unsigned long long)o->accesses,
		100 * p->write_ratio, (unsigned long long)p->seed);
	fprintf(f, "TLB: L1 %u x %u-way", o->l1.sets * o->l1.ways, o->l1.ways);
	if (o->l2.sets)
		fprintf(f, ", L2 %u x %u-way", o->l2.sets * o->l2.ways, o->l2.ways);
	fprintf(f, ", %s\nactivity:", o->l1.repl == TLB_REPL_LRU ? "lru" :
				      o->l1.repl == TLB_REPL_FIFO ? "fifo" : "random");
	for (int a = 0, any = 0; a < ACT_NR; a++)
		if (o->every[a])
			fprintf(f, "%s %s every %llu%s%s", any++ ? "," : "", sim_activity_names[a],
				(unsigned long long)o->every[a], a == ACT_DIRTY_LOG ? " mode " : "",
				a == ACT_DIRTY_LOG ? sim_dirty_log_mode_names[o->dirty_log_mode] : "");
	fputc('\n', f);
}

static void fmt_ratio(char *b, size_t n, double v)
{
	if (v < 0)
		snprintf(b, n, "-");
	else
		snprintf(b, n, "%.4f", v);
}

/* The lowest precision (or recall) of any one aging pass; -1 if none is defined. */
static double sim_worst_pass(const struct sim_metrics *m, bool recall)
{
	double worst = -1;

	for (u64 i = 0; i < m->aging_passes; i++) {
		const struct sim_aging_pass *p = &m->aging[i];
		double v = sim_aging_ratio(p->tp, recall ? p->fn : p->fp);

		if (v >= 0 && (worst < 0 || v < worst))
			worst = v;
	}
	return worst;
}

static void sim_print_table(FILE *f, const struct sim_cli *c, const struct sim_metrics *m,
			    int nr, const char *const *names)
{
	char b[1024];

	sim_describe(f, &c->o);
	variant_format(&c->o.cfg, b, sizeof(b));
	fprintf(f, "variants: %s\n\n%-32s", b, "");
	for (int i = 0; i < nr; i++)
		fprintf(f, " %16s", names[i]);
	if (nr == 2)
		fprintf(f, " %10s", "ratio");
	fputc('\n', f);
	for (size_t r = 0; r < sizeof(sim_rows) / sizeof(sim_rows[0]); r++) {
		u64 v0 = sim_rows[r].get(&m[0]);

		fprintf(f, "%-32s", sim_rows[r].label);
		for (int i = 0; i < nr; i++)
			fprintf(f, " %16llu", (unsigned long long)sim_rows[r].get(&m[i]));
		if (nr == 2) {
			u64 v1 = sim_rows[r].get(&m[1]);

			if (v0)
				fprintf(f, " %10.3f", (double)v1 / (double)v0);
			else
				fprintf(f, " %10s", v1 ? "inf" : "-");
		}
		fputc('\n', f);
	}
	fprintf(f, "%-32s", "aging precision");
	for (int i = 0; i < nr; i++) {
		fmt_ratio(b, sizeof(b), m[i].precision);
		fprintf(f, " %16s", b);
	}
	fprintf(f, "\n%-32s", "aging recall");
	for (int i = 0; i < nr; i++) {
		fmt_ratio(b, sizeof(b), m[i].recall);
		fprintf(f, " %16s", b);
	}
	fprintf(f, "\n%-32s", "aging precision, worst pass");
	for (int i = 0; i < nr; i++) {
		fmt_ratio(b, sizeof(b), sim_worst_pass(&m[i], false));
		fprintf(f, " %16s", b);
	}
	fprintf(f, "\n%-32s", "aging recall, worst pass");
	for (int i = 0; i < nr; i++) {
		fmt_ratio(b, sizeof(b), sim_worst_pass(&m[i], true));
		fprintf(f, " %16s", b);
	}
	fprintf(f, "\n%-32s", "seconds");
	for (int i = 0; i < nr; i++)
		fprintf(f, " %16.3f", m[i].seconds);
	fprintf(f, "\n%-32s", "accesses per second");
	for (int i = 0; i < nr; i++)
		fprintf(f, " %16.0f", m[i].seconds > 0 ? (double)m[i].accesses / m[i].seconds : 0);
	fputc('\n', f);
	for (int i = 0; i < nr; i++)
		for (u64 l = 0; l < m[i].lost_writes && l < SIM_MAX_LOST; l++)
			fprintf(f, "%s%slost write: page %llu, written at access %llu, never reported by %s\n",
				nr > 1 ? names[i] : "", nr > 1 ? ": " : "",
				(unsigned long long)m[i].lost[l].page,
				(unsigned long long)m[i].lost[l].time,
				obs_consumer_names[m[i].lost[l].consumer]);
}

static void json_ratio(FILE *f, double v)
{
	if (v < 0)
		fprintf(f, "null");
	else
		fprintf(f, "%.6f", v);
}

/* "precision", "recall" and the counts they come from. */
static void json_aging_counts(FILE *f, u64 tp, u64 fp, u64 fn)
{
	fprintf(f, "\"precision\": ");
	json_ratio(f, sim_aging_ratio(tp, fp));
	fprintf(f, ", \"recall\": ");
	json_ratio(f, sim_aging_ratio(tp, fn));
	fprintf(f, ", \"true_positives\": %llu, \"false_positives\": %llu, "
		"\"false_negatives\": %llu", (unsigned long long)tp, (unsigned long long)fp,
		(unsigned long long)fn);
}

/* "aging": the passes' precision and recall, in all and per pass. */
static void sim_print_json_aging(FILE *f, const struct sim_metrics *m)
{
	fprintf(f, "\"aging\": {\"passes\": %llu, ", (unsigned long long)m->aging_passes);
	json_aging_counts(f, m->aging_tp, m->aging_fp, m->aging_fn);
	fprintf(f, ", \"per_pass\": [");
	for (u64 i = 0; i < m->aging_passes; i++) {
		const struct sim_aging_pass *ap = &m->aging[i];

		fprintf(f, "%s{\"at\": %llu, ", i ? ", " : "", (unsigned long long)ap->at);
		json_aging_counts(f, ap->tp, ap->fp, ap->fn);
		fprintf(f, "}");
	}
	fprintf(f, "]}");
}

/* "lost_writes", "lost", the model's size and "samples". */
static void sim_print_json_lost_samples(FILE *f, const struct sim_metrics *m)
{
	fprintf(f, "\"lost_writes\": %llu, \"lost\": [", (unsigned long long)m->lost_writes);
	for (u64 l = 0; l < m->lost_writes && l < SIM_MAX_LOST; l++)
		fprintf(f, "%s{\"page\": %llu, \"time\": %llu, \"consumer\": \"%s\"}", l ? ", " : "",
			(unsigned long long)m->lost[l].page, (unsigned long long)m->lost[l].time,
			obs_consumer_names[m->lost[l].consumer]);
	fprintf(f, "], \"resident_pages\": %llu, \"model_bytes\": %llu, \"peak_rss_bytes\": %llu, "
		"\"samples\": [",
		(unsigned long long)m->resident_pages, (unsigned long long)m->model_bytes,
		(unsigned long long)m->peak_rss_bytes);
	for (u64 i = 0; i < m->nr_samples; i++) {
		const struct sim_sample *s = &m->samples[i];

		fprintf(f, "%s{\"accesses\": %llu, \"tlb_flushes\": %llu, \"ipis\": %llu, "
			"\"page_faults\": %llu, \"notifier_calls\": %llu, \"spte_zaps\": %llu, "
			"\"dirty_helper_ptes\": %llu}",
			i ? ", " : "", (unsigned long long)s->accesses,
			(unsigned long long)s->tlb_flushes, (unsigned long long)s->ipis,
			(unsigned long long)s->page_faults, (unsigned long long)s->notifier_calls,
			(unsigned long long)s->spte_zaps, (unsigned long long)s->dirty_helper_ptes);
	}
	fprintf(f, "]");
}

static void sim_print_json(FILE *f, const struct sim_cli *c, const struct sim_opts *o,
			   const struct sim_metrics *m)
{
	const struct wl_params *p = &o->wl;
	char vb[1024];

	variant_format(&o->cfg, vb, sizeof(vb));
	fprintf(f, "{\"workload\": \"%s\", \"memory\": \"%s\", \"pages\": %llu, \"cpus\": %u, "
		"\"vcpus\": %u, \"write_ratio\": %g, \"seed\": %llu, \"variants\": \"%s\", ",
		wl_names[p->kind], sim_memory_names[o->memory], (unsigned long long)p->pages,
		sim_in_guest(o) ? 0 : o->cpus, sim_in_guest(o) ? o->vcpus : 0, p->write_ratio,
		(unsigned long long)p->seed, vb);
	if (c->trace_path) {
		fprintf(f, "\"trace\": ");
		json_str(f, c->trace_path);
		fprintf(f, ", ");
	}
	fprintf(f, "\"accesses\": %llu, \"writes\": %llu, \"seconds\": %.6f, "
		"\"accesses_per_second\": %.0f, ",
		(unsigned long long)m->accesses, (unsigned long long)m->writes, m->seconds,
		m->seconds > 0 ? (double)m->accesses / m->seconds : 0);
	fprintf(f, "\"tlb_hits\": %llu, \"tlb_l2_hits\": %llu, \"walks\": %llu, "
		"\"dirty_assists\": %llu, \"accessed_sets\": %llu, \"dirty_sets\": %llu, "
		"\"mkwrite_calls\": %llu, \"dirty_helper_ptes\": %llu, \"uffd_copies\": %llu, ",
		(unsigned long long)m->tlb_hits, (unsigned long long)m->tlb_l2_hits,
		(unsigned long long)m->walks, (unsigned long long)m->dirty_assists,
		(unsigned long long)m->accessed_sets, (unsigned long long)m->dirty_sets,
		(unsigned long long)m->mkwrite_calls,
		(unsigned long long)m->events[DIRTY_HELPER_PTES], (unsigned long long)m->uffd_copies);
	fprintf(f, "\"tlb_flushes\": %llu, \"tlb_flushes_by_kind\": {\"cpu_range\": %llu, "
		"\"cpu_full\": %llu, \"ept_range\": %llu, \"ept_full\": %llu}, \"ipis\": %llu, ",
		(unsigned long long)m->tlb_flushes, (unsigned long long)m->flush_cpu_range,
		(unsigned long long)m->flush_cpu_full, (unsigned long long)m->flush_ept_range,
		(unsigned long long)m->flush_ept_full, (unsigned long long)m->ipis);
	fprintf(f, "\"page_faults\": %llu, \"page_faults_by_kind\": {\"not_present\": %llu, "
		"\"write_protect\": %llu, \"uffd_wp\": %llu, \"spurious\": %llu, "
		"\"kvm\": %llu, \"kvm_fast\": %llu, \"kvm_fixed\": %llu}, ",
		(unsigned long long)m->page_faults, (unsigned long long)m->fault_missing,
		(unsigned long long)m->fault_wp, (unsigned long long)m->fault_uffd_wp,
		(unsigned long long)m->fault_spurious, (unsigned long long)m->kvm_pf_taken,
		(unsigned long long)m->kvm_pf_fast, (unsigned long long)m->kvm_pf_fixed);
	fprintf(f, "\"notifier_calls\": %llu, \"notifier_calls_by_callback\": {",
		(unsigned long long)m->notifier_calls);
	for (int e = MN_INVALIDATE_RANGE_START; e <= MN_RELEASE; e++)
		fprintf(f, "%s\"%s\": %llu", e > MN_INVALIDATE_RANGE_START ? ", " : "",
			mm_event_names[e], (unsigned long long)m->events[e]);
	fprintf(f, "}, \"spte_zaps\": %llu, \"kvm_tlb_flushes\": %llu, ",
		(unsigned long long)m->spte_zaps, (unsigned long long)m->kvm_tlb_flushes);
	fprintf(f, "\"dirty_log\": {\"mode\": \"%s\", \"gfns_logged\": %llu, "
		"\"sptes_write_protected\": %llu, \"ring_full_exits\": %llu}, \"mm_events\": {",
		o->every[ACT_DIRTY_LOG] ? sim_dirty_log_mode_names[o->dirty_log_mode] : "off",
		(unsigned long long)m->kvm_dirty_marked, (unsigned long long)m->kvm_dirty_wrprot,
		(unsigned long long)m->kvm_ring_full_exits);
	for (int e = 0; e < NR_MM_EVENTS; e++)
		fprintf(f, "%s\"%s\": %llu", e ? ", " : "", mm_event_names[e],
			(unsigned long long)m->events[e]);
	fprintf(f, "}, \"folio_marks\": {\"accessed\": %llu, \"dirtied\": %llu}, "
		"\"written_back\": %llu, \"reported\": {",
		(unsigned long long)m->events[PGACCESSED], (unsigned long long)m->events[NR_DIRTIED],
		(unsigned long long)m->events[NR_WRITTEN]);
	for (int k = 0; k < CONS_NR; k++)
		fprintf(f, "%s\"%s\": %llu", k ? ", " : "", obs_consumer_names[k],
			(unsigned long long)m->reported[k]);
	fprintf(f, "}, \"activity_runs\": {");
	for (int a = 0; a < ACT_NR; a++)
		fprintf(f, "%s\"%s\": %llu", a ? ", " : "", sim_activity_names[a],
			(unsigned long long)m->activity_runs[a]);
	fprintf(f, "}, ");
	sim_print_json_aging(f, m);
	fprintf(f, ", ");
	sim_print_json_lost_samples(f, m);
	fprintf(f, "}");
}

/* The plot's title is the workload line of the table; a run is named by
 * its --compare value, or by the variants --set chose. */
static int sim_svg(const struct sim_cli *c, const struct sim_opts *runs,
		   const struct sim_metrics *m, int nr, const char *const *names,
		   char *err, size_t n)
{
	char *title = NULL, sets[512] = "", label[2][600];
	const char *shown[2];
	size_t len = 0, tl;
	FILE *f = open_memstream(&title, &tl);
	int ret;

	if (!f)
		return snprintf(err, n, "--svg: out of memory"), -1;
	sim_describe(f, &runs[0]);
	fclose(f);
	title[strcspn(title, "\n")] = 0;
	for (int i = 0; i < c->nr_sets; i++)
		len += (size_t)snprintf(sets + len, len < sizeof(sets) ? sizeof(sets) - len : 0,
					"%s%s", i ? " " : "", c->sets[i]);
	for (int i = 0; i < nr; i++) {
		if (nr == 2)
			snprintf(label[i], sizeof(label[i]), "%.*s=%s",
				 (int)strcspn(c->compare, "="), c->compare, names[i]);
		else
			snprintf(label[i], sizeof(label[i]), "%s", *sets ? sets : "v6.18 defaults");
		shown[i] = label[i];
	}
	ret = sim_write_svg(c->svg_path, title, c->plot_mask, nr, shown, m, err, n);
	free(title);
	return ret;
}

int sim_main(int argc, char **argv)
{
	struct sim_cli c = { 0 };
	struct sim_metrics m[2];
	struct sim_opts runs[2];
	const char *names[2] = { "value", "" };
	char err[256], nb[2][64];
	int nr = 1, lost = 0, rc = 2;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			sim_usage(stdout);
			return 0;
		}
	if (sim_parse(&c, argc, argv, err, sizeof(err)) ||
	    (c.trace_path && sim_use_trace(&c, err, sizeof(err)))) {
		fprintf(stderr, "adsim sim: %s\n", err);
		goto out;
	}
	runs[0] = runs[1] = c.o;
	if (c.compare) {
		char name[64], set[2][160];
		const char *eq = strchr(c.compare, '='), *comma = strchr(eq, ',');

		snprintf(name, sizeof(name), "%.*s", (int)(eq - c.compare), c.compare);
		snprintf(nb[0], sizeof(nb[0]), "%.*s", (int)(comma - eq - 1), eq + 1);
		snprintf(nb[1], sizeof(nb[1]), "%s", comma + 1);
		for (int i = 0; i < 2; i++) {
			snprintf(set[i], sizeof(set[i]), "%s=%s", name, nb[i]);
			if (variant_set(&runs[i].cfg, set[i], err, sizeof(err))) {
				fprintf(stderr, "adsim sim: --compare: %s\n", err);
				goto out;
			}
			names[i] = nb[i];
		}
		nr = 2;
	}
	for (int i = 0; i < nr; i++) {
		if (sim_run(&runs[i], &m[i], err, sizeof(err))) {
			fprintf(stderr, "adsim sim: %s\n", err);
			for (int j = 0; j < i; j++)
				sim_metrics_free(&m[j]);
			goto out;
		}
		lost |= m[i].lost_writes != 0;
	}
	if (c.svg_path && sim_svg(&c, runs, m, nr, names, err, sizeof(err))) {
		fprintf(stderr, "adsim sim: %s\n", err);
		for (int i = 0; i < nr; i++)
			sim_metrics_free(&m[i]);
		goto out;
	}
	if (c.json) {
		if (nr == 2) {
			printf("{\"compare\": \"%s\", \"runs\": [", c.compare);
			sim_print_json(stdout, &c, &runs[0], &m[0]);
			printf(", ");
			sim_print_json(stdout, &c, &runs[1], &m[1]);
			printf("]}\n");
		} else {
			sim_print_json(stdout, &c, &runs[0], &m[0]);
			printf("\n");
		}
	} else {
		struct sim_cli shown = c;

		if (nr == 2)
			shown.o = runs[0];
		sim_print_table(stdout, &shown, m, nr, names);
		if (nr == 2) {
			printf("(variants shown are the first run's; the second sets %s)\n", c.compare);
		}
	}
	for (int i = 0; i < nr; i++)
		sim_metrics_free(&m[i]);
	rc = lost ? 1 : 0;
out:
	trace_free(&c.trace);
	return rc;
}
