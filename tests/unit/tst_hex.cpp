// SPDX-License-Identifier: GPL-3.0-or-later
// core/hex.h: hex text to bytes, as the TLS key log and the multi-homing helper read it.
#include "core/hex.h"

#include <QTest>

#include <string>

using namespace ladder;

class TestHex : public QObject {
    Q_OBJECT
private slots:
    void digitValue();
    void decodes_data();
    void decodes();
    void refuses_data();
    void refuses();
    void intoStdString();
};

// Every one of the 256 chars: the digits, both cases, and nothing else.
void TestHex::digitValue()
{
    static_assert(hex::digitValue('7') == 7 && hex::digitValue('F') == 15);
    for (int i = 0; i < 256; ++i) {
        const char c = char(i);
        const QByteArray one(1, c);
        bool ok = false;
        const int expected = QByteArray("0123456789abcdefABCDEF").contains(c) ? one.toInt(&ok, 16) : -1;
        QCOMPARE(hex::digitValue(c), expected);
    }
}

void TestHex::decodes_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("empty") << QByteArray() << QByteArray();
    QTest::newRow("zero and all ones") << QByteArray("00ff") << QByteArray("\x00\xff", 2);
    QTest::newRow("mixed case") << QByteArray("DeAdbEEF") << QByteArray("\xde\xad\xbe\xef");
    QTest::newRow("every digit") << QByteArray("0123456789abcdef") << QByteArray("\x01\x23\x45\x67\x89\xab\xcd\xef");
    QTest::newRow("32 bytes") << QByteArray(64, 'a') << QByteArray(32, '\xaa');
}

void TestHex::decodes()
{
    QFETCH(QByteArray, text);
    QFETCH(QByteArray, bytes);
    QByteArray out("left over");
    QVERIFY(hex::decode(std::string_view(text.constData(), size_t(text.size())), &out));
    QCOMPARE(out, bytes);
    QCOMPARE(out, QByteArray::fromHex(text)); // agrees with Qt where the text is well formed
}

void TestHex::refuses_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("odd length") << QByteArray("abc");
    QTest::newRow("one digit") << QByteArray("a");
    QTest::newRow("g") << QByteArray("0g");
    QTest::newRow("space between") << QByteArray("ab cd");
    QTest::newRow("leading space") << QByteArray(" abc");
    QTest::newRow("0x prefix") << QByteArray("0x12");
    QTest::newRow("sign") << QByteArray("-1");
    QTest::newRow("NUL") << QByteArray("a\0", 2);
    QTest::newRow("high byte") << QByteArray("a\xe1");
    QTest::newRow("bad at the end") << QByteArray("0011223344:5");
}

// Refused, and what it was to fill is left as it was.
void TestHex::refuses()
{
    QFETCH(QByteArray, text);
    QByteArray out("untouched");
    QVERIFY(!hex::decode(std::string_view(text.constData(), size_t(text.size())), &out));
    QCOMPARE(out, QByteArray("untouched"));
}

// The helper's form: std::string in, std::string out, bytes with NULs kept.
void TestHex::intoStdString()
{
    std::string out;
    QVERIFY(hex::decode(std::string("00410042"), &out));
    QCOMPARE(out.size(), size_t(4));
    QVERIFY(out == std::string("\0A\0B", 4));
    QVERIFY(!hex::decode(std::string("004"), &out));
    QVERIFY(out == std::string("\0A\0B", 4));
}

QTEST_GUILESS_MAIN(TestHex)
#include "tst_hex.moc"
