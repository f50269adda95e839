// SPDX-License-Identifier: GPL-3.0-or-later
#include "scenario.h"

#include "lab/lesson/filescenario.h"
#include "lab/lesson/lesson.h"

#include <QDir>
#include <QFile>

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
    // The exchanges (each with its lesson file) and the built-in declarative lessons, files alone.
    QStringList names = exchangeNames();
    for (const QString& file : QDir(QStringLiteral(":/lessons")).entryList({ QStringLiteral("*.json") }, QDir::Files)) {
        const QString name = file.chopped(5);
        if (!names.contains(name))
            names.append(name);
    }
    names.sort();
    return names;
}

std::unique_ptr<Scenario> createExchange(const QString& name)
{
    ensureBuiltins();
    auto it = registry().find(name);
    return it == registry().end() ? nullptr : it->second();
}

QStringList exchangeNames()
{
    ensureBuiltins();
    QStringList names;
    for (const auto& [name, factory] : registry())
        names.append(name);
    return names;
}

std::unique_ptr<Scenario> createScenario(const QString& name, QString* error)
{
    ensureBuiltins();
    QString why;
    if (!error)
        error = &why;
    const bool isFile = name.endsWith(QLatin1String(".json"), Qt::CaseInsensitive);
    const QString path = isFile ? name : LessonFile::builtinPath(name);
    if (isFile || QFile::exists(path)) {
        const auto lesson = LessonFile::load(path, error);
        if (!lesson)
            return nullptr;
        return scenarioFromLesson(*lesson, error);
    }
    auto s = createExchange(name);
    if (!s)
        *error = QStringLiteral("no scenario named '%1'").arg(name);
    return s;
}

} // namespace ladder::lab
