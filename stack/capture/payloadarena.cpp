// SPDX-License-Identifier: GPL-3.0-or-later
#include "payloadarena.h"

#include <sys/mman.h>

#include <cstdint>
#include <cstring>

namespace ladder::trace {

QByteArray PayloadArena::copy(const char* p, qsizetype n)
{
    if (n <= 0 || n > kMaxShared)
        return QByteArray(p, n);
    if (!m_block || m_capacity - m_used < n + 1)
        newBlock();
    char* at = m_data + m_used;
    std::memcpy(at, p, std::size_t(n));
    at[n] = '\0';
    m_used += (n + 1 + 7) & ~qsizetype(7);
    m_block->ref();
    return QByteArray(QByteArray::DataPointer(m_block, at, n));
}

void PayloadArena::newBlock()
{
    release();
    // Copies go into a 2 MiB-aligned stretch of kBlockBytes inside the allocation, asked to be
    // backed by transparent huge pages (one fault each, not 512); the unaligned ends around it
    // are never touched, so they cost neither faults nor resident memory.
    constexpr std::uintptr_t kHuge = std::uintptr_t(2) << 20;
    if (!m_huge) {
        auto [block, data] = QTypedArrayData<char>::allocate(kBlockBytes);
        if (!block || !data)
            qBadAlloc();
        m_block = block;
        m_data = data;
        m_used = 0;
        m_capacity = kBlockBytes;
        return;
    }
    auto [block, data] = QTypedArrayData<char>::allocate(kBlockBytes + qsizetype(kHuge));
    if (!block || !data)
        qBadAlloc();
    const auto start = reinterpret_cast<std::uintptr_t>(data);
    const std::uintptr_t aligned = (start + kHuge - 1) & ~(kHuge - 1);
    m_block = block;
    m_data = reinterpret_cast<char*>(aligned);
    m_used = 0;
    m_capacity = kBlockBytes;
    madvise(m_data, std::size_t(kBlockBytes), MADV_HUGEPAGE);
}

void PayloadArena::release()
{
    if (m_block && !m_block->deref())
        QTypedArrayData<char>::deallocate(m_block);
    m_block = nullptr;
    m_data = nullptr;
    m_used = m_capacity = 0;
}

} // namespace ladder::trace
