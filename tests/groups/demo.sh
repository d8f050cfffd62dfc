#!/bin/bash
# The demo (make demo): what a student sees.  Two peers key an SA pair in
# the order of the seed's diagram; each side's SAD events are shown as they
# happen.  Also a test group: every step is checked, so the demo cannot rot.
. "$(dirname "$0")/lib.sh"
K=$KSADCTL
KEY_IR=0x4a6f686e2053746f6e65204a6f686e2053746f6e65204a6f686e2053746f6e6500010203
KEY_RI=0x53616d20436c61726b2053616d20436c61726b2053616d20436c61726b20536104050607

show() { echo "  \$ $*"; "$@" 2>&1 | sed 's/^/    /'; return "${PIPESTATUS[0]}"; }
# shown DESC CMD...: a checked step whose output the audience sees.
shown() {
	local desc=$1
	shift
	if show "$@"; then pass "$desc"; else fail "$desc"; fi
}

echo "== Loading ksad into the lab kernel ($(uname -r))"
shown "insmod ksad.ko" insmod "$KSAD_MODULE"
shown "the generic-netlink family is registered" "$K" family

echo "== Two peers, each in its own network namespace, joined by a veth pair"
two_peers initiator responder
shown "initiator reaches responder" n initiator ping -c 1 -W 2 192.0.2.2

echo "== Each side's SAD events, as 'ksadctl monitor' prints them"
n initiator "$K" monitor sa > $TMPDIR/demo-ini.log 2>&1 &
mi=$!
n responder "$K" monitor sa > $TMPDIR/demo-res.log 2>&1 &
mr=$!
sleep 0.5

echo "== Keying, in the order of the seed's diagram"
echo "   (inbound SPIs are chosen by the receiver: GETSPI, then UPDATE)"
NARRATE=1 seed_order initiator responder $KEY_RI $KEY_IR
sleep 0.5
kill $mi $mr
wait $mi $mr 2>/dev/null

echo
echo "== What each monitor saw"
echo "  initiator:"; sed 's/^/    /' $TMPDIR/demo-ini.log
echo "  responder:"; sed 's/^/    /' $TMPDIR/demo-res.log
check_out "the initiator saw larval, updated, added" "larval.*updated.*added" \
	sh -c "tr '\n' ' ' < $TMPDIR/demo-ini.log"
check_out "the responder saw added, larval, updated" "added.*larval.*updated" \
	sh -c "tr '\n' ' ' < $TMPDIR/demo-res.log"

echo
echo "== The SAs: each side's inbound SPI is the other's outbound SPI"
shown "initiator's SAD" n initiator "$K" sa list
shown "responder's SAD" n responder "$K" sa list

echo
echo "== Policies: traffic between the two peers must go through ESP"
shown "initiator: outbound protect" n initiator "$K" policy add dir out action protect \
	sel src 192.0.2.1/32 dst 192.0.2.2/32
shown "initiator: inbound protect" n initiator "$K" policy add dir in action protect \
	sel src 192.0.2.2/32 dst 192.0.2.1/32
shown "responder: outbound protect" n responder "$K" policy add dir out action protect \
	sel src 192.0.2.2/32 dst 192.0.2.1/32
shown "responder: inbound protect" n responder "$K" policy add dir in action protect \
	sel src 192.0.2.1/32 dst 192.0.2.2/32

echo
echo "== Traffic flows, encrypted"
shown "initiator pings responder through the SAs" n initiator ping -c 3 -i 0.3 -W 2 192.0.2.2
shown "the initiator's counters" n initiator "$K" stats
check_out "the responder decrypted 3 packets and protected 3" \
	"in-packets +3 .*out-packets +3" sh -c "ip netns exec responder $K stats | tr '\n' ' '"
shown "responder's SAs, with their counters" n responder "$K" sa list
echo "   decrypted packets arrive on ksad0:"
n responder ip -s link show ksad0 | sed 's/^/    /'

ip netns delete initiator
ip netns delete responder
shown "rmmod ksad" rmmod ksad
done_testing
