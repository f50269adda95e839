// SPDX-License-Identifier: GPL-3.0-or-later
// bench_sip_parse [--smoke] [seconds-per-cell [parser-filter]]: messages/s and MB/s per message
// type and parser, ours at two depths against sofia-sip and oSIP2 on the same bytes.
//   "LadderLab sip::parse" is parse() as the stack uses it: framing, header ids, and validation of
//   Via, From, To, Call-ID, CSeq, Max-Forwards, Contact, Route, Record-Route (the rest kept as views).
//   "LadderLab parse+decode all" is the equal-depth row: parse() keeping what it decoded, then the
//   rest of what sofia-sip and oSIP2 decode, decoded and kept (decode.h) — the figure to compare.
// The last line is "RESULT equal_depth_vs_sofia=… equal_depth_vs_osip=… lazy_vs_sofia=… lazy_vs_osip=…",
// ratios of messages/s over the whole corpus. Exit status 1 when a parser rejected a message of the
// corpus, the equal-depth decode failed, or sofia-sip or oSIP2 was not found when the bench was
// configured (a comparison without them would silently be no comparison). --smoke: short cells,
// for the ctest run that checks all of this. A parser-filter (profiling one parser) prints no RESULT.
#include "corpus.h"
#include "decode.h"
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

#ifndef LADDERLAB_BENCH_SOFIA
} // namespace
BenchParser sofiaParser() { return { "sofia-sip (not found)", [](const QByteArray&) { return false; } }; }
namespace {
#endif
#ifndef LADDERLAB_BENCH_OSIP2
} // namespace
BenchParser osipParser() { return { "oSIP2 (not found)", [](const QByteArray&) { return false; } }; }
namespace {
#endif

// What the equal-depth row decoded from each message of the corpus, folded when the corpus is
// checked before timing and printed at the end (the same decoding gives the same checksum).
std::uint64_t g_decodedChecksum = 0;

// Tells the compiler that all of v may be read here, and memory changed (Google Benchmark's
// DoNotOptimize and ClobberMemory in one): every value decoded into it must be computed and
// stored, while nothing more is done with it — sofia-sip's and oSIP2's rows read nothing of what
// they parsed either. (Folding a checksum of every field in the timed loop cost about 4 % of
// the row: the bench's work, not the parser's.)
template <typename T>
inline void keepAll(const T& v)
{
    asm volatile("" : : "r"(&v) : "memory");
}

// Our parse plus the decoding of every header the peers decode, kept until the message is done:
// parse() keeps what it decoded to check the message, decode() does the rest. With `fold`, what
// was decoded is also folded into g_decodedChecksum (the check before timing).
bool parseAndDecode(const QByteArray& b, QByteArray* error, bool fold = false)
{
    ladder::bench::DecodedMessage d;
    const ladder::sip::ParseResult r = ladder::sip::parse(b, {}, &d.parsed);
    if (!r.ok) {
        if (error)
            *error = r.error.toUtf8();
        return false;
    }
    QByteArray why;
    if (!ladder::bench::decode(r.message, &d, error ? error : &why))
        return false;
    if (fold)
        g_decodedChecksum += ladder::bench::checksum(d);
    else
        keepAll(d);
    return true;
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
    QList<QByteArray> args;
    bool smoke = false;
    for (int i = 1; i < argc; ++i) {
        if (QByteArray(argv[i]) == "--smoke")
            smoke = true;
        else
            args.append(argv[i]);
    }
    // Seconds per (parser, message) cell, spread over the rounds.
    const double seconds = !args.isEmpty() ? args[0].toDouble() : smoke ? 0.02 : 0.7;
    // sofia-sip and oSIP2 are found with pkg-config when the build is configured
    // (tests/bench/sip_parse/CMakeLists.txt); without them there is nothing to compare with.
    QByteArray missing;
#ifndef LADDERLAB_BENCH_SOFIA
    missing += " sofia-sip (pkg-config sofia-sip-ua)";
#endif
#ifndef LADDERLAB_BENCH_OSIP2
    missing += " oSIP2 (pkg-config libosip2)";
#endif
    if (!missing.isEmpty()) {
        std::fprintf(stderr,
            "bench_sip_parse: not found when this build was configured:%s. The comparison cannot be made.\n"
            "Install the development packages (Debian: libsofia-sip-ua-dev libosip2-dev, which\n"
            "packaging/install-deps.sh --test installs) and configure again.\n",
            missing.constData());
        return 1;
    }
    QList<BenchParser> parsers;
    parsers.append({ "LadderLab sip::parse", [](const QByteArray& b) { return ladder::sip::parse(b).ok; } });
    parsers.append({ "LadderLab parse+decode all", [](const QByteArray& b) { return parseAndDecode(b, nullptr); } });
    parsers.append(sofiaParser());
    parsers.append(osipParser());
    // Rows by name, for the RESULT line (a filter may remove some).
    enum Row { Lazy, EqualDepth, Sofia, Osip, RowCount };
    const char* const rowNames[RowCount] = { parsers[Lazy].name, parsers[EqualDepth].name, parsers[Sofia].name,
        parsers[Osip].name };
    const bool filtered = args.size() > 1;
    if (filtered) {
        // Profiling one parser: keep only those whose name contains the filter.
        const QByteArray filter(args[1]);
        parsers.removeIf([&](const BenchParser& p) { return !QByteArray(p.name).contains(filter); });
        if (parsers.isEmpty())
            return 2;
    }
    const QList<BenchMessage> msgs = corpus();
    // Like with like: the same bytes for every parser, each parsing to the depth said here, so the
    // figures can be read for what they are. The equal-depth row is the one to compare.
    std::printf("Depth of each parser (on every message of the corpus):\n"
                "  LadderLab sip::parse (lazy, as the stack uses it): framing by Content-Length; every header line\n"
                "    split into name and value (views into the buffer, unfolded), header ids incl. compact forms; the\n"
                "    start line and the Request-URI fully parsed; Via (every value: sent-protocol, sent-by,\n"
                "    parameters), From, To (name-addr, URI with user/host/port/parameters, header parameters), Call-ID,\n"
                "    CSeq, Max-Forwards, Contact/Route/Record-Route (every value, URI included) parsed and validated\n"
                "    but not kept; the other values (Allow, Accept, Content-Type, Expires, ...) are kept as views and\n"
                "    parsed on demand. Less work than the peers do: not the figure to compare.\n"
                "  LadderLab parse+decode all (equal depth): every header the peers decode decoded and kept in one\n"
                "    structure per message until it is done. sip::parse keeps what it decodes to check the message\n"
                "    (sip::ParsedHeaders): Request-URI, Via (every value), From/To, CSeq, Contact/Route/Record-Route\n"
                "    (every value, URI included), Max-Forwards, Content-Length; then the rest is decoded: Call-ID\n"
                "    (word@word), Expires (integer), Allow (tokens), Accept and Content-Type (type, subtype,\n"
                "    parameters). A header neither decoded nor kept fails the bench.\n"
                "  sofia-sip msg_make: extracts every header and decodes each one its SIP class knows into its\n"
                "    structure (Via, From/To, CSeq, Call-ID, Contact, Route, Record-Route, Max-Forwards, Allow,\n"
                "    Accept, Content-Type, Content-Length, Expires, ...), URIs included; strings stay in the message buffer.\n"
                "  oSIP2 osip_message_parse: copies every header; parses the ones it knows (Via, From, To,\n"
                "    Call-ID, CSeq, Contact, Route, Record-Route, Content-Type, Content-Length, Allow, Accept, ...)\n"
                "    into allocated structures, URIs included; copies the body.\n\n");
    // Every parser must take every message of the corpus (a rejected message is no work done), and
    // the equal-depth decode must go through: checked before anything is timed.
    bool ok = true;
    for (const BenchMessage& m : msgs) {
        QByteArray why;
        if (!parseAndDecode(m.bytes, &why, true)) {
            std::fprintf(stderr, "bench_sip_parse: the equal-depth decode failed on %s: %s\n", m.name, why.constData());
            ok = false;
        }
        for (const BenchParser& p : std::as_const(parsers))
            if (!p.parse(m.bytes)) {
                std::fprintf(stderr, "bench_sip_parse: %s rejected %s\n", p.name, m.name);
                ok = false;
            }
    }
    if (!ok)
        return 1;
    // The machine is shared: parsers take turns in short slices, several rounds, and each cell
    // keeps its best slice, so a burst of load elsewhere does not land on one parser only.
    const int rounds = smoke ? 2 : 7;
    QList<QList<double>> best(parsers.size(), QList<double>(msgs.size(), 1e18));
    for (qsizetype pi = 0; pi < parsers.size(); ++pi)
        for (const BenchMessage& m : msgs)
            for (int i = 0; i < (smoke ? 20 : 200); ++i) // warm caches and allocators
                parsers[pi].parse(m.bytes);
    for (int r = 0; r < rounds; ++r)
        for (qsizetype mi = 0; mi < msgs.size(); ++mi)
            for (qsizetype pi = 0; pi < parsers.size(); ++pi)
                best[pi][mi] = std::min(best[pi][mi], runOnce(parsers[pi], msgs[mi].bytes, seconds / rounds));

    std::printf("%-26s %-11s %6s %12s %9s %9s %9s\n", "parser", "message", "bytes", "msgs/s", "MB/s", "ns/msg", "vs first");
    double corpusRate[RowCount] = {};
    for (qsizetype pi = 0; pi < parsers.size(); ++pi) {
        double sumNs = 0, sumBytes = 0;
        for (qsizetype mi = 0; mi < msgs.size(); ++mi) {
            const double ns = best[pi][mi];
            sumNs += ns;
            sumBytes += double(msgs[mi].bytes.size());
            std::printf("%-26s %-11s %6lld %12.0f %9.1f %9.0f %8.1fx\n", parsers[pi].name, msgs[mi].name,
                static_cast<long long>(msgs[mi].bytes.size()), 1e9 / ns, double(msgs[mi].bytes.size()) * 1e3 / ns, ns,
                ns / best[0][mi]);
        }
        double firstNs = 0;
        for (double ns : std::as_const(best[0]))
            firstNs += ns;
        const double rate = 1e9 * double(msgs.size()) / sumNs;
        for (int row = 0; row < RowCount; ++row)
            if (QByteArrayView(parsers[pi].name) == QByteArrayView(rowNames[row]))
                corpusRate[row] = rate;
        std::printf("%-26s %-11s %6.0f %12.0f %9.1f %9.0f %8.1fx\n\n", parsers[pi].name, "corpus", sumBytes, rate,
            sumBytes * 1e3 / sumNs, sumNs / double(msgs.size()), sumNs / firstNs);
    }
    std::printf("(\"vs first\": time per message against the first row. Checksum of what the equal-depth row decoded: "
                "%016llx)\n",
        static_cast<unsigned long long>(g_decodedChecksum));
    if (!filtered)
        std::printf("RESULT equal_depth_vs_sofia=%.2f equal_depth_vs_osip=%.2f lazy_vs_sofia=%.2f lazy_vs_osip=%.2f\n",
            corpusRate[EqualDepth] / corpusRate[Sofia], corpusRate[EqualDepth] / corpusRate[Osip],
            corpusRate[Lazy] / corpusRate[Sofia], corpusRate[Lazy] / corpusRate[Osip]);
    return 0;
}
