// SPDX-License-Identifier: GPL-3.0-or-later
#include "context.h"

namespace ladder {

Context::Context(Scheduler::Mode mode)
    : m_scheduler(mode)
    , m_journal(std::make_shared<trace::Journal>())
{
}

Context::~Context() = default;

void Context::log(int level, const QString& text)
{
    trace::Event e;
    e.timeNs = m_scheduler.nowNs();
    e.kind = trace::Kind::Log;
    e.a = quint64(level);
    e.text = text;
    m_journal->append(std::move(e));
}

} // namespace ladder
