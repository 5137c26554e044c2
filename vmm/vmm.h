/* SPDX-License-Identifier: MIT */
/*
 * The VMM proper: the one header through which arch code enters vmm/.
 */
#ifndef VMM_VMM_H
#define VMM_VMM_H

/* What to do once every VM has stopped (the manifest's on_all_stopped). */
enum vmm_done {
	VMM_DONE_DEFAULT,  /* as the kernel command line says (on_done=) */
	VMM_DONE_HALT,
	VMM_DONE_POWEROFF,
	VMM_DONE_REBOOT,
};

/*
 * Called on the boot CPU once the machine is up. Starts the guests (from
 * the boot manifest, a module named *.manifest, or else one guest per
 * module) and returns when every VM has stopped, or at once when the
 * manifest is invalid (nothing started).
 */
enum vmm_done vmm_main(void);

/* Each other CPU with VMX on, once online: its scheduler loop. Never returns. */
void __attribute__((noreturn)) vmm_ap_main(void);

#endif
