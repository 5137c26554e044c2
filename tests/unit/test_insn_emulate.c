// SPDX-License-Identifier: MIT
/*
 * vmm/insn.c, emulation: a memory-like fake device at MMIO_BASE and fake
 * RAM, both logging every access, behind real encodings (decoding itself
 * is test_insn.c). ALU results and flags are compared with what this
 * host's CPU computes for the same operation.
 */
#include <stdlib.h>

#include "vmm/insn.c"
#include "tests/unit/unit.h"

#define M16 INSN_MODE_16
#define M32 INSN_MODE_32
#define M64 INSN_MODE_64

/* --- helpers --------------------------------------------------------------- */

#include "tests/unit/insn_helpers.h"

/* --- emulation: a fake device and RAM ----------------------------------------- */

#define MMIO_BASE 0xfee00000ull  /* guest-physical, page aligned, two pages */
#define MMIO_GLA  0x7fff0000ull  /* where the guest maps it (linear) */
#define RAM_GLA   0x00400000ull  /* fake RAM (linear) */
#define LOG_MAX   8192

struct access {
	char kind; /* r w: MMIO read/write; R W: RAM read/write */
	uint64_t addr;
	unsigned size;
	uint64_t val;
};

static uint8_t dev[2 * INSN_PAGE_SIZE];
static uint8_t ram[INSN_PAGE_SIZE];
static struct access acc[LOG_MAX];
static unsigned nacc;
static int fail_at = -1; /* the callback with this index fails with -EIO */

static uint64_t ld(const uint8_t *p, unsigned size)
{
	uint64_t v = 0;

	memcpy(&v, p, size);
	return v;
}

static int record(char kind, uint64_t addr, unsigned size, uint64_t val)
{
	if (nacc == LOG_MAX)
		abort();
	if (size != 1 && size != 2 && size != 4 && size != 8)
		abort();
	acc[nacc] = (struct access){ kind, addr, size, val };
	return (int)nacc++ == fail_at ? -EIO : 0;
}

static int f_mmio_read(void *ctx, uint64_t gpa, unsigned size, uint64_t *val)
{
	if (gpa < MMIO_BASE || gpa - MMIO_BASE > sizeof(dev) - size)
		return -EFAULT;
	*val = ld(dev + (gpa - MMIO_BASE), size);
	return record('r', gpa, size, *val);
}

static int f_mmio_write(void *ctx, uint64_t gpa, unsigned size, uint64_t val)
{
	int err;

	if (gpa < MMIO_BASE || gpa - MMIO_BASE > sizeof(dev) - size)
		return -EFAULT;
	err = record('w', gpa, size, val);
	if (!err)
		memcpy(dev + (gpa - MMIO_BASE), &val, size);
	return err;
}

static int f_mem_read(void *ctx, uint64_t gla, void *buf, unsigned size)
{
	if (gla < RAM_GLA || gla - RAM_GLA > sizeof(ram) - size)
		return -EFAULT;
	memcpy(buf, ram + (gla - RAM_GLA), size);
	return record('R', gla, size, ld(buf, size));
}

static int f_mem_write(void *ctx, uint64_t gla, const void *buf, unsigned size)
{
	int err;

	if (gla < RAM_GLA || gla - RAM_GLA > sizeof(ram) - size)
		return -EFAULT;
	err = record('W', gla, size, ld(buf, size));
	if (!err)
		memcpy(ram + (gla - RAM_GLA), buf, size);
	return err;
}

static const struct insn_mem_ops fake_ops = {
	f_mmio_read, f_mmio_write, f_mem_read, f_mem_write,
};

static struct insn_regs R;
static struct insn last;

/* Fresh registers (gpr[i] = 0xa0a0...a0 | i), device and RAM, empty log. */
static void reset(void)
{
	for (unsigned i = 0; i < INSN_NR_GPRS; i++)
		R.gpr[i] = 0xa0a0a0a0a0a0a0a0ull | i;
	R.rip = 0x1000;
	R.rflags = 0x2;
	for (size_t i = 0; i < sizeof(dev); i++)
		dev[i] = (uint8_t)(0xf1 + i);
	for (size_t i = 0; i < sizeof(ram); i++)
		ram[i] = (uint8_t)(0x31 + i);
	nacc = 0;
	fail_at = -1;
}

/* Decode b[0..n) in mode and emulate it against the fake device at offset off. */
static int emu_bytes(enum insn_mode mode, const uint8_t *b, size_t n, uint64_t off, uint64_t gla)
{
	int rc = decode_exact(b, n, mode, &last);

	if (rc) {
		unit_fail(__FILE__, __LINE__, "%zu bytes [%02x %02x ...] do not decode: %d", n, b[0],
			  n > 1 ? b[1] : 0, rc);
		return rc;
	}
	return insn_emulate(&last, &R, MMIO_BASE + off, gla, &fake_ops, NULL);
}

