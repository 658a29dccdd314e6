obj/release/cli/main.c.o: cli/main.c cli/../check/explore.h \
 cli/../check/model.h cli/../check/../cli/scn.h \
 cli/../check/../cli/../exec/types.h \
 cli/../check/../cli/../variant/variant.h \
 cli/../check/../cli/../variant/../exec/types.h \
 cli/../check/../cli/../variant/variants.def cli/../check/../exec/arena.h \
 cli/../check/../exec/types.h cli/../check/../exec/exec.h \
 cli/../check/../exec/obs.h cli/../check/../hw/hw.h \
 cli/../check/../hw/../exec/exec.h cli/../check/../hw/../exec/obs.h \
 cli/../check/../hw/../variant/variant.h \
 cli/../check/../hw/pgtable_types.h cli/../check/../hw/../exec/types.h \
 cli/../check/../kvm/kvm.h cli/../check/../kvm/../exec/exec.h \
 cli/../check/../kvm/../hw/hw.h cli/../check/../kvm/../mm/mm.h \
 cli/../check/../kvm/../mm/../exec/exec.h \
 cli/../check/../kvm/../mm/../exec/obs.h \
 cli/../check/../kvm/../mm/../hw/hw.h \
 cli/../check/../kvm/../mm/../variant/variant.h \
 cli/../check/../kvm/../variant/variant.h cli/../check/../kvm/mmu/spte.h \
 cli/../check/../kvm/mmu/../../hw/pgtable_types.h cli/../check/../mm/mm.h \
 cli/scn.h
cli/../check/explore.h:
cli/../check/model.h:
cli/../check/../cli/scn.h:
cli/../check/../cli/../exec/types.h:
cli/../check/../cli/../variant/variant.h:
cli/../check/../cli/../variant/../exec/types.h:
cli/../check/../cli/../variant/variants.def:
cli/../check/../exec/arena.h:
cli/../check/../exec/types.h:
cli/../check/../exec/exec.h:
cli/../check/../exec/obs.h:
cli/../check/../hw/hw.h:
cli/../check/../hw/../exec/exec.h:
cli/../check/../hw/../exec/obs.h:
cli/../check/../hw/../variant/variant.h:
cli/../check/../hw/pgtable_types.h:
cli/../check/../hw/../exec/types.h:
cli/../check/../kvm/kvm.h:
cli/../check/../kvm/../exec/exec.h:
cli/../check/../kvm/../hw/hw.h:
cli/../check/../kvm/../mm/mm.h:
cli/../check/../kvm/../mm/../exec/exec.h:
cli/../check/../kvm/../mm/../exec/obs.h:
cli/../check/../kvm/../mm/../hw/hw.h:
cli/../check/../kvm/../mm/../variant/variant.h:
cli/../check/../kvm/../variant/variant.h:
cli/../check/../kvm/mmu/spte.h:
cli/../check/../kvm/mmu/../../hw/pgtable_types.h:
cli/../check/../mm/mm.h:
cli/scn.h:
