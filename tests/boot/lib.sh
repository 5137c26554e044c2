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

# Talking to COM1 (bash scripts only: they use /dev/tcp). Bochs serves COM1
# on a local TCP port; everything it prints is recorded in $T_OUT/com1.txt.
# com1_start ISO TIMEOUT: boot ISO in Bochs (2 CPUs) and connect (fd 3).
com1_start() {
	port=$((20000 + $$ % 20000))
	scripts/run-bochs.sh --iso "$1" --cpus 2 --out "$T_OUT" --timeout "$2" \
		--com1-socket "$port" &
	com1_bochs=$!
	for _ in $(seq 100); do
		{ exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null && break
		sleep 0.2
	done
	cat <&3 > "$T_OUT/com1.txt" &
	com1_cat=$!
}
# com1_wait REGEX SECONDS: until a COM1 line matches (status 1: it did not).
com1_wait() {
	for _ in $(seq $(($2 * 10))); do
		tr -d '\r' < "$T_OUT/com1.txt" | grep -Eq -- "$1" && return 0
		sleep 0.1
	done
	return 1
}
# com1_send TEXT: type TEXT (printf %b escapes), then give it half a second.
com1_send() { printf '%b' "$1" >&3; sleep 0.5; }
# com1_stop: end the run; Bochs itself too (timeout passes the signal on),
# or a Bochs left waiting would hold the emulator lock for the next test.
com1_stop() {
	pkill -P "$com1_bochs" 2>/dev/null
	kill "$com1_cat" "$com1_bochs" 2>/dev/null
	exec 3>&-
	wait 2>/dev/null
}
