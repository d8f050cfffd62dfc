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

# mode family: outer ends, selectors, inner addresses to ping
SHAPES=(
	"transport|4|10.0.0.1|10.0.0.2|10.0.0.1/32|10.0.0.2/32|10.0.0.1|10.0.0.2"
	"transport|6|fd00::1|fd00::2|fd00::1/128|fd00::2/128|fd00::1|fd00::2"
	"tunnel|4|10.0.0.1|10.0.0.2|10.1.0.0/24|10.2.0.0/24|10.1.0.1|10.2.0.1"
	"tunnel|6|fd00::1|fd00::2|fd01::/64|fd02::/64|fd01::1|fd02::1"
)

port=5200
for alg in "${ALGS[@]}"; do
	IFS='|' read -r name PROTO kab kba xab xba <<< "$alg"
	export PROTO
	for shape in "${SHAPES[@]}"; do
		IFS='|' read -r mode fam ea eb sela selb pa pb <<< "$shape"
		cell="$name, $mode, IPv$fam"
		step "$cell"
		reset_all
		check "$cell: keyed" key "$mode" "$ea" "$eb" "$sela" "$selb" \
			"$kab" "$xab" "$xba" "$kba"
		check "$cell: ping both ways" ping_both "$pa" "$pb" "-$fam"
		check_out "$cell: XFRM accepted ksad's packets" '^[1-9]' \
			xfrm_in_packets "$ea" "$eb"
		port=$((port + 1))
		check "$cell: TCP, 4 MiB, arrives intact" tcp_bulk "$pa" "$pb" "$fam" $port
	done
done
unset PROTO

step "nothing went wrong on either side"
check_out "ksad: no integrity failure" '^in-integrity-failed +0$' \
	sh -c "ip netns exec a $K stats | grep in-integrity-failed"
check_out "XFRM: no protocol error" '^XfrmInStateProtoError[[:space:]]+0$' \
	n b cat /proc/net/xfrm_stat
check "rmmod ksad" rmmod ksad
done_testing
