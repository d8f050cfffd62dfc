#!/bin/bash
# DKMS on the host for every stock kernel of the set (KSAD_STOCK): `make
# dkms-add`, then `dkms autoinstall -k VERSION` for each kernel's headers,
# as DKMS does when a kernel is installed.  It runs in a mount namespace of
# its own with throw-away overlays on /usr/src, /var/lib/dkms and
# /lib/modules, so that the machine keeps no trace of it.  (Group dkms does
# `make dkms` and `modprobe ksad` inside a booted guest.)  TAP.
set -uo pipefail
. "$(dirname "$0")/lab/lib.sh"
need_pkgs dkms

if [ "${1:-}" != --inside ]; then
	read -r -a kernels <<< "$(stock_kernels)"
	for k in "${kernels[@]}"; do stock_kernel_version "$k"; done > /dev/null
	# the overlays' upper layers in memory (a tmpfs mounted on $tmp in the
	# namespace only): nothing reaches the disk; the empty directory goes after
	tmp=$(mktemp -d)
	rc=0
	unshare -m --propagation private bash "$0" --inside "$tmp" || rc=$?
	rmdir "$tmp"
	exit $rc
fi

n=0
res() { n=$((n + 1)); echo "$1 $n - $2"; }
run() { # run DESC CMD...: a result from CMD's exit, its output on failure
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then res ok "$desc"; else res "not ok" "$desc"; sed 's/^/#   /' <<< "$out" | tail -20; fi
}

tmp=$2
mount -t tmpfs tmpfs "$tmp"
for d in /usr/src /var/lib/dkms /lib/modules; do
	mkdir -p "$tmp$d/upper" "$tmp$d/work"
	mount -t overlay overlay -o "lowerdir=$d,upperdir=$tmp$d/upper,workdir=$tmp$d/work" "$d" ||
		{ echo "not ok 1 - a throw-away overlay on $d"; echo "1..1"; exit 1; }
done

run "make dkms-add" make -s -C "$KSAD_TOP" dkms-add
read -r -a kernels <<< "$(stock_kernels)"
for k in "${kernels[@]}"; do
	kver=$(stock_kernel_version "$k")
	t0=$(date +%s)
	run "dkms autoinstall -k $kver" dkms autoinstall -k "$kver"
	echo "# $(( $(date +%s) - t0 )) s"
	ko=$(ls /lib/modules/"$kver"/updates/dkms/ksad.ko* 2>/dev/null)
	run "DKMS installed ksad.ko for $kver, built for it" \
		sh -c "modinfo -F vermagic '$ko' | grep -qF '$kver '"
	run "modprobe would load DKMS's ksad on $kver" \
		sh -c "modinfo -k '$kver' -n ksad | grep -qF '/lib/modules/$kver/updates/dkms/ksad.ko'"
done
run "dkms status lists every kernel" sh -c "[ \$(dkms status ksad 2>/dev/null | grep -c ': installed') -eq ${#kernels[@]} ]"
run "dkms remove --all" dkms remove "ksad/$(dkms_version)" --all
echo "1..$n"
