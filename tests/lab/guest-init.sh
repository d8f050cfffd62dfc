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
# what udev would add: bash's process substitution (dkms uses it) needs /dev/fd
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /run
mkdir -p /run/netns /run/results
# Writable /tmp and /var/tmp.  The checkout, and YNL in the cache, may live
# below one of them (CI clones anywhere; KSAD_CACHE may be set there): keep
# them visible by moving bind mounts of them back in.
keep=("$KSAD_TOP")
[ -n "${KSAD_YNL:-}" ] && keep+=("$KSAD_YNL")
for i in "${!keep[@]}"; do
	mkdir -p "/run/keep$i"
	mount --bind "${keep[$i]}" "/run/keep$i"
done
for d in /tmp /var/tmp; do
	mount -t tmpfs tmpfs "$d"
done
for i in "${!keep[@]}"; do
	if [ -d "${keep[$i]}" ] && [ -n "$(ls -A "${keep[$i]}")" ]; then
		umount "/run/keep$i"
	else
		mkdir -p "${keep[$i]}"
		mount --move "/run/keep$i" "${keep[$i]}"
	fi
done

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
	tap=/run/results/$g.tap
	: > "$tap"
	t0=$(date +%s)
	T=${KSAD_GROUP_TIMEOUT:-300}
	rm -f /run/timedout
	# The group writes to its file, not to a pipe: a process it leaves
	# behind cannot keep the run waiting.  The console follows the file.
	# It runs in a session of its own, which the watchdog ends after T s,
	# having first noted where it was stuck.
	setsid bash "$script" < /dev/null > "$tap" 2>&1 &
	gpid=$!
	(
		end=$((SECONDS + T))
		while kill -0 "$gpid" 2>/dev/null; do
			if [ $SECONDS -ge $end ]; then
				touch /run/timedout
				{
					echo "# KSAD-LAB: group $g timed out after $T s; its processes then:"
					# (no wchan: reading it trips KASAN in UML's __get_wchan)
					ps -e -o pid,ppid,stat,args | awk 'NR == 1 || $2 != 2 && $1 != 2' | sed 's/^/#   /'
				} >> "$tap"
				echo w > /proc/sysrq-trigger	# the kernel's blocked tasks
				sleep 1
				{
					echo "# KSAD-LAB: the kernel's blocked tasks (sysrq w):"
					dmesg | sed -n '/sysrq: Show Blocked State/,$p' | tail -80 | sed 's/^/#   /'
				} >> "$tap"
				kill -TERM -- -"$gpid"
				sleep 5
				kill -KILL -- -"$gpid"
				break
			fi
			sleep 1
		done
	) &
	wdog=$!
	tail -n +1 -s 0.2 -f --pid=$gpid "$tap" | sed -u "s/^/[$g] /" &
	tailp=$!
	wait $gpid
	rc=$?
	wait $wdog $tailp
	[ -e /run/timedout ] && rc=124
	# A group must leave no process, module or namespace behind.
	left=$(me=$BASHPID; ps -e -o pid=,ppid=,args= |
		awk -v me="$me" '$1 != 1 && $1 != me && $2 != me && $2 != 2 && $3 !~ /^\[/')
	[ -n "$left" ] && printf '# KSAD-LAB: killed what group %s left running:\n%s\n' \
		"$g" "$(sed 's/^/#   /' <<< "$left")" | tee -a "$tap"
	kill -KILL -1 2>/dev/null
	sleep 0.5
	echo "$rc" > "/run/results/$g.rc"
	echo "$(( $(date +%s) - t0 ))" > "/run/results/$g.time"
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
# The power-off shuts the devices down, the 9p root among them: nothing can
# be executed after it (the race kernel's init died running sleep, exit 126,
# and init exiting is a panic).  Wait without exec for the power to go.
while :; do :; done
