// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "lesson.h"
#include "lab/scenario.h"

#include <functional>
#include <memory>

namespace ladder::lab {

// What one expectation of a lesson came to after a run.
struct ExpectationOutcome {
    QString says; // the teacher's words, or the expectation described
    bool passed = false;
    QString actual; // what the run showed: "4", "abandoned: contexts 100,101"
    // "expectation 1: INVITE sent 4 times (send sip:INVITE = 4): passed, got 4"
    QString line(int index) const;
};

// A scenario read from a lesson file (docs/LESSONS.md). Both kinds — a declarative lesson
// (peers, links, timed actions) and one driving a built-in exchange — add the file's fault rules
// to the run's (after them) and check the file's expectations from the journal at the end.
class LessonScenario {
public:
    virtual ~LessonScenario() = default;
    virtual const Lesson& lessonFile() const = 0;
    // Filled by Scenario::result(), in the file's order.
    virtual QList<ExpectationOutcome> expectationOutcomes() const = 0;
};

// The scenario a lesson describes; nullptr with *error when it names an exchange that is not built
// in. Built-in lessons are these too, read from ":/lessons/NAME.json".
std::unique_ptr<Scenario> scenarioFromLesson(const Lesson& lesson, QString* error);

// Checks the expectations over the run's journal; exchange: the exchange's own result (findings,
// ok); delivered: how many messages a "delivered" expectation's SCTP peer received.
QList<ExpectationOutcome> checkExpectations(const QList<LessonExpectation>& expectations, Stack& stack, const ScenarioResult& exchange,
    const std::function<qint64(const LessonExpectation&)>& delivered = {});

} // namespace ladder::lab
