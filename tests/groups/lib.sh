# shellcheck shell=bash
# TAP helpers for the test groups (sourced).  Groups run inside a lab guest
# as root, with the checkout at $KSAD_TOP and the module at $KSAD_MODULE.
set -u
KSADCTL=$KSAD_TOP/userspace/ksadctl
_n=0
_failed=0

# ok|not ok lines; a failing check prints what it ran and what came out.
pass() { _n=$((_n + 1)); echo "ok $_n - $*"; }
fail() { _n=$((_n + 1)); _failed=$((_failed + 1)); echo "not ok $_n - $*"; }

# check DESC CMD...: passes when CMD exits 0.
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		pass "$desc"
	else
		fail "$desc"
		printf '#   $ %s\n' "$*"
		printf '%s\n' "$out" | sed 's/^/#   /' | head -20
	fi
}

# check_fails DESC CMD...: passes when CMD exits non-zero.
check_fails() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		fail "$desc (unexpectedly succeeded)"
		printf '#   $ %s\n' "$*"
		printf '%s\n' "$out" | sed 's/^/#   /' | head -20
	else
		pass "$desc"
	fi
}

# check_out DESC REGEX CMD...: passes when CMD succeeds and prints REGEX.
check_out() {
	local desc=$1 re=$2 out
	shift 2
	if out=$("$@" 2>&1) && grep -Eq -- "$re" <<< "$out"; then
		pass "$desc"
	else
		fail "$desc"
		printf '#   $ %s   (wanted /%s/)\n' "$*" "$re"
		printf '%s\n' "$out" | sed 's/^/#   /' | head -20
	fi
}

step() { echo "# $*"; }

# n NS CMD...: run CMD in namespace NS.
n() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

load_ksad() { insmod "$KSAD_MODULE" "$@"; }
unload_ksad() { rmmod ksad; }

done_testing() {
	echo "1..$_n"
	[ "$_failed" -eq 0 ]
}
