// SPDX-License-Identifier: GPL-3.0-or-later
#include "explain.h"

#include "explain_p.h"
#include "journal.h"

#include <algorithm>

namespace ladder::trace {

using namespace explaindetail;

QString Reference::label() const
{
    if (section.isEmpty())
        return spec;
    if (section.startsWith(QLatin1String("Appendix")))
        return spec + QLatin1Char(' ') + section;
    return spec + QStringLiteral(" §") + section;
}

Reference rfc(int number, const QString& section, const QString& title)
{
    QString url = QStringLiteral("https://www.rfc-editor.org/rfc/rfc%1").arg(number);
    if (section.startsWith(QLatin1String("Appendix ")))
        url += QStringLiteral("#appendix-") + section.mid(9);
    else if (!section.isEmpty())
        url += QStringLiteral("#section-") + section;
    return { QStringLiteral("RFC %1").arg(number), section, title, url };
}

// ---- Context ----

Context::Context(Source before)
    : m_before(std::move(before))
{
}

Context Context::ofJournal(const Journal& journal, quint64 lookback)
{
    return Context([&journal, lookback](quint64 seq, const Visit& visit) {
        const quint64 first = std::max(journal.firstAvailable(), seq > lookback ? seq - lookback : 0);
        constexpr quint64 kBatch = 256;
        quint64 end = std::min(seq, journal.count());
        while (end > first) {
            const quint64 begin = end - std::min(kBatch, end - first);
            const QVector<Event> batch = journal.range(begin, end - begin);
            for (auto it = batch.crbegin(); it != batch.crend(); ++it)
                if (!visit(*it))
                    return;
            end = begin;
        }
    });
}

Context Context::ofEvents(QList<Event> events, quint64 lookback)
{
    auto shared = std::make_shared<const QList<Event>>(std::move(events));
    return Context([shared, lookback](quint64 seq, const Visit& visit) {
        const QList<Event>& list = *shared;
        auto it = std::lower_bound(list.cbegin(), list.cend(), seq, [](const Event& e, quint64 s) { return e.seq < s; });
        for (quint64 n = 0; it != list.cbegin() && n < lookback; ++n) {
            --it;
            if (!visit(*it))
                return;
        }
    });
}

void Context::visitBefore(const Event& e, const Visit& visit) const
{
    if (m_before)
        m_before(e.seq, visit);
}

std::optional<Event> Context::lastBefore(const Event& e, const std::function<bool(const Event&)>& match) const
{
    std::optional<Event> found;
    visitBefore(e, [&](const Event& x) {
        if (!match(x))
            return true;
        found = x;
        return false;
    });
    return found;
}

int Context::countBefore(const Event& e, const std::function<bool(const Event&)>& match) const
{
    int n = 0;
    visitBefore(e, [&](const Event& x) {
        n += match(x) ? 1 : 0;
        return true;
    });
    return n;
}

namespace explaindetail {

    Reference rfc3261(const QString& section, const QString& title) { return rfc(3261, section, title); }
    Reference rfc4960(const QString& section, const QString& title) { return rfc(4960, section, title); }

    Reference manSctpSendmsg()
    {
        return { QStringLiteral("sctp_sendmsg(3)"), {}, QStringLiteral("send a message from an SCTP socket (FreeBSD manual)"),
            QStringLiteral("https://man.freebsd.org/cgi/man.cgi?query=sctp_sendmsg&sektion=3") };
    }

    Reference manSipSendmsg()
    {
        return { QStringLiteral("sip_sendmsg(3SIP)"), {}, QStringLiteral("send a SIP message (illumos libsip manual)"),
            QStringLiteral("https://illumos.org/man/3SIP/sip_sendmsg") };
    }

    Reference faultsDoc()
    {
        return { QStringLiteral("docs/FAULTS.md"), {}, QStringLiteral("LadderLab's fault rules and what each does"), {} };
    }

    QString ordinal(quint64 n)
    {
        const quint64 tens = n % 100;
        const char* suffix = (tens >= 11 && tens <= 13) ? "th"
            : n % 10 == 1                              ? "st"
            : n % 10 == 2                              ? "nd"
            : n % 10 == 3                              ? "rd"
                                                       : "th";
        return QString::number(n) + QLatin1String(suffix);
    }

    namespace {
        QByteArrayView trimmed(QByteArrayView v)
        {
            while (!v.isEmpty() && (v.front() == ' ' || v.front() == '\t'))
                v = v.sliced(1);
            while (!v.isEmpty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r'))
                v.chop(1);
            return v;
        }

        bool nameIs(QByteArrayView name, const char* full, const char* compact)
        {
            return name.compare(QByteArrayView(full), Qt::CaseInsensitive) == 0
                || (compact && name.compare(QByteArrayView(compact), Qt::CaseInsensitive) == 0);
        }

        QByteArray tagOf(QByteArrayView to)
        {
            // The tag parameter after the name-addr's closing '>' (or anywhere, for an addr-spec).
            const qsizetype close = to.lastIndexOf('>');
            QByteArrayView params = close >= 0 ? to.sliced(close + 1) : to;
            for (qsizetype i = 0; i + 4 < params.size(); ++i) {
                if (params[i] != ';')
                    continue;
                const QByteArrayView rest = trimmed(params.sliced(i + 1));
                if (rest.size() > 4 && rest.first(4).compare(QByteArrayView("tag="), Qt::CaseInsensitive) == 0) {
                    QByteArrayView tag = rest.sliced(4);
                    const qsizetype end = tag.indexOf(';');
                    return trimmed(end < 0 ? tag : tag.first(end)).toByteArray();
                }
            }
            return {};
        }
    } // namespace

    SipHead sipHead(const QByteArray& raw, const QString& startLine)
    {
        SipHead h;
        constexpr qsizetype kHeadLimit = 16384;
        const QByteArrayView bytes = QByteArrayView(raw).first(std::min(raw.size(), kHeadLimit));
        const QByteArray fallback = startLine.toUtf8();
        qsizetype eol = bytes.indexOf('\n');
        const QByteArrayView first = bytes.isEmpty() ? QByteArrayView(fallback) : trimmed(eol < 0 ? bytes : bytes.first(eol));
        if (first.startsWith("SIP/2.0 ")) {
            const QByteArrayView code = first.sliced(8).first(std::min<qsizetype>(3, first.size() - 8));
            bool ok = false;
            h.status = code.toByteArray().toInt(&ok);
            h.valid = ok && h.status >= 100 && h.status <= 699;
        } else if (const qsizetype sp = first.indexOf(' '); sp > 0 && first.endsWith(" SIP/2.0")) {
            h.request = true;
            h.method = first.first(sp).toByteArray();
            h.valid = true;
        }
        if (!h.valid || bytes.isEmpty())
            return h;
        for (qsizetype pos = eol + 1; eol >= 0 && pos < bytes.size(); pos = eol + 1) {
            eol = bytes.indexOf('\n', pos);
            const QByteArrayView line = trimmed(bytes.sliced(pos, (eol < 0 ? bytes.size() : eol) - pos));
            if (line.isEmpty())
                break;
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0)
                continue;
            const QByteArrayView name = trimmed(line.first(colon));
            const QByteArrayView value = trimmed(line.sliced(colon + 1));
            if (nameIs(name, "CSeq", nullptr)) {
                const qsizetype sp = value.indexOf(' ');
                h.cseqMethod = sp < 0 ? QByteArray() : trimmed(value.sliced(sp + 1)).toByteArray();
            } else if (nameIs(name, "Call-ID", "i")) {
                h.callId = value.toByteArray();
            } else if (nameIs(name, "To", "t")) {
                h.toTag = tagOf(value);
            }
        }
        return h;
    }

} // namespace explaindetail

namespace {

    QString latin(QByteArrayView v) { return QString::fromUtf8(v.data(), v.size()); }

    QString transportName(quint64 b)
    {
        switch (b) {
        case 0: return QStringLiteral("UDP");
        case 1: return QStringLiteral("TCP");
        case 2: return QStringLiteral("SCTP");
        case 3: return QStringLiteral("TLS");
        case 4: return QStringLiteral("WebSocket");
        case 5: return QStringLiteral("secure WebSocket");
        default: return QStringLiteral("transport %1").arg(b);
        }
    }
    bool unreliable(quint64 transport) { return transport == 0; }

    // ---- SIP timers ----

    struct TimerRule {
        char name;
        const char* machine; // "INVITE client", …
        const char* meaning;
        const char* section; // RFC 3261 (or RFC 6026 when rfc6026)
        bool rfc6026;
    };

    const TimerRule kTimers[] = {
        { 'A', "INVITE client", "the INVITE retransmission interval over UDP: T1 at first, doubled after each retransmission",
            "17.1.1.2", false },
        { 'B', "INVITE client", "the INVITE transaction timeout, 64·T1", "17.1.1.2", false },
        { 'D', "INVITE client", "the wait for retransmitted final responses in Completed: at least 32 s over UDP, 0 over TCP/SCTP",
            "17.1.1.2", false },
        { 'E', "non-INVITE client",
            "the non-INVITE retransmission interval over UDP: T1, doubled up to T2 in Trying, T2 in Proceeding", "17.1.2.2",
            false },
        { 'F', "non-INVITE client", "the non-INVITE transaction timeout, 64·T1", "17.1.2.2", false },
        { 'K', "non-INVITE client", "the wait for response retransmissions in Completed: T4 over UDP, 0 over TCP/SCTP",
            "17.1.2.2", false },
        { 'G', "INVITE server", "the final response (300–699) retransmission interval over UDP: T1, doubled up to T2",
            "17.2.1", false },
        { 'H', "INVITE server", "the wait for the ACK to a 300–699 response, 64·T1", "17.2.1", false },
        { 'I', "INVITE server", "the wait for ACK retransmissions in Confirmed: T4 over UDP, 0 over TCP/SCTP", "17.2.1", false },
        { 'J', "non-INVITE server", "the wait for request retransmissions in Completed: 64·T1 over UDP, 0 over TCP/SCTP",
            "17.2.2", false },
        { 'L', "INVITE server", "the wait in Accepted for retransmitted INVITEs and 2xx from the TU, 64·T1", "7.1", true },
        { 'M', "INVITE client", "the wait in Accepted for retransmitted or forked 2xx responses, 64·T1", "7.2", true },
    };

    const TimerRule* timerRule(const QString& name)
    {
        if (name.size() != 1)
            return nullptr;
        for (const TimerRule& r : kTimers)
            if (QLatin1Char(r.name) == name.front())
                return &r;
        return nullptr;
    }

    QString initialState(const QString& machine)
    {
        return machine == QLatin1String("INVITE client")       ? QStringLiteral("Calling")
            : machine == QLatin1String("INVITE server")        ? QStringLiteral("Proceeding")
                                                               : QStringLiteral("Trying");
    }

    // The state a transaction was in before e: its last journalled transition, else the state its
    // machine starts in (the start is not journalled).
    QString stateBefore(const Event& e, const Context& context, const QString& machine)
    {
        const auto last = context.lastBefore(e, [&](const Event& x) { return x.kind == Kind::TransactionState && x.object == e.object; });
        if (!last)
            return context.hasHistory() ? initialState(machine) : QString();
        const qsizetype arrow = last->text.lastIndexOf(QLatin1String("-> "));
        return arrow < 0 ? QString() : last->text.mid(arrow + 3).trimmed();
    }

    Reference timerReference(const TimerRule& r)
    {
        if (r.rfc6026)
            return rfc(6026, QLatin1String(r.section),
                r.name == 'L' ? QStringLiteral("Server transaction impacts (Timer L)") : QStringLiteral("Client transaction impacts (Timer M)"));
        const QString title = QLatin1String(r.section) == QLatin1String("17.1.1.2") ? QStringLiteral("INVITE client transaction, formal description")
            : QLatin1String(r.section) == QLatin1String("17.1.2.2")                  ? QStringLiteral("Non-INVITE client transaction, formal description")
            : QLatin1String(r.section) == QLatin1String("17.2.1")                    ? QStringLiteral("INVITE server transaction")
                                                                                     : QStringLiteral("Non-INVITE server transaction");
        return rfc3261(QLatin1String(r.section), title);
    }

    // What firing does, in the state it fires in (LadderLab's machines, stack/sip/transaction).
    QString onFire(char name, const QString& state, quint64 nth, qint64 intervalMs)
    {
        const QString every = intervalMs > 0 ? QStringLiteral(" after %1 ms").arg(intervalMs) : QString();
        switch (name) {
        case 'A':
            return QStringLiteral("In Calling no response has arrived%1, so the transaction retransmits the INVITE (its %2 "
                                  "retransmission) and re-arms Timer A at twice the interval.")
                .arg(every, ordinal(nth));
        case 'E':
            return QStringLiteral("No final response yet%1, so the transaction retransmits the request (its %2 retransmission) "
                                  "and re-arms Timer E: doubled up to T2 in Trying, T2 in Proceeding.")
                .arg(every, ordinal(nth));
        case 'G':
            return QStringLiteral("No ACK yet%1, so the server transaction retransmits its final response (the %2 time) and "
                                  "re-arms Timer G, doubled up to T2.")
                .arg(every, ordinal(nth));
        case 'B':
        case 'F':
            return QStringLiteral("No final response within 64·T1: the transaction times out, tells its TU (as a 408 "
                                  "would, §8.1.3.1) and terminates.");
        case 'H':
            return QStringLiteral("No ACK came within 64·T1 for the 300–699 response: the transaction terminates and "
                                  "tells its TU the ACK never came.");
        case 'D':
        case 'K':
        case 'I':
        case 'J':
            return QStringLiteral("The wait for retransmissions is over: the transaction moves from %1 to Terminated.")
                .arg(state.isEmpty() ? QStringLiteral("its final state") : state);
        case 'L':
        case 'M':
            return QStringLiteral("The Accepted state's wait is over: the transaction terminates (RFC 6026 replaced "
                                  "RFC 3261's immediate termination on a 2xx with this state).");
        default: return {};
        }
    }

    QString fireTransition(char name, const QString& state)
    {
        switch (name) {
        case 'A':
        case 'E':
        case 'G': return state.isEmpty() ? QString() : QStringLiteral("in %1 (stays)").arg(state);
        default:
            if (state.isEmpty())
                return QStringLiteral("-> Terminated");
            return state + QStringLiteral(" -> Terminated");
        }
    }

    Explanation explainTimer(const Event& e, const Context& context)
    {
        Explanation x;
        const QString name = e.text;
        if (name == QLatin1String("2xx")) {
            x.why = e.kind == Kind::TimerArmed
                ? QStringLiteral("The UAS core sent a 2xx to an INVITE over UDP: it retransmits that 2xx at T1, doubling up "
                                 "to T2, until the ACK arrives — the 2xx is the TU's, not the transaction's, to keep.")
                : e.kind == Kind::TimerCancelled ? QStringLiteral("The ACK for the 2xx arrived: the UAS core stops retransmitting the 2xx.")
                                                 : QStringLiteral("No ACK yet for the 2xx: the UAS core retransmits it and doubles the "
                                                                  "interval (up to T2); it gives up after 64·T1.");
            x.refs = { rfc3261(QStringLiteral("13.3.1.4"), QStringLiteral("The INVITE is accepted")) };
            return x;
        }
        if (name == QLatin1String("100")) {
            x.why = e.kind == Kind::TimerArmed
                ? QStringLiteral("An INVITE arrived: if the TU has not answered within 200 ms, the server transaction "
                                 "sends 100 Trying itself, to stop the client's retransmissions.")
                : e.kind == Kind::TimerCancelled ? QStringLiteral("The TU answered in time: no 100 Trying is needed from the transaction.")
                                                 : QStringLiteral("The TU did not answer within 200 ms: the server transaction sends "
                                                                  "100 Trying now.");
            x.refs = { rfc3261(QStringLiteral("17.2.1"), QStringLiteral("INVITE server transaction")) };
            return x;
        }
        const TimerRule* rule = timerRule(name);
        if (!rule) {
            x.why = QStringLiteral("Timer %1 of a SIP transaction (not one of RFC 3261's A–K or RFC 6026's L and M).").arg(name);
            x.refs = { rfc3261(QStringLiteral("Appendix A"), QStringLiteral("Table of timer values")) };
            return x;
        }
        const QString machine = QLatin1String(rule->machine);
        const QString state = stateBefore(e, context, machine);
        const QString head = QStringLiteral("Timer %1 of the %2 transaction is %3.").arg(name, machine, QLatin1String(rule->meaning));
        switch (e.kind) {
        case Kind::TimerArmed: {
            const QString interval = QStringLiteral(" Armed for %1 ms").arg(e.a);
            x.why = head + interval + (state.isEmpty() ? QStringLiteral(".") : QStringLiteral(", in %1.").arg(state));
            if (!state.isEmpty())
                x.transition = QStringLiteral("%1: in %2").arg(machine, state);
            break;
        }
        case Kind::TimerCancelled:
            x.why = head
                + QStringLiteral(" Cancelled: what it waited for happened (a response, the ACK), or the transaction ended "
                                 "first.");
            if (!state.isEmpty())
                x.transition = QStringLiteral("%1: in %2").arg(machine, state);
            break;
        default: {
            const quint64 nth = quint64(context.countBefore(e, [&](const Event& p) {
                return p.kind == Kind::TimerFired && p.object == e.object && p.text == name;
            })) + 1;
            const auto armed = context.lastBefore(e, [&](const Event& p) {
                return p.kind == Kind::TimerArmed && p.object == e.object && p.text == name;
            });
            x.why = head + QLatin1Char(' ') + onFire(rule->name, state, nth, armed ? qint64(armed->a) : -1);
            x.transition = QStringLiteral("%1: %2").arg(machine, fireTransition(rule->name, state));
            break;
        }
        }
        x.refs = { timerReference(*rule), rfc3261(QStringLiteral("Appendix A"), QStringLiteral("Table of timer values")) };
        return x;
    }

    // ---- Transaction states ----

    Explanation explainTransactionState(const Event& e, const Context& context)
    {
        Explanation x;
        x.transition = e.text;
        const qsizetype colon = e.text.indexOf(QLatin1String(": "));
        const qsizetype arrow = e.text.indexOf(QLatin1String(" -> "));
        const QString machine = colon < 0 ? QString() : e.text.left(colon);
        const QString from = colon < 0 || arrow < 0 ? QString() : e.text.mid(colon + 2, arrow - colon - 2);
        const QString to = arrow < 0 ? QString() : e.text.mid(arrow + 4);
        const bool client = machine.endsWith(QLatin1String("client"));
        const bool invite = machine.startsWith(QLatin1String("INVITE"));
        const QString formal = invite ? (client ? QStringLiteral("17.1.1.2") : QStringLiteral("17.2.1"))
                                      : (client ? QStringLiteral("17.1.2.2") : QStringLiteral("17.2.2"));
        const QString title = invite ? (client ? QStringLiteral("INVITE client transaction, formal description") : QStringLiteral("INVITE server transaction"))
                                     : (client ? QStringLiteral("Non-INVITE client transaction, formal description")
                                               : QStringLiteral("Non-INVITE server transaction"));
        x.refs = { rfc3261(formal, title) };
        // A timer that fired or a transport error at this very instant, on this transaction.
        const auto cause = context.lastBefore(e, [&](const Event& p) {
            return p.timeNs == e.timeNs && p.object == e.object && (p.kind == Kind::TimerFired || p.kind == Kind::Error);
        });

        if (to == QLatin1String("Proceeding")) {
            x.why = client ? QStringLiteral("A provisional (1xx) response arrived. %1")
                                 .arg(invite ? QStringLiteral("Timer A stops: over UDP the INVITE is no longer retransmitted (LadderLab "
                                                              "also stops Timer B; the TU now waits for the final response).")
                                             : QStringLiteral("Timer E keeps retransmitting, at T2."))
                           : QStringLiteral("The TU sent a provisional (1xx) response.");
        } else if (to == QLatin1String("Completed")) {
            if (client && invite) {
                x.why = QStringLiteral("A final response 300–699 arrived. The transaction sends the ACK itself (§17.1.1.3) and "
                                       "arms Timer D (32 s over UDP, 0 over TCP/SCTP) to answer retransmissions of that response.");
                x.refs << rfc3261(QStringLiteral("17.1.1.3"), QStringLiteral("Construction of the ACK request"));
            } else if (client) {
                x.why = QStringLiteral("A final response (200–699) arrived: Timers E and F stop; Timer K (T4 over UDP, 0 "
                                       "over TCP/SCTP) absorbs retransmissions of the response.");
            } else if (invite) {
                x.why = QStringLiteral("The TU sent a final response 300–699: over UDP Timer G retransmits it until the ACK "
                                       "comes; Timer H (64·T1) gives up waiting for the ACK.");
            } else {
                x.why = QStringLiteral("The TU sent a final response: Timer J (64·T1 over UDP, 0 over TCP/SCTP) keeps the "
                                       "transaction to answer retransmitted requests with it.");
            }
        } else if (to == QLatin1String("Accepted")) {
            x.why = client ? QStringLiteral("A 2xx arrived. RFC 6026 keeps the transaction in Accepted (Timer M, 64·T1) "
                                            "so that retransmitted or forked 2xx reach the TU, which sends the ACK itself "
                                            "(RFC 3261 §13.2.2.4).")
                           : QStringLiteral("The TU sent a 2xx. RFC 6026 keeps the transaction in Accepted (Timer L, 64·T1) "
                                            "to absorb retransmitted INVITEs; the TU retransmits the 2xx until the ACK "
                                            "(RFC 3261 §13.3.1.4).");
            x.refs = { rfc(6026, client ? QStringLiteral("7.2") : QStringLiteral("7.1"),
                           client ? QStringLiteral("Client transaction impacts") : QStringLiteral("Server transaction impacts")),
                rfc3261(formal, title) };
        } else if (to == QLatin1String("Confirmed")) {
            x.why = QStringLiteral("The ACK for the 300–699 response arrived: Timers G and H stop, and Timer I (T4 over UDP, "
                                   "0 over TCP/SCTP) absorbs ACK retransmissions.");
        } else if (to == QLatin1String("Terminated")) {
            if (cause && cause->kind == Kind::TimerFired) {
                const QString t = cause->text;
                const bool timeout = t == QLatin1String("B") || t == QLatin1String("F") || t == QLatin1String("H");
                x.why = timeout ? QStringLiteral("Timer %1 fired in %2: the transaction timed out and its TU was told.").arg(t, from)
                                : QStringLiteral("Timer %1 fired in %2: the wait for retransmissions is over.").arg(t, from);
                if (t == QLatin1String("L") || t == QLatin1String("M"))
                    x.refs.prepend(rfc(6026, t == QLatin1String("L") ? QStringLiteral("7.1") : QStringLiteral("7.2"),
                        t == QLatin1String("L") ? QStringLiteral("Server transaction impacts") : QStringLiteral("Client transaction impacts")));
            } else if (cause && cause->kind == Kind::Error) {
                x.why = QStringLiteral("The transport failed to send (%1): the transaction informs its TU and terminates.").arg(cause->text);
                x.refs = { rfc3261(client ? QStringLiteral("17.1.4") : QStringLiteral("17.2.4"), QStringLiteral("Handling transport errors")) };
            } else if (from == QLatin1String("Completed") || from == QLatin1String("Confirmed")) {
                x.why = QStringLiteral("Over a reliable transport (TCP, TLS, SCTP) there are no retransmissions to absorb: "
                                       "the wait timer is 0, so the transaction leaves %1 at once.")
                            .arg(from);
            } else {
                x.why = QStringLiteral("The transaction ended in %1: a timer, a transport error or the stack's shutdown "
                                       "ended it.")
                            .arg(from.isEmpty() ? QStringLiteral("its state") : from);
            }
        } else {
            x.why = QStringLiteral("The %1 transaction changed state.").arg(machine.isEmpty() ? QStringLiteral("SIP") : machine);
        }
        return x;
    }

    // ---- Dialogs ----

    Explanation explainDialogState(const Event& e, const Context& context)
    {
        Explanation x;
        const QString& t = e.text;
        const Reference dialogs = rfc3261(QStringLiteral("12"), QStringLiteral("Dialogs"));
        if (t.contains(QLatin1String(": created "))) {
            const bool uac = t.startsWith(QLatin1String("UAC"));
            const bool early = t.contains(QLatin1String("created early"));
            x.transition = early ? QStringLiteral("-> early") : QStringLiteral("-> confirmed");
            x.why = QStringLiteral("A %1 response with a To tag to a dialog-creating request made a dialog, identified by "
                                   "Call-ID, local tag and remote tag; %2.")
                        .arg(early ? QStringLiteral("provisional (101–199)") : QStringLiteral("2xx"),
                            early ? QStringLiteral("it is early until a 2xx confirms it or a 300–699 ends it")
                                  : QStringLiteral("a 2xx makes it confirmed at once"));
            x.refs = { rfc3261(uac ? QStringLiteral("12.1.2") : QStringLiteral("12.1.1"),
                           uac ? QStringLiteral("Dialog creation, UAC behavior") : QStringLiteral("Dialog creation, UAS behavior")),
                dialogs };
            if (t.contains(QLatin1String("SUBSCRIBE")) || t.contains(QLatin1String("NOTIFY")))
                x.refs << rfc(6665, QStringLiteral("4.1"), QStringLiteral("Subscriber behavior"));
            return x;
        }
        if (t.startsWith(QLatin1String("forked "))) {
            x.why = QStringLiteral("A response with a To tag no dialog has came back to the same request: a proxy forked it "
                                   "and another UAS answered. Each such 2xx would make its own dialog; without "
                                   "SIP_DIALOG_ON_FORK the stack makes none for it.");
            x.refs = { rfc3261(QStringLiteral("13.2.2.4"), QStringLiteral("2xx responses")),
                rfc3261(QStringLiteral("19.3"), QStringLiteral("Tags")),
                rfc3261(QStringLiteral("16.7"), QStringLiteral("Response processing (forking proxy)")), manSipSendmsg() };
            return x;
        }
        if (t.startsWith(QLatin1String("remote target"))) {
            x.why = QStringLiteral("A target refresh (a re-INVITE, UPDATE or its 2xx) carried a new Contact: the dialog's "
                                   "remote target becomes that URI.");
            x.refs = { rfc3261(QStringLiteral("12.2.1.2"), QStringLiteral("Processing the responses")),
                rfc3261(QStringLiteral("12.2.2"), QStringLiteral("UAS behavior")) };
            return x;
        }
        x.transition = t;
        // The SIP message of this instant that moved the dialog, if the history has it.
        const auto msg = context.lastBefore(e, [&](const Event& p) {
            return p.timeNs == e.timeNs && (p.kind == Kind::SipMessage || p.kind == Kind::SipRetransmission);
        });
        const SipHead h = msg ? sipHead(msg->raw, msg->text) : SipHead();
        if (t.endsWith(QLatin1String("-> confirmed"))) {
            x.why = QStringLiteral("A 2xx to the dialog-creating request confirmed the early dialog.");
            x.refs = { rfc3261(QStringLiteral("12.1"), QStringLiteral("Creation of a dialog")),
                rfc3261(QStringLiteral("13.2.2.4"), QStringLiteral("2xx responses")) };
        } else if (t.endsWith(QLatin1String("-> terminated"))) {
            const bool bye = h.valid && (h.method == "BYE" || h.cseqMethod == "BYE");
            if (bye) {
                x.why = QStringLiteral("A BYE ended the session and its dialog.");
                x.refs = { rfc3261(QStringLiteral("15"), QStringLiteral("Terminating a session")),
                    rfc3261(QStringLiteral("12.3"), QStringLiteral("Termination of a dialog")) };
            } else if (h.valid && (h.status == 481 || h.status == 408)) {
                x.why = QStringLiteral("A %1 to a request in the dialog ends the dialog.").arg(h.status);
                x.refs = { rfc3261(QStringLiteral("12.2.1.2"), QStringLiteral("Processing the responses")) };
            } else if (t.startsWith(QLatin1String("early"))) {
                x.why = QStringLiteral("The early dialog ended: the request that created it got a non-2xx final response (or "
                                       "timed out).");
                x.refs = { rfc3261(QStringLiteral("12.3"), QStringLiteral("Termination of a dialog")) };
            } else {
                x.why = QStringLiteral("The dialog ended: BYE, a 481/408 or a timeout of a request in it.");
                x.refs = { rfc3261(QStringLiteral("12.3"), QStringLiteral("Termination of a dialog")),
                    rfc3261(QStringLiteral("12.2.1.2"), QStringLiteral("Processing the responses")) };
            }
        } else {
            x.why = QStringLiteral("The dialog's state changed.");
            x.refs = { dialogs };
        }
        x.refs << dialogs;
        return x;
    }

    // ---- SIP messages ----

    Reference statusReference(int status)
    {
        struct Known {
            int status;
            const char* section;
        };
        static const Known known[] = { { 100, "21.1.1" }, { 180, "21.1.2" }, { 181, "21.1.3" }, { 182, "21.1.4" },
            { 183, "21.1.5" }, { 200, "21.2.1" }, { 300, "21.3.1" }, { 301, "21.3.2" }, { 302, "21.3.3" }, { 305, "21.3.4" },
            { 380, "21.3.5" }, { 400, "21.4.1" }, { 401, "21.4.2" }, { 402, "21.4.3" }, { 403, "21.4.4" }, { 404, "21.4.5" },
            { 405, "21.4.6" }, { 406, "21.4.7" }, { 407, "21.4.8" }, { 408, "21.4.9" }, { 410, "21.4.10" },
            { 413, "21.4.11" }, { 414, "21.4.12" }, { 415, "21.4.13" }, { 416, "21.4.14" }, { 420, "21.4.15" },
            { 421, "21.4.16" }, { 423, "21.4.17" }, { 480, "21.4.18" }, { 481, "21.4.19" }, { 482, "21.4.20" },
            { 483, "21.4.21" }, { 484, "21.4.22" }, { 485, "21.4.23" }, { 486, "21.4.24" }, { 487, "21.4.25" },
            { 488, "21.4.26" }, { 491, "21.4.27" }, { 493, "21.4.28" }, { 500, "21.5.1" }, { 501, "21.5.2" },
            { 502, "21.5.3" }, { 503, "21.5.4" }, { 504, "21.5.5" }, { 505, "21.5.6" }, { 513, "21.5.7" },
            { 600, "21.6.1" }, { 603, "21.6.2" }, { 604, "21.6.3" }, { 606, "21.6.4" } };
        for (const Known& k : known)
            if (k.status == status)
                return rfc3261(QLatin1String(k.section), QStringLiteral("%1 response").arg(status));
        static const char* const classes[] = { "21.1", "21.2", "21.3", "21.4", "21.5", "21.6" };
        static const char* const names[] = { "Provisional 1xx", "Successful 2xx", "Redirection 3xx", "Request failure 4xx",
            "Server failure 5xx", "Global failures 6xx" };
        const int c = std::clamp(status / 100 - 1, 0, 5);
        return rfc3261(QLatin1String(classes[c]), QLatin1String(names[c]));
    }

    Reference methodReference(const QByteArray& m)
    {
        if (m == "INVITE")
            return rfc3261(QStringLiteral("13"), QStringLiteral("Initiating a session"));
        if (m == "BYE")
            return rfc3261(QStringLiteral("15"), QStringLiteral("Terminating a session"));
        if (m == "CANCEL")
            return rfc3261(QStringLiteral("9"), QStringLiteral("Canceling a request"));
        if (m == "OPTIONS")
            return rfc3261(QStringLiteral("11"), QStringLiteral("Querying for capabilities"));
        if (m == "REGISTER")
            return rfc3261(QStringLiteral("10"), QStringLiteral("Registrations"));
        if (m == "SUBSCRIBE")
            return rfc(6665, QStringLiteral("3.1"), QStringLiteral("SUBSCRIBE"));
        if (m == "NOTIFY")
            return rfc(6665, QStringLiteral("3.2"), QStringLiteral("NOTIFY"));
        if (m == "REFER")
            return rfc(3515, QStringLiteral("2"), QStringLiteral("The REFER method"));
        if (m == "PRACK")
            return rfc(3262, {}, QStringLiteral("Reliability of provisional responses (PRACK)"));
        if (m == "UPDATE")
            return rfc(3311, {}, QStringLiteral("The UPDATE method"));
        if (m == "INFO")
            return rfc(6086, {}, QStringLiteral("The INFO method"));
        if (m == "MESSAGE")
            return rfc(3428, {}, QStringLiteral("The MESSAGE method"));
        if (m == "PUBLISH")
            return rfc(3903, {}, QStringLiteral("The PUBLISH method"));
        return rfc3261(QStringLiteral("7.1"), QStringLiteral("Requests"));
    }

    bool sameTransactionInvite(const Event& e, const Context& context)
    {
        if (!e.object)
            return false;
        return bool(context.lastBefore(e, [&](const Event& p) {
            return p.object == e.object && (p.kind == Kind::SipMessage || p.kind == Kind::SipRetransmission) && p.dir == e.dir
                && p.text.startsWith(QLatin1String("INVITE "));
        }));
    }

    void explainRequest(const Event& e, const Context& context, const SipHead& h, Explanation& x)
    {
        const bool tx = e.dir == Dir::Tx;
        const QString method = latin(h.method);
        const QString over = transportName(e.b);
        x.refs = { methodReference(h.method) };
        if (h.method == "ACK") {
            const bool non2xx = sameTransactionInvite(e, context);
            if (non2xx || (!context.hasHistory() && e.object && tx)) {
                x.why = tx ? QStringLiteral("The INVITE client transaction acknowledges a 300–699 final response itself: the ACK "
                                            "belongs to the INVITE's transaction (same branch) and goes hop by hop.")
                           : QStringLiteral("The ACK for a 300–699 response: it belongs to the INVITE server transaction, which "
                                            "moves from Completed to Confirmed.");
                x.refs = { rfc3261(QStringLiteral("17.1.1.3"), QStringLiteral("Construction of the ACK request")),
                    rfc3261(tx ? QStringLiteral("17.1.1.2") : QStringLiteral("17.2.1"),
                        tx ? QStringLiteral("INVITE client transaction, formal description") : QStringLiteral("INVITE server transaction")) };
            } else {
                x.why = tx ? QStringLiteral("The ACK for a 2xx: the UAC core sends it end to end in a transaction of its own "
                                            "(a new branch), and sends it again for every retransmitted 2xx — never on a timer.")
                           : QStringLiteral("The ACK for a 2xx: it is not part of the INVITE transaction; it goes to the UAS "
                                            "core, which stops retransmitting its 2xx.");
                x.refs = { rfc3261(QStringLiteral("13.2.2.4"), QStringLiteral("2xx responses")),
                    rfc3261(QStringLiteral("17.1.1.3"), QStringLiteral("Construction of the ACK request")) };
            }
            return;
        }
        if (h.method == "CANCEL") {
            x.why = tx ? QStringLiteral("CANCEL asks the UAS to stop a pending request (it is sent only after a provisional "
                                        "response). It has a transaction of its own; the UAS answers it 200 and the "
                                        "INVITE 487.")
                       : QStringLiteral("CANCEL for a pending request: the UAS answers the CANCEL 200 and, if the INVITE has "
                                        "no final response yet, answers the INVITE 487 Request Terminated.");
            x.refs = { rfc3261(tx ? QStringLiteral("9.1") : QStringLiteral("9.2"), tx ? QStringLiteral("Client behavior") : QStringLiteral("Server behavior")),
                rfc3261(QStringLiteral("9"), QStringLiteral("Canceling a request")) };
            return;
        }
        const bool invite = h.method == "INVITE";
        if (!tx && e.object) {
            const bool again = context.countBefore(e, [&](const Event& p) {
                return p.kind == Kind::SipMessage && p.dir == Dir::Rx && p.object == e.object && p.text == e.text;
            }) > 0;
            if (again) {
                x.why = QStringLiteral("A retransmission of a request this side already has a server transaction for: the "
                                       "transaction absorbs it and, if it has answered, sends its latest response again.");
                x.refs = { rfc3261(QStringLiteral("17.2.3"), QStringLiteral("Matching requests to server transactions")),
                    rfc3261(invite ? QStringLiteral("17.2.1") : QStringLiteral("17.2.2"),
                        invite ? QStringLiteral("INVITE server transaction") : QStringLiteral("Non-INVITE server transaction")) };
                return;
            }
        }
        const QString machine = invite ? QStringLiteral("INVITE") : QStringLiteral("non-INVITE");
        if (tx) {
            x.why = QStringLiteral("%1 request sent over %2; it starts a%3 %4 client transaction.").arg(method, over,
                invite ? QStringLiteral("n") : QString(), machine);
            if (unreliable(e.b))
                x.why += invite ? QStringLiteral(" Over UDP Timer A retransmits it (T1, 2·T1, 4·T1…) until a response arrives; "
                                                 "Timer B gives up after 64·T1.")
                                : QStringLiteral(" Over UDP Timer E retransmits it (T1 doubling up to T2) until a final "
                                                 "response; Timer F gives up after 64·T1.");
            else
                x.why += invite ? QStringLiteral(" Over a reliable transport nothing is retransmitted; Timer B still bounds the wait.")
                                : QStringLiteral(" Over a reliable transport nothing is retransmitted; Timer F still bounds the wait.");
            if (!h.toTag.isEmpty())
                x.why += QStringLiteral(" Its To tag puts it inside an existing dialog.");
            x.refs << rfc3261(invite ? QStringLiteral("17.1.1.2") : QStringLiteral("17.1.2.2"),
                invite ? QStringLiteral("INVITE client transaction, formal description") : QStringLiteral("Non-INVITE client transaction, formal description"));
        } else {
            x.why = QStringLiteral("%1 request received over %2: it creates a%3 %4 server transaction%5.").arg(method, over,
                invite ? QStringLiteral("n") : QString(), machine,
                invite ? QStringLiteral(", which sends 100 Trying unless the TU answers within 200 ms") : QString());
            if (!h.toTag.isEmpty())
                x.why += QStringLiteral(" Its To tag puts it inside an existing dialog.");
            x.refs << rfc3261(invite ? QStringLiteral("17.2.1") : QStringLiteral("17.2.2"),
                invite ? QStringLiteral("INVITE server transaction") : QStringLiteral("Non-INVITE server transaction"));
        }
        if (!h.toTag.isEmpty())
            x.refs << rfc3261(QStringLiteral("12.2"), QStringLiteral("Requests within a dialog"));
    }

