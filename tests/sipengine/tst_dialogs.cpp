// SPDX-License-Identifier: GPL-3.0-or-later
// Dialogs (RFC 3261 §12, RFC 6665): creation, forking with and without SIP_DIALOG_ON_FORK, the
// 500-for-lower-CSeq rule, route sets (loose and strict), target refresh, SUBSCRIBE/NOTIFY.
#include "labpair.h"

#include "sip/message/parser.h"
#include "sip/transaction/transactionmessages.h"

#include <QTest>

using namespace ladder;
using namespace ladder::sip;
using namespace ladder::sip::test;

namespace {
QList<int> statuses(const QList<Incoming>& in)
{
    QList<int> out;
    for (const Incoming& i : in)
        out.append(i.message.statusCode());
    return out;
}

int countState(const QList<DialogSnapshot>& list, const QString& state)
{
    int n = 0;
    for (const DialogSnapshot& d : list)
        n += d.state == state;
    return n;
}

// Sets up a confirmed INVITE dialog between uac and uas; returns {uac dialog, uas dialog}.
QPair<quint64, quint64> establish(LabPair& p, Message invite)
{
    p.uas.autoAnswer = 200;
    QObject::connect(p.uac.stack.get(), &SipStack::responseReceived, p.uac.stack.get(), [&p](const Incoming& in) {
        if (in.message.statusCode() == 200 && in.message.transactionMethod() == "INVITE" && in.dialog)
            p.uac.stack->ackTwoHundred(in.dialog, in.message.cseq()->number);
    });
    p.uac.stack->send(p.toUas, std::move(invite), 0, SendFlag::Stateful);
    p.run(1 * kSec);
    p.uas.autoAnswer = 0;
    return { p.uac.responses.isEmpty() ? 0 : p.uac.responses.last().dialog,
        p.uas.requests.isEmpty() ? 0 : p.uas.requests.first().dialog ? p.uas.requests.first().dialog
                                                                       : p.uas.requests.last().dialog };
}
}

class TestDialogs : public QObject {
    Q_OBJECT
private slots:
    void inviteCreatesConfirmedDialogsBothSides();
    void forkingWithDialogOnFork();
    void forkingWithoutDialogOnFork();
    void lowerCSeqGets500();
    void looseRouteSet();
    void strictRouteSet();
    void remoteTargetRefresh();
    void byeTerminatesBoth();
    void subscribeNotifyDialog();
    void unknownDialogGets481();
    void dialogStateEventsJournalled();
    // sip_sendmsg(3SIP): SIP_DIALOG_ON_FORK "is only meaningful if the stack is configured to
    // maintain dialogs".
    void maintainedDialogsComeFromStatelessSendsToo();
    void statelessForkHonoursDialogOnFork();
    void statelessByeAnswerEndsTheDialog();
    void stackNotMaintainingDialogsKeepsNone();

private:
    void fork(LabPair& p, SendFlags flags);
};

void TestDialogs::inviteCreatesConfirmedDialogsBothSides()
{
    LabPair p;
    const auto [uacDialog, uasDialog] = establish(p, p.request("INVITE"));
    QVERIFY(uacDialog);
    const Dialog* a = p.uac.stack->dialog(uacDialog);
    QVERIFY(a);
    QCOMPARE(a->state(), Dialog::State::Confirmed);
    QCOMPARE(a->role(), Dialog::Role::Uac);
    QCOMPARE(a->localCSeq(), 1u);
    QCOMPARE(a->remoteTarget(), QByteArray("sip:10.0.0.2:5060"));
    const QList<DialogSnapshot> uas = p.uas.stack->dialogSnapshots();
    QCOMPARE(uas.size(), 1);
    QCOMPARE(uas.first().state, QStringLiteral("confirmed"));
    QCOMPARE(uas.first().role, QStringLiteral("UAS"));
    QCOMPARE(uas.first().callId, a->callId());
    QCOMPARE(uas.first().localTag, a->remoteTag());
    QCOMPARE(uas.first().remoteTag, a->localTag());
    QCOMPARE(uas.first().remoteCSeq, 1u);
    QCOMPARE(uas.first().remoteTarget, QByteArray("sip:alice@10.0.0.1:5060"));
    // The ACK reached the UAS with its dialog.
    QCOMPARE(p.uas.requests.last().message.method(), QByteArrayView("ACK"));
    QCOMPARE(p.uas.requests.last().dialog, uas.first().id);
}

