#!/bin/bash
# Build (or find in the cache) one of the lab's own kernels and print its
# build directory (the O= tree: the kernel, and the files to build modules).
#   tests/lab/lab-kernel.sh uml    debug User-Mode Linux from linux-source-6.1
#   tests/lab/lab-kernel.sh uml-bench  the same without the debug options
#                                  (make bench's native engine)
#   tests/lab/lab-kernel.sh race   2-CPU debug x86-64 kernel from
#                                  linux-source-6.12, booted under QEMU
#   tests/lab/lab-kernel.sh race-kcsan  the same with KCSAN for KASAN (by
#                                  hand: tests/check.sh race-kcsan:race)
#
# The cache key covers the Debian source package version, the config fragment
# and the patches, so a change to any of them builds a new kernel and an
# unchanged checkout rebuilds nothing.  KSAD_KERNEL_JOBS: make's -j (nproc).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

name=${1:?usage: lab-kernel.sh uml|uml-bench|race|race-kcsan}
# fragments: merged in order, a later one overriding an earlier one
case "$name" in
uml|uml-bench)
	srcpkg=linux-source-6.1 arch=um base=defconfig
	fragments=("$LAB/uml-debug.config") patches=("$LAB"/patches/*.patch)
	[ "$name" = uml ] || fragments+=("$LAB/uml-bench.config")
	targets=(all modules) ;;
race|race-kcsan)
	srcpkg=linux-source-6.12 arch=x86_64 base=tinyconfig
	fragments=("$LAB/race-debug.config") patches=()
	[ "$name" = race ] || fragments+=("$LAB/race-kcsan.config")
	targets=(all) ;;
*)	die "unknown lab kernel '$name' (uml, uml-bench, race, race-kcsan)" ;;
esac
need_pkgs "${UML_BUILD_PKGS[@]}" "$srcpkg"

srcver=$(dpkg-query -W -f='${Version}' "$srcpkg")
key=$( { echo "$srcver"; cat "${fragments[@]}"; [ ${#patches[@]} -eq 0 ] || cat "${patches[@]}"; } |
	sha256sum | cut -c1-16)
dir=$KSAD_CACHE/$name-$srcver-$key
mkdir -p "$KSAD_CACHE"

exec 9>"$KSAD_CACHE/.$name.lock"
flock 9

if [ -f "$dir/.complete" ]; then
	echo "$dir/build"
	exit 0
fi

jobs=${KSAD_KERNEL_JOBS:-$(nproc)}
log "building the $name lab kernel from $srcpkg $srcver ($key) in $dir, make -j$jobs"
rm -rf "$dir"
mkdir -p "$dir/build"
tar -C "$dir" -xJf "/usr/src/$srcpkg.tar.xz"
mv "$dir/$srcpkg" "$dir/src"
for p in "${patches[@]}"; do
	patch -d "$dir/src" -p1 -s < "$p" || die "patch $p does not apply"
done

mk() { make -C "$dir/src" O="$dir/build" ARCH="$arch" "$@"; }
mk "$base" >/dev/null
"$dir/src/scripts/kconfig/merge_config.sh" -m -O "$dir/build" \
	"$dir/build/.config" "${fragments[@]}" >/dev/null
mk olddefconfig >/dev/null

# Every option of the fragments (the last word on each) must have survived
# dependency resolution.
bad=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*) grep -qxF "$line" "$dir/build/.config" || { log "not set: $line"; bad=1; } ;;
	"# CONFIG_"*" is not set") line=${line#\# }; line=${line%% *}
		! grep -q "^$line=" "$dir/build/.config" || { log "not unset: $line"; bad=1; } ;;
	esac
done < <(awk '/^CONFIG_/ { split($0, a, "="); o = a[1] }
	/^# CONFIG_.* is not set$/ { o = $2 }
	o { last[o] = $0; o = "" } END { for (k in last) print last[k] }' "${fragments[@]}")
[ $bad -eq 0 ] || die "config fragment did not apply cleanly"

start=$(date +%s)
for t in "${targets[@]}"; do
	mk -j"$jobs" "$t" >>"$dir/build.log" 2>&1 || { tail -30 "$dir/build.log" >&2; die "kernel build ($t) failed"; }
done
log "$name lab kernel built in $(( $(date +%s) - start )) s"
touch "$dir/.complete"
echo "$dir/build"
