// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A child process a capture suite drives (ladderctl capture, openssl s_server/s_client): its
// standard output and error gathered as they come, a text waited for with a deadline, input
// written, and an end — its own or SIGTERM, then SIGKILL — that never leaves it behind.

#include <QByteArray>
#include <QDeadlineTimer>
#include <QProcess>
#include <QStringList>

namespace ladder::test {

struct TestProcess {
    QProcess p;
    QByteArray out, err; // all it has written so far, as far as pump() has read

    bool start(const QString& program, const QStringList& args, int ms = 5000)
    {
        p.start(program, args);
        return p.waitForStarted(ms);
    }
    void pump()
    {
        out += p.readAllStandardOutput();
        err += p.readAllStandardError();
    }
    // Until `text` is in its standard output (standard error if inErr), it ends, or `ms` pass.
    bool waitFor(const QByteArray& text, bool inErr = false, int ms = 10000)
    {
        QDeadlineTimer deadline(ms);
        for (;;) {
            pump();
            if ((inErr ? err : out).contains(text))
                return true;
            if (deadline.hasExpired() || p.state() != QProcess::Running)
                return false;
            p.waitForReadyRead(50);
        }
    }
    void send(const QByteArray& bytes)
    {
        p.write(bytes);
        p.waitForBytesWritten(5000); // QProcess writes from its event loop otherwise
    }
    // Until it ends by itself (true, at once if it has), or `ms` pass (false, still running).
    bool waitForEnd(int ms)
    {
        // (waitForFinished is false for a process that already ended)
        const bool ended = p.state() == QProcess::NotRunning || p.waitForFinished(ms);
        pump();
        return ended;
    }
    // SIGTERM (the commands end as at the end of --duration), SIGKILL if that does not end it.
    // Its exit code; -1 if it had to be killed, -2 if it crashed.
    int stop()
    {
        if (p.state() == QProcess::Running)
            p.terminate();
        if (!waitForEnd(10000)) {
            p.kill();
            p.waitForFinished(5000);
            return -1;
        }
        return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    }
    ~TestProcess()
    {
        if (p.state() != QProcess::NotRunning) {
            p.kill();
            p.waitForFinished(5000);
        }
    }
};

} // namespace ladder::test
