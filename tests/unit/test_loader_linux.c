// SPDX-License-Identifier: MIT
/*
 * vmm/loader_linux.c, vmm/loader_elf.c and vmm/loader.c: bzImage header
 * checks, load address and initrd placement, the memory map, the zero
 * page, PVH notes and start info, multiboot modules, and every error path.
 * Images are crafted here; the real kernel built by guest-images/linux
 * (LINUX_BZIMAGE, default /work/main/build/linux/bzImage) is tried too
 * when it exists.
 */
#include <stdlib.h>

#include "drivers/fmt.c"
#include "vmm/loader.c"
#include "vmm/loader_elf.c"
#include "vmm/loader_linux.c"
#include "tests/unit/unit.h"

#define MIB (1ull << 20)

/* --- stand-ins for the VM side: one RAM region backed by a host buffer ---- */

static struct vm test_vm;

int gmem_write(struct vm *vm, gpa_t g, const void *buf, size_t len)
{
	uint64_t a = gpa_val(g), size = vm->mem[0].size;

	if (a > size || len > size - a)
		return -EFAULT;
	memcpy((uint8_t *)(uintptr_t)hpa_val(vm->mem[0].hpa) + a, buf, len);
	return 0;
}

void vm_log(struct vm *vm, int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_vlog(level, vm->name, fmt, ap);
	va_end(ap);
}

static uint8_t *vm_with_ram(uint64_t size)
{
	static uint8_t *ram;

	free(ram);
	ram = calloc(1, size);
	memset(&test_vm, 0, sizeof(test_vm));
	strcpy(test_vm.name, "lx");
	test_vm.nr_mem = 1;
	test_vm.mem[0] = (struct vm_mem){ gpa(0), size, { (uint64_t)(uintptr_t)ram } };
	return ram;
}

static uint32_t at32(const uint8_t *p, size_t off)
{
	uint32_t v;

	memcpy(&v, p + off, 4);
	return v;
}

static uint64_t at64(const uint8_t *p, size_t off)
{
	uint64_t v;

	memcpy(&v, p + off, 8);
	return v;
}

/* --- crafted bzImages ----------------------------------------------------- */

#define BZ_SECTS   3
#define BZ_KERNEL  0x3000 /* protected-mode kernel bytes */
#define BZ_SIZE    ((BZ_SECTS + 1) * 512 + BZ_KERNEL)

static uint8_t bz[BZ_SIZE];

static void w16(uint8_t *p, size_t off, uint16_t v) { memcpy(p + off, &v, 2); }
static void w32(uint8_t *p, size_t off, uint32_t v) { memcpy(p + off, &v, 4); }
static void w64(uint8_t *p, size_t off, uint64_t v) { memcpy(p + off, &v, 8); }

/* A 64-bit, relocatable protocol-2.15 kernel preferring 16 MiB, init_size 8 MiB. */
static void make_bz(void)
{
	memset(bz, 0, sizeof(bz));
	bz[0x1f1] = BZ_SECTS;
	w32(bz, 0x1f4, BZ_KERNEL / 16);
	w16(bz, 0x1fe, 0xaa55);
	bz[0x200] = 0xeb;
	bz[0x201] = 0x6a; /* header ends at 0x26c */
	memcpy(bz + 0x202, "HdrS", 4);
	w16(bz, 0x206, 0x20f);
	bz[0x211] = 0x01; /* LOADED_HIGH */
	w32(bz, 0x214, 0x100000);
	w32(bz, 0x22c, 0x7fffffff);
	w32(bz, 0x230, 0x200000);
	bz[0x234] = 1;
	w16(bz, 0x236, 0x3); /* XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G */
	w32(bz, 0x238, 2047);
	w64(bz, 0x258, 16 * MIB);
	w32(bz, 0x260, 8 * MIB);
	memset(bz + (BZ_SECTS + 1) * 512, 0x90, BZ_KERNEL);
}

static int parse_bz(struct linux_header *h, struct loader_diag *d)
{
	return linux_parse(bz, sizeof(bz), h, d);
}

TEST(bz_header_ok)
{
	struct linux_header h;
	struct loader_diag d;

	make_bz();
	CHECK_EQ_I(parse_bz(&h, &d), 0);
	CHECK_EQ_U(h.version, 0x20f);
	CHECK_EQ_U(h.kernel_off, 0x800);
	CHECK_EQ_U(h.kernel_size, BZ_KERNEL);
	CHECK_EQ_U(h.hdr_end, 0x26c);
	CHECK_EQ_U(h.init_size, 8 * MIB);
	CHECK_EQ_U(h.pref_address, 16 * MIB);
	/* setup_sects 0 means 4 */
	bz[0x1f1] = 0;
	w32(bz, 0x1f4, (BZ_KERNEL - 512) / 16);
	CHECK_EQ_I(linux_parse(bz, sizeof(bz), &h, &d), 0);
	CHECK_EQ_U(h.kernel_off, 5 * 512);
}

TEST(bz_header_errors)
{
	struct linux_header h;
	struct loader_diag d;

	make_bz();
	CHECK_EQ_I(linux_parse(bz, 0x100, &h, &d), -EINVAL);
	CHECK(strstr(d.msg, "too small"));
	bz[0x1fe] = 0;
	CHECK_EQ_I(parse_bz(&h, &d), -EINVAL);
	CHECK(strstr(d.msg, "0xaa55"));
	make_bz();
	bz[0x203] = 'x';
	CHECK_EQ_I(parse_bz(&h, &d), -EINVAL);
	CHECK(strstr(d.msg, "HdrS"));
	make_bz();
	w16(bz, 0x206, 0x205);
	CHECK_EQ_I(parse_bz(&h, &d), -EINVAL);
	CHECK_STR(d.msg, "boot protocol 2.05 is older than 2.06");
	make_bz();
	bz[0x1f1] = 0x80;
	CHECK_EQ_I(parse_bz(&h, &d), -EINVAL);
	CHECK(strstr(d.msg, "setup_sects 128 out of range"));
	make_bz();
	CHECK_EQ_I(linux_parse(bz, sizeof(bz) - 1, &h, &d), -EINVAL);
	CHECK(strstr(d.msg, "truncated"));
	CHECK_EQ_I(linux_parse(bz, 0x260, &h, &d), -EINVAL); /* header cut */
	make_bz();
	w32(bz, 0x1f4, 0);
	CHECK_EQ_I(parse_bz(&h, &d), -EINVAL);
	make_bz();
	bz[0x211] = 0;
	CHECK_EQ_I(parse_bz(&h, &d), -EINVAL);
	CHECK(strstr(d.msg, "zImage"));
	make_bz();
	w32(bz, 0x230, 0x300000);
	CHECK_EQ_I(parse_bz(&h, &d), -EINVAL);
	CHECK(strstr(d.msg, "power of two"));
	make_bz();
	bz[0x201] = 0x10; /* header claims to end before cmdline_size */
	CHECK_EQ_I(parse_bz(&h, &d), -EINVAL);
}

TEST(bz_load_address)
{
	struct linux_header h;
	struct linux_plan p;
	struct loader_diag d;

	make_bz();
	CHECK_EQ_I(parse_bz(&h, &d), 0);
	CHECK_EQ_I(linux_plan(&h, 64 * MIB, 0, 10, &p, &d), 0);
	CHECK_EQ_U(p.load, 16 * MIB);
	CHECK_EQ_U(p.kernel_end, 24 * MIB);
	CHECK(p.long64);
	CHECK_EQ_U(p.entry, 16 * MIB + 0x200);
	CHECK_EQ_U(p.initrd, 0);
	/* exactly enough RAM */
	CHECK_EQ_I(linux_plan(&h, 24 * MIB, 0, 10, &p, &d), 0);
	/* not relocatable: 1 MiB, but it still runs from pref_address */
	h.relocatable = 0;
	CHECK_EQ_I(linux_plan(&h, 64 * MIB, 0, 10, &p, &d), 0);
	CHECK_EQ_U(p.load, 0x100000);
	CHECK_EQ_U(p.kernel_end, 24 * MIB);
	/* pref_address not aligned: 1 MiB */
	h.relocatable = 1;
	h.pref_address = 16 * MIB + 0x1000;
	CHECK_EQ_I(linux_plan(&h, 64 * MIB, 0, 10, &p, &d), 0);
	CHECK_EQ_U(p.load, 0x100000);
	/* init_size beyond RAM */
	make_bz();
	CHECK_EQ_I(parse_bz(&h, &d), 0);
	CHECK_EQ_I(linux_plan(&h, 20 * MIB, 0, 10, &p, &d), -E2BIG);
	CHECK(strstr(d.msg, "kernel needs RAM up to 24 MiB"));
}

TEST(bz_entry32)
{
	struct linux_header h;
	struct linux_plan p;
	struct loader_diag d;

	make_bz();
	w16(bz, 0x236, 0);
	bz[0x234] = 0;
	CHECK_EQ_I(parse_bz(&h, &d), 0);
	CHECK_EQ_I(linux_plan(&h, 64 * MIB, 0, 10, &p, &d), 0);
	CHECK(!p.long64);
	CHECK_EQ_U(p.entry, 0x100000);
	/* protocol 2.11: xloadflags not there yet, even if the byte is set */
	make_bz();
	w16(bz, 0x206, 0x20b);
	CHECK_EQ_I(parse_bz(&h, &d), 0);
	CHECK_EQ_U(h.xloadflags, 0);
	w32(bz, 0x214, 0x80000);
	CHECK_EQ_I(parse_bz(&h, &d), 0);
	CHECK_EQ_I(linux_plan(&h, 64 * MIB, 0, 10, &p, &d), -EINVAL);
	CHECK(strstr(d.msg, "code32_start"));
}

TEST(bz_initrd_and_cmdline)
{
	struct linux_header h;
	struct linux_plan p;
	struct loader_diag d;

	make_bz();
	CHECK_EQ_I(parse_bz(&h, &d), 0);
	CHECK_EQ_I(linux_plan(&h, 64 * MIB, 0x12345, 10, &p, &d), 0);
	CHECK_EQ_U(p.initrd, (64 * MIB - 0x12345) & ~0xfffull);
	/* below initrd_addr_max */
	h.initrd_addr_max = 32 * MIB - 1;
	CHECK_EQ_I(linux_plan(&h, 64 * MIB, 0x2000, 10, &p, &d), 0);
	CHECK_EQ_U(p.initrd, 32 * MIB - 0x2000);
	/* between the kernel and the top: 8 MiB, no more */
	CHECK_EQ_I(linux_plan(&h, 64 * MIB, 8 * MIB, 10, &p, &d), 0);
	CHECK_EQ_U(p.initrd, 24 * MIB);
	CHECK_EQ_I(linux_plan(&h, 64 * MIB, 8 * MIB + 1, 10, &p, &d), -E2BIG);
	CHECK(strstr(d.msg, "initrd of"));
	CHECK_EQ_I(linux_plan(&h, 64 * MIB, 1ull << 40, 10, &p, &d), -E2BIG);
	/* command line: cmdline_size bytes fit, one more does not */
	CHECK_EQ_I(linux_plan(&h, 64 * MIB, 0, 2047, &p, &d), 0);
	CHECK_EQ_I(linux_plan(&h, 64 * MIB, 0, 2048, &p, &d), -E2BIG);
	CHECK(strstr(d.msg, "command line of 2048 bytes is too long"));
	h.cmdline_size = 0xffffffff; /* still bounded by the loader's page */
	CHECK_EQ_I(linux_plan(&h, 64 * MIB, 0, 4096, &p, &d), -E2BIG);
}

TEST(e820_map)
{
	struct loader_region r[2] = { { 0, 64 * MIB }, { 4096 * MIB, 16 * MIB } };
	struct e820_entry m[8];

	CHECK_EQ_U(loader_e820(r, 1, m, 8), 4);
	CHECK_EQ_U(m[0].addr, 0);
	CHECK_EQ_U(m[0].size, 0x9fc00);
	CHECK_EQ_U(m[0].type, E820_RAM);
	CHECK_EQ_U(m[1].addr, 0x9fc00);
	CHECK_EQ_U(m[1].size, 0x400);
	CHECK_EQ_U(m[1].type, E820_RESERVED);
	CHECK_EQ_U(m[2].addr, 0xe0000);
	CHECK_EQ_U(m[2].size, 0x20000);
	CHECK_EQ_U(m[2].type, E820_RESERVED);
	CHECK_EQ_U(m[3].addr, 0x100000);
	CHECK_EQ_U(m[3].size, 63 * MIB);
	CHECK_EQ_U(m[3].type, E820_RAM);
	CHECK_EQ_U(loader_e820(r, 2, m, 8), 5);
	CHECK_EQ_U(m[4].addr, 4096 * MIB);
	CHECK_EQ_U(loader_e820(r, 2, m, 3), 3); /* bounded */
	/* nothing at the APIC addresses */
	for (unsigned i = 0; i < 5; i++)
		CHECK(m[i].addr + m[i].size <= 0xfec00000ull || m[i].addr >= 1ull << 32);
}

