#!/bin/bash
# make bench: build ksad with its benchmark hook for Debian's stock kernel,
# boot that kernel under QEMU and run the benchmarks there, ksad next to XFRM:
# bench/sad-bench.sh (the SAD), bench/policy-bench.sh (the SPD),
# bench/datapath-bench.sh (the datapath) and bench/strongswan-bench.sh
# (charon setting up 200 tunnels on ksad and on XFRM).
#   KSAD_BENCH_N=1000000 KSAD_QEMU_MEM=8192 make bench     for 1M SAs
#   KSAD_BENCH_GROUPS=datapath-bench make bench            one of them
set -euo pipefail
. "$(dirname "$0")/../tests/lab/lib.sh"
need_pkgs "${STOCK_PKGS[@]}" "${USER_BUILD_PKGS[@]}" iperf3
make -s -C "$KSAD_TOP/bench" >&2
make -s -C "$KSAD_TOP/userspace" >&2
make -s -C "$KSAD_TOP/userspace/strongswan" >&2
export KSAD_MODDIR_SUFFIX=-bench KSAD_KBUILD_FLAGS="KSAD_BENCH=y"
export KSAD_LAB_LIVE=1 KSAD_GROUP_TIMEOUT=${KSAD_GROUP_TIMEOUT:-3000}
bash "$LAB/run-stock.sh" "${KSAD_BENCH_KERNEL:-6.1}" "${KSAD_BENCH_GROUPS:-sad-bench,policy-bench,datapath-bench,strongswan-bench}" > /dev/null
