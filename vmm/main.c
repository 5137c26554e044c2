// SPDX-License-Identifier: MIT
/*
 * Until the boot manifest exists, every boot module is a guest, run one
 * after the other on the boot CPU. The module string gives its options:
 *
 *   PATH [name=NAME] [mem=SIZE] [format=flat|multiboot]
 *        [mode=real|prot32|long64] [load=ADDR] [entry=ADDR] [cmdline words...]
 *
 * format defaults to multiboot for an ELF with a multiboot header, else
 * flat (mode real, load and entry 0x8000). A guest that fails to load is
 * reported and skipped; the others run.
 */
#define pr_fmt "vmm"
#include "arch/x86_64/lib/cmdline.h"
#include "arch/x86_64/lib/string.h"
#include "arch/x86_64/machine.h"
#include "arch/x86_64/pmm.h"
#include "drivers/console.h"
#include "drivers/fmt.h"
#include "vmm/exit.h"
#include "vmm/loader.h"
#include "vmm/vm.h"
#include "vmm/vmm.h"

#define DEFAULT_MEM (16ull << 20)
#define FLAT_DEFAULT_ADDR 0x8000ull

static const char *basename_of(const char *path, char *buf, size_t size)
{
	const char *slash = path, *p;
	size_t n = 0;

	for (p = path; *p && *p != ' '; p++)
		if (*p == '/')
			slash = p + 1;
	while (slash[n] && slash[n] != ' ' && slash[n] != '.' && n + 1 < size) {
		buf[n] = slash[n];
		n++;
	}
	buf[n] = '\0';
	return buf;
}

static bool parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	char num[24];
	size_t n = strlen(s);
	unsigned shift = 0;

	if (!n || n >= sizeof(num))
		return false;
	strlcpy(num, s, sizeof(num));
	switch (num[n - 1]) {
	case 'K': case 'k': shift = 10; break;
	case 'M': case 'm': shift = 20; break;
	case 'G': case 'g': shift = 30; break;
	default: break;
	}
	if (shift)
		num[n - 1] = '\0';
	if (!cmdline_parse_u64(num, &v) || v > (1ull << (63 - shift)))
		return false;
	*out = (uint64_t)v << shift;
	return true;
}

static int parse_options(const char *args, struct guest_image *img, uint64_t *mem)
{
	char v[32];
	unsigned long long n;

	img->format = img->size >= 4 && !memcmp(img->data, "\177ELF", 4) ? GUEST_MULTIBOOT
									: GUEST_FLAT;
	img->mode = VCPU_START_REAL;
	img->load = img->entry = FLAT_DEFAULT_ADDR;
	if (cmdline_get(args, "mem", v, sizeof(v)) && !parse_size(v, mem))
		return -1;
	if (cmdline_get(args, "format", v, sizeof(v)))
		img->format = !strcmp(v, "flat") ? GUEST_FLAT : GUEST_MULTIBOOT;
	if (cmdline_get(args, "mode", v, sizeof(v))) {
		if (!strcmp(v, "real"))
			img->mode = VCPU_START_REAL;
		else if (!strcmp(v, "prot32"))
			img->mode = VCPU_START_PROT32;
		else if (!strcmp(v, "long64"))
			img->mode = VCPU_START_LONG64;
		else
			return -1;
	}
	if (cmdline_get(args, "load", v, sizeof(v))) {
		if (!cmdline_parse_u64(v, &n))
			return -1;
		img->load = img->entry = n;
	}
	if (cmdline_get(args, "entry", v, sizeof(v))) {
		if (!cmdline_parse_u64(v, &n))
			return -1;
		img->entry = n;
	}
	img->cmdline = args;
	return 0;
}

static void report_exits(const struct vm *vm)
{
	const struct vcpu *v = vm->vcpus[0];
	char line[400];
	size_t n = 0;

	if (!v)
		return;
	for (unsigned r = 0; r < NR_EXIT_REASONS && n < sizeof(line) - 40; r++)
		if (v->exits[r])
			n += (size_t)fmt_snprintf(line + n, sizeof(line) - n, " %s=%lu",
						  exit_reason_name(r), (unsigned long)v->exits[r]);
	console_log(LOG_INFO, vm->name, "exits:%s\n", n ? line : " none");
}

static void run_module(const struct boot_module *m)
{
	struct guest_image img = { .data = (const uint8_t *)(uintptr_t)m->base, .size = m->len };
	uint64_t mem = DEFAULT_MEM, free_before = pmm_free_pages();
	struct vcpu_start start;
	char name[VM_NAME_LEN], v[VM_NAME_LEN];
	struct vm *vm;

	basename_of(m->name, name, sizeof(name));
	if (cmdline_get(m->name, "name", v, sizeof(v)))
		strlcpy(name, v, sizeof(name));
	if (parse_options(m->name, &img, &mem)) {
		pr_err("%s: bad options in '%s'\n", name, m->name);
		return;
	}
	vm = vm_create(name, mem);
	if (!vm)
		return;
	if (vdev_create(vm, "debugcon") || vdev_create(vm, "isa-debug-exit") ||
	    vdev_create(vm, "testdev") || loader_load(vm, &img, &start) ||
	    vm_add_vcpu(vm, &start)) {
		pr_err("%s: not started\n", name);
		vm_destroy(vm);
		return;
	}
	pr_info("%s: starting (%lu MiB, %s)\n", name, (unsigned long)(mem >> 20),
		img.format == GUEST_MULTIBOOT ? "multiboot" : "flat");
	vm_run(vm);
	report_exits(vm);
	vm_destroy(vm);
	if (pmm_free_pages() != free_before)
		pr_err("%s: %ld pages not returned\n", name,
		       (long)(free_before - pmm_free_pages()));
}

void vmm_main(void)
{
	const struct boot_info *bi = boot_info_get();

	if (!bi->nr_modules) {
		pr_info("no guests configured\n");
		return;
	}
	for (unsigned i = 0; i < bi->nr_modules; i++)
		run_module(&bi->modules[i]);
	pr_info("all guests have stopped\n");
}
