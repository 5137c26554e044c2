// SPDX-License-Identifier: MIT
/*
 * A parsed manifest against one machine (manifest_validate()), and what
 * every user of a manifest derives from it the same way: a VM's
 * guest-physical memory map, its host-memory footprint, its vCPU pinning.
 * Every message names the line of the key (or the [vm.NAME] header, for a
 * default) that the problem comes from.
 */
#include <stdarg.h>

#include "arch/x86_64/lib/errno.h"
#ifdef HOST_TEST
#include <string.h>
#else
#include "arch/x86_64/lib/string.h"
#endif
#include "drivers/fmt.h"
#include "vmm/manifest.h"

#define SECTOR_SIZE   512ull
#define REAL_MODE_END 0x100000ull /* a real-mode entry is CS:IP below 1 MiB */
#define EPT_LEAF_DIV  512ull      /* one 4 KiB table maps 2 MiB */
#define SIZE_STR_LEN  32
#define MIB           (1ull << 20)

struct check {
	const struct manifest *m;
	const struct manifest_machine *mc;
	struct manifest_diag *d;
	int err;
};

/* "vm 'NAME': key: <fmt>" at the line of key, or of the section if it was not written. */
static void __attribute__((format(printf, 4, 5)))
vm_err(struct check *c, const struct manifest_vm *vm, enum manifest_vm_key key, const char *fmt,
       ...)
{
	unsigned line = vm->key_line[key] ? vm->key_line[key] : vm->line;
	char msg[MANIFEST_DIAG_LEN];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	manifest_diag_add(c->d, c->m->file, line, "vm '%s': %s: %s", vm->name,
			  manifest_vm_key_name(key), msg);
	c->err = -EINVAL;
}

const char *manifest_size_name(uint64_t bytes, char *buf, size_t size)
{
	static const char *const units[] = { "GiB", "MiB", "KiB" };
	unsigned long long tenths;

	for (unsigned i = 0; i < 3; i++) {
		unsigned shift = 30 - 10 * i;

		if (bytes && !(bytes & ((1ull << shift) - 1))) {
			fmt_snprintf(buf, size, "%llu %s", (unsigned long long)(bytes >> shift),
				     units[i]);
			return buf;
		}
		if (i == 1 && bytes >= MIB) {
			tenths = (bytes / MIB) * 10 + ((bytes % MIB) * 10 + MIB - 1) / MIB;
			fmt_snprintf(buf, size, "%llu.%llu MiB", tenths / 10, tenths % 10);
			return buf;
		}
	}
	fmt_snprintf(buf, size, "%llu bytes", (unsigned long long)bytes);
	return buf;
}

uint64_t manifest_vm_footprint(const struct manifest_vm *vm)
{
	return vm->memory + vm->memory / EPT_LEAF_DIV + MANIFEST_VM_OVERHEAD +
	       vm->vcpus * MANIFEST_VCPU_OVERHEAD;
}

int manifest_vcpu_cpu(const struct manifest_vm *vm, unsigned i)
{
	return vm->nr_cpus ? vm->cpus[i % vm->nr_cpus] : -1;
}

/* RAM below the device window: where flat images and low RAM live. */
static uint64_t low_ram_end(const struct manifest_vm *vm)
{
	return vm->memory < MANIFEST_LOW_RAM_MAX ? vm->memory : MANIFEST_LOW_RAM_MAX;
}

static void region(struct manifest_region *out, unsigned *n, uint64_t base, uint64_t size,
		   enum manifest_region_type type, const char *what)
{
	if (*n < MANIFEST_MAX_REGIONS)
		out[(*n)++] = (struct manifest_region){ base, size, type, what };
}

unsigned manifest_memory_map(const struct manifest_vm *vm,
			     struct manifest_region out[MANIFEST_MAX_REGIONS])
{
	uint64_t low = low_ram_end(vm);
	unsigned n = 0;

