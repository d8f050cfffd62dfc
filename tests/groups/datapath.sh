#!/bin/bash
# The datapath against the oracle: namespace "a" runs ksad, namespace "b" the
# kernel's own XFRM, keyed with the same SPIs and keys.  Every byte ksad puts
# on the wire must be accepted by XFRM and the other way round; a wrong key
# must break traffic.  Transport and tunnel mode, IPv4 and IPv6, each
# algorithm, sync and async (cryptd) crypto, replay, plaintext and ACQUIRE.
. "$(dirname "$0")/lib.sh"
K=$KSADCTL

modprobe -q esp4; modprobe -q esp6; modprobe -q xfrm_user; modprobe -q veth
load_ksad
check "ksad0 exists in a new namespace" sh -c 'ip netns add probe && ip netns exec probe ip link show ksad0 && ip netns delete probe'
. "$(dirname "$0")/datapath-lib.sh"
ab_topology

step "transport mode, IPv4, AES-GCM-16-128: ksad <-> XFRM"
reset_all
check "keyed: ksad on a, XFRM on b" key transport 10.0.0.1 10.0.0.2 10.0.0.1/32 10.0.0.2/32 \
	"$GCM" "$X_GCM" "$X_GCM_B" "$GCM_B"
check "ping both ways" ping_both 10.0.0.1 10.0.0.2
check_out "XFRM on b decrypted what ksad sent" '^[1-9]' xfrm_in_packets 10.0.0.1 10.0.0.2
check_out "ksad's inbound SA counted what XFRM sent" ' [1-9][0-9]* packets' \
	n a "$K" sa get dst 10.0.0.1 proto esp spi 0x2002
check "ksad counted decrypted packets" counted in-packets 3
check "ksad counted protected packets" counted out-packets 3
check_out "the policy shows its SA" 'sa spi 0x00001001' n a "$K" policy list
check_out "the outbound policy counted the packets it matched" \
	'^policy [0-9]+ dir out action protect priority [0-9]+ packets ([3-9]|[1-9][0-9]+)$' \
	n a "$K" policy list
check "TCP, 4 MiB at MTU 1500, arrives intact" tcp_bulk 10.0.0.1 10.0.0.2 4 5001
check_out "decrypted packets came in on ksad0" 'RX:.*' sh -c \
	"ip netns exec a ip -s link show ksad0 | awk '/RX:/ { getline; if (\$2 > 0) print \"RX: \" \$2 }'"
check_out "no integrity failure on either side" '^in-integrity-failed +0$' \
	sh -c "ip netns exec a $K stats | grep in-integrity-failed"
check_out "XFRM saw no integrity failure" '^XfrmInStateProtoError[[:space:]]+0$' \
	n b cat /proc/net/xfrm_stat

step "negative control: a wrong key on ksad's inbound SA"
n a "$K" sa delete dst 10.0.0.1 proto esp spi 0x2002
n a "$K" sa add src 10.0.0.2 dst 10.0.0.1 proto esp spi 0x2002 dir in reqid 1 \
	aead aes-gcm-16 $KEY20 > /dev/null
before=$(stat_of in-integrity-failed)
check_fails "ping fails" n b ping -c 2 -i 0.2 -W 1 10.0.0.1
check "ksad counted the ICV failures" counted in-integrity-failed $((before + 1))
check_out "... on the SA too" 'integrity [1-9]' n a "$K" sa get dst 10.0.0.1 proto esp spi 0x2002

step "plaintext where a protect policy wants ESP is dropped"
reset_all
n a "$K" policy add dir in action protect sel src 10.0.0.2/32 dst 10.0.0.1/32 > /dev/null
check_fails "a plaintext ping from b is refused" n b ping -c 2 -i 0.2 -W 1 10.0.0.1
check "counted as plaintext drop" counted in-plaintext-dropped 1

step "ACQUIRE: an outbound protect policy without SA"
reset_all
n a "$K" policy add dir out action protect sel src 10.0.0.1/32 dst 10.0.0.2/32 proto udp reqid 9 > /dev/null
ip netns exec a "$K" monitor acquire > "$TMPDIR/acq.txt" 2>&1 &
mon=$!
sleep 0.3
n a bash -c 'echo x > /dev/udp/10.0.0.2/9999; echo y > /dev/udp/10.0.0.2/9999' 2>/dev/null
sleep 0.5
kill $mon; wait $mon 2>/dev/null
check_out "ksadctl monitor shows the ACQUIRE with the packet's selector" \
	'\[acquire\] policy [0-9]+ esp mode transport reqid 9 sel src 10.0.0.1/32 dst 10.0.0.2/32 proto 17 .*dport 9999' \
	cat "$TMPDIR/acq.txt"
check_out "one ACQUIRE for two packets in a second" '^1$' sh -c "grep -c acquire $TMPDIR/acq.txt"
check "counted as out-no-sa" counted out-no-sa 2

step "templates: one transport policy for 10.0.0.0/16, two XFRM peers, an SA each; ACQUIRE per destination"
reset_all
ip netns add c
ip link add vac netns a type veth peer name vc netns c
n c ip link set lo up
n a ip addr add 10.0.1.1/24 dev vac; n c ip addr add 10.0.1.3/24 dev vc
n a ip addr add fd00:1::1/64 dev vac nodad; n c ip addr add fd00:1::3/64 dev vc nodad
n a ip link set vac up; n c ip link set vc up
# a: ksad, one pair of policies for the /16 and an SA pair per peer;
# b and c: XFRM, host to host with a
check "keyed: ksad on a, XFRM on b and c" sh -c "{
	echo 'sa add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x1001 dir out reqid 1 $GCM'
	echo 'sa add src 10.0.0.2 dst 10.0.0.1 proto esp spi 0x2002 dir in reqid 1 replay-window 64 $GCM_B'
	echo 'sa add src 10.0.1.1 dst 10.0.1.3 proto esp spi 0x1003 dir out reqid 1 $GCM_B'
	echo 'sa add src 10.0.1.3 dst 10.0.1.1 proto esp spi 0x3003 dir in reqid 1 replay-window 64 $GCM'
	echo 'policy add dir out action protect proto esp sel src 10.0.0.0/16 dst 10.0.0.0/16 mode transport reqid 1'
	echo 'policy add dir in action protect proto esp sel src 10.0.0.0/16 dst 10.0.0.0/16 mode transport reqid 1'
	echo 'sa add src fd00::1 dst fd00::2 proto esp spi 0x1006 dir out reqid 1 $GCM'
	echo 'sa add src fd00::2 dst fd00::1 proto esp spi 0x6002 dir in reqid 1 replay-window 64 $GCM_B'
	echo 'sa add src fd00:1::1 dst fd00:1::3 proto esp spi 0x1036 dir out reqid 1 $GCM_B'
	echo 'sa add src fd00:1::3 dst fd00:1::1 proto esp spi 0x3036 dir in reqid 1 replay-window 64 $GCM'
	echo 'policy add dir out action protect proto esp priority 100 sel src fd00::/16 dst fd00::/16 mode transport reqid 1'
	echo 'policy add dir in action protect proto esp priority 100 sel src fd00::/16 dst fd00::/16 mode transport reqid 1'
} | ip netns exec a $K -batch - > /dev/null &&
{
	echo \"xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x1001 reqid 1 mode transport replay-window 64 $X_GCM\"
	echo \"xfrm state add src 10.0.0.2 dst 10.0.0.1 proto esp spi 0x2002 reqid 1 mode transport replay-window 64 $X_GCM_B\"
	echo 'xfrm policy add src 10.0.0.2 dst 10.0.0.1 dir out tmpl src 10.0.0.2 dst 10.0.0.1 proto esp reqid 1 mode transport'
	echo 'xfrm policy add src 10.0.0.1 dst 10.0.0.2 dir in tmpl src 10.0.0.1 dst 10.0.0.2 proto esp reqid 1 mode transport'
	echo \"xfrm state add src fd00::1 dst fd00::2 proto esp spi 0x1006 reqid 1 mode transport replay-window 64 $X_GCM\"
	echo \"xfrm state add src fd00::2 dst fd00::1 proto esp spi 0x6002 reqid 1 mode transport replay-window 64 $X_GCM_B\"
	echo 'xfrm policy add src fd00::2 dst fd00::1 dir out priority 100 tmpl src fd00::2 dst fd00::1 proto esp reqid 1 mode transport'
	echo 'xfrm policy add src fd00::1 dst fd00::2 dir in priority 100 tmpl src fd00::1 dst fd00::2 proto esp reqid 1 mode transport'
} | ip netns exec b ip -batch - &&
{
	echo \"xfrm state add src 10.0.1.1 dst 10.0.1.3 proto esp spi 0x1003 reqid 1 mode transport replay-window 64 $X_GCM_B\"
	echo \"xfrm state add src 10.0.1.3 dst 10.0.1.1 proto esp spi 0x3003 reqid 1 mode transport replay-window 64 $X_GCM\"
	echo 'xfrm policy add src 10.0.1.3 dst 10.0.1.1 dir out tmpl src 10.0.1.3 dst 10.0.1.1 proto esp reqid 1 mode transport'
	echo 'xfrm policy add src 10.0.1.1 dst 10.0.1.3 dir in tmpl src 10.0.1.1 dst 10.0.1.3 proto esp reqid 1 mode transport'
	echo \"xfrm state add src fd00:1::1 dst fd00:1::3 proto esp spi 0x1036 reqid 1 mode transport replay-window 64 $X_GCM_B\"
	echo \"xfrm state add src fd00:1::3 dst fd00:1::1 proto esp spi 0x3036 reqid 1 mode transport replay-window 64 $X_GCM\"
	echo 'xfrm policy add src fd00:1::3 dst fd00:1::1 dir out priority 100 tmpl src fd00:1::3 dst fd00:1::1 proto esp reqid 1 mode transport'
	echo 'xfrm policy add src fd00:1::1 dst fd00:1::3 dir in priority 100 tmpl src fd00:1::1 dst fd00:1::3 proto esp reqid 1 mode transport'
	echo 'xfrm policy add src ::/0 dst ::/0 proto ipv6-icmp type 135 dir out priority 1'
	echo 'xfrm policy add src ::/0 dst ::/0 proto ipv6-icmp type 135 dir in priority 1'
	echo 'xfrm policy add src ::/0 dst ::/0 proto ipv6-icmp type 136 dir out priority 1'
	echo 'xfrm policy add src ::/0 dst ::/0 proto ipv6-icmp type 136 dir in priority 1'
} | ip netns exec c ip -batch -"
check "ping b through the /16 policy" ping_ns a b 10.0.0.1 10.0.0.2
check "ping c through the same policy" ping_ns a c 10.0.1.1 10.0.1.3
check "IPv6: ping b through the fd00::/16 policy" ping_ns a b fd00::1 fd00::2 -6
check "IPv6: ping c through the same policy" ping_ns a c fd00:1::1 fd00:1::3 -6
check_out "IPv6: ksad's SAs to b and c each counted their packets" '^[3-9] [3-9]$' sh -c \
	"echo \$(ip netns exec a $K sa get dst fd00::2 proto esp spi 0x1006 | grep -o ' [0-9]* packets' | grep -o '[0-9]*') \
	      \$(ip netns exec a $K sa get dst fd00:1::3 proto esp spi 0x1036 | grep -o ' [0-9]* packets' | grep -o '[0-9]*')"
check_out "XFRM on b decrypted what ksad sent it" '^[1-9]' xfrm_in_packets 10.0.0.1 10.0.0.2
check_out "XFRM on c decrypted what ksad sent it, with c's SA" '^[1-9]' sh -c \
	"ip netns exec c ip -s xfrm state get src 10.0.1.1 dst 10.0.1.3 proto esp spi 0x1003 |
	 awk '/lifetime current:/ { getline; print \$2 }' | tr -d '(a-z)'"
check_out "ksad's SA to b counted b's packets" ' [3-9] packets' \
	n a "$K" sa get dst 10.0.0.2 proto esp spi 0x1001
check_out "ksad's SA to c counted c's packets" ' [3-9] packets' \
	n a "$K" sa get dst 10.0.1.3 proto esp spi 0x1003
check_out "the policy has an SA per destination" 'reqid 1 sa per destination' n a "$K" policy list
check_out "the policy's last use is shown" 'last used 20[0-9-]+T' n a "$K" policy list
ip netns exec a "$K" monitor acquire > "$TMPDIR/acq2.txt" 2>&1 &
mon=$!
sleep 0.3
n a bash -c 'for i in 1 2 3; do echo x > /dev/udp/10.0.1.4/9999; echo y > /dev/udp/10.0.1.5/9999; done' 2>/dev/null
sleep 0.3
# an SA to .4 ends its pending ACQUIRE: once it is gone, the next packet asks again
n a "$K" sa add src 10.0.1.1 dst 10.0.1.4 proto esp spi 0x1004 dir out reqid 1 $GCM > /dev/null
n a "$K" sa delete dst 10.0.1.4 proto esp spi 0x1004
n a bash -c 'echo z > /dev/udp/10.0.1.4/9999; echo z > /dev/udp/10.0.1.5/9999' 2>/dev/null
sleep 0.5
kill $mon; wait $mon 2>/dev/null
check_out "a third and a fourth destination: an ACQUIRE each, for 8 packets" '^1 1$' sh -c \
	"echo \$(grep -c 'dst 10.0.1.5/32' $TMPDIR/acq2.txt) \$(head -2 $TMPDIR/acq2.txt | grep -c 'dst 10.0.1.4/32')"
check_out "... and .4 again once its SA came and went (.5 still pending)" '^2 1$' sh -c \
	"echo \$(grep -c 'dst 10.0.1.4/32' $TMPDIR/acq2.txt) \$(grep -c 'dst 10.0.1.5/32' $TMPDIR/acq2.txt)"
ip netns delete c

step "socket bypass: a daemon's IKE socket gets through where a policy protects everything"
reset_all
ip netns exec b python3 -c '
import socket, sys
for fam, a in ((socket.AF_INET, "10.0.0.2"), (socket.AF_INET6, "fd00::2")):
    s = socket.socket(fam, socket.SOCK_DGRAM); s.bind((a, 500))
    if fam == socket.AF_INET6: s6 = s
    else: s4 = s
import select
while True:
    for s in select.select([s4, s6], [], [])[0]:
        d, peer = s.recvfrom(100); s.sendto(d, peer)
' &
echo_pid=$!
# all traffic between the two hosts protected, and no SA: only bypass passes
{
	echo "policy add dir out action protect sel src 10.0.0.1/32 dst 10.0.0.2/32 reqid 5"
	echo "policy add dir in action protect sel src 10.0.0.2/32 dst 10.0.0.1/32 reqid 5"
	echo "policy add dir out action protect priority 100 sel src fd00::1/128 dst fd00::2/128 reqid 5"
	echo "policy add dir in action protect priority 100 sel src fd00::2/128 dst fd00::1/128 reqid 5"
} | n a "$K" -batch - > /dev/null
sleep 0.3
for fam in 4 6; do
	if [ $fam = 4 ]; then l=10.0.0.1 r=10.0.0.2; else l=fd00::1 r=fd00::2; fi
	n a python3 "$KSAD_TOP/tests/groups/sockbypass.py" "$K" $l $r > "$TMPDIR/byp$fam.txt" 2>&1
	cat "$TMPDIR/byp$fam.txt" | sed 's/^/# IPv'$fam': /'
	check_out "IPv$fam: before bypass the IKE socket's datagram is held by the policy" '^before no$' cat "$TMPDIR/byp$fam.txt"
	check_out "IPv$fam: SOCKET_BYPASS of its cookie" '^bypass-rc 0$' cat "$TMPDIR/byp$fam.txt"
	check_out "IPv$fam: ... twice is refused" '^again-rc 1$' cat "$TMPDIR/byp$fam.txt"
	check_out "IPv$fam: exempt: out in the clear and the echo back in" '^exempt yes$' cat "$TMPDIR/byp$fam.txt"
	check_out "IPv$fam: another socket to the same peer port is still held" '^other no$' cat "$TMPDIR/byp$fam.txt"
	check_out "IPv$fam: after unbypass held again" '^after no$' cat "$TMPDIR/byp$fam.txt"
	check_out "IPv$fam: unbypass of a socket not exempt is refused" '^unbypass-again-rc 1$' cat "$TMPDIR/byp$fam.txt"
done
kill $echo_pid; wait $echo_pid 2>/dev/null
fails_with "a socket is named by a cookie" "not a socket cookie" n a "$K" socket bypass 0

step "transport mode, IPv6, AES-GCM-16-128"
reset_all
check "keyed" key transport fd00::1 fd00::2 fd00::1/128 fd00::2/128 \
	"$GCM" "$X_GCM" "$X_GCM_B" "$GCM_B"
check "ping both ways" ping_both fd00::1 fd00::2 -6
check_out "XFRM on b decrypted what ksad sent" '^[1-9]' xfrm_in_packets fd00::1 fd00::2
check "TCP over IPv6, 4 MiB, arrives intact" tcp_bulk fd00::1 fd00::2 6 5002

step "IPv6 extension headers before ESP (a hop-by-hop header)"
# udp_hbh NS-FROM NS-TO SRC DST: one UDP datagram with a hop-by-hop header;
# the receiver says whether it came, and with the hop-by-hop header.  ESP
# must go after it (a hop-by-hop header inside ESP would come out of it in
# second place, and the stack drops such a packet).
udp_hbh() {
	local from=$1 to=$2 src=$3 dst=$4
	rm -f "$TMPDIR/hbh.ready"
	n "$to" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPOPTS, 1)
s.bind((sys.argv[1], 7777)); s.settimeout(5)
open(sys.argv[2], "w").close()
data, anc, _, _ = s.recvmsg(100, 256)
print(data.decode(), "hop-by-hop" if any(c[1] == socket.IPV6_HOPOPTS for c in anc) else "none")
' "$dst" "$TMPDIR/hbh.ready" > "$TMPDIR/hbh.out" 2>&1 &
	local rcv=$!
	for _ in $(seq 50); do [ -e "$TMPDIR/hbh.ready" ] && break; sleep 0.1; done
	n "$from" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
# an option that may change en route (type 0x3e: AH zeroes it), two Pad1
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_HOPOPTS, bytes([0, 0, 0x3e, 2, 0xab, 0xcd, 0, 0]))
s.bind((sys.argv[1], 0)); s.sendto(b"hello", (sys.argv[2], 7777))
' "$src" "$dst"
	wait $rcv
	cat "$TMPDIR/hbh.out"
}
# key_as PROTO KEY-ARGS...: key() with that protocol
key_as() {
	local PROTO=$1
	shift
	key "$@"
}
# hbh_both PROTO KSAD-ALG XFRM-ALG XFRM-ALG-B KSAD-ALG-B: key transport IPv6
# with PROTO, then a datagram with a hop-by-hop header each way
hbh_both() {
	local p=$1
	reset_all
	check "$p: keyed (transport, IPv6)" key_as "$p" transport fd00::1 fd00::2 \
		fd00::1/128 fd00::2/128 "$2" "$3" "$4" "$5"
	check_out "$p, ksad -> XFRM: arrives with its hop-by-hop header" '^hello hop-by-hop$' \
		udp_hbh a b fd00::1 fd00::2
	local before
	before=$(stat_of in-packets)
	check_out "$p, XFRM -> ksad: arrives with its hop-by-hop header" '^hello hop-by-hop$' \
		udp_hbh b a fd00::2 fd00::1
	check "$p: ... taken in by ksad" counted in-packets $((before + 1))
}
hbh_both esp "$GCM" "$X_GCM" "$X_GCM_B" "$GCM_B"
hbh_both ah "auth hmac-sha256 $KEY32" "auth-trunc 'hmac(sha256)' $KEY32 128" \
	"auth-trunc 'hmac(sha256)' $KEY32B 128" "auth hmac-sha256 $KEY32B"

step "tunnel mode, IPv4 in IPv4"
reset_all
check "keyed" key tunnel 10.0.0.1 10.0.0.2 10.1.0.0/24 10.2.0.0/24 \
	"$GCM" "$X_GCM" "$X_GCM_B" "$GCM_B"
check "ping between the networks behind the ends" ping_both 10.1.0.1 10.2.0.1
check_out "XFRM on b decrypted what ksad sent" '^[1-9]' xfrm_in_packets 10.0.0.1 10.0.0.2
check "TCP through the tunnel, 4 MiB, arrives intact" tcp_bulk 10.1.0.1 10.2.0.1 4 5003

step "tunnel mode, IPv6 in IPv6"
reset_all
check "keyed" key tunnel fd00::1 fd00::2 fd01::/64 fd02::/64 \
	"$GCM" "$X_GCM" "$X_GCM_B" "$GCM_B"
check "ping between the networks behind the ends" ping_both fd01::1 fd02::1 -6
check "TCP through the tunnel, 4 MiB, arrives intact" tcp_bulk fd01::1 fd02::1 6 5004

step "tunnel mode, IPv4 in IPv6"
reset_all
check "keyed" key tunnel fd00::1 fd00::2 10.1.0.0/24 10.2.0.0/24 \
	"$GCM" "$X_GCM" "$X_GCM_B" "$GCM_B" "" "flag af-unspec"
check "ping between the IPv4 networks over IPv6" ping_both 10.1.0.1 10.2.0.1

step "SA_MIGRATE: a tunnel moves from IPv4 to IPv6 and back while traffic flows"
# xfrm_b_move OUTER-A OUTER-B FLAG states|policies: b's XFRM follows (same
# SPIs and keys as key() gave).  iproute2 cannot move an XFRM state, so b
# adds new ones, whose sequence numbers start again at 1: a's inbound SA
# checks no replay in this step.  a's outbound SA is what is watched: b's
# IPv4 state keeps its replay window, and takes a's packets again after
# the way back only if a's sequence numbers went on.
xfrm_b_move() {
	local ea=$1 eb=$2 flag=$3 what=$4
	{
		[ "$what" = states ] && {
			echo "xfrm state add src $ea dst $eb proto esp spi 0x1001 reqid 1 mode tunnel replay-window 64 $X_GCM $flag"
			echo "xfrm state add src $eb dst $ea proto esp spi 0x2002 reqid 1 mode tunnel replay-window 64 $X_GCM_B $flag"
		}
		echo "xfrm policy update src 10.2.0.0/24 dst 10.1.0.0/24 dir out priority 100 tmpl src $eb dst $ea proto esp reqid 1 mode tunnel"
		echo "xfrm policy update src 10.1.0.0/24 dst 10.2.0.0/24 dir in priority 100 tmpl src $ea dst $eb proto esp reqid 1 mode tunnel"
		echo "xfrm policy update src 10.1.0.0/24 dst 10.2.0.0/24 dir fwd priority 100 tmpl src $ea dst $eb proto esp reqid 1 mode tunnel"
	} | n b ip -batch -
}
# ksad_move FROM-A FROM-B OUTER-A OUTER-B: a's two SAs and their policies
ksad_move() {
	local from_a=$1 from_b=$2 ea=$3 eb=$4
	{
		echo "sa migrate dst $from_b proto esp spi 0x1001 new-dst $eb new-src $ea policies"
		echo "sa migrate dst $from_a proto esp spi 0x2002 new-dst $ea new-src $eb policies"
	} | n a "$K" -batch - > /dev/null
}
seq_errors() { n b awk '$1 == "XfrmInStateSeqError" { print $2 }' /proc/net/xfrm_stat; }
reset_all
check "keyed: a tunnel between 10.1/24 and 10.2/24 over IPv4" key tunnel 10.0.0.1 10.0.0.2 \
	10.1.0.0/24 10.2.0.0/24 "$GCM" "$X_GCM" "$X_GCM_B" "$GCM_B"
n a "$K" sa update dst 10.0.0.1 proto esp spi 0x2002 replay-window 0 > /dev/null
check "100 pings through it first (b's IPv4 state: beyond its 64-packet window)" \
	n a ping -q -c 100 -i 0.01 -W 1 -I 10.1.0.1 10.2.0.1
seq0=$(seq_errors)
ip netns exec a "$K" monitor sa > "$TMPDIR/mig-mon.txt" 2>&1 &
mon=$!
n a ping -q -i 0.05 -c 300 -W 1 -I 10.1.0.1 10.2.0.1 > "$TMPDIR/mig-ping.txt" 2>&1 &
pinger=$!
sleep 2
# b first (its IPv4 states stay, for the way back), then a, as MOBIKE does
xfrm_b_move fd00::1 fd00::2 "flag af-unspec" states
check "MIGRATE a's two SAs and their tunnels to IPv6, traffic flowing" ksad_move \
	10.0.0.1 10.0.0.2 fd00::1 fd00::2
sleep 2
check "TCP through the moved tunnel, 1 MiB, arrives intact" tcp_bulk 10.1.0.1 10.2.0.1 1 5021
check_out "XFRM took ESP over IPv6 on b" '^[1-9]' sh -c \
	"ip netns exec b ip -s xfrm state get src fd00::1 dst fd00::2 proto esp spi 0x1001 |
	 awk '/lifetime current:/ { getline; print \$2 }' | tr -d '(a-z)'"
check_out "a's policy's tunnel moved with the SA" 'tunnel src fd00::1 dst fd00::2' n a "$K" policy list
xfrm_b_move 10.0.0.1 10.0.0.2 "" policies
check "MIGRATE them back to IPv4, traffic flowing" ksad_move fd00::1 fd00::2 10.0.0.1 10.0.0.2
wait $pinger
lost=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$TMPDIR/mig-ping.txt")
lost=${lost%.*}
echo "# migration under traffic, a ping every 50 ms through both moves of both ends:"
echo "#   $(grep 'packets transmitted' "$TMPDIR/mig-ping.txt")"
check "traffic got through the moves (under 40% lost)" test "${lost:-100}" -lt 40
check "ping through the tunnel after both moves: b's IPv4 state took a's packets, so a's sequence numbers went on" \
	ping_both 10.1.0.1 10.2.0.1
check_out "... and XFRM on b counted no replay" "^${seq0:-x}\$" seq_errors
kill $mon; wait $mon 2>/dev/null
check_out "the SAs announced their moves" '^4$' sh -c "grep -c '^\[sa\] migrated' $TMPDIR/mig-mon.txt"
check_out "a's outbound SA is back on IPv4 with all its packets counted" \
	' [1-9][0-9]{3,} packets' n a "$K" sa get dst 10.0.0.2 proto esp spi 0x1001
check_out "its policy's tunnel moved back too" 'tunnel src 10.0.0.1 dst 10.0.0.2' n a "$K" policy list
fails_with "MIGRATE to where an SA is refused" "at the new destination" sh -c \
	"ip netns exec a $K sa add src 10.0.0.1 dst 10.0.0.9 proto esp spi 0x1001 dir out $GCM > /dev/null;
	 ip netns exec a $K sa migrate dst 10.0.0.2 proto esp spi 0x1001 new-dst 10.0.0.9"
fails_with "MIGRATE of an SA that is not there" "no SA with this SPI" \
	n a "$K" sa migrate dst 10.0.0.2 proto esp spi 0x7777 new-dst 10.0.0.9
fails_with "MIGRATE to nowhere" "needs a new destination, source or encapsulation" \
	n a "$K" sa migrate dst 10.0.0.2 proto esp spi 0x1001

# every algorithm, AH, both modes and both families: the matrix group

step "extended sequence numbers"
reset_all
check "keyed with ESN (AES-GCM)" key transport 10.0.0.1 10.0.0.2 10.0.0.1/32 10.0.0.2/32 \
	"$GCM" "$X_GCM" "$X_GCM_B" "$GCM_B" "flag esn" "flag esn"
