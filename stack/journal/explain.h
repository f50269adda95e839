// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "event.h"

#include <QList>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace ladder::trace {

class Journal;

// A place in a specification: "RFC 3261 §17.1.1.2, INVITE Client Transaction", or a manual page.
struct Reference {
    QString spec; // "RFC 3261", "sctp_sendmsg(3)", "docs/FAULTS.md"
    QString section; // "17.1.1.2", "Appendix A"; empty: the document as a whole
    QString title; // the section's title, or what the document is about
    QString url; // https://www.rfc-editor.org/rfc/rfc3261#section-17.1.1.2; empty for a local document

    // "RFC 3261 §17.1.1.2", "RFC 4960 Appendix A", "sctp_sendmsg(3)".
    QString label() const;
    bool operator==(const Reference&) const = default;
};

// An RFC section, its URL on rfc-editor.org made from the number and the section.
Reference rfc(int number, const QString& section, const QString& title);

// Why an event happened: the state change it is (or that it made, or that its object was in) and
// the rule that caused it, with the sections that state the rule — the rule's own section first.
// Plain text: event text comes from the network, so a view that renders rich text escapes it.
struct Explanation {
    QString transition; // "INVITE client: Calling -> Proceeding", "in Calling (stays)"; empty if none
    QString why; // the rule, in one to three sentences
    QList<Reference> refs;

    bool isEmpty() const { return why.isEmpty(); }
};

// What explain() may read besides the event: the events journalled before it, of any object, newest
// first. A good answer sometimes needs them — which retransmission this is, the state a transaction
// was in when its timer fired, which timer ended it, whether a 2xx came with a new To tag. Without
// a history (the default) every event still gets a specific answer, only without those details.
class Context {
public:
    // Return false to stop.
    using Visit = std::function<bool(const Event&)>;
    // Calls visit for the events before seq, newest first, until it returns false or none are left.
    using Source = std::function<void(quint64 seq, const Visit& visit)>;

    Context() = default;
    explicit Context(Source before);
    // Over a journal the caller keeps alive while the Context is used; reads at most `lookback`
    // events back from the one explained.
    static Context ofJournal(const Journal& journal, quint64 lookback = kDefaultLookback);
    // Over events in journal order (their seq ascending), e.g. a test's copy of a journal.
    static Context ofEvents(QList<Event> events, quint64 lookback = kDefaultLookback);

    bool hasHistory() const { return bool(m_before); }
    void visitBefore(const Event& e, const Visit& visit) const;
    // The newest earlier event that matches, if any.
    std::optional<Event> lastBefore(const Event& e, const std::function<bool(const Event&)>& match) const;
    // How many earlier events match.
    int countBefore(const Event& e, const std::function<bool(const Event&)>& match) const;

    static constexpr quint64 kDefaultLookback = 50000;

private:
    Source m_before;
};

// Why e happened. Every kind gets a non-empty answer; unknown detail (a chunk type nobody defined)
// gets the general rule.
Explanation explain(const Event& e, const Context& context = {});

// Per-field references for a parsed view.
// The section defining a SIP header field, by full or compact name, any case ("v", "Via",
// "session-expires"): RFC 3261 §20.x, or the extension RFC that defines it. nullopt if unknown.
std::optional<Reference> sipHeaderReference(QStringView name);
// The section of a SIP start line part: "Method", "Request-URI", "Status", "Reason", "Version".
std::optional<Reference> sipStartLineReference(QStringView part);
// The section defining an SCTP chunk type (RFC 4960 §3.3.x, RFC 3758 §3.2, RFC 4895, RFC 5061,
// RFC 6525, RFC 8260…); nullopt for a type no RFC defines.
std::optional<Reference> sctpChunkReference(quint8 type);
// The section defining one field of a chunk ("TSN", "a_rwnd", "Gap blocks", "Initiate tag",
// "Cause"…), falling back to the chunk's own section; chunk type 0xff with field names of the
// common header ("Source port", "Verification tag", "Checksum (CRC32c)") gives RFC 4960 §3.1.
std::optional<Reference> sctpFieldReference(quint8 chunkType, QStringView field);
inline constexpr quint8 kSctpCommonHeader = 0xff;

} // namespace ladder::trace
