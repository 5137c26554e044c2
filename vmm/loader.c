// SPDX-License-Identifier: MIT
/*
 * Loading guest images (see loader.h): the half that writes into a VM.
 * Parsing and planning are pure and live in loader_linux.c and
 * loader_elf.c (loader_parse.h); here every plan is checked first, then
 * copied into guest RAM through gmem.
 *
 * Multiboot: "Multiboot Specification version 0.6.96", sections 3.1
 * (header) and 3.3 (information). Linux: Documentation/x86/boot.rst. PVH:
 * Xen public/arch-x86/hvm/start_info.h.
 */
#include "arch/x86_64/lib/errno.h"
#ifdef HOST_TEST
#include <string.h>
#else
#include "arch/x86_64/lib/string.h"
#endif
#include "drivers/console.h"
#include "vmm/gmem.h"
#include "vmm/fwtables.h"
#include "vmm/loader.h"
#include "vmm/loader_parse.h"
#include "vmm/vm.h"

#define MB_HEADER_MAGIC   0x1badb002u
#define MB_LOADER_MAGIC   0x2badb002u
#define MB_SEARCH         8192
#define MB_FLAG_MEM       (1u << 0)
#define MB_FLAG_CMDLINE   (1u << 2)
#define MB_FLAG_MODS      (1u << 3)
#define MB_FLAG_MMAP      (1u << 6)
#define MB_FLAG_LOADER    (1u << 9)
#define MB_HDR_AOUT_KLUDGE (1u << 16)
#define PTE_P_W           0x3ull
#define PTE_P_W_PS        0x83ull
#define SIZE_2M           (2ull << 20)
#define PAGE_4K           0x1000ull
#define LOW_RAM_END       0x9fc00ull /* the conventional 639 KiB */
#define HIGH_RAM_BASE     0x100000ull
#define LIMIT_4G          (1ull << 32)
#define MAP_MAX           16 /* memory-map entries we build: VM_MAX_MEM regions + the hole */
#define LOADER_NAME       "Basalt"

/*
 * The multiboot information page at LOADER_MBI_GPA:
 *   +0x000 struct mb_info   +0x080 memory map   +0x200 module 0
 *   +0x220 loader name      +0x240 module string (to +0x400)
 *   +0x400 command line (to the end of the page)
 */
#define MBI_MMAP    0x080
#define MBI_MODS    0x200
#define MBI_NAME    0x220
#define MBI_MODSTR  0x240
#define MBI_CMDLINE 0x400

/*
 * The PVH page at LOADER_ZP_GPA:
 *   +0x000 struct hvm_start_info   +0x040 module list (1 entry)
 *   +0x080 memory map              +0x800 module string (to the page end)
 * The command line is at LOADER_CMDLINE_GPA.
 */
#define PVH_MODLIST 0x040
#define PVH_MEMMAP  0x080
#define PVH_MODSTR  0x800
#define XEN_HVM_START_MAGIC 0x336ec578u

struct mb_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr, syms[4], mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr, config_table, boot_loader_name;
};

struct mb_mmap_entry {
	uint32_t size;
	struct e820_entry e;
} __attribute__((packed));

struct mb_module {
	uint32_t mod_start, mod_end, string, reserved;
};

struct hvm_start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
	uint32_t memmap_entries, reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr, size, cmdline_paddr, reserved;
};

struct hvm_memmap_entry {
	uint64_t addr, size;
	uint32_t type, reserved;
};

_Static_assert(sizeof(struct mb_info) == 68, "multiboot information through boot_loader_name");
_Static_assert(sizeof(struct mb_mmap_entry) == 24, "multiboot mmap entry");
_Static_assert(sizeof(struct mb_module) == 16, "multiboot module");
_Static_assert(MBI_MMAP >= sizeof(struct mb_info) &&
	       MBI_MMAP + MAP_MAX * sizeof(struct mb_mmap_entry) <= MBI_MODS, "MBI layout");
_Static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info (version 1)");
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "hvm_modlist_entry");
_Static_assert(sizeof(struct hvm_memmap_entry) == 24, "hvm_memmap_table_entry");
_Static_assert(PVH_MEMMAP + MAP_MAX * sizeof(struct hvm_memmap_entry) <= PVH_MODSTR,
	       "PVH page layout");
