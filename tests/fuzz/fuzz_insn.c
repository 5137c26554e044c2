// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the MMIO instruction decoder and emulator
 * (vmm/insn.c): the bytes at a guest's RIP are the guest's to choose.
 *
 * Input:
 *   byte 0   bits 0-1 mode (3 = 64-bit too), bit 2 RFLAGS.DF,
 *            bits 3-4 MOVS: mmio_gla is the rSI address, the rDI one, or neither,
 *            bits 5-7 which callback fails (7: none)
 *   byte 1   n, the instruction buffer length (mod 17, so 16 is reached)
 *   n bytes  the instruction buffer, decoded from an exact-size heap copy
 *   the rest seeds registers, the MMIO GPA's page offset and callback values
 *
 * Checked: decode returns 0, -E2BIG (only when n < 15) or -EINVAL; a
 * decoded instruction is sane, no longer than n or 15, decodes the same
 * from exactly len bytes, and is -E2BIG from every shorter prefix. Then
 * emulation: every access has the instruction's size, MMIO accesses stay
 * in mmio_gpa's page (the first excepted) and number at most
 * INSN_REP_MAX, only the registers the form may write change, RFLAGS only
 * in its arithmetic bits and only for ALU forms, RIP advances by len
 * unless a REP run is left for the guest to re-execute.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/insn.c"

#define CHECK(c)                           \
	do {                               \
		if (!(c))                  \
			__builtin_trap();  \
	} while (0)

struct fz {
	uint64_t seed;
	unsigned calls, mmio_calls;
	int fail_at;
	uint64_t gpa;          /* the trapping access */
	unsigned size;         /* what every access must be */
};
static struct fz f;

static uint64_t next_val(struct fz *s)
{
	s->seed = s->seed * 6364136223846793005ull + 1442695040888963407ull;
	return s->seed >> 11;
}

static int call(struct fz *s, unsigned size, bool mmio, uint64_t addr)
{
	CHECK(size == s->size);
	if (mmio) {
		uint64_t page = s->gpa & ~(uint64_t)(INSN_PAGE_SIZE - 1);

		CHECK(s->mmio_calls == 0 ? addr == s->gpa :
		      (addr & ~(uint64_t)(INSN_PAGE_SIZE - 1)) == page);
		CHECK(++s->mmio_calls <= INSN_REP_MAX);
	}
	return (int)s->calls++ == s->fail_at ? -EIO : 0;
}

static int fz_mmio_read(void *ctx, uint64_t gpa, unsigned size, uint64_t *val)
{
	*val = next_val(ctx); /* upper bytes set: the emulator must mask */
	return call(ctx, size, true, gpa);
}

static int fz_mmio_write(void *ctx, uint64_t gpa, unsigned size, uint64_t val)
{
	CHECK((val & ~size_mask(size)) == 0);
	return call(ctx, size, true, gpa);
}

static int fz_mem_read(void *ctx, uint64_t gla, void *buf, unsigned size)
{
	uint64_t v = next_val(ctx);

	memcpy(buf, &v, size); /* ASan: size must fit the emulator's buffer */
	return call(ctx, size, false, gla);
}

static int fz_mem_write(void *ctx, uint64_t gla, const void *buf, unsigned size)
{
	uint8_t copy[8];

	memcpy(copy, buf, size);
	return call(ctx, size, false, gla);
}

static const struct insn_mem_ops fz_ops = {
	fz_mmio_read, fz_mmio_write, fz_mem_read, fz_mem_write,
};

static bool same(const struct insn *a, const struct insn *b)
{
	return a->op == b->op && a->mode == b->mode && a->len == b->len && a->opsize == b->opsize &&
	       a->access_size == b->access_size && a->addrsize == b->addrsize && a->reg == b->reg &&
	       a->reg_high8 == b->reg_high8 && a->mem_first == b->mem_first &&
	       a->has_imm == b->has_imm && a->lock == b->lock && a->rip_relative == b->rip_relative &&
	       a->ext == b->ext && a->rep == b->rep && a->seg == b->seg && a->imm == b->imm;
}

static void check_decoded(const struct insn *in, const uint8_t *buf, size_t n, enum insn_mode mode)
{
	struct insn again;

	CHECK(in->len >= 1 && in->len <= n && in->len <= INSN_MAX_LEN);
	CHECK(insn_sane(in) && in->op != INSN_OP_NONE && in->mode == mode);
	CHECK(!in->reg_high8 || in->opsize == 1);
	CHECK(in->ext != INSN_EXT_NONE || in->access_size == in->opsize);
	CHECK(in->rep == INSN_REP_NONE || in->op == INSN_OP_MOVS || in->op == INSN_OP_STOS);
	CHECK(insn_decode(buf, in->len, mode, &again) == 0 && same(in, &again));
	for (size_t k = 0; k < in->len; k++)
		CHECK(insn_decode(buf, k, mode, &again) == -E2BIG);
}

