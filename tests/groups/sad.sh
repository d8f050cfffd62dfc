#!/bin/bash
# The SAD through its netlink API and ksadctl: every operation, every
# documented error (with its extended-ACK message), the seed's keying order
# between two namespaces, concurrency, privileges, notifications, expiry.
. "$(dirname "$0")/lib.sh"
TOOLS=$KSAD_TOP/userspace/tools
K=$KSADCTL
KEY36=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223
KEY32=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
KEY20=0x000102030405060708090a0b0c0d0e0f10111213
KEY16=0x000102030405060708090a0b0c0d0e0f
KEY48=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f

check "insmod ksad.ko" load_ksad
two_peers ini res
I() { n ini "$K" "$@"; }
R() { n res "$K" "$@"; }

step "GETSPI"
spi=$(spi_of I sa getspi dst 192.0.2.1 proto esp)
check_out "GETSPI returns a larval inbound SA" "state larval" I sa get dst 192.0.2.1 proto esp spi "$spi"
check "its SPI is above the reserved range" test $((spi)) -ge 256
check_out "GETSPI with min == max returns exactly that SPI" "spi 0x00001234" \
	I sa getspi dst 192.0.2.1 proto esp min 0x1234 max 0x1234
fails_with "the same exact SPI again is refused" "in use" \
	I sa getspi dst 192.0.2.1 proto esp min 0x1234 max 0x1234
I sa getspi dst 192.0.2.1 proto esp min 0x1235 max 0x1235 > /dev/null
fails_with "a full range is refused" "no free SPI" \
	I sa getspi dst 192.0.2.1 proto esp min 0x1234 max 0x1235
fails_with "a range inside 0-255 is refused" "reserved" \
	I sa getspi dst 192.0.2.1 proto esp min 1 max 255
fails_with "GETSPI needs a protocol" "protocol" I sa getspi dst 192.0.2.1
fails_with "GETSPI needs a destination" "destination" I sa getspi proto esp
fails_with "GETSPI takes no key" "not an argument" \
	I sa getspi dst 192.0.2.1 proto esp aead aes-gcm-16 $KEY36
check_out "an IPv6 GETSPI works" "dst 2001:db8::1" I sa getspi dst 2001:db8::1 proto ah

step "UPDATE"
fails_with "UPDATE with a wrong key length is refused" "20, 28 or 36 bytes" \
	I sa update dst 192.0.2.1 proto esp spi "$spi" aead aes-gcm-16 $KEY32
check_out "UPDATE completes the larval SA" "state mature" \
	I sa update dst 192.0.2.1 proto esp spi "$spi" aead aes-gcm-16 $KEY36 \
	mode transport reqid 7 replay-window 64
fails_with "UPDATE cannot change the keys of a mature SA" "only the lifetimes" \
	I sa update dst 192.0.2.1 proto esp spi "$spi" aead aes-gcm-16 $KEY36
check_out "UPDATE may change its lifetimes" "lifetime hard: time 3600s" \
	I sa update dst 192.0.2.1 proto esp spi "$spi" limit time-hard 3600
fails_with "UPDATE of a missing SA: ESRCH" "No such process: no SA" \
	I sa update dst 192.0.2.1 proto esp spi 0x999999 limit time-hard 1

step "ADD"
check_out "ADD an outbound SA (xfrm names)" "state mature" \
	I sa add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x2000 dir out \
	aead 'rfc4106(gcm(aes))' $KEY20 128
fails_with "ADD of an existing SA: EEXIST" "File exists: an SA with this SPI" \
	I sa add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x2000 dir out \
	aead aes-gcm-16 $KEY20
fails_with "an outbound SA needs an SPI" "peer's SPI" \
	I sa add dst 192.0.2.2 proto esp dir out aead aes-gcm-16 $KEY20
spi_in=$(spi_of I sa add dst 192.0.2.1 proto esp dir in aead chacha20-poly1305 $KEY36)
check "ADD of an inbound SA without SPI allocates one" test -n "$spi_in"
fails_with "... which GETSPI then cannot hand out" "in use" \
	I sa getspi dst 192.0.2.1 proto esp min "$spi_in" max "$spi_in"