TEST(bz_zero_page)
{
	static uint8_t zp[LINUX_ZP_SIZE];
	struct e820_entry m[8];
	struct loader_region r = { 0, 64 * MIB };
	struct linux_header h;
	struct linux_plan p;
	struct loader_diag d;
	unsigned n = loader_e820(&r, 1, m, 8);

	make_bz();
	CHECK_EQ_I(parse_bz(&h, &d), 0);
	CHECK_EQ_I(linux_plan(&h, 64 * MIB, 0x5000, 10, &p, &d), 0);
	memset(zp, 0xcc, sizeof(zp));
	linux_zero_page(zp, bz, &h, &p, 0x5000, 0x9000, 0xf0000, m, n);
	CHECK(!memcmp(zp + 0x202, "HdrS", 4));
	CHECK_EQ_U(zp[0x1f1], BZ_SECTS);
	CHECK_EQ_U(zp[0x210], 0xff);
	CHECK_EQ_U(zp[0x211], 0x81);
	CHECK_EQ_U(at32(zp, 0x224) & 0xffff, 0xde00);
	CHECK_EQ_U(at32(zp, 0x218), 64 * MIB - 0x5000);
	CHECK_EQ_U(at32(zp, 0x21c), 0x5000);
	CHECK_EQ_U(at32(zp, 0x228), 0x9000);
	CHECK_EQ_U(at32(zp, 0x214), 16 * MIB);
	CHECK_EQ_U(at64(zp, 0x070), 0xf0000);
	CHECK_EQ_U(zp[0x1e8], 4);
	CHECK_EQ_U(at64(zp, 0x2d0 + 3 * 20), 0x100000);
	CHECK_EQ_U(zp[0x26c], 0); /* past the header: zero */
	CHECK_EQ_U(zp[0x000], 0);
	/* protocol 2.13: no acpi_rsdp_addr */
	w16(bz, 0x206, 0x20d);
	CHECK_EQ_I(parse_bz(&h, &d), 0);
	linux_zero_page(zp, bz, &h, &p, 0x5000, 0x9000, 0xf0000, m, n);
	CHECK_EQ_U(at64(zp, 0x070), 0);
}

/* The kernel guest-images/linux built, if it is around. */
TEST(bz_real_kernel)
{
	const char *path = getenv("LINUX_BZIMAGE");
	struct linux_header h;
	struct linux_plan p;
	struct loader_diag d;
	uint8_t *buf;
	FILE *f;
	long n;

	f = fopen(path ? path : "/work/main/build/linux/bzImage", "rb");
	if (!f) {
		printf("  (no built bzImage: real-kernel case skipped)\n");
		return;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n);
	CHECK(buf && fread(buf, 1, (size_t)n, f) == (size_t)n);
	fclose(f);
	CHECK_EQ_I(linux_parse(buf, (size_t)n, &h, &d), 0);
	CHECK(h.version >= 0x20c);
	CHECK(h.xloadflags & 1);
	CHECK_EQ_I(linux_plan(&h, 256 * MIB, 1 * MIB, 40, &p, &d), 0);
	CHECK(p.long64);
	CHECK(p.initrd >= p.kernel_end);
	CHECK_EQ_I(linux_plan(&h, 8 * MIB, 0, 40, &p, &d), -E2BIG);
	free(buf);
}

/* --- crafted ELF images --------------------------------------------------- */

#define ELF_BUF 0x1000

static uint8_t elf[ELF_BUF];

static size_t note(uint8_t *p, const char *name, uint32_t type, const void *desc, uint32_t dsz)
{
	uint32_t nsz = (uint32_t)strlen(name) + 1;
	size_t off = 12;

	w32(p, 0, nsz);
	w32(p, 4, dsz);
	w32(p, 8, type);
	memcpy(p + off, name, nsz);
	off += (nsz + 3) & ~3u;
	memcpy(p + off, desc, dsz);
	return off + ((dsz + 3) & ~3u);
}

