#!/bin/bash
# Static checks of kernel/: checkpatch --strict (from the lab kernel's source
# tree) and a W=1 + sparse (C=1) build against Debian's headers.  TAP.
set -uo pipefail
. "$(dirname "$0")/lab/lib.sh"
need_pkgs sparse linux-headers-amd64 "${UML_BUILD_PKGS[@]}"

n=0
res() { n=$((n + 1)); echo "$1 $n - $2"; }

src=$(bash "$LAB/uml-kernel.sh")/../src
for f in $(cd "$KSAD_TOP" && find kernel uapi -name '*.[ch]' | sort); do
	# checkpatch exits non-zero on any ERROR, WARNING or (with --strict) CHECK.
	if out=$("$src/scripts/checkpatch.pl" --strict --no-tree --terse -q -f "$KSAD_TOP/$f" 2>&1); then
		res ok "checkpatch --strict: $f"
	else
		res "not ok" "checkpatch --strict: $f"
		sed 's/^/#   /' <<< "$out"
	fi
done

kver=
for v in $(ls /lib/modules | sort -V); do
	[ -d "/lib/modules/$v/build" ] && kver=$v
done
d=$(mktemp -d)
if out=$(make -C "$KSAD_TOP" module KDIR="/lib/modules/$kver/build" MODDIR="$d" \
	KBUILD_FLAGS="W=1 C=1" 2>&1) && ! grep -Eq 'warning:|error:' <<< "$out"; then
	res ok "W=1 and sparse (C=1) build against $kver: no warning"
else
	res "not ok" "W=1 and sparse (C=1) build against $kver: no warning"
	grep -E 'warning:|error:' <<< "$out" | sed 's/^/#   /'
fi
rm -rf "$d"
echo "1..$n"
