#!/bin/sh
# /init of the stock-kernel initramfs: load the 9p modules, mount the host's
# / read-only and hand over to the lab's guest-init.sh on it.
export PATH=/bin
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
while read -r m; do insmod "/modules/$m" || echo "init: insmod $m failed"; done < /modules/order
# The virtio devices are probed asynchronously: give them a few seconds.
i=0
until mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose hostroot /newroot 2>/dev/null; do
	i=$((i + 1))
	[ $i -le 50 ] || break
	sleep 0.1
done
if ! grep -q ' /newroot ' /proc/mounts; then
	echo "init: cannot mount the host root"
	echo o > /proc/sysrq-trigger
fi
umount /proc /sys /dev
exec switch_root /newroot "$KSAD_INIT"
