// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "capturereader.h"
#include "flatmap.h"
#include "journal/event.h"

#include "sctp/snapshot.h"
#include "sip/snapshot.h"

#include <QHash>

#include <memory>

namespace ladder::trace {

class Journal;
class SipTransactionTracker;
class SipDialogTracker;
class SctpAssociationTracker;

// Timer values the reconstruction assumes (RFC 3261 defaults). The capture cannot say what the
// peers were configured with; with estimateT1 the first retransmission interval of an unreliable
// client transaction stands in for T1 of that transaction (Timer A/E start at T1).
struct ReconstructOptions {
    qint64 t1Ns = 500'000'000;
    qint64 t2Ns = 4'000'000'000;
    qint64 t4Ns = 5'000'000'000;
    bool estimateT1 = true;
    // At finish(), also fire the timers still pending when the capture ended (their events are
    // stamped after the last packet and say "after the capture ended"); otherwise such
    // transactions keep the state they had at the end.
    bool settle = false;
    // Keep a list of the transactions and dialogs that changed, for takeChangedTransactions() /
    // takeChangedDialogs() (a live capture's views take only those each refresh).
    bool trackChanges = false;
};

// What a capture tells about an SCTP association, beyond the live view's AssociationInfo (whose
// "local" side is the one the capture's direction flags call outbound, else the INIT's sender,
// else the sender of the first packet seen).
struct CapturedAssociation {
    sctp::AssociationInfo info; // unknowable fields (descriptor, paths, cwnd…) stay empty
    QString role; // "initiator", "responder", or "observed" (capture started after the handshake)
    quint16 localPort = 0, peerPort = 0;
    quint32 localTag = 0, peerTag = 0; // Initiate Tags: what each side expects in packets to it
    quint32 localInitialTsn = 0, peerInitialTsn = 0;
    quint16 localOutboundStreams = 0, localInboundStreams = 0; // as offered in INIT / INIT-ACK
    quint16 peerOutboundStreams = 0, peerInboundStreams = 0;
    quint64 packetsSent = 0, packetsReceived = 0;
    quint64 dataSent = 0, dataReceived = 0; // DATA / I-DATA chunks, retransmissions included
    quint64 retransmissionsReceived = 0; // DATA TSNs the peer sent again
    quint64 sacksSent = 0, sacksReceived = 0;
    quint64 forwardTsnsReceived = 0;
    quint64 skippedTsnsSent = 0, skippedTsnsReceived = 0; // TSNs jumped over by FORWARD-TSNs
    quint32 lastCumAckSent = 0, lastCumAckReceived = 0; // latest SACK cumulative TSN ack each way
    QList<sip::StateStamp> history; // state changes with capture times
};

struct ReconstructStats {
    quint64 sipMessages = 0;
    quint64 sipUnparsed = 0; // SIP events whose bytes did not parse (kept in the journal as they are)
    quint64 transactions = 0, dialogs = 0, associations = 0;
    quint64 derivedEvents = 0; // state changes and inferred timer expiries added
    quint64 inferredTimers = 0;
    quint64 readerRetransmissionsReplaced = 0; // the reader's SctpRetransmission events (see consume)
};

// Rebuilds SIP transactions and dialogs and SCTP associations from the events of a capture made
// elsewhere (capturereader.h), like sngrep does for SIP: offline, from the wire alone.
//
// consume() takes the capture's events in time order and hands on to `out` the merged stream:
// inferred timer expiries due before the event, the event itself, then the state changes it
// causes — TransactionState ("INVITE client: Calling -> Proceeding"), TimerFired (a Timer A/E/G
// expiry shown by a retransmission; Timer B/F/H/D/K/I/J/L/M where no later packet can have
// happened otherwise), DialogState ("UAC dialog INVITE: created early (…)", "early -> confirmed"),
// AssociationState ("COOKIE-WAIT -> ESTABLISHED"). Transaction objects are the capture reader's
// transaction ids (a non-2xx ACK joins its INVITE's transaction); dialogs are numbered from 1;
// associations are renumbered per address + SCTP port pair (the reader numbers them per UDP pair)
// and the reader's SctpRetransmission events are replaced by the tracker's, which tell a packet's
// far-end copy (a capture holding both ends' copies, Tx and Rx, like LadderLab's own export) from
// a retransmission; SIP events get the same treatment (a far-end copy is a SipMessage again).
//
// Roles: a request the capture flags outbound (pcapng direction) makes a client transaction and,
// for INVITE, a UAC dialog; inbound makes server/UAS; no flag makes role "observed", which follows
// the client state machine and the caller's view of the dialog (local = From side).
//
// The snapshot rows are the types the live views show, filled with what the capture tells;
// fields the wire cannot tell (timers armed now, descriptors, paths, congestion state) stay empty.
// The input is untrusted: unparsable SIP is counted and skipped, SCTP chunks are bounds-checked,
// and every table is capped (options of the caps are internal).
class Reconstructor {
public:
    explicit Reconstructor(const ReconstructOptions& options = {});
    ~Reconstructor();
    Reconstructor(const Reconstructor&) = delete;
    Reconstructor& operator=(const Reconstructor&) = delete;

    void consume(Event&& e, const EventSink& out);
    // The capture ended: timers due by the last event's time (all of them with settle) fire.
    void finish(const EventSink& out);

    QList<sip::TransactionSnapshot> transactions() const; // by id
    QList<sip::DialogSnapshot> dialogs() const; // by id
    QList<CapturedAssociation> associations() const; // by id
    ReconstructStats stats() const;
    // The transactions and dialogs moved out, for a reconstruction that is done: afterwards the
    // trackers are empty (and stats() counts none).
    void takeSnapshots(QList<sip::TransactionSnapshot>* transactions, QList<sip::DialogSnapshot>* dialogs);
    // With ReconstructOptions::trackChanges: the transactions (dialogs) created or changed since
    // the last call, by id, as they are now; the list starts again empty. Without: empty.
    QList<sip::TransactionSnapshot> takeChangedTransactions();
    QList<sip::DialogSnapshot> takeChangedDialogs();

    struct PacketKey { // from, to and bytes of a packet (reconstruct.cpp: digest)
        quint64 h1 = 0, h2 = 0;
        bool operator==(const PacketKey& o) const { return h1 == o.h1 && h2 == o.h2; }
    };

private:
    struct Copies { // copies of one packet by direction flag
        quint32 tx = 0, rx = 0;
    };
    struct PacketKeyHash {
        size_t operator()(const PacketKey& k) const { return size_t(k.h1); }
    };
    bool isMirror(Event& e);
    void flushHeld(const EventSink& out);
    void pass(Event&& e, const EventSink& out, bool derived);

    ReconstructOptions m_options;
    std::unique_ptr<SipDialogTracker> m_dialogs;
    std::unique_ptr<SctpAssociationTracker> m_associations;
    std::unique_ptr<SipTransactionTracker> m_transactions;
    FlatMap<PacketKey, Copies, PacketKeyHash> m_copies; // packet digest → copies by direction flag
    QList<Event> m_before, m_after; // consume()'s, kept for their capacity
    QList<Event> m_held; // derived events of the last SCTP packet, after its chunk events
    quint64 m_packetAssociation = 0; // of the last SctpPacket (its chunks and SIP follow it)
    qint64 m_lastNs = 0;
    bool m_any = false;
    quint64 m_sipMessages = 0, m_sipUnparsed = 0, m_derived = 0, m_dropped = 0;
};

// A whole capture, read and reconstructed.
struct CaptureReconstruction {
    CaptureReadResult read;
    QList<Event> events; // merged, in time order (empty when they went to a journal)
    QList<sip::TransactionSnapshot> transactions;
    QList<sip::DialogSnapshot> dialogs;
    QList<CapturedAssociation> associations;
    ReconstructStats stats;
};

CaptureReconstruction reconstructCapture(const uchar* data, qsizetype size, const CaptureReadOptions& read = {},
    const ReconstructOptions& options = {});
CaptureReconstruction reconstructCaptureFile(const QString& path, const CaptureReadOptions& read = {},
    const ReconstructOptions& options = {});
// Appends the merged events to the journal (and sets its epoch to the capture's) instead of
// keeping them in the result.
CaptureReconstruction reconstructCaptureFile(const QString& path, Journal& journal,
    const CaptureReadOptions& read = {}, const ReconstructOptions& options = {});

} // namespace ladder::trace
