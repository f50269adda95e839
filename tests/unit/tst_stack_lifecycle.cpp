// SPDX-License-Identifier: GPL-3.0-or-later
// The stack owns usrsctp: it must start and stop repeatedly, on the main thread and on a stack
// thread, without leaks (run under the asan preset) and without hangs (ctest timeout).
#include "host/stack.h"
#include "sctp/endpoint.h"
#include "sctp/engine.h"
#include "sctp/lablinkpair.h"
#include "sctp/runtime.h"

#include <QDeadlineTimer>
#include <QTest>

#include <cerrno>
#include <memory>

#include <usrsctp.h>

using namespace ladder;

class TestStackLifecycle : public QObject {
    Q_OBJECT
private slots:
    void startStopRepeatedly()
    {
        for (int i = 0; i < 25; ++i) {
            QVERIFY(!sctp::Runtime::isInitialised());
            {
                Stack stack;
                QVERIFY(sctp::Runtime::isInitialised());
                // usrsctp is really up: an AF_CONN socket can be made and closed.
                struct socket* so = usrsctp_socket(AF_CONN, SOCK_STREAM, IPPROTO_SCTP, nullptr, nullptr, 0, nullptr);
                QVERIFY(so != nullptr);
                usrsctp_close(so);
                stack.log(1, QStringLiteral("round %1").arg(i));
                QCOMPARE(stack.journal().count(), quint64(1));
            }
            QVERIFY(!sctp::Runtime::isInitialised());
        }
    }

    void twoStacksShareOneRuntime()
    {
        auto a = std::make_unique<Stack>();
        auto b = std::make_unique<Stack>();
        QCOMPARE(&a->sctpRuntime(), &b->sctpRuntime());
        a.reset();
        QVERIFY(sctp::Runtime::isInitialised());
        b.reset();
        QVERIFY(!sctp::Runtime::isInitialised());
    }

    void stackThreadStartsAndStops()
    {
        for (int i = 0; i < 10; ++i) {
            StackThread t;
            bool onStackThread = false;
            t.invokeBlocking([&](Stack& s) {
                onStackThread = QThread::currentThread() != QCoreApplication::instance()->thread();
                s.log(1, QStringLiteral("hello"));
            });
            QVERIFY(onStackThread);
            QCOMPARE(t.journal()->count(), quint64(1));
        }
        QVERIFY(!sctp::Runtime::isInitialised());
    }

    // Established associations left open — endpoints never closed — when everything goes, in
    // either order of the engine and its transport: nothing may touch a destroyed transport (run
    // under the asan preset), usrsctp must finish cleanly (no socket left behind) without hanging.
    void openAssociationsAreShutDown_data()
    {
        QTest::addColumn<bool>("transportFirst");
        QTest::newRow("engine, then transport") << false;
        QTest::newRow("transport, then engine") << true;
    }
    void openAssociationsAreShutDown()
    {
        QFETCH(bool, transportFirst);
        auto stack = std::make_unique<Stack>();
        auto engine = std::make_unique<sctp::Engine>(*stack);
        auto link = std::make_unique<sctp::LabLinkPair>(*engine, 1);
        sctp::Endpoint* listener = engine->socket(sctp::Style::OneToOne, link->b());
        sctp::Endpoint* client = engine->socket(sctp::Style::OneToOne, link->a());
        QVERIFY(listener->bind(5000));
        QVERIFY(listener->listen());
        QVERIFY(client->connect(sctp::Address { QStringLiteral("10.0.0.2"), 5000 }));
        sctp::Endpoint* server = nullptr;
        QDeadlineTimer deadline(5000);
        while (!deadline.hasExpired()) {
            if (!server)
                if (auto r = listener->accept())
                    server = *r;
            const auto a = client->association() ? engine->association(client->association()) : std::nullopt;
            if (server && a && a->state == QLatin1String("ESTABLISHED"))
                break;
            QTest::qWait(5);
        }
        QVERIFY(server);
        QVERIFY(client->association() != 0);
        QCOMPARE(engine->association(client->association())->state, QStringLiteral("ESTABLISHED"));
        QVERIFY(client->send(QByteArray("still open"), {}));

        if (transportFirst) {
            link.reset(); // the endpoints on it are aborted and left on Transport::gone()
            QVERIFY(!client->send(QByteArray("x"), {}));
            QCOMPARE(client->send(QByteArray("x"), {}).code(), EBADF);
            QCOMPARE(client->localAddress().host, QString());
            engine.reset();
        } else {
            engine.reset();
            link.reset();
        }
        QVERIFY(sctp::Runtime::isInitialised());
        stack.reset();
        QVERIFY(!sctp::Runtime::isInitialised());
        QVERIFY2(sctp::Runtime::lastFinishClean(), "usrsctp_finish left sockets behind");
    }
};

QTEST_GUILESS_MAIN(TestStackLifecycle)
#include "tst_stack_lifecycle.moc"
