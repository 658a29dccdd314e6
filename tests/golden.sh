#!/usr/bin/env bash
# Golden exploration counts: for every shipped scenario, each expect line
# and each reduction (dpor, sleep), the verdict, executions, sleep-set
# blocked executions and steps.  These are not timings: a change means the
# model's steps or the reduction changed, which a commit must explain.
#
#   bash tests/golden.sh           compare with tests/golden.txt (exit 1 on a difference)
#   bash tests/golden.sh --update  rewrite tests/golden.txt
set -u
cd "$(dirname "$0")/.." || exit 2
gen() {
	for por in dpor sleep; do
		for f in scenarios/*/*.adsim; do
			build/adsim check --expect --json --por "$por" "$f" 2>/dev/null |
				python3 -c 'import json,sys
for i,l in enumerate(sys.stdin):
    d=json.loads(l); v=d["violation"]
    print(sys.argv[1], sys.argv[2], i + 1, v["oracle"] if v else "none", d["executions"], d["sleep_blocked"], d["steps"])' "$f" "$por"
		done
	done
}
if [ "${1:-}" = --update ]; then
	gen > tests/golden.txt
	echo "tests/golden.txt: $(wc -l < tests/golden.txt) runs"
	exit 0
fi
diff -u tests/golden.txt <(gen) > /tmp/golden.$$.diff
st=$?
if [ $st -eq 0 ]; then
	echo "golden counts: $(wc -l < tests/golden.txt) runs as recorded"
else
	cat /tmp/golden.$$.diff
fi
rm -f /tmp/golden.$$.diff
exit $st