check "ADD AES-CBC + HMAC-SHA-256" I sa add dst 192.0.2.2 proto esp spi 0x2001 dir out \
	enc 'cbc(aes)' $KEY32 auth-trunc 'hmac(sha256)' $KEY32 128
check "ADD NULL + HMAC-SHA-256" I sa add dst 192.0.2.2 proto esp spi 0x2002 dir out \
	enc null "" auth hmac-sha256 $KEY32
check "ADD AH HMAC-SHA-256" I sa add dst 192.0.2.2 proto ah spi 0x2003 dir out \
	auth hmac-sha256 $KEY32
fails_with "AES-CBC without integrity is refused" "needs an integrity algorithm" \
	I sa add dst 192.0.2.2 proto esp spi 0x2004 dir out enc aes-cbc $KEY32
check_out "ADD by strongSwan's name: AES-CBC-256 + HMAC-SHA2-384-192" \
	"alg aes256-sha384 \(encr 12, 256-bit key, integ 13\)" \
	I sa add dst 192.0.2.2 proto esp spi 0x2009 dir out alg aes256-sha384 $KEY32 $KEY48
check_out "ADD by strongSwan's name: AES-GCM with a 192-bit key, 12-byte ICV" \
	"alg aes192gcm12 \(encr 19, 192-bit key\)" \
	I sa add dst 192.0.2.2 proto esp spi 0x200a dir out alg aes192gcm12 ${KEY36:0:58}
check_out "ADD by xfrm names: AES-CCM-8, 256-bit key" "alg aes256ccm8 \(encr 14, 256-bit key\)" \
	I sa add dst 192.0.2.2 proto esp spi 0x200b dir out aead 'rfc4309(ccm(aes))' ${KEY36:0:72} 64
check_out "ADD AH by xfrm names: AES-XCBC-96" "alg aesxcbc \(integ 5\)" \
	I sa add dst 192.0.2.2 proto ah spi 0x200c dir out auth-trunc 'xcbc(aes)' $KEY16 96
fails_with "auth 'hmac(sha256)' (ip xfrm truncates it to 96 bits) is refused" "ambiguous" \
	I sa add dst 192.0.2.2 proto ah spi 0x200d dir out auth 'hmac(sha256)' $KEY32
fails_with "an ICV length that is not the algorithm's is refused" "unknown auth-trunc" \
	I sa add dst 192.0.2.2 proto ah spi 0x200d dir out auth-trunc 'hmac(sha256)' $KEY32 96
fails_with "AH with encryption is refused" "AH does not encrypt" \
	I sa add dst 192.0.2.2 proto ah spi 0x2005 dir out aead aes-gcm-16 $KEY36
fails_with "an HMAC key of the wrong length is refused" "32-byte key" \
	I sa add dst 192.0.2.2 proto ah spi 0x2006 dir out auth hmac-sha256 $KEY20
fails_with "SPI 100 is refused by the policy" "integer out of range" \
	I sa add dst 192.0.2.2 proto esp spi 100 dir out aead aes-gcm-16 $KEY20
fails_with "a selector of the other family in transport mode is refused" "family" \
	I sa add dst 192.0.2.2 proto esp spi 0x2007 dir out aead aes-gcm-16 $KEY20 \
	sel src 2001:db8::/64 dst 2001:db8:1::/64
check_out "an SA with a selector and lifetimes shows them" "sel src 10.1.0.0/16 dst 10.2.0.0/16 proto 6" \
	I sa add dst 192.0.2.2 proto esp spi 0x2008 dir out mode tunnel aead aes-gcm-16 $KEY20 \
	sel src 10.1.0.0/16 dst 10.2.0.0/16 proto tcp limit time-soft 100 byte-hard 1000000

step "GET, list, DELETE, FLUSH"
check_out "GET shows the IKEv2 algorithm, no key material" "alg aes128gcm16 \(encr 20, 128-bit key\)$" \
	I sa get dst 192.0.2.2 proto esp spi 0x2000
