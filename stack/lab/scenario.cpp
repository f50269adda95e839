// SPDX-License-Identifier: GPL-3.0-or-later
#include "scenario.h"

#include <map>
#include <mutex>

namespace ladder::lab {

namespace {
    std::map<QString, ScenarioFactory>& registry()
    {
        static std::map<QString, ScenarioFactory> r;
        return r;
    }

    void ensureBuiltins()
    {
        static std::once_flag once;
        std::call_once(once, [] { registerBuiltinScenarios(); });
    }
} // namespace

void registerScenario(const QString& name, ScenarioFactory factory)
{
    registry()[name] = std::move(factory);
}

QStringList scenarioNames()
{
    ensureBuiltins();
    QStringList names;
    for (const auto& [name, factory] : registry())
        names.append(name);
    return names;
}

std::unique_ptr<Scenario> createScenario(const QString& name)
{
    ensureBuiltins();
    auto it = registry().find(name);
    return it == registry().end() ? nullptr : it->second();
}

} // namespace ladder::lab
