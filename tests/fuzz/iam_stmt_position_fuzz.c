/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the IAM simulator's statement locator (bw_iam__stmt_position) and
 * the document percent-encoder on arbitrary bytes. The first byte picks the
 * statement index; the rest, copied into an exact-size NUL-terminated buffer,
 * is the document.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "svc/iam/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char *doc = malloc(size);
    memcpy(doc, data + 1, size - 1);
    doc[size - 1] = 0;
    int pos[4];
    if (bw_iam__stmt_position(doc, data[0] % 8, pos) && (pos[0] < 1 || pos[1] < 1))
        abort();
    struct bw_arena *a = bw_arena_new(size * 3 + 16);
    const char *enc = bw_iam__urlenc(a, doc);
    if (strlen(enc) < strlen(doc))
        abort();
    (void)bw_iam__policy_chars(doc);
    bw_arena_free(a);
    free(doc);
    return 0;
}
