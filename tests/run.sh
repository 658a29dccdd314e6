#!/usr/bin/env bash
# The test suite: unit tests of every layer, scenario verdicts (every expect
# line), CLI error handling, the unit tests and scenario verdicts again under
# ASan+UBSan, adsim trace on real traces (tests/trace.sh), and the fuzz
# targets for a bounded time (scenario parser: FUZZ_SECONDS, default 60;
# trace readers: FUZZ_TRACE_SECONDS, default 20).
# Prints "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
pass=0 fail=0
ok() { pass=$((pass+1)); echo "ok   $1"; }
bad() { fail=$((fail+1)); echo "FAIL $1"; }

run_expect() {  # binary, label
	for f in scenarios/*/*.adsim; do
		if out=$("$1" check --expect "$f" 2>&1); then ok "$2 $f"; else bad "$2 $f"; echo "$out" | grep -v '^[|+]' | tail -20; fi
	done
}

run_unit() {  # binary, label
	local out
	out=$("$1") || true
	while read -r st _ name; do
		case $st in
		ok) ok "$2 $name" ;;
		FAIL) bad "$2 $name"; echo "$out" | grep -B20 "^FAIL unit $name\$" | grep '^    ' ;;
		esac
	done < <(echo "$out" | grep -E '^(ok|FAIL) +unit ')
	echo "$out" | grep -qE '^[0-9]+ passed, 0 failed$' || bad "$2 unit-test runner"
}

make -s MODE=release all unit || { echo "0 passed, 1 failed"; exit 1; }
# the include direction between layers, and that the check can fail
out=$(make -s layers 2>&1) && ok "$out" || { bad "make layers"; echo "$out"; }
bash tests/layers.sh cli vskernel host sim check scn kvm mm hw variant exec >/dev/null 2>&1 &&
	bad "tests/layers.sh accepts the layers upside down" || ok "tests/layers.sh refuses the layers upside down"
run_unit build/unit-tests release
run_expect build/adsim release
# every scenario's executions and steps as recorded (tests/golden.txt)
out=$(bash tests/golden.sh 2>&1) && ok "$out" || { bad "golden counts differ"; echo "$out" | head -40; }

# bad input: file:line:col, exit 2, no crash
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
printf 'scenario x\nactor a kthread {\n  frobnicate 1\n}\n' > "$tmp/bad.adsim"
out=$(build/adsim check "$tmp/bad.adsim" 2>&1); st=$?
[ $st -eq 2 ] && echo "$out" | grep -q "bad.adsim:3:3: unknown operation 'frobnicate'" && ok "error location" || bad "error location ($st: $out)"
printf 'scenario x\nparam n = 1\nactor a[i in 0 .. n] cpu nope {\n}\n' > "$tmp/bad2.adsim"
out=$(build/adsim check "$tmp/bad2.adsim" 2>&1); st=$?
[ $st -eq 2 ] && echo "$out" | grep -q "bad2.adsim:3:7: unknown process 'nope'" && ok "unknown reference" || bad "unknown reference ($st: $out)"
# the model's user address space ends at 16 TiB: a mapping reaching past it is refused
printf 'scenario x\nprocess p\nmmap p 0xfffffffe000 pages 2 private write\nactor a cpu p {\n  write 0xfffffffe000\n}\n' > "$tmp/top.adsim"
out=$(build/adsim check "$tmp/top.adsim" 2>&1); st=$?
[ $st -eq 0 ] && ok "mmap ending at 16 TiB" || bad "mmap ending at 16 TiB ($st: $out)"
sed -i 's/pages 2/pages 3/' "$tmp/top.adsim"
out=$(build/adsim check "$tmp/top.adsim" 2>&1); st=$?
[ $st -eq 2 ] && echo "$out" | grep -q "top.adsim:3:1: mmap failed: .*below 16 TiB" && ok "mmap past 16 TiB refused" || bad "mmap past 16 TiB refused ($st: $out)"
out=$(build/adsim check scenarios/seeds/fast-pf-lost-dirty.adsim --set mmu_spte_update=maybe 2>&1); st=$?
[ $st -eq 2 ] && echo "$out" | grep -q "expected racy|fixed" && ok "bad --set value" || bad "bad --set value ($st: $out)"

build/adsim check --help | grep -q -- "--por dpor|sleep|none" && ok "check --help" || bad "check --help"

# check --matrix: every cell a shipped file's expect lines describe agrees
# with them (so --matrix and --expect agree wherever both decide)
for f in scenarios/*/*.adsim; do
	out=$(build/adsim check --matrix "$f" 2>&1); st=$?
	[ $st -eq 0 ] && echo "$out" | grep -q ", 0 disagree$" && ok "matrix agrees with the expect lines of $f" ||
		{ bad "matrix of $f ($st)"; echo "$out" | tail -20; }
done
# a wrong expect line is marked, and exits 1
sed 's/^expect flush_clean_writable=skip arch=x86 : none$/expect flush_clean_writable=skip arch=x86 : lost_write/' \
	scenarios/seeds/clean-writable-no-flush.adsim > "$tmp/wrong.adsim"
line=$(grep -n "arch=x86 : lost_write" "$tmp/wrong.adsim" | cut -d: -f1)
out=$(build/adsim check --matrix "$tmp/wrong.adsim" 2>&1); st=$?
[ $st -eq 1 ] && echo "$out" | grep -q "| arch=x86 | !none ([0-9]* ex, [0-9.]* s) \[expect line $line\] |" &&
	echo "$out" | grep -q ", 1 disagree (marked !)$" && ok "matrix marks a wrong expect line" ||
	{ bad "matrix marks a wrong expect line ($st)"; echo "$out"; }
# the smallest fix names the weakest clean value of an ordered variant,
# and -j 1 and -j 2 give the same cells
build/adsim check --matrix=clean_flush,arch --json -j 1 scenarios/seeds/clean-record-deferred-flush.adsim > "$tmp/m1.json"; st1=$?
build/adsim check --matrix=clean_flush,arch --json -j 2 scenarios/seeds/clean-record-deferred-flush.adsim > "$tmp/m2.json"; st2=$?
if [ $st1 -eq 0 ] && [ $st2 -eq 0 ] && python3 - "$tmp/m1.json" "$tmp/m2.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["matrix"] == ["clean_flush", "arch"] and len(a["cells"]) == 6
cell = [c for c in a["cells"] if c["values"] == {"clean_flush": "none", "arch": "x86"}][0]
assert cell["verdict"] == "lost_write", cell
assert cell["clean_with"] == [{"variant": "clean_flush", "value": "after_unlock", "weakest": True}], cell
for c in a["cells"]:
    if c["values"]["clean_flush"] != "none":
        assert c["verdict"] == "none" and c["complete"], c
strip = lambda m: [{k: v for k, v in c.items() if k != "seconds"} for c in m["cells"]]
assert strip(a) == strip(b)
PY
then ok "matrix --json: weakest clean value, same cells with -j 1 and -j 2"; else bad "matrix --json"; fi
for a in "--matrix=nosuch|unknown variant 'nosuch'" "--matrix=arch,arch|'arch' named twice" \
	 "--matrix --expect|--matrix and --expect" "-j 0|-j: expected an integer in 1..64"; do
	out=$(build/adsim check ${a%%|*} scenarios/seeds/clean-writable-no-flush.adsim 2>&1); st=$?
	[ $st -eq 2 ] && echo "$out" | grep -q -- "${a#*|}" && ok "check rejects ${a%%|*}" || bad "check rejects ${a%%|*} ($st: $out)"
done
# a combination variants.def declares meaningless is not run
build/adsim check --matrix --json scenarios/seeds/age-huge-leaf-split.adsim > "$tmp/m3.json" &&
python3 - "$tmp/m3.json" <<'PY' && ok "matrix skips a meaningless combination" || bad "matrix skips a meaningless combination"
import json, sys
m = json.load(open(sys.argv[1]))
sk = [c for c in m["cells"] if c["verdict"] == "skipped"]
assert [c["values"] for c in sk] == [{"age_clear": "cmpxchg", "age": "locked"}], sk
assert "mmu_lock" in sk[0]["why"] and "executions" not in sk[0]
assert sum(1 for c in m["cells"] if c["verdict"] != "skipped") == 3
PY
printf 'scenario x\nprocess p\nmmap p 0x10000 pages 1 private write\nactor a cpu p {\n  write 0x10000\n}\n' > "$tmp/novar.adsim"
out=$(build/adsim check --matrix "$tmp/novar.adsim" 2>&1); st=$?
[ $st -eq 2 ] && echo "$out" | grep -q "no variant to vary" && ok "matrix of a file naming no variant" || bad "matrix of a file naming no variant ($st: $out)"
# one operation registry: the docs' table and --help come from scn/ops.def
doc=$(sed -n '/generated by `adsim ops --markdown`/,/^$/p' docs/scenarios.md | sed '1d;/^$/d')
[ -n "$doc" ] && [ "$doc" = "$(build/adsim ops --markdown)" ] && ok "docs/scenarios.md's operation table is adsim ops --markdown" ||
	bad "docs/scenarios.md's operation table differs from adsim ops --markdown"
[ "$(build/adsim check --help | grep -c '^  [a-z_]* .*\(cpu\|vcpu\|kthread\|set-up\)$')" -ge "$(build/adsim ops --markdown | tail -n +3 | wc -l)" ] &&
	ok "check --help lists every operation" || bad "check --help lists every operation"

# replay checks every schedule entry against what the model can do there
fp=scenarios/seeds/fast-pf-lost-dirty.adsim
for c in "c99|schedule step 1: c99 is an explorer choice, but an actor steps here (enabled: 0 (k0), 1 (v0))" \
	 "0,c99|schedule step 2: c99 is an explorer choice" \
	 "2,2,2|schedule step 1: actor 2 (ipi:v0) is not enabled here (enabled: 0 (k0), 1 (v0))" \
	 "0,1,|schedule step 3: expected an actor number or cN (0..255), found ''" \
	 "99999999999999999999|schedule step 1: expected an actor number"; do
	sc=${c%%|*} want=${c#*|}
	out=$(build/adsim replay $fp "$sc" 2>&1); st=$?
	[ $st -eq 2 ] && echo "$out" | grep -qF "adsim: $want" && ! echo "$out" | grep -q violation &&
		ok "replay refuses $sc" || bad "replay refuses $sc ($st: $out)"
done
out=$(build/adsim replay scenarios/seeds/clean-writable-no-flush.adsim 1,1,2,2,1,1,1,2,1,1,0,2,1,0,2,0,1,0,0,2,2,0,0,1,2,0,0,0,1,1,2,0,2,0,1,1,0,1,0,2,0,2,0,0,2,1,1,1,2,2,0,1,1,2,0,0,2,1,2,1 --set flush_clean_writable=always --set arch=x86 2>&1); st=$?
[ $st -eq 2 ] && echo "$out" | grep -q "schedule step 3: actor 2 (ipi:c0) is not enabled here" && ! echo "$out" | grep -q deadlock &&
	ok "replay refuses a step past a held lock" || bad "replay refuses a step past a held lock ($st: $out)"
# numeric options: NaN, infinity and out-of-range values name the option and its range
for a in "--timeout nan" "--timeout inf" "--max-executions nan" "--max-depth nan" "--max-depth 0" "--bound nan" "--bound 51" "--seed nan" "--seed -1"; do
	out=$(build/adsim check $fp $a 2>&1); st=$?
	[ $st -eq 2 ] && echo "$out" | grep -q "^adsim: ${a%% *}: expected " && ok "check rejects $a" || bad "check rejects $a ($st: $out)"
done
out=$(./build/adsim sim --accesses nan 2>&1); st=$?
[ $st -eq 2 ] && echo "$out" | grep -q -- "--accesses nan: expected" && ok "sim rejects --accesses nan" || bad "sim rejects --accesses nan ($st: $out)"
# random mode: its seed in text and JSON; a default budget without limits
out=$(build/adsim check $fp --set mmu_spte_update=fixed --mode random --seed 7 --max-executions 10); st=$?
[ $st -eq 3 ] && echo "$out" | grep -q "^  seed: 7 (--seed)$" && ok "random mode prints its seed" || bad "random mode prints its seed ($st)"
j=$(build/adsim check --json $fp --set mmu_spte_update=fixed --mode random --seed 7 --max-executions 10)
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["seed"]==7 and d["executions"]==10' "$j" && ok "random mode's seed in JSON" || bad "random mode's seed in JSON"
j=$(timeout 120 build/adsim check --json $fp --set mmu_spte_update=fixed --mode random </dev/null); st=$?
[ $st -eq 3 ] && python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["executions"]==100000 and not d["complete"]' "$j" &&
	ok "random mode's default budget" || bad "random mode's default budget ($st)"
# declarations: a second one of the same name says where the first stands
for c in "file f pages 2|file f pages 2|3:6: 'f' already declared at .*:2:6" \
	 "process p|process p|3:9: 'p' already declared at .*:2:9" \
	 "param n = 1|param n = 2|3:7: 'n' already declared at .*:2:7"; do
	IFS='|' read -r l1 l2 want <<<"$c"
	printf 'scenario x\n%s\n%s\n' "$l1" "$l2" > "$tmp/dup.adsim"
	out=$(build/adsim check "$tmp/dup.adsim" 2>&1); st=$?
	[ $st -eq 2 ] && echo "$out" | grep -q "dup.adsim:$want" && ok "duplicate '$l2' refused" || bad "duplicate '$l2' refused ($st: $out)"
done
printf 'scenario x\nprocess p\nmmap p 0x1000 pages 1 private write\nactor c cpu p {\n write 0x1000\n}\nactor c cpu p {\n read 0x1000\n}\n' > "$tmp/dup.adsim"
out=$(build/adsim check "$tmp/dup.adsim" 2>&1); st=$?
[ $st -eq 2 ] && echo "$out" | grep -q "dup.adsim:7:7: 'c' already declared at .*dup.adsim:4:7" && ok "duplicate actor refused" || bad "duplicate actor refused ($st: $out)"
# operation arguments outside what the scenario declares: file:line:col and the range
km=scenarios/seeds/kvm-dirty-on-map-vs-mkclean.adsim
for c in "writeback guestmem 4503599627370495|writeback: index 4503599627370495: expected 0 to 7 (file 'guestmem' has 8 pages)" \
	 "writeback guestmem 0 - 1|writeback: index -1: expected 0 to 7" \
	 "clean_record guestmem 0 4503599627370495|clean_record: pages 0 + 4503599627370495: expected a range within file 'guestmem' (8 pages)" \
	 "kvm_age vm0 0 4503599627370495|kvm_age: gfns 0 + 4503599627370495: expected a range of at least one gfn within one memslot of vm 'vm0'" \
	 "kvm_split vm0 4503599627370495|kvm_split: gfn 0xfffffffffffff: expected a gfn within a memslot of vm 'vm0'"; do
	op=${c%%|*} want=${c#*|}
	sed "s/^  writeback guestmem 0\$/  $op/" $km > "$tmp/arg.adsim"
	out=$(build/adsim check "$tmp/arg.adsim" 2>&1); st=$?
	[ $st -eq 2 ] && echo "$out" | grep -qF "arg.adsim:36:3: $want" && ok "refused: $op" || bad "refused: $op ($st: $out)"
done
# where the kernel defines what an access means, the model runs it
sed 's/^  gwrite 0$/  gwrite 100/' $km > "$tmp/mmio.adsim"
out=$(build/adsim replay "$tmp/mmio.adsim" "" 2>&1); st=$?
[ $st -eq 0 ] && echo "$out" | tr -s ' |\n' ' ' | grep -q "gfn 0x64: no memslot, emulated MMIO" && ok "a guest access outside every memslot is MMIO" || bad "guest access outside memslots ($st: $out)"
sed 's/hva 0x10000000/hva 0x50000000/' $km > "$tmp/efault.adsim"
out=$(build/adsim replay "$tmp/efault.adsim" "" 2>&1); st=$?
[ $st -eq 0 ] && echo "$out" | tr -s ' |\n' ' ' | grep -q "hva 0x50000000 cannot be faulted in: -EFAULT" && ok "a memslot over unmapped memory faults with -EFAULT" || bad "memslot over unmapped memory ($st: $out)"
sed 's/^  write 0x20000000$/  write 0x30000000/' scenarios/seeds/clean-writable-no-flush.adsim > "$tmp/segv.adsim"
out=$(build/adsim replay "$tmp/segv.adsim" "" 2>&1); st=$?
[ $st -eq 0 ] && echo "$out" | tr -s ' |\n' ' ' | grep -q "SIGSEGV at 0x30000000" && ok "a user access to an unmapped address is SIGSEGV" || bad "user access to unmapped address ($st: $out)"
# messages name the real limit; pipes and FIFOs are read as streams
sed 's/file guestmem pages 8/file guestmem pages 1e9/' $km > "$tmp/e9.adsim"
out=$(build/adsim check "$tmp/e9.adsim" 2>&1); st=$?
[ $st -eq 2 ] && echo "$out" | grep -q "e9.adsim:29:21: expected an integer (decimal, 0x hex or 0 octal), found '1e9'" && ok "1e9 is not an integer" || bad "1e9 ($st: $out)"
out=$(cat $fp | build/adsim check --expect /dev/stdin 2>&1); st=$?
[ $st -eq 0 ] && [ "$(echo "$out" | grep -c 'as expected')" = 2 ] && ok "a scenario from a pipe" || bad "a scenario from a pipe ($st: $out)"
mkfifo "$tmp/fifo"
out=$(timeout 20 build/adsim check "$tmp/fifo" 2>&1); st=$?
[ $st -eq 2 ] && echo "$out" | grep -q "fifo:1:1: expected a 'scenario NAME' line" && ok "a FIFO without a writer reads as empty" || bad "a FIFO without a writer ($st: $out)"
: > "$tmp/empty.trace"
out=$(./build/adsim sim --trace "$tmp/empty.trace" 2>&1); st=$?
[ $st -eq 2 ] && echo "$out" | grep -q "empty.trace: the trace holds no data access" && ! echo "$out" | grep -q -- --pages && ok "sim: an empty trace" || bad "sim: an empty trace ($st: $out)"

# exit status and JSON shape
build/adsim check scenarios/seeds/fast-pf-lost-dirty.adsim >/dev/null; st=$?
[ $st -eq 1 ] && ok "exit 1 on violation" || bad "exit 1 on violation (got $st)"
build/adsim check scenarios/seeds/fast-pf-lost-dirty.adsim --set mmu_spte_update=fixed >/dev/null; st=$?
[ $st -eq 0 ] && ok "exit 0 when complete" || bad "exit 0 when complete (got $st)"
build/adsim check scenarios/seeds/fast-pf-lost-dirty.adsim --set mmu_spte_update=fixed --max-executions 3 >/dev/null; st=$?
[ $st -eq 3 ] && ok "exit 3 when incomplete" || bad "exit 3 when incomplete (got $st)"
j=$(build/adsim check --json scenarios/seeds/fast-pf-lost-dirty.adsim)
if python3 -c 'import json,sys; d=json.loads(sys.argv[1]); v=d["violation"]; assert d["scenario"]=="fast-pf-lost-dirty" and v["oracle"]=="lost_write" and len(v["trace"])>3 and all("actor" in s and "op" in s for s in v["trace"]) and d["complete"] is False and d["executions"]>0' "$j"; then ok "json"; else bad "json"; fi
# replay reproduces the counterexample
sched=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["violation"]["schedule"])' "$j")
build/adsim replay scenarios/seeds/fast-pf-lost-dirty.adsim "$sched" | grep -q "VIOLATION lost_write" && ok "replay" || bad "replay"
# sanitizers
if make -s MODE=asan all unit; then
	run_unit build/unit-tests-asan asan
	run_expect build/adsim-asan asan
else
	bad "asan build"
fi
# adsim trace on real traces (tests/trace.sh): its ok/FAIL lines count here
while IFS= read -r l; do case $l in "ok   "*) ok "${l#ok   }";; "FAIL "*) bad "${l#FAIL }";; *" passed, "*" failed") ;; *) echo "$l";; esac; done < <(bash tests/trace.sh 2>&1)
# adsim vs-kernel: the model against the running kernel (needs userfaultfd;
# 77 means this machine cannot run it, which is reported, not passed)
out=$(./build/adsim vs-kernel --seed 7 --sequences 1000 --mapping both 2>&1); rc=$?
case $rc in
0) ok "vs-kernel: $(echo "$out" | tr '\n' ' ')";;
77) bad "vs-kernel cannot run here: $out";;
*) bad "vs-kernel (exit $rc)"; echo "$out" | tail -40;;
esac
# the kernel profile decides zero_page: of its three values only the one
# the probe derives agrees with this kernel (reads and UFFDIO_ZEROPAGE are
# frequent enough that 300 sequences tell them apart)
prof=$(./build/adsim vs-kernel --profile)
zp=$(echo "$prof" | sed -n 's/.* zero_page=\([a-z]*\) uffd_zero_page=\([a-z]*\) .*/\1 \2/p')
case $zp in
"yes "*) want=yes;; "no yes") want=uffd_only;; "no no") want=no;; *) want=;;
esac
if [ -z "$want" ]; then
	bad "vs-kernel --profile cannot tell the zero page: $prof"
