# shellcheck shell=bash
# What the datapath groups share (sourced after lib.sh): ab_topology() makes
# namespace "a", which runs ksad, and "b", which runs the kernel's own XFRM,
# on a veth pair, with networks behind each end for tunnel mode; key() puts
# the same SPIs and keys on both.  ALGS lists the algorithms for both.
KEY20=0x0102030405060708090a0b0c0d0e0f1011121314
KEY20B=0x2122232425262728292a2b2c2d2e2f3031323334
KEY36=0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021222324
KEY36B=0x4142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f6061626364
KEY16=0x000102030405060708090a0b0c0d0e0f
KEY32=0x303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f
KEY32B=0x505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f

# The stock kernel's groups: the XFRM side's modules and what udev loads on
# a real boot for this CPU, AES-NI (its AEADs are the asynchronous kind,
# behind a SIMD wrapper) and CLMUL GHASH; then ksad.
stock_load() {
	modprobe -q esp4; modprobe -q esp6; modprobe -q xfrm_user; modprobe -q veth
	for m in aesni_intel ghash_clmulni_intel; do
		modprobe -q $m || echo "# modprobe $m failed"
	done
	check "insmod ksad.ko" load_ksad
}

# The groups that race on two CPUs (storm, race): ksad loaded, the two
# namespaces, A to run ksadctl in a, and two CPUs to race on.
two_cpu_setup() {
	stock_load
	ab_topology
	echo "# $(nproc) CPUs online, kernel $(uname -r)"
	check "two CPUs to race on" test "$(nproc)" -ge 2
}
A() { n a "$K" "$@"; }

# The two namespaces on a veth pair, with networks behind each end.
ab_topology() {
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
}

# Neighbour Discovery stays in the clear on both sides (a decrypted NA would
# arrive on ksad0, not on its link): bypass policies for ICMPv6 133-137,
# ahead of the protect policies (XFRM: lower priority value first).
# nd_bypass_ksad and nd_bypass_xfrm print them as batch lines for ksadctl
# and `ip -batch`.
nd_bypass_ksad() {
	local t d
	for t in 133 134 135 136 137; do
		for d in out in; do
			echo "policy add dir $d action bypass priority 1 sel src ::/0 dst ::/0 proto icmpv6 type $t"
		done
	done
}
nd_bypass_xfrm() {
	local t d
	for t in 133 134 135 136 137; do
		for d in out in fwd; do
			echo "xfrm policy add src ::/0 dst ::/0 proto ipv6-icmp type $t dir $d priority 1"
		done
	done
}
nd_bypass() {
	nd_bypass_ksad | n a "$K" -batch - > /dev/null &&
	nd_bypass_xfrm | n b ip -batch -
}

# Both sides back to nothing but the ND bypass: one ksadctl and one `ip`
# process each (under UML an exec costs ~0.3 s; this was 29 of them).
reset_all() {
	{ echo "sa flush"; echo "policy flush"; nd_bypass_ksad; } |
		n a "$K" -batch - > /dev/null
	{ echo "xfrm state flush"; echo "xfrm policy flush"; nd_bypass_xfrm; } |
		n b ip -batch -
}

# ksad_side NS MODE PROTO LOCAL REMOTE SPI-OUT SPI-IN ALG-OUT ALG-IN SEL-LOCAL SEL-REMOTE
# One end of a pair of SAs with its policies (out, in, and fwd in tunnel
# mode), in ksad; xfrm_side: the same in the kernel's XFRM.
ksad_side() {
	local ns=$1 mode=$2 p=$3 me=$4 peer=$5 so=$6 si=$7 ao=$8 ai=$9 sl=${10} sr=${11}
	local tun=""
	[ "$mode" = tunnel ] && tun="tunnel src $me dst $peer"
	# shellcheck disable=SC2086
	n "$ns" "$K" sa add src "$me" dst "$peer" proto "$p" spi "$so" dir out \
		mode "$mode" reqid 1 $ao > /dev/null &&
	n "$ns" "$K" sa add src "$peer" dst "$me" proto "$p" spi "$si" dir in \
		mode "$mode" reqid 1 replay-window 128 $ai > /dev/null &&
	n "$ns" "$K" policy add dir out action protect proto "$p" \
		sel src "$sl" dst "$sr" mode "$mode" reqid 1 $tun > /dev/null &&
	n "$ns" "$K" policy add dir in action protect proto "$p" \
		sel src "$sr" dst "$sl" mode "$mode" reqid 1 > /dev/null &&
	if [ "$mode" = tunnel ]; then
		n "$ns" "$K" policy add dir fwd action protect proto "$p" \
			sel src "$sr" dst "$sl" mode "$mode" reqid 1 > /dev/null
	fi
}

