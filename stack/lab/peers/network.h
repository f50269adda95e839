// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/link.h"
#include "lab/faultplan.h"

#include <QList>
#include <QString>

#include <memory>
#include <vector>

namespace ladder {
class Stack;
namespace sip {
    class LabTransport;
}

namespace lab::peers {

    // The wires of one scenario: every Link its peers talk over, seeded from the scenario's
    // seed (link n gets seed mix(seed, n), so adding a peer never changes the losses of the others)
    // and journalled, so that drops show on the timeline. The Lab panel's sliders reach every link
    // through setConditions(). The run's fault rules, if any, judge every datagram of every link:
    // SIP messages on the links wire() makes, SCTP packets on the links adopt()ed.
    class Network {
    public:
        Network(Stack& stack, quint64 seed, QList<FaultRule> faults = {});
        ~Network();
        Network(const Network&) = delete;
        Network& operator=(const Network&) = delete;

        // A new link owned by the network.
        Link& addLink(const QString& name, const LinkParams& params = {});
        // A link owned elsewhere (an SCTP lab link pair's) that setConditions() also changes.
        void adopt(Link& link);
        const FaultPlan& faults() const { return m_faults; }
        // Joins two SIP lab transports with a link each way; returns {a->b, b->a}.
        std::pair<Link*, Link*> wire(sip::LabTransport& a, sip::LabTransport& b, const LinkParams& aToB = {},
            const LinkParams& bToA = {});

        // Loss and delay of every link; a negative value keeps what a link has.
        void setConditions(double lossPct, qint64 delayMs);
        // Up or down (a path failure) without touching the other parameters.
        static void setUp(Link& link, bool up);

        QList<Link*> links() const { return m_all; }
        quint64 seed() const { return m_seed; }
        // A seed for something else of this scenario (a peer's id generator), derived from the
        // scenario's seed and a name, the same on every machine.
        quint64 seedFor(const QString& name) const;

    private:
        Stack& m_stack;
        quint64 m_seed;
        FaultPlan m_faults;
        std::vector<std::unique_ptr<Link>> m_owned;
        QList<Link*> m_all;
    };

} // namespace lab::peers
} // namespace ladder
