/* SPDX-License-Identifier: MIT */
/*
 * Basalt's hypercall ABI, for guests.
 *
 * VMCALL with the call number in RAX and arguments in RDI, RSI, RDX (all
 * modes; in 32-bit and 16-bit code the low halves). The result comes back
 * in RAX: 0 or a positive value on success, a negative errno on failure.
 * Only CPL 0 may call; elsewhere VMCALL raises #UD, as on bare metal.
 * Unknown numbers return -ENOSYS (-38).
 *
 *  number               RDI              RSI         RDX      result
 *  HC_CONSOLE_WRITE     guest-phys buf   length      -        bytes written
 *  HC_TEST_VERDICT      0 pass, 1 fail   gpa of name -        0
 *  HC_POWEROFF          exit code        -           -        (does not return)
 *  HC_NOP               -                -           -        0 (benchmarks)
 *
 * HC_CONSOLE_WRITE takes at most HC_CONSOLE_MAX bytes per call.
 * HC_TEST_VERDICT prints "<vm>: PASS: <name>" or "<vm>: FAIL: <name>" on
 * the host console; name is NUL-terminated, at most 127 bytes.
 */
#ifndef BASALT_HYPERCALL_H
#define BASALT_HYPERCALL_H

#define HC_NOP           0
#define HC_CONSOLE_WRITE 1
#define HC_TEST_VERDICT  2
#define HC_POWEROFF      3

#define HC_CONSOLE_MAX   4096
#define HC_NAME_MAX      128

#endif
