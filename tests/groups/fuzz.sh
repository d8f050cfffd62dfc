#!/bin/bash
# The netlink fuzzer: random and mutated requests against every operation
# (userspace/tools/ksad-nlfuzz.c).  The oracle is the kernel log, judged by
# the lab runner (KASAN, lockdep, WARN, BUG), and ksad still working after.
# KSAD_FUZZ_N sets the number of requests (default 100,000; more by hand).
. "$(dirname "$0")/lib.sh"
N=${KSAD_FUZZ_N:-100000}
SEED=${KSAD_FUZZ_SEED:-$(date +%s)}

check "insmod ksad.ko" load_ksad
echo "# seed $SEED (KSAD_FUZZ_SEED=$SEED reproduces this run)"
ip netns add fz
t0=$(date +%s)
check_out "$N fuzzed requests answered, none lost" "$N requests" \
	n fz "$KSAD_TOP/userspace/tools/ksad-nlfuzz" "$N" "$SEED"
echo "# took $(( $(date +%s) - t0 )) s"
# The fuzzer may have set the namespace's limits (SET_CONFIG is one of the
# operations): back to the defaults, then an SA.
check "the limits can be set back after the fuzzing" n fz "$KSADCTL" config \
	larval-timeout 30 max-sas 1048576 max-larval 262144 max-policies 1048576
check_out "ksad still works after the fuzzing" "state larval" \
	n fz "$KSADCTL" sa getspi dst 192.0.2.1 proto esp
ip netns delete fz
check "rmmod ksad" unload_ksad
done_testing
