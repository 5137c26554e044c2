// SPDX-License-Identifier: MIT
/*
 * acpi.c against tables built byte by byte in fake physical memory. The
 * builders below write the layouts from the ACPI spec with literal offsets
 * (not the parser's constants), so that a wrong constant shows up here.
 */
#include "tests/unit/fw_fake.h"

#include "arch/x86_64/fwtable.c"
#include "arch/x86_64/acpi.c"

#define HI_BOCHS  0x07ff0000ull  /* top of 128 MiB, where Bochs BIOS puts tables */
#define HI_Q35    0x17ffe0000ull /* above 4 GiB: only XSDT entries reach it */
#define LAPIC     0xfee00000u
#define IOAPIC    0xfec00000u
#define HPET_MMIO 0xfed00000ull

/* --- builders ------------------------------------------------------------ */

static uint32_t mem32(uint64_t phys)
{
	const uint8_t *b = fake_ptr(phys, 4);

	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

/* Recompute an SDT's checksum after editing it in place. */
static void sdt_fix(uint64_t at)
{
	fix_checksum(at, mem32(at + 4), at + 9);
}

static uint64_t build_sdt_at(uint64_t at, const char *sig, uint8_t rev, const struct tb *body)
{
	uint32_t len = 36 + (uint32_t)body->n;

	put_bytes(at, sig, 4);
	put32(at + 4, len);
	put8(at + 8, rev);
	put_bytes(at + 10, "BASALT", 6);
	put_bytes(at + 16, "UNITTEST", 8);
	put32(at + 24, 1);
	put_bytes(at + 28, "UNIT", 4);
	put32(at + 32, 1);
	put_bytes(at + 36, body->b, body->n);
	sdt_fix(at);
	return at;
}

static uint64_t build_sdt(const char *sig, uint8_t rev, const struct tb *body)
{
	return build_sdt_at(fake_alloc(36 + body->n), sig, rev, body);
}

/* RSDP: the 20-byte ACPI 1.0 part, then (rev >= 2) Length, XSDT, ext. checksum. */
static void build_rsdp(uint64_t at, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	put_bytes(at, "RSD PTR ", 8);
	put_bytes(at + 9, "BASALT", 6);
	put8(at + 15, rev);
	put32(at + 16, rsdt);
	if (rev >= 2) {
		put32(at + 20, 36);
		put64(at + 24, xsdt);
	}
	fix_checksum(at, 20, at + 8);
	if (rev >= 2)
		fix_checksum(at, 36, at + 32);
}

static uint64_t build_root(const char *sig, const uint64_t *tables, size_t n)
{
	struct tb t = { .n = 0 };

	for (size_t i = 0; i < n; i++) {
		if (sig[0] == 'X')
			tb_u64(&t, tables[i]);
		else
			tb_u32(&t, (uint32_t)tables[i]);
	}
	return build_sdt(sig, 1, &t);
}

/* MADT body: local APIC address, flags (bit 0 PCAT_COMPAT), entries. */
static void mb_begin(struct tb *t, uint32_t lapic, uint32_t flags)
{
	t->n = 0;
	tb_u32(t, lapic);
	tb_u32(t, flags);
}

static void mb_lapic(struct tb *t, uint8_t uid, uint8_t id, uint32_t flags)
{
	tb_u8(t, 0);
	tb_u8(t, 8);
	tb_u8(t, uid);
	tb_u8(t, id);
	tb_u32(t, flags);
}

static void mb_ioapic(struct tb *t, uint8_t id, uint32_t addr, uint32_t gsi)
{
	tb_u8(t, 1);
	tb_u8(t, 12);
	tb_u8(t, id);
	tb_u8(t, 0);
	tb_u32(t, addr);
	tb_u32(t, gsi);
}

static void mb_iso(struct tb *t, uint8_t bus, uint8_t irq, uint32_t gsi, uint16_t flags)
{
	tb_u8(t, 2);
	tb_u8(t, 10);
	tb_u8(t, bus);
	tb_u8(t, irq);
	tb_u32(t, gsi);
	tb_u16(t, flags);
}

static void mb_lapic_nmi(struct tb *t, uint8_t uid, uint16_t flags, uint8_t lint)
{
	tb_u8(t, 4);
	tb_u8(t, 6);
	tb_u8(t, uid);
	tb_u16(t, flags);
	tb_u8(t, lint);
}

static void mb_lapic_override(struct tb *t, uint64_t addr)
{
	tb_u8(t, 5);
	tb_u8(t, 12);
	tb_u16(t, 0);
	tb_u64(t, addr);
}

static void mb_x2apic(struct tb *t, uint32_t id, uint32_t flags, uint32_t uid)
{
	tb_u8(t, 9);
	tb_u8(t, 16);
	tb_u16(t, 0);
	tb_u32(t, id);
	tb_u32(t, flags);
	tb_u32(t, uid);
}

/* A MADT with n enabled LAPICs (IDs 0..n-1) and one IOAPIC. */
static uint64_t build_madt_simple(unsigned n)
{
	struct tb t;

	mb_begin(&t, LAPIC, 1);
	for (unsigned i = 0; i < n; i++)
		mb_lapic(&t, (uint8_t)i, (uint8_t)i, 1);
	mb_ioapic(&t, (uint8_t)n, IOAPIC, 0);
	return build_sdt("APIC", 3, &t);
}

struct gas {
	uint8_t space, width;
	uint64_t addr;
};

struct fadt_spec {
	uint8_t rev, minor;
	uint32_t len;
	uint32_t dsdt;
	uint64_t x_dsdt;
	uint32_t pm1a, pm1b;
	struct gas x_pm1a, x_pm1b;
	uint32_t flags;
	struct gas reset;
	uint8_t reset_value;
};

static void tb_set(struct tb *t, size_t table_off, uint64_t v, unsigned bytes)
{
	size_t at = table_off - 36;

	if (at + bytes > t->n)
		return; /* beyond this FADT's length */
	for (unsigned i = 0; i < bytes; i++)
		t->b[at + i] = (uint8_t)(v >> (8 * i));
}

static void tb_set_gas(struct tb *t, size_t table_off, struct gas g)
{
	tb_set(t, table_off, g.space, 1);
	tb_set(t, table_off + 1, g.width, 1);
	tb_set(t, table_off + 4, g.addr, 8);
}

/* FADT field offsets from the spec table "FADT Format". */
static uint64_t build_fadt(const struct fadt_spec *s)
{
	struct tb t = { .n = 0 };

	tb_zeros(&t, s->len - 36);
	tb_set(&t, 40, s->dsdt, 4);
	tb_set(&t, 46, 9, 2);                    /* SCI_INT */
	tb_set(&t, 56, s->pm1a ? s->pm1a - 4 : 0, 4); /* PM1a_EVT_BLK */
	tb_set(&t, 64, s->pm1a, 4);
	tb_set(&t, 68, s->pm1b, 4);
	tb_set(&t, 76, s->pm1a ? s->pm1a + 4 : 0, 4); /* PM_TMR_BLK */
	tb_set(&t, 88, 4, 1);                    /* PM1_EVT_LEN */
	tb_set(&t, 89, 2, 1);                    /* PM1_CNT_LEN */
	tb_set(&t, 112, s->flags, 4);
	tb_set_gas(&t, 116, s->reset);
	tb_set(&t, 128, s->reset_value, 1);
	tb_set(&t, 131, s->minor, 1);
	tb_set(&t, 140, s->x_dsdt, 8);
	tb_set_gas(&t, 172, s->x_pm1a);
	tb_set_gas(&t, 184, s->x_pm1b);
	return build_sdt("FACP", s->rev, &t);
}

static uint64_t build_dsdt(const uint8_t *aml, size_t n)
{
	struct tb t = { .n = 0 };

	tb_bytes(&t, aml, n);
	return build_sdt("DSDT", 1, &t);
}

/* HPET: event timer block ID, base address GAS, number, min tick, flags. */
static uint64_t build_hpet(uint8_t space, uint64_t addr)
{
	struct tb t = { .n = 0 };

	tb_u32(&t, 0x8086a201);
	tb_u8(&t, space);
	tb_u8(&t, 64);
	tb_u8(&t, 0);
	tb_u8(&t, 0);
	tb_u64(&t, addr);
	tb_u8(&t, 0);
	tb_u16(&t, 0x80);
	tb_u8(&t, 0);
	return build_sdt("HPET", 1, &t);
}

/*
 * AML for Name(_S5, Package(count) {elems}): NameOp, optional root prefix,
 * NameSeg, PackageOp, PkgLength (1 byte, or 2 when long_len), NumElements.
 */
static size_t aml_s5(uint8_t *out, bool rooted, bool long_len, uint8_t count,
		     const uint8_t *elems, size_t elen)
{
	size_t n = 0, pkg_len = (long_len ? 2 : 1) + 1 + elen;

	out[n++] = 0x08;
	if (rooted)
		out[n++] = '\\';
	memcpy(out + n, "_S5_", 4);
	n += 4;
	out[n++] = 0x12;
	if (long_len) {
		out[n++] = (uint8_t)(0x40 | (pkg_len & 0xf));
		out[n++] = (uint8_t)(pkg_len >> 4);
	} else {
		out[n++] = (uint8_t)pkg_len;
	}
	out[n++] = count;
	if (elen)
		memcpy(out + n, elems, elen);
	return n + elen;
}

/* AML that surrounds \_S5 in a real DSDT: Scope(\_SB), Name(_S3, ...) and a
 * Store(_S5_, Local0) decoy whose "_S5_" is not preceded by NameOp. */
static const uint8_t aml_prefix[] = {
	0x10, 0x0a, 0x5c, 0x5f, 0x53, 0x42, 0x5f,         /* Scope (\_SB) { */
	0x08, 0x58, 0x58, 0x58, 0x58, 0x00,               /*   Name (XXXX, Zero) } */
	0x08, 0x5f, 0x53, 0x33, 0x5f, 0x12, 0x06, 0x04,   /* Name (_S3, Package (4) */
	0x01, 0x01, 0x00, 0x00,                           /*   { One, One, Zero, Zero }) */
	0x70, 0x5f, 0x53, 0x35, 0x5f, 0x60,               /* Store (_S5_, Local0) */
};

static const uint8_t s5_5500[] = { 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00 };
static const uint8_t s5_0000[] = { 0x00, 0x00, 0x00, 0x00 };

static uint64_t build_dsdt_s5(bool rooted, const uint8_t *elems, size_t elen, uint8_t count)
{
	uint8_t aml[256];
	size_t n = sizeof(aml_prefix);

	memcpy(aml, aml_prefix, n);
	n += aml_s5(aml + n, rooted, false, count, elems, elen);
	return build_dsdt(aml, n);
}

/* RSDP (v1, at 0xe8010) -> RSDT -> tables. */
static uint64_t install_v1(const uint64_t *tables, size_t n)
{
	build_rsdp(0xe8010, 0, (uint32_t)build_root("RSDT", tables, n), 0);
	return 0xe8010;
}

static struct fadt_spec fadt_v1(uint64_t dsdt)
{
	return (struct fadt_spec){ .rev = 1, .len = 116, .dsdt = (uint32_t)dsdt, .pm1a = 0xb004 };
}

/* --- layouts like the ones real firmware builds ------------------------------ */

/* Bochs BIOS: RSDP v0 in the BIOS area, RSDT, ACPI 1.0 FADT, DSDT, MADT, HPET. */
TEST(bochs_like)
{
	struct fadt_spec fs;
	struct platform p;
	struct tb m;
	uint64_t dsdt, tables[4];

	fake_reset(HI_BOCHS);
	put16(0x40e, 0x9fc0);
	put16(0x413, 639);
	dsdt = build_dsdt_s5(false, s5_5500, sizeof(s5_5500), 4);
	fs = fadt_v1(dsdt);
	tables[0] = build_fadt(&fs);
	tables[1] = build_dsdt(aml_prefix, sizeof(aml_prefix)); /* made an SSDT: not ours */
	put_bytes(tables[1], "SSDT", 4);
	sdt_fix(tables[1]);
	mb_begin(&m, LAPIC, 1);
	mb_lapic(&m, 0, 0, 1);
	mb_lapic(&m, 1, 1, 1);
	mb_ioapic(&m, 2, IOAPIC, 0);
	mb_iso(&m, 0, 0, 2, 0);
	mb_iso(&m, 0, 9, 9, 0x000d);
	mb_lapic_nmi(&m, 0xff, 0, 1);
	tables[2] = build_sdt("APIC", 1, &m);
	tables[3] = build_hpet(0, HPET_MMIO);
	build_rsdp(0xe8010, 0, (uint32_t)build_root("RSDT", tables, 4), 0);

	CHECK_EQ_U(acpi_find_rsdp(fake_map), 0xe8010);
	CHECK_EQ_I(acpi_parse(&p, 0xe8010, fake_map), 0);
	CHECK_EQ_U(p.source, PLATFORM_ACPI);
	CHECK_EQ_U(p.lapic_addr, LAPIC);
	CHECK_EQ_U(p.nr_cpus, 2);
	CHECK_EQ_U(p.cpus[0].apic_id, 0);
	CHECK_EQ_U(p.cpus[1].apic_id, 1);
	CHECK(!p.cpus[0].bsp && !p.cpus[0].online_capable);
	CHECK_EQ_U(p.nr_cpus_ignored, 0);
	CHECK_EQ_U(p.nr_ioapics, 1);
	CHECK_EQ_U(p.ioapics[0].id, 2);
	CHECK_EQ_U(p.ioapics[0].addr, IOAPIC);
	CHECK_EQ_U(p.ioapics[0].gsi_base, 0);
	CHECK_EQ_U(p.nr_irq_overrides, 2);
	CHECK_EQ_U(p.irq_overrides[0].irq, 0);
	CHECK_EQ_U(p.irq_overrides[0].gsi, 2);
	CHECK_EQ_U(p.irq_overrides[0].flags, 0);
	CHECK_EQ_U(p.irq_overrides[1].irq, 9);
	CHECK_EQ_U(p.irq_overrides[1].gsi, 9);
	CHECK_EQ_U(p.irq_overrides[1].flags & PLATFORM_INTI_TRIGGER_MASK, PLATFORM_INTI_TRIGGER_LEVEL);
	CHECK_EQ_U(p.irq_overrides[1].flags & PLATFORM_INTI_POLARITY_MASK, PLATFORM_INTI_POLARITY_HIGH);
	CHECK(p.pic_present);
	CHECK(!p.imcr_present);
	CHECK_EQ_U(p.pm1a_cnt, 0xb004);
	CHECK_EQ_U(p.pm1b_cnt, 0);
	CHECK(p.s5_valid);
	CHECK_EQ_U(p.s5_typ_a, 5);
	CHECK_EQ_U(p.s5_typ_b, 5);
	CHECK(!p.reset_valid);
	CHECK_EQ_U(p.hpet_addr, HPET_MMIO);
	CHECK_EQ_I(log_warnings, 0);
	CHECK(log_has("acpi: RSDT: 2 CPUs (0 ignored), 1 IOAPICs, 2 ISA overrides"));
	CHECK(max_map_len <= 4096);
}

/*
 * QEMU q35 with an ACPI 2.0 RSDP (in the EBDA), an XSDT whose tables sit
 * above 4 GiB, a revision 3 FADT with X_ fields and the 0xcf9 reset
 * register. The RSDT points at a different one-CPU MADT: the XSDT must win.
 */
TEST(q35_like_xsdt)
{
	struct fadt_spec fs = {
		.rev = 3, .len = 244, .pm1a = 0x604,
		.x_pm1a = { .space = 1, .width = 16, .addr = 0x604 },
		.flags = (1u << 10) | (1u << 4) | (1u << 8), /* RESET_REG_SUP, PWR_BUTTON, TMR_VAL_EXT */
		.reset = { .space = 1, .width = 8, .addr = 0xcf9 },
		.reset_value = 0x06,
	};
	uint64_t tables[5], rsdt;
	struct platform p;
	struct tb m, r = { .n = 0 };

	fake_reset(HI_Q35);
	put16(0x40e, 0x9fc0);
	fs.x_dsdt = build_dsdt_s5(true, s5_0000, sizeof(s5_0000), 4);
	tables[0] = build_fadt(&fs);
	tables[1] = 0; /* a hole in the XSDT */
	mb_begin(&m, LAPIC, 1);
	for (uint8_t i = 0; i < 4; i++)
		mb_lapic(&m, i, i, 1);
	mb_ioapic(&m, 0, IOAPIC, 0);
	mb_iso(&m, 0, 0, 2, 0);
	mb_iso(&m, 0, 5, 5, 0xd);
	mb_iso(&m, 0, 9, 9, 0xd);
	mb_iso(&m, 0, 10, 10, 0xd);
	mb_iso(&m, 0, 11, 11, 0xd);
	mb_lapic_nmi(&m, 0xff, 0, 1);
	tables[2] = build_sdt("APIC", 1, &m);
	tables[3] = build_hpet(0, HPET_MMIO);
	m.n = 0;
	tb_zeros(&m, 8 + 16);
	tables[4] = build_sdt("MCFG", 1, &m);
	mb_begin(&m, LAPIC, 1);
	mb_lapic(&m, 0, 7, 1);
	tb_u32(&r, (uint32_t)build_sdt_at(0x70000, "APIC", 1, &m));
	rsdt = build_sdt_at(0x71000, "RSDT", 1, &r);
	build_rsdp(0x9fc00, 2, (uint32_t)rsdt, build_root("XSDT", tables, 5));
	build_rsdp(0xf5a60, 0, (uint32_t)rsdt, 0); /* a second one: the EBDA comes first */

	CHECK_EQ_U(acpi_find_rsdp(fake_map), 0x9fc00);
	CHECK_EQ_I(acpi_parse(&p, 0x9fc00, fake_map), 0);
	CHECK_EQ_U(p.source, PLATFORM_ACPI);
	CHECK_EQ_U(p.nr_cpus, 4);
	CHECK_EQ_U(p.cpus[3].apic_id, 3);
	CHECK_EQ_U(p.nr_ioapics, 1);
	CHECK_EQ_U(p.nr_irq_overrides, 5);
	CHECK_EQ_U(p.irq_overrides[4].irq, 11);
	CHECK_EQ_U(p.pm1a_cnt, 0x604);
	CHECK_EQ_U(p.pm1b_cnt, 0);
	CHECK(p.s5_valid);
	CHECK_EQ_U(p.s5_typ_a, 0);
	CHECK_EQ_U(p.s5_typ_b, 0);
	CHECK(p.reset_valid);
	CHECK_EQ_U(p.reset_reg.space, PLATFORM_GAS_IO);
	CHECK_EQ_U(p.reset_reg.width, 8);
	CHECK_EQ_U(p.reset_reg.addr, 0xcf9);
	CHECK_EQ_U(p.reset_value, 0x06);
	CHECK_EQ_U(p.hpet_addr, HPET_MMIO);
	CHECK(log_has("XSDT: 4 CPUs"));
	CHECK(log_has("reset: 0x6 to I/O port 0xcf9"));
	CHECK_EQ_I(log_warnings, 0);
}

/* --- RSDP ----------------------------------------------------------------------- */

TEST(find_rsdp_bios_area_skips_bad_candidates)
{
	fake_reset(HI_BOCHS);
	build_rsdp(0xe0000, 0, 0x1000, 0);
	put8(0xe0000 + 8, (uint8_t)(*mem(0xe0000 + 8) + 1)); /* bad checksum */
	put_bytes(0xe0100, "RSD PTR ", 8);                  /* signature only */
	build_rsdp(0xe0208, 0, 0x1000, 0);                  /* not on a paragraph */
	build_rsdp(0xfffe0, 0, 0x1000, 0);                  /* the last one 20 bytes fit */
	CHECK_EQ_U(acpi_find_rsdp(fake_map), 0xfffe0);
}

TEST(find_rsdp_none)
{
	fake_reset(HI_BOCHS);
	put16(0x40e, 0x9fc0);
	CHECK_EQ_U(acpi_find_rsdp(fake_map), 0);
}

TEST(find_rsdp_ignores_implausible_ebda)
{
	fake_reset(HI_BOCHS);
	put16(0x40e, 0x0040); /* 0x400: the BDA itself */
	build_rsdp(0x400 + 0x10, 0, 0x1000, 0);
	CHECK_EQ_U(acpi_find_rsdp(fake_map), 0);
	put16(0x40e, 0x9fc0);
	build_rsdp(0x9fff0, 0, 0x1000, 0); /* last paragraph of the EBDA's first KiB */
	CHECK_EQ_U(acpi_find_rsdp(fake_map), 0x9fff0);
}

TEST(rsdp_bad_checksum)
{
	struct platform p;
	uint64_t t[1];

	fake_reset(HI_BOCHS);
	t[0] = build_madt_simple(2);
	install_v1(t, 1);
	put8(0xe8010 + 16, 0x55); /* RSDT address changed, checksum not */
	CHECK_EQ_I(acpi_parse(&p, 0xe8010, fake_map), -EINVAL);
	CHECK_EQ_U(p.source, PLATFORM_NONE);
	CHECK(log_has("RSDP at 0xe8010: bad checksum"));
	CHECK_EQ_U(acpi_find_rsdp(fake_map), 0);
}

TEST(rsdp_bad_signature_missing_unmapped)
{
	struct platform p;

	fake_reset(HI_BOCHS);
	build_rsdp(0xe8010, 0, 0x1000, 0);
	put8(0xe8010, 'X');
	CHECK_EQ_I(acpi_parse(&p, 0xe8010, fake_map), -EINVAL);
	CHECK(log_has("bad signature"));
	CHECK_EQ_I(acpi_parse(&p, 0, fake_map), -ENOENT);
	CHECK_EQ_I(acpi_parse(&p, 0xdead00000000ull, fake_map), -EFAULT);
	CHECK(log_has("not mapped"));
}

TEST(rsdp_without_root_tables)
{
	struct platform p;

	fake_reset(HI_BOCHS);
	build_rsdp(0xe8010, 2, 0, 0);
	CHECK_EQ_I(acpi_parse(&p, 0xe8010, fake_map), -EINVAL);
	CHECK(log_has("no RSDT or XSDT"));
}

/* An ACPI 2.0 RSDP whose extended checksum is wrong: use its RSDT. */
TEST(rsdp_bad_extended_checksum_uses_rsdt)
{
	struct platform p;
	uint64_t t[1], rsdt;

	fake_reset(HI_BOCHS);
	t[0] = build_madt_simple(3);
	rsdt = build_root("RSDT", t, 1);
	build_rsdp(0xe8010, 2, (uint32_t)rsdt, build_root("XSDT", t, 1));
	put8(0xe8010 + 32, (uint8_t)(*mem(0xe8010 + 32) ^ 0xff));
	CHECK_EQ_I(acpi_parse(&p, 0xe8010, fake_map), 0);
	CHECK_EQ_U(p.nr_cpus, 3);
	CHECK(log_has("bad extended checksum, using the RSDT"));
	CHECK(log_has("RSDT: 3 CPUs"));

	/* an absurd Length field: same fallback */
	build_rsdp(0xe8010, 2, (uint32_t)rsdt, 0x1234);
	put32(0xe8010 + 20, 0x80000000u);
	fix_checksum(0xe8010, 36, 0xe8010 + 32);
	CHECK_EQ_I(acpi_parse(&p, 0xe8010, fake_map), 0);
	CHECK(log_has("bad length 2147483648, using the RSDT"));
}

TEST(xsdt_bad_falls_back_to_rsdt)
{
	struct platform p;
	uint64_t t[1], xsdt;

	fake_reset(HI_BOCHS);
	t[0] = build_madt_simple(2);
	xsdt = build_root("XSDT", t, 1);
	put8(xsdt + 20, 0x77); /* OEM table ID: checksum now wrong */
	build_rsdp(0xe8010, 2, (uint32_t)build_root("RSDT", t, 1), xsdt);
	CHECK_EQ_I(acpi_parse(&p, 0xe8010, fake_map), 0);
	CHECK(log_has_at("XSDT at 0x%llx: bad checksum, skipped", xsdt));
	CHECK(log_has("RSDT: 2 CPUs"));

	/* XSDT address 0 in a revision 2 RSDP: the RSDT, silently */
	fake_reset(HI_BOCHS);
	t[0] = build_madt_simple(2);
	build_rsdp(0xe8010, 2, (uint32_t)build_root("RSDT", t, 1), 0);
	CHECK_EQ_I(acpi_parse(&p, 0xe8010, fake_map), 0);
	CHECK(!log_has("skipped"));
}

TEST(root_table_wrong_signature)
{
	struct platform p;
	uint64_t t[1], root;

	fake_reset(HI_BOCHS);
	t[0] = build_madt_simple(2);
	root = build_root("XSDT", t, 1);
	build_rsdp(0xe8010, 0, (uint32_t)root, 0);
	CHECK_EQ_I(acpi_parse(&p, 0xe8010, fake_map), -EINVAL);
	CHECK(log_has_at("RSDT at 0x%llx: signature is 'XSDT', skipped", root));
}

/* --- table validation ------------------------------------------------------------ */

TEST(madt_bad_checksum_skipped)
{
	struct platform p;
	uint64_t t[2];
	struct fadt_spec fs;

	fake_reset(HI_BOCHS);
	fs = fadt_v1(build_dsdt_s5(false, s5_5500, sizeof(s5_5500), 4));
	t[0] = build_fadt(&fs);
	t[1] = build_madt_simple(2);
	put8(t[1] + 36 + 8 + 3, 9); /* an APIC ID, checksum not updated */
	install_v1(t, 2);
	CHECK_EQ_I(acpi_parse(&p, 0xe8010, fake_map), -ENOENT);
	CHECK_EQ_U(p.source, PLATFORM_NONE);
	CHECK_EQ_U(log_count("MADT at 0x"), 1);
	CHECK(log_has_at("acpi: MADT at 0x%llx: bad checksum, skipped", t[1]));
	CHECK(!log_has("no MADT"));
	CHECK_EQ_U(p.nr_cpus, 0);
}

/* A bad MADT does not hide a good one listed after it. */
TEST(madt_second_copy_used_when_first_bad)
{
	struct platform p;
	uint64_t t[3];

	fake_reset(HI_BOCHS);
	t[0] = build_madt_simple(1);
	put8(t[0] + 9, (uint8_t)(*mem(t[0] + 9) + 1));
	t[1] = build_madt_simple(2);
	t[2] = build_madt_simple(3);
	install_v1(t, 3);
	CHECK_EQ_I(acpi_parse(&p, 0xe8010, fake_map), 0);
	CHECK_EQ_U(p.nr_cpus, 2);
	CHECK(log_has("bad checksum"));
	CHECK(log_has("second MADT"));
}

TEST(madt_missing)
{
	struct platform p;
	uint64_t t[1];
	struct fadt_spec fs = fadt_v1(0);

	fake_reset(HI_BOCHS);
	t[0] = build_fadt(&fs);
	install_v1(t, 1);
	CHECK_EQ_I(acpi_parse(&p, 0xe8010, fake_map), -ENOENT);
	CHECK(log_has("acpi: no MADT"));
	CHECK(log_has_at("FADT at 0x%llx: no DSDT", t[0]));
}

TEST(table_length_sanity)
{
	struct platform p;
	uint64_t t[1];

	fake_reset(HI_BOCHS);
	t[0] = build_madt_simple(2);
	install_v1(t, 1);
	put32(t[0] + 4, 35);
	CHECK_EQ_I(acpi_parse(&p, 0xe8010, fake_map), -ENOENT);
	CHECK(log_has_at("MADT at 0x%llx: bad length 35, skipped", t[0]));
	put32(t[0] + 4, 0xffffffffu);
	CHECK_EQ_I(acpi_parse(&p, 0xe8010, fake_map), -ENOENT);
	CHECK(log_has("bad length 4294967295"));
	put32(t[0] + 4, (1u << 20) + 1);
	CHECK_EQ_I(acpi_parse(&p, 0xe8010, fake_map), -ENOENT);
	CHECK(max_map_len <= 64); /* never the claimed 1 MiB + 1 */
}

/* The header says more bytes than there is memory: the map fails, no read. */
TEST(madt_truncated_by_memory_end)
{
	struct platform p;
	uint64_t t[1], at = HI_BOCHS + HI_SIZE - 64;
	struct tb m;

	fake_reset(HI_BOCHS);
	mb_begin(&m, LAPIC, 1);
	mb_lapic(&m, 0, 0, 1);
	mb_lapic(&m, 1, 1, 1);
	t[0] = build_sdt_at(at, "APIC", 1, &m); /* 60 bytes: fits */
	put32(at + 4, 200);
	install_v1(t, 1);
	CHECK_EQ_I(acpi_parse(&p, 0xe8010, fake_map), -ENOENT);
	CHECK(log_has_at("MADT at 0x%llx: 200 bytes not mapped, skipped", at));
}

TEST(root_entry_unmapped)
{
	struct platform p;
	uint64_t t[2];

	fake_reset(HI_BOCHS);
	t[0] = 0xf0000000u;
	t[1] = build_madt_simple(1);
	install_v1(t, 2);
	CHECK_EQ_I(acpi_parse(&p, 0xe8010, fake_map), 0);
	CHECK(log_has("root table entry 0 (0xf0000000) not mapped"));
	CHECK_EQ_U(p.nr_cpus, 1);
}

/* --- MADT entries ----------------------------------------------------------------- */

static int parse_madt_body(struct tb *m, struct platform *p)
{
	uint64_t t[1];

	t[0] = build_sdt("APIC", 3, m);
	install_v1(t, 1);
	return acpi_parse(p, 0xe8010, fake_map);
}

TEST(madt_entry_length_zero_stops_walk)
{
	struct platform p;
	struct tb m;

	fake_reset(HI_BOCHS);
	mb_begin(&m, LAPIC, 1);
	mb_lapic(&m, 0, 0, 1);
	tb_u8(&m, 0);
	tb_u8(&m, 0); /* type 0, length 0 */
	mb_lapic(&m, 1, 1, 1);
	CHECK_EQ_I(parse_madt_body(&m, &p), 0);
	CHECK_EQ_U(p.nr_cpus, 1);
	CHECK(log_has("type 0 entry at offset 52 has bad length 0, rest ignored"));

	fake_reset(HI_BOCHS);
	mb_begin(&m, LAPIC, 1);
	tb_u8(&m, 1);
	tb_u8(&m, 1); /* length 1 */
	mb_lapic(&m, 0, 0, 1);
	CHECK_EQ_I(parse_madt_body(&m, &p), -ENODEV);
	CHECK(log_has("bad length 1"));
	CHECK(log_has("no usable CPU"));
}

TEST(madt_entry_overruns_table)
{
	struct platform p;
	struct tb m;

	fake_reset(HI_BOCHS);
	mb_begin(&m, LAPIC, 1);
	mb_lapic(&m, 0, 0, 1);
	mb_lapic(&m, 1, 1, 1);
	mb_ioapic(&m, 2, IOAPIC, 0);
	m.n -= 4; /* the IOAPIC entry is cut short by the table's end */
	CHECK_EQ_I(parse_madt_body(&m, &p), 0);
	CHECK_EQ_U(p.nr_cpus, 2);
	CHECK_EQ_U(p.nr_ioapics, 0);
	CHECK(log_has("type 1 entry at offset 60 has bad length 12, rest ignored"));

	/* a single trailing byte is not an entry */
	fake_reset(HI_BOCHS);
	mb_begin(&m, LAPIC, 1);
	mb_lapic(&m, 0, 0, 1);
	tb_u8(&m, 0);
	CHECK_EQ_I(parse_madt_body(&m, &p), 0);
	CHECK(!log_has("bad length"));
}

TEST(madt_header_only_or_shorter)
{
	struct platform p;
	struct tb m = { .n = 0 };

	fake_reset(HI_BOCHS);
	tb_u32(&m, LAPIC); /* no flags field */
	CHECK_EQ_I(parse_madt_body(&m, &p), -ENODEV);
	CHECK(log_has("only 40 bytes, skipped"));
	fake_reset(HI_BOCHS);
	mb_begin(&m, LAPIC, 1);
	CHECK_EQ_I(parse_madt_body(&m, &p), -ENODEV);
}

TEST(madt_entry_too_short_for_type)
{
	struct platform p;
	struct tb m;

	fake_reset(HI_BOCHS);
	mb_begin(&m, LAPIC, 1);
	tb_u8(&m, 1);
	tb_u8(&m, 8); /* an IOAPIC entry needs 12 */
	tb_u32(&m, 0x01020304);
	tb_u16(&m, 0);
	mb_lapic(&m, 0, 0, 1);
	CHECK_EQ_I(parse_madt_body(&m, &p), 0);
	CHECK_EQ_U(p.nr_ioapics, 0);
	CHECK_EQ_U(p.nr_cpus, 1);
	CHECK(log_has("type 1 entry at offset 44 too short (8), skipped"));
}

TEST(madt_more_cpus_than_max)
{
	struct platform p;
	struct tb m;

	fake_reset(HI_BOCHS);
	mb_begin(&m, LAPIC, 1);
	for (unsigned i = 0; i < MAX_CPUS + 3; i++)
		mb_x2apic(&m, i, 1, i);
	CHECK_EQ_I(parse_madt_body(&m, &p), 0);
	CHECK_EQ_U(p.nr_cpus, MAX_CPUS);
	CHECK_EQ_U(p.nr_cpus_ignored, 3);
	CHECK_EQ_U(p.cpus[MAX_CPUS - 1].apic_id, MAX_CPUS - 1);
	CHECK_EQ_U(log_count("beyond MAX_CPUS"), 1);
	CHECK(log_has("3 CPUs beyond MAX_CPUS (64) ignored"));
}

TEST(madt_disabled_lapics)
{
	struct platform p;
	struct tb m;

	fake_reset(HI_BOCHS);
	mb_begin(&m, LAPIC, 1);
	mb_lapic(&m, 0, 0, 1);
	mb_lapic(&m, 1, 1, 0);
	mb_lapic(&m, 2, 2, 1);
	mb_lapic(&m, 3, 3, 0);
	mb_lapic(&m, 4, 4, 2); /* online capable, but no ACPI 6.3 FADT: disabled */
	CHECK_EQ_I(parse_madt_body(&m, &p), 0);
	CHECK_EQ_U(p.nr_cpus, 2);
	CHECK_EQ_U(p.cpus[1].apic_id, 2);
	CHECK_EQ_U(p.nr_cpus_ignored, 3);

	fake_reset(HI_BOCHS);
	mb_begin(&m, LAPIC, 1);
	mb_lapic(&m, 0, 0, 0);
	CHECK_EQ_I(parse_madt_body(&m, &p), -ENODEV);
	CHECK_EQ_U(p.nr_cpus_ignored, 1);
	CHECK_EQ_U(p.source, PLATFORM_NONE);
}

/* ACPI 6.3 FADT: "online capable" CPUs are listed, and marked. */
static int parse_madt_with_fadt(struct tb *m, uint8_t rev, uint8_t minor, struct platform *p)
{
	struct fadt_spec fs = { .rev = rev, .minor = minor, .len = 276, .pm1a = 0x604 };
	uint64_t t[2];

	t[0] = build_fadt(&fs);
	t[1] = build_sdt("APIC", 5, m);
	install_v1(t, 2);
	return acpi_parse(p, 0xe8010, fake_map);
}

TEST(madt_online_capable)
{
	struct platform p;
	struct tb m;

	fake_reset(HI_BOCHS);
	mb_begin(&m, LAPIC, 1);
	mb_lapic(&m, 0, 0, 1);
	mb_lapic(&m, 1, 1, 2);
	mb_x2apic(&m, 0x100, 2, 2);
	mb_lapic(&m, 3, 3, 0);
	CHECK_EQ_I(parse_madt_with_fadt(&m, 6, 3, &p), 0);
	CHECK_EQ_U(p.nr_cpus, 3);
	CHECK(!p.cpus[0].online_capable);
	CHECK(p.cpus[1].online_capable);
	CHECK(p.cpus[2].online_capable);
	CHECK_EQ_U(p.cpus[2].apic_id, 0x100);
	CHECK_EQ_U(p.nr_cpus_ignored, 1);

	CHECK_EQ_I(parse_madt_with_fadt(&m, 6, 2, &p), 0); /* ACPI 6.2: bit 1 reserved */
	CHECK_EQ_U(p.nr_cpus, 1);
	CHECK_EQ_U(p.nr_cpus_ignored, 3);
	CHECK_EQ_I(parse_madt_with_fadt(&m, 7, 0, &p), 0);
	CHECK_EQ_U(p.nr_cpus, 3);
}

TEST(madt_x2apic_entries)
{
	struct platform p;
	struct tb m;

	fake_reset(HI_BOCHS);
	mb_begin(&m, LAPIC, 1);
	mb_lapic(&m, 0, 0, 1);
	mb_lapic(&m, 1, 1, 1);
	mb_lapic(&m, 2, 0xff, 1);         /* placeholder for an x2APIC-only CPU */
	mb_x2apic(&m, 1, 1, 1);           /* listed twice */
	mb_x2apic(&m, 0x100, 1, 2);
	mb_x2apic(&m, 0x1ffff, 1, 3);
	mb_x2apic(&m, 0x200, 0, 4);       /* disabled */
	mb_x2apic(&m, 0xffffffffu, 1, 5); /* no ID */
	CHECK_EQ_I(parse_madt_body(&m, &p), 0);
	CHECK_EQ_U(p.nr_cpus, 4);
	CHECK_EQ_U(p.cpus[0].apic_id, 0);
	CHECK_EQ_U(p.cpus[1].apic_id, 1);
	CHECK_EQ_U(p.cpus[2].apic_id, 0x100);
	CHECK_EQ_U(p.cpus[3].apic_id, 0x1ffff);
	CHECK_EQ_U(p.nr_cpus_ignored, 1);
	CHECK(log_has("APIC ID 0x1 listed twice"));
}

TEST(madt_lapic_address_override_and_flags)
{
	struct platform p;
	struct tb m;

	fake_reset(HI_BOCHS);
	mb_begin(&m, LAPIC, 0); /* no PCAT_COMPAT */
	mb_lapic(&m, 0, 0, 1);
	mb_lapic_override(&m, 0x123456789000ull);
	mb_lapic(&m, 1, 1, 1);
	CHECK_EQ_I(parse_madt_body(&m, &p), 0);
	CHECK_EQ_U(p.lapic_addr, 0x123456789000ull);
	CHECK(!p.pic_present);
	CHECK_EQ_U(p.nr_cpus, 2);
}

TEST(madt_ioapics_and_overrides_overflow)
{
	struct platform p;
	struct tb m;

	fake_reset(HI_BOCHS);
	mb_begin(&m, LAPIC, 1);
	mb_lapic(&m, 0, 0, 1);
	for (unsigned i = 0; i < MAX_IOAPICS + 2; i++)
		mb_ioapic(&m, (uint8_t)(i + 1), IOAPIC + i * 0x1000, i * 24);
	mb_ioapic(&m, 99, 0, 0); /* no address */
	for (unsigned i = 0; i < MAX_IRQ_OVERRIDES + 1; i++)
		mb_iso(&m, 0, (uint8_t)i, i + 100, 0xf);
	mb_iso(&m, 1, 3, 3, 0); /* not the ISA bus */
	CHECK_EQ_I(parse_madt_body(&m, &p), 0);
	CHECK_EQ_U(p.nr_ioapics, MAX_IOAPICS);
	CHECK_EQ_U(p.ioapics[1].id, 2);
	CHECK_EQ_U(p.ioapics[1].addr, IOAPIC + 0x1000);
	CHECK_EQ_U(p.ioapics[1].gsi_base, 24);
	CHECK_EQ_U(p.nr_irq_overrides, MAX_IRQ_OVERRIDES);
	CHECK_EQ_U(p.irq_overrides[3].gsi, 103);
	CHECK_EQ_U(p.irq_overrides[3].flags, 0xf);
	CHECK(log_has("2 IOAPICs beyond MAX_IOAPICS (8) ignored"));
	CHECK(log_has("1 overrides beyond MAX_IRQ_OVERRIDES (16) ignored"));
	CHECK(log_has("IOAPIC 99 has no address"));
	CHECK(log_has("override for bus 1 (not ISA) skipped"));
}

/* --- FADT --------------------------------------------------------------------------- */

TEST(missing_fadt_cpus_still_ok)
{
	struct platform p;
	uint64_t t[1];

	fake_reset(HI_BOCHS);
	t[0] = build_madt_simple(2);
	install_v1(t, 1);
	CHECK_EQ_I(acpi_parse(&p, 0xe8010, fake_map), 0);
	CHECK_EQ_U(p.nr_cpus, 2);
	CHECK_EQ_U(p.pm1a_cnt, 0);
	CHECK(!p.s5_valid);
	CHECK(!p.reset_valid);
	CHECK_EQ_U(p.hpet_addr, 0);
	CHECK(!log_has("soft-off"));
}

static int parse_fadt(const struct fadt_spec *fs, struct platform *p)
{
	uint64_t t[2];

	t[0] = build_fadt(fs);
	t[1] = build_madt_simple(1);
	install_v1(t, 2);
	return acpi_parse(p, 0xe8010, fake_map);
}

TEST(fadt_too_short)
{
	struct fadt_spec fs = { .rev = 1, .len = 100, .pm1a = 0xb004 };
	struct platform p;

	fake_reset(HI_BOCHS);
	CHECK_EQ_I(parse_fadt(&fs, &p), 0);
	CHECK_EQ_U(p.pm1a_cnt, 0);
	CHECK(log_has_at("FADT at 0x%llx: only 100 bytes, ignored", HI_BOCHS));
}

TEST(fadt_x_pm1_blocks)
{
	struct fadt_spec fs = {
		.rev = 4, .len = 244, .pm1a = 0x404, .pm1b = 0x504,
		.x_pm1a = { .space = 1, .width = 16, .addr = 0x1804 },
		.x_pm1b = { .space = 0, .width = 16, .addr = 0xfe000504 }, /* MMIO: not for us */
	};
	struct platform p;

	fake_reset(HI_BOCHS);
	CHECK_EQ_I(parse_fadt(&fs, &p), 0);
	CHECK_EQ_U(p.pm1a_cnt, 0x1804);
	CHECK_EQ_U(p.pm1b_cnt, 0x504);
	CHECK(log_has("PM1a_CNT_BLK 0x404 and X_PM1a_CNT_BLK 0x1804 differ"));
	CHECK(log_has("X_PM1b_CNT_BLK (space 0, 0xfe000504) is not an I/O port, using 0x504"));

	/* revision 2 (ACPI 1.0b): the X_ fields are not defined, whatever is there */
	fake_reset(HI_BOCHS);
	fs.rev = 2;
	CHECK_EQ_I(parse_fadt(&fs, &p), 0);
	CHECK_EQ_U(p.pm1a_cnt, 0x404);
	CHECK(!log_has("X_PM1"));

	/* revision 3 but too short for X_PM1b_CNT_BLK */
	fake_reset(HI_BOCHS);
	fs.rev = 3;
	fs.len = 190;
	CHECK_EQ_I(parse_fadt(&fs, &p), 0);
	CHECK_EQ_U(p.pm1a_cnt, 0x1804);
	CHECK_EQ_U(p.pm1b_cnt, 0x504);
	CHECK(!log_has("X_PM1b"));

	/* X_ address zero: the 32-bit field */
	fake_reset(HI_BOCHS);
	fs.len = 244;
	fs.x_pm1a.addr = 0;
	CHECK_EQ_I(parse_fadt(&fs, &p), 0);
	CHECK_EQ_U(p.pm1a_cnt, 0x404);

	/* a 32-bit "port" that is not one */
	fake_reset(HI_BOCHS);
	fs.pm1a = 0x12345;
	CHECK_EQ_I(parse_fadt(&fs, &p), 0);
	CHECK_EQ_U(p.pm1a_cnt, 0);
	CHECK(log_has("PM1a_CNT_BLK 0x12345 is not an I/O port"));
}

TEST(fadt_reset_register)
{
	struct fadt_spec fs = {
		.rev = 3, .len = 244, .pm1a = 0x604,
		.reset = { .space = 1, .width = 8, .addr = 0xcf9 }, .reset_value = 6,
	};
	struct platform p;

	fake_reset(HI_BOCHS);
	CHECK_EQ_I(parse_fadt(&fs, &p), 0);
	CHECK(!p.reset_valid); /* RESET_REG_SUP clear */

	fake_reset(HI_BOCHS);
	fs.flags = 1u << 10;
	fs.reset = (struct gas){ .space = 0, .width = 8, .addr = 0xfed00cf9 };
	fs.reset_value = 0x0e;
	CHECK_EQ_I(parse_fadt(&fs, &p), 0);
	CHECK(p.reset_valid);
	CHECK_EQ_U(p.reset_reg.space, PLATFORM_GAS_MEMORY);
	CHECK_EQ_U(p.reset_reg.addr, 0xfed00cf9);
	CHECK_EQ_U(p.reset_value, 0x0e);

	fake_reset(HI_BOCHS);
	fs.reset = (struct gas){ .space = 2, .width = 8, .addr = (0x1full << 32) | 0xcf9 };
	CHECK_EQ_I(parse_fadt(&fs, &p), 0);
	CHECK(p.reset_valid);
	CHECK_EQ_U(p.reset_reg.space, PLATFORM_GAS_PCI_CFG);

	fake_reset(HI_BOCHS);
	fs.reset = (struct gas){ .space = 3, .width = 8, .addr = 0xcf9 }; /* embedded controller */
	CHECK_EQ_I(parse_fadt(&fs, &p), 0);
	CHECK(!p.reset_valid);
	CHECK(log_has("reset register unusable (space 3, 0xcf9)"));

	fake_reset(HI_BOCHS);
	fs.reset = (struct gas){ .space = 1, .width = 8, .addr = 0 };
	CHECK_EQ_I(parse_fadt(&fs, &p), 0);
	CHECK(!p.reset_valid);

	/* an ACPI 1.0 FADT cannot have one, whatever its flags say */
	fake_reset(HI_BOCHS);
	fs.rev = 1;
	fs.len = 116;
	fs.reset = (struct gas){ .space = 1, .width = 8, .addr = 0xcf9 };
	CHECK_EQ_I(parse_fadt(&fs, &p), 0);
	CHECK(!p.reset_valid);
	CHECK(log_has("RESET_REG_SUP set but the table has only 116 bytes"));
}

TEST(fadt_dsdt_choice)
{
	struct fadt_spec fs = { .rev = 3, .len = 244, .pm1a = 0x604 };
	static const uint8_t s5_3_4[] = { 0x0a, 0x03, 0x0a, 0x04 };
	struct platform p;

	/* X_DSDT is preferred over DSDT */
	fake_reset(HI_BOCHS);
	fs.dsdt = (uint32_t)build_dsdt_s5(false, s5_5500, sizeof(s5_5500), 4);
	fs.x_dsdt = build_dsdt_s5(false, s5_3_4, sizeof(s5_3_4), 2);
	CHECK_EQ_I(parse_fadt(&fs, &p), 0);
	CHECK(p.s5_valid);
	CHECK_EQ_U(p.s5_typ_a, 3);
	CHECK_EQ_U(p.s5_typ_b, 4);

	/* a bad X_DSDT: the 32-bit one */
	put8(fs.x_dsdt + 9, (uint8_t)(*mem(fs.x_dsdt + 9) + 1));
	CHECK_EQ_I(acpi_parse(&p, 0xe8010, fake_map), 0);
	CHECK(p.s5_valid);
	CHECK_EQ_U(p.s5_typ_a, 5);
	CHECK(log_has("DSDT at 0x"));
	CHECK(log_has(": bad checksum, skipped"));

	/* both bad: no soft-off, CPUs fine */
	put8(fs.dsdt + 9, (uint8_t)(*mem(fs.dsdt + 9) + 1));
	CHECK_EQ_I(acpi_parse(&p, 0xe8010, fake_map), 0);
	CHECK(!p.s5_valid);

	/* a DSDT pointer to something else */
	fake_reset(HI_BOCHS);
	fs.x_dsdt = 0;
	fs.dsdt = (uint32_t)build_hpet(0, HPET_MMIO);
	CHECK_EQ_I(parse_fadt(&fs, &p), 0);
	CHECK(!p.s5_valid);
	CHECK(log_has("signature is 'HPET'"));
}

/* --- \_S5 ------------------------------------------------------------------------------ */

static int parse_s5_aml(const uint8_t *aml, size_t n, struct platform *p)
{
	struct fadt_spec fs;

	fake_reset(HI_BOCHS);
	fs = fadt_v1(build_dsdt(aml, n));
	return parse_fadt(&fs, p);
}

/* Decode Name(_S5, Package(count){elems}); 1 when valid. */
static int s5_case(bool rooted, bool long_len, uint8_t count, const uint8_t *elems,
		   size_t elen, struct platform *p)
{
	uint8_t aml[256];
	size_t n = sizeof(aml_prefix);

	memcpy(aml, aml_prefix, n);
	n += aml_s5(aml + n, rooted, long_len, count, elems, elen);
	aml[n++] = 0x5b; /* whatever follows: here the start of an OperationRegion */
	aml[n++] = 0x80;
	CHECK_EQ_I(parse_s5_aml(aml, n, p), 0);
	return p->s5_valid;
}

TEST(s5_integer_encodings)
{
	static const uint8_t zero_zero[] = { 0x00, 0x00 };
	static const uint8_t one_one[] = { 0x01, 0x01, 0x00, 0x00 };
	static const uint8_t byte_zero[] = { 0x0a, 0x07, 0x00 };
	static const uint8_t word_dword[] = { 0x0b, 0x05, 0x00, 0x0c, 0x06, 0x00, 0x00, 0x00 };
	static const uint8_t qword_one[] = { 0x0e, 0x02, 0, 0, 0, 0, 0, 0, 0, 0x01 };
	static const uint8_t packed[] = { 0x0b, 0x05, 0x07 }; /* one element: a=5, b=7 */
	struct platform p;

	CHECK(s5_case(false, false, 2, zero_zero, sizeof(zero_zero), &p));
	CHECK_EQ_U(p.s5_typ_a, 0);
	CHECK_EQ_U(p.s5_typ_b, 0);
	CHECK(s5_case(false, false, 4, one_one, sizeof(one_one), &p));
	CHECK_EQ_U(p.s5_typ_a, 1);
	CHECK_EQ_U(p.s5_typ_b, 1);
	CHECK(s5_case(false, false, 3, byte_zero, sizeof(byte_zero), &p));
	CHECK_EQ_U(p.s5_typ_a, 7);
	CHECK_EQ_U(p.s5_typ_b, 0);
	CHECK(s5_case(true, false, 2, word_dword, sizeof(word_dword), &p));
	CHECK_EQ_U(p.s5_typ_a, 5);
	CHECK_EQ_U(p.s5_typ_b, 6);
	CHECK(s5_case(false, true, 2, qword_one, sizeof(qword_one), &p));
	CHECK_EQ_U(p.s5_typ_a, 2);
	CHECK_EQ_U(p.s5_typ_b, 1);
	CHECK(s5_case(false, false, 1, packed, sizeof(packed), &p));
	CHECK_EQ_U(p.s5_typ_a, 5);
	CHECK_EQ_U(p.s5_typ_b, 7);
	CHECK(s5_case(true, true, 4, s5_5500, sizeof(s5_5500), &p));
	CHECK_EQ_U(p.s5_typ_a, 5);
	CHECK(!log_has("S5"));
}

TEST(s5_rejected)
{
	static const uint8_t ones[] = { 0xff, 0x00 };
	static const uint8_t eight[] = { 0x0a, 0x08, 0x00 };
	static const uint8_t name_ref[] = { 0x53, 0x4c, 0x50, 0x41, 0x00 }; /* SLPA, Zero */
	static const uint8_t one_only[] = { 0x0a, 0x05 };                   /* count 2, 1 given */
	static const uint8_t cut_byte[] = { 0x00, 0x0a };                   /* BytePrefix, no byte */
	struct platform p;

	CHECK(!s5_case(false, false, 2, ones, sizeof(ones), &p));
	CHECK(log_has("has SLP_TYP > 7"));
	CHECK(!s5_case(false, false, 2, eight, sizeof(eight), &p));
	CHECK(!s5_case(false, false, 2, name_ref, sizeof(name_ref), &p));
	CHECK(log_has("not understood, no soft-off"));
	CHECK(!s5_case(false, false, 2, one_only, sizeof(one_only), &p));
	CHECK(!s5_case(false, false, 2, cut_byte, sizeof(cut_byte), &p));
	CHECK(!s5_case(false, false, 0, NULL, 0, &p));
	CHECK_EQ_U(p.nr_cpus, 1); /* the rest of ACPI is unaffected */
}

TEST(s5_malformed_package_bounds)
{
	uint8_t aml[64];
	struct platform p;
	size_t n;

	/* PkgLength beyond the end of the DSDT */
	n = aml_s5(aml, false, false, 2, s5_0000, 2);
	aml[6] = 0x30;
	CHECK_EQ_I(parse_s5_aml(aml, n, &p), 0);
	CHECK(!p.s5_valid);
	CHECK(log_has("not understood"));

	/* PkgLength smaller than its own encoding plus NumElements */
	n = aml_s5(aml, false, false, 2, s5_0000, 2);
	aml[6] = 0x01;
	CHECK_EQ_I(parse_s5_aml(aml, n, &p), 0);
	CHECK(!p.s5_valid);

	/* a 4-byte PkgLength cut off by the end of the table */
	memcpy(aml, "\x08_S5_\x12\xc0\x01", 8);
	CHECK_EQ_I(parse_s5_aml(aml, 8, &p), 0);
	CHECK(!p.s5_valid);

	/* the name is the very last thing in the table */
	memcpy(aml, "\x08_S5_", 5);
	CHECK_EQ_I(parse_s5_aml(aml, 5, &p), 0);
	CHECK(!p.s5_valid);
	CHECK(log_has("no \\_S5 package"));

	/* PackageOp as the very last byte */
	memcpy(aml, "\x08_S5_\x12", 6);
	CHECK_EQ_I(parse_s5_aml(aml, 6, &p), 0);
	CHECK(!p.s5_valid);
	CHECK(log_has("not understood"));

	/* "_S5_" right at the start of the AML, nothing before it */
	memcpy(aml, "_S5_\x12\x04\x02\x00\x00", 9);
	CHECK_EQ_I(parse_s5_aml(aml, 9, &p), 0);
	CHECK(!p.s5_valid);
}

TEST(s5_not_a_name)
{
	/* Method (_S5) { Return (Package ... ) }: not something we evaluate */
	static const uint8_t method[] = {
		0x14, 0x0c, 0x5f, 0x53, 0x35, 0x5f, 0x00,
		0xa4, 0x12, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00,
	};
	static const uint8_t buffer[] = {
		0x11, 0x0e, 0x0a, 0x0b, 0x5f, 0x53, 0x35, 0x5f,
		0x12, 0x06, 0x04, 0x01, 0x01, 0x00, 0x00,
	};
	struct platform p;

	CHECK_EQ_I(parse_s5_aml(method, sizeof(method), &p), 0);
	CHECK(!p.s5_valid);
	CHECK(log_has("no \\_S5 package, no soft-off"));
	/* Buffer (11) { "_S5_", PackageOp, ... }: data that only looks like it */
	CHECK_EQ_I(parse_s5_aml(buffer, sizeof(buffer), &p), 0);
	CHECK(!p.s5_valid);
	CHECK_EQ_I(parse_s5_aml(aml_prefix, sizeof(aml_prefix), &p), 0);
	CHECK(!p.s5_valid);
}

/* The helpers on their own, at the edges of what they are given. */
TEST(aml_helpers)
{
	static const uint8_t pl1[] = { 0x3f };
	static const uint8_t pl2[] = { 0x4a, 0x12 };
	static const uint8_t pl4[] = { 0xc1, 0x23, 0x45, 0x67 };
	static const uint8_t dword[] = { 0x0c, 0x78, 0x56, 0x34, 0x12 };
	uint32_t len = 0;
	uint64_t v = 0;

	CHECK_EQ_U(aml_pkg_length(pl1, 1, &len), 1);
	CHECK_EQ_U(len, 0x3f);
	CHECK_EQ_U(aml_pkg_length(pl2, 2, &len), 2);
	CHECK_EQ_U(len, 0x12a);
	CHECK_EQ_U(aml_pkg_length(pl2, 1, &len), 0);
	CHECK_EQ_U(aml_pkg_length(pl4, 4, &len), 4);
	CHECK_EQ_U(len, 0x674523 << 4 | 1);
	CHECK_EQ_U(aml_pkg_length(pl4, 3, &len), 0);
	CHECK_EQ_U(aml_pkg_length(pl4, 0, &len), 0);
	CHECK_EQ_U(aml_integer(dword, 5, &v), 5);
	CHECK_EQ_U(v, 0x12345678);
	CHECK_EQ_U(aml_integer(dword, 4, &v), 0);
	CHECK_EQ_U(aml_integer(dword, 0, &v), 0);
}

/* --- HPET -------------------------------------------------------------------------------- */

TEST(hpet_table)
{
	struct platform p;
	uint64_t t[2];
	struct tb h = { .n = 0 };

	fake_reset(HI_BOCHS);
	t[0] = build_madt_simple(1);
	t[1] = build_hpet(1, 0x1234); /* I/O space: not an HPET */
	install_v1(t, 2);
	CHECK_EQ_I(acpi_parse(&p, 0xe8010, fake_map), 0);
	CHECK_EQ_U(p.hpet_addr, 0);
	CHECK(log_has("bad base address (space 1, 0x1234)"));

	fake_reset(HI_BOCHS);
	t[0] = build_madt_simple(1);
	tb_zeros(&h, 8);
	t[1] = build_sdt("HPET", 1, &h);
	install_v1(t, 2);
	CHECK_EQ_I(acpi_parse(&p, 0xe8010, fake_map), 0);
	CHECK_EQ_U(p.hpet_addr, 0);
	CHECK(log_has("only 44 bytes, ignored"));
}
