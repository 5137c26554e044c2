#!/bin/sh
# Linux guests under Basalt in Bochs: the minimal kernel and initramfs of
# guest-images/linux (built and cached by `make linux`), from a manifest.
# The kernel has ACPI (and PCI, which ACPICA needs), as distribution
# kernels do: CPUs from the MADT, power-off through the FADT.
#  1. one vCPU: /init runs, sees 1 CPU and its memory, powers off (ACPI S5)
#  2. two vCPUs on two physical CPUs: the guest starts its AP (INIT-SIPI),
#     on both CPU models
#  3. two Linux VMs and a small test guest share the two physical CPUs
#  4. `reboot -f` in the guest restarts the VM (on_reboot = restart)
#  5. the same kernel as an ELF vmlinux through its PVH entry
#  6. broken images (truncated, no magic, protocol 2.05, too big for the VM)
#     each stop their own VM with a message; a test guest beside them runs
. tests/boot/lib.sh
rc=0
CMDLINE="console=ttyS0,115200 io_delay=none panic=-1"

# boot NAME MANIFEST-BODY UNTIL: write the manifest, build the ISO, run Bochs
# (CPU model $MODEL, Skylake-X unless set)
boot() {
	t_begin "$1"
	{
		printf '[hypervisor]\non_all_stopped = poweroff\n\n'
		printf '%s\n' "$2"
	} > "$T_OUT/linux.manifest"
	scripts/mkimage.sh "$T_OUT/linux.manifest" --root build --out "$T_OUT/basalt.iso" \
		--cmdline "exit=bochs" > "$T_OUT/mkimage.txt" 2>&1 ||
		T_FAILS="$T_FAILS; mkimage failed: $(cat "$T_OUT/mkimage.txt")"
	scripts/run-bochs.sh --iso "$T_OUT/basalt.iso" --cpus 2 --megs 512 --out "$T_OUT" \
		--model "${MODEL:-corei7_skylake_x}" \
		--timeout 900 --until "$3" || true
	tr -d '\r' < "$T_OUT/com1.txt" > "$T_OUT/com1.log"
}

printer() { # printer CPU: the small test guest that runs beside the Linux VMs
	printf '[vm.printer]\nmemory = 4M\nkernel = "guests/printer.bin"\nformat = flat\n'
	printf 'mode = long64\nload = 0x100000\ndebugcon = true\ndebug_exit = true\n'
	printf 'testdev = true\ncpus = [%s]\n' "$1"
}

vm() { # vm NAME VCPUS CPUS [EXTRA-CMDLINE] [on_reboot] [vmlinux]
	kernel=linux/${6:-bzImage} # format = linux: an ELF vmlinux boots through its PVH note
	cat <<M
[vm.$1]
memory = 128M
vcpus = $2
cpus = $3
kernel = "$kernel"
initrd = "linux/initramfs.cpio.gz"
format = linux
cmdline = "$CMDLINE${4:+ $4}"
on_reboot = ${5:-stop}

M
}

boot linux-1vcpu "$(vm linux 1 '[1]')" '^BASALT-DONE|PANIC'
t_expect '^linux: BASALT-LINUX-INIT' "/init runs"
t_expect '^linux: cpus=1 mem_kb=1[0-9]{5}$' "the guest sees 1 CPU and its memory"
t_reject '^linux: .*(TSC calibration|Refined TSC|Detected [0-9.]+ MHz TSC)' \
	"the TSC frequency from CPUID, exact (no calibration)"
t_expect '^linux: .*ACPI: Interpreter enabled' "ACPI tables accepted (MADT, FADT, DSDT)"
t_reject '^linux: .*(ACPI Error|ACPI BIOS Error)' "no ACPI errors"
t_expect '^linux: .*x86/fpu: Enabled xstate features' "XSAVE state accepted"
t_reject '^linux: .*CPUID\[0d, ' "no XSAVE consistency problem"
t_reject '^linux: .*unchecked MSR access' "no MSR the guest relies on is missing"
t_expect 'linux: stopped: ACPI S5 power-off' \
	"clean power-off"
t_reject 'linux: (error|warning):|Kernel panic|PANIC|pages not returned' "no errors"
t_end || rc=1

boot linux-2vcpu "$(vm smp 2 '[0, 1]')" '^BASALT-DONE|PANIC'
t_expect '^smp: BASALT-LINUX-INIT' "/init runs"
t_expect '^smp: cpus=2 ' "the guest started its second CPU"
t_expect 'smp: vCPU 1 on cpu1 ' "vCPU 1 ran on physical CPU 1"
t_expect 'smp: stopped: ACPI S5 power-off' \
	"clean power-off"
t_reject 'smp: (error|warning):|Kernel panic|PANIC|pages not returned' "no errors"
t_end || rc=1

