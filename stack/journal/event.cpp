// SPDX-License-Identifier: GPL-3.0-or-later
#include "event.h"

namespace ladder::trace {

const char* kindName(Kind kind)
{
    switch (kind) {
    case Kind::SipMessage: return "sip.message";
    case Kind::SipRetransmission: return "sip.retransmission";
    case Kind::TimerArmed: return "sip.timer.armed";
    case Kind::TimerFired: return "sip.timer.fired";
    case Kind::TimerCancelled: return "sip.timer.cancelled";
    case Kind::TransactionState: return "sip.transaction.state";
    case Kind::DialogState: return "sip.dialog.state";
    case Kind::ConnectionState: return "net.connection.state";
    case Kind::SctpPacket: return "sctp.packet";
    case Kind::SctpChunk: return "sctp.chunk";
    case Kind::SctpRetransmission: return "sctp.retransmission";
    case Kind::SctpAbandon: return "sctp.abandon";
    case Kind::SctpForwardTsn: return "sctp.forward_tsn";
    case Kind::AssociationState: return "sctp.association.state";
    case Kind::StreamState: return "sctp.stream.state";
    case Kind::SctpNotification: return "sctp.notification";
    case Kind::LinkDrop: return "lab.link.drop";
    case Kind::LinkDuplicate: return "lab.link.duplicate";
    case Kind::UserAction: return "user.action";
    case Kind::Error: return "error";
    case Kind::Log: return "log";
    }
    return "unknown";
}

const char* dirName(Dir dir)
{
    switch (dir) {
    case Dir::Tx: return "tx";
    case Dir::Rx: return "rx";
    case Dir::None: break;
    }
    return "";
}

bool kindFromName(QByteArrayView name, Kind* kind)
{
    // Every quint8 value, so that kinds added after Log are found too.
    for (int k = 0; k < 256; ++k) {
        if (name == kindName(Kind(k)) && name != "unknown") {
            *kind = Kind(k);
            return true;
        }
    }
    return false;
}

bool dirFromName(QByteArrayView name, Dir* dir)
{
    for (Dir d : { Dir::None, Dir::Tx, Dir::Rx }) {
        if (name == dirName(d)) {
            *dir = d;
            return true;
        }
    }
    return false;
}

} // namespace ladder::trace
