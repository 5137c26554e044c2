// SPDX-License-Identifier: MIT
/*
 * EPT violations: the guest touched guest-physical memory that is not RAM.
 * If a device claims the address, fetch the instruction, decode it,
 * perform the access on the device and write the results back (STYLE:
 * decode -> bus lookup -> device access -> register write-back -> skip).
 * Otherwise the VM is stopped, saying what it touched and from where.
 *
 * Exit qualification (SDM Vol. 3C, "Exit Qualification for EPT
 * Violations"): bit 0 read, 1 write, 2 fetch, 7 linear address valid.
 */
#include "arch/x86_64/lib/errno.h"
#include "arch/x86_64/lib/string.h"
#include "arch/x86_64/vmx_vcpu.h"
#include "vmm/exit.h"
#include "vmm/gmem.h"
#include "vmm/gwalk.h"
#include "vmm/insn.h"
#include "vmm/vm.h"

#define EPTQ_READ   (1ull << 0)
#define EPTQ_WRITE  (1ull << 1)
#define EPTQ_FETCH  (1ull << 2)
#define EPTQ_GLA_OK (1ull << 7)
#define INSN_MAX    15

struct mmio_ctx {
	struct vcpu *v;
	uint32_t pf_error; /* set when a RAM-side access of MOVS would fault */
	uint64_t pf_addr;
};

static int cb_mmio_read(void *c, uint64_t a, unsigned size, uint64_t *val)
{
	struct mmio_ctx *m = c;

	return bus_access(&m->v->vm->mmio, a, size, false, val);
}

static int cb_mmio_write(void *c, uint64_t a, unsigned size, uint64_t val)
{
	struct mmio_ctx *m = c;

	return bus_access(&m->v->vm->mmio, a, size, true, &val);
}

static int cb_mem_read(void *c, uint64_t gla, void *buf, unsigned size)
{
	struct mmio_ctx *m = c;
	int err = gmem_read_linear(m->v->vm, gla, buf, size, &m->pf_error);

	if (err && m->pf_error)
		m->pf_addr = gla;
	return err;
}

static int cb_mem_write(void *c, uint64_t gla, const void *buf, unsigned size)
{
	struct mmio_ctx *m = c;
	int err = gmem_write_linear(m->v->vm, gla, buf, size, &m->pf_error);

	if (err && m->pf_error)
		m->pf_addr = gla;
	return err;
}

static const struct insn_mem_ops mmio_ops = {
	cb_mmio_read, cb_mmio_write, cb_mem_read, cb_mem_write,
};

static const char *access_kind(uint64_t q)
{
	return q & EPTQ_FETCH ? "fetch" : q & EPTQ_WRITE ? "write" : "read";
}

/* Read the instruction at CS:RIP: up to 15 bytes, fewer at an unmapped page. */
static int fetch(struct vcpu *v, uint64_t rip, uint8_t *buf, size_t *len)
{
	uint64_t la = vmx_guest_cs_base() + rip;
	uint32_t pf = 0;

	*len = 0;
	while (*len < INSN_MAX) {
		size_t chunk = 0x1000 - ((la + *len) & 0xfff);

		if (chunk > INSN_MAX - *len)
			chunk = INSN_MAX - *len;
		if (gmem_read_linear(v->vm, la + *len, buf + *len, chunk, &pf))
			break;
		*len += chunk;
	}
	return *len ? 0 : -EFAULT;
}

static enum insn_mode decode_mode(void)
{
	unsigned bits = vmx_guest_code_bits();

	return bits == 64 ? INSN_MODE_64 : bits == 32 ? INSN_MODE_32 : INSN_MODE_16;
}

static enum exit_action emulate(struct vcpu *v, const struct vmexit *e)
{
	struct mmio_ctx ctx = { .v = v };
	struct insn_regs regs;
	struct insn in;
	uint8_t bytes[INSN_MAX];
	size_t len;
	int err;

	if (fetch(v, e->rip, bytes, &len))
		return vcpu_fatal(v, e, "MMIO access from an instruction that cannot be read");
	if (insn_decode(bytes, len, decode_mode(), &in))
		return vcpu_fatal(v, e, "MMIO access by an instruction Basalt does not emulate");
	memcpy(regs.gpr, v->arch.gpr, sizeof(regs.gpr));
	regs.gpr[GPR_RSP] = vmx_guest_rsp();
	regs.rip = e->rip;
	regs.rflags = vmx_guest_rflags();
	err = insn_emulate(&in, &regs, e->gpa, e->gla, &mmio_ops, &ctx);
	if (err) {
		if (ctx.pf_error) {
			vcpu_inject_pf(v, ctx.pf_addr, ctx.pf_error);
			return EXIT_RESUME;
		}
		return vcpu_fatal(v, e, "MMIO emulation failed");
	}
	memcpy(v->arch.gpr, regs.gpr, sizeof(regs.gpr));
	if (regs.gpr[GPR_RSP] != vmx_guest_rsp())
		return vcpu_fatal(v, e, "MMIO instruction changed RSP");
	vmx_set_guest_rip(regs.rip);
	vmx_set_guest_rflags(regs.rflags);
	return EXIT_RESUME;
}

enum exit_action exit_ept_violation(struct vcpu *v, const struct vmexit *e)
{
	struct vm *vm = v->vm;

	if (gmem_is_ram(vm, gpa(e->gpa)))
		return vcpu_fatal(v, e, "EPT violation inside guest RAM");
	if (e->qual & EPTQ_FETCH || !bus_find(&vm->mmio, e->gpa)) {
		vm_err(vm, "%s of unmapped guest-physical %#lx at RIP %#lx\n", access_kind(e->qual),
		       (unsigned long)e->gpa, (unsigned long)e->rip);
		vm_stop(vm, "%s of unmapped guest-physical %#lx", access_kind(e->qual),
			(unsigned long)e->gpa);
		return EXIT_STOP;
	}
	return emulate(v, e);
}
