// SPDX-License-Identifier: GPL-3.0-or-later
#include "sctpcomposer.h"

#include "models/livemodels.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace ladder::ui {

namespace {
    struct FlagDef {
        quint32 value;
        const char* name;
        const char* help;
    };
    const FlagDef kFlags[] = {
        { 0x100, "SCTP_EOF", "Graceful shutdown after this message (SHUTDOWN once everything is acknowledged)." },
        { 0x200, "SCTP_ABORT", "Abort the association (the payload becomes the user-initiated ABORT's reason)." },
        { 0x400, "SCTP_UNORDERED", "Deliver as soon as it arrives, not in stream order." },
        { 0x800, "SCTP_ADDR_OVER", "Send on the chosen path instead of the primary." },
        { 0x1000, "SCTP_SENDALL", "Send to every association of the endpoint." },
        { 0x4000, "SCTP_SACK_IMMEDIATELY", "Ask the peer to acknowledge at once (I bit)." },
    };

    bool parseU32(const QString& text, quint32* out)
    {
        bool ok = false;
        const QString t = text.trimmed();
        const qulonglong v = t.startsWith(QLatin1String("0x"), Qt::CaseInsensitive) ? t.mid(2).toULongLong(&ok, 16) : t.toULongLong(&ok, 10);
        if (!ok || v > 0xffffffffull)
            return false;
        *out = quint32(v);
        return true;
    }
} // namespace

