/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for src/proto: the form decoder, XML escaping, error rendering in
 * both protocols, and the whole pipeline (route → SigV4 → handler → render) on a
 * server in a temporary data dir with a test service.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/util.h"
#include "proto/internal.h"

static void form_decoding(void **state)
{
    (void)state;
    struct bw_arena *a = bw_arena_new(0);
    struct bw_param *p = NULL;
    size_t n = 0, cap = 0;
    struct bw_err err;
    const char *body = "Action=CreateUser&UserName=a%2Bb+c&Empty=&Flag&Tags.member.1.Key=k";
    assert_int_equal(bw_proto__form_decode(a, body, strlen(body), &p, &n, &cap, &err), BW_OK);
    bw_proto__params_sort(p, n);
    struct bw_call c = {.params = p, .n_params = n};
    assert_string_equal(bw_q_get(&c, "UserName"), "a+b c");
    assert_string_equal(bw_q_get(&c, "Empty"), "");
    assert_string_equal(bw_q_get(&c, "Flag"), "");
    assert_null(bw_q_get(&c, "Missing"));
    assert_string_equal(bw_q_member(&c, "Tags", 1, "Key"), "k");
    assert_int_equal(bw_q_member_count(&c, "Tags", "Key"), 1);
    const char *bad[] = {"A=%", "A=%4", "A=%zz", "%00=x", "A=%00"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        n = 0;
        assert_int_equal(bw_proto__form_decode(a, bad[i], strlen(bad[i]), &p, &n, &cap, &err),
                         BW_E_MALFORMED_QUERY_STRING);
    }
    bw_arena_free(a);
}

static void xml_escaping(void **state)
{
    (void)state;
    struct bw_arena *a = bw_arena_new(0);
    struct bw_buf b;
    bw_buf_init(&b, a, 8);
    bw_xml_elem(&b, "V", "<a href=\"x\">&'</a>");
    assert_string_equal(b.p, "<V>&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;</V>");
    bw_arena_free(a);
}

static void error_rendering(void **state)
{
    (void)state;
    struct bw_arena *a = bw_arena_new(0);
    struct bw_err err;
    bw_fail(&err, BW_E_IAM_NO_SUCH_ENTITY, "The user with name <x> cannot be found.");
    struct bw_response r;
    bw_proto__query_error(a, "https://iam.amazonaws.com/doc/2010-05-08/", "req-1", &err, &r);
    assert_int_equal(r.status, 404);
    assert_non_null(strstr(r.body, "<Type>Sender</Type>"));
    assert_non_null(strstr(r.body, "<Code>NoSuchEntity</Code>"));
    assert_non_null(strstr(r.body, "name &lt;x&gt; cannot"));
    assert_non_null(strstr(r.body, "<RequestId>req-1</RequestId>"));
    bw_fail(&err, BW_E_ACCESS_DENIED, "denied");
    err.name = "AccessDeniedException";
    err.reason = "SOME_REASON";
    bw_proto__json_error(a, &err, &r);
    assert_int_equal(r.status, 403);
    assert_string_equal(r.content_type, "application/x-amz-json-1.1");
    assert_non_null(strstr(r.body, "\"__type\":\"AccessDeniedException\""));
    assert_non_null(strstr(r.body, "\"Reason\":\"SOME_REASON\""));
    bw_arena_free(a);
}

/* ---- the pipeline with a test service ---- */

static enum bw_code echo(struct bw_call *c, struct bw_err *err)
{
    const char *v = bw_q_get(c, "Value");
    if (!v)
        return bw_fail(err, BW_E_VALIDATION, "Value is required");
    bw_xml_elem(&c->xml, "Echo", v);
    bw_xml_elem(&c->xml, "Caller", c->principal->arn);
    return BW_OK;
}

static const struct bw_op test_ops[] = {
    {"Echo", "test:Echo", BW_OP_NO_AUTHZ, NULL, echo},
};
static const struct bw_service test_svc = {
    .name = "sts", /* signs as sts so the scope check passes */
    .event_source = "test.amazonaws.com",
    .protocol = BW_PROTO_QUERY,
    .xmlns = "urn:test",
    .version = "2011-06-15",
    .access_denied = "AccessDenied",
    .ops = test_ops,
    .n_ops = 1,
};

