// SPDX-License-Identifier: GPL-3.0-or-later
#include "sctplesson.h"

#include "lab/peers/sctppeers.h"
#include "sctp/endpoint.h"
#include "sctp/engine.h"

#include <QtEndian>

#include <usrsctp.h>

namespace ladder::lab {

SctpLessonPeers::SctpLessonPeers(const Lesson& lesson, sctp::Engine& engine)
    : m_lesson(lesson)
    , m_engine(engine)
{
}

SctpLessonPeers::~SctpLessonPeers() = default;

QString SctpLessonPeers::configure(sctp::Endpoint& ep, const LessonPeer& p)
{
    auto failed = [&](const QString& call, const sctp::Error& e) {
        return QStringLiteral("%1: %2: %3").arg(p.name, call, e.text());
    };
    if (auto r = ep.setRto(quint32(p.rtoInitialMs), quint32(p.rtoMinMs), quint32(p.rtoMaxMs)); !r)
        return failed(QStringLiteral("rto_ms"), r.error());
    if (auto r = ep.setPrSupported(p.prSupported); !r)
        return failed(QStringLiteral("pr_sctp"), r.error());
    if (p.outStreams > 0 || p.inStreams > 0) {
        if (auto r = ep.setStreams(
                quint16(p.outStreams > 0 ? p.outStreams : 10), quint16(p.inStreams > 0 ? p.inStreams : 2048));
            !r)
            return failed(QStringLiteral("streams"), r.error());
    }
    if (p.sendBuffer > 0) {
        if (auto r = ep.setSendBuffer(p.sendBuffer); !r)
            return failed(QStringLiteral("send_buffer"), r.error());
    }
    if (p.heartbeatMs >= 0) {
        if (auto r = ep.setHeartbeat(quint32(p.heartbeatMs), quint16(p.pathMaxRetrans)); !r)
            return failed(QStringLiteral("heartbeat"), r.error());
    }
    return {};
}

bool SctpLessonPeers::setUp(const std::function<sctp::Transport&(const QString& host)>& sideOf, QString* error)
{
    for (const LessonPeer& p : m_lesson.peers) {
        if (p.kind != LessonPeer::Kind::Sctp)
            continue;
        Peer& peer = m_peers[p.name];
        peer.spec = &p;
        const sctp::Style style = p.oneToMany ? sctp::Style::OneToMany : sctp::Style::OneToOne;
        sctp::Endpoint* ep = nullptr;
        if (p.listen) {
            peer.sink = std::make_unique<peers::SctpSink>(m_engine, sideOf(p.host), p.port, style);
            if (!peer.sink->ok()) {
                *error = QStringLiteral("%1: listening on %2:%3: %4")
                             .arg(p.name, p.host)
                             .arg(p.port)
                             .arg(peer.sink->error());
                return false;
            }
            ep = peer.sink->listener();
        } else {
            peer.sender = std::make_unique<peers::SctpSender>(m_engine, sideOf(p.host), style);
            ep = peer.sender->endpoint();
            if (!ep) {
                *error = QStringLiteral("%1: socket() failed").arg(p.name);
                return false;
            }
            if (p.port) {
                if (auto r = ep->bind(p.port); !r) {
                    *error = QStringLiteral("%1: bind to port %2: %3").arg(p.name).arg(p.port).arg(r.error().text());
                    return false;
                }
            }
        }
        // Before any association exists: the options reach every association of the socket
        // (and those a one-to-one listener accepts).
        if (const QString why = configure(*ep, p); !why.isEmpty()) {
            *error = why;
            return false;
        }
    }
    return true;
}

sctp::Endpoint* SctpLessonPeers::socketOf(Peer& p)
{
    if (p.sender)
        return p.sender->endpoint();
    if (p.spec->oneToMany)
        return p.sink->listener();
    for (sctp::Endpoint* ep : p.sink->accepted())
        if (ep->isOpen())
            return ep;
    return nullptr;
}

bool SctpLessonPeers::fire(const LessonAction& a, QString* what)
{
    Peer& p = m_peers.at(a.peer);
    sctp::Endpoint* ep = socketOf(p);
    if (a.kind == LessonAction::Kind::SctpConnect) {
        const LessonPeer& to = *m_peers.at(a.to).spec;
        const sctp::Address address { to.host, to.port };
        *what = QStringLiteral("%1 connects to %2 (%3)").arg(a.peer, a.to, address.toString());
        auto r = ep->connect(address);
        if (!r) {
            *what += QStringLiteral(": %1").arg(r.error().text());
            return false;
        }
        *what += QStringLiteral(", association %1").arg(r.value());
        return true;
    }
    if (!ep || !ep->isOpen()) {
        *what = QStringLiteral("%1 %2: no open socket%3")
                    .arg(a.peer,
                        a.kind == LessonAction::Kind::SctpSendmsg ? QStringLiteral("sctp_sendmsg")
                                                                  : QStringLiteral("shutdown/abort"),
                        p.sink && !p.spec->oneToMany ? QStringLiteral(" (no association accepted yet: ENOTCONN)")
                                                     : QString());
        return false;
    }
    if (a.kind == LessonAction::Kind::SctpShutdown) {
        *what = QStringLiteral("%1 shuts its association down (shutdown(2))").arg(a.peer);
        auto r = ep->shutdown();
        if (!r)
            *what += QStringLiteral(": %1").arg(r.error().text());
        return bool(r);
    }
    if (a.kind == LessonAction::Kind::SctpAbort) {
        *what = QStringLiteral("%1 aborts (close(2) with SO_LINGER 0: ABORT)").arg(a.peer);
        ep->close(true);
        return true;
    }
    return sendmsg(p, a, what);
}

bool SctpLessonPeers::sendmsg(Peer& p, const LessonAction& a, QString* what)
{
    sctp::Endpoint* ep = socketOf(p);
    sctp::SendInfo info;
    info.flags = a.sctpFlags;
    info.timetolive = a.timetolive;
    info.stream = a.stream;
    info.ppid = qToBigEndian(a.ppid); // the number the teacher wrote is the one on the wire
    if (!a.to.isEmpty() && (p.spec->oneToMany || (a.sctpFlags & sctp::flag::AddrOver))) {
        const LessonPeer& to = *m_peers.at(a.to).spec;
        info.to = sctp::Address { to.host, to.port };
    }
    int accepted = 0;
    QString error;
    for (int n = 0; n < a.repeat; ++n) {
        QByteArray data = a.data;
        data.replace("${n}", QByteArray::number(n));
        if (data.size() < a.size)
            data += QByteArray(a.size - data.size(), '.');
        info.context = a.context + quint32(n);
        auto r = ep->send(data, info);
        if (!r) {
            error = r.error().text();
            break;
        }
        ++accepted;
    }
    QString flags = info.describeFlags();
    *what = QStringLiteral("%1 sctp_sendmsg%2 (%3, stream %4, context %5%6)")
                .arg(a.peer, a.repeat > 1 ? QStringLiteral(" x%1").arg(a.repeat) : QString(), flags)
                .arg(a.stream)
                .arg(a.context)
                .arg(a.repeat > 1 ? QStringLiteral("-%1").arg(a.context + quint32(a.repeat) - 1) : QString());
    if (!error.isEmpty()) {
        *what += QStringLiteral(": %1 accepted, then %2").arg(accepted).arg(error);
        return false;
    }
    *what += QStringLiteral(": accepted");
    return true;
}

void SctpLessonPeers::setOnDelivery(const std::function<void()>& fn)
{
    for (auto& [name, p] : m_peers) {
        if (p.sink)
            p.sink->setOnReceived(fn);
        if (p.sender)
            p.sender->setOnReceived(fn);
    }
}

bool SctpLessonPeers::settled()
{
    for (const sctp::AssociationInfo& i : m_engine.readAssociations()) {
        if (i.state == QLatin1String("CLOSED") || i.state == QLatin1String("ABORTED"))
            continue;
        // The code read just now (the state's name waits for the lab's own read, Engine::readStatus).
        if (i.stateCode != SCTP_ESTABLISHED || i.unackedChunks || i.pendingChunks)
            return false;
    }
    return true;
}

const QList<sctp::ReceivedMessage>* SctpLessonPeers::received(const Peer& p) const
{
    return p.sink ? &p.sink->received() : p.sender ? &p.sender->received() : nullptr;
}

qint64 SctpLessonPeers::delivered(const LessonExpectation& e) const
{
    const auto it = m_peers.find(e.peer);
    if (it == m_peers.end() || !received(it->second))
        return 0;
    qint64 n = 0;
    for (const sctp::ReceivedMessage& m : *received(it->second))
        n += (e.stream < 0 || m.stream == e.stream) && (e.unordered < 0 || m.unordered == bool(e.unordered))
            && (e.text.isEmpty() || m.data.contains(e.text.toUtf8()));
    return n;
}

QStringList SctpLessonPeers::deliveries() const
{
    QStringList out;
    for (const LessonPeer& p : m_lesson.peers) {
        const auto it = m_peers.find(p.name);
        if (it == m_peers.end() || !received(it->second))
            continue;
        const qsizetype n = received(it->second)->size();
        if (n || p.listen)
            out << QStringLiteral("%1: %2 message(s) received").arg(p.name).arg(n);
    }
    return out;
}

} // namespace ladder::lab
