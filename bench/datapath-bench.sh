#!/bin/bash
# The datapath benchmark, run inside the stock-kernel guest by bench/run.sh
# (make bench): nothing here is asserted (the last line only says it ran).
#
# 1. TCP single-stream throughput (iperf3, 8 s) over a veth pair at MTU
#    1500, transport mode, both ends ksad vs both ends XFRM, same SPIs and
#    keys, for AES-GCM-16-128 and ChaCha20-Poly1305; plaintext for scale.
# 2. Each algorithm family (AES-GCM, AES-CCM, ChaCha20-Poly1305, AES-CBC +
#    HMAC-SHA2-256, AES-CBC + HMAC-SHA2-512, AES-CTR + AES-XCBC): UDP
#    packets per second received (iperf3 -u, unlimited rate, 3 s) with 64-
#    and 1400-byte datagrams, ksad vs XFRM, same SPIs and keys.
# 3. ns per packet in the kernel: ksad's ESP output transform vs the bare
#    AEAD call on a buffer of the same size (kernel/bench.c), 64/512/1400 B.
. "$KSAD_TOP/tests/groups/lib.sh"
K=$KSADCTL
E=/sys/kernel/debug/ksad/esp
SECS=${KSAD_BENCH_SECS:-8}

for m in esp4 xfrm_user veth aesni_intel ghash_clmulni_intel; do modprobe -q $m; done
insmod "$KSAD_MODULE" || { fail "insmod the bench build of ksad"; done_testing; exit; }
. "$KSAD_TOP/tests/groups/datapath-lib.sh"
ab_topology

# Mbit/s of one iperf3 stream from a to b.
tput() {
	n b timeout $((SECS + 30)) iperf3 -s -1 -p 5201 > /dev/null 2>&1 &
	local srv=$! i
	for i in $(seq 50); do n b ss -ltn | grep -q ':5201 ' && break; sleep 0.1; done
	n a iperf3 -c 10.0.0.2 -p 5201 -t "$SECS" -J 2>/dev/null |
		python3 -c 'import json,sys; print("%.0f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e6))' ||
		echo 0
	wait $srv 2>/dev/null
}
flush() {
	for ns in a b; do
		n $ns "$K" sa flush; n $ns "$K" policy flush
		n $ns ip xfrm state flush; n $ns ip xfrm policy flush
	done
}
S_A=10.0.0.1/32 S_B=10.0.0.2/32

declare -A mbit
flush
mbit[plain]=$(tput)
for alg in "${ALGS[0]}" "${ALGS[2]}"; do
	IFS='|' read -r name p ka kb xa xb <<< "$alg"
	flush
	ksad_side a transport "$p" 10.0.0.1 10.0.0.2 0x1001 0x2002 "$ka" "$kb" $S_A $S_B &&
	ksad_side b transport "$p" 10.0.0.2 10.0.0.1 0x2002 0x1001 "$kb" "$ka" $S_B $S_A ||
		fail "keying ksad for $name"
	mbit[ksad $name]=$(tput)
	pk=$(n b "$K" sa get dst 10.0.0.2 proto esp spi 0x1001 | sed -n 's/.* \([0-9][0-9]*\) packets.*/\1/p')
	flush
	xfrm_side a transport "$p" 10.0.0.1 10.0.0.2 0x1001 0x2002 "$xa" "$xb" $S_A $S_B &&
	xfrm_side b transport "$p" 10.0.0.2 10.0.0.1 0x2002 0x1001 "$xb" "$xa" $S_B $S_A ||
		fail "keying XFRM for $name"
	mbit[xfrm $name]=$(tput)
	echo "# $name: ksad's inbound SA on b took ${pk:-0} packets"
done
flush

