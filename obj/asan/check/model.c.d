obj/asan/check/model.c.o: check/model.c check/model.h check/../cli/scn.h \
 check/../cli/../exec/types.h check/../cli/../variant/variant.h \
 check/../cli/../variant/../exec/types.h \
 check/../cli/../variant/variants.def check/../exec/arena.h \
 check/../exec/types.h check/../exec/exec.h check/../exec/obs.h \
 check/../hw/hw.h check/../hw/../exec/exec.h check/../hw/../exec/obs.h \
 check/../hw/../variant/variant.h check/../hw/pgtable_types.h \
 check/../hw/../exec/types.h check/../kvm/kvm.h \
 check/../kvm/../exec/exec.h check/../kvm/../hw/hw.h \
 check/../kvm/../mm/mm.h check/../kvm/../mm/../exec/exec.h \
 check/../kvm/../mm/../exec/obs.h check/../kvm/../mm/../hw/hw.h \
 check/../kvm/../mm/../variant/variant.h \
 check/../kvm/../variant/variant.h check/../kvm/mmu/spte.h \
 check/../kvm/mmu/../../hw/pgtable_types.h check/../mm/mm.h
check/model.h:
check/../cli/scn.h:
check/../cli/../exec/types.h:
check/../cli/../variant/variant.h:
check/../cli/../variant/../exec/types.h:
check/../cli/../variant/variants.def:
check/../exec/arena.h:
check/../exec/types.h:
check/../exec/exec.h:
check/../exec/obs.h:
check/../hw/hw.h:
check/../hw/../exec/exec.h:
check/../hw/../exec/obs.h:
check/../hw/../variant/variant.h:
check/../hw/pgtable_types.h:
check/../hw/../exec/types.h:
check/../kvm/kvm.h:
check/../kvm/../exec/exec.h:
check/../kvm/../hw/hw.h:
check/../kvm/../mm/mm.h:
check/../kvm/../mm/../exec/exec.h:
check/../kvm/../mm/../exec/obs.h:
check/../kvm/../mm/../hw/hw.h:
check/../kvm/../mm/../variant/variant.h:
check/../kvm/../variant/variant.h:
check/../kvm/mmu/spte.h:
check/../kvm/mmu/../../hw/pgtable_types.h:
check/../mm/mm.h:
