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

static void walk_setup(struct gwalk_ctx *w, struct vm *vm, const struct vmx_paging *p)
{
	*w = (struct gwalk_ctx){
		.cr0 = p->cr0,
		.cr3 = p->cr3,
		.cr4 = p->cr4,
		.efer = p->efer,
		.maxphyaddr = vmx_guest_phys_bits(),
		.gbpages = vmx_guest_has_1g_pages(),
		.read_gpa = read_gpa_cb,
		.ctx = vm,
	};
}

int gmem_translate(struct vm *vm, uint64_t gla, unsigned access, gpa_t *out, uint32_t *pf_error)
{
	struct vmx_paging p;
	struct gwalk_ctx w;

	vmx_guest_paging(&p);
	walk_setup(&w, vm, &p);

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
		if (err == -EFAULT || err == -ERANGE)
			return err; /* #PF (error code in *pf_error) / #GP for the guest */
		if (err)
			return -EIO;
		err = write ? gmem_write(vm, g, p, chunk) : gmem_read(vm, g, p, chunk);
		if (err)
			return -EIO;
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

/*
 * Instruction fetch for emulation, with a one-entry cache of the code
 * page's translation. The cache holds while CR3 and the paging controls
 * are the same and the leaf page-table entry still has the value the walk
 * saw: remapping the page (a module reloaded at the same address) changes
 * that entry and forces a new walk. Guest RAM never moves while the VM
 * exists, so the cache can keep host pointers.
 */
int gmem_fetch(struct vcpu *v, uint64_t gla, void *buf, size_t len)
{
	struct fetch_cache *c = &v->fetch;
	struct vmx_paging p;
	uint64_t page = gla & ~0xfffull, off = gla & 0xfff;
	struct gwalk_ctx w;
	uint32_t pf;
	gpa_t g;

	if (len > 0x1000 - off)
		len = 0x1000 - off; /* the caller fetches the next page itself */
	vmx_guest_paging(&p);
	if (c->page_hva && c->page == page && c->cr3 == p.cr3 && c->cr0 == p.cr0 &&
	    c->cr4 == p.cr4 && c->efer == p.efer &&
	    (c->leaf_size == 8 ? *c->leaf_hva : (uint32_t)*c->leaf_hva) == c->leaf_val) {
		memcpy(buf, c->page_hva + off, len);
		return (int)len;
	}
	walk_setup(&w, v->vm, &p);
	c->page_hva = NULL;
	c->leaf_gpa = ~0ull;
	w.leaf_gpa = &c->leaf_gpa;
	w.leaf_val = &c->leaf_val;
	if (gwalk_translate(&w, gla, GWALK_FETCH, &g, &pf))
		return -EFAULT;
	if (gmem_read(v->vm, g, buf, len))
		return -EFAULT;
	c->leaf_hva = gmem_map(v->vm, gpa(c->leaf_gpa), sizeof(uint64_t));
	if (c->leaf_gpa != ~0ull && c->leaf_hva) { /* paging on: cacheable */
		c->page_hva = gmem_map(v->vm, gpa(gpa_val(g) & ~0xfffull), 0x1000);
		c->page = page;
		c->cr3 = p.cr3;
		c->cr0 = p.cr0;
		c->cr4 = p.cr4;
		c->efer = p.efer;
		c->leaf_size = (p.cr4 & GWALK_CR4_PAE) ? 8 : 4;
	}
	return (int)len;
}
