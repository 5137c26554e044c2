// SPDX-License-Identifier: MIT
/*
 * vmm/manifest*.c: the boot manifest parser and validator. Bad manifests
 * are checked against their exact messages ("file:line: text", one each
 * unless said otherwise); good ones against every parsed value and default.
 * The example manifests in docs/examples/ must parse and validate.
 */
#include <stdlib.h>

#include "drivers/fmt.c"
#include "vmm/manifest_lex.c"
#include "vmm/manifest.c"
#include "vmm/manifest_validate.c"
#include "tests/unit/unit.h"

static struct manifest m;
static struct manifest_diag d;

/* A valid VM on lines 1-3: bad lines under test go on line 4. */
#define VM "[vm.a]\nmemory = 16M\nkernel = \"k\"\n"
#define F  "t.manifest:"

static int parse(const char *text)
{
	memset(&d, 0, sizeof(d));
	return manifest_parse("t.manifest", text, strlen(text), &m, &d);
}

static void show(void)
{
	for (unsigned i = 0; i < d.count; i++)
		printf("    got: %s\n", d.msg[i]);
}

/* Parsing text gives exactly the one message msg. */
static void bad(const char *file, int line, const char *text, const char *msg)
{
	int err = parse(text);

	if (err != -EINVAL || d.count != 1 || strcmp(d.msg[0], msg)) {
		printf("  %s:%d: want: %s\n", file, line, msg);
		show();
		unit_fail(file, line, "want \"%s\" (err %d, %u messages)", msg, err, d.count);
	}
}
#define BAD(text, msg) bad(__FILE__, __LINE__, text, msg)

static void good(const char *file, int line, const char *text)
{
	if (parse(text) || d.count) {
		show();
		unit_fail(file, line, "manifest refused");
	}
}
#define GOOD(text) good(__FILE__, __LINE__, text)

/* --- syntax -------------------------------------------------------------------- */

TEST(manifest_bad_lines)
{
	char longline[sizeof(VM) + MANIFEST_MAX_LINE + 16];

	BAD(VM "memory: 16M\n", F "4: unexpected ':' after 'memory' (expected '=')");
	BAD(VM "vcpus\n", F "4: missing '=' after 'vcpus'");
	BAD(VM "vcpus =\n", F "4: missing value after '='");
	BAD(VM "vcpus = # none\n", F "4: missing value after '='");
	BAD(VM "= 5\n", F "4: unexpected '=' at the start of a line (expected a key or a [section])");
	BAD(VM "vcpus = 2 3\n", F "4: unexpected '3' after the value");
	BAD(VM "memory = 64 M\n", F "4: unexpected 'M' after the value");
	BAD(VM "vcpus = ,\n", F "4: unexpected ',' where a value should be");
	memset(longline, ' ', sizeof(longline));
	memcpy(longline, VM "#", sizeof(VM));
	longline[sizeof(VM) + MANIFEST_MAX_LINE] = '\0';
	BAD(longline, F "4: line longer than 1024 characters");
	longline[sizeof(VM) + MANIFEST_MAX_LINE - 1] = '\0'; /* exactly 1024: fine */
	GOOD(longline);
}

TEST(manifest_bad_bytes)
{
	static const char nul[] = VM "vcpus = 2\0\n";

	if (manifest_parse("t.manifest", nul, sizeof(nul) - 1, &m, &d) != -EINVAL || d.count != 1 ||
	    strcmp(d.msg[0], F "4: NUL byte in the line"))
		unit_fail(__FILE__, __LINE__, "NUL byte");
	memset(&d, 0, sizeof(d));
	BAD(VM "vcpus = 2\xc3\xa9\n", F "4: non-ASCII byte 0xc3 outside a string");
	BAD(VM "v\xc3\xa9 = 1\n", F "4: non-ASCII byte 0xc3 outside a string");
	BAD(VM "vcpus = \x07\n", F "4: control character 0x07 outside a string");
	BAD(VM "cmdline = \"a\x01\"\n", F "4: control character 0x01 in a string");
	BAD(VM "[vm.\xc3\xa9]\n", F "4: non-ASCII byte 0xc3 outside a string");
	/* allowed: non-ASCII in comments and strings, tabs, CRLF, no final newline */
	GOOD("# caf\xc3\xa9\r\n" VM "cmdline = \"caf\xc3\xa9\tx\"\t# \xe2\x9c\x93\r\nvcpus\t=\t2");
	CHECK_STR(m.vms[0].cmdline, "caf\xc3\xa9\tx");
	CHECK_EQ_U(m.vms[0].vcpus, 2);
	CHECK_EQ_U(m.nr_lines, 6);
}

TEST(manifest_bad_strings)
{
	BAD(VM "cmdline = \"abc\n", F "4: unterminated string: missing '\"'");
	BAD(VM "cmdline = \"abc\\\"\n", F "4: unterminated string: missing '\"'");
	BAD(VM "cmdline = \"abc\\\n", F "4: unterminated string: missing '\"'");
	BAD(VM "cmdline = \"a\\tb\"\n",
	    F "4: unknown escape '\\t' in a string (use \\\" \\\\ or \\n)");
	BAD(VM "cmdline = \"a\\\x01\"\n", F "4: unknown escape in a string (use \\\" \\\\ or \\n)");
	BAD(VM "cmdline = \"a\" \"b\"\n", F "4: unexpected '\"' after the value");
	BAD(VM "cmdline = \"a\\nb\"\n", F "4: cmdline: control characters (\\n) are not allowed");
}

