// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The lesson reader's machinery (lesson.cpp, sctplessonfile.cpp): where each field of the JSON text
// is, and typed reads that fail with "FILE:LINE: FIELD: what is wrong".

#include <QByteArray>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QString>
#include <QStringList>

#include <algorithm>
#include <cmath>

namespace ladder::lab::lessonfile {

// Where each field of a (valid) JSON text starts: "links[0].loss" -> offset of its key, array
// elements -> offset of the value. QJsonDocument keeps no positions, so the text is walked once.
class Positions {
public:
    explicit Positions(const QByteArray& text)
        : m_t(text)
    {
        skip();
        value(QString());
    }
    qsizetype of(const QString& path) const
    {
        QString p = path;
        while (!p.isEmpty()) {
            const auto it = m_pos.constFind(p);
            if (it != m_pos.cend())
                return *it;
            // the nearest enclosing field that was written
            const qsizetype dot = p.lastIndexOf(QLatin1Char('.')), br = p.lastIndexOf(QLatin1Char('['));
            p.truncate(std::max<qsizetype>(std::max(dot, br), 0));
        }
        return 0;
    }

private:
    void skip()
    {
        while (m_i < m_t.size() && (m_t[m_i] == ' ' || m_t[m_i] == '\n' || m_t[m_i] == '\r' || m_t[m_i] == '\t'))
            ++m_i;
    }
    QString string()
    {
        QByteArray s;
        ++m_i; // "
        while (m_i < m_t.size() && m_t[m_i] != '"') {
            if (m_t[m_i] == '\\')
                s += m_t[m_i++];
            if (m_i < m_t.size())
                s += m_t[m_i++];
        }
        ++m_i;
        return QJsonDocument::fromJson("[\"" + s + "\"]").array().at(0).toString();
    }
    void value(const QString& path)
    {
        skip();
        if (m_i >= m_t.size())
            return;
        if (!path.isEmpty() && !m_pos.contains(path))
            m_pos.insert(path, m_i);
        const char c = m_t[m_i];
        if (c == '{') {
            ++m_i;
            skip();
            while (m_i < m_t.size() && m_t[m_i] != '}') {
                const qsizetype at = m_i;
                const QString key = string();
                const QString sub = path.isEmpty() ? key : path + QLatin1Char('.') + key;
                m_pos.insert(sub, at);
                skip();
                ++m_i; // :
                value(sub);
                skip();
                if (m_i < m_t.size() && m_t[m_i] == ',')
                    ++m_i;
                skip();
            }
            ++m_i;
        } else if (c == '[') {
            ++m_i;
            skip();
            int n = 0;
            while (m_i < m_t.size() && m_t[m_i] != ']') {
                value(QStringLiteral("%1[%2]").arg(path).arg(n++));
                skip();
                if (m_i < m_t.size() && m_t[m_i] == ',')
                    ++m_i;
                skip();
            }
            ++m_i;
        } else if (c == '"') {
            string();
        } else {
            while (m_i < m_t.size() && !QByteArrayView(",]} \t\r\n").contains(m_t[m_i]))
                ++m_i;
        }
    }
    const QByteArray& m_t;
    qsizetype m_i = 0;
    QHash<QString, qsizetype> m_pos;
};

inline int lineAt(const QByteArray& text, qsizetype offset) { return int(text.left(offset).count('\n')) + 1; }

class Reader {
public:
    Reader(const QByteArray& text, QString file)
        : m_text(text)
        , m_pos(text)
        , m_file(std::move(file))
    {
    }
    bool fail(const QString& path, const QString& what)
    {
        if (m_error.isEmpty())
            m_error = QStringLiteral("%1:%2: %3: %4").arg(m_file).arg(lineAt(m_text, m_pos.of(path))).arg(path, what);
        return false;
    }
    const QString& error() const { return m_error; }
    // How many actions the file has (for "ran": {"action": N}, checked while they are read).
    qsizetype actionCount() const { return m_actions; }
    void setActionCount(qsizetype n) { m_actions = n; }

