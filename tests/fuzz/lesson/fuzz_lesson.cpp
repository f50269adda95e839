// SPDX-License-Identifier: GPL-3.0-or-later
// Lesson files, fault rules and breakpoints are text a teacher (or anyone who hands out a lesson)
// writes: the readers must never crash, hang or leak, whatever the bytes. This target only parses
// and validates — it never builds a scenario, a stack or a socket. Besides that:
//  * the whole input read as a lesson file (LessonFile::parse, every kind: exchange, SIP and SCTP
//    declarative) either gives a lesson or an error "FILE:LINE: …" whose LINE is a line of the text;
//    reading it twice gives the same answer;
//  * a lesson that reads has what the reader promises: a name, a title, at least one peer unless it
//    names an exchange, its fault rules re-read from their canonical text to the same rule, each
//    "count" expectation a breakpoint rule without nth, every peer found by its name, a proxy's
//    targets other SIP peers, an action "after" an answer waiting on an earlier call, request or
//    register;
//  * each line of the input (at most 64) read as a fault rule (FaultRule::parse) and as a breakpoint
//    (Breakpoint::parse): a rule that parses prints (text()) to a text that parses to the same rule,
//    and a refused one says why.
#include "lab/breakpoint.h"
#include "lab/faultrule.h"
#include "lab/lesson/lesson.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace ladder::lab;

namespace ladder::lab {
// The lesson reader checks "exchange" against the built-in exchanges (scenario.cpp's registry,
// which links every scenario, peer and stack). Those names are all this target needs of it: the
// exchanges of resources/lessons/*.json as of this target's writing. A name missing here only makes
// the fuzzer see a refused exchange lesson, never a wrong verdict elsewhere.
QStringList exchangeNames()
{
    return { QStringLiteral("addr-over"), QStringLiteral("eof-vs-abort"), QStringLiteral("forking-with-flag"),
        QStringLiteral("forking-without-flag"), QStringLiteral("playground"), QStringLiteral("prsctp-ttl-rtx-buf"),
        QStringLiteral("register"), QStringLiteral("sendall"), QStringLiteral("unordered-vs-ordered"),
        QStringLiteral("invite-lossy-udp"), QStringLiteral("noninvite-udp-vs-tcp"), QStringLiteral("cancel-ringing") };
}
} // namespace ladder::lab

namespace {

void check(bool condition, const char* what, const QString& detail = {})
{
    if (!condition) {
        std::fprintf(stderr, "fuzz check failed: %s %s\n", what, qPrintable(detail));
        std::abort();
    }
}

void checkFaultRule(const QString& text)
{
    QString why;
    const auto rule = FaultRule::parse(text, &why);
    if (!rule) {
        check(!why.isEmpty(), "a refused fault rule says why", text);
        return;
    }
    const QString canonical = rule->text();
    QString why2;
    const auto again = FaultRule::parse(canonical, &why2);
    check(again.has_value(), "a fault rule's text() parses again", text + QStringLiteral(" -> ") + canonical + QStringLiteral(": ") + why2);
    check(again->text() == canonical, "a fault rule's text() parses to the same rule", text + QStringLiteral(" -> ") + canonical + QStringLiteral(" -> ") + again->text());
    check(again->action == rule->action && again->protocol == rule->protocol && again->method == rule->method
            && again->status == rule->status && again->statusClass == rule->statusClass && again->chunkType == rule->chunkType
            && again->delayMs == rule->delayMs && again->tsn == rule->tsn && again->from == rule->from && again->to == rule->to
            && again->nth == rule->nth,
        "a fault rule's text() parses to the same fields", text + QStringLiteral(" -> ") + canonical);
}

void checkBreakpoint(const QString& text)
{
    QString why;
    const auto b = Breakpoint::parse(text, &why);
    if (!b) {
        check(!why.isEmpty(), "a refused breakpoint says why", text);
        return;
    }
    const QString canonical = b->text();
    QString why2;
    const auto again = Breakpoint::parse(canonical, &why2);
    check(again.has_value(), "a breakpoint's text() parses again", text + QStringLiteral(" -> ") + canonical + QStringLiteral(": ") + why2);
    check(again->text() == canonical, "a breakpoint's text() parses to the same breakpoint", text + QStringLiteral(" -> ") + canonical + QStringLiteral(" -> ") + again->text());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size > 256 * 1024) // LessonFile::load refuses files over 4 MiB; larger inputs only slow the search
        return 0;
    const QByteArray bytes(reinterpret_cast<const char*>(data), qsizetype(size));
    const QString file = QStringLiteral("fuzz.json");

