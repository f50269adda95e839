// SPDX-License-Identifier: GPL-3.0-or-later
#include "faultplan.h"

#include "sctp/chunkdecoder.h"

namespace ladder::lab {

namespace {
    LinkFault::Action linkAction(FaultRule::Action a)
    {
        switch (a) {
        case FaultRule::Action::Drop:
            return LinkFault::Action::Drop;
        case FaultRule::Action::Duplicate:
            return LinkFault::Action::Duplicate;
        case FaultRule::Action::Delay:
            return LinkFault::Action::Delay;
        case FaultRule::Action::Reorder:
            return LinkFault::Action::Reorder;
        case FaultRule::Action::Corrupt:
            return LinkFault::Action::Corrupt;
        }
        return LinkFault::Action::None;
    }

    // What the rules look at in one datagram, read once whatever the number of rules.
    struct Seen {
        QLatin1String method; // a SIP request's
        int status = 0; // a SIP response's
        struct Chunk {
            quint8 type = 0;
            std::optional<quint32> tsn; // DATA / I-DATA: relative to the direction's initial TSN
        };
        QList<Chunk> chunks; // an SCTP packet's
    };

    // The start line's first word: the method of a request, "SIP/2.0" for a response.
    void readSip(const QByteArray& message, Seen* seen)
    {
        const QByteArrayView m(message);
        if (m.startsWith("SIP/2.0 ")) {
            int code = 0;
            for (int i = 8; i < 11 && i < m.size() && m[i] >= '0' && m[i] <= '9'; ++i)
                code = code * 10 + (m[i] - '0');
            seen->status = code >= 100 ? code : 0;
            return;
        }
        const qsizetype space = m.indexOf(' ');
        if (space > 0)
            seen->method = QLatin1String(m.data(), space);
    }

    bool sipMatches(const FaultRule& rule, const Seen& seen)
    {
        if (!rule.method.isEmpty())
            return !seen.method.isEmpty() && seen.method.compare(rule.method, Qt::CaseInsensitive) == 0;
        if (!seen.status)
            return false;
        return rule.status ? seen.status == rule.status : seen.status / 100 == rule.statusClass;
    }

    bool sctpMatches(const FaultRule& rule, const Seen& seen)
    {
        for (const Seen::Chunk& c : seen.chunks)
            if (c.type == rule.chunkType && (!rule.tsn || c.tsn == rule.tsn))
                return true;
        return false;
    }

    // The chunks of an SCTP packet; an INIT or INIT-ACK also sets its direction's initial TSN.
    void readSctp(QHash<QString, quint32>& initialTsns, const QByteArray& packet, const QString& from,
        const QString& to, Seen* seen)
    {
        const sctp::DecodedPacket d = sctp::decodePacket(packet, false, false);
        if (!d.valid)
            return;
        const QString direction = QStringLiteral("%1 %2 %3 %4").arg(from, to).arg(d.srcPort).arg(d.dstPort);
        for (const sctp::DecodedChunk& c : d.chunks)
            if ((c.type == sctp::chunk::Init || c.type == sctp::chunk::InitAck) && !c.truncated)
                initialTsns.insert(direction, c.initialTsn);
        const auto initial = initialTsns.constFind(direction);
        for (const sctp::DecodedChunk& c : d.chunks) {
            Seen::Chunk chunk;
            chunk.type = c.type;
            if ((c.type == sctp::chunk::Data || c.type == sctp::chunk::IData) && !c.truncated
                && initial != initialTsns.constEnd())
                chunk.tsn = c.tsn - *initial + 1;
            seen->chunks.append(chunk);
        }
    }

    QString labelOf(qsizetype i, const FaultRule& rule)
    {
        return QStringLiteral("fault rule %1 '%2'").arg(i + 1).arg(rule.text());
    }
} // namespace

FaultPlan::FaultPlan(QList<FaultRule> rules)
    : m_state(std::make_shared<State>())
{
    m_state->tallies.resize(rules.size());
    m_state->rules = std::move(rules);
}

QString FaultPlan::label(qsizetype i) const { return labelOf(i, m_state->rules.at(i)); }

QList<FaultTally> FaultPlan::tallies() const { return m_state->tallies; }

Link::FaultJudge FaultPlan::judgeFor(FaultRule::Protocol carried) const
{
    return [state = m_state, carried](const QByteArray& datagram, const QString& from, const QString& to) {
        return judge(*state, carried, datagram, from, to);
    };
}

LinkFault FaultPlan::judge(
    State& state, FaultRule::Protocol carried, const QByteArray& datagram, const QString& from, const QString& to)
{
    Seen seen;
    if (carried == FaultRule::Protocol::Sip)
        readSip(datagram, &seen);
    else
        readSctp(state.initialTsns, datagram, from, to, &seen);
    LinkFault fault;
    for (qsizetype i = 0; i < state.rules.size(); ++i) {
        const FaultRule& rule = state.rules.at(i);
        if (rule.protocol != carried || (!rule.from.isEmpty() && !laneIs(from, rule.from))
            || (!rule.to.isEmpty() && !laneIs(to, rule.to)))
            continue;
        if (!(carried == FaultRule::Protocol::Sip ? sipMatches(rule, seen) : sctpMatches(rule, seen)))
            continue;
        FaultTally& tally = state.tallies[i];
        const quint64 n = ++tally.matched;
        if (fault.action != LinkFault::Action::None || (rule.nth != 0 && n != quint64(rule.nth)))
            continue;
        ++tally.acted;
        fault.action = linkAction(rule.action);
        fault.delayNs = rule.delayMs * 1'000'000;
        fault.rule = labelOf(i, rule);
    }
    return fault;
}

bool FaultPlan::laneIs(const QString& lane, const QString& name)
{
    // "[label ]host:port", the host of an IPv6 address in brackets.
    const qsizetype space = lane.lastIndexOf(QLatin1Char(' '));
    const QString hostPort = lane.mid(space + 1);
    const QString label = space > 0 ? lane.left(space) : QString();
    QString host = hostPort.left(hostPort.lastIndexOf(QLatin1Char(':')));
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    for (const QString& candidate : { label, host, hostPort })
        if (!candidate.isEmpty() && candidate.compare(name, Qt::CaseInsensitive) == 0)
            return true;
    return false;
}

namespace {
    bool isSipTransmission(const trace::Event& e)
    {
        return e.dir == trace::Dir::Tx && (e.kind == trace::Kind::SipMessage || e.kind == trace::Kind::SipRetransmission);
    }
    bool isSctpTransmission(const trace::Event& e) { return e.dir == trace::Dir::Tx && e.kind == trace::Kind::SctpPacket; }
} // namespace

std::optional<FaultRule> FaultPlan::ruleForEvent(
    const QVector<trace::Event>& events, qsizetype index, FaultRule::Action action, qint64 delayMs, QString* error)
{
    auto fail = [&](const QString& why) -> std::optional<FaultRule> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    if (index < 0 || index >= events.size())
        return fail(QStringLiteral("there is no such event in this run"));
    // An arrival, or a loss on a lab link, stands for the transmission of the same bytes before it.
    if (!isSipTransmission(events.at(index)) && !isSctpTransmission(events.at(index))) {
        const trace::Event& e = events.at(index);
        const bool carried = e.kind == trace::Kind::LinkDrop || e.kind == trace::Kind::LinkDuplicate
            || (e.dir == trace::Dir::Rx && (e.kind == trace::Kind::SipMessage || e.kind == trace::Kind::SctpPacket));
        auto sends = [&](qsizetype i) {
            return (isSipTransmission(events.at(i)) || isSctpTransmission(events.at(i))) && events.at(i).raw == e.raw;
        };
        qsizetype found = -1;
        if (carried && !e.raw.isEmpty()) {
            // A link journals a loss before the sender journals the send, in the same instant.
            for (qsizetype i = index + 1; i < events.size() && events.at(i).timeNs == e.timeNs && found < 0; ++i)
                if (sends(i))
                    found = i;
            for (qsizetype i = index - 1; i >= 0 && found < 0; --i)
                if (sends(i))
                    found = i;
        }
        if (found >= 0)
            index = found;
    }
    const trace::Event& target = events.at(index);
    FaultRule rule;
    rule.action = action;
    rule.delayMs = action == FaultRule::Action::Delay ? std::max<qint64>(1, delayMs) : 0;
    if (isSipTransmission(target)) {
        rule.protocol = FaultRule::Protocol::Sip;
        const QString line = target.text;
        if (line.startsWith(QLatin1String("SIP/2.0 ")))
            rule.status = QStringView(line).mid(8, 3).toInt();
        else
            rule.method = line.section(QLatin1Char(' '), 0, 0).toUpper();
        if (rule.method.isEmpty() && (rule.status < 100 || rule.status > 699))
            return fail(QStringLiteral("the message's start line '%1' names no method or status").arg(line.left(60)));
    } else if (isSctpTransmission(target)) {
        rule.protocol = FaultRule::Protocol::Sctp;
        const sctp::DecodedPacket d = sctp::decodePacket(target.raw, false, false);
        if (!d.valid || d.chunks.isEmpty())
            return fail(QStringLiteral("the packet does not decode as SCTP"));
        // The chunk a teacher means: what carries data or moves the cumulative point first, then
        // the handshake, then acknowledgements and keep-alives.
        static const quint8 kOrder[] = { sctp::chunk::Data, sctp::chunk::IData, sctp::chunk::ForwardTsn,
            sctp::chunk::IForwardTsn, sctp::chunk::Init, sctp::chunk::InitAck, sctp::chunk::CookieEcho,
            sctp::chunk::CookieAck, sctp::chunk::Shutdown, sctp::chunk::ShutdownAck, sctp::chunk::ShutdownComplete,
            sctp::chunk::Abort, sctp::chunk::Sack, sctp::chunk::Heartbeat, sctp::chunk::HeartbeatAck };
        rule.chunkType = d.chunks.first().type;
        bool found = false;
        for (quint8 type : kOrder) {
            for (const sctp::DecodedChunk& c : d.chunks)
                if (c.type == type) {
                    rule.chunkType = type;
                    found = true;
                    break;
                }
            if (found)
                break;
        }
        // A chunk type the rule language does not name cannot be aimed at.
        QString why;
        if (!FaultRule::parse(QStringLiteral("drop sctp:") + sctp::chunkTypeName(rule.chunkType).replace(QLatin1Char('_'), QLatin1Char('-')), &why))
            return fail(QStringLiteral("the packet's chunks cannot be named by a rule: %1").arg(why));
    } else {
        return fail(QStringLiteral("choose a SIP message or an SCTP packet as it was sent (this is a %1 event)")
                        .arg(QLatin1String(trace::kindName(target.kind))));
    }
    // Count as the plan of the re-run will: every datagram of that protocol sent before it, in order.
    FaultRule all = rule;
    all.nth = 0;
    FaultPlan counter({ all });
    const Link::FaultJudge judge = counter.judgeFor(rule.protocol);
    for (qsizetype i = 0; i <= index; ++i) {
        const trace::Event& e = events.at(i);
        if (rule.protocol == FaultRule::Protocol::Sip ? isSipTransmission(e) : isSctpTransmission(e))
            judge(e.raw, e.from, e.to);
    }
    const quint64 nth = counter.tallies().first().matched;
    if (nth == 0 || nth > quint64(std::numeric_limits<int>::max()))
        return fail(QStringLiteral("the event does not match its own rule '%1'").arg(rule.text()));
    rule.nth = int(nth);
    return rule;
}

} // namespace ladder::lab
