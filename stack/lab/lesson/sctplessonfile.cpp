// SPDX-License-Identifier: GPL-3.0-or-later
#include "sctplessonfile.h"

#include "sctp/sendinfo.h"

#include <QSet>

#include <map>

namespace ladder::lab::lessonfile {

namespace {

    const LessonPeer* peerNamed(const Lesson& l, const QString& name) { return l.peerNamed(name); }

    // sctp_sendmsg(3)'s flag names; the PR-SCTP policies go into the low four bits.
    const std::map<QString, quint32>& flagNames()
    {
        static const std::map<QString, quint32> names {
            { QStringLiteral("SCTP_EOF"), sctp::flag::Eof },
            { QStringLiteral("SCTP_ABORT"), sctp::flag::Abort },
            { QStringLiteral("SCTP_UNORDERED"), sctp::flag::Unordered },
            { QStringLiteral("SCTP_ADDR_OVER"), sctp::flag::AddrOver },
            { QStringLiteral("SCTP_SENDALL"), sctp::flag::SendAll },
            { QStringLiteral("SCTP_SACK_IMMEDIATELY"), sctp::flag::SackImmediately },
            { QStringLiteral("SCTP_PR_SCTP_TTL"), quint32(sctp::PrPolicy::Ttl) },
            { QStringLiteral("SCTP_PR_SCTP_BUF"), quint32(sctp::PrPolicy::Buf) },
            { QStringLiteral("SCTP_PR_SCTP_RTX"), quint32(sctp::PrPolicy::Rtx) },
            { QStringLiteral("SCTP_PR_SCTP_PRIO"), quint32(sctp::PrPolicy::Prio) },
        };
        return names;
    }

