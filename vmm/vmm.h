/* SPDX-License-Identifier: MIT */
/*
 * The VMM proper: the one header through which arch code enters vmm/.
 */
#ifndef VMM_VMM_H
#define VMM_VMM_H

/*
 * Called on the boot CPU once the machine is up. Starts the guests and
 * returns when every VM has stopped; the caller then powers off.
 */
void vmm_main(void);

/* Each other CPU with VMX on, once online: its scheduler loop. Never returns. */
void __attribute__((noreturn)) vmm_ap_main(void);

#endif
