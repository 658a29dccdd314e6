obj/asan/hw/hw.c.o: hw/hw.c hw/hw.h hw/../exec/exec.h hw/../exec/types.h \
 hw/../exec/obs.h hw/../variant/variant.h hw/../variant/../exec/types.h \
 hw/../variant/variants.def hw/pgtable_types.h hw/../exec/types.h \
 hw/../exec/arena.h
hw/hw.h:
hw/../exec/exec.h:
hw/../exec/types.h:
hw/../exec/obs.h:
hw/../variant/variant.h:
hw/../variant/../exec/types.h:
hw/../variant/variants.def:
hw/pgtable_types.h:
hw/../exec/types.h:
hw/../exec/arena.h:
