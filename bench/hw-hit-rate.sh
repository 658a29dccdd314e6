#!/usr/bin/env bash
# The hardware layer's access rate outside the explorer (direct mode, one
# core): TLB-hit writes, and reads that walk after a full flush.
#   bench/hw-hit-rate.sh > hw-hit-rate.md
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

make -s all unit >"$BENCH_TMP/make.log" 2>&1 || { cat "$BENCH_TMP/make.log" >&2; exit 2; }
objs=$(model_objs)
${CC:-cc} -O2 -std=c11 -D_GNU_SOURCE -o "$BENCH_TMP/hw-hit-rate" bench/hw_hit_rate.c \
	obj/release/tests/unit/world.c.o $objs -lm
ADSIM_SHA=$(sha256sum "$BENCH_TMP/hw-hit-rate" | cut -c1-12)
machine_header "adsim hardware layer: accesses per second outside the explorer"
echo "- command: \`taskset -c 0 hw-hit-rate\` (bench/hw_hit_rate.c; the observer, which checks each access for the oracles, stays on)"
echo
echo "| access | count | seconds | rate |"
echo "|---|---|---|---|"
if command -v taskset >/dev/null; then taskset -c 0 "$BENCH_TMP/hw-hit-rate"; else "$BENCH_TMP/hw-hit-rate"; fi
