// SPDX-License-Identifier: MIT
/*
 * BOOTX64.EFI, the Basalt UEFI loader (gnu-efi).
 *
 *   efi_main
 *     open the loader's own volume, read and parse \basalt\loader.cfg
 *     with a manifest line: read and parse the manifest, add its files
 *     load the core: check the ELF, allocate its pages at p_paddr, read it
 *     load each module whole into pages below 4 GiB
 *     fill struct boot_info (below 4 GiB): cmdline, modules, RSDP, GOP
 *     GetMemoryMap + ExitBootServices (retried), convert the final map
 *     cli; call the core's entry with %rdi = &boot_info   (never returns)
 *
 * The contract with the core is include/basalt/boot_info.h. Any failure
 * before ExitBootServices() prints one "basalt-efi: error: ..." line on
 * ConOut (which OVMF and most firmware mirror to the serial port), frees
 * every page allocated so far, waits a few seconds so that a human can read
 * it, and returns an error to the boot manager. Nothing ever jumps to a
 * partly loaded core.
 */
#include <efi.h>
#include <efilib.h>

#include "include/basalt/boot_info.h"
#include "boot/efi/loader_cfg.h"
#include "boot/efi/loader_elf.h"
#include "boot/efi/loader_manifest.h"
#include "boot/efi/loader_mmap.h"

#define LOADER_VERSION  "0.1"
#define CFG_PATH        "\\basalt\\loader.cfg"
#define CFG_MAX_SIZE    (64 * 1024)   /* larger config files are refused */
#define ERROR_STALL_US  3000000       /* time to read an error before returning */
#define EXIT_ATTEMPTS   4             /* GetMemoryMap + ExitBootServices rounds */
#define MAP_SLACK_DESCS 32            /* room for the map to grow before exit */
#define MAX_ALLOCS      (LOADER_ELF_MAX_PHDRS + BOOT_MAX_MODULES + 4)
#define READ_CHUNK      (1024 * 1024) /* bytes per EFI_FILE_PROTOCOL.Read() */
#define BELOW_4G        0xffffffffull /* AllocateMaxAddress limit: last byte */

/* The pure map conversion reads GetMemoryMap()'s buffer with its own view. */
_Static_assert(sizeof(EFI_MEMORY_DESCRIPTOR) == sizeof(struct loader_efi_desc),
	       "EFI_MEMORY_DESCRIPTOR size");
_Static_assert(__builtin_offsetof(EFI_MEMORY_DESCRIPTOR, PhysicalStart) ==
		       __builtin_offsetof(struct loader_efi_desc, phys_start),
	       "EFI_MEMORY_DESCRIPTOR.PhysicalStart");
_Static_assert(__builtin_offsetof(EFI_MEMORY_DESCRIPTOR, NumberOfPages) ==
		       __builtin_offsetof(struct loader_efi_desc, nr_pages),
	       "EFI_MEMORY_DESCRIPTOR.NumberOfPages");
_Static_assert((int)EfiConventionalMemory == LOADER_EFI_CONVENTIONAL &&
		       (int)EfiACPIMemoryNVS == LOADER_EFI_ACPI_NVS &&
		       (int)EfiPalCode == LOADER_EFI_PAL_CODE,
	       "EFI_MEMORY_TYPE values");

/*
 * UEFI 2.10, "EFI_MEMORY_ATTRIBUTE_PROTOCOL" (newer than gnu-efi 3.0.15):
 * firmware with strict memory protection maps free memory non-executable
 * and offers this protocol to change that for code it did not load itself.
 */
#define MEMORY_ATTRIBUTE_PROTOCOL_GUID                                          \
	{                                                                       \
		0xf4560cf6, 0x40ec, 0x4b4a,                                     \
		{ 0xa1, 0x92, 0xbf, 0x1d, 0x57, 0xd0, 0xb1, 0x89 }              \
	}

