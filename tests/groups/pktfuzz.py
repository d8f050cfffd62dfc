#!/usr/bin/env python3
"""Random and mutated ESP, ESP-in-UDP and AH packets against live ksad SAs.

Run in the sending namespace; the SAs (see packet-fuzz.sh) take packets
from 10.0.0.2 / fd00::2 to 10.0.0.1 / fd00::1.  For the NULL + HMAC ESP SAs
and the AH SAs the ICV is computed here, so a mutation made *before* the ICV
passes the integrity check and reaches what runs after it (padding, next
header, decapsulation, the inner packet, selectors and policies); mutations
made *after* it, random bytes and unknown SPIs test everything before it.
Two SAs take ESP in UDP (RFC 3948, port 4500): their packets come in UDP
with a zero, right or wrong checksum and sometimes a wrong length, now and
then bare; other SAs' packets now and then come in UDP; NAT keepalives and
IKE (non-ESP marker) packets come to the port too.

    pktfuzz.py N SEED KEY-HEX  ->  prints "sent N" and a count per kind
"""
import hashlib
import hmac
import random
import errno
import socket
import struct
import sys
import time
from collections import Counter

N, SEED, KEY = int(sys.argv[1]), int(sys.argv[2]), bytes.fromhex(sys.argv[3][2:])
rnd = random.Random(SEED)
A4, B4 = socket.inet_pton(socket.AF_INET, "10.0.0.1"), socket.inet_pton(socket.AF_INET, "10.0.0.2")
A6, B6 = socket.inet_pton(socket.AF_INET6, "fd00::1"), socket.inet_pton(socket.AF_INET6, "fd00::2")

# SPI: (family, protocol, mode, esn, crafted); see packet-fuzz.sh
SAS = {
    0x3001: (4, "esp", "transport", False, True),
    0x3002: (4, "esp", "tunnel", False, True),
    0x3003: (4, "ah", "transport", False, True),
    0x3004: (4, "ah", "tunnel", False, True),
    0x3005: (4, "esp", "transport", False, False),  # AES-GCM: ICV not computed here
    0x3006: (4, "esp", "transport", True, True),
    0x3007: (6, "esp", "transport", False, True),
    0x3008: (6, "ah", "transport", False, True),
    0x3009: (6, "ah", "tunnel", False, True),
    0x300A: (6, "esp", "tunnel", False, True),
    0x300B: (4, "esp", "transport", False, True),   # ESP in UDP
    0x300C: (6, "esp", "tunnel", False, True),      # ESP in UDP
}
ENCAP = {0x300B, 0x300C}

esp4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, 50)
esp6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, 50)
raw4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
raw6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
udp4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
udp6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_UDP)
seqs = Counter()


def mac(data):
    return hmac.new(KEY, data, hashlib.sha256).digest()[:16]


def rbytes(n):
    return rnd.randbytes(n)


def inner(fam, mode):
    """An upper-layer payload (transport) or an inner IP packet (tunnel)."""
    if mode == "transport" or rnd.random() < 0.1:
        proto = rnd.choice([17, 17, 6, 1, 58, 59, rnd.randrange(256)])
        if proto == 17:
            body = rbytes(rnd.randrange(20))
            return proto, struct.pack("!HHHH", rnd.choice([9, 7, rnd.randrange(65536)]),
                                      rnd.choice([9, 7]), 8 + len(body), 0) + body
        return proto, rbytes(rnd.randrange(64))
    ifam = fam if rnd.random() < 0.7 else 10 - fam
    l4 = struct.pack("!HHHH", 1234, 9, 12, 0) + rbytes(4)
    if ifam == 4:
        src = bytes([10, 2, 0, rnd.randrange(256)]) if rnd.random() < 0.8 else rbytes(4)
        dst = bytes([10, 1, 0, 1]) if rnd.random() < 0.8 else rbytes(4)
        ihl = 5 if rnd.random() < 0.9 else rnd.randrange(16)
        tot = 20 + len(l4) if rnd.random() < 0.8 else rnd.randrange(65536)
        ver = 4 if rnd.random() < 0.9 else rnd.randrange(16)
        h = struct.pack("!BBHHHBBH4s4s", ver << 4 | ihl, 0, tot, 1, 0, 64, 17, 0, src, dst)
        return 4, (h + l4)[:rnd.randrange(60)] if rnd.random() < 0.1 else h + l4
    src = bytes.fromhex("fd02" + "00" * 13) + bytes([rnd.randrange(256)])
    dst = bytes.fromhex("fd01" + "00" * 13) + b"\x01"
    plen = len(l4) if rnd.random() < 0.8 else rnd.randrange(65536)
    h = struct.pack("!IHBB16s16s", 6 << 28, plen, 17, 64, src, dst)
    return 41, (h + l4)[:rnd.randrange(60)] if rnd.random() < 0.1 else h + l4


