// SPDX-License-Identifier: MIT
/*
 * Until the boot manifest is wired in, every boot module is a guest, and
 * all of them run at once on the scheduler. The module string gives the
 * options:
 *
 *   PATH [name=NAME] [mem=SIZE] [format=flat|multiboot|linux|pvh]
 *        [initrd=NAME] [mode=real|prot32|long64] [load=ADDR] [entry=ADDR]
 *        [cpus=I,J,...] [on_crash=stop|restart] [on_poweroff=stop|restart]
 *        [on_reboot=restart|stop]
 *        [cmdline words...]
 *
 * format defaults to multiboot for an ELF (pvh for one with only the Xen
 * PVH note), linux for a bzImage, else flat (mode real, load and entry
 * 0x8000). initrd=NAME names another module (its file name, with or
 * without the extension) that is the guest's initrd rather than a guest
 * of its own. A guest that fails to load is
 * reported and skipped; the others run. The kernel command line sets
 * sched.quantum=MICROSECONDS (default 10000).
 */
#define pr_fmt "vmm"
#include "arch/x86_64/lib/cmdline.h"
#include "arch/x86_64/lib/errno.h"
#include "arch/x86_64/lib/string.h"
#include "arch/x86_64/machine.h"
#include "arch/x86_64/cpu_sched.h"
#include "arch/x86_64/pmm.h"
#include "arch/x86_64/tsc.h"
#include "drivers/console.h"
#include "drivers/uart16550.h"
#include "drivers/fmt.h"
#include "vmm/exit.h"
#include "vmm/fwtables.h"
#include "vmm/loader.h"
#include "vmm/guest.h"
#include "vmm/manifest.h"
#include "vmm/monitor.h"
#include "vmm/sched.h"
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

/* Does module m answer to name: its file name, with or without the extension? */
static bool module_named(const struct boot_module *m, const char *name)
{
	const char *file = m->name, *p;
	char base[BOOT_MODNAME_LEN];
	size_t n;

	for (p = m->name; *p && *p != ' '; p++)
		if (*p == '/')
			file = p + 1;
	n = (size_t)(p - file);
	if (n == strlen(name) && !strncmp(file, name, n))
		return true;
	return !strcmp(basename_of(m->name, base, sizeof(base)), name);
}

/* The module another module's initrd=NAME names (module-string guests). */
static const struct boot_module *module_by_name(const char *name)
{
	const struct boot_info *bi = boot_info_get();

	for (unsigned i = 0; i < bi->nr_modules; i++)
		if (module_named(&bi->modules[i], name))
			return &bi->modules[i];
	return NULL;
}

/* Is m some module's initrd=, and so not a guest? */
static bool module_is_initrd(const struct boot_module *m)
{
	const struct boot_info *bi = boot_info_get();
	char v[BOOT_MODNAME_LEN];

	for (unsigned i = 0; i < bi->nr_modules; i++)
		if (&bi->modules[i] != m && cmdline_get(bi->modules[i].name, "initrd", v, sizeof(v)) &&
		    module_named(m, v))
			return true;
	return false;
}

static int parse_format(const char *v, struct guest_image *img)
{
	if (!strcmp(v, "flat"))
		img->format = GUEST_FLAT;
	else if (!strcmp(v, "multiboot"))
		img->format = GUEST_MULTIBOOT;
	else if (!strcmp(v, "linux"))
		img->format = loader_detect_linux(img->data, img->size);
	else if (!strcmp(v, "pvh"))
		img->format = GUEST_PVH;
	else
		return -1;
	return 0;
}