static int emu_at(enum insn_mode mode, const char *h, uint64_t off, uint64_t gla)
{
	uint8_t b[16];
	size_t n = hex(h, b);

	return emu_bytes(mode, b, n, off, gla);
}

static int emu(enum insn_mode mode, const char *h)
{
	return emu_at(mode, h, 0, MMIO_GLA);
}

/* The device's bytes at off as a little-endian number. */
static uint64_t devq(uint64_t off, unsigned size)
{
	return ld(dev + off, size);
}

#define A ((uint64_t)0xa0a0a0a0a0a0a0a0ull)

TEST(emulate_loads)
{
	reset();
	CHECK_EQ_I(emu(M64, "8a 03"), 0); /* mov al,[rbx] */
	CHECK_EQ_U(R.gpr[INSN_RAX], (A & ~0xffull) | 0xf1);
	CHECK_EQ_U(nacc, 1);
	CHECK(acc[0].kind == 'r' && acc[0].addr == MMIO_BASE && acc[0].size == 1);
	CHECK_EQ_U(R.rip, 0x1002);
	CHECK_EQ_U(R.rflags, 0x2);
	reset();
	CHECK_EQ_I(emu(M64, "8a 23"), 0); /* mov ah,[rbx] */
	CHECK_EQ_U(R.gpr[INSN_RAX], (A & ~0xff00ull) | 0xf100);
	reset();
	CHECK_EQ_I(emu(M64, "40 8a 23"), 0); /* mov spl,[rbx] */
	CHECK_EQ_U(R.gpr[INSN_RSP], (A & ~0xffull) | 0xf1);
	CHECK_EQ_U(R.gpr[INSN_RAX], A);
	reset();
	CHECK_EQ_I(emu(M64, "66 8b 03"), 0); /* mov ax,[rbx] */
	CHECK_EQ_U(R.gpr[INSN_RAX], (A & ~0xffffull) | 0xf2f1);
	reset();
	CHECK_EQ_I(emu(M64, "8b 03"), 0); /* mov eax,[rbx]: zero-extends */
	CHECK_EQ_U(R.gpr[INSN_RAX], 0xf4f3f2f1);
	reset();
	CHECK_EQ_I(emu(M64, "48 8b 03"), 0);
	CHECK_EQ_U(R.gpr[INSN_RAX], 0xf8f7f6f5f4f3f2f1ull);
	CHECK(acc[0].size == 8);
	reset();
	CHECK_EQ_I(emu_at(M64, "45 8b 3b", 8, 0), 0); /* mov r15d,[r11] */
	CHECK_EQ_U(R.gpr[INSN_R15], 0xfcfbfaf9);
	CHECK(acc[0].addr == MMIO_BASE + 8);
	reset();
	CHECK_EQ_I(emu(M16, "8b 07"), 0); /* mov ax,[bx] */
	CHECK_EQ_U(R.gpr[INSN_RAX], (A & ~0xffffull) | 0xf2f1);
	reset();
	CHECK_EQ_I(emu(M32, "66 8b 03"), 0);
	CHECK_EQ_U(R.gpr[INSN_RAX], (A & ~0xffffull) | 0xf2f1);
	reset();
	CHECK_EQ_I(emu(M16, "66 8b 07"), 0); /* mov eax,[bx] */
	CHECK_EQ_U(R.gpr[INSN_RAX], 0xf4f3f2f1);
	reset();
	CHECK_EQ_I(emu(M64, "48 a1 88 77 66 55 44 33 22 11"), 0); /* movabs rax,[moffs] */
	CHECK_EQ_U(R.gpr[INSN_RAX], 0xf8f7f6f5f4f3f2f1ull);
	CHECK_EQ_U(R.rip, 0x100a);
	reset();
	CHECK_EQ_I(emu(M64, "a0 00 00 00 00 00 00 00 00"), 0); /* movabs al,[moffs] */
	CHECK_EQ_U(R.gpr[INSN_RAX], (A & ~0xffull) | 0xf1);
}

