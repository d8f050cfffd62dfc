#!/bin/bash
# Not a group: run by group sad as uid 65534 in a user and network namespace
# of its own (unshare -Urn), where it has CAP_NET_ADMIN over nothing but
# that namespace.  It fills ksad's SAD and SPD of the namespace past the
# limits the namespace started with and tries to raise them; prints what
# happened, one "name value" a line.  Usage: userns_limits.sh KSADCTL
K=$1
KEY=0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021222324
echo "uid $(id -u) in its namespace, $(awk '{ print $2 }' /proc/self/uid_map) outside"
echo "config $($K config)"
# its owner may set the larval timeout: none expires during the test
$K config larval-timeout 3600
refused() { grep -c "$1"; }
echo "larval-refused $(for i in $(seq 25); do
	echo "sa getspi dst 192.0.2.1 proto esp"; done | $K -force -batch - 2>&1 | refused max-larval)"
echo "sa-refused $(for i in $(seq 40); do
	echo "sa add dst 192.0.2.2 proto esp spi $((0x1000 + i)) dir out aead aes-gcm-16 $KEY"
	done | $K -force -batch - 2>&1 | refused max-sas)"
echo "policy-refused $(for i in $(seq 12); do
	echo "policy add dir out action bypass sel src 10.0.$i.0/24 dst 0.0.0.0/0"
	done | $K -force -batch - 2>&1 | refused max-policies)"
echo "raise $($K config max-sas 100000 2>&1 | head -1)"
echo "config $($K config)"
