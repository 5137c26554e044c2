// SPDX-License-Identifier: MIT
/*
 * Port I/O exits (SDM Vol. 3C, "Exit Qualification for I/O
 * Instructions"): routed to the VM's port bus. A port nobody claims reads
 * as all ones and ignores writes, as on a PC.
 *
 *   bits 2:0 size - 1    bit 3 IN    bit 4 string    bit 5 REP
 *   bit 6 immediate port              bits 31:16 port
 *
 * String forms (INS/OUTS) move at most STRING_BATCH elements per exit and
 * leave RIP on the instruction while RCX is not exhausted, so a guest's
 * REP cannot hold the CPU in one exit.
 */
#include "arch/x86_64/lib/errno.h"
#include "arch/x86_64/vmx_vcpu.h"
#include "vmm/exit.h"
#include "vmm/gmem.h"
#include "vmm/vm.h"

#define IOQ_SIZE(q)   ((unsigned)((q) & 7) + 1)
#define IOQ_IN        (1u << 3)
#define IOQ_STRING    (1u << 4)
#define IOQ_REP       (1u << 5)
#define IOQ_PORT(q)   ((uint16_t)((q) >> 16))
#define RFLAGS_DF     (1ull << 10)
#define STRING_BATCH  256

static uint64_t size_mask(unsigned size)
{
	return size == 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

static uint64_t port_read(struct vm *vm, uint16_t port, unsigned size)
{
	uint64_t val = 0;

	if (bus_access(&vm->pio, port, size, false, &val))
		val = ~0ull;
	return val & size_mask(size);
}

static void port_write(struct vm *vm, uint16_t port, unsigned size, uint64_t val)
{
	(void)bus_access(&vm->pio, port, size, true, &val);
}

/* Merge an IN result into RAX: 32-bit results zero-extend, smaller ones merge. */
static uint64_t merge_rax(uint64_t rax, uint64_t val, unsigned size)
{
	if (size == 4)
		return (uint32_t)val;
	return (rax & ~size_mask(size)) | (val & size_mask(size));
}

static enum exit_action string_io(struct vcpu *v, const struct vmexit *e)
{
	uint64_t *g = v->arch.gpr;
	unsigned size = IOQ_SIZE(e->qual), bits = vmx_guest_code_bits();
	uint64_t amask = bits == 64 ? ~0ull : bits == 32 ? 0xffffffffull : 0xffff;
	bool in = e->qual & IOQ_IN, rep = e->qual & IOQ_REP;
	int64_t step = vmx_guest_rflags() & RFLAGS_DF ? -(int64_t)size : (int64_t)size;
	int idx = in ? GPR_RDI : GPR_RSI;
	unsigned n = 0;

	while ((!rep || (g[GPR_RCX] & amask)) && n < STRING_BATCH) {
		uint64_t la = (g[idx] & amask) + (in ? 0 : vmx_guest_ds_base());
		uint64_t val = 0;
		uint32_t pf = 0;
		int err;

		if (in) {
			val = port_read(v->vm, IOQ_PORT(e->qual), size);
			err = gmem_write_linear(v->vm, la, &val, size, &pf);
		} else {
			err = gmem_read_linear(v->vm, la, &val, size, &pf);
			if (!err)
				port_write(v->vm, IOQ_PORT(e->qual), size, val);
		}
		if (err == -EFAULT) {
			vcpu_inject_pf(v, la, pf);
			return EXIT_RESUME;
		}
		if (err == -ERANGE) {
			vcpu_inject_gp(v);
			return EXIT_RESUME;
		}
		if (err)
			return vcpu_fatal(v, e, "string I/O to memory outside guest RAM");
		g[idx] = (g[idx] & ~amask) | ((g[idx] + (uint64_t)step) & amask);
		n++;
		if (!rep)
			return EXIT_SKIP;
		g[GPR_RCX] = (g[GPR_RCX] & ~amask) | ((g[GPR_RCX] - 1) & amask);
	}
	return (g[GPR_RCX] & amask) ? EXIT_RESUME : EXIT_SKIP;
}

enum exit_action exit_io(struct vcpu *v, const struct vmexit *e)
{
	uint64_t *g = v->arch.gpr;
	unsigned size = IOQ_SIZE(e->qual);

	if (size != 1 && size != 2 && size != 4)
		return vcpu_fatal(v, e, "I/O exit with impossible size");
	if (e->qual & IOQ_STRING)
		return string_io(v, e);
	if (e->qual & IOQ_IN)
		g[GPR_RAX] = merge_rax(g[GPR_RAX], port_read(v->vm, IOQ_PORT(e->qual), size), size);
	else
		port_write(v->vm, IOQ_PORT(e->qual), size, g[GPR_RAX] & size_mask(size));
	return EXIT_SKIP;
}
