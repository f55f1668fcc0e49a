/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes what Organizations parses from hostile input without a server: the id
 * shapes and NextTokens (every line of the input is tried as an id of every kind and
 * as a token) and the merge of
 * management policies with inheritance operators (the input, split at NUL bytes,
 * is up to four JSON documents merged in order, as DescribeEffectivePolicy does down
 * root → OUs → account). Each piece is copied into an exact-size buffer.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "svc/organizations/internal.h"

static void ids(const uint8_t *data, size_t size)
{
    size_t start = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i < size && data[i] != '\n')
            continue;
        char *s = malloc(i - start + 1);
        memcpy(s, data + start, i - start);
        s[i - start] = 0;
        int64_t off;
        (void)bw_org__id_kind(s, 0x7f);
        (void)bw_org__token_parse("o-abcdefghij", "ListAccounts", s, &off);
        free(s);
        start = i + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ids(data, size);
    struct bw_arena *a = bw_arena_new(0);
    json_t *eff = json_object(), *locks = json_object();
    size_t start = 0;
    for (size_t i = 0, n = 0; i <= size && n < 4; i++) {
        if (i < size && data[i] != 0)
            continue;
        char *doc = malloc(i - start + 1);
        memcpy(doc, data + start, i - start);
        json_t *p = json_loadb(doc, i - start, JSON_DECODE_ANY, NULL);
        bw_org__effective_merge(a, eff, p, locks);
        json_decref(p);
        free(doc);
        start = i + 1;
        n++;
    }
    char *s = json_dumps(eff, JSON_COMPACT);
    free(s);
    json_decref(eff);
    json_decref(locks);
    bw_arena_free(a);
    return 0;
}
