#!/bin/bash
# ksad-ike against strongSwan's charon (issue 6): namespace a runs ksad and
# ksad-ike, namespace b runs charon, which keys the kernel's XFRM.  Each
# case negotiates IKE_SA_INIT + IKE_AUTH with a PSK, checks the SAD
# operations ksad-ike made (in the seed's order), the SAs on both sides, and
# traffic both ways through ksad on one end and XFRM on the other.  Then a
# CHILD SA's life with each side as initiator: CHILD rekeys (PFS) and IKE
# rekeys started by either side, liveness, Delete of the CHILD and the IKE
# SA from either side, traffic checked after every step.  Last, ksad-ike
# against ksad-ike, ksad in both namespaces.
# shellcheck disable=SC2086
. "$(dirname "$0")/lib.sh"
K=$KSADCTL
IKE=$KSAD_TOP/userspace/ike/ksad-ike

for m in esp4 esp6 xfrm_user veth; do modprobe -q $m; done
load_ksad
. "$(dirname "$0")/datapath-lib.sh"
ab_topology

SW=$TMPDIR/sw
mkdir -p "$SW"
printf 'a lab secret\n' > "$SW/psk"
chmod 600 "$SW/psk"
cat > "$SW/strongswan.conf" <<EOC
charon {
	load = random nonce aes sha1 sha2 hmac kdf gmp openssl gcm pem pkcs1 x509 pubkey kernel-netlink socket-default vici
	install_routes = no
	retransmit_tries = 2
	retransmit_timeout = 1.0
	retransmit_base = 1.4
	plugins { vici { socket = unix://$SW/charon.vici } }
	filelog { charon { path = $SW/charon.log
		flush_line = yes
		default = 1
		ike = 2
		cfg = 2 } }
}
swanctl { socket = unix://$SW/charon.vici }
EOC
export STRONGSWAN_CONF=$SW/strongswan.conf
# sw ARGS...: swanctl in b, never more than 20 s (vici waits forever)
sw() { ip netns exec b timeout 20 swanctl "$@"; }
# charon in b, with a /run of its own (its pid file path is fixed)
ip netns exec b unshare -m --propagation private sh -c \
	'mount -t tmpfs tmpfs /run; exec /usr/lib/ipsec/charon' > "$SW/charon.out" 2>&1 &
charon=$!
for _ in $(seq 50); do [ -S "$SW/charon.vici" ] && break; sleep 0.2; done
check "charon runs in namespace b" test -S "$SW/charon.vici"

# conn MODE IKE-PROPOSALS ESP-PROPOSALS [PSK]: charon's side of the case
# (with V6=1 over IPv6: fd00::2, networks fd02::/64 and fd01::/64)
conn() {
	local mode=$1 ike=$2 esp=$3 psk=${4:-a lab secret} lts=10.2.0.0/24 rts=10.1.0.0/24
	local la=10.0.0.2 ra=10.0.0.1 host=32
	[ -n "${V6:-}" ] && la=fd00::2 ra=fd00::1 host=128 lts=fd02::/64 rts=fd01::/64
	[ "$mode" = transport ] && lts=$la/$host rts=$ra/$host
	cat > "$SW/swanctl.conf" <<EOC
connections {
	lab {
		local_addrs = $la
		remote_addrs = $ra
		version = 2
		proposals = $ike
		local { auth = psk
			id = gw.lab }
		remote { auth = psk
			id = alice@lab }
		children { net {
			local_ts = $lts
			remote_ts = $rts
			esp_proposals = $esp
			mode = $mode }
			net2 {
			local_ts = 10.2.1.0/24
			remote_ts = 10.1.1.0/24
			esp_proposals = $esp
			mode = tunnel } }
	}
}
secrets { ike-1 { id-a = alice@lab
	id-b = gw.lab
	secret = "$psk" } }
EOC
	sw --load-all --file "$SW/swanctl.conf" > /dev/null 2>&1
}

reset_case() {
	sw --terminate --ike lab > /dev/null 2>&1
	n b ip xfrm state flush; n b ip xfrm policy flush
	n a "$K" sa flush; n a "$K" policy flush
}

# ike_args MODE: ksad-ike's side of the case
ike_args() {
	local lts=10.1.0.0/24 rts=10.2.0.0/24 la=10.0.0.1 ra=10.0.0.2 host=32
	[ -n "${V6:-}" ] && la=fd00::1 ra=fd00::2 host=128 lts=fd01::/64 rts=fd02::/64
	[ "$1" = transport ] && lts=$la/$host rts=$ra/$host
	echo "--local $la --remote $ra --id alice@lab --remote-id gw.lab" \
		"--psk-file $SW/psk --mode $1 --local-ts $lts --remote-ts $rts --trace --once"
}

# the SAD operations ksad-ike traced, one word each, in order
ops() { awk '/^\[(initiator|responder)\] +(GETSPI|UPDATE|ADD|DELETE) / { printf "%s ", $2 }' "$1"; }

case_run() {
	local role=$1 mode=$2 ike=$3 esp=$4 iesp=$5 pa=10.1.0.1 pb=10.2.0.1 cell
	[ "$mode" = transport ] && pa=10.0.0.1 pb=10.0.0.2
	[ -n "${V6:-}" ] && pa=fd01::1 pb=fd02::1
	[ -n "${V6:-}" ] && [ "$mode" = transport ] && pa=fd00::1 pb=fd00::2
	cell="ksad-ike $role vs charon, $mode${V6:+ over IPv6}, IKE $ike, ESP $esp"
	step "$cell"
	reset_case
	conn "$mode" "$ike" "$esp"
	if [ "$role" = initiator ]; then
		check "$cell: established (exit 0)" sh -c \
			"ip netns exec a timeout 30 $IKE $(ike_args "$mode") --initiate --ike $ike --esp $iesp > $SW/ike.out 2>&1"
		check_out "$cell: the initiator's SAD operations: GETSPI, UPDATE, ADD" \
			'^GETSPI UPDATE ADD $' ops "$SW/ike.out"
	else
		ip netns exec a timeout 30 $IKE $(ike_args "$mode") --ike "$ike" --esp "$iesp" \
			> "$SW/ike.out" 2>&1 &
		local rp=$!
		sleep 0.5
		check "$cell: charon initiates" sw --initiate --child net --ike lab
		wait_pid $rp 40
		check "$cell: established (exit 0)" test $? -eq 0
		check_out "$cell: the responder's SAD operations: ADD, GETSPI, UPDATE" \
			'^ADD GETSPI UPDATE $' ops "$SW/ike.out"
	fi
	sed 's/^/#   /' "$SW/ike.out" | head -8
	check_out "$cell: two SAs in ksad" '^2$' sh -c \
		"ip netns exec a $K sa list | grep -c 'state mature'"
	check_out "$cell: charon's CHILD SA is installed" 'INSTALLED' \
		sw --list-sas
	check "$cell: ping both ways (ksad <-> XFRM)" ping_both $pa $pb
	check_out "$cell: XFRM took ksad's packets" '[1-9][0-9]* packets' sh -c \
		"ip netns exec b timeout 20 swanctl --list-sas | grep -E '^ *in '"
}

# helpers of the cases below
CTL=$SW/ctl
ctl() { ip netns exec a "$IKE" ctl "$CTL" "$@"; }
# wait_log FILE PATTERN COUNT [SECONDS]: until PATTERN is on COUNT lines
wait_log() {
	for _ in $(seq $((${4:-10} * 5))); do
		[ "$(grep -cE -- "$2" "$1")" -ge "$3" ] && return 0
		sleep 0.2
	done
	return 1
}
# --- NAT traversal (first, charon fresh): ksad-ike behind an nftables NAT --
step "NAT-T: ksad-ike in namespace c behind a NAT, charon in b"
ip netns add c
ip netns add nat
ip link add vc netns c type veth peer name vn1 netns nat
ip link add vb2 netns b type veth peer name vn2 netns nat
n c ip link set lo up
n c ip addr add 198.51.100.2/24 dev vc
n c ip link set vc up
n c ip addr add 10.3.0.1/24 dev lo
n c ip route add default via 198.51.100.1
n nat ip addr add 198.51.100.1/24 dev vn1
n nat ip addr add 203.0.113.1/24 dev vn2
n nat ip link set vn1 up
n nat ip link set vn2 up
n nat sysctl -qw net.ipv4.ip_forward=1
n b ip addr add 203.0.113.2/24 dev vb2
n b ip link set vb2 up
n b ip route add 10.3.0.0/24 via 203.0.113.1
n nat nft -f - <<'EON'
table ip nat {
	chain post { type nat hook postrouting priority 100; oifname "vn2" masquerade; }
}
table ip count {
	chain keepalive { type filter hook forward priority 0; udp dport 4500 udp length 9 counter; }
}
EON
reset_case
n c "$K" sa flush
n c "$K" policy flush
cat > "$SW/swanctl.conf" <<EOC
connections {
	lab {
		local_addrs = 203.0.113.2
		remote_addrs = %any
		version = 2
		proposals = aes256gcm16-prfsha256-ecp256
		local { auth = psk
			id = gw.lab }
		remote { auth = psk
			id = alice@lab }
		children { net {
			local_ts = 10.2.0.0/24
			remote_ts = 10.3.0.0/24
			esp_proposals = aes128gcm16
			mode = tunnel } }
	}
}
secrets { ike-1 { id-a = alice@lab
	id-b = gw.lab
	secret = "a lab secret" } }
EOC
sw --load-all --file "$SW/swanctl.conf" > /dev/null 2>&1
ip netns exec c $IKE --local 198.51.100.2 --remote 203.0.113.2 --id alice@lab \
	--remote-id gw.lab --psk-file "$SW/psk" --mode tunnel --local-ts 10.3.0.0/24 \
	--remote-ts 10.2.0.0/24 --trace --esp aes128gcm16 --keepalive 1 \
	--ctl "$SW/ctl-c" --initiate > "$SW/nat.out" 2>&1 &
nt=$!
check "NAT-T: the CHILD SA is up" wait_log "$SW/nat.out" 'CHILD SA up' 1 ||
	tail -30 "$SW/charon.log" | sed 's/^/#   charon: /'
check_out "... ksad-ike saw the NAT and floated to 4500" 'NAT detected, floating to port 4500' \
	cat "$SW/nat.out"
check_out "... its SAs in ksad are ESP in UDP" '^2$' sh -c \
	"ip netns exec c $K sa list | grep -c 'espinudp 4500'"
check_out "... so is charon's CHILD SA" 'TUNNEL-in-UDP' sw --list-sas
check "... ping both ways through the NAT" ping_ns c b 10.3.0.1 10.2.0.1
sleep 2.5
check_out "... NAT keepalives (one byte to 4500) crossed the NAT" 'packets [1-9]' \
	n nat nft list table ip count
check_out "... a CHILD rekey through the NAT" '^ok' ip netns exec c $IKE ctl "$SW/ctl-c" rekey-child
check "... done, the old pair deleted" wait_log "$SW/nat.out" 'old CHILD SA deleted after' 1
check_out "... the new SAs are ESP in UDP too" '^2$' sh -c \
	"ip netns exec c $K sa list | grep -c 'espinudp 4500'"
check "... ping both ways" ping_ns c b 10.3.0.1 10.2.0.1
kill $nt 2>/dev/null
wait_pid $nt
check "NAT-T: ksad-ike stops on SIGTERM (exit 0)" test $? -eq 0
check_out "... and took its SAs out of ksad" '^0$' sh -c \
	"ip netns exec c $K sa list | grep -c state || true"
check_out "... and all its policies (CHILD SA, IKE bypass)" '^0$' sh -c \
	"ip netns exec c $K policy list | grep -c '^policy ' || true"
check_out "... after telling charon: its IKE SA is gone" '^0$' sh -c \
	"sleep 0.5; ip netns exec b timeout 20 swanctl --list-sas 2>/dev/null | grep -c ESTABLISHED || true"
sed 's/^/#   /' "$SW/nat.out" | grep -vE '^#   \[[a-z]+\] +(GETSPI|UPDATE|ADD|DELETE|SEND)' | head -12
sw --terminate --ike lab > /dev/null 2>&1
ip netns del c
ip netns del nat

case_run initiator tunnel aes256gcm16-prfsha256-ecp256 aes128gcm16 aes128gcm16
case_run responder tunnel aes256gcm16-prfsha256-ecp256 aes128gcm16 aes128gcm16
case_run initiator transport aes128-sha256-modp2048 aes128-sha256 aes128-sha256
case_run responder transport aes128-sha256-modp2048 aes128-sha256 aes128-sha256
case_run initiator tunnel aes128gcm16-prfsha256-curve25519 chacha20poly1305 chacha20poly1305
# the rest of the matrix: each role x each IKE suite x each mode
case_run initiator tunnel aes128-sha256-modp2048 aes128-sha256 aes128-sha256
case_run responder tunnel aes128-sha256-modp2048 aes128-sha256 aes128-sha256
case_run initiator transport aes256gcm16-prfsha256-ecp256 aes128gcm16 aes128gcm16
case_run responder transport aes256gcm16-prfsha256-ecp256 aes128gcm16 aes128gcm16
V6=1 case_run initiator tunnel aes256gcm16-prfsha256-ecp256 aes256gcm16 aes256gcm16
# the CHILD SA's algorithm passes through as negotiated (IKEv2 IDs in ksad)
case_run initiator tunnel aes256gcm16-prfsha256-ecp256 aes256-sha384 aes256-sha384
check_out "AES-CBC-256 + HMAC-SHA2-384-192 in ksad, as negotiated" \
	'alg aes256-sha384 \(encr 12, 256-bit key, integ 13\)' sh -c "ip netns exec a $K sa list"
case_run responder tunnel aes256gcm16-prfsha256-ecp256 aes192gcm16 aes256gcm16,aes192gcm16
check_out "AES-GCM-16 with a 192-bit key in ksad, as charon chose it" \
	'alg aes192gcm16 \(encr 20, 192-bit key\)' sh -c "ip netns exec a $K sa list"
V6=1 case_run responder tunnel aes128-sha256-modp2048 aes128-sha256 aes128-sha256

step "a responder under load: ksad-ike demands a COOKIE, charon retries with it"
reset_case
conn tunnel aes256gcm16-prfsha256-ecp256 aes128gcm16
ip netns exec a timeout 30 $IKE $(ike_args tunnel) --cookie-threshold 0 > "$SW/ck.out" 2>&1 &
ck=$!
sleep 0.5
check "COOKIE: charon initiates" sw --initiate --child net --ike lab
wait_pid $ck 40
check "COOKIE: established (exit 0)" test $? -eq 0
check_out "... after demanding a COOKIE" 'demanded a COOKIE' cat "$SW/ck.out"
check "... ping both ways" ping_both 10.1.0.1 10.2.0.1

step "charon takes only MODP-2048: INVALID_KE_PAYLOAD, ksad-ike retries"
reset_case
conn tunnel aes128-sha256-modp2048 aes128gcm16
check "established after the retry" sh -c \
	"ip netns exec a timeout 30 $IKE $(ike_args tunnel) --initiate \
	--ike aes256gcm16-prfsha256-ecp256,aes128-sha256-modp2048 --esp aes128gcm16 > $SW/ike.out 2>&1"
check_out "charon logged the INVALID_KE_PAYLOAD it sent" 'INVAL_KE|unacceptable' \
	cat "$SW/charon.log"

step "a wrong PSK fails on both sides, nothing in ksad"
reset_case
conn tunnel aes256gcm16-prfsha256-ecp256 aes128gcm16 "not the secret"
check_fails "ksad-ike initiator fails" sh -c \
	"ip netns exec a timeout 30 $IKE $(ike_args tunnel) --initiate > $SW/ike.out 2>&1"
check_out "... with AUTHENTICATION_FAILED (24)" 'notify 24' cat "$SW/ike.out"
check_out "... and no mature SA in ksad" '^0$' sh -c \
	"ip netns exec a $K sa list | grep -c 'state mature' || true"


# --- a CHILD SA's life ---------------------------------------------------
# our CHILD SA's SPIs as ksad-ike lists them: "IN OUT"
our_spis() { ctl list | awk '/^  CHILD SA/ { print $4, $6 }'; }
# charon's installed CHILD SA as "OUR-IN OUR-OUT" (its out, its in)
charon_spis() {
	sw --list-sas 2>/dev/null | awk '/INSTALLED/ { on = 1 }
		on && $1 == "in" { i = $2 } on && $1 == "out" { print $2, i; exit }' |
		sed 's/,//g'
}
spis_agree() { [ "$(our_spis | sed 's/0x//g')" = "$(charon_spis)" ] && [ -n "$(charon_spis)" ]; }
mature() { ip netns exec a $K sa list | grep -c 'state mature'; }

# after STEP: two SAs in ksad, the same pair in charon, traffic both ways
after() {
	check "$1: ksad-ike and charon agree on the CHILD SA's SPIs" spis_agree
	check_out "$1: two mature SAs in ksad (no old ones left)" '^2$' mature
	check "$1: ping both ways" ping_both ${PA:-10.1.0.1} ${PB:-10.2.0.1}
}

# more CHILD SAs on the IKE SA (1.3.1): 10.1.1/24 <-> 10.2.1/24 beside the first
n a ip addr add 10.1.1.1/24 dev lo
n b ip addr add 10.2.1.1/24 dev lo
n a ip route add 10.2.1.0/24 via 10.0.0.2
n b ip route add 10.1.1.0/24 via 10.0.0.1
new_children() {
	local cell=$1 log=$2
	check_out "$cell: ksad-ike asks for a second CHILD SA" '^ok' \
		ctl new-child 10.1.1.0/24 10.2.1.0/24
	check "$cell: ... it is up" wait_log "$log" 'new CHILD SA up' 1
	check_out "$cell: ... charon installed it as net2" 'net2: #[0-9]+, reqid [0-9]+, INSTALLED' \
		sw --list-sas
	check_out "$cell: ... four mature SAs in ksad" '^4$' mature
	check "$cell: ... ping both ways on it" ping_both 10.1.1.1 10.2.1.1
	check "$cell: ... and still on the first" ping_both 10.1.0.1 10.2.0.1
	check "$cell: charon deletes the second CHILD SA" \
		sw --terminate --child net2
	check "$cell: ... ksad-ike removes it (its SAs and policies)" \
		wait_log "$log" 'CHILD SA deleted by the peer:' 1
	check_out "$cell: ... two mature SAs left" '^2$' mature
	check "$cell: charon asks for it again" \
		sw --initiate --child net2 --ike lab
	check "$cell: ... ksad-ike answered: a new CHILD SA" \
		wait_log "$log" 'new CHILD SA up by the peer' 1
	check "$cell: ... ping both ways on it" ping_both 10.1.1.1 10.2.1.1
	check "$cell: ... and still on the first" ping_both 10.1.0.1 10.2.0.1
}

# lifecycle ROLE MODE IKE ESP: a CHILD SA's life, ESP with PFS (its group)
lifecycle() {
	local role=$1 mode=$2 ike=$3 esp=$4 cell log=$SW/life-$1.out
	cell="life, ksad-ike $role, $mode"
	step "$cell: rekeys and deletes from both sides (IKE $ike, ESP $esp)"
	PA=10.1.0.1 PB=10.2.0.1
	[ "$mode" = transport ] && PA=10.0.0.1 PB=10.0.0.2
	reset_case
	conn "$mode" "$ike" "$esp"
	local args
	args=$(ike_args "$mode")
	args=${args% --once}
	if [ "$role" = initiator ]; then
		# selectors wide enough for a second CHILD SA (10.1.1/24 <-> 10.2.1/24);
		# charon narrows the first one to its 10.2.0/24 <-> 10.1.0/24
		ip netns exec a $IKE $args --local-ts 10.1.0.0/16 --remote-ts 10.2.0.0/16 \
			--initiate --ike "$ike" --esp "$esp" --ctl "$CTL" > "$log" 2>&1 &
	else
		ip netns exec a $IKE $args --ike "$ike" --esp "$esp" --ctl "$CTL" > "$log" 2>&1 &
		sleep 0.5
		sw --initiate --child net --ike lab > /dev/null 2>&1
	fi
	local pid=$! before
	check "$cell: established" wait_log "$log" 'CHILD SA up' 1
	after "$cell: first CHILD SA"
	before=$(our_spis)
	check_out "$cell: ksad-ike's rekey-child is sent" '^ok' ctl rekey-child
	check "$cell: ... rekeyed with PFS, the old pair deleted" \
		wait_log "$log" 'old CHILD SA deleted after the rekey' 1
	check_out "$cell: ... in the seed's order (GETSPI UPDATE ADD DELETE DELETE)" \
		'GETSPI UPDATE ADD DELETE DELETE $' ops "$log"
	check "$cell: ... new SPIs both ways" test "$(our_spis)" != "$before"
	grep -q 'rekeyed with PFS' "$log"
	check "$cell: ... with PFS (a KE in CREATE_CHILD_SA)" test $? -eq 0
	after "$cell: CHILD rekey by ksad-ike"
	check "$cell: charon's rekey of the CHILD SA completes" \
		sw --rekey --child net
	check "$cell: ... ksad-ike answered it, the old pair deleted" \
		wait_log "$log" 'old CHILD SA deleted by the peer' 1
	check_out "$cell: ... the responder's order (ADD GETSPI UPDATE DELETE DELETE)" \
		'ADD GETSPI UPDATE DELETE DELETE $' ops "$log"
	after "$cell: CHILD rekey by charon"
	before=$(ctl list | head -2 | tail -1)
	check_out "$cell: ksad-ike's rekey-ike is sent" '^ok' ctl rekey-ike
	check "$cell: ... the IKE SA is rekeyed, the old one deleted" \
		wait_log "$log" 'IKE SA deleted: ' 1
	check_out "$cell: ... charon has the new IKE SA's SPIs" \
		"$(ctl list | awk '/current IKE SA/ { sub(/^0x/, "", $4); print $4 }')" \
		sw --list-sas
	check "$cell: ... and only one IKE SA" \
		test "$(sw --list-sas 2>/dev/null | grep -c ESTABLISHED)" -eq 1
	after "$cell: IKE rekey by ksad-ike"
	check "$cell: charon's rekey of the IKE SA completes" \
		sw --rekey --ike lab
	check "$cell: ... ksad-ike moved over, the old IKE SA deleted by charon" \
		wait_log "$log" 'IKE SA deleted by the peer' 1
	check_out "$cell: liveness check on the new IKE SA" '^ok' ctl dpd
	check "$cell: ... answered" wait_log "$log" 'the peer is alive' 1
	after "$cell: IKE rekey by charon"
	if [ "$role" = initiator ]; then
		new_children "$cell" "$log"
		check "$cell: charon deletes the first CHILD SA" \
			sw --terminate --child net
		check "$cell: ... ksad-ike removes it from ksad" \
			wait_log "$log" 'CHILD SA deleted by the peer:' 2
		check_out "$cell: ksad-ike's delete-ike is sent" '^ok' ctl delete-ike
		wait_pid $pid
		check "$cell: ... ksad-ike (initiator) exits 0 with its IKE SA gone" test $? -eq 0
		check_out "$cell: ... and charon's IKE SA is gone" '^0$' sh -c \
			"ip netns exec b timeout 20 swanctl --list-sas 2>/dev/null | grep -c ESTABLISHED || true"
	else
		check_out "$cell: ksad-ike's delete-child is sent" '^ok' ctl delete-child
		check "$cell: ... CHILD SA deleted on both sides" \
			wait_log "$log" 'CHILD SA deleted:' 1
		check_out "$cell: ... charon has no CHILD SA left" '^0$' sh -c \
			"ip netns exec b timeout 20 swanctl --list-sas 2>/dev/null | grep -c INSTALLED || true"
		check "$cell: charon deletes the IKE SA" \
			sw --terminate --ike lab
		check "$cell: ... ksad-ike hears it" wait_log "$log" 'IKE SA deleted by the peer' 2
		stop_pid $pid
	fi
	check_out "$cell: nothing left in ksad: no SA" '^0$' sh -c \
		"ip netns exec a $K sa list | grep -c 'state' || true"
	check_out "$cell: ... no protect policy" '^0$' sh -c \
		"ip netns exec a $K policy list | grep -c protect || true"
	sed 's/^/#   /' "$log" | grep -vE '^#   \[[a-z]+\] +(GETSPI|UPDATE|ADD|DELETE|SEND)' | head -40
}

lifecycle initiator tunnel aes256gcm16-prfsha256-ecp256 aes128gcm16-ecp256
lifecycle responder transport aes128-sha256-modp2048 aes128-sha256-modp2048
unset PA PB

# --- ksad's ACQUIRE and EXPIRE drive ksad-ike --------------------------------
step "on demand: the first packet's ACQUIRE starts the negotiation"
reset_case
conn tunnel aes256gcm16-prfsha256-ecp256 aes128gcm16
args=$(ike_args tunnel)
args=${args% --once}
ip netns exec a $IKE $args --on-demand --ctl "$CTL" > "$SW/od.out" 2>&1 &
od=$!
sleep 0.5
check_out "on demand: idle before any packet" 'idle' ctl list
n a ping -c 1 -W 1 -I 10.1.0.1 10.2.0.1 > /dev/null 2>&1
check "... the packet's ACQUIRE started IKE; the CHILD SA is up" wait_log "$SW/od.out" 'CHILD SA up' 1
check_out "... ksad-ike saw the ACQUIRE, with the packet's addresses" \
	'ACQUIRE for reqid 1: a packet 10.1.0.1/32.* -> 10.2.0.1/32' cat "$SW/od.out"
check_out "... sent first in TSi/TSr (2.9), yet both sides keyed the whole /24s (ksad-ike)" \
	'10.1.0.0/24 === 10.2.0.0/24' ctl list
check_out "... (charon)" '^2$' sh -c \
	"ip netns exec b timeout 20 swanctl --list-sas 2>/dev/null | grep -cE '(local|remote) +10\.[12]\.0\.0/24$'"
check "... ping both ways" ping_both 10.1.0.1 10.2.0.1
check "charon deletes the IKE SA" sw --terminate --ike lab
check "... ksad-ike hears it and stays" wait_log "$SW/od.out" 'IKE SA deleted by the peer' 1
check_out "... the trap policy stays, the CHILD SA's go: one protect policy" '^1$' sh -c \
	"ip netns exec a $K policy list | grep -c protect"
n a ping -c 1 -W 1 -I 10.1.0.1 10.2.0.1 > /dev/null 2>&1
check "... the next packet negotiates a new one" wait_log "$SW/od.out" 'CHILD SA up' 2
check "... ping both ways" ping_both 10.1.0.1 10.2.0.1
stop_pid $od
sed 's/^/#   /' "$SW/od.out" | grep -vE '^#   \[[a-z]+\] +(GETSPI|UPDATE|ADD|DELETE|SEND)' | head -20

step "lifetimes: ksad's soft EXPIRE makes ksad-ike rekey, a hard EXPIRE delete"
reset_case
conn tunnel aes256gcm16-prfsha256-ecp256 aes128gcm16
ip netns exec a $IKE $args --initiate --lifetime 12 --ctl "$CTL" > "$SW/lt.out" 2>&1 &
lt=$!
check "lifetimes: the CHILD SA is up" wait_log "$SW/lt.out" 'CHILD SA up' 1
check_out "... ksad holds it with soft and hard lifetimes" 'lifetime hard: time 12s' sh -c \
	"ip netns exec a $K sa list"
check "... a soft EXPIRE came (after 80-90 % of 12 s)" wait_log "$SW/lt.out" 'soft EXPIRE' 1 15
check "... and ksad-ike rekeyed, on its own" \
	wait_log "$SW/lt.out" 'old CHILD SA deleted after the rekey' 1
after "lifetimes: after the rekey the soft EXPIRE asked for"
spi=$(our_spis | awk '{ print $1 }')
check "... the inbound SA's hard lifetime cut to 1 s" \
	ip netns exec a $K sa update dst 10.0.0.1 proto esp spi "$spi" limit time-hard 1
check "... its hard EXPIRE: ksad-ike deletes the CHILD SA" \
	wait_log "$SW/lt.out" 'hard EXPIRE' 1
check "... on both sides" wait_log "$SW/lt.out" 'CHILD SA deleted: ' 1
check_out "... charon has no CHILD SA left" '^0$' sh -c \
	"ip netns exec b timeout 20 swanctl --list-sas 2>/dev/null | grep -c INSTALLED || true"
stop_pid $lt
sed 's/^/#   /' "$SW/lt.out" | grep -vE '^#   \[[a-z]+\] +(GETSPI|UPDATE|ADD|DELETE|SEND)' | head -20

step "colliding CHILD rekeys: ksad-ike and charon rekey the same CHILD SA at once"
# RFC 7296 2.25.1: each side answers the other's rekey as usual; 2.8.1: the
# exchange with the lowest of the four nonces made the redundant CHILD SA,
# which its requester deletes, while the other side deletes the old one.  To
# make both sides see the collision, namespace a first drops all of charon's
# IKE datagrams (its request is held back while ksad-ike's goes out), then
# only its answers (its retransmitted request reaches ksad-ike while
# ksad-ike's own is still out), then none.
# held N: until namespace a's hold chain dropped N datagrams
held() {
	for _ in $(seq 50); do
		[ "$(n a nft list table ip hold | grep -o 'packets [0-9]*' | awk '{ print $2 }')" \
			-ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
reset_case
conn tunnel aes256gcm16-prfsha256-ecp256 aes128gcm16
ip netns exec a $IKE $args --initiate --ctl "$CTL" > "$SW/co.out" 2>&1 &
co=$!
check "collision: the CHILD SA is up" wait_log "$SW/co.out" 'CHILD SA up' 1
pols=$(ip netns exec a $K policy list | grep -c protect)
for round in 1 2 3; do
	cell="collision $round"
	n a nft -f - <<'EON'
table ip hold { chain held { type filter hook input priority 0; ip saddr 10.0.0.2 udp sport 500 counter drop; }; }
EON
	sw --rekey --child net > /dev/null 2>&1 &
	check "$cell: charon's rekey request is held back" held 1
	check_out "$cell: ksad-ike's goes out" '^ok' ctl rekey-child
	n a nft -f - <<'EON'
flush chain ip hold held
add rule ip hold held ip saddr 10.0.0.2 udp sport 500 @th,216,8 & 0x20 == 0x20 counter drop
EON
	check "$cell: charon's rekey reached ksad-ike while its own was out: answered as usual" \
		wait_log "$SW/co.out" 'rekey collision: the peer rekeys the CHILD SA we are rekeying' $round
	n a nft delete table ip hold
	wait_pid $!
	check "$cell: ksad-ike settled it by the nonces" \
		wait_log "$SW/co.out" 'rekey collision settled' $round 20
	check "$cell: ... so did charon" wait_log "$SW/charon.log" 'rekey collision (won|lost)' $round 20
	ours=$(grep 'rekey collision settled' "$SW/co.out" | tail -1 | grep -c 'stays')
	theirs=$(grep -E 'rekey collision (won|lost)' "$SW/charon.log" | tail -1 | grep -c won)
	check "$cell: ... the same way: one side's new SA stays (ksad-ike's: $ours, charon's: $theirs)" \
		test "$ours" -ne "$theirs"
	check "$cell: ... the redundant and the old pair leave ksad" sh -c \
		"for i in \$(seq 50); do [ \"\$(ip netns exec a $IKE ctl $CTL list | grep -cE 'old|redundant')\" = 0 ] &&
			[ \"\$(ip netns exec a $K sa list | grep -c state)\" = 2 ] && exit 0; sleep 0.2; done; exit 1"
	check_out "$cell: ... and charon keeps one CHILD SA" '^1$' sh -c \
		"ip netns exec b timeout 20 swanctl --list-sas 2>/dev/null | grep -c INSTALLED"
	check_out "$cell: ... ksad's policies untouched" "^$pols\$" sh -c \
		"ip netns exec a $K policy list | grep -c protect"
	after "$cell"
done
stop_pid $co
grep -E 'collision|deleted' "$SW/co.out" | sed 's/^/#   /' | head -24
grep -E 'rekey collision' "$SW/charon.log" | sed 's/^/#   charon: /' | head -6

# --- several connections in one ksad-ike --------------------------------------
step "one ksad-ike, two connections from one file (alice and bob to charon)"
reset_case
conn tunnel aes256gcm16-prfsha256-ecp256 aes128gcm16
# charon: a second connection for bob (10.1.1/24 <-> 10.2.1/24), its own secret
cat >> "$SW/swanctl.conf" <<'EOC'
connections {
	bob {
		local_addrs = 10.0.0.2
		remote_addrs = 10.0.0.1
		version = 2
		proposals = aes256gcm16-prfsha256-ecp256
		local { auth = psk
			id = gw.lab }
		remote { auth = psk
			id = bob@lab }
		children { bobnet {
			local_ts = 10.2.1.0/24
			remote_ts = 10.1.1.0/24
			esp_proposals = aes128gcm16 } }
	}
}
secrets { ike-bob { id-a = bob@lab
	id-b = gw.lab
	secret = "bob's secret" } }
EOC
sw --load-all --file "$SW/swanctl.conf" > /dev/null 2>&1
# ksad_conn NAME ID CHILD LOCAL-TS REMOTE-TS: one of ksad-ike's connections to charon
ksad_conn() {
	cat <<EOC
	$1 {
		local_addrs = 10.0.0.1
		remote_addrs = 10.0.0.2
		proposals = aes256gcm16-prfsha256-ecp256
		local { id = $2 }
		remote { id = gw.lab }
		children { $3 { local_ts = $4
			remote_ts = $5
			esp_proposals = aes128gcm16
			start_action = start } }
	}
EOC
}
{
	echo "connections {"
	ksad_conn alice alice@lab net 10.1.0.0/24 10.2.0.0/24
	ksad_conn bob bob@lab bobnet 10.1.1.0/24 10.2.1.0/24
	cat <<'EOC'
}
secrets {
	ike-alice { id-a = alice@lab
		id-b = gw.lab
		secret = "a lab secret" }
	ike-bob { id-a = bob@lab
		id-b = gw.lab
		secret = "bob's secret" }
}
EOC
} > "$SW/two.conf"
chmod 600 "$SW/two.conf"
ip netns exec a $IKE --config "$SW/two.conf" --ctl "$CTL" --trace > "$SW/two.out" 2>&1 &
two=$!
check "two connections: both CHILD SAs up" wait_log "$SW/two.out" 'CHILD SA up' 2
check_out "... charon has both IKE SAs (alice's and bob's)" '^2$' sh -c \
	"ip netns exec b timeout 20 swanctl --list-sas 2>/dev/null | grep -c ESTABLISHED"
check_out "... ksad-ike lists both, each with its own reqid" \
	'connection alice.*reqid 1 .*connection bob.*reqid 5 ' sh -c \
	"ip netns exec a $IKE ctl $CTL list | tr '\n' ' '"
check_out "... four mature SAs in ksad" '^4$' mature
check "... ping both ways on alice's" ping_both 10.1.0.1 10.2.0.1
check "... and on bob's" ping_both 10.1.1.1 10.2.1.1
check_out "two connections: bob's CHILD SA rekeyed by name" '^ok' ctl bob rekey-child
check "... done, its old pair deleted" wait_log "$SW/two.out" 'bob: old CHILD SA deleted after the rekey' 1
check_out "... alice's untouched" '^0$' sh -c \
	"grep -c 'alice: CHILD SA rekeyed' $SW/two.out || true"
check "... ping both ways on alice's" ping_both 10.1.0.1 10.2.0.1
check "... and on bob's" ping_both 10.1.1.1 10.2.1.1
check "charon deletes alice's IKE SA (its connection lab)" \
	sw --terminate --ike lab
check "... ksad-ike hears it, and stays for bob" wait_log "$SW/two.out" 'alice: IKE SA deleted by the peer' 1
check "... bob's still carries traffic" ping_both 10.1.1.1 10.2.1.1
stop_pid $two
check_out "... SIGTERM: nothing of either left in ksad" '^0$' sh -c \
	"ip netns exec a $K sa list | grep -c state || true"
check_out "... charon has no IKE SA left" '^0$' sh -c \
	"sleep 0.5; ip netns exec b timeout 20 swanctl --list-sas 2>/dev/null | grep -c ESTABLISHED || true"
grep -vE '^\[[a-z]+\] +(GETSPI|UPDATE|ADD|DELETE|SEND)' "$SW/two.out" | sed 's/^/#   /' | head -20

reset_case
stop_pid $charon

# --- charon under load demands a COOKIE of ksad-ike ------------------------
step "charon under load: it demands a COOKIE, ksad-ike retries with it"
# charon demands cookies once cookie_threshold responder IKE SAs are half
# open; one is made by an initiator whose IKE_AUTH never reaches charon
sed 's/^charon {/charon {\n\tcookie_threshold = 1/' "$SW/strongswan.conf" > "$SW/strongswan-cookie.conf"
STRONGSWAN_CONF=$SW/strongswan-cookie.conf ip netns exec b unshare -m --propagation private sh -c \
	'mount -t tmpfs tmpfs /run; exec /usr/lib/ipsec/charon' >> "$SW/charon.out" 2>&1 &
charon=$!
for _ in $(seq 50); do sw --stats > /dev/null 2>&1 && break; sleep 0.2; done
conn tunnel aes256gcm16-prfsha256-ecp256 aes128gcm16
n b nft -f - <<'EON'
table ip noauth { chain held { type filter hook input priority 0; udp dport 500 @th,208,8 == 35 counter drop; }; }
EON
ip netns exec a timeout 3 $IKE $(ike_args tunnel) --initiate > "$SW/half.out" 2>&1
check_out "COOKIE: a half-open IKE SA in charon (its IKE_AUTH dropped)" ' 1 half-open' \
	sw --stats
n b nft delete table ip noauth
n a "$K" sa flush
check "COOKIE: established against charon (exit 0)" sh -c \
	"ip netns exec a timeout 30 $IKE $(ike_args tunnel) --initiate > $SW/ck-i.out 2>&1"
check_out "... after charon demanded a COOKIE" 'the responder demanded a COOKIE' cat "$SW/ck-i.out"
check "... ping both ways" ping_both 10.1.0.1 10.2.0.1
reset_case
stop_pid $charon

# --- ksad-ike against ksad-ike: ksad on both ends (charon is gone) --------
step "ksad-ike <-> ksad-ike, ksad in both namespaces"
for ns in a b; do n $ns ip xfrm state flush; n $ns ip xfrm policy flush; done
kk="--psk-file $SW/psk --mode tunnel --trace --esp aes256gcm16-x25519"
# the initiator first: nobody answers its IKE_SA_INIT for 2.5 s
ip netns exec a $IKE --local 10.0.0.1 --remote 10.0.0.2 --id alice@lab --remote-id gw.lab \
	--local-ts 10.1.0.0/24 --remote-ts 10.2.0.0/24 $kk --ctl "$CTL" --initiate \
	> "$SW/kk-i.out" 2>&1 &
ki=$!
sleep 2.5
# the responder reads its connection from a file in strongSwan's syntax
cat > "$SW/kk.conf" <<'EOC'
connections {
	gw {
		local_addrs = 10.0.0.2
		remote_addrs = 10.0.0.1
		proposals = aes256gcm16-prfsha256-ecp256
		local { auth = psk
			id = gw.lab }
		remote { auth = psk
			id = alice@lab }
		children {
			net {
				local_ts = 10.2.0.0/24
				remote_ts = 10.1.0.0/24
				esp_proposals = aes256gcm16-x25519
				mode = tunnel
				start_action = none
			}
		}
	}
}
secrets { ike-gw { secret = "a lab secret" } }
EOC
chmod 644 "$SW/kk.conf"
check_fails "a config file with a secret that others can read is refused" \
	ip netns exec b timeout 5 $IKE --config "$SW/kk.conf" --no-kernel
chmod 600 "$SW/kk.conf"
ip netns exec b $IKE --config "$SW/kk.conf" --trace --ctl "$SW/ctl-b" > "$SW/kk-r.out" 2>&1 &
kr=$!
check "ksad-ike <-> ksad-ike: the initiator is up" wait_log "$SW/kk-i.out" 'CHILD SA up' 1
check "ksad-ike <-> ksad-ike: the responder is up" wait_log "$SW/kk-r.out" 'CHILD SA up' 1
check_out "... the initiator retransmitted its unanswered IKE_SA_INIT (1 s, then 2 s)" \
	'SEND +IKE_SA_INIT request \(again\)' cat "$SW/kk-i.out"
check_out "... the initiator keyed its ksad: GETSPI UPDATE ADD" '^GETSPI UPDATE ADD $' \
	ops "$SW/kk-i.out"
check_out "... the responder keyed its ksad: ADD GETSPI UPDATE" '^ADD GETSPI UPDATE $' \
	ops "$SW/kk-r.out"
check_out "... two mature SAs in each namespace's ksad" '^2 2$' sh -c \
	"echo \$(ip netns exec a $K sa list | grep -c 'state mature') \$(ip netns exec b $K sa list | grep -c 'state mature')"
check "... ping both ways (ksad <-> ksad)" ping_both 10.1.0.1 10.2.0.1
# a controller that connects and says nothing does not stall the daemon;
# one whose daemon never answers gives up
python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); time.sleep(5)' "$CTL" &
silent=$!
sleep 0.3
check_out "... a silent controller on its socket: the next one is answered at once" \
	'^ok' timeout 3 ip netns exec a $IKE ctl "$CTL" list
wait_pid $silent 10
python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1); c = s.accept(); time.sleep(15)' \
	"$SW/mute" &
mute=$!
for _ in $(seq 25); do [ -S "$SW/mute" ] && break; sleep 0.2; done
check_out "... 'ksad-ike ctl' gives up on a daemon that never answers (10 s)" \
	'no answer from ksad-ike' sh -c "! timeout 13 $IKE ctl $SW/mute list 2>&1"
stop_pid $mute
check_out "... the initiator rekeys the CHILD SA" '^ok' ctl rekey-child
check "... both sides delete the old pair" sh -c \
	"grep -q 'old CHILD SA deleted after' $SW/kk-i.out || sleep 2; grep -q 'old CHILD SA deleted after' $SW/kk-i.out && grep -q 'old CHILD SA deleted by the peer' $SW/kk-r.out"
check "... ping both ways after the rekey" ping_both 10.1.0.1 10.2.0.1
check_out "... the responder rekeys the IKE SA" '^ok' ip netns exec b $IKE ctl "$SW/ctl-b" rekey-ike
check "... the old IKE SA is deleted" wait_log "$SW/kk-i.out" 'IKE SA deleted by the peer' 1
check_out "... the responder rekeys the CHILD SA on the new IKE SA" '^ok' \
	ip netns exec b $IKE ctl "$SW/ctl-b" rekey-child
check "... done" wait_log "$SW/kk-r.out" 'old CHILD SA deleted after' 1
check "... ping both ways" ping_both 10.1.0.1 10.2.0.1
check_out "... the responder deletes the IKE SA" '^ok' ip netns exec b $IKE ctl "$SW/ctl-b" delete-ike
wait_pid $ki
check "... the initiator exits 0" test $? -eq 0
check_out "... and no SA is left in either ksad" '^0 0$' sh -c \
	"echo \$(ip netns exec a $K sa list | grep -c state) \$(ip netns exec b $K sa list | grep -c state)"
sed 's/^/#   /' "$SW/kk-i.out" | head -30
stop_pid $kr

ip netns del a; ip netns del b
unload_ksad
done_testing