TEST(emulate_stores)
{
	static const struct { const char *h; unsigned size; uint64_t val; } st[] = {
		{ "88 03", 1, 0x88 },                  /* mov [rbx],al */
		{ "88 23", 1, 0x77 },                  /* mov [rbx],ah */
		{ "88 3b", 1, 0x44 },                  /* mov [rbx],bh */
		{ "40 88 23", 1, 0xa4 },               /* mov [rbx],spl */
		{ "66 89 03", 2, 0x7788 },
		{ "89 03", 4, 0x55667788 },
		{ "48 89 03", 8, 0x1122334455667788ull },
		{ "4c 89 0b", 8, 0xa0a0a0a0a0a0a0a9ull }, /* mov [rbx],r9 */
		{ "c6 03 ff", 1, 0xff },
		{ "66 c7 03 34 12", 2, 0x1234 },
		{ "c7 03 78 56 34 12", 4, 0x12345678 },
		{ "c7 03 fe ff ff ff", 4, 0xfffffffe },
		{ "48 c7 03 fe ff ff ff", 8, 0xfffffffffffffffeull },
		{ "a2 00 00 00 00 00 00 00 00", 1, 0x88 },
		{ "66 a3 00 00 00 00 00 00 00 00", 2, 0x7788 },
		{ "48 a3 00 00 00 00 00 00 00 00", 8, 0x1122334455667788ull },
	};

	for (size_t i = 0; i < sizeof(st) / sizeof(st[0]); i++) {
		reset();
		R.gpr[INSN_RAX] = 0x1122334455667788ull;
		R.gpr[INSN_RBX] = 0x99aabbccddee4400ull;
		CHECK_EQ_I(emu(M64, st[i].h), 0);
		if (nacc != 1 || acc[0].kind != 'w' || acc[0].size != st[i].size ||
		    acc[0].val != st[i].val || acc[0].addr != MMIO_BASE)
			unit_fail(__FILE__, __LINE__, "[%s]: %u accesses, %c size %u val 0x%llx",
				  st[i].h, nacc, acc[0].kind, acc[0].size,
				  (unsigned long long)acc[0].val);
		CHECK_EQ_U(devq(0, st[i].size), st[i].val);
		CHECK_EQ_U(R.gpr[INSN_RAX], 0x1122334455667788ull);
		CHECK_EQ_U(R.rip, 0x1000 + last.len);
	}
	reset();
	CHECK_EQ_I(emu(M16, "c7 06 34 12 cd ab"), 0); /* mov word [0x1234],0xabcd */
	CHECK(acc[0].size == 2 && acc[0].val == 0xabcd);
	CHECK_EQ_U(R.rip, 0x1006);
}

TEST(emulate_extensions)
{
	static const struct {
		enum insn_mode m;
		const char *h;
		uint64_t off;
		unsigned size;
		uint64_t want;
	} ex[] = {
		{ M64, "48 0f b6 03", 0x40, 1, 0x80 },
		{ M64, "0f b6 03", 0x40, 1, 0x80 },
		{ M64, "66 0f b6 03", 0x40, 1, (A & ~0xffffull) | 0x0080 },
		{ M64, "0f b7 03", 0x42, 2, 0x8001 },
		{ M64, "48 0f be 03", 0x40, 1, 0xffffffffffffff80ull },
		{ M64, "0f be 03", 0x40, 1, 0xffffff80 },
		{ M64, "66 0f be 03", 0x40, 1, (A & ~0xffffull) | 0xff80 },
		{ M64, "48 0f bf 03", 0x42, 2, 0xffffffffffff8001ull },
		{ M64, "0f bf 03", 0x42, 2, 0xffff8001 },
		{ M64, "48 63 03", 0x44, 4, 0xffffffff80000001ull },
		{ M64, "63 03", 0x44, 4, 0x80000001 },
		{ M32, "0f bf 03", 0x42, 2, 0xffff8001 },
		{ M16, "0f be 07", 0x40, 1, (A & ~0xffffull) | 0xff80 },
		{ M16, "66 0f b7 07", 0x42, 2, 0x8001 },
	};

	for (size_t i = 0; i < sizeof(ex) / sizeof(ex[0]); i++) {
		reset();
		dev[0x40] = 0x80;
		memcpy(dev + 0x42, "\x01\x80", 2);
		memcpy(dev + 0x44, "\x01\x00\x00\x80", 4);
		CHECK_EQ_I(emu_at(ex[i].m, ex[i].h, ex[i].off, 0), 0);
		if (R.gpr[INSN_RAX] != ex[i].want || nacc != 1 || acc[0].size != ex[i].size)
			unit_fail(__FILE__, __LINE__, "[%s]: rax 0x%llx want 0x%llx, size %u",
				  ex[i].h, (unsigned long long)R.gpr[INSN_RAX],
				  (unsigned long long)ex[i].want, acc[0].size);
	}
}

