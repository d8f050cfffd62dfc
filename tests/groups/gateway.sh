#!/bin/bash
# Gateways: hosts h1 and h2 talk through two security gateways g1 and g2
# that protect the traffic between their networks in tunnel mode, so every
# protected packet is forwarded, not local.  g1 runs ksad; g2 runs ksad too
# (ksad <-> ksad: every algorithm and AH, tunnel and transport, IPv4 and
# IPv6), then the kernel's XFRM (a ksad gateway facing an XFRM gateway).
#
#   h1 10.1.0.2 --- 10.1.0.1 g1 192.168.0.1 ==== 192.168.0.2 g2 10.2.0.1 --- 10.2.0.2 h2
#      fd01::2       fd01::1     fd00::1             fd00::2      fd02::1       fd02::2
. "$(dirname "$0")/lib.sh"
K=$KSADCTL

for m in esp4 esp6 ah4 ah6 xfrm_user veth; do modprobe -q $m; done
load_ksad
. "$(dirname "$0")/datapath-lib.sh"

for ns in h1 g1 g2 h2; do
	ip netns add $ns
	n $ns ip link set lo up
done
ip link add h1g netns h1 type veth peer name g1h netns g1
ip link add g1o netns g1 type veth peer name g2o netns g2
ip link add g2h netns g2 type veth peer name h2g netns h2
addr() { n "$1" ip addr add "$3" dev "$2" nodad 2>/dev/null || n "$1" ip addr add "$3" dev "$2"; }
addr h1 h1g 10.1.0.2/24; addr h1 h1g fd01::2/64
addr g1 g1h 10.1.0.1/24; addr g1 g1h fd01::1/64
addr g1 g1o 192.168.0.1/24; addr g1 g1o fd00::1/64
addr g2 g2o 192.168.0.2/24; addr g2 g2o fd00::2/64
addr g2 g2h 10.2.0.1/24; addr g2 g2h fd02::1/64
addr h2 h2g 10.2.0.2/24; addr h2 h2g fd02::2/64
n h1 ip link set h1g up; n g1 ip link set g1h up; n g1 ip link set g1o up
n g2 ip link set g2o up; n g2 ip link set g2h up; n h2 ip link set h2g up
n h1 ip route add default via 10.1.0.1; n h1 ip -6 route add default via fd01::1
n h2 ip route add default via 10.2.0.1; n h2 ip -6 route add default via fd02::1
n g1 ip route add 10.2.0.0/24 via 192.168.0.2; n g1 ip -6 route add fd02::/64 via fd00::2
n g2 ip route add 10.1.0.0/24 via 192.168.0.1; n g2 ip -6 route add fd01::/64 via fd00::1
for g in g1 g2; do
	n $g sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
done
NS_A=h1 NS_B=h2

check "h1 reaches h2 in the clear before any policy" ping_both 10.1.0.2 10.2.0.2

gw_reset() {
	local g
	for g in g1 g2; do n $g "$K" sa flush; n $g "$K" policy flush; done
	n g2 ip xfrm state flush; n g2 ip xfrm policy flush
}

# gw_key G2-KIND MODE PROTO FAMILY ALG-12 ALG-21 [XFRM-ALG-12 XFRM-ALG-21]
gw_key() {
	local kind=$1 mode=$2 p=$3 fam=$4 a12=$5 a21=$6 x12=${7:-} x21=${8:-}
	local e1=192.168.0.1 e2=192.168.0.2 s1=10.1.0.0/24 s2=10.2.0.0/24
	if [ "$fam" = 6 ]; then e1=fd00::1 e2=fd00::2 s1=fd01::/64 s2=fd02::/64; fi
	if [ "$mode" = transport ]; then
		s1=$e1/32 s2=$e2/32
		[ "$fam" = 6 ] && s1=$e1/128 s2=$e2/128
	fi
	ksad_side g1 "$mode" "$p" $e1 $e2 0x1001 0x2002 "$a12" "$a21" $s1 $s2 || return 1
	if [ "$kind" = ksad ]; then
		ksad_side g2 "$mode" "$p" $e2 $e1 0x2002 0x1001 "$a21" "$a12" $s2 $s1
		return
	fi
	xfrm_side g2 "$mode" "$p" $e2 $e1 0x2002 0x1001 "$x21" "$x12" $s2 $s1
}

# packets that g2's ksad took in on SPI 0x1001 (what g1 protected)
g2_in_packets() {
	n g2 "$K" sa get dst "$1" proto "$2" spi 0x1001 | sed -n 's/.* \([0-9][0-9]*\) packets.*/\1/p'
}

port=5300
for alg in "${ALGS[@]}"; do
	IFS='|' read -r name p ka kb _ _ <<< "$alg"
	for fam in 4 6; do
		e2=192.168.0.2; h1=10.1.0.2; h2=10.2.0.2
		[ "$fam" = 6 ] && e2=fd00::2 h1=fd01::2 h2=fd02::2
		cell="ksad <-> ksad, $name, tunnel, IPv$fam"
		step "$cell: h1 <-> h2 through g1 and g2"
		gw_reset
		check "$cell: keyed" gw_key ksad tunnel "$p" "$fam" "$ka" "$kb"
		check "$cell: ping h1 <-> h2 both ways" ping_both "$h1" "$h2" "-$fam"
		check_out "$cell: g2 took in what g1 protected" '^[1-9]' g2_in_packets "$e2" "$p"
		port=$((port + 1))
		check "$cell: TCP h1 -> h2, 4 MiB, arrives intact" tcp_bulk "$h1" "$h2" "$fam" $port

		cell="ksad <-> ksad, $name, transport, IPv$fam"
		step "$cell: g1 <-> g2"
		gw_reset
		e1=192.168.0.1
		[ "$fam" = 6 ] && e1=fd00::1
		check "$cell: keyed" gw_key ksad transport "$p" "$fam" "$ka" "$kb"
		check "$cell: ping g1 <-> g2 both ways" ping_ns g1 g2 "$e1" "$e2" "-$fam"
		check_out "$cell: g2 took in what g1 protected" '^[1-9]' g2_in_packets "$e2" "$p"
		if [ "$name" = AES-GCM-16-128 ] || [ "$p" = ah ]; then
			# ESP/AH packets larger than the MTU: fragmented by the
			# sender, reassembled before ksad on the receiver
			port=$((port + 1))
			check "$cell: TCP g1 -> g2, 4 MiB, arrives intact" \
				tcp_ns g1 g2 "$e1" "$e2" "$fam" $port
		fi
	done
done

step "a ksad gateway facing an XFRM gateway"
for alg in "${ALGS[0]}" "${ALGS[2]}" "${ALGS[6]}"; do
	IFS='|' read -r name p ka kb xa xb <<< "$alg"
	for fam in 4 6; do
		h1=10.1.0.2; h2=10.2.0.2; e1=192.168.0.1; e2=192.168.0.2
		[ "$fam" = 6 ] && h1=fd01::2 h2=fd02::2 e1=fd00::1 e2=fd00::2
		cell="ksad <-> XFRM, $name, tunnel, IPv$fam"
		gw_reset
		check "$cell: keyed" gw_key xfrm tunnel "$p" "$fam" "$ka" "$kb" "$xa" "$xb"
		check "$cell: ping h1 <-> h2 both ways" ping_both "$h1" "$h2" "-$fam"
		check_out "$cell: XFRM on g2 accepted g1's packets" '^[1-9]' sh -c \
			"ip netns exec g2 ip -s xfrm state get src $e1 dst $e2 proto $p spi 0x1001 |
			 awk '/lifetime current:/ { getline; print \$2 }' | tr -d '(a-z)'"
		port=$((port + 1))
		check "$cell: TCP h1 -> h2, 4 MiB, arrives intact" tcp_bulk "$h1" "$h2" "$fam" $port
	done
