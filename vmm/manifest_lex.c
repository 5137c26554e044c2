// SPDX-License-Identifier: MIT
/*
 * The manifest lexer and typed-value readers (see manifest_lex.h): what a
 * line may contain (docs/manifest.md, "Syntax" and "Values") and the exact
 * message for everything it may not.
 */
#include <stdarg.h>

#include "arch/x86_64/lib/errno.h"
#ifdef HOST_TEST
#include <string.h>
#else
#include "arch/x86_64/lib/string.h"
#endif
#include "drivers/fmt.h"
#include "vmm/manifest_lex.h"

#define WORD_MAX 32 /* longest word compared for "did you mean" */

static const char *const bool_words[] = { "true", "false", NULL };

/* --- messages ---------------------------------------------------------------- */

void manifest_diag_add(struct manifest_diag *d, const char *file, unsigned line, const char *fmt,
		       ...)
{
	va_list ap;
	char *out;
	int n;

	if (d->count >= MANIFEST_MAX_DIAGS) {
		d->dropped++;
		return;
	}
	out = d->msg[d->count++];
	n = fmt_snprintf(out, MANIFEST_DIAG_LEN, "%s:%u: ", file && *file ? file : "manifest",
			 line);
	if (n < 0 || n >= MANIFEST_DIAG_LEN)
		return;
	va_start(ap, fmt);
	fmt_vsnprintf(out + n, MANIFEST_DIAG_LEN - (size_t)n, fmt, ap);
	va_end(ap);
}

static int verr(struct manifest_parser *p, unsigned line, const char *key, const char *fmt,
		va_list ap)
{
	char msg[MANIFEST_DIAG_LEN];

	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	if (key)
		manifest_diag_add(p->d, p->m->file, line, "%s: %s", key, msg);
	else
		manifest_diag_add(p->d, p->m->file, line, "%s", msg);
	p->err = -EINVAL;
	return -EINVAL;
}

/* An error on the current line. Returns -EINVAL. */
int manifest_err(struct manifest_parser *p, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = verr(p, p->line, NULL, fmt, ap);
	va_end(ap);
	return err;
}

/* An error on an earlier line (section checks). */
int manifest_err_at(struct manifest_parser *p, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = verr(p, line, NULL, fmt, ap);
	va_end(ap);
	return err;
}

/* An error in the value of the key being set: "key: ...". */
int manifest_kerr(struct manifest_parser *p, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = verr(p, p->line, p->key, fmt, ap);
	va_end(ap);
	return err;
}

/* The user's text for a message: printable, at most MANIFEST_ECHO_MAX characters. */
const char *manifest_echo(struct manifest_echo *e, const char *s, size_t len)
{
	size_t n = len < MANIFEST_ECHO_MAX ? len : MANIFEST_ECHO_MAX;

	for (size_t i = 0; i < n; i++)
		e->s[i] = s[i] >= ' ' && s[i] < 0x7f ? s[i] : '?';
	if (len > n) {
		memcpy(e->s + n, "...", 3);
		n += 3;
	}
	e->s[n] = '\0';
	return e->s;
}

const char *manifest_echo_item(const struct manifest_parser *p, struct manifest_echo *e,
			       const struct manifest_item *it)
{
	return manifest_echo(e, p->s + it->off, it->len);
}

/* --- "did you mean" ------------------------------------------------------------ */

static unsigned min3(unsigned a, unsigned b, unsigned c)
{
	unsigned m = a < b ? a : b;

	return m < c ? m : c;
}

/*
 * Edit distance between a[0..la) and b: insertions, deletions,
 * substitutions and swaps of neighbours (optimal string alignment), each 1.
 * Only small distances matter: 3 means "3 or more".
 */