TEST(manifest_bad_lists)
{
	char text[512];
	size_t n;

	BAD(VM "cpus = [0, 1\n", F "4: unterminated list: missing ']'");
	BAD(VM "cpus = [0, 1 # two\n", F "4: unterminated list: missing ']'");
	BAD(VM "cpus = [0,\n", F "4: unterminated list: missing ']'");
	BAD(VM "cpus = [0, [1]]\n", F "4: lists cannot be nested");
	BAD(VM "cpus = [0, 1,]\n", F "4: ',' before ']' in a list");
	BAD(VM "cpus = [0 1]\n", F "4: unexpected '1' in a list (expected ',' or ']')");
	BAD(VM "cpus = [0,,1]\n", F "4: unexpected ',' where a value should be");
	n = (size_t)snprintf(text, sizeof(text), VM "cpus = [0");
	for (unsigned i = 1; i <= MANIFEST_LIST_MAX; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, ",%u", i % 64);
	snprintf(text + n, sizeof(text) - n, "]\n");
	BAD(text, F "4: list longer than 64 items");
}

/* --- sections ------------------------------------------------------------------ */

TEST(manifest_bad_sections)
{
	char text[1024];

	BAD("[hypervisr]\n", F "1: unknown section [hypervisr]; did you mean [hypervisor]?");
	BAD("[foo]\n", F "1: unknown section [foo] (sections are [hypervisor] and [vm.NAME])");
	BAD("[]\n", F "1: unknown section [] (sections are [hypervisor] and [vm.NAME])");
	BAD("[vm]\n", F "1: missing VM name: write [vm.NAME]");
	BAD("[vm.]\n", F "1: missing VM name: write [vm.NAME]");
	BAD("[vm.Web]\n", F "1: VM name 'Web' may contain only a-z, 0-9, '_' and '-'");
	BAD("[vm.a.b]\n", F "1: VM name 'a.b' may contain only a-z, 0-9, '_' and '-'");
	BAD("[vm.abcdefghijklmnopqrstuvwxyz012345]\n",
	    F "1: VM name 'abcdefghijklmnopqrstuvwxyz012345' is longer than 31 characters");
	BAD("[vm.a\n", F "1: unterminated section header: missing ']'");
	BAD("[vm.a # x]\n", F "1: unterminated section header: missing ']'");
	BAD("[vm.a] x\n", F "1: unexpected 'x' after the section header");
	BAD(VM "[vm.a]\n", F "4: duplicate VM name 'a' (first at line 1)");
	BAD("[hypervisor]\n[hypervisor]\n", F "2: duplicate section [hypervisor] (first at line 1)");
	BAD("memory = 16M\n" VM,
	    F "1: 'memory' is outside any section (start one with [hypervisor] or [vm.NAME])");
	/* keys under a refused header are not reported again */
	BAD("[vm.A]\nmemory = 16M\nbogus = 1\n",
	    F "1: VM name 'A' may contain only a-z, 0-9, '_' and '-'");
	/* blanks inside the brackets are allowed */
	GOOD("[ vm.b ]\nmemory = 1M\nkernel = \"k\"\n[\thypervisor ]  # x\n");
	CHECK_STR(m.vms[0].name, "b");
	CHECK_EQ_U(m.hv.line, 4);
	text[0] = '\0';
	for (unsigned i = 0; i <= MAX_VMS; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
			 "[vm.v%u]\nmemory = 1M\nkernel = \"k\"\n", i);
	BAD(text, F "49: too many VMs (at most 16)");
}

TEST(manifest_bad_keys)
{
	BAD(VM "memroy = 16M\n", F "4: unknown key 'memroy' in [vm.a]; did you mean 'memory'?");
	BAD(VM "vcpu = 2\n", F "4: unknown key 'vcpu' in [vm.a]; did you mean 'vcpus'?");
	BAD(VM "on_crahs = stop\n",
	    F "4: unknown key 'on_crahs' in [vm.a]; did you mean 'on_crash'?");
	BAD(VM "Kernel = \"k\"\n", F "4: unknown key 'Kernel' in [vm.a]; did you mean 'kernel'?");
	BAD(VM "frobnicate = 1\n", F "4: unknown key 'frobnicate' in [vm.a]");
	BAD(VM "x = 1\n", F "4: unknown key 'x' in [vm.a]");
	BAD(VM "quantum = 10ms\n", F "4: 'quantum' belongs in [hypervisor], not in [vm.a]");
	BAD("[hypervisor]\nmemory = 16M\n" VM,
	    F "2: 'memory' belongs in a [vm.NAME] section, not in [hypervisor]");
	BAD("[hypervisor]\nquantom = 1ms\n" VM,
	    F "2: unknown key 'quantom' in [hypervisor]; did you mean 'quantum'?");
	BAD(VM "memory = 32M\n", F "4: duplicate key 'memory' (first set at line 2)");
	/* a refused value still counts as written: the second one is a duplicate */
	parse(VM "vcpus = 9\nvcpus = 2\n");
	CHECK_EQ_U(d.count, 2);
	CHECK_STR(d.msg[0], F "4: vcpus: 9 is out of range (1..8)");
	CHECK_STR(d.msg[1], F "5: duplicate key 'vcpus' (first set at line 4)");
	BAD("[vm.a]\nkernel = \"k\"\n", F "1: vm 'a': missing required key 'memory'");
	BAD("[vm.a]\nmemory = 1M\n", F "1: vm 'a': missing required key 'kernel'");
	BAD(VM "load = 0x1000\n", F "4: load: only allowed with format = flat");
	BAD(VM "format = multiboot\nmode = real\n", F "5: mode: only allowed with format = flat");
	BAD(VM "entry = 0x1000\nformat = linux\n", F "4: entry: only allowed with format = flat");
	/* a refused load is not also out of place */
	BAD(VM "load = 4G\n", F "4: load: 4G is not below 4G");
	/* a refused format does not make load an error too */
	BAD(VM "format = falt\nload = 0x1000\n",
	    F "4: format: expected auto, linux, multiboot or flat, got 'falt'; did you mean 'flat'?");
}

