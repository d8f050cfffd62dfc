#!/bin/bash
# ksad-ike against strongSwan's charon (issue 6, first part): namespace a
# runs ksad and ksad-ike, namespace b runs charon, which keys the kernel's
# XFRM.  Each case negotiates IKE_SA_INIT + IKE_AUTH with a PSK, checks the
# SAD operations ksad-ike made (in the seed's order), the SAs on both sides,
# and traffic both ways through ksad on one end and XFRM on the other.
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
		default = 1
		ike = 2
		cfg = 2 } }
}
swanctl { socket = unix://$SW/charon.vici }
EOC
export STRONGSWAN_CONF=$SW/strongswan.conf
# charon in b, with a /run of its own (its pid file path is fixed)
ip netns exec b unshare -m --propagation private sh -c \
	'mount -t tmpfs tmpfs /run; exec /usr/lib/ipsec/charon' > "$SW/charon.out" 2>&1 &
charon=$!
for _ in $(seq 50); do [ -S "$SW/charon.vici" ] && break; sleep 0.2; done
check "charon runs in namespace b" test -S "$SW/charon.vici"

# conn MODE IKE-PROPOSALS ESP-PROPOSALS [PSK]: charon's side of the case
conn() {
	local mode=$1 ike=$2 esp=$3 psk=${4:-a lab secret} lts=10.2.0.0/24 rts=10.1.0.0/24
	[ "$mode" = transport ] && lts=10.0.0.2/32 rts=10.0.0.1/32
	cat > "$SW/swanctl.conf" <<EOC
connections {
	lab {
		local_addrs = 10.0.0.2
		remote_addrs = 10.0.0.1
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
			mode = $mode } }
	}
}
secrets { ike-1 { id-a = alice@lab
	id-b = gw.lab
	secret = "$psk" } }
EOC
	n b swanctl --load-all --file "$SW/swanctl.conf" > /dev/null 2>&1
}

reset_case() {
	n b swanctl --terminate --ike lab > /dev/null 2>&1
	n b ip xfrm state flush; n b ip xfrm policy flush
	n a "$K" sa flush; n a "$K" policy flush
}

# ike_args MODE: ksad-ike's side of the case
ike_args() {
	local lts=10.1.0.0/24 rts=10.2.0.0/24
	[ "$1" = transport ] && lts=10.0.0.1/32 rts=10.0.0.2/32
	echo "--local 10.0.0.1 --remote 10.0.0.2 --id alice@lab --remote-id gw.lab" \
		"--psk-file $SW/psk --mode $1 --local-ts $lts --remote-ts $rts --trace --once"
}

# the SAD operations ksad-ike traced, one word each, in order
ops() { awk '/^\[(initiator|responder)\]/ { printf "%s ", $2 }' "$1"; }

case_run() {
	local role=$1 mode=$2 ike=$3 esp=$4 iesp=$5 pa=10.1.0.1 pb=10.2.0.1 cell
	[ "$mode" = transport ] && pa=10.0.0.1 pb=10.0.0.2
	cell="ksad-ike $role vs charon, $mode, IKE $ike, ESP $esp"
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
		check "$cell: charon initiates" n b timeout 20 swanctl --initiate --child net --ike lab
		wait $rp
		check "$cell: established (exit 0)" test $? -eq 0
		check_out "$cell: the responder's SAD operations: ADD, GETSPI, UPDATE" \
			'^ADD GETSPI UPDATE $' ops "$SW/ike.out"
	fi
	sed 's/^/#   /' "$SW/ike.out" | head -8
	check_out "$cell: two SAs in ksad" '^2$' sh -c \
		"ip netns exec a $K sa list | grep -c 'state mature'"
	check_out "$cell: charon's CHILD SA is installed" 'INSTALLED' \
		n b swanctl --list-sas
	check "$cell: ping both ways (ksad <-> XFRM)" ping_both $pa $pb
	check_out "$cell: XFRM took ksad's packets" '[1-9][0-9]* packets' sh -c \
		"ip netns exec b swanctl --list-sas | grep -E '^ *in '"
}

case_run initiator tunnel aes256gcm16-prfsha256-ecp256 aes128gcm16 aes128gcm16
case_run responder tunnel aes256gcm16-prfsha256-ecp256 aes128gcm16 aes128gcm16
case_run initiator transport aes128-sha256-modp2048 aes128-sha256 aes128-sha256
case_run responder transport aes128-sha256-modp2048 aes128-sha256 aes128-sha256
case_run initiator tunnel aes128gcm16-prfsha256-curve25519 chacha20poly1305 chacha20poly1305

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

reset_case
kill $charon 2>/dev/null
wait $charon 2>/dev/null
ip netns del a; ip netns del b
unload_ksad
done_testing
