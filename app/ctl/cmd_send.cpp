// SPDX-License-Identifier: GPL-3.0-or-later
// ladderctl send TRANSPORT …: dispatches to the transport registered in transports.h.
#include "command.h"
#include "transports.h"

namespace ladder::ctl {
namespace {

    QString usage()
    {
        QStringList lines;
        for (const TransportCommands& t : transportRegistry())
            if (t.send)
                lines << QStringLiteral("send %1 %2").arg(t.name, t.sendUsage);
        return lines.isEmpty() ? QStringLiteral("TRANSPORT ...") : lines.join(QStringLiteral("\n       ladderctl "));
    }

    int run(const QStringList& args)
    {
        if (args.isEmpty()) {
            err(QStringLiteral("ladderctl send: name a transport:\n  ladderctl ") + usage());
            return 2;
        }
        const TransportCommands* t = findTransport(args.first());
        if (!t || !t->send) {
            err(QStringLiteral("ladderctl send: unknown transport '%1':\n  ladderctl ").arg(args.first()) + usage());
            return 2;
        }
        return t->send(args.mid(1));
    }

    const Registration reg { { QStringLiteral("send"),
        QStringLiteral("Send over a real socket (loopback by default): ladderctl send sctp|sip …"),
        QStringLiteral("TRANSPORT [OPTIONS]  (ladderctl send TRANSPORT --help)"), run } };

} // namespace
} // namespace ladder::ctl
