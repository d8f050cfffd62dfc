# shellcheck shell=bash
# Shared helpers for the lab scripts (sourced, not run).

KSAD_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB=$KSAD_TOP/tests/lab
# Built kernels live outside the clone so that a fresh clone reuses them.
KSAD_CACHE=${KSAD_CACHE:-/var/cache/ksad}

log() { printf '[lab] %s\n' "$*" >&2; }
die() { printf '[lab] error: %s\n' "$*" >&2; exit 1; }

# need_pkgs PKG...: install the Debian packages that are missing (as root).
need_pkgs() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] || die "missing packages (need root to install): ${missing[*]}"
	log "installing: ${missing[*]}"
	if [ ! -e /var/lib/apt/lists/lock ] || [ -z "$(ls /var/lib/apt/lists/ 2>/dev/null | grep -v -e lock -e partial)" ]; then
		apt-get update -q >&2 || die "apt-get update failed"
	fi
	DEBIAN_FRONTEND=noninteractive INITRD=No apt-get install -y -q \
		--no-install-recommends "${missing[@]}" >&2 ||
		{ apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive INITRD=No \
			apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; } ||
		die "apt-get install failed: ${missing[*]}"
}

# Packages every lab run needs on the host.
UML_BUILD_PKGS=(linux-source-6.1 bc bison flex libelf-dev libssl-dev build-essential
	xz-utils kmod patch)
GUEST_PKGS=(iproute2 iputils-ping procps util-linux libmnl0 python3 nftables
	strongswan-charon strongswan-swanctl libstrongswan-standard-plugins)
USER_BUILD_PKGS=(build-essential pkg-config libmnl-dev libssl-dev)
STOCK_PKGS=(linux-image-amd64 linux-headers-amd64 qemu-system-x86 busybox-static cpio)

# live_view: with KSAD_LAB_LIVE=1 (make demo), show the guest's group output
# as it happens; otherwise stay quiet and let the verdict speak.
live_view() {
	if [ "${KSAD_LAB_LIVE:-0}" = 1 ]; then
		grep --line-buffered -E '^\[[a-z0-9_-]+\] |^KSAD-LAB' | sed -u -E 's/^\[[a-z0-9_-]+\] //' >&2
	else
		cat > /dev/null
	fi
}
