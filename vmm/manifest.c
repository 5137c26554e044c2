// SPDX-License-Identifier: MIT
/*
 * The manifest parser (contract in manifest.h, format in docs/manifest.md).
 *
 * One pass, one line at a time. Each line is lexed whole first (syntax:
 * strings, lists, stray characters; manifest_lex.c), then applied to the
 * current section (known key, not set before, right type, in range). A
 * line with an error is dropped and parsing goes on with the next one, so
 * that one run reports every broken line. A section is checked as a whole
 * (required keys, keys that need others) when the next one starts and at
 * the end of the text. Nothing here allocates or keeps pointers into the
 * text.
 */
#include "arch/x86_64/lib/errno.h"
#ifdef HOST_TEST
#include <string.h>
#else
#include "arch/x86_64/lib/string.h"
#endif
#include "drivers/fmt.h"
#include "vmm/manifest_lex.h"

#define ADDR_END 0x100000000ull /* load and entry: below 4 GiB */
#define QUANTUM_MIN_US 100u
#define QUANTUM_MAX_US 1000000u
#define UART_DIVISOR_MAX 0xffffu

_Static_assert(MAX_CPUS <= MANIFEST_LIST_MAX && MAX_VM_DISKS <= MANIFEST_LIST_MAX,
	       "a list holds every value");
_Static_assert(MAX_CPUS <= 256, "manifest_vm.cpus[] holds bytes");

static const char *const format_words[] = { "auto", "linux", "multiboot", "flat", NULL };
static const char *const mode_words[] = { "real", "prot32", "long64", NULL };
static const char *const action_words[] = { "stop", "restart", NULL };
static const char *const power_words[] = { "halt", "poweroff", "reboot", NULL };
static const char *const log_words[] = { "err", "warn", "info", "debug", NULL };
static const char *const network_words[] = { "none", "user", NULL };

/* --- [vm.NAME] keys -------------------------------------------------------------- */

static int set_memory(struct manifest_parser *p, const struct manifest_value *v)
{
	struct manifest_echo e;
	uint64_t x;

	if (manifest_get_size(p, v, &x))
		return -EINVAL;
	manifest_echo_item(p, &e, &v->it[0]);
	if (x < (1ull << 20))
		return manifest_kerr(p, "%s is less than 1M", e.s);
	if (x % (1ull << 20))
		return manifest_kerr(p, "%s is not a multiple of 1M", e.s);
	if (x > MANIFEST_MEMORY_MAX)
		return manifest_kerr(p, "%s is more than 1024G", e.s);
	p->vm->memory = x;
	return 0;
}

static int set_vcpus(struct manifest_parser *p, const struct manifest_value *v)
{
	uint64_t x;

	if (manifest_get_uint(p, v, 1, MAX_VCPUS_PER_VM, &x))
		return -EINVAL;
	p->vm->vcpus = (unsigned)x;
	return 0;
}

/* A list of distinct physical CPU numbers (a single number is a list of one). */
static int set_cpus(struct manifest_parser *p, const struct manifest_value *v)
{
	struct manifest_vm *vm = p->vm;

	if (!v->n)
		return manifest_kerr(p, "empty list (leave cpus out to run on any CPU)");
	for (unsigned i = 0; i < v->n; i++) {
		uint64_t x;

		if (manifest_item_uint(p, &v->it[i], 0, MAX_CPUS - 1, &x))
			return -EINVAL;
		for (unsigned j = 0; j < i; j++)
			if (vm->cpus[j] == x)
				return manifest_kerr(p, "CPU %u is listed twice", (unsigned)x);
		vm->cpus[i] = (uint8_t)x;
	}
	vm->nr_cpus = v->n;
	return 0;
}

static int set_kernel(struct manifest_parser *p, const struct manifest_value *v)
{
	return manifest_get_path(p, v, p->vm->kernel);
}

static int set_initrd(struct manifest_parser *p, const struct manifest_value *v)
{
	return manifest_get_path(p, v, p->vm->initrd);
}

