// SPDX-License-Identifier: GPL-3.0-or-later
#include "transactionindex.h"

#include "transaction.h"

namespace ladder::sip {

quint64 TransactionIndex::hashOf(QByteArrayView key)
{
    // FNV-1a: keys are short (a branch is ~23 bytes) and only ever compared in-process. Never 0
    // (the map's empty key).
    quint64 h = 14695981039346656037ULL;
    for (char ch : key) {
        h ^= quint8(ch);
        h *= 1099511628211ULL;
    }
    return h ? h : 1;
}

void TransactionIndex::insert(Transaction* t, QByteArrayView key)
{
    const quint64 h = hashOf(key);
    t->m_indexHash = h;
    Transaction*& head = m_heads[h];
    t->m_indexNext = head;
    head = t;
    ++m_size;
}

void TransactionIndex::remove(Transaction* t)
{
    Transaction* const head = m_heads.value(t->m_indexHash);
    if (!head)
        return;
    if (head == t) {
        if (t->m_indexNext)
            m_heads[t->m_indexHash] = t->m_indexNext;
        else
            m_heads.take(t->m_indexHash);
    } else {
        Transaction* p = head;
        while (p->m_indexNext && p->m_indexNext != t)
            p = p->m_indexNext;
        if (p->m_indexNext != t)
            return;
        p->m_indexNext = t->m_indexNext;
    }
    t->m_indexNext = nullptr;
    --m_size;
}

Transaction* TransactionIndex::first(QByteArrayView key) const { return m_heads.value(hashOf(key)); }

Transaction* TransactionIndex::next(const Transaction* t) { return t->m_indexNext; }

} // namespace ladder::sip
