// SPDX-License-Identifier: GPL-3.0-or-later
#include "lesson.h"

#include "reader.h"
#include "sctplessonfile.h"

#include "lab/breakpoint.h"
#include "lab/scenario.h"

#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <cmath>

namespace ladder::lab {

namespace {

    using namespace lessonfile;

    bool readPeer(Reader& r, const QJsonValue& v, const QString& path, LessonPeer* p)
    {
        QJsonObject o;
        if (!r.object(v, path, &o))
            return false;
        QString kind;
        if (!r.string(o, path, QStringLiteral("kind"), &kind, true))
            return false;
        if (kind == QLatin1String("sip-uac"))
            p->kind = LessonPeer::Kind::SipUac;
        else if (kind == QLatin1String("sip-uas"))
            p->kind = LessonPeer::Kind::SipUas;
        else if (kind == QLatin1String("sctp"))
            p->kind = LessonPeer::Kind::Sctp;
        else if (kind == QLatin1String("sip-registrar"))
            p->kind = LessonPeer::Kind::SipRegistrar;
        else if (kind == QLatin1String("sip-proxy"))
            p->kind = LessonPeer::Kind::SipProxy;
        else
            return r.fail(path + QStringLiteral(".kind"),
                QStringLiteral("expected \"sip-uac\", \"sip-uas\", \"sip-registrar\", \"sip-proxy\" or \"sctp\", not '%1'").arg(kind));
        if (!r.string(o, path, QStringLiteral("name"), &p->name, true) || !r.string(o, path, QStringLiteral("host"), &p->host, true))
            return false;
        if (!nameRe().match(p->name).hasMatch())
            return r.fail(path + QStringLiteral(".name"), QStringLiteral("expected lower-case letters, digits, '.', '-' or '_' (at most 40)"));
        static const QRegularExpression ipv4(QStringLiteral("^(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})$"));
        const auto m = ipv4.match(p->host);
        bool hostOk = m.hasMatch();
        for (int i = 1; hostOk && i <= 4; ++i)
            hostOk = m.captured(i).toInt() <= 255;
        if (!hostOk)
            return r.fail(path + QStringLiteral(".host"), QStringLiteral("expected an IPv4 address such as 10.0.0.1"));
        if (p->kind == LessonPeer::Kind::Sctp)
            return readSctpPeer(r, o, path, p);
        if (p->kind == LessonPeer::Kind::SipUac)
            return r.only(o, path, { QStringLiteral("kind"), QStringLiteral("name"), QStringLiteral("host") });
        if (p->kind == LessonPeer::Kind::SipRegistrar) {
            if (!r.only(o, path, { QStringLiteral("kind"), QStringLiteral("name"), QStringLiteral("host"), QStringLiteral("max_expires"), QStringLiteral("auth") })
                || !r.number(o, path, QStringLiteral("max_expires"), &p->maxExpires, 1, 4294967295.0, true))
                return false;
            if (!o.contains(QStringLiteral("auth")))
                return true;
            // "auth": {"realm": "lab", "users": {"uac": "secret"}}
            const QString ap = path + QStringLiteral(".auth");
            QJsonObject a, users;
            if (!r.object(o.value(QStringLiteral("auth")), ap, &a) || !r.only(a, ap, { QStringLiteral("realm"), QStringLiteral("users") })
                || !r.string(a, ap, QStringLiteral("realm"), &p->authRealm, true))
                return false;
            if (!a.contains(QStringLiteral("users")))
                return r.fail(ap, QStringLiteral("missing field 'users' (each user's password: {\"uac\": \"secret\"})"));
            if (!r.object(a.value(QStringLiteral("users")), ap + QStringLiteral(".users"), &users))
                return false;
            if (users.isEmpty())
                return r.fail(ap + QStringLiteral(".users"), QStringLiteral("expected at least one user and password"));
            for (auto it = users.begin(); it != users.end(); ++it) {
                const QString up = ap + QStringLiteral(".users.") + it.key();
                if (it.key().isEmpty() || !it.value().isString())
                    return r.fail(up, QStringLiteral("expected a user name and its password as a string"));
                p->authUsers.insert(it.key(), it.value().toString());
            }
            const QString& realm = p->authRealm; // quoted in the challenge: no quote, backslash or line break
            if (realm.contains(QLatin1Char('"')) || realm.contains(QLatin1Char('\\')) || realm.contains(QLatin1Char('\r')) || realm.contains(QLatin1Char('\n')))
                return r.fail(ap + QStringLiteral(".realm"), QStringLiteral("expected one line without '\"' or '\\'"));
            return true;
        }
        if (p->kind == LessonPeer::Kind::SipProxy) {
            // The targets are checked against the peers and links in parse().
            if (!r.only(o, path, { QStringLiteral("kind"), QStringLiteral("name"), QStringLiteral("host"), QStringLiteral("targets") }))
                return false;
            const QString tp = path + QStringLiteral(".targets");
            if (!o.contains(QStringLiteral("targets")))
                return r.fail(path, QStringLiteral("missing field 'targets' (the peers it forks to)"));
            const QJsonValue v = o.value(QStringLiteral("targets"));
            if (!v.isArray() || v.toArray().isEmpty())
                return r.fail(tp, QStringLiteral("expected a non-empty array of peer names"));
            const QJsonArray a = v.toArray();
            for (qsizetype i = 0; i < a.size(); ++i) {
                const QString t = a.at(i).toString();
                if (!a.at(i).isString() || t.isEmpty())
                    return r.fail(QStringLiteral("%1[%2]").arg(tp).arg(i), QStringLiteral("expected a peer's name"));
                if (p->targets.contains(t))
                    return r.fail(QStringLiteral("%1[%2]").arg(tp).arg(i), QStringLiteral("'%1' is already in the list").arg(t));
                p->targets << t;
            }
            return true;
        }
        if (!r.only(o, path, { QStringLiteral("kind"), QStringLiteral("name"), QStringLiteral("host"), QStringLiteral("answer") }))
            return false;
        if (o.contains(QStringLiteral("answer"))) {
            QJsonObject a;
            const QString ap = path + QStringLiteral(".answer");
            if (!r.object(o.value(QStringLiteral("answer")), ap, &a)
                || !r.only(a, ap, { QStringLiteral("ring"), QStringLiteral("after_ms"), QStringLiteral("status"), QStringLiteral("non_invite_after_ms"), QStringLiteral("stack_tags") })
                || !r.boolean(a, ap, QStringLiteral("ring"), &p->ring) || !r.boolean(a, ap, QStringLiteral("stack_tags"), &p->stackTags)
                || !r.number(a, ap, QStringLiteral("after_ms"), &p->answerAfterMs, 0, 3600000, true)
                || !r.number(a, ap, QStringLiteral("status"), &p->status, 0, 699, true)
                || !r.number(a, ap, QStringLiteral("non_invite_after_ms"), &p->nonInviteAfterMs, 0, 3600000, true))
                return false;
            if (p->status != 0 && p->status < 200)
                return r.fail(ap + QStringLiteral(".status"), QStringLiteral("expected a final status 200-699, or 0 (never answers)"));
        }
        return true;
    }

