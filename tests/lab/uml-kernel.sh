#!/bin/bash
# Build (or find in the cache) the debug User-Mode Linux kernel for the lab.
# Prints the build directory (the O= tree: `linux` binary, module build files).
#
# The cache key covers the Debian source package version, the config fragment
# and the patches, so a change to any of them builds a new kernel and an
# unchanged checkout rebuilds nothing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

need_pkgs "${UML_BUILD_PKGS[@]}"

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
key=$( { echo "$srcver"; cat "$LAB/uml-debug.config"; cat "$LAB"/patches/*.patch; } |
	sha256sum | cut -c1-16)
dir=$KSAD_CACHE/uml-$srcver-$key
mkdir -p "$KSAD_CACHE"

exec 9>"$KSAD_CACHE/.uml.lock"
flock 9

if [ -f "$dir/.complete" ]; then
	echo "$dir/build"
	exit 0
fi

log "building UML kernel $srcver ($key) in $dir; about 10 minutes on 2 cores"
rm -rf "$dir"
mkdir -p "$dir/build"
tar -C "$dir" -xJf /usr/src/linux-source-6.1.tar.xz
mv "$dir/linux-source-6.1" "$dir/src"
for p in "$LAB"/patches/*.patch; do
	patch -d "$dir/src" -p1 -s < "$p" || die "patch $p does not apply"
done

mk() { make -C "$dir/src" O="$dir/build" ARCH=um "$@"; }
mk defconfig >/dev/null
"$dir/src/scripts/kconfig/merge_config.sh" -m -O "$dir/build" \
	"$dir/build/.config" "$LAB/uml-debug.config" >/dev/null
mk olddefconfig >/dev/null

# Every option of the fragment must have survived dependency resolution.
bad=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*) grep -qxF "$line" "$dir/build/.config" || { log "not set: $line"; bad=1; } ;;
	"# CONFIG_"*" is not set") grep -qxF "$line" "$dir/build/.config" ||
		{ log "not unset: $line"; bad=1; } ;;
	esac
done < "$LAB/uml-debug.config"
[ $bad -eq 0 ] || die "config fragment did not apply cleanly"

start=$(date +%s)
mk -j"$(nproc)" >"$dir/build.log" 2>&1 || { tail -30 "$dir/build.log" >&2; die "kernel build failed"; }
mk -j"$(nproc)" modules >>"$dir/build.log" 2>&1 || die "kernel modules build failed"
log "UML kernel built in $(( $(date +%s) - start )) s"
touch "$dir/.complete"
echo "$dir/build"