_Static_assert(LOADER_ZP_GPA + LINUX_ZP_SIZE <= LOADER_CMDLINE_GPA &&
	       LOADER_CMDLINE_GPA + LOADER_CMDLINE_MAX <= LOADER_AREA_END, "loader pages");

/* RAM contiguous from guest-physical 0 (vm_create puts it there). */
static uint64_t ram_size(const struct vm *vm)
{
	return vm->nr_mem && gpa_val(vm->mem[0].gpa) == 0 ? vm->mem[0].size : 0;
}

static unsigned memory_map(const struct vm *vm, struct e820_entry *map)
{
	struct loader_region r[VM_MAX_MEM];

	for (unsigned i = 0; i < vm->nr_mem; i++)
		r[i] = (struct loader_region){ gpa_val(vm->mem[i].gpa), vm->mem[i].size };
	return loader_e820(r, vm->nr_mem, map, MAP_MAX);
}

static int fail(struct vm *vm, int err, const struct loader_diag *d)
{
	vm_err(vm, "%s\n", d->msg);
	return err;
}

/* Write a structure the plan made room for; the range was checked against RAM. */
static int gput(struct vm *vm, uint64_t g, const void *buf, size_t len, const char *what)
{
	if (!gmem_write(vm, gpa(g), buf, len))
		return 0;
	vm_err(vm, "%s at %#lx-%#lx does not fit in the VM's %lu MiB of RAM\n", what,
	       (unsigned long)g, (unsigned long)(g + len), (unsigned long)(ram_size(vm) >> 20));
	return -E2BIG;
}

/* A string and its NUL, at most max bytes in all (longer: cut). */
static int gput_str(struct vm *vm, uint64_t g, const char *s, size_t max, const char *what)
{
	size_t n = strlen(s);
	const char nul = '\0';

	if (n >= max)
		n = max - 1;
	return gput(vm, g, s, n, what) || gput(vm, g + n, &nul, 1, what) ? -E2BIG : 0;
}

/* Copy [off, off+len) of the image to gpa: both ranges checked. */
static int place(struct vm *vm, const struct guest_image *img, uint64_t off, uint64_t len,
		 uint64_t g, const char *what)
{
	if (off > img->size || len > img->size - off) {
		vm_err(vm, "%s: beyond the end of the %zu-byte image\n", what, img->size);
		return -EINVAL;
	}
	return gput(vm, g, img->data + off, len, what);
}

/* Identity map of the first 4 GiB (2 MiB pages) at LOADER_PT_GPA. */
static int build_page_tables(struct vm *vm, uint64_t *cr3)
{
	uint64_t t[512];
	uint64_t pml4 = LOADER_PT_GPA, pdpt = pml4 + 0x1000, pd = pdpt + 0x1000;

	memset(t, 0, sizeof(t));
	t[0] = pdpt | PTE_P_W;
	if (gput(vm, pml4, t, sizeof(t), "page tables"))
		return -E2BIG;
	for (int i = 0; i < 4; i++)
		t[i] = (pd + (uint64_t)i * 0x1000) | PTE_P_W;
	if (gput(vm, pdpt, t, sizeof(t), "page tables"))
		return -E2BIG;
	for (int d = 0; d < 4; d++) {
		for (int i = 0; i < 512; i++)
			t[i] = ((uint64_t)d * 512 + (uint64_t)i) * SIZE_2M | PTE_P_W_PS;
		if (gput(vm, pd + (uint64_t)d * 0x1000, t, sizeof(t), "page tables"))
			return -E2BIG;
	}
	*cr3 = pml4;
	return 0;
}

static int load_flat(struct vm *vm, const struct guest_image *img, struct vcpu_start *s)
{
	int err = place(vm, img, 0, img->size, img->load, "flat image");

	if (err)
		return err;
	s->mode = img->mode;
	s->rip = img->entry;
	if (img->mode == VCPU_START_REAL) {
		if (img->entry >= 0x100000) {
			vm_err(vm, "real-mode entry %#lx is above 1 MiB\n", (unsigned long)img->entry);
			return -EINVAL;
		}
		s->cs = (uint16_t)((img->entry >> 4) & 0xf000);
		s->rip = img->entry - ((uint64_t)s->cs << 4);
	}
	if (img->mode == VCPU_START_LONG64)
		return build_page_tables(vm, &s->cr3);
	return 0;
}

