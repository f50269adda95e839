// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

class QTreeWidgetItem;
class QByteArray;

namespace ladder::ui {

// Registers the inspector's parsed views: SIP messages (start line, headers, URI parts,
// parameters, body) and SCTP packets (common header, every chunk with its fields).
void registerInspectorDecoders();

// The trees themselves, for tests.
void decodeSip(const QByteArray& raw, QTreeWidgetItem* root);
void decodeSctp(const QByteArray& raw, QTreeWidgetItem* root);

} // namespace ladder::ui