static int set_cmdline(struct manifest_parser *p, const struct manifest_value *v)
{
	char *s = p->vm->cmdline;

	if (v->list)
		return manifest_kerr(p, "expected a string in double quotes, got a list");
	if (manifest_item_string(p, &v->it[0], s, MANIFEST_CMDLINE_LEN))
		return -EINVAL;
	for (; *s; s++)
		if ((unsigned char)*s < ' ' && *s != '\t')
			return manifest_kerr(p, "control characters (\\n) are not allowed");
	return 0;
}

static int set_format(struct manifest_parser *p, const struct manifest_value *v)
{
	unsigned i;

	if (manifest_get_enum(p, v, format_words, &i))
		return -EINVAL;
	p->vm->format = (enum manifest_format)i;
	return 0;
}

/* An address below 4 GiB; K, M, G allowed. */
static int get_addr(struct manifest_parser *p, const struct manifest_value *v, uint64_t *out)
{
	struct manifest_echo e;

	if (manifest_get_size(p, v, out))
		return -EINVAL;
	if (*out >= ADDR_END)
		return manifest_kerr(p, "%s is not below 4G", manifest_echo_item(p, &e, &v->it[0]));
	return 0;
}

static int set_load(struct manifest_parser *p, const struct manifest_value *v)
{
	return get_addr(p, v, &p->vm->load);
}

static int set_entry(struct manifest_parser *p, const struct manifest_value *v)
{
	return get_addr(p, v, &p->vm->entry);
}

static int set_mode(struct manifest_parser *p, const struct manifest_value *v)
{
	unsigned i;

	if (manifest_get_enum(p, v, mode_words, &i))
		return -EINVAL;
	p->vm->mode = (enum manifest_mode)i;
	return 0;
}

static int set_action(struct manifest_parser *p, const struct manifest_value *v,
		      enum manifest_action *out)
{
	unsigned i;

	if (manifest_get_enum(p, v, action_words, &i))
		return -EINVAL;
	*out = (enum manifest_action)i;
	return 0;
}

static int set_on_crash(struct manifest_parser *p, const struct manifest_value *v)
{
	return set_action(p, v, &p->vm->on_crash);
}

static int set_on_poweroff(struct manifest_parser *p, const struct manifest_value *v)
{
	return set_action(p, v, &p->vm->on_poweroff);
}

static int set_on_reboot(struct manifest_parser *p, const struct manifest_value *v)
{
	return set_action(p, v, &p->vm->on_reboot);
}

static int set_console(struct manifest_parser *p, const struct manifest_value *v)
{
	return manifest_get_bool(p, v, &p->vm->console);
}

static int set_autostart(struct manifest_parser *p, const struct manifest_value *v)
{
	return manifest_get_bool(p, v, &p->vm->autostart);
}

static int set_debug_exit(struct manifest_parser *p, const struct manifest_value *v)
{
	return manifest_get_bool(p, v, &p->vm->debug_exit);
}

static int set_debugcon(struct manifest_parser *p, const struct manifest_value *v)
{
	return manifest_get_bool(p, v, &p->vm->debugcon);
}

static int set_testdev(struct manifest_parser *p, const struct manifest_value *v)
{
	return manifest_get_bool(p, v, &p->vm->testdev);
}

/* One path or a list of paths. */
static int set_disk(struct manifest_parser *p, const struct manifest_value *v)
{
	struct manifest_vm *vm = p->vm;

	if (v->n > MAX_VM_DISKS)
		return manifest_kerr(p, "more than %u disks", MAX_VM_DISKS);
	for (unsigned i = 0; i < v->n; i++)
		if (manifest_item_path(p, &v->it[i], vm->disks[i]))
			return -EINVAL;
	vm->nr_disks = v->n;
	return 0;
}

static int set_network(struct manifest_parser *p, const struct manifest_value *v)
{
	unsigned i;

	if (manifest_get_enum(p, v, network_words, &i))
		return -EINVAL;
	p->vm->network = (enum manifest_network)i;
	return 0;
}

/* --- [hypervisor] keys ------------------------------------------------------------ */