else
	for v in yes no uffd_only; do
		./build/adsim vs-kernel --seed 5 --sequences 300 --mapping anon --set zero_page=$v >/dev/null 2>&1; rc=$?
		if { [ $v = $want ] && [ $rc -eq 0 ]; } || { [ $v != $want ] && [ $rc -eq 1 ]; }; then
			ok "vs-kernel zero_page=$v against a kernel with $zp ($rc)"
		else
			bad "vs-kernel zero_page=$v against a kernel with $zp ($rc)"
		fi
	done
fi
out=$(./build/adsim vs-kernel --set mut_read_fault=zzz 2>&1); rc=$?
[ $rc -eq 2 ] && echo "$out" | grep -q "unknown value 'zzz' for mut_read_fault: expected kernel|protects" &&
	ok "vs-kernel bad --set value" || bad "vs-kernel bad --set value ($rc: $out)"
# mutation self-test: every deliberate mis-model must be caught
for m in $(./build/adsim vs-kernel --list-mutations | cut -d' ' -f1); do
	out=$(./build/adsim vs-kernel --seed 7 --sequences 2000 --set "$m" 2>&1); rc=$?
	if [ $rc -eq 1 ] && echo "$out" | grep -q "^actor t cpu p"; then
		ok "vs-kernel catches $m"
	else
		bad "vs-kernel misses $m (exit $rc)"; echo "$out" | tail -20
	fi
