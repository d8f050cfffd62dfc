#!/bin/bash
# How deep the kernel stack gets with ksad's nested transmit (POST_ROUTING
# -> ip_local_out -> the device) on the stock kernel's 16 KiB stacks:
# ftrace's stack tracer during tunnel-mode IPv6 traffic through ksad both
# ways.  Shown, not asserted.  Not in `make check`: switching the tracer on
# and off live-patches every traced call site, and under QEMU's
# multi-threaded TCG a vCPU was seen to keep running a stale int3 for ever
# (both vCPUs in asm_exc_int3, soft lockups; CI failed on it), so
# run-stock.sh runs this group with one TCG thread:
#   tests/check.sh stock:stackdepth
. "$(dirname "$0")/lib.sh"
K=$KSADCTL

. "$(dirname "$0")/datapath-lib.sh"
stock_load
ab_topology

T=/sys/kernel/tracing
[ -e $T/stack_max_size ] || mount -t tracefs nodev $T 2>/dev/null
check "the kernel has ftrace's stack tracer" test -w /proc/sys/kernel/stack_tracer_enabled
reset_all
check "keyed: tunnel mode, IPv6, AES-GCM" key tunnel fd00::1 fd00::2 fd01::/64 fd02::/64 \
	"$GCM" "$X_GCM" "$X_GCM_B" "$GCM_B"
for round in 1 2 3; do
	step "round $round: ping and a TCP connect both ways under the stack tracer"
	echo 0 > $T/stack_max_size
	echo 1 > /proc/sys/kernel/stack_tracer_enabled
	check "round $round: ping both ways" ping_both fd01::1 fd02::1 -6 -s 1300
	n a python3 -c 'import socket; s = socket.create_connection(("fd02::1", 22), 2)' 2>/dev/null
	echo 0 > /proc/sys/kernel/stack_tracer_enabled
	echo "# deepest stack seen: $(cat $T/stack_max_size) bytes of 16384"
	if grep -q '\[ksad\]\|ksad_' $T/stack_trace; then
		echo "# ... with ksad on it; its deepest frames:"
	else
		echo "# ... without ksad on it (ksad's own paths were shallower); its deepest frames:"
	fi
	sed -n '3,14p' $T/stack_trace | sed 's/^/#   /'
done

ip netns delete a
ip netns delete b
sleep 0.5
check "rmmod ksad" rmmod ksad
done_testing
