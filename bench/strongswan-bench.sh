#!/bin/bash
# strongSwan's charon keying many tunnels, run inside the stock-kernel guest
# by bench/run.sh (make bench, engine qemu-tcg): one charon in namespace a sets up N CHILD
# SAs (N tunnels, one IKE SA) to a charon on XFRM in b, on ksad (the
# kernel-ksad plugin) and on XFRM (kernel-netlink), alternated in one boot.
# Prints, per backend, the median (and range) of KSAD_BENCH_RUNS (5) rounds: the time from
# loading the configuration to N tunnels installed, the kernel's slab growth
# and charon's resident memory.  Nothing is asserted (the last line only
# says it ran).
. "$KSAD_TOP/tests/groups/lib.sh"
N=${KSAD_BENCH_TUNNELS:-200}
K=$KSADCTL
for m in esp4 esp6 xfrm_user veth; do modprobe -q $m; done
for m in aesni_intel ghash_clmulni_intel; do modprobe -q $m; done
insmod "$KSAD_MODULE" || { fail "insmod ksad"; done_testing; exit; }
. "$KSAD_TOP/tests/groups/datapath-lib.sh"
ab_topology
. "$KSAD_TOP/tests/groups/swan-lib.sh"
[ -f "$PLUGIN" ] || { fail "the kernel-ksad plugin is built"; done_testing; exit; }

# many NAME LA RA: N children, tunnel i between 172.16.i/24 pairs
many() {
	local i h l me=$1 la=$2 ra=$3 side
	side=$( [ "$la" = 10.0.0.1 ] && echo a || echo b)
	{
		echo "connections { many {"
		echo "	local_addrs = $la"
		echo "	remote_addrs = $ra"
		echo "	proposals = aes128gcm16-prfsha256-x25519"
		echo "	local { auth = psk
		id = $side.lab }"
		echo "	remote { auth = psk
		id = $( [ $side = a ] && echo b || echo a).lab }"
		echo "	children {"
		for i in $(seq 0 $((N - 1))); do
			h=$((i / 256)) l=$((i % 256))
			if [ $side = a ]; then
				echo "		t$i { local_ts = 172.16.$h.$l/32
			remote_ts = 172.17.$h.$l/32
			esp_proposals = aes128gcm16
			start_action = start }"
			else
				echo "		t$i { local_ts = 172.17.$h.$l/32
			remote_ts = 172.16.$h.$l/32
			esp_proposals = aes128gcm16 }"
			fi
		done
		echo "	} } }"
	} | load_conf "$me"
}
installed() { sw "$1" --list-sas 2>/dev/null | grep -c 'INSTALLED'; }
slab_kb() { awk '$1 == "Slab:" { print $2 }' /proc/meminfo; }
rss_kb() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$(pgrep -n -f '^/usr/lib/ipsec/charon' )/status" 2>/dev/null; }

charon_conf resp xfrm
charon_start resp b || { fail "charon on XFRM starts in b"; done_testing; exit; }
many resp 10.0.0.2 10.0.0.1
declare -A t s r
ROUNDS=${KSAD_BENCH_RUNS:-5}
for round in $(seq "$ROUNDS"); do
	for be in ksad xfrm; do
		# the same plugins in both: Debian's (and kernel-ksad on ksad)
		charon_conf ini$be "$( [ $be = ksad ] && echo ksad || echo debian)"
		sync; echo 2 > /proc/sys/vm/drop_caches
		s0=$(slab_kb)
		charon_start ini$be a || { fail "charon on $be starts in a"; continue; }
		t0=$(date +%s.%N)
		many ini$be 10.0.0.1 10.0.0.2
		for _ in $(seq 1200); do
			[ "$(installed ini$be)" -ge "$N" ] && break
			sleep 0.25
		done
		t1=$(date +%s.%N)
		got=$(installed ini$be)
		s1=$(slab_kb)
		rss=$(rss_kb)
		if [ "$got" -ge "$N" ]; then
			t[$be]+="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') "
			s[$be]+="$((s1 - s0)) "
			r[$be]+="$rss "
			pass "round $round, charon on $be: $N tunnels up"
		else
			fail "round $round, charon on $be: $N tunnels up (only $got)"
		fi
		sw ini$be --terminate --ike many > /dev/null 2>&1
		charon_stop ini$be
		n a "$K" sa flush; n a "$K" policy flush
		n a ip xfrm state flush; n a ip xfrm policy flush
		n b ip xfrm state flush; n b ip xfrm policy flush
		sw resp --terminate --ike many > /dev/null 2>&1
	done
done
charon_stop resp
med() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "%s (%s-%s)", v[int((NR + 1) / 2)], v[1], v[NR]; else print "-" }'; }
echo
echo "charon setting up $N tunnels (one IKE SA, $N CHILD SAs, AES-GCM-16): $(uname -r),"
echo "$(nproc) vCPUs, one boot; median (range) of $ROUNDS rounds, ksad and XFRM alternated;"
echo "the peer is charon on XFRM in another namespace; both initiating charons load"
echo "Debian's plugins (load_modular), one of them kernel-ksad in the ksad column"
printf '%-34s %22s %22s\n' "" "charon on ksad" "charon on XFRM"
printf '%-34s %22s %22s\n' "seconds to $N tunnels installed" "$(echo ${t[ksad]:-} | med)" "$(echo ${t[xfrm]:-} | med)"
printf '%-34s %22s %22s\n' "slab growth, KiB (both charons)" "$(echo ${s[ksad]:-} | med)" "$(echo ${s[xfrm]:-} | med)"
printf '%-34s %22s %22s\n' "initiating charon's RSS, KiB" "$(echo ${r[ksad]:-} | med)" "$(echo ${r[xfrm]:-} | med)"
echo "(slab growth: /proc/meminfo Slab after minus before, which includes the peer's"
echo " XFRM states and policies in both columns, and charon's sockets)"
done_testing
