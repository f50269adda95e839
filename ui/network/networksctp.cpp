// SPDX-License-Identifier: GPL-3.0-or-later
#include "networksctp.h"

#include "host/stack.h"
#include "journal/journal.h"
#include "lab/sctpcomposersend.h"
#include "listenerspec.h"
#include "sctp/endpoint.h"
#include "sctp/engine.h"
#include "sctp/runtime.h"
#include "sctp/udptransport.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QThread>
#include <QtEndian>

#include <algorithm>

namespace ladder::ui {

QString SctpEndpointSpec::validate() const
{
    QHostAddress a;
    if (!a.setAddress(host))
        return QObject::tr("the local address '%1' is not an IPv4 or IPv6 address (127.0.0.1, ::1, 0.0.0.0)").arg(host);
    if (remoteUdpPort == 0)
        return QObject::tr("the peers' UDP encapsulation port must be 1–65535 (usrsctp and ladderctl use 9899)");
    if (!connectTo.trimmed().isEmpty() && !sctp::Address::parse(connectTo.trimmed()))
        return QObject::tr("'%1' is not the SCTP peer's HOST:PORT (127.0.0.1:5000)").arg(connectTo.trimmed());
    if (!listen && connectTo.trimmed().isEmpty())
        return QObject::tr("the SCTP endpoint neither listens nor connects: tick Listen or give a peer to connect to");
    return {};
}

bool SctpEndpointSpec::loopback() const
{
    return QHostAddress(host).isLoopback();
}

QString SctpEndpointSpec::describe(quint16 boundUdpPort, quint16 boundSctpPort) const
{
    const quint16 port = boundSctpPort ? boundSctpPort : sctpPort;
    const QString udp = host.contains(QLatin1Char(':')) ? QStringLiteral("[%1]:%2") : QStringLiteral("%1:%2");
    QString s = QObject::tr("SCTP %1 port %2 over UDP %3 (peers' UDP %4)")
                    .arg(oneToMany ? QObject::tr("one-to-many") : QObject::tr("one-to-one"))
                    .arg(port ? QString::number(port) : QObject::tr("ephemeral"))
                    .arg(udp.arg(host).arg(boundUdpPort ? boundUdpPort : localUdpPort))
                    .arg(remoteUdpPort);
    if (listen)
        s += QObject::tr(", listening");
    if (!connectTo.trimmed().isEmpty())
        s += QObject::tr(", connecting to %1").arg(connectTo.trimmed());
    return s;
}

QJsonObject SctpEndpointSpec::toJson() const
{
    return QJsonObject { { QStringLiteral("enabled"), enabled }, { QStringLiteral("host"), host },
        { QStringLiteral("localUdpPort"), localUdpPort }, { QStringLiteral("remoteUdpPort"), remoteUdpPort },
        { QStringLiteral("sctpPort"), sctpPort }, { QStringLiteral("style"), oneToMany ? QStringLiteral("one-to-many") : QStringLiteral("one-to-one") },
        { QStringLiteral("listen"), listen }, { QStringLiteral("connectTo"), connectTo } };
}

SctpEndpointSpec SctpEndpointSpec::fromJson(const QJsonObject& o)
{
    SctpEndpointSpec s;
    auto port = [&](const char* key, quint16 fallback) {
        const int v = o.value(QLatin1String(key)).toInt(fallback);
        return quint16(std::clamp(v, 0, 65535));
    };
    s.enabled = o.value(QStringLiteral("enabled")).toBool(false);
    s.host = o.value(QStringLiteral("host")).toString(s.host);
    s.localUdpPort = port("localUdpPort", s.localUdpPort);
    s.remoteUdpPort = port("remoteUdpPort", s.remoteUdpPort);
    s.sctpPort = port("sctpPort", s.sctpPort);
    s.oneToMany = o.value(QStringLiteral("style")).toString() != QLatin1String("one-to-one");
    s.listen = o.value(QStringLiteral("listen")).toBool(true);
    s.connectTo = o.value(QStringLiteral("connectTo")).toString();
    return s;
}

struct NetworkSctp::Burst {
    lab::SctpComposerRequest request;
    sctp::SendInfo info;
    std::function<void(const NetworkResult&)> done;
    int sent = 0;
    qint64 bytes = 0;
    Scheduler::TimerId timer = 0;
};

NetworkSctp::NetworkSctp(Stack& stack, QObject* parent)
    : QObject(parent)
    , m_stack(stack)
{
    // The associations and streams views: at 4 Hz while running (rwnd, cwnd, counters move
    // without a state change), and at once after a change.
    m_publish.setInterval(250);
    connect(&m_publish, &QTimer::timeout, this, [this] { emit associationsReady(associations()); });
}

NetworkSctp::~NetworkSctp()
{
    stop();
}

quint16 NetworkSctp::udpPort() const
{
    return m_udp ? m_udp->udpPort() : 0;
}

QList<sctp::AssociationInfo> NetworkSctp::associations() const
{
    return m_engine ? m_engine->associations() : QList<sctp::AssociationInfo> {};
}

bool NetworkSctp::start(const SctpEndpointSpec& spec, QString* bound, QString* error)
{
    stop();
    if (const QString why = spec.validate(); !why.isEmpty()) {
        *error = QStringLiteral("SCTP: %1").arg(why);
        return false;
    }
    m_spec = spec;
    m_engine = std::make_unique<sctp::Engine>(m_stack);
    m_udp = std::make_unique<sctp::UdpTransport>(*m_engine);
    auto fail = [&](const QString& why) {
        *error = QStringLiteral("SCTP over UDP %1:%2: %3").arg(spec.host).arg(spec.localUdpPort).arg(why);
        stop();
        return false;
    };
    if (auto b = m_udp->bind(QHostAddress(spec.host), spec.localUdpPort); !b)
        return fail(b.error().text());
    m_udp->setPeerUdpPort(spec.remoteUdpPort);
    connect(m_engine.get(), &sctp::Engine::associationChanged, this, [this] { publishSoon(); });
    connect(m_engine.get(), &sctp::Engine::associationAdded, this, [this] { publishSoon(); });

    const sctp::Style style = spec.oneToMany ? sctp::Style::OneToMany : sctp::Style::OneToOne;
    const QString peer = spec.connectTo.trimmed();
    // A one-to-one socket either listens or connects: the listener is the spec's socket and the
    // connection gets one of its own (as sctp_connect on a second socket would).
    if (spec.listen || spec.oneToMany) {
        m_main = m_engine->socket(style, *m_udp);
        adopt(m_main);
        if (auto b = m_main->bind(spec.sctpPort); !b)
            return fail(tr("SCTP port %1: %2").arg(spec.sctpPort).arg(b.error().text()));
        if (spec.listen)
            if (auto l = m_main->listen(); !l)
                return fail(l.error().text());
    }
    m_publish.start();
    *bound = spec.describe(m_udp->udpPort(), m_main ? m_main->localPort() : 0);
    m_stack.log(1, tr("network mode: %1").arg(*bound));
    if (!peer.isEmpty()) {
        const NetworkResult r = connectTo(peer);
        if (!r.ok)
            return fail(r.errnoName + QStringLiteral(": ") + r.text);
    }
    publishSoon();
    return true;
}

void NetworkSctp::stop()
{
    cancelBurst();
    m_publish.stop();
    if (!m_engine)
        return;
    // ABORT what is still up: nothing would be left to carry a SHUTDOWN through once the socket
    // is closed (SCTP_EOF from the composer first shuts down gracefully).
    for (sctp::Endpoint* ep : m_sockets)
        if (ep->isOpen())
            ep->close(true);
    // The ABORTs usrsctp just emitted wait for the runtime's queued flush (conn_output never sends
    // inside usrsctp): deliver it now, so they leave through the socket before it closes.
    sctp::Runtime& runtime = m_engine->runtime();
    if (runtime.thread() == QThread::currentThread())
        QCoreApplication::sendPostedEvents(&runtime, QEvent::MetaCall);
    m_sockets.clear();
    m_main = nullptr;
    m_udp.reset();
    m_engine.reset();
    m_stack.log(1, tr("network mode: SCTP endpoint closed"));
    emit associationsReady({});
}

void NetworkSctp::adopt(sctp::Endpoint* ep)
{
    m_sockets.push_back(ep);
    connect(ep, &sctp::Endpoint::readyRead, this, [this, ep] { drain(ep); });
    connect(ep, &sctp::Endpoint::incomingConnection, this, [this, ep] { acceptAll(ep); });
    connect(ep, &sctp::Endpoint::associationUp, this, [this, ep](quint64 id) {
        const auto a = m_engine ? m_engine->association(id) : std::nullopt;
        emit event(tr("association #%1 up with %2").arg(id).arg(a ? escapeNetworkText(a->peerAddress.toUtf8(), 80) : QString()));
        publishSoon();
    });
    connect(ep, &sctp::Endpoint::associationDown, this, [this](quint64 id, const QString& why) {
        emit event(tr("association #%1 down: %2").arg(id).arg(why));
        publishSoon();
    });
}

void NetworkSctp::acceptAll(sctp::Endpoint* listener)
{
    for (;;) {
        auto accepted = listener->accept();
        if (!accepted)
            return; // EAGAIN: none left
        adopt(*accepted);
        drain(*accepted); // data may have come with the COOKIE-ECHO
    }
}

void NetworkSctp::drain(sctp::Endpoint* ep)
{
    // Read everything: the inbox must not grow without bound. Each message is logged, its bytes
    // escaped (they come from the network) and cut to a preview.
    while (ep->hasMessages()) {
        auto m = ep->receive();
        if (!m)
            return;
        m_stack.log(1, tr("network mode: SCTP received %1 bytes on association #%2 from %3, stream %4, PPID %5%6: %7")
                           .arg(m->data.size())
                           .arg(m->association)
                           .arg(escapeNetworkText(m->from.toString().toUtf8(), 80))
                           .arg(m->stream)
                           .arg(qFromBigEndian(m->ppid))
                           .arg(m->unordered ? tr(", unordered") : QString())
                           .arg(escapeNetworkText(m->data, 120)));
    }
}

void NetworkSctp::publishSoon()
{
    if (m_publishPosted)
        return;
    m_publishPosted = true;
    QMetaObject::invokeMethod(this, [this] {
        m_publishPosted = false;
        emit associationsReady(associations());
    }, Qt::QueuedConnection);
}

NetworkResult NetworkSctp::connectTo(const QString& peer)
{
    NetworkResult r;
    if (!m_engine) {
        r.errnoName = QStringLiteral("EBADF");
        r.text = tr("no SCTP endpoint is open: tick \"SCTP over UDP\" in the Network panel and start network mode");
        return r;
    }
    const auto to = sctp::Address::parse(peer.trimmed());
    if (!to) {
        r.errnoName = QStringLiteral("EINVAL");
        r.text = tr("'%1' is not the SCTP peer's HOST:PORT (127.0.0.1:5000)").arg(peer.trimmed());
        return r;
    }
    sctp::Endpoint* ep = m_main;
    if (!m_spec.oneToMany) {
        // One-to-one: a socket per connection. Without a listener the first takes the spec's port.
        ep = m_engine->socket(sctp::Style::OneToOne, *m_udp);
        adopt(ep);
        const bool ownPort = !m_spec.listen && m_sockets.size() == 1;
        if (auto b = ep->bind(ownPort ? m_spec.sctpPort : 0); !b) {
            r.errnoName = b.error().name();
            r.text = b.error().sentence;
            return r;
        }
    }
    const auto id = ep->connect(*to);
    if (!id) {
        r.errnoName = id.error().name();
        r.text = id.error().sentence;
        emit event(tr("connect to %1: %2").arg(to->toString(), id.error().text()));
        return r;
    }
    r.ok = true;
    r.text = tr("connecting to %1 over UDP port %2 (association #%3)").arg(to->toString()).arg(m_spec.remoteUdpPort).arg(*id);
    m_stack.log(1, tr("network mode: SCTP %1").arg(r.text));
    emit event(r.text);
    publishSoon();
    return r;
}

sctp::Endpoint* NetworkSctp::socketFor(const lab::SctpComposerRequest& request) const
{
    if (request.association) {
        for (sctp::Endpoint* ep : m_sockets)
            if (ep->isOpen() && ep->associations().contains(request.association))
                return ep;
        return m_main ? m_main : (m_sockets.empty() ? nullptr : m_sockets.back());
    }
    if (!m_spec.oneToMany) {
        // One-to-one: the socket connected to that address, if any.
        const auto to = sctp::Address::parse(request.to.trimmed());
        for (sctp::Endpoint* ep : m_sockets) {
            if (!ep->isOpen() || ep == m_main)
                continue;
            const quint64 a = ep->association();
            const auto info = a && m_engine ? m_engine->association(a) : std::nullopt;
            if (to && info && info->peerAddress == to->toString())
                return ep;
        }
        if (!m_main) // no listener: the newest connecting socket (which may say ENOTCONN)
            return m_sockets.empty() ? nullptr : m_sockets.back();
    }
    return m_main;
}

void NetworkSctp::cancelBurst()
{
    if (!m_burst)
        return;
    if (m_burst->timer)
        m_stack.scheduler().cancel(m_burst->timer);
    auto burst = std::move(m_burst);
    NetworkResult r;
    r.errnoName = QStringLiteral("ECANCELED");
    r.text = lab::sctpBurstStoppedText(burst->sent, burst->request.repeat);
    if (burst->done)
        burst->done(r);
}

void NetworkSctp::send(const lab::SctpComposerRequest& request, std::function<void(const NetworkResult&)> done)
{
    cancelBurst();
    auto fail = [&](const char* errnoName, const QString& why) {
        NetworkResult r;
        r.errnoName = QString::fromLatin1(errnoName);
        r.text = why;
        trace::Event e;
        e.timeNs = m_stack.scheduler().nowNs();
        e.kind = trace::Kind::Error;
        e.text = QStringLiteral("composer: %1: %2").arg(r.errnoName, why);
        m_stack.journal().append(std::move(e));
        if (done)
            done(r);
    };
    if (!m_engine)
        return fail("EBADF",
            tr("No SCTP endpoint is open in network mode: tick \"SCTP over UDP\" in the Network panel and start network mode."));
    lab::SctpComposerSend checked = lab::sctpComposerSend(request);
    if (!checked.ok())
        return fail(qPrintable(checked.errnoName), checked.why);
    auto burst = std::make_shared<Burst>();
    burst->request = request;
    burst->request.repeat = std::max(1, request.repeat);
    burst->done = std::move(done);
    // Several addresses are sctp_sendmsgx's list, which the AF_CONN endpoint refuses with EINVAL
    // and its reason (one path per association).
    burst->info = std::move(checked.info);
    trace::Event action;
    action.timeNs = m_stack.scheduler().nowNs();
    action.kind = trace::Kind::UserAction;
    action.object = request.association;
    action.text = lab::sctpComposerActionText(QStringLiteral("composer (network)"), request, burst->info);
    m_stack.journal().append(std::move(action));
    m_burst = burst;
    burstStep(burst);
}

void NetworkSctp::burstStep(const std::shared_ptr<Burst>& burst)
{
    burst->timer = 0;
    auto finish = [this, burst](const NetworkResult& r) {
        if (m_burst == burst)
            m_burst.reset();
        if (burst->done)
            burst->done(r);
        publishSoon();
    };
    while (burst->sent < burst->request.repeat) {
        sctp::Endpoint* ep = m_engine ? socketFor(burst->request) : nullptr;
        // Engine::sendmsg on the socket's descriptor: EBADF for one that was closed (a one-to-one
        // socket whose association ended), else the endpoint's sctp_sendmsg(3).
        const sctp::Result<qint64> sent = ep ? m_engine->sendmsg(ep->descriptor(), burst->request.payload, burst->info)
                                             : sctp::Result<qint64>(sctp::Error { EBADF, tr("the SCTP endpoint was closed.") });
        if (!sent.ok()) {
            NetworkResult r;
            r.errnoName = sent.error().name();
            r.text = lab::sctpBurstFailedText(sent.error().sentence, burst->sent, burst->request.repeat);
            return finish(r);
        }
        ++burst->sent;
        burst->bytes += *sent;
        if (burst->sent < burst->request.repeat && burst->request.intervalMs > 0) {
            std::weak_ptr<Burst> weak = burst;
            burst->timer = m_stack.scheduler().scheduleMs(burst->request.intervalMs, [this, weak] {
                if (auto b = weak.lock(); b && b == m_burst)
                    burstStep(b);
            });
            return;
        }
    }
    NetworkResult r;
    r.ok = true;
    r.text = lab::sctpBurstSentText(burst->sent, burst->bytes, burst->request.repeat);
    finish(r);
}

} // namespace ladder::ui