/* --- values -------------------------------------------------------------------- */

TEST(manifest_bad_sizes)
{
	BAD(VM "[vm.b]\nkernel = \"k\"\nmemory = \"16M\"\n",
	    F "6: memory: expected a size such as 64M, got a string");
	BAD(VM "[vm.b]\nkernel = \"k\"\nmemory = [16M]\n",
	    F "6: memory: expected a size such as 64M, got a list");
	BAD(VM "[vm.b]\nkernel = \"k\"\nmemory = 64m\n",
	    F "6: memory: '64m' is not a size (an integer, optionally with K, M or G)");
	BAD(VM "[vm.b]\nkernel = \"k\"\nmemory = 16MB\n",
	    F "6: memory: '16MB' is not a size (an integer, optionally with K, M or G)");
	BAD(VM "[vm.b]\nkernel = \"k\"\nmemory = -1M\n",
	    F "6: memory: '-1M' is not a size (an integer, optionally with K, M or G)");
	BAD(VM "[vm.b]\nkernel = \"k\"\nmemory = 0x\n",
	    F "6: memory: '0x' is not a size (an integer, optionally with K, M or G)");
	BAD(VM "[vm.b]\nkernel = \"k\"\nmemory = 1536K\n", F "6: memory: 1536K is not a multiple of 1M");
	BAD(VM "[vm.b]\nkernel = \"k\"\nmemory = 512K\n", F "6: memory: 512K is less than 1M");
	BAD(VM "[vm.b]\nkernel = \"k\"\nmemory = 0\n", F "6: memory: 0 is less than 1M");
	BAD(VM "[vm.b]\nkernel = \"k\"\nmemory = 1025G\n", F "6: memory: 1025G is more than 1024G");
	BAD(VM "[vm.b]\nkernel = \"k\"\nmemory = 99999999999G\n",
	    F "6: memory: '99999999999G' is too large");
	BAD(VM "[vm.b]\nkernel = \"k\"\nmemory = 18446744073709551616\n",
	    F "6: memory: '18446744073709551616' is too large");
	BAD(VM "format = flat\nload = 4G\n", F "5: load: 4G is not below 4G");
	BAD(VM "format = flat\nentry = 0x100000000\n", F "5: entry: 0x100000000 is not below 4G");
}

TEST(manifest_bad_numbers)
{
	BAD(VM "vcpus = 0\n", F "4: vcpus: 0 is out of range (1..8)");
	BAD(VM "vcpus = two\n", F "4: vcpus: 'two' is not an integer");
	BAD(VM "vcpus = 2K\n", F "4: vcpus: '2K' is not an integer");
	BAD(VM "vcpus = \"2\"\n", F "4: vcpus: expected an integer, got a string");
	BAD(VM "vcpus = 99999999999999999999\n",
	    F "4: vcpus: 99999999999999999999 is out of range (1..8)");
	BAD(VM "cpus = []\n", F "4: cpus: empty list (leave cpus out to run on any CPU)");
	BAD(VM "cpus = [0, 1, 0]\n", F "4: cpus: CPU 0 is listed twice");
	BAD(VM "cpus = [64]\n", F "4: cpus: 64 is out of range (0..63)");
	BAD(VM "cpus = [\"1\"]\n", F "4: cpus: expected an integer, got a string");
	BAD("[hypervisor]\nquantum = 10\n" VM, F "2: quantum: '10' needs a unit: us or ms");
	BAD("[hypervisor]\nquantum = 10s\n" VM,
	    F "2: quantum: '10s' is not a time (an integer with us or ms, such as 10ms)");
	BAD("[hypervisor]\nquantum = 50us\n" VM, F "2: quantum: 50us is out of range (100us..1000ms)");
	BAD("[hypervisor]\nquantum = 1001ms\n" VM,
	    F "2: quantum: 1001ms is out of range (100us..1000ms)");
	BAD("[hypervisor]\nquantum = 99999999999999999ms\n" VM,
	    F "2: quantum: '99999999999999999ms' is too large");
	BAD("[hypervisor]\nserial_speed = 1000\n" VM,
	    F "2: serial_speed: 1000 is not 115200 divided by a whole number (such as 9600)");
	BAD("[hypervisor]\nserial_speed = 1\n" VM, F "2: serial_speed: 1 is out of range (2..115200)");
	BAD("[hypervisor]\nserial_speed = 230400\n" VM,
	    F "2: serial_speed: 230400 is out of range (2..115200)");
}

TEST(manifest_bad_words)
{
	BAD(VM "console = yes\n", F "4: console: expected true or false, got 'yes'");
	BAD(VM "console = True\n",
	    F "4: console: expected true or false, got 'True'; did you mean 'true'?");
	BAD(VM "autostart = \"true\"\n", F "4: autostart: expected true or false, got a string");
	BAD(VM "format = elf\n", F "4: format: expected auto, linux, multiboot or flat, got 'elf'");
	BAD(VM "on_crash = [stop]\n", F "4: on_crash: expected stop or restart, got a list");
	BAD(VM "on_poweroff = restrat\n",
	    F "4: on_poweroff: expected stop or restart, got 'restrat'; did you mean 'restart'?");
	BAD(VM "format = flat\nmode = long\n",
	    F "5: mode: expected real, prot32 or long64, got 'long'; did you mean 'long64'?");
	BAD(VM "network = tap\n", F "4: network: expected none or user, got 'tap'");
	BAD("[hypervisor]\nlog_level = verbose\n" VM,
	    F "2: log_level: expected err, warn, info or debug, got 'verbose'");
	BAD("[hypervisor]\non_all_stopped = powerof\n" VM,
	    F "2: on_all_stopped: expected halt, poweroff or reboot, got 'powerof'; "
	      "did you mean 'poweroff'?");
}

