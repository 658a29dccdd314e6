# Shared helpers for the bench/*.sh scripts; sourced, not run.
# Sets ROOT (the repository root) and cds there; provides the machine header,
# a build-and-snapshot step, and a small JSON field extractor for adsim's
# one-line `check --json` output.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

# bench_tmp: a private scratch directory, removed on exit.
BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/adsim-bench.XXXXXX")
trap 'rm -rf "$BENCH_TMP"' EXIT

# machine_header TITLE: Markdown header with the machine and the commit.
machine_header() {
	local cpu mem commit
	cpu=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo | head -1)
	mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
	commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
	echo "# $1"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "- machine: $(nproc) CPUs (nproc), ${cpu:-unknown CPU}, $mem RAM, kernel $(uname -r)"
	echo "- commit: $commit (working tree as built; binary sha256 ${ADSIM_SHA:-?})"
	echo "- compiler: $(${CC:-cc} --version 2>/dev/null | head -1)"
}

# build_adsim: rebuild (others may be editing the tree) and snapshot the
# binary, so that every run of one script uses the same executable.
# Sets ADSIM (the snapshot) and ADSIM_SHA.  ADSIM_BIN=PATH measures that
# binary instead (another commit's build, for a before/after comparison);
# the scripts' scenarios and options must suit it.
build_adsim() {
	if [ -n "${ADSIM_BIN:-}" ]; then
		cp "$ADSIM_BIN" "$BENCH_TMP/adsim"
		ADSIM="$BENCH_TMP/adsim"
		ADSIM_SHA=$(sha256sum "$ADSIM" | cut -c1-12)
		return
	fi
	if ! make -s >"$BENCH_TMP/make.log" 2>&1; then
		cat "$BENCH_TMP/make.log" >&2
		echo "bench: make -s failed" >&2
		exit 2
	fi
	cp build/adsim "$BENCH_TMP/adsim"
	ADSIM="$BENCH_TMP/adsim"
	ADSIM_SHA=$(sha256sum "$ADSIM" | cut -c1-12)
}

# jfield JSON NAME: the last top-level scalar NAME in adsim's JSON line
# (the counters come after the violation object, so the last match is
# the top-level one).
jfield() {
	printf '%s\n' "$1" | sed -n "s/.*\"$2\":\(\"[^\"]*\"\|[^,}]*\).*/\1/p" | tr -d '"' | head -1
}

# joracle JSON: the violated oracle, or "none".
joracle() {
	local o
	o=$(printf '%s\n' "$1" | sed -n 's/.*"violation":{"oracle":"\([^"]*\)".*/\1/p' | head -1)
	echo "${o:-none}"
}

# rate STEPS SECONDS: steps per second, or "-" when the time is zero.
rate() {
	awk -v s="$1" -v t="$2" 'BEGIN { if (t + 0 > 0) printf "%.0f", s / t; else printf "-" }'
}

# signame RC: "exit RC" or "signal N (NAME)" for RC > 128.
signame() {
	if [ "$1" -gt 128 ]; then
		echo "signal $(($1 - 128)) ($(kill -l $(($1 - 128)) 2>/dev/null || echo ?))"
	else
		echo "exit $1"
	fi
}

# model_objs: the release objects of the model's sources, as the Makefile
# lists them (not whatever lies in obj/: a moved file leaves its old object).
model_objs() {
	local s out=""
	for s in $(make -s libsrcs); do out="$out obj/release/$s.o"; done
	echo "$out"
}
