# Basalt: a bare-metal VT-x hypervisor. One Makefile, out-of-tree build/.
#
#   make            build everything (core, UEFI loader, ISO, USB image)
#   make run        boot Basalt in Bochs (VMX-capable CPU) on this console
#   make test       every test; ends with "N passed, N failed"
#   make unit       host unit tests only (ASan/UBSan)
#
# Every entry point installs missing Debian packages first (scripts/deps.sh).

BUILD   ?= build
CC      := gcc
LD      := ld
OBJCOPY := objcopy
HOSTCC  ?= gcc
V       ?= 0
Q       := $(if $(filter 1,$(V)),,@)

WARN := -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
	-Wshadow -Wundef -Wpointer-arith -Wvla -Wno-unused-parameter

# --- the core --------------------------------------------------------------
CORE_CFLAGS := -std=gnu11 -O2 -g $(WARN) -I. \
	-ffreestanding -fno-builtin -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-fno-pie -fno-pic -fno-stack-protector -fno-omit-frame-pointer -fno-strict-aliasing \
	-fno-asynchronous-unwind-tables -fcf-protection=none \
	-mno-red-zone -mno-sse -mno-sse2 -mno-mmx -mno-avx -mno-80387 -mcmodel=small \
	-ffunction-sections -fdata-sections -MMD -MP
CORE_ASFLAGS := -I. -D__ASSEMBLY__ -MMD -MP
CORE_LDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack --gc-sections \
	--no-warn-rwx-segments

CORE_SRCS := $(wildcard boot/*.c boot/*.S arch/x86_64/*.c arch/x86_64/*.S \
	arch/x86_64/lib/*.c drivers/*.c vmm/*.c vmm/dev/*.c)
CORE_OBJS := $(patsubst %,$(BUILD)/core/%.o,$(CORE_SRCS))

.PHONY: all core guests deps run test unit bench clean check-layers linux
all: core guests $(BUILD)/BOOTX64.EFI $(BUILD)/basalt.iso $(BUILD)/basalt-usb.img $(BUILD)/basalt-check

core: $(BUILD)/basalt.elf

deps:
	@scripts/deps.sh

$(BUILD)/core/%.c.o: %.c | deps
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CORE_CFLAGS) -c $< -o $@

$(BUILD)/core/%.S.o: %.S | deps
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(CORE_ASFLAGS) -c $< -o $@

$(BUILD)/basalt.elf: $(CORE_OBJS) linker.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(CORE_LDFLAGS) -T linker.ld -Map=$(BUILD)/basalt.map -o $@ $(CORE_OBJS)
	@scripts/check-wx.sh $@

# --- boot media --------------------------------------------------------------
-include boot/efi/efi.mk
include guest-images/guests.mk

$(BUILD)/basalt.iso: $(BUILD)/basalt.elf scripts/mkiso.sh
	scripts/mkiso.sh $@ $(BUILD)/basalt.elf

# --- host tools -----------------------------------------------------------------
# basalt-check: the core's manifest parser and validator on the host (docs/manifest.md).
MANIFEST_SRCS := vmm/manifest.c vmm/manifest_lex.c vmm/manifest_validate.c drivers/fmt.c

$(BUILD)/basalt-check: scripts/basalt-check.c $(MANIFEST_SRCS) vmm/manifest.h vmm/manifest_lex.h \
		include/basalt/limits.h include/basalt/testdev.h | deps
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) -std=gnu11 -O2 $(WARN) -I. -DHOST_TEST -o $@ scripts/basalt-check.c $(MANIFEST_SRCS)

# --- host unit tests (ASan + UBSan) ---------------------------------------------
UNIT_CFLAGS := -std=gnu11 -g -O1 $(WARN) -Wno-missing-prototypes -I. -DHOST_TEST \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRCS))

$(BUILD)/unit/host.o: tests/unit/host.c tests/unit/unit.h | deps
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/unit/%: tests/unit/%.c $(BUILD)/unit/host.o | deps
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -MMD -MP -MT $@ -o $@ $< $(BUILD)/unit/host.o

unit: $(UNIT_BINS)
	@scripts/test.sh --unit-only

# --- fuzz targets (libFuzzer + ASan/UBSan) ------------------------------------
# Each tests/fuzz/fuzz_*.c is one target, linked with tests/fuzz/fuzz_host.c
# (weak console and panic stubs). scripts/fuzz-smoke.sh runs one for
# FUZZ_SECONDS; scripts/test.sh runs every built one.
FUZZ_CC     := clang
FUZZ_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -DHOST_TEST -I. \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_SRCS := $(filter-out tests/fuzz/fuzz_host.c,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))

.PHONY: fuzz
fuzz: $(FUZZ_BINS)

$(BUILD)/fuzz/fuzz_host.o: tests/fuzz/fuzz_host.c | deps
	@mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/fuzz/%: tests/fuzz/%.c $(BUILD)/fuzz/fuzz_host.o | deps
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $<"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -MT $@ -MF $@.d -o $@ $< $(BUILD)/fuzz/fuzz_host.o

# --- checks and test entry points ----------------------------------------------
check-layers:
	@scripts/check-layers.sh

# The demo: the guests of docs/examples/demo.manifest, two CPUs, console here.
run: all
	scripts/mkimage.sh docs/examples/demo.manifest --root $(BUILD) --out $(BUILD)/demo.iso
	scripts/run-bochs.sh --iso $(BUILD)/demo.iso --cpus 2 --console --timeout 300 \
		--until '^BASALT-DONE'

# The Linux guest (kernel + initramfs), cached under build/linux (slow the first time).
linux: | deps
	@guest-images/linux/build.sh

test: all linux $(UNIT_BINS) $(FUZZ_BINS)
	@scripts/test.sh

bench: all linux
	@scripts/bench.sh

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -path $(BUILD)/linux -prune -o -name '*.d' -type f -print 2>/dev/null)