TEST(manifest_bad_paths)
{
	char text[400];

	BAD("[vm.a]\nmemory = 16M\nkernel = k.elf\n",
	    F "3: kernel: expected a string in double quotes, got 'k.elf'");
	BAD("[vm.a]\nmemory = 16M\nkernel = /boot/k\n",
	    F "3: kernel: expected a string in double quotes, got '/boot/k'");
	BAD("[vm.a]\nmemory = 16M\nkernel = [\"a\", \"b\"]\n",
	    F "3: kernel: expected a string in double quotes, got a list");
	BAD("[vm.a]\nmemory = 16M\nkernel = \"\"\n", F "3: kernel: empty path");
	BAD("[vm.a]\nmemory = 16M\nkernel = \"my kernel\"\n",
	    F "3: kernel: ' ' is not allowed in a path (use A-Z a-z 0-9 . _ + - /)");
	BAD("[vm.a]\nmemory = 16M\nkernel = \"caf\xc3\xa9\"\n",
	    F "3: kernel: byte 0xc3 is not allowed in a path (use A-Z a-z 0-9 . _ + - /)");
	BAD("[vm.a]\nmemory = 16M\nkernel = \"a/../b\"\n",
	    F "3: kernel: path 'a/../b' has an empty, '.' or '..' part");
	BAD("[vm.a]\nmemory = 16M\nkernel = \"a//b\"\n",
	    F "3: kernel: path 'a//b' has an empty, '.' or '..' part");
	BAD("[vm.a]\nmemory = 16M\nkernel = \"a/\"\n",
	    F "3: kernel: path 'a/' has an empty, '.' or '..' part");
	BAD("[vm.a]\nmemory = 16M\nkernel = \"/\"\n",
	    F "3: kernel: path '/' has an empty, '.' or '..' part");
	BAD(VM "initrd = \"./i\"\n", F "4: initrd: path './i' has an empty, '.' or '..' part");
	snprintf(text, sizeof(text), VM "initrd = \"%0128d\"\n", 0);
	BAD(text, F "4: initrd: longer than 127 characters");
	snprintf(text, sizeof(text), VM "initrd = \"%0127d\"\n", 0);
	GOOD(text);
	BAD(VM "disk = [\"a\", \"b\", \"c\", \"d\", \"e\"]\n", F "4: disk: more than 4 disks");
	BAD(VM "disk = [\"a\", b]\n", F "4: disk: expected a string in double quotes, got 'b'");
}

TEST(manifest_bad_cmdline)
{
	char text[MANIFEST_CMDLINE_LEN + 64];

	snprintf(text, sizeof(text), VM "cmdline = \"%0512d\"\n", 0);
	BAD(text, F "4: cmdline: longer than 511 characters");
	snprintf(text, sizeof(text), VM "cmdline = \"%0511d\"\n", 0);
	GOOD(text);
	CHECK_EQ_U(strlen(m.vms[0].cmdline), 511);
	BAD(VM "cmdline = [\"a\"]\n", F "4: cmdline: expected a string in double quotes, got a list");
	BAD(VM "cmdline = quiet\n", F "4: cmdline: expected a string in double quotes, got 'quiet'");
}

/* Every broken line is reported, in order, and nothing stops at the first. */
TEST(manifest_all_errors)
{
	parse("top = 1\n"
	      "[vm.a]\n"
	      "memory = 16\n"
	      "vcpus = 100\n"
	      "kernal = \"k\"\n"
	      "[vm.a]\n"
	      "[hypervisor]\n"
	      "quantum = 1s\n");
	CHECK_EQ_U(d.count, 7);
	CHECK_STR(d.msg[0], F "1: 'top' is outside any section (start one with [hypervisor] or "
			      "[vm.NAME])");
	CHECK_STR(d.msg[1], F "3: memory: 16 is less than 1M");
	CHECK_STR(d.msg[2], F "4: vcpus: 100 is out of range (1..8)");
	CHECK_STR(d.msg[3], F "5: unknown key 'kernal' in [vm.a]; did you mean 'kernel'?");
	CHECK_STR(d.msg[4], F "2: vm 'a': missing required key 'kernel'");
	CHECK_STR(d.msg[5], F "6: duplicate VM name 'a' (first at line 2)");
	CHECK_STR(d.msg[6], F "8: quantum: '1s' is not a time (an integer with us or ms, such as "
			      "10ms)");
}

/* More errors than the array holds: the first ones are kept, the rest counted. */
TEST(manifest_diag_overflow)
{
	static char text[4096];
	int err;

	strcpy(text, VM);
	for (unsigned i = 0; i < 40; i++)
		strcat(text, "bogus = 1\n");
	memset(&d, 0, sizeof(d));
	err = manifest_parse(NULL, text, strlen(text), &m, &d);
	CHECK_EQ_I(err, -EINVAL);
	CHECK_EQ_U(d.count, MANIFEST_MAX_DIAGS);
	CHECK_EQ_U(d.dropped, 40 - MANIFEST_MAX_DIAGS);
	CHECK_STR(d.msg[0], "manifest:4: unknown key 'bogus' in [vm.a]");
	CHECK_STR(d.msg[31], "manifest:35: unknown key 'bogus' in [vm.a]");
	/* long text is cut, always terminated */
	memset(&d, 0, sizeof(d));
	parse(VM "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz = 1\n");
	CHECK_STR(d.msg[0], F "4: unknown key 'abcdefghijklmnopqrstuvwxyzabcdef...' in [vm.a]");
	memset(&d, 0, sizeof(d));
	manifest_diag_add(&d, "f", 1, "%0300d", 0);
	CHECK_EQ_U(strlen(d.msg[0]), MANIFEST_DIAG_LEN - 1);
}

