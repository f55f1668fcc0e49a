/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The AWS Query protocol: form-encoded input (Action, Version, fields with
 * ".member.N" lists) and XML output in the service's namespace:
 *
 *   <CreateUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
 *     <CreateUserResult>…</CreateUserResult>
 *     <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata>
 *   </CreateUserResponse>
 *
 *   <ErrorResponse xmlns="…"><Error><Type>Sender</Type><Code>…</Code>
 *     <Message>…</Message></Error><RequestId>…</RequestId></ErrorResponse>
 */
#include "proto/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decodes (and '+' → ' ') into the arena; false on a bad escape. */
static bool url_decode(struct bw_arena *a, const char *p, size_t len, char **out)
{
    char *s = bw_arena_alloc(a, len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] == '+') {
            s[n++] = ' ';
        } else if (p[i] == '%') {
            if (i + 2 >= len)
                return false;
            int h = hexval(p[i + 1]), l = hexval(p[i + 2]);
            if (h < 0 || l < 0)
                return false;
            s[n++] = (char)(h * 16 + l);
            i += 2;
        } else {
            s[n++] = p[i];
        }
    }
    s[n] = 0;
    if (memchr(s, 0, n))
        return false; /* an embedded NUL is never a valid field */
    *out = s;
    return true;
}

enum bw_code bw_proto__form_decode(struct bw_arena *a, const char *p, size_t len,
                                   struct bw_param **params, size_t *n, size_t *cap,
                                   struct bw_err *err)
{
    size_t i = 0;
    while (i < len) {
        const char *amp = memchr(p + i, '&', len - i);
        size_t end = amp ? (size_t)(amp - p) : len;
        if (end > i) {
            const char *eq = memchr(p + i, '=', end - i);
            size_t klen = eq ? (size_t)(eq - (p + i)) : end - i;
            char *k, *v = "";
            if (!url_decode(a, p + i, klen, &k) ||
                (eq && !url_decode(a, eq + 1, end - i - klen - 1, &v)))
                return bw_fail(err, BW_E_MALFORMED_QUERY_STRING,
                               "The query string or form body is not properly URL-encoded.");
            if (*n == *cap) {
                size_t nc = *cap ? *cap * 2 : 16;
                struct bw_param *np = bw_arena_alloc(a, nc * sizeof *np);
                if (*n)
                    memcpy(np, *params, *n * sizeof *np);
                *params = np;
                *cap = nc;
            }
            (*params)[(*n)++] = (struct bw_param){k, v};
        }
        i = end + 1;
    }
    return BW_OK;
}

static int param_cmp(const void *a, const void *b)
{
    return strcmp(((const struct bw_param *)a)->name, ((const struct bw_param *)b)->name);
}

void bw_proto__params_sort(struct bw_param *params, size_t n)
{
    if (n > 1)
        qsort(params, n, sizeof *params, param_cmp);
}

const char *bw_q_get(const struct bw_call *c, const char *name)
{
    size_t lo = 0, hi = c->n_params;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int r = strcmp(c->params[mid].name, name);
        if (r == 0)
            return c->params[mid].value;
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const char *bw_q_member(const struct bw_call *c, const char *prefix, int i, const char *suffix)
{
    char key[256];
    if (suffix)
        snprintf(key, sizeof key, "%s.member.%d.%s", prefix, i, suffix);
    else
        snprintf(key, sizeof key, "%s.member.%d", prefix, i);
    return bw_q_get(c, key);
}

int bw_q_member_count(const struct bw_call *c, const char *prefix, const char *suffix)
{
    int i = 1;
    while (bw_q_member(c, prefix, i, suffix))
        i++;
    return i - 1;
}

void bw_xml_escape(struct bw_buf *b, const char *s, size_t len)
{
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&apos;";
            break;
        case '\r':
            rep = "&#xD;";
            break;
        default:
            continue;
        }
        bw_buf_add(b, s + run, i - run);
        bw_buf_adds(b, rep);
        run = i + 1;
    }
    bw_buf_add(b, s + run, len - run);
}

void bw_xml_open(struct bw_buf *b, const char *tag)
{
    bw_buf_addc(b, '<');
    bw_buf_adds(b, tag);
    bw_buf_addc(b, '>');
}

void bw_xml_close(struct bw_buf *b, const char *tag)
{
    bw_buf_add(b, "</", 2);
    bw_buf_adds(b, tag);
    bw_buf_addc(b, '>');
}

void bw_xml_elem(struct bw_buf *b, const char *tag, const char *value)
{
    if (!value)
        return;
    bw_xml_open(b, tag);
    bw_xml_escape(b, value, strlen(value));
    bw_xml_close(b, tag);
}

void bw_xml_elem_int(struct bw_buf *b, const char *tag, int64_t value)
{
    bw_xml_open(b, tag);
    bw_buf_printf(b, "%lld", (long long)value);
    bw_xml_close(b, tag);
}

void bw_xml_elem_bool(struct bw_buf *b, const char *tag, bool value)
{
    bw_xml_elem(b, tag, value ? "true" : "false");
}

void bw_xml_elem_time(struct bw_buf *b, const char *tag, int64_t ms)
{
    char t[32];
    bw_time_iso8601(ms / 1000, t, sizeof t);
    bw_xml_elem(b, tag, t);
}

void bw_proto__query_ok(struct bw_call *c, struct bw_response *resp)
{
    struct bw_buf out;
    bw_buf_init(&out, c->arena, c->xml.len + 512);
    bw_buf_printf(&out, "<%sResponse xmlns=\"%s\">\n", c->op->name, c->svc->xmlns);
    /* Always the <OpResult> wrapper, even when empty: SDKs expect it for operations with
     * an (empty) output structure such as UpdateRole, and ignore it for the others. */
    bw_buf_printf(&out, "  <%sResult>", c->op->name);
    bw_buf_add(&out, c->xml.p, c->xml.len);
    bw_buf_printf(&out, "</%sResult>\n", c->op->name);
    bw_buf_printf(&out,
                  "  <ResponseMetadata>\n    <RequestId>%s</RequestId>\n  </ResponseMetadata>\n"
                  "</%sResponse>\n",
                  c->req->request_id, c->op->name);
    resp->status = 200;
    resp->content_type = "text/xml";
    resp->body = out.p;
    resp->body_len = out.len;
}

void bw_proto__query_error(struct bw_arena *a, const char *xmlns, const char *request_id,
                           const struct bw_err *err, struct bw_response *resp)
{
    struct bw_buf out;
    bw_buf_init(&out, a, 512);
    int status = bw_code_http_status(err->code);
    bw_buf_printf(&out, "<ErrorResponse xmlns=\"%s\">\n  <Error>\n    <Type>",
                  xmlns ? xmlns : "https://iam.amazonaws.com/doc/2010-05-08/");
    bw_buf_adds(&out, status >= 500 ? "Receiver" : "Sender");
    bw_buf_adds(&out, "</Type>\n    <Code>");
    bw_xml_escape(&out, bw_err_name(err), strlen(bw_err_name(err)));
    bw_buf_adds(&out, "</Code>\n    <Message>");
    bw_xml_escape(&out, err->msg, strlen(err->msg));
    bw_buf_adds(&out, "</Message>\n  </Error>\n  <RequestId>");
    bw_buf_adds(&out, request_id);
    bw_buf_adds(&out, "</RequestId>\n</ErrorResponse>\n");
    resp->status = status;
    resp->content_type = "text/xml";
    resp->body = out.p;
    resp->body_len = out.len;
}
