/* SPDX-License-Identifier: Apache-2.0 */
/* The HTTP/1.x request-head parser used by the layer-7 detector. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "detect/internal.h"

static int parse(const char *s, struct bw_detect__http_req *r)
{
    return bw_detect__http_parse((const uint8_t *)s, strlen(s), r);
}

static void full_head(void **state)
{
    (void)state;
    struct bw_detect__http_req r;
    const char *s = "GET /a?b=1 HTTP/1.1\r\nHost: x\r\nuser-agent:  Foo/1.0 \r\n\r\nBODY";
    assert_int_equal(parse(s, &r), 1);
    assert_int_equal(r.head_len, strlen(s) - 4);
    assert_memory_equal(r.method, "GET", 3);
    assert_int_equal(r.url_len, 6);
    assert_memory_equal(r.url, "/a?b=1", 6);
    assert_int_equal(r.ua_len, 7);
    assert_memory_equal(r.ua, "Foo/1.0", 7);
}

static void bare_lf_and_no_agent(void **state)
{
    (void)state;
    struct bw_detect__http_req r;
    assert_int_equal(parse("HEAD / HTTP/1.0\nHost: y\n\n", &r), 1);
    assert_null(r.ua);
    assert_int_equal(r.method_len, 4);
}

static void incomplete_heads_need_more(void **state)
{
    (void)state;
    struct bw_detect__http_req r;
    assert_int_equal(parse("", &r), 0);
    assert_int_equal(parse("GET / HT", &r), 0);
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\n", &r), 0);
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\nX-a: b\r\n", &r), 0);
}

static void not_http(void **state)
{
    (void)state;
    struct bw_detect__http_req r;
    assert_int_equal(parse("\x16\x03\x01", &r), -1);
    assert_int_equal(parse("get / HTTP/1.1\r\n\r\n", &r), -1);
    assert_int_equal(parse("GET / HTTP/2.0\r\n\r\n", &r), -1);
    assert_int_equal(parse("GET  HTTP/1.1\r\n\r\n", &r), -1);
    assert_int_equal(parse("GET /\r\n\r\n", &r), -1);
    assert_false(bw_detect__http_looks_like((const uint8_t *)"GE", 2));
    assert_true(bw_detect__http_looks_like((const uint8_t *)"OPTIONS *", 9));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(full_head),
        cmocka_unit_test(bare_lf_and_no_agent),
        cmocka_unit_test(incomplete_heads_need_more),
        cmocka_unit_test(not_http),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
