// SPDX-License-Identifier: MIT
/* VMCS field names, failure reporting and the dump. */
#define pr_fmt "vmcs"
#include "arch/x86_64/lib/errno.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/vmcs.h"
#include "drivers/console.h"

static const struct {
	uint32_t enc;
	const char *name;
} fields[] = {
#define X(name, enc, width) { enc, #name },
	VMCS_FIELDS(X)
#undef X
};

#define NR_FIELDS (sizeof(fields) / sizeof(fields[0]))

const char *vmcs_field_name(uint32_t field)
{
	for (unsigned i = 0; i < NR_FIELDS; i++)
		if (fields[i].enc == field)
			return fields[i].name;
	return "unknown";
}

const char *vmcs_insn_error_name(uint32_t err)
{
	static const char *const names[] = {
		[1] = "VMCALL executed in VMX root operation",
		[2] = "VMCLEAR with invalid physical address",
		[3] = "VMCLEAR with VMXON pointer",
		[4] = "VMLAUNCH with non-clear VMCS",
		[5] = "VMRESUME with non-launched VMCS",
		[6] = "VMRESUME after VMXOFF",
		[7] = "VM entry with invalid control field(s)",
		[8] = "VM entry with invalid host-state field(s)",
		[9] = "VMPTRLD with invalid physical address",
		[10] = "VMPTRLD with VMXON pointer",
		[11] = "VMPTRLD with incorrect VMCS revision identifier",
		[12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
		[13] = "VMWRITE to read-only VMCS component",
		[15] = "VMXON executed in VMX root operation",
		[16] = "VM entry with invalid executive-VMCS pointer",
		[17] = "VM entry with non-launched executive VMCS",
		[18] = "VM entry with executive-VMCS pointer not VMXON pointer",
		[19] = "VMCALL with non-clear VMCS",
		[20] = "VMCALL with invalid VM-exit control fields",
		[22] = "VMCALL with incorrect MSEG revision identifier",
		[23] = "VMXOFF under dual-monitor treatment of SMIs and SMM",
		[24] = "VMCALL with invalid SMM-monitor features",
		[25] = "VM entry with invalid VM-execution control fields in executive VMCS",
		[26] = "VM entry with events blocked by MOV SS",
		[28] = "invalid operand to INVEPT/INVVPID",
	};

	if (err < sizeof(names) / sizeof(names[0]) && names[err])
		return names[err];
	return "unknown error";
}

void vmcs_note_failure(uint32_t field, bool write)
{
	struct pcpu *c = this_cpu();

	if (c->vmcs_fail_field)
		return; /* keep the first */
	c->vmcs_fail_field = field | (write ? VMCS_FAIL_WRITE : 0) | VMCS_FAIL_SET;
}

int vmcs_check(const char *who)
{
	struct pcpu *c = this_cpu();
	uint64_t f = c->vmcs_fail_field;
	uint32_t err;

	if (!f)
		return 0;
	c->vmcs_fail_field = 0;
	err = (uint32_t)vmcs_read_raw(VMCS_VM_INSTRUCTION_ERROR);
	c->vmcs_fail_field = 0;
	pr_err("%s: %s %s failed: VM-instruction error %u (%s)\n", who,
	       f & VMCS_FAIL_WRITE ? "VMWRITE" : "VMREAD", vmcs_field_name((uint32_t)f & 0xffff),
	       err, vmcs_insn_error_name(err));
	return -EIO;
}

void vmcs_dump(void)
{
	/* Two fields a line, each line one console write: CPUs never interleave. */
	for (unsigned i = 0; i < NR_FIELDS; i += 2) {
		uint64_t a = vmcs_read_raw(fields[i].enc);

		if (i + 1 < NR_FIELDS)
			console_printf("  %-22s %#018lx  %-22s %#018lx\n", fields[i].name,
				       (unsigned long)a, fields[i + 1].name,
				       (unsigned long)vmcs_read_raw(fields[i + 1].enc));
		else
			console_printf("  %-22s %#018lx\n", fields[i].name, (unsigned long)a);
	}
	this_cpu()->vmcs_fail_field = 0; /* fields this CPU lacks read as 0 */
}

int vmcs_clear(uint64_t phys)
{
	bool fail;

	asm volatile("vmclear %[pa]" : "=@ccbe"(fail) : [pa] "m"(phys) : "memory");
	return fail ? -EIO : 0;
}

int vmcs_load(uint64_t phys)
{
	bool fail;

	asm volatile("vmptrld %[pa]" : "=@ccbe"(fail) : [pa] "m"(phys) : "memory");
	return fail ? -EIO : 0;
}