static int parse_options(const char *args, struct guest_image *img, uint64_t *mem)
{
	char v[BOOT_MODNAME_LEN];
	unsigned long long n;

	img->format = loader_detect(img->data, img->size);
	img->mode = VCPU_START_REAL;
	img->load = img->entry = FLAT_DEFAULT_ADDR;
	if (cmdline_get(args, "mem", v, sizeof(v)) && !parse_size(v, mem))
		return -1;
	if (cmdline_get(args, "format", v, sizeof(v)) && parse_format(v, img))
		return -1;
	if (cmdline_get(args, "initrd", v, sizeof(v))) {
		const struct boot_module *m = module_by_name(v);

		if (!m) {
			pr_err("initrd %s not found among the boot modules\n", v);
			return -1;
		}
		img->initrd = (const uint8_t *)(uintptr_t)m->base;
		img->initrd_size = m->len;
		img->initrd_name = m->name;
	}
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

#define MAX_GUESTS BOOT_MAX_MODULES
#define DEFAULT_QUANTUM_US 10000
#define RESTART_LIMIT 3 /* restarts in a row before a crashing guest stays down */

/* A guest as configured: kept across restarts of its VM. */
struct guest {
	const struct boot_module *module;
	char name[VM_NAME_LEN];
	struct guest_image img;
	uint64_t mem;
	unsigned nr_pins;          /* 0: any CPU */
	uint8_t pins[MAX_CPUS];    /* vCPU i runs on pins[i % nr_pins] */
	unsigned vcpus;
	bool restart_on_crash, restart_on_poweroff, stop_on_reboot;
	unsigned reboots;
	bool debugcon, debug_exit, testdev, console;
	bool force_restart; /* the operator asked for a restart */
	unsigned restarts;
	struct vm *vm; /* NULL: not running */
};

static struct guest guests[MAX_GUESTS > MAX_VMS ? MAX_GUESTS : MAX_VMS];
static unsigned nr_guests;
static uint64_t vmm_epoch;

uint64_t vmm_epoch_tsc(void)
{
	return vmm_epoch;
}

static void report_exits(const struct vm *vm)
{
	char line[400];
	size_t n = 0;

	if (vm->first_entry_tsc)
		console_log(LOG_INFO, vm->name, "first guest instruction at TSC %lu, %lu ticks after "
			    "Basalt's entry\n", (unsigned long)vm->first_entry_tsc,
			    (unsigned long)(vm->first_entry_tsc - tsc_at_boot()));

	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		const struct vcpu *v = vm->vcpus[i];

		n = 0;
		for (unsigned r = 0; r < NR_EXIT_REASONS && n < sizeof(line) - 40; r++)
			if (v->exits[r])
				n += (size_t)fmt_snprintf(line + n, sizeof(line) - n, " %s=%lu",
							  exit_reason_name(r),
							  (unsigned long)v->exits[r]);
		console_log(LOG_INFO, vm->name, "vCPU %u on cpu%u ran %lu ticks; exits:%s\n", i,
			    v->pcpu, (unsigned long)v->run_ticks, n ? line : " none");
	}
}

static bool parse_cpus(const char *s, struct guest *g)
{
	char num[8];
	unsigned long long n;

	g->nr_pins = 0;
	while (*s) {
		size_t k = 0;

		while (s[k] && s[k] != ',' && k + 1 < sizeof(num)) {
			num[k] = s[k];
			k++;
		}
		num[k] = '\0';
		if (!cmdline_parse_u64(num, &n) || n >= MAX_CPUS || g->nr_pins == MAX_CPUS)
			return false;
		g->pins[g->nr_pins++] = (uint8_t)n;
		s += k;
		if (*s == ',')
			s++;
	}
	return g->nr_pins != 0;
}

static int parse_policy(const char *args, struct guest *g)
{
	unsigned long long n;
	char v[32];

	if (cmdline_get(args, "vcpus", v, sizeof(v))) {
		if (!cmdline_parse_u64(v, &n) || !n || n > VM_MAX_VCPUS)
			return -1;
		g->vcpus = (unsigned)n;
	}
	if (cmdline_get(args, "cpus", v, sizeof(v)) && !parse_cpus(v, g))
		return -1;
	if (cmdline_get(args, "on_crash", v, sizeof(v)))
		g->restart_on_crash = !strcmp(v, "restart");
	if (cmdline_get(args, "on_poweroff", v, sizeof(v)))
		g->restart_on_poweroff = !strcmp(v, "restart");
	if (cmdline_get(args, "on_reboot", v, sizeof(v)))
		g->stop_on_reboot = !strcmp(v, "stop");
	return 0;
}

/*
 * vCPU 0 starts as the loader says. A flat image's other vCPUs start at
 * the same entry with their index in RDI (a Basalt convention for test
 * kernels); other guests' APs wait for an INIT-SIPI from their boot CPU,
 * as on a PC.
 */
static int add_vcpus(struct vm *vm, const struct guest *g, struct vcpu_start *start)
{
	static const struct vcpu_start ap = { .mode = VCPU_START_REAL };

	for (unsigned i = 0; i < g->vcpus; i++) {
		bool parked = i && g->img.format != GUEST_FLAT;
		int err;

		start->gpr[GPR_RDI] = i;
		err = vm_add_vcpu(vm, parked ? &ap : start);
		if (err)
			return err;
		if (parked) {
			vm->vcpus[i]->wait_sipi = true;
			vm->vcpus[i]->irq_check = true;
		}
	}
	return 0;
}

