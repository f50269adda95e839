// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine.h"
#include "inbox.h"
#include "result.h"
#include "sendinfo.h"
#include "journal/journal.h"

#include <QObject>

struct socket;
struct sockaddr_conn;
struct sctp_sendv_spa;

namespace ladder::sctp {

class Transport;

// An SCTP socket: one-to-one (SOCK_STREAM) or one-to-many (SOCK_SEQPACKET), with the calls of
// the sockets API extensions for SCTP (RFC 6458) and sctp_sendmsg(3)/sctp_sendmsgx(3) semantics.
// Always non-blocking — usrsctp runs in this thread, so a blocking call could never complete:
// connect returns at once (the association comes up later, associationUp), accept and receive
// return EAGAIN when there is nothing yet, send returns EAGAIN when the send buffer is full.
// usrsctp tells us about readable data and notifications through its upcall; we never use the
// receive callback (shared/USRSCTP.md: the upcall API avoids its lock problems).
class Endpoint : public QObject {
    Q_OBJECT
public:
    ~Endpoint() override;

    int descriptor() const { return m_descriptor; }
    Style style() const { return m_style; }
    bool isOpen() const { return m_so != nullptr; }
    Transport& transport() const { return *m_transport; }
    quint16 localPort() const { return m_localPort; }
    Address localAddress() const;

    // Socket options that must be set before associations come up.
    Result<void> setStreams(quint16 outbound, quint16 maxInbound);
    Result<void> setPrSupported(bool on); // default on
    Result<void> setInterleaving(bool on); // I-DATA / I-FORWARD-TSN (default off)
    Result<void> setSendBuffer(int bytes);
    Result<void> setNoDelay(bool on);
    // Retransmission timeout bounds in ms (lab lessons and tests want them short).
    Result<void> setRto(quint32 initialMs, quint32 minMs, quint32 maxMs);
    // Heartbeat interval in ms for future associations (0 = off) and path max retransmissions.
    Result<void> setHeartbeat(quint32 intervalMs, quint16 pathMaxRxt = 5);
    // Aborts instead of shutting down gracefully on close (SO_LINGER {1, 0}).
    Result<void> setLingerAbort(bool on);

    Result<void> bind(quint16 port = 0);
    // Port 0 takes the next ephemeral port from 49152 up, process-wide; a lab run in virtual time
    // starts them again from 49152 (lab::VirtualSctp), so a second run in one process (the window's)
    // binds the ports the first did — the same packets, byte for byte. A port still in use is skipped.
    static void restartEphemeralPorts();
    Result<void> listen(int backlog = 8);
    // Starts an association (non-blocking); returns our association id.
    Result<quint64> connect(const Address& peer);
    // sctp_connectx: several addresses of one peer. AF_CONN cannot multi-home (USRSCTP.md), so
    // every address must reach the same peer through this transport; the first is the primary.
    Result<quint64> connectx(const QList<Address>& peers);
    // One-to-one listener: the next established association as its own endpoint, or EAGAIN.
    Result<Endpoint*> accept();
    // One-to-many: branch an association off to its own one-to-one endpoint.
    Result<Endpoint*> peeloff(quint64 association);

    // sctp_sendmsg(3) / sctp_sendmsgx(3). Returns the number of bytes accepted. A one-to-one
    // endpoint must be connected ("on a non-connected one-to-one socket ... ENOTCONN ... the
    // message not being transmitted"); a one-to-many one sets an association up implicitly when
    // given an address it has none with (the data rides on COOKIE-ECHO).
    Result<qint64> send(const QByteArray& data, const SendInfo& info);

    // Received messages, oldest first.
    bool hasMessages() const { return !m_inbox.empty(); }
    int messageCount() const { return int(m_inbox.size()); }
    Result<ReceivedMessage> receive();
    // The same into `message`, reusing its data buffer when it is not shared and large enough:
    // a receive loop that keeps one ReceivedMessage allocates nothing per small message.
    Result<void> receiveInto(ReceivedMessage& message);

    // shutdown(SHUT_WR): graceful SHUTDOWN of the (one-to-one) association.
    Result<void> shutdown();
    // close(2): a graceful SHUTDOWN of its associations, which usrsctp carries on after the call.
    // abort = true: SO_LINGER {1, 0}, an ABORT now and nothing left behind — what the engine does
    // when it goes away, since nothing would be left to carry a SHUTDOWN through.
    void close(bool abort = false);

    QList<quint64> associations() const;
    // One-to-one: the association, 0 when none.
    quint64 association() const;
    bool peerClosed() const { return m_peerClosed; }

signals:
    void readyRead(); // messages arrived
    void incomingConnection(); // a one-to-one listener has an association to accept
    void associationUp(quint64 association);
    void associationDown(quint64 association, const QString& why);
    void notification(quint64 association, int type, const QString& text);
    void closed();

private:
    friend class Engine;
    Endpoint(Engine& engine, Style style, Transport& transport, int descriptor, struct socket* so, bool adopted);

