// SPDX-License-Identifier: GPL-3.0-or-later
#include "command.h"

#include <cstdio>

namespace ladder::ctl {

namespace {
    QList<Command>& registry()
    {
        static QList<Command> list;
        return list;
    }
} // namespace

void registerCommand(Command command)
{
    registry().append(std::move(command));
}

const QList<Command>& commands()
{
    return registry();
}

QString terminalSafe(const QString& text)
{
    QString s;
    s.reserve(text.size());
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        // C0 controls but newline and tab, DEL and the C1 controls: ESC and CSI sequences from
        // a peer must not drive the terminal, nor a CR overwrite what was printed.
        if ((u < 0x20 && u != '\n' && u != '\t') || u == 0x7f || (u >= 0x80 && u < 0xa0))
            s += QStringLiteral("\\x%1").arg(int(u), 2, 16, QLatin1Char('0'));
        else
            s += c;
    }
    return s;
}

void out(const QString& line)
{
    const QByteArray b = terminalSafe(line).toUtf8();
    std::fwrite(b.constData(), 1, std::size_t(b.size()), stdout);
    std::fputc('\n', stdout);
}

void say(const QString& line)
{
    out(line);
    std::fflush(stdout);
}

void err(const QString& line)
{
    const QByteArray b = terminalSafe(line).toUtf8();
    std::fwrite(b.constData(), 1, std::size_t(b.size()), stderr);
    std::fputc('\n', stderr);
}

} // namespace ladder::ctl