struct memory_attribute_protocol {
	EFI_STATUS(EFIAPI *get)(struct memory_attribute_protocol *self,
				EFI_PHYSICAL_ADDRESS base, UINT64 len, UINT64 *attr);
	EFI_STATUS(EFIAPI *set)(struct memory_attribute_protocol *self,
				EFI_PHYSICAL_ADDRESS base, UINT64 len, UINT64 attr);
	EFI_STATUS(EFIAPI *clear)(struct memory_attribute_protocol *self,
				  EFI_PHYSICAL_ADDRESS base, UINT64 len, UINT64 attr);
};

/* The firmware's memory map buffer, kept across ExitBootServices(). */
struct efi_map {
	void *buf;
	UINTN cap; /* bytes allocated */
	UINTN size, key, desc_size;
	UINT32 desc_version;
};

/* Pages allocated so far, given back if the boot fails. */
struct page_alloc {
	EFI_PHYSICAL_ADDRESS base;
	UINTN pages;
};

/* Called by gnu-efi's crt0 (_start) after relocating the image. */
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab);

static EFI_HANDLE loader_image;
static struct loader_cfg cfg;
static struct loader_manifest manifest;
static struct loader_elf elf;
static unsigned char phdr_buf[LOADER_ELF_MAX_PHDRS * LOADER_ELF_PHDR_SIZE];
static struct page_alloc allocs[MAX_ALLOCS];
static unsigned nr_allocs;

/* Print "basalt-efi: error: <message>" and return an error status. */
static EFI_STATUS fail(EFI_STATUS st, const CHAR16 *fmt, ...)
{
	va_list ap;

	Print(L"basalt-efi: error: ");
	va_start(ap, fmt);
	VPrint(fmt, ap);
	va_end(ap);
	Print(L"\n");
	return EFI_ERROR(st) ? st : EFI_LOAD_ERROR;
}

