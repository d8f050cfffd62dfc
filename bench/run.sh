#!/bin/bash
# make bench: build ksad with its benchmark hook for Debian's stock kernel,
# boot that kernel under QEMU and run bench/sad.sh there (ksad next to XFRM).
#   KSAD_BENCH_N=1000000 KSAD_QEMU_MEM=8192 make bench     for 1M SAs
set -euo pipefail
. "$(dirname "$0")/../tests/lab/lib.sh"
need_pkgs "${STOCK_PKGS[@]}" "${USER_BUILD_PKGS[@]}"
make -s -C "$KSAD_TOP/bench" >&2
export KSAD_MODDIR_SUFFIX=-bench KSAD_KBUILD_FLAGS="KSAD_BENCH=y"
export KSAD_LAB_LIVE=1 KSAD_GROUP_TIMEOUT=${KSAD_GROUP_TIMEOUT:-3000}
bash "$LAB/run-stock.sh" sad-bench > /dev/null
