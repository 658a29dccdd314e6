#!/usr/bin/env bash
# bench/fuzz.sh -- long fuzzing runs of adsim's libFuzzer targets, one
# after another on one core, with what each found:
#
#   bench/fuzz.sh SECONDS [TARGET...]   (targets: scn trace replay cli; default all)
#
# Each target runs through tests/fuzz/run.sh (ASan+UBSan, the committed
# seed corpus, libFuzzer's -rss_limit_mb=2048); the table gives executions,
# rate, coverage (libFuzzer's cov and ft), the final corpus size, peak RSS
# and findings.  The full log of each is obj/fuzz/TARGET-fuzz.log.
source "$(dirname "$0")/common.sh"

secs=${1:?usage: bench/fuzz.sh SECONDS [TARGET...]}
shift
targets=${*:-scn trace replay cli}

machine_header "adsim fuzzing: ${secs} s per target"
echo "- command: bench/fuzz.sh $secs $targets"
echo
echo "| target | seconds | executions | exec/s | cov | ft | corpus | peak RSS | findings |"
echo "|---|---|---|---|---|---|---|---|---|"
for t in $targets; do
	out=$(bash tests/fuzz/run.sh "$secs" "$t" 2>&1) && found=none || found="$(echo "$out" | tail -1)"
	log=obj/fuzz/$t-fuzz.log
	last=$(grep -E '^#[0-9]+' "$log" | tail -1)
	runs=$(echo "$last" | sed -n 's/^#\([0-9]*\).*/\1/p')
	cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	corp=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p')
	rss=$(sed -n 's/^stat::peak_rss_mb: *\([0-9]*\).*/\1 MB/p' "$log" | tail -1)
	echo "| $t | $secs | ${runs:-?} | $(( ${runs:-0} / secs )) | ${cov:-?} | ${ft:-?} | ${corp:-?} | ${rss:-?} | $found |"
done
