// SPDX-License-Identifier: MIT
/*
 * basalt-check: validate a boot manifest on the host and print the layout
 * Basalt gives it, with the parser and validator the core uses
 * (vmm/manifest*.c). Reference: docs/manifest.md.
 *
 *   build/basalt-check MANIFEST [--root DIR] [--cpus N] [--memory SIZE] [--files]
 *
 * --files prints, instead of the layout, every file the manifest names
 * (one path a line, each once), for the image builders.
 *
 * Files named in the manifest are looked up under DIR (default: the
 * manifest's directory). The machine is assumed to have N CPUs (default
 * 64) and SIZE bytes of memory for VMs (default 64G; K, M, G suffixes).
 * Prints the layout and exits 0, or prints every error as
 * "file:line: message" and exits 1; 2 for bad usage or an unreadable file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "include/basalt/testdev.h"
#include "vmm/manifest.h"

#define MAX_MANIFEST_SIZE (1u << 20)
#define DEFAULT_CPUS      64u
#define DEFAULT_MEMORY    (64ull << 30)
#define SIZE_LEN          32

static void usage(void)
{
	fprintf(stderr, "usage: basalt-check MANIFEST [--root DIR] [--cpus N] [--memory SIZE] "
			"[--files]\n");
	exit(2);
}

/* The manifest's text; NULL with a message when it cannot be read. */
static char *read_manifest(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;

	if (!f) {
		fprintf(stderr, "basalt-check: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	buf = malloc(MAX_MANIFEST_SIZE + 1);
	if (!buf) {
		fclose(f);
		fprintf(stderr, "basalt-check: out of memory\n");
		return NULL;
	}
	*len = fread(buf, 1, MAX_MANIFEST_SIZE + 1, f);
	if (ferror(f) || *len > MAX_MANIFEST_SIZE) {
		fprintf(stderr, "basalt-check: %s: %s\n", path,
			ferror(f) ? "read error" : "larger than 1 MiB");
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* manifest_machine.file_size: path (as written) under the root directory. */
static int host_file_size(void *ctx, const char *path, uint64_t *size)
{
	const char *root = ctx;
	char full[4096];
	struct stat st;
	int fd;

	while (*path == '/')
		path++;
	if (snprintf(full, sizeof(full), "%s/%s", root, path) >= (int)sizeof(full))
		return -ENAMETOOLONG;
	if (stat(full, &st))
		return errno == ENOTDIR ? -ENOENT : -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	fd = open(full, O_RDONLY);
	if (fd < 0)
		return -errno;
	close(fd);
	*size = (uint64_t)st.st_size;
	return 0;
}

static int parse_num(const char *s, unsigned long long *out)
{
	char *end;
	unsigned shift = 0;

	errno = 0;
	*out = strtoull(s, &end, 0);
	if (errno || end == s || *s == '-')
		return -1;
	if (*end == 'K')
		shift = 10;
	else if (*end == 'M')
		shift = 20;
	else if (*end == 'G')
		shift = 30;
	if (shift)
		end++;
	if (*end || *out > (~0ull >> shift))
		return -1;
	*out <<= shift;
	return 0;
}

static const char *dir_of(const char *path)
{
	static char dir[4096];
	const char *slash = strrchr(path, '/');

	if (!slash)
		return ".";
	if (slash == path)
		return "/";
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	return dir;
}

static const char *sz(uint64_t bytes, char *buf)
{
	return manifest_size_name(bytes, buf, SIZE_LEN);
}

static void print_hv(const struct manifest_hv *hv)
{
	printf("hypervisor: quantum %u%s, log_level %s, on_all_stopped %s, serial_speed %u\n",
	       hv->quantum_us % 1000 ? hv->quantum_us : hv->quantum_us / 1000,
	       hv->quantum_us % 1000 ? "us" : "ms", manifest_log_name(hv->log_level),
	       manifest_power_name(hv->on_all_stopped), hv->serial_speed);
}

static void print_file(const char *what, const char *path, const struct manifest_machine *mc)
{
	uint64_t size = 0;

	mc->file_size(mc->ctx, path, &size);
	printf("  %-9s %s (%llu bytes)\n", what, path, (unsigned long long)size);
}

static void print_image(const struct manifest_vm *vm, const struct manifest_machine *mc)
{
	print_file("kernel", vm->kernel, mc);
	if (vm->initrd[0])
		print_file("initrd", vm->initrd, mc);
	printf("  format    %s", manifest_format_name(vm->format));
	if (vm->format == MANIFEST_FORMAT_FLAT)
		printf(", mode %s, load 0x%llx, entry 0x%llx", manifest_mode_name(vm->mode),
		       (unsigned long long)vm->load, (unsigned long long)vm->entry);
	printf("\n");
	if (vm->cmdline[0]) {
		printf("  cmdline   \"");
		for (const char *c = vm->cmdline; *c; c++)
			printf(*c == '"' || *c == '\\' ? "\\%c" : "%c", *c);
		printf("\"\n");
	}
	for (unsigned i = 0; i < vm->nr_disks; i++)
		print_file("disk", vm->disks[i], mc);
}

static void print_vcpus(const struct manifest_vm *vm)
{
	printf("  vcpus     %u:", vm->vcpus);
	for (unsigned i = 0; i < vm->vcpus; i++) {
		int cpu = manifest_vcpu_cpu(vm, i);

		if (cpu < 0)
			printf(" vcpu%u->any", i);
		else
			printf(" vcpu%u->cpu%d", i, cpu);
	}
	printf("\n");
}

static void print_devices(const struct manifest_vm *vm)
{
	printf("  devices  ");
	if (vm->console)
		printf(" console");
	if (vm->debugcon)
		printf(" debugcon(port 0x%x)", DEBUGCON_PORT);
	if (vm->debug_exit)
		printf(" debug_exit(port 0x%x)", DEBUG_EXIT_PORT);
	if (vm->testdev)
		printf(" testdev(ports 0x%x-0x%x, MMIO 0x%x-0x%x)", TESTDEV_PIO, TESTDEV_PIO_NULL,
		       TESTDEV_MMIO_BASE, TESTDEV_MMIO_BASE + TESTDEV_MMIO_LEN - 1);
	if (!vm->console && !vm->debugcon && !vm->debug_exit && !vm->testdev)
		printf(" none");
	printf("\n  network   %s\n", manifest_network_name(vm->network));
}

static void print_map(const struct manifest_vm *vm)
{
	static const char *const types[] = { "RAM", "reserved", "MMIO" };
	struct manifest_region r[MANIFEST_MAX_REGIONS];
	unsigned n = manifest_memory_map(vm, r);
	char s[SIZE_LEN];

	printf("  guest-physical memory map:\n");
	for (unsigned i = 0; i < n; i++)
		printf("    0x%010llx-0x%010llx  %-8s  %-9s  %s\n", (unsigned long long)r[i].base,
		       (unsigned long long)(r[i].base + r[i].size - 1), types[r[i].type],
		       sz(r[i].size, s), r[i].what);
}

static void print_vm(const struct manifest_vm *vm, const struct manifest_machine *mc)
{
	char s1[SIZE_LEN], s2[SIZE_LEN];

	printf("\nvm %s (line %u): %s of RAM, %s of host memory with overhead\n", vm->name,
	       vm->line, sz(vm->memory, s1), sz(manifest_vm_footprint(vm), s2));
	print_image(vm, mc);
	print_vcpus(vm);
	printf("  start     %s; on_crash %s, on_poweroff %s, on_reboot %s\n",
	       vm->autostart ? "at boot" : "from the monitor", manifest_action_name(vm->on_crash),
	       manifest_action_name(vm->on_poweroff), manifest_action_name(vm->on_reboot));
	print_devices(vm);
	print_map(vm);
}

static void print_layout(const struct manifest *m, const struct manifest_machine *mc,
			 const char *root)
{
	char s1[SIZE_LEN], s2[SIZE_LEN], s3[SIZE_LEN];
	uint64_t ram = 0, host = 0;

	for (unsigned i = 0; i < m->nr_vms; i++) {
		ram += m->vms[i].memory;
		host += manifest_vm_footprint(&m->vms[i]);
	}
	printf("%s: valid: %u VM%s, %s of guest RAM, %s with overhead (machine: %u CPUs, %s; "
	       "files under %s)\n",
	       m->file, m->nr_vms, m->nr_vms == 1 ? "" : "s", sz(ram, s1), sz(host, s2),
	       mc->nr_cpus, sz(mc->usable_memory, s3), root);
	print_hv(&m->hv);
	for (unsigned i = 0; i < m->nr_vms; i++)
		print_vm(&m->vms[i], mc);
}

static void print_once(const char *seen[], unsigned *n, const char *path)
{
	if (!path[0])
		return;
	for (unsigned i = 0; i < *n; i++)
		if (!strcmp(seen[i], path))
			return;
	seen[(*n)++] = path;
	printf("%s\n", path);
}

/* Every file the manifest names, each once, in the order written. */
static void print_files(const struct manifest *m)
{
	static const char *seen[MAX_VMS * (2 + MAX_VM_DISKS)];
	unsigned n = 0;

	for (unsigned i = 0; i < m->nr_vms; i++) {
		const struct manifest_vm *vm = &m->vms[i];

		print_once(seen, &n, vm->kernel);
		print_once(seen, &n, vm->initrd);
		for (unsigned k = 0; k < vm->nr_disks; k++)
			print_once(seen, &n, vm->disks[k]);
	}
}

int main(int argc, char **argv)
{
	bool files = false;
	struct manifest_machine mc = { DEFAULT_CPUS, DEFAULT_MEMORY, host_file_size, NULL };
	static struct manifest m;
	static struct manifest_diag d;
	const char *file = NULL, *root = NULL;
	unsigned long long n;
	size_t len;
	char *text;
	int err;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--root") && i + 1 < argc) {
			root = argv[++i];
		} else if (!strcmp(argv[i], "--cpus") && i + 1 < argc) {
			if (parse_num(argv[++i], &n) || !n || n > MAX_CPUS)
				usage();
			mc.nr_cpus = (unsigned)n;
		} else if (!strcmp(argv[i], "--memory") && i + 1 < argc) {
			if (parse_num(argv[++i], &n))
				usage();
			mc.usable_memory = n;
		} else if (!strcmp(argv[i], "--files")) {
			files = true;
		} else if (argv[i][0] == '-' || file) {
			usage();
		} else {
			file = argv[i];
		}
	}
	if (!file)
		usage();
	mc.ctx = (void *)(root ? root : dir_of(file));
	text = read_manifest(file, &len);
	if (!text)
		return 2;
	err = manifest_parse(file, text, len, &m, &d);
	if (!err)
		err = manifest_validate(&m, &mc, &d);
	free(text);
	if (err) {
		bool missing = false;

		for (unsigned i = 0; i < d.count; i++) {
			fprintf(stderr, "%s\n", d.msg[i]);
			missing |= strstr(d.msg[i], "' not found") != NULL;
		}
		if (d.dropped)
			fprintf(stderr, "%s: %u more errors not shown\n", file, d.dropped);
		if (missing)
			fprintf(stderr, "basalt-check: files are looked up under %s (--root DIR)\n",
				(const char *)mc.ctx);
		return 1;
	}
	if (files)
		print_files(&m);
	else
		print_layout(&m, &mc, mc.ctx);
	return 0;
}
