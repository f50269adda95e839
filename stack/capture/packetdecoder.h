// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "capturereader.h"
#include "flatmap.h"
#include "payloadarena.h"
#include "reassembly.h"
#include "tls/tlsdecoder.h"

#include <QHash>
#include <QSet>

#include <memory>

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
        enum class Mode { Sip, HttpUpgrade, WebSocket, Tls, Ignored };
        Mode mode = Mode::Sip;
        int tlsSide = -1; // Mode::Tls: tls::Connection::Client or Server
        QByteArray plain; // Mode::Tls: decrypted bytes not yet framed into a message
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
    bool frameSip(const CapturedPacket& p, QByteArray& buffer, const QString& from, const QString& to,
        quint64 transport, quint64 connectionId);
    bool frameTls(const CapturedPacket& p, TcpStream& s, const QString& from, const QString& to);
    void tlsNotDecrypted(quint64 connectionId, const QString& why);
    void tlsDecryptedLate(quint64 connectionId);
    void tlsWarning();
    bool isDuplicate(const uchar* d, qsizetype n);
    void decodeSctp(const CapturedPacket& p, const QString& from, const QString& to, const uchar* d, qsizetype n,
        bool native);
    void emitSip(const CapturedPacket& p, const QString& from, const QString& to, const QByteArray& msg,
        quint64 transport, quint64 connectionId);
    void emitEvent(Event&& e);
    quint64 associationId(const QString& from, const QString& to);
    QString endpointText(const uchar* addr, int len, quint16 port);
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
    // An endpoint's text per address and port, so that every event from one endpoint shares one
    // string (formatting it was a tenth of a capture's reading time).
    struct EndpointKey {
        quint64 a0 = 0, a1 = 0;
        quint32 portLen = 0; // port | address length << 16
        bool operator==(const EndpointKey& o) const { return a0 == o.a0 && a1 == o.a1 && portLen == o.portLen; }
    };
    struct EndpointKeyHash {
        size_t operator()(const EndpointKey& k) const { return size_t(mix64(k.a0 ^ mix64(k.a1 ^ k.portLen))); }
    };
    FlatMap<EndpointKey, QString, EndpointKeyHash> m_endpoints;
    PayloadArena m_payloads; // the events' copies of SIP datagrams
    // Top Via branch + ' ' + CSeq method → transaction id (from 1, in order: 32 bits, as the
    // table would need 64 GiB before they ran out).
    ByteKeyMap<quint32> m_transactions;
    // A SIP message seen before on the same from/to: two independent hashes of the bytes, each
    // folded with the endpoints and the length (a 96-bit key; SHA-1 cost a tenth of the reading
    // time) → times seen.
    SeenCounts m_seenSip;
    QHash<quint64, QSet<quint32>> m_seenTsn; // (association << 1 | direction) → DATA TSNs
    // SIP over TLS (tls/): the key log (null without one), the connections by connection id, and
    // those not decrypted (counted in one warning, kept up to date).
    std::unique_ptr<tls::KeyLog> m_keyLog;
    QHash<quint64, std::shared_ptr<tls::Connection>> m_tlsConnections;
    QSet<quint64> m_tlsUndecrypted;
    qsizetype m_tlsWarning = -1; // its index in the result's warnings
    QString m_tlsFirstWhy;
    quint64 m_tlsLate = 0; // connections whose secrets reached the key log after their handshake
};

} // namespace ladder::trace
