# shellcheck shell=bash
# Shared helpers for the lab scripts (sourced, not run).

KSAD_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB=$KSAD_TOP/tests/lab
# Built kernels live outside the clone so that a fresh clone reuses them.
KSAD_CACHE=${KSAD_CACHE:-/var/cache/ksad}

log() { printf '[lab] %s\n' "$*" >&2; }
die() { printf '[lab] error: %s\n' "$*" >&2; exit 1; }

# Another apt or dpkg holding the lock (a daily upgrade, say) is waited for,
# up to 20 minutes, rather than failed on.
APT_WAIT="-o DPkg::Lock::Timeout=1200"

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
		apt-get update -q $APT_WAIT >&2 || die "apt-get update failed"
	fi
	DEBIAN_FRONTEND=noninteractive INITRD=No apt-get install -y -q $APT_WAIT \
		--no-install-recommends "${missing[@]}" >&2 ||
		{ apt-get update -q $APT_WAIT >&2 && DEBIAN_FRONTEND=noninteractive INITRD=No \
			apt-get install -y -q $APT_WAIT --no-install-recommends "${missing[@]}" >&2; } ||
		die "apt-get install failed: ${missing[*]}"
}

# Packages every lab run needs on the host.
UML_BUILD_PKGS=(linux-source-6.1 bc bison flex libelf-dev libssl-dev build-essential
	xz-utils kmod patch)
GUEST_PKGS=(iproute2 iputils-ping procps util-linux libmnl0 python3 nftables
	strongswan-charon strongswan-swanctl strongswan-pki libstrongswan-standard-plugins)
# (dpkg-dev and the last four: the kernel-ksad plugin, built against
# strongSwan's source configured as Debian configures it)
USER_BUILD_PKGS=(build-essential pkg-config libmnl-dev libssl-dev dpkg-dev libgmp-dev libcap-dev
	libsystemd-dev libgcrypt20-dev)
STOCK_PKGS=(qemu-system-x86 busybox-static cpio zstd)

# The Debian kernels the stock lab boots, by short name: KSAD_STOCK chooses
# (comma-separated), and `make check` runs the stock groups on each.
KSAD_STOCK=${KSAD_STOCK:-6.1,6.12,6.12-rt}

# The set as an array: read -r -a kernels <<< "$(stock_kernels)"
stock_kernels() { tr , ' ' <<< "$KSAD_STOCK"; }

# ksad's DKMS version, as dkms.conf names it (ksad/VERSION)
dkms_version() { sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$KSAD_TOP/dkms.conf"; }

# stock_kernel_pkgs NAME: the image and headers packages of a kernel name.
stock_kernel_pkgs() {
	case "$1" in
	6.1) echo linux-image-amd64 linux-headers-amd64 ;;
	6.12) echo linux-image-6.12-amd64 linux-headers-6.12-amd64 ;;
	6.12-rt) echo linux-image-6.12-rt-amd64 linux-headers-6.12-rt-amd64 ;;
	*) die "unknown stock kernel '$1' (known: 6.1, 6.12, 6.12-rt)" ;;
	esac
}

# stock_kernel_version NAME: install the kernel NAME (image and headers)
# if it is missing and print its release (uname -r), the one that Debian's
# metapackage points at: other kernels on the machine change nothing.
stock_kernel_version() {
	local pkgs v
	read -r -a pkgs <<< "$(stock_kernel_pkgs "$1")"
	need_pkgs "${pkgs[@]}"
	v=$(dpkg-query -W -f='${Depends}' "${pkgs[0]}" | sed -n 's/^linux-image-\([^ ,]*\).*/\1/p')
	[ -n "$v" ] || die "cannot tell which kernel ${pkgs[0]} installs"
	[ -f "/boot/vmlinuz-$v" ] || die "${pkgs[0]}: no /boot/vmlinuz-$v"
	[ -d "/lib/modules/$v/build" ] || die "${pkgs[1]}: no headers at /lib/modules/$v/build"
	echo "$v"
}

# The benchmark's settings (KSAD_BENCH_*) as words for a guest's command line.
bench_env() { env | grep -E '^KSAD_BENCH_[A-Z_]+=[^ ]*$' | sort | tr '\n' ' '; }

# live_view: with KSAD_LAB_LIVE=1 (make demo), show the guest's group output
# as it happens; otherwise stay quiet and let the verdict speak.
live_view() {
	if [ "${KSAD_LAB_LIVE:-0}" = 1 ]; then
		grep --line-buffered -E '^\[[a-z0-9_-]+\] |^KSAD-LAB' | sed -u -E 's/^\[[a-z0-9_-]+\] //' >&2
	else
		cat > /dev/null
	fi
}
