// SPDX-License-Identifier: MIT
/*
 * Intel MultiProcessor Specification 1.4 tables, for machines without a
 * usable MADT: the MP floating pointer structure, then the base
 * configuration table's processor and I/O APIC entries.
 *
 *   floating pointer (16 bytes)       configuration table ("PCMP")
 *   +0  "_MP_"                        +0  "PCMP"       +34 entry count
 *   +4  config table address  ----->  +4  base length  +36 LAPIC address
 *   +8  length (16-byte units)        +7  checksum     +44 entries...
 *   +10 checksum
 *   +11 feature 1 (default config)
 *   +12 feature 2 (bit 7: IMCR)
 *
 * References: MP spec 1.4 §4.1 "MP Floating Pointer Structure", §4.2 "MP
 * Configuration Table Header", §4.3 "Base MP Configuration Table Entries",
 * §5 "Default Configurations".
 */
#define pr_fmt "mptable"
#include "drivers/console.h"

#ifdef HOST_TEST
#include <string.h>
#else
#include "arch/x86_64/lib/string.h"
#endif

#include "arch/x86_64/fwtable.h"
#include "arch/x86_64/lib/errno.h"
#include "arch/x86_64/platform.h"

#define MPF_SIG          "_MP_"
#define MPF_CONFIG       4
#define MPF_LENGTH       8  /* in paragraphs: always 1 */
#define MPF_SPEC_REV     9
#define MPF_FEATURE1     11 /* nonzero: a default configuration number */
#define MPF_FEATURE2     12
#define MPF_LEN          16
#define MPF_IMCRP        (1u << 7)

#define MPC_SIG          "PCMP"
#define MPC_LENGTH       4
#define MPC_ENTRY_COUNT  34
#define MPC_LAPIC_ADDR   36
#define MPC_HDR_LEN      44

/* Base table entries: processors take 20 bytes, the others 8. */
enum mpc_type {
	MPC_PROCESSOR = 0, /* type, apic id, apic ver, flags, signature(4), ... */
	MPC_BUS = 1,
	MPC_IOAPIC = 2,    /* type, id, version, flags, address(4) */
	MPC_IOINT = 3,
	MPC_LINT = 4,
};
#define MPC_PROCESSOR_LEN 20
#define MPC_ENTRY_LEN     8
#define MPC_CPU_EN        (1u << 0)
#define MPC_CPU_BP        (1u << 1)
#define MPC_IOAPIC_EN     (1u << 0)

/* Where the floating pointer may be (§4: first KiB of the EBDA, last KiB
 * of base memory, the BIOS ROM). */
#define SCAN_KIB         1024
#define BIOS_ROM         0xf0000
#define BIOS_ROM_LEN     0x10000

static bool mp_fp_ok(uint64_t phys, platform_map_fn map)
{
	const uint8_t *b = map(phys, MPF_LEN);

	if (!b || b[MPF_LENGTH] != 1)
		return false;
	if (fwtable_sum(b, MPF_LEN) != 0) {
		pr_debug("floating pointer at 0x%llx: bad checksum, skipped\n",
			 (unsigned long long)phys);
		return false;
	}
	return true;
}

static uint64_t mp_find(platform_map_fn map)
{
	uint64_t ebda = fwtable_ebda(map);
	uint64_t top = fwtable_base_mem_last_kib(map);
	uint64_t fp = 0;

	if (ebda)
		fp = fwtable_scan(ebda, SCAN_KIB, MPF_SIG, 4, mp_fp_ok, map);
	if (!fp && top != ebda)
		fp = fwtable_scan(top, SCAN_KIB, MPF_SIG, 4, mp_fp_ok, map);
	if (!fp)
		fp = fwtable_scan(BIOS_ROM, BIOS_ROM_LEN, MPF_SIG, 4, mp_fp_ok, map);
	return fp;
}

/* Map the configuration table at phys: header, then its checked length. */
static const uint8_t *mp_map_config(uint64_t phys, platform_map_fn map, size_t *len)
{
	unsigned long long addr = phys;
	const uint8_t *b = map(phys, MPC_HDR_LEN);

	if (!b) {
		pr_warn("configuration table at 0x%llx: not mapped\n", addr);
		return NULL;
	}
	if (memcmp(b, MPC_SIG, 4) != 0) {
		pr_warn("configuration table at 0x%llx: bad signature\n", addr);
		return NULL;
	}
	*len = fwtable_le16(b + MPC_LENGTH);
	if (*len < MPC_HDR_LEN) {
		pr_warn("configuration table at 0x%llx: bad length %u\n", addr,
			(unsigned)*len);
		return NULL;
	}
	b = map(phys, *len);
	if (!b) {
		pr_warn("configuration table at 0x%llx: %u bytes not mapped\n", addr,
			(unsigned)*len);
		return NULL;
	}
	if (fwtable_sum(b, *len) != 0) {
		pr_warn("configuration table at 0x%llx: bad checksum\n", addr);
		return NULL;
	}
	return b;
}

/* State of one entry walk: what did not fit, reported once at the end. */
struct mp_walk {
	struct platform *p;
	unsigned cpus_over, ioapics_over;
};

static void mp_processor(struct mp_walk *w, const uint8_t *e)
{
	struct platform_cpu cpu = { .apic_id = e[1], .bsp = e[3] & MPC_CPU_BP };

	if (!(e[3] & MPC_CPU_EN)) {
		w->p->nr_cpus_ignored++;
		return;
	}
	switch (fwtable_add_cpu(w->p, cpu)) {
	case -ENOSPC:
		w->cpus_over++;
		break;
	case -EEXIST:
		pr_warn("APIC ID 0x%x listed twice\n", cpu.apic_id);
		break;
	}
}

static void mp_ioapic(struct mp_walk *w, const uint8_t *e)
{
	/* The table has no GSI numbers: the first IOAPIC starts at 0. */
	struct platform_ioapic io = {
		.id = e[1],
		.addr = fwtable_le32(e + 4),
		.gsi_base = w->p->nr_ioapics ? PLATFORM_GSI_UNKNOWN : 0,
	};

	if (!(e[3] & MPC_IOAPIC_EN))
		return;
	if (!io.addr) {
		pr_warn("IOAPIC %u has no address, skipped\n", io.id);
		return;
	}
	if (fwtable_add_ioapic(w->p, io) == -ENOSPC)
		w->ioapics_over++;
}

/*
 * Walk the base entries. Bus and interrupt assignment entries are skipped;
 * an unknown type has an unknown size, so the walk stops there.
 */
static void mp_walk_entries(struct platform *p, const uint8_t *t, size_t len,
			    uint64_t phys)
{
	unsigned count = fwtable_le16(t + MPC_ENTRY_COUNT);
	struct mp_walk w = { .p = p };
	size_t off = MPC_HDR_LEN;

	for (unsigned i = 0; i < count; i++) {
		uint8_t type = off < len ? t[off] : 0;
		size_t size = type == MPC_PROCESSOR ? MPC_PROCESSOR_LEN : MPC_ENTRY_LEN;

		if (off >= len || size > len - off) {
			pr_warn("table at 0x%llx: entry %u of %u overruns its %u bytes, rest ignored\n",
				(unsigned long long)phys, i, count, (unsigned)len);
			break;
		}
		if (type > MPC_LINT) {
			pr_warn("table at 0x%llx: unknown entry type %u at offset %u, rest ignored\n",
				(unsigned long long)phys, type, (unsigned)off);
			break;
		}
		if (type == MPC_PROCESSOR)
			mp_processor(&w, t + off);
		else if (type == MPC_IOAPIC)
			mp_ioapic(&w, t + off);
		off += size;
	}
	if (w.cpus_over)
		pr_warn("%u CPUs beyond MAX_CPUS (%u) ignored\n", w.cpus_over, MAX_CPUS);
	if (w.ioapics_over)
		pr_warn("%u IOAPICs beyond MAX_IOAPICS (%u) ignored\n", w.ioapics_over,
			MAX_IOAPICS);
}

int mptable_parse(struct platform *p, platform_map_fn map)
{
	uint64_t fp_phys, cfg_phys;
	const uint8_t *fp, *cfg;
	size_t len;

	memset(p, 0, sizeof(*p));
	fp_phys = mp_find(map);
	fp = fp_phys ? map(fp_phys, MPF_LEN) : NULL;
	if (!fp) {
		pr_debug("no MP floating pointer\n");
		return -ENOENT;
	}
	if (fp[MPF_FEATURE1]) {
		pr_warn("floating pointer at 0x%llx: default configuration %u not supported\n",
			(unsigned long long)fp_phys, fp[MPF_FEATURE1]);
		return -ENOTSUP;
	}
	cfg_phys = fwtable_le32(fp + MPF_CONFIG);
	if (!cfg_phys) {
		pr_warn("floating pointer at 0x%llx: no configuration table\n",
			(unsigned long long)fp_phys);
		return -ENOENT;
	}
	cfg = mp_map_config(cfg_phys, map, &len);
	if (!cfg)
		return -EINVAL;

	p->lapic_addr = fwtable_le32(cfg + MPC_LAPIC_ADDR);
	mp_walk_entries(p, cfg, len, cfg_phys);
	if (!p->nr_cpus) {
		pr_warn("table at 0x%llx: no usable CPU\n", (unsigned long long)cfg_phys);
		return -ENODEV;
	}
	p->pic_present = true; /* MP systems are PC/AT compatible */
	p->imcr_present = fp[MPF_FEATURE2] & MPF_IMCRP;
	p->source = PLATFORM_MPTABLE;
	pr_info("MP 1.%u: %u CPUs (%u ignored), %u IOAPICs, LAPIC 0x%llx%s\n",
		fp[MPF_SPEC_REV], p->nr_cpus, p->nr_cpus_ignored, p->nr_ioapics,
		(unsigned long long)p->lapic_addr, p->imcr_present ? ", IMCR (PIC mode)" : "");
	return 0;
}
