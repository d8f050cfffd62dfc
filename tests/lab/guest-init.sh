#!/bin/bash
# PID 1 of a lab guest (UML, or the stock kernel under QEMU after
# switch_root).  The root file system is the host's /, read-only.  The
# environment comes from the kernel command line:
#   KSAD_LAB=uml|qemu   KSAD_TOP=<checkout>   KSAD_MODULE=<ksad.ko>
#   KSAD_GROUPS=a,b,c   KSAD_GROUP_TIMEOUT=<s>   KSAD_RESULTS=<host dir (uml)>
# Each group's TAP goes to <results>/<group>.tap, its exit code to
# <group>.rc; the end-of-run marker is the file "done" plus a console line.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /run
mkdir -p /run/netns /run/results /run/top
# Writable /tmp and /var/tmp.  The checkout may live below one of them (CI
# clones anywhere): keep it visible by moving a bind mount of it back in.
mount --bind "$KSAD_TOP" /run/top
for d in /tmp /var/tmp; do
	mount -t tmpfs tmpfs "$d"
done
if [ ! -d "$KSAD_TOP/tests" ]; then
	mkdir -p "$KSAD_TOP"
	mount --move /run/top "$KSAD_TOP"
fi

case "$KSAD_LAB" in
uml) mount -t hostfs -o "$KSAD_RESULTS" hostfs /run/results ;;
qemu) mount -t 9p -o trans=virtio,version=9p2000.L results /run/results ;;
esac || { echo "KSAD-LAB: cannot mount the results directory"; echo o > /proc/sysrq-trigger; }

export KSAD_OUT=/run/results
hostname ksad-lab
ip link set lo up

echo "KSAD-LAB: start $(uname -r) groups=$KSAD_GROUPS"
IFS=, read -r -a groups <<< "$KSAD_GROUPS"
for g in "${groups[@]}"; do
	echo "KSAD-LAB: group $g"
	script=$KSAD_TOP/tests/groups/$g.sh
	[ -f "$script" ] || script=$KSAD_TOP/bench/$g.sh	# make bench
	timeout -k 5 "${KSAD_GROUP_TIMEOUT:-300}" \
		bash "$script" < /dev/null 2>&1 |
		tee "/run/results/$g.tap" | sed -u "s/^/[$g] /"
	echo "${PIPESTATUS[0]}" > "/run/results/$g.rc"
	# A group must leave no module and no namespace behind.
	rmmod ksad 2>/dev/null
	ip -all netns delete 2>/dev/null
done

# kmemleak only reports objects older than 5 s, after two scans.
if [ -w /sys/kernel/debug/kmemleak ]; then
	sleep 6
	echo scan > /sys/kernel/debug/kmemleak
	echo scan > /sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak > /run/results/kmemleak.txt
fi
dmesg > /run/results/dmesg.txt
echo ok > /run/results/done
sync
echo "KSAD-LAB: done"
echo o > /proc/sysrq-trigger
sleep 10
