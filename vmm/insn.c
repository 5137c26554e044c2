// SPDX-License-Identifier: MIT
/*
 * Decoding and emulating the instructions that touch MMIO (see insn.h).
 *
 * The decoder follows SDM Vol. 2A, chapter 2 "Instruction Format":
 *
 *   legacy prefixes   REX     opcode     ModRM  SIB   disp      imm / moffs
 *   0-14 bytes        0-1     1-2        0-1    0-1   0/1/2/4   0/1/2/4/8
 *
 * Only the length of the addressing bytes matters here: the CPU reports
 * the guest-physical address of the access, so the effective address is
 * never computed (except rSI/rDI for MOVS, to tell its sides apart).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86_64/lib/errno.h"
#include "vmm/insn.h"

/* --- decoding ------------------------------------------------------------ */

/* What an opcode is: its operation and the shape of its operands. */
#define D_MODRM  (1u << 0)  /* ModRM follows; its r/m must be memory */
#define D_BYTE   (1u << 1)  /* 8-bit operands */
#define D_LOAD   (1u << 2)  /* the register is the first (destination) operand */
#define D_IMM8   (1u << 3)  /* imm8, sign-extended */
#define D_IMMZ   (1u << 4)  /* imm16, or imm32 sign-extended for 32/64-bit operands */
#define D_GRP1   (1u << 5)  /* ModRM.reg picks the ALU operation (80 81 83) */
#define D_REG0   (1u << 6)  /* ModRM.reg must be 0 (C6 C7 F6 F7) */
#define D_MOFFS  (1u << 7)  /* rAX and an address-size offset (A0-A3) */
#define D_STRING (1u << 8)  /* rSI/rDI string form */
#define D_SRC8   (1u << 9)  /* memory operand narrower than the register */
#define D_SRC16  (1u << 10)
#define D_SRC32  (1u << 11)
#define D_SEXT   (1u << 12) /* ... and sign-extended (else zero-extended) */
#define D_LONG   (1u << 13) /* valid in 64-bit mode only */

struct opdesc {
	uint8_t op; /* enum insn_op; INSN_OP_NONE: unsupported */
	uint16_t flags;
};

/* The four ModRM forms of an ALU opcode row: Eb,Gb  Ev,Gv  Gb,Eb  Gv,Ev. */
#define ALU_ROW(base, o)                                        \
	[(base) + 0] = { o, D_MODRM | D_BYTE },                 \
	[(base) + 1] = { o, D_MODRM },                          \
	[(base) + 2] = { o, D_MODRM | D_BYTE | D_LOAD },        \
	[(base) + 3] = { o, D_MODRM | D_LOAD }

static const struct opdesc one_byte[256] = {
	ALU_ROW(0x00, INSN_OP_ADD),
	ALU_ROW(0x08, INSN_OP_OR),
	ALU_ROW(0x20, INSN_OP_AND),
	ALU_ROW(0x28, INSN_OP_SUB),
	ALU_ROW(0x30, INSN_OP_XOR),
	ALU_ROW(0x38, INSN_OP_CMP),
	[0x63] = { INSN_OP_MOV, D_MODRM | D_LOAD | D_SRC32 | D_SEXT | D_LONG },
	[0x80] = { INSN_OP_NONE, D_MODRM | D_BYTE | D_IMM8 | D_GRP1 },
	[0x81] = { INSN_OP_NONE, D_MODRM | D_IMMZ | D_GRP1 },
	[0x83] = { INSN_OP_NONE, D_MODRM | D_IMM8 | D_GRP1 },
	[0x84] = { INSN_OP_TEST, D_MODRM | D_BYTE },
	[0x85] = { INSN_OP_TEST, D_MODRM },
	[0x86] = { INSN_OP_XCHG, D_MODRM | D_BYTE },
	[0x87] = { INSN_OP_XCHG, D_MODRM },
	[0x88] = { INSN_OP_MOV, D_MODRM | D_BYTE },
	[0x89] = { INSN_OP_MOV, D_MODRM },
	[0x8a] = { INSN_OP_MOV, D_MODRM | D_BYTE | D_LOAD },
	[0x8b] = { INSN_OP_MOV, D_MODRM | D_LOAD },
	[0xa0] = { INSN_OP_MOV, D_MOFFS | D_BYTE | D_LOAD },
	[0xa1] = { INSN_OP_MOV, D_MOFFS | D_LOAD },
	[0xa2] = { INSN_OP_MOV, D_MOFFS | D_BYTE },
	[0xa3] = { INSN_OP_MOV, D_MOFFS },
	[0xa4] = { INSN_OP_MOVS, D_STRING | D_BYTE },
	[0xa5] = { INSN_OP_MOVS, D_STRING },
	[0xaa] = { INSN_OP_STOS, D_STRING | D_BYTE },
	[0xab] = { INSN_OP_STOS, D_STRING },
	[0xc6] = { INSN_OP_MOV, D_MODRM | D_BYTE | D_IMM8 | D_REG0 },
	[0xc7] = { INSN_OP_MOV, D_MODRM | D_IMMZ | D_REG0 },
	[0xf6] = { INSN_OP_TEST, D_MODRM | D_BYTE | D_IMM8 | D_REG0 },
	[0xf7] = { INSN_OP_TEST, D_MODRM | D_IMMZ | D_REG0 },
};

