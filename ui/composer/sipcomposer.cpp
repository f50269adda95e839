// SPDX-License-Identifier: GPL-3.0-or-later
#include "sipcomposer.h"

#include "models/livemodels.h"
#include "siphighlighter.h"
#include "sip/message/ids.h"
#include "sip/message/parser.h"
#include "sip/message/validation.h"

#include <QCheckBox>
#include <QInputDialog>
#include <QJsonDocument>
#include <QSettings>
#include <QComboBox>
#include <QFile>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QTextBlock>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

namespace ladder::ui {

QStringList SipComposer::templateNames()
{
    return { QStringLiteral("INVITE"), QStringLiteral("ACK"), QStringLiteral("BYE"), QStringLiteral("CANCEL"),
        QStringLiteral("OPTIONS"), QStringLiteral("REGISTER"), QStringLiteral("SUBSCRIBE"), QStringLiteral("NOTIFY"),
        QStringLiteral("MESSAGE"), QStringLiteral("INFO"), QStringLiteral("PRACK"), QStringLiteral("UPDATE"),
        QStringLiteral("REFER") };
}

QString SipComposer::templateText(const QString& method)
{
    QFile f(QStringLiteral(":/templates/%1.sip").arg(method.toLower()));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readAll());
}

SipComposer::SipComposer(QWidget* parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("sipComposer"));
    auto* box = new QVBoxLayout(this);
    box->setContentsMargins(4, 4, 4, 4);

    auto* top = new QHBoxLayout;
    m_templates = new QComboBox(this);
    m_templates->setObjectName(QStringLiteral("sipSource"));
    m_templates->setToolTip(tr("Start from a template or from a message saved in your library"));
    m_saveLib = new QPushButton(tr("Save…"), this);
    m_saveLib->setToolTip(tr("Save this message, its target and flags in your library"));
    m_deleteLib = new QPushButton(tr("Delete"), this);
    m_deleteLib->setToolTip(tr("Remove the selected saved message from your library"));
    m_autoFill = new QPushButton(tr("Auto-fill"), this);
    m_autoFill->setToolTip(tr("Fill in every \"auto\": branch, tags, Call-ID, CSeq and Content-Length (Ctrl+Shift+F)"));
    m_autoFill->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F));
    top->addWidget(new QLabel(tr("Start from"), this));
    top->addWidget(m_templates, 1);
    top->addWidget(m_saveLib);
    top->addWidget(m_deleteLib);
    top->addWidget(m_autoFill);
    box->addLayout(top);

    m_editor = new QPlainTextEdit(this);
    m_editor->setObjectName(QStringLiteral("sipEditor"));
    m_editor->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_editor->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_editor->setTabChangesFocus(true);
    new SipHighlighter(m_editor->document());
    box->addWidget(m_editor, 3);

    m_findings = new QListWidget(this);
    m_findings->setObjectName(QStringLiteral("sipFindings"));
    m_findings->setMaximumHeight(70);
    box->addWidget(m_findings);

    auto* form = new QFormLayout;
    m_target = new QLineEdit(QStringLiteral("udp:10.0.0.2:5060"), this);
    m_target->setToolTip(tr("udp:HOST:PORT or tcp:HOST:PORT — a lab peer"));
    form->addRow(tr("To"), m_target);
    m_dialog = new QComboBox(this);
    m_dialog->addItem(tr("(no dialog)"), 0);
    form->addRow(tr("In dialog"), m_dialog);
    box->addLayout(form);

    auto* flags = new QHBoxLayout;
    m_stateful = new QCheckBox(QStringLiteral("SIP_SEND_STATEFUL"), this);
    m_stateful->setChecked(true);
    m_stateful->setToolTip(tr("Create and keep a transaction: retransmissions and timers per RFC 3261. "
                              "The Via branch must then start with z9hG4bK (else EINVAL)."));
    m_onFork = new QCheckBox(QStringLiteral("SIP_DIALOG_ON_FORK"), this);
    m_onFork->setToolTip(tr("A forked dialog-creating request may create several dialogs: one per To tag."));
    m_send = new QPushButton(tr("Send"), this);
    m_send->setObjectName(QStringLiteral("sipSend"));
    m_send->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    m_send->setToolTip(tr("Send (Ctrl+Enter)"));
    flags->addWidget(m_stateful);
    flags->addWidget(m_onFork);
    flags->addStretch(1);
    flags->addWidget(m_send);
    box->addLayout(flags);
    m_result = new QLabel(this);
    m_result->setObjectName(QStringLiteral("sipResult"));
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    box->addWidget(m_result);

    m_validate = new QTimer(this);
    m_validate->setSingleShot(true);
    m_validate->setInterval(250);
    connect(m_validate, &QTimer::timeout, this, &SipComposer::validateNow);
    connect(m_editor, &QPlainTextEdit::textChanged, m_validate, qOverload<>(&QTimer::start));
    connect(m_editor, &QPlainTextEdit::textChanged, this, &SipComposer::textChanged);
    connect(m_templates, &QComboBox::activated, this, [this](int i) {
        const QString source = m_templates->itemData(i).toString();
        if (source.startsWith(QLatin1String("lib:")))
            loadFromLibrary(source.mid(4));
        else if (!source.isEmpty())
            loadTemplate(source);
    });
    connect(m_templates, &QComboBox::currentIndexChanged, this, [this](int i) {
        m_deleteLib->setEnabled(m_templates->itemData(i).toString().startsWith(QLatin1String("lib:")));
    });
    connect(m_saveLib, &QPushButton::clicked, this, [this] {
        const QString current = m_templates->currentData().toString();
        bool ok = false;
        const QString name = QInputDialog::getText(this, tr("Save to Library"), tr("Name of the saved message:"),
            QLineEdit::Normal, current.startsWith(QLatin1String("lib:")) ? current.mid(4) : QString(), &ok)
                                 .trimmed();
        if (ok && !name.isEmpty())
            saveToLibrary(name);
    });
    connect(m_deleteLib, &QPushButton::clicked, this, [this] {
        const QString current = m_templates->currentData().toString();
        if (current.startsWith(QLatin1String("lib:")))
            removeFromLibrary(current.mid(4));
    });
    connect(m_autoFill, &QPushButton::clicked, this, [this] { setText(autoFill(text(), m_nextCSeq++)); });
    connect(m_send, &QPushButton::clicked, this, [this] {
        validateNow();
        // Send fills every "auto" as Auto-fill does, in what goes out only: the draft keeps its
        // placeholders, so each send of it gets a new branch, tag, Call-ID and CSeq, while what the
        // user typed is sent as typed.
        const QByteArray bytes = wireBytes(autoFill(text(), m_nextCSeq++));
        if (m_networkMode)
            emit networkSendRequested(bytes, target(), selectedDialog(), stateful(), dialogOnFork());
        else
            emit sendRequested(bytes, target(), selectedDialog(), stateful(), dialogOnFork());
    });
    refreshSources();
    loadTemplate(QStringLiteral("OPTIONS"));
    m_templates->setCurrentIndex(m_templates->findData(QStringLiteral("OPTIONS")));
}