check "ping both ways" ping_both 10.0.0.1 10.0.0.2
reset_all
check "keyed with ESN (AES-CBC + HMAC, authencesn)" key transport 10.0.0.1 10.0.0.2 \
	10.0.0.1/32 10.0.0.2/32 "enc aes-cbc $KEY16 auth hmac-sha256 $KEY32" \
	"enc 'cbc(aes)' $KEY16 auth-trunc 'hmac(sha256)' $KEY32 128" \
	"enc 'cbc(aes)' $KEY16 auth-trunc 'hmac(sha256)' $KEY32B 128" \
	"enc aes-cbc $KEY16 auth hmac-sha256 $KEY32B" "flag esn" "flag esn"
check "ping both ways" ping_both 10.0.0.1 10.0.0.2

step "replay: b's ESP packets captured and sent again"
reset_all
key transport 10.0.0.1 10.0.0.2 10.0.0.1/32 10.0.0.2/32 "$GCM" "$X_GCM" "$X_GCM_B" "$GCM_B"
before=$(stat_of in-replay)
rm -f "$TMPDIR/replay.ready"
n b python3 - "$TMPDIR/replay.ready" <<'EOF' > "$TMPDIR/replay.txt" 2>&1 &
import socket, sys, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
s.bind(("vb", 0)); s.settimeout(10)
open(sys.argv[1], "w").close()
frames = []
while len(frames) < 3:
    f, addr = s.recvfrom(65535)
    # outgoing IPv4 ESP from b (pkttype 4 = PACKET_OUTGOING)
    if addr[2] == 4 and f[12:14] == b"\x08\x00" and f[23] == 50:
        frames.append(f)
time.sleep(0.5)
for f in frames:
    s.send(f)
print("resent", len(frames))
EOF
rp=$!
for _ in $(seq 100); do [ -e "$TMPDIR/replay.ready" ] && break; sleep 0.1; done
n b ping -c 3 -i 0.2 -W 2 10.0.0.1 > /dev/null
wait $rp
check_out "three of b's ESP frames were sent again" 'resent 3' cat "$TMPDIR/replay.txt"
sleep 0.3
check "ksad dropped them as replays" counted in-replay $((before + 3))
check_out "... and counted them on the SA" 'replay [1-9]' \
	n a "$K" sa get dst 10.0.0.1 proto esp spi 0x2002

step "asynchronous crypto (transforms through cryptd)"
echo 1 > /sys/module/ksad/parameters/force_cryptd
reset_all
check "keyed (AES-GCM via cryptd)" key transport 10.0.0.1 10.0.0.2 10.0.0.1/32 10.0.0.2/32 \
	"$GCM" "$X_GCM" "$X_GCM_B" "$GCM_B"
check "ping both ways" ping_both 10.0.0.1 10.0.0.2
check "TCP, 4 MiB, arrives intact" tcp_bulk 10.0.0.1 10.0.0.2 4 5005
reset_all
check "keyed (tunnel, ChaCha20-Poly1305 via cryptd)" key tunnel 10.0.0.1 10.0.0.2 \
	10.1.0.0/24 10.2.0.0/24 "aead chacha20-poly1305 $KEY36" \
	"aead 'rfc7539esp(chacha20,poly1305)' $KEY36 128" \
	"aead 'rfc7539esp(chacha20,poly1305)' $KEY36B 128" "aead chacha20-poly1305 $KEY36B"
check "ping between the networks" ping_both 10.1.0.1 10.2.0.1
check "the transforms completed asynchronously" counted crypto-async 12
echo 0 > /sys/module/ksad/parameters/force_cryptd

step "byte and packet lifetimes counted on the datapath"
reset_all
key transport 10.0.0.1 10.0.0.2 10.0.0.1/32 10.0.0.2/32 "$GCM" "$X_GCM" "$X_GCM_B" "$GCM_B"
n a "$K" sa update dst 10.0.0.2 proto esp spi 0x1001 limit packet-soft 2 packet-hard 4 > /dev/null
ip netns exec a "$K" monitor expire > "$TMPDIR/exp.txt" 2>&1 &
mon=$!
sleep 0.3
n a ping -c 6 -i 0.2 -W 1 10.0.0.2 > /dev/null
sleep 0.5
kill $mon; wait $mon 2>/dev/null
check_out "soft then hard EXPIRE from packet counts" 'soft esp spi 0x00001001.*hard esp spi 0x00001001' \
	sh -c "tr '\n' ' ' < $TMPDIR/exp.txt"
fails_with "the outbound SA is gone after its hard limit" "No such process" \
	n a "$K" sa get dst 10.0.0.2 proto esp spi 0x1001

step "ESP for SPIs ksad does not own is left to XFRM in the same namespace"
reset_all
n a "$K" policy flush
n a ip xfrm state add src 10.0.0.2 dst 10.0.0.1 proto esp spi 0x3003 reqid 3 mode transport \
	aead 'rfc4106(gcm(aes))' $KEY20 128
n a ip xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x3004 reqid 3 mode transport \
	aead 'rfc4106(gcm(aes))' $KEY20B 128
n a ip xfrm policy add src 10.0.0.1 dst 10.0.0.2 dir out tmpl proto esp reqid 3 mode transport
n a ip xfrm policy add src 10.0.0.2 dst 10.0.0.1 dir in tmpl proto esp reqid 3 mode transport
n b ip xfrm state add src 10.0.0.2 dst 10.0.0.1 proto esp spi 0x3003 reqid 3 mode transport \
	aead 'rfc4106(gcm(aes))' $KEY20 128
n b ip xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x3004 reqid 3 mode transport \
	aead 'rfc4106(gcm(aes))' $KEY20B 128
