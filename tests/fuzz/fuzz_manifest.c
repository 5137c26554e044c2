// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the boot manifest (vmm/manifest*.c).
 *
 * Input: the manifest text itself, as an exact-size heap copy without a
 * terminating NUL, so ASan sees any read past its end. Checked:
 *   - the result agrees with the messages (0 exactly when there is none);
 *     every message is terminated and reads "fuzz.manifest:LINE: ..." with
 *     LINE within the text;
 *   - an accepted manifest obeys every documented limit (names, sizes,
 *     ranges, distinct CPUs, paths, terminated strings, enums);
 *   - written back out as text and parsed again, it gives the same values
 *     (strings with escapes, sizes, lists, defaults);
 *   - validation against a machine and files derived from the input keeps
 *     the same message rules, and every VM's memory map is sorted, disjoint
 *     and backs exactly `memory` bytes.
 *
 * Seeds: tests/fuzz/corpus/manifest/ (the examples of docs/examples/):
 *   build/fuzz/fuzz_manifest -max_total_time=60 <new dir> tests/fuzz/corpus/manifest
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/fmt.c"
#include "vmm/manifest_lex.c"
#include "vmm/manifest.c"
#include "vmm/manifest_validate.c"

#define FILE_NAME "fuzz.manifest"
#define CHECK(c)                          \
	do {                              \
		if (!(c))                 \
			__builtin_trap(); \
	} while (0)

static struct manifest m1, m2;
static struct manifest_diag d;
static char text2[1 << 16];