/*
 * Every VM is a small PC: these devices exist in each, passive until the
 * guest programs them (names as registered in vmm/dev/devices.c).
 */
static const char *const platform_devices[] = {
	"pic",
	"ioapic",
	"lapic",
	"acpi-pm",
	"uart",
	"pit",
	"rtc",
	"sysport",
};

static int platform_create(struct vm *vm)
{
	for (unsigned i = 0; i < sizeof(platform_devices) / sizeof(platform_devices[0]); i++) {
		int err = platform_devices[i] ? vdev_create(vm, platform_devices[i]) : 0;

		if (err) {
			pr_err("%s: device %s: error %d\n", vm->name, platform_devices[i], err);
			return err;
		}
	}
	return 0;
}

/* Create, load and queue the guest's VM. */
static int guest_start(struct guest *g)
{
	uint64_t masks[VM_MAX_VCPUS];
	struct vcpu_start start;
	struct vm *vm = vm_create(g->name, g->mem);

	if (!vm)
		return -1;
	vm->console = g->console;
	/*
	 * Devices come last: some bind timers to vCPU 0. The firmware tables
	 * describe the vCPUs; fwtables_build() refuses a guest image that put
	 * anything at 0xf0000-0xfffff.
	 */
	if (loader_load(vm, &g->img, &start) || add_vcpus(vm, g, &start) || platform_create(vm) ||
	    (g->debugcon && vdev_create(vm, "debugcon")) ||
	    (g->debug_exit && vdev_create(vm, "isa-debug-exit")) ||
	    (g->testdev && vdev_create(vm, "testdev")) || fwtables_build(vm)) {
		pr_err("%s: not started\n", g->name);
		vm_destroy(vm);
		return -1;
	}
	g->vm = vm;
	pr_info("%s: starting (%lu MiB, %s%s)\n", g->name, (unsigned long)(g->mem >> 20),
		loader_format_name(g->img.format), g->img.initrd ? ", initrd" : "");
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		masks[i] = g->nr_pins ? 1ull << g->pins[i % g->nr_pins] : 0;
	if (vm_start(vm, masks)) {
		pr_err("%s: no CPU to run it on\n", g->name);
		return -1;
	}
	return 0;
}

static void guest_config(const struct boot_module *m)
{
	struct guest *g = &guests[nr_guests];
	char v[VM_NAME_LEN];

	if (module_is_initrd(m))
		return;
	/* Module-option guests are test guests: every test device on. */
	*g = (struct guest){ .module = m, .mem = DEFAULT_MEM, .vcpus = 1, .debugcon = true,
			     .debug_exit = true, .testdev = true, .console = true };
	g->img.data = (const uint8_t *)(uintptr_t)m->base;
	g->img.size = m->len;
	basename_of(m->name, g->name, sizeof(g->name));
	if (cmdline_get(m->name, "name", v, sizeof(v)))
		strlcpy(g->name, v, sizeof(g->name));
	if (parse_options(m->name, &g->img, &g->mem) || parse_policy(m->name, g)) {
		pr_err("%s: bad options in '%s'\n", g->name, m->name);
		return;
	}
	nr_guests++;
}

/*
 * Boot CPU housekeeping, whenever it is about to idle: tear down VMs whose
 * vCPUs have all left the run queues, restart them if their policy says
 * so. True once no VM is left.
 */
static bool reap(void)
{
	bool any = false;

	monitor_poll();
	for (unsigned i = 0; i < nr_guests; i++) {
		struct guest *g = &guests[i];
		struct vm *vm = g->vm;
		bool restart, reboot;

		if (!vm)
			continue;
		if (vm->state != VM_STOPPED || __atomic_load_n(&vm->vcpus_queued, __ATOMIC_SEQ_CST)) {
			any = true;
			continue;
		}
		report_exits(vm);
		reboot = vm->stop_kind == VM_STOP_REBOOT && !g->stop_on_reboot;
		restart = (vm->stop_kind == VM_STOP_CRASH && g->restart_on_crash) ||
			  (vm->stop_kind == VM_STOP_POWEROFF && g->restart_on_poweroff);
		vm_destroy(vm);
		g->vm = NULL;
		if (g->force_restart) {
			g->force_restart = false;
			pr_info("%s: restarting (operator)\n", g->name);
			any |= guest_start(g) == 0;
		} else if (reboot) {
			pr_info("%s: rebooting (%u)\n", g->name, ++g->reboots);
			any |= guest_start(g) == 0;
		} else if (restart && g->restarts++ < RESTART_LIMIT) {
			pr_info("%s: restarting (%u of %d)\n", g->name, g->restarts, RESTART_LIMIT);
			any |= guest_start(g) == 0;
		} else if (restart) {
			pr_err("%s: restarted %d times; leaving it stopped\n", g->name, RESTART_LIMIT);
		}
	}
	return !any;
}

