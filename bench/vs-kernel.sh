#!/usr/bin/env bash
# bench/vs-kernel.sh -- adsim vs-kernel's rate: random operation sequences
# compared between the model and the running kernel, per mapping, on one
# core, with the number of disagreements (which must be 0).
#
#   bench/vs-kernel.sh > vs-kernel.md
#
# Environment: SEQUENCES (100000 per mapping), SEED (1), OPS (24),
#              PAGES (1536): adsim vs-kernel's --sequences, --seed,
#              --ops and --pages; EXTRA: more vs-kernel options (e.g.
#              "--set mut_read_fault=protects", which must then fail).
#              Needs userfaultfd (root, or
#              vm.unprivileged_userfaultfd=1); exits 77 where vs-kernel
#              cannot run, 1 on a disagreement.
set -euo pipefail
. "$(dirname "$0")/common.sh"

SEQUENCES=${SEQUENCES:-100000}
SEED=${SEED:-1}
OPS=${OPS:-24}
PAGES=${PAGES:-1536}
read -r -a EXTRA_ARGS <<<"${EXTRA:-}"

PIN=()
if command -v taskset >/dev/null 2>&1 && taskset -c 0 true 2>/dev/null; then
	PIN=(taskset -c 0)
fi

build_adsim
machine_header "adsim vs-kernel: random sequences, the model against the running kernel"
echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ ${#PIN[@]} -gt 0 ]; then
	echo "- pinned: taskset -c 0"
else
	echo "- pinned: no (taskset not available)"
fi
echo "- command: \`${PIN[*]+${PIN[*]} }build/adsim vs-kernel --seed $SEED --sequences $SEQUENCES --ops $OPS --pages $PAGES --mapping MAPPING --json${EXTRA:+ $EXTRA}\`"
echo "- each sequence: $OPS random operations and a final scan of the whole mapping, every result compared; a fresh mapping per sequence on both sides"
echo
echo "| mapping | sequences | operations compared | disagreements | seconds | sequences/s | operations/s |"
echo "|---|---|---|---|---|---|---|"

status=0
details=""
for mapping in anon memfd; do
	rc=0
	out=$("${PIN[@]+"${PIN[@]}"}" "$ADSIM" vs-kernel --seed "$SEED" --sequences "$SEQUENCES" \
		--ops "$OPS" --pages "$PAGES" --mapping "$mapping" --json \
		"${EXTRA_ARGS[@]+"${EXTRA_ARGS[@]}"}" 2>"$BENCH_TMP/err") || rc=$?
	json=$(printf '%s\n' "$out" | grep '^{"seed"' | tail -1 || true)
	case $rc in
	0|1)
		done=$(jfield "$json" sequences)
		secs=$(jfield "$json" seconds)
		ops=$(( ${done:-0} * (OPS + 1) ))
		echo "| $mapping | ${done:-?} | $ops | $rc | ${secs:-?} | $(rate "${done:-0}" "${secs:-0}") | $(rate "$ops" "${secs:-0}") |"
		if [ "$rc" -eq 1 ]; then
			status=1
			details+=$'\n'"### $mapping: the disagreement"$'\n\n'"$(sed 's/^/    /' "$BENCH_TMP/err")"$'\n'"$(printf '%s\n' "$out" | grep -v '^{"seed"' | sed 's/^/    /')"$'\n'
		fi
		;;
	77)
		echo "| $mapping | - | - | - | - | cannot run: $(tr '\n' ' ' <"$BENCH_TMP/err") | - |"
		[ $status -ne 0 ] || status=77
		;;
	*)
		echo "| $mapping | - | - | - | - | $(signame "$rc"): $(tr '\n' ' ' <"$BENCH_TMP/err" | cut -c1-200) | - |"
		status=2
		;;
	esac
done
if [ -n "$details" ]; then
	printf '%s\n' "$details"
fi
exit $status
