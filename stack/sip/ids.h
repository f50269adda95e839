// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>

#include <random>

namespace ladder::sip {

// Branch ids, tags and Call-IDs (RFC 3261 §8.1.1.7, §19.3). A seeded generator makes lab runs
// reproducible; the free functions use a process-wide one seeded from the system.
class IdGenerator {
public:
    explicit IdGenerator(quint64 seed)
        : m_rng(seed)
    {
    }
    // "z9hG4bK" + 16 characters: unique per transaction with overwhelming probability.
    QByteArray branch() { return "z9hG4bK" + random(16); }
    // 10 characters, ≥ 32 bits of randomness as §19.3 asks.
    QByteArray tag() { return random(10); }
    // 20 random characters, "@host" appended when host is given.
    QByteArray callId(const QByteArray& host = {})
    {
        QByteArray id = random(20);
        if (!host.isEmpty())
            id += '@' + host;
        return id;
    }
    QByteArray random(int length);

private:
    std::mt19937_64 m_rng;
};

QByteArray newBranch();
QByteArray newTag();
QByteArray newCallId(const QByteArray& host = {});

} // namespace ladder::sip
