// SPDX-License-Identifier: GPL-3.0-or-later
#include "jsonl.h"

#include "journal/journal.h"

#include <QFile>
#include <QIODevice>

namespace ladder::trace {

namespace {
    constexpr int kMaxReportedErrors = 20;

    void appendString(QByteArray& out, const QByteArray& utf8)
    {
        static const char hex[] = "0123456789abcdef";
        out.append('"');
        for (char ch : utf8) {
            const auto c = quint8(ch);
            switch (c) {
            case '"': out.append("\\\""); break;
            case '\\': out.append("\\\\"); break;
            case '\n': out.append("\\n"); break;
            case '\r': out.append("\\r"); break;
            case '\t': out.append("\\t"); break;
            default:
                if (c < 0x20 || c == 0x7f) {
                    out.append("\\u00");
                    out.append(hex[c >> 4]);
                    out.append(hex[c & 15]);
                } else {
                    out.append(ch);
                }
            }
        }
        out.append('"');
    }

    // A strict parser for the flat objects this format uses: string and integer values only
    // (true/false/null and nested values are accepted and skipped when the key is unknown).
    class LineParser {
    public:
        explicit LineParser(QByteArrayView s)
            : m_s(s)
        {
        }
        QString error;

        template<typename Fn> bool object(Fn onMember)
        {
            ws();
            if (!eat('{'))
                return fail("expected '{'");
            ws();
            if (eat('}'))
                return end();
            for (;;) {
                ws();
                QByteArray key;
                if (!string(&key))
                    return false;
                ws();
                if (!eat(':'))
                    return fail("expected ':'");
                ws();
                if (!onMember(key, *this))
                    return false;
                ws();
                if (eat(','))
                    continue;
                if (eat('}'))
                    return end();
                return fail("expected ',' or '}'");
            }
        }

        bool string(QByteArray* out)
        {
            if (!eat('"'))
                return fail("expected a string");
            out->clear();
            while (m_i < m_s.size()) {
                const char c = m_s[m_i++];
                if (c == '"')
                    return true;
                if (quint8(c) < 0x20)
                    return fail("control character in a string");
                if (c != '\\') {
                    out->append(c);
                    continue;
                }
                if (m_i >= m_s.size())
                    break;
                const char e = m_s[m_i++];
                switch (e) {
                case '"': out->append('"'); break;
                case '\\': out->append('\\'); break;
                case '/': out->append('/'); break;
                case 'b': out->append('\b'); break;
                case 'f': out->append('\f'); break;
                case 'n': out->append('\n'); break;
                case 'r': out->append('\r'); break;
                case 't': out->append('\t'); break;
                case 'u': {
                    uint cp = 0;
                    if (!hex4(&cp))
                        return false;
                    if (cp >= 0xd800 && cp < 0xdc00) { // a surrogate pair
                        uint lo = 0;
                        if (m_i + 1 < m_s.size() && m_s[m_i] == '\\' && m_s[m_i + 1] == 'u') {
                            m_i += 2;
                            if (!hex4(&lo))
                                return false;
                        }
                        if (lo < 0xdc00 || lo > 0xdfff)
                            return fail("unpaired surrogate");
                        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    } else if (cp >= 0xdc00 && cp < 0xe000) {
                        return fail("unpaired surrogate");
                    }
                    const char32_t c32 = char32_t(cp);
                    out->append(QString::fromUcs4(&c32, 1).toUtf8());
                    break;
                }
                default:
                    return fail("bad escape");
                }
            }
            return fail("unterminated string");
        }

        bool integer(qint64* s, quint64* u, bool* negative)
        {
            *negative = eat('-');
            quint64 v = 0;
            const qsizetype start = m_i;
            while (m_i < m_s.size() && m_s[m_i] >= '0' && m_s[m_i] <= '9') {
                const quint64 d = quint64(m_s[m_i] - '0');
                if (v > (~quint64(0) - d) / 10)
                    return fail("integer out of range");
                v = v * 10 + d;
                ++m_i;
            }
            if (m_i == start)
                return fail("expected an integer");
            if (m_i < m_s.size() && (m_s[m_i] == '.' || m_s[m_i] == 'e' || m_s[m_i] == 'E'))
                return fail("expected an integer, not a fraction");
            if (*negative && v > quint64(1) << 63)
                return fail("integer out of range");
            *u = v;
            *s = *negative ? qint64(0 - v) : qint64(v);
            return true;
        }
        bool unsignedInt(quint64* out)
        {
            qint64 s = 0;
            bool neg = false;
            if (!integer(&s, out, &neg))
                return false;
            return neg && *out ? fail("expected an unsigned integer") : true;
        }
        bool signedInt(qint64* out)
        {
            quint64 u = 0;
            bool neg = false;
            if (!integer(out, &u, &neg))
                return false;
            return !neg && u > quint64(std::numeric_limits<qint64>::max()) ? fail("integer out of range") : true;
        }

