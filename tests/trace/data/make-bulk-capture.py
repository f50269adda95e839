#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Writes a large synthetic pcap (LINKTYPE_RAW IPv4/UDP) of N SIP calls for timing the
# reconstruction: INVITE, 100, 180, 200, ACK, BYE, 200 per call, every 10th INVITE sent twice.
# Not used by the tests (too big to commit). Usage: make-bulk-capture.py N OUT.pcap
# Then: time ladderctl trace stats OUT.pcap >/dev/null   (and with --raw for the reader alone)
import struct
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
out = sys.argv[2] if len(sys.argv) > 2 else "/tmp/bulk.pcap"


def ip_udp(src, dst, payload):
    udp = struct.pack("!HHHH", 5060, 5060, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, bytes(src), bytes(dst))
    return ip + udp


def msg(first, call, via_ip, branch, cseq, method, to_tag=""):
    to = "<sip:bob@example.net>" + (";tag=" + to_tag if to_tag else "")
    return ("%s\r\nVia: SIP/2.0/UDP %s:5060;branch=%s\r\nFrom: <sip:alice@example.com>;tag=a%d\r\nTo: %s\r\n"
            "Call-ID: call%d@example.com\r\nCSeq: %d %s\r\nContact: <sip:x@%s>\r\nContent-Length: 0\r\n\r\n"
            % (first, via_ip, branch, call, to, call, cseq, method, via_ip)).encode()


with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101))
    t = 0
    for c in range(n):
        a = [10, (c >> 16) & 255, (c >> 8) & 255, 1 + (c & 127)]
        b = [10, 200, (c >> 8) & 255, 1 + (c & 127)]
        ai = ".".join(map(str, a))
        br, br2 = "z9hG4bK%di" % c, "z9hG4bK%db" % c
        uri = "sip:bob@example.net"
        seq = [(a, b, msg("INVITE %s SIP/2.0" % uri, c, ai, br, 1, "INVITE"))]
        if c % 10 == 0:
            seq.append((a, b, seq[0][2]))
        seq += [(b, a, msg("SIP/2.0 100 Trying", c, ai, br, 1, "INVITE")),
                (b, a, msg("SIP/2.0 180 Ringing", c, ai, br, 1, "INVITE", "b%d" % c)),
                (b, a, msg("SIP/2.0 200 OK", c, ai, br, 1, "INVITE", "b%d" % c)),
                (a, b, msg("ACK %s SIP/2.0" % uri, c, ai, "z9hG4bK%da" % c, 1, "ACK", "b%d" % c)),
                (a, b, msg("BYE %s SIP/2.0" % uri, c, ai, br2, 2, "BYE", "b%d" % c)),
                (b, a, msg("SIP/2.0 200 OK", c, ai, br2, 2, "BYE", "b%d" % c))]
        for src, dst, payload in seq:
            pkt = ip_udp(src, dst, payload)
            t += 1000  # 1 ms apart
            f.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(pkt), len(pkt)) + pkt)
print("wrote", out)
