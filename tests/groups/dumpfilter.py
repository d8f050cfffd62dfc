#!/usr/bin/env python3
"""Send GET as a dump with a filter ksad does not take (an SPI) and print
how the refusal came back: the type of the first answer, its error and
whether the extack text is there.  Group smoke expects NLMSG_ERROR,
-EINVAL and the text (the filter is checked when the dump starts), and on
6.1, whose dump start has no extack, NLMSG_DONE with them.
Usage: dumpfilter.py UAPI-HEADER"""
import re
import socket
import struct
import sys

HDR = open(sys.argv[1]).read()


def enum_of(first):
    """Name -> value of the enum whose first member is FIRST."""
    body = HDR[HDR.index(first):]
    body = body[:body.index("};")]
    names = re.findall(r"^\s*(KSAD_\w+)", body, re.M)
    return {n: i for i, n in enumerate(names)}


CMD_GET = enum_of("KSAD_CMD_UNSPEC")["KSAD_CMD_GET"]
SA_SPI = enum_of("KSAD_SA_UNSPEC")["KSAD_SA_SPI"]
NLMSG_ERROR, NLMSG_DONE, GENL_ID_CTRL = 2, 3, 0x10
NLM_F_REQUEST, NLM_F_DUMP = 1, 0x300
NETLINK_GENERIC = 16  # not in every Python's socket module
SOL_NETLINK, NETLINK_EXT_ACK = 270, 11

s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)


def attr(t, v):
    return struct.pack("=HH", 4 + len(v), t) + v + b"\0" * (-len(v) % 4)


def request(typ, flags, cmd, attrs):
    body = struct.pack("=BBH", cmd, 1, 0) + attrs
    s.send(struct.pack("=IHHII", 16 + len(body), typ, flags, 1, 0) + body)
    return s.recv(65536)


# the family's id: CTRL_CMD_GETFAMILY (3) by CTRL_ATTR_FAMILY_NAME (2)
r = request(GENL_ID_CTRL, NLM_F_REQUEST, 3, attr(2, b"ksad\0"))
fam, off = None, 20
while off + 4 <= len(r):
    ln, t = struct.unpack_from("=HH", r, off)
    if t == 1:  # CTRL_ATTR_FAMILY_ID
        fam = struct.unpack_from("=H", r, off + 4)[0]
    off += max((ln + 3) & ~3, 4)
if fam is None:
    sys.exit("no generic-netlink family ksad")

r = request(fam, NLM_F_REQUEST | NLM_F_DUMP, CMD_GET,
            attr(SA_SPI, struct.pack("=I", 0x2000)))
typ = struct.unpack_from("=H", r, 4)[0]
err = struct.unpack_from("=i", r, 16)[0] if len(r) >= 20 else None
print("type", {NLMSG_ERROR: "NLMSG_ERROR", NLMSG_DONE: "NLMSG_DONE"}.get(typ, typ),
      "error", err,
      "extack" if b"not valid for this operation" in r else "no-extack")
