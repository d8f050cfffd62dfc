#!/bin/bash
# Races on two CPUs under the kernel's debug checkers: the 2-CPU debug kernel
# (KASAN, lockdep, DEBUG_ATOMIC_SLEEP, kmemleak; tests/lab/race-debug.config)
# under multi-threaded TCG, where both vCPUs run at once.  Each step pins its
# two sides to different CPUs (a subshell's CPU mask is inherited by what it
# starts).  What can fail here: every check below, and the verdict's scan of
# the kernel log for any KASAN, lockdep, RCU, WARNING or BUG line.
#   1. the SAs that carry traffic deleted, re-added, updated and flushed
#      while both CPUs send through them, async crypto (cryptd) included;
#   2. lifetime expiry racing DELETE;
#   3. dumps while the table changes: no SA that stays is missed or doubled;
#   4. a namespace deleted with traffic and async crypto in flight;
#   5. rmmod with traffic flowing.
# (GETSPI storms from both CPUs: group storm, also run on this kernel.)
#
# Async crypto comes from cryptd here, not pcrypt: under lockdep, 6.12.118's
# padata reports "possible recursive locking" of its own (padata_reorder
# holds a serial queue's lock while padata_find_next takes a reorder list's,
# two locks of one lockdep class, &pd_list->lock), with no ksad frame on the
# stack.  The stock kernels run pcrypt (group interop), without lockdep.
. "$(dirname "$0")/lib.sh"
K=$KSADCTL

. "$(dirname "$0")/datapath-lib.sh"
two_cpu_setup

# on CPU CMD...: run CMD pinned to CPU.
on() { local c=$1; shift; taskset -c "$c" "$@"; }
# flood NS DST SECONDS CPU: ping -f from NS, pinned, for SECONDS (started
# with &, its $! is the ping itself: exec).
flood() { exec taskset -c "$4" ip netns exec "$1" ping -q -f -w "$3" "$2" > /dev/null 2>&1; }
keyed() {
	reset_all
	key transport 10.0.0.1 10.0.0.2 10.0.0.1/32 10.0.0.2/32 \
		"$GCM" "$X_GCM" "$X_GCM_B" "$GCM_B"
}
OUT_SA="src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x1001 dir out mode transport reqid 1 $GCM"
IN_SA="src 10.0.0.2 dst 10.0.0.1 proto esp spi 0x2002 dir in mode transport reqid 1 replay-window 64 $GCM_B"

step "1. the SAs carrying traffic change under both CPUs' traffic"
for async in 0 1; do
	echo $async > /sys/module/ksad/parameters/force_cryptd
	check "keyed (force_cryptd=$async)" keyed
	check "ping both ways before" ping_both 10.0.0.1 10.0.0.2
	for _ in $(seq 20); do
		echo "sa delete dst 10.0.0.2 proto esp spi 0x1001"
		echo "sa add $OUT_SA"
		echo "sa delete dst 10.0.0.1 proto esp spi 0x2002"
		echo "sa add $IN_SA"
		echo "sa update dst 10.0.0.1 proto esp spi 0x2002 limit time-hard 3600"
		echo "sa list"
		echo "sa flush"
		echo "sa add $OUT_SA"
		echo "sa add $IN_SA"
	done > "$TMPDIR/race1.batch"
	flood a 10.0.0.2 15 0 &
	f1=$!
	flood b 10.0.0.1 15 1 &
	f2=$!
	sleep 1
	check "force_cryptd=$async: 20 rounds of DELETE, ADD, UPDATE, dump, FLUSH of the live SAs" \
		on 1 ip netns exec a "$K" -batch "$TMPDIR/race1.batch"
	wait $f1 $f2
	# ksad's sequence numbers started again with each ADD: XFRM's replay
	# window at b now refuses them, so both sides are keyed afresh.
	check "force_cryptd=$async: keyed afresh" keyed
	check "force_cryptd=$async: ping both ways after" ping_both 10.0.0.1 10.0.0.2
	check "force_cryptd=$async: no integrity failure" test "$(stat_of in-integrity-failed)" = 0
done
echo 0 > /sys/module/ksad/parameters/force_cryptd
echo "# crypto-async: $(stat_of crypto-async)"
check "async completions really happened (cryptd)" counted crypto-async 1

step "2. lifetime expiry racing DELETE"
A sa flush
for i in $(seq 300); do
	echo "sa add src 10.0.0.1 dst 10.6.$((i / 250)).$((i % 250 + 1)) proto esp spi $((0x3000 + i)) dir out $GCM limit time-hard 1"
done > "$TMPDIR/race2-add.batch"
sed -e 's/^sa add src 10.0.0.1 \(dst [^ ]*\) proto esp \(spi [^ ]*\) .*/sa delete \1 proto esp \2/' \
	"$TMPDIR/race2-add.batch" > "$TMPDIR/race2-del.batch"
for round in 1 2 3; do
	check "round $round: 300 SAs with a hard lifetime of 1 s" \
		sh -c "taskset -c 0 ip netns exec a $K -batch $TMPDIR/race2-add.batch > /dev/null"
	sleep 0.$((RANDOM % 10))
	# Each DELETE finds its SA or not (expired first): either is right.
	on 1 ip netns exec a "$K" -force -batch "$TMPDIR/race2-del.batch" > /dev/null 2>&1
	sleep 2
	check_out "round $round: none left after expiry and DELETE" 'sa-count 0$' A config
