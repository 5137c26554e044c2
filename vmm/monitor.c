// SPDX-License-Identifier: MIT
/* The console multiplexer and monitor (see monitor.h). */
#define pr_fmt "monitor"
#include "arch/x86_64/lib/string.h"
#include "arch/x86_64/power.h"
#include "drivers/console.h"
#include "drivers/uart16550.h"
#include "vmm/exit.h"
#include "vmm/guest.h"
#include "vmm/monitor.h"
#include "vmm/sched.h"
#include "vmm/vm.h"

#define ESCAPE 0x01 /* Ctrl-A */
#define FOCUS_NONE (-1)
#define FOCUS_MONITOR (-2)
#define LINE_MAX 80

static int focus = FOCUS_NONE;
static bool escaped;
static char line[LINE_MAX];
static unsigned line_len;

static void help(void)
{
	console_printf("Ctrl-A m: monitor   Ctrl-A 1..9: input to VM n   Ctrl-A h: help\n"
		       "monitor: list | exits VM | pause VM | resume VM | stop VM | restart VM |"
		       " reboot | quit\n");
}

static void prompt(void)
{
	console_printf("basalt> ");
}

static const char *state_name(const struct vm *vm)
{
	if (!vm)
		return "stopped";
	if (vm->state == VM_STOPPED)
		return "stopping";
	return vm->paused ? "paused" : "running";
}

static void cmd_list(void)
{
	for (unsigned i = 0; i < guest_count(); i++) {
		const struct vm *vm = guest_vm(i);

		console_printf("%u %-16s %-8s", i + 1, guest_name(i), state_name(vm));
		for (unsigned k = 0; vm && k < vm->nr_vcpus; k++)
			console_printf(" vcpu%u@cpu%u:%lu", k, vm->vcpus[k]->pcpu,
				       (unsigned long)vm->vcpus[k]->run_ticks);
		console_printf("\n");
	}
}

static void cmd_exits(struct vm *vm)
{
	for (unsigned k = 0; k < vm->nr_vcpus; k++) {
		const struct vcpu *v = vm->vcpus[k];

		console_printf("%s vcpu%u:", vm->name, k);
		for (unsigned r = 0; r < NR_EXIT_REASONS; r++)
			if (v->exits[r])
				console_printf(" %s=%lu", exit_reason_name(r),
					       (unsigned long)v->exits[r]);
		console_printf("\n");
	}
}

static void set_paused(struct vm *vm, bool paused)
{
	vm->paused = paused;
	for (unsigned k = 0; k < vm->nr_vcpus; k++)
		sched_wake(vm->vcpus[k]);
	console_printf("%s %s\n", vm->name, paused ? "paused" : "resumed");
}

/* "verb NAME": the running VM called NAME, or NULL after saying why. */
static struct vm *target(const char *arg, int *index)
{
	int i = guest_find(arg);

	*index = i;
	if (i < 0) {
		console_printf("no VM called '%s' (try 'list')\n", arg);
		return NULL;
	}
	return guest_vm((unsigned)i);
}

static void run_command(char *cmd)
{
	char *arg = strchr(cmd, ' ');
	struct vm *vm = NULL;
	int i = -1;

	if (arg) {
		*arg++ = '\0';
		while (*arg == ' ')
			arg++;
	}
	if (!*cmd)
		return;
	if (!strcmp(cmd, "help"))
		return help();
	if (!strcmp(cmd, "list"))
		return cmd_list();
	if (!strcmp(cmd, "quit")) {
		focus = FOCUS_NONE;
		return;
	}
	if (!strcmp(cmd, "reboot")) {
		console_printf("rebooting the host\n");
		power_stop(POWER_STOP_RESET);
	}
	if (!arg || !*arg) {
		console_printf("'%s' needs a VM name, or is not a command (try 'help')\n", cmd);
		return;
	}
	vm = target(arg, &i);
	if (i < 0)
		return;
	if (!strcmp(cmd, "restart"))
		return guest_restart((unsigned)i);
	if (!vm || vm->state != VM_RUNNING) {
		console_printf("%s is not running\n", arg);
		return;
	}
	if (!strcmp(cmd, "exits"))
		cmd_exits(vm);
	else if (!strcmp(cmd, "pause"))
		set_paused(vm, true);
	else if (!strcmp(cmd, "resume"))
		set_paused(vm, false);
	else if (!strcmp(cmd, "stop"))
		vm_stop(vm, VM_STOP_ADMIN, "stopped by the operator");
	else
		console_printf("unknown command '%s' (try 'help')\n", cmd);
}

static void monitor_key(int c)
{
	if (c == '\r' || c == '\n') {
		console_printf("\n");
		line[line_len] = '\0';
		line_len = 0;
		run_command(line);
		if (focus == FOCUS_MONITOR)
			prompt();
	} else if ((c == 0x7f || c == '\b') && line_len) {
		line_len--;
		console_printf("\b \b");
	} else if (c >= ' ' && c < 0x7f && line_len < LINE_MAX - 1) {
		line[line_len++] = (char)c;
		console_printf("%c", c);
	}
}

static void escape_key(int c)
{
	escaped = false;
	if (c == 'm') {
		focus = FOCUS_MONITOR;
		line_len = 0;
		prompt();
	} else if (c >= '1' && c <= '9' && (unsigned)(c - '1') < guest_count()) {
		focus = c - '1';
		console_printf("[input to %s]\n", guest_name((unsigned)focus));
	} else if (c == 'h') {
		help();
	} else if (c == ESCAPE && focus >= 0) {
		struct vm *vm = guest_vm((unsigned)focus);

		if (vm)
			vm_input(vm, (char)c);
	}
}

void monitor_poll(void)
{
	int c;

	while ((c = uart_getc()) >= 0) {
		if (escaped)
			escape_key(c);
		else if (c == ESCAPE)
			escaped = true;
		else if (focus == FOCUS_MONITOR)
			monitor_key(c);
		else if (focus >= 0 && guest_vm((unsigned)focus))
			vm_input(guest_vm((unsigned)focus), (char)c);
	}
}
