// SPDX-License-Identifier: GPL-2.0
/*
 * sim/trace: lackey text and the binary format load into the same
 * page-granular records; malformed or corrupt input is an error naming
 * NAME:LINE:COL and what was expected, never a crash.
 */
#include "unit.h"

#include "../../sim/trace.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define W TRACE_WRITE

static bool same_records(const struct trace *t, const u32 *want, u64 n)
{
	if (t->nr != n)
		return false;
	for (u64 i = 0; i < n; i++)
		if (t->rec[i] != want[i]) {
			printf("    record %llu: got %#x, expected %#x\n", (unsigned long long)i,
			       t->rec[i], want[i]);
			return false;
		}
	return true;
}

/*
 * Pages in first-touch order:
 *	idx 0  vpn 0x1ffefffd	(stack)
 *	idx 1  vpn 0x4a2e
 *	idx 2  vpn 0x4a2f	(first reached by the access crossing into it)
 *	idx 3  vpn 0
 */
static const char lackey_snippet[] =
	"==4242== Lackey, an example Valgrind tool\n"
	"==4242== Command: ./prog\n"
	"==4242== \n"
	"I  0401b30,3\n"
	" L 1ffefffd38,8\n"		/* 0 */
	" S 04a2e040,8\n"		/* 1 W */
	"I  0401b33,5\n"
	" M 1ffefffd30,8\n"		/* 0 W: modify is a write */
	" L 04A2EFFC,8\n"		/* 1, 2: crosses a page boundary */
	"SB 0401b40\n"
	" S 04a2f000,4\n"		/* 2 W */
	"I  0401b38,2\n"
	" L 0,1\n"			/* 3 */
	"--4242-- a debug message\n"
	"**4242** a client message\n"
	"\n"
	"==4242== Counted 1 call to main()\n";

static const u32 lackey_want[] = { 0, 1 | W, 0 | W, 1, 2, 2 | W, 3 };

TEST(trace_lackey_records)
{
	struct trace t;
	char err[256] = "";

	CHECK_EQ(trace_parse_lackey(&t, "t.txt", lackey_snippet, strlen(lackey_snippet), err,
				    sizeof(err)), 0);
	CHECK(same_records(&t, lackey_want, ARRAY_SIZE(lackey_want)));
	CHECK_EQ(t.nr_pages, 4);
	CHECK_EQ(t.writes, 3);
	CHECK_EQ(t.format, TRACE_FMT_LACKEY);
	trace_free(&t);
	CHECK(t.rec == NULL && t.nr == 0);
}

/* CRLF line ends, no final newline, wide accesses, repeated pages. */
TEST(trace_lackey_shapes)
{
	/* 0xffc + 8192 bytes covers vpn 0, 1 and 2 */
	static const char src[] = "I  1,1\r\n S ffc,8192\r\n L 1000,4\r\n M    2ffe,2";
	static const u32 want[] = { 0 | W, 1 | W, 2 | W, 1, 2 | W };
	struct trace t;
	char err[256] = "";

	CHECK_EQ(trace_parse_lackey(&t, "t.txt", src, strlen(src), err, sizeof(err)), 0);
	CHECK(same_records(&t, want, ARRAY_SIZE(want)));
	CHECK_EQ(t.nr_pages, 3);
	CHECK_EQ(t.writes, 4);
	trace_free(&t);

	/* an empty text, or only valgrind's lines, is an empty trace */
	CHECK_EQ(trace_parse_lackey(&t, "t.txt", "", 0, err, sizeof(err)), 0);
	CHECK_EQ(t.nr, 0);
	trace_free(&t);
	CHECK_EQ(trace_parse_lackey(&t, "t.txt", "==1== \n", 7, err, sizeof(err)), 0);
	CHECK_EQ(t.nr + t.nr_pages, 0);
	trace_free(&t);
	/* the highest page of the address space */
	CHECK_EQ(trace_parse_lackey(&t, "t.txt", " S ffffffffffffffff,1\n", 22, err, sizeof(err)), 0);
	CHECK_EQ(t.nr, 1);
	trace_free(&t);
}

