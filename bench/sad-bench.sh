#!/bin/bash
# The SAD benchmark, run inside the stock-kernel guest by bench/run.sh (make
# bench): ksad next to the kernel's own XFRM, same boot, same SAs.  Prints a
# table; nothing here is asserted (the last line only says it ran).
. "$KSAD_TOP/tests/groups/lib.sh"
N=${KSAD_BENCH_N:-100000}
B=$KSAD_TOP/bench/ksad-bench
L=/sys/kernel/debug/ksad/lookup
K=$KSADCTL

modprobe -q esp4; modprobe -q xfrm_user
insmod "$KSAD_MODULE" || { fail "insmod the bench build of ksad"; done_testing; exit; }
ip netns add b
slab() { sync; echo 3 > /proc/sys/vm/drop_caches; awk '/^Slab:/ {printf "%.0f\n", $2 * 1024}' /proc/meminfo; }
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
# nsenter, not ip netns exec: that remounts /sys and hides debugfs.
lookup() { nsenter --net=/run/netns/b sh -c "echo '$1 1000000' > $L && cat $L"; }

# Install SAs 0..999, then 1000..N-1, on both sides; memory per phase.
declare -A t mem
for phase in "1000 0" "$((N - 1000)) 1000"; do
	set -- $phase
	s0=$(slab); t0=$(date +%s%N)
	n b "$B" add "$1" "$2" > /dev/null
	t[ksad]=$(( ${t[ksad]:-0} + $(ms $t0) )); s1=$(slab)
	mem[ksad]=$(( ${mem[ksad]:-0} + s1 - s0 ))
	"$B" xfrm-batch "$1" "$2" "$TMPDIR/x.batch"
	s0=$(slab); t0=$(date +%s%N)
	n b ip -batch "$TMPDIR/x.batch"
	t[xfrm]=$(( ${t[xfrm]:-0} + $(ms $t0) )); s1=$(slab)
	mem[xfrm]=$(( ${mem[xfrm]:-0} + s1 - s0 ))
	[ "$2" = 0 ] && small=$(lookup 1000)
done
big=$(lookup "$N")
count_k=$(n b "$K" config | grep -o 'sa-count [0-9]*')
count_x=$(n b ip xfrm state count | grep -o '[0-9]*$')
n b "$K" sa flush; n b ip xfrm state flush

n b "$K" config larval-timeout 3600 > /dev/null
# Per namespace: XFRM larval (ACQ) states must outlive the fill, as ours do.
n b sysctl -qw net.core.xfrm_acq_expires=3600
# ksad in the full 65,536-SPI range; both in a 4,096-SPI range, because
# Debian's 6.1.192 XFRM (the 2025 ALLOCSPI change) walks every state for
# every random probe: O(n^2) to fill a range, hours at 65,536 under TCG.
read -r gk0 gk99 gkl gkls gkf gkfs <<< "$(n b "$B" getspi ksad)"
n b "$K" sa flush
read -r sk0 sk99 skl skls skf skfs <<< "$(n b "$B" getspi ksad 4096 10)"
read -r sx0 sx99 sxl sxls sxf sxfs <<< "$(n b "$B" getspi xfrm 4096 10)"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
rate() { awk -v n="$1" -v ms="$2" 'BEGIN { printf "%.0f", n * 1000 / ms }'; }
row() { printf '%-38s %14s %14s %10s\n' "$1" "$2" "$3" "$(ratio "$2" "$3")"; }
set -- $small; lk1=$2 lx1=$4
set -- $big; lkn=$2 lxn=$4 fk=$6 fx=$7

echo
echo "ksad SAD benchmark: $(uname -r) under QEMU/TCG, $(nproc) vCPUs, one boot"
echo "($count_k in ksad, $count_x in XFRM; lookups found $fk / $fx of 1,000,000)"
printf '%-38s %14s %14s %10s\n' "" "ksad" "XFRM" "ksad/XFRM"
row "install $N SAs (SAs/s, higher better)" "$(rate "$N" "${t[ksad]}")" "$(rate "$N" "${t[xfrm]}")"
row "lookup, 1,000 SAs (ns)" "$lk1" "$lx1"
row "lookup, $N SAs (ns)" "$lkn" "$lxn"
row "memory per SA (slab bytes)" "$(( mem[ksad] / N ))" "$(( mem[xfrm] / N ))"
row "GETSPI, 4,096 range, 0% full (us)" "$sk0" "$sx0"
row "GETSPI, 4,096 range, 99% full (us)" "$sk99" "$sx99"
row "GETSPI, last free SPI (us)" "$skl" "$sxl"
printf '%-38s %14s %14s\n' "  ... was the last SPI found?" "$skls" "$sxls"
row "GETSPI, range full (us, mean of 10)" "$skf" "$sxf"
printf '%-38s %14s %14s\n' "  ... refused" "$skfs" "$sxfs"
printf '%-38s %14s\n' "GETSPI, 65,536 range, 0% full (us)" "$gk0"
printf '%-38s %14s\n' "GETSPI, 65,536 range, 99% full (us)" "$gk99"
printf '%-38s %14s  (%s)\n' "GETSPI, 65,536, last free SPI (us)" "$gkl" "$gkls"
printf '%-38s %14s  (%s)\n' "GETSPI, 65,536, range full (us)" "$gkf" "$gkfs"
echo "(XFRM: ip -batch 'xfrm state add' for installs, ALLOCSPI for GETSPI,"
echo " xfrm_state_lookup() for lookups; ksad: its netlink ADD, GETSPI and RCU lookup)"
echo
pass "benchmark ran"
ip netns delete b
rmmod ksad
done_testing
