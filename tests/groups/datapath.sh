#!/bin/bash
# The datapath against the oracle: namespace "a" runs ksad, namespace "b" the
# kernel's own XFRM, keyed with the same SPIs and keys.  Every byte ksad puts
# on the wire must be accepted by XFRM and the other way round; a wrong key
# must break traffic.  Transport and tunnel mode, IPv4 and IPv6, each
# algorithm, sync and async (cryptd) crypto, replay, plaintext and ACQUIRE.
. "$(dirname "$0")/lib.sh"
K=$KSADCTL

KEY20=0x0102030405060708090a0b0c0d0e0f1011121314
KEY20B=0x2122232425262728292a2b2c2d2e2f3031323334
KEY36=0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021222324
KEY36B=0x4142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f6061626364
KEY16=0x000102030405060708090a0b0c0d0e0f
KEY32=0x303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f
KEY32B=0x505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f

modprobe -q esp4; modprobe -q esp6; modprobe -q xfrm_user; modprobe -q veth
load_ksad
check "ksad0 exists in a new namespace" sh -c 'ip netns add probe && ip netns exec probe ip link show ksad0 && ip netns delete probe'

ip netns add a
ip netns add b
ip link add va netns a type veth peer name vb netns b
for ns in a b; do n $ns ip link set lo up; n $ns sysctl -qw net.ipv4.ip_forward=1; done
n a ip addr add 10.0.0.1/24 dev va
n b ip addr add 10.0.0.2/24 dev vb
n a ip addr add fd00::1/64 dev va nodad
n b ip addr add fd00::2/64 dev vb nodad
n a ip link set va up; n b ip link set vb up
# networks behind each end, for tunnel mode
n a ip addr add 10.1.0.1/24 dev lo; n b ip addr add 10.2.0.1/24 dev lo
n a ip addr add fd01::1/64 dev lo; n b ip addr add fd02::1/64 dev lo
n a ip route add 10.2.0.0/24 via 10.0.0.2; n b ip route add 10.1.0.0/24 via 10.0.0.1
n a ip route add fd02::/64 via fd00::2; n b ip route add fd01::/64 via fd00::1

# Neighbour Discovery stays in the clear on both sides (a decrypted NA would
# arrive on ksad0, not on its link): bypass policies for ICMPv6 133-137,
# ahead of the protect policies (XFRM: lower priority value first).
nd_bypass() {
	local t
	for t in 133 134 135 136 137; do
		n a "$K" policy add dir out action bypass priority 1 \
			sel src ::/0 dst ::/0 proto icmpv6 type "$t" > /dev/null
		n a "$K" policy add dir in action bypass priority 1 \
			sel src ::/0 dst ::/0 proto icmpv6 type "$t" > /dev/null
		for d in out in fwd; do
			n b ip xfrm policy add src ::/0 dst ::/0 proto ipv6-icmp type "$t" \
				dir $d priority 1
		done
	done
}

reset_all() {
	n a "$K" sa flush; n a "$K" policy flush
	n b ip xfrm state flush; n b ip xfrm policy flush
	nd_bypass
}

# key MODE A B [ALG-ARGS-KSAD] [ALG-ARGS-XFRM] [EXTRA-KSAD] [EXTRA-XFRM]
# SAs and policies between A (on a) and B (on b) for traffic SELA <-> SELB.
# a sends with SPI 0x1001, b with 0x2002.
key() {
	local mode=$1 ea=$2 eb=$3 sela=$4 selb=$5 kalg=$6 xalg_ab=$7 xalg_ba=$8
	local kalg_ba=$9 kx=${10:-} xx=${11:-} tun_a="" tun_b=""
	if [ "$mode" = tunnel ]; then
		tun_a="tunnel src $ea dst $eb"
		tun_b="tunnel src $eb dst $ea"
	fi
	# shellcheck disable=SC2086
	n a "$K" sa add src "$ea" dst "$eb" proto esp spi 0x1001 dir out \
		mode "$mode" reqid 1 $kalg $kx > /dev/null &&
	n a "$K" sa add src "$eb" dst "$ea" proto esp spi 0x2002 dir in \
		mode "$mode" reqid 1 replay-window 64 $kalg_ba $kx > /dev/null &&
	n a "$K" policy add dir out action protect sel src "$sela" dst "$selb" \
		mode "$mode" reqid 1 $tun_a > /dev/null &&
	n a "$K" policy add dir in action protect sel src "$selb" dst "$sela" \
		mode "$mode" reqid 1 > /dev/null &&
	# eval: XFRM's NULL cipher wants an empty key argument ('')
	eval "n b ip xfrm state add src $ea dst $eb proto esp spi 0x1001 reqid 1 \
		mode $mode replay-window 64 $xalg_ab $xx" &&
	eval "n b ip xfrm state add src $eb dst $ea proto esp spi 0x2002 reqid 1 \
		mode $mode replay-window 64 $xalg_ba $xx" &&
	n b ip xfrm policy add src "$selb" dst "$sela" dir out priority 100 \
		tmpl src "$eb" dst "$ea" proto esp reqid 1 mode "$mode" &&
	n b ip xfrm policy add src "$sela" dst "$selb" dir in priority 100 \
		tmpl src "$ea" dst "$eb" proto esp reqid 1 mode "$mode" &&
	n b ip xfrm policy add src "$sela" dst "$selb" dir fwd priority 100 \
		tmpl src "$ea" dst "$eb" proto esp reqid 1 mode "$mode"
}

GCM="aead aes-gcm-16 $KEY20"
GCM_B="aead aes-gcm-16 $KEY20B"
X_GCM="aead 'rfc4106(gcm(aes))' $KEY20 128"
X_GCM_B="aead 'rfc4106(gcm(aes))' $KEY20B 128"

stat_of() { n a "$K" stats | awk -v k="$1" '$1 == k { print $2 }'; }
# counted NAME MIN: the namespace counter NAME is at least MIN
counted() { [ "$(stat_of "$1")" -ge "$2" ]; }
xfrm_in_packets() {
	n b ip -s xfrm state get src "$1" dst "$2" proto esp spi 0x1001 |
		awk '/lifetime current:/ { getline; print $2 }' | tr -d '(a-z)'
}

# ping_both A_ADDR B_ADDR [ping args]: both ways, 3 packets each.
ping_both() {
	local sa=$1 sb=$2
	shift 2
	n a ping "$@" -c 3 -i 0.2 -W 2 -I "$sa" "$sb" > /dev/null &&
	n b ping "$@" -c 3 -i 0.2 -W 2 -I "$sb" "$sa" > /dev/null
}