/* --- good manifests ------------------------------------------------------------ */

TEST(manifest_defaults)
{
	const struct manifest_vm *vm = &m.vms[0];

	GOOD("[vm.a]\nmemory = 1M\nkernel = \"k\"\n");
	CHECK_STR(m.file, "t.manifest");
	CHECK_EQ_U(m.nr_vms, 1);
	CHECK_EQ_U(m.nr_lines, 3);
	CHECK_EQ_U(m.hv.line, 0);
	CHECK_EQ_U(m.hv.quantum_us, 10000);
	CHECK_EQ_U(m.hv.log_level, MANIFEST_LOG_INFO);
	CHECK_EQ_U(m.hv.on_all_stopped, MANIFEST_POWER_HALT);
	CHECK_EQ_U(m.hv.serial_speed, 115200);
	CHECK_STR(vm->name, "a");
	CHECK_EQ_U(vm->line, 1);
	CHECK_EQ_U(vm->memory, 1 << 20);
	CHECK_EQ_U(vm->vcpus, 1);
	CHECK_EQ_U(vm->nr_cpus, 0);
	CHECK_STR(vm->kernel, "k");
	CHECK_STR(vm->initrd, "");
	CHECK_STR(vm->cmdline, "");
	CHECK_EQ_U(vm->format, MANIFEST_FORMAT_AUTO);
	CHECK_EQ_U(vm->mode, MANIFEST_MODE_REAL);
	CHECK_EQ_U(vm->load, 0x8000);
	CHECK_EQ_U(vm->entry, 0x8000);
	CHECK(vm->console && vm->autostart);
	CHECK(!vm->debug_exit && !vm->debugcon && !vm->testdev);
	CHECK_EQ_U(vm->on_crash, MANIFEST_ACTION_STOP);
	CHECK_EQ_U(vm->on_poweroff, MANIFEST_ACTION_STOP);
	CHECK_EQ_U(vm->on_reboot, MANIFEST_ACTION_RESTART);
	CHECK_EQ_U(vm->nr_disks, 0);
	CHECK_EQ_U(vm->network, MANIFEST_NET_NONE);
	CHECK_EQ_U(vm->key_line[MANIFEST_VM_MEMORY], 2);
	CHECK_EQ_U(vm->key_line[MANIFEST_VM_KERNEL], 3);
	CHECK_EQ_U(vm->key_line[MANIFEST_VM_VCPUS], 0);
	GOOD("");
	CHECK_EQ_U(m.nr_vms + m.nr_lines, 0);
	GOOD("\n\n   \n# only comments\n\t\n");
	CHECK_EQ_U(m.nr_lines, 5);
}

TEST(manifest_every_key)
{
	const struct manifest_vm *vm = &m.vms[1];

	GOOD("# every key\n"
	     "[hypervisor]\n"
	     "quantum = 500us\n"
	     "log_level = debug\n"
	     "on_all_stopped = poweroff\n"
	     "serial_speed = 9600\n"
	     "[vm.first]\n"
	     "memory = 0x100000\n"
	     "kernel = \"k\"\n"
	     "[vm.web-2_x]   # a comment\n"
	     "memory = 4G\n"
	     "vcpus = 8\n"
	     "cpus = [3, 0x1, 63]\n"
	     "kernel = \"/boot/vmlinuz-6.1+x.y_z\"\n"
	     "initrd = \"boot/initrd.img\"\n"
	     "cmdline = \"console=ttyS0 msg=\\\"hi # there\\\" back\\\\slash\"  # comment\n"
	     "format = flat\n"
	     "load = 1M\n"
	     "entry = 0x100010\n"
	     "mode = prot32\n"
	     "console = false\n"
	     "on_crash = restart\n"
	     "on_poweroff = restart\n"
	     "on_reboot = stop\n"
	     "autostart = false\n"
	     "debug_exit = true\n"
	     "debugcon = true\n"
	     "testdev = true\n"
	     "disk = [\"d0.img\", \"d/1.img\"]\n"
	     "network = user\n");
	CHECK_EQ_U(m.hv.line, 2);
	CHECK_EQ_U(m.hv.quantum_us, 500);
	CHECK_EQ_U(m.hv.log_level, MANIFEST_LOG_DEBUG);
	CHECK_EQ_U(m.hv.on_all_stopped, MANIFEST_POWER_POWEROFF);
	CHECK_EQ_U(m.hv.serial_speed, 9600);
	CHECK_EQ_U(m.hv.key_line[MANIFEST_HV_SERIAL_SPEED], 6);
	CHECK_EQ_U(m.nr_vms, 2);
	CHECK_EQ_U(m.vms[0].memory, 1 << 20);
	CHECK_STR(vm->name, "web-2_x");
	CHECK_EQ_U(vm->line, 10);
	CHECK_EQ_U(vm->memory, 4ull << 30);
	CHECK_EQ_U(vm->vcpus, 8);
	CHECK_EQ_U(vm->nr_cpus, 3);
	CHECK(vm->cpus[0] == 3 && vm->cpus[1] == 1 && vm->cpus[2] == 63);
	CHECK_STR(vm->kernel, "/boot/vmlinuz-6.1+x.y_z");
	CHECK_STR(vm->initrd, "boot/initrd.img");
	CHECK_STR(vm->cmdline, "console=ttyS0 msg=\"hi # there\" back\\slash");
	CHECK_EQ_U(vm->format, MANIFEST_FORMAT_FLAT);
	CHECK_EQ_U(vm->load, 0x100000);
	CHECK_EQ_U(vm->entry, 0x100010);
	CHECK_EQ_U(vm->mode, MANIFEST_MODE_PROT32);
	CHECK(!vm->console && !vm->autostart);
	CHECK_EQ_U(vm->on_crash, MANIFEST_ACTION_RESTART);
	CHECK_EQ_U(vm->on_poweroff, MANIFEST_ACTION_RESTART);
	CHECK_EQ_U(vm->on_reboot, MANIFEST_ACTION_STOP);
	CHECK(vm->debug_exit && vm->debugcon && vm->testdev);
	CHECK_EQ_U(vm->nr_disks, 2);
	CHECK_STR(vm->disks[0], "d0.img");
	CHECK_STR(vm->disks[1], "d/1.img");
	CHECK_EQ_U(vm->network, MANIFEST_NET_USER);
	CHECK_EQ_U(vm->key_line[MANIFEST_VM_NETWORK], 30);
}

