#!/bin/sh
# The layering rules of docs/architecture.md, checked on the includes:
#   boot/, arch/, drivers/ never include vmm/ (arch/ may include vmm/vmm.h:
#     the one entry point into the VMM);
#   vmm/ executes no privileged instruction (no inline asm);
#   drivers/ knows nothing of VMs (no struct vm / struct vcpu);
#   include/ (ABI) includes only include/ and standard headers;
#   boot/efi/ (a separate UEFI binary) includes only include/ and boot/efi/.
# One deliberate exception: the UEFI loader parses the boot manifest with the
# core's own parser (vmm/manifest.c and vmm/manifest_lex.c are built into
# BOOTX64.EFI), so boot/efi/loader_manifest.h includes vmm/manifest.h and
# boot/efi/loader_string.c, which gives that parser its string functions,
# includes arch/x86_64/lib/string.h. No other boot/efi/ file may.
# Prints "PASS: check.layers" or one FAIL line per broken rule.
cd "$(dirname "$0")/.."
fail=0
bad() { echo "FAIL: check.layers: $1"; fail=1; }

efi_exceptions='^boot/efi/loader_manifest\.h:[0-9]*:#include "vmm/manifest\.h"|^boot/efi/loader_string\.c:[0-9]*:#include "arch/x86_64/lib/string\.h"'

hits=$(grep -rn '#include "vmm/' boot arch drivers 2>/dev/null |
	grep -v '^arch/x86_64/[a-z0-9_]*\.c:[0-9]*:#include "vmm/vmm.h"' |
	grep -Ev "$efi_exceptions")
[ -n "$hits" ] && bad "lower layer includes vmm/: $(echo "$hits" | head -3 | tr '\n' ' ')"

hits=$(grep -rnE '\basm\b|__asm__' vmm 2>/dev/null)
[ -n "$hits" ] && bad "vmm/ executes instructions itself: $(echo "$hits" | head -3 | tr '\n' ' ')"

hits=$(grep -rnE 'struct (vm|vcpu)\b' drivers 2>/dev/null)
[ -n "$hits" ] && bad "drivers/ knows about VMs: $(echo "$hits" | head -3 | tr '\n' ' ')"

hits=$(grep -rn '#include "' include 2>/dev/null | grep -v '#include "include/')
[ -n "$hits" ] && bad "include/ reaches outside the ABI: $(echo "$hits" | head -3 | tr '\n' ' ')"

hits=$(grep -rn '#include "' boot/efi 2>/dev/null | grep -vE '#include "(include|boot/efi)/' |
	grep -Ev "$efi_exceptions")
[ -n "$hits" ] && bad "boot/efi/ includes core code: $(echo "$hits" | head -3 | tr '\n' ' ')"

[ $fail = 0 ] && echo "PASS: check.layers"
exit $fail
