// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the trace readers (sim/trace.c): the input is parsed
 * as lackey text and as a binary trace, both named "fuzz.trace".
 *
 * Invariants checked (abort() so that libFuzzer reports the input):
 *  - an error starts with "fuzz.trace:LINE:COL: expected " or
 *    "fuzz.trace:LINE:COL: out of memory"; for lackey text 1 <= LINE <=
 *    lines of the input and 1 <= COL <= that line's length + 1; for the
 *    binary format LINE == 1 and 1 <= COL <= size + 1; a failed parse
 *    leaves the trace empty;
 *  - a successful parse has every page below nr_pages <= 2^31, pages in
 *    first-touch order, writes equal to the write records, and (lackey) at
 *    least one record per data line and one write per S/M line, or
 *    (binary) (size - 32) / 4 records;
 *  - a lackey result, encoded here by hand in the binary format, parses
 *    back to the same records; a binary input parsed from an unaligned
 *    copy gives the same result as from the aligned buffer;
 *  - lackey text read from a pipe in chunks, as trace_load() reads a file
 *    (but with chunks of 4099 bytes and up, so lines straddle them), gives
 *    the same records or the same error as the whole text in memory.
 * Sanitizers (ASan, UBSan, LeakSanitizer) and libFuzzer's -timeout catch
 * the rest.  Built and run by: bash tests/fuzz/run.sh SECONDS trace
 *
 * sim/trace.c is included, not linked, to reach its chunked reader.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../../sim/trace.c"

#define NAME "fuzz.trace"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *err, size_t size)
{
	fprintf(stderr, "fuzz trace: invariant broken: %s\n  err: \"%s\"\n  input: %zu bytes\n",
		what, err, size);
	abort();
}

static unsigned long long number(const char **p)
{
	unsigned long long v = 0;

	while (**p >= '0' && **p <= '9' && v < 100000000000ull)
		v = v * 10 + (unsigned long long)(*(*p)++ - '0');
	return v;
}

/* "fuzz.trace:LINE:COL: expected ..." (or out of memory); *line, *col. */
static void check_err_shape(const char *err, size_t size, unsigned long long *line,
			    unsigned long long *col)
{
	const char *p = err;

	if (strncmp(p, NAME ":", sizeof(NAME)))
		fail("error without \"" NAME ":\"", err, size);
	p += sizeof(NAME);
	if (*p < '1' || *p > '9')
		fail("error without a positive line", err, size);
	*line = number(&p);
	if (*p++ != ':' || *p < '1' || *p > '9')
		fail("error without a positive column", err, size);
	*col = number(&p);
	if (strncmp(p, ": expected ", 11) && strncmp(p, ": out of memory", 15))
		fail("error neither \": expected ...\" nor \": out of memory\"", err, size);
}

static void check_empty(const struct trace *t, const char *err, size_t size)
{
	if (t->rec || t->nr || t->nr_pages || t->writes || t->alloc || t->map)
		fail("a failed parse left a non-empty trace", err, size);
}

static void check_trace(const struct trace *t, size_t size)
{
	u64 next = 0, writes = 0;

	if (t->nr_pages > TRACE_MAX_PAGES || t->nr_pages > t->nr || (t->nr && !t->rec))
		fail("nr_pages out of range", "", size);
	for (u64 i = 0; i < t->nr; i++) {
		u32 page = t->rec[i] & TRACE_PAGE_MASK;

		if (page >= t->nr_pages)
			fail("a record's page is not below nr_pages", "", size);
		if (page > next)
			fail("pages not numbered in first-touch order", "", size);
		next += page == next;
		writes += t->rec[i] >> 31;
	}
	if (next != t->nr_pages)
		fail("nr_pages is not the number of distinct pages", "", size);
	if (writes != t->writes)
		fail("writes does not count the write records", "", size);
}

static void put32(unsigned char *p, u32 v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *p, u64 v)
{
	put32(p, (u32)v);
	put32(p + 4, (u32)(v >> 32));
}

/* Encode t as docs/traces.md describes and parse it back. */
static void check_binary_round_trip(const struct trace *t, size_t size)
{
	size_t len = TRACE_BIN_HEADER + 4 * (size_t)t->nr;
	unsigned char *b = calloc(1, len);
	struct trace u;
	char err[512] = "";

	if (!b)
		return;
	memcpy(b, "ADSIMTR", 7);
	b[7] = 1;
	put64(b + 8, t->nr_pages);
	put64(b + 16, t->nr);
	put64(b + 24, t->writes);
	for (u64 i = 0; i < t->nr; i++)
		put32(b + TRACE_BIN_HEADER + 4 * i, t->rec[i]);
	if (trace_parse_binary(&u, NAME, b, len, err, sizeof(err)))
		fail("the binary encoding of a lackey trace does not parse", err, size);
	if (u.nr != t->nr || u.nr_pages != t->nr_pages || u.writes != t->writes ||
	    (t->nr && memcmp(u.rec, t->rec, 4 * (size_t)t->nr)))
		fail("the binary encoding of a lackey trace parses to other records", "", size);
	trace_free(&u);
	free(b);
}

