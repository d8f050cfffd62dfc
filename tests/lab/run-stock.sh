#!/bin/bash
# Boot a kernel under QEMU/TCG with 2 CPUs (multi-threaded TCG: both run at
# once) and the host's / shared read-only over 9p, insmod the ksad.ko built
# against that kernel, and run the given test groups.
#   tests/lab/run-stock.sh KERNEL group[,group...] [counts-file]
# KERNEL is one of Debian's stock kernels by lib.sh's short name (6.1, 6.12,
# 6.12-rt; image and headers installed when missing), or "race": the lab's
# own 2-CPU debug kernel (tests/lab/lab-kernel.sh race), or "race-kcsan", the
# same with KCSAN instead of KASAN.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

name=${1:?usage: run-stock.sh KERNEL group[,group...] [counts-file]}
groups=${2:?usage: run-stock.sh KERNEL group[,group...] [counts-file]}
counts=${3:-/dev/null}
need_pkgs "${STOCK_PKGS[@]}" "${GUEST_PKGS[@]}" "${USER_BUILD_PKGS[@]}" kmod python3
race=; case "$name" in race|race-kcsan) race=1 ;; esac
if [ -n "$race" ]; then
	kdir=$(bash "$LAB/lab-kernel.sh" "$name")
	kver=$(sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' "$kdir/include/generated/utsrelease.h")
	lab=race-$kver
	mem=${KSAD_QEMU_MEM:-2048}	# KASAN's shadow takes an eighth
else
	kver=$(stock_kernel_version "$name")
	kdir=/lib/modules/$kver/build
	lab=stock-$kver
	mem=${KSAD_QEMU_MEM:-1536}
fi

# Warnings are errors for this build: a lab machine must build it clean.
# KSAD_MODDIR_SUFFIX / KSAD_KBUILD_FLAGS: a variant of the module (bench).
moddir=$KSAD_TOP/build/$kver${KSAD_MODDIR_SUFFIX:-}
mkdir -p "$KSAD_TOP/build"
make -s -C "$KSAD_TOP" module KDIR="$kdir" MODDIR="$moddir" \
	KBUILD_FLAGS="${KSAD_KBUILD_FLAGS:-}" >"$KSAD_TOP/build/stock-build-$kver.log" 2>&1 ||
	{ cat "$KSAD_TOP/build/stock-build-$kver.log" >&2; die "module build for $kver failed"; }
if grep -E 'warning:|error:' "$KSAD_TOP/build/stock-build-$kver.log" >&2; then
	die "module build for $kver printed warnings"
fi
make -s -C "$KSAD_TOP" userspace >&2

cache=$KSAD_CACHE/stock-$kver
mkdir -p "$cache"
# The ELF kernel, booted through its PVH entry (no decompression in the
# guest); the bzImage itself where it cannot be extracted.
if [ -n "$race" ]; then
	kernel=$kdir/arch/x86/boot/bzImage
else
	kernel=$cache/vmlinux
	if [ ! -s "$kernel" ] || [ "/boot/vmlinuz-$kver" -nt "$kernel" ]; then
		python3 "$LAB/extract-vmlinux.py" "/boot/vmlinuz-$kver" "$kernel.tmp" &&
			mv "$kernel.tmp" "$kernel" || kernel=/boot/vmlinuz-$kver
	fi
fi

# A small initramfs: busybox and the modules needed to mount the 9p root
# (none for the race kernel: it has them built in).
initrd=$cache/initrd-$(cat "$LAB/stock-init.sh" | sha256sum | cut -c1-12).cpio.gz
if [ ! -s "$initrd" ]; then
	tmp=$(mktemp -d)
	mkdir -p "$tmp"/{bin,dev,proc,sys,newroot,modules}
	cp /bin/busybox "$tmp/bin/busybox"
	ln -s busybox "$tmp/bin/sh"
	: > "$tmp/modules/order"
	if [ -z "$race" ]; then
		for m in virtio_pci 9pnet_virtio 9p; do modprobe -S "$kver" --show-depends $m; done |
			awk '$1 == "insmod" { print $2 }' | awk '!seen[$0]++' > "$tmp/modules/order"
	fi
	while read -r m; do cp "$m" "$tmp/modules/"; done < "$tmp/modules/order"
	sed -i 's|.*/||' "$tmp/modules/order"
	cp "$LAB/stock-init.sh" "$tmp/init"
	chmod +x "$tmp/init"
	(cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1) > "$initrd.tmp"
	mv "$initrd.tmp" "$initrd"
	rm -rf "$tmp"
fi

# One TCG thread for group stackdepth: toggling ftrace live-patches kernel
# text, and with a thread per vCPU a vCPU was seen to run a stale int3 for
# ever (tests/groups/stackdepth.sh).  KSAD_QEMU_ARGS: more QEMU options
# (-s for a gdb stub, say).
accel=tcg
case ",$groups," in *,stackdepth,*) accel=tcg,thread=single ;; esac
accel=${KSAD_QEMU_ACCEL:-$accel}

out=$KSAD_TOP/build/results/$lab-$(date +%Y%m%d-%H%M%S)-$$
mkdir -p "$out/guest"
log "$name kernel $kver under QEMU: $groups; results in $out"
set +e  # the boot may fail; the verdict judges it
timeout -k 10 "${KSAD_LAB_TIMEOUT:-3000}" qemu-system-x86_64 \
	-machine q35 -accel "$accel" -cpu max -smp 2 -m "$mem" \
	-nographic -no-reboot -monitor none -serial stdio -nic none ${KSAD_QEMU_ARGS:-} \
	-kernel "$kernel" -initrd "$initrd" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-virtfs "local,path=$out/guest,mount_tag=results,security_model=none" \
	-append "console=ttyS0 panic=-1 $([ -z "$race" ] || echo kasan_multi_shot) KSAD_LAB=qemu KSAD_TOP=$KSAD_TOP \
KSAD_MODULE=$moddir/ksad.ko KSAD_GROUPS=$groups $(bench_env)\
KSAD_GROUP_TIMEOUT=${KSAD_GROUP_TIMEOUT:-1500} KSAD_INIT=$LAB/guest-init.sh" \
	</dev/null 2>&1 | tee "$out/console.log" | live_view
rc=${PIPESTATUS[0]}
set -e

python3 "$LAB/verdict.py" --lab "$lab" --results "$out/guest" \
	--console "$out/console.log" --groups "$groups" --boot-rc "$rc" \
	--counts "$counts"