/* ELF64 x86-64: one PT_LOAD (0x100 bytes file, 0x2000 memory) at paddr, a PT_NOTE. */
static size_t make_elf64(uint64_t paddr, uint32_t entry, uint32_t desc_size)
{
	uint8_t *ph = elf + 64;
	size_t nlen = 0;
	uint64_t e64 = entry;

	memset(elf, 0, sizeof(elf));
	memcpy(elf, "\177ELF", 4);
	elf[4] = 2;
	elf[5] = 1;
	w16(elf, 16, 2);
	w16(elf, 18, 62);
	w64(elf, 24, 0xffffffff81000000ull);
	w64(elf, 32, 64);
	w16(elf, 54, 56);
	w16(elf, 56, 2);
	w32(ph, 0, 1);
	w64(ph, 8, 0x400);
	w64(ph, 16, 0xffffffff81000000ull);
	w64(ph, 24, paddr);
	w64(ph, 32, 0x100);
	w64(ph, 40, 0x2000);
	nlen += note(elf + 0x300, "GNU", 3, "abcdefgh", 8);
	nlen += note(elf + 0x300 + nlen, "Xen", 18, &e64, desc_size);
	w32(ph + 56, 0, 4);
	w64(ph + 56, 8, 0x300);
	w64(ph + 56, 32, nlen);
	w64(ph + 56, 48, 4);
	memset(elf + 0x400, 0xf4, 0x100);
	return 0x500;
}

/* ELF32 i386 with one PT_LOAD at paddr (0x100 bytes, 0x1000 memory). */
static size_t make_elf32(uint32_t paddr)
{
	uint8_t *ph = elf + 52;

	memset(elf, 0, sizeof(elf));
	memcpy(elf, "\177ELF", 4);
	elf[4] = 1;
	elf[5] = 1;
	w16(elf, 16, 2);
	w16(elf, 18, 3);
	w32(elf, 24, paddr);
	w32(elf, 28, 52);
	w16(elf, 42, 32);
	w16(elf, 44, 1);
	w32(ph, 0, 1);
	w32(ph, 4, 0x200);
	w32(ph, 12, paddr);
	w32(ph, 16, 0x100);
	w32(ph, 20, 0x1000);
	memset(elf + 0x200, 0xf4, 0x100);
	return 0x300;
}

TEST(pvh_note)
{
	struct elf_image e;
	struct loader_diag d;
	size_t n = make_elf64(0x1000000, 0x10004a0, 8);

	CHECK_EQ_I(elf_parse(elf, n, &e, &d), 0);
	CHECK_EQ_U(e.bits, 64);
	CHECK(e.has_pvh);
	CHECK_EQ_U(e.pvh_entry, 0x10004a0);
	CHECK_EQ_U(e.nr_segs, 1);
	CHECK_EQ_U(e.end, 0x1002000);
	n = make_elf64(0x1000000, 0x1000123, 4);
	CHECK_EQ_I(elf_parse(elf, n, &e, &d), 0);
	CHECK_EQ_U(e.pvh_entry, 0x1000123);
	n = make_elf64(0x1000000, 0x1000123, 2);
	CHECK_EQ_I(elf_parse(elf, n, &e, &d), -EINVAL);
	CHECK(strstr(d.msg, "bad PVH entry note"));
	n = make_elf64(0x1000000, 0, 4);
	CHECK_EQ_I(elf_parse(elf, n, &e, &d), -EINVAL);
	/* a note header running past its segment: ignored, no note */
	n = make_elf64(0x1000000, 0x1000123, 4);
	w64(elf + 64 + 56, 32, 30);
	CHECK_EQ_I(elf_parse(elf, n, &e, &d), 0);
	CHECK(!e.has_pvh);
	n = make_elf32(0x100000);
	CHECK_EQ_I(elf_parse(elf, n, &e, &d), 0);
	CHECK_EQ_U(e.bits, 32);
	CHECK(!e.has_pvh);
}

