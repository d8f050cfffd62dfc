#!/bin/bash
# `make check`: every test of the project, ending with "N passed, N failed".
#
#   tests/check.sh                   everything
#   tests/check.sh unit              userspace unit tests only
#   tests/check.sh static            checkpatch, W=1 and sparse on kernel/
#   tests/check.sh dkms              dkms autoinstall for each stock kernel
#   tests/check.sh uml:kunit,smoke   UML lab, these groups only
#   tests/check.sh stock:smoke       each stock Debian kernel of KSAD_STOCK
#   tests/check.sh stock@6.12:smoke  one stock kernel (6.1, 6.12, 6.12-rt)
#   tests/check.sh race:race         the 2-CPU debug kernel
#   tests/check.sh race-kcsan:race   the same with KCSAN, by hand only
#   tests/check.sh stock:stackdepth  kernel stack depth (ftrace), by hand only
#
# KSAD_STOCK=6.1,6.12,6.12-rt (the default) names the stock kernels.
# With two CPUs or more (KSAD_LANES=1 turns it off), the UML boot runs on
# CPU 0 while the stock kernels boot, one after another, on CPU 1; the race
# kernel boots last, on both CPUs.  The lab's kernels are built before.
# Runs as root on Debian 12; installs what it needs on first use.
set -uo pipefail
. "$(dirname "$0")/lab/lib.sh"

UML_GROUPS=kunit,smoke,sad,ynl,fuzz,oracle,datapath,matrix,matrix-integ,gateway,natt,ike,strongswan,pktfuzz,demo
STOCK_GROUPS=smoke,interop,storm
# In-guest DKMS builds the module under TCG (minutes): on one kernel only.
DKMS_KERNEL=6.12
RACE_GROUPS=storm,race

if [ $# -eq 0 ]; then
	set -- unit static dkms "uml:$UML_GROUPS" "stock:$STOCK_GROUPS" "race:$RACE_GROUPS"
	default=1
fi
# stock:GROUPS runs on every kernel of the set, one boot each.
parts=()
for part in "$@"; do
	case "$part" in
	stock:*)
		read -r -a kernels <<< "$(stock_kernels)"
		for k in "${kernels[@]}"; do
			g=${part#stock:}
			[ -n "${default:-}" ] && [ "$k" = "$DKMS_KERNEL" ] && g=$g,dkms
			parts+=("stock@$k:$g")
		done ;;
	unit|static|dkms|uml:*|stock@*:*|race:*|race-kcsan:*) parts+=("$part") ;;
	*) die "unknown part: $part" ;;
	esac
done
[ -z "${default:-}" ] || [[ ",$KSAD_STOCK," == *",$DKMS_KERNEL,"* ]] ||
	echo "# note: KSAD_STOCK has no $DKMS_KERNEL: group dkms (in a guest) does not run"
need_pkgs "${UML_BUILD_PKGS[@]}" "${USER_BUILD_PKGS[@]}" "${GUEST_PKGS[@]}" \
	python3-yaml python3-jsonschema

rows=$(mktemp -d)
umlpid=
# A check.sh that is stopped stops its UML lane too.
trap '[ -z "$umlpid" ] || kill -- -"$umlpid" 2>/dev/null; rm -rf "$rows"' EXIT
trap 'exit 143' TERM INT
started=$(date +%s)

# run_part INDEX PART: run one part; its counts and time go to $rows/INDEX.
run_part() {
	local i=$1 part=$2 t0 out rc p f cf lab groups
	t0=$(date +%s)
	case "$part" in
	unit|static|dkms)
		case "$part" in
		unit)	echo "# userspace unit tests (ASan + UBSan), spec agreement"
			out=$(make -s -C "$KSAD_TOP/userspace" check 2>&1 &&
				python3 "$KSAD_TOP/tests/spec_check.py" 2>&1) ;;
		static)	echo "# static checks of kernel/"
			out=$(bash "$KSAD_TOP/tests/static.sh" 2>&1) ;;
		dkms)	echo "# dkms autoinstall for each stock kernel (on the host)"
			out=$(bash "$KSAD_TOP/tests/dkms.sh" 2>&1) ;;
		esac
		rc=$?
		echo "$out"
		p=$(grep -c '^ok ' <<< "$out")
		f=$(grep -c '^not ok ' <<< "$out")
		[ $rc -eq 0 ] || [ "$f" -gt 0 ] || f=1 ;; # a crash or build failure counts
	*)
		lab=${part%%:*}
		groups=${part#*:}
		echo "# $lab lab: $groups"
		cf=$(mktemp)
		echo "0 1" > "$cf"
		case "$lab" in
		uml)	bash "$LAB/run-uml.sh" "$groups" "$cf" ;;
		race|race-kcsan) bash "$LAB/run-stock.sh" "$lab" "$groups" "$cf" ;;
		*)	bash "$LAB/run-stock.sh" "${lab#stock@}" "$groups" "$cf" ;;
		esac || echo "not ok - $lab lab did not run"
		read -r p f < "$cf"
		rm -f "$cf" ;;
	esac
	printf '%s %s %s %s\n' "$p" "$f" $(( $(date +%s) - t0 )) "$part" > "$rows/$i"
}

# Which parts go where: host parts first, then the two lanes, race last.
host=() uml=() stock=() race=()
for i in "${!parts[@]}"; do
	case "${parts[$i]}" in
	uml:*) uml+=("$i") ;;
	stock@*) stock+=("$i") ;;
	race:*|race-kcsan:*) race+=("$i") ;;
	*) host+=("$i") ;;
	esac
done
for i in "${host[@]}"; do run_part "$i" "${parts[$i]}"; done
# the first two CPUs this process may use
read -r cpu0 cpu1 _ <<< "$(python3 -c 'import os; print(*sorted(os.sched_getaffinity(0)))')"
if [ "${KSAD_LANES:-2}" -ge 2 ] && [ -n "$cpu1" ] && [ ${#uml[@]} -gt 0 ] &&
	[ $((${#stock[@]} + ${#race[@]})) -gt 0 ]; then
	# The lab's kernels are built on both CPUs before the lanes part, and
	# the tools both lanes' guests use, once (two makes in one tree would
	# race).
	bash "$LAB/lab-kernel.sh" uml > /dev/null
	for i in "${race[@]}"; do bash "$LAB/lab-kernel.sh" "${parts[$i]%%:*}" > /dev/null; done
	make -s -C "$KSAD_TOP" userspace >&2
	echo "# lanes: UML on CPU $cpu0, stock kernels on CPU $cpu1"
	umllog=$rows/uml.log
	set -m	# the lane in a process group of its own, for the trap above
	(
		taskset -cp "$cpu0" $BASHPID > /dev/null
		for i in "${uml[@]}"; do run_part "$i" "${parts[$i]}"; done
	) > "$umllog" 2>&1 &
	umlpid=$!
	set +m
	(
		taskset -cp "$cpu1" $BASHPID > /dev/null
		for i in "${stock[@]}"; do run_part "$i" "${parts[$i]}"; done
	)
	wait $umlpid
	umlpid=
	cat "$umllog"
else
	for i in "${uml[@]}" "${stock[@]}"; do run_part "$i" "${parts[$i]}"; done
fi
for i in "${race[@]}"; do run_part "$i" "${parts[$i]}"; done

passed=0 failed=0
echo "#"
printf '# %-46s %6s %6s %7s\n' "part (lab:groups)" passed failed time
for i in "${!parts[@]}"; do
	if [ -f "$rows/$i" ]; then
		read -r p f t part < "$rows/$i"
	else
		p=0 f=1 t=0 part="${parts[$i]} (did not report)"
	fi
	printf '# %-46.46s %6d %6d %5d s\n' "$part" "$p" "$f" "$t"
	passed=$((passed + p))
	failed=$((failed + f))
done
echo "# took $(( $(date +%s) - started )) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
