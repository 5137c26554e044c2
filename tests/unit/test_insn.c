// SPDX-License-Identifier: MIT
/*
 * vmm/insn.c, decoding: a table of real encodings (written from SDM Vol. 2,
 * checked with objdump) and what each must decode to; every proper prefix
 * of each must be -E2BIG, trailing bytes must change nothing, and every
 * buffer is an exact-size heap copy so ASan sees a read past len. Then
 * what must be refused. Emulation: test_insn_emulate.c.
 */
#include <stdlib.h>

#include "vmm/insn.c"
#include "tests/unit/unit.h"

/* --- helpers --------------------------------------------------------------- */

#include "tests/unit/insn_helpers.h"

/* --- decoding: the table ---------------------------------------------------- */

#define M16 INSN_MODE_16
#define M32 INSN_MODE_32
#define M64 INSN_MODE_64

/* Expected-flag bits of a row. */
#define H   (1u << 0) /* reg_high8 */
#define MF  (1u << 1) /* mem_first */
#define I   (1u << 2) /* has_imm */
#define ZX  (1u << 3)
#define SX  (1u << 4)
#define REP (1u << 5)
#define RNE (1u << 6)
#define LK  (1u << 7)
#define RIP (1u << 8)

#define MOV  INSN_OP_MOV
#define ADD  INSN_OP_ADD
#define OR   INSN_OP_OR
#define AND  INSN_OP_AND
#define SUB  INSN_OP_SUB
#define XOR  INSN_OP_XOR
#define CMP  INSN_OP_CMP
#define TST  INSN_OP_TEST
#define XCHG INSN_OP_XCHG
#define MOVS INSN_OP_MOVS
#define STOS INSN_OP_STOS

struct dcase {
	const char *asm_text;
	enum insn_mode mode;
	const char *hex;
	enum insn_op op;
	uint8_t opsize, access, addrsize, reg;
	unsigned flags;
	uint64_t imm;
};

