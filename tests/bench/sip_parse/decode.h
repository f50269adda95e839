// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The equal-depth row of bench_sip_parse: after sip::parse, every header that sofia-sip and oSIP2
// decode is decoded too, with the stack's own parsers where it has them (Uri, Via, NameAddr,
// CSeq, header lists and parameters) and, for the values the stack keeps as views until asked
// (Allow, Accept, Content-Type, Expires, ...), the way a parser that decodes them would: lists
// split into checked tokens, media types into type, subtype and parameters, numbers into integers.
// The results are kept in one DecodedMessage per message and folded into a checksum the bench
// prints, so that none of the decoding can be left out by the compiler.

#include "sip/message/message.h"

#include <QByteArray>
#include <QVarLengthArray>

#include <cstdint>

namespace ladder::bench {

struct MediaType {
    QByteArrayView type, subtype;
    sip::Params params;
};

// Views point into the parsed message's buffer (as sofia-sip's strings stay in its message
// buffer): a DecodedMessage is valid while its Message lives.
struct DecodedMessage {
    sip::Uri requestUri; // requests
    int status = 0; // responses
    QVarLengthArray<sip::Via, 4> vias;
    sip::NameAddr from, to;
    QByteArrayView callIdLocal, callIdHost; // word "@" word
    quint32 cseqNumber = 0;
    QByteArrayView cseqMethod;
    QVarLengthArray<sip::NameAddr, 2> contacts, routes, recordRoutes;
    int maxForwards = -1;
    QVarLengthArray<QByteArrayView, 16> allow;
    QVarLengthArray<MediaType, 2> accept;
    MediaType contentType;
    bool hasContentType = false;
    qint64 contentLength = -1;
    qint64 expires = -1;
    int headersDecoded = 0; // header lines; decode() fails on a line it has no decoder for
};

// Decodes every header of m into *out; false with *error ("Accept: ...") on a value that does not
// parse or a header it does not decode (the row would be shallower than it says).
bool decode(const sip::Message& m, DecodedMessage* out, QByteArray* error);
// Folds every decoded field into a 64-bit value.
std::uint64_t checksum(const DecodedMessage& d);

} // namespace ladder::bench
