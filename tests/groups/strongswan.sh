#!/bin/bash
# strongSwan keys ksad (issue 16): Debian's own charon
# (/usr/lib/ipsec/charon) with the kernel-ksad plugin, configured with
# swanctl, against charon on the kernel's XFRM (the reference), against
# charon on ksad, and against ksad-ike.
#
#   a 10.0.0.1 fd00::1 ---- b 10.0.0.2 fd00::2       (ab_topology)
#     nets 10.1.0.0/24 fd01::/64   nets 10.2.0.0/24 fd02::/64
#
# The charon on ksad loads its plugins the way Debian's does
# (load_modular, /etc/strongswan.d/charon/*.conf) plus the project's
# kernel-ksad.conf, and its log must name kernel-ksad as the IPsec backend.
# Each charon has a mount namespace of its own: its /run, and the plugin
# folder with kernel-ksad beside Debian's plugins (the guest's / is the
# host's, read-only).
# shellcheck disable=SC2086
. "$(dirname "$0")/lib.sh"
K=$KSADCTL

for m in esp4 esp6 xfrm_user veth; do modprobe -q $m; done
load_ksad
. "$(dirname "$0")/datapath-lib.sh"
ab_topology
# IPv6 neighbours known up front: a host-to-host transport policy covers
# Neighbour Advertisements too (on XFRM as on ksad)
n a ip -6 neigh replace fd00::2 lladdr "$(n b cat /sys/class/net/vb/address)" dev va nud permanent
n b ip -6 neigh replace fd00::1 lladdr "$(n a cat /sys/class/net/va/address)" dev vb nud permanent

. "$(dirname "$0")/swan-lib.sh"
check "the kernel-ksad plugin was built" test -f "$PLUGIN"
check_out "make install puts it in /usr/lib/ipsec/plugins, with its strongswan.d snippet" \
	'^ok$' bash -c "make -s -C $KSAD_TOP/userspace/strongswan install DESTDIR=$TMPDIR/inst > /dev/null &&
	cmp $PLUGIN $TMPDIR/inst/usr/lib/ipsec/plugins/libstrongswan-kernel-ksad.so &&
	grep -q 'load = 10' $TMPDIR/inst/etc/strongswan.d/charon/kernel-ksad.conf && echo ok"

# --- credentials: a CA and a certificate for each host, made with pki ---
P=$SWT/pki
mkdir -p "$P"
pki_ok() {
	pki --gen --type ecdsa --size 256 --outform pem > "$P/ca.key" &&
	pki --self --ca --lifetime 30 --in "$P/ca.key" --dn "CN=ksad lab CA" \
		--outform pem > "$P/ca.crt" || return 1
	for h in a b c; do
		pki --gen --type ecdsa --size 256 --outform pem > "$P/$h.key" &&
		pki --pub --in "$P/$h.key" | pki --issue --lifetime 30 --cacert "$P/ca.crt" \
			--cakey "$P/ca.key" --dn "CN=$h.lab" --san "$h.lab" \
			--outform pem > "$P/$h.crt" || return 1
	done
}
check "pki makes a CA and three host certificates" pki_ok