    // Only these keys, so that a misspelt or unsupported field is an error, not silently ignored.
    bool only(
        const QJsonObject& o, const QString& path, const QStringList& keys, const QHash<QString, QString>& why = {})
    {
        for (auto it = o.begin(); it != o.end(); ++it) {
            const QString sub = path.isEmpty() ? it.key() : path + QLatin1Char('.') + it.key();
            if (why.contains(it.key()))
                return fail(sub, why.value(it.key()));
            if (!keys.contains(it.key()))
                return fail(sub, QStringLiteral("unknown field (known here: %1)").arg(keys.join(QStringLiteral(", "))));
        }
        return true;
    }
    bool string(const QJsonObject& o, const QString& path, const QString& key, QString* out, bool required,
        bool nonEmpty = true)
    {
        const QString sub = path.isEmpty() ? key : path + QLatin1Char('.') + key;
        if (!o.contains(key))
            return required ? fail(path.isEmpty() ? key : path, QStringLiteral("missing field '%1'").arg(key)) : true;
        const QJsonValue v = o.value(key);
        if (v.isArray()) { // a text may be written as an array of lines, joined with "\n"
            QStringList lines;
            for (qsizetype i = 0; i < v.toArray().size(); ++i) {
                if (!v.toArray().at(i).isString())
                    return fail(QStringLiteral("%1[%2]").arg(sub).arg(i), QStringLiteral("expected a string"));
                lines << v.toArray().at(i).toString();
            }
            *out = lines.join(QLatin1Char('\n'));
        } else if (v.isString()) {
            *out = v.toString();
        } else {
            return fail(sub, QStringLiteral("expected a string"));
        }
        if (nonEmpty && out->trimmed().isEmpty())
            return fail(sub, QStringLiteral("expected a non-empty string"));
        return true;
    }
    template <class T>
    bool number(
        const QJsonObject& o, const QString& path, const QString& key, T* out, double min, double max, bool integer)
    {
        if (!o.contains(key))
            return true;
        const QString sub = path.isEmpty() ? key : path + QLatin1Char('.') + key;
        const QJsonValue v = o.value(key);
        const double d = v.toDouble();
        if (!v.isDouble() || d < min || d > max || (integer && std::floor(d) != d))
            return fail(sub,
                QStringLiteral("expected %1 from %2 to %3")
                    .arg(integer ? QStringLiteral("an integer") : QStringLiteral("a number"))
                    .arg(QString::number(min, 'g', 15), QString::number(max, 'g', 15)));
        *out = T(d);
        return true;
    }
    bool boolean(const QJsonObject& o, const QString& path, const QString& key, bool* out)
    {
        if (!o.contains(key))
            return true;
        if (!o.value(key).isBool())
            return fail(path + QLatin1Char('.') + key, QStringLiteral("expected true or false"));
        *out = o.value(key).toBool();
        return true;
    }
    bool object(const QJsonValue& v, const QString& path, QJsonObject* out)
    {
        if (!v.isObject())
            return fail(path, QStringLiteral("expected an object"));
        *out = v.toObject();
        return true;
    }
    bool array(const QJsonObject& o, const QString& key, QJsonArray* out)
    {
        if (!o.contains(key))
            return true;
        if (!o.value(key).isArray())
            return fail(key, QStringLiteral("expected an array"));
        *out = o.value(key).toArray();
        return true;
    }

private:
    const QByteArray& m_text;
    Positions m_pos;
    QString m_file;
    QString m_error;
    qsizetype m_actions = 0;
};

// A peer's or lane's name: "alice", "sctp-a".
inline const QRegularExpression& nameRe()
{
    static const QRegularExpression re(QStringLiteral("^[a-z0-9][a-z0-9._-]{0,39}$"));
    return re;
}

} // namespace ladder::lab::lessonfile
