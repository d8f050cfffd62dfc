#!/bin/bash
# The datapath smoke for Debian's stock kernel (QEMU, -cpu max): AES-GCM in
# transport and tunnel mode, IPv4 and IPv6, against the kernel's XFRM, with
# the crypto drivers the distribution kernel picks on this (virtual)
# machine, then through pcrypt (asynchronous completions).  How deep the
# kernel stack gets: group stackdepth (not in `make check`).
. "$(dirname "$0")/lib.sh"
K=$KSADCTL

. "$(dirname "$0")/datapath-lib.sh"
stock_load
ab_topology

# AES-GCM-16-128 in the four shapes, as in the UML lab's matrix
port=5000
for shape in "${SHAPES[@]}"; do
	port=$((port + 1))
	interop_cell "${ALGS[0]}" "$shape" $port
done

echo "# rfc4106(gcm(aes)) drivers in use:"
grep -A4 'name *: rfc4106(gcm(aes))' /proc/crypto | grep -E 'driver|async' | sed 's/^/#   /'
# With AES-NI the SIMD wrapper runs most requests at once (the FPU is
# usable in softirq), so few or none complete later: shown, not asserted.
echo "# crypto-async with the default drivers: $(stat_of crypto-async)"

echo "# counters: $(n a "$K" stats | tr -s ' ' | tr '\n' ' ')"
check "no integrity failure" test "$(stat_of in-integrity-failed)" = 0

# Not cryptd: this kernel's crypto self-tests refuse cryptd AEAD instances
# ("corrupted request struct"; a WARNING) and the allocation fails.  pcrypt
# completes every request later, on the other CPU, around AES-NI.
step "asynchronous completions on this kernel: the transforms through pcrypt"
modprobe -q pcrypt || echo "# modprobe pcrypt failed"
echo 1 > /sys/module/ksad/parameters/force_pcrypt
reset_all
before=$(stat_of crypto-async)
check "keyed (AES-GCM, run by pcrypt)" key transport 10.0.0.1 10.0.0.2 10.0.0.1/32 10.0.0.2/32 \
	"$GCM" "$X_GCM" "$X_GCM_B" "$GCM_B"
check "ping both ways" ping_both 10.0.0.1 10.0.0.2
check "TCP, 4 MiB, arrives intact" tcp_bulk 10.0.0.1 10.0.0.2 4 5007
check "transforms completed in the crypto callback" counted crypto-async $((before + 12))
echo "# crypto-async: $(stat_of crypto-async)"
grep -B1 'driver *: pcrypt(' /proc/crypto | sed 's/^/#   /'
echo 0 > /sys/module/ksad/parameters/force_pcrypt

ip netns delete a
ip netns delete b
sleep 0.5
check "rmmod ksad" rmmod ksad
done_testing
