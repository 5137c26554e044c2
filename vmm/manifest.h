/* SPDX-License-Identifier: MIT */
/*
 * The boot manifest: one text file on the boot medium that describes the
 * hypervisor settings and every VM. docs/manifest.md is the user's
 * reference for the format; this header is the programmer's.
 *
 * Two steps, both pure (no hardware access, no allocation: everything lives
 * in the caller's structs, sized by include/basalt/limits.h), callable from
 * any context, on the host too (the basalt-check tool, unit tests, fuzzer):
 *
 *   manifest_parse()     text -> struct manifest: syntax, types, ranges,
 *                        duplicates, required keys, keys that need others.
 *   manifest_validate()  struct manifest against one machine: CPUs that
 *                        exist, memory that fits, files that exist and fit.
 *
 * Both report every error they find (not just the first) into a
 * struct manifest_diag as "file:line: message" and return 0 or -EINVAL.
 * Validate first, then apply: when either returns an error, nothing in
 * struct manifest may be used. manifest_validate() may only be called on a
 * manifest that manifest_parse() accepted.
 *
 *   struct manifest_diag d = { 0 };
 *   if (manifest_parse(name, text, len, m, &d) || manifest_validate(m, &mc, &d))
 *           for (unsigned i = 0; i < d.count; i++) print(d.msg[i]);
 */
#ifndef VMM_MANIFEST_H
#define VMM_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "include/basalt/limits.h"

#define MANIFEST_NAME_LEN  32   /* VM name, NUL included: 1..31 of [a-z0-9_-] */
#define MANIFEST_FILE_LEN  64   /* manifest file name kept for messages, NUL included */
#define MANIFEST_MAX_REGIONS 8  /* entries of manifest_memory_map() */

/*
 * A VM's guest-physical memory map (manifest_memory_map()). RAM is backed
 * from 0 up to min(memory, 3 GiB), the rest above 4 GiB; the legacy area
 * below 1 MiB is backed too but reported reserved to the guest.
 *
 *   0x0000_0000 .. 0x0009_fbff   RAM (639 KiB conventional memory)
 *   0x0009_fc00 .. 0x000f_ffff   reserved: EBDA, VGA window, ROMs (backed)
 *   0x0010_0000 .. low end - 1   RAM, low end = min(memory, 3 GiB)
 *   0xc000_0000 .. 0xfebf_ffff   MMIO: device window (testdev, virtio-mmio)
 *   0xfec0_0000 .. 0xfec0_0fff   MMIO: IOAPIC
 *   0xfee0_0000 .. 0xfee0_0fff   MMIO: local APIC
 *   0x1_0000_0000 .. +memory-3G  RAM above 4 GiB (only if memory > 3 GiB)
 */
#define MANIFEST_CONV_END      0x9fc00ull
#define MANIFEST_LEGACY_END    0x100000ull
#define MANIFEST_LOW_RAM_MAX   0xc0000000ull
#define MANIFEST_MMIO_BASE     0xc0000000ull
#define MANIFEST_MMIO_END      0xfec00000ull
#define MANIFEST_IOAPIC_BASE   0xfec00000ull
#define MANIFEST_LAPIC_BASE    0xfee00000ull
#define MANIFEST_APIC_SIZE     0x1000ull
#define MANIFEST_HIGH_RAM_BASE 0x100000000ull

#define MANIFEST_MEMORY_MAX    (1ull << 40) /* 1 TiB per VM: keeps sums far from overflow */
#define MANIFEST_FLAT_LOAD     0x8000ull    /* default `load` of a flat image */
#define MANIFEST_QUANTUM_US    10000u       /* default scheduler quantum */
#define MANIFEST_SERIAL_SPEED  115200u      /* default (and highest) serial speed */

/*
 * Host memory a VM costs beyond its RAM (generous upper bounds, so that the
 * check errs on the safe side): per VM, EPT upper levels, I/O and MSR
 * bitmaps, struct vm and device state; per vCPU, VMCS, struct vcpu and MSR
 * areas; and memory / 512 for EPT leaf tables should the RAM be mapped
 * with 4 KiB pages. See manifest_vm_footprint().
 */
