// SPDX-License-Identifier: GPL-3.0-or-later
// ladderctl lab list | lab run NAME|FILE.json [--seed N] [--loss PCT] [--delay MS] [--duration S]
//                                   [--fault RULE]… [--break RULE]… [--trace FILE.jsonl] [--pcap FILE.pcapng]
#include "command.h"
#include "host/stack.h"
#include "journal/journal.h"
#include "lab/lesson/filescenario.h"
#include "lab/runner.h"
#include "lab/summary.h"
#include "capture/jsonl.h"
#include "capture/pcapng.h"

#include <QCommandLineParser>
#include <QSaveFile>

#include <functional>

namespace ladder::ctl {
namespace {

    int list()
    {
        const QStringList names = lab::scenarioNames();
        if (names.isEmpty()) {
            err(QStringLiteral("ladderctl lab: no scenarios are built in"));
            return 1;
        }
        for (const QString& name : names) {
            auto s = lab::createScenario(name);
            out(QStringLiteral("%1  %2").arg(name, -24).arg(s->summary()));
        }
        return 0;
    }

    bool number(const QCommandLineParser& p, const QString& opt, double min, double max, double* v)
    {
        if (!p.isSet(opt))
            return true;
        bool ok = false;
        *v = p.value(opt).toDouble(&ok);
        if (!ok || *v < min || *v > max) {
            err(QStringLiteral("ladderctl lab run: --%1 takes a number from %2 to %3, not '%4'")
                    .arg(opt)
                    .arg(min)
                    .arg(max)
                    .arg(p.value(opt)));
            return false;
        }
        return true;
    }

    // The what-if, headless: the same lesson and seed without the command line's fault rules, and
    // where it and the faulted run part. Object ids are numbered process-wide, so events compare
    // by what happened (time, kind, direction, ends, text, bytes).
    static QVector<trace::Event> compared(const trace::Journal& j)
    {
        QVector<trace::Event> out;
        j.forEach(0, j.count(), [&](const trace::Event& e) {
            if (e.kind != trace::Kind::Log)
                out.append(e);
        });
        return out;
    }

    // The run without the fault rules, done (and its stack gone) before the faulted one starts:
    // usrsctp is one per process, and two live lab stacks would share it.
    static QVector<trace::Event> runWithoutFaults(const QString& name, lab::ScenarioParams params)
    {
        params.faults.clear();
        auto scenario = lab::createScenario(name);
        Stack stack(scenario->needsRealTime() ? Scheduler::Mode::Real : Scheduler::Mode::Virtual);
        lab::runToEnd(*scenario, stack, params, {});
        const QVector<trace::Event> events = compared(stack.journal());
        scenario->stop();
        return events;
    }

    void compareWith(const QVector<trace::Event>& a, const trace::Journal& faulted)
    {
        const QVector<trace::Event> b = compared(faulted);
        auto same = [](const trace::Event& x, const trace::Event& y) {
            return x.timeNs == y.timeNs && x.kind == y.kind && x.dir == y.dir && x.from == y.from && x.to == y.to
                && x.text == y.text && x.raw == y.raw;
        };
        qsizetype i = 0;
        while (i < a.size() && i < b.size() && same(a.at(i), b.at(i)))
            ++i;
        auto describe = [](const QVector<trace::Event>& v, qsizetype at) {
            if (at >= v.size())
                return QStringLiteral("(nothing more)");
            const trace::Event& e = v.at(at);
            return QStringLiteral("%1 s %2 %3").arg(double(e.timeNs) / 1e9, 0, 'f', 6).arg(QLatin1String(trace::kindName(e.kind)), e.text);
        };
        if (i == a.size() && i == b.size()) {
            out(QStringLiteral("compare: the runs with and without the faults are the same, %1 events").arg(a.size()));
            return;
        }
        const qint64 at = std::min(i < a.size() ? a.at(i).timeNs : b.at(i).timeNs, i < b.size() ? b.at(i).timeNs : a.at(i).timeNs);
        out(QStringLiteral("compare: the runs part at %1 s, after %2 identical events").arg(double(at) / 1e9, 0, 'f', 6).arg(i));
        out(QStringLiteral("compare: without the faults: %1").arg(describe(a, i)));
        out(QStringLiteral("compare: with them: %1").arg(describe(b, i)));
    }