static const struct dcase dcases[] = {
	/* MOV r/m, r and r, r/m; byte registers with and without REX */
	{ "mov [rbx],al", M64, "88 03", MOV, 1, 1, 8, 0, MF, 0 },
	{ "mov [rbx],ah", M64, "88 23", MOV, 1, 1, 8, 0, MF | H, 0 },
	{ "mov [rbx],bh", M64, "88 3b", MOV, 1, 1, 8, 3, MF | H, 0 },
	{ "mov [rbx],spl", M64, "40 88 23", MOV, 1, 1, 8, 4, MF, 0 },
	{ "mov [rbx],dil", M64, "40 88 3b", MOV, 1, 1, 8, 7, MF, 0 },
	{ "mov [rbx],r12b", M64, "44 88 23", MOV, 1, 1, 8, 12, MF, 0 },
	{ "mov [rbx],ah (REX before 66 is void)", M64, "40 66 88 23", MOV, 1, 1, 8, 0, MF | H, 0 },
	{ "mov [rbx],ax", M64, "66 89 03", MOV, 2, 2, 8, 0, MF, 0 },
	{ "mov [rbx],eax", M64, "89 03", MOV, 4, 4, 8, 0, MF, 0 },
	{ "mov [rbx],rax", M64, "48 89 03", MOV, 8, 8, 8, 0, MF, 0 },
	{ "mov [rbx],r9", M64, "4c 89 0b", MOV, 8, 8, 8, 9, MF, 0 },
	{ "mov [rbx],rax (66+REX.W)", M64, "66 48 89 03", MOV, 8, 8, 8, 0, MF, 0 },
	{ "mov [rbx],ax (REX.W then 66)", M64, "48 66 89 03", MOV, 2, 2, 8, 0, MF, 0 },
	{ "mov [rbx],r8d (last REX counts)", M64, "48 44 89 03", MOV, 4, 4, 8, 8, MF, 0 },
	{ "mov [rbx],rax (first REX void)", M64, "44 48 89 03", MOV, 8, 8, 8, 0, MF, 0 },
	{ "mov al,[rbx]", M64, "8a 03", MOV, 1, 1, 8, 0, 0, 0 },
	{ "mov ch,[rbx]", M64, "8a 2b", MOV, 1, 1, 8, 1, H, 0 },
	{ "mov bpl,[rbx]", M64, "40 8a 2b", MOV, 1, 1, 8, 5, 0, 0 },
	{ "mov r8d,[rbx]", M64, "44 8b 03", MOV, 4, 4, 8, 8, 0, 0 },
	{ "mov r15d,[r11]", M64, "45 8b 3b", MOV, 4, 4, 8, 15, 0, 0 },
	{ "mov rsi,[rip+0x10]", M64, "48 8b 35 10 00 00 00", MOV, 8, 8, 8, 6, RIP, 0 },
	{ "mov eax,[eip+0x10]", M64, "67 8b 05 10 00 00 00", MOV, 4, 4, 4, 0, RIP, 0 },
	{ "mov eax,[0x1000] (SIB, no base)", M64, "8b 04 25 00 10 00 00", MOV, 4, 4, 8, 0, 0, 0 },
	{ "mov eax,[r14*8+0] (no base)", M64, "42 8b 04 f5 00 00 00 00", MOV, 4, 4, 8, 0, 0, 0 },
	{ "mov eax,[r14*8+0] (REX.B, still no base)", M64, "43 8b 04 f5 00 00 00 00", MOV, 4, 4, 8, 0, 0, 0 },
	{ "mov eax,[rbp+0]", M64, "8b 45 00", MOV, 4, 4, 8, 0, 0, 0 },
	{ "mov eax,[r13+0]", M64, "41 8b 45 00", MOV, 4, 4, 8, 0, 0, 0 },
	{ "mov eax,[r12]", M64, "41 8b 04 24", MOV, 4, 4, 8, 0, 0, 0 },
	{ "mov eax,[r12+0x7f]", M64, "41 8b 44 24 7f", MOV, 4, 4, 8, 0, 0, 0 },
	{ "mov eax,[rax+rcx*4+0x12345678]", M64, "8b 84 88 78 56 34 12", MOV, 4, 4, 8, 0, 0, 0 },
	{ "mov eax,[rbp+rcx*4+8] (SIB base rbp, disp8)", M64, "8b 44 8d 08", MOV, 4, 4, 8, 0, 0, 0 },
	{ "mov eax,[r13+rcx*4+disp32]", M64, "41 8b 84 8d 00 01 00 00", MOV, 4, 4, 8, 0, 0, 0 },
	{ "mov rax,gs:[0x28]", M64, "65 48 8b 04 25 28 00 00 00", MOV, 8, 8, 8, 0, 0, 0 },
	{ "mov [ebx],eax", M32, "89 03", MOV, 4, 4, 4, 0, MF, 0 },
	{ "mov [0x12345678],eax", M32, "89 05 78 56 34 12", MOV, 4, 4, 4, 0, MF, 0 },
	{ "mov [ebx],ax", M32, "66 89 03", MOV, 2, 2, 4, 0, MF, 0 },
	{ "mov [bx],eax", M32, "67 89 07", MOV, 4, 4, 2, 0, MF, 0 },
	{ "mov [0x1234],eax (67)", M32, "67 89 06 34 12", MOV, 4, 4, 2, 0, MF, 0 },
	{ "mov [esp+eax*2+1],dh", M32, "88 74 44 01", MOV, 1, 1, 4, 2, MF | H, 0 },
	{ "mov [bx],al", M16, "88 07", MOV, 1, 1, 2, 0, MF, 0 },
	{ "mov [bp+si+0x12],ax", M16, "89 42 12", MOV, 2, 2, 2, 0, MF, 0 },
	{ "mov [0x1234],ax", M16, "89 06 34 12", MOV, 2, 2, 2, 0, MF, 0 },
	{ "mov [bx+0x1234],eax", M16, "66 89 87 34 12", MOV, 4, 4, 2, 0, MF, 0 },
	{ "mov [eax],ax", M16, "67 89 00", MOV, 2, 2, 4, 0, MF, 0 },
	{ "mov [esp+0x12345678],ax", M16, "67 89 84 24 78 56 34 12", MOV, 2, 2, 4, 0, MF, 0 },
	{ "mov [0x12345678],ax (67)", M16, "67 89 05 78 56 34 12", MOV, 2, 2, 4, 0, MF, 0 },
	{ "mov di,es:[bx]", M16, "26 8b 3f", MOV, 2, 2, 2, 7, 0, 0 },
	/* MOV r/m, imm */
	{ "mov byte [rbx],0xff", M64, "c6 03 ff", MOV, 1, 1, 8, 0, MF | I, ~0ull },
	{ "mov word [rbx],0x1234", M64, "66 c7 03 34 12", MOV, 2, 2, 8, 0, MF | I, 0x1234 },
	{ "mov dword [rbx],0x12345678", M64, "c7 03 78 56 34 12", MOV, 4, 4, 8, 0, MF | I, 0x12345678 },
	{ "mov qword [rbx],-2", M64, "48 c7 03 fe ff ff ff", MOV, 8, 8, 8, 0, MF | I, (uint64_t)-2 },
	{ "mov dword [rax+0x100],1", M64, "c7 80 00 01 00 00 01 00 00 00", MOV, 4, 4, 8, 0, MF | I, 1 },
	{ "mov dword [rip+0x10],1", M64, "c7 05 10 00 00 00 01 00 00 00", MOV, 4, 4, 8, 0, MF | I | RIP, 1 },
	{ "mov byte [rip+0],0x80", M64, "c6 05 00 00 00 00 80", MOV, 1, 1, 8, 0, MF | I | RIP, 0xffffffffffffff80ull },
	{ "mov word [0x1234],0xabcd", M16, "c7 06 34 12 cd ab", MOV, 2, 2, 2, 0, MF | I, 0xffffffffffffabcdull },
	{ "mov dword [0x1234],0x12345678", M16, "66 c7 06 34 12 78 56 34 12", MOV, 4, 4, 2, 0, MF | I, 0x12345678 },
	{ "mov dword [ebx],0x80000000", M32, "c7 03 00 00 00 80", MOV, 4, 4, 4, 0, MF | I, 0xffffffff80000000ull },
	/* MOV moffs */
	{ "mov al,[moffs64]", M64, "a0 88 77 66 55 44 33 22 11", MOV, 1, 1, 8, 0, 0, 0 },
	{ "mov rax,[moffs64]", M64, "48 a1 88 77 66 55 44 33 22 11", MOV, 8, 8, 8, 0, 0, 0 },
	{ "mov [moffs64],al", M64, "a2 00 10 00 00 00 00 00 00", MOV, 1, 1, 8, 0, MF, 0 },
	{ "mov [moffs64],ax", M64, "66 a3 00 10 00 00 00 00 00 00", MOV, 2, 2, 8, 0, MF, 0 },
	{ "mov eax,[moffs32] (67)", M64, "67 a1 78 56 34 12", MOV, 4, 4, 4, 0, 0, 0 },
	{ "mov [moffs32],eax", M32, "a3 78 56 34 12", MOV, 4, 4, 4, 0, MF, 0 },
	{ "mov ax,[moffs16]", M16, "a1 34 12", MOV, 2, 2, 2, 0, 0, 0 },
	{ "mov ax,[moffs32] (67)", M16, "67 a1 78 56 34 12", MOV, 2, 2, 4, 0, 0, 0 },
	/* MOVZX, MOVSX, MOVSXD */
	{ "movzx eax,byte [rbx]", M64, "0f b6 03", MOV, 4, 1, 8, 0, ZX, 0 },
	{ "movzx esp,byte [rbx] (no AH for Gv)", M64, "0f b6 23", MOV, 4, 1, 8, 4, ZX, 0 },
	{ "movzx rax,byte [rbx]", M64, "48 0f b6 03", MOV, 8, 1, 8, 0, ZX, 0 },
	{ "movzx ax,byte [rbx]", M64, "66 0f b6 03", MOV, 2, 1, 8, 0, ZX, 0 },
	{ "movzx eax,word [rbx]", M64, "0f b7 03", MOV, 4, 2, 8, 0, ZX, 0 },
	{ "movzx ax,word [rbx]", M64, "66 0f b7 03", MOV, 2, 2, 8, 0, ZX, 0 },
	{ "movsx r8d,byte [rbx]", M64, "44 0f be 03", MOV, 4, 1, 8, 8, SX, 0 },
	{ "movsx rax,word [rbx]", M64, "48 0f bf 03", MOV, 8, 2, 8, 0, SX, 0 },
	{ "movsxd rax,dword [rbx]", M64, "48 63 03", MOV, 8, 4, 8, 0, SX, 0 },
	{ "movsxd r8,dword [rbx+8]", M64, "4c 63 43 08", MOV, 8, 4, 8, 8, SX, 0 },
	{ "movsxd eax,dword [rbx]", M64, "63 03", MOV, 4, 4, 8, 0, SX, 0 },
	{ "movsx eax,word [ebx]", M32, "0f bf 03", MOV, 4, 2, 4, 0, SX, 0 },
	{ "movzx ax,byte [bx]", M16, "0f b6 07", MOV, 2, 1, 2, 0, ZX, 0 },
	/* ALU with a register */
	{ "add [rbx],al", M64, "00 03", ADD, 1, 1, 8, 0, MF, 0 },
	{ "add [rbx],eax", M64, "01 03", ADD, 4, 4, 8, 0, MF, 0 },
	{ "add [rbx],rax", M64, "48 01 03", ADD, 8, 8, 8, 0, MF, 0 },
	{ "add [rbx],ax", M64, "66 01 03", ADD, 2, 2, 8, 0, MF, 0 },
	{ "add al,[rbx]", M64, "02 03", ADD, 1, 1, 8, 0, 0, 0 },
	{ "add eax,[rbx]", M64, "03 03", ADD, 4, 4, 8, 0, 0, 0 },
	{ "or [rbx],ah", M64, "08 23", OR, 1, 1, 8, 0, MF | H, 0 },
	{ "or [rbx],ecx", M64, "09 0b", OR, 4, 4, 8, 1, MF, 0 },
	{ "or cl,[rbx]", M64, "0a 0b", OR, 1, 1, 8, 1, 0, 0 },
	{ "or r10,[rbx]", M64, "4c 0b 13", OR, 8, 8, 8, 10, 0, 0 },
	{ "and [rbx],dl", M64, "20 13", AND, 1, 1, 8, 2, MF, 0 },
	{ "and [rax],edx", M64, "21 10", AND, 4, 4, 8, 2, MF, 0 },
	{ "and dl,[rbx]", M64, "22 13", AND, 1, 1, 8, 2, 0, 0 },
	{ "and edx,[rbx]", M64, "23 13", AND, 4, 4, 8, 2, 0, 0 },
	{ "sub [rbx],bl", M64, "28 1b", SUB, 1, 1, 8, 3, MF, 0 },
	{ "sub [rbx],ebx", M64, "29 1b", SUB, 4, 4, 8, 3, MF, 0 },
	{ "sub bl,[rbx]", M64, "2a 1b", SUB, 1, 1, 8, 3, 0, 0 },
	{ "sub rbx,[rbx]", M64, "48 2b 1b", SUB, 8, 8, 8, 3, 0, 0 },
	{ "xor [rbx],sil", M64, "40 30 33", XOR, 1, 1, 8, 6, MF, 0 },
	{ "xor [rbx],esi", M64, "31 33", XOR, 4, 4, 8, 6, MF, 0 },
	{ "xor dh,[rbx]", M64, "32 33", XOR, 1, 1, 8, 2, H, 0 },
	{ "xor esi,[rbx]", M64, "33 33", XOR, 4, 4, 8, 6, 0, 0 },
	{ "cmp [rbx],al", M64, "38 03", CMP, 1, 1, 8, 0, MF, 0 },
	{ "cmp [rbx],eax", M64, "39 03", CMP, 4, 4, 8, 0, MF, 0 },
	{ "cmp al,[rbx]", M64, "3a 03", CMP, 1, 1, 8, 0, 0, 0 },
	{ "cmp eax,[rbx]", M64, "3b 03", CMP, 4, 4, 8, 0, 0, 0 },
	{ "lock add [rbx],eax", M64, "f0 01 03", ADD, 4, 4, 8, 0, MF | LK, 0 },
	{ "lock or [rbx],rax", M64, "f0 48 09 03", OR, 8, 8, 8, 0, MF | LK, 0 },
	{ "add [bx+si],al", M16, "00 00", ADD, 1, 1, 2, 0, MF, 0 },
	{ "add [ebx],eax", M32, "01 03", ADD, 4, 4, 4, 0, MF, 0 },
	/* ALU with an immediate */
	{ "or byte [rbx],0x0f", M64, "80 0b 0f", OR, 1, 1, 8, 0, MF | I, 0x0f },
	{ "xor byte [rbx+1],0xff", M64, "80 73 01 ff", XOR, 1, 1, 8, 0, MF | I, ~0ull },
	{ "add byte [rbx],1", M64, "80 03 01", ADD, 1, 1, 8, 0, MF | I, 1 },
	{ "and byte [rbx],0x7f", M64, "80 23 7f", AND, 1, 1, 8, 0, MF | I, 0x7f },
	{ "sub byte [rbx],2", M64, "80 2b 02", SUB, 1, 1, 8, 0, MF | I, 2 },
	{ "cmp byte [rbx],3", M64, "80 3b 03", CMP, 1, 1, 8, 0, MF | I, 3 },
	{ "and dword [rbx],0x00ffff00", M64, "81 23 00 ff ff 00", AND, 4, 4, 8, 0, MF | I, 0x00ffff00 },
	{ "add word [rbx],0x1234", M64, "66 81 03 34 12", ADD, 2, 2, 8, 0, MF | I, 0x1234 },
	{ "sub qword [rbx],0x80000000", M64, "48 81 2b 00 00 00 80", SUB, 8, 8, 8, 0, MF | I, 0xffffffff80000000ull },
	{ "or dword [rax],0xf", M64, "83 08 0f", OR, 4, 4, 8, 0, MF | I, 0x0f },
	{ "cmp dword [rbx],-1", M64, "83 3b ff", CMP, 4, 4, 8, 0, MF | I, ~0ull },
	{ "add qword [rbx+8],1", M64, "48 83 43 08 01", ADD, 8, 8, 8, 0, MF | I, 1 },
	{ "xor word [rbx],-128", M64, "66 83 33 80", XOR, 2, 2, 8, 0, MF | I, 0xffffffffffffff80ull },
	{ "lock add dword [rbx],1", M64, "f0 83 03 01", ADD, 4, 4, 8, 0, MF | I | LK, 1 },
	{ "cmp dword [ebx],0x12345678", M32, "81 3b 78 56 34 12", CMP, 4, 4, 4, 0, MF | I, 0x12345678 },
	{ "and word [bx],0xff00", M16, "81 27 00 ff", AND, 2, 2, 2, 0, MF | I, 0xffffffffffffff00ull },
	/* TEST */
	{ "test [rbx],al", M64, "84 03", TST, 1, 1, 8, 0, MF, 0 },
	{ "test [rbx],eax", M64, "85 03", TST, 4, 4, 8, 0, MF, 0 },
	{ "test [rbx],rax", M64, "48 85 03", TST, 8, 8, 8, 0, MF, 0 },
	{ "test byte [rbx+3],0x80", M64, "f6 43 03 80", TST, 1, 1, 8, 0, MF | I, 0xffffffffffffff80ull },
	{ "test dword [rbx],0x12345678", M64, "f7 03 78 56 34 12", TST, 4, 4, 8, 0, MF | I, 0x12345678 },
	{ "test word [rbx],0x1234", M64, "66 f7 03 34 12", TST, 2, 2, 8, 0, MF | I, 0x1234 },
	{ "test qword [rbx],-1", M64, "48 f7 03 ff ff ff ff", TST, 8, 8, 8, 0, MF | I, ~0ull },
	/* XCHG */
	{ "xchg [rbx],al", M64, "86 03", XCHG, 1, 1, 8, 0, MF, 0 },
	{ "xchg [rbx],ah", M64, "86 23", XCHG, 1, 1, 8, 0, MF | H, 0 },
	{ "xchg [rbx],eax", M64, "87 03", XCHG, 4, 4, 8, 0, MF, 0 },
	{ "xchg [rbx+8],rax", M64, "48 87 43 08", XCHG, 8, 8, 8, 0, MF, 0 },
	{ "lock xchg [rbx],eax", M64, "f0 87 03", XCHG, 4, 4, 8, 0, MF | LK, 0 },
	{ "xchg [bx],ax", M16, "87 07", XCHG, 2, 2, 2, 0, MF, 0 },
	/* STOS, MOVS */
	{ "stosb", M64, "aa", STOS, 1, 1, 8, 0, MF, 0 },
	{ "stosd", M64, "ab", STOS, 4, 4, 8, 0, MF, 0 },
	{ "stosw", M64, "66 ab", STOS, 2, 2, 8, 0, MF, 0 },
	{ "stosq", M64, "48 ab", STOS, 8, 8, 8, 0, MF, 0 },
	{ "rep stosb", M64, "f3 aa", STOS, 1, 1, 8, 0, MF | REP, 0 },
	{ "rep stosq", M64, "f3 48 ab", STOS, 8, 8, 8, 0, MF | REP, 0 },
	{ "repne stosd", M64, "f2 ab", STOS, 4, 4, 8, 0, MF | RNE, 0 },
	{ "rep stosd (67)", M64, "f3 67 ab", STOS, 4, 4, 4, 0, MF | REP, 0 },
	{ "movsb", M64, "a4", MOVS, 1, 1, 8, 0, MF, 0 },
	{ "movsd", M64, "a5", MOVS, 4, 4, 8, 0, MF, 0 },
	{ "movsq", M64, "48 a5", MOVS, 8, 8, 8, 0, MF, 0 },
	{ "rep movsb", M64, "f3 a4", MOVS, 1, 1, 8, 0, MF | REP, 0 },
	{ "rep movsq", M64, "f3 48 a5", MOVS, 8, 8, 8, 0, MF | REP, 0 },
	{ "rep movsd es:", M64, "f3 26 a5", MOVS, 4, 4, 8, 0, MF | REP, 0 },
	{ "rep stosd", M32, "f3 ab", STOS, 4, 4, 4, 0, MF | REP, 0 },
	{ "rep stosb (67)", M32, "67 f3 aa", STOS, 1, 1, 2, 0, MF | REP, 0 },
	{ "rep movsw", M16, "f3 a5", MOVS, 2, 2, 2, 0, MF | REP, 0 },
	{ "movsd", M16, "66 a5", MOVS, 4, 4, 2, 0, MF, 0 },
	{ "stosb", M16, "aa", STOS, 1, 1, 2, 0, MF, 0 },
	/* ignored prefixes, the 15-byte limit */
	{ "rep mov [rbx],eax", M64, "f3 89 03", MOV, 4, 4, 8, 0, MF, 0 },
	{ "13 x 66, mov [rbx],eax", M64, "66 66 66 66 66 66 66 66 66 66 66 66 66 89 03", MOV, 2, 2, 8, 0, MF, 0 },
	{ "ds: fs: 66 mov [rbx+rcx*8+disp32],imm16", M64, "3e 64 66 c7 84 cb 00 00 00 80 34 12", MOV, 2, 2, 8, 0, MF | I, 0x1234 },
};

static bool same_insn(const struct insn *a, const struct insn *b)
{
	return a->op == b->op && a->mode == b->mode && a->len == b->len &&
	       a->opsize == b->opsize && a->access_size == b->access_size &&
	       a->addrsize == b->addrsize && a->reg == b->reg && a->reg_high8 == b->reg_high8 &&
	       a->mem_first == b->mem_first && a->has_imm == b->has_imm && a->lock == b->lock &&
	       a->rip_relative == b->rip_relative && a->ext == b->ext && a->rep == b->rep &&
	       a->seg == b->seg && a->imm == b->imm;
}

static void expect(const struct dcase *c, const char *what, uint64_t got, uint64_t want)
{
	if (got != want)
		unit_fail(__FILE__, __LINE__, "%s [%s]: %s = 0x%llx, want 0x%llx", c->asm_text, c->hex,
			  what, (unsigned long long)got, (unsigned long long)want);
}

static void check_decode_case(const struct dcase *c)
{
	uint8_t b[32];
	size_t n = hex(c->hex, b);
	struct insn in, again;
	int rc = decode_exact(b, n, c->mode, &in);

	expect(c, "rc", (uint64_t)rc, 0);
	if (rc)
		return;
	expect(c, "len", in.len, n);
	expect(c, "op", in.op, c->op);
	expect(c, "opsize", in.opsize, c->opsize);
	expect(c, "access_size", in.access_size, c->access);
	expect(c, "addrsize", in.addrsize, c->addrsize);
	expect(c, "reg", in.has_imm || in.op >= INSN_OP_MOVS ? 0 : in.reg, c->reg);
	expect(c, "reg_high8", in.reg_high8, !!(c->flags & H));
	expect(c, "mem_first", in.mem_first, !!(c->flags & MF));
	expect(c, "has_imm", in.has_imm, !!(c->flags & I));
	expect(c, "imm", in.imm, c->imm);
	expect(c, "ext", in.ext,
	       c->flags & ZX ? INSN_EXT_ZERO : c->flags & SX ? INSN_EXT_SIGN : INSN_EXT_NONE);
	expect(c, "rep", in.rep,
	       c->flags & REP ? INSN_REP_E : c->flags & RNE ? INSN_REP_NE : INSN_REP_NONE);
	expect(c, "lock", in.lock, !!(c->flags & LK));
	expect(c, "rip_relative", in.rip_relative, !!(c->flags & RIP));
	expect(c, "mode", in.mode, c->mode);

	/* Every proper prefix is too short; bytes after the end change nothing. */
	for (size_t k = 0; k < n; k++)
		expect(c, "rc of a prefix", (uint64_t)decode_exact(b, k, c->mode, &again),
		       (uint64_t)-E2BIG);
	memset(b + n, 0xcc, sizeof(b) - n);
	rc = decode_exact(b, sizeof(b), c->mode, &again);
	expect(c, "rc with trailing bytes", (uint64_t)rc, 0);
	expect(c, "same decode with trailing bytes", same_insn(&in, &again), 1);
}

TEST(decode_table)
{
	for (size_t i = 0; i < sizeof(dcases) / sizeof(dcases[0]); i++)
		check_decode_case(&dcases[i]);
}

/* --- decoding: what must fail ------------------------------------------------ */

struct bad {
	enum insn_mode mode;
	const char *hex;
	int rc;
	const char *why;
};

static const struct bad bad_cases[] = {
	{ M64, "", -E2BIG, "empty buffer" },
	{ M64, "66 f3 48", -E2BIG, "prefixes only" },
	{ M64, "0f", -E2BIG, "escape only" },
	{ M64, "90", -EINVAL, "nop" },
	{ M64, "c3", -EINVAL, "ret" },
	{ M64, "0f 0b", -EINVAL, "ud2" },
	{ M64, "0f 05", -EINVAL, "syscall" },
	{ M64, "89 c3", -EINVAL, "mov ebx,eax: register form" },
	{ M64, "8a c4", -EINVAL, "mov al,ah: register form" },
	{ M64, "c6 c0 01", -EINVAL, "mov al,1: register form" },
	{ M64, "0f b6 c0", -EINVAL, "movzx eax,al: register form" },
	{ M64, "80 c3 01", -EINVAL, "add bl,1: register form" },
	{ M64, "c7 f8 00 00 00 00", -EINVAL, "xbegin" },
	{ M64, "04 01", -EINVAL, "add al,imm8: no memory" },
	{ M64, "05 01 00 00 00", -EINVAL, "add eax,imm32: no memory" },
	{ M64, "10 03", -EINVAL, "adc [rbx],al" },
	{ M64, "19 03", -EINVAL, "sbb [rbx],eax" },
	{ M64, "80 13 01", -EINVAL, "adc byte [rbx],1" },
	{ M64, "83 1b 01", -EINVAL, "sbb dword [rbx],1" },
	{ M64, "82 03 01", -EINVAL, "82: invalid in 64-bit mode" },
	{ M32, "82 03 01", -EINVAL, "82: the 80 alias, unsupported" },
	{ M64, "c6 4b 00 01", -EINVAL, "C6 /1" },
	{ M64, "c7 4b 00 01 00 00 00", -EINVAL, "C7 /1" },
	{ M64, "f6 0b 01", -EINVAL, "F6 /1" },
	{ M64, "f6 13", -EINVAL, "not byte [rbx]" },
	{ M64, "f7 1b", -EINVAL, "neg dword [rbx]" },
	{ M64, "ff 03", -EINVAL, "inc dword [rbx]" },
	{ M64, "8f 03", -EINVAL, "pop [rbx]" },
	{ M64, "a6", -EINVAL, "cmpsb" },
	{ M64, "ac", -EINVAL, "lodsb" },
	{ M64, "c4 e2 79 18 03", -EINVAL, "VEX vbroadcastss" },
	{ M64, "f0 89 03", -EINVAL, "lock mov" },
	{ M64, "f0 39 03", -EINVAL, "lock cmp" },
	{ M64, "f0 83 3b 01", -EINVAL, "lock cmp imm" },
	{ M64, "f0 85 03", -EINVAL, "lock test" },
	{ M64, "f0 03 03", -EINVAL, "lock add eax,[rbx]: memory is the source" },
	{ M64, "f0 ab", -EINVAL, "lock stosd" },
	{ M64, "f0 0f b6 03", -EINVAL, "lock movzx" },
	{ M32, "63 03", -EINVAL, "arpl (63 outside 64-bit mode)" },
	{ M16, "63 07", -EINVAL, "arpl" },
	{ M64, "66 63 03", -EINVAL, "movsxd r16: 16- or 32-bit read by vendor" },
	{ M32, "48 89 03", -EINVAL, "48 is dec eax in 32-bit mode" },
	{ M16, "40 89 07", -EINVAL, "40 is inc ax in 16-bit mode" },
	{ M64, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 89 03", -EINVAL, "16 bytes" },
	{ M64, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 66", -EINVAL, "prefixes past 15" },
	{ M64, "66 66 66 66 66 66 66 66 66 66 66 66 66 66", -E2BIG, "14 prefixes, more may follow" },
	{ M64, "48 c7 80 00 00 00 00 00 00 00", -E2BIG, "imm32 cut short" },
	{ M64, "a1 00 00 00 00", -E2BIG, "moffs64 cut short" },
	{ M64, "8b 04", -E2BIG, "SIB missing" },
	{ M16, "89 06 34", -E2BIG, "disp16 cut short" },
};

TEST(decode_rejects)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad *c = &bad_cases[i];
		uint8_t b[32];
		size_t n = hex(c->hex, b);
		struct insn in;
		int rc = decode_exact(b, n, c->mode, &in);

		if (rc != c->rc)
			unit_fail(__FILE__, __LINE__, "%s [%s]: rc %d, want %d", c->why, c->hex, rc,
				  c->rc);
		else if (in.len || in.op != INSN_OP_NONE)
			unit_fail(__FILE__, __LINE__, "%s: *out not cleared", c->why);
	}
}

TEST(decode_segments_and_mode)
{
	static const struct { const char *hex; enum insn_seg seg; } segs[] = {
		{ "26 89 03", INSN_SEG_ES }, { "2e 89 03", INSN_SEG_CS },
		{ "36 89 03", INSN_SEG_SS }, { "3e 89 03", INSN_SEG_DS },
		{ "64 89 03", INSN_SEG_FS }, { "65 89 03", INSN_SEG_GS },
		{ "64 26 89 03", INSN_SEG_ES }, { "89 03", INSN_SEG_DEFAULT },
	};
	uint8_t b[16];
	struct insn in;

	for (size_t i = 0; i < sizeof(segs) / sizeof(segs[0]); i++) {
		size_t n = hex(segs[i].hex, b);

		CHECK_EQ_I(decode_exact(b, n, M64, &in), 0);
		CHECK_EQ_U(in.seg, segs[i].seg);
		CHECK_EQ_U(in.len, n);
	}
	CHECK_EQ_I(insn_decode(b, 2, (enum insn_mode)3, &in), -EINVAL);
}
