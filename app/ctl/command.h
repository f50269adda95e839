// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>

#include <functional>

namespace ladder::ctl {

// One ladderctl subcommand. run() gets the arguments after the command name and returns the exit
// code (0 success, 1 the operation failed, 2 usage error).
struct Command {
    QString name;
    QString summary;
    QString usage;
    std::function<int(const QStringList& args)> run;
};

void registerCommand(Command command);
const QList<Command>& commands();

// Control characters (but newline and tab) as \xNN: bytes from the network never reach a
// terminal raw. out() and err() apply it to every line.
QString terminalSafe(const QString& text);
// Writes to stdout/stderr (UTF-8), with a newline, control characters escaped (terminalSafe).
void out(const QString& line);
void err(const QString& line);
// out() and flush at once: scripts and tests wait for such lines on a pipe (listen/send).
void say(const QString& line);

// Registers a command at start-up: `static const ladder::ctl::Registration reg { {...} };`
struct Registration {
    explicit Registration(Command command) { registerCommand(std::move(command)); }
};

} // namespace ladder::ctl
