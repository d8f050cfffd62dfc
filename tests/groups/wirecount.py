#!/usr/bin/env python3
"""Count IPv4 frames on one interface (AF_PACKET: as they are on the wire,
before any IP processing) until DIR/wire.stop exists, then print
"esp N ipip N clear N": ESP, IPIP, and UDP to port 7000 in the clear.
DIR/wire.ready appears once counting has begun.
Usage: wirecount.py IFNAME DIR"""
import os
import socket
import sys

ifname, d = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
s.bind((ifname, 0))
s.settimeout(0.2)
open(os.path.join(d, "wire.ready"), "w").close()
esp = ipip = clear = 0
while not os.path.exists(os.path.join(d, "wire.stop")):
    try:
        ip = s.recv(65535)[14:]
    except socket.timeout:
        continue
    hl = (ip[0] & 15) * 4
    if ip[9] == 50:
        esp += 1
    elif ip[9] == 4:
        ipip += 1
    elif ip[9] == 17 and ip[hl + 2:hl + 4] == (7000).to_bytes(2, "big"):
        clear += 1
print("esp", esp, "ipip", ipip, "clear", clear)
