/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A verifier driven by test_sigv4_botocore.py: reads one JSON request a line
 *   {"method","path","query","headers":[[name,value],...],"body","secret","now"}
 * and prints "OK" or "<AwsErrorName>|<message>" a line, after bw_sigv4_parse and
 * bw_sigv4_verify. Lets the tests check requests signed by botocore (the AWS CLI's and
 * boto3's signer) against this implementation.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/sigv4.h"

static struct bw_str jstr(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return (struct bw_str){json_string_value(v) ? json_string_value(v) : "",
                           json_string_value(v) ? json_string_length(v) : 0};
}

static void check(json_t *o)
{
    json_t *hs = json_object_get(o, "headers");
    size_t n = json_array_size(hs);
    struct bw_sigv4_header *h = calloc(n + 1, sizeof *h);
    for (size_t i = 0; i < n; i++) {
        json_t *p = json_array_get(hs, i);
        h[i].name = bw_str_c(json_string_value(json_array_get(p, 0)));
        h[i].value = bw_str_c(json_string_value(json_array_get(p, 1)));
    }
    struct bw_sigv4_request req = {
        jstr(o, "method"), jstr(o, "path"), jstr(o, "query"), h, n, jstr(o, "body"), NULL};
    struct bw_arena *a = bw_arena_new(0);
    struct bw_sigv4_auth au;
    struct bw_err err;
    int64_t now = (int64_t)json_integer_value(json_object_get(o, "now"));
    if (bw_sigv4_parse(&req, a, &au, &err) == BW_OK &&
        bw_sigv4_verify(&req, &au, jstr(o, "secret"), now, NULL, a, &err) == BW_OK)
        printf("OK\n");
    else
        printf("%s|%s\n", bw_err_name(&err), err.msg);
    fflush(stdout);
    bw_arena_free(a);
    free(h);
}

int main(void)
{
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, stdin) > 0) {
        json_error_t je;
        json_t *o = json_loads(line, 0, &je);
        if (!o) {
            printf("BadInput|%s\n", je.text);
            continue;
        }
        check(o);
        json_decref(o);
    }
    free(line);
    return 0;
}