TEST(elf_errors)
{
	struct elf_image e;
	struct loader_diag d;
	size_t n = make_elf64(0x1000000, 0x1000000, 4);

	CHECK_EQ_I(elf_parse(elf, 40, &e, &d), -EINVAL);
	CHECK_EQ_I(elf_parse(elf, 60, &e, &d), -EINVAL); /* ELF64 header cut */
	w16(elf, 18, 3);
	CHECK_EQ_I(elf_parse(elf, n, &e, &d), -EINVAL);
	CHECK(strstr(d.msg, "not x86"));
	n = make_elf64(0x1000000, 0x1000000, 4);
	w16(elf, 56, 60); /* program headers past the end */
	CHECK_EQ_I(elf_parse(elf, n, &e, &d), -EINVAL);
	CHECK(strstr(d.msg, "outside the image"));
	n = make_elf64(0x1000000, 0x1000000, 4);
	w64(elf + 64, 32, 0x3000); /* filesz > memsz */
	CHECK_EQ_I(elf_parse(elf, n, &e, &d), -EINVAL);
	n = make_elf64(0x1000000, 0x1000000, 4);
	w64(elf + 64, 8, 0x480); /* file bytes past the end */
	CHECK_EQ_I(elf_parse(elf, n, &e, &d), -EINVAL);
	CHECK(strstr(d.msg, "beyond the end"));
	n = make_elf64(~0ull - 0x10, 0x1000000, 4);
	CHECK_EQ_I(elf_parse(elf, n, &e, &d), -EINVAL);
	CHECK(strstr(d.msg, "wraps"));
	n = make_elf64(0x1000000, 0x1000000, 4);
	w32(elf + 64, 0, 0); /* no PT_LOAD */
	CHECK_EQ_I(elf_parse(elf, n, &e, &d), -EINVAL);
	CHECK(strstr(d.msg, "no loadable segment"));
}

TEST(elf_segments_checked)
{
	struct elf_image e;
	struct loader_diag d;

	CHECK_EQ_I(elf_parse(elf, make_elf32(0x100000), &e, &d), 0);
	CHECK_EQ_I(elf_check_segments(&e, 16 * MIB, &d), 0);
	CHECK_EQ_I(elf_check_segments(&e, 0x100800, &d), -E2BIG);
	CHECK(strstr(d.msg, "does not fit"));
	CHECK_EQ_I(elf_parse(elf, make_elf32(0x8000), &e, &d), 0);
	CHECK_EQ_I(elf_check_segments(&e, 16 * MIB, &d), -EINVAL);
	CHECK(strstr(d.msg, "loader's pages"));
	CHECK_EQ_I(elf_parse(elf, make_elf32(0xff800), &e, &d), 0);
	CHECK_EQ_I(elf_check_segments(&e, 16 * MIB, &d), -EINVAL);
	CHECK_EQ_I(elf_parse(elf, make_elf32(0xa000), &e, &d), 0);
	CHECK_EQ_I(elf_check_segments(&e, 16 * MIB, &d), 0);
	e.segs[1] = e.segs[0];
	e.segs[1].paddr += 0x800;
	e.nr_segs = 2;
	CHECK_EQ_I(elf_check_segments(&e, 16 * MIB, &d), -EINVAL);
	CHECK(strstr(d.msg, "overlap"));
}

/* --- whole loads into a VM ------------------------------------------------ */

static const uint8_t initrd[0x3000] = { 'I', 'N', 'I', 'T' };

