/* SPDX-License-Identifier: MIT */
/*
 * Inside the manifest parser: the lexer and the typed-value readers shared
 * by vmm/manifest.c (sections and keys) and vmm/manifest_lex.c. Nothing
 * outside those two files includes this; callers use vmm/manifest.h.
 *
 * The parser works on one line at a time (s[0..len), not NUL-terminated,
 * already checked for NUL bytes and length). Every reader either stores a
 * value and returns 0, or adds one message for the current line and
 * returns -EINVAL; manifest_kerr() messages start with the key's name.
 */
#ifndef VMM_MANIFEST_LEX_H
#define VMM_MANIFEST_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/manifest.h"

#define MANIFEST_LIST_MAX 64 /* items in one list */
#define MANIFEST_ECHO_MAX 32 /* characters of the user's text quoted in a message */

enum manifest_section { SEC_NONE, SEC_HV, SEC_VM, SEC_SKIP };

/* One value or list item: where it is in the line. Strings: the text
 * between the quotes, escapes still in place (the lexer checked them). */
struct manifest_item {
	bool string;
	unsigned off, len;
};

struct manifest_value {
	bool list;
	unsigned n;
	struct manifest_item it[MANIFEST_LIST_MAX];
};

struct manifest_parser {
	struct manifest *m;
	struct manifest_diag *d;
	const char *s;          /* the current line */
	size_t len, pos;
	unsigned line;
	enum manifest_section sec;
	struct manifest_vm *vm; /* SEC_VM */
	uint32_t failed;        /* keys of this section whose value was refused */
	const char *key;        /* the key being set, for manifest_kerr() */
	int err;                /* -EINVAL once anything failed */
};

/* The user's text, made printable and cut to MANIFEST_ECHO_MAX characters. */
struct manifest_echo {
	char s[MANIFEST_ECHO_MAX + 4];
};

/* Messages; each returns -EINVAL. */
int manifest_err(struct manifest_parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int manifest_err_at(struct manifest_parser *p, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int manifest_kerr(struct manifest_parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The character at p->pos does not belong there ("unexpected 'x' <where>"). */
int manifest_unexpected(struct manifest_parser *p, const char *where);

const char *manifest_echo(struct manifest_echo *e, const char *s, size_t len);
const char *manifest_echo_item(const struct manifest_parser *p, struct manifest_echo *e,
			       const struct manifest_item *it);

/* The closest of n words (a const char * every stride bytes) within 2 edits, or NULL. */
const char *manifest_closest(const char *s, size_t len, const void *words, unsigned n,
			     size_t stride);
unsigned manifest_count_words(const char *const *words);

bool manifest_is_blank(char c);
void manifest_skip_blanks(struct manifest_parser *p);
/* At the end of the line or at a comment. */
bool manifest_at_end(const struct manifest_parser *p);
/* Everything after '=': one value or list, then nothing but a comment. */
int manifest_lex_value(struct manifest_parser *p, struct manifest_value *v);

/* Typed values (a list where one value is expected is an error). */
int manifest_item_uint(struct manifest_parser *p, const struct manifest_item *it, uint64_t min,
		       uint64_t max, uint64_t *out);
int manifest_get_uint(struct manifest_parser *p, const struct manifest_value *v, uint64_t min,
		      uint64_t max, uint64_t *out);
/* An integer with an optional K, M or G suffix. */
int manifest_get_size(struct manifest_parser *p, const struct manifest_value *v, uint64_t *out);
/* Microseconds: an integer with a us or ms suffix. */
int manifest_get_time(struct manifest_parser *p, const struct manifest_value *v, uint64_t *out);
/* One of words (NULL-terminated), *out its index; suggests a close one. */
int manifest_get_enum(struct manifest_parser *p, const struct manifest_value *v,
		      const char *const *words, unsigned *out);
int manifest_get_bool(struct manifest_parser *p, const struct manifest_value *v, bool *out);
/* A quoted string, escapes decoded, into dst (size bytes, NUL included). */
int manifest_item_string(struct manifest_parser *p, const struct manifest_item *it, char *dst,
			 size_t size);
/* A file path (docs/manifest.md, "Paths") into dst[MANIFEST_PATH_LEN]. */
int manifest_item_path(struct manifest_parser *p, const struct manifest_item *it, char *dst);
int manifest_get_path(struct manifest_parser *p, const struct manifest_value *v, char *dst);

#endif