/* 0F xx */
static const struct opdesc two_byte[256] = {
	[0xb6] = { INSN_OP_MOV, D_MODRM | D_LOAD | D_SRC8 },
	[0xb7] = { INSN_OP_MOV, D_MODRM | D_LOAD | D_SRC16 },
	[0xbe] = { INSN_OP_MOV, D_MODRM | D_LOAD | D_SRC8 | D_SEXT },
	[0xbf] = { INSN_OP_MOV, D_MODRM | D_LOAD | D_SRC16 | D_SEXT },
};

/* Group 1 (80 81 83) by ModRM.reg; ADC and SBB are not supported. */
static const uint8_t group1[8] = {
	INSN_OP_ADD, INSN_OP_OR, INSN_OP_NONE, INSN_OP_NONE,
	INSN_OP_AND, INSN_OP_SUB, INSN_OP_XOR, INSN_OP_CMP,
};

#define PFX_OPSIZE   0x66
#define PFX_ADDRSIZE 0x67
#define PFX_LOCK     0xf0
#define PFX_REPNE    0xf2
#define PFX_REP      0xf3
#define OPC_ESCAPE   0x0f /* two-byte opcodes */

/* REX: 0100WRXB (SDM Vol. 2A, "REX Prefixes"). */
#define REX_MASK 0xf0
#define REX_BASE 0x40
#define REX_W    0x08
#define REX_R    0x04

#define MODRM_MOD(m) ((m) >> 6)
#define MODRM_REG(m) (((m) >> 3) & 7)
#define MODRM_RM(m)  ((m) & 7)
#define MOD_REG      3 /* mod 11b: r/m is a register */
#define RM_SIB       4 /* r/m 100b: a SIB byte follows (32/64-bit addressing) */
#define RM_DISP32    5 /* r/m 101b with mod 00b: disp32 only (RIP-relative in long mode) */
#define RM16_DISP16  6 /* r/m 110b with mod 00b: disp16 only (16-bit addressing) */
#define SIB_BASE(s)  ((s) & 7)
#define SIB_BASE_NONE 5 /* base 101b with mod 00b: disp32, no base */

struct dec {
	const uint8_t *buf;
	size_t len;
	size_t pos;
	enum insn_mode mode;
	uint8_t rex;
	bool opsize_prefix, addrsize_prefix;
	enum insn_rep rep;
};

/* The next byte; -EINVAL past the architectural limit, -E2BIG past len. */
static int fetch(struct dec *d, uint8_t *b)
{
	if (d->pos >= INSN_MAX_LEN)
		return -EINVAL;
	if (d->pos >= d->len)
		return -E2BIG;
	*b = d->buf[d->pos++];
	return 0;
}

/* An n-byte little-endian field (n <= 8). */
static int fetch_le(struct dec *d, unsigned n, uint64_t *v)
{
	*v = 0;
	for (unsigned i = 0; i < n; i++) {
		uint8_t b;
		int err = fetch(d, &b);

		if (err)
			return err;
		*v |= (uint64_t)b << (8 * i);
	}
	return 0;
}

