// SPDX-License-Identifier: GPL-3.0-or-later
#include "corpus.h"

#include <sofia-sip/msg.h>
#include <sofia-sip/sip_header.h>

BenchParser sofiaParser()
{
    return { "sofia-sip msg_make", [](const QByteArray& b) {
                msg_t* m = msg_make(sip_default_mclass(), 0, b.constData(), b.size());
                const bool ok = m != nullptr && sip_object(m) != nullptr && sip_object(m)->sip_error == nullptr;
                msg_destroy(m);
                return ok;
            } };
}
