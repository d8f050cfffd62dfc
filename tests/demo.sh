#!/bin/bash
# `make demo`: boot the lab kernel and show ksad at work, live.
# Set-up on first use is the same as for `make check` (as root, Debian 12).
set -euo pipefail
. "$(dirname "$0")/lab/lib.sh"
need_pkgs "${UML_BUILD_PKGS[@]}" "${USER_BUILD_PKGS[@]}" "${GUEST_PKGS[@]}"
echo "Booting the ksad lab (User-Mode Linux; the first run builds its kernel, ~5-10 min)..."
cf=$(mktemp)
KSAD_LAB_LIVE=1 bash "$LAB/run-uml.sh" demo "$cf" > /dev/null
read -r p f < "$cf"
rm -f "$cf"
if [ "$f" -ne 0 ]; then
	echo "demo: $f step(s) failed; see build/results/ for the guest's log" >&2
	exit 1
fi
echo "demo: all $p steps worked"
