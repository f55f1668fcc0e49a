/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The two request-time formats SigV4 accepts: X-Amz-Date's ISO 8601 basic format
 * "YYYYMMDDTHHMMSSZ" (exactly 16 characters, UTC) and the HTTP Date header's RFC 1123
 * format "Sun, 06 Nov 1994 08:49:37 GMT". Both are parsed strictly into epoch seconds.
 */
#include <string.h>
#include <time.h>

#include "auth/internal.h"

static bool digits(const char *p, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return true;
}

/* Fields into epoch seconds; false when out of range. */
static bool to_epoch(int Y, int M, int D, int h, int m, int s, int64_t *out)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (Y < 1970 || M < 1 || M > 12 || D < 1 || D > mdays[M - 1] || h > 23 || m > 59 || s > 60)
        return false;
    struct tm tm = {
        .tm_year = Y - 1900, .tm_mon = M - 1, .tm_mday = D, .tm_hour = h, .tm_min = m, .tm_sec = s};
    *out = (int64_t)timegm(&tm);
    return true;
}

bool bw_auth__amz_date_parse(struct bw_str s, int64_t *out)
{
    int Y, M, D, h, m, sec;
    if (s.len != 16 || s.p[8] != 'T' || s.p[15] != 'Z')
        return false;
    if (!digits(s.p, 4, &Y) || !digits(s.p + 4, 2, &M) || !digits(s.p + 6, 2, &D) ||
        !digits(s.p + 9, 2, &h) || !digits(s.p + 11, 2, &m) || !digits(s.p + 13, 2, &sec))
        return false;
    return to_epoch(Y, M, D, h, m, sec, out);
}

bool bw_auth__http_date_parse(struct bw_str s, int64_t *out)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    /* "Sun, 06 Nov 1994 08:49:37 GMT": 29 characters */
    int Y, D, h, m, sec;
    if (s.len != 29 || s.p[3] != ',' || s.p[4] != ' ' || s.p[7] != ' ' || s.p[11] != ' ' ||
        s.p[16] != ' ' || s.p[19] != ':' || s.p[22] != ':' || memcmp(s.p + 25, " GMT", 4) != 0)
        return false;
    if (!digits(s.p + 5, 2, &D) || !digits(s.p + 12, 4, &Y) || !digits(s.p + 17, 2, &h) ||
        !digits(s.p + 20, 2, &m) || !digits(s.p + 23, 2, &sec))
        return false;
    for (int i = 0; i < 12; i++)
        if (memcmp(s.p + 8, months + 3 * i, 3) == 0)
            return to_epoch(Y, i + 1, D, h, m, sec, out);
    return false;
}

static void put2(char *o, int v)
{
    o[0] = (char)('0' + v / 10 % 10);
    o[1] = (char)('0' + v % 10);
}

void bw_auth__amz_date(int64_t t, char out[17])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    int y = (tm.tm_year + 1900) % 10000;
    put2(out, y / 100);
    put2(out + 2, y % 100);
    put2(out + 4, tm.tm_mon + 1);
    put2(out + 6, tm.tm_mday);
    out[8] = 'T';
    put2(out + 9, tm.tm_hour);
    put2(out + 11, tm.tm_min);
    put2(out + 13, tm.tm_sec);
    out[15] = 'Z';
    out[16] = 0;
}
