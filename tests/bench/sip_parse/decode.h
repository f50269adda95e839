// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The equal-depth row of bench_sip_parse: every header that sofia-sip and oSIP2 decode, decoded
// and kept. sip::parse decodes the Request-URI, Via, From, To, CSeq, Max-Forwards, Contact, Route,
// Record-Route and Content-Length to check them and keeps them in the ParsedHeaders it is given;
// the values the stack keeps as views until asked (Call-ID, Allow, Accept, Content-Type, Expires)
// are decoded here the way a parser that decodes them would: lists split into checked tokens,
// media types into type, subtype and parameters, numbers into integers, Call-ID into its words.
// The results are kept in one DecodedMessage per message, which the timed loop hands to the
// compiler as read (keepAll in main.cpp), so that none of the decoding can be left out; checksum()
// folds every field, for the check of the corpus before timing.

#include "sip/message/parser.h"

#include <QByteArray>
#include <QVarLengthArray>

#include <cstdint>

namespace ladder::bench {

struct MediaType {
    MediaType() { } // provided: emplace_back() would zero all 296 bytes first (as sip::Uri says)
    QByteArrayView type, subtype;
    sip::Params params;
};

// Views point into the parsed message's buffer (as sofia-sip's strings stay in its message
// buffer): a DecodedMessage is valid while its Message lives.
struct DecodedMessage {
    sip::ParsedHeaders parsed; // filled by sip::parse
    int status = 0; // responses
    QByteArrayView callIdLocal, callIdHost; // word "@" word
    QVarLengthArray<QByteArrayView, 16> allow;
    QVarLengthArray<MediaType, 2> accept;
    MediaType contentType;
    bool hasContentType = false;
    qint64 expires = -1;
    int headersDecoded = 0; // header lines; decode() fails on a line it has no decoder for
};

// Decodes the rest of m into *out, whose `parsed` sip::parse filled when it parsed m; false with
// *error ("Accept: ...") on a value that does not parse, or a header neither sip::parse kept nor
// this decodes (the row would be shallower than it says).
bool decode(const sip::Message& m, DecodedMessage* out, QByteArray* error);
// Folds every decoded field into a 64-bit value (the same decoding gives the same value).
std::uint64_t checksum(const DecodedMessage& d);

} // namespace ladder::bench
