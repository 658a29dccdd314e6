obj/asan/kvm/mmu/mmu.c.o: kvm/mmu/mmu.c kvm/mmu/../kvm.h \
 kvm/mmu/../../exec/exec.h kvm/mmu/../../exec/types.h \
 kvm/mmu/../../hw/hw.h kvm/mmu/../../hw/../exec/exec.h \
 kvm/mmu/../../hw/../exec/obs.h kvm/mmu/../../hw/../exec/types.h \
 kvm/mmu/../../hw/../variant/variant.h \
 kvm/mmu/../../hw/../variant/../exec/types.h \
 kvm/mmu/../../hw/../variant/variants.def \
 kvm/mmu/../../hw/pgtable_types.h kvm/mmu/../../hw/../exec/types.h \
 kvm/mmu/../../mm/mm.h kvm/mmu/../../mm/../exec/exec.h \
 kvm/mmu/../../mm/../exec/obs.h kvm/mmu/../../mm/../hw/hw.h \
 kvm/mmu/../../mm/../variant/variant.h kvm/mmu/../../variant/variant.h \
 kvm/mmu/../mmu/spte.h kvm/mmu/../mmu/../../hw/pgtable_types.h
kvm/mmu/../kvm.h:
kvm/mmu/../../exec/exec.h:
kvm/mmu/../../exec/types.h:
kvm/mmu/../../hw/hw.h:
kvm/mmu/../../hw/../exec/exec.h:
kvm/mmu/../../hw/../exec/obs.h:
kvm/mmu/../../hw/../exec/types.h:
kvm/mmu/../../hw/../variant/variant.h:
kvm/mmu/../../hw/../variant/../exec/types.h:
kvm/mmu/../../hw/../variant/variants.def:
kvm/mmu/../../hw/pgtable_types.h:
kvm/mmu/../../hw/../exec/types.h:
kvm/mmu/../../mm/mm.h:
kvm/mmu/../../mm/../exec/exec.h:
kvm/mmu/../../mm/../exec/obs.h:
kvm/mmu/../../mm/../hw/hw.h:
kvm/mmu/../../mm/../variant/variant.h:
kvm/mmu/../../variant/variant.h:
kvm/mmu/../mmu/spte.h:
kvm/mmu/../mmu/../../hw/pgtable_types.h:
