// SPDX-License-Identifier: MIT
/*
 * The firmware tables a VM finds (vmm/fwtables.c), read as an OS would:
 * the RSDP by scanning 0xe0000-0xfffff, every ACPI table's checksum, the
 * MADT's CPUs and IOAPIC, the FADT's PM blocks and \_S5 in the DSDT, the
 * MP table; then the PM timer runs, and the VM powers off through
 * PM1a_CNT (SLP_TYP | SLP_EN). Other vCPUs (vcpus=N) only spin: the MADT
 * must list them all, which the boot test checks from the "cpus" line.
 */
#include "guest-images/lib/guest.h"

#define BIOS_AREA     0xe0000ull
#define BIOS_AREA_END 0x100000ull
#define SLP_EN        (1u << 13)
#define SLP_TYP_SHIFT 10
#define SCI_EN        1u

static uint8_t sum(const void *p, uint32_t len)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (len--)
		s = (uint8_t)(s + *b++);
	return s;
}

static uint32_t le32(const uint8_t *b) { return (uint32_t)b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24; }
static uint16_t le16(const uint8_t *b) { return (uint16_t)(b[0] | b[1] << 8); }
static uint64_t le64(const uint8_t *b) { return le32(b) | (uint64_t)le32(b + 4) << 32; }

static const uint8_t *scan(const char *sig, unsigned len, unsigned csum_len)
{
	for (uint64_t a = BIOS_AREA; a < BIOS_AREA_END; a += 16) {
		const uint8_t *p = (const uint8_t *)a;

		if (!memcmp(p, sig, len) && !sum(p, csum_len))
			return p;
	}
	return 0;
}

/* An SDT at phys with signature sig and a valid checksum, else NULL (and a FAIL). */
static const uint8_t *sdt(uint64_t phys, const char *sig)
{
	const uint8_t *t = (const uint8_t *)phys;
	bool ok = phys && phys < BIOS_AREA_END && !memcmp(t, sig, 4) && le32(t + 4) >= 36 &&
		  !sum(t, le32(t + 4));
	char name[] = "acpi.table-XXXX";

	memcpy(name + 11, sig, 4);
	check(ok, name, "at %lx: bad signature, length or checksum", phys);
	return ok ? t : 0;
}

/* \_S5's SLP_TYPa from the DSDT's AML, -1 if absent. */
static int find_s5(const uint8_t *dsdt)
{
	uint32_t len = le32(dsdt + 4);

	for (uint32_t i = 36; i + 9 < len; i++) {
		const uint8_t *p = dsdt + i;

		if (p[0] != 0x08 || memcmp(p + 1, "_S5_", 4) || p[5] != 0x12)
			continue;
		/* PackageOp, PkgLength (1 byte), NumElements, first element */
		if (p[8] == 0x0a)
			return p[9];
		return p[8] <= 1 ? p[8] : -1; /* ZeroOp, OneOp */
	}
	return -1;
}

struct found {
	unsigned cpus, ioapic_id;
	uint16_t pm1a_cnt, pm_tmr;
	int s5;
};

static void check_madt(const uint8_t *m, struct found *f)
{
	uint32_t len = le32(m + 4);

	check(le32(m + 36) == 0xfee00000u && (le32(m + 40) & 1), "acpi.madt-header",
	      "lapic %x flags %x", le32(m + 36), le32(m + 40));
	for (uint32_t off = 44; off + 2 <= len && m[off + 1] >= 2; off += m[off + 1]) {
		const uint8_t *e = m + off;

		if (e[0] == 0 && (le32(e + 4) & 1)) {
			check(e[3] == f->cpus, "acpi.madt-apic-id", "CPU %u has APIC ID %u", f->cpus,
			      e[3]);
			f->cpus++;
		}
		if (e[0] == 1) {
			f->ioapic_id = e[2];
			check(le32(e + 4) == 0xfec00000u && le32(e + 8) == 0, "acpi.madt-ioapic",
			      "addr %x gsi %u", le32(e + 4), le32(e + 8));
		}
	}
	check(f->ioapic_id == f->cpus, "acpi.madt-ioapic-id", "IOAPIC %u, %u CPUs", f->ioapic_id,
	      f->cpus);
}

static void check_fadt(const uint8_t *fa, struct found *f)
{
	const uint8_t *facs = (const uint8_t *)(uint64_t)le32(fa + 36);
	uint64_t dsdt = le64(fa + 140) ? le64(fa + 140) : le32(fa + 40);
	const uint8_t *d;

	check(!((uint64_t)facs & 63) && !memcmp(facs, "FACS", 4) && le32(facs + 4) == 64,
	      "acpi.facs", "at %lx", (uint64_t)facs);
	check(le16(fa + 46) == 9 && le32(fa + 48) == 0, "acpi.fadt-sci", "SCI %u SMI_CMD %x",
	      le16(fa + 46), le32(fa + 48));
	f->pm1a_cnt = (uint16_t)le32(fa + 64);
	f->pm_tmr = (uint16_t)le32(fa + 76);
	check(le32(fa + 56) == 0x600 && f->pm1a_cnt == 0x604 && f->pm_tmr == 0x608 &&
		      le32(fa + 176) == f->pm1a_cnt && le32(fa + 212) == f->pm_tmr,
	      "acpi.fadt-pm-blocks", "evt %x cnt %x tmr %x", le32(fa + 56), f->pm1a_cnt, f->pm_tmr);
	check(le32(fa + 112) & (1u << 8), "acpi.fadt-32bit-timer", "flags %x", le32(fa + 112));
	d = sdt(dsdt, "DSDT");
	f->s5 = d ? find_s5(d) : -1;
	check(f->s5 >= 0 && f->s5 <= 7, "acpi.dsdt-s5", "SLP_TYP %d", f->s5);
}

static void check_acpi(struct found *f)
{
	const uint8_t *rsdp = scan("RSD PTR ", 8, 20), *x, *r;

	check(rsdp != 0, "acpi.rsdp-found", "no RSDP in 0xe0000-0xfffff");
	if (!rsdp)
		return;
	check(rsdp[15] >= 2 && le32(rsdp + 20) >= 36 && !sum(rsdp, le32(rsdp + 20)),
	      "acpi.rsdp-v2", "revision %u", rsdp[15]);
	r = sdt(le32(rsdp + 16), "RSDT");
	x = sdt(le64(rsdp + 24), "XSDT");
	if (!x || !r)
		return;
	for (uint32_t off = 36; off + 8 <= le32(x + 4); off += 8) {
		const uint8_t *t = (const uint8_t *)le64(x + off);

		check(le32(r + 36 + (off - 36) / 2) == (uint64_t)t, "acpi.rsdt-matches-xsdt",
		      "entry %u", (off - 36) / 8);
		if (!memcmp(t, "APIC", 4) && sdt((uint64_t)t, "APIC"))
			check_madt(t, f);
		if (!memcmp(t, "FACP", 4) && sdt((uint64_t)t, "FACP"))
			check_fadt(t, f);
	}
}

static void check_mp(const struct found *f)
{
	const uint8_t *fp = scan("_MP_", 4, 16), *c, *e;
	unsigned cpus = 0, ioints = 0, bsp = 0, ioapic = 0xff;

	check(fp != 0 && fp[8] == 1 && fp[9] == 4 && fp[11] == 0, "mp.floating-pointer", "bad");
	if (!fp)
		return;
	c = (const uint8_t *)(uint64_t)le32(fp + 4);
	check(!memcmp(c, "PCMP", 4) && !sum(c, le16(c + 4)), "mp.config-table", "at %lx",
	      (uint64_t)c);
	e = c + 44;
	for (unsigned i = 0; i < le16(c + 34) && e < c + le16(c + 4); i++) {
		if (e[0] == 0) {
			cpus++;
			bsp += (e[3] & 2) != 0;
		}
		if (e[0] == 2)
			ioapic = e[1];
		if (e[0] == 3)
			ioints++;
		e += e[0] == 0 ? 20 : 8;
	}
	check(cpus == f->cpus && bsp == 1 && ioapic == f->ioapic_id && ioints == 16,
	      "mp.matches-madt", "%u CPUs (%u BSPs), IOAPIC %u, %u IRQs", cpus, bsp, ioapic, ioints);
}

static void check_pm(const struct found *f)
{
	uint32_t t0 = inl(f->pm_tmr), t1;
	uint64_t start = rdtsc();

	check((inw(f->pm1a_cnt) & SCI_EN) != 0, "acpi.sci-en", "PM1_CNT %x", inw(f->pm1a_cnt));
	do
		t1 = inl(f->pm_tmr);
	while (t1 == t0 && rdtsc() - start < 1000000000ull);
	check(t1 != t0, "acpi.pm-timer-runs", "stuck at %x", t0);
	/* An unsupported sleep type is refused, the VM keeps running. */
	outw(f->pm1a_cnt, (uint16_t)(((f->s5 + 1) & 7) << SLP_TYP_SHIFT | SLP_EN));
	check(inl(f->pm_tmr) != t0, "acpi.other-sleep-ignored", "%s", "timer stuck");
}

int main(int idx);
int main(int idx)
{
	struct found f = { .s5 = -1, .ioapic_id = 0xff };

	if (idx) {
		for (;;)
			asm volatile("pause");
	}
	check_acpi(&f);
	guest_printf("cpus %u\n", f.cpus);
	check_mp(&f);
	if (f.pm_tmr && f.pm1a_cnt)
		check_pm(&f);
	if (guest_failures || f.s5 < 0)
		return 1;
	outw(f.pm1a_cnt, (uint16_t)(f.s5 << SLP_TYP_SHIFT | SLP_EN));
	guest_printf("FAIL: acpi.s5-power-off (still running)\n");
	return 2;
}
