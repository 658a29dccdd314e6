#!/usr/bin/env bash
# bench/aging.sh -- one KVM aging pass over a 64 GiB guest (16M 4K SPTEs)
# against the time to stream those SPTEs' bytes from memory.
#
# Links bench/aging.c against the model's objects.  It maps every page of
# a PAGES-page memslot (default 16M) through guest writes (host folio,
# host PTE, EPT leaf), then per round: the guest reads every page again
# (each walk sets A), the caches are flushed (a 64 MiB read), one
# mmu_notifier_clear_young() over the whole range is timed (every SPTE
# young: each one's A is cleared), then a second pass (every SPTE old),
# then a loop that sums PAGES u64s (8 bytes per SPTE) from a buffer out of
# the caches.  The table gives the medians of ROUNDS rounds and each time
# over the stream's, and the same for the fastest round of each (on a
# shared machine other jobs only add time).  Target (DESIGN.md): a pass within 3x of the stream.
# About 1.1 GB resident and 15 s at 16M pages.
#
# Environment: PAGES (16777216), ROUNDS (5), CPU (0: the CPU to pin to; on
# a shared machine pick the idler one); HOT=1 skips the flushes
# (with PAGES=131072, 1 MiB of SPTEs, a pass then runs from the caches and
# times the model's instructions alone).
set -euo pipefail
. "$(dirname "$0")/common.sh"

PAGES=${PAGES:-16777216}
ROUNDS=${ROUNDS:-5}
HOT=${HOT:-0}
CPU=${CPU:-0}
hot_arg=""
[ "$HOT" = 1 ] && hot_arg=hot

make -s all unit >"$BENCH_TMP/make.log" 2>&1 || { cat "$BENCH_TMP/make.log" >&2; exit 2; }
objs=$(model_objs)
${CC:-cc} -O2 -std=c11 -D_GNU_SOURCE -o "$BENCH_TMP/aging" bench/aging.c $objs -lm
ADSIM_SHA=$(sha256sum "$BENCH_TMP/aging" | cut -c1-12)
machine_header "adsim kvm: one aging pass over a large guest vs streaming its SPTEs"
echo "- command: \`taskset -c $CPU aging $PAGES $ROUNDS $hot_arg\` (bench/aging.c; direct mode, default variants: age=lockless age_clear=clear_bit)"
echo
echo "| what | seconds (median) | rate | x stream | seconds (fastest round) | x stream (fastest) |"
echo "|---|---|---|---|---|---|"
if command -v taskset >/dev/null; then taskset -c "$CPU" "$BENCH_TMP/aging" "$PAGES" "$ROUNDS" $hot_arg; else "$BENCH_TMP/aging" "$PAGES" "$ROUNDS" $hot_arg; fi
