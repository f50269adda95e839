// SPDX-License-Identifier: GPL-3.0-or-later
// ladderctl parse FILE...: one JSON object per file (or per message with --stream).
#include "command.h"
#include "sip/message/parser.h"
#include "sip/message/parserstream.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

using namespace ladder;

namespace {

QString jsonString(const QString& s)
{
    // QJsonDocument does the escaping; strip the array brackets around the single element.
    const QByteArray a = QJsonDocument(QJsonArray { s }).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(a.mid(1, a.size() - 2));
}

// Fields in a fixed order (file, ok, kind, method, status, error, warnings) so the output is
// stable and easy to read; fields that do not apply are left out.
QString describe(const QString& file, int index, const sip::ParseResult& r)
{
    QString line = QStringLiteral("{\"file\":") + jsonString(file);
    if (index >= 0)
        line += QStringLiteral(",\"index\":") + QString::number(index);
    line += QStringLiteral(",\"ok\":") + (r.ok ? QStringLiteral("true") : QStringLiteral("false"));
    if (r.ok || r.startLineParsed) {
        const sip::Message& m = r.message;
        if (m.isRequest()) {
            line += QStringLiteral(",\"kind\":\"request\",\"method\":")
                + jsonString(QString::fromUtf8(m.method().toByteArray()));
        } else {
            line += QStringLiteral(",\"kind\":\"response\",\"status\":") + QString::number(m.statusCode());
        }
    }
    if (!r.ok)
        line += QStringLiteral(",\"error\":") + jsonString(r.error);
    if (!r.warnings.isEmpty()) {
        QStringList items;
        for (const QString& w : r.warnings)
            items << jsonString(w);
        line += QStringLiteral(",\"warnings\":[") + items.join(QLatin1Char(',')) + QLatin1Char(']');
    }
    return line + QLatin1Char('}');
}

sip::ParseResult failure(const QString& why)
{
    sip::ParseResult r;
    r.error = why;
    return r;
}

int run(const QStringList& args)
{
    sip::ParseOptions opts;
    bool stream = false;
    QStringList files;
    for (const QString& a : args) {
        if (a == QLatin1String("--strict"))
            opts.strictness = sip::Strictness::Strict;
        else if (a == QLatin1String("--stream"))
            stream = true;
        else if (a.startsWith(QLatin1String("--"))) {
            ctl::err(QStringLiteral("ladderctl parse: unknown option %1").arg(a));
            return 2;
        } else
            files << a;
    }
    if (files.isEmpty()) {
        ctl::err(QStringLiteral("ladderctl parse: no files given (ladderctl parse --help)"));
        return 2;
    }
    bool allOk = true;
    for (const QString& file : std::as_const(files)) {
        QFile f(file);
        if (!f.open(QIODevice::ReadOnly)) {
            ctl::out(describe(file, -1, failure(QStringLiteral("cannot read: ") + f.errorString())));
            allOk = false;
            continue;
        }
        const QByteArray bytes = f.readAll();
        if (!stream) {
            const sip::ParseResult r = sip::parse(bytes, opts);
            allOk = allOk && r.ok;
            ctl::out(describe(file, -1, r));
            continue;
        }
        // A stream capture: frame by Content-Length, parse each message.
        sip::StreamFramer framer;
        framer.feed(bytes);
        sip::ParseOptions so = opts;
        so.stream = true;
        int index = 0;
        for (;;) {
            QByteArray msg;
            const auto st = framer.next(&msg);
            if (st == sip::StreamFramer::Status::Message) {
                const sip::ParseResult r = sip::parse(msg, so);
                allOk = allOk && r.ok;
                ctl::out(describe(file, index++, r));
            } else if (st == sip::StreamFramer::Status::Error) {
                allOk = false;
                ctl::out(describe(file, index, failure(QString::fromUtf8(framer.errorString()))));
                break;
            } else if (st == sip::StreamFramer::Status::NeedMore) {
                if (framer.buffered() > 0) {
                    allOk = false;
                    ctl::out(describe(file, index,
                        failure(QStringLiteral("stream: %1 bytes of an incomplete message at the end").arg(framer.buffered()))));
                }
                break;
            }
        }
    }
    return allOk ? 0 : 1;
}

const ctl::Registration reg { {
    QStringLiteral("parse"),
    QStringLiteral("Parse SIP messages from files and report each as one JSON line"),
    QStringLiteral("[--strict] [--stream] FILE...\n\n"
                   "Prints {\"file\",\"ok\",\"kind\",\"method\"|\"status\",\"error\",\"warnings\"} per file.\n"
                   "--strict   reject what the lenient parser only warns about\n"
                   "--stream   the file is a byte stream (TCP): frame messages by Content-Length\n"
                   "Exit status: 0 every file parsed, 1 some did not, 2 usage error."),
    run,
} };

} // namespace
