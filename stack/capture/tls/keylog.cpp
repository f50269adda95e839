// SPDX-License-Identifier: GPL-3.0-or-later
#include "keylog.h"

#include "core/hex.h"

#include <QFile>
#include <QFileInfo>

namespace ladder::trace::tls {

namespace {
    constexpr qsizetype kMaxLine = 1024;

    bool fromHex(QByteArrayView hex, QByteArray* out)
    {
        if (hex.isEmpty() || hex.size() % 2 != 0 || hex.size() > 256)
            return false;
        return ladder::hex::decode(std::string_view(hex.data(), size_t(hex.size())), out);
    }
} // namespace

bool KeyLog::load(const QString& path, QString* error)
{
    m_path = path;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("TLS key log %1: %2").arg(path, f.errorString());
        return false;
    }
    const QByteArray text = f.read(kMaxFileBytes);
    m_loadedSize = f.size();
    if (f.size() > kMaxFileBytes && error)
        *error = QStringLiteral("TLS key log %1: only its first %2 MiB are read").arg(path).arg(kMaxFileBytes >> 20);
    parse(text);
    return true;
}

bool KeyLog::reloadIfChanged()
{
    if (m_path.isEmpty())
        return false;
    const QFileInfo fi(m_path);
    if (!fi.exists() || fi.size() == m_loadedSize)
        return false;
    m_badLines = 0;
    return load(m_path, nullptr);
}

void KeyLog::parse(QByteArrayView text)
{
    qsizetype pos = 0;
    while (pos < text.size()) {
        qsizetype end = text.indexOf('\n', pos);
        if (end < 0)
            end = text.size();
        QByteArrayView line = text.sliced(pos, end - pos);
        pos = end + 1;
        if (line.endsWith('\r'))
            line.chop(1);
        line = line.trimmed();
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        if (line.size() > kMaxLine) {
            ++m_badLines;
            continue;
        }
        const qsizetype s1 = line.indexOf(' ');
        const qsizetype s2 = s1 < 0 ? -1 : line.indexOf(' ', s1 + 1);
        if (s1 <= 0 || s2 < 0) {
            ++m_badLines;
            continue;
        }
        const QByteArrayView label = line.first(s1);
        QByteArray random, secret;
        if (!fromHex(line.sliced(s1 + 1, s2 - s1 - 1), &random) || random.size() != 32
            || !fromHex(line.sliced(s2 + 1).trimmed(), &secret) || secret.size() < 32 || secret.size() > 64) {
            ++m_badLines;
            continue;
        }
        QByteArray Secrets::*field = nullptr;
        if (label == "CLIENT_RANDOM") {
            if (secret.size() != 48) {
                ++m_badLines;
                continue;
            }
            field = &Secrets::master;
        } else if (label == "CLIENT_HANDSHAKE_TRAFFIC_SECRET") {
            field = &Secrets::clientHandshake;
        } else if (label == "SERVER_HANDSHAKE_TRAFFIC_SECRET") {
            field = &Secrets::serverHandshake;
        } else if (label == "CLIENT_TRAFFIC_SECRET_0") {
            field = &Secrets::clientTraffic0;
        } else if (label == "SERVER_TRAFFIC_SECRET_0") {
            field = &Secrets::serverTraffic0;
        } else {
            continue; // EXPORTER_SECRET, CLIENT_EARLY_TRAFFIC_SECRET…: not used
        }
        if (!m_secrets.contains(random) && m_secrets.size() >= kMaxEntries) {
            ++m_badLines;
            continue;
        }
        m_secrets[random].*field = secret;
    }
}

const KeyLog::Secrets* KeyLog::find(QByteArrayView clientRandom) const
{
    const auto it = m_secrets.constFind(clientRandom.toByteArray());
    return it == m_secrets.constEnd() ? nullptr : &*it;
}

} // namespace ladder::trace::tls
