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
#include <stddef.h>

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
	const struct bus_region *region; /* the device region that trapped */
	int mem_err;       /* how the RAM side of MOVS failed (gmem.h), 0: it did not */
	uint32_t pf_error; /* with mem_err -EFAULT: the #PF error code */
	uint64_t pf_addr;
};

/* The device access: within the trapping region directly, else via the bus. */
static int mmio_access(struct mmio_ctx *m, uint64_t a, unsigned size, bool write, uint64_t *val)
{
	const struct bus_region *r = m->region;
	uint64_t off = a - r->base;

	if (off < r->len && size <= r->len - off)
		return r->dev->ops->access(r->dev, r->dev_offset + off, size, write, val);
	return bus_access(&m->v->vm->mmio, a, size, write, val);
}

static int cb_mmio_read(void *c, uint64_t a, unsigned size, uint64_t *val)
{
	return mmio_access(c, a, size, false, val);
}

static int cb_mmio_write(void *c, uint64_t a, unsigned size, uint64_t val)
{
	return mmio_access(c, a, size, true, &val);
}

static int cb_mem_read(void *c, uint64_t gla, void *buf, unsigned size)
{
	struct mmio_ctx *m = c;
	int err = gmem_read_linear(m->v->vm, gla, buf, size, &m->pf_error);

	if (err) {
		m->mem_err = err;
		m->pf_addr = gla;
	}
	return err;
}

static int cb_mem_write(void *c, uint64_t gla, const void *buf, unsigned size)
{
	struct mmio_ctx *m = c;
	int err = gmem_write_linear(m->v->vm, gla, buf, size, &m->pf_error);

	if (err) {
		m->mem_err = err;
		m->pf_addr = gla;
	}
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
	int n;

	*len = 0;
	while (*len < INSN_MAX) {
		n = gmem_fetch(v, la + *len, buf + *len, INSN_MAX - *len);
		if (n <= 0)
			break;
		*len += (size_t)n;
	}
	return *len ? 0 : -EFAULT;
}

static enum insn_mode decode_mode(void)
{
	unsigned bits = vmx_guest_code_bits();

	return bits == 64 ? INSN_MODE_64 : bits == 32 ? INSN_MODE_32 : INSN_MODE_16;
}

/* The emulator works on the vCPU's saved registers in place. */
_Static_assert(offsetof(struct insn_regs, gpr) == offsetof(struct vmx_vcpu, gpr), "layout");
_Static_assert(offsetof(struct insn_regs, rip) == offsetof(struct vmx_vcpu, rip), "layout");
_Static_assert(offsetof(struct insn_regs, rflags) == offsetof(struct vmx_vcpu, rflags), "layout");
_Static_assert((int)INSN_NR_GPRS == (int)NR_GPRS && (int)INSN_RSP == (int)GPR_RSP, "register numbering");

/*
 * Decode, or reuse the last decode when the bytes and mode are the same
 * (a driver polling a register executes one instruction again and again).
 * Decoding is a pure function of both, so the reuse is exact.
 */
static int decode(struct vcpu *v, const uint8_t *bytes, size_t len, struct insn **out)
{
	struct decode_cache *c = &v->decoded;
	enum insn_mode mode = decode_mode();
	uint64_t w[2] = { 0, 0 };

	memcpy(w, bytes, len < sizeof(w) ? len : sizeof(w));
	if (c->valid && c->mode == mode && (w[0] & c->mask[0]) == c->bytes[0] &&
	    (w[1] & c->mask[1]) == c->bytes[1]) {
		*out = &c->in;
		return 0;
	}
	c->valid = false;
	if (insn_decode(bytes, len, mode, &c->in))
		return -EINVAL;
	c->mask[0] = c->in.len >= 8 ? ~0ull : (1ull << (8 * c->in.len)) - 1;
	c->mask[1] = c->in.len <= 8 ? 0 : c->in.len >= 16 ? ~0ull : (1ull << (8 * (c->in.len - 8))) - 1;
	c->bytes[0] = w[0] & c->mask[0];
	c->bytes[1] = w[1] & c->mask[1];
	c->mode = mode;
	c->valid = true;
	*out = &c->in;
	return 0;
}

static enum exit_action emulate(struct vcpu *v, const struct vmexit *e,
				const struct bus_region *region)
{
	struct mmio_ctx ctx = { .v = v, .region = region };
	struct insn_regs *regs = (struct insn_regs *)&v->arch;
	uint64_t rsp, rflags;
	struct insn *in;
	uint8_t bytes[INSN_MAX];
	size_t len;
	int err;

	if (fetch(v, e->rip, bytes, &len))
		return vcpu_fatal(v, e, "MMIO access from an instruction that cannot be read");
	if (decode(v, bytes, len, &in))
		return vcpu_fatal(v, e, "MMIO access by an instruction Basalt does not emulate");
	rsp = regs->gpr[GPR_RSP] = vmx_guest_rsp();
	rflags = regs->rflags = vmx_guest_rflags();
	regs->rip = e->rip;
	err = insn_emulate(in, regs, e->gpa, e->gla, &mmio_ops, &ctx);
	if (err) {
		/* Registers keep the progress of a REP run; RIP stays on it. */
		if (ctx.mem_err == -EFAULT) {
			vcpu_inject_pf(v, ctx.pf_addr, ctx.pf_error);
			return EXIT_RESUME;
		}
		if (ctx.mem_err == -ERANGE) {
			vcpu_inject_gp(v);
			return EXIT_RESUME;
		}
		return vcpu_fatal(v, e, "MMIO emulation failed");
	}
	if (regs->gpr[GPR_RSP] != rsp)
		vmx_set_guest_rsp(regs->gpr[GPR_RSP]); /* e.g. mov (mmio), %esp */
	vmx_set_guest_rip(regs->rip);
	if (regs->rflags != rflags)
		vmx_set_guest_rflags(regs->rflags);
	return EXIT_RESUME;
}

enum exit_action exit_ept_violation(struct vcpu *v, const struct vmexit *e)
{
	struct vm *vm = v->vm;
	const struct bus_region *r = bus_find(&vm->mmio, e->gpa);

	if (!r && gmem_is_ram(vm, gpa(e->gpa)))
		return vcpu_fatal(v, e, "EPT violation inside guest RAM");
	/*
	 * The access was the CPU delivering an event (its IDT, GDT or stack
	 * lies outside RAM), not the instruction at RIP: nothing to emulate,
	 * and resuming would lose the event.
	 */
	if (e->vect_info & INTR_INFO_VALID)
		return vcpu_fatal(v, e, "event delivery touched memory outside RAM (IDT, GDT or stack)");
	if (e->qual & EPTQ_FETCH || !r) {
		vm_err(vm, "%s of unmapped guest-physical %#lx at RIP %#lx\n", access_kind(e->qual),
		       (unsigned long)e->gpa, (unsigned long)e->rip);
		vm_stop(vm, VM_STOP_CRASH, "%s of unmapped guest-physical %#lx", access_kind(e->qual),
			(unsigned long)e->gpa);
		return EXIT_STOP;
	}
	return emulate(v, e, r);
}
