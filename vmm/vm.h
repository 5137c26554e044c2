/* SPDX-License-Identifier: MIT */
/*
 * Virtual machines and virtual CPUs.
 *
 * A VM owns its guest RAM (host pages, zeroed before use), its EPT, its
 * I/O and MSR bitmaps, its device buses and its vCPUs. Everything a VM
 * allocated is freed by vm_destroy(). A VM that misbehaves is stopped with
 * vm_stop(); nothing a guest does can stop the hypervisor.
 */
#ifndef VMM_VM_H
#define VMM_VM_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/ept.h"
#include "arch/x86_64/vmx_vcpu.h"
#include "arch/x86_64/spinlock.h"
#include "drivers/console.h"
#include "vmm/bus.h"
#include "vmm/insn.h"
#include "vmm/types.h"
#include "vmm/vtimer.h"

#define VM_NAME_LEN   32
#define VM_MAX_VCPUS  8
#define VM_MAX_DEVS   16
#define VM_MAX_MEM    4 /* guest RAM regions */

enum vm_state { VM_CREATED, VM_RUNNING, VM_STOPPED };

/* Why a VM stopped, for its on_crash / on_poweroff policy. */
enum vm_stop_kind {
	VM_STOP_POWEROFF, /* the guest asked (hypercall, debug exit, HLT with IF=0) */
	VM_STOP_CRASH,    /* triple fault, bad access, failed entry, unhandled exit */
	VM_STOP_ADMIN,    /* the operator (monitor) */
	VM_STOP_REBOOT,   /* the guest reset its machine (keyboard controller, 0xcf9, ...) */
};

struct vm_mem {
	gpa_t gpa;
	uint64_t size;
	hpa_t hpa; /* host memory backing it, contiguous */
};

/* gmem_fetch()'s cached translation of the last code page (see gmem.c). */
struct fetch_cache {
	const uint8_t *page_hva;  /* NULL: empty */
	const uint64_t *leaf_hva; /* the leaf page-table entry */
	unsigned leaf_size;
	uint64_t page, cr0, cr3, cr4, efer;
	uint64_t leaf_gpa, leaf_val;
};

/* exit_mmio.c's last decoded instruction, reused when the bytes match. */
struct decode_cache {
	bool valid;
	unsigned mode;
	uint64_t bytes[2], mask[2]; /* the instruction's bytes, little-endian */
	struct insn in;
};

struct vcpu {
	struct vm *vm;
	unsigned id;
	struct vmx_vcpu arch;
	struct vcpu_start start;
	uint64_t exits[NR_EXIT_REASONS]; /* counts by basic exit reason */
	uint64_t exits_other;            /* reasons beyond the table */
	int pending_irq;                 /* external interrupt vector to inject, -1 none */
	union { /* before each entry, one load tells whether either needs a look */
		struct {
			volatile bool irq_check;      /* an interrupt may be deliverable */
			volatile bool timers_changed; /* a deadline moved (vtimer.h) */
		};
		volatile uint16_t attention;
	};
	struct vlapic *lapic;            /* its local APIC (vmm/dev/lapic.c), NULL: none */
	bool wait_sipi;                  /* an AP after INIT: runs only when a SIPI comes */
	bool halted_for_good;            /* HLT with interrupts off: only NMI/INIT wake it */
	struct vtimer *timers[VCPU_MAX_TIMERS]; /* fired on its CPU (vtimer.h) */
	/* Scheduling (sched.c). */
	unsigned pcpu;                   /* the physical CPU this vCPU lives on */
	int state;                       /* enum vcpu_state */
	uint64_t wake_tsc;               /* timer: raise wake_vector at this TSC, 0 off */
	int wake_vector;
	uint64_t run_ticks;              /* TSC ticks spent running it */
	uint64_t slice_end;              /* TSC: its quantum ends */
	struct vmexit last_exit;         /* the exit being handled / just handled */
	struct fetch_cache fetch;
	struct decode_cache decoded;
	/* Emulated MSR state (see exit_msr.c). */
	uint64_t mtrr_def_type, mtrr_fixed[11], mtrr_var[16], misc_enable, tsc_aux;
};

