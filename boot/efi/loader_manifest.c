// SPDX-License-Identifier: MIT
/*
 * The files a boot manifest makes the loader load (contract in
 * loader_manifest.h).
 *
 * manifest_parse() has checked every path already (1 to 127 characters of
 * A-Z a-z 0-9 . _ + - /, no empty, "." or ".." part; docs/manifest.md,
 * "Paths"), so a path turns into a module without further checks. The
 * modules are inserted only once all of them are known to fit: a manifest
 * either adds all its files or leaves loader.cfg's list as it was.
 */
#include <stdbool.h>

#include "boot/efi/loader_manifest.h"

_Static_assert(MANIFEST_PATH_LEN + 1 <= LOADER_PATH_LEN &&
		       MANIFEST_PATH_LEN + 1 <= BOOT_MODNAME_LEN,
	       "a manifest path with a leading '/' fits a module");

/* The files to add, in manifest order: pointers into lm->m. */
struct file_list {
	const struct loader_cfg *cfg;
	struct loader_manifest *lm;
	unsigned n;
	const char *paths[BOOT_MAX_MODULES];
};

static char slash(char c)
{
	return c == '\\' ? '/' : c;
}

/*
 * Whether a and b name the same file: either may be a manifest path
 * ('/'-separated, the leading '/' optional) or a loader path
 * ('\'-separated, absolute).
 */
static bool same_file(const char *a, const char *b)
{
	while (slash(*a) == '/')
		a++;
	while (slash(*b) == '/')
		b++;
	for (; *a && slash(*a) == slash(*b); a++, b++)
		;
	return !*a && !*b;
}

static bool listed(const struct file_list *fl, const char *path)
{
	const struct loader_cfg *cfg = fl->cfg;

	if (same_file(path, cfg->manifest.path))
		return true;
	for (unsigned i = 0; i < cfg->nr_modules; i++)
		if (same_file(path, cfg->modules[i].path))
			return true;
	for (unsigned i = 0; i < fl->n; i++)
		if (same_file(path, fl->paths[i]))
			return true;
	return false;
}

/* Queue the file vm names with key, unless it is loaded already. 0 or -1: no room. */
static int add_file(struct file_list *fl, const struct manifest_vm *vm, enum manifest_vm_key key,
		    const char *path)
{
	/* Modules so far: loader.cfg's, the manifest, the files queued. */
	unsigned nr = fl->cfg->nr_modules + 1 + fl->n;

	if (listed(fl, path))
		return 0;
	if (nr == BOOT_MAX_MODULES) {
		manifest_diag_add(&fl->lm->d, fl->lm->m.file, vm->key_line[key],
				  "vm '%s': %s: '%s' would be boot module %u, the loader takes %u "
				  "(loader.cfg's modules, the manifest and its files)",
				  vm->name, manifest_vm_key_name(key), path, nr + 1, BOOT_MAX_MODULES);
		return -1;
	}
	fl->paths[fl->n++] = path;
	return 0;
}

static int list_files(struct file_list *fl)
{
	const struct manifest *m = &fl->lm->m;

	for (unsigned i = 0; i < m->nr_vms; i++) {
		const struct manifest_vm *vm = &m->vms[i];

		if (add_file(fl, vm, MANIFEST_VM_KERNEL, vm->kernel))
			return -1;
		if (vm->initrd[0] && add_file(fl, vm, MANIFEST_VM_INITRD, vm->initrd))
			return -1;
		for (unsigned j = 0; j < vm->nr_disks; j++)
			if (add_file(fl, vm, MANIFEST_VM_DISK, vm->disks[j]))
				return -1;
	}
	return 0;
}

/* The module for a manifest path: "/path" to the core, "\path" to the firmware. */
static void set_module(struct loader_cfg_module *mod, const char *path)
{
	size_t i;

	while (*path == '/')
		path++;
	mod->name[0] = '/';
	mod->path[0] = '\\';
	for (i = 0; path[i]; i++) {
		mod->name[i + 1] = path[i];
		mod->path[i + 1] = path[i] == '/' ? '\\' : path[i];
	}
	mod->name[i + 1] = '\0';
	mod->path[i + 1] = '\0';
}

int loader_manifest_add(struct loader_cfg *cfg, const char *text, size_t len,
			struct loader_manifest *lm)
{
	struct file_list fl = { .cfg = cfg, .lm = lm, .n = 0 };
	const char *file = cfg->manifest.name;
	unsigned at = cfg->manifest_at, k;

	while (*file == '/')
		file++;
	for (size_t i = 0; i < sizeof(lm->d); i++)
		((char *)&lm->d)[i] = 0;
	if (manifest_parse(file, text, len, &lm->m, &lm->d) || list_files(&fl))
		return -1;
	k = 1 + fl.n;
	for (unsigned i = cfg->nr_modules; i-- > at;)
		cfg->modules[i + k] = cfg->modules[i];
	cfg->modules[at] = cfg->manifest;
	for (unsigned i = 0; i < fl.n; i++)
		set_module(&cfg->modules[at + 1 + i], fl.paths[i]);
	cfg->nr_modules += k;
	return 0;
}