/* Which registers the form may write. */
static uint32_t writable(const struct insn *in)
{
	switch (in->op) {
	case INSN_OP_MOVS:
		return 1u << INSN_RSI | 1u << INSN_RDI | 1u << INSN_RCX;
	case INSN_OP_STOS:
		return 1u << INSN_RDI | 1u << INSN_RCX;
	case INSN_OP_CMP: case INSN_OP_TEST:
		return 0;
	default:
		return in->mem_first && in->op != INSN_OP_XCHG ? 0 : 1u << in->reg;
	}
}

static void check_emulation(const struct insn *in, const struct insn_regs *before,
			    const struct insn_regs *after, int rc)
{
	bool string = in->op == INSN_OP_MOVS || in->op == INSN_OP_STOS;
	bool alu = !string && in->op != INSN_OP_MOV && in->op != INSN_OP_XCHG;
	unsigned ip = in->mode == INSN_MODE_64 ? 64 : in->mode == INSN_MODE_32 ? 32 : 16;
	uint64_t ipmask = ip == 64 ? ~0ull : (1ull << ip) - 1;
	uint64_t cmask = size_mask(in->addrsize);

	CHECK(rc == 0 || rc == -EIO || rc == -EINVAL);
	for (unsigned i = 0; i < INSN_NR_GPRS; i++)
		CHECK(after->gpr[i] == before->gpr[i] || (writable(in) >> i & 1));
	CHECK(((after->rflags ^ before->rflags) & ~(alu ? INSN_RFLAGS_ARITH : 0)) == 0);
	if (!string) {
		CHECK(after->rip == (rc ? before->rip : (before->rip + in->len) & ipmask));
		CHECK(rc || f.mmio_calls >= 1);
		return;
	}
	if (in->rep) {
		uint64_t c0 = before->gpr[INSN_RCX] & cmask, c1 = after->gpr[INSN_RCX] & cmask;

		/* elements done: one MMIO call each, plus a failed one */
		CHECK(c1 <= c0 && c0 - c1 <= INSN_REP_MAX);
		CHECK(f.mmio_calls == c0 - c1 || (rc && f.mmio_calls == c0 - c1 + 1));
		CHECK(after->rip == (rc || c1 ? before->rip : (before->rip + in->len) & ipmask));
	} else {
		CHECK(f.mmio_calls <= 1 && after->gpr[INSN_RCX] == before->gpr[INSN_RCX]);
		CHECK(after->rip == (rc ? before->rip : (before->rip + in->len) & ipmask));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct insn_regs regs, before;
	enum insn_mode mode;
	struct insn in;
	uint8_t *buf;
	size_t n;
	unsigned side;
	uint64_t gla;
	int rc;

	if (size < 2)
		return 0;
	mode = (data[0] & 3) == 3 ? INSN_MODE_64 : (enum insn_mode)(data[0] & 3);
	n = data[1] % 17;
	if (n > size - 2)
		n = size - 2;
	buf = malloc(n); /* ASan flags any byte of a 0-byte block */
	memcpy(buf, data + 2, n);
	rc = insn_decode(buf, n, mode, &in);
	CHECK(rc == 0 || rc == -EINVAL || rc == -E2BIG);
	CHECK(rc != -E2BIG || n < INSN_MAX_LEN);
	if (rc) {
		free(buf);
		return 0;
	}
	check_decoded(&in, buf, n, mode);

	/* Registers and callback values from the rest of the input. */
	memset(&f, 0, sizeof(f));
	for (size_t i = 2 + n; i < size; i++)
		f.seed = (f.seed ^ data[i]) * 0x100000001b3ull;
	for (unsigned i = 0; i < INSN_NR_GPRS; i++)
		regs.gpr[i] = next_val(&f) >> (next_val(&f) & 63);
	regs.rip = next_val(&f) >> (next_val(&f) & 63);
	regs.rflags = (next_val(&f) & ~INSN_RFLAGS_DF) | (data[0] & 4 ? INSN_RFLAGS_DF : 0);
	f.gpa = next_val(&f) >> (next_val(&f) & 63);
	f.size = in.access_size;
	f.fail_at = (data[0] >> 5) == 7 ? -1 : data[0] >> 5;
	side = (data[0] >> 3) & 3;
	gla = side == 0 ? regs.gpr[INSN_RSI] & size_mask(in.addrsize) :
	      side == 1 ? regs.gpr[INSN_RDI] & size_mask(in.addrsize) : next_val(&f);
	before = regs;
	rc = insn_emulate(&in, &regs, f.gpa, gla, &fz_ops, &f);
	check_emulation(&in, &before, &regs, rc);
	free(buf);
	return 0;
}
