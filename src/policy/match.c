/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The matchers under every policy element: anchored glob matching (`*` any run of
 * characters, `/` and `:` included, possibly none; `?` exactly one), ARN matching per
 * colon-separated segment (IAM JSON policy elements: Resource; condition operators:
 * ArnLike/ArnEquals), and the typed value parsers the condition operators need —
 * numbers (JSON numbers or strings like "3600.0"), dates (ISO 8601 or epoch seconds),
 * booleans and IPv4/IPv6 CIDR blocks (RFC 4632 / RFC 4291 prefix arithmetic).
 * Nothing here allocates or touches global state.
 */
#include "policy/internal.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static inline char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

static inline bool is_wild(const char *pat, const uint8_t *lit, size_t i, char w)
{
    return pat[i] == w && !(lit && lit[i]);
}

bool bw_policy__glob(const char *pat, size_t plen, const uint8_t *lit, const char *s, size_t slen,
                     bool icase)
{
    size_t p = 0, i = 0, star = SIZE_MAX, mark = 0;
    while (i < slen) {
        if (p < plen && is_wild(pat, lit, p, '*')) {
            star = p++;
            mark = i;
            continue;
        }
        if (p < plen && (is_wild(pat, lit, p, '?') || pat[p] == s[i] ||
                         (icase && lower(pat[p]) == lower(s[i])))) {
            p++;
            i++;
            continue;
        }
        if (star == SIZE_MAX)
            return false;
        p = star + 1;
        i = ++mark;
    }
    while (p < plen && is_wild(pat, lit, p, '*'))
        p++;
    return p == plen;
}

unsigned bw_policy__svc_bitno(const char *svc, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)lower(svc[i])) * 1099511628211ULL;
    return (unsigned)(h % 64);
}

uint64_t bw_policy__svc_bit(const char *svc, size_t len)
{
    return 1ULL << bw_policy__svc_bitno(svc, len);
}

bool bw_policy__arn_split(const char *s, size_t len, uint32_t cut[5])
{
    size_t k = 0, i = 0;
    if (len > UINT32_MAX)
        return false;
    for (; i + 8 <= len && k < 5; i += 8)
        for (uint64_t m = bw_policy__colon_bytes(bw_policy__word(s + i)); m && k < 5; m &= m - 1)
            cut[k++] = (uint32_t)(i + (size_t)__builtin_ctzll(m) / 8);
    for (; i < len && k < 5; i++)
        if (s[i] == ':')
            cut[k++] = (uint32_t)i;
    return k == 5;
}

/* Offsets of the first five colons; false when there are fewer. */
static bool arn_split(const char *s, size_t len, size_t cut[5])
{
    size_t k = 0;
    for (size_t i = 0; i < len && k < 5; i++)
        if (s[i] == ':')
            cut[k++] = i;
    return k == 5;
}

bool bw_policy__arn_match(const char *pat, size_t plen, const uint8_t *lit, const char *s,
                          size_t slen, bool wild)
{
    size_t pc[5], sc[5];
    if (plen == 1 && pat[0] == '*' && wild && !(lit && lit[0]))
        return true;
    if (!arn_split(s, slen, sc))
        return false;
    if (!arn_split(pat, plen, pc))
        return false;
    size_t ps = 0, ss = 0;
    for (int k = 0; k < 6; k++) {
        size_t pe = k < 5 ? pc[k] : plen, se = k < 5 ? sc[k] : slen;
        bool ok =
            wild ? bw_policy__glob(pat + ps, pe - ps, lit ? lit + ps : NULL, s + ss, se - ss, false)
                 : (pe - ps == se - ss && memcmp(pat + ps, s + ss, pe - ps) == 0);
        if (!ok)
            return false;
        ps = pe + 1;
        ss = se + 1;
    }
    return true;
}

