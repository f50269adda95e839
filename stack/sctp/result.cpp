// SPDX-License-Identifier: GPL-3.0-or-later
#include "result.h"

#include <cerrno>

namespace ladder::sctp {

QString errnoName(int code)
{
    switch (code) {
    case EBADF: return QStringLiteral("EBADF");
    case ENOTSOCK: return QStringLiteral("ENOTSOCK");
    case EMSGSIZE: return QStringLiteral("EMSGSIZE");
    case EAGAIN: return QStringLiteral("EAGAIN");
    case ENOBUFS: return QStringLiteral("ENOBUFS");
    case EHOSTUNREACH: return QStringLiteral("EHOSTUNREACH");
    case ENOTCONN: return QStringLiteral("ENOTCONN");
    case ECONNRESET: return QStringLiteral("ECONNRESET");
    case ENOENT: return QStringLiteral("ENOENT");
    case EPIPE: return QStringLiteral("EPIPE");
    case EINVAL: return QStringLiteral("EINVAL");
    case EINPROGRESS: return QStringLiteral("EINPROGRESS");
    case EISCONN: return QStringLiteral("EISCONN");
    case EADDRINUSE: return QStringLiteral("EADDRINUSE");
    case EADDRNOTAVAIL: return QStringLiteral("EADDRNOTAVAIL");
    case EAFNOSUPPORT: return QStringLiteral("EAFNOSUPPORT");
    case EOPNOTSUPP: return QStringLiteral("EOPNOTSUPP");
    case ECONNREFUSED: return QStringLiteral("ECONNREFUSED");
    case ETIMEDOUT: return QStringLiteral("ETIMEDOUT");
    case ENOMEM: return QStringLiteral("ENOMEM");
    case EALREADY: return QStringLiteral("EALREADY");
    case ECONNABORTED: return QStringLiteral("ECONNABORTED");
    case ESHUTDOWN: return QStringLiteral("ESHUTDOWN");
    default: return QStringLiteral("E%1").arg(code);
    }
}

QString Error::name() const { return errnoName(code); }

QString Error::text() const { return sentence.isEmpty() ? name() : name() + QStringLiteral(": ") + sentence; }

} // namespace ladder::sctp