TEST(manifest_value_forms)
{
	GOOD(VM "cpus = 5\ndisk = \"one.img\"\nformat = flat\nload = 0x10K\n");
	CHECK_EQ_U(m.vms[0].nr_cpus, 1);
	CHECK_EQ_U(m.vms[0].cpus[0], 5);
	CHECK_EQ_U(m.vms[0].nr_disks, 1);
	CHECK_STR(m.vms[0].disks[0], "one.img");
	CHECK_EQ_U(m.vms[0].load, 0x4000);
	CHECK_EQ_U(m.vms[0].entry, 0x4000); /* entry follows load */
	GOOD(VM "disk = []\ncpus=[ 1 ,2 ]\n");
	CHECK_EQ_U(m.vms[0].nr_disks, 0);
	CHECK_EQ_U(m.vms[0].nr_cpus, 2);
	GOOD("[vm.a]\nmemory = 0X2M\nkernel = \"k\"\n[hypervisor]\nquantum = 1000ms\n"
	     "serial_speed = 2\n");
	CHECK_EQ_U(m.vms[0].memory, 2 << 20);
	CHECK_EQ_U(m.hv.quantum_us, 1000000);
	CHECK_EQ_U(m.hv.serial_speed, 2);
	GOOD("[vm.a]\nmemory = 1024G\nkernel = \"k\"\n[hypervisor]\nquantum = 100us\n");
	CHECK_EQ_U(m.vms[0].memory, 1ull << 40);
	GOOD("[vm.abcdefghijklmnopqrstuvwxyz01234]\nmemory = 1M\nkernel = \"k\"\n");
	CHECK_STR(m.vms[0].name, "abcdefghijklmnopqrstuvwxyz01234");
}

TEST(manifest_names)
{
	char buf[32];

	CHECK_STR(manifest_format_name(MANIFEST_FORMAT_MULTIBOOT), "multiboot");
	CHECK_STR(manifest_format_name((enum manifest_format)7), "?");
	CHECK_STR(manifest_mode_name(MANIFEST_MODE_LONG64), "long64");
	CHECK_STR(manifest_action_name(MANIFEST_ACTION_RESTART), "restart");
	CHECK_STR(manifest_power_name(MANIFEST_POWER_REBOOT), "reboot");
	CHECK_STR(manifest_log_name(MANIFEST_LOG_WARN), "warn");
	CHECK_STR(manifest_network_name(MANIFEST_NET_USER), "user");
	CHECK_STR(manifest_vm_key_name(MANIFEST_VM_ON_POWEROFF), "on_poweroff");
	CHECK_STR(manifest_hv_key_name(MANIFEST_HV_ON_ALL_STOPPED), "on_all_stopped");
	CHECK_STR(manifest_size_name(2ull << 30, buf, sizeof(buf)), "2 GiB");
	CHECK_STR(manifest_size_name(3ull << 20, buf, sizeof(buf)), "3 MiB");
	CHECK_STR(manifest_size_name((16ull << 20) + (400 << 10), buf, sizeof(buf)), "16.4 MiB");
	CHECK_STR(manifest_size_name((1ull << 20) + 1, buf, sizeof(buf)), "1.1 MiB");
	CHECK_STR(manifest_size_name(640 << 10, buf, sizeof(buf)), "640 KiB");
	CHECK_STR(manifest_size_name(1000, buf, sizeof(buf)), "1000 bytes");
	CHECK_STR(manifest_size_name(0, buf, sizeof(buf)), "0 bytes");
	CHECK_EQ_U(distance("memroy", 6, "memory"), 1);
	CHECK_EQ_U(distance("abc", 3, "abc"), 0);
	CHECK_EQ_U(distance("", 0, "ab"), 2);
	CHECK_EQ_U(distance("kitten", 6, "sitting"), 3);
}

/* --- layout -------------------------------------------------------------------- */

