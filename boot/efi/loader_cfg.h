/* SPDX-License-Identifier: MIT */
/*
 * \basalt\loader.cfg: what BOOTX64.EFI loads.
 *
 *   # comment                      a '#' that starts a word comments out
 *   core    /basalt/basalt.elf     the rest of its line; blank lines are fine
 *   cmdline loglevel=info exit=qemu
 *   module  /basalt/guest.bin some args
 *   manifest /vms.manifest
 *
 * One key per line, words separated by spaces or tabs, CR LF or LF line
 * ends, an optional UTF-8 byte-order mark:
 *   core PATH        exactly once
 *   cmdline TEXT     at most once; TEXT is the rest of the line (may be empty)
 *   module PATH ...  up to BOOT_MAX_MODULES; "PATH ..." as written becomes
 *                    the module's name in struct boot_info
 *   manifest PATH    at most once; PATH ends in ".manifest". The loader also
 *                    loads that boot manifest and every file it names, as
 *                    modules in the place of this line (loader_manifest.h).
 *                    No `module` may then name a ".manifest" file: the core
 *                    reads only one manifest.
 * PATH is absolute on the loader's own volume, '/'-separated, printable
 * ASCII; the parser hands it on '\'-separated, as UEFI file paths want it.
 *
 * Pure code: no EFI headers, no allocation, no libc. Unit-tested on the host
 * (tests/unit/test_efi_cfg.c).
 */
#ifndef BOOT_EFI_LOADER_CFG_H
#define BOOT_EFI_LOADER_CFG_H

#include <stddef.h>

#include "include/basalt/boot_info.h"
#include "boot/efi/loader_msg.h"

#define LOADER_CFG_NAME "loader.cfg" /* file name used in messages */
#define LOADER_PATH_LEN 256          /* file path, NUL included */

struct loader_cfg_module {
	char path[LOADER_PATH_LEN];  /* '\'-separated, for the file system */
	char name[BOOT_MODNAME_LEN]; /* "path [args]" as written */
};

struct loader_cfg {
	char core[LOADER_PATH_LEN]; /* '\'-separated */
	char cmdline[BOOT_CMDLINE_LEN]; /* empty when there is no cmdline line */
	unsigned nr_modules;
	struct loader_cfg_module modules[BOOT_MAX_MODULES];
	/* The manifest line: path[0] == '\0' when there is none; name is PATH. */
	struct loader_cfg_module manifest;
	unsigned manifest_at; /* module lines before the manifest line */
	/* On failure: "loader.cfg:LINE: what", or "loader.cfg: what". */
	char error[LOADER_ERR_LEN];
};

/*
 * Parse len bytes of text (not NUL-terminated) into cfg, which is
 * overwritten. Returns 0, or -1 with cfg->error set; the first error stops
 * the parse. Any context; cfg may be large, so callers keep it in static
 * storage.
 */
int loader_cfg_parse(struct loader_cfg *cfg, const char *text, size_t len);

#endif