/* --- the guests as the monitor sees them (guest.h) ------------------------- */

unsigned guest_count(void)
{
	return nr_guests;
}

const char *guest_name(unsigned i)
{
	return guests[i].name;
}

struct vm *guest_vm(unsigned i)
{
	return i < nr_guests ? guests[i].vm : NULL;
}

int guest_find(const char *name)
{
	for (unsigned i = 0; i < nr_guests; i++)
		if (!strcmp(guests[i].name, name))
			return (int)i;
	return -1;
}

void guest_restart(unsigned i)
{
	struct guest *g = &guests[i];

	if (!g->vm) {
		pr_info("%s: starting (operator)\n", g->name);
		guest_start(g);
		return;
	}
	g->force_restart = true;
	vm_stop(g->vm, VM_STOP_ADMIN, "restart asked by the operator");
}

/* --- the boot manifest ---------------------------------------------------- */

static struct manifest manifest;
static struct manifest_diag diag;

/* A module's path: the first word of its string, without a leading '/'. */
static bool module_is(const struct boot_module *m, const char *path)
{
	const char *a = m->name, *b = path;

	while (*a == '/')
		a++;
	while (*b == '/')
		b++;
	while (*a && *a != ' ' && *a == *b)
		a++, b++;
	return (!*a || *a == ' ') && !*b;
}

static const struct boot_module *find_module(const char *path)
{
	const struct boot_info *bi = boot_info_get();

	for (unsigned i = 0; i < bi->nr_modules; i++)
		if (module_is(&bi->modules[i], path))
			return &bi->modules[i];
	return NULL;
}

static int module_size(void *ctx, const char *path, uint64_t *size)
{
	const struct boot_module *m = find_module(path);

	(void)ctx;
	if (!m)
		return -ENOENT;
	*size = m->len;
	return 0;
}

/* The manifest module: the first whose path ends in ".manifest". */
static const struct boot_module *manifest_module(void)
{
	const struct boot_info *bi = boot_info_get();

	for (unsigned i = 0; i < bi->nr_modules; i++) {
		const char *s = bi->modules[i].name, *end = s;

		while (*end && *end != ' ')
			end++;
		if (end - s >= 9 && !strncmp(end - 9, ".manifest", 9))
			return &bi->modules[i];
	}
	return NULL;
}

static void guest_from_manifest(const struct manifest_vm *mv)
{
	struct guest *g = &guests[nr_guests++];

	*g = (struct guest){ .module = find_module(mv->kernel), .mem = mv->memory,
			     .vcpus = mv->vcpus,
			     .debugcon = mv->debugcon, .debug_exit = mv->debug_exit,
			     .testdev = mv->testdev, .console = mv->console };
	strlcpy(g->name, mv->name, sizeof(g->name));
	g->img.data = (const uint8_t *)(uintptr_t)g->module->base;
	g->img.size = g->module->len;
	g->img.cmdline = mv->cmdline;
	g->img.format = mv->format == MANIFEST_FORMAT_FLAT	  ? GUEST_FLAT
			: mv->format == MANIFEST_FORMAT_MULTIBOOT ? GUEST_MULTIBOOT
			: mv->format == MANIFEST_FORMAT_LINUX
				? loader_detect_linux(g->img.data, g->img.size)
				: loader_detect(g->img.data, g->img.size);
	if (mv->initrd[0]) {
		const struct boot_module *m = find_module(mv->initrd);

		/* Missing: the loader says "initrd X not found" and the VM stays down. */
		g->img.initrd_name = mv->initrd;
		if (m) {
			g->img.initrd = (const uint8_t *)(uintptr_t)m->base;
			g->img.initrd_size = m->len;
		}
	}
	g->img.mode = mv->mode == MANIFEST_MODE_LONG64	  ? VCPU_START_LONG64
		      : mv->mode == MANIFEST_MODE_PROT32 ? VCPU_START_PROT32
							 : VCPU_START_REAL;
	g->img.load = mv->load;
	g->img.entry = mv->entry;
	for (unsigned i = 0; i < mv->nr_cpus; i++)
		g->pins[i] = mv->cpus[i];
	g->nr_pins = mv->nr_cpus;
	g->restart_on_crash = mv->on_crash == MANIFEST_ACTION_RESTART;
	g->restart_on_poweroff = mv->on_poweroff == MANIFEST_ACTION_RESTART;
	g->stop_on_reboot = mv->on_reboot == MANIFEST_ACTION_STOP;
	if (!mv->autostart)
		pr_info("%s: autostart = false: not started\n", mv->name);
}

