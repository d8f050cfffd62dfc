#!/bin/bash
# make bench: ksad next to the kernel's XFRM on two engines, in one run each:
#   qemu-tcg  Debian's stock kernel (KSAD_BENCH_KERNEL, 6.1) under QEMU/TCG,
#             2 vCPUs: the distribution's kernel and crypto drivers (AES-NI),
#             emulated; the multi-core rows and strongSwan's 200 tunnels
#   uml       the UML lab kernel without debug options (lab-kernel.sh
#             uml-bench): kernel code runs natively, generic C crypto, 1 CPU
# bench/bench.sh runs in each guest with the bench build of ksad (debugfs
# hooks, KSAD_BENCH=y); its tables go to the terminal, and results-ENGINE.csv
# and .json, the notes and profiles to build/bench/, with PNG plots drawn by
# gnuplot (bench/report.py --plot).
#   KSAD_BENCH_ENGINES=uml make bench      one engine
#   KSAD_BENCH_PARTS=tcp,profile make bench    some of bench.sh's parts
#   KSAD_BENCH_SIMD=0 KSAD_BENCH_PARTS=tcp make bench   without AES-NI & co
#                                          (engine qemu-tcg-nosimd)
#   KSAD_BENCH_N=1000000 make bench        the lookup ladder up to 1M SAs
#                                          (memory: KSAD_QEMU_MEM, KSAD_UML_MEM)
set -euo pipefail
. "$(dirname "$0")/../tests/lab/lib.sh"
need_pkgs "${STOCK_PKGS[@]}" "${USER_BUILD_PKGS[@]}" iperf3 ethtool linux-perf gnuplot-nox
make -s -C "$KSAD_TOP/bench" >&2
make -s -C "$KSAD_TOP/userspace" >&2
make -s -C "$KSAD_TOP/userspace/strongswan" >&2
commit=$(git -C "$KSAD_TOP" rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git -C "$KSAD_TOP" status --porcelain -uno 2>/dev/null)" ] || commit+=-dirty
export KSAD_BENCH_COMMIT=$commit
export KSAD_LAB_LIVE=1 KSAD_GROUP_TIMEOUT=${KSAD_GROUP_TIMEOUT:-5400}
export KSAD_LAB_TIMEOUT=${KSAD_LAB_TIMEOUT:-7200}	# the whole boot
# bench.sh takes its parts as arguments; in a guest, from this (a,b,c)
[ -z "${KSAD_BENCH_PARTS:-}" ] || export KSAD_BENCH_PARTS
dest=$KSAD_TOP/build/bench
mkdir -p "$dest"
# the newest results directory of a lab (run-*.sh make one per run)
newest() { ls -td "$KSAD_TOP"/build/results/"$1"-* 2>/dev/null | head -1; }
IFS=, read -r -a engines <<< "${KSAD_BENCH_ENGINES:-qemu-tcg,uml}"
for e in "${engines[@]}"; do
	t0=$(date +%s)
	# KSAD_BENCH_SIMD=0: without the CPU's crypto drivers, a run of its own
	name=$e
	[ "${KSAD_BENCH_SIMD:-1}" = 1 ] || name=$e-nosimd
	case "$e" in
	qemu-tcg)
		KSAD_BENCH_ENGINE=$name KSAD_MODDIR_SUFFIX=-bench KSAD_KBUILD_FLAGS="KSAD_BENCH=y" \
			KSAD_QEMU_MEM=${KSAD_QEMU_MEM:-3072} \
			bash "$LAB/run-stock.sh" "${KSAD_BENCH_KERNEL:-6.1}" \
			"${KSAD_BENCH_GROUPS:-bench,strongswan-bench}" > /dev/null
		res=$(newest stock) ;;
	uml)
		# UML maps its guest's pages one by one in the host process: a
		# million SAs need more maps than the default 65,530
		if [ "$(sysctl -n vm.max_map_count)" -lt 1048576 ]; then
			log "vm.max_map_count: $(sysctl -n vm.max_map_count) -> 1048576 (UML's maps)"
			sysctl -qw vm.max_map_count=1048576
		fi
		KSAD_BENCH_ENGINE=$name KSAD_UML_KERNEL=uml-bench KSAD_KBUILD_FLAGS="KSAD_BENCH=y" \
			KSAD_UML_MEM=${KSAD_UML_MEM:-4096M} \
			bash "$LAB/run-uml.sh" "${KSAD_BENCH_GROUPS:-bench}" > /dev/null
		res=$(newest uml) ;;
	*) die "unknown engine '$e' (qemu-tcg, uml)" ;;
	esac
	cp "$res"/guest/results-"$name".* "$res"/guest/notes-"$name".txt "$res"/guest/about-"$name".txt "$dest"/ 2>/dev/null || true
	cp "$res"/guest/profile-"$name"-*.txt "$dest"/ 2>/dev/null || true
	log "engine $name: $(( $(date +%s) - t0 )) s; results in $dest"
done
python3 "$KSAD_TOP/bench/report.py" --plot "$dest" "$dest"/results-*.json >&2 || log "no plots drawn"
