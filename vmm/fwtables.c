// SPDX-License-Identifier: MIT
/*
 * The VM's firmware tables (see fwtables.h): what a PC BIOS leaves in
 * 0xe0000-0xfffff for the OS to find, built by the hypervisor because a
 * Basalt VM has no BIOS.
 *
 * Choices worth knowing:
 * - ISA IRQ n reaches IOAPIC pin n: no IRQ0 -> pin 2 override, and no
 *   ExtINT I/O interrupt entry in the MP table. With pin 0 as IRQ 0's only
 *   INT entry, Linux's check_timer() tries the IOAPIC pin first and falls
 *   back to the 8259 through LINT0 (ExtINT) on its own.
 * - The SCI (IRQ 9) is level-triggered. ACPI's default for an SCI without
 *   an override is level, active low; Basalt's interrupt lines are
 *   active-high levels (irq.h), so both tables say "IRQ 9: level, active
 *   high", as QEMU's firmware does.
 * - SMI_CMD = 0: there is no SMM and no ACPI mode switch; PM1_CNT.SCI_EN
 *   always reads 1 (acpi_pm.c).
 * - No GPE block, no fixed power or sleep button, no RTC wake status: the
 *   PM block has nothing to signal yet, so the SCI never fires.
 *
 * References: ACPI 6.5 "Root System Description Pointer (RSDP)
 * Structure", "System Description Table Header", "Fixed ACPI Description
 * Table (FADT)" with "Fixed ACPI Description Table Fixed Feature Flags" and
 * "IA-PC Boot Architecture Flags", "Firmware ACPI Control Structure
 * (FACS)", "Multiple APIC Description Table (MADT)", "AML Grammar
 * Definition"; Intel MP spec 1.4 §4.1-§4.3 and Appendix D.
 */
#ifdef HOST_TEST
#include <string.h>
#else
#include "arch/x86_64/lib/string.h"
#endif
#include "arch/x86_64/heap.h"
#include "arch/x86_64/lib/errno.h"
#include "vmm/fwtables.h"
#include "vmm/gmem.h"
#include "vmm/vm.h"

#define FW_OEM_ID        "BASALT"   /* 6 bytes */
#define FW_OEM_TABLE_ID  "BASALTVM" /* 8 bytes */
#define FW_CREATOR_ID    "BSLT"
#define FW_OEM_REVISION  1
#define FW_MAX_CPUS      254 /* xAPIC IDs 0..n-1 and the IOAPIC's n below 0xff */
#define FW_BUILD_MAX     0x4000 /* the tables of FW_MAX_CPUS CPUs fit (about 7.5 KiB) */

/* Offsets of the fixed parts inside the window (fwtables.h draws them). */
#define FW_OFF_RSDP      0x00
#define FW_OFF_FACS      0x40
#define FW_OFF_MPF       0x80
#define FW_OFF_REST      0x90

/* --- ACPI structures ----------------------------------------------------- */

struct fw_rsdp {
	char sig[8];             /* "RSD PTR " */
	uint8_t checksum;        /* over the first 20 bytes */
	char oem_id[6];
	uint8_t revision;        /* 2: ACPI 2.0+ (Length, XSDT) */
	uint32_t rsdt;
	uint32_t length;
	uint64_t xsdt;
	uint8_t ext_checksum;    /* over all length bytes */
	uint8_t reserved[3];
} __attribute__((packed));

struct fw_sdt {
	char sig[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	char creator_id[4];
	uint32_t creator_revision;
} __attribute__((packed));

/* Generic Address Structure */
struct fw_gas {
	uint8_t space;           /* FW_GAS_IO */
	uint8_t bit_width, bit_offset;
	uint8_t access_size;     /* 1 byte, 2 word, 3 dword */
	uint64_t addr;
} __attribute__((packed));

#define FW_GAS_IO        1
#define FW_ACCESS_BYTE   1
#define FW_ACCESS_WORD   2
#define FW_ACCESS_DWORD  3

struct fw_fadt {
	struct fw_sdt h;
	uint32_t firmware_ctrl, dsdt;
	uint8_t reserved0, preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
	uint32_t pm1a_evt_blk, pm1b_evt_blk, pm1a_cnt_blk, pm1b_cnt_blk;
	uint32_t pm2_cnt_blk, pm_tmr_blk, gpe0_blk, gpe1_blk;
	uint8_t pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len;
	uint8_t gpe0_blk_len, gpe1_blk_len, gpe1_base, cst_cnt;
	uint16_t p_lvl2_lat, p_lvl3_lat, flush_size, flush_stride;
	uint8_t duty_offset, duty_width, day_alrm, mon_alrm, century;
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags;
	struct fw_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_version;
	uint64_t x_firmware_ctrl, x_dsdt;
	struct fw_gas x_pm1a_evt_blk, x_pm1b_evt_blk, x_pm1a_cnt_blk, x_pm1b_cnt_blk;
	struct fw_gas x_pm2_cnt_blk, x_pm_tmr_blk, x_gpe0_blk, x_gpe1_blk;
	struct fw_gas sleep_control, sleep_status;
	uint64_t hypervisor_vendor;
} __attribute__((packed));

#define FW_FADT_REVISION 6 /* ACPI 6.0: 276 bytes */
#define FW_FADT_MINOR    0

/* FADT Flags */
#define FADT_F_WBINVD        (1u << 0)
#define FADT_F_PROC_C1       (1u << 2)
#define FADT_F_PWR_BUTTON    (1u << 4)  /* set: no fixed-feature power button */
#define FADT_F_SLP_BUTTON    (1u << 5)  /* set: no fixed-feature sleep button */
#define FADT_F_FIX_RTC       (1u << 6)  /* set: no RTC_STS wake in PM1 */
#define FADT_F_TMR_VAL_EXT   (1u << 8)  /* 32-bit PM timer */
#define FADT_F_RESET_REG_SUP (1u << 10)
/* IAPC_BOOT_ARCH */
#define FADT_BA_LEGACY_DEVICES (1u << 0)
#define FADT_BA_8042           (1u << 1)
#define FADT_BA_VGA_NOT_PRESENT (1u << 2)
/* P_LVLx_LAT values that say "C2 / C3 not supported" */
#define FADT_NO_C2           101
#define FADT_NO_C3           1001

struct fw_facs {
	char sig[4];             /* "FACS" */
	uint32_t length;
	uint32_t hw_signature;
	uint32_t waking_vector;
	uint32_t global_lock;
	uint32_t flags;
	uint64_t x_waking_vector;
	uint8_t version;
	uint8_t reserved[3];
	uint32_t ospm_flags;
	uint8_t reserved2[24];
} __attribute__((packed));

#define FW_FACS_VERSION  2
#define FW_FACS_ALIGN    64

struct fw_madt {
	struct fw_sdt h;
	uint32_t lapic_addr;
	uint32_t flags;
} __attribute__((packed));

#define FW_MADT_REVISION 4 /* ACPI 6.0 */
#define MADT_F_PCAT_COMPAT 1u

enum fw_madt_type {
	MADT_T_LAPIC = 0,
	MADT_T_IOAPIC = 1,
	MADT_T_ISO = 2,
	MADT_T_LAPIC_NMI = 4,
};

struct fw_madt_lapic {
	uint8_t type, len, uid, apic_id;
	uint32_t flags;          /* bit 0: enabled */
} __attribute__((packed));

struct fw_madt_ioapic {
	uint8_t type, len, id, reserved;
	uint32_t addr, gsi_base;
} __attribute__((packed));

struct fw_madt_iso {
	uint8_t type, len, bus, source;
	uint32_t gsi;
	uint16_t flags;          /* MPS INTI flags */
} __attribute__((packed));

struct fw_madt_lapic_nmi {
	uint8_t type, len, uid;  /* uid 0xff: all processors */
	uint16_t flags;
	uint8_t lint;
} __attribute__((packed));

#define MADT_LAPIC_ENABLED 1u
#define MADT_ALL_CPUS      0xff

/* MPS INTI flags: polarity bits 1:0, trigger bits 3:2 (both specs). */
#define INTI_CONFORMS      0x0
#define INTI_HIGH          0x1
#define INTI_EDGE          0x4
#define INTI_LEVEL         0xc
#define FW_SCI_INTI        (INTI_LEVEL | INTI_HIGH)

/* --- MP spec structures -------------------------------------------------- */

struct fw_mpf {
	char sig[4];             /* "_MP_" */
	uint32_t config;
	uint8_t length;          /* in paragraphs: 1 */
	uint8_t spec_rev;        /* 4: MP 1.4 */
	uint8_t checksum;
	uint8_t feature[5];      /* 1: 0 (a table follows); 2 bit 7: IMCR (none) */
} __attribute__((packed));

struct fw_mpc {
	char sig[4];             /* "PCMP" */
	uint16_t length;
	uint8_t spec_rev;
	uint8_t checksum;
	char oem_id[8];
	char product_id[12];
	uint32_t oem_table;
	uint16_t oem_table_size;
	uint16_t entry_count;
	uint32_t lapic_addr;
	uint16_t ext_length;
	uint8_t ext_checksum;
	uint8_t reserved;
} __attribute__((packed));

enum fw_mpc_type {
	MPC_T_CPU = 0,
	MPC_T_BUS = 1,
	MPC_T_IOAPIC = 2,
	MPC_T_IOINT = 3,
	MPC_T_LINT = 4,
};

struct fw_mpc_cpu {
	uint8_t type, apic_id, apic_version, flags;
	uint32_t signature, features;
	uint32_t reserved[2];
} __attribute__((packed));

struct fw_mpc_bus {
	uint8_t type, id;
	char bus_type[6];        /* "ISA   " */
} __attribute__((packed));

struct fw_mpc_ioapic {
	uint8_t type, id, version, flags;
	uint32_t addr;
} __attribute__((packed));

/* I/O and local interrupt assignment entries share one layout. */
struct fw_mpc_int {
	uint8_t type, int_type;
	uint16_t flags;          /* MPS INTI flags */
	uint8_t src_bus, src_irq;
	uint8_t dst_apic;        /* IOAPIC ID, or local APIC ID (0xff: all) */
	uint8_t dst_pin;         /* INTINn or LINTINn */
} __attribute__((packed));

#define MP_SPEC_REV        4
#define MP_CPU_EN          (1u << 0)
#define MP_CPU_BP          (1u << 1)
#define MP_CPU_SIGNATURE   0x600     /* family 6: the tables' only use is display */
#define MP_CPU_FEATURES    0x201     /* CPUID.1:EDX FPU, APIC */
#define MP_LAPIC_VERSION   0x14      /* integrated xAPIC */
#define MP_IOAPIC_VERSION  0x11      /* 82093AA-style IOAPIC */
#define MP_IOAPIC_EN       1u
#define MP_ISA_BUS         0
#define MP_INT_INT         0
#define MP_INT_NMI         1
#define MP_INT_EXTINT      3
#define MP_ALL_LAPICS      0xff
#define ISA_IRQS           16

_Static_assert(sizeof(struct fw_rsdp) == 36, "RSDP");
_Static_assert(sizeof(struct fw_sdt) == 36, "SDT header");
_Static_assert(sizeof(struct fw_gas) == 12, "GAS");
_Static_assert(__builtin_offsetof(struct fw_fadt, flags) == 112, "FADT Flags");
_Static_assert(__builtin_offsetof(struct fw_fadt, reset_reg) == 116, "FADT RESET_REG");
_Static_assert(__builtin_offsetof(struct fw_fadt, minor_version) == 131, "FADT minor version");
_Static_assert(__builtin_offsetof(struct fw_fadt, x_dsdt) == 140, "FADT X_DSDT");
_Static_assert(__builtin_offsetof(struct fw_fadt, x_pm1a_cnt_blk) == 172, "FADT X_PM1a_CNT");
_Static_assert(__builtin_offsetof(struct fw_fadt, x_pm_tmr_blk) == 208, "FADT X_PM_TMR");
_Static_assert(sizeof(struct fw_fadt) == 276, "FADT revision 6");
_Static_assert(sizeof(struct fw_facs) == 64, "FACS");
_Static_assert(sizeof(struct fw_madt) == 44, "MADT header");
_Static_assert(sizeof(struct fw_madt_lapic) == 8, "MADT local APIC");
_Static_assert(sizeof(struct fw_madt_ioapic) == 12, "MADT IOAPIC");
_Static_assert(sizeof(struct fw_madt_iso) == 10, "MADT override");
_Static_assert(sizeof(struct fw_madt_lapic_nmi) == 6, "MADT local APIC NMI");
_Static_assert(sizeof(struct fw_mpf) == 16, "MP floating pointer");
_Static_assert(sizeof(struct fw_mpc) == 44, "MP configuration table header");
_Static_assert(sizeof(struct fw_mpc_cpu) == 20, "MP processor entry");
_Static_assert(sizeof(struct fw_mpc_bus) == 8 && sizeof(struct fw_mpc_ioapic) == 8 &&
		       sizeof(struct fw_mpc_int) == 8,
	       "MP 8-byte entries");

/*
 * The DSDT's AML: one object, so that an ACPI OS can power off.
 *
 *   Name (_S5_, Package (0x04) { 0x05, 0x05, Zero, Zero })
 */
static const uint8_t dsdt_aml[] = {
	0x08,                     /* NameOp */
	'_', 'S', '5', '_',       /* NameSeg "_S5_" (in the root scope) */
	0x12,                     /* PackageOp */
	0x08,                     /* PkgLength: these 8 bytes to the package's end */
	0x04,                     /* NumElements */
	0x0a, FW_S5_SLP_TYP,      /* BytePrefix 0x05: SLP_TYPa for PM1a_CNT */
	0x0a, FW_S5_SLP_TYP,      /* BytePrefix 0x05: SLP_TYPb (no PM1b block) */
	0x00,                     /* ZeroOp: reserved */
	0x00,                     /* ZeroOp: reserved */
};
#define FW_DSDT_REVISION 2 /* 64-bit AML integers */

/* --- building ------------------------------------------------------------ */

/* The window under construction: buf holds the bytes the guest sees at base. */
struct fw_buf {
	uint8_t *b;
	size_t size, used;
	uint64_t base;
	bool full;
};

/* Room for len bytes at the next 16-byte boundary: its offset (0 and full when none). */
static size_t fw_alloc(struct fw_buf *w, size_t len)
{
	size_t at = (w->used + 15) & ~(size_t)15;

	if (w->full || at > w->size || len > w->size - at) {
		w->full = true;
		return 0;
	}
	w->used = at + len;
	return at;
}

static uint32_t fw_gpa(const struct fw_buf *w, size_t off)
{
	return (uint32_t)(w->base + off);
}

static uint8_t fw_sum(const uint8_t *b, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum = (uint8_t)(sum + *b++);
	return sum;
}

/* Set *csum so that [b, b + len) sums to zero. */
static void fw_checksum(uint8_t *b, size_t len, uint8_t *csum)
{
	*csum = 0;
	*csum = (uint8_t)-fw_sum(b, len);
}

static void fw_sdt_header(struct fw_sdt *h, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(h->sig, sig, 4);
	h->length = len;
	h->revision = rev;
	memcpy(h->oem_id, FW_OEM_ID, 6);
	memcpy(h->oem_table_id, FW_OEM_TABLE_ID, 8);
	h->oem_revision = FW_OEM_REVISION;
	memcpy(h->creator_id, FW_CREATOR_ID, 4);
	h->creator_revision = FW_OEM_REVISION;
}

/* An SDT with a body of body_len bytes: its offset (header filled), 0 when full. */
static size_t fw_sdt(struct fw_buf *w, const char *sig, size_t body_len, uint8_t rev)
{
	size_t off = fw_alloc(w, sizeof(struct fw_sdt) + body_len);

	if (!w->full)
		fw_sdt_header((struct fw_sdt *)(w->b + off), sig,
			      (uint32_t)(sizeof(struct fw_sdt) + body_len), rev);
	return off;
}

static void fw_sdt_done(struct fw_buf *w, size_t off)
{
	struct fw_sdt *h = (struct fw_sdt *)(w->b + off);

	fw_checksum(w->b + off, h->length, &h->checksum);
}

/* --- the MP table -------------------------------------------------------- */

static void mp_int(uint8_t *e, uint8_t type, uint8_t int_type, uint16_t flags, uint8_t irq,
		   uint8_t dst, uint8_t pin)
{
	struct fw_mpc_int i = { type, int_type, flags, MP_ISA_BUS, irq, dst, pin };

	memcpy(e, &i, sizeof(i));
}

/*
 * Entries in the order §4.3 asks for: processors, the bus, the IOAPIC, I/O
 * interrupts (ISA IRQ n -> pin n), local interrupts (LINT0 ExtINT, LINT1
 * NMI on every CPU).
 */
static void mp_build(struct fw_buf *w, unsigned nr_cpus)
{
	unsigned count = nr_cpus + 1 + 1 + ISA_IRQS + 2;
	size_t len = sizeof(struct fw_mpc) + nr_cpus * sizeof(struct fw_mpc_cpu) +
		     (count - nr_cpus) * sizeof(struct fw_mpc_int);
	size_t off = fw_alloc(w, len);
	struct fw_mpf *fp = (struct fw_mpf *)(w->b + FW_OFF_MPF);
	struct fw_mpc *c = (struct fw_mpc *)(w->b + off);
	uint8_t *e = (uint8_t *)(c + 1);
	uint8_t ioapic_id = FW_IOAPIC_ID(nr_cpus);
	struct fw_mpc_bus bus = { MPC_T_BUS, MP_ISA_BUS, "ISA   " };
	struct fw_mpc_ioapic io = { MPC_T_IOAPIC, ioapic_id, MP_IOAPIC_VERSION, MP_IOAPIC_EN,
				    FW_IOAPIC_ADDR };

	if (w->full)
		return;
	*c = (struct fw_mpc){ .sig = "PCMP", .length = (uint16_t)len, .spec_rev = MP_SPEC_REV,
			      .oem_id = "BASALT  ", .product_id = "VM          ",
			      .entry_count = (uint16_t)count, .lapic_addr = FW_LAPIC_ADDR };
	for (unsigned i = 0; i < nr_cpus; i++, e += sizeof(struct fw_mpc_cpu)) {
		struct fw_mpc_cpu cpu = { .type = MPC_T_CPU, .apic_id = (uint8_t)i,
					  .apic_version = MP_LAPIC_VERSION,
					  .flags = MP_CPU_EN | (i == 0 ? MP_CPU_BP : 0),
					  .signature = MP_CPU_SIGNATURE,
					  .features = MP_CPU_FEATURES };

		memcpy(e, &cpu, sizeof(cpu));
	}
	memcpy(e, &bus, sizeof(bus));
	e += sizeof(bus);
	memcpy(e, &io, sizeof(io));
	e += sizeof(io);
	for (unsigned irq = 0; irq < ISA_IRQS; irq++, e += 8)
		mp_int(e, MPC_T_IOINT, MP_INT_INT,
		       irq == FW_SCI_IRQ ? FW_SCI_INTI : INTI_CONFORMS, (uint8_t)irq, ioapic_id,
		       (uint8_t)irq);
	mp_int(e, MPC_T_LINT, MP_INT_EXTINT, INTI_CONFORMS, 0, MP_ALL_LAPICS, 0);
	mp_int(e + 8, MPC_T_LINT, MP_INT_NMI, INTI_CONFORMS, 0, MP_ALL_LAPICS, 1);
	fw_checksum((uint8_t *)c, len, &c->checksum);

	*fp = (struct fw_mpf){ .sig = "_MP_", .config = fw_gpa(w, off), .length = 1,
			       .spec_rev = MP_SPEC_REV };
	fw_checksum((uint8_t *)fp, sizeof(*fp), &fp->checksum);
}

/* --- ACPI ---------------------------------------------------------------- */

static struct fw_gas fw_io(uint16_t port, unsigned bytes, uint8_t access)
{
	return (struct fw_gas){ .space = FW_GAS_IO, .bit_width = (uint8_t)(8 * bytes),
				.access_size = access, .addr = port };
}

static size_t acpi_build_madt(struct fw_buf *w, unsigned nr_cpus)
{
	size_t body = sizeof(struct fw_madt) - sizeof(struct fw_sdt) +
		      nr_cpus * sizeof(struct fw_madt_lapic) + sizeof(struct fw_madt_ioapic) +
		      sizeof(struct fw_madt_iso) + sizeof(struct fw_madt_lapic_nmi);
	size_t off = fw_sdt(w, "APIC", body, FW_MADT_REVISION);
	struct fw_madt *m = (struct fw_madt *)(w->b + off);
	uint8_t *e = (uint8_t *)(m + 1);
	struct fw_madt_ioapic io = { MADT_T_IOAPIC, sizeof(io), FW_IOAPIC_ID(nr_cpus), 0,
				     FW_IOAPIC_ADDR, 0 };
	struct fw_madt_iso iso = { MADT_T_ISO, sizeof(iso), 0, FW_SCI_IRQ, FW_SCI_IRQ,
				   FW_SCI_INTI };
	struct fw_madt_lapic_nmi nmi = { MADT_T_LAPIC_NMI, sizeof(nmi), MADT_ALL_CPUS,
					 INTI_CONFORMS, 1 };

	if (w->full)
		return 0;
	m->lapic_addr = FW_LAPIC_ADDR;
	m->flags = MADT_F_PCAT_COMPAT;
	for (unsigned i = 0; i < nr_cpus; i++, e += sizeof(struct fw_madt_lapic)) {
		struct fw_madt_lapic l = { MADT_T_LAPIC, sizeof(l), (uint8_t)i, (uint8_t)i,
					   MADT_LAPIC_ENABLED };

		memcpy(e, &l, sizeof(l));
	}
	memcpy(e, &io, sizeof(io));
	e += sizeof(io);
	memcpy(e, &iso, sizeof(iso));
	e += sizeof(iso);
	memcpy(e, &nmi, sizeof(nmi));
	fw_sdt_done(w, off);
	return off;
}

static void acpi_fill_fadt(struct fw_fadt *f, uint32_t facs, uint32_t dsdt)
{
	f->firmware_ctrl = facs;
	f->dsdt = dsdt;
	f->sci_int = FW_SCI_IRQ;
	f->pm1a_evt_blk = FW_PM1A_EVT;
	f->pm1a_cnt_blk = FW_PM1A_CNT;
	f->pm_tmr_blk = FW_PM_TMR;
	f->pm1_evt_len = 4;
	f->pm1_cnt_len = 2;
	f->pm_tmr_len = 4;
	f->p_lvl2_lat = FADT_NO_C2;
	f->p_lvl3_lat = FADT_NO_C3;
	f->iapc_boot_arch = FADT_BA_LEGACY_DEVICES | FADT_BA_8042 | FADT_BA_VGA_NOT_PRESENT;
	f->flags = FADT_F_WBINVD | FADT_F_PROC_C1 | FADT_F_PWR_BUTTON | FADT_F_SLP_BUTTON |
		   FADT_F_FIX_RTC | FADT_F_TMR_VAL_EXT | FADT_F_RESET_REG_SUP;
	f->reset_reg = fw_io(FW_RESET_PORT, 1, FW_ACCESS_BYTE);
	f->reset_value = FW_RESET_VALUE;
	f->minor_version = FW_FADT_MINOR;
	/* X_FIRMWARE_CTRL stays 0: ACPI allows only one of the two FACS pointers. */
	f->x_dsdt = dsdt;
	f->x_pm1a_evt_blk = fw_io(FW_PM1A_EVT, 4, FW_ACCESS_WORD);
	f->x_pm1a_cnt_blk = fw_io(FW_PM1A_CNT, 2, FW_ACCESS_WORD);
	f->x_pm_tmr_blk = fw_io(FW_PM_TMR, 4, FW_ACCESS_DWORD);
}

/* RSDT, XSDT, FADT, MADT, DSDT, with the FACS and RSDP at their fixed places. */
static void acpi_build(struct fw_buf *w, unsigned nr_cpus)
{
	size_t rsdt = fw_sdt(w, "RSDT", 2 * 4, 1);
	size_t xsdt = fw_sdt(w, "XSDT", 2 * 8, 1);
	size_t fadt = fw_sdt(w, "FACP", sizeof(struct fw_fadt) - sizeof(struct fw_sdt),
			     FW_FADT_REVISION);
	size_t madt = acpi_build_madt(w, nr_cpus);
	size_t dsdt = fw_sdt(w, "DSDT", sizeof(dsdt_aml), FW_DSDT_REVISION);
	struct fw_facs *facs = (struct fw_facs *)(w->b + FW_OFF_FACS);
	struct fw_rsdp *rsdp = (struct fw_rsdp *)(w->b + FW_OFF_RSDP);
	uint32_t tables[2];
	uint64_t xtables[2];

	if (w->full)
		return;
	memcpy(w->b + dsdt + sizeof(struct fw_sdt), dsdt_aml, sizeof(dsdt_aml));
	fw_sdt_done(w, dsdt);

	acpi_fill_fadt((struct fw_fadt *)(w->b + fadt), fw_gpa(w, FW_OFF_FACS), fw_gpa(w, dsdt));
	fw_sdt_done(w, fadt);

	tables[0] = xtables[0] = fw_gpa(w, fadt);
	tables[1] = xtables[1] = fw_gpa(w, madt);
	memcpy(w->b + rsdt + sizeof(struct fw_sdt), tables, sizeof(tables));
	fw_sdt_done(w, rsdt);
	memcpy(w->b + xsdt + sizeof(struct fw_sdt), xtables, sizeof(xtables));
	fw_sdt_done(w, xsdt);

	*facs = (struct fw_facs){ .sig = "FACS", .length = sizeof(*facs),
				  .version = FW_FACS_VERSION };

	*rsdp = (struct fw_rsdp){ .sig = "RSD PTR ", .oem_id = FW_OEM_ID, .revision = 2,
				  .rsdt = fw_gpa(w, rsdt), .length = sizeof(*rsdp),
				  .xsdt = fw_gpa(w, xsdt) };
	fw_checksum((uint8_t *)rsdp, offsetof(struct fw_rsdp, length), &rsdp->checksum);
	fw_checksum((uint8_t *)rsdp, sizeof(*rsdp), &rsdp->ext_checksum);
}

int fwtables_write(uint8_t *buf, size_t size, uint64_t base, unsigned nr_cpus)
{
	struct fw_buf w = { .b = buf, .size = size, .used = FW_OFF_REST, .base = base };

	_Static_assert(FW_OFF_FACS % FW_FACS_ALIGN == 0, "FACS alignment");
	_Static_assert(FW_OFF_FACS >= sizeof(struct fw_rsdp) &&
			       FW_OFF_MPF >= FW_OFF_FACS + sizeof(struct fw_facs) &&
			       FW_OFF_REST >= FW_OFF_MPF + sizeof(struct fw_mpf),
		       "fixed layout");
	if (!nr_cpus || nr_cpus > FW_MAX_CPUS || (base & 15) || base > UINT32_MAX - size)
		return -EINVAL;
	if (size < FW_OFF_REST)
		return -ENOSPC;
	memset(buf, 0, size);
	mp_build(&w, nr_cpus);
	acpi_build(&w, nr_cpus);
	return w.full ? -ENOSPC : (int)w.used;
}

/* --- into the VM --------------------------------------------------------- */

static bool fw_window_empty(struct vm *vm)
{
	const uint8_t *p = gmem_map(vm, gpa(FW_TABLES_GPA), FW_TABLES_SIZE);

	for (size_t i = 0; p && i < FW_TABLES_SIZE; i++)
		if (p[i])
			return false;
	return true;
}

int fwtables_build(struct vm *vm)
{
	uint8_t *buf;
	int len;

	if (!gmem_map(vm, gpa(FW_TABLES_GPA), FW_TABLES_SIZE)) {
		vm_err(vm, "firmware tables: no RAM at %#llx (the VM needs at least 1 MiB)\n",
		       FW_TABLES_GPA);
		return -EFAULT;
	}
	if (!fw_window_empty(vm)) {
		vm_err(vm, "firmware tables: the guest image overlaps %#llx-%#llx\n",
		       FW_TABLES_GPA, FW_TABLES_GPA + FW_TABLES_SIZE - 1);
		return -EEXIST;
	}
	buf = kmalloc(FW_BUILD_MAX);
	if (!buf)
		return -ENOMEM;
	len = fwtables_write(buf, FW_BUILD_MAX, FW_TABLES_GPA, vm->nr_vcpus);
	if (len > 0)
		len = gmem_write(vm, gpa(FW_TABLES_GPA), buf, (size_t)len);
	kfree(buf);
	if (len < 0)
		vm_err(vm, "firmware tables: error %d\n", len);
	return len < 0 ? len : 0;
}
