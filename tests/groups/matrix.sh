#!/bin/bash
# The interop matrix: every algorithm (and AH) x {transport, tunnel} x
# {IPv4, IPv6}, ksad in namespace "a" against the kernel's XFRM in "b" with
# the same SPIs and keys.  Each cell: ping both ways, XFRM's counter of what
# it accepted from ksad, and 4 MiB of TCP checked by SHA-256 on arrival.
. "$(dirname "$0")/lib.sh"
K=$KSADCTL

for m in esp4 esp6 ah4 ah6 xfrm_user veth; do modprobe -q $m; done
load_ksad
. "$(dirname "$0")/datapath-lib.sh"
ab_topology

port=5200
for alg in "${ALGS[@]}"; do
	for shape in "${SHAPES[@]}"; do
		port=$((port + 1))
		interop_cell "$alg" "$shape" $port
	done
done

step "nothing went wrong on either side"
check_out "ksad: no integrity failure" '^in-integrity-failed +0$' \
	sh -c "ip netns exec a $K stats | grep in-integrity-failed"
check_out "XFRM: no protocol error" '^XfrmInStateProtoError[[:space:]]+0$' \
	n b cat /proc/net/xfrm_stat
check "rmmod ksad" rmmod ksad
done_testing
