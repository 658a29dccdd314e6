obj/release/exec/exec.c.o: exec/exec.c exec/exec.h exec/types.h \
 exec/obs.h
exec/exec.h:
exec/types.h:
exec/obs.h:
