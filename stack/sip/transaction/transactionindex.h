// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "transactionmap.h"

#include <QByteArrayView>

namespace ladder::sip {

class Transaction;

// Live transactions by a matching key (the branch, or the RFC 2543 stand-in key): a flat hash of
// the key's 64-bit hash to the newest transaction with it; transactions sharing a hash are
// chained through the transaction itself. A lookup compares integers and touches only the
// transactions it returns — a hash of QByteArray keys compared every probed key's bytes (a
// cache miss each with 10^5 live transactions) and allocated a chain node per entry.
// Callers check the real key (and method, sent-by) of what they walk.
class TransactionIndex {
public:
    static quint64 hashOf(QByteArrayView key);

    // Adds t under its key's hash; the newest comes first when walking.
    void insert(Transaction* t, QByteArrayView key);
    void remove(Transaction* t);
    // The first transaction whose key hashes like `key`; continue with next().
    Transaction* first(QByteArrayView key) const;
    static Transaction* next(const Transaction* t);
    qsizetype size() const { return m_size; }

private:
    TransactionMap m_heads;
    qsizetype m_size = 0;
};

} // namespace ladder::sip