static unsigned distance(const char *a, size_t la, const char *b)
{
	unsigned row[3][WORD_MAX + 1];
	size_t lb = strlen(b);

	if (la > WORD_MAX || lb > WORD_MAX || la > lb + 2 || lb > la + 2)
		return 3;
	for (size_t j = 0; j <= lb; j++)
		row[0][j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned *cur = row[i % 3], *prev = row[(i + 2) % 3], *prev2 = row[(i + 1) % 3];

		cur[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned v = min3(prev[j] + 1, cur[j - 1] + 1,
					  prev[j - 1] + (a[i - 1] != b[j - 1]));

			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < v)
				v = prev2[j - 2] + 1;
			cur[j] = v;
		}
	}
	return row[la % 3][lb] < 3 ? row[la % 3][lb] : 3;
}

/* The closest of n words (stride bytes apart, each a const char *) within 2 edits, or NULL. */
const char *manifest_closest(const char *s, size_t len, const void *words, unsigned n,
			     size_t stride)
{
	const char *best = NULL;
	unsigned best_d = 3;

	for (unsigned i = 0; i < n; i++) {
		const char *w = *(const char *const *)((const char *)words + i * stride);
		unsigned d = distance(s, len, w);

		if (d < best_d && d < len) {
			best = w;
			best_d = d;
		}
	}
	return best;
}

unsigned manifest_count_words(const char *const *words)
{
	unsigned n = 0;

	while (words[n])
		n++;
	return n;
}

/* --- lexing ---------------------------------------------------------------------- */

bool manifest_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

void manifest_skip_blanks(struct manifest_parser *p)
{
	while (p->pos < p->len && manifest_is_blank(p->s[p->pos]))
		p->pos++;
}

/* At the end of the line or at a comment. */
bool manifest_at_end(const struct manifest_parser *p)
{
	return p->pos == p->len || p->s[p->pos] == '#';
}

static bool word_char(char c)
{
	return c > ' ' && c < 0x7f && c != '"' && c != '#' && c != ',' && c != '[' && c != ']';
}

/* The character at pos does not belong there. */
int manifest_unexpected(struct manifest_parser *p, const char *where)
{
	unsigned char c = (unsigned char)p->s[p->pos];

	if (c >= 0x80)
		return manifest_err(p, "non-ASCII byte 0x%02x outside a string", c);
	if (c < ' ' || c == 0x7f)
		return manifest_err(p, "control character 0x%02x outside a string", c);
	return manifest_err(p, "unexpected '%c' %s", c, where);
}

static int bad_escape(struct manifest_parser *p, unsigned char c)
{
	if (c > ' ' && c < 0x7f)
		return manifest_err(p, "unknown escape '\\%c' in a string (use \\\" \\\\ or \\n)", c);
	return manifest_err(p, "unknown escape in a string (use \\\" \\\\ or \\n)");
}

static int lex_string(struct manifest_parser *p, struct manifest_item *it)
{
	it->string = true;
	it->off = (unsigned)++p->pos;
	for (;;) {
		unsigned char c;

		if (p->pos == p->len || (p->s[p->pos] == '\\' && p->pos + 1 == p->len))
			return manifest_err(p, "unterminated string: missing '\"'");
		c = (unsigned char)p->s[p->pos];
		if (c == '"')
			break;
		if (c == '\\') {
			c = (unsigned char)p->s[++p->pos];
			if (c != '"' && c != '\\' && c != 'n')
				return bad_escape(p, c);
		} else if ((c < ' ' && c != '\t') || c == 0x7f) {
			return manifest_err(p, "control character 0x%02x in a string", c);
		}
		p->pos++;
	}
	it->len = (unsigned)(p->pos++ - it->off);
	return 0;
}

/* A string or a bare word. */
static int lex_item(struct manifest_parser *p, struct manifest_item *it)
{
	size_t start = p->pos;

	if (p->s[p->pos] == '"')
		return lex_string(p, it);
	while (p->pos < p->len && word_char(p->s[p->pos]))
		p->pos++;
	if (p->pos == start)
		return manifest_unexpected(p, "where a value should be");
	it->string = false;
	it->off = (unsigned)start;
	it->len = (unsigned)(p->pos - start);
	return 0;
}