/*
 * Feed the text through a pipe to lackey_read() in chunks of at least
 * LACKEY_MAX_LINE + 3 bytes, the size picked by the input's last byte.
 * Inputs above 64 KiB would block the write: they are skipped.
 */
static void check_chunked(const uint8_t *data, size_t size, int rc, const struct trace *t,
			  const char *err)
{
	char err2[512] = "";
	struct trace u;
	int fd[2], rc2;
	size_t chunk = LACKEY_MAX_LINE + 3 + (size ? data[size - 1] * 3u : 0);

	if (size > 65536 || pipe(fd))
		return;
	if (write(fd[1], data, size) != (ssize_t)size) {
		close(fd[0]);
		close(fd[1]);
		return;
	}
	close(fd[1]);
	rc2 = lackey_read(&u, NAME, fd[0], "", 0, size, chunk, err2, sizeof(err2));
	close(fd[0]);
	if (rc != rc2 || strcmp(err, err2))
		fail("chunked reading gives another result than the whole text", err2, size);
	if (!rc && (u.nr != t->nr || u.nr_pages != t->nr_pages || u.writes != t->writes ||
		    (t->nr && memcmp(u.rec, t->rec, 4 * (size_t)t->nr))))
		fail("chunked reading gives other records than the whole text", "", size);
	trace_free(&u);
}

static void fuzz_lackey(const uint8_t *data, size_t size)
{
	struct trace t;
	char err[512] = "";
	unsigned long long line, col, lines = 1, data_lines = 0, write_lines = 0;

	for (size_t i = 0; i < size; i++) {
		if (data[i] != '\n')
			continue;
		lines++;
		if (i + 2 < size && data[i + 1] == ' ' &&
		    (data[i + 2] == 'L' || data[i + 2] == 'S' || data[i + 2] == 'M')) {
			data_lines++;
			write_lines += data[i + 2] != 'L';
		}
	}
	if (size >= 2 && data[0] == ' ' && (data[1] == 'L' || data[1] == 'S' || data[1] == 'M')) {
		data_lines++;
		write_lines += data[1] != 'L';
	}

	if (trace_parse_lackey(&t, NAME, (const char *)data, size, err, sizeof(err))) {
		size_t start = 0, len;

		check_err_shape(err, size, &line, &col);
		check_empty(&t, err, size);
		if (line > lines)
			fail("lackey error on a line past the input", err, size);
		for (unsigned long long l = 1; l < line; l++)
			start = (size_t)((const uint8_t *)memchr(data + start, '\n', size - start) - data) + 1;
		len = start < size && memchr(data + start, '\n', size - start) ?
			(size_t)((const uint8_t *)memchr(data + start, '\n', size - start) - data) - start :
			size - start;
		if (col > len + 1)
			fail("lackey error column past the end of its line", err, size);
		check_chunked(data, size, -1, &t, err);
		trace_free(&t);
		return;
	}
	check_chunked(data, size, 0, &t, err);
	if (t.format != TRACE_FMT_LACKEY)
		fail("lackey parse did not set the format", "", size);
	check_trace(&t, size);
	if (t.nr < data_lines || t.writes < write_lines)
		fail("fewer records than data lines, or writes than S/M lines", "", size);
	check_binary_round_trip(&t, size);
	trace_free(&t);
}

static void fuzz_binary(const uint8_t *data, size_t size)
{
	struct trace t, u;
	char err[512] = "", err2[512] = "";
	unsigned long long line, col;
	unsigned char *copy = malloc(size + 1);
	int rc, rc2;

	if (!copy)
		return;
	memcpy(copy + 1, data, size);
	rc = trace_parse_binary(&t, NAME, data, size, err, sizeof(err));
	rc2 = trace_parse_binary(&u, NAME, copy + 1, size, err2, sizeof(err2));
	if (rc != rc2 || strcmp(err, err2))
		fail("an unaligned copy parses differently", err2, size);
	if (rc) {
		check_err_shape(err, size, &line, &col);
		check_empty(&t, err, size);
		if (line != 1 || col > size + 1)
			fail("binary error not at 1:OFFSET+1 within the input", err, size);
	} else {
		if (t.format != TRACE_FMT_BINARY)
			fail("binary parse did not set the format", "", size);
		check_trace(&t, size);
		if (size < TRACE_BIN_HEADER || t.nr != (size - TRACE_BIN_HEADER) / 4)
			fail("records do not fill the file", "", size);
		if (u.nr != t.nr || (t.nr && memcmp(u.rec, t.rec, 4 * (size_t)t.nr)))
			fail("an unaligned copy gives other records", "", size);
	}
	trace_free(&t);
	trace_free(&u);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_lackey(data, size);
	fuzz_binary(data, size);
	return 0;
}