check_fails "... and no key bytes at all" sh -c "$K sa get dst 192.0.2.2 proto esp spi 0x2000 | grep -qi 0001020304"
check_out "list filters by direction" '^[0-9]+$' sh -c \
	"ip netns exec ini $K -j sa list dir out | python3 -c 'import json,sys; l=json.load(sys.stdin); assert l and all(s[\"dir\"]==\"out\" for s in l); print(len(l))'"
check_out "list filters by protocol" '^2$' sh -c \
	"ip netns exec ini $K -j sa list proto ah dst 192.0.2.2 | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'"
check "DELETE an SA" I sa delete dst 192.0.2.2 proto esp spi 0x2001
fails_with "DELETE it again: ESRCH" "No such process" I sa delete dst 192.0.2.2 proto esp spi 0x2001
fails_with "GET it: ESRCH" "No such process" I sa get dst 192.0.2.2 proto esp spi 0x2001
fails_with "DELETE needs the SPI" "SPI, destination" I sa delete dst 192.0.2.2 proto esp
check "FLUSH AH only" I sa flush proto ah
check_out "... leaves ESP SAs" "^0 [1-9]" sh -c \
	"echo \$(ip netns exec ini $K sa list proto ah | grep -c spi) \$(ip netns exec ini $K sa list proto esp | grep -c spi)"
check "FLUSH all" I sa flush
check_out "... leaves nothing" "sa-count 0" I config

step "The seed's order: inbound SPIs are chosen by their receiver"
ip netns exec ini "$K" monitor sa > $TMPDIR/mon-ini.txt 2>&1 &
mi=$!
ip netns exec res "$K" monitor sa > $TMPDIR/mon-res.txt 2>&1 &
mr=$!
sleep 0.5
seed_order ini res $KEY36 $KEY36
sleep 0.5
kill $mi $mr; wait $mi $mr 2>/dev/null
check_out "initiator holds inbound $spi_i and outbound $spi_r, both mature" \
	"^in $(printf 0x%x "$spi_i") mature out $(printf 0x%x "$spi_r") mature$" sh -c \
	"ip netns exec ini $K -j sa list | python3 -c 'import json,sys; l=sorted(json.load(sys.stdin), key=lambda s:s[\"dir\"]); print(\" \".join(\"%s 0x%x %s\" % (s[\"dir\"], int(s[\"spi_hex\"], 16), s[\"state\"]) for s in l))'"
check_out "the initiator's monitor saw larval, updated, added in order" "larval.*updated.*added" sh -c \
	"grep -o 'larval\|updated\|added' $TMPDIR/mon-ini.txt | tr '\n' ' '"
check_out "the responder's monitor saw added, larval, updated in order" "added.*larval.*updated" sh -c \
	"grep -o 'larval\|updated\|added' $TMPDIR/mon-res.txt | tr '\n' ' '"
check_out "each namespace keeps its own SAD" "sa-count 2" R config
I sa flush; R sa flush

step "Same SPI in two namespaces"
check "exact SPI 0x4242 in ini" I sa getspi dst 192.0.2.9 proto esp min 0x4242 max 0x4242
check "the same exact SPI in res" R sa getspi dst 192.0.2.9 proto esp min 0x4242 max 0x4242
I sa flush; R sa flush

step "Concurrency: 16 processes x 10,000 GETSPI"
I config larval-timeout 3600 > /dev/null
for p in $(seq 16); do
	n ini "$TOOLS/ksad-getspi-storm" 10000 192.0.2.1 > $TMPDIR/storm.$p 2>&1 &
