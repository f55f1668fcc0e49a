/* SPDX-License-Identifier: Apache-2.0 */
/* Time, randomness, hex and ids. */
#include "common/util.h"

#include <ctype.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

int64_t bw_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t bw_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void bw_time_iso8601(int64_t epoch_s, char *out, size_t cap)
{
    time_t t = (time_t)epoch_s;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static bool digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static bool parse_fields(const char *s, size_t len, struct tm *tm, size_t *rest)
{
    int Y, M, D, h = 0, m = 0, sec = 0;
    size_t i;
    if (len >= 16 && s[8] == 'T' && isdigit((unsigned char)s[4])) { /* YYYYMMDDTHHMMSS */
        if (!digits(s, 4, &Y) || !digits(s + 4, 2, &M) || !digits(s + 6, 2, &D) ||
            !digits(s + 9, 2, &h) || !digits(s + 11, 2, &m) || !digits(s + 13, 2, &sec))
            return false;
        i = 15;
    } else {
        if (len < 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, &Y) || !digits(s + 5, 2, &M) ||
            !digits(s + 8, 2, &D))
            return false;
        i = 10;
        if (i < len && (s[i] == 'T' || s[i] == 't' || s[i] == ' ')) {
            if (len < i + 6 || s[i + 3] != ':' || !digits(s + i + 1, 2, &h) ||
                !digits(s + i + 4, 2, &m))
                return false;
            i += 6;
            if (i < len && s[i] == ':') {
                if (len < i + 3 || !digits(s + i + 1, 2, &sec))
                    return false;
                i += 3;
            }
        }
    }
    if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60)
        return false;
    memset(tm, 0, sizeof *tm);
    tm->tm_year = Y - 1900;
    tm->tm_mon = M - 1;
    tm->tm_mday = D;
    tm->tm_hour = h;
    tm->tm_min = m;
    tm->tm_sec = sec;
    *rest = i;
    return true;
}

bool bw_time_parse(const char *s, size_t len, int64_t *out)
{
    struct tm tm;
    size_t i;
    if (!parse_fields(s, len, &tm, &i))
        return false;
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && isdigit((unsigned char)s[i]))
            i++;
    }
    int64_t off = 0;
    if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
        i++;
    } else if (i < len && (s[i] == '+' || s[i] == '-')) {
        int oh, om;
        if (len < i + 6 || s[i + 3] != ':' || !digits(s + i + 1, 2, &oh) ||
            !digits(s + i + 4, 2, &om))
            return false;
        off = (oh * 3600 + om * 60) * (s[i] == '+' ? 1 : -1);
        i += 6;
    }
    if (i != len)
        return false;
    *out = (int64_t)timegm(&tm) - off;
    return true;
}

void bw_random_bytes(void *out, size_t len)
{
    if (RAND_bytes(out, (int)len) != 1)
        abort();
}

void bw_random_chars(char *out, size_t n, const char *alphabet)
{
    size_t k = strlen(alphabet);
    size_t limit = 256 - 256 % k; /* reject to avoid modulo bias */
    size_t i = 0;
    while (i < n) {
        unsigned char r[32];
        bw_random_bytes(r, sizeof r);
        for (size_t j = 0; j < sizeof r && i < n; j++)
            if (r[j] < limit)
                out[i++] = alphabet[r[j] % k];
    }
    out[n] = 0;
}

void bw_hex_encode(const void *p, size_t len, char *out)
{
    static const char hx[] = "0123456789abcdef";
    const unsigned char *b = p;
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = hx[b[i] >> 4];
        out[2 * i + 1] = hx[b[i] & 15];
    }
    out[2 * len] = 0;
}

void bw_uuid4(char *out)
{
    unsigned char b[16];
    bw_random_bytes(b, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    char h[33];
    bw_hex_encode(b, 16, h);
    snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
}
