// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHash>
#include <QMap>
#include <QString>

namespace ladder::trace {

// Puts IPv4 and IPv6 fragments back together (RFC 791 §3.2, RFC 8200 §4.5) for the capture
// decoder. The input is untrusted, so everything it keeps is bounded: datagrams waiting for their
// fragments (count and bytes), fragments per datagram, and time (a datagram whose fragments do not
// all arrive within the timeout, in capture time, is dropped). Fragments that overlap with
// different bytes drop their datagram (RFC 5722; the "teardrop" case for IPv4); an overlap with the
// same bytes (a fragment captured twice) is harmless.
class IpDefragmenter {
public:
    struct Limits {
        int maxDatagrams = 1024; // waiting at once
        qsizetype maxBytes = 8 * 1024 * 1024; // held in all of them
        int maxFragments = 256; // per datagram
        qint64 timeoutNs = 30'000'000'000; // RFC 8200: 60 s; IPv4 stacks use 30 s
    };
    enum class Outcome { Pending, Complete, Dropped };

    IpDefragmenter() = default;
    explicit IpDefragmenter(const Limits& limits)
        : m_limits(limits)
    {
    }

    // One fragment of the datagram `key` names (the addresses, identification and, for IPv4, the
    // protocol): its payload `data` of `size` bytes at byte `offset`; `more`: the MF / M flag.
    // Complete: *datagram holds the reassembled payload (what follows the IP header). Dropped:
    // *why says why (the datagram's fragments so far are gone too).
    Outcome add(const QByteArray& key, qint64 nowNs, qsizetype offset, bool more, const char* data, qsizetype size,
        QByteArray* datagram, QString* why);

    int waiting() const { return int(m_pending.size()); }
    qsizetype bytesHeld() const { return m_bytes; }
    quint64 expired() const { return m_expired; } // dropped for the timeout or the limits

private:
    struct Pending {
        QMap<qsizetype, QByteArray> pieces; // by offset
        qsizetype total = -1; // known once the last fragment arrived
        qsizetype bytes = 0;
        qint64 firstNs = 0;
    };
    void drop(QHash<QByteArray, Pending>::iterator it);
    void sweep(qint64 nowNs);

    Limits m_limits;
    QHash<QByteArray, Pending> m_pending;
    qsizetype m_bytes = 0;
    qint64 m_lastSweepNs = 0;
    quint64 m_expired = 0;
};

// The bytes of one direction of a TCP connection, put in sequence order for the SIP framer:
// segments that arrive before the bytes they follow wait (bounded) until the gap is filled;
// retransmitted bytes are taken once; a gap that is never filled (bytes the capture lost) is
// given up after a while so the stream can go on at the next message.
class TcpReorder {
public:
    struct Limits {
        qsizetype maxWaitingBytes = 256 * 1024; // segments waiting behind a gap
        int maxWaitingSegments = 64;
        qint64 maxGapNs = 2'000'000'000; // capture time a gap may stay open
        qsizetype maxAhead = 1024 * 1024; // a segment further ahead than this is not waited for
    };
    enum class Outcome {
        InOrder, // *ready has new in-order bytes (possibly empty: all of it retransmitted)
        Waiting, // held behind a gap
        GapGivenUp, // the gap will never be filled: *ready starts after it (*lost bytes missing)
    };

    TcpReorder() = default;
    explicit TcpReorder(const Limits& limits)
        : m_limits(limits)
    {
    }
    // Starts the stream at `seq` (the first byte's sequence number; after a SYN, its seq + 1).
    void start(quint32 seq);
    bool started() const { return m_started; }
    // A segment's payload at `seq`. *ready gets the bytes now in order, which the caller appends
    // to the stream. With GapGivenUp, *lost is the number of bytes skipped.
    Outcome add(quint32 seq, const char* data, qsizetype size, qint64 nowNs, QByteArray* ready, qsizetype* lost);
    // Forgets what waits and stops the stream (a resynchronisation, a RST).
    void reset();
    bool idle() const { return m_waiting.isEmpty(); }
    qsizetype waitingBytes() const { return m_waitingBytes; }

private:
    void drain(QByteArray* ready);
    Outcome giveUp(QByteArray* ready, qsizetype* lost);

    Limits m_limits;
    bool m_started = false;
    quint32 m_nextSeq = 0; // sequence number of the next byte in order
    quint64 m_nextOff = 0; // the same as a 64-bit offset from the start (no wrap-around)
    QMap<quint64, QByteArray> m_waiting; // by 64-bit offset
    qsizetype m_waitingBytes = 0;
    qint64 m_gapSinceNs = 0;
};

} // namespace ladder::trace
