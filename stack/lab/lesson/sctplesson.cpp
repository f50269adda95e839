// SPDX-License-Identifier: GPL-3.0-or-later
#include "sctplesson.h"

#include "lab/peers/sctppeers.h"
#include "sctp/endpoint.h"
#include "sctp/engine.h"

#include <QSet>
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
    // The composer's socket keeps what socket(2) gives unless the file says otherwise.
    if (p.rtoInitialMs > 0) {
        if (auto r = ep.setRto(quint32(p.rtoInitialMs), quint32(p.rtoMinMs), quint32(p.rtoMaxMs)); !r)
            return failed(QStringLiteral("rto_ms"), r.error());
    }
    if (!p.composer || p.prGiven) {
        if (auto r = ep.setPrSupported(p.prSupported); !r)
            return failed(QStringLiteral("pr_sctp"), r.error());
    }
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
    m_sideOf = sideOf;
    QSet<QString> byAction; // peers a "socket" action opens later
    for (const LessonAction& a : m_lesson.actions)
        if (a.kind == LessonAction::Kind::SctpSocket)
            byAction.insert(a.peer);
    for (const LessonPeer& p : m_lesson.peers) {
        if (p.kind != LessonPeer::Kind::Sctp)
            continue;
        Peer& peer = m_peers[p.name];
        peer.spec = &p;
        if (!byAction.contains(p.name) && !open(peer, error))
            return false;
    }
    return true;
}

bool SctpLessonPeers::open(Peer& peer, QString* error)
{
    const LessonPeer& p = *peer.spec;
    const auto& sideOf = m_sideOf;
    {
        const sctp::Style style = p.oneToMany ? sctp::Style::OneToMany : sctp::Style::OneToOne;
        sctp::Endpoint* ep = nullptr;
        if (p.listen) {
            if (p.echo)
                peer.sink = std::make_unique<peers::SctpEcho>(m_engine, sideOf(p.host), p.port, style);
            else
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
            if (p.composer) // a bare socket: what arrives is the composer's to read
                ep = peer.bare = m_engine.socket(style, sideOf(p.host));
            else
                peer.sender = std::make_unique<peers::SctpSender>(m_engine, sideOf(p.host), style);
            if (peer.sender)
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
        if (m_onDelivery) {
            if (peer.sink)
                peer.sink->setOnReceived(m_onDelivery);
            if (peer.sender)
                peer.sender->setOnReceived(m_onDelivery);
        }
    }
    return true;
}

int SctpLessonPeers::composerDescriptor() const
{
    for (const auto& [name, p] : m_peers)
        if (p.bare)
            return p.bare->descriptor();
    return -1;
}

bool SctpLessonPeers::up(const QString& peer) const
{
    const auto it = m_peers.find(peer);
    if (it == m_peers.end())
        return false;
    const Peer& p = it->second;
    if (p.sender)
        return p.sender->up();
    if (!p.sink)
        return false;
    if (p.spec->oneToMany)
        return !p.sink->listener()->associations().isEmpty();
    for (sctp::Endpoint* ep : p.sink->accepted())
        if (ep->isOpen())
            return true;
    return false;
}

bool SctpLessonPeers::down(const QString& peer) const
{
    const auto it = m_peers.find(peer);
    if (it == m_peers.end())
        return false;
    const Peer& p = it->second;
    if (p.sender) // an association this socket aborted itself (SCTP_ABORT) is told by no notification
        return p.sender->down() || (p.sender->up() && p.sender->endpoint()->associations().isEmpty());
    if (!p.sink)
        return false;
    // A listener: it took at least one association and every one has ended.
    if (p.spec->oneToMany)
        return !p.sink->closedReasons().isEmpty() && p.sink->listener()->associations().isEmpty();
    return !p.sink->accepted().isEmpty() && p.sink->closedReasons().size() >= p.sink->accepted().size();
}

sctp::Endpoint* SctpLessonPeers::socketOf(Peer& p)
{
    if (p.bare)
        return p.bare;
    if (p.sender)
        return p.sender->endpoint();
    if (!p.sink)
        return nullptr; // not opened yet
    if (p.spec->oneToMany)
        return p.sink->listener();
    for (sctp::Endpoint* ep : p.sink->accepted())
        if (ep->isOpen())
            return ep;
    return nullptr;
}

bool SctpLessonPeers::fire(const LessonAction& a, QString* what, int call)
{
    Peer& p = m_peers.at(a.peer);
    if (a.kind == LessonAction::Kind::SctpSocket) {
        *what = QStringLiteral("%1 opens its socket (socket(2)%2)").arg(a.peer, p.spec->port ? QStringLiteral(", bind to port %1").arg(p.spec->port) : QString());
        if (p.sink || p.sender || p.bare) {
            *what += QStringLiteral(": it is open already");
            return false;
        }
        QString error;
        if (!open(p, &error)) {
            *what += QStringLiteral(": ") + error;
            return false;
        }
        *what += QStringLiteral(", descriptor %1").arg(socketOf(p) ? socketOf(p)->descriptor() : -1);
        return true;
    }
    sctp::Endpoint* ep = socketOf(p);
    if (a.kind == LessonAction::Kind::SctpConnect) {
        if (!ep) {
            *what = QStringLiteral("%1 connects to %2: no socket yet (its \"socket\" action has not run)").arg(a.peer, a.to);
            return false;
        }
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
    return sendmsg(p, a, what, call);
}

bool SctpLessonPeers::sendmsg(Peer& p, const LessonAction& a, QString* what, int call)
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
    for (int n = call < 0 ? 0 : call; n < (call < 0 ? a.repeat : call + 1); ++n) {
        QByteArray data = a.data;
        data.replace("${n}", QByteArray::number(n));
        if (data.size() < a.size)
            data += QByteArray(a.size - data.size(), a.pad);
        info.context = a.context + quint32(n) * a.contextStep;
        auto r = ep->send(data, info);
        if (!r) {
            error = r.error().text();
            break;
        }
        ++accepted;
    }
    QString flags = info.describeFlags();
    *what = QStringLiteral("%1 sctp_sendmsg%2 (%3, stream %4, context %5%6)")
                .arg(a.peer,
                    call >= 0       ? QStringLiteral(" %1 of %2").arg(call + 1).arg(a.repeat)
                        : a.repeat > 1 ? QStringLiteral(" x%1").arg(a.repeat)
                                       : QString(),
                    flags)
                .arg(a.stream)
                .arg(call >= 0 ? a.context + quint32(call) * a.contextStep : a.context)
                .arg(call < 0 && a.repeat > 1 && a.contextStep ? QStringLiteral("-%1").arg(a.context + (quint32(a.repeat) - 1) * a.contextStep) : QString());
    if (!error.isEmpty()) {
        *what += QStringLiteral(": %1 accepted, then %2").arg(accepted).arg(error);
        return false;
    }
    *what += QStringLiteral(": accepted");
    return true;
}

void SctpLessonPeers::setOnDelivery(const std::function<void()>& fn)
{
    m_onDelivery = fn;
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
    // out_of_order: a message after one sent later on its association (a lower TSN, serial arithmetic)
    std::map<quint64, quint32> lastTsn;
    for (const sctp::ReceivedMessage& m : *received(it->second)) {
        if (!((e.stream < 0 || m.stream == e.stream) && (e.unordered < 0 || m.unordered == bool(e.unordered))
                && (e.text.isEmpty() || m.data.contains(e.text.toUtf8()))))
            continue;
        if (!e.outOfOrder) {
            ++n;
            continue;
        }
        const auto last = lastTsn.find(m.association);
        if (last != lastTsn.end())
            n += qint32(m.tsn - last->second) < 0;
        lastTsn[m.association] = m.tsn;
    }
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