/* "[" item { "," item } "]" or "[]", on one line. */
static int lex_list(struct manifest_parser *p, struct manifest_value *v)
{
	v->list = true;
	p->pos++;
	manifest_skip_blanks(p);
	if (p->pos < p->len && p->s[p->pos] == ']') {
		p->pos++;
		return 0;
	}
	for (;;) {
		if (manifest_at_end(p))
			return manifest_err(p, "unterminated list: missing ']'");
		if (p->s[p->pos] == '[')
			return manifest_err(p, "lists cannot be nested");
		if (v->n == MANIFEST_LIST_MAX)
			return manifest_err(p, "list longer than %u items", MANIFEST_LIST_MAX);
		if (lex_item(p, &v->it[v->n++]))
			return -EINVAL;
		manifest_skip_blanks(p);
		if (manifest_at_end(p))
			return manifest_err(p, "unterminated list: missing ']'");
		if (p->s[p->pos] == ']') {
			p->pos++;
			return 0;
		}
		if (p->s[p->pos] != ',')
			return manifest_unexpected(p, "in a list (expected ',' or ']')");
		p->pos++;
		manifest_skip_blanks(p);
		if (p->pos < p->len && p->s[p->pos] == ']')
			return manifest_err(p, "',' before ']' in a list");
	}
}

/* Everything after '=': one value, then nothing but a comment. */
int manifest_lex_value(struct manifest_parser *p, struct manifest_value *v)
{
	v->list = false;
	v->n = 0;
	manifest_skip_blanks(p);
	if (manifest_at_end(p))
		return manifest_err(p, "missing value after '='");
	if (p->s[p->pos] == '[') {
		if (lex_list(p, v))
			return -EINVAL;
	} else {
		v->n = 1;
		if (lex_item(p, &v->it[0]))
			return -EINVAL;
	}
	manifest_skip_blanks(p);
	if (!manifest_at_end(p))
		return manifest_unexpected(p, "after the value");
	return 0;
}

/* --- typed values -------------------------------------------------------------- */

static bool item_is(const struct manifest_parser *p, const struct manifest_item *it,
		    const char *word)
{
	return !it->string && strlen(word) == it->len && !memcmp(p->s + it->off, word, it->len);
}

/* The value as a single bare word, for a key that wants `expected`; NULL after a message. */
static const struct manifest_item *get_word(struct manifest_parser *p,
					    const struct manifest_value *v, const char *expected)
{
	if (v->list)
		return manifest_kerr(p, "expected %s, got a list", expected), NULL;
	if (v->it[0].string)
		return manifest_kerr(p, "expected %s, got a string", expected), NULL;
	return &v->it[0];
}

/* The integer at the start of s[0..len): decimal or 0x hex. Returns the
 * characters used (0: none), -1 on overflow. */
static long parse_u64(const char *s, size_t len, uint64_t *out)
{
	unsigned base = 10;
	size_t i = 0, start;
	uint64_t v = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	for (start = i; i < len; i++) {
		unsigned dg;

		if (s[i] >= '0' && s[i] <= '9')
			dg = (unsigned)(s[i] - '0');
		else if (base == 16 && s[i] >= 'a' && s[i] <= 'f')
			dg = (unsigned)(s[i] - 'a') + 10;
		else if (base == 16 && s[i] >= 'A' && s[i] <= 'F')
			dg = (unsigned)(s[i] - 'A') + 10;
		else
			break;
		if (v > (UINT64_MAX - dg) / base)
			return -1;
		v = v * base + dg;
	}
	if (i == start)
		return 0;
	*out = v;
	return (long)i;
}

