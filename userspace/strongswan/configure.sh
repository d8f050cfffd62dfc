#!/bin/bash
# Prepare the strongSwan source that matches the installed charon, so that
# the kernel-ksad plugin compiles against the very headers and config.h
# Debian built charon with.  Debian ships no strongSwan headers.
#
#   configure.sh CACHE_DIR     prints the configured source tree's path
#
# - The source is Debian 12's (`apt-get source strongswan/bookworm`); a
#   deb-src entry for Debian's main archive is added if apt has none.
# - It is configured with the arguments of debian/rules (read from it, not
#   copied) and dh_auto_configure's, except the options that only add
#   plugins needing libraries we do not install (curl, LDAP, TPM, PAM,
#   NetworkManager, iptables): those change which plugins are built, not
#   config.h's definitions or the headers the plugin sees.
# - The result is cached in CACHE_DIR/strongswan-VERSION-HASH (the hash
#   of the arguments); a second call only prints the path.
set -euo pipefail
cache=${1:?usage: configure.sh CACHE_DIR}
ver=$(dpkg-query -W -f '${Version}' strongswan-libcharon 2>/dev/null || true)
[ -n "$ver" ] || { echo "configure.sh: strongswan-libcharon is not installed" >&2; exit 1; }
upstream=${ver%%-*}
upstream=${upstream#*:}
mkdir -p "$cache/src"
src=$cache/src/strongswan-$upstream

# apt serialises on its locks; wait for another apt rather than fail
apt_wait() { apt-get -o DPkg::Lock::Timeout=600 "$@"; }

if [ ! -f "$src/debian/rules" ]; then
	if ! apt-get indextargets --format '$(CREATED_BY)' 2>/dev/null | grep -qx Sources; then
		cat > /etc/apt/sources.list.d/ksad-src.sources <<EOS
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOS
		apt_wait update -qq
	fi
	(cd "$cache/src" && apt_wait source -qq "strongswan/bookworm" >&2)
fi
[ -f "$src/debian/rules" ] || { echo "configure.sh: no source in $src" >&2; exit 1; }

# debian/rules' CONFIGUREARGS, as make expands them for this machine
args=$(cd "$src" && make -s -f debian/rules -pn override_dh_auto_configure 2>/dev/null |
	sed -n 's/^CONFIGUREARGS := //p' | head -1)
[ -n "$args" ] || { echo "configure.sh: no CONFIGUREARGS in debian/rules" >&2; exit 1; }
drop=' --enable-curl --enable-ldap --enable-tpm --enable-tss-tss2 --enable-xauth-pam --enable-nm --with-nm-ca-dir=/etc/ssl/certs --enable-connmark --enable-forecast '
kept=
for a in $args; do
	case "$drop" in *" $a "*) continue ;; esac
	kept="$kept $a"
done
# what dh_auto_configure adds for autoconf on Debian 12
dh='--build=x86_64-linux-gnu --prefix=/usr --includedir=/usr/include --mandir=/usr/share/man --infodir=/usr/share/info --sysconfdir=/etc --localstatedir=/var --disable-option-checking --disable-silent-rules --runstatedir=/run --disable-maintainer-mode --disable-dependency-tracking'
hash=$(printf '%s %s' "$dh" "$kept" | sha256sum | cut -c1-12)
out=$cache/strongswan-$upstream-$hash
if [ ! -f "$out/config.h" ]; then
	rm -rf "$out.tmp"
	cp -a "$src" "$out.tmp"
	# shellcheck disable=SC2086
	(cd "$out.tmp" && eval ./configure $dh $kept) > "$cache/strongswan-configure.log" 2>&1 || {
		tail -20 "$cache/strongswan-configure.log" >&2
		exit 1
	}
	printf '%s\n' "$kept" > "$out.tmp/ksad-configure-args"
	rm -rf "$out"
	mv "$out.tmp" "$out"
fi
echo "$out"