uint8_t bw_policy__pat_kind(const char *p, size_t len)
{
    if (len == 1 && p[0] == '*')
        return MK_STAR;
    for (size_t i = 0; i < len; i++)
        if (p[i] == '*' || p[i] == '?') /* the first wildcard: "prefix*" iff it is a final `*` */
            return p[i] == '*' && i == len - 1 ? MK_PREFIX : MK_GLOB;
    return MK_EXACT;
}

bool bw_policy__arn_match_pre(const struct bw_policy__pat *pat, const struct bw_policy__arn *arn)
{
    if (pat->star)
        return true;
    if (!arn->ok || !pat->cut_ok)
        return false;
    /* The most selective segments first: resource, account, service, region, partition. */
    static const int order[6] = {5, 4, 2, 3, 1, 0};
    for (int j = 0; j < 6; j++) {
        int k = order[j];
        size_t ps = k ? pat->cut[k - 1] + 1 : 0, ss = k ? arn->cut[k - 1] + 1 : 0;
        size_t pe = k < 5 ? pat->cut[k] : pat->s.len, se = k < 5 ? arn->cut[k] : arn->s.len;
        if (!bw_policy__kmatch(pat->seg_kind[k], pat->s.p + ps, pe - ps, arn->s.p + ss, se - ss))
            return false;
    }
    return true;
}

bool bw_policy__parse_num(struct bw_str s, double *out)
{
    char buf[64];
    if (s.len == 0 || s.len >= sizeof(buf))
        return false;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.p[i];
        if (!(isdigit((unsigned char)c) || c == '.' || c == '-' || c == '+' || c == 'e' ||
              c == 'E'))
            return false;
    }
    memcpy(buf, s.p, s.len);
    buf[s.len] = 0;
    char *end = NULL;
    double v = strtod(buf, &end);
    if (end != buf + s.len || !isfinite(v))
        return false;
    *out = v;
    return true;
}

