// SPDX-License-Identifier: GPL-2.0
/* scn/scn: errors name file:line:column and what was expected. */
#include "unit.h"

#include "../../scn/scn.h"
#include "../../exec/exec.h"
#include "../../exec/obs.h"

#include <string.h>

static void expect_error(const char *src, const char *want)
{
	struct scn s;
	char err[512] = "";
	int rc = scn_parse(&s, "t.adsim", src, err, sizeof(err));

	if (rc == 0 || !strstr(err, want)) {
		unit_failures++;
		printf("    input %.40s...: got '%s', expected '%s'\n", src, err, want);
	}
	scn_free(&s);
}

TEST(scn_errors_have_positions)
{
	expect_error("scenario x\nactor a kthread {\n  frobnicate 1\n}\n",
		     "t.adsim:3:3: unknown operation 'frobnicate'");
	expect_error("scenario x\nparam n = \n", "t.adsim:2:");
	expect_error("scenario \"x\n", "t.adsim:1:10: unterminated string");
	expect_error("scenario x\nexpect arch=arm : none\n", "t.adsim:2:8: unknown variant setting arch=arm");
	expect_error("scenario x\nexpect : maybe\n", "t.adsim:2:10: expected a verdict");
	expect_error("scenario x\nset nosuch = 1\n", "t.adsim:2:");
	expect_error("scenario x\nactor a kthread {\n", "t.adsim:");
	expect_error("scenario x\n@\n", "t.adsim:2:1: unexpected character '@'");
}

TEST(scn_expect_alternatives)
{
	struct scn s;
	char err[512];

	CHECK_EQ(scn_parse(&s, "t.adsim", "scenario x\nexpect arch=x86 : lost_write | stale_tlb\n",
			   err, sizeof(err)), 0);
	CHECK_EQ(s.nr_expects, 1);
	CHECK_EQ(s.expects[0].nset, 1);
	CHECK_EQ(s.expects[0].oracles,
		 (1u << ORACLE_LOST_WRITE) | (1u << ORACLE_STALE_TLB));
	scn_free(&s);
}

/* Limits found by fuzzing and review: each is an error, not a hang or crash. */
TEST(scn_limits)
{
	char src[8192];
	size_t n;
	struct scn s;
	struct scn_inst in;
	char err[512];

	expect_error("scenario x\nparam 5\n", "t.adsim:2:7: expected a parameter name");
	expect_error("scenario x\nexpect arch : none\n", "t.adsim:2:13: expected '='");
	n = (size_t)snprintf(src, sizeof(src), "scenario x\nfile f pages 1");
	for (int i = 0; i < 300; i++)
		n += (size_t)snprintf(src + n, sizeof(src) - n, "+1");
	snprintf(src + n, sizeof(src) - n, "\n");
	expect_error(src, "expression too long: at most 256 operators");
	/* many short expressions in one loop body are fine */
	n = (size_t)snprintf(src, sizeof(src),
			     "scenario x\nprocess p\nactor c cpu p {\n for i in 0 .. 1 {\n");
	for (int i = 0; i < 130; i++)
		n += (size_t)snprintf(src + n, sizeof(src) - n, "  write 4096 + i * 4096\n");
	snprintf(src + n, sizeof(src) - n, " }\n}\n");
	CHECK_EQ(scn_parse(&s, "t.adsim", src, err, sizeof(err)), 0);
	scn_free(&s);
	/* empty nested loops: bounded work at instantiation */
	CHECK_EQ(scn_parse(&s, "t.adsim",
			   "scenario x\nactor k kthread {\n for a in 0 .. 256 { for b in 0 .. 256 { for c in 0 .. 256 { } } }\n}\n",
			   err, sizeof(err)), 0);
	CHECK(scn_instantiate(&s, &in, err, sizeof(err)) != 0);
	CHECK(strstr(err, "loops run more than") != NULL);
	scn_free(&s);
}

/* Parses and instantiates src; the ops of actor 0 (or the set-up) in *in. */
static bool inst_ok(const char *src, struct scn_inst *in)
{
	struct scn s;
	char err[512] = "";
	bool ok = !scn_parse(&s, "t.adsim", src, err, sizeof(err)) &&
		  !scn_instantiate(&s, in, err, sizeof(err));

	if (!ok) {
		unit_failures++;
		printf("    %s\n", err);
	}
	scn_free(&s);
	return ok;
}

