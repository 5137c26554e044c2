// SPDX-License-Identifier: MIT
/*
 * The loader.cfg parser (format in loader_cfg.h).
 *
 * The text comes from a file anyone can edit on a USB stick, so every line
 * is checked completely and the first problem is reported with its line
 * number; the loader then refuses to boot rather than guess.
 */
#include <stdbool.h>

#include "boot/efi/loader_cfg.h"

/* One line being parsed: [p, end), comment and outer blanks removed. */
struct cfg_line {
	struct loader_cfg *cfg;
	unsigned nr; /* 1-based */
	const char *p, *end;
};

#define MANIFEST_SUFFIX ".manifest" /* how the core tells the manifest module */

/* Where earlier keys were seen, for "second 'core' line" messages. */
struct cfg_state {
	unsigned core_line;
	unsigned cmdline_line;
	unsigned manifest_line;
	unsigned module_manifest_line; /* first module line naming a *.manifest */
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static size_t str_len(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

static bool word_is(const char *w, size_t n, const char *key)
{
	size_t k = str_len(key);

	for (size_t i = 0; i < n && i < k; i++)
		if (w[i] != key[i])
			return false;
	return n == k;
}

static void copy_text(char *dst, const char *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = src[i];
	dst[n] = '\0';
}

/* Start an error message: "loader.cfg:N: " (no number when nr is 0). */
static struct loader_msg cfg_error(struct loader_cfg *cfg, unsigned nr)
{
	struct loader_msg m;

	loader_msg_init(&m, cfg->error, sizeof(cfg->error));
	loader_msg_put(&m, LOADER_CFG_NAME ":");
	if (nr) {
		loader_msg_uint(&m, nr);
		loader_msg_put(&m, ":");
	}
	loader_msg_put(&m, " ");
	return m;
}

/* Split off the next word of l; returns its length (0 at the end). */
static size_t next_word(struct cfg_line *l, const char **word)
{
	size_t n = 0;

	while (l->p < l->end && is_blank(*l->p))
		l->p++;
	*word = l->p;
	while (l->p + n < l->end && !is_blank(l->p[n]))
		n++;
	l->p += n;
	return n;
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = str_len(suffix);

	return n >= k && word_is(s + n - k, k, suffix);
}

static const char *skip_blanks(const char *p, const char *end)
{
	while (p < end && is_blank(*p))
		p++;
	return p;
}

/* Check an absolute '/'-separated path and store it '\'-separated. */
static int convert_path(struct cfg_line *l, const char *path, size_t n, char *out)
{
	struct loader_msg m;
	const char *why = NULL;

	if (path[0] != '/')
		why = " must start with '/'";
	else if (path[n - 1] == '/')
		why = " names a directory";
	else if (n >= LOADER_PATH_LEN)
		why = " is too long";
	for (size_t i = 0; !why && i < n; i++)
		if ((unsigned char)path[i] > 0x7e)
			why = " has a non-ASCII character";
	if (why) {
		m = cfg_error(l->cfg, l->nr);
		loader_msg_put(&m, "path ");
		loader_msg_quote(&m, path, n);
		loader_msg_put(&m, why);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = path[i] == '/' ? '\\' : path[i];
	out[n] = '\0';
	return 0;
}

static int missing_path(struct cfg_line *l, const char *key)
{
	struct loader_msg m = cfg_error(l->cfg, l->nr);

	loader_msg_put(&m, "'");
	loader_msg_put(&m, key);
	loader_msg_put(&m, "' needs a path");
	return -1;
}

static int repeated(struct cfg_line *l, const char *key, unsigned first)
{
	struct loader_msg m = cfg_error(l->cfg, l->nr);

	loader_msg_put(&m, "second '");
	loader_msg_put(&m, key);
	loader_msg_put(&m, "' line (first on line ");
	loader_msg_uint(&m, first);
	loader_msg_put(&m, ")");
	return -1;
}

static int too_long(struct cfg_line *l, const char *what, size_t n, size_t max)
{
	struct loader_msg m = cfg_error(l->cfg, l->nr);

	loader_msg_put(&m, what);
	loader_msg_put(&m, " is ");
	loader_msg_uint(&m, n);
	loader_msg_put(&m, " characters, at most ");
	loader_msg_uint(&m, max);
	loader_msg_put(&m, " fit");
	return -1;
}

/* A key that takes a path and nothing else: words after it are errors. */
static int extra_words(struct cfg_line *l, const char *key, const char *hint)
{
	const char *extra;
	struct loader_msg m;

	if (!next_word(l, &extra))
		return 0;
	m = cfg_error(l->cfg, l->nr);
	loader_msg_put(&m, "unexpected ");
	loader_msg_quote(&m, extra, (size_t)(l->end - extra));
	loader_msg_put(&m, " after the ");
	loader_msg_put(&m, key);
	loader_msg_put(&m, " path");
	loader_msg_put(&m, hint);
	return -1;
}

/* A manifest line and a module that is a manifest too: the core reads one. */
static int two_manifests(struct cfg_line *l, unsigned other)
{
	struct loader_msg m = cfg_error(l->cfg, l->nr);

	loader_msg_put(&m, "a second manifest (the first on line ");
	loader_msg_uint(&m, other);
	loader_msg_put(&m, "): the core reads only one");
	return -1;
}

static int key_core(struct cfg_line *l, struct cfg_state *s)
{
	const char *path;
	size_t n = next_word(l, &path);

	if (s->core_line)
		return repeated(l, "core", s->core_line);
	if (!n)
		return missing_path(l, "core");
	if (extra_words(l, "core", " (use 'cmdline')"))
		return -1;
	s->core_line = l->nr;
	return convert_path(l, path, n, l->cfg->core);
}

static int key_manifest(struct cfg_line *l, struct cfg_state *s)
{
	struct loader_cfg *cfg = l->cfg;
	struct loader_msg m;
	const char *path;
	size_t n = next_word(l, &path);

	if (s->manifest_line)
		return repeated(l, "manifest", s->manifest_line);
	if (!n)
		return missing_path(l, "manifest");
	if (extra_words(l, "manifest", ""))
		return -1;
	if (!ends_with(path, n, MANIFEST_SUFFIX)) {
		m = cfg_error(cfg, l->nr);
		loader_msg_put(&m, "manifest path ");
		loader_msg_quote(&m, path, n);
		loader_msg_put(&m, " must end in '" MANIFEST_SUFFIX "'");
		return -1;
	}
	if (s->module_manifest_line)
		return two_manifests(l, s->module_manifest_line);
	if (convert_path(l, path, n, cfg->manifest.path))
		return -1;
	copy_text(cfg->manifest.name, path, n); /* n < LOADER_PATH_LEN <= BOOT_MODNAME_LEN */
	cfg->manifest_at = cfg->nr_modules;
	s->manifest_line = l->nr;
	return 0;
}

static int key_cmdline(struct cfg_line *l, struct cfg_state *s)
{
	const char *text = skip_blanks(l->p, l->end);
	size_t n = (size_t)(l->end - text);

	if (s->cmdline_line)
		return repeated(l, "cmdline", s->cmdline_line);
	if (n >= BOOT_CMDLINE_LEN)
		return too_long(l, "cmdline", n, BOOT_CMDLINE_LEN - 1);
	s->cmdline_line = l->nr;
	copy_text(l->cfg->cmdline, text, n);
	return 0;
}

static int key_module(struct cfg_line *l, struct cfg_state *s)
{
	struct loader_cfg *cfg = l->cfg;
	const char *text = skip_blanks(l->p, l->end);
	size_t len = (size_t)(l->end - text);
	struct loader_cfg_module *mod;
	struct loader_msg m;
	const char *path;
	size_t n = next_word(l, &path);

	if (cfg->nr_modules == BOOT_MAX_MODULES) {
		m = cfg_error(cfg, l->nr);
		loader_msg_put(&m, "more than ");
		loader_msg_uint(&m, BOOT_MAX_MODULES);
		loader_msg_put(&m, " modules");
		return -1;
	}
	if (!n)
		return missing_path(l, "module");
	mod = &cfg->modules[cfg->nr_modules];
	if (convert_path(l, path, n, mod->path))
		return -1;
	if (len >= BOOT_MODNAME_LEN)
		return too_long(l, "module text", len, BOOT_MODNAME_LEN - 1);
	if (ends_with(path, n, MANIFEST_SUFFIX)) {
		if (s->manifest_line)
			return two_manifests(l, s->manifest_line);
		if (!s->module_manifest_line)
			s->module_manifest_line = l->nr;
	}
	copy_text(mod->name, text, len);
	cfg->nr_modules++;
	return 0;
}

/*
 * Reject control characters (a binary file, a NUL in the middle) before
 * anything else looks at the line.
 */
static int check_chars(struct cfg_line *l)
{
	static const char hex[] = "0123456789abcdef";
	struct loader_msg m;
	char code[5] = "0x00";

	for (const char *c = l->p; c < l->end; c++) {
		unsigned char u = (unsigned char)*c;

		if ((u >= 0x20 && u != 0x7f) || u == '\t')
			continue;
		code[2] = hex[u >> 4];
		code[3] = hex[u & 0xf];
		m = cfg_error(l->cfg, l->nr);
		loader_msg_put(&m, "control character ");
		loader_msg_put(&m, code);
		return -1;
	}
	return 0;
}

/* Cut a comment ('#' at the start of a word) and the blanks around. */
static void trim_line(struct cfg_line *l)
{
	for (const char *c = l->p; c < l->end; c++) {
		if (*c == '#' && (c == l->p || is_blank(c[-1]))) {
			l->end = c;
			break;
		}
	}
	l->p = skip_blanks(l->p, l->end);
	while (l->end > l->p && is_blank(l->end[-1]))
		l->end--;
}

static int cfg_parse_line(struct cfg_line *l, struct cfg_state *s)
{
	struct loader_msg m;
	const char *key;
	size_t n;

	if (l->end > l->p && l->end[-1] == '\r')
		l->end--;
	if (check_chars(l))
		return -1;
	trim_line(l);
	n = next_word(l, &key);
	if (!n)
		return 0;
	if (word_is(key, n, "core"))
		return key_core(l, s);
	if (word_is(key, n, "cmdline"))
		return key_cmdline(l, s);
	if (word_is(key, n, "module"))
		return key_module(l, s);
	if (word_is(key, n, "manifest"))
		return key_manifest(l, s);
	m = cfg_error(l->cfg, l->nr);
	loader_msg_put(&m, "unknown key ");
	loader_msg_quote(&m, key, n);
	return -1;
}

int loader_cfg_parse(struct loader_cfg *cfg, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	struct cfg_state state = { 0, 0, 0, 0 };
	struct cfg_line line = { cfg, 0, NULL, NULL };
	struct loader_msg m;

	for (size_t i = 0; i < sizeof(*cfg); i++)
		((char *)cfg)[i] = 0;
	if (len >= 3 && (unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbb &&
	    (unsigned char)p[2] == 0xbf)
		p += 3;
	while (p < end) {
		const char *eol = p;

		while (eol < end && *eol != '\n')
			eol++;
		line.nr++;
		line.p = p;
		line.end = eol;
		if (cfg_parse_line(&line, &state))
			return -1;
		p = eol < end ? eol + 1 : end;
	}
	if (!state.core_line) {
		m = cfg_error(cfg, 0);
		loader_msg_put(&m, "no 'core' line");
		return -1;
	}
	return 0;
}
