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

void out(const QString& line)
{
    const QByteArray b = line.toUtf8();
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
    const QByteArray b = line.toUtf8();
    std::fwrite(b.constData(), 1, std::size_t(b.size()), stderr);
    std::fputc('\n', stderr);
}

} // namespace ladder::ctl
