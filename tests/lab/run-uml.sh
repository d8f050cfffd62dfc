#!/bin/bash
# Boot the debug UML lab kernel (or KSAD_UML_KERNEL) once and run the given test groups in it.
#   tests/lab/run-uml.sh kunit,smoke,oracle [counts-file]
# Prints one result line per test; writes "passed failed" to counts-file.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

groups=${1:?usage: run-uml.sh group[,group...] [counts-file]}
counts=${2:-/dev/null}
need_pkgs "${GUEST_PKGS[@]}" "${USER_BUILD_PKGS[@]}"

# KSAD_UML_KERNEL=uml-bench and KSAD_KBUILD_FLAGS=KSAD_BENCH=y: make bench's
# native engine (the same kernel without debug options, the bench module)
kdir=$(bash "$LAB/lab-kernel.sh" "${KSAD_UML_KERNEL:-uml}")
krel=$(sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' "$kdir/include/generated/utsrelease.h")
make -s -C "$KSAD_TOP" module KDIR="$kdir" KBUILD_FLAGS="${KSAD_KBUILD_FLAGS:-KSAD_KUNIT=y}" >&2
make -s -C "$KSAD_TOP" userspace >&2
ynl=
case ",$groups," in *,ynl,*) ynl=$(bash "$LAB/ynl.sh") ;; esac
# the kernel-ksad plugin for Debian's charon (configures strongSwan's source once)
case ",$groups," in *,strongswan,*|*,demo,*) make -s -C "$KSAD_TOP/userspace/strongswan" >&2 ;; esac

out=$KSAD_TOP/build/results/uml-$(date +%Y%m%d-%H%M%S)-$$
mkdir -p "$out/guest"
log "UML run of $groups; results in $out"

set +e  # the boot may fail; the verdict judges it
timeout -k 10 "${KSAD_LAB_TIMEOUT:-4800}" "$kdir/linux" mem="${KSAD_UML_MEM:-2048M}" \
	root=/dev/root rootfstype=hostfs rootflags=/ ro \
	init="$LAB/guest-init.sh" con=null ssl=null con0=null,fd:1 \
	kasan_multi_shot panic=-1 \
	KSAD_LAB=uml KSAD_TOP="$KSAD_TOP" KSAD_RESULTS="$out/guest" \
	KSAD_MODULE="$KSAD_TOP/build/$krel/ksad.ko" KSAD_GROUPS="$groups" \
	KSAD_GROUP_TIMEOUT="${KSAD_GROUP_TIMEOUT:-1200}" KSAD_YNL="$ynl" \
	KSAD_FUZZ_N="${KSAD_FUZZ_N:-100000}" KSAD_FUZZ_SEED="${KSAD_FUZZ_SEED:-$(date +%s)}" \
	KSAD_MATRIX_FULL="${KSAD_MATRIX_FULL:-0}" $(bench_env)\
	</dev/null 2>&1 | tee "$out/console.log" | live_view
rc=${PIPESTATUS[0]}
set -e
# UML leaves its terminal in raw mode at times.
stty sane 2>/dev/null || true

python3 "$LAB/verdict.py" --lab uml --results "$out/guest" \
	--console "$out/console.log" --groups "$groups" --boot-rc "$rc" \
	--counts "$counts"
