// SPDX-License-Identifier: MIT
/* vmm/gwalk.c: guest page walks in every paging mode, access rights, #PF error codes. */
#include <stdlib.h>

#include "vmm/gwalk.c"
#include "tests/unit/unit.h"

#define MEM_SIZE (16u << 20)

#define P   0x1ull
#define RW  0x2ull
#define US  0x4ull
#define PS  0x80ull
#define XD  (1ull << 63)
#define URW (P | RW | US)

#define PG   GWALK_CR0_PG
#define WP   GWALK_CR0_WP
#define PAE  GWALK_CR4_PAE
#define PSE  GWALK_CR4_PSE
#define LMA  GWALK_EFER_LMA
#define NXE  GWALK_EFER_NXE

/* Error codes. */
#define E_P GWALK_PF_P
#define E_W GWALK_PF_W
#define E_U GWALK_PF_U
#define E_R GWALK_PF_RSVD
#define E_I GWALK_PF_I

/* Table pages of the 4-level and PAE fixtures. */
#define T4 0x1000ull /* PML4 (4-level), PDPT (PAE: at 0x1020) */
#define T3 0x2000ull
#define T2 0x3000ull
#define T1 0x4000ull

static uint8_t mem[MEM_SIZE];

static int rd(void *ctx, uint64_t gpa, void *buf, size_t len)
{
	(void)ctx;
	if (gpa > MEM_SIZE || len > MEM_SIZE - gpa)
		return -EFAULT;
	memcpy(buf, mem + gpa, len);
	return 0;
}

static void put(uint64_t gpa, const void *v, size_t len)
{
	if (gpa > MEM_SIZE - len) {
		fprintf(stderr, "fixture outside guest memory: %#llx\n", (unsigned long long)gpa);
		abort();
	}
	memcpy(mem + gpa, v, len);
}

static void put64(uint64_t gpa, uint64_t v)
{
	put(gpa, &v, 8);
}

static void put32(uint64_t gpa, uint32_t v)
{
	put(gpa, &v, 4);
}

static struct gwalk_ctx regs(uint64_t cr0, uint64_t cr3, uint64_t cr4, uint64_t efer)
{
	struct gwalk_ctx w = { .cr0 = cr0, .cr3 = cr3, .cr4 = cr4, .efer = efer, .maxphyaddr = 46,
			       .gbpages = true, .read_gpa = rd };

	memset(mem, 0, sizeof(mem));
	return w;
}

static uint64_t out;
static uint32_t err;

/* Translate; on success out holds the gpa, on -EFAULT err the error code. */
static int tr(const struct gwalk_ctx *w, uint64_t gla, unsigned access)
{
	gpa_t g = gpa(~0ull);
	int rc = gwalk_translate(w, gla, access, &g, &err);

	out = gpa_val(g);
	return rc;
}

/* Entry addresses in the 4-level fixture. */
static uint64_t e4(uint64_t gla) { return T4 + 8 * ((gla >> 39) & 511); }
static uint64_t e3(uint64_t gla) { return T3 + 8 * ((gla >> 30) & 511); }
static uint64_t e2(uint64_t gla) { return T2 + 8 * ((gla >> 21) & 511); }
static uint64_t e1(uint64_t gla) { return T1 + 8 * ((gla >> 12) & 511); }

/* gla -> PML4 -> PDPT -> PD -> PT -> pte, upper levels with flags up. */
static void build4(uint64_t gla, uint64_t up, uint64_t pte)
{
	put64(e4(gla), T3 | up);
	put64(e3(gla), T2 | up);
	put64(e2(gla), T1 | up);
	put64(e1(gla), pte);
}

static struct gwalk_ctx long_mode(uint64_t cr0, uint64_t cr4, uint64_t efer)
{
	return regs(PG | cr0, T4, PAE | cr4, LMA | efer);
}

TEST(gwalk_paging_off)
{
	struct gwalk_ctx w = regs(0, 0, 0, 0);

	CHECK_EQ_I(tr(&w, 0x12345678, GWALK_WRITE | GWALK_USER), 0);
	CHECK_EQ_U(out, 0x12345678);
	CHECK_EQ_I(tr(&w, 0x100000fff, GWALK_FETCH), 0);
	CHECK_EQ_U(out, 0xfff); /* 32-bit linear addresses wrap */
	w.efer = LMA;
	CHECK_EQ_I(tr(&w, 0, 0), -EINVAL);
}

TEST(gwalk_bad_inputs)
{
	struct gwalk_ctx w = long_mode(0, 0, 0);

	CHECK_EQ_I(tr(&w, 0, GWALK_WRITE | GWALK_FETCH), -EINVAL);
	w.maxphyaddr = 31;
	CHECK_EQ_I(tr(&w, 0, 0), -EINVAL);
	w.maxphyaddr = 53;
	CHECK_EQ_I(tr(&w, 0, 0), -EINVAL);
	w.maxphyaddr = 46;
	w.cr4 |= GWALK_CR4_LA57;
	CHECK_EQ_I(tr(&w, 0, 0), -ENOTSUP);
	w.cr4 = 0; /* long mode without PAE */
	CHECK_EQ_I(tr(&w, 0, 0), -EINVAL);
	w.cr4 = PAE;
	CHECK_EQ_I(tr(&w, 0x0000800000000000ull, 0), -ERANGE);
	CHECK_EQ_I(tr(&w, 0xffff7fffffffffffull, 0), -ERANGE);
	/* Tables outside guest RAM. */
	w.cr3 = MEM_SIZE;
	CHECK_EQ_I(tr(&w, 0, 0), -EIO);
	CHECK_EQ_U(err, 0);
	w.cr3 = T4;
	put64(e4(0), 0x40000000 | P);
	CHECK_EQ_I(tr(&w, 0, 0), -EIO);
}

TEST(gwalk_4level_4k)
{
	struct gwalk_ctx w = long_mode(0, 0, 0);
	uint64_t gla = 0x00007f1234567abcull, high = 0xffff800000001000ull;

	build4(gla, URW, 0x5000 | URW);
	CHECK_EQ_I(tr(&w, gla, GWALK_WRITE | GWALK_USER), 0);
	CHECK_EQ_U(out, 0x5abc);
	build4(high, P | RW, 0x6000 | P | RW);
	CHECK_EQ_I(tr(&w, high + 0x10, 0), 0);
	CHECK_EQ_U(out, 0x6010);
	/* Not present, at the leaf and higher up: P clear, access bits kept. */
	CHECK_EQ_I(tr(&w, gla + 0x1000, GWALK_WRITE | GWALK_USER), -EFAULT);
	CHECK_EQ_U(err, E_W | E_U);
	CHECK_EQ_I(tr(&w, 0x1000, 0), -EFAULT);
	CHECK_EQ_U(err, 0);
	put64(e3(gla), 0);
	CHECK_EQ_I(tr(&w, gla, GWALK_USER), -EFAULT);
	CHECK_EQ_U(err, E_U);
}

TEST(gwalk_4level_large_pages)
{
	struct gwalk_ctx w = long_mode(0, 0, 0);
	uint64_t gla = 0x0000004080654321ull; /* PML4 0, PDPT 258, PD 3 */

	put64(e4(gla), T3 | URW);
	put64(e3(gla), T2 | URW);
	put64(e2(gla), 0x40000000ull | PS | URW | (1ull << 12) /* PAT: not an address bit */);
	CHECK_EQ_I(tr(&w, gla, GWALK_USER), 0);
	CHECK_EQ_U(out, 0x40054321);
	/* 1 GiB page. */
	put64(e3(gla), 0x1c0000000ull | PS | URW);
	CHECK_EQ_I(tr(&w, gla, 0), 0);
	CHECK_EQ_U(out, 0x1c0000000ull + (gla & 0x3fffffff));
	w.gbpages = false; /* then PS in a PDPTE is reserved */
	CHECK_EQ_I(tr(&w, gla, GWALK_WRITE), -EFAULT);
	CHECK_EQ_U(err, E_P | E_R | E_W);
}

TEST(gwalk_4level_reserved_bits)
{
	struct gwalk_ctx w = long_mode(0, 0, NXE);
	uint64_t gla = 0x7000;

	build4(gla, URW, (1ull << 51) | 0x7000 | URW);
	CHECK_EQ_I(tr(&w, gla, 0), -EFAULT); /* above MAXPHYADDR 46 */
	CHECK_EQ_U(err, E_P | E_R);
	w.maxphyaddr = 52;
	CHECK_EQ_I(tr(&w, gla, 0), 0);
	CHECK_EQ_U(out, (1ull << 51) | 0x7000);
	w.maxphyaddr = 46;
	put64(e1(gla), (0x7ffull << 52) | 0x7000 | URW); /* 62:52 ignored */
	CHECK_EQ_I(tr(&w, gla, 0), 0);
	CHECK_EQ_U(out, 0x7000);
	build4(gla, URW, 0x7000 | URW);
	put64(e4(gla), T3 | URW | PS); /* PS reserved in a PML4E */
	CHECK_EQ_I(tr(&w, gla, GWALK_USER), -EFAULT);
	CHECK_EQ_U(err, E_P | E_R | E_U);
	build4(gla, URW, 0x7000 | URW);
	put64(e2(gla), 0x200000 | (1ull << 13) | PS | URW); /* 2 MiB, bit 13 */
	CHECK_EQ_I(tr(&w, gla, 0), -EFAULT);
	CHECK_EQ_U(err, E_P | E_R);
	put64(e3(gla), 0x40000000 | (1ull << 20) | PS | URW); /* 1 GiB, bit 20 */
	CHECK_EQ_I(tr(&w, gla, 0), -EFAULT);
	CHECK_EQ_U(err, E_P | E_R);
	/* Reserved bits in a not-present entry do not matter. */
	put64(e3(gla), 0xfff0000000000000ull);
	CHECK_EQ_I(tr(&w, gla, 0), -EFAULT);
	CHECK_EQ_U(err, 0);
}

TEST(gwalk_nx)
{
	struct gwalk_ctx w = long_mode(0, 0, NXE);
	uint64_t gla = 0x400000;

	build4(gla, URW, 0x9000 | URW | XD);
	CHECK_EQ_I(tr(&w, gla, GWALK_FETCH), -EFAULT);
	CHECK_EQ_U(err, E_P | E_I);
	CHECK_EQ_I(tr(&w, gla, GWALK_FETCH | GWALK_USER), -EFAULT);
	CHECK_EQ_U(err, E_P | E_I | E_U);
	CHECK_EQ_I(tr(&w, gla, GWALK_WRITE | GWALK_USER), 0);
	/* XD higher up covers the page too. */
	build4(gla, URW, 0x9000 | URW);
	CHECK_EQ_I(tr(&w, gla, GWALK_FETCH), 0);
	put64(e3(gla), T2 | URW | XD);
	CHECK_EQ_I(tr(&w, gla, GWALK_FETCH), -EFAULT);
	/* Without EFER.NXE, bit 63 is reserved and I/D stays 0. */
	w.efer = LMA;
	CHECK_EQ_I(tr(&w, gla, GWALK_FETCH), -EFAULT);
	CHECK_EQ_U(err, E_P | E_R);
	put64(e3(gla), T2 | URW);
	CHECK_EQ_I(tr(&w, gla, GWALK_FETCH), 0);
	put64(e1(gla), 0);
	CHECK_EQ_I(tr(&w, gla, GWALK_FETCH), -EFAULT);
	CHECK_EQ_U(err, 0);
}

TEST(gwalk_write_protect)
{
	struct gwalk_ctx w = long_mode(0, 0, 0);
	uint64_t gla = 0x800000;

	build4(gla, URW, 0xa000 | P | US); /* read-only user page */
	CHECK_EQ_I(tr(&w, gla, GWALK_WRITE), 0); /* CR0.WP = 0: supervisor may write */
	CHECK_EQ_I(tr(&w, gla, GWALK_WRITE | GWALK_USER), -EFAULT);
	CHECK_EQ_U(err, E_P | E_W | E_U);
	w.cr0 |= WP;
	CHECK_EQ_I(tr(&w, gla, GWALK_WRITE), -EFAULT);
	CHECK_EQ_U(err, E_P | E_W);
	CHECK_EQ_I(tr(&w, gla, GWALK_USER), 0);
	/* R/W clear in an upper level only. */
	build4(gla, URW, 0xa000 | URW);
	put64(e4(gla), T3 | P | US);
	CHECK_EQ_I(tr(&w, gla, GWALK_WRITE), -EFAULT);
	CHECK_EQ_U(err, E_P | E_W);
	w.cr0 &= ~WP;
	CHECK_EQ_I(tr(&w, gla, GWALK_WRITE), 0);
}

TEST(gwalk_user_supervisor)
{
	struct gwalk_ctx w = long_mode(WP, 0, NXE);
	uint64_t gla = 0xc00000;

	build4(gla, URW, 0xb000 | P | RW); /* supervisor page */
	CHECK_EQ_I(tr(&w, gla, GWALK_USER), -EFAULT);
	CHECK_EQ_U(err, E_P | E_U);
	CHECK_EQ_I(tr(&w, gla, GWALK_FETCH | GWALK_USER), -EFAULT);
	CHECK_EQ_U(err, E_P | E_U | E_I);
	CHECK_EQ_I(tr(&w, gla, GWALK_WRITE), 0);
	/* U/S clear only in the PDE: still a supervisor page. */
	build4(gla, URW, 0xb000 | URW);
	put64(e2(gla), T1 | P | RW);
	CHECK_EQ_I(tr(&w, gla, GWALK_WRITE | GWALK_USER), -EFAULT);
	CHECK_EQ_U(err, E_P | E_W | E_U);
}

TEST(gwalk_smep_smap)
{
	struct gwalk_ctx w = long_mode(WP, GWALK_CR4_SMEP, 0);
	uint64_t gla = 0x1000000;

	build4(gla, URW, 0xc000 | URW); /* user page */
	CHECK_EQ_I(tr(&w, gla, GWALK_FETCH), -EFAULT);
	CHECK_EQ_U(err, E_P | E_I); /* I/D: SMEP alone is enough */
	CHECK_EQ_I(tr(&w, gla, GWALK_FETCH | GWALK_USER), 0);
	CHECK_EQ_I(tr(&w, gla, GWALK_WRITE), 0);
	w.cr4 = PAE | GWALK_CR4_SMAP;
	CHECK_EQ_I(tr(&w, gla, 0), -EFAULT);
	CHECK_EQ_U(err, E_P);
	CHECK_EQ_I(tr(&w, gla, GWALK_WRITE), -EFAULT);
	CHECK_EQ_U(err, E_P | E_W);
	CHECK_EQ_I(tr(&w, gla, GWALK_WRITE | GWALK_AC), 0);
	CHECK_EQ_I(tr(&w, gla, GWALK_FETCH), 0); /* SMAP does not cover fetches */
	CHECK_EQ_I(tr(&w, gla, GWALK_USER), 0);
}

/* 32-bit paging: PD at 0x1000. */
TEST(gwalk_32bit)
{
	struct gwalk_ctx w = regs(PG | WP, 0x1000, 0, NXE);
	uint32_t gla = 0xc0401234;

	put32(0x1000 + 4 * (gla >> 22), 0x2000 | URW);
	put32(0x2000 + 4 * ((gla >> 12) & 1023), 0x7000 | P | US);
	CHECK_EQ_I(tr(&w, gla, GWALK_USER), 0);
	CHECK_EQ_U(out, 0x7234);
	CHECK_EQ_I(tr(&w, 0x100000000ull + gla, 0), 0); /* wraps at 4 GiB */
	CHECK_EQ_U(out, 0x7234);
	CHECK_EQ_I(tr(&w, gla, GWALK_WRITE), -EFAULT);
	CHECK_EQ_U(err, E_P | E_W);
	/* Fetch: no NX in 32-bit paging, and no I/D without SMEP (NXE is moot). */
	CHECK_EQ_I(tr(&w, gla, GWALK_FETCH), 0);
	CHECK_EQ_I(tr(&w, gla + 0x1000, GWALK_FETCH), -EFAULT);
	CHECK_EQ_U(err, 0);
	/* Bits above 31 do not exist here: the entries are 4 bytes. */
	put32(0x2000 + 4 * ((gla >> 12) & 1023), 0xfffff000 | URW);
	CHECK_EQ_I(tr(&w, gla, 0), 0);
	CHECK_EQ_U(out, 0xfffff234);
}

TEST(gwalk_32bit_pse)
{
	struct gwalk_ctx w = regs(PG, 0x1000, PSE, 0);
	uint32_t gla = 0x80654321, pde = 0x1000 + 4 * (gla >> 22);

	put32(pde, 0x00c00000 | (0x12u << 13) | PS | URW); /* PSE-36: bits 39:32 = 0x12 */
	w.maxphyaddr = 40;
	CHECK_EQ_I(tr(&w, gla, 0), 0);
	CHECK_EQ_U(out, 0x1200e54321ull);
	w.maxphyaddr = 36; /* bits 20:17 now reserved */
	CHECK_EQ_I(tr(&w, gla, 0), -EFAULT);
	CHECK_EQ_U(err, E_P | E_R);
	put32(pde, 0x00c00000 | (0x2u << 13) | PS | URW);
	CHECK_EQ_I(tr(&w, gla, 0), 0);
	CHECK_EQ_U(out, 0x200e54321ull);
	put32(pde, 0x00c00000 | (1u << 21) | PS | URW); /* bit 21 always reserved */
	w.maxphyaddr = 52;
	CHECK_EQ_I(tr(&w, gla, GWALK_USER), -EFAULT);
	CHECK_EQ_U(err, E_P | E_R | E_U);
	/* Without CR4.PSE, PS is ignored: the PDE points to a page table. */
	put32(pde, 0x00c00000 | PS | URW);
	put32(0x00c00000 + 4 * ((gla >> 12) & 1023), 0x3000 | P);
	w.cr4 = 0;
	CHECK_EQ_I(tr(&w, gla, 0), 0);
	CHECK_EQ_U(out, 0x3321);
}

/* PAE: PDPT at 0x1020 (CR3 is 32-byte aligned), PD at 0x3000, PT at 0x4000. */
TEST(gwalk_pae)
{
	struct gwalk_ctx w = regs(PG | WP, 0x1020, PAE, NXE);
	uint32_t gla = 0x80201234;
	uint64_t pdpte = 0x1020 + 8 * (gla >> 30), pde = T2 + 8 * ((gla >> 21) & 511);

	put64(pdpte, T2 | P);
	put64(pde, T1 | URW);
	put64(T1 + 8 * ((gla >> 12) & 511), (1ull << 40) | 0x8000 | URW | XD);
	CHECK_EQ_I(tr(&w, gla, GWALK_WRITE | GWALK_USER), 0);
	CHECK_EQ_U(out, (1ull << 40) | 0x8234);
	CHECK_EQ_I(tr(&w, gla, GWALK_FETCH), -EFAULT);
	CHECK_EQ_U(err, E_P | E_I);
	/* 2 MiB page. */
	put64(pde, 0x600000 | PS | URW);
	CHECK_EQ_I(tr(&w, gla, 0), 0);
	CHECK_EQ_U(out, 0x601234);
	put64(pde, 0x600000 | (1ull << 62) | PS | URW); /* 62:M reserved in PAE */
	CHECK_EQ_I(tr(&w, gla, 0), -EFAULT);
	CHECK_EQ_U(err, E_P | E_R);
	put64(pde, 0x600000 | PS | URW);
	/* PDPTE: R/W and U/S are reserved, and it has no XD. */
	put64(pdpte, T2 | P | RW);
	CHECK_EQ_I(tr(&w, gla, 0), -EFAULT);
	CHECK_EQ_U(err, E_P | E_R);
	put64(pdpte, T2 | P | XD);
	CHECK_EQ_I(tr(&w, gla, 0), -EFAULT);
	CHECK_EQ_U(err, E_P | E_R);
	put64(pdpte, 0);
	CHECK_EQ_I(tr(&w, gla, GWALK_FETCH), -EFAULT);
	CHECK_EQ_U(err, E_I);
	/* Without NXE: XD reserved in PDE/PTE, I/D 0. */
	put64(pdpte, T2 | P);
	put64(pde, 0x600000 | PS | URW | XD);
	w.efer = 0;
	CHECK_EQ_I(tr(&w, gla, GWALK_FETCH), -EFAULT);
	CHECK_EQ_U(err, E_P | E_R);
	/* Other PDPTEs: index from bits 31:30. */
	CHECK_EQ_I(tr(&w, 0x40000000, 0), -EFAULT);
	CHECK_EQ_U(err, 0);
}

/* The optional leaf report: where the translating entry is and what it held. */
TEST(gwalk_reports_leaf_entry)
{
	struct gwalk_ctx w = long_mode(0, 0, 0);
	uint64_t gla = 0x00007f1234567abcull, leaf_gpa = 0, leaf_val = 0;

	build4(gla, URW, 0x5000 | URW);
	w.leaf_gpa = &leaf_gpa;
	w.leaf_val = &leaf_val;
	CHECK_EQ_I(tr(&w, gla, 0), 0);
	CHECK_EQ_U(leaf_gpa, e1(gla));
	CHECK_EQ_U(leaf_val, 0x5000 | URW);
	/* A failed walk leaves them alone. */
	leaf_gpa = 7;
	CHECK_EQ_I(tr(&w, gla + 0x1000, 0), -EFAULT);
	CHECK_EQ_U(leaf_gpa, 7);
}