# packets per second of one iperf3 UDP stream of SIZE-byte datagrams, received
upps() {
	n b timeout 60 iperf3 -s -1 -p 5202 > /dev/null 2>&1 &
	local srv=$! i
	# (its control connection is TCP, in UDP mode too)
	for i in $(seq 50); do n b ss -ltn | grep -q ':5202 ' && break; sleep 0.1; done
	n a iperf3 -u -b 0 -l "$1" -c 10.0.0.2 -p 5202 -t "${KSAD_BENCH_UDP_SECS:-3}" -J 2>/dev/null |
		python3 -c 'import json,sys; e=json.load(sys.stdin)["end"]["sum"]; print("%.0f" % ((e["packets"] - e["lost_packets"]) / e["seconds"]))' ||
		echo 0
	wait $srv 2>/dev/null
}
# the families' rows of the matrix group (tests/groups/datapath-lib.sh)
FAMILIES=()
for want in AES-GCM-16-128 AES-CCM-16-128 ChaCha20-Poly1305 AES-CBC-128/HMAC-SHA2-256-128 \
	AES-CBC-256/HMAC-SHA2-512-256 AES-CTR-128/AES-XCBC-96; do
	for alg in "${MATRIX_ALGS[@]}"; do
		[ "${alg%%|*}" = "$want" ] && FAMILIES+=("$alg")
	done
done
[ ${#FAMILIES[@]} = 6 ] || fail "the six algorithm families are rows of MATRIX_ALGS"
declare -A pps
for alg in "${FAMILIES[@]}"; do
	IFS='|' read -r name p ka kb xa xb _ <<< "$alg"
	flush
	ksad_side a transport "$p" 10.0.0.1 10.0.0.2 0x1001 0x2002 "$ka" "$kb" $S_A $S_B &&
	ksad_side b transport "$p" 10.0.0.2 10.0.0.1 0x2002 0x1001 "$kb" "$ka" $S_B $S_A ||
		fail "keying ksad for $name"
	for size in 64 1400; do pps[ksad $name $size]=$(upps $size); done
	flush
	xfrm_side a transport "$p" 10.0.0.1 10.0.0.2 0x1001 0x2002 "$xa" "$xb" $S_A $S_B &&
	xfrm_side b transport "$p" 10.0.0.2 10.0.0.1 0x2002 0x1001 "$xb" "$xa" $S_B $S_A ||
		fail "keying XFRM for $name"
	for size in 64 1400; do pps[xfrm $name $size]=$(upps $size); done
done
flush

declare -A ns_d ns_a drv
for a in gcm128 chacha; do
	for size in 64 512 1400; do
		echo "$a $size ${KSAD_BENCH_PKTS:-200000}" > $E
		read -r _ d _ x _ dr < $E
		ns_d[$a $size]=$d ns_a[$a $size]=$x drv[$a]=$dr
	done
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
row() { printf '%-40s %12s %12s %10s\n' "$1" "$2" "$3" "$(ratio "$2" "$3")"; }
echo
echo "ksad datapath benchmark: $(uname -r), $(nproc) vCPUs, one boot"
printf '%-40s %12s %12s %10s\n' "TCP, one stream, MTU 1500 (Mbit/s)" "ksad" "XFRM" "ksad/XFRM"
for name in AES-GCM-16-128 ChaCha20-Poly1305; do
	row "  $name, transport" "${mbit[ksad $name]}" "${mbit[xfrm $name]}"
done
printf '%-40s %12s\n' "  no IPsec" "${mbit[plain]}"
echo
printf '%-40s %12s %12s %10s\n' "UDP received, packets/s" "ksad" "XFRM" "ksad/XFRM"
for alg in "${FAMILIES[@]}"; do
	name=${alg%%|*}
	for size in 64 1400; do
		row "  $name, $size B" "${pps[ksad $name $size]}" "${pps[xfrm $name $size]}"
	done
done
echo
printf '%-40s %12s %12s %10s\n' "ESP output, ns per packet" "ksad" "bare AEAD" "ksad/AEAD"
for a in gcm128 chacha; do
	for size in 64 512 1400; do
		row "  $a, $size bytes" "${ns_d[$a $size]}" "${ns_a[$a $size]}"
	done
done
echo "(drivers: gcm128 ${drv[gcm128]}, chacha ${drv[chacha]})"
echo
pass "benchmark ran"
ip netns delete a; ip netns delete b
rmmod ksad
done_testing
