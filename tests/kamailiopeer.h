// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Debian's kamailio as a test's peer: started on 127.0.0.1 with a config the test writes (its
// modules and request_route), stopped when the object goes. Header-only; every test that talks to
// kamailio starts it through here.

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QUdpSocket>

class KamailioPeer {
public:
    KamailioPeer() = default;
    KamailioPeer(const KamailioPeer&) = delete;
    KamailioPeer& operator=(const KamailioPeer&) = delete;
    ~KamailioPeer() { stop(); }

    static QString executable()
    {
        return QStandardPaths::findExecutable(QStringLiteral("kamailio"), { QStringLiteral("/usr/sbin"), QStringLiteral("/usr/bin") });
    }
    // The module directory holding `module` ("auth.so"), or empty.
    static QString modulesWith(const QString& module)
    {
        for (const QString& m : { QStringLiteral("/usr/lib/x86_64-linux-gnu/kamailio/modules"),
                 QStringLiteral("/usr/lib/aarch64-linux-gnu/kamailio/modules"), QStringLiteral("/usr/lib/kamailio/modules") })
            if (QFile::exists(m + QLatin1Char('/') + module))
                return m;
        return {};
    }
    // Why kamailio with these modules cannot run here (empty: it can) — for a test's skip.
    static QString missing(const QStringList& modules)
    {
        if (executable().isEmpty())
            return QStringLiteral("kamailio is not installed (bash packaging/install-deps.sh --test)");
        for (const QString& m : modules)
            if (modulesWith(m).isEmpty())
                return QStringLiteral("kamailio's %1 module is not installed").arg(m);
        return {};
    }
    static quint16 freeUdpPort()
    {
        QUdpSocket s;
        s.bind(QHostAddress::LocalHost, 0);
        return s.localPort();
    }

    // Writes the config — "#!KAMAILIO", the global settings, listen=udp:127.0.0.1:port(), mpath,
    // then `body` (loadmodule/modparam lines and the routes) — and starts kamailio in the
    // foreground. False with *why when it does not start.
    bool start(const QString& body, QString* why, const QString& extraGlobals = {})
    {
        m_port = freeUdpPort();
        const QString cfg = m_dir.filePath(QStringLiteral("kamailio.cfg"));
        QFile f(cfg);
        if (!f.open(QIODevice::WriteOnly)) {
            *why = f.errorString();
            return false;
        }
        f.write(QStringLiteral("#!KAMAILIO\n"
                               "debug=2\nlog_stderror=yes\nchildren=1\nauto_aliases=no\n%1"
                               "listen=udp:127.0.0.1:%2\n"
                               "mpath=\"%3/\"\n%4")
                    .arg(extraGlobals.isEmpty() ? QStringLiteral("disable_tcp=yes\n") : extraGlobals)
                    .arg(m_port)
                    .arg(modulesWith(QStringLiteral("sl.so")), body)
                    .toUtf8());
        f.close();
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start(executable(), { QStringLiteral("-f"), cfg, QStringLiteral("-DD"), QStringLiteral("-E"),
                                          QStringLiteral("-Y"), m_dir.path(), QStringLiteral("-w"), m_dir.path() });
        if (!m_process.waitForStarted(5000)) {
            *why = m_process.errorString();
            return false;
        }
        return true;
    }
    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.terminate();
        if (!m_process.waitForFinished(10000)) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }
    bool running() const { return m_process.state() == QProcess::Running; }
    // Whether it answers an OPTIONS on its UDP port within about 10 s (any answer will do).
    bool waitUntilAnswering()
    {
        QUdpSocket probe;
        if (!probe.bind(QHostAddress::LocalHost, 0))
            return false;
        const QByteArray options = QStringLiteral("OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%1;branch=z9hG4bKprobe\r\n"
                                                  "From: <sip:probe@127.0.0.1>;tag=p\r\nTo: <sip:probe@127.0.0.1>\r\nCall-ID: probe\r\n"
                                                  "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n")
                                       .arg(probe.localPort())
                                       .toUtf8();
        for (int i = 0; i < 40 && running(); ++i) {
            probe.writeDatagram(options, QHostAddress::LocalHost, m_port);
            if (probe.waitForReadyRead(250))
                return true;
        }
        return false;
    }
    quint16 port() const { return m_port; }
    QString dir() const { return m_dir.path(); }
    // The end of kamailio's log so far, for a failure message.
    QByteArray log() { return m_process.readAll().right(3000); }

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_port = 0;
};