    bool readLink(Reader& r, const QJsonValue& v, const QString& path, LessonLink* l)
    {
        QJsonObject o;
        if (!r.object(v, path, &o))
            return false;
        if (!r.only(o, path,
                { QStringLiteral("from"), QStringLiteral("to"), QStringLiteral("one_way"), QStringLiteral("loss"), QStringLiteral("delay_ms"),
                    QStringLiteral("jitter_ms"), QStringLiteral("duplicate"), QStringLiteral("reorder"), QStringLiteral("reorder_ms"),
                    QStringLiteral("rate_bps"), QStringLiteral("down"), QStringLiteral("transports") },
                { { QStringLiteral("mtu"), QStringLiteral("not supported: lab links carry whole datagrams (no MTU, no fragmentation)") },
                    { QStringLiteral("corrupt"), QStringLiteral("not supported as a link property; use a fault rule (\"corrupt sctp:DATA\")") },
                    { QStringLiteral("queue"), QStringLiteral("not supported: lab links have no queue limit (rate_bps serialises without dropping)") } }))
            return false;
        LinkParams& p = l->params;
        p.lossPct = -1; // not given: the lesson's default (defaults.loss), else 0
        p.delayMs = -1;
        if (!r.string(o, path, QStringLiteral("from"), &l->from, true) || !r.string(o, path, QStringLiteral("to"), &l->to, true)
            || !r.boolean(o, path, QStringLiteral("one_way"), &l->oneWay)
            || !r.number(o, path, QStringLiteral("loss"), &p.lossPct, 0, 100, false)
            || !r.number(o, path, QStringLiteral("delay_ms"), &p.delayMs, 0, 60000, true)
            || !r.number(o, path, QStringLiteral("jitter_ms"), &p.jitterMs, 0, 60000, true)
            || !r.number(o, path, QStringLiteral("duplicate"), &p.duplicatePct, 0, 100, false)
            || !r.number(o, path, QStringLiteral("reorder"), &p.reorderPct, 0, 100, false)
            || !r.number(o, path, QStringLiteral("reorder_ms"), &p.reorderExtraMs, 0, 60000, true)
            || !r.number(o, path, QStringLiteral("rate_bps"), &p.rateBitsPerSec, 0, 1e12, true))
            return false;
        if (o.contains(QStringLiteral("transports"))) {
            const QString tp = path + QStringLiteral(".transports");
            const QJsonValue v = o.value(QStringLiteral("transports"));
            if (!v.isArray() || v.toArray().isEmpty())
                return r.fail(tp, QStringLiteral("expected a non-empty array of \"udp\", \"tcp\""));
            l->transports.clear();
            const QJsonArray a = v.toArray();
            for (qsizetype i = 0; i < a.size(); ++i) {
                const QString t = a.at(i).toString();
                if (t != QLatin1String("udp") && t != QLatin1String("tcp"))
                    return r.fail(QStringLiteral("%1[%2]").arg(tp).arg(i), QStringLiteral("expected \"udp\" or \"tcp\" (SIP transports of a lab link)"));
                if (l->transports.contains(t))
                    return r.fail(QStringLiteral("%1[%2]").arg(tp).arg(i), QStringLiteral("'%1' is already in the list").arg(t));
                l->transports << t;
            }
        }
        if (o.contains(QStringLiteral("down"))) {
            const QString dp = path + QStringLiteral(".down");
            if (!o.value(QStringLiteral("down")).isArray())
                return r.fail(dp, QStringLiteral("expected an array of {\"at_ms\", \"for_ms\"}"));
            const QJsonArray a = o.value(QStringLiteral("down")).toArray();
            for (qsizetype i = 0; i < a.size(); ++i) {
                const QString ep = QStringLiteral("%1[%2]").arg(dp).arg(i);
                QJsonObject d;
                LessonOutage out;
                if (!r.object(a.at(i), ep, &d) || !r.only(d, ep, { QStringLiteral("at_ms"), QStringLiteral("for_ms") }))
                    return false;
                if (!d.contains(QStringLiteral("at_ms")))
                    return r.fail(ep, QStringLiteral("missing field 'at_ms'"));
                if (!r.number(d, ep, QStringLiteral("at_ms"), &out.atMs, 0, 86400000, true)
                    || !r.number(d, ep, QStringLiteral("for_ms"), &out.forMs, 1, 86400000, true))
                    return false;
                l->down << out;
            }
        }
        return true;
    }

