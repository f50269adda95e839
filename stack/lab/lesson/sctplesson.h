// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "lesson.h"

#include <QHash>
#include <QList>
#include <QString>

#include <functional>
#include <map>
#include <memory>

namespace ladder::sctp {
class Engine;
class Endpoint;
class Transport;
struct ReceivedMessage;
}

namespace ladder::lab {

namespace peers {
    class SctpSink;
    class SctpSender;
}

// The SCTP peers of a declarative lesson (docs/LESSONS.md, "SCTP peers") at work: one socket of
// the lesson's sctp::Engine per peer, on its host's side of a lab link pair, with the file's socket
// options; the connect / sctp_sendmsg / shutdown / abort actions; what each peer received.
class SctpLessonPeers {
public:
    SctpLessonPeers(const Lesson& lesson, sctp::Engine& engine);
    ~SctpLessonPeers();
    SctpLessonPeers(const SctpLessonPeers&) = delete;
    SctpLessonPeers& operator=(const SctpLessonPeers&) = delete;

    // Opens the sockets (but those a "socket" action opens); sideOf(host) is the host's side of its link pair. False with *error when
    // a socket could not be set up (the errno sentence).
    bool setUp(const std::function<sctp::Transport&(const QString& host)>& sideOf, QString* error);
    // Runs action i (an SCTP one); false when the call failed. *what says what it did, or why not.
    // call >= 0: only that call of an sctp_sendmsg's repeat (every_ms spaces them on the lab tick).
    bool fire(const LessonAction& a, QString* what, int call = -1);
    // A peer has an established association (a listener: one it took); its association ended.
    bool up(const QString& peer) const;
    bool down(const QString& peer) const;
    // The composer's socket ("composer": true), or -1.
    int composerDescriptor() const;
    // Every association is closed, or established with nothing unacknowledged or queued.
    bool settled();
    // fn runs after every message any peer receives (after setUp).
    void setOnDelivery(const std::function<void()>& fn);
    // Messages peer received matching a "delivered" expectation.
    qint64 delivered(const LessonExpectation& e) const;
    // "sctp-b: 20 message(s) received", per peer that listens or received anything.
    QStringList deliveries() const;

private:
    struct Peer {
        const LessonPeer* spec = nullptr;
        std::unique_ptr<peers::SctpSink> sink; // a listening peer
        std::unique_ptr<peers::SctpSender> sender; // one that connects or sends
        sctp::Endpoint* bare = nullptr; // the composer's socket (the Engine owns it)
    };
    QString configure(sctp::Endpoint& ep, const LessonPeer& p);
    // Opens the peer's socket (listener, sender, or the composer's bare one) with its options.
    bool open(Peer& peer, QString* error);
    // The socket a send, shutdown or abort of the peer acts on (a one-to-one listener: the
    // association it accepted first and is still open), or nullptr.
    sctp::Endpoint* socketOf(Peer& p);
    const QList<sctp::ReceivedMessage>* received(const Peer& p) const;
    bool sendmsg(Peer& p, const LessonAction& a, QString* what, int call);

    const Lesson& m_lesson;
    sctp::Engine& m_engine;
    std::map<QString, Peer> m_peers;
    std::function<sctp::Transport&(const QString& host)> m_sideOf;
    std::function<void()> m_onDelivery;
};

} // namespace ladder::lab
