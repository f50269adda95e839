// SPDX-License-Identifier: GPL-3.0-or-later
#include "corpus.h"

#include <osipparser2/osip_parser.h>

BenchParser osipParser()
{
    parser_init();
    return { "oSIP2 osip_message_parse", [](const QByteArray& b) {
                osip_message_t* m = nullptr;
                osip_message_init(&m);
                const int rc = osip_message_parse(m, b.constData(), size_t(b.size()));
                osip_message_free(m);
                return rc == 0;
            } };
}
