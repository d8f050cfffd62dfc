#!/bin/bash
# The packet fuzzer: random and mutated ESP, ESP-in-UDP and AH packets (pktfuzz.py)
# against live inbound SAs of every kind -- transport and tunnel, IPv4 and
# IPv6, ESP (NULL + HMAC, AES-GCM, ESN) and AH, some through cryptd -- plus
# selectors and inbound policies for the decrypted packets to meet.  The
# oracle is the kernel log (KASAN, lockdep, WARN, BUG: the lab's verdict),
# the counters (each way to fail is seen; every packet is accounted for) and
# ksad still working afterwards.  KSAD_PKTFUZZ_N sets the number of packets
# (default 100,000), KSAD_FUZZ_SEED the seed.
. "$(dirname "$0")/lib.sh"
K=$KSADCTL
N=${KSAD_PKTFUZZ_N:-100000}
SEED=${KSAD_FUZZ_SEED:-$(date +%s)}

for m in esp4 esp6 xfrm_user veth; do modprobe -q $m; done
load_ksad
. "$(dirname "$0")/datapath-lib.sh"
ab_topology
echo "# seed $SEED (KSAD_FUZZ_SEED=$SEED reproduces this run)"

NULLA="enc null - auth hmac-sha256 $KEY32"
AH="auth hmac-sha256 $KEY32"
sa_in() { # SPI FAMILY PROTO MODE ARGS...
	local spi=$1 fam=$2 p=$3 mode=$4 src=10.0.0.2 dst=10.0.0.1
	shift 4
	[ "$fam" = 6 ] && src=fd00::2 dst=fd00::1
	n a "$K" sa add src $src dst $dst proto "$p" spi "$spi" dir in mode "$mode" "$@" > /dev/null
}
# shellcheck disable=SC2086
fuzz_sas() {
	sa_in 0x3001 4 esp transport replay-window 64 \
		sel src 10.0.0.2/32 dst 10.0.0.1/32 proto udp $NULLA &&
	sa_in 0x3003 4 ah transport replay-window 4096 $AH &&
	sa_in 0x3005 4 esp transport aead aes-gcm-16 $KEY20 &&
	sa_in 0x3006 4 esp transport replay-window 128 flag esn $NULLA &&
	sa_in 0x3007 6 esp transport replay-window 32 $NULLA &&
	sa_in 0x3008 6 ah transport $AH &&
	sa_in 0x300b 4 esp transport replay-window 64 $NULLA \
		encap espinudp 4500 4500 &&
	sa_in 0x300c 6 esp tunnel replay-window 64 $NULLA \
		encap espinudp 4500 4500 &&
	echo 1 > /sys/module/ksad/parameters/force_cryptd &&
	sa_in 0x3002 4 esp tunnel replay-window 64 $NULLA &&
	sa_in 0x3004 4 ah tunnel replay-window 64 $AH &&
	sa_in 0x3009 6 ah tunnel replay-window 64 $AH &&
	sa_in 0x300a 6 esp tunnel replay-window 1024 $NULLA &&
	echo 0 > /sys/module/ksad/parameters/force_cryptd
}
check "SAs of every kind for the fuzzer (tunnel ones through cryptd)" fuzz_sas
n a "$K" policy add dir in action protect proto esp sel src 10.0.0.2/32 dst 10.0.0.1/32 proto udp dport 7 > /dev/null
n a "$K" policy add dir in action discard sel src 10.2.0.0/24 dst 10.1.0.1/32 proto udp sport 1234 dport 9 > /dev/null
n a "$K" policy add dir in action protect proto ah mode tunnel sel src fd02::/64 dst fd01::/64 > /dev/null

# what ksad counts for an ESP or AH packet it has seen: one of these
SEEN="in-packets in-no-sa in-sa-not-ready in-replay in-integrity-failed in-bad-padding
      in-malformed in-policy-mismatch crypto-error hard-expired in-encap-mismatch
      in-nat-keepalive"
counters() {
	n a "$K" stats | awk -v seen="$SEEN" '
		BEGIN { split(seen, w); for (i in w) want[w[i]] = 1 }
		$1 in want { s += $2 } END { print s + 0 }'
}
before=$(counters)
t0=$(date +%s)
check_out "$N packets sent" "^sent $N\$" \
	n b python3 "$(dirname "$0")/pktfuzz.py" "$N" "$SEED" "$KEY32"
echo "# took $(( $(date +%s) - t0 )) s"
sleep 2	# async (cryptd) requests finish
n a "$K" stats | sed 's/^/# /'
for c in in-packets in-no-sa in-replay in-integrity-failed in-bad-padding in-malformed \
	in-policy-mismatch crypto-async in-encap-mismatch in-nat-keepalive; do
	check "the fuzz reached $c" counted $c 1
done
# A packet ksad does not count was lost before ksad saw it (a full backlog,
# or the stack refused it): allow 1%.
check_out "ksad accounted for at least 99% of the packets" '^ok' sh -c \
	"echo \$(( ($(counters) - $before) * 100 >= $N * 99 )) | sed 's/1/ok/'"

step "ksad still works after the fuzzing"
reset_all
check "keyed against XFRM" key transport 10.0.0.1 10.0.0.2 10.0.0.1/32 10.0.0.2/32 \
	"$GCM" "$X_GCM" "$X_GCM_B" "$GCM_B"
check "ping both ways" ping_both 10.0.0.1 10.0.0.2
reset_all
ip netns delete a; ip netns delete b
check "rmmod ksad" rmmod ksad
done_testing
