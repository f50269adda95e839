// SPDX-License-Identifier: GPL-3.0-or-later
// Checks the capture fuzz targets (pcap_reader, capture) share. A failed check prints what it
// expected and the events involved (as JSON Lines) to stderr and aborts, so libFuzzer reports the
// input. Header-only: each target compiles it with its own instrumentation; this folder has no
// CMakeLists.txt, so run.sh does not take it for a target.
//
// What the checks hold the readers and writers to:
//  * Bytes. An event read from a capture carries bytes of that capture: the raw bytes of a SIP
//    message over UDP or SCTP and of an SCTP packet occur in the input as they are. A SIP message
//    over TCP is reassembled from segments, so its bytes are a concatenation of pieces of the
//    input, at most one piece per packet read. Events of other kinds carry none. (Event has no
//    offsets into the file, so "occurs in the input" is what can be checked.)
//  * JSON Lines keeps everything: through a Journal and writeJsonl, readJsonl gives back every
//    field of every event, with seq = the position in the journal (an export numbers densely).
//  * pcapng keeps the wire: see checkSameAfterPcapng.
#pragma once

#include "capture/endpoint.h"
#include "capture/jsonl.h"
#include "capture/netpacket.h"
#include "capture/pcapng.h"
#include "journal/journal.h"

#include <QBuffer>
#include <QHash>
#include <QList>

#include <cstdio>
#include <cstdlib>
#include <limits>

namespace ladder::fuzz {

using trace::Dir;
using trace::Event;
using trace::Kind;

[[noreturn]] inline void fail(const char* what, const Event* expected = nullptr, const Event* got = nullptr,
    qsizetype index = -1)
{
    std::fprintf(stderr, "fuzz check failed: %s", what);
    if (index >= 0)
        std::fprintf(stderr, " (event %lld)", static_cast<long long>(index));
    std::fprintf(stderr, "\n");
    if (expected)
        std::fprintf(stderr, "  expected: %s\n", trace::eventToJson(*expected).constData());
    if (got)
        std::fprintf(stderr, "  got:      %s\n", trace::eventToJson(*got).constData());
    std::abort();
}

inline void check(bool condition, const char* what, const Event* expected = nullptr, const Event* got = nullptr,
    qsizetype index = -1)
{
    if (!condition)
        fail(what, expected, got, index);
}

inline bool isSip(Kind k) { return k == Kind::SipMessage || k == Kind::SipRetransmission; }
// The events the pcapng writer turns into packets (LinkDrop only adds a comment).
inline bool isWire(Kind k) { return isSip(k) || k == Kind::SctpPacket; }

// The fewest pieces `bytes` splits into with every piece occurring in `input`, or -1 when a byte
// occurs nowhere. Taking the longest occurring prefix each time is optimal, since every part of an
// occurring piece occurs too; the longest is found by bisection for the same reason.
inline qsizetype piecesIn(QByteArrayView input, QByteArrayView bytes)
{
    qsizetype pieces = 0;
    for (qsizetype at = 0; at < bytes.size(); ++pieces) {
        qsizetype lo = 0, hi = bytes.size() - at;
        while (lo < hi) {
            const qsizetype mid = lo + (hi - lo + 1) / 2;
            if (input.indexOf(bytes.sliced(at, mid)) >= 0)
                lo = mid;
            else
                hi = mid - 1;
        }
        if (lo == 0)
            return -1;
        at += lo;
    }
    return pieces;
}

// Events read from a capture (and what reconstruction adds to them) carry only bytes of the input.
inline void checkBytesFromInput(QByteArrayView input, const QList<Event>& events, quint64 packets)
{
    for (qsizetype i = 0; i < events.size(); ++i) {
        const Event& e = events.at(i);
        if (!isWire(e.kind)) {
            check(e.raw.isEmpty(), "only SIP messages and SCTP packets carry bytes", nullptr, &e, i);
            continue;
        }
        check(!e.raw.isEmpty(), "a SIP message or SCTP packet read from a capture has bytes", nullptr, &e, i);
        if (isSip(e.kind) && e.b == 1) {
            const qsizetype pieces = piecesIn(input, e.raw);
            check(pieces >= 1 && quint64(pieces) <= packets,
                "a SIP message over TCP is made of pieces of the input, at most one per packet", nullptr, &e, i);
        } else {
            check(input.indexOf(e.raw) >= 0, "the raw bytes occur in the input", nullptr, &e, i);
        }
    }
}

// The names of the fields (all but seq) in which two events differ, empty when none; printed
// with a failure, since the events themselves are printed by the JSON Lines writer under test.
inline QByteArray differentFields(const Event& a, const Event& b)
{
    QByteArray out;
    auto field = [&out](bool same, const char* name) {
        if (!same)
            out += out.isEmpty() ? QByteArray(name) : ' ' + QByteArray(name);
    };
    field(a.timeNs == b.timeNs, "timeNs");
    field(a.kind == b.kind, "kind");
    field(a.dir == b.dir, "dir");
    field(a.object == b.object, "object");
    field(a.a == b.a, "a");
    field(a.b == b.b, "b");
    field(a.c == b.c, "c");
    field(a.from == b.from, "from");
    field(a.to == b.to, "to");
    field(a.text == b.text, "text");
    field(a.raw == b.raw, "raw");
    return out;
}

// JSON Lines keeps everything: export through a journal, as the application does, and read back.
inline void checkJsonlRoundTrip(const QList<Event>& events, qint64 epochNs)
{
    trace::Journal journal;
    journal.setEpochNs(epochNs);
    for (const Event& e : events)
        journal.append(Event(e));
    check(journal.count() == quint64(events.size()), "jsonl: the journal holds every event");
    QBuffer file;
    file.open(QIODevice::WriteOnly);
    QString error;
    check(trace::writeJsonl(journal, &file, epochNs, &error), "jsonl: writeJsonl failed");
    QList<Event> back;
    const trace::JsonlReadResult r
        = trace::readJsonl(file.data(), [&back](Event&& e) { back.append(std::move(e)); });
    if (!r.ok)
        std::fprintf(stderr, "readJsonl: %s\n", qPrintable(r.error));
    check(r.ok && r.header && r.badLines == 0, "jsonl: an export reads back without errors");
    check(r.epochNs == epochNs, "jsonl: epoch_ns");
    check(r.declaredEvents == events.size() && r.events == quint64(events.size()) && back.size() == events.size(),
        "jsonl: as many events as exported");
    for (qsizetype i = 0; i < events.size(); ++i) {
        check(back.at(i).seq == quint64(i), "jsonl: seq is the position in the journal", nullptr, &back.at(i), i);
        const QByteArray differ = differentFields(events.at(i), back.at(i));
        if (!differ.isEmpty()) {
            std::fprintf(stderr, "jsonl: fields that differ: %s\n", differ.constData());
            fail("jsonl: every field survives", &events.at(i), &back.at(i), i);
        }
    }
}

// ---- pcapng ----
// What a pcapng export keeps (LINKTYPE_RAW, one packet per wire event, see pcapng.h) and what a
// capture read of it gives back:
//  * the wire events, in order, with kind, dir, raw, b (transport, native SCTP), c, object (the
//    reader's transaction and association numbering follows the same packets) and every event the
//    reader or reconstruction derives from them (SCTP chunks, retransmissions, state changes);
//  * a, except a SIP-over-TCP connection id: the reader numbers every TCP stream that carried
//    bytes, the export writes only those that carried whole messages, so these ids survive up to a
//    one-to-one renumbering;
//  * from/to, up to a label: only the address after the last space is written ("sctp
//    0.0.0.0:5000", how the reader names bare-SCTP endpoints, becomes "0.0.0.0:5000"). When two
//    endpoints differ only by their label they cannot be told apart after the export, and nothing
//    is compared (see endpointsCollide);
//  * text: it becomes the packet comment (kept while its UTF-8 fits the writer's 65000 bytes), and
//    the reader gives a packet's comment to what it decodes from it, so a SIP message over SCTP
//    comes back with the text of its SCTP packet (SIP over SCTP is not written separately: the
//    SCTP packet holds it), and a SIP message over TCP longer than the 60000 bytes the writer puts
//    in one segment has its comment on the first segment while the reader takes the last's;
//  * timeNs, when every wire event's wall-clock time epochNs + timeNs fits the unsigned 64-bit
//    nanosecond timestamp and was not clamped on reading: the export starts with a packet the
//    reader ignores at time 0, so that the re-read capture counts from the same instant.
//  * SCTP packets keep their checksum (the export is asked not to fix it).

inline QString canonicalEndpoint(const QString& endpoint)
{
    const trace::NetEndpoint e = trace::parseEndpoint(endpoint, 0);
    return trace::formatEndpoint(e.addr, e.port);
}

inline bool labelled(const QString& endpoint) { return endpoint.contains(QLatin1Char(' ')); }

inline bool anyLabelled(const QList<Event>& events)
{
    for (const Event& e : events)
        if (isWire(e.kind) && (labelled(e.from) || labelled(e.to)))
            return true;
    return false;
}

// Two endpoints of wire events that a pcapng export writes the same.
inline bool endpointsCollide(const QList<Event>& events)
{
    QHash<QString, QString> seen; // canonical → as read
    for (const Event& e : events) {
        if (!isWire(e.kind))
            continue;
        for (const QString* p : { &e.from, &e.to }) {
            const QString c = canonicalEndpoint(*p);
            const auto it = seen.constFind(c);
            if (it == seen.constEnd())
                seen.insert(c, *p);
            else if (*it != *p)
                return true;
        }
    }
    return false;
}

// The reader counts time from the first packet, so timeNs + epochNs is a packet's time as read.
// It survives when it lies in [0, 2^63): a negative or saturated time (a pcapng if_tsoffset, an
// overflowing tick count) has no unsigned 64-bit timestamp.
inline bool timesRepresentable(const QList<Event>& events, qint64 epochNs)
{
    if (epochNs < 0)
        return false;
    for (const Event& e : events)
        if (isWire(e.kind) && e.timeNs < -epochNs)
            return false;
    return true;
}

struct PcapngExport {
    QByteArray file;
    bool complete = true; // every wire event became a packet
};

inline PcapngExport exportPcapng(const QList<Event>& events, qint64 epochNs)
{
    PcapngExport out;
    QBuffer buffer(&out.file);
    buffer.open(QIODevice::WriteOnly);
    trace::PcapngOptions o;
    o.epochNs = epochNs;
    o.sipOverSctp = trace::PcapngOptions::SipOverSctp::Skip; // the SCTP packets hold it
    o.fixSctpChecksums = false;
    trace::PcapngWriter w(&buffer, o);
    check(w.begin(), "pcapng: begin");
    // Time zero: a UDP datagram that is not SIP, which the reader counts as a packet and ignores.
    Event zero;
    zero.kind = Kind::SipMessage;
    zero.from = QStringLiteral("0.0.0.0:1");
    zero.to = QStringLiteral("0.0.0.0:1");
    zero.raw = QByteArray(1, '\0');
    check(w.write(zero), "pcapng: write");
    bool tooLarge = false;
    for (const Event& e : events) {
        check(w.write(e), "pcapng: write", nullptr, &e);
        tooLarge |= isWire(e.kind) && e.raw.size() > trace::net::kMaxUdpPayload;
    }
    out.complete = w.stats().skipped == 0;
    check(out.complete || tooLarge, "pcapng: the writer skipped an event it can write");
    return out;
}

// Compares events before a pcapng export with those read back from it, as described above.
// canonical: compare endpoints by what is written (the address after the label), else exactly.
inline void checkSameAfterPcapng(const QList<Event>& before, const QList<Event>& after, bool times, bool canonical)
{
    if (before.size() != after.size()) {
        std::fprintf(stderr, "pcapng: %lld events before, %lld after\n", static_cast<long long>(before.size()),
            static_cast<long long>(after.size()));
        for (qsizetype i = 0; i < std::max(before.size(), after.size()); ++i) {
            if (i < before.size())
                std::fprintf(stderr, "  before %lld: %s\n", static_cast<long long>(i), trace::eventToJson(before.at(i)).constData());
            if (i < after.size())
                std::fprintf(stderr, "  after  %lld: %s\n", static_cast<long long>(i), trace::eventToJson(after.at(i)).constData());
        }
        fail("pcapng: the same events come back");
    }
    QHash<quint64, quint64> connection, connectionBack; // SIP over TCP: before ↔ after
    const Event* packet = nullptr; // the last SCTP packet before
    for (qsizetype i = 0; i < before.size(); ++i) {
        const Event& x = before.at(i);
        const Event& y = after.at(i);
        auto field = [&](bool same, const char* what) { check(same, what, &x, &y, i); };
        field(x.kind == y.kind, "pcapng: kind");
        field(x.dir == y.dir, "pcapng: dir");
        field(x.raw == y.raw, "pcapng: raw");
        field(x.b == y.b, "pcapng: b");
        field(x.c == y.c, "pcapng: c");
        field(x.object == y.object, "pcapng: object");
        if (isSip(x.kind) && x.b == 1) {
            field(connection.value(x.a, y.a) == y.a && connectionBack.value(y.a, x.a) == x.a,
                "pcapng: TCP connection ids (one-to-one)");
            connection.insert(x.a, y.a);
            connectionBack.insert(y.a, x.a);
        } else {
            field(x.a == y.a, "pcapng: a");
        }
        if (canonical) {
            field(canonicalEndpoint(x.from) == y.from && canonicalEndpoint(x.to) == y.to, "pcapng: endpoints");
        } else {
            field(x.from == y.from && x.to == y.to, "pcapng: endpoints");
        }
        if (x.kind == Kind::SctpPacket)
            packet = &x;
        if (isSip(x.kind) && x.b == 2) {
            field(packet, "pcapng: SIP over SCTP follows its SCTP packet");
            if (packet->text.toUtf8().size() <= 65000)
                field(y.text == packet->text, "pcapng: SIP over SCTP has its packet's text");
        } else if (x.text.toUtf8().size() <= 65000 && !(isSip(x.kind) && x.b == 1 && x.raw.size() > 60000)) {
            // (A SIP message over TCP longer than one written segment, 60000 bytes, has its comment on
            // the first segment, and the reader takes the text from the last.)
            field(x.text == y.text, "pcapng: text");
        }
        if (times)
            field(x.timeNs == y.timeNs, "pcapng: timeNs");
    }
}

} // namespace ladder::fuzz
