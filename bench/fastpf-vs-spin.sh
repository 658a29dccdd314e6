#!/usr/bin/env bash
# bench/fastpf-vs-spin.sh -- adsim vs spin on the lost-Dirty-bit race of
# Documentation/virt/kvm/locking.rst (mmu_spte_update() vs fast_page_fault()).
#
# adsim: scenarios/seeds/fast-pf-lost-dirty.adsim scaled with
#   --set vcpus=V --set pages=P --set mmu_spte_update=racy|fixed
# spin:  ../shared/peers/kvm_spte_dirty.pml through ../shared/peers/run-spin.sh
#   buggy|fixed  yes|no (TLB)  NCPU=V+1 (the mmu_lock holder plus V vCPUs)  NPAGE=P
#
# Which Promela model is adsim's counterpart: adsim's vCPUs access memory
# through per-vCPU TLBs (eviction is an explorer choice, tlb_evict=1) and
# it checks for stale TLB entries, so the -DTLB model ("spin TLB") is the
# equivalent one.  Promela's TLB entries are only dropped by a flush or a
# failed locked RMW (no spontaneous eviction); the non-TLB model ("spin
# no-TLB") behaves as if every access walked the SPTE.  Both are run.
#
# Each run is wrapped in `/usr/bin/time -f '%e %M'` (elapsed s, max RSS KiB),
# `timeout $TIMEOUT` and `ulimit -v` ($MEM_GIB GiB).  A run killed by the
# timeout is "timeout"; adsim is given --timeout $TIMEOUT (and an outer
# timeout 15 s later as a backstop) so it stops cleanly and reports how
# many executions it did.  spin's "incomplete"
# (pan ran out of memory or hit -DMEMLIM=8000) is "out of memory".  The
# spin time includes generating and compiling pan (about 1.5 s); its pure
# search time is shown separately.  For a timeout of spin the peak RSS is
# what /usr/bin/time saw, which may miss pan when it is killed.
#
# spin: installed with `apt-get install -y spin` (as root) when `which spin`
# fails; this script does that itself.
#
# Environment:
#   TIMEOUT     per-run timeout in seconds           (default 120)
#   MEM_GIB     address-space cap per run, ulimit -v (default 8)
#   VCPUS       vCPU counts                          (default "2 3 4")
#   PAGES       page counts                          (default "1 2 4 8")
#   SKIP_DOMINATED  1 (default): once a tool/model/variant times out or runs
#               out of memory at (V,P), do not run it at any (V',P') with
#               V'>=V and P'>=P (marked "skipped"); 0 runs everything.
#               Skipping is safe for the fixed (verification) runs; for the
#               buggy ones a larger size may find a counterexample sooner.
#   SPIN_DIR    where kvm_spte_dirty.pml and run-spin.sh are (default ../shared/peers)
set -euo pipefail
. "$(dirname "$0")/common.sh"

TIMEOUT=${TIMEOUT:-120}
MEM_GIB=${MEM_GIB:-8}
VCPUS=${VCPUS:-2 3 4}
PAGES=${PAGES:-1 2 4 8}
SKIP_DOMINATED=${SKIP_DOMINATED:-1}
SPIN_DIR=${SPIN_DIR:-$ROOT/../shared/peers}
SPIN_DIR=$(cd "$SPIN_DIR" && pwd)
SCEN=scenarios/seeds/fast-pf-lost-dirty.adsim
MEM_KIB=$((MEM_GIB * 1024 * 1024))
START=$(date +%s)

if ! command -v spin >/dev/null 2>&1; then
	echo "bench: spin not found; installing it with apt-get install -y spin" >&2
	if [ "$(id -u)" != 0 ]; then
		echo "bench: not root: run 'apt-get install -y spin' as root first" >&2
		exit 2
	fi
	apt-get install -y spin >&2 || { apt-get update >&2 && apt-get install -y spin >&2; }
fi
for t in gcc bc /usr/bin/time timeout; do
	command -v "$t" >/dev/null 2>&1 || { echo "bench: $t is needed" >&2; exit 2; }
done

build_adsim
machine_header "adsim vs spin: fast-pf-lost-dirty (mmu_spte_update() vs fast_page_fault())"
echo "- spin: $(spin -V 2>&1 | head -1); gcc -O2; pan -m200000 -w26, -DMEMLIM=8000 (run-spin.sh)"
echo "- per run: timeout $TIMEOUT s, ulimit -v $MEM_GIB GiB, \`/usr/bin/time -f '%e %M'\`"
echo "- adsim: \`build/adsim check --json $SCEN --set vcpus=V --set pages=P --set mmu_spte_update=racy|fixed --timeout $TIMEOUT\`"
echo "- spin: \`run-spin.sh buggy|fixed yes|no V+1 P\` (yes = -DTLB, adsim's counterpart)"
echo "- time = wall seconds to the verdict (spin: including generating and compiling pan); RSS = peak resident set"
echo

# measure OUT LIMIT CMD...: run CMD under the memory cap and `timeout LIMIT`;
# sets RC, ELAPSED, RSS_MIB; CMD's stdout goes to OUT.
measure() {
	local out=$1 limit=$2 tf="$BENCH_TMP/time.txt"
	shift 2
	RC=0
	rm -f "$tf"
	(
		ulimit -v "$MEM_KIB"
		exec /usr/bin/time -f '%e %M' -o "$tf" timeout "$limit" "$@"
	) >"$out" 2>"$BENCH_TMP/err" </dev/null || RC=$?
	ELAPSED=$(tail -1 "$tf" 2>/dev/null | awk '{ print $1 }' || true)
	RSS_MIB=$(tail -1 "$tf" 2>/dev/null | awk '{ printf "%.0f", $2 / 1024 }' || true)
	ELAPSED=${ELAPSED:-?} RSS_MIB=${RSS_MIB:-?}
}

