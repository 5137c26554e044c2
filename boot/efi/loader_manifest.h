/* SPDX-License-Identifier: MIT */
/*
 * The boot manifest on the loader's side: which files to load.
 *
 * With a `manifest PATH` line in loader.cfg the loader reads that file and
 * parses it with the core's own parser, so that the two never disagree
 * about a manifest: vmm/manifest.c and vmm/manifest_lex.c are built into
 * BOOTX64.EFI with drivers/fmt.c and loader_string.c (a deliberate
 * exception to "boot/efi includes only include/ and boot/efi/", see
 * scripts/check-layers.sh). The loader then loads the manifest and every
 * kernel, initrd and disk it names as boot modules, in the place of the
 * manifest line among the `module` lines:
 *
 *   loader.cfg                      boot modules (struct boot_info)
 *   module   /basalt/a.bin x        /basalt/a.bin x
 *   manifest /vms.manifest          /vms.manifest
 *                                   /guests/web.elf     (kernel = "guests/web.elf")
 *                                   /guests/web.img     (disk = "/guests/web.img")
 *   module   /basalt/b.bin          /basalt/b.bin
 *
 * A file's module name is its path as written in the manifest, with one
 * leading '/' (the core matches paths with or without it). Each file is
 * loaded once: not again when another VM names it, nor when a `module` line
 * already loads it. Validation against the machine (CPUs, memory, file
 * sizes) stays in the core; the loader only needs a manifest that parses.
 *
 * Pure code: no EFI headers, no allocation. Unit-tested on the host
 * (tests/unit/test_efi_cfg.c).
 */
#ifndef BOOT_EFI_LOADER_MANIFEST_H
#define BOOT_EFI_LOADER_MANIFEST_H

#include <stddef.h>

#include "boot/efi/loader_cfg.h"
#include "vmm/manifest.h"

#define LOADER_MANIFEST_MAX_SIZE (1024 * 1024) /* larger manifests are refused */

/* The parse result and its messages; about 30 KiB, so callers keep it static. */
struct loader_manifest {
	struct manifest m;
	struct manifest_diag d;
};

/*
 * Parse text (len bytes, the file named by cfg->manifest) and insert the
 * manifest and the files it names into cfg->modules at cfg->manifest_at.
 * Messages name the file as the core does: cfg->manifest.name without its
 * leading '/'. Returns 0, or -1 with every error in lm->d as
 * "file:line: message" (syntax errors, or more files than BOOT_MAX_MODULES
 * allows); cfg is then unchanged. Any context.
 */
int loader_manifest_add(struct loader_cfg *cfg, const char *text, size_t len,
			struct loader_manifest *lm);

#endif