struct vm {
	char name[VM_NAME_LEN];
	unsigned id;
	enum vm_state state;
	enum vm_stop_kind stop_kind;
	int exit_code;               /* from HC_POWEROFF / debug exit */
	uint64_t first_entry_tsc;    /* its first guest instruction (0: not yet) */
	char stop_reason[96];
	unsigned nr_mem;
	struct vm_mem mem[VM_MAX_MEM];
	struct ept ept;
	uint64_t eptp;
	uint64_t msr_bitmap, io_bitmap_a, io_bitmap_b; /* host-physical pages */
	struct bus pio, mmio;
	struct vdev *pic, *ioapic;       /* interrupt controllers (irq.h), NULL: none */
	struct vdev *serial;             /* the UART taking keyboard input, NULL: none */
	unsigned nr_devs;
	struct vdev devs[VM_MAX_DEVS];
	unsigned nr_vcpus;
	struct vcpu *vcpus[VM_MAX_VCPUS];
	unsigned vcpus_queued;           /* vCPUs still in a run queue (sched.c) */
	/* guest console line being assembled */
	bool console;                /* guest console output shown on the host */
	volatile bool paused;        /* the operator paused it: not scheduled */
	char input[64];              /* keyboard input for its serial port (ring) */
	unsigned input_head, input_tail;
	struct spinlock con_lock;    /* vCPUs on several CPUs share the line */
	char con_line[160];
	unsigned con_len;
	unsigned log_budget;         /* rate limit for guest-triggered messages */
};

/* Create a stopped VM with ram_size bytes of RAM at guest-physical 0. */
struct vm *vm_create(const char *name, uint64_t ram_size);
/* Add a vCPU that starts as described. 0 or -errno. */
int vm_add_vcpu(struct vm *vm, const struct vcpu_start *start);
/*
 * Queue every vCPU on the scheduler (cpu_masks[i]: the physical CPUs vCPU i
 * may live on, 0 or cpu_masks NULL =
 * any). The VM runs until it stops; then its vCPUs leave their queues
 * (vcpus_queued drops to 0) and it may be destroyed. 0 or -errno.
 */
int vm_start(struct vm *vm, const uint64_t *cpu_masks);
/* Stop the VM (from any CPU): say why once. Its vCPUs leave within a quantum. */
void vm_stop(struct vm *vm, enum vm_stop_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void vm_destroy(struct vm *vm);

/* Log on behalf of a VM, prefixed with its name; rate-limited (guest-triggerable). */
void vm_log(struct vm *vm, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#define vm_err(vm, ...)  vm_log(vm, LOG_ERR, __VA_ARGS__)
#define vm_warn(vm, ...) vm_log(vm, LOG_WARN, __VA_ARGS__)
#define vm_info(vm, ...) vm_log(vm, LOG_INFO, __VA_ARGS__)

/*
 * Make an external interrupt with the given vector pending on vCPU 0. It is
 * injected as soon as the guest can take it (IF set, no interrupt shadow);
 * a vCPU halted with interrupts enabled wakes for it. Vectors below 32
 * are refused (those are exceptions).
 */
void vm_raise_irq(struct vm *vm, uint8_t vector);

/* The TSC when the VMM started its guests (a common time origin for tests). */
uint64_t vmm_epoch_tsc(void);

/* Queue a keyboard byte for the VM (dropped when the ring is full). */
void vm_input(struct vm *vm, char c);
/* The next queued keyboard byte, -1 none (for the VM's serial port). */
int vm_input_get(struct vm *vm);
/* Told when input arrives (implemented by vmm/dev/uart.c). */
void uart_input_ready(struct vdev *uart);

/* Guest console output (debug port, hypercall): whole lines, prefixed. */
void vm_console_putc(struct vm *vm, char c);

#endif
