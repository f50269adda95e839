// SPDX-License-Identifier: GPL-3.0-or-later
#include "decode.h"

#include "sip/message/parsertext.h"

#include <bit>

namespace ladder::bench {

using namespace ladder::sip;

namespace {

    bool fail(QByteArray* error, HeaderView h, const QByteArray& why)
    {
        *error = h.name.toByteArray() + ": " + why;
        return false;
    }

    bool number(QByteArrayView v, quint64 max, quint64* out)
    {
        bool ok = false;
        const quint64 n = text::parseUInt(text::trimmed(v), &ok);
        if (!ok || n > max)
            return false;
        *out = n;
        return true;
    }

    // media-type / media-range: type "/" subtype *( SEMI parameter ), LWS allowed around the
    // separators (RFC 3261 §20.1, §20.15).
    bool mediaType(QByteArrayView v, MediaType* out, QByteArray* error)
    {
        const qsizetype slash = text::find(v, '/');
        if (slash <= 0) {
            *error = "'" + text::printable(v) + "' is not type/subtype";
            return false;
        }
        out->type = text::trimmed(v.first(slash));
        qsizetype i = text::skipLws(v, slash + 1);
        const qsizetype start = i;
        while (i < v.size() && text::is(v[i], text::Token))
            ++i;
        out->subtype = v.sliced(start, i - start);
        if (!text::isToken(out->type) || out->subtype.isEmpty()) {
            *error = "'" + text::printable(v) + "' is not type/subtype";
            return false;
        }
        return parseParams(v, i, &out->params, true, nullptr, error) == v.size();
    }

