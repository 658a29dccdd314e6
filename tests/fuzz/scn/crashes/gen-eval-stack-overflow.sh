#!/bin/sh
# Writes eval-stack-overflow.adsim: "file f pages 1+1+...+1" with N (default
# 150000) '+' operators, about 300 KB, under the 1 MiB input limit.  The
# parser builds a left-deep tree iteratively; eval() (cli/scn.c) recurses
# once per operator and overflows the 8 MiB stack: build/adsim segfaults,
# build/adsim-asan reports stack-overflow in eval.
n=${1:-150000}
out=${2:-eval-stack-overflow.adsim}
python3 -c "import sys; n=int(sys.argv[1]); sys.stdout.write('scenario chain\nfile f pages 1' + '+1' * n + '\nactor k kthread {\n}\n')" "$n" >"$out"
echo "wrote $out ($n operators)"