# conn NAME ME LA RA LTS RTS MODE AUTH: swanctl.conf of charon NAME (host
# ME: a, b, c) for connection "lab", and load it.  Extra settings:
# $IKE_OPTS (connection), $CHILD_OPTS (child), $ESP (proposals).
conn() {
	local name=$1 me=$2 la=$3 ra=$4 lts=$5 rts=$6 mode=$7 auth=$8 d=$SWT/$1 peer
	peer=$( [ "$me" = a ] && echo b || echo a)
	[ -n "${PEER:-}" ] && peer=$PEER
	rm -f "$d"/swanctl/x509/* "$d"/swanctl/x509ca/* "$d"/swanctl/private/*
	if [ "$auth" = pubkey ]; then
		cp "$P/ca.crt" "$d/swanctl/x509ca/"
		cp "$P/$me.crt" "$d/swanctl/x509/"
		cp "$P/$me.key" "$d/swanctl/private/"
	fi
	cat > "$d/swanctl/swanctl.conf" <<EOC
connections {
	lab {
		local_addrs = $la
		remote_addrs = $ra
		version = 2
		proposals = aes256-sha256-x25519
		${IKE_OPTS:-}
		local { auth = $auth
			id = $me.lab
			$( [ "$auth" = pubkey ] && echo "certs = $me.crt" ) }
		remote { auth = $auth
			id = $peer.lab }
		children { net {
			local_ts = $lts
			remote_ts = $rts
			esp_proposals = ${ESP:-aes128gcm16-x25519}
			mode = $mode
			${CHILD_OPTS:-} } }
	}
}
secrets { ike-1 { id-a = a.lab
	id-b = b.lab
	id-c = c.lab
	secret = "a lab secret" } }
EOC
	sw "$name" --load-all --noprompt > "$d/load.out" 2>&1
}

# addresses and selectors of host a (ksad) and b for a case
case_addrs() {	# MODE FAMILY
	if [ "$2" = 6 ]; then
		A=fd00::1 B=fd00::2 host=128 NA=fd01::/64 NB=fd02::/64 IA=fd01::1 IB=fd02::1
	else
		A=10.0.0.1 B=10.0.0.2 host=32 NA=10.1.0.0/24 NB=10.2.0.0/24 IA=10.1.0.1 IB=10.2.0.1
	fi
	if [ "$1" = transport ]; then
		TSA=$A/$host TSB=$B/$host SA_=$A SB_=$B
	else
		TSA=$NA TSB=$NB SA_=$IA SB_=$IB
	fi
}

# charon's CHILD SA SPIs as "IN OUT" (hex, no 0x), from --list-sas
charon_spis() {
	sw "$1" --list-sas 2>/dev/null | sed -nE 's/^ +(in|out) +([0-9a-f]{8}),.*/\2/p' | tr '\n' ' '
}
# ksad's mature ESP SAs in namespace a as sorted "SPI" words
ksad_spis() { n "${1:-a}" "$K" sa list | grep 'state mature' | grep -o 'spi 0x[0-9a-f]*' | sed 's/spi 0x//' | sort | tr '\n' ' '; }
sorted() { tr ' ' '\n' | grep . | sort | tr '\n' ' '; }

# per-SPI "SPI BYTES PACKETS" lines: charon's --list-sas, ksad's sa list
charon_counts() {
	sw "$1" --list-sas 2>/dev/null | sed -nE 's/^ *(in|out) +([0-9a-f]{8})[^,]*, +([0-9]+) bytes, +([0-9]+) packets.*/\2 \3 \4/p' | sort
}
ksad_counts() {
	n "${1:-a}" "$K" sa list | awk '/spi 0x/ { match($0, /spi 0x[0-9a-f]+/); s = substr($0, RSTART + 6, RLENGTH - 6) }
		/stats:/ { print s, $2, $4 }' | sort
}
# XFRM's decrypted packets in namespace b: its states to address $1
xfrm_in_packets() {
	n b ip -s xfrm state | awk -v me="$1" '/^src / { d = ($4 == me) }
		/lifetime current:/ { getline; if (d) { sub(/\(packets\).*/, "", $2); n += $2 } }
		END { print n + 0 }'
}

