/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hardware page-table entry formats.
 *
 * x86-64 4-level paging (Intel SDM "4-Level Paging"; arch/x86/include/asm/
 * pgtable_types.h for the software bits), and the EPT format a vCPU's
 * guest-physical accesses walk (SDM "EPT Translation Mechanism"; arch/x86/
 * include/asm/vmx.h).  The bits the hardware walker reads or sets are
 * defined here; KVM's software bits live in kvm/mmu/spte.h.
 */
#ifndef ADSIM_HW_PGTABLE_TYPES_H
#define ADSIM_HW_PGTABLE_TYPES_H

#include "../exec/types.h"

/*
 * x86 PTE:  bit 0 P, 1 RW, 2 US, 3 PWT, 4 PCD, 5 A, 6 D, 7 PS (PMD/PUD),
 * 8 G, 9-11 and 52-58 available to software, 63 NX, 12-51 the frame.
 */
#define _PAGE_BIT_PRESENT 0
#define _PAGE_BIT_RW 1
#define _PAGE_BIT_USER 2
#define _PAGE_BIT_PWT 3
#define _PAGE_BIT_PCD 4
#define _PAGE_BIT_ACCESSED 5
#define _PAGE_BIT_DIRTY 6
#define _PAGE_BIT_PSE 7
#define _PAGE_BIT_GLOBAL 8
#define _PAGE_BIT_SOFTW1 9
#define _PAGE_BIT_SOFTW2 10
#define _PAGE_BIT_SOFTW3 11
#define _PAGE_BIT_UFFD_WP _PAGE_BIT_SOFTW2
#define _PAGE_BIT_SOFT_DIRTY _PAGE_BIT_SOFTW3
#define _PAGE_BIT_SAVED_DIRTY 58
#define _PAGE_BIT_NX 63

#define _PAGE_PRESENT BIT_ULL(_PAGE_BIT_PRESENT)
#define _PAGE_RW BIT_ULL(_PAGE_BIT_RW)
#define _PAGE_USER BIT_ULL(_PAGE_BIT_USER)
#define _PAGE_PWT BIT_ULL(_PAGE_BIT_PWT)
#define _PAGE_PCD BIT_ULL(_PAGE_BIT_PCD)
#define _PAGE_ACCESSED BIT_ULL(_PAGE_BIT_ACCESSED)
#define _PAGE_DIRTY BIT_ULL(_PAGE_BIT_DIRTY)
#define _PAGE_PSE BIT_ULL(_PAGE_BIT_PSE)
#define _PAGE_GLOBAL BIT_ULL(_PAGE_BIT_GLOBAL)
#define _PAGE_SOFTW1 BIT_ULL(_PAGE_BIT_SOFTW1)
#define _PAGE_SOFTW2 BIT_ULL(_PAGE_BIT_SOFTW2)
#define _PAGE_SOFTW3 BIT_ULL(_PAGE_BIT_SOFTW3)
#define _PAGE_UFFD_WP BIT_ULL(_PAGE_BIT_UFFD_WP)
#define _PAGE_SOFT_DIRTY BIT_ULL(_PAGE_BIT_SOFT_DIRTY)
#define _PAGE_SAVED_DIRTY BIT_ULL(_PAGE_BIT_SAVED_DIRTY)
#define _PAGE_NX BIT_ULL(_PAGE_BIT_NX)
#define PTE_PFN_MASK 0x000ffffffffff000ULL

/* x86's vm_page_prot values all carry _PAGE_ACCESSED (pgtable_types.h). */
#define _PAGE_TABLE (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED)

/*
 * EPT entry: bit 0 R, 1 W, 2 X, 3-5 memory type, 6 IPAT, 7 large page,
 * 8 Accessed, 9 Dirty (with EPT A/D enabled), 12-51 the frame.  An entry
 * whose R, W and X are all 0 is not present to the hardware.
 */
#define VMX_EPT_READABLE_MASK 0x1ULL
#define VMX_EPT_WRITABLE_MASK 0x2ULL
#define VMX_EPT_EXECUTABLE_MASK 0x4ULL
#define VMX_EPT_RWX_MASK 0x7ULL
#define VMX_EPT_MT_WB (6ULL << 3)
#define VMX_EPT_IPAT_BIT BIT_ULL(6)
#define PT_PAGE_SIZE_MASK BIT_ULL(7)
#define VMX_EPT_ACCESS_BIT BIT_ULL(8)
#define VMX_EPT_DIRTY_BIT BIT_ULL(9)

#define PT64_ENT_PER_PAGE 512
#define PG_LEVEL_4K 1
#define PG_LEVEL_2M 2
#define PG_LEVEL_1G 3
#define PT64_ROOT_4LEVEL 4

/* Page-table level shift: level 1 maps 4 KiB, level 2 2 MiB, ... */
static inline int hw_level_shift(int level)
{
	return PAGE_SHIFT + 9 * (level - 1);
}

static inline u64 hw_level_pages(int level)
{
	return 1ULL << (9 * (level - 1));
}

static inline int hw_index(u64 addr, int level)
{
	return (int)((addr >> hw_level_shift(level)) & 511);
}

#endif