# Failed (timeout / out of memory) points per series, for SKIP_DOMINATED.
declare -A FAILED=()
dominated() { # SERIES V P -> prints the failed point that dominates, if any
	local s=$1 v=$2 p=$3 key fv fp
	[ "$SKIP_DOMINATED" = 1 ] || return 1
	for key in "${!FAILED[@]}"; do
		[ "${key%%@*}" = "$s" ] || continue
		fv=${key#*@}; fp=${fv#*,}; fv=${fv%,*}
		if [ "$v" -ge "$fv" ] && [ "$p" -ge "$fp" ]; then
			echo "${FAILED[$key]} at V=$fv P=$fp"
			return 0
		fi
	done
	return 1
}

run_adsim() { # VARIANT V P
	local variant=$1 v=$2 p=$3 series="adsim/$1" out="$BENCH_TMP/adsim.json" j verdict complete execs d
	if d=$(dominated "$series" "$v" "$p"); then
		echo "| $v | $p | $((v + 1)) | $variant | adsim | skipped ($d) | - | - | - | - |"
		return
	fi
	measure "$out" $((TIMEOUT + 15)) "$ADSIM" check --json "$SCEN" --set vcpus="$v" --set pages="$p" \
		--set mmu_spte_update="$variant" --timeout "$TIMEOUT"
	j=$(head -1 "$out")
	execs=-
	if [ -n "$j" ]; then
		verdict=$(joracle "$j")
		complete=$(jfield "$j" complete)
		execs=$(jfield "$j" executions)
		if [ "$verdict" != none ]; then
			verdict="counterexample ($verdict)"
		elif [ "$complete" = true ]; then
			verdict=verified
		else
			verdict=timeout
			execs="> $execs"
		fi
		case "$RC" in 0 | 1 | 3) ;; *) verdict="$verdict; $(signame "$RC") after output" ;; esac
	elif [ "$RC" = 124 ]; then
		verdict=timeout
	elif grep -qi 'memory\|alloc' "$BENCH_TMP/err"; then
		verdict="out of memory"
	else
		verdict="failed ($(signame "$RC"): $(head -c 80 "$BENCH_TMP/err" | tr '\n|' '  '))"
	fi
	case "$verdict" in timeout* | "out of memory"*) FAILED["$series@$v,$p"]=${verdict%%;*} ;; esac
	echo "| $v | $p | $((v + 1)) | $variant | adsim | $verdict | $execs executions | $ELAPSED | - | $RSS_MIB |"
}

run_spin() { # VARIANT(buggy|fixed) TLB(yes|no) V P
	local variant=$1 tlb=$2 v=$3 p=$4 label series out="$BENCH_TMP/spin.csv" line verdict states search d
	if [ "$tlb" = yes ]; then label="spin TLB"; else label="spin no-TLB"; fi
	series="$label/$variant"
	if d=$(dominated "$series" "$v" "$p"); then
		echo "| $v | $p | $((v + 1)) | $variant | $label | skipped ($d) | - | - | - | - |"
		return
	fi
	# run-spin.sh makes its work directory with mktemp; keep it in our
	# scratch so a killed run leaves nothing behind.
	mkdir -p "$BENCH_TMP/spin"
	TMPDIR="$BENCH_TMP/spin" measure "$out" "$TIMEOUT" "$SPIN_DIR/run-spin.sh" "$variant" "$tlb" "$((v + 1))" "$p"
	rm -rf "${BENCH_TMP:?}/spin"
	line=$(grep -E '^(buggy|fixed),' "$out" | tail -1 || true)
	states=- search=-
	if [ -n "$line" ]; then
		IFS=, read -r _ _ _ _ verdict states _ _ _ search _ <<<"$line"
		[ "$verdict" = incomplete ] && verdict="out of memory"
		[ -n "$states" ] || states=?
	elif [ "$RC" = 124 ]; then
		verdict=timeout
	else
		verdict="failed ($(signame "$RC"): $(head -c 80 "$BENCH_TMP/err" | tr '\n|' '  '))"
	fi
	case "$verdict" in timeout | "out of memory") FAILED["$series@$v,$p"]=$verdict ;; esac
	echo "| $v | $p | $((v + 1)) | $variant | $label | $verdict | $states states | $ELAPSED | $search | $RSS_MIB |"
}

echo "| vCPUs V | pages P | NCPU | variant | tool | verdict | executions / states stored | time s | spin search s | peak RSS MiB |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for variant in racy fixed; do
	if [ "$variant" = racy ]; then sv=buggy; else sv=fixed; fi
	for v in $VCPUS; do
		for p in $PAGES; do
			run_adsim "$variant" "$v" "$p"
			run_spin "$sv" yes "$v" "$p"
			run_spin "$sv" no "$v" "$p"
		done
	done
done
echo
echo "variant: adsim's mmu_spte_update=racy is spin's buggy, fixed is FIXED=1."
if [ "$SKIP_DOMINATED" = 1 ]; then
	echo "\"skipped\": not run because the same tool/model/variant already failed at a size no larger in V and P"
	echo "(safe for verification, a larger model has more states; for bug hunting a larger size can find a counterexample sooner: SKIP_DOMINATED=0 runs them)."
fi
echo
echo "Total wall time of this script: $(($(date +%s) - START)) s."
