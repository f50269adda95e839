// SPDX-License-Identifier: GPL-3.0-or-later
#include "composer/sctpcomposer.h"
#include "composer/sipcomposer.h"
#include "models/livemodels.h"
#include "sip/message/parser.h"
#include "sip/message/validation.h"

#include <QCheckBox>
#include <QComboBox>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QTest>

using namespace ladder;

class TestComposer : public QObject {
    Q_OBJECT
private slots:
    void everyTemplateAutoFillsIntoAValidMessage_data()
    {
        QTest::addColumn<QString>("method");
        for (const QString& m : ui::SipComposer::templateNames())
            QTest::newRow(qPrintable(m)) << m;
    }
    void everyTemplateAutoFillsIntoAValidMessage()
    {
        QFETCH(QString, method);
        const QString text = ui::SipComposer::templateText(method);
        QVERIFY2(!text.isEmpty(), "template missing from the resources");
        const QString filled = ui::SipComposer::autoFill(text, 7);
        QVERIFY(!filled.contains(QStringLiteral("auto")));
        const QByteArray wire = ui::SipComposer::wireBytes(filled);
        const sip::ParseResult r = sip::parse(wire, sip::Strictness::Strict);
        QVERIFY2(r.ok, qPrintable(r.error + QLatin1Char('\n') + QString::fromUtf8(wire)));
        QCOMPARE(QString::fromUtf8(r.message.method()), method);
        QCOMPARE(r.message.cseq()->number, quint32(7));
        QVERIFY(sip::isRfc3261Branch(r.message.topVia()->branch()));
        QCOMPARE(*r.message.contentLength(), qint64(r.message.body().size()));
    }

    void wireBytesUseCrlf()
    {
        QCOMPARE(ui::SipComposer::wireBytes(QStringLiteral("OPTIONS sip:a SIP/2.0\nCSeq: 1 OPTIONS\n\nbody\nline")),
            QByteArray("OPTIONS sip:a SIP/2.0\r\nCSeq: 1 OPTIONS\r\n\r\nbody\r\nline"));
        QCOMPARE(ui::SipComposer::wireBytes(QStringLiteral("BYE sip:a SIP/2.0\nCSeq: 2 BYE\n")),
            QByteArray("BYE sip:a SIP/2.0\r\nCSeq: 2 BYE\r\n\r\n"));
    }

    void liveValidationNamesTheProblem()
    {
        ui::SipComposer c;
        c.setText(QStringLiteral("OPTIONS sip:bob@b SIP/2.0\nVia: SIP/2.0/UDP a;branch=1234\nFrom: <sip:a@a>;tag=1\n"
                                 "To: <sip:b@b>\nCall-ID: x\nCSeq: 4294967296 OPTIONS\nMax-Forwards: 70\n\n"));
        const QStringList findings = c.validateNow();
        QVERIFY2(!findings.isEmpty(), "no findings");
        QVERIFY2(findings.first().contains(QStringLiteral("CSeq")), qPrintable(findings.join(QLatin1Char('|'))));
        QVERIFY(!c.editor()->extraSelections().isEmpty());

        c.setText(ui::SipComposer::autoFill(ui::SipComposer::templateText(QStringLiteral("OPTIONS")), 1)
                      .replace(QRegularExpression(QStringLiteral("branch=[^;\n]+")), QStringLiteral("branch=abc")));
        const QStringList f2 = c.validateNow();
        QVERIFY2(f2.join(QLatin1Char('|')).contains(QStringLiteral("EINVAL")), qPrintable(f2.join(QLatin1Char('|'))));
    }

    // The dialog list follows the model's appends but holds only the newest 1 000 dialogs, plus
    // the one chosen, which stays chosen however many come after it.
    void dialogListHoldsTheNewest()
    {
        ui::DialogModel model;
        ui::SipComposer c;
        c.setDialogModel(&model);
        auto append = [&](quint64 first, quint64 n) {
            QList<sip::DialogSnapshot> batch;
            for (quint64 id = first; id < first + n; ++id) {
                sip::DialogSnapshot d;
                d.id = id;
                d.callId = "call-" + QByteArray::number(id);
                d.method = QStringLiteral("INVITE");
                batch.append(d);
            }
            model.upsert(batch);
        };
        append(1, 600);
        QCOMPARE(c.dialogBox()->count(), 601);
        c.dialogBox()->setCurrentIndex(c.dialogBox()->findData(quint64(5)));
        QCOMPARE(c.selectedDialog(), quint64(5));
        for (quint64 first = 601; first < 2101; first += 500)
            append(first, 500);
        QCOMPARE(c.dialogBox()->count(), 1 + 1 + 1000);
        QCOMPARE(c.selectedDialog(), quint64(5));
        QCOMPARE(c.dialogBox()->itemData(2).toULongLong(), quint64(1101));
        QCOMPARE(c.dialogBox()->itemData(c.dialogBox()->count() - 1).toULongLong(), quint64(2100));
        append(1, 1); // a change to a listed row, not an append
        QCOMPARE(c.dialogBox()->count(), 1002);
    }

