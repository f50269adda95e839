// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>

#include <functional>

// The benchmark corpus: what a UA or proxy sees most. Each message is written with "\n" and sent
// with CRLF; Content-Length is filled in.
struct BenchMessage {
    const char* name;
    QByteArray bytes;
};

// A parser under test: returns false when it rejected the message (which would make its figure
// meaningless, so the bench reports it).
struct BenchParser {
    const char* name;
    std::function<bool(const QByteArray&)> parse;
};

BenchParser osipParser();
BenchParser sofiaParser();