xfrm_side() {
	local ns=$1 mode=$2 p=$3 me=$4 peer=$5 so=$6 si=$7 ao=$8 ai=$9 sl=${10} sr=${11}
	# eval: XFRM's NULL cipher wants an empty key argument ('')
	eval "n $ns ip xfrm state add src $me dst $peer proto $p spi $so reqid 1 \
		mode $mode replay-window 128 $ao" &&
	eval "n $ns ip xfrm state add src $peer dst $me proto $p spi $si reqid 1 \
		mode $mode replay-window 128 $ai" &&
	n "$ns" ip xfrm policy add src "$sl" dst "$sr" dir out \
		tmpl src "$me" dst "$peer" proto "$p" reqid 1 mode "$mode" &&
	n "$ns" ip xfrm policy add src "$sr" dst "$sl" dir in \
		tmpl src "$peer" dst "$me" proto "$p" reqid 1 mode "$mode" &&
	n "$ns" ip xfrm policy add src "$sr" dst "$sl" dir fwd \
		tmpl src "$peer" dst "$me" proto "$p" reqid 1 mode "$mode"
}

# key MODE A B SELA SELB KSAD-ALG XFRM-ALG-AB XFRM-ALG-BA KSAD-ALG-BA
#     [EXTRA-KSAD] [EXTRA-XFRM]
# SAs and policies between A (on a) and B (on b) for traffic SELA <-> SELB,
# with protocol $PROTO (esp unless set).  a sends with SPI 0x1001, b with
# 0x2002.
key() {
	local mode=$1 ea=$2 eb=$3 sela=$4 selb=$5 kalg=$6 xalg_ab=$7 xalg_ba=$8
	local kalg_ba=$9 kx=${10:-} xx=${11:-} tun_a="" tun_b="" p=${PROTO:-esp}
	if [ "$mode" = tunnel ]; then
		tun_a="tunnel src $ea dst $eb"
		tun_b="tunnel src $eb dst $ea"
	fi
	# One batch a side.  ip -batch reads quotes as the shell does ('' is
	# XFRM's empty NULL key); ksadctl's words have no quotes.
	{
		echo "sa add src $ea dst $eb proto $p spi 0x1001 dir out mode $mode reqid 1 $kalg $kx"
		echo "sa add src $eb dst $ea proto $p spi 0x2002 dir in mode $mode reqid 1 replay-window 64 $kalg_ba $kx"
		echo "policy add dir out action protect proto $p sel src $sela dst $selb mode $mode reqid 1 $tun_a"
		echo "policy add dir in action protect proto $p sel src $selb dst $sela mode $mode reqid 1"
	} | n a "$K" -batch - > /dev/null &&
	{
		echo "xfrm state add src $ea dst $eb proto $p spi 0x1001 reqid 1 mode $mode replay-window 64 $xalg_ab $xx"
		echo "xfrm state add src $eb dst $ea proto $p spi 0x2002 reqid 1 mode $mode replay-window 64 $xalg_ba $xx"
		echo "xfrm policy add src $selb dst $sela dir out priority 100 tmpl src $eb dst $ea proto $p reqid 1 mode $mode"
		echo "xfrm policy add src $sela dst $selb dir in priority 100 tmpl src $ea dst $eb proto $p reqid 1 mode $mode"
		echo "xfrm policy add src $sela dst $selb dir fwd priority 100 tmpl src $ea dst $eb proto $p reqid 1 mode $mode"
	} | n b ip -batch -
}

GCM="aead aes-gcm-16 $KEY20"
GCM_B="aead aes-gcm-16 $KEY20B"
X_GCM="aead 'rfc4106(gcm(aes))' $KEY20 128"
X_GCM_B="aead 'rfc4106(gcm(aes))' $KEY20B 128"

