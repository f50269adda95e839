// SPDX-License-Identifier: GPL-3.0-or-later
#include "transport.h"

#include "endpoint.h"

namespace ladder::sctp {

namespace {
    class GoneTransport final : public Transport {
    public:
        QString localHost() const override { return {}; }
        void* bindHandle() const override { return nullptr; }
        void portBound(quint16) override { }
        void portReleased(quint16) override { }
        void* peerHandle(const QString&, QString* why) override
        {
            if (why)
                *why = QStringLiteral("the transport this socket ran over is gone");
            return nullptr;
        }
        QString peerHost(void*, quint16) const override { return {}; }
        bool outputQueueFull() const override { return false; }
    };
}

Transport& Transport::gone()
{
    static GoneTransport g;
    return g;
}

Transport::~Transport()
{
    // Derived transports have deregistered their AF_CONN addresses by now, so the ABORTs these
    // closes make reach nobody (the runtime drops output for an unknown address).
    while (!m_endpoints.empty())
        m_endpoints.back()->transportGone();
}

} // namespace ladder::sctp
