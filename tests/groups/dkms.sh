#!/bin/bash
# DKMS as a lab machine uses it, on a booted stock kernel: `make dkms` (the
# module's sources to /usr/src, dkms add, build, install), `modprobe ksad`
# by name.  (The build runs under TCG: about 5 minutes.  `dkms autoinstall`
# for the other kernels' headers runs natively on the host: tests/dkms.sh.)
# The guest's root is the host's, read-only: /usr/src, /var/lib/dkms and
# /lib/modules get a writable overlay that vanishes with the guest.
. "$(dirname "$0")/lib.sh"
kver=$(uname -r)
kre=$(sed 's/[.+]/\\&/g' <<< "$kver")	# as a regular expression

check "overlayfs loaded" modprobe overlay
for d in /usr/src /var/lib/dkms /lib/modules; do
	w=/run/dkms-overlay$d
	mkdir -p "$w/upper" "$w/work" "$d"
	check "a writable overlay on $d" mount -t overlay overlay \
		-o "lowerdir=$d,upperdir=$w/upper,workdir=$w/work" "$d"
done

step "make dkms for the running kernel, $kver"
check_fails "no ksad loaded before" test -e /sys/module/ksad
# the checkout itself stays read-only: make runs in a copy
src=$TMPDIR/ksad-src
mkdir -p "$src"
cp -a "$KSAD_TOP"/{Makefile,Kbuild,dkms.conf,kernel,uapi} "$src/"
t0=$SECONDS
check "make dkms (add, build, install)" make -C "$src" dkms
echo "# make dkms took $((SECONDS - t0)) s"
check_out "dkms status: installed for $kver" "ksad/.*, $kre, x86_64: installed" dkms status
check_out "modprobe finds ksad in DKMS's place" "^/lib/modules/$kre/updates/dkms/ksad\.ko" \
	modinfo -n ksad
check "modprobe ksad" modprobe ksad
check_out "the family answers" 'groups: sa expire acquire' "$KSADCTL" family
check "modprobe -r ksad" modprobe -r ksad

check "dkms remove --all" dkms remove "ksad/$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$KSAD_TOP/dkms.conf")" --all
check_fails "no ksad module left for modprobe to find" modinfo -n ksad
done_testing
