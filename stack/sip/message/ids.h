// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>

#include <random>

namespace ladder::sip {

// Branch ids, tags and Call-IDs (RFC 3261 §8.1.1.7, §19.3). A seeded generator makes lab runs
// reproducible. Each SipStack owns one (SipStack::ids()), seeded at construction from the
// process-wide generator; the free functions below use the process-wide one directly (code that
// has no stack: the builder, the composer). The process-wide generator starts from a system seed;
// seedIds() makes it, and so every SipStack created after it, deterministic.
class IdGenerator {
public:
    explicit IdGenerator(quint64 seed)
        : m_rng(seed)
    {
    }
    // "z9hG4bK" + 16 characters: unique per transaction with overwhelming probability.
    QByteArray branch() { return withRandom("z9hG4bK", 16, 0); }
    // 10 characters, ≥ 32 bits of randomness as §19.3 asks.
    QByteArray tag() { return random(10); }
    // 20 random characters, "@host" appended when host is given.
    QByteArray callId(const QByteArray& host = {})
    {
        QByteArray id = withRandom({}, 20, host.isEmpty() ? 0 : host.size() + 1);
        if (!host.isEmpty()) {
            id += '@';
            id += host;
        }
        return id;
    }
    QByteArray random(int length) { return withRandom({}, length, 0); }
    void reseed(quint64 seed);
    quint64 next64() { return m_rng(); }

private:
    // prefix + `length` random characters, with room reserved for `extra` more bytes: one
    // allocation per id.
    QByteArray withRandom(QByteArrayView prefix, int length, qsizetype extra);

    std::mt19937_64 m_rng;
};

QByteArray newBranch();
QByteArray newTag();
QByteArray newCallId(const QByteArray& host = {});

// Reseeds the process-wide generator (the lab runner does this with the scenario seed before a
// scenario creates its stacks). Thread-safe, like the free functions.
void seedIds(quint64 seed);
// A seed for a new per-stack generator, drawn from the process-wide one.
quint64 nextIdSeed();

} // namespace ladder::sip