void SipComposer::refreshSources()
{
    const QVariant current = m_templates->currentData();
    QSignalBlocker block(m_templates);
    m_templates->clear();
    for (const QString& t : templateNames())
        m_templates->addItem(tr("%1 template").arg(t), t);
    const QStringList saved = libraryNames();
    if (!saved.isEmpty())
        m_templates->insertSeparator(m_templates->count());
    for (const QString& name : saved)
        m_templates->addItem(QStringLiteral("★ %1").arg(name), QStringLiteral("lib:") + name);
    const int i = m_templates->findData(current);
    m_templates->setCurrentIndex(i < 0 ? 0 : i);
    m_deleteLib->setEnabled(m_templates->currentData().toString().startsWith(QLatin1String("lib:")));
}

QJsonObject SipComposer::state() const
{
    return QJsonObject { { QStringLiteral("text"), text() }, { QStringLiteral("target"), target() },
        { QStringLiteral("stateful"), stateful() }, { QStringLiteral("dialogOnFork"), dialogOnFork() } };
}

void SipComposer::restoreState(const QJsonObject& state)
{
    if (state.isEmpty())
        return;
    setText(state.value(QStringLiteral("text")).toString());
    setTarget(state.value(QStringLiteral("target")).toString(target()));
    m_stateful->setChecked(state.value(QStringLiteral("stateful")).toBool(true));
    m_onFork->setChecked(state.value(QStringLiteral("dialogOnFork")).toBool(false));
}

QJsonObject SipComposer::library() const
{
    return QJsonDocument::fromJson(QSettings().value(QStringLiteral("composer/library")).toByteArray()).object();
}

void SipComposer::setLibrary(const QJsonObject& library)
{
    QSettings settings;
    settings.setValue(QStringLiteral("composer/library"), QJsonDocument(library).toJson(QJsonDocument::Compact));
    settings.sync(); // a saved message must survive a crash right after
    refreshSources();
}

QStringList SipComposer::libraryNames() const
{
    QStringList names = library().keys();
    names.sort(Qt::CaseInsensitive);
    return names;
}

void SipComposer::saveToLibrary(const QString& name)
{
    QJsonObject lib = library();
    lib.insert(name, state());
    setLibrary(lib);
    m_templates->setCurrentIndex(m_templates->findData(QStringLiteral("lib:") + name));
}

bool SipComposer::loadFromLibrary(const QString& name)
{
    const QJsonObject lib = library();
    if (!lib.contains(name))
        return false;
    restoreState(lib.value(name).toObject());
    return true;
}

void SipComposer::removeFromLibrary(const QString& name)
{
    QJsonObject lib = library();
    lib.remove(name);
    setLibrary(lib);
}

void SipComposer::loadTemplate(const QString& method)
{
    setText(templateText(method));
}

void SipComposer::setDialogModel(DialogModel* model)
{
    m_dialogs = model;
    // The newest kDialogsListed dialogs (and the chosen one, however old): a live capture adds
    // thousands a second, a list of 100 000 is no use to pick from, and each item added to it cost
    // the window (a stall at 100 000 dialogs).
    auto add = [this](int first, int last) {
        for (int row = std::max(first, last - kDialogsListed + 1); row <= last; ++row) {
            const auto& d = m_dialogs->at(row);
            m_dialog->addItem(QStringLiteral("%1 %2 — %3 (%4)")
                                  .arg(d.role, d.method, QString::fromUtf8(d.callId.left(24)), d.state),
                d.id);
        }
        while (m_dialog->count() - 1 > kDialogsListed + (m_dialog->currentIndex() > 0 ? 1 : 0))
            m_dialog->removeItem(m_dialog->currentIndex() == 1 ? 2 : 1);
        m_dialogsSeen = last + 1;
    };
    auto refresh = [this, add] {
        const quint64 current = selectedDialog();
        m_dialog->clear();
        m_dialog->addItem(tr("(no dialog)"), 0);
        m_dialogsSeen = 0;
        add(0, int(m_dialogs->rows().size()) - 1);
        const int i = m_dialog->findData(current);
        m_dialog->setCurrentIndex(i < 0 ? 0 : i);
    };
    // Dialogs appended: only theirs are added.
    connect(model, &QAbstractItemModel::rowsInserted, this, [this, add, refresh](const QModelIndex&, int first, int last) {
        if (first == m_dialogsSeen)
            add(first, last);
        else
            refresh();
    });
    connect(model, &QAbstractItemModel::rowsRemoved, this, refresh);
    connect(model, &QAbstractItemModel::modelReset, this, refresh);
}