        // Skips a value of any type, for keys this version does not know.
        bool skipValue(int depth = 0)
        {
            if (depth > 32)
                return fail("nested too deeply");
            ws();
            if (m_i >= m_s.size())
                return fail("expected a value");
            const char c = m_s[m_i];
            if (c == '"') {
                QByteArray dummy;
                return string(&dummy);
            }
            if (c == '{' || c == '[') {
                const char close = c == '{' ? '}' : ']';
                ++m_i;
                ws();
                if (eat(close))
                    return true;
                for (;;) {
                    if (c == '{') {
                        QByteArray k;
                        ws();
                        if (!string(&k))
                            return false;
                        ws();
                        if (!eat(':'))
                            return fail("expected ':'");
                    }
                    if (!skipValue(depth + 1))
                        return false;
                    ws();
                    if (eat(close))
                        return true;
                    if (!eat(','))
                        return fail("expected ','");
                }
            }
            for (const char* word : { "true", "false", "null" }) {
                const QByteArrayView w(word);
                if (m_s.sliced(m_i).startsWith(w)) {
                    m_i += w.size();
                    return true;
                }
            }
            // A number: any JSON number shape.
            const qsizetype start = m_i;
            while (m_i < m_s.size() && QByteArrayView("+-.eE0123456789").contains(m_s[m_i]))
                ++m_i;
            return m_i > start ? true : fail("expected a value");
        }

    private:
        bool hex4(uint* out)
        {
            if (m_i + 4 > m_s.size())
                return fail("short \\u escape");
            uint v = 0;
            for (int k = 0; k < 4; ++k) {
                const char h = m_s[m_i++];
                v <<= 4;
                if (h >= '0' && h <= '9')
                    v |= uint(h - '0');
                else if (h >= 'a' && h <= 'f')
                    v |= uint(h - 'a' + 10);
                else if (h >= 'A' && h <= 'F')
                    v |= uint(h - 'A' + 10);
                else
                    return fail("bad \\u escape");
            }
            *out = v;
            return true;
        }
        bool end()
        {
            ws();
            return m_i == m_s.size() ? true : fail("text after the object");
        }
        void ws()
        {
            while (m_i < m_s.size() && (m_s[m_i] == ' ' || m_s[m_i] == '\t' || m_s[m_i] == '\r'))
                ++m_i;
        }
        bool eat(char c)
        {
            if (m_i < m_s.size() && m_s[m_i] == c) {
                ++m_i;
                return true;
            }
            return false;
        }
        bool fail(const char* why)
        {
            if (error.isEmpty())
                error = QStringLiteral("%1 at column %2").arg(QLatin1String(why)).arg(m_i + 1);
            return false;
        }