bool bw_policy__parse_bool(struct bw_str s, bool *out)
{
    if (bw_policy__ieq(s, BW_STR("true")))
        *out = true;
    else if (bw_policy__ieq(s, BW_STR("false")))
        *out = false;
    else
        return false;
    return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* Reads exactly n digits at *i. */
static bool digits(struct bw_str s, size_t *i, int n, int *out)
{
    int v = 0;
    for (int k = 0; k < n; k++, (*i)++) {
        if (*i >= s.len || !isdigit((unsigned char)s.p[*i]))
            return false;
        v = v * 10 + (s.p[*i] - '0');
    }
    *out = v;
    return true;
}

static bool parse_epoch(struct bw_str s, int64_t *ms_out)
{
    double v;
    if (!bw_policy__parse_num(s, &v) || fabs(v) > 1e14)
        return false;
    *ms_out = (int64_t)llround(v * 1000.0);
    return true;
}

/* The time part "Thh:mm[:ss[.fff]]" and zone "Z", "+hh:mm", "+hhmm"; ms since midnight UTC. */
static bool parse_time(struct bw_str s, size_t i, int64_t *ms)
{
    int hh, mi, ss = 0, frac = 0, fd = 0;
    if (!digits(s, &i, 2, &hh) || i >= s.len || s.p[i++] != ':' || !digits(s, &i, 2, &mi))
        return false;
    if (i < s.len && s.p[i] == ':' && (++i, !digits(s, &i, 2, &ss)))
        return false;
    if (i < s.len && s.p[i] == '.') {
        for (i++; i < s.len && isdigit((unsigned char)s.p[i]); i++, fd++)
            if (fd < 3)
                frac = frac * 10 + (s.p[i] - '0');
        for (int k = fd; k < 3; k++)
            frac *= 10;
    }
    if (hh > 24 || mi > 59 || ss > 60)
        return false;
    int64_t off = 0;
    if (i < s.len && (s.p[i] == '+' || s.p[i] == '-')) {
        int sign = s.p[i++] == '-' ? -1 : 1, oh, om = 0;
        if (!digits(s, &i, 2, &oh))
            return false;
        if (i < s.len && s.p[i] == ':')
            i++;
        if (i < s.len && !digits(s, &i, 2, &om))
            return false;
        off = sign * (oh * 3600 + om * 60);
    } else if (i < s.len && (s.p[i] == 'Z' || s.p[i] == 'z')) {
        i++;
    }
    if (i != s.len)
        return false;
    *ms = ((int64_t)hh * 3600 + mi * 60 + ss - off) * 1000 + frac;
    return true;
}

bool bw_policy__parse_date(struct bw_str s, int64_t *ms_out)
{
    size_t i = 0;
    int y, m, d;
    if (s.len < 10 || s.p[4] != '-')
        return parse_epoch(s, ms_out);
    if (!digits(s, &i, 4, &y) || s.p[i++] != '-' || !digits(s, &i, 2, &m) || i >= s.len ||
        s.p[i++] != '-' || !digits(s, &i, 2, &d))
        return false;
    if (m < 1 || m > 12 || d < 1 || d > 31)
        return false;
    int64_t ms = days_from_civil(y, (unsigned)m, (unsigned)d) * 86400000LL, t = 0;
    if (i < s.len) {
        if (s.p[i] != 'T' && s.p[i] != 't' && s.p[i] != ' ')
            return false;
        if (!parse_time(s, i + 1, &t))
            return false;
    }
    *ms_out = ms + t;
    return true;
}

/* A plain dotted-quad IPv4 address (no prefix), by inet_pton's rules for AF_INET: four
 * decimal parts of at most 255 without leading zeros. False: not one (the caller then
 * takes the general path). Spares the copy and the library call for the common case. */
static bool parse_ip4(struct bw_str s, struct bw_policy__ip *out)
{
    uint8_t q[4] = {0};
    unsigned parts = 0, v = 0;
    bool digit = false;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.p[i];
        if (c >= '0' && c <= '9') {
            if ((digit && v == 0) || (v = v * 10 + (unsigned)(c - '0')) > 255)
                return false;
            if (!digit && ++parts > 4)
                return false;
            digit = true;
            q[parts - 1] = (uint8_t)v;
        } else if (c == '.' && digit && parts < 4) {
            digit = false;
            v = 0;
        } else {
            return false;
        }
    }
    if (parts < 4)
        return false;
    memset(out, 0, sizeof(*out));
    memcpy(out->addr, q, 4);
    out->fam = 4;
    out->prefix = 32;
    return true;
}

bool bw_policy__parse_ip(struct bw_str s, struct bw_policy__ip *out)
{
    if (s.len <= 15 && parse_ip4(s, out))
        return true;
    char buf[64];
    if (s.len == 0 || s.len >= sizeof(buf))
        return false;
    memcpy(buf, s.p, s.len);
    buf[s.len] = 0;
    char *slash = memchr(buf, '/', s.len);
    long prefix = -1;
    if (slash) {
        *slash = 0;
        char *end;
        if (!isdigit((unsigned char)slash[1]) || strlen(slash + 1) > 3)
            return false;
        prefix = strtol(slash + 1, &end, 10);
        if (*end)
            return false;
    }
    memset(out, 0, sizeof(*out));
    if (inet_pton(AF_INET, buf, out->addr) == 1)
        out->fam = 4;
    else if (inet_pton(AF_INET6, buf, out->addr) == 1)
        out->fam = 6;
    else
        return false;
    long max = out->fam == 4 ? 32 : 128;
    if (prefix > max) {
        out->fam = 0;
        return false;
    }
    out->prefix = (uint8_t)(prefix < 0 ? max : prefix);
    return true;
}

bool bw_policy__ip_in(const struct bw_policy__ip *net, const struct bw_policy__ip *addr)
{
    if (net->fam == 0 || net->fam != addr->fam)
        return false;
    unsigned bits = net->prefix, full = bits / 8, rem = bits % 8;
    if (memcmp(net->addr, addr->addr, full) != 0)
        return false;
    if (rem == 0)
        return true;
    uint8_t mask = (uint8_t)(0xFF << (8 - rem));
    return (net->addr[full] & mask) == (addr->addr[full] & mask);
}