/*
 * Read, check and apply the manifest. Any error: every message printed,
 * nothing started (returns -1). Else the guests are configured.
 */
static int load_manifest(const struct boot_module *mod, enum vmm_done *done)
{
	struct manifest_machine mc = { cpu_count(), pmm_free_pages() * PAGE_SIZE, module_size,
				       NULL };
	const char *file = mod->name;
	int err;

	while (*file == '/')
		file++;
	memset(&diag, 0, sizeof(diag));
	err = manifest_parse(file, (const char *)(uintptr_t)mod->base, mod->len, &manifest, &diag);
	if (!err)
		err = manifest_validate(&manifest, &mc, &diag);
	if (err) {
		for (unsigned i = 0; i < diag.count; i++)
			console_printf("%s\n", diag.msg[i]);
		if (diag.dropped)
			console_printf("(%u more errors)\n", diag.dropped);
		pr_err("the manifest has errors: no VM started\n");
		return -1;
	}
	console_set_level((int)manifest.hv.log_level);
	if (manifest.hv.key_line[MANIFEST_HV_SERIAL_SPEED])
		uart_early_init(UART_COM1, manifest.hv.serial_speed);
	sched_set_quantum((uint64_t)manifest.hv.quantum_us * tsc_khz() / 1000);
	*done = manifest.hv.on_all_stopped == MANIFEST_POWER_POWEROFF ? VMM_DONE_POWEROFF
		: manifest.hv.on_all_stopped == MANIFEST_POWER_REBOOT ? VMM_DONE_REBOOT
								      : VMM_DONE_HALT;
	for (unsigned i = 0; i < manifest.nr_vms; i++)
		guest_from_manifest(&manifest.vms[i]);
	pr_info("manifest %s: %u VMs\n", file, manifest.nr_vms);
	return 0;
}

enum vmm_done vmm_main(void)
{
	const struct boot_info *bi = boot_info_get();
	const struct boot_module *mod = manifest_module();
	unsigned long long us = DEFAULT_QUANTUM_US;
	uint64_t free_before = pmm_free_pages(), switches, avg;
	enum vmm_done done = VMM_DONE_DEFAULT;
	char v[24];

	vmm_epoch = tsc_read();
	if (cmdline_get(bi->cmdline, "sched.quantum", v, sizeof(v)) &&
	    (!cmdline_parse_u64(v, &us) || !us))
		pr_warn("sched.quantum=%s is not a number of microseconds\n", v);
	sched_set_quantum(us * tsc_khz() / 1000);
	if (mod) {
		if (load_manifest(mod, &done))
			return done;
	} else {
		for (unsigned i = 0; i < bi->nr_modules; i++)
			guest_config(&bi->modules[i]);
	}
	if (!nr_guests) {
		pr_info("no guests configured\n");
		return done;
	}
	pr_info("%u guests, quantum %llu us, %u CPUs\n", nr_guests,
		(unsigned long long)(sched_quantum() * 1000 / tsc_khz()), cpu_count());
	for (unsigned i = 0; i < nr_guests; i++)
		if (!mod || manifest.vms[i].autostart)
			guest_start(&guests[i]);
	sched_loop(reap);
	for (unsigned c = 0; c < cpu_count(); c++) {
		sched_stats(c, &switches, &avg);
		if (switches)
			pr_info("cpu%u: %lu vCPU switches, %lu ticks each\n", c,
				(unsigned long)switches, (unsigned long)avg);
	}
	if (pmm_free_pages() != free_before)
		pr_err("%ld pages not returned after all guests stopped\n",
		       (long)(free_before - pmm_free_pages()));
	pr_info("all guests have stopped\n");
	return done;
}

void vmm_ap_main(void)
{
	sched_loop(NULL);
	for (;;)
		;
}
