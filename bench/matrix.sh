#!/usr/bin/env bash
# bench/matrix.sh -- docs/matrix.md: the verdict matrix of every seed
# scenario (`adsim check --matrix`), each under the question its seed
# thread asked (the scenario's header comment), with the command that
# produced it.
#   bash bench/matrix.sh > docs/matrix.md
set -euo pipefail
. "$(dirname "$0")/common.sh"

build_adsim
machine_header "adsim check --matrix: the seed scenarios' verdicts over their variants"
cat <<'TXT'

Each table decides one scenario for every combination of the values of
the variants it names: a row per combination of all but the last variant,
a column per value of the last, each cell the verdict with the executions
and time it took (`unknown`: incomplete).  Under it, each violation's
smallest fix: the configurations one variant away that are clean, and for
a variant ordered from weakest to strongest only the weakest clean value.
`!` would mark a cell a file's expect lines disagree with (none does).
The question and the answer are the scenario file's header.
TXT
for f in scenarios/seeds/*.adsim; do
	title=$(sed -n 's/^scenario [^ ]* "\(.*\)"$/\1/p' "$f")
	echo
	echo "## $title"
	echo
	echo "\`$f\`:"
	echo
	# the header comment, as a quote
	sed -n '/^#/!q; s/^# \{0,1\}/> /p' "$f"
	echo
	echo "    adsim check --matrix $f"
	echo
	"$ADSIM" check --matrix "$f" | sed -e "1s/(.*jobs, [0-9.]* s)/(seconds below are per cell)/" -e "s/^  /- /"
done
