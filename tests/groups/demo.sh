#!/bin/bash
# The demo (make demo): what a student sees.  Two peers key an SA pair in
# the order of the seed's diagram, first by hand with ksadctl (each side's
# SAD events shown as they happen), then negotiated over IKEv2 by ksad-ike
# on both peers, its trace drawn as the seed's two-column diagram: keying,
# encrypted traffic and its counters, a rekey and a delete.  Last, the same
# over Debian's strongSwan charon with the kernel-ksad plugin on both peers,
# each side's SAD events drawn in the same two columns, and swanctl's view
# beside ksadctl's.  Also a test group: every step is checked, so the demo
# cannot rot.
. "$(dirname "$0")/lib.sh"
K=$KSADCTL
IKE=$KSAD_TOP/userspace/ike/ksad-ike
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
ip netns exec initiator "$K" monitor sa > $TMPDIR/demo-ini.log 2>&1 &
mi=$!
ip netns exec responder "$K" monitor sa > $TMPDIR/demo-res.log 2>&1 &
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

echo
echo "== Part 2: the same keying, negotiated over IKEv2 by ksad-ike on both peers"
echo "   (IKE_SA_INIT + IKE_AUTH with a pre-shared key, then ksad-ike keys ksad"
echo "    in the seed's order; the two traces drawn side by side as they happen)"
for ns in initiator responder; do n $ns "$K" sa flush; n $ns "$K" policy flush; done
printf 'a demo secret\n' > "$TMPDIR/psk"
chmod 600 "$TMPDIR/psk"
mkfifo "$TMPDIR/trace"
"$IKE" columns < "$TMPDIR/trace" | tee "$TMPDIR/columns.out" | sed -u 's/^/    /' &
cols=$!
exec 3> "$TMPDIR/trace"
common="--psk-file $TMPDIR/psk --mode transport --trace --esp aes128gcm16-ecp256"
ip netns exec responder "$IKE" --local 192.0.2.2 --remote 192.0.2.1 --id @responder \
	--remote-id @initiator $common --ctl "$TMPDIR/ctl-r" >&3 2>&1 &
resp=$!
sleep 0.5
ip netns exec initiator "$IKE" --local 192.0.2.1 --remote 192.0.2.2 --id @initiator \
	--remote-id @responder $common --ctl "$TMPDIR/ctl-i" --initiate >&3 2>&1 &
ini=$!
ctl_i() { n initiator "$IKE" ctl "$TMPDIR/ctl-i" "$@"; }
ctl_r() { n responder "$IKE" ctl "$TMPDIR/ctl-r" "$@"; }
# until_ok CMD...: retry for up to 10 s
until_ok() { for _ in $(seq 50); do "$@" > /dev/null 2>&1 && return 0; sleep 0.2; done; return 1; }
child_up() { ctl_i list | grep -q 'CHILD SA in' && ctl_r list | grep -q 'CHILD SA in'; }
check "ksad-ike: the IKE SA and the CHILD SA are up on both peers" until_ok child_up
sleep 0.3
echo
shown "the initiator's ksad-ike" ctl_i list
shown "the initiator's SAD, keyed by ksad-ike" n initiator "$K" sa list
shown "the responder's SAD" n responder "$K" sa list
# the SAD operations in the diagram, I: left column, R: right column
sides() { awk '/^ *(GETSPI|UPDATE|ADD|DELETE) / { match($0, /^ */)
	printf "%s:%s ", RLENGTH ? "R" : "I", $1 }' "$TMPDIR/columns.out"; }
check_out "the two-column trace shows the seed's order" \
	'^I:GETSPI R:ADD R:GETSPI R:UPDATE I:UPDATE I:ADD $' sides

echo
echo "== Traffic between the peers flows through the negotiated SAs"
before=$(n responder "$K" stats | awk '$1 == "in-packets" { print $2 }')
shown "initiator pings responder" n initiator ping -c 3 -i 0.3 -W 2 192.0.2.2
after=$(n responder "$K" stats | awk '$1 == "in-packets" { print $2 }')
check "the responder's ksad decrypted the pings ($before -> $after packets)" \
	test "$after" -ge $((before + 3))

echo
echo "== A rekey: the initiator asks for a new CHILD SA (with PFS); the old pair goes"
shown "ksad-ike ctl rekey-child" ctl_i rekey-child
old_gone() { grep -q 'old CHILD SA deleted after' "$TMPDIR/columns.out"; }
check "the CHILD SA is rekeyed and the old pair deleted on both peers" until_ok old_gone
sleep 0.3
check_out "... the rekey in the seed's order, then the old pair's DELETEs" \
	'^I:GETSPI R:ADD R:GETSPI R:UPDATE I:UPDATE I:ADD I:GETSPI R:ADD R:GETSPI R:UPDATE I:UPDATE I:ADD (.:DELETE ){4}$' sides
sleep 0.3
shown "the initiator's SAD now" n initiator "$K" sa list
shown "traffic on the new SAs" n initiator ping -c 2 -i 0.3 -W 2 192.0.2.2

echo
echo "== A delete: the responder closes the IKE SA; the CHILD SAs leave both SADs"
shown "ksad-ike ctl delete-ike" ctl_r delete-ike
wait_pid $ini
check "the initiator's ksad-ike ends (exit 0) with its IKE SA" test $? -eq 0
check_out "no SA left in the initiator's SAD" '^0$' sh -c \
	"ip netns exec initiator $K sa list | grep -c state || true"
