// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The transports behind `ladderctl send TRANSPORT …` and `ladderctl listen TRANSPORT …`: each
// protocol registers its send and listen functions here from its own cmd_<name>.cpp (sctp in
// cmd_sctp.cpp, sip in the SIP team's file), and cmd_send.cpp / cmd_listen.cpp dispatch on the name.

#include <QList>
#include <QString>
#include <QStringList>

#include <functional>

namespace ladder::ctl {

struct TransportCommands {
    QString name; // "sctp", "sip"
    QString sendUsage; // after "ladderctl send NAME "
    QString listenUsage; // after "ladderctl listen NAME "
    std::function<int(const QStringList& args)> send; // may be empty: the transport cannot send
    std::function<int(const QStringList& args)> listen; // may be empty
};

inline QList<TransportCommands>& transportRegistry()
{
    static QList<TransportCommands> registry;
    return registry;
}

inline const TransportCommands* findTransport(const QString& name)
{
    for (const TransportCommands& t : transportRegistry())
        if (t.name == name)
            return &t;
    return nullptr;
}

// `static const ladder::ctl::TransportRegistration reg { {...} };`
struct TransportRegistration {
    explicit TransportRegistration(TransportCommands t) { transportRegistry().append(std::move(t)); }
};

} // namespace ladder::ctl