QString SipComposer::text() const
{
    return m_editor->toPlainText();
}

void SipComposer::setText(const QString& text)
{
    m_editor->setPlainText(text);
    validateNow();
}

void SipComposer::setNetworkMode(bool on)
{
    m_networkMode = on;
    m_target->setToolTip(on ? tr("udp:, tcp:, tls:, ws: or wss:HOST:PORT — a real peer, reached through network mode's "
                                 "SIP stack (the top Via is set to the socket it leaves from)")
                            : tr("udp:HOST:PORT or tcp:HOST:PORT — a lab peer"));
    m_target->setPlaceholderText(on ? QStringLiteral("udp:127.0.0.1:5060") : QString());
}

QString SipComposer::target() const
{
    return m_target->text();
}

void SipComposer::setTarget(const QString& target)
{
    m_target->setText(target);
}

bool SipComposer::stateful() const
{
    return m_stateful->isChecked();
}

bool SipComposer::dialogOnFork() const
{
    return m_onFork->isChecked();
}

quint64 SipComposer::selectedDialog() const
{
    return m_dialog->currentData().toULongLong();
}

QByteArray SipComposer::wireBytes(const QString& editorText)
{
    // Headers: one per line, CRLF; the body after the first empty line keeps its lines, CRLF too.
    QString t = editorText;
    t.replace(QStringLiteral("\r\n"), QStringLiteral("\n"));
    const qsizetype blank = t.indexOf(QStringLiteral("\n\n"));
    QString head = blank < 0 ? t : t.left(blank);
    QString body = blank < 0 ? QString() : t.mid(blank + 2);
    while (head.endsWith(QLatin1Char('\n')))
        head.chop(1);
    QByteArray out = head.toUtf8().replace('\n', "\r\n") + "\r\n\r\n";
    out += body.toUtf8().replace('\n', "\r\n");
    return out;
}