    bool readCompare(Reader& r, const QJsonObject& o, const QString& path, LessonExpectation* e)
    {
        const int n = int(o.contains(QStringLiteral("equals"))) + int(o.contains(QStringLiteral("at_least")))
            + int(o.contains(QStringLiteral("at_most")));
        if (n != 1)
            return r.fail(path, QStringLiteral("expected exactly one of \"equals\", \"at_least\", \"at_most\""));
        const QString op = o.contains(QStringLiteral("equals")) ? QStringLiteral("equals")
            : o.contains(QStringLiteral("at_least"))            ? QStringLiteral("at_least")
                                                                : QStringLiteral("at_most");
        e->compare = op == QLatin1String("equals") ? LessonExpectation::Compare::Equals
            : op == QLatin1String("at_least")      ? LessonExpectation::Compare::AtLeast
                                                   : LessonExpectation::Compare::AtMost;
        return r.number(o, path, op, &e->number, 0, 1e9, true);
    }

} // namespace

bool readSctpPeer(Reader& r, const QJsonObject& o, const QString& path, LessonPeer* p)
{
    if (!r.only(o, path,
            { QStringLiteral("kind"), QStringLiteral("name"), QStringLiteral("host"), QStringLiteral("style"),
                QStringLiteral("port"), QStringLiteral("listen"), QStringLiteral("streams"), QStringLiteral("pr_sctp"),
                QStringLiteral("rto_ms"), QStringLiteral("send_buffer"), QStringLiteral("heartbeat"), QStringLiteral("echo"),
                QStringLiteral("composer") },
            { { QStringLiteral("interleaving"),
                  QStringLiteral("not supported in lesson files yet (I-DATA); use the playground's composer") },
                { QStringLiteral("addresses"),
                    QStringLiteral(
                        "not supported: a lab SCTP socket has one address (AF_CONN cannot multi-home; the addr-over "
                        "lesson runs a real multi-homed association)") } }))
        return false;
    QString style = QStringLiteral("one-to-one");
    if (!r.string(o, path, QStringLiteral("style"), &style, false))
        return false;
    if (style != QLatin1String("one-to-one") && style != QLatin1String("one-to-many"))
        return r.fail(path + QStringLiteral(".style"),
            QStringLiteral("expected \"one-to-one\" (SOCK_STREAM) or \"one-to-many\" (SOCK_SEQPACKET)"));
    p->oneToMany = style == QLatin1String("one-to-many");
    if (!r.number(o, path, QStringLiteral("port"), &p->port, 0, 65535, true)
        || !r.boolean(o, path, QStringLiteral("listen"), &p->listen)
        || !r.boolean(o, path, QStringLiteral("pr_sctp"), &p->prSupported)
        || !r.number(o, path, QStringLiteral("send_buffer"), &p->sendBuffer, 0, 64 * 1024 * 1024, true)
        || !r.boolean(o, path, QStringLiteral("echo"), &p->echo) || !r.boolean(o, path, QStringLiteral("composer"), &p->composer))
        return false;
    p->prGiven = o.contains(QStringLiteral("pr_sctp"));
    if (p->echo && !p->listen)
        return r.fail(path + QStringLiteral(".echo"), QStringLiteral("only a listening peer echoes what it receives: add \"listen\": true"));
    if (p->composer && p->listen)
        return r.fail(path + QStringLiteral(".composer"), QStringLiteral("the composer's socket does not listen (it sends what the composer sends)"));
    if (p->composer && !o.contains(QStringLiteral("rto_ms")))
        p->rtoInitialMs = p->rtoMinMs = p->rtoMaxMs = -1; // usrsctp's own, as socket(2) gives them
    if (p->listen && p->port == 0)
        return r.fail(
            path + QStringLiteral(".port"), QStringLiteral("a listening peer needs a port (1-65535) to be reached on"));
    if (o.contains(QStringLiteral("streams"))) {
        const QString sp = path + QStringLiteral(".streams");
        QJsonObject s;
        if (!r.object(o.value(QStringLiteral("streams")), sp, &s)
            || !r.only(s, sp, { QStringLiteral("out"), QStringLiteral("in") })
            || !r.number(s, sp, QStringLiteral("out"), &p->outStreams, 1, 65535, true)
            || !r.number(s, sp, QStringLiteral("in"), &p->inStreams, 1, 65535, true))
            return false;
    }
    if (o.contains(QStringLiteral("rto_ms"))) {
        const QString rp = path + QStringLiteral(".rto_ms");
        QJsonObject t;
        if (!r.object(o.value(QStringLiteral("rto_ms")), rp, &t)
            || !r.only(t, rp, { QStringLiteral("initial"), QStringLiteral("min"), QStringLiteral("max") })
            || !r.number(t, rp, QStringLiteral("initial"), &p->rtoInitialMs, 10, 600000, true)
            || !r.number(t, rp, QStringLiteral("min"), &p->rtoMinMs, 10, 600000, true)
            || !r.number(t, rp, QStringLiteral("max"), &p->rtoMaxMs, 10, 600000, true))
            return false;
        if (p->rtoMinMs > p->rtoMaxMs || p->rtoInitialMs < p->rtoMinMs || p->rtoInitialMs > p->rtoMaxMs)
            return r.fail(rp,
                QStringLiteral("expected min <= initial <= max (now %1, %2, %3)")
                    .arg(p->rtoMinMs)
                    .arg(p->rtoInitialMs)
                    .arg(p->rtoMaxMs));
    }
    if (o.contains(QStringLiteral("heartbeat"))) {
        const QString hp = path + QStringLiteral(".heartbeat");
        QJsonObject h;
        p->heartbeatMs = 30000; // usrsctp's interval when only path_max_retrans is given
        if (!r.object(o.value(QStringLiteral("heartbeat")), hp, &h)
            || !r.only(h, hp, { QStringLiteral("interval_ms"), QStringLiteral("path_max_retrans") })
            || !r.number(h, hp, QStringLiteral("interval_ms"), &p->heartbeatMs, 0, 3600000, true)
            || !r.number(h, hp, QStringLiteral("path_max_retrans"), &p->pathMaxRetrans, 1, 1000, true))
            return false;
    }
    return true;
}

bool isSctpAction(const QJsonObject& o)
{
    for (const char* k : { "connect", "sctp_sendmsg", "shutdown", "abort", "socket" })
        if (o.contains(QLatin1String(k)))
            return true;
    return false;
}

QString sctpActionKey(LessonAction::Kind kind)
{
    switch (kind) {
    case LessonAction::Kind::SctpConnect:
        return QStringLiteral("connect");
    case LessonAction::Kind::SctpSendmsg:
        return QStringLiteral("sctp_sendmsg");
    case LessonAction::Kind::SctpShutdown:
        return QStringLiteral("shutdown");
    case LessonAction::Kind::SctpAbort:
        return QStringLiteral("abort");
    case LessonAction::Kind::SctpSocket:
        return QStringLiteral("socket");
    default:
        return {};
    }
}

bool readSctpAction(Reader& r, const QJsonObject& o, const QString& path, LessonAction* a)
{
    if (!r.only(o, path,
            { QStringLiteral("at_ms"), QStringLiteral("peer"), QStringLiteral("connect"),
                QStringLiteral("sctp_sendmsg"), QStringLiteral("shutdown"), QStringLiteral("abort"), QStringLiteral("socket"), QStringLiteral("after") }))
        return false;
    if (o.contains(QStringLiteral("after"))) {
        // A delivery trigger: {"delivered": {"to", "stream", "containing", "unordered"}, "count", "delay_ms"}.
        const QString ap = path + QStringLiteral(".after");
        if (o.contains(QStringLiteral("at_ms")))
            return r.fail(ap, QStringLiteral("\"after\" and \"at_ms\" exclude each other: an action runs at a time or after a delivery"));
        QJsonObject t;
        if (!r.object(o.value(QStringLiteral("after")), ap, &t))
            return false;
        if (t.contains(QStringLiteral("up")) || t.contains(QStringLiteral("down"))) {
            // A state trigger, checked on the lab tick (docs/LESSONS.md, "The lab tick").
            if (!readTrigger(r, t, ap, &a->tickTrigger))
                return false;
            a->hasAfter = a->onTick = true;
        }
    }
    if (o.contains(QStringLiteral("after")) && !a->onTick) {
        const QString ap = path + QStringLiteral(".after");
        QJsonObject t, d;
        LessonExpectation& e = a->afterDelivered;
        e.kind = LessonExpectation::Kind::Delivered;
        e.compare = LessonExpectation::Compare::AtLeast;
        e.number = 1;
        e.where = ap;
        bool unordered = false;
        const QString dp = ap + QStringLiteral(".delivered");
        if (!r.object(o.value(QStringLiteral("after")), ap, &t)
            || !r.only(t, ap, { QStringLiteral("delivered"), QStringLiteral("count"), QStringLiteral("delay_ms") }))
            return false;
        if (!t.contains(QStringLiteral("delivered")))
            return r.fail(ap, QStringLiteral("missing field 'delivered' (the message that triggers the action)"));
        if (!r.object(t.value(QStringLiteral("delivered")), dp, &d)
            || !r.only(d, dp, { QStringLiteral("to"), QStringLiteral("stream"), QStringLiteral("containing"), QStringLiteral("unordered") })
            || !r.string(d, dp, QStringLiteral("to"), &e.peer, true) || !r.number(d, dp, QStringLiteral("stream"), &e.stream, 0, 65535, true)
            || !r.string(d, dp, QStringLiteral("containing"), &e.text, false) || !r.boolean(d, dp, QStringLiteral("unordered"), &unordered)
            || !r.number(t, ap, QStringLiteral("count"), &e.number, 1, 1000000, true)
            || !r.number(t, ap, QStringLiteral("delay_ms"), &a->afterDelayMs, 0, 86400000, true))
            return false;
        if (d.contains(QStringLiteral("unordered")))
            e.unordered = unordered ? 1 : 0;
        a->hasAfter = true;
    }
    const int kinds = int(o.contains(QStringLiteral("connect"))) + int(o.contains(QStringLiteral("sctp_sendmsg")))
        + int(o.contains(QStringLiteral("shutdown"))) + int(o.contains(QStringLiteral("abort"))) + int(o.contains(QStringLiteral("socket")));
    if (kinds != 1)
        return r.fail(
            path, QStringLiteral("expected exactly one of \"socket\", \"connect\", \"sctp_sendmsg\", \"shutdown\", \"abort\""));
    const QString key = o.contains(QStringLiteral("connect")) ? QStringLiteral("connect")
        : o.contains(QStringLiteral("sctp_sendmsg"))          ? QStringLiteral("sctp_sendmsg")
        : o.contains(QStringLiteral("shutdown"))              ? QStringLiteral("shutdown")
        : o.contains(QStringLiteral("socket"))                ? QStringLiteral("socket")
                                                              : QStringLiteral("abort");
    const QString sp = path + QLatin1Char('.') + key;
    QJsonObject s;
    if (!r.object(o.value(key), sp, &s))
        return false;
    if (key == QLatin1String("shutdown") || key == QLatin1String("abort") || key == QLatin1String("socket")) {
        a->kind = key == QLatin1String("shutdown") ? LessonAction::Kind::SctpShutdown
            : key == QLatin1String("abort")        ? LessonAction::Kind::SctpAbort
                                                   : LessonAction::Kind::SctpSocket;
        return r.only(s, sp, {});
    }
    if (key == QLatin1String("connect")) {
        a->kind = LessonAction::Kind::SctpConnect;
        return r.only(s, sp, { QStringLiteral("to") }) && r.string(s, sp, QStringLiteral("to"), &a->to, true);
    }
    a->kind = LessonAction::Kind::SctpSendmsg;
    QString data;
    if (!r.only(s, sp,
            { QStringLiteral("to"), QStringLiteral("data"), QStringLiteral("size"), QStringLiteral("repeat"),
                QStringLiteral("ppid"), QStringLiteral("flags"), QStringLiteral("stream"), QStringLiteral("timetolive"),
                QStringLiteral("context"), QStringLiteral("context_step"), QStringLiteral("pad"), QStringLiteral("every_ms") },
            { { QStringLiteral("addresses"),
                QStringLiteral("not supported: sctp_sendmsgx's address list needs a multi-homed peer, which a lab "
                               "socket is not") } })
        || !r.string(s, sp, QStringLiteral("to"), &a->to, false)
        || !r.string(s, sp, QStringLiteral("data"), &data, false, false)
        || !r.number(s, sp, QStringLiteral("size"), &a->size, 0, 1024 * 1024, true)
        || !r.number(s, sp, QStringLiteral("repeat"), &a->repeat, 1, 100000, true)
        || !r.number(s, sp, QStringLiteral("ppid"), &a->ppid, 0, 4294967295.0, true)
        || !r.number(s, sp, QStringLiteral("stream"), &a->stream, 0, 65535, true)
        || !r.number(s, sp, QStringLiteral("timetolive"), &a->timetolive, 0, 4294967295.0, true)
        || !r.number(s, sp, QStringLiteral("context"), &a->context, 0, 4294967295.0, true)
        || !r.number(s, sp, QStringLiteral("context_step"), &a->contextStep, 0, 4294967295.0, true)
        || !r.number(s, sp, QStringLiteral("every_ms"), &a->everyMs, 1, 86400000, true))
        return false;
    a->data = data.toUtf8();
    if (s.contains(QStringLiteral("pad"))) {
        const QString pad = s.value(QStringLiteral("pad")).toString();
        if (!s.value(QStringLiteral("pad")).isString() || pad.size() != 1 || pad.at(0).unicode() < 0x20 || pad.at(0).unicode() > 0x7e)
            return r.fail(sp + QStringLiteral(".pad"), QStringLiteral("expected one printable ASCII character (what \"size\" pads the data with)"));
        a->pad = char(pad.at(0).unicode());
    }
    if (a->everyMs && a->repeat < 2)
        return r.fail(sp + QStringLiteral(".every_ms"), QStringLiteral("spaces the calls of a \"repeat\": expected repeat 2 or more"));
    if (s.contains(QStringLiteral("flags"))) {
        const QString fp = sp + QStringLiteral(".flags");
        if (!s.value(QStringLiteral("flags")).isArray())
            return r.fail(fp,
                QStringLiteral(
                    "expected an array of sctp_sendmsg(3) flag names, as [\"SCTP_UNORDERED\", \"SCTP_PR_SCTP_TTL\"]"));
        const QJsonArray f = s.value(QStringLiteral("flags")).toArray();
        for (qsizetype i = 0; i < f.size(); ++i) {
            const QString name = f.at(i).toString();
            const auto it = flagNames().find(name);
            const QString at = QStringLiteral("%1[%2]").arg(fp).arg(i);
            if (it == flagNames().end()) {
                QStringList known;
                for (const auto& [n, v] : flagNames())
                    known << n;
                return r.fail(at,
                    QStringLiteral("'%1' is not an sctp_sendmsg(3) flag (%2)")
                        .arg(name, known.join(QStringLiteral(", "))));
            }
            if ((it->second & sctp::flag::PolicyMask) && (a->sctpFlags & sctp::flag::PolicyMask))
                return r.fail(at, QStringLiteral("a message has one PR-SCTP policy: %1 comes after another").arg(name));
            a->sctpFlags |= it->second;
        }
        sctp::SendInfo info;
        info.flags = a->sctpFlags;
        if (const QString why = info.flagsError(); !why.isEmpty())
            return r.fail(fp, why);
    }
    if ((a->sctpFlags & sctp::flag::PolicyMask) && !s.contains(QStringLiteral("timetolive")))
        return r.fail(sp + QStringLiteral(".flags"),
            QStringLiteral("a PR-SCTP policy needs \"timetolive\": TTL's milliseconds, BUF's bytes, RTX's "
                           "retransmissions (0: never retransmit)"));
    if ((a->sctpFlags & sctp::flag::AddrOver) && a->to.isEmpty())
        return r.fail(sp + QStringLiteral(".flags"),
            QStringLiteral("SCTP_ADDR_OVER needs \"to\": the peer whose address to send to (EINVAL otherwise)"));
    return true;
}

bool isSctpExpectation(const QJsonObject& o)
{
    return o.contains(QStringLiteral("delivered")) || o.contains(QStringLiteral("retransmissions")) || o.contains(QStringLiteral("out_of_order"));
}

bool readSctpExpectation(Reader& r, const QJsonObject& o, const QString& path, LessonExpectation* e)
{
    const QStringList compare { QStringLiteral("equals"), QStringLiteral("at_least"), QStringLiteral("at_most"),
        QStringLiteral("says") };
    if (o.contains(QStringLiteral("out_of_order"))) {
        // out_of_order: the delivered filter; counts the messages received after one sent later
        e->kind = LessonExpectation::Kind::Delivered;
        e->outOfOrder = true;
        const QString dp = path + QStringLiteral(".out_of_order");
        QJsonObject d;
        bool unordered = false;
        if (!r.only(o, path, compare + QStringList { QStringLiteral("out_of_order") })
            || !r.object(o.value(QStringLiteral("out_of_order")), dp, &d)
            || !r.only(d, dp, { QStringLiteral("to"), QStringLiteral("stream"), QStringLiteral("containing"), QStringLiteral("unordered") })
            || !r.string(d, dp, QStringLiteral("to"), &e->peer, true) || !r.number(d, dp, QStringLiteral("stream"), &e->stream, 0, 65535, true)
            || !r.string(d, dp, QStringLiteral("containing"), &e->text, false) || !r.boolean(d, dp, QStringLiteral("unordered"), &unordered))
            return false;
        if (d.contains(QStringLiteral("unordered")))
            e->unordered = unordered ? 1 : 0;
        return readCompare(r, o, path, e);
    }
    if (o.contains(QStringLiteral("retransmissions"))) {
        e->kind = LessonExpectation::Kind::Retransmissions;
        if (!r.only(o, path, compare + QStringList { QStringLiteral("retransmissions") }))
            return false;
        const QStringList kinds { QStringLiteral("all"), QStringLiteral("fast"), QStringLiteral("timeout") };
        const qsizetype k = kinds.indexOf(o.value(QStringLiteral("retransmissions")).toString());
        if (k < 0)
            return r.fail(
                path + QStringLiteral(".retransmissions"), QStringLiteral("expected \"all\", \"fast\" or \"timeout\""));
        e->retransmissionKind = int(k);
        return readCompare(r, o, path, e);
    }
    e->kind = LessonExpectation::Kind::Delivered;
    const QString dp = path + QStringLiteral(".delivered");
    QJsonObject d;
    bool unordered = false;
    if (!r.only(o, path, compare + QStringList { QStringLiteral("delivered") })
        || !r.object(o.value(QStringLiteral("delivered")), dp, &d)
        || !r.only(d, dp,
            { QStringLiteral("to"), QStringLiteral("stream"), QStringLiteral("containing"),
                QStringLiteral("unordered") })
        || !r.string(d, dp, QStringLiteral("to"), &e->peer, true)
        || !r.number(d, dp, QStringLiteral("stream"), &e->stream, 0, 65535, true)
        || !r.string(d, dp, QStringLiteral("containing"), &e->text, false)
        || !r.boolean(d, dp, QStringLiteral("unordered"), &unordered))
        return false;
    if (d.contains(QStringLiteral("unordered")))
        e->unordered = unordered ? 1 : 0;
    return readCompare(r, o, path, e);
}

bool readTrigger(Reader& r, const QJsonObject& o, const QString& path, LessonTrigger* t)
{
    if (!r.only(o, path, { QStringLiteral("up"), QStringLiteral("down"), QStringLiteral("delivered"), QStringLiteral("count"), QStringLiteral("ran"), QStringLiteral("delay_ms") },
            { { QStringLiteral("answered"), QStringLiteral("an SCTP action or the run's end waits on SCTP state, not on a SIP answer") } }))
        return false;
    for (const QString& key : { QStringLiteral("up"), QStringLiteral("down") }) {
        if (!o.contains(key))
            continue;
        const QString kp = path + QLatin1Char('.') + key;
        const QJsonValue v = o.value(key);
        QStringList names;
        if (v.isString()) {
            names << v.toString();
        } else if (v.isArray() && !v.toArray().isEmpty()) {
            for (qsizetype i = 0; i < v.toArray().size(); ++i) {
                if (!v.toArray().at(i).isString())
                    return r.fail(QStringLiteral("%1[%2]").arg(kp).arg(i), QStringLiteral("expected an sctp peer's name"));
                names << v.toArray().at(i).toString();
            }
        } else {
            return r.fail(kp, QStringLiteral("expected an sctp peer's name or a non-empty array of them"));
        }
        (key == QLatin1String("up") ? t->up : t->down) = names;
    }
    if (o.contains(QStringLiteral("ran"))) {
        // {"action": N, "ms": M}: action N (from 1) ran at least M ms ago (checked in parse())
        const QString rp = path + QStringLiteral(".ran");
        QJsonObject ran;
        int action = 0;
        if (!r.object(o.value(QStringLiteral("ran")), rp, &ran) || !r.only(ran, rp, { QStringLiteral("action"), QStringLiteral("ms") })
            || !r.number(ran, rp, QStringLiteral("action"), &action, 1, 1000000, true) || !r.number(ran, rp, QStringLiteral("ms"), &t->ranMs, 0, 86400000, true))
            return false;
        if (!ran.contains(QStringLiteral("action")))
            return r.fail(rp, QStringLiteral("missing field 'action' (the number of the action, from 1)"));
        t->ranAction = action - 1;
    }
    qint64 count = 1;
    if (!r.number(o, path, QStringLiteral("count"), &count, 1, 1000000, true) || !r.number(o, path, QStringLiteral("delay_ms"), &t->delayMs, 0, 86400000, true))
        return false;
    if (o.contains(QStringLiteral("delivered"))) {
        const QString dp = path + QStringLiteral(".delivered");
        const QJsonValue v = o.value(QStringLiteral("delivered"));
        QJsonArray filters;
        if (v.isArray() && !v.toArray().isEmpty())
            filters = v.toArray();
        else if (v.isObject())
            filters.append(v);
        else
            return r.fail(dp, QStringLiteral("expected a filter {\"to\", \"stream\", \"containing\", \"unordered\"} or a non-empty array of them"));
        for (qsizetype i = 0; i < filters.size(); ++i) {
            const QString fp = v.isArray() ? QStringLiteral("%1[%2]").arg(dp).arg(i) : dp;
            LessonExpectation e;
            e.kind = LessonExpectation::Kind::Delivered;
            e.compare = LessonExpectation::Compare::AtLeast;
            e.number = count;
            e.where = fp;
            QJsonObject d;
            bool unordered = false;
            if (!r.object(filters.at(i), fp, &d)
                || !r.only(d, fp, { QStringLiteral("to"), QStringLiteral("stream"), QStringLiteral("containing"), QStringLiteral("unordered") })
                || !r.string(d, fp, QStringLiteral("to"), &e.peer, true) || !r.number(d, fp, QStringLiteral("stream"), &e.stream, 0, 65535, true)
                || !r.string(d, fp, QStringLiteral("containing"), &e.text, false) || !r.boolean(d, fp, QStringLiteral("unordered"), &unordered))
                return false;
            if (d.contains(QStringLiteral("unordered")))
                e.unordered = unordered ? 1 : 0;
            t->delivered << e;
        }
    } else if (o.contains(QStringLiteral("count"))) {
        return r.fail(path + QStringLiteral(".count"), QStringLiteral("counts the messages of \"delivered\", which is missing"));
    }
    if (t->isEmpty())
        return r.fail(path, QStringLiteral("expected at least one of \"up\", \"down\", \"delivered\", \"ran\""));
    return true;
}

bool checkTrigger(Reader& r, const Lesson& l, const QString& path, const LessonTrigger& t)
{
    if (t.ranAction >= 0 && t.ranAction >= l.actions.size() && t.ranAction >= r.actionCount())
        return r.fail(path + QStringLiteral(".ran.action"), QStringLiteral("no action %1 in \"actions\"").arg(t.ranAction + 1));
    for (const auto& [key, names] : { std::pair { QStringLiteral("up"), t.up }, std::pair { QStringLiteral("down"), t.down } })
        for (qsizetype i = 0; i < names.size(); ++i) {
            const LessonPeer* p = peerNamed(l, names[i]);
            if (!p || p->kind != LessonPeer::Kind::Sctp || p->composer)
                return r.fail(path + QLatin1Char('.') + key,
                    QStringLiteral("expected the name of an sctp peer the lesson runs, not '%1'").arg(names[i]));
        }
    for (const LessonExpectation& e : t.delivered) {
        const LessonPeer* p = peerNamed(l, e.peer);
        if (!p || p->kind != LessonPeer::Kind::Sctp || p->composer)
            return r.fail(e.where + QStringLiteral(".to"), QStringLiteral("expected the name of an sctp peer the lesson runs, not '%1'").arg(e.peer));
    }
    return true;
}

QString pairedHost(const Lesson& l, const QString& host)
{
    for (const LessonLink& k : l.links) {
        const LessonPeer* a = peerNamed(l, k.from);
        const LessonPeer* b = peerNamed(l, k.to);
        if (!a || !b || a->kind != LessonPeer::Kind::Sctp)
            continue;
        if (a->host == host)
            return b->host;
        if (b->host == host)
            return a->host;
    }
    return {};
}

bool checkSctpPeersAndLinks(Reader& r, const Lesson& l)
{
    QSet<QString> ports;
    for (qsizetype i = 0; i < l.peers.size(); ++i) {
        const LessonPeer& p = l.peers[i];
        const bool sctp = p.kind == LessonPeer::Kind::Sctp;
        const QString path = QStringLiteral("peers[%1]").arg(i);
        // A host has at most one SIP peer (lesson.cpp) and any number of SCTP sockets.
        if (sctp && p.port) {
            const QString hp = QStringLiteral("%1:%2").arg(p.host).arg(p.port);
            if (ports.contains(hp))
                return r.fail(path + QStringLiteral(".port"),
                    QStringLiteral("another SCTP peer on %1 has port %2 (EADDRINUSE)").arg(p.host).arg(p.port));
            ports.insert(hp);
        }
    }
    QHash<QString, QString> pairOf; // SCTP host -> the host its link pair joins it to
    QSet<QString> directions;
    for (qsizetype i = 0; i < l.links.size(); ++i) {
        const LessonLink& k = l.links[i];
        const QString path = QStringLiteral("links[%1]").arg(i);
        const LessonPeer* a = peerNamed(l, k.from);
        const LessonPeer* b = peerNamed(l, k.to);
        if (!a || !b)
            continue; // reported by the caller
        const bool sa = a->kind == LessonPeer::Kind::Sctp, sb = b->kind == LessonPeer::Kind::Sctp;
        if (sa != sb)
            return r.fail(path + QStringLiteral(".to"),
                QStringLiteral("a link joins two SIP peers or two SCTP peers, not %1 and %2").arg(k.from, k.to));
        if (!sa)
            continue;
        if (a->host == b->host)
            return r.fail(path + QStringLiteral(".to"),
                QStringLiteral("%1 and %2 are both on %3: a link joins two hosts").arg(k.from, k.to, a->host));
        for (const auto& [x, y] : { std::pair { a->host, b->host }, std::pair { b->host, a->host } })
            if (pairOf.contains(x) && pairOf.value(x) != y)
                return r.fail(path,
                    QStringLiteral(
                        "%1 already has its SCTP link pair with %2: an SCTP host is one side of one lab link pair")
                        .arg(x, pairOf.value(x)));
        pairOf.insert(a->host, b->host);
        pairOf.insert(b->host, a->host);
        QStringList dirs { a->host + QStringLiteral("->") + b->host };
        if (!k.oneWay)
            dirs << b->host + QStringLiteral("->") + a->host;
        for (const QString& d : dirs) {
            if (directions.contains(d))
                return r.fail(path,
                    QStringLiteral("the direction %1 is already described by an earlier link (the SCTP peers of a host "
                                   "share its links)")
                        .arg(d));
            directions.insert(d);
        }
    }
    for (qsizetype i = 0; i < l.peers.size(); ++i)
        if (l.peers[i].kind == LessonPeer::Kind::Sctp && !pairOf.contains(l.peers[i].host))
            return r.fail(QStringLiteral("peers[%1].host").arg(i),
                QStringLiteral("no link joins %1 (%2) to another SCTP host in \"links\"")
                    .arg(l.peers[i].host, l.peers[i].name));
    return true;
}

bool checkSctpAction(Reader& r, const Lesson& l, const QString& path, const LessonAction& a)
{
    const LessonPeer* from = peerNamed(l, a.peer);
    if (!from || from->kind != LessonPeer::Kind::Sctp)
        return r.fail(
            path + QStringLiteral(".peer"), QStringLiteral("expected the name of an sctp peer, not '%1'").arg(a.peer));
    if (from->composer)
        return r.fail(path + QStringLiteral(".peer"),
            QStringLiteral("%1 is the composer's socket: the lesson does not act on it").arg(a.peer));
    if (a.onTick) {
        if (!checkTrigger(r, l, path + QStringLiteral(".after"), a.tickTrigger))
            return false;
    } else if (a.hasAfter) {
        const LessonPeer* by = peerNamed(l, a.afterDelivered.peer);
        if (!by || by->kind != LessonPeer::Kind::Sctp)
            return r.fail(path + QStringLiteral(".after.delivered.to"),
                QStringLiteral("expected the name of an sctp peer, not '%1'").arg(a.afterDelivered.peer));
    }
    const QString sp = path + QLatin1Char('.') + sctpActionKey(a.kind);
    switch (a.kind) {
    case LessonAction::Kind::SctpConnect:
        if (from->listen && !from->oneToMany)
            return r.fail(path + QStringLiteral(".peer"),
                QStringLiteral("%1 is a one-to-one listener: it accepts associations, it does not connect")
                    .arg(a.peer));
        break;
    case LessonAction::Kind::SctpSendmsg:
        if (from->oneToMany && a.to.isEmpty() && !(a.sctpFlags & sctp::flag::SendAll))
            return r.fail(
                sp, QStringLiteral("a one-to-many socket needs \"to\" (or SCTP_SENDALL) to know the association"));
        break;
    case LessonAction::Kind::SctpShutdown:
        if (from->oneToMany)
            return r.fail(sp,
                QStringLiteral(
                    "shutdown(2) ends a one-to-one association; on a one-to-many socket send with SCTP_EOF"));
        break;
    default:
        break;
    }
    if (!a.to.isEmpty()) {
        const LessonPeer* to = peerNamed(l, a.to);
        if (!to || to->kind != LessonPeer::Kind::Sctp || !to->listen)
            return r.fail(sp + QStringLiteral(".to"),
                QStringLiteral("expected the name of a listening sctp peer, not '%1'").arg(a.to));
        if (pairedHost(l, from->host) != to->host)
            return r.fail(sp + QStringLiteral(".to"),
                QStringLiteral("no link between %1 (%2) and %3 (%4) in \"links\"")
                    .arg(a.peer, from->host, a.to, to->host));
    }
    return true;
}

} // namespace ladder::lab::lessonfile