    // usrsctp's receive buffer for the socket, and the largest message received in one piece.
    static constexpr int kReceiveBuffer = 256 * 1024;

    static void upcall(struct socket* so, void* arg, int flags);
    // Called by ~Transport: aborts the socket and leaves the endpoint on Transport::gone().
    friend class Transport;
    void transportGone();
    void detachTransport();
    void scheduleEvents();
    void processEvents();
    void handleNotification(const QByteArray& buffer);
    void setUpSocket(bool adopted);
    Result<void> ensureBound();
    Error fail(int code, const QString& sentence, quint64 association = 0);
    Error mapSendError(int code, const SendInfo& info, quint64 association);
    bool resolve(const Address& a, ::sockaddr_conn& out, QString* why);
    Address peerAddressOf(const void* sockaddr) const;
    // The UserAction text of a send. A bulk sender repeats the same call: its text is reused
    // (shared, no allocation) while it does.
    const QString& sendText(qsizetype size, const SendInfo& info)
    {
        const SendKey key { size, info.ppid, info.flags, info.timetolive, info.context, info.stream };
        return key == m_lastSendKey && !m_lastSendText.isEmpty() ? m_lastSendText : newSendText(key, info);
    }
    struct SendKey {
        qsizetype size = 0;
        quint32 ppid = 0, flags = 0, timetolive = 0, context = 0;
        quint16 stream = 0;
        bool operator==(const SendKey&) const = default;
    };
    const QString& newSendText(const SendKey& key, const SendInfo& info);
    // What a send that usrsctp took changes on association x: stream counters, the PR policy of
    // the message's context, the journal's UserAction, EOF/ABORT state.
    void noteSent(Engine::Record& x, const QByteArray& data, const SendInfo& info);
    // A send in explicit-EOR mode, which lets usrsctp prune BUF/PRIO messages when the message
    // does not fit (see sendOne). sendBuffer > 0: sctp_sendmsg(3)'s BUF, its first byte sent alone
    // into a send buffer ending just past what is queued (about sendBuffer), so that usrsctp
    // prunes exactly one message.
    ssize_t sendPruning(const QByteArray& data, struct sctp_sendv_spa spa, ::sockaddr_conn* to, int sendBuffer = 0);
    // Whether usrsctp's pruning for `bytes` at priority `value` would be satisfied by BUF/PRIO
    // data already sent (Engine::Record::bufInFlight): only then is it safe to start.
    bool bufPrunable(const Engine::Record& r, quint32 value, qint64 bytes) const;
    // The association's queued bytes as far as usrsctp's sockopts tell (a lower bound).
    int usrsctpQueued(quint32 sctpAssoc) const;
    Result<qint64> sendOne(const QByteArray& data, const SendInfo& info, ::sockaddr_conn* to,
        quint32 sctpAssoc, quint64 association);

    Engine& m_engine;
    Style m_style;
    Transport* m_transport; // never null: Transport::gone() once the transport was destroyed
    int m_descriptor;
    struct socket* m_so;
    quint16 m_localPort = 0;
    bool m_listening = false;
    bool m_ownsPort = false;
    bool m_eventsPosted = false;
    bool m_shutdownSent = false;
    bool m_peerClosed = false;
    Inbox m_inbox;
    QByteArray m_buffer; // recvv target, kept between calls
    // Length of the next message when usrsctp said it is complete in the receive queue
    // (SCTP_RECVNXTINFO), else 0: that message is received straight into its own buffer.
    quint32 m_nextLength = 0;
    bool m_nextInfoOn = false; // SCTP_RECVNXTINFO is on
    ReceivedMessage m_partial; // a message delivered in pieces until MSG_EOR
    // The AF_CONN sender m_partial.from names (see processEvents).
    const void* m_partialFromHandle = nullptr;
    quint16 m_partialFromPort = 0;
    quint64 m_partialFromAdded = ~quint64(0);
    bool m_havePartial = false;
    SendKey m_lastSendKey {}; // the last send's size, PPID, flags, value, context, stream
    QString m_lastSendText;
    trace::Event m_sendEvent; // the UserAction journalled per send, reused
    trace::Journal::RepeatToken m_sendToken; // the stored event m_sendEvent stands for (see noteSent)
    // recordFor's last answer for received data (see processEvents).
    quint64 m_recvRecordId = 0;
    quint32 m_recvRecordAssoc = 0;
    quint64 m_recvRecordsAdded = ~quint64(0);
};

} // namespace ladder::sctp