struct fixture {
    char dir[64];
    struct bw_server *srv;
    const char *akid, *secret;
    struct bw_arena *keep;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/bw-proto-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    struct bw_server_config cfg = {.data_dir = f->dir};
    struct bw_err err;
    assert_int_equal(bw_server_new(&cfg, &f->srv, &err), BW_OK);
    bw_server_add_service(f->srv, &test_svc);
    /* an account with a root key, straight into the store */
    struct bw_db *db = bw_server_db(f->srv, &err);
    f->keep = bw_arena_new(0);
    assert_int_equal(bw_db_exec(db, &err, NULL,
                                "INSERT INTO accounts (id, name, email, created_at)"
                                " VALUES ('123456789012','t','t@x',0)",
                                ""),
                     BW_OK);
    f->akid = "AKIATESTTESTTESTTEST";
    f->secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    void *blob;
    size_t bl;
    bw_secrets_seal(bw_server_secrets(f->srv), f->akid, f->secret, strlen(f->secret), f->keep,
                    &blob, &bl);
    assert_int_equal(bw_db_exec(db, &err, NULL,
                                "INSERT INTO iam_access_keys (id, account_id, user_name,"
                                " secret_enc, created_at) VALUES (?, '123456789012', NULL, ?, 0)",
                                "sb", f->akid, blob, bl),
                     BW_OK);
    bw_server_db_put(f->srv, db);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    bw_server_free(f->srv);
    bw_arena_free(f->keep);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static struct bw_response call(struct fixture *f, struct bw_arena *a, const char *body,
                               const char *secret)
{
    struct bw_sigv4_header h[2] = {
        {BW_STR("Host"), BW_STR("localhost")},
        {BW_STR("Content-Type"), BW_STR("application/x-www-form-urlencoded")},
    };
    struct bw_sigv4_request sr = {.method = BW_STR("POST"),
                                  .path = BW_STR("/"),
                                  .query = BW_STR(""),
                                  .headers = h,
                                  .n_headers = 2,
                                  .payload = bw_str_c(body)};
    struct bw_sigv4_creds cr = {f->akid, secret, NULL};
    struct bw_sigv4_signed sig;
    struct bw_err err;
    assert_int_equal(
        bw_sigv4_sign(&sr, &cr, "us-east-1", "sts", bw_now_ms() / 1000, NULL, a, &sig, &err),
        BW_OK);
    struct bw_request *req = BW_ARENA_NEW(a, struct bw_request);
    req->arena = a;
    req->method = "POST";
    req->path = "/";
    req->query = "";
    req->body = body;
    req->body_len = strlen(body);
    req->start_ns = bw_mono_ns();
    struct bw_header *hh = BW_ARENA_NEWN(a, struct bw_header, 4);
    hh[0] = (struct bw_header){"Host", "localhost"};
    hh[1] = (struct bw_header){"Content-Type", "application/x-www-form-urlencoded"};
    hh[2] = (struct bw_header){"X-Amz-Date", bw_arena_strdup(a, sig.amz_date)};
    hh[3] = (struct bw_header){"Authorization", sig.authorization};
    req->headers = hh;
    req->n_headers = 4;
    snprintf(req->source_ip, sizeof req->source_ip, "127.0.0.1");
    struct bw_response resp;
    bw_server_handle(f->srv, req, &resp);
    return resp;
}

static void pipeline_ok(void **state)
{
    struct fixture *f = *state;
    struct bw_arena *a = bw_arena_new(0);
    struct bw_response r = call(f, a, "Action=Echo&Version=2011-06-15&Value=hi%3C", f->secret);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "<EchoResponse xmlns=\"urn:test\">"));
    assert_non_null(strstr(r.body, "<Echo>hi&lt;</Echo>"));
    assert_non_null(strstr(r.body, "<Caller>arn:aws:iam::123456789012:root</Caller>"));
    /* the arena high-water mark of a typical call stays small */
    assert_true(bw_arena_used(a) < 64 * 1024);
    bw_arena_free(a);
}

static void pipeline_errors(void **state)
{
    struct fixture *f = *state;
    struct bw_arena *a = bw_arena_new(0);
    struct bw_response r = call(f, a, "Action=Echo&Version=2011-06-15", f->secret);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "<Code>ValidationError</Code>"));
    r = call(f, a, "Action=Echo&Version=2011-06-15&Value=x",
             "wrongwrongwrongwrongwrongwrongwrongwrong");
    assert_int_equal(r.status, 403);
    assert_non_null(strstr(r.body, "<Code>SignatureDoesNotMatch</Code>"));
    r = call(f, a, "Action=Nope&Version=2011-06-15", f->secret);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "<Code>InvalidAction</Code>"));
    r = call(f, a, "Action=Echo&Version=1999-01-01&Value=x", f->secret);
    assert_non_null(strstr(r.body, "<Code>InvalidAction</Code>"));
    bw_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(form_decoding),
        cmocka_unit_test(xml_escaping),
        cmocka_unit_test(error_rendering),
        cmocka_unit_test_setup_teardown(pipeline_ok, setup, teardown),
        cmocka_unit_test_setup_teardown(pipeline_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