static int set_quantum(struct manifest_parser *p, const struct manifest_value *v)
{
	struct manifest_echo e;
	uint64_t us;

	if (manifest_get_time(p, v, &us))
		return -EINVAL;
	if (us < QUANTUM_MIN_US || us > QUANTUM_MAX_US)
		return manifest_kerr(p, "%s is out of range (100us..1000ms)",
				     manifest_echo_item(p, &e, &v->it[0]));
	p->m->hv.quantum_us = (uint32_t)us;
	return 0;
}

static int set_log_level(struct manifest_parser *p, const struct manifest_value *v)
{
	unsigned i;

	if (manifest_get_enum(p, v, log_words, &i))
		return -EINVAL;
	p->m->hv.log_level = (enum manifest_log)i;
	return 0;
}

static int set_on_all_stopped(struct manifest_parser *p, const struct manifest_value *v)
{
	unsigned i;

	if (manifest_get_enum(p, v, power_words, &i))
		return -EINVAL;
	p->m->hv.on_all_stopped = (enum manifest_power)i;
	return 0;
}

/* The UART divides 115200 by a 16-bit divisor latch. */
static int set_serial_speed(struct manifest_parser *p, const struct manifest_value *v)
{
	struct manifest_echo e;
	uint64_t x;

	if (manifest_get_uint(p, v, 2, MANIFEST_SERIAL_SPEED, &x))
		return -EINVAL;
	if (MANIFEST_SERIAL_SPEED % x || MANIFEST_SERIAL_SPEED / x > UART_DIVISOR_MAX)
		return manifest_kerr(p, "%s is not 115200 divided by a whole number (such as 9600)",
				     manifest_echo_item(p, &e, &v->it[0]));
	p->m->hv.serial_speed = (uint32_t)x;
	return 0;
}

struct key {
	const char *name; /* first: manifest_closest() reads the table as names */
	int (*set)(struct manifest_parser *p, const struct manifest_value *v);
};

static const struct key vm_keys[MANIFEST_VM_NR_KEYS] = {
	[MANIFEST_VM_MEMORY] = { "memory", set_memory },
	[MANIFEST_VM_VCPUS] = { "vcpus", set_vcpus },
	[MANIFEST_VM_CPUS] = { "cpus", set_cpus },
	[MANIFEST_VM_KERNEL] = { "kernel", set_kernel },
	[MANIFEST_VM_INITRD] = { "initrd", set_initrd },
	[MANIFEST_VM_CMDLINE] = { "cmdline", set_cmdline },
	[MANIFEST_VM_FORMAT] = { "format", set_format },
	[MANIFEST_VM_LOAD] = { "load", set_load },
	[MANIFEST_VM_ENTRY] = { "entry", set_entry },
	[MANIFEST_VM_MODE] = { "mode", set_mode },
	[MANIFEST_VM_CONSOLE] = { "console", set_console },
	[MANIFEST_VM_ON_CRASH] = { "on_crash", set_on_crash },
	[MANIFEST_VM_ON_POWEROFF] = { "on_poweroff", set_on_poweroff },
	[MANIFEST_VM_ON_REBOOT] = { "on_reboot", set_on_reboot },
	[MANIFEST_VM_AUTOSTART] = { "autostart", set_autostart },
	[MANIFEST_VM_DEBUG_EXIT] = { "debug_exit", set_debug_exit },
	[MANIFEST_VM_DEBUGCON] = { "debugcon", set_debugcon },
	[MANIFEST_VM_TESTDEV] = { "testdev", set_testdev },
	[MANIFEST_VM_DISK] = { "disk", set_disk },
	[MANIFEST_VM_NETWORK] = { "network", set_network },
};

static const struct key hv_keys[MANIFEST_HV_NR_KEYS] = {
	[MANIFEST_HV_QUANTUM] = { "quantum", set_quantum },
	[MANIFEST_HV_LOG_LEVEL] = { "log_level", set_log_level },
	[MANIFEST_HV_ON_ALL_STOPPED] = { "on_all_stopped", set_on_all_stopped },
	[MANIFEST_HV_SERIAL_SPEED] = { "serial_speed", set_serial_speed },
};

_Static_assert(MANIFEST_VM_NR_KEYS <= 32 && MANIFEST_HV_NR_KEYS <= 32, "parser.failed is a mask");

static int find_key(const struct key *keys, unsigned n, const char *name, size_t len)
{
	for (unsigned i = 0; i < n; i++)
		if (strlen(keys[i].name) == len && !memcmp(keys[i].name, name, len))
			return (int)i;
	return -1;
}

/* "[hypervisor]" or "[vm.NAME]" for messages. */
static const char *section_name(const struct manifest_parser *p, char *buf, size_t size)
{
	if (p->sec == SEC_HV)
		return "[hypervisor]";
	fmt_snprintf(buf, size, "[vm.%s]", p->vm->name);
	return buf;
}

static void unknown_key(struct manifest_parser *p, const struct key *keys, unsigned n,
			const char *name, size_t len)
{
	const struct key *other = p->sec == SEC_HV ? vm_keys : hv_keys;
	unsigned nr_other = p->sec == SEC_HV ? MANIFEST_VM_NR_KEYS : MANIFEST_HV_NR_KEYS;
	char sec[MANIFEST_NAME_LEN + 8];
	const char *where = section_name(p, sec, sizeof(sec)), *best;
	struct manifest_echo e;

	manifest_echo(&e, name, len);
	if (find_key(other, nr_other, name, len) >= 0) {
		manifest_err(p, "'%s' belongs in %s, not in %s", e.s,
			     p->sec == SEC_HV ? "a [vm.NAME] section" : "[hypervisor]", where);
		return;
	}
	best = manifest_closest(name, len, keys, n, sizeof(*keys));
	if (best)
		manifest_err(p, "unknown key '%s' in %s; did you mean '%s'?", e.s, where, best);
	else
		manifest_err(p, "unknown key '%s' in %s", e.s, where);
}

static void set_key(struct manifest_parser *p, const char *name, size_t len,
		    const struct manifest_value *v)
{
	const struct key *keys = vm_keys;
	unsigned n = MANIFEST_VM_NR_KEYS, *lines;
	struct manifest_echo e;
	int k;

	if (p->sec == SEC_SKIP)
		return; /* the section header was refused: said so already */
	if (p->sec == SEC_NONE) {
		manifest_err(
			p, "'%s' is outside any section (start one with [hypervisor] or [vm.NAME])",
			manifest_echo(&e, name, len));
		return;
	}
	lines = p->sec == SEC_VM ? p->vm->key_line : p->m->hv.key_line;
	if (p->sec == SEC_HV) {
		keys = hv_keys;
		n = MANIFEST_HV_NR_KEYS;
	}
	k = find_key(keys, n, name, len);
	if (k < 0) {
		unknown_key(p, keys, n, name, len);
		return;
	}
	if (lines[k]) {
		manifest_err(p, "duplicate key '%s' (first set at line %u)", keys[k].name,
			     lines[k]);
		return;
	}
	lines[k] = p->line;
	p->key = keys[k].name;
	if (keys[k].set(p, v))
		p->failed |= 1u << k;
}

static bool key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

/* key = value */
static void parse_key_line(struct manifest_parser *p)
{
	size_t start = p->pos, len;
	char where[MANIFEST_ECHO_MAX + 32];
	struct manifest_value v;
	struct manifest_echo e;

	while (p->pos < p->len && key_char(p->s[p->pos]))
		p->pos++;
	len = p->pos - start;
	if (!len) {
		manifest_unexpected(p, "at the start of a line (expected a key or a [section])");
		return;
	}
	manifest_echo(&e, p->s + start, len);
	manifest_skip_blanks(p);
	if (manifest_at_end(p)) {
		manifest_err(p, "missing '=' after '%s'", e.s);
		return;
	}
	if (p->s[p->pos] != '=') {
		fmt_snprintf(where, sizeof(where), "after '%s' (expected '=')", e.s);
		manifest_unexpected(p, where);
		return;
	}
	p->pos++;
	if (!manifest_lex_value(p, &v))
		set_key(p, p->s + start, len, &v);
}

/* --- sections ------------------------------------------------------------------- */

