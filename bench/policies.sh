#!/usr/bin/env bash
# bench/policies.sh: each seed policy's measured effect, `adsim sim --compare`
# on two synthetic workloads and a real program's trace; the tables of
# docs/policies.md.  TRACE names the traces, separated by spaces, one row
# each (docs/policies.md says how those there were recorded); without it
# the trace rows are left out.
#   TRACE="sort.trace sort120k.trace" bench/policies.sh > policies.md
set -eu
source "$(dirname "$0")/common.sh"
build_adsim
machine_header "adsim sim: the seed policies compared"

SYN_Z="--workload zipf --pages 16384 --accesses 4M"
SYN_H="--workload hotcold --pages 16384 --accesses 4M"

# row LABEL "WORKLOAD ARGS" "ACTIVITY ARGS" NAME=A,B METRICS...
# METRICS are python expressions over a run r (the JSON of one side).
row() {
	local label=$1 wl=$2 act=$3 cmp=$4; shift 4
	local j
	j=$("$ADSIM" sim $wl $act --samples 0 --compare "$cmp" --json) || [ $? -eq 1 ]
	# the JSON on stdin: with every aging pass in it, it outgrows argv
	printf '%s' "$j" | python3 -c '
import json, sys
d = json.load(sys.stdin); a, b = d["runs"]
def fmt(v):
    return "%.3f" % v if isinstance(v, float) else "{:,}".format(v)
cells = []
for expr in sys.argv[2:]:
    va, vb = (eval(expr, {"r": r}) for r in (a, b))
    ratio = "" if not va else " (%.2fx)" % (vb / va)
    cells.append("%s / %s%s" % (fmt(va), fmt(vb), ratio))
print("| %s | %s |" % (sys.argv[1], " | ".join(cells)))
' "$label" "$@"
}

# table NAME=A,B "ACTIVITY ARGS" GUEST(0|1) "HEADERS|..." METRICS...
table() {
	local cmp=$1 act=$2 guest=$3 heads=$4; shift 4
	local g=""
	[ "$guest" = 1 ] && g="--in-guest"
	echo
	echo "### $cmp"
	echo
	echo "Command: \`adsim sim WORKLOAD${g:+ $g} $act --compare $cmp\`; each cell is A / B (B/A)."
	echo
	echo "| workload | ${heads//|/ | } |"
	echo "|---|$(echo "$heads" | tr -cd '|' | sed 's/|/---|/g')---|"
	row "zipf s=1, 16,384 pages, 4M accesses" "$SYN_Z $g" "$act" "$cmp" "$@"
	row "hotcold (10% hot, 90% share), 16,384 pages, 4M" "$SYN_H $g" "$act" "$cmp" "$@"
	if [ -z "${NO_TRACE:-}" ]; then
		for t in ${TRACE:-}; do
			row "trace: $(basename "$t")" "--trace $t $g" "$act" "$cmp" "$@"
		done
	fi
}

ACC='r["folio_marks"]["accessed"]'
DIRT='r["folio_marks"]["dirtied"]'
REC='r["aging"]["recall"]'
PREC='r["aging"]["precision"]'
FL='r["tlb_flushes"]'
IPI='r["ipis"]'
LOST='r["lost_writes"]'
WP='r["page_faults_by_kind"]["write_protect"]'

echo
echo "## seeds/000 and seeds/002: KVM marking folios accessed and dirty"
table kvm_folio_marking=spte_change,fault "--memory anon --aging 250K --madv-free 250K" 1 \
	"folios marked accessed|folios dirtied|aging recall" "$ACC" "$DIRT" "$REC"
table kvm_folio_marking=leaf_zap,fault "--memory anon --aging 250K --madv-free 250K" 1 \
	"folios marked accessed|folios dirtied|aging recall" "$ACC" "$DIRT" "$REC"
table madvise_free_notify=range,none "--memory anon --aging 0 --madv-free 250K" 1 \
	"lost writes|mmu_notifier calls|SPTEs zapped" "$LOST" 'r["notifier_calls"]' 'r["spte_zaps"]'
table mkclean_notify=range,none "--memory file --aging 0 --writeback 250K" 1 \
	"lost writes|folios written back|SPTEs zapped" "$LOST" 'r["written_back"]' 'r["spte_zaps"]'

echo
echo "## seeds/001: aging the secondary MMU"
table age=locked,lockless "--memory file --aging 100K --writeback 0" 1 \
	"young notifier calls|aging precision|aging recall" \
	'r["notifier_calls_by_callback"]["clear_flush_young"]' "$PREC" "$REC"
table age_clear=clear_bit,cmpxchg "--memory file --aging 100K --writeback 0" 1 \
	"aging precision|aging recall" "$PREC" "$REC"

echo
echo "## seeds/002: the fast page fault and mmu_spte_update"
table mmu_spte_update=fixed,racy "--memory anon --aging 0 --dirty-log 250K" 1 \
	"lost writes|fast page faults|gfns logged" "$LOST" 'r["page_faults_by_kind"]["kvm_fast"]' \
	'r["dirty_log"]["gfns_logged"]'

echo
echo "## seeds/003: a driver's dirty tracking"
table dirty_track=clean,wrprotect "--memory shmem --aging 0 --clean 250K" 0 \
	"write-protect faults|page_mkwrite calls|PTEs walked by dirty helpers|TLB flushes|IPIs|D set by walk or assist|lost writes" \
	"$WP" 'r["mkwrite_calls"]' 'r["dirty_helper_ptes"]' "$FL" "$IPI" 'r["dirty_sets"]+r["dirty_assists"]' "$LOST"
table clean_flush=after_unlock,none "--memory shmem --aging 0 --clean 250K" 0 \
	"TLB flushes|IPIs|lost writes" "$FL" "$IPI" "$LOST"
table clean_flush=after_unlock,under_ptl "--memory shmem --aging 0 --clean 250K" 0 \
	"TLB flushes|IPIs|lost writes" "$FL" "$IPI" "$LOST"

echo
echo "## seeds/004: clean writable PTEs and the UFFDIO_COPY hints"
table flush_clean_writable=always,skip "--memory shmem --aging 0 --mprotect 250K" 0 \
	"TLB flushes|IPIs|write-protect faults" "$FL" "$IPI" "$WP"
echo
echo "Read-only (a trace has its own writes, so no trace row):"
NO_TRACE=1 table flush_clean_writable=always,skip "--memory shmem --aging 0 --write-ratio 0 --mprotect 250K" 0 \
	"TLB flushes|IPIs|write-protect faults" "$FL" "$IPI" "$WP"
table uffd_copy_hint=none,access_likely "--memory anon --aging 250K --populate uffd-copy --madv-free 250K" 0 \
	"A set by a walk|D set by walk or assist|TLB flushes|lazyfree discarded|aging precision" \
	'r["accessed_sets"]' 'r["dirty_sets"]+r["dirty_assists"]' "$FL" 'r["mm_events"]["pglazyfreed"]' "$PREC"
table uffd_copy_hint=none,write_likely "--memory anon --aging 250K --populate uffd-copy --madv-free 250K" 0 \
	"A set by a walk|D set by walk or assist|TLB flushes|lazyfree discarded|aging precision" \
	'r["accessed_sets"]' 'r["dirty_sets"]+r["dirty_assists"]' "$FL" 'r["mm_events"]["pglazyfreed"]' "$PREC"