n b ip xfrm policy add src 10.0.0.2 dst 10.0.0.1 dir out tmpl proto esp reqid 3 mode transport
n b ip xfrm policy add src 10.0.0.1 dst 10.0.0.2 dir in tmpl proto esp reqid 3 mode transport
before=$(stat_of in-no-sa)
check "XFRM <-> XFRM works with ksad loaded" ping_both 10.0.0.1 10.0.0.2
check "ksad counted the ESP it left alone" counted in-no-sa $((before + 3))
n a ip xfrm state flush; n a ip xfrm policy flush

step "malformed and hostile ESP, crafted with a NULL + HMAC-SHA-256 SA"
reset_all
n a "$K" sa add src 10.0.0.2 dst 10.0.0.1 proto esp spi 0x3001 dir in replay-window 64 \
	enc null - auth hmac-sha256 $KEY32 > /dev/null
# esp_send KIND:SEQ...: b sends raw ESP to a (the kernel adds the IPv4 header)
esp_send() {
	n b python3 -c '
import hashlib, hmac, socket, struct, sys
key = bytes.fromhex(sys.argv[1][2:])
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 50)
def esp(spi, seq, payload=bytes(6), pad=None, flip=False, cut=None):
    padlen = (-(len(payload) + 2)) % 4
    padb = bytes(range(1, padlen + 1)) if pad is None else pad
    body = struct.pack("!II", spi, seq) + payload + padb + bytes([len(padb), 59])
    icv = hmac.new(key, body, hashlib.sha256).digest()[:16]
    if flip:
        icv = icv[:-1] + bytes([icv[-1] ^ 1])
    p = body + icv
    return p[:cut] if cut else p
for what in sys.argv[2:]:
    kind, seq = what.split(":")
    seq = int(seq)
    p = {"good": lambda: esp(0x3001, seq),
         "badpad": lambda: esp(0x3001, seq, payload=bytes(4), pad=bytes([9, 9])),
         "flip": lambda: esp(0x3001, seq, flip=True),
         "short": lambda: esp(0x3001, seq, cut=12),
         "nosa": lambda: esp(0x9999, seq)}[kind]()
    s.sendto(p, ("10.0.0.1", 0))
' "$KEY32" "$@"
}
# delta NAME CMD...: how much counter NAME grew while CMD ran
delta() {
	local name=$1 before
	shift
	before=$(stat_of "$name")
	"$@"
	sleep 0.3
	echo $(( $(stat_of "$name") - before ))
}
check_out "a genuine packet is decrypted" '^1$' delta in-packets esp_send good:1
check_out "the same sequence number again: replay" '^1$' delta in-replay esp_send good:1
check_out "a flipped ICV byte: integrity failure" '^1$' delta in-integrity-failed esp_send flip:2
check_out "... and its sequence number stays usable" '^1$' delta in-packets esp_send good:2
check_out "padding bytes that are not 1, 2, ...: bad padding" '^1$' delta in-bad-padding esp_send badpad:3
check_out "a packet cut after 12 bytes: malformed" '^1$' delta in-malformed esp_send short:4
check_out "an unknown SPI is left to the stack and counted" '^1$' delta in-no-sa esp_send nosa:1
esp_send good:1000
check_out "after 1000, 900 is too old for the 64-packet window" '^1$' delta in-replay esp_send good:900
check_out "the SA counted one integrity failure and two replays" 'replay 2 integrity 1' \
	n a "$K" sa get dst 10.0.0.1 proto esp spi 0x3001

step "malformed and hostile AH, crafted with the SA's key"
n a "$K" sa add src 10.0.0.2 dst 10.0.0.1 proto ah spi 0x3002 dir in replay-window 64 \
	auth hmac-sha256 $KEY32 > /dev/null
# ah_send KIND:SEQ...: b sends whole IPv4 packets with AH to a (TTL and TOS
# vary: they are mutable, the ICV must not depend on them)
ah_send() {
	n b python3 -c '
import hashlib, hmac, random, socket, struct, sys
key = bytes.fromhex(sys.argv[1][2:])
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
A, B = socket.inet_aton("10.0.0.1"), socket.inet_aton("10.0.0.2")
def ah(spi, seq, flip=False, cut=None, hdrlen=6):
    udp = struct.pack("!HHHH", 4000, 9, 12, 0) + b"ping"
    hdr = struct.pack("!BBHII", 17, hdrlen, 0, spi, seq)
    tot = 20 + 32 + len(udp)
    ip0 = struct.pack("!BBHHHBBH4s4s", 0x45, 0, tot, 7, 0, 0, 51, 0, B, A)
    icv = hmac.new(key, ip0 + hdr + bytes(20) + udp, hashlib.sha256).digest()[:16]
    if flip:
        icv = icv[:-1] + bytes([icv[-1] ^ 1])
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, random.randrange(256), tot, 7, 0,
                     random.randrange(1, 256), 51, 0, B, A)
    p = ip + hdr + icv + bytes(4) + udp
    return p[:cut] if cut else p
for what in sys.argv[2:]:
    kind, seq = what.split(":")
    seq = int(seq)
    p = {"good": lambda: ah(0x3002, seq),
         "flip": lambda: ah(0x3002, seq, flip=True),
         "short": lambda: ah(0x3002, seq, cut=40),
         "badlen": lambda: ah(0x3002, seq, hdrlen=7),
         "nosa": lambda: ah(0x9998, seq)}[kind]()
    s.sendto(p, ("10.0.0.1", 0))
' "$KEY32" "$@"
}
check_out "a genuine AH packet passes (TTL and TOS are not signed)" '^1$' delta in-packets ah_send good:1
check_out "the same sequence number again: replay" '^1$' delta in-replay ah_send good:1
check_out "a flipped ICV byte: integrity failure" '^1$' delta in-integrity-failed ah_send flip:2
check_out "... and its sequence number stays usable" '^1$' delta in-packets ah_send good:2
check_out "a packet cut inside the ICV: malformed" '^1$' delta in-malformed ah_send short:3
check_out "an AH length that is not 28 or 32 bytes: malformed" '^1$' delta in-malformed ah_send badlen:4
check_out "an unknown SPI is left to the stack and counted" '^1$' delta in-no-sa ah_send nosa:1
check_out "the AH SA counted one integrity failure and one replay" 'replay 1 integrity 1' \
	n a "$K" sa get dst 10.0.0.1 proto ah spi 0x3002

