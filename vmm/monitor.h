/* SPDX-License-Identifier: MIT */
/*
 * The operator's console on COM1. Keyboard input goes to one place at a
 * time: the monitor prompt or one VM. Ctrl-A is the escape key:
 *
 *   Ctrl-A m       the monitor prompt ("basalt> ")
 *   Ctrl-A 1..9    input to the n-th VM (queued for its serial port)
 *   Ctrl-A h       this help
 *   Ctrl-A Ctrl-A  a literal Ctrl-A to the focused VM
 *
 * Monitor commands: help, list, exits VM, pause VM, resume VM, stop VM,
 * restart VM, reboot, quit (leave the monitor). Boot CPU only.
 */
#ifndef VMM_MONITOR_H
#define VMM_MONITOR_H

/* Consume whatever arrived on COM1 (never blocks). */
void monitor_poll(void);

#endif
