// SPDX-License-Identifier: GPL-2.0
/*
 * The trace readers of the sim layer: valgrind lackey text and adsim's
 * binary trace format, both loaded into the page-granular records of
 * struct trace (sim/trace.h), and the binary writer.
 *
 * Lackey text (one event per line, docs/traces.md):
 *
 *	I  0401b30,3		instruction fetch: skipped (the sim models the
 *				data TLB), but checked like the others
 *	 L 1ffefffd38,8		load: a read
 *	 S 04a2e040,8		store: a write
 *	 M 1ffefffd30,8		modify (load then store): a write
 *	==1234== ...		valgrind's own messages ('--' and '**' too): skipped
 *	SB 0401b30		superblock entry (--trace-superblocks=yes): skipped
 *
 * The address is hexadecimal (any case, at most 64 bits), the size decimal
 * bytes, 1..TRACE_LACKEY_MAX_SIZE.  An access covering [addr, addr+size)
 * yields one record per 4 KiB page it touches, lowest page first.  Blank
 * lines and a '\r' before the '\n' are accepted.
 *
 * Invariants of a loaded trace, whatever the format (trace_check() below
 * enforces them on every binary input and before every binary output):
 *  1. rec[i] & TRACE_PAGE_MASK < nr_pages <= TRACE_MAX_PAGES;
 *  2. pages are numbered in first-touch order: a record either names a
 *     page some earlier record named, or the next unused index, so every
 *     index below nr_pages occurs and a trace has one binary encoding;
 *  3. writes == the number of records with TRACE_WRITE set.
 *
 * Cost: the lackey parser makes one pass over the text (trace_load()
 * reads it in 1 MiB chunks, so only the records stay in memory) and one
 * hash probe per data access whose page differs from the previous
 * access's; the binary loader maps the file and makes one pass over the
 * records.
 */
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* The largest records array the address space can index. */
#define TRACE_MAX_RECORDS ((u64)(SIZE_MAX / sizeof(u32)))

static void trace_init(struct trace *t)
{
	memset(t, 0, sizeof(*t));
}

void trace_free(struct trace *t)
{
	free(t->alloc);
	if (t->map)
		munmap(t->map, t->map_len);
	trace_init(t);
}

const char *trace_format_name(enum trace_format f)
{
	switch (f) {
	case TRACE_FMT_LACKEY:
		return "lackey";
	case TRACE_FMT_BINARY:
		return "binary";
	default:
		return "none";
	}
}

