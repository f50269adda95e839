// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <optional>
#include <utility>

namespace ladder::sctp {

// An error as sctp_sendmsg(3) and friends report it: the errno value, its name and a sentence that
// tells the user what to fix.
struct Error {
    int code = 0;
    QString sentence;

    QString name() const;
    // "EINVAL: stream 7 does not exist: the association has 5 outbound streams."
    QString text() const;
};

// The errno name ("EAGAIN") of an errno value, or "E<number>" for one we do not name.
QString errnoName(int code);

// A value or an Error. Small on purpose: the stack needs exactly this and no more.
template <class T>
class Result {
public:
    Result(T value)
        : m_value(std::move(value))
    {
    }
    Result(Error error)
        : m_error(std::move(error))
    {
    }
    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }
    const T& value() const { return *m_value; }
    T& value() { return *m_value; }
    const T& operator*() const { return *m_value; }
    const T* operator->() const { return &*m_value; }
    T* operator->() { return &*m_value; }
    const Error& error() const { return m_error; }
    int code() const { return m_error.code; }

private:
    std::optional<T> m_value;
    Error m_error;
};

template <>
class Result<void> {
public:
    Result() = default;
    Result(Error error)
        : m_error(std::move(error))
        , m_failed(true)
    {
    }
    bool ok() const { return !m_failed; }
    explicit operator bool() const { return ok(); }
    const Error& error() const { return m_error; }
    int code() const { return m_error.code; }

private:
    Error m_error;
    bool m_failed = false;
};

} // namespace ladder::sctp
