#!/bin/bash
# The benchmark: ksad next to the kernel's own XFRM in one boot, on the same
# SAs, keys and sizes.  Every figure is the median of KSAD_BENCH_RUNS runs
# (5) with the smallest and largest beside it; ksad and XFRM take turns in
# each run, the one that goes first alternating (AB BA AB...).  `make
# bench` runs this script in its guests (Debian's stock kernel under
# QEMU/TCG, and the native UML engine); a person runs it the same way as
# root on a Debian machine:
#
#   make module KBUILD_FLAGS=KSAD_BENCH=y userspace && make -C bench
#   insmod build/$(uname -r)/ksad.ko        (or let KSAD_MODULE= say which)
#   bench/bench.sh [PART...]
#
# PARTS (default all): profile multicore tcp esp udp families sad lookup
# getspi policy.  It prints the tables and writes results-ENGINE.csv (one line a
# measurement), results-ENGINE.json (the tables) and profile files to
# KSAD_BENCH_OUT ($KSAD_OUT in the lab, else ./bench-out).  Nothing is
# asserted: a benchmark measures; the lab counts one line, that it ran.
#
# It makes network namespaces "a" and "b" (a veth pair between them) and
# leaves the host's own SAs, policies and links alone.  The in-kernel rows
# (esp, lookup, policy) need the KSAD_BENCH=y build's debugfs hooks; without
# them those parts say so and are left out.
#
# Environment: KSAD_BENCH_RUNS (5), KSAD_BENCH_SECS (5: seconds of a TCP
# run), KSAD_BENCH_UDP_SECS (2), KSAD_BENCH_N (100000: the lookup ladder's
# last step), KSAD_BENCH_PKTS (20000: packets of an in-kernel ESP run),
# KSAD_BENCH_LOOKUPS (200000), KSAD_BENCH_SPI_RANGE (1024), KSAD_BENCH_SIMD
# (1; 0: without the CPU's crypto drivers, in a boot that has not loaded them),
# KSAD_BENCH_PARTS (a,b,c: the parts, if none are named), KSAD_BENCH_ENGINE (the engine's name: uml, qemu-tcg (this lab runs QEMU
# without KVM), else native), KSAD_BENCH_COMMIT (the commit, for the table).
set -u
KSAD_TOP=${KSAD_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
. "$KSAD_TOP/tests/groups/lib.sh"
. "$KSAD_TOP/tests/groups/datapath-lib.sh"
K=$KSADCTL
B=$KSAD_TOP/bench/ksad-bench
D=/sys/kernel/debug/ksad
RUNS=${KSAD_BENCH_RUNS:-5}
SECS=${KSAD_BENCH_SECS:-5}
USECS=${KSAD_BENCH_UDP_SECS:-2}
N=${KSAD_BENCH_N:-100000}
PKTS=${KSAD_BENCH_PKTS:-20000}
LOOKUPS=${KSAD_BENCH_LOOKUPS:-200000}
SPIS=${KSAD_BENCH_SPI_RANGE:-1024}
case "$(uname -r)" in
*-ksad-uml*) engine=uml ;;
*) grep -qs QEMU /sys/class/dmi/id/sys_vendor && engine=qemu-tcg || engine=native ;;
esac
ENGINE=${KSAD_BENCH_ENGINE:-$engine}
OUT=${KSAD_BENCH_OUT:-${KSAD_OUT:-$PWD/bench-out}}
KREL=$(uname -r)
CSV=$OUT/results-$ENGINE.csv
NOTES=$OUT/notes-$ENGINE.txt
PARTS=("$@")
[ ${#PARTS[@]} -gt 0 ] || [ -z "${KSAD_BENCH_PARTS:-}" ] || IFS=, read -r -a PARTS <<< "$KSAD_BENCH_PARTS"
[ ${#PARTS[@]} -gt 0 ] || PARTS=(profile multicore tcp esp udp families sad lookup getspi policy)

say() { echo "# $*" >&2; }
[ "$(id -u)" = 0 ] || { echo "bench.sh: run as root" >&2; exit 1; }
for f in "$K" "$B"; do
	[ -x "$f" ] || { echo "bench.sh: $f is not built (make userspace; make -C bench)" >&2; exit 1; }
done
mkdir -p "$OUT"
: > "$NOTES"
echo "engine,kernel,part,metric,x,stack,run,value,unit" > "$CSV"

# The CPU's crypto drivers, as udev loads them on a real boot (AES-NI's
# AEADs are asynchronous, behind a SIMD wrapper that may hand a request to
# cryptd); KSAD_BENCH_SIMD=0 leaves them out: generic C, synchronous.
for m in esp4 esp6 xfrm_user veth; do modprobe -q $m 2>/dev/null; done
if [ "${KSAD_BENCH_SIMD:-1}" = 1 ]; then
	for m in aesni_intel ghash_clmulni_intel chacha_x86_64 poly1305_x86_64; do
		modprobe -q $m 2>/dev/null
	done
fi
if ! [ -d /sys/module/ksad ]; then
	[ -n "${KSAD_MODULE:-}" ] && insmod "$KSAD_MODULE" ||
		{ echo "bench.sh: ksad is not loaded (KSAD_MODULE=path/ksad.ko to load it)" >&2; exit 1; }
fi
hooks=0
[ -w $D/esp ] && hooks=1

# rec PART METRIC X STACK RUN VALUE UNIT: one measurement (a failed one is
# recorded empty: no median counts it)
rec() { echo "$ENGINE,$KREL,$1,$2,$3,$4,$5,$6,$7" >> "$CSV"; }
# frac A/B: A divided by B, two decimals
frac() { awk -v f="$1" 'BEGIN { split(f, a, "/"); printf "%.2f", a[2] ? a[1] / a[2] : 0 }'; }
# note PART TEXT: printed under the part's table
note() { printf '%s\t%s\n' "$1" "$2" >> "$NOTES"; say "$1: $2"; }
# the order of a run's turns: ksad first in odd runs, XFRM in even ones
turns() { if [ $(($1 % 2)) = 1 ]; then echo ksad xfrm; else echo xfrm ksad; fi; }

# A debugfs hook in namespace b (nsenter: `ip netns exec` remounts /sys).
hook() { nsenter --net=/run/netns/b sh -c "echo '$2' > $D/$1 && cat $D/$1"; }

slab() { sync; echo 3 > /proc/sys/vm/drop_caches; awk '/^Slab:/ { print $2 * 1024 }' /proc/meminfo; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# Which AEADs a stack took (ESP's transforms are AEADs in both): the
# reference counts of /proc/crypto's AEAD instances before and after it
# keyed, "driver (async yes|no)" for each that went up.
crypto_refs() {
	awk -F' *: ' '/^driver/ { d = $2 } /^refcnt/ { r = $2 } /^type/ { t = $2 } /^async/ { a = $2 }
		/^$/ { if (t == "aead") print d, r, a; d = r = t = a = "" }' /proc/crypto | sort
}
crypto_used() {	# BEFORE-FILE (an instance made since counts from 0)
	crypto_refs | awk 'NR == FNR { was[$1] = $2; next }
		$2 > was[$1] + 0 { printf "%s%s (async %s)", s, $1, $3; s = ", " }' "$1" -
}

# ---------------------------------------------------------------- the SAD
flush_b() { n b "$K" sa flush; n b ip xfrm state flush; }

sad_part() {	# install rate and slab per SA, 10,000 SAs a run
	local r s m=10000 t0 s0
	# SAs/s of what was installed since t0
	rate() { awk -v n=$m -v ms=$(( $(now_ms) - t0 )) 'BEGIN { printf "%.0f", n * 1000 / (ms ? ms : 1) }'; }
	for r in $(seq "$RUNS"); do
		for s in $(turns "$r"); do
			flush_b
			# the same binary requests, one at a time with an ACK each
			s0=$(slab); t0=$(now_ms)
			if [ $s = ksad ]; then
				n b "$B" add $m 0 > /dev/null
			else
				n b "$B" xfrm-add $m 0 > /dev/null
			fi
			rec sad install $m $s "$r" "$(rate)" SAs/s
			rec sad memory $m $s "$r" $(( ($(slab) - s0) / m )) bytes
			[ $s = xfrm ] || continue
			# how a person installs them: ip parses `xfrm state add` lines
			flush_b
			"$B" xfrm-batch $m 0 "$TMPDIR/x.batch"
			t0=$(now_ms)
			n b ip -batch "$TMPDIR/x.batch"
			rec sad install-ip $m xfrm "$r" "$(rate)" SAs/s
		done
	done
	flush_b
}

lookup_part() {	# lookup by (SPI, destination, protocol) as the table grows
	[ $hooks = 1 ] || { note lookup "left out: needs the KSAD_BENCH=y build"; return; }
	local have=0 step r k x fk fx nb nest rh h c ko kc kb kl xc xb xl xo
	flush_b
	for step in 1000 10000 100000 1000000; do
		[ $step -le "$N" ] || break
		n b "$B" add $((step - have)) $have > /dev/null
		"$B" xfrm-batch $((step - have)) $have "$TMPDIR/x.batch"
		n b ip -batch "$TMPDIR/x.batch"
		have=$step xo=
		for r in $(seq "$RUNS"); do
			read -r _ k _ x _ fk fx _ nb _ nest _ rh _ h _ <<< "$(hook lookup "$step $LOOKUPS")"
			[ -n "${h:-}" ] || { note lookup "run $r at $step SAs: the hook failed"; continue; }
			rec lookup ns $step ksad "$r" "$k" ns
			rec lookup ns $step xfrm "$r" "$x" ns
			rec lookup hash $step ksad "$r" "$h" ns
			# the same footprint without a table: one random load
			read -r _ c _ ko _ kc _ kb _ kl _ xc _ xb _ xl _ xo _ <<< \
				"$(hook lookupmem "$step $LOOKUPS")"
			[ -n "${xo:-}" ] || { note lookup "run $r at $step SAs: the memory hook failed"; continue; }
			rec lookup chase $step ksad "$r" "$c" ns
		done
		[ -z "${xo:-}" ] || [ "${kc#*/} ${xc#*/}" = "$step $step" ] ||
			note lookup "at $step SAs the walks met ${kc#*/} (ksad) and ${xc#*/} (XFRM) entries"
		[ -z "${xo:-}" ] || note lookup "at $step SAs a lookup that finds its SA compares $(frac "$kc") entries in ksad's table ($kb buckets), $(frac "$xc") in XFRM's by-SPI table ($xb buckets); of the SA it finds it reads $kl cache line(s) in ksad (an SA: $ko bytes from kmalloc), $xl in XFRM (an xfrm_state: $xo bytes)"
		note lookup "at $step SAs ksad's table has $nb buckets$([ "$nest" = 0 ] || echo ", nested ($nest)")$([ "$rh" = 0 ] || echo ", rehashing")"
		[ "$fk" = "$LOOKUPS" ] && [ "$fx" = "$LOOKUPS" ] ||
			note lookup "at $step SAs only $fk (ksad) and $fx (XFRM) of $LOOKUPS lookups found their SA"
	done
	note lookup "$(n b "$K" config | grep -o 'sa-count [0-9]*') in ksad, $(n b ip xfrm state count | grep -o '[0-9]*$') in XFRM at the last step; the hook times ksad and XFRM in turn"
	flush_b
}

getspi_part() {	# GETSPI (XFRM: ALLOCSPI) in a range of $SPIS SPIs
	local r s v0 v99 vl vls vf vmiss
	n b "$K" config larval-timeout 3600 > /dev/null
	n b sysctl -qw net.core.xfrm_acq_expires=3600
	for r in $(seq "$RUNS"); do
		for s in $(turns "$r"); do
			flush_b
			read -r v0 v99 vl vls vf _ vmiss <<< "$(n b "$B" getspi $s "$SPIS" 5)"
			rec getspi 0% $SPIS $s "$r" "$v0" us
			rec getspi 99% $SPIS $s "$r" "$v99" us
			rec getspi last $SPIS $s "$r" "$vl" us
			rec getspi full $SPIS $s "$r" "$vf" us
			[ "$vls" = found ] || note getspi "run $r: $s missed the last free SPI"
			[ "${vmiss:-0}" = 0 ] || note getspi "run $r: $s refused $vmiss requests while SPIs were free"
		done
		flush_b
		read -r v0 v99 vl vls vf _ <<< "$(n b "$B" getspi ksad 65536 5)"
		rec getspi 0% 65536 ksad "$r" "$v0" us
		rec getspi 99% 65536 ksad "$r" "$v99" us
		rec getspi last 65536 ksad "$r" "$vl" us
	done
	flush_b
}

# ----------------------------------------------------------- the datapath
S_A=10.0.0.1/32 S_B=10.0.0.2/32
flush_ab() {
	local ns
	for ns in a b; do
		n $ns "$K" sa flush; n $ns "$K" policy flush
		n $ns ip xfrm state flush; n $ns ip xfrm policy flush
	done
}
alg_row() {	# NAME: its row of ALGS or MATRIX_ALGS
	local a
	for a in "${ALGS[@]}" "${MATRIX_ALGS[@]}"; do
		[ "${a%%|*}" = "$1" ] && { echo "$a"; return; }
	done
	return 1
}
# keyed STACK ALG-NAME [LOCAL-A LOCAL-B SPI-A SPI-B]: one pair of SAs with
# its policies between a and b, in ksad or in XFRM (both ends the same)
keyed() {
	local s=$1 row ea=${3:-10.0.0.1} eb=${4:-10.0.0.2} sa=${5:-0x1001} sb=${6:-0x2002}
	row=$(alg_row "$2") || { echo "bench.sh: no algorithm $2" >&2; return 1; }
	IFS='|' read -r _ p ka kb xa xb _ <<< "$row"
	if [ "$s" = ksad ]; then
		ksad_side a transport "$p" "$ea" "$eb" "$sa" "$sb" "$ka" "$kb" "$ea/32" "$eb/32" &&
		ksad_side b transport "$p" "$eb" "$ea" "$sb" "$sa" "$kb" "$ka" "$eb/32" "$ea/32"
	else
		xfrm_side a transport "$p" "$ea" "$eb" "$sa" "$sb" "$xa" "$xb" "$ea/32" "$eb/32" &&
		xfrm_side b transport "$p" "$eb" "$ea" "$sb" "$sa" "$xb" "$xa" "$eb/32" "$ea/32"
	fi
}
# the drivers a stack uses for an algorithm, noted once
declare -A drivers_noted
key_noting() {	# PART STACK ALG
	local before=$TMPDIR/crypto.before
	crypto_refs > "$before"
	keyed "$2" "$3" || { note "$1" "keying $2 for $3 failed"; return 1; }
	if [ -z "${drivers_noted[$2 $3]:-}" ]; then
		drivers_noted[$2 $3]=1
		note drivers "$2 $3: $(crypto_used "$before")"
	fi
}

# busy CPU ticks (all CPUs), context switches so far, and those of the
# ksoftirqd threads (softirq work the kernel deferred to a thread)
cpu_ticks() {
	local k
	k=$(cat /proc/[0-9]*/task/*/stat 2>/dev/null | awk '$2 ~ /^\(ksoftirqd/ { print $1 }' |
		while read -r p; do cat "/proc/$p/status" 2>/dev/null; done |
		awk '/ctxt_switches/ { s += $2 } END { print s + 0 }')
	awk -v k="$k" '/^cpu / { b = $2 + $3 + $4 + $7 + $8 } /^ctxt/ { c = $2 } END { print b, c, k }' /proc/stat
}
# srv NS PORT [CPU [ADDR]]: one iperf3 server, ready.  Bound to ADDR if
# not the link's first: its UDP answers must come from the address asked.
srv() {
	local i pin=() bind=()
	[ -n "${3:-}" ] && pin=(taskset -c "$3")
	[ -n "${4:-}" ] && bind=(-B "$4")
	n "$1" timeout 120 "${pin[@]}" iperf3 -s -1 "${bind[@]}" -p "$2" > /dev/null 2>&1 &
	for i in $(seq 50); do n "$1" ss -ltn | grep -q ":$2 " && return 0; sleep 0.1; done
}
# tcp_run: one iperf3 TCP stream a -> b for $SECS s; prints Mbit/s, the
# CPU time per MB moved (ms, all CPUs: both ends, both stacks' work) and
# the context switches per MB, all and ksoftirqd's (a crypto request handed
# to cryptd's worker costs two; softirq work deferred to ksoftirqd one)
tcp_run() {
	local c0 c1 j
	srv b 5201
	read -r -a c0 <<< "$(cpu_ticks)"
	j=$(n a iperf3 -c 10.0.0.2 -p 5201 -t "$SECS" -J 2>/dev/null)
	read -r -a c1 <<< "$(cpu_ticks)"
	wait
	python3 -c 'import json, os, sys
e = json.loads(sys.argv[1])["end"]["sum_received"]
mb, hz = e["bytes"] / 1e6, os.sysconf("SC_CLK_TCK")
print("%.0f %.2f %.0f %.0f" % (e["bits_per_second"] / 1e6, float(sys.argv[2]) * 1000 / hz / mb if mb else 0,
      float(sys.argv[3]) / mb if mb else 0, float(sys.argv[4]) / mb if mb else 0))' \
		"$j" $((c1[0] - c0[0])) $((c1[1] - c0[1])) $((c1[2] - c0[2])) 2>/dev/null || echo "- - - -"
}
# ksad's transforms that completed later (in cryptd's worker), both ends
ksad_async() {
	local ns t=0 v
	for ns in a b; do
		v=$(n $ns "$K" stats | awk '$1 == "crypto-async" { print $2 }')
		t=$((t + ${v:-0}))
	done
	echo $t
}
tcp_part() {
	local r s alg v gso a0
	flush_ab
	for r in $(seq "$RUNS"); do
		read -r -a v <<< "$(tcp_run | tr -- - ' ')"
		[ ${#v[@]} = 4 ] || { note tcp "run $r, no IPsec: iperf3 failed"; v=("" "" "" ""); }
		rec tcp mbit plain none "$r" "${v[0]}" Mbit/s
		rec tcp cpu plain none "$r" "${v[1]}" ms/MB
		rec tcp ctxt plain none "$r" "${v[2]}" switches/MB
		rec tcp ksoftirqd plain none "$r" "${v[3]}" switches/MB
	done
	# GSO on (as installed), then off on both ends' links: TCP then
	# hands each stack MTU-sized packets (the comparison without GSO)
	for gso in on off; do
		if [ $gso = off ]; then
			command -v ethtool > /dev/null || { note tcp "no ethtool: the GSO-off rows are left out"; break; }
			n a ethtool -K va gso off tso off; n b ethtool -K vb gso off tso off
		fi
		for alg in AES-GCM-16-128 ChaCha20-Poly1305; do
			[ $gso = off ] && [ $alg != AES-GCM-16-128 ] && continue
			for r in $(seq "$RUNS"); do
				for s in $(turns "$r"); do
					flush_ab
					key_noting tcp $s $alg || continue
					[ $s = ksad ] && a0=$(ksad_async)
					read -r -a v <<< "$(tcp_run | tr -- - ' ')"
					[ ${#v[@]} = 4 ] || { note tcp "run $r, $s $alg: iperf3 failed"; v=("" "" "" ""); }
					[ $s = ksad ] && rec tcp async "$alg gso-$gso" $s "$r" $(($(ksad_async) - a0)) requests
					rec tcp mbit "$alg gso-$gso" $s "$r" "${v[0]}" Mbit/s
					rec tcp cpu "$alg gso-$gso" $s "$r" "${v[1]}" ms/MB
					rec tcp ctxt "$alg gso-$gso" $s "$r" "${v[2]}" switches/MB
					rec tcp ksoftirqd "$alg gso-$gso" $s "$r" "${v[3]}" switches/MB
				done
			done
		done
	done
	n a ethtool -K va gso on tso on 2>/dev/null; n b ethtool -K vb gso on tso on 2>/dev/null
	flush_ab
}

# profile: where the CPU time goes during a TCP run with AES-GCM, by
# kernel function (perf, software cpu-clock events, all CPUs)
profile_part() {
	command -v perf > /dev/null && perf version > /dev/null 2>&1 ||
		{ note profile "no perf for $KREL: left out"; return; }
	local s f c
	for s in ksad xfrm; do
		flush_ab
		key_noting profile $s AES-GCM-16-128 || continue
		srv b 5201
		# perf takes seconds to start under TCG: the stream runs until
		# it is done, then stops
		(exec ip netns exec a iperf3 -c 10.0.0.2 -p 5201 -t 300 > /dev/null 2>&1) &
		c=$!	# iperf3 itself: ip netns exec execs it
		sleep 1
		f=$TMPDIR/perf-$s.data
		perf record -q -a -e cpu-clock -F 997 -o "$f" -- sleep "$SECS" > /dev/null 2>&1
		kill $c
		wait
		[ -s "$f" ] || { note profile "perf recorded nothing on $KREL: left out"; break; }
		perf report -i "$f" --stdio --no-children --sort sym 2>/dev/null |
			grep -E '^ +[0-9]' > "$OUT/profile-$ENGINE-$s.txt"
		python3 "$KSAD_TOP/bench/profile.py" "$OUT/profile-$ENGINE-$s.txt" $s |
			while read -r line; do note profile "$line"; done
	done
	flush_ab
}

# upps SIZE [CPU DST PORT SRC]: packets/s of one iperf3 UDP stream of
# SIZE-byte datagrams, as b received them; CPU pins both ends
upps() {
	local size=$1 cpu=${2:-} dst=${3:-10.0.0.2} port=${4:-5202} src=${5:-10.0.0.1} pin=()
	[ -n "$cpu" ] && pin=(taskset -c "$cpu")
	srv b "$port" "$cpu" "$dst"
	n a "${pin[@]}" iperf3 -u -b 0 -l "$size" -B "$src" -c "$dst" -p "$port" -t "$USECS" -J 2>/dev/null |
		python3 -c 'import json,sys; e=json.load(sys.stdin)["end"]["sum"]; print("%.0f" % ((e["packets"] - e["lost_packets"]) / e["seconds"]))' 2>/dev/null ||
		{ note udp "iperf3 -u $size B to $dst failed"; echo; }
}
udp_part() {	# packets/s by datagram size, AES-GCM and ChaCha20-Poly1305
	local r s alg size
	for alg in AES-GCM-16-128 ChaCha20-Poly1305; do
		for r in $(seq "$RUNS"); do
			for s in $(turns "$r"); do
				flush_ab
				key_noting udp $s $alg || continue
				for size in 64 512 1400; do
					rec udp "$alg" $size $s "$r" "$(upps $size)" pkt/s
				done
			done
		done
	done
	flush_ab
}
families_part() {	# packets/s of 1400-byte datagrams, each family
	local r s alg
	for alg in AES-GCM-16-128 AES-CCM-16-128 ChaCha20-Poly1305 AES-CBC-128/HMAC-SHA2-256-128 \
		AES-CBC-256/HMAC-SHA2-512-256 AES-CTR-128/AES-XCBC-96; do
		for r in $(seq "$RUNS"); do
			for s in $(turns "$r"); do
				flush_ab
				key_noting families $s $alg || continue
				rec families "$alg" 1400 $s "$r" "$(upps 1400)" pkt/s
			done
		done
	done
	flush_ab
}

# multicore: 1400-byte UDP, one flow on CPU 0; two flows on CPUs 0 and 1
# through two SAs (a second address pair); two flows through one SA; and the
# first two without IPsec, for what the engine itself scales to.  On a
# veth pair the receiving side runs on the sending CPU, so each flow's
# encryption and decryption stay on its CPU.
mc_flows() {	# 1 | 2 SRC2 DST2: packets/s of flows on CPU 0 (.1 -> .2) and CPU 1
	local f1=$TMPDIR/mc1 f2=$TMPDIR/mc2 a b
	upps 1400 0 10.0.0.2 5202 10.0.0.1 > "$f1" &
	a=$!
	if [ "$1" = 2 ]; then
		upps 1400 1 "$3" 5203 "$2" > "$f2" &
		b=$!
		wait $a $b
		# both flows or no figure
		[ -n "$(cat "$f1")" ] && [ -n "$(cat "$f2")" ] && echo $(( $(cat "$f1") + $(cat "$f2") )) || echo
	else
		wait $a
		cat "$f1"
	fi
}
multicore_part() {
	local r s
	if [ "$(nproc)" -lt 2 ]; then
		note multicore "one CPU here: left out"
		return
	fi
	n a ip addr add 10.0.0.11/24 dev va; n b ip addr add 10.0.0.12/24 dev vb
	for r in $(seq "$RUNS"); do
		for s in $(turns "$r"); do
			flush_ab
			key_noting multicore $s AES-GCM-16-128 &&
			keyed $s AES-GCM-16-128 10.0.0.11 10.0.0.12 0x1011 0x2012 || continue
			rec multicore pps 1 $s "$r" "$(mc_flows 1)" pkt/s
			rec multicore pps "2 two-SAs" $s "$r" "$(mc_flows 2 10.0.0.11 10.0.0.12)" pkt/s
			rec multicore pps "2 one-SA" $s "$r" "$(mc_flows 2 10.0.0.1 10.0.0.2)" pkt/s
		done
		# the engine's own ceiling: the same flows in the clear
		flush_ab
		rec multicore plain 1 none "$r" "$(mc_flows 1)" pkt/s
		rec multicore plain "2 two-SAs" none "$r" "$(mc_flows 2 10.0.0.11 10.0.0.12)" pkt/s
	done
	n a ip addr del 10.0.0.11/24 dev va; n b ip addr del 10.0.0.12/24 dev vb
	flush_ab
}

# ---------------------------------------------------- in-kernel ESP costs
esp_part() {
	[ $hooks = 1 ] || { note esp "left out: needs the KSAD_BENCH=y build"; return; }
	local a size dir r v
	for a in gcm128 chacha; do
		for dir in out in; do
			for size in 64 512 1400; do
				for r in $(seq "$RUNS"); do
					read -r -a v <<< "$(hook esp "$a $size $PKTS $dir" 2>/dev/null)"
					if [ ${#v[@]} -lt 12 ] || [ "${v[11]}" != 0 ]; then
						note esp "$a $dir $size run $r: failed (${v[11]:-?} packets failed)"
						continue
					fi
					rec esp "$dir $a" $size ksad "$r" "${v[1]}" ns
					rec esp "$dir $a" $size aead "$r" "${v[3]}" ns
				done
			done
			[ ${#v[@]} -lt 12 ] ||
				note drivers "$a (in-kernel ESP rows): ${v[5]} (async ${v[7]}; $dir: ${v[9]} completions asynchronous in the last run)"
		done
	done
}

# ---------------------------------------------------------------- the SPD
policies() {	# N PREFIX: policy i is 10.x.y.1 -> 11.x.y.1 (x.y = i), both SPDs
	n b "$K" policy flush; n b ip xfrm policy flush
	awk -v n="$1" -v p="$2" 'BEGIN { for (i = 0; i < n; i++) {
		h = int(i / 256); l = i % 256; z = p == 32 ? 1 : 0
		printf "policy add dir in action bypass sel src 10.%d.%d.%d/%d dst 11.%d.%d.%d/%d\n", h, l, z, p, h, l, z, p } }' |
		n b "$K" -batch - > /dev/null
	awk -v n="$1" -v p="$2" 'BEGIN { for (i = 0; i < n; i++) {
		h = int(i / 256); l = i % 256; z = p == 32 ? 1 : 0
		printf "xfrm policy add src 10.%d.%d.%d/%d dst 11.%d.%d.%d/%d dir in action allow\n", h, l, z, p, h, l, z, p } }' |
		n b ip -batch -
}
policy_part() {
	[ $hooks = 1 ] || { note policy "left out: needs the KSAD_BENCH=y build"; return; }
	local p nn r v
	for p in 32 24; do
		for nn in 10 1000 10000; do
			policies "$nn" "$p"
			for r in $(seq "$RUNS"); do
				read -r -a v <<< "$(hook policy "$nn $LOOKUPS $p")"
				[ ${#v[@]} -ge 6 ] || { note policy "run $r, $nn /$p: the hook failed"; continue; }
				rec policy "/$p" "$nn" ksad "$r" "${v[3]}" ns
				rec policy "/$p" "$nn" xfrm "$r" "${v[5]}" ns
			done
		done
	done
	n b "$K" policy flush; n b ip xfrm policy flush
}

# --------------------------------------------------------------------------
ab_topology
t_all=$(date +%s)
for part in "${PARTS[@]}"; do
	t0=$(date +%s)
	case "$part" in
	sad|lookup|getspi|tcp|profile|udp|families|multicore|esp|policy) "${part}_part" ;;
	*) echo "bench.sh: no part '$part'" >&2; continue ;;
	esac
	say "part $part: $(( $(date +%s) - t0 )) s"
done
ip netns delete a; ip netns delete b
{
	echo "engine $ENGINE, kernel $KREL, $(nproc) CPUs, $(date -u +%Y-%m-%d), $RUNS runs,$([ "${KSAD_BENCH_SIMD:-1}" = 1 ] || echo ' no SIMD crypto drivers,')"
	echo "commit ${KSAD_BENCH_COMMIT:-$(git -C "$KSAD_TOP" rev-parse --short HEAD 2>/dev/null || echo '?')}, $(( $(date +%s) - t_all )) s"
} > "$OUT/about-$ENGINE.txt"
python3 "$KSAD_TOP/bench/report.py" --csv "$CSV" --notes "$NOTES" \
	--about "$OUT/about-$ENGINE.txt" --json "$OUT/results-$ENGINE.json"
pass "benchmark ran ($ENGINE)"
done_testing
