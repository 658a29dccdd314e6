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
run_unit build/unit-tests release
run_expect build/adsim release

# bad input: file:line:col, exit 2, no crash
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
printf 'scenario x\nactor a kthread {\n  frobnicate 1\n}\n' > "$tmp/bad.adsim"
out=$(build/adsim check "$tmp/bad.adsim" 2>&1); st=$?
[ $st -eq 2 ] && echo "$out" | grep -q "bad.adsim:3:3: unknown operation 'frobnicate'" && ok "error location" || bad "error location ($st: $out)"
printf 'scenario x\nparam n = 1\nactor a[i in 0 .. n] cpu nope {\n}\n' > "$tmp/bad2.adsim"
out=$(build/adsim check "$tmp/bad2.adsim" 2>&1); st=$?
[ $st -eq 2 ] && echo "$out" | grep -q "bad2.adsim:3:7: unknown process 'nope'" && ok "unknown reference" || bad "unknown reference ($st: $out)"
out=$(build/adsim check scenarios/seeds/fast-pf-lost-dirty.adsim --set mmu_spte_update=maybe 2>&1); st=$?
[ $st -eq 2 ] && echo "$out" | grep -q "expected racy|fixed" && ok "bad --set value" || bad "bad --set value ($st: $out)"

build/adsim check --help | grep -q -- "--por dpor|sleep|none" && ok "check --help" || bad "check --help"

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
assert d["aging"]["passes"]==3 and 0<d["aging"]["precision"]<=1 and 0<d["aging"]["recall"]<=1
assert d["written_back"]>0 and d["page_faults"]>=4096*0.9 and d["peak_rss_bytes"]>0' "$j"; then ok "sim json"; else bad "sim json (exit $rc)"; fi
j=$(./build/adsim sim --memory shmem --writeback 0 --clean 20K --accesses 200K --pages 2048 --compare clean_flush=after_unlock,none --json); rc=$?
if [ $rc -eq 1 ] && python3 -c 'import json,sys; d=json.loads(sys.argv[1]); a,b=d["runs"]
assert a["lost_writes"]==0 and b["lost_writes"]>0 and b["lost"][0]["consumer"]=="clean_record"
assert a["tlb_flushes"]>b["tlb_flushes"]' "$j"; then ok "sim --compare finds clean_flush=none losing writes"; else bad "sim --compare (exit $rc)"; fi
for args in "--pages 0" "--workload zipf:s=0" "--set nope=1" "--memory anon --writeback 1K" "--tlb-l1 48:4"; do
	out=$(./build/adsim sim $args 2>&1); rc=$?
	if [ $rc -eq 2 ] && echo "$out" | grep -q "^adsim sim: .*expected\|^adsim sim: .*needs\|^adsim sim: unknown"; then ok "sim rejects $args"; else bad "sim rejects $args (exit $rc: $out)"; fi
done

# dirty_track and uffd_copy_hint: both dirty-tracking methods report the same pages and lose
# none, wrprotect by faults; the uffd hints move A/D work to the walker; check takes both
j=$(./build/adsim sim --memory shmem --writeback 0 --aging 0 --clean 20K --accesses 200K --pages 2048 --compare dirty_track=clean,wrprotect --json); rc=$?
if [ $rc -eq 0 ] && python3 -c 'import json,sys; d=json.loads(sys.argv[1]); a,b=d["runs"]
assert a["lost_writes"]==0 and b["lost_writes"]==0
assert a["reported"]["clean_record"]==b["reported"]["clean_record"]>0
assert a["page_faults_by_kind"]["write_protect"]==0 and b["page_faults_by_kind"]["write_protect"]>0
assert a["mkwrite_calls"]==0 and b["mkwrite_calls"]==b["reported"]["clean_record"]' "$j"; then ok "sim --compare dirty_track"; else bad "sim --compare dirty_track (exit $rc)"; fi
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
	# the trace readers (lackey text and the binary format) likewise
	if out=$(bash tests/fuzz/run.sh "${FUZZ_TRACE_SECONDS:-20}" trace 2>&1); then
		ok "fuzz trace ($(echo "$out" | tail -1))"
	else
		bad "fuzz trace"; echo "$out" | tail -30
	fi
fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