#define MANIFEST_VM_OVERHEAD   (256ull << 10)
#define MANIFEST_VCPU_OVERHEAD (64ull << 10)

enum manifest_format {
	MANIFEST_FORMAT_AUTO,      /* the loader decides from the file's header */
	MANIFEST_FORMAT_LINUX,     /* Linux/x86 boot protocol (bzImage) */
	MANIFEST_FORMAT_MULTIBOOT, /* multiboot (v1) ELF */
	MANIFEST_FORMAT_FLAT,      /* raw bytes at `load`, started at `entry` in `mode` */
};

enum manifest_mode { MANIFEST_MODE_REAL, MANIFEST_MODE_PROT32, MANIFEST_MODE_LONG64 };
enum manifest_action { MANIFEST_ACTION_STOP, MANIFEST_ACTION_RESTART };
enum manifest_power { MANIFEST_POWER_HALT, MANIFEST_POWER_POWEROFF, MANIFEST_POWER_REBOOT };
/* Same values as enum log_level in drivers/console.h. */
enum manifest_log { MANIFEST_LOG_ERR, MANIFEST_LOG_WARN, MANIFEST_LOG_INFO, MANIFEST_LOG_DEBUG };
enum manifest_network { MANIFEST_NET_NONE, MANIFEST_NET_USER };

/* The keys of [vm.NAME], indexing manifest_vm.key_line. */
enum manifest_vm_key {
	MANIFEST_VM_MEMORY, MANIFEST_VM_VCPUS, MANIFEST_VM_CPUS, MANIFEST_VM_KERNEL,
	MANIFEST_VM_INITRD, MANIFEST_VM_CMDLINE, MANIFEST_VM_FORMAT, MANIFEST_VM_LOAD,
	MANIFEST_VM_ENTRY, MANIFEST_VM_MODE, MANIFEST_VM_CONSOLE, MANIFEST_VM_ON_CRASH,
	MANIFEST_VM_ON_POWEROFF, MANIFEST_VM_ON_REBOOT, MANIFEST_VM_AUTOSTART, MANIFEST_VM_DEBUG_EXIT,
	MANIFEST_VM_DEBUGCON, MANIFEST_VM_TESTDEV, MANIFEST_VM_DISK, MANIFEST_VM_NETWORK,
	MANIFEST_VM_NR_KEYS
};

/* The keys of [hypervisor], indexing manifest_hv.key_line. */
enum manifest_hv_key {
	MANIFEST_HV_QUANTUM, MANIFEST_HV_LOG_LEVEL, MANIFEST_HV_ON_ALL_STOPPED,
	MANIFEST_HV_SERIAL_SPEED, MANIFEST_HV_NR_KEYS
};

struct manifest_hv {
	uint32_t quantum_us;               /* scheduler time slice, 100..1000000 */
	enum manifest_log log_level;
	enum manifest_power on_all_stopped;
	uint32_t serial_speed;             /* baud, 115200 / n */
	unsigned line;                     /* of [hypervisor]; 0: not written */
	unsigned key_line[MANIFEST_HV_NR_KEYS]; /* where each key was set; 0: default */
};

struct manifest_vm {
	char name[MANIFEST_NAME_LEN];
	uint64_t memory;                   /* bytes of RAM, a multiple of 1 MiB */
	unsigned vcpus;                    /* 1..MAX_VCPUS_PER_VM */
	unsigned nr_cpus;                  /* pinning list length; 0: any CPU */
	uint8_t cpus[MAX_CPUS];            /* physical CPUs, distinct, as written */
	char kernel[MANIFEST_PATH_LEN];    /* path on the boot medium */
	char initrd[MANIFEST_PATH_LEN];    /* "": none */
	char cmdline[MANIFEST_CMDLINE_LEN];
	enum manifest_format format;
	enum manifest_mode mode;           /* flat only */
	uint64_t load, entry;              /* flat only; entry defaults to load */
	bool console, autostart;
	bool debug_exit, debugcon, testdev;
	enum manifest_action on_crash, on_poweroff, on_reboot;
	unsigned nr_disks;
	char disks[MAX_VM_DISKS][MANIFEST_PATH_LEN];
	enum manifest_network network;
	unsigned line;                     /* of [vm.NAME] */
	unsigned key_line[MANIFEST_VM_NR_KEYS]; /* where each key was set; 0: default */
};

