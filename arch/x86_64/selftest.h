/* SPDX-License-Identifier: MIT */
/*
 * Deliberate faults for the boot tests (selftest=NAME on the command
 * line): each must end in the exception report and a clean stop, which
 * proves the report path and the page permissions. Names: pagefault (NULL
 * read), ud (invalid opcode), wx-text (write to core text), nx-data (jump
 * into data), panic (an internal panic). Unknown names are reported.
 */
#ifndef ARCH_SELFTEST_H
#define ARCH_SELFTEST_H

void selftest_run(const char *cmdline);

#endif