static const uint8_t *find_mb_header(const uint8_t *data, size_t size)
{
	for (size_t off = 0; off + 12 <= size && off < MB_SEARCH; off += 4) {
		uint32_t h[3];

		memcpy(h, data + off, sizeof(h));
		if (h[0] == MB_HEADER_MAGIC && h[0] + h[1] + h[2] == 0)
			return data + off;
	}
	return NULL;
}

/* Check and copy the ELF's segments (RAM is zeroed at creation: BSS needs nothing). */
static int load_segments(struct vm *vm, const struct guest_image *img, const struct elf_image *e)
{
	struct loader_diag d;
	int err = elf_check_segments(e, ram_size(vm), &d);

	if (err)
		return fail(vm, err, &d);
	for (unsigned i = 0; i < e->nr_segs; i++) {
		err = place(vm, img, e->segs[i].off, e->segs[i].filesz, e->segs[i].paddr,
			    "ELF segment");
		if (err)
			return err;
	}
	return 0;
}

/* The initrd for a multiboot or PVH kernel: page-aligned at the top of RAM, above the kernel. */
static int place_initrd_top(struct vm *vm, const struct guest_image *img, uint64_t kernel_end,
			    uint64_t *addr)
{
	uint64_t top = ram_size(vm) < LIMIT_4G ? ram_size(vm) : LIMIT_4G;
	uint64_t a = (top - img->initrd_size) & ~(PAGE_4K - 1);

	*addr = 0;
	if (!img->initrd || !img->initrd_size)
		return 0;
	if (img->initrd_size > top || a < kernel_end || a < HIGH_RAM_BASE) {
		vm_err(vm, "initrd of %zu KiB does not fit above the kernel (ends at %#lx) in the "
		       "VM's %lu MiB of RAM\n", img->initrd_size >> 10, (unsigned long)kernel_end,
		       (unsigned long)(ram_size(vm) >> 20));
		return -E2BIG;
	}
	*addr = a;
	return gput(vm, a, img->initrd, img->initrd_size, "initrd");
}

static int write_mb_info(struct vm *vm, const struct guest_image *img, uint64_t initrd)
{
	struct mb_info mbi = { 0 };
	struct mb_mmap_entry map[MAP_MAX];
	struct e820_entry e820[MAP_MAX];
	unsigned n = memory_map(vm, e820);
	const char *cmdline = img->cmdline ? img->cmdline : "";
	uint64_t base = LOADER_MBI_GPA;
	size_t cmd_len = strlen(cmdline) + 1;

	if (cmd_len > LOADER_MBI_SIZE - MBI_CMDLINE) {
		vm_err(vm, "command line too long (%zu bytes, at most %llu)\n", cmd_len - 1,
		       LOADER_MBI_SIZE - MBI_CMDLINE - 1);
		return -E2BIG;
	}
	for (unsigned i = 0; i < n; i++)
		map[i] = (struct mb_mmap_entry){ sizeof(struct e820_entry), e820[i] };
	mbi.flags = MB_FLAG_MEM | MB_FLAG_CMDLINE | MB_FLAG_MMAP | MB_FLAG_LOADER;
	mbi.mem_lower = LOW_RAM_END / 1024;
	mbi.mem_upper = (uint32_t)((ram_size(vm) - HIGH_RAM_BASE) / 1024);
	mbi.cmdline = (uint32_t)(base + MBI_CMDLINE);
	mbi.mmap_addr = (uint32_t)(base + MBI_MMAP);
	mbi.mmap_length = (uint32_t)(n * sizeof(map[0]));
	mbi.boot_loader_name = (uint32_t)(base + MBI_NAME);
	if (initrd) {
		struct mb_module mod = { (uint32_t)initrd, (uint32_t)(initrd + img->initrd_size),
					 (uint32_t)(base + MBI_MODSTR), 0 };

		mbi.flags |= MB_FLAG_MODS;
		mbi.mods_count = 1;
		mbi.mods_addr = (uint32_t)(base + MBI_MODS);
		if (gput(vm, base + MBI_MODS, &mod, sizeof(mod), "multiboot module") ||
		    gput_str(vm, base + MBI_MODSTR, img->initrd_name ? img->initrd_name : "",
			     MBI_CMDLINE - MBI_MODSTR, "module string"))
			return -E2BIG;
	}
	if (gput(vm, base, &mbi, sizeof(mbi), "multiboot information") ||
	    gput(vm, base + MBI_MMAP, map, n * sizeof(map[0]), "multiboot memory map") ||
	    gput_str(vm, base + MBI_NAME, LOADER_NAME, MBI_MODSTR - MBI_NAME, "loader name") ||
	    gput_str(vm, base + MBI_CMDLINE, cmdline, cmd_len, "command line"))
		return -E2BIG;
	return 0;
}

