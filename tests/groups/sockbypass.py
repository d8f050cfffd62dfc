#!/usr/bin/env python3
"""Socket bypass, run in namespace a (datapath group): two UDP sockets send
to the same peer port; only the one exempted by its cookie gets its datagram
through and the echo back, while a policy protects everything between the
two hosts and no SA exists.  Prints one "NAME yes|no" line per probe.

usage: sockbypass.py KSADCTL LOCAL PEER    (the peer echoes on UDP 500)
"""
import socket
import struct
import subprocess
import sys

SO_COOKIE = 57
K, LOCAL, PEER = sys.argv[1:4]
FAM = socket.AF_INET6 if ":" in LOCAL else socket.AF_INET


def cookie(s):
    return struct.unpack("=Q", s.getsockopt(socket.SOL_SOCKET, SO_COOKIE, 8))[0]


def echoed(s, word):
    try:
        s.sendto(word, (PEER, 500))
    except PermissionError:     # dropped on the way out (the policy)
        return "no"
    try:
        while True:
            data, _ = s.recvfrom(100)
            if data == word:
                return "yes"
    except socket.timeout:
        return "no"


def ksadctl(*args):
    return subprocess.run([K, *args], capture_output=True, text=True).returncode


ike = socket.socket(FAM, socket.SOCK_DGRAM)
ike.bind((LOCAL, 500))
other = socket.socket(FAM, socket.SOCK_DGRAM)
other.bind((LOCAL, 0))
for s in (ike, other):
    s.settimeout(1.0)

print("before", echoed(ike, b"ike-0"))
print("bypass-rc", ksadctl("socket", "bypass", str(cookie(ike))))
print("again-rc", ksadctl("socket", "bypass", str(cookie(ike))))
print("exempt", echoed(ike, b"ike-1"))
print("other", echoed(other, b"other-1"))
print("unbypass-rc", ksadctl("socket", "unbypass", str(cookie(ike))))
print("after", echoed(ike, b"ike-2"))
print("unbypass-again-rc", ksadctl("socket", "unbypass", str(cookie(ike))))
