#!/usr/bin/env bash
# adsim trace on real traces: record `ls /` with valgrind lackey (when
# valgrind is installed; the committed sample tests/data/lackey-ls.txt, a
# window of such a recording, is checked either way), convert it to the
# binary format, and check that `adsim trace info` reports the same numbers
# for the text and the binary form, and the numbers an independent reading
# of the text (python3, below) gives.  Then bad input: exit 2, the message
# with its location, and no output file left behind.
#
#   bash tests/trace.sh        prints ok/FAIL lines and "N passed, N failed";
#                              tests/run.sh counts its ok/FAIL lines as its own.
set -u
cd "$(dirname "$0")/.." || exit 1
pass=0 fail=0
ok() { pass=$((pass+1)); echo "ok   $1"; }
bad() { fail=$((fail+1)); echo "FAIL $1"; }

make -s MODE=release all || { bad "trace: build"; echo "$pass passed, $fail failed"; exit 1; }
adsim=build/adsim
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# records, distinct pages, writes of a lackey text, computed without adsim
ref() {
	python3 - "$1" <<'EOF'
import sys
pages, records, writes = set(), 0, 0
with open(sys.argv[1], 'rb') as f:
    for line in f:
        if line[:2] not in (b' L', b' S', b' M'):
            continue
        addr, size = line[3:].strip().split(b',')
        first, last = int(addr, 16) >> 12, (int(addr, 16) + int(size) - 1) >> 12
        pages.update(range(first, last + 1))
        records += last - first + 1
        writes += (last - first + 1) if line[1:2] != b'L' else 0
print(records, len(pages), writes)
EOF
}

# "records pages writes" from `adsim trace info --json`
info() {
	"$adsim" trace info --json "$1" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["records"], d["pages"], d["writes"])'
}

check_text() {  # lackey text, label
	local txt=$1 label=$2 want t b
	want=$(ref "$txt")
	t=$(info "$txt")
	if [ "$t" = "$want" ]; then ok "trace $label: text info = python reading ($t)"; else bad "trace $label: text info '$t', python reads '$want'"; fi
	if "$adsim" trace convert "$txt" "$tmp/$label.bin" >/dev/null; then
		ok "trace $label: convert"
	else
		bad "trace $label: convert"; return
	fi
	b=$(info "$tmp/$label.bin")
	[ "$b" = "$t" ] && ok "trace $label: binary info = text info" || bad "trace $label: binary info '$b', text info '$t'"
	"$adsim" trace info "$tmp/$label.bin" | grep -q '^format  *binary$' && ok "trace $label: format binary" || bad "trace $label: format binary"
	# binary -> binary is the identity: one encoding per trace
	"$adsim" trace convert "$tmp/$label.bin" "$tmp/$label.2.bin" >/dev/null &&
		cmp -s "$tmp/$label.bin" "$tmp/$label.2.bin" && ok "trace $label: binary round trip" ||
		bad "trace $label: binary round trip"
	if [ -x build/adsim-asan ]; then
		build/adsim-asan trace convert "$txt" "$tmp/$label.asan.bin" >/dev/null 2>"$tmp/asan.log" &&
			cmp -s "$tmp/$label.bin" "$tmp/$label.asan.bin" && ok "trace $label: asan convert" ||
			{ bad "trace $label: asan convert"; tail -20 "$tmp/asan.log"; }
	fi
}

check_text tests/data/lackey-ls.txt sample

if command -v valgrind >/dev/null 2>&1; then
	# lackey's lines go to --log-fd 3, through tee into a file and a pipe
	valgrind --tool=lackey --trace-mem=yes --log-fd=3 ls / 3>&1 >/dev/null 2>"$tmp/vg.err" |
		tee "$tmp/ls.txt" | "$adsim" trace convert /dev/stdin "$tmp/pipe.bin" >/dev/null
	if [ -s "$tmp/ls.txt" ] && [ -s "$tmp/pipe.bin" ]; then
		check_text "$tmp/ls.txt" valgrind-ls
		cmp -s "$tmp/pipe.bin" "$tmp/valgrind-ls.bin" && ok "trace valgrind-ls: from a pipe" ||
			bad "trace valgrind-ls: from a pipe"
	else
		bad "trace: valgrind --tool=lackey ls / recorded nothing"; tail -5 "$tmp/vg.err"
	fi
else
	echo "skip trace: valgrind is not installed; only the committed sample was checked"
fi

# bad input: exit 2, NAME:LINE:COL, no output and no OUT.tmp left behind
expect_fail() {  # label, expected status, expected message, adsim args...
	local label=$1 st=$2 msg=$3 out rc
	shift 3
	out=$("$adsim" "$@" 2>&1 >/dev/null); rc=$?
	if [ $rc -eq "$st" ] && echo "$out" | grep -qF -- "$msg" && [ ! -e "$tmp/out.bin" ] && [ ! -e "$tmp/out.bin.tmp" ]; then
		ok "trace error: $label"
	else
		bad "trace error: $label (exit $rc: $out)"
	fi
	rm -f "$tmp/out.bin" "$tmp/out.bin.tmp"
}
printf 'I  0401b30,3\n L xyz,8\n' > "$tmp/bad.txt"
expect_fail "malformed lackey" 2 "bad.txt:2:4: expected a hexadecimal address" trace convert "$tmp/bad.txt" "$tmp/out.bin"
head -c -1 "$tmp/sample.bin" > "$tmp/short.bin"
expect_fail "truncated binary" 2 "short.bin:1:17: expected nr_records to match the file size" trace convert "$tmp/short.bin" "$tmp/out.bin"
expect_fail "truncated binary info" 2 "short.bin:1:17: expected nr_records" trace info "$tmp/short.bin"
{ printf 'ADSIMTR\002'; tail -c +9 "$tmp/sample.bin"; } > "$tmp/v2.bin"
expect_fail "binary version" 2 "v2.bin:1:8: expected version 1, found 2" trace convert "$tmp/v2.bin" "$tmp/out.bin"
expect_fail "missing input" 2 "nosuch.txt: cannot open" trace convert "$tmp/nosuch.txt" "$tmp/out.bin"
expect_fail "unwritable output" 1 "cannot create" trace convert tests/data/lackey-ls.txt "$tmp/nodir/out.bin"
expect_fail "no command" 2 "usage: adsim trace" trace
expect_fail "unknown command" 2 "unknown command 'frob'" trace frob
expect_fail "convert without OUT" 2 "expected IN and OUT" trace convert tests/data/lackey-ls.txt
expect_fail "unknown option" 2 "unknown option '--bogus'" trace info --bogus tests/data/lackey-ls.txt
"$adsim" trace --help | grep -q "adsim trace convert IN OUT" && ok "trace --help" || bad "trace --help"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
