#!/bin/bash
# The kernel's own generic netlink client (YNL, tools/net/ynl) from Debian's
# linux-source-6.12 package, extracted once into the cache; prints its path.
# The ynl test group drives every ksad operation with it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_pkgs linux-source-6.12 python3-yaml python3-jsonschema
ver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
dir=$KSAD_CACHE/ynl-$ver
if [ ! -f "$dir/.complete" ]; then
	rm -rf "$dir"
	mkdir -p "$dir"
	tar -C "$dir" -xJf /usr/src/linux-source-6.12.tar.xz --strip-components=1 \
		--wildcards 'linux-source-6.12/tools/net/ynl/*' \
		'linux-source-6.12/Documentation/netlink/*'
	touch "$dir/.complete"
fi
echo "$dir/tools/net/ynl"
