obj/asan/mm/mmu_notifier.c.o: mm/mmu_notifier.c mm/mm.h mm/../exec/exec.h \
 mm/../exec/types.h mm/../exec/obs.h mm/../hw/hw.h \
 mm/../hw/../exec/exec.h mm/../hw/../exec/obs.h \
 mm/../hw/../variant/variant.h mm/../hw/../variant/../exec/types.h \
 mm/../hw/../variant/variants.def mm/../hw/pgtable_types.h \
 mm/../hw/../exec/types.h mm/../variant/variant.h
mm/mm.h:
mm/../exec/exec.h:
mm/../exec/types.h:
mm/../exec/obs.h:
mm/../hw/hw.h:
mm/../hw/../exec/exec.h:
mm/../hw/../exec/obs.h:
mm/../hw/../variant/variant.h:
mm/../hw/../variant/../exec/types.h:
mm/../hw/../variant/variants.def:
mm/../hw/pgtable_types.h:
mm/../hw/../exec/types.h:
mm/../variant/variant.h:
