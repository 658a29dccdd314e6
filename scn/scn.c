// SPDX-License-Identifier: GPL-2.0
/*
 * The scenario language: lexer, recursive-descent parser and instantiation.
 * Every error names file:line:column and what was expected.  Input is
 * untrusted: sizes are bounded, recursion depth is bounded, nothing is
 * written outside the scn structures.
 */
#include "scn.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../exec/exec.h"
#include "../exec/obs.h"

const struct scn_opdesc scn_ops[OPC_NR] = {
#define OP(id, name, sig, actors, usage, what) [OPC_##id] = { #name, sig, actors, usage, what },
#include "ops.def"
#undef OP
};

/* "cpu, kthread, set-up" */
static void ops_who(const char *actors, char *buf, size_t n)
{
	static const struct { char c; const char *name; } kinds[] = {
		{ 'c', "cpu" }, { 'v', "vcpu" }, { 'k', "kthread" }, { 's', "set-up" },
	};
	size_t l = 0;

	buf[0] = 0;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]) && l < n; i++)
		if (strchr(actors, kinds[i].c))
			l += (size_t)snprintf(buf + l, n - l, "%s%s", l ? ", " : "", kinds[i].name);
}

void scn_print_ops(FILE *f, bool markdown)
{
	char who[64];

	if (markdown)
		fprintf(f, "| operation | who | what |\n|---|---|---|\n");
	for (int i = 0; i < OPC_NR; i++) {
		const struct scn_opdesc *d = &scn_ops[i];

		ops_who(d->actors, who, sizeof(who));
		if (markdown) {
			fprintf(f, "| `");
			for (const char *c = d->usage; *c; c++)	/* | inside a table cell */
				fprintf(f, *c == '|' ? "\\|" : "%c", *c);
			fprintf(f, "` | %s | %s |\n", who, d->what);
		} else {
			fprintf(f, "  %-44s %s\n", d->usage, who);
		}
	}
}

/* uapi/linux/fs.h PAGE_IS_*, bit by bit, and PM_SCAN_* flags. */
const char *const scn_page_categories[SCN_NR_PAGE_CATEGORIES] = {
	"wpallowed", "written", "file", "present", "swapped", "pfnzero", "huge",
	"soft_dirty", "guard",
};
const char *const scn_scan_flags[2] = { "wp_matching", "check_wpasync" };

static const char *const scan_keys[SCN_SCAN_KEYS] = {
	[SCAN_FLAGS] = "flags", [SCAN_MASK] = "mask", [SCAN_ANYOF] = "anyof",
	[SCAN_INVERTED] = "inverted", [SCAN_RETURN] = "return",
	[SCAN_MAX_PAGES] = "max_pages", [SCAN_VEC] = "vec",
};

_Static_assert(SCN_MAX_ARGS >= 3 + SCN_SCAN_KEYS, "pagemap_scan's arguments fit a statement");
_Static_assert(SCN_OP_VALUES >= 2 + SCN_SCAN_KEYS, "pagemap_scan's values fit an operation");

/* ---- allocation pool ---- */

struct pool_blk {
	struct pool_blk *next;
	long long align[];
};

static void *scn_alloc(struct scn *s, size_t n)
{
	struct pool_blk *b = calloc(1, sizeof(*b) + n);

	if (!b)
		return NULL;
	b->next = s->pool;
	s->pool = b;
	return b->align;
}

void scn_free(struct scn *s)
{
	struct pool_blk *b = s->pool;

	while (b) {
		struct pool_blk *n = b->next;

		free(b);
		b = n;
	}
	s->pool = NULL;
}

/* ---- lexer ---- */

enum tok { T_EOF, T_NL, T_ID, T_NUM, T_STR, T_SYM };

struct lexer {
	const char *src, *p;
	const char *path;
	int line, col;
	enum tok t;
	char text[256];
	s64 num;
	int tline, tcol;
	char *err;
	size_t errlen;
	bool failed;
	struct scn *s;
	int depth;
	int edepth;	/* parentheses open in the expression being parsed */
	int expr_ops;	/* operators in the expression being parsed */
};

static void lerr(struct lexer *lx, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void lerr(struct lexer *lx, int line, int col, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (lx->failed)
		return;
	lx->failed = true;
	n = snprintf(lx->err, lx->errlen, "%s:%d:%d: ", lx->path, line, col);
	if (n < 0 || (size_t)n >= lx->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(lx->err + n, lx->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static void adv(struct lexer *lx)
{
	if (*lx->p == '\n') {
		lx->line++;
		lx->col = 1;
	} else {
		lx->col++;
	}
	lx->p++;
}

static const char *tokname(struct lexer *lx)
{
	static char buf[300];

	switch (lx->t) {
	case T_EOF: return "end of file";
	case T_NL: return "end of line";
	case T_NUM: return "a number";
	case T_STR: return "a string";
	default:
		snprintf(buf, sizeof(buf), "'%s'", lx->text);
		return buf;
	}
}

/* Blanks, comments and escaped newlines before the next token. */
static void skip_blanks(struct lexer *lx)
{
	for (;;) {
		while (*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\r')
			adv(lx);
		if (*lx->p == '#') {
			while (*lx->p && *lx->p != '\n')
				adv(lx);
			continue;
		}
		if (*lx->p == '\\' && lx->p[1] == '\n') {
			adv(lx);
			adv(lx);
			continue;
		}
		break;
	}
}

/* A name: letters, digits, '_' and a '-' before a letter. */
static void lex_ident(struct lexer *lx)
{
	size_t n = 0;

	while (isalnum((unsigned char)*lx->p) || *lx->p == '_' ||
	       (*lx->p == '-' && isalpha((unsigned char)lx->p[1]))) {
		if (n + 1 >= SCN_NAME) {
			lerr(lx, lx->tline, lx->tcol, "name longer than %d characters", SCN_NAME - 1);
			lx->t = T_EOF;
			return;
		}
		lx->text[n++] = *lx->p;
		adv(lx);
	}
	lx->text[n] = 0;
	lx->t = T_ID;
}

/* An integer, decimal, 0x hex or 0 octal, below 2^52. */
static void lex_number(struct lexer *lx)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(lx->p, &end, 0);
	if (end == lx->p || isalnum((unsigned char)*end) || *end == '.') {
		const char *w = lx->p;

		while (isalnum((unsigned char)*w) || *w == '.')
			w++;
		lerr(lx, lx->tline, lx->tcol,
		     "expected an integer (decimal, 0x hex or 0 octal), found '%.*s'",
		     (int)(w - lx->p > 40 ? 40 : w - lx->p), lx->p);
		lx->t = T_EOF;
		return;
	}
	if (errno || v > (1ULL << 52)) {
		lerr(lx, lx->tline, lx->tcol, "%.*s: expected a number below 2^52",
		     (int)(end - lx->p > 40 ? 40 : end - lx->p), lx->p);
		lx->t = T_EOF;
		return;
	}
	lx->num = (s64)v;
	snprintf(lx->text, sizeof(lx->text), "%.*s", (int)(end - lx->p), lx->p);
	while (lx->p < end)
		adv(lx);
	lx->t = T_NUM;
}

/* A "string" on one line. */
static void lex_string(struct lexer *lx)
{
	size_t n = 0;

	adv(lx);
	while (*lx->p && *lx->p != '"' && *lx->p != '\n') {
		if (n + 1 < sizeof(lx->text))
			lx->text[n++] = *lx->p;
		adv(lx);
	}
	if (*lx->p != '"') {
		lerr(lx, lx->tline, lx->tcol, "unterminated string: expected '\"'");
		lx->t = T_EOF;
		return;
	}
	adv(lx);
	lx->text[n] = 0;
	lx->t = T_STR;
}

static void next(struct lexer *lx)
{
	if (lx->failed) {
		lx->t = T_EOF;
		return;
	}
	skip_blanks(lx);
	lx->tline = lx->line;
	lx->tcol = lx->col;
	lx->text[0] = 0;
	if (!*lx->p) {
		lx->t = T_EOF;
		return;
	}
	if (*lx->p == '\n') {
		adv(lx);
		lx->t = T_NL;
		return;
	}
	if (isalpha((unsigned char)*lx->p) || *lx->p == '_') {
		lex_ident(lx);
		return;
	}
	if (isdigit((unsigned char)*lx->p)) {
		lex_number(lx);
		return;
	}
	if (*lx->p == '"') {
		lex_string(lx);
		return;
	}
	if (*lx->p == '.' && lx->p[1] == '.') {
		adv(lx);
		adv(lx);
		strcpy(lx->text, "..");
		lx->t = T_SYM;
		return;
	}
	if (strchr("{}[]()=:,+-*/|", *lx->p)) {
		lx->text[0] = *lx->p;
		lx->text[1] = 0;
		adv(lx);
		lx->t = T_SYM;
		return;
	}
	lerr(lx, lx->tline, lx->tcol, "unexpected character '%c'",
	     isprint((unsigned char)*lx->p) ? *lx->p : '?');
	lx->t = T_EOF;
}

static bool is_sym(struct lexer *lx, const char *s)
{
	return lx->t == T_SYM && !strcmp(lx->text, s);
}

static bool is_kw(struct lexer *lx, const char *s)
{
	return lx->t == T_ID && !strcmp(lx->text, s);
}

static bool expect_sym(struct lexer *lx, const char *s)
{
	if (is_sym(lx, s)) {
		next(lx);
		return true;
	}
	lerr(lx, lx->tline, lx->tcol, "expected '%s', found %s", s, tokname(lx));
	return false;
}

static bool expect_kw(struct lexer *lx, const char *s)
{
	if (is_kw(lx, s)) {
		next(lx);
		return true;
	}
	lerr(lx, lx->tline, lx->tcol, "expected '%s', found %s", s, tokname(lx));
	return false;
}

static bool expect_id(struct lexer *lx, char *out, const char *what)
{
	if (lx->t == T_ID) {
		snprintf(out, SCN_NAME, "%s", lx->text);
		next(lx);
		return true;
	}
	out[0] = 0;
	lerr(lx, lx->tline, lx->tcol, "expected %s, found %s", what, tokname(lx));
	return false;
}

static void expect_eol(struct lexer *lx)
{
	if (lx->t == T_NL) {
		next(lx);
		return;
	}
	if (lx->t == T_EOF || is_sym(lx, "}"))
		return;
	lerr(lx, lx->tline, lx->tcol, "expected end of line, found %s", tokname(lx));
}

static void skip_nl(struct lexer *lx)
{
	while (lx->t == T_NL)
		next(lx);
}

/* ---- expressions ---- */

static struct scn_expr *parse_expr(struct lexer *lx);

static struct scn_expr *mkexpr(struct lexer *lx, char kind)
{
	struct scn_expr *e = scn_alloc(lx->s, sizeof(*e));

	if (!e) {
		lerr(lx, lx->tline, lx->tcol, "out of memory");
		return NULL;
	}
	e->kind = kind;
	e->line = lx->tline;
	e->col = lx->tcol;
	return e;
}

static struct scn_expr *parse_primary(struct lexer *lx)
{
	struct scn_expr *e;

	if (++lx->edepth > 64) {
		lx->edepth--;
		lerr(lx, lx->tline, lx->tcol, "expression nested too deeply");
		return NULL;
	}
	if (lx->t == T_NUM) {
		e = mkexpr(lx, 'n');
		if (e)
			e->num = lx->num;
		next(lx);
	} else if (lx->t == T_ID) {
		e = mkexpr(lx, 'v');
		if (e)
			snprintf(e->name, sizeof(e->name), "%s", lx->text);
		next(lx);
	} else if (is_sym(lx, "(")) {
		next(lx);
		e = parse_expr(lx);
		expect_sym(lx, ")");
	} else {
		lerr(lx, lx->tline, lx->tcol, "expected a number, a name or '(', found %s",
		     tokname(lx));
		e = NULL;
	}
	lx->edepth--;
	return e;
}

/* Expressions are evaluated recursively: bound their size. */
#define SCN_MAX_EXPR_OPS 256

static bool count_op(struct lexer *lx)
{
	if (++lx->expr_ops <= SCN_MAX_EXPR_OPS)
		return true;
	lerr(lx, lx->tline, lx->tcol, "expression too long: at most %d operators",
	     SCN_MAX_EXPR_OPS);
	return false;
}

static struct scn_expr *parse_term(struct lexer *lx)
{
	struct scn_expr *l = parse_primary(lx);

	while (!lx->failed && (is_sym(lx, "*") || is_sym(lx, "/")) && count_op(lx)) {
		struct scn_expr *e = mkexpr(lx, lx->text[0]);

		next(lx);
		if (!e)
			return NULL;
		e->l = l;
		e->r = parse_primary(lx);
		l = e;
	}
	return l;
}

static struct scn_expr *parse_expr(struct lexer *lx)
{
	struct scn_expr *l;

	if (lx->edepth == 0)
		lx->expr_ops = 0;
	l = parse_term(lx);
	while (!lx->failed && (is_sym(lx, "+") || is_sym(lx, "-")) && count_op(lx)) {
		struct scn_expr *e = mkexpr(lx, lx->text[0]);

		next(lx);
		if (!e)
			return NULL;
		e->l = l;
		e->r = parse_term(lx);
		l = e;
	}
	return l;
}

/* ---- statements ---- */

static int find_op(const char *name)
{
	for (int i = 0; i < OPC_NR; i++)
		if (!strcmp(scn_ops[i].name, name))
			return i;
	return -1;
}

static struct scn_stmt *parse_stmts(struct lexer *lx, bool setup);

static void join_names(char *buf, size_t n, const char *const *names, int nr,
		       const char *sep)
{
	size_t l = 0;

	buf[0] = 0;
	for (int i = 0; i < nr && l < n; i++)
		l += (size_t)snprintf(buf + l, n - l, "%s%s", i ? sep : "", names[i]);
}

/*
 * A set of names joined by '|', or 0 for none: bit i for names[i].  what
 * names one of them ("a page category").
 */
static bool parse_name_set(struct lexer *lx, const char *const *names, int nr,
			   const char *what, s64 *out)
{
	char list[160];

	*out = 0;
	join_names(list, sizeof(list), names, nr, "|");
	if (lx->t == T_NUM && lx->num == 0) {
		next(lx);
		return true;
	}
	for (bool first = true;; first = false) {
		int i = 0;

		if (lx->t == T_ID)
			for (; i < nr && strcmp(names[i], lx->text); i++)
				;
		if (lx->t != T_ID || i == nr) {
			lerr(lx, lx->tline, lx->tcol, "expected %s%s (%s), found %s",
			     first ? "0 or " : "", what, list, tokname(lx));
			return false;
		}
		*out |= 1LL << i;
		next(lx);
		if (!is_sym(lx, "|"))
			return true;
		next(lx);
	}
}

/*
 * pagemap_scan's [KEY=VALUE ...]: fills args[0 .. SCN_SCAN_KEYS) in
 * enum scn_scan_key order, absent keys with their defaults.
 */
static bool parse_scan_keys(struct lexer *lx, struct scn_arg *args)
{
	static const s64 defaults[SCN_SCAN_KEYS] = {
		[SCAN_RETURN] = (1LL << SCN_NR_PAGE_CATEGORIES) - 1,	/* PM_SCAN_CATEGORIES */
		[SCAN_VEC] = 16,
	};
	char keys[128];

	join_names(keys, sizeof(keys), scan_keys, SCN_SCAN_KEYS, ", ");
	while (lx->t == T_ID && !lx->failed) {
		int k = 0, line = lx->tline, col = lx->tcol;
		struct scn_arg *a;

		for (; k < SCN_SCAN_KEYS && strcmp(scan_keys[k], lx->text); k++)
			;
		if (k == SCN_SCAN_KEYS) {
			lerr(lx, line, col, "expected a pagemap_scan key (%s), found %s", keys,
			     tokname(lx));
			return false;
		}
		a = &args[k];
		if (a->e) {
			lerr(lx, line, col, "duplicate pagemap_scan key '%s'", scan_keys[k]);
			return false;
		}
		snprintf(a->name, sizeof(a->name), "%s", scan_keys[k]);
		a->line = line;
		a->col = col;
		next(lx);
		if (!expect_sym(lx, "="))
			return false;
		if (k == SCAN_MAX_PAGES || k == SCAN_VEC) {
			a->e = parse_expr(lx);
		} else {
			s64 v;
			bool ok = k == SCAN_FLAGS ?
				  parse_name_set(lx, scn_scan_flags, 2, "a scan flag", &v) :
				  parse_name_set(lx, scn_page_categories, SCN_NR_PAGE_CATEGORIES,
						 "a page category", &v);

			if (!ok)
				return false;
			if ((a->e = mkexpr(lx, 'n')))
				a->e->num = v;
		}
		if (lx->failed)
			return false;
	}
	if (lx->t != T_NL && lx->t != T_EOF && !is_sym(lx, "}")) {
		lerr(lx, lx->tline, lx->tcol, "expected KEY=VALUE (%s) or end of line, found %s",
		     keys, tokname(lx));
		return false;
	}
	for (int k = 0; k < SCN_SCAN_KEYS; k++) {
		if (args[k].e)
			continue;
		snprintf(args[k].name, sizeof(args[k].name), "%s", scan_keys[k]);
		if (!(args[k].e = mkexpr(lx, 'n')))
			return false;
		args[k].e->num = defaults[k];
	}
	return true;
}

/* An operation's arguments, by its signature (ops.def); false on error. */
static bool parse_op_args(struct lexer *lx, struct scn_stmt *st, int opc)
{
	for (const char *sig = scn_ops[opc].sig; *sig; sig++) {
		struct scn_arg *a = &st->args[st->nargs++];

		if (*sig == 'e') {
			a->e = parse_expr(lx);
		} else if (*sig == 'F') {
			/* one or more flag names */
			char buf[SCN_NAME] = "";

			if (lx->t != T_ID) {
				lerr(lx, lx->tline, lx->tcol, "expected SPTE flags (W D A MMU_W), found %s",
				     tokname(lx));
				return false;
			}
			while (lx->t == T_ID) {
				size_t l = strlen(buf);

				snprintf(buf + l, sizeof(buf) - l, "%s%s", l ? "," : "", lx->text);
				next(lx);
			}
			a->is_name = true;
			snprintf(a->name, sizeof(a->name), "%s", buf);
		} else if (*sig == 'w') {
			/* an optional trailing word: "wp" or nothing */
			a->is_name = true;
			if (is_kw(lx, "wp")) {
				snprintf(a->name, sizeof(a->name), "wp");
				next(lx);
			} else if (lx->t != T_NL && lx->t != T_EOF && !is_sym(lx, "}")) {
				lerr(lx, lx->tline, lx->tcol, "expected 'wp' or end of line, found %s",
				     tokname(lx));
			}
		} else if (*sig == 'K') {
			st->nargs += SCN_SCAN_KEYS - 1;
			parse_scan_keys(lx, a);
		} else {
			a->is_name = true;
			expect_id(lx, a->name, *sig == 'f' ? "a file name" :
					       *sig == 'v' ? "a vm name" :
					       *sig == 'p' ? "a process name" :
					       *sig == 'o' ? "on or off" :
							     "none, r or rw");
		}
		if (lx->failed)
			return false;
	}
	return true;
}

/* for VAR in LO .. HI { BODY }, after the 'for'. */
static struct scn_stmt *parse_for(struct lexer *lx, struct scn_stmt *st, bool setup)
{
	st->is_for = true;
	expect_id(lx, st->var, "a loop variable");
	expect_kw(lx, "in");
	st->lo = parse_expr(lx);
	expect_sym(lx, "..");
	st->hi = parse_expr(lx);
	expect_sym(lx, "{");
	if (++lx->depth > 16) {
		lerr(lx, st->line, st->col, "loops nested too deeply");
		return NULL;
	}
	st->body = parse_stmts(lx, setup);
	lx->depth--;
	expect_sym(lx, "}");
	expect_eol(lx);
	return st;
}

static struct scn_stmt *parse_stmt(struct lexer *lx, bool setup)
{
	struct scn_stmt *st = scn_alloc(lx->s, sizeof(*st));
	int opc;

	if (!st) {
		lerr(lx, lx->tline, lx->tcol, "out of memory");
		return NULL;
	}
	st->line = lx->tline;
	st->col = lx->tcol;
	if (is_kw(lx, "for")) {
		next(lx);
		return parse_for(lx, st, setup);
	}
	if (setup) {
		if (!expect_id(lx, st->actor, "an actor name or 'for'"))
			return NULL;
		if (is_sym(lx, ":"))
			next(lx);
		else {
			/* an actor-less set-up operation */
			snprintf(st->op, sizeof(st->op), "%s", st->actor);
			st->actor[0] = 0;
			goto args;
		}
	}
	if (!expect_id(lx, st->op, "an operation or 'for'"))
		return NULL;
args:
	opc = find_op(st->op);
	if (opc < 0) {
		lerr(lx, st->line, st->col, "unknown operation '%s'", st->op);
		return NULL;
	}
	if (!parse_op_args(lx, st, opc))
		return NULL;
	expect_eol(lx);
	return st;
}

static struct scn_stmt *parse_stmts(struct lexer *lx, bool setup)
{
	struct scn_stmt *head = NULL, **tail = &head;

	skip_nl(lx);
	while (!lx->failed && lx->t != T_EOF && !is_sym(lx, "}")) {
		struct scn_stmt *st = parse_stmt(lx, setup);

		if (!st)
			break;
		*tail = st;
		tail = &st->next;
		skip_nl(lx);
	}
	return head;
}

/* ---- declarations ---- */

static struct scn_decl *new_decl(struct lexer *lx, enum scn_decl_kind kind)
{
	struct scn *s = lx->s;
	struct scn_decl *d;

	if (s->nr_decls >= SCN_MAX_DECLS) {
		lerr(lx, lx->tline, lx->tcol, "too many declarations (at most %d)", SCN_MAX_DECLS);
		return NULL;
	}
	d = &s->decls[s->nr_decls++];
	d->kind = kind;
	d->line = lx->tline;
	d->col = lx->tcol;
	return d;
}

/*
 * The name of declaration d, which no earlier declaration of its kind may
 * have: references name a kind ("cpu c0 p" a process), so two files
 * named f would leave one unreachable.  d->line/col move to the name.
 */
static void decl_name(struct lexer *lx, struct scn_decl *d, const char *what)
{
	struct scn *s = lx->s;
	int line = lx->tline, col = lx->tcol;

	if (!expect_id(lx, d->name, what))
		return;
	for (int i = 0; i < s->nr_decls - 1; i++)
		if (s->decls[i].kind == d->kind && !strcmp(s->decls[i].name, d->name)) {
			lerr(lx, line, col, "'%s' already declared at %s:%d:%d", d->name, lx->path,
			     s->decls[i].line, s->decls[i].col);
			return;
		}
	d->line = line;
	d->col = col;
}

int scn_decl_index(const struct scn *s, enum scn_decl_kind kind, const char *name)
{
	for (int i = 0; i < s->nr_decls; i++)
		if (s->decls[i].kind == kind && !strcmp(s->decls[i].name, name))
			return i;
	return -1;
}

static int param_index(const struct scn *s, const char *name)
{
	for (int i = 0; i < s->nr_params; i++)
		if (!strcmp(s->params[i].name, name))
			return i;
	return -1;
}

static int add_param(struct scn *s, const char *name, s64 v)
{
	int i = param_index(s, name);

	if (i >= 0) {
		if (!s->params[i].set_by_user)
			s->params[i].value = v;
		return 0;
	}
	if (s->nr_params >= SCN_MAX_PARAMS)
		return -1;
	snprintf(s->params[s->nr_params].name, SCN_NAME, "%s", name);
	s->params[s->nr_params++].value = v;
	return 0;
}

static int set_assign(struct scn *s, const char *name, const char *value,
		      bool user, char *err, size_t errlen)
{
	int id = variant_lookup(name);

	if (id >= 0) {
		int v = variant_value_lookup(id, value);

		if (v < 0) {
			size_t n = (size_t)snprintf(err, errlen, "unknown value '%s' for %s: expected ",
						    value, name);
			for (int j = 0; j < variant_table[id].nr_values && n < errlen; j++)
				n += (size_t)snprintf(err + n, errlen - n, "%s%s", j ? "|" : "",
						      variant_table[id].values[j]);
			return -1;
		}
		if (user || !s->cfg_set[id])
			s->cfg.v[id] = (u8)v;
		if (user)
			s->cfg_set[id] = true;
		else
			s->cfg_in_file[id] = true;
		return 0;
	}
	{
		int i = param_index(s, name);
		char *end;
		long long v = strtoll(value, &end, 0);

		if (i < 0) {
			snprintf(err, errlen, "'%s' is neither a variant nor a parameter of this scenario",
				 name);
			return -1;
		}
		if (*end || end == value || v < 0 || v > (1LL << 30)) {
			snprintf(err, errlen, "parameter %s: expected a number from 0 to 2^30, got '%s'",
				 name, value);
			return -1;
		}
		if (user || !s->params[i].set_by_user)
			s->params[i].value = v;
		if (user)
			s->params[i].set_by_user = true;
	}
	return 0;
}

int scn_set(struct scn *s, const char *assign, char *err, size_t errlen)
{
	char name[SCN_NAME];
	const char *eq = strchr(assign, '=');

	if (!eq || eq == assign || (size_t)(eq - assign) >= sizeof(name)) {
		snprintf(err, errlen, "--set: expected NAME=VALUE, got '%s'", assign);
		return -1;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(eq - assign), assign);
	return set_assign(s, name, eq + 1, true, err, errlen);
}

static int oracle_lookup(const char *name)
{
	for (int i = 0; i < ORACLE_NR; i++)
		if (!strcmp(exec_oracle_names[i], name))
			return i;
	return -1;
}

static void parse_scenario(struct lexer *lx, int line, int col)
{
	struct scn *s = lx->s;
	size_t n = 0;

	while (lx->t == T_ID || is_sym(lx, "-") || lx->t == T_NUM) {
		n += (size_t)snprintf(s->name + n, sizeof(s->name) - n, "%s", lx->text);
		if (n >= sizeof(s->name))
			n = sizeof(s->name) - 1;
		next(lx);
	}
	if (!n)
		lerr(lx, lx->tline, lx->tcol, "expected the scenario's name");
	if (lx->t == T_STR) {
		snprintf(s->desc, sizeof(s->desc), "%s", lx->text);
		next(lx);
	}
	expect_eol(lx);
}

static void parse_param(struct lexer *lx, int line, int col)
{
	struct scn *s = lx->s;
	char name[SCN_NAME];
	int pline = lx->tline, pcol = lx->tcol, dup;

	expect_id(lx, name, "a parameter name");
	if (!lx->failed && (dup = param_index(s, name)) >= 0) {
		lerr(lx, pline, pcol, "'%s' already declared at %s:%d:%d", name, lx->path,
		     s->params[dup].line, s->params[dup].col);
		return;
	}
	expect_sym(lx, "=");
	if (lx->t != T_NUM) {
		lerr(lx, lx->tline, lx->tcol, "expected a number, found %s", tokname(lx));
		return;
	}
	if (variant_lookup(name) >= 0) {
		lerr(lx, line, col, "'%s' is a variant: use 'set'", name);
		return;
	}
	if (add_param(s, name, lx->num))
		lerr(lx, line, col, "too many parameters");
	else
		s->params[param_index(s, name)].line = pline,
		s->params[param_index(s, name)].col = pcol;
	next(lx);
	expect_eol(lx);
}

static void parse_set(struct lexer *lx, int line, int col)
{
	struct scn *s = lx->s;
	char name[SCN_NAME], value[SCN_NAME], err[256];

	expect_id(lx, name, "a variant or parameter name");
	expect_sym(lx, "=");
	if (lx->t != T_ID && lx->t != T_NUM) {
		lerr(lx, lx->tline, lx->tcol, "expected a value, found %s", tokname(lx));
		return;
	}
	snprintf(value, sizeof(value), "%s", lx->text);
	if (set_assign(s, name, value, false, err, sizeof(err)))
		lerr(lx, line, col, "%s", err);
	next(lx);
	expect_eol(lx);
}

static void parse_expect(struct lexer *lx, int line, int col)
{
	struct scn *s = lx->s;
	struct scn_expect *e;

	if (s->nr_expects >= SCN_MAX_EXPECT) {
		lerr(lx, line, col, "too many expect lines");
		return;
	}
	e = &s->expects[s->nr_expects++];
	e->line = line;
	while (lx->t == T_ID && !lx->failed) {
		char name[SCN_NAME], value[SCN_NAME];
		int id, v, nline = lx->tline, ncol = lx->tcol;

		expect_id(lx, name, "a variant name");
		expect_sym(lx, "=");
		expect_id(lx, value, "a variant value");
		id = variant_lookup(name);
		if (id < 0 || (v = variant_value_lookup(id, value)) < 0) {
			lerr(lx, nline, ncol, "unknown variant setting %s=%s", name, value);
			return;
		}
		if (e->nset >= 4) {
			lerr(lx, line, col, "at most 4 settings per expect line");
			return;
		}
		e->var[e->nset] = id;
		e->val[e->nset++] = v;
	}
	expect_sym(lx, ":");
	for (;;) {
		int o;

		if (lx->t != T_ID || (o = oracle_lookup(lx->text)) < 0) {
			lerr(lx, lx->tline, lx->tcol, "expected a verdict (none, lost_write, stale_tlb, wrong_target, use_after_free, deadlock, lockdep, model_warn), found %s",
			     tokname(lx));
			return;
		}
		e->oracles |= 1u << o;
		next(lx);
		if (!is_sym(lx, "|"))
			break;
		next(lx);
	}
	expect_eol(lx);
}

static void parse_consumer(struct lexer *lx, int line, int col)
{
	struct scn *s = lx->s;
	char name[SCN_NAME];
	int c = -1;

	line = lx->tline;
	col = lx->tcol;
	expect_id(lx, name, "a consumer (writeback, clean_record, lazyfree, pagemap_scan, dirty_log)");
	for (int i = 0; i < CONS_NR; i++)
		if (!strcmp(obs_consumer_names[i], name))
			c = i;
	if (c < 0 && !lx->failed)
		lerr(lx, line, col, "unknown consumer '%s': expected writeback, clean_record, lazyfree, pagemap_scan or dirty_log",
		     name);
	else if (c >= 0)
		s->consumers[c] = true;
	expect_eol(lx);
}

static void parse_file(struct lexer *lx, int line, int col)
{
	struct scn_decl *d;

	if (!(d = new_decl(lx, D_FILE)))
		return;
	decl_name(lx, d, "a file name");
	expect_kw(lx, "pages");
	d->pages = parse_expr(lx);
	if (is_kw(lx, "shmem")) {
		next(lx);
		d->shmem = true;
	}
	expect_eol(lx);
}

static void parse_process(struct lexer *lx, int line, int col)
{
	struct scn_decl *d;

	if (!(d = new_decl(lx, D_PROCESS)))
		return;
	decl_name(lx, d, "a process name");
	expect_eol(lx);
}

static void parse_mmap(struct lexer *lx, int line, int col)
{
	struct scn_decl *d;

	if (!(d = new_decl(lx, D_MMAP)))
		return;
	expect_id(lx, d->ref, "a process name");
	d->addr = parse_expr(lx);
	expect_kw(lx, "pages");
	d->pages = parse_expr(lx);
	if (is_kw(lx, "shared") || is_kw(lx, "private")) {
		d->shared = is_kw(lx, "shared");
		next(lx);
	} else {
		lerr(lx, lx->tline, lx->tcol, "expected 'shared' or 'private', found %s", tokname(lx));
	}
	if (is_kw(lx, "read") || is_kw(lx, "write")) {
		d->write = is_kw(lx, "write");
		next(lx);
	} else {
		lerr(lx, lx->tline, lx->tcol, "expected 'read' or 'write', found %s", tokname(lx));
	}
	if (is_kw(lx, "file")) {
		next(lx);
		expect_id(lx, d->file, "a file name");
		if (is_kw(lx, "offset")) {
			next(lx);
			d->pgoff = parse_expr(lx);
		}
	}
	expect_eol(lx);
}

static void parse_vm(struct lexer *lx, int line, int col)
{
	struct scn_decl *d;

	if (!(d = new_decl(lx, D_VM)))
		return;
	decl_name(lx, d, "a vm name");
	expect_kw(lx, "process");
	expect_id(lx, d->ref, "a process name");
	/* dirty-logging capabilities, each at most once, in any order */
	while (lx->t == T_ID && !lx->failed) {
		int l = lx->tline, c = lx->tcol;

		if (is_kw(lx, "manual_protect") && !d->manual_protect) {
			next(lx);
			d->manual_protect = true;
		} else if (is_kw(lx, "initially_set") && !d->initially_set) {
			next(lx);
			d->initially_set = true;
		} else if (is_kw(lx, "dirty_ring") && !d->ring) {
			next(lx);
			d->ring = parse_expr(lx);
		} else if (is_kw(lx, "legacy_mmu") && !d->legacy_mmu) {
			next(lx);
			d->legacy_mmu = true;
		} else {
			lerr(lx, l, c, "expected manual_protect, initially_set, dirty_ring ENTRIES, legacy_mmu (each once) or end of line, found '%s'",
			     lx->text);
		}
	}
	expect_eol(lx);
}

static void parse_memslot(struct lexer *lx, int line, int col)
{
	struct scn_decl *d;

	if (!(d = new_decl(lx, D_MEMSLOT)))
		return;
	expect_id(lx, d->ref, "a vm name");
	expect_kw(lx, "gfn");
	d->gfn = parse_expr(lx);
	expect_kw(lx, "pages");
	d->pages = parse_expr(lx);
	expect_kw(lx, "hva");
	d->addr = parse_expr(lx);
	expect_eol(lx);
}

static void parse_actor(struct lexer *lx, int line, int col)
{
	struct scn_decl *d;

	if (!(d = new_decl(lx, D_ACTOR)))
		return;
	decl_name(lx, d, "an actor name");
	if (is_sym(lx, "[")) {
		next(lx);
		expect_id(lx, d->rep_var, "a replica variable");
		expect_kw(lx, "in");
		d->gfn = parse_expr(lx);	/* reused: low bound */
		expect_sym(lx, "..");
		d->rep_n = parse_expr(lx);
		expect_sym(lx, "]");
	}
	expect_id(lx, d->kind_name, "cpu, vcpu or kthread");
	if (strcmp(d->kind_name, "cpu") && strcmp(d->kind_name, "vcpu") &&
	    strcmp(d->kind_name, "kthread")) {
		lerr(lx, d->line, d->col, "unknown actor kind '%s': expected cpu, vcpu or kthread",
		     d->kind_name);
		return;
	}
	if (strcmp(d->kind_name, "kthread"))
		expect_id(lx, d->ref, !strcmp(d->kind_name, "cpu") ? "a process name" : "a vm name");
	expect_sym(lx, "{");
	d->body = parse_stmts(lx, false);
	expect_sym(lx, "}");
	expect_eol(lx);
}

static void parse_setup(struct lexer *lx, int line, int col)
{
	struct scn *s = lx->s;

	if (s->setup) {
		lerr(lx, line, col, "only one setup block is allowed");
		return;
	}
	expect_sym(lx, "{");
	s->setup = parse_stmts(lx, true);
	expect_sym(lx, "}");
	expect_eol(lx);
}

static const struct {
	const char *kw;
	void (*parse)(struct lexer *lx, int line, int col);
} decl_parsers[] = {
	{ "scenario", parse_scenario },
	{ "param", parse_param },
	{ "set", parse_set },
	{ "expect", parse_expect },
	{ "consumer", parse_consumer },
	{ "file", parse_file },
	{ "process", parse_process },
	{ "mmap", parse_mmap },
	{ "vm", parse_vm },
	{ "memslot", parse_memslot },
	{ "actor", parse_actor },
	{ "setup", parse_setup },
};

/* One declaration: its keyword picks the parser. */
static void parse_top(struct lexer *lx)
{
	int line = lx->tline, col = lx->tcol;
	char kw[SCN_NAME];

	if (!expect_id(lx, kw, "a declaration (scenario, param, set, expect, consumer, file, process, mmap, vm, memslot, actor, setup)"))
		return;
	for (size_t i = 0; i < sizeof(decl_parsers) / sizeof(decl_parsers[0]); i++)
		if (!strcmp(kw, decl_parsers[i].kw)) {
			decl_parsers[i].parse(lx, line, col);
			return;
		}
	lerr(lx, line, col, "unknown declaration '%s'", kw);
}

int scn_parse(struct scn *s, const char *path, const char *src, char *err,
	      size_t errlen)
{
	struct lexer lx = { .src = src, .p = src, .path = path, .line = 1, .col = 1,
			    .err = err, .errlen = errlen, .s = s };

	memset(s, 0, sizeof(*s));
	snprintf(s->path, sizeof(s->path), "%s", path);
	variant_defaults(&s->cfg);
	add_param(s, "tlb_entries", 4);
	add_param(s, "tlb_evict", 1);
	if (strlen(src) > (1u << 20)) {
		snprintf(err, errlen, "%s:1:1: file larger than 1 MiB", path);
		return -1;
	}
	next(&lx);
	skip_nl(&lx);
	while (!lx.failed && lx.t != T_EOF) {
		parse_top(&lx);
		skip_nl(&lx);
	}
	if (!lx.failed && !s->name[0])
		lerr(&lx, 1, 1, "expected a 'scenario NAME' line");
	return lx.failed ? -1 : 0;
}

/* ---- instantiation ---- */

struct env {
	const struct scn *s;
	const char *vars[8];
	s64 vals[8];
	int n;
	char *err;
	size_t errlen;
	bool failed;
	const struct scn_actor_inst *actors;
	int nr_actors;
	s64 iterations;	/* loop iterations so far, empty ones included */
};

#define SCN_MAX_ITERATIONS 100000

static void ierr(struct env *env, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void ierr(struct env *env, int line, int col, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (env->failed)
		return;
	env->failed = true;
	n = snprintf(env->err, env->errlen, "%s:%d:%d: ", env->s->path, line, col);
	if (n < 0 || (size_t)n >= env->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(env->err + n, env->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static s64 eval(struct env *env, const struct scn_expr *e)
{
	s64 l, r;

	if (!e || env->failed)
		return 0;
	switch (e->kind) {
	case 'n':
		return e->num;
	case 'v':
		for (int i = env->n - 1; i >= 0; i--)
			if (!strcmp(env->vars[i], e->name))
				return env->vals[i];
		for (int i = 0; i < env->s->nr_params; i++)
			if (!strcmp(env->s->params[i].name, e->name))
				return env->s->params[i].value;
		ierr(env, e->line, e->col, "unknown name '%s': expected a parameter or loop variable",
		     e->name);
		return 0;
	}
	l = eval(env, e->l);
	r = eval(env, e->r);
	if (l < -(1LL << 52) || l > (1LL << 52) || r < -(1LL << 52) || r > (1LL << 52)) {
		ierr(env, e->line, e->col, "value out of range");
		return 0;
	}
	switch (e->kind) {
	case '+': return l + r;
	case '-': return l - r;
	case '*':
		if (l && (r > (1LL << 52) / (l < 0 ? -l : l) || r < -(1LL << 52) / (l < 0 ? -l : l))) {
			ierr(env, e->line, e->col, "value out of range");
			return 0;
		}
		return l * r;
	default:
		if (!r) {
			ierr(env, e->line, e->col, "division by zero");
			return 0;
		}
		return l / r;
	}
}

static u64 parse_flags(const char *list, bool *ok)
{
	char buf[SCN_NAME];
	u64 mask = 0;

	snprintf(buf, sizeof(buf), "%s", list);
	*ok = true;
	for (char *t = strtok(buf, ","); t; t = strtok(NULL, ",")) {
		if (!strcmp(t, "W"))
			mask |= 2ULL;
		else if (!strcmp(t, "A"))
			mask |= 1ULL << 8;
		else if (!strcmp(t, "D"))
			mask |= 1ULL << 9;
		else if (!strcmp(t, "MMU_W"))
			mask |= 1ULL << 58;
		else
			*ok = false;
	}
	return mask;
}

static void emit(struct env *env, struct scn_op *ops, int *nr, int *actor_of,
		 int actor, const struct scn_stmt *st);

static void emit_list(struct env *env, struct scn_op *ops, int *nr, int *actor_of,
		      int actor, const struct scn_stmt *st)
{
	for (; st && !env->failed; st = st->next)
		emit(env, ops, nr, actor_of, actor, st);
}

/* for VAR in LO .. HI { BODY }: the body once per value, VAR bound. */
static void emit_for(struct env *env, struct scn_op *ops, int *nr, int *actor_of, int actor,
		     const struct scn_stmt *st)
{
	s64 lo = eval(env, st->lo), hi = eval(env, st->hi);

	if (env->n >= 8) {
		ierr(env, st->line, st->col, "loops nested too deeply");
		return;
	}
	if (hi - lo > SCN_MAX_OPS) {
		ierr(env, st->line, st->col, "loop of %lld iterations: at most %d operations per actor",
		     (long long)(hi - lo), SCN_MAX_OPS);
		return;
	}
	env->vars[env->n] = st->var;
	env->n++;
	for (s64 v = lo; v < hi && !env->failed; v++) {
		if (++env->iterations > SCN_MAX_ITERATIONS) {
			ierr(env, st->line, st->col,
			     "loops run more than %d iterations in all", SCN_MAX_ITERATIONS);
			break;
		}
		env->vals[env->n - 1] = v;
		emit_list(env, ops, nr, actor_of, actor, st->body);
	}
	env->n--;
}

/*
 * A set-up statement's actor ("ACTOR: OP ..."), or none where the
 * operation allows it, into actor_of[*nr]; false with the error.
 */
static bool emit_setup_actor(struct env *env, int *actor_of, int *nr, int opc,
			     const struct scn_stmt *st)
{
	int a = -1;

	for (int i = 0; i < env->nr_actors; i++)
		if (!strcmp(env->actors[i].name, st->actor))
			a = i;
	if (st->actor[0] && a < 0) {
		ierr(env, st->line, st->col, "unknown actor '%s'", st->actor);
		return false;
	}
	if (!st->actor[0] && !strchr(scn_ops[opc].actors, 's')) {
		ierr(env, st->line, st->col, "operation '%s' needs an actor: expected 'ACTOR: %s ...'",
		     st->op, st->op);
		return false;
	}
	if (a >= 0 && !strchr(scn_ops[opc].actors, env->actors[a].kind) &&
	    !strchr(scn_ops[opc].actors, 's')) {
		ierr(env, st->line, st->col, "a %s cannot run '%s'",
		     env->actors[a].kind == 'c' ? "cpu" : env->actors[a].kind == 'v' ? "vcpu" : "kthread",
		     st->op);
		return false;
	}
	actor_of[*nr] = a;
	return true;
}

/* The statement's arguments, by the operation's signature, into op. */
static void emit_args(struct env *env, struct scn_op *op, int opc, const struct scn_stmt *st)
{
	const struct scn *s = env->s;

	for (int si = 0, i = 0, ai = 0; scn_ops[opc].sig[si] && i < st->nargs; si++, i++) {
		const struct scn_arg *a = &st->args[i];
		char k = scn_ops[opc].sig[si];

		if (k == 'e') {
			op->a[ai++] = eval(env, a->e);
		} else if (k == 'w') {
			op->a[ai++] = a->name[0] != 0;
		} else if (k == 'K') {
			for (int j = 0; j < SCN_SCAN_KEYS; j++, a++) {
				s64 v = eval(env, a->e);
				int line = a->line ? a->line : st->line, col = a->line ? a->col : st->col;

				if (j == SCAN_VEC && (v < 0 || v > SCN_SCAN_MAX_VEC))
					ierr(env, line, col,
					     "vec=%lld: expected from 0 (no vector) to %d page_region entries",
					     (long long)v, SCN_SCAN_MAX_VEC);
				else if (j == SCAN_MAX_PAGES && v < 0)
					ierr(env, line, col,
					     "max_pages=%lld: expected 0 (no limit) or a number of pages",
					     (long long)v);
				op->a[ai++] = v;
			}
			i += SCN_SCAN_KEYS - 1;
		} else if (k == 'F') {
			bool ok;

			op->a[ai++] = (s64)parse_flags(a->name, &ok);
			if (!ok)
				ierr(env, st->line, st->col, "unknown SPTE flag in '%s': expected W, A, D or MMU_W",
				     a->name);
		} else if (k == 'o') {
			op->a[ai++] = !strcmp(a->name, "on") ? 1 : !strcmp(a->name, "off") ? 0 : -1;
			if (op->a[ai - 1] < 0)
				ierr(env, st->line, st->col, "expected on or off, found '%s'", a->name);
		} else if (k == 'P') {
			op->a[ai++] = !strcmp(a->name, "none") ? 0 : !strcmp(a->name, "r") ? 1 :
				      !strcmp(a->name, "rw") ? 3 : -1;
			if (op->a[ai - 1] < 0)
				ierr(env, st->line, st->col, "expected none, r or rw, found '%s'", a->name);
		} else {
			enum scn_decl_kind dk = k == 'f' ? D_FILE : k == 'v' ? D_VM : D_PROCESS;

			op->ref = scn_decl_index(s, dk, a->name);
			if (op->ref < 0)
				ierr(env, st->line, st->col, "unknown %s '%s'",
				     k == 'f' ? "file" : k == 'v' ? "vm" : "process", a->name);
		}
	}
}

static void emit(struct env *env, struct scn_op *ops, int *nr, int *actor_of,
		 int actor, const struct scn_stmt *st)
{
	struct scn_op *op;
	int opc;

	if (st->is_for) {
		emit_for(env, ops, nr, actor_of, actor, st);
		return;
	}
	if (*nr >= SCN_MAX_OPS) {
		ierr(env, st->line, st->col, "more than %d operations", SCN_MAX_OPS);
		return;
	}
	opc = find_op(st->op);
	if (actor_of) {
		if (!emit_setup_actor(env, actor_of, nr, opc, st))
			return;
	} else if (!strchr(scn_ops[opc].actors, env->actors[actor].kind)) {
		ierr(env, st->line, st->col, "a %s cannot run '%s'%s",
		     env->actors[actor].kind == 'c' ? "cpu" : env->actors[actor].kind == 'v' ? "vcpu" : "kthread",
		     st->op, strchr(scn_ops[opc].actors, 's') ? " outside setup" : "");
		return;
	}
	op = &ops[(*nr)++];
	memset(op, 0, sizeof(*op));
	op->code = (u8)opc;
	op->line = st->line;
	op->col = st->col;
	op->ref = -1;
	emit_args(env, op, opc, st);
}

/* Does [gfn, gfn + nr) lie in one memslot of the vm declared at vm? */
static bool in_memslot(const struct scn *s, const struct scn_inst *in, int vm, s64 gfn, s64 nr)
{
	for (int i = 0; i < s->nr_decls; i++)
		if (s->decls[i].kind == D_MEMSLOT && !strcmp(s->decls[i].ref, s->decls[vm].name) &&
		    gfn >= in->gfn[i] && nr <= in->pages[i] && gfn - in->gfn[i] <= in->pages[i] - nr)
			return true;
	return false;
}

/* The number of memslots of the vm declared at vm. */
static s64 nr_memslots(const struct scn *s, int vm)
{
	s64 n = 0;

	for (int i = 0; i < s->nr_decls; i++)
		if (s->decls[i].kind == D_MEMSLOT && !strcmp(s->decls[i].ref, s->decls[vm].name))
			n++;
	return n;
}

/*
 * The arguments whose range the scenario itself fixes: a file's page
 * indices, a vm's gfns (its memslots), counts.  An operation outside them
 * can never mean anything, so it is refused here rather than run as a
 * silent no-op.  Addresses are not checked: an access to an unmapped
 * address has a meaning (the fault path's SIGSEGV), which the model runs.
 */
static void check_op_ranges(struct env *env, const struct scn *s, const struct scn_inst *in,
			    const struct scn_op *op)
{
	const char *name = scn_ops[op->code].name;
	s64 pages = op->ref >= 0 ? in->pages[op->ref] : 0;

	switch (op->code) {
	case OPC_WRITEBACK:
	case OPC_TRUNCATE:
		if (op->a[0] < 0 || op->a[0] >= pages)
			ierr(env, op->line, op->col, "%s: index %lld: expected 0 to %lld (file '%s' has %lld pages)",
			     name, (long long)op->a[0], (long long)pages - 1, s->decls[op->ref].name,
			     (long long)pages);
		break;
	case OPC_CLEAN_RECORD:
	case OPC_WP_MAPPING:
		if (op->a[0] < 0 || op->a[1] < 0 || op->a[0] > pages || op->a[1] > pages - op->a[0])
			ierr(env, op->line, op->col, "%s: pages %lld + %lld: expected a range within file '%s' (%lld pages)",
			     name, (long long)op->a[0], (long long)op->a[1], s->decls[op->ref].name,
			     (long long)pages);
		break;
	case OPC_KVM_AGE:
		if (op->a[1] < 1 || !in_memslot(s, in, op->ref, op->a[0], op->a[1]))
			ierr(env, op->line, op->col, "%s: gfns %#llx + %lld: expected a range of at least one gfn within one memslot of vm '%s'",
			     name, (unsigned long long)op->a[0], (long long)op->a[1],
			     s->decls[op->ref].name);
		break;
	case OPC_KVM_WRITE_PROTECT:
	case OPC_KVM_SPLIT:
	case OPC_SPTE_SET:
	case OPC_SPTE_CLEAR:
	case OPC_MAP_HUGE:
		if (!in_memslot(s, in, op->ref, op->a[0], 1))
			ierr(env, op->line, op->col, "%s: gfn %#llx: expected a gfn within a memslot of vm '%s'",
			     name, (unsigned long long)op->a[0], s->decls[op->ref].name);
		break;
	case OPC_KVM_LOG_DIRTY:
	case OPC_KVM_GET_DIRTY_LOG:
	case OPC_KVM_CLEAR_DIRTY_LOG:
		if (op->a[0] < 0 || op->a[0] >= nr_memslots(s, op->ref))
			ierr(env, op->line, op->col, "%s: memslot %lld: expected 0 to %lld (vm '%s' has %lld memslots)",
			     name, (long long)op->a[0], (long long)nr_memslots(s, op->ref) - 1,
			     s->decls[op->ref].name, (long long)nr_memslots(s, op->ref));
		break;
	default:
		break;
	}
}

int scn_instantiate(const struct scn *s, struct scn_inst *in, char *err,
		    size_t errlen)
{
	struct env env = { .s = s, .err = err, .errlen = errlen };

	memset(in, 0, sizeof(*in));
	for (int i = 0; i < s->nr_decls && !env.failed; i++) {
		const struct scn_decl *d = &s->decls[i];

		in->addr[i] = eval(&env, d->addr);
		in->pages[i] = eval(&env, d->pages);
		in->gfn[i] = d->kind == D_ACTOR ? 0 : eval(&env, d->gfn);
		in->pgoff[i] = eval(&env, d->pgoff);
		in->ring[i] = eval(&env, d->ring);
		if (d->kind == D_VM && d->ring &&
		    (in->ring[i] < 256 || in->ring[i] > 65536 || (in->ring[i] & (in->ring[i] - 1))))
			ierr(&env, d->ring->line, d->ring->col, "dirty_ring %lld: expected a power of two from 256 to 65536 entries",
			     (long long)in->ring[i]);
		if (d->kind == D_ACTOR) {
			s64 lo = d->rep_n ? eval(&env, d->gfn) : 0;
			s64 hi = d->rep_n ? eval(&env, d->rep_n) : 1;
			char kind = d->kind_name[0] == 'c' ? 'c' : d->kind_name[0] == 'v' ? 'v' : 'k';
			int ref = kind == 'c' ? scn_decl_index(s, D_PROCESS, d->ref) :
				  kind == 'v' ? scn_decl_index(s, D_VM, d->ref) : -1;

			if (kind != 'k' && ref < 0) {
				ierr(&env, d->line, d->col, "unknown %s '%s'",
				     kind == 'c' ? "process" : "vm", d->ref);
				break;
			}
			for (s64 r = lo; r < hi && !env.failed; r++) {
				struct scn_actor_inst *a;

				if (in->nr_actors >= SCN_MAX_ACTORS) {
					ierr(&env, d->line, d->col, "too many actors (at most %d)",
					     SCN_MAX_ACTORS);
					break;
				}
				a = &in->actors[in->nr_actors++];
				if (d->rep_n)
					snprintf(a->name, sizeof(a->name), "%.20s%lld", d->name, (long long)r);
				else
					snprintf(a->name, sizeof(a->name), "%s", d->name);
				a->kind = kind;
				a->ref = ref;
				env.actors = in->actors;
				env.nr_actors = in->nr_actors;
				env.n = 0;
				if (d->rep_n) {
					env.vars[0] = d->rep_var;
					env.vals[0] = r;
					env.n = 1;
				}
				emit_list(&env, a->ops, &a->nr_ops, NULL, in->nr_actors - 1, d->body);
				env.n = 0;
			}
		}
	}
	env.actors = in->actors;
	env.nr_actors = in->nr_actors;
	if (!env.failed)
		emit_list(&env, in->setup, &in->nr_setup, in->setup_actor, -1, s->setup);
	if (!env.failed && !in->nr_actors)
		ierr(&env, 1, 1, "the scenario declares no actor");
	for (int i = 0; i < in->nr_actors && !env.failed; i++)
		for (int j = 0; j < in->actors[i].nr_ops; j++)
			check_op_ranges(&env, s, in, &in->actors[i].ops[j]);
	for (int j = 0; j < in->nr_setup && !env.failed; j++)
		check_op_ranges(&env, s, in, &in->setup[j]);
	return env.failed ? -1 : 0;
}

/*
 * Reads a scenario as a stream, so that a pipe or FIFO serves as well as a
 * file.  A FIFO is opened without waiting for a writer: with none, the
 * first read sees end of file (an empty scenario) instead of blocking.
 */
char *scn_read_file(const char *path, char *err, size_t n)
{
	size_t len = 0;
	char *buf = NULL;
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, n, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) || S_ISDIR(st.st_mode)) {
		snprintf(err, n, "%s: cannot read: %s", path, S_ISDIR(st.st_mode) ? "a directory" :
			 strerror(errno));
		goto fail;
	}
	/* blocking from here: a writer that has not written yet is waited for */
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) ||
	    !(buf = malloc(SCN_MAX_FILE + 2))) {
		snprintf(err, n, "%s: %s", path, buf ? strerror(errno) : "out of memory");
		goto fail;
	}
	for (;;) {
		ssize_t r = read(fd, buf + len, SCN_MAX_FILE + 1 - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, n, "%s: cannot read: %s", path, strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > SCN_MAX_FILE) {
			snprintf(err, n, "%s:1:1: expected a scenario of at most 1 MiB", path);
			goto fail;
		}
	}
	close(fd);
	buf[len] = 0;
	if (strlen(buf) != len) {
		int line = 1, col = 1;

		for (const char *c = buf; *c; c++, col++)
			if (*c == '\n')
				line++, col = 0;
		snprintf(err, n, "%s:%d:%d: expected text, found a NUL byte", path, line, col);
		free(buf);
		return NULL;
	}
	return buf;
fail:
	close(fd);
	free(buf);
	return NULL;
}
