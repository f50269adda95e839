// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Shared set-up for the SCTP suites: one Stack in real time (usrsctp keeps real time), the SCTP
// engine, and two sides joined by a seeded, lossy, delaying lab link pair.

#include "host/stack.h"
#include "sctp/endpoint.h"
#include "sctp/engine.h"
#include "sctp/lablinkpair.h"
#include "journal/journal.h"

#include <QDeadlineTimer>
#include <QTest>

#include <functional>
#include <memory>

namespace ladder::sctp::testing {

struct Lab {
    explicit Lab(quint64 seed = 1, ladder::LinkParams aToB = {}, ladder::LinkParams bToA = {})
        : stack(std::make_unique<Stack>(Scheduler::Mode::Real))
        , engine(std::make_unique<Engine>(*stack))
        , link(std::make_unique<LabLinkPair>(*engine, seed, aToB, bToA))
    {
    }
    ~Lab()
    {
        if (qEnvironmentVariableIsSet("LADDERLAB_SCTP_DUMP")) // debugging aid: the whole journal
            journal().forEach(0, journal().count(), [](const trace::Event& e) {
                qInfo("%8.3f %-18s %s %s", double(e.timeNs) / 1e6, trace::kindName(e.kind),
                    e.dir == trace::Dir::Tx ? "tx" : e.dir == trace::Dir::Rx ? "rx" : "  ", qPrintable(e.text));
            });
        engine.reset(); // closes the endpoints first: they use the link's sides
        link.reset();
        stack.reset();
    }
    std::unique_ptr<Stack> stack;
    std::unique_ptr<Engine> engine;
    std::unique_ptr<LabLinkPair> link;

    trace::Journal& journal() { return stack->journal(); }

    // Runs the event loop until pred() holds or ms pass; returns pred().
    static bool waitFor(const std::function<bool()>& pred, int ms = 5000)
    {
        QDeadlineTimer deadline(ms);
        while (!pred() && !deadline.hasExpired())
            QTest::qWait(5);
        return pred();
    }
    static void spin(int ms) { QTest::qWait(ms); }

    QList<trace::Event> events(trace::Kind kind)
    {
        QList<trace::Event> out;
        journal().forEach(0, journal().count(), [&](const trace::Event& e) {
            if (e.kind == kind)
                out << e;
        });
        return out;
    }

    // A one-to-one client on side A connected to a listener on side B; returns {client, server}.
    std::pair<Endpoint*, Endpoint*> connectedPair(quint16 port = 5000,
        const std::function<void(Endpoint*)>& configure = {})
    {
        Endpoint* listener = engine->socket(Style::OneToOne, link->b());
        Endpoint* client = engine->socket(Style::OneToOne, link->a());
        if (configure) {
            configure(listener);
            configure(client);
        }
        if (!listener->bind(port) || !listener->listen())
            return { nullptr, nullptr };
        if (!client->connect(Address { QStringLiteral("10.0.0.2"), port }))
            return { nullptr, nullptr };
        Endpoint* server = nullptr;
        waitFor([&]() -> bool {
            if (!server) {
                auto r = listener->accept();
                if (r)
                    server = *r;
            }
            return server && client->association() != 0
                && engine->association(client->association())->state == QStringLiteral("ESTABLISHED")
                && server->association() != 0;
        });
        return { client, server };
    }
};

} // namespace ladder::sctp::testing