step "policy operations"
reset_all
id=$(n a "$K" policy add dir out action discard sel src 10.0.0.1/32 dst 10.0.0.2/32 | sed -n 's/^policy \([0-9]*\) .*/\1/p')
check "POLICY_ADD returns an id" test -n "$id"
check_out "GET by id" "^policy $id dir out action discard" n a "$K" policy get id "$id"
check_fails "a discard policy drops" n a ping -c 1 -W 1 10.0.0.2
check "counted as out-discarded" counted out-discarded 1
check "DELETE by id" n a "$K" policy delete id "$id"
fails_with "DELETE again: no such policy" "no policy with this ID" n a "$K" policy delete id "$id"
fails_with "tunnel mode needs a tunnel destination" "tunnel destination" \
	n a "$K" policy add dir out action protect mode tunnel
fails_with "bypass takes no SA parameters" "are for protect policies" \
	n a "$K" policy add dir out action bypass reqid 3
check_out "an AH policy is shown as one" '^.ah mode tunnel reqid 0 tunnel src .* dst 10.0.0.2' sh -c \
	"ip netns exec a $K policy add dir out action protect proto ah mode tunnel tunnel dst 10.0.0.2 > /dev/null &&
	 ip netns exec a $K policy list"
check_out "policies are listed in priority order" '^[0-9]+ 1 [0-9]+ 5 [0-9]+ 1000 $' sh -c \
	"ip netns exec a $K policy flush; ip netns exec a $K policy add dir in action bypass > /dev/null;
	 ip netns exec a $K policy add dir in action bypass priority 5 > /dev/null;
	 ip netns exec a $K policy add dir in action bypass priority 1 > /dev/null;
	 ip netns exec a $K policy list | sed -n 's/^policy \([0-9]*\) .* priority \([0-9]*\) .*/\1 \2/p' | tr '\n' ' '"

step "teardown while traffic flows (async crypto, so requests are in flight)"
echo 1 > /sys/module/ksad/parameters/force_cryptd
reset_all
key transport 10.0.0.1 10.0.0.2 10.0.0.1/32 10.0.0.2/32 "$GCM" "$X_GCM" "$X_GCM_B" "$GCM_B"
n b ping -f -w 4 10.0.0.1 > /dev/null 2>&1 &
f1=$!
n a ping -f -w 4 10.0.0.2 > /dev/null 2>&1 &
f2=$!
sleep 1
check "namespace a deleted while both sides flood" ip netns delete a
wait $f1 $f2
ip netns add a
ip link add va netns a type veth peer name vb2 netns b
n a ip link set lo up; n a ip addr add 10.0.0.1/24 dev va; n a ip link set va up
n b ip addr flush dev vb 2>/dev/null; n b ip link del vb 2>/dev/null
n b ip addr add 10.0.0.2/24 dev vb2; n b ip link set vb2 up
n b ip xfrm state flush; n b ip xfrm policy flush
key transport 10.0.0.1 10.0.0.2 10.0.0.1/32 10.0.0.2/32 "$GCM" "$X_GCM" "$X_GCM_B" "$GCM_B"
check "the new namespace works" ping_both 10.0.0.1 10.0.0.2
# One namespace's teardown waits for its own requests in the crypto API
# only: y, with an SA of its own, is gone within seconds while a and b flood
# each other through cryptd.  (The deterministic case, a request that never
# completes, is KUnit's sad_inflight_per_namespace.)
mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
if [ -d /sys/kernel/tracing/events/ksad ]; then
	ip netns add y
	n y "$K" sa add src 192.0.2.9 dst 192.0.2.8 proto esp spi 0x7e7e dir out $GCM > /dev/null
	echo > /sys/kernel/tracing/trace
	echo 1 > /sys/kernel/tracing/events/ksad/ksad_remove/enable
	n b ping -f -w 6 10.0.0.1 > /dev/null 2>&1 &
	f1=$!
	n a ping -f -w 6 10.0.0.2 > /dev/null 2>&1 &
	f2=$!
	sleep 1
	t0=$(date +%s%N)
	ip netns delete y
	gone=0
	for _ in $(seq 100); do
		grep -q 'ksad_remove: spi=0x00007e7e' /sys/kernel/tracing/trace && gone=1 && break
		sleep 0.05
	done
	echo "# y's SA was removed $(( ($(date +%s%N) - t0) / 1000000 )) ms after ip netns delete, a and b flooding"
	echo 0 > /sys/kernel/tracing/events/ksad/ksad_remove/enable
	check "a namespace's teardown ends within 5 s while two others flood through cryptd" test $gone = 1
	wait $f1 $f2
else
	fail "tracepoints: no events/ksad in tracefs"
fi
n b ping -f -w 6 10.0.0.1 > /dev/null 2>&1 &
f1=$!
n a ping -f -w 6 10.0.0.2 > /dev/null 2>&1 &
f2=$!
sleep 1
unloaded=0
for _ in $(seq 50); do
	if rmmod ksad 2> /dev/null; then unloaded=1; break; fi
	sleep 0.1
done
check "rmmod ksad while both sides flood" test $unloaded = 1
wait $f1 $f2
ip netns delete a
ip netns delete b
sleep 0.5
check "ksad loads again" load_ksad
check "rmmod ksad" rmmod ksad
done_testing
