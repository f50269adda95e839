// SPDX-License-Identifier: GPL-3.0-or-later
// The stack owns usrsctp: it must start and stop repeatedly, on the main thread and on a stack
// thread, without leaks (run under the asan preset) and without hangs (ctest timeout).
#include "host/stack.h"
#include "sctp/runtime.h"

#include <QTest>

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

    void openAssociationsAreShutDown()
    {
        // Two connected AF_CONN endpoints left open when the stack goes: the runtime must still
        // finish usrsctp without hanging.
        Stack stack;
        auto& rt = stack.sctpRuntime();
        // One AF_CONN address is one link; the two ends are told apart by port.
        static int link;
        struct socket* sa = nullptr;
        struct socket* sb = nullptr;
        rt.registerAddress(&link, [&rt](const QByteArray& p) { rt.input(&link, p); });
        sa = usrsctp_socket(AF_CONN, SOCK_STREAM, IPPROTO_SCTP, nullptr, nullptr, 0, nullptr);
        sb = usrsctp_socket(AF_CONN, SOCK_STREAM, IPPROTO_SCTP, nullptr, nullptr, 0, nullptr);
        QVERIFY(sa && sb);
        usrsctp_set_non_blocking(sa, 1);
        usrsctp_set_non_blocking(sb, 1);
        auto bindTo = [](struct socket* so, void* h, uint16_t port) {
            struct sockaddr_conn c {};
            c.sconn_family = AF_CONN;
            c.sconn_port = htons(port);
            c.sconn_addr = h;
            return usrsctp_bind(so, reinterpret_cast<struct sockaddr*>(&c), sizeof c);
        };
        QCOMPARE(bindTo(sa, &link, 5001), 0);
        QCOMPARE(bindTo(sb, &link, 5002), 0);
        QCOMPARE(usrsctp_listen(sb, 1), 0);
        struct sockaddr_conn peer {};
        peer.sconn_family = AF_CONN;
        peer.sconn_port = htons(5002);
        peer.sconn_addr = &link;
        usrsctp_connect(sa, reinterpret_cast<struct sockaddr*>(&peer), sizeof peer);
        struct socket* accepted = nullptr;
        // Not QTRY: it evaluates its expression again after success, and accept has side effects.
        QDeadlineTimer deadline(5000);
        while (!(accepted = usrsctp_accept(sb, nullptr, nullptr)) && !deadline.hasExpired())
            QTest::qWait(10);
        QVERIFY(accepted);
        usrsctp_close(accepted);
        usrsctp_close(sa);
        usrsctp_close(sb);
        rt.deregisterAddress(&link);
    }
};

QTEST_GUILESS_MAIN(TestStackLifecycle)
#include "tst_stack_lifecycle.moc"
