#!/usr/bin/env bash
# bench/sim-memory.sh -- bytes of model state per resident 4 KiB page.
#
# `adsim sim --workload seq --write-ratio 1` touches every page once with a
# write, so every page becomes resident (a folio, its PTE, sim's ground
# truth, and for a file its page-cache slot).  Each memory kind is run at
# $SMALL and $LARGE pages; the table gives peak RSS / resident pages at
# each size and the marginal cost, (RSS(LARGE) - RSS(SMALL)) / (pages
# LARGE - pages SMALL), from which the process's fixed RSS (binary, libc,
# TLBs, buffers) cancels out.  Target (DESIGN.md): at most 32 B per page.
#
# Environment: SMALL (1M), LARGE (4M) pages.
set -euo pipefail
. "$(dirname "$0")/common.sh"

SMALL=${SMALL:-1M}
LARGE=${LARGE:-4M}

sfield() {
	printf '%s\n' "$1" | sed -n "s/.*\"$2\": *\([0-9.e+-]*\).*/\1/p" | head -1
}

build_adsim
machine_header "adsim sim: model state per resident page"
echo "- command: \`build/adsim sim --json --samples 0 --workload seq --write-ratio 1 --cpus 1 --aging 0 --writeback 0 --memory KIND --pages N --accesses N\`"
echo "- figures: peak_rss_bytes and resident_pages from that JSON (peak RSS is getrusage's ru_maxrss)"
echo
echo "| memory | pages | resident | peak RSS (MiB) | RSS / resident page | marginal B / page ($SMALL -> $LARGE) |"
echo "|---|---|---|---|---|---|"
for kind in file shmem anon; do
	declare -A rss=() res=()
	for n in "$SMALL" "$LARGE"; do
		j=$("$ADSIM" sim --json --samples 0 --workload seq --write-ratio 1 --cpus 1 \
			--aging 0 --writeback 0 --memory "$kind" --pages "$n" --accesses "$n")
		rss[$n]=$(sfield "$j" peak_rss_bytes)
		res[$n]=$(sfield "$j" resident_pages)
	done
	for n in "$SMALL" "$LARGE"; do
		marg=""
		[ "$n" = "$LARGE" ] && marg=$(awk -v a="${rss[$LARGE]}" -v b="${rss[$SMALL]}" \
			-v p="${res[$LARGE]}" -v q="${res[$SMALL]}" 'BEGIN { printf "%.1f", (a - b) / (p - q) }')
		printf '| %s | %s | %s | %.1f | %.1f | %s |\n' "$kind" "$n" "${res[$n]}" \
			"$(awk -v a="${rss[$n]}" 'BEGIN { print a / 1048576 }')" \
			"$(awk -v a="${rss[$n]}" -v p="${res[$n]}" 'BEGIN { print a / p }')" "$marg"
	done
	unset rss res
done
