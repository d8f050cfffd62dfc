#!/bin/bash
# Load ksad, see its generic-netlink family and groups, unload, twice over;
# the same on the debug UML kernel and on Debian's stock kernel.
. "$(dirname "$0")/lib.sh"

for round in 1 2; do
	step "round $round"
	check "insmod ksad.ko (round $round)" load_ksad
	check_out "genl ctrl lists family ksad" 'Name: ksad' genl ctrl get name ksad
	check_out "ksadctl finds the family and its multicast groups" \
		'groups: sa expire acquire' "$KSADCTL" family
	ip netns add smoke
	check_out "family is visible inside a new network namespace" \
		'family ksad' n smoke "$KSADCTL" family
	# A dump with a filter ksad does not take (an SPI): refused when the
	# dump starts, in an NLMSG_ERROR with the extack's message; 6.1 gives
	# a dump's start no extack, so there the message comes in NLMSG_DONE.
	case "$(uname -r)" in
	6.1.*) want=NLMSG_DONE ;;
	*) want=NLMSG_ERROR ;;
	esac
	check_out "a dump with a bad filter: $want, EINVAL and the extack's message" \
		"^type $want error -22 extack\$" \
		n smoke python3 "$(dirname "$0")/dumpfilter.py" "$KSAD_TOP/uapi/linux/ksad.h"
	ip netns delete smoke
	check "rmmod ksad (round $round)" unload_ksad
	check_fails "family gone after unload" genl ctrl get name ksad
done
check_out "ksadctl explains a missing module" 'not loaded' sh -c "$KSADCTL family; true"
done_testing