    QString error;
    const auto lesson = LessonFile::parse(bytes, file, &error);
    QString error2;
    const auto lesson2 = LessonFile::parse(bytes, file, &error2);
    check(lesson.has_value() == lesson2.has_value() && error == error2, "reading a lesson twice gives the same answer", error + QStringLiteral(" / ") + error2);
    if (!lesson) {
        check(error.startsWith(file + QLatin1Char(':')), "a refused lesson's error starts with FILE:", error);
        bool ok = false;
        const int line = error.section(QLatin1Char(':'), 1, 1).toInt(&ok);
        check(ok && line >= 1 && line <= bytes.count('\n') + 1, "a refused lesson's error names a line of the text", error);
    } else {
        check(!lesson->name.isEmpty() && !lesson->title.isEmpty(), "a lesson has a name and a title");
        check(!lesson->exchange.isEmpty() || !lesson->peers.isEmpty(), "a declarative lesson has a peer");
        check(lesson->exchange.isEmpty() || (lesson->peers.isEmpty() && lesson->links.isEmpty() && lesson->actions.isEmpty()),
            "an exchange lesson brings no peers, links or actions");
        check(lesson->faults.size() == lesson->faultTexts.size(), "one text per fault rule");
        for (const QString& t : lesson->faultTexts)
            checkFaultRule(t);
        for (const LessonExpectation& e : lesson->expectations) {
            if (e.kind != LessonExpectation::Kind::Count)
                continue;
            QString why;
            const auto b = Breakpoint::parse(e.selector, &why);
            check(b.has_value() && b->nth == 1 && b->trigger != Breakpoint::Trigger::At, "a count expectation is a breakpoint rule without nth or at", e.selector);
        }
        check(lesson->peerIndex.size() == lesson->peers.size(), "every peer indexed by name");
        for (const LessonPeer& p : lesson->peers) {
            check(lesson->peerNamed(p.name) == &p, "a peer found by its name is that peer", p.name);
            for (const QString& t : p.targets) {
                const LessonPeer* target = lesson->peerNamed(t);
                check(target && target != &p && target->kind != LessonPeer::Kind::Sctp, "a proxy's targets are other SIP peers", t);
            }
        }
        // A state condition (an action's "after" with up/down, "ends") names sctp peers the lesson runs.
        auto checkTrigger = [&](const LessonTrigger& t) {
            check(!t.isEmpty() && t.delayMs >= 0, "a condition has a part and a delay of 0 or more");
            for (const QStringList& names : { t.up, t.down })
                for (const QString& n : names) {
                    const LessonPeer* p = lesson->peerNamed(n);
                    check(p && p->kind == LessonPeer::Kind::Sctp && !p->composer, "a condition's up/down names an sctp peer, not the composer's socket", n);
                }
            for (const LessonExpectation& e : t.delivered) {
                const LessonPeer* p = lesson->peerNamed(e.peer);
                check(p && p->kind == LessonPeer::Kind::Sctp && e.number >= 1, "a condition's delivered names an sctp peer and a count", e.peer);
            }
        };
        check(lesson->exchange.isEmpty() || lesson->ends == Lesson::Ends::Settled, "an exchange lesson ends when its exchange does");
        if (lesson->ends == Lesson::Ends::When)
            checkTrigger(lesson->endsWhen);
        for (const LessonTrigger* t : { &lesson->endsWhen })
            check(t->ranAction < lesson->actions.size(), "a condition's ran names an action of the lesson");
        for (const LessonAction& a : lesson->actions)
            check(a.tickTrigger.ranAction < lesson->actions.size(), "a condition's ran names an action of the lesson");
        int composers = 0;
        for (const LessonPeer& p : lesson->peers) {
            composers += p.composer;
            check(!p.composer || (p.kind == LessonPeer::Kind::Sctp && !p.listen), "the composer's socket is an sctp peer that does not listen", p.name);
            check(!p.echo || (p.kind == LessonPeer::Kind::Sctp && p.listen), "an echo is a listening sctp peer", p.name);
        }
        check(composers <= 1, "at most one composer's socket");
        for (qsizetype i = 0; i < lesson->actions.size(); ++i) {
            const LessonAction& a = lesson->actions[i];
            check(a.repeat >= 1, "an action runs at least once");
            check(a.everyMs == 0 || a.repeat >= 2, "every_ms spaces a repeat");
            if (a.onTick) {
                check(a.hasAfter && a.kind >= LessonAction::Kind::SctpConnect && a.afterAnswered < 0, "a state condition starts an SCTP or link action");
                checkTrigger(a.tickTrigger);
            }
            if (a.kind == LessonAction::Kind::Link)
                check(lesson->peerNamed(a.link.from) && lesson->peerNamed(a.link.to) && a.link.from != a.link.to, "a link action names two peers", a.link.from);
            if (const LessonPeer* from = lesson->peerNamed(a.peer))
                check(!from->composer, "no action acts on the composer's socket", a.peer);
            if (a.afterAnswered < 0)
                continue;
            check(a.hasAfter && a.afterAnswered < i, "an action runs after an earlier one's answer");
            const LessonAction::Kind k = lesson->actions[a.afterAnswered].kind;
            check(k == LessonAction::Kind::Call || k == LessonAction::Kind::Request || k == LessonAction::Kind::Register,
                "the answer waited for is a call's, a request's or a register's");
        }
    }

    // Each line as a fault rule and as a breakpoint.
    const QList<QByteArray> lines = bytes.split('\n');
    for (qsizetype i = 0; i < lines.size() && i < 64; ++i) {
        if (lines.at(i).size() > 4096)
            continue;
        const QString line = QString::fromUtf8(lines.at(i));
        checkFaultRule(line);
        checkBreakpoint(line);
    }
    return 0;
}