SctpComposer::SctpComposer(QWidget* parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("sctpComposer"));
    qRegisterMetaType<lab::SctpComposerRequest>();
    auto* box = new QVBoxLayout(this);
    box->setContentsMargins(4, 4, 4, 4);
    auto* form = new QFormLayout;
    m_association = new QComboBox(this);
    m_association->addItem(tr("(address below)"), 0);
    form->addRow(tr("Association"), m_association);
    m_to = new QLineEdit(QStringLiteral("10.0.0.7:7"), this);
    m_to->setToolTip(tr("HOST:PORT — on a one-to-many socket a send to a new address sets up an association implicitly. "
                        "Several, comma-separated, are sctp_sendmsgx's list: one association with each address a path "
                        "(the multi-homed lesson; the other lessons' sockets have one path each)."));
    form->addRow(tr("To"), m_to);

    auto* payloadRow = new QHBoxLayout;
    m_mode = new QComboBox(this);
    m_mode->addItems({ tr("Text"), tr("Hex"), tr("File") });
    m_file = new QLineEdit(this);
    m_file->setPlaceholderText(tr("file to send"));
    m_file->setEnabled(false);
    auto* browse = new QPushButton(tr("Browse…"), this);
    browse->setEnabled(false);
    payloadRow->addWidget(m_mode);
    payloadRow->addWidget(m_file, 1);
    payloadRow->addWidget(browse);
    form->addRow(tr("Payload"), payloadRow);
    box->addLayout(form);
    m_payload = new QPlainTextEdit(QStringLiteral("Hello, SCTP"), this);
    m_payload->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_payload->setMaximumHeight(80);
    box->addWidget(m_payload);
    connect(m_mode, &QComboBox::currentIndexChanged, this, [this, browse](int mode) {
        m_payload->setEnabled(mode != 2);
        m_file->setEnabled(mode == 2);
        browse->setEnabled(mode == 2);
    });
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString f = QFileDialog::getOpenFileName(this, tr("Payload File"));
        if (!f.isEmpty())
            m_file->setText(f);
    });

    auto* grid = new QGridLayout;
    m_stream = new QSpinBox(this);
    m_stream->setRange(0, 65535);
    m_stream->setObjectName(QStringLiteral("sctpStream"));
    m_ppid = new QLineEdit(QStringLiteral("0"), this);
    m_ppid->setToolTip(tr("Payload protocol identifier (decimal or 0x hex) as Wireshark shows it on the wire: LadderLab "
                          "puts it in network byte order, since sctp_sendmsg(3) passes the value without regard to byte order"));
    m_context = new QLineEdit(QStringLiteral("0"), this);
    m_context->setObjectName(QStringLiteral("sctpContext"));
    m_context->setToolTip(tr("Your number for this message: reported back if it is abandoned (SEND_FAILED)"));
    grid->addWidget(new QLabel(tr("Stream"), this), 0, 0);
    grid->addWidget(m_stream, 0, 1);
    grid->addWidget(new QLabel(tr("PPID"), this), 0, 2);
    grid->addWidget(m_ppid, 0, 3);
    grid->addWidget(new QLabel(tr("Context"), this), 0, 4);
    grid->addWidget(m_context, 0, 5);
    box->addLayout(grid);

    auto* flags = new QGridLayout;
    int i = 0;
    for (const FlagDef& f : kFlags) {
        auto* cb = new QCheckBox(QString::fromLatin1(f.name), this);
        cb->setProperty("sctpFlag", f.value);
        cb->setToolTip(tr(f.help));
        flags->addWidget(cb, i / 2, i % 2);
        m_flags.append(cb);
        ++i;
    }
    box->addLayout(flags);
    m_addrOver = new QComboBox(this);
    m_addrOver->setObjectName(QStringLiteral("sctpAddrOver"));
    m_addrOver->setEditable(true);
    m_addrOver->setEnabled(false);
    m_addrOver->setToolTip(tr("The path SCTP_ADDR_OVER sends on"));
    auto* addrRow = new QFormLayout;
    addrRow->addRow(tr("ADDR_OVER path"), m_addrOver);
    box->addLayout(addrRow);
    connect(flag(0x800), &QCheckBox::toggled, m_addrOver, &QWidget::setEnabled);

    auto* pr = new QHBoxLayout;
    m_policy = new QComboBox(this);
    m_policy->addItems({ tr("Reliable"), QStringLiteral("PR-SCTP TTL"), QStringLiteral("PR-SCTP BUF"), QStringLiteral("PR-SCTP RTX"),
        QStringLiteral("PR-SCTP PRIO (RFC 7496)") });
    m_policyValue = new QSpinBox(this);
    m_policyValue->setRange(0, 100000000);
    m_policyUnit = new QLabel(this);
    pr->addWidget(m_policy);
    pr->addWidget(m_policyValue, 1);
    pr->addWidget(m_policyUnit);
    box->addLayout(pr);
    connect(m_policy, &QComboBox::currentIndexChanged, this, &SctpComposer::updatePolicyUnit);
    updatePolicyUnit();

    auto* burst = new QHBoxLayout;
    m_repeat = new QSpinBox(this);
    m_repeat->setRange(1, 100000);
    m_repeat->setPrefix(tr("× "));
    m_interval = new QSpinBox(this);
    m_interval->setObjectName(QStringLiteral("sctpInterval"));
    m_interval->setRange(0, 60000);
    m_interval->setSuffix(tr(" ms apart"));
    m_send = new QPushButton(tr("Send"), this);
    m_send->setObjectName(QStringLiteral("sctpSend"));
    burst->addWidget(new QLabel(tr("Repeat"), this));
    burst->addWidget(m_repeat);
    burst->addWidget(m_interval);
    burst->addStretch(1);
    burst->addWidget(m_send);
    box->addLayout(burst);
    m_result = new QLabel(this);
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    box->addWidget(m_result);
    box->addStretch(1);

    connect(m_send, &QPushButton::clicked, this, [this] {
        if (m_busy) {
            emit stopRequested();
            return;
        }
        lab::SctpComposerRequest r;
        QString error;
        if (!request(&r, &error)) {
            showResult(false, QStringLiteral("EINVAL"), error);
            return;
        }
        if (m_network)
            emit networkSendRequested(r);
        else
            emit sendRequested(r);
    });
}

QCheckBox* SctpComposer::flag(quint32 value) const
{
    for (QCheckBox* cb : m_flags)
        if (cb->property("sctpFlag").toUInt() == value)
            return cb;
    return nullptr;
}

void SctpComposer::updatePolicyUnit()
{
    // BUF as sctp_sendmsg(3) reads it: a byte threshold on the send queue. PRIO is RFC 7496's
    // priority policy (usrsctp's BUF): when the send buffer is full, queued messages with a higher
    // value than the new message's are abandoned first.
    static const char* units[] = { "", "ms to live",
        "bytes queued (at or over it, older BUF messages are abandoned)", "retransmissions at most",
        "priority (higher values are dropped first when the buffer is full)" };
    const int p = m_policy->currentIndex();
    m_policyValue->setEnabled(p != 0);
    m_policyUnit->setText(tr(units[std::clamp(p, 0, 4)]));
}

void SctpComposer::setAssociationModel(AssociationModel* model)
{
    m_associations = model;
    // Snapshots come at 10 Hz and paths are known only after an association is up: rebuild the
    // pickers when what they list changed, not on every update (the user may be typing in them).
    auto refresh = [this] {
        QStringList entries, paths;
        QList<quint64> ids;
        for (const auto& a : m_associations->rows()) {
            entries << QStringLiteral("#%1 %2 → %3 (%4)").arg(a.id).arg(a.localAddress, a.peerAddress, a.state);
            ids << a.id;
            for (const auto& p : a.paths)
                if (!paths.contains(p.address))
                    paths << p.address;
        }
        if (entries != m_listedAssociations) {
            m_listedAssociations = entries;
            const quint64 current = m_association->currentData().toULongLong();
            m_association->clear();
            m_association->addItem(tr("(address below)"), 0);
            for (int i = 0; i < entries.size(); ++i)
                m_association->addItem(entries[i], ids[i]);
            const int i = m_association->findData(current);
            m_association->setCurrentIndex(i < 0 ? 0 : i);
        }
        if (paths != m_listedPaths) {
            m_listedPaths = paths;
            const QString path = m_addrOver->currentText();
            m_addrOver->clear();
            m_addrOver->addItems(paths);
            m_addrOver->setCurrentText(path);
        }
    };
    connect(model, &QAbstractItemModel::rowsInserted, this, refresh);
    connect(model, &QAbstractItemModel::rowsRemoved, this, refresh);
    connect(model, &QAbstractItemModel::modelReset, this, refresh);
    connect(model, &QAbstractItemModel::dataChanged, this, refresh);
}

bool SctpComposer::parseHex(const QString& text, QByteArray* out)
{
    QString t = text;
    t.remove(QStringLiteral("0x"), Qt::CaseInsensitive);
    QString digits;
    for (QChar c : std::as_const(t)) {
        if (c.isSpace() || c == QLatin1Char(',') || c == QLatin1Char(':'))
            continue;
        if (!c.isDigit() && !QStringLiteral("abcdefABCDEF").contains(c))
            return false;
        digits += c;
    }
    if (digits.size() % 2)
        return false;
    *out = QByteArray::fromHex(digits.toLatin1());
    return true;
}

bool SctpComposer::request(lab::SctpComposerRequest* out, QString* error) const
{
    lab::SctpComposerRequest r;
    r.association = m_association->currentData().toULongLong();
    r.to = m_to->text().trimmed();
    if (!r.association && r.to.isEmpty()) {
        *error = tr("Choose an association or give an address to send to.");
        return false;
    }
    switch (m_mode->currentIndex()) {
    case 0: r.payload = m_payload->toPlainText().toUtf8(); break;
    case 1:
        if (!parseHex(m_payload->toPlainText(), &r.payload)) {
            *error = tr("The payload is not hex: use pairs of hex digits, e.g. 48 65 6c 6c 6f.");
            return false;
        }
        break;
    default: {
        QFile f(m_file->text());
        if (!f.open(QIODevice::ReadOnly)) {
            *error = tr("Cannot read the payload file '%1': %2").arg(m_file->text(), f.errorString());
            return false;
        }
        r.payload = f.readAll();
    }
    }
    r.stream = quint16(m_stream->value());
    if (!parseU32(m_ppid->text(), &r.ppid)) {
        *error = tr("PPID must be a number from 0 to 4294967295 (decimal or 0x hex).");
        return false;
    }
    if (!parseU32(m_context->text(), &r.context)) {
        *error = tr("Context must be a number from 0 to 4294967295 (decimal or 0x hex).");
        return false;
    }
    for (QCheckBox* cb : m_flags)
        if (cb->isChecked())
            r.flags |= cb->property("sctpFlag").toUInt();
    if (r.flags & 0x800) {
        r.addrOver = m_addrOver->currentText().trimmed();
        if (r.addrOver.isEmpty()) {
            *error = tr("SCTP_ADDR_OVER needs the path to send on.");
            return false;
        }
    }
    r.prPolicy = m_policy->currentIndex();
    r.prValue = quint32(m_policyValue->value());
    r.repeat = m_repeat->value();
    r.intervalMs = m_interval->value();
    *out = r;
    return true;
}

