// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for capture/tls: the record layer, the hellos and the decryption of a TLS
// connection (tls::Connection), and the key log parser (tls::KeyLog). Input (see make-seeds.py):
//   byte 0 bit 0 set: the rest is key log text.
//   otherwise: byte 1 (bit 0: 48-byte traffic secrets, else 32), the 48-byte master secret, the four
//   TLS 1.3 traffic secrets, then segments: side (bit 0: server), 16-bit length, bytes — each
//   direction's TCP bytes as they arrive.
// Checked: nothing crashes or reads out of bounds (ASan, UBSan, Qt's asserts); decryption never
// yields more bytes than were fed; what a direction keeps waiting is less than one record; the
// key log keeps only well-formed entries. FUZZ_TLS_REPORT=1 prints what a run decrypted (to check
// that the seeds do decrypt).
#include "capture/tls/keylog.h"
#include "capture/tls/tlsdecoder.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace ladder::trace::tls;

namespace {

void check(bool ok, const char* what)
{
    if (!ok) {
        std::fprintf(stderr, "fuzz_tls: %s\n", what);
        std::abort();
    }
}

QByteArray take(const std::uint8_t*& d, size_t& n, size_t want)
{
    const size_t k = std::min(n, want);
    QByteArray b(reinterpret_cast<const char*>(d), qsizetype(k));
    d += k;
    n -= k;
    return b;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* d, size_t n)
{
    if (n < 2)
        return 0;
    if (d[0] & 1) {
        KeyLog log;
        log.parse(QByteArrayView(reinterpret_cast<const char*>(d + 1), qsizetype(n - 1)));
        check(log.size() <= qsizetype(n / 64) + 1, "more key log entries than lines could hold");
        return 0;
    }
    const size_t secretLen = (d[1] & 1) ? 48 : 32;
    d += 2;
    n -= 2;
    KeyLog::Secrets s;
    s.master = take(d, n, 48);
    s.clientHandshake = take(d, n, secretLen);
    s.serverHandshake = take(d, n, secretLen);
    s.clientTraffic0 = take(d, n, secretLen);
    s.serverTraffic0 = take(d, n, secretLen);
    Connection c(nullptr);
    c.setSecrets(s);
    QByteArray in[2], plain[2];
    qsizetype fed = 0;
    while (n >= 3) {
        const int side = d[0] & 1;
        const size_t len = size_t(d[1]) << 8 | d[2];
        d += 3;
        n -= 3;
        const QByteArray seg = take(d, n, len);
        fed += seg.size();
        in[side] += seg;
        c.feed(Connection::Side(side), &in[side], &plain[side]);
        c.takeProblems();
        check(in[side].size() < 5 + Connection::kMaxRecord, "a whole record left unread");
        check(plain[0].size() + plain[1].size() <= fed, "more plaintext than bytes fed");
    }
    if (std::getenv("FUZZ_TLS_REPORT"))
        std::fprintf(stderr, "fuzz_tls: version %04x suite %04x keys %d, %llu record(s) decrypted, %llu tag failure(s), "
                             "plaintext %lld + %lld bytes:\n%s%s\n",
            c.version(), c.cipherSuite(), int(c.keys()), static_cast<unsigned long long>(c.recordsDecrypted()),
            static_cast<unsigned long long>(c.tagFailures()), static_cast<long long>(plain[0].size()),
            static_cast<long long>(plain[1].size()), plain[0].constData(), plain[1].constData());
    return 0;
}
