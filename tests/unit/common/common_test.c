/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for src/common: error table, arena, buffers, time parsing, ids. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/arena.h"
#include "common/errors.h"
#include "common/util.h"

static void error_table(void **state)
{
    (void)state;
    assert_string_equal(bw_code_aws_name(BW_E_IAM_NO_SUCH_ENTITY), "NoSuchEntity");
    assert_int_equal(bw_code_http_status(BW_E_IAM_NO_SUCH_ENTITY), 404);
    assert_string_equal(bw_code_aws_name(BW_E_SIGNATURE_DOES_NOT_MATCH), "SignatureDoesNotMatch");
    assert_int_equal(bw_code_http_status(BW_E_INTERNAL), 500);
    assert_string_equal(bw_code_aws_name((enum bw_code)9999), "InternalFailure");
    struct bw_err err;
    bw_err_clear(&err);
    assert_int_equal(bw_fail(&err, BW_E_VALIDATION, "bad %s", "x"), BW_E_VALIDATION);
    assert_string_equal(err.msg, "bad x");
    assert_non_null(err.file);
    err.name = "AccessDeniedException";
    assert_string_equal(bw_err_name(&err), "AccessDeniedException");
}

static void arena_basics(void **state)
{
    (void)state;
    struct bw_arena *a = bw_arena_new(64);
    char *s = bw_arena_strdup(a, "hello");
    assert_string_equal(s, "hello");
    void *big = bw_arena_alloc(a, 100000); /* larger than a block */
    memset(big, 1, 100000);
    assert_true(((uintptr_t)bw_arena_alloc(a, 3) & 15) == 0);
    assert_string_equal(bw_arena_printf(a, "%d-%s", 42, "x"), "42-x");
    assert_true(bw_arena_used(a) >= 100000);
    bw_arena_free(a);
    bw_arena_free(NULL);
}

static int deferred_calls;
static void count_defer(void *p)
{
    deferred_calls += *(int *)p;
}

static void arena_defer_runs_once(void **state)
{
    (void)state;
    struct bw_arena *a = bw_arena_new(0);
    int one = 1, ten = 10;
    deferred_calls = 0;
    bw_arena_defer(a, count_defer, &one);
    bw_arena_defer(a, count_defer, &ten);
    bw_arena_free(a);
    assert_int_equal(deferred_calls, 11);
}

static void buffers_grow(void **state)
{
    (void)state;
    struct bw_arena *a = bw_arena_new(0);
    struct bw_buf b;
    bw_buf_init(&b, a, 4);
    for (int i = 0; i < 1000; i++)
        bw_buf_printf(&b, "%d,", i);
    assert_int_equal(strncmp(bw_buf_cstr(&b), "0,1,2,", 6), 0);
    assert_int_equal(b.len, strlen(b.p));
    char longs[600];
    memset(longs, 'x', sizeof longs - 1);
    longs[sizeof longs - 1] = 0;
    bw_buf_printf(&b, "%s", longs); /* longer than the printf scratch buffer */
    assert_int_equal(b.p[b.len - 1], 'x');
    bw_arena_free(a);
}

static void time_parsing(void **state)
{
    (void)state;
    int64_t t;
    assert_true(bw_time_parse("2016-11-28T12:00:00Z", 20, &t));
    assert_int_equal(t, 1480334400);
    assert_true(bw_time_parse("20161128T120000Z", 16, &t));
    assert_int_equal(t, 1480334400);
    assert_true(bw_time_parse("2016-11-28T13:00:00+01:00", 25, &t));
    assert_int_equal(t, 1480334400);
    assert_true(bw_time_parse("2016-11-28T12:00:00.123Z", 24, &t));
    assert_true(bw_time_parse("2016-11-28", 10, &t));
    assert_false(bw_time_parse("2016-13-28T12:00:00Z", 20, &t));
    assert_false(bw_time_parse("2016-11-28T12:00:00Zjunk", 24, &t));
    assert_false(bw_time_parse("", 0, &t));
    char out[32];
    bw_time_iso8601(1480334400, out, sizeof out);
    assert_string_equal(out, "2016-11-28T12:00:00Z");
}

static void random_ids(void **state)
{
    (void)state;
    char a[13], b[13];
    bw_random_chars(a, 12, BW_ALPHA_DIGITS);
    bw_random_chars(b, 12, BW_ALPHA_DIGITS);
    assert_int_equal(strlen(a), 12);
    assert_string_not_equal(a, b);
    for (int i = 0; i < 12; i++)
        assert_true(a[i] >= '0' && a[i] <= '9');
    char u[37];
    bw_uuid4(u);
    assert_int_equal(strlen(u), 36);
    assert_int_equal(u[14], '4');
    char hx[9];
    bw_hex_encode("\x01\xab\xff\x00", 4, hx);
    assert_string_equal(hx, "01abff00");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(error_table),           cmocka_unit_test(arena_basics),
        cmocka_unit_test(arena_defer_runs_once), cmocka_unit_test(buffers_grow),
        cmocka_unit_test(time_parsing),          cmocka_unit_test(random_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
