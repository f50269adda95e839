// SPDX-License-Identifier: GPL-3.0-or-later
#include "faultrule.h"

#include "sctp/chunkdecoder.h"

#include <QRegularExpression>

namespace ladder::lab {

namespace {
    constexpr qint64 kMaxDelayMs = 60'000;
    constexpr int kMaxNth = 1'000'000;

    const QString kActions = QStringLiteral("drop, duplicate, delay, reorder or corrupt");
    const QString kMatchers
        = QStringLiteral("sip:METHOD, sip:NNN, sip:Nxx or sctp:CHUNK (sip:INVITE, sip:200, sip:2xx, sctp:DATA)");
    const QString kFiltersAndCounts = QStringLiteral("tsn N, from NAME, to NAME, nth N or all");

    QString quoted(const QString& word) { return QLatin1Char('\'') + word + QLatin1Char('\''); }

    // RFC 3261 §25.1 token characters: what a method may be made of.
    bool isToken(const QString& s)
    {
        static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9.!%*_+`'~-]+$"));
        return re.match(s).hasMatch();
    }

    const char* actionName(FaultRule::Action a)
    {
        switch (a) {
        case FaultRule::Action::Drop:
            return "drop";
        case FaultRule::Action::Duplicate:
            return "duplicate";
        case FaultRule::Action::Delay:
            return "delay";
        case FaultRule::Action::Reorder:
            return "reorder";
        case FaultRule::Action::Corrupt:
            return "corrupt";
        }
        return "";
    }

    // The rule's name for a chunk type: the decoder's, with '-' for '_' (INIT-ACK).
    QString chunkName(quint8 type) { return sctp::chunkTypeName(type).replace(QLatin1Char('_'), QLatin1Char('-')); }

    bool parseUnsigned(const QString& word, quint64 max, quint64* value)
    {
        static const QRegularExpression digits(QStringLiteral("^[0-9]+$"));
        if (!digits.match(word).hasMatch())
            return false;
        bool ok = false;
        *value = word.toULongLong(&ok);
        return ok && *value <= max;
    }

    class Parser {
    public:
        Parser(const QString& text, QString* error)
            : m_words(text.simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts))
            , m_error(error)
        {
        }

        std::optional<FaultRule> rule()
        {
            FaultRule r;
            if (!action(&r) || !matcher(&r))
                return std::nullopt;
            if (r.action == FaultRule::Action::Delay && !duration(&r))
                return std::nullopt;
            while (m_at < m_words.size())
                if (!filterOrCount(&r))
                    return std::nullopt;
            return r;
        }

    private:
        bool fail(const QString& why)
        {
            if (m_error)
                *m_error = why;
            return false;
        }
        bool more() const { return m_at < m_words.size(); }
        QString next() { return m_words.at(m_at++); }

        bool action(FaultRule* r)
        {
            if (!more())
                return fail(QStringLiteral("an empty rule: expected an action, %1").arg(kActions));
            const QString w = next();
            const QString lw = w.toLower();
            for (auto a : { FaultRule::Action::Drop, FaultRule::Action::Duplicate, FaultRule::Action::Delay,
                     FaultRule::Action::Reorder, FaultRule::Action::Corrupt })
                if (lw == QLatin1String(actionName(a))) {
                    r->action = a;
                    return true;
                }
            return fail(QStringLiteral("%1 is not an action: expected %2").arg(quoted(w), kActions));
        }

        bool matcher(FaultRule* r)
        {
            if (!more())
                return fail(QStringLiteral("%1 needs a matcher next: %2").arg(quoted(m_words.first()), kMatchers));
            const QString w = next();
            const int colon = w.indexOf(QLatin1Char(':'));
            const QString proto = w.left(colon).toLower();
            const QString what = colon < 0 ? QString() : w.mid(colon + 1);
            if (colon < 0 || (proto != QLatin1String("sip") && proto != QLatin1String("sctp")))
                return fail(QStringLiteral("%1 is not a matcher: expected %2").arg(quoted(w), kMatchers));
            if (proto == QLatin1String("sip"))
                return sipMatcher(r, w, what);
            return sctpMatcher(r, w, what);
        }

        bool sipMatcher(FaultRule* r, const QString& w, const QString& what)
        {
            r->protocol = FaultRule::Protocol::Sip;
            if (r->action == FaultRule::Action::Corrupt)
                return fail(QStringLiteral("%1: corrupt takes sctp: matchers only (the receiver's CRC32c check is what "
                                           "discards a corrupted SCTP packet; the lab's SIP links carry no checksum)")
                                .arg(quoted(w)));
            static const QRegularExpression code(QStringLiteral("^[0-9]{3}$"));
            static const QRegularExpression cls(QStringLiteral("^([0-9])[xX][xX]$"));
            if (code.match(what).hasMatch()) {
                r->status = what.toInt();
                if (r->status < 100 || r->status > 699)
                    return fail(QStringLiteral("%1: a status code is 100 to 699").arg(quoted(w)));
                return true;
            }
            if (const auto m = cls.match(what); m.hasMatch()) {
                r->statusClass = m.captured(1).toInt();
                if (r->statusClass < 1 || r->statusClass > 6)
                    return fail(QStringLiteral("%1: a status class is 1xx to 6xx").arg(quoted(w)));
                return true;
            }
            if (what.isEmpty() || !isToken(what) || what.at(0).isDigit())
                return fail(QStringLiteral("%1 is not a SIP matcher: expected a method (sip:INVITE), a status code "
                                           "(sip:200) or a status class (sip:2xx)")
                                .arg(quoted(w)));
            r->method = what.toUpper();
            return true;
        }

        bool sctpMatcher(FaultRule* r, const QString& w, const QString& what)
        {
            r->protocol = FaultRule::Protocol::Sctp;
            const QString name = what.toUpper().replace(QLatin1Char('_'), QLatin1Char('-'));
            for (int t = 0; t < 256; ++t)
                if (!name.isEmpty() && chunkName(quint8(t)) == name) {
                    r->chunkType = quint8(t);
                    return true;
                }
            return fail(QStringLiteral("%1 names no chunk type: expected sctp: and one of %2")
                            .arg(quoted(w), FaultRule::chunkTypeNames().join(QStringLiteral(", "))));
        }

        bool duration(FaultRule* r)
        {
            static const QRegularExpression re(QStringLiteral("^([0-9]+)(ms|s)$"));
            if (!more())
                return fail(QStringLiteral("delay needs a duration after the matcher, like 300ms or 2s"));
            const QString w = next();
            const auto m = re.match(w.toLower());
            quint64 n = 0;
            if (!m.hasMatch() || !parseUnsigned(m.captured(1), quint64(kMaxDelayMs), &n))
                return fail(QStringLiteral("%1 is not a duration: delay needs one after the matcher, like 300ms or 2s")
                                .arg(quoted(w)));
            r->delayMs = qint64(n) * (m.captured(2) == QLatin1String("s") ? 1000 : 1);
            if (r->delayMs < 1 || r->delayMs > kMaxDelayMs)
                return fail(QStringLiteral("%1: a delay is 1ms to %2s").arg(quoted(w)).arg(kMaxDelayMs / 1000));
            return true;
        }

        bool filterOrCount(FaultRule* r)
        {
            const QString w = next();
            const QString kw = w.toLower();
            if (kw == QLatin1String("all")) {
                if (m_count)
                    return fail(
                        QStringLiteral("%1 after %2: give one count, nth N or all").arg(quoted(w), quoted(*m_count)));
                m_count = w;
                r->nth = 0;
                return true;
            }
            const bool isNth = kw == QLatin1String("nth"), isTsn = kw == QLatin1String("tsn");
            const bool isFrom = kw == QLatin1String("from"), isTo = kw == QLatin1String("to");
            if (!isNth && !isTsn && !isFrom && !isTo) {
                static const QRegularExpression durationLike(QStringLiteral("^[0-9]+(ms|s)$"));
                if (durationLike.match(kw).hasMatch())
                    return fail(QStringLiteral("%1: only delay takes a duration").arg(quoted(w)));
                return fail(
                    QStringLiteral("%1 is not a filter or a count: expected %2").arg(quoted(w), kFiltersAndCounts));
            }
            if (!more())
                return fail(isNth ? QStringLiteral("nth needs a number next, from 1 up")
                        : isTsn
                        ? QStringLiteral("tsn needs a TSN next, a number from 0 to 4294967295")
                        : QStringLiteral("%1 needs a name next: a peer's label or address, like uac or 10.0.0.1")
                              .arg(kw));
            const QString arg = next();
            quint64 n = 0;
            if (isNth) {
                if (m_count)
                    return fail(
                        QStringLiteral("%1 after %2: give one count, nth N or all").arg(quoted(w), quoted(*m_count)));
                if (!parseUnsigned(arg, kMaxNth, &n) || n < 1)
                    return fail(
                        QStringLiteral("nth needs a number from 1 to %1, not %2").arg(kMaxNth).arg(quoted(arg)));
                m_count = w;
                r->nth = int(n);
                return true;
            }
            if (isTsn) {
                if (r->protocol != FaultRule::Protocol::Sctp
                    || (r->chunkType != sctp::chunk::Data && r->chunkType != sctp::chunk::IData))
                    return fail(QStringLiteral("%1: tsn selects DATA chunks by their TSN, so it goes with sctp:DATA or "
                                               "sctp:I-DATA only")
                                    .arg(quoted(w)));
                if (r->tsn)
                    return fail(QStringLiteral("%1 given twice").arg(quoted(w)));
                if (!parseUnsigned(arg, 0xffffffffu, &n))
                    return fail(QStringLiteral("tsn needs a number from 0 to 4294967295, not %1").arg(quoted(arg)));
                r->tsn = quint32(n);
                return true;
            }
            QString& name = isFrom ? r->from : r->to;
            if (!name.isEmpty())
                return fail(QStringLiteral("%1 given twice").arg(quoted(w)));
            name = arg;
            return true;
        }

        QStringList m_words;
        QString* m_error;
        qsizetype m_at = 0;
        std::optional<QString> m_count; // the word that gave the count, once given
    };
} // namespace

QStringList FaultRule::chunkTypeNames()
{
    QStringList names;
    for (int t = 0; t < 256; ++t)
        if (!sctp::chunkTypeName(quint8(t)).startsWith(QLatin1String("UNKNOWN")))
            names << chunkName(quint8(t));
    return names;
}

QString FaultRule::text() const
{
    QStringList w { QLatin1String(actionName(action)) };
    if (protocol == Protocol::Sctp)
        w << QStringLiteral("sctp:") + chunkName(chunkType);
    else if (status)
        w << QStringLiteral("sip:%1").arg(status);
    else if (statusClass)
        w << QStringLiteral("sip:%1xx").arg(statusClass);
    else
        w << QStringLiteral("sip:") + method;
    if (action == Action::Delay)
        w << (delayMs % 1000 == 0 ? QStringLiteral("%1s").arg(delayMs / 1000) : QStringLiteral("%1ms").arg(delayMs));
    if (tsn)
        w << QStringLiteral("tsn %1").arg(*tsn);
    if (!from.isEmpty())
        w << QStringLiteral("from ") + from;
    if (!to.isEmpty())
        w << QStringLiteral("to ") + to;
    if (nth == 0)
        w << QStringLiteral("all");
    else if (nth != 1)
        w << QStringLiteral("nth %1").arg(nth);
    return w.join(QLatin1Char(' '));
}

std::optional<FaultRule> FaultRule::parse(const QString& text, QString* error) { return Parser(text, error).rule(); }

std::optional<QList<FaultRule>> FaultRule::parseAll(const QStringList& texts, QString* error)
{
    QList<FaultRule> rules;
    for (const QString& t : texts) {
        QString why;
        auto r = parse(t, &why);
        if (!r) {
            if (error)
                *error = QStringLiteral("'%1': %2").arg(t, why);
            return std::nullopt;
        }
        rules << *r;
    }
    return rules;
}

} // namespace ladder::lab
