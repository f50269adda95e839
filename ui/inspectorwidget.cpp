// SPDX-License-Identifier: GPL-3.0-or-later
#include "inspectorwidget.h"

#include <QFontDatabase>
#include <QHash>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QTabWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace ladder::ui {

namespace {
    QHash<int, InspectorWidget::Decoder>& decoders()
    {
        static QHash<int, InspectorWidget::Decoder> d;
        return d;
    }

    QTreeWidgetItem* row(QTreeWidgetItem* parent, const QString& name, const QString& value)
    {
        auto* it = new QTreeWidgetItem(parent, { name, value });
        it->setToolTip(1, value);
        return it;
    }
} // namespace

void InspectorWidget::registerDecoder(trace::Kind kind, Decoder decoder)
{
    decoders().insert(int(kind), std::move(decoder));
}

InspectorWidget::InspectorWidget(QWidget* parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("inspector"));
    auto* box = new QVBoxLayout(this);
    box->setContentsMargins(4, 4, 4, 4);
    m_title = new QLabel(this);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_title->setWordWrap(true);
    box->addWidget(m_title);
    m_tabs = new QTabWidget(this);
    m_tree = new QTreeWidget(this);
    m_tree->setHeaderLabels({ tr("Field"), tr("Value") });
    m_tree->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_tree->setUniformRowHeights(true);
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_text = new QPlainTextEdit(this);
    m_text->setReadOnly(true);
    m_text->setFont(mono);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_hex = new QPlainTextEdit(this);
    m_hex->setReadOnly(true);
    m_hex->setFont(mono);
    m_hex->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_tabs->addTab(m_tree, tr("Fields"));
    m_tabs->addTab(m_text, tr("Text"));
    m_tabs->addTab(m_hex, tr("Hex"));
    box->addWidget(m_tabs, 1);
}

QString InspectorWidget::hexDump(const QByteArray& bytes)
{
    QString out;
    out.reserve(bytes.size() * 5);
    for (qsizetype off = 0; off < bytes.size(); off += 16) {
        QString hex, ascii;
        for (qsizetype i = off; i < off + 16; ++i) {
            if (i < bytes.size()) {
                const auto c = static_cast<unsigned char>(bytes[i]);
                hex += QStringLiteral("%1 ").arg(c, 2, 16, QLatin1Char('0'));
                ascii += (c >= 0x20 && c < 0x7f) ? QChar(c) : QLatin1Char('.');
            } else {
                hex += QStringLiteral("   ");
            }
            if (i - off == 7)
                hex += QLatin1Char(' ');
        }
        out += QStringLiteral("%1  %2 %3\n").arg(off, 4, 16, QLatin1Char('0')).arg(hex, ascii);
    }
    return out;
}

void InspectorWidget::clear()
{
    m_has = false;
    m_title->clear();
    m_tree->clear();
    m_text->clear();
    m_hex->clear();
    emit cleared();
}

void InspectorWidget::showEvent(const trace::Event& e)
{
    m_has = true;
    m_title->setText(QStringLiteral("<b>#%1 %2</b> %3 — %4 s")
                         .arg(e.seq)
                         .arg(QString::fromLatin1(trace::kindName(e.kind)), QString::fromLatin1(trace::dirName(e.dir)))
                         .arg(double(e.timeNs) / 1e9, 0, 'f', 6));
    m_tree->clear();
    auto* ev = new QTreeWidgetItem(m_tree, { tr("Event") });
    row(ev, tr("Sequence"), QString::number(e.seq));
    row(ev, tr("Time"), QStringLiteral("%1 s").arg(double(e.timeNs) / 1e9, 0, 'f', 9));
    row(ev, tr("Kind"), QString::fromLatin1(trace::kindName(e.kind)));
    if (e.dir != trace::Dir::None)
        row(ev, tr("Direction"), QString::fromLatin1(trace::dirName(e.dir)));
    if (!e.from.isEmpty())
        row(ev, tr("From"), e.from);
    if (!e.to.isEmpty())
        row(ev, tr("To"), e.to);
    if (e.object)
        row(ev, tr("Object"), QString::number(e.object));
    row(ev, tr("a / b / c"), QStringLiteral("%1 / %2 / %3").arg(e.a).arg(e.b).arg(e.c));
    if (!e.text.isEmpty())
        row(ev, tr("Summary"), e.text);
    if (!e.raw.isEmpty())
        row(ev, tr("Bytes"), QString::number(e.raw.size()));
    ev->setExpanded(true);
    auto dec = decoders().constFind(int(e.kind));
    if (dec != decoders().constEnd() && !e.raw.isEmpty()) {
        auto* parsed = new QTreeWidgetItem(m_tree, { tr("Decoded") });
        (*dec)(e, parsed);
        parsed->setExpanded(true);
    }
    m_text->setPlainText(e.raw.isEmpty() ? e.text : QString::fromUtf8(e.raw));
    m_hex->setPlainText(hexDump(e.raw));
}

} // namespace ladder::ui
