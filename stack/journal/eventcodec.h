// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "event.h"

#include <vector>

namespace ladder::trace::codec {

// The compact binary form of an event, used by the journal's in-memory segments, its spill file
// and session files: kind, dir, then LEB128 varints — zigzag timeNs, object, a, b, c, from and to
// string ids — then the text (UTF-8) and the raw bytes, each as varint length + bytes. A typical
// SCTP chunk event takes ~25 bytes, a SIP message its wire size plus ~60.

void putVarint(std::vector<char>& out, quint64 v);

// Encodes e with its endpoints given as ids into a string table owned by the caller.
void encode(std::vector<char>& out, const Event& e, quint32 fromId, quint32 toId);

// Reads from untrusted bytes: every read is bounds-checked; ok turns false on the first overrun or
// malformed field and stays false.
struct Cursor {
    const uchar* p;
    const uchar* end;
    bool ok = true;

    quint64 varint();
    QByteArrayView bytes(quint64 n);
    bool atEnd() const { return p >= end; }
};

// Decodes one event; from/to ids are returned for the caller to resolve. False if malformed.
bool decode(Cursor& c, Event* e, quint32* fromId, quint32* toId);

// The fixed part of an event (kind, dir, zigzag time, object, a, b, c, from/to ids), for a store
// whose dir byte also carries flag bits of its own (the journal's back references): the bits in
// flagMask are returned in *flags, any other unknown bit is malformed. False (and c.ok false) if
// malformed.
bool decodeHeader(Cursor& c, Event* e, quint32* fromId, quint32* toId, uchar flagMask = 0, uchar* flags = nullptr);
// Sets e's text (from UTF-8) and raw bytes.
void setPayload(Event* e, QByteArrayView text, QByteArrayView raw);

} // namespace ladder::trace::codec