/* An integer with one of the given suffixes (suffixes[k] multiplies by mult[k]). */
static int item_number(struct manifest_parser *p, const struct manifest_item *it,
		       const char *const *suffixes, const uint64_t *mult, uint64_t *out)
{
	const char *s = p->s + it->off;
	long used = parse_u64(s, it->len, out);
	size_t rest;

	if (used < 0)
		return 1;
	if (used == 0)
		return -1;
	rest = it->len - (size_t)used;
	for (unsigned k = 0; suffixes[k]; k++) {
		if (strlen(suffixes[k]) != rest || memcmp(s + used, suffixes[k], rest))
			continue;
		if (*out > UINT64_MAX / mult[k])
			return 1;
		*out *= mult[k];
		return 0;
	}
	return -1;
}

int manifest_item_uint(struct manifest_parser *p, const struct manifest_item *it, uint64_t min,
		       uint64_t max, uint64_t *out)
{
	static const char *const none[] = { "", NULL };
	static const uint64_t one[] = { 1 };
	struct manifest_echo e;
	int r;

	if (it->string)
		return manifest_kerr(p, "expected an integer, got a string");
	r = item_number(p, it, none, one, out);
	if (r < 0)
		return manifest_kerr(p, "'%s' is not an integer", manifest_echo_item(p, &e, it));
	if (r > 0 || *out < min || *out > max)
		return manifest_kerr(p, "%s is out of range (%llu..%llu)",
				     manifest_echo_item(p, &e, it), (unsigned long long)min,
				     (unsigned long long)max);
	return 0;
}

int manifest_get_uint(struct manifest_parser *p, const struct manifest_value *v, uint64_t min,
		      uint64_t max, uint64_t *out)
{
	const struct manifest_item *it;

	it = get_word(p, v, "an integer");
	if (!it)
		return -EINVAL;
	return manifest_item_uint(p, it, min, max, out);
}

/* An integer with an optional K, M or G suffix. */
int manifest_get_size(struct manifest_parser *p, const struct manifest_value *v, uint64_t *out)
{
	static const char *const sfx[] = { "", "K", "M", "G", NULL };
	static const uint64_t mult[] = { 1, 1ull << 10, 1ull << 20, 1ull << 30 };
	const struct manifest_item *it;
	struct manifest_echo e;
	int r;

	it = get_word(p, v, "a size such as 64M");
	if (!it)
		return -EINVAL;
	r = item_number(p, it, sfx, mult, out);
	if (r > 0)
		return manifest_kerr(p, "'%s' is too large", manifest_echo_item(p, &e, it));
	if (r < 0)
		return manifest_kerr(p,
				     "'%s' is not a size (an integer, optionally with K, M or G)",
				     manifest_echo_item(p, &e, it));
	return 0;
}

/* A time in microseconds: an integer with us or ms. */
int manifest_get_time(struct manifest_parser *p, const struct manifest_value *v, uint64_t *out)
{
	static const char *const sfx[] = { "us", "ms", NULL };
	static const uint64_t mult[] = { 1, 1000 };
	const struct manifest_item *it;
	struct manifest_echo e;
	uint64_t n;
	int r;

	it = get_word(p, v, "a time such as 10ms");
	if (!it)
		return -EINVAL;
	r = item_number(p, it, sfx, mult, out);
	if (r < 0 && parse_u64(p->s + it->off, it->len, &n) == (long)it->len)
		return manifest_kerr(p, "'%s' needs a unit: us or ms",
				     manifest_echo_item(p, &e, it));
	if (r < 0)
		return manifest_kerr(p,
				     "'%s' is not a time (an integer with us or ms, such as 10ms)",
				     manifest_echo_item(p, &e, it));
	return r > 0 ? manifest_kerr(p, "'%s' is too large", manifest_echo_item(p, &e, it)) : 0;
}