done

step "3. dumps while the table changes"
for i in $(seq 500); do
	echo "sa add src 10.0.0.1 dst 10.7.$((i / 250)).$((i % 250 + 1)) proto esp spi $((0x4000 + i)) dir out $GCM"
done > "$TMPDIR/race3-stay.batch"
for i in $(seq 300); do
	echo "sa add src 10.0.0.1 dst 10.8.$((i / 250)).$((i % 250 + 1)) proto esp spi $((0x5000 + i)) dir out $GCM"
done > "$TMPDIR/race3-add.batch"
sed -e 's/^sa add src 10.0.0.1 \(dst [^ ]*\) proto esp \(spi [^ ]*\) .*/sa delete \1 proto esp \2/' \
	"$TMPDIR/race3-add.batch" > "$TMPDIR/race3-del.batch"
check "500 SAs that stay" \
	sh -c "taskset -c 0 ip netns exec a $K -batch $TMPDIR/race3-stay.batch > /dev/null"
(
	taskset -cp 1 $BASHPID > /dev/null
	end=$((SECONDS + 20))
	while [ $SECONDS -lt $end ]; do
		ip netns exec a "$K" -batch "$TMPDIR/race3-add.batch" > /dev/null &&
			ip netns exec a "$K" -batch "$TMPDIR/race3-del.batch" > /dev/null || exit 1
	done
) &
churn=$!
bad=0 dumps=0
while kill -0 $churn 2>/dev/null; do
	# the 500 that stay, by destination: 500 lines, 500 different
	got=$(on 0 ip netns exec a "$K" sa list | grep '^src 10.0.0.1 dst 10\.7\.' |
		awk '{ n++; if (!seen[$4]++) u++ } END { print n + 0, u + 0 }')
	dumps=$((dumps + 1))
	[ "$got" = "500 500" ] || { bad=$((bad + 1)); echo "# dump $dumps saw (lines, different) $got of the 500"; }
done
wait_pid $churn 60
check "300 SAs added and deleted over and over meanwhile" test $? = 0
echo "# $dumps dumps"
check "$dumps dumps while the table changed: each saw the 500 that stay, once each" \
	test "$bad" = 0 -a "$dumps" -gt 0
A sa flush

step "4. a namespace deleted with traffic and async crypto in flight"
ip netns add c
ip netns add d
ip link add vc netns c type veth peer name vd netns d
n c ip addr add 10.5.0.1/24 dev vc; n d ip addr add 10.5.0.2/24 dev vd
n c ip link set vc up; n d ip link set vd up; n c ip link set lo up; n d ip link set lo up
echo 1 > /sys/module/ksad/parameters/force_cryptd
key_cd() {
	n c "$K" sa add src 10.5.0.1 dst 10.5.0.2 proto esp spi 0x1001 dir out $GCM &&
	n c "$K" sa add src 10.5.0.2 dst 10.5.0.1 proto esp spi 0x2002 dir in $GCM_B &&
	n c "$K" policy add dir out action protect proto esp \
		sel src 10.5.0.1/32 dst 10.5.0.2/32 mode transport &&
	n c "$K" policy add dir in action protect proto esp \
		sel src 10.5.0.2/32 dst 10.5.0.1/32 mode transport &&
	eval "n d ip xfrm state add src 10.5.0.1 dst 10.5.0.2 proto esp spi 0x1001 mode transport $X_GCM" &&
	eval "n d ip xfrm state add src 10.5.0.2 dst 10.5.0.1 proto esp spi 0x2002 mode transport $X_GCM_B" &&
	n d ip xfrm policy add src 10.5.0.2 dst 10.5.0.1 dir out \
		tmpl src 10.5.0.2 dst 10.5.0.1 proto esp mode transport &&
	n d ip xfrm policy add src 10.5.0.1 dst 10.5.0.2 dir in \
		tmpl src 10.5.0.1 dst 10.5.0.2 proto esp mode transport
}
check "ksad keyed in namespace c, XFRM in d" key_cd
check "ping through ksad in c" n c ping -c 2 -W 2 10.5.0.2
# The flood comes from d, so no process holds c: deleting it tears it down
# at once, with ESP from d still arriving and in cryptd.
flood d 10.5.0.1 30 1 &
f2=$!
sleep 3
check "a flood from d answered through ksad in c" test "$(n c "$K" stats |
	awk '$1 == "in-packets" { print $2 }')" -gt 10
ip netns delete c
sleep 2
kill $f2 2>/dev/null
wait $f2 2>/dev/null
ip netns delete d
echo 0 > /sys/module/ksad/parameters/force_cryptd
# The namespace's teardown runs in the kernel's cleanup work while the
# pings' last packets are still in cryptd: namespace a must not notice.
check "namespace a keyed afresh" keyed
check "ping both ways in a afterwards" ping_both 10.0.0.1 10.0.0.2

step "5. rmmod with traffic flowing"
flood a 10.0.0.2 60 0 &
f1=$!
flood b 10.0.0.1 60 1 &
f2=$!
sleep 3
t0=$SECONDS
check "rmmod ksad while both CPUs send through it" timeout 60 rmmod ksad
echo "# rmmod took $((SECONDS - t0)) s"
kill $f1 $f2 2>/dev/null
wait $f1 $f2 2>/dev/null
check "insmod again" load_ksad
check "rmmod again" rmmod ksad

ip netns delete a
ip netns delete b
done_testing
