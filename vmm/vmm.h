/* SPDX-License-Identifier: MIT */
/*
 * The VMM proper: the one entry point arch code calls into vmm/.
 */
#ifndef VMM_VMM_H
#define VMM_VMM_H

/*
 * Called on the boot CPU once the machine is up. Starts the guests and
 * returns when every VM has stopped; the caller then powers off.
 */
void vmm_main(void);

#endif
