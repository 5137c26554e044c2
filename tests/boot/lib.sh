# Shared helpers for boot tests (sourced). A boot test builds its media,
# runs one emulator, checks COM1 for expected lines and prints exactly one
# verdict line: "PASS: boot.NAME" or "FAIL: boot.NAME: what was missing".
# Run from the repository root; the Makefile has built build/ already.

T_NAME=""
T_OUT=""
T_FAILS=""

# t_begin NAME: start a test; output goes to build/test-out/NAME.
t_begin() {
	T_NAME="$1"
	T_OUT="build/test-out/$1"
	T_FAILS=""
	rm -rf "$T_OUT"
	mkdir -p "$T_OUT"
}

# t_iso CMDLINE [mkiso args...]: an ISO for this test; prints its path.
t_iso() {
	cmdline="$1"; shift
	scripts/mkiso.sh "$T_OUT/basalt.iso" build/basalt.elf --cmdline "$cmdline" "$@"
	echo "$T_OUT/basalt.iso"
}

# t_expect REGEX [WHAT]: COM1 must have a line matching REGEX.
t_expect() {
	tr -d '\r' < "$T_OUT/com1.txt" 2>/dev/null | grep -Eq -- "$1" || T_FAILS="$T_FAILS; missing: ${2:-$1}"
}

# t_reject REGEX [WHAT]: COM1 must not have a line matching REGEX.
t_reject() {
	if tr -d '\r' < "$T_OUT/com1.txt" 2>/dev/null | grep -Eq -- "$1"; then
		T_FAILS="$T_FAILS; unexpected: ${2:-$1}"
	fi
}

# t_end: print the verdict; exit status 0 on PASS.
t_end() {
	if [ -z "$T_FAILS" ]; then
		echo "PASS: boot.$T_NAME"
		return 0
	fi
	echo "FAIL: boot.$T_NAME: ${T_FAILS#; } (see $T_OUT/com1.txt)"
	return 1
}
