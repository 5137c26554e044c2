/* SPDX-License-Identifier: MIT */
/*
 * The x86 instruction decoder and emulator behind MMIO exits.
 *
 * A guest access to a guest-physical page that is not RAM exits as an EPT
 * violation. The exit handler fetches the instruction bytes at guest RIP,
 * decodes them with insn_decode(), and lets insn_emulate() perform the
 * access on the device through callbacks, write back registers and RFLAGS
 * and advance RIP. Neither keeps state, allocates or logs: both may be
 * called from any context and are tested on the host.
 *
 * Supported, in 16-, 32- and 64-bit code, at every operand size the
 * instruction has (8/16/32/64), with the legacy prefixes 66 (operand size),
 * 67 (address size), 26/2E/36/3E/64/65 (segment: recorded, not applied),
 * F0 (LOCK, on the forms that allow it), F2/F3 (REP on string forms,
 * ignored elsewhere as the CPU ignores them) and REX:
 *
 *   MOV     88 89 8A 8B, C6 /0 C7 /0, A0-A3 (moffs, 64-bit in long mode)
 *   MOVZX   0F B6, 0F B7          MOVSX 0F BE, 0F BF
 *   MOVSXD  63 in long mode (not with 66 and no REX.W: vendors differ)
 *   ALU     ADD OR AND SUB XOR CMP: 00-03 08-0B 20-23 28-2B 30-33 38-3B,
 *           80 81 83 /0 /1 /4 /5 /6 /7
 *   TEST    84 85, F6 /0 F7 /0
 *   XCHG    86 87
 *   STOS    AA AB          MOVS A4 A5 (with or without REP; F2 repeats like F3)
 *
 * Everything else, and every register-only form (ModRM.mod == 3, which
 * cannot touch memory), is -EINVAL: the caller stops the VM with a dump.
 */
#ifndef VMM_INSN_H
#define VMM_INSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define INSN_MAX_LEN   15   /* architectural limit; longer is #GP */
#define INSN_REP_MAX   1024 /* string elements emulated per insn_emulate() call */
#define INSN_PAGE_SIZE 4096 /* a REP run stops where the MMIO side leaves its page */

/* The code segment's default sizes: real mode/CS.D=0, CS.D=1, CS.L=1. */
enum insn_mode { INSN_MODE_16, INSN_MODE_32, INSN_MODE_64 };

enum insn_op {
	INSN_OP_NONE,
	INSN_OP_MOV,  /* load or store; MOVZX/MOVSX/MOVSXD are loads with ext */
	INSN_OP_ADD,
	INSN_OP_OR,
	INSN_OP_AND,
	INSN_OP_SUB,
	INSN_OP_XOR,
	INSN_OP_CMP,  /* SUB that writes only RFLAGS */
	INSN_OP_TEST, /* AND that writes only RFLAGS */
	INSN_OP_XCHG,
	INSN_OP_MOVS,
	INSN_OP_STOS,
};

enum insn_ext { INSN_EXT_NONE, INSN_EXT_ZERO, INSN_EXT_SIGN };
enum insn_rep { INSN_REP_NONE, INSN_REP_E, INSN_REP_NE }; /* F3, F2 */
enum insn_seg { INSN_SEG_DEFAULT, INSN_SEG_ES, INSN_SEG_CS, INSN_SEG_SS,
		INSN_SEG_DS, INSN_SEG_FS, INSN_SEG_GS };

/* General-purpose register numbers: struct insn_regs.gpr, hardware order. */
enum insn_gpr {
	INSN_RAX, INSN_RCX, INSN_RDX, INSN_RBX, INSN_RSP, INSN_RBP, INSN_RSI, INSN_RDI,
	INSN_R8, INSN_R9, INSN_R10, INSN_R11, INSN_R12, INSN_R13, INSN_R14, INSN_R15,
	INSN_NR_GPRS
};

/* The RFLAGS bits the emulator reads or writes. */
#define INSN_RFLAGS_CF (1ull << 0)
#define INSN_RFLAGS_PF (1ull << 2)
#define INSN_RFLAGS_AF (1ull << 4)
#define INSN_RFLAGS_ZF (1ull << 6)
#define INSN_RFLAGS_SF (1ull << 7)
#define INSN_RFLAGS_DF (1ull << 10)
#define INSN_RFLAGS_OF (1ull << 11)
#define INSN_RFLAGS_ARITH (INSN_RFLAGS_CF | INSN_RFLAGS_PF | INSN_RFLAGS_AF | \
			   INSN_RFLAGS_ZF | INSN_RFLAGS_SF | INSN_RFLAGS_OF)

/*
 * A decoded instruction. Operands: the memory operand (always exactly one
 * for the non-string forms: the one that trapped) and a second operand,
 * the register reg or, with has_imm, the immediate imm.
 */
struct insn {
	enum insn_op op;
	enum insn_mode mode;
	uint8_t len;         /* instruction bytes, 1..INSN_MAX_LEN */
	uint8_t opsize;      /* operand size, 1/2/4/8: the register's width */
	uint8_t access_size; /* bytes per memory access: opsize, less for MOVZX/MOVSX */
	uint8_t addrsize;    /* 2/4/8: width of rSI/rDI/rCX for string forms */
	uint8_t reg;         /* register operand, INSN_RAX..INSN_R15 */
	bool reg_high8;      /* reg is AH/CH/DH/BH: bits 15:8 of gpr[reg] (reg < 4) */
	bool mem_first;      /* memory is the first (destination) operand */
	bool has_imm;        /* the second operand is imm, not reg */
	bool lock;           /* F0 */
	bool rip_relative;   /* ModRM disp32 off RIP (64-bit mode) */
	enum insn_ext ext;   /* how a narrower access_size widens to opsize */
	enum insn_rep rep;   /* string forms only; INSN_REP_NONE elsewhere */
	enum insn_seg seg;   /* last segment-override prefix */
	uint64_t imm;        /* sign-extended to 64 bits */
};

/*
 * Decode the instruction at buf[0..len) for code of the given mode into
 * *out. Returns 0; -E2BIG when the instruction needs more than len bytes
 * (fetch up to INSN_MAX_LEN and retry); -EINVAL when it is not one of the
 * supported forms or longer than INSN_MAX_LEN. Never reads buf[len] or
 * beyond. *out is zeroed first and meaningful only on success.
 */
int insn_decode(const uint8_t *buf, size_t len, enum insn_mode mode, struct insn *out);

struct insn_regs {
	uint64_t gpr[INSN_NR_GPRS];
	uint64_t rip, rflags;
};

/*
 * How the emulator touches the guest. Each returns 0 or a negative errno,
 * which insn_emulate() passes on. size is 1, 2, 4 or 8; values are
 * little-endian in the low size bytes.
 */
struct insn_mem_ops {
	/*
	 * The trapping MMIO access at guest-physical gpa: for the first (or
	 * only) element it is the address the CPU reported; string forms walk
	 * on from it by access_size, inside its 4 KiB page.
	 */
	int (*mmio_read)(void *ctx, uint64_t gpa, unsigned size, uint64_t *val);
	int (*mmio_write)(void *ctx, uint64_t gpa, unsigned size, uint64_t val);
	/*
	 * Ordinary guest memory by guest-linear address: the other side of
	 * MOVS only (may be NULL otherwise). The caller translates and checks
	 * it (and may leave a #PF to inject in ctx).
	 */
	int (*mem_read)(void *ctx, uint64_t gla, void *buf, unsigned size);
	int (*mem_write)(void *ctx, uint64_t gla, const void *buf, unsigned size);
};

/*
 * Perform the decoded instruction in (from insn_decode) whose memory
 * access trapped at guest-physical mmio_gpa, guest-linear mmio_gla: the
 * accesses through ops, then the register, RFLAGS and RIP updates in regs.
 *
 *  - Register writes follow x86: 8- and 16-bit destinations keep the other
 *    bits, 32-bit ones zero-extend to 64 bits.
 *  - ALU forms set CF PF AF ZF SF OF as the CPU does (AF cleared by the
 *    logical ones, where the manual leaves it undefined); CMP and TEST
 *    write nothing else. MOV, XCHG, MOVS and STOS leave RFLAGS alone.
 *  - RIP advances by in->len, wrapping at 16/32 bits in those modes.
 *  - String forms honour RFLAGS.DF and count in rCX/rSI/rDI of the address
 *    size (written back like registers of that size). Segments are taken
 *    as flat (base 0, in->seg not applied). MOVS has one MMIO side: the
 *    source when mmio_gla is the rSI address, else the destination when it
 *    is the rDI address, else -EINVAL; the other side goes through
 *    mem_read/mem_write.
 *  - REP forms run at most INSN_REP_MAX elements per call, and only while
 *    the MMIO side stays in mmio_gpa's 4 KiB page. While rCX is left
 *    non-zero RIP stays put: the guest re-executes the instruction, which
 *    traps again for the next MMIO element (or runs natively if it has
 *    left MMIO), so no single exit takes unbounded time and interrupts
 *    are taken in between, as on hardware. A REP with rCX = 0 only
 *    advances RIP.
 *
 * Returns 0 or the first error of a callback (or -EINVAL as above). On an
 * error regs hold the state after the last complete element (for non-string
 * forms: unchanged, RIP not advanced), so the caller may inject a fault for
 * the guest to retry; a device may have seen a read already.
 */
int insn_emulate(const struct insn *in, struct insn_regs *regs, uint64_t mmio_gpa,
		 uint64_t mmio_gla, const struct insn_mem_ops *ops, void *ctx);

#endif