/* Parses src, then expects instantiation to fail with want. */
static void expect_inst_error(const char *src, const char *want)
{
	struct scn s;
	struct scn_inst in;
	char err[512] = "";

	if (scn_parse(&s, "t.adsim", src, err, sizeof(err)) ||
	    !scn_instantiate(&s, &in, err, sizeof(err)) || !strstr(err, want)) {
		unit_failures++;
		printf("    got '%s', expected '%s'\n", err, want);
	}
	scn_free(&s);
}

#define UFFD_HEAD "scenario u\nprocess p\nmmap p 0x10000 pages 4 private write\n"

TEST(scn_uffd_ops)
{
	static struct scn_inst in;
	const struct scn_op *op;

	if (!inst_ok(UFFD_HEAD
		     "actor c cpu p {\n"
		     "  uffd_register p 0x10000 4 * 4096\n"
		     "  uffd_wp p 0x10000 16384\n"
		     "  uffd_unwp p 0x11000 4096\n"
		     "  uffd_copy p 0x12000 4096 wp\n"
		     "  uffd_copy p 0x13000 4096\n"
		     "  uffd_zeropage p 0x13000 4096\n"
		     "}\n"
		     "actor k kthread { uffd_copy p 0x10000 4096 wp }\n"
		     "setup {\n  uffd_register p 0x10000 16384\n  k: uffd_wp p 0x10000 16384\n}\n",
		     &in))
		return;
	CHECK_EQ(in.actors[0].nr_ops, 6);
	op = in.actors[0].ops;
	CHECK_EQ(op[0].code, OPC_UFFD_REGISTER);
	CHECK_EQ(op[0].ref, 0);	/* process p */
	CHECK_EQ(op[0].a[0], 0x10000);
	CHECK_EQ(op[0].a[1], 16384);
	CHECK_EQ(op[1].code, OPC_UFFD_WP);
	CHECK_EQ(op[2].code, OPC_UFFD_UNWP);
	CHECK_EQ(op[2].a[0], 0x11000);
	CHECK_EQ(op[3].code, OPC_UFFD_COPY);
	CHECK_EQ(op[3].a[2], 1);	/* wp */
	CHECK_EQ(op[4].code, OPC_UFFD_COPY);
	CHECK_EQ(op[4].a[2], 0);
	CHECK_EQ(op[5].code, OPC_UFFD_ZEROPAGE);
	CHECK_EQ(in.actors[1].nr_ops, 1);	/* inline body: "wp" before '}' */
	CHECK_EQ(in.actors[1].ops[0].a[2], 1);
	CHECK_EQ(in.nr_setup, 2);
	CHECK_EQ(in.setup[0].code, OPC_UFFD_REGISTER);
	CHECK_EQ(in.setup_actor[0], -1);
	CHECK_EQ(in.setup[1].code, OPC_UFFD_WP);
	CHECK_EQ(in.setup_actor[1], 1);

	expect_error(UFFD_HEAD "actor c cpu p {\n  uffd_copy p 0x10000 4096 wq\n}\n",
		     "t.adsim:5:28: expected 'wp' or end of line, found 'wq'");
	expect_error(UFFD_HEAD "actor c cpu p {\n  uffd_wp p 0x10000\n}\n",
		     "t.adsim:5:20: expected a number, a name or '(', found end of line");
	expect_error(UFFD_HEAD "actor c cpu p {\n  uffd_zeropage p 0x10000 4096 wp\n}\n",
		     "t.adsim:5:32: expected end of line, found 'wp'");
	expect_inst_error(UFFD_HEAD "vm v process p\nactor g vcpu v {\n  uffd_wp p 0x10000 4096\n}\n",
			  "t.adsim:6:3: a vcpu cannot run 'uffd_wp'");
	expect_inst_error(UFFD_HEAD "actor c cpu p {\n}\nsetup {\n  uffd_wp p 0x10000 4096\n}\n",
			  "t.adsim:7:3: operation 'uffd_wp' needs an actor");
	expect_inst_error(UFFD_HEAD "actor c cpu q {\n}\n", "unknown process 'q'");
	expect_inst_error(UFFD_HEAD "actor c cpu p {\n  uffd_register q 0x10000 4096\n}\n",
			  "t.adsim:5:3: unknown process 'q'");
}