static void expect_lackey_error(const char *src, size_t len, const char *want)
{
	struct trace t;
	char err[512] = "";
	int rc = trace_parse_lackey(&t, "t.txt", src, len, err, sizeof(err));

	if (rc == 0 || strncmp(err, want, strlen(want))) {
		unit_failures++;
		printf("    input '%.40s': got %d '%s', expected '%s'\n", src, rc, err, want);
	}
	if (t.rec || t.nr || t.alloc) {
		unit_failures++;
		printf("    input '%.40s': a failed parse left records behind\n", src);
	}
	trace_free(&t);
}

#define LACKEY_ERROR(src, want) expect_lackey_error(src, sizeof(src) - 1, want)

TEST(trace_lackey_errors)
{
	char longline[6000];

	LACKEY_ERROR("I  0401b30,3\n L xyz,8\n", "t.txt:2:4: expected a hexadecimal address");
	LACKEY_ERROR(" L 1000\n", "t.txt:1:8: expected ',' after the address");
	LACKEY_ERROR(" L 1000,\n", "t.txt:1:9: expected a decimal size");
	LACKEY_ERROR(" L 1000,8x\n", "t.txt:1:10: expected the end of the line after the size");
	LACKEY_ERROR(" L 1000,8 \n", "t.txt:1:10: expected the end of the line after the size");
	LACKEY_ERROR(" X 1000,8\n", "t.txt:1:2: expected 'L', 'S' or 'M' after a leading space");
	LACKEY_ERROR(" L1000,8\n", "t.txt:1:3: expected ' ' after 'L'");
	LACKEY_ERROR("IL 1,2\n", "t.txt:1:2: expected ' ' after 'I'");
	LACKEY_ERROR("I  1,2,3\n", "t.txt:1:7: expected the end of the line after the size");
	LACKEY_ERROR("hello\n", "t.txt:1:1: expected an access (' L', ' S', ' M' or 'I')");
	LACKEY_ERROR("\t L 1,1\n", "t.txt:1:1: expected an access");
	LACKEY_ERROR(" L 1000,0\n", "t.txt:1:9: expected a size of at least 1 byte");
	LACKEY_ERROR(" L 1000,65537\n", "t.txt:1:9: expected a size of at most 65536 bytes");
	LACKEY_ERROR(" L 1000,99999999999999999999999\n", "t.txt:1:9: expected a size of at most");
	LACKEY_ERROR(" L 11112222333344445,8\n", "t.txt:1:4: expected an address below 2^64");
	LACKEY_ERROR(" S ffffffffffffffff,2\n", "t.txt:1:21: expected an access that ends below 2^64");
	LACKEY_ERROR("==12 oops\n", "t.txt:1:5: expected '==' after the process id");
	LACKEY_ERROR("=x\n", "t.txt:1:2: expected '==' and a process id");
	LACKEY_ERROR("==x==\n", "t.txt:1:3: expected a process id after '=='");
	LACKEY_ERROR("SB\n", "t.txt:1:3: expected ' ' after 'SB'");
	LACKEY_ERROR("SB 12g\n", "t.txt:1:6: expected the end of the line after the address");
	LACKEY_ERROR("SX 1\n", "t.txt:1:1: expected an access");
	LACKEY_ERROR("I  1,1\r\nI  2,2\r\n L zz,1\r\n", "t.txt:3:4: expected a hexadecimal address");
	LACKEY_ERROR("I  1,1\r\r\n", "t.txt:1:7: expected the end of the line after the size");
	LACKEY_ERROR("I  1,1\n\0", "t.txt:2:1: expected an access");
	LACKEY_ERROR(" L 10", "t.txt:1:6: expected ',' after the address");

	/* lines are bounded, except valgrind's own (a long command line) */
	memset(longline, ' ', sizeof(longline));
	longline[0] = 'I';
	memcpy(longline + sizeof(longline) - 5, "0,1\n", 5);
	expect_lackey_error(longline, strlen(longline),
			    "t.txt:1:4097: expected the end of the line within 4096 bytes");
	memset(longline, 'x', sizeof(longline));
	memcpy(longline, "==1== ", 6);
	longline[sizeof(longline) - 1] = 0;
	{
		struct trace t;
		char err[256];

		CHECK_EQ(trace_parse_lackey(&t, "t.txt", longline, strlen(longline), err, sizeof(err)), 0);
		trace_free(&t);
	}
}

/* ---- binary ---- */

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

/* The binary encoding of lackey_want, written out by hand from docs/traces.md. */
static size_t encode(unsigned char *b)
{
	const size_t nr = ARRAY_SIZE(lackey_want);

	memcpy(b, "ADSIMTR", 7);
	b[7] = 1;
	put64(b + 8, 4);
	put64(b + 16, nr);
	put64(b + 24, 3);
	for (size_t i = 0; i < nr; i++)
		put32(b + 32 + 4 * i, lackey_want[i]);
	return 32 + 4 * nr;
}

static char tmpdir[64];

static const char *tmp_path(const char *leaf)
{
	static char path[128];

	if (!tmpdir[0]) {
		strcpy(tmpdir, "/tmp/adsim-unit-trace-XXXXXX");
		if (!mkdtemp(tmpdir))
			return NULL;
	}
	snprintf(path, sizeof(path), "%s/%s", tmpdir, leaf);
	return path;
}

static void tmp_cleanup(const char **leaves, int n)
{
	for (int i = 0; i < n; i++)
		unlink(tmp_path(leaves[i]));
	rmdir(tmpdir);
	tmpdir[0] = 0;
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b = malloc(1 << 16);

	*len = f && b ? fread(b, 1, 1 << 16, f) : 0;
	if (f)
		fclose(f);
	return b;
}