# name|proto|ksad a->b|ksad b->a|XFRM a->b|XFRM b->a: each algorithm, and AH
ALGS=(
	"AES-GCM-16-128|esp|$GCM|$GCM_B|$X_GCM|$X_GCM_B"
	"AES-GCM-16-256|esp|aead aes-gcm-16 $KEY36|aead aes-gcm-16 $KEY36B|aead 'rfc4106(gcm(aes))' $KEY36 128|aead 'rfc4106(gcm(aes))' $KEY36B 128"
	"ChaCha20-Poly1305|esp|aead chacha20-poly1305 $KEY36|aead chacha20-poly1305 $KEY36B|aead 'rfc7539esp(chacha20,poly1305)' $KEY36 128|aead 'rfc7539esp(chacha20,poly1305)' $KEY36B 128"
	"AES-CBC-128/HMAC-SHA-256|esp|enc aes-cbc $KEY16 auth hmac-sha256 $KEY32|enc aes-cbc $KEY16 auth hmac-sha256 $KEY32B|enc 'cbc(aes)' $KEY16 auth-trunc 'hmac(sha256)' $KEY32 128|enc 'cbc(aes)' $KEY16 auth-trunc 'hmac(sha256)' $KEY32B 128"
	"AES-CBC-256/HMAC-SHA-256|esp|enc aes-cbc $KEY32 auth hmac-sha256 $KEY32|enc aes-cbc $KEY32B auth hmac-sha256 $KEY32B|enc 'cbc(aes)' $KEY32 auth-trunc 'hmac(sha256)' $KEY32 128|enc 'cbc(aes)' $KEY32B auth-trunc 'hmac(sha256)' $KEY32B 128"
	"NULL/HMAC-SHA-256|esp|enc null - auth hmac-sha256 $KEY32|enc null - auth hmac-sha256 $KEY32B|enc 'ecb(cipher_null)' '' auth-trunc 'hmac(sha256)' $KEY32 128|enc 'ecb(cipher_null)' '' auth-trunc 'hmac(sha256)' $KEY32B 128"
	"AH HMAC-SHA-256-128|ah|auth hmac-sha256 $KEY32|auth hmac-sha256 $KEY32B|auth-trunc 'hmac(sha256)' $KEY32 128|auth-trunc 'hmac(sha256)' $KEY32B 128"
)