__attribute__((format(printf, 6, 7)))
static int trace_err(char *err, size_t n, const char *name, u64 line, u64 col,
		     const char *fmt, ...)
{
	va_list ap;
	int k;

	if (!n)
		return -1;
	k = snprintf(err, n, "%s:%llu:%llu: ", name, (unsigned long long)line,
		     (unsigned long long)col);
	if (k >= 0 && (size_t)k < n) {
		va_start(ap, fmt);
		vsnprintf(err + k, n - (size_t)k, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static bool host_is_le(void)
{
	const u32 one = 1;
	unsigned char c;

	memcpy(&c, &one, 1);
	return c == 1;
}

static u32 get_le32(const unsigned char *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static u64 get_le64(const unsigned char *p)
{
	return (u64)get_le32(p) | (u64)get_le32(p + 4) << 32;
}

static void put_le32(unsigned char *p, u32 v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put_le64(unsigned char *p, u64 v)
{
	put_le32(p, (u32)v);
	put_le32(p + 4, (u32)(v >> 32));
}

/*
 * Check invariants 1-3 of the file header over rec[0..nr).
 * Return: nr if they hold; otherwise the index of the first record that
 * breaks 1 or 2, or nr + 1 when only the counts (nr_pages, writes) differ;
 * *used and *writes are what the records say.
 */
static u64 trace_check(const u32 *rec, u64 nr, u64 nr_pages, u64 *used, u64 *writes)
{
	u64 next = 0, w = 0, i;

	for (i = 0; i < nr; i++) {
		u32 page = rec[i] & TRACE_PAGE_MASK;

		w += rec[i] >> 31;
		if (page >= next) {
			if (page != next || page >= nr_pages)
				break;
			next++;
		}
	}
	*used = next;
	*writes = w;
	if (i == nr && next != nr_pages)
		return nr + 1;
	return i;
}

/* ---- virtual page number -> dense index ---- */

/*
 * Open addressing with linear probing over a power-of-two table kept at
 * most half full, so a probe sequence is short; key is vpn + 1 (a vpn is
 * at most 52 bits), 0 marks an empty slot.  Indexes are handed out in
 * insertion order, which is first-touch order.
 */
struct page_slot {
	u64 key;
	u32 idx;
};

struct page_map {
	struct page_slot *slot;
	u64 mask;
	unsigned int shift;	/* 64 - log2(table size) */
	u64 nr;
};

#define PAGE_MAP_MIN_BITS 10

static u64 page_hash(u64 vpn, unsigned int shift)
{
	return (vpn * 0x9e3779b97f4a7c15ull) >> shift;
}

static int page_map_init(struct page_map *m)
{
	m->slot = calloc((size_t)1 << PAGE_MAP_MIN_BITS, sizeof(*m->slot));
	m->mask = ((u64)1 << PAGE_MAP_MIN_BITS) - 1;
	m->shift = 64 - PAGE_MAP_MIN_BITS;
	m->nr = 0;
	return m->slot ? 0 : -1;
}

static int page_map_grow(struct page_map *m)
{
	u64 size = (m->mask + 1) * 2;
	struct page_slot *s;

	if (size > SIZE_MAX / sizeof(*s))
		return -1;
	s = calloc((size_t)size, sizeof(*s));
	if (!s)
		return -1;
	for (u64 i = 0; i <= m->mask; i++) {
		u64 h;

		if (!m->slot[i].key)
			continue;
		h = page_hash(m->slot[i].key - 1, m->shift - 1);
		while (s[h].key)
			h = (h + 1) & (size - 1);
		s[h] = m->slot[i];
	}
	free(m->slot);
	m->slot = s;
	m->mask = size - 1;
	m->shift--;
	return 0;
}

/*
 * The dense index of vpn, assigning the next one on first sight.
 * Return: the index, -1 when TRACE_MAX_PAGES are in use, -2 out of memory.
 */
static long long page_map_index(struct page_map *m, u64 vpn)
{
	u64 h = page_hash(vpn, m->shift);

	for (;;) {
		struct page_slot *s = &m->slot[h];

		if (s->key == vpn + 1)
			return s->idx;
		if (!s->key)
			break;
		h = (h + 1) & m->mask;
	}
	if (m->nr == TRACE_MAX_PAGES)
		return -1;
	if ((m->nr + 1) * 2 > m->mask + 1) {
		if (page_map_grow(m))
			return -2;
		return page_map_index(m, vpn);
	}
	m->slot[h].key = vpn + 1;
	m->slot[h].idx = (u32)m->nr;
	return (long long)m->nr++;
}

/* ---- lackey text ---- */

/*
 * Longest accepted line other than valgrind's own messages; a data line is
 * under 40 bytes.  The bound lets trace_load() read the text in chunks.
 */
#define LACKEY_MAX_LINE 4096

struct lackey {
	const char *name;
	char *err;
	size_t n;
	u64 line;		/* lines started so far: the current one's number */
	const char *bol;	/* beginning of the current line, for columns */
	bool skipping;		/* inside a valgrind message longer than a chunk */
	bool failed;
	struct page_map pages;
	u64 last_vpn;		/* the previous data access's page, and its index */
	u32 last_idx;
	u32 *rec;
	u64 nr, cap, writes;
};

static int lackey_err(struct lackey *lk, const char *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int lackey_err(struct lackey *lk, const char *at, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	lk->failed = true;
	return trace_err(lk->err, lk->n, lk->name, lk->line, (u64)(at - lk->bol) + 1, "%s", msg);
}

/* Hexadecimal digit value + 1, 0 for anything else. */
static const unsigned char hex1[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
	['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

static bool is_hex(char c)
{
	return hex1[(unsigned char)c] != 0;
}

static bool is_dec(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Parse "ADDR,SIZE" ending exactly at eol, reporting what was expected.
 * Return: 0 with *addr and *size, or -1 with the error set.
 */
static int lackey_access(struct lackey *lk, const char *p, const char *eol, u64 *addr, u64 *size)
{
	const char *start = p;
	u64 a = 0, s = 0;

	if (p == eol || !is_hex(*p))
		return lackey_err(lk, p, "expected a hexadecimal address");
	for (; p < eol && is_hex(*p); p++) {
		if (a >> 60)
			return lackey_err(lk, start, "expected an address below 2^64");
		a = a << 4 | (u64)(hex1[(unsigned char)*p] - 1);
	}
	if (p == eol || *p != ',')
		return lackey_err(lk, p, "expected ',' after the address");
	start = ++p;
	if (p == eol || !is_dec(*p))
		return lackey_err(lk, p, "expected a decimal size");
	for (; p < eol && is_dec(*p); p++) {
		s = s * 10 + (u64)(*p - '0');
		if (s > TRACE_LACKEY_MAX_SIZE)
			return lackey_err(lk, start, "expected a size of at most %d bytes",
					  TRACE_LACKEY_MAX_SIZE);
	}
	if (p != eol)
		return lackey_err(lk, p, "expected the end of the line after the size");
	if (!s)
		return lackey_err(lk, start, "expected a size of at least 1 byte");
	if (a > UINT64_MAX - (s - 1))
		return lackey_err(lk, start, "expected an access that ends below 2^64");
	*addr = a;
	*size = s;
	return 0;
}

static int lackey_grow(struct lackey *lk, const char *at)
{
	u64 cap = lk->cap * 2;
	u32 *rec;

	if (cap > TRACE_MAX_RECORDS)
		cap = TRACE_MAX_RECORDS;
	if (cap == lk->nr)
		return lackey_err(lk, at, "expected at most %llu records (the records array is full)",
				  (unsigned long long)TRACE_MAX_RECORDS);
	rec = realloc(lk->rec, (size_t)cap * sizeof(*rec));
	if (!rec)
		return lackey_err(lk, at, "out of memory after %llu records",
				  (unsigned long long)lk->nr);
	lk->rec = rec;
	lk->cap = cap;
	return 0;
}

/* One record per page of [addr, addr + size); at is the address, for errors. */
static int lackey_emit(struct lackey *lk, u64 addr, u64 size, u32 write, const char *at)
{
	const u64 last = (addr + size - 1) >> PAGE_SHIFT;

	for (u64 vpn = addr >> PAGE_SHIFT; vpn <= last; vpn++) {
		u32 idx;

		if (vpn == lk->last_vpn) {
			idx = lk->last_idx;
		} else {
			long long r = page_map_index(&lk->pages, vpn);

			if (r == -1)
				return lackey_err(lk, at, "expected at most 2^31 distinct pages");
			if (r < 0)
				return lackey_err(lk, at, "out of memory after %llu distinct pages",
						  (unsigned long long)lk->pages.nr);
			idx = (u32)r;
			lk->last_vpn = vpn;
			lk->last_idx = idx;
		}
		if (lk->nr == lk->cap && lackey_grow(lk, at))
			return -1;
		lk->rec[lk->nr++] = idx | write;
		lk->writes += write >> 31;
	}
	return 0;
}

/* "==PID==", "--PID--" or "**PID**" at p: a line valgrind prints itself. */
static int lackey_banner(struct lackey *lk, const char *p, const char *eol)
{
	const char c = *p;
	const char *q = p + 1;

	if (q == eol || *q != c)
		return lackey_err(lk, q, "expected '%c%c' and a process id (a valgrind '%c%cPID%c%c' line)",
				  c, c, c, c, c, c);
	if (++q == eol || !is_dec(*q))
		return lackey_err(lk, q, "expected a process id after '%c%c'", c, c);
	while (q < eol && is_dec(*q))
		q++;
	if (eol - q < 2 || q[0] != c || q[1] != c)
		return lackey_err(lk, q, "expected '%c%c' after the process id", c, c);
	return 0;
}

/* One whole line [p, eol), eol excluding "\n" or "\r\n"; the slow path. */
static int lackey_line(struct lackey *lk, const char *p, const char *eol)
{
	u64 addr, size;
	const char *q;
	u32 write;

	if (p == eol)
		return 0;
	if (*p == '=' || *p == '-' || *p == '*')
		return lackey_banner(lk, p, eol);
	if (eol - p > LACKEY_MAX_LINE)
		return lackey_err(lk, p + LACKEY_MAX_LINE,
				  "expected the end of the line within %d bytes", LACKEY_MAX_LINE);
	switch (*p) {
	case ' ':
		q = p + 1;
		if (q == eol || (*q != 'L' && *q != 'S' && *q != 'M'))
			return lackey_err(lk, q, "expected 'L', 'S' or 'M' after a leading space");
		write = *q == 'L' ? 0 : TRACE_WRITE;
		if (++q == eol || *q != ' ')
			return lackey_err(lk, q, "expected ' ' after '%c'", q[-1]);
		while (q < eol && *q == ' ')
			q++;
		if (lackey_access(lk, q, eol, &addr, &size))
			return -1;
		return lackey_emit(lk, addr, size, write, q);
	case 'I':
		q = p + 1;
		if (q == eol || *q != ' ')
			return lackey_err(lk, q, "expected ' ' after 'I'");
		while (q < eol && *q == ' ')
			q++;
		return lackey_access(lk, q, eol, &addr, &size);
	case 'S':
		q = p + 1;
		if (q == eol || *q != 'B')
			break;
		if (++q == eol || *q != ' ')
			return lackey_err(lk, q, "expected ' ' after 'SB'");
		while (q < eol && *q == ' ')
			q++;
		if (q == eol || !is_hex(*q))
			return lackey_err(lk, q, "expected a hexadecimal address");
		while (q < eol && is_hex(*q))
			q++;
		if (q != eol)
			return lackey_err(lk, q, "expected the end of the line after the address");
		return 0;
	}
	return lackey_err(lk, p, "expected an access (' L', ' S', ' M' or 'I') or a valgrind '==PID==' line");
}

/*
 * The common, well-formed "I  ADDR,SIZE" or " X ADDR,SIZE" line, parsed in
 * one pass without first searching for its end.
 * Return: the start of the next line; NULL when the line is anything else,
 * malformed, or not complete in [p, end) (the caller then takes the slow
 * path); NULL with lk->failed when recording the access failed.
 */
static const char *lackey_fast(struct lackey *lk, const char *p, const char *end, bool at_eof)
{
	u64 a = 0, s = 0;
	u32 write = 0;
	bool data = false;
	const char *digits, *at;

	if (*p == ' ' && end - p > 1 && (p[1] == 'L' || p[1] == 'S' || p[1] == 'M')) {
		data = true;
		write = p[1] == 'L' ? 0 : TRACE_WRITE;
		p += 2;
	} else if (*p == 'I') {
		p++;
	} else {
		return NULL;
	}
	if (p == end || *p != ' ')
		return NULL;
	while (p < end && *p == ' ')
		p++;
	/* more than 16 address or 5 size digits: leave the range checks to lackey_line() */
	at = digits = p;
	for (; p < end && hex1[(unsigned char)*p]; p++)
		a = a << 4 | (u64)(hex1[(unsigned char)*p] - 1);
	if (p == digits || p - digits > 16 || p == end || *p != ',')
		return NULL;
	digits = ++p;
	for (; p < end && is_dec(*p); p++)
		s = s * 10 + (u64)(*p - '0');
	if (p == digits || p - digits > 5 || !s || s > TRACE_LACKEY_MAX_SIZE ||
	    a > UINT64_MAX - (s - 1) || p - lk->bol > LACKEY_MAX_LINE)
		return NULL;
	if (p < end && *p == '\r')
		p++;
	if (p == end) {
		if (!at_eof || p[-1] == '\r')
			return NULL;
	} else if (*p++ != '\n') {
		return NULL;
	}
	if (data && lackey_emit(lk, a, s, write, at))
		return NULL;
	return p;
}

/*
 * Parse the lines of buf[0..len).  Unless at_eof, a last line without its
 * '\n' is left for the next call, with what follows appended.
 * Return: the number of bytes consumed, or -1 with the error set.
 */
static long long lackey_feed(struct lackey *lk, const char *buf, size_t len, bool at_eof)
{
	const char *p = buf, *end = buf + len;

	if (lk->skipping) {
		const char *nl = memchr(p, '\n', len);

		if (!nl)
			return (long long)len;
		lk->skipping = false;
		p = nl + 1;
	}
	while (p < end) {
		const char *nl, *eol, *next;

		lk->line++;
		lk->bol = p;
		next = lackey_fast(lk, p, end, at_eof);
		if (next) {
			p = next;
			continue;
		}
		if (lk->failed)
			return -1;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl && !at_eof) {
			/* an unfinished line: wait for the rest, unless it is already too long */
			if (end - p <= LACKEY_MAX_LINE + 1) {
				lk->line--;
				break;
			}
			if (lackey_line(lk, p, end))
				return -1;
			lk->skipping = true;	/* a long valgrind message */
			return (long long)len;
		}
		eol = nl ? nl : end;
		if (eol > p && eol[-1] == '\r')
			eol--;
		if (lackey_line(lk, p, eol))
			return -1;
		p = nl ? nl + 1 : end;
	}
	return p - buf;
}

static int lackey_init(struct lackey *lk, const char *name, size_t hint, char *err, size_t n)
{
	memset(lk, 0, sizeof(*lk));
	lk->name = name;
	lk->err = err;
	lk->n = n;
	lk->last_vpn = UINT64_MAX;	/* above any vpn */
	/* about one data access per 40 bytes of a real trace */
	lk->cap = hint / 32 + 64;
	if (lk->cap > TRACE_MAX_RECORDS)
		lk->cap = TRACE_MAX_RECORDS;
	lk->rec = malloc((size_t)lk->cap * sizeof(*lk->rec));
	if (!lk->rec || page_map_init(&lk->pages)) {
		free(lk->rec);
		lk->rec = NULL;
		return trace_err(err, n, name, 1, 1, "out of memory");
	}
	return 0;
}

/* Hand the records to t (on success) and free the rest. */
static int lackey_finish(struct lackey *lk, struct trace *t, int ret)
{
	if (!ret) {
		u32 *rec = realloc(lk->rec, (size_t)(lk->nr ? lk->nr : 1) * sizeof(*rec));

		if (rec)	/* else keep the larger block */
			lk->rec = rec;
		t->rec = lk->rec;
		t->alloc = lk->rec;
		t->nr = lk->nr;
		t->nr_pages = lk->pages.nr;
		t->writes = lk->writes;
		t->format = TRACE_FMT_LACKEY;
		lk->rec = NULL;
	}
	free(lk->rec);
	free(lk->pages.slot);
	return ret;
}

int trace_parse_lackey(struct trace *t, const char *name, const char *buf, size_t len,
		       char *err, size_t n)
{
	struct lackey lk;

	trace_init(t);
	if (lackey_init(&lk, name, len, err, n))
		return -1;
	return lackey_finish(&lk, t, lackey_feed(&lk, buf, len, true) < 0 ? -1 : 0);
}

#define LACKEY_CHUNK ((size_t)1 << 20)

/*
 * Parse lackey text from fd in chunks of the given size, so the text is
 * never all in memory (nor needs to be a file: a pipe from valgrind
 * works); the first plen bytes were already read into prefix.  A chunk
 * holds at least one line of LACKEY_MAX_LINE bytes and its "\r\n" plus one
 * byte, so lackey_feed() consumes something from every full buffer.
 */
static int lackey_read(struct trace *t, const char *path, int fd, const char *prefix,
		       size_t plen, size_t size_hint, size_t chunk, char *err, size_t n)
{
	struct lackey lk;
	size_t have = plen;
	char *buf;
	int ret = -1;

	trace_init(t);
	if (chunk < LACKEY_MAX_LINE + 3)
		chunk = LACKEY_MAX_LINE + 3;
	if (chunk < plen)
		chunk = plen;
	if (lackey_init(&lk, path, size_hint, err, n))
		return -1;
	buf = malloc(chunk);
	if (!buf) {
		trace_err(err, n, path, 1, 1, "out of memory");
		return lackey_finish(&lk, t, -1);
	}
	memcpy(buf, prefix, plen);
	for (;;) {
		ssize_t k = read(fd, buf + have, chunk - have);
		long long used;

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			trace_err(err, n, path, lk.line + 1, 1, "read error: %s", strerror(errno));
			break;
		}
		have += (size_t)k;
		used = lackey_feed(&lk, buf, have, k == 0);
		if (used < 0)
			break;
		if (k == 0) {
			ret = 0;
			break;
		}
		memmove(buf, buf + used, have - (size_t)used);
		have -= (size_t)used;
	}
	free(buf);
	return lackey_finish(&lk, t, ret);
}

/* ---- the binary format ---- */

/*
 * Header, all little-endian (docs/traces.md):
 *	0	7	"ADSIMTR"
 *	7	1	version (TRACE_BIN_VERSION)
 *	8	8	nr_pages
 *	16	8	nr_records
 *	24	8	writes
 *	32	4 * nr_records	the records
 */
#define OFF_VERSION 7
#define OFF_PAGES 8
#define OFF_RECORDS 16
#define OFF_WRITES 24

int trace_parse_binary(struct trace *t, const char *name, const void *buf, size_t len,
		       char *err, size_t n)
{
	const unsigned char *b = buf;
	const size_t mlen = sizeof(TRACE_BIN_MAGIC) - 1;
	u64 nr_pages, nr, writes, body, bad, used, w;
	const u32 *rec;

	trace_init(t);
	for (size_t i = 0; i < mlen && i < len; i++)
		if (b[i] != (unsigned char)TRACE_BIN_MAGIC[i])
			return trace_err(err, n, name, 1, i + 1,
					 "expected the magic \"" TRACE_BIN_MAGIC "\" of an adsim binary trace");
	if (len < TRACE_BIN_HEADER)
		return trace_err(err, n, name, 1, len + 1,
				 "expected a %d-byte header, the file ends after %zu bytes",
				 TRACE_BIN_HEADER, len);
	if (b[OFF_VERSION] != TRACE_BIN_VERSION)
		return trace_err(err, n, name, 1, OFF_VERSION + 1,
				 "expected version %d, found %u", TRACE_BIN_VERSION, b[OFF_VERSION]);
	nr_pages = get_le64(b + OFF_PAGES);
	nr = get_le64(b + OFF_RECORDS);
	writes = get_le64(b + OFF_WRITES);
	if (nr_pages > TRACE_MAX_PAGES)
		return trace_err(err, n, name, 1, OFF_PAGES + 1,
				 "expected at most 2^31 pages, header says %llu",
				 (unsigned long long)nr_pages);
	body = len - TRACE_BIN_HEADER;
	if (body % 4 || body / 4 != nr)
		return trace_err(err, n, name, 1, OFF_RECORDS + 1,
				 "expected nr_records to match the file size: header says %llu records, the file has %llu bytes of records",
				 (unsigned long long)nr, (unsigned long long)body);
	if (writes > nr)
		return trace_err(err, n, name, 1, OFF_WRITES + 1,
				 "expected at most nr_records (%llu) writes, header says %llu",
				 (unsigned long long)nr, (unsigned long long)writes);

	if (host_is_le() && (uintptr_t)(b + TRACE_BIN_HEADER) % sizeof(u32) == 0) {
		rec = (const u32 *)(const void *)(b + TRACE_BIN_HEADER);
	} else {
		u32 *copy = malloc((size_t)(nr ? nr : 1) * sizeof(u32));

		if (!copy)
			return trace_err(err, n, name, 1, TRACE_BIN_HEADER + 1,
					 "out of memory for %llu records", (unsigned long long)nr);
		for (u64 i = 0; i < nr; i++)
			copy[i] = get_le32(b + TRACE_BIN_HEADER + 4 * i);
		t->alloc = copy;
		rec = copy;
	}

	bad = trace_check(rec, nr, nr_pages, &used, &w);
	if (bad < nr) {
		u32 page = rec[bad] & TRACE_PAGE_MASK;

		trace_free(t);
		if (page >= nr_pages)
			return trace_err(err, n, name, 1, TRACE_BIN_HEADER + 4 * bad + 1,
					 "expected a page below nr_pages (%llu) in record %llu, found %u",
					 (unsigned long long)nr_pages, (unsigned long long)bad, page);
		return trace_err(err, n, name, 1, TRACE_BIN_HEADER + 4 * bad + 1,
				 "expected a page of at most %llu in record %llu (pages are numbered in first-touch order), found %u",
				 (unsigned long long)used, (unsigned long long)bad, page);
	}
	if (bad == nr + 1) {
		trace_free(t);
		return trace_err(err, n, name, 1, OFF_PAGES + 1,
				 "expected nr_pages to be the number of distinct pages: header says %llu, the records use %llu",
				 (unsigned long long)nr_pages, (unsigned long long)used);
	}
	if (w != writes) {
		trace_free(t);
		return trace_err(err, n, name, 1, OFF_WRITES + 1,
				 "expected writes to count the write records: header says %llu, the records have %llu",
				 (unsigned long long)writes, (unsigned long long)w);
	}
	t->rec = rec;
	t->nr = nr;
	t->nr_pages = nr_pages;
	t->writes = writes;
	t->format = TRACE_FMT_BINARY;
	return 0;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t k = write(fd, p, len < (1u << 30) ? len : (1u << 30));

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		len -= (size_t)k;
	}
	return 0;
}

static int write_records(int fd, const u32 *rec, u64 nr)
{
	unsigned char buf[1 << 16];

	if (host_is_le())
		return write_all(fd, rec, (size_t)nr * sizeof(u32));
	while (nr) {
		size_t k = nr < sizeof(buf) / 4 ? (size_t)nr : sizeof(buf) / 4;

		for (size_t i = 0; i < k; i++)
			put_le32(buf + 4 * i, rec[i]);
		if (write_all(fd, buf, 4 * k))
			return -1;
		rec += k;
		nr -= k;
	}
	return 0;
}

/* Make a completed rename() durable; a failure here loses nothing yet. */
static void sync_parent_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	int fd;

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int trace_write_binary(const struct trace *t, const char *path, char *err, size_t n)
{
	unsigned char hdr[TRACE_BIN_HEADER] = { 0 };
	u64 used, w;
	size_t plen = strlen(path);
	char *tmp;
	int fd, e;

	if (t->nr_pages > TRACE_MAX_PAGES || trace_check(t->rec, t->nr, t->nr_pages, &used, &w) != t->nr ||
	    w != t->writes) {
		snprintf(err, n, "%s: not written: the trace breaks its invariants (pages in first-touch order below nr_pages, writes counted)",
			 path);
		return -1;
	}
	tmp = malloc(plen + sizeof(".tmp"));
	if (!tmp) {
		snprintf(err, n, "%s: out of memory", path);
		return -1;
	}
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".tmp", sizeof(".tmp"));

	memcpy(hdr, TRACE_BIN_MAGIC, sizeof(TRACE_BIN_MAGIC) - 1);
	hdr[OFF_VERSION] = TRACE_BIN_VERSION;
	put_le64(hdr + OFF_PAGES, t->nr_pages);
	put_le64(hdr + OFF_RECORDS, t->nr);
	put_le64(hdr + OFF_WRITES, t->writes);

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, n, "%s: cannot create: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	if (write_all(fd, hdr, sizeof(hdr)) || write_records(fd, t->rec, t->nr) || fsync(fd)) {
		e = errno;
		close(fd);
		goto fail;
	}
	if (close(fd)) {
		e = errno;
		goto fail;
	}
	if (rename(tmp, path)) {
		e = errno;
		snprintf(err, n, "%s: cannot rename %s to it: %s", path, tmp, strerror(e));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	sync_parent_dir(path);
	free(tmp);
	return 0;
fail:
	snprintf(err, n, "%s: cannot write: %s", tmp, strerror(e));
	unlink(tmp);
	free(tmp);
	return -1;
}

/* ---- loading a file ---- */

static ssize_t read_full(int fd, char *buf, size_t len)
{
	size_t have = 0;

	while (have < len) {
		ssize_t k = read(fd, buf + have, len - have);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		if (k == 0)
			break;
		have += (size_t)k;
	}
	return (ssize_t)have;
}

int trace_load(struct trace *t, const char *path, char *err, size_t n)
{
	const size_t mlen = sizeof(TRACE_BIN_MAGIC) - 1;
	char prefix[sizeof(TRACE_BIN_MAGIC) - 1];
	struct stat st;
	ssize_t plen;
	void *map;
	size_t len;
	int fd, ret;

	trace_init(t);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, n, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st)) {
		snprintf(err, n, "%s: cannot stat: %s", path, strerror(errno));
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, n, "%s: is a directory", path);
		goto fail;
	}
	plen = read_full(fd, prefix, mlen);
	if (plen < 0) {
		snprintf(err, n, "%s: read error: %s", path, strerror(errno));
		goto fail;
	}
	if ((size_t)plen < mlen || memcmp(prefix, TRACE_BIN_MAGIC, mlen)) {
		ret = lackey_read(t, path, fd, prefix, (size_t)plen,
				  S_ISREG(st.st_mode) ? (size_t)st.st_size : 0, LACKEY_CHUNK,
				  err, n);
		close(fd);
		return ret;
	}

	/* binary: mapped, so that loading costs one pass over the records */
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, n, "%s: a binary trace must be a regular file (it is mapped)", path);
		goto fail;
	}
	if ((unsigned long long)st.st_size > SIZE_MAX) {
		snprintf(err, n, "%s: %lld bytes do not fit in the address space", path,
			 (long long)st.st_size);
		goto fail;
	}
	len = (size_t)st.st_size;
	map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		snprintf(err, n, "%s: cannot map %zu bytes: %s", path, len, strerror(errno));
		goto fail;
	}
	close(fd);
	madvise(map, len, MADV_SEQUENTIAL);
	ret = trace_parse_binary(t, path, map, len, err, n);
	if (!ret && !t->alloc) {
		/* rec points into the mapping: t keeps it */
		t->map = map;
		t->map_len = len;
		return 0;
	}
	munmap(map, len);
	return ret;
fail:
	close(fd);
	return -1;
}