static enum insn_seg seg_prefix(uint8_t b)
{
	switch (b) {
	case 0x26: return INSN_SEG_ES;
	case 0x2e: return INSN_SEG_CS;
	case 0x36: return INSN_SEG_SS;
	case 0x3e: return INSN_SEG_DS;
	case 0x64: return INSN_SEG_FS;
	case 0x65: return INSN_SEG_GS;
	default: return INSN_SEG_DEFAULT;
	}
}

/* Apply b if it is a legacy prefix (SDM Vol. 2A, "Legacy Prefixes"). */
static bool legacy_prefix(struct dec *d, struct insn *in, uint8_t b)
{
	switch (b) {
	case PFX_OPSIZE:
		d->opsize_prefix = true;
		break;
	case PFX_ADDRSIZE:
		d->addrsize_prefix = true;
		break;
	case PFX_LOCK:
		in->lock = true;
		break;
	case PFX_REPNE:
		d->rep = INSN_REP_NE;
		break;
	case PFX_REP:
		d->rep = INSN_REP_E;
		break;
	default:
		if (seg_prefix(b) == INSN_SEG_DEFAULT)
			return false;
		in->seg = seg_prefix(b);
	}
	return true;
}

/*
 * Consume the prefixes and return the first opcode byte. A REX prefix
 * counts only immediately before the opcode: one followed by a legacy
 * prefix is ignored (SDM Vol. 2A, "REX Prefixes"). 40-4F are INC/DEC
 * outside 64-bit mode, hence opcodes there.
 */
static int decode_prefixes(struct dec *d, struct insn *in, uint8_t *opcode)
{
	for (;;) {
		uint8_t b;
		int err = fetch(d, &b);

		if (err)
			return err;
		if (d->mode == INSN_MODE_64 && (b & REX_MASK) == REX_BASE) {
			d->rex = b;
		} else if (legacy_prefix(d, in, b)) {
			d->rex = 0;
		} else {
			*opcode = b;
			return 0;
		}
	}
}

/* SDM Vol. 1, "Operand-Size and Address-Size Attributes" (and 64-bit mode). */
static void decode_sizes(struct dec *d, struct insn *in, uint16_t flags)
{
	if (flags & D_BYTE)
		in->opsize = 1;
	else if (d->mode == INSN_MODE_64 && (d->rex & REX_W))
		in->opsize = 8;
	else if (d->mode == INSN_MODE_16)
		in->opsize = d->opsize_prefix ? 4 : 2;
	else
		in->opsize = d->opsize_prefix ? 2 : 4;

	if (d->mode == INSN_MODE_64)
		in->addrsize = d->addrsize_prefix ? 4 : 8;
	else if (d->mode == INSN_MODE_32)
		in->addrsize = d->addrsize_prefix ? 2 : 4;
	else
		in->addrsize = d->addrsize_prefix ? 4 : 2;

	in->access_size = in->opsize;
	if (flags & (D_SRC8 | D_SRC16 | D_SRC32)) {
		in->access_size = flags & D_SRC8 ? 1 : flags & D_SRC16 ? 2 : 4;
		in->ext = flags & D_SEXT ? INSN_EXT_SIGN : INSN_EXT_ZERO;
	}
}

/*
 * The register named by ModRM.reg. Without any REX prefix, byte registers
 * 4-7 are AH CH DH BH; with one they are SPL BPL SIL DIL (SDM Vol. 2A,
 * "Byte Registers").
 */
static void decode_reg(struct dec *d, struct insn *in, unsigned reg)
{
	if (d->rex & REX_R)
		reg += 8;
	if (in->opsize == 1 && !d->rex && reg >= 4) {
		reg -= 4;
		in->reg_high8 = true;
	}
	in->reg = (uint8_t)reg;
}

/*
 * Skip the addressing bytes after ModRM: SIB and displacement (SDM Vol. 2A,
 * tables "16-Bit Addressing Forms with the ModR/M Byte", "32-Bit Addressing
 * Forms with the ModR/M Byte" and "... with the SIB Byte"). REX.B does not
 * change any of these special cases.
 */
