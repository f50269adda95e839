// SPDX-License-Identifier: GPL-3.0-or-later
// A helper for tst_lab: runs one scenario headless and writes its journal as JSON Lines, so the
// suite can run the same seed in two fresh processes and compare the files byte for byte.
// Usage: lab_jsonl_run NAME SEED OUT.jsonl
#include "host/stack.h"
#include "lab/runner.h"
#include "journal/journal.h"
#include "capture/jsonl.h"

#include <QCoreApplication>
#include <QFile>

#include <cstdio>

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() != 4) {
        std::fprintf(stderr, "usage: lab_jsonl_run NAME SEED OUT.jsonl\n");
        return 2;
    }
    auto scenario = ladder::lab::createScenario(args[1]);
    if (!scenario) {
        std::fprintf(stderr, "no scenario %s\n", qPrintable(args[1]));
        return 2;
    }
    ladder::Stack stack(scenario->needsRealTime() ? ladder::Scheduler::Mode::Real : ladder::Scheduler::Mode::Virtual);
    ladder::lab::ScenarioParams params;
    params.seed = args[2].toULongLong();
    const auto outcome = ladder::lab::runToEnd(*scenario, stack, params);
    QFile f(args[3]);
    QString error;
    if (!f.open(QIODevice::WriteOnly) || !ladder::trace::writeJsonl(stack.journal(), &f, stack.journal().epochNs(), &error)) {
        std::fprintf(stderr, "cannot write %s: %s\n", qPrintable(args[3]), qPrintable(error));
        return 1;
    }
    return outcome.result.ok ? 0 : 1;
}