static int load_multiboot(struct vm *vm, const struct guest_image *img, struct vcpu_start *s)
{
	const uint8_t *hdr = find_mb_header(img->data, img->size);
	struct loader_diag d;
	struct elf_image e;
	uint64_t initrd;
	uint32_t flags;
	int err;

	if (!hdr) {
		vm_err(vm, "no multiboot header in the first %d bytes\n", MB_SEARCH);
		return -EINVAL;
	}
	memcpy(&flags, hdr + 4, sizeof(flags));
	err = elf_parse(img->data, img->size, &e, &d);
	if (err)
		return fail(vm, err, &d);
	if (e.bits != 32) {
		vm_err(vm, "multiboot image is not an ELF32 i386 file (a.out kludge unsupported)\n");
		return -EINVAL;
	}
	if (flags & MB_HDR_AOUT_KLUDGE)
		vm_warn(vm, "multiboot address fields ignored: loading by ELF headers\n");
	err = load_segments(vm, img, &e);
	if (!err)
		err = place_initrd_top(vm, img, (e.end + PAGE_4K - 1) & ~(PAGE_4K - 1), &initrd);
	if (!err)
		err = write_mb_info(vm, img, initrd);
	if (err)
		return err;
	s->mode = VCPU_START_PROT32;
	s->rip = e.entry;
	s->gpr[GPR_RAX] = MB_LOADER_MAGIC;
	s->gpr[GPR_RBX] = LOADER_MBI_GPA;
	return 0;
}

/* Validate everything, then write: kernel, initrd, command line, zero page. */
static int load_linux(struct vm *vm, const struct guest_image *img, struct vcpu_start *s)
{
	static uint8_t zp[LINUX_ZP_SIZE]; /* loaders run on the boot CPU only */
	const char *cmdline = img->cmdline ? img->cmdline : "";
	struct e820_entry map[MAP_MAX];
	struct linux_header h;
	struct linux_plan p;
	struct loader_diag d;
	size_t initrd_size = img->initrd ? img->initrd_size : 0;
	int err = linux_parse(img->data, img->size, &h, &d);

	if (!err)
		err = linux_plan(&h, ram_size(vm), initrd_size, strlen(cmdline), &p, &d);
	if (err)
		return fail(vm, err, &d);
	linux_zero_page(zp, img->data, &h, &p, initrd_size, LOADER_CMDLINE_GPA, FW_RSDP_GPA,
			map, memory_map(vm, map));
	err = place(vm, img, h.kernel_off, h.kernel_size, p.load, "kernel");
	if (!err && p.initrd)
		err = gput(vm, p.initrd, img->initrd, initrd_size, "initrd");
	if (!err)
		err = gput_str(vm, LOADER_CMDLINE_GPA, cmdline, LOADER_CMDLINE_MAX, "command line");
	if (!err)
		err = gput(vm, LOADER_ZP_GPA, zp, sizeof(zp), "zero page");
	if (!err && p.long64)
		err = build_page_tables(vm, &s->cr3);
	if (err)
		return err;
	s->mode = p.long64 ? VCPU_START_LONG64 : VCPU_START_PROT32;
	s->rip = p.entry;
	s->gpr[GPR_RSI] = LOADER_ZP_GPA;
	vm_info(vm, "Linux boot protocol %u.%02u, kernel at %#lx (%s entry %#lx), initrd %zu KiB "
		"at %#lx\n", h.version >> 8, h.version & 0xff, (unsigned long)p.load,
		p.long64 ? "64-bit" : "32-bit", (unsigned long)p.entry, initrd_size >> 10,
		(unsigned long)p.initrd);
	return 0;
}