void TestDialogs::fork(LabPair& p, SendFlags flags)
{
    // A forking proxy in front of two phones: both ring (180, tags a and b), both answer (200).
    TimerConfig t;
    t.trying100Ns = -1;
    p.uas.stack->setTimers(t);
    const SendResult r = p.uac.stack->send(p.toUas, p.request("INVITE"), 0, flags);
    QVERIFY(r.ok());
    p.run(1 * kMs);
    QCOMPARE(p.uas.requests.size(), 1);
    const Message& invite = p.uas.requests.first().message;
    for (const auto& [status, tag] : { QPair<int, QByteArray> { 180, "fork-a" }, { 180, "fork-b" },
             { 200, "fork-a" }, { 200, "fork-b" } }) {
        Message resp = transactionmsg::responseTo(invite, status, tag);
        resp.appendHeader(HeaderId::Contact, "<sip:phone-" + tag + "@10.0.0.2:5060>");
        QVERIFY(p.uas.stack->send(p.toUac, resp, 0, SendFlag::None).ok()); // the proxy, stateless
        p.run(1 * kMs);
    }
}

void TestDialogs::forkingWithDialogOnFork()
{
    LabPair p;
    fork(p, SendFlag::Stateful | SendFlag::DialogOnFork);
    QCOMPARE(statuses(p.uac.responses), (QList<int> { 180, 180, 200, 200 }));
    QList<quint64> dialogs;
    for (const Incoming& in : p.uac.responses)
        dialogs.append(in.dialog);
    QVERIFY(dialogs[0] && dialogs[1] && dialogs[0] != dialogs[1]);
    QCOMPARE(dialogs[2], dialogs[0]);
    QCOMPARE(dialogs[3], dialogs[1]);
    const QList<DialogSnapshot> all = p.uac.stack->dialogSnapshots();
    QCOMPARE(all.size(), 2);
    QCOMPARE(countState(all, QStringLiteral("confirmed")), 2);
    QCOMPARE(p.uac.stack->dialog(dialogs[1])->remoteTarget(), QByteArray("sip:phone-fork-b@10.0.0.2:5060"));
}

void TestDialogs::forkingWithoutDialogOnFork()
{
    LabPair p;
    fork(p, SendFlag::Stateful);
    QCOMPARE(statuses(p.uac.responses), (QList<int> { 180, 180, 200, 200 }));
    QVERIFY(p.uac.responses[0].dialog != 0);
    QCOMPARE(p.uac.responses[1].dialog, quint64(0)); // the second fork got no dialog
    QCOMPARE(p.uac.responses[2].dialog, p.uac.responses[0].dialog);
    QCOMPARE(p.uac.responses[3].dialog, quint64(0));
    const QList<DialogSnapshot> all = p.uac.stack->dialogSnapshots();
    QCOMPARE(all.size(), 1);
    QCOMPARE(all.first().remoteTag, QByteArray("fork-a"));
    QCOMPARE(all.first().state, QStringLiteral("confirmed"));
}

void TestDialogs::lowerCSeqGets500()
{
    LabPair p;
    const auto [uacDialog, uasDialog] = establish(p, p.request("INVITE"));
    QVERIFY(uacDialog);
    Message info = *p.uac.stack->createInDialog(uacDialog, "INFO"); // CSeq 2
    QVERIFY(p.uac.stack->send({}, info, uacDialog, SendFlag::Stateful).ok());
    p.run(1 * kSec);
    QCOMPARE(p.uas.requests.last().message.method(), QByteArrayView("INFO"));
    p.uas.stack->reply(p.uas.requests.last().transaction, 200);
    p.run(1 * kSec);
    Message stale = *p.uac.stack->createInDialog(uacDialog, "INFO");
    stale.setHeader(HeaderId::CSeq, "1 INFO"); // lower than the 2 the UAS saw
    const SendResult r = p.uac.stack->send({}, stale, uacDialog, SendFlag::Stateful);
    QVERIFY(r.ok());
    const int before = p.uas.requests.size();
    p.run(1 * kSec);
    QCOMPARE(p.uas.requests.size(), before); // answered by the stack, not passed up
    QCOMPARE(p.uac.responses.last().message.statusCode(), 500);
    QCOMPARE(p.uac.responses.last().transaction, r.transaction);
    const QList<DialogSnapshot> uas = p.uas.stack->dialogSnapshots();
    QCOMPARE(uas.first().remoteCSeq, 2u);
}

void TestDialogs::looseRouteSet()
{
    LabPair p;
    Message invite = p.request("INVITE");
    invite.appendHeader(HeaderId::RecordRoute, "<sip:p1.example.com;lr>");
    invite.appendHeader(HeaderId::RecordRoute, "<sip:p2.example.com;lr>");
    const auto [uacDialog, uasDialog] = establish(p, invite);
    const Dialog* a = p.uac.stack->dialog(uacDialog);
    QVERIFY(a);
    QCOMPARE(a->routeSet(), (QList<QByteArray> { "<sip:p2.example.com;lr>", "<sip:p1.example.com;lr>" }));
    const Message bye = *p.uac.stack->createInDialog(uacDialog, "BYE");
    QCOMPARE(bye.requestUriText(), QByteArrayView("sip:10.0.0.2:5060"));
    QCOMPARE(bye.values(HeaderId::Route),
        (QList<QByteArrayView> { "<sip:p2.example.com;lr>", "<sip:p1.example.com;lr>" }));
    QCOMPARE(bye.cseq()->number, 2u);
    const QList<DialogSnapshot> uas = p.uas.stack->dialogSnapshots();
    QCOMPARE(uas.first().routeSet, (QList<QByteArray> { "<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>" }));
}

void TestDialogs::strictRouteSet()
{
    LabPair p;
    Message invite = p.request("INVITE");
    invite.appendHeader(HeaderId::RecordRoute, "<sip:strict.example.com>");
    const auto [uacDialog, uasDialog] = establish(p, invite);
    const Message bye = *p.uac.stack->createInDialog(uacDialog, "BYE");
    // §12.2.1.1: a strict router's URI is the Request-URI; the remote target goes last in Route.
    QCOMPARE(bye.requestUriText(), QByteArrayView("sip:strict.example.com"));
    QCOMPARE(bye.values(HeaderId::Route), (QList<QByteArrayView> { "<sip:10.0.0.2:5060>" }));
}

void TestDialogs::remoteTargetRefresh()
{
    LabPair p;
    const auto [uacDialog, uasDialog] = establish(p, p.request("INVITE"));
    Message reinvite = *p.uac.stack->createInDialog(uacDialog, "INVITE");
    reinvite.setHeader(HeaderId::Contact, "<sip:alice-moved@10.0.0.1:5060>");
    p.uas.autoAnswer = 200;
    QVERIFY(p.uac.stack->send({}, reinvite, uacDialog, SendFlag::Stateful).ok());
    p.run(1 * kSec);
    const QList<DialogSnapshot> uas = p.uas.stack->dialogSnapshots();
    QCOMPARE(uas.size(), 1);
    QCOMPARE(uas.first().remoteTarget, QByteArray("sip:alice-moved@10.0.0.1:5060"));
    QCOMPARE(uas.first().remoteCSeq, 2u);
}

void TestDialogs::byeTerminatesBoth()
{
    LabPair p;
    const auto [uacDialog, uasDialog] = establish(p, p.request("INVITE"));
    p.uas.autoAnswer = 200;
    QVERIFY(p.uac.stack->send({}, *p.uac.stack->createInDialog(uacDialog, "BYE"), uacDialog, SendFlag::Stateful).ok());
    p.run(1 * kSec);
    QCOMPARE(p.uac.responses.last().message.statusCode(), 200);
    QCOMPARE(countState(p.uac.stack->dialogSnapshots(), QStringLiteral("terminated")), 1);
    QCOMPARE(countState(p.uas.stack->dialogSnapshots(), QStringLiteral("terminated")), 1);
    QCOMPARE(p.uac.stack->liveDialogs(), std::size_t(0));
    // The dialog is gone: an in-dialog request for it now fails at the send call.
    QVERIFY(!p.uac.stack->send({}, p.request("INFO"), uacDialog, SendFlag::Stateful).ok());
}

