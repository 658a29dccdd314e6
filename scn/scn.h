/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The scenario language (docs/scenarios.md): parse a .adsim file into
 * declarations and statements, then instantiate it for a set of parameter
 * values into flat per-actor operation lists.
 */
#ifndef ADSIM_SCN_SCN_H
#define ADSIM_SCN_SCN_H

#include <stdio.h>

#include "../exec/types.h"
#include "../variant/variant.h"

#define SCN_NAME 32
/* Statement arguments: pagemap_scan's PROC ADDR LEN + its SCN_SCAN_KEYS keys. */
#define SCN_MAX_ARGS 10
#define SCN_MAX_PARAMS 16
#define SCN_MAX_DECLS 32
#define SCN_MAX_EXPECT 8
#define SCN_MAX_OPS 256
/* Declared actors; with an IPI handler each for the CPUs and vCPUs they
 * stay within EXEC_MAX_ACTORS where hw_add_ipi_handlers() allows. */
#define SCN_MAX_ACTORS 10

struct scn_expr {
	char kind;	/* 'n' number, 'v' variable, or an operator + - * / */
	s64 num;
	char name[SCN_NAME];
	struct scn_expr *l, *r;
	int line, col;
};

struct scn_arg {
	bool is_name;
	char name[SCN_NAME];
	struct scn_expr *e;
	int line, col;	/* pagemap_scan keys: where KEY= stands (0: absent) */
};

struct scn_stmt {
	bool is_for;
	int line, col;
	char actor[SCN_NAME];	/* set-up statements: who runs it */
	char op[SCN_NAME];
	int nargs;
	struct scn_arg args[SCN_MAX_ARGS];
	char var[SCN_NAME];	/* for VAR in LO .. HI { BODY } */
	struct scn_expr *lo, *hi;
	struct scn_stmt *body;
	struct scn_stmt *next;
};

enum scn_decl_kind { D_FILE, D_PROCESS, D_MMAP, D_VM, D_MEMSLOT, D_ACTOR };

struct scn_decl {
	enum scn_decl_kind kind;
	int line, col;
	char name[SCN_NAME];
	char kind_name[SCN_NAME];	/* actor kind: cpu | vcpu | kthread */
	char ref[SCN_NAME];		/* process / vm / file it refers to */
	char file[SCN_NAME];
	char rep_var[SCN_NAME];		/* actor v[i in 0 .. n] */
	struct scn_expr *rep_n;
	struct scn_expr *addr, *pages, *gfn, *pgoff;
	bool shared, write;
	bool shmem;		/* file: a memfd, filled on first use */
	/* vm: KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2's flags, the dirty ring's entries */
	bool manual_protect, initially_set;
	bool legacy_mmu;	/* vm: kvm.tdp_mmu=0 */
	struct scn_expr *ring;
	struct scn_stmt *body;
};

struct scn_expect {
	int line;
	int nset;
	int var[4], val[4];
	u32 oracles;	/* accepted verdicts: bit (enum exec_oracle); ORACLE_NONE is "none" */
};

struct scn_param {
	char name[SCN_NAME];
	s64 value;
	bool set_by_user;
	int line, col;		/* where the file declares it */
};

struct scn {
	char path[256];
	char name[64];
	char desc[512];
	struct scn_param params[SCN_MAX_PARAMS];
	int nr_params;
	struct variant_cfg cfg;
	bool cfg_set[NR_VARIANTS];	/* by --set */
	bool cfg_in_file[NR_VARIANTS];	/* by one of the file's set lines */
	bool consumers[8];
	bool tlb_evict;
	s64 tlb_entries;
	struct scn_decl decls[SCN_MAX_DECLS];
	int nr_decls;
	struct scn_stmt *setup;
	struct scn_expect expects[SCN_MAX_EXPECT];
	int nr_expects;
	void *pool;	/* allocations, freed by scn_free() */
};

#define SCN_MAX_FILE (1u << 20)	/* the largest scenario, in bytes */

/*
 * Reads path whole (a file, a pipe or a FIFO) into a NUL-terminated
 * buffer to free(); NULL with the reason in err.
 */
char *scn_read_file(const char *path, char *err, size_t n);

/* Parses src; on error returns -1 with "file:line:col: ..." in err. */
int scn_parse(struct scn *s, const char *path, const char *src, char *err,
	      size_t errlen);
void scn_free(struct scn *s);
/* --set NAME=VALUE: a variant or a parameter. */
int scn_set(struct scn *s, const char *assign, char *err, size_t errlen);

/* ---- instantiated operations ---- */
enum scn_opcode {
#define OP(id, name, sig, actors, usage, what) OPC_##id,
#include "ops.def"
#undef OP
	OPC_NR
};

/*
 * pagemap_scan's KEY=VALUE arguments, in the order they follow ADDR and
 * LEN in scn_op.a[] (a[2 + SCAN_*]); an absent key has its default.
 */
enum scn_scan_key {
	SCAN_FLAGS, SCAN_MASK, SCAN_ANYOF, SCAN_INVERTED, SCAN_RETURN,
	SCAN_MAX_PAGES, SCAN_VEC, SCN_SCAN_KEYS
};
#define SCN_SCAN_MAX_VEC 64	/* page_region entries a scan may ask for */

/* uapi/linux/fs.h: PAGE_IS_* is bit i of scn_page_categories[i]. */
#define SCN_NR_PAGE_CATEGORIES 9
extern const char *const scn_page_categories[SCN_NR_PAGE_CATEGORIES];
/* PM_SCAN_WP_MATCHING, PM_SCAN_CHECK_WPASYNC: bit i of scn_scan_flags[i]. */
extern const char *const scn_scan_flags[2];

/* The values an instantiated operation carries. */
#define SCN_OP_VALUES (2 + SCN_SCAN_KEYS)

struct scn_op {
	u8 code;
	int line, col;	/* where the statement that emitted it stands */
	int ref;	/* index of the file / vm / process declaration */
	s64 a[SCN_OP_VALUES];
};

struct scn_opdesc {
	const char *name;
	const char *sig;	/* per argument, as in ops.def */
	const char *actors;	/* c v k, s = set-up (ops.def) */
	const char *usage;	/* "read ADDR" */
	const char *what;	/* what it does, for --help and the docs */
};

extern const struct scn_opdesc scn_ops[OPC_NR];
/* The operations as docs/scenarios.md's table (markdown) or a --help list. */
void scn_print_ops(FILE *f, bool markdown);

struct scn_actor_inst {
	char name[SCN_NAME];
	char kind;		/* 'c' cpu, 'v' vcpu, 'k' kthread */
	int ref;		/* process (cpu) or vm (vcpu) declaration */
	struct scn_op ops[SCN_MAX_OPS];
	int nr_ops;
};

struct scn_inst {
	struct scn_actor_inst actors[SCN_MAX_ACTORS];
	int nr_actors;
	struct scn_op setup[SCN_MAX_OPS];
	int setup_actor[SCN_MAX_OPS];
	int nr_setup;
	/* evaluated declaration values */
	s64 addr[SCN_MAX_DECLS], pages[SCN_MAX_DECLS], gfn[SCN_MAX_DECLS],
		pgoff[SCN_MAX_DECLS], ring[SCN_MAX_DECLS];
};

int scn_instantiate(const struct scn *s, struct scn_inst *in, char *err,
		    size_t errlen);
int scn_decl_index(const struct scn *s, enum scn_decl_kind kind, const char *name);

#endif
