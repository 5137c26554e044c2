# The UEFI loader (BOOTX64.EFI, gnu-efi) and the USB image. Included by the
# top Makefile, which defines BUILD, CC, LD, OBJCOPY, WARN, Q and the deps target.
#
#   make build/BOOTX64.EFI            the loader (objects under build/efi/)
#   make build/basalt-usb.img         dd-able USB image: MBR + FAT32 ESP
#   make build/efi/stub-core.elf      a tiny stand-in core for the loader tests
#
#   USB_CMDLINE="..."                 core command line in the image's loader.cfg
#   USB_MODULES="a.bin b.bin"         extra files, loaded as boot modules
#   EFI_DEBUG=1                       the loader also prints the whole memory map

EFI_INC  := /usr/include/efi
EFI_LIB  := /usr/lib
EFI_LDS  := $(EFI_LIB)/elf_x86_64_efi.lds
EFI_CRT0 := $(EFI_LIB)/crt0-efi-x86_64.o

# gnu-efi headers are -isystem, so $(WARN) applies to our code only.
EFI_CFLAGS := -std=gnu11 -O2 $(WARN) -I. -isystem $(EFI_INC) -isystem $(EFI_INC)/x86_64 \
	-ffreestanding -fpic -fshort-wchar -fno-stack-protector -fno-strict-aliasing \
	-fno-asynchronous-unwind-tables -fcf-protection=none \
	-mno-red-zone -maccumulate-outgoing-args -mno-sse -mno-mmx -mno-80387 \
	-DGNU_EFI_USE_MS_ABI -MMD -MP $(if $(EFI_DEBUG),-DLOADER_DEBUG)
EFI_LDFLAGS := -nostdlib -shared -Bsymbolic -znocombreloc --no-undefined \
	-T $(EFI_LDS) -L$(EFI_LIB)
EFI_SECTIONS := -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela \
	-j '.rel.*' -j '.rela.*' -j .reloc

EFI_SRCS := $(wildcard boot/efi/*.c)
EFI_OBJS := $(patsubst boot/efi/%.c,$(BUILD)/efi/%.o,$(EFI_SRCS))

# The core's manifest parser, built into the loader too (boot/efi/loader_manifest.h).
# It calls fmt_snprintf (drivers/fmt.c) and memcmp/strlen (boot/efi/loader_string.c);
# memcpy/memset come from libefi.
EFI_CORE_SRCS := vmm/manifest.c vmm/manifest_lex.c drivers/fmt.c
EFI_OBJS += $(patsubst %.c,$(BUILD)/efi/core/%.o,$(EFI_CORE_SRCS))

# Objects rebuild when the flags change (EFI_DEBUG=1 and back).
EFI_FLAGS_FILE := $(BUILD)/efi/cflags.txt
.PHONY: efi-flags-check
efi-flags-check:
$(EFI_FLAGS_FILE): efi-flags-check
	@mkdir -p $(dir $@)
	@echo '$(EFI_CFLAGS)' | cmp -s - $@ || echo '$(EFI_CFLAGS)' >$@

$(BUILD)/efi/%.o: boot/efi/%.c $(EFI_FLAGS_FILE) | deps
	@mkdir -p $(dir $@)
	@echo "  EFICC   $<"
	$(Q)$(CC) $(EFI_CFLAGS) -c $< -o $@

$(BUILD)/efi/core/%.o: %.c $(EFI_FLAGS_FILE) | deps
	@mkdir -p $(dir $@)
	@echo "  EFICC   $<"
	$(Q)$(CC) $(EFI_CFLAGS) -c $< -o $@

$(BUILD)/efi/loader.so: $(EFI_OBJS) $(EFI_LDS) $(EFI_CRT0)
	@echo "  EFILD   $@"
	$(Q)$(LD) $(EFI_LDFLAGS) $(EFI_CRT0) $(EFI_OBJS) -o $@ -lefi -lgnuefi

$(BUILD)/BOOTX64.EFI: $(BUILD)/efi/loader.so
	@echo "  PE32+   $@"
	$(Q)$(OBJCOPY) $(EFI_SECTIONS) --target=efi-app-x86_64 --subsystem=10 $< $@

# --- the USB image -----------------------------------------------------------------
USB_CMDLINE ?= loglevel=info
USB_MODULES ?=

$(BUILD)/basalt-usb.img: $(BUILD)/BOOTX64.EFI $(BUILD)/basalt.elf scripts/mkusb.sh $(USB_MODULES)
	@echo "  MKUSB   $@"
	$(Q)scripts/mkusb.sh --cmdline "$(USB_CMDLINE)" $@ $(BUILD)/BOOTX64.EFI \
		$(BUILD)/basalt.elf $(USB_MODULES)

# --- a stand-in core for the loader's own tests (tests/boot/qemu-uefi-*.sh) --------
# It checks the boot_info hand-off and prints what it got on COM1. stub-core.elf
# is linked at the core's address, so the tests also show that this memory is
# free; stub-core-HEX.elf is the same code linked at 0xHEX.
STUB_CORE_ADDR ?= 0x200000
STUB_CFLAGS := -std=gnu11 -O2 $(WARN) -I. -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -fno-asynchronous-unwind-tables -fcf-protection=none \
	-mno-red-zone -mno-sse -mno-mmx -mno-80387 -MMD -MP
STUB_LDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack \
	--no-warn-rwx-segments -e stub_entry

$(BUILD)/efi/stub-core.o: tests/boot/uefi-stub-core.c | deps
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(STUB_CFLAGS) -c $< -o $@

$(BUILD)/efi/stub-core.elf: $(BUILD)/efi/stub-core.o
	@echo "  LD      $@"
	$(Q)$(LD) $(STUB_LDFLAGS) -Ttext-segment=$(STUB_CORE_ADDR) -o $@ $<

$(BUILD)/efi/stub-core-%.elf: $(BUILD)/efi/stub-core.o
	@echo "  LD      $@"
	$(Q)$(LD) $(STUB_LDFLAGS) -Ttext-segment=0x$* -o $@ $<

# 0x800000: OVMF keeps ACPI NVS at 0x806000 (tests/boot/qemu-uefi-usb-conflict.sh).
all: $(BUILD)/efi/stub-core.elf $(BUILD)/efi/stub-core-800000.elf