TEST(manifest_layout)
{
	struct manifest_region r[MANIFEST_MAX_REGIONS];
	struct manifest_vm vm = { .memory = 16 << 20, .vcpus = 3 };
	unsigned n = manifest_memory_map(&vm, r);

	CHECK_EQ_U(n, 6);
	CHECK(r[0].base == 0 && r[0].size == 0x9fc00 && r[0].type == MANIFEST_REGION_RAM);
	CHECK(r[1].base == 0x9fc00 && r[1].size == 0x60400 &&
	      r[1].type == MANIFEST_REGION_RESERVED);
	CHECK(r[2].base == 0x100000 && r[2].size == (15 << 20) && r[2].type == MANIFEST_REGION_RAM);
	CHECK(r[3].base == 0xc0000000 && r[3].size == 0x3ec00000 &&
	      r[3].type == MANIFEST_REGION_MMIO);
	CHECK(r[4].base == 0xfec00000 && r[4].size == 0x1000);
	CHECK(r[5].base == 0xfee00000 && r[5].size == 0x1000);
	vm.memory = 1 << 20;
	CHECK_EQ_U(manifest_memory_map(&vm, r), 5);
	CHECK_EQ_U(r[2].base, 0xc0000000);
	vm.memory = 5ull << 30;
	CHECK_EQ_U(manifest_memory_map(&vm, r), 7);
	CHECK_EQ_U(r[2].size, 0xc0000000 - 0x100000);
	CHECK(r[6].base == 1ull << 32 && r[6].size == 2ull << 30 && r[6].type == MANIFEST_REGION_RAM);
	vm.memory = 3ull << 30;
	CHECK_EQ_U(manifest_memory_map(&vm, r), 6);
	/* footprint: RAM + RAM/512 + per VM + per vCPU */
	vm.memory = 16 << 20;
	CHECK_EQ_U(manifest_vm_footprint(&vm), (16 << 20) + (32 << 10) + (256 << 10) + 3 * (64 << 10));
	/* pinning: the list round-robin, or any */
	CHECK_EQ_I(manifest_vcpu_cpu(&vm, 0), -1);
	vm.nr_cpus = 2;
	vm.cpus[0] = 5;
	vm.cpus[1] = 2;
	CHECK_EQ_I(manifest_vcpu_cpu(&vm, 0), 5);
	CHECK_EQ_I(manifest_vcpu_cpu(&vm, 1), 2);
	CHECK_EQ_I(manifest_vcpu_cpu(&vm, 2), 5);
}

/* --- validation ---------------------------------------------------------------- */

struct fake_file {
	const char *path;
	uint64_t size;
	int err;
};

static const struct fake_file files[] = {
	{ "k", 64 << 10, 0 },         { "big", 17 << 20, 0 },      { "half", 8 << 20, 0 },
	{ "empty", 0, 0 },            { "locked", 1, -EIO },       { "d.img", 1 << 20, 0 },
	{ "odd.img", 1000, 0 },       { "flat", 0x10000, 0 },      { "/k", 64 << 10, 0 },
};

static int fake_size(void *ctx, const char *path, uint64_t *size)
{
	for (unsigned i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (strcmp(files[i].path, path))
			continue;
		*size = files[i].size;
		return files[i].err;
	}
	if (!ctx)
		return -ENOENT;
	*size = 64 << 10; /* ctx != NULL: every other file exists too */
	return 0;
}

static struct manifest_machine machine = { 4, 1ull << 30, fake_size, NULL };

/* Parse (must succeed), then validate: the validator's result. */
static int validate(const char *text)
{
	if (parse(text)) {
		show();
		unit_fail(__FILE__, __LINE__, "does not parse");
		return 0;
	}
	return manifest_validate(&m, &machine, &d);
}

static void invalid(const char *file, int line, const char *text, const char *msg)
{
	int err = validate(text);

	if (err != -EINVAL || d.count != 1 || strcmp(d.msg[0], msg)) {
		printf("  %s:%d: want: %s\n", file, line, msg);
		show();
		unit_fail(file, line, "want \"%s\" (err %d, %u messages)", msg, err, d.count);
	}
}
#define INVALID(text, msg) invalid(__FILE__, __LINE__, text, msg)

TEST(manifest_validate_resources)
{
	INVALID("", F "1: no VM: add a [vm.NAME] section");
	INVALID("# c\n[hypervisor]\n", F "2: no VM: add a [vm.NAME] section");
	INVALID(VM "cpus = [1, 4]\n", F "4: vm 'a': cpus: CPU 4 does not exist (the machine has 4)");
	/* 1022M + 1022M/512 + 256K + 64K = 1024.31 MiB, shown rounded up */
	INVALID("[vm.a]\nmemory = 1022M\nkernel = \"k\"\n",
		F "2: vm 'a': memory: not enough memory: this VM needs 1024.4 MiB (RAM and "
		  "overhead), the machine has 1 GiB");
	CHECK_EQ_I(validate("[vm.a]\nmemory = 1020M\nkernel = \"k\"\n"), 0);
	/* 16M + 1006M + (16M + 1006M)/512 + 2 * (256K + 64K) = 1024.62 MiB: b is named, not c */
	INVALID(VM "[vm.b]\nmemory = 1006M\nkernel = \"k\"\n[vm.c]\nmemory = 512M\nkernel = \"k\"\n",
		F "5: vm 'b': memory: not enough memory: the VMs up to this one need 1024.7 MiB "
		  "(RAM and overhead), the machine has 1 GiB");
	CHECK_EQ_I(validate(VM "[vm.b]\nmemory = 990M\nkernel = \"k\"\n"), 0);
	CHECK_EQ_I(validate(VM "cpus = [3, 0]\nvcpus = 8\n"), 0);
}

