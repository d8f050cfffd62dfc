# shellcheck shell=bash
# strongSwan's charon in the lab (sourced after lib.sh): charon on ksad
# (Debian's binary with the kernel-ksad plugin, loaded the way Debian's
# charon loads its plugins, plus kernel-ksad.conf) or on XFRM, each in a
# namespace and a mount namespace of its own (its /run; the plugin folder
# with kernel-ksad beside Debian's plugins, as the guest's / is read-only).
# Used by the groups strongswan and demo.
PLUGIN=$KSAD_TOP/userspace/strongswan/libstrongswan-kernel-ksad.so
SNIPPET=$KSAD_TOP/userspace/strongswan/kernel-ksad.conf
SWT=$TMPDIR/swan
mkdir -p "$SWT/plugins"
cp -a /usr/lib/ipsec/plugins/. "$SWT/plugins/" && cp "$PLUGIN" "$SWT/plugins/"

# charon_conf NAME ksad|xfrm|debian: the strongswan.conf of charon NAME:
# on ksad (Debian's plugins and kernel-ksad), on XFRM with a short list of
# plugins, or on XFRM with Debian's plugins (as on ksad, less kernel-ksad)
charon_conf() {
	local d=$SWT/$1 plugins
	mkdir -p "$d/swanctl/x509" "$d/swanctl/x509ca" "$d/swanctl/private"
	if [ "$2" = ksad ] || [ "$2" = debian ]; then
		# Debian's set and order, plus kernel-ksad; bypass-lan (Debian
		# loads it) would pass 10.0.0.0/24 in the clear on any backend
		plugins="load_modular = yes
	plugins {
		include /etc/strongswan.d/charon/*.conf
		$( [ "$2" = ksad ] && echo "include $SNIPPET")
		bypass-lan { load = no }
		vici { socket = unix://$d/vici }
	}"
	else
		plugins="load = random nonce aes sha1 sha2 hmac kdf gmp openssl gcm pem pkcs1 x509 pubkey revocation constraints kernel-netlink socket-default vici
	plugins { vici { socket = unix://$d/vici } }"
	fi
	cat > "$d/strongswan.conf" <<EOC
charon {
	$plugins
	install_routes = no
	retransmit_tries = 3
	retransmit_timeout = 1.0
	retransmit_base = 1.4
	filelog { charon { path = $d/charon.log
		flush_line = yes
		time_format = %T
		time_add_ms = yes
		default = 1
		knl = 2 } }
}
# swanctl needs no more than these (its default list names plugins
# Debian ships in other packages, and says so on every call)
swanctl {
	socket = unix://$d/vici
	load = pem pkcs1 pkcs8 x509 revocation constraints pubkey openssl random
}
EOC
}

# charon_start NAME NS: charon NAME in namespace NS
charon_start() {
	local d=$SWT/$1
	rm -f "$d/vici"
	STRONGSWAN_CONF=$d/strongswan.conf ip netns exec "$2" unshare -m --propagation private bash -c \
		"mount -t tmpfs tmpfs /run && mount --bind $SWT/plugins /usr/lib/ipsec/plugins &&
		exec /usr/lib/ipsec/charon" > "$d/charon.out" 2>&1 &
	echo $! > "$d/pid"
	for _ in $(seq 100); do [ -S "$d/vici" ] && break; sleep 0.1; done
	test -S "$d/vici"
}
charon_stop() {
	[ -f "$SWT/$1/pid" ] && stop_pid "$(cat "$SWT/$1/pid")"
	rm -f "$SWT/$1/pid"
}
# sw NAME ARGS...: swanctl of charon NAME (never more than 30 s)
sw() {
	local d=$SWT/$1
	shift
	STRONGSWAN_CONF=$d/strongswan.conf SWANCTL_DIR=$d/swanctl timeout 30 swanctl "$@"
}


# log_has FILE REGEX: wait up to 10 s for REGEX in FILE, then print FILE
log_has() {
	for _ in $(seq 50); do grep -Eq -- "$2" "$1" && break; sleep 0.2; done
	cat "$1"
}

# load_conf NAME: swanctl.conf of charon NAME from stdin (PSK secrets
# appended), loaded
load_conf() {
	local d=$SWT/$1
	mkdir -p "$d/swanctl"
	{ cat; printf 'secrets { ike-1 { id-a = a.lab\n\tid-b = b.lab\n\tid-c = c.lab\n\tsecret = "a lab secret" } }\n'; } \
		> "$d/swanctl/swanctl.conf"
	sw "$1" --load-all --noprompt > "$d/load.out" 2>&1
}

# psk_conf NAME LA RA ME PEER LTS RTS MODE CHILD [CHILD-OPTION]: charon
# NAME's connection NAME with PSK authentication as ME.lab (PEER.lab, or
# %any), child CHILD between LTS and RTS in MODE, loaded
psk_conf() {
	local peer=$5.lab
	[ "$5" = %any ] && peer=%any
	load_conf "$1" <<EOC
connections { $1 {
	local_addrs = $2
	remote_addrs = $3
	proposals = aes256-sha256-x25519
	local { auth = psk
		id = $4.lab }
	remote { auth = psk
		id = $peer }
	children { $9 {
		local_ts = $6
		remote_ts = $7
		mode = $8
		esp_proposals = aes128gcm16
		${10:-} } } } }
EOC
}