check_out "no SA left in the responder's SAD" '^0$' sh -c \
	"ip netns exec responder $K sa list | grep -c state || true"
stop_pid $resp
exec 3>&-
wait_pid $cols 10

echo
echo "== Part 3: strongSwan keys ksad: Debian's charon with the kernel-ksad plugin on both peers"
echo "   (swanctl configures it; the SAD operations kernel-ksad made on each side, from the charons' logs, in two columns)"
for ns in initiator responder; do n $ns "$K" sa flush; n $ns "$K" policy flush; done
. "$(dirname "$0")/swan-lib.sh"
for side in initiator responder; do
	charon_conf $side ksad
	check "charon (with kernel-ksad) starts in the $side's namespace" charon_start $side $side
done
ini_id=initiator resp_id=responder
for side in initiator responder; do
	me=$side other=$( [ $side = initiator ] && echo responder || echo initiator)
	la=$( [ $side = initiator ] && echo 192.0.2.1 || echo 192.0.2.2)
	ra=$( [ $side = initiator ] && echo 192.0.2.2 || echo 192.0.2.1)
	load_conf $side <<EOC
connections { demo {
	local_addrs = $la
	remote_addrs = $ra
	proposals = aes256-sha256-x25519
	local { auth = psk
		id = $me }
	remote { auth = psk
		id = $other }
	children { peers {
		local_ts = $la/32
		remote_ts = $ra/32
		mode = transport
		esp_proposals = aes128gcm16 } } } }
secrets { ike-demo { id-i = initiator
	id-r = responder
	secret = "a demo secret" } }
EOC
	check "swanctl loads the $side's connection" test $? -eq 0
done
# The SAD operations kernel-ksad logged on both sides, merged by their time
# (milliseconds), as trace lines for `ksad-ike columns`
sad_ops() {
	local side
	for side in initiator responder; do
		sed -nE "s/^([0-9:.]+) .*kernel-ksad: (GETSPI|UPDATE|ADD|DELETE)( SA)? ([0-9a-f]{8})( .*)?$/\\1 $side \\2 \\4/p" \
			"$SWT/$side/charon.log"
	done | sort -s -k1,1 | while read -r _ side op spi; do
		case $op in
		GETSPI) printf '[%s] GETSPI  inbound  spi 0x%s\n' "$side" "$spi" ;;
		UPDATE) printf '[%s] UPDATE  inbound  spi 0x%s\n' "$side" "$spi" ;;
		ADD) printf '[%s] ADD     outbound spi 0x%s\n' "$side" "$spi" ;;
		DELETE) printf '[%s] DELETE  -        spi 0x%s\n' "$side" "$spi" ;;
		esac
	done
}
shown "swanctl --initiate (the initiator's charon)" sw initiator --initiate --child peers --ike demo
echo "   what kernel-ksad did in each charon, merged by time:"
sad_ops | "$IKE" columns | tee "$TMPDIR/columns3.out" | sed 's/^/    /'
sides3() { awk '/^ *(GETSPI|UPDATE|ADD|DELETE) / { match($0, /^ */)
	printf "%s:%s ", RLENGTH ? "R" : "I", $1 }' "$TMPDIR/columns3.out"; }
echo "   charon's order: the receiver chooses each inbound SPI (GETSPI), as in the seed;"
echo "   the responder installs its inbound SA before its outbound one, the seed's responder the other way round"
check_out "charon's SAD operations, per side" '^I:GETSPI R:GETSPI R:UPDATE R:ADD I:UPDATE I:ADD $' sides3
echo
echo "== swanctl --list-sas beside ksadctl sa list (the initiator)"
n initiator ping -c 3 -i 0.3 -W 2 192.0.2.2 > /dev/null
sw initiator --list-sas 2>/dev/null | grep -v '^plugin' > "$TMPDIR/ls.out"
n initiator "$K" sa list > "$TMPDIR/sa.out"
pr -m -t -w 150 "$TMPDIR/ls.out" "$TMPDIR/sa.out" | sed 's/^/    /'
in_spi=$(sed -nE 's/^ +in +([0-9a-f]{8}),.*/\1/p' "$TMPDIR/ls.out")
in_pk=$(sed -nE "s/^ +in +$in_spi, +[0-9]+ bytes, +([0-9]+) packets.*/\\1/p" "$TMPDIR/ls.out")
ks_pk=$(grep -A6 "spi 0x$in_spi" "$TMPDIR/sa.out" | sed -nE 's/.*stats: [0-9]+ bytes ([0-9]+) packets.*/\1/p')
check_out "charon's inbound SPI $in_spi is in ksad's SAD, with the same packet count" '^same$' \
	bash -c "[ -n '$in_pk' ] && [ '$in_pk' = '$ks_pk' ] && echo same || echo 'charon $in_pk, ksad $ks_pk'"
shown "swanctl --terminate" sw initiator --terminate --ike demo
check_out "no SA left in either SAD" '^0 0$' bash -c \
	"echo \$(ip netns exec initiator $K sa list | grep -c state) \$(ip netns exec responder $K sa list | grep -c state)"
charon_stop initiator
charon_stop responder

ip netns delete initiator
ip netns delete responder
shown "rmmod ksad" rmmod ksad
done_testing
