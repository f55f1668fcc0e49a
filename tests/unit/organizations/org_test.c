/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the Organizations helpers that need no server: the id shapes of the
 * API reference (o-, r-, ou-<root>-, p-, h-, car-, rp-, 12-digit accounts) and the
 * inheritance operators of management policies (@@assign, @@append, @@remove,
 * @@operators_allowed_for_child_policies).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "svc/organizations/internal.h"

static void test_id_kinds(void **state)
{
    (void)state;
    unsigned all = 0x7f;
    assert_int_equal(bw_org__id_kind("123456789012", all), BW_ORG_ID_ACCOUNT);
    assert_int_equal(bw_org__id_kind("12345678901", all), 0);
    assert_int_equal(bw_org__id_kind("r-ab12", all), BW_ORG_ID_ROOT);
    assert_int_equal(bw_org__id_kind("r-AB12", all), 0);
    assert_int_equal(bw_org__id_kind("ou-ab12-abcdefgh", all), BW_ORG_ID_OU);
    assert_int_equal(bw_org__id_kind("ou-ab12-abcdefg", all), 0);
    assert_int_equal(bw_org__id_kind("ou-ab12abcdefgh", all), 0);
    assert_int_equal(bw_org__id_kind("p-FullAWSAccess", all), BW_ORG_ID_POLICY);
    assert_int_equal(bw_org__id_kind("p-1234567", all), 0);
    assert_int_equal(bw_org__id_kind("h-abcdefgh12", all), BW_ORG_ID_HANDSHAKE);
    assert_int_equal(bw_org__id_kind("car-abcdefgh", all), BW_ORG_ID_CAR);
    assert_int_equal(bw_org__id_kind("rp-abcd", all), BW_ORG_ID_RP);
    assert_int_equal(bw_org__id_kind("", all), 0);
    /* a kind not asked for does not match */
    assert_int_equal(bw_org__id_kind("r-ab12", BW_ORG_ID_OU), 0);
}

static void test_tokens(void **state)
{
    (void)state;
    char tok[40];
    int64_t off = 0;
    bw_org__token_make("o-abcdefghij", "ListAccounts", 40, tok);
    assert_true(bw_org__token_parse("o-abcdefghij", "ListAccounts", tok, &off));
    assert_int_equal(off, 40);
    assert_false(bw_org__token_parse("o-abcdefghij", "ListRoots", tok, &off));
    assert_false(bw_org__token_parse("o-other00000", "ListAccounts", tok, &off));
    tok[0] = '5'; /* another offset with the old check value */
    assert_false(bw_org__token_parse("o-abcdefghij", "ListAccounts", tok, &off));
    assert_false(bw_org__token_parse("o-abcdefghij", "ListAccounts", "", &off));
    assert_false(bw_org__token_parse("o-abcdefghij", "ListAccounts", "-1.x", &off));
}

static char *merge_all(struct bw_arena *a, const char *const *docs, size_t n)
{
    json_t *eff = json_object(), *locks = json_object();
    for (size_t i = 0; i < n; i++) {
        json_t *p = json_loads(docs[i], 0, NULL);
        assert_non_null(p);
        bw_org__effective_merge(a, eff, p, locks);
        json_decref(p);
    }
    char *s = json_dumps(eff, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(eff);
    json_decref(locks);
    return s;
}

static void test_merge_operators(void **state)
{
    (void)state;
    struct bw_arena *a = bw_arena_new(0);
    const char *docs[] = {
        ("{\"tags\":{\"cc\":{\"tag_key\":{\"@@assign\":\"CostCenter\"},"
         "\"tag_value\":{\"@@assign\":[\"1\",\"2\"]}}}}"),
        "{\"tags\":{\"cc\":{\"tag_value\":{\"@@append\":[\"2\",\"3\"]}}}}",
        "{\"tags\":{\"cc\":{\"tag_value\":{\"@@remove\":[\"1\"]}}}}",
    };
    char *s = merge_all(a, docs, 3);
    assert_string_equal(s, "{\"tags\":{\"cc\":{\"tag_key\":\"CostCenter\",\"tag_value\":[\"2\","
                           "\"3\"]}}}");
    free(s);
    bw_arena_free(a);
}

static void test_merge_locked(void **state)
{
    (void)state;
    struct bw_arena *a = bw_arena_new(0);
    const char *docs[] = {
        "{\"tags\":{\"cc\":{\"tag_key\":{\"@@assign\":\"CostCenter\","
        "\"@@operators_allowed_for_child_policies\":[\"@@none\"]}}}}",
        "{\"tags\":{\"cc\":{\"tag_key\":{\"@@assign\":\"costcenter\"}}}}",
    };
    char *s = merge_all(a, docs, 2);
    assert_string_equal(s, "{\"tags\":{\"cc\":{\"tag_key\":\"CostCenter\"}}}");
    free(s);
    bw_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_id_kinds),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_merge_operators),
        cmocka_unit_test(test_merge_locked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