TEST(manifest_validate_files)
{
	INVALID("[vm.a]\nmemory = 16M\nkernel = \"nope\"\n",
		F "3: vm 'a': kernel: file 'nope' not found");
	INVALID("[vm.a]\nmemory = 16M\nkernel = \"empty\"\n",
		F "3: vm 'a': kernel: file 'empty' is empty");
	INVALID("[vm.a]\nmemory = 16M\nkernel = \"locked\"\n",
		F "3: vm 'a': kernel: cannot read 'locked' (error -5)");
	INVALID("[vm.a]\nmemory = 16M\nkernel = \"big\"\n",
		F "3: vm 'a': kernel: 'big' (17 MiB) does not fit in the VM's 16 MiB of RAM");
	INVALID("[vm.a]\nmemory = 15M\nkernel = \"half\"\ninitrd = \"half\"\n",
		F "4: vm 'a': initrd: kernel and initrd (16 MiB together) do not fit in the VM's "
		  "15 MiB of RAM");
	CHECK_EQ_I(validate("[vm.a]\nmemory = 16M\nkernel = \"half\"\ninitrd = \"half\"\n"), 0);
	INVALID(VM "initrd = \"none\"\n", F "4: vm 'a': initrd: file 'none' not found");
	INVALID(VM "[vm.b]\nmemory = 1M\nkernel = \"k\"\ndisk = [\"d.img\", \"x.img\"]\n",
		F "7: vm 'b': disk: file 'x.img' not found");
	INVALID(VM "disk = [\"d.img\", \"d.img\"]\n", F "4: vm 'a': disk: 'd.img' is listed twice");
	INVALID(VM "disk = \"odd.img\"\n",
		F "4: vm 'a': disk: 'odd.img' is not a whole number of 512-byte sectors (1000 bytes)");
	machine.ctx = &machine; /* every file exists from here on */
	INVALID(VM "disk = \"d.img\"\n[vm.b]\nmemory = 1M\nkernel = \"k\"\n"
		   "disk = [\"x.img\", \"d.img\"]\n",
		F "8: vm 'b': disk: 'd.img' is already used by vm 'a'");
	machine.ctx = NULL;
	/* without a file_size hook, files are not checked */
	machine.file_size = NULL;
	CHECK_EQ_I(validate("[vm.a]\nmemory = 16M\nkernel = \"nope\"\n"), 0);
	machine.file_size = fake_size;
}

TEST(manifest_validate_flat)
{
	INVALID("[vm.a]\nmemory = 1M\nkernel = \"flat\"\nformat = flat\nload = 0xf8000\n",
		F "5: vm 'a': load: the image (64 KiB at 0xf8000) does not fit in RAM below 0x100000");
	/* load not written: the section's line */
	INVALID("[vm.a]\nmemory = 8M\nkernel = \"half\"\nformat = flat\n",
		F "1: vm 'a': load: the image (8 MiB at 0x8000) does not fit in RAM below 0x800000");
	/* an image too big for the VM is said once */
	INVALID("[vm.a]\nmemory = 1M\nkernel = \"half\"\nformat = flat\nmode = long64\n"
		"load = 0x10000\n[vm.b]\nmemory = 16M\nkernel = \"flat\"\n",
		F "3: vm 'a': kernel: 'half' (8 MiB) does not fit in the VM's 1 MiB of RAM");
	INVALID("[vm.a]\nmemory = 2M\nkernel = \"flat\"\nformat = flat\nentry = 0x200000\n",
		F "5: vm 'a': entry: entry 0x200000 is outside RAM (below 0x200000)");
	INVALID("[vm.a]\nmemory = 4M\nkernel = \"flat\"\nformat = flat\nentry = 0x100000\n",
		F "5: vm 'a': entry: real-mode entry 0x100000 is not below 1M");
	INVALID("[vm.a]\nmemory = 4M\nkernel = \"flat\"\nformat = flat\nload = 0x100000\n",
		F "5: vm 'a': load: real-mode entry 0x100000 is not below 1M");
	CHECK_EQ_I(validate("[vm.a]\nmemory = 4M\nkernel = \"flat\"\nformat = flat\n"
			    "mode = long64\nload = 0x100000\n"), 0);
	CHECK_EQ_I(validate("[vm.a]\nmemory = 1M\nkernel = \"flat\"\nformat = flat\n"
			    "load = 0xf0000\n"), 0);
}

TEST(manifest_validate_all_errors)
{
	int err = validate("[vm.a]\nmemory = 2G\ncpus = [7, 9]\nkernel = \"nope\"\n"
			   "[vm.b]\nmemory = 1M\nkernel = \"big\"\n");

	CHECK_EQ_I(err, -EINVAL);
	CHECK_EQ_U(d.count, 5);
	CHECK_STR(d.msg[0], F "3: vm 'a': cpus: CPU 7 does not exist (the machine has 4)");
	CHECK_STR(d.msg[1], F "3: vm 'a': cpus: CPU 9 does not exist (the machine has 4)");
	CHECK_STR(d.msg[2], F "4: vm 'a': kernel: file 'nope' not found");
	CHECK_STR(d.msg[3], F "7: vm 'b': kernel: 'big' (17 MiB) does not fit in the VM's 1 MiB of "
			      "RAM");
	CHECK_STR(d.msg[4], F "2: vm 'a': memory: not enough memory: this VM needs 2052.4 MiB "
			      "(RAM and overhead), the machine has 1 GiB");
}

/* The shipped examples parse and validate (every file present, 64 KiB). */
static void example(const char *path)
{
	struct manifest_machine mc = { 4, 4ull << 30, fake_size, &mc };
	static char text[8192];
	FILE *f = fopen(path, "rb");
	size_t len;

	if (!f) {
		unit_fail(__FILE__, __LINE__, "cannot open %s", path);
		return;
	}
	len = fread(text, 1, sizeof(text), f);
	fclose(f);
	memset(&d, 0, sizeof(d));
	if (manifest_parse(path, text, len, &m, &d) || manifest_validate(&m, &mc, &d)) {
		show();
		unit_fail(__FILE__, __LINE__, "%s does not validate", path);
	}
}

TEST(manifest_examples)
{
	example("docs/examples/demo.manifest");
	CHECK_EQ_U(m.nr_vms, 3);
	example("docs/examples/test.manifest");
	CHECK_EQ_U(m.hv.on_all_stopped, MANIFEST_POWER_POWEROFF);
	example("docs/examples/linux.manifest");
	CHECK_EQ_U(m.vms[0].format, MANIFEST_FORMAT_LINUX);
	CHECK_STR(m.vms[1].cmdline, "role=\"watchdog\" period=5");
}