# A TCP transfer of 4 MiB from a to b and its SHA-256 on arrival.
tcp_bulk() {
	local src=$1 dst=$2 fam=$3 port=$4
	rm -f "$TMPDIR/bulk.ready"
	n b python3 - "$dst" "$port" "$fam" "$TMPDIR/bulk.ready" > "$TMPDIR/bulk.out" 2>&1 <<'EOF' &
import hashlib, socket, sys
fam = socket.AF_INET6 if sys.argv[3] == "6" else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(1); s.settimeout(20)
open(sys.argv[4], "w").close()
c, _ = s.accept(); c.settimeout(20)
h = hashlib.sha256(); n = 0
while True:
    d = c.recv(65536)
    if not d: break
    h.update(d); n += len(d)
print(n, h.hexdigest())
EOF
	local srv=$!
	for _ in $(seq 100); do [ -e "$TMPDIR/bulk.ready" ] && break; sleep 0.1; done
	local want
	want=$(n a python3 - "$src" "$dst" "$port" "$fam" <<'EOF'
import hashlib, socket, sys
fam = socket.AF_INET6 if sys.argv[4] == "6" else socket.AF_INET
data = bytes((i * 7 + i // 251) & 0xff for i in range(4 << 20))
s = socket.socket(fam, socket.SOCK_STREAM); s.settimeout(20)
s.bind((sys.argv[1], 0)); s.connect((sys.argv[2], int(sys.argv[3])))
s.sendall(data); s.close()
print(len(data), hashlib.sha256(data).hexdigest())
EOF
)
	wait $srv
	[ -n "$want" ] && [ "$want" = "$(cat "$TMPDIR/bulk.out")" ]
}

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
n a "$K" monitor acquire > "$TMPDIR/acq.txt" 2>&1 &
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

step "transport mode, IPv6, AES-GCM-16-128"
reset_all
check "keyed" key transport fd00::1 fd00::2 fd00::1/128 fd00::2/128 \
	"$GCM" "$X_GCM" "$X_GCM_B" "$GCM_B"
check "ping both ways" ping_both fd00::1 fd00::2 -6
check_out "XFRM on b decrypted what ksad sent" '^[1-9]' xfrm_in_packets fd00::1 fd00::2
check "TCP over IPv6, 4 MiB, arrives intact" tcp_bulk fd00::1 fd00::2 6 5002

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

step "each algorithm, transport mode, IPv4"
alg_case() {
	local name=$1 kab=$2 kba=$3 xab=$4 xba=$5
	reset_all
	check "$name: keyed" key transport 10.0.0.1 10.0.0.2 10.0.0.1/32 10.0.0.2/32 \
		"$kab" "$xab" "$xba" "$kba"
	check "$name: ping both ways" ping_both 10.0.0.1 10.0.0.2
	check_out "$name: XFRM decrypted ksad's packets" '^[1-9]' xfrm_in_packets 10.0.0.1 10.0.0.2
}
alg_case "AES-GCM-16-256" "aead aes-gcm-16 $KEY36" "aead aes-gcm-16 $KEY36B" \
	"aead 'rfc4106(gcm(aes))' $KEY36 128" "aead 'rfc4106(gcm(aes))' $KEY36B 128"
alg_case "ChaCha20-Poly1305" "aead chacha20-poly1305 $KEY36" "aead chacha20-poly1305 $KEY36B" \
	"aead 'rfc7539esp(chacha20,poly1305)' $KEY36 128" \
	"aead 'rfc7539esp(chacha20,poly1305)' $KEY36B 128"
alg_case "AES-CBC-128 + HMAC-SHA-256-128" \
	"enc aes-cbc $KEY16 auth hmac-sha256 $KEY32" "enc aes-cbc $KEY16 auth hmac-sha256 $KEY32B" \
	"enc 'cbc(aes)' $KEY16 auth-trunc 'hmac(sha256)' $KEY32 128" \
	"enc 'cbc(aes)' $KEY16 auth-trunc 'hmac(sha256)' $KEY32B 128"
alg_case "AES-CBC-256 + HMAC-SHA-256-128" \
	"enc aes-cbc $KEY32 auth hmac-sha256 $KEY32" "enc aes-cbc $KEY32B auth hmac-sha256 $KEY32B" \
	"enc 'cbc(aes)' $KEY32 auth-trunc 'hmac(sha256)' $KEY32 128" \
	"enc 'cbc(aes)' $KEY32B auth-trunc 'hmac(sha256)' $KEY32B 128"
alg_case "NULL + HMAC-SHA-256-128" \
	"enc null - auth hmac-sha256 $KEY32" "enc null - auth hmac-sha256 $KEY32B" \
	"enc 'ecb(cipher_null)' '' auth-trunc 'hmac(sha256)' $KEY32 128" \
	"enc 'ecb(cipher_null)' '' auth-trunc 'hmac(sha256)' $KEY32B 128"

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
n a "$K" monitor expire > "$TMPDIR/exp.txt" 2>&1 &
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
fails_with "AH is not in the datapath yet" "ESP only" \
	n a "$K" policy add dir out action protect proto ah
check_out "policies are listed in priority order" '^[0-9]+ 1 [0-9]+ 5 [0-9]+ 1000 $' sh -c \
	"ip netns exec a $K policy flush; ip netns exec a $K policy add dir in action bypass > /dev/null;
	 ip netns exec a $K policy add dir in action bypass priority 5 > /dev/null;
	 ip netns exec a $K policy add dir in action bypass priority 1 > /dev/null;
	 ip netns exec a $K policy list | sed -n 's/^policy \([0-9]*\) .* priority \([0-9]*\) .*/\1 \2/p' | tr '\n' ' '"

ip netns delete a
ip netns delete b
sleep 0.5
check "rmmod ksad" rmmod ksad
done_testing
