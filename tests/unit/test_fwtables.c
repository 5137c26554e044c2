// SPDX-License-Identifier: MIT
/*
 * vmm/fwtables.c: the VM's MP and ACPI tables, read back by the host's own
 * parsers (arch/x86_64/acpi.c, mptable.c) from fake physical memory, plus
 * literal-offset checks of what those parsers do not look at (checksums of
 * every table, FADT PM blocks, FACS, MP interrupt entries).
 */
#include "tests/unit/fw_fake.h"

#include "arch/x86_64/fwtable.c"
#include "arch/x86_64/acpi.c"
#undef pr_fmt
#include "arch/x86_64/mptable.c"
#undef pr_fmt
#include "vmm/fwtables.c"

#define HI_NONE 0x100000000ull /* the high window is not used */
#define WIN     FW_TABLES_GPA

/* --- the services fwtables_build() uses, on fake memory ---------------------- */

static bool no_ram;

void *gmem_map(struct vm *vm, gpa_t g, size_t len)
{
	(void)vm;
	return no_ram ? NULL : fake_ptr(gpa_val(g), len);
}

int gmem_write(struct vm *vm, gpa_t g, const void *buf, size_t len)
{
	uint8_t *p = gmem_map(vm, g, len);

	if (!p)
		return -EFAULT;
	memcpy(p, buf, len);
	return 0;
}

void *kmalloc(size_t size)
{
	return malloc(size);
}

void kfree(void *p)
{
	free(p);
}

void vm_log(struct vm *vm, int level, const char *fmt, ...)
{
	va_list ap;

	(void)vm;
	va_start(ap, fmt);
	console_vlog(level, "vm", fmt, ap);
	va_end(ap);
}

/* --- helpers ----------------------------------------------------------------- */

static uint32_t rd32(uint64_t phys)
{
	const uint8_t *b = fake_ptr(phys, 4);

	return b ? fwtable_le32(b) : 0;
}

static uint16_t rd16(uint64_t phys)
{
	const uint8_t *b = fake_ptr(phys, 2);

	return b ? fwtable_le16(b) : 0;
}

static uint8_t rd8(uint64_t phys)
{
	const uint8_t *b = fake_ptr(phys, 1);

	return b ? b[0] : 0;
}

static bool sums_to_zero(uint64_t phys, size_t len)
{
	const uint8_t *b = fake_ptr(phys, len);

	return b && fwtable_sum(b, len) == 0;
}

/* Build the tables for n CPUs into the low MiB, as a VM sees them. */
static void build(unsigned n)
{
	int len;

	fake_reset(HI_NONE);
	len = fwtables_write(fake_ptr(WIN, FW_TABLES_SIZE), FW_TABLES_SIZE, WIN, n);
	CHECK(len > 0 && len < 0x1000);
}

/* The XSDT entry with signature sig (0 if none). */
static uint64_t xsdt_find(const char *sig)
{
	uint64_t xsdt = rd32(WIN + 24) | (uint64_t)rd32(WIN + 28) << 32;
	uint32_t len = rd32(xsdt + 4);

	for (uint32_t off = 36; off + 8 <= len; off += 8) {
		uint64_t t = rd32(xsdt + off) | (uint64_t)rd32(xsdt + off + 4) << 32;

		if (fake_ptr(t, 4) && !memcmp(fake_ptr(t, 4), sig, 4))
			return t;
	}
	return 0;
}

/* --- through the host parsers ------------------------------------------------ */

static void check_acpi(unsigned n)
{
	struct platform p;
	uint64_t rsdp;

	build(n);
	rsdp = acpi_find_rsdp(fake_map);
	CHECK_EQ_U(rsdp, FW_RSDP_GPA);
	CHECK_EQ_I(acpi_parse(&p, rsdp, fake_map), 0);
	CHECK_EQ_U(p.source, PLATFORM_ACPI);
	CHECK_EQ_U(p.nr_cpus, n);
	for (unsigned i = 0; i < p.nr_cpus; i++)
		CHECK_EQ_U(p.cpus[i].apic_id, i);
	CHECK_EQ_U(p.nr_cpus_ignored, 0);
	CHECK_EQ_U(p.lapic_addr, 0xfee00000u);
	CHECK(p.pic_present);
	CHECK_EQ_U(p.nr_ioapics, 1);
	CHECK_EQ_U(p.ioapics[0].id, n);
	CHECK_EQ_U(p.ioapics[0].addr, 0xfec00000u);
	CHECK_EQ_U(p.ioapics[0].gsi_base, 0);
	CHECK_EQ_U(p.nr_irq_overrides, 1);
	CHECK_EQ_U(p.irq_overrides[0].irq, 9);
	CHECK_EQ_U(p.irq_overrides[0].gsi, 9);
	CHECK_EQ_U(p.irq_overrides[0].flags, PLATFORM_INTI_TRIGGER_LEVEL | PLATFORM_INTI_POLARITY_HIGH);
	CHECK_EQ_U(p.pm1a_cnt, 0x604);
	CHECK_EQ_U(p.pm1b_cnt, 0);
	CHECK(p.s5_valid);
	CHECK_EQ_U(p.s5_typ_a, 5);
	CHECK_EQ_U(p.s5_typ_b, 5);
	CHECK(p.reset_valid);
	CHECK_EQ_U(p.reset_reg.space, PLATFORM_GAS_IO);
	CHECK_EQ_U(p.reset_reg.addr, 0xcf9);
	CHECK_EQ_U(p.reset_value, 6);
	CHECK_EQ_U(p.hpet_addr, 0);
	CHECK_EQ_I(log_warnings, 0);
}

TEST(acpi_parser_1cpu) { check_acpi(1); }
TEST(acpi_parser_2cpus) { check_acpi(2); }
TEST(acpi_parser_8cpus) { check_acpi(8); }

static void check_mp(unsigned n)
{
	struct platform p;

	build(n);
	CHECK_EQ_I(mptable_parse(&p, fake_map), 0);
	CHECK_EQ_U(p.source, PLATFORM_MPTABLE);
	CHECK_EQ_U(p.nr_cpus, n);
	for (unsigned i = 0; i < p.nr_cpus; i++) {
		CHECK_EQ_U(p.cpus[i].apic_id, i);
		CHECK_EQ_U(p.cpus[i].bsp, i == 0);
	}
	CHECK_EQ_U(p.lapic_addr, 0xfee00000u);
	CHECK_EQ_U(p.nr_ioapics, 1);
	CHECK_EQ_U(p.ioapics[0].id, n);
	CHECK_EQ_U(p.ioapics[0].addr, 0xfec00000u);
	CHECK(!p.imcr_present);
	CHECK(log_has("MP 1.4: "));
	CHECK_EQ_I(log_warnings, 0);
}

TEST(mp_parser_1cpu) { check_mp(1); }
TEST(mp_parser_4cpus) { check_mp(4); }

/* --- literal offsets --------------------------------------------------------- */

TEST(acpi_checksums_and_rsdp)
{
	static const char *const sigs[] = { "FACP", "APIC" };
	uint64_t rsdt, fadt, dsdt;

	build(2);
	CHECK(!memcmp(fake_ptr(WIN, 8), "RSD PTR ", 8));
	CHECK(!memcmp(fake_ptr(WIN + 9, 6), "BASALT", 6));
	CHECK_EQ_U(rd8(WIN + 15), 2);
	CHECK_EQ_U(rd32(WIN + 20), 36);
	CHECK(sums_to_zero(WIN, 20));
	CHECK(sums_to_zero(WIN, 36));
	rsdt = rd32(WIN + 16);
	CHECK(!memcmp(fake_ptr(rsdt, 4), "RSDT", 4));
	CHECK(sums_to_zero(rsdt, rd32(rsdt + 4)));
	CHECK_EQ_U(rd32(rsdt + 4), 36 + 8);
	for (unsigned i = 0; i < 2; i++) {
		uint64_t t = xsdt_find(sigs[i]);

		CHECK(t != 0);
		CHECK_EQ_U(rd32(rsdt + 36 + 4 * i), t); /* the RSDT lists the same tables */
		CHECK(sums_to_zero(t, rd32(t + 4)));
		CHECK(!memcmp(fake_ptr(t + 10, 6), "BASALT", 6));
		CHECK_EQ_U(t & 15, 0);
	}
	fadt = xsdt_find("FACP");
	dsdt = rd32(fadt + 40);
	CHECK(!memcmp(fake_ptr(dsdt, 4), "DSDT", 4));
	CHECK(sums_to_zero(dsdt, rd32(dsdt + 4)));
	CHECK_EQ_U(rd32(fadt + 140), dsdt); /* X_DSDT */
	CHECK_EQ_U(rd32(fadt + 144), 0);
}

TEST(fadt_fields)
{
	uint64_t fadt, facs;

	build(1);
	fadt = xsdt_find("FACP");
	CHECK_EQ_U(rd32(fadt + 4), 276);
	CHECK_EQ_U(rd8(fadt + 8), 6);
	facs = rd32(fadt + 36);
	CHECK_EQ_U(facs & 63, 0);
	CHECK(!memcmp(fake_ptr(facs, 4), "FACS", 4));
	CHECK_EQ_U(rd32(facs + 4), 64);
	CHECK_EQ_U(rd16(fadt + 46), 9);            /* SCI_INT */
	CHECK_EQ_U(rd32(fadt + 48), 0);            /* SMI_CMD: no SMM */
	CHECK_EQ_U(rd32(fadt + 56), 0x600);        /* PM1a_EVT_BLK */
	CHECK_EQ_U(rd32(fadt + 64), 0x604);        /* PM1a_CNT_BLK */
	CHECK_EQ_U(rd32(fadt + 76), 0x608);        /* PM_TMR_BLK */
	CHECK_EQ_U(rd32(fadt + 80), 0);            /* no GPE0 */
	CHECK_EQ_U(rd8(fadt + 88), 4);
	CHECK_EQ_U(rd8(fadt + 89), 2);
	CHECK_EQ_U(rd8(fadt + 91), 4);
	CHECK_EQ_U(rd16(fadt + 109), 0x7);         /* legacy devices, 8042, no VGA */
	CHECK_EQ_U(rd32(fadt + 112), 0x575);       /* flags */
	CHECK_EQ_U(rd8(fadt + 116), 1);            /* RESET_REG: I/O */
	CHECK_EQ_U(rd32(fadt + 120), 0xcf9);
	CHECK_EQ_U(rd8(fadt + 128), 6);
	CHECK_EQ_U(rd8(fadt + 148), 1);            /* X_PM1a_EVT_BLK: I/O, 32 bits, 0x600 */
	CHECK_EQ_U(rd8(fadt + 149), 32);
	CHECK_EQ_U(rd32(fadt + 152), 0x600);
	CHECK_EQ_U(rd8(fadt + 173), 16);           /* X_PM1a_CNT_BLK */
	CHECK_EQ_U(rd32(fadt + 176), 0x604);
	CHECK_EQ_U(rd8(fadt + 209), 32);           /* X_PM_TMR_BLK */
	CHECK_EQ_U(rd32(fadt + 212), 0x608);
}

TEST(madt_lapic_nmi)
{
	uint64_t madt;
	uint32_t len;
	bool nmi = false;

	build(3);
	madt = xsdt_find("APIC");
	len = rd32(madt + 4);
	for (uint32_t off = 44; off + 2 <= len; off += rd8(madt + off + 1)) {
		if (rd8(madt + off) == 4) {
			nmi = rd8(madt + off + 2) == 0xff && rd8(madt + off + 5) == 1;
		}
		if (rd8(madt + off) == 0)
			CHECK_EQ_U(rd32(madt + off + 4), 1); /* enabled */
	}
	CHECK(nmi);
}

TEST(dsdt_s5_bytes)
{
	static const uint8_t s5[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04,
				      0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00 };
	uint64_t dsdt;

	build(1);
	dsdt = rd32(xsdt_find("FACP") + 40);
	CHECK_EQ_U(rd32(dsdt + 4), 36 + sizeof(s5));
	CHECK(!memcmp(fake_ptr(dsdt + 36, sizeof(s5)), s5, sizeof(s5)));
}

TEST(mp_entries)
{
	uint64_t fp, cfg, e;
	uint16_t count;
	unsigned ioints = 0, lints = 0, n = 2;

	build(n);
	fp = WIN + 0x80;
	CHECK(!memcmp(fake_ptr(fp, 4), "_MP_", 4));
	CHECK(sums_to_zero(fp, 16));
	CHECK_EQ_U(rd8(fp + 9), 4);
	CHECK_EQ_U(rd8(fp + 11), 0);
	cfg = rd32(fp + 4);
	CHECK(sums_to_zero(cfg, rd16(cfg + 4)));
	CHECK_EQ_U(rd8(cfg + 6), 4);
	count = rd16(cfg + 34);
	CHECK_EQ_U(count, n + 1 + 1 + 16 + 2);
	e = cfg + 44;
	for (unsigned i = 0; i < count; i++) {
		uint8_t type = rd8(e);

		if (type == 1)
			CHECK(!memcmp(fake_ptr(e + 2, 6), "ISA   ", 6));
		if (type == 3) {
			unsigned irq = rd8(e + 5);

			CHECK_EQ_U(rd8(e + 1), 0);           /* INT */
			CHECK_EQ_U(rd16(e + 2), irq == 9 ? 0xd : 0);
			CHECK_EQ_U(rd8(e + 6), n);           /* the IOAPIC */
			CHECK_EQ_U(rd8(e + 7), irq);         /* pin = IRQ */
			CHECK_EQ_U(irq, ioints);
			ioints++;
		}
		if (type == 4) {
			CHECK_EQ_U(rd8(e + 1), lints == 0 ? 3 : 1); /* ExtINT, NMI */
			CHECK_EQ_U(rd8(e + 6), 0xff);
			CHECK_EQ_U(rd8(e + 7), lints);
			lints++;
		}
		e += type == 0 ? 20 : 8;
	}
	CHECK_EQ_U(ioints, 16);
	CHECK_EQ_U(lints, 2);
	CHECK_EQ_U(e - cfg, rd16(cfg + 4));
}

TEST(write_errors)
{
	static uint8_t buf[FW_BUILD_MAX];

	CHECK_EQ_I(fwtables_write(buf, sizeof(buf), WIN, 0), -EINVAL);
	CHECK_EQ_I(fwtables_write(buf, sizeof(buf), WIN, 255), -EINVAL);
	CHECK_EQ_I(fwtables_write(buf, sizeof(buf), WIN + 8, 1), -EINVAL);
	CHECK_EQ_I(fwtables_write(buf, 0x100, WIN, 1), -ENOSPC);
	CHECK_EQ_I(fwtables_write(buf, 0x20, WIN, 1), -ENOSPC);
	CHECK(fwtables_write(buf, sizeof(buf), WIN, FW_MAX_CPUS) > 0);
}

TEST(build_into_vm)
{
	static struct vm vm;

	fake_reset(HI_NONE);
	vm.nr_vcpus = 2;
	no_ram = false;
	CHECK_EQ_I(fwtables_build(&vm), 0);
	CHECK_EQ_U(acpi_find_rsdp(fake_map), FW_RSDP_GPA);

	/* A second build finds the window in use, as after a colliding image. */
	CHECK_EQ_I(fwtables_build(&vm), -EEXIST);
	CHECK(unit_log_has("overlaps 0xf0000-0xfffff"));

	fake_reset(HI_NONE);
	no_ram = true;
	CHECK_EQ_I(fwtables_build(&vm), -EFAULT);
	no_ram = false;
}