static void vm_defaults(struct manifest_vm *vm)
{
	vm->vcpus = 1;
	vm->format = MANIFEST_FORMAT_AUTO;
	vm->mode = MANIFEST_MODE_REAL;
	vm->load = MANIFEST_FLAT_LOAD;
	vm->console = true;
	vm->autostart = true;
	vm->on_crash = MANIFEST_ACTION_STOP;
	vm->on_poweroff = MANIFEST_ACTION_STOP;
	vm->on_reboot = MANIFEST_ACTION_RESTART;
	vm->network = MANIFEST_NET_NONE;
}

/* The checks that need the whole [vm.NAME] section. */
static void end_vm(struct manifest_parser *p, struct manifest_vm *vm)
{
	static const enum manifest_vm_key flat_only[] = { MANIFEST_VM_LOAD, MANIFEST_VM_ENTRY,
							  MANIFEST_VM_MODE };
	const unsigned *kl = vm->key_line;

	if (!kl[MANIFEST_VM_MEMORY])
		manifest_err_at(p, vm->line, "vm '%s': missing required key 'memory'", vm->name);
	if (!kl[MANIFEST_VM_KERNEL])
		manifest_err_at(p, vm->line, "vm '%s': missing required key 'kernel'", vm->name);
	if (!kl[MANIFEST_VM_ENTRY])
		vm->entry = vm->load;
	if (vm->format == MANIFEST_FORMAT_FLAT || (p->failed & 1u << MANIFEST_VM_FORMAT))
		return;
	for (unsigned i = 0; i < sizeof(flat_only) / sizeof(flat_only[0]); i++) {
		enum manifest_vm_key k = flat_only[i];

		if (kl[k] && !(p->failed & 1u << k))
			manifest_err_at(p, kl[k], "%s: only allowed with format = flat",
					vm_keys[k].name);
	}
}

