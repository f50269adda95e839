#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Regenerates sctp-text2pcap.pcapng: one native SCTP association (IPv4, protocol 132) between
# 192.0.2.1:40000 (the initiator, "O") and 192.0.2.2:5000 ("I"), written as a hex dump whose
# bytes are spelled out below and turned into a capture by text2pcap (Wireshark), which adds the
# IPv4 headers, timestamps and direction flags (pcapng). The SCTP CRC32c is computed here.
# (text2pcap -D swaps -4 source and destination for outbound packets, hence the order below.)
#   INIT (OS 3, MIS 10, PR) / INIT-ACK (OS 4, MIS 3, PR) / COOKIE-ECHO / COOKIE-ACK,
#   DATA on streams 0 and 1 (bundled), SACK, unordered DATA on stream 2, its retransmission,
#   SACK, DATA on stream 0 given up: FORWARD-TSN (stream 0, SSN 1), SACK, DATA from the peer on
#   stream 1, SACK, SHUTDOWN, SHUTDOWN-ACK, SHUTDOWN-COMPLETE.
# Usage: make-sctp-capture.py [OUT.pcapng]
import os
import struct
import subprocess
import sys
import tempfile


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def pad(b):
    return b + b"\0" * (-len(b) % 4)


def chunk(ctype, flags, value):
    return pad(struct.pack("!BBH", ctype, flags, 4 + len(value)) + value)


def param(ptype, value):
    return pad(struct.pack("!HH", ptype, 4 + len(value)) + value)


def packet(sport, dport, vtag, chunks):
    body = b"".join(chunks)
    head = struct.pack("!HHII", sport, dport, vtag, 0)
    crc = crc32c(head + body)
    return struct.pack("!HHI", sport, dport, vtag) + struct.pack("<I", crc) + body


def data(tsn, sid, ssn, payload, unordered=False):
    flags = 0x03 | (0x04 if unordered else 0)
    return chunk(0, flags, struct.pack("!IHHI", tsn, sid, ssn, 0) + payload)


def sack(cum, rwnd=131072):
    return chunk(3, 0, struct.pack("!IIHH", cum, rwnd, 0, 0))


TAG_C, TAG_S = 0x0A0A0A0A, 0x0B0B0B0B
C, S = 40000, 5000
pr = param(0xC000, b"") + param(0x8008, bytes([192]))
cookie = b"COOKIE42"
out_ = lambda chunks: ("O", packet(C, S, TAG_S, chunks))
in_ = lambda chunks: ("I", packet(S, C, TAG_C, chunks))
packets = [
    (0.000, "O", packet(C, S, 0, [chunk(1, 0, struct.pack("!IIHHI", TAG_C, 106496, 3, 10, 1000) + pr)])),
    (0.010, "I", packet(S, C, TAG_C, [chunk(2, 0, struct.pack("!IIHHI", TAG_S, 131072, 4, 3, 5000) + param(7, cookie) + pr)])),
    (0.011, *out_([chunk(10, 0, cookie)])),
    (0.021, *in_([chunk(11, 0, b"")])),
    (0.030, *out_([data(1000, 0, 0, b"hello-0"), data(1001, 1, 0, b"hello-1")])),
    (0.040, *in_([sack(1001)])),
    (0.050, *out_([data(1002, 2, 0, b"unordered", unordered=True)])),
    (1.050, *out_([data(1002, 2, 0, b"unordered", unordered=True)])),
    (1.060, *in_([sack(1002)])),
    (1.070, *out_([data(1003, 0, 1, b"lost-on-purpose")])),
    (1.200, *out_([chunk(192, 0, struct.pack("!IHH", 1003, 0, 1))])),
    (1.210, *in_([sack(1003)])),
    (1.300, *in_([data(5000, 1, 0, b"reply")])),
    (1.310, *out_([sack(5000)])),
    (1.400, *out_([chunk(7, 0, struct.pack("!I", 5000))])),
    (1.410, *in_([chunk(8, 0, b"")])),
    (1.411, "O", packet(C, S, TAG_S, [chunk(14, 0, b"")])),
]

here = os.path.dirname(os.path.abspath(__file__))
dest = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "sctp-text2pcap.pcapng")
with tempfile.TemporaryDirectory() as tmp:
    dump = os.path.join(tmp, "dump.txt")
    with open(dump, "w") as f:
        for t, d, p in packets:
            f.write("%s 12:00:%06.3f\n" % (d, t))
            for off in range(0, len(p), 16):
                f.write("%06x  %s\n" % (off, " ".join("%02x" % b for b in p[off:off + 16])))
            f.write("\n")
    subprocess.run(["text2pcap", "-q", "-D", "-t", "%H:%M:%S.%f", "-i", "132", "-4", "192.0.2.2,192.0.2.1",
                    dump, dest], check=True)
print("wrote", dest)
