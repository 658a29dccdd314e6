#!/usr/bin/env bash
# bench/pagemap-scan.sh -- PAGEMAP_SCAN with PM_SCAN_WP_MATCHING over a
# 1 GiB mapping, the model (vskernel/model.c) beside the running kernel
# (host/), on the same pattern of written pages.
#
#   bench/pagemap-scan.sh > pagemap-scan.md
#
# bench/pagemap_scan.c is linked against the model's objects and
# host/host.c.  Per mapping (anon, memfd): every page written once, the
# whole mapping write-protected, then ROUNDS times: the pattern written
# (evenly spread), one scan timed on each side; the median is reported.
# Both sides must report the same regions, exactly the pattern.
#
# Environment: PAGES (262144: 1 GiB), ROUNDS (7), PERCENTS ("1 10 100").
# Exit status: 0; 1 a side did not report the pattern; 2 set-up failure;
# 77 the kernel cannot run it (the reason is in the table).
set -euo pipefail
. "$(dirname "$0")/common.sh"

PAGES=${PAGES:-262144}
ROUNDS=${ROUNDS:-7}
PERCENTS=${PERCENTS:-"1 10 100"}
read -r -a PCTS <<<"$PERCENTS"

PIN=()
if command -v taskset >/dev/null 2>&1 && taskset -c 0 true 2>/dev/null; then
	PIN=(taskset -c 0)
fi

make -s all >"$BENCH_TMP/make.log" 2>&1 || { cat "$BENCH_TMP/make.log" >&2; exit 2; }
objs=$(model_objs)
# shellcheck disable=SC2086
${CC:-cc} -O2 -std=c11 -D_GNU_SOURCE -o "$BENCH_TMP/pagemap-scan" bench/pagemap_scan.c $objs -lm
ADSIM_SHA=$(sha256sum "$BENCH_TMP/pagemap-scan" | cut -c1-12)

machine_header "PAGEMAP_SCAN with WP_MATCHING: the model beside the running kernel"
echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ ${#PIN[@]} -gt 0 ]; then
	echo "- pinned: taskset -c 0"
else
	echo "- pinned: no (taskset not available)"
fi
echo "- command: \`${PIN[*]+${PIN[*]} }pagemap-scan MAPPING $PAGES $ROUNDS $PERCENTS\` (bench/pagemap_scan.c; the binary's sha256 is the one above)"
echo "- scan: PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC, category_mask = return_mask = PAGE_IS_WRITTEN, over all $PAGES pages, a vector of $PAGES regions"
echo "- set-up, both sides: a 2 MiB-aligned mapping registered with UFFD_FEATURE_WP_ASYNC (THP off on the kernel's), every page written, then all write-protected; each round writes the pattern (page k * $PAGES / n for k < n, n = the percentage of $PAGES) and times one scan; median of $ROUNDS rounds"
echo "- kernel ms: the ioctl (host_scan_vec(), which also turns addresses into page numbers); model ms: do_pagemap_scan()"
echo
echo "| mapping | written | pages reported | regions | kernel ms | model ms | model/kernel | both report the pattern |"
echo "|---|---|---|---|---|---|---|---|"
status=0
for mapping in anon memfd; do
	rc=0
	"${PIN[@]+"${PIN[@]}"}" "$BENCH_TMP/pagemap-scan" "$mapping" "$PAGES" "$ROUNDS" "${PCTS[@]}" \
		2>"$BENCH_TMP/err" || rc=$?
	case $rc in
	0) ;;
	1) status=1 ;;
	77) echo "| $mapping | cannot run: $(tr '\n' ' ' <"$BENCH_TMP/err") | | | | | | |"
	    [ $status -ne 0 ] || status=77 ;;
	*) echo "| $mapping | $(signame "$rc"): $(tr '\n' ' ' <"$BENCH_TMP/err" | cut -c1-200) | | | | | | |"
	   status=2 ;;
	esac
	if [ "$rc" -eq 1 ]; then
		echo
		sed 's/^/    /' "$BENCH_TMP/err"
		echo
	fi
done
exit $status
