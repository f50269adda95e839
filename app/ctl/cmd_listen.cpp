// SPDX-License-Identifier: GPL-3.0-or-later
// ladderctl listen TRANSPORT …: dispatches to the transport registered in transports.h.
#include "command.h"
#include "transports.h"

#include <cstdio>

namespace ladder::ctl {
namespace {

    QString usage()
    {
        QStringList lines;
        for (const TransportCommands& t : transportRegistry())
            if (t.listen)
                lines << QStringLiteral("listen %1 %2").arg(t.name, t.listenUsage);
        return lines.isEmpty() ? QStringLiteral("TRANSPORT ...") : lines.join(QStringLiteral("\n       ladderctl "));
    }

    int run(const QStringList& args)
    {
        if (args.isEmpty()) {
            err(QStringLiteral("ladderctl listen: name a transport:\n  ladderctl ") + usage());
            return 2;
        }
        const TransportCommands* t = findTransport(args.first());
        if (!t || !t->listen) {
            err(QStringLiteral("ladderctl listen: unknown transport '%1':\n  ladderctl ").arg(args.first()) + usage());
            return 2;
        }
        // A listener reports what it receives as it happens, also into a pipe (a script or a test
        // reading it line by line), as tcpdump -l does: stdout is line-buffered here. (stdbuf -oL
        // would do it from outside, but through LD_PRELOAD, which an ASan build refuses.)
        std::setvbuf(stdout, nullptr, _IOLBF, 0);
        return t->listen(args.mid(1));
    }

    const Registration reg { { QStringLiteral("listen"),
        QStringLiteral("Listen over a real socket (loopback by default): ladderctl listen sctp|sip …"),
        QStringLiteral("TRANSPORT [OPTIONS]  (ladderctl listen TRANSPORT --help)"), run } };

} // namespace
} // namespace ladder::ctl
