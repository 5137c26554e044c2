// SPDX-License-Identifier: MIT
/*
 * Guest memory access. Guest RAM is host memory the core reaches through
 * its identity map, so a checked guest-physical range becomes a pointer
 * here and only here.
 */
#include <stdbool.h>

#include "arch/x86_64/lib/errno.h"
#ifdef HOST_TEST
#include <string.h>
#else
#include "arch/x86_64/lib/string.h"
#endif
#include "arch/x86_64/vmx_vcpu.h"
#include "vmm/gmem.h"
#include "vmm/gwalk.h"
#include "vmm/vm.h"

void *gmem_map(struct vm *vm, gpa_t g, size_t len)
{
	uint64_t a = gpa_val(g);

	if (a + len < a)
		return NULL;
	for (unsigned i = 0; i < vm->nr_mem; i++) {
		const struct vm_mem *m = &vm->mem[i];
		uint64_t base = gpa_val(m->gpa);

		if (a >= base && a - base <= m->size && len <= m->size - (a - base))
			return (void *)(uintptr_t)(hpa_val(m->hpa) + (a - base));
	}
	return NULL;
}

int gmem_is_ram(struct vm *vm, gpa_t g)
{
	return gmem_map(vm, g, 1) != NULL;
}

int gmem_read(struct vm *vm, gpa_t g, void *buf, size_t len)
{
	const void *p = gmem_map(vm, g, len);

	if (!p)
		return -EFAULT;
	memcpy(buf, p, len);
	return 0;
}

int gmem_write(struct vm *vm, gpa_t g, const void *buf, size_t len)
{
	void *p = gmem_map(vm, g, len);

	if (!p)
		return -EFAULT;
	memcpy(p, buf, len);
	return 0;
}

static int read_gpa_cb(void *ctx, uint64_t a, void *buf, size_t len)
{
	return gmem_read(ctx, gpa(a), buf, len);
}

int gmem_translate(struct vm *vm, uint64_t gla, unsigned access, gpa_t *out, uint32_t *pf_error)
{
	struct gwalk_ctx w = {
		.cr0 = vmx_guest_cr0(),
		.cr3 = vmx_guest_cr3(),
		.cr4 = vmx_guest_cr4(),
		.efer = vmx_guest_efer(),
		.maxphyaddr = vmx_guest_phys_bits(),
		.gbpages = vmx_guest_has_1g_pages(),
		.read_gpa = read_gpa_cb,
		.ctx = vm,
	};

	if (vmx_guest_cpl() == 3)
		access |= GWALK_USER;
	*pf_error = 0;
	return gwalk_translate(&w, gla, access, out, pf_error);
}

/* Copy between guest-linear memory and buf, page by page. */
static int linear_copy(struct vm *vm, uint64_t gla, void *buf, size_t len, bool write,
		       uint32_t *pf_error)
{
	uint8_t *p = buf;

	*pf_error = 0;
	while (len) {
		size_t chunk = 0x1000 - (gla & 0xfff);
		gpa_t g;
		int err;

		if (chunk > len)
			chunk = len;
		err = gmem_translate(vm, gla, write ? GWALK_WRITE : GWALK_READ, &g, pf_error);
		if (err)
			return -EFAULT;
		err = write ? gmem_write(vm, g, p, chunk) : gmem_read(vm, g, p, chunk);
		if (err)
			return err;
		gla += chunk;
		p += chunk;
		len -= chunk;
	}
	return 0;
}

int gmem_read_linear(struct vm *vm, uint64_t gla, void *buf, size_t len, uint32_t *pf_error)
{
	return linear_copy(vm, gla, buf, len, false, pf_error);
}

int gmem_write_linear(struct vm *vm, uint64_t gla, const void *buf, size_t len,
		      uint32_t *pf_error)
{
	return linear_copy(vm, gla, (void *)(uintptr_t)buf, len, true, pf_error);
}