TEST(scn_pagemap_scan)
{
	static struct scn_inst in;
	const struct scn_op *op;

	if (!inst_ok(UFFD_HEAD
		     "param n = 3\n"
		     "actor c cpu p {\n"
		     "  pagemap_scan p 0x10000 16384\n"
		     "  pagemap_scan p 0x10000 16384 flags=wp_matching|check_wpasync mask=written "
		     "anyof=present|swapped|guard inverted=file return=written|present max_pages=n + 1 "
		     "vec=n * 2\n"
		     "  pagemap_scan p 0x10000 4096 vec = 0 return = 0 flags = 0 mask=wpallowed|written|"
		     "file|present|swapped|pfnzero|huge|soft_dirty|guard\n"
		     "  pagemap_scan p 0x10000 4096 vec=64 # a comment\n"
		     "}\n",
		     &in))
		return;
	CHECK_EQ(in.actors[0].nr_ops, 4);
	op = in.actors[0].ops;
	CHECK_EQ(op[0].code, OPC_PAGEMAP_SCAN);
	CHECK_EQ(op[0].ref, 0);
	CHECK_EQ(op[0].a[0], 0x10000);
	CHECK_EQ(op[0].a[1], 16384);
	/* the defaults */
	CHECK_EQ(op[0].a[2 + SCAN_FLAGS], 0);
	CHECK_EQ(op[0].a[2 + SCAN_MASK], 0);
	CHECK_EQ(op[0].a[2 + SCAN_ANYOF], 0);
	CHECK_EQ(op[0].a[2 + SCAN_INVERTED], 0);
	CHECK_EQ(op[0].a[2 + SCAN_RETURN], 0x1ff);	/* PM_SCAN_CATEGORIES */
	CHECK_EQ(op[0].a[2 + SCAN_MAX_PAGES], 0);
	CHECK_EQ(op[0].a[2 + SCAN_VEC], 16);
	/* every key: PAGE_IS_* and PM_SCAN_* by their uapi bits */
	CHECK_EQ(op[1].a[2 + SCAN_FLAGS], 3);
	CHECK_EQ(op[1].a[2 + SCAN_MASK], 1 << 1);
	CHECK_EQ(op[1].a[2 + SCAN_ANYOF], (1 << 3) | (1 << 4) | (1 << 8));
	CHECK_EQ(op[1].a[2 + SCAN_INVERTED], 1 << 2);
	CHECK_EQ(op[1].a[2 + SCAN_RETURN], (1 << 1) | (1 << 3));
	CHECK_EQ(op[1].a[2 + SCAN_MAX_PAGES], 4);
	CHECK_EQ(op[1].a[2 + SCAN_VEC], 6);
	CHECK_EQ(op[2].a[2 + SCAN_VEC], 0);
	CHECK_EQ(op[2].a[2 + SCAN_RETURN], 0);
	CHECK_EQ(op[2].a[2 + SCAN_FLAGS], 0);
	CHECK_EQ(op[2].a[2 + SCAN_MASK], 0x1ff);
	CHECK_EQ(op[3].a[2 + SCAN_VEC], 64);

#define SCAN(args) UFFD_HEAD "actor c cpu p {\n  pagemap_scan p 0x10000 4096 " args "\n}\n"
	expect_error(SCAN("colour=red"),
		     "t.adsim:5:31: expected a pagemap_scan key (flags, mask, anyof, inverted, return, max_pages, vec), found 'colour'");
	expect_error(SCAN("mask=written|dirty"),
		     "t.adsim:5:44: expected a page category (wpallowed|written|file|present|swapped|pfnzero|huge|soft_dirty|guard), found 'dirty'");
	expect_error(SCAN("mask=dirty"),
		     "t.adsim:5:36: expected 0 or a page category (wpallowed|written|file|present|swapped|pfnzero|huge|soft_dirty|guard), found 'dirty'");
	expect_error(SCAN("anyof=2"), "t.adsim:5:37: expected 0 or a page category");
	expect_error(SCAN("return=written|"), "t.adsim:5:46: expected a page category");
	expect_error(SCAN("return=written|0"), "t.adsim:5:46: expected a page category");
	expect_error(SCAN("flags=written"),
		     "t.adsim:5:37: expected 0 or a scan flag (wp_matching|check_wpasync), found 'written'");
	expect_error(SCAN("mask written"), "t.adsim:5:36: expected '=', found 'written'");
	expect_error(SCAN("vec="), "t.adsim:5:35: expected a number, a name or '(', found end of line");
	expect_error(SCAN("vec=1 vec=2"), "t.adsim:5:37: duplicate pagemap_scan key 'vec'");
	expect_error(SCAN("vec=1 2"), "t.adsim:5:37: expected KEY=VALUE (flags, mask, anyof, inverted, return, max_pages, vec) or end of line, found a number");
	expect_error(SCAN("mask=written | "), "t.adsim:5:46: expected a page category");
	expect_error(UFFD_HEAD "actor c cpu p {\n  pagemap_scan p 0x10000\n}\n",
		     "t.adsim:5:25: expected a number, a name or '(', found end of line");
	expect_inst_error(SCAN("vec=65"),
			  "t.adsim:5:31: vec=65: expected from 0 (no vector) to 64 page_region entries");
	expect_inst_error(SCAN("vec=0 - 1"), "t.adsim:5:31: vec=-1: expected from 0");
	expect_inst_error(SCAN("max_pages=1 - 2"),
			  "t.adsim:5:31: max_pages=-1: expected 0 (no limit) or a number of pages");
	expect_inst_error(SCAN("vec=nope"), "t.adsim:5:35: unknown name 'nope'");
	expect_inst_error(UFFD_HEAD "actor k kthread {\n}\nsetup {\n  pagemap_scan p 0x10000 4096\n}\n",
			  "t.adsim:7:3: operation 'pagemap_scan' needs an actor");
#undef SCAN
}