static int skip_addressing(struct dec *d, struct insn *in, uint8_t modrm)
{
	unsigned mod = MODRM_MOD(modrm), rm = MODRM_RM(modrm), disp;
	uint64_t unused;
	int err;

	if (in->addrsize == 2) {
		disp = mod == 1 ? 1 : mod == 2 || rm == RM16_DISP16 ? 2 : 0;
		return fetch_le(d, disp, &unused);
	}
	disp = mod == 1 ? 1 : mod == 2 ? 4 : 0;
	if (rm == RM_SIB) {
		uint8_t sib;

		err = fetch(d, &sib);
		if (err)
			return err;
		if (mod == 0 && SIB_BASE(sib) == SIB_BASE_NONE)
			disp = 4;
	} else if (mod == 0 && rm == RM_DISP32) {
		disp = 4;
		in->rip_relative = d->mode == INSN_MODE_64;
	}
	return fetch_le(d, disp, &unused);
}

static int decode_modrm(struct dec *d, struct insn *in, uint16_t flags)
{
	uint8_t modrm;
	int err = fetch(d, &modrm);

	if (err)
		return err;
	if (MODRM_MOD(modrm) == MOD_REG)
		return -EINVAL; /* a register operand: no memory access to emulate */
	if (flags & D_GRP1) {
		in->op = group1[MODRM_REG(modrm)];
		if (in->op == INSN_OP_NONE)
			return -EINVAL;
	} else if (flags & D_REG0) {
		if (MODRM_REG(modrm) != 0)
			return -EINVAL;
	} else {
		decode_reg(d, in, MODRM_REG(modrm));
	}
	return skip_addressing(d, in, modrm);
}

static int decode_imm(struct dec *d, struct insn *in, uint16_t flags)
{
	unsigned n = flags & D_IMM8 ? 1 : in->opsize == 2 ? 2 : 4;
	uint64_t v, sign = 1ull << (8 * n - 1);
	int err = fetch_le(d, n, &v);

	if (err)
		return err;
	in->has_imm = true;
	in->imm = (v ^ sign) - sign;
	return 0;
}

/* LOCK is legal on read-modify-write forms with a memory destination only. */
static bool lock_ok(const struct insn *in)
{
	switch (in->op) {
	case INSN_OP_ADD: case INSN_OP_OR: case INSN_OP_AND:
	case INSN_OP_SUB: case INSN_OP_XOR: case INSN_OP_XCHG:
		return in->mem_first;
	default:
		return false;
	}
}

static int decode_opcode(struct dec *d, struct insn *in, uint8_t opcode,
			 const struct opdesc **desc)
{
	int err;

	*desc = &one_byte[opcode];
	if (opcode == OPC_ESCAPE) {
		err = fetch(d, &opcode);
		if (err)
			return err;
		*desc = &two_byte[opcode];
	}
	if (!(*desc)->flags || ((*desc)->flags & D_LONG && d->mode != INSN_MODE_64))
		return -EINVAL;
	in->op = (*desc)->op;
	return 0;
}

/* Everything after the opcode, in encoding order. */
static int decode_operands(struct dec *d, struct insn *in, uint16_t flags)
{
	uint64_t unused;
	int err = 0;

	decode_sizes(d, in, flags);
	if (in->access_size > in->opsize)
		return -EINVAL; /* 66 63: MOVSXD r16 reads 16 or 32 bits by vendor */
	in->mem_first = !(flags & D_LOAD);
	if (flags & D_MODRM)
		err = decode_modrm(d, in, flags);
	else if (flags & D_MOFFS)
		err = fetch_le(d, in->addrsize, &unused);
	else if (flags & D_STRING)
		in->rep = d->rep;
	if (!err && flags & (D_IMM8 | D_IMMZ))
		err = decode_imm(d, in, flags);
	return err;
}

