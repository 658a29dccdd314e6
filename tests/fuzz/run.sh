#!/usr/bin/env bash
# Fuzz one of adsim's parsers with libFuzzer for a bounded time:
#   bash tests/fuzz/run.sh [SECONDS] [TARGET]   (default 30 seconds, target scn)
#
# Targets, each in tests/fuzz/TARGET/ (harness.c, corpus/, TARGET.dict):
#   scn    the scenario language (scn/scn.c)
#   trace  the trace readers: lackey text and the binary format (sim/trace.c)
#   replay adsim replay's schedules on the shipped seed scenarios (check/explore.c)
#   cli    the command lines of check and sim (cli/main.c, sim/sim_main.c)
#
# Builds tests/fuzz/TARGET/harness.c with ASan+UBSan into obj/fuzz/, copies
# the committed seed corpus (tests/fuzz/TARGET/corpus/) into a temporary
# working corpus (the committed one is never modified), runs one libFuzzer
# process on one core, and exits 0 only if libFuzzer found nothing.  Crash,
# leak, timeout and OOM reproducers are left in obj/fuzz/TARGET-artifacts/;
# replay one with:  obj/fuzz/TARGET-fuzz FILE
#
# Needs clang and the libFuzzer runtime (Debian 12: clang libclang-rt-14-dev).
set -u
cd "$(dirname "$0")/../.." || exit 1

usage() {
	echo "usage: $0 [SECONDS] [TARGET]   (SECONDS >= 1, default 30; TARGET scn, trace, replay or cli, default scn)" >&2
	exit 2
}
secs=${1:-30}
case $secs in
'' | *[!0-9]*) secs=0 ;;
esac
if [ "$((10#$secs))" -lt 1 ]; then
	usage
fi
secs=$((10#$secs))

target=${2:-scn}
case $target in
scn)
	SRCS="tests/fuzz/scn/harness.c scn/scn.c variant/variant.c exec/exec.c"
	max_len=4096
	;;
trace)
	SRCS="tests/fuzz/trace/harness.c"	# includes sim/trace.c
	max_len=8192	# above the 4096-byte lackey line limit
	;;
cli)
	# the harness includes cli/main.c and sim/sim_main.c for their parsers
	SRCS="tests/fuzz/cli/harness.c $(make -s libsrcs | tr ' ' '\n' | grep -v '^sim/sim_main.c$')"
	max_len=1024
	extra=-close_fd_mask=2	# the parsers' usage text on every refusal
	;;
replay)
	SRCS="tests/fuzz/replay/harness.c $(make -s libsrcs)"
	max_len=512	# 2 selector bytes and a schedule far longer than any seed needs
	;;
*)
	usage
	;;
esac

CC=${FUZZ_CC:-clang}
FLAGS="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -std=c11 -D_GNU_SOURCE"
out=obj/fuzz
bin=$out/$target-fuzz
art=$out/$target-artifacts
dict=tests/fuzz/$target/$target.dict
seeds=tests/fuzz/$target/corpus
hint="install them with: apt-get install clang libclang-rt-14-dev   (Debian 12)"

mkdir -p "$out" "$art" || exit 1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

if ! command -v "$CC" >/dev/null 2>&1; then
	echo "fuzz $target: FAILED: $CC not found; $hint"
	exit 1
fi
printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' >"$tmp/probe.c"
# shellcheck disable=SC2086
if ! "$CC" $FLAGS -o "$tmp/probe" "$tmp/probe.c" >"$tmp/probe.log" 2>&1; then
	sed 's/^/  /' "$tmp/probe.log" | tail -5
	echo "fuzz $target: FAILED: $CC cannot link a libFuzzer target (missing libFuzzer/sanitizer runtime); $hint"
	exit 1
fi

# shellcheck disable=SC2086
if ! "$CC" $FLAGS -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -o "$bin" $SRCS; then
	echo "fuzz $target: FAILED: the harness does not build"
	exit 1
fi

mkdir -p "$tmp/corpus"
cp "$seeds"/* "$tmp/corpus"/ || exit 1
before=$(ls "$art" | wc -l)
log=$out/$target-fuzz.log

echo "fuzz $target: $bin for ${secs}s on $(ls "$tmp/corpus" | wc -l) seeds (log: $log)"
start=$(date +%s)
"$bin" ${extra:-} -max_total_time="$secs" -timeout=5 -rss_limit_mb=2048 -max_len=$max_len \
	-dict="$dict" -artifact_prefix="$art/" -print_final_stats=1 \
	"$tmp/corpus" >"$log" 2>&1
rc=$?
elapsed=$(($(date +%s) - start))

runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
[ -n "$runs" ] || runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -1)
[ -n "$runs" ] || runs=$(sed -n 's/^#\([0-9]*\).*/\1/p' "$log" | tail -1)
[ -n "$runs" ] || runs=0
t=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
[ -n "$t" ] || t=$elapsed
after=$(ls "$art" | wc -l)

if [ "$rc" -eq 0 ] && [ "$after" -eq "$before" ]; then
	echo "fuzz $target: $runs runs in $t s, no crash"
	exit 0
fi
grep -E '^==[0-9]+==ERROR|^SUMMARY|runtime error|invariant broken|ERROR: libFuzzer' "$log" | head -5 | sed 's/^/  /'
repro=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
kind=$(grep -oE 'ERROR: libFuzzer: [a-z-]+|ERROR: [A-Za-z]+Sanitizer: [A-Za-z-]+|runtime error|invariant broken' "$log" | head -1)
echo "fuzz $target: FAILED after $runs runs in $elapsed s (exit $rc): ${kind:-see $log}; reproducer: ${repro:-none written} (replay: $bin FILE)"
exit 1