    bool readAction(Reader& r, const QJsonValue& v, const QString& path, LessonAction* a)
    {
        QJsonObject o;
        if (!r.object(v, path, &o))
            return false;
        if (!r.number(o, path, QStringLiteral("at_ms"), &a->atMs, 0, 86400000, true)
            || !r.string(o, path, QStringLiteral("peer"), &a->peer, !o.contains(QStringLiteral("link"))))
            return false;
        if (o.contains(QStringLiteral("link"))) {
            // A change of a link's parameters: {"from", "to", "one_way", the link fields, "up"}.
            a->kind = LessonAction::Kind::Link;
            if (!r.only(o, path, { QStringLiteral("at_ms"), QStringLiteral("after"), QStringLiteral("link") },
                    { { QStringLiteral("peer"), QStringLiteral("a link action changes a link, not a peer's doing: give \"link\": {\"from\", \"to\"}") } }))
                return false;
            if (o.contains(QStringLiteral("after"))) {
                const QString ap = path + QStringLiteral(".after");
                QJsonObject t;
                if (o.contains(QStringLiteral("at_ms")))
                    return r.fail(ap, QStringLiteral("\"after\" and \"at_ms\" exclude each other: an action runs at a time or on a condition"));
                if (!r.object(o.value(QStringLiteral("after")), ap, &t) || !readTrigger(r, t, ap, &a->tickTrigger))
                    return false;
                a->hasAfter = a->onTick = true;
            }
            const QString lp = path + QStringLiteral(".link");
            QJsonObject k;
            if (!r.object(o.value(QStringLiteral("link")), lp, &k) || !r.boolean(k, lp, QStringLiteral("up"), &a->link.params.up))
                return false;
            for (const QString& key : { QStringLiteral("down"), QStringLiteral("transports") })
                if (k.contains(key))
                    return r.fail(lp + QLatin1Char('.') + key,
                        key == QLatin1String("down") ? QStringLiteral("a link action takes the direction down now: \"up\": false (\"down\" schedules outages in \"links\")")
                                                     : QStringLiteral("a link action changes the parameters of the links there are; \"transports\" belongs in \"links\""));
            const bool up = a->link.params.up;
            k.remove(QStringLiteral("up"));
            if (!readLink(r, k, lp, &a->link))
                return false;
            a->link.params.up = up;
            return true;
        }
        if (isSctpAction(o))
            return readSctpAction(r, o, path, a);
        if (!r.only(o, path, { QStringLiteral("at_ms"), QStringLiteral("peer"), QStringLiteral("call"), QStringLiteral("request"), QStringLiteral("send"), QStringLiteral("register"), QStringLiteral("after") },
                { { QStringLiteral("sctp_send"), QStringLiteral("unknown field: the SCTP send is \"sctp_sendmsg\"") } }))
            return false;
        if (o.contains(QStringLiteral("after"))) {
            // An answer trigger: {"answered": N, "delay_ms": D} (N: an earlier action, checked in parse()).
            const QString ap = path + QStringLiteral(".after");
            if (o.contains(QStringLiteral("at_ms")))
                return r.fail(ap, QStringLiteral("\"after\" and \"at_ms\" exclude each other: an action runs at a time or after an answer"));
            QJsonObject t;
            if (!r.object(o.value(QStringLiteral("after")), ap, &t)
                || !r.only(t, ap, { QStringLiteral("answered"), QStringLiteral("delay_ms") },
                    { { QStringLiteral("delivered"), QStringLiteral("a SIP action runs after an answer ({\"answered\": N}); only SCTP actions run after a delivery") } }))
                return false;
            if (!t.contains(QStringLiteral("answered")))
                return r.fail(ap, QStringLiteral("missing field 'answered' (the number of the earlier action whose 2xx starts this one)"));
            int answered = 0;
            if (!r.number(t, ap, QStringLiteral("answered"), &answered, 1, 1000000, true)
                || !r.number(t, ap, QStringLiteral("delay_ms"), &a->afterDelayMs, 0, 86400000, true))
                return false;
            a->hasAfter = true;
            a->afterAnswered = answered - 1;
        }
        const int kinds = int(o.contains(QStringLiteral("call"))) + int(o.contains(QStringLiteral("request"))) + int(o.contains(QStringLiteral("send")))
            + int(o.contains(QStringLiteral("register")));
        if (kinds != 1)
            return r.fail(path, QStringLiteral("expected exactly one of \"call\", \"request\", \"register\", \"send\" (SIP) or \"connect\", \"sctp_sendmsg\", \"shutdown\", \"abort\" (SCTP)"));
        const QString key = o.contains(QStringLiteral("call")) ? QStringLiteral("call")
            : o.contains(QStringLiteral("request"))            ? QStringLiteral("request")
            : o.contains(QStringLiteral("register"))           ? QStringLiteral("register")
                                                               : QStringLiteral("send");
        const QString sp = path + QLatin1Char('.') + key;
        QJsonObject s;
        if (!r.object(o.value(key), sp, &s))
            return false;
        QString uri;
        if (key == QLatin1String("call")) {
            a->kind = LessonAction::Kind::Call;
            if (!r.only(s, sp, { QStringLiteral("to"), QStringLiteral("uri"), QStringLiteral("hang_up_after_ms"), QStringLiteral("cancel_after_ms"), QStringLiteral("dialog_on_fork"), QStringLiteral("transport"), QStringLiteral("end_after_final_ms") })
                || !r.string(s, sp, QStringLiteral("to"), &a->to, true) || !r.string(s, sp, QStringLiteral("uri"), &uri, false)
                || !r.number(s, sp, QStringLiteral("hang_up_after_ms"), &a->hangUpAfterMs, -1, 86400000, true)
                || !r.number(s, sp, QStringLiteral("cancel_after_ms"), &a->cancelAfterMs, -1, 86400000, true)
                || !r.number(s, sp, QStringLiteral("end_after_final_ms"), &a->endAfterFinalMs, 0, 86400000, true)
                || !r.boolean(s, sp, QStringLiteral("dialog_on_fork"), &a->dialogOnFork))
                return false;
        } else if (key == QLatin1String("request")) {
            a->kind = LessonAction::Kind::Request;
            QString method = QStringLiteral("OPTIONS");
            if (!r.only(s, sp, { QStringLiteral("to"), QStringLiteral("uri"), QStringLiteral("method"), QStringLiteral("transport") })
                || !r.string(s, sp, QStringLiteral("to"), &a->to, true) || !r.string(s, sp, QStringLiteral("uri"), &uri, false)
                || !r.string(s, sp, QStringLiteral("method"), &method, false))
                return false;
            static const QRegularExpression token(QStringLiteral("^[A-Z]+$"));
            if (!token.match(method).hasMatch() || method == QLatin1String("INVITE") || method == QLatin1String("ACK") || method == QLatin1String("CANCEL"))
                return r.fail(sp + QStringLiteral(".method"), QStringLiteral("expected a non-INVITE method in capitals (OPTIONS, MESSAGE, REGISTER…; INVITE is \"call\")"));
            a->method = method.toUtf8();
        } else if (key == QLatin1String("register")) {
            a->kind = LessonAction::Kind::Register;
            a->method = "REGISTER";
            QString aor, contact;
            if (!r.only(s, sp, { QStringLiteral("to"), QStringLiteral("uri"), QStringLiteral("aor"), QStringLiteral("contact"), QStringLiteral("expires"), QStringLiteral("transport"), QStringLiteral("credentials") })
                || !r.string(s, sp, QStringLiteral("to"), &a->to, true) || !r.string(s, sp, QStringLiteral("uri"), &uri, false)
                || !r.string(s, sp, QStringLiteral("aor"), &aor, false) || !r.string(s, sp, QStringLiteral("contact"), &contact, false)
                || !r.number(s, sp, QStringLiteral("expires"), &a->expires, 0, 4294967295.0, true))
                return false;
            // Header values and URIs go on the wire as they are: no line breaks in them.
            for (const auto& [field, value] : { std::pair { QStringLiteral("uri"), uri }, std::pair { QStringLiteral("aor"), aor }, std::pair { QStringLiteral("contact"), contact } })
                if (value.contains(QLatin1Char('\r')) || value.contains(QLatin1Char('\n')))
                    return r.fail(sp + QLatin1Char('.') + field, QStringLiteral("expected one line (no line break)"));
            if (!aor.isEmpty() && !aor.startsWith(QLatin1String("sip:")) && !aor.startsWith(QLatin1String("sips:")))
                return r.fail(sp + QStringLiteral(".aor"), QStringLiteral("expected a SIP URI, sip:user@host, not '%1'").arg(aor));
            a->aor = aor.toUtf8();
            a->contact = contact.toUtf8();
            if (s.contains(QStringLiteral("credentials"))) {
                const QString cp = sp + QStringLiteral(".credentials");
                QJsonObject c;
                QString user, password;
                if (!r.object(s.value(QStringLiteral("credentials")), cp, &c) || !r.only(c, cp, { QStringLiteral("user"), QStringLiteral("password") })
                    || !r.string(c, cp, QStringLiteral("user"), &user, true) || !r.string(c, cp, QStringLiteral("password"), &password, true, false))
                    return false;
                if (user.contains(QLatin1Char('"')) || user.contains(QLatin1Char('\\')) || user.contains(QLatin1Char('\r')) || user.contains(QLatin1Char('\n')))
                    return r.fail(cp + QStringLiteral(".user"), QStringLiteral("expected one line without '\"' or '\\'"));
                a->user = user.toUtf8();
                a->password = password.toUtf8();
            }
        } else {
            a->kind = LessonAction::Kind::Send;
            QString text;
            if (!r.only(s, sp, { QStringLiteral("to"), QStringLiteral("text"), QStringLiteral("flags") })
                || !r.string(s, sp, QStringLiteral("to"), &a->to, true) || !r.string(s, sp, QStringLiteral("text"), &text, true))
                return false;
            a->stateful = false;
            if (s.contains(QStringLiteral("flags"))) {
                if (!s.value(QStringLiteral("flags")).isArray())
                    return r.fail(sp + QStringLiteral(".flags"), QStringLiteral("expected an array of SIP_SEND_STATEFUL, SIP_DIALOG_ON_FORK"));
                const QJsonArray f = s.value(QStringLiteral("flags")).toArray();
                for (qsizetype i = 0; i < f.size(); ++i) {
                    const QString flag = f.at(i).toString();
                    if (flag == QLatin1String("SIP_SEND_STATEFUL"))
                        a->stateful = true;
                    else if (flag == QLatin1String("SIP_DIALOG_ON_FORK"))
                        a->dialogOnFork = true;
                    else
                        return r.fail(QStringLiteral("%1.flags[%2]").arg(sp).arg(i), QStringLiteral("expected SIP_SEND_STATEFUL or SIP_DIALOG_ON_FORK"));
                }
            }
            // Lines end in CRLF on the wire, whatever the file used.
            QString t = text;
            t.replace(QStringLiteral("\r\n"), QStringLiteral("\n"));
            if (!t.contains(QStringLiteral("\n\n")))
                t += QStringLiteral("\n\n"); // the empty line that ends the headers
            t.replace(QLatin1Char('\n'), QStringLiteral("\r\n"));
            a->text = t.toUtf8();
        }
        if (s.contains(QStringLiteral("transport"))) {
            QString t;
            if (!r.string(s, sp, QStringLiteral("transport"), &t, true))
                return false;
            if (t != QLatin1String("udp") && t != QLatin1String("tcp"))
                return r.fail(sp + QStringLiteral(".transport"), QStringLiteral("expected \"udp\" or \"tcp\", not '%1'").arg(t));
            a->tcp = t == QLatin1String("tcp");
        }
        a->requestUri = uri.toUtf8();
        return true;
    }

