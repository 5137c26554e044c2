// SPDX-License-Identifier: MIT
/*
 * VMCALL: the hypercall ABI of include/basalt/hypercall.h. Arguments are
 * guest-controlled: every buffer goes through the checked gmem helpers.
 */
#include "arch/x86_64/lib/errno.h"
#include "arch/x86_64/vmx_vcpu.h"
#include "drivers/console.h"
#include "include/basalt/hypercall.h"
#include "vmm/exit.h"
#include "vmm/gmem.h"
#include "vmm/vm.h"

static int64_t hc_console_write(struct vm *vm, uint64_t buf, uint64_t len)
{
	const char *p;

	if (len > HC_CONSOLE_MAX)
		return -E2BIG;
	p = gmem_map(vm, gpa(buf), len);
	if (!p)
		return -EFAULT;
	for (uint64_t i = 0; i < len; i++)
		vm_console_putc(vm, p[i]);
	return (int64_t)len;
}

static int64_t hc_test_verdict(struct vm *vm, uint64_t fail, uint64_t name_gpa)
{
	char name[HC_NAME_MAX];

	/* Byte by byte: the name may end just before the end of guest RAM. */
	for (unsigned i = 0; i < sizeof(name); i++) {
		if (gmem_read(vm, gpa(name_gpa + i), &name[i], 1))
			return -EFAULT;
		if (!name[i])
			break;
		if (name[i] < ' ' || name[i] > '~')
			name[i] = '?';
	}
	name[sizeof(name) - 1] = '\0';
	console_printf("%s: %s: %s\n", vm->name, fail ? "FAIL" : "PASS", name);
	return 0;
}

enum exit_action exit_vmcall(struct vcpu *v, const struct vmexit *e)
{
	uint64_t *g = v->arch.gpr;
	struct vm *vm = v->vm;
	int64_t ret;

	(void)e;
	if (vmx_guest_cpl() != 0) {
		vcpu_inject_ud(v);
		return EXIT_RESUME;
	}
	switch (g[GPR_RAX]) {
	case HC_NOP:
		ret = 0;
		break;
	case HC_CONSOLE_WRITE:
		ret = hc_console_write(vm, g[GPR_RDI], g[GPR_RSI]);
		break;
	case HC_TEST_VERDICT:
		ret = hc_test_verdict(vm, g[GPR_RDI], g[GPR_RSI]);
		break;
	case HC_POWEROFF:
		vm->exit_code = (int)g[GPR_RDI];
		vm_stop(vm, VM_STOP_POWEROFF, "powered off by the guest (code %d)", vm->exit_code);
		return EXIT_STOP;
	default:
		ret = -ENOSYS;
		break;
	}
	g[GPR_RAX] = (uint64_t)ret;
	return EXIT_SKIP;
}