static int write_start_info(struct vm *vm, const struct guest_image *img, uint64_t initrd)
{
	struct hvm_memmap_entry mm[MAP_MAX];
	struct e820_entry map[MAP_MAX];
	unsigned n = memory_map(vm, map);
	uint64_t base = LOADER_ZP_GPA;
	struct hvm_start_info si = {
		.magic = XEN_HVM_START_MAGIC, .version = 1, .cmdline_paddr = LOADER_CMDLINE_GPA,
		.rsdp_paddr = FW_RSDP_GPA, .memmap_paddr = base + PVH_MEMMAP,
		.memmap_entries = n,
	};

	for (unsigned i = 0; i < n; i++)
		mm[i] = (struct hvm_memmap_entry){ map[i].addr, map[i].size, map[i].type, 0 };
	if (initrd) {
		struct hvm_modlist_entry mod = { initrd, img->initrd_size, base + PVH_MODSTR, 0 };

		si.nr_modules = 1;
		si.modlist_paddr = base + PVH_MODLIST;
		if (gput(vm, base + PVH_MODLIST, &mod, sizeof(mod), "PVH module list") ||
		    gput_str(vm, base + PVH_MODSTR, img->initrd_name ? img->initrd_name : "",
			     LINUX_ZP_SIZE - PVH_MODSTR, "module string"))
			return -E2BIG;
	}
	return gput(vm, base, &si, sizeof(si), "PVH start info") ||
	       gput(vm, base + PVH_MEMMAP, mm, n * sizeof(mm[0]), "PVH memory map") ? -E2BIG : 0;
}

static int load_pvh(struct vm *vm, const struct guest_image *img, struct vcpu_start *s)
{
	const char *cmdline = img->cmdline ? img->cmdline : "";
	struct loader_diag d;
	struct elf_image e;
	uint64_t initrd;
	int err = elf_parse(img->data, img->size, &e, &d);

	if (err)
		return fail(vm, err, &d);
	if (!e.has_pvh) {
		vm_err(vm, "no PVH entry note (Xen note %d) in the ELF image\n",
		       XEN_ELFNOTE_PHYS32_ENTRY);
		return -EINVAL;
	}
	if (strlen(cmdline) >= LOADER_CMDLINE_MAX) {
		vm_err(vm, "command line too long (%zu bytes, at most %llu)\n", strlen(cmdline),
		       LOADER_CMDLINE_MAX - 1);
		return -E2BIG;
	}
	err = load_segments(vm, img, &e);
	if (!err)
		err = place_initrd_top(vm, img, (e.end + PAGE_4K - 1) & ~(PAGE_4K - 1), &initrd);
	if (!err)
		err = gput_str(vm, LOADER_CMDLINE_GPA, cmdline, LOADER_CMDLINE_MAX, "command line");
	if (!err)
		err = write_start_info(vm, img, initrd);
	if (err)
		return err;
	s->mode = VCPU_START_PROT32;
	s->rip = e.pvh_entry;
	s->gpr[GPR_RBX] = LOADER_ZP_GPA;
	return 0;
}

int loader_load(struct vm *vm, const struct guest_image *img, struct vcpu_start *start)
{
	memset(start, 0, sizeof(*start));
	if (img->format != GUEST_FLAT && img->initrd_name && !img->initrd) {
		vm_err(vm, "initrd %s not found\n", img->initrd_name);
		return -ENOENT;
	}
	switch (img->format) {
	case GUEST_MULTIBOOT:
		return load_multiboot(vm, img, start);
	case GUEST_LINUX:
		return load_linux(vm, img, start);
	case GUEST_PVH:
		return load_pvh(vm, img, start);
	default:
		return load_flat(vm, img, start);
	}
}

static bool has_pvh_note(const uint8_t *data, size_t size)
{
	struct loader_diag d;
	struct elf_image e;

	return !elf_parse(data, size, &e, &d) && e.has_pvh;
}

enum guest_format loader_detect(const uint8_t *data, size_t size)
{
	if (size >= 4 && !memcmp(data, "\177ELF", 4))
		return !find_mb_header(data, size) && has_pvh_note(data, size) ? GUEST_PVH
									       : GUEST_MULTIBOOT;
	if (size >= 0x206 && !memcmp(data + 0x202, "HdrS", 4))
		return GUEST_LINUX;
	return GUEST_FLAT;
}

enum guest_format loader_detect_linux(const uint8_t *data, size_t size)
{
	return size >= 4 && !memcmp(data, "\177ELF", 4) && has_pvh_note(data, size) ? GUEST_PVH
										     : GUEST_LINUX;
}

const char *loader_format_name(enum guest_format f)
{
	switch (f) {
	case GUEST_MULTIBOOT: return "multiboot";
	case GUEST_LINUX: return "linux";
	case GUEST_PVH: return "pvh";
	default: return "flat";
	}
}