struct manifest {
	char file[MANIFEST_FILE_LEN];      /* as given to manifest_parse(), for messages */
	unsigned nr_lines;
	struct manifest_hv hv;
	unsigned nr_vms;
	struct manifest_vm vms[MAX_VMS];   /* in the order written */
};

/* Error messages, "file:line: message", in the order found. */
struct manifest_diag {
	unsigned count;                    /* messages kept */
	unsigned dropped;                  /* further errors beyond MANIFEST_MAX_DIAGS */
	char msg[MANIFEST_MAX_DIAGS][MANIFEST_DIAG_LEN];
};

/* What manifest_validate() checks against. */
struct manifest_machine {
	unsigned nr_cpus;                  /* physical CPUs 0..nr_cpus-1 exist */
	uint64_t usable_memory;            /* bytes the VMs may have, overhead included */
	/*
	 * Size of the file at path (as written in the manifest): 0 and *size,
	 * -ENOENT when there is no such file, another -errno when it cannot be
	 * read. NULL: files are not checked.
	 */
	int (*file_size)(void *ctx, const char *path, uint64_t *size);
	void *ctx;
};

/*
 * Parse text (len bytes, NUL not needed; NUL bytes are errors) read from
 * file (a name for messages; may be NULL). Fills *m, defaults included.
 * Appends every error to *d (zero it before the first call). 0 or -EINVAL.
 */
int manifest_parse(const char *file, const char *text, size_t len, struct manifest *m,
		   struct manifest_diag *d);

/*
 * Check a parsed manifest against the machine: at least one VM, every
 * pinned CPU exists, the VMs' memory and overhead fit usable_memory, the
 * files exist, are not empty and fit in their VM, no disk image is used
 * twice. Appends every error to *d, naming the line of the key or section
 * at fault. 0 or -EINVAL.
 */
int manifest_validate(const struct manifest *m, const struct manifest_machine *mc,
		      struct manifest_diag *d);

/* Host bytes the VM costs: memory plus the overheads above. */
uint64_t manifest_vm_footprint(const struct manifest_vm *vm);

/* The physical CPU vCPU i is pinned to (the list is used round-robin), -1: any. */
int manifest_vcpu_cpu(const struct manifest_vm *vm, unsigned i);

enum manifest_region_type {
	MANIFEST_REGION_RAM,      /* backed, reported usable */
	MANIFEST_REGION_RESERVED, /* backed, reported reserved */
	MANIFEST_REGION_MMIO,     /* not RAM: emulated devices */
};

struct manifest_region {
	uint64_t base, size;
	enum manifest_region_type type;
	const char *what;
};

/* The VM's guest-physical memory map (see above), in address order. Returns the count. */
unsigned manifest_memory_map(const struct manifest_vm *vm,
			     struct manifest_region out[MANIFEST_MAX_REGIONS]);

/*
 * "2 GiB", "16 MiB", "16.4 MiB", "640 KiB", "1234 bytes": the largest unit
 * that divides, else MiB to a tenth, rounded up (from 1 MiB on). Returns buf.
 */
const char *manifest_size_name(uint64_t bytes, char *buf, size_t size);

/* The key as written in the manifest ("memory", "on_crash", ...). */
const char *manifest_vm_key_name(enum manifest_vm_key k);
const char *manifest_hv_key_name(enum manifest_hv_key k);

/* Printable names of the enum values ("flat", "restart", ...). */
const char *manifest_format_name(enum manifest_format f);
const char *manifest_mode_name(enum manifest_mode mode);
const char *manifest_action_name(enum manifest_action a);
const char *manifest_power_name(enum manifest_power p);
const char *manifest_log_name(enum manifest_log l);
const char *manifest_network_name(enum manifest_network n);

/* Append "file:line: <fmt>" to d (for manifest*.c; callers may add their own). */
void manifest_diag_add(struct manifest_diag *d, const char *file, unsigned line,
		       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