static void end_section(struct manifest_parser *p)
{
	if (p->sec == SEC_VM)
		end_vm(p, p->vm);
	p->sec = SEC_SKIP;
	p->vm = NULL;
	p->failed = 0;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static void open_vm(struct manifest_parser *p, const char *name, size_t len)
{
	struct manifest *m = p->m;
	struct manifest_vm *vm;
	struct manifest_echo e;

	manifest_echo(&e, name, len);
	if (!len)
		return (void)manifest_err(p, "missing VM name: write [vm.NAME]");
	if (len >= MANIFEST_NAME_LEN)
		return (void)manifest_err(p, "VM name '%s' is longer than %u characters", e.s,
					  MANIFEST_NAME_LEN - 1);
	for (size_t i = 0; i < len; i++)
		if (!name_char(name[i]))
			return (void)manifest_err(
				p, "VM name '%s' may contain only a-z, 0-9, '_' and '-'", e.s);
	for (unsigned i = 0; i < m->nr_vms; i++)
		if (strlen(m->vms[i].name) == len && !memcmp(m->vms[i].name, name, len))
			return (void)manifest_err(p, "duplicate VM name '%s' (first at line %u)",
						  e.s, m->vms[i].line);
	if (m->nr_vms == MAX_VMS)
		return (void)manifest_err(p, "too many VMs (at most %u)", MAX_VMS);
	vm = &m->vms[m->nr_vms++];
	vm_defaults(vm);
	memcpy(vm->name, name, len);
	vm->line = p->line;
	p->sec = SEC_VM;
	p->vm = vm;
}

static void open_section(struct manifest_parser *p, const char *s, size_t len)
{
	static const char *const hv[] = { "hypervisor" };
	struct manifest_echo e;

	if (len == 10 && !memcmp(s, "hypervisor", 10)) {
		if (p->m->hv.line)
			manifest_err(p, "duplicate section [hypervisor] (first at line %u)",
				     p->m->hv.line);
		else
			p->sec = SEC_HV, p->m->hv.line = p->line;
	} else if (len >= 2 && !memcmp(s, "vm", 2) && (len == 2 || s[2] == '.')) {
		open_vm(p, s + (len > 2 ? 3 : 2), len > 2 ? len - 3 : 0);
	} else if (manifest_closest(s, len, hv, 1, sizeof(hv[0]))) {
		manifest_err(p, "unknown section [%s]; did you mean [hypervisor]?",
			     manifest_echo(&e, s, len));
	} else {
		manifest_err(p, "unknown section [%s] (sections are [hypervisor] and [vm.NAME])",
			     manifest_echo(&e, s, len));
	}
}

/* "[" name "]" */
static void parse_section(struct manifest_parser *p)
{
	size_t start, end;

	end_section(p);
	start = ++p->pos;
	while (p->pos < p->len && p->s[p->pos] != ']') {
		char c = p->s[p->pos];

		if (c == '#')
			break;
		if (!(c > ' ' && c < 0x7f) && !manifest_is_blank(c))
			return (void)manifest_unexpected(p, "in a section header");
		p->pos++;
	}
	if (manifest_at_end(p))
		return (void)manifest_err(p, "unterminated section header: missing ']'");
	end = p->pos++;
	manifest_skip_blanks(p);
	if (!manifest_at_end(p))
		return (void)manifest_unexpected(p, "after the section header");
	while (start < end && manifest_is_blank(p->s[start]))
		start++;
	while (end > start && manifest_is_blank(p->s[end - 1]))
		end--;
	open_section(p, p->s + start, end - start);
}

/* One line, without its line end. */
static void parse_line(struct manifest_parser *p, const char *s, size_t len)
{
	if (len && s[len - 1] == '\r')
		len--;
	p->s = s;
	p->len = len;
	p->pos = 0;
	if (len > MANIFEST_MAX_LINE)
		return (void)manifest_err(p, "line longer than %u characters", MANIFEST_MAX_LINE);
	for (size_t i = 0; i < len; i++)
		if (!s[i])
			return (void)manifest_err(p, "NUL byte in the line");
	manifest_skip_blanks(p);
	if (manifest_at_end(p))
		return;
	if (p->s[p->pos] == '[')
		parse_section(p);
	else
		parse_key_line(p);
}

int manifest_parse(const char *file, const char *text, size_t len, struct manifest *m,
		   struct manifest_diag *d)
{
	struct manifest_parser p = { .m = m, .d = d, .sec = SEC_NONE };
	size_t at = 0;

	memset(m, 0, sizeof(*m));
	if (file)
		for (size_t i = 0; file[i] && i + 1 < sizeof(m->file); i++)
			m->file[i] = file[i];
	m->hv.quantum_us = MANIFEST_QUANTUM_US;
	m->hv.log_level = MANIFEST_LOG_INFO;
	m->hv.on_all_stopped = MANIFEST_POWER_HALT;
	m->hv.serial_speed = MANIFEST_SERIAL_SPEED;
	while (at < len) {
		size_t end = at;

		while (end < len && text[end] != '\n')
			end++;
		p.line++;
		parse_line(&p, text + at, end - at);
		at = end + 1;
	}
	end_section(&p);
	m->nr_lines = p.line;
	return p.err;
}

const char *manifest_vm_key_name(enum manifest_vm_key k)
{
	return k < MANIFEST_VM_NR_KEYS ? vm_keys[k].name : "?";
}

const char *manifest_hv_key_name(enum manifest_hv_key k)
{
	return k < MANIFEST_HV_NR_KEYS ? hv_keys[k].name : "?";
}

/* --- names ----------------------------------------------------------------------- */

static const char *word_of(const char *const *words, unsigned i)
{
	return i < manifest_count_words(words) ? words[i] : "?";
}

const char *manifest_format_name(enum manifest_format f)
{
	return word_of(format_words, f);
}

const char *manifest_mode_name(enum manifest_mode mode)
{
	return word_of(mode_words, mode);
}

const char *manifest_action_name(enum manifest_action a)
{
	return word_of(action_words, a);
}

const char *manifest_power_name(enum manifest_power pw)
{
	return word_of(power_words, pw);
}

const char *manifest_log_name(enum manifest_log l)
{
	return word_of(log_words, l);
}

const char *manifest_network_name(enum manifest_network n)
{
	return word_of(network_words, n);
}