    int run(const QStringList& args)
    {
        QCommandLineParser p;
        p.addPositionalArgument(QStringLiteral("name"), QStringLiteral("Scenario (ladderctl lab list) or a lesson file, FILE.json (docs/LESSONS.md)"));
        p.addOptions({
            { QStringLiteral("seed"), QStringLiteral("Random seed of the lab links"), QStringLiteral("N"),
                QStringLiteral("1") },
            { QStringLiteral("loss"), QStringLiteral("Link loss in percent"), QStringLiteral("PCT") },
            { QStringLiteral("delay"), QStringLiteral("One-way link delay in ms"), QStringLiteral("MS") },
            { QStringLiteral("duration"), QStringLiteral("Stop after S seconds of scenario time"),
                QStringLiteral("S") },
            { QStringLiteral("fault"),
                QStringLiteral("A fault rule (docs/FAULTS.md), e.g. 'drop sip:INVITE nth 2'; repeatable"),
                QStringLiteral("RULE") },
            { QStringLiteral("break"),
                QStringLiteral("Stop at the first event a breakpoint matches (docs/TEACHING.md), e.g. 'timer sip:A'; "
                               "prints the event and the stacks' state there; repeatable"),
                QStringLiteral("RULE") },
            { QStringLiteral("compare"),
                QStringLiteral("Also run the lesson without the --fault rules (same seed) and say where the two runs "
                               "part: the first event that differs, in each") },
            { QStringLiteral("trace"), QStringLiteral("Write the whole journal as JSON Lines"),
                QStringLiteral("FILE") },
            { QStringLiteral("pcap"), QStringLiteral("Write the wire as pcapng"), QStringLiteral("FILE") },
        });
        if (!p.parse(QStringList { QStringLiteral("ladderctl lab run") } + args)) {
            err(QStringLiteral("ladderctl lab run: %1").arg(p.errorText()));
            return 2;
        }
        if (p.positionalArguments().size() != 1) {
            err(QStringLiteral("ladderctl lab run: name one scenario (ladderctl lab list shows them) or a lesson FILE.json"));
            return 2;
        }
        const QString name = p.positionalArguments().first();
        // A NAME is a built-in lesson (its file under resources/lessons/); a FILE.json a teacher's
        // lesson (docs/LESSONS.md), refused with the line and field of what is wrong.
        QString loadError;
        auto scenario = lab::createScenario(name, &loadError);
        if (!scenario) {
            if (name.endsWith(QLatin1String(".json"), Qt::CaseInsensitive))
                err(QStringLiteral("ladderctl lab run: %1").arg(loadError));
            else
                err(QStringLiteral("ladderctl lab run: no scenario named '%1' (ladderctl lab list shows them)").arg(name));
            return 2;
        }
        const auto* fromFile = dynamic_cast<const lab::LessonScenario*>(scenario.get());
        lab::ScenarioParams params;
        double seed = 1, loss = -1, delay = -1, duration = -1;
        if (!number(p, QStringLiteral("seed"), 0, 9007199254740991.0, &seed) || !number(p, QStringLiteral("loss"), 0, 100, &loss)
            || !number(p, QStringLiteral("delay"), 0, 60000, &delay) || !number(p, QStringLiteral("duration"), 0.001, 86400, &duration))
            return 2;
        params.seed = quint64(seed);
        params.lossPct = loss;
        params.delayMs = qint64(delay);
        params.durationS = duration;
        QString why;
        const auto faults = lab::FaultRule::parseAll(p.values(QStringLiteral("fault")), &why);
        if (!faults) {
            err(QStringLiteral("ladderctl lab run: --fault %1").arg(why));
            return 2;
        }
        if (!faults->isEmpty() && !scenario->takesFaultRules()) {
            err(QStringLiteral("ladderctl lab run: --fault: %1").arg(lab::faultRulesRefused(*scenario)));
            return 2;
        }
        params.faults = *faults;
        const auto breaks = lab::Breakpoint::parseAll(p.values(QStringLiteral("break")), &why);
        if (!breaks) {
            err(QStringLiteral("ladderctl lab run: --break %1").arg(why));
            return 2;
        }
        if (!breaks->isEmpty() && scenario->needsRealTime()) {
            err(QStringLiteral("ladderctl lab run: --break: %1 runs in real time (its association lives in a helper "
                               "process), so it cannot be stopped at an event")
                    .arg(name));
            return 2;
        }

        const QVector<trace::Event> baseline
            = p.isSet(QStringLiteral("compare")) ? runWithoutFaults(name, params) : QVector<trace::Event>();
        Stack stack(scenario->needsRealTime() ? Scheduler::Mode::Real : Scheduler::Mode::Virtual);
        out(QStringLiteral("scenario: %1 — %2").arg(name, scenario->title()));
        if (fromFile && !fromFile->lessonFile().path.startsWith(QLatin1Char(':')))
            out(QStringLiteral("lesson file: %1").arg(fromFile->lessonFile().path));
        for (qsizetype i = 0; i < params.faults.size(); ++i)
            out(QStringLiteral("fault rule %1: %2").arg(i + 1).arg(params.faults.at(i).text()));
        // The lesson's own rules act after the command line's.
        for (qsizetype i = 0; fromFile && i < fromFile->lessonFile().faults.size(); ++i)
            out(QStringLiteral("fault rule %1: %2 (from the lesson)")
                    .arg(params.faults.size() + i + 1)
                    .arg(fromFile->lessonFile().faults.at(i).text()));
        for (qsizetype i = 0; i < breaks->size(); ++i)
            out(QStringLiteral("breakpoint %1: %2").arg(i + 1).arg(breaks->at(i).text()));
        const lab::RunOutcome outcome = lab::runToEnd(*scenario, stack, params, *breaks);
        if (outcome.breakSeq >= 0) {
            // Stopped at a protocol moment: the event, and the state of every stack there. The
            // journal so far is written as usual; the lesson's findings do not apply.
            const trace::Event e = stack.journal().at(quint64(outcome.breakSeq));
            out(QStringLiteral("break %1 '%2' at %3 s: event %4 %5 %6")
                    .arg(outcome.breakIndex + 1)
                    .arg(breaks->at(outcome.breakIndex).text())
                    .arg(double(e.timeNs) / 1e9, 0, 'f', 6)
                    .arg(e.seq)
                    .arg(QLatin1String(trace::kindName(e.kind)), e.text));
            for (const QString& line : outcome.breakState)
                out(QStringLiteral("state: %1").arg(line));
        } else {
            out(lab::JournalSummary::of(stack.journal()).toText().trimmed());
        }
        for (const QString& f : outcome.breakSeq >= 0 ? QStringList() : outcome.result.findings)
            out(QStringLiteral("finding: %1").arg(f));
        // A rule that never acted is worth saying: a typo in a name, or fewer transmissions than its nth.
        const qsizetype ruleCount = params.faults.size() + (fromFile ? fromFile->lessonFile().faults.size() : 0);
        for (qsizetype i = 0; i < outcome.faults.size() && i < ruleCount; ++i)
            out(QStringLiteral("fault rule %1: matched %2 datagram(s), acted on %3")
                    .arg(i + 1)
                    .arg(outcome.faults.at(i).matched)
                    .arg(outcome.faults.at(i).acted));
        if (!breaks->isEmpty() && outcome.breakSeq < 0)
            out(QStringLiteral("no breakpoint was hit"));
        if (p.isSet(QStringLiteral("compare")))
            compareWith(baseline, stack.journal());
        int rc = outcome.result.ok || outcome.breakSeq >= 0 ? 0 : 1;
        if (!outcome.result.ok && outcome.breakSeq < 0)
            err(QStringLiteral("ladderctl lab run: %1 failed: %2").arg(name, outcome.result.failure));

        // The record of the run: the journal as JSON Lines and/or the wire as pcapng, each written
        // whole or not at all.
        auto save = [&](const QString& option, const std::function<bool(QIODevice*, QString*)>& write) {
            if (!p.isSet(option))
                return;
            const QString file = p.value(option);
            QSaveFile f(file);
            QString error;
            if (!f.open(QIODevice::WriteOnly) || !write(&f, &error) || !f.commit()) {
                err(QStringLiteral("ladderctl lab run: cannot write %1: %2").arg(file, error.isEmpty() ? f.errorString() : error));
                rc = 1;
            }
        };
        save(QStringLiteral("trace"), [&](QIODevice* d, QString* e) {
            return trace::writeJsonl(stack.journal(), d, stack.journal().epochNs(), e);
        });
        save(QStringLiteral("pcap"), [&](QIODevice* d, QString* e) { return trace::writePcapng(stack.journal(), d, {}, e); });
        return rc;
    }

    int lab(const QStringList& args)
    {
        if (args.isEmpty()) {
            err(QStringLiteral("ladderctl lab: say list or run NAME"));
            return 2;
        }
        if (args.first() == QLatin1String("list"))
            return list();
        if (args.first() == QLatin1String("run"))
            return run(args.mid(1));
        err(QStringLiteral("ladderctl lab: unknown subcommand '%1' (list, run)").arg(args.first()));
        return 2;
    }

    const Registration reg { { QStringLiteral("lab"),
        QStringLiteral("List and run the built-in lab scenarios, headless"),
        QStringLiteral("list | run NAME|FILE.json [--seed N] [--loss PCT] [--delay MS] [--duration S] [--fault RULE]… "
                       "[--break RULE]… [--compare] [--trace FILE.jsonl] [--pcap FILE.pcapng]"),
        lab } };

} // namespace
} // namespace ladder::ctl
