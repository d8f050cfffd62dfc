#!/bin/bash
# `make check`: every test of the project, ending with "N passed, N failed".
#
#   tests/check.sh                 everything
#   tests/check.sh unit            userspace unit tests only
#   tests/check.sh static          checkpatch, W=1 and sparse on kernel/
#   tests/check.sh uml:kunit,smoke UML lab, these groups only
#   tests/check.sh stock:smoke     each stock Debian kernel of KSAD_STOCK
#   tests/check.sh stock@6.12:smoke  one stock kernel (6.1, 6.12, 6.12-rt)
#   tests/check.sh stock:stackdepth  kernel stack depth (ftrace), by hand only
#
# KSAD_STOCK=6.1,6.12,6.12-rt (the default) names the stock kernels.
# Runs as root on Debian 12; installs what it needs on first use.
set -uo pipefail
. "$(dirname "$0")/lab/lib.sh"

UML_GROUPS=kunit,smoke,sad,ynl,fuzz,oracle,datapath,matrix,gateway,natt,ike,pktfuzz,demo
STOCK_GROUPS=smoke,interop,storm,dkms

[ $# -gt 0 ] || set -- unit static "uml:$UML_GROUPS" "stock:$STOCK_GROUPS"
# stock:GROUPS runs on every kernel of the set, one boot each.
parts=()
for part in "$@"; do
	case "$part" in
	stock:*)
		IFS=, read -r -a kernels <<< "$KSAD_STOCK"
		for k in "${kernels[@]}"; do parts+=("stock@$k:${part#stock:}"); done ;;
	*) parts+=("$part") ;;
	esac
done
need_pkgs "${UML_BUILD_PKGS[@]}" "${USER_BUILD_PKGS[@]}" "${GUEST_PKGS[@]}" \
	python3-yaml python3-jsonschema

passed=0 failed=0
table=()
started=$(date +%s)
for part in "${parts[@]}"; do
	t0=$(date +%s)
	case "$part" in
	unit|static)
		if [ "$part" = unit ]; then
			echo "# userspace unit tests (ASan + UBSan), spec agreement"
			out=$(make -s -C "$KSAD_TOP/userspace" check 2>&1 &&
				python3 "$KSAD_TOP/tests/spec_check.py" 2>&1)
		else
			echo "# static checks of kernel/"
			out=$(bash "$LAB/../static.sh" 2>&1)
		fi
		rc=$?
		echo "$out"
		p=$(grep -c '^ok ' <<< "$out")
		f=$(grep -c '^not ok ' <<< "$out")
		[ $rc -eq 0 ] || [ "$f" -gt 0 ] || f=1 ;; # a crash or build failure counts
	uml:*|stock@*:*)
		lab=${part%%:*}
		groups=${part#*:}
		echo "# $lab lab: $groups"
		cf=$(mktemp)
		echo "0 1" > "$cf"
		if [ "$lab" = uml ]; then
			bash "$LAB/run-uml.sh" "$groups" "$cf"
		else
			bash "$LAB/run-stock.sh" "${lab#stock@}" "$groups" "$cf"
		fi || echo "not ok - $lab lab did not run"
		read -r p f < "$cf"
		rm -f "$cf" ;;
	*) die "unknown part: $part" ;;
	esac
	passed=$((passed + p))
	failed=$((failed + f))
	table+=("$(printf '%-42.42s %6d %6d %6d s' "$part" "$p" "$f" $(( $(date +%s) - t0 )))")
done

echo "#"
printf '# %-42s %6s %6s %8s\n' "part (lab:groups)" passed failed time
printf '# %s\n' "${table[@]}"
echo "# took $(( $(date +%s) - started )) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