    void sendCarriesTheFlags()
    {
        ui::SipComposer c;
        QSignalSpy spy(&c, &ui::SipComposer::sendRequested);
        c.setTarget(QStringLiteral("tcp:10.0.0.2:5060"));
        c.forkBox()->setChecked(true);
        c.statefulBox()->setChecked(false);
        QTest::mouseClick(c.sendButton(), Qt::LeftButton);
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy[0][1].toString(), QStringLiteral("tcp:10.0.0.2:5060"));
        QCOMPARE(spy[0][3].toBool(), false);
        QCOMPARE(spy[0][4].toBool(), true);
        c.showResult(false, QStringLiteral("EINVAL"), QStringLiteral("Via: branch abc is not RFC 3261"), 0);
        QVERIFY(c.resultText().startsWith(QStringLiteral("EINVAL: Via")));
    }

    // A new user's first send: the OPTIONS template as loaded, Send pressed — every "auto" is
    // filled in what goes out (it used to be refused: "CSeq: sequence number 'auto' is not a
    // decimal number"), and each send of the same draft gets its own branch, tag and CSeq.
    void sendFillsAutoPlaceholders()
    {
        ui::SipComposer c;
        QSignalSpy spy(&c, &ui::SipComposer::sendRequested);
        QVERIFY(c.text().contains(QStringLiteral("auto")));
        QTest::mouseClick(c.sendButton(), Qt::LeftButton);
        QTest::mouseClick(c.sendButton(), Qt::LeftButton);
        QCOMPARE(spy.count(), 2);
        QList<sip::Message> sent;
        for (const auto& args : spy) {
            const QByteArray bytes = args[0].toByteArray();
            QVERIFY2(!bytes.contains("auto"), bytes.constData());
            const sip::ParseResult r = sip::parse(bytes, sip::Strictness::Strict);
            QVERIFY2(r.ok, qPrintable(r.error));
            sent << r.message;
        }
        QVERIFY(sent[0].topVia()->branch().startsWith("z9hG4bK"));
        QVERIFY(sent[0].topVia()->branch() != sent[1].topVia()->branch());
        QVERIFY(sent[0].fromTag() != sent[1].fromTag());
        QVERIFY(sent[0].cseq()->number != sent[1].cseq()->number);
        QVERIFY(c.text().contains(QStringLiteral("branch=auto"))); // the draft keeps its placeholders
        // What the user typed is sent as typed.
        c.setText(ui::SipComposer::autoFill(c.text(), 7));
        const QString typed = c.text();
        QTest::mouseClick(c.sendButton(), Qt::LeftButton);
        QCOMPARE(spy.last()[0].toByteArray(), ui::SipComposer::wireBytes(typed));
    }

    void hexPayloads()
    {
        QByteArray b;
        QVERIFY(ui::SctpComposer::parseHex(QStringLiteral("48 65 6c 6C 6f"), &b));
        QCOMPARE(b, QByteArray("Hello"));
        QVERIFY(ui::SctpComposer::parseHex(QStringLiteral("0x48,0x69"), &b));
        QCOMPARE(b, QByteArray("Hi"));
        QVERIFY(!ui::SctpComposer::parseHex(QStringLiteral("4"), &b));
        QVERIFY(!ui::SctpComposer::parseHex(QStringLiteral("zz"), &b));
    }

    void sctpRequestFromTheForm()
    {
        ui::SctpComposer c;
        c.flag(0x400)->setChecked(true);
        c.flag(0x4000)->setChecked(true);
        c.policy()->setCurrentIndex(1);
        c.policyValue()->setValue(100);
        c.repeat()->setValue(20);
        lab::SctpComposerRequest r;
        QString error;
        QVERIFY2(c.request(&r, &error), qPrintable(error));
        QCOMPARE(r.flags, quint32(0x4400));
        QCOMPARE(r.prPolicy, 1);
        QCOMPARE(r.prValue, quint32(100));
        QCOMPARE(r.repeat, 20);
        QCOMPARE(r.payload, QByteArray("Hello, SCTP"));
        // Bad input is refused with a sentence, nothing is emitted.
        c.payloadMode()->setCurrentIndex(1);
        c.payloadEdit()->setPlainText(QStringLiteral("not hex"));
        QVERIFY(!c.request(&r, &error));
        QVERIFY(error.contains(QStringLiteral("hex")));
        QSignalSpy spy(&c, &ui::SctpComposer::sendRequested);
        QTest::mouseClick(c.sendButton(), Qt::LeftButton);
        QCOMPARE(spy.count(), 0);
        QVERIFY(c.resultText().startsWith(QStringLiteral("EINVAL")));
        c.payloadMode()->setCurrentIndex(0);
        c.flag(0x800)->setChecked(true); // ADDR_OVER without a path
        QVERIFY(!c.request(&r, &error));
        QVERIFY(error.contains(QStringLiteral("ADDR_OVER")));
    }
};

QTEST_MAIN(TestComposer)
#include "tst_composer.moc"