TEST(load_linux_vm)
{
	struct guest_image img = { .format = GUEST_LINUX, .cmdline = "console=ttyS0",
				   .initrd = initrd, .initrd_size = sizeof(initrd),
				   .initrd_name = "linux/initrd" };
	struct vcpu_start s;
	uint8_t *ram = vm_with_ram(64 * MIB);

	make_bz();
	img.data = bz;
	img.size = sizeof(bz);
	CHECK_EQ_I(loader_load(&test_vm, &img, &s), 0);
	CHECK_EQ_U(s.mode, VCPU_START_LONG64);
	CHECK_EQ_U(s.rip, 16 * MIB + 0x200);
	CHECK_EQ_U(s.gpr[GPR_RSI], LOADER_ZP_GPA);
	CHECK_EQ_U(s.cr3, LOADER_PT_GPA);
	CHECK_EQ_U(ram[16 * MIB], 0x90);
	CHECK(!memcmp(ram + LOADER_ZP_GPA + 0x202, "HdrS", 4));
	CHECK_STR((char *)ram + LOADER_CMDLINE_GPA, "console=ttyS0");
	CHECK_EQ_U(at32(ram, LOADER_ZP_GPA + 0x218), 64 * MIB - 0x3000);
	CHECK(!memcmp(ram + 64 * MIB - 0x3000, "INIT", 4));
	/* the identity map reaches 4 GiB: last PD entry maps 4 GiB - 2 MiB */
	CHECK_EQ_U(at64(ram, LOADER_PT_GPA + 0x5000 + 511 * 8), (4096 - 2) * MIB | 0x83);
	/* 32-bit entry */
	w16(bz, 0x236, 0);
	CHECK_EQ_I(loader_load(&test_vm, &img, &s), 0);
	CHECK_EQ_U(s.mode, VCPU_START_PROT32);
	CHECK_EQ_U(s.rip, 16 * MIB);
	CHECK_EQ_U(s.gpr[GPR_RSI], LOADER_ZP_GPA);
}

