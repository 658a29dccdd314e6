obj/release/exec/arena.c.o: exec/arena.c exec/arena.h exec/types.h
exec/arena.h:
exec/types.h:
