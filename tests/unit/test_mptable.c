// SPDX-License-Identifier: MIT
/*
 * mptable.c against MP spec 1.4 tables built in fake physical memory, with
 * literal layouts from the spec (not the parser's constants).
 */
#include "tests/unit/fw_fake.h"

#include "arch/x86_64/fwtable.c"
#include "arch/x86_64/mptable.c"

#define HI_NONE  0x100000000ull /* the high window is not used here */
#define FP_ROM   0xf5a80ull
#define CFG_ROM  0xf5a90ull
#define LAPIC    0xfee00000u
#define IOAPIC   0xfec00000u

/* MP floating pointer: "_MP_", config address, length 1, rev 4, checksum, features. */
static void build_fp(uint64_t at, uint32_t cfg, uint8_t feature1, uint8_t feature2)
{
	put_bytes(at, "_MP_", 4);
	put32(at + 4, cfg);
	put8(at + 8, 1);
	put8(at + 9, 4);
	put8(at + 11, feature1);
	put8(at + 12, feature2);
	fix_checksum(at, 16, at + 10);
}

/* Configuration table header (44 bytes) followed by the entries. */
static void build_cfg(uint64_t at, const struct tb *entries, uint16_t count)
{
	uint16_t len = (uint16_t)(44 + entries->n);

	put_bytes(at, "PCMP", 4);
	put16(at + 4, len);
	put8(at + 6, 4);
	put_bytes(at + 8, "BASALT  ", 8);
	put_bytes(at + 16, "UNIT TEST   ", 12);
	put16(at + 34, count);
	put32(at + 36, LAPIC);
	put_bytes(at + 44, entries->b, entries->n);
	fix_checksum(at, len, at + 7);
}

static void me_cpu(struct tb *t, uint8_t id, uint8_t flags)
{
	tb_u8(t, 0);
	tb_u8(t, id);
	tb_u8(t, 0x14);       /* local APIC version */
	tb_u8(t, flags);      /* bit 0 EN, bit 1 BP */
	tb_u32(t, 0x00000f61); /* CPU signature */
	tb_u32(t, 0x0781abfd); /* feature flags */
	tb_zeros(t, 8);
}

static void me_bus(struct tb *t, uint8_t id, const char *type)
{
	tb_u8(t, 1);
	tb_u8(t, id);
	tb_bytes(t, type, 6);
}

static void me_ioapic(struct tb *t, uint8_t id, uint8_t flags, uint32_t addr)
{
	tb_u8(t, 2);
	tb_u8(t, id);
	tb_u8(t, 0x11);
	tb_u8(t, flags);
	tb_u32(t, addr);
}

static void me_int(struct tb *t, uint8_t type, uint8_t bus, uint8_t irq, uint8_t apic, uint8_t pin)
{
	tb_u8(t, type); /* 3: I/O interrupt, 4: local interrupt */
	tb_u8(t, 0);    /* INT */
	tb_u16(t, 0);   /* polarity, trigger: conform to the bus */
	tb_u8(t, bus);
	tb_u8(t, irq);
	tb_u8(t, apic);
	tb_u8(t, pin);
}

/* What Bochs/SeaBIOS build for two CPUs: CPUs, buses, IOAPIC, interrupts. */
static uint16_t entries_two_cpus(struct tb *t)
{
	t->n = 0;
	me_cpu(t, 0, 3);
	me_cpu(t, 1, 1);
	me_bus(t, 0, "PCI   ");
	me_bus(t, 1, "ISA   ");
	me_ioapic(t, 2, 1, IOAPIC);
	for (uint8_t irq = 0; irq < 16; irq++)
		me_int(t, 3, 1, irq, 2, irq ? irq : 2);
	me_int(t, 4, 1, 0, 0xff, 0);
	me_int(t, 4, 1, 0, 0xff, 1);
	return 2 + 2 + 1 + 16 + 2;
}

TEST(two_cpus_and_ioapic)
{
	struct platform p;
	struct tb e;
	uint16_t n;

	fake_reset(HI_NONE);
	n = entries_two_cpus(&e);
	build_cfg(CFG_ROM, &e, n);
	build_fp(FP_ROM, CFG_ROM, 0, 0);
	CHECK_EQ_I(mptable_parse(&p, fake_map), 0);
	CHECK_EQ_U(p.source, PLATFORM_MPTABLE);
	CHECK_EQ_U(p.lapic_addr, LAPIC);
	CHECK_EQ_U(p.nr_cpus, 2);
	CHECK_EQ_U(p.cpus[0].apic_id, 0);
	CHECK(p.cpus[0].bsp);
	CHECK_EQ_U(p.cpus[1].apic_id, 1);
	CHECK(!p.cpus[1].bsp);
	CHECK(!p.cpus[1].online_capable);
	CHECK_EQ_U(p.nr_cpus_ignored, 0);
	CHECK_EQ_U(p.nr_ioapics, 1);
	CHECK_EQ_U(p.ioapics[0].id, 2);
	CHECK_EQ_U(p.ioapics[0].addr, IOAPIC);
	CHECK_EQ_U(p.ioapics[0].gsi_base, 0);
	CHECK(p.pic_present);
	CHECK(!p.imcr_present);
	CHECK_EQ_U(p.pm1a_cnt, 0);
	CHECK(!p.s5_valid);
	CHECK_EQ_I(log_warnings, 0);
	CHECK(log_has("mptable: MP 1.4: 2 CPUs (0 ignored), 1 IOAPICs, LAPIC 0xfee00000"));
}

TEST(found_in_ebda)
{
	struct platform p;
	struct tb e;

	fake_reset(HI_NONE);
	put16(0x40e, 0x9fc0);
	build_cfg(0x9fd00, &e, entries_two_cpus(&e));
	build_fp(0x9fc40, 0x9fd00, 0, 0x80);
	CHECK_EQ_I(mptable_parse(&p, fake_map), 0);
	CHECK_EQ_U(p.nr_cpus, 2);
	CHECK(p.imcr_present);
	CHECK(log_has("IMCR (PIC mode)"));
}

TEST(found_in_last_kib_of_base_memory)
{
	struct platform p;
	struct tb e;

	fake_reset(HI_NONE);
	put16(0x413, 512); /* 512 KiB base memory, no EBDA */
	build_cfg(0x7fc80, &e, entries_two_cpus(&e));
	build_fp(0x7fff0, 0x7fc80, 0, 0);
	CHECK_EQ_I(mptable_parse(&p, fake_map), 0);
	CHECK_EQ_U(p.nr_cpus, 2);

	/* no size in the BDA: 640 KiB */
	fake_reset(HI_NONE);
	build_cfg(0x9f000, &e, entries_two_cpus(&e));
	build_fp(0x9fc00, 0x9f000, 0, 0);
	CHECK_EQ_I(mptable_parse(&p, fake_map), 0);
	CHECK_EQ_U(p.nr_cpus, 2);
}

TEST(no_mp_table)
{
	struct platform p;

	fake_reset(HI_NONE);
	put16(0x40e, 0x9fc0);
	CHECK_EQ_I(mptable_parse(&p, fake_map), -ENOENT);
	CHECK_EQ_U(p.source, PLATFORM_NONE);
	CHECK(log_has("no MP floating pointer"));
	CHECK_EQ_I(log_warnings, 0);
}

TEST(bad_fp_checksum)
{
	struct platform p;
	struct tb e;

	fake_reset(HI_NONE);
	build_cfg(CFG_ROM, &e, entries_two_cpus(&e));
	build_fp(FP_ROM, CFG_ROM, 0, 0);
	put8(FP_ROM + 9, 1); /* spec revision changed, checksum not */
	CHECK_EQ_I(mptable_parse(&p, fake_map), -ENOENT);
	CHECK(log_has("bad checksum, skipped"));

	/* a bad one in the EBDA does not hide a good one in the ROM */
	fake_reset(HI_NONE);
	put16(0x40e, 0x9fc0);
	build_fp(0x9fc00, CFG_ROM, 0, 0);
	put8(0x9fc00 + 10, (uint8_t)(*mem(0x9fc00 + 10) + 1));
	build_cfg(CFG_ROM, &e, entries_two_cpus(&e));
	build_fp(FP_ROM, CFG_ROM, 0, 0);
	CHECK_EQ_I(mptable_parse(&p, fake_map), 0);

	/* length other than one paragraph */
	fake_reset(HI_NONE);
	build_cfg(CFG_ROM, &e, entries_two_cpus(&e));
	build_fp(FP_ROM, CFG_ROM, 0, 0);
	put8(FP_ROM + 8, 2);
	fix_checksum(FP_ROM, 16, FP_ROM + 10);
	CHECK_EQ_I(mptable_parse(&p, fake_map), -ENOENT);
}

TEST(bad_config_table)
{
	struct platform p;
	struct tb e;

	fake_reset(HI_NONE);
	build_cfg(CFG_ROM, &e, entries_two_cpus(&e));
	build_fp(FP_ROM, CFG_ROM, 0, 0);
	put8(CFG_ROM + 44 + 1, 7); /* first CPU's APIC ID, checksum not updated */
	CHECK_EQ_I(mptable_parse(&p, fake_map), -EINVAL);
	CHECK(log_has("configuration table at 0xf5a90: bad checksum"));
	CHECK_EQ_U(p.source, PLATFORM_NONE);

	put_bytes(CFG_ROM, "PCMQ", 4);
	CHECK_EQ_I(mptable_parse(&p, fake_map), -EINVAL);
	CHECK(log_has("configuration table at 0xf5a90: bad signature"));

	build_cfg(CFG_ROM, &e, entries_two_cpus(&e));
	put16(CFG_ROM + 4, 43);
	CHECK_EQ_I(mptable_parse(&p, fake_map), -EINVAL);
	CHECK(log_has("bad length 43"));

	/* the table runs past the end of memory */
	build_fp(FP_ROM, 0xfffe0, 0, 0);
	build_cfg(0xfffd0, &(struct tb){ .n = 0 }, 0);
	CHECK_EQ_I(mptable_parse(&p, fake_map), -EINVAL);
	CHECK(log_has("configuration table at 0xfffe0: not mapped"));
	put16(0xfffd0 + 4, 0x100);
	build_fp(FP_ROM, 0xfffd0, 0, 0);
	CHECK_EQ_I(mptable_parse(&p, fake_map), -EINVAL);
	CHECK(log_has("256 bytes not mapped"));
}

TEST(default_configuration_rejected)
{
	struct platform p;

	fake_reset(HI_NONE);
	build_fp(FP_ROM, 0, 5, 0);
	CHECK_EQ_I(mptable_parse(&p, fake_map), -ENOTSUP);
	CHECK(log_has("floating pointer at 0xf5a80: default configuration 5 not supported"));

	fake_reset(HI_NONE);
	build_fp(FP_ROM, 0, 0, 0);
	CHECK_EQ_I(mptable_parse(&p, fake_map), -ENOENT);
	CHECK(log_has("no configuration table"));
}

TEST(unknown_entry_type_stops_walk)
{
	struct platform p;
	struct tb e = { .n = 0 };

	fake_reset(HI_NONE);
	me_cpu(&e, 0, 3);
	me_ioapic(&e, 1, 1, IOAPIC);
	tb_u8(&e, 0x80); /* an unknown entry of unknown size */
	tb_zeros(&e, 7);
	me_cpu(&e, 1, 1);
	build_cfg(CFG_ROM, &e, 4);
	build_fp(FP_ROM, CFG_ROM, 0, 0);
	CHECK_EQ_I(mptable_parse(&p, fake_map), 0);
	CHECK_EQ_U(p.nr_cpus, 1);
	CHECK_EQ_U(p.nr_ioapics, 1);
	CHECK(log_has("unknown entry type 128 at offset 72, rest ignored"));
}

TEST(entry_count_beyond_table)
{
	struct platform p;
	struct tb e = { .n = 0 };

	fake_reset(HI_NONE);
	me_cpu(&e, 0, 3);
	me_cpu(&e, 1, 1);
	build_cfg(CFG_ROM, &e, 5);
	build_fp(FP_ROM, CFG_ROM, 0, 0);
	CHECK_EQ_I(mptable_parse(&p, fake_map), 0);
	CHECK_EQ_U(p.nr_cpus, 2);
	CHECK(log_has("entry 2 of 5 overruns its 84 bytes, rest ignored"));

	/* a processor entry cut short: 8 bytes left, it needs 20 */
	fake_reset(HI_NONE);
	e.n = 0;
	me_cpu(&e, 0, 3);
	me_bus(&e, 0, "ISA   ");
	me_cpu(&e, 1, 1);
	e.n -= 12;
	build_cfg(CFG_ROM, &e, 3);
	build_fp(FP_ROM, CFG_ROM, 0, 0);
	CHECK_EQ_I(mptable_parse(&p, fake_map), 0);
	CHECK_EQ_U(p.nr_cpus, 1);
	CHECK(log_has("entry 2 of 3 overruns"));

	/* fewer entries counted than present: only those are read */
	fake_reset(HI_NONE);
	e.n = 0;
	me_cpu(&e, 0, 3);
	me_cpu(&e, 1, 1);
	build_cfg(CFG_ROM, &e, 1);
	build_fp(FP_ROM, CFG_ROM, 0, 0);
	CHECK_EQ_I(mptable_parse(&p, fake_map), 0);
	CHECK_EQ_U(p.nr_cpus, 1);
}

TEST(disabled_cpus_and_ioapics)
{
	struct platform p;
	struct tb e = { .n = 0 };

	fake_reset(HI_NONE);
	me_cpu(&e, 0, 3);
	me_cpu(&e, 1, 0);
	me_cpu(&e, 2, 1);
	me_cpu(&e, 2, 1); /* twice */
	me_ioapic(&e, 3, 0, IOAPIC);
	me_ioapic(&e, 4, 1, IOAPIC + 0x1000);
	me_ioapic(&e, 5, 1, IOAPIC + 0x2000);
	me_ioapic(&e, 6, 1, 0);
	build_cfg(CFG_ROM, &e, 8);
	build_fp(FP_ROM, CFG_ROM, 0, 0);
	CHECK_EQ_I(mptable_parse(&p, fake_map), 0);
	CHECK_EQ_U(p.nr_cpus, 2);
	CHECK_EQ_U(p.cpus[1].apic_id, 2);
	CHECK_EQ_U(p.nr_cpus_ignored, 1);
	CHECK(log_has("APIC ID 0x2 listed twice"));
	CHECK_EQ_U(p.nr_ioapics, 2);
	CHECK_EQ_U(p.ioapics[0].id, 4);
	CHECK_EQ_U(p.ioapics[0].gsi_base, 0);
	CHECK_EQ_U(p.ioapics[1].id, 5);
	CHECK_EQ_U(p.ioapics[1].gsi_base, PLATFORM_GSI_UNKNOWN);
	CHECK(log_has("IOAPIC 6 has no address, skipped"));

	fake_reset(HI_NONE);
	e.n = 0;
	me_cpu(&e, 0, 2); /* BP but not EN */
	build_cfg(CFG_ROM, &e, 1);
	build_fp(FP_ROM, CFG_ROM, 0, 0);
	CHECK_EQ_I(mptable_parse(&p, fake_map), -ENODEV);
	CHECK(log_has("no usable CPU"));
	CHECK_EQ_U(p.source, PLATFORM_NONE);
}

TEST(more_cpus_than_max)
{
	struct platform p;
	struct tb e = { .n = 0 };

	fake_reset(HI_NONE);
	for (unsigned i = 0; i < MAX_CPUS + 3; i++)
		me_cpu(&e, (uint8_t)i, i ? 1 : 3);
	for (unsigned i = 0; i < MAX_IOAPICS + 1; i++)
		me_ioapic(&e, (uint8_t)(0x80 + i), 1, IOAPIC + i * 0x1000);
	build_cfg(0xe0000, &e, MAX_CPUS + 3 + MAX_IOAPICS + 1);
	build_fp(FP_ROM, 0xe0000, 0, 0);
	CHECK_EQ_I(mptable_parse(&p, fake_map), 0);
	CHECK_EQ_U(p.nr_cpus, MAX_CPUS);
	CHECK_EQ_U(p.nr_cpus_ignored, 3);
	CHECK_EQ_U(log_count("beyond MAX_CPUS"), 1);
	CHECK(log_has("3 CPUs beyond MAX_CPUS (64) ignored"));
	CHECK_EQ_U(p.nr_ioapics, MAX_IOAPICS);
	CHECK(log_has("1 IOAPICs beyond MAX_IOAPICS (8) ignored"));
}
