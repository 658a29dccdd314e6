/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory traces of real programs, the input of `adsim sim --trace FILE`.
 *
 * The sim works at page granularity, so a loaded trace is a sequence of
 * page accesses: rec[i] is `page | TRACE_WRITE` for a write, `page` for a
 * read, where page is a dense index 0..nr_pages-1 of the traced program's
 * distinct 4 KiB virtual pages, numbered in first-touch order (the first
 * record names page 0, and each record names either a page seen before or
 * the next unused index).  Two formats load into it:
 *
 *  - lackey: the text that `valgrind --tool=lackey --trace-mem=yes` prints
 *    (trace_parse_lackey());
 *  - binary: adsim's own compact form of the records above, which loads
 *    with one mmap() and a validating pass (trace_parse_binary(),
 *    trace_write_binary()).
 *
 * docs/traces.md describes both formats byte by byte.  Every error is a
 * single line "NAME:LINE:COL: expected ..." in err; for the binary format
 * LINE is always 1 and COL is the byte offset of the offending field + 1.
 */
#ifndef ADSIM_SIM_TRACE_H
#define ADSIM_SIM_TRACE_H

#include "../exec/types.h"

#define TRACE_WRITE (1u << 31)
#define TRACE_PAGE_MASK (TRACE_WRITE - 1)
#define TRACE_MAX_PAGES (1ull << 31)	/* a page index must fit below TRACE_WRITE */

/* The binary format: a 32-byte little-endian header, then the records. */
#define TRACE_BIN_MAGIC "ADSIMTR"	/* 7 bytes, then the version byte */
#define TRACE_BIN_VERSION 1
#define TRACE_BIN_HEADER 32

/* Lackey accesses larger than this are rejected (lackey's largest is 512). */
#define TRACE_LACKEY_MAX_SIZE 65536

enum trace_format { TRACE_FMT_NONE, TRACE_FMT_LACKEY, TRACE_FMT_BINARY };

struct trace {
	const u32 *rec;		/* nr records: page | TRACE_WRITE if written */
	u64 nr;
	u64 nr_pages;		/* every page index in rec is below this */
	u64 writes;		/* records with TRACE_WRITE set */
	enum trace_format format;	/* what the input was */
	/* Ownership: rec points into alloc (malloc'd), or into map (an mmap'd
	 * binary file, read-only), or into the caller's buffer (neither set). */
	void *alloc;
	void *map;
	size_t map_len;
};

/*
 * Load PATH, detecting its format from its first bytes (TRACE_BIN_MAGIC
 * means binary, anything else is parsed as lackey text).  A binary file
 * stays mapped read-only until trace_free().
 * Return: 0, or -1 with the message in err and *t empty.
 */
int trace_load(struct trace *t, const char *path, char *err, size_t n);

/*
 * Parse lackey text buf[0..len) (no terminating NUL needed); NAME is the
 * file name used in messages.  Instruction fetches ("I") and valgrind's
 * own "==PID==" lines are skipped; an access that crosses a page boundary
 * yields one record per page, in address order.
 * Return: 0 with t->rec malloc'd, or -1 with the message in err, *t empty.
 */
int trace_parse_lackey(struct trace *t, const char *name, const char *buf, size_t len,
		       char *err, size_t n);

/*
 * Validate the binary trace buf[0..len): header, size, every record's page
 * in first-touch order below nr_pages, and the writes count.  On a
 * little-endian host with buf 4-byte aligned, t->rec points into buf (buf
 * must outlive t); otherwise the records are copied.
 * Return: 0, or -1 with the message in err and *t empty.
 */
int trace_parse_binary(struct trace *t, const char *name, const void *buf, size_t len,
		       char *err, size_t n);

/*
 * Write t in the binary format to PATH.tmp, fsync it and rename it to
 * PATH, so PATH is never a partial file; on failure PATH.tmp is removed.
 * Return: 0, or -1 with the message in err.
 */
int trace_write_binary(const struct trace *t, const char *path, char *err, size_t n);

/* Release what t owns and empty it; safe on an empty or failed trace. */
void trace_free(struct trace *t);

const char *trace_format_name(enum trace_format f);

/* `adsim trace convert|info ...`; returns the exit status. */
int trace_main(int argc, char **argv);

#endif
