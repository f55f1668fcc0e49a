/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP/1.x request head, read from a reassembled client stream (RFC 9112 §3):
 *
 *   method SP request-target SP HTTP/1.x CRLF
 *   *( field-name ":" OWS field-value OWS CRLF )
 *   CRLF
 *
 * Only what detection needs: the method, the target and the User-Agent value. Bare
 * LF line ends are accepted (RFC 9112 §2.2 allows a recipient to). Every read is
 * bounded by the buffer's length; hostile input yields -1, never a fault.
 */
#include "detect/internal.h"

#include <string.h>
#include <strings.h>

/* RFC 9110 §5.6.2 tchar, one bit per byte value (a table, not a strchr per byte). */
static bool is_tchar(uint8_t c)
{
    static const uint32_t bits[8] = {
        0x00000000, /* controls */
        0x03ff6cfa, /* ! # $ % & ' * + - . 0-9 */
        0xc7fffffe, /* A-Z ^ _ */
        0x57ffffff, /* ` a-z | ~ */
    };
    return bits[c >> 5] >> (c & 31) & 1;
}

bool bw_detect__http_looks_like(const uint8_t *p, size_t len)
{
    size_t i = 0;
    while (i < len && i < 16 && p[i] >= 'A' && p[i] <= 'Z')
        i++;
    return i >= 3 && i < len && p[i] == ' ';
}

/* The end of the line starting at p[at] (index of its LF), or len when none yet. */
static size_t line_end(const uint8_t *p, size_t len, size_t at)
{
    const uint8_t *nl = at < len ? memchr(p + at, '\n', len - at) : NULL;
    return nl ? (size_t)(nl - p) : len;
}

/* Content length of line [a, lf) without its CR. */
static size_t trim_cr(const uint8_t *p, size_t a, size_t lf)
{
    return lf > a && p[lf - 1] == '\r' ? lf - 1 - a : lf - a;
}

static int parse_request_line(const uint8_t *p, size_t n, struct bw_detect__http_req *req)
{
    size_t i = 0;
    while (i < n && is_tchar(p[i]))
        i++;
    if (i == 0 || i >= n || p[i] != ' ')
        return -1;
    req->method = p;
    req->method_len = i;
    size_t u = ++i;
    while (i < n && p[i] != ' ')
        i++;
    if (i == u || i >= n)
        return -1;
    req->url = p + u;
    req->url_len = i - u;
    i++;
    if (n - i != 8 || memcmp(p + i, "HTTP/1.", 7) != 0)
        return -1;
    return 0;
}

static void header(const uint8_t *p, size_t n, struct bw_detect__http_req *req)
{
    static const char ua[] = "user-agent:";
    if (n < sizeof ua - 1 || (p[0] | 0x20) != 'u' || p[10] != ':' ||
        strncasecmp((const char *)p, ua, sizeof ua - 1) != 0)
        return;
    size_t i = sizeof ua - 1;
    while (i < n && (p[i] == ' ' || p[i] == '\t'))
        i++;
    while (n > i && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    req->ua = p + i;
    req->ua_len = n - i;
}

int bw_detect__http_parse(const uint8_t *p, size_t len, struct bw_detect__http_req *req)
{
    memset(req, 0, sizeof *req);
    if (len > 0 && !bw_detect__http_looks_like(p, len))
        return -1;
    size_t lf = line_end(p, len, 0);
    if (lf == len)
        return 0;
    if (parse_request_line(p, trim_cr(p, 0, lf), req) != 0)
        return -1;
    size_t at = lf + 1;
    for (;;) {
        lf = line_end(p, len, at);
        if (lf == len)
            return 0;
        size_t n = trim_cr(p, at, lf);
        if (n == 0) {
            req->head_len = lf + 1;
            return 1;
        }
        header(p + at, n, req);
        at = lf + 1;
    }
}
