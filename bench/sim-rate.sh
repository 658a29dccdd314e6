#!/usr/bin/env bash
# bench/sim-rate.sh -- `adsim sim`'s simulated accesses per second on one
# core, with workloads that force TLB hits and workloads that force walks.
#
#   hit:  uniform over 32 pages (the 64-entry L1 dTLB holds them all)
#   walk: uniform over 65,536 mapped pages with no STLB (--tlb-l2 0): the
#         L1 dTLB covers 64 of them, so nearly every access walks
# each for a CPU of a process (--memory file) and for a vCPU of a guest
# (--workload vm --vcpus 1, walks of the EPT).  Kernel activities are off
# (--aging 0 --writeback 0), so the figure is the access path alone; the
# first touch of every page (a fault) is inside the timed run.  Each is
# run $REPEAT times pinned to CPU 0 and the median of adsim's own
# accesses_per_second is shown, with the share of accesses that hit the
# first-level TLB and that walked.
#
# Environment: REPEAT (3), HIT_ACCESSES (200M), WALK_ACCESSES (30M), CPU (0:
# the CPU to pin to; on a shared machine pick the idler one).
set -euo pipefail
. "$(dirname "$0")/common.sh"

REPEAT=${REPEAT:-3}
CPU=${CPU:-0}
HIT_ACCESSES=${HIT_ACCESSES:-200M}
WALK_ACCESSES=${WALK_ACCESSES:-30M}

PIN=()
if command -v taskset >/dev/null 2>&1 && taskset -c "$CPU" true 2>/dev/null; then
	PIN=(taskset -c "$CPU")
fi

# sfield JSON NAME: a top-level number of sim's JSON (run with --samples 0)
sfield() {
	printf '%s\n' "$1" | sed -n "s/.*\"$2\": *\([0-9.e+-]*\).*/\1/p" | head -1
}

build_adsim
machine_header "adsim sim: simulated accesses per second on one core"
echo "- pinned: ${PIN[*]:-no (taskset not available)}"
echo "- command: \`${PIN[*]:+${PIN[*]} }build/adsim sim --json --samples 0 --aging 0 --writeback 0 --cpus 1 --seed 1 --workload uniform|vm ... (below)\`"
echo "- $REPEAT runs each, median of adsim's accesses_per_second; targets (DESIGN.md): >= 100M/s hitting, >= 10M/s walking"
echo
echo "| case | options | accesses | L1 TLB hits | walks | page faults | accesses/s (median) | runs |"
echo "|---|---|---|---|---|---|---|---|"

run_case() {
	local name=$1 accesses=$2; shift 2
	local rates=() j=""
	for _ in $(seq "$REPEAT"); do
		j=$("${PIN[@]}" "$ADSIM" sim --json --samples 0 --aging 0 --writeback 0 --cpus 1 \
			--seed 1 --accesses "$accesses" "$@")
		rates+=("$(sfield "$j" accesses_per_second)")
	done
	local acc hits walks faults med
	acc=$(sfield "$j" accesses)
	hits=$(sfield "$j" tlb_hits)
	walks=$(sfield "$j" walks)
	faults=$(sfield "$j" page_faults)
	med=$(printf '%s\n' "${rates[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	printf '| %s | `%s` | %s | %s | %s | %s | %.1f M/s | %s |\n' "$name" "$*" "$acc" \
		"$(awk -v a="$hits" -v n="$acc" 'BEGIN { printf "%.4f", a / n }')" \
		"$(awk -v a="$walks" -v n="$acc" 'BEGIN { printf "%.4f", a / n }')" \
		"$faults" "$(awk -v r="$med" 'BEGIN { print r / 1e6 }')" \
		"$(printf '%s ' "${rates[@]}" | awk '{ for (i = 1; i <= NF; i++) printf "%s%.1f", (i > 1 ? ", " : ""), $i / 1e6 }')"
}

run_case "CPU, TLB hit" "$HIT_ACCESSES" --workload uniform --pages 32
run_case "CPU, walk" "$WALK_ACCESSES" --workload uniform --pages 65536 --tlb-l2 0
run_case "vCPU, TLB hit" "$HIT_ACCESSES" --workload vm --vcpus 1 --pages 32
run_case "vCPU, EPT walk" "$WALK_ACCESSES" --workload vm --vcpus 1 --pages 65536 --tlb-l2 0
