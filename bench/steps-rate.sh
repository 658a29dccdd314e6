#!/usr/bin/env bash
# bench/steps-rate.sh -- the explorer's scheduling-step rate on one core.
#
# Workloads: every expect line of scenarios/seeds/*.adsim whose expected
# verdict is `none` (a full exploration, the largest runs), with
# --por dpor and --por none, plus fast-pf-lost-dirty fixed at vcpus=2
# pages=1 (dpor).  Each workload is bounded with --max-executions N, N
# found by starting at $START_EXECS and multiplying by 4 until one run
# takes at least $MIN_SECONDS; a workload that explores completely in
# less than that is too small to time and is listed apart.  The bounded
# run is then repeated $REPEAT times pinned to CPU 0 (taskset -c 0, when
# available) and the median of adsim's own steps/seconds is reported.
#
# Environment: MIN_SECONDS (0.5), START_EXECS (1000), REPEAT (3),
#              MAX_SECONDS (30: adsim --timeout for every run).
set -euo pipefail
. "$(dirname "$0")/common.sh"

MIN_SECONDS=${MIN_SECONDS:-0.5}
START_EXECS=${START_EXECS:-1000}
REPEAT=${REPEAT:-3}
MAX_SECONDS=${MAX_SECONDS:-30}
START=$(date +%s)

PIN=()
if command -v taskset >/dev/null 2>&1 && taskset -c 0 true 2>/dev/null; then
	PIN=(taskset -c 0)
fi

build_adsim
machine_header "adsim explorer: scheduling steps per second on one core"
if [ ${#PIN[@]} -gt 0 ]; then
	echo "- pinned: taskset -c 0"
else
	echo "- pinned: no (taskset not available)"
fi
echo "- command: \`taskset -c 0 build/adsim check --json FILE --set VAR=VAL... --por POR --max-executions N --timeout $MAX_SECONDS\`"
echo "- N: first of $START_EXECS x 4^k whose run takes >= $MIN_SECONDS s; then $REPEAT runs, median shown (adsim's own steps and seconds)"
echo

# run_one FILE POR N ARGS...: one pinned run; prints "steps seconds executions complete verdict".
run_one() {
	local file=$1 por=$2 n=$3 out rc=0
	shift 3
	out=$("${PIN[@]+"${PIN[@]}"}" "$ADSIM" check --json "$file" "$@" --por "$por" \
		--max-executions "$n" --timeout "$MAX_SECONDS" </dev/null 2>/dev/null) || rc=$?
	if [ -z "$out" ]; then
		echo "bench: no output from $file $* --por $por ($(signame "$rc"))" >&2
		echo "0 0 0 false error"
		return
	fi
	echo "$(jfield "$out" steps) $(jfield "$out" seconds) $(jfield "$out" executions) $(jfield "$out" complete) $(joracle "$out")"
}

results="$BENCH_TMP/results"
small="$BENCH_TMP/small"
: >"$results"
: >"$small"

# workload FILE POR SETTINGS...
workload() {
	local file=$1 por=$2 scen n steps secs execs complete verdict i rates med
	shift 2
	scen=$(basename "$file" .adsim)
	local args=()
	for s in "$@"; do args+=(--set "$s"); done
	n=$START_EXECS
	while :; do
		read -r steps secs execs complete verdict < <(run_one "$file" "$por" "$n" "${args[@]}")
		if [ "$verdict" = error ]; then return; fi
		if awk -v s="$secs" -v m="$MIN_SECONDS" 'BEGIN { exit !(s >= m) }'; then break; fi
		if [ "$complete" = true ] || [ "$verdict" != none ]; then
			echo "| $scen | $* | $por | $execs | $(printf '%.4f' "$secs") | $verdict, complete=$complete |" >>"$small"
			return
		fi
		n=$((n * 4))
	done
	rates=""
	local s_list="" e_list=""
	for ((i = 0; i < REPEAT; i++)); do
		read -r steps secs execs complete verdict < <(run_one "$file" "$por" "$n" "${args[@]}")
		rates="$rates $(rate "$steps" "$secs")"
		s_list="$s_list $secs"
		e_list="$e_list $(rate "$execs" "$secs")"
	done
	med() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
	echo "| $scen | $* | $por | $n | $execs | $steps | $(echo "$s_list" | med) | $(awk -v s="$steps" -v e="$execs" 'BEGIN { printf "%.0f", s / e }') | $(echo "$e_list" | med) | $(echo "$rates" | med) | $rates |" >>"$results"
}

for file in scenarios/seeds/*.adsim; do
	grep -E '^[[:space:]]*expect[[:space:]]' "$file" | sed 's/#.*//' | while IFS= read -r line; do
		expected=$(printf '%s\n' "$line" | sed 's/^[^:]*:[[:space:]]*//; s/[[:space:]]*$//')
		[ "$expected" = none ] || continue
		settings=$(printf '%s\n' "$line" | sed 's/^[[:space:]]*expect[[:space:]]*//; s/[[:space:]]*:.*//')
		# shellcheck disable=SC2086
		for por in dpor none; do workload "$file" "$por" $settings; done
	done
done
workload scenarios/seeds/fast-pf-lost-dirty.adsim dpor mmu_spte_update=fixed vcpus=2 pages=1

echo "| scenario | settings | por | max-executions N | executions | steps | seconds (median) | steps/execution | executions/s (median) | steps/s (median) | steps/s of each run |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
cat "$results"
echo
echo "Over these workloads: steps/s min $(cut -d'|' -f11 "$results" | sort -g | head -1 | tr -d ' '), median $(cut -d'|' -f11 "$results" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'), max $(cut -d'|' -f11 "$results" | sort -g | tail -1 | tr -d ' ')."
if [ -s "$small" ]; then
	echo
	echo "Too small to time (explored completely, or stopped at a violation, in under $MIN_SECONDS s):"
	echo
	echo "| scenario | settings | por | executions | seconds | result |"
	echo "|---|---|---|---|---|---|"
	cat "$small"
fi
echo
echo "Total wall time of this script: $(($(date +%s) - START)) s."