done
wait
check_out "160,000 SPIs handed out" '^160000$' sh -c 'cat $TMPDIR/storm.* | grep -c "^[0-9a-f]\{8\}$"'
check_out "none of them twice" '^0$' sh -c 'cat $TMPDIR/storm.* | sort | uniq -d | wc -l'
check_out "the SAD holds them all" "sa-count 160000" I config
t0=$(date +%s%N)
I sa flush
echo "# flushing 160,000 SAs took $(( ($(date +%s%N) - t0) / 1000000 )) ms"
for p in $(seq 16); do
	n ini "$TOOLS/ksad-getspi-storm" 500 192.0.2.1 0x10000 0x11fff > $TMPDIR/storm.$p 2>&1 &
done
wait
check_out "16 x 500 GETSPI in an 8,192-SPI range: no duplicate" '^8000 0$' sh -c \
	'echo $(cat $TMPDIR/storm.* | grep -c "^0001[01]") $(cat $TMPDIR/storm.* | sort | uniq -d | wc -l)'
I sa flush

step "Privileges"
fails_with "an unprivileged user is refused" "Operation not permitted" \
	n ini setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$K" sa list
fails_with "root of a user namespace that does not own the netns is refused" "Operation not permitted" \
	n ini unshare -Ur "$K" sa getspi dst 192.0.2.1 proto esp
fails_with "an unprivileged user cannot listen to SA events" "Operation not permitted" \
	n ini setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all timeout 2 "$K" monitor sa

step "Larval timeout and lifetimes"
ip netns exec ini "$K" monitor > $TMPDIR/mon-life.txt 2>&1 &
ml=$!
sleep 0.3
I config larval-timeout 2 > /dev/null
lspi=$(spi_of I sa getspi dst 192.0.2.1 proto esp)
sleep 1
check "the larval SA lives for its timeout" I sa get dst 192.0.2.1 proto esp spi "$lspi"
sleep 3
fails_with "... and is gone after it" "No such process" I sa get dst 192.0.2.1 proto esp spi "$lspi"
check "an SA with soft 1 s and hard 4 s" I sa add dst 192.0.2.2 proto esp spi 0x3000 dir out \
	aead aes-gcm-16 $KEY36 limit time-soft 1 time-hard 4
sleep 2
check_out "after its soft lifetime the SA is dying" "state dying" I sa get dst 192.0.2.2 proto esp spi 0x3000
sleep 3
fails_with "after its hard lifetime it is gone" "No such process" I sa get dst 192.0.2.2 proto esp spi 0x3000
kill $ml; wait $ml 2>/dev/null
check_out "monitor: larval-expired" "\[sa\] larval-expired esp spi $lspi" cat $TMPDIR/mon-life.txt
check_out "monitor: soft then hard EXPIRE, then expired" "soft esp spi 0x00003000.*hard esp spi 0x00003000.*expired esp spi 0x00003000" \
	sh -c "tr '\n' ' ' < $TMPDIR/mon-life.txt"

step "Tracepoints"
mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
if [ -d /sys/kernel/tracing/events/ksad ]; then
	echo 1 > /sys/kernel/tracing/events/ksad/enable
	I sa getspi dst 192.0.2.1 proto esp min 0x5555 max 0x5555 > /dev/null
	I sa delete dst 192.0.2.1 proto esp spi 0x5555
	echo 0 > /sys/kernel/tracing/events/ksad/enable
	check_out "tracepoints show GETSPI and its removal" "ksad_getspi: spi=0x00005555.*ksad_remove: spi=0x00005555" \
		sh -c "tr '\n' ' ' < /sys/kernel/tracing/trace"
else
	fail "tracepoints: no events/ksad in tracefs"
fi

# Any user may make a network namespace of its own (in a user namespace)
# and fill its SAD: limits per namespace bound it (memory is charged to the
# user's memory cgroup too: group storm checks that on the stock kernels).
step "limits: uid 65534 in a namespace of its own (unshare -Urn)"
P=/sys/module/ksad/parameters
saved="$(cat $P/max_sas) $(cat $P/max_larval) $(cat $P/max_policies)"
echo 50 > $P/max_sas; echo 20 > $P/max_larval; echo 10 > $P/max_policies
setpriv --reuid 65534 --regid 65534 --clear-groups unshare -Urn \
	bash "$(dirname "$0")/userns_limits.sh" "$K" > "$TMPDIR/limits.txt" 2>&1
