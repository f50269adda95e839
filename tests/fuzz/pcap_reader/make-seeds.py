#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Writes the hand-made seeds of corpus/ that the exporter cannot produce: a classic pcap (Ethernet,
# microseconds) with SIP over IPv6/UDP, a retransmission, and SIP over TCP split across segments with an
# overlapping retransmitted one and keep-alive CRLFs; a pcapng with a bare-SCTP (link type 248) interface
# and a raw-IP one: SIP in SCTP DATA, a repeated TSN, SACK, FORWARD-TSN, comments and direction flags.
# Usage: make-seeds.py [corpus directory]
import os
import struct
import sys

out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")

def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b)//2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff

def ipv4(src, dst, proto, payload):
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20+len(payload), 1, 0, 64, proto, 0, bytes(src), bytes(dst))
    h = h[:10] + struct.pack('!H', csum(h)) + h[12:]
    return h + payload

def ipv6(src, dst, proto, payload):
    return struct.pack('!IHBB16s16s', 6 << 28, len(payload), proto, 64, bytes(src), bytes(dst)) + payload

def udp(sp, dp, payload):
    return struct.pack('!HHHH', sp, dp, 8+len(payload), 0) + payload

def tcp(sp, dp, seq, ack, flags, payload):
    return struct.pack('!HHIIBBHHH', sp, dp, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload

# CRC32c
def crc32c(data):
    crc = 0xffffffff
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return (~crc) & 0xffffffff

def sctp(sp, dp, vtag, chunks):
    p = struct.pack('!HHII', sp, dp, vtag, 0) + chunks
    c = crc32c(p)
    return p[:8] + struct.pack('<I', c) + p[12:]

def chunk(t, flags, body):
    c = struct.pack('!BBH', t, flags, 4+len(body)) + body
    return c + b'\0' * ((-len(c)) % 4)

def data_chunk(tsn, sid, ssn, ppid, payload, flags=3):
    return chunk(0, flags, struct.pack('!IHHI', tsn, sid, ssn, ppid) + payload)

def sip(method, branch, cseq, body=b''):
    return (b'%s sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=%s\r\nFrom: <sip:alice@example.com>;tag=1\r\n'
            b'To: <sip:bob@example.com>\r\nCall-ID: seed@example.com\r\nCSeq: %d %s\r\nMax-Forwards: 70\r\nContent-Length: %d\r\n\r\n'
            % (method, branch, cseq, method, len(body))) + body

A4, B4 = [10,0,0,1], [10,0,0,2]
A6 = [0x20,0x01,0x0d,0xb8] + [0]*11 + [1]
B6 = [0x20,0x01,0x0d,0xb8] + [0]*11 + [2]
eth = lambda et, p: b'\x02'*6 + b'\x04'*6 + struct.pack('!H', et) + p

# 1. classic pcap (microseconds, little-endian), Ethernet: IPv6 SIP over UDP, a retransmission,
#    SIP over TCP split in two segments with a retransmitted (overlapping) segment, keep-alive CRLFs.
inv = sip(b'INVITE', b'z9hG4bKseed1', 1, b'v=0\r\n')
msg2 = sip(b'OPTIONS', b'z9hG4bKseed2', 2)
stream = b'\r\n\r\n' + msg2 + sip(b'MESSAGE', b'z9hG4bKseed3', 3, b'hello')
pkts = [
    eth(0x86DD, ipv6(A6, B6, 17, udp(5060, 5060, inv))),
    eth(0x86DD, ipv6(A6, B6, 17, udp(5060, 5060, inv))),
    eth(0x0800, ipv4(A4, B4, 6, tcp(40000, 5060, 1000, 0, 0x02, b''))),
    eth(0x0800, ipv4(A4, B4, 6, tcp(40000, 5060, 1001, 1, 0x18, stream[:60]))),
    eth(0x0800, ipv4(A4, B4, 6, tcp(40000, 5060, 1031, 1, 0x18, stream[30:90]))),
    eth(0x0800, ipv4(A4, B4, 6, tcp(40000, 5060, 1091, 1, 0x18, stream[90:]))),
]
out = struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)
for i, p in enumerate(pkts):
    out += struct.pack('<IIII', 1700000000 + i, 150000 * i, len(p), len(p)) + p
open(os.path.join(out_dir, 'udp6-tcp4.pcap'), 'wb').write(out)

# 2. pcapng: an interface with link type 248 (bare SCTP) and one with LINKTYPE_RAW; SIP in SCTP
#    DATA (B|E), a repeated TSN, a SACK, a FORWARD-TSN; comments and direction flags.
def block(t, body):
    body += b'\0' * ((-len(body)) % 4)
    n = len(body) + 12
    return struct.pack('<II', t, n) + body + struct.pack('<I', n)
def opt(code, v):
    return struct.pack('<HH', code, len(v)) + v + b'\0' * ((-len(v)) % 4)
shb = block(0x0A0D0D0A, struct.pack('<IHHq', 0x1A2B3C4D, 1, 0, -1) + opt(0, b''))
idb248 = block(1, struct.pack('<HHI', 248, 0, 0) + opt(9, b'\x09') + opt(0, b''))
idb101 = block(1, struct.pack('<HHI', 101, 0, 0) + opt(0, b''))
def epb(iface, tns, p, comment=None, flags=None):
    body = struct.pack('<IIIII', iface, tns >> 32, tns & 0xffffffff, len(p), len(p)) + p + b'\0' * ((-len(p)) % 4)
    if comment is not None: body += opt(1, comment)
    if flags is not None: body += opt(2, struct.pack('<I', flags))
    body += opt(0, b'')
    return block(6, body)
t0 = 1700000000 * 10**9
s1 = sctp(5000, 5001, 7, data_chunk(1, 0, 0, 0, sip(b'OPTIONS', b'z9hG4bKsctp1', 1)))
s2 = sctp(5001, 5000, 8, chunk(3, 0, struct.pack('!IIHH', 1, 65536, 0, 0)))
s3 = sctp(5000, 5001, 7, data_chunk(2, 1, 0, 0, b'part one', flags=2) + chunk(192, 0, struct.pack('!IHH', 5, 1, 3)))
out = shb + idb248 + idb101
out += epb(0, t0, s1, b'first \xe2\x80\x94 sent', 2)
out += epb(0, t0 + 1500, s1, None, 2)      # the same TSN again
out += epb(0, t0 + 3001, s2, b'sack', 1)
out += epb(0, t0 + 4500, s3)
out += epb(1, t0 // 1000 + 6, ipv4(A4, B4, 132, s1), b'native over IPv4', 1)
out += epb(1, t0 // 1000 + 7, ipv4(A4, B4, 17, udp(9899, 9899, s2)))
open(os.path.join(out_dir, 'sctp248.pcapng'), 'wb').write(out)
