// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "capturereader.h"
#include "reassembly.h"

#include <QHash>
#include <QSet>

namespace ladder::trace {

// One captured packet, as the container formats hand it over.
struct CapturedPacket {
    quint32 linktype = 0;
    qint64 timeNs = 0; // wall-clock
    const uchar* data = nullptr;
    qsizetype size = 0; // captured bytes
    QString comment;
    Dir dir = Dir::None;
    // Appended to the events' text in brackets (a HEP packet's capture agent, say); empty: nothing.
    QString note;
};

// Decodes link, network and transport layers of captured packets into journal events, keeping the
// state that spans packets (TCP streams, association and transaction numbering, retransmission
// detection). Internal to capturereader.cpp; the input is untrusted, so every access is bounded.
class PacketDecoder {
public:
    PacketDecoder(const EventSink& sink, const CaptureReadOptions& options, CaptureReadResult& result);
    void decode(const CapturedPacket& p);

private:
    struct Flow {
        const uchar* src;
        const uchar* dst;
        int addrLen;
        quint16 sport = 0, dport = 0;
    };
    struct TcpStream {
        enum class Mode { Sip, HttpUpgrade, WebSocket };
        Mode mode = Mode::Sip;
        QByteArray wsMessage; // a fragmented WebSocket message so far
        TcpReorder order;
        QByteArray buffer; // in-order bytes not yet framed into a message
        quint64 connectionId = 0;
    };

    void decodeEthernet(const CapturedPacket& p, const uchar* d, qsizetype n, int depth);
    void decodeIp(const CapturedPacket& p, const uchar* d, qsizetype n, int depth);
    static bool skipIpv6Extensions(const uchar* d, qsizetype end, quint8* proto, qsizetype* off);
    void defragment(const CapturedPacket& p, Flow f, quint8 proto, const QByteArray& key, qsizetype offset, bool more,
        const uchar* d, qsizetype n, int depth);
    void decodeTransport(const CapturedPacket& p, Flow f, quint8 proto, const uchar* t, qsizetype tn, int depth);
    void decodeGre(const CapturedPacket& p, const uchar* d, qsizetype n, int depth);
    void decodeUdp(const CapturedPacket& p, Flow f, const uchar* d, qsizetype n, int depth);
    void decodeTcp(const CapturedPacket& p, Flow f, const uchar* d, qsizetype n);
    bool frameTcp(const CapturedPacket& p, TcpStream& s, const QString& from, const QString& to);
    bool frameWebSocket(const CapturedPacket& p, TcpStream& s, const QString& from, const QString& to);
    bool isDuplicate(const uchar* d, qsizetype n);
    void decodeSctp(const CapturedPacket& p, const QString& from, const QString& to, const uchar* d, qsizetype n,
        bool native);
    void emitSip(const CapturedPacket& p, const QString& from, const QString& to, const QByteArray& msg,
        quint64 transport, quint64 connectionId);
    void emitEvent(Event&& e);
    quint64 associationId(const QString& from, const QString& to);
    void ignore() { ++m_result.ignored; }
    void warn(const QString& w);

    const EventSink& m_sink;
    CaptureReadOptions m_options;
    CaptureReadResult& m_result;
    bool m_haveFirst = false;
    qint64 m_firstNs = 0;
    qint64 m_nowNs = 0;
    QHash<QByteArray, TcpStream> m_tcp;
    IpDefragmenter m_defrag;
    qint64 m_dedupWindowNs = 0; // for this packet's link type
    QHash<quint64, qint64> m_recent; // digest of a recent datagram → when it was last seen
    quint64 m_nextConnection = 1;
    QHash<QString, quint64> m_assocs;
    QHash<QByteArray, quint64> m_transactions;
    QHash<QByteArray, quint64> m_seenSip; // digest of from/to/bytes → times seen
    QHash<quint64, QSet<quint32>> m_seenTsn; // (association << 1 | direction) → DATA TSNs
};

} // namespace ladder::trace
