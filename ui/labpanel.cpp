// SPDX-License-Identifier: GPL-3.0-or-later
#include "labpanel.h"

#include "lab/breakpoint.h"
#include "lab/faultrule.h"
#include "lab/lesson/filescenario.h"
#include "lab/pacer.h"
#include "lab/quiz.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QTextBrowser>
#include <QTimer>
#include <QVBoxLayout>

namespace ladder::ui {

LabPanel::LabPanel(QWidget* parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("labPanel"));
    auto* box = new QVBoxLayout(this);
    box->setContentsMargins(6, 6, 6, 6);
    m_scenarios = new QComboBox(this);
    m_scenarios->setObjectName(QStringLiteral("scenarioCombo"));
    for (const QString& name : lab::scenarioNames()) {
        auto s = lab::createScenario(name);
        m_scenarios->addItem(s->title(), name);
        m_scenarios->setItemData(m_scenarios->count() - 1, s->summary(), Qt::ToolTipRole);
    }
    box->addWidget(m_scenarios);
    m_lesson = new QTextBrowser(this);
    m_lesson->setOpenExternalLinks(false);
    box->addWidget(m_lesson, 1);

    auto* form = m_form = new QFormLayout;
    m_seed = new QSpinBox(this);
    m_seed->setRange(0, 1000000);
    m_seed->setValue(1);
    m_seed->setToolTip(tr("The same seed gives the same losses, so a run can be shown again exactly."));
    form->addRow(tr("Seed"), m_seed);
    auto slider = [this](int max, QLabel** label) {
        auto* s = new QSlider(Qt::Horizontal, this);
        s->setRange(-1, max);
        s->setValue(-1);
        *label = new QLabel(this);
        (*label)->setMinimumWidth(80);
        return s;
    };
    m_loss = slider(50, &m_lossLabel);
    m_delay = slider(500, &m_delayLabel);
    m_loss->setObjectName(QStringLiteral("lossSlider"));
    m_delay->setObjectName(QStringLiteral("delaySlider"));
    auto row = [this](QSlider* s, QLabel* l) {
        auto* w = new QWidget(this);
        auto* h = new QHBoxLayout(w);
        h->setContentsMargins(0, 0, 0, 0);
        h->addWidget(s, 1);
        h->addWidget(l);
        return w;
    };
    form->addRow(tr("Loss"), row(m_loss, m_lossLabel));
    form->addRow(tr("Delay"), row(m_delay, m_delayLabel));
    m_t1 = new QSpinBox(this);
    m_t1->setObjectName(QStringLiteral("t1Box"));
    m_t1->setRange(0, 10000);
    m_t1->setSingleStep(50);
    m_t1->setSuffix(tr(" ms"));
    m_t1->setSpecialValueText(tr("default (500 ms)"));
    m_t1->setToolTip(tr("RFC 3261 T1 for every SIP peer: Timer A/E start at T1, B/F/H/J/M are 64·T1. "
                        "Short values make timers easy to watch; new transactions use the value."));
    form->addRow(tr("SIP T1"), m_t1);
    // Multi-homed scenarios: fail and repair each path by hand (a classroom's "pull the cable").
    m_paths = new QWidget(this);
    auto* pathRow = new QHBoxLayout(m_paths);
    pathRow->setContentsMargins(0, 0, 0, 0);
    for (int i = 0; i < 2; ++i) {
        auto* b = new QPushButton(m_paths);
        b->setObjectName(QStringLiteral("failPath%1").arg(i));
        b->setCheckable(true);
        pathRow->addWidget(b);
        m_pathButtons.append(b);
        connect(b, &QPushButton::toggled, this, [this, i](bool failed) { emit pathUpChanged(i, !failed); });
    }
    form->addRow(tr("Paths"), m_paths);
    box->addLayout(form);

