// SPDX-License-Identifier: GPL-3.0-or-later
// ladderctl: the scriptable face of the LadderLab stack.
#include "command.h"
#include "core/version.h"

#include <QCoreApplication>

#include <algorithm>

using namespace ladder::ctl;

namespace {

void printHelp()
{
    out(QStringLiteral("Usage: ladderctl COMMAND [ARGS...]\n"));
    out(QStringLiteral("The command-line companion of LadderLab: the same SIP and SCTP stack, scriptable.\n"));
    out(QStringLiteral("Commands:"));
    QList<Command> sorted = commands();
    std::sort(sorted.begin(), sorted.end(), [](const Command& a, const Command& b) { return a.name < b.name; });
    for (const Command& c : std::as_const(sorted))
        out(QStringLiteral("  %1  %2").arg(c.name, -10).arg(c.summary));
    out(QStringLiteral("\nOptions:\n  -h, --help     Show this help (ladderctl COMMAND --help for a command's own)\n"
                       "  -v, --version  Show the versions of LadderLab, Qt and usrsctp"));
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("LadderLab"));
    QCoreApplication::setApplicationName(QStringLiteral("ladderctl"));
    QCoreApplication::setApplicationVersion(ladder::appVersion());

    QStringList args = QCoreApplication::arguments().mid(1);
    if (args.isEmpty()) {
        printHelp();
        return 2;
    }
    const QString first = args.takeFirst();
    if (first == QLatin1String("-h") || first == QLatin1String("--help") || first == QLatin1String("help")) {
        printHelp();
        return 0;
    }
    if (first == QLatin1String("-v") || first == QLatin1String("--version") || first == QLatin1String("version")) {
        out(ladder::versionLine());
        return 0;
    }
    for (const Command& c : commands()) {
        if (c.name != first)
            continue;
        // "ladderctl send --help" is the command's help; "ladderctl send sip --help" is the
        // transport's, which its handler prints itself.
        const bool wantsHelp = args.contains(QLatin1String("--help")) || args.contains(QLatin1String("-h"));
        const bool perTransport = (c.name == QLatin1String("send") || c.name == QLatin1String("listen")) && !args.isEmpty()
            && !args.first().startsWith(QLatin1Char('-'));
        if (wantsHelp && !perTransport) {
            out(QStringLiteral("Usage: ladderctl %1 %2\n\n%3").arg(c.name, c.usage, c.summary));
            return 0;
        }
        return c.run(args);
    }
    err(QStringLiteral("ladderctl: unknown command '%1' (ladderctl --help lists the commands)").arg(first));
    return 2;
}
