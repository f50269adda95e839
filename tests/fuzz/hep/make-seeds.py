#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Writes the seed corpus of fuzz_hep: HEPv3 packets (UDP/TCP/SCTP SIP, IPv4/IPv6, agent id and
# name, correlation id, auth key, a vendor chunk), a stream of two HEPv3 frames, HEPv2 and HEPv1.
import os
import struct

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
os.makedirs(here, exist_ok=True)

SIP = (b"INVITE sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK1\r\n"
       b"From: <sip:alice@127.0.0.1>;tag=a\r\nTo: <sip:bob@127.0.0.1>\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\n"
       b"Content-Length: 0\r\n\r\n")


def chunk(t, v, vendor=0):
    return struct.pack("!HHH", vendor, t, 6 + len(v)) + v


def hep3(proto, src, dst, payload, extra=b""):
    v6 = len(src) == 16
    body = chunk(1, bytes([10 if v6 else 2])) + chunk(2, bytes([proto]))
    body += chunk(5 if v6 else 3, src) + chunk(6 if v6 else 4, dst)
    body += chunk(7, struct.pack("!H", 5062)) + chunk(8, struct.pack("!H", 5060))
    body += chunk(9, struct.pack("!I", 1700000000)) + chunk(10, struct.pack("!I", 123456))
    body += chunk(11, b"\x01") + chunk(12, struct.pack("!I", 2001)) + extra + chunk(15, payload)
    return b"HEP3" + struct.pack("!H", 6 + len(body)) + body


lo4 = bytes([127, 0, 0, 1])
lo6 = bytes(15) + b"\x01"
seeds = {
    "v3-udp.hep": hep3(17, lo4, lo4, SIP),
    "v3-tcp.hep": hep3(6, lo4, lo4, SIP),
    "v3-sctp.hep": hep3(132, lo4, lo4, SIP),
    "v3-udp6-extras.hep": hep3(17, lo6, lo6, SIP, chunk(0x11, b"c1") + chunk(0x13, b"node1") + chunk(0x0e, b"secret")
                               + chunk(0x12, b"\x00\x07") + chunk(0x0d, b"\x00\x1e") + chunk(1, b"xyz", vendor=2)
                               + chunk(0x14, bytes(8))),
    "v3-stream.hep": hep3(6, lo4, lo4, SIP) + hep3(6, lo4, lo4, SIP.replace(b"INVITE sip", b"BYE sip")),
    "v2-udp.hep": struct.pack("!BBBBHH", 2, 16, 2, 17, 5062, 5060) + lo4 + lo4
                  + struct.pack("<IIHxx", 1700000000, 123456, 2001) + SIP,
    "v1-udp.hep": struct.pack("!BBBBHH", 1, 16, 2, 17, 5062, 5060) + lo4 + lo4 + SIP,
}
for name, data in seeds.items():
    with open(os.path.join(here, name), "wb") as f:
        f.write(data)
