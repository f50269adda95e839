// SPDX-License-Identifier: GPL-3.0-or-later
#include "ids.h"

#include <QMutex>
#include <QRandomGenerator>

namespace ladder::sip {

QByteArray IdGenerator::withRandom(QByteArrayView prefix, int length, qsizetype extra)
{
    // Lower-case letters and digits only: valid in tokens, Call-IDs and branch values, and
    // immune to case-folding proxies.
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    QByteArray id;
    id.reserve(prefix.size() + length + extra);
    id.append(prefix);
    id.resize(prefix.size() + length);
    char* out = id.data() + prefix.size();
    quint64 bits = 0;
    int left = 0;
    for (int i = 0; i < length; ++i) {
        if (left < 6) {
            bits = m_rng();
            left = 64;
        }
        out[i] = alphabet[(bits & 63) % 36];
        bits >>= 6;
        left -= 6;
    }
    return id;
}

namespace {
    IdGenerator& global(QMutex** lock)
    {
        static QMutex mutex;
        static IdGenerator gen(QRandomGenerator::system()->generate64());
        *lock = &mutex;
        return gen;
    }
}

void IdGenerator::reseed(quint64 seed) { m_rng.seed(seed); }

void seedIds(quint64 seed)
{
    QMutex* m;
    IdGenerator& g = global(&m);
    QMutexLocker l(m);
    g.reseed(seed);
}

quint64 nextIdSeed()
{
    QMutex* m;
    IdGenerator& g = global(&m);
    QMutexLocker l(m);
    return g.next64();
}

QByteArray newBranch()
{
    QMutex* m;
    IdGenerator& g = global(&m);
    QMutexLocker l(m);
    return g.branch();
}

QByteArray newTag()
{
    QMutex* m;
    IdGenerator& g = global(&m);
    QMutexLocker l(m);
    return g.tag();
}

QByteArray newCallId(const QByteArray& host)
{
    QMutex* m;
    IdGenerator& g = global(&m);
    QMutexLocker l(m);
    return g.callId(host);
}

} // namespace ladder::sip
