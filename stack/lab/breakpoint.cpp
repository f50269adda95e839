// SPDX-License-Identifier: GPL-3.0-or-later
#include "breakpoint.h"

#include "faultplan.h"
#include "faultrule.h"
#include "sctp/chunkdecoder.h"

#include <QRegularExpression>

#include <algorithm>

namespace ladder::lab {

namespace {
    constexpr int kMaxNth = 1'000'000;

    const QString kTriggers = QStringLiteral(
        "timer, state, send, receive, abandon, forward-tsn, text or at (timer sip:A, state sip:Completed, send sip:INVITE, "
        "receive sctp:SACK, abandon buf, at 3.5s)");
    const QStringList kSctpTimers { QStringLiteral("T1-init"), QStringLiteral("T1-cookie"), QStringLiteral("T3-rtx"),
        QStringLiteral("T2-shutdown"), QStringLiteral("heartbeat") };
    const QStringList kPolicies { QStringLiteral("ttl"), QStringLiteral("buf"), QStringLiteral("rtx"),
        QStringLiteral("prio") };

    QString quoted(const QString& word) { return QLatin1Char('\'') + word + QLatin1Char('\''); }

    // Words, with "double quoted" text kept as one word (without its quotes).
    bool splitWords(const QString& text, QStringList* words, QString* error)
    {
        QString word;
        bool inQuotes = false, have = false;
        for (const QChar c : text) {
            if (c == QLatin1Char('"')) {
                inQuotes = !inQuotes;
                have = true;
            } else if (!inQuotes && c.isSpace()) {
                if (have)
                    words->append(word);
                word.clear();
                have = false;
            } else {
                word += c;
                have = true;
            }
        }
        if (inQuotes) {
            if (error)
                *error = QStringLiteral("a quote is not closed: put text with spaces between two \" marks");
            return false;
        }
        if (have)
            words->append(word);
        return true;
    }

    // A word as splitWords reads it back: in quotes when it has white space (any that splitWords
    // splits at, not only ' ') or is empty. A word never holds a '"' (splitWords keeps none).
    QString quoteIfNeeded(const QString& s)
    {
        const bool space = std::any_of(s.cbegin(), s.cend(), [](QChar c) { return c.isSpace(); });
        return space || s.isEmpty() ? QLatin1Char('"') + s + QLatin1Char('"') : s;
    }

    // The "-> STATE" end of a state event's text ("INVITE client: Calling -> Proceeding").
    QStringView stateReached(const QString& text)
    {
        const qsizetype arrow = text.lastIndexOf(QLatin1String("->"));
        return arrow < 0 ? QStringView() : QStringView(text).mid(arrow + 2).trimmed();
    }

    // A SIP message's method ("INVITE") or status code, from its bytes or its start line.
    void sipStartLine(const trace::Event& e, QString* method, int* status)
    {
        const QString line = e.text;
        if (line.startsWith(QLatin1String("SIP/2.0 "))) {
            *status = QStringView(line).mid(8, 3).toInt();
            return;
        }
        *method = line.section(QLatin1Char(' '), 0, 0);
    }
} // namespace

QString Breakpoint::text() const
{
    QString t;
    const QString proto = protocol == Protocol::Sip ? QStringLiteral("sip:")
        : protocol == Protocol::Dialog              ? QStringLiteral("dialog:")
        : protocol == Protocol::Sctp                ? QStringLiteral("sctp:")
                                                    : QString();
    switch (trigger) {
    case Trigger::Timer:
        t = QStringLiteral("timer ") + quoteIfNeeded(proto + name);
        break;
    case Trigger::State:
        t = QStringLiteral("state ") + quoteIfNeeded(proto + name);
        break;
    case Trigger::Send:
    case Trigger::Receive: {
        QString what;
        if (protocol == Protocol::Sctp)
            what = sctp::chunkTypeName(chunkType).replace(QLatin1Char('_'), QLatin1Char('-'));
        else if (status)
            what = QString::number(status);
        else if (statusClass)
            what = QStringLiteral("%1xx").arg(statusClass);
        else
            what = name;
        t = (trigger == Trigger::Send ? QStringLiteral("send ") : QStringLiteral("receive ")) + quoteIfNeeded(proto + what);
        break;
    }
    case Trigger::Abandon:
        t = policy ? QStringLiteral("abandon ") + kPolicies.at(policy - 1) : QStringLiteral("abandon");
        break;
    case Trigger::ForwardTsn:
        t = QStringLiteral("forward-tsn");
        break;
    case Trigger::Text:
        t = QStringLiteral("text ") + quoteIfNeeded(name);
        break;
    case Trigger::At:
        t = atNs % 1'000'000'000 == 0 ? QStringLiteral("at %1s").arg(atNs / 1'000'000'000)
            : atNs % 1'000'000 == 0   ? QStringLiteral("at %1ms").arg(atNs / 1'000'000)
                                      : QStringLiteral("at %1ms").arg(double(atNs) / 1e6, 0, 'f', 3);
        break;
    }
    if (!from.isEmpty())
        t += QStringLiteral(" from ") + quoteIfNeeded(from);
    if (!to.isEmpty())
        t += QStringLiteral(" to ") + quoteIfNeeded(to);
    if (!containing.isEmpty())
        t += QStringLiteral(" containing ") + quoteIfNeeded(containing);
    if (nth != 1)
        t += QStringLiteral(" nth %1").arg(nth);
    return t;
}

std::optional<Breakpoint> Breakpoint::parse(const QString& text, QString* error)
{
    auto fail = [&](const QString& why) -> std::optional<Breakpoint> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    QStringList w;
    if (!splitWords(text, &w, error))
        return std::nullopt;
    if (w.isEmpty())
        return fail(QStringLiteral("an empty breakpoint: expected %1").arg(kTriggers));
    Breakpoint b;
    qsizetype at = 1;
    const QString trigger = w[0].toLower();
    auto protocolWord = [&](const QString& expected) -> std::optional<QPair<QString, QString>> {
        if (at >= w.size()) {
            fail(QStringLiteral("%1 needs %2 next").arg(quoted(w[0]), expected));
            return std::nullopt;
        }
        const QString word = w[at++];
        const qsizetype colon = word.indexOf(QLatin1Char(':'));
        if (colon <= 0 || colon == word.size() - 1) {
            fail(QStringLiteral("%1 is not %2").arg(quoted(word), expected));
            return std::nullopt;
        }
        return qMakePair(word.left(colon).toLower(), word.mid(colon + 1));
    };

    if (trigger == QLatin1String("timer")) {
        b.trigger = Trigger::Timer;
        const QString expected = QStringLiteral("a timer: sip:A to sip:M, or sctp: and one of %1")
                                     .arg(kSctpTimers.join(QStringLiteral(", ")));
        const auto p = protocolWord(expected);
        if (!p)
            return std::nullopt;
        if (p->first == QLatin1String("sip")) {
            static const QRegularExpression letter(QStringLiteral("^[A-Ma-m]$"));
            if (!letter.match(p->second).hasMatch())
                return fail(QStringLiteral("%1 is not an RFC 3261 timer: expected sip:A to sip:M").arg(quoted(w[1])));
            b.protocol = Protocol::Sip;
            b.name = p->second.toUpper();
        } else if (p->first == QLatin1String("sctp")) {
            b.protocol = Protocol::Sctp;
            for (const QString& t : kSctpTimers)
                if (t.compare(p->second, Qt::CaseInsensitive) == 0)
                    b.name = t;
            if (b.name.isEmpty())
                return fail(QStringLiteral("%1 is not an SCTP timer the lab can see: expected sctp: and one of %2")
                                .arg(quoted(w[1]), kSctpTimers.join(QStringLiteral(", "))));
        } else {
            return fail(QStringLiteral("%1 is not %2").arg(quoted(w[1]), expected));
        }
    } else if (trigger == QLatin1String("state")) {
        b.trigger = Trigger::State;
        const QString expected
            = QStringLiteral("a state: sip:STATE (a transaction's), dialog:STATE or sctp:STATE (an association's)");
        const auto p = protocolWord(expected);
        if (!p)
            return std::nullopt;
        if (p->first == QLatin1String("sip"))
            b.protocol = Protocol::Sip;
        else if (p->first == QLatin1String("dialog"))
            b.protocol = Protocol::Dialog;
        else if (p->first == QLatin1String("sctp"))
            b.protocol = Protocol::Sctp;
        else
            return fail(QStringLiteral("%1 is not %2").arg(quoted(w[1]), expected));
        b.name = p->second;
    } else if (trigger == QLatin1String("send") || trigger == QLatin1String("receive")) {
        b.trigger = trigger == QLatin1String("send") ? Trigger::Send : Trigger::Receive;
        if (at >= w.size())
            return fail(QStringLiteral("%1 needs a matcher next: sip:METHOD, sip:NNN, sip:Nxx or sctp:CHUNK").arg(quoted(w[0])));
        // The same matchers as the fault rules (docs/FAULTS.md), read by their parser — one word: a
        // quoted "sip:INVITE nth 3" would hand that parser a filter and a count the breakpoint drops.
        if (std::any_of(w[at].cbegin(), w[at].cend(), [](QChar c) { return c.isSpace(); }))
            return fail(QStringLiteral("%1 is not a matcher: expected one word, sip:METHOD, sip:NNN, sip:Nxx or sctp:CHUNK")
                            .arg(quoted(w[at])));
        QString why;
        const auto rule = FaultRule::parse(QStringLiteral("drop ") + w[at], &why);
        if (!rule)
            return fail(why);
        ++at;
        b.protocol = rule->protocol == FaultRule::Protocol::Sip ? Protocol::Sip : Protocol::Sctp;
        b.name = rule->method;
        b.status = rule->status;
        b.statusClass = rule->statusClass;
        b.chunkType = rule->chunkType;
    } else if (trigger == QLatin1String("abandon")) {
        b.trigger = Trigger::Abandon;
        b.protocol = Protocol::Sctp;
        if (at < w.size()) {
            const qsizetype i = kPolicies.indexOf(w[at].toLower());
            if (i >= 0) {
                b.policy = int(i) + 1;
                ++at;
            }
        }
    } else if (trigger == QLatin1String("forward-tsn")) {
        b.trigger = Trigger::ForwardTsn;
        b.protocol = Protocol::Sctp;
    } else if (trigger == QLatin1String("text")) {
        b.trigger = Trigger::Text;
        b.protocol = Protocol::Any;
        if (at >= w.size() || w[at].isEmpty())
            return fail(QStringLiteral("text needs the text to look for next (in quotes if it has spaces)"));
        b.name = w[at++];
    } else if (trigger == QLatin1String("at")) {
        b.trigger = Trigger::At;
        b.protocol = Protocol::Any;
        static const QRegularExpression time(QStringLiteral("^(\\d+(?:\\.\\d+)?)(ms|s)$"));
        const QRegularExpressionMatch m = at < w.size() ? time.match(w[at].toLower()) : QRegularExpressionMatch();
        if (!m.hasMatch())
            return fail(QStringLiteral("at needs a time next, as 3.5s or 3500ms%1")
                            .arg(at < w.size() ? QStringLiteral(", not %1").arg(quoted(w[at])) : QString()));
        const double value = m.captured(1).toDouble() * (m.captured(2) == QLatin1String("s") ? 1e9 : 1e6);
        if (value > 1e15)
            return fail(QStringLiteral("%1 is past any run's end").arg(quoted(w[at])));
        b.atNs = qint64(value + 0.5);
        ++at;
    } else {
        return fail(QStringLiteral("%1 is not a breakpoint: expected %2").arg(quoted(w[0]), kTriggers));
    }

    bool counted = false;
    while (at < w.size()) {
        const QString kw = w[at++].toLower();
        if (kw != QLatin1String("from") && kw != QLatin1String("to") && kw != QLatin1String("containing")
            && kw != QLatin1String("nth"))
            return fail(QStringLiteral("%1 is not a filter or a count: expected from NAME, to NAME, containing TEXT "
                                       "or nth N")
                            .arg(quoted(w[at - 1])));
        if (at >= w.size())
            return fail(kw == QLatin1String("nth") ? QStringLiteral("nth needs a number next, from 1 up")
                                                   : QStringLiteral("%1 needs a value next").arg(kw));
        const QString arg = w[at++];
        if (kw == QLatin1String("nth")) {
            bool ok = false;
            const int n = arg.toInt(&ok);
            if (counted)
                return fail(QStringLiteral("nth given twice"));
            if (!ok || n < 1 || n > kMaxNth)
                return fail(QStringLiteral("nth needs a number from 1 to %1, not %2").arg(kMaxNth).arg(quoted(arg)));
            b.nth = n;
            counted = true;
            continue;
        }
        QString& field = kw == QLatin1String("from") ? b.from : kw == QLatin1String("to") ? b.to : b.containing;
        if (!field.isEmpty())
            return fail(QStringLiteral("%1 given twice").arg(kw));
        if (arg.isEmpty())
            return fail(QStringLiteral("%1 needs a value next").arg(kw));
        field = arg;
    }
    return b;
}

std::optional<QList<Breakpoint>> Breakpoint::parseAll(const QStringList& texts, QString* error)
{
    QList<Breakpoint> out;
    for (const QString& t : texts) {
        QString why;
        auto b = parse(t, &why);
        if (!b) {
            if (error)
                *error = QStringLiteral("breakpoint '%1': %2").arg(t.simplified(), why);
            return std::nullopt;
        }
        out.append(*b);
    }
    return out;
}

BreakpointSet::BreakpointSet(QList<Breakpoint> breakpoints)
    : m_breakpoints(std::move(breakpoints))
{
    reset();
}

void BreakpointSet::reset()
{
    m_matched = QList<int>(m_breakpoints.size(), 0);
    m_spent = QList<bool>(m_breakpoints.size(), false);
    m_lastMatch = QList<QPair<qint64, quint64>>(m_breakpoints.size(), qMakePair(qint64(-1), quint64(0)));
    m_sentControl.clear();
}

int BreakpointSet::feed(const trace::Event& e)
{
    // An INIT, COOKIE-ECHO or SHUTDOWN sent again between the same ends is its timer's doing: count
    // them once per event, before the breakpoints look.
    int controlSends = 0;
    if (e.kind == trace::Kind::SctpChunk && e.dir == trace::Dir::Tx
        && (e.a == sctp::chunk::Init || e.a == sctp::chunk::CookieEcho || e.a == sctp::chunk::Shutdown))
        controlSends = ++m_sentControl[QStringLiteral("%1 %2 %3 %4").arg(e.a).arg(e.object).arg(e.from, e.to)];
    int hit = -1;
    for (int i = 0; i < m_breakpoints.size(); ++i) {
        if (m_spent[i])
            continue;
        const Breakpoint& b = m_breakpoints[i];
        bool match = matches(i, e);
        if (match && b.trigger == Breakpoint::Trigger::Timer && b.protocol == Breakpoint::Protocol::Sctp
            && b.name != QLatin1String("heartbeat") && b.name != QLatin1String("T3-rtx"))
            match = controlSends >= 2;
        if (!match)
            continue;
        // One expiry, one count: the TSNs one T3-rtx retransmits arrive as several events.
        if (b.trigger == Breakpoint::Trigger::Timer && b.protocol == Breakpoint::Protocol::Sctp
            && m_lastMatch[i] == qMakePair(e.timeNs, e.object))
            continue;
        m_lastMatch[i] = qMakePair(e.timeNs, e.object);
        if (++m_matched[i] == b.nth) {
            m_spent[i] = true;
            if (hit < 0)
                hit = i;
        }
    }
    return hit;
}

bool BreakpointSet::matches(int index, const trace::Event& e)
{
    const Breakpoint& b = m_breakpoints[index];
    using K = trace::Kind;
    bool kindMatch = false;
    switch (b.trigger) {
    case Breakpoint::Trigger::Timer:
        if (b.protocol == Breakpoint::Protocol::Sip)
            kindMatch = e.kind == K::TimerFired && e.text == b.name;
        else if (b.name == QLatin1String("T3-rtx"))
            kindMatch = e.kind == K::SctpRetransmission && e.a == 2;
        else if (e.kind == K::SctpChunk && e.dir == trace::Dir::Tx) {
            const quint64 type = b.name == QLatin1String("T1-init") ? sctp::chunk::Init
                : b.name == QLatin1String("T1-cookie")              ? sctp::chunk::CookieEcho
                : b.name == QLatin1String("T2-shutdown")            ? sctp::chunk::Shutdown
                                                                    : sctp::chunk::Heartbeat;
            kindMatch = e.a == type;
        }
        break;
    case Breakpoint::Trigger::State: {
        const K want = b.protocol == Breakpoint::Protocol::Sip ? K::TransactionState
            : b.protocol == Breakpoint::Protocol::Dialog       ? K::DialogState
                                                               : K::AssociationState;
        kindMatch = e.kind == want && stateReached(e.text).compare(b.name, Qt::CaseInsensitive) == 0;
        break;
    }
    case Breakpoint::Trigger::Send:
    case Breakpoint::Trigger::Receive: {
        const trace::Dir dir = b.trigger == Breakpoint::Trigger::Send ? trace::Dir::Tx : trace::Dir::Rx;
        if (e.dir != dir)
            break;
        if (b.protocol == Breakpoint::Protocol::Sctp) {
            kindMatch = e.kind == K::SctpChunk && e.a == b.chunkType;
        } else if (e.kind == K::SipMessage || e.kind == K::SipRetransmission) {
            QString method;
            int status = 0;
            sipStartLine(e, &method, &status);
            kindMatch = !b.name.isEmpty() ? method.compare(b.name, Qt::CaseInsensitive) == 0
                : b.status                ? status == b.status
                                          : status / 100 == b.statusClass;
        }
        break;
    }
    case Breakpoint::Trigger::Abandon:
        kindMatch = e.kind == K::SctpAbandon && (!b.policy || int(e.a) == b.policy);
        break;
    case Breakpoint::Trigger::ForwardTsn:
        kindMatch = e.kind == K::SctpForwardTsn;
        break;
    case Breakpoint::Trigger::Text:
        kindMatch = e.kind != K::Log
            && (e.text.contains(b.name, Qt::CaseInsensitive)
                || (!e.raw.isEmpty() && QString::fromUtf8(e.raw).contains(b.name, Qt::CaseInsensitive)));
        break;
    case Breakpoint::Trigger::At:
        kindMatch = e.kind != K::Log && e.timeNs >= b.atNs;
        break;
    }
    if (!kindMatch)
        return false;
    if (!b.from.isEmpty() && !FaultPlan::laneIs(e.from, b.from))
        return false;
    if (!b.to.isEmpty() && !FaultPlan::laneIs(e.to, b.to))
        return false;
    if (!b.containing.isEmpty() && !e.text.contains(b.containing, Qt::CaseInsensitive)
        && !QString::fromUtf8(e.raw).contains(b.containing, Qt::CaseInsensitive))
        return false;
    return true;
}

} // namespace ladder::lab
