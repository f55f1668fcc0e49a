/* SPDX-License-Identifier: Apache-2.0 */
/* The detector's sketches: EWMA baselines, HyperLogLog, Space-Saving, vector names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "detect/state.h"

static void ewma_learns_mean_and_spread(void **state)
{
    (void)state;
    struct bw_detect__ewma e = {0};
    for (int i = 0; i < 400; i++)
        bw_detect__ewma_add(&e, i % 2 ? 110 : 90, 0.05);
    assert_true(e.mean > 95 && e.mean < 105);
    assert_true(e.var > 50 && e.var < 150); /* sd about 10 */
    double h = bw_detect__ewma_high(&e, 6, 3, 0);
    assert_true(h >= 300 && h < 320); /* ratio * mean dominates mean + 6 sd */
    assert_true(bw_detect__ewma_high(&e, 6, 3, 1000) == 1000);
}

static void hll_counts_within_ten_percent(void **state)
{
    (void)state;
    static const uint32_t ns[] = {10, 500, 5000, 100000};
    for (size_t k = 0; k < 4; k++) {
        struct bw_detect__hll h;
        memset(&h, 0, sizeof h);
        for (uint32_t i = 0; i < ns[k]; i++) {
            bw_detect__hll_add(&h, bw_detect__hash(&i, sizeof i, 9));
            bw_detect__hll_add(&h, bw_detect__hash(&i, sizeof i, 9)); /* duplicates */
        }
        double c = bw_detect__hll_count(&h);
        assert_true(c > ns[k] * 0.9 && c < ns[k] * 1.1);
    }
}

/* Sequential IPv4 sources (a spoofer's counter) through the source hash the detector's
 * HyperLogLogs reuse: still within 10 %, and spread evenly over the table's sets. */
static void source_hash_counts_sequential_addresses(void **state)
{
    (void)state;
    struct bw_detect__hll h;
    memset(&h, 0, sizeof h);
    static uint32_t sets[SRC_SETS];
    uint8_t a[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    for (uint32_t i = 0; i < 200000; i++) {
        uint32_t ip = 0x2d000000u + i;
        a[12] = (uint8_t)(ip >> 24), a[13] = (uint8_t)(ip >> 16), a[14] = (uint8_t)(ip >> 8);
        a[15] = (uint8_t)ip;
        uint64_t k = bw_detect__src_hash(a);
        bw_detect__hll_add(&h, k);
        sets[k % SRC_SETS]++;
    }
    double c = bw_detect__hll_count(&h);
    assert_true(c > 180000 && c < 220000);
    uint32_t max = 0;
    for (size_t i = 0; i < SRC_SETS; i++)
        max = sets[i] > max ? sets[i] : max;
    assert_true(max < 3 * 200000 / SRC_SETS); /* no set gets three times its share */
}

static void space_saving_finds_heavy_hitters(void **state)
{
    (void)state;
    struct bw_detect__ss s;
    memset(&s, 0, sizeof s);
    for (uint32_t i = 0; i < 20000; i++) {
        uint32_t k = i % 4 == 0 ? 7 : (i % 10 == 1 ? 8 : 1000 + i); /* 7: 25%, 8: 10% */
        bw_detect__ss_add(&s, &k, sizeof k, 1);
    }
    bw_detect__ss_sort(&s);
    uint32_t k0, k1;
    memcpy(&k0, s.e[0].key, 4);
    memcpy(&k1, s.e[1].key, 4);
    assert_int_equal(k0, 7);
    assert_int_equal(k1, 8);
    assert_true(s.count[0] >= 5000 && s.count[0] - s.e[0].err <= 5000);
    assert_int_equal(s.total, 20000);
    assert_true(s.n == BW_DETECT_SS_K); /* bounded */
}

static void vector_names_are_shields(void **state)
{
    (void)state;
    assert_string_equal(bw_detect_vector_name(BW_DETECT_V_SYN_FLOOD), "SYN_FLOOD");
    assert_string_equal(bw_detect_vector_name(BW_DETECT_V_NET_BIOS_REFLECTION),
                        "NET_BIOS_REFLECTION");
    assert_int_equal(bw_detect_vector_parse("MEMCACHED_REFLECTION"),
                     BW_DETECT_V_MEMCACHED_REFLECTION);
    assert_int_equal(bw_detect_vector_parse("nope"), -1);
    assert_null(bw_detect_vector_name(BW_DETECT_V__COUNT));
    assert_int_equal(bw_detect__udp_reflector(1900), BW_DETECT_V_SSDP_REFLECTION);
    assert_int_equal(bw_detect__udp_reflector(11211), BW_DETECT_V_MEMCACHED_REFLECTION);
    assert_int_equal(bw_detect__udp_reflector(389), BW_DETECT_V_GENERIC_UDP_REFLECTION);
    assert_int_equal(bw_detect__udp_reflector(40000), -1);
    for (int v = 0; v < BW_DETECT_V__COUNT; v++)
        assert_non_null(bw_detect_vector_rule(v)->name);
    assert_int_equal(bw_detect_vector_rule(BW_DETECT_V_SSDP_REFLECTION)->port, 1900);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ewma_learns_mean_and_spread),
        cmocka_unit_test(hll_counts_within_ten_percent),
        cmocka_unit_test(source_hash_counts_sequential_addresses),
        cmocka_unit_test(space_saving_finds_heavy_hitters),
        cmocka_unit_test(vector_names_are_shields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
