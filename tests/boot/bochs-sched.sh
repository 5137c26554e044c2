#!/bin/sh
# The scheduler in Bochs with two CPUs: three CPU-bound guests and one
# halted guest pinned to CPU 1 with a 500 us quantum. The spinners' counts
# over a common time window must each be within 5% of their mean, and the
# halted guest must take almost no CPU time (under 1% of a spinner's).
. tests/boot/lib.sh
G=build/guests
t_begin sched-fairness
set -- --module "$G/halt.bin" "name=halter mode=long64 load=0x100000 cpus=1"
for i in 1 2 3; do
	set -- "$@" --module "$G/spin.bin" "name=spin$i mode=long64 load=0x100000 cpus=1"
done
iso=$(t_iso "exit=bochs sched.quantum=500" "$@")
scripts/run-bochs.sh --iso "$iso" --cpus 2 --out "$T_OUT" --timeout 600 \
	--until '^BASALT-DONE|PANIC' || true
tr -d '\r' < "$T_OUT/com1.txt" > "$T_OUT/com1.log"
counts=$(sed -n 's/^spin[123]: count \([0-9]*\)$/\1/p' "$T_OUT/com1.log")
verdict=$(echo $counts | awk '{ n = NF; if (n != 3) { print "3 counts expected, got " n; exit }
	m = ($1 + $2 + $3) / 3; worst = 0
	for (i = 1; i <= 3; i++) { d = ($i - m) / m; if (d < 0) d = -d; if (d > worst) worst = d }
	printf "%s %.2f%%", (worst <= 0.05 ? "ok" : "unfair"), worst * 100 }')
echo "sched-fairness: counts $(echo $counts) -> max deviation ${verdict#* }" > "$T_OUT/summary.txt"
case "$verdict" in ok*) ;; *) T_FAILS="$T_FAILS; fairness: $verdict (counts $(echo $counts))" ;; esac
halt_ticks=$(sed -n 's/.*halter: vCPU 0 on cpu1 ran \([0-9]*\) ticks.*/\1/p' "$T_OUT/com1.log")
spin_ticks=$(sed -n 's/.*spin1: vCPU 0 on cpu1 ran \([0-9]*\) ticks.*/\1/p' "$T_OUT/com1.log")
if [ -z "$halt_ticks" ] || [ -z "$spin_ticks" ] || [ $((halt_ticks * 100)) -ge "$spin_ticks" ]; then
	T_FAILS="$T_FAILS; halted guest ran ${halt_ticks:-?} ticks vs spinner ${spin_ticks:-?}"
fi
echo "halted guest ran $halt_ticks ticks, a spinner $spin_ticks" >> "$T_OUT/summary.txt"
t_expect '^halter: PASS: halt.woke-by-timer' "halted guest woken by its timer"
t_expect 'vmm: cpu1: [0-9]+ vCPU switches, [0-9]+ ticks each' "switch cost reported"
t_expect '^BASALT-DONE' "clean end"
t_reject 'PANIC' "panic"
t_end