#define DL_HEAD "scenario x\nprocess q\nmmap q 0x10000 pages 4 shared write\n"

/* The dirty-log declarations and operations, and their errors. */
TEST(scn_dirty_log_ops)
{
	struct scn s;
	struct scn_inst in;
	char err[256];
	static const char ok[] = DL_HEAD
		"consumer dirty_log\nconsumer pagemap_scan\n"
		"vm v process q initially_set dirty_ring 512 manual_protect\n"
		"memslot v gfn 0 pages 4 hva 0x10000\n"
		"actor m cpu q {\n  kvm_get_dirty_log v 0\n  kvm_clear_dirty_log v 0 0 4\n"
		"  kvm_ring_harvest v\n  kvm_ring_reset v\n}\n"
		"setup {\n  kvm_log_dirty v 0 on\n}\n";

	CHECK(scn_parse(&s, "t.adsim", ok, err, sizeof(err)) == 0);
	CHECK(s.consumers[CONS_DIRTY_LOG] && s.consumers[CONS_PAGEMAP_SCAN]);
	CHECK(s.decls[2].manual_protect && s.decls[2].initially_set && s.decls[2].ring);
	CHECK(scn_instantiate(&s, &in, err, sizeof(err)) == 0);
	CHECK(in.ring[2] == 512 && in.nr_setup == 1 && in.setup[0].a[1] == 1);
	CHECK(in.actors[0].ops[1].code == OPC_KVM_CLEAR_DIRTY_LOG && in.actors[0].ops[1].a[2] == 4);
	scn_free(&s);

	expect_error(DL_HEAD "consumer dirty\n",
		     "t.adsim:4:10: unknown consumer 'dirty': expected writeback, clean_record, lazyfree, pagemap_scan or dirty_log");
	expect_error(DL_HEAD "vm v process q manual_protect manual_protect\n",
		     "t.adsim:4:31: expected manual_protect, initially_set, dirty_ring ENTRIES, legacy_mmu (each once) or end of line");
	expect_inst_error(DL_HEAD "vm v process q\nmemslot v gfn 0 pages 4 hva 0x10000\n"
			  "setup {\n  kvm_log_dirty v 0 maybe\n}\n",
			  "t.adsim:7:3: expected on or off, found 'maybe'");
	expect_inst_error(DL_HEAD "vm v process q dirty_ring 100\n",
			  "t.adsim:4:27: dirty_ring 100: expected a power of two from 256 to 65536 entries");
	expect_inst_error(DL_HEAD "vm v process q\nmemslot v gfn 0 pages 4 hva 0x10000\n"
			  "actor m cpu q {\n  kvm_get_dirty_log v 1\n}\n",
			  "t.adsim:7:3: kvm_get_dirty_log: memslot 1: expected 0 to 0 (vm 'v' has 1 memslots)");
	expect_inst_error(DL_HEAD "vm v process q\nmemslot v gfn 0 pages 4 hva 0x10000\n"
			  "actor m cpu q {\n  kvm_log_dirty v 0 on\n}\n",
			  "t.adsim:7:3: a cpu cannot run 'kvm_log_dirty' outside setup");
}
