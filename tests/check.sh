#!/bin/bash
# `make check`: every test of the project, ending with "N passed, N failed".
#
#   tests/check.sh                 everything
#   tests/check.sh unit            userspace unit tests only
#   tests/check.sh static          checkpatch, W=1 and sparse on kernel/
#   tests/check.sh uml:kunit,smoke UML lab, these groups only
#   tests/check.sh stock:smoke     stock Debian kernel under QEMU only
#   tests/check.sh stock:stackdepth  kernel stack depth (ftrace), by hand only
#
# Runs as root on Debian 12; installs what it needs on first use.
set -uo pipefail
. "$(dirname "$0")/lab/lib.sh"

UML_GROUPS=kunit,smoke,sad,ynl,fuzz,oracle,datapath,matrix,gateway,natt,ike,pktfuzz,demo
STOCK_GROUPS=smoke,interop

[ $# -gt 0 ] || set -- unit static "uml:$UML_GROUPS" "stock:$STOCK_GROUPS"
need_pkgs "${UML_BUILD_PKGS[@]}" "${USER_BUILD_PKGS[@]}" "${GUEST_PKGS[@]}" \
	python3-yaml python3-jsonschema

passed=0 failed=0
tally() { # tally PASSED FAILED
	passed=$((passed + $1))
	failed=$((failed + $2))
}
started=$(date +%s)

for part in "$@"; do
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
		[ $rc -eq 0 ] || [ "$f" -gt 0 ] || f=1 # a crash or build failure counts
		tally "$p" "$f" ;;
	uml:*|stock:*)
		lab=${part%%:*}
		echo "# $lab lab: ${part#*:}"
		cf=$(mktemp)
		echo "0 1" > "$cf"
		bash "$LAB/run-$lab.sh" "${part#*:}" "$cf" || echo "not ok - $lab lab did not run"
		read -r p f < "$cf"
		rm -f "$cf"
		tally "$p" "$f" ;;
	*) die "unknown part: $part" ;;
	esac
done

echo "# took $(( $(date +%s) - started )) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
