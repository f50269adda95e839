// SPDX-License-Identifier: GPL-3.0-or-later
#include "labpanel.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
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
    m_status = new QLabel(tr("Not running"), this);
    m_status->setWordWrap(true);
    box->addWidget(m_status);

    auto updateLabels = [this] {
        m_lossLabel->setText(m_loss->value() < 0 ? tr("default") : tr("%1 %").arg(m_loss->value()));
        m_delayLabel->setText(m_delay->value() < 0 ? tr("default") : tr("%1 ms").arg(m_delay->value()));
    };
    updateLabels();
    m_sliderDebounce = new QTimer(this);
    m_sliderDebounce->setSingleShot(true);
    m_sliderDebounce->setInterval(150);
    connect(m_sliderDebounce, &QTimer::timeout, this, [this] {
        emit linkConditionsChanged(std::max(0, m_loss->value()), std::max(0, m_delay->value()));
    });
    for (QSlider* s : { m_loss, m_delay }) {
        connect(s, &QSlider::valueChanged, this, updateLabels);
        connect(s, &QSlider::valueChanged, this, [this] {
            if (!m_stop->isEnabled())
                return; // before a run, the values are read at start
            m_sliderDebounce->start();
        });
    }
    connect(m_t1, &QSpinBox::valueChanged, this, [this](int ms) { emit sipT1Changed(ms); });
    connect(m_scenarios, &QComboBox::currentIndexChanged, this, &LabPanel::showLesson);
    connect(m_start, &QPushButton::clicked, this, [this] {
        if (!selectedScenario().isEmpty())
            emit startRequested(selectedScenario(), params());
    });
    connect(m_stop, &QPushButton::clicked, this, &LabPanel::stopRequested);
    showLesson();
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

lab::ScenarioParams LabPanel::params() const
{
    lab::ScenarioParams p;
    p.seed = quint64(m_seed->value());
    p.lossPct = m_loss->value();
    p.delayMs = m_delay->value();
    return p;
}

QJsonObject LabPanel::state() const
{
    return QJsonObject { { QStringLiteral("scenario"), selectedScenario() }, { QStringLiteral("seed"), m_seed->value() },
        { QStringLiteral("lossPct"), m_loss->value() }, { QStringLiteral("delayMs"), m_delay->value() },
        { QStringLiteral("t1Ms"), m_t1->value() } };
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
                                        : tr("Runs in real time here; `ladderctl lab run %1` runs it instantly in virtual time.")
                                              .arg(s->name())
                                              .toHtmlEscaped());
    m_lesson->setHtml(html);
    if (!m_stop->isEnabled()) // while a run goes on, its path controls stay
        showPaths(s->pathNames(), false);
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
