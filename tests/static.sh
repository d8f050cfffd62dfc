#!/bin/bash
# Static checks of kernel/: checkpatch --strict (from the lab kernel's source
# tree) and a W=1 + sparse (C=1) build against each stock kernel's headers.
# TAP.
set -uo pipefail
. "$(dirname "$0")/lab/lib.sh"
need_pkgs sparse "${UML_BUILD_PKGS[@]}"

n=0
res() { n=$((n + 1)); echo "$1 $n - $2"; }

# checkpatch of both kernel lines: 6.1's from the lab kernel's tree, 6.12's
# from Debian's linux-source-6.12 (the script and its word lists, once).
need_pkgs linux-source-6.12
cp612=$KSAD_CACHE/checkpatch-$(dpkg-query -W -f='${Version}' linux-source-6.12)
if [ ! -f "$cp612/.complete" ]; then
	rm -rf "$cp612"
	mkdir -p "$cp612"
	tar -C "$cp612" -xJf /usr/src/linux-source-6.12.tar.xz --strip-components=1 \
		linux-source-6.12/scripts/checkpatch.pl linux-source-6.12/scripts/spelling.txt \
		linux-source-6.12/scripts/const_structs.checkpatch && touch "$cp612/.complete"
fi
for vsrc in "6.1 $(bash "$LAB/lab-kernel.sh" uml)/../src" "6.12 $cp612"; do
	read -r v src <<< "$vsrc"
	for f in $(cd "$KSAD_TOP" && find kernel uapi -name '*.[ch]' | sort); do
		# checkpatch exits non-zero on any ERROR, WARNING or (with --strict) CHECK.
		if out=$("$src/scripts/checkpatch.pl" --strict --no-tree --terse -q -f "$KSAD_TOP/$f" 2>&1); then
			res ok "checkpatch --strict ($v): $f"
		else
			res "not ok" "checkpatch --strict ($v): $f"
			sed 's/^/#   /' <<< "$out"
		fi
	done
done

# One W=1 + sparse build of ksad.ko: $1 what, $2 KDIR, $3 more KBUILD_FLAGS.
build_check() {
	local d out
	d=$(mktemp -d)
	if out=$(make -C "$KSAD_TOP" module KDIR="$2" MODDIR="$d" \
		KBUILD_FLAGS="W=1 C=1 $3" 2>&1) && ! grep -Eq 'warning:|error:' <<< "$out"; then
		res ok "$1"
	else
		res "not ok" "$1"
		grep -E 'warning:|error:' <<< "$out" | sed 's/^/#   /'
	fi
	rm -rf "$d"
}

# W=1 and sparse against each stock kernel of the set (KSAD_STOCK), from
# this one source tree: kernel/compat.h holds what differs between them.
# The bench build too (KSAD_BENCH=y: kernel/bench.c, make bench's hooks).
read -r -a kernels <<< "$(stock_kernels)"
for k in "${kernels[@]}"; do
	kver=$(stock_kernel_version "$k") || { res "not ok" "headers of stock kernel $k"; continue; }
	for variant in "" KSAD_BENCH=y; do
		build_check "W=1 and sparse (C=1) build${variant:+ ($variant)} against $kver: no warning" \
			"/lib/modules/$kver/build" "$variant"
	done
done

# The KUnit suites (kernel/tests/) build only against the lab kernel, which
# has KUnit: W=1 and sparse there too.
build_check "W=1 and sparse (C=1) build (KSAD_KUNIT=y) against the UML lab kernel: no warning" \
	"$(bash "$LAB/lab-kernel.sh" uml)" KSAD_KUNIT=y
echo "1..$n"