void TestDialogs::subscribeNotifyDialog()
{
    LabPair p;
    Message sub = p.request("SUBSCRIBE");
    sub.appendHeader(HeaderId::Event, "presence");
    sub.appendHeader(HeaderId::Expires, "600");
    p.uas.autoAnswer = 200;
    const SendResult r = p.uac.stack->send(p.toUas, sub, 0, SendFlag::Stateful);
    p.run(1 * kSec);
    QCOMPARE(statuses(p.uac.responses), QList<int> { 200 });
    const quint64 uacDialog = p.uac.responses.first().dialog;
    QVERIFY(uacDialog);
    QCOMPARE(p.uac.stack->dialog(uacDialog)->method(), QByteArray("SUBSCRIBE"));
    QCOMPARE(p.uac.stack->dialog(uacDialog)->state(), Dialog::State::Confirmed);
    const QList<DialogSnapshot> uas = p.uas.stack->dialogSnapshots();
    QCOMPARE(uas.size(), 1);
    // The notifier ends the subscription with a NOTIFY in the dialog.
    Message notify = *p.uas.stack->createInDialog(uas.first().id, "NOTIFY");
    notify.appendHeader(HeaderId::Event, "presence");
    notify.appendHeader(HeaderId::SubscriptionState, "terminated;reason=timeout");
    p.uac.autoAnswer = 200;
    QVERIFY(p.uas.stack->send({}, notify, uas.first().id, SendFlag::Stateful).ok());
    p.run(1 * kSec);
    QCOMPARE(p.uac.requests.size(), 1);
    QCOMPARE(p.uac.requests.first().dialog, uacDialog);
    QCOMPARE(countState(p.uac.stack->dialogSnapshots(), QStringLiteral("terminated")), 1);
    QCOMPARE(countState(p.uas.stack->dialogSnapshots(), QStringLiteral("terminated")), 1);
    (void)r;
}

void TestDialogs::unknownDialogGets481()
{
    LabPair p;
    Message info = p.request("INFO");
    info.setHeader(HeaderId::To, "Bob <sip:bob@10.0.0.2>;tag=nosuchdialog");
    const SendResult r = p.uac.stack->send(p.toUas, info, 0, SendFlag::Stateful);
    p.run(1 * kSec);
    QCOMPARE(statuses(p.uac.responses), QList<int> { 481 });
    QCOMPARE(p.uas.requests.size(), 0);
    (void)r;
}

void TestDialogs::dialogStateEventsJournalled()
{
    LabPair p;
    p.uas.autoAnswer = 180;
    p.uac.stack->send(p.toUas, p.request("INVITE"), 0, SendFlag::Stateful);
    p.run(1 * kSec);
    p.uas.stack->reply(p.uas.requests.first().transaction, 200);
    p.run(1 * kSec);
    QStringList texts;
    for (const trace::Event& e : p.events(trace::Kind::DialogState))
        texts.append(e.text);
    QCOMPARE(texts.size(), 4); // created (early) and early -> confirmed, on each side
    QCOMPARE(texts.count(QStringLiteral("early -> confirmed")), 2);
    QVERIFY(texts[0].contains(QLatin1String("created early")));
}

void TestDialogs::maintainedDialogsComeFromStatelessSendsToo()
{
    // An INVITE sent without SIP_SEND_STATEFUL: no transaction, yet its 180 and 200 make and
    // confirm the dialog, as for a stateful one (the stack maintains dialogs by default).
    LabPair p;
    QVERIFY(p.uac.stack->maintainsDialogs());
    p.uas.autoAnswer = 200;
    const SendResult r = p.uac.stack->send(p.toUas, p.request("INVITE"), 0, SendFlag::None);
    QVERIFY(r.ok());
    QCOMPARE(r.transaction, quint64(0));
    p.run(1 * kSec);
    QVERIFY(!p.uac.responses.isEmpty());
    const Incoming& ok = p.uac.responses.last();
    QCOMPARE(ok.message.statusCode(), 200);
    QCOMPARE(ok.transaction, quint64(0));
    QVERIFY(ok.dialog != 0);
    const Dialog* d = p.uac.stack->dialog(ok.dialog);
    QVERIFY(d);
    QCOMPARE(d->state(), Dialog::State::Confirmed);
    QCOMPARE(d->role(), Dialog::Role::Uac);
    QCOMPARE(d->remoteTarget(), QByteArray("sip:10.0.0.2:5060"));
    // The ACK goes in that dialog, and reaches the UAS's.
    QVERIFY(p.uac.stack->ackTwoHundred(ok.dialog, ok.message.cseq()->number).ok());
    p.run(100 * kMs);
    QCOMPARE(p.uas.requests.last().message.method(), QByteArrayView("ACK"));
    QVERIFY(p.uas.requests.last().dialog != 0);
}