def next_seq(spi, esn):
    """A 64-bit sequence number as a sender would use it, or a bad one.

    Mostly the next number, sometimes a jump ahead (the window moves on),
    an old or replayed one, or zero; the ESN SA is taken across 2^32.
    """
    cur, r = seqs[spi], rnd.random()
    if r < 0.7:
        seqs[spi] = cur + 1
    elif r < 0.8:
        return max(1, cur - rnd.randrange(300))
    elif r < 0.95:
        seqs[spi] = cur + rnd.randrange(2, 1 << 16)
    elif r < 0.97:
        return 0
    elif esn and cur < 0xFFFFFF00:
        seqs[spi] = 0xFFFFFF00              # to the edge of 2^32
    else:
        seqs[spi] = cur + 1
    if not esn and seqs[spi] > 0xFFFFFFFF:
        seqs[spi] = cur = 1                 # this SA is used up: start over
    return seqs[spi]


def esp_packet(spi, fam, mode, esn, crafted):
    seq = next_seq(spi, esn)
    if not crafted:
        return struct.pack("!II", spi, seq & 0xFFFFFFFF) + rbytes(rnd.randrange(8, 200))
    nh, payload = inner(fam, mode)
    if mode == "tunnel" and rnd.random() < 0.8:
        nh = 4 if payload[:1] and payload[0] >> 4 == 4 else 41
    padlen = (-(len(payload) + 2)) % 4
    if rnd.random() < 0.2:
        padlen += 4 * rnd.randrange(64)
    pad = bytes(range(1, padlen + 1)) if padlen < 256 else bytes(padlen)
    pl_field = len(pad)
    if rnd.random() < 0.1:                      # lie about the pad length
        pl_field = rnd.randrange(256)
    if rnd.random() < 0.05 and pad:             # wrong padding byte
        pad = pad[:-1] + bytes([rnd.randrange(256)])
    if rnd.random() < 0.05:
        nh = rnd.randrange(256)
    body = struct.pack("!II", spi, seq & 0xFFFFFFFF) + payload + pad + bytes([pl_field & 0xFF, nh])
    if rnd.random() < 0.05:                     # not a multiple of 4
        body = body[:-rnd.randrange(1, 4)]
    icv = mac(body + (struct.pack("!I", seq >> 32) if esn else b""))
    return body + icv


def ah_packet(spi, fam, mode, esn):
    seq = next_seq(spi, esn)
    nh, payload = inner(fam, mode)
    if mode == "tunnel" and rnd.random() < 0.8:
        nh = 4 if payload[:1] and payload[0] >> 4 == 4 else 41
    ahlen = 32 if fam == 6 or rnd.random() < 0.5 else 28
    hdrlen = ahlen // 4 - 2
    if rnd.random() < 0.05:
        hdrlen = rnd.randrange(256)
    ah = struct.pack("!BBHII", nh, hdrlen, 0, spi, seq & 0xFFFFFFFF)
    pad = bytes(ahlen - 12 - 16)
    ttl, tos, ident = rnd.randrange(1, 256), rnd.randrange(256), rnd.randrange(1, 65536)
    if fam == 4:
        tot = 20 + ahlen + len(payload)
        hdr0 = struct.pack("!BBHHHBBH4s4s", 0x45, 0, tot, ident, 0, 0, 51, 0, B4, A4)
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, tos, tot, ident, 0, ttl, 51, 0, B4, A4)
    else:
        plen = ahlen + len(payload)
        hdr0 = struct.pack("!IHBB16s16s", 6 << 28, plen, 51, 0, B6, A6)
        hdr = struct.pack("!IHBB16s16s", 6 << 28 | rnd.randrange(1 << 28), plen, 51, ttl, B6, A6)
    icv = mac(hdr0 + ah + bytes(16) + pad + payload + (struct.pack("!I", seq >> 32) if esn else b""))
    return hdr + ah + icv + pad + payload


def csum16(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def udp_wrap(fam, payload):
    """@payload in a UDP header to port 4500, not always a correct one."""
    length = 8 + len(payload)
    check = 0
    if fam == 6 or rnd.random() < 0.3:
        pseudo = (B4 + A4 + struct.pack("!BBH", 0, 17, length) if fam == 4 else
                  B6 + A6 + struct.pack("!I3xB", length, 17))
        check = csum16(pseudo + struct.pack("!HHHH", 4500, 4500, length, 0) + payload) or 0xFFFF
    if rnd.random() < 0.04:
        check ^= 1 << rnd.randrange(16)         # wrong checksum
    if rnd.random() < 0.03:
        length = rnd.randrange(65536)           # wrong length
    return struct.pack("!HHHH", 4500, 4500, length, check) + payload


def send(sock, pkt, addr):
    """sendto(), again while the receiver's backlog is full (ENOBUFS: veth
    dropped it), so that each packet arrives once however loaded the lab is."""
    for _ in range(1000):
        try:
            return sock.sendto(pkt, addr)
        except OSError as e:
            if e.errno != errno.ENOBUFS:
                raise
            time.sleep(0.002)
    raise OSError(errno.ENOBUFS, "receiver's backlog stayed full")


def send_udp(fam, payload):
    try:
        if fam == 4:
            send(udp4, udp_wrap(4, payload), ("10.0.0.1", 0))
        else:
            send(udp6, udp_wrap(6, payload), ("fd00::1", 0))
    except OSError:
        kinds["send-refused"] += 1


def mutate(p, skip):
    """Damage a packet somewhere after its first @skip bytes."""
    p = bytearray(p)
    for _ in range(rnd.randrange(1, 4)):
        r = rnd.random()
        if r < 0.5 and len(p) > skip:
            i = rnd.randrange(skip, len(p))
            p[i] ^= 1 << rnd.randrange(8)
        elif r < 0.75:
            p = p[:rnd.randrange(skip, len(p) + 1)]
        else:
            p += rbytes(rnd.randrange(1, 32))
    return bytes(p)


kinds = Counter()
for i in range(N):
    r = rnd.random()
    if r < 0.05:
        spi = rnd.choice([0x9999, rnd.randrange(1 << 32)])
        fam, proto = rnd.choice([4, 6]), "esp"
        kinds["unknown-spi"] += 1
        pkt = struct.pack("!II", spi, 1) + rbytes(rnd.randrange(40))
        send((esp4 if fam == 4 else esp6), pkt, ("10.0.0.1" if fam == 4 else "fd00::1", 0))
        continue
    if r < 0.055:
        fam = rnd.choice([4, 6])
        if rnd.random() < 0.95:
            kinds["nat-keepalive"] += 1
            send_udp(fam, b"\xff")
        else:                                   # IKE: left to a socket
            kinds["ike"] += 1
            send_udp(fam, bytes(4) + rbytes(rnd.randrange(40)))
        continue
    spi = rnd.choice(list(SAS))
    fam, proto, mode, esn, crafted = SAS[spi]
    if proto == "ah":
        pkt = ah_packet(spi, fam, mode, esn)
        hl = 20 if fam == 4 else 40
        if rnd.random() < 0.3:
            pkt = mutate(pkt, hl + 8)
            if fam == 6:    # else the stack drops it before ksad sees it
                pkt = pkt[:4] + struct.pack("!H", len(pkt) - 40) + pkt[6:]
            kinds["ah-mutated"] += 1
        else:
            kinds["ah-crafted"] += 1
        try:
            if fam == 4:
                send(raw4, pkt, ("10.0.0.1", 0))
            else:
                send(raw6, pkt, ("fd00::1", 0))
        except OSError:
            kinds["send-refused"] += 1
        continue
    pkt = esp_packet(spi, fam, mode, esn, crafted)
    if rnd.random() < 0.3:
        pkt = mutate(pkt, 8)
        kinds["esp-mutated"] += 1
    else:
        kinds["esp-crafted" if crafted else "esp-random"] += 1
    if (spi in ENCAP) != (rnd.random() < 0.05):
        kinds["esp-in-udp"] += 1
        send_udp(fam, pkt)
        continue
    try:
        send((esp4 if fam == 4 else esp6), pkt, ("10.0.0.1" if fam == 4 else "fd00::1", 0))
    except OSError:
        kinds["send-refused"] += 1

print("sent", N)
for k, v in sorted(kinds.items()):
    print(k, v)
