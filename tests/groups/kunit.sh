#!/bin/bash
# The module's KUnit suites: they run when the lab build of ksad.ko (made
# with KSAD_KUNIT=y) is loaded; each case becomes one TAP line here.
. "$(dirname "$0")/lib.sh"

check "load ksad.ko with its KUnit suites" load_ksad
found=0
for d in /sys/kernel/debug/kunit/ksad_*; do
	[ -e "$d/results" ] || continue
	found=1
	suite=${d##*/}
	# Cases are indented one level in the suite's KTAP; the last line,
	# unindented, is the suite verdict (counted through its cases).
	while IFS= read -r line; do
		case "$line" in
		"    ok "* | "    not ok "*)
			res=${line#    }
			if [ "${res#not ok}" != "$res" ]; then
				fail "kunit $suite: ${res#not ok * }"
			else
				pass "kunit $suite: ${res#ok * }"
			fi ;;
		"    # "*) echo "#   ${line#    # }" ;;
		esac
	done < "$d/results"
	# A suite that failed outside its cases (init, exit) has no failing case.
	if ! grep -q '^ok ' "$d/results" && ! grep -q '^    not ok ' "$d/results"; then
		fail "kunit suite $suite"
	fi
done
[ $found -eq 1 ] || fail "at least one ksad KUnit suite registered"
check "unload ksad.ko" unload_ksad
done_testing