        QByteArrayView m_s;
        qsizetype m_i = 0;
    };
} // namespace

QByteArray eventToJson(const Event& e)
{
    QByteArray out;
    out.reserve(160 + e.text.size() + e.raw.size() * 4 / 3);
    out.append("{\"seq\":").append(QByteArray::number(e.seq));
    out.append(",\"t_ns\":").append(QByteArray::number(e.timeNs));
    out.append(",\"kind\":\"").append(kindName(e.kind)).append('"');
    out.append(",\"dir\":\"").append(dirName(e.dir)).append('"');
    out.append(",\"object\":").append(QByteArray::number(e.object));
    out.append(",\"a\":").append(QByteArray::number(e.a));
    out.append(",\"b\":").append(QByteArray::number(e.b));
    out.append(",\"c\":").append(QByteArray::number(e.c));
    out.append(",\"from\":");
    appendString(out, e.from.toUtf8());
    out.append(",\"to\":");
    appendString(out, e.to.toUtf8());
    out.append(",\"text\":");
    appendString(out, e.text.toUtf8());
    out.append(",\"raw\":\"").append(e.raw.toBase64()).append("\"}");
    return out;
}

QByteArray jsonlHeader(qint64 epochNs, qint64 events)
{
    return "{\"format\":\"ladderlab-journal\",\"version\":1,\"epoch_ns\":" + QByteArray::number(epochNs)
        + ",\"events\":" + QByteArray::number(events) + '}';
}

bool eventFromJson(QByteArrayView line, Event* e, QString* error)
{
    LineParser p(line);
    *e = Event();
    QByteArray s;
    const bool ok = p.object([&](const QByteArray& key, LineParser& v) {
        if (key == "seq")
            return v.unsignedInt(&e->seq);
        if (key == "t_ns")
            return v.signedInt(&e->timeNs);
        if (key == "object")
            return v.unsignedInt(&e->object);
        if (key == "a")
            return v.unsignedInt(&e->a);
        if (key == "b")
            return v.unsignedInt(&e->b);
        if (key == "c")
            return v.unsignedInt(&e->c);
        if (key == "kind") {
            if (!v.string(&s))
                return false;
            if (!kindFromName(s, &e->kind)) {
                v.error = QStringLiteral("unknown kind \"%1\"").arg(QString::fromUtf8(s.left(40)));
                return false;
            }
            return true;
        }
        if (key == "dir") {
            if (!v.string(&s))
                return false;
            if (!dirFromName(s, &e->dir)) {
                v.error = QStringLiteral("unknown dir \"%1\"").arg(QString::fromUtf8(s.left(40)));
                return false;
            }
            return true;
        }
        if (key == "from" || key == "to" || key == "text") {
            if (!v.string(&s))
                return false;
            (key == "from" ? e->from : key == "to" ? e->to : e->text) = QString::fromUtf8(s);
            return true;
        }
        if (key == "raw") {
            if (!v.string(&s))
                return false;
            auto decoded = QByteArray::fromBase64Encoding(s, QByteArray::AbortOnBase64DecodingErrors);
            if (!decoded) {
                v.error = QStringLiteral("raw is not base64");
                return false;
            }
            e->raw = *decoded;
            return true;
        }
        return v.skipValue();
    });
    if (!ok && error)
        *error = p.error;
    return ok;
}

bool writeJsonl(const Journal& journal, QIODevice* device, qint64 epochNs, QString* error)
{
    const quint64 n = journal.count(); // a snapshot: events appended meanwhile wait for the next export
    QByteArray buf = jsonlHeader(epochNs, qint64(n)) + '\n';
    bool ok = true;
    for (quint64 first = 0; ok && first < n; first += 4096) {
        journal.forEach(first, std::min<quint64>(4096, n - first), [&](const Event& e) {
            buf += eventToJson(e);
            buf += '\n';
        });
        if (buf.size() > (1 << 20) || first + 4096 >= n) {
            ok = device->write(buf) == buf.size();
            buf.clear();
        }
    }
    if (ok && !buf.isEmpty())
        ok = device->write(buf) == buf.size();
    if (!ok && error)
        *error = device->errorString();
    return ok;
}

JsonlReadResult readJsonl(QByteArrayView data, const EventSink& sink)
{
    JsonlReadResult res;
    auto bad = [&res](quint64 lineNo, const QString& why) {
        const QString msg = QStringLiteral("line %1: %2").arg(lineNo).arg(why);
        if (res.error.isEmpty())
            res.error = msg;
        if (res.errors.size() < kMaxReportedErrors)
            res.errors.append(msg);
        ++res.badLines;
    };
    qsizetype pos = 0;
    quint64 lineNo = 0;
    while (pos < data.size()) {
        qsizetype nl = data.indexOf('\n', pos);
        if (nl < 0)
            nl = data.size();
        QByteArrayView line = data.sliced(pos, nl - pos);
        pos = nl + 1;
        ++lineNo;
        if (line.endsWith('\r'))
            line.chop(1);
        if (line.trimmed().isEmpty())
            continue;
        if (lineNo == 1 && line.contains("\"format\"")) {
            LineParser p(line);
            QByteArray format;
            quint64 version = 0;
            const bool ok = p.object([&](const QByteArray& key, LineParser& v) {
                if (key == "format")
                    return v.string(&format);
                if (key == "version")
                    return v.unsignedInt(&version);
                if (key == "epoch_ns")
                    return v.signedInt(&res.epochNs);
                if (key == "events")
                    return v.signedInt(&res.declaredEvents);
                return v.skipValue();
            });
            if (!ok || format != "ladderlab-journal") {
                res.error = QStringLiteral("line 1: not a LadderLab journal header (%1)")
                                .arg(ok ? QStringLiteral("format \"%1\"").arg(QString::fromUtf8(format.left(40))) : p.error);
                return res;
            }
            if (version != 1) {
                res.error = QStringLiteral("line 1: journal format version %1 is newer than this reader (1)").arg(version);
                return res;
            }
            res.header = true;
            continue;
        }
        if (lineNo == 1 && !line.trimmed().startsWith('{')) {
            res.error = QStringLiteral("line 1: not JSON Lines");
            return res;
        }
        Event e;
        QString why;
        if (!eventFromJson(line, &e, &why)) {
            bad(lineNo, why);
            continue;
        }
        ++res.events;
        if (sink)
            sink(std::move(e));
    }
    if (res.header && res.declaredEvents >= 0 && res.badLines == 0 && quint64(res.declaredEvents) != res.events)
        bad(lineNo, QStringLiteral("the header announced %1 events, the file holds %2 (truncated?)")
                        .arg(res.declaredEvents)
                        .arg(res.events));
    res.ok = res.badLines == 0;
    return res;
}

JsonlReadResult readJsonlFile(const QString& path, const EventSink& sink)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        JsonlReadResult res;
        res.error = QStringLiteral("%1: %2").arg(path, f.errorString());
        return res;
    }
    if (f.size() == 0) {
        JsonlReadResult res;
        res.error = QStringLiteral("%1: empty file").arg(path);
        return res;
    }
    if (const uchar* map = f.map(0, f.size()))
        return readJsonl(QByteArrayView(reinterpret_cast<const char*>(map), qsizetype(f.size())), sink);
    const QByteArray all = f.readAll();
    return readJsonl(all, sink);
}

} // namespace ladder::trace
