// SPDX-License-Identifier: MIT
/*
 * ACPI table parser: RSDP -> XSDT or RSDT -> MADT (CPUs, IOAPICs, ISA
 * overrides), FADT (PM1 control blocks, reset register, DSDT -> \_S5) and
 * the HPET table. Nothing is trusted before it is checked: each table is
 * mapped header first, then at its length once that is sane, and its
 * checksum verified; a bad table is skipped with one warning.
 *
 * References (ACPI 6.5 unless noted): "Root System Description Pointer
 * (RSDP) Structure", "System Description Table Header", "Fixed ACPI
 * Description Table (FADT)", "Generic Address Structure (GAS)", "Multiple
 * APIC Description Table (MADT)", "AML Grammar Definition"; IA-PC HPET
 * specification 1.0a "ACPI 2.0 HPET Description Table".
 */
#define pr_fmt "acpi"
#include "drivers/console.h"

#ifdef HOST_TEST
#include <string.h>
#else
#include "arch/x86_64/lib/string.h"
#endif

#include "arch/x86_64/fwtable.h"
#include "arch/x86_64/lib/errno.h"
#include "arch/x86_64/platform.h"

#define le16 fwtable_le16
#define le32 fwtable_le32
#define le64 fwtable_le64

/* RSDP: the ACPI 1.0 part (20 bytes, first checksum), then ACPI 2.0+. */
#define RSDP_SIG       "RSD PTR "
#define RSDP_SIG_LEN   8
#define RSDP_REVISION  15
#define RSDP_RSDT      16
#define RSDP_V1_LEN    20
#define RSDP_LENGTH    20
#define RSDP_XSDT      24
#define RSDP_V2_LEN    36
#define RSDP_MAX_LEN   4096 /* sanity bound on the v2 length field */
#define RSDP_REV_XSDT  2    /* first revision with Length and XSDT */

/* Where a legacy BIOS leaves the RSDP. */
#define EBDA_SCAN_LEN  1024
#define BIOS_AREA      0xe0000
#define BIOS_AREA_LEN  0x20000

/* Every SDT starts with this 36-byte header. */
#define SDT_LENGTH     4
#define SDT_REVISION   8
#define SDT_HDR_LEN    36
#define SDT_MAX_LEN    (1u << 20) /* sanity bound: no table we read is larger */
#define RSDT_ENTRY     4
#define XSDT_ENTRY     8

/* Generic Address Structure */
#define GAS_SPACE      0
#define GAS_WIDTH      1
#define GAS_ADDR       4
#define GAS_LEN        12
#define IO_PORT_MAX    0xffff

/*
 * FADT fields we read. FADT_V1_LEN is the ACPI 1.0 table (through Flags);
 * the reset register arrived with revision 2, the X_ fields with 3.
 */
#define FADT_DSDT          40
#define FADT_PM1A_CNT      64
#define FADT_PM1B_CNT      68
#define FADT_FLAGS         112
#define FADT_V1_LEN        116
#define FADT_RESET_REG     116
#define FADT_RESET_VALUE   128
#define FADT_MINOR_VERSION 131 /* bits 3:0 */
#define FADT_X_DSDT        140
#define FADT_X_PM1A_CNT    172
#define FADT_X_PM1B_CNT    184
#define FADT_REV_X_FIELDS  3
#define FADT_RESET_REG_SUP (1u << 10)

/* MADT header fields and the entries we use. */
#define MADT_LAPIC_ADDR    36
#define MADT_FLAGS         40
#define MADT_ENTRIES       44
#define MADT_PCAT_COMPAT   (1u << 0)
#define MADT_CPU_ENABLED   (1u << 0)
#define MADT_CPU_ONLINE_CAPABLE (1u << 1) /* ACPI 6.3+; reserved before */
#define MADT_XAPIC_ID_NONE 0xff           /* placeholder for x2APIC-only CPUs */
#define MADT_X2APIC_ID_NONE 0xffffffffu
#define MADT_ISA_BUS       0

enum madt_type {
	MADT_LAPIC = 0,          /* type, len, uid, apic id, flags(4) */
	MADT_IOAPIC = 1,         /* type, len, id, 0, addr(4), gsi base(4) */
	MADT_ISO = 2,            /* type, len, bus, source, gsi(4), flags(2) */
	MADT_LAPIC_OVERRIDE = 5, /* type, len, 0(2), addr(8) */
	MADT_X2APIC = 9,         /* type, len, 0(2), x2apic id(4), flags(4), uid(4) */
	MADT_NR_TYPES,
};

static const uint8_t madt_min_len[MADT_NR_TYPES] = {
	[MADT_LAPIC] = 8,
	[MADT_IOAPIC] = 12,
	[MADT_ISO] = 10,
	[MADT_LAPIC_OVERRIDE] = 12,
	[MADT_X2APIC] = 16,
};

/* HPET table: the register block is a GAS after the event timer block ID. */
#define HPET_BASE          40

/* AML byte encodings (ACPI "AML Grammar Definition"). */
#define AML_ZERO_OP        0x00
#define AML_ONE_OP         0x01
#define AML_NAME_OP        0x08
#define AML_BYTE_PREFIX    0x0a
#define AML_WORD_PREFIX    0x0b
#define AML_DWORD_PREFIX   0x0c
#define AML_QWORD_PREFIX   0x0e
#define AML_PACKAGE_OP     0x12
#define AML_ROOT_CHAR      0x5c /* '\' */
#define AML_ONES_OP        0xff
#define AML_S5_NAME        "_S5_"
#define AML_NAME_LEN       4
#define SLP_TYP_MAX        7    /* PM1_CNT.SLP_TYP is 3 bits wide */

/* A mapped, validated table. */
struct acpi_table {
	const uint8_t *b;
	uint32_t len;
	uint64_t phys;
};

/* The tables we use, and their signatures and names in messages. */
enum acpi_kind { ACPI_MADT, ACPI_FADT, ACPI_HPET, ACPI_NR_KINDS };

static const struct {
	const char *sig, *name;
} acpi_kinds[ACPI_NR_KINDS] = {
	[ACPI_MADT] = { "APIC", "MADT" },
	[ACPI_FADT] = { "FACP", "FADT" },
	[ACPI_HPET] = { "HPET", "HPET" },
};

/* The first valid table of each kind the root table points to. */
struct acpi_tables {
	struct acpi_table tab[ACPI_NR_KINDS];
	bool seen[ACPI_NR_KINDS]; /* listed, valid or not */
};

/* Firmware bytes as a printable 4-character name. */
static void acpi_sig_name(const uint8_t *sig, char name[5])
{
	for (int i = 0; i < 4; i++)
		name[i] = sig[i] >= 0x20 && sig[i] < 0x7f ? (char)sig[i] : '?';
	name[4] = '\0';
}

/*
 * Map the SDT at phys: header, then the whole table once its length is sane;
 * check the signature sig and the checksum. name is for the warnings.
 */
static int acpi_map_table(uint64_t phys, const char *sig, const char *name,
			  platform_map_fn map, struct acpi_table *t)
{
	unsigned long long addr = phys;
	const uint8_t *b = map(phys, SDT_HDR_LEN);
	char found[5];
	uint32_t len;

	if (!b) {
		pr_warn("%s at 0x%llx: not mapped, skipped\n", name, addr);
		return -EFAULT;
	}
	if (memcmp(b, sig, 4) != 0) {
		acpi_sig_name(b, found);
		pr_warn("%s at 0x%llx: signature is '%s', skipped\n", name, addr, found);
		return -EINVAL;
	}
	len = le32(b + SDT_LENGTH);
	if (len < SDT_HDR_LEN || len > SDT_MAX_LEN) {
		pr_warn("%s at 0x%llx: bad length %u, skipped\n", name, addr, len);
		return -EINVAL;
	}
	b = map(phys, len);
	if (!b) {
		pr_warn("%s at 0x%llx: %u bytes not mapped, skipped\n", name, addr, len);
		return -EFAULT;
	}
	if (fwtable_sum(b, len) != 0) {
		pr_warn("%s at 0x%llx: bad checksum, skipped\n", name, addr);
		return -EINVAL;
	}
	*t = (struct acpi_table){ .b = b, .len = len, .phys = phys };
	return 0;
}

/* The XSDT address from a revision 2+ RSDP; 0 (after a warning) if unusable. */
static uint64_t acpi_rsdp_xsdt(uint64_t rsdp, platform_map_fn map)
{
	unsigned long long addr = rsdp;
	const uint8_t *b = map(rsdp, RSDP_V2_LEN);
	uint32_t len;

	if (!b) {
		pr_warn("RSDP at 0x%llx: ACPI 2.0 part not mapped, using the RSDT\n", addr);
		return 0;
	}
	len = le32(b + RSDP_LENGTH);
	if (len < RSDP_V2_LEN || len > RSDP_MAX_LEN) {
		pr_warn("RSDP at 0x%llx: bad length %u, using the RSDT\n", addr, len);
		return 0;
	}
	b = map(rsdp, len);
	if (!b) {
		pr_warn("RSDP at 0x%llx: %u bytes not mapped, using the RSDT\n", addr, len);
		return 0;
	}
	if (fwtable_sum(b, len) != 0) {
		pr_warn("RSDP at 0x%llx: bad extended checksum, using the RSDT\n", addr);
		return 0;
	}
	return le64(b + RSDP_XSDT);
}

/* Validate the RSDP and map the root table: the XSDT if usable, else the RSDT. */
static int acpi_map_root(uint64_t rsdp, platform_map_fn map, struct acpi_table *root,
			 unsigned *entry_size)
{
	unsigned long long addr = rsdp;
	const uint8_t *b = map(rsdp, RSDP_V1_LEN);
	uint64_t rsdt, xsdt = 0;

	if (!b) {
		pr_warn("RSDP at 0x%llx: not mapped\n", addr);
		return -EFAULT;
	}
	if (memcmp(b, RSDP_SIG, RSDP_SIG_LEN) != 0) {
		pr_warn("RSDP at 0x%llx: bad signature\n", addr);
		return -EINVAL;
	}
	if (fwtable_sum(b, RSDP_V1_LEN) != 0) {
		pr_warn("RSDP at 0x%llx: bad checksum\n", addr);
		return -EINVAL;
	}
	rsdt = le32(b + RSDP_RSDT);
	if (b[RSDP_REVISION] >= RSDP_REV_XSDT)
		xsdt = acpi_rsdp_xsdt(rsdp, map);

	if (xsdt && acpi_map_table(xsdt, "XSDT", "XSDT", map, root) == 0) {
		*entry_size = XSDT_ENTRY;
		return 0;
	}
	if (rsdt && acpi_map_table(rsdt, "RSDT", "RSDT", map, root) == 0) {
		*entry_size = RSDT_ENTRY;
		return 0;
	}
	if (!rsdt && !xsdt)
		pr_warn("RSDP at 0x%llx: no RSDT or XSDT\n", addr);
	return -EINVAL;
}

/* Find and validate the tables we use among the root table's entries. */
static void acpi_walk_root(const struct acpi_table *root, unsigned entry_size,
			   platform_map_fn map, struct acpi_tables *t)
{
	size_t n = (root->len - SDT_HDR_LEN) / entry_size;

	for (size_t i = 0; i < n; i++) {
		const uint8_t *e = root->b + SDT_HDR_LEN + i * entry_size;
		uint64_t phys = entry_size == XSDT_ENTRY ? le64(e) : le32(e);
		const uint8_t *sig;
		int k;

		if (!phys)
			continue;
		sig = map(phys, 4);
		if (!sig) {
			pr_warn("root table entry %u (0x%llx) not mapped, skipped\n",
				(unsigned)i, (unsigned long long)phys);
			continue;
		}
		for (k = 0; k < ACPI_NR_KINDS; k++) {
			if (memcmp(sig, acpi_kinds[k].sig, 4) == 0)
				break;
		}
		if (k == ACPI_NR_KINDS)
			continue; /* SSDT, MCFG, ...: not ours */
		t->seen[k] = true;
		if (t->tab[k].b) {
			pr_debug("second %s at 0x%llx ignored\n", acpi_kinds[k].name,
				 (unsigned long long)phys);
			continue;
		}
		acpi_map_table(phys, acpi_kinds[k].sig, acpi_kinds[k].name, map, &t->tab[k]);
	}
}

/*
 * A PM1 control block port: X_PM1x_CNT_BLK when the FADT is new enough to
 * have it and it names an I/O port, else the 32-bit PM1x_CNT_BLK.
 */
static uint32_t acpi_fadt_pm1(const struct acpi_table *f, size_t off32, size_t offx,
			      char which)
{
	uint32_t legacy = le32(f->b + off32);
	const uint8_t *gas;
	uint64_t x;

	if (legacy > IO_PORT_MAX) {
		pr_warn("FADT: PM1%c_CNT_BLK 0x%x is not an I/O port, ignored\n", which, legacy);
		legacy = 0;
	}
	if (f->b[SDT_REVISION] < FADT_REV_X_FIELDS || f->len < offx + GAS_LEN)
		return legacy;
	gas = f->b + offx;
	x = le64(gas + GAS_ADDR);
	if (!x)
		return legacy;
	if (gas[GAS_SPACE] != PLATFORM_GAS_IO || x > IO_PORT_MAX) {
		pr_warn("FADT: X_PM1%c_CNT_BLK (space %u, 0x%llx) is not an I/O port, using 0x%x\n",
			which, gas[GAS_SPACE], (unsigned long long)x, legacy);
		return legacy;
	}
	if (legacy && legacy != x)
		pr_warn("FADT: PM1%c_CNT_BLK 0x%x and X_PM1%c_CNT_BLK 0x%llx differ, using the latter\n",
			which, legacy, which, (unsigned long long)x);
	return (uint32_t)x;
}

static void acpi_fadt_reset(struct platform *p, const struct acpi_table *f)
{
	const uint8_t *gas;
	uint64_t addr;

	if (!(le32(f->b + FADT_FLAGS) & FADT_RESET_REG_SUP))
		return;
	if (f->len <= FADT_RESET_VALUE) {
		pr_warn("FADT: RESET_REG_SUP set but the table has only %u bytes\n", f->len);
		return;
	}
	gas = f->b + FADT_RESET_REG;
	addr = le64(gas + GAS_ADDR);
	if (!addr || gas[GAS_SPACE] > PLATFORM_GAS_PCI_CFG ||
	    (gas[GAS_SPACE] == PLATFORM_GAS_IO && addr > IO_PORT_MAX)) {
		pr_warn("FADT: reset register unusable (space %u, 0x%llx)\n",
			gas[GAS_SPACE], (unsigned long long)addr);
		return;
	}
	p->reset_reg = (struct platform_gas){
		.space = gas[GAS_SPACE],
		.width = gas[GAS_WIDTH],
		.addr = addr,
	};
	p->reset_value = f->b[FADT_RESET_VALUE];
	p->reset_valid = true;
}

/* PkgLength at b (avail bytes): its size in bytes (1-4), 0 if truncated. */
static size_t aml_pkg_length(const uint8_t *b, size_t avail, uint32_t *len)
{
	size_t follow;

	if (avail < 1)
		return 0;
	follow = b[0] >> 6;
	if (avail < 1 + follow)
		return 0;
	if (!follow) {
		*len = b[0] & 0x3f;
		return 1;
	}
	*len = b[0] & 0x0f;
	for (size_t i = 1; i <= follow; i++)
		*len |= (uint32_t)b[i] << (4 + 8 * (i - 1));
	return 1 + follow;
}

/* One integer constant at b (avail bytes): its encoded size, 0 if not one. */
static size_t aml_integer(const uint8_t *b, size_t avail, uint64_t *val)
{
	size_t size;

	if (avail < 1)
		return 0;
	switch (b[0]) {
	case AML_ZERO_OP:
		*val = 0;
		return 1;
	case AML_ONE_OP:
		*val = 1;
		return 1;
	case AML_ONES_OP:
		*val = UINT64_MAX;
		return 1;
	case AML_BYTE_PREFIX:
		size = 1;
		break;
	case AML_WORD_PREFIX:
		size = 2;
		break;
	case AML_DWORD_PREFIX:
		size = 4;
		break;
	case AML_QWORD_PREFIX:
		size = 8;
		break;
	default:
		return 0;
	}
	if (avail < 1 + size)
		return 0;
	*val = 0;
	for (size_t i = 0; i < size; i++)
		*val |= (uint64_t)b[1 + i] << (8 * i);
	return 1 + size;
}

/*
 * Decode the SLP_TYPa/SLP_TYPb values of the package at b (PackageOp,
 * avail bytes to the end of the table). A one-element package holds both,
 * SLP_TYPa in bits 7:0 and SLP_TYPb in bits 15:8, as some firmware does.
 */
static int aml_s5_package(const uint8_t *b, size_t avail, uint8_t *typ_a,
			  uint8_t *typ_b)
{
	uint32_t pkg_len;
	size_t pl, off, n, end;
	uint64_t a, bv;
	uint8_t count;

	pl = aml_pkg_length(b + 1, avail - 1, &pkg_len);
	/* PkgLength counts itself, NumElements and the elements. */
	if (!pl || pkg_len < pl + 1 || pkg_len > avail - 1)
		return -EINVAL;
	end = 1 + pkg_len;
	count = b[1 + pl];
	off = 1 + pl + 1;
	n = count ? aml_integer(b + off, end - off, &a) : 0;
	if (!n)
		return -EINVAL;
	if (count == 1) {
		bv = (a >> 8) & 0xff;
		a &= 0xff;
	} else if (!aml_integer(b + off + n, end - off - n, &bv)) {
		return -EINVAL;
	}
	if (a > SLP_TYP_MAX || bv > SLP_TYP_MAX)
		return -ERANGE;
	*typ_a = (uint8_t)a;
	*typ_b = (uint8_t)bv;
	return 0;
}

/*
 * Find Name(_S5, Package(){...}) in the DSDT: NameOp, the NameSeg "_S5_"
 * (optionally rooted, "\_S5_"), PackageOp. Only the first such object counts.
 */
static void acpi_dsdt_s5(struct platform *p, const struct acpi_table *d)
{
	const uint8_t *b = d->b;

	for (size_t i = SDT_HDR_LEN + 1; i + AML_NAME_LEN < d->len; i++) {
		bool named = b[i - 1] == AML_NAME_OP ||
			     (b[i - 1] == AML_ROOT_CHAR && i >= SDT_HDR_LEN + 2 &&
			      b[i - 2] == AML_NAME_OP);
		size_t pkg = i + AML_NAME_LEN;
		int err;

		if (!named || b[pkg] != AML_PACKAGE_OP ||
		    memcmp(b + i, AML_S5_NAME, AML_NAME_LEN) != 0)
			continue;
		err = aml_s5_package(b + pkg, d->len - pkg, &p->s5_typ_a, &p->s5_typ_b);
		if (err) {
			pr_warn("DSDT at 0x%llx: \\_S5 package at offset 0x%x %s, no soft-off\n",
				(unsigned long long)d->phys, (unsigned)pkg,
				err == -ERANGE ? "has SLP_TYP > 7" : "not understood");
			return;
		}
		p->s5_valid = true;
		return;
	}
	pr_warn("DSDT at 0x%llx: no \\_S5 package, no soft-off\n",
		(unsigned long long)d->phys);
}

/* The DSDT: X_DSDT when present and valid, else the 32-bit DSDT field. */
static void acpi_fadt_dsdt(struct platform *p, const struct acpi_table *f,
			   platform_map_fn map)
{
	uint64_t dsdt32 = le32(f->b + FADT_DSDT), x = 0;
	struct acpi_table d;

	if (f->len >= FADT_X_DSDT + 8)
		x = le64(f->b + FADT_X_DSDT);
	if (x && acpi_map_table(x, "DSDT", "DSDT", map, &d) == 0) {
		acpi_dsdt_s5(p, &d);
		return;
	}
	if (dsdt32 && dsdt32 != x && acpi_map_table(dsdt32, "DSDT", "DSDT", map, &d) == 0) {
		acpi_dsdt_s5(p, &d);
		return;
	}
	if (!x && !dsdt32)
		pr_warn("FADT at 0x%llx: no DSDT, no soft-off\n", (unsigned long long)f->phys);
}

static void acpi_parse_fadt(struct platform *p, const struct acpi_table *f,
			    platform_map_fn map)
{
	if (f->len < FADT_V1_LEN) {
		pr_warn("FADT at 0x%llx: only %u bytes, ignored\n",
			(unsigned long long)f->phys, f->len);
		return;
	}
	p->pm1a_cnt = acpi_fadt_pm1(f, FADT_PM1A_CNT, FADT_X_PM1A_CNT, 'a');
	p->pm1b_cnt = acpi_fadt_pm1(f, FADT_PM1B_CNT, FADT_X_PM1B_CNT, 'b');
	acpi_fadt_reset(p, f);
	acpi_fadt_dsdt(p, f, map);
}

/* The MADT online-capable bit means something only from ACPI 6.3 on. */
static bool acpi_is_6_3(const struct acpi_table *f)
{
	uint8_t major, minor;

	if (!f->b || f->len <= FADT_MINOR_VERSION)
		return false;
	major = f->b[SDT_REVISION];
	minor = f->b[FADT_MINOR_VERSION] & 0xf;
	return major > 6 || (major == 6 && minor >= 3);
}

static void acpi_parse_hpet(struct platform *p, const struct acpi_table *t)
{
	const uint8_t *gas;
	uint64_t addr;

	if (t->len < HPET_BASE + GAS_LEN) {
		pr_warn("HPET at 0x%llx: only %u bytes, ignored\n",
			(unsigned long long)t->phys, t->len);
		return;
	}
	gas = t->b + HPET_BASE;
	addr = le64(gas + GAS_ADDR);
	if (gas[GAS_SPACE] != PLATFORM_GAS_MEMORY || !addr) {
		pr_warn("HPET at 0x%llx: bad base address (space %u, 0x%llx), ignored\n",
			(unsigned long long)t->phys, gas[GAS_SPACE], (unsigned long long)addr);
		return;
	}
	p->hpet_addr = addr;
}

/* State of one MADT walk: what did not fit, reported once at the end. */
struct madt_walk {
	struct platform *p;
	uint64_t phys;
	bool online_capable_ok;
	unsigned cpus_over, ioapics_over, overrides_over;
};

static void madt_cpu(struct madt_walk *w, uint32_t apic_id, uint32_t flags)
{
	struct platform_cpu cpu = { .apic_id = apic_id };

	if (!(flags & MADT_CPU_ENABLED)) {
		if (!w->online_capable_ok || !(flags & MADT_CPU_ONLINE_CAPABLE)) {
			w->p->nr_cpus_ignored++;
			return;
		}
		cpu.online_capable = true;
	}
	switch (fwtable_add_cpu(w->p, cpu)) {
	case -ENOSPC:
		w->cpus_over++;
		break;
	case -EEXIST:
		pr_debug("MADT: APIC ID 0x%x listed twice\n", apic_id);
		break;
	}
}

static void madt_ioapic(struct madt_walk *w, const uint8_t *e)
{
	struct platform_ioapic io = {
		.id = e[2],
		.addr = le32(e + 4),
		.gsi_base = le32(e + 8),
	};

	if (!io.addr) {
		pr_warn("MADT: IOAPIC %u has no address, skipped\n", io.id);
		return;
	}
	if (fwtable_add_ioapic(w->p, io) == -ENOSPC)
		w->ioapics_over++;
}

static void madt_override(struct madt_walk *w, const uint8_t *e)
{
	struct platform *p = w->p;

	if (e[2] != MADT_ISA_BUS) {
		pr_warn("MADT: override for bus %u (not ISA) skipped\n", e[2]);
		return;
	}
	if (p->nr_irq_overrides == MAX_IRQ_OVERRIDES) {
		w->overrides_over++;
		return;
	}
	p->irq_overrides[p->nr_irq_overrides++] = (struct platform_irq_override){
		.irq = e[3],
		.gsi = le32(e + 4),
		.flags = le16(e + 8),
	};
}

static void madt_entry(struct madt_walk *w, const uint8_t *e, size_t off)
{
	uint8_t type = e[0], len = e[1];

	if (type >= MADT_NR_TYPES || !madt_min_len[type])
		return; /* NMI wiring, other interrupt models: not ours */
	if (len < madt_min_len[type]) {
		pr_warn("MADT at 0x%llx: type %u entry at offset %u too short (%u), skipped\n",
			(unsigned long long)w->phys, type, (unsigned)off, len);
		return;
	}
	switch (type) {
	case MADT_LAPIC:
		if (e[3] != MADT_XAPIC_ID_NONE)
			madt_cpu(w, e[3], le32(e + 4));
		break;
	case MADT_X2APIC:
		if (le32(e + 4) != MADT_X2APIC_ID_NONE)
			madt_cpu(w, le32(e + 4), le32(e + 8));
		break;
	case MADT_IOAPIC:
		madt_ioapic(w, e);
		break;
	case MADT_ISO:
		madt_override(w, e);
		break;
	case MADT_LAPIC_OVERRIDE:
		w->p->lapic_addr = le64(e + 4);
		break;
	}
}

static void acpi_parse_madt(struct platform *p, const struct acpi_table *t,
			    bool online_capable_ok)
{
	struct madt_walk w = { .p = p, .phys = t->phys, .online_capable_ok = online_capable_ok };
	unsigned long long addr = t->phys;
	size_t off;

	if (t->len < MADT_ENTRIES) {
		pr_warn("MADT at 0x%llx: only %u bytes, skipped\n", addr, t->len);
		return;
	}
	p->lapic_addr = le32(t->b + MADT_LAPIC_ADDR);
	p->pic_present = le32(t->b + MADT_FLAGS) & MADT_PCAT_COMPAT;
	/* Entries: type, length, body; a length that cannot be right ends the walk. */
	for (off = MADT_ENTRIES; off + 2 <= t->len; off += t->b[off + 1]) {
		const uint8_t *e = t->b + off;

		if (e[1] < 2 || e[1] > t->len - off) {
			pr_warn("MADT at 0x%llx: type %u entry at offset %u has bad length %u, rest ignored\n",
				addr, e[0], (unsigned)off, e[1]);
			break;
		}
		madt_entry(&w, e, off);
	}
	if (w.cpus_over)
		pr_warn("MADT: %u CPUs beyond MAX_CPUS (%u) ignored\n", w.cpus_over, MAX_CPUS);
	if (w.ioapics_over)
		pr_warn("MADT: %u IOAPICs beyond MAX_IOAPICS (%u) ignored\n", w.ioapics_over,
			MAX_IOAPICS);
	if (w.overrides_over)
		pr_warn("MADT: %u overrides beyond MAX_IRQ_OVERRIDES (%u) ignored\n",
			w.overrides_over, MAX_IRQ_OVERRIDES);
}

static void acpi_report(const struct platform *p, unsigned entry_size)
{
	static const char *const space[] = { "memory", "I/O port", "PCI config" };

	pr_info("%s: %u CPUs (%u ignored), %u IOAPICs, %u ISA overrides, LAPIC 0x%llx%s\n",
		entry_size == XSDT_ENTRY ? "XSDT" : "RSDT", p->nr_cpus, p->nr_cpus_ignored,
		p->nr_ioapics, p->nr_irq_overrides, (unsigned long long)p->lapic_addr,
		p->pic_present ? ", 8259 PICs" : "");
	if (p->s5_valid && p->pm1a_cnt)
		pr_info("soft-off: SLP_TYP %u/%u to PM1a 0x%x / PM1b 0x%x\n", p->s5_typ_a,
			p->s5_typ_b, p->pm1a_cnt, p->pm1b_cnt);
	if (p->reset_valid)
		pr_info("reset: 0x%x to %s 0x%llx\n", p->reset_value, space[p->reset_reg.space],
			(unsigned long long)p->reset_reg.addr);
	if (p->hpet_addr)
		pr_info("HPET at 0x%llx\n", (unsigned long long)p->hpet_addr);
}

int acpi_parse(struct platform *p, uint64_t rsdp, platform_map_fn map)
{
	struct acpi_tables t = { 0 };
	const struct acpi_table *madt = &t.tab[ACPI_MADT], *fadt = &t.tab[ACPI_FADT];
	struct acpi_table root;
	unsigned entry_size;
	int err;

	memset(p, 0, sizeof(*p));
	if (!rsdp)
		return -ENOENT;
	err = acpi_map_root(rsdp, map, &root, &entry_size);
	if (err)
		return err;
	acpi_walk_root(&root, entry_size, map, &t);

	if (fadt->b)
		acpi_parse_fadt(p, fadt, map);
	if (t.tab[ACPI_HPET].b)
		acpi_parse_hpet(p, &t.tab[ACPI_HPET]);
	if (!madt->b) {
		if (!t.seen[ACPI_MADT]) /* else its warning was printed already */
			pr_warn("no MADT\n");
		return -ENOENT;
	}
	acpi_parse_madt(p, madt, acpi_is_6_3(fadt));
	if (!p->nr_cpus) {
		pr_warn("MADT at 0x%llx: no usable CPU\n", (unsigned long long)madt->phys);
		return -ENODEV;
	}
	p->source = PLATFORM_ACPI;
	acpi_report(p, entry_size);
	return 0;
}

static bool acpi_rsdp_ok(uint64_t phys, platform_map_fn map)
{
	const uint8_t *b = map(phys, RSDP_V1_LEN);

	return b && fwtable_sum(b, RSDP_V1_LEN) == 0;
}

uint64_t acpi_find_rsdp(platform_map_fn map)
{
	uint64_t ebda = fwtable_ebda(map), rsdp = 0;

	if (ebda)
		rsdp = fwtable_scan(ebda, EBDA_SCAN_LEN, RSDP_SIG, RSDP_SIG_LEN,
				    acpi_rsdp_ok, map);
	if (!rsdp)
		rsdp = fwtable_scan(BIOS_AREA, BIOS_AREA_LEN, RSDP_SIG, RSDP_SIG_LEN,
				    acpi_rsdp_ok, map);
	return rsdp;
}

uint64_t acpi_scan_rsdp(uint64_t start, uint64_t len, platform_map_fn map)
{
	return fwtable_scan(start, (size_t)len, RSDP_SIG, RSDP_SIG_LEN, acpi_rsdp_ok, map);
}