	region(out, &n, 0, MANIFEST_CONV_END, MANIFEST_REGION_RAM, "conventional memory");
	region(out, &n, MANIFEST_CONV_END, MANIFEST_LEGACY_END - MANIFEST_CONV_END,
	       MANIFEST_REGION_RESERVED, "EBDA, VGA window, ROMs");
	if (low > MANIFEST_LEGACY_END)
		region(out, &n, MANIFEST_LEGACY_END, low - MANIFEST_LEGACY_END,
		       MANIFEST_REGION_RAM, "main memory");
	region(out, &n, MANIFEST_MMIO_BASE, MANIFEST_MMIO_END - MANIFEST_MMIO_BASE,
	       MANIFEST_REGION_MMIO, "device window");
	region(out, &n, MANIFEST_IOAPIC_BASE, MANIFEST_APIC_SIZE, MANIFEST_REGION_MMIO, "IOAPIC");
	region(out, &n, MANIFEST_LAPIC_BASE, MANIFEST_APIC_SIZE, MANIFEST_REGION_MMIO,
	       "local APIC");
	if (vm->memory > low)
		region(out, &n, MANIFEST_HIGH_RAM_BASE, vm->memory - low, MANIFEST_REGION_RAM,
		       "RAM above 4 GiB");
	return n;
}

static void check_cpus(struct check *c, const struct manifest_vm *vm)
{
	for (unsigned i = 0; i < vm->nr_cpus; i++)
		if (vm->cpus[i] >= c->mc->nr_cpus)
			vm_err(c, vm, MANIFEST_VM_CPUS, "CPU %u does not exist (the machine has %u)",
			       vm->cpus[i], c->mc->nr_cpus);
}

/* The file exists and is not empty: 0 and *size (0 when files are not checked). */
static int check_file(struct check *c, const struct manifest_vm *vm, enum manifest_vm_key key,
		      const char *path, uint64_t *size)
{
	int err;

	*size = 0;
	if (!c->mc->file_size)
		return 0;
	err = c->mc->file_size(c->mc->ctx, path, size);
	if (err == -ENOENT)
		vm_err(c, vm, key, "file '%s' not found", path);
	else if (err)
		vm_err(c, vm, key, "cannot read '%s' (error %d)", path, err);
	else if (!*size)
		vm_err(c, vm, key, "file '%s' is empty", path);
	return err || !*size ? -EINVAL : 0;
}

/* A flat image is copied to `load` and entered at `entry`, both in low RAM. */
static void check_flat(struct check *c, const struct manifest_vm *vm, uint64_t size)
{
	/* an entry that was not written follows load: blame that line */
	enum manifest_vm_key entry = vm->key_line[MANIFEST_VM_ENTRY] ? MANIFEST_VM_ENTRY
								     : MANIFEST_VM_LOAD;
	uint64_t end = low_ram_end(vm);
	char s[SIZE_STR_LEN];

	if (vm->load >= end || size > end - vm->load)
		vm_err(c, vm, MANIFEST_VM_LOAD,
		       "the image (%s at 0x%llx) does not fit in RAM below 0x%llx",
		       manifest_size_name(size, s, sizeof(s)), (unsigned long long)vm->load,
		       (unsigned long long)end);
	if (vm->entry >= end)
		vm_err(c, vm, entry, "entry 0x%llx is outside RAM (below 0x%llx)",
		       (unsigned long long)vm->entry, (unsigned long long)end);
	else if (vm->mode == MANIFEST_MODE_REAL && vm->entry >= REAL_MODE_END)
		vm_err(c, vm, entry, "real-mode entry 0x%llx is not below 1M",
		       (unsigned long long)vm->entry);
}