static void copy_str(char *dst, const char *src, UINTN size)
{
	UINTN i;

	for (i = 0; i + 1 < size && src[i]; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

/*
 * Lower-case hex for Print() ("%a", hex(v).s): gnu-efi's %x is upper-case,
 * the core's log is not. The array lives until the end of the statement.
 */
struct hex_str {
	char s[19];
};

static struct hex_str hex(UINT64 v)
{
	struct hex_str h;
	struct loader_msg m;

	loader_msg_init(&m, h.s, sizeof(h.s));
	loader_msg_hex(&m, v);
	return h;
}

static UINTN pages_for(UINT64 bytes)
{
	return (bytes + EFI_PAGE_SIZE - 1) >> EFI_PAGE_SHIFT;
}

static EFI_STATUS alloc_pages(EFI_ALLOCATE_TYPE how, EFI_MEMORY_TYPE type, UINTN pages,
			      EFI_PHYSICAL_ADDRESS *addr)
{
	EFI_STATUS st;

	if (nr_allocs == MAX_ALLOCS)
		return EFI_OUT_OF_RESOURCES;
	st = BS->AllocatePages(how, type, pages, addr);
	if (!EFI_ERROR(st)) {
		allocs[nr_allocs].base = *addr;
		allocs[nr_allocs].pages = pages;
		nr_allocs++;
	}
	return st;
}

static void free_all_pages(void)
{
	while (nr_allocs) {
		nr_allocs--;
		BS->FreePages(allocs[nr_allocs].base, allocs[nr_allocs].pages);
	}
}

/* --- files on the loader's own volume ------------------------------------- */

static EFI_STATUS open_volume(EFI_FILE_HANDLE *root)
{
	EFI_LOADED_IMAGE *li;
	EFI_FILE_IO_INTERFACE *fs;
	EFI_STATUS st;

	st = BS->HandleProtocol(loader_image, &LoadedImageProtocol, (void **)&li);
	if (EFI_ERROR(st))
		return fail(st, L"no LoadedImage protocol: %r", st);
	st = BS->HandleProtocol(li->DeviceHandle, &FileSystemProtocol, (void **)&fs);
	if (EFI_ERROR(st))
		return fail(st, L"the loader's own device has no file system: %r", st);
	st = fs->OpenVolume(fs, root);
	if (EFI_ERROR(st))
		return fail(st, L"cannot open the loader's own volume: %r", st);
	return EFI_SUCCESS;
}

/* Open path ('\'-separated ASCII) for reading; a regular file only. */
static EFI_STATUS open_file(EFI_FILE_HANDLE root, const char *path, EFI_FILE_HANDLE *fh,
			    UINT64 *size)
{
	CHAR16 wpath[LOADER_PATH_LEN];
	EFI_FILE_INFO *info;
	EFI_STATUS st;
	UINTN i;

	for (i = 0; i + 1 < LOADER_PATH_LEN && path[i]; i++)
		wpath[i] = (CHAR16)(unsigned char)path[i];
	wpath[i] = 0;
	st = root->Open(root, fh, wpath, EFI_FILE_MODE_READ, 0);
	if (EFI_ERROR(st))
		return fail(st, L"cannot open %a: %r", path, st);
	info = LibFileInfo(*fh);
	if (!info)
		st = fail(EFI_DEVICE_ERROR, L"cannot get the size of %a", path);
	else if (info->Attribute & EFI_FILE_DIRECTORY)
		st = fail(EFI_INVALID_PARAMETER, L"%a is a directory", path);
	else
		*size = info->FileSize;
	if (info)
		FreePool(info);
	if (EFI_ERROR(st))
		(*fh)->Close(*fh);
	return st;
}

/* Read exactly len bytes at offset off into buf. */
static EFI_STATUS read_at(EFI_FILE_HANDLE fh, const char *path, UINT64 off, void *buf,
			  UINT64 len)
{
	EFI_STATUS st = fh->SetPosition(fh, off);
	unsigned char *p = buf;

	if (EFI_ERROR(st))
		return fail(st, L"cannot read %a: %r", path, st);
	while (len) {
		UINTN n = len > READ_CHUNK ? READ_CHUNK : (UINTN)len;

		st = fh->Read(fh, &n, p);
		if (EFI_ERROR(st))
			return fail(st, L"cannot read %a: %r", path, st);
		if (n == 0)
			return fail(EFI_END_OF_FILE, L"cannot read %a: file ends early", path);
		p += n;
		len -= n;
	}
	return EFI_SUCCESS;
}

/* Read a whole text file of at most max bytes into pool memory (FreePool it). */
static EFI_STATUS read_text(EFI_FILE_HANDLE root, const char *path, UINT64 max, char **text,
			    UINT64 *size)
{
	EFI_FILE_HANDLE fh;
	EFI_STATUS st;

	st = open_file(root, path, &fh, size);
	if (EFI_ERROR(st))
		return st;
	if (*size > max) {
		fh->Close(fh);
		return fail(EFI_BAD_BUFFER_SIZE, L"%a is %ld bytes, at most %ld are read", path,
			    *size, max);
	}
	*text = AllocatePool(*size ? *size : 1);
	if (!*text) {
		fh->Close(fh);
		return fail(EFI_OUT_OF_RESOURCES, L"out of memory reading %a", path);
	}
	st = read_at(fh, path, 0, *text, *size);
	fh->Close(fh);
	if (EFI_ERROR(st))
		FreePool(*text);
	return st;
}

static EFI_STATUS read_config(EFI_FILE_HANDLE root)
{
	EFI_STATUS st;
	UINT64 size;
	char *text;

	st = read_text(root, CFG_PATH, CFG_MAX_SIZE, &text, &size);
	if (EFI_ERROR(st))
		return st;
	if (loader_cfg_parse(&cfg, text, size))
		st = fail(EFI_INVALID_PARAMETER, L"%a", cfg.error);
	FreePool(text);
	return st;
}

/*
 * The manifest line: parse the manifest with the core's parser and add it
 * and its files to the modules. A manifest that does not parse stops the
 * boot here, before the core or any module is loaded, with every message.
 */
static EFI_STATUS read_manifest(EFI_FILE_HANDLE root)
{
	const char *path = cfg.manifest.path;
	unsigned before = cfg.nr_modules;
	EFI_STATUS st;
	UINT64 size;
	char *text;

	st = read_text(root, path, LOADER_MANIFEST_MAX_SIZE, &text, &size);
	if (EFI_ERROR(st))
		return st;
	if (loader_manifest_add(&cfg, text, size, &manifest)) {
		for (unsigned i = 0; i < manifest.d.count; i++)
			Print(L"%a\n", manifest.d.msg[i]);
		if (manifest.d.dropped)
			Print(L"(%d more errors)\n", manifest.d.dropped);
		st = fail(EFI_INVALID_PARAMETER, L"%a: the manifest has errors: not booting", path);
	} else {
		Print(L"basalt-efi: manifest %a: %d VM%a, %d files to load\n", path,
		      manifest.m.nr_vms, manifest.m.nr_vms == 1 ? "" : "s",
		      cfg.nr_modules - before - 1);
	}
	FreePool(text);
	return st;
}

/* --- the core --------------------------------------------------------------- */

/* After AllocateAddress failed: show who holds [base, end) and where room is. */
static void explain_busy(UINT64 base, UINT64 end)
{
	UINTN n, key, desc_size;
	UINT32 version;
	EFI_MEMORY_DESCRIPTOR *map = LibMemoryMap(&n, &key, &desc_size, &version);
	UINT64 free_base = 0, free_len = 0;

	if (!map)
		return;
	for (UINTN i = 0; i < n; i++) {
		EFI_MEMORY_DESCRIPTOR *d = (void *)((char *)map + i * desc_size);
		UINT64 d_end = d->PhysicalStart + (d->NumberOfPages << EFI_PAGE_SHIFT);

		if (d->Type != EfiConventionalMemory && d->PhysicalStart < end && base < d_end)
			Print(L"basalt-efi:   %a-%a is %a\n", hex(d->PhysicalStart).s,
			      hex(d_end - 1).s, loader_mmap_efi_name(d->Type));
		if (d->Type == EfiConventionalMemory && d_end <= BELOW_4G + 1 &&
		    d_end - d->PhysicalStart > free_len) {
			free_base = d->PhysicalStart;
			free_len = d_end - d->PhysicalStart;
		}
	}
	if (free_len)
		Print(L"basalt-efi:   largest free range below 4 GiB: %a-%a\n",
		      hex(free_base).s, hex(free_base + free_len - 1).s);
	FreePool(map);
}

/* Let code run from [base, end) on firmware that maps free memory NX. */
static void make_executable(UINT64 base, UINT64 end)
{
	static EFI_GUID guid = MEMORY_ATTRIBUTE_PROTOCOL_GUID;
	struct memory_attribute_protocol *mattr;
	EFI_STATUS st;

	if (EFI_ERROR(BS->LocateProtocol(&guid, NULL, (void **)&mattr)))
		return; /* no such protocol: the firmware leaves memory executable */
	st = mattr->clear(mattr, base, end - base, EFI_MEMORY_XP);
	if (EFI_ERROR(st))
		Print(L"basalt-efi: warning: cannot make %a-%a executable: %r\n", hex(base).s,
		      hex(end - 1).s, st);
}

static EFI_STATUS alloc_core(void)
{
	for (unsigned i = 0; i < elf.nr_ranges; i++) {
		const struct loader_elf_range *r = &elf.ranges[i];
		EFI_PHYSICAL_ADDRESS addr = r->base;
		EFI_STATUS st;

		st = alloc_pages(AllocateAddress, r->exec ? EfiLoaderCode : EfiLoaderData,
				 pages_for(r->end - r->base), &addr);
		if (EFI_ERROR(st)) {
			fail(st, L"core memory %a-%a is not free: %r", hex(r->base).s,
			     hex(r->end - 1).s, st);
			explain_busy(r->base, r->end);
			return st;
		}
		ZeroMem((void *)addr, r->end - r->base);
		if (r->exec)
			make_executable(r->base, r->end);
	}
	return EFI_SUCCESS;
}

static EFI_STATUS read_core(EFI_FILE_HANDLE fh, UINT64 size)
{
	unsigned char ehdr[LOADER_ELF_EHDR_SIZE];
	UINTN n = size < sizeof(ehdr) ? (UINTN)size : sizeof(ehdr);
	EFI_STATUS st;

	st = read_at(fh, cfg.core, 0, ehdr, n);
	if (EFI_ERROR(st))
		return st;
	if (loader_elf_check_header(&elf, ehdr, n, size))
		return fail(EFI_LOAD_ERROR, L"%a: %a", cfg.core, elf.error);
	st = read_at(fh, cfg.core, elf.phoff, phdr_buf, elf.phnum * LOADER_ELF_PHDR_SIZE);
	if (EFI_ERROR(st))
		return st;
	if (loader_elf_check_phdrs(&elf, phdr_buf, sizeof(phdr_buf), size))
		return fail(EFI_LOAD_ERROR, L"%a: %a", cfg.core, elf.error);
	st = alloc_core();
	for (unsigned i = 0; !EFI_ERROR(st) && i < elf.nr_segs; i++) {
		const struct loader_elf_seg *s = &elf.segs[i];

		st = read_at(fh, cfg.core, s->offset, (void *)s->paddr, s->filesz);
	}
	return st;
}

static EFI_STATUS load_core(EFI_FILE_HANDLE root)
{
	EFI_FILE_HANDLE fh;
	EFI_STATUS st;
	UINT64 size;

	st = open_file(root, cfg.core, &fh, &size);
	if (EFI_ERROR(st))
		return st;
	st = read_core(fh, size);
	fh->Close(fh);
	if (!EFI_ERROR(st))
		Print(L"basalt-efi: loaded core %a-%a, entry %a\n", hex(elf.lo).s,
		      hex(elf.hi - 1).s, hex(elf.entry).s);
	return st;
}

/* --- modules and boot_info ------------------------------------------------- */

static EFI_STATUS load_module(EFI_FILE_HANDLE root, const struct loader_cfg_module *m,
			      struct boot_module *bm)
{
	EFI_PHYSICAL_ADDRESS addr = BELOW_4G;
	EFI_FILE_HANDLE fh;
	EFI_STATUS st;
	UINT64 size;
	UINTN pages;

	st = open_file(root, m->path, &fh, &size);
	if (EFI_ERROR(st))
		return st;
	pages = size ? pages_for(size) : 1;
	st = alloc_pages(AllocateMaxAddress, EfiLoaderData, pages, &addr);
	if (EFI_ERROR(st))
		st = fail(st, L"cannot allocate %ld KiB below 4 GiB for %a: %r",
			  (UINT64)pages * (EFI_PAGE_SIZE / 1024), m->path, st);
	if (!EFI_ERROR(st)) {
		ZeroMem((void *)(addr + size), pages * EFI_PAGE_SIZE - size);
		st = read_at(fh, m->path, 0, (void *)addr, size);
	}
	fh->Close(fh);
	if (EFI_ERROR(st))
		return st;
	bm->base = addr;
	bm->len = size;
	copy_str(bm->name, m->name, sizeof(bm->name));
	Print(L"basalt-efi: module %a at %a, %ld bytes\n", m->name, hex(addr).s, size);
	return EFI_SUCCESS;
}

static int guid_equal(const EFI_GUID *a, const EFI_GUID *b)
{
	const unsigned char *x = (const void *)a, *y = (const void *)b;

	for (unsigned i = 0; i < sizeof(EFI_GUID); i++)
		if (x[i] != y[i])
			return 0;
	return 1;
}

/* The ACPI RSDP from the configuration table, ACPI 2.0+ preferred. */
static UINT64 find_rsdp(void)
{
	EFI_GUID acpi20 = ACPI_20_TABLE_GUID, acpi10 = ACPI_TABLE_GUID;
	UINT64 rsdp10 = 0;

	for (UINTN i = 0; i < ST->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &ST->ConfigurationTable[i];

		if (guid_equal(&t->VendorGuid, &acpi20))
			return (UINT64)t->VendorTable;
		if (guid_equal(&t->VendorGuid, &acpi10))
			rsdp10 = (UINT64)t->VendorTable;
	}
	return rsdp10;
}

static void find_framebuffer(struct boot_framebuffer *fb)
{
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop;
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info;

	if (EFI_ERROR(BS->LocateProtocol(&GraphicsOutputProtocol, NULL, (void **)&gop)) ||
	    !gop->Mode || !gop->Mode->Info || !gop->Mode->FrameBufferBase)
		return;
	info = gop->Mode->Info;
	if (info->PixelFormat == PixelBltOnly)
		return;
	fb->base = gop->Mode->FrameBufferBase;
	fb->pitch = info->PixelsPerScanLine * 4;
	fb->width = info->HorizontalResolution;
	fb->height = info->VerticalResolution;
	fb->bpp = 32;
}

static EFI_STATUS alloc_boot_info(struct boot_info **out)
{
	EFI_PHYSICAL_ADDRESS addr = BELOW_4G;
	struct boot_info *bi;
	EFI_STATUS st;

	st = alloc_pages(AllocateMaxAddress, EfiLoaderData, pages_for(sizeof(*bi)), &addr);
	if (EFI_ERROR(st))
		return fail(st, L"cannot allocate boot_info below 4 GiB: %r", st);
	bi = (struct boot_info *)addr;
	ZeroMem(bi, sizeof(*bi));
	bi->magic = BOOT_INFO_MAGIC;
	bi->version = BOOT_INFO_VERSION;
	bi->source = BOOT_SRC_UEFI;
	copy_str(bi->cmdline, cfg.cmdline, sizeof(bi->cmdline));
	copy_str(bi->loader, "basalt-efi " LOADER_VERSION, sizeof(bi->loader));
	*out = bi;
	return EFI_SUCCESS;
}

static EFI_STATUS fill_boot_info(EFI_FILE_HANDLE root, struct boot_info *bi)
{
	struct boot_framebuffer *fb = &bi->fb;
	EFI_STATUS st;

	for (unsigned i = 0; i < cfg.nr_modules; i++) {
		st = load_module(root, &cfg.modules[i], &bi->modules[i]);
		if (EFI_ERROR(st))
			return st;
		bi->nr_modules++;
	}
	Print(L"basalt-efi: cmdline \"%a\"\n", bi->cmdline);
	bi->rsdp = find_rsdp();
	find_framebuffer(fb);
	if (fb->base)
		Print(L"basalt-efi: rsdp %a, framebuffer %dx%d at %a\n", hex(bi->rsdp).s,
		      fb->width, fb->height, hex(fb->base).s);
	else
		Print(L"basalt-efi: rsdp %a, no framebuffer\n", hex(bi->rsdp).s);
	return EFI_SUCCESS;
}

/* --- leaving the firmware ----------------------------------------------------- */

/*
 * Allocate the buffer for the final memory map (with room for the map to
 * grow by a few entries meanwhile) and preview the conversion, so that a
 * truncated map can still be reported while ConOut works.
 */
static EFI_STATUS prepare_map(struct efi_map *m, struct boot_info *bi)
{
	EFI_PHYSICAL_ADDRESS addr;
	unsigned nr, dropped;
	UINT64 usable = 0;
	EFI_STATUS st;

	m->size = 0;
	st = BS->GetMemoryMap(&m->size, NULL, &m->key, &m->desc_size, &m->desc_version);
	if (st != EFI_BUFFER_TOO_SMALL)
		return fail(st, L"GetMemoryMap: %r", st);
	if (m->desc_size < sizeof(struct loader_efi_desc))
		return fail(EFI_UNSUPPORTED, L"memory descriptors of %ld bytes", m->desc_size);
	m->cap = pages_for(m->size + MAP_SLACK_DESCS * m->desc_size) * EFI_PAGE_SIZE;
	st = alloc_pages(AllocateAnyPages, EfiLoaderData, m->cap / EFI_PAGE_SIZE, &addr);
	if (EFI_ERROR(st))
		return fail(st, L"cannot allocate the memory map buffer: %r", st);
	m->buf = (void *)addr;
	m->size = m->cap;
	st = BS->GetMemoryMap(&m->size, m->buf, &m->key, &m->desc_size, &m->desc_version);
	if (EFI_ERROR(st))
		return fail(st, L"GetMemoryMap: %r", st);
	nr = loader_mmap_convert(m->buf, m->size, m->desc_size, bi->mem, BOOT_MAX_MEM, &dropped);
	for (unsigned i = 0; i < nr; i++) {
		if (bi->mem[i].type == BOOT_MEM_USABLE)
			usable += bi->mem[i].len;
#ifdef LOADER_DEBUG
		Print(L"basalt-efi:   %a-%a type %d\n", hex(bi->mem[i].base).s,
		      hex(bi->mem[i].base + bi->mem[i].len - 1).s, bi->mem[i].type);
#endif
	}
	Print(L"basalt-efi: memory map: %d regions, %ld MiB usable\n", nr, usable >> 20);
	if (dropped)
		Print(L"basalt-efi: warning: memory map truncated: %d regions dropped\n", dropped);
	return EFI_SUCCESS;
}

/*
 * ExitBootServices() fails when the map changed since GetMemoryMap() (an
 * event may allocate at any time): fetch the map again and retry. Between
 * attempts only memory services are allowed, so nothing here prints.
 */
static EFI_STATUS exit_firmware(struct efi_map *m)
{
	EFI_STATUS st = EFI_ABORTED;

	for (unsigned i = 0; i < EXIT_ATTEMPTS; i++) {
		m->size = m->cap;
		st = BS->GetMemoryMap(&m->size, m->buf, &m->key, &m->desc_size,
				      &m->desc_version);
		if (EFI_ERROR(st))
			break;
		st = BS->ExitBootServices(loader_image, m->key);
		if (!EFI_ERROR(st))
			break;
	}
	return st;
}

/* Interrupts off, a 16-byte aligned stack, %rdi = bi: the core's entry ABI. */
static void __attribute__((noreturn)) enter_core(UINT64 entry, struct boot_info *bi)
{
	__asm__ volatile("cli\n\t"
			 "and $-16, %%rsp\n\t"
			 "xor %%ebp, %%ebp\n\t"
			 "call *%%rax\n\t"
			 "1: hlt\n\t"
			 "jmp 1b"
			 :
			 : "a"(entry), "D"(bi)
			 : "memory");
	__builtin_unreachable();
}

static EFI_STATUS boot(void)
{
	EFI_FILE_HANDLE root;
	struct boot_info *bi = NULL;
	struct efi_map map;
	unsigned dropped;
	EFI_STATUS st;

	st = open_volume(&root);
	if (EFI_ERROR(st))
		return st;
	st = read_config(root);
	if (!EFI_ERROR(st) && cfg.manifest.path[0])
		st = read_manifest(root);
	if (!EFI_ERROR(st))
		st = load_core(root);
	if (!EFI_ERROR(st))
		st = alloc_boot_info(&bi);
	if (!EFI_ERROR(st))
		st = fill_boot_info(root, bi);
	root->Close(root);
	if (!EFI_ERROR(st))
		st = prepare_map(&map, bi);
	if (EFI_ERROR(st))
		return st;
	Print(L"basalt-efi: boot_info at %a\n", hex((UINT64)bi).s);
	Print(L"basalt-efi: exiting boot services\n");
	st = exit_firmware(&map);
	if (EFI_ERROR(st))
		return fail(st, L"ExitBootServices: %r", st);
	/* Boot services are gone: no printing, no allocation from here on. */
	bi->nr_mem = loader_mmap_convert(map.buf, map.size, map.desc_size, bi->mem,
					 BOOT_MAX_MEM, &dropped);
	enter_core(elf.entry, bi);
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	EFI_STATUS st;

	InitializeLib(image, systab);
	loader_image = image;
	BS->SetWatchdogTimer(0, 0, 0, NULL);
	Print(L"basalt-efi: version " LOADER_VERSION ", reading " CFG_PATH "\n");
	st = boot();
	free_all_pages();
	BS->Stall(ERROR_STALL_US);
	return st;
}
