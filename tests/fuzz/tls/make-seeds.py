#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Seeds for fuzz_tls: real TLS 1.3 and TLS 1.2 (AES-GCM, ChaCha20-Poly1305) connections made in
# memory with Python's ssl module (memory BIOs, a throwaway self-signed certificate), carrying SIP,
# written in fuzz_tls's input format with the secrets from the connection's key log, so that the
# fuzzer starts from records that decrypt. Usage: make-seeds.py OUTDIR
import os
import ssl
import subprocess
import sys
import tempfile

SIP = (b"OPTIONS sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1;branch=z9hG4bK-1\r\n"
       b"CSeq: 1 OPTIONS\r\nCall-ID: seed\r\nContent-Length: 0\r\n\r\n")
OK = b"SIP/2.0 200 OK\r\nVia: SIP/2.0/TLS 127.0.0.1;branch=z9hG4bK-1\r\nCSeq: 1 OPTIONS\r\nCall-ID: seed\r\nContent-Length: 0\r\n\r\n"


def connection(tmp, cert, key, version, ciphers):
    log = os.path.join(tmp, "keys-%s" % os.urandom(4).hex())
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.load_cert_chain(cert, key)
    cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    cctx.check_hostname = False
    cctx.verify_mode = ssl.CERT_NONE
    cctx.keylog_filename = log
    for ctx in (sctx, cctx):
        ctx.minimum_version = ctx.maximum_version = version
        if ciphers:
            ctx.set_ciphers(ciphers)
    c_in, c_out, s_in, s_out = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
    client = cctx.wrap_bio(c_in, c_out, server_side=False)
    server = sctx.wrap_bio(s_in, s_out, server_side=True)
    segments = []  # (side, bytes) in the order they were sent

    def pump():
        moved = False
        data = c_out.read()
        if data:
            segments.append((0, data))
            s_in.write(data)
            moved = True
        data = s_out.read()
        if data:
            segments.append((1, data))
            c_in.write(data)
            moved = True
        return moved

    for _ in range(20):
        for end in (client, server):
            try:
                end.do_handshake()
            except ssl.SSLWantReadError:
                pass
        if not pump() and client.version() and server.version():
            break
    client.write(SIP + SIP.replace(b"OPTIONS", b"MESSAGE"))
    pump()
    server.read(65536)
    server.write(OK)
    pump()
    client.read(65536)
    pump()
    secrets = {}
    with open(log) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3:
                secrets[parts[0]] = bytes.fromhex(parts[2])
    return segments, secrets


def encode(segments, secrets):
    traffic = [secrets.get(n, b"") for n in ("CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
                                             "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0")]
    size = len(traffic[0]) or 32
    out = bytearray([0, 1 if size == 48 else 0])
    out += secrets.get("CLIENT_RANDOM", bytes(48)).ljust(48, b"\0")
    for t in traffic:
        out += t.ljust(size, b"\0")
    for side, data in segments:
        for i in range(0, len(data), 0xffff):
            chunk = data[i:i + 0xffff]
            out += bytes([side, len(chunk) >> 8, len(chunk) & 0xff]) + chunk
    return bytes(out)


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        cert, key = os.path.join(tmp, "c.pem"), os.path.join(tmp, "k.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                        "-subj", "/CN=localhost", "-days", "1", "-keyout", key, "-out", cert], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cases = {
            "tls13": (ssl.TLSVersion.TLSv1_3, None),
            "tls12-aes128gcm": (ssl.TLSVersion.TLSv1_2, "ECDHE-ECDSA-AES128-GCM-SHA256"),
            "tls12-aes256gcm": (ssl.TLSVersion.TLSv1_2, "ECDHE-ECDSA-AES256-GCM-SHA384"),
            "tls12-chacha20": (ssl.TLSVersion.TLSv1_2, "ECDHE-ECDSA-CHACHA20-POLY1305"),
        }
        for name, (version, ciphers) in cases.items():
            segments, secrets = connection(tmp, cert, key, version, ciphers)
            with open(os.path.join(outdir, name), "wb") as f:
                f.write(encode(segments, secrets))
        with open(os.path.join(outdir, "keylog"), "wb") as f:
            f.write(b"\x01# a key log\nCLIENT_RANDOM " + b"ab" * 32 + b" " + b"cd" * 48 + b"\n"
                    + b"SERVER_TRAFFIC_SECRET_0 " + b"01" * 32 + b" " + b"02" * 32 + b"\r\nbad line\n")


main()