static void check_images(struct check *c, const struct manifest_vm *vm)
{
	char s1[SIZE_STR_LEN], s2[SIZE_STR_LEN];
	uint64_t ksize, isize = 0;
	int kerr, ierr = 0;

	kerr = check_file(c, vm, MANIFEST_VM_KERNEL, vm->kernel, &ksize);
	if (vm->initrd[0])
		ierr = check_file(c, vm, MANIFEST_VM_INITRD, vm->initrd, &isize);
	if (kerr)
		return;
	if (ksize > vm->memory) {
		vm_err(c, vm, MANIFEST_VM_KERNEL, "'%s' (%s) does not fit in the VM's %s of RAM",
		       vm->kernel, manifest_size_name(ksize, s1, sizeof(s1)),
		       manifest_size_name(vm->memory, s2, sizeof(s2)));
		return;
	}
	if (!ierr && isize > vm->memory - ksize)
		vm_err(c, vm, MANIFEST_VM_INITRD,
		       "kernel and initrd (%s together) do not fit in the VM's %s of RAM",
		       manifest_size_name(ksize + isize, s1, sizeof(s1)),
		       manifest_size_name(vm->memory, s2, sizeof(s2)));
	if (vm->format == MANIFEST_FORMAT_FLAT)
		check_flat(c, vm, ksize);
}

/* Disk images: present, whole sectors, each used by one VM once. */
static void check_disks(struct check *c, unsigned vi)
{
	const struct manifest_vm *vm = &c->m->vms[vi];

	for (unsigned i = 0; i < vm->nr_disks; i++) {
		const char *path = vm->disks[i];
		uint64_t size;

		if (!check_file(c, vm, MANIFEST_VM_DISK, path, &size) && size % SECTOR_SIZE)
			vm_err(c, vm, MANIFEST_VM_DISK, "'%s' is not a whole number of 512-byte "
			       "sectors (%llu bytes)", path, (unsigned long long)size);
		for (unsigned j = 0; j < i; j++)
			if (!strcmp(vm->disks[j], path))
				vm_err(c, vm, MANIFEST_VM_DISK, "'%s' is listed twice", path);
		for (unsigned w = 0; w < vi; w++) {
			const struct manifest_vm *o = &c->m->vms[w];

			for (unsigned j = 0; j < o->nr_disks; j++)
				if (!strcmp(o->disks[j], path))
					vm_err(c, vm, MANIFEST_VM_DISK,
					       "'%s' is already used by vm '%s'", path, o->name);
		}
	}
}

/* The VMs' RAM and overhead, in order: the first VM that no longer fits is named. */
static void check_memory(struct check *c)
{
	char s1[SIZE_STR_LEN], s2[SIZE_STR_LEN];
	uint64_t total = 0;

	for (unsigned i = 0; i < c->m->nr_vms; i++) {
		const struct manifest_vm *vm = &c->m->vms[i];

		total += manifest_vm_footprint(vm);
		if (total <= c->mc->usable_memory)
			continue;
		manifest_size_name(total, s1, sizeof(s1));
		manifest_size_name(c->mc->usable_memory, s2, sizeof(s2));
		if (i == 0)
			vm_err(c, vm, MANIFEST_VM_MEMORY, "not enough memory: this VM needs %s "
			       "(RAM and overhead), the machine has %s", s1, s2);
		else
			vm_err(c, vm, MANIFEST_VM_MEMORY, "not enough memory: the VMs up to this one "
			       "need %s (RAM and overhead), the machine has %s", s1, s2);
		return;
	}
}

int manifest_validate(const struct manifest *m, const struct manifest_machine *mc,
		      struct manifest_diag *d)
{
	struct check c = { .m = m, .mc = mc, .d = d };

	if (!m->nr_vms) {
		manifest_diag_add(d, m->file, m->nr_lines ? m->nr_lines : 1,
				  "no VM: add a [vm.NAME] section");
		return -EINVAL;
	}
	for (unsigned i = 0; i < m->nr_vms; i++) {
		check_cpus(&c, &m->vms[i]);
		check_images(&c, &m->vms[i]);
		check_disks(&c, i);
	}
	check_memory(&c);
	return c.err;
}
