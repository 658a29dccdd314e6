obj/release/cli/scn.c.o: cli/scn.c cli/scn.h cli/../exec/types.h \
 cli/../variant/variant.h cli/../variant/../exec/types.h \
 cli/../variant/variants.def cli/../exec/exec.h cli/../exec/types.h \
 cli/../exec/obs.h
cli/scn.h:
cli/../exec/types.h:
cli/../variant/variant.h:
cli/../variant/../exec/types.h:
cli/../variant/variants.def:
cli/../exec/exec.h:
cli/../exec/types.h:
cli/../exec/obs.h:
