// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "journal/event.h"
#include "reconstruct.h"

#include <QHash>
#include <QMap>
#include <QSet>

namespace ladder::trace {

// SCTP associations rebuilt from captured packets (part of Reconstructor). An association is one
// address + SCTP port pair (so several associations sharing one UDP encapsulation pair are told
// apart, and a new INIT after the end starts a new one), numbered from 1. States are those the
// live engine names, from the local side's view: COOKIE-WAIT, COOKIE-ECHOED, ESTABLISHED,
// SHUTDOWN-SENT / -RECEIVED / -ACK-SENT, CLOSED, ABORTED.
class SctpAssociationTracker {
public:
    // One SctpPacket event (raw = common header + chunks). mirror: the same packet already seen at
    // the other end (a capture with both ends' copies), only numbered, not counted. Returns the
    // association id, 0 for a packet too short to have a common header.
    quint64 onPacket(const Event& e, bool mirror, QList<Event>& after);

    QList<CapturedAssociation> snapshots() const;
    qsizetype count() const { return m_assocs.size(); }

private:
    struct Side { // one direction's DATA bookkeeping
        QSet<quint32> tsns;
        QSet<quint32> abandoned; // (stream << 16 | SSN) named by FORWARD-TSNs
        quint32 lastForward = 0;
        bool haveForward = false;
        bool pr = false, idata = false, paramsKnown = false;
    };
    struct Assoc {
        CapturedAssociation c;
        QString localEndpoint; // as the events name it
        quint16 localPort = 0;
        bool native = false;
        Side local, peer;
        QMap<quint16, sctp::StreamInfo> streams;
    };

    Assoc& create(const Event& e, quint16 sport, quint16 dport, bool init);
    void setState(Assoc& a, const Event& e, const QString& to, const QString& why, QList<Event>& out);
    void onInit(Assoc& a, bool byLocal, const uchar* v, qsizetype len, bool ack);
    void onData(Assoc& a, const Event& e, bool byLocal, const uchar* v, qsizetype len, bool idata, QList<Event>& out);
    void onForwardTsn(Assoc& a, bool byLocal, const uchar* v, qsizetype len, bool iforward);
    void negotiate(Assoc& a);

    QHash<QString, quint64> m_byKey; // "address|port" pair, sorted → current association
    QHash<quint64, Assoc> m_assocs;
    quint64 m_nextId = 1;
};

} // namespace ladder::trace
