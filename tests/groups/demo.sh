#!/bin/bash
# The demo (make demo): what a student sees.  Also a test group: every step
# is checked, so the demo cannot silently rot.
. "$(dirname "$0")/lib.sh"

show() { echo "  \$ $*"; "$@" 2>&1 | sed 's/^/    /'; return "${PIPESTATUS[0]}"; }

echo "== Loading ksad into the lab kernel ($(uname -r))"
check "insmod ksad.ko" show insmod "$KSAD_MODULE"
check "the generic-netlink family is registered" show "$KSADCTL" family

echo "== Two peers, each in its own network namespace, joined by a veth pair"
ip netns add initiator
ip netns add responder
ip link add veth-i netns initiator type veth peer name veth-r netns responder
n initiator ip addr add 192.0.2.1/24 dev veth-i
n responder ip addr add 192.0.2.2/24 dev veth-r
n initiator ip link set veth-i up
n responder ip link set veth-r up
check "initiator reaches responder" show n initiator ping -c 1 -W 2 192.0.2.2
check "each namespace has its own view of ksad" show n responder "$KSADCTL" family

ip netns delete initiator
ip netns delete responder
check "rmmod ksad" show rmmod ksad
done_testing
