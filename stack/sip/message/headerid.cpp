// SPDX-License-Identifier: GPL-3.0-or-later
#include "headerid.h"

#include "headeridtable.h"

namespace ladder::sip {

using headerids::kHeaders;

HeaderId headerIdFromName(QByteArrayView name) { return headerids::lookup(name); }

QByteArrayView headerName(HeaderId id) { return kHeaders[std::size_t(id)].name; }
char headerCompactForm(HeaderId id) { return kHeaders[std::size_t(id)].compact; }
bool headerIsList(HeaderId id) { return kHeaders[std::size_t(id)].list; }

} // namespace ladder::sip