QJsonObject SctpComposer::state() const
{
    quint32 flags = 0;
    for (QCheckBox* cb : m_flags)
        if (cb->isChecked())
            flags |= cb->property("sctpFlag").toUInt();
    return QJsonObject { { QStringLiteral("to"), m_to->text() }, { QStringLiteral("mode"), m_mode->currentIndex() },
        { QStringLiteral("payload"), m_payload->toPlainText() }, { QStringLiteral("file"), m_file->text() },
        { QStringLiteral("stream"), m_stream->value() }, { QStringLiteral("ppid"), m_ppid->text() },
        { QStringLiteral("context"), m_context->text() }, { QStringLiteral("flags"), qint64(flags) },
        { QStringLiteral("addrOver"), m_addrOver->currentText() }, { QStringLiteral("policy"), m_policy->currentIndex() },
        { QStringLiteral("policyValue"), m_policyValue->value() }, { QStringLiteral("repeat"), m_repeat->value() },
        { QStringLiteral("intervalMs"), m_interval->value() } };
}

void SctpComposer::restoreState(const QJsonObject& state)
{
    if (state.isEmpty())
        return;
    auto str = [&](const char* key, QLineEdit* edit) { edit->setText(state.value(QLatin1String(key)).toString(edit->text())); };
    str("to", m_to);
    str("file", m_file);
    str("ppid", m_ppid);
    str("context", m_context);
    m_mode->setCurrentIndex(std::clamp(state.value(QStringLiteral("mode")).toInt(), 0, 2));
    m_payload->setPlainText(state.value(QStringLiteral("payload")).toString(m_payload->toPlainText()));
    m_stream->setValue(state.value(QStringLiteral("stream")).toInt());
    const quint32 flags = quint32(state.value(QStringLiteral("flags")).toInteger());
    for (QCheckBox* cb : m_flags)
        cb->setChecked(flags & cb->property("sctpFlag").toUInt());
    m_addrOver->setCurrentText(state.value(QStringLiteral("addrOver")).toString());
    m_policy->setCurrentIndex(std::clamp(state.value(QStringLiteral("policy")).toInt(), 0, 4));
    m_policyValue->setValue(state.value(QStringLiteral("policyValue")).toInt());
    m_repeat->setValue(std::max(1, state.value(QStringLiteral("repeat")).toInt(1)));
    m_interval->setValue(state.value(QStringLiteral("intervalMs")).toInt());
}

void SctpComposer::setNetworkMode(bool on)
{
    m_network = on;
    m_send->setToolTip(on ? tr("sctp_sendmsg(3) on network mode's SCTP endpoint (UDP encapsulation, RFC 6951): to real peers")
                          : QString());
}

void SctpComposer::setBusy(bool busy)
{
    m_busy = busy;
    m_send->setText(busy ? tr("Stop") : tr("Send"));
    m_send->setToolTip(busy ? tr("Stop the burst: the messages already sent stay sent")
                            : m_network ? tr("sctp_sendmsg(3) on network mode's SCTP endpoint (UDP encapsulation, RFC 6951): to real peers")
                                        : QString());
    if (busy) {
        m_result->setStyleSheet({});
        m_result->setText(tr("sending…"));
    }
}

void SctpComposer::showResult(bool ok, const QString& errnoName, const QString& text)
{
    m_result->setStyleSheet(ok ? QStringLiteral("color: #2e7d32") : QStringLiteral("color: #c62828"));
    m_result->setText(ok ? text : QStringLiteral("%1: %2").arg(errnoName, text));
}

QString SctpComposer::resultText() const
{
    return m_result->text();
}

} // namespace ladder::ui