read -r ms ml mp <<< "$saved"
echo "$ms" > $P/max_sas; echo "$ml" > $P/max_larval; echo "$mp" > $P/max_policies
sed 's/^/# /' "$TMPDIR/limits.txt"
check_out "a new namespace starts with the module's limits" \
	'^config larval-timeout 30 max-sas 50 max-larval 20 max-policies 10 policy-count 0 larval-count 0 sa-count 0$' \
	grep -m1 '^config' "$TMPDIR/limits.txt"
check_out "GETSPI past max-larval (20 of 25): refused 5 times, with extack" '^larval-refused 5$' \
	grep '^larval-refused' "$TMPDIR/limits.txt"
check_out "ADD past max-sas (20 larval + 30 of 40): refused 10 times" '^sa-refused 10$' \
	grep '^sa-refused' "$TMPDIR/limits.txt"
check_out "POLICY_ADD past max-policies (10 of 12): refused twice" '^policy-refused 2$' \
	grep '^policy-refused' "$TMPDIR/limits.txt"
check_out "its owner cannot raise them (EPERM, extack)" '^raise .*initial user namespace' \
	grep '^raise' "$TMPDIR/limits.txt"
check_out "... and they held" \
	'^config larval-timeout 3600 max-sas 50 max-larval 20 max-policies 10 policy-count 10 larval-count 20 sa-count 50$' \
	sed -n '$p' "$TMPDIR/limits.txt"
check_out "root in the initial namespace may set a namespace's limits" 'max-sas 7 ' \
	sh -c "ip netns exec res $K config max-sas 7 && ip netns exec res $K config"

# The SPD at scale: a policy add walks neither the SAD nor the SPD, and an
# SA add does not walk the SPD (both did: ~32 policy adds a second at 2,600
# policies among 17,900 larval SAs).  Timed and printed, not asserted.
step "the SPD at scale: 10,000 protect policies among 10,000 larval and 1,000 outbound SAs"
ip netns add sc
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
n sc "$K" config larval-timeout 3600 > /dev/null
for i in $(seq 10000); do echo "sa getspi dst 192.0.2.1 proto esp"; done > "$TMPDIR/sc-larval"
for i in $(seq 0 999); do
	echo "sa add dst 10.9.$((i / 256)).$((i % 256)) proto esp spi $((0x10000 + i)) dir out aead aes-gcm-16 0x0102030405060708090a0b0c0d0e0f1011121314"
done > "$TMPDIR/sc-sas"
for i in $(seq 0 9999); do
	echo "policy add dir out action protect sel src 10.8.0.1/32 dst 10.9.$((i / 256)).$((i % 256))/32 reqid 1"
done > "$TMPDIR/sc-pols"
t0=$(date +%s%N); n sc "$K" -batch "$TMPDIR/sc-larval" > /dev/null; tl=$(ms_since "$t0")
t0=$(date +%s%N); n sc "$K" -batch "$TMPDIR/sc-sas" > /dev/null; ts=$(ms_since "$t0")
t0=$(date +%s%N); n sc "$K" -batch "$TMPDIR/sc-pols" > /dev/null; tp=$(ms_since "$t0")
n sc "$K" sa flush > /dev/null
t0=$(date +%s%N); n sc "$K" -batch "$TMPDIR/sc-sas" > /dev/null; ts2=$(ms_since "$t0")
echo "# 10,000 GETSPI $tl ms; 1,000 outbound SA adds $ts ms; then 10,000 policy adds $tp ms" \
	"($(( 10000 * 1000 / (tp + 1) ))/s); flushing and adding the 1,000 SAs again among the policies $ts2 ms"
check_out "the SPD holds the 10,000 policies, the SAD the SAs" \
	'policy-count 10000 larval-count 0 sa-count 1000$' n sc "$K" config
ip netns delete sc

ip netns delete ini
ip netns delete res
check "rmmod ksad with namespaces gone" unload_ksad
done_testing