# the same on the other CPU model (no EPT A/D bits or 1G pages, no CPUID
# 0x15/0x16: Linux times its TSC against the PM timer)
MODEL=corei7_sandy_bridge_2600k
boot linux-2vcpu-sandy "$(vm smp 2 '[0, 1]')" '^BASALT-DONE|PANIC'
unset MODEL
t_expect '^smp: BASALT-LINUX-INIT' "/init runs"
t_expect '^smp: cpus=2 ' "the guest started its second CPU"
t_expect '^smp: .*tsc: Detected [0-9.]+ MHz processor' "the guest timed its TSC"
t_expect 'smp: stopped: ACPI S5 power-off' "clean power-off"
t_reject 'smp: (error|warning):|Kernel panic|PANIC|pages not returned' "no errors"
t_end || rc=1

# lb runs with acpi=off: CPUs from the MP table, and its power-off is the
# halt with interrupts disabled that Linux falls back to without ACPI
boot linux-two-vms "$(vm la 1 '[0]'; vm lb 1 '[1]' acpi=off; printer 0)" '^BASALT-DONE|PANIC'
for g in la lb; do
	t_expect "^$g: BASALT-LINUX-INIT" "$g reaches /init"
	t_expect "^$g: cpus=1 " "$g sees its CPU"
done
t_expect "la: stopped: ACPI S5 power-off" "la powers off through ACPI"
t_expect "^lb: .*MPTABLE: APIC at" "lb takes its CPUs from the MP table"
t_expect "lb: stopped: every vCPU halted with interrupts disabled" "lb powers off without ACPI"
t_expect 'printer: stopped: powered off by the guest \(code 0\)' "the test guest ran beside them"
t_reject '(la|lb|printer): (error|warning):|Kernel panic|PANIC|pages not returned' "no errors"
t_end || rc=1

boot linux-reboot "$(vm lr 1 '[1]' basalt.reboot restart)" 'lr: rebooting \(2\)|PANIC'
t_expect 'lr: stopped: reset (by|through)' "the guest's reboot stops the VM for a reset"
t_expect 'vmm: lr: rebooting \(1\)' "on_reboot = restart starts it again"
[ "$(grep -c '^lr: BASALT-LINUX-INIT' "$T_OUT/com1.log")" -ge 2 ] ||
	T_FAILS="$T_FAILS; /init did not run again after the reboot"
t_reject 'lr: (error|warning):|Kernel panic|PANIC|pages not returned' "no errors"
t_end || rc=1

boot linux-pvh "$(vm pvh 1 '[0]' '' stop vmlinux)" '^BASALT-DONE|PANIC'
t_expect 'pvh: starting \(128 MiB, pvh, initrd\)' "loaded through the PVH entry"
t_expect '^pvh: BASALT-LINUX-INIT' "/init runs"
t_expect '^pvh: cpus=1 mem_kb=1[0-9]{5}$' "the guest sees 1 CPU and its memory"
t_expect 'pvh: stopped: ACPI S5 power-off' \
	"clean power-off"
t_reject 'pvh: (error|warning):|Kernel panic|PANIC|pages not returned' "no errors"
t_end || rc=1

# broken copies of the kernel, under build/ (the image root)
bad=build/linux-bad
rm -rf "$bad" && mkdir -p "$bad"
head -c 600000 build/linux/bzImage > "$bad/truncated"
cp build/linux/bzImage "$bad/nomagic"
printf 'XXXX' | dd of="$bad/nomagic" bs=1 seek=$((0x202)) conv=notrunc 2>/dev/null
cp build/linux/bzImage "$bad/old"
printf '\005\002' | dd of="$bad/old" bs=1 seek=$((0x206)) conv=notrunc 2>/dev/null
badvm() { # badvm NAME FILE MEMORY
	printf '[vm.%s]\nmemory = %s\nkernel = "%s"\nformat = linux\ncpus = [0]\n\n' "$1" "$3" "$2"
}
boot linux-bad-images "$(badvm trunc linux-bad/truncated 64M; badvm nomagic linux-bad/nomagic 64M
badvm old linux-bad/old 64M; badvm small linux/bzImage 8M; printer 1)" '^BASALT-DONE|PANIC'
t_expect 'trunc: error: truncated: the kernel needs' "a truncated bzImage is refused"
t_expect 'nomagic: error: no "HdrS" magic at 0x202' "a bzImage without its magic is refused"
t_expect 'old: error: boot protocol 2.05 is older than 2.06' "boot protocol 2.05 is refused"
t_expect 'small: error: kernel needs RAM up to [0-9]+ MiB' "a kernel too big for its VM is refused"
t_reject '(trunc|nomagic|old|small): starting' "no broken VM starts"
t_expect 'printer: stopped: powered off by the guest \(code 0\)' "the test guest beside them runs"
t_expect '^BASALT-DONE' "clean end"
t_reject 'PANIC|pages not returned' "host damage"
t_end || rc=1
rm -rf "$bad"
exit $rc
