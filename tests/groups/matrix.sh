#!/bin/bash
# The interop matrix: every algorithm and key length ksad has (MATRIX_ALGS:
# AES-GCM and AES-CCM with 8-, 12- and 16-byte ICVs and 128-, 192- and 256-bit
# keys, AES-GMAC with each key length; ChaCha20-Poly1305; AES-CBC, AES-CTR
# and NULL with each integrity algorithm, and with ESN; AH with each
# integrity algorithm)
# against the kernel's XFRM, ksad in namespace "a", XFRM in "b", the same
# SPIs and keys.  Each cell: ping both ways, XFRM's counter of what it
# accepted from ksad, and TCP checked by SHA-256 on arrival.  The rows the
# other groups use too (AES-GCM-16-128, ChaCha20-Poly1305, AES-CBC-128 with
# HMAC-SHA2-256, AH with it) run in all four shapes ({transport, tunnel} x
# {IPv4, IPv6}) with 4 MiB; every other row in two, transport and tunnel
# with one family each, the families alternating from row to row (so each
# row has both modes and both families, and each shape comes up in 13 of
# them), with 512 KiB: 68 cells, about 10 minutes under UML (a cell keys
# both sides with one ksadctl and one `ip -batch` each: ~8 s).  All 120
# cells: KSAD_MATRIX_FULL=1 (about 18 minutes).  The group runs the
# combined-mode rows (AES-GCM, AES-CCM, AES-GMAC, ChaCha20-Poly1305: 32
# cells); group matrix-integ the others (AES-CBC, AES-CTR and NULL with an
# integrity algorithm, AH: 36 cells), each within the lab's time per group.
. "$(dirname "$0")/lib.sh"
K=$KSADCTL

for m in esp4 esp6 ah4 ah6 xfrm_user veth; do modprobe -q $m; done
load_ksad
. "$(dirname "$0")/datapath-lib.sh"
ab_topology

port=5200 row=0
for alg in "${MATRIX_ALGS[@]}"; do
	case "${alg%%|*}" in
	AES-GCM-*|AES-CCM-*|AES-GMAC-*|ChaCha20-*) [ "${MATRIX_PART:-aead}" = aead ] ;;
	*) [ "${MATRIX_PART:-aead}" = integ ] ;;
	esac || continue
	shapes=("${SHAPES[@]}")
	case "${alg%%|*}" in
	AES-GCM-16-128|ChaCha20-Poly1305|AES-CBC-128/*|"AH SHA256") kib=4096 ;;
	*)
		kib=512 row=$((row + 1))
		# SHAPES: transport v4, transport v6, tunnel v4, tunnel v6
		if [ "${KSAD_MATRIX_FULL:-0}" != 1 ]; then
			if [ $((row % 2)) = 0 ]; then
				shapes=("${SHAPES[0]}" "${SHAPES[3]}")
			else
				shapes=("${SHAPES[1]}" "${SHAPES[2]}")
			fi
		fi ;;
	esac
	for shape in "${shapes[@]}"; do
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