/* One of words (NULL-terminated); *out is its index. */
int manifest_get_enum(struct manifest_parser *p, const struct manifest_value *v,
		      const char *const *words, unsigned *out)
{
	char list[80];
	size_t n = 0;
	const struct manifest_item *it;
	const char *best;
	struct manifest_echo e;

	for (unsigned i = 0; words[i] && n < sizeof(list); i++)
		n += (size_t)fmt_snprintf(list + n, sizeof(list) - n, "%s%s",
					  !i ? "" : words[i + 1] ? ", " : " or ", words[i]);
	it = get_word(p, v, list);
	if (!it)
		return -EINVAL;
	for (unsigned i = 0; words[i]; i++) {
		if (item_is(p, it, words[i])) {
			*out = i;
			return 0;
		}
	}
	best = manifest_closest(p->s + it->off, it->len, words, manifest_count_words(words),
				sizeof(*words));
	if (best)
		return manifest_kerr(p, "expected %s, got '%s'; did you mean '%s'?", list,
				     manifest_echo_item(p, &e, it), best);
	return manifest_kerr(p, "expected %s, got '%s'", list, manifest_echo_item(p, &e, it));
}

int manifest_get_bool(struct manifest_parser *p, const struct manifest_value *v, bool *out)
{
	unsigned i;

	if (manifest_get_enum(p, v, bool_words, &i))
		return -EINVAL;
	*out = i == 0;
	return 0;
}

/* Decode the escapes of string item it into dst (size bytes). Length, or -1 if too long. */
static long unescape(const struct manifest_parser *p, const struct manifest_item *it, char *dst,
		     size_t size)
{
	const char *s = p->s + it->off;
	size_t n = 0;

	for (size_t i = 0; i < it->len; i++, n++) {
		char c = s[i];

		if (c == '\\')
			c = s[++i] == 'n' ? '\n' : s[i];
		if (n + 1 >= size)
			return -1;
		dst[n] = c;
	}
	dst[n] = '\0';
	return (long)n;
}

int manifest_item_string(struct manifest_parser *p, const struct manifest_item *it, char *dst,
			 size_t size)
{
	struct manifest_echo e;

	if (!it->string)
		return manifest_kerr(p, "expected a string in double quotes, got '%s'",
				     manifest_echo_item(p, &e, it));
	if (unescape(p, it, dst, size) < 0)
		return manifest_kerr(p, "longer than %zu characters", size - 1);
	return 0;
}

static bool path_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '+' || c == '-' || c == '/';
}

/* Each '/'-separated part is a name (a leading '/' is allowed). */
static bool path_parts_ok(const char *s)
{
	const char *part = *s == '/' ? s + 1 : s;

	for (;;) {
		size_t n = 0;

		while (part[n] && part[n] != '/')
			n++;
		if (n == 0 || (n == 1 && part[0] == '.') ||
		    (n == 2 && part[0] == '.' && part[1] == '.'))
			return false;
		if (!part[n])
			return true;
		part += n + 1;
	}
}

/* A file on the boot medium: see docs/manifest.md, "Paths". */
int manifest_item_path(struct manifest_parser *p, const struct manifest_item *it, char *dst)
{
	if (manifest_item_string(p, it, dst, MANIFEST_PATH_LEN))
		return -EINVAL;
	if (!dst[0])
		return manifest_kerr(p, "empty path");
	for (const char *c = dst; *c; c++) {
		if (path_char(*c))
			continue;
		if (*c >= ' ' && *c < 0x7f)
			return manifest_kerr(
				p, "'%c' is not allowed in a path (use A-Z a-z 0-9 . _ + - /)", *c);
		return manifest_kerr(
			p, "byte 0x%02x is not allowed in a path (use A-Z a-z 0-9 . _ + - /)",
			(unsigned char)*c);
	}
	if (!path_parts_ok(dst))
		return manifest_kerr(p, "path '%s' has an empty, '.' or '..' part", dst);
	return 0;
}

int manifest_get_path(struct manifest_parser *p, const struct manifest_value *v, char *dst)
{
	if (v->list)
		return manifest_kerr(p, "expected a string in double quotes, got a list");
	return manifest_item_path(p, &v->it[0], dst);
}
