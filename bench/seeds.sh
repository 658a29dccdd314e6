#!/usr/bin/env bash
# bench/seeds.sh -- every seed scenario, every expect line, under the three
# dfs reductions (DPOR with sleep sets, sleep sets alone, none).
#
# For each scenarios/seeds/*.adsim and each of its `expect` lines it runs
#   build/adsim check --json FILE --set VAR=VAL... --por dpor|sleep|none
# and prints a Markdown table on stdout: scenario, the expect line's variant
# settings, expected verdicts, reduction, verdict, complete, executions,
# steps, seconds, steps per second, whether the verdict matches the expect
# line, and notes (incomplete runs, abnormal exit).  A second table puts
# the executions of the three reductions side by side.
#
# Environment:
#   NONE_TIMEOUT  adsim --timeout for --por none         (default 60 s)
#   POR_TIMEOUT   adsim --timeout for --por dpor / sleep (default 300 s)
#   SEEDS         files to run (default scenarios/seeds/*.adsim)
# Each run also has an outer `timeout` of its --timeout + 30 s as a backstop.
set -euo pipefail
. "$(dirname "$0")/common.sh"

NONE_TIMEOUT=${NONE_TIMEOUT:-60}
POR_TIMEOUT=${POR_TIMEOUT:-300}
SEEDS=${SEEDS:-scenarios/seeds/*.adsim}
START=$(date +%s)

build_adsim
machine_header "adsim seed scenarios: executions with and without partial-order reduction"
echo "- command per row: \`build/adsim check --json FILE --set VAR=VAL... --por POR --timeout T\`" \
	"(T = $POR_TIMEOUT s for dpor/sleep, $NONE_TIMEOUT s for none)"
echo "- seconds and steps are adsim's own (JSON \`seconds\`, \`steps\`); steps/s = steps / seconds"
echo

summary="$BENCH_TMP/summary"
: >"$summary"

echo "| scenario | settings | expected | por | verdict | complete | executions | steps | seconds | steps/s | matches expect | note |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for file in $SEEDS; do
	scen=$(basename "$file" .adsim)
	grep -E '^[[:space:]]*expect[[:space:]]' "$file" | sed 's/#.*//' | while IFS= read -r line; do
		settings=$(printf '%s\n' "$line" | sed 's/^[[:space:]]*expect[[:space:]]*//; s/[[:space:]]*:.*//')
		expected=$(printf '%s\n' "$line" | sed 's/^[^:]*:[[:space:]]*//; s/[[:space:]]*$//; s/[[:space:]]*|[[:space:]]*/ or /g')
		args=()
		for s in $settings; do args+=(--set "$s"); done
		row_exec=""
		for por in dpor sleep none; do
			if [ "$por" = none ]; then t=$NONE_TIMEOUT; else t=$POR_TIMEOUT; fi
			rc=0
			out=$(timeout $((t + 30)) "$ADSIM" check --json "$file" ${args[@]+"${args[@]}"} \
				--por "$por" --timeout "$t" </dev/null 2>"$BENCH_TMP/err") || rc=$?
			note=""
			if [ -z "$out" ]; then
				if [ "$rc" = 124 ]; then note="killed by outer timeout"; else note="no output, $(signame "$rc"): $(head -c 120 "$BENCH_TMP/err" | tr '\n|' '  ')"; fi
				echo "| $scen | ${settings:--} | $expected | $por | - | - | - | - | - | - | no | $note |"
				row_exec="$row_exec | -"
				continue
			fi
			verdict=$(joracle "$out")
			complete=$(jfield "$out" complete)
			execs=$(jfield "$out" executions)
			steps=$(jfield "$out" steps)
			secs=$(jfield "$out" seconds)
			case "$rc" in
			0 | 1 | 3) ;;
			*) note="$(signame "$rc") after printing its result" ;;
			esac
			if [ "$verdict" = none ] && [ "$complete" != true ]; then
				note="${note:+$note; }incomplete (stopped at --timeout $t s)"
			fi
			# An expect line's "none" also requires a complete exploration.
			ok=no
			for e in ${expected// or / }; do
				if [ "$e" = "$verdict" ] && { [ "$e" != none ] || [ "$complete" = true ]; }; then ok=yes; fi
			done
			[ "$verdict" = none ] && [ "$complete" != true ] && ok="unknown"
			secs_fmt=$(awk -v s="$secs" 'BEGIN { printf "%.4f", s }')
			echo "| $scen | ${settings:--} | $expected | $por | $verdict | $complete | $execs | $steps | $secs_fmt | $(rate "$steps" "$secs") | $ok | ${note:--} |"
			if [ "$verdict" = none ] && [ "$complete" != true ]; then
				row_exec="$row_exec | > $execs (timeout)"
			else
				row_exec="$row_exec | $execs"
			fi
		done
		echo "| $scen | ${settings:--} | $expected$row_exec |" >>"$summary"
	done
done

echo
echo "## Executions per reduction"
echo
echo "Executions until the verdict (a violation stops the search at the first one found)."
echo
echo "| scenario | settings | expected | dpor | sleep | none |"
echo "|---|---|---|---|---|---|"
cat "$summary"
echo
echo "Total wall time of this script: $(($(date +%s) - START)) s."
