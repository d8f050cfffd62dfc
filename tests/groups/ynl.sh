#!/bin/bash
# The spec is the contract: the kernel's generic YNL client (cli.py, from
# Debian's linux-source-6.12) drives every ksad operation and listens to the
# "sa" group using nothing but Documentation/netlink/specs/ksad.yaml.
. "$(dirname "$0")/lib.sh"
SPEC=$KSAD_TOP/Documentation/netlink/specs/ksad.yaml
SCHEMA=$KSAD_TOP/Documentation/netlink/genetlink.yaml
ynl() { n y python3 "$KSAD_YNL/cli.py" --spec "$SPEC" --schema "$SCHEMA" "$@"; }
DST=$((0xc0000201))	# 192.0.2.1, a be32 u32 for YNL
KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223

check "insmod ksad.ko" load_ksad
ip netns add y
# Each YNL call reads and checks the spec in Python: seconds under UML, more
# on a loaded machine.  The larval SA of getspi must outlive the call after.
n y "$KSADCTL" config larval-timeout 600 > /dev/null
check_out "YNL: getspi (exact SPI)" "'spi': '0x1234'" \
	ynl --do getspi --json "{\"proto\": \"esp\", \"dst-ipv4\": $DST, \"spi-min\": 4660, \"spi-max\": 4660}"
check_out "YNL: update completes it" "'state': 'mature'" \
	ynl --do update --json "{\"spi\": 4660, \"proto\": \"esp\", \"dst-ipv4\": $DST, \"enc-alg\": \"aes-gcm-16\", \"enc-key-bits\": 256, \"enc-key\": \"$KEY\", \"soft\": {\"add-seconds\": 100}}"
check_out "YNL: get (IKEv2's ENCR_AES_GCM_16, by name)" "'enc-alg': 'aes-gcm-16'" \
	ynl --do get --json "{\"spi\": 4660, \"proto\": \"esp\", \"dst-ipv4\": $DST}"
# A listener of its own: 6.12's cli.py loses its request when a
# notification of its own subscription arrives before the reply.
ynl --subscribe sa --sleep 4 > "$TMPDIR/ynl-ntf.txt" 2>&1 &
sleep 2
check_out "YNL: add" "'state': 'mature'" \
	ynl --do add --json "{\"spi\": 4661, \"proto\": \"esp\", \"dst-ipv4\": $DST, \"dir\": \"out\", \"enc-alg\": \"chacha20-poly1305\", \"enc-key\": \"$KEY\"}"
wait
check_out "YNL: the sa group's notification of it" "'event': 'added'" cat "$TMPDIR/ynl-ntf.txt"
check_out "YNL: dump with a filter" "'spi': '0x1235'" \
	ynl --dump get --json '{"dir": "out"}'
fails_with "YNL: an IKEv2 ID ksad refuses (3DES), with the reason" "RFC 8221" \
	ynl --do add --json "{\"spi\": 4662, \"proto\": \"esp\", \"dst-ipv4\": $DST, \"dir\": \"out\", \"enc-alg\": \"3des\", \"enc-key\": \"$KEY\"}"
check_out "YNL: AES-CBC-192 with HMAC-SHA2-384-192, by IKEv2 names" "'auth-alg': 'hmac-sha2-384-192'" \
	ynl --do add --json "{\"spi\": 4663, \"proto\": \"esp\", \"dst-ipv4\": $DST, \"dir\": \"out\", \"enc-alg\": \"aes-cbc\", \"enc-key-bits\": 192, \"enc-key\": \"${KEY:0:48}\", \"auth-alg\": \"hmac-sha2-384-192\", \"auth-key\": \"${KEY}${KEY:0:24}\"}"
fails_with "YNL: the kernel's extack reaches YNL" "only the lifetimes" \
	ynl --do update --json "{\"spi\": 4660, \"proto\": \"esp\", \"dst-ipv4\": $DST, \"mode\": \"tunnel\"}"
check "YNL: delete" ynl --do delete --json "{\"spi\": 4661, \"proto\": \"esp\", \"dst-ipv4\": $DST}"
check "YNL: set-config" ynl --do set-config --json '{"larval-timeout": 60}'
check_out "YNL: get-config" "'larval-timeout': 60" ynl --do get-config
check "YNL: flush" ynl --do flush --json '{"proto": "esp"}'
check_out "YNL: the SAD is empty" "'sa-count': 0" ynl --do get-config
ip netns delete y
check "rmmod ksad" unload_ksad
done_testing