    void explainResponse(const Event& e, const Context& context, const SipHead& h, Explanation& x)
    {
        const bool tx = e.dir == Dir::Tx;
        const bool toInvite = h.cseqMethod == "INVITE";
        const QString to = h.cseqMethod.isEmpty() ? QStringLiteral("a request") : latin(h.cseqMethod);
        x.refs = { statusReference(h.status) };
        if (h.status == 100) {
            x.why = toInvite ? QStringLiteral("100 Trying: the server transaction says the INVITE arrived. Hop by hop, never "
                                              "forwarded; it moves the client transaction to Proceeding and stops the "
                                              "INVITE's retransmissions over UDP (Timer A).")
                             : QStringLiteral("100 Trying to %1: the request arrived and is being worked on; the client "
                                              "transaction goes to Proceeding.")
                                   .arg(to);
            x.refs << rfc3261(QStringLiteral("17.2.1"), QStringLiteral("INVITE server transaction"))
                   << rfc3261(QStringLiteral("17.1.1.2"), QStringLiteral("INVITE client transaction, formal description"));
            return;
        }
        if (h.status < 200) {
            x.why = QStringLiteral("%1 provisional response to %2%3.").arg(QString::number(h.status), to,
                !h.toTag.isEmpty() && toInvite ? QStringLiteral(": with a To tag it creates (or updates) an early dialog") : QString());
            if (!h.toTag.isEmpty() && toInvite)
                x.refs << rfc3261(QStringLiteral("12.1"), QStringLiteral("Creation of a dialog"));
            x.refs << rfc3261(toInvite ? QStringLiteral("17.1.1.2") : QStringLiteral("17.1.2.2"),
                toInvite ? QStringLiteral("INVITE client transaction, formal description") : QStringLiteral("Non-INVITE client transaction, formal description"));
        } else if (h.status < 300) {
            if (toInvite) {
                // Another 2xx to the same INVITE with a To tag not seen before: forking.
                const bool forked = !h.toTag.isEmpty() && context.hasHistory() && context.countBefore(e, [&](const Event& p) {
                    if (p.kind != Kind::SipMessage || p.dir != e.dir || !p.text.startsWith(QLatin1String("SIP/2.0 2")))
                        return false;
                    const SipHead o = sipHead(p.raw, p.text);
                    return o.cseqMethod == "INVITE" && o.callId == h.callId && !o.toTag.isEmpty() && o.toTag != h.toTag;
                }) > 0;
                x.why = forked ? QStringLiteral("Another 2xx to the same INVITE with a different To tag: a proxy forked the INVITE "
                                                "and a second UAS accepted. Each 2xx makes its own dialog and gets its own ACK; "
                                                "the UAC may then BYE the ones it does not want.")
                               : tx ? QStringLiteral("2xx to the INVITE: the UAS core, not the transaction, retransmits it over UDP "
                                                     "(T1 doubling to T2) until the ACK arrives; the dialog is confirmed.")
                                    : QStringLiteral("2xx to the INVITE: the UAC core confirms the dialog and sends the ACK "
                                                     "itself, in a new transaction.");
                x.refs << rfc3261(QStringLiteral("13.2.2.4"), QStringLiteral("2xx responses"));
                if (forked)
                    x.refs << rfc3261(QStringLiteral("19.3"), QStringLiteral("Tags")) << rfc3261(QStringLiteral("16.7"), QStringLiteral("Response processing"));
                else if (tx)
                    x.refs << rfc3261(QStringLiteral("13.3.1.4"), QStringLiteral("The INVITE is accepted"));
                x.refs << rfc(6026, tx ? QStringLiteral("7.1") : QStringLiteral("7.2"),
                    tx ? QStringLiteral("Server transaction impacts") : QStringLiteral("Client transaction impacts"));
            } else if (h.cseqMethod == "CANCEL") {
                x.why = QStringLiteral("200 to CANCEL: the CANCEL was received; the INVITE it cancels gets its own final "
                                       "response (487 if it had none yet).");
                x.refs << rfc3261(QStringLiteral("9.2"), QStringLiteral("Server behavior"));
            } else {
                x.why = QStringLiteral("%1 final response to %2: the non-INVITE client transaction completes.").arg(QString::number(h.status), to);
                if (h.cseqMethod == "BYE")
                    x.refs << rfc3261(QStringLiteral("15.1.2"), QStringLiteral("UAS behavior (BYE)"));
                x.refs << rfc3261(QStringLiteral("17.1.2.2"), QStringLiteral("Non-INVITE client transaction, formal description"));
            }
        } else {
            QString why = QStringLiteral("%1 final response to %2.").arg(QString::number(h.status), to);
            if (h.status == 487) {
                why = QStringLiteral("487 Request Terminated: the INVITE was cancelled (CANCEL) before it had a final "
                                     "response.");
                x.refs << rfc3261(QStringLiteral("9.2"), QStringLiteral("Server behavior"));
            } else if (h.status == 481 || h.status == 408) {
                why += QStringLiteral(" Inside a dialog, a 481 or 408 ends the dialog.");
                x.refs << rfc3261(QStringLiteral("12.2.1.2"), QStringLiteral("Processing the responses"));
            }
            if (toInvite)
                why += tx ? QStringLiteral(" The INVITE server transaction goes to Completed and, over UDP, retransmits it on "
                                           "Timer G until the ACK arrives.")
                          : QStringLiteral(" The INVITE client transaction acknowledges it with an ACK of its own (§17.1.1.3) and "
                                           "goes to Completed.");
            x.why = why;
            x.refs << rfc3261(toInvite ? (tx ? QStringLiteral("17.2.1") : QStringLiteral("17.1.1.3")) : QStringLiteral("17.1.2.2"),
                toInvite ? (tx ? QStringLiteral("INVITE server transaction") : QStringLiteral("Construction of the ACK request"))
                         : QStringLiteral("Non-INVITE client transaction, formal description"));
        }
    }