int insn_decode(const uint8_t *buf, size_t len, enum insn_mode mode, struct insn *out)
{
	struct dec d = { .buf = buf, .len = len, .mode = mode };
	const struct opdesc *desc;
	uint8_t opcode;
	int err;

	*out = (struct insn){ .mode = mode };
	if (mode != INSN_MODE_16 && mode != INSN_MODE_32 && mode != INSN_MODE_64)
		return -EINVAL;
	err = decode_prefixes(&d, out, &opcode);
	if (!err)
		err = decode_opcode(&d, out, opcode, &desc);
	if (!err)
		err = decode_operands(&d, out, desc->flags);
	if (!err && out->lock && !lock_ok(out))
		err = -EINVAL; /* #UD on the CPU: it cannot have trapped on memory */
	if (err) {
		*out = (struct insn){ .mode = mode };
		return err;
	}
	out->len = (uint8_t)d.pos;
	return 0;
}

/* --- emulation ----------------------------------------------------------- */

static uint64_t size_mask(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

static uint64_t sign_extend(uint64_t v, unsigned size)
{
	uint64_t sign = 1ull << (8 * size - 1);

	return ((v & size_mask(size)) ^ sign) - sign;
}

static uint64_t reg_read(const struct insn_regs *regs, unsigned reg, bool high8, unsigned size)
{
	if (high8)
		return (regs->gpr[reg] >> 8) & 0xff;
	return regs->gpr[reg] & size_mask(size);
}

/*
 * Write like the CPU: 8- and 16-bit destinations merge, 32-bit ones
 * zero-extend (SDM Vol. 1, "General-Purpose Registers in 64-Bit Mode";
 * outside 64-bit mode the upper halves are not visible to the guest).
 */
static void reg_write(struct insn_regs *regs, unsigned reg, bool high8, unsigned size,
		      uint64_t val)
{
	uint64_t *r = &regs->gpr[reg];

	if (high8)
		*r = (*r & ~0xff00ull) | (val & 0xff) << 8;
	else if (size < 4)
		*r = (*r & ~size_mask(size)) | (val & size_mask(size));
	else
		*r = val & size_mask(size);
}

static void advance_rip(const struct insn *in, struct insn_regs *regs)
{
	unsigned ip_size = in->mode == INSN_MODE_64 ? 8 : in->mode == INSN_MODE_32 ? 4 : 2;

	regs->rip = (regs->rip + in->len) & size_mask(ip_size);
}

/* PF: set when the low byte of the result has an even number of ones. */
static bool parity_even(uint64_t v)
{
	uint8_t x = (uint8_t)v;

	x ^= x >> 4;
	x ^= x >> 2;
	x ^= x >> 1;
	return !(x & 1);
}

/*
 * RFLAGS after r = a op b at size bytes (SDM Vol. 1, "Status Flags"): the
 * carry and overflow of the unsigned and signed interpretations, AF the
 * carry out of bit 3. The logical operations clear CF, OF and AF.
 */
static uint64_t alu_flags(enum insn_op op, uint64_t a, uint64_t b, uint64_t r, unsigned size)
{
	uint64_t m = size_mask(size), sign = 1ull << (8 * size - 1), f = 0;

	a &= m, b &= m, r &= m;
	if (op == INSN_OP_ADD) {
		f |= r < a ? INSN_RFLAGS_CF : 0;
		f |= (a ^ r) & (b ^ r) & sign ? INSN_RFLAGS_OF : 0;
		f |= (a ^ b ^ r) & INSN_RFLAGS_AF;
	} else if (op == INSN_OP_SUB || op == INSN_OP_CMP) {
		f |= a < b ? INSN_RFLAGS_CF : 0;
		f |= (a ^ b) & (a ^ r) & sign ? INSN_RFLAGS_OF : 0;
		f |= (a ^ b ^ r) & INSN_RFLAGS_AF;
	}
	f |= r ? 0 : INSN_RFLAGS_ZF;
	f |= r & sign ? INSN_RFLAGS_SF : 0;
	f |= parity_even(r) ? INSN_RFLAGS_PF : 0;
	return f;
}

static uint64_t alu_result(enum insn_op op, uint64_t a, uint64_t b)
{
	switch (op) {
	case INSN_OP_ADD: return a + b;
	case INSN_OP_OR: return a | b;
	case INSN_OP_AND: case INSN_OP_TEST: return a & b;
	case INSN_OP_XOR: return a ^ b;
	default: return a - b; /* SUB, CMP */
	}
}

/* The second operand: the immediate or the register. */
static uint64_t source(const struct insn *in, const struct insn_regs *regs)
{
	if (in->has_imm)
		return in->imm & size_mask(in->opsize);
	return reg_read(regs, in->reg, in->reg_high8, in->opsize);
}

/* MOV, MOVZX, MOVSX, MOVSXD. */
static int emulate_mov(const struct insn *in, struct insn_regs *regs, uint64_t gpa,
		       const struct insn_mem_ops *ops, void *ctx)
{
	uint64_t v;
	int err;

	if (in->mem_first)
		return ops->mmio_write(ctx, gpa, in->access_size, source(in, regs));
	err = ops->mmio_read(ctx, gpa, in->access_size, &v);
	if (err)
		return err;
	v &= size_mask(in->access_size);
	if (in->ext == INSN_EXT_SIGN)
		v = sign_extend(v, in->access_size);
	reg_write(regs, in->reg, in->reg_high8, in->opsize, v);
	return 0;
}

static int emulate_alu(const struct insn *in, struct insn_regs *regs, uint64_t gpa,
		       const struct insn_mem_ops *ops, void *ctx)
{
	uint64_t mem, other = source(in, regs), a, b, r;
	int err = ops->mmio_read(ctx, gpa, in->opsize, &mem);

	if (err)
		return err;
	mem &= size_mask(in->opsize);
	a = in->mem_first ? mem : other;
	b = in->mem_first ? other : mem;
	r = alu_result(in->op, a, b) & size_mask(in->opsize);
	if (in->op != INSN_OP_CMP && in->op != INSN_OP_TEST) {
		if (in->mem_first)
			err = ops->mmio_write(ctx, gpa, in->opsize, r);
		else
			reg_write(regs, in->reg, in->reg_high8, in->opsize, r);
		if (err)
			return err;
	}
	regs->rflags = (regs->rflags & ~INSN_RFLAGS_ARITH) | alu_flags(in->op, a, b, r, in->opsize);
	return 0;
}

/* XCHG with memory is always locked: read, then write, one device access each. */
static int emulate_xchg(const struct insn *in, struct insn_regs *regs, uint64_t gpa,
			const struct insn_mem_ops *ops, void *ctx)
{
	uint64_t mem;
	int err = ops->mmio_read(ctx, gpa, in->opsize, &mem);

	if (!err)
		err = ops->mmio_write(ctx, gpa, in->opsize, source(in, regs));
	if (!err)
		reg_write(regs, in->reg, in->reg_high8, in->opsize, mem);
	return err;
}

/* --- string forms -------------------------------------------------------- */

static void le_store(uint8_t *buf, uint64_t v, unsigned size)
{
	for (unsigned i = 0; i < size; i++)
		buf[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t le_load(const uint8_t *buf, unsigned size)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)buf[i] << (8 * i);
	return v;
}

/* Elements from gpa on that stay inside its page, going up or down; at least 1. */
static uint64_t page_room(uint64_t gpa, unsigned size, bool down)
{
	uint64_t off = gpa & (INSN_PAGE_SIZE - 1);
	uint64_t room = down ? off / size + 1 : (INSN_PAGE_SIZE - off) / size;

	return room ? room : 1;
}

/* Which side of a MOVS trapped: the source (rSI) or the destination (rDI). */
static int movs_side(const struct insn *in, const struct insn_regs *regs, uint64_t gla,
		     const struct insn_mem_ops *ops, bool *mmio_src)
{
	uint64_t amask = size_mask(in->addrsize);

	if (!ops->mem_read || !ops->mem_write)
		return -EINVAL;
	*mmio_src = gla == (regs->gpr[INSN_RSI] & amask);
	if (!*mmio_src && gla != (regs->gpr[INSN_RDI] & amask))
		return -EINVAL;
	return 0;
}

/* One element at MMIO address gpa: STOS from rAX, MOVS to or from RAM. */
static int string_element(const struct insn *in, const struct insn_regs *regs, uint64_t gpa,
			  bool mmio_src, const struct insn_mem_ops *ops, void *ctx)
{
	unsigned size = in->access_size;
	uint64_t amask = size_mask(in->addrsize), v;
	uint8_t buf[8];
	int err;

	if (in->op == INSN_OP_STOS)
		return ops->mmio_write(ctx, gpa, size, reg_read(regs, INSN_RAX, false, size));
	if (mmio_src) {
		err = ops->mmio_read(ctx, gpa, size, &v);
		if (err)
			return err;
		le_store(buf, v, size);
		return ops->mem_write(ctx, regs->gpr[INSN_RDI] & amask, buf, size);
	}
	err = ops->mem_read(ctx, regs->gpr[INSN_RSI] & amask, buf, size);
	if (err)
		return err;
	return ops->mmio_write(ctx, gpa, size, le_load(buf, size));
}

/* rSI/rDI/rCX change as registers of the address size (SDM Vol. 2B, "REP"). */
static void index_add(struct insn_regs *regs, unsigned reg, unsigned addrsize, uint64_t step)
{
	reg_write(regs, reg, false, addrsize, regs->gpr[reg] + step);
}

/*
 * STOS and MOVS, one element or a bounded part of a REP run (see insn.h):
 * element i touches MMIO at gpa +/- i * size, which is right as long as it
 * stays in the page the CPU translated.
 */
static int emulate_string(const struct insn *in, struct insn_regs *regs, uint64_t gpa,
			  uint64_t gla, const struct insn_mem_ops *ops, void *ctx)
{
	unsigned size = in->access_size, as = in->addrsize;
	bool down = regs->rflags & INSN_RFLAGS_DF;
	uint64_t step = down ? -(uint64_t)size : size;
	uint64_t count = in->rep ? regs->gpr[INSN_RCX] & size_mask(as) : 1;
	uint64_t n = count, done;
	bool mmio_src = false;
	int err = 0;

	if (in->op == INSN_OP_MOVS && count) {
		err = movs_side(in, regs, gla, ops, &mmio_src);
		if (err)
			return err;
	}
	if (n > INSN_REP_MAX)
		n = INSN_REP_MAX;
	if (n > page_room(gpa, size, down))
		n = page_room(gpa, size, down);
	for (done = 0; done < n; done++) {
		err = string_element(in, regs, gpa + done * step, mmio_src, ops, ctx);
		if (err)
			break;
		index_add(regs, INSN_RDI, as, step);
		if (in->op == INSN_OP_MOVS)
			index_add(regs, INSN_RSI, as, step);
	}
	if (in->rep)
		reg_write(regs, INSN_RCX, false, as, count - done);
	if (!err && done == count)
		advance_rip(in, regs);
	return err;
}

/* Cheap checks that in can be used to index regs (it should come from insn_decode). */
static bool insn_sane(const struct insn *in)
{
	unsigned s = in->opsize, a = in->access_size;

	return in->reg < INSN_NR_GPRS && (!in->reg_high8 || in->reg < 4) &&
	       (s == 1 || s == 2 || s == 4 || s == 8) && (a == 1 || a == 2 || a == 4 || a == 8) &&
	       a <= s && (in->addrsize == 2 || in->addrsize == 4 || in->addrsize == 8);
}

int insn_emulate(const struct insn *in, struct insn_regs *regs, uint64_t mmio_gpa,
		 uint64_t mmio_gla, const struct insn_mem_ops *ops, void *ctx)
{
	int err;

	if (!insn_sane(in))
		return -EINVAL;
	switch (in->op) {
	case INSN_OP_MOV:
		err = emulate_mov(in, regs, mmio_gpa, ops, ctx);
		break;
	case INSN_OP_ADD: case INSN_OP_OR: case INSN_OP_AND: case INSN_OP_SUB:
	case INSN_OP_XOR: case INSN_OP_CMP: case INSN_OP_TEST:
		err = emulate_alu(in, regs, mmio_gpa, ops, ctx);
		break;
	case INSN_OP_XCHG:
		err = emulate_xchg(in, regs, mmio_gpa, ops, ctx);
		break;
	case INSN_OP_MOVS: case INSN_OP_STOS:
		return emulate_string(in, regs, mmio_gpa, mmio_gla, ops, ctx);
	default:
		return -EINVAL;
	}
	if (!err)
		advance_rip(in, regs);
	return err;
}