done
# --replay: a printed disagreement is a scenario file; replayed, it
# disagrees again under its mutation and agrees without it
for mm in anon:mut_read_fault=protects memfd:mut_zap_marker=drop; do
	map=${mm%%:*} m=${mm#*:} f="$tmp/dis-$map.adsim"
	./build/adsim vs-kernel --seed 7 --sequences 2000 --mapping "$map" --set "$m" >"$f" 2>/dev/null; rc=$?
	out1=$(./build/adsim vs-kernel --replay "$f" --set "$m" 2>&1); r1=$?
	out2=$(./build/adsim vs-kernel --replay "$f" 2>&1); r2=$?
	if [ $rc -eq 1 ] && grep -q -- "--replay FILE --set $m\"" "$f" &&
	   [ $r1 -eq 1 ] && echo "$out1" | grep -q "^$f:[0-9]*:[0-9]*: DISAGREE" &&
	   echo "$out1" | tail -1 | grep -q "operations disagree, the first at $f:[0-9]*:[0-9]*$" &&
	   [ $r2 -eq 0 ] && echo "$out2" | tail -1 | grep -q "^all [0-9]* operations agree$"; then
		ok "vs-kernel --replay ($map, $m): 1 with the mutation, 0 without"
	else
		bad "vs-kernel --replay ($map, $m): printed $rc, replayed $r1 / $r2"
		tail -20 "$f"; echo "$out1" | tail -10; echo "$out2" | tail -5
	fi
done
# --replay of a file vs-kernel cannot run: file:line:col, exit 2, nothing run
printf 'scenario x\nprocess p\nmmap p 0x200000000 pages 4 private write\nsetup {\n\tuffd_register p 0x200000000 0x4000\n}\nactor t cpu p {\n\twrite 0x200000000\n\treclaim p 0x200000000\n}\n' > "$tmp/bad-replay.adsim"
out=$(./build/adsim vs-kernel --replay "$tmp/bad-replay.adsim" 2>&1); rc=$?
[ $rc -eq 2 ] && echo "$out" | grep -q "bad-replay.adsim:9:2: expected read, write, uffd_wp, .* found 'reclaim'" &&
	! echo "$out" | grep -q agree && ok "vs-kernel --replay bad input" || bad "vs-kernel --replay bad input ($rc: $out)"
printf 'scenario x\nprocess p\nmmap p 0x200001000 pages 4 private write\nactor t cpu p {\n}\n' > "$tmp/bad-replay2.adsim"
out=$(./build/adsim vs-kernel --replay "$tmp/bad-replay2.adsim" 2>&1); rc=$?
[ $rc -eq 2 ] && echo "$out" | grep -q "bad-replay2.adsim:3:8: address 0x200001000: expected a user address on a 2 MiB boundary" &&
	ok "vs-kernel --replay misplaced mapping" || bad "vs-kernel --replay misplaced mapping ($rc: $out)"

# adsim sim: the JSON a script reads, the lost-write verdict, bad usage
j=$(./build/adsim sim --accesses 300K --pages 4096 --aging 100K --writeback 150K --json); rc=$?
if [ $rc -eq 0 ] && python3 -c 'import json,sys; d=json.loads(sys.argv[1])
for k in ["accesses","seconds","accesses_per_second","tlb_flushes","ipis","page_faults","notifier_calls","lost_writes","aging","peak_rss_bytes"]: assert k in d, k
assert d["accesses"]==300000 and d["lost_writes"]==0 and d["accesses_per_second"]>0
a=d["aging"]; pp=a["per_pass"]
assert a["passes"]==3 and 0<a["precision"]<=1 and 0<a["recall"]<=1
assert [p["at"] for p in pp]==[100000,200000,300000]
for k in ["true_positives","false_positives","false_negatives"]: assert sum(p[k] for p in pp)==a[k], k
for p in pp: assert abs(p["recall"]-p["true_positives"]/(p["true_positives"]+p["false_negatives"]))<1e-6
assert d["written_back"]>0 and d["page_faults"]>=4096*0.9 and d["peak_rss_bytes"]>0' "$j"; then ok "sim json"; else bad "sim json (exit $rc)"; fi
out=$(./build/adsim sim --accesses 300K --pages 4096 --aging 100K --writeback 150K)
rec=$(echo "$out" | sed -n 's/^aging recall  *//p'); worst=$(echo "$out" | sed -n 's/^aging recall, worst pass  *//p')
[ -n "$rec" ] && [ -n "$worst" ] && python3 -c "import sys; assert float(sys.argv[2])<=float(sys.argv[1])" "$rec" "$worst" &&
	ok "sim table: worst aging pass" || bad "sim table: worst aging pass ($rec / $worst)"
j=$(./build/adsim sim --memory shmem --writeback 0 --clean 20K --accesses 200K --pages 2048 --compare clean_flush=after_unlock,none --json); rc=$?
if [ $rc -eq 1 ] && python3 -c 'import json,sys; d=json.loads(sys.argv[1]); a,b=d["runs"]
assert a["lost_writes"]==0 and b["lost_writes"]>0 and b["lost"][0]["consumer"]=="clean_record"
assert a["tlb_flushes"]>b["tlb_flushes"]' "$j"; then ok "sim --compare finds clean_flush=none losing writes"; else bad "sim --compare (exit $rc)"; fi
out=$(./build/adsim sim --memory shmem --writeback 0 --clean 20K --accesses 200K --pages 2048 --compare clean_flush=after_unlock,none); rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q "^none: lost write: page [0-9]*, written at access [0-9]*, never reported by clean_record$" &&
	! echo "$out" | grep -q "^after_unlock" && ok "sim --compare names the run that lost a write" || bad "sim --compare lost-write line (exit $rc)"
# a lost write is named by its page's last write, which a second run finds:
# clean_flush=none leaves the TLB writable, so pages 0 and 1 (written at
# 2, 4 and 5, 7 after the first clean reported them) are lost; a trace read
# from a pipe is loaded whole, so it runs twice as well as a file
printf ' S 1000,8\n S 2000,8\n S 1000,8\n L 3000,8\n S 1000,8\n S 2000,8\n L 1000,8\n S 2000,8\n L 4000,8\n' > "$tmp/lost.txt"
la="--memory shmem --aging 0 --writeback 0 --clean 2 --set clean_flush=none"
out=$(cat "$tmp/lost.txt" | ./build/adsim sim --trace /dev/stdin $la); rc=$?
[ $rc -eq 1 ] && [ "$(echo "$out" | grep "lost write")" = "lost write: page 0, written at access 4, never reported by clean_record
lost write: page 1, written at access 7, never reported by clean_record" ] && ok "sim names a lost write's last write" || bad "sim lost-write times (exit $rc: $out)"
# on a real trace: each lost write's time is the last write to its page
./build/adsim trace convert tests/data/lackey-ls.txt "$tmp/ls.bin" >/dev/null
j=$(./build/adsim sim --trace "$tmp/ls.bin" --memory shmem --aging 0 --writeback 0 --clean 1K --set clean_flush=none --json); rc=$?
if [ $rc -eq 1 ] && python3 -c 'import json,struct,sys; d=json.loads(sys.argv[1]); b=open(sys.argv[2],"rb").read()[32:]
rec=struct.unpack("<%dI" % (len(b)//4), b); W=1<<31
assert d["accesses"]==len(rec) and d["lost_writes"]>0 and d["lost"]
for l in d["lost"]:
    p,t=l["page"],l["time"]
    assert rec[t]==W|p and W|p not in rec[t+1:], l' "$j" "$tmp/ls.bin"; then ok "sim lost writes on a trace: the last write to the page"; else bad "sim lost writes on a trace (exit $rc)"; fi
# --trace: the recorded program decides accesses, writes and pages; every
# page faults in once (file memory, nothing unmaps it) and no write is lost
want=$(./build/adsim trace info --json tests/data/lackey-ls.txt)
j=$(./build/adsim sim --trace tests/data/lackey-ls.txt --aging 0 --writeback 1K --json); rc=$?
if [ $rc -eq 0 ] && python3 -c 'import json,sys; d=json.loads(sys.argv[1]); t=json.loads(sys.argv[2])
assert d["workload"]=="trace" and d["trace"]=="tests/data/lackey-ls.txt" and d["cpus"]==1
assert d["accesses"]==t["records"] and d["writes"]==t["writes"] and d["pages"]==t["pages"]
assert d["resident_pages"]==t["pages"] and d["page_faults_by_kind"]["not_present"]==t["pages"]
assert d["written_back"]>0 and d["lost_writes"]==0' "$j" "$want"; then ok "sim --trace"; else bad "sim --trace (exit $rc)"; fi
j=$(./build/adsim sim --trace tests/data/lackey-ls.txt --accesses 10K --memory anon --json)
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["accesses"]==10000 and d["page_faults_by_kind"]["not_present"]==d["pages"]' "$j" && ok "sim --trace wraps around" || bad "sim --trace wraps around"
j=$(./build/adsim sim --trace tests/data/lackey-ls.txt --in-guest --memory anon --aging 1K --json)
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); k=d["page_faults_by_kind"]
assert d["vcpus"]==1 and d["cpus"]==0 and k["not_present"]==d["pages"] and k["kvm_fixed"]>=d["pages"]
assert d["aging"]["passes"]==4 and d["lost_writes"]==0' "$j" && ok "sim --in-guest" || bad "sim --in-guest"
j=$(./build/adsim sim --workload uniform --in-guest --vcpus 3 --pages 1024 --accesses 50K --memory anon --dirty-log 10K --json)
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); k=d["page_faults_by_kind"]
assert d["vcpus"]==3 and d["cpus"]==0 and k["kvm_fixed"]>=1024 and d["reported"]["dirty_log"]>0 and d["lost_writes"]==0' "$j" && ok "sim --in-guest uniform" || bad "sim --in-guest uniform"
printf 'I  0400d7d4,8\n S 7ff000398,8\n L 7ff00039z,8\n' > "$tmp/bad-trace.txt"
out=$(./build/adsim sim --trace "$tmp/bad-trace.txt" 2>&1); rc=$?
[ $rc -eq 2 ] && echo "$out" | grep -q "bad-trace.txt:3:.*expected" && ok "sim --trace bad input" || bad "sim --trace bad input (exit $rc: $out)"
for args in "--trace tests/data/lackey-ls.txt --pages 64" "--trace tests/data/lackey-ls.txt --workload seq" "--trace tests/data/lackey-ls.txt --write-ratio 0.5" "--trace tests/data/lackey-ls.txt --in-guest --vcpus 2"; do
	out=$(./build/adsim sim $args 2>&1); rc=$?
	[ $rc -eq 2 ] && echo "$out" | grep -q "the trace decides this" && ok "sim rejects $args" || bad "sim rejects $args (exit $rc: $out)"
done
# --mprotect: write-protecting clean writable PTEs (shmem read faults map
# them) needs no flush under flush_clean_writable=skip; one dirty PTE in the
# gathered range brings the flush back (10 write-protect passes x each CPU TLB)
for w in 0 0.3; do
	j=$(./build/adsim sim --memory shmem --write-ratio $w --accesses 200K --pages 2048 --mprotect 20K --aging 0 --compare flush_clean_writable=always,skip --json); rc=$?
	if [ $rc -eq 0 ] && python3 -c 'import json,sys; d=json.loads(sys.argv[1]); a,b=d["runs"]
assert a["activity_runs"]["mprotect"]==10 and a["lost_writes"]==b["lost_writes"]==0
assert (b["tlb_flushes"]==a["tlb_flushes"]-10*a["cpus"]) if sys.argv[2]=="0" else (b["tlb_flushes"]==a["tlb_flushes"])' "$j" $w; then ok "sim --mprotect flush_clean_writable, write ratio $w"; else bad "sim --mprotect flush_clean_writable, write ratio $w (exit $rc)"; fi
done
# --svg: well-formed XML, a panel per metric, a line per run with a point per
# sample whose heights are the intervals' counts; no file when it cannot write
j=$(./build/adsim sim --memory shmem --clean 20K --accesses 200K --pages 2048 --samples 20 --compare clean_flush=after_unlock,under_ptl --svg "$tmp/p.svg" --json); rc=$?
if [ $rc -eq 0 ] && python3 -c 'import json,sys,xml.dom.minidom as X
d=json.loads(sys.argv[1]); doc=X.parse(sys.argv[2]); ns="http://www.w3.org/2000/svg"
assert doc.documentElement.namespaceURI==ns
lines=doc.getElementsByTagName("polyline"); assert len(lines)==6*2, len(lines)
texts=[t.firstChild.data for t in doc.getElementsByTagName("text") if t.firstChild]
assert "clean_flush=after_unlock" in texts and "clean_flush=under_ptl" in texts and "TLB flushes per interval" in texts
pts=[tuple(map(float,p.split(","))) for p in lines[2].getAttribute("points").split()]
s=d["runs"][0]["samples"]; assert len(pts)==len(s)==20
fl=[b["tlb_flushes"]-(s[i-1]["tlb_flushes"] if i else 0) for i,b in enumerate(s)]
ys=[y for x,y in pts]; assert max(fl)>0 and fl[ys.index(min(ys))]==max(fl)
assert all((y1<y2)==(f>g) for y1,y2,f,g in zip(ys,ys[1:],fl,fl[1:]) if f!=g)' "$j" "$tmp/p.svg"; then ok "sim --svg"; else bad "sim --svg (exit $rc)"; fi
./build/adsim sim --accesses 50K --pages 512 --svg "$tmp/q.svg" --plot ipis,spte_zaps >/dev/null &&
	[ "$(grep -c '<polyline' "$tmp/q.svg")" = 2 ] && grep -q "shootdown IPIs per interval" "$tmp/q.svg" && ok "sim --plot" || bad "sim --plot"
./build/adsim sim --memory shmem --aging 0 --clean 10K --accesses 50K --pages 512 --svg "$tmp/c.svg" --plot dirty_helper_ptes >/dev/null &&
	[ "$(grep -c '<polyline' "$tmp/c.svg")" = 1 ] && grep -q "PTEs walked by dirty helpers per interval" "$tmp/c.svg" && ok "sim --plot dirty_helper_ptes" || bad "sim --plot dirty_helper_ptes"
out=$(./build/adsim sim --accesses 50K --pages 512 --svg "$tmp/nodir/r.svg" 2>&1); rc=$?
[ $rc -eq 2 ] && echo "$out" | grep -q "^adsim sim: --svg $tmp/nodir/r.svg: " && [ ! -e "$tmp/nodir" ] && ok "sim --svg unwritable" || bad "sim --svg unwritable (exit $rc: $out)"
for args in "--pages 0" "--workload zipf:s=0" "--set nope=1" "--memory anon --writeback 1K" "--tlb-l1 48:4" "--plot faults" "--svg x.svg --samples 0"; do
	out=$(./build/adsim sim $args 2>&1); rc=$?
	if [ $rc -eq 2 ] && echo "$out" | grep -q "^adsim sim: .*expected\|^adsim sim: .*needs\|^adsim sim: unknown"; then ok "sim rejects $args"; else bad "sim rejects $args (exit $rc: $out)"; fi
done

# adsim sim --dirty-log: KVM's dirty log as a consumer, in each mode; the
# flush-skipping mutation loses writes; bad usage is rejected
for mode in get clear ring; do
	j=$(./build/adsim sim --workload vm --memory anon --writeback 0 --pages 1024 --accesses 200K --dirty-log 20K --dirty-log-mode $mode --dirty-ring-size 256 --compare mut_dirty_log_flush=kernel,skip --json); rc=$?
	if [ $rc -eq 1 ] && python3 -c 'import json,sys; d=json.loads(sys.argv[1]); a,b=d["runs"]; m=sys.argv[2]
assert a["dirty_log"]["mode"]==m and a["activity_runs"]["dirty-log"]==10
assert a["lost_writes"]==0 and 0<a["reported"]["dirty_log"]<=a["dirty_log"]["gfns_logged"]
assert (a["dirty_log"]["ring_full_exits"]>0)==(m=="ring")
assert b["lost_writes"]>0 and b["lost"][0]["consumer"]=="dirty_log"' "$j" $mode; then ok "sim --dirty-log-mode $mode"; else bad "sim --dirty-log-mode $mode (exit $rc)"; fi
done
./build/adsim sim --help | grep -q -- "--dirty-log-mode M   get" && ok "sim --help lists --dirty-log-mode" || bad "sim --help lists --dirty-log-mode"
for args in "--workload vm --in-guest" "--dirty-log 1K" "--workload vm --dirty-log 1K --dirty-log-mode bitmap" "--workload vm --dirty-ring-size 300"; do
	out=$(./build/adsim sim $args 2>&1); rc=$?
	if [ $rc -eq 2 ] && echo "$out" | grep -q "^adsim sim: .*expected\|^adsim sim: .*needs"; then ok "sim rejects $args"; else bad "sim rejects $args (exit $rc: $out)"; fi
done
# dirty_track and uffd_copy_hint: both dirty-tracking methods report the same pages and lose
# none, wrprotect by faults; the uffd hints move A/D work to the walker; check takes both
j=$(./build/adsim sim --memory shmem --writeback 0 --aging 0 --clean 20K --accesses 200K --pages 2048 --compare dirty_track=clean,wrprotect --json); rc=$?
if [ $rc -eq 0 ] && python3 -c 'import json,sys; d=json.loads(sys.argv[1]); a,b=d["runs"]
assert a["lost_writes"]==0 and b["lost_writes"]==0
assert a["reported"]["clean_record"]==b["reported"]["clean_record"]>0
assert a["page_faults_by_kind"]["write_protect"]==0 and b["page_faults_by_kind"]["write_protect"]>0
assert a["mkwrite_calls"]==0 and b["mkwrite_calls"]==b["reported"]["clean_record"]
# clean walks all 2048 PTEs on each of the 10 passes and the final collect;
# wrprotect only the range written since its last pass
assert a["activity_runs"]["clean"]==10 and a["dirty_helper_ptes"]==2048*11==a["mm_events"]["dirty_helper_ptes"]
assert 0<b["dirty_helper_ptes"]<=2048*11 and b["samples"][-1]["dirty_helper_ptes"]<=b["dirty_helper_ptes"]' "$j"; then ok "sim --compare dirty_track"; else bad "sim --compare dirty_track (exit $rc)"; fi
j=$(./build/adsim sim --memory anon --writeback 0 --aging 0 --populate uffd-copy --accesses 100K --pages 1024 --compare uffd_copy_hint=none,write_likely --json); rc=$?
if [ $rc -eq 0 ] && python3 -c 'import json,sys; d=json.loads(sys.argv[1]); a,b=d["runs"]
assert a["uffd_copies"]==b["uffd_copies"]==1024 and a["accessed_sets"]==0 and b["accessed_sets"]==1024' "$j"; then ok "sim --populate uffd-copy"; else bad "sim --populate uffd-copy (exit $rc)"; fi
for args in "--populate uffd-copy" "--populate nope" "--memory anon --populate uffd-copy --pagemap-scan 1K"; do
	out=$(./build/adsim sim $args 2>&1); rc=$?
	if [ $rc -eq 2 ] && echo "$out" | grep -q "^adsim sim: .*expected\|^adsim sim: .*needs\|^adsim sim: .*only one"; then ok "sim rejects $args"; else bad "sim rejects $args (exit $rc: $out)"; fi
done
for f in scenarios/seeds/*.adsim; do
	./build/adsim check --expect "$f" --set dirty_track=wrprotect --set uffd_copy_hint=access_likely >/dev/null 2>&1 ||
		{ bad "check --set dirty_track/uffd_copy_hint $f"; continue; }
done
ok "check accepts --set dirty_track=wrprotect --set uffd_copy_hint=access_likely"

# the scenario parser under libFuzzer, for a bounded time
if [ -x tests/fuzz/run.sh ] || [ -f tests/fuzz/run.sh ]; then
	if out=$(bash tests/fuzz/run.sh "${FUZZ_SECONDS:-60}" 2>&1); then
		ok "fuzz scn ($(echo "$out" | tail -1))"
	else
		bad "fuzz scn"; echo "$out" | tail -30
	fi
	# replay's schedules on the seed scenarios (verdicts check reaches)
	if out=$(bash tests/fuzz/run.sh "${FUZZ_REPLAY_SECONDS:-20}" replay 2>&1); then
		ok "fuzz replay ($(echo "$out" | tail -1))"
	else
		bad "fuzz replay"; echo "$out" | tail -30
	fi
	# check's and sim's command lines
	if out=$(bash tests/fuzz/run.sh "${FUZZ_CLI_SECONDS:-10}" cli 2>&1); then
		ok "fuzz cli ($(echo "$out" | tail -1))"
	else
		bad "fuzz cli"; echo "$out" | tail -30
	fi
	# the trace readers (lackey text and the binary format) likewise
	if out=$(bash tests/fuzz/run.sh "${FUZZ_TRACE_SECONDS:-20}" trace 2>&1); then
		ok "fuzz trace ($(echo "$out" | tail -1))"
	else
		bad "fuzz trace"; echo "$out" | tail -30
	fi
fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
