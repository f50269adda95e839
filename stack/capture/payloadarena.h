// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>

namespace ladder::trace {

// Copies of captured payloads (the bytes of every SIP message a capture holds) as QByteArrays
// that share large blocks instead of one allocation each: a capture of 10⁵ messages made as
// many mallocs of a few hundred bytes, each new page of which the kernel faulted in 4 KiB at a
// time; a block is one allocation whose 2 MiB-aligned interior (where the copies go) is asked
// to be backed by transparent huge pages.
//
// Each copy is an ordinary QByteArray (Qt's data pointer: the block's shared header and a
// pointer into the block), NUL-terminated like any other, holding a reference on its block; the
// block is freed when the arena and the last copy in it let go. Only a copy that is alone on its
// block (reference count 1) may grow in place into the block's unused end, and whatever lies
// there is by then no other copy's. The cost: a kept copy keeps its whole block (at most
// kBlockBytes) alive; the captures' kept messages come in order, so blocks fill with kept bytes.
class PayloadArena {
public:
    static constexpr qsizetype kBlockBytes = qsizetype(4) << 20;
    static constexpr qsizetype kMaxShared = 16 * 1024; // larger payloads get an allocation of their own

    // hugePages false: the blocks are ordinary allocations whose pages become resident as they
    // are written, for an arena of small strings (a tracker's Call-IDs, tags and branches: a few
    // MB, where a huge page half used is a 2 MiB page resident whole).
    explicit PayloadArena(bool hugePages = true)
        : m_huge(hugePages)
    {
    }
    PayloadArena(const PayloadArena&) = delete;
    PayloadArena& operator=(const PayloadArena&) = delete;
    ~PayloadArena() { release(); }

    QByteArray copy(const char* p, qsizetype n);

private:
    void newBlock();
    void release();

    QTypedArrayData<char>* m_block = nullptr;
    char* m_data = nullptr;
    qsizetype m_used = 0;
    qsizetype m_capacity = 0;
    bool m_huge = true;
};

} // namespace ladder::trace