done

step "plaintext forwarded around the tunnel is refused"
gw_reset
gw_key ksad tunnel esp 4 "aead aes-gcm-16 $KEY20" "aead aes-gcm-16 $KEY20B"
n g2 "$K" policy flush	# g2 forwards h2's packets in the clear now
before=$(n g1 "$K" stats | awk '$1 == "in-plaintext-dropped" { print $2 }')
check_fails "h2's packets reach g1 in the clear and are not forwarded" \
	n h2 ping -c 2 -i 0.2 -W 1 10.1.0.2
check_out "g1 counted them as plaintext drops" "^in-plaintext-dropped +$((before + 2))\$" \
	sh -c "ip netns exec g1 $K stats | grep in-plaintext-dropped"

step "decrypted traffic that g1 forwards meets g1's forward policies"
gw_reset
gw_key ksad tunnel esp 4 "aead aes-gcm-16 $KEY20" "aead aes-gcm-16 $KEY20B"
check "h2 reaches h1 through the tunnel" n h2 ping -c 2 -i 0.2 -W 2 10.1.0.2
check "g1: fwd discard from h2 to h1, ahead of the protect policies" \
	n g1 "$K" policy add dir fwd action discard priority 10 \
	sel src 10.2.0.2/32 dst 10.1.0.2/32
before=$(n g1 "$K" stats | awk '$1 == "in-policy-mismatch" { print $2 }')
check_fails "h2's packets, decrypted by g1, are not forwarded to h1" \
	n h2 ping -c 2 -i 0.2 -W 1 10.1.0.2
check_out "g1 counted them as policy mismatches" "^in-policy-mismatch +$((before + 2))\$" \
	sh -c "ip netns exec g1 $K stats | grep in-policy-mismatch"
check "what is for g1 itself meets its inbound policies: h2 reaches g1's 10.1.0.1" \
	n h2 ping -c 2 -i 0.2 -W 2 10.1.0.1

# A policy with ports needs whole packets: a fragment after the first has
# no ports.  g1 reassembles what it forwards (nf_defrag_ipv4), so the
# protect policy for UDP port 5555 takes all of a fragmented datagram, and
# the "discard other UDP" policy after it none of it.
step "forwarded fragments meet the policy their datagram meets"
gw_reset
gw_key ksad tunnel esp 4 "aead aes-gcm-16 $KEY20" "aead aes-gcm-16 $KEY20B"
check "g1: protect UDP to port 5555 only" \
	n g1 "$K" policy add dir out action protect priority 10 proto esp mode tunnel reqid 1 \
	sel src 10.1.0.0/24 dst 10.2.0.0/24 proto udp dport 5555 tunnel src 192.168.0.1 dst 192.168.0.2
check "g1: discard other UDP from h1's network to h2's" \
	n g1 "$K" policy add dir out action discard priority 20 \
	sel src 10.1.0.0/24 dst 10.2.0.0/24 proto udp
rm -f "$TMPDIR/frag.ready"
n h2 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.2.0.2", 5555)); s.settimeout(10)
open(sys.argv[1], "w").close()
print("got", len(s.recv(65535)))' "$TMPDIR/frag.ready" > "$TMPDIR/frag.out" 2>&1 &
rcv=$!
for _ in $(seq 100); do [ -e "$TMPDIR/frag.ready" ] && break; sleep 0.1; done
n h1 python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(bytes(4000), ("10.2.0.2", 5555))'
wait_pid $rcv 20
check_out "h2 got h1's 4,000-byte datagram (3 fragments on h1's link)" '^got 4000$' cat "$TMPDIR/frag.out"

gw_reset
for ns in h1 g1 g2 h2; do ip netns delete $ns; done
check "rmmod ksad" rmmod ksad
done_testing
