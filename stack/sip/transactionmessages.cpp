// SPDX-License-Identifier: GPL-3.0-or-later
#include "transactionmessages.h"

#include <QRandomGenerator>

#include <atomic>

namespace ladder::sip::transactionmsg {

namespace {
    void copyAll(const Message& from, Message& to, HeaderId id)
    {
        for (qsizetype i = from.indexOf(id); i >= 0; i = from.indexOf(id, i + 1))
            to.appendHeader(id, from.headerAt(i).value.toByteArray());
    }

    void copyFirst(const Message& from, Message& to, HeaderId id)
    {
        const qsizetype i = from.indexOf(id);
        if (i >= 0)
            to.appendHeader(id, from.headerAt(i).value.toByteArray());
    }

    QByteArray hex(quint64 v, int digits)
    {
        QByteArray out(digits, '0');
        static const char kHex[] = "0123456789abcdef";
        for (int i = digits - 1; i >= 0; --i) {
            out[i] = kHex[v & 0xf];
            v >>= 4;
        }
        return out;
    }

    quint64 randomBits()
    {
        // A process-wide counter mixed in keeps ids unique even if the generator repeats.
        static std::atomic<quint64> counter { 0 };
        return QRandomGenerator::global()->generate64() ^ (counter.fetch_add(1) * 0x9e3779b97f4a7c15ULL);
    }
}

QByteArrayView topViaValue(const Message& m)
{
    const qsizetype i = m.indexOf(HeaderId::Via);
    if (i < 0)
        return {};
    const ValueList parts = splitHeaderList(m.headerAt(i).value);
    return parts.isEmpty() ? QByteArrayView() : parts.first();
}

Message responseTo(const Message& request, int status, QByteArrayView toTag, const QByteArray& reason)
{
    Message r = Message::response(status, reason);
    copyAll(request, r, HeaderId::Via);
    copyFirst(request, r, HeaderId::From);
    const qsizetype to = request.indexOf(HeaderId::To);
    if (to >= 0) {
        QByteArray v = request.headerAt(to).value.toByteArray();
        if (!toTag.isEmpty() && request.toTag().isEmpty())
            v += ";tag=" + toTag.toByteArray();
        r.appendHeader(HeaderId::To, v);
    }
    copyFirst(request, r, HeaderId::CallId);
    copyFirst(request, r, HeaderId::CSeq);
    if (status == 100)
        copyFirst(request, r, HeaderId::Timestamp); // §8.2.6.1
    r.appendHeader(HeaderId::ContentLength, QByteArrayLiteral("0"));
    return r;
}

Message ackForNonSuccess(const Message& invite, const Message& response)
{
    Message ack = Message::request(QByteArrayLiteral("ACK"), invite.requestUriText().toByteArray());
    ack.appendHeader(HeaderId::Via, topViaValue(invite).toByteArray());
    copyAll(invite, ack, HeaderId::Route);
    ack.appendHeader(HeaderId::MaxForwards, QByteArrayLiteral("70"));
    copyFirst(invite, ack, HeaderId::From);
    copyFirst(response, ack, HeaderId::To);
    copyFirst(invite, ack, HeaderId::CallId);
    const auto cseq = invite.cseq();
    ack.appendHeader(HeaderId::CSeq, QByteArray::number(cseq ? cseq->number : 0) + " ACK");
    ack.appendHeader(HeaderId::ContentLength, QByteArrayLiteral("0"));
    return ack;
}

Message cancelFor(const Message& invite)
{
    Message c = Message::request(QByteArrayLiteral("CANCEL"), invite.requestUriText().toByteArray());
    c.appendHeader(HeaderId::Via, topViaValue(invite).toByteArray());
    copyAll(invite, c, HeaderId::Route);
    c.appendHeader(HeaderId::MaxForwards, QByteArrayLiteral("70"));
    copyFirst(invite, c, HeaderId::From);
    copyFirst(invite, c, HeaderId::To);
    copyFirst(invite, c, HeaderId::CallId);
    const auto cseq = invite.cseq();
    c.appendHeader(HeaderId::CSeq, QByteArray::number(cseq ? cseq->number : 0) + " CANCEL");
    c.appendHeader(HeaderId::ContentLength, QByteArrayLiteral("0"));
    return c;
}

QByteArray newBranch() { return QByteArrayLiteral("z9hG4bK") + hex(randomBits(), 16); }

QByteArray newTag() { return hex(randomBits(), 12); }

QByteArray newCallId(QByteArrayView host)
{
    QByteArray id = hex(randomBits(), 16) + hex(randomBits(), 4);
    if (!host.isEmpty())
        id += '@' + host.toByteArray();
    return id;
}

} // namespace ladder::sip::transactionmsg