# case_run a|b MODE FAMILY AUTH: one case of the matrix, a (ksad) or b
# (XFRM) initiating
case_run() {
	local who=$1 mode=$2 fam=$3 auth=$4 cell ini ks ck cx x0
	case_addrs "$mode" "$fam"
	ini=$( [ "$who" = a ] && echo ksad || echo xfrm)
	cell="charon-ksad $( [ "$who" = a ] && echo initiating || echo responding) to charon-XFRM, $mode, IPv$fam, $auth"
	conn ksad a "$A" "$B" "$TSA" "$TSB" "$mode" "$auth" &&
	conn xfrm b "$B" "$A" "$TSB" "$TSA" "$mode" "$auth" ||
		{ fail "$cell: swanctl loads the configurations"; cat "$SWT"/*/load.out | sed 's/^/#   /'; return; }
	check "$cell: CHILD SA up" sw "$ini" --initiate --child net
	ks=$(ksad_spis)
	ck=$(charon_spis ksad | sorted)
	cx=$(charon_spis xfrm | sorted)
	check_out "$cell: ksad holds charon's two SAs, XFRM their peers" '^same$' \
		bash -c "[ -n '$ks' ] && [ '$ks' = '$ck' ] && [ '$ks' = '$cx' ] && echo same || echo 'ksad $ks charon-ksad $ck charon-xfrm $cx'"
	x0=$(xfrm_in_packets "$B")
	check "$cell: ping both ways" ping_ns a b "$SA_" "$SB_"
	check "$cell: 1 MiB of TCP intact" tcp_ns a b "$SA_" "$SB_" "$fam" 5001 1048576
	check_out "$cell: ... as ESP: XFRM decrypted them" '^yes$' \
		bash -c "[ \$(( $(xfrm_in_packets "$B") - $x0 )) -ge 100 ] && echo yes || echo no"
	check_out "$cell: swanctl --list-sas shows ksad's bytes and packets" '^same$' \
		bash -c "[ -n \"\$(ksad_counts)\" ] && [ \"\$(charon_counts ksad)\" = \"\$(ksad_counts)\" ] && echo same || { charon_counts ksad; echo --; ksad_counts; }"
	check "$cell: swanctl --terminate" sw ksad --terminate --ike lab
	check_out "$cell: ... leaves no SA and no policy in ksad" '^0 0$' \
		bash -c "echo \$(n a $K sa list | grep -c spi) \$(n a $K policy list | grep -c '^policy')"
}
export -f charon_counts ksad_counts ksad_spis sorted sw n charon_start stop_pid wait_pid
export SWT K

step "charon with kernel-ksad in a, charon on XFRM in b"
charon_conf ksad ksad
charon_conf xfrm xfrm
check "charon (Debian's binary) starts in a with kernel-ksad" charon_start ksad a
check "charon starts in b on XFRM" charon_start xfrm b
check_out "charon's log names kernel-ksad as its IPsec backend" 'kernel-ksad: keying ksad' \
	cat "$SWT/ksad/charon.log"
check_out "... among the loaded plugins" 'loaded plugins: .*kernel-ksad' cat "$SWT/ksad/charon.log"
check_out "... and the IKE sockets bypass ksad's SPD (SOCKET_BYPASS)" 'bypasses the SPD' \
	cat "$SWT/ksad/charon.log"

step "the matrix: both roles, tunnel and transport, IPv4 and IPv6, PSK and X.509"
for mode in tunnel transport; do
	for fam in 4 6; do
		case_run a $mode $fam psk
		case_run b $mode $fam pubkey
	done
done
case_run a tunnel 4 pubkey
case_run b transport 6 psk

step "an algorithm ksad lacks (Camellia): the CHILD SA is refused with a log line naming it"
case_addrs tunnel 4
ESP=camellia128-sha256 conn ksad a "$A" "$B" "$TSA" "$TSB" tunnel psk &&
ESP=camellia128-sha256 conn xfrm b "$B" "$A" "$TSB" "$TSA" tunnel psk
# (charon on XFRM initiates: the responder installs first, and answers
# NO_PROPOSAL_CHOSEN when it cannot)
check_fails "charon-ksad, responding, cannot install a Camellia CHILD SA" sw xfrm --initiate --child net
check_out "... and says why, with ksad's extended ACK" 'kernel-ksad: (ADD|UPDATE) of SA [0-9a-f]+ \(CAMELLIA' \
	cat "$SWT/ksad/charon.log"
check_out "... leaving no mature SA in ksad" '^0$' bash -c "n a $K sa list | grep -c 'state mature' || true"
sw ksad --terminate --ike lab > /dev/null 2>&1
sw xfrm --terminate --ike lab > /dev/null 2>&1
n a "$K" sa flush; n a "$K" policy flush; n b ip xfrm state flush; n b ip xfrm policy flush

# up MODE FAMILY: charon-ksad in a initiates a PSK CHILD SA to charon-XFRM
# ($CHILD_OPTS_B, if set, for b instead of $CHILD_OPTS)
up() {
	case_addrs "$1" "$2"
	conn ksad a "$A" "$B" "$TSA" "$TSB" "$1" psk &&
	CHILD_OPTS=${CHILD_OPTS_B-${CHILD_OPTS:-}} conn xfrm b "$B" "$A" "$TSB" "$TSA" "$1" psk &&
	sw ksad --initiate --child net > "$SWT/up.out" 2>&1
}
down() {
	sw ksad --terminate --ike lab > /dev/null 2>&1
	sw xfrm --terminate --ike lab > /dev/null 2>&1
	n a "$K" sa flush; n a "$K" policy flush
	n b ip xfrm state flush; n b ip xfrm policy flush
}
# pings PACKETS: a ping every 0.1 s from a's inner address to b's, in the
# background (its pid in $pp); lost: how many were lost
pings() { n a ping -c "$1" -i 0.1 -W 1 -I "$SA_" "$SB_" > "$SWT/ping.out" 2>&1 & pp=$!; }
lost() { sed -nE 's/^([0-9]+) packets transmitted, ([0-9]+) received.*/\1 \2/p' "$SWT/ping.out" | awk '{ print $1 - $2 }'; }
count() { grep -cE "$1" "$2" || true; }

step "CHILD_SA and IKE_SA rekeys under traffic (short lifetimes): ksad's soft EXPIRE drives them"
IKE_OPTS="rekey_time = 14s
		rand_time = 2s" CHILD_OPTS="rekey_time = 5s
			rand_time = 1s
			life_time = 20s" up tunnel 4
check "CHILD SA up with a 5 s rekey time" test $? -eq 0
r0=$(count 'CHILD_SA net\{[0-9]+\} established' "$SWT/ksad/charon.log")
i0=$(count 'IKE_SA lab\[[0-9]+\] rekeyed|rekeying IKE_SA|IKE_SA rekeyed' "$SWT/ksad/charon.log")
e0=$(count 'kernel-ksad: soft EXPIRE' "$SWT/ksad/charon.log")
pings 300
wait_pid "$pp" 60
rekeys=$(( $(count 'CHILD_SA net\{[0-9]+\} established' "$SWT/ksad/charon.log") - r0 ))
ikerekeys=$(( $(count 'IKE_SA lab\[[0-9]+\] rekeyed|rekeying IKE_SA|IKE_SA rekeyed' "$SWT/ksad/charon.log") - i0 ))
echo "# 300 pings in 30 s: $(lost) lost; CHILD SAs established meanwhile: $rekeys; IKE rekeys: $ikerekeys; soft EXPIREs from ksad: $(( $(count 'kernel-ksad: soft EXPIRE' "$SWT/ksad/charon.log") - e0 ))"
check_out "ksad's soft EXPIREs reached charon" '^[1-9]' bash -c "echo \$(( \$(grep -c 'kernel-ksad: soft EXPIRE' '$SWT/ksad/charon.log') - $e0 ))"
check_out "the CHILD SA was rekeyed at least 4 times in 30 s" '^yes$' bash -c "[ $rekeys -ge 4 ] && echo yes || echo $rekeys"
check_out "the IKE SA was rekeyed" '^yes$' bash -c "[ $ikerekeys -ge 1 ] && echo yes || echo $ikerekeys"
check_out "at most 3 of 300 pings lost across the rekeys" '^yes$' bash -c "[ '$(lost)' -le 3 ] && echo yes || echo '$(lost) lost'"
# (rekeys go on every 5 s, and charon keeps a rekeyed inbound SA for 5 s,
# charon.delete_rekeyed_delay: so the pair, and maybe the last inbound one)
check_out "... and ksad holds the current pair (at most one older inbound SA): old SAs deleted" \
	'^[23]$' bash -c "n a $K sa list | grep -c 'state mature'"
check "traffic still flows" ping_ns a b "$SA_" "$SB_"
down

step "hard expiry: no rekey, a 6 s life in ksad (60 s in XFRM): ksad's hard EXPIRE ends the CHILD SA"
CHILD_OPTS="rekey_time = 0
			life_time = 6s
			rand_time = 0" CHILD_OPTS_B="rekey_time = 0
			life_time = 60s
			rand_time = 0" up tunnel 4
check "CHILD SA up with a 6 s life" test $? -eq 0
old=$(ksad_spis)
check "traffic flows" ping_ns a b "$SA_" "$SB_"
sleep 8
for spi in $old; do
	check_out "ksad's hard EXPIRE of SA $spi reached charon" "kernel-ksad: hard EXPIRE of SA $spi" \
		cat "$SWT/ksad/charon.log"
	check_out "... ksad removed it, and charon told its peer: XFRM has no SA $spi" '^0 0$' bash -c \
		"echo \$(n a $K sa list | grep -c 'spi 0x$spi') \$(n b ip xfrm state | grep -c 'spi 0x$spi')"
done
down

step "DPD: the peer dies, charon-ksad notices and removes the SAs from ksad"
IKE_OPTS="dpd_delay = 2s" up tunnel 4
check "CHILD SA up with DPD every 2 s" test $? -eq 0
kill -KILL "$(cat "$SWT/xfrm/pid")"	# no DELETE from it: a dead peer
n b ip xfrm state flush; n b ip xfrm policy flush
for _ in $(seq 40); do [ "$(n a "$K" sa list | grep -c spi)" = 0 ] && break; sleep 0.5; done
check_out "within 20 s ksad holds no SA" '^0$' bash -c "n a $K sa list | grep -c spi || true"
check_out "... because DPD gave up" 'giving up after [0-9]+ retransmits' cat "$SWT/ksad/charon.log"
check "charon on XFRM starts again in b" charon_start xfrm b
down

step "charon on ksad against charon on ksad (b keys ksad too)"
charon_stop xfrm	# one charon per namespace
charon_conf ksadb ksad
check "a second charon with kernel-ksad starts in b" charon_start ksadb b
case_addrs tunnel 4
conn ksad a "$A" "$B" "$TSA" "$TSB" tunnel psk && conn ksadb b "$B" "$A" "$TSB" "$TSA" tunnel psk
check "ksad <-> ksad: CHILD SA up" sw ksad --initiate --child net
check_out "ksad <-> ksad: the SAs in a's ksad are b's, crosswise" '^same$' bash -c \
	"[ -n \"\$(ksad_spis a)\" ] && [ \"\$(ksad_spis a)\" = \"\$(ksad_spis b)\" ] && echo same || echo \"\$(ksad_spis a) / \$(ksad_spis b)\""
in0=$(n b "$K" stats | awk '$1 == "in-packets" { print $2 }')
check "ksad <-> ksad: ping both ways" ping_ns a b "$SA_" "$SB_"
check_out "ksad <-> ksad: ... decrypted by b's ksad" '^yes$' bash -c \
	"[ \$(n b $K stats | awk '\$1 == \"in-packets\" { print \$2 }') -ge \$(( ${in0:-0} + 3 )) ] && echo yes || n b $K stats"
check "ksad <-> ksad: 1 MiB of TCP intact" tcp_ns a b "$SA_" "$SB_" 4 5002 1048576
check "ksad <-> ksad: terminate" sw ksad --terminate --ike lab
check_out "ksad <-> ksad: both SADs empty" '^0 0$' bash -c \
	"echo \$(n a $K sa list | grep -c spi) \$(n b $K sa list | grep -c spi)"
charon_stop ksadb
n b "$K" policy flush; n b "$K" sa flush

step "charon on ksad against ksad-ike (both on ksad)"
charon_stop xfrm	# ksad-ike takes b's port 500
IKE=$KSAD_TOP/userspace/ike/ksad-ike
printf 'a lab secret\n' > "$SWT/psk"; chmod 600 "$SWT/psk"
conn ksad a "$A" "$B" "$TSA" "$TSB" tunnel psk
in0=$(n b "$K" stats | awk '$1 == "in-packets" { print $2 }')
ip netns exec b timeout 40 "$IKE" --local "$B" --remote "$A" --id b.lab --remote-id a.lab \
	--psk-file "$SWT/psk" --mode tunnel --local-ts "$TSB" --remote-ts "$TSA" \
	--ike aes256-sha256-x25519 --esp aes128gcm16 --trace > "$SWT/ike.out" 2>&1 &
ikepid=$!
sleep 0.5
check "charon-ksad initiates to ksad-ike" sw ksad --initiate --child net
check "ksad-ike <-> charon-ksad: ping both ways" ping_ns a b "$SA_" "$SB_"
check_out "... decrypted by b's ksad" '^yes$' bash -c \
	"[ \$(n b $K stats | awk '\$1 == \"in-packets\" { print \$2 }') -ge \$(( ${in0:-0} + 3 )) ] && echo yes || n b $K stats"
check_out "ksad-ike traced the responder's SAD operations" 'ADD .*' cat "$SWT/ike.out"
stop_pid "$ikepid"
down
n b "$K" policy flush; n b "$K" sa flush
check "charon on XFRM starts again in b" charon_start xfrm b

check_out "charon-ksad's log has no kernel-ksad failure so far" '^0$' \
	bash -c "grep 'kernel-ksad: .*failed' '$SWT/ksad/charon.log' | grep -vc CAMELLIA || true"

step "start_action=trap for a /24 in transport mode, two peers: one ACQUIRE and one CHILD SA per destination"
#   t1 192.168.7.2 (XFRM) --- e1 t0 192.168.7.1 (ksad) e2 --- t2 192.168.7.3 (XFRM)
# (the lab kernel has no bridge: t0 holds its address on lo and routes
# each peer's /32 to its own link, answering ARP for it on both)
ip netns add t0
n t0 ip link set lo up
n t0 ip addr add 192.168.7.1/32 dev lo
for i in 1 2; do
	ip netns add t$i
	ip link add e$i netns t0 type veth peer name e netns t$i
	n t$i ip link set lo up
	n t$i ip addr add 192.168.7.$((i + 1))/24 dev e
	n t$i ip link set e up
	n t0 ip link set e$i up
	n t0 ip route add 192.168.7.$((i + 1))/32 dev e$i src 192.168.7.1
done
charon_conf trap ksad; charon_conf p1 xfrm; charon_conf p2 xfrm
check "charon-ksad in t0, charon-XFRM in t1 and t2" bash -c \
	"charon_start trap t0 && charon_start p1 t1 && charon_start p2 t2"
psk_conf trap 192.168.7.1 %any a %any 192.168.7.1/32 192.168.7.0/24 transport host "start_action = trap"
check "the trap configuration loads" test $? -eq 0
psk_conf p1 192.168.7.2 192.168.7.1 b a 192.168.7.2/32 192.168.7.1/32 transport host
psk_conf p2 192.168.7.3 192.168.7.1 c a 192.168.7.3/32 192.168.7.1/32 transport host
check_out "ksad in t0 has the trap: an outbound protect policy for the /24, transport" \
	'dir out action protect' n t0 "$K" policy list
# ping_until NS DST: one ping a second until one is answered (20 s at most)
ping_until() {
	for _ in $(seq 20); do n "$1" ping -c 1 -W 1 "$2" > /dev/null && return 0; done
	return 1
}
export -f ping_until
check "traffic to both peers at once: both answer (after their ACQUIREs)" bash -c \
	"ping_until t0 192.168.7.2 & p=\$!; ping_until t0 192.168.7.3 && wait \$p"
for d in 2 3; do
	check_out "exactly one ACQUIRE for 192.168.7.$d" '^1$' bash -c \
		"grep -cE 'kernel-ksad: ACQUIRE for reqid [0-9]+: 192.168.7.1/32[^ ]* === 192.168.7.$d/32' '$SWT/trap/charon.log'"
done
check_out "two IKE SAs, one CHILD SA each, in charon-ksad" '^2 2$' bash -c \
	"echo \$(sw trap --list-sas | grep -c ESTABLISHED) \$(sw trap --list-sas | grep -c 'host: #.*INSTALLED, TRANSPORT')"
check_out "... an outbound SA to each peer in ksad" '^1 1$' bash -c \
	"echo \$(n t0 $K sa list | grep -A1 'dst 192.168.7.2$' | grep -c 'dir out') \$(n t0 $K sa list | grep -A1 'dst 192.168.7.3$' | grep -c 'dir out')"
check "pings to both go through their own SAs (each XFRM peer decrypted)" bash -c \
	"n t0 ping -c 3 -i 0.2 -W 2 192.168.7.2 > /dev/null && n t0 ping -c 3 -i 0.2 -W 2 192.168.7.3 > /dev/null &&
	 n t1 ip -s xfrm state | grep -q '[1-9][0-9]*(packets)' && n t2 ip -s xfrm state | grep -q '[1-9][0-9]*(packets)'"
for c in trap p1 p2; do charon_stop $c; done
for ns in t0 t1 t2; do ip netns del $ns; done

step "NAT-T through a netns NAT (nftables masquerade), and a new NAT mapping: ksad's MAPPING moves the SA"
#   nc 192.168.9.2 (XFRM) --- 192.168.9.1 nn 203.0.113.1 (masquerade) --- 203.0.113.2 ng (ksad)
#   inner: nc 10.8.0.1, ng 10.9.0.1, tunnel mode
for ns in nc nn ng; do ip netns add $ns; n $ns ip link set lo up; done
ip link add c0 netns nc type veth peer name n0 netns nn
ip link add n1 netns nn type veth peer name g0 netns ng
n nc ip addr add 192.168.9.2/24 dev c0; n nn ip addr add 192.168.9.1/24 dev n0
n nn ip addr add 203.0.113.1/24 dev n1; n ng ip addr add 203.0.113.2/24 dev g0
n nc ip addr add 10.8.0.1/24 dev lo; n ng ip addr add 10.9.0.1/24 dev lo
for l in "nc c0" "nn n0" "nn n1" "ng g0"; do n ${l% *} ip link set ${l#* } up; done
n nc ip route add default via 192.168.9.1; n ng ip route add default via 203.0.113.1
n nn sysctl -qw net.ipv4.ip_forward=1
nat_rule() {	# [PORTS]: masquerade toward ng, UDP to PORTS if given
	n nn nft -f - <<EOF
flush ruleset
table ip nat {
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		${1:+oifname "n1" meta l4proto udp masquerade to :$1}
		oifname "n1" masquerade
	}
}
EOF
}
nat_rule
charon_conf gw ksad; charon_conf cl xfrm
check "charon-ksad in ng (gateway), charon-XFRM in nc (client, behind the NAT)" bash -c \
	"charon_start gw ng && charon_start cl nc"
psk_conf gw 203.0.113.2 %any a c 10.9.0.0/24 10.8.0.0/24 tunnel net
psk_conf cl 192.168.9.2 203.0.113.2 c a 10.8.0.0/24 10.9.0.0/24 tunnel net
check "the client behind the NAT initiates" sw cl --initiate --child net
check_out "charon-ksad sees the NAT and uses ESP in UDP" 'TUNNEL-in-UDP' sw gw --list-sas
check_out "ksad's SAs carry the encapsulation" 'encap espinudp' n ng "$K" sa list
check "ping both ways through the NAT" ping_ns nc ng 10.8.0.1 10.9.0.1
# the outbound SA's peer port, as ksadctl prints "encap espinudp SPORT DPORT"
out_dport() { n ng "$K" sa list | awk '/dir out/ { o = 1 } /dir in/ { o = 0 } o && /encap espinudp/ { print $4; exit }'; }
port0=$(out_dport)
echo "# the gateway's outbound SA goes to the NAT's port $port0"
# the NAT forgets the mapping (no conntrack netlink in the lab kernel: its
# UDP entries time out after 2 s of silence) and makes a new one, on a port
# of 40000-40100, when the client speaks again
n nn sysctl -qw net.netfilter.nf_conntrack_udp_timeout=2 net.netfilter.nf_conntrack_udp_timeout_stream=2
nat_rule 40000-40100
n nc ping -c 1 -W 1 -I 10.8.0.1 10.9.0.1 > /dev/null	# entries now time out in 2 s
sleep 4
n nc ping -c 3 -i 0.3 -W 1 -I 10.8.0.1 10.9.0.1 > /dev/null	# the client first: a new mapping
for _ in $(seq 20); do
	port1=$(out_dport)
	[ "$port1" != "$port0" ] && break
	sleep 0.5
done
echo "# ... now to port $port1"
check_out "ksad's MAPPING reached charon" 'kernel-ksad: MAPPING of SA' \
	log_has "$SWT/gw/charon.log" 'kernel-ksad: MAPPING of SA'
check_out "charon moved the outbound SA to the NAT's new port (SA_MIGRATE)" '^4[0-9]{4}$' echo "$port1"
check "ping both ways through the new mapping" ping_ns nc ng 10.8.0.1 10.9.0.1
for c in gw cl; do charon_stop $c; done
for ns in nc nn ng; do ip netns del $ns; done

step "MOBIKE: charon-ksad's address goes away under traffic, the SAs follow"
# a second address to move to (charon may as well choose fd00::1: a move
# from IPv4 to IPv6 is SA_MIGRATE's too), kept when the first one goes
# (promote_secondaries), and the inner route without a gateway
n a sysctl -qw net.ipv4.conf.va.promote_secondaries=1
n a ip addr add 10.0.0.11/24 dev va
n a ip route replace 10.2.0.0/24 dev va
case_addrs tunnel 4
conn ksad a %any "$B" "$TSA" "$TSB" tunnel psk && conn xfrm b "$B" "%any" "$TSB" "$TSA" tunnel psk
check "CHILD SA up from 10.0.0.1" sw ksad --initiate --child net
check_out "... ksad's outbound SA leaves from 10.0.0.1" 'src 10.0.0.1 dst 10.0.0.2' n a "$K" sa list
pings 200
sleep 3
n a ip addr del 10.0.0.1/24 dev va
wait_pid "$pp" 60
# ksad's outbound SA as "SRC DST"
out_ends() { n a "$K" sa list | awk '/^src / { s = $2; d = $4 } /dir out/ { print s, d; exit }'; }
read -r nsrc ndst <<< "$(out_ends)"
echo "# 200 pings in 20 s across the move: $(lost) lost; ksad's outbound SA now $nsrc -> $ndst"
check_out "charon-ksad moved the SAs (SA_MIGRATE)" 'kernel-ksad: SA [0-9a-f]+ moved to' \
	log_has "$SWT/ksad/charon.log" 'kernel-ksad: SA [0-9a-f]+ moved to'
check_out "ksad's outbound SA no longer leaves from 10.0.0.1" '^moved$' bash -c \
	"[ -n '$nsrc' ] && [ '$nsrc' != 10.0.0.1 ] && echo moved || echo '$nsrc'"
check_out "charon on XFRM followed: its SAs go to $nsrc" "dst $nsrc\$" n b ip xfrm state
check "traffic continues after the move" ping_ns a b "$SA_" "$SB_"
check_out "at most 30 of 200 pings lost across the move" '^yes$' bash -c "[ '$(lost)' -le 30 ] && echo yes || echo '$(lost) lost'"
down
n a ip addr add 10.0.0.1/24 dev va
n a ip addr del 10.0.0.11/24 dev va
n a ip route replace 10.2.0.0/24 via 10.0.0.2

step "rmmod ksad while charon runs"
CHILD_OPTS="start_action = trap" up tunnel 4
check "CHILD SA up (and a trap for it)" test $? -eq 0
check "rmmod ksad under charon" rmmod ksad
sleep 1
check "charon is still running" kill -0 "$(cat "$SWT/ksad/pid")"
check_out "charon logged that ksad went away" 'ksad was unloaded' \
	log_has "$SWT/ksad/charon.log" 'ksad was unloaded'
sw ksad --terminate --ike lab > /dev/null 2>&1
check_out "... and, terminating the IKE SA, that ksad was not there" 'kernel-ksad: .*(failed|not there)' \
	log_has "$SWT/ksad/charon.log" 'kernel-ksad: .*(failed|not there)'

check "insmod ksad again" load_ksad
# the trap outlives the CHILD SA that ksad took with it: it goes in again
trap_back() {
	for _ in $(seq 50); do n a "$K" policy list | grep -q 'dir out action protect' && break; sleep 0.2; done
	n a "$K" policy list
}
check_out "charon's trap policy is back in the new ksad" 'dir out action protect' trap_back
check_out "... as charon's log says" 'installed again' log_has "$SWT/ksad/charon.log" 'installed again'
sw xfrm --terminate --ike lab > /dev/null 2>&1
n b ip xfrm state flush; n b ip xfrm policy flush
check "swanctl --initiate works again" sw ksad --initiate --child net
check "... traffic flows through the new ksad" ping_ns a b "$SA_" "$SB_"
check_out "... whose SAD has the CHILD SA" '^2$' bash -c "n a $K sa list | grep -c 'state mature'"
down

charon_stop ksad
charon_stop xfrm
# the charons' logs, for the record (results/guest/strongswan-*.log)
for d in "$SWT"/*/; do
	[ -f "$d/charon.log" ] && cp "$d/charon.log" "${KSAD_OUT:-$TMPDIR}/strongswan-$(basename "$d").log"
done
done_testing