    Explanation explainSipMessage(const Event& e, const Context& context)
    {
        Explanation x;
        const SipHead h = sipHead(e.raw, e.text);
        if (!h.valid) {
            x.why = QStringLiteral("A message on a SIP transport whose start line is neither a request nor a status line; the "
                                   "stack drops it (or answers 400 when it can).");
            x.refs = { rfc3261(QStringLiteral("7"), QStringLiteral("SIP messages")),
                rfc3261(QStringLiteral("25"), QStringLiteral("Augmented BNF for the SIP protocol")) };
            return x;
        }
        if (h.request)
            explainRequest(e, context, h, x);
        else
            explainResponse(e, context, h, x);
        return x;
    }

    Explanation explainSipRetransmission(const Event& e, const Context& context)
    {
        Explanation x;
        const SipHead h = sipHead(e.raw, e.text);
        const QString nth = ordinal(qMax<quint64>(e.c, 1));
        // The timer that fired at this instant on this transaction, if any.
        const auto timer = context.lastBefore(e, [&](const Event& p) {
            return p.timeNs == e.timeNs && p.object == e.object && p.kind == Kind::TimerFired;
        });
        if (h.request && h.method == "ACK") {
            x.transition = QStringLiteral("INVITE client: in Completed (stays)");
            x.why = QStringLiteral("The 300–699 final response arrived again (our ACK was lost, or crossed it): in Completed "
                                   "the INVITE client transaction answers every retransmitted final response with the ACK again.");
            x.refs = { rfc3261(QStringLiteral("17.1.1.2"), QStringLiteral("INVITE client transaction, formal description")) };
            return x;
        }
        if (h.request) {
            const bool invite = h.method == "INVITE";
            x.transition = invite ? QStringLiteral("INVITE client: in Calling (stays)") : QString();
            x.why = QStringLiteral("The %1 retransmission of the %2: Timer %3 fired with no response yet%4.")
                        .arg(nth, latin(h.method), invite ? QStringLiteral("A") : QStringLiteral("E"),
                            invite ? QStringLiteral("; each interval doubles (T1, 2·T1, 4·T1…) until Timer B's 64·T1")
                                   : QStringLiteral("; the interval doubles up to T2 (in Proceeding it stays T2) until Timer F's 64·T1"));
            x.refs = { invite ? rfc3261(QStringLiteral("17.1.1.2"), QStringLiteral("INVITE client transaction, formal description"))
                              : rfc3261(QStringLiteral("17.1.2.2"), QStringLiteral("Non-INVITE client transaction, formal description")),
                rfc3261(QStringLiteral("Appendix A"), QStringLiteral("Table of timer values")) };
            return x;
        }
        if (h.valid && h.status >= 200 && h.status < 300 && h.cseqMethod == "INVITE") {
            x.why = QStringLiteral("The %1 retransmission of the 2xx to the INVITE: no ACK yet, so the UAS core sends it again "
                                   "(T1 doubling up to T2) until the ACK comes or 64·T1 pass.")
                        .arg(nth);
            x.refs = { rfc3261(QStringLiteral("13.3.1.4"), QStringLiteral("The INVITE is accepted")),
                rfc(6026, QStringLiteral("7.1"), QStringLiteral("Server transaction impacts")) };
            return x;
        }
        if (h.valid && h.cseqMethod == "INVITE" && timer && timer->text == QLatin1String("G")) {
            x.transition = QStringLiteral("INVITE server: in Completed (stays)");
            x.why = QStringLiteral("The %1 retransmission of the %2 response: Timer G fired with no ACK yet; it doubles up to "
                                   "T2 until Timer H's 64·T1.")
                        .arg(nth, QString::number(h.status));
            x.refs = { rfc3261(QStringLiteral("17.2.1"), QStringLiteral("INVITE server transaction")) };
            return x;
        }
        x.why = QStringLiteral("The %1 retransmission of the %2 response: the request arrived again, so the server transaction "
                               "answers it with its latest response.")
                    .arg(nth, h.valid ? QString::number(h.status) : QStringLiteral("last"));
        x.refs = { rfc3261(h.cseqMethod == "INVITE" ? QStringLiteral("17.2.1") : QStringLiteral("17.2.2"),
                       h.cseqMethod == "INVITE" ? QStringLiteral("INVITE server transaction") : QStringLiteral("Non-INVITE server transaction")),
            rfc3261(QStringLiteral("17.2.3"), QStringLiteral("Matching requests to server transactions")) };
        return x;
    }

    Explanation explainConnection(const Event& e)
    {
        Explanation x;
        const bool ws = e.text.contains(QLatin1String("WebSocket")) || e.text.contains(QLatin1String("ws:"))
            || e.text.contains(QLatin1String("wss:"));
        x.transition = e.text.startsWith(QLatin1String("open")) ? QStringLiteral("-> open")
            : e.text.startsWith(QLatin1String("closed"))       ? QStringLiteral("-> closed")
                                                               : QString();
        x.why = QStringLiteral("A SIP transport connection changed: stream transports (TCP, TLS, WebSocket, SCTP) carry "
                               "SIP over connections that either side opens and may reuse for later requests.");
        x.refs = { rfc3261(QStringLiteral("18"), QStringLiteral("Transport")) };
        if (ws)
            x.refs << rfc(7118, {}, QStringLiteral("SIP over WebSocket"));
        return x;
    }

} // namespace

Explanation explain(const Event& e, const Context& context)
{
    switch (e.kind) {
    case Kind::SipMessage: return explainSipMessage(e, context);
    case Kind::SipRetransmission: return explainSipRetransmission(e, context);
    case Kind::TimerArmed:
    case Kind::TimerFired:
    case Kind::TimerCancelled: return explainTimer(e, context);
    case Kind::TransactionState: return explainTransactionState(e, context);
    case Kind::DialogState: return explainDialogState(e, context);
    case Kind::ConnectionState: return explainConnection(e);
    case Kind::SctpPacket: return explainSctpPacket(e);
    case Kind::SctpChunk: return explainSctpChunk(e);
    case Kind::SctpRetransmission: return explainSctpRetransmission(e, context);
    case Kind::SctpAbandon: return explainSctpAbandon(e);
    case Kind::SctpForwardTsn: return explainForwardTsn(e, context);
    case Kind::AssociationState: return explainAssociationState(e, context);
    case Kind::StreamState: return explainStreamState(e);
    case Kind::SctpNotification: return explainNotification(e);
    case Kind::LinkDrop: return explainLinkDrop(e);
    case Kind::LinkDuplicate: return explainLinkDuplicate(e);
    case Kind::UserAction: return explainUserAction(e);
    case Kind::Error: return explainError(e);
    case Kind::Log: return explainLog(e);
    }
    Explanation x;
    x.why = QStringLiteral("An event of a kind this version does not know.");
    return x;
}

} // namespace ladder::trace
