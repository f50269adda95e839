// SPDX-License-Identifier: GPL-3.0-or-later
// bench_sip_parse [seconds-per-cell [parser-filter]]: messages/s and MB/s per message type and parser.
// Our figure is the full parse() as the stack uses it: framing, header ids, and validation of
// Via, From, To, Call-ID, CSeq, Max-Forwards, Contact, Route, Record-Route.
#include "corpus.h"
#include "sip/message/parser.h"

#include <QCoreApplication>
#include <QElapsedTimer>

#include <algorithm>
#include <cstdio>

namespace {

QByteArray wire(const char* head, const char* body = "")
{
    QByteArray h(head);
    QByteArray b(body);
    h.replace("\n", "\r\n");
    b.replace("\n", "\r\n");
    h.replace("@CL@", QByteArray::number(b.size()));
    return h + "\r\n" + b;
}

QList<BenchMessage> corpus()
{
    const char* sdp = "v=0\n"
                      "o=alice 2890844526 2890844526 IN IP4 192.0.2.101\n"
                      "s=-\n"
                      "c=IN IP4 192.0.2.101\n"
                      "t=0 0\n"
                      "m=audio 49172 RTP/AVP 0 8 101\n"
                      "a=rtpmap:0 PCMU/8000\n"
                      "a=rtpmap:101 telephone-event/8000\n";
    return {
        { "INVITE+SDP", wire("INVITE sip:bob@biloxi.example.com SIP/2.0\n"
                             "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\n"
                             "Max-Forwards: 70\n"
                             "To: Bob <sip:bob@biloxi.example.com>\n"
                             "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\n"
                             "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\n"
                             "CSeq: 314159 INVITE\n"
                             "Contact: <sip:alice@pc33.atlanta.example.com>\n"
                             "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS\n"
                             "Content-Type: application/sdp\n"
                             "Content-Length: @CL@\n",
                            sdp) },
        { "200 OK", wire("SIP/2.0 200 OK\n"
                         "Via: SIP/2.0/UDP server10.biloxi.example.com;branch=z9hG4bKnashds8;received=192.0.2.3\n"
                         "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;received=192.0.2.1\n"
                         "Record-Route: <sip:server10.biloxi.example.com;lr>\n"
                         "To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\n"
                         "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\n"
                         "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\n"
                         "CSeq: 314159 INVITE\n"
                         "Contact: <sip:bob@192.0.2.4>\n"
                         "Content-Length: 0\n") },
        { "REGISTER", wire("REGISTER sip:registrar.biloxi.example.com SIP/2.0\n"
                           "Via: SIP/2.0/UDP bobspc.biloxi.example.com:5060;branch=z9hG4bKnashds7;rport\n"
                           "Max-Forwards: 70\n"
                           "To: Bob <sip:bob@biloxi.example.com>\n"
                           "From: Bob <sip:bob@biloxi.example.com>;tag=456248\n"
                           "Call-ID: 843817637684230@998sdasdh09\n"
                           "CSeq: 1826 REGISTER\n"
                           "Contact: <sip:bob@192.0.2.4>;expires=7200\n"
                           "Expires: 7200\n"
                           "Content-Length: 0\n") },
        { "OPTIONS", wire("OPTIONS sip:carol@chicago.example.com SIP/2.0\n"
                          "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKhjhs8ass877\n"
                          "Max-Forwards: 70\n"
                          "To: <sip:carol@chicago.example.com>\n"
                          "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\n"
                          "Call-ID: a84b4c76e66710\n"
                          "CSeq: 63104 OPTIONS\n"
                          "Contact: <sip:alice@pc33.atlanta.example.com>\n"
                          "Accept: application/sdp\n"
                          "Content-Length: 0\n") },
        { "BYE", wire("BYE sip:alice@pc33.atlanta.example.com SIP/2.0\n"
                      "Via: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bKnashds10\n"
                      "Max-Forwards: 70\n"
                      "From: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\n"
                      "To: Alice <sip:alice@atlanta.example.com>;tag=1928301774\n"
                      "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\n"
                      "CSeq: 231 BYE\n"
                      "Content-Length: 0\n") },
    };
}

// ns per message for one short run.
double runOnce(const BenchParser& p, const QByteArray& msg, double seconds)
{
    QElapsedTimer t;
    t.start();
    qint64 n = 0;
    const qint64 budget = qint64(seconds * 1e9);
    while (t.nsecsElapsed() < budget) {
        for (int i = 0; i < 64; ++i)
            p.parse(msg);
        n += 64;
    }
    return double(t.nsecsElapsed()) / double(n);
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    // Seconds per (parser, message) cell, spread over the rounds.
    const double seconds = argc > 1 ? QByteArray(argv[1]).toDouble() : 0.7;
    QList<BenchParser> parsers;
    parsers.append({ "LadderLab sip::parse", [](const QByteArray& b) { return ladder::sip::parse(b).ok; } });
#ifdef LADDERLAB_BENCH_SOFIA
    parsers.append(sofiaParser());
#endif
#ifdef LADDERLAB_BENCH_OSIP2
    parsers.append(osipParser());
#endif
    if (argc > 2) {
        // Profiling one parser: keep only those whose name contains the filter.
        const QByteArray filter(argv[2]);
        parsers.removeIf([&](const BenchParser& p) { return !QByteArray(p.name).contains(filter); });
        if (parsers.isEmpty())
            return 2;
    }
    const QList<BenchMessage> msgs = corpus();
    // Like with like: the same bytes for every parser, each parsing to the depth it does by
    // default, said here so the figures can be read for what they are.
    std::printf("Depth of each parser (its default, on every message of the corpus):\n"
                "  LadderLab sip::parse: framing by Content-Length; every header line split into name and value\n"
                "    (views into the buffer, unfolded), header ids incl. compact forms; the start line and the\n"
                "    Request-URI fully parsed; Via (every value: sent-protocol, sent-by, parameters), From, To\n"
                "    (name-addr, URI with user/host/port/parameters, header parameters), Call-ID, CSeq, Max-Forwards,\n"
                "    Contact/Route/Record-Route (every value, URI included) parsed and validated; the other values\n"
                "    (Allow, Accept, Content-Type, ...) are kept as views and parsed on demand.\n");
#ifdef LADDERLAB_BENCH_SOFIA
    std::printf("  sofia-sip msg_make: extracts every header and decodes each one its SIP class knows into its\n"
                "    structure (Via, From/To, CSeq, Call-ID, Contact, Route, Record-Route, Max-Forwards, Allow,\n"
                "    Accept, Content-Type, Content-Length, ...), URIs included; strings stay in the message buffer.\n");
#endif
#ifdef LADDERLAB_BENCH_OSIP2
    std::printf("  oSIP2 osip_message_parse: copies every header; parses the ones it knows (Via, From, To,\n"
                "    Call-ID, CSeq, Contact, Route, Record-Route, Content-Type, Content-Length, Allow, Accept, ...)\n"
                "    into allocated structures, URIs included; copies the body.\n");
#endif
    std::printf("\n");
    // The machine is shared: parsers take turns in short slices, several rounds, and each cell
    // keeps its best slice, so a burst of load elsewhere does not land on one parser only.
    const int rounds = 7;
    QList<QList<double>> best(parsers.size(), QList<double>(msgs.size(), 1e18));
    QList<bool> ok(parsers.size(), true);
    for (qsizetype pi = 0; pi < parsers.size(); ++pi)
        for (const BenchMessage& m : msgs)
            for (int i = 0; i < 200; ++i) // warm caches and allocators; also checks acceptance
                ok[pi] = parsers[pi].parse(m.bytes) && ok[pi];
    for (int r = 0; r < rounds; ++r)
        for (qsizetype mi = 0; mi < msgs.size(); ++mi)
            for (qsizetype pi = 0; pi < parsers.size(); ++pi)
                best[pi][mi] = std::min(best[pi][mi], runOnce(parsers[pi], msgs[mi].bytes, seconds / rounds));

    std::printf("%-26s %-11s %6s %12s %9s %9s %9s\n", "parser", "message", "bytes", "msgs/s", "MB/s", "ns/msg", "vs ours");
    for (qsizetype pi = 0; pi < parsers.size(); ++pi) {
        double sumNs = 0, sumBytes = 0;
        for (qsizetype mi = 0; mi < msgs.size(); ++mi) {
            const double ns = best[pi][mi];
            sumNs += ns;
            sumBytes += double(msgs[mi].bytes.size());
            std::printf("%-26s %-11s %6lld %12.0f %9.1f %9.0f %8.1fx%s\n", parsers[pi].name, msgs[mi].name,
                static_cast<long long>(msgs[mi].bytes.size()), 1e9 / ns, double(msgs[mi].bytes.size()) * 1e3 / ns, ns,
                ns / best[0][mi], ok[pi] ? "" : "  (rejected a message!)");
        }
        double oursNs = 0;
        for (double ns : std::as_const(best[0]))
            oursNs += ns;
        std::printf("%-26s %-11s %6.0f %12.0f %9.1f %9.0f %8.1fx\n\n", parsers[pi].name, "corpus", sumBytes,
            1e9 * double(msgs.size()) / sumNs, sumBytes * 1e3 / sumNs, sumNs / double(msgs.size()), sumNs / oursNs);
    }
    return 0;
}