    auto* buttons = new QHBoxLayout;
    m_start = new QPushButton(tr("Start"), this);
    m_start->setObjectName(QStringLiteral("startScenario"));
    m_start->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_start->setToolTip(tr("Start the scenario (Ctrl+R)"));
    m_stop = new QPushButton(tr("Stop"), this);
    m_stop->setEnabled(false);
    buttons->addWidget(m_start);
    buttons->addWidget(m_stop);
    box->addLayout(buttons);
    // The transport controls of the run's virtual clock.
    auto* transport = new QHBoxLayout;
    m_play = new QPushButton(tr("Play"), this);
    m_play->setObjectName(QStringLiteral("playPause"));
    m_play->setShortcut(QKeySequence(Qt::Key_F5));
    m_step = new QPushButton(tr("Step"), this);
    m_step->setObjectName(QStringLiteral("step"));
    m_step->setShortcut(QKeySequence(Qt::Key_F11));
    m_step->setToolTip(tr("Run to the next event and pause there (F11). Before a run, starts it paused at 0 s."));
    m_stepOver = new QPushButton(tr("Step over"), this);
    m_stepOver->setObjectName(QStringLiteral("stepOver"));
    m_stepOver->setShortcut(QKeySequence(Qt::Key_F10));
    m_stepOver->setToolTip(tr("Run to the next event of the transaction, dialog or association selected in the "
                              "inspector (F10); with nothing selected, to the next event."));
    m_speed = new QComboBox(this);
    m_speed->setObjectName(QStringLiteral("speed"));
    for (const double v : { 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 25.0, 100.0 })
        m_speed->addItem(QStringLiteral("%1×").arg(v), v);
    m_speed->addItem(tr("As fast as possible"), 0.0);
    m_speed->setCurrentIndex(m_speed->findData(1.0));
    m_speed->setToolTip(tr("How fast the lab's virtual time runs against real time"));
    transport->addWidget(m_play);
    transport->addWidget(m_step);
    transport->addWidget(m_stepOver);
    transport->addWidget(m_speed, 1);
    box->addLayout(transport);
    m_clock = new QLabel(this);
    m_clock->setObjectName(QStringLiteral("labClock"));
    box->addWidget(m_clock);
    m_breaks = new QPlainTextEdit(this);
    m_breaks->setObjectName(QStringLiteral("breakpoints"));
    m_breaks->setPlaceholderText(tr("Breakpoints, one per line — e.g.\ntimer sip:A\nsend sip:INVITE nth 3\n"
                                    "timer sctp:T3-rtx · abandon buf · state sip:Completed"));
    m_breaks->setToolTip(tr("The lab pauses at the first event a breakpoint matches (docs/TEACHING.md): "
                            "timer sip:A…M | sctp:T1-init|T1-cookie|T3-rtx|T2-shutdown|heartbeat; "
                            "state sip:|dialog:|sctp:STATE; send|receive sip:METHOD|NNN|Nxx|sctp:CHUNK; "
                            "abandon [ttl|buf|rtx|prio]; forward-tsn; text \"…\"; "
                            "then from NAME, to NAME, containing \"…\", nth N."));
    m_breaks->setFixedHeight(m_breaks->fontMetrics().lineSpacing() * 4 + 10);
    box->addWidget(m_breaks);
    m_breakError = new QLabel(this);
    m_breakError->setObjectName(QStringLiteral("breakpointError"));
    m_breakError->setWordWrap(true);
    m_breakError->setStyleSheet(QStringLiteral("color: #c0392b"));
    m_breakError->hide();
    box->addWidget(m_breakError);
    m_faults = new QPlainTextEdit(this);
    m_faults->setObjectName(QStringLiteral("faultRules"));
    m_faults->setPlaceholderText(tr("Fault rules for the next start, one per line — e.g.\ndrop sip:INVITE nth 4\n"
                                    "delay sctp:SACK 300ms · duplicate sip:ACK · corrupt sctp:DATA tsn 5"));
    m_faults->setToolTip(tr("Faults chosen by protocol meaning (docs/FAULTS.md): drop | duplicate | delay | reorder | "
                            "corrupt, sip:METHOD|NNN|Nxx or sctp:CHUNK, then tsn N, from NAME, to NAME, nth N or all. "
                            "Applied when the lesson starts: Restart re-runs the same seed with them."));
    m_faults->setFixedHeight(m_faults->fontMetrics().lineSpacing() * 3 + 10);
    box->addWidget(m_faults);
    m_faultError = new QLabel(this);
    m_faultError->setObjectName(QStringLiteral("faultError"));
    m_faultError->setWordWrap(true);
    m_faultError->setStyleSheet(QStringLiteral("color: #c0392b"));
    m_faultError->hide();
    box->addWidget(m_faultError);
    m_status = new QLabel(tr("Not running"), this);
    m_status->setObjectName(QStringLiteral("labStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    box->addWidget(m_status);
    // Rewound: what the views show is the past; back to live, or re-run from that instant.
    m_rewindRow = new QWidget(this);
    m_rewindRow->setObjectName(QStringLiteral("rewindRow"));
    auto* rewindBox = new QVBoxLayout(m_rewindRow);
    rewindBox->setContentsMargins(0, 0, 0, 0);
    m_rewindLabel = new QLabel(m_rewindRow);
    m_rewindLabel->setObjectName(QStringLiteral("rewindLabel"));
    m_rewindLabel->setWordWrap(true);
    rewindBox->addWidget(m_rewindLabel);
    auto* rewindButtons = new QHBoxLayout;
    auto* live = new QPushButton(tr("Back to Live"), m_rewindRow);
    live->setObjectName(QStringLiteral("backToLive"));
    live->setToolTip(tr("The views show the run's newest state again (Play and Step do too)."));
    auto* rerun = new QPushButton(tr("Re-run from Here"), m_rewindRow);
    rerun->setObjectName(QStringLiteral("rerunHere"));
    rerun->setToolTip(tr("Replays the lesson with the same seed to this instant and pauses there: the fault rules "
                         "above apply, the loss and delay sliders from this instant on; change anything (compose a "
                         "message) and press Play. A window shows the re-run beside the original and where they part."));
    rewindButtons->addWidget(live);
    rewindButtons->addWidget(rerun);
    rewindBox->addLayout(rewindButtons);
    box->addWidget(m_rewindRow);
    m_rewindRow->hide();
    // The classroom quiz: predict the next event, checked against what the stack then does.
    m_quizMode = new QCheckBox(tr("Quiz: predict the next event at each pause"), this);
    m_quizMode->setObjectName(QStringLiteral("quizMode"));
    m_quizMode->setToolTip(tr("At each pause (Step, a breakpoint) choose what the stack does next — which timer fires, or "
                              "whether a message or SCTP chunk arrives or is sent first — and roughly when; the lab steps and checks. "
                              "Scores export as CSV."));
    box->addWidget(m_quizMode);
    m_quizRow = new QWidget(this);
    auto* quizBox = new QVBoxLayout(m_quizRow);
    quizBox->setContentsMargins(0, 0, 0, 0);
    m_quizChoices = new QComboBox(m_quizRow);
    m_quizChoices->setObjectName(QStringLiteral("quizChoices"));
    quizBox->addWidget(m_quizChoices);
    // The second question: roughly when, checked against the time the event comes.
    m_quizWhen = new QComboBox(m_quizRow);
    m_quizWhen->setObjectName(QStringLiteral("quizWhen"));
    m_quizWhen->addItems(lab::whenChoices());
    m_quizWhen->setToolTip(tr("Roughly when it happens, counted from now: checked against the time it comes"));
    quizBox->addWidget(m_quizWhen);
    auto* quizButtons = new QHBoxLayout;
    m_quizAnswer = new QPushButton(tr("Predict && Step"), m_quizRow);
    m_quizAnswer->setObjectName(QStringLiteral("quizAnswer"));
    auto* quizExport = new QPushButton(tr("Export Scores…"), m_quizRow);
    quizExport->setObjectName(QStringLiteral("quizExport"));
    quizButtons->addWidget(m_quizAnswer);
    quizButtons->addWidget(quizExport);
    quizBox->addLayout(quizButtons);
    m_quizResult = new QLabel(tr("Pause the lesson (Step or a breakpoint) to be asked."), m_quizRow);
    m_quizResult->setObjectName(QStringLiteral("quizResult"));
    m_quizResult->setWordWrap(true);
    quizBox->addWidget(m_quizResult);
    box->addWidget(m_quizRow);
    m_quizRow->hide();
    m_quizAnswer->setEnabled(false);
    connect(m_quizMode, &QCheckBox::toggled, m_quizRow, &QWidget::setVisible);
    connect(m_quizAnswer, &QPushButton::clicked, this, [this] {
        if (m_quizChoices->currentIndex() >= 0) {
            m_quizAnswer->setEnabled(false);
            emit quizAnswered(m_quizChoices->currentIndex());
        }
    });
    connect(quizExport, &QPushButton::clicked, this, &LabPanel::quizExportRequested);
    connect(live, &QPushButton::clicked, this, &LabPanel::backToLiveRequested);
    connect(rerun, &QPushButton::clicked, this, [this] {
        if (m_rewoundNs >= 0 && readyToStart())
            emit rerunRequested(m_rewoundNs);
    });
    setClock(false, false, 1, 0);

    updateSliderLabels();
    m_sliderDebounce = new QTimer(this);
    m_sliderDebounce->setSingleShot(true);
    m_sliderDebounce->setInterval(150);
    connect(m_sliderDebounce, &QTimer::timeout, this, [this] {
        emit linkConditionsChanged(std::max(0, m_loss->value()), std::max(0, m_delay->value()));
    });
    for (QSlider* s : { m_loss, m_delay }) {
        connect(s, &QSlider::valueChanged, this, &LabPanel::updateSliderLabels);
        connect(s, &QSlider::valueChanged, this, [this] {
            if (!m_stop->isEnabled())
                return; // before a run, the values are read at start
            m_sliderDebounce->start();
        });
    }
    connect(m_t1, &QSpinBox::valueChanged, this, [this](int ms) { emit sipT1Changed(ms); });
    connect(m_scenarios, &QComboBox::currentIndexChanged, this, &LabPanel::showLesson);
    connect(m_start, &QPushButton::clicked, this, [this] {
        if (readyToStart())
            emit startRequested(selectedScenario(), params());
    });
    connect(m_faults, &QPlainTextEdit::textChanged, this, [this] { checkFaults(); });
    connect(m_stop, &QPushButton::clicked, this, &LabPanel::stopRequested);
    connect(m_play, &QPushButton::clicked, this, [this] {
        if (!m_stop->isEnabled()) {
            if (readyToStart())
                emit startRequested(selectedScenario(), params());
        } else if (m_playing) {
            emit pauseRequested();
        } else {
            emit playRequested();
        }
    });
    connect(m_step, &QPushButton::clicked, this, [this] {
        if (!m_stop->isEnabled()) {
            if (readyToStart())
                emit startPausedRequested(selectedScenario(), params());
            return;
        }
        emit stepRequested();
    });
    connect(m_stepOver, &QPushButton::clicked, this, &LabPanel::stepOverRequested);
    connect(m_speed, &QComboBox::currentIndexChanged, this, [this] { emit speedChanged(speed()); });
    auto* breakDebounce = new QTimer(this);
    breakDebounce->setSingleShot(true);
    breakDebounce->setInterval(300);
    connect(breakDebounce, &QTimer::timeout, this, &LabPanel::checkBreakpoints);
    connect(m_breaks, &QPlainTextEdit::textChanged, breakDebounce, qOverload<>(&QTimer::start));
    showLesson();
}

QStringList LabPanel::faultRules() const
{
    QStringList rules;
    for (const QString& line : m_faults->toPlainText().split(QLatin1Char('\n')))
        if (!line.trimmed().isEmpty())
            rules << line.trimmed();
    return rules;
}

void LabPanel::setFaultRules(const QStringList& rules) { m_faults->setPlainText(rules.join(QLatin1Char('\n'))); }

bool LabPanel::readyToStart()
{
    if (selectedScenario().isEmpty())
        return false;
    checkBreakpoints(); // the lines typed within the debounce apply to this run too
    return checkFaults();
}

bool LabPanel::checkFaults()
{
    QString error;
    if (!lab::FaultRule::parseAll(faultRules(), &error)) {
        m_faultError->setText(error);
        m_faultError->show();
        return false;
    }
    m_faultError->hide();
    return true;
}

QStringList LabPanel::breakpoints() const
{
    QStringList rules;
    for (const QString& line : m_breaks->toPlainText().split(QLatin1Char('\n')))
        if (!line.trimmed().isEmpty())
            rules << line.trimmed();
    return rules;
}

void LabPanel::setBreakpoints(const QStringList& rules)
{
    m_breaks->setPlainText(rules.join(QLatin1Char('\n')));
    checkBreakpoints();
}

void LabPanel::checkBreakpoints()
{
    QString error;
    const QStringList rules = breakpoints();
    if (!lab::Breakpoint::parseAll(rules, &error)) {
        m_breakError->setText(error);
        m_breakError->show();
        return; // the last good set stays in force
    }
    m_breakError->hide();
    if (rules == m_appliedBreaks)
        return;
    m_appliedBreaks = rules;
    emit breakpointsChanged(rules);
}

double LabPanel::speed() const { return m_speed->currentData().toDouble(); }

void LabPanel::setClock(bool virtualTime, bool playing, double speed, qint64 nowNs)
{
    m_virtual = virtualTime;
    m_playing = playing;
    const bool running = m_stop->isEnabled();
    const bool canPace = !running || virtualTime;
    m_play->setText(running && playing ? tr("Pause") : tr("Play"));
    m_play->setToolTip(running && playing ? tr("Pause the lab's clock (F5)")
                                          : running ? tr("Run the lab's clock on (F5)") : tr("Start the scenario (F5)"));
    m_play->setEnabled(canPace);
    m_step->setEnabled(canPace);
    m_stepOver->setEnabled(running && virtualTime);
    m_speed->setEnabled(canPace);
    if (!running) {
        m_clock->setText(tr("Virtual time, paced: Play, Step or set breakpoints"));
        return;
    }
    if (!virtualTime) {
        m_clock->setText(tr("Real time (this lesson's association lives in a helper process): no pausing"));
        return;
    }
    const QString rate = speed == lab::Pacer::kAsFastAsPossible ? tr("as fast as possible") : QStringLiteral("%1×").arg(speed);
    m_clock->setText(tr("t = %1 s · %2").arg(double(nowNs) / 1e9, 0, 'f', 3).arg(playing ? rate : tr("paused")));
}

bool LabPanel::quizMode() const { return m_quizMode->isChecked(); }

int LabPanel::quizWhen() const { return m_quizWhen->currentIndex(); }

void LabPanel::setQuizChoices(const QStringList& choices)
{
    m_quizChoices->clear();
    m_quizChoices->addItems(choices);
    m_quizWhen->setCurrentIndex(0);
    m_quizAnswer->setEnabled(!choices.isEmpty());
    if (!choices.isEmpty())
        m_quizResult->setText(m_quizVerdict + tr("<b>What happens next?</b> Choose, then Predict &amp; Step."));
}

void LabPanel::setQuizResult(const QString& verdict, int right, int asked)
{
    m_quizVerdict = tr("%1<br>%2 of %3 right.<br>").arg(verdict.toHtmlEscaped()).arg(right).arg(asked);
    m_quizResult->setText(m_quizVerdict);
}

void LabPanel::setRewound(qint64 timeNs)
{
    m_rewoundNs = timeNs < 0 ? -1 : timeNs;
    m_rewindRow->setVisible(m_rewoundNs >= 0);
    if (m_rewoundNs >= 0)
        m_rewindLabel->setText(tr("<b>Rewound:</b> the views show the state as of t = %1 s; what came after is veiled "
                                  "on the timeline.")
                                   .arg(double(m_rewoundNs) / 1e9, 0, 'f', 3));
}

void LabPanel::setPausedAt(qint64 seq, int breakpoint, const QString& why)
{
    Q_UNUSED(seq);
    m_status->setText(breakpoint >= 0 ? tr("<b>Paused at a breakpoint.</b> %1").arg(why.toHtmlEscaped())
                                      : tr("<b>Paused.</b> %1").arg(why.toHtmlEscaped()));
}

QString LabPanel::selectedScenario() const
{
    return m_scenarios->currentData().toString();
}

void LabPanel::selectScenario(const QString& name)
{
    const int i = m_scenarios->findData(name);
    if (i >= 0)
        m_scenarios->setCurrentIndex(i);
}

bool LabPanel::addLesson(const QString& nameOrPath, QString* error)
{
    if (m_scenarios->findData(nameOrPath) < 0) {
        auto s = lab::createScenario(nameOrPath);
        if (!s) {
            if (error)
                *error = tr("There is no lesson '%1'.").arg(nameOrPath);
            return false;
        }
        m_scenarios->addItem(s->title(), nameOrPath);
        m_scenarios->setItemData(m_scenarios->count() - 1, s->summary() + QLatin1Char('\n') + nameOrPath, Qt::ToolTipRole);
    }
    selectScenario(nameOrPath);
    return true;
}

lab::ScenarioParams LabPanel::params() const
{
    lab::ScenarioParams p;
    p.seed = quint64(m_seed->value());
    // A slider where the lesson's default put it: the lesson's default (-1), exactly as the file says.
    p.lossPct = m_loss->value() == m_lessonLoss ? -1 : m_loss->value();
    p.delayMs = m_delay->value() == m_lessonDelay ? -1 : m_delay->value();
    // Only rules that parse (a start refuses bad ones first: checkFaults()).
    if (const auto faults = lab::FaultRule::parseAll(faultRules(), nullptr))
        p.faults = *faults;
    return p;
}

QJsonObject LabPanel::state() const
{
    return QJsonObject { { QStringLiteral("scenario"), selectedScenario() }, { QStringLiteral("seed"), m_seed->value() },
        { QStringLiteral("lossPct"), m_loss->value() }, { QStringLiteral("delayMs"), m_delay->value() },
        { QStringLiteral("t1Ms"), m_t1->value() }, { QStringLiteral("speed"), speed() },
        { QStringLiteral("breakpoints"), QJsonArray::fromStringList(breakpoints()) },
        { QStringLiteral("faultRules"), QJsonArray::fromStringList(faultRules()) } };
}

void LabPanel::restoreState(const QJsonObject& state)
{
    if (state.isEmpty())
        return;
    selectScenario(state.value(QStringLiteral("scenario")).toString());
    m_seed->setValue(state.value(QStringLiteral("seed")).toInt(m_seed->value()));
    m_loss->setValue(state.value(QStringLiteral("lossPct")).toInt(-1));
    m_delay->setValue(state.value(QStringLiteral("delayMs")).toInt(-1));
    m_t1->setValue(state.value(QStringLiteral("t1Ms")).toInt(0));
    const int speedIndex = m_speed->findData(state.value(QStringLiteral("speed")).toDouble(1.0));
    if (speedIndex >= 0)
        m_speed->setCurrentIndex(speedIndex);
    QStringList rules;
    for (const QJsonValue& v : state.value(QStringLiteral("breakpoints")).toArray())
        rules << v.toString();
    setBreakpoints(rules);
    QStringList faults;
    for (const QJsonValue& v : state.value(QStringLiteral("faultRules")).toArray())
        faults << v.toString();
    setFaultRules(faults);
}

void LabPanel::showLesson()
{
    auto s = lab::createScenario(selectedScenario());
    if (!s) {
        m_lesson->setHtml(tr("<p>No scenarios are built in.</p>"));
        return;
    }
    QString html = QStringLiteral("<h3>%1</h3>").arg(s->title().toHtmlEscaped());
    for (const QString& para : s->lesson().split(QStringLiteral("\n\n")))
        html += QStringLiteral("<p>%1</p>").arg(para.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>")));
    html += QStringLiteral("<p><i>%1</i></p>")
                .arg(s->needsRealTime() ? tr("Runs in real time, also headless: its association lives in the ladderlab-sctp-mh helper process, on that process's clock.")
                                        : tr("Runs in virtual time, the same run event for event as `ladderctl lab run %1`: "
                                             "play it at any speed, pause, step, or stop it at a breakpoint.")
                                              .arg(s->name())
                                              .toHtmlEscaped());
    m_lesson->setHtml(html);
    if (!m_stop->isEnabled()) { // while a run goes on, its path controls and live link values stay
        showPaths(s->pathNames(), false);
        showLessonDefaults(*s);
    }
}

void LabPanel::showLessonDefaults(const lab::Scenario& scenario)
{
    const auto* file = dynamic_cast<const lab::LessonScenario*>(&scenario);
    m_lessonLossPct = file ? file->lessonFile().lossPct : -1;
    m_lessonLoss = m_lessonLossPct >= 0 ? qRound(m_lessonLossPct) : -1;
    m_lessonDelay = file && file->lessonFile().delayMs >= 0 ? int(file->lessonFile().delayMs) : -1;
    // Programmatic: no live link change, no debounce; a default beyond the range widens it.
    const QSignalBlocker quietLoss(m_loss), quietDelay(m_delay);
    m_loss->setMaximum(std::max(50, m_lessonLoss));
    m_delay->setMaximum(std::max(500, m_lessonDelay));
    m_loss->setValue(m_lessonLoss);
    m_delay->setValue(m_lessonDelay);
    updateSliderLabels();
}

void LabPanel::updateSliderLabels()
{
    const int loss = m_loss->value(), delay = m_delay->value();
    m_lossLabel->setText(loss < 0 ? tr("default")
            : loss == m_lessonLoss ? tr("%1 % (lesson)").arg(m_lessonLossPct)
                                   : tr("%1 %").arg(loss));
    m_delayLabel->setText(delay < 0 ? tr("default") : delay == m_lessonDelay ? tr("%1 ms (lesson)").arg(delay) : tr("%1 ms").arg(delay));
    m_lossLabel->setToolTip(tr("Loss on every lab link; \"(lesson)\": the lesson file's default, each link keeping its own value"));
    m_delayLabel->setToolTip(tr("One-way delay on every lab link; \"(lesson)\": the lesson file's default, each link keeping its own value"));
}

void LabPanel::showPaths(const QStringList& names, bool running)
{
    // The whole form row, label included: a lesson with one path shows no "Paths" heading.
    m_form->setRowVisible(m_paths, !names.isEmpty());
    for (int i = 0; i < m_pathButtons.size(); ++i) {
        QPushButton* b = m_pathButtons[i];
        b->setVisible(i < names.size());
        if (i >= names.size())
            continue;
        const QSignalBlocker quiet(b); // a new run starts with every path up
        b->setChecked(false);
        b->setText(tr("Fail %1").arg(names[i]));
        b->setToolTip(tr("Checked: every packet on the %1 path is lost, both ways; unchecked: the path is repaired. "
                         "Watch the heartbeats time out, PEER_ADDR_CHANGE and the failover on the timeline.")
                          .arg(names[i]));
        b->setEnabled(running);
    }
}

void LabPanel::setRunning(const QString& name)
{
    const bool running = !name.isEmpty();
    m_start->setText(running ? tr("Restart") : tr("Start"));
    m_stop->setEnabled(running);
    if (running) {
        selectScenario(name);
        m_status->setText(tr("Running: %1").arg(m_scenarios->currentText()));
    } else {
        m_status->setText(tr("Not running"));
        setClock(false, false, speed(), 0);
    }
    auto s = lab::createScenario(running ? name : selectedScenario());
    showPaths(s ? s->pathNames() : QStringList(), running);
}

void LabPanel::setFinished(const QString& name, bool ok, const QString& failure, const QStringList& findings)
{
    Q_UNUSED(name);
    QStringList escaped;
    for (const QString& f : findings)
        escaped << f.toHtmlEscaped();
    m_status->setText(ok ? tr("<b>Done.</b> %1").arg(escaped.join(QStringLiteral("<br>")))
                         : tr("<b>The lesson's point was not shown:</b> %1").arg(failure.toHtmlEscaped()));
}

} // namespace ladder::ui
