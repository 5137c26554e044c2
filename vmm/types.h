/* SPDX-License-Identifier: MIT */
/*
 * Address types. A guest-physical address is not a host-physical one and
 * neither is a pointer: wrapping each in its own struct makes mixing them
 * a compile error. gpa(x) makes one, gpa_val(g) takes the number out.
 */
#ifndef VMM_TYPES_H
#define VMM_TYPES_H

#include <stdint.h>

typedef struct { uint64_t v; } gpa_t; /* guest-physical */
typedef struct { uint64_t v; } hpa_t; /* host-physical */

static inline gpa_t gpa(uint64_t v) { return (gpa_t){ v }; }
static inline uint64_t gpa_val(gpa_t g) { return g.v; }
static inline hpa_t hpa(uint64_t v) { return (hpa_t){ v }; }
static inline uint64_t hpa_val(hpa_t h) { return h.v; }

#endif
