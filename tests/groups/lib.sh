# shellcheck shell=bash
# TAP helpers for the test groups (sourced).  Groups run inside a lab guest
# as root, with the checkout at $KSAD_TOP and the module at $KSAD_MODULE.
set -u
KSADCTL=$KSAD_TOP/userspace/ksadctl/ksadctl
: "${TMPDIR:=/tmp}"
export TMPDIR
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

# fails_with DESC REGEX CMD...: CMD fails and says REGEX (the extack).
fails_with() {
	local desc=$1 re=$2 out rc
	shift 2
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc -ne 0 ] && grep -Eq -- "$re" <<< "$out"; then
		pass "$desc"
	else
		fail "$desc"
		printf '#   $ %s  (rc %s, wanted /%s/)\n' "$*" "$rc" "$re"
		sed 's/^/#   /' <<< "$out" | head -5
	fi
}

step() { echo "# $*"; }
# wait_pid PID [SECONDS]: wait up to SECONDS (30) for a background PID to
# end, and return its exit status; one still running then is killed (with a
# note) and the status is its SIGKILL's.
wait_pid() {
	for _ in $(seq $((${2:-30} * 5))); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.2
	done
	if kill -0 "$1" 2>/dev/null; then
		echo "# pid $1 ($(tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null)) still running after ${2:-30} s: killed"
		kill -9 "$1" 2>/dev/null
	fi
	wait "$1"
}
# stop_pid PID: SIGTERM, up to 10 s to exit, then SIGKILL (with a note)
stop_pid() {
	kill "$1" 2>/dev/null || return 0
	wait_pid "$1" 10 2>/dev/null
	return 0
}

# n NS CMD...: run CMD in namespace NS.
n() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

load_ksad() { insmod "$KSAD_MODULE" "$@"; }
unload_ksad() { rmmod ksad; }

done_testing() {
	echo "1..$_n"
	[ "$_failed" -eq 0 ]
}

# spi_of CMD...: run a ksadctl command, print the SPI it reports.
spi_of() { "$@" | grep -o 'spi 0x[0-9a-f]*' | head -1 | cut -d' ' -f2; }

# two_peers A B: namespaces A (192.0.2.1) and B (192.0.2.2) on a veth pair.
two_peers() {
	ip netns add "$1"
	ip netns add "$2"
	ip link add veth-a netns "$1" type veth peer name veth-b netns "$2"
	n "$1" ip addr add 192.0.2.1/24 dev veth-a
	n "$2" ip addr add 192.0.2.2/24 dev veth-b
	n "$1" ip link set veth-a up
	n "$2" ip link set veth-b up
}

# seed_order INI RES KEY_TO_INI KEY_TO_RES: key an ESP SA pair between the
# two_peers namespaces in the order of the seed's diagram, checking each
# step; sets spi_i and spi_r (each side's inbound SPI).  With NARRATE=1 it
# draws the diagram as it goes.
seed_order() {
	local ini=$1 res=$2 k_ri=$3 k_ir=$4 K=$KSADCTL
	narrate() { [ "${NARRATE:-0}" = 1 ] && printf '%-44s %s\n' "$1" "$2"; true; }

	narrate "Initiator" "Responder"
	spi_i=$(spi_of n "$ini" "$K" sa getspi src 192.0.2.2 dst 192.0.2.1 proto esp)
	check "initiator GETSPI (inbound): $spi_i" test -n "$spi_i"
	narrate "GETSPI (inbound) -> SPI $spi_i  ------->" ""
	check "responder ADD (outbound, SPI $spi_i)" n "$res" "$K" sa add \
		src 192.0.2.2 dst 192.0.2.1 proto esp spi "$spi_i" dir out \
		aead aes-gcm-16 "$k_ri"
	narrate "" "ADD (outbound, SPI $spi_i)"
	spi_r=$(spi_of n "$res" "$K" sa getspi src 192.0.2.1 dst 192.0.2.2 proto esp)
	check "responder GETSPI (inbound): $spi_r" test -n "$spi_r"
	narrate "" "GETSPI (inbound) -> SPI $spi_r"
	check "responder UPDATE (inbound, SPI $spi_r)" n "$res" "$K" sa update \
		dst 192.0.2.2 proto esp spi "$spi_r" aead aes-gcm-16 "$k_ir"
	narrate "" "<-------  UPDATE (inbound, SPI $spi_r)"
	check "initiator UPDATE (inbound, SPI $spi_i)" n "$ini" "$K" sa update \
		dst 192.0.2.1 proto esp spi "$spi_i" aead aes-gcm-16 "$k_ri"
	narrate "UPDATE (inbound, SPI $spi_i)" ""
	check "initiator ADD (outbound, SPI $spi_r)" n "$ini" "$K" sa add \
		src 192.0.2.1 dst 192.0.2.2 proto esp spi "$spi_r" dir out \
		aead aes-gcm-16 "$k_ir"
	narrate "ADD (outbound, SPI $spi_r)" ""
}