TEST(load_linux_vm_errors)
{
	struct guest_image img = { .format = GUEST_LINUX, .data = bz, .size = sizeof(bz) };
	struct vcpu_start s;
	char longline[3000];

	make_bz();
	vm_with_ram(16 * MIB);
	CHECK_EQ_I(loader_load(&test_vm, &img, &s), -E2BIG);
	CHECK(unit_log_has("lx: kernel needs RAM"));
	vm_with_ram(64 * MIB);
	memset(longline, 'a', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	img.cmdline = longline;
	CHECK_EQ_I(loader_load(&test_vm, &img, &s), -E2BIG);
	CHECK(unit_log_has("command line of 2999 bytes is too long"));
	img.cmdline = NULL;
	img.initrd_name = "missing.img";
	CHECK_EQ_I(loader_load(&test_vm, &img, &s), -ENOENT);
	CHECK(unit_log_has("lx: initrd missing.img not found"));
	img.initrd_name = NULL;
	w16(bz, 0x206, 0x204);
	CHECK_EQ_I(loader_load(&test_vm, &img, &s), -EINVAL);
	CHECK(unit_log_has("lx: boot protocol 2.04 is older than 2.06"));
}

TEST(load_pvh_vm)
{
	struct guest_image img = { .format = GUEST_PVH, .data = elf, .cmdline = "root=x",
				   .initrd = initrd, .initrd_size = sizeof(initrd),
				   .initrd_name = "initrd.cpio" };
	struct vcpu_start s;
	uint8_t *ram = vm_with_ram(32 * MIB);
	uint64_t zp = LOADER_ZP_GPA;

	img.size = make_elf64(0x1000000, 0x1000010, 4);
	CHECK_EQ_I(loader_load(&test_vm, &img, &s), 0);
	CHECK_EQ_U(s.mode, VCPU_START_PROT32);
	CHECK_EQ_U(s.rip, 0x1000010);
	CHECK_EQ_U(s.gpr[GPR_RBX], zp);
	CHECK_EQ_U(ram[0x1000000], 0xf4);
	CHECK_EQ_U(at32(ram, zp), 0x336ec578);
	CHECK_EQ_U(at32(ram, zp + 4), 1);
	CHECK_EQ_U(at32(ram, zp + 12), 1);                       /* nr_modules */
	CHECK_EQ_U(at64(ram, zp + 24), LOADER_CMDLINE_GPA);
	CHECK_EQ_U(at64(ram, zp + 32), FW_RSDP_GPA);
	CHECK_EQ_U(at32(ram, zp + 48), 4);                       /* memmap entries */
	CHECK_EQ_U(at64(ram, at64(ram, zp + 40) + 3 * 24), 0x100000);
	CHECK_EQ_U(at64(ram, at64(ram, zp + 16)), 32 * MIB - 0x3000);
	CHECK_EQ_U(at64(ram, at64(ram, zp + 16) + 8), 0x3000);
	CHECK_STR((char *)ram + at64(ram, at64(ram, zp + 16) + 16), "initrd.cpio");
	CHECK_STR((char *)ram + LOADER_CMDLINE_GPA, "root=x");
	/* no note */
	img.size = make_elf32(0x100000);
	CHECK_EQ_I(loader_load(&test_vm, &img, &s), -EINVAL);
	CHECK(unit_log_has("lx: no PVH entry note"));
	/* segment beyond RAM */
	img.size = make_elf64(0x2000000, 0x2000000, 4);
	CHECK_EQ_I(loader_load(&test_vm, &img, &s), -E2BIG);
	CHECK(unit_log_has("does not fit in the VM's 32 MiB"));
	/* initrd too big for what is left */
	img.size = make_elf64(32 * MIB - 0x4000, 32 * MIB - 0x4000, 4);
	CHECK_EQ_I(loader_load(&test_vm, &img, &s), -E2BIG);
	CHECK(unit_log_has("initrd of 12 KiB does not fit"));
}

TEST(load_multiboot_vm)
{
	struct guest_image img = { .format = GUEST_MULTIBOOT, .data = elf, .cmdline = "a b",
				   .initrd = initrd, .initrd_size = sizeof(initrd),
				   .initrd_name = "mod.bin arg" };
	uint32_t mbh[3] = { 0x1badb002u, 0, 0u - 0x1badb002u };
	struct vcpu_start s;
	uint8_t *ram = vm_with_ram(16 * MIB);
	uint64_t mbi = LOADER_MBI_GPA;

	img.size = make_elf32(0x100000);
	memcpy(elf + 0x200, mbh, sizeof(mbh));
	CHECK_EQ_I(loader_load(&test_vm, &img, &s), 0);
	CHECK_EQ_U(s.mode, VCPU_START_PROT32);
	CHECK_EQ_U(s.gpr[GPR_RAX], 0x2badb002u);
	CHECK_EQ_U(s.gpr[GPR_RBX], mbi);
	CHECK_EQ_U(at32(ram, mbi) & 0x24d, 0x24d); /* MEM CMDLINE MODS MMAP LOADER */
	CHECK_EQ_U(at32(ram, mbi + 4), 639);
	CHECK_EQ_U(at32(ram, mbi + 8), 15 * 1024);
	CHECK_EQ_U(at32(ram, mbi + 20), 1);
	CHECK_EQ_U(at32(ram, at32(ram, mbi + 24)), 16 * MIB - 0x3000);
	CHECK_EQ_U(at32(ram, at32(ram, mbi + 24) + 4), 16 * MIB);
	CHECK_STR((char *)ram + at32(ram, at32(ram, mbi + 24) + 8), "mod.bin arg");
	CHECK_EQ_U(at32(ram, mbi + 44), 4 * 24);
	CHECK_EQ_U(at32(ram, at32(ram, mbi + 48)), 20);
	CHECK_STR((char *)ram + at32(ram, mbi + 16), "a b");
	CHECK_STR((char *)ram + at32(ram, mbi + 64), "Basalt");
	/* without a multiboot header */
	img.size = make_elf32(0x100000);
	CHECK_EQ_I(loader_load(&test_vm, &img, &s), -EINVAL);
	CHECK(unit_log_has("no multiboot header"));
}

TEST(detect_formats)
{
	uint32_t mbh[3] = { 0x1badb002u, 0, 0u - 0x1badb002u };
	size_t n;

	make_bz();
	CHECK_EQ_U(loader_detect(bz, sizeof(bz)), GUEST_LINUX);
	CHECK_EQ_U(loader_detect_linux(bz, sizeof(bz)), GUEST_LINUX);
	n = make_elf64(0x1000000, 0x1000000, 4);
	CHECK_EQ_U(loader_detect(elf, n), GUEST_PVH);
	CHECK_EQ_U(loader_detect_linux(elf, n), GUEST_PVH);
	memcpy(elf + 0x400, mbh, sizeof(mbh)); /* a multiboot header wins for auto */
	CHECK_EQ_U(loader_detect(elf, n), GUEST_MULTIBOOT);
	n = make_elf32(0x100000);
	CHECK_EQ_U(loader_detect(elf, n), GUEST_MULTIBOOT);
	CHECK_EQ_U(loader_detect(initrd, sizeof(initrd)), GUEST_FLAT);
	CHECK_STR(loader_format_name(GUEST_PVH), "pvh");
	CHECK_STR(loader_format_name(GUEST_LINUX), "linux");
}