void TestDialogs::statelessForkHonoursDialogOnFork()
{
    {
        LabPair p;
        fork(p, SendFlag::DialogOnFork); // stateless, with the flag: a dialog per fork
        QCOMPARE(statuses(p.uac.responses), (QList<int> { 180, 180, 200, 200 }));
        QVERIFY(p.uac.responses[0].dialog && p.uac.responses[1].dialog);
        QVERIFY(p.uac.responses[0].dialog != p.uac.responses[1].dialog);
        QCOMPARE(countState(p.uac.stack->dialogSnapshots(), QStringLiteral("confirmed")), 2);
        // The proxy's stateless answers made the UAS side's dialogs too, one per To tag.
        QCOMPARE(countState(p.uas.stack->dialogSnapshots(), QStringLiteral("confirmed")), 2);
    }
    {
        LabPair p;
        fork(p, SendFlag::None); // stateless, without: only the first fork's
        QCOMPARE(p.uac.responses[1].dialog, quint64(0));
        QCOMPARE(p.uac.stack->dialogSnapshots().size(), 1);
    }
}

void TestDialogs::statelessByeAnswerEndsTheDialog()
{
    LabPair p;
    const auto [uacDialog, uasDialog] = establish(p, p.request("INVITE"));
    QVERIFY(uacDialog && uasDialog);
    auto bye = p.uac.stack->createInDialog(uacDialog, "BYE");
    QVERIFY(bye);
    QVERIFY(p.uac.stack->send({}, *bye, uacDialog, SendFlag::None).ok()); // no transaction
    p.run(10 * kMs);
    const Incoming& in = p.uas.requests.last();
    QCOMPARE(in.message.method(), QByteArrayView("BYE"));
    // The UAS answers statelessly too: its dialog ends with its 200, the UAC's with the 200's arrival.
    QVERIFY(p.uas.stack->send(p.toUac, transactionmsg::responseTo(in.message, 200, {}), 0, SendFlag::None).ok());
    p.run(10 * kMs);
    QCOMPARE(p.uac.responses.last().dialog, uacDialog);
    QCOMPARE(p.uac.stack->dialog(uacDialog), nullptr);
    QCOMPARE(p.uas.stack->dialog(uasDialog), nullptr);
    QCOMPARE(countState(p.uac.stack->dialogSnapshots(), QStringLiteral("terminated")), 1);
    QCOMPARE(countState(p.uas.stack->dialogSnapshots(), QStringLiteral("terminated")), 1);
}

void TestDialogs::stackNotMaintainingDialogsKeepsNone()
{
    // Configured not to maintain dialogs, the stack keeps none, stateful or not, and
    // SIP_DIALOG_ON_FORK is accepted with no effect.
    LabPair p;
    p.uac.stack->setMaintainDialogs(false);
    p.uas.stack->setMaintainDialogs(false);
    fork(p, SendFlag::Stateful | SendFlag::DialogOnFork);
    QCOMPARE(statuses(p.uac.responses), (QList<int> { 180, 180, 200, 200 }));
    for (const Incoming& in : std::as_const(p.uac.responses))
        QCOMPARE(in.dialog, quint64(0));
    QVERIFY(p.uac.stack->dialogSnapshots().isEmpty());
    QVERIFY(p.uas.stack->dialogSnapshots().isEmpty());
    QCOMPARE(p.uac.stack->liveDialogs(), std::size_t(0));
}

QTEST_GUILESS_MAIN(TestDialogs)
#include "tst_dialogs.moc"