# Every algorithm and key length ksad has (IKEv2's, RFC 8221), with the same
# keys on both sides, for the matrix group; ALGS above are the seven rows
# the other groups use.  Keys: hexkey N [B] gives N bytes (B: the other way's).
hexkey() {
	local n=$1 pat=${2:-0123456789abcdef} k=0x
	while [ ${#k} -lt $((2 * n + 2)) ]; do k+=$pat; done
	echo "${k:0:$((2 * n + 2))}"
}
# integrity: strongSwan's word|crypto API name|ICV bits|key bytes
INTEGS=(
	"sha1|hmac(sha1)|96|20"
	"aesxcbc|xcbc(aes)|96|16"
	"aescmac|cmac(aes)|96|16"
	"sha256|hmac(sha256)|128|32"
	"sha384|hmac(sha384)|192|48"
	"sha512|hmac(sha512)|256|64"
)
# matrix_row NAME PROTO KSAD-ALG XFRM-ALG KEYLEN [INTEG] [EXTRA]: one row of
# MATRIX_ALGS; KSAD-ALG and XFRM-ALG have KEY (and IKEY) where the keys go.
# (ksadctl's arguments are split as words, unquoted: strongSwan's names
# there; XFRM's go through eval, so they may be quoted.)
matrix_row() {
	local name=$1 proto=$2 kalg=$3 xalg=$4 klen=$5 integ=${6:-} extra=${7:-}
	local w="" xn="" ibits="" ilen=0 ka kb ia="" ib="" r=()
	[ -n "$integ" ] && IFS='|' read -r w xn ibits ilen <<< "$integ"
	ka=$(hexkey "$klen" 0123456789abcdef); kb=$(hexkey "$klen" fedcba9876543210)
	[ "$klen" = 0 ] && ka="" && kb=""
	if [ "$ilen" != 0 ]; then
		ia=$(hexkey "$ilen" 1357924680aceace); ib=$(hexkey "$ilen" 2468013579bdfbdf)
	fi
	for side in "$ka|$ia" "$kb|$ib"; do
		local k=${side%|*} i=${side#*|} x
		x=${kalg//WORD/$w}; x=${x//IKEY/$i}; r+=("${x//KEY/$k}")
	done
	for side in "$ka|$ia" "$kb|$ib"; do
		local k=${side%|*} i=${side#*|} x
		x=${xalg//XNAME/$xn}; x=${x//IBITS/$ibits}; x=${x//IKEY/$i}
		[ -z "$k" ] && k="''"
		r+=("${x//KEY/$k}")
	done
	echo "$name|$proto|${r[0]}|${r[1]}|${r[2]}|${r[3]}|$extra"
}
MATRIX_ALGS=()
# AES-GCM and AES-CCM: each ICV length (a transform ID each) with a 128-bit
# key, each key length with the 16-byte ICV; AES-GMAC with each key length
for v in 8-128 12-128 16-128 16-192 16-256; do
	icv=${v%-*} bits=${v#*-} kl=$((${v#*-} / 8))
	MATRIX_ALGS+=("$(matrix_row "AES-GCM-$icv-$bits" esp "alg aes${bits}gcm$icv KEY" \
		"aead 'rfc4106(gcm(aes))' KEY $((icv * 8))" $((kl + 4)))")
	MATRIX_ALGS+=("$(matrix_row "AES-CCM-$icv-$bits" esp "alg aes${bits}ccm$icv KEY" \
		"aead 'rfc4309(ccm(aes))' KEY $((icv * 8))" $((kl + 3)))")
done
for bits in 128 192 256; do
	MATRIX_ALGS+=("$(matrix_row "AES-GMAC-$bits" esp "alg aes${bits}gmac KEY" \
		"aead 'rfc4543(gcm(aes))' KEY 128" $((bits / 8 + 4)))")
done
MATRIX_ALGS+=("$(matrix_row "ChaCha20-Poly1305" esp "alg chacha20poly1305 KEY" \
	"aead 'rfc7539esp(chacha20,poly1305)' KEY 128" 36)")
# each integrity algorithm with a cipher; ESN for each kind of cipher
MATRIX_ALGS+=(
	"$(matrix_row "AES-CBC-128/HMAC-SHA2-256-128" esp "alg aes128-WORD KEY IKEY" \
		"enc 'cbc(aes)' KEY auth-trunc 'XNAME' IKEY IBITS" 16 "${INTEGS[3]}")"
	"$(matrix_row "AES-CBC-192/HMAC-SHA1-96" esp "alg aes192-WORD KEY IKEY" \
		"enc 'cbc(aes)' KEY auth-trunc 'XNAME' IKEY IBITS" 24 "${INTEGS[0]}")"
	"$(matrix_row "AES-CBC-256/HMAC-SHA2-512-256" esp "alg aes256-WORD KEY IKEY" \
		"enc 'cbc(aes)' KEY auth-trunc 'XNAME' IKEY IBITS" 32 "${INTEGS[5]}")"
	"$(matrix_row "AES-CTR-128/AES-XCBC-96" esp "alg aes128ctr-WORD KEY IKEY" \
		"enc 'rfc3686(ctr(aes))' KEY auth-trunc 'XNAME' IKEY IBITS" 20 "${INTEGS[1]}")"
	"$(matrix_row "AES-CTR-192/HMAC-SHA2-384-192" esp "alg aes192ctr-WORD KEY IKEY" \
		"enc 'rfc3686(ctr(aes))' KEY auth-trunc 'XNAME' IKEY IBITS" 28 "${INTEGS[4]}")"
	"$(matrix_row "AES-CTR-256/AES-CMAC-96" esp "alg aes256ctr-WORD KEY IKEY" \
		"enc 'rfc3686(ctr(aes))' KEY auth-trunc 'XNAME' IKEY IBITS" 36 "${INTEGS[2]}")"
	"$(matrix_row "NULL/HMAC-SHA2-256-128" esp "alg null-WORD IKEY" \
		"enc 'ecb(cipher_null)' KEY auth-trunc 'XNAME' IKEY IBITS" 0 "${INTEGS[3]}")"
	"$(matrix_row "AES-CBC-256/HMAC-SHA2-256-128, ESN" esp "alg aes256-WORD KEY IKEY" \
		"enc 'cbc(aes)' KEY auth-trunc 'XNAME' IKEY IBITS" 32 "${INTEGS[3]}" "flag esn")"
	"$(matrix_row "AES-CTR-128/HMAC-SHA1-96, ESN" esp "alg aes128ctr-WORD KEY IKEY" \
		"enc 'rfc3686(ctr(aes))' KEY auth-trunc 'XNAME' IKEY IBITS" 20 "${INTEGS[0]}" "flag esn")"
	"$(matrix_row "NULL/AES-XCBC-96, ESN" esp "alg null-WORD IKEY" \
		"enc 'ecb(cipher_null)' KEY auth-trunc 'XNAME' IKEY IBITS" 0 "${INTEGS[1]}" "flag esn")"
)
for integ in "${INTEGS[@]}"; do
	w=${integ%%|*}
	MATRIX_ALGS+=("$(matrix_row "AH ${w^^}" ah "alg WORD IKEY" \
		"auth-trunc 'XNAME' IKEY IBITS" 0 "$integ")")
done

# mode|family|outer ends|selectors|inner addresses to ping: the four shapes
SHAPES=(
	"transport|4|10.0.0.1|10.0.0.2|10.0.0.1/32|10.0.0.2/32|10.0.0.1|10.0.0.2"
	"transport|6|fd00::1|fd00::2|fd00::1/128|fd00::2/128|fd00::1|fd00::2"
	"tunnel|4|10.0.0.1|10.0.0.2|10.1.0.0/24|10.2.0.0/24|10.1.0.1|10.2.0.1"
	"tunnel|6|fd00::1|fd00::2|fd01::/64|fd02::/64|fd01::1|fd02::1"
)

# interop_cell ALG SHAPE PORT [KIB] (entries of ALGS or MATRIX_ALGS and
# SHAPES): ksad on a, XFRM on b; ping both ways, XFRM's own count of what it
# accepted from ksad, and KIB (default 4096) KiB of TCP to PORT checked by
# SHA-256.  An ALG's seventh field is extra SA arguments (flag esn).
interop_cell() {
	local name PROTO kab kba xab xba extra mode fam ea eb sela selb pa pb cell
	local kib=${4:-4096}
	IFS='|' read -r name PROTO kab kba xab xba extra <<< "$1"
	IFS='|' read -r mode fam ea eb sela selb pa pb <<< "$2"
	cell="$name, $mode, IPv$fam"
	step "$cell"
	reset_all
	check "$cell: keyed" key "$mode" "$ea" "$eb" "$sela" "$selb" \
		"$kab" "$xab" "$xba" "$kba" "$extra" "$extra"
	check "$cell: ping both ways" ping_both "$pa" "$pb" "-$fam"
	check_out "$cell: XFRM accepted ksad's packets" '^[1-9]' \
		xfrm_in_packets "$ea" "$eb"
	check "$cell: TCP, $kib KiB, arrives intact" tcp_bulk "$pa" "$pb" "$fam" "$3" \
		$((kib * 1024))
}

stat_of() { n a "$K" stats | awk -v k="$1" '$1 == k { print $2 }'; }
# counted NAME MIN: the namespace counter NAME is at least MIN
counted() { [ "$(stat_of "$1")" -ge "$2" ]; }
xfrm_in_packets() {
	n b ip -s xfrm state get src "$1" dst "$2" proto "${PROTO:-esp}" spi 0x1001 |
		awk '/lifetime current:/ { getline; print $2 }' | tr -d '(a-z)'
}

# ping_ns NS1 NS2 ADDR1 ADDR2 [ping args]: both ways, 3 packets each.
ping_ns() {
	local na=$1 nb=$2 sa=$3 sb=$4
	shift 4
	n "$na" ping "$@" -c 3 -i 0.2 -W 2 -I "$sa" "$sb" > /dev/null &&
	n "$nb" ping "$@" -c 3 -i 0.2 -W 2 -I "$sb" "$sa" > /dev/null
}
# ping_both A_ADDR B_ADDR [ping args]: between $NS_A and $NS_B (a and b).
ping_both() { ping_ns "${NS_A:-a}" "${NS_B:-b}" "$@"; }

# tcp_ns NS1 NS2 SRC DST FAMILY PORT [BYTES]: 4 MiB (or BYTES) of TCP from
# NS1 to NS2, checked by SHA-256 on arrival; tcp_bulk SRC DST FAMILY PORT
# [BYTES]: from $NS_A to $NS_B (a to b).
tcp_bulk() { tcp_ns "${NS_A:-a}" "${NS_B:-b}" "$@"; }
tcp_ns() {
	local na=$1 nb=$2 src=$3 dst=$4 fam=$5 port=$6 bytes=${7:-4194304}
	rm -f "$TMPDIR/bulk.ready"
	n "$nb" python3 - "$dst" "$port" "$fam" "$TMPDIR/bulk.ready" > "$TMPDIR/bulk.out" 2>&1 <<'EOF' &
import hashlib, socket, sys
fam = socket.AF_INET6 if sys.argv[3] == "6" else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(1); s.settimeout(60)
open(sys.argv[4], "w").close()
c, _ = s.accept(); c.settimeout(60)
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
	want=$(n "$na" python3 - "$src" "$dst" "$port" "$fam" "$bytes" <<'EOF'
import hashlib, socket, sys
fam = socket.AF_INET6 if sys.argv[4] == "6" else socket.AF_INET
n = int(sys.argv[5])
data = (bytes(range(251)) * (n // 251 + 1))[:n]	# no period of 2^k
s = socket.socket(fam, socket.SOCK_STREAM); s.settimeout(60)
s.bind((sys.argv[1], 0)); s.connect((sys.argv[2], int(sys.argv[3])))
s.sendall(data); s.close()
print(len(data), hashlib.sha256(data).hexdigest())
EOF
)
	wait $srv
	[ -n "$want" ] && [ "$want" = "$(cat "$TMPDIR/bulk.out")" ]
}