QString SipComposer::autoFill(const QString& editorText, quint32 cseq)
{
    QString t = editorText;
    static const QRegularExpression branch(QStringLiteral(R"(branch=auto\b)"));
    static const QRegularExpression tag(QStringLiteral(R"(tag=auto\b)"));
    static const QRegularExpression callId(QStringLiteral(R"(^(Call-ID|i)([ \t]*:[ \t]*)auto[ \t]*$)"),
        QRegularExpression::MultilineOption | QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression cseqRe(QStringLiteral(R"(^(CSeq)([ \t]*:[ \t]*)auto\b)"),
        QRegularExpression::MultilineOption | QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression length(QStringLiteral(R"(^(Content-Length|l)([ \t]*:[ \t]*)(auto|\d+)[ \t]*$)"),
        QRegularExpression::MultilineOption | QRegularExpression::CaseInsensitiveOption);
    // Each occurrence gets its own value (two tags in one message must differ).
    auto replaceEach = [&t](const QRegularExpression& re, const std::function<QString(const QRegularExpressionMatch&)>& with) {
        QRegularExpressionMatch m;
        qsizetype from = 0;
        while ((m = re.match(t, from)).hasMatch()) {
            const QString rep = with(m);
            t.replace(m.capturedStart(), m.capturedLength(), rep);
            from = m.capturedStart() + rep.size();
        }
    };
    replaceEach(branch, [](const auto&) { return QStringLiteral("branch=") + QString::fromLatin1(sip::newBranch()); });
    replaceEach(tag, [](const auto&) { return QStringLiteral("tag=") + QString::fromLatin1(sip::newTag()); });
    replaceEach(callId, [](const QRegularExpressionMatch& m) {
        return m.captured(1) + m.captured(2) + QString::fromLatin1(sip::newCallId("ladderlab"));
    });
    replaceEach(cseqRe, [cseq](const QRegularExpressionMatch& m) { return m.captured(1) + m.captured(2) + QString::number(cseq); });
    // Content-Length last: it counts the body as it will be sent (CRLF line ends).
    const QByteArray wire = wireBytes(t);
    const qsizetype bodyStart = wire.indexOf("\r\n\r\n");
    const qsizetype bodyLen = bodyStart < 0 ? 0 : wire.size() - bodyStart - 4;
    replaceEach(length, [bodyLen](const QRegularExpressionMatch& m) {
        return m.captured(1) + m.captured(2) + QString::number(bodyLen);
    });
    return t;
}

QStringList SipComposer::validateNow()
{
    m_findings->clear();
    QList<QTextEdit::ExtraSelection> marks;
    QStringList shown;
    const QString editorText = text();
    if (editorText.trimmed().isEmpty()) {
        m_editor->setExtraSelections({});
        return {};
    }
    const sip::ParseResult r = sip::parse(wireBytes(editorText));
    QStringList findings;
    if (!r.ok)
        findings << tr("error: %1").arg(r.error);
    for (const QString& w : r.warnings)
        findings << tr("warning: %1").arg(w);
    if (editorText.contains(QRegularExpression(QStringLiteral(R"(\bauto\b)"))))
        findings << tr("note: \"auto\" values are still to be filled in (Auto-fill)");
    if (r.ok && r.message.isRequest() && stateful()) {
        const auto via = r.message.topVia();
        if (via && !sip::isRfc3261Branch(via->branch()))
            findings << tr("warning: Via: branch '%1' is not RFC 3261 (z9hG4bK…): a stateful send fails with EINVAL")
                            .arg(QString::fromUtf8(via->branch()));
    }
    // Underline the line a finding names ("CSeq: …" names the CSeq header).
    for (const QString& f : std::as_const(findings)) {
        auto* item = new QListWidgetItem(f, m_findings);
        const bool isError = f.startsWith(tr("error"));
        item->setForeground(isError ? QColor(0xd3, 0x2f, 0x2f) : QColor(0xef, 0x6c, 0x00));
        shown << f;
        const QString subject = f.section(QStringLiteral(": "), 1, 1).trimmed();
        if (subject.isEmpty())
            continue;
        for (QTextBlock b = m_editor->document()->begin(); b.isValid(); b = b.next()) {
            const QString line = b.text();
            const bool startLine = b.blockNumber() == 0 && subject.compare(QLatin1String("start line"), Qt::CaseInsensitive) == 0;
            if (!startLine && !line.startsWith(subject + QLatin1Char(':'), Qt::CaseInsensitive))
                continue;
            QTextEdit::ExtraSelection sel;
            sel.cursor = QTextCursor(b);
            sel.cursor.select(QTextCursor::LineUnderCursor);
            sel.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
            sel.format.setUnderlineColor(isError ? QColor(0xd3, 0x2f, 0x2f) : QColor(0xef, 0x6c, 0x00));
            sel.format.setToolTip(f);
            marks << sel;
            break;
        }
    }
    if (findings.isEmpty())
        new QListWidgetItem(tr("✓ parses and validates"), m_findings);
    m_editor->setExtraSelections(marks);
    return shown;
}

void SipComposer::showResult(bool ok, const QString& errnoName, const QString& text, quint64 transaction)
{
    if (ok) {
        m_result->setStyleSheet(QStringLiteral("color: #2e7d32"));
        // What the sender added after "sent": a Via rewritten, where a SIP URI resolved to.
        QString detail = text;
        if (detail.startsWith(QLatin1String("sent")))
            detail = detail.mid(4).trimmed();
        m_result->setText((transaction ? tr("Sent — transaction %1").arg(transaction) : tr("Sent statelessly"))
            + (detail.isEmpty() ? QString() : QLatin1Char(' ') + detail));
    } else {
        m_result->setStyleSheet(QStringLiteral("color: #c62828"));
        m_result->setText(QStringLiteral("%1: %2").arg(errnoName, text));
    }
}

QString SipComposer::resultText() const
{
    return m_result->text();
}

} // namespace ladder::ui