    bool readExpectation(Reader& r, const QJsonValue& v, const QString& path, LessonExpectation* e)
    {
        QJsonObject o;
        if (!r.object(v, path, &o))
            return false;
        e->where = path;
        if (!r.string(o, path, QStringLiteral("says"), &e->says, false))
            return false;
        if (o.contains(QStringLiteral("count"))) {
            e->kind = LessonExpectation::Kind::Count;
            if (!r.only(o, path, { QStringLiteral("count"), QStringLiteral("equals"), QStringLiteral("at_least"), QStringLiteral("at_most"), QStringLiteral("says") })
                || !r.string(o, path, QStringLiteral("count"), &e->selector, true))
                return false;
            QString why;
            const auto b = Breakpoint::parse(e->selector, &why);
            if (!b)
                return r.fail(path + QStringLiteral(".count"), why);
            if (e->selector.contains(QRegularExpression(QStringLiteral("\\bnth\\b"))))
                return r.fail(path + QStringLiteral(".count"), QStringLiteral("a count counts every match: leave out 'nth'"));
            if (b->trigger == Breakpoint::Trigger::At)
                return r.fail(path + QStringLiteral(".count"), QStringLiteral("'at' names an instant, not events to count"));
            const int n = int(o.contains(QStringLiteral("equals"))) + int(o.contains(QStringLiteral("at_least"))) + int(o.contains(QStringLiteral("at_most")));
            if (n != 1)
                return r.fail(path, QStringLiteral("expected exactly one of \"equals\", \"at_least\", \"at_most\""));
            const QString op = o.contains(QStringLiteral("equals")) ? QStringLiteral("equals") : o.contains(QStringLiteral("at_least")) ? QStringLiteral("at_least") : QStringLiteral("at_most");
            e->compare = op == QLatin1String("equals") ? LessonExpectation::Compare::Equals
                : op == QLatin1String("at_least")      ? LessonExpectation::Compare::AtLeast
                                                       : LessonExpectation::Compare::AtMost;
            return r.number(o, path, op, &e->number, 0, 1e9, true);
        }
        if (o.contains(QStringLiteral("abandoned"))) {
            e->kind = LessonExpectation::Kind::Abandoned;
            const QString ap = path + QStringLiteral(".abandoned");
            QJsonObject a;
            if (!r.only(o, path, { QStringLiteral("abandoned"), QStringLiteral("says") }) || !r.object(o.value(QStringLiteral("abandoned")), ap, &a)
                || !r.only(a, ap, { QStringLiteral("context"), QStringLiteral("stream"), QStringLiteral("policy") },
                    { { QStringLiteral("tsn"),
                        QStringLiteral("not supported: the journal's abandon event (SEND_FAILED) carries the message's context, stream "
                                       "and policy, not its TSN; name the context") } })
                || !r.number(a, ap, QStringLiteral("context"), &e->context, 0, 4294967295.0, true)
                || !r.number(a, ap, QStringLiteral("stream"), &e->stream, 0, 65535, true))
                return false;
            if (a.contains(QStringLiteral("policy"))) {
                const QStringList names { QStringLiteral("ttl"), QStringLiteral("buf"), QStringLiteral("rtx"), QStringLiteral("prio") };
                const qsizetype i = names.indexOf(a.value(QStringLiteral("policy")).toString());
                if (i < 0)
                    return r.fail(ap + QStringLiteral(".policy"), QStringLiteral("expected \"ttl\", \"buf\", \"rtx\" or \"prio\""));
                e->policy = int(i) + 1;
            }
            if (a.isEmpty())
                return r.fail(ap, QStringLiteral("expected at least one of \"context\", \"stream\", \"policy\""));
            return true;
        }
        if (isSctpExpectation(o))
            return readSctpExpectation(r, o, path, e);
        if (o.contains(QStringLiteral("finding"))) {
            e->kind = LessonExpectation::Kind::Finding;
            return r.only(o, path, { QStringLiteral("finding"), QStringLiteral("says") }) && r.string(o, path, QStringLiteral("finding"), &e->text, true);
        }
        if (o.contains(QStringLiteral("outcome"))) {
            e->kind = LessonExpectation::Kind::Outcome;
            if (!r.only(o, path, { QStringLiteral("outcome"), QStringLiteral("says") }))
                return false;
            const QString v = o.value(QStringLiteral("outcome")).toString();
            if (v != QLatin1String("ok") && v != QLatin1String("failed"))
                return r.fail(path + QStringLiteral(".outcome"), QStringLiteral("expected \"ok\" or \"failed\""));
            e->ok = v == QLatin1String("ok");
            return true;
        }
        return r.fail(path, QStringLiteral("expected one of \"count\", \"abandoned\", \"delivered\", \"out_of_order\", \"retransmissions\", \"finding\", \"outcome\""));
    }

} // namespace

QString LessonExpectation::compareSign() const
{
    return compare == Compare::Equals ? QStringLiteral("=") : compare == Compare::AtLeast ? QStringLiteral(">=") : QStringLiteral("<=");
}

QString LessonExpectation::describe() const
{
    switch (kind) {
    case Kind::Count: return QStringLiteral("%1 %2 %3").arg(selector, compareSign()).arg(number);
    case Kind::Abandoned: {
        QStringList parts;
        if (policy)
            parts << QStringList { QStringLiteral("TTL"), QStringLiteral("BUF"), QStringLiteral("RTX"), QStringLiteral("PRIO") }.at(policy - 1);
        if (context >= 0)
            parts << QStringLiteral("context %1").arg(context);
        if (stream >= 0)
            parts << QStringLiteral("stream %1").arg(stream);
        return QStringLiteral("a message abandoned: %1").arg(parts.join(QStringLiteral(", ")));
    }
    case Kind::Delivered: {
        QString what = QStringLiteral("%1 to %2").arg(outOfOrder ? QStringLiteral("out of order") : QStringLiteral("delivered"), peer);
        if (stream >= 0)
            what += QStringLiteral(" on stream %1").arg(stream);
        if (unordered >= 0)
            what += unordered ? QStringLiteral(" unordered") : QStringLiteral(" ordered");
        if (!text.isEmpty())
            what += QStringLiteral(" containing '%1'").arg(text);
        return QStringLiteral("%1 %2 %3").arg(what, compareSign()).arg(number);
    }
    case Kind::Retransmissions:
        return QStringLiteral("%1 retransmissions %2 %3")
            .arg(QStringList { QStringLiteral("DATA"), QStringLiteral("fast"), QStringLiteral("timeout") }.at(retransmissionKind), compareSign())
            .arg(number);
    case Kind::Finding: return QStringLiteral("a finding says '%1'").arg(text);
    case Kind::Outcome: return ok ? QStringLiteral("the lesson's own check passes") : QStringLiteral("the lesson's own check fails");
    }
    return {};
}

QString LessonTrigger::describe() const
{
    QStringList parts;
    if (!up.isEmpty())
        parts << QStringLiteral("%1 up").arg(up.join(QStringLiteral(", ")));
    if (!down.isEmpty())
        parts << QStringLiteral("%1 down").arg(down.join(QStringLiteral(", ")));
    for (const LessonExpectation& e : delivered)
        parts << e.describe();
    if (ranAction >= 0)
        parts << QStringLiteral("action %1 ran %2 ms before").arg(ranAction + 1).arg(ranMs);
    return parts.join(QStringLiteral(" and "));
}

QString LessonFile::builtinPath(const QString& name) { return QStringLiteral(":/lessons/%1.json").arg(name); }

std::optional<Lesson> LessonFile::load(const QString& path, QString* error)
{
    QFile f(path);
    const QString shown = path.startsWith(QLatin1Char(':')) ? path : QFileInfo(path).fileName();
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("%1: cannot read: %2").arg(path, f.errorString());
        return std::nullopt;
    }
    if (f.size() > 4 * 1024 * 1024) {
        *error = QStringLiteral("%1: larger than 4 MiB, not a lesson").arg(shown);
        return std::nullopt;
    }
    auto lesson = parse(f.readAll(), shown, error);
    if (lesson)
        lesson->path = path;
    return lesson;
}

