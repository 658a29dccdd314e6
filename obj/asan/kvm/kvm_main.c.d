obj/asan/kvm/kvm_main.c.o: kvm/kvm_main.c kvm/kvm.h kvm/../exec/exec.h \
 kvm/../exec/types.h kvm/../hw/hw.h kvm/../hw/../exec/exec.h \
 kvm/../hw/../exec/obs.h kvm/../hw/../exec/types.h \
 kvm/../hw/../variant/variant.h kvm/../hw/../variant/../exec/types.h \
 kvm/../hw/../variant/variants.def kvm/../hw/pgtable_types.h \
 kvm/../hw/../exec/types.h kvm/../mm/mm.h kvm/../mm/../exec/exec.h \
 kvm/../mm/../exec/obs.h kvm/../mm/../hw/hw.h \
 kvm/../mm/../variant/variant.h kvm/../variant/variant.h kvm/mmu/spte.h \
 kvm/mmu/../../hw/pgtable_types.h
kvm/kvm.h:
kvm/../exec/exec.h:
kvm/../exec/types.h:
kvm/../hw/hw.h:
kvm/../hw/../exec/exec.h:
kvm/../hw/../exec/obs.h:
kvm/../hw/../exec/types.h:
kvm/../hw/../variant/variant.h:
kvm/../hw/../variant/../exec/types.h:
kvm/../hw/../variant/variants.def:
kvm/../hw/pgtable_types.h:
kvm/../hw/../exec/types.h:
kvm/../mm/mm.h:
kvm/../mm/../exec/exec.h:
kvm/../mm/../exec/obs.h:
kvm/../mm/../hw/hw.h:
kvm/../mm/../variant/variant.h:
kvm/../variant/variant.h:
kvm/mmu/spte.h:
kvm/mmu/../../hw/pgtable_types.h:
