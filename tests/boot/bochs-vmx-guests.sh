#!/bin/sh
# The VT-x core in Bochs, on two CPU models with different VMX capabilities
# (skylake_x: EPT 2M/1G pages and A/D bits; sandy_bridge: neither). Every
# test guest runs as its own VM in one boot; guests print verdict lines,
# which become this test's verdicts ("PASS: guest.<model>.<check>"). The
# misbehaving guests must be stopped with a reason while later guests run.
. tests/boot/lib.sh
rc=0
G=build/guests
set -- --module "$G/modes.bin" "name=modes" --module "$G/mb32.elf" "name=mb32 hello-mb"
for g in cpuid pio msr vmcall mmio irq lapic badmem-read badmem-write badmem-exec badmem-deliver triple; do
	set -- "$@" --module "$G/$g.bin" "name=$g mode=long64 load=0x100000"
done
set -- "$@" --module "$G/cpuid.bin" "name=after mode=long64 load=0x100000"

for model in ${MODELS:-corei7_skylake_x corei7_sandy_bridge_2600k}; do
	short=${model#corei7_}; short=${short%%_*}
	t_begin "vmx-guests-$short"
	iso=$(t_iso "exit=bochs" "$@")
	scripts/run-bochs.sh --iso "$iso" --cpus 2 --model "$model" --out "$T_OUT" \
		--timeout 300 --until '^BASALT-DONE|PANIC' || true
	tr -d '\r' < "$T_OUT/com1.txt" > "$T_OUT/com1.log"
	# each guest verdict line becomes one verdict of ours
	sed -n 's/^\([a-z0-9-]*\): \(PASS\|FAIL\): \(.*\)$/\2: guest.'"$short"'.\3/p' \
		"$T_OUT/com1.log"
	for g in modes mb32 cpuid pio msr vmcall mmio irq lapic; do
		t_expect "^\\[ *[0-9.]+\\] $g: stopped: (powered off by the guest \\(code 0\\))" \
			"$g powered off cleanly"
	done
	t_expect 'badmem-read: stopped: read of unmapped guest-physical 0x40000000' "stop on read outside RAM"
	t_expect 'badmem-write: stopped: write of unmapped guest-physical 0xfe000000' "stop on write to unclaimed MMIO"
	t_expect 'badmem-exec: stopped: fetch of unmapped guest-physical 0x40000000' "stop on execution outside RAM"
	t_expect 'badmem-deliver: stopped: event delivery touched memory outside RAM' \
		"stop when the CPU's own pushes reach device memory"
	t_expect 'triple: stopped: triple fault' "triple fault stops the VM"
	t_expect 'triple: error: vCPU 0: triple fault' "triple-fault report"
	t_expect '^  RIP [0-9a-f]+ RFLAGS' "register dump"
	t_expect '^  EXIT_REASON +0x0+2 ' "VMCS dump"
	t_expect '^after: PASS: cpuid.signature' "a VM after the failures still runs"
	t_expect 'vmm: all guests have stopped' "all guests ran"
	t_expect '^BASALT-DONE' "clean end"
	t_reject 'PANIC|pages not returned' "host damage"
	t_end || rc=1
done
exit $rc
