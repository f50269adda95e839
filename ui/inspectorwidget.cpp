// SPDX-License-Identifier: GPL-3.0-or-later
#include "inspectorwidget.h"

#include "journal/journal.h"

#include <QDesktopServices>
#include <QFontDatabase>
#include <QHash>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QTabWidget>
#include <QTreeWidget>
#include <QUrl>
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
    m_why = new QLabel(this);
    m_why->setObjectName(QStringLiteral("inspectorWhy"));
    m_why->setTextFormat(Qt::RichText);
    m_why->setWordWrap(true);
    m_why->setOpenExternalLinks(true);
    m_why->setTextInteractionFlags(Qt::TextBrowserInteraction);
    m_why->setFrameShape(QFrame::StyledPanel);
    m_why->setMargin(4);
    m_why->hide();
    box->addWidget(m_why);
    m_tabs = new QTabWidget(this);
    m_tree = new QTreeWidget(this);
    m_tree->setColumnCount(ColumnCount);
    m_tree->setHeaderLabels({ tr("Field"), tr("Value"), tr("RFC") });
    m_tree->header()->setSectionResizeMode(FieldColumn, QHeaderView::ResizeToContents);
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(ValueColumn, QHeaderView::Stretch);
    m_tree->header()->setSectionResizeMode(RfcColumn, QHeaderView::ResizeToContents);
    // The RFC column is a link: activating the row (double-click, Enter) opens its section.
    connect(m_tree, &QTreeWidget::itemActivated, this, [](QTreeWidgetItem* item, int) {
        const QString url = item ? item->data(RfcColumn, kUrlRole).toString() : QString();
        if (!url.isEmpty())
            QDesktopServices::openUrl(QUrl(url));
    });
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

QString InspectorWidget::whyHtml(const trace::Explanation& x)
{
    QString html;
    if (!x.transition.isEmpty())
        html += QStringLiteral("<b>") + x.transition.toHtmlEscaped() + QStringLiteral("</b><br>");
    html += x.why.toHtmlEscaped();
    QStringList links;
    for (const trace::Reference& r : x.refs) {
        const QString label = r.label().toHtmlEscaped();
        const QString title = r.title.toHtmlEscaped();
        if (r.url.isEmpty())
            links << QStringLiteral("%1 (%2)").arg(label, title);
        else
            links << QStringLiteral("<a href=\"%1\" title=\"%2\">%3</a>").arg(r.url.toHtmlEscaped(), title, label);
    }
    if (!links.isEmpty())
        html += QStringLiteral("<br>") + links.join(QStringLiteral(" · "));
    return html;
}

void InspectorWidget::setReference(QTreeWidgetItem* item, const std::optional<trace::Reference>& ref)
{
    if (!item || !ref)
        return;
    item->setText(RfcColumn, ref->label());
    item->setToolTip(RfcColumn,
        ref->url.isEmpty() ? ref->title : QStringLiteral("%1 — %2\n%3 (double-click to open)").arg(ref->label(), ref->title, ref->url));
    item->setData(RfcColumn, kUrlRole, ref->url);
    if (!ref->url.isEmpty())
        item->setForeground(RfcColumn, item->treeWidget() ? item->treeWidget()->palette().link() : QBrush(Qt::blue));
}

void InspectorWidget::setJournal(std::shared_ptr<const trace::Journal> journal) { m_journal = std::move(journal); }

void InspectorWidget::clear()
{
    m_has = false;
    m_title->clear();
    m_why->clear();
    m_why->hide();
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
    const trace::Context context = m_journal ? trace::Context::ofJournal(*m_journal) : trace::Context();
    m_why->setText(whyHtml(trace::explain(e, context)));
    m_why->show();
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
