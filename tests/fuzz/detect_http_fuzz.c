/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the HTTP/1.x request-head parser the layer-7 detector reads client streams
 * with: any bytes give 1, 0 or -1, never a read outside the buffer, and a complete
 * head's fields lie inside it.
 */
#include "fuzz.h"

#include <assert.h>

#include "detect/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bw_detect__http_req req;
    (void)bw_detect__http_looks_like(data, size);
    int rc = bw_detect__http_parse(data, size, &req);
    assert(rc >= -1 && rc <= 1);
    if (rc == 1) {
        assert(req.head_len <= size);
        assert(req.method == data && req.method_len > 0);
        assert(req.url > data && req.url + req.url_len <= data + size);
        assert(!req.ua || (req.ua >= data && req.ua + req.ua_len <= data + size));
    }
    return 0;
}
