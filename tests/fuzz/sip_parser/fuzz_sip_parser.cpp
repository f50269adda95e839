// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for the SIP message layer. Besides "no crash, no out-of-bounds read", it
// checks the layer's promises on every input that parses:
//  * an unedited message serialises to exactly the bytes it was parsed from;
//  * those bytes parse again; an edited message (header added, top Via replaced) parses again;
//  * the stream framer, fed the same bytes split in two, never loses or invents bytes.
#include "sip/message/parser.h"
#include "sip/message/parserstream.h"
#include "sip/message/validation.h"

#include <cstdint>
#include <cstdlib>

using namespace ladder::sip;

namespace {

void check(bool condition)
{
    if (!condition)
        std::abort();
}

void exercise(const Message& m)
{
    (void)m.requestUri();
    (void)m.vias();
    (void)m.from();
    (void)m.to();
    (void)m.cseq();
    (void)m.contacts();
    (void)m.routes();
    (void)m.recordRoutes();
    (void)m.maxForwards();
    (void)m.expires();
    (void)checkCSeq(m);
    (void)validate(m, Strictness::Strict);
    for (qsizetype i = 0; i < m.headerCount(); ++i)
        (void)m.values(m.headerAt(i).id);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char*>(data), qsizetype(size));
    for (const bool strict : { false, true }) {
        const ParseResult r = parse(bytes, strict ? Strictness::Strict : Strictness::Lenient);
        check(r.ok || !r.error.isEmpty());
        if (!r.ok)
            continue;
        const Message& m = r.message;
        exercise(m);
        const QByteArray out = m.serialize();
        check(out.size() <= r.consumed && bytes.first(r.consumed).endsWith(out));
        check(parse(out).ok);
        if (!strict) {
            Message edited = m;
            edited.appendHeader("X-Fuzz", "1");
            edited.setTopVia("SIP/2.0/UDP fuzz.invalid;branch=z9hG4bKfuzz");
            const ParseResult again = parse(edited.serialize());
            check(again.ok);
            check(again.message.body() == m.body());
        }
    }

    // The framer over the same bytes split at a point chosen by the input.
    StreamFramer framer;
    const qsizetype cut = size ? qsizetype(data[0]) % (qsizetype(size) + 1) : 0;
    framer.feed(bytes.first(cut));
    bool fed = false;
    bool failed = false;
    for (int guard = 0; guard < 100000; ++guard) {
        QByteArray msg;
        const auto st = framer.next(&msg);
        if (st == StreamFramer::Status::Message) {
            check(!msg.isEmpty());
            ParseOptions o;
            o.stream = true;
            (void)parse(msg, o);
        } else if (st == StreamFramer::Status::Ping || st == StreamFramer::Status::Pong) {
            continue;
        } else if (st == StreamFramer::Status::NeedMore && !fed) {
            framer.feed(bytes.sliced(cut));
            fed = true;
        } else {
            failed = st == StreamFramer::Status::Error;
            break;
        }
    }
    if (!failed)
        check(framer.consumed() + quint64(framer.buffered()) == quint64(fed ? size : cut));
    return 0;
}
