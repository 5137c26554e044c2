# Test guests: freestanding, loaded by Basalt as boot modules.
#   modes.bin: flat, starts in real mode at 0x8000
#   the others: flat 64-bit, linked at 0x100000, started in long mode
GUEST_CFLAGS := -std=gnu11 -O2 -g $(WARN) -Wno-missing-prototypes -I. -ffreestanding \
	-fno-builtin -nostdlib -fno-pie -fno-pic -fno-stack-protector -mno-red-zone \
	-mno-sse -mno-mmx -mno-80387 -fcf-protection=none -fno-asynchronous-unwind-tables
GUEST_LIB := guest-images/lib/start64.S guest-images/lib/trap.S guest-images/lib/guest.c
GUEST_C := cpuid pio msr vmcall mmio irq triple bench spin halt printer idle smp lapic acpi platform
GUEST_BINS := $(patsubst %,$(BUILD)/guests/%.bin,$(GUEST_C) modes badmem-read badmem-write badmem-exec badmem-deliver \
	reset-kbd reset-cf9) \
	$(BUILD)/guests/mb32.elf

$(BUILD)/guests/%.elf: guest-images/%.c $(GUEST_LIB) guest-images/lib/guest.h | deps
	@mkdir -p $(dir $@)
	@echo "  GUEST   $@"
	$(Q)$(CC) $(GUEST_CFLAGS) -static -no-pie -Wl,-T,guest-images/lib/guest.ld,--build-id=none -Wl,-z,noexecstack \
		-Wl,--no-warn-rwx-segments -o $@ $(GUEST_LIB) $<

$(BUILD)/guests/badmem-%.elf: guest-images/badmem.c $(GUEST_LIB) guest-images/lib/guest.h | deps
	@mkdir -p $(dir $@)
	@echo "  GUEST   $@"
	$(Q)$(CC) $(GUEST_CFLAGS) -DBADMEM_MODE=$(if $(filter read,$*),0,$(if $(filter write,$*),1,$(if $(filter exec,$*),2,3))) \
		-static -no-pie -Wl,-T,guest-images/lib/guest.ld,--build-id=none -Wl,-z,noexecstack \
		-Wl,--no-warn-rwx-segments -o $@ $(GUEST_LIB) $<

$(BUILD)/guests/reset-%.elf: guest-images/reset.c $(GUEST_LIB) guest-images/lib/guest.h | deps
	@mkdir -p $(dir $@)
	@echo "  GUEST   $@"
	$(Q)$(CC) $(GUEST_CFLAGS) -DRESET_MODE=$(if $(filter kbd,$*),0,1) \
		-static -no-pie -Wl,-T,guest-images/lib/guest.ld,--build-id=none -Wl,-z,noexecstack \
		-Wl,--no-warn-rwx-segments -o $@ $(GUEST_LIB) $<

$(BUILD)/guests/modes.elf: guest-images/modes.S | deps
	@mkdir -p $(dir $@)
	@echo "  GUEST   $@"
	$(Q)$(CC) -nostdlib -static -no-pie -Wl,-Ttext=0x8000,--build-id=none,-e,_start \
		-Wl,-z,noexecstack -Wl,--no-warn-rwx-segments -o $@ $<

# mb32.elf stays an ELF: it is loaded by Basalt's multiboot loader
$(BUILD)/guests/mb32.elf: guest-images/mb32.S guest-images/lib/mb32.ld | deps
	@mkdir -p $(dir $@)
	@echo "  GUEST   $@"
	$(Q)$(CC) -m32 -nostdlib -static -no-pie -Wl,-T,guest-images/lib/mb32.ld,--build-id=none \
		-Wl,-z,noexecstack -Wl,--no-warn-rwx-segments -o $@ $<

$(BUILD)/guests/%.bin: $(BUILD)/guests/%.elf
	$(Q)$(OBJCOPY) -O binary $< $@

guests: $(GUEST_BINS)
.PRECIOUS: $(BUILD)/guests/%.elf
.PRECIOUS: $(BUILD)/guests/badmem-%.elf
.PRECIOUS: $(BUILD)/guests/reset-%.elf