    // Folds v into h. The multiplication works on v alone and h only rotates, so the folds of a
    // message's hundred-odd fields are not one chain of dependent multiplications (that chain was
    // a tenth of the row's time: the bench's own cost, not the decoding's).
    std::uint64_t mix(std::uint64_t h, std::uint64_t v) { return std::rotl(h, 7) ^ (v * 0x9e3779b97f4a7c15ULL); }
    std::uint64_t mix(std::uint64_t h, QByteArrayView v)
    {
        return mix(h, std::uint64_t(v.size()) << 8 | (v.isEmpty() ? 0u : std::uint8_t(v.back())));
    }
    std::uint64_t mix(std::uint64_t h, const Params& ps)
    {
        for (const Param& p : ps)
            h = mix(mix(h, p.name), p.value);
        return mix(h, std::uint64_t(ps.size()));
    }
    std::uint64_t mix(std::uint64_t h, const Uri& u)
    {
        h = mix(mix(mix(h, std::uint64_t(u.scheme())), u.user()), u.host());
        return mix(mix(mix(h, std::uint64_t(u.port() + 1)), u.params()), u.headers());
    }
    std::uint64_t mix(std::uint64_t h, const NameAddr& n)
    {
        return mix(mix(mix(mix(h, n.displayNameRaw()), n.uri()), n.params()), std::uint64_t(n.isStar()));
    }
    std::uint64_t mix(std::uint64_t h, const MediaType& t) { return mix(mix(mix(h, t.type), t.subtype), t.params); }

} // namespace

bool decode(const Message& m, DecodedMessage* out, QByteArray* error)
{
    DecodedMessage& d = *out;
    const ParsedHeaders& p = d.parsed;
    if (m.isRequest()) {
        if (p.requestUri.text().isEmpty()) {
            *error = "Request-URI: not kept by sip::parse";
            return false;
        }
    } else {
        d.status = m.statusCode();
    }
    // Lines sip::parse decoded must each have left their values in d.parsed (else this row would
    // be shallower than it says): counted here and held against what it kept.
    qsizetype viaLines = 0, contactLines = 0, routeLines = 0, recordRouteLines = 0;
    const qsizetype n = m.headerCount();
    for (qsizetype i = 0; i < n; ++i) {
        const HeaderView h = m.headerAt(i);
        QByteArray why;
        quint64 value = 0;
        bool kept = true;
        switch (h.id) {
        case HeaderId::Via:
            kept = ++viaLines <= p.vias.size();
            break;
        case HeaderId::From:
            kept = !p.from.text().isEmpty();
            break;
        case HeaderId::To:
            kept = !p.to.text().isEmpty();
            break;
        case HeaderId::Contact:
            kept = ++contactLines <= p.contacts.size();
            break;
        case HeaderId::Route:
            kept = ++routeLines <= p.routes.size();
            break;
        case HeaderId::RecordRoute:
            kept = ++recordRouteLines <= p.recordRoutes.size();
            break;
        case HeaderId::CSeq:
            kept = !p.cseqMethod.isEmpty();
            break;
        case HeaderId::MaxForwards:
            kept = p.maxForwards >= 0;
            break;
        case HeaderId::ContentLength:
            kept = p.contentLength >= 0;
            break;
        case HeaderId::CallId: {
            // callid = word [ "@" word ]
            const qsizetype at = text::find(h.value, '@');
            d.callIdLocal = at < 0 ? h.value : h.value.first(at);
            d.callIdHost = at < 0 ? QByteArrayView() : h.value.sliced(at + 1);
            if (d.callIdLocal.isEmpty() || (at >= 0 && d.callIdHost.isEmpty()) || !text::allWordOrAt(h.value))
                return fail(error, h, "not word[@word]");
            break;
        }
        case HeaderId::Expires:
            // delta-seconds; values above 2^32-1 are taken as 2^32-1 (RFC 3261 §20.19).
            if (!text::allDigits(text::trimmed(h.value)))
                return fail(error, h, "not delta-seconds");
            d.expires = number(h.value, ~quint64(0) >> 1, &value) ? qint64(qMin<quint64>(value, 0xffffffffULL))
                                                                   : qint64(0xffffffffLL);
            break;
        case HeaderId::Allow:
            for (QByteArrayView v : splitHeaderList(h.value)) {
                if (!text::isToken(v))
                    return fail(error, h, "'" + text::printable(v) + "' is not a method");
                d.allow.append(v);
            }
            break;
        case HeaderId::Accept:
            for (QByteArrayView v : splitHeaderList(h.value))
                if (!mediaType(v, &d.accept.emplace_back(), &why))
                    return fail(error, h, why);
            break;
        case HeaderId::ContentType:
            if (!mediaType(h.value, &d.contentType, &why))
                return fail(error, h, why);
            d.hasContentType = true;
            break;
        default:
            // The corpus holds only headers both peers decode; one without a decoder here would
            // make this row shallower than it says.
            return fail(error, h, "no decoder for this header in the equal-depth row");
        }
        if (!kept)
            return fail(error, h, "not kept by sip::parse");
        ++d.headersDecoded;
    }
    return true;
}

std::uint64_t checksum(const DecodedMessage& d)
{
    const ParsedHeaders& p = d.parsed;
    std::uint64_t h = 0xcbf29ce484222325ULL;
    h = mix(mix(h, p.requestUri), std::uint64_t(d.status));
    for (const Via& v : p.vias)
        h = mix(mix(mix(mix(h, v.transport()), v.host()), std::uint64_t(v.port() + 1)), v.params());
    h = mix(mix(h, p.from), p.to);
    h = mix(mix(mix(mix(h, d.callIdLocal), d.callIdHost), std::uint64_t(p.cseqNumber)), p.cseqMethod);
    for (const auto* list : { &p.contacts, &p.routes, &p.recordRoutes })
        for (const NameAddr& n : *list)
            h = mix(h, n);
    h = mix(h, std::uint64_t(p.maxForwards + 1));
    for (QByteArrayView a : d.allow)
        h = mix(h, a);
    for (const MediaType& t : d.accept)
        h = mix(h, t);
    if (d.hasContentType)
        h = mix(h, d.contentType);
    h = mix(mix(h, std::uint64_t(p.contentLength + 1)), std::uint64_t(d.expires + 1));
    return mix(h, std::uint64_t(d.headersDecoded));
}

} // namespace ladder::bench
