// SPDX-License-Identifier: GPL-3.0-or-later
#include "reconstruct.h"

#include "journal/journal.h"
#include "sctpassociationtracker.h"
#include "sipdialogtracker.h"
#include "siptransactiontracker.h"

#include "sip/message/parser.h"

namespace ladder::trace {

namespace {
    constexpr qsizetype kMaxCopies = 2000000; // digests kept to tell mirrors from retransmissions

    // A packet's from, to and bytes as a 128-bit key: two independent 64-bit hashes of the bytes,
    // each folded with the endpoints and the length (it was a SHA-1 digest).
    Reconstructor::PacketKey digest(const Event& e)
    {
        const quint64 ends = mix64((quint64(qHash(e.from)) << 32) ^ quint64(qHash(e.to)) ^ (quint64(e.raw.size()) << 17));
        return { mix64(quint64(qHash(QByteArrayView(e.raw), 0x243f6a88u)) ^ ends),
            mix64(quint64(qHash(QByteArrayView(e.raw), 0x85a308d3u)) + ends) };
    }

    bool partOfPacket(Kind k) { return k == Kind::SctpChunk || k == Kind::SctpRetransmission || k == Kind::SctpForwardTsn; }
} // namespace


Reconstructor::Reconstructor(const ReconstructOptions& options)
    : m_options(options)
    , m_dialogs(std::make_unique<SipDialogTracker>())
    , m_associations(std::make_unique<SctpAssociationTracker>())
{
    m_transactions = std::make_unique<SipTransactionTracker>(options,
        [this](quint64 tx, qint64 timeNs, QList<Event>& out) { m_dialogs->onInviteTerminated(tx, timeNs, out); });
    m_transactions->setTrackChanges(options.trackChanges);
    m_dialogs->setTrackChanges(options.trackChanges);
}

Reconstructor::~Reconstructor() = default;

// A capture merged from both ends (LadderLab's own export, or two capture points) holds each
// packet twice: sent (Tx) and received (Rx). A copy in one direction while the other direction has
// more copies is that packet seen at the far end, not a retransmission.
bool Reconstructor::isMirror(Event& e)
{
    if (e.dir == Dir::None)
        return false; // one capture point: the reader's retransmission flag stands
    if (m_copies.size() >= kMaxCopies)
        return false;
    Copies& c = m_copies[digest(e)];
    quint32& mine = e.dir == Dir::Tx ? c.tx : c.rx;
    const quint32 other = e.dir == Dir::Tx ? c.rx : c.tx;
    const bool mirror = other > mine;
    if (e.kind == Kind::SipMessage || e.kind == Kind::SipRetransmission) {
        e.kind = mine == 0 ? Kind::SipMessage : Kind::SipRetransmission;
        e.c = mine;
    }
    ++mine;
    return mirror;
}

void Reconstructor::flushHeld(const EventSink& out)
{
    for (Event& h : m_held)
        pass(std::move(h), out, true);
    m_held.clear();
}

void Reconstructor::pass(Event&& e, const EventSink& out, bool derived)
{
    if (derived)
        ++m_derived;
    out(std::move(e));
}

void Reconstructor::consume(Event&& e, const EventSink& out)
{
    if (!partOfPacket(e.kind))
        flushHeld(out);
    m_lastNs = m_any ? std::max(m_lastNs, e.timeNs) : e.timeNs;
    m_any = true;
    QList<Event>& before = m_before;
    QList<Event>& after = m_after;
    before.clear();
    after.clear();
    m_transactions->advanceTo(e.timeNs, before);
    switch (e.kind) {
    case Kind::SipMessage:
    case Kind::SipRetransmission: {
        ++m_sipMessages;
        if (e.b == 2 && m_packetAssociation)
            e.a = m_packetAssociation; // the connection of SIP over SCTP is its association
        if (isMirror(e))
            break;
        // Parsed once: the trackers read what the parse decoded (SipFacts).
        sip::ParsedHeaders headers;
        const sip::ParseResult p = sip::parse(e.raw, {}, &headers);
        if (!p.ok || headers.cseqMethod.isEmpty() || !p.message.hasHeader(sip::HeaderId::CSeq)) {
            ++m_sipUnparsed;
            break;
        }
        const SipFacts facts = SipFacts::of(p.message, headers);
        const quint64 tx = m_transactions->onMessage(e, facts, before, after);
        m_dialogs->onMessage(e, facts, tx, after);
        if (tx)
            e.object = tx; // a non-2xx ACK is its INVITE transaction's
        break;
    }
    case Kind::SctpPacket: {
        const bool mirror = isMirror(e);
        m_packetAssociation = m_associations->onPacket(e, mirror, m_held);
        if (m_packetAssociation)
            e.object = e.a = m_packetAssociation;
        break;
    }
    case Kind::SctpChunk:
    case Kind::SctpForwardTsn:
        if (m_packetAssociation)
            e.object = m_packetAssociation;
        break;
    case Kind::SctpRetransmission:
        // The reader numbers associations per UDP pair and cannot tell a packet's far-end copy
        // from a retransmission; the association tracker reports the real ones instead.
        for (Event& b : before)
            pass(std::move(b), out, true);
        ++m_dropped;
        return;
    default: break;
    }
    for (Event& b : before)
        pass(std::move(b), out, true);
    pass(std::move(e), out, false);
    for (Event& a : after)
        pass(std::move(a), out, true);
}

void Reconstructor::finish(const EventSink& out)
{
    flushHeld(out);
    QList<Event> evs;
    m_transactions->finish(m_lastNs, m_options.settle, evs);
    for (Event& e : evs)
        pass(std::move(e), out, true);
}

QList<sip::TransactionSnapshot> Reconstructor::transactions() const { return m_transactions->snapshots(); }

QList<sip::TransactionSnapshot> Reconstructor::takeChangedTransactions() { return m_transactions->takeChanged(); }

QList<sip::DialogSnapshot> Reconstructor::takeChangedDialogs() { return m_dialogs->takeChanged(); }

void Reconstructor::takeSnapshots(QList<sip::TransactionSnapshot>* transactions, QList<sip::DialogSnapshot>* dialogs)
{
    *transactions = m_transactions->takeSnapshots();
    *dialogs = m_dialogs->takeSnapshots();
}
QList<sip::DialogSnapshot> Reconstructor::dialogs() const { return m_dialogs->snapshots(); }
QList<CapturedAssociation> Reconstructor::associations() const { return m_associations->snapshots(); }

ReconstructStats Reconstructor::stats() const
{
    ReconstructStats s;
    s.sipMessages = m_sipMessages;
    s.sipUnparsed = m_sipUnparsed;
    s.transactions = quint64(m_transactions->count());
    s.dialogs = quint64(m_dialogs->count());
    s.associations = quint64(m_associations->count());
    s.derivedEvents = m_derived;
    s.inferredTimers = m_transactions->inferredTimers();
    s.readerRetransmissionsReplaced = m_dropped;
    return s;
}

namespace {
    void fill(CaptureReconstruction& r, Reconstructor& rec, const EventSink& sink)
    {
        rec.finish(sink);
        r.stats = rec.stats();
        rec.takeSnapshots(&r.transactions, &r.dialogs);
        r.associations = rec.associations();
    }
} // namespace

CaptureReconstruction reconstructCapture(const uchar* data, qsizetype size, const CaptureReadOptions& read,
    const ReconstructOptions& options)
{
    CaptureReconstruction r;
    Reconstructor rec(options);
    const EventSink sink = [&r](Event&& e) { r.events.append(std::move(e)); };
    r.read = readCapture(data, size, [&](Event&& e) { rec.consume(std::move(e), sink); }, read);
    fill(r, rec, sink);
    return r;
}

CaptureReconstruction reconstructCaptureFile(const QString& path, const CaptureReadOptions& read,
    const ReconstructOptions& options)
{
    CaptureReconstruction r;
    Reconstructor rec(options);
    const EventSink sink = [&r](Event&& e) { r.events.append(std::move(e)); };
    r.read = readCaptureFile(path, [&](Event&& e) { rec.consume(std::move(e), sink); }, read);
    fill(r, rec, sink);
    return r;
}

CaptureReconstruction reconstructCaptureFile(const QString& path, Journal& journal, const CaptureReadOptions& read,
    const ReconstructOptions& options)
{
    CaptureReconstruction r;
    Reconstructor rec(options);
    const EventSink sink = [&journal](Event&& e) { journal.append(std::move(e)); };
    r.read = readCaptureFile(path, [&](Event&& e) { rec.consume(std::move(e), sink); }, read);
    fill(r, rec, sink);
    if (r.read.packets > 0)
        journal.setEpochNs(r.read.epochNs);
    return r;
}

} // namespace ladder::trace
