#!/bin/bash
# The interop oracle: the kernel's own XFRM ESP with AES-GCM between two
# namespaces over veth, IPv4 and IPv6, transport mode.  Later groups test
# ksad against exactly this.  A wrong key on one side must break traffic,
# which proves that packets really were encrypted and checked.
. "$(dirname "$0")/lib.sh"

# Fixed test keys (20 bytes: 16 key + 4 salt), never used outside the lab.
KEY_AB=0x0102030405060708090a0b0c0d0e0f1011121314
KEY_BA=0x2122232425262728292a2b2c2d2e2f3031323334
SPI_AB=0x1001
SPI_BA=0x2002

modprobe -q esp4 2>/dev/null; modprobe -q esp6 2>/dev/null
modprobe -q xfrm_user 2>/dev/null; modprobe -q veth 2>/dev/null

ip netns add a
ip netns add b
ip link add va netns a type veth peer name vb netns b
n a ip link set lo up; n b ip link set lo up
n a ip addr add 10.0.0.1/24 dev va
n b ip addr add 10.0.0.2/24 dev vb
n a ip addr add fd00::1/64 dev va nodad
n b ip addr add fd00::2/64 dev vb nodad
n a ip link set va up; n b ip link set vb up

# xfrm_key NS LOCAL PEER: SAs both ways and policies requiring ESP between
# LOCAL and PEER, in namespace NS.  Host A sends with SPI_AB, B with SPI_BA.
xfrm_key() {
	local ns=$1 a=$2 b=$3 out_spi=$SPI_AB in_spi=$SPI_BA okey=$KEY_AB ikey=$KEY_BA
	if [ "$ns" = b ]; then
		out_spi=$SPI_BA in_spi=$SPI_AB okey=$KEY_BA ikey=$KEY_AB
	fi
	n "$ns" ip xfrm state add src "$a" dst "$b" proto esp spi $out_spi reqid 1 \
		mode transport aead 'rfc4106(gcm(aes))' $okey 128 &&
	n "$ns" ip xfrm state add src "$b" dst "$a" proto esp spi $in_spi reqid 1 \
		mode transport aead 'rfc4106(gcm(aes))' $ikey 128 &&
	n "$ns" ip xfrm policy add src "$a" dst "$b" dir out \
		tmpl src "$a" dst "$b" proto esp reqid 1 mode transport &&
	n "$ns" ip xfrm policy add src "$b" dst "$a" dir in \
		tmpl src "$b" dst "$a" proto esp reqid 1 mode transport
}

check "a: XFRM SAs and policies (IPv4)" xfrm_key a 10.0.0.1 10.0.0.2
check "b: XFRM SAs and policies (IPv4)" xfrm_key b 10.0.0.2 10.0.0.1
check "a: XFRM SAs and policies (IPv6)" xfrm_key a fd00::1 fd00::2
check "b: XFRM SAs and policies (IPv6)" xfrm_key b fd00::2 fd00::1

check "IPv4 ping through XFRM ESP AES-GCM" n a ping -c 3 -i 0.2 -W 2 10.0.0.2
check "IPv6 ping through XFRM ESP AES-GCM" n a ping -6 -c 3 -i 0.2 -W 2 fd00::2
# The SAs really carried the packets: b's inbound SA counted them.
check_out "b's inbound IPv4 SA counted ESP packets" '[1-9][0-9]*\(packets\)' \
	sh -c "ip netns exec b ip -s xfrm state get src 10.0.0.1 dst 10.0.0.2 proto esp spi $SPI_AB | grep -A2 'lifetime current'"
check_out "no ESP integrity failures on b" '^[[:space:]]*XfrmInStateProtoError[[:space:]]+0$' \
	n b cat /proc/net/xfrm_stat

step "negative control: b decrypts with a different key"
n b ip xfrm state delete src 10.0.0.1 dst 10.0.0.2 proto esp spi $SPI_AB
n b ip xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi $SPI_AB reqid 1 \
	mode transport aead 'rfc4106(gcm(aes))' $KEY_BA 128
check_fails "ping fails when the keys differ" n a ping -c 2 -i 0.2 -W 1 10.0.0.2
check_out "b counted the ICV failures" '^XfrmInStateProtoError[[:space:]]+[1-9]' \
	n b cat /proc/net/xfrm_stat

ip netns delete a
ip netns delete b
done_testing