TEST(emulate_xchg)
{
	reset();
	R.gpr[INSN_RAX] = 0x1122334455667788ull;
	CHECK_EQ_I(emu(M64, "87 03"), 0);
	CHECK_EQ_U(nacc, 2);
	CHECK(acc[0].kind == 'r' && acc[1].kind == 'w' && acc[1].size == 4);
	CHECK_EQ_U(devq(0, 4), 0x55667788);
	CHECK_EQ_U(R.gpr[INSN_RAX], 0xf4f3f2f1);
	reset();
	R.gpr[INSN_RAX] = 0x1234;
	CHECK_EQ_I(emu(M64, "86 23"), 0); /* xchg [rbx],ah */
	CHECK_EQ_U(dev[0], 0x12);
	CHECK_EQ_U(R.gpr[INSN_RAX], 0xf134);
	reset();
	R.gpr[INSN_RAX] = 0x1122334455667788ull;
	CHECK_EQ_I(emu_at(M64, "f0 48 87 43 08", 8, 0), 0);
	CHECK_EQ_U(devq(8, 8), 0x1122334455667788ull);
	CHECK_EQ_U(R.gpr[INSN_RAX], 0x00fffefdfcfbfaf9ull);
	CHECK_EQ_U(R.rflags, 0x2);
}

/* --- emulation: ALU results and flags against this CPU ------------------------ */

/* x = x OP y on this CPU at size bytes, as a register operation; *flags gets OF SF ZF AF PF CF. */
#define HW_ALU(name, insn)                                                              \
	static uint64_t hw_##name(unsigned size, uint64_t x, uint64_t y, uint64_t *flags) \
	{                                                                               \
		uint64_t ax;                                                            \
		if (size == 1)                                                          \
			asm(insn "b %b[y], %b[x]\n\tlahf\n\tseto %%al"                  \
			    : [x] "+r"(x), "=a"(ax) : [y] "r"(y) : "cc");               \
		else if (size == 2)                                                     \
			asm(insn "w %w[y], %w[x]\n\tlahf\n\tseto %%al"                  \
			    : [x] "+r"(x), "=a"(ax) : [y] "r"(y) : "cc");               \
		else if (size == 4)                                                     \
			asm(insn "l %k[y], %k[x]\n\tlahf\n\tseto %%al"                  \
			    : [x] "+r"(x), "=a"(ax) : [y] "r"(y) : "cc");               \
		else                                                                    \
			asm(insn "q %q[y], %q[x]\n\tlahf\n\tseto %%al"                  \
			    : [x] "+r"(x), "=a"(ax) : [y] "r"(y) : "cc");               \
		*flags = ((ax >> 8) & 0xd5) | (ax & 1) << 11;                           \
		return x;                                                               \
	}
HW_ALU(add, "add")
HW_ALU(or, "or")
HW_ALU(and, "and")
HW_ALU(sub, "sub")
HW_ALU(xor, "xor")
HW_ALU(cmp, "cmp")
HW_ALU(test, "test")

struct alu_op {
	enum insn_op op;
	uint64_t (*hw)(unsigned size, uint64_t x, uint64_t y, uint64_t *flags);
	uint8_t row;   /* 00-3B opcode row; 0x84 for TEST */
	uint8_t group; /* ModRM.reg in 80/81/83; F6/F7 /0 for TEST */
};

static const struct alu_op alu_ops[] = {
	{ INSN_OP_ADD, hw_add, 0x00, 0 }, { INSN_OP_OR, hw_or, 0x08, 1 },
	{ INSN_OP_AND, hw_and, 0x20, 4 }, { INSN_OP_SUB, hw_sub, 0x28, 5 },
	{ INSN_OP_XOR, hw_xor, 0x30, 6 }, { INSN_OP_CMP, hw_cmp, 0x38, 7 },
	{ INSN_OP_TEST, hw_test, 0x84, 0 },
};

static const uint64_t alu_vals[] = {
	0, 1, 2, 0x0f, 0x10, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x7fffffff,
	0x80000000, 0xffffffff, 0x100000000ull, 0x7fffffffffffffffull, 0x8000000000000000ull,
	~0ull, 0x5555555555555555ull, 0x123456789abcdef0ull, 0xfedcba9876543210ull,
};

enum alu_form { FORM_MEM_REG, FORM_REG_MEM, FORM_IMM, FORM_IMM8, NR_FORMS };

/* The encoding of op in form at size, [rbx] with rcx; the immediate from b. */
static size_t alu_encode(const struct alu_op *o, enum alu_form form, unsigned size, uint64_t b,
			 uint8_t *out)
{
	bool test = o->op == INSN_OP_TEST;
	size_t n = 0;
	unsigned imm = 0;

	if (size == 2)
		out[n++] = 0x66;
	if (size == 8)
		out[n++] = 0x48;
	if (form == FORM_MEM_REG || form == FORM_REG_MEM) {
		out[n++] = (uint8_t)(o->row + (size > 1) + (form == FORM_REG_MEM ? 2 : 0));
		out[n++] = 0x0b;
		return n;
	}
	if (form == FORM_IMM8) {
		out[n++] = 0x83;
		imm = 1;
	} else {
		out[n++] = (uint8_t)((test ? 0xf6 : 0x80) + (size > 1));
		imm = size > 4 ? 4 : size;
	}
	out[n++] = (uint8_t)(o->group << 3 | 3);
	for (unsigned i = 0; i < imm; i++)
		out[n++] = (uint8_t)(b >> (8 * i));
	return n;
}

static bool alu_form_exists(const struct alu_op *o, enum alu_form form, unsigned size)
{
	if (o->op == INSN_OP_TEST)
		return form == FORM_MEM_REG || form == FORM_IMM;
	return form != FORM_IMM8 || size > 1;
}

/* One case: emulate and compare with the CPU. */
static void alu_case(const struct alu_op *o, enum alu_form form, unsigned size, uint64_t a,
		     uint64_t b, uint64_t flags_in)
{
	uint64_t m = size_mask(size), hw_flags, want, got;
	bool writes = o->op != INSN_OP_CMP && o->op != INSN_OP_TEST;
	uint8_t enc[16];
	size_t n = alu_encode(o, form, size, b, enc);

	if (form == FORM_IMM8)
		b = sign_extend(b, 1);
	else if (form == FORM_IMM)
		b = sign_extend(b, size > 4 ? 4 : size);
	for (unsigned i = 0; i < INSN_NR_GPRS; i++)
		R.gpr[i] = 0xa0a0a0a0a0a0a0a0ull | i;
	R.rip = 0x1000, R.rflags = flags_in, nacc = 0;
	if (form == FORM_REG_MEM) {
		R.gpr[INSN_RCX] = a;
		memcpy(dev, &b, size);
		want = o->hw(size, a, b, &hw_flags);
	} else {
		R.gpr[INSN_RCX] = b;
		memcpy(dev, &a, size);
		want = o->hw(size, a, b, &hw_flags) & m;
	}
	CHECK_EQ_I(emu_bytes(M64, enc, n, 0, 0), 0);
	got = form == FORM_REG_MEM ? R.gpr[INSN_RCX] : devq(0, size);
	if (got != want || R.rflags != ((flags_in & ~INSN_RFLAGS_ARITH) | hw_flags) ||
	    nacc != (form != FORM_REG_MEM && writes ? 2u : 1u) || R.rip != 0x1000 + n)
		unit_fail(__FILE__, __LINE__,
			  "op %d form %d size %u a 0x%llx b 0x%llx: got 0x%llx flags 0x%llx, "
			  "want 0x%llx flags 0x%llx, %u accesses",
			  o->op, form, size, (unsigned long long)a, (unsigned long long)b,
			  (unsigned long long)got, (unsigned long long)R.rflags,
			  (unsigned long long)want,
			  (unsigned long long)((flags_in & ~INSN_RFLAGS_ARITH) | hw_flags), nacc);
}

TEST(emulate_alu_matches_cpu)
{
	static const unsigned sizes[] = { 1, 2, 4, 8 };
	size_t nv = sizeof(alu_vals) / sizeof(alu_vals[0]);
	unsigned cases = 0;

	reset();
	for (size_t o = 0; o < sizeof(alu_ops) / sizeof(alu_ops[0]); o++)
		for (unsigned f = 0; f < NR_FORMS; f++)
			for (unsigned s = 0; s < 4; s++) {
				if (!alu_form_exists(&alu_ops[o], f, sizes[s]))
					continue;
				for (size_t i = 0; i < nv; i++)
					for (size_t j = 0; j < nv; j++, cases++)
						alu_case(&alu_ops[o], f, sizes[s], alu_vals[i], alu_vals[j],
							 0x602 | (cases & 1 ? INSN_RFLAGS_ARITH : 0));
			}
	CHECK(cases > 10000);
}

/* --- emulation: string forms ---------------------------------------------------- */

TEST(emulate_stos)
{
	reset();
	R.gpr[INSN_RDI] = MMIO_GLA + 0x40, R.gpr[INSN_RAX] = 0x99;
	CHECK_EQ_I(emu_at(M64, "aa", 0x40, MMIO_GLA + 0x40), 0); /* stosb */
	CHECK(nacc == 1 && acc[0].kind == 'w' && acc[0].size == 1 && acc[0].val == 0x99);
	CHECK_EQ_U(R.gpr[INSN_RDI], MMIO_GLA + 0x41);
	CHECK_EQ_U(R.gpr[INSN_RCX], A | INSN_RCX); /* no REP: rCX untouched */
	CHECK_EQ_U(R.rip, 0x1001);

	reset(); /* rep stosd, 16 elements */
	R.gpr[INSN_RDI] = MMIO_GLA + 0x100, R.gpr[INSN_RCX] = 16, R.gpr[INSN_RAX] = 0xdeadbeef;
	CHECK_EQ_I(emu_at(M64, "f3 ab", 0x100, 0), 0);
	CHECK_EQ_U(nacc, 16);
	CHECK(acc[15].addr == MMIO_BASE + 0x13c && acc[15].size == 4 && acc[15].val == 0xdeadbeef);
	CHECK_EQ_U(devq(0x13c, 4), 0xdeadbeef);
	CHECK_EQ_U(R.gpr[INSN_RCX], 0);
	CHECK_EQ_U(R.gpr[INSN_RDI], MMIO_GLA + 0x140);
	CHECK_EQ_U(R.rip, 0x1002);

	reset(); /* backwards */
	R.rflags |= INSN_RFLAGS_DF;
	R.gpr[INSN_RDI] = MMIO_GLA + 0x100, R.gpr[INSN_RCX] = 3;
	R.gpr[INSN_RAX] = 0x1122334455667788ull;
	CHECK_EQ_I(emu_at(M64, "f3 48 ab", 0x100, 0), 0);
	CHECK(nacc == 3 && acc[1].addr == MMIO_BASE + 0xf8 && acc[2].addr == MMIO_BASE + 0xf0);
	CHECK(acc[2].size == 8 && acc[2].val == 0x1122334455667788ull);
	CHECK_EQ_U(R.gpr[INSN_RDI], MMIO_GLA + 0xe8);
	CHECK_EQ_U(R.gpr[INSN_RCX], 0);
	CHECK_EQ_U(R.rflags, 0x2 | INSN_RFLAGS_DF);

	reset(); /* rCX = 0: nothing but RIP */
	R.gpr[INSN_RCX] = 0;
	CHECK_EQ_I(emu(M64, "f3 aa"), 0);
	CHECK_EQ_U(nacc, 0);
	CHECK_EQ_U(R.rip, 0x1002);

	reset(); /* repne stos repeats like rep */
	R.gpr[INSN_RCX] = 2;
	CHECK_EQ_I(emu(M64, "f2 66 ab"), 0);
	CHECK(nacc == 2 && acc[1].addr == MMIO_BASE + 2 && acc[1].size == 2);
}

TEST(emulate_rep_is_bounded)
{
	uint64_t total = 0, calls = 0;

	reset(); /* 5000 bytes across two pages: at most INSN_REP_MAX per call */
	R.gpr[INSN_RDI] = MMIO_GLA, R.gpr[INSN_RCX] = 5000, R.gpr[INSN_RAX] = 0x5a;
	while (R.rip == 0x1000 && calls < 100) {
		uint64_t before = R.gpr[INSN_RCX];

		nacc = 0;
		CHECK_EQ_I(emu_at(M64, "f3 aa", R.gpr[INSN_RDI] - MMIO_GLA, 0), 0);
		CHECK(nacc <= INSN_REP_MAX);
		CHECK_EQ_U(before - R.gpr[INSN_RCX], nacc);
		total += nacc, calls++;
	}
	CHECK_EQ_U(total, 5000);
	CHECK_EQ_U(calls, 5); /* 1024 * 4 + 904 */
	CHECK_EQ_U(R.gpr[INSN_RCX], 0);
	CHECK_EQ_U(R.rip, 0x1002);
	CHECK_EQ_U(dev[4999], 0x5a);
	CHECK_EQ_U(dev[5000], (uint8_t)(0xf1 + 5000));

	reset(); /* the MMIO side stops at its page end: 4 quadwords from 0xfe0 */
	R.gpr[INSN_RDI] = MMIO_GLA + 0xfe0, R.gpr[INSN_RCX] = 100;
	CHECK_EQ_I(emu_at(M64, "f3 48 ab", 0xfe0, 0), 0);
	CHECK_EQ_U(nacc, 4);
	CHECK_EQ_U(R.gpr[INSN_RCX], 96);
	CHECK_EQ_U(R.gpr[INSN_RDI], MMIO_GLA + 0x1000);
	CHECK_EQ_U(R.rip, 0x1000); /* the guest re-executes for the rest */

	reset(); /* ... and at its page start going down: 0x10, 0x8, 0x0 */
	R.rflags |= INSN_RFLAGS_DF;
	R.gpr[INSN_RDI] = MMIO_GLA + 0x1010, R.gpr[INSN_RCX] = 100;
	CHECK_EQ_I(emu_at(M64, "f3 48 ab", 0x1010, 0), 0);
	CHECK_EQ_U(nacc, 3);
	CHECK_EQ_U(acc[2].addr, MMIO_BASE + 0x1000);
	CHECK_EQ_U(R.gpr[INSN_RCX], 97);

	reset(); /* a first element straddling the page end is still done, alone */
	R.gpr[INSN_RCX] = 10;
	CHECK_EQ_I(emu_at(M64, "f3 ab", 0xffe, 0), 0);
	CHECK_EQ_U(nacc, 1);
	CHECK_EQ_U(R.gpr[INSN_RCX], 9);
}

TEST(emulate_string_address_size)
{
	reset(); /* 67 in 64-bit mode: ECX/EDI, written back zero-extended */
	R.gpr[INSN_RCX] = 0xffffffff00000003ull, R.gpr[INSN_RDI] = 0xdead000000001000ull;
	CHECK_EQ_I(emu(M64, "f3 67 aa"), 0);
	CHECK_EQ_U(nacc, 3);
	CHECK_EQ_U(R.gpr[INSN_RCX], 0);
	CHECK_EQ_U(R.gpr[INSN_RDI], 0x1003);

	reset(); /* 16-bit addresses in 32-bit code: CX/DI, DI wraps, upper bits kept */
	R.gpr[INSN_RCX] = 0xabcd0002, R.gpr[INSN_RDI] = 0x1234ffff;
	CHECK_EQ_I(emu_at(M32, "67 f3 aa", 0x100, 0), 0);
	CHECK_EQ_U(nacc, 2);
	CHECK_EQ_U(R.gpr[INSN_RCX], 0xabcd0000);
	CHECK_EQ_U(R.gpr[INSN_RDI], 0x12340001);
	CHECK_EQ_U(R.rip, 0x1003);

	reset(); /* rep movsw in 16-bit code, MMIO source at DS:SI (flat) */
	/* SI masks to 16 bits to find the MMIO side; DI = 0x20 is not RAM: nothing done */
	R.gpr[INSN_RSI] = 0x5550010, R.gpr[INSN_RDI] = 0x20, R.gpr[INSN_RCX] = 2;
	CHECK_EQ_I(emu_at(M16, "f3 a5", 0x10, 0x10), -EFAULT);
	CHECK_EQ_U(R.gpr[INSN_RCX], 2); /* nothing completed */
	CHECK_EQ_U(R.gpr[INSN_RSI], 0x5550010);
	CHECK_EQ_U(R.rip, 0x1000);
}

TEST(emulate_movs)
{
	reset(); /* RAM -> MMIO, rep movsq */
	R.gpr[INSN_RSI] = RAM_GLA, R.gpr[INSN_RDI] = MMIO_GLA + 0x200, R.gpr[INSN_RCX] = 8;
	CHECK_EQ_I(emu_at(M64, "f3 48 a5", 0x200, MMIO_GLA + 0x200), 0);
	CHECK_EQ_U(nacc, 16);
	CHECK(acc[0].kind == 'R' && acc[0].addr == RAM_GLA && acc[1].kind == 'w');
	CHECK(acc[15].kind == 'w' && acc[15].addr == MMIO_BASE + 0x238 && acc[15].size == 8);
	CHECK(!memcmp(dev + 0x200, ram, 64));
	CHECK_EQ_U(R.gpr[INSN_RSI], RAM_GLA + 64);
	CHECK_EQ_U(R.gpr[INSN_RDI], MMIO_GLA + 0x240);
	CHECK_EQ_U(R.gpr[INSN_RCX], 0);
	CHECK_EQ_U(R.rip, 0x1003);

	reset(); /* MMIO -> RAM, one movsw */
	R.gpr[INSN_RSI] = MMIO_GLA + 0x208, R.gpr[INSN_RDI] = RAM_GLA + 2;
	CHECK_EQ_I(emu_at(M64, "66 a5", 0x208, MMIO_GLA + 0x208), 0);
	CHECK(nacc == 2 && acc[0].kind == 'r' && acc[0].size == 2 && acc[1].kind == 'W');
	CHECK_EQ_U(ld(ram + 2, 2), devq(0x208, 2));
	CHECK_EQ_U(R.gpr[INSN_RSI], MMIO_GLA + 0x20a);
	CHECK_EQ_U(R.gpr[INSN_RDI], RAM_GLA + 4);

	reset(); /* MMIO -> RAM backwards, byte by byte, from the end of both */
	R.rflags |= INSN_RFLAGS_DF;
	R.gpr[INSN_RSI] = MMIO_GLA + 0x23f, R.gpr[INSN_RDI] = RAM_GLA + 63, R.gpr[INSN_RCX] = 64;
	CHECK_EQ_I(emu_at(M64, "f3 a4", 0x23f, MMIO_GLA + 0x23f), 0);
	CHECK(!memcmp(dev + 0x200, ram, 64));
	CHECK_EQ_U(R.gpr[INSN_RSI], MMIO_GLA + 0x1ff);
	CHECK_EQ_U(R.gpr[INSN_RDI], RAM_GLA - 1);
	CHECK_EQ_U(R.gpr[INSN_RCX], 0);

	reset(); /* the GLA names neither side */
	R.gpr[INSN_RSI] = RAM_GLA, R.gpr[INSN_RDI] = RAM_GLA + 8, R.gpr[INSN_RCX] = 4;
	CHECK_EQ_I(emu(M64, "f3 a4"), -EINVAL);
	CHECK(nacc == 0 && R.gpr[INSN_RCX] == 4 && R.rip == 0x1000);

	reset(); /* RAM runs out after 2 elements: those stay done, RIP stays */
	R.gpr[INSN_RSI] = MMIO_GLA, R.gpr[INSN_RDI] = RAM_GLA + INSN_PAGE_SIZE - 16;
	R.gpr[INSN_RCX] = 5;
	CHECK_EQ_I(emu(M64, "f3 48 a5"), -EFAULT);
	CHECK_EQ_U(R.gpr[INSN_RCX], 3);
	CHECK_EQ_U(R.gpr[INSN_RSI], MMIO_GLA + 16);
	CHECK_EQ_U(R.gpr[INSN_RDI], RAM_GLA + INSN_PAGE_SIZE);
	CHECK_EQ_U(R.rip, 0x1000);
}

TEST(emulate_movs_needs_mem_ops)
{
	struct insn_mem_ops ops = fake_ops;
	uint8_t b[1] = { 0xa4 };

	reset();
	ops.mem_write = NULL;
	R.gpr[INSN_RSI] = MMIO_GLA, R.gpr[INSN_RDI] = RAM_GLA;
	CHECK_EQ_I(decode_exact(b, 1, M64, &last), 0);
	CHECK_EQ_I(insn_emulate(&last, &R, MMIO_BASE, MMIO_GLA, &ops, NULL), -EINVAL);
	CHECK_EQ_U(nacc, 0);
	/* STOS and the rest never need them */
	ops.mem_read = NULL;
	b[0] = 0xaa;
	CHECK_EQ_I(decode_exact(b, 1, M64, &last), 0);
	CHECK_EQ_I(insn_emulate(&last, &R, MMIO_BASE, MMIO_GLA, &ops, NULL), 0);
}

/* --- emulation: RIP, errors, bad input -------------------------------------------- */

TEST(emulate_rip_wraps_in_mode)
{
	reset();
	R.rip = 0xffff;
	CHECK_EQ_I(emu(M16, "89 07"), 0);
	CHECK_EQ_U(R.rip, 0x0001);
	reset();
	R.rip = 0xfffffffe;
	CHECK_EQ_I(emu(M32, "89 43 04"), 0);
	CHECK_EQ_U(R.rip, 0x00000001);
	reset();
	R.rip = 0xfffffffe;
	CHECK_EQ_I(emu(M64, "89 43 04"), 0);
	CHECK_EQ_U(R.rip, 0x100000001ull);
}

TEST(emulate_errors_leave_state)
{
	static const char *const forms[] = {
		"8b 03", "89 03", "01 03", "03 03", "39 03", "87 03", "48 0f be 03", "aa",
	};

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		for (int k = 0; k < 2; k++) {
			struct insn_regs before;

			reset();
			R.gpr[INSN_RDI] = MMIO_GLA;
			R.rflags = 0x2 | INSN_RFLAGS_ARITH;
			before = R;
			fail_at = k;
			CHECK_EQ_I(emu(M64, forms[i]), nacc > (unsigned)k ? -EIO : 0);
			if (nacc > (unsigned)k && memcmp(&before, &R, sizeof(R)))
				unit_fail(__FILE__, __LINE__, "[%s] failing access %d changed registers",
					  forms[i], k);
		}
	}
	reset();
	CHECK_EQ_I(emu_at(M64, "8b 03", sizeof(dev), 0), -EFAULT); /* device says no */
	CHECK_EQ_U(R.rip, 0x1000);
}

TEST(emulate_rejects_bad_insn)
{
	struct insn in;
	uint8_t b[2] = { 0x89, 0x03 };

	reset();
	CHECK_EQ_I(decode_exact(b, 2, M64, &in), 0);
	in.reg = 16;
	CHECK_EQ_I(insn_emulate(&in, &R, MMIO_BASE, 0, &fake_ops, NULL), -EINVAL);
	in.reg = 4, in.reg_high8 = true;
	CHECK_EQ_I(insn_emulate(&in, &R, MMIO_BASE, 0, &fake_ops, NULL), -EINVAL);
	in.reg_high8 = false, in.opsize = 3;
	CHECK_EQ_I(insn_emulate(&in, &R, MMIO_BASE, 0, &fake_ops, NULL), -EINVAL);
	in.opsize = 4, in.op = INSN_OP_NONE;
	CHECK_EQ_I(insn_emulate(&in, &R, MMIO_BASE, 0, &fake_ops, NULL), -EINVAL);
	CHECK_EQ_U(nacc, 0);
	CHECK_EQ_U(R.rip, 0x1000);
}
