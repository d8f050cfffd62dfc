#!/bin/bash
# The interop matrix: every algorithm and key length ksad has (MATRIX_ALGS:
# AES-GCM and AES-CCM with 8-, 12- and 16-byte ICVs and 128-, 192- and 256-bit
# keys, AES-GMAC with each key length; ChaCha20-Poly1305; AES-CBC, AES-CTR
# and NULL with each integrity algorithm, and with ESN; AH with each
# integrity algorithm)
# x {transport, tunnel} x {IPv4, IPv6}, ksad in namespace "a" against the
# kernel's XFRM in "b" with the same SPIs and keys.  Each cell: ping both
# ways, XFRM's counter of what it accepted from ksad, and TCP checked by
# SHA-256 on arrival: 4 MiB for the rows the other groups use too (AES-GCM,
# ChaCha20-Poly1305, AES-CBC, AH), 512 KiB for the others (120 cells).
. "$(dirname "$0")/lib.sh"
K=$KSADCTL

for m in esp4 esp6 ah4 ah6 xfrm_user veth; do modprobe -q $m; done
load_ksad
. "$(dirname "$0")/datapath-lib.sh"
ab_topology

port=5200
for alg in "${MATRIX_ALGS[@]}"; do
	case "${alg%%|*}" in
	AES-GCM-16-128|ChaCha20-Poly1305|AES-CBC-128/*|"AH SHA256") kib=4096 ;;
	*) kib=512 ;;
	esac
	for shape in "${SHAPES[@]}"; do
		port=$((port + 1))
		interop_cell "$alg" "$shape" $port $kib
	done
done

step "nothing went wrong on either side"
check_out "ksad: no integrity failure" '^in-integrity-failed +0$' \
	sh -c "ip netns exec a $K stats | grep in-integrity-failed"
check_out "XFRM: no protocol error" '^XfrmInStateProtoError[[:space:]]+0$' \
	n b cat /proc/net/xfrm_stat
check "rmmod ksad" rmmod ksad
done_testing