static uint32_t hash(const char *s, uint32_t h)
{
	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

/* Files: present or not, empty, unreadable, of some size: all from the path. */
static int fake_size(void *ctx, const char *path, uint64_t *size)
{
	uint32_t h = hash(path, *(const uint32_t *)ctx);

	if (h % 7 == 0)
		return -ENOENT;
	if (h % 11 == 0)
		return -EIO;
	*size = h % 13 == 0 ? 0 : (h >> 4) % (40u << 20);
	return 0;
}

/* Every message: terminated, "fuzz.manifest:N: " with 1 <= N <= max_line. */
static void check_diags(unsigned max_line)
{
	CHECK(d.count <= MANIFEST_MAX_DIAGS);
	for (unsigned i = 0; i < d.count; i++) {
		const char *s = d.msg[i];
		char *end;
		unsigned long line;

		CHECK(memchr(s, '\0', MANIFEST_DIAG_LEN));
		CHECK(!strncmp(s, FILE_NAME ":", sizeof(FILE_NAME)));
		line = strtoul(s + sizeof(FILE_NAME), &end, 10);
		CHECK(line >= 1 && line <= max_line && end[0] == ':' && end[1] == ' ');
	}
}

static void check_string(const char *s, size_t size)
{
	CHECK(memchr(s, '\0', size));
}

static void check_path(const char *s)
{
	check_string(s, MANIFEST_PATH_LEN);
	CHECK(s[0] && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-/") ==
			      strlen(s));
	CHECK(!strstr(s, "//") && !strstr(s, "/./") && !strstr(s, "/../"));
}

static void check_vm(const struct manifest_vm *vm)
{
	size_t n = strlen(vm->name);

	CHECK(n >= 1 && n < MANIFEST_NAME_LEN &&
	      strspn(vm->name, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n);
	CHECK(vm->memory >= (1u << 20) && vm->memory <= MANIFEST_MEMORY_MAX &&
	      vm->memory % (1u << 20) == 0);
	CHECK(vm->vcpus >= 1 && vm->vcpus <= MAX_VCPUS_PER_VM);
	CHECK(vm->nr_cpus <= MAX_CPUS);
	for (unsigned i = 0; i < vm->nr_cpus; i++) {
		CHECK(vm->cpus[i] < MAX_CPUS);
		for (unsigned j = 0; j < i; j++)
			CHECK(vm->cpus[i] != vm->cpus[j]);
	}
	check_path(vm->kernel);
	if (vm->initrd[0])
		check_path(vm->initrd);
	check_string(vm->cmdline, MANIFEST_CMDLINE_LEN);
	CHECK(vm->format <= MANIFEST_FORMAT_FLAT && vm->mode <= MANIFEST_MODE_LONG64);
	CHECK(vm->on_crash <= MANIFEST_ACTION_RESTART && vm->on_poweroff <= MANIFEST_ACTION_RESTART);
	CHECK(vm->network <= MANIFEST_NET_USER);
	CHECK(vm->load < (1ull << 32) && vm->entry < (1ull << 32));
	if (!vm->key_line[MANIFEST_VM_ENTRY])
		CHECK(vm->entry == vm->load);
	if (vm->format != MANIFEST_FORMAT_FLAT)
		CHECK(!vm->key_line[MANIFEST_VM_LOAD] && !vm->key_line[MANIFEST_VM_MODE]);
	CHECK(vm->nr_disks <= MAX_VM_DISKS);
	for (unsigned i = 0; i < vm->nr_disks; i++)
		check_path(vm->disks[i]);
}

static void check_manifest(const struct manifest *m)
{
	CHECK(m->nr_vms <= MAX_VMS);
	CHECK(m->hv.quantum_us >= 100 && m->hv.quantum_us <= 1000000);
	CHECK(m->hv.serial_speed >= 2 && 115200 % m->hv.serial_speed == 0);
	CHECK(m->hv.log_level <= MANIFEST_LOG_DEBUG && m->hv.on_all_stopped <= MANIFEST_POWER_REBOOT);
	for (unsigned i = 0; i < m->nr_vms; i++) {
		check_vm(&m->vms[i]);
		for (unsigned j = 0; j < i; j++)
			CHECK(strcmp(m->vms[i].name, m->vms[j].name));
	}
}

/* --- writing a manifest back out ---------------------------------------------- */

static size_t emit(size_t n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static size_t emit(size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	n += (size_t)vsnprintf(text2 + n, sizeof(text2) - n, fmt, ap);
	va_end(ap);
	CHECK(n < sizeof(text2));
	return n;
}

static size_t emit_string(size_t n, const char *key, const char *s)
{
	n = emit(n, "%s = \"", key);
	for (; *s; s++)
		n = emit(n, *s == '"' || *s == '\\' ? "\\%c" : "%c", *s);
	return emit(n, "\"\n");
}

static size_t emit_vm(size_t n, const struct manifest_vm *vm)
{
	n = emit(n, "[vm.%s]\nmemory = %lluM\nvcpus = %u\n", vm->name,
		(unsigned long long)(vm->memory >> 20), vm->vcpus);
	if (vm->nr_cpus) {
		n = emit(n, "cpus = [");
		for (unsigned i = 0; i < vm->nr_cpus; i++)
			n = emit(n, "%s%u", i ? ", " : "", vm->cpus[i]);
		n = emit(n, "]\n");
	}
	n = emit_string(n, "kernel", vm->kernel);
	if (vm->initrd[0])
		n = emit_string(n, "initrd", vm->initrd);
	n = emit_string(n, "cmdline", vm->cmdline);
	n = emit(n, "format = %s\n", manifest_format_name(vm->format));
	if (vm->format == MANIFEST_FORMAT_FLAT)
		n = emit(n, "load = 0x%llx\nentry = %llu\nmode = %s\n", (unsigned long long)vm->load,
			(unsigned long long)vm->entry, manifest_mode_name(vm->mode));
	n = emit(n, "console = %s\nautostart = %s\ndebug_exit = %s\ndebugcon = %s\ntestdev = %s\n",
		vm->console ? "true" : "false", vm->autostart ? "true" : "false",
		vm->debug_exit ? "true" : "false", vm->debugcon ? "true" : "false",
		vm->testdev ? "true" : "false");
	n = emit(n, "on_crash = %s\non_poweroff = %s\nnetwork = %s\ndisk = [",
		manifest_action_name(vm->on_crash), manifest_action_name(vm->on_poweroff),
		manifest_network_name(vm->network));
	for (unsigned i = 0; i < vm->nr_disks; i++)
		n = emit(n, "%s\"%s\"", i ? ", " : "", vm->disks[i]);
	return emit(n, "]\n");
}

static size_t write_manifest(const struct manifest *m)
{
	size_t n = emit(0, "[hypervisor]\nquantum = %uus\nlog_level = %s\non_all_stopped = %s\n"
			  "serial_speed = %u\n",
		       m->hv.quantum_us, manifest_log_name(m->hv.log_level),
		       manifest_power_name(m->hv.on_all_stopped), m->hv.serial_speed);

	for (unsigned i = 0; i < m->nr_vms; i++)
		n = emit_vm(n, &m->vms[i]);
	return n;
}

static void check_same_vm(const struct manifest_vm *a, const struct manifest_vm *b)
{
	CHECK(!strcmp(a->name, b->name) && a->memory == b->memory && a->vcpus == b->vcpus);
	CHECK(a->nr_cpus == b->nr_cpus && !memcmp(a->cpus, b->cpus, a->nr_cpus));
	CHECK(!strcmp(a->kernel, b->kernel) && !strcmp(a->initrd, b->initrd));
	CHECK(!strcmp(a->cmdline, b->cmdline));
	CHECK(a->format == b->format && a->mode == b->mode);
	CHECK(a->load == b->load && a->entry == b->entry);
	CHECK(a->console == b->console && a->autostart == b->autostart);
	CHECK(a->debug_exit == b->debug_exit && a->debugcon == b->debugcon &&
	      a->testdev == b->testdev);
	CHECK(a->on_crash == b->on_crash && a->on_poweroff == b->on_poweroff);
	CHECK(a->network == b->network && a->nr_disks == b->nr_disks);
	for (unsigned i = 0; i < a->nr_disks; i++)
		CHECK(!strcmp(a->disks[i], b->disks[i]));
}

static void check_round_trip(void)
{
	size_t n = write_manifest(&m1);
	char *copy = malloc(n ? n : 1);

	CHECK(copy);
	memcpy(copy, text2, n);
	memset(&d, 0, sizeof(d));
	CHECK(manifest_parse(FILE_NAME, copy, n, &m2, &d) == 0 && d.count == 0);
	free(copy);
	CHECK(m2.nr_vms == m1.nr_vms);
	CHECK(m1.hv.quantum_us == m2.hv.quantum_us && m1.hv.log_level == m2.hv.log_level);
	CHECK(m1.hv.on_all_stopped == m2.hv.on_all_stopped &&
	      m1.hv.serial_speed == m2.hv.serial_speed);
	for (unsigned i = 0; i < m1.nr_vms; i++)
		check_same_vm(&m1.vms[i], &m2.vms[i]);
}

/* --- validation ------------------------------------------------------------------ */

static void check_layout(const struct manifest_vm *vm)
{
	struct manifest_region r[MANIFEST_MAX_REGIONS];
	unsigned n = manifest_memory_map(vm, r);
	uint64_t backed = 0;

	CHECK(n >= 5 && n <= MANIFEST_MAX_REGIONS);
	for (unsigned i = 0; i < n; i++) {
		CHECK(r[i].size && r[i].what);
		if (i)
			CHECK(r[i].base >= r[i - 1].base + r[i - 1].size);
		if (r[i].type != MANIFEST_REGION_MMIO)
			backed += r[i].size;
	}
	CHECK(backed == vm->memory);
	for (unsigned i = 0; i < vm->vcpus; i++) {
		int cpu = manifest_vcpu_cpu(vm, i);

		CHECK(vm->nr_cpus ? cpu == vm->cpus[i % vm->nr_cpus] : cpu == -1);
	}
}

static void check_validate(const uint8_t *data, size_t size)
{
	uint32_t seed = hash(m1.nr_vms ? m1.vms[0].name : "", (uint32_t)size);
	struct manifest_machine mc = { 1 + seed % 64, (uint64_t)(seed % 4096) << 20, fake_size,
				       &seed };
	int err;

	(void)data;
	memset(&d, 0, sizeof(d));
	if (seed % 5 == 0)
		mc.file_size = NULL;
	err = manifest_validate(&m1, &mc, &d);
	CHECK(err == 0 || err == -EINVAL);
	CHECK((err == 0) == (d.count == 0));
	check_diags(m1.nr_lines ? m1.nr_lines : 1);
	for (unsigned i = 0; i < m1.nr_vms; i++)
		check_layout(&m1.vms[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1);
	unsigned lines = 1;
	int err;

	CHECK(text);
	memcpy(text, data, size);
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	memset(&d, 0, sizeof(d));
	err = manifest_parse(FILE_NAME, text, size, &m1, &d);
	free(text);
	CHECK(err == 0 || err == -EINVAL);
	CHECK((err == 0) == (d.count == 0 && d.dropped == 0));
	check_diags(lines);
	if (err)
		return 0;
	check_manifest(&m1);
	check_validate(data, size);
	check_round_trip();
	return 0;
}
