#!/usr/bin/env bash
# The include direction (`make layers`): every #include "..." of a source
# file under a layer must name a header of its own layer or of one before
# it in the order given (the Makefile's LAYERS, bottom first).  A
# directory inside a layer (kvm/mmu) belongs to it.  Prints each
# violation as file:line and exits 1 if there is one.
#
#   bash tests/layers.sh exec variant hw mm kvm scn check sim host vskernel cli
set -u
cd "$(dirname "$0")/.." || exit 2
[ $# -gt 0 ] || { echo "usage: $0 LAYER..." >&2; exit 2; }
declare -A rank
i=0
for l in "$@"; do rank[$l]=$i; i=$((i + 1)); done
bad=0 files=0
layer_of() {	# path relative to the top -> its layer, or ""
	local top=${1%%/*}
	[ -n "${rank[$top]+x}" ] && [ "$top" != "$1" ] && echo "$top"
}
for l in "$@"; do
	for f in $(find "$l" \( -name '*.c' -o -name '*.h' -o -name '*.S' -o -name '*.def' \) | sort); do
		files=$((files + 1))
		while IFS=: read -r n inc; do
			inc=${inc#*\"}; inc=${inc%%\"*}
			t=$(realpath -m --relative-to=. "$(dirname "$f")/$inc")
			tl=$(layer_of "$t")
			if [ -z "$tl" ]; then
				echo "$f:$n: includes $inc, which lies in no layer"
				bad=1
			elif [ "${rank[$tl]}" -gt "${rank[$l]}" ]; then
				echo "$f:$n: includes $t of layer $tl, above its own layer $l"
				bad=1
			fi
		done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f")
	done
done
[ $bad -eq 0 ] && echo "layers: $files files, every include points down ($*)"
exit $bad