TEST(trace_binary_round_trip)
{
	const char *leaves[] = { "t.bin", "t.bin.tmp", "t.txt", "nodir/x.bin.tmp" };
	unsigned char want[64];
	size_t wlen = encode(want), len;
	struct trace t, u;
	char err[512] = "", path[160];
	unsigned char *bytes;
	struct stat st;
	FILE *f;

	CHECK(tmp_path("t.bin") != NULL);
	CHECK_EQ(trace_parse_lackey(&t, "t.txt", lackey_snippet, strlen(lackey_snippet), err,
				    sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s", tmp_path("t.bin"));
	CHECK_EQ(trace_write_binary(&t, path, err, sizeof(err)), 0);
	CHECK(stat(tmp_path("t.bin.tmp"), &st) != 0);	/* renamed away */

	/* the bytes are exactly the documented format */
	bytes = slurp(path, &len);
	CHECK_EQ(len, wlen);
	CHECK(len == wlen && !memcmp(bytes, want, wlen));
	free(bytes);

	CHECK_EQ(trace_load(&u, path, err, sizeof(err)), 0);
	CHECK_EQ(u.format, TRACE_FMT_BINARY);
	CHECK(same_records(&u, t.rec, t.nr));
	CHECK_EQ(u.nr_pages, t.nr_pages);
	CHECK_EQ(u.writes, t.writes);
	CHECK(u.map != NULL && u.alloc == NULL);	/* mapped, not copied */
	trace_free(&u);

	/* trace_load detects lackey text and reads it the same way */
	snprintf(path, sizeof(path), "%s", tmp_path("t.txt"));
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs(lackey_snippet, f);
		fclose(f);
	}
	CHECK_EQ(trace_load(&u, path, err, sizeof(err)), 0);
	CHECK_EQ(u.format, TRACE_FMT_LACKEY);
	CHECK(same_records(&u, lackey_want, ARRAY_SIZE(lackey_want)));
	trace_free(&u);

	/* no partial output when the directory does not exist */
	snprintf(path, sizeof(path), "%s", tmp_path("nodir/x.bin"));
	CHECK(trace_write_binary(&t, path, err, sizeof(err)) != 0);
	CHECK(strstr(err, "nodir/x.bin.tmp: cannot create") != NULL);

	/* a trace that breaks its invariants is not written */
	{
		u32 bad[] = { 1, 0 };
		struct trace b = { .rec = bad, .nr = 2, .nr_pages = 2 };

		snprintf(path, sizeof(path), "%s", tmp_path("t.bin"));
		unlink(path);
		CHECK(trace_write_binary(&b, path, err, sizeof(err)) != 0);
		CHECK(stat(path, &st) != 0);
	}
	trace_free(&t);
	CHECK_EQ(trace_load(&t, "/nonexistent/adsim.trace", err, sizeof(err)), -1);
	CHECK(strstr(err, "/nonexistent/adsim.trace: cannot open") != NULL);
	CHECK_EQ(trace_load(&t, "/", err, sizeof(err)), -1);
	tmp_cleanup(leaves, ARRAY_SIZE(leaves));
}

/*
 * trace_load() reads lackey text in chunks: lines split across chunk
 * boundaries, and a valgrind line longer than a chunk, parse exactly as
 * the whole text in memory does.
 */
TEST(trace_lackey_chunked)
{
	const char *leaves[] = { "big.txt" };
	size_t cap = 3u << 20, len = 0;
	char *src = malloc(cap), err[512] = "";
	struct trace t, u;
	u64 x = 88172645463325252ull;
	FILE *f;

	CHECK(src != NULL);
	if (!src)
		return;
	len += (size_t)snprintf(src + len, cap - len, "==7== Command: ");
	memset(src + len, 'a', 1200000);	/* longer than a chunk */
	len += 1200000;
	src[len++] = '\n';
	while (len < cap - 64) {
		static const char *kind[] = { "I ", " L", " S", " M" };

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		len += (size_t)snprintf(src + len, cap - len, "%s %llx,%u%s", kind[x & 3],
					(unsigned long long)(0x10000000 + (x >> 8) % 0x80000),
					(unsigned int)(1 + (x >> 40) % 16), x & 16 ? "\r\n" : "\n");
	}
	CHECK_EQ(trace_parse_lackey(&t, "big.txt", src, len, err, sizeof(err)), 0);
	f = fopen(tmp_path("big.txt"), "w");
	CHECK(f != NULL);
	if (f) {
		fwrite(src, 1, len, f);
		fclose(f);
	}
	CHECK_EQ(trace_load(&u, tmp_path("big.txt"), err, sizeof(err)), 0);
	CHECK(t.nr > 50000);
	CHECK(same_records(&u, t.rec, t.nr));
	CHECK_EQ(u.nr_pages, t.nr_pages);
	CHECK_EQ(u.writes, t.writes);
	trace_free(&u);
	trace_free(&t);

	/* an error past the first chunk has the same line and column */
	len += (size_t)snprintf(src + len, cap - len, " L qq,1\n");
	{
		char err2[512] = "", path[160];

		CHECK(trace_parse_lackey(&t, "big.txt", src, len, err, sizeof(err)) != 0);
		snprintf(path, sizeof(path), "%s", tmp_path("big.txt"));
		f = fopen(path, "w");
		if (f) {
			fwrite(src, 1, len, f);
			fclose(f);
		}
		CHECK(trace_load(&u, path, err2, sizeof(err2)) != 0);
		CHECK(strstr(err2, strchr(err, ':')) != NULL);
		CHECK(strstr(err, ":4: expected a hexadecimal address") != NULL);
	}
	free(src);
	tmp_cleanup(leaves, ARRAY_SIZE(leaves));
}

/*
 * Many distinct pages (the page map grows several times): the first pass
 * over N pages in a scrambled order numbers them 0..N-1 in that order, and
 * the second pass, in another order, finds every one again.
 */
TEST(trace_lackey_many_pages)
{
	const u32 n = 200000;	/* 7919 is prime, so i * 7919 % n is a permutation */
	size_t cap = 2 * (size_t)n * 24, len = 0;
	char *src = malloc(cap), err[256] = "";
	u32 *pos = calloc(n, sizeof(*pos));
	struct trace t;
	bool good = true;

	CHECK(src && pos);
	if (!src || !pos)
		goto out;
	for (u32 i = 0; i < n; i++) {
		u32 page = (u32)((u64)i * 7919 % n);

		pos[page] = i;
		len += (size_t)snprintf(src + len, cap - len, " L %llx,8\n",
					(unsigned long long)(0x7f0000000000ull + (u64)page * 4096 + 8));
	}
	for (u32 i = 0; i < n; i++)
		len += (size_t)snprintf(src + len, cap - len, " S %llx,1\n",
					(unsigned long long)(0x7f0000000000ull + (u64)i * 4096 + 4095));
	CHECK_EQ(trace_parse_lackey(&t, "t.txt", src, len, err, sizeof(err)), 0);
	CHECK_EQ(t.nr, 2 * n);
	CHECK_EQ(t.nr_pages, n);
	CHECK_EQ(t.writes, n);
	for (u32 i = 0; i < n && t.nr == 2 * n && good; i++)
		good = t.rec[i] == i && t.rec[n + i] == (pos[i] | W);
	CHECK(good);
	trace_free(&t);
out:
	free(src);
	free(pos);
}

static void expect_binary_error(const unsigned char *b, size_t len, const char *want)
{
	struct trace t;
	char err[512] = "";
	int rc = trace_parse_binary(&t, "t.bin", b, len, err, sizeof(err));

	if (rc == 0 || strncmp(err, want, strlen(want))) {
		unit_failures++;
		printf("    got %d '%s', expected '%s'\n", rc, err, want);
	}
	if (t.rec || t.nr || t.alloc) {
		unit_failures++;
		printf("    a failed parse left records behind ('%s')\n", want);
	}
	trace_free(&t);
}

TEST(trace_binary_corrupt)
{
	unsigned char good[64], b[64];
	const size_t len = encode(good);
	struct trace t;
	char err[256];

	CHECK_EQ(trace_parse_binary(&t, "t.bin", good, len, err, sizeof(err)), 0);
	CHECK(same_records(&t, lackey_want, ARRAY_SIZE(lackey_want)));
	trace_free(&t);

#define MUTATE(stmt, want)                              \
	do {                                            \
		memcpy(b, good, len);                   \
		stmt;                                   \
		expect_binary_error(b, len, want);      \
	} while (0)

	expect_binary_error(good, len - 1, "t.bin:1:17: expected nr_records to match the file size");
	expect_binary_error(good, len - 4, "t.bin:1:17: expected nr_records to match the file size: header says 7 records, the file has 24 bytes");
	expect_binary_error(good, 20, "t.bin:1:21: expected a 32-byte header, the file ends after 20 bytes");
	expect_binary_error(good, 0, "t.bin:1:1: expected a 32-byte header");
	expect_binary_error((const unsigned char *)"ADSIMTX", 7, "t.bin:1:7: expected the magic \"ADSIMTR\"");
	MUTATE(b[0] = 'a', "t.bin:1:1: expected the magic \"ADSIMTR\" of an adsim binary trace");
	MUTATE(b[7] = 2, "t.bin:1:8: expected version 1, found 2");
	MUTATE(put32(b + 32 + 8, 99), "t.bin:1:41: expected a page below nr_pages (4) in record 2, found 99");
	MUTATE(put32(b + 32, 1), "t.bin:1:33: expected a page of at most 0 in record 0 (pages are numbered in first-touch order), found 1");
	MUTATE(put64(b + 8, 5), "t.bin:1:9: expected nr_pages to be the number of distinct pages: header says 5, the records use 4");
	MUTATE(put64(b + 8, 3), "t.bin:1:57: expected a page below nr_pages (3) in record 6, found 3");
	MUTATE(put64(b + 8, 1ull << 32), "t.bin:1:9: expected at most 2^31 pages");
	MUTATE(put64(b + 16, 8), "t.bin:1:17: expected nr_records to match the file size");
	MUTATE(put64(b + 16, 1ull << 62), "t.bin:1:17: expected nr_records to match the file size");
	MUTATE(put64(b + 24, 2), "t.bin:1:25: expected writes to count the write records: header says 2, the records have 3");
	MUTATE(put64(b + 24, 8), "t.bin:1:25: expected at most nr_records (7) writes, header says 8");
	MUTATE(put32(b + 32 + 4, 1), "t.bin:1:25: expected writes to count the write records: header says 3, the records have 2");

	/* an unaligned buffer is copied, with the same result */
	memcpy(b + 1, good, len);
	CHECK_EQ(trace_parse_binary(&t, "t.bin", b + 1, len, err, sizeof(err)), 0);
	CHECK(t.alloc != NULL);
	CHECK(same_records(&t, lackey_want, ARRAY_SIZE(lackey_want)));
	trace_free(&t);

	/* the empty trace */
	memset(b, 0, 32);
	memcpy(b, "ADSIMTR\1", 8);
	CHECK_EQ(trace_parse_binary(&t, "t.bin", b, 32, err, sizeof(err)), 0);
	CHECK_EQ(t.nr + t.nr_pages + t.writes, 0);
	trace_free(&t);
}