std::optional<Lesson> LessonFile::parse(const QByteArray& json, const QString& fileName, QString* error)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
    if (pe.error != QJsonParseError::NoError) {
        const qsizetype off = std::clamp<qsizetype>(pe.offset, 0, json.size());
        const qsizetype lineStart = json.lastIndexOf('\n', off - 1) + 1;
        *error = QStringLiteral("%1:%2:%3: not JSON: %4").arg(fileName).arg(lineAt(json, off)).arg(off - lineStart + 1).arg(pe.errorString());
        return std::nullopt;
    }
    Reader r(json, fileName);
    Lesson l;
    auto failed = [&]() -> std::optional<Lesson> {
        *error = r.error();
        return std::nullopt;
    };
    if (!doc.isObject()) {
        r.fail(QStringLiteral("(top)"), QStringLiteral("expected a JSON object"));
        return failed();
    }
    const QJsonObject o = doc.object();
    QString format;
    if (!r.string(o, {}, QStringLiteral("format"), &format, true))
        return failed();
    if (format != QLatin1String("ladderlab-lesson")) {
        r.fail(QStringLiteral("format"), QStringLiteral("expected \"ladderlab-lesson\""));
        return failed();
    }
    if (!o.value(QStringLiteral("version")).isDouble()) {
        r.fail(o.contains(QStringLiteral("version")) ? QStringLiteral("version") : QStringLiteral("format"),
            QStringLiteral("expected \"version\": %1").arg(Lesson::kVersion));
        return failed();
    }
    if (o.value(QStringLiteral("version")).toDouble() != Lesson::kVersion) {
        r.fail(QStringLiteral("version"),
            QStringLiteral("version %1 is not supported: this LadderLab reads lesson format version %2")
                .arg(o.value(QStringLiteral("version")).toDouble())
                .arg(Lesson::kVersion));
        return failed();
    }
    const QStringList top { QStringLiteral("format"), QStringLiteral("version"), QStringLiteral("name"), QStringLiteral("title"), QStringLiteral("summary"),
        QStringLiteral("lesson"), QStringLiteral("defaults"), QStringLiteral("exchange"), QStringLiteral("peers"), QStringLiteral("links"),
        QStringLiteral("actions"), QStringLiteral("faults"), QStringLiteral("expect"), QStringLiteral("ends") };
    if (!r.only(o, {}, top) || !r.string(o, {}, QStringLiteral("name"), &l.name, true) || !r.string(o, {}, QStringLiteral("title"), &l.title, true)
        || !r.string(o, {}, QStringLiteral("summary"), &l.summary, true) || !r.string(o, {}, QStringLiteral("lesson"), &l.text, true)
        || !r.string(o, {}, QStringLiteral("exchange"), &l.exchange, false))
        return failed();
    if (!nameRe().match(l.name).hasMatch() || l.name.endsWith(QLatin1String(".json"))) {
        r.fail(QStringLiteral("name"), QStringLiteral("expected lower-case letters, digits, '.', '-' or '_' (at most 40), not ending in .json"));
        return failed();
    }
    if (o.contains(QStringLiteral("defaults"))) {
        QJsonObject d;
        if (!r.object(o.value(QStringLiteral("defaults")), QStringLiteral("defaults"), &d)
            || !r.only(d, QStringLiteral("defaults"), { QStringLiteral("loss"), QStringLiteral("delay_ms"), QStringLiteral("duration_s") })
            || !r.number(d, QStringLiteral("defaults"), QStringLiteral("loss"), &l.lossPct, 0, 100, false)
            || !r.number(d, QStringLiteral("defaults"), QStringLiteral("delay_ms"), &l.delayMs, 0, 60000, true)
            || !r.number(d, QStringLiteral("defaults"), QStringLiteral("duration_s"), &l.durationS, 0.001, 86400, false))
            return failed();
    }
    QJsonArray peers, links, actions, faults, expect;
    if (!r.array(o, QStringLiteral("peers"), &peers) || !r.array(o, QStringLiteral("links"), &links) || !r.array(o, QStringLiteral("actions"), &actions)
        || !r.array(o, QStringLiteral("faults"), &faults) || !r.array(o, QStringLiteral("expect"), &expect))
        return failed();
    if (!l.exchange.isEmpty()) {
        if (!exchangeNames().contains(l.exchange)) {
            r.fail(QStringLiteral("exchange"),
                QStringLiteral("no built-in exchange named '%1' (%2)").arg(l.exchange, exchangeNames().join(QStringLiteral(", "))));
            return failed();
        }
        // A built-in exchange brings its own peers, links and traffic, and ends when it is done.
        for (const QString& key : { QStringLiteral("peers"), QStringLiteral("links"), QStringLiteral("actions"), QStringLiteral("ends") })
            if (o.contains(key)) {
                r.fail(key, QStringLiteral("not allowed with \"exchange\": the built-in exchange '%1' sets up its own peers, links and traffic%2")
                                .arg(l.exchange, key == QLatin1String("ends") ? QStringLiteral(", and ends when it is done") : QString()));
                return failed();
            }
    } else if (peers.isEmpty()) {
        r.fail(o.contains(QStringLiteral("peers")) ? QStringLiteral("peers") : QStringLiteral("name"),
            QStringLiteral("a lesson without \"exchange\" needs at least one peer"));
        return failed();
    }
    QSet<QString> names, hosts;
    for (qsizetype i = 0; i < peers.size(); ++i) {
        const QString path = QStringLiteral("peers[%1]").arg(i);
        LessonPeer p;
        if (!readPeer(r, peers.at(i), path, &p))
            return failed();
        if (names.contains(p.name)) {
            r.fail(path + QStringLiteral(".name"), QStringLiteral("'%1' is already a peer's name").arg(p.name));
            return failed();
        }
        // One SIP peer per host (HOST:5060); SCTP sockets may share a host, with each other and with it.
        if (hosts.contains(p.host) && p.kind != LessonPeer::Kind::Sctp) {
            r.fail(path + QStringLiteral(".host"), QStringLiteral("%1 is already a SIP peer's address").arg(p.host));
            return failed();
        }
        if (p.composer && !l.composerSctp.isEmpty()) {
            r.fail(path + QStringLiteral(".composer"), QStringLiteral("%1 is already the composer's socket").arg(l.composerSctp));
            return failed();
        }
        if (p.composer)
            l.composerSctp = p.name;
        names.insert(p.name);
        if (p.kind != LessonPeer::Kind::Sctp)
            hosts.insert(p.host);
        l.peerIndex.insert(p.name, l.peers.size());
        l.peers << p;
    }
    auto peerNamed = [&](const QString& n) { return l.peerNamed(n); };
    QSet<QString> directions;
    QHash<QString, QStringList> transportsOf; // direction -> its link's SIP transports
    for (qsizetype i = 0; i < links.size(); ++i) {
        const QString path = QStringLiteral("links[%1]").arg(i);
        LessonLink k;
        if (!readLink(r, links.at(i), path, &k))
            return failed();
        for (const QString& end : { QStringLiteral("from"), QStringLiteral("to") })
            if (!peerNamed(end == QLatin1String("from") ? k.from : k.to)) {
                r.fail(path + QLatin1Char('.') + end, QStringLiteral("no peer named '%1'").arg(end == QLatin1String("from") ? k.from : k.to));
                return failed();
            }
        if (k.from == k.to) {
            r.fail(path + QStringLiteral(".to"), QStringLiteral("a link joins two different peers"));
            return failed();
        }
        QStringList dirs { k.from + QStringLiteral("->") + k.to };
        if (!k.oneWay)
            dirs << k.to + QStringLiteral("->") + k.from;
        for (const QString& d : dirs) {
            if (directions.contains(d)) {
                r.fail(path, QStringLiteral("the direction %1 is already described by an earlier link").arg(d));
                return failed();
            }
            directions.insert(d);
            transportsOf.insert(d, k.transports);
        }
        if (links.at(i).toObject().contains(QStringLiteral("transports")) && peerNamed(k.from)->kind == LessonPeer::Kind::Sctp) {
            r.fail(path + QStringLiteral(".transports"), QStringLiteral("SIP transports: a link between sctp peers carries SCTP"));
            return failed();
        }
        l.links << k;
    }
    if (!checkSctpPeersAndLinks(r, l))
        return failed();
    // A forking proxy's targets: other SIP peers it has a link to, over UDP (its only transport).
    for (qsizetype i = 0; i < l.peers.size(); ++i) {
        const LessonPeer& p = l.peers[i];
        if (p.kind != LessonPeer::Kind::SipProxy)
            continue;
        for (qsizetype t = 0; t < p.targets.size(); ++t) {
            const QString tp = QStringLiteral("peers[%1].targets[%2]").arg(i).arg(t);
            const LessonPeer* target = peerNamed(p.targets[t]);
            if (!target || target == &p || target->kind == LessonPeer::Kind::Sctp) {
                r.fail(tp, QStringLiteral("expected the name of another SIP peer, not '%1'").arg(p.targets[t]));
                return failed();
            }
            if (!directions.contains(p.name + QStringLiteral("->") + target->name)) {
                r.fail(tp, QStringLiteral("no link from %1 to %2 in \"links\"").arg(p.name, target->name));
                return failed();
            }
        }
    }
    for (qsizetype i = 0; i < links.size(); ++i) {
        const LessonLink& k = l.links[i];
        const bool proxy = peerNamed(k.from)->kind == LessonPeer::Kind::SipProxy || peerNamed(k.to)->kind == LessonPeer::Kind::SipProxy;
        if (proxy && k.transports != QStringList { QStringLiteral("udp") }) {
            r.fail(QStringLiteral("links[%1].transports").arg(i), QStringLiteral("a sip-proxy's links carry UDP only"));
            return failed();
        }
    }
    QSet<QString> acting; // sctp peers named by an earlier action
    r.setActionCount(actions.size());
    for (qsizetype i = 0; i < actions.size(); ++i) {
        const QString path = QStringLiteral("actions[%1]").arg(i);
        LessonAction a;
        if (!readAction(r, actions.at(i), path, &a))
            return failed();
        if (a.kind == LessonAction::Kind::Link) {
            // Its direction(s) must be wired: a SIP link, or the SCTP link pair of the two hosts.
            const LessonPeer* from = peerNamed(a.link.from);
            const LessonPeer* to = peerNamed(a.link.to);
            for (const auto& [end, p] : { std::pair { QStringLiteral("from"), from }, std::pair { QStringLiteral("to"), to } })
                if (!p) {
                    r.fail(QStringLiteral("%1.link.%2").arg(path, end), QStringLiteral("no peer named '%1'").arg(end == QLatin1String("from") ? a.link.from : a.link.to));
                    return failed();
                }
            const bool sctp = from->kind == LessonPeer::Kind::Sctp;
            const bool wired = sctp ? to->kind == LessonPeer::Kind::Sctp && pairedHost(l, from->host) == to->host
                                    : to->kind != LessonPeer::Kind::Sctp && directions.contains(a.link.from + QStringLiteral("->") + a.link.to)
                    && (a.link.oneWay || directions.contains(a.link.to + QStringLiteral("->") + a.link.from));
            if (!wired) {
                r.fail(path + QStringLiteral(".link.to"), QStringLiteral("no link from %1 to %2 in \"links\" to change").arg(a.link.from, a.link.to));
                return failed();
            }
            if (a.onTick) {
                if (std::none_of(l.peers.cbegin(), l.peers.cend(), [](const LessonPeer& p) { return p.kind == LessonPeer::Kind::Sctp; })) {
                    r.fail(path + QStringLiteral(".after"), QStringLiteral("a condition needs sctp peers (the lab tick runs for them); give \"at_ms\""));
                    return failed();
                }
                if (!checkTrigger(r, l, path + QStringLiteral(".after"), a.tickTrigger))
                    return failed();
            }
            l.actions << a;
            continue;
        }
        if (!sctpActionKey(a.kind).isEmpty()) {
            if (!checkSctpAction(r, l, path, a))
                return failed();
            // socket(2) opens the peer's socket: before anything else is done with it, once.
            if (a.kind == LessonAction::Kind::SctpSocket && acting.contains(a.peer)) {
                r.fail(path + QStringLiteral(".socket"), QStringLiteral("opens %1's socket: it must be %1's first action, and its only \"socket\"").arg(a.peer));
                return failed();
            }
            acting.insert(a.peer);
            l.actions << a;
            continue;
        }
        const LessonPeer* from = peerNamed(a.peer);
        if (!from || from->kind != LessonPeer::Kind::SipUac) {
            r.fail(path + QStringLiteral(".peer"), QStringLiteral("expected the name of a sip-uac peer, not '%1'").arg(a.peer));
            return failed();
        }
        const QString key = a.kind == LessonAction::Kind::Call ? QStringLiteral("call")
            : a.kind == LessonAction::Kind::Request            ? QStringLiteral("request")
            : a.kind == LessonAction::Kind::Register           ? QStringLiteral("register")
                                                               : QStringLiteral("send");
        if (a.afterAnswered >= 0) {
            const QString ap = path + QStringLiteral(".after.answered");
            if (a.afterAnswered >= i) {
                r.fail(ap, QStringLiteral("expected the number of an earlier action, 1 to %1").arg(i));
                return failed();
            }
            const LessonAction& by = l.actions[a.afterAnswered];
            if (by.kind != LessonAction::Kind::Call && by.kind != LessonAction::Kind::Request && by.kind != LessonAction::Kind::Register) {
                r.fail(ap, QStringLiteral("action %1 is not a call, request or register: it has no answer to wait for").arg(a.afterAnswered + 1));
                return failed();
            }
        }
        const LessonPeer* to = peerNamed(a.to);
        if (!to || to == from || to->kind == LessonPeer::Kind::Sctp) {
            r.fail(QStringLiteral("%1.%2.to").arg(path, key), QStringLiteral("expected the name of another peer, not '%1'").arg(a.to));
            return failed();
        }
        if (!directions.contains(a.peer + QStringLiteral("->") + a.to)) {
            r.fail(QStringLiteral("%1.%2.to").arg(path, key), QStringLiteral("no link from %1 to %2 in \"links\"").arg(a.peer, a.to));
            return failed();
        }
        if (a.tcp && !transportsOf.value(a.peer + QStringLiteral("->") + a.to).contains(QStringLiteral("tcp"))) {
            r.fail(QStringLiteral("%1.%2.transport").arg(path, key),
                QStringLiteral("the link from %1 to %2 carries no TCP: add \"transports\": [\"udp\", \"tcp\"] to it").arg(a.peer, a.to));
            return failed();
        }
        if (a.kind != LessonAction::Kind::Send && !a.tcp && !transportsOf.value(a.peer + QStringLiteral("->") + a.to).contains(QStringLiteral("udp"))) {
            r.fail(QStringLiteral("%1.%2").arg(path, key), QStringLiteral("the link from %1 to %2 carries no UDP: give \"transport\": \"tcp\"").arg(a.peer, a.to));
            return failed();
        }
        if (a.kind == LessonAction::Kind::Register) {
            // RFC 3261 §10.2: the Request-URI names the registrar's domain; the To, the AOR (ours).
            if (a.requestUri.isEmpty())
                a.requestUri = QStringLiteral("sip:%1%2").arg(to->host, a.tcp ? QStringLiteral(";transport=tcp") : QString()).toUtf8();
            if (a.aor.isEmpty())
                a.aor = QStringLiteral("sip:%1@%2").arg(from->name, from->host).toUtf8();
        }
        if (a.requestUri.isEmpty())
            a.requestUri = QStringLiteral("sip:%1@%2%3").arg(to->name, to->host, a.tcp ? QStringLiteral(";transport=tcp") : QString()).toUtf8();
        l.actions << a;
    }
    for (qsizetype i = 0; i < faults.size(); ++i) {
        const QString path = QStringLiteral("faults[%1]").arg(i);
        if (!faults.at(i).isString()) {
            r.fail(path, QStringLiteral("expected a fault rule as a string (docs/FAULTS.md)"));
            return failed();
        }
        QString why;
        const auto rule = FaultRule::parse(faults.at(i).toString(), &why);
        if (!rule) {
            r.fail(path, why);
            return failed();
        }
        l.faults << *rule;
        l.faultTexts << faults.at(i).toString();
    }
    for (qsizetype i = 0; i < expect.size(); ++i) {
        LessonExpectation e;
        if (!readExpectation(r, expect.at(i), QStringLiteral("expect[%1]").arg(i), &e))
            return failed();
        if (e.kind == LessonExpectation::Kind::Delivered) {
            const LessonPeer* to = peerNamed(e.peer);
            if (!to || to->kind != LessonPeer::Kind::Sctp) {
                r.fail(QStringLiteral("expect[%1].%2.to").arg(i).arg(e.outOfOrder ? QStringLiteral("out_of_order") : QStringLiteral("delivered")),
                    l.exchange.isEmpty() ? QStringLiteral("expected the name of an sctp peer, not '%1'").arg(e.peer)
                                         : QStringLiteral("a lesson with \"exchange\" has no peers of its own to name; use \"finding\""));
                return failed();
            }
        }
        if (e.kind == LessonExpectation::Kind::Finding && l.exchange.isEmpty()) {
            r.fail(QStringLiteral("expect[%1].finding").arg(i), QStringLiteral("only a lesson with \"exchange\" has findings to match; use \"count\""));
            return failed();
        }
        l.expectations << e;
    }
    if (o.contains(QStringLiteral("ends"))) {
        // "never", or a state trigger checked on the lab tick (SCTP lessons).
        const QJsonValue v = o.value(QStringLiteral("ends"));
        if (v.isString() && v.toString() == QLatin1String("never")) {
            l.ends = Lesson::Ends::Never;
        } else if (v.isObject()) {
            bool sctp = false;
            for (const LessonPeer& p : l.peers)
                sctp = sctp || p.kind == LessonPeer::Kind::Sctp;
            if (!sctp) {
                r.fail(QStringLiteral("ends"), QStringLiteral("a condition on SCTP state needs sctp peers (the lab tick runs for them); a SIP lesson ends when it is done, or \"never\""));
                return failed();
            }
            if (!readTrigger(r, v.toObject(), QStringLiteral("ends"), &l.endsWhen) || !checkTrigger(r, l, QStringLiteral("ends"), l.endsWhen))
                return failed();
            l.ends = Lesson::Ends::When;
        } else {
            r.fail(QStringLiteral("ends"), QStringLiteral("expected \"never\" or a condition {\"up\", \"down\", \"delivered\", \"count\", \"delay_ms\"}"));
            return failed();
        }
    }
    return l;
}

} // namespace ladder::lab
